"""Which table answers: the rollups wherever they are exact, the ledger only where needed."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analytics.selectors import (
    SalesFilters,
    category_leaders,
    revenue_over_time,
    sales_by_channel,
    sales_compare,
    sales_summary,
    top_products,
)
from catalog.selectors import category_descendant_ids

pytestmark = pytest.mark.django_db

LEDGER = "orders_salesrecord"


def tables_read(call) -> set[str]:
    with CaptureQueriesContext(connection) as queries:
        call()
    sql = " ".join(query["sql"] for query in queries)
    tables = ("orders_salesrecord", "orders_dailysales", "orders_productsales", "orders_dailyorders")
    return {table for table in (*tables, "orders_dailycustomers") if table in sql}


def test_without_a_category_or_product_filter_nothing_reads_the_ledger(ledger):
    window = SalesFilters(start=date(2026, 1, 10), end=date(2026, 3, 22))
    calls = [
        lambda: sales_summary(filters=window),
        lambda: revenue_over_time(filters=window, group_by="week"),
        lambda: sales_by_channel(filters=window),
        lambda: sales_compare(filters=window, period1=window_days(1), period2=window_days(3)),
        lambda: top_products(filters=window),
        lambda: category_leaders(filters=window),
    ]

    read = [tables_read(call) for call in calls]

    assert all(LEDGER not in tables for tables in read)
    assert read[0] == {"orders_dailysales", "orders_dailyorders", "orders_dailycustomers"}
    assert read[4] == read[5] == {"orders_productsales"}


def window_days(month: int) -> tuple[date, date]:
    return date(2026, month, 3), date(2026, month, 17)


def test_a_category_filter_reads_only_order_and_customer_counts_from_the_ledger(ledger):
    books = SalesFilters(category_ids=tuple(sorted(category_descendant_ids(category=ledger.category.books))))

    with CaptureQueriesContext(connection) as queries:
        summary = sales_summary(filters=books)

    ledger_queries = [query["sql"] for query in queries if LEDGER in query["sql"]]
    assert len(ledger_queries) == 1
    assert "SUM(" not in ledger_queries[0].upper()  # money came from DailySales
    # O1, O2, O4 (then reversed) and O5 have books; customers X, Y and Z bought them
    assert (summary["revenue"], summary["orders"], summary["customers"]) == (100, 3, 3)


def test_a_product_filter_reads_the_ledger_except_for_rankings(ledger):
    phone = SalesFilters(product_id=ledger.product.A.pk)

    assert LEDGER in tables_read(lambda: sales_summary(filters=phone))
    assert tables_read(lambda: top_products(filters=phone)) == {"orders_productsales"}
