"""The import rules of DESIGN.md, checked on the source: runtime code never imports a tests
package, and nothing imports the demo app."""

import ast
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PROJECT_APPS = ("accounts", "audit", "catalog", "inventory", "orders", "analytics", "demo", "salesbackend")


def _runtime_imports():
    """(file, imported module) for every import in the project's runtime modules."""
    for app in PROJECT_APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "tests" in path.relative_to(ROOT).parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if isinstance(node, ast.ImportFrom) and node.module:
                    base = node.module if node.level == 0 else f"{app}.{node.module}"
                    yield path.relative_to(ROOT), base
                    yield from ((path.relative_to(ROOT), f"{base}.{alias.name}") for alias in node.names)
                elif isinstance(node, ast.Import):
                    yield from ((path.relative_to(ROOT), alias.name) for alias in node.names)


def test_no_runtime_module_imports_a_tests_package():
    offenders = [f"{path}: {module}" for path, module in _runtime_imports() if "tests" in module.split(".")]

    assert offenders == []


def test_nothing_imports_the_demo_app():
    offenders = [
        f"{path}: {module}"
        for path, module in _runtime_imports()
        if module.split(".")[0] == "demo" and path.parts[0] != "demo"
    ]

    assert offenders == []


# DESIGN.md's picture: an app imports only the apps to its left (audit is written by everyone
# and reads accounts' permissions); analytics and demo are at the far end, and nothing imports them.
MAY_IMPORT = {
    "accounts": {"audit"},
    "audit": {"accounts"},
    "catalog": {"accounts", "audit"},
    "inventory": {"accounts", "audit", "catalog"},
    "orders": {"accounts", "audit", "catalog", "inventory"},
    "analytics": {"accounts", "audit", "catalog", "inventory", "orders"},
    "demo": {"accounts", "audit", "catalog", "inventory", "orders"},
}
# The doors of a flow that spans two apps call the service of the app further right: the
# product API and admin create, import and delete products with their stock.
DOORS_MAY_IMPORT = {
    ("catalog", "views.py"): {"inventory"},
    ("catalog", "admin.py"): {"inventory"},
}


def test_app_imports_follow_the_arrows_of_the_design():
    offenders = []
    for path, module in _runtime_imports():
        app, target = path.parts[0], module.split(".")[0]
        if app not in MAY_IMPORT or target not in MAY_IMPORT or target == app:
            continue
        allowed = MAY_IMPORT[app] | DOORS_MAY_IMPORT.get((app, path.name), set())
        if target not in allowed:
            offenders.append(f"{path}: {module}")

    assert sorted(set(offenders)) == []


def test_only_the_project_modules_import_analytics():
    offenders = [
        f"{path}: {module}"
        for path, module in _runtime_imports()
        if module.split(".")[0] == "analytics" and path.parts[0] not in ("analytics", "salesbackend")
    ]

    assert offenders == []
