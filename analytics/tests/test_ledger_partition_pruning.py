"""On PostgreSQL the sales ledger is partitioned by month: a dated question reads only the
partitions of its dates (the plan shows the others pruned), and answers the same."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analytics.selectors import LineFilters, SalesFilters, sales_line_totals, sales_lines
from orders.ledger import sales_ledger_default_rows, sales_ledger_partitions_ensure

from .conftest import at

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="partitioned tables are PostgreSQL's"),
]


def test_a_dated_lines_query_reads_only_its_months_partition(ledger):
    sales_ledger_partitions_ensure(since=at("2026-01-01"), now=at("2026-03-01"))  # moves the rows
    assert sales_ledger_default_rows() == 0
    march = LineFilters(SalesFilters(start=date(2026, 3, 1), end=date(2026, 3, 31)))

    with CaptureQueriesContext(connection) as queries:
        lines = sales_lines(filters=march)  # the page reads the ledger (the totals, a rollup)
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {queries.captured_queries[-1]['sql']}")
        plan = "\n".join(line for (line,) in cursor.fetchall())

    # The ledger fixture's March: O3's two lines, O4's sale and reversal, O5's line.
    assert len(lines) == 5
    assert (sum(line["quantity"] for line in lines), sum(line["revenue"] for line in lines)) == (
        4,
        Decimal("220.00"),
    )
    assert sales_line_totals(filters=march)[0] == 5
    assert set(re.findall(r"orders_salesrecord_\w+", plan)) <= {
        "orders_salesrecord_y2026m03",
        *re.findall(r"orders_salesrecord_y2026m03_\w+", plan),  # its indexes
    }
    assert "orders_salesrecord_y2026m03" in plan
    assert "orders_salesrecord_y2026m01" not in plan and "orders_salesrecord_default" not in plan
