"""Known gaps: what the engine does not model (rulebook v2 §15), and which settled day needs it.

Each gap names the S0142 field (shared/domain/S0142_LAYOUT.md) where Elexon's settlement
report carries the quantity the engine leaves out, so a reconciliation can show it as "not
modelled" rather than as a difference. `gaps_affecting` decides from plain facts of a settled
day (its date, its BM unit ids, whether it has RR-flagged acceptances or BSAD actions) which
gaps its results depend on; the settle result exposes them and traces name them where a
traced number depends on one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from engine.losses import is_secondary_bm_unit

SUPPLIER_PREFIX = "2__"
NOT_BASELINED_PREFIXES = ("T_", "I_")  # P376: transmission and interconnector units

SINGLE_PRICE_FROM = date(2015, 11, 5)  # P305; engine.parameters refuses earlier dates
BASELINING_FROM = date(2023, 2, 23)  # P376

P376_BASELINING = "GAP-P376-BASELINING"
P415_VIRTUAL_TRADING = "GAP-P415-VIRTUAL-TRADING"
NETSO_ENERGY_ACCOUNTS = "GAP-NETSO-ENERGY-ACCOUNTS"
VLP_VIRTUAL_ACCOUNTS = "GAP-VLP-VIRTUAL-ACCOUNTS"
RR_CASHFLOWS = "GAP-RR-CASHFLOWS"
DUAL_PRICING = "GAP-DUAL-PRICING"


@dataclass(frozen=True, slots=True)
class KnownGap:
    """Something the engine does not model (rulebook §15).

    Attributes
    ----------
    id : str
        Gap id, ``GAP-…``.
    title : str
        What is not modelled.
    s0142 : str
        Where S0142 carries what is not modelled (shared/domain/S0142_LAYOUT.md).
    affects : str
        Which engine results it changes.
    """

    id: str
    title: str
    s0142: str
    affects: str


@dataclass(frozen=True, slots=True)
class GapUse:
    """A known gap that a settled day depends on, and why (its condition on this day).

    Attributes
    ----------
    gap : KnownGap
        The gap.
    reason : str
        The fact of the day that makes its results depend on the gap.
    """

    gap: KnownGap
    reason: str

    @property
    def id(self) -> str:
        """The gap's id."""
        return self.gap.id

    def as_json(self) -> dict:
        """The gap and its reason as plain JSON values.

        Returns
        -------
        dict
            id, title, s0142, affects and reason.
        """
        g = self.gap
        return {
            "id": g.id,
            "title": g.title,
            "s0142": g.s0142,
            "affects": g.affects,
            "reason": self.reason,
        }


KNOWN_GAPS: dict[str, KnownGap] = {
    g.id: g
    for g in (
        KnownGap(
            P376_BASELINING,
            "P376 baselining: since 2023-02-23 a baselined BM unit's expected volume uses its "
            "baseline, not its FPN",
            "BP7 position 18, N0645 Period BM Unit Settlement Expected Volume",
            "QME, QII, QNDO/QNDB and CND of baselined BM units: QME of a baselined unit uses "
            "its baseline (P376), not FPN; the engine uses FPN (transmission T_ and "
            "interconnector I_ units are not baselined; the data does not say which others "
            "are)",
        ),
        KnownGap(
            P415_VIRTUAL_TRADING,
            "P415 virtual trading parties and supplier compensation",
            "BP7 positions 19–25: N0665 Secondary BM Unit Deviation Volume, N0666 Wholesale "
            "Market Proportion of Delivered Volume, N0667 its flag, N0668 Period BM Unit "
            "Supplier Compensation Volume, N0669 Period Secondary BM Unit Compensation "
            "Volume, N0670 Final Demand, N0656 Period Supplier Compensation Cashflow",
            "supplier compensation cashflows of supplier BM units and the compensation "
            "volumes of secondary BM units: not in any party total",
        ),
        KnownGap(
            NETSO_ENERGY_ACCOUNTS,
            "The NETSO's own energy accounts",
            "SSD positions 37–38: N0335 System Operator Production Imbalance, N0336 System "
            "Operator Consumption Imbalance",
            "TRC and so every account's RCRC: the NETSO's energy imbalance (from its "
            "balancing services adjustment actions) is not in Σ CAEI",
        ),
        KnownGap(
            VLP_VIRTUAL_ACCOUNTS,
            "Virtual Lead Parties' virtual balancing accounts",
            "not in S0142's account records: the VLP report S0144 (SAA-I014 sub-flow 4); in "
            "S0142 only PPC position 9 / APD position 13, N0655 Period Virtual Lead Party "
            "Compensation Cashflow",
            "credited energy, imbalance and RCRC share of the accounts of secondary (V__) BM "
            "units: the engine credits them to their lead party's energy account",
        ),
        KnownGap(
            RR_CASHFLOWS,
            "Replacement Reserve (TERRE) cashflows",
            "PPC positions 7–8: N0593 RR Cashflow, N0594 RR Instructed Deviation Cashflow "
            "(APC 8–10; SSD 70, N0595 Total System RR Cashflow)",
            "party totals: RR-flagged acceptances are left out of bid-offer volumes "
            "(R-PROF-RR) and their RR cashflows are not computed",
        ),
        KnownGap(
            DUAL_PRICING,
            "Dual imbalance pricing before 2015-11-05 (P305)",
            "SSD positions 5–6: N0212 System Buy Price, N0215 System Sell Price (different "
            "before P305)",
            "SSP, SBP and every CAEI: such dates are refused by the engine",
        ),
    )
}


def gaps_affecting(
    settlement_date: date,
    bm_unit_ids: Sequence[str],
    *,
    rr_flagged_acceptances: int = 0,
    bsad_actions: int = 0,
    metered: bool = True,
    secondary: np.ndarray | None = None,
) -> tuple[GapUse, ...]:
    """The known gaps (rulebook §15) a settled day depends on, each with its reason.

    Parameters
    ----------
    settlement_date : date
        The settlement day.
    bm_unit_ids : sequence of str
        Elexon ids of the day's BM units.
    rr_flagged_acceptances : int, default 0
        Number of RR-flagged acceptances in the settled periods (R-PROF-RR).
    bsad_actions : int, default 0
        Number of BSAD actions in the settled periods.
    metered : bool, default True
        Whether any settled period has metered volumes (imbalance and RCRC exist).
    secondary : numpy.ndarray of bool, shape (units,), optional
        Per BM unit, whether it is a secondary unit (LossResult.secondary); found from the
        ids when not given (R-TLM-PRIMARY).

    Returns
    -------
    tuple of GapUse
        In KNOWN_GAPS order.
    """
    day = settlement_date.isoformat()
    ids = [str(u) for u in bm_unit_ids]
    mask = is_secondary_bm_unit(ids) if secondary is None else np.asarray(secondary, dtype=bool)
    secondary_ids = sorted(u for u, s in zip(ids, mask, strict=True) if s)
    baselinable = sorted(u for u in ids if may_be_baselined(u))
    uses: list[GapUse] = []
    if settlement_date >= BASELINING_FROM and baselinable:
        uses.append(
            GapUse(
                KNOWN_GAPS[P376_BASELINING],
                f"{day} is on or after 2023-02-23 (P376); {len(baselinable)} BM unit(s) may be "
                f"baselined (not T_ or I_), e.g. {baselinable[0]}",
            )
        )
    if secondary_ids:
        # Our sources give no P415 go-live date: presence of V__ units is the trigger.
        uses.append(
            GapUse(
                KNOWN_GAPS[P415_VIRTUAL_TRADING],
                "may apply: P415 compensation is not modelled; this day has secondary BM "
                f"units ({len(secondary_ids)}, e.g. {secondary_ids[0]})",
            )
        )
    if metered and bsad_actions:
        uses.append(
            GapUse(
                KNOWN_GAPS[NETSO_ENERGY_ACCOUNTS],
                f"{bsad_actions} BSAD action(s): the NETSO's energy accounts are not settled",
            )
        )
    if metered and secondary_ids:
        uses.append(
            GapUse(
                KNOWN_GAPS[VLP_VIRTUAL_ACCOUNTS],
                f"{len(secondary_ids)} secondary BM unit(s) settled in their lead party's account",
            )
        )
    if rr_flagged_acceptances:
        uses.append(
            GapUse(
                KNOWN_GAPS[RR_CASHFLOWS],
                f"{rr_flagged_acceptances} RR-flagged acceptance(s)",
            )
        )
    if settlement_date < SINGLE_PRICE_FROM:
        uses.append(GapUse(KNOWN_GAPS[DUAL_PRICING], f"{day} is before 2015-11-05 (P305)"))
    return tuple(uses)


def is_supplier_id(unit_id: str) -> bool:
    """Whether a BM unit is a supplier base unit, `2__…` (P415 compensates its supplier).

    Parameters
    ----------
    unit_id : str
        Elexon BM unit id.

    Returns
    -------
    bool
        True for a `2__` id.
    """
    return str(unit_id).startswith(SUPPLIER_PREFIX)


def may_be_baselined(unit_id: str) -> bool:
    """Whether a BM unit may be baselined under P376 (GAP-P376-BASELINING).

    Transmission (T_) units settle on their FPN and interconnector (I_) units are not
    baselined; any other may be (the data does not say).

    Parameters
    ----------
    unit_id : str
        Elexon BM unit id.

    Returns
    -------
    bool
        False for `T_` and `I_` ids, else True.
    """
    return not str(unit_id).startswith(NOT_BASELINED_PREFIXES)


def gap_ids_for_unit(uses: Sequence[GapUse], bm_unit: str) -> tuple[str, ...]:
    """The gaps of a day that a BM unit's QME, QII and CND depend on.

    That is P376 where the unit may be baselined. (P415 compensation enters the accounts and
    party totals, not these: gap_ids_for_account.)

    Parameters
    ----------
    uses : sequence of GapUse
        The day's gaps (gaps_affecting).
    bm_unit : str
        Elexon BM unit id.

    Returns
    -------
    tuple of str
        Gap ids, in the order of `uses`.
    """
    wanted = {P376_BASELINING} if may_be_baselined(bm_unit) else set()
    return tuple(u.id for u in uses if u.id in wanted)


def compensation_gap_ids(
    uses: Sequence[GapUse], has_secondary_units: bool, has_supplier_units: bool = False
) -> tuple[str, ...]:
    """The gaps of a day that an account's credited energy and imbalance depend on.

    The VLP virtual accounts where it leads secondary units; P415 compensation where it
    leads secondary (V__) or supplier (2__) units.

    Parameters
    ----------
    uses : sequence of GapUse
        The day's gaps (gaps_affecting).
    has_secondary_units : bool
        The account's party leads secondary (V__) BM units through it.
    has_supplier_units : bool, default False
        It leads supplier base (2__) BM units.

    Returns
    -------
    tuple of str
        Gap ids, in the order of `uses`.
    """
    wanted = set()
    if has_secondary_units:
        wanted |= {VLP_VIRTUAL_ACCOUNTS, P415_VIRTUAL_TRADING}
    if has_supplier_units:
        wanted |= {P415_VIRTUAL_TRADING}
    return tuple(u.id for u in uses if u.id in wanted)


def gap_ids_for_account(
    uses: Sequence[GapUse], has_secondary_units: bool, has_supplier_units: bool = False
) -> tuple[str, ...]:
    """The gaps of a day that an account's RCRC depends on.

    The NETSO's accounts (in TRC) and the account's own compensation_gap_ids.

    Parameters
    ----------
    uses : sequence of GapUse
        The day's gaps (gaps_affecting).
    has_secondary_units : bool
        The account leads secondary (V__) BM units.
    has_supplier_units : bool, default False
        It leads supplier base (2__) BM units.

    Returns
    -------
    tuple of str
        Gap ids, in the order of `uses`.
    """
    own = set(compensation_gap_ids(uses, has_secondary_units, has_supplier_units))
    return tuple(u.id for u in uses if u.id == NETSO_ENERGY_ACCOUNTS or u.id in own)
