"""When a comparison on show goes out of date: another database, another run shown, or an
edit, undo or redo of one of its scenarios; a settle of the scenario changes nothing."""

from __future__ import annotations

import pytest

from models.casefiles.case_file import load_case
from models.db.database import SettlementDatabase
from models.disputes.comparison_key import ComparisonKey, comparison_key, edit_revision, out_of_date
from models.runs.case_store import import_case
from models.runs.scenarios import store
from tests.paths import CASES

SHOWN = ComparisonKey("a.sqlite", first_run=1, second_run=3, revision=((3, 7),))
CHANGED = "the scenario changed since (an edit, undo or redo)"


def test_a_comparison_holds_while_either_of_its_runs_is_shown_unchanged():
    assert out_of_date(SHOWN, SHOWN, shown_run=1) is None
    assert out_of_date(SHOWN, SHOWN, shown_run=3) is None


@pytest.mark.parametrize(
    ("now", "shown_run", "why"),
    [
        (None, 1, "another database was opened since"),
        (ComparisonKey("b.sqlite", 1, 3, ((3, 7),)), 1, "another database was opened since"),
        (SHOWN, 2, "another run (run 2) is shown since"),
        (ComparisonKey("a.sqlite", 1, 3, ((3, 9),)), 3, CHANGED),
    ],
)  # fmt: skip
def test_what_changed_is_said_in_words(now, shown_run, why):
    assert out_of_date(SHOWN, now, shown_run) == why


def test_the_revision_moves_with_every_edit_undo_and_redo_but_not_with_a_settle(tmp_path):
    with SettlementDatabase.create(tmp_path / "w.sqlite") as db:
        base = import_case(db, load_case(CASES / "worked_example.json"))
        with db.engine.begin() as conn:
            scenario = store.create_scenario(conn, base, "what if", author="tester")
        seen = []

        def revision():
            with db.engine.connect() as conn:
                seen.append(edit_revision(conn, (base, scenario)))
                return comparison_key(conn, "w.sqlite", base, scenario)

        created = revision()
        assert {run for run, _ in seen[0]} <= {scenario}  # a settlement run has no audit trail
        with db.engine.begin() as conn:
            target = {"bm_unit": "T_GEN-1", "number": 2}
            store.edit(conn, scenario, "remove_acceptance", target, None, author="t", reason="x")
        edited = revision()
        with db.engine.begin() as conn:
            store.record_settle(conn, scenario, author="t", summary="settled")
        assert revision() == edited  # a settle changes no input
        with db.engine.begin() as conn:
            store.undo(conn, scenario, author="t")
        undone = revision()
        with db.engine.begin() as conn:
            store.redo(conn, scenario, author="t")
        redone = revision()
    keys = [created, edited, undone, redone]
    assert len({k.revision for k in keys}) == 4  # each change of inputs is a new revision
    assert (
        out_of_date(edited, undone, scenario)
        == "the scenario changed since (an edit, undo or redo)"
    )
    assert all(
        k.database == "w.sqlite" and (k.first_run, k.second_run) == (base, scenario) for k in keys
    )
