"""Reports per product: best and lowest sellers, category leaders, ABC, inventory, returns."""

from dataclasses import replace
from typing import Any

from analytics.forms import AbcForm, CategoryLeadersForm, InventoryForm, ProductRankingForm
from analytics.results import AbcProduct, InventoryProduct, LocationStockValue, ProductReturns, ReturnReason
from analytics.selectors import (
    abc_analysis,
    bottom_products,
    category_leaders,
    inventory_insight,
    previous_filters,
    previous_revenue_by_product,
    product_returns,
    return_reasons,
    stock_value_by_location,
    top_products,
    with_previous_revenue,
)

from .base import Column, Report, Table

PRODUCT_COLUMNS = (
    Column("rank", "Rank", kind="integer"),
    Column("product", "Product id", kind="integer", on_page=False),  # the SKU says it
    Column("sku", "SKU"),
    Column("name", "Name"),
    Column("units", "Units", kind="count"),
    Column("revenue", "Revenue", kind="money"),
    Column("profit", "Profit", kind="money"),
    Column("share", "Share", kind="percent"),
)


class TopProductsReport(Report):
    question = "top-products"
    table_name = "top"
    title = "Top sellers"
    form_class = ProductRankingForm
    columns = PRODUCT_COLUMNS
    compares = True

    def params(self) -> dict[str, Any]:
        return {"by": self.data["by"], "limit": self.data["limit"]}

    def compute(self) -> list[dict[str, Any]]:
        return self.compared(top_products(filters=self.filters, **self.params()))

    def compared(self, rows: list[Any]) -> list[dict[str, Any]]:
        """The ranking's rows with their earlier revenue (one query over those products)."""
        if not self.compare:
            return rows
        previous = previous_filters(self.filters, self.compare)
        only = [row["product"] for row in rows]
        return with_previous_revenue(
            rows, "product", previous_revenue_by_product(previous, only) if previous else None
        )


class BottomProductsReport(TopProductsReport):
    question = "bottom-products"
    table_name = "bottom"
    title = "Lowest sellers (including active products without sales)"
    reads_catalog = True

    def compute(self) -> list[dict[str, Any]]:
        return self.compared(bottom_products(filters=self.filters, **self.params()))


class CategoryLeadersReport(Report):
    question = "category-leaders"
    table_name = "leaders"
    title = "Best sellers in each category"
    form_class = CategoryLeadersForm
    columns = (
        Column("category", "Category key", on_page=False),  # the page shows the name
        Column("category_name", "Category"),
        Column("rank", "Rank", kind="integer"),
        Column("product", "Product id", kind="integer", on_page=False),  # the SKU says it
        Column("sku", "SKU"),
        Column("name", "Name"),
        Column("revenue", "Revenue", kind="money"),
        Column("units", "Units", kind="count"),
    )

    def params(self) -> dict[str, Any]:
        return {"limit": self.data["limit"]}

    def compute(self) -> list[dict[str, Any]]:
        return category_leaders(filters=self.filters, **self.params())


class AbcReport(Report):
    question = "abc"
    table_name = "abc"
    title = "ABC analysis"
    form_class = AbcForm
    columns = (
        Column("rank", "Rank", kind="integer"),
        Column("product", "Product id", kind="integer", on_page=False),  # the SKU says it
        Column("sku", "SKU"),
        Column("name", "Name"),
        Column("value", "Value", kind="money"),
        Column("share", "Share", kind="percent"),
        Column("cumulative_share", "Cumulative share", kind="percent"),
        Column("class", "Class"),
    )
    reads_catalog = True  # active products that sold nothing are listed too

    def params(self) -> dict[str, Any]:
        return {"by": self.data["by"]}

    def compute(self) -> list[AbcProduct]:
        return abc_analysis(filters=self.filters, **self.params())

    def table(self, answer: Any) -> Table:
        """The value is money, or a count when ranked by units."""
        table = super().table(answer)
        if self.data["by"] != "units":
            return table
        columns = tuple(
            replace(column, kind="count") if column.key == "value" else column for column in table.columns
        )
        return replace(table, columns=columns)


class InventoryReport(Report):
    question = "inventory"
    table_name = "inventory"
    title = "Inventory: what to reorder"
    form_class = InventoryForm
    columns = (
        Column("product", "Product id", kind="integer", on_page=False),  # the SKU says it
        Column("sku", "SKU"),
        Column("name", "Name"),
        Column("stock", "Stock", kind="count"),
        Column("units_per_day", "Units per day", kind="number"),
        Column("days_of_cover", "Days of cover", kind="number"),
        Column("reorder_point", "Reorder point", kind="count"),
        Column("suggested_order", "Suggested order", kind="count"),
        Column("state", "State", kind="words"),
    )
    reads_catalog = True  # stock and the catalog move without a sale

    def params(self) -> dict[str, Any]:
        names = ("window_days", "lead_days", "safety_days", "state", "location")
        return {name: self.data[name] for name in names}

    def compute(self) -> list[InventoryProduct]:
        return inventory_insight(filters=self.filters, **self.params())


class StockValueByLocationReport(Report):
    """On the inventory page (and its CSV) only: what each location holds, at cost."""

    question = "stock-value-by-location"
    table_name = "locations"
    title = "Stock value by location"
    columns = (
        Column("location", "Location code", on_page=False),  # the page shows the name
        Column("name", "Location"),
        Column("units", "Units", kind="count"),
        Column("value", "Value at cost", kind="money"),
    )
    reads_catalog = True  # stock moves without a sale

    def compute(self) -> list[LocationStockValue]:
        return stock_value_by_location(filters=self.filters)


class ReturnsReport(Report):
    question = "returns"
    table_name = "returns"
    title = "Return rate by product"
    columns = (
        Column("product", "Product id", kind="integer", on_page=False),  # the SKU says it
        Column("sku", "SKU"),
        Column("units_sold", "Units sold", kind="count"),
        Column("units_returned", "Units returned", kind="count"),
        Column("rate", "Return rate", kind="percent"),
        Column("top_reason", "Top reason", kind="words"),
    )
    reads_returns = True  # a receipt moves no ledger row

    def compute(self) -> list[ProductReturns]:
        return product_returns(filters=self.filters)


class ReturnReasonsReport(Report):
    """On the products page (and its CSV) only: the JSON API has the per-product answer."""

    question = "return-reasons"
    table_name = "reasons"
    title = "Returns by reason"
    columns = (
        Column("reason", "Reason", kind="words"),
        Column("returns", "Returns", kind="count"),
        Column("units_returned", "Units returned", kind="count"),
        Column("share", "Share of units", kind="percent"),
    )
    reads_returns = True

    def compute(self) -> list[ReturnReason]:
        return return_reasons(filters=self.filters)
