"""Reading a C0421 (CDCA-I042 BM Unit Aggregation Report): metered volumes of CVA BM units.

Layout (S0142_LAYOUT.md §6), same framing and checksum as S0142: `ABV` per BM unit (BM Unit
Id, Settlement Date, Settlement Run Type, CDCA Run Number, Date of Aggregation), each followed
by one `ABP` per settlement period (period, Estimate Indicator, Meter Volume in MWh, unsigned,
Import/Export Indicator). Only flow version 002 has been seen; another version is refused.
The periods of each ABV must run 1 … N in order, N being its settlement date's number of
periods (R-CAL). `signed_volumes` gives QM with export positive and import negative, the
rulebook's sign (*inferred* in the layout); estimated volumes are kept and flagged.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np

from engine.settlement_calendar import periods_in_day
from models.p114.errors import FieldValueError, LayoutError
from models.p114.framing import FlatFile
from models.p114.layout import ROOT, RUN_TYPES, _fields
from models.p114.record_tree import RecordTree, TreeSpec
from models.p114.records import FlatFileContent

FLOW = "C0421"
VERSIONS = ("002",)

ABV_FIELDS = _fields(
    [
        ("bm_unit_id", "N0034", "BM Unit Id", "text(11)", "M"),
        ("settlement_date", "N0200", "Settlement Date", "date", "M"),
        ("run_type", "N0202", "Settlement Run Type", f"text(2):{RUN_TYPES}", "M"),
        ("cdca_run_number", "", "CDCA Run Number", "integer(2)", "M"),
        ("aggregation_date", "", "Date of Aggregation", "date", "M"),
    ]
)
ABP_FIELDS = _fields(
    [
        ("settlement_period", "N0201", "Settlement Period", "integer(2)", "M"),
        ("estimate", "", "Estimate Indicator", "boolean", "M"),
        ("volume", "", "Meter Volume (MWh, unsigned)", "decimal(10,3)", "M"),
        ("import_export", "", "Import/Export Indicator", "char:I,E", "M"),
    ]
)
C0421_RECORDS = {
    "ABV": TreeSpec("ABV", (ROOT,), 0, 0, None, ABV_FIELDS, False, False),
    "ABP": TreeSpec("ABP", ("ABV",), 0, 46, 50, ABP_FIELDS, False, True),
}


class _Periods:
    def __init__(self, name: str):
        self.name = name
        self.expected: int | None = None
        self.settlement_date: date | None = None

    def on_record(self, code: str, number: int, line: bytes, counts: dict) -> None:
        fields = line.split(b"|")
        if code == "ABV":
            raw = fields[2]
            try:
                self.settlement_date = date(int(raw[:4]), int(raw[4:6]), int(raw[6:8]))
                self.expected = periods_in_day(self.settlement_date)
            except ValueError:
                self.settlement_date = self.expected = None  # the typed column says why
            return
        wanted = counts["ABP"]
        if fields[1] != str(wanted).encode():
            raise LayoutError(
                f"{self.name} line {number}: ABP position 1 (N0201 Settlement Period) is "
                f"{fields[1].decode('ascii', 'replace')!r}, expected {wanted}: the periods of "
                "a BM unit run 1, 2, … in order"
            )

    def on_close(self, code: str, frame: list, number: int) -> None:
        if code != "ABV" or self.expected is None:
            return
        seen = (frame[3] or {}).get("ABP", 0)
        if seen != self.expected:
            raise LayoutError(
                f"{self.name}: ABV at line {frame[4]} has {seen} ABP records, but settlement "
                f"date {self.settlement_date} has {self.expected} settlement periods"
            )


def read_c0421(path: Path, name: str | None = None) -> FlatFileContent:
    """Every ABV and ABP of a C0421 file in typed tables; P114Error (one line) if refused."""
    with FlatFile(Path(path), {FLOW: VERSIONS}, name) as flat:
        periods = _Periods(flat.name)
        tree = RecordTree(
            C0421_RECORDS,
            flat.name,
            f"layout {FLOW}{flat.header.version}",
            on_close=periods.on_close,
            on_record=periods.on_record,
            watched=("ABV", "ABP"),
            closed=("ABV",),
        )
        for first, body in flat.chunks():
            tree.feed(first, body)
        tables = tree.finish()
    negative = tables["ABP"].columns["volume"] < 0
    if negative.any():
        row = int(np.flatnonzero(negative)[0])
        raise FieldValueError(
            f"{flat.name} line {tables['ABP'].line[row]}: ABP position 3 (Meter Volume): "
            f"{tables['ABP'].columns['volume'][row]} is negative; the volume is unsigned and "
            "position 4 says import or export"
        )
    return FlatFileContent(flat.name, flat.header, tables)


def signed_volumes(content: FlatFileContent) -> dict[str, np.ndarray]:
    """Per ABP: BM unit, period, QM in MWh (export +, import −: the rulebook's sign,
    *inferred* for C0421) and whether it is an estimate."""
    abv, abp = content.table("ABV"), content.table("ABP")
    sign = np.where(abp.columns["import_export"] == "I", -1.0, 1.0)
    return {
        "bm_unit_id": abv.columns["bm_unit_id"][abp.parent],
        "settlement_date": abv.columns["settlement_date"][abp.parent],
        "period": abp.columns["settlement_period"],
        "qm": sign * abp.columns["volume"] + 0.0,
        "estimate": abp.columns["estimate"],
    }
