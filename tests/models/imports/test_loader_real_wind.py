"""End to end on real data: the wind units' PN, BOD and BOALF of 2022-01-01, imported and
settled; the engine's invariants must hold on what Elexon actually published."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date

import numpy as np
import pytest
from sqlalchemy import text

from engine.settlement_calendar import RunType
from models.imports.loader import import_files
from models.runs.inputs import load_settlement_inputs
from models.runs.results_store import settle_run
from models.runs.run_store import find_run
from tests.engine.reference_volumes import reference_volumes
from tests.paths import elexon

D = date(2022, 1, 1)


@pytest.fixture(scope="module")
def settled(registered_db_file, tmp_path_factory):
    import shutil

    from models.db.database import SettlementDatabase

    path = tmp_path_factory.mktemp("wind") / "wind.sqlite"
    shutil.copy(registered_db_file, path)
    # The files hold no market index data, which the price needs when NIV is 0 or the
    # replacement price falls back to MIP; a flat £100/MWh stands in (it moves no volume).
    mid = path.parent / "MID_2022-01-01.json"
    mid.write_text(
        json.dumps(
            {
                "data": [
                    {
                        "dataset": "MID",
                        "settlementDate": D.isoformat(),
                        "settlementPeriod": p,
                        "dataProvider": "APXMIDP",
                        "price": 100.0,
                        "volume": 1000.0,
                    }
                    for p in range(1, 49)
                ]
            }
        )
    )
    with SettlementDatabase.open(path) as db:
        files = [elexon(f"insights_json/{n}_2022-01-01.json") for n in ("PN", "BOD", "BOALF")]
        import_files(db, [*files, mid])
        with db.engine.connect() as conn:
            run = find_run(conn, D, RunType.SF)
        result = settle_run(db, run.id)
        with db.engine.connect() as conn:
            inputs = load_settlement_inputs(conn, run.id)
            acceptance_rows = conn.execute(
                text(
                    "SELECT bm_unit_id, period, number, pair, qao, qab "
                    "FROM acceptance_period_result WHERE run_id = :r"
                ),
                {"r": run.id},
            ).all()
            pair_rows = conn.execute(
                text(
                    "SELECT bm_unit_id, period, pair, qao, qab FROM pair_period_result "
                    "WHERE run_id = :r"
                ),
                {"r": run.id},
            ).all()
        yield result, inputs, acceptance_rows, pair_rows


def test_accepted_bids_are_never_positive_nor_offers_negative(settled):
    _, _, acceptance_rows, pair_rows = settled
    assert len(acceptance_rows) > 1000  # the day's wind curtailment is substantial
    assert all(qao >= 0 and qab <= 0 for *_, qao, qab in acceptance_rows)
    assert all(qao >= 0 and qab <= 0 for *_, qao, qab in pair_rows)
    # Wind is curtailed: the day's accepted bid volume dwarfs its offers.
    assert sum(r[5] for r in acceptance_rows) < -10 * sum(r[4] for r in acceptance_rows)


def test_unit_totals_are_the_sums_of_their_acceptances(settled):
    _, _, acceptance_rows, pair_rows = settled
    by_acceptance = defaultdict(float)
    for unit, period, _, pair, qao, qab in acceptance_rows:
        by_acceptance[(unit, period, pair)] += qao + qab
    by_pair = {(u, p, n): qao + qab for u, p, n, qao, qab in pair_rows}
    assert by_pair.keys() >= {k for k, v in by_acceptance.items() if v}
    for key, total in by_acceptance.items():
        assert by_pair[key] == pytest.approx(total, abs=1e-9)


def test_volumes_agree_with_the_acceptance_levels_minute_by_minute(settled):
    """The plain reference rebuilds volumes from acceptance levels, FPN and bands directly."""
    _, inputs, acceptance_rows, _ = settled
    bm = inputs.bm
    # The plain reference is slow (loops per minute): four units with many acceptances each.
    by_count = np.argsort(np.bincount(bm.acceptances.unit, minlength=len(bm.bm_units)))
    subset = bm.restricted_to(sorted(by_count[-24::6]))
    expected = reference_volumes(subset)
    acc = subset.acceptances
    stored = {(u, p, k, n): (qao, qab) for u, p, k, n, qao, qab in acceptance_rows}
    assert len(expected) > 50
    for (row, period, pair), (qao, qab) in expected.items():
        key = (subset.bm_units[acc.unit[row]], period, int(acc.number[row]), pair)
        assert stored[key] == pytest.approx((qao, qab), abs=1e-6), key


def test_checks_hold_on_real_data(settled):
    result, *_ = settled
    failed = [c for c in result.checks if not c.ok and c.rule != "metered-volumes"]
    assert not failed, failed[:3]


def test_without_market_index_data_the_price_is_unavailable_not_a_crash(registered_db):
    files = [elexon(f"insights_json/{n}_2022-01-01.json") for n in ("PN", "BOD", "BOALF")]
    import_files(registered_db, files)
    with registered_db.engine.connect() as conn:
        run = find_run(conn, D, RunType.SF)
    result = settle_run(registered_db, run.id)
    missing = [c.period for c in result.checks if c.rule == "R-PRC-MIP"]
    assert missing and all(not c.ok for c in result.checks if c.rule == "R-PRC-MIP")
    k = np.asarray(missing) - 1
    assert np.isnan(result.prices.ssp[k]).all()
    assert set(result.prices.price_source[k]) == {"unavailable"}
    assert np.isfinite(result.bm.cashflows.cbm).all()  # volumes and CBM do not need MIP
    with registered_db.engine.connect() as conn:
        stored = conn.execute(
            text("SELECT period FROM system_price_result WHERE run_id = :r AND ssp IS NULL"),
            {"r": run.id},
        ).scalars()
        assert sorted(stored) == missing
