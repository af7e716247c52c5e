"""Atomic writes: the target is the old file or the whole new one, never half of one; a
refusal or failure leaves it as it was and no temporary file behind."""

from __future__ import annotations

import pytest

from models.core.atomic_write import atomic_path, partial_path, write_text_atomic
from models.core.errors import WorkbenchInputError


def leftovers(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".partial"))


def test_the_temporary_file_is_hidden_beside_the_target_and_fresh_each_time(tmp_path):
    target = tmp_path / "pack.xlsx"
    first, second = partial_path(target), partial_path(target)
    assert first.parent == tmp_path and first != second
    assert first.name.startswith(".pack.xlsx.") and first.name.endswith(".partial")


def test_a_written_file_replaces_the_old_one_whole(tmp_path):
    target = tmp_path / "case.json"
    target.write_text("old")
    write_text_atomic(target, "new ✓\r\n")
    assert target.read_bytes() == "new ✓\r\n".encode()  # UTF-8, line ends as given
    assert leftovers(tmp_path) == []


def test_a_failure_while_writing_leaves_the_old_file_and_no_temporary(tmp_path):
    target = tmp_path / "case.json"
    target.write_text("old")
    with pytest.raises(RuntimeError, match="cancelled"), atomic_path(target) as temporary:
        temporary.write_text("half of the new")
        raise RuntimeError("cancelled")
    assert target.read_text() == "old"
    assert leftovers(tmp_path) == []


def test_an_os_error_on_the_temporary_file_names_the_target(tmp_path):
    target = tmp_path / "case.json"
    with pytest.raises(FileNotFoundError) as raised, atomic_path(target) as temporary:
        temporary.read_bytes()  # not written yet
    assert raised.value.filename == str(target)  # the file the user asked for, not ours
    assert not target.exists() and leftovers(tmp_path) == []


def test_without_overwrite_an_existing_target_is_refused_in_one_line(tmp_path):
    target = tmp_path / "demo.sqlite"
    target.write_text("keep me")
    with pytest.raises(WorkbenchInputError, match=r"demo\.sqlite already exists; choose another"):
        write_text_atomic(target, "new", overwrite=False)
    assert target.read_text() == "keep me"


def test_a_target_that_appears_while_writing_is_never_replaced_without_overwrite(tmp_path):
    target = tmp_path / "demo.sqlite"
    with (
        pytest.raises(WorkbenchInputError, match="already exists"),
        atomic_path(target, overwrite=False) as temporary,
    ):
        temporary.write_text("ours")
        target.write_text("another program's")  # created meanwhile
    assert target.read_text() == "another program's"
    assert leftovers(tmp_path) == []


def test_a_stale_journal_beside_the_target_goes_with_the_old_file(tmp_path):
    target = tmp_path / "demo.sqlite"
    target.write_text("old database")
    journal = tmp_path / "demo.sqlite-journal"
    journal.write_text("hot journal of the old database")
    write_text_atomic(target, "new database")
    assert target.read_text() == "new database" and not journal.exists()


def test_a_missing_folder_is_refused_before_anything_is_written(tmp_path):
    target = tmp_path / "no-such-folder" / "pack.xlsx"
    with pytest.raises(WorkbenchInputError, match=r"is not a folder; cannot write pack\.xlsx"):
        write_text_atomic(target, "x")
