"""Chart geometry for the HTML reports, drawn as inline SVG by the templates.

Server-side SVG needs no JavaScript and no CDN, prints sharply and is testable. The
functions here only place things; labels and values are escaped by the templates.
"""

from dataclasses import dataclass, field
from decimal import Decimal

BAR_HEIGHT = 18
BAR_GAP = 8
LABEL_WIDTH = 200
VALUE_WIDTH = 90
BAR_AREA = 440
LINE_WIDTH, LINE_HEIGHT = 760, 260
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 80, 20, 16, 36
MAX_X_LABELS = 8


def _px(value: float) -> float:
    return round(value, 1)


@dataclass(frozen=True)
class Bar:
    label: str
    value_label: str
    x: float
    y: float
    width: float
    text_y: float
    value_x: float
    negative: bool


@dataclass(frozen=True)
class BarChart:
    title: str
    width: int
    height: int
    label_x: int
    zero_x: float
    bars: list[Bar] = field(default_factory=list)
    kind: str = "bar"


def bar_chart(title: str, items: list[tuple[str, Decimal | int]]) -> BarChart:
    """Horizontal bars, one per (label, value); negative values grow left of the zero line."""
    values = [Decimal(value) for _, value in items]
    low, high = min([Decimal(0), *values]), max([Decimal(0), *values])
    span = (high - low) or Decimal(1)
    zero_x = LABEL_WIDTH + float((0 - low) / span) * BAR_AREA
    bars = []
    for index, ((label, value), amount) in enumerate(zip(items, values, strict=True)):
        width = float(abs(amount) / span) * BAR_AREA
        x = zero_x - width if amount < 0 else zero_x
        y = PAD_TOP + index * (BAR_HEIGHT + BAR_GAP)
        bars.append(
            Bar(
                label=label,
                value_label=str(value),
                x=_px(x),
                y=y,
                width=_px(max(width, 1.0)),
                text_y=y + BAR_HEIGHT - 4,
                value_x=_px(max(x + width, zero_x) + 6),
                negative=amount < 0,
            )
        )
    return BarChart(
        title=title,
        width=LABEL_WIDTH + BAR_AREA + VALUE_WIDTH,
        height=PAD_TOP * 2 + max(len(items), 1) * (BAR_HEIGHT + BAR_GAP),
        label_x=LABEL_WIDTH - 8,
        zero_x=_px(zero_x),
        bars=bars,
    )


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str
    value_label: str


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class LineChart:
    title: str
    width: int
    height: int
    points: list[Point]
    line: str  # the polyline's "x,y x,y …"
    area: str  # the polygon under the line, down to the zero line
    zero_y: float
    plot_left: int
    plot_right: int
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    kind: str = "line"


def line_chart(title: str, items: list[tuple[str, Decimal]]) -> LineChart:
    """One series over ordered labels (periods), with a zero line and a few axis labels."""
    values = [Decimal(value) for _, value in items]
    low, high = min([Decimal(0), *values]), max([Decimal(0), *values])
    span = (high - low) or Decimal(1)
    plot_width = LINE_WIDTH - PAD_LEFT - PAD_RIGHT
    plot_height = LINE_HEIGHT - PAD_TOP - PAD_BOTTOM
    step = plot_width / (len(items) - 1) if len(items) > 1 else 0

    def y_of(value: Decimal) -> float:
        return _px(PAD_TOP + float((high - value) / span) * plot_height)

    points = [
        Point(x=_px(PAD_LEFT + index * step), y=y_of(amount), label=label, value_label=str(value))
        for index, ((label, value), amount) in enumerate(zip(items, values, strict=True))
    ]
    zero_y = y_of(Decimal(0))
    line = " ".join(f"{point.x},{point.y}" for point in points)
    area = f"{points[0].x},{zero_y} {line} {points[-1].x},{zero_y}" if points else ""
    every = max(1, -(-len(points) // MAX_X_LABELS))
    x_ticks = [Tick(point.x, point.label) for point in points[::every]]
    y_ticks = [Tick(y_of(value), f"{value:,.0f}") for value in sorted({low, (low + high) / 2, high})]
    return LineChart(
        title=title,
        width=LINE_WIDTH,
        height=LINE_HEIGHT,
        points=points,
        line=line,
        area=area,
        zero_y=zero_y,
        plot_left=PAD_LEFT,
        plot_right=LINE_WIDTH - PAD_RIGHT,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
    )
