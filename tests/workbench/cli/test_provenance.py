"""The `show --provenance` listing, from hand-made rows: one line per response, what it covers,
its records, when it was fetched, its sha256 and request, and the run it was fetched for."""

from __future__ import annotations

from datetime import date, datetime

from models.fetch.provenance import FetchedResponseRow
from workbench.cli.provenance import provenance_lines


def _row(number, dataset, periods, records, first, carried=None, params=None):
    return FetchedResponseRow(
        number=number,
        dataset=dataset,
        settlement_date=date(2022, 1, 1) if periods != "register" else None,
        period_from=None if periods in (None, "register") else periods[0],
        period_to=None if periods in (None, "register") else periods[1],
        first_record=first,
        records=records,
        sha256="ab" * 32,
        url="http://127.0.0.1:8/bmrs/api/v1/datasets/X",
        params=params if params is not None else {"format": "json"},
        fetched_at=datetime(2026, 12, 2, 10, 5, 7),
        carried_from_run_id=carried,
    )


def test_the_listing_has_a_line_per_response():
    rows = [
        _row(0, "REGISTER", "register", 1_523, 0, carried=3, params={}),
        _row(1, "BOD", (1, 4), 1_250, 0),
        _row(2, "PN", (27, 27), 198, 5_203),
        _row(3, "LOLPDRM", None, 240, 0),
    ]
    lines = provenance_lines("2022-01-01 SF#2", rows)
    assert lines[0] == (
        "run 2022-01-01 SF#2: its records came from 3 Insights response(s) fetched for it, "
        "1 carried forward with the records of earlier runs"
    )
    sha = "abababababab"
    assert [line.split() for line in lines[3:7]] == [
        ["0", "REGISTER", "current", "1,523", "0", "2026-12-02", "10:05:07", sha, "3",
         "http://127.0.0.1:8/bmrs/api/v1/datasets/X"],
        ["1", "BOD", "2022-01-01", "SP1-4", "1,250", "0", "2026-12-02", "10:05:07", sha, "this",
         "http://127.0.0.1:8/bmrs/api/v1/datasets/X?format=json"],
        ["2", "PN", "2022-01-01", "SP27", "198", "5,203", "2026-12-02", "10:05:07", sha, "this",
         "http://127.0.0.1:8/bmrs/api/v1/datasets/X?format=json"],
        ["3", "LOLPDRM", "2022-01-01", "240", "0", "2026-12-02", "10:05:07", sha, "this",
         "http://127.0.0.1:8/bmrs/api/v1/datasets/X?format=json"],
    ]  # fmt: skip
    assert len(lines) == 8 and lines[-1].startswith("A stored record of a dataset and settlement")


def test_a_run_without_fetched_responses_says_so():
    assert provenance_lines("2022-01-01 SF", []) == [
        "run 2022-01-01 SF: no fetched responses (imported from files, or before schema 0012)"
    ]


def test_a_row_covers_its_dataset_and_periods():
    pn = _row(2, "PN", (25, 28), 10, 0)
    assert [pn.covers("PN", p) for p in (24, 25, 28, 29)] == [False, True, True, False]
    assert not pn.covers("QPN", 26)
    assert _row(3, "LOLPDRM", None, 1, 0).covers("LOLPDRM", 48)
