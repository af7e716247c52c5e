"""The acceptance limit of one import (models/imports/loader.py, limits.MAX_ACCEPTANCE_RECORDS_
PER_IMPORT): refused before the records are checked, naming the file and the count."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models.core import limits
from models.db.database import SettlementDatabase
from models.db.schema import SettlementRun
from models.imports.loader import import_files
from models.imports.report import ImportRejected
from tests.models.imports.boalf_files import RECORDS, write_boalf


def test_a_gb_day_is_far_inside_the_limit():
    # A busy GB day: 10,000 acceptances of at most 5 records each, ten such days at once.
    assert limits.MAX_ACCEPTANCE_RECORDS_PER_IMPORT >= 10 * 10_000 * 5


def test_an_import_up_to_the_limit_is_imported(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_ACCEPTANCE_RECORDS_PER_IMPORT", 3)
    with SettlementDatabase.create(tmp_path / "db.sqlite") as db:
        summary = import_files(db, [write_boalf(tmp_path / "a.json", RECORDS)])
    assert summary.records["BOALF"] == 3


def test_an_import_past_the_limit_is_refused_naming_the_file_and_count(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_ACCEPTANCE_RECORDS_PER_IMPORT", 4)
    a = write_boalf(tmp_path / "a.json", RECORDS)
    b = write_boalf(tmp_path / "b.json", RECORDS)
    with SettlementDatabase.create(tmp_path / "db.sqlite") as db:
        with pytest.raises(ImportRejected) as refused:
            import_files(db, [a, b])
        with db.engine.connect() as conn:
            runs = select(func.count()).select_from(SettlementRun.__table__)
            assert conn.execute(runs).scalar() == 0
    (rejection,) = refused.value.report.rejections
    assert rejection.file == "b.json"
    assert "6 acceptance (BOALF) records" in rejection.reason
    assert "at most 4 are imported at once" in rejection.reason
