"""The demo generator: deterministic, GB-like, and every feature the issue names is present."""

from __future__ import annotations

import hashlib
import itertools
from datetime import date

import numpy as np
import pytest
from sqlalchemy import text

from models.casefiles.case_file import case_errors
from models.core.errors import DatabaseOpenError
from models.db.database import SettlementDatabase
from models.demo.generator import DemoSpec, generate_demo
from models.runs.case_store import export_case
from models.runs.run_store import list_runs


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    summary = generate_demo(path, DemoSpec(bmus=80, seed=3))
    db = SettlementDatabase.open(path)
    yield db, summary
    db.close()


def query(db: SettlementDatabase, sql: str) -> list:
    with db.engine.connect() as conn:
        return conn.execute(text(sql)).all()


def test_same_seed_same_inputs_other_seed_other_inputs(tmp_path):
    cases = []
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        path = tmp_path / f"{name}.sqlite"
        generate_demo(path, DemoSpec(bmus=20, seed=seed))
        with SettlementDatabase.open(path) as db, db.engine.connect() as conn:
            runs = list_runs(conn)
            cases.append([export_case(db, r.id) for r in runs])
    assert cases[0] == cases[1]
    assert cases[0] != cases[2]


def test_runs_ii_sf_r1_share_bm_data_and_revise_metering(demo):
    db, _summary = demo
    with db.engine.connect() as conn:
        runs = list_runs(conn)
    assert [r.run_type for r in runs] == ["II", "SF", "R1"]
    assert len({r.bm_dataset_id for r in runs}) == 1
    assert all(r.status == "loaded" and r.metered_volumes == 80 * 48 for r in runs)
    changed = query(
        db,
        "SELECT count(*) FROM metered_volume a JOIN metered_volume b "
        "ON a.bm_unit_id = b.bm_unit_id AND a.period = b.period "
        f"WHERE a.run_id = {runs[1].id} AND b.run_id = {runs[2].id} AND a.mwh <> b.mwh",
    )[0][0]
    assert 0 < changed < 80 * 48 / 2  # some units re-metered between SF and R1, not all


def test_every_kind_of_unit_is_present_with_its_real_id_prefix(demo):
    db, _ = demo
    kinds = dict(query(db, "SELECT fuel_type, count(*) FROM bm_unit GROUP BY fuel_type"))
    for fuel in ("CCGT", "WIND", "PS", "BATTERY", "INTERCONNECTOR", "SUPPLIER"):
        assert kinds.get(fuel, 0) >= 1, fuel
    ids = [r[0] for r in query(db, "SELECT id FROM bm_unit")]
    assert any(i.startswith("I_") for i in ids) and any(i.startswith("2__") for i in ids)


def test_supplier_base_units_meter_negative_and_wind_bids_are_negative(demo):
    db, _ = demo
    supplier_max = query(
        db,
        "SELECT max(m.mwh) FROM metered_volume m JOIN bm_unit u ON u.id = m.bm_unit_id "
        "WHERE u.id LIKE '2\\_\\_%' ESCAPE '\\'",
    )[0][0]
    assert supplier_max <= 0
    wind_bids = query(
        db,
        "SELECT max(b.bid_price) FROM bid_offer b JOIN bm_unit u ON u.id = b.bm_unit_id "
        "WHERE u.fuel_type = 'WIND' AND b.pair < 0",
    )[0][0]
    assert wind_bids < 0


def test_units_submit_two_to_ten_pairs_numbered_within_six_with_offer_at_least_bid(demo):
    db, _ = demo
    counts = [
        r[0]
        for r in query(
            db,
            "SELECT count(DISTINCT pair) FROM bid_offer WHERE period = 20 GROUP BY bm_unit_id",
        )
    ]
    assert counts and min(counts) >= 2 and max(counts) <= 10
    bad = query(db, "SELECT count(*) FROM bid_offer WHERE offer_price < bid_price OR pair = 0")
    assert bad[0][0] == 0
    assert query(db, "SELECT min(pair), max(pair) FROM bid_offer")[0] >= (-6, 1)


def test_acceptances_include_so_flagged_short_and_reversing_ones(demo):
    db, _ = demo
    so = query(db, "SELECT count(*) FROM acceptance WHERE so_flag")[0][0]
    total = query(db, "SELECT count(*) FROM acceptance")[0][0]
    assert total >= 100 and 0 < so < total
    spans = query(
        db,
        "SELECT bm_unit_id, number, min(time_from), max(time_to) FROM acceptance_level "
        "GROUP BY bm_unit_id, number ORDER BY bm_unit_id, number",
    )
    assert any(end - start < 600 for _, _, start, end in spans)  # shorter than CADL
    reversals = 0
    for (unit_a, _, start_a, end_a), (unit_b, _, start_b, end_b) in itertools.pairwise(spans):
        if unit_a == unit_b and start_a < start_b < end_a and end_b == end_a:
            reversals += 1
    assert reversals >= 1


def test_metered_volumes_deviate_plausibly_from_fpn(demo):
    db, _ = demo
    rows = query(
        db,
        "SELECT m.mwh, (f.level_from + f.level_to) / 4.0 FROM metered_volume m "
        "JOIN settlement_run r ON r.id = m.run_id AND r.run_type = 'SF' "
        "JOIN physical_notification f ON f.dataset_id = r.bm_dataset_id "
        "AND f.bm_unit_id = m.bm_unit_id AND f.notification = 'FPN' AND f.seq = m.period - 1 "
        "JOIN bm_unit u ON u.id = m.bm_unit_id WHERE u.fuel_type = 'NUCLEAR'",
    )
    metered, fpn = np.array(rows).T
    assert not np.allclose(metered, fpn)
    assert np.all(np.abs(metered - fpn) <= 0.25 * np.abs(fpn) + 1)


def test_contract_notifications_roughly_balance_each_party(demo):
    db, _ = demo
    rows = query(
        db,
        "WITH sold AS (SELECT from_party_id p, sum(mwh) v FROM ecvn e JOIN settlement_run r "
        "ON r.id = e.run_id AND r.run_type = 'SF' GROUP BY 1), "
        "bought AS (SELECT to_party_id p, sum(mwh) v FROM ecvn e JOIN settlement_run r "
        "ON r.id = e.run_id AND r.run_type = 'SF' GROUP BY 1), "
        "metered AS (SELECT u.lead_party_id p, sum(m.mwh) v FROM metered_volume m "
        "JOIN settlement_run r ON r.id = m.run_id AND r.run_type = 'SF' "
        "JOIN run_bm_unit u ON u.run_id = m.run_id AND u.bm_unit_id = m.bm_unit_id GROUP BY 1) "
        "SELECT m.p, m.v, coalesce(s.v, 0) - coalesce(b.v, 0) FROM metered m "
        "LEFT JOIN sold s ON s.p = m.p LEFT JOIN bought b ON b.p = m.p",
    )
    metered = np.array([r[1] for r in rows])
    contracted = np.array([r[2] for r in rows])
    assert len(rows) >= 20
    # Parties' net contract positions track their metered positions: over the whole market
    # the absolute mismatch is a few per cent of the volume, as imbalance should be.
    mismatch = np.abs(contracted - metered).sum() / np.abs(metered).sum()
    assert 0 < mismatch < 0.1


def test_bsad_market_index_and_lolp_cover_every_period(demo):
    db, _ = demo
    assert query(db, "SELECT count(DISTINCT period) FROM market_index")[0][0] == 48
    assert query(db, "SELECT count(DISTINCT period) FROM lolp")[0][0] == 48
    assert query(db, "SELECT count(*) FROM bsad_action")[0][0] > 10
    assert query(db, "SELECT count(*) FROM mvrn")[0][0] >= 3  # one per run at least


def test_exported_demo_runs_are_valid_case_files(demo):
    db, _ = demo
    with db.engine.connect() as conn:
        run = list_runs(conn)[0]
    assert case_errors(export_case(db, run.id)) == []


def test_clock_change_days_have_46_and_50_periods(tmp_path):
    for day, periods in ((date(2026, 3, 29), 46), (date(2025, 10, 26), 50)):
        path = tmp_path / f"{day}.sqlite"
        generate_demo(path, DemoSpec(bmus=15, start_date=day))
        with SettlementDatabase.open(path) as db:
            assert query(db, "SELECT count(DISTINCT period) FROM metered_volume")[0][0] == periods
            with db.engine.connect() as conn:
                assert case_errors(export_case(db, list_runs(conn)[0].id)) == []


def test_several_days_and_an_existing_file_is_not_overwritten(tmp_path):
    path = tmp_path / "d.sqlite"
    summary = generate_demo(path, DemoSpec(bmus=15, days=2))
    assert summary.runs == 6
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(DatabaseOpenError, match="already exists"):
        generate_demo(path, DemoSpec(bmus=15))
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
