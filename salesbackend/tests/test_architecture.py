"""The import rules of DESIGN.md, checked on the source, without a list of exceptions.

The apps lean one way: salesbackend → audit → accounts → catalog → inventory → orders → analytics
→ demo. Read the arrow as "may be imported by".

- Runtime code never imports a tests package, and nothing imports the demo app (tests included,
  except demo's own).
- A door (views, admin, serializers, forms, URLconfs, management commands) may import any app;
  every other module imports only its own app and the apps to its left. Only URLconfs and views
  import a view module.
- ORM lookups by string count as imports: a lookup through a reverse relation that a model of an
  app to the right declares (`stock__quantity` in catalog), a reverse accessor (`product.order_items`)
  or a lazy model reference ("orders.Order") in a non-door module is an arrow the wrong way. The
  relation names come from the app registry, so a new relation is checked without a code change.

`violations(...)` checks one module's source text; the synthetic cases below prove it catches
each kind of offence, the last test runs it on the whole tree.
"""

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
# Left to right: an app may be imported by the apps to its right.
ORDER = ("salesbackend", "audit", "accounts", "catalog", "inventory", "orders", "analytics", "demo")
RANK = {app: rank for rank, app in enumerate(ORDER)}
DOOR_MODULES = {"views", "admin", "serializers", "forms", "urls"}
# ORM calls whose plain string arguments name fields or relations (`prefetch_related("reviews")`).
ORM_NAME_CALLS = {
    "select_related",
    "prefetch_related",
    "Prefetch",
    "values",
    "values_list",
    "only",
    "defer",
    "order_by",
    "F",
    "OuterRef",
    "Count",
    "Sum",
    "Avg",
    "Min",
    "Max",
}
# ORM calls whose keyword names are lookups (`filter(reviews=None)`).
ORM_LOOKUP_CALLS = {"filter", "exclude", "get", "get_or_create", "update_or_create", "Q"}
LOOKUP = re.compile(r"-?[A-Za-z_][A-Za-z0-9_]*(?:__[A-Za-z0-9_]+)+")
MODEL_REFERENCE = re.compile(r"([a-z_]+)\.([A-Z][A-Za-z0-9]*)")


@dataclass(frozen=True)
class Relation:
    """A reverse relation: `owner` (the app of the model declaring the foreign key) reaches into
    `target` (the app of the model it points at) as `lookup` in queries and `accessor` on objects."""

    owner: str
    target: str
    lookup: str
    accessor: str


def project_relations() -> list[Relation]:
    """Every reverse relation between the project's models, from the app registry."""
    found = []
    for model in apps.get_models():
        target = model._meta.app_label
        for field in model._meta.get_fields():
            if not (field.is_relation and field.auto_created and not field.concrete):
                continue
            owner = field.related_model._meta.app_label
            if owner in RANK and target in RANK:
                found.append(Relation(owner, target, field.name, field.get_accessor_name()))
    return found


def project_models() -> set[tuple[str, str]]:
    return {(m._meta.app_label, m.__name__) for m in apps.get_models() if m._meta.app_label in RANK}


def is_door(path: str) -> bool:
    """Views, admin, serializers, forms, URLconfs (modules or packages) and management commands."""
    parts = Path(path).with_suffix("").parts
    return any(part in DOOR_MODULES or part.endswith("_urls") for part in parts[1:]) or (
        "management" in parts
    )


def routes_to_views(path: str) -> bool:
    """URLconfs and the views themselves: the only modules that import a view module (the other
    doors are imported by the views, so importing one back would run in a circle)."""
    parts = Path(path).with_suffix("").parts
    return "views" in parts[1:] or parts[-1] == "urls" or parts[-1].endswith("_urls")


def _module_of(path: str) -> tuple[str, bool]:
    """The dotted name of a module's package, and whether the file is a package's __init__."""
    parts = Path(path).with_suffix("").parts
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts[:-1]), False


def imported_modules(tree: ast.AST, path: str) -> Iterator[tuple[int, str]]:
    """(line, dotted module) for every import, relative ones resolved; `from x import y` yields
    both x and x.y (y may be a module)."""
    package, _ = _module_of(path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*base_parts, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            yield node.lineno, base
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"


def _is_view_module(module: str) -> bool:
    return "views" in module.split(".")[1:]


def _string_lookups(tree: ast.AST) -> Iterator[tuple[int, str, set[str], str]]:
    """(line, text, relation names it may use, kind) for every string that can be an ORM path."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and LOOKUP.fullmatch(node.value):
            yield node.lineno, node.value, set(node.value.lstrip("-").split("__")), "lookup"
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            for keyword in node.keywords:
                if keyword.arg and ("__" in keyword.arg or name in ORM_LOOKUP_CALLS):
                    yield node.lineno, keyword.arg, set(keyword.arg.split("__")), "lookup"
            if name in ORM_NAME_CALLS:
                for arg in node.args:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                        yield node.lineno, arg.value, {arg.value.lstrip("-")}, "lookup"
        elif isinstance(node, ast.Attribute):
            yield node.lineno, node.attr, {node.attr}, "accessor"


def violations(
    source: str,
    path: str,
    *,
    relations: list[Relation] | None = None,
    models: set[tuple[str, str]] | None = None,
) -> list[str]:
    """What in this module's source breaks the rules; `path` ("catalog/selectors.py") places it."""
    relations = project_relations() if relations is None else relations
    models = project_models() if models is None else models
    app = Path(path).parts[0]
    is_test = "tests" in Path(path).parts
    door = is_door(path)
    tree = ast.parse(source, filename=path)
    by_rule: dict[tuple[int, str], str] = {}  # one message per import statement and rule

    def flag(line: int, rule: str, message: str) -> None:
        by_rule.setdefault((line, rule), f"{path}:{line}: {message}")

    for line, module in imported_modules(tree, path):
        target = module.split(".")[0]
        if target == "demo" and app != "demo":
            flag(line, "demo", f"imports the demo app ({module})")
        if is_test:
            continue
        if "tests" in module.split("."):
            flag(line, "tests", f"runtime code imports a tests package ({module})")
        if target not in RANK:
            continue
        if _is_view_module(module) and not routes_to_views(path):
            flag(line, "view", f"imports a view module ({module}); only URLconfs and views may")
        if door:
            continue
        if RANK[target] > RANK[app]:
            flag(line, "right", f"imports {module}, of {target}, right of {app}")
    found = list(by_rule.values())
    if is_test or door or "migrations" in Path(path).parts:
        return sorted(set(found))
    # Relations declared by an app to the right, onto models this app can reach.
    wrong_way = [r for r in relations if RANK[r.owner] > RANK[app] >= RANK[r.target]]
    lookups = {r.lookup: r.owner for r in wrong_way}
    accessors = {r.accessor: r.owner for r in wrong_way}
    for line, text, names, kind in _string_lookups(tree):
        names_of = lookups if kind == "lookup" else accessors
        for name in sorted(names & names_of.keys()):
            found.append(f"{path}:{line}: {kind} {text!r} reaches {names_of[name]}, right of {app}")
    for node in ast.walk(tree):  # ForeignKey("orders.Order"), apps.get_model("orders.Order")
        if isinstance(node, ast.Call):
            for arg in [*node.args, *(keyword.value for keyword in node.keywords)]:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    match = MODEL_REFERENCE.fullmatch(arg.value)
                    if match and tuple(match.groups()) in models and RANK[match[1]] > RANK[app]:
                        found.append(f"{path}:{arg.lineno}: model reference {arg.value!r}, right of {app}")
    return sorted(set(found))


def project_files() -> Iterator[Path]:
    for app in ORDER:
        yield from sorted((ROOT / app).rglob("*.py"))


# The checker catches what it should --------------------------------------------------------

RELATIONS = [
    Relation(owner="inventory", target="catalog", lookup="stock", accessor="stock"),
    Relation(owner="orders", target="catalog", lookup="reviews", accessor="reviews"),
    Relation(owner="orders", target="catalog", lookup="order_items", accessor="order_items"),
    Relation(owner="orders", target="orders", lookup="items", accessor="items"),
]
MODELS = {("orders", "Order"), ("catalog", "Product")}


@pytest.mark.parametrize(
    ("path", "source", "expected"),
    [
        pytest.param(
            "orders/services.py",
            "from orders.views import OrderViewSet\n",
            "imports a view module (orders.views); only URLconfs and views may",
            id="a service imports its own app's view",
        ),
        pytest.param(
            "orders/services/placement.py",
            "from ..views import OrderViewSet\n",
            "imports a view module (orders.views); only URLconfs and views may",
            id="a service package imports a view relatively",
        ),
        pytest.param(
            "analytics/serializers.py",
            "from analytics import views\n",
            "imports a view module (analytics.views); only URLconfs and views may",
            id="a serializer imports a view",
        ),
        pytest.param(
            "analytics/report_urls.py",
            "from analytics.views import reports\n",
            None,
            id="a URLconf routes to views",
        ),
        pytest.param(
            "salesbackend/urls.py",
            "from analytics.views.dashboard import admin_index\n",
            None,
            id="the root URLconf routes to any app's views",
        ),
        pytest.param(
            "catalog/selectors.py",
            "from inventory.models import Stock\n",
            "imports inventory.models, of inventory, right of catalog",
            id="a catalog selector imports inventory",
        ),
        pytest.param(
            "catalog/selectors.py",
            "import inventory.selectors\n",
            "imports inventory.selectors, of inventory, right of catalog",
            id="plain import of an app to the right",
        ),
        pytest.param(
            "catalog/views.py",
            "from inventory.services import stocked_product_create\n",
            None,
            id="a door may call the services of an app to the right",
        ),
        pytest.param(
            "audit/views.py",
            "from accounts.permissions import CanViewAudit\n",
            None,
            id="a door may import an app to the right",
        ),
        pytest.param(
            "audit/permissions.py",
            "from accounts.permissions import has_permission\n",
            "imports accounts.permissions, of accounts, right of audit",
            id="audit's permissions import accounts",
        ),
        pytest.param(
            "catalog/selectors.py",
            "q = Product.objects.annotate(n=Coalesce('stock__quantity', Value(0)))\n",
            "lookup 'stock__quantity' reaches inventory, right of catalog",
            id="a stock lookup in catalog",
        ),
        pytest.param(
            "catalog/filters.py",
            "q = Product.objects.filter(stock__quantity__gt=0)\n",
            "lookup 'stock__quantity__gt' reaches inventory, right of catalog",
            id="a stock lookup as a keyword",
        ),
        pytest.param(
            "catalog/selectors.py",
            "q = Product.objects.order_by('-reviews__rating')\n",
            "lookup '-reviews__rating' reaches orders, right of catalog",
            id="a descending review lookup",
        ),
        pytest.param(
            "catalog/selectors.py",
            "q = Product.objects.prefetch_related('reviews')\n",
            "lookup 'reviews' reaches orders, right of catalog",
            id="a relation named alone",
        ),
        pytest.param(
            "catalog/services.py",
            "ordered = product.order_items.exists()\n",
            "accessor 'order_items' reaches orders, right of catalog",
            id="a reverse accessor",
        ),
        pytest.param(
            "orders/selectors.py",
            "q = Product.objects.filter(stock__quantity__gt=0, order_items__isnull=False)\n",
            None,
            id="lookups into apps to the left are fine",
        ),
        pytest.param(
            "catalog/services.py",
            "for key, value in cells.items():\n    pass\n",
            None,
            id="a name that is a relation only within an app to the right",
        ),
        pytest.param(
            "inventory/models.py",
            "order = models.ForeignKey('orders.Order', on_delete=models.PROTECT)\n",
            "model reference 'orders.Order', right of inventory",
            id="a lazy model reference to the right",
        ),
        pytest.param(
            "catalog/admin.py",
            "q = Product.objects.filter(order_items__isnull=False)\n",
            None,
            id="a door may look up across apps",
        ),
        pytest.param(
            "catalog/services.py",
            "from catalog.tests.factories import ProductFactory\n",
            "runtime code imports a tests package (catalog.tests.factories)",
            id="runtime code imports tests",
        ),
        pytest.param(
            "salesbackend/urls.py",
            "from demo.factories import ProductFactory\n",
            "imports the demo app (demo.factories)",
            id="a door imports demo",
        ),
        pytest.param(
            "catalog/tests/factories.py",
            "from demo import factories\n",
            "imports the demo app (demo)",
            id="a test builds on demo",
        ),
        pytest.param(
            "demo/tests/test_generator.py",
            "from demo.generator import generate\nfrom catalog.tests.factories import ProductFactory\n",
            None,
            id="demo's own tests may import demo and other tests",
        ),
    ],
)
def test_the_checker_catches_each_offence(path, source, expected):
    found = violations(source, path, relations=RELATIONS, models=MODELS)

    if expected is None:
        assert found == []
    else:
        assert [v.split(": ", 1)[1] for v in found] == [expected]


def test_reverse_relations_come_from_the_app_registry():
    names = {(r.owner, r.target, r.lookup) for r in project_relations()}

    assert ("inventory", "catalog", "stock") in names
    assert ("orders", "catalog", "order_items") in names
    assert ("orders", "catalog", "reviews") in names


def test_doors_are_recognised_by_their_place():
    assert all(
        is_door(path)
        for path in (
            "catalog/views.py",
            "analytics/views/api.py",
            "orders/admin/orders.py",
            "accounts/serializers.py",
            "analytics/forms.py",
            "analytics/report_urls.py",
            "accounts/management/commands/createuser.py",
            "salesbackend/urls.py",
        )
    )
    assert not any(
        is_door(path)
        for path in ("catalog/selectors.py", "orders/services/placement.py", "inventory/stream.py")
    )


# The tree follows the rules ----------------------------------------------------------------


def test_the_project_follows_the_import_rules():
    relations, models = project_relations(), project_models()
    found = [
        violation
        for path in project_files()
        for violation in violations(
            path.read_text(), str(path.relative_to(ROOT)), relations=relations, models=models
        )
    ]

    assert found == []
