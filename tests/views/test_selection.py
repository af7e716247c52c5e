"""The selection model: one event per real change, none for an equal value, disconnect, and
a comparison that goes out of date (and stays so) when what it was computed from changes."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from models.disputes.comparison_key import ComparisonKey
from views.selection import Compared, ScenarioShown, Selection


def database(location: str):
    return SimpleNamespace(location=location)


def shown_run(run_id: int):
    """A loaded run as the views hold it (RunView): only its run's id matters here."""
    return SimpleNamespace(run=SimpleNamespace(id=run_id))


def recorder(selection: Selection, name: str) -> list:
    seen = []
    getattr(selection.events, name).connect(seen.append)
    return seen


def test_an_event_fires_once_per_change_and_not_for_an_equal_value():
    selection = Selection(period=1)
    periods = recorder(selection, "period")
    units = recorder(selection, "bm_unit")
    selection.period = 1  # as it was
    selection.period = 27
    selection.period = 27
    selection.bm_unit = "T_GEN-1"
    selection.bm_unit = "T_GEN-1"
    selection.period = 28
    assert periods == [27, 28] and units == ["T_GEN-1"]
    assert selection.period == 28 and selection.bm_unit == "T_GEN-1"


def test_a_run_is_compared_by_identity_and_a_scenario_by_value():
    selection = Selection()
    runs = recorder(selection, "run")
    scenarios = recorder(selection, "scenario")
    first = shown_run(2)
    selection.run = first
    selection.run = first
    selection.run = shown_run(2)  # the same run loaded again (after an edit): a new view
    assert [r is first for r in runs] == [True, False]
    selection.scenario = ScenarioShown(2, 5)
    selection.scenario = ScenarioShown(2, 5)  # equal: nothing
    selection.scenario = ScenarioShown(2, 6)
    assert scenarios == [ScenarioShown(2, 5), ScenarioShown(2, 6)]


def test_disconnect_stops_the_callbacks_and_others_go_on():
    selection = Selection()
    first, second = [], []
    selection.events.period.connect(first.append)
    selection.events.period.connect(second.append)
    selection.events.period.connect(second.append)  # connected once only
    selection.period = 3
    selection.events.period.disconnect(first.append)
    selection.period = 4
    assert first == [3] and second == [3, 4]
    with pytest.raises(ValueError):
        selection.events.period.disconnect(first.append)
    with pytest.raises(TypeError):
        Selection(periods=3)


def test_callbacks_run_in_the_order_connected_and_see_the_new_value():
    selection = Selection(period=1)
    order = []
    selection.events.period.connect(lambda p: order.append(("a", p, selection.period)))
    selection.events.period.connect(lambda p: order.append(("b", p, selection.period)))
    selection.period = 9
    assert order == [("a", 9, 9), ("b", 9, 9)]


def test_a_listener_that_sets_the_field_again_is_the_last_word():
    """A period box of 48 periods told 60 sets 48: listeners after it see 48 only."""
    selection = Selection(period=1)
    box, after = [], []

    def period_box(period):
        box.append(period)
        selection.period = min(period, 48)

    selection.events.period.connect(period_box)
    selection.events.period.connect(after.append)
    selection.period = 60
    assert selection.period == 48 and box == [60, 48] and after == [48]
    selection.period = 12
    assert box == [60, 48, 12] and after == [48, 12]


def compared_scenario(selection: Selection) -> Compared:
    """Scenario run 2 (last edit audit entry 4) compared with its base run 1, in db.sqlite,
    the scenario shown."""
    selection.database = database("/data/db.sqlite")
    selection.run = shown_run(2)
    selection.scenario = ScenarioShown(2, 4)
    compared = Compared(
        ComparisonKey("/data/db.sqlite", 1, 2, ((2, 4),)), "Settle and compare (F6)"
    )
    selection.comparison = compared
    return compared


def test_a_comparison_holds_while_its_runs_and_edits_are_shown():
    selection = Selection()
    compared = compared_scenario(selection)
    assert selection.comparison is compared and compared.out_of_date is None
    selection.period = 30
    selection.bm_unit = "T_GEN-1"
    selection.run = shown_run(1)  # its base run: one of the two
    selection.scenario = None
    selection.run = shown_run(2)  # the scenario again, loaded anew at the same revision
    selection.scenario = ScenarioShown(2, 4)
    assert selection.comparison is compared


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            lambda s: setattr(s, "scenario", ScenarioShown(2, 5)),  # an edit, undo or redo
            "the scenario changed since (an edit, undo or redo)",
        ),
        (lambda s: setattr(s, "run", shown_run(3)), "another run (run 3) is shown since"),
        (
            lambda s: setattr(s, "database", database("/data/other.sqlite")),
            "another database was opened since",
        ),
        (lambda s: setattr(s, "database", None), "another database was opened since"),
    ],
)
def test_a_comparison_goes_out_of_date_once_when_its_inputs_change(change, reason):
    selection = Selection()
    compared_scenario(selection)
    seen = recorder(selection, "comparison")
    change(selection)
    assert [c.out_of_date for c in seen] == [reason]
    assert selection.comparison.key == ComparisonKey("/data/db.sqlite", 1, 2, ((2, 4),))
    # Stale for good: going back to what was compared does not bring the verdict back, and a
    # second change keeps the first reason.
    selection.database = database("/data/db.sqlite")
    selection.run = shown_run(2)
    selection.scenario = ScenarioShown(2, 4)
    selection.run = shown_run(7)
    assert len(seen) == 1 and selection.comparison.out_of_date == reason


def test_a_database_opened_again_at_the_same_place_waits_for_its_run():
    selection = Selection()
    compared = compared_scenario(selection)
    selection.database = database("/data/db.sqlite")  # reopened: a new object, same file
    selection.run = None  # nothing shown while its run loads
    selection.scenario = None
    assert selection.comparison is compared
    selection.run = shown_run(4)
    assert selection.comparison.out_of_date == "another run (run 4) is shown since"


def test_a_comparison_made_stale_while_computing_is_out_of_date_when_it_arrives():
    selection = Selection()
    compared = compared_scenario(selection)
    selection.comparison = None
    selection.scenario = ScenarioShown(2, 6)  # edited twice while the comparison computed
    seen = recorder(selection, "comparison")
    selection.comparison = compared  # as computed, before the edits
    assert [c and c.out_of_date for c in seen] == [
        None,
        "the scenario changed since (an edit, undo or redo)",
    ]


def test_a_scenario_without_edits_compared_with_another_run():
    """Settlement runs and a scenario without input changes have no revision entry."""
    selection = Selection(database=database("db"), run=shown_run(5))
    selection.scenario = ScenarioShown(5, None)
    compared = Compared(ComparisonKey("db", 1, 5, ()), "compare again")
    selection.comparison = compared
    assert selection.comparison is compared
    selection.scenario = ScenarioShown(5, 1)
    assert selection.comparison.out_of_date.startswith("the scenario changed since")
