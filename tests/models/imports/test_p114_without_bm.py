"""An S0142 for a date no run holds (models/imports/p114_without_bm.py): a run of its SRH run
type with empty BM data, its units from the file, a warning and a completeness report that
say BM data is missing; the import stays all-or-nothing."""

import numpy as np
import pytest
from sqlalchemy import func, select

from models.db.database import SettlementDatabase
from models.db.schema import BmDataset, SettlementRun
from models.imports.loader import import_files
from models.imports.report import ImportRejected
from models.published.saa_store import read_saa_report
from models.reconcile.s0142 import reconcile
from models.runs.completeness import run_completeness
from models.runs.inputs import load_settlement_inputs
from models.runs.run_warnings import read_run_warnings
from tests.models.p114.s0142_files import framed, s0142_records, write


@pytest.fixture
def empty(tmp_path):
    with SettlementDatabase.create(tmp_path / "empty.sqlite") as db:
        yield db


def _count(db, table) -> int:
    with db.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table.__table__)).scalar()


def test_an_s0142_alone_becomes_a_run_with_empty_bm_data_and_says_so(empty, tmp_path):
    # the hand-built day: T_GEN-1 of GEN1 (its APB under GEN1's P account), QM 99.5 MWh, and
    # 2__AALAB000 of SUP1 (under SUP1's C account), QM −4.25 MWh, every period; TLF
    # 0.0123457 both; one BSAD action (period 1); SRH run type R3
    path = write(tmp_path / "alone.s0142", framed(s0142_records()))
    summary = import_files(empty, [path])
    (part,) = summary.dates
    assert (part.run_label, part.base_run_id, part.warnings) == ("2026-02-17 R3", None, 1)
    # listed with the import's warnings (so --strict refuses it), and kept with the run
    (told,) = summary.warnings
    assert str(told).startswith(
        "alone.s0142, line 2: SRH settlement_date = 2026-02-17: no run of this date holds BM "
        "data (PN, BOD, BOALF)"
    )
    with empty.engine.connect() as conn:
        (warning,) = read_run_warnings(conn, part.run_id)
        inputs = load_settlement_inputs(conn, part.run_id)
        completeness = run_completeness(conn, part.run_id)
        assert read_saa_report(conn, part.run_id)["run_type"] == "R3"
        rec = reconcile(conn, part.run_id)
    assert "Import the date's Insights BM data, then this S0142 again" in warning.reason
    assert list(inputs.bm.bm_units) == ["2__AALAB000", "T_GEN-1"]
    assert list(inputs.units.consumption) == [True, False]  # from the APB records' accounts
    assert [inputs.parties[p] for p in inputs.units.lead_party] == ["SUP1", "GEN1"]
    np.testing.assert_array_equal(inputs.units.tlf, [0.0123457, 0.0123457])
    np.testing.assert_array_equal(inputs.metered[:, [0, 47]], [[-4.25, -4.25], [99.5, 99.5]])
    assert len(inputs.bm.pairs.pair) == 0 and len(inputs.bm.acceptances.unit) == 0
    assert len(inputs.bsad.period) == 1
    # the completeness report: no PN in any period, so no QME
    (pn,) = [g for g in completeness.gaps if "physical notifications" in g.what]
    assert pn.periods == tuple(range(1, 49)) and not completeness.complete
    # it reconciles: without BM data the SAA's QME of 98.5 MWh is a difference (engine 0)
    qme = [d for d in rec.differences if (d.field, d.key.get("bm_unit_id")) == ("qme", "T_GEN-1")]
    assert len(qme) == 48 and qme[0].saa == 98.5 and qme[0].engine == 0.0
    assert rec.notes and rec.notes[0].startswith("the run has no BM data (PN, BOD, BOALF")


def test_without_apb_records_pc_status_comes_from_the_metered_volume_with_a_warning(
    empty, tmp_path
):
    records = [r for r in s0142_records() if not r.startswith("APB|")]
    path = write(tmp_path / "no_apb.s0142", framed(records))
    (part,) = import_files(empty, [path]).dates
    with empty.engine.connect() as conn:
        warnings = read_run_warnings(conn, part.run_id)
        inputs = load_settlement_inputs(conn, part.run_id)
    assert list(inputs.units.consumption) == [True, False]
    by_unit = {w.value: w.reason for w in warnings[1:]}
    assert by_unit["2__AALAB000"].endswith(
        "consumption from its metered volume over the day (-204.000 MWh)"
    )  # −4.25 × 48
    assert by_unit["T_GEN-1"].endswith(
        "production from its metered volume over the day (4,776.000 MWh)"
    )  # 99.5 × 48


def test_strict_refuses_it_for_its_warning(empty, tmp_path):
    path = write(tmp_path / "alone.s0142", framed(s0142_records()))
    with pytest.raises(ImportRejected) as caught:
        import_files(empty, [path], strict=True)
    assert "no run of this date holds BM data" in caught.value.report.text()
    assert _count(empty, SettlementRun) == 0


def test_a_rejected_file_in_the_same_import_leaves_nothing_written(empty, tmp_path):
    good = write(tmp_path / "good.s0142", framed(s0142_records()))
    lines = framed(s0142_records("20260218"))
    lines[-1] = lines[-1].replace("ZZZ|", "ZZZ|1")  # a record count that does not match
    bad = write(tmp_path / "bad.s0142", lines)
    with pytest.raises(ImportRejected) as caught:
        import_files(empty, [good, bad])
    assert "bad.s0142" in caught.value.report.text()
    assert _count(empty, SettlementRun) == 0 and _count(empty, BmDataset) == 0


def test_an_s0142_whose_parties_have_no_bm_units_imports_and_reconciles(empty, tmp_path):
    # BP7 (and APD) are 0-* under SP7: the BM unit records then sit only under the system
    # block's BPI, and the run has the file's parties and no units (a reader IndexError before)
    records = [r for r in s0142_records() if r[:3] not in {"APD", "APB", "BP7", "MVR"}]
    (part,) = import_files(empty, [write(tmp_path / "no_units.s0142", framed(records))]).dates
    assert (part.run_label, part.warnings) == ("2026-02-17 R3", 1)
    with empty.engine.connect() as conn:
        inputs = load_settlement_inputs(conn, part.run_id)
        rec = reconcile(conn, part.run_id)
    assert len(inputs.bm.bm_units) == 0 and sorted(inputs.parties) == ["GEN1", "SUP1"]
    # no BM unit period is compared; the system block's one BO4 (T_GEN-1, period 1) still is
    assert {d.level for d in rec.differences} == {"system", "party", "pair"}


def test_units_the_dates_run_lacks_come_from_the_file_with_a_warning(empty, tmp_path):
    # a run from Insights data names only units with BM data; an S0142 settles every unit,
    # supplier units (2__) included. Here the date's run holds T_GEN-1 only (an S0142 without
    # SUP1's unit), and the full S0142 then adds 2__AALAB000, C from its APB account
    full = s0142_records()
    partial = [r for r in full if "2__AALAB000" not in r or r.startswith("BPI")]
    first = import_files(empty, [write(tmp_path / "partial.s0142", framed(partial))]).dates[0]
    summary = import_files(empty, [write(tmp_path / "full.s0142", framed(full))])
    (part,) = summary.dates
    assert part.base_run_id == first.run_id and part.warnings == 1
    (told,) = summary.warnings
    assert str(told).startswith(
        f"full.s0142, line 747: BP7 bm_unit_id = 2__AALAB000: 1 BM unit(s) of the file are not "
        f"in run {first.run_id} of 2026-02-17 (2__AALAB000)"
    )
    with empty.engine.connect() as conn:
        inputs = load_settlement_inputs(conn, part.run_id)
    assert list(inputs.bm.bm_units) == ["2__AALAB000", "T_GEN-1"]
    assert list(inputs.units.consumption) == [True, False]
    assert [inputs.parties[p] for p in inputs.units.lead_party] == ["SUP1", "GEN1"]
    np.testing.assert_array_equal(inputs.metered[:, [0, 47]], [[-4.25, -4.25], [99.5, 99.5]])
