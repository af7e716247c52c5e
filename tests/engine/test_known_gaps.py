"""Known gaps (rulebook §15): each names its S0142 field; which a settled day depends on."""

from __future__ import annotations

from datetime import date

import numpy as np

from engine.known_gaps import (
    DUAL_PRICING,
    KNOWN_GAPS,
    NETSO_ENERGY_ACCOUNTS,
    P376_BASELINING,
    P415_VIRTUAL_TRADING,
    RR_CASHFLOWS,
    VLP_VIRTUAL_ACCOUNTS,
    compensation_gap_ids,
    gap_ids_for_account,
    gap_ids_for_unit,
    gaps_affecting,
    may_be_baselined,
)


def ids(uses) -> list[str]:
    return [u.id for u in uses]


def test_every_gap_of_the_rulebook_names_its_s0142_field():
    assert list(KNOWN_GAPS) == [
        P376_BASELINING, P415_VIRTUAL_TRADING, NETSO_ENERGY_ACCOUNTS, VLP_VIRTUAL_ACCOUNTS,
        RR_CASHFLOWS, DUAL_PRICING,
    ]  # fmt: skip
    assert "N0645" in KNOWN_GAPS[P376_BASELINING].s0142
    assert "BP7 positions 19–25" in KNOWN_GAPS[P415_VIRTUAL_TRADING].s0142
    assert "N0656" in KNOWN_GAPS[P415_VIRTUAL_TRADING].s0142
    assert "SSD positions 37–38" in KNOWN_GAPS[NETSO_ENERGY_ACCOUNTS].s0142
    assert "N0335" in KNOWN_GAPS[NETSO_ENERGY_ACCOUNTS].s0142
    assert "S0144" in KNOWN_GAPS[VLP_VIRTUAL_ACCOUNTS].s0142
    assert "N0593" in KNOWN_GAPS[RR_CASHFLOWS].s0142
    assert "N0212" in KNOWN_GAPS[DUAL_PRICING].s0142
    assert all(g.title and g.affects for g in KNOWN_GAPS.values())


def test_baselining_applies_from_2023_02_23_to_units_that_may_be_baselined():
    units = ["T_G-1", "I_IFA-1", "E_E-1", "2__S-1"]
    assert ids(gaps_affecting(date(2023, 2, 22), units)) == []
    (use,) = gaps_affecting(date(2023, 2, 23), units)
    assert use.id == P376_BASELINING
    assert use.reason == (
        "2023-02-23 is on or after 2023-02-23 (P376); 2 BM unit(s) may be baselined (not T_ "
        "or I_), e.g. 2__S-1"
    )
    assert "QME of a baselined unit uses its baseline (P376), not FPN; the engine uses FPN" in (
        use.gap.affects
    )
    # Transmission units settle on FPN and interconnectors are not baselined: no P376.
    assert ids(gaps_affecting(date(2024, 6, 12), ["T_G-1", "I_IFA-1"])) == []
    assert [may_be_baselined(u) for u in [*units, "V__V001", "C__A-1", "M_M-1"]] == [
        False, False, True, True, True, True, True,
    ]  # fmt: skip


def test_secondary_units_bring_p415_and_the_vlp_accounts():
    uses = gaps_affecting(date(2022, 3, 19), ["T_G-1", "V__AFLEX001", "V__B"])
    assert ids(uses) == [P415_VIRTUAL_TRADING, VLP_VIRTUAL_ACCOUNTS]
    # No P415 go-live date in our sources: the V__ units are the trigger, and it "may" apply.
    assert uses[0].reason == (
        "may apply: P415 compensation is not modelled; this day has secondary BM units "
        "(2, e.g. V__AFLEX001)"
    )
    # Without metered volumes there is no account to misstate: only P415 remains.
    assert ids(gaps_affecting(date(2022, 3, 19), ["V__B"], metered=False)) == [P415_VIRTUAL_TRADING]


def test_bsad_rr_and_dual_pricing():
    uses = gaps_affecting(date(2015, 11, 4), ["T_G-1"], rr_flagged_acceptances=2, bsad_actions=4)
    assert ids(uses) == [NETSO_ENERGY_ACCOUNTS, RR_CASHFLOWS, DUAL_PRICING]
    assert "4 BSAD" in uses[0].reason and "2 RR-flagged" in uses[1].reason
    assert ids(gaps_affecting(date(2015, 11, 5), ["T_G-1"], bsad_actions=1, metered=False)) == []
    assert uses[0].as_json()["s0142"] == KNOWN_GAPS[NETSO_ENERGY_ACCOUNTS].s0142


def test_which_gaps_a_unit_or_an_account_depends_on():
    uses = gaps_affecting(date(2024, 6, 12), ["T_G-1", "V__B"], bsad_actions=1)
    # A transmission unit settles on FPN: not P376. P415 compensation enters accounts and
    # party totals, not a unit's QME, QII or CND.
    assert gap_ids_for_unit(uses, "T_G-1") == ()
    assert gap_ids_for_unit(uses, "I_X-1") == ()
    assert gap_ids_for_unit(uses, "V__B") == (P376_BASELINING,)
    assert gap_ids_for_unit(uses, "2__S-1") == (P376_BASELINING,)
    assert gap_ids_for_account(uses, False) == (NETSO_ENERGY_ACCOUNTS,)
    assert gap_ids_for_account(uses, True) == (
        P415_VIRTUAL_TRADING, NETSO_ENERGY_ACCOUNTS, VLP_VIRTUAL_ACCOUNTS,
    )  # fmt: skip
    # A supplier (2__) account takes the compensation for VLP deliveries: P415 too.
    assert gap_ids_for_account(uses, False, True) == (P415_VIRTUAL_TRADING, NETSO_ENERGY_ACCOUNTS)
    assert compensation_gap_ids(uses, False, True) == (P415_VIRTUAL_TRADING,)
    assert compensation_gap_ids(uses, False, False) == ()
    # Without V__ units in the day there is no P415 to attach.
    plain = gaps_affecting(date(2024, 6, 12), ["T_G-1", "2__S-1"])
    assert gap_ids_for_account(plain, False, True) == ()


def test_secondary_units_are_found_in_one_call_for_the_whole_day(monkeypatch):
    # A GB day has ~3,000 BM units: one vectorised call, not one per unit (~20 ms a settle).
    import engine.known_gaps as known_gaps

    calls = []
    real = known_gaps.is_secondary_bm_unit

    def counted(ids):
        calls.append(len(ids))
        return real(ids)

    monkeypatch.setattr(known_gaps, "is_secondary_bm_unit", counted)
    units = [f"T_G-{i}" for i in range(3000)] + ["V__B"]
    uses = known_gaps.gaps_affecting(date(2022, 3, 19), units)
    assert ids(uses) == [P415_VIRTUAL_TRADING, VLP_VIRTUAL_ACCOUNTS]
    assert calls == [3001]
    # The settle passes its own mask (LossResult.secondary): no call at all.
    calls.clear()
    mask = np.array([False] * 3000 + [True])
    assert known_gaps.gaps_affecting(date(2022, 3, 19), units, secondary=mask) == uses
    assert calls == []
