"""The bundle is built once per test session, into a temporary folder (never the repository's
dist/); each test runs it as a user of its own."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

pytest.register_assert_rewrite("tests.installer.bundle")  # its comparisons explain a failure

from tests.installer.bundle import DEMO_ARGS, Bundle, User, build  # noqa: E402


@pytest.fixture(scope="session")
def bundle(tmp_path_factory) -> Bundle:
    built = build(tmp_path_factory.mktemp("bundle"))
    print(f"\nbundle built in {built.seconds:.0f} s: {built.size_bytes() / 1e6:.0f} MB")
    return built


@pytest.fixture
def new_user(tmp_path, bundle) -> Callable[[str], User]:
    def make(name: str) -> User:
        return User(tmp_path / name, bundle)

    return make


@pytest.fixture(scope="session")
def demo_database(bundle, tmp_path_factory) -> Path:
    """A 20-unit demo database made by the bundle (tests copy it before changing it)."""
    user = User(tmp_path_factory.mktemp("demo-maker"), bundle)
    made = user.bundled(*DEMO_ARGS)
    assert made.returncode == 0, made.stderr
    return user.folder / "demo.sqlite"
