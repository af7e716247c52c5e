"""Typed batches → keyed records of each settlement date, with every semantic check.

Each stored table's records are keyed as the BSC identifies them (a physical notification
segment by unit and start time, a bid-offer segment by unit, period, pair and start time, …).
The same record arriving twice (one file imported twice, overlapping downloads, BOALF
segments repeated in consecutive legacy period files) collapses to one; two records with one
key and different values are a conflict and are rejected, naming both places.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from models.imports.calendar_index import CalendarIndex
from models.imports.report import ImportReport
from models.imports.resolve import UnitResolver
from models.imports.typed import TypedBatch

NOTIFICATION = {"PN": "FPN", "QPN": "QPN", "MELS": "MEL", "MILS": "MIL"}

# Key columns of each kind of record, in key order; the rest of a row are its values.
KEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "physical_notification": ("notification", "bm_unit_id", "time_from"),
    "bid_offer": ("bm_unit_id", "period", "pair", "time_from"),
    "acceptance": ("bm_unit_id", "number"),
    "acceptance_level": ("bm_unit_id", "number", "time_from"),
    "metered_volume": ("bm_unit_id", "period"),
    "balancing_services_volume": ("bm_unit_id", "period"),
    "bsad_action": ("period", "id"),
    "price_adjustment": ("period",),
    "market_index": ("period", "provider"),
    "lolp": ("period",),
    "published_price": ("period",),
    "published_stack": ("period", "side", "sequence"),
}
BM_KINDS = ("physical_notification", "bid_offer", "acceptance", "acceptance_level")
# Published stack item values (beyond its key and flags), as stack_item_result names them.
STACK_VALUE_COLUMNS = (
    "item_id", "acceptance", "pair", "reserve_scarcity_price", "original_price", "volume",
    "dmat_adjusted_volume", "arbitrage_adjusted_volume", "niv_adjusted_volume",
    "par_adjusted_volume", "final_price", "tlm", "tlm_adjusted_volume", "tlm_adjusted_cost",
)  # fmt: skip
# Published system prices: SSP and SBP always, the rest where the file has them.
OPTIONAL_PRICE_COLUMNS = (
    "niv",
    "replacement_price",
    "replacement_reference_volume",
    "bpa",
    "spa",
    "reserve_scarcity_price",
)
PUBLISHED_PRICE_COLUMNS = ("ssp", "sbp", *OPTIONAL_PRICE_COLUMNS)


class Place:
    """Where a record came from (file and line or JSON path), formatted only when needed."""

    __slots__ = ("batch", "index")

    def __init__(self, batch, index: int) -> None:
        self.batch, self.index = batch, index

    @property
    def file(self) -> str:
        return self.batch.file if self.batch is not None else "stored run"

    @property
    def location(self) -> str:
        return self.batch.locate(self.index) if self.batch is not None else ""

    def __str__(self) -> str:
        return f"{self.file}, {self.location}" if self.location else self.file


STORED = Place(None, 0)  # records carried forward from the date's previous run


@dataclass
class DayRecords:
    """Keyed records of one settlement date, and where each came from."""

    tables: dict[str, dict[tuple, dict]] = field(default_factory=lambda: defaultdict(dict))
    where: dict[tuple, Place] = field(default_factory=dict)
    units: dict[str, Place] = field(default_factory=dict)  # BM unit -> where first seen
    # R-REG-ID warnings of the records of this date (keys of Collector.id_warnings), in order.
    id_warnings: dict[tuple, None] = field(default_factory=dict)


class Collector:
    """Gathers the keyed records of every date from typed batches, checking each record."""

    def __init__(self, report: ImportReport, resolver: UnitResolver, only_date: date | None = None):
        self.report = report
        self.resolver = resolver
        self.only_date = only_date
        self.calendar = CalendarIndex()
        self.days: dict[date, DayRecords] = defaultdict(DayRecords)
        self.records: Counter = Counter()
        self.outside_date = 0
        # Records that repeat one already read, field for field (the same file given twice,
        # overlapping files): kept once, counted once per record on the record's own date.
        self.duplicates = 0
        self.skipped: Counter = Counter()  # reason -> records set aside on purpose
        # Dates some record is stated for; other dates only receive the ends of segments
        # running past midnight, which join that date's run only if it has one already.
        self.anchored: set[date] = set()
        self._anchor: date | None = None
        # R-REG-ID: (file, unit, national grid id, what was assumed) -> [first place, records]
        self.id_warnings: dict[tuple, list] = {}

    # -- helpers ------------------------------------------------------------------------

    def _put(
        self, day: date, table: str, key: tuple, row: dict, where: Place, warning=None
    ) -> None:
        if self.only_date is not None and day != self.only_date:
            self.outside_date += 1
            return
        if day == self._anchor:
            self.anchored.add(day)
        records = self.days[day]
        if warning is not None:
            records.id_warnings[warning] = None
        existing = records.tables[table].get(key)
        if existing is None:
            records.tables[table][key] = row
            records.where[(table, key)] = where
        elif existing == row:
            # An acceptance header repeats with each of its levels; a segment past midnight
            # is put on both dates: neither is a repeated record.
            if day == self._anchor and table != "acceptance":
                self.duplicates += 1
        else:
            first = records.where[(table, key)]
            names = KEY_COLUMNS[table]
            shown = ", ".join(f"{n}={v}" for n, v in zip(names, key, strict=True))
            changed = next(k for k in row if row[k] != existing.get(k))
            self.report.reject(
                where.file,
                where.location,
                changed,
                row[changed],
                f"conflicts with {first} ({table.replace('_', ' ')} {shown}), which has "
                f"{changed} = {existing.get(changed)}",
            )

    @staticmethod
    def _where(batch: TypedBatch, i: int) -> Place:
        return Place(batch.batch, i)

    def _unit(self, batch: TypedBatch, i: int, day: date) -> tuple[str | None, tuple | None]:
        """(Elexon id, key of its R-REG-ID warning or None) of record i; None: rejected."""
        ngc = batch.values["national_grid_bm_unit"][i]
        found = self.resolver.resolve(batch.values["bm_unit"][i], ngc, day)
        if found.unit is None:
            value = batch.values["bm_unit"][i] or ngc
            batch.reject(self.report, i, "bmUnit", value, found.error)
            return None, None
        if not found.warning:
            return found.unit, None
        key = (batch.batch.file, found.unit, ngc, found.warning)
        seen = self.id_warnings.get(key)
        if seen is None:
            self.id_warnings[key] = [self._where(batch, i), 1]
        else:
            seen[1] += 1
        return found.unit, key

    def _check_period(self, batch: TypedBatch, i: int, day: date, period: int, name: str) -> bool:
        count = self.calendar.periods(day)
        if not 1 <= period <= count:
            batch.reject(
                self.report,
                i,
                name,
                period,
                f"{day.isoformat()} has settlement periods 1 to {count}",
            )
            return False
        return True

    def _check_span(self, batch: TypedBatch, i: int) -> bool:
        t_from, t_to = batch.values["time_from"][i], batch.values["time_to"][i]
        if t_to < t_from:
            batch.reject(self.report, i, "timeTo", t_to, "ends before timeFrom")
            return False
        return True

    # -- targets ------------------------------------------------------------------------

    def add(self, batch: TypedBatch) -> None:
        getattr(self, f"_add_{batch.dataset.target}")(batch)

    def _add_register(self, batch: TypedBatch) -> None:  # handled by the loader
        raise AssertionError("register batches are loaded before data batches")

    def _segment_records(self, batch: TypedBatch):
        """(index, BM unit, R-REG-ID warning key) of each good record of a profile dataset
        (PN, BOD, BOALF…); ids resolve with the register in force on the record's date."""
        dates = batch.values["settlement_date"]
        times = batch.values["time_from"]
        for i in range(batch.size):
            if not batch.ok[i]:
                continue
            day = dates[i] if dates[i] is not None else self.calendar.period_of(times[i])[0]
            unit, warning = self._unit(batch, i, day)
            if unit is not None and self._check_span(batch, i):
                yield i, unit, warning

    def _add_physical(self, batch: TypedBatch) -> None:
        kind = NOTIFICATION[batch.dataset.name]
        v = batch.values
        for i, unit, warning in self._segment_records(batch):
            day, period = v["settlement_date"][i], v["settlement_period"][i]
            if not self._check_period(batch, i, day, period, "settlementPeriod"):
                continue
            t_from = v["time_from"][i]
            if self.calendar.period_of(t_from) != (day, period):
                actual = self.calendar.period_of(t_from)
                batch.reject(
                    self.report,
                    i,
                    "timeFrom",
                    _clock(t_from),
                    f"lies in {actual[0].isoformat()} period {actual[1]}, not in the record's "
                    f"{day.isoformat()} period {period}",
                )
                continue
            row = {
                "time_to": v["time_to"][i],
                "level_from": v["level_from"][i],
                "level_to": v["level_to"][i],
            }
            where = self._where(batch, i)
            self._anchor = day
            self.records[batch.dataset.name] += 1
            for span_day in self.calendar.dates_of_span(t_from, v["time_to"][i]):
                key = (kind, unit, t_from)
                self._put(span_day, "physical_notification", key, row, where, warning)
                if self._wanted(span_day):
                    self.days[span_day].units.setdefault(unit, where)

    def _wanted(self, day: date) -> bool:
        return self.only_date is None or day == self.only_date

    def _add_bid_offer(self, batch: TypedBatch) -> None:
        v = batch.values
        for i, unit, warning in self._segment_records(batch):
            day, period, pair = v["settlement_date"][i], v["settlement_period"][i], v["pair"][i]
            if not self._check_period(batch, i, day, period, "settlementPeriod"):
                continue
            start = self.calendar.start(day, period)
            t_from, t_to = v["time_from"][i], v["time_to"][i]
            if not (start <= t_from and t_to <= start + 1800):
                batch.reject(
                    self.report,
                    i,
                    "timeFrom",
                    _clock(t_from),
                    f"bid-offer data of {day.isoformat()} period {period} must lie within "
                    f"{_clock(start)} to {_clock(start + 1800)}",
                )
                continue
            if not (pair != 0 and -6 <= pair <= 6):
                batch.reject(self.report, i, "pairId", pair, "expected a pair number ±1 to ±6")
                continue
            lo, hi = v["level_from"][i], v["level_to"][i]
            if (pair > 0 and min(lo, hi) < 0) or (pair < 0 and max(lo, hi) > 0):
                side = (
                    "offer pairs (pairId > 0) must be ≥ 0"
                    if pair > 0
                    else ("bid pairs (pairId < 0) must be ≤ 0")
                )
                batch.reject(
                    self.report,
                    i,
                    "levelFrom",
                    lo if lo * pair < 0 else hi,
                    f"band width has the wrong sign: {side}",
                )
                continue
            offer, bid = v["offer"][i], v["bid"][i]
            if bid > offer:
                batch.reject(
                    self.report,
                    i,
                    "bid",
                    bid,
                    f"bid price above the offer price {offer} of the same pair",
                )
                continue
            row = {
                "time_to": t_to,
                "level_from": lo,
                "level_to": hi,
                "offer_price": offer,
                "bid_price": bid,
            }
            self.records["BOD"] += 1
            where = self._where(batch, i)
            self._anchor = day
            self._put(day, "bid_offer", (unit, period, pair, t_from), row, where, warning)
            if self._wanted(day):
                self.days[day].units.setdefault(unit, where)

    def _add_acceptance(self, batch: TypedBatch) -> None:
        v = batch.values
        for i, unit, warning in self._segment_records(batch):
            t_from, t_to = v["time_from"][i], v["time_to"][i]
            stated_day = v["settlement_date"][i]
            stated_period = v["settlement_period_from"][i]
            actual = self.calendar.period_of(t_from)
            if stated_day is not None and stated_day != actual[0]:
                batch.reject(
                    self.report,
                    i,
                    "settlementDate",
                    stated_day.isoformat(),
                    f"timeFrom {_clock(t_from)} lies in settlement date {actual[0].isoformat()}",
                )
                continue
            if stated_period is not None and stated_period != actual[1]:
                batch.reject(
                    self.report,
                    i,
                    "settlementPeriodFrom",
                    stated_period,
                    f"timeFrom {_clock(t_from)} lies in period {actual[1]}",
                )
                continue
            number = v["number"][i]
            header = {
                "acceptance_time": v["acceptance_time"][i],
                "so_flag": bool(v["so_flag"][i]),
                "stor_flag": bool(v["stor_flag"][i]),
                "rr_flag": bool(v["rr_flag"][i]),
                "deemed_flag": bool(v["deemed_flag"][i]),
            }
            row = {"time_to": t_to, "level_from": v["level_from"][i], "level_to": v["level_to"][i]}
            where = self._where(batch, i)
            self.records["BOALF"] += 1
            self._anchor = actual[0]
            for day in self.calendar.dates_of_span(t_from, t_to):
                self._put(day, "acceptance", (unit, number), header, where, warning)
                self._put(day, "acceptance_level", (unit, number, t_from), row, where, warning)
                if self._wanted(day):
                    self.days[day].units.setdefault(unit, where)

    def _period_records(self, batch: TypedBatch):
        """(index, date, period) of each good record of a per-period dataset."""
        v = batch.values
        for i in range(batch.size):
            if not batch.ok[i]:
                continue
            day, period = v["settlement_date"][i], v["settlement_period"][i]
            if self._check_period(batch, i, day, period, "settlementPeriod"):
                self.records[batch.dataset.name] += 1
                self._anchor = day
                yield i, day, period

    def _add_bsad(self, batch: TypedBatch) -> None:
        v = batch.values
        for i, day, period in self._period_records(batch):
            row = {
                "volume": v["volume"][i],
                "cost": v["cost"][i],
                "so_flag": bool(v["so_flag"][i]),
                "stor_flag": bool(v["stor_flag"][i]),
                "party_id": v["party"][i],
                "asset_id": v["asset"][i],
                "service": v["service"][i],
            }
            self._put(day, "bsad_action", (period, v["id"][i]), row, self._where(batch, i))

    def _add_price_adjustment(self, batch: TypedBatch) -> None:
        v = batch.values
        for i, day, period in self._period_records(batch):
            row = {"bpa": v["bpa"][i], "spa": v["spa"][i]}
            self._put(day, "price_adjustment", (period,), row, self._where(batch, i))

    def _add_market_index(self, batch: TypedBatch) -> None:
        v = batch.values
        for i, day, period in self._period_records(batch):
            row = {"price": v["price"][i], "volume": v["volume"][i]}
            self._put(day, "market_index", (period, v["provider"][i]), row, self._where(batch, i))

    def _add_lolp(self, batch: TypedBatch) -> None:
        v = batch.values
        for i, day, period in self._period_records(batch):
            # Settlement uses the LoLP published at gate closure, one hour ahead.
            if v["forecast_horizon"][i] not in (None, 1):
                self.skipped["LoLP forecasts other than the 1-hour-ahead one"] += 1
                continue
            row = {
                "lolp": v["lolp"][i],
                "stor_window": False,
                "derated_margin": v["derated_margin"][i],
            }
            self._put(day, "lolp", (period,), row, self._where(batch, i))

    def _add_system_price(self, batch: TypedBatch) -> None:
        v = batch.values
        for i, day, period in self._period_records(batch):
            row = {"ssp": v["ssp"][i], "sbp": v["sbp"][i]}
            row |= {name: v[name][i] if name in v else None for name in OPTIONAL_PRICE_COLUMNS}
            self._put(day, "published_price", (period,), row, self._where(batch, i))

    def _add_stack(self, batch: TypedBatch) -> None:
        v = batch.values
        columns = STACK_VALUE_COLUMNS
        for i, day, period in self._period_records(batch):
            side = _stack_side(v["side"][i], v["volume"][i], v["pair"][i])
            if side is None:
                batch.reject(
                    self.report,
                    i,
                    "volume",
                    v["volume"][i],
                    "cannot tell the buy stack from the sell stack: give bidOffer, a non-zero "
                    "volume or a bid-offer pair",
                )
                self.records[batch.dataset.name] -= 1
                continue
            row = {name: v[name][i] for name in columns}
            row |= {
                flag: bool(v[flag][i]) for flag in ("so_flag", "cadl_flag", "stor_flag", "repriced")
            }
            key = (period, side, v["sequence"][i])
            self._put(day, "published_stack", key, row, self._where(batch, i))


def _stack_side(stated: str | None, volume: float, pair: int | None) -> str | None:
    if stated:
        text = stated.lower()
        if text in ("offer", "buy"):
            return "buy"
        if text in ("bid", "sell"):
            return "sell"
    if volume:
        return "buy" if volume > 0 else "sell"
    if pair:
        return "buy" if pair > 0 else "sell"
    return None


def _clock(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
