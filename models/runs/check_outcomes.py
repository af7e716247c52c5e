"""A settlement check's outcome as a reader sees it: passed, not applicable or failed.

Rulebook v2: a check that does not apply to a period (R-TLM in a one-sided period,
R-TLM-ONESIDED; R-PRC-MIP in a period holding no input) has ok=True and status "not
applicable" (engine.settle.NOT_APPLICABLE). It is neither a pass nor a failure, and every
report counts it apart: "checks: 144 passed, 2 not applicable, 0 failed". Works on the
engine's Check objects and on the checks of a result document (dicts) alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from engine.settle import NOT_APPLICABLE

PASSED = "passed"
FAILED = "failed"


def _field(check, name: str):
    return check[name] if isinstance(check, dict) else getattr(check, name)


def check_outcome(check) -> str:
    """PASSED, NOT_APPLICABLE or FAILED. A not-applicable status on a check that is not ok
    (which the engine never writes) is a failure: never hide one."""
    if not _field(check, "ok"):
        return FAILED
    return NOT_APPLICABLE if _field(check, "status") == NOT_APPLICABLE else PASSED


@dataclass(frozen=True)
class CheckCounts:
    passed: int
    not_applicable: int
    failed: int

    def line(self) -> str:
        return f"{self.passed} passed, {self.not_applicable} not applicable, {self.failed} failed"


def check_counts(checks: Iterable) -> CheckCounts:
    outcomes = [check_outcome(c) for c in checks]
    return CheckCounts(
        outcomes.count(PASSED), outcomes.count(NOT_APPLICABLE), outcomes.count(FAILED)
    )
