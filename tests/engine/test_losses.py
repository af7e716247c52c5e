"""R-TLM with rulebook v2's R-TLM-PRIMARY and R-TLM-ONESIDED, by hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest

from engine.losses import is_secondary_bm_unit, transmission_losses
from engine.settlement_inputs import UnitAttributes

ALPHA = 0.45


def attributes(tlf, interconnector=None, trading_unit=None) -> UnitAttributes:
    n = len(tlf)
    return UnitAttributes(
        lead_party=np.zeros(n, dtype=np.int64),
        consumption=np.zeros(n, dtype=bool),
        trading_unit=np.arange(n) if trading_unit is None else np.asarray(trading_unit),
        tlf=np.asarray(tlf, dtype=float),
        interconnector=np.zeros(n, bool) if interconnector is None else np.array(interconnector),
    )


def test_secondary_units_are_told_by_their_v_prefix():
    ids = ["T_GEN-1", "V__AFLEX001", "2__HSUP-1", "E_V__X", "C__V001", "V__B"]
    assert is_secondary_bm_unit(ids).tolist() == [False, True, False, False, False, True]
    assert is_secondary_bm_unit([]).shape == (0,)


def test_a_secondary_unit_is_left_out_of_the_losses_and_takes_its_own_offset():
    # Primary: T_G 100 MWh (TLF −0.01), 2__S −98 MWh (TLF +0.01); secondary V__V 5 MWh
    # (TLF +0.005). L = 100 × 0.99 − 98 × 1.01 = 0.02 MWh (V__V not in it).
    # TLMO+ = −0.45 × 0.02 / 100 = −0.00009; TLMO− = −0.55 × 0.02 / −98 = +0.000112244898.
    # TLM: T_G 1 − 0.01 − 0.00009 = 0.98991; 2__S 1.01 + 0.000112244898; V__V (own QM > 0,
    # TLMO+) 1.005 − 0.00009 = 1.00491. Σ_primary QM × TLM = 98.991 − 98.991 = 0.
    qm = np.array([[100.0], [-98.0], [5.0]])
    units = attributes([-0.01, 0.01, 0.005])
    secondary = is_secondary_bm_unit(["T_G-1", "2__S-1", "V__V001"])
    result = transmission_losses(qm, units, ALPHA, secondary)
    assert result.losses[0] == pytest.approx(0.02, abs=1e-12)
    assert result.delivered[0] == 100.0 and result.offtaken[0] == -98.0
    assert result.tlmo_plus[0] == pytest.approx(-0.00009, abs=1e-15)
    assert result.tlmo_minus[0] == pytest.approx(0.011 / 98, abs=1e-15)
    assert result.tlm[:, 0] == pytest.approx([0.98991, 1.01 + 0.011 / 98, 1.00491], abs=1e-12)
    assert abs(result.loss_check[0]) < 1e-9
    assert not result.one_sided[0]
    # Counted as primary (v1) the same unit would move every TLM: L = 5.02, Σ del = 105.
    v1 = transmission_losses(qm, units, ALPHA)
    assert v1.losses[0] == pytest.approx(5.045)
    assert v1.tlm[0, 0] != pytest.approx(result.tlm[0, 0])


def test_a_secondary_unit_with_negative_volume_takes_tlmo_minus():
    qm = np.array([[100.0], [-98.0], [-3.0]])
    secondary = np.array([False, False, True])
    result = transmission_losses(qm, attributes([-0.01, 0.01, 0.0]), ALPHA, secondary)
    assert result.tlm[2, 0] == pytest.approx(1.0 + 0.011 / 98, abs=1e-12)
    assert not result.delivering[2, 0]


def test_loss_offsets_have_the_rulebook_signs():
    # Generation exceeds demand (L > 0): delivering units are scaled down (TLMO+ < 0) and
    # offtaking units up (TLMO− > 0, an offtaking QM being negative), so both sides bear
    # losses: QM × TLM falls for generators and grows in magnitude for demand.
    qm = np.array([[100.0], [-98.0]])
    result = transmission_losses(qm, attributes([0.0, 0.0]), ALPHA)
    assert result.losses[0] == pytest.approx(2.0)
    assert result.tlmo_plus[0] < 0 < result.tlmo_minus[0]
    assert result.tlmo_plus[0] == pytest.approx(-0.45 * 2 / 100)
    assert result.tlmo_minus[0] == pytest.approx(0.55 * 2 / 98)
    # Demand exceeds generation (L < 0): the signs turn round.
    flipped = transmission_losses(np.array([[98.0], [-100.0]]), attributes([0.0, 0.0]), ALPHA)
    assert flipped.tlmo_plus[0] > 0 > flipped.tlmo_minus[0]


@pytest.mark.parametrize(
    ("qm", "side"),
    [
        ([[100.0], [0.0]], "offtaking"),  # no offtaking volume
        ([[0.0], [-98.0]], "delivering"),  # no delivering volume
        ([[0.0], [0.0]], "both"),  # all metering zero
    ],
)
def test_a_one_sided_period_has_no_offsets(qm, side):
    # R-TLM-ONESIDED: TLMO+ = TLMO− = 0, TLM = 1 + TLF: 0.99 and 1.01 (never ≈ 0).
    result = transmission_losses(np.array(qm), attributes([-0.01, 0.01]), ALPHA)
    assert result.one_sided[0]
    assert result.tlmo_plus[0] == 0.0 and result.tlmo_minus[0] == 0.0
    assert result.tlm[:, 0].tolist() == pytest.approx([0.99, 1.01])


def test_one_sided_counts_primary_non_interconnector_volume_only():
    # The offtaking side here is an interconnector (TLM 1) and a secondary unit: neither is
    # primary non-IC volume, so the period is one-sided and T_G keeps 1 + TLF.
    qm = np.array([[100.0], [-60.0], [-38.0]])
    units = attributes([-0.01, 0.0, 0.0], interconnector=[False, True, False])
    result = transmission_losses(qm, units, ALPHA, np.array([False, False, True]))
    assert result.one_sided[0]
    assert result.tlm[:, 0].tolist() == pytest.approx([0.99, 1.0, 1.0])


def test_periods_are_independent():
    # Period 1 two-sided, period 2 one-sided: only period 2 loses its offsets.
    qm = np.array([[100.0, 50.0], [-98.0, 0.0]])
    result = transmission_losses(qm, attributes([0.0, 0.0]), ALPHA)
    assert result.one_sided.tolist() == [False, True]
    assert result.tlmo_plus[0] != 0 and result.tlmo_plus[1] == 0
    assert abs(result.loss_check[0]) < 1e-9
