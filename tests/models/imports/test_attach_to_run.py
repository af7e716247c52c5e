"""Issue 20 item 8: a prices-only import attaches to the run the analyst chooses
(`attach_to`, `import --attach-to-run`), not only to the date's newest run of the type; the
chosen run is also the base a new run carries forward when other data comes with the prices.
Bad choices are refused in one line, before anything is read or written.

Real files: the wind PN and BOALF of 2022-01-01 and the long SSP/SBP/NIV series (SSP of
2022-01-01 period 1 is £13.51, NIV −661.3817 MWh).
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from engine.settlement_calendar import RunType
from models.core.errors import RunNotFoundError, WorkbenchInputError
from models.imports.loader import import_files
from models.runs.run_store import create_run, list_runs
from models.runs.scenarios.store import create_scenario
from tests.paths import elexon

WIND_DAY = date(2022, 1, 1)
PN = elexon("insights_json/PN_2022-01-01.json")
BOALF = elexon("insights_json/BOALF_2022-01-01.json")
PRICES = elexon("system_prices/sspsbpniv_2019-04-08_2022-05-25.csv")


def published(db, run_id: int) -> list[tuple]:
    with db.engine.connect() as conn:
        return conn.execute(
            text(
                "SELECT period, ssp, niv FROM system_price_result "
                "WHERE run_id=:r AND origin='published' AND period=1"
            ),
            {"r": run_id},
        ).all()


@pytest.fixture
def three_runs(registered_db):
    """2022-01-01 SF #1 (PN), SF #2 (PN and BOALF, carrying #1 forward) and R1 (PN)."""
    first = import_files(registered_db, [PN]).dates[0].run_id
    second = import_files(registered_db, [BOALF], only_date=WIND_DAY).dates[0].run_id
    r1 = import_files(registered_db, [PN], run_type=RunType.R1).dates[0].run_id
    assert len({first, second, r1}) == 3
    return registered_db, first, second, r1


def test_prices_attach_to_the_chosen_older_run_not_the_newest(three_runs):
    db, first, second, r1 = three_runs
    summary = import_files(db, [PRICES], attach_to=first)
    (part,) = summary.dates  # only the run's date: the series' other 1,142 dates left out
    assert (part.run_id, part.attached, part.run_label) == (first, True, "2022-01-01 SF")
    assert part.records == {"published prices": 48}
    assert published(db, first) == [(1, 13.51, -661.3817)]
    assert published(db, second) == []
    assert any("outside 2022-01-01 were left out (the date of run" in n for n in summary.notes)
    # The default is unchanged: the newest SF run of the date.
    default = import_files(db, [PRICES], only_date=WIND_DAY)
    assert (default.dates[0].run_id, default.dates[0].attached) == (second, True)
    assert default.dates[0].run_label == "2022-01-01 SF #2"
    # A run of another type: the import takes the run's type (no --run given).
    other = import_files(db, [PRICES], attach_to=r1)
    assert (other.dates[0].run_id, other.dates[0].attached) == (r1, True)
    assert published(db, r1) == [(1, 13.51, -661.3817)]
    with db.engine.connect() as conn:
        assert len(list_runs(conn)) == 3  # attached: no run was written


def test_other_data_makes_a_new_run_carrying_the_chosen_run_forward(three_runs):
    """With data beyond published figures the chosen run is the base: SF #3 carries #1."""
    db, first, second, _ = three_runs
    summary = import_files(db, [BOALF, PRICES], attach_to=first)
    (part,) = summary.dates
    assert not part.attached and part.run_id not in (first, second)
    assert part.base_run_id == first
    assert published(db, part.run_id) == [(1, 13.51, -661.3817)]
    assert published(db, first) == []  # the base is an immutable snapshot: left as it was
    with db.engine.connect() as conn:
        numbers = [r.run_number for r in list_runs(conn, WIND_DAY) if r.run_type == "SF"]
    assert numbers == [1, 2, 3]


def count_runs(db) -> int:
    with db.engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM settlement_run")).scalar()


def test_bad_choices_are_refused_in_one_line_and_nothing_is_written(three_runs, tmp_path):
    db, first, _, r1 = three_runs
    with db.engine.begin() as conn:
        scenario = create_scenario(conn, first, "what if", author="test")
        dataset = conn.execute(
            text("SELECT bm_dataset_id FROM settlement_run WHERE id=:r"), {"r": first}
        ).scalar()
        loading = create_run(conn, WIND_DAY, RunType.R2, bm_dataset_id=dataset, source="test")
    before = count_runs(db)
    p114 = tmp_path / "S0142_20220101_SF.txt"
    p114.write_text("AAA|S0142|\n")
    refused = {
        "missing": (dict(attach_to=999), RunNotFoundError, "there is no run 999"),
        "scenario": (dict(attach_to=scenario), WorkbenchInputError, "it is a scenario"),
        "loading": (dict(attach_to=loading), WorkbenchInputError, "it is loading, not a loaded"),
        "date": (
            dict(attach_to=first, only_date=date(2022, 1, 2)),
            WorkbenchInputError,
            "it is a run of 2022-01-01, not of 2022-01-02 (--date)",
        ),
        "type": (
            dict(attach_to=r1, run_type=RunType.SF),
            WorkbenchInputError,
            "it is an R1 run, not SF (--run); give --run R1 or leave --run out",
        ),
        "p114": (
            dict(attach_to=first, paths=[PRICES, p114]),
            WorkbenchInputError,
            "P114 settlement reports (S0142_20220101_SF.txt) make runs of their own",
        ),
    }
    for name, (options, error, words) in refused.items():
        paths = options.pop("paths", [PRICES])
        with pytest.raises(error) as caught:
            import_files(db, paths, **options)
        message = str(caught.value)
        assert words in message and "\n" not in message, name
    assert count_runs(db) == before
    assert published(db, first) == published(db, r1) == []
