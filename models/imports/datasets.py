"""Dataset descriptions: what each Elexon dataset holds, field by field.

One description drives reading, typing, checking and loading a dataset in every format: its
fields carry the Insights JSON name (camelCase); Insights CSV downloads use the same names in
PascalCase and older files spell them with spaces, so names are matched after `normalise`
(lower case, letters and digits only), with aliases for the few that differ. `legacy` gives
the positional field order of the legacy BMRS CSV record type, where there is one.

Adding a dataset is a description here and, if it feeds a new table, a target in `loader`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NOT_ALNUM = re.compile(r"[^a-z0-9]")


def normalise(name: str) -> str:
    """Field name for matching: 'SettlementDate', 'settlementDate', 'Settlement Date' agree."""
    return _NOT_ALNUM.sub("", str(name).lower())


PLAUSIBLE = {"MW": 1e5, "MWh": 1e6, "£/MWh": 1e6, "£": 1e10}


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a dataset: our name, its source name, type, unit and whether required.

    type: str, int, float, bool, date (a settlement date) or time (an instant, to UTC epoch
    seconds).
    """

    name: str
    source: str
    type: str
    required: bool = True
    unit: str = ""
    aliases: tuple[str, ...] = ()

    @property
    def limit(self) -> float | None:
        """Largest plausible magnitude: a GB unit's MW, a period's MWh, a £/MWh price.

        Elexon's own "not available" price markers (±9,999, ±99,999) stay well inside.
        """
        return PLAUSIBLE.get(self.unit)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(normalise(n) for n in (self.source, *self.aliases))


@dataclass(frozen=True, slots=True)
class Dataset:
    """An Elexon dataset: its fields, the fields that identify a record, where it is loaded.

    target: the kind of stored data it becomes (see `loader.TARGETS`).
    signature: source fields whose presence identifies the dataset in files whose records do
    not name their dataset.
    """

    name: str
    title: str
    target: str
    fields: tuple[Field, ...]
    key: tuple[str, ...]
    signature: tuple[str, ...] = ()
    legacy: tuple[str, ...] = ()
    legacy_type: str = ""

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


def _f(name, source, type_, required=True, unit="", aliases=()):
    return Field(name, source, type_, required, unit, tuple(aliases))


SETTLEMENT_DATE = _f("settlement_date", "settlementDate", "date")
SETTLEMENT_PERIOD = _f("settlement_period", "settlementPeriod", "int")
BM_UNIT = _f("bm_unit", "bmUnit", "str", required=False, aliases=("elexonBmUnit",))
NGC_BM_UNIT = _f("national_grid_bm_unit", "nationalGridBmUnit", "str", required=False)
SEGMENT = (
    _f("time_from", "timeFrom", "time"),
    _f("level_from", "levelFrom", "float", unit="MW"),
    _f("time_to", "timeTo", "time"),
    _f("level_to", "levelTo", "float", unit="MW"),
)
LEGACY_PHYSICAL = ("bmUnit", "settlementPeriod", "timeFrom", "levelFrom", "timeTo", "levelTo")


def _physical(name: str, title: str, legacy_type: str, aliases: tuple[str, ...] = ()) -> Dataset:
    return Dataset(
        name=name,
        title=title,
        target="physical",
        fields=(SETTLEMENT_DATE, SETTLEMENT_PERIOD, *SEGMENT, BM_UNIT, NGC_BM_UNIT),
        key=("bm_unit", "time_from"),
        legacy=LEGACY_PHYSICAL,
        legacy_type=legacy_type,
    )


PN = _physical("PN", "Physical notifications (FPN)", "PN")
QPN = _physical("QPN", "Quiescent physical notifications", "QPN")
MELS = _physical("MELS", "Maximum export limits", "MEL")
MILS = _physical("MILS", "Maximum import limits", "MIL")

BOD = Dataset(
    name="BOD",
    title="Bid-offer data",
    target="bid_offer",
    fields=(
        SETTLEMENT_DATE,
        SETTLEMENT_PERIOD,
        *SEGMENT,
        _f("pair", "pairId", "int", aliases=("bidOfferPairNumber",)),
        _f("offer", "offer", "float", unit="£/MWh", aliases=("offerPrice",)),
        _f("bid", "bid", "float", unit="£/MWh", aliases=("bidPrice",)),
        BM_UNIT,
        NGC_BM_UNIT,
    ),
    key=("bm_unit", "settlement_date", "settlement_period", "pair", "time_from"),
    signature=("pairId", "offer", "bid", "timeFrom"),
    # The 8th field is the bid price and the 9th the offer (see the data README).
    legacy=("bmUnit", "pairId", "timeFrom", "levelFrom", "timeTo", "levelTo", "bid", "offer"),
    legacy_type="BOD",
)

BOALF = Dataset(
    name="BOALF",
    title="Bid-offer acceptance levels",
    target="acceptance",
    fields=(
        _f("settlement_date", "settlementDate", "date", required=False),
        _f("settlement_period_from", "settlementPeriodFrom", "int", required=False),
        *SEGMENT,
        _f("number", "acceptanceNumber", "int"),
        _f("acceptance_time", "acceptanceTime", "time"),
        _f("deemed_flag", "deemedBoFlag", "bool", required=False),
        _f("so_flag", "soFlag", "bool", required=False),
        _f("stor_flag", "storFlag", "bool", required=False, aliases=("storProviderFlag",)),
        _f("rr_flag", "rrFlag", "bool", required=False, aliases=("rrInstructionFlag",)),
        _f("amendment_flag", "amendmentFlag", "str", required=False),
        BM_UNIT,
        NGC_BM_UNIT,
    ),
    key=("bm_unit", "number", "time_from"),
    signature=("acceptanceNumber", "acceptanceTime", "timeFrom"),
    legacy=(
        "bmUnit",
        "acceptanceNumber",
        "acceptanceTime",
        "deemedBoFlag",
        "soFlag",
        "storFlag",
        "rrFlag",
        "rrScheduleFlag",
        "timeFrom",
        "levelFrom",
        "timeTo",
        "levelTo",
    ),
    legacy_type="BOALF",
)

DISBSAD = Dataset(
    name="DISBSAD",
    title="Disaggregated balancing services adjustment data",
    target="bsad",
    fields=(
        SETTLEMENT_DATE,
        SETTLEMENT_PERIOD,
        _f("id", "id", "str"),
        _f("cost", "cost", "float", required=False, unit="£"),
        _f("volume", "volume", "float", unit="MWh"),
        _f("so_flag", "soFlag", "bool", required=False),
        _f("stor_flag", "storFlag", "bool", required=False),
        _f("party", "partyId", "str", required=False),
        _f("asset", "assetId", "str", required=False),
        _f("tendered", "isTendered", "bool", required=False),
        _f("service", "service", "str", required=False),
    ),
    key=("settlement_date", "settlement_period", "id"),
    signature=("id", "cost", "volume", "soFlag", "settlementPeriod"),
)

NETBSAD = Dataset(
    name="NETBSAD",
    title="Net balancing services adjustment data (price adjustments)",
    target="price_adjustment",
    fields=(
        SETTLEMENT_DATE,
        SETTLEMENT_PERIOD,
        _f("bpa", "buyPricePriceAdjustment", "float", unit="£/MWh"),
        _f("spa", "sellPricePriceAdjustment", "float", unit="£/MWh"),
    ),
    key=("settlement_date", "settlement_period"),
    signature=("buyPricePriceAdjustment", "sellPricePriceAdjustment"),
)

MID = Dataset(
    name="MID",
    title="Market index data",
    target="market_index",
    fields=(
        SETTLEMENT_DATE,
        SETTLEMENT_PERIOD,
        _f("provider", "dataProvider", "str"),
        _f("price", "price", "float", unit="£/MWh", aliases=("marketIndexPrice",)),
        _f("volume", "volume", "float", unit="MWh", aliases=("marketIndexVolume",)),
    ),
    key=("settlement_date", "settlement_period", "provider"),
    signature=("dataProvider", "price", "volume"),
)

LOLPDRM = Dataset(
    name="LOLPDRM",
    title="Loss of load probability and de-rated margin",
    target="lolp",
    fields=(
        SETTLEMENT_DATE,
        SETTLEMENT_PERIOD,
        _f("lolp", "lossOfLoadProbability", "float"),
        _f("derated_margin", "deratedMargin", "float", required=False, unit="MW"),
        _f("forecast_horizon", "forecastHorizon", "int", required=False, unit="h"),
    ),
    key=("settlement_date", "settlement_period", "forecast_horizon"),
    signature=("lossOfLoadProbability",),
)

DISEBSP = Dataset(
    name="DISEBSP",
    title="System prices (SSP, SBP, NIV)",
    target="system_price",
    fields=(
        SETTLEMENT_DATE,
        SETTLEMENT_PERIOD,
        _f("ssp", "systemSellPrice", "float", unit="£/MWh"),
        _f("sbp", "systemBuyPrice", "float", unit="£/MWh"),
        _f("niv", "netImbalanceVolume", "float", required=False, unit="MWh"),
        _f("price_derivation_code", "priceDerivationCode", "str", required=False),
        _f("reserve_scarcity_price", "reserveScarcityPrice", "float", required=False),
        _f("spa", "sellPriceAdjustment", "float", required=False, unit="£/MWh"),
        _f("bpa", "buyPriceAdjustment", "float", required=False, unit="£/MWh"),
        _f("replacement_price", "replacementPrice", "float", required=False),
        _f("replacement_reference_volume", "replacementPriceReferenceVolume", "float", False),
    ),
    key=("settlement_date", "settlement_period"),
    signature=("systemSellPrice", "systemBuyPrice", "priceDerivationCode"),
)

PRICE_SERIES = Dataset(
    name="PRICES",
    title="System price series (SSP, SBP, NIV per period)",
    target="system_price",
    fields=(
        _f("settlement_date", "settlementDate", "date"),
        SETTLEMENT_PERIOD,
        _f("ssp", "systemSellPrice", "float", unit="£/MWh", aliases=("System Sell Price(£/MWh)",)),
        _f("sbp", "systemBuyPrice", "float", unit="£/MWh", aliases=("System Buy Price(£/MWh)",)),
        _f(
            "niv", "netImbalanceVolume", "float", unit="MWh", aliases=("Net Imbalance Volume(MWh)",)
        ),
    ),
    key=("settlement_date", "settlement_period"),
    signature=("System Sell Price(£/MWh)", "System Buy Price(£/MWh)"),
)

STACK = Dataset(
    name="STACK",
    title="Settlement stack (buy and sell)",
    target="stack",
    fields=(
        SETTLEMENT_DATE,
        SETTLEMENT_PERIOD,
        _f("sequence", "sequenceNumber", "int"),
        _f("item_id", "id", "str"),
        _f("acceptance", "acceptanceId", "int", required=False),
        _f("pair", "bidOfferPairId", "int", required=False),
        _f("cadl_flag", "cadlFlag", "bool", required=False),
        _f("so_flag", "soFlag", "bool", required=False),
        _f("stor_flag", "storProviderFlag", "bool", required=False),
        _f("repriced", "repricedIndicator", "bool", required=False),
        _f("reserve_scarcity_price", "reserveScarcityPrice", "float", required=False),
        _f("original_price", "originalPrice", "float", required=False),
        _f("volume", "volume", "float", unit="MWh"),
        _f("dmat_adjusted_volume", "dmatAdjustedVolume", "float"),
        _f("arbitrage_adjusted_volume", "arbitrageAdjustedVolume", "float"),
        _f("niv_adjusted_volume", "nivAdjustedVolume", "float"),
        _f("par_adjusted_volume", "parAdjustedVolume", "float"),
        _f("final_price", "finalPrice", "float", required=False),
        _f("tlm", "transmissionLossMultiplier", "float"),
        _f("tlm_adjusted_volume", "tlmAdjustedVolume", "float"),
        _f("tlm_adjusted_cost", "tlmAdjustedCost", "float"),
        _f("side", "bidOffer", "str", required=False),
    ),
    key=("settlement_date", "settlement_period", "side", "sequence"),
    signature=("sequenceNumber", "dmatAdjustedVolume"),
)

REGISTER = Dataset(
    name="BMUNITS",
    title="BM unit register (Insights reference)",
    target="register",
    fields=(
        _f("bm_unit", "elexonBmUnit", "str", required=False),
        _f("national_grid_bm_unit", "nationalGridBmUnit", "str", required=False),
        _f("name", "bmUnitName", "str", required=False),
        _f("fuel_type", "fuelType", "str", required=False),
        _f("lead_party_name", "leadPartyName", "str", required=False),
        _f("lead_party_id", "leadPartyId", "str", required=False),
        _f("bmu_type", "bmUnitType", "str", required=False),
        _f("pc_flag", "productionOrConsumptionFlag", "str", required=False),
        _f("generation_capacity", "generationCapacity", "float", required=False, unit="MW"),
        _f("demand_capacity", "demandCapacity", "float", required=False, unit="MW"),
        _f("tlf", "transmissionLossFactor", "float", required=False),
        _f("gsp_group", "gspGroupId", "str", required=False),
        _f("interconnector_id", "interconnectorId", "str", required=False),
    ),
    key=("bm_unit",),
    signature=("elexonBmUnit", "leadPartyId"),
)

CRA_REGISTER = Dataset(
    name="CRA",
    title="BM unit register (legacy CRA export)",
    target="register",
    fields=(
        _f("bm_unit", "BM Unit ID", "str", required=False),
        _f("national_grid_bm_unit", "NGC BMU Name", "str", required=False),
        _f("name", "BMU Name", "str", required=False),
        _f("lead_party_name", "Party Name", "str", required=False),
        _f("lead_party_id", "Party ID", "str", required=False),
        _f("bmu_type", "BMU Type", "str", required=False),
        _f("pc_flag", "Prod/Cons Status", "str", required=False),
        _f("generation_capacity", "GC", "float", required=False, unit="MW"),
        _f("demand_capacity", "DC", "float", required=False, unit="MW"),
        _f("tlf", "TLF", "float", required=False),
        _f("gsp_group", "GSP Group Id", "str", required=False),
        _f("interconnector_id", "Interconnector Id", "str", required=False),
        _f("trading_unit", "Trading Unit Name", "str", required=False),
        _f("effective_from", "Effective From", "date", required=False),  # R-REG-DATED
    ),
    key=("bm_unit",),
    signature=("BM Unit ID", "Party ID", "Prod/Cons Status"),
)

DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        PN,
        QPN,
        MELS,
        MILS,
        BOD,
        BOALF,
        DISBSAD,
        NETBSAD,
        MID,
        LOLPDRM,
        DISEBSP,
        PRICE_SERIES,
        STACK,
        REGISTER,
        CRA_REGISTER,
    )
}
DATASETS["MEL"] = MELS  # names used by older Insights endpoints and the legacy files
DATASETS["MIL"] = MILS
DATASETS["FPN"] = PN
DATASETS["ISPSTACK"] = STACK

LEGACY_RECORD_TYPES: dict[str, Dataset] = {
    d.legacy_type: d for d in (PN, QPN, MELS, MILS, BOD, BOALF)
}


def identify(keys: set[str]) -> Dataset | None:
    """The dataset whose signature fields are all among `keys` (normalised); most specific wins.

    PN, QPN, MELS and MILS share their fields, so records of those must name their dataset.
    """
    best = None
    for dataset in dict.fromkeys(DATASETS.values()):
        signature = {normalise(s) for s in dataset.signature}
        better = best is None or len(signature) > len(best.signature)
        if signature and signature <= keys and better:
            best = dataset
    return best
