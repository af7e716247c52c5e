"""A small multi-day demo database for the impact tests: 12 BM units, 3 dates, runs II, SF
and R1 of each (models.demo), made once per session and only read."""

from pathlib import Path

import pytest

from models.demo.generator import DemoSpec, generate_demo
from tests.models.impact.impact_demo import FIRST


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("impact") / "demo.sqlite"
    generate_demo(Path(path), DemoSpec(bmus=12, start_date=FIRST, days=3, seed=1))
    return str(path)
