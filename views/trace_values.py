"""Trace values for a person: each step's result and inputs as formatted rows (no Qt).

A trace carries plain Python values (floats, tuples, lists of tuples, dicts, None): shown as
they are, they read `{'QAO_nj': 42.5…}` or `[('05:30Z', 431.0, …`. Here each value becomes a
`Shown` row: text with its unit (£1,535.74, 12.346 MWh, £45.20/MWh, TLM 0.987654), a tooltip
with the value in full, the raw value a spreadsheet should get when copied, and sub-rows for
the items of a list, tuple or dict. The kind of number comes from the step's unit, or from the
input's name or the tuple field it fills (QM, TLF, PO, "(from, MW, to, MW)", …): the trace
names its values in the rulebook's terms. Times ("05:30Z", ISO instants) are shown in
Europe/London clock time, the UTC time in the tooltip.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from engine.settlement_calendar import LONDON, PERIOD_SECONDS, local_midnight_utc

# The number formats of the trace's units: £ and £/MWh to the penny, MWh to the kWh,
# MW to the kW, loss multipliers to 6 places.
MONEY, MWH, PRICE, MW, RATIO, MINUTES, PLAIN = "£", "MWh", "£/MWh", "MW", "ratio", "min", ""
TIME = "time"
UNIT_KINDS = {"£": MONEY, "MWh": MWH, "£/MWh": PRICE, "MW": MW}
# Tuples whose name gives no "(field, …)" list.
FIELDS = {
    "QAO_knj, QAB_knj of each acceptance": ("acceptance", "QAO_knj", "QAB_knj"),
    "band edges [L_n, U_n] at the first spot": ("L_n MW", "U_n MW"),
    "QNDO, QNDB": ("QNDO", "QNDB"),
}
# A field named by its unit is labelled by what it is.
FIELD_LABELS = {"MWh": "volume", "£/MWh": "price", "final £/MWh": "final price"}
LONG_DECIMAL = re.compile(r"\d+\.\d{7,}")
HHMMZ = re.compile(r"^\d\d:\d\dZ$")
ISO_INSTANT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?(\.\d+)?(\+00:00|Z)$")
VOLUME_NAME = re.compile(
    r"^(Σ[^Q]*)?Q[A-Z]|^CE_|CE_b|^L \(|Period FPN|Σ (delivering|offtaking|rem)"
)


@dataclass
class Shown:
    """One row: `label`, `text` as shown, `tooltip`, `raw` (what a copy holds: a number,
    text or None), `unit` of `raw`, and sub-rows."""

    label: str
    text: str
    tooltip: str = ""
    raw: object = None
    unit: str = ""
    children: list[Shown] = field(default_factory=list)


def kind_of(name: str, unit: str = "") -> str:
    """The number format for a value named `name` (a step's `unit` wins)."""
    if unit in UNIT_KINDS:
        return UNIT_KINDS[unit]
    lower = name.lower()
    if "minutes" in lower:
        return MINUTES
    if re.search(r"items|flagged|number|count|code", lower):
        return PLAIN  # how many, or which: no unit
    if "cost" in lower:
        return MONEY
    if "volume" in lower:
        return MWH
    if "tlm" in lower or "tlf" in lower or "rcrp" in lower:
        return RATIO
    if (
        "£/mwh" in lower
        or re.search(r"\b(SSP|SBP|PO|PB|BPA|SPA|MIP)\b", name)
        or "price" in lower
        or "voll" in lower
    ):
        return PRICE
    if "£" in name or "cost" in lower or re.match(r"^(TRC|CND|CBM|CAEI|RCRC|C[OB]_)", name):
        return MONEY
    if "mwh" in lower or VOLUME_NAME.search(name) or "volume" in lower or "dmat" in lower:
        return MWH
    if re.search(r"\bMW\b", name) or "(t)" in name or re.search(r"\b[LU]_n\b", name):
        return MW
    if name in ("PAR", "RPAR"):
        return MWH
    return PLAIN


PLACES = {MONEY: 2, PRICE: 2, MWH: 3, MW: 3, RATIO: 6, MINUTES: 1}


def number_text(value: float, kind: str) -> str:
    """A number in its unit, for a person (never "£-0.00": what rounds to 0 is 0)."""
    places = PLACES.get(kind)
    if places is not None and abs(value) < 0.5 * 10**-places:
        value = 0.0
    if kind == MONEY:
        return f"£{value:,.2f}" if value >= 0 else f"-£{-value:,.2f}"
    if kind == PRICE:
        return f"£{value:,.2f}/MWh" if value >= 0 else f"-£{-value:,.2f}/MWh"
    if kind == MWH:
        return f"{value:,.3f} MWh"
    if kind == MW:
        return f"{value:,.3f} MW"
    if kind == RATIO:
        return f"{value:.6f}"
    if kind == MINUTES:
        return f"{value:,.1f} min"
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{value:,.0f}"
    return f"{value:,.6f}".rstrip("0").rstrip(".")


def unit_of(kind: str) -> str:
    return kind if kind in (MONEY, MWH, PRICE, MW, MINUTES) else ""


class Clock:
    """Local (Europe/London) clock times of a settlement day and period; UTC without one."""

    def __init__(self, settlement_date: date | None = None, period: int | None = None) -> None:
        self.settlement_date = settlement_date
        self.middle: datetime | None = None
        if settlement_date is not None:
            start = local_midnight_utc(settlement_date)
            if period:
                self.middle = start + timedelta(seconds=PERIOD_SECONDS * (period - 0.5))
            else:
                self.middle = start + timedelta(hours=12)

    def hhmm(self, text: str) -> tuple[str, str]:
        """'05:30Z' as (local 'HH:MM', tooltip naming the UTC time)."""
        if self.middle is None:
            return f"{text[:5]} UTC", f"{text[:5]} UTC"
        hour, minute = int(text[:2]), int(text[3:5])
        base = self.middle.replace(hour=hour, minute=minute, second=0, microsecond=0)
        # The instant of that UTC clock time nearest the period (a trace spans an hour or two).
        instant = min(
            (base + timedelta(days=d) for d in (-1, 0, 1)),
            key=lambda t: abs((t - self.middle).total_seconds()),
        )
        return self._local(instant)

    def instant(self, text: str) -> tuple[str, str]:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
        return self._local(moment, with_date=True)

    @staticmethod
    def _local(instant: datetime, with_date: bool = False) -> tuple[str, str]:
        local = instant.astimezone(LONDON)
        shown = local.strftime("%Y-%m-%d %H:%M" if with_date else "%H:%M")
        utc = instant.strftime("%Y-%m-%d %H:%M UTC")
        return f"{shown} {local.tzname()}", f"{utc} ({local.strftime('%H:%M')} {local.tzname()})"


def _fields(name: str, count: int) -> tuple[str, ...]:
    """The field names of the tuples a value named `name` holds, if it names them."""
    if name in FIELDS and len(FIELDS[name]) == count:
        return FIELDS[name]
    found = re.findall(r"\(([^()]*,[^()]*)\)", name)
    if found:
        names = tuple(f.strip() for f in found[-1].split(","))
        if len(names) == count:
            return names
    return ()


def show(label: str, value, kind: str = PLAIN, clock: Clock | None = None, name: str = "") -> Shown:
    """`value` as a row labelled `label`; `name` (default `label`) says what it holds."""
    clock = clock or Clock()
    name = name or label
    if value is None:
        return Shown(label, "unavailable", "not computed: an input it needs is missing")
    if isinstance(value, bool):
        return Shown(label, "yes" if value else "no", raw="yes" if value else "no")
    if isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, float) and math.isnan(value):
            return Shown(label, "unavailable", "not a number: an input is missing")
        if isinstance(value, int) and kind in (PLAIN, MINUTES):
            return Shown(label, str(value), raw=value)
        return Shown(label, number_text(value, kind), repr(value), value, unit_of(kind))
    if isinstance(value, str):
        if HHMMZ.match(value):
            text, tip = clock.hhmm(value)
            return Shown(label, text, tip, value[:5] + " UTC")
        if ISO_INSTANT.match(value):
            text, tip = clock.instant(value)
            return Shown(label, text, tip, value)
        # A sum written out by the engine ("46.441000 × 0.984303904"): multipliers to 6
        # places like every TLM shown, in full in the tooltip and the copy.
        text = LONG_DECIMAL.sub(lambda m: f"{float(m.group()):.6f}", value)
        return Shown(label, text, value if text != value or len(value) > 40 else "", value)
    if isinstance(value, dict):
        children = [show(str(k), v, kind_of(str(k)) or kind, clock) for k, v in value.items()]
        return _group(label, children, "none")
    if isinstance(value, tuple | list):
        return _sequence(label, list(value), kind, clock, name)
    text = str(value)
    return Shown(label, text, text, text)


def _group(label: str, children: list[Shown], empty: str, what: str = "") -> Shown:
    if not children:
        return Shown(label, empty)
    inline = " · ".join(
        f"{c.label} {c.text}" if not c.label.isdigit() else c.text for c in children
    )
    what = what or "values"
    count = f"{len(children)} {what[:-1] if len(children) == 1 else what}"
    text = inline if len(inline) <= 60 else count
    return Shown(label, text, inline if len(inline) > 60 else "", children=children)


def _sequence(label: str, values: list, kind: str, clock: Clock, name: str) -> Shown:
    if not values:
        return Shown(label, "none", raw="none")
    if all(isinstance(v, tuple | list) for v in values):
        rows = [_record(i, tuple(v), kind, clock, name) for i, v in enumerate(values, 1)]
        first = values[0]
        timed = isinstance(first[0], str) and bool(HHMMZ.match(first[0]))
        what = ("spot times" if len(first) == 2 else "segments") if timed else "rows"
        return _group(label, rows, "none", what)
    if isinstance(values[0], str) and HHMMZ.match(values[0]) and len(values) == 2:
        return _record(0, tuple(values), kind, clock, name, label)
    fields = _fields(name, len(values))
    if fields:
        return _record(0, tuple(values), kind, clock, name, label)
    first = 0 if "0.." in name else 1  # "spot times 0..30" count from 0
    children = [show(str(i), v, kind, clock, name) for i, v in enumerate(values, first)]
    return _group(label, children, "none", "values")


def _record(number: int, values: tuple, kind: str, clock: Clock, name: str, label="") -> Shown:
    """One tuple: its fields as sub-rows, in one line of text."""
    fields = _fields(name, len(values))
    if not fields and len(values) == 2 and isinstance(values[0], str) and HHMMZ.match(values[0]):
        # (time, level): a value at a spot time, in the step's unit.
        time, tip = clock.hhmm(values[0])
        row = show(time, values[1], kind or kind_of(name), clock, name)
        row.tooltip = f"{tip}: {row.tooltip}" if row.tooltip else tip
        row.label = label or time
        if label:
            row.text = f"{time}: {row.text}"
        return row
    if fields[:4] == ("from", "MW", "to", "MW") and len(values) == 4:
        start, tip_from = clock.hhmm(values[0])
        end, tip_to = clock.hhmm(values[2])
        children = [
            Shown("from", start, tip_from, values[0][:5] + " UTC"),
            show("MW at from", values[1], MW, clock),
            Shown("to", end, tip_to, values[2][:5] + " UTC"),
            show("MW at to", values[3], MW, clock),
        ]
        text = f"{values[1]:,.3f} MW → {values[3]:,.3f} MW"
        return Shown(label or f"{start} → {end}", text, f"{tip_from} → {tip_to}", children=children)
    names = fields or tuple(str(i) for i in range(1, len(values) + 1))
    children = [
        show(FIELD_LABELS.get(f, f), v, kind_of(f) if fields else kind, clock, f)
        for f, v in zip(names, values, strict=True)
    ]
    if fields and fields[0] in ("id", "pair", "acceptance", "account") and len(values) > 1:
        head, rest = children[0], children[1:]
        text = " · ".join(f"{c.label} {c.text}" for c in rest)
        return Shown(label or f"{head.label} {head.text}", text, children=children)
    text = " · ".join(f"{c.label} {c.text}" if fields else c.text for c in children)
    return Shown(label or str(number), text, children=children)
