"""Completeness of a run: per period, which inputs a full settlement needs are present and
which are missing, and what each gap does to which result.

Real data is rarely whole: a day of wind units' BM data without metered volumes, BSAD or
market index data settles, but not every result is available and the price may differ from
Elexon's. This report says which, and why, so that no analyst mistakes a partial settlement
for a full one. Read from the run's stored inputs (models.runs.completeness_inputs) and, when
given, the settlement result (else the run's stored results); it never shows NaN: a
quantity that cannot be computed is named with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
from sqlalchemy import Connection, func, select

from engine.imbalance_price import PRICE_UNAVAILABLE
from engine.known_gaps import GapUse, gaps_affecting
from engine.settle import SettlementResult
from models.db.schema import Acceptance, CheckResult, SystemPriceResult
from models.runs.completeness_inputs import (
    RegisterInForce,
    StoredInputs,
    fuel_type_counts,
    read_stored_inputs,
    register_in_force,
)
from models.runs.run_store import get_run
from models.runs.run_warnings import read_run_warnings

PN = "physical notifications (PN)"
METERED = "metered volumes"
BSAD = "BSAD"
MID = "market index (MID)"
LOLP = "LoLP/DRM"
MEL_MIL = "MEL/MIL"
PUBLISHED = "published prices"
INPUTS = (PN, METERED, BSAD, MID, LOLP, MEL_MIL, PUBLISHED)
BANNER_NAMES = {PN: "PN", METERED: "metered volumes", BSAD: "BSAD", MID: "MID", LOLP: "LoLP/DRM",
                MEL_MIL: "MEL/MIL", PUBLISHED: "published prices"}  # fmt: skip
NOT_APPLICABLE = "not applicable"

EFFECTS = {
    METERED: "TLM, QME, QNDO/QNDB, CND, credited energy, CAEI and RCRC are not available (the "
    "engine reports no value, never 0); the stack uses TLM = 1 + TLF (R-TLM)",
    BSAD: "the stack lacks the balancing services adjustment actions, so the price may differ "
    "from Elexon's",
    MID: "no market index price MIP_j (R-PRC-MIP): a period whose price needs it has no price",
    LOLP: "no reserve scarcity price RSVP_j = LoLP_j × VoLL: STOR actions are not repriced "
    "(R-PRC-STOR)",
    MEL_MIL: "no effect on settlement; the BM unit charts show no MEL/MIL",
    PUBLISHED: "the engine's SSP, SBP and NIV cannot be compared with Elexon's",
}


@dataclass(frozen=True)
class Gap:
    """A missing input (or an assumption made for one) and what it does to which result."""

    what: str
    periods: tuple[int, ...]  # the settled periods it concerns
    effect: str
    settlement: bool = True  # False: no settlement result depends on it (charts, comparison)

    def as_json(self) -> dict:
        return {
            "what": self.what,
            "periods": list(self.periods),
            "effect": self.effect,
            "affects_settlement": self.settlement,
        }


@dataclass(frozen=True)
class PeriodCompleteness:
    """What one settlement period holds of each input, and its price if it has none."""

    period: int
    units: int  # BM units of the run
    fpn_units: int
    metered_units: int
    bsad_actions: int
    mid: bool  # a market index price MIP_j (market index data with volume)
    lolp: bool
    mel_mil_units: int
    published_price: bool
    price_unavailable: str | None = None  # why the period has no system price
    mid_records: int = 0  # market index data records of the period (with or without volume)
    one_sided: str | None = None  # R-TLM-ONESIDED: the check's reason

    @property
    def present(self) -> tuple[str, ...]:
        return tuple(name for name in INPUTS if self._has(name))

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(name for name in INPUTS if not self._has(name))

    def _has(self, name: str) -> bool:
        return {
            PN: self.fpn_units > 0,
            METERED: self.metered_units > 0,
            BSAD: self.bsad_actions > 0,
            MID: self.mid,
            LOLP: self.lolp,
            MEL_MIL: self.mel_mil_units > 0,
            PUBLISHED: self.published_price,
        }[name]

    def as_json(self) -> dict:
        return {
            "period": self.period,
            "present": list(self.present),
            "missing": list(self.missing),
            "bm_units": self.units,
            "fpn_units": self.fpn_units,
            "metered_units": self.metered_units,
            "bsad_actions": self.bsad_actions,
            "mel_mil_units": self.mel_mil_units,
            "price_unavailable": self.price_unavailable,
            "one_sided_metering": self.one_sided,
        }


@dataclass(frozen=True)
class RegisterCoverage:
    """The run's BM units against the register in force on its date (R-REG-DATED)."""

    register: str  # which register: snapshot, effective date, source
    register_units: int
    run_units: int
    with_pn: int  # registered units of the run with an FPN
    unregistered: tuple[str, ...]  # R-REG-UNREGISTERED: run units the register does not list
    without_pn: int  # units of the register without an FPN in the run
    fuel_types_present: dict[str, int]  # of the run's units with an FPN
    fuel_types_missing: dict[str, int]  # of the register's units without PN

    def line(self) -> str:
        present = _fuel_list(self.fuel_types_present, with_counts=False) or "none"
        return (
            f"PN for {self.with_pn:,} of {self.register_units:,} registered units; "
            f"fuel types present: {present}"
        )

    def as_json(self) -> dict:
        return {
            "register": self.register,
            "register_units": self.register_units,
            "run_units": self.run_units,
            "registered_units_with_pn": self.with_pn,
            "unregistered_units": list(self.unregistered),
            "registered_units_without_pn": self.without_pn,
            "fuel_types_present": self.fuel_types_present,
            "fuel_types_missing": self.fuel_types_missing,
        }


@dataclass(frozen=True)
class Completeness:
    run_label: str
    settlement_date: date
    settled: bool  # the price outcomes below come from a settlement (else inputs only)
    register: RegisterCoverage
    periods: list[PeriodCompleteness]
    gaps: list[Gap]
    warnings: int  # the run's import warnings (models.runs.run_warnings)
    known_gaps: list[Gap] = field(default_factory=list)  # rulebook §15 (engine.known_gaps)

    @property
    def complete(self) -> bool:
        """Every input a full settlement needs is present (published prices and MEL/MIL are
        not needed to settle). The rulebook's known gaps are what the engine does not model,
        not missing inputs: they are listed apart and never make a run incomplete."""
        return not any(g.settlement for g in self.gaps)

    @property
    def price_unavailable(self) -> dict[int, str]:
        return {p.period: p.price_unavailable for p in self.periods if p.price_unavailable}

    def as_json(self) -> dict:
        return {
            "run": self.run_label,
            "settlement_date": self.settlement_date.isoformat(),
            "complete": self.complete,
            "settled": self.settled,
            "register": self.register.as_json(),
            "periods": [p.as_json() for p in self.periods],
            "gaps": [g.as_json() for g in self.gaps],
            "known_gaps": [g.as_json() for g in self.known_gaps],
            "price_unavailable": [
                {"period": p, "reason": r} for p, r in self.price_unavailable.items()
            ],
            "warnings": self.warnings,
        }

    def text(self) -> str:
        n = len(self.periods)
        lines = [f"Completeness of {self.run_label}: {n} period(s)"]
        lines.append(f"  register in force: {self.register.register}")
        lines.append(f"  {self.register.line()}")
        for name in INPUTS:
            having = [p.period for p in self.periods if name in p.present]
            lines.append(
                f"  {name}: "
                + ("all periods" if len(having) == n else f"{len(having)} of {n} periods")
            )
        lines.append(f"  run warnings: {self.warnings:,}")
        if self.complete:
            lines.append("  complete: every input of a full settlement is present")
        if not self.gaps and not self.known_gaps:
            return "\n".join(lines)
        lines.append("gaps and what they do:")
        for gap in [*self.gaps, *self.known_gaps]:
            where = f" [periods {period_ranges(gap.periods)}]" if gap.periods else ""
            lines.append(f"  - {gap.what}{where}: {gap.effect}")
        by_reason: dict[str, list[int]] = {}
        for period, reason in self.price_unavailable.items():
            by_reason.setdefault(reason, []).append(period)
        for reason, periods in by_reason.items():
            lines.append(f"  price unavailable in period(s) {period_ranges(periods)}: {reason}")
        return "\n".join(lines)

    def banner(self, compact: bool = False) -> str:
        """One or two lines for the day overview: what is missing, then what it costs;
        `compact`: the same in a few words, for a narrow window."""
        n = len(self.periods)
        missing = [name for name in INPUTS if all(name in p.missing for p in self.periods)]
        partly = [
            name
            for name in INPUTS
            if name not in missing and any(name in p.missing for p in self.periods)
        ]
        if compact:
            lacking = "; ".join(
                part
                for part in (
                    f"{len(missing)} missing" if missing else "",
                    f"{len(partly)} partly" if partly else "",
                )
                if part
            )
        else:
            lacking = "; ".join(
                part
                for part in (
                    f"no {', '.join(BANNER_NAMES[m] for m in missing)}" if missing else "",
                    f"some periods lack {', '.join(BANNER_NAMES[m] for m in partly)}"
                    if partly
                    else "",
                )
                if part
            )
        if self.complete and compact:
            first = "Complete for settlement"
        elif self.complete:
            first = f"Complete: every input of a full settlement is present in the {n} periods"
            first += f" ({lacking})" if lacking else ""
        else:
            first = f"Incomplete: {lacking or 'see the details'}"
        # The first line must fit the overview; what it costs may be cut (Details has all).
        second = [self._coverage_note(compact)] if self.register.without_pn else []
        unavailable = self.price_unavailable
        if unavailable:
            second.append(
                f"{len(unavailable)} price(s) unavailable"
                if compact
                else f"price unavailable in {len(unavailable)} period(s) "
                f"({period_ranges(tuple(unavailable))}): needs MIP, {self._mip_lack()}"
            )
        if self.register.unregistered:
            second.append(f"{len(self.register.unregistered):,} unregistered unit(s)")
        one_sided = [p.period for p in self.periods if p.one_sided]
        if one_sided:
            second.append(f"one-sided metering in {len(one_sided)} period(s)")
        if self.known_gaps:
            second.append(f"{len(self.known_gaps)} known gap(s) of the rulebook")
        if self.warnings:
            second.append(f"{self.warnings:,} import warning(s)")
        text = first + "."
        if second:
            joined = "; ".join(second)
            text += "\n" + joined[0].upper() + joined[1:] + "."
        return text

    def _mip_lack(self) -> str:
        """Why the periods without a price have no MIP_j: no MID, or MID without volume."""
        lacking = [p for p in self.periods if p.price_unavailable]
        with_records = sum(1 for p in lacking if p.mid_records)
        if not with_records:
            return "no market index data"
        if with_records == len(lacking):
            return "market index data without volume"
        return "no market index data, or none with volume"

    def _coverage_note(self, compact: bool = False) -> str:
        r = self.register
        if not r.without_pn:
            return ""
        if compact:
            return f"PN {r.with_pn:,}/{r.register_units:,} units"
        fuels = _fuel_list(r.fuel_types_present, with_counts=False, limit=3) or "none"
        return f"PN for {r.with_pn:,} of {r.register_units:,} registered units ({fuels})"


def period_ranges(periods) -> str:
    """(1, 2, 3, 5, 7, 8) → '1-3, 5, 7-8'."""
    values = sorted(set(int(p) for p in periods))
    parts, i = [], 0
    while i < len(values):
        j = i
        while j + 1 < len(values) and values[j + 1] == values[j] + 1:
            j += 1
        parts.append(str(values[i]) if i == j else f"{values[i]}-{values[j]}")
        i = j + 1
    return ", ".join(parts)


def _fuel_list(counts: dict[str, int], *, with_counts: bool = True, limit: int = 8) -> str:
    items = list(counts.items())
    text = ", ".join(f"{f} {n:,}" if with_counts else f for f, n in items[:limit])
    if len(items) > limit:
        text += f" and {len(items) - limit} more"
    return text


# -- the settlement's outcome per period -------------------------------------------------------


@dataclass(frozen=True)
class _Outcome:
    """Per settled period what the price came to, and the checks that did not apply."""

    periods: tuple[int, ...]
    source: dict[int, str | None]
    price: dict[int, float | None]
    niv: dict[int, float | None]
    reference_volume: dict[int, float | None]
    not_applicable: dict[int, str]  # R-TLM not applicable (R-TLM-ONESIDED): its reason


def _float(value) -> float | None:
    if value is None:
        return None
    value = float(value)
    return None if np.isnan(value) else value


def _outcome_of_result(result: SettlementResult) -> _Outcome:
    periods = tuple(int(p) for p in result.inputs.periods)
    prices = result.prices
    not_applicable = {
        int(c.period): c.detail
        for c in result.checks
        if c.rule.startswith("R-TLM")
        and getattr(c, "status", None) == NOT_APPLICABLE
        and c.period is not None
    }
    return _Outcome(
        periods=periods,
        source={j: prices.price_source[j - 1] for j in periods},
        price={j: _float(prices.ssp[j - 1]) for j in periods},
        niv={j: _float(prices.niv[j - 1]) for j in periods},
        reference_volume={j: _float(prices.replacement_reference_volume[j - 1]) for j in periods},
        not_applicable=not_applicable,
    )


def _stored_outcome(conn: Connection, run_id: int) -> _Outcome | None:
    prices = SystemPriceResult.__table__
    rows = conn.execute(
        select(
            prices.c.period,
            prices.c.price_source,
            prices.c.ssp,
            prices.c.niv,
            prices.c.replacement_reference_volume,
        ).where(prices.c.run_id == run_id, prices.c.origin == "engine")
    ).all()
    if not rows:
        return None
    checks = CheckResult.__table__
    not_applicable = {
        int(period): detail
        for rule, period, detail in conn.execute(
            select(checks.c.rule, checks.c.period, checks.c.detail).where(
                checks.c.run_id == run_id, checks.c.status == NOT_APPLICABLE
            )
        ).all()
        if rule.startswith("R-TLM") and period is not None
    }
    rows = sorted(rows, key=lambda r: r.period)
    return _Outcome(
        periods=tuple(int(r.period) for r in rows),
        source={int(r.period): r.price_source for r in rows},
        price={int(r.period): _float(r.ssp) for r in rows},
        niv={int(r.period): _float(r.niv) for r in rows},
        reference_volume={int(r.period): _float(r.replacement_reference_volume) for r in rows},
        not_applicable=not_applicable,
    )


def why_no_price(niv: float | None, reference_volume: float | None, mid_records: int) -> str:
    """Why a period has no system price: which rule needs MIP_j, and why there is none (the
    period's `mid_records` market index data records have no volume, or there are none)."""
    if niv is not None and niv == 0:
        need = "NIV is 0 MWh, so the price is the market index price MIP_j (R-PRC-NIV)"
    elif reference_volume is not None and reference_volume == 0:
        need = (
            "second-stage flagged items need the replacement price and no unflagged volume "
            "is left for it, so it is MIP_j (R-PRC-REPL)"
        )
    else:
        need = "nothing is left in the stack after PAR tagging, so the price is MIP_j (R-PRC-MAIN)"
    lack = (
        f"the period's {mid_records:,} market index data record(s) have no volume"
        if mid_records
        else "the run has no market index data (MID) for the period"
    )
    return f"{need}, and {lack}"


# -- the report --------------------------------------------------------------------------------


def _register_coverage(stored: StoredInputs, register: RegisterInForce) -> RegisterCoverage:
    in_register = register.fuel_type
    run_units = set(stored.units)
    # R-REG-UNREGISTERED: the import marks them (run_bm_unit.registered = False).
    unregistered = [u for u, ok in zip(stored.units, stored.registered, strict=True) if not ok]
    with_pn = [u for u in stored.units if u in stored.fpn_any and u in in_register]
    without = [u for u in in_register if u not in run_units or u not in stored.fpn_any]
    return RegisterCoverage(
        register=register.description,
        register_units=len(in_register),
        run_units=len(stored.units),
        with_pn=len(with_pn),
        unregistered=tuple(unregistered),
        without_pn=len(without),
        fuel_types_present=fuel_type_counts(
            [u for u in stored.units if u in stored.fpn_any], in_register
        ),
        fuel_types_missing=fuel_type_counts(without, in_register),
    )


def _input_gaps(periods: list[PeriodCompleteness]) -> list[Gap]:
    gaps = []
    settled = tuple(p.period for p in periods)
    for name in INPUTS:
        lacking = tuple(p.period for p in periods if name in p.missing)
        if not lacking:
            continue
        if name == PN:
            gaps.append(
                Gap(
                    "no physical notifications (PN)",
                    lacking,
                    "no BM unit has an FPN in these periods: no period FPN, so no expected "
                    "volume QME; accepted volumes of acceptances are relative to an FPN of 0",
                )
            )
            continue
        what = f"no {name}" if lacking == settled else f"no {name} in some periods"
        # A period without BSAD may well have had none; a day without any almost never has.
        sparse_bsad = name == BSAD and lacking != settled
        if sparse_bsad:
            what += " (none may have been taken)"
        informational = sparse_bsad or name in (MEL_MIL, PUBLISHED)
        gaps.append(Gap(what, lacking, EFFECTS[name], settlement=not informational))
    partial = tuple(p.period for p in periods if 0 < p.metered_units < p.units)
    if partial:
        gaps.append(
            Gap(
                "metered volumes for only some BM units",
                partial,
                "a BM unit without a metered volume counts as 0 MWh in losses, credited "
                "energy and imbalance (the metered-volumes check fails)",
            )
        )
    unavailable = tuple(p.period for p in periods if p.price_unavailable)
    if unavailable:
        gaps.append(
            Gap(
                "system price unavailable",
                unavailable,
                "these periods need MIP_j and have none (reasons per period below); SSP, SBP, "
                "CAEI, RCRC and CND have no value there; volumes and CBM stand (R-PRC-MIP)",
            )
        )
    one_sided = tuple(p.period for p in periods if p.one_sided)
    if one_sided:
        gaps.append(
            Gap(
                "one-sided metering (R-TLM-ONESIDED)",
                one_sided,
                "no delivering or no offtaking primary metered volume: TLMO+ = TLMO− = 0 "
                "(TLM = 1 + TLF) and the R-TLM check is not applicable; incomplete metering",
            )
        )
    return gaps


def _register_gaps(
    coverage: RegisterCoverage, register: RegisterInForce, settled: tuple[int, ...]
) -> list[Gap]:
    gaps = []
    if register.earliest_used:
        gaps.append(
            Gap(
                f"no register snapshot in force on the date: the earliest, effective "
                f"{register.effective_from}, is used (R-REG-DATED)",
                settled,
                "TLFs, lead parties, production/consumption and Trading Units are those of a "
                "later register: TLM, credited energy, imbalance and RCRC may differ from "
                "Elexon's",
            )
        )
    if coverage.without_pn:
        # Informational: most registered units never submit PN (the CRA export's FPN Flag is
        # T for 1,543 of 5,387), and the flag is not stored (bm_unit_register_entry has no
        # column for it), so a missing PN cannot be told from none due.
        gaps.append(
            Gap(
                f"no PN for {coverage.without_pn:,} of {coverage.register_units:,} "
                f"registered units (fuel types: {_fuel_list(coverage.fuel_types_missing)})",
                settled,
                "informational: many registered units submit no PN at all, and the register "
                "as stored does not say which must (the CRA export's FPN Flag is not kept), "
                "so this is not counted as missing; should one of them have had acceptances, "
                "they are not in the stack and the price may differ from Elexon's",
                settlement=False,
            )
        )
    if not register.trading_units:
        gaps.append(
            Gap(
                "the register gives no Trading Units: each unit is its own, which changes "
                "which units are delivering/offtaking (R-TLM)",
                settled,
                "informational: TLMO+ and TLMO− are shared over delivering and offtaking "
                "Trading Units, so units that share one in Elexon's register may be split "
                "differently here; import the CRA export for Trading Units",
                settlement=False,
            )
        )
    if coverage.unregistered:
        names = ", ".join(coverage.unregistered[:5])
        if len(coverage.unregistered) > 5:
            names += f" and {len(coverage.unregistered) - 5:,} more"
        gaps.append(
            Gap(
                f"{len(coverage.unregistered):,} BM unit(s) not in the register in force "
                f"(R-REG-UNREGISTERED): {names}",
                settled,
                "settled with TLF 0 under the party UNREGISTERED, production or consumption "
                "from the sign of the FPN, each its own Trading Unit",
            )
        )
    return gaps


def _known_gap(use: GapUse, settled: tuple[int, ...]) -> Gap:
    """A rulebook §15 gap the settled day depends on (engine.known_gaps) as a Gap."""
    gap = use.gap
    return Gap(
        f"{gap.id}: {gap.title}",
        settled,
        f"not modelled (rulebook §15), here because {use.reason}: {gap.affects}; "
        f"S0142 carries it in {gap.s0142}",
    )


def _stored_known_gaps(
    conn: Connection, run, stored: StoredInputs, periods: tuple[int, ...]
) -> tuple[GapUse, ...]:
    """The known gaps of a stored settlement, decided from the same facts settle_day uses."""
    acceptance = Acceptance.__table__
    rr = conn.execute(
        select(func.count()).where(
            acceptance.c.dataset_id == run.bm_dataset_id, acceptance.c.rr_flag.is_(True)
        )
    ).scalar()
    k = np.asarray(periods, dtype=np.int64) - 1
    return gaps_affecting(
        run.settlement_date,
        stored.units,
        rr_flagged_acceptances=int(rr or 0),
        bsad_actions=int(stored.bsad_actions[k].sum()),
        metered=bool((stored.metered_units[k] > 0).any()),
    )


def run_completeness(
    conn: Connection, run_id: int, result: SettlementResult | None = None
) -> Completeness:
    """The completeness of a run: its stored inputs per period and, from `result` (else the
    run's stored results, if it was settled), which prices could not be computed and why."""
    run = get_run(conn, run_id, light=True)
    input_run = run.base_run_id if run.kind == "scenario" and run.base_run_id else run.id
    stored = read_stored_inputs(conn, run.settlement_date, input_run, run.bm_dataset_id, result)
    register = register_in_force(conn, run.settlement_date, input_run)
    outcome = _outcome_of_result(result) if result is not None else _stored_outcome(conn, run_id)
    if outcome is not None:
        periods = outcome.periods
    else:
        periods = run.periods or tuple(range(1, stored.periods + 1))
    metered, bsad, mip = stored.metered_units, stored.bsad_actions, stored.mip
    rows = []
    for j in periods:
        k = j - 1
        reason = None
        if outcome is not None and (
            outcome.source.get(j) == PRICE_UNAVAILABLE or outcome.price.get(j) is None
        ):
            reason = why_no_price(
                outcome.niv.get(j), outcome.reference_volume.get(j), int(stored.mid_records[k])
            )
        rows.append(
            PeriodCompleteness(
                period=j,
                units=len(stored.units),
                fpn_units=int(stored.fpn_units[k]),
                metered_units=int(metered[k]),
                bsad_actions=int(bsad[k]),
                mid=bool(np.isfinite(mip[k])),
                mid_records=int(stored.mid_records[k]),
                lolp=bool(stored.lolp[k]),
                mel_mil_units=int(stored.mel_mil_units[k]),
                published_price=bool(stored.published[k]),
                price_unavailable=reason,
                one_sided=None if outcome is None else outcome.not_applicable.get(j),
            )
        )
    coverage = _register_coverage(stored, register)
    settled = tuple(periods)
    gaps = _register_gaps(coverage, register, settled) + _input_gaps(rows)
    if outcome is None:
        uses: tuple[GapUse, ...] = ()
    elif result is not None:
        uses = tuple(result.known_gaps)
    else:
        uses = _stored_known_gaps(conn, run, stored, settled)
    known = [_known_gap(use, settled) for use in uses]
    return Completeness(
        run_label=run.label,
        settlement_date=run.settlement_date,
        settled=outcome is not None,
        register=coverage,
        periods=rows,
        gaps=gaps,
        warnings=len(read_run_warnings(conn, input_run)),  # a scenario carries its base's
        known_gaps=known,
    )
