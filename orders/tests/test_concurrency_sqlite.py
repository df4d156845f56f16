"""The embedded default (SQLite) under parallel writers: they wait their turn, none fails."""

from collections import Counter

import pytest
from django.db import connection

from accounts.tests.factories import CustomerFactory
from conftest import client_for
from inventory.models import Stock
from orders.models import Order
from orders.tests.test_concurrency import _assert_ledger_matches_stock, _body, _in_parallel, _poster, _product

pytestmark = [
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's single writer lock"),
    pytest.mark.django_db(transaction=True),
]


def test_parallel_orders_on_sqlite_wait_for_the_write_lock_instead_of_failing():
    product = _product(stock=5)
    clients = [client_for(CustomerFactory()) for _ in range(6)]

    results = _in_parallel([_poster(client, _body((product, 1))) for client in clients] * 2)

    assert Counter(code for code, _ in results) == {201: 5, 409: 7}
    assert Order.objects.count() == 5
    assert Stock.objects.get(product=product).quantity == 0
    _assert_ledger_matches_stock(product)
