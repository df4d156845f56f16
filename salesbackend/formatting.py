"""How numbers, dates and keys read on the report pages and in the report e-mails: the one
formatting layer (Babel's CLDR number and date patterns, in the business's locale).

Money shows with its currency code and thousands separators (`12,345.60 EUR`), counts with
separators (`1,234`), fractions as percentages with one decimal (`41.2 %`), keys in words
(`partially_refunded` -> `Partially refunded`), dates in one business format (`7 Dec 2026`).
Nothing here is for the JSON, CSV or XLSX: those keep plain numbers (XLSX with the number
formats below, so a spreadsheet shows what a page shows).
"""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from babel.core import Locale
from babel.dates import format_date
from babel.numbers import get_currency_precision, parse_pattern
from django.conf import settings
from django.utils import timezone

from salesbackend.zone import sales_date

# Parsed once: a report page formats thousands of cells, and Babel would parse the locale and
# the pattern again for each (a third of the formatting time).
LOCALE = Locale.parse("en_US")  # separators: 1,234.56
MONEY_PATTERN = parse_pattern("#,##0.00 ¤¤")  # ¤¤: the ISO code; the currency's own digits (JPY none)
COUNT_PATTERN = parse_pattern("#,##0")
PERCENT_PATTERN = parse_pattern("#,##0.0 %")
WHOLE_PERCENT_PATTERN = parse_pattern("#,##0 %")
DATE_PATTERN = "d MMM y"  # 7 Dec 2026
MONTH_PATTERN = "MMM y"  # Dec 2026
EMPTY = ""  # what a missing value (None) shows as

# The same, as spreadsheet number formats (XLSX cells).
XLSX_COUNT = "#,##0"
XLSX_DECIMAL = "#,##0.00"
XLSX_PERCENT = "0.0%"  # of a fraction: 0.4123 shows 41.2%
XLSX_PERCENT_POINTS = '0.0" %"'  # of a value already in percent: 11.0 shows 11.0 %
XLSX_DATE = "yyyy-mm-dd"
XLSX_MONTH = "mmm yyyy"
XLSX_DATETIME = "yyyy-mm-dd hh:mm"

# Keys whose words are not just the key with spaces.
WORDS = {"ok": "OK", "rfm": "RFM", "abc": "ABC", "sku": "SKU"}


def currency() -> str:
    return settings.SALES_CURRENCY


def _decimal(value: Any) -> Decimal | None:
    """A number as a Decimal (floats through their shortest text, so 0.1 stays 0.1)."""
    if value is None or value == "":
        return None
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return None


def _rounded(value: Decimal, places: int) -> Decimal:
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return rounded if rounded else abs(rounded)  # never "-0.00"


def cents(value: Any, currency_code: str | None = None) -> Decimal | None:
    """Money exact to the currency's smallest unit (cents for EUR), half up; None stays None.
    A float from a database sum loses its tail here (656682.4000000001 -> 656682.40)."""
    number = _decimal(value)
    if number is None:
        return None
    return _rounded(number, get_currency_precision(currency_code or currency()))


def money(value: Any, currency_code: str | None = None) -> str:
    """`12,345.60 EUR`; '' for None."""
    code = currency_code or currency()
    amount = cents(value, code)
    if amount is None:
        return EMPTY
    return MONEY_PATTERN.apply(amount, LOCALE, currency=code, currency_digits=True)


def count(value: Any) -> str:
    """`1,234`; '' for None."""
    number = _decimal(value)
    return EMPTY if number is None else COUNT_PATTERN.apply(_rounded(number, 0), LOCALE)


def number(value: Any, places: int = 2) -> str:
    """A measure that is neither money nor a count (units per day): `1,234.57`."""
    number = _decimal(value)
    if number is None:
        return EMPTY
    pattern = parse_pattern("#,##0." + "0" * places) if places else COUNT_PATTERN
    return pattern.apply(_rounded(number, places), LOCALE)


def percent(fraction: Any) -> str:
    """A fraction as a percentage with one decimal: 0.4123 -> `41.2 %`; '' for None."""
    number = _decimal(fraction)
    if number is None:
        return EMPTY
    return PERCENT_PATTERN.apply(_rounded(number * 100, 1) / 100, LOCALE)


def whole_percent(fraction: Any) -> str:
    """A fraction as a whole percentage, for grids of many: 0.778 -> `78 %`; '' for None."""
    number = _decimal(fraction)
    if number is None:
        return EMPTY
    return WHOLE_PERCENT_PATTERN.apply(_rounded(number * 100, 0) / 100, LOCALE)


def percent_points(value: Any) -> str:
    """A value already in percent (change_pct 11.0) as `11.0 %`: the same look as `percent`."""
    number = _decimal(value)
    return EMPTY if number is None else percent(number / 100)


def change(value: Any) -> str:
    """A change already in percent with its direction: 12.5 -> `▲ 12.5 %`, -3.0 -> `▼ 3.0 %`,
    0 -> `0.0 %`; '' for None (nothing to compare with)."""
    number = _decimal(value)
    if number is None:
        return EMPTY
    mark = "▲ " if number > 0 else "▼ " if number < 0 else ""
    return mark + percent_points(abs(number))


def words(key: Any) -> str:
    """A key in words: `partially_refunded` -> `Partially refunded`, `at_risk` -> `At risk`."""
    if key is None or key == "":
        return EMPTY
    text = str(key)
    if text in WORDS:
        return WORDS[text]
    return text.replace("_", " ").replace("-", " ").strip().capitalize()


def business_date(value: date | datetime | str | None) -> str:
    """A day in the business format: `7 Dec 2026`; ISO text is read as a date."""
    day = as_date(value)
    return EMPTY if day is None else format_date(day, DATE_PATTERN, locale=LOCALE)


def business_datetime(value: datetime | None) -> str:
    """A moment in the business format, on the clock of the pages' time zone: `7 Dec 2026, 23:30`."""
    if value is None:
        return EMPTY
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{format_date(local.date(), DATE_PATTERN, locale=LOCALE)}, {local:%H:%M}"


def month(value: date | datetime | str | None) -> str:
    """A month (`2026-12` or a day in it) as `Dec 2026`."""
    day = as_date(value)
    return EMPTY if day is None else format_date(day, MONTH_PATTERN, locale=LOCALE)


def as_date(value: date | datetime | str | None) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):  # a moment is shown on the business's day
        return sales_date(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, date):
        return value
    text = str(value)
    return date.fromisoformat(text if len(text) > 7 else f"{text}-01")


def xlsx_money_format(currency_code: str | None = None) -> str:
    """`#,##0.00 "EUR"`: the currency's digits, its code as a literal."""
    code = currency_code or currency()
    places = get_currency_precision(code)
    digits = "." + "0" * places if places else ""
    return f'#,##0{digits} "{code}"'


# Retention shading: white to this blue as the share goes from 0 to 1.
SHADE_RGB = (30, 64, 175)


def shade(fraction: Any) -> tuple[str, str]:
    """(background, text colour) of a cell shaded by a share from 0 to 1: the background's
    intensity follows the share, the text is black or white, whichever contrasts more
    (WCAG relative luminance; the better of the two is always at least 4.5:1)."""
    share = min(max(_decimal(fraction) or Decimal(0), Decimal(0)), Decimal(1))
    rgb = [round(255 - float(share) * (255 - channel)) for channel in SHADE_RGB]
    luminance = _luminance(rgb)
    on_black = (luminance + 0.05) / 0.05
    on_white = 1.05 / (luminance + 0.05)
    return "#" + "".join(
        f"{channel:02x}" for channel in rgb
    ), "#000000" if on_black >= on_white else "#ffffff"


def _luminance(rgb: list[int]) -> float:
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(channel) for channel in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(background: str, text: str) -> float:
    """The WCAG contrast ratio of two #rrggbb colours."""
    lighter, darker = sorted(
        (_luminance([int(colour[i : i + 2], 16) for i in (1, 3, 5)]) for colour in (background, text)),
        reverse=True,
    )
    return (lighter + 0.05) / (darker + 0.05)
