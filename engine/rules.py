"""The rulebook's rules as data: id, status and what each computes, for traces and the GUI.

Status is ``confirmed`` (read in Elexon material or evidenced by its data) or ``assumed`` (the
standard reading, not read verbatim). The workbench shows the status next to every number that
rests on a rule, so an analyst always knows which figures depend on an assumption.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rule:
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
    )
}


def rule(rule_id: str) -> Rule:
    return RULES[rule_id]
