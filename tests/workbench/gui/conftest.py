"""Controllers built bare, as the window builds them: a Selection, a feedback that records
what it was told, the worked example's database open and its run 1 shown."""

from __future__ import annotations

import pytest

from models.casefiles.case_file import load_case
from models.db.database import SettlementDatabase
from models.runs.case_store import import_case
from models.runs.run_view import load_run_view
from tests.paths import CASES
from views.selection import Selection
from workbench.gui.feedback import Feedback


class Told:
    """A Feedback's sinks: status lines and error dialogs, in order."""

    def __init__(self) -> None:
        self.status: list[str] = []
        self.errors: list[tuple] = []

    def feedback(self) -> Feedback:
        return Feedback(
            status=self.status.append,
            error=lambda title, message, details="": self.errors.append((title, message)),
        )


@pytest.fixture
def told() -> Told:
    return Told()


@pytest.fixture
def worked(tmp_path):
    """The worked example's database, open (run 1, SF, two BM units)."""
    db = SettlementDatabase.create(tmp_path / "worked.sqlite")
    import_case(db, load_case(CASES / "worked_example.json"))
    yield db
    db.close()


@pytest.fixture
def selection(worked) -> Selection:
    """The worked example open, its run 1 shown, at period 27."""
    return Selection(database=worked, run=load_run_view(worked, 1), period=27)
