"""R-PAR: dated parameter tables."""

from datetime import date

import pytest

from engine.parameters import (
    DateOutOfScopeError,
    parameter_status,
    parameters_for,
)


def test_parameters_in_force_today_match_the_rulebook():
    p = parameters_for(date(2024, 6, 12))
    assert (p.par, p.rpar, p.dmat, p.cadl_minutes, p.voll, p.alpha) == (1, 1, 0.1, 10, 6000, 0.45)
    assert p.information_imbalance_price == 0 and p.materiality_threshold == 3000


def test_parameters_change_on_their_effective_dates():
    assert parameters_for(date(2018, 10, 31)).par == 50
    assert parameters_for(date(2018, 11, 1)).par == 1
    assert parameters_for(date(2019, 3, 31)).dmat == 1
    assert parameters_for(date(2019, 3, 31)).cadl_minutes == 15
    assert parameters_for(date(2019, 4, 1)).dmat == 0.1
    assert parameters_for(date(2019, 4, 1)).cadl_minutes == 10


def test_status_is_reported_per_dated_value():
    # Rulebook v2: PAR 50 MWh (2015-11-05 to 2018-10-31) is confirmed, RPAR stays assumed.
    assert parameter_status("par", date(2017, 1, 1)) == "confirmed"
    assert parameter_status("par", date(2020, 1, 1)) == "confirmed"
    assert parameter_status("rpar", date(2017, 1, 1)) == "assumed"
    assert parameter_status("rpar", date(2020, 1, 1)) == "assumed"


def test_dual_price_dates_are_refused():
    with pytest.raises(DateOutOfScopeError, match="2015-11-05"):
        parameters_for(date(2015, 11, 4))
    # The status lookup refuses the same dates, rather than failing on an empty table.
    with pytest.raises(DateOutOfScopeError, match="2015-11-05"):
        parameter_status("par", date(2015, 11, 4))
    assert parameter_status("par", date(2015, 11, 5)) == "confirmed"


def test_overrides_replace_values_and_unknown_names_are_refused():
    p = parameters_for(date(2024, 6, 12)).with_overrides({"par": 50, "dmat": 0.5})
    assert p.par == 50 and p.dmat == 0.5
    with pytest.raises(KeyError, match="unknown parameter"):
        parameters_for(date(2024, 6, 12)).with_overrides({"pars": 1})
