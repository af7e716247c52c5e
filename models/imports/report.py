"""What an import found wrong (rejections: nothing written), imported with a warning
(warnings: written and kept with the run), set aside (notes) and wrote (summary)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from models.core.errors import WorkbenchInputError
from models.runs.run_warnings import DataWarning

SHOWN_REJECTIONS = 100
SHOWN_WARNINGS = 100


@dataclass(frozen=True, slots=True)
class Rejection:
    """One rejected record: where it is, which field, what value, and why."""

    file: str
    location: str  # "line 12" or "data[3]"
    field: str
    value: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}, {self.location}" if self.location else self.file
        what = f"{self.field} = {self.value}" if self.field else self.value
        return f"{where}: {what}: {self.reason}" if what else f"{where}: {self.reason}"

    def as_json(self) -> dict:
        return {
            "file": self.file,
            "location": self.location,
            "field": self.field,
            "value": self.value,
            "reason": self.reason,
        }


def shown_value(value: object, limit: int = 60) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class ImportReport:
    """Rejections and notes gathered over every file of one import."""

    rejections: list[Rejection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[DataWarning] = field(default_factory=list)
    strict: bool = False  # --strict: the warnings alone refused the import

    def reject(self, file: str, location: str, field_name: str, value: object, reason: str):
        self.rejections.append(
            Rejection(
                file, location, field_name, "" if value is None else shown_value(value), reason
            )
        )

    def reject_past_limit(self, file: str, count: int, limit: int, reason: str) -> bool:
        """Whether `count` is past `limit`; if so the file is rejected as a whole for `reason`."""
        if count <= limit:
            return False
        self.reject(file, "", "", None, reason)
        return True

    @property
    def rejected(self) -> bool:
        return bool(self.rejections)

    def text(self, shown: int = SHOWN_REJECTIONS) -> str:
        if self.rejections:
            lines = [f"Import rejected: {len(self.rejections)} problem(s); nothing was written."]
        else:
            lines = [
                f"Import refused (--strict): {len(self.warnings)} warning(s); nothing was written."
            ]
        by_file = Counter(r.file for r in self.rejections)
        lines += [f"  {name}: {count} problem(s)" for name, count in sorted(by_file.items())]
        lines += [f"- {r}" for r in self.rejections[:shown]]
        rest = len(self.rejections) - shown
        if rest > 0:
            lines.append(f"… and {rest} more not shown")
        lines += warning_lines(self.warnings, refused=not self.rejections)
        return "\n".join(lines)

    def as_json(self, shown: int = SHOWN_REJECTIONS) -> dict:
        return {
            "rejected": len(self.rejections),
            "shown": [r.as_json() for r in self.rejections[:shown]],
            "not_shown": max(0, len(self.rejections) - shown),
            "strict": self.strict,
            **warnings_json(self.warnings),
            "notes": list(self.notes),
        }


def warning_lines(
    warnings: list[DataWarning], shown: int = SHOWN_WARNINGS, *, refused: bool = False
) -> list[str]:
    """Text lines of warnings: the count, counts per file (warnings of no file, such as a
    date's R-REG-DATED, are not counted under an empty name), then the first `shown`.
    `refused`: --strict refused the import for them, so nothing was imported."""
    if not warnings:
        return []
    if refused:
        lines = [f"Warnings: {len(warnings)} (--strict refuses an import with any)"]
    else:
        lines = [f"Warnings: {len(warnings)} (imported as the rules say, listed with the run)"]
    by_file = Counter(w.file for w in warnings if w.file)
    lines += [f"  {name}: {count} warning(s)" for name, count in sorted(by_file.items())]
    lines += [f"! {w}" for w in warnings[:shown]]
    if len(warnings) > shown:
        lines.append(f"… and {len(warnings) - shown} more warning(s) not shown")
    return lines


def warnings_json(warnings: list[DataWarning], shown: int = SHOWN_WARNINGS) -> dict:
    return {
        "warnings": [w.as_json() for w in warnings[:shown]],
        "warnings_total": len(warnings),
        "warnings_by_file": dict(sorted(Counter(w.file for w in warnings if w.file).items())),
        "warnings_not_shown": max(0, len(warnings) - shown),
    }


class ImportRejected(WorkbenchInputError):
    """The import was rejected as a whole; `report` says why, record by record."""

    def __init__(self, report: ImportReport):
        super().__init__(report.text())
        self.report = report


@dataclass
class DatePart:
    """What an import wrote for one settlement date."""

    settlement_date: str
    run_id: int | None  # None when nothing new arrived for this date
    run_label: str
    base_run_id: int | None  # the earlier run whose data the new run carries forward
    records: dict[str, int] = field(default_factory=dict)
    # Published figures only (system prices, stack) added to the date's existing run, which
    # `run_id` then names, instead of a new run (issue 15 item 5).
    attached: bool = False
    warnings: int = 0  # warnings written with the run


@dataclass
class ImportSummary:
    """Records read per dataset, runs written per date, and notes."""

    files: list[str] = field(default_factory=list)
    records: Counter = field(default_factory=Counter)  # dataset -> records read
    duplicates: int = 0  # records read that repeat another exactly, stored once
    dates: list[DatePart] = field(default_factory=list)
    register_units: int = 0
    notes: list[str] = field(default_factory=list)
    warnings: list[DataWarning] = field(default_factory=list)
    # R-REG-DATED: each register file: (file, snapshot id, effective from, units, new?)
    snapshots: list = field(default_factory=list)

    def text(self) -> str:
        lines = [f"Imported {len(self.files)} file(s):"]
        lines += [
            f"  {name:10s} {count:>9,} record(s)" for name, count in sorted(self.records.items())
        ]
        if self.duplicates:
            lines.append(
                f"  {sum(self.records.values()):,} records, {self.duplicates:,} exact "
                "duplicate(s) collapsed (the same record read more than once, stored once)"
            )
        for s in self.snapshots:
            state = "new snapshot" if s.new else "identical to snapshot, nothing added:"
            lines.append(
                f"  BM unit register {s.file}: {state} {s.snapshot_id}, effective from "
                f"{s.effective_from.isoformat()}, {s.units:,} unit(s)"
            )
        for part in self.dates:
            if part.run_id is None:
                lines.append(f"  {part.settlement_date}: nothing new (already imported)")
            elif part.attached:
                lines.append(
                    f"  {part.settlement_date}: published figures added to run {part.run_id} "
                    f"{part.run_label}"
                )
            else:
                carried = f", carrying forward run {part.base_run_id}" if part.base_run_id else ""
                listed = f" ({part.warnings:,} warning(s) listed with it)" if part.warnings else ""
                lines.append(
                    f"  {part.settlement_date}: run {part.run_id} {part.run_label}{carried}{listed}"
                )
        if self.dates:
            lines.append(
                f"Dates covered: {self.dates[0].settlement_date} to "
                f"{self.dates[-1].settlement_date} ({len(self.dates)} date(s))"
            )
        lines += [f"Note: {n}" for n in self.notes]
        lines += warning_lines(self.warnings)
        return "\n".join(lines)

    def as_json(self) -> dict:
        return {
            "files": list(self.files),
            "records": dict(sorted(self.records.items())),
            "duplicates": self.duplicates,
            "register_units": self.register_units,
            "dates": [
                {
                    "settlement_date": p.settlement_date,
                    "run_id": p.run_id,
                    "run": p.run_label,
                    "base_run_id": p.base_run_id,
                    "attached": p.attached,
                    "warnings": p.warnings,
                    "rows": p.records,
                }
                for p in self.dates
            ],
            "register_snapshots": [
                {
                    "file": s.file,
                    "snapshot_id": s.snapshot_id,
                    "effective_from": s.effective_from.isoformat(),
                    "units": s.units,
                    "new": s.new,
                }
                for s in self.snapshots
            ],
            **warnings_json(self.warnings),
            "notes": list(self.notes),
        }
