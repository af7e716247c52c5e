"""Invariants of a settled day on random small markets (hypothesis)."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.settle import settle_day
from models.casefiles.results_json import result_document
from models.runs.inputs import case_settlement_inputs
from tests.engine.case_builder import accept, case, flat, metered, pair, unit

PARTIES = ["A", "B", "C"]


@st.composite
def markets(draw):
    count = draw(st.integers(2, 5))
    units, fpn, bids, acceptances, meters = [], [], [], [], []
    for i in range(count):
        uid = f"T_U{i}-1"
        producer = i == 0 or (i > 1 and draw(st.booleans()))
        ic = i > 1 and draw(st.integers(0, 4)) == 0
        # Units 0 and 1 are their own Trading Units, one delivering and one offtaking, so
        # both loss offsets exist; the others may share a Trading Unit.
        trading_unit = uid if i < 2 else draw(st.sampled_from([uid, "TU_SHARED"]))
        units.append(unit(uid, draw(st.sampled_from(PARTIES)), "P" if producer else "C",
                          tlf=draw(st.floats(-0.03, 0.03)), interconnector=ic,
                          trading_unit=trading_unit))  # fmt: skip
        level = draw(st.integers(0, 300)) * (1 if producer else -1)
        fpn.append(flat(uid, level))
        for n in draw(st.sets(st.sampled_from([-2, -1, 1, 2]), max_size=3)):
            bid = draw(st.integers(-50, 100))
            bids.append(pair(uid, 27, n, bid + draw(st.integers(0, 80)), bid,
                             draw(st.integers(1, 100)) * (1 if n > 0 else -1)))  # fmt: skip
        for k in range(draw(st.integers(0, 2))):
            start = draw(st.integers(0, 20))
            acceptances.append(accept(uid, k + 1, level + draw(st.integers(-150, 150)), start))
        meters.append(metered(uid, draw(st.floats(-300, 300))))
    # A balanced market, as real meters are: unit 0 produces more than the others take or
    # give, unit 1 (a consumer) takes the rest less ~2 % losses.
    others = [m["mwh"] for m in meters[2:]]
    meters[0]["mwh"] = draw(st.floats(1, 300)) + sum(abs(v) for v in others)
    meters[1]["mwh"] = -(1 - draw(st.floats(0, 0.04))) * (meters[0]["mwh"] + sum(others))
    ecvns = [
        {"from_party": draw(st.sampled_from(PARTIES)), "from_account": draw(st.sampled_from("PC")),
         "to_party": draw(st.sampled_from(PARTIES)), "to_account": draw(st.sampled_from("PC")),
         "period": 27, "mwh": draw(st.floats(0, 200))}
        for _ in range(draw(st.integers(0, 3)))
    ]  # fmt: skip
    mvrns = [
        {"bm_unit": f"T_U{draw(st.integers(0, count - 1))}-1",
         "to_party": draw(st.sampled_from(PARTIES)), "to_account": "P",
         "fixed_mwh": draw(st.floats(0, 20)), "percentage": draw(st.floats(0, 60))}
        for _ in range(draw(st.integers(0, 2)))
    ]  # fmt: skip
    return case(
        parameters={"par": draw(st.sampled_from([1.0, 50.0]))},
        parties=[{"id": p} for p in PARTIES],
        bm_units=units,
        fpn=fpn,
        bid_offer=bids,
        acceptances=acceptances,
        metered_volumes=meters,
        ecvns=ecvns,
        mvrns=mvrns,
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markets())
def test_losses_cash_and_niv_invariants_hold(document):
    result = settle_day(case_settlement_inputs(document))
    doc = result_document(result)
    # The invariants: R-TLM (Σ QM × TLM = 0), cash balance, NIV = stack. (tlm-range is a
    # plausibility warning about the meters, which random markets need not satisfy.)
    failed = [c for c in doc["checks"] if not c["ok"] and c["rule"] != "tlm-range"]
    assert not failed, failed
    # Credited energy nets to zero across accounts (losses are allocated, not lost).
    assert abs(sum(a["qce"] for a in doc["accounts"])) <= 1e-6
    # RCRP shares sum to 1 (every account's share of the residual).
    assert math.isclose(sum(a["rcrp"] for a in doc["accounts"]), 1.0, abs_tol=1e-9)
    # What the parties are paid in net is what the system operator pays: Σ net = CSOBM.
    total_net = sum(p["net"] for p in doc["parties"])
    assert math.isclose(total_net, doc["system"][0]["csobm"], abs_tol=1e-6)
    # Non-delivery charges are never negative; offer/bid volumes keep their signs.
    for u in doc["bm_units"]:
        assert u["cnd"] >= 0
        assert all(p["qao"] >= 0 and p["qab"] <= 0 for p in u["pairs"])
    # R-ACC-QAEI sign: a long account (QAEI > 0) at a positive price is paid (CAEI < 0), a
    # short one pays (CAEI > 0). A sign flip of CAEI fails here.
    ssp = doc["periods"][0]["ssp"]
    for a in doc["accounts"]:
        if ssp > 0 and abs(a["qaei"]) > 1e-9:
            assert (a["caei"] < 0) == (a["qaei"] > 0), a
    _assert_losses_split_by_alpha(document, doc, result.inputs.parameters.alpha)


def _assert_losses_split_by_alpha(document: dict, doc: dict, alpha: float) -> None:
    """R-TLM from the case itself: with L = Σ_non-IC QM (1 + TLF) + Σ_IC QM and each Trading
    Unit delivering when its Σ QM > 0, the delivering non-IC units carry α of the losses,
    Σ QM × TLMO+ = −α L (TLMO+ = TLM − 1 − TLF), and the offtaking ones 1 − α. Swapping α
    and 1 − α fails here (α = 0.45)."""
    units = {u["id"]: u for u in document["bm_units"]}
    qm = {m["bm_unit"]: m["mwh"] for m in document["metered_volumes"]}
    tlm = {r["bm_unit"]: r["tlm"] for r in doc["bm_units"]}

    def trading_unit(uid):
        return units[uid].get("trading_unit") or uid

    tu_total: dict[str, float] = {}
    for uid, mwh in qm.items():
        tu_total[trading_unit(uid)] = tu_total.get(trading_unit(uid), 0.0) + mwh
    ic = {uid for uid, u in units.items() if u.get("interconnector")}
    losses = sum(q if uid in ic else q * (1 + units[uid]["tlf"]) for uid, q in qm.items())
    plus = minus = 0.0
    for uid, q in qm.items():
        if uid in ic:
            continue
        offset = q * (tlm[uid] - 1 - units[uid]["tlf"])
        if tu_total[trading_unit(uid)] > 0:
            plus += offset
        else:
            minus += offset
    assert math.isclose(plus, -alpha * losses, abs_tol=1e-6), (plus, losses)
    assert math.isclose(minus, -(1 - alpha) * losses, abs_tol=1e-6), (minus, losses)
