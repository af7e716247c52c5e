"""Tools › Modification impact…'s form (views/impact_dialog.py): the choices it gives back, the
command line they are, and what it refuses (said under the form, Assess disabled)."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDialogButtonBox

from tests.views.screens import save_screens
from views.impact_dialog import SETTINGS_CHOICE, ImpactDialog, ImpactOptions

D1, D2 = date(2024, 6, 12), date(2024, 6, 14)


@pytest.fixture
def dialog(qtbot):
    form = ImpactDialog(ImpactOptions(D1, D2))
    qtbot.addWidget(form)
    return form


def assess_enabled(form) -> bool:
    return form.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


def test_the_defaults_are_par_50_in_this_process(dialog):
    assert dialog.options() == ImpactOptions(D1, D2, "par-50")
    assert dialog.command.text() == (
        "settlement-workbench impact … --from 2024-06-12 --to 2024-06-14 --variant par-50"
    )
    assert dialog.description.text() == "parameters set: PAR=50 (changes R-PRC-PAR)"
    assert assess_enabled(dialog) and not dialog.settings.isEnabled()
    assert not dialog.workers.isEnabled() and not dialog.scheduler.isEnabled()


def test_parameters_run_types_and_dask_workers(dialog):
    dialog.variant.setCurrentText(SETTINGS_CHOICE)
    dialog.settings.setText("PAR=50, DMAT=2")
    dialog.run_types.setText("sf,R1")
    dialog.where.setCurrentIndex(dialog.where.findData("workers"))
    dialog.workers.setValue(3)
    options = dialog.options()
    assert options == ImpactOptions(D1, D2, "", ("PAR=50", "DMAT=2"), ("SF", "R1"), "workers", 3)
    assert options.command_line() == (
        "--from 2024-06-12 --to 2024-06-14 --set PAR=50 --set DMAT=2 --runs SF,R1 --workers 3"
    )
    assert assess_enabled(dialog) and dialog.workers.isEnabled()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.last.setDate(QDate(2024, 6, 1)), "the last date 2024-06-01 is before"),
        (lambda d: d.settings.setText("PAR=abc"), "'PAR=abc': 'abc' is not a number"),
        (lambda d: d.settings.setText("XYZ=1"), "'XYZ' is not a parameter a variant can set"),
        (lambda d: d.settings.setText(""), "give parameter values, e.g. PAR=50"),
        (lambda d: d.run_types.setText("SX"), "'SX' is not a run type; expected some of II"),
        (lambda d: (d.where.setCurrentIndex(d.where.findData("scheduler")),
                    d.scheduler.setText("localhost:8786")), "expected tcp://host:port"),
    ],
)  # fmt: skip
def test_what_the_command_line_refuses_is_said_and_assess_is_disabled(dialog, change, message):
    dialog.variant.setCurrentText(SETTINGS_CHOICE)
    dialog.settings.setText("PAR=50")
    assert assess_enabled(dialog)
    change(dialog)
    assert message in dialog.problem_label.text()
    assert not assess_enabled(dialog)


def test_screens(dialog, tmp_path):
    dialog.show()
    for path in save_screens(dialog, tmp_path, "impact_dialog"):
        assert path.exists()
