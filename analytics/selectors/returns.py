"""Returns per product (units received back against units sold) and per reason."""

from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum

from analytics.results import ProductReturns, ReturnReason
from orders.models import ReturnLine, ReturnStatus, SalesRecord

from .common import SalesFilters, _day_start, _ratio
from .sources import SOLD, _rows

RECEIVED = (ReturnStatus.RECEIVED, ReturnStatus.REFUNDED)


def _received_lines(filters: SalesFilters):
    """Return lines with units received back, dated by the return's receipt (its history entry),
    under the common filters: the product's category now, the order's channel."""
    condition = Q(
        received__gt=0,
        return_request__status__in=RECEIVED,
        return_request__history__to_status=ReturnStatus.RECEIVED,
    )
    if filters.start:
        condition &= Q(return_request__history__created_at__gte=_day_start(filters.start))
    if filters.end:
        condition &= Q(return_request__history__created_at__lt=_day_start(filters.end + timedelta(days=1)))
    if filters.category_ids is not None:
        condition &= Q(product__category_id__in=filters.category_ids)
    if filters.channel_id is not None:
        condition &= Q(return_request__order__channel_id=filters.channel_id)
    if filters.product_id is not None:
        condition &= Q(product_id=filters.product_id)
    return ReturnLine.objects.filter(condition).order_by()


def product_returns(*, filters: SalesFilters) -> list[ProductReturns]:
    """Per product with units received back in the window: `units_sold` (units sold in the
    window, before refunds: a refund of a returned unit must not shrink what it is a share of),
    `units_returned`, `rate` = returned / sold (4 places, null without sales) and `top_reason`
    (the reason of most of its returns; ties by name). Highest rate first."""
    lines = _received_lines(filters)
    returned: dict[int, int] = {}
    skus: dict[int, str] = {}
    reasons: dict[int, Counter[str]] = defaultdict(Counter)
    for row in lines.values("product_id", "sku", "return_request__reason").annotate(
        units=Sum("received"), returns=Count("id")
    ):
        product = row["product_id"]
        returned[product] = returned.get(product, 0) + row["units"]
        skus.setdefault(product, row["sku"])
        reasons[product][row["return_request__reason"]] += row["returns"]
    if not returned:
        return []
    sold = dict(
        _rows(SalesRecord, filters)
        .filter(SOLD, product_id__in=list(returned))
        .values("product_id")
        .annotate(units=Sum("quantity"))
        .values_list("product_id", "units")
    )
    answer = [
        ProductReturns(
            product=product,
            sku=skus[product],
            units_sold=sold.get(product, 0),
            units_returned=units,
            rate=_ratio(Decimal(units), Decimal(sold[product])) if sold.get(product) else None,
            top_reason=min(reasons[product].items(), key=lambda item: (-item[1], item[0]))[0],
        )
        for product, units in returned.items()
    ]
    # highest rate first, products without sales in the window last
    answer.sort(
        key=lambda row: (row["rate"] is None, -(row["rate"] or 0), -row["units_returned"], row["sku"])
    )
    return answer


def return_reasons(*, filters: SalesFilters) -> list[ReturnReason]:
    """Per reason, the return lines received back in the window and their units, with each
    reason's share of the units; most units first."""
    rows = list(
        _received_lines(filters)
        .values("return_request__reason")
        .annotate(returns=Count("id"), units=Sum("received"))
        .order_by("-units", "return_request__reason")
    )
    total = Decimal(sum(row["units"] for row in rows))
    return [
        ReturnReason(
            reason=row["return_request__reason"],
            returns=row["returns"],
            units_returned=row["units"],
            share=_ratio(Decimal(row["units"]), total),
        )
        for row in rows
    ]
