"""Reading an S0142 (SAA-I014 sub-flow 2 settlement report), flow version 013 or 014.

The `AAA` file type says the version (`S0142013`, `S0142014`); every record's field count
must then be that version's (`layout.py`), so a v013 file whose BP7 has 27 fields is refused,
not read as v014. Beyond the record tree (`record_tree.py`) the reader checks what the layout
states about periods: SPI and each party's SP7 run 1, 2, … in order, and there are as many as
the SRH settlement date has (46, 48 or 50: R-CAL), for the system block and for every party.

    report = read_s0142(path)
    report.table("BP7").columns["qm"]       # float64 MWh, one per BM unit and period
    report.table("BP7").parent              # row of its SP7; SP7.parent is the BPH row
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from engine.settlement_calendar import periods_in_day
from models.p114.errors import LayoutError
from models.p114.framing import FlatFile
from models.p114.layout import ROOT, S0142_RECORDS, VERSIONS
from models.p114.record_tree import RecordTree, TreeSpec
from models.p114.records import FlatFileContent

FLOW = "S0142"


def tree_specs(version: str) -> dict[str, TreeSpec]:
    return {
        code: TreeSpec(
            code,
            spec.parents,
            spec.rank,
            spec.minimum,
            spec.maximum,
            spec.fields_of(version),
            spec.inferred,
            not spec.children,
        )
        for code, spec in S0142_RECORDS.items()
    }


class _Periods:
    """The period checks: SRH's date gives the count; SPI and SP7 run 1..count in order."""

    def __init__(self, name: str):
        self.name = name
        self.settlement_date: date | None = None
        self.expected: int | None = None

    def on_record(self, code: str, number: int, line: bytes, counts: dict) -> None:
        if code == "SRH":
            raw = line[4:12]
            try:
                self.settlement_date = date(int(raw[:4]), int(raw[4:6]), int(raw[6:8]))
            except ValueError:
                return  # the typed column reports it, with its position
            self.expected = periods_in_day(self.settlement_date)
            return
        period = line[4 : line.index(b"|", 4)]
        wanted = counts[code]
        if period != str(wanted).encode():
            raise LayoutError(
                f"{self.name} line {number}: {code} position 1 (N0201 Settlement Period) is "
                f"{period.decode('ascii', 'replace')!r}, expected {wanted}: periods run 1, 2, "
                "… in order"
            )

    def on_close(self, code: str, frame: list, number: int) -> None:
        child = {ROOT: "SPI", "BPH": "SP7"}.get(code)
        if child is None or self.expected is None:
            return
        seen = (frame[3] or {}).get(child, 0)
        if seen != self.expected:
            where = "the file" if code == ROOT else f"BPH at line {frame[4]}"
            raise LayoutError(
                f"{self.name}: {where} has {seen} {child} records, but settlement date "
                f"{self.settlement_date} has {self.expected} settlement periods"
            )


def read_s0142(path: Path, name: str | None = None) -> FlatFileContent:
    """Every record of an S0142 file in typed tables; P114Error (one line) if it is refused."""
    with FlatFile(Path(path), {FLOW: VERSIONS}, name) as flat:
        version = flat.header.version
        periods = _Periods(flat.name)
        tree = RecordTree(
            tree_specs(version),
            flat.name,
            f"layout {FLOW}{version}",
            on_close=periods.on_close,
            on_record=periods.on_record,
            watched=("SRH", "SPI", "SP7"),
            closed=(ROOT, "BPH"),
            other_counts={
                code: {
                    len(spec.fields_of(other)): f"layout {FLOW}{other}"
                    for other in VERSIONS
                    if len(spec.fields_of(other)) != len(spec.fields_of(version))
                }
                for code, spec in S0142_RECORDS.items()
            },
        )
        for first, lines in flat.chunks():
            tree.feed(first, lines)
        tables = tree.finish()
        return FlatFileContent(flat.name, flat.header, tables)
