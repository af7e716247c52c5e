"""BM Unit cashflows (rulebook §6, R-CBM) on the worked example's pairs, by hand.

Pairs of T_GEN-1 in period 27 (rows of the pair table): −1 (PO £35, PB £30), +1 (£80, £70),
+2 (£100, £78). Accepted volumes of §12: acceptance 1 QAO 22.9167 MWh (1375/60) on +1 and
8 MWh on +2; acceptance 2 QAB −3.25 on +1 and −3 on +2.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from engine.accepted_volumes import AcceptedVolumes
from engine.bm_cashflow import bm_cashflows
from tests.engine.builders import worked_example_inputs

QAO_1 = 1375 / 60  # 22.9167 MWh


def volumes(inputs, per_acceptance) -> AcceptedVolumes:
    """AcceptedVolumes from (acceptance row, pair n, QAO, QAB) rows, summed per pair row."""
    row_of = {int(n): r for r, n in enumerate(inputs.pairs.pair)}
    acceptance, pair, qao, qab = (np.array(c) for c in zip(*per_acceptance, strict=True))
    pair_row = np.array([row_of[int(n)] for n in pair])
    rows = len(inputs.pairs)
    return AcceptedVolumes(
        acceptance=acceptance,
        period=np.full(len(acceptance), 27),
        pair=pair,
        pair_row=pair_row,
        qao=qao.astype(float),
        qab=qab.astype(float),
        qao_nj=np.bincount(pair_row, weights=qao, minlength=rows),
        qab_nj=np.bincount(pair_row, weights=qab, minlength=rows),
        cadl_flag=np.zeros(len(inputs.acceptances), dtype=bool),
    )


def test_worked_example_cbm_is_2171_83():
    inputs = worked_example_inputs()
    accepted = [(0, 1, QAO_1, 0.0), (0, 2, 8.0, 0.0), (1, 1, 0.0, -3.25), (1, 2, 0.0, -3.0)]
    got = bm_cashflows(inputs, volumes(inputs, accepted))
    # Per pair row (−1, +1, +2): CO = QAO × PO, CB = QAB × PB.
    assert got.co_nj == pytest.approx([0.0, QAO_1 * 80, 800.0])  # £1,833.33 on +1
    assert got.cb_nj == pytest.approx([0.0, -3.25 * 70, -3.0 * 78])  # −£227.50, −£234.00
    # Per acceptance row: acceptance 1 earns £2,633.33 (the dispute variant's CBM without
    # acceptance 2), acceptance 2 gives back £461.50.
    assert got.cashflow_knj == pytest.approx([QAO_1 * 80, 800.0, -227.5, -234.0])
    gen = inputs.unit_index("T_GEN-1")
    assert got.cbm[gen, 26] == pytest.approx(2171.8333333)
    assert round(got.cbm[gen, 26], 2) == 2171.83
    assert got.cbm.shape == (2, 48)
    assert np.count_nonzero(got.cbm) == 1  # nothing for the supplier or other periods
    assert got.total_system_bm_cashflow[26] == pytest.approx(2171.8333333)


def test_a_negative_bid_price_pays_the_party_for_its_bid_volume():
    # Rulebook §1 signs: a unit bidding −£50/MWh on pair +1 and turned down 4 MWh (QAB −4):
    # CB = −4 × −50 = +£200, positive, so paid to the party.
    inputs = worked_example_inputs()
    pairs = inputs.pairs
    bid = np.where(pairs.pair == 1, -50.0, pairs.bid_price)
    inputs = replace(inputs, pairs=replace(pairs, bid_price=bid))
    got = bm_cashflows(inputs, volumes(inputs, [(0, 1, 0.0, -4.0)]))
    assert got.cb_nj == pytest.approx([0.0, 200.0, 0.0])
    assert got.cbm[inputs.unit_index("T_GEN-1"), 26] == pytest.approx(200.0)
