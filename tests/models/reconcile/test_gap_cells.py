"""Which compared cells a known gap changes (models/reconcile/gap_cells.py): only the BM
units, accounts, parties and periods the gap reaches, never the rest."""

from dataclasses import replace

import numpy as np
import pytest

from engine.known_gaps import KNOWN_GAPS, RR_CASHFLOWS, GapUse
from models.db.database import SettlementDatabase
from models.demo.generator import DemoSpec, generate_demo
from models.reconcile.gap_cells import gap_cells
from models.runs.results_store import settle_run
from models.runs.run_store import list_runs

PERIOD = 1800  # seconds


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    path = tmp_path_factory.mktemp("gap_cells") / "demo.sqlite"
    generate_demo(path, DemoSpec(bmus=30, seed=11))  # 2024-06-12: P376, P415, NETSO, VLP
    with SettlementDatabase.open(path) as db:
        with db.engine.connect() as conn:
            sf = next(r for r in list_runs(conn) if r.run_type == "SF")
        return settle_run(db, sf.id)


def _mask(cells, level, name, gap):
    return dict(cells[(level, name)])[gap]


def test_p376_reaches_units_that_may_be_baselined_and_their_parties_only(result):
    cells = gap_cells(result)
    names = list(result.inputs.bm.bm_units)
    qme = _mask(cells, "bm_unit", "qme", "GAP-P376-BASELINING")
    assert qme.shape == (len(names), len(result.inputs.periods))
    for u, name in enumerate(names):  # T_ and I_ units are never baselined; others may be
        assert qme[u].all() == (name[:2] not in ("T_", "I_")) == qme[u].any()
    assert ("bm_unit", "qm") not in cells and ("bm_unit", "tlm") not in cells
    cnd = _mask(cells, "party", "cnd", "GAP-P376-BASELINING")
    lead = result.inputs.units.lead_party
    parties = {int(lead[u]) for u, n in enumerate(names) if n[:2] not in ("T_", "I_")}
    assert set(np.flatnonzero(cnd.any(axis=1)).tolist()) == parties


def test_netso_accounts_reach_rcrc_only_in_periods_with_bsad_actions(result):
    cells = gap_cells(result)
    rcrc = _mask(cells, "account", "rcrc", "GAP-NETSO-ENERGY-ACCOUNTS")
    bsad = set(result.inputs.bsad.period.tolist())
    assert rcrc[:, 0].all() and 1 in bsad  # period 1 has BSAD actions
    assert not rcrc[:, 4].any() and 5 not in bsad  # period 5 has none
    assert [p for p, on in zip(result.inputs.periods, rcrc[0], strict=True) if on] == sorted(bsad)
    assert all(gap != "GAP-NETSO-ENERGY-ACCOUNTS" for gap, _ in cells[("account", "caei")])


def test_a_cell_names_its_gaps_in_rulebook_order(result):
    # an account leading secondary units: P415 and VLP; every account's RCRC: the NETSO's
    found = [gap for gap, _ in gap_cells(result)[("account", "rcrc")]]
    assert found == [
        "GAP-P415-VIRTUAL-TRADING",
        "GAP-NETSO-ENERGY-ACCOUNTS",
        "GAP-VLP-VIRTUAL-ACCOUNTS",
    ]


def test_rr_reaches_the_units_pairs_and_periods_of_its_acceptances(result):
    # flag one acceptance as RR: its unit, in the periods its levels reach, and no other
    bm = result.inputs.bm
    levels = bm.acceptance_levels
    k = int(levels.owner[0])
    u = int(bm.acceptances.unit[k])
    own = levels.owner == k
    first = (levels.time_from[own] - bm.day_start) // PERIOD
    last = (levels.time_to[own] - bm.day_start - 1) // PERIOD
    reached = {int(j) + 1 for a, b in zip(first, last, strict=True) for j in range(a, b + 1)}
    rr = np.zeros(len(bm.acceptances.unit), dtype=bool)
    rr[k] = True
    inputs = replace(result.inputs, bm=replace(bm, acceptances=replace(bm.acceptances, rr_flag=rr)))
    use = GapUse(KNOWN_GAPS[RR_CASHFLOWS], "1 RR-flagged acceptance(s)")
    flagged = replace(result, inputs=inputs, known_gaps=(use,))
    cells = gap_cells(flagged)
    qme = _mask(cells, "bm_unit", "qme", RR_CASHFLOWS)
    rows, cols = np.nonzero(qme)
    assert set(rows.tolist()) == {u}
    assert {result.inputs.periods[j] for j in cols} == reached
    pairs = bm.pairs
    qab = _mask(cells, "pair", "qab", RR_CASHFLOWS)
    expected = (pairs.unit == u) & np.isin(pairs.period, sorted(reached))
    assert (qab == expected).all()
    cbm = _mask(cells, "party", "cbm", RR_CASHFLOWS)
    assert set(np.nonzero(cbm)[0].tolist()) == {int(result.inputs.units.lead_party[u])}
    assert [gap for gap, _ in cells[("bm_unit", "qme")]] == [RR_CASHFLOWS]  # P376 not used
