"""Energy accounts (rulebook §9, R-ACC: each party has a Production and a Consumption account)
as the engine numbers and names them, on the worked example's two parties."""

from __future__ import annotations

import numpy as np

from engine.settlement_inputs import CONSUMPTION, PRODUCTION, UnitAttributes, account_index
from models.casefiles.case_file import load_case
from models.runs.inputs import case_settlement_inputs
from tests.paths import CASES


def test_account_numbers_are_two_per_party_production_first():
    got = account_index(np.array([0, 0, 1, 3]), np.array([False, True, False, True]))
    assert got.tolist() == [0, 1, 2, 7]
    assert (PRODUCTION, CONSUMPTION) == (0, 1)


def test_a_units_lead_account_follows_its_production_consumption_status():
    units = UnitAttributes(
        lead_party=np.array([1, 0]),
        consumption=np.array([True, False]),  # a supplier (C) of party 1, a generator (P) of 0
        trading_unit=np.array([0, 1]),
        tlf=np.array([0.0, -0.01]),
        interconnector=np.array([False, False]),
    )
    assert units.lead_account.tolist() == [3, 0]


def test_worked_example_has_four_accounts_named_by_party_and_status():
    inputs = case_settlement_inputs(load_case(CASES / "worked_example.json"))
    assert inputs.parties == ("GEN", "SUP")
    assert inputs.accounts == 4
    assert [inputs.account_name(a) for a in range(4)] == ["GEN P", "GEN C", "SUP P", "SUP C"]
    # 2__XSUP-1 (SUP, consumption) settles in SUP C; T_GEN-1 (GEN, production) in GEN P.
    assert inputs.units.lead_account.tolist() == [3, 0]
