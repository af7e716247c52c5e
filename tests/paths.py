"""Where the tests find the repository, the shared domain material and the real Elexon files."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
ELEXON_DATA = SHARED / "data" / "elexon"
CASES = Path(__file__).resolve().parent / "cases"


def elexon(relative: str) -> Path:
    """A file of the real Elexon data; the test is skipped where that data is not installed."""
    path = ELEXON_DATA / relative
    if not path.exists():
        pytest.skip(f"real Elexon data not found at {path}")
    return path
