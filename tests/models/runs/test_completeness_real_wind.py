"""Issue 15 item 7: the real wind data of 2022-01-01 (PN, BOD, BOALF of the 156 wind units
Elexon published), the 2026 register and that day's published prices from the long
SSP/SBP/NIV file, imported and settled: the completeness report names what is missing
(BSAD, MID, metered volumes, every unit that is not wind) and why prices are unavailable."""

from __future__ import annotations

import json
import math
import shutil
from datetime import date

import pytest

from engine.imbalance_price import PRICE_UNAVAILABLE
from engine.settlement_calendar import RunType
from models.db.database import SettlementDatabase
from models.imports.loader import import_files
from models.runs.completeness import (
    BSAD,
    LOLP,
    MEL_MIL,
    METERED,
    MID,
    PN,
    PUBLISHED,
    run_completeness,
)
from models.runs.results_store import settle_run
from models.runs.run_store import find_run
from tests.paths import elexon
from workbench.cli.main import main

D = date(2022, 1, 1)


@pytest.fixture(scope="module")
def wind_db(registered_db_file, tmp_path_factory):
    path = tmp_path_factory.mktemp("wind-completeness") / "wind.sqlite"
    shutil.copy(registered_db_file, path)
    files = [elexon(f"insights_json/{n}_2022-01-01.json") for n in ("PN", "BOD", "BOALF")]
    prices = elexon("system_prices/sspsbpniv_2019-04-08_2022-05-25.csv")
    with SettlementDatabase.open(path) as db:
        import_files(db, [*files, prices], only_date=D)
    return path


@pytest.fixture(scope="module")
def settled(wind_db):
    with SettlementDatabase.open(wind_db) as db:
        with db.engine.connect() as conn:
            run = find_run(conn, D, RunType.SF)
        result = settle_run(db, run.id)
        with db.engine.connect() as conn:
            yield result, run_completeness(conn, run.id, result), run_completeness(conn, run.id)


def test_every_period_has_pn_and_published_prices_and_lacks_the_rest(settled):
    _, report, _ = settled
    assert len(report.periods) == 48
    for p in report.periods:
        assert p.present == (PN, PUBLISHED), p.period
        assert p.missing == (METERED, BSAD, MID, LOLP, MEL_MIL)
        assert p.metered_units == p.bsad_actions == 0 and not p.mid
    what = [g.what for g in report.gaps]
    for missing in ("no metered volumes", "no BSAD", "no market index (MID)", "no LoLP/DRM"):
        assert missing in what
    assert not report.complete


def test_register_coverage_names_the_units_other_than_wind(settled):
    _, report, _ = settled
    register = report.register
    assert register.line() == "PN for 156 of 2,871 registered units; fuel types present: WIND"
    assert register.fuel_types_present == {"WIND": 156}
    assert register.without_pn == 2871 - 156
    missing = register.fuel_types_missing
    assert {"CCGT", "NUCLEAR", "OCGT", "PS", "NPSHYD"} <= set(missing)
    assert sum(missing.values()) == 2871 - 156
    assert register.unregistered == ()
    gap = next(g for g in report.gaps if g.what.startswith("no PN for 2,715 of 2,871"))
    assert "CCGT" in gap.what and "may differ from Elexon's" in gap.effect
    # The 2026 register, imported as effective from 2019-01-01 (conftest), is in force.
    assert register.register.startswith("snapshot 1, effective from 2019-01-01")
    assert not any(g.what.startswith("no register snapshot in force") for g in report.gaps)


def test_unavailable_prices_are_named_with_their_reason(settled):
    result, report, _ = settled
    unavailable = [
        j for j in result.inputs.periods if result.prices.price_source[j - 1] == PRICE_UNAVAILABLE
    ]
    assert unavailable, "the wind day has periods whose price needs MIP"
    assert sorted(report.price_unavailable) == unavailable
    for j in unavailable:
        assert math.isnan(result.prices.ssp[j - 1])
        reason = report.price_unavailable[j]
        assert "MIP_j" in reason and "no market index data (MID)" in reason
    # Only wind bids, all SO-flagged: nothing unflagged is left for the replacement price.
    assert all("R-PRC-REPL" in report.price_unavailable[j] for j in unavailable)


def test_stored_report_equals_the_live_one_and_no_nan_anywhere(settled):
    _, live, stored = settled
    assert stored.as_json() == live.as_json()
    text = json.dumps(live.as_json(), allow_nan=False)
    assert "nan" not in text.lower()
    assert "£nan" not in live.text() and "nan" not in live.banner().lower()
    first, second = live.banner().splitlines()
    assert first == "Incomplete: no metered volumes, BSAD, MID, LoLP/DRM, MEL/MIL."
    unavailable = len(live.price_unavailable)
    assert second.startswith(
        f"PN for 156 of 2,871 registered units (WIND); price unavailable in {unavailable} "
        "period(s) ("
    )
    assert live.banner(compact=True).splitlines() == [
        "Incomplete: 5 missing.",
        f"PN 156/2,871 units; {unavailable} price(s) unavailable.",
    ]


def test_settle_and_show_print_the_completeness(wind_db, tmp_path, capsys):
    path = tmp_path / "wind.sqlite"
    shutil.copy(wind_db, path)
    common = ["--db", str(path), "--date", "2022-01-01", "--run", "SF"]
    assert main(["settle", *common, "--json"]) == 0
    settled = json.loads(capsys.readouterr().out)
    assert settled["completeness"]["register"]["fuel_types_present"] == {"WIND": 156}
    assert main(["show", *common, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["completeness"] == settled["completeness"]
    assert main(["show", *common]) == 0
    out = capsys.readouterr().out
    assert "Completeness of 2022-01-01 SF" in out and "nan" not in out.lower()
    assert "- no BSAD [periods 1-48]" in out and "- no metered volumes [periods 1-48]" in out
