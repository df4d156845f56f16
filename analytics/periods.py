"""Relative periods (`period=`), resolved to inclusive days of the business (SALES_TIME_ZONE) in
one place, so a saved or e-mailed report always covers the same kind of span."""

from datetime import date, timedelta

PERIODS = (
    "today",
    "yesterday",
    "last_7_days",
    "last_30_days",
    "month_to_date",
    "previous_month",
    "quarter_to_date",
    "year_to_date",
    "previous_year",
)


def period_dates(name: str, today: date) -> tuple[date, date]:
    """The first and last day (inclusive) of the period `name` as seen on `today`."""
    if name == "today":
        return today, today
    if name == "yesterday":
        return today - timedelta(days=1), today - timedelta(days=1)
    if name == "last_7_days":
        return today - timedelta(days=6), today
    if name == "last_30_days":
        return today - timedelta(days=29), today
    if name == "month_to_date":
        return today.replace(day=1), today
    if name == "previous_month":
        last = today.replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    if name == "quarter_to_date":
        return date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today
    if name == "year_to_date":
        return date(today.year, 1, 1), today
    if name == "previous_year":
        return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    raise ValueError(f"Unknown period {name!r}.")
