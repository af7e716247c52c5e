"""A check's outcome as a reader sees it (rulebook v2): passed, not applicable (ok, with the
engine's NOT_APPLICABLE status) or failed, for engine checks and result-document checks alike."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from engine.settle import NOT_APPLICABLE
from models.runs.check_outcomes import FAILED, PASSED, CheckCounts, check_counts, check_outcome


@pytest.mark.parametrize(
    ("ok", "status", "outcome"),
    [
        (True, "ok", PASSED),
        (True, NOT_APPLICABLE, NOT_APPLICABLE),
        (False, "difference 0.02", FAILED),
        # Never written by the engine; were it, hiding a failure as "not applicable" is worse.
        (False, NOT_APPLICABLE, FAILED),
    ],
)
def test_outcome_of_a_document_check_and_an_engine_check(ok, status, outcome):
    assert check_outcome({"ok": ok, "status": status}) == outcome
    assert check_outcome(SimpleNamespace(ok=ok, status=status)) == outcome


def test_counts_keep_not_applicable_apart_from_passed_and_failed():
    checks = [
        {"ok": True, "status": "ok"},
        {"ok": True, "status": "ok"},
        {"ok": True, "status": NOT_APPLICABLE},
        SimpleNamespace(ok=False, status="difference 0.02"),
    ]
    counts = check_counts(checks)
    assert counts == CheckCounts(passed=2, not_applicable=1, failed=1)
    assert counts.line() == "2 passed, 1 not applicable, 1 failed"
    assert check_counts([]).line() == "0 passed, 0 not applicable, 0 failed"
