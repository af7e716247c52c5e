"""R-ACC-RCRC and R-ACC-RCRC-NODENOM on hand-written arrays: shares, signs, no denominator."""

from __future__ import annotations

import numpy as np
import pytest

from engine.accounts import residual_cashflow


def test_rcrc_shares_the_residual_by_signed_credited_energy():
    # CAEI 100 and 300 (paid by the parties): TRC £400. CE 30 and 10 of 40: RCRP 0.75, 0.25;
    # RCRC £300 and £100, paid to the parties (positive), summing to TRC.
    caei = np.array([[100.0], [300.0]])
    basis = np.array([[30.0], [10.0]])
    trc, rcrp, rcrc, denominator, unallocated = residual_cashflow(caei, basis)
    assert trc.tolist() == [400.0] and denominator.tolist() == [40.0]
    assert rcrp[:, 0].tolist() == [0.75, 0.25]
    assert rcrc[:, 0].tolist() == [300.0, 100.0]
    assert unallocated.tolist() == [0.0]


def test_negative_credited_energy_in_a_delivering_trading_unit_reduces_the_share():
    # v2 (confirmed): an account whose signed CE is −10 (a delivering Trading Unit importing)
    # gets a negative share: CE 50 and −10 of 40: RCRP 1.25 and −0.25; with TRC £400 the
    # second account pays £100 (RCRC −100).
    _, rcrp, rcrc, _, _ = residual_cashflow(np.array([[400.0], [0.0]]), np.array([[50.0], [-10.0]]))
    assert rcrp[:, 0].tolist() == [1.25, -0.25]
    assert rcrc[:, 0].tolist() == pytest.approx([500.0, -100.0])


@pytest.mark.parametrize("basis", [[[0.0], [0.0]], [[5.0], [-5.0]], [[4e-7], [0.0]]])
def test_without_a_denominator_no_account_takes_the_residual(basis):
    # R-ACC-RCRC-NODENOM: |Σ CE| < 1e-6 MWh: RCRP = RCRC = 0 and TRC (£−250 here, a residual
    # owed to the parties) is the period's unallocated residual, with its sign.
    trc, rcrp, rcrc, _, unallocated = residual_cashflow(
        np.array([[-100.0], [-150.0]]), np.array(basis)
    )
    assert trc.tolist() == [-250.0]
    assert rcrp[:, 0].tolist() == [0.0, 0.0] and rcrc[:, 0].tolist() == [0.0, 0.0]
    assert unallocated.tolist() == [-250.0]


def test_a_denominator_just_above_the_threshold_is_used():
    _, rcrp, _, _, unallocated = residual_cashflow(np.array([[10.0]]), np.array([[2e-6]]))
    assert rcrp[0, 0] == 1.0 and unallocated.tolist() == [0.0]


def test_unmetered_periods_stay_not_available():
    _, rcrp, _, _, unallocated = residual_cashflow(np.array([[np.nan]]), np.array([[np.nan]]))
    assert np.isnan(rcrp[0, 0]) and np.isnan(unallocated[0])
