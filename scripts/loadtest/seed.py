"""Seed what `make loadtest` drives, through the same services as every other door.

A CEO and a customer, one category of 60 active products with deep stock, and a few paid orders
so top-products has something to rank. Prints the category slug and one product id as JSON.
"""

import json
import os
import sys
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesbackend.settings")

import django

django.setup()

from accounts.roles import Role  # noqa: E402
from accounts.services import user_create  # noqa: E402
from catalog.services import category_create  # noqa: E402
from inventory.services import stocked_product_create  # noqa: E402
from orders.models import OrderStatus  # noqa: E402
from orders.services import order_place, order_set_status  # noqa: E402

PASSWORD = os.environ["LOADTEST_PASSWORD"]
ADDRESS = {
    "name": "Load Test",
    "line1": "1 Bench St",
    "city": "Paris",
    "postal_code": "75001",
    "country": "FR",
}


def main() -> None:
    ceo = user_create(username="lt-ceo", email="lt-ceo@example.com", password=PASSWORD, role=Role.CEO)
    customer = user_create(
        username="lt-customer", email="lt-customer@example.com", password=PASSWORD, role=Role.CUSTOMER
    )
    category = category_create(actor=ceo, name="Load test")
    products = [
        stocked_product_create(
            actor=ceo,
            sku=f"LT-{n:03d}",
            name=f"Load test product {n}",
            description="A product for the load test.",
            price=Decimal("10.00") + n,
            cost_price=Decimal("6.00") + n,
            category=category,
            stock=1_000_000,
        )
        for n in range(60)
    ]
    for product in products[:20]:
        order = order_place(
            customer=customer,
            actor=customer,
            lines=[{"product": product.pk, "quantity": 2}],
            shipping_address=ADDRESS,
        ).order
        order_set_status(order=order, to_status=OrderStatus.PAID, actor=ceo)
    # Last line of the output (eager tasks may print e-mails before it).
    sys.stdout.write(json.dumps({"category": category.slug, "product": products[0].pk}) + "\n")


if __name__ == "__main__":
    main()
