"""The import report: errors (nothing written) apart from warnings (written), counts per
file, and the runs written or given the published figures."""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from models.imports.report import DatePart, ImportReport, ImportSummary, Rejection
from models.runs.run_warnings import DataWarning
from views.import_report import ImportReportDialog, outcome_status, run_to_show

UNREGISTERED = DataWarning(
    "R-REG-UNREGISTERED",
    "PN_2022-03-19.json",
    "data[4]",
    "bmUnit",
    "'T_NEW-1'",
    "not in the register snapshot in force: settled under UNREGISTERED, TLF 0",
)
ID_CHANGED = DataWarning(
    "R-REG-ID",
    "BOD_2022-03-19.json",
    "data[9]",
    "nationalGridBmUnit",
    "'ABCD-1'",
    "the register gives ABCD-1 to T_OTHER-1: the record's bmUnit T_ABCD-1 was used",
)
SECOND = DataWarning(
    "R-REG-UNREGISTERED", "PN_2022-03-19.json", "data[8]", "bmUnit", "'T_NEW-2'", "as above"
)


def _summary() -> ImportSummary:
    return ImportSummary(
        files=["/d/PN_2022-03-19.json", "/d/BOD_2022-03-19.json", "/d/sspsbpniv.csv"],
        records=Counter({"PN": 120, "BOD": 30, "SSPSBPNIV": 96}),
        dates=[
            DatePart("2022-03-19", 7, "2022-03-19 SF #2", 3, {"bid_offer": 30, "pn": 120}),
            DatePart("2022-03-20", 5, "2022-03-20 SF", None, {"published_price": 48}, True),
            DatePart("2022-03-21", None, "", None),
        ],
        warnings=[UNREGISTERED, ID_CHANGED, SECOND],
    )


def _rows(table) -> list[list]:
    model = table.model
    return [[model.raw(r, c) for c in range(model.columnCount())] for r in range(model.rowCount())]


def test_a_written_import_lists_runs_attached_figures_and_warnings(qtbot):
    dialog = ImportReportDialog(_summary())
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Import finished"
    assert dialog.errors is None  # no errors tab: nothing was refused
    assert dialog.headline.text() == (
        "Imported 246 record(s) from 3 files: 1 new run; published figures attached to "
        "2022-03-20 SF (run 5). 3 warnings: written as assumed below, and listed with the run."
    )
    tabs = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert tabs == ["Runs (3)", "Warnings (3)", "Per file", "Report text"]
    assert dialog.tabs.currentWidget() is dialog.warnings  # warnings first: read them
    assert _rows(dialog.runs) == [
        ["2022-03-19", "2022-03-19 SF #2", 7, 150, "new run, carrying forward run 3"],
        ["2022-03-20", "2022-03-20 SF", 5, 48, "published figures attached to this existing run"],
        ["2022-03-21", "", None, 0, "nothing new (already imported)"],
    ]
    assert _rows(dialog.files) == [
        ["BOD_2022-03-19.json", 0, 1],
        ["PN_2022-03-19.json", 0, 2],
        ["sspsbpniv.csv", 0, 0],
    ]
    assert _rows(dialog.warnings)[1] == [
        "BOD_2022-03-19.json",
        "data[9]",
        "nationalGridBmUnit",
        "'ABCD-1'",
        "R-REG-ID",
        ID_CHANGED.reason,
    ]
    # Sortable by any column; Ctrl+C copies the selected rows under their header.
    table = dialog.warnings
    table.view.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    assert table.proxy.data(table.proxy.index(0, 1)) == "data[9]"
    table.view.selectRow(0)
    table.copy_selection()
    copied = QGuiApplication.clipboard().text().splitlines()
    assert copied[0] == "file\tline / JSON path\tfield\tvalue\trule\tassumed"
    assert copied[1].split("\t")[4] == "R-REG-ID"
    # The selected warning in full below the table (its reason is wider than its column).
    assert table.detail.toPlainText() == str(ID_CHANGED)
    assert run_to_show(_summary()) == 7
    assert outcome_status(_summary()) == (
        "Imported 246 record(s); 1 new run, published figures attached to 1 existing run; "
        "3 warnings (see the report and the run)."
    )


def test_a_clean_import_says_no_warnings_and_shows_its_runs(qtbot):
    summary = ImportSummary(
        files=["/a/x.json", "/b/x.json"],
        records=Counter({"MID": 46}),
        dates=[DatePart("2026-03-29", 1, "2026-03-29 SF", None, {"market_index": 46})],
    )
    dialog = ImportReportDialog(summary)
    qtbot.addWidget(dialog)
    assert dialog.headline.text().endswith(": 1 new run. No warnings.")
    assert dialog.tabs.currentWidget() is dialog.runs
    # Two files of one name: named by path, as the importer names them.
    assert [r[0] for r in _rows(dialog.files)] == ["/a/x.json", "/b/x.json"]
    assert outcome_status(summary) == "Imported 46 record(s); 1 new run."


def test_exact_duplicates_are_told_in_the_headline_and_status(qtbot):
    """One file given twice: 92 records read, 46 of them repeats stored once."""
    summary = ImportSummary(
        files=["/a/x.json", "/b/x.json"],
        records=Counter({"MID": 92}),
        duplicates=46,
        dates=[DatePart("2026-03-29", 1, "2026-03-29 SF", None, {"market_index": 46})],
    )
    dialog = ImportReportDialog(summary)
    qtbot.addWidget(dialog)
    assert dialog.headline.text().startswith(
        "Imported 92 record(s), 46 exact duplicate(s) collapsed from 2 files: 1 new run."
    )
    assert outcome_status(summary) == (
        "Imported 92 record(s), 46 exact duplicate(s) collapsed; 1 new run."
    )


def test_errors_and_warnings_of_a_refused_import_are_kept_apart(qtbot):
    report = ImportReport(
        rejections=[
            Rejection("BOD.json", "[0]", "levelTo", "'x'", "not a number"),
            Rejection("BOD.json", "[1]", "settlementPeriod", "99", "outside 1–50"),
        ],
        warnings=[UNREGISTERED],
    )
    dialog = ImportReportDialog(report)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Import rejected"
    assert dialog.headline.text() == (
        "Nothing was written: 2 errors found, and 1 warning. Fix them (or leave those files "
        "out) and import again."
    )
    tabs = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert tabs == ["Errors (2)", "Warnings (1)", "Per file", "Report text"]
    assert dialog.tabs.currentWidget() is dialog.errors
    assert _rows(dialog.errors)[0] == ["BOD.json", "[0]", "levelTo", "'x'", "not a number"]
    assert _rows(dialog.files) == [["BOD.json", 2, 0], ["PN_2022-03-19.json", 0, 1]]
    assert outcome_status(report) == "Import rejected: 2 errors; nothing was written."


def test_a_strict_import_refused_on_warnings_alone_says_so(qtbot):
    report = ImportReport(warnings=[UNREGISTERED, SECOND])
    dialog = ImportReportDialog(report, strict=True)
    qtbot.addWidget(dialog)
    assert dialog.headline.text().startswith(
        "Nothing was written: a strict import refuses any warning (2 warnings found)."
    )
    assert (
        dialog.tabs.tabToolTip(dialog.warnings_tab) == "Refused under strict: nothing was written"
    )
    assert dialog.tabs.currentWidget() is dialog.warnings
    assert _rows(dialog.files) == [["PN_2022-03-19.json", 0, 2]]
    assert outcome_status(report, strict=True) == (
        "Import rejected: 2 warnings (strict); nothing was written."
    )


def test_a_file_imported_again_is_said_to_bring_nothing_new_not_imported(qtbot):
    """Tried under Xvfb: a file imported a second time was headed "Imported 46 record(s)
    from 1 file: 0 new runs." while its one row said nothing new was written."""
    again = ImportSummary(
        files=["/d/disebsp_2026-03-29.json"],
        records=Counter({"DISEBSP": 46}),
        dates=[DatePart("2026-03-29", None, "", None)],
    )
    dialog = ImportReportDialog(again)
    qtbot.addWidget(dialog)
    assert dialog.headline.text() == (
        "Read 46 record(s) from 1 file: nothing new, every record is already in the "
        "database (no run written)."
    )
    assert outcome_status(again) == (
        "Read 46 record(s); nothing new, every record is already in the database (no run written)."
    )
    assert run_to_show(again) is None
