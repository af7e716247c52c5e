"""What the BM units view derives from a run, made with the run in the load's worker: the
worked example's day CBM and accepted volume per unit, MEL/MIL sorted by unit, and each
unit's register label (R-REG-DATED, R-REG-UNREGISTERED)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from models.casefiles.case_file import load_case
from models.db.database import SettlementDatabase
from models.runs.case_store import import_case
from models.runs.run_view import load_run_view
from models.runs.unit_summary import unit_summary
from tests.paths import CASES


@pytest.fixture(scope="module")
def worked(tmp_path_factory):
    """The worked example's run 1 (2__XSUP-1, T_GEN-1), loaded."""
    path = tmp_path_factory.mktemp("worked") / "worked.sqlite"
    with SettlementDatabase.create(path) as db:
        import_case(db, load_case(CASES / "worked_example.json"))
        return load_run_view(db, 1)


def test_the_load_makes_it_with_the_run(worked):
    summary = worked.unit_summary
    assert worked.units.bm_unit_id == ("2__XSUP-1", "T_GEN-1")
    # The worked example's T_GEN-1: its accepted offers (37.1667 MWh) and their £ cashflow.
    assert summary.cbm == pytest.approx([0.0, 2171.8333333])
    assert summary.accepted == pytest.approx([0.0, 37.1666667])
    assert summary.band_width == pytest.approx([-100.0, 50.0, 50.0])  # per pair row
    assert summary.register_label == ["—", "—"]  # a case file: not from a register
    assert not summary.register_marked.any() and summary.register_note == ["", ""]
    assert len(summary.limit_ids) == 0  # no MEL or MIL in the case
    again = unit_summary(worked)
    assert np.array_equal(again.cbm, summary.cbm) and again.register_label == ["—", "—"]


def test_mel_and_mil_are_sorted_by_unit_each_unit_one_slice(worked):
    limits = {
        "bm_unit_id": np.array(["T_GEN-1", "2__XSUP-1", "T_GEN-1"], dtype=object),
        "notification": np.array(["MEL", "MIL", "MIL"], dtype=object),
        "time_from": np.array([0, 10, 20]),
        "time_to": np.array([10, 20, 30]),
        "level_from": np.array([1.0, 2.0, 3.0]),
        "level_to": np.array([4.0, 5.0, 6.0]),
    }
    summary = unit_summary(replace(worked, limits=limits))
    assert summary.limit_ids.tolist() == ["2__XSUP-1", "T_GEN-1", "T_GEN-1"]
    assert summary.limit_rows["kind"].tolist() == ["MIL", "MEL", "MIL"]  # stable in a unit
    assert summary.limit_rows["x"].tolist() == [[10, 20], [0, 10], [20, 30]]
    assert summary.limit_rows["y"].tolist() == [[2, 5], [1, 4], [3, 6]]


def test_register_labels_say_where_each_units_data_came_from(worked):
    day = worked.run.settlement_date
    later = date(day.year + 1, 1, 1)
    units = replace(worked.units, register_snapshot=(7, 8), registered=np.array([True, False]))
    summary = unit_summary(replace(worked, units=units, register_snapshots={7: later}))
    assert summary.register_label == [f"{later.isoformat()} (#7)", "unregistered"]
    assert summary.register_marked.tolist() == [True, True]
    assert summary.register_note[0].endswith("(R-REG-DATED)")
    assert summary.register_note[1].endswith("TLF 0 (R-REG-UNREGISTERED)")
    units = replace(worked.units, register_snapshot=(9, None), registered=np.array([True, True]))
    summary = unit_summary(replace(worked, units=units, register_snapshots={7: later}))
    assert summary.register_label == ["#9", "—"]  # a snapshot not listed; not from a register
    assert not summary.register_marked.any()
