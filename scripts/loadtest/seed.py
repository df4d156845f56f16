"""Seed what `make loadtest` drives, through the same services as every other door.

A CEO and a customer, one category of 60 active products with deep stock, a few paid orders so
top-products has something to rank, and for the flash sale one hot product and 100 customers
whose access tokens go one a line to LOADTEST_DIR/flash-tokens.txt (minted here: a hundred API
logins from one IP would be throttled). Prints ids and the CEO's and customer's tokens as JSON.

`seed.py pending N` instead places N pending orders (the wave of payments marks them paid) and
writes their ids one a line to LOADTEST_DIR/pending-ids.txt.
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

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.roles import Role  # noqa: E402
from accounts.services import tokens_issue, user_create  # noqa: E402
from catalog.models import Product  # noqa: E402
from catalog.services import category_create  # noqa: E402
from inventory.services import stocked_product_create  # noqa: E402
from orders.models import Order, OrderStatus  # noqa: E402
from orders.services import order_place, order_set_status  # noqa: E402

PASSWORD = os.environ["LOADTEST_PASSWORD"]
OUT = Path(os.environ["LOADTEST_DIR"])
FLASH_CUSTOMERS = 100
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
    hot = stocked_product_create(
        actor=ceo,
        sku="LT-HOT",
        name="Flash sale product",
        description="The one product everybody wants.",
        price=Decimal("49.00"),
        cost_price=Decimal("20.00"),
        category=category,
        stock=10_000_000,
    )
    # The flash-sale customers never sign in with their password: a fast hasher for them alone
    # (the server's hashers are untouched; lt-ceo and lt-customer above keep the real one).
    hashers = settings.PASSWORD_HASHERS
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    try:
        flash = [
            user_create(
                username=f"lt-flash-{n:03d}",
                email=f"lt-flash-{n:03d}@example.com",
                password=PASSWORD,
                role=Role.CUSTOMER,
            )
            for n in range(FLASH_CUSTOMERS)
        ]
    finally:
        settings.PASSWORD_HASHERS = hashers
    (OUT / "flash-tokens.txt").write_text("".join(tokens_issue(user=u)["access"] + "\n" for u in flash))
    # Last line of the output (eager tasks may print e-mails before it).
    sys.stdout.write(
        json.dumps(
            {
                "category": category.slug,
                "product": products[0].pk,
                "hot_product": hot.pk,
                "ceo_token": tokens_issue(user=ceo)["access"],
                "customer_token": tokens_issue(user=customer)["access"],
            }
        )
        + "\n"
    )


def pending(count: int) -> None:
    """Place `count` pending orders, spread over the flash-sale customers and the 60 products,
    through the same service as the API. Run with a memory broker: their confirmation e-mails
    are not part of the wave of payments, so they are marked sent here."""
    customers = list(get_user_model().objects.filter(username__startswith="lt-flash-").order_by("pk"))
    products = list(
        Product.objects.filter(sku__startswith="LT-0").order_by("pk").values_list("pk", flat=True)
    )
    ids = []
    for n in range(count):
        customer = customers[n % len(customers)]
        ids.append(
            order_place(
                customer=customer,
                actor=customer,
                lines=[{"product": products[n % len(products)], "quantity": 1}],
                shipping_address=ADDRESS,
            ).order.pk
        )
    Order.objects.filter(pk__in=ids).update(confirmation_sent_at=timezone.now())
    (OUT / "pending-ids.txt").write_text("".join(f"{pk}\n" for pk in ids))
    sys.stdout.write(json.dumps({"pending": len(ids)}) + "\n")


if __name__ == "__main__":
    if sys.argv[1:2] == ["pending"]:
        pending(int(sys.argv[2]))
    else:
        main()
