"""IDD data types (IDD Part 1 §2.2.3): reading a column of raw fields, writing values.

A column is read all at once with numpy string ufuncs, so a million values cost a few
passes in C rather than a Python call each. The spellings are the IDD's, checked strictly:
`decimal(n,d)` has at most n−d integer digits and d decimals, no leading zeros, no trailing
zeros or point, no exponent, and zero is never signed (`0`, `0.1`, `-25`, `6000`); `integer(n)`
at most n digits; `text(n)` at most n ASCII characters without leading or trailing spaces nor
`$ < > \\ ~ |`; `boolean` `T`/`F`; `date` YYYYMMDD; `datetime` YYYYMMDDHHMMSS (GMT). An
absent optional field is the empty string. `raw` is a position whose IDD item is unknown
(layout rows marked `?`): its text is kept as written, unchecked beyond ASCII.

Typed columns: decimals and numbers are float64 (NaN = absent); integers are int64 when
mandatory, float64 (NaN = absent) when optional; booleans are bool when mandatory, float64
(1.0, 0.0, NaN = absent) when optional; text, char and raw are str arrays ('' = absent); dates
are datetime64[D] and datetimes datetime64[s] (NaT = absent).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np

FORBIDDEN_TEXT = b"$<>\\~|"
_SPEC = re.compile(r"^(integer|decimal|number|text|char|boolean|date|datetime|raw)(?:\((.*)\))?$")


class ColumnValueError(ValueError):
    """Row `index` of a column holds `value`, which is not of the column's type."""

    def __init__(self, index: int, value: bytes, reason: str):
        super().__init__(reason)
        self.index, self.value, self.reason = index, value, reason


@dataclass(frozen=True, slots=True)
class IddType:
    """One IDD data type: `kind` with its digits, decimals or length, and any valid set."""

    kind: str
    size: int = 0  # digits of integer/decimal/number, length of text
    decimals: int = 0
    valid: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        if self.kind in ("decimal", "number"):
            return f"{self.kind}({self.size},{self.decimals})"
        if self.kind in ("integer", "text"):
            return f"{self.kind}({self.size})"
        if self.valid:
            return f"{self.kind} {'/'.join(self.valid)}"
        return self.kind

    @property
    def numeric(self) -> bool:
        return self.kind in ("integer", "decimal", "number")


def idd_type(spec: str) -> IddType:
    """`decimal(10,3)`, `integer(2)`, `text(8)`, `text(2):II,SF`, `char:P,C`, `boolean`, …"""
    spec, _, valid = spec.partition(":")
    match = _SPEC.match(spec)
    if match is None:
        raise ValueError(f"unknown IDD type {spec!r}")
    kind, args = match.group(1), match.group(2)
    numbers = [int(a) for a in args.split(",")] if args else []
    size = numbers[0] if numbers else (1 if kind == "char" else 0)
    decimals = numbers[1] if len(numbers) > 1 else 0
    return IddType(kind, size, decimals, tuple(valid.split(",")) if valid else ())


# ---------------------------------------------------------------------------------------------
# Reading


def _fail(mask: np.ndarray, value_of, reason: str) -> None:
    if mask.any():
        index = int(np.flatnonzero(mask)[0])
        raise ColumnValueError(index, value_of(index), reason)


POW10 = 10 ** np.arange(19, dtype=np.int64)


class ChunkFields:
    """Per-field facts of a chunk of records, computed once for every field of every record.

    Field k is the text between separator k and separator k + 1 (`bars`, positions of `|`).
    Its length, digit, point and minus counts, point position, first, second and last
    characters and its digits read as one integer (`mantissa`) come from cumulative sums
    over the chunk's bytes, so typing a column is a gather of these facts, not a parse."""

    def __init__(self, data: np.ndarray, bars: np.ndarray):
        self.data = data
        size = len(data)
        bars = bars.astype(np.int32)
        self.start = bars[:-1] + 1
        self.end = bars[1:]
        a, b = self.start, self.end
        self.length = b - a
        digit = (data >= 48) & (data <= 57)
        dot = data == 46
        counts = np.zeros(size + 1, dtype=np.int32)
        np.cumsum(digit, out=counts[1:])
        self.digits = counts[b] - counts[a]
        marks = np.zeros(size + 1, dtype=np.int32)
        np.cumsum(dot, out=marks[1:])
        before = marks[a]
        self.dots = marks[b] - before
        points = np.flatnonzero(dot).astype(np.int32)
        if len(points):  # the field's first point is the points counted before it
            self.dot_at = points[np.minimum(before, len(points) - 1)] - a
        else:
            self.dot_at = np.zeros(len(a), dtype=np.int32)
        np.cumsum(data == 45, out=marks[1:])
        self.minus = marks[b] - marks[a]
        last = size - 1
        self.first = data[np.minimum(a, last)]
        self.second = data[np.minimum(a + 1, last)]
        self.last = data[np.maximum(b - 1, 0)]
        # each digit times 10 to the number of digits after it in its field, summed per field:
        # digit i of the chunk (in order) is in the field whose first digit is digit
        # counts[a] and last digit counts[b] - 1
        where = np.flatnonzero(digit)
        first_digit = counts[a]
        if len(where):
            fields_digits = np.repeat(np.arange(len(a), dtype=np.int32), self.digits)
            # digits before the first field (the record type's, as in "BP7") belong to none
            skip = int(first_digit[0]) if len(a) else len(where)
            used = where[skip : skip + len(fields_digits)]
            after = counts[b][fields_digits] - np.arange(skip + 1, skip + len(used) + 1)
            np.minimum(after, 18, out=after)
            value = np.zeros(len(used) + 1, dtype=np.int64)  # a 0 after the last digit
            np.multiply(POW10[after], data[used] - 48, out=value[:-1])
            # a field without digits starts where the next one does; it is masked to 0 below
            sums = np.add.reduceat(value, first_digit - skip)
            self.mantissa = np.where(self.digits > 0, sums, 0)
        else:
            self.mantissa = np.zeros(len(a), dtype=np.int64)
        # the facts packed 16 bits each into two words, so that typing a column gathers two
        # words per field, not eight (a field longer than 65,535 bytes reads as 65,535)
        lane = lambda x: np.minimum(x, 0xFFFF).astype(np.int64)  # noqa: E731
        self.counts = (
            lane(self.length)
            | lane(self.digits) << 16
            | lane(self.dots) << 32
            | lane(self.minus) << 48
        )
        self.chars = (
            self.first.astype(np.int64)
            | self.second.astype(np.int64) << 16
            | self.last.astype(np.int64) << 32
            | lane(np.where(self.dots > 0, self.dot_at, 0)) << 48
        )

    def facts(self, fields: np.ndarray) -> tuple[np.ndarray, ...]:
        """(length, digits, points, minus signs, first, second, last character, point offset)
        of `fields`."""
        counts, chars = self.counts[fields], self.chars[fields]
        mask = 0xFFFF
        return (
            counts & mask,
            counts >> 16 & mask,
            counts >> 32 & mask,
            counts >> 48,
            chars & mask,
            chars >> 16 & mask,
            chars >> 32 & mask,
            chars >> 48,
        )

    def raw(self, field: int) -> bytes:
        return self.data[self.start[field] : self.end[field]].tobytes()


def read_fields(
    kind: IddType, chunk: ChunkFields, fields: np.ndarray, mandatory: bool
) -> np.ndarray:
    """The typed column of the chunk's fields `fields` (indices into ChunkFields).
    ColumnValueError names the first bad row (an index into `fields`)."""
    n = len(fields)
    facts = chunk.facts(fields)
    length = facts[0]

    def value_of(index: int) -> bytes:
        return chunk.raw(int(fields[index]))

    empty = length == 0
    if mandatory:
        _fail(empty, value_of, "empty, but the field is mandatory")
    if n == 0 or not length.any():
        return _absent(kind, n)
    if kind.numeric:
        return _numbers(kind, chunk, fields, facts, empty, mandatory, value_of)
    first = facts[4]
    if kind.kind == "boolean":
        true, false = (first == 84) & (length == 1), (first == 70) & (length == 1)
        _fail(~(true | false | empty), value_of, "not a boolean: expected T or F")
        if mandatory:
            return true
        return np.where(empty, np.nan, true.astype(np.float64))
    width = int(length.max())
    offsets = np.arange(width)
    inside = offsets < length[:, None]
    data = chunk.data
    index = np.minimum(chunk.start[fields][:, None] + offsets, len(data) - 1)
    matrix = np.where(inside, data[index], 0).astype(np.uint8)
    _fail(((matrix > 127) | ((matrix < 32) & inside)).any(axis=1), value_of, "not ASCII text")
    strings = np.ascontiguousarray(matrix).view(f"S{width}").ravel()
    if kind.kind in ("date", "datetime"):
        return _dates(kind, strings.tolist())
    if kind.kind == "raw":
        return strings.astype("U")
    return _text(kind, matrix, inside, length, empty, strings, value_of)


def _absent(kind: IddType, size: int) -> np.ndarray:
    if kind.kind in ("text", "char", "raw"):
        return np.full(size, "", dtype="U1")
    if kind.kind == "date":
        return np.full(size, np.datetime64("NaT", "D"), dtype="datetime64[D]")
    if kind.kind == "datetime":
        return np.full(size, np.datetime64("NaT", "s"), dtype="datetime64[s]")
    return np.full(size, np.nan)


def _numbers(kind, chunk, fields, facts, empty, mandatory, value_of) -> np.ndarray:
    decimals = kind.decimals if kind.kind != "integer" else 0
    length, digits, dots, minus, first, second, last, point = facts
    negative = minus == 1
    has_dot = dots == 1
    dot_at = np.where(has_dot, point, length)
    int_digits = dot_at - negative
    places = length - dot_at - 1
    mantissa = chunk.mantissa[fields]
    # one pass for the common case: every value well formed
    plain = digits + dots + minus == length
    plain &= (minus == 0) | (negative & (first == 45))
    plain &= dots <= (1 if decimals else 0)
    plain &= (int_digits >= 1) | empty
    plain &= int_digits <= kind.size - decimals
    plain &= ~has_dot | ((places <= decimals) & (places > 0))
    plain &= ~(negative & (mantissa == 0))
    if not plain.all():
        _number_refusal(kind, value_of, plain)
    lead = np.where(negative, second, first)
    _fail(
        (has_dot & (last == 48)) | ((int_digits > 1) & (lead == 48)),
        value_of,
        f"not a valid {kind.label}: a leading or trailing zero",
    )
    if kind.kind == "integer" and mandatory:
        return np.where(negative, -mantissa, mantissa)
    # an exact integer over an exact power of ten: the correctly rounded double, as float()
    values = mantissa / POW10F[np.where(has_dot, places, 0)]
    values = np.where(negative, -values, values)
    return np.where(empty, np.nan, values) if empty.any() else values


POW10F = 10.0 ** np.arange(23)


def _number_refusal(kind, value_of, plain) -> None:
    """Why the first value that is not a well-formed number is refused."""
    index = int(np.flatnonzero(~plain)[0])
    value = value_of(index)
    label = kind.label
    decimals = kind.decimals if kind.kind != "integer" else 0
    text = value.decode("ascii", "replace")
    body = text[1:] if text.startswith("-") else text
    whole, _, fraction = body.partition(".")
    if any(c not in "0123456789.-" for c in text) or (not decimals and "." in text):
        reason = f"not a valid {label}: a character other than a digit, '-'" + (
            " or ." if decimals else ""
        )
    elif "-" in body:
        reason = f"not a valid {label}: misplaced '-'"
    elif body.count(".") > 1:
        reason = f"not a valid {label}: more than one '.'"
    elif not whole:
        reason = f"not a valid {label}: no digit before the point"
    elif len(whole) > kind.size - decimals:
        reason = f"too large for {label}: more than {kind.size - decimals} integer digits"
    elif len(fraction) > decimals:
        reason = f"more than {decimals} decimals for {label}"
    elif "." in body and not fraction:
        reason = f"not a valid {label}: trailing point"
    else:
        reason = f"not a valid {label}: zero is never signed"
    raise ColumnValueError(index, value, reason)


def _text(kind, matrix, inside, length, empty, strings, value_of) -> np.ndarray:
    _fail(length > kind.size, value_of, f"longer than {kind.size} characters")
    forbidden = np.isin(matrix, np.frombuffer(FORBIDDEN_TEXT, dtype=np.uint8)) & inside
    _fail(
        forbidden.any(axis=1),
        value_of,
        "holds a character the IDD excludes from text ($ < > \\ ~ |)",
    )
    rows = np.arange(len(length))
    last = matrix[rows, np.maximum(length - 1, 0)]
    _fail(~empty & ((matrix[:, 0] == 32) | (last == 32)), value_of, "leading or trailing space")
    values = strings.astype("U")
    if kind.valid:
        _fail(
            ~(np.isin(values, kind.valid) | empty),
            value_of,
            f"not in the valid set {', '.join(kind.valid)}",
        )
    return values


def _dates(kind: IddType, raw: list[bytes]) -> np.ndarray:
    width, unit = (8, "D") if kind.kind == "date" else (14, "s")
    pattern = "YYYYMMDD" if width == 8 else "YYYYMMDDHHMMSS"
    out = np.full(len(raw), np.datetime64("NaT", unit), dtype=f"datetime64[{unit}]")
    for index, value in enumerate(raw):
        if not value:
            continue
        if len(value) != width or not value.isdigit():
            raise ColumnValueError(index, value, f"not a {kind.kind}: expected {pattern}")
        try:
            parsed = datetime.strptime(value.decode(), "%Y%m%d%H%M%S"[: 6 if width == 8 else 12])
        except ValueError:
            raise ColumnValueError(index, value, f"not a real {kind.kind}") from None
        out[index] = np.datetime64(parsed, unit)
    return out


# ---------------------------------------------------------------------------------------------
# Writing


def format_column(kind: IddType, values, mandatory: bool) -> list[str]:
    """The IDD spellings of `values` (None, NaN or NaT for an absent optional field).

    Decimals are rounded to the type's decimals (to nearest, ties to even on the binary value);
    a value too large for the type, or absent where mandatory, raises ValueError."""
    if kind.numeric:
        return _format_numbers(kind, np.asarray(values, dtype=np.float64), mandatory)
    out = [format_value(kind, v, mandatory) for v in values]
    return out


def _format_numbers(kind: IddType, values: np.ndarray, mandatory: bool) -> list[str]:
    decimals = kind.decimals if kind.kind != "integer" else 0
    absent = np.isnan(values)
    if mandatory and absent.any():
        raise ValueError(f"a mandatory {kind.label} is absent")
    scaled = np.round(np.where(absent, 0.0, values) * 10.0**decimals)
    if (np.abs(scaled) >= 10.0**kind.size).any():
        raise ValueError(
            f"{values[np.abs(scaled) >= 10.0**kind.size][0]} is too large for {kind.label}"
        )
    q = scaled.astype(np.int64)
    s = np.strings
    digits = s.zfill(np.abs(q).astype("U"), decimals + 1)
    if decimals:
        whole = s.slice(digits, 0, -decimals)
        frac = s.rstrip(s.slice(digits, -decimals, None), "0")
        text = np.where(frac != "", s.add(s.add(whole, "."), frac), whole)
    else:
        text = digits
    text = np.where(q < 0, s.add("-", text), text)
    return np.where(absent, "", text).tolist()


def format_value(kind: IddType, value, mandatory: bool = False) -> str:
    """One value's IDD spelling; see `format_column`."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or _is_nat(value):
        if mandatory:
            raise ValueError(f"a mandatory {kind.label} is absent")
        return ""
    if kind.numeric:
        return _format_numbers(kind, np.array([float(value)]), mandatory)[0]
    if kind.kind == "boolean":
        return "T" if bool(value) else "F"
    if kind.kind in ("date", "datetime"):
        if isinstance(value, np.datetime64):
            value = value.astype("datetime64[s]").astype(datetime)
        if kind.kind == "date":
            if isinstance(value, datetime):
                value = value.date()
            assert isinstance(value, date)
            return value.strftime("%Y%m%d")
        return value.strftime("%Y%m%d%H%M%S")
    text = str(value)
    if not mandatory and text == "":
        return ""
    if kind.kind != "raw" and len(text) > kind.size:
        raise ValueError(f"{text!r} is longer than {kind.label}")
    if kind.valid and text not in kind.valid:
        raise ValueError(f"{text!r} is not in the valid set {', '.join(kind.valid)}")
    return text


def _is_nat(value) -> bool:
    return isinstance(value, np.datetime64) and np.isnat(value)
