import pytest
from django.db.models import Sum

from audit.models import AuditEntry
from catalog.tests.factories import ProductFactory
from inventory.models import Stock, StockMovement
from inventory.services import main_location

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "customer", "salesperson", "ceo")

ENDPOINTS = [
    ("get", "/api/v1/inventory/", None, (401, 403, 200, 200)),
    ("get", "/api/v1/inventory/INV-1/", None, (401, 403, 200, 200)),
    ("get", "/api/v1/inventory/INV-1/movements/", None, (401, 403, 200, 200)),
    ("post", "/api/v1/inventory/INV-1/adjust/", {"delta": 5, "reason": "restock"}, (401, 403, 200, 200)),
]


def _state():
    return (
        list(
            Stock.objects.values_list("product_id", "quantity", "low_stock_threshold").order_by("product_id")
        ),
        StockMovement.objects.count(),
        AuditEntry.objects.count(),
    )


@pytest.mark.parametrize(("method", "path", "body", "expected"), ENDPOINTS)
@pytest.mark.parametrize("role", ROLES)
def test_inventory_role_matrix(role_clients, role, method, path, body, expected):
    ProductFactory(sku="INV-1", stock=3)
    expected_status = dict(zip(ROLES, expected, strict=True))[role]
    before = _state()

    response = getattr(role_clients[role], method)(path, body, format="json")

    assert response.status_code == expected_status
    if expected_status >= 400:
        assert _state() == before
    elif method == "post":
        assert _state() != before


def test_stock_row_shape(salesperson_client):
    product = ProductFactory(sku="INV-1", name="Kettle", stock=12)

    body = salesperson_client.get("/api/v1/inventory/INV-1/").json()

    assert body == {
        "sku": "INV-1",
        "product": product.pk,
        "name": "Kettle",
        "quantity": 12,
        "low_stock_threshold": 10,
        "is_low": False,
        "updated_at": body["updated_at"],
        "locations": [{"location": "main", "quantity": 12, "low_stock_threshold": 10, "is_low": False}],
    }


def test_unknown_sku_is_404(salesperson_client):
    assert salesperson_client.get("/api/v1/inventory/NOPE/").status_code == 404
    assert (
        salesperson_client.post(
            "/api/v1/inventory/NOPE/adjust/", {"delta": 1, "reason": "restock"}
        ).status_code
        == 404
    )


@pytest.mark.parametrize("suffix", ["", "adjust/", "movements/"])
def test_a_sku_with_a_nul_character_is_404_not_a_database_error(salesperson_client, suffix):
    # PostgreSQL refuses NUL in text parameters; a path holding one names no product
    method = salesperson_client.post if suffix == "adjust/" else salesperson_client.get

    response = method(f"/api/v1/inventory/A%00B/{suffix}", {"delta": 1, "reason": "restock"}, format="json")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_low_filter(salesperson_client):
    ProductFactory(sku="PLENTY", stock=50)
    ProductFactory(sku="AT-THRESHOLD", stock=10)
    ProductFactory(sku="EMPTY", stock=0)

    low = salesperson_client.get("/api/v1/inventory/?low=true").json()["results"]
    not_low = salesperson_client.get("/api/v1/inventory/?low=false").json()["results"]

    assert [row["sku"] for row in low] == ["AT-THRESHOLD", "EMPTY"]
    assert all(row["is_low"] for row in low)
    assert [row["sku"] for row in not_low] == ["PLENTY"]


def test_low_filter_that_is_not_a_boolean_is_400(salesperson_client):
    response = salesperson_client.get("/api/v1/inventory/?low=maybe")

    assert response.status_code == 400
    assert "low" in response.json()


def test_adjust_by_delta_and_set_quantity(ceo_client, ceo):
    product = ProductFactory(sku="INV-1", stock=20)

    added = ceo_client.post(
        "/api/v1/inventory/INV-1/adjust/",
        {"delta": 5, "reason": "restock", "note": "Delivery 42"},
        format="json",
    )
    counted = ceo_client.post(
        "/api/v1/inventory/INV-1/adjust/", {"quantity": 18, "reason": "correction"}, format="json"
    )

    assert added.status_code == 200
    assert added.json()["quantity"] == 25
    assert counted.json()["quantity"] == 18
    latest = StockMovement.objects.filter(product=product).first()
    assert (latest.delta, latest.quantity_before, latest.quantity_after, latest.reason, latest.actor) == (
        -7,
        25,
        18,
        "correction",
        ceo,
    )
    assert AuditEntry.objects.filter(action="stock_adjust", actor=ceo).count() == 2


def test_adjust_below_zero_is_409_and_changes_nothing(salesperson_client):
    ProductFactory(sku="INV-1", stock=3)
    before = _state()

    response = salesperson_client.post(
        "/api/v1/inventory/INV-1/adjust/", {"delta": -4, "reason": "damage"}, format="json"
    )

    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "insufficient_stock"
    assert body["detail"]
    assert body["items"][0] == {
        "product": body["items"][0]["product"],
        "sku": "INV-1",
        "requested": 4,
        "available": 3,
    }
    assert _state() == before


@pytest.mark.parametrize(
    "payload",
    [
        {"reason": "restock"},
        {"delta": 1, "quantity": 3, "reason": "restock"},
        {"delta": 0, "reason": "restock"},
        {"delta": "many", "reason": "restock"},
        {"quantity": -1, "reason": "correction"},
        {"delta": 1, "reason": "sale"},
        {"delta": 1},
        # beyond what a stock row can hold: a 400, never an integer overflow in the database
        {"delta": 10**30, "reason": "restock"},
        {"delta": 2**31 - 3, "reason": "restock"},
        {"quantity": 2**31, "reason": "correction"},
    ],
)
def test_invalid_adjustment_is_400_and_changes_nothing(salesperson_client, payload):
    ProductFactory(sku="INV-1", stock=3)
    before = _state()

    response = salesperson_client.post("/api/v1/inventory/INV-1/adjust/", payload, format="json")

    assert response.status_code == 400
    assert _state() == before


def test_movements_newest_first_and_ledger_sums_to_quantity(salesperson_client, salesperson):
    product = ProductFactory(sku="INV-1", stock=10)
    for payload in (
        {"delta": 5, "reason": "restock"},
        {"delta": -2, "reason": "damage"},
        {"quantity": 4, "reason": "correction"},
    ):
        assert (
            salesperson_client.post("/api/v1/inventory/INV-1/adjust/", payload, format="json").status_code
            == 200
        )

    rows = salesperson_client.get("/api/v1/inventory/INV-1/movements/").json()["results"]

    assert [(r["delta"], r["reason"]) for r in rows] == [
        (-9, "correction"),
        (-2, "damage"),
        (5, "restock"),
        (10, "restock"),
    ]
    assert rows[0]["actor"] == salesperson.pk
    assert rows[0]["quantity_before"] == 13
    assert rows[0]["quantity_after"] == 4
    assert set(rows[0]) == {
        "id",
        "location",
        "delta",
        "quantity_before",
        "quantity_after",
        "reason",
        "order",
        "actor",
        "note",
        "created_at",
    }
    ledger = StockMovement.objects.filter(product=product).aggregate(total=Sum("delta"))["total"]
    assert ledger == Stock.objects.get(product=product).quantity == 4


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/inventory/?page_size=100",
        "/api/v1/inventory/?low=true&page_size=100",
        "/api/v1/inventory/MANY/movements/?page_size=100",
    ],
)
def test_inventory_lists_run_a_constant_number_of_queries(
    salesperson_client, django_assert_max_num_queries, path
):
    product = ProductFactory(sku="MANY", stock=1)
    ProductFactory(stock=0)
    _add_movements(product, 1)
    with django_assert_max_num_queries(8) as few:
        assert len(salesperson_client.get(path).json()["results"]) == 2

    ProductFactory.create_batch(23, stock=0)
    _add_movements(product, 23)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(salesperson_client.get(path).json()["results"]) == 25


def _add_movements(product, count: int) -> None:
    """Ledger rows that change nothing, just to make the ledger longer."""
    main = main_location()
    StockMovement.objects.bulk_create(
        StockMovement(
            product=product,
            location=main,
            delta=0,
            quantity_before=1,
            quantity_after=1,
            reason="correction",
        )
        for _ in range(count)
    )
