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
