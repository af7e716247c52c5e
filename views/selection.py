"""What the workbench shows now: database, run, scenario, period, BM unit and comparison.

One plain-Python model that every view and controller reads and listens to, in the spirit of
napari's evented models: each field has its event (`selection.events.period`), callbacks are
connected and disconnected, and an event fires once per real change (setting an equal value
fires nothing), so a view that writes back what it was told ends the round.

A comparison is held with what it was computed from (`ComparisonKey`); it goes out of date,
once and for good, when the database, the run shown or the shown scenario's edits no longer
match. No Qt here: the model is tested without a window.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from models.disputes.comparison_key import ComparisonKey, out_of_date

if TYPE_CHECKING:
    from models.db.database import SettlementDatabase
    from models.runs.run_view import RunView


class Event:
    """The callbacks of one field, called in the order connected with the new value."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._callbacks: list[Callable[[Any], None]] = []

    def connect(self, callback: Callable[[Any], None]) -> None:
        if callback not in self._callbacks:
            self._callbacks.append(callback)

    def disconnect(self, callback: Callable[[Any], None]) -> None:
        self._callbacks.remove(callback)

    def emit(self, value, superseded: Callable[[], bool] = lambda: False) -> None:
        """Call back with `value`; stop once `superseded()`: a callback set the field again
        (a period box that holds fewer periods), and the new value has gone round already,
        so that no later callback is left with the one that did not stand."""
        for callback in list(self._callbacks):  # one may disconnect itself
            if superseded():
                return
            callback(value)


class Events:
    """One Event per field of a Selection, by the field's name."""

    def __init__(self, names) -> None:
        for name in names:
            setattr(self, name, Event(name))


class Field:
    """An evented attribute: setting it to a different value emits `events.<name>`.
    `by_identity` for objects that are never equal unless the same (a loaded run: comparing
    two would compare their arrays)."""

    def __init__(self, by_identity: bool = False) -> None:
        self.by_identity = by_identity

    def __set_name__(self, owner, name: str) -> None:
        self.name = name
        self.slot = f"_{name}"

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        return getattr(instance, self.slot)

    def __set__(self, instance, value) -> None:
        old = getattr(instance, self.slot)
        if old is value or (not self.by_identity and old == value):
            return
        setattr(instance, self.slot, value)
        changes = instance._changes
        changes[self.name] = mine = changes.get(self.name, 0) + 1
        getattr(instance.events, self.name).emit(value, lambda: changes[self.name] != mine)
        if changes[self.name] == mine:
            instance._changed(self.name)


@dataclass(frozen=True)
class ScenarioShown:
    """The scenario on show, at its edit revision: the sequence number of its last audit
    entry that changed its inputs (models.disputes.comparison_key.edit_revision); every edit,
    undo and redo moves it on."""

    run: int
    revision: int | None


@dataclass(frozen=True)
class Compared:
    """The comparison on show: what it was computed from, how to compute it again, and,
    once something it was computed from changed, why it no longer holds."""

    key: ComparisonKey
    again: str  # e.g. "Settle and compare (F6)"
    out_of_date: str | None = None

    def outdated(self, reason: str) -> Compared:
        return self if self.out_of_date is not None else replace(self, out_of_date=reason)


class Selection:
    """Database, run, scenario, period, BM unit and comparison on show, each evented."""

    FIELDS = ("database", "run", "scenario", "period", "bm_unit", "comparison")

    database: SettlementDatabase | None = Field(by_identity=True)
    run: RunView | None = Field(by_identity=True)  # the loaded run the views show
    scenario: ScenarioShown | None = Field()  # the run shown, when it is a scenario
    period: int | None = Field()
    bm_unit: str | None = Field()  # BM unit id
    comparison: Compared | None = Field()

    def __init__(self, **values) -> None:
        self.events = Events(self.FIELDS)
        self._changes: dict[str, int] = {}  # per field, how many times it was set to a new value
        for name in self.FIELDS:
            setattr(self, f"_{name}", None)
        for name, value in values.items():
            if name not in self.FIELDS:
                raise TypeError(f"a Selection has no field {name!r}")
            setattr(self, f"_{name}", value)

    def _changed(self, name: str) -> None:
        if name in ("database", "run", "scenario", "comparison"):
            self._check_comparison()

    def _check_comparison(self) -> None:
        """Put the comparison out of date if the database, the run shown or the scenario's
        edits differ from what it was computed from."""
        compared = self.comparison
        if compared is None or compared.out_of_date is not None:
            return
        reason = comparison_out_of_date(compared.key, self.database, self.run, self.scenario)
        if reason is not None:
            self.comparison = compared.outdated(reason)


def comparison_out_of_date(key: ComparisonKey, database, run, scenario) -> str | None:
    """Why a comparison computed for `key` no longer holds with `database` open, `run`
    shown and `scenario` (ScenarioShown or None) at its revision; None while it holds (the
    rule and its words: models.disputes.comparison_key.out_of_date). Nothing shown yet (a
    database just opened, its run loading) decides nothing about runs."""
    if database is None or database.location != key.database:
        return out_of_date(key, None, None)
    if run is None:
        return None
    revision = dict(key.revision)
    if scenario is not None and scenario.run in (key.first_run, key.second_run):
        revision.pop(scenario.run, None)
        if scenario.revision is not None:
            revision[scenario.run] = scenario.revision
    now = replace(key, revision=tuple(sorted(revision.items())))
    return out_of_date(key, now, run.run.id)
