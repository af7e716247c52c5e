"""What the impact tests share besides the demo database (conftest.py): its first and last
date, and how two runs of the same days are checked to give the same results."""

from datetime import date

import numpy as np

FIRST = date(2024, 6, 12)
LAST = date(2024, 6, 14)

FIELDS = ("price_base", "price_variant", "niv_base", "niv_variant", "setter_base",
          "setter_variant", "charges_base", "charges_variant")  # fmt: skip


def assert_same(first, second):
    """The same days' results, in the same order, equal in every array (labels and all)."""
    assert [r.label for r in first] == [r.label for r in second]
    for a, b in zip(first, second, strict=True):
        for name in FIELDS:
            assert np.array_equal(getattr(a, name), getattr(b, name)), (a.label, name)


def flaky_day(folder: str, failing: date, how: str, *args):
    """models.impact.day.date_impact, except that the date `failing` fails: `how` = "raise
    once" raises OSError on its first attempt, "kill once" kills the process running it
    (SIGKILL, as the kernel's out-of-memory killer would), "always" raises on every attempt.
    The first attempt is remembered as a file in `folder`, seen by every worker process."""
    import os
    import signal
    from pathlib import Path

    from models.impact.day import date_impact

    if args[1] == failing:
        marker = Path(folder) / f"tried-{failing.isoformat()}"
        first = not marker.exists()
        marker.touch()
        if how == "kill once" and first:
            os.kill(os.getpid(), signal.SIGKILL)
        if how == "always" or first:
            raise OSError(f"disk read error on {failing.isoformat()}")
    return date_impact(*args)
