"""Reports per product: best and lowest sellers, category leaders, ABC, inventory."""

from typing import Any

from analytics.forms import AbcForm, CategoryLeadersForm, InventoryForm, ProductRankingForm
from analytics.results import AbcProduct, InventoryProduct
from analytics.selectors import (
    abc_analysis,
    bottom_products,
    category_leaders,
    inventory_insight,
    top_products,
)

from .base import Column, Report

PRODUCT_COLUMNS = (
    Column("rank", "Rank", numeric=True),
    Column("product", "Product id", numeric=True),
    Column("sku", "SKU"),
    Column("name", "Name"),
    Column("units", "Units", numeric=True),
    Column("revenue", "Revenue", numeric=True),
    Column("profit", "Profit", numeric=True),
    Column("share", "Share", numeric=True),
)


class TopProductsReport(Report):
    question = "top-products"
    table_name = "top"
    title = "Top sellers"
    form_class = ProductRankingForm
    columns = PRODUCT_COLUMNS

    def params(self) -> dict[str, Any]:
        return {"by": self.data["by"], "limit": self.data["limit"]}

    def compute(self) -> list[dict[str, Any]]:
        return top_products(filters=self.filters, **self.params())


class BottomProductsReport(TopProductsReport):
    question = "bottom-products"
    table_name = "bottom"
    title = "Lowest sellers (including active products without sales)"
    reads_catalog = True

    def compute(self) -> list[dict[str, Any]]:
        return bottom_products(filters=self.filters, **self.params())


class CategoryLeadersReport(Report):
    question = "category-leaders"
    table_name = "leaders"
    title = "Best sellers in each category"
    form_class = CategoryLeadersForm
    columns = (
        Column("category", "Category"),
        Column("category_name", "Category name"),
        Column("rank", "Rank", numeric=True),
        Column("product", "Product id", numeric=True),
        Column("sku", "SKU"),
        Column("name", "Name"),
        Column("revenue", "Revenue", numeric=True),
        Column("units", "Units", numeric=True),
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
        Column("rank", "Rank", numeric=True),
        Column("product", "Product id", numeric=True),
        Column("sku", "SKU"),
        Column("name", "Name"),
        Column("value", "Value", numeric=True),
        Column("share", "Share", numeric=True),
        Column("cumulative_share", "Cumulative share", numeric=True),
        Column("class", "Class"),
    )
    reads_catalog = True  # active products that sold nothing are listed too

    def params(self) -> dict[str, Any]:
        return {"by": self.data["by"]}

    def compute(self) -> list[AbcProduct]:
        return abc_analysis(filters=self.filters, **self.params())


class InventoryReport(Report):
    question = "inventory"
    table_name = "inventory"
    title = "Inventory: what to reorder"
    form_class = InventoryForm
    columns = (
        Column("product", "Product id", numeric=True),
        Column("sku", "SKU"),
        Column("name", "Name"),
        Column("stock", "Stock", numeric=True),
        Column("units_per_day", "Units per day", numeric=True),
        Column("days_of_cover", "Days of cover", numeric=True),
        Column("reorder_point", "Reorder point", numeric=True),
        Column("suggested_order", "Suggested order", numeric=True),
        Column("state", "State"),
    )
    reads_catalog = True  # stock and the catalog move without a sale

    def params(self) -> dict[str, Any]:
        return {name: self.data[name] for name in ("window_days", "lead_days", "safety_days", "state")}

    def compute(self) -> list[InventoryProduct]:
        return inventory_insight(filters=self.filters, **self.params())
