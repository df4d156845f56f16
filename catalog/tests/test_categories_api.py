import pytest

from audit.models import AuditEntry
from catalog.models import Category
from catalog.tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    """home > kitchen > knives, home > garden (inactive) > tools, and a second root, toys."""
    home = CategoryFactory(name="Home", slug="home")
    kitchen = CategoryFactory(name="Kitchen", slug="kitchen", parent=home)
    knives = CategoryFactory(name="Knives", slug="knives", parent=kitchen)
    garden = CategoryFactory(name="Garden", slug="garden", parent=home, is_active=False)
    tools = CategoryFactory(name="Tools", slug="tools", parent=garden)
    toys = CategoryFactory(name="Toys", slug="toys")
    return {c.slug: c for c in (home, kitchen, knives, garden, tools, toys)}


def test_list_is_in_tree_order_with_parent_and_depth(salesperson_client, tree):
    rows = salesperson_client.get("/api/v1/categories/").json()["results"]

    assert [(r["slug"], r["parent"], r["depth"]) for r in rows] == [
        ("home", None, 0),
        ("garden", "home", 1),
        ("tools", "garden", 2),
        ("kitchen", "home", 1),
        ("knives", "kitchen", 2),
        ("toys", None, 0),
    ]
    assert rows[4]["path"] == "Home / Kitchen / Knives"


def test_customers_see_active_branches_only(customer_client, tree):
    rows = customer_client.get("/api/v1/categories/").json()["results"]

    assert [r["slug"] for r in rows] == ["home", "kitchen", "knives", "toys"]
    assert customer_client.get("/api/v1/categories/garden/").status_code == 404
    assert customer_client.get("/api/v1/categories/tools/").status_code == 404


def test_detail_has_ancestors_root_first_and_children(customer_client, tree):
    body = customer_client.get("/api/v1/categories/kitchen/").json()

    assert [a["slug"] for a in body["ancestors"]] == ["home"]
    assert [c["slug"] for c in body["children"]] == ["knives"]
    deep = customer_client.get("/api/v1/categories/knives/").json()
    assert [a["slug"] for a in deep["ancestors"]] == ["home", "kitchen"]
    assert deep["children"] == []
    # Customers do not see the inactive child "garden" of home; staff do.
    home = customer_client.get("/api/v1/categories/home/").json()
    assert [c["slug"] for c in home["children"]] == ["kitchen"]


def test_unknown_category_is_404(customer_client):
    assert customer_client.get("/api/v1/categories/nope/").status_code == 404


def test_category_list_runs_a_constant_number_of_queries(customer_client, django_assert_max_num_queries):
    CategoryFactory.create_batch(2)
    with django_assert_max_num_queries(6) as few:
        assert customer_client.get("/api/v1/categories/?page_size=100").json()["count"] == 2

    root = CategoryFactory()
    CategoryFactory.create_batch(22, parent=root)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert customer_client.get("/api/v1/categories/?page_size=100").json()["count"] == 25


def test_create_with_parent_slug(ceo_client, ceo, tree):
    response = ceo_client.post(
        "/api/v1/categories/", {"name": "Forks", "parent": "kitchen", "description": "Pointy"}, format="json"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["slug"] == "forks"
    assert body["parent"] == "kitchen"
    assert [a["slug"] for a in body["ancestors"]] == ["home", "kitchen"]
    entry = AuditEntry.objects.get(action="create", entity_type="catalog.category")
    assert entry.actor == ceo
    assert entry.changes["parent"] == [None, "kitchen"]


def test_move_to_root_and_audit(salesperson_client, tree):
    response = salesperson_client.patch("/api/v1/categories/kitchen/", {"parent": None}, format="json")

    assert response.status_code == 200
    assert response.json()["parent"] is None
    assert Category.objects.get(slug="kitchen").parent is None
    entry = AuditEntry.objects.get(action="update", entity_type="catalog.category")
    assert entry.changes == {"parent": ["home", None]}


@pytest.mark.parametrize("new_parent", ["home", "kitchen", "knives"])
def test_parent_cycle_is_400_and_changes_nothing(ceo_client, tree, new_parent):
    response = ceo_client.patch("/api/v1/categories/home/", {"parent": new_parent}, format="json")

    assert response.status_code == 400
    assert "parent" in response.json()
    assert Category.objects.get(slug="home").parent is None


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "Dup", "slug": "toys"}, "slug"),
        ({"name": "Bad", "slug": "not a slug"}, "slug"),
        ({"name": "Orphan", "parent": "no-such-parent"}, "parent"),
        ({"name": "Orphan", "parent": "to\x00ys"}, "parent"),  # PostgreSQL refuses NUL: still a 400
        ({"slug": "nameless"}, "name"),
    ],
)
def test_invalid_category_input_is_400(ceo_client, tree, payload, field):
    response = ceo_client.post("/api/v1/categories/", payload, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert Category.objects.count() == len(tree)


def test_delete_category_with_products_is_409(salesperson_client, tree):
    ProductFactory(category=tree["knives"])

    response = salesperson_client.delete("/api/v1/categories/knives/")

    assert response.status_code == 409
    assert response.json()["code"] == "category_has_products"
    assert Category.objects.filter(slug="knives").exists()


def test_delete_category_with_sub_categories_is_409(salesperson_client, tree):
    response = salesperson_client.delete("/api/v1/categories/kitchen/")

    assert response.status_code == 409
    assert Category.objects.filter(slug="kitchen").exists()


def test_delete_empty_category(salesperson_client, tree):
    response = salesperson_client.delete("/api/v1/categories/toys/")

    assert response.status_code == 204
    assert not Category.objects.filter(slug="toys").exists()
    assert AuditEntry.objects.get(action="delete").entity_type == "catalog.category"


def test_put_is_not_offered(ceo_client, tree):
    response = ceo_client.put("/api/v1/categories/toys/", {"name": "Toys"}, format="json")

    assert response.status_code == 405
