"""Dataset descriptions: field names match however a source spells them, a record is
identified by the most specific signature among its fields, and PN-like datasets (whose
fields are alike) are never guessed; each name an Elexon source uses finds its description."""

from __future__ import annotations

import pytest

from models.imports.datasets import DATASETS, LEGACY_RECORD_TYPES, identify, normalise


def keys(*names: str) -> set[str]:
    return {normalise(n) for n in names}


def test_field_names_match_in_any_case_and_spacing():
    assert normalise("SettlementDate") == normalise("settlementDate") == "settlementdate"
    assert normalise("Settlement Date") == "settlementdate"
    assert normalise("System Sell Price(£/MWh)") == "systemsellpricemwh"


@pytest.mark.parametrize(
    ("fields", "dataset"),
    [
        (("settlementDate", "settlementPeriod", "pairId", "offer", "bid", "timeFrom", "timeTo"),
         "BOD"),
        (("acceptanceNumber", "acceptanceTime", "timeFrom", "levelFrom", "bmUnit"), "BOALF"),
        (("id", "cost", "volume", "soFlag", "settlementPeriod", "storFlag"), "DISBSAD"),
        (("dataProvider", "price", "volume", "settlementPeriod"), "MID"),
        (("systemSellPrice", "systemBuyPrice", "priceDerivationCode", "netImbalanceVolume"),
         "DISEBSP"),
        (("Settlement Date", "System Sell Price(£/MWh)", "System Buy Price(£/MWh)"), "PRICES"),
        (("sequenceNumber", "dmatAdjustedVolume", "settlementPeriod"), "STACK"),
        (("elexonBmUnit", "leadPartyId", "fuelType"), "BMUNITS"),
        (("BM Unit ID", "Party ID", "Prod/Cons Status"), "CRA"),
    ],
)  # fmt: skip
def test_a_record_is_identified_by_its_signature(fields, dataset):
    assert identify(keys(*fields)).name == dataset


def test_the_most_specific_signature_wins_and_pn_like_records_are_not_guessed():
    # MID's three fields are also in a DISBSAD record with a data provider: DISBSAD's five win.
    both = keys("id", "cost", "volume", "soFlag", "settlementPeriod", "dataProvider", "price")
    assert identify(both).name == "DISBSAD"
    pn_like = keys("settlementDate", "settlementPeriod", "timeFrom", "levelFrom", "bmUnit")
    assert identify(pn_like) is None  # PN, QPN, MELS or MILS: the record must say which


def test_every_source_name_finds_its_description():
    assert DATASETS["FPN"] is DATASETS["PN"] and DATASETS["ISPSTACK"] is DATASETS["STACK"]
    assert DATASETS["MEL"] is DATASETS["MELS"] and DATASETS["MIL"] is DATASETS["MILS"]
    assert list(LEGACY_RECORD_TYPES) == ["PN", "QPN", "MEL", "MIL", "BOD", "BOALF"]
    assert LEGACY_RECORD_TYPES["MEL"].name == "MELS"
