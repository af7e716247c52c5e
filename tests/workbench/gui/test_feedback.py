"""Feedback: what a controller tells the window, a failed or a cancelled job included."""

from __future__ import annotations

from workbench.gui.feedback import Feedback


def recorded() -> tuple[Feedback, list, list]:
    status, errors = [], []
    feedback = Feedback(status=status.append, error=lambda *told: errors.append(told))
    return feedback, status, errors


def test_a_failed_job_is_an_error_dialog_with_its_message_and_details():
    feedback, status, errors = recorded()
    feedback.job_failed("Cannot open demo.sqlite: locked", "Traceback …")
    assert errors == [("The job failed", "Cannot open demo.sqlite: locked", "Traceback …")]
    assert status == []


def test_a_cancelled_job_is_one_status_line():
    feedback, status, errors = recorded()
    feedback.job_cancelled()
    assert status == ["Cancelled."] and errors == []
