"""The rulebook's rules as data: id, status and what each computes, for traces and the GUI.

Status is ``confirmed`` (read in Elexon material or evidenced by its data) or ``assumed`` (the
standard reading, not read verbatim), as rulebook v2 (../shared/domain/SETTLEMENT_RULES.md)
gives it. The workbench shows the status next to every number that rests on a rule, so an
analyst always knows which figures depend on an assumption. Ids not in the rulebook
(R-VOL-SPLIT, R-TLM-TU, R-TLM-SECONDARY, R-ND-CHARGE, R-ND-ORDER, …) split one of its rules where
its parts have different statuses.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule of the rulebook as the engine implements it.

    Attributes
    ----------
    id : str
        Rule id, e.g. ``R-PRC-NIV``.
    status : str
        ``confirmed`` or ``assumed`` (rulebook v2).
    title : str
        What it computes, in a few words.
    formula : str
        The formula in words, as traces show it.
    """

    id: str
    status: str
    title: str
    formula: str


RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule(
            "R-CAL",
            "confirmed",
            "Settlement periods",
            "start(d, j) = local midnight + 30 min × (j − 1)",
        ),
        Rule("R-PAR", "confirmed", "Dated parameters", "value in force on the settlement date"),
        Rule(
            "R-PROF-FPN",
            "confirmed",
            "Final Physical Notification",
            "FPN_i(t) piecewise linear through its points; Period FPN = ∫ FPN_i(t) dt over j",
        ),
        Rule(
            "R-PROF-BOD",
            "confirmed",
            "Bid-offer bands",
            "qBO_n(t): width of pair n's band (≥ 0 offers, ≤ 0 bids), piecewise linear",
        ),
        Rule(
            "R-PROF-BOA",
            "confirmed",
            "Acceptance levels",
            "qA_k(t) interpolates the acceptance's MW levels linearly",
        ),
        Rule(
            "R-PROF-CARRY",
            "assumed",
            "Carry-forward of acceptances",
            "where k has no level at t: qA_k(t) = qA_(k−1)(t); qA_0(t) = FPN(t)",
        ),
        Rule(
            "R-PROF-RR",
            "confirmed",
            "RR-flagged acceptances excluded",
            "acceptances with the RR instruction flag are left out of bid-offer volumes",
        ),
        Rule(
            "R-VOL-PAIR",
            "assumed",
            "Accepted volume per pair",
            "qABO_kn(t) = clip_n(qA_k − FPN) − clip_n(qA_(k−1) − FPN), clip_n to [L_n, U_n]",
        ),
        Rule(
            "R-VOL-SPLIT",
            "confirmed",
            "Offer and bid parts",
            "qAO_kn = max(qABO_kn, 0); qAB_kn = min(qABO_kn, 0)",
        ),
        Rule(
            "R-VOL-INT",
            "assumed",
            "Period volume by the trapezium rule",
            "QAO_knj = Σ_t (qAO_kn(t) + qAO_kn(t+1)) / 2 / 60 over the period's 31 spot times",
        ),
        Rule(
            "R-VOL-SUM",
            "confirmed",
            "Pair volumes",
            "QAO_nij = Σ_k QAO_knij; QAB_nij = Σ_k QAB_knij",
        ),
        Rule(
            "R-VOL-CADL",
            "confirmed",
            "CADL flag",
            "acceptance duration (last spot time − first) < CADL",
        ),
        Rule(
            "R-CBM",
            "assumed",
            "BM Unit cashflow",
            "CO_nij = QAO_nij × PO_n; CB_nij = QAB_nij × PB_n; CBM_ij = Σ_n (CO_nij + CB_nij)",
        ),
        Rule(
            "R-TLM",
            "assumed",
            "Transmission loss multiplier",
            "TLM_ij = 1 + TLF_ij + TLMO±_j (interconnectors 1); TLMO+ = −α L / Σ_del QM, "
            "TLMO− = −(1 − α) L / Σ_off QM, L = Σ QM (1 + TLF) + Σ_IC QM, over primary "
            "BM units; check Σ_primary QM × TLM = 0",
        ),
        Rule(
            "R-TLM-PRIMARY",
            "confirmed",
            "Losses over primary BM units",
            "secondary BM units (type V, V__…) are left out of L and out of Σ_del QM and Σ_off QM",
        ),
        Rule(
            "R-TLM-SECONDARY",
            "assumed",
            "TLM of a secondary BM unit",
            "TLM_ij = 1 + TLF_ij + TLMO±_j, TLMO+ when the unit's own QM > 0, else TLMO−",
        ),
        Rule(
            "R-TLM-ONESIDED",
            "assumed",
            "Period with one-sided metering",
            "no delivering or no offtaking primary non-IC QM: TLMO+ = TLMO− = 0 (TLM = 1 + TLF); "
            "the R-TLM check does not apply",
        ),
        Rule(
            "R-TLM-TU",
            "confirmed",
            "Trading Unit status",
            "delivering when Σ QM of the Trading Unit's BM units > 0, else offtaking",
        ),
        Rule(
            "R-ND",
            "assumed",
            "Expected volume and non-delivery",
            "QME = Period FPN + Σ_n (QAO + QAB); QII = QM − QME; s = QME − QM; "
            "QNDO = min(max(s, 0), Σ QAO); QNDB = max(min(s, 0), Σ QAB)",
        ),
        Rule(
            "R-ND-ORDER",
            "assumed",
            "Order of the non-delivery allocation",
            "QNDO to accepted offers from the highest offer price down; QNDB to accepted bids "
            "from the lowest bid price up",
        ),
        Rule(
            # v2 confirmed only that offer and bid non-delivery are both charged, per offer
            # and bid (RQNDO_uij, T4.8.6); the formula itself is the rulebook's (§8) reading.
            "R-ND-CHARGE",
            "assumed",
            "Non-delivery charge (both sides and per offer/bid confirmed; formula assumed)",
            "CND = Σ_u QNDO_u max(PO_u − SBP, 0) + Σ_u |QNDB_u| max(SSP − PB_u, 0) (≥ 0, paid "
            "by the party)",
        ),
        Rule(
            "R-ACC-QCE",
            "assumed",
            "Credited energy",
            "QCE_iaj = (FMVR + PMVR/100 × (QM − Σ FMVR)) × TLM to MVRN accounts; the lead "
            "account keeps QM × TLM − Σ moved",
        ),
        Rule("R-ACC-QABC", "assumed", "Contract volume", "QABC_a = Σ sold − Σ bought (ECVNs)"),
        Rule(
            "R-ACC-QABS",
            "assumed",
            "Balancing services volume",
            "QABS_a = −Σ_(i led via a) TLM_ij × (Σ_n (QAO_nij + QAB_nij) + QBS_ij)",
        ),
        Rule(
            "R-ACC-QAEI",
            "confirmed",
            "Energy imbalance",
            "QAEI_a = QCE_a + QABS_a − QABC_a; CAEI_a = −QAEI_a × SSP_j (SSP = SBP)",
        ),
        Rule(
            "R-ACC-RCRC",
            "confirmed",
            "Residual cashflow reallocation",
            "TRC_j = Σ_a CAEI_a; RCRP_a = CE_a / Σ_b CE_b (non-interconnector credited energy, "
            "+1 delivering, −1 offtaking Trading Unit); RCRC_a = RCRP_a × TRC_j",
        ),
        Rule(
            "R-ACC-RCRC-NODENOM",
            "assumed",
            "RCRC without a denominator",
            "|Σ_b CE_b| < 1e-6 MWh: RCRP_a = 0 for every account; TRC_j is the unallocated "
            "residual, in the cash balance",
        ),
        Rule(
            "R-ACC-CASH",
            "confirmed",
            "Cash balance (the cash-balance check)",
            "Σ CAEI + CSOBM + Σ CND = Σ CBM + Σ RCRC + unallocated residual (to £0.01)",
        ),
        Rule(
            "R-ACC-CSOBM",
            "confirmed",
            "System operator BM cashflow",
            "CSOBM_j = Σ_i CBM_ij − Σ_i CND_ij",
        ),
        Rule("R-PRC-MIP", "confirmed", "Market index price", "volume-weighted average MID price"),
        Rule(
            "R-PRC-STOR",
            "confirmed",
            "STOR repricing",
            "STOR items in a STOR availability window: max(price, RSVP), RSVP = LoLP × VoLL",
        ),
        Rule("R-PRC-RANK", "confirmed", "Ranking", "buys by price ascending, sells descending"),
        Rule("R-PRC-DMAT", "assumed", "De minimis tagging", "|volume| < DMAT is tagged out"),
        Rule("R-PRC-ARB", "assumed", "Arbitrage tagging", "tag crossing sell and buy volume out"),
        Rule(
            "R-PRC-NIV", "confirmed", "Net imbalance volume", "NIV = Σ remaining buy + sell volume"
        ),
        Rule(
            "R-PRC-FLAG",
            "confirmed",
            "Flag classification",
            "SO/CADL/unpriced flagged; second-stage unflagging",
        ),
        Rule(
            "R-PRC-NIVTAG",
            "confirmed",
            "NIV tagging",
            "opposite stack out; same volume from the most expensive end",
        ),
        Rule(
            "R-PRC-REPL",
            "assumed",
            "Replacement price",
            "volume-weighted average of the dearest RPAR MWh of second-stage-unflagged items "
            "(all of them if fewer: the reference volume is then that smaller volume); MIP if "
            "none (reference volume 0)",
        ),
        Rule("R-PRC-PAR", "confirmed", "PAR tagging", "keep the dearest PAR MWh"),
        Rule(
            "R-PRC-MAIN",
            "confirmed",
            "Main price",
            "Σ TLM-adjusted cost / Σ TLM-adjusted volume + BPA or SPA; MIP if nothing remains",
        ),
        Rule(
            "R-REG-DATED",
            "assumed",
            "Register in force on the settlement date",
            "the latest register snapshot effective on or before the date; if none, the "
            "earliest, with a warning naming it",
        ),
        Rule(
            "R-REG-ID",
            "confirmed",
            "Elexon id identifies a BM unit",
            "bmUnit (elexonBmUnit) identifies the unit; a disagreeing National Grid id is a "
            "warning, not an error",
        ),
        Rule(
            "R-REG-UNREGISTERED",
            "assumed",
            "BM unit absent from the register in force",
            "settled as unregistered: TLF 0, party UNREGISTERED, P/C from the sign of its FPN, "
            "its own Trading Unit; listed as a warning",
        ),
    )
}


def rule(rule_id: str) -> Rule:
    """The rule with this id.

    Parameters
    ----------
    rule_id : str
        A key of RULES.

    Returns
    -------
    Rule
        Its status, title and formula.

    Raises
    ------
    KeyError
        When no rule has that id.
    """
    return RULES[rule_id]
