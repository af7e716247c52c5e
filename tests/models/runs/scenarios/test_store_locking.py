"""Optimistic locking of scenarios (issue 21) on SQLite, PostgreSQL and MariaDB: a change made
on a version another analyst has changed since is refused with a clear conflict message and
writes nothing; two processes editing one scenario at the same moment: one is saved, the other
told; editing different scenarios, both are saved. The audit trail records the database user
and the OS user of each change."""

from __future__ import annotations

import getpass
import multiprocessing
import queue
import time

import pytest

from models.casefiles.case_file import load_case
from models.db.database import SettlementDatabase
from models.runs.case_store import import_case
from models.runs.scenarios import store
from models.runs.scenarios.store import ScenarioConflictError
from tests.models.db.backends import BACKENDS, created
from tests.models.runs.scenarios.editing_process import GEN, edit_scenario
from tests.paths import CASES

PERIOD_27 = {"bm_unit": GEN, "period": 27}
LOGIN = {"sqlite": "", "postgresql": "postgres", "mariadb": "root@127.0.0.1"}
PROCESS_SECONDS = 90


@pytest.fixture(params=BACKENDS)
def shared(request, database_target):
    """(target, backend, scenario id): the worked example and two scenarios on it, for two
    analysts who each open the database themselves."""
    target = database_target(request.param, f"locking_{request.param}")
    with created(target, request.param) as db:
        import_case(db, load_case(CASES / "worked_example.json"))
        with db.engine.begin() as conn:
            first = store.create_scenario(conn, 1, "first", author="alice")
            store.create_scenario(conn, 1, "second", author="alice")
    return target, request.param, first


def _edit(db, scenario, mwh, author, version):
    with db.engine.begin() as conn:
        return store.edit(conn, scenario, "metered_volume", PERIOD_27, {"mwh": mwh},
                          author=author, expected_version=version)  # fmt: skip


def _metered(db, scenario) -> list[float]:
    with db.engine.connect() as conn:
        return [r.new_value["mwh"] for r in store.overrides(conn, scenario)]


def test_a_change_on_a_stale_version_is_refused_and_writes_nothing(shared):
    target, _, scenario = shared
    with SettlementDatabase.open(target) as alice, SettlementDatabase.open(target) as bob:
        with alice.engine.connect() as conn:
            seen = store.scenario_version(conn, scenario)
        assert seen == 1  # its creation
        _edit(bob, scenario, 80.0, "bob", seen)
        with pytest.raises(ScenarioConflictError) as refused:
            _edit(alice, scenario, 95.0, "alice", seen)
        message = str(refused.value)
        assert message.startswith(
            f"scenario {scenario} ('first') was changed by someone else since you read it at "
            "version 1; it is at version 2 (entry 2, apply: "
        )
        assert "by bob (OS user" in message
        assert message.endswith("Nothing was saved: reload the scenario and make the change again")
        assert _metered(alice, scenario) == [80.0]
        for change in (store.undo, store.redo):
            with pytest.raises(ScenarioConflictError), alice.engine.begin() as conn:
                change(conn, scenario, author="alice", expected_version=seen)
        with alice.engine.connect() as conn:
            trail = store.audit_trail(conn, scenario)
        assert [(e.action, e.author) for e in trail] == [("create", "alice"), ("apply", "bob")]
        # Read again, alice's change is made on the version she now sees.
        with alice.engine.connect() as conn:
            now = store.scenario_version(conn, scenario)
        _edit(alice, scenario, 95.0, "alice", now)
        assert _metered(alice, scenario) == [80.0, 95.0]


def test_a_settle_does_not_make_a_version_stale(shared):
    target, _, scenario = shared
    with SettlementDatabase.open(target) as db:
        with db.engine.begin() as conn:
            seen = store.scenario_version(conn, scenario)
            store.record_settle(conn, scenario, author="bob", summary="settled")
            assert store.scenario_version(conn, scenario) == seen
        _edit(db, scenario, 80.0, "alice", seen)
        assert _metered(db, scenario) == [80.0]


def test_the_audit_trail_records_the_database_user_and_the_os_user(shared):
    target, backend, scenario = shared
    with SettlementDatabase.open(target) as db:
        _edit(db, scenario, 80.0, "alice", None)
        with db.engine.connect() as conn:
            trail = store.audit_trail(conn, scenario)
    assert {(e.db_user, e.os_user) for e in trail} == {(LOGIN[backend], getpass.getuser())}
    extra = f"database user {LOGIN[backend]}" if backend != "sqlite" else ""
    shown = f"OS user {getpass.getuser()}" + (f", {extra}" if extra else "")
    assert trail[-1].who() == f"alice ({shown})"


def _processes(target, edits, *, others_first: bool = False):
    """Run each (scenario, version, mwh, name) edit in a process of its own. The first writes
    its edit and keeps its transaction open until the others are at their edit and have had
    half a second to get through it (or, with `others_first`, until they have answered).
    Returns {name: (outcome, detail)} and the names in the order they answered."""
    context = multiprocessing.get_context("spawn")
    results, written, hold = context.Queue(), context.Event(), context.Event()
    started, readies = [], []
    answers, order = {}, []

    def answer(timeout):
        name, outcome, detail = results.get(timeout=timeout)
        answers[name] = (outcome, detail)
        order.append(name)

    try:
        for index, (scenario, version, mwh, name) in enumerate(edits):
            ready = context.Event()
            process = context.Process(
                target=edit_scenario,
                args=(target, scenario, version, mwh, name, results, ready),
                kwargs={"written": written, "hold": hold} if index == 0 else {},
            )
            process.start()
            started.append(process)
            readies.append(ready)
            if index == 0:
                assert written.wait(PROCESS_SECONDS), "the first edit was never written"
        assert all(r.wait(PROCESS_SECONDS) for r in readies), "an edit never started"
        if others_first:
            for _ in edits[1:]:
                answer(PROCESS_SECONDS)
        else:
            time.sleep(0.5)
        hold.set()
        while len(order) < len(edits):
            answer(PROCESS_SECONDS)
        return answers, order
    except queue.Empty:
        raise AssertionError(f"no answer from every edit in time: {answers}") from None
    finally:
        hold.set()
        for process in started:
            process.join(PROCESS_SECONDS)
            if process.is_alive():
                process.kill()
                process.join()
        results.close()
        results.join_thread()
        assert all(p.exitcode == 0 for p in started), [p.exitcode for p in started]


def test_two_processes_editing_one_scenario_at_once_one_is_saved_the_other_told(shared):
    target, _, scenario = shared
    answers, order = _processes(target, [(scenario, 1, 80.0, "alice"), (scenario, 1, 95.0, "bob")])
    assert answers["alice"] == ("saved", "")
    outcome, detail = answers["bob"]
    assert outcome == "conflict", detail
    assert "was changed by someone else" in detail and "Nothing was saved" in detail
    assert order == ["alice", "bob"]  # bob waited for alice's transaction to end
    with SettlementDatabase.open(target) as db:
        assert _metered(db, scenario) == [80.0]
        with db.engine.connect() as conn:
            assert [e.author for e in store.audit_trail(conn, scenario)] == ["alice", "alice"]


def test_two_processes_editing_one_scenario_without_a_version_both_are_kept_in_turn(shared):
    """A one-shot edit (the command line's) reads the scenario as it is: it waits for the
    other writer and is applied after it; neither is lost."""
    target, _, scenario = shared
    answers, _ = _processes(
        target, [(scenario, None, 80.0, "alice"), (scenario, None, 95.0, "bob")],
    )  # fmt: skip
    assert answers == {"alice": ("saved", ""), "bob": ("saved", "")}
    with SettlementDatabase.open(target) as db:
        assert _metered(db, scenario) == [80.0, 95.0]
        with db.engine.connect() as conn:
            trail = store.audit_trail(conn, scenario)
        assert [e.seq for e in trail] == [1, 2, 3]
        assert trail[-1].old_value == '{"mwh": 80.0}'  # bob's edit saw alice's


def test_two_processes_editing_different_scenarios_are_both_saved(shared):
    target, backend, first = shared
    second = first + 1
    with SettlementDatabase.open(target) as db:  # alice's edit drops an undone one (a delete)
        _edit(db, first, 60.0, "alice", 1)
        with db.engine.begin() as conn:
            store.undo(conn, first, author="alice", expected_version=2)
    edits = [(first, 3, 80.0, "alice"), (second, 1, 95.0, "bob")]
    # On a server bob locks another row: he is saved while alice's transaction is open.
    # SQLite has one writer at a time: he waits for alice.
    answers, order = _processes(target, edits, others_first=backend != "sqlite")
    assert answers == {"alice": ("saved", ""), "bob": ("saved", "")}
    assert order == (["alice", "bob"] if backend == "sqlite" else ["bob", "alice"])
    with SettlementDatabase.open(target) as db:
        assert _metered(db, first) == [80.0]
        assert _metered(db, second) == [95.0]
