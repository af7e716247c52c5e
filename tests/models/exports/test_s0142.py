"""A stored run's settlement exported as an S0142: the file reads back whole (48 SPI, a BP7
per BM unit and period, a BPH per party), SRH names the run, gzip by the name, and a run that
cannot be written leaves the old file and no temporary behind."""

from __future__ import annotations

import pytest

from models.casefiles.case_file import load_case
from models.db.database import SettlementDatabase
from models.demo.generator import DemoSpec, generate_demo
from models.exports.s0142 import export_s0142
from models.p114.from_settlement import NotWritableError
from models.p114.s0142_reader import read_s0142
from models.runs.case_store import import_case
from models.runs.run_store import list_runs
from tests.paths import CASES


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A 12-unit demo day (11 parties) with its II, SF and R1 runs."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    generate_demo(path, DemoSpec(bmus=12, seed=4))
    return path


@pytest.mark.parametrize("name", ["r1.s0142", "r1.s0142.gz"])
def test_the_r1_run_reads_back_whole(demo, tmp_path, name):
    out = tmp_path / name
    with SettlementDatabase.open(demo) as db:
        with db.engine.connect() as conn:
            r1 = next(r for r in list_runs(conn) if r.run_type == "R1")
        count = export_s0142(db, r1.id, out)
    assert (out.read_bytes()[:2] == b"\x1f\x8b") == name.endswith(".gz")
    content = read_s0142(out)
    assert count == content.records
    srh = content.first("SRH")
    assert (srh["run_type"], srh["saa_run_number"]) == ("R1", 1)
    assert srh["settlement_date"].isoformat() == "2024-06-12"
    assert len(content.table("SPI")) == 48
    assert len(content.table("BP7")) == 12 * 48
    assert len(content.table("BPH")) == 11
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # no temporary left


def test_a_run_of_some_periods_is_refused_and_the_old_file_kept(tmp_path):
    out = tmp_path / "worked.s0142"
    out.write_text("the previous export")
    with SettlementDatabase.create(tmp_path / "w.sqlite") as db:
        run = import_case(db, load_case(CASES / "worked_example.json"))  # period 27 only
        with pytest.raises(NotWritableError, match="an S0142 holds every period of 2024-06-12"):
            export_s0142(db, run, out)
    assert out.read_text() == "the previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.sqlite", "worked.s0142"]
