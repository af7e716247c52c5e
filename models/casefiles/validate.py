"""One validation layer for the numbers and text that reach the workbench, from case files,
imports, scenario edits and command-line arguments.

A value is refused when it is not finite, lies outside the range its unit allows
(``models.core.limits``), is an integer that does not fit its column, is a date the settlement
calendar cannot hold, or is text with control characters or lone UTF-16 surrogates (which
neither SQLite's UTF-8 nor an Excel cell can store). JSON documents are parsed with bounded
nesting and integer length. Each check returns the reason (what was expected) or None, so
that every caller can name its own file, line or key.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from datetime import date

from models.core import limits

# C0 controls other than tab, line feed and carriage return, DEL, and lone surrogates.
_BAD_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# Ids and names are one line: no tab or line break, no C1 control (U+0080-U+009F, which
# include NEL), no Unicode line or paragraph separator.
_LINE_BREAKS = re.compile("[\t\n\r\x80-\x9f\u2028\u2029]")


def text_error(value: str, *, multiline: bool = False) -> str | None:
    """Why `value` cannot be stored as text (None if it can). Ids and names are one line."""
    if len(value) > limits.MAX_TEXT_LENGTH:
        return f"text of {len(value):,} characters; expected at most {limits.MAX_TEXT_LENGTH:,}"
    bad = _BAD_TEXT.search(value) or (None if multiline else _LINE_BREAKS.search(value))
    if bad is None:
        return None
    char = bad.group()
    what = "a lone UTF-16 surrogate" if "\ud800" <= char <= "\udfff" else "a control character"
    return (
        f"text holds {what} (U+{ord(char):04X}) at character {bad.start() + 1}; expected "
        "printable text"
    )


def shown(value: object, width: int = 40) -> str:
    """A value as a refusal quotes it: short, one line, printable (never the whole 5,000 digits)."""
    if isinstance(value, HugeInteger):
        return f"an integer of {len(value.lstrip('-')):,} digits"
    text = ascii(value) if isinstance(value, str) else repr(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def number_error(value: float, low: float, high: float, unit: str = "") -> str | None:
    """Why `value` is not a finite number within [low, high] (None if it is)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "expected a number"
    if isinstance(value, float) and not math.isfinite(value):
        return f"{_float_text(value)} is not a finite number; expected {_range(low, high, unit)}"
    if not low <= value <= high:
        return f"{_number(value)} is out of range; expected {_range(low, high, unit)}"
    return None


def integer_error(value: int, low: int, high: int, what: str = "") -> str | None:
    """Why `value` is not a whole number within [low, high] (None if it is)."""
    if isinstance(value, HugeInteger):
        return f"{shown(value)}; expected {what or 'a whole number'} from {low:,} to {high:,}"
    if isinstance(value, bool) or not isinstance(value, int):
        return "expected a whole number"
    if not low <= value <= high:
        expected = what or "a whole number"
        return f"{shown(value)} is out of range; expected {expected} from {low:,} to {high:,}"
    return None


def settlement_date_error(value: date) -> str | None:
    """Why `value` is not a settlement date the workbench can hold (None if it is)."""
    first, last = limits.FIRST_SETTLEMENT_DATE, limits.LAST_SETTLEMENT_DATE
    if first <= value <= last:
        return None
    return f"{value} is outside the settlement dates the workbench holds ({first} to {last})"


def _float_text(value: float) -> str:
    return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")


def _number(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() and abs(value) < 1e16 else f"{value:g}"


def _range(low: float, high: float, unit: str) -> str:
    unit = f" {unit}" if unit else ""
    if low == -high:
        return f"a number within ±{_number(high)}{unit}"
    return f"a number from {_number(low)} to {_number(high)}{unit}"


# ---------------------------------------------------------------------------------------------
# JSON documents


class HugeInteger(str):
    """An integer literal too long to convert (kept as its text, refused by the walk)."""


class JsonTooDeep(ValueError):
    pass


def _parse_int(text: str) -> int | HugeInteger:
    if len(text.lstrip("-")) > limits.MAX_INTEGER_DIGITS:
        return HugeInteger(text)
    return int(text)


def loads_json(text: str) -> object:
    """``json.loads`` that cannot crash on hostile input.

    Raises json.JSONDecodeError for bad syntax and JsonTooDeep for nesting too deep for the
    parser; integer literals longer than MAX_INTEGER_DIGITS become HugeInteger values (refused
    by `json_value_errors`, with their key path), NaN and ±Infinity become floats (refused there
    too).
    """
    try:
        return json.loads(text, parse_int=_parse_int)
    except RecursionError:
        raise JsonTooDeep(
            f"JSON nested too deeply; expected at most {limits.MAX_JSON_NESTING} levels"
        ) from None


HUGE_INTEGER = 10**limits.MAX_INTEGER_DIGITS  # the least integer of more digits


def may_hold_huge_integer(values: list) -> bool:
    """Whether values given by plain ``json.loads`` may differ from those of `loads_json`: an
    integer of more than MAX_INTEGER_DIGITS digits (a HugeInteger there), or a list or object,
    whose values are not looked at here. Readers of large files parse plainly (the hook is a
    Python call per integer: a third of a GB day's BOD parse) and again with `loads_json`
    only when this is true of a column they use."""
    try:
        "".join(values)  # text alone (the cheapest check of every value: 5 ms for 234,000)
        return False
    except TypeError:
        pass
    try:
        high, low = max(values), min(values)  # numbers alone (a list or None stops max)
        numbers = type(high) in (int, float, bool) and type(low) in (int, float, bool)
        if numbers and high == high and low == low:  # NaN first would stop max and min there
            return high >= HUGE_INTEGER or low <= -HUGE_INTEGER
    except TypeError:
        pass
    kinds = set(map(type, values))
    if kinds - {str, int, float, bool, type(None)}:
        return True
    if int not in kinds:
        return False
    # max() over floats is unreliable with NaN: the integers alone then.
    numbers = values if kinds <= {int, bool} else [v for v in values if type(v) is int]
    return max(numbers) >= HUGE_INTEGER or min(numbers) <= -HUGE_INTEGER


def json_value_errors(document: object, where: str = "") -> Iterator[tuple[str, str]]:
    """(key path, reason) for every value JSON can hold but the workbench cannot: non-finite
    or unconvertible numbers, integers beyond 64 bits, text that cannot be stored."""
    stack: list[tuple[str, object, int]] = [(where, document, 0)]
    low, high = limits.BIGINT
    while stack:
        path, value, depth = stack.pop()
        if isinstance(value, (dict, list)) and depth >= limits.MAX_JSON_NESTING:
            yield (
                (path[:60] + "…") if len(path) > 60 else path or "(top level)",
                f"nested more than {limits.MAX_JSON_NESTING} levels deep; expected at most "
                f"{limits.MAX_JSON_NESTING}",
            )
        elif isinstance(value, dict):
            for key, item in reversed(list(value.items())):
                problem = text_error(key)
                if problem:
                    yield (path or "(top level)", f"key {shown(key)}: {problem}")
                stack.append((f"{path}.{key}" if path else str(key), item, depth + 1))
        elif isinstance(value, list):
            for index in range(len(value) - 1, -1, -1):
                stack.append((f"{path}[{index}]", value[index], depth + 1))
        elif isinstance(value, HugeInteger):
            yield (
                path,
                f"{shown(value)}; expected a number of at most {limits.MAX_INTEGER_DIGITS} digits",
            )
        elif isinstance(value, str):
            problem = text_error(value, multiline=True)
            if problem:
                yield (path, problem)
        elif isinstance(value, float) and not math.isfinite(value):
            yield (path, f"{_float_text(value)} is not a number; expected a finite number")
        elif isinstance(value, int) and not isinstance(value, bool) and not low <= value <= high:
            yield (path, f"{shown(value)} is beyond a 64-bit integer; expected ±{high:,}")


def non_finite_path(document: object) -> str | None:
    """The key path of the first NaN or ±Infinity in a result document (None if none)."""
    stack: list[tuple[str, object]] = [("", document)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, float) and not math.isfinite(value):
            return path or "(top level)"
        if isinstance(value, dict):
            stack.extend((f"{path}.{k}" if path else str(k), v) for k, v in value.items())
        elif isinstance(value, (list, tuple)):
            stack.extend((f"{path}[{i}]", v) for i, v in enumerate(value))
    return None


# ---------------------------------------------------------------------------------------------
# Quantities by key, shared by case files and scenario edits

QUANTITY_RANGES: dict[str, tuple[float, float, str]] = {
    **dict.fromkeys(
        ("offer", "bid", "price", "information_imbalance_price", "voll", "bpa", "spa"),
        (-limits.MAX_PRICE, limits.MAX_PRICE, "£/MWh"),
    ),
    **dict.fromkeys(("mwh", "fixed_mwh", "volume"), (-limits.MAX_MWH, limits.MAX_MWH, "MWh")),
    **dict.fromkeys(("dmat", "par", "rpar"), (0, limits.MAX_MWH, "MWh")),
    "derated_margin": (-10 * limits.MAX_MW, 10 * limits.MAX_MW, "MW"),
    "cost": (-limits.MAX_MONEY, limits.MAX_MONEY, "£"),
    "materiality_threshold": (0, limits.MAX_MONEY, "£"),
    "cadl_minutes": (0, 1440, "minutes"),
    "tlf": (-1, 1, ""),
    "period": (1, 50, ""),
}


def edit_errors(target: object, value: object, texts: dict[str, str]) -> list[str]:
    """Why a scenario edit cannot be stored: its target and new value (JSON values within
    QUANTITY_RANGES, spot levels within ±MAX_MW) and its texts (author, reason, name)."""
    errors = [
        f"{name}: {problem}"
        for name, text in texts.items()
        if text is not None and (problem := text_error(str(text), multiline=name == "reason"))
    ]
    for name, document in (("target", target), ("value", value)):
        errors += [
            f"{name}{path and '.' + path}: {why}" for path, why in json_value_errors(document)
        ]
        if errors:
            continue
        stack = [("", document)]
        while stack:
            path, node = stack.pop()
            if isinstance(node, dict):
                for key, item in node.items():
                    where = f"{path}.{key}" if path else str(key)
                    if key in QUANTITY_RANGES and isinstance(item, (int, float)):
                        low, high, unit = QUANTITY_RANGES[key]
                        problem = number_error(item, low, high, unit)
                        if problem:
                            errors.append(f"{name}.{where}: {problem}")
                    elif key in ("points", "levels") and isinstance(item, list):
                        for j, point in enumerate(item):
                            if isinstance(point, (list, tuple)) and len(point) == 2:
                                problem = number_error(
                                    point[1], -limits.MAX_MW, limits.MAX_MW, "MW"
                                )
                                if problem and not isinstance(point[1], str):
                                    errors.append(f"{name}.{where}[{j}]: level {problem}")
                    else:
                        stack.append((where, item))
            elif isinstance(node, list):
                stack.extend((f"{path}[{i}]", item) for i, item in enumerate(node))
    return errors
