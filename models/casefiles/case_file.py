"""Case files (settlement-case/1): load with validation, save in a canonical layout.

Validation is two-stage. The JSON Schema in ``case_schema.json`` checks shape, keys and types;
then the checks below need the whole document: periods that exist on the date (46/48/50),
references to parties and BM units that are declared, unique keys, times with a UTC offset on
whole minutes in time order, band widths signed as their pair, offer price ≥ bid price.
Before either, every value must be one the workbench can hold (``models.casefiles.validate``: finite
numbers, integers that fit 64 bits, text without control characters or lone surrogates,
bounded nesting); after the schema, every quantity must lie within the range of its unit
(``models.core.limits``: MW, MWh, £/MWh, £) and every time near its settlement date.
Every error names the key path, e.g. ``acceptances[3].points[1]``, and what was expected.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime
from functools import cache
from importlib import resources
from pathlib import Path

from engine.parameters import SINGLE_PRICE_FROM
from engine.settlement_calendar import epoch_seconds, from_epoch_seconds, periods_in_day
from models.casefiles.validate import (
    QUANTITY_RANGES,
    JsonTooDeep,
    json_value_errors,
    loads_json,
    number_error,
    settlement_date_error,
    text_error,
)
from models.core import limits
from models.core.atomic_write import write_text_atomic
from models.core.errors import CaseFileError

CASE_FORMAT = "settlement-case/1"
PROFILE_KEYS = ("fpn", "qpn", "mel", "mil")
# Top-level keys in the order a saved case lists them.
KEY_ORDER = (
    "format",
    "settlement_date",
    "periods",
    "parameters",
    "parties",
    "bm_units",
    *PROFILE_KEYS,
    "bid_offer",
    "acceptances",
    "metered_volumes",
    "ecvns",
    "mvrns",
    "bsad",
    "balancing_services_volume",
    "market_index",
    "lolp",
    "price_adjustment",
    "notes",
)


@cache
def case_schema() -> dict:
    text = (
        resources.files("models.casefiles").joinpath("case_schema.json").read_text(encoding="utf-8")
    )
    return json.loads(text)


def _path(parts) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _schema_errors(data: object) -> Iterator[str]:
    # Imported when a case file is checked, not by the many modules that use this one's
    # time helpers: the workbench launches 70 ms sooner.
    import jsonschema

    validator = jsonschema.Draft202012Validator(case_schema())
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.path))):
        where = _path(error.absolute_path)
        if error.validator == "additionalProperties":
            extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
            allowed = ", ".join(error.schema.get("properties", {}))
            yield f"{where}: unknown key {', '.join(map(repr, extra))}; allowed keys: {allowed}"
        elif error.validator == "required":
            yield f"{where}: {error.message}"
        elif error.validator == "pattern" and "T" in error.schema["pattern"]:
            yield (
                f"{where}: {error.instance!r} is not an ISO 8601 time with a UTC offset; "
                "expected e.g. 2024-06-12T12:00Z or 2024-06-12T13:00+01:00"
            )
        elif error.validator == "const" and where == "format":
            yield f"format: {error.instance!r} is not supported; expected {CASE_FORMAT!r}"
        else:
            yield f"{where}: {error.message}"


def parse_time(text: str) -> int:
    """Epoch seconds of an ISO 8601 time with offset (already pattern-checked)."""
    try:
        return epoch_seconds(datetime.fromisoformat(text))
    except OverflowError:  # e.g. 0001-01-01T00:00+01:00 is before year 1 in UTC
        raise ValueError("is outside the range of dates") from None


def format_time(seconds: int) -> str:
    """Canonical UTC text of epoch seconds: ``2024-06-12T12:00Z`` (seconds shown if not 0)."""
    instant = from_epoch_seconds(seconds)
    return instant.strftime("%Y-%m-%dT%H:%MZ" if instant.second == 0 else "%Y-%m-%dT%H:%M:%SZ")


_RANGES = QUANTITY_RANGES  # by key: R-PAR parameters, prices, volumes, money
# Ids and names are one line of text; only notes may hold line breaks.
_FREE_TEXT = {"notes"}
# Spot times and acceptance times lie within this many days of the settlement date.
TIME_WINDOW_DAYS = 7


def _range_errors(data: dict) -> Iterator[str]:
    """Quantities outside the range of their unit; text that is not one line."""
    for key, value in data.get("parameters", {}).items():
        if key in _RANGES and value is not None:
            problem = number_error(value, *_RANGES[key])
            if problem:
                yield f"parameters.{key}: {problem}"
    for section, records in data.items():
        if isinstance(records, str) and section not in _FREE_TEXT and section != "format":
            problem = text_error(records)
            if problem:
                yield f"{section}: {problem}"
        if not isinstance(records, list) or not records or not isinstance(records[0], dict):
            continue
        for i, record in enumerate(records):
            for key, value in record.items():
                where = f"{section}[{i}].{key}"
                if isinstance(value, str):
                    problem = text_error(value)
                    if problem:
                        yield f"{where}: {problem}"
                elif key in _RANGES and isinstance(value, (int, float)):
                    problem = number_error(value, *_RANGES[key])
                    if problem:
                        yield f"{where}: {problem}"
                elif key == "points":
                    for j, (_, level) in enumerate(value):
                        problem = number_error(level, -limits.MAX_MW, limits.MAX_MW, "MW")
                        if problem:
                            yield f"{where}[{j}]: level {problem}"


def _time_window_errors(data: dict, settlement_date: date) -> Iterator[str]:
    """Times far from the settlement date (year 9999, 1970) are refused, not computed with."""
    middle = epoch_seconds(
        datetime(settlement_date.year, settlement_date.month, settlement_date.day, 12, tzinfo=UTC)
    )
    window = TIME_WINDOW_DAYS * 86_400
    for key in (*PROFILE_KEYS, "bid_offer", "acceptances"):
        for i, record in enumerate(data.get(key, [])):
            texts = [(f"{key}[{i}].points[{j}]", t) for j, (t, _) in enumerate(record["points"])]
            if key == "acceptances":
                texts.append((f"{key}[{i}].time", record["time"]))
            for where, text in texts:
                try:
                    seconds = parse_time(text)
                except (ValueError, OverflowError):
                    continue  # told by the time checks below
                if abs(seconds - middle) > window:
                    yield (
                        f"{where}: {text!r} is more than {TIME_WINDOW_DAYS} days from the "
                        f"settlement date {settlement_date}; expected a time near that day"
                    )
                    break


def _semantic_errors(data: dict) -> Iterator[str]:
    try:
        settlement_date = date.fromisoformat(data["settlement_date"])
    except ValueError:
        yield f"settlement_date: {data['settlement_date']!r} is not a calendar date (YYYY-MM-DD)"
        return
    problem = settlement_date_error(settlement_date)
    if problem:
        yield f"settlement_date: {problem}"
        return
    range_errors = list(_range_errors(data))
    if range_errors:
        yield from range_errors
        return
    yield from _time_window_errors(data, settlement_date)
    if settlement_date < SINGLE_PRICE_FROM:
        yield (
            f"settlement_date: {settlement_date} is before single imbalance pricing "
            f"({SINGLE_PRICE_FROM}); dual-price settlement is not supported"
        )
    yield from _period_errors(data, settlement_date)
    yield from _duplicate_errors(data)
    yield from _reference_errors(data)
    yield from _profile_errors(data)


def _period_errors(data: dict, settlement_date: date) -> Iterator[str]:
    """Periods the settlement date does not have (46 or 50 on clock-change days)."""
    last_period = periods_in_day(settlement_date)
    for i, period in enumerate(data.get("periods", [])):
        if period > last_period:
            yield f"periods[{i}]: {period} does not exist on {settlement_date} (1 to {last_period})"
    for key in (
        "bid_offer",
        "metered_volumes",
        "ecvns",
        "bsad",
        "balancing_services_volume",
        "market_index",
        "lolp",
        "price_adjustment",
    ):
        for i, record in enumerate(data.get(key, [])):
            if record["period"] > last_period:
                yield (
                    f"{key}[{i}].period: {record['period']} does not exist on {settlement_date}, "
                    f"which has periods 1 to {last_period}"
                )


def _duplicate_errors(data: dict) -> Iterator[str]:
    """Records given twice, each list by its own key."""
    yield from _duplicates(data, "parties", lambda r: r["id"], "party id")
    yield from _duplicates(data, "bm_units", lambda r: r["id"], "BM unit id")
    yield from _duplicates(
        data, "acceptances", lambda r: (r["bm_unit"], r["number"]), "(bm_unit, number)"
    )
    yield from _duplicates(
        data,
        "bid_offer",
        lambda r: (r["bm_unit"], r["period"], r["pair"]),
        "(bm_unit, period, pair)",
    )
    for key in ("metered_volumes", "balancing_services_volume"):
        yield from _duplicates(
            data, key, lambda r: (r["bm_unit"], r["period"]), "(bm_unit, period)"
        )
    yield from _duplicates(data, "bsad", lambda r: (r["period"], r["id"]), "(period, id)")
    yield from _duplicates(
        data, "market_index", lambda r: (r["period"], r["provider"]), "(period, provider)"
    )
    for key in ("lolp", "price_adjustment"):
        yield from _duplicates(data, key, lambda r: r["period"], "period")


def _reference_errors(data: dict) -> Iterator[str]:
    """Parties and BM units named but not listed in parties and bm_units."""
    parties = {p["id"] for p in data["parties"]}
    units = {u["id"] for u in data["bm_units"]}
    for i, unit in enumerate(data["bm_units"]):
        if unit["lead_party"] not in parties:
            yield f"bm_units[{i}].lead_party: {unit['lead_party']!r} is not in parties"
    unit_keys = [*PROFILE_KEYS, "bid_offer", "acceptances", "metered_volumes", "mvrns"]
    for key in [*unit_keys, "balancing_services_volume"]:
        for i, record in enumerate(data.get(key, [])):
            if record["bm_unit"] not in units:
                yield f"{key}[{i}].bm_unit: {record['bm_unit']!r} is not in bm_units"
    for i, ecvn in enumerate(data.get("ecvns", [])):
        for side in ("from_party", "to_party"):
            if ecvn[side] not in parties:
                yield f"ecvns[{i}].{side}: {ecvn[side]!r} is not in parties"
    for i, mvrn in enumerate(data.get("mvrns", [])):
        if mvrn["to_party"] not in parties:
            yield f"mvrns[{i}].to_party: {mvrn['to_party']!r} is not in parties"


def _profile_errors(data: dict) -> Iterator[str]:
    """Profile points that do not parse, fall between minutes or go back in time, acceptance
    times that do not parse, and bid-offer pairs whose prices or band widths are the wrong
    way round."""
    for key in (*PROFILE_KEYS, "bid_offer", "acceptances"):
        for i, record in enumerate(data.get(key, [])):
            yield from _points_errors(f"{key}[{i}]", record["points"])
    for i, acceptance in enumerate(data.get("acceptances", [])):
        try:
            parse_time(acceptance["time"])
        except ValueError as exc:
            yield f"acceptances[{i}].time: {exc}"
    for i, pair in enumerate(data.get("bid_offer", [])):
        where = f"bid_offer[{i}]"
        if pair["offer"] < pair["bid"]:
            yield (
                f"{where}: offer price {pair['offer']} is below bid price {pair['bid']} "
                f"(BM unit {pair['bm_unit']}, pair {pair['pair']}); expected offer ≥ bid"
            )
        side_ok = (lambda v: v >= 0) if pair["pair"] > 0 else (lambda v: v <= 0)
        for j, (_, level) in enumerate(pair["points"]):
            if not side_ok(level):
                sign = "≥ 0 on an offer pair" if pair["pair"] > 0 else "≤ 0 on a bid pair"
                yield f"{where}.points[{j}]: band width {level} MW; expected {sign}"


def _duplicates(data: dict, key: str, identity, what: str) -> Iterator[str]:
    records = data.get(key, [])
    counts = Counter(identity(r) for r in records)
    seen: set = set()
    for i, record in enumerate(records):
        ident = identity(record)
        if counts[ident] > 1 and ident in seen:
            yield f"{key}[{i}]: duplicate {what} {ident!r}"
        seen.add(ident)


def _points_errors(where: str, points: list) -> Iterator[str]:
    previous = None
    for j, (text, _level) in enumerate(points):
        try:
            seconds = parse_time(text)
        except ValueError as exc:
            yield f"{where}.points[{j}]: {text!r}: {exc}"
            return
        if seconds % 60:
            yield f"{where}.points[{j}]: {text!r} is not on a whole minute (spot times are minutes)"
        if previous is not None and seconds < previous:
            yield f"{where}.points[{j}]: {text!r} is before the previous point; expected time order"
        previous = seconds


def case_errors(data: object) -> list[str]:
    """Every problem with a parsed case document (empty when valid)."""
    # The size first: a case of a million acceptances is refused at once, not after minutes.
    acceptances = data.get("acceptances") if isinstance(data, dict) else None
    if isinstance(acceptances, list) and len(acceptances) > limits.MAX_ACCEPTANCES_PER_CASE:
        return [
            f"acceptances: {len(acceptances):,} acceptances; expected at most "
            f"{limits.MAX_ACCEPTANCES_PER_CASE:,} in one case (a GB day has 3,000 to 10,000)"
        ]
    errors = [f"{where or '(top level)'}: {why}" for where, why in json_value_errors(data)]
    if errors:
        return errors
    errors = list(_schema_errors(data))
    if errors:
        return errors
    return list(_semantic_errors(data))  # type: ignore[arg-type]


def validate_case(data: object, source: str = "case") -> dict:
    """Return the document if valid, else raise CaseFileError naming the first problem."""
    errors = case_errors(data)
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise CaseFileError(f"{source}: {errors[0]}{more}")
    return data  # type: ignore[return-value]


def parse_case(text: str, source: str = "case") -> dict:
    try:
        data = loads_json(text)
    except json.JSONDecodeError as exc:
        raise CaseFileError(
            f"{source} line {exc.lineno} column {exc.colno}: not valid JSON ({exc.msg})"
        ) from None
    except JsonTooDeep as exc:
        raise CaseFileError(f"{source}: {exc}") from None
    return validate_case(data, source)


def load_case(path: str | Path) -> dict:
    path = Path(path)
    try:
        if path.is_dir():
            raise CaseFileError(f"{path} is a folder; expected a case file")
        if path.exists() and not path.is_file():  # a device or pipe could be read forever
            raise CaseFileError(f"{path} is not a regular file; expected a case file")
        size = path.stat().st_size
        if size > limits.MAX_CASE_FILE_BYTES:
            raise CaseFileError(
                f"{path}: {size:,} bytes; a case file may hold at most "
                f"{limits.MAX_CASE_FILE_BYTES:,}"
            )
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CaseFileError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise CaseFileError(
            f"{path}: byte {exc.start:,} is not UTF-8 text; expected a UTF-8 JSON case file"
        ) from None
    except OSError as exc:
        raise CaseFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    return parse_case(text, str(path))


def dumps_case(data: dict) -> str:
    """Canonical text: top-level keys in KEY_ORDER, one list element per line (diff friendly)."""
    lines = ["{"]
    keys = [k for k in KEY_ORDER if k in data] + [k for k in data if k not in KEY_ORDER]
    for index, key in enumerate(keys):
        value = data[key]
        comma = "," if index < len(keys) - 1 else ""
        if isinstance(value, list) and value and isinstance(value[0], dict):
            lines.append(f"  {json.dumps(key)}: [")
            for j, item in enumerate(value):
                tail = "," if j < len(value) - 1 else ""
                lines.append(f"    {json.dumps(item, ensure_ascii=False)}{tail}")
            lines.append(f"  ]{comma}")
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def save_case(data: dict, path: str | Path) -> None:
    """Validate, then write atomically (a temporary file renamed over the target)."""
    validate_case(data, str(path))
    write_text_atomic(path, dumps_case(data))
