"""Excel sheets take any text a user can type (issue 16): controls and lone surrogates are
shown, not refused; exports are written atomically."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from models.casefiles.case_file import load_case
from models.db.database import SettlementDatabase
from models.disputes.dispute_cases import add_scenario, create_dispute_case
from models.exports.packs import write_case_pack
from models.exports.xlsx import Col, clean_text, sheet_title, write_table
from models.runs.case_store import import_case
from models.runs.scenarios.store import create_scenario, edit
from tests.paths import CASES

HOSTILE = ["Gen\x01", "bell\x07", "\x00nul", "form\x0cfeed", "lone \ud800 half", "=SUM(1)\x07"]


def test_controls_become_control_pictures_and_surrogates_replacement_marks():
    assert clean_text("Gen\x07") == "Gen\u2407"
    assert clean_text("\x00a\x1fb") == "\u2400a\u241fb"
    assert clean_text("x\ud800y") == "x\ufffdy"
    assert clean_text("tab\tand\nline\rbreaks") == "tab\tand\nline\rbreaks"  # Excel holds these
    assert clean_text("plain £ text") == "plain £ text"


def test_sheet_titles_lose_the_characters_excel_refuses():
    assert sheet_title("TD/9: [case]?") == "TD_9_ _case__"
    assert sheet_title("x" * 40) == "x" * 31
    assert sheet_title("") == "Sheet"


def test_a_table_of_hostile_text_is_written_and_reads_back(tmp_path):
    path = tmp_path / "t.xlsx"
    write_table(path, "Hostile\x07", [Col("text\x01"), Col("n", "int")], [[t, 1] for t in HOSTILE])
    sheet = load_workbook(path).active
    values = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert values == [clean_text(t) for t in HOSTILE]
    assert sheet.cell(1, 1).value == "text\u2401"
    assert sheet.cell(7, 1).data_type == "s"  # a formula-like text stays text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.xlsx"]


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=40))
def test_any_text_a_user_can_type_is_exported(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("any") / "t.xlsx"
    write_table(path, text or "t", [Col("text")], [[text]])
    value = load_workbook(path).active.cell(2, 1).value
    assert value == (clean_text(text) or None) or (value is None and text == "")


def test_a_failed_export_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "t.xlsx"
    write_table(path, "t", [Col("text")], [["old"]])
    before = path.read_bytes()
    real_save = __import__("openpyxl").Workbook.save

    def save_then_fail(self, filename):
        real_save(self, filename)  # the whole temporary file is written…
        raise OSError(28, "No space left on device")  # …and then the disk fills

    monkeypatch.setattr("openpyxl.workbook.workbook.Workbook.save", save_then_fail)
    with pytest.raises(OSError):
        write_table(path, "t", [Col("text")], [["new"]])
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.xlsx"]


def test_an_evidence_pack_with_controls_in_names_reasons_and_ids(tmp_path):
    """Entry points refuse control characters (casefiles.validate), but a database written by an
    older version or another tool may hold them: the pack is written all the same."""
    with SettlementDatabase.create(tmp_path / "w.sqlite") as db:
        import_case(db, load_case(CASES / "worked_example.json"))
        with db.engine.begin() as conn:
            scenario = create_scenario(conn, 1, "what if", author="analyst")
            edit(
                conn,
                scenario,
                "remove_acceptance",
                {"bm_unit": "T_GEN-1", "number": 2},
                None,
                author="reviewer",
                reason="because",
            )
            case = create_dispute_case(
                conn,
                reference="TD-9",
                raising_party="GEN",
                run_id=1,
                description="bell",
                run_date=date(2024, 7, 4),
            )
            add_scenario(conn, case, scenario)
            for statement in (
                "UPDATE settlement_run SET name = 'what\x01if' WHERE kind = 'scenario'",
                "UPDATE scenario_override SET reason = 'because\x07', author = 're\x01viewer'",
                "UPDATE scenario_audit SET author = 'an\x07alyst', reason = 'why\x1f'",
                "UPDATE dispute_case SET reference = 'TD\x01-9', description = 'bell\x07'",
                "UPDATE party SET name = 'Gen\x1b plc'",
            ):
                conn.exec_driver_sql(statement)
        path = write_case_pack(db, "TD\x01-9", tmp_path / "pack.xlsx")
    cells = {
        c.value
        for sheet in load_workbook(path).worksheets
        for row in sheet.iter_rows()
        for c in row
        if isinstance(c.value, str)
    }
    for shown in ("because\u2407", "re\u2401viewer", "an\u2407alyst", "TD\u2401-9"):
        assert any(shown in v for v in cells), shown
