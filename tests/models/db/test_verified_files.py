"""Databases found sound are remembered by their content's identity, and only that."""

from __future__ import annotations

import os

import pytest

from models.db import verified_files
from models.db.database import SettlementDatabase


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setattr(verified_files, "STORE", tmp_path / "state" / "verified.json")
    monkeypatch.setattr(verified_files, "_MEMORY", set())
    return verified_files.STORE


def test_a_checked_file_is_remembered_until_it_changes(tmp_path, store):
    path = tmp_path / "s.sqlite"
    SettlementDatabase.create(path).close()
    key = verified_files.file_key(path)
    assert not verified_files.is_verified(key)
    SettlementDatabase.open(path).close()  # quick_check passes: remembered
    assert verified_files.is_verified(key)
    verified_files._MEMORY.clear()  # a new process: the store remembers
    assert verified_files.is_verified(key)
    with SettlementDatabase.open(path) as db:
        db.set_meta("note", "a write")
    assert not verified_files.is_verified(verified_files.file_key(path))


def test_a_file_replaced_by_another_of_the_same_size_and_time_is_checked_again(tmp_path, store):
    path = tmp_path / "s.sqlite"
    SettlementDatabase.create(path).close()
    SettlementDatabase.open(path).close()
    stat = path.stat()
    copy = tmp_path / "copy.sqlite"
    copy.write_bytes(path.read_bytes())
    os.utime(copy, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    os.replace(copy, path)  # same size and mtime, another inode
    assert not verified_files.is_verified(verified_files.file_key(path))


def test_an_unreadable_store_means_checking_again(tmp_path, store):
    path = tmp_path / "s.sqlite"
    SettlementDatabase.create(path).close()
    store.parent.mkdir(parents=True)
    store.write_text("not json")
    assert not verified_files.is_verified(verified_files.file_key(path))
    SettlementDatabase.open(path).close()
    verified_files._MEMORY.clear()
    assert verified_files.is_verified(verified_files.file_key(path))


def test_the_store_keeps_the_newest_entries(tmp_path, store, monkeypatch):
    monkeypatch.setattr(verified_files, "MAX_ENTRIES", 2)
    keys = []
    for n in range(3):
        path = tmp_path / f"f{n}"
        path.write_text(str(n))
        keys.append(verified_files.file_key(path))
        verified_files.mark_verified(keys[-1])
    verified_files._MEMORY.clear()
    assert [verified_files.is_verified(k) for k in keys] == [False, True, True]
