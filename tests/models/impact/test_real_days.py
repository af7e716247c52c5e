"""Modification impact over real Elexon days: two Insights days of BM data (2022-01-01 with
its BOD, 2022-01-02 without any) and a week of DISBSAD (2025-12-01 to 07), each day settled
with the rulebook and with PAR = 50. Every array is checked against settle_day of the run's
own inputs; the report counts the periods without a price apart. Contains BMRS data ©
Elexon Limited copyright and database right 2026."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from engine.settle import settle_day
from engine.variants import VARIANTS
from models.db.database import SettlementDatabase
from models.impact.day import price_setters
from models.impact.execute import SerialExecutor, run_days
from models.impact.plan import impact_plan
from models.impact.report import CHANGED, impact_report
from models.imports.loader import import_files
from models.runs.inputs import load_settlement_inputs
from tests.paths import elexon

FIRST, LAST = date(2022, 1, 1), date(2025, 12, 7)
FILES = [
    "insights_json/BOALF_2022-01-01.json",
    "insights_json/BOALF_2022-01-02.json",
    "insights_json/BOD_2022-01-01.json",
    "insights_json/PN_2022-01-01.json",
    "insights_json/PN_2022-01-02.json",
    *(f"bsad/disbsad_2025-12-0{day}.json" for day in range(1, 8)),
]


@pytest.fixture(scope="module")
def real_db(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("real-impact") / "real.sqlite"
    with SettlementDatabase.create(path) as db:
        import_files(db, [elexon(f) for f in FILES])
    return str(path)


@pytest.fixture(scope="module")
def tasks(real_db):
    with SettlementDatabase.open(real_db) as db, db.engine.connect() as conn:
        return impact_plan(conn, FIRST, LAST)


@pytest.fixture(scope="module")
def par_50(real_db, tasks):
    return run_days(SerialExecutor(), real_db, tasks, VARIANTS["par-50"])


def test_every_real_day_is_planned_and_settled(tasks, par_50):
    assert [t.settlement_date.isoformat() for t in tasks] == ["2022-01-01", "2022-01-02"] + [
        f"2025-12-0{day}" for day in range(1, 8)
    ]
    assert par_50.failures == [] and par_50.retries == []
    assert [r.label for r in par_50.impacts] == [f"{t.settlement_date} SF" for t in tasks]


def test_each_days_arrays_are_those_of_settle_day_on_its_own_inputs(real_db, par_50):
    with SettlementDatabase.open(real_db) as db, db.engine.connect() as conn:
        for run in par_50.impacts:
            inputs = load_settlement_inputs(conn, run.run_id)
            base, varied = settle_day(inputs), settle_day(inputs, VARIANTS["par-50"])
            settled = np.asarray(base.settled_periods) - 1
            assert np.array_equal(run.price_base, base.prices.ssp[settled], equal_nan=True)
            assert np.array_equal(run.price_variant, varied.prices.ssp[settled], equal_nan=True)
            assert np.array_equal(run.niv_base, run.niv_variant)  # PAR acts after NIV
            assert run.setter_base.tolist() == price_setters(base).tolist()


def test_par_50_moves_real_prices_and_bsad_setters_are_named_by_their_id(par_50):
    by_day = {r.settlement_date: r for r in par_50.impacts}
    moved = {
        d: np.count_nonzero(np.abs(r.price_variant - r.price_base) > CHANGED)
        for d, r in by_day.items()
    }
    assert moved[date(2022, 1, 1)] > 0 and moved[date(2025, 12, 2)] > 0
    # 2022-01-02 has acceptances but no BOD: no period has a price, base or variant.
    assert np.isnan(by_day[date(2022, 1, 2)].price_base).all()
    bsad_day = by_day[date(2025, 12, 2)]
    setters = [s for s in bsad_day.setter_base.tolist() if s.startswith("stack ")]
    assert setters and all(s.startswith("stack BSAD ") for s in setters)
    assert not any("#-1" in s for s in bsad_day.setter_variant.tolist())  # no acceptance -1


def test_the_report_counts_periods_without_a_price_apart(par_50):
    report = impact_report(VARIANTS["par-50"], FIRST, LAST, par_50.impacts, par_50.failures)
    sf = report.as_json()["run_types"]["SF"]
    unavailable = sum(int(np.isnan(r.price_base).sum()) for r in par_50.impacts)
    assert sf["runs"] == 9 and sf["periods"] == sum(len(r.periods) for r in par_50.impacts)
    assert sf["price_delta"]["unavailable"] == unavailable >= 48
    assert sf["price_delta"]["count"] + unavailable == sf["periods"]
    deltas = np.concatenate([r.price_variant - r.price_base for r in par_50.impacts])
    assert sf["price_delta"]["changed"] == np.count_nonzero(np.abs(deltas) > CHANGED) > 100


def test_the_rulebook_variant_changes_no_real_price(real_db, tasks):
    done = run_days(SerialExecutor(), real_db, tasks, VARIANTS["rulebook"])
    for run in done.impacts:
        assert np.array_equal(run.price_base, run.price_variant, equal_nan=True)
        assert np.array_equal(run.charges_base, run.charges_variant)
        assert not run.setter_changed.any()
