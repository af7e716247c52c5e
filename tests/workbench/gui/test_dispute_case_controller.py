"""Dispute cases without a window: a case takes the scenario shown, shows in its dock, and a
repeated add is one line."""

from __future__ import annotations

from datetime import date

import pytest

from models.runs.run_view import load_run_view
from models.runs.scenarios import store
from views.dispute_case_panel import DisputeCasePanel
from workbench.gui.dispute_case_controller import DisputeCaseController


@pytest.fixture
def controller(qtbot, selection, told):
    panel = DisputeCasePanel()
    qtbot.addWidget(panel)
    shown = []
    c = DisputeCaseController(selection, told.feedback(), panel, lambda: shown.append(True))
    c.shown = shown
    return c


def test_a_case_takes_the_scenario_shown_and_a_repeat_is_one_line(controller, selection, told):
    with selection.database.engine.begin() as conn:
        scenario = store.create_scenario(conn, 1, "s", author="test")
    selection.run = load_run_view(selection.database, scenario)
    case = controller.create_dispute_case(
        1,
        reference="TD-1",
        raising_party="GEN",
        category="general",
        description="acceptance 2",
        run_date=date(2024, 7, 4),
    )
    assert case is not None and controller.shown == [True]
    (listed,) = controller.panel.cases
    assert (listed.reference, listed.scenarios) == ("TD-1", (scenario,))
    controller.add_scenario_to_case()  # already in it
    ((title, message),) = told.errors
    assert title == "Scenario not added" and "\n" not in message


def test_a_case_needs_a_scenario_shown_to_add_it(controller, told):
    controller.add_scenario_to_case()
    assert told.status == ["Choose a case and load a scenario first."]


def test_a_case_of_an_unknown_category_is_refused_with_a_message(controller, told):
    case = controller.create_dispute_case(
        1, reference="TD-2", raising_party="GEN", category="weather", description=""
    )
    ((title, message),) = told.errors
    assert case is None and title == "No case created"
    assert message.startswith("unknown category 'weather'")
    assert controller.shown == [] and controller.panel.cases == []
