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


def _first(mask: np.ndarray) -> int:
    return int(np.flatnonzero(mask)[0])


def _fail(mask: np.ndarray, raw: list[bytes], reason: str) -> None:
    if mask.any():
        index = _first(mask)
        raise ColumnValueError(index, raw[index], reason)


def read_column(kind: IddType, raw: list[bytes], mandatory: bool) -> np.ndarray:
    """The typed column of `raw` field values; ColumnValueError names the first bad row."""
    col = np.array(raw, dtype="S") if raw else np.zeros(0, dtype="S1")
    empty = col == b""
    if mandatory:
        _fail(empty, raw, "empty, but the field is mandatory")
    if kind.kind == "raw":
        return _ascii(col, raw)
    if empty.all():
        return _absent(kind, len(raw), mandatory)
    if kind.numeric:
        return _numbers(kind, col, raw, empty, mandatory)
    if kind.kind == "boolean":
        true, false = col == b"T", col == b"F"
        _fail(~(true | false | empty), raw, "not a boolean: expected T or F")
        if mandatory:
            return true
        return np.where(empty, np.nan, true.astype(np.float64))
    if kind.kind in ("date", "datetime"):
        return _dates(kind, col, raw, empty)
    return _text(kind, col, raw, empty)


def _absent(kind: IddType, size: int, mandatory: bool) -> np.ndarray:
    if kind.kind in ("text", "char", "raw"):
        return np.full(size, "", dtype="U1")
    if kind.kind == "date":
        return np.full(size, np.datetime64("NaT"), dtype="datetime64[D]")
    if kind.kind == "datetime":
        return np.full(size, np.datetime64("NaT"), dtype="datetime64[s]")
    return np.full(size, np.nan)


def _ascii(col: np.ndarray, raw: list[bytes]) -> np.ndarray:
    try:
        return col.astype("U")
    except UnicodeDecodeError:
        high = np.array([any(b > 127 for b in v) for v in raw])
        _fail(high, raw, "not ASCII text")
        raise


def _numbers(
    kind: IddType, col: np.ndarray, raw: list[bytes], empty: np.ndarray, mandatory: bool
) -> np.ndarray:
    decimals = kind.decimals if kind.kind != "integer" else 0
    whole = kind.size - decimals
    allowed = b"0123456789-" + (b"." if decimals else b"")
    if b"".join(raw).translate(None, allowed):
        bad = np.array([bool(v.translate(None, allowed)) for v in raw])
        _fail(bad, raw, f"not a {kind.label}: only digits, '-'{' and .' if decimals else ''}")
    present = ~empty
    s = np.strings
    neg = s.startswith(col, b"-")
    length = s.str_len(col)
    dot = s.find(col, b".")
    has_dot = dot >= 0
    int_digits = np.where(has_dot, dot, length) - neg
    places = np.where(has_dot, length - dot - 1, 0)
    _fail(present & (s.count(col, b"-") != neg), raw, f"not a {kind.label}: misplaced '-'")
    _fail(present & (s.count(col, b".") > 1), raw, f"not a {kind.label}: more than one '.'")
    _fail(present & (int_digits < 1), raw, f"not a {kind.label}: no digit before the point")
    _fail(
        present & (int_digits > whole),
        raw,
        f"too large for {kind.label}: more than {whole} integer digits",
    )
    _fail(present & (places > decimals), raw, f"more than {decimals} decimals for {kind.label}")
    _fail(
        has_dot & (s.endswith(col, b"0") | s.endswith(col, b".")),
        raw,
        f"not an IDD {kind.label}: trailing zero or point",
    )
    _fail(
        present & (int_digits > 1) & (s.startswith(col, b"0") | s.startswith(col, b"-0")),
        raw,
        f"not an IDD {kind.label}: leading zero",
    )
    filled = np.where(empty, b"nan", col) if empty.any() else col
    values = filled.astype(np.float64)
    _fail(neg & (values == 0), raw, f"not an IDD {kind.label}: zero is never signed")
    if kind.kind == "integer" and mandatory:
        return values.astype(np.int64) if kind.size <= 15 else col.astype(np.int64)
    return values


def _text(kind: IddType, col: np.ndarray, raw: list[bytes], empty: np.ndarray) -> np.ndarray:
    s = np.strings
    if col.dtype.itemsize > kind.size:
        _fail(s.str_len(col) > kind.size, raw, f"longer than {kind.size} characters")
    joined = b"".join(raw)
    if any(c in joined for c in FORBIDDEN_TEXT):
        bad = np.array([any(c in v for c in FORBIDDEN_TEXT) for v in raw])
        _fail(bad, raw, "holds a character the IDD excludes from text ($ < > \\ ~ |)")
    _fail(s.startswith(col, b" ") | s.endswith(col, b" "), raw, "leading or trailing space")
    values = _ascii(col, raw)
    if kind.valid:
        _fail(
            ~(np.isin(values, kind.valid) | empty),
            raw,
            f"not in the valid set {', '.join(kind.valid)}",
        )
    return values


def _dates(kind: IddType, col: np.ndarray, raw: list[bytes], empty: np.ndarray) -> np.ndarray:
    width, unit = (8, "D") if kind.kind == "date" else (14, "s")
    pattern = "YYYYMMDD" if width == 8 else "YYYYMMDDHHMMSS"
    out = np.full(len(raw), np.datetime64("NaT"), dtype=f"datetime64[{unit}]")
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
