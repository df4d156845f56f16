"""Targets against their actuals, as of a day."""

from dataclasses import replace
from typing import Any

from analytics.forms import TargetsForm
from analytics.selectors.targets import target_progress, targets_list
from salesbackend import formatting

from .base import Column, Report, Table

MONEY_METRICS = frozenset({"revenue", "profit"})


class TargetsReport(Report):
    question = "targets"
    table_name = "targets"
    title = "Targets"
    form_class = TargetsForm
    columns = (
        Column("id", "Id", kind="integer", on_page=False),
        Column("name", "Name"),
        Column("metric", "Metric", kind="words"),
        Column("start", "From", kind="date", on_page=False),  # the page prints the span in one column
        Column("end", "To", kind="date", on_page=False),
        Column("span", "Span"),
        Column("channel", "Channel", on_page=False),  # the page says both in words under "For"
        Column("category", "Category", on_page=False),
        Column("scope", "For"),
        Column("amount", "Target", kind="money"),
        Column("actual", "Actual", kind="money"),
        Column("attainment", "Attained", kind="percent"),
        # Pace says it on the page (which stays one screen wide); the downloads keep it.
        Column("expected", "Expected by now", kind="money", on_page=False),
        Column("pace", "Pace", kind="percent"),
        Column("projected", "Projected", kind="money"),
    )

    def answer(self) -> list[dict[str, Any]]:
        # Not cached: the cache follows the sales ledger, and a target's edit does not move it.
        # The queries are bounded however many targets there are (see selectors.targets).
        return self.compute()

    def compute(self) -> list[dict[str, Any]]:
        return target_progress(targets=targets_list(), as_of=self.data["as_of"])

    def rows(self, answer: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {
                **row,
                "span": f"{formatting.business_date(row['start'])} to {formatting.business_date(row['end'])}",
                "scope": _scope(row),
            }
            for row in answer
        ]

    def table(self, answer: Any) -> Table:
        """Orders and units targets are counts (expected and projected with two decimals)."""
        table = super().table(answer)
        metric = [column.key for column in self.columns].index("metric")
        counts = {"amount": "count", "actual": "count", "expected": "number", "projected": "number"}
        kinds = tuple({} if row[metric] in MONEY_METRICS else counts for row in table.rows)
        return replace(table, row_kinds=kinds)


def _scope(row: dict[str, Any]) -> str:
    """What a target counts, in words: "All sales", "Web shop", "Books", "Web shop, Books"."""
    names = [name for name in (row["channel_name"], row["category_name"]) if name]
    return ", ".join(names) or "All sales"
