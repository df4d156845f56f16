"""The one chart layer of the report pages and the report e-mails: pygal draws each chart on the
server as an SVG string that the templates inline.

pygal is a maintained, pure-Python SVG chart library: no browser, no JavaScript and no CDN (its
tooltip script is switched off with `js=[]`), about 10 ms a chart. What pygal leaves to us is the
reading: ticks in the unit of the axis (money with separators and the currency, counts,
percentages), thinned x labels, exact values as native SVG tooltips (`<title>`), a legend only
with two series, and an empty state in words. The SVG has a viewBox and no fixed size, so the
page's CSS makes it fill its card.
"""

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from xml.etree import ElementTree

import pygal
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe
from pygal.style import Style

Number = Decimal | int | float
Item = tuple[str, Number | None]  # (label, value)

WIDTH = 1000  # viewBox units; a card at 1366 px is about 1,100 px wide, so 12 units read as 13 px
LINE_HEIGHT = 340
BAR_ROW = 24  # viewBox units per horizontal bar
MAX_X_LABELS = 12
LABEL_CHARS = 28
EMPTY_TEXT = "No sales in this period"

INK, MUTED, LINE, ACCENT, EARLIER = "#1f2933", "#616e7c", "#d9e2ec", "#2b6cb0", "#829ab1"
# Target lines: a goal is what the other lines are read against, so it gets strong colours of
# its own (never the palette's pale third) and a long dash that tells it from an earlier span.
TARGETS = ("#c53030", "#6b46c1")
STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground=INK,
    foreground_strong=INK,
    foreground_subtle=LINE,
    opacity="0.9",
    opacity_hover="1",
    colors=(ACCENT, "#dd6b20", EARLIER, "#38a169"),
    font_family='system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=13,
    value_font_size=12,
    value_label_font_size=12,
    tooltip_font_size=12,
    title_font_size=14,
    no_data_font_size=14,
    stroke_opacity="1",
    guide_stroke_color=LINE,
    major_guide_stroke_color=LINE,
)


# Units: how an axis tick and an exact value (the tooltip) read.
def _money_tick(value: Number) -> str:
    return f"{Decimal(value):,.0f} {settings.SALES_CURRENCY}"


def _money(value: Number) -> str:
    return f"{Decimal(value):,.2f} {settings.SALES_CURRENCY}"


def _count(value: Number) -> str:
    return f"{Decimal(value):,.0f}"


def _share_tick(value: Number) -> str:
    return f"{Decimal(value) * 100:.0f} %"


def _share(value: Number) -> str:
    return f"{Decimal(value) * 100:.1f} %"


UNITS: dict[str, tuple[Callable[[Number], str], Callable[[Number], str]]] = {
    "money": (_money_tick, _money),
    "count": (_count, _count),
    "share": (_share_tick, _share),
}


@dataclass(frozen=True)
class Series:
    name: str
    items: list[Item]
    dashed: bool = False  # an earlier span, drawn for comparison
    target: bool = False  # a goal to read the others against: its own strong colour, long dashes


@dataclass(frozen=True)
class Chart:
    """What a template shows: the title as a caption and the SVG (or `empty` words)."""

    title: str
    kind: str
    svg: SafeString = field(default_factory=lambda: mark_safe(""))
    empty: str = ""  # the words a chart with nothing to draw shows instead


def _empty(title: str, kind: str) -> Chart:
    return Chart(title=title, kind=kind, empty=EMPTY_TEXT)


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else f"{label[: LABEL_CHARS - 1]}…"


def _nice_step(span: float, steps: int) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) so that `steps` of them cover span."""
    raw = max(span, 1e-9) / steps
    power = 10 ** math.floor(math.log10(raw))
    return next(power * m for m in (1, 2, 2.5, 5, 10) if power * m >= raw)


def _y_ticks(values: Sequence[float], steps: int = 5) -> list[float]:
    """Round ticks from zero (or below) to the largest value, whole numbers at least."""
    low, high = min(0.0, *values), max(0.0, *values)
    step = max(_nice_step(high - low, steps), 1.0)
    start = math.floor(low / step) * step
    return [start + i * step for i in range(math.ceil((high - start) / step - 1e-9) + 1)] or [0.0]


def _config(**options) -> dict:
    return {
        "style": STYLE,
        "js": [],  # pygal's tooltip script comes from a CDN: never; tooltips are <title>s
        "css": ["file://style.css", "file://graph.css"],
        "disable_xml_declaration": True,
        "width": WIDTH,
        "show_legend": False,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 4,
        "truncate_legend": 40,
        "truncate_label": -1,  # we shorten labels ourselves, with an ellipsis
        "no_data_text": EMPTY_TEXT,
        "margin": 8,
        "margin_right": 40,  # the last x label is centred on the last point: room for its half
        "spacing": 10,
        **options,
    }


def _render(
    chart: pygal.graph.graph.Graph,
    title: str,
    kind: str,
    adjust: Callable[[ElementTree.Element], None] | None = None,
) -> Chart:
    """The SVG with each value's exact reading as a native tooltip, pygal's layout notes dropped,
    then `adjust`ed. (pygal's tree has plain tag names; the root carries the SVG namespace as an
    attribute.)"""
    root = chart.render_tree()
    if adjust is not None:
        adjust(root)
    caption = root.find("title")
    if caption is not None:
        caption.text = title  # pygal's default reads "Pygal"
    for group in root.iter():
        descs = {d.get("class", "").split(" ")[0]: d for d in group.findall("desc")}
        if "value" not in descs:
            continue
        for desc in descs.values():
            group.remove(desc)
        label = descs["x_label"].text if "x_label" in descs else None
        tooltip = ElementTree.Element("title")
        tooltip.text = f"{label}: {descs['value'].text}" if label else descs["value"].text
        shape = next((child for child in group if "tooltip-trigger" in child.get("class", "")), None)
        (shape if shape is not None else group).insert(0, tooltip)
    for group in list(root.iter()):  # pygal's remaining layout notes and its config for the script
        for note in [*group.findall("desc"), *group.findall("script")]:
            group.remove(note)
    svg = ElementTree.tostring(root, encoding="unicode")
    return Chart(title=title, kind=kind, svg=mark_safe(svg))  # noqa: S308 (ElementTree escapes)


def _values(items: Sequence[Item]) -> list[float | None]:
    return [None if value is None else float(value) for _, value in items]


def bar_chart(title: str, items: Sequence[Item], unit: str = "money") -> Chart:
    """Horizontal bars, one per (label, value), labels at the left, in the order given."""
    if not items:
        return _empty(title, "bar")
    tick, exact = UNITS[unit]
    values = _values(items)
    ticks = _y_ticks([v or 0.0 for v in values], steps=5)
    chart = pygal.HorizontalBar(
        **_config(
            height=70 + BAR_ROW * len(items),
            value_formatter=tick,
            y_labels=ticks,
            range=(ticks[0], ticks[-1]),
            print_values=len(items) <= 12,
            print_values_position="top",
        )
    )
    # pygal draws the first label at the bottom; reverse so the list reads top-down.
    chart.x_labels = [_short(label) for label, _ in reversed(items)]
    chart.add(title, list(reversed(values)), formatter=exact)
    return _render(chart, title, "bar", adjust=_values_clear_of_bar_ends)


VALUE_CHAR_WIDTH = 7.2  # viewBox units per character of a 12 px value label, digits and separators
VALUE_GAP = 6


def _values_clear_of_bar_ends(root: ElementTree.Element) -> None:
    """pygal centres each printed value on its bar's end, half over the bar. Put it inside the
    bar's end in white where it fits, else just beyond the end in ink: never across the edge."""
    bars = [
        (float(rect.get("y", 0)) + float(rect.get("height", 0)) / 2, rect)
        for rect in root.iter("rect")
        if "tooltip-trigger" in rect.get("class", "")
    ]
    for text in root.iter("text"):
        if text.get("class") != "value" or not bars or not text.text:
            continue
        _, rect = min(bars, key=lambda bar: abs(bar[0] - float(text.get("y", 0))))
        left, width = float(rect.get("x", 0)), float(rect.get("width", 0))
        negative = text.text.lstrip().startswith("-")
        end = left if negative else left + width
        inside = width >= len(text.text) * VALUE_CHAR_WIDTH + 2 * VALUE_GAP
        outward = -1 if negative else 1
        shift = -VALUE_GAP * outward if inside else VALUE_GAP * outward
        text.set("x", f"{end + shift:.2f}")
        anchor = "end" if inside != negative else "start"
        # Inline, so pygal's own stylesheet (which centres values) does not win.
        text.set("text-anchor", anchor)
        text.set("style", f"text-anchor: {anchor}; fill: {'#ffffff' if inside else INK}")


def column_chart(title: str, labels: Sequence[str], series: Sequence[Series], unit: str = "count") -> Chart:
    """Vertical bars over ordered labels (periods), one colour per series, a legend for two."""
    if not labels:
        return _empty(title, "columns")
    tick, exact = UNITS[unit]
    everything = [float(v or 0) for one in series for _, v in one.items]
    ticks = _y_ticks(everything)
    chart = pygal.Bar(**_config(height=LINE_HEIGHT, **_x_axis(labels), **_y_axis(ticks, tick, len(series))))
    chart.x_labels = [_short(label) for label in labels]
    for one in series:
        chart.add(one.name, _values(one.items), formatter=exact)
    return _render(chart, title, "columns")


def _x_axis(labels: Sequence[str]) -> dict:
    """Every label while they fit, else every n-th (the rest keep their tick and tooltip)."""
    every = max(1, math.ceil(len(labels) / MAX_X_LABELS))
    longest = max((len(label) for label in labels), default=0)
    fits = WIDTH / min(len(labels), MAX_X_LABELS) > longest * 7.5 + 12
    return {
        "x_labels_major_every": every,
        "show_minor_x_labels": every == 1,
        "x_label_rotation": 0 if fits else 35,
    }


def _y_axis(ticks: list[float], tick: Callable[[Number], str], series: int) -> dict:
    return {
        "value_formatter": tick,
        "y_labels": ticks,
        "range": (ticks[0], ticks[-1]),
        "show_legend": series > 1,
        "margin_bottom": 34 if series > 1 else 8,  # pygal leaves the bottom legend half outside
    }


def line_chart(title: str, series: Sequence[Series], unit: str = "money") -> Chart:
    """Lines over ordered labels (periods); a dashed series is an earlier span to compare with."""
    labels = [label for label, _ in series[0].items] if series else []
    if not labels:
        return _empty(title, "line")
    tick, exact = UNITS[unit]
    ticks = _y_ticks([float(v or 0) for one in series for _, v in one.items])
    chart = pygal.Line(
        **_config(
            style=Style(**{**STYLE.to_dict(), "colors": _line_colors(series)}),
            height=LINE_HEIGHT,
            dots_size=2 if len(labels) > 40 else 3,
            **_x_axis(labels),
            **_y_axis(ticks, tick, len(series)),
        )
    )
    chart.x_labels = labels
    for one in series:
        style = {"width": 2}
        if one.target:
            style = {"width": 3, "dasharray": "14, 6"}
        elif one.dashed:
            style = {"width": 2, "dasharray": "6, 4"}
        chart.add(one.name, _values(one.items), formatter=exact, stroke_style=style)
    return _render(chart, title, "line")


def _line_colors(series: Sequence[Series]) -> tuple[str, ...]:
    """Each series' colour in order: targets from TARGETS, the others from the palette."""
    palette, targets = iter(STYLE.colors), iter(TARGETS)
    return tuple(next(targets, TARGETS[-1]) if one.target else next(palette, EARLIER) for one in series)


class _Pareto(pygal.Bar):
    """pygal writes the secondary axis with the primary axis's formatter; this one reads in %."""

    _self_close = False  # what pygal.Line.line reads of a line chart

    def _compute_secondary(self):
        super()._compute_secondary()
        if self.secondary_series and self._y_labels:
            steps = len(self._y_labels) - 1 or 1
            self._y_2nd_labels = [
                (_share_tick(Decimal(i) / steps), position) for i, (_, position) in enumerate(self._y_labels)
            ]

    def _plot(self):
        """The values as bars, the cumulative share as a line through the bars' centres."""
        for serie in self.series:
            self.bar(serie)
        for serie in self.secondary_series:
            serie.points = [((i + 0.5) / self._len, y) for i, (_, y) in enumerate(serie.points)]
            pygal.Line.line(self, serie, True)


def pareto_chart(title: str, items: Sequence[Item], shares: Sequence[Number | None], unit: str) -> Chart:
    """Bars (value per item, largest first) and the cumulative share as a line on a 0-100 % axis."""
    if not items:
        return _empty(title, "pareto")
    tick, exact = UNITS[unit]
    values = [v or 0.0 for v in _values(items)]
    step = max(_nice_step(max(0.0, *values), 4), 1.0)  # four steps: the share axis ticks 0, 25, 50, 75, 100 %
    ticks = [min(0.0, *values) // step * step + i * step for i in range(5)]
    chart = _Pareto(
        **_config(
            height=LINE_HEIGHT + 20,
            secondary_range=(0, 1),
            include_x_axis=True,
            **_x_axis([label for label, _ in items]),
            **_y_axis(ticks, tick, 2),
        )
    )
    chart.x_labels = [_short(label) for label, _ in items]
    chart.add("Value", values, formatter=exact)
    chart.add(
        "Cumulative share",
        [None if share is None else float(share) for share in shares],
        formatter=_share,
        secondary=True,
        stroke_style={"width": 2},
    )
    return _render(chart, title, "pareto")
