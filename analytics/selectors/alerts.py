"""Threshold alerts' values: each alert's metric over its relative period as seen on a day,
with its channel and category, computed like the summary (`measures_total`), all the alerts
in a bounded number of queries.

- revenue, orders: net, as `summary/`;
- margin: (revenue - cost) / revenue, a fraction; None without revenue;
- average_order_value: revenue / net orders; None without orders (nothing to judge);
- refund_rate: the revenue the ledger's reversal rows gave back (refunds and cancellations
  after payment) / the revenue of its sale rows, both dated in the period; None without sales.
"""

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from analytics.models import AlertMetric, ReportAlert
from analytics.periods import period_dates

from .common import _ratio, money
from .targets import Measure, measures_total, target_filters

# The measures each metric is computed from.
INPUTS = {
    AlertMetric.REVENUE: ("revenue",),
    AlertMetric.ORDERS: ("orders",),
    AlertMetric.MARGIN: ("revenue", "cost"),
    AlertMetric.AVERAGE_ORDER_VALUE: ("revenue", "orders"),
    AlertMetric.REFUND_RATE: ("refunded", "sold"),
}


def alert_period(alert: ReportAlert, today: date) -> tuple[date, date]:
    return period_dates(alert.period, today)


def alert_values(*, alerts: Sequence[ReportAlert], today: date) -> list[Decimal | None]:
    """Each alert's value on `today`, in order: money to the cent, orders whole, fractions to
    4 places; None where the metric has nothing to divide by."""
    measures: list[Measure] = []
    spans: list[tuple[int, int]] = []  # each alert's first measure and how many
    for alert in alerts:
        filters = target_filters(alert, *alert_period(alert, today))
        inputs = INPUTS[AlertMetric(alert.metric)]
        spans.append((len(measures), len(inputs)))
        measures.extend(Measure(name, filters) for name in inputs)
    totals = measures_total(measures)
    values = []
    for alert, (at, count) in zip(alerts, spans, strict=True):
        values.append(_value(alert.metric, [Decimal(total) for total in totals[at : at + count]]))
    return values


def _value(metric: str, inputs: list[Decimal]) -> Decimal | None:
    if metric in (AlertMetric.REVENUE, AlertMetric.ORDERS):
        return inputs[0]
    if metric == AlertMetric.MARGIN:
        revenue, cost = inputs
        return _ratio(revenue - cost, revenue)
    if metric == AlertMetric.AVERAGE_ORDER_VALUE:
        revenue, orders = inputs
        return money(revenue / orders) if orders else None
    refunded, sold = inputs
    return _ratio(refunded, sold)
