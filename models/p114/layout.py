"""The S0142 layout as data: record tree, cardinalities and fields (S0142_LAYOUT.md §1–§2).

Each record type names its possible parents (the record types it may sit under), its rank
among its parent's children (child types come grouped in that order; `None` where the order
is not known), its cardinality under one parent, and its fields with IDD item id, type and
M/O. Flow versions 013 and 014 differ only in fields added at the end of a record (`since`).
Where the layout reference marks a row *inferred*, the spec says so (`inferred`), and a reader
refusing a file because of it says that the refused rule is inferred.

Records whose parent the sources do not determine (MEL, MIL, RUE/RUI/RDE/RDI, BO3, BO4) may
sit under `BPI` or `BP7`; the reader records which one they follow, and does not rank them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from models.p114.idd_types import IddType, idd_type

ROOT = "ROOT"  # the file itself: the parent of SRH, SPI and BPH
VERSIONS = ("013", "014")
RUN_TYPES = "II,SF,R1,R2,R3,RF,DF"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    position: int
    key: str  # column name in the reader's tables
    item: str  # IDD item id, "" where not known
    name: str
    kind: IddType
    mandatory: bool
    inferred: bool = False
    since: str = "013"

    @property
    def label(self) -> str:
        item = f"{self.item} " if self.item else ""
        return f"position {self.position} ({item}{self.name}, {self.kind.label})"


@dataclass(frozen=True, slots=True)
class RecordSpec:
    code: str
    name: str
    parents: tuple[str, ...]
    rank: int | None  # order among the children of a parent; None: not ranked
    minimum: int
    maximum: int | None  # None: unbounded
    fields: tuple[FieldSpec, ...]
    inferred: bool = False  # its place in the tree is inferred (S0142_LAYOUT.md §1)
    children: tuple[str, ...] = field(default=())

    def fields_of(self, version: str) -> tuple[FieldSpec, ...]:
        return tuple(f for f in self.fields if f.since <= version)


def _fields(rows: list[tuple], inferred: bool = False) -> tuple[FieldSpec, ...]:
    """Rows (key, item, name, type, M/O[, since]); positions follow the row order."""
    out = []
    for position, row in enumerate(rows, start=1):
        key, item, name, spec, mo = row[:5]
        since = row[5] if len(row) > 5 else "013"
        out.append(
            FieldSpec(
                position,
                key,
                item,
                name,
                idd_type(spec),
                mo == "M",
                inferred or mo.endswith("?") or (since != "013" and key in _INFERRED_V014),
                since,
            )
        )
    return tuple(out)


_INFERRED_V014 = {"period_direct_compensation_cashflow", "total_system_direct_compensation"}


def _raw(position: int, note: str = "") -> tuple:
    return (f"field_{position}", "", note or "unknown", "raw", "O")


D2, D3, D5 = "decimal(10,2)", "decimal(10,3)", "decimal(10,5)"
P87 = "decimal(8,7)"

SRH_FIELDS = [
    ("settlement_date", "N0200", "Settlement Date", "date", "M"),
    ("run_type", "N0202", "Settlement Run Type", f"text(2):{RUN_TYPES}", "M"),
    ("saa_run_number", "N0304", "SAA Run Number", "integer(2)", "M"),
    ("saa_cdca_run_number", "N0385", "SAA CDCA Run Number", "integer(2)", "M"),
    ("svaa_cdca_settlement_date", "N0383", "SVAA CDCA Settlement Date", "date", "M"),
    ("svaa_cdca_run_number", "N0384", "SVAA CDCA Run Number", "integer(2)", "M"),
    ("svaa_ssr_run_number", "N0211", "SVAA SSR Run Number", "integer(7)", "M"),
    ("bsc_party_id", "N0045", "BSC Party Id", "text(8)", "M"),
]

SPI_FIELDS = [
    ("settlement_period", "N0201", "Settlement Period", "integer(2)", "M"),
    ("sbp", "N0212", "System Buy Price", D5, "M?"),
    ("ssp", "N0215", "System Sell Price", D5, "M?"),
    ("price_derivation_code", "N0439", "Price Derivation Code", "text(2)", "M?"),
    _raw(5, "large negative system volume"),
    _raw(6, "large positive system volume"),
    ("tpabsv", "N0438", "Total Period Applicable Balancing Services Volume", D3, "M?"),
    _raw(8),
    _raw(9),
    _raw(10),
    ("total_niv_tagged_volume", "N0431", "Total NIV Tagged Volume", D3, "M?"),
    *[_raw(p) for p in range(12, 23)],
    ("total_accepted_bid_volume", "N0216", "System Total Accepted Bid Volume", D3, "M?"),
    ("total_accepted_offer_volume", "N0217", "Total System Accepted Offer Volume", D3, "M?"),
    *[
        (key, item, name, D3, "O?")
        for key, item, name in [
            ("tagged_bid_volume", "N0517", "Total System Tagged Accepted Bid Volume"),
            ("tagged_offer_volume", "N0518", "Total System Tagged Accepted Offer Volume"),
            ("repriced_bid_volume", "N0519", "Total System Repriced Accepted Bid Volume"),
            ("repriced_offer_volume", "N0520", "Total System Repriced Accepted Offer Volume"),
            ("original_bid_volume", "N0521", "Total System Originally-priced Accepted Bid Volume"),
            (
                "original_offer_volume",
                "N0522",
                "Total System Originally-priced Accepted Offer Volume",
            ),
            ("adjustment_sell_volume", "N0523", "Total System Adjustment Sell Volume"),
            ("adjustment_buy_volume", "N0524", "Total System Adjustment Buy Volume"),
            ("tagged_adjustment_sell", "N0525", "Total System Tagged Adjustment Sell Volume"),
            ("tagged_adjustment_buy", "N0526", "Total System Tagged Adjustment Buy Volume"),
            ("repriced_adjustment_sell", "N0527", "Total System Repriced Adjustment Sell Volume"),
            ("repriced_adjustment_buy", "N0528", "Total System Repriced Adjustment Buy Volume"),
            (
                "original_adjustment_sell",
                "N0529",
                "Total System Originally-priced Adjustment Sell Volume",
            ),
            (
                "original_adjustment_buy",
                "N0530",
                "Total System Originally-priced Adjustment Buy Volume",
            ),
        ]
    ],
    ("replacement_price", "N0531", "Replacement Price", D2, "O?"),
    ("replacement_price_volume", "N0532", "Replacement Price Calculation Volume", D3, "O?"),
    ("stor_window", "N0558", "Stor Availability Window Flag", "boolean", "O?"),
    ("lolp", "N0559", "Loss Of Load Probability", "decimal(10,9)", "O?"),
    ("derated_margin", "N0560", "De-rated Margin", "decimal(15,7)", "O?"),
    ("voll", "N0561", "Value Of Lost Load", D2, "O?"),
    ("reserve_scarcity_price", "N0562", "Reserve Scarcity Price", D5, "O?"),
    ("gbp_eur_rate", "N0596", "GBP-EUR Exchange Rate", "decimal(12,6)", "O?"),
    ("bedp", "N0597", "Balancing Energy Deviation Price", D5, "O?"),
    ("total_rr_cashflow", "N0595", "Total System RR Cashflow", D2, "O?"),
    (
        "rr_unpriced_buy_volume",
        "N0598",
        "RR Aggregated Unpriced System Buy Action Volume",
        D3,
        "O?",
    ),
    (
        "rr_unpriced_sell_volume",
        "N0599",
        "RR Aggregated Unpriced System Sell Action Volume",
        D3,
        "O?",
    ),
    ("rr_accepted_offer_volume", "N0600", "Period RR Accepted Offer Volume", D3, "O?"),
    ("rr_accepted_bid_volume", "N0601", "Period RR Accepted Bid Volume", D3, "O?"),
    ("supplier_sourcing_cost", "N0659", "Supplier Sourcing Cost", D2, "O"),
]

MARKET_INDEX_FIELDS = [
    ("provider", "N0423", "Market Index Data Provider ID", "text(8)", "M"),
    ("liquidity_threshold", "N0412", "Individual Liquidity Threshold", D3, "M"),
    ("price", "N0413", "Market Index Price", D2, "O"),
    ("volume", "N0414", "Market Index Volume", D3, "O"),
]

BSAD_FIELDS = [
    ("bsaa_id", "N0533", "BSAA Id", "integer(4)", "M"),
    ("cost", "N0534", "BSAA Cost", D2, "O"),
    ("volume", "N0535", "BSAA Volume", D3, "M"),
    ("tagged_volume", "N0536", "Tagged BSAA Volume", D3, "M"),
    ("repriced_volume", "N0537", "Repriced BSAA Volume", D3, "M"),
    ("original_volume", "N0538", "Originally-Priced BSAA Volume", D3, "M"),
    ("so_flag", "N0539", "BSAA SO-Flag", "boolean", "M"),
    ("stor_flag", "N0563", "BSAA Stor Provider Flag", "boolean", "O"),
    ("rsp_flag", "N0566", "Reserve Scarcity Price Flag", "boolean", "O"),
    ("party", "N0640", "BSAD Party Id", "text(200)", "O"),
    ("asset", "N0641", "BSAD Asset Id", "text(200)", "O"),
    ("tendered_status", "N0642", "Tendered Status", "text(20)", "O"),
    ("service_type", "N0643", "Service Type", "text(20)", "O"),
]

TRA_FIELDS = [
    ("trading_unit", "N0232", "Trading Unit Name", "text(30)", "M?"),
    ("trading_unit_volume", "N0231", "Total Trading Unit Metered Volume", D3, "M?"),
]

BPI_FIELDS = [
    ("bm_unit_id", "N0034", "BM Unit Id", "text(11)", "M?"),
    _raw(2, "trading-unit-like text"),
    ("period_fpn", "N0174", "Period FPN", D3, "M?"),
    ("qm", "N0035", "BM Unit Metered Volume", D3, "M?"),
    ("tlm", "", "a Transmission Loss Multiplier", P87, "M?"),
    ("absvd", "N0421", "BM Unit Applicable Balancing Services Volume", D3, "M?"),
]

LIMIT_FIELDS = [
    ("time_from", "", "Time From (minutes)", "integer(2)", "M?"),
    ("value_from", "", "Limit Value From (MW)", D3, "M?"),
    ("time_to", "", "Time To (minutes)", "integer(2)", "M?"),
    ("value_to", "", "Limit Value To (MW)", D3, "M?"),
]


def _rate_fields(up: bool) -> list[tuple]:
    word, rate, elbow = ("Up", 275, 273) if up else ("Down", 280, 278)
    return [
        ("rate_1", f"N0{rate}", f"Run {word} Rate 1", "number(4,1)", "M"),
        ("elbow_2", f"N0{elbow}", f"Run {word} Elbow 2", "number(4)", "O"),
        ("rate_2", f"N0{rate + 1}", f"Run {word} Rate 2", "number(4,1)", "O"),
        ("elbow_3", f"N0{elbow + 1}", f"Run {word} Elbow 3", "number(4)", "O"),
        ("rate_3", f"N0{rate + 2}", f"Run {word} Rate 3", "number(4,1)", "O"),
    ]


BO4_FIELDS = [
    ("pair", "N0025", "Bid-Offer Pair Number", "integer(2)", "M"),
    ("bid_price", "N0030", "Bid Price", D5, "M"),
    ("offer_price", "N0153", "Offer Price", D5, "M"),
    ("qab", "N0169", "Period BM Unit Total Accepted Bid Volume", D3, "M"),
    ("qao", "N0170", "Period BM Unit Total Accepted Offer Volume", D3, "M"),
    ("priced_bid_volume", "N0388", "Period BM Unit Total Priced Accepted Bid Volume", D3, "O"),
    ("priced_offer_volume", "N0389", "Period BM Unit Total Priced Accepted Offer Volume", D3, "O"),
    ("tagged_bid_volume", "N0540", "Period BM Unit Tagged Bid Volume", D3, "O"),
    ("tagged_offer_volume", "N0541", "Period BM Unit Tagged Offer Volume", D3, "O"),
    ("repriced_bid_volume", "N0542", "Period BM Unit Repriced Bid Volume", D3, "O"),
    ("repriced_offer_volume", "N0543", "Period BM Unit Repriced Offer Volume", D3, "O"),
    ("original_bid_volume", "N0544", "Period BM Unit Originally-Priced Bid Volume", D3, "O"),
    ("original_offer_volume", "N0545", "Period BM Unit Originally-Priced Offer Volume", D3, "O"),
    ("cb", "N0165", "Period BM Unit Bid Cashflow", D2, "M"),
    ("co", "N0168", "Period BM Unit Offer Cashflow", D2, "M"),
]

BO3_FIELDS = [
    ("acceptance_number", "N0342", "B-O Acceptance Number", "integer(10)", "O"),
    ("acceptance_time", "N0242", "Acceptance Time", "datetime", "M"),
    ("cadl_flag", "N0390", "CADL Flag", "boolean", "M"),
    ("so_flag", "N0546", "Acceptance SO-Flag", "boolean", "O"),
    ("stor_flag", "N0564", "Acceptance Stor Provider Flag", "boolean", "O"),
    ("rsp_flag", "N0566", "Reserve Scarcity Price Flag", "boolean", "O"),
    ("rr_instruction_flag", "N0607", "Replacement Reserve Instruction Flag", "boolean", "O"),
    ("rr_schedule_flag", "N0608", "Replacement Reserve Schedule Flag", "boolean", "O"),
]

BO6_FIELDS = [
    ("time_from", "N0337", "Acceptance From Time", "integer(3)", "M?"),
    ("volume_from", "N0026", "BOA Volume Value From", D3, "O?"),
    ("time_to", "N0338", "Acceptance To Time", "integer(3)", "M?"),
    ("volume_to", "N0027", "BOA Volume Value To", D3, "O?"),
]

BO7_FIELDS = [
    ("pair", "N0025", "Bid-Offer Pair Number", "integer(2)", "M?"),
    ("bid_volume", "N0547", "Bid-Offer Pair Acceptance Bid Volume", D3, "O?"),
    ("offer_volume", "N0548", "Bid-Offer Pair Acceptance Offer Volume", D3, "O?"),
]

BPH_FIELDS = [(k, i, n, t, "M?") for k, i, n, t, _ in SRH_FIELDS[:7]] + [SRH_FIELDS[7]]

CASHFLOWS = [
    ("bssc_cost", "N0048", "BSSC Limited Cost Allocation", D2, "M"),
    ("cbm", "N0031", "BM Unit Cashflow", D2, "M"),
    ("caei", "N0086", "Energy Imbalance Cashflow", D2, "M"),
    ("information_imbalance", "N0122", "Information Imbalance Cashflow", D2, "M"),
    ("cnd", "N0151", "Non-Delivery Charge", D2, "M"),
    ("rcrc", "N0194", "Residual Cashflow Reallocation Charge", D2, "M"),
]

APC_FIELDS = [
    *CASHFLOWS,
    ("so_cashflow", "N0592", "Daily System Operator Cashflow", D2, "M"),
    ("rr_cashflow", "N0593", "RR Cashflow", D2, "O"),
    ("rr_deviation_cashflow", "N0594", "RR Instructed Deviation Cashflow", D2, "O"),
    ("total_rr_cashflow", "N0595", "Total System RR Cashflow", D2, "O"),
    ("vlp_compensation", "N0653", "Daily Virtual Lead Party Compensation Cashflow", D2, "O"),
    ("supplier_compensation", "N0654", "Daily Supplier Compensation Cashflow", D2, "O"),
    ("direct_compensation", "N0674", "Daily Direct Compensation Cashflow", D2, "O", "014"),
]

PPC_FIELDS = [
    *CASHFLOWS,
    ("rr_cashflow", "N0593", "RR Cashflow", D2, "O"),
    ("rr_deviation_cashflow", "N0594", "RR Instructed Deviation Cashflow", D2, "O"),
    ("vlp_compensation", "N0655", "Period Virtual Lead Party Compensation Cashflow", D2, "O"),
    ("supplier_compensation", "N0656", "Period Supplier Compensation Cashflow", D2, "O"),
    (
        "period_direct_compensation_cashflow",
        "N0677",
        "Period Party Direct Compensation Cashflow",
        D2,
        "O",
        "014",
    ),
]


def _ssd_fields() -> list[tuple]:
    m, o = "M", "O"
    rows = [
        ("bssc_costs", "N0172", "Period BSSC Limited Costs", D2, m),
        ("csobm", "N0591", "System Operator Cashflow", D2, m),
        ("information_imbalance_price_1", "N0124", "Information Imbalance Price 1", D5, m),
        ("information_imbalance_price_2", "N0125", "Information Imbalance Price 2", D5, m),
        ("sbp", "N0212", "System Buy Price", D5, m),
        ("ssp", "N0215", "System Sell Price", D5, m),
        ("price_derivation_code", "N0439", "Price Derivation Code", "text(2)", m),
        ("total_cbm", "N0333", "Total System BM Cashflow", D2, m),
        ("total_caei", "N0225", "Total System Energy Imbalance Cashflow", D2, m),
        ("total_cnd", "N0228", "Total System Non-Delivery Charge", D2, m),
        ("total_accepted_bid_volume", "N0216", "System Total Accepted Bid Volume", D3, m),
        ("unpriced_bid_volume", "N0386", "System Total Unpriced Accepted Bid Volume", D3, o),
        ("priced_bid_volume", "N0393", "System Total Priced Accepted Bid Volume", D3, m),
        ("total_ecv", "N0224", "Total System Energy Contract Volume", D3, m),
        ("niv_unpriced_bid", "N0428", "NIV Tagged System Total Unpriced Bid Volume", D3, o),
        ("total_accepted_offer_volume", "N0217", "Total System Accepted Offer Volume", D3, m),
        ("niv_unpriced_offer", "N0429", "NIV Tagged System Total Unpriced Offer Volume", D3, o),
        ("niv", "N0430", "Net Imbalance Volume", D3, m),
        ("total_niv_tagged_volume", "N0431", "Total NIV Tagged Volume", D3, m),
        ("niv_tagged_sbva", "N0432", "NIV Tagged SBVA", D3, o),
        ("niv_tagged_ssva", "N0433", "NIV Tagged SSVA", D3, o),
        ("unpriced_offer_volume", "N0387", "System Total Unpriced Accepted Offer Volume", D3, o),
        ("priced_offer_volume", "N0394", "System Total Priced Accepted Offer Volume", D3, m),
        ("total_qaei", "N0226", "Total System Energy Imbalance Volume", D3, m),
        ("rcrc_denominator", "N0395", "Residual Cashflow Reallocation Denominator", D3, m),
        ("total_residual_cashflow", "N0230", "Total System Residual Cashflow", D2, m),
        (
            "total_information_imbalance",
            "N0227",
            "Total System Information Imbalance Charge",
            D2,
            m,
        ),
        ("nespca", "N0305", "Net Energy Sell-Price Cost Adjustment", D2, o),
        ("nebpca", "N0306", "Net Energy Buy-Price Cost Adjustment", D2, o),
        ("nespva", "N0307", "Net Energy Sell-Price Volume Adjustment", D3, o),
        ("nebpva", "N0308", "Net Energy Buy-Price Volume Adjustment", D3, o),
        ("nsspva", "N0416", "Net System Sell-Price Volume Adjustment", D3, o),
        ("nsbpva", "N0415", "Net System Buy-Price Volume Adjustment", D3, o),
        ("spa", "N0371", "Sell-Price Price Adjust", D2, m),
        ("bpa", "N0372", "Buy-Price Price Adjust", D2, m),
        ("tpabsv", "N0438", "Total Period Applicable Balancing Services Volume", D3, m),
        ("so_production_imbalance", "N0335", "System Operator Production Imbalance", D3, m),
        ("so_consumption_imbalance", "N0336", "System Operator Consumption Imbalance", D3, m),
        ("niv_tagged_ebva", "N0501", "NIV Tagged Energy Buy Volume Adjustment", D3, o),
        ("niv_tagged_esva", "N0502", "NIV Tagged Energy Sell Volume Adjustment", D3, o),
        ("par_tagged_ebva", "N0503", "PAR Tagged Energy Buy Volume Adjustment", D3, o),
        ("par_tagged_esva", "N0504", "PAR Tagged Energy Sell Volume Adjustment", D3, o),
        ("untagged_ebca", "N0434", "Untagged EBCA", D2, o),
        ("untagged_ebva", "N0435", "Untagged EBVA", D3, o),
        ("untagged_esca", "N0436", "Untagged ESCA", D2, o),
        ("untagged_esva", "N0437", "Untagged ESVA", D3, o),
    ]
    rows += [(k, i, n, D3, o) for k, i, n, _, _ in _SYSTEM_SPLITS]
    rows += [
        ("replacement_price", "N0531", "Replacement Price", D2, o),
        ("replacement_price_volume", "N0532", "Replacement Price Calculation Volume", D3, o),
        ("stor_window", "N0558", "Stor Availability Window Flag", "boolean", o),
        ("lolp", "N0559", "Loss Of Load Probability", "decimal(10,9)", o),
        ("derated_margin", "N0560", "De-rated Margin", "decimal(15,7)", o),
        ("voll", "N0561", "Value Of Lost Load", D2, o),
        ("reserve_scarcity_price", "N0562", "Reserve Scarcity Price", D5, o),
        ("gbp_eur_rate", "N0596", "GBP-EUR Exchange Rate", "decimal(12,6)", o),
        ("bedp", "N0597", "Balancing Energy Deviation Price", D5, o),
        ("total_rr_cashflow", "N0595", "Total System RR Cashflow", D2, o),
        (
            "rr_unpriced_buy_volume",
            "N0598",
            "RR Aggregated Unpriced System Buy Action Volume",
            D3,
            o,
        ),
        (
            "rr_unpriced_sell_volume",
            "N0599",
            "RR Aggregated Unpriced System Sell Action Volume",
            D3,
            o,
        ),
        ("rr_accepted_offer_volume", "N0600", "Period RR Accepted Offer Volume", D3, o),
        ("rr_accepted_bid_volume", "N0601", "Period RR Accepted Bid Volume", D3, o),
        ("compensation_volume", "N0657", "System Period Compensation Volume", D3, o),
        ("supplier_compensation_denominator", "N0658", "Supplier Compensation Denominator", D3, o),
        ("supplier_sourcing_cost", "N0659", "Supplier Sourcing Cost", D2, o),
        (
            "total_vlp_compensation",
            "N0660",
            "Total System Virtual Lead Party Compensation Cashflow",
            D2,
            o,
        ),
        (
            "total_supplier_compensation",
            "N0661",
            "Total System Supplier Compensation Cashflow",
            D2,
            o,
        ),
        (
            "total_system_direct_compensation",
            "N0678",
            "Total System Direct Compensation Cashflow",
            D2,
            o,
            "014",
        ),
    ]
    return rows


_SYSTEM_SPLITS = [row for row in SPI_FIELDS[24:38]]

APD_FIELDS = [
    ("account", "N0177", "Production/Consumption Flag", "char:P,C", "M"),
    ("bssc_cost", "N0048", "BSSC Limited Cost Allocation", D2, "M"),
    ("caei", "N0087", "Energy Imbalance Charge", D2, "M"),
    ("information_imbalance", "N0123", "Information Imbalance Charge", D2, "M"),
    ("rcrc", "N0194", "Residual Cashflow Reallocation Charge", D2, "M"),
    ("qabc", "N0001", "Account Bilateral Contract Volume", D3, "M"),
    ("qabs", "N0004", "Account Period Balancing Services Volume", D3, "M"),
    ("qaei", "N0003", "Account Energy Imbalance Volume", D3, "M"),
    ("qace", "N0002", "Account Credited Energy Volume", D3, "M"),
    ("rcrp", "N0195", "Residual Cashflow Reallocation Proportion", P87, "M"),
    ("supplier_compensation_proportion", "N0662", "Supplier Compensation Proportion", P87, "M?"),
    ("supplier_compensation_volume", "N0663", "Supplier Compensation Volume", D3, "M?"),
    ("vlp_compensation", "N0655", "Period Virtual Lead Party Compensation Cashflow", D2, "M?"),
    ("deviation_volume", "N0664", "Account Period Deviation Volume", D3, "M?"),
]

APB_FIELDS = [
    ("bm_unit_id", "N0034", "BM Unit Id", "text(11)", "M"),
    ("qce", "N0061", "Credited Energy Volume", D3, "M"),
    ("fixed_reallocation", "N0109", "Fixed Metered Volume Reallocation", D3, "M"),
    (
        "percentage_reallocation",
        "N0163",
        "Percentage Metered Volume Reallocation",
        "decimal(8,5)",
        "M",
    ),
]

BP7_FIELDS = [
    ("bm_unit_id", "N0034", "BM Unit Id", "text(11)", "M"),
    ("information_imbalance", "N0122", "Information Imbalance Cashflow", D2, "M"),
    ("cnd", "N0037", "BM Unit Period Non-Delivery Charge", D2, "M"),
    ("period_fpn", "N0174", "Period FPN", D3, "M"),
    ("qbs", "N0164", "Period BM Unit Balancing Services Volume", D3, "M"),
    ("qii", "N0175", "Period Information Imbalance Volume", D3, "M"),
    ("qme", "N0173", "Period Expected Metered Volume", D3, "M"),
    ("qm", "N0035", "BM Unit Metered Volume", D3, "M"),
    ("qndb", "N0166", "Period BM Unit Non-Delivered Bid Volume", D3, "M"),
    ("qndo", "N0167", "Period BM Unit Non-Delivered Offer Volume", D3, "M"),
    ("tlf", "N0233", "Transmission Loss Factor", P87, "M"),
    ("tlm", "N0234", "Transmission Loss Multiplier", P87, "M"),
    ("trading_unit", "N0232", "Trading Unit Name", "text(30)", "M"),
    ("trading_unit_volume", "N0231", "Total Trading Unit Metered Volume", D3, "M"),
    ("absvd", "N0421", "BM Unit Applicable Balancing Services Volume", D3, "M"),
    ("supplier_delivered_volume", "N0606", "Period Supplier BM Unit Delivered Volume", D3, "O"),
    ("supplier_non_bm_absvd", "N0636", "Period Supplier BM Unit Non BM ABSVD Volume", D3, "M"),
    ("settlement_expected_volume", "N0645", "Period BM Unit Settlement Expected Volume", D3, "O?"),
    ("secondary_deviation_volume", "N0665", "Secondary BM Unit Deviation Volume", D3, "O?"),
    ("wholesale_proportion", "N0666", "Wholesale Market Proportion of Delivered Volume", P87, "O?"),
    (
        "wholesale_proportion_flag",
        "N0667",
        "Wholesale Market Proportion of Delivered Volume Flag",
        "boolean",
        "O?",
    ),
    (
        "supplier_compensation_volume",
        "N0668",
        "Period BM Unit Supplier Compensation Volume",
        D3,
        "O",
    ),
    (
        "secondary_compensation_volume",
        "N0669",
        "Period Secondary BM Unit Compensation Volume",
        D3,
        "O",
    ),
    ("final_demand", "N0670", "Final Demand", D3, "O?"),
    ("supplier_compensation_cashflow", "N0656", "Period Supplier Compensation Cashflow", D2, "O"),
    (
        "secondary_direct_compensation_volume",
        "N0675",
        "Period Secondary BM Unit Direct Compensation Volume",
        D3,
        "O",
        "014",
    ),
    # transcribed as (10,3) although a cashflow: kept as transcribed (S0142_LAYOUT.md §2.19)
    (
        "direct_compensation_cashflow",
        "N0676",
        "Period Direct Compensation Cashflow",
        D3,
        "O",
        "014",
    ),
]

MVR_FIELDS = [
    ("party", "N0045", "BSC Party Id", "text(8)", "M"),
    ("account", "N0177", "Production/Consumption Flag", "char:P,C", "M"),
    ("qce", "N0061", "Credited Energy Volume", D3, "M"),
    ("fixed_reallocation", "N0109", "Fixed Metered Volume Reallocation", D3, "M"),
    (
        "percentage_reallocation",
        "N0163",
        "Percentage Metered Volume Reallocation",
        "decimal(8,5)",
        "M",
    ),
]

UNIT_PARENTS = ("BPI", "BP7")  # parents the sources leave open (S0142_LAYOUT.md §1)

_RECORDS = [
    # code, name, parents, rank, min, max, fields, inferred place
    ("SRH", "Settlement Report Header", (ROOT,), 0, 1, 1, _fields(SRH_FIELDS), False),
    ("SPI", "System Period Information", (ROOT,), 1, 46, 50, _fields(SPI_FIELDS), False),
    ("MD1", "Market Index Data (system)", ("SPI",), 0, 0, None, _fields(MARKET_INDEX_FIELDS), True),
    ("DB1", "BSAD (system)", ("SPI",), 1, 0, None, _fields(BSAD_FIELDS), True),
    ("TRA", "Trading Unit data", ("SPI",), 2, 0, None, _fields(TRA_FIELDS), True),
    ("BPI", "BM Unit period information", ("SPI",), 3, 0, None, _fields(BPI_FIELDS), True),
    ("MEL", "Maximum Export Limit", UNIT_PARENTS, None, 0, None, _fields(LIMIT_FIELDS), True),
    ("MIL", "Maximum Import Limit", UNIT_PARENTS, None, 0, None, _fields(LIMIT_FIELDS), True),
    ("RUE", "Run Up Rate Export", UNIT_PARENTS, None, 0, 1, _fields(_rate_fields(True)), True),
    ("RUI", "Run Up Rate Import", UNIT_PARENTS, None, 0, 1, _fields(_rate_fields(True)), True),
    ("RDE", "Run Down Rate Export", UNIT_PARENTS, None, 0, 1, _fields(_rate_fields(False)), True),
    ("RDI", "Run Down Rate Import", UNIT_PARENTS, None, 0, 1, _fields(_rate_fields(False)), True),
    ("BO4", "Bid-offer pair data", UNIT_PARENTS, None, 0, None, _fields(BO4_FIELDS), True),
    ("BO3", "Bid-offer acceptance", UNIT_PARENTS, None, 0, None, _fields(BO3_FIELDS), True),
    ("BO6", "Acceptance spot point", ("BO3",), 0, 0, None, _fields(BO6_FIELDS), True),
    ("BO7", "Pair acceptance volume", ("BO3",), 1, 0, None, _fields(BO7_FIELDS), True),
    ("BPH", "BSC Party Header", (ROOT,), 2, 0, None, _fields(BPH_FIELDS), False),
    ("APC", "Aggregate Party Day Charges", ("BPH",), 0, 1, 1, _fields(APC_FIELDS), True),
    (
        "SP7",
        "Settlement Period Header",
        ("BPH",),
        1,
        46,
        50,
        _fields([("settlement_period", "N0201", "Settlement Period", "integer(2)", "M")]),
        False,
    ),
    ("PPC", "Aggregate Party Period Charges", ("SP7",), 0, 1, 1, _fields(PPC_FIELDS), False),
    ("SSD", "System Period Data", ("SP7",), 1, 1, 1, _fields(_ssd_fields()), False),
    (
        "MD2",
        "Market Index Data Information",
        ("SSD",),
        0,
        0,
        None,
        _fields(MARKET_INDEX_FIELDS),
        False,
    ),
    ("DB2", "BSAD (per party)", ("SP7",), 2, 0, None, _fields(BSAD_FIELDS), False),
    ("APD", "Account Period Data", ("SP7",), 3, 0, 2, _fields(APD_FIELDS), False),
    ("APB", "Account Period BMU Data", ("APD",), 0, 0, None, _fields(APB_FIELDS), False),
    ("BP7", "BM Unit Period Data", ("SP7",), 4, 0, None, _fields(BP7_FIELDS), False),
    ("MVR", "BM Unit MVR information", ("BP7",), None, 0, None, _fields(MVR_FIELDS), True),
]


def _build() -> dict[str, RecordSpec]:
    children: dict[str, list[str]] = {}
    for code, _, parents, *_ in _RECORDS:
        for parent in parents:
            children.setdefault(parent, []).append(code)
    return {
        code: RecordSpec(
            code, name, parents, rank, lo, hi, fields, inferred, tuple(children.get(code, ()))
        )
        for code, name, parents, rank, lo, hi, fields, inferred in _RECORDS
    }


S0142_RECORDS: dict[str, RecordSpec] = _build()
ROOT_CHILDREN = tuple(code for code, spec in S0142_RECORDS.items() if ROOT in spec.parents)


def field_count(code: str, version: str) -> int:
    return len(S0142_RECORDS[code].fields_of(version))
