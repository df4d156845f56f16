"""The analytics answers have one shape each (analytics.results): the JSON serializers and the
report tables (and so the CSV files) name exactly those keys, so a rename shows up here and in
the type checker, not in a customer's spreadsheet."""

import pytest

from analytics import reports, results, serializers

TABLES = [
    (reports.TopProductsReport, results.ProductRank),
    (reports.BottomProductsReport, results.ProductRank),
    (reports.RevenueReport, results.RevenuePeriod),
    (reports.CategoryReport, results.CategorySales),
    (reports.CategoryLeadersReport, results.CategoryLeader),
    (reports.ChannelReport, results.ChannelSales),
    (reports.DiscountCodeReport, results.DiscountCodeSales),
    (reports.AbcReport, results.AbcProduct),
    (reports.InventoryReport, results.InventoryProduct),
    (reports.ReturnsReport, results.ProductReturns),
    (reports.ReturnReasonsReport, results.ReturnReason),
    (reports.CustomerSummaryReport, results.CustomerPeriod),
    (reports.RfmReport, results.RfmCustomer),
    (reports.RfmSegmentReport, results.RfmSegment),
]
SERIALIZERS = [
    (serializers.SummarySerializer, results.ComparedSummary),
    (serializers.ProductRankSerializer, results.ComparedProductRank),
    (serializers.RevenuePeriodSerializer, results.ComparedRevenuePeriod),
    (serializers.PeriodTotalsSerializer, results.PeriodTotals),
    (serializers.CompareSerializer, results.Comparison),
    (serializers.CategorySalesSerializer, results.ComparedCategorySales),
    (serializers.ChannelSalesSerializer, results.ComparedChannelSales),
    (serializers.CategoryLeaderSerializer, results.CategoryLeader),
    (serializers.DiscountCodeSalesSerializer, results.ComparedDiscountCodeSales),
    (serializers.AbcProductSerializer, results.AbcProduct),
    (serializers.InventoryProductSerializer, results.InventoryProduct),
    (serializers.ProductReturnsSerializer, results.ProductReturns),
    (serializers.CustomerPeriodSerializer, results.CustomerPeriod),
    (serializers.RfmSerializer, results.Rfm),
    (serializers.RfmSegmentSerializer, results.RfmSegment),
    (serializers.RfmCustomerSerializer, results.RfmCustomer),
    (serializers.CohortSerializer, results.Cohort),
    (serializers.CohortMonthSerializer, results.CohortMonth),
]


@pytest.mark.parametrize(("report", "shape"), TABLES)
def test_report_tables_show_the_answers_keys_in_order(report, shape):
    """In the downloads, that is: a page may add a column of its own (a change read in percent)."""
    assert [column.key for column in report.columns if column.downloaded] == list(shape.__annotations__)


@pytest.mark.parametrize(("serializer", "shape"), SERIALIZERS)
def test_serializers_name_exactly_the_answers_keys(serializer, shape):
    assert set(serializer().fields) == set(shape.__annotations__)


COMPARED_TABLES = [
    (reports.TopProductsReport, results.ComparedProductRank),
    (reports.BottomProductsReport, results.ComparedProductRank),
    (reports.RevenueReport, results.ComparedRevenuePeriod),
    (reports.CategoryReport, results.ComparedCategorySales),
    (reports.ChannelReport, results.ComparedChannelSales),
    (reports.DiscountCodeReport, results.ComparedDiscountCodeSales),
]


@pytest.mark.parametrize(("report", "shape"), COMPARED_TABLES)
def test_compared_tables_add_the_comparisons_keys_last(report, shape):
    keys = [column.key for column in (*report.columns, *report.comparison_columns) if column.downloaded]
    assert keys == list(shape.__annotations__)
