"""The SAA's own figures of an S0142, as the saa_* tables hold them: one system row per period,
a party row per party and period, a BM unit row per unit and period under its lead party, only
the pairs that moved energy or money; stored with a run and read back value for value."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pytest

from models.casefiles.case_file import load_case
from models.db.database import SettlementDatabase
from models.p114.synthetic import SyntheticSpec, synthetic_s0142
from models.published.saa_store import read_saa, read_saa_report, saa_columns, write_saa
from models.runs.case_store import import_case
from tests.paths import CASES

# 7 parties, 40 BM units, 48 periods (2026-02-17).
SPEC = SyntheticSpec(parties=7, bm_units=40, limit_units=6, rate_units=5, offer_units=8)
REPORT = {
    "flow": "S0142", "version": "013", "file_name": "synthetic.s0142", "file_sha256": "0" * 64,
    "created": datetime(2026, 9, 22, 22, 44, 32), "from_participant": "UKDC", "sequence": 41697,
    "test_flag": "OPER", "run_type": "R1", "saa_run_number": 2, "saa_cdca_run_number": 1,
    "svaa_cdca_run_number": 1, "svaa_ssr_run_number": 0, "record_count": 10, "checksum": 7,
}  # fmt: skip


@pytest.fixture(scope="module")
def content():
    return synthetic_s0142(SPEC)


def test_rows_per_table_follow_the_record_tree(content):
    columns = saa_columns(content)
    rows = {name: len(next(iter(table.values()))) for name, table in columns.items()}
    assert rows["saa_system_period"] == 48
    assert rows["saa_party_period"] == 7 * 48
    assert rows["saa_bm_unit_period"] == 40 * 48
    assert rows["saa_account_period"] == len(content.table("APD"))
    system = columns["saa_system_period"]
    assert system["period"].tolist() == list(range(1, 49))
    # System prices are the first party block's SSD; SSD repeats SPI's, which agree.
    np.testing.assert_array_equal(system["ssp"], content.table("SPI").columns["ssp"])


def test_only_pairs_that_moved_energy_or_money_are_kept():
    content = synthetic_s0142(SPEC)
    bo4 = content.table("BO4")
    assert len(saa_columns(content)["saa_pair_period"]["pair"]) == len(bo4)  # all moved
    for key in ("qab", "qao", "cb", "co"):
        bo4.columns[key][0] = 0.0  # a pair with nothing accepted and no cashflow
        bo4.columns[key][1] = np.nan  # one whose figures are absent
    assert len(saa_columns(content)["saa_pair_period"]["pair"]) == len(bo4) - 2


def test_a_runs_saa_figures_read_back_as_written(content, tmp_path):
    columns = saa_columns(content)
    with SettlementDatabase.create(tmp_path / "s.sqlite") as db:
        run = import_case(db, load_case(CASES / "worked_example.json"))
        with db.engine.begin() as conn:
            written = write_saa(conn, run, REPORT, columns)
        with db.engine.connect() as conn:
            report = read_saa_report(conn, run)
            back = read_saa(conn, run)
            assert read_saa_report(conn, run + 1) is None
    assert written["saa_bm_unit_period"] == 40 * 48
    assert {k: report[k] for k in REPORT} == REPORT
    # Read back in key order: compare each table sorted by its own key columns.
    units, units_back = columns["saa_bm_unit_period"], back["saa_bm_unit_period"]
    order = np.lexsort((units["period"], units["bm_unit_id"]))
    for key in ("qm", "tlm", "cnd", "party_id"):
        np.testing.assert_array_equal(units_back[key], np.asarray(units[key])[order], err_msg=key)
    assert back["saa_system_period"]["period"].tolist() == list(range(1, 49))
