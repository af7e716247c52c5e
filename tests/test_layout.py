"""tests/ mirrors the code: each module of engine/, models/, views/ and workbench/ has its
tests at the same path, tests/<package path>/test_<module>.py, and more files for one module
are test_<module>_<aspect>.py beside it, so a reader finds a module's tests without searching.
What tests share comes from conftest.py fixtures or from helper modules, never from a test
module or a conftest module imported by name.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.paths import REPO

ROOTS = ("engine", "models", "views", "workbench")

# Modules with no behaviour of their own: what they declare is tested where it is used.
NO_BEHAVIOUR = {
    # One exception class; its messages are checked by the tests of the stages that raise it.
    "engine/errors.py",
    # Exception classes; each message is checked by the test of the module that raises it.
    "models/core/errors.py",
    "models/p114/errors.py",
    # Constants; each limit is checked by the test of the module that holds inputs to it.
    "models/core/limits.py",
    # Alembic's environment script, run by Alembic for every migration (db/test_database.py).
    "models/db/migrations/env.py",
    # `python -m workbench` calls cli.main (run so by cli/test_main.py and cli/test_common.py).
    "workbench/__main__.py",
}

# Modules without a test file of their own yet: today they are tested only through the tests
# of the modules that use them. The list may only shrink: a module given its test file must
# leave it (the test below says so), and a new module comes with its test file.
NOT_YET_MIRRORED = {
    "models/db/schema.py",
    "models/demo/market.py",
    "models/p114/record_tree.py",
    "views/day_overview.py",
    "views/unit_explorer.py",
    # The GUI's rooms and its start, tested through the window (gui/test_main_window*.py,
    # gui/test_recent_files.py, cli/test_gui.py and views/test_scenarios_gui.py drive them as
    # a user would).
    "workbench/gui/app.py",
    "workbench/gui/disputes.py",
    "workbench/gui/run_views.py",
}


def modules() -> list[str]:
    """Every module under ROOTS (a path relative to the repository), packages' __init__ and
    Alembic's migration scripts left out."""
    found = []
    for root in ROOTS:
        for path in sorted((REPO / root).rglob("*.py")):
            relative = path.relative_to(REPO)
            if path.name == "__init__.py" or "versions" in relative.parts[:-1]:
                continue
            found.append(relative.as_posix())
    return found


def mirror_of(module: str) -> Path:
    relative = Path(module)
    return REPO / "tests" / relative.parent / f"test_{relative.name}"


def test_the_modules_are_found():
    names = modules()
    assert {"engine/settle.py", "models/db/database.py", "views/inspector.py"} <= set(names)
    assert not any(name.endswith("__init__.py") or "/versions/" in name for name in names)


@pytest.mark.parametrize("module", sorted(set(modules()) - NO_BEHAVIOUR))
def test_every_module_has_its_test_file(module):
    expected = mirror_of(module)
    shown = expected.relative_to(REPO).as_posix()
    if module in NOT_YET_MIRRORED:
        assert not expected.exists(), f"{shown} exists: take {module} off NOT_YET_MIRRORED"
    else:
        assert expected.exists(), f"{module} has no {shown}"


def test_the_lists_name_only_what_exists():
    names = set(modules())
    assert not (NO_BEHAVIOUR | NOT_YET_MIRRORED) - names
    assert not NO_BEHAVIOUR & NOT_YET_MIRRORED


def imported_test_modules(path: Path) -> list[str]:
    """The test_*.py and conftest modules of tests/ that the file at path imports by name."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # `from tests.views import test_x` names the module in the imported names.
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        else:
            continue
        for name in names:
            parts = name.split(".")
            file = REPO.joinpath(*parts[:-1], f"{parts[-1]}.py")
            by_name = parts[-1].startswith("test_") or parts[-1] == "conftest"
            if parts[0] == "tests" and by_name and file.is_file():
                found.append(name)
    return found


def test_the_imports_of_test_modules_are_found(tmp_path):
    sample = tmp_path / "test_sample.py"
    sample.write_text(
        "from tests.models.impact.conftest import demo_db\n"
        "from tests.views import test_stack_view, window_driver\n"
        "import tests.models.db.test_backend_flows\n"
        "from tests.views.window_driver import open_demo\n"
        "from tests.paths import CASES\n"
    )
    assert imported_test_modules(sample) == [
        "tests.models.impact.conftest",
        "tests.views.test_stack_view",
        "tests.models.db.test_backend_flows",
    ]


@pytest.mark.parametrize(
    "path",
    sorted(p.relative_to(REPO).as_posix() for p in (REPO / "tests").rglob("*.py")),
)
def test_no_test_module_imports_a_test_module_or_a_conftest(path):
    imported = imported_test_modules(REPO / path)
    assert not imported, f"{path} imports {imported}: share a fixture or a helper module"
