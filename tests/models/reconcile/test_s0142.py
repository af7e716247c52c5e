"""Reconciliation (models/reconcile/s0142.py): the round trip engine → S0142 → import → reconcile is
exact, and a planted difference is found, placed and ranked by its £ effect."""

import gzip
from datetime import date

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import delete

from models.db.database import SettlementDatabase
from models.db.saa_cache import read_saa_cache
from models.db.schema import SaaReportCache
from models.demo.generator import DemoSpec, generate_demo
from models.imports.loader import import_files
from models.p114.from_settlement import ReportRun, write_s0142
from models.p114.writer import trailer_for
from models.published.saa_store import read_saa
from models.reconcile.s0142 import NotAnSaaRunError, _find, compare, reconcile, tolerance_of
from models.runs.results_store import settle_run
from models.runs.run_store import list_runs


@pytest.fixture(scope="module")
def made(tmp_path_factory, settled_s0142):
    folder = tmp_path_factory.mktemp("reconcile")
    return settled_s0142(folder, 11, "shadow.s0142.gz", ReportRun("SF", saa_run_number=2))


def _import(db, path):
    (part,) = import_files(db, [path]).dates
    with db.engine.connect() as conn:
        return reconcile(conn, part.run_id)


def _planted(source, target, edits):
    """The S0142 with `edits` {(record, nth, position): delta} applied, trailer recomputed."""
    lines = gzip.decompress(source.read_bytes()).decode().splitlines()[:-1]
    seen: dict[str, int] = {}
    for n, line in enumerate(lines):
        code = line[:3]
        seen[code] = seen.get(code, 0) + 1
        for (record, nth, position), delta in edits.items():
            if code == record and seen[code] == nth:
                fields = line.split("|")
                value = f"{float(fields[position]) + delta:.6f}".rstrip("0").rstrip(".")
                fields[position] = "0" if value in ("", "-0") else value
                lines[n] = "|".join(fields)
    target.write_text("\n".join([*lines, trailer_for(lines)]) + "\n")
    return target


def test_tolerance_is_half_the_last_decimal_the_saa_field_carries():
    assert tolerance_of("PPC", "caei") == (0.005, "N0086")  # decimal(10,2)
    assert tolerance_of("BP7", "qm") == (0.0005, "N0035")  # decimal(10,3)
    assert tolerance_of("SSD", "ssp") == (0.000005, "N0215")  # decimal(10,5)
    assert tolerance_of("BP7", "tlm") == (0.5e-7, "N0234")  # decimal(8,7)
    assert tolerance_of("APD", "qce") == (0.0005, "N0002")


def test_the_round_trip_is_exact(db, made):
    rec = _import(db, made[1])
    assert rec.differences == [] and rec.notes == []  # a run with its BM data: no note
    # every level was compared, cell by cell
    parties, units = len(made[2].inputs.parties), len(made[2].inputs.bm.bm_units)
    assert rec.compared["party.caei"] == parties * 48
    assert rec.compared["account.qaei"] == 2 * parties * 48
    assert rec.compared["bm_unit.qme"] == units * 48
    assert rec.compared["system.niv"] == 48
    # pairs: those the S0142 shows moving energy or money (to its 3 and 2 decimals)
    v, c = made[2].bm.volumes, made[2].bm.cashflows
    moved = (np.round(v.qab_nj, 3) != 0) | (np.round(v.qao_nj, 3) != 0)
    moved |= (np.round(c.cb_nj, 2) != 0) | (np.round(c.co_nj, 2) != 0)
    assert rec.compared["pair.qao"] == int(moved.sum()) > 0
    # what the engine does not model is listed as such, not compared
    listed = {(n.level, n.field): n for n in rec.not_modelled}
    assert listed[("party", "rr_cashflow")].gap == "GAP-RR-CASHFLOWS"
    assert listed[("party", "bssc_cost")].cells == parties * 48
    assert not any(d.field in ("bssc_cost", "rr_cashflow") for d in rec.differences)


def test_a_planted_penny_in_one_party_period_is_found_and_ranked_first(db, made, tmp_path):
    result = made[2]
    # the 3rd PPC is party 1's period 3; position 3 is CAEI (N0086)
    path = _planted(made[1], tmp_path / "p.s0142", {("PPC", 3, 3): 0.01})
    rec = _import(db, path)
    assert len(rec.differences) == 1
    (d,) = rec.differences
    assert (d.level, d.field, d.item) == ("party", "caei", "N0086")
    assert d.key == {"party_id": result.inputs.parties[0], "period": 3}
    assert d.saa == pytest.approx(round(d.engine, 2) + 0.01, abs=1e-9)
    assert d.effect_gbp == pytest.approx(abs(d.engine - d.saa), abs=1e-12)
    assert 0.005 < d.effect_gbp < 0.015


def test_differences_rank_by_their_pound_effect(db, made, tmp_path):
    result = made[2]
    # APD 1 is party 1's P account in period 1: QAEI (position 8) 0.010 MWh more, worth
    # 0.010 × |SSP_1| in £; CBM £0.01 in party 1's period 2 (PPC 2, position 3: CBM)
    ssp = abs(float(result.prices.ssp[0]))
    path = _planted(made[1], tmp_path / "r.s0142", {("APD", 1, 8): 0.010, ("PPC", 2, 2): 0.01})
    rec = _import(db, path)
    assert [(d.level, d.field) for d in rec.differences] == (
        [("account", "qaei"), ("party", "cbm")]
        if 0.010 * ssp > 0.01
        else [("party", "cbm"), ("account", "qaei")]
    )
    volume = next(d for d in rec.differences if d.field == "qaei")
    assert volume.key == {"party_id": result.inputs.parties[0], "account": "P", "period": 1}
    assert volume.effect_gbp == pytest.approx(abs(volume.engine - volume.saa) * ssp, rel=1e-9)
    assert ssp > 1.0  # the demo day's SSP makes the volume's £0.01+ effect rank it first


def test_a_run_not_imported_from_an_s0142_is_refused(db, made):
    with db.engine.connect() as conn, pytest.raises(NotAnSaaRunError, match="holds no SAA"):
        reconcile(conn, made[3])


def test_within_half_the_last_decimal_is_agreement_beyond_it_a_difference(db, made):
    (part,) = import_files(db, [made[1]]).dates
    with db.engine.connect() as conn:
        saa = read_saa(conn, part.run_id)
    result = made[2]
    exact = result.imbalance.caei.reshape(len(result.inputs.parties), 2, 48).sum(axis=1)
    caei = saa["saa_party_period"]["caei"]  # rows: party 1's periods 1…48 first
    caei[4] = exact[0, 4] + 0.0049  # within the £0.005 an SAA's rounding may be away
    caei[9] = exact[0, 9] - 0.0051  # beyond it
    qm = saa["saa_bm_unit_period"]["qm"]
    qm[0] -= 0.0006  # MWh to 3 decimals: 0.0005 is the tolerance
    rec = compare(made[2], saa)
    found = {(d.level, d.field): d for d in rec.differences}
    assert set(found) == {("party", "caei"), ("bm_unit", "qm")}
    assert found[("party", "caei")].key["period"] == 10  # row 9: party 1, period 10
    unit = found[("bm_unit", "qm")]
    assert unit.engine - unit.saa == pytest.approx(0.0006, abs=1e-9)
    j = unit.key["period"] - 1
    assert unit.effect_gbp == pytest.approx(0.0006 * abs(made[2].prices.ssp[j]), rel=1e-6)


def test_a_unit_one_side_lacks_is_a_difference_with_that_side_absent(db, made):
    (part,) = import_files(db, [made[1]]).dates
    with db.engine.connect() as conn:
        saa = read_saa(conn, part.run_id)
    units = saa["saa_bm_unit_period"]
    row = int(np.flatnonzero(np.abs(units["qm"]) > 0.001)[0])
    real = str(units["bm_unit_id"][row])
    units["bm_unit_id"] = units["bm_unit_id"].astype(object)
    units["bm_unit_id"][row] = "X_UNKNOWN"
    rec = compare(made[2], saa)
    qm = [d for d in rec.differences if d.field == "qm"]
    assert {(d.key["bm_unit_id"], d.engine is None, d.saa is None) for d in qm} == {
        ("X_UNKNOWN", True, False),
        (real, False, True),
    }
    # a volume's £ effect is priced at its period's |SSP|, whichever side lacks it
    ssp = np.abs(made[2].prices.ssp)
    for d in qm:
        value = d.engine if d.saa is None else d.saa
        assert d.effect_gbp == pytest.approx(abs(value) * ssp[d.key["period"] - 1], rel=1e-9)


@pytest.mark.parametrize("day, periods", [(date(2024, 3, 31), 46), (date(2024, 10, 27), 50)])
def test_the_round_trip_is_exact_on_clock_change_days(tmp_path, day, periods):
    path = tmp_path / "clock.sqlite"
    generate_demo(path, DemoSpec(bmus=12, start_date=day, seed=2))
    with SettlementDatabase.open(path) as db:
        with db.engine.connect() as conn:
            sf = next(r for r in list_runs(conn) if r.run_type == "SF")
        result = settle_run(db, sf.id)
        s0142 = tmp_path / "clock.s0142"
        write_s0142(s0142, result, ReportRun("SF"))
        rec = _import(db, s0142)
    assert rec.differences == []
    assert rec.compared["system.ssp"] == periods
    assert rec.compared["party.cbm"] == len(result.inputs.parties) * periods


@given(
    keys=st.lists(st.text("ABC_-12", min_size=1, max_size=4), unique=True, max_size=30),
    wanted=st.lists(st.text("ABC_-12", min_size=1, max_size=4), max_size=30),
)
def test_find_gives_each_keys_index_or_minus_one(keys, wanted):
    found = _find(np.array(keys, dtype=str), np.array(wanted, dtype=str))
    assert found.tolist() == [keys.index(w) if w in keys else -1 for w in wanted]


def _edited(source, target, edits):
    """The S0142 with `edits` {(party, period, record, first field, position): delta}
    applied: the record of that party's block (BPH) and period (SP7) whose first field is
    given, e.g. ("HABITAT", 1, "BP7", "V__KHABI007", 7) is that unit's QME in period 1."""
    lines = gzip.decompress(source.read_bytes()).decode().splitlines()[:-1]
    party = period = None
    done = set()
    for n, line in enumerate(lines):
        fields = line.split("|")
        if fields[0] == "BPH":
            party = fields[8]
        elif fields[0] == "SP7":
            period = int(fields[1])
        for key, delta in edits.items():
            if key[:4] == (party, period, fields[0], fields[1]):
                fields[key[4]] = f"{float(fields[key[4]]) + delta:.6f}".rstrip("0").rstrip(".")
                lines[n] = "|".join(fields)
                done.add(key)
    assert done == set(edits)  # every edit found its record
    target.write_text("\n".join([*lines, trailer_for(lines)]) + "\n")
    return target


def test_a_difference_a_known_gap_explains_is_listed_as_such_not_counted(db, made, tmp_path):
    # The demo day 2024-06-12 uses P376 (after 2023-02-23), P415 and VLP (V__ units) and the
    # NETSO's accounts (BSAD actions in period 1, none in period 5). Planted: QME of
    # V__KHABI007 (may be baselined: P376) +0.5 MWh and of T_HEYM12 (a T_ unit is never
    # baselined) +0.2 MWh in period 1; RCRC of BEGL001's P account +£1 in period 1 (the
    # NETSO's imbalance is in TRC) and period 5 (no BSAD action: no NETSO imbalance); CAEI
    # of HABITAT's C account, which leads V__KHABI007 (a consumption unit), +£1 in period 5
    # (P415 and VLP).
    result = made[2]
    assert [g.id for g in result.known_gaps] == [
        "GAP-P376-BASELINING",
        "GAP-P415-VIRTUAL-TRADING",
        "GAP-NETSO-ENERGY-ACCOUNTS",
        "GAP-VLP-VIRTUAL-ACCOUNTS",
    ]
    bsad = set(result.inputs.bsad.period.tolist())
    assert 1 in bsad and 5 not in bsad
    path = _edited(
        made[1],
        tmp_path / "g.s0142",
        {
            ("HABITAT", 1, "BP7", "V__KHABI007", 7): 0.5,
            ("BEGL001", 1, "BP7", "T_HEYM12", 7): 0.2,
            ("BEGL001", 1, "APD", "P", 5): 1.0,
            ("BEGL001", 5, "APD", "P", 5): 1.0,
            ("HABITAT", 5, "APD", "C", 3): 1.0,
        },
    )
    rec = _import(db, path)
    ssp1 = abs(float(result.prices.ssp[0]))
    # unexplained: T_HEYM12's QME (£0.2 × |SSP_1|) and BEGL001's RCRC in period 5 (£1)
    unexplained = [(d.level, d.field, d.key, d.status) for d in rec.differences]
    qme = ("bm_unit", "qme", {"bm_unit_id": "T_HEYM12", "period": 1}, "difference")
    rcrc = ("account", "rcrc", {"party_id": "BEGL001", "account": "P", "period": 5}, "difference")
    assert unexplained == ([qme, rcrc] if 0.2 * ssp1 > 1.0 else [rcrc, qme])
    assert rec.difference_count == 2
    # the SAA's figures are the engine's rounded to the field's decimals: the plant ± that
    rounded = 0.0005 * ssp1 + 0.005
    assert rec.total_effect_gbp == pytest.approx(0.2 * ssp1 + 1.0, abs=rounded)
    # explained: still listed, with the gap, and their £ effect
    explained = {(d.level, d.field, d.key["period"]): d for d in rec.explained}
    assert set(explained) == {("bm_unit", "qme", 1), ("account", "rcrc", 1), ("account", "caei", 5)}
    assert explained[("bm_unit", "qme", 1)].status == "known gap GAP-P376-BASELINING"
    assert explained[("bm_unit", "qme", 1)].key["bm_unit_id"] == "V__KHABI007"
    assert explained[("bm_unit", "qme", 1)].effect_gbp == pytest.approx(0.5 * ssp1, abs=rounded)
    assert explained[("account", "rcrc", 1)].gap == "GAP-NETSO-ENERGY-ACCOUNTS"
    assert explained[("account", "caei", 5)].key == {
        "party_id": "HABITAT",
        "account": "C",
        "period": 5,
    }
    assert explained[("account", "caei", 5)].gap == (
        "GAP-P415-VIRTUAL-TRADING, GAP-VLP-VIRTUAL-ACCOUNTS"
    )
    assert rec.known_gap_count == 3
    assert rec.known_gap_effect_gbp == pytest.approx(0.5 * ssp1 + 2.0, abs=2 * rounded)
    # all five are listed, largest first; equal = compared − the five SAA cells that differ
    effects = [d.effect_gbp for d in rec.top()]
    assert len(effects) == 5 and effects == sorted(effects, reverse=True)
    assert rec.equal_count == sum(rec.compared.values()) - 5
    listed = rec.as_json()
    assert (listed["differences_total"], listed["known_gap_differences"]) == (2, 3)
    assert {d["status"] for d in listed["differences"]} == {
        "difference",
        "known gap GAP-P376-BASELINING",
        "known gap GAP-NETSO-ENERGY-ACCOUNTS",
        "known gap GAP-P415-VIRTUAL-TRADING, GAP-VLP-VIRTUAL-ACCOUNTS",
    }


def test_the_saa_figures_reconcile_alike_from_their_cache_and_from_their_rows(db, made, tmp_path):
    # a penny in a PPC, 0.01 MWh in an APD and a BP7 metered volume 0.5 MWh up (an input
    # too: the engine settles with it, so its effects spread over many cells)
    edits = {("PPC", 3, 3): 0.01, ("APD", 1, 8): 0.010, ("BP7", 5, 8): 0.5}
    (part,) = import_files(db, [_planted(made[1], tmp_path / "c.s0142", edits)]).dates
    with db.engine.connect() as conn:
        assert read_saa_cache(conn, part.run_id) is not None
        cached = reconcile(conn, part.run_id)
    with db.engine.begin() as conn:
        conn.execute(delete(SaaReportCache.__table__))
    with db.engine.connect() as conn:
        assert read_saa_cache(conn, part.run_id) is None
        from_rows = reconcile(conn, part.run_id)
    assert cached.listed_count > 3
    assert {d.level for d in cached.top()} >= {"party", "account", "bm_unit"}
    assert cached.as_json() == from_rows.as_json()


def test_credited_energy_per_bm_unit_and_account_is_compared_where_the_saa_lists_it(made):
    """APB (per account, its BM units) and MVR (per BM unit, the accounts it is credited to)
    against the engine's QCE_iaj: the lead account keeps QM × TLM of a unit without MVRNs, any
    other account gets 0 from it; a cell the SAA does not list is no difference."""
    from models.db.saa_cache import canonical

    result = made[2]
    inputs = result.inputs
    moved = set(np.asarray(inputs.reallocations.unit).tolist())
    i = next(k for k in range(len(inputs.bm.bm_units)) if k not in moved)
    unit, lead = str(inputs.bm.bm_units[i]), int(inputs.units.lead_account[i])
    party, account = str(inputs.parties[lead // 2]), "PC"[lead % 2]
    other = str(inputs.parties[(lead // 2 + 1) % len(inputs.parties)])
    qce = float(inputs.metered[i, 2] * result.tlm[i, 2])  # period 3: QM × TLM
    figures = {
        "saa_account_bm_unit_period": {
            "party_id": [party, party, other],
            "account": [account, account, "P"],
            "period": [3, 4, 3],
            "bm_unit_id": [unit, unit, unit],
            "qce": [round(qce, 3) + 0.01, round(inputs.metered[i, 3] * result.tlm[i, 3], 3), 2.0],
            "fixed_reallocation": [0.0, 0.0, 2.0],
            "percentage_reallocation": [100.0, 100.0, 0.0],
        },
        "saa_bm_unit_mvr": {
            "bm_unit_id": [unit],
            "period": [3],
            "party_id": [party],
            "account": [account],
            "qce": [round(qce, 3)],
            "fixed_reallocation": [0.0],
            "percentage_reallocation": [100.0],
        },
    }
    rec = compare(result, canonical(figures))
    assert rec.compared["account_bm_unit.qce"] == 3
    assert rec.compared["bm_unit_mvr.qce"] == 1
    found = sorted(
        (d for d in rec.top() if d.level in ("account_bm_unit", "bm_unit_mvr")),
        key=lambda d: d.key["party_id"] == other,
    )
    assert [(d.level, d.key["party_id"], d.key["period"]) for d in found] == [
        ("account_bm_unit", party, 3),
        ("account_bm_unit", other, 3),
    ]
    planted, elsewhere = found
    assert planted.item == "N0061" and planted.tolerance == 0.0005
    assert planted.saa - planted.engine == pytest.approx(0.01 + round(qce, 3) - qce, abs=1e-9)
    ssp = abs(float(result.prices.ssp[2]))
    assert planted.effect_gbp == pytest.approx(abs(planted.saa - planted.engine) * ssp)
    assert (elsewhere.engine, elsewhere.saa) == (0.0, 2.0)  # no MVRN moves it to `other`
