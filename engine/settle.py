"""Settle a settlement date: every stage of the rulebook in order, with invariant checks.

BM stage (R-PROF, R-VOL, R-CBM) → losses (R-TLM, R-TLM-PRIMARY, R-TLM-ONESIDED) → stack and
price (R-PRC) → non-delivery (R-ND) → accounts, imbalance and RCRC (R-ACC,
R-ACC-RCRC-NODENOM) → system operator and party totals; then the known gaps (rulebook §15)
the day's results depend on.

A period whose metered volumes were not loaded is still settled for volumes, CBM, the stack
and the price, with TLM = 1 + TLF for the stack; its metered-volume dependent quantities
(TLM, QCE, QABS, imbalance, RCRC, non-delivery, CSOBM, net) are NaN: not available, never 0.
A failed check is reported in `checks`, never hidden; a check that does not apply to a period
(R-TLM in a one-sided period, R-TLM-ONESIDED; R-PRC-MIP in a period holding no input at all,
engine.period_data; the cash balance of a metered period whose price is unavailable; the
metered-volumes note of a period without metered volumes) has
ok=True and status "not applicable". No check detail ever prints a NaN. Two plausibility
checks fail where the rules hold but the metered volumes make the result absurd: tlm-range
(a TLM outside 0.5–1.5) and rcrc-range (an |RCRP_a| above 10: an RCRC denominator near 0,
yet above R-ACC-RCRC-NODENOM's 1e-6 MWh).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.accounts import (
    Imbalance,
    balancing_services_volume,
    contract_volume,
    credited_energy,
    imbalance,
    r_acc_rcrc_nodenom,
)
from engine.bm_inputs import BmInputs, validate_bm_inputs
from engine.bm_stage import BmStageResult, run_bm_stage
from engine.errors import EngineInputError
from engine.imbalance_price import (
    PRICE_UNAVAILABLE,
    PeriodPrices,
    PriceParameters,
    PriceRules,
    StackResult,
    imbalance_prices,
)
from engine.known_gaps import GapUse, gaps_affecting
from engine.losses import (
    ONE_SIDED_TOLERANCE_MWH,
    LossResult,
    indicative_tlm,
    is_secondary_bm_unit,
    transmission_losses,
)
from engine.non_delivery import NonDelivery, non_delivery
from engine.period_data import INPUT_NAMES, held_in, nothing_to_price, period_inputs_present
from engine.settlement_calendar import PERIOD_SECONDS
from engine.settlement_inputs import SettlementInputs
from engine.stack_items import StackItems, items_from_bm, items_from_bsad
from engine.variants import Variant

LOSS_TOLERANCE_MWH = 1e-6
PLAUSIBLE_TLM = (0.5, 1.5)  # outside this, metered volumes are almost certainly wrong
# Σ RCRP = 1 and a real day's |RCRP_a| is well under 1: beyond this the RCRC denominator is
# near 0 (yet above R-ACC-RCRC-NODENOM's 1e-6) and the charges are absurd.
PLAUSIBLE_RCRP = 10.0
CASH_TOLERANCE_GBP = 0.01
NIV_TOLERANCE_MWH = 1e-6
NOT_APPLICABLE = "not applicable"
# The R-ACC-CASH check. Its name stays "cash-balance" (printed by the CLI, stored with every
# run's checks); its detail names the rule.
CASH_BALANCE_CHECK = "cash-balance"
PRICE_UNAVAILABLE_REASON = "price unavailable: CAEI, TRC and RCRC are not available"


@dataclass(frozen=True, slots=True)
class Check:
    """An invariant of one period, as settle_day checked it.

    Attributes
    ----------
    rule : str
        The rule id (e.g. ``R-TLM``) or the check's name (e.g. ``cash-balance``,
        ``tlm-range``).
    period : int or None
        Settlement period j, 1-based; None for a check not tied to one period.
    ok : bool
        Whether it holds.
    detail : str
        The numbers checked, in words; never a NaN.
    status : str or None, default None
        None when `ok` says it all; NOT_APPLICABLE when the check does not apply (then ok
        is True and detail says why).
    """

    rule: str
    period: int | None
    ok: bool
    detail: str
    status: str | None = None


@dataclass(frozen=True, slots=True)
class PartyTotals:
    """Each party's charges over the settled periods (£); every array has shape (parties,).

    cnd, caei, rcrc and net are NaN when some settled period has no metered volumes; caei,
    rcrc and net also when some settled period has no price. cbm is always a number.

    Attributes
    ----------
    cbm : numpy.ndarray of float
        Σ CBM of the units it leads, positive = paid to the party.
    cnd : numpy.ndarray of float
        Σ CND, positive = paid by the party.
    caei : numpy.ndarray of float
        Σ CAEI of its two accounts, positive = paid by the party.
    rcrc : numpy.ndarray of float
        Σ RCRC, positive = paid to the party.
    net : numpy.ndarray of float
        cbm − cnd − caei + rcrc: positive, the party is paid.
    """

    cbm: np.ndarray
    cnd: np.ndarray
    caei: np.ndarray
    rcrc: np.ndarray
    net: np.ndarray


@dataclass(frozen=True, slots=True)
class SettlementResult:
    """Everything settle_day computed for a settlement date, stage by stage.

    Metered-volume dependent quantities are NaN in periods without metered volumes; cash
    figures follow the rulebook's signs (CBM, RCRC paid to; CND, CAEI paid by the party).

    Attributes
    ----------
    inputs : SettlementInputs
        The inputs settled.
    bm : BmStageResult
        Period FPN, accepted volumes and CBM.
    metered_available : numpy.ndarray of bool, shape (periods,)
        Some unit has a metered volume in the period.
    losses : LossResult
        L, TLMO± and TLM computed with missing metered volumes as 0.
    tlm : numpy.ndarray of float, shape (units, periods)
        TLM_ij, dimensionless; NaN where not available.
    stack_tlm : numpy.ndarray of float, shape (units, periods)
        TLM used in the stack: TLM_ij, or 1 + TLF without metered volumes.
    items : StackItems
        The day's stack items: accepted volumes, then BSAD.
    stack : StackResult
        Every published stack column per item.
    prices : PeriodPrices
        SSP = SBP, NIV and price source per period.
    non_delivery : NonDelivery
        QME, QII, QNDO, QNDB (MWh) and CND (£, paid by).
    qce : numpy.ndarray of float, shape (accounts, periods)
        QCE_aj, MWh.
    qabs : numpy.ndarray of float, shape (accounts, periods)
        QABS_aj, MWh.
    qabc : numpy.ndarray of float, shape (accounts, periods)
        QABC_aj, MWh, positive for a net seller.
    rcrc_basis : numpy.ndarray of float, shape (accounts, periods)
        CE_a, MWh, signed by Trading Unit status.
    imbalance : Imbalance
        QAEI, CAEI, TRC, RCRP and RCRC.
    csobm : numpy.ndarray of float, shape (periods,)
        CSOBM_j = Σ_i CBM_ij − Σ_i CND_ij, £, paid by the system operator (R-ACC-CSOBM).
    cash_balance_error : numpy.ndarray of float, shape (periods,)
        Σ CAEI + CSOBM + Σ CND − Σ CBM − Σ RCRC − unallocated residual, £ (R-ACC-CASH).
    party_period_cbm : numpy.ndarray of float, shape (parties, periods)
        CBM per lead party, £, paid to.
    party_period_cnd : numpy.ndarray of float, shape (parties, periods)
        CND per lead party, £, paid by.
    party_period_caei : numpy.ndarray of float, shape (parties, periods)
        CAEI per party (both accounts), £, paid by.
    party_period_rcrc : numpy.ndarray of float, shape (parties, periods)
        RCRC per party, £, paid to.
    parties : PartyTotals
        Totals over the settled periods.
    checks : tuple of Check
        Every invariant checked, per settled period.
    known_gaps : tuple of GapUse, default ()
        The rulebook §15 gaps the day's results depend on.
    variant : str, default ""
        The rule variant settled under (engine.variants); "" for the rulebook's rules.
    """

    inputs: SettlementInputs
    bm: BmStageResult
    metered_available: np.ndarray
    losses: LossResult
    tlm: np.ndarray
    stack_tlm: np.ndarray
    items: StackItems
    stack: StackResult
    prices: PeriodPrices
    non_delivery: NonDelivery
    qce: np.ndarray
    qabs: np.ndarray
    qabc: np.ndarray
    rcrc_basis: np.ndarray
    imbalance: Imbalance
    csobm: np.ndarray
    cash_balance_error: np.ndarray
    party_period_cbm: np.ndarray
    party_period_cnd: np.ndarray
    party_period_caei: np.ndarray
    party_period_rcrc: np.ndarray
    parties: PartyTotals
    checks: tuple[Check, ...]
    known_gaps: tuple[GapUse, ...] = ()
    variant: str = ""

    @property
    def unallocated_residual(self) -> np.ndarray:
        """(periods,) R-ACC-RCRC-NODENOM: the TRC no account could take, £ (0 normally)."""
        return self.imbalance.unallocated_residual

    @property
    def settled_periods(self) -> tuple[int, ...]:
        """The periods settled, 1-based."""
        return self.inputs.periods

    @property
    def system_price(self) -> np.ndarray:
        """(periods,) SSP_j = SBP_j, £/MWh; NaN where unavailable."""
        return self.prices.ssp


def validate_settlement_inputs(inputs: SettlementInputs) -> None:
    """Refuse settlement inputs that break a rule of the format, before any computing starts.

    Parameters
    ----------
    inputs : SettlementInputs
        The inputs of one settlement date.

    Raises
    ------
    EngineInputError
        For BM inputs validate_bm_inputs refuses, metered volumes not of shape (units,
        periods) or infinite, a period to settle that the day does not have, an ECVN or MVRN
        fixed volume that is not finite, or an ECVN or MVRN account that is not an account
        of the run's parties.
    """
    validate_bm_inputs(inputs.bm)
    units, periods = len(inputs.bm.bm_units), inputs.bm.periods
    if inputs.metered.shape != (units, periods):
        raise EngineInputError(
            f"metered volumes must be {units} units × {periods} periods, not {inputs.metered.shape}"
        )
    bad = [p for p in inputs.periods if not 1 <= p <= periods]
    if bad:
        raise EngineInputError(
            f"period(s) {', '.join(map(str, bad))} do not exist on "
            f"{inputs.bm.settlement_date} (1 to {periods})"
        )
    finite = np.isfinite(inputs.metered) | np.isnan(inputs.metered)
    if not finite.all():
        unit, period = np.argwhere(~finite)[0]
        raise EngineInputError(
            f"BM unit {inputs.bm.bm_units[unit]} period {period + 1}: metered volume is infinite"
        )
    contracts = inputs.contracts
    for name, values in (("ECVN", contracts.mwh), ("MVRN fixed", inputs.reallocations.fixed_mwh)):
        if not np.isfinite(values).all():
            raise EngineInputError(f"an {name} volume is not a finite number")
    for name, accounts in (
        ("ECVN from", contracts.from_account),
        ("ECVN to", contracts.to_account),
        ("MVRN to", inputs.reallocations.to_account),
    ):
        if len(accounts) and (accounts.min() < 0 or accounts.max() >= inputs.accounts):
            raise EngineInputError(f"an {name} account is not an account of the run's parties")


def _per_party(per_unit_or_account: np.ndarray, owner: np.ndarray, parties: int) -> np.ndarray:
    totals = np.zeros((parties, per_unit_or_account.shape[1]))
    np.add.at(totals, owner, per_unit_or_account)
    return totals


def settle_day(inputs: SettlementInputs, variant: Variant | None = None) -> SettlementResult:
    """Settle the inputs' periods of their settlement date: every stage, then the checks.

    Parameters
    ----------
    inputs : SettlementInputs
        The inputs of one settlement date (MWh export positive, £/MWh, epoch seconds).
    variant : Variant, optional
        A rule variant (engine.variants): its parameters replace the inputs' and its rule
        functions the stages'; the result's inputs hold the replaced parameters. Default:
        the rulebook's rules.

    Returns
    -------
    SettlementResult
        Every stage's results, the invariant checks and the known gaps the day depends on.

    Raises
    ------
    EngineInputError
        When the inputs break a rule of the format (validate_settlement_inputs,
        validate_price_inputs).

    Notes
    -----
    Assumed rules are used as engine.rules lists them (R-VOL-PAIR, R-VOL-INT, R-CBM, R-TLM
    offsets, R-TLM-ONESIDED, R-ND*, R-ACC-QCE, R-ACC-QABC sign, R-ACC-QABS,
    R-ACC-RCRC-NODENOM, R-PRC-DMAT, R-PRC-ARB, R-PRC-REPL). Not modelled (rulebook §15): P376
    baselining, P415 compensation, the NETSO's energy accounts, VLP virtual accounts, RR
    cashflows; known_gaps names those the day's results depend on.
    """
    if variant is not None:
        inputs = variant.apply(inputs)
    validate_settlement_inputs(inputs)
    bm = run_bm_stage(inputs.bm, inputs.parameters.cadl_minutes, validate=False)
    return _settle_after_bm_stage(inputs, bm, variant)


def settle_day_and_variant(
    inputs: SettlementInputs, variant: Variant
) -> tuple[SettlementResult, SettlementResult]:
    """Settle a date with the rulebook's rules and with a variant, sharing what both share.

    The BM stage (R-PROF, R-VOL, R-CBM: over half a day's settling) reads one parameter, CADL
    (R-VOL-CADL); a variant that leaves it as it is gets the base's BM stage, not a second
    one, and the inputs are validated once (a variant changes parameters only). Each result
    is what settle_day gives for the same arguments.

    Parameters
    ----------
    inputs : SettlementInputs
        The inputs of one settlement date (MWh export positive, £/MWh, epoch seconds).
    variant : Variant
        The rule variant (engine.variants).

    Returns
    -------
    tuple of SettlementResult
        (the rulebook's settlement, the variant's settlement).

    Raises
    ------
    EngineInputError
        As settle_day.
    """
    validate_settlement_inputs(inputs)
    bm = run_bm_stage(inputs.bm, inputs.parameters.cadl_minutes, validate=False)
    base = _settle_after_bm_stage(inputs, bm, None)
    varied_inputs = variant.apply(inputs)
    if varied_inputs.parameters.cadl_minutes != inputs.parameters.cadl_minutes:
        bm = run_bm_stage(varied_inputs.bm, varied_inputs.parameters.cadl_minutes, validate=False)
    return base, _settle_after_bm_stage(varied_inputs, bm, variant)


def _settle_after_bm_stage(
    inputs: SettlementInputs, bm: BmStageResult, variant: Variant | None
) -> SettlementResult:
    """Every stage after the BM stage, then the checks (settle_day's body); `inputs` hold the
    variant's parameters already. The BM stage's arrays are read, never written."""
    price_rules = variant.stage_rules() if variant is not None else PriceRules()
    bm_inputs = inputs.bm
    settled = np.zeros(bm_inputs.periods, dtype=bool)
    settled[np.asarray(inputs.periods, dtype=np.int64) - 1] = True
    metered_available, metered, losses, tlm, stack_tlm = _metered_volumes_and_losses(inputs)
    items, prices, stack = _imbalance_price_stage(inputs, bm, stack_tlm, price_rules)
    price = prices.ssp
    nd = _non_delivery_stage(bm_inputs, bm, metered, price)
    ce, qabs, qabc, account_imbalance = _account_stage(
        inputs, bm, nd, metered, tlm, losses.delivering, price
    )
    csobm, cash_balance_error = _system_cashflows(bm, nd, account_imbalance, metered_available)
    party_cbm, party_cnd, party_caei, party_rcrc = _party_period_cashflows(
        inputs, bm, nd, account_imbalance
    )
    totals = PartyTotals(
        cbm=party_cbm[:, settled].sum(axis=1),
        cnd=party_cnd[:, settled].sum(axis=1),
        caei=party_caei[:, settled].sum(axis=1),
        rcrc=party_rcrc[:, settled].sum(axis=1),
        net=(party_cbm - party_cnd - party_caei + party_rcrc)[:, settled].sum(axis=1),
    )
    checks = _checks(
        inputs,
        metered_available,
        losses,
        prices,
        stack,
        items,
        bm,
        cash_balance_error,
        account_imbalance,
    )
    return SettlementResult(
        inputs=inputs,
        bm=bm,
        metered_available=metered_available,
        losses=losses,
        tlm=tlm,
        stack_tlm=stack_tlm,
        items=items,
        stack=stack,
        prices=prices,
        non_delivery=nd,
        qce=ce.qce,
        qabs=qabs,
        qabc=qabc,
        rcrc_basis=ce.rcrc_basis,
        imbalance=account_imbalance,
        csobm=csobm,
        cash_balance_error=cash_balance_error,
        party_period_cbm=party_cbm,
        party_period_cnd=party_cnd,
        party_period_caei=party_caei,
        party_period_rcrc=party_rcrc,
        parties=totals,
        checks=checks,
        known_gaps=_known_gaps_of_day(inputs, settled, metered_available, losses),
        variant=variant.name if variant is not None else "",
    )


def _metered_volumes_and_losses(inputs: SettlementInputs):
    """R-TLM: (metered periods, QM with NaN in unmetered periods, losses, TLM with NaN in
    unmetered periods, the stack's TLM: indicative 1 + TLF in unmetered periods)."""
    units, periods = inputs.units, inputs.bm.periods
    # A period is metered when any unit has a metered volume in it. Secondary BM units stay
    # out of the losses (R-TLM-PRIMARY).
    metered_available = ~np.isnan(inputs.metered).all(axis=0)
    metered = np.where(metered_available[None, :], np.nan_to_num(inputs.metered), np.nan)
    secondary = is_secondary_bm_unit(inputs.bm.bm_units)
    losses = transmission_losses(np.nan_to_num(metered), units, inputs.parameters.alpha, secondary)
    tlm = np.where(metered_available[None, :], losses.tlm, np.nan)
    stack_tlm = np.where(metered_available[None, :], losses.tlm, indicative_tlm(units, periods))
    return metered_available, metered, losses, tlm, stack_tlm


def _imbalance_price_stage(
    inputs: SettlementInputs, bm: BmStageResult, stack_tlm: np.ndarray, rules: PriceRules
) -> tuple[StackItems, PeriodPrices, StackResult]:
    """R-PRC: the stack of BM and BSAD items, priced for the periods to settle."""
    params = inputs.parameters
    bsad = inputs.bsad
    items = StackItems.concatenate(
        [
            items_from_bm(bm, stack_tlm),
            items_from_bsad(
                bsad.period,
                bsad.ids,
                bsad.volume,
                bsad.cost,
                bsad.so_flag,
                bsad.stor_flag,
            ),
        ]
    )
    prices, stack = imbalance_prices(
        items,
        inputs.period_inputs,
        PriceParameters(params.par, params.rpar, params.dmat, params.voll),
        inputs.bm.periods,
        only_periods=list(inputs.periods),
        rules=rules,
    )
    return items, prices, stack


def _non_delivery_stage(
    bm_inputs: BmInputs, bm: BmStageResult, metered: np.ndarray, price: np.ndarray
) -> NonDelivery:
    """R-ND: each unit's shortfall against QME, allocated to its pairs and charged."""
    pairs = bm_inputs.pairs
    return non_delivery(
        bm.period_fpn,
        metered,
        pairs.unit,
        pairs.period,
        pairs.offer_price,
        pairs.bid_price,
        bm.volumes.qao_nj,
        bm.volumes.qab_nj,
        price,
    )


def _account_stage(
    inputs: SettlementInputs,
    bm: BmStageResult,
    nd: NonDelivery,
    metered: np.ndarray,
    tlm: np.ndarray,
    delivering: np.ndarray,
    price: np.ndarray,
):
    """R-ACC: (credited energy, QABS, QABC, imbalance and RCRC) of every energy account."""
    accounts, units, periods = inputs.accounts, inputs.units, inputs.bm.periods
    ce = credited_energy(metered, tlm, units, inputs.reallocations, delivering, accounts)
    qabc = contract_volume(inputs.contracts, accounts, periods)
    accepted = nd.qme - bm.period_fpn  # Σ_n (QAO_nij + QAB_nij)
    qabs = balancing_services_volume(accepted, inputs.balancing_services, tlm, units, accounts)
    return ce, qabs, qabc, imbalance(ce.qce, qabs, qabc, price, ce.rcrc_basis)


def _system_cashflows(
    bm: BmStageResult, nd: NonDelivery, account_imbalance: Imbalance, metered_available
) -> tuple[np.ndarray, np.ndarray]:
    """(CSOBM, cash balance error) of each period; the error is 0 when the money balances."""
    cbm = bm.cashflows.cbm
    cnd_total = np.nansum(nd.cnd, axis=0)
    csobm = np.where(metered_available, cbm.sum(axis=0) - cnd_total, np.nan)
    cash_balance_error = (
        account_imbalance.caei.sum(axis=0)
        + csobm
        + cnd_total
        - cbm.sum(axis=0)
        - account_imbalance.rcrc.sum(axis=0)
        - account_imbalance.unallocated_residual
    )
    return csobm, cash_balance_error


def _party_period_cashflows(
    inputs: SettlementInputs, bm: BmStageResult, nd: NonDelivery, account_imbalance: Imbalance
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(CBM, CND, CAEI, RCRC) of each party × period: unit cashflows to the lead party,
    account cashflows to the account's party."""
    party_count = len(inputs.parties)
    owner_of_account = np.arange(inputs.accounts) // 2
    lead_party = inputs.units.lead_party
    return (
        _per_party(bm.cashflows.cbm, lead_party, party_count),
        _per_party(nd.cnd, lead_party, party_count),
        _per_party(account_imbalance.caei, owner_of_account, party_count),
        _per_party(account_imbalance.rcrc, owner_of_account, party_count),
    )


def _known_gaps_of_day(
    inputs: SettlementInputs, settled: np.ndarray, metered_available, losses: LossResult
) -> tuple[GapUse, ...]:
    """The known gaps the day's results depend on (rulebook §15)."""
    bm_inputs = inputs.bm
    # Both counted over the settled periods: what the results hold.
    in_bsad = np.isin(inputs.bsad.period, np.asarray(inputs.periods))
    rr_flagged = bm_inputs.acceptances.rr_flag & acceptances_in_periods(bm_inputs, settled)
    return gaps_affecting(
        bm_inputs.settlement_date,
        bm_inputs.bm_units,
        rr_flagged_acceptances=int(np.count_nonzero(rr_flagged)),
        bsad_actions=int(np.count_nonzero(in_bsad)),
        metered=bool(metered_available[settled].any()),
        secondary=losses.secondary,
    )


def acceptances_in_periods(bm_inputs: BmInputs, periods: np.ndarray) -> np.ndarray:
    """Which acceptances have levels reaching into some of the given periods.

    Parameters
    ----------
    bm_inputs : BmInputs
        The day's acceptances and levels.
    periods : numpy.ndarray of bool, shape (periods of the day,)
        True for the periods asked about.

    Returns
    -------
    numpy.ndarray of bool, shape (acceptances,)
        True where a segment of the acceptance's levels reaches into such a period (one
        ending on a period's start does not reach into it).
    """
    levels = bm_inputs.acceptance_levels
    count = bm_inputs.periods
    offset_from = levels.time_from - bm_inputs.day_start
    offset_to = levels.time_to - bm_inputs.day_start
    first = offset_from // PERIOD_SECONDS
    # A segment ending on a period boundary does not reach into the next period.
    last = np.where(offset_to > offset_from, (offset_to - 1) // PERIOD_SECONDS, first)
    in_day = (last >= 0) & (first < count)
    settled_before = np.concatenate([[0], np.cumsum(periods)])
    reaches = in_day & (
        settled_before[np.clip(last, 0, count - 1) + 1]
        - settled_before[np.clip(first, 0, count - 1)]
        > 0
    )
    found = np.zeros(len(bm_inputs.acceptances), dtype=bool)
    found[levels.owner[reaches]] = True
    return found


def _loss_check(j: int, losses: LossResult) -> Check:
    """R-TLM: Σ_(primary) QM × TLM = 0 in a two-sided period; not applicable in a one-sided
    one (R-TLM-ONESIDED), which is incomplete metering, not an engine failure."""
    period_index = j - 1
    if losses.one_sided[period_index]:
        missing = [
            side
            for side, none in (
                ("delivering", not losses.delivered[period_index] > ONE_SIDED_TOLERANCE_MWH),
                ("offtaking", not losses.offtaken[period_index] < -ONE_SIDED_TOLERANCE_MWH),
            )
            if none
        ]
        return Check(
            "R-TLM",
            j,
            True,
            f"R-TLM-ONESIDED: no {' and no '.join(missing)} primary non-interconnector "
            "metered volume "
            f"(Σ delivering {losses.delivered[period_index]:.6f}, "
            f"Σ offtaking {losses.offtaken[period_index]:.6f} "
            "MWh): incomplete metering, TLMO+ = TLMO− = 0 and TLM = 1 + TLF; "
            f"Σ QM×TLM = {losses.loss_check[period_index]:.6f}",
            NOT_APPLICABLE,
        )
    return Check(
        "R-TLM",
        j,
        bool(abs(losses.loss_check[period_index]) <= LOSS_TOLERANCE_MWH),
        f"Σ QM×TLM = {losses.loss_check[period_index]:.6f} over primary BM units",
    )


def _mip_check(j: int, prices: PeriodPrices, present: dict[str, np.ndarray]) -> Check:
    """R-PRC-MIP where the price is unavailable: failed when the period holds any input (it
    needs MIP_j and has none); not applicable when it holds none: nothing was there to price
    (engine.period_data). The price stays unavailable either way."""
    held = held_in(present, j)
    if not held:
        names = ", ".join(INPUT_NAMES[:-1]) + " or " + INPUT_NAMES[-1]
        return Check(
            "R-PRC-MIP",
            j,
            True,
            f"no data for this period: nothing to price (no {names}); the price is unavailable",
            NOT_APPLICABLE,
        )
    if nothing_to_price(held):  # only acceptance levels running into the period
        return Check(
            "R-PRC-MIP",
            j,
            True,
            "no data for this period but acceptance levels running into it: without FPN and "
            "bid-offer data they give no accepted volume, so nothing to price; the price is "
            "unavailable",
            NOT_APPLICABLE,
        )
    return Check(
        "R-PRC-MIP",
        j,
        False,
        f"no system price: the period needs MIP_j (NIV {prices.niv[j - 1]:.3f} MWh) and "
        f"has no market index data with volume (it holds: {', '.join(held)}); import the MID "
        "dataset for the date",
    )


def _checks(
    inputs, metered_available, losses, prices, stack, items, bm, cash_error, account_imbalance
) -> tuple:
    checks: list[Check] = []
    present = period_inputs_present(inputs, items)
    accepted_total = np.bincount(
        bm.volumes.period, weights=bm.volumes.qao + bm.volumes.qab, minlength=bm.inputs.periods + 1
    )[1:]
    bsad_total = np.bincount(
        inputs.bsad.period, weights=inputs.bsad.volume, minlength=bm.inputs.periods + 1
    )[1:]
    for j in inputs.periods:
        period_index = j - 1
        mine = items.period == j
        stack_volume = float(items.volume[mine].sum())
        expected = float(accepted_total[period_index] + bsad_total[period_index])
        checks.append(
            Check(
                "stack-complete",
                j,
                bool(abs(stack_volume - expected) <= NIV_TOLERANCE_MWH),
                f"Σ stack volume {stack_volume:.6f} = "
                f"Σ accepted {accepted_total[period_index]:.6f} "
                f"+ Σ BSAD {bsad_total[period_index]:.6f} MWh",
            )
        )
        remaining = float(stack.arbitrage_adjusted_volume[mine].sum())
        checks.append(
            Check(
                "R-PRC-NIV",
                j,
                bool(abs(remaining - prices.niv[period_index]) <= NIV_TOLERANCE_MWH),
                f"NIV {prices.niv[period_index]:.6f} = "
                f"Σ stack after DMAT and arbitrage {remaining:.6f} MWh",
            )
        )
        if prices.price_source[period_index] == PRICE_UNAVAILABLE:
            checks.append(_mip_check(j, prices, present))
        if not metered_available[period_index]:
            checks.append(
                Check(
                    "metered-volumes",
                    j,
                    True,
                    "no metered volumes: imbalance not settled",
                    NOT_APPLICABLE,
                )
            )
            continue
        missing = int(np.isnan(inputs.metered[:, period_index]).sum())
        if missing:
            checks.append(
                Check(
                    "metered-volumes",
                    j,
                    False,
                    f"{missing} BM unit(s) have no metered volume; counted as 0 MWh",
                )
            )
        checks.append(_tlm_range_check(j, inputs, losses))
        checks.append(_loss_check(j, losses))
        checks.append(_rcrc_range_check(j, inputs, account_imbalance))
        checks.append(_cash_check(j, cash_error, account_imbalance))
    return tuple(checks)


def _tlm_range_check(j: int, inputs: SettlementInputs, losses: LossResult) -> Check:
    """Plausibility of R-TLM: failed when a TLM is outside PLAUSIBLE_TLM, as in a nearly
    one-sided period (R-TLM-ONESIDED's 1e-6 MWh kept as the rulebook states it), whose QCE,
    QABS, imbalance, RCRC and stack prices all rest on that TLM."""
    period_index = j - 1
    low, high = PLAUSIBLE_TLM
    tlm = losses.tlm[:, period_index]
    odd = np.flatnonzero((tlm < low) | (tlm > high))
    if len(odd) == 0:
        return Check("tlm-range", j, True, f"all TLM within {low}–{high}")
    worst = odd[np.argmax(np.abs(tlm[odd] - 1.0))]
    return Check(
        "tlm-range",
        j,
        False,
        f"TLM outside {low}–{high}: charges depending on TLM in this period are implausible "
        f"({len(odd)} BM unit(s), e.g. {inputs.bm.bm_units[worst]} {tlm[worst]:.4f}; "
        f"TLMO+ {losses.tlmo_plus[period_index]:.6f}, "
        f"TLMO− {losses.tlmo_minus[period_index]:.6f}; check the metered "
        "volumes)",
    )


def _rcrc_range_check(j: int, inputs: SettlementInputs, account_imbalance: Imbalance) -> Check:
    """Plausibility of R-ACC-RCRC: failed when some |RCRP_a| > PLAUSIBLE_RCRP, so that a
    near-zero denominator (R-ACC-RCRC-NODENOM keeps it, being above 1e-6 MWh) never gives
    absurd charges with every check passing."""
    period_index = j - 1
    rcrp = account_imbalance.rcrp[:, period_index]
    if rcrp.size == 0:
        return Check("rcrc-range", j, True, "no energy accounts")
    a = int(np.argmax(np.abs(rcrp)))
    name = inputs.account_name(a)
    if abs(rcrp[a]) <= PLAUSIBLE_RCRP:
        return Check(
            "rcrc-range",
            j,
            True,
            f"max |RCRP| {abs(rcrp[a]):.4f} ({name}) within {PLAUSIBLE_RCRP:g}",
        )
    trc = account_imbalance.trc[period_index]
    charge = (
        "TRC and RCRC not available (price unavailable)"
        if np.isnan(trc)
        else f"TRC £{trc:,.2f}, RCRC £{account_imbalance.rcrc[a, period_index]:,.2f}"
    )
    return Check(
        "rcrc-range",
        j,
        False,
        f"RCRP of {name} is {rcrp[a]:.4f} (|RCRP| more than {PLAUSIBLE_RCRP:g}): Σ CE = "
        f"{account_imbalance.rcrc_denominator[period_index]:.6f} MWh, {charge}; "
        "RCRC of this period is "
        "implausible: check the metered volumes (R-ACC-RCRC)",
    )


def _cash_check(j: int, cash_error: np.ndarray, account_imbalance: Imbalance) -> Check:
    """R-ACC-CASH, the cash balance of a metered period (to £0.01); not applicable where
    the price is unavailable (R-PRC-MIP): then CAEI, TRC and RCRC have no value."""
    period_index = j - 1
    if np.isnan(account_imbalance.trc[period_index]):
        return Check(CASH_BALANCE_CHECK, j, True, PRICE_UNAVAILABLE_REASON, NOT_APPLICABLE)
    unallocated = float(account_imbalance.unallocated_residual[period_index])
    residual = (
        f"; R-ACC-RCRC-NODENOM: |Σ CE| = "
        f"{abs(account_imbalance.rcrc_denominator[period_index]):.2e} MWh, "
        f"TRC £{unallocated:.2f} unallocated"
        if r_acc_rcrc_nodenom(account_imbalance.rcrc_denominator[period_index : period_index + 1])[
            0
        ]
        else ""
    )
    return Check(
        CASH_BALANCE_CHECK,
        j,
        bool(abs(cash_error[period_index]) <= CASH_TOLERANCE_GBP),
        "R-ACC-CASH: Σ CAEI + CSOBM + Σ CND − Σ CBM − Σ RCRC − unallocated residual = "
        f"{cash_error[period_index]:.6f}{residual}",
    )
