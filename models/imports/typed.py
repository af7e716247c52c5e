"""Typing raw columns by their dataset description; every bad value becomes a rejection.

Values are converted column by column with a cache of distinct values (a day's files repeat
the same dates, times and ids thousands of times), which keeps 300,000-record imports fast.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np

from models.casefiles.validate import settlement_date_error, text_error
from models.core import limits
from models.core.limits import BIGINT
from models.imports.datasets import Dataset, Field
from models.imports.formats import Batch
from models.imports.report import ImportReport

_BOOLS = {"true": True, "false": False, "t": True, "f": False, "y": True, "n": False}


class BadValue(ValueError):
    pass


def _text(value: object) -> str | None:
    if isinstance(value, (bool, dict, list)):
        raise BadValue("expected text")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    problem = text_error(text)  # models.casefiles.validate: no controls, no lone surrogates
    if problem:
        raise BadValue(problem)
    return text or None


def _float(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise BadValue("expected a number")
    try:
        number = float(value)
    except ValueError:
        raise BadValue("expected a number") from None
    if not math.isfinite(number):
        digits = str(value).strip().lstrip("+-")
        if digits.isdigit():  # an integer literal too long for a float, not a NaN or infinity
            raise BadValue(
                f"an integer of {len(digits):,} digits; expected a number of at most "
                f"{limits.MAX_INTEGER_DIGITS} digits"
            )
        raise BadValue("expected a finite number")
    return number


def _int(value: object) -> int:
    number = _float(value)
    if not number.is_integer():
        raise BadValue("expected a whole number")
    if not BIGINT[0] <= number <= BIGINT[1]:
        raise BadValue(f"expected a whole number within ±{BIGINT[1]:,} (a 64-bit integer)")
    return int(number)


def _bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _BOOLS:
        return _BOOLS[value.strip().lower()]
    raise BadValue("expected true/false (or T/F)")


def _date(value: object) -> date:
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        raise BadValue("expected a date")
    text = str(value).strip()
    try:
        if len(text) == 10 and text[4] == "-":
            return date.fromisoformat(text)
        if len(text) == 10 and text[2] == "/":
            return datetime.strptime(text, "%d/%m/%Y").date()
        if len(text) == 8 and text[2] == "/":
            return datetime.strptime(text, "%d/%m/%y").date()
        if len(text) == 8 and text.isdigit():
            return datetime.strptime(text, "%Y%m%d").date()
    except ValueError:
        pass
    raise BadValue("expected a date (yyyy-mm-dd, dd/mm/yyyy or yyyymmdd)")


def _settlement_date(value: object) -> date:
    """A date the settlement calendar can hold (casefiles.validate: 2001-03-27 to 2099-12-31)."""
    day = _date(value)
    problem = settlement_date_error(day)
    if problem:
        raise BadValue(f"expected a settlement date from {problem.split('(')[-1].rstrip(')')}")
    return day


def _time(value: object) -> int:
    """An instant as whole UTC epoch seconds; times without a zone are UTC (Elexon's rule)."""
    if not isinstance(value, str):
        raise BadValue("expected a date and time")
    text = value.strip()
    try:
        if len(text) == 14 and text.isdigit():  # legacy BMRS yyyymmddHHMMSS
            instant = datetime.strptime(text, "%Y%m%d%H%M%S")
        else:
            instant = datetime.fromisoformat(text)
    except ValueError:
        raise BadValue("expected a date and time (ISO 8601, e.g. 2022-01-01T00:30:00Z)") from None
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    try:
        seconds = instant.timestamp()
    except (OverflowError, ValueError):
        raise BadValue("expected a date and time the settlement calendar can hold") from None
    if seconds % 60:
        raise BadValue("expected a time on a whole minute (spot times are minutes)")
    return int(seconds)


CONVERTERS: dict[str, Callable[[object], object]] = {
    "str": _text,
    "float": _float,
    "int": _int,
    "bool": _bool,
    "date": _date,
    "time": _time,
}
CACHED = {"str", "date", "time"}  # few distinct values, expensive to convert
_TEXT_TYPES = {str, type(None)}


@dataclass
class TypedBatch:
    """A batch's records with typed values; `ok[i]` is False for a rejected record."""

    batch: Batch
    values: dict[str, list]
    ok: list[bool]

    @property
    def dataset(self) -> Dataset:
        return self.batch.dataset

    @property
    def size(self) -> int:
        return len(self.ok)

    def reject(self, report: ImportReport, index: int, field: str, value, reason: str) -> None:
        self.ok[index] = False
        report.reject(self.batch.file, self.batch.locate(index), field, value, reason)

    def column(self, name: str) -> list:
        return self.values[name]


def _source_column(batch: Batch, spec: Field) -> list | None:
    for key in spec.keys:
        if key in batch.columns:
            return batch.columns[key]
    return None


def _fast_numbers(raw: list, kind: str) -> list | None:
    """JSON numbers as they are, when every value of the column already is one (the common
    case); None sends the column through the value-by-value path."""
    if kind not in ("float", "int") or not raw:
        return None
    types = set(map(type, raw))
    if kind == "int" and types == {int}:
        if BIGINT[0] <= min(raw) and max(raw) <= BIGINT[1]:
            return raw
        return None  # one beyond 64 bits: refused value by value
    if kind == "float" and types <= {int, float}:
        values = np.asarray(raw, dtype=float)
        if np.isfinite(values).all():
            return values.tolist()
    return None


def _check_limit(typed: TypedBatch, report: ImportReport, spec: Field, values: list) -> None:
    limit = spec.limit
    if limit is None:
        return
    array = np.asarray(values, dtype=float)  # None (missing or refused) becomes NaN
    for i in np.flatnonzero(np.abs(array) > limit):
        typed.reject(
            report, int(i), spec.source, values[i], f"implausible: beyond ±{limit:,.0f} {spec.unit}"
        )
        values[i] = None


def type_batch(batch: Batch, report: ImportReport) -> TypedBatch:
    size = batch.size
    ok = [True] * size
    typed = TypedBatch(batch, {}, ok)
    for spec in batch.dataset.fields:
        raw = _source_column(batch, spec)
        if raw is None:
            if spec.required:
                names = spec.source if not spec.aliases else f"{spec.source} (or {spec.aliases[0]})"
                report.reject(
                    batch.file,
                    "",
                    spec.source,
                    None,
                    f"missing field {names} required by {batch.dataset.name} "
                    f"({size:,} record(s) rejected)",
                )
                typed.ok = [False] * size
                return typed
            typed.values[spec.name] = [None] * size
            continue
        fast = _fast_numbers(raw, spec.type)
        if fast is not None:
            typed.values[spec.name] = fast
            _check_limit(typed, report, spec, fast)
            continue
        convert = _settlement_date if spec.name == "settlement_date" else CONVERTERS[spec.type]
        # Numbers as text (CSV) that rarely repeat, such as costs, are quicker value by value.
        distinct = _distinct_text(raw) if spec.type in CACHED or _repeats(raw) else None
        if distinct is not None:
            out = _by_distinct_text(typed, report, spec, raw, distinct, convert)
        else:
            out = _by_value(typed, report, spec, raw, convert)
        _check_limit(typed, report, spec, out)
        typed.values[spec.name] = out
    return typed


def _repeats(raw: list, sample: int = 1000) -> bool:
    """Whether the column's first values repeat, each about 8 times or more on average."""
    try:
        return len(set(raw[:sample])) * 8 <= min(sample, len(raw))
    except TypeError:  # unhashable
        return False


def _distinct_text(raw: list) -> dict | None:
    """The distinct values of a column of text and nulls (every CSV cell, JSON strings), in
    first-seen order; None for any other column. A text key equals no value of another type,
    so the keys' types are the column's."""
    try:
        distinct = dict.fromkeys(raw)
    except TypeError:  # unhashable (a list or object where a value belongs)
        return None
    return distinct if set(map(type, distinct)) <= _TEXT_TYPES else None


def _by_distinct_text(
    typed: TypedBatch, report: ImportReport, spec: Field, raw: list, distinct: dict, convert
) -> list:
    """Each distinct text value converted once and mapped back in C: a day's files repeat
    the same dates, times and ids thousands of times. `distinct` (all values None) is
    filled in place with the converted values."""
    problems: dict = {}
    for value in distinct:
        if value is None or value == "":
            if spec.required:
                problems[value] = f"required {spec.type} is missing"
            continue
        try:
            distinct[value] = convert(value)
        except BadValue as exc:
            problems[value] = str(exc)
    out = list(map(distinct.__getitem__, raw))
    if problems:  # rare: name each record holding a refused value, in record order
        for i, value in enumerate(raw):
            reason = problems.get(value)
            if reason is not None:
                shown = None if value is None or value == "" else value
                typed.reject(report, i, spec.source, shown, reason)
    return out


def _by_value(typed: TypedBatch, report: ImportReport, spec: Field, raw: list, convert) -> list:
    """A column of mixed JSON values, value by value (cached by type and value: 1 and True
    are equal keys of a dict but not the same value here)."""
    cache: dict | None = {} if spec.type in CACHED else None
    out = [None] * len(raw)
    for i, value in enumerate(raw):
        if value is None or value == "":
            if spec.required:
                typed.reject(report, i, spec.source, None, f"required {spec.type} is missing")
            continue
        try:
            if cache is not None:
                key = (value.__class__, value)
                try:
                    out[i] = cache[key]
                except KeyError:
                    out[i] = cache[key] = convert(value)
                except TypeError:  # unhashable (a list or object where a value belongs)
                    out[i] = convert(value)
            else:
                out[i] = convert(value)
        except BadValue as exc:
            typed.reject(report, i, spec.source, value, str(exc))
    return out
