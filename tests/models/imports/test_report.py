"""The import report as the command line prints it: rejections (nothing written) counted per
file and shown up to a limit, --strict refusals, warnings, and what a successful import wrote."""

from __future__ import annotations

from collections import Counter

from models.imports.report import DatePart, ImportReport, ImportSummary, Rejection, shown_value
from models.runs.run_warnings import DataWarning

DATED = DataWarning("R-REG-DATED", "", "", "", "", "2022-01-01: register of 2026 assumed")
UNREGISTERED = DataWarning("R-REG-UNREGISTERED", "PN.json", "data[3]", "bmUnit", "T_NEW-1",
                           "settled with the defaults")  # fmt: skip


def test_a_rejection_names_the_place_field_and_value():
    assert str(Rejection("BOD.csv", "line 12", "bid", "'abc'", "not a number")) == (
        "BOD.csv, line 12: bid = 'abc': not a number"
    )
    assert str(Rejection("big.json", "", "", "", "too many records")) == (
        "big.json: too many records"
    )


def test_values_are_shown_short_and_text_quoted():
    assert shown_value("abc") == "'abc'" and shown_value(12.5) == "12.5"
    assert shown_value("x" * 100) == "'" + "x" * 58 + "…"  # 60 characters with the mark


def test_rejections_are_counted_per_file_and_the_rest_beyond_the_limit_counted():
    report = ImportReport()
    for line in (3, 4, 5):
        report.reject("BOD.csv", f"line {line}", "bid", "abc", "not a number")
    report.reject("PN.json", "data[0]", "levelFrom", None, "missing")
    assert report.rejected
    assert report.text(shown=2).splitlines() == [
        "Import rejected: 4 problem(s); nothing was written.",
        "  BOD.csv: 3 problem(s)",
        "  PN.json: 1 problem(s)",
        "- BOD.csv, line 3: bid = 'abc': not a number",
        "- BOD.csv, line 4: bid = 'abc': not a number",
        "… and 2 more not shown",
    ]
    document = report.as_json(shown=2)
    assert (document["rejected"], document["not_shown"], len(document["shown"])) == (4, 2, 2)
    assert document["shown"][0]["value"] == "'abc'"


def test_a_file_past_a_limit_is_rejected_whole_and_one_at_the_limit_is_not():
    report = ImportReport()
    assert not report.reject_past_limit("a.json", 10, 10, "too many")
    assert report.reject_past_limit("a.json", 11, 10, "11 records; at most 10")
    assert [str(r) for r in report.rejections] == ["a.json: 11 records; at most 10"]


def test_strict_refuses_for_warnings_alone():
    report = ImportReport(warnings=[UNREGISTERED, DATED], strict=True)
    assert not report.rejected
    assert report.text().splitlines() == [
        "Import refused (--strict): 2 warning(s); nothing was written.",
        "Warnings: 2 (--strict refuses an import with any)",
        "  PN.json: 1 warning(s)",  # the dated warning has no file and is counted under none
        "! PN.json, data[3]: bmUnit = T_NEW-1: settled with the defaults [R-REG-UNREGISTERED]",
        "! 2022-01-01: register of 2026 assumed [R-REG-DATED]",
    ]
    assert report.as_json()["warnings_by_file"] == {"PN.json": 1}


def test_a_summary_says_what_each_date_received():
    summary = ImportSummary(
        files=["PN.json", "BOD.json"],
        records=Counter({"PN": 1200, "BOD": 30}),
        dates=[
            DatePart("2022-01-01", 3, "SF#2", base_run_id=1, warnings=1),
            DatePart("2022-01-02", None, "", None),
            DatePart("2022-01-03", 4, "II#1", None, attached=True),
        ],
        warnings=[UNREGISTERED],
    )
    assert summary.text().splitlines() == [
        "Imported 2 file(s):",
        "  BOD               30 record(s)",
        "  PN             1,200 record(s)",
        "  2022-01-01: run 3 SF#2, carrying forward run 1 (1 warning(s) listed with it)",
        "  2022-01-02: nothing new (already imported)",
        "  2022-01-03: published figures added to run 4 II#1",
        "Dates covered: 2022-01-01 to 2022-01-03 (3 date(s))",
        "Warnings: 1 (imported as the rules say, listed with the run)",
        "  PN.json: 1 warning(s)",
        "! PN.json, data[3]: bmUnit = T_NEW-1: settled with the defaults [R-REG-UNREGISTERED]",
    ]
    document = summary.as_json()
    assert document["records"] == {"BOD": 30, "PN": 1200}
    assert [d["run_id"] for d in document["dates"]] == [3, None, 4]
    assert document["warnings_total"] == 1
