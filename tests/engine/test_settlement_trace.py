"""Step traces name the v2 rules where they apply and the known gaps a number depends on."""

from __future__ import annotations

from engine.settle import settle_day
from engine.settlement_trace import trace_account, trace_unit
from models.runs.inputs import case_settlement_inputs
from tests.engine.case_builder import accept, case, flat, metered, pair, unit


def settled(**sections):
    return settle_day(case_settlement_inputs(case(**sections)))


def steps(trace) -> dict:
    return {s.rule_id: s for s in trace.steps}


def test_unit_trace_of_a_two_sided_period_names_r_tlm_primary_not_onesided():
    result = settled(
        parties=[{"id": "GEN"}, {"id": "SUP"}],
        bm_units=[unit("T_G-1", "GEN", tlf=-0.01), unit("2__S-1", "SUP", "C", tlf=0.01)],
        metered_volumes=[metered("T_G-1", 100.0), metered("2__S-1", -98.0)],
    )
    trace = trace_unit(result, "T_G-1", 27)
    rules = trace.rule_ids()
    assert "R-TLM-PRIMARY" in rules and "R-TLM-TU" in rules
    assert "R-TLM-ONESIDED" not in rules and "R-TLM-SECONDARY" not in rules
    assert steps(trace)["R-TLM-PRIMARY"].result == 0.02
    assert steps(trace)["R-TLM-PRIMARY"].status == "confirmed"
    # 2024-06-12 is after P376, but a transmission unit settles on its FPN: no gap. The
    # supplier's QME and CND may rest on a baseline the engine does not model.
    assert all(s.gaps == () for s in trace.steps)
    assert steps(trace)["R-ND-CHARGE"].status == "assumed"  # the §8 formula is assumed
    assert steps(trace)["R-ND-ORDER"].status == "assumed"
    supplier = trace_unit(result, "2__S-1", 27)
    nd = steps(supplier)["R-ND"]
    assert nd.gaps == ("GAP-P376-BASELINING",)
    assert any("GAP-P376-BASELINING" in i.name for i in nd.inputs)
    assert supplier.as_json()["steps"][-1]["known_gaps"] == ["GAP-P376-BASELINING"]


def test_unit_trace_of_a_one_sided_period_and_of_a_secondary_unit():
    result = settled(
        parties=[{"id": "GEN"}, {"id": "VLP"}],
        bm_units=[unit("T_G-1", "GEN", tlf=-0.01), unit("V__V001", "VLP", "C")],
        metered_volumes=[metered("T_G-1", 100.0), metered("V__V001", -2.0)],
    )
    trace = trace_unit(result, "T_G-1", 27)
    onesided = steps(trace)["R-TLM-ONESIDED"]
    assert onesided.status == "assumed" and "TLMO+ = TLMO− = 0" in onesided.result
    assert steps(trace)["R-TLM"].result == 0.99
    secondary = trace_unit(result, "V__V001", 27)
    assert "R-TLM-SECONDARY" in secondary.rule_ids() and "R-TLM-TU" not in secondary.rule_ids()
    # P415 compensation is not in a unit's QME, QII or CND: only in accounts.
    assert steps(secondary)["R-ND"].gaps == ("GAP-P376-BASELINING",)
    assert steps(secondary)["R-ND-CHARGE"].gaps == ("GAP-P376-BASELINING",)
    account = trace_account(result, "VLP", "C", 27)
    vlp = ("GAP-P415-VIRTUAL-TRADING", "GAP-VLP-VIRTUAL-ACCOUNTS")
    assert steps(account)["R-ACC-RCRC"].gaps == vlp
    assert steps(account)["R-ACC-QAEI"].gaps == vlp
    assert steps(account)["R-ACC-QCE"].gaps == vlp
    assert steps(trace_account(result, "GEN", "P", 27))["R-ACC-QCE"].gaps == ()


def test_p415_is_attached_to_the_accounts_of_supplier_and_secondary_units_only():
    # A day with a V__ unit: P415 may apply. It enters the supplier's (2__S-1, SUP C) and
    # the VLP's accounts, not the generator's, and no unit's non-delivery step.
    result = settled(
        parties=[{"id": "GEN"}, {"id": "SUP"}, {"id": "VLP"}],
        bm_units=[unit("T_G-1", "GEN"), unit("2__S-1", "SUP", "C"), unit("V__V001", "VLP")],
        metered_volumes=[metered("T_G-1", 100.0), metered("2__S-1", -102.0),
                         metered("V__V001", 2.0)],
    )  # fmt: skip
    p415 = "GAP-P415-VIRTUAL-TRADING"
    assert p415 in [g.id for g in result.known_gaps]
    supplier = steps(trace_account(result, "SUP", "C", 27))
    assert supplier["R-ACC-QCE"].gaps == supplier["R-ACC-QAEI"].gaps == (p415,)
    assert p415 in supplier["R-ACC-RCRC"].gaps
    generator = steps(trace_account(result, "GEN", "P", 27))
    assert all(p415 not in s.gaps for s in generator.values())
    for bm_unit in ("T_G-1", "2__S-1", "V__V001"):
        assert all(p415 not in s.gaps for s in trace_unit(result, bm_unit, 27).steps)


def test_account_trace_names_the_missing_rcrc_denominator():
    result = settled(
        parties=[{"id": "GEN"}, {"id": "SUP"}],
        bm_units=[unit("T_G-1", "GEN"), unit("2__S-1", "SUP", "C")],
        fpn=[flat("T_G-1", 0)],
        bid_offer=[pair("T_G-1", 27, 1, 60, 50, 50)],
        acceptances=[accept("T_G-1", 1, 40)],
        metered_volumes=[metered("T_G-1", 0.0), metered("2__S-1", 0.0)],
    )
    trace = trace_account(result, "GEN", "P", 27)
    nodenom = steps(trace)["R-ACC-RCRC-NODENOM"]
    assert nodenom.status == "assumed" and nodenom.result == 1200.0
    assert steps(trace)["R-ACC-RCRC"].result == 0.0
    assert steps(trace)["R-ACC-RCRC"].status == "confirmed"
    # A normal period has no such step.
    normal = settled(
        parties=[{"id": "GEN"}, {"id": "SUP"}],
        bm_units=[unit("T_G-1", "GEN"), unit("2__S-1", "SUP", "C")],
        metered_volumes=[metered("T_G-1", 100.0), metered("2__S-1", -100.0)],
    )
    assert "R-ACC-RCRC-NODENOM" not in trace_account(normal, "GEN", "P", 27).rule_ids()


def test_account_trace_decides_no_denominator_by_the_rule_itself(monkeypatch):
    # The trace asks r_acc_rcrc_nodenom, never a copy of its 1e-6: with the tolerance
    # raised to 1 MWh, Σ CE = 0.25 + 0.25 = 0.5 MWh has no denominator, and TRC is 0 (no
    # acceptance), so only the rule (not a non-zero residual) can name R-ACC-RCRC-NODENOM.
    import engine.accounts

    monkeypatch.setattr(engine.accounts, "RCRC_DENOMINATOR_TOLERANCE_MWH", 1.0)
    result = settled(
        parties=[{"id": "GEN"}, {"id": "SUP"}],
        bm_units=[unit("T_G-1", "GEN"), unit("2__S-1", "SUP", "C")],
        metered_volumes=[metered("T_G-1", 0.25), metered("2__S-1", -0.25)],
    )
    assert result.unallocated_residual[26] == 0.0
    trace = trace_account(result, "GEN", "P", 27)
    assert "R-ACC-RCRC-NODENOM" in trace.rule_ids()
    assert steps(trace)["R-ACC-RCRC"].result == 0.0
