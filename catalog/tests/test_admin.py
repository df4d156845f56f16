import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from audit.models import AuditEntry
from catalog.models import Category, Product, SalesChannel
from catalog.tests.factories import CategoryFactory, ProductFactory
from inventory.models import Stock, StockMovement
from orders.tests.factories import OrderItemFactory

pytestmark = pytest.mark.django_db

PRODUCTS = "/admin/catalog/product/"


@pytest.fixture
def staff_admin(salesperson) -> Client:
    client = Client()
    client.force_login(salesperson)
    return client


def _product_form(**overrides):
    return {
        "sku": "ADM-1",
        "name": "Admin lamp",
        "description": "",
        "price": "20.00",
        "cost_price": "5.00",
        "status": "active",
        "category": "",
        "image_url": "",
        **overrides,
    }


def test_customers_cannot_open_the_admin(customer):
    client = Client()
    client.force_login(customer)

    assert client.get(PRODUCTS).status_code == 302


def test_product_list_shows_stock_and_margin_and_filters(staff_admin):
    home = CategoryFactory(name="Home", slug="home")
    ProductFactory(
        sku="IN-CHILD",
        category=CategoryFactory(slug="kitchen", parent=home),
        price=Decimal("20.00"),
        cost_price=Decimal("15.00"),
        stock=7,
    )
    ProductFactory(sku="ARCHIVED-1", status="archived")

    page = staff_admin.get(PRODUCTS).content.decode()
    by_category = staff_admin.get(PRODUCTS, {"category": "home"}).content.decode()
    by_status = staff_admin.get(PRODUCTS, {"status__exact": "archived"}).content.decode()
    searched = staff_admin.get(PRODUCTS, {"q": "in-child"}).content.decode()

    assert "25.0%" in page
    assert '<td class="field-stock_display">7</td>' in page
    assert "IN-CHILD" in by_category and "ARCHIVED-1" not in by_category
    assert "ARCHIVED-1" in by_status and "IN-CHILD" not in by_status
    assert "IN-CHILD" in searched and "ARCHIVED-1" not in searched


def test_product_change_page_shows_stock_and_movements(staff_admin):
    product = ProductFactory(stock=4)

    page = staff_admin.get(f"{PRODUCTS}{product.pk}/change/").content.decode()

    assert "Opening stock" in page
    assert "low_stock_threshold" in page


def test_adding_a_product_goes_through_the_service(staff_admin, salesperson):
    response = staff_admin.post(f"{PRODUCTS}add/", _product_form(opening_stock="6"))

    assert response.status_code == 302
    product = Product.objects.get(sku="ADM-1")
    assert product.created_by == salesperson
    assert Stock.objects.get(product=product).quantity == 6
    assert AuditEntry.objects.filter(action="create", entity_id=str(product.pk), actor=salesperson).exists()


def test_admin_refuses_invalid_prices(staff_admin):
    response = staff_admin.post(f"{PRODUCTS}add/", _product_form(price="0", opening_stock="0"))

    assert response.status_code == 200
    assert "greater than 0" in response.content.decode()
    assert not Product.objects.exists()


def test_changing_a_product_and_its_threshold_is_audited(staff_admin, salesperson):
    product = ProductFactory(sku="ADM-1", price=Decimal("10.00"), stock=3)
    stock = Stock.objects.get(product=product)
    form = {
        **_product_form(
            price="11.00",
            name=product.name,
            description=product.description,
            cost_price=product.cost_price,
            category=product.category_id,
        ),
        "stock-TOTAL_FORMS": "1",
        "stock-INITIAL_FORMS": "1",
        "stock-MIN_NUM_FORMS": "0",
        "stock-MAX_NUM_FORMS": "1",
        "stock-0-id": stock.pk,
        "stock-0-product": product.pk,
        "stock-0-low_stock_threshold": "2",
        "stock_movements-TOTAL_FORMS": "1",
        "stock_movements-INITIAL_FORMS": "1",
        "stock_movements-MIN_NUM_FORMS": "0",
        "stock_movements-MAX_NUM_FORMS": "1000",
        "stock_movements-0-id": StockMovement.objects.get(product=product).pk,
        "stock_movements-0-product": product.pk,
    }

    response = staff_admin.post(f"{PRODUCTS}{product.pk}/change/", form)

    assert response.status_code == 302, response.content.decode()[:3000]
    assert Product.objects.get(pk=product.pk).price == Decimal("11.00")
    assert Stock.objects.get(pk=stock.pk).low_stock_threshold == 2
    changes = [entry.changes for entry in AuditEntry.objects.filter(action="update", actor=salesperson)]
    assert sorted(changes, key=str) == [{"low_stock_threshold": [10, 2]}, {"price": ["10.00", "11.00"]}]


def test_deleting_an_ordered_product_is_refused_in_the_admin(staff_admin):
    ordered = OrderItemFactory().product

    page = staff_admin.post(f"{PRODUCTS}{ordered.pk}/delete/", {"post": "yes"})

    assert "archive it instead" in page.content.decode()
    assert Product.objects.filter(pk=ordered.pk).exists()


def test_deleting_a_never_ordered_product_in_the_admin(staff_admin):
    product = ProductFactory(stock=2)

    response = staff_admin.post(f"{PRODUCTS}{product.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Product.objects.filter(pk=product.pk).exists()
    assert AuditEntry.objects.filter(action="delete", entity_id=str(product.pk)).exists()


def test_category_list_shows_the_tree(staff_admin):
    home = CategoryFactory(name="Home", slug="home")
    CategoryFactory(name="Kitchen", slug="kitchen", parent=home)
    CategoryFactory(name="Apples", slug="apples")

    page = staff_admin.get("/admin/catalog/category/").content.decode()

    assert "Home / Kitchen" in page
    assert page.index(">Apples</span>") < page.index(">Home</span>") < page.index("└ Kitchen</span>")


def test_category_cycle_is_a_form_error_in_the_admin(staff_admin):
    home = CategoryFactory(name="Home", slug="home")
    kitchen = CategoryFactory(name="Kitchen", slug="kitchen", parent=home)

    response = staff_admin.post(
        f"/admin/catalog/category/{home.pk}/change/",
        {"name": "Home", "slug": "home", "description": "", "parent": kitchen.pk, "is_active": "on"},
    )

    assert response.status_code == 200
    assert "sub-categories" in response.content.decode()
    assert Category.objects.get(pk=home.pk).parent is None


def test_import_in_the_admin_uses_the_same_validation_and_writes(staff_admin, salesperson):
    CategoryFactory(slug="lamps")
    good = b"sku,name,price,cost_price,category,stock\nIMP-1,Lamp,9.00,3.00,lamps,4\n"
    bad = (
        b"sku,name,price,cost_price,category,stock\nIMP-1,Lamp,9.00,3.00,lamps,4\nIMP-2,Bad,-1,3.00,lamps,4\n"
    )

    dry = staff_admin.post(f"{PRODUCTS}import/", {"file": SimpleUploadedFile("p.csv", good), "dry_run": "on"})
    refused = staff_admin.post(f"{PRODUCTS}import/", {"file": SimpleUploadedFile("p.csv", bad)})
    assert not Product.objects.exists()
    done = staff_admin.post(f"{PRODUCTS}import/", {"file": SimpleUploadedFile("p.csv", good)})

    assert "would create 1" in dry.content.decode()
    assert "<td>3</td><td>price</td>" in refused.content.decode()
    assert done.status_code == 302
    assert Stock.objects.get(product__sku="IMP-1").quantity == 4
    assert AuditEntry.objects.filter(action="import", actor=salesperson).count() == 1


def test_export_csv_and_xlsx_can_be_imported_back(staff_admin, ceo_client):
    CategoryFactory(slug="lamps")
    product = ProductFactory(
        sku="EXP-1", name="Lamp, large", category=Category.objects.get(slug="lamps"), stock=3
    )
    selection = {"action": "export_csv", "_selected_action": [product.pk]}

    csv_response = staff_admin.post(PRODUCTS, selection)
    xlsx_response = staff_admin.post(PRODUCTS, {**selection, "action": "export_xlsx"})

    lines = csv_response.content.decode().splitlines()
    assert lines[0] == "sku,name,description,price,cost_price,category,status,stock,image_url"
    assert lines[1].startswith('EXP-1,"Lamp, large",')
    sheet = load_workbook(io.BytesIO(xlsx_response.content)).active
    assert [cell.value for cell in sheet[2]][:2] == ["EXP-1", "Lamp, large"]
    reimported = ceo_client.post(
        "/api/v1/products/import/",
        {"file": SimpleUploadedFile("back.xlsx", xlsx_response.content)},
        format="multipart",
    )
    assert reimported.json() == {"created": 0, "updated": 1, "dry_run": False}


def test_channel_admin_is_for_the_ceo_and_audited(ceo, salesperson):
    ceo_admin, sales_admin = Client(), Client()
    ceo_admin.force_login(ceo)
    sales_admin.force_login(salesperson)
    web = SalesChannel.objects.get(code="web")

    refused = sales_admin.post(
        f"/admin/catalog/saleschannel/{web.pk}/change/", {"name": "Online", "is_active": "on"}
    )
    changed = ceo_admin.post(
        f"/admin/catalog/saleschannel/{web.pk}/change/", {"name": "Online", "is_active": "on"}
    )

    assert refused.status_code == 403
    assert changed.status_code == 302
    assert SalesChannel.objects.get(code="web").name == "Online"
    assert AuditEntry.objects.get(action="update", actor=ceo).changes == {"name": ["Web shop", "Online"]}


@pytest.mark.parametrize(
    "page",
    [
        "/admin/catalog/category/",
        "/admin/catalog/category/add/",
        "/admin/catalog/category/{category}/change/",
        "/admin/catalog/product/add/",
        "/admin/catalog/product/import/",
        "/admin/catalog/saleschannel/",
        "/admin/orders/review/",
        "/admin/inventory/stock/",
        "/admin/inventory/stock/{stock}/change/",
        "/admin/inventory/stockmovement/",
    ],
)
def test_admin_pages_render_for_staff(staff_admin, page):
    product = ProductFactory(stock=1)

    response = staff_admin.get(page.format(category=product.category_id, stock=product.stock.pk))

    assert response.status_code == 200


def _changelist_queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_product_changelist_queries_do_not_grow_with_rows(staff_admin, django_assert_max_num_queries):
    # given a few products, then many more in nested categories
    ProductFactory.create_batch(2, stock=3)
    few = _changelist_queries(staff_admin, PRODUCTS)
    ProductFactory.create_batch(20, stock=3, category=CategoryFactory(parent=CategoryFactory()))

    # when the change list is shown again, then it costs no more queries
    with django_assert_max_num_queries(few):
        response = staff_admin.get(PRODUCTS)
    assert response.context["cl"].result_count == 22


def test_product_change_page_queries_do_not_grow_with_movements(
    staff_admin, salesperson, ceo, customer, django_assert_max_num_queries, settings
):
    settings.ORDER_MAX_PENDING_PER_CUSTOMER = 0  # many unpaid orders of one customer
    from inventory.services import stock_adjust
    from orders.tests.factories import place_order

    # given a product with its opening movement only, and one with many sales and restocks
    quiet = ProductFactory(stock=50)
    few = _changelist_queries(staff_admin, f"{PRODUCTS}{quiet.pk}/change/")
    busy = ProductFactory(stock=50)
    for actor in [salesperson, ceo] * 3:
        place_order(customer=customer, products={busy: 1})
        stock_adjust(product=busy, actor=actor, reason="restock", delta=1)

    # when its change page is shown, then its movements cost no query each
    with django_assert_max_num_queries(few):
        page = staff_admin.get(f"{PRODUCTS}{busy.pk}/change/")
    assert page.status_code == 200
    assert page.context["inline_admin_formsets"][1].formset.total_form_count() == 13
