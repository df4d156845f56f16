"""The sales ledger: every sale (payment) and reversal (refund, cancellation after payment) as
append-only `SalesRecord` rows, built by `rows`, written by `append` with the exact rollups
(`rollups`) in the same transaction, the `version` that analytics cache keys carry, and its monthly
`partitions` on PostgreSQL.

Order services write through `sales_ledger_append`; analytics read the models and the version.
"""

from .append import sales_ledger_append
from .partitions import sales_ledger_default_rows, sales_ledger_is_partitioned, sales_ledger_partitions_ensure
from .rollups import (
    SALES_ROLLUP_COLUMNS,
    sales_rollup_differences,
    sales_rollup_fill,
    sales_rollup_rebuild,
    sales_rollup_rows,
    sales_rollup_verify,
    sales_rollup_zone,
)
from .rows import SALE_FIELDS, Row, SoldLine, refund_rows, reversal_rows, sale_rows, sold_line
from .version import SALES_LEDGER_VERSION_KEY, sales_ledger_version

__all__ = [
    "SALES_LEDGER_VERSION_KEY",
    "SALES_ROLLUP_COLUMNS",
    "SALE_FIELDS",
    "Row",
    "SoldLine",
    "refund_rows",
    "reversal_rows",
    "sale_rows",
    "sales_ledger_append",
    "sales_ledger_default_rows",
    "sales_ledger_is_partitioned",
    "sales_ledger_partitions_ensure",
    "sales_ledger_version",
    "sales_rollup_differences",
    "sales_rollup_fill",
    "sales_rollup_rebuild",
    "sales_rollup_rows",
    "sales_rollup_verify",
    "sales_rollup_zone",
    "sold_line",
]
