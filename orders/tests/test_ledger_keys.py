"""Ledger ids stay unique across the monthly partitions (PostgreSQL): every id is also written,
by a trigger in the same statement, to the unpartitioned `SalesLedgerKey`, whose primary key
refuses a second one, whichever month's partition the second row would go to."""

import pytest
from django.db import IntegrityError, connection, transaction

from catalog.tests.factories import CategoryFactory, ProductFactory
from orders.models import OrderStatus, SalesLedgerKey, SalesRecord
from orders.services import order_set_status
from orders.tests.factories import place_order

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="partitioned tables are PostgreSQL's"),
    pytest.mark.django_db,
]


@pytest.fixture
def paid(customer, salesperson):
    product = ProductFactory(category=CategoryFactory(), stock=10)
    order = place_order(customer=customer, products={product: 2})
    order_set_status(order=order, to_status=OrderStatus.PAID, actor=salesperson)
    return order


def test_every_ledger_id_has_its_key(paid, salesperson):
    order_set_status(order=paid, to_status=OrderStatus.CANCELLED, actor=salesperson)  # a reversal too

    ids = set(SalesRecord.objects.values_list("id", flat=True))
    assert len(ids) == 2
    assert set(SalesLedgerKey.objects.values_list("id", flat=True)) == ids


def test_an_id_written_again_in_another_months_partition_is_refused(paid):
    sale = SalesRecord.objects.get(order=paid)
    columns = [field.column for field in SalesRecord._meta.concrete_fields]
    selected = ", ".join(
        "sold_at - interval '40 days'" if column == "sold_at" else column for column in columns
    )

    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO orders_salesrecord ({', '.join(columns)}) "
            f"SELECT {selected} FROM orders_salesrecord WHERE id = %s",
            [sale.pk],
        )

    assert list(SalesRecord.objects.values_list("id", flat=True)) == [sale.pk]
