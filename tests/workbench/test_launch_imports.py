"""Launching the workbench on a database imports neither pandas nor SQLAlchemy's ORM: they
took about 0.4 s and 0.25 s of every launch.

The run is read into numpy columns and settled, the window built and the first view filled;
pandas is for scenarios' edits, comparisons and exports, imported when they are used. The
schema is Core tables (models.db.schema): nothing needs mapped objects.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from models.demo.generator import DemoSpec, generate_demo
from tests.demo_databases import demo_with_caches

LAUNCH = """
import sys
from workbench.gui.app import run_gui
code = run_gui(sys.argv[1], smoke_test=True)
imported = [m for m in ("pandas", "sqlalchemy.orm") if m in sys.modules]
print("imported:", imported, "exit code:", code)
"""


@pytest.mark.parametrize("cached", [False, True], ids=["read-from-tables", "read-from-caches"])
def test_launch_on_a_database_imports_no_pandas_and_no_orm(tmp_path, monkeypatch, cached):
    path = tmp_path / "demo.sqlite"
    if cached:
        demo_with_caches(path, monkeypatch, bmus=20, seed=4)
    else:
        generate_demo(path, DemoSpec(bmus=20, seed=4))
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "HOME": str(tmp_path),  # the user's settings stay untouched
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    shown = subprocess.run(
        [sys.executable, "-c", LAUNCH, str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )
    assert shown.returncode == 0, shown.stderr
    status, imported = shown.stdout.strip().splitlines()[-2:]
    assert "20 BM units" in status and "checks" in status  # the run was loaded and shown
    assert imported == "imported: [] exit code: 0", shown.stdout + shown.stderr
