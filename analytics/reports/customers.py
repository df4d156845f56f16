"""Reports of customers: new and returning, cohorts, RFM."""

from typing import Any

from analytics.cache import cached_answer
from analytics.forms import RevenueForm, RfmForm
from analytics.results import Cohort, CustomerPeriod, Rfm
from analytics.selectors import (
    CustomerMonths,
    customer_cohorts,
    customer_months,
    customer_rfm,
    customer_summary,
)

from .base import Column, Report, Table


class CustomerMonthsReport(Report):
    """A customers report that reads the cohort counts: computed and cached once for the
    cohort table and new vs returning by month, which one page shows together."""

    def customer_months(self) -> CustomerMonths:
        return cached_answer(
            "customer-months",
            {"filters": self.filters.as_key()},
            lambda: customer_months(filters=self.filters),
        )


class CustomerSummaryReport(CustomerMonthsReport):
    question = "customers-summary"
    table_name = "customers"
    title = "New and returning customers"
    form_class = RevenueForm
    columns = (
        Column("period", "Period", kind="date"),
        Column("customers", "Customers", kind="count"),
        Column("new", "New", kind="count"),
        Column("returning", "Returning", kind="count"),
        Column("repeat_rate", "Repeat rate", kind="percent"),
        Column("revenue_per_customer", "Revenue per customer", kind="money"),
    )

    def params(self) -> dict[str, Any]:
        return {"group_by": self.data["group_by"]}

    def compute(self) -> list[CustomerPeriod]:
        return customer_summary(filters=self.filters, months=self.customer_months, **self.params())


class CohortReport(CustomerMonthsReport):
    question = "customers-cohorts"
    table_name = "cohorts"
    title = "Customer cohorts"
    columns = (
        Column("cohort", "Cohort", kind="month"),
        Column("customers", "Customers", kind="count"),
        Column("retention", "Retention"),  # one column per month since, in the table
    )

    def compute(self) -> list[Cohort]:
        return customer_cohorts(filters=self.filters, months=self.customer_months)

    def table(self, answer: list[Cohort]) -> Table:
        """A cohort per row, then the share of it buying in each month since (+0 is its own)."""
        months = max((len(cohort["retention"]) for cohort in answer), default=0)
        offsets = tuple(Column(f"month_{offset}", f"+{offset}", kind="retention") for offset in range(months))
        return Table(
            title=self.title,
            name=self.table_name,
            columns=(*self.columns[:2], *offsets),
            rows=[
                [
                    cohort["cohort"],
                    cohort["customers"],
                    *(month["share"] for month in cohort["retention"]),
                    *([None] * (months - len(cohort["retention"]))),
                ]
                for cohort in answer
            ],
        )


class RfmReport(Report):
    """The RFM answer; its page shows two tables of it (customers here, segments below)."""

    question = "customers-rfm"
    table_name = "rfm"
    title = "Customers by RFM score"
    form_class = RfmForm
    columns = (
        Column("customer", "Customer id", kind="integer"),
        Column("email", "E-mail"),
        Column("recency_days", "Days since last order", kind="count"),
        Column("orders", "Orders", kind="count"),
        Column("revenue", "Revenue", kind="money"),
        Column("r", "R", kind="integer"),
        Column("f", "F", kind="integer"),
        Column("m", "M", kind="integer"),
        Column("segment", "Segment", kind="words"),
    )

    def params(self) -> dict[str, Any]:
        return {name: self.data[name] for name in ("as_of", "segment", "page", "page_size")}

    def compute(self) -> Rfm:
        return customer_rfm(filters=self.filters, **self.params())

    def rows(self, answer: Rfm) -> list[Any]:
        return answer["customers"]


class RfmSegmentReport(RfmReport):
    table_name = "segments"
    title = "RFM segments"
    columns = (
        Column("segment", "Segment", kind="words"),
        Column("customers", "Customers", kind="count"),
        Column("revenue", "Revenue", kind="money"),
        Column("share", "Share", kind="percent"),
    )

    def rows(self, answer: Rfm) -> list[Any]:
        return answer["segments"]
