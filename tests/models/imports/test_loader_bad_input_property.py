"""Bad input of every kind is rejected cleanly: a report, and the database byte-for-byte as it
was. Hypothesis truncates, re-orders, mistypes and invents input."""

from __future__ import annotations

import json
import random
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.db.database import SettlementDatabase
from models.imports.loader import import_files
from models.imports.report import ImportRejected
from tests.paths import elexon

SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
PN_RECORDS = json.loads(elexon("insights_json/PN_2022-01-01.json").read_text())["data"][:30]
BOD_LEGACY = elexon("legacy_bmrs_csv/BOD_sample_legacy.csv").read_text()
PRICES_CSV = elexon("system_prices/insights_download_excerpt.csv").read_text()
GARBAGE_VALUES = ["abc", "", None, True, [], {}, "1e999", "NaN", "2022-13-01T00:00:00Z", -1.5e300]


@pytest.fixture(scope="module")
def template(registered_db_file, tmp_path_factory):
    """A database with the register and one imported day (so there is something to spoil)."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    shutil.copy(registered_db_file, path)
    with SettlementDatabase.open(path) as db:
        import_files(db, [elexon("system_prices/disebsp_2026-03-29.json")])
    return path


def assert_rejected_and_unchanged(template, tmp_path, name: str, content: bytes) -> ImportRejected:
    db_path = tmp_path / "db.sqlite"
    shutil.copy(template, db_path)
    data_file = tmp_path / name
    data_file.write_bytes(content)
    with SettlementDatabase.open(db_path) as db, pytest.raises(ImportRejected) as caught:
        import_files(db, [data_file])
    assert db_path.read_bytes() == template.read_bytes()
    report = caught.value.report
    assert report.rejections and all(r.file == name and r.reason for r in report.rejections)
    return caught.value


@SETTINGS
@given(cut=st.integers(min_value=1, max_value=10_000))
def test_truncated_json_and_legacy_files(template, tmp_path, cut):
    pn = json.dumps({"data": PN_RECORDS}).encode()
    legacy = BOD_LEGACY.encode()
    # A legacy file cut within its trailer's count ("FTR,25") is whole but for the count,
    # which is only a note: cuts end at the latest just after "FTR,".
    for name, content, last in (
        ("PN.json", pn, len(pn.rstrip()) - 1),
        ("BOD.csv", legacy, legacy.rindex(b"FTR,") + 4),
    ):
        end = last - cut % last
        assert_rejected_and_unchanged(template, tmp_path, name, content[:end])


@SETTINGS
@given(
    index=st.integers(min_value=0, max_value=len(PN_RECORDS) - 1),
    field=st.sampled_from(
        ["settlementDate", "settlementPeriod", "timeFrom", "timeTo", "levelFrom", "levelTo"]
    ),
    value=st.sampled_from(GARBAGE_VALUES),
)
def test_mistyped_values(template, tmp_path, index, field, value):
    records = [dict(r) for r in PN_RECORDS]
    records[index][field] = value
    error = assert_rejected_and_unchanged(
        template, tmp_path, "PN.json", json.dumps({"data": records}).encode()
    )
    assert any(r.location == f"data[{index}]" for r in error.report.rejections)


@SETTINGS
@given(content=st.binary(max_size=300))
def test_garbage_bytes(template, tmp_path, content):
    assert_rejected_and_unchanged(template, tmp_path, "garbage.dat", content)


@SETTINGS
@given(text=st.text(max_size=200))
def test_garbage_text_and_json(template, tmp_path, text):
    assert_rejected_and_unchanged(template, tmp_path, "garbage.csv", text.encode())
    assert_rejected_and_unchanged(
        template, tmp_path, "garbage.json", json.dumps({"data": [text]}).encode()
    )


@SETTINGS
@given(seed=st.integers(min_value=0, max_value=2**32))
def test_reordered_legacy_columns_never_half_import(template, tmp_path, seed):
    """Legacy files are positional: shuffled fields are either rejected (nothing written) or,
    if every value still fits its new place, imported; never a crash, never half."""
    rng = random.Random(seed)
    order = list(range(1, 9))
    rng.shuffle(order)
    lines = BOD_LEGACY.split("\n")
    shuffled = [lines[0]]
    for line in lines[1:-1]:
        fields = line.split(",")
        shuffled.append(",".join([fields[0], *(fields[i] for i in order)]))
    content = "\n".join([*shuffled, lines[-1]]).encode()
    db_path = tmp_path / "db.sqlite"
    shutil.copy(template, db_path)
    (tmp_path / "BOD.csv").write_bytes(content)
    with SettlementDatabase.open(db_path) as db:
        try:
            import_files(db, [tmp_path / "BOD.csv"])
        except ImportRejected:
            unchanged = True
        else:
            unchanged = False
    assert unchanged == (db_path.read_bytes() == template.read_bytes())


@SETTINGS
@given(seed=st.integers(min_value=0, max_value=2**32))
def test_reordered_records_import_the_same(template, tmp_path, seed):
    records = list(PN_RECORDS)
    random.Random(seed).shuffle(records)
    stored = []
    for n, batch in enumerate((PN_RECORDS, records)):
        db_path = tmp_path / f"db{n}.sqlite"
        shutil.copy(template, db_path)
        (tmp_path / "PN.json").write_text(
            json.dumps({"data": [dict(reversed(r.items())) for r in batch]})
        )
        with SettlementDatabase.open(db_path) as db:
            import_files(db, [tmp_path / "PN.json"])
            with db.engine.connect() as conn:
                from sqlalchemy import text

                stored.append(
                    conn.execute(
                        text(
                            "SELECT notification, bm_unit_id, profile, seq, time_from, level_from, "
                            "time_to, level_to FROM physical_notification ORDER BY 1, 2, 3, 4"
                        )
                    ).all()
                )
    assert stored[0] == stored[1] and len(stored[0]) == 30


def test_report_shows_the_first_hundred_and_counts_the_rest(template, tmp_path):
    records = [dict(r, levelFrom="x") for r in PN_RECORDS * 5]  # 150 bad records
    error = assert_rejected_and_unchanged(
        template, tmp_path, "PN.json", json.dumps({"data": records}).encode()
    )
    text = error.report.text()
    assert "- PN.json, data[0]: levelFrom = 'x': expected a number" in text
    assert "… and 50 more not shown" in text
    assert error.report.as_json()["not_shown"] == 50
