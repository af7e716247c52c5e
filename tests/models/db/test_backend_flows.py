"""The models' flows on SQLite and on real PostgreSQL and MariaDB servers (issue 21).

Each backend goes through the same flows: import a case file, settle and store it, edit a
scenario (with undo and redo), settle it, compare, open a dispute case; generate a demo day
whose BM data and run inputs are cached, and settle it from its caches and from its rows; and
import real Elexon files (the 2026 register, a day's wind PN, BOD and BOALF) and settle the
day. What a server stores and gives back must equal SQLite's exactly: the same figures to the
last bit, the same audit trail, the same cache bytes. The worked example's hand-computed
figures (rulebook §12) pin SQLite itself; each flow asserts the dialect it ran on.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from engine.settle import settle_day
from engine.settlement_calendar import RunType
from models.casefiles.case_file import load_case
from models.casefiles.results_json import result_document
from models.db.database import SettlementDatabase
from models.db.schema import BmDatasetCache, RunInputCache, ScenarioAudit
from models.demo.generator import DemoSpec, generate_demo
from models.disputes import dispute_cases as cases
from models.disputes.compare import compare
from models.exports.packs import write_case_pack, write_comparison_pack, write_run_workbook
from models.imports.loader import import_files
from models.p114.from_settlement import ReportRun, write_s0142
from models.published.saa_store import read_saa
from models.reconcile.s0142 import reconcile
from models.runs.case_store import import_case
from models.runs.inputs import case_settlement_inputs
from models.runs.results_store import settle_run, stored_document
from models.runs.run_store import find_run, list_runs
from models.runs.scenarios import store
from models.runs.stored_check import compare_with_stored, read_stored_results
from tests.models.db.backends import DIALECT, SERVERS, created

TESTS = Path(__file__).resolve().parents[2]
WORKED_EXAMPLE = TESTS / "cases" / "worked_example.json"
ELEXON = TESTS.parent.parent / "shared" / "data" / "elexon"
GEN = "T_GEN-1"
VARYING_COLUMN = "when (UTC)"  # an audit trail's instants: another run, another time
WIND_DAY = date(2022, 1, 1)


def _worked_example(target, backend: str, folder: Path) -> dict:
    """Import the worked example, settle it, edit a scenario of it, compare, open a case;
    export the run's workbook, the comparison's and the case's evidence packs."""
    case = load_case(WORKED_EXAMPLE)
    with created(target, backend) as db:
        run_id = import_case(db, case)
        base = settle_run(db, run_id)
        with db.engine.begin() as conn:
            scenario = store.create_scenario(conn, run_id, "what if", author="analyst",
                                             reason="§12")  # fmt: skip
            store.edit(conn, scenario, "remove_acceptance", {"bm_unit": GEN, "number": 2}, None,
                       author="analyst", reason="acceptance 2 disputed")  # fmt: skip
            store.edit(conn, scenario, "metered_volume", {"bm_unit": GEN, "period": 27},
                       {"mwh": 80.0}, author="analyst", reason="meter reading")  # fmt: skip
            store.undo(conn, scenario, author="analyst")
            store.redo(conn, scenario, author="analyst")
            store.undo(conn, scenario, author="analyst")
        after = settle_run(db, scenario)
        with db.engine.begin() as conn:
            store.record_settle(conn, scenario, author="analyst", summary="settled")
            case_id = cases.create_dispute_case(conn, reference="TD-2024-001", raising_party="GEN",
                                        run_id=run_id, periods=[27], description="acceptance 2",
                                        run_date=date(2024, 7, 4))  # fmt: skip
            cases.add_scenario(conn, case_id, scenario)
            cases.set_status(conn, case_id, "raised")
        comparison = compare(base, after, "base", "scenario")
        exports = {
            "run": write_run_workbook(db, run_id, folder / "run.xlsx"),
            "comparison": write_comparison_pack(db, run_id, scenario, folder / "compare.xlsx"),
            "case": write_case_pack(db, case_id, folder / "case.xlsx"),
        }
        with db.engine.connect() as conn:
            stamps = conn.execute(
                select(ScenarioAudit.at).where(ScenarioAudit.run_id == scenario)
            ).scalars()
            return {
                "stored": stored_document(conn, run_id),
                "expected": result_document(settle_day(case_settlement_inputs(case))),
                "scenario_stored": stored_document(conn, scenario),
                "base": base,
                "after": after,
                "overrides": [
                    _timeless(r) for r in store.overrides(conn, scenario, active_only=False)
                ],
                "trail": [_timeless(r) for r in store.audit_trail(conn, scenario)],
                "stamps": list(stamps),
                "parties": comparison.parties.to_dict("list"),
                "periods": comparison.period_summary.to_dict("list"),
                "units": comparison.unit_periods.to_dict("list"),
                "explanation": comparison.explanation,
                "verdict": comparison.verdict(),
                "case": cases.get_dispute_case(conn, case_id).as_json(),
                "scenarios": [s["name"] for s in store.list_scenarios(conn, run_id)],
                "exports": {name: _cells(path) for name, path in exports.items()},
            }


def _cells(path: Path) -> dict[str, list[tuple]]:
    """Each sheet's values, row by row, an audit trail's instants left out."""
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True)
    sheets = {}
    for sheet in workbook.worksheets:
        rows, varying = [], set()
        for row in sheet.iter_rows(values_only=True):
            if VARYING_COLUMN in row:  # a header: its instants' column
                varying = {i for i, name in enumerate(row) if name == VARYING_COLUMN}
            rows.append(tuple(None if i in varying else v for i, v in enumerate(row)))
        sheets[sheet.title] = rows
    workbook.close()
    return sheets


def _timeless(record) -> dict:
    """An override or audit record without its time (which differs from one run to the next)
    and its database user (the login differs by backend: tests/models/runs/scenarios)."""
    return {k: v for k, v in asdict(record).items() if k not in ("created_at", "at", "db_user")}


def _demo_with_caches(target, backend: str, _folder: Path) -> dict:
    """A demo day whose BM data and run inputs are cached (as a GB-scale day's are), settled
    from its caches, then again from its rows once the caches are gone."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("models.runs.run_store.CACHE_MIN_ROWS", 0)
        patch.setattr("models.db.dataset_cache.CACHE_MIN_ROWS", 0)
        patch.setattr("models.db.dataset_cache.RUN_CACHE_MIN_ROWS", 0)
        generate_demo(target, DemoSpec(bmus=12, seed=21))
    with SettlementDatabase.open(target) as db:
        assert db.engine.dialect.name == DIALECT[backend]
        with db.engine.connect() as conn:
            runs = {r.run_type: r.id for r in list_runs(conn)}
            datasets = conn.execute(
                select(BmDatasetCache.payload).order_by(BmDatasetCache.dataset_id)
            ).scalars()
            inputs = conn.execute(
                select(RunInputCache.payload).order_by(RunInputCache.run_id)
            ).scalars()
            payloads = {"datasets": list(datasets), "inputs": list(inputs)}
        from_caches = {t: _settled(db, i) for t, i in runs.items()}
        with db.engine.begin() as conn:
            conn.execute(delete(RunInputCache.__table__))
            conn.execute(delete(BmDatasetCache.__table__))
        from_rows = {t: _settled(db, i) for t, i in runs.items()}
    return {"payloads": payloads, "from_caches": from_caches, "from_rows": from_rows}


def _settled(db: SettlementDatabase, run_id: int) -> dict:
    settle_run(db, run_id)
    with db.engine.connect() as conn:
        return stored_document(conn, run_id)


def _market_index(folder: Path) -> Path:
    """The wind files hold no market index data, which the price needs when NIV is 0 or the
    replacement price falls back to MIP: a flat £100/MWh stands in (it moves no volume)."""
    path = folder / f"MID_{WIND_DAY}.json"
    records = [
        {"dataset": "MID", "settlementDate": WIND_DAY.isoformat(), "settlementPeriod": p,
         "dataProvider": "APXMIDP", "price": 100.0, "volume": 1000.0}
        for p in range(1, 49)
    ]  # fmt: skip
    path.write_text(json.dumps({"data": records}))
    return path


def _elexon_day(target, backend: str, folder: Path) -> dict:
    """Real Elexon files through models.imports: the register, then a day's PN, BOD, BOALF."""
    day = [ELEXON / "insights_json" / f"{n}_{WIND_DAY}.json" for n in ("PN", "BOD", "BOALF")]
    with created(target, backend) as db:
        register = import_files(
            db, [ELEXON / "reference" / "bmu_register_insights_2026.csv"],
            effective_from=date(2019, 1, 1),
        )  # fmt: skip
        summary = import_files(db, [*day, _market_index(folder)])
        with db.engine.connect() as conn:
            run = find_run(conn, WIND_DAY, RunType.SF)
        return {
            "register": _summary(register, folder),
            "day": _summary(summary, folder),
            "stored": _settled(db, run.id),
        }


def _summary(summary, folder: Path) -> str:
    """What an import summary says, but in which folder the made market index file was."""
    return summary.text().replace(str(folder), "<folder>")


def _s0142_round_trip(target, backend: str, folder: Path) -> dict:
    """A demo day's SF run settled, checked against its stored results, written as the SAA's
    S0142, imported back (a new run with the SAA's figures) and reconciled."""
    generate_demo(target, DemoSpec(bmus=30, seed=11))
    with SettlementDatabase.open(target) as db:
        assert db.engine.dialect.name == DIALECT[backend]
        with db.engine.connect() as conn:
            sf = next(r.id for r in list_runs(conn) if r.run_type == "SF")
        result = settle_run(db, sf)
        with db.engine.connect() as conn:
            check = compare_with_stored(result, read_stored_results(conn, sf))
        s0142 = folder / "shadow.s0142.gz"
        write_s0142(s0142, result, ReportRun("SF", saa_run_number=2))
        (part,) = import_files(db, [s0142]).dates
        with db.engine.connect() as conn:
            reconciliation = reconcile(conn, part.run_id)
            saa = {
                table: {name: _nulls(values) for name, values in columns.items()}
                for table, columns in read_saa(conn, part.run_id).items()
            }
    return {"check": check, "reconciliation": reconciliation, "saa": saa}


def _nulls(values) -> list:
    """A column as a list, NaN as None: NaN equals nothing, not even another NaN."""
    return [None if v != v else v for v in values.tolist()]


FLOWS = {
    "worked": _worked_example,
    "demo": _demo_with_caches,
    "elexon": _elexon_day,
    "s0142": _s0142_round_trip,
}


@pytest.fixture(scope="module")
def outcome(database_target, tmp_path_factory):
    """`outcome(flow, backend)`: what the flow gave on that backend, run once per module; the
    seconds each took are in `outcome.seconds`."""
    done: dict[tuple[str, str], dict] = {}

    def run(flow: str, backend: str) -> dict:
        if (flow, backend) not in done:
            target = database_target(backend, f"{flow}_{backend}")
            began = time.perf_counter()
            done[flow, backend] = FLOWS[flow](target, backend, tmp_path_factory.mktemp(flow))
            run.seconds[flow, backend] = time.perf_counter() - began
        return done[flow, backend]

    run.seconds = {}
    return run


def test_the_worked_example_settles_to_the_rulebook_figures_on_sqlite(outcome):
    worked = outcome("worked", "sqlite")
    assert worked["stored"] == worked["expected"]
    base, after = worked["base"], worked["after"]
    gen = list(after.inputs.parties).index("GEN")
    assert base.parties.cbm[gen] == pytest.approx(2171.83, abs=0.005)
    assert after.parties.cbm[gen] == pytest.approx(2633.33, abs=0.005)  # acceptance 2 omitted
    deltas = dict(zip(worked["parties"]["party"], worked["parties"]["net_delta"], strict=True))
    assert deltas["GEN"] == pytest.approx(152.62, abs=0.005)
    assert deltas["SO"] == pytest.approx(-461.50, abs=0.005)


@pytest.mark.parametrize("backend", SERVERS)
def test_the_worked_example_settles_and_compares_as_on_sqlite(outcome, backend):
    server, sqlite = outcome("worked", backend), outcome("worked", "sqlite")
    assert server["stored"] == sqlite["stored"] == server["expected"]
    assert server["scenario_stored"] == sqlite["scenario_stored"]
    for key in ("parties", "periods", "units", "explanation", "verdict"):
        assert server[key] == sqlite[key], key


@pytest.mark.parametrize("backend", SERVERS)
def test_a_scenario_and_its_audit_trail_are_kept_as_on_sqlite(outcome, backend):
    server, sqlite = outcome("worked", backend), outcome("worked", "sqlite")
    assert server["overrides"] == sqlite["overrides"]
    assert server["trail"] == sqlite["trail"]
    assert [r["action"] for r in server["trail"]] == [
        "create", "apply", "apply", "undo", "redo", "undo", "settle"
    ]  # fmt: skip
    assert server["scenarios"] == ["what if"]
    # Instants keep their microseconds (MariaDB's plain DATETIME would drop them).
    stamps = server["stamps"]
    assert all(isinstance(s, datetime) for s in stamps) and any(s.microsecond for s in stamps)
    assert stamps == sorted(stamps)


@pytest.mark.parametrize("backend", SERVERS)
def test_the_run_workbook_and_evidence_packs_are_those_of_sqlite(outcome, backend):
    server, sqlite = outcome("worked", backend), outcome("worked", "sqlite")
    assert set(server["exports"]) == {"run", "comparison", "case"}
    for name, sheets in server["exports"].items():
        assert list(sheets) == list(sqlite["exports"][name]), name
        for title, rows in sheets.items():
            assert len(rows) > 1, (name, title)
            assert rows == sqlite["exports"][name][title], (name, title)


@pytest.mark.parametrize("backend", SERVERS)
def test_a_dispute_case_is_kept_as_on_sqlite(outcome, backend):
    server, sqlite = outcome("worked", backend), outcome("worked", "sqlite")
    assert server["case"] == sqlite["case"]
    assert server["case"]["status"] == "raised" and server["case"]["periods"] == [27]
    assert server["case"]["raise_by"] == "2024-08-01"  # 20 working days after 4 July 2024


@pytest.mark.parametrize("backend", ["sqlite", *SERVERS])
def test_a_demo_day_settles_the_same_from_its_caches_and_from_its_rows(outcome, backend):
    demo = outcome("demo", backend)
    assert len(demo["payloads"]["datasets"]) >= 1 and len(demo["payloads"]["inputs"]) >= 2
    assert set(demo["from_caches"]) == {"II", "R1", "SF"}
    assert demo["from_caches"] == demo["from_rows"]


@pytest.mark.parametrize("backend", SERVERS)
def test_the_caches_are_bit_identical_to_sqlites_and_settle_the_same(outcome, backend):
    server, sqlite = outcome("demo", backend), outcome("demo", "sqlite")
    for kind in ("datasets", "inputs"):
        assert [bytes(p) for p in server["payloads"][kind]] == [
            bytes(p) for p in sqlite["payloads"][kind]
        ], kind
    assert server["from_caches"] == sqlite["from_caches"]


@pytest.mark.slow  # 4 s on SQLite, 8-10 s on a server: some 30,000 records and the register
@pytest.mark.parametrize("backend", SERVERS)
def test_real_elexon_files_import_and_settle_as_on_sqlite(outcome, backend):
    server, sqlite = outcome("elexon", backend), outcome("elexon", "sqlite")
    assert server["register"] == sqlite["register"]
    assert server["day"] == sqlite["day"]
    assert server["stored"] == sqlite["stored"]
    periods = server["stored"]["periods"]
    assert len(periods) == 48 and sum(len(p["stack"]) for p in periods) > 48


@pytest.mark.slow  # 3-4 s a backend: a 30-unit demo day, settled, written, imported, reconciled
@pytest.mark.parametrize("backend", SERVERS)
def test_an_s0142_round_trip_reconciles_exactly_as_on_sqlite(outcome, backend):
    server, sqlite = outcome("s0142", backend), outcome("s0142", "sqlite")
    for found in (server, sqlite):
        check, reconciliation = found["check"], found["reconciliation"]
        assert check.settled and not check.party_differs.any()
        assert not check.period_differs.any() and not check.unit_differs.any()
        assert reconciliation.difference_count == 0
        assert reconciliation.compared["system.niv"] == 48
    assert server["reconciliation"].compared == sqlite["reconciliation"].compared
    assert server["saa"] == sqlite["saa"]
