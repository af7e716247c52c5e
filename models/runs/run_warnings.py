"""Warnings kept with a run: quirks of real data that were imported anyway.

An error refuses an import (nothing is written); a warning is written and listed with the
run it concerns, so that no analyst mistakes assumed data for published data. Each names
where (file, line or JSON path), the field and value, what was assumed, and the rule that
allows it (R-REG-ID, R-REG-UNREGISTERED, R-REG-DATED, …).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, select

from models.db.bulk import bulk_insert
from models.db.schema import RunWarning

WARNING = RunWarning.__table__


@dataclass(frozen=True, slots=True)
class DataWarning:
    """One quirk of the data: where it is, which field, what value, what was assumed."""

    rule: str
    file: str
    location: str  # "line 12", "data[3]" or ""
    field: str
    value: str
    reason: str  # what was found and what was assumed

    def __str__(self) -> str:
        where = f"{self.file}, {self.location}" if self.location else self.file
        what = f"{self.field} = {self.value}" if self.field else self.value
        rule = f" [{self.rule}]" if self.rule else ""
        body = f"{what}: {self.reason}" if what else self.reason
        return f"{where}: {body}{rule}" if where else f"{body}{rule}"

    def as_json(self) -> dict:
        return {
            "rule": self.rule,
            "file": self.file,
            "location": self.location,
            "field": self.field,
            "value": self.value,
            "reason": self.reason,
        }


def write_run_warnings(conn: Connection, run_id: int, warnings: Iterable[DataWarning]) -> int:
    """Store a run's warnings, in order, once each; return how many were written."""
    unique = list(dict.fromkeys(warnings))
    rows = [
        {
            "seq": seq,
            "rule": w.rule,
            "file": w.file[:500],
            "location": w.location[:200],
            "field": w.field[:64],
            "value": w.value,
            "reason": w.reason,
        }
        for seq, w in enumerate(unique, start=1)
    ]
    return bulk_insert(conn, WARNING, rows, {"run_id": run_id})


def read_run_warnings(conn: Connection, run_id: int) -> list[DataWarning]:
    """A run's warnings in the order they were written."""
    rows = conn.execute(
        select(
            WARNING.c.rule,
            WARNING.c.file,
            WARNING.c.location,
            WARNING.c.field,
            WARNING.c.value,
            WARNING.c.reason,
        )
        .where(WARNING.c.run_id == run_id)
        .order_by(WARNING.c.seq)
    ).all()
    return [DataWarning(*row) for row in rows]


def delete_run_warnings(conn: Connection, run_id: int) -> None:
    conn.execute(WARNING.delete().where(WARNING.c.run_id == run_id))
