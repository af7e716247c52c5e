"""Two settlements of one date side by side: deltas per party and charge, per period, per BM
unit, the system price and NIV, the channels that moved, and materiality (BSCP11, £3,000).

Deltas are always second − first ("after − before" when the first is the base run). The
system operator appears as a party of its own, SO, with net −CSOBM, so the parties' net
deltas sum to zero whenever both settlements balance.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from engine.parameters import parameters_for
from engine.settle import SettlementResult

SYSTEM_OPERATOR = "SO"
CHARGES = ("cbm", "cnd", "caei", "rcrc", "net")
PENNY = 0.005
MWH = 0.0005


def materiality_threshold(result: SettlementResult) -> float:
    """R-PAR: the dispute materiality threshold in force on the settlement date."""
    return float(parameters_for(result.inputs.bm.settlement_date).materiality_threshold)


@dataclass
class Comparison:
    """Deltas of `second` against `first`; tables are pandas frames ready for views/exports."""

    first_label: str
    second_label: str
    periods: list[int]
    parties: pd.DataFrame  # party, <charge>_first, <charge>_second, <charge>_delta …
    party_periods: pd.DataFrame  # party × period net deltas (only non-zero rows)
    period_summary: pd.DataFrame  # period, ssp/niv first/second/delta, Σ|net delta|
    units: pd.DataFrame  # bm unit: CBM, CND deltas over the day, periods that moved
    unit_periods: pd.DataFrame  # bm unit × period: CBM, CND, QM, TLM deltas (non-zero rows)
    threshold: float
    explanation: list[str] = field(default_factory=list)

    @property
    def net_total(self) -> float:
        """Σ of the trading parties' net deltas (the system operator excluded)."""
        trading = self.parties[self.parties["party"] != SYSTEM_OPERATOR]
        return float(trading["net_delta"].sum())

    @property
    def absolute_total(self) -> float:
        """Σ |net delta| over the trading parties."""
        trading = self.parties[self.parties["party"] != SYSTEM_OPERATOR]
        return float(trading["net_delta"].abs().sum())

    @property
    def material(self) -> bool:
        return max(abs(self.net_total), self.absolute_total) >= self.threshold

    def verdict(self) -> str:
        return (
            f"{'MATERIAL' if self.material else 'not material'}: net total "
            f"£{round(self.net_total, 2) + 0.0:,.2f}, "  # + 0.0: £0.00, never £-0.00
            f"Σ|per-party net delta| £{self.absolute_total:,.2f} against the "
            f"£{self.threshold:,.0f} threshold"
        )


def _by_name(names, values: np.ndarray, index: list[str]) -> np.ndarray:
    position = {n: i for i, n in enumerate(names)}
    out = np.zeros((len(index), *values.shape[1:]))
    for row, name in enumerate(index):
        if name in position:
            out[row] = values[position[name]]
    return out


def _list(items) -> str:
    items = list(items)
    shown = ", ".join(str(i) for i in items[:12])
    return shown + (f" and {len(items) - 12} more" if len(items) > 12 else "")


def compare(
    first: SettlementResult, second: SettlementResult, first_label: str, second_label: str
) -> Comparison:
    if first.inputs.bm.settlement_date != second.inputs.bm.settlement_date:
        raise ValueError(
            f"runs of different dates ({first.inputs.bm.settlement_date} and "
            f"{second.inputs.bm.settlement_date}) cannot be compared"
        )
    periods = sorted(set(first.inputs.periods) & set(second.inputs.periods))
    k = np.asarray(periods, dtype=int) - 1
    party_frame, party_periods, net_delta = _party_deltas(first, second, periods, k)
    period_summary = _period_summary(first, second, periods, k, net_delta)
    unit_frame, unit_periods, qm, tlm = _unit_deltas(first, second, periods, k)
    comparison = Comparison(
        first_label,
        second_label,
        periods,
        party_frame,
        party_periods,
        period_summary,
        unit_frame,
        unit_periods,
        materiality_threshold(first),
    )
    comparison.explanation = explain(comparison, first, second, k, tlm, qm)
    return comparison


def _party_deltas(
    first: SettlementResult, second: SettlementResult, periods: list[int], k: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray]:
    """(each party's charges, first, second and delta, over the periods; the party × period
    net deltas above a penny; the net delta of each party × period, SO last). Parties of
    either run are listed, by id, then the system operator with net −CSOBM."""
    parties = sorted(set(first.inputs.parties) | set(second.inputs.parties))

    def party_period(result: SettlementResult, name: str) -> np.ndarray:
        values = np.nan_to_num(getattr(result, f"party_period_{name}")[:, k])
        return _by_name(result.inputs.parties, values, parties)

    table: dict[str, list | np.ndarray] = {"party": [*parties, SYSTEM_OPERATOR]}
    per_period = {}
    for label, result in (("first", first), ("second", second)):
        charges = {c: party_period(result, c) for c in ("cbm", "cnd", "caei", "rcrc")}
        charges["net"] = charges["cbm"] - charges["cnd"] - charges["caei"] + charges["rcrc"]
        csobm = np.nan_to_num(result.csobm[k])
        so = {
            "cbm": np.zeros(len(k)),
            "cnd": np.zeros(len(k)),
            "caei": np.zeros(len(k)),
            "rcrc": np.zeros(len(k)),
            "net": -csobm,
        }
        for charge in CHARGES:
            full = np.vstack([charges[charge], so[charge]])
            table[f"{charge}_{label}"] = full.sum(axis=1)
            per_period[(charge, label)] = full
    for charge in CHARGES:
        table[f"{charge}_delta"] = table[f"{charge}_second"] - table[f"{charge}_first"]
    net_delta = per_period[("net", "second")] - per_period[("net", "first")]
    rows, cols = np.nonzero(np.abs(net_delta) > PENNY)
    party_periods = pd.DataFrame(
        {
            "party": np.asarray(table["party"], dtype=object)[rows],
            "period": np.asarray(periods)[cols],
            "net_first": per_period[("net", "first")][rows, cols],
            "net_second": per_period[("net", "second")][rows, cols],
            "net_delta": net_delta[rows, cols],
        }
    )
    return pd.DataFrame(table), party_periods, net_delta


def _period_summary(
    first: SettlementResult,
    second: SettlementResult,
    periods: list[int],
    k: np.ndarray,
    net_delta: np.ndarray,
) -> pd.DataFrame:
    """Each period's SSP, SBP and NIV, first, second and delta, the CSOBM delta and the
    Σ |net delta| of the trading parties (SO, the last row of `net_delta`, left out)."""
    summary = {"period": periods}
    for name in ("ssp", "sbp", "niv"):
        a = getattr(first.prices, name)[k]
        b = getattr(second.prices, name)[k]
        summary |= {f"{name}_first": a, f"{name}_second": b, f"{name}_delta": b - a}
    summary["csobm_delta"] = np.nan_to_num(second.csobm[k]) - np.nan_to_num(first.csobm[k])
    summary["abs_party_net_delta"] = np.abs(net_delta[:-1]).sum(axis=0)
    return pd.DataFrame(summary)


def _unit_deltas(
    first: SettlementResult, second: SettlementResult, periods: list[int], k: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray]:
    """(the BM units that moved, with their day's deltas; the unit × period deltas that
    moved; the QM and TLM deltas of every unit × period). Units of either run, by id; a
    unit moved where CBM or CND moved by a penny, QM by half a kWh or TLM at all."""
    units = sorted(set(first.inputs.bm.bm_units) | set(second.inputs.bm.bm_units))

    def unit_values(result: SettlementResult, values: np.ndarray) -> np.ndarray:
        return _by_name(result.inputs.bm.bm_units, np.nan_to_num(values[:, k]), units)

    cbm = unit_values(second, second.bm.cashflows.cbm) - unit_values(first, first.bm.cashflows.cbm)
    cnd = unit_values(second, second.non_delivery.cnd) - unit_values(first, first.non_delivery.cnd)
    qm = unit_values(second, second.inputs.metered) - unit_values(first, first.inputs.metered)
    tlm = unit_values(second, second.tlm) - unit_values(first, first.tlm)
    moved = (
        (np.abs(cbm) > PENNY) | (np.abs(cnd) > PENNY) | (np.abs(qm) > MWH) | (np.abs(tlm) > 1e-9)
    )
    r, c = np.nonzero(moved)
    unit_periods = pd.DataFrame(
        {
            "bm_unit": np.asarray(units, dtype=object)[r],
            "period": np.asarray(periods)[c],
            "cbm_delta": cbm[r, c],
            "cnd_delta": cnd[r, c],
            "qm_delta": qm[r, c],
            "tlm_delta": tlm[r, c],
        }
    )
    unit_frame = pd.DataFrame(
        {
            "bm_unit": units,
            "cbm_delta": cbm.sum(axis=1),
            "cnd_delta": cnd.sum(axis=1),
            "qm_delta": qm.sum(axis=1),
            "periods_moved": moved.sum(axis=1),
        }
    )
    unit_frame = unit_frame[unit_frame["periods_moved"] > 0].reset_index(drop=True)
    return unit_frame, unit_periods, qm, tlm


def explain(
    c: Comparison, first: SettlementResult, second: SettlementResult, k, tlm, qm
) -> list[str]:
    """The channels through which the change reached the parties, in plain words."""
    lines = []
    s = c.period_summary
    price_moved = s.loc[
        (s["ssp_delta"].abs() > PENNY)
        | (s["ssp_delta"].isna() & (s["ssp_first"].isna() != s["ssp_second"].isna())),
        "period",
    ]
    niv_moved = s.loc[s["niv_delta"].abs() > MWH, "period"]
    qm_units = [
        u for u, v in zip(c.units["bm_unit"], c.units["qm_delta"], strict=True) if abs(v) > MWH
    ]
    cbm_units = c.units.loc[c.units["cbm_delta"].abs() > PENNY, "bm_unit"]
    if len(niv_moved):
        lines.append(f"NIV changed in period(s) {_list(niv_moved)}: the stack itself moved.")
    if len(price_moved):
        lines.append(
            f"The system price changed in period(s) {_list(price_moved)}: every party's "
            "imbalance charge (CAEI) in those periods moves with it."
        )
    elif len(niv_moved):
        lines.append("The system price did not change despite the NIV change.")
    if len(cbm_units):
        lines.append(
            f"BM unit cashflows (CBM) changed for {_list(cbm_units)}: accepted volumes or "
            "prices moved."
        )
    if qm_units:
        lines.append(f"Metered volumes changed for {_list(qm_units)}.")
    tlm_moved = np.abs(tlm).max() > 1e-9 if tlm.size else False
    if tlm_moved:
        lines.append(
            "Transmission losses changed: the loss multipliers (TLM) of every unit moved, so "
            "every party's credited energy and imbalance changed a little."
        )
    basis_first = np.nan_to_num(first.imbalance.rcrp[:, k])
    basis_second = np.nan_to_num(second.imbalance.rcrp[:, k])
    if (
        basis_first.shape == basis_second.shape
        and np.abs(basis_second - basis_first).max(initial=0.0) > 1e-12
    ):
        lines.append("RCRC shares (RCRP) changed: the residual is shared out differently.")
    trc_delta = np.nansum(second.imbalance.trc[k]) - np.nansum(first.imbalance.trc[k])
    if abs(trc_delta) > PENNY:
        lines.append(
            f"The residual cashflow to share back (Σ TRC) changed by £{trc_delta:,.2f}, so "
            "every party's RCRC moved."
        )
    cnd_units = c.units.loc[c.units["cnd_delta"].abs() > PENNY, "bm_unit"]
    if len(cnd_units):
        lines.append(f"Non-delivery charges (CND) changed for {_list(cnd_units)}.")
    if not lines:
        lines.append("Nothing moved: the two settlements agree to the penny.")
    lines.append(c.verdict() + ".")
    return lines
