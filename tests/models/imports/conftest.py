"""The importer tests' fixtures live in tests/models/conftest.py (tests/models/runs uses them
too); tests/workbench still imports `elexon` from here, its home being tests.paths."""

from tests.paths import elexon  # noqa: F401
