"""The import rules of docs/ARCHITECTURE.md, checked by walking every module's imports.

- Outside ``outbox`` nothing imports ``outbox.tasks`` or ``outbox.models``: the outbox is used through
  ``outbox.services``, ``outbox.selectors`` and ``outbox.registry``.
- No app imports another domain app's models (``Model`` classes): it goes through that app's
  selectors and services. Its enums and constants may be named; a type hint may name a model when
  imported under ``if TYPE_CHECKING:``. ``accounts.models.User`` is every app's user.
- Nothing imports upwards: ``core`` imports no app, ``outbox`` only ``core``, domain apps never the
  pages (``portal``) or ``config``; ``bench/`` and ``scripts/`` never import ``tests/``.
"""

import ast
import importlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import models

ROOT = Path(__file__).resolve().parents[2]
# Every app of the project is checked, a new one included: the layers below are the exceptions, the
# rest are domain apps.
APPS = set(settings.LOCAL_APPS)
DOMAIN_APPS = APPS - {"accounts", "core", "outbox", "portal"}
CHECKED_FOLDERS = [*sorted(APPS), "config", "bench", "scripts"]
# What each layer may import of the project's own packages (anything else is upwards or sideways).
ALLOWED_PROJECT_IMPORTS = {
    "core": set(),
    "outbox": {"core"},
    "accounts": {"core", "outbox"},
    **{app: {"core", "outbox", "accounts", *DOMAIN_APPS} for app in DOMAIN_APPS},
}
PROJECT_PACKAGES = {*APPS, "config", "bench", "scripts", "tests"}


@dataclass(frozen=True)
class Import:
    path: str  # the importing file, relative to the repository
    line: int
    module: str  # the module imported from (``a.b`` for ``from a.b import c`` and ``import a.b``)
    names: tuple[str, ...]  # the names taken from it; empty for ``import a.b``
    # ``a.b.c`` for ``from a.b import c``: c may be a module (``from outbox import tasks``).
    expanded: bool = False

    def __str__(self) -> str:
        names = f" ({', '.join(self.names)})" if self.names else ""
        return f"{self.path}:{self.line} imports {self.module}{names}"


def _is_type_checking_block(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")
    )


def imports_of(source: str, path: str) -> list[Import]:
    """Every absolute import in ``source``, at any depth, except those under ``if TYPE_CHECKING:``."""
    found: list[Import] = []

    def visit(node: ast.AST) -> None:
        if _is_type_checking_block(node):
            for child in getattr(node, "orelse", []):
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.extend(Import(path, node.lineno, alias.name, ()) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = tuple(alias.name for alias in node.names)
            found.append(Import(path, node.lineno, node.module, names))
            # ``from outbox import models`` imports the module ``outbox.models``.
            found.extend(Import(path, node.lineno, f"{node.module}.{name}", (), True) for name in names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(source))
    return found


def project_imports() -> list[Import]:
    found: list[Import] = []
    for folder in CHECKED_FOLDERS:
        for file in sorted((ROOT / folder).rglob("*.py")):
            relative = file.relative_to(ROOT).as_posix()
            if "/migrations/" not in relative:
                found.extend(imports_of(file.read_text(encoding="utf-8"), relative))
    return found


def _top(name: str) -> str:
    return name.split(".")[0]


def _app_of(path: str) -> str:
    return path.split("/")[0]


def _one_per_statement(found: list[Import]) -> list[Import]:
    """An import statement offends once, however many of its names do."""
    seen: set[tuple[str, int]] = set()
    unique = []
    for imported in found:
        if (imported.path, imported.line) not in seen:
            seen.add((imported.path, imported.line))
            unique.append(imported)
    return unique


def outbox_internals_violations(found: list[Import]) -> list[Import]:
    internals = ("outbox.tasks", "outbox.models")
    return _one_per_statement(
        [
            imported
            for imported in found
            if _app_of(imported.path) != "outbox"
            and any(imported.module == m or imported.module.startswith(m + ".") for m in internals)
        ]
    )


def _is_model(module: str, name: str) -> bool:
    value = getattr(importlib.import_module(module), name, None)
    return isinstance(value, type) and issubclass(value, models.Model)


def sideways_model_violations(found: list[Import]) -> list[Import]:
    """Imports of another domain app's models module, or of a ``Model`` class from it."""
    bad = []
    for imported in found:
        app, target = _app_of(imported.path), _top(imported.module)
        if app not in APPS or target not in DOMAIN_APPS or target == app:
            continue
        is_models = imported.module == f"{target}.models"
        if not is_models and (imported.expanded or not imported.module.startswith(f"{target}.models.")):
            continue
        if not imported.names or any(_is_model(imported.module, name) for name in imported.names):
            bad.append(imported)
    return _one_per_statement(bad)


def upward_violations(found: list[Import]) -> list[Import]:
    bad = []
    for imported in found:
        app, target = _app_of(imported.path), _top(imported.module)
        if target not in PROJECT_PACKAGES or target == app:
            continue
        layer_breach = app in ALLOWED_PROJECT_IMPORTS and target not in ALLOWED_PROJECT_IMPORTS[app]
        if layer_breach or (app in ("bench", "scripts") and target == "tests"):
            bad.append(imported)
    return _one_per_statement(bad)


def test_the_walk_finds_the_imports_it_checks():
    found = project_imports()
    paths = {imported.path for imported in found}
    assert "courses/services/reminders.py" in paths
    assert "portal/views/client.py" in paths
    assert "bench/common.py" in paths
    assert "privacy/views.py" in paths
    assert {"counseling", "courses", "newsletter", "privacy"} <= DOMAIN_APPS
    assert any(i.path == "courses/services/reminders.py" and i.module == "outbox.services" for i in found)


def test_no_module_outside_the_outbox_imports_its_tasks_or_models():
    assert [str(i) for i in outbox_internals_violations(project_imports())] == []


def test_no_app_imports_another_domain_apps_models():
    assert [str(i) for i in sideways_model_violations(project_imports())] == []


def test_nothing_imports_upwards_and_benchmarks_do_not_import_the_tests():
    assert [str(i) for i in upward_violations(project_imports())] == []


def test_the_rules_catch_a_new_offender_of_each_kind():
    source = (
        "from typing import TYPE_CHECKING\n"
        "from outbox.tasks import email_send_task\n"
        "from outbox import models\n"
        "from counseling.models import Booking, BookingStatus\n"
        "from portal import selectors\n"
        "if TYPE_CHECKING:\n"
        "    from counseling.models import SessionType\n"
        "def later():\n"
        "    import newsletter.models\n"
    )
    found = imports_of(source, "courses/services.py")
    assert [i.module for i in outbox_internals_violations(found)] == ["outbox.tasks", "outbox.models"]
    assert [i.module for i in sideways_model_violations(found)] == ["counseling.models", "newsletter.models"]
    assert [i.module for i in upward_violations(found)] == ["portal"]
    assert upward_violations(imports_of("from tests.system import conftest\n", "bench/api.py")) != []
    # An enum of another app is no model; a type-only import is no dependency at run time.
    assert (
        sideways_model_violations(imports_of("from counseling.models import Format\n", "portal/forms.py"))
        == []
    )
