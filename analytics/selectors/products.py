"""Per product: best and lowest sellers, the leaders of each category, ABC analysis."""

from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    F,
    FilteredRelation,
    Q,
    QuerySet,
    RowRange,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce, Rank

from analytics.results import AbcProduct, CategoryLeader, ProductRank
from catalog.models import Category, Product, ProductStatus
from orders.models import ProductSales

from .common import ZERO, SalesFilters, WindowSum, _ratio, money
from .sources import _condition, _rows

RANKING_METRICS = ("revenue", "units")


def _product_totals(filters: SalesFilters, *, with_unsold: bool) -> QuerySet:
    """Per product: net revenue, cost and units in the window (`values` rows). Starts from the
    catalog and LEFT JOINs the window's ProductSales rows (FilteredRelation), which answer every
    product question exactly; `with_unsold` also lists the active products (in the category
    filter) that sold nothing at all."""
    zero_money = Value(ZERO, output_field=DecimalField(max_digits=16, decimal_places=2))
    products = Product.objects.annotate(
        window_sales=FilteredRelation(
            "rollup_sales", condition=_condition(ProductSales, filters, "rollup_sales__")
        )
    ).order_by()
    if filters.product_id is not None:
        products = products.filter(pk=filters.product_id)
    listed = Q(rollup_rows__gt=0)  # a sale or a reversal in the window
    if with_unsold:
        unsold_but_listed = Q(status=ProductStatus.ACTIVE)
        if filters.category_ids is not None:
            unsold_but_listed &= Q(category_id__in=filters.category_ids)
        listed |= unsold_but_listed
    return (
        products.values("id", "sku", "name", "status")
        .annotate(
            # the product's ProductSales rows (days and whole months) in the window
            rollup_rows=Count("window_sales"),
            net_revenue=Coalesce(Sum("window_sales__revenue"), zero_money),
            net_cost=Coalesce(Sum("window_sales__cost"), zero_money),
            net_units=Coalesce(Sum("window_sales__quantity"), 0),
        )
        .filter(listed)
    )


def _product_ranking(*, filters: SalesFilters, by: str, limit: int, lowest_first: bool) -> list[ProductRank]:
    """Products ranked by net revenue or units in the window.

    Starts from the catalog and LEFT JOINs the window's sales (FilteredRelation), so the
    lowest sellers include active products that sold nothing at all.
    """
    metric = F("net_revenue" if by == "revenue" else "net_units")
    rows = (
        _product_totals(filters, with_unsold=lowest_first)
        .annotate(
            total_revenue=Window(WindowSum("net_revenue")),
            rank=Window(Rank(), order_by=metric.asc() if lowest_first else metric.desc()),
        )
        .order_by("rank", "sku")[:limit]
    )
    ranking = []
    for row in rows:
        revenue = money(row["net_revenue"])
        ranking.append(
            ProductRank(
                rank=row["rank"],
                product=row["id"],
                sku=row["sku"],
                name=row["name"],
                units=row["net_units"],
                revenue=revenue,
                profit=revenue - money(row["net_cost"]),
                share=_ratio(revenue, money(row["total_revenue"])),
            )
        )
    return ranking


def top_products(*, filters: SalesFilters, by: str = "revenue", limit: int = 10) -> list[ProductRank]:
    """Best sellers: RANK() by `by` descending (ties share a rank: 1, 1, 3), share of the total."""
    return _product_ranking(filters=filters, by=by, limit=limit, lowest_first=False)


def bottom_products(*, filters: SalesFilters, by: str = "revenue", limit: int = 10) -> list[ProductRank]:
    """Lowest sellers, rank 1 the lowest, including active products without a sale in the window."""
    return _product_ranking(filters=filters, by=by, limit=limit, lowest_first=True)


def category_leaders(*, filters: SalesFilters, limit: int = 3) -> list[CategoryLeader]:
    """The top `limit` products by revenue inside each category (ties included).

    RANK() OVER (PARTITION BY category ORDER BY revenue DESC), filtered on the rank;
    Django (>= 4.2) wraps the windowed query in a subquery to filter on it.
    """
    rows = list(
        _rows(ProductSales, filters)
        .values("category_id", "product_id")
        .annotate(net_revenue=Sum("revenue"), net_units=Sum("quantity"))
        .annotate(rank=Window(Rank(), partition_by=F("category_id"), order_by=F("net_revenue").desc()))
        .filter(rank__lte=limit)
        .order_by("category_id", "rank", "product_id")
    )
    categories = Category.objects.in_bulk([row["category_id"] for row in rows if row["category_id"]])
    products = Product.objects.only("sku", "name").in_bulk([row["product_id"] for row in rows])
    result = []
    for row in rows:
        category, product = categories.get(row["category_id"]), products[row["product_id"]]
        result.append(
            CategoryLeader(
                category=category.slug if category else None,
                category_name=category.name if category else "Uncategorised",
                rank=row["rank"],
                product=product.pk,
                sku=product.sku,
                name=product.name,
                revenue=money(row["net_revenue"]),
                units=row["net_units"],
            )
        )
    result.sort(
        key=lambda leader: (
            leader["category"] is None,
            leader["category_name"],
            leader["rank"],
            leader["sku"],
        )
    )
    return result


ABC_METRICS = ("revenue", "profit", "units")
# Class A carries the first 80 % of the value, B the next 15 %, C the rest and the zero sellers.
ABC_LIMITS = ((Decimal("0.80"), "A"), (Decimal("0.95"), "B"))


def abc_analysis(*, filters: SalesFilters, by: str = "revenue") -> list[AbcProduct]:
    """Every active product (and any other that sold in the window) by its value, with its
    share and the cumulative share: SUM(value) OVER (ORDER BY value DESC ROWS UNBOUNDED
    PRECEDING) divided by the total. Up to 80 % cumulative is A, up to 95 % B, the rest C;
    a product that brought nothing (or less) is C."""
    value = {
        "revenue": F("net_revenue"),
        "profit": F("net_revenue") - F("net_cost"),
        "units": F("net_units"),
    }[by]
    in_value_order = [F("value").desc(), F("sku").asc()]
    rows = (
        _product_totals(filters, with_unsold=True)
        .annotate(value=value)
        .annotate(
            total=Window(WindowSum("value")),
            cumulative=Window(WindowSum("value"), order_by=in_value_order, frame=RowRange(start=None, end=0)),
            rank=Window(Rank(), order_by=F("value").desc()),
        )
        .order_by("rank", "sku")
    )
    result = []
    for row in rows:
        amount, total = Decimal(row["value"]), Decimal(row["total"] or 0)
        cumulative_share = _ratio(Decimal(row["cumulative"]), total) if total > 0 else None
        grade = "C"
        if amount > 0 and cumulative_share is not None:
            grade = next((name for limit, name in ABC_LIMITS if cumulative_share <= limit), "C")
        product: AbcProduct = {
            "rank": row["rank"],
            "product": row["id"],
            "sku": row["sku"],
            "name": row["name"],
            "value": money(amount),
            "share": _ratio(amount, total) if total > 0 else None,
            "cumulative_share": cumulative_share,
            "class": grade,
        }
        result.append(product)
    return result
