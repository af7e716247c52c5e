"""Schema of a settlement run database (SQLAlchemy 2 Core tables, declared as classes).

Layout:
- reference data shared by every run: parties, their energy accounts (P/C) and the BM unit
  register (descriptive attributes);
- BM datasets: the BM data of a settlement date (physical notifications, bid-offer data,
  acceptances), immutable, shared by the runs that settle with it;
- settlement runs: one row per (settlement date, run type, run number), immutable once loaded,
  pointing at their BM dataset; scenarios are runs of kind ``scenario`` with a base run;
- run inputs, each row tagged with its run: the settlement attributes of every BM unit as
  settled (lead party, P/C status, trading unit, TLF), metered volumes, ECVNs, MVRNs, BSAD,
  market index data, LoLP, price adjustments, balancing services volumes, parameter overrides;
- run results written by the engine.

Profiles (physical notifications, bid-offer levels, acceptance levels) are stored as Elexon
publishes them: one row per straight segment (time_from, level_from) → (time_to, level_to).
Instants are integer seconds since 1970-01-01T00:00Z (UTC): exact, fast to load into numpy and
the same on every SQL dialect (in SQLite, ``datetime(time_from, 'unixepoch')`` shows them).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    true,
)

# The servers' column types as SQLite keeps them (DOUBLE, DATETIME(6), byte-order text): the
# import registers them for every CREATE and ALTER of the schema and its migrations.
from models.db import portable_types  # noqa: F401

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

APPLICATION_ID = "settlement-workbench"
# Large tables keyed by a composite primary key are stored clustered by it in SQLite (one
# b-tree instead of a rowid table plus a key index): about half the writes and disk space.
WITHOUT_ROWID = {"sqlite_with_rowid": False}


metadata = MetaData(naming_convention=NAMING_CONVENTION)


def table(cls: type) -> type:
    """Make a class of columns a table: ``cls.__table__``, and each column an attribute
    (``BmUnit.id``), as declarative classes have them. Core only: nothing here needs mapped
    objects, and importing the ORM and mapping these classes took a quarter of a second of
    every launch. ``__table_args__``: constraints, then optionally a dict of table options."""
    columns = []
    for name, value in vars(cls).items():
        if isinstance(value, Column):
            value.name = value.key = name
            columns.append(value)
    args = getattr(cls, "__table_args__", ())
    options = {}
    if isinstance(args, dict):
        args, options = (), args
    elif args and isinstance(args[-1], dict):
        args, options = args[:-1], args[-1]
    cls.__table__ = Table(cls.__tablename__, metadata, *columns, *args, **options)
    return cls


def _run_fk() -> Column:
    return Column(ForeignKey("settlement_run.id", ondelete="CASCADE"), primary_key=True)


# ---------------------------------------------------------------------------------------------
# Database identity


@table
class WorkbenchMeta:
    """Key-value facts about the database itself: the application that owns it, attribution."""

    __tablename__ = "workbench_meta"
    key = Column(String(64), primary_key=True)
    value = Column(Text, nullable=False)


# ---------------------------------------------------------------------------------------------
# Reference data


@table
class Party:
    __tablename__ = "party"
    id = Column(String(32), primary_key=True)
    name = Column(String(200), default="", nullable=False)


@table
class EnergyAccount:
    """Energy account a: each party has a Production (P) and a Consumption (C) account."""

    __tablename__ = "energy_account"
    party_id = Column(ForeignKey("party.id"), primary_key=True)
    account = Column(String(1), primary_key=True)
    __table_args__ = (CheckConstraint("account IN ('P', 'C')", name="account_p_or_c"),)


@table
class BmUnit:
    """A BM unit known to the database: the register's newest word on it (descriptive; the
    values settled with are per run, RunBmUnit, taken from the snapshot in force on the
    settlement date, BmUnitRegisterEntry)."""

    __tablename__ = "bm_unit"
    id = Column(String(32), primary_key=True)  # Elexon id, e.g. T_DRAXX-1
    national_grid_id = Column(String(32))
    name = Column(String(200), default="", nullable=False)
    bmu_type = Column(String(2))  # T, E, G, S, I, V
    fuel_type = Column(String(16))
    lead_party_id = Column(ForeignKey("party.id"))
    pc_status = Column(String(1))
    trading_unit = Column(String(64))
    tlf = Column(Float)
    gsp_group = Column(String(4))
    interconnector = Column(Boolean, default=False, nullable=False)
    interconnector_id = Column(String(32))
    generation_capacity = Column(Float)
    demand_capacity = Column(Float)


@table
class BmUnitRegisterSnapshot:
    """One imported BM unit register (R-REG-DATED): in force from `effective_from` until the
    next snapshot's date. Snapshots disagreeing with each other is normal: registers change."""

    __tablename__ = "bm_unit_register_snapshot"
    id = Column(Integer, primary_key=True, autoincrement=True)
    effective_from = Column(Date, index=True, nullable=False)
    source = Column(String(500), default="", nullable=False)
    imported_at = Column(DateTime(timezone=False), nullable=False)  # UTC
    units = Column(Integer, default=0, nullable=False)


@table
class BmUnitRegisterEntry:
    """A BM unit as one register snapshot gives it (the columns of BmUnit)."""

    __tablename__ = "bm_unit_register_entry"
    snapshot_id = Column(
        ForeignKey("bm_unit_register_snapshot.id", ondelete="CASCADE"), primary_key=True
    )
    bm_unit_id = Column(String(32), primary_key=True)
    national_grid_id = Column(String(32), index=True)
    name = Column(String(200), default="", nullable=False)
    bmu_type = Column(String(2))
    fuel_type = Column(String(16))
    lead_party_id = Column(String(32))
    pc_status = Column(String(1))
    trading_unit = Column(String(64))
    tlf = Column(Float)
    gsp_group = Column(String(4))
    interconnector = Column(Boolean, default=False, nullable=False)
    interconnector_id = Column(String(32))
    generation_capacity = Column(Float)
    demand_capacity = Column(Float)
    __table_args__ = (WITHOUT_ROWID,)


# ---------------------------------------------------------------------------------------------
# Runs


@table
class SettlementRun:
    """A settlement run: an immutable snapshot of inputs and results for one settlement date.

    status: ``loading`` while its inputs are written (one transaction), then ``loaded``.
    kind: ``run`` for a settlement run, ``scenario`` for a what-if derived from base_run_id.
    bm_dataset_id: the BM data (FPN, bid-offer data, acceptances) the run settles with.
    periods: optional comma-separated subset of periods to settle (case files' ``periods``).
    """

    __tablename__ = "settlement_run"
    id = Column(Integer, primary_key=True, autoincrement=True)
    settlement_date = Column(Date, index=True, nullable=False)
    run_type = Column(String(2), nullable=False)
    run_number = Column(Integer, default=1, nullable=False)
    kind = Column(String(16), default="run", nullable=False)
    base_run_id = Column(ForeignKey("settlement_run.id"))
    bm_dataset_id = Column(ForeignKey("bm_dataset.id"), index=True, nullable=False)
    name = Column(String(200), default="", nullable=False)
    source = Column(String(500), default="", nullable=False)
    created_at = Column(DateTime(timezone=False), nullable=False)  # UTC
    status = Column(String(16), default="loading", nullable=False)
    periods = Column(String(400))
    notes = Column(Text)  # JSON text, the case file's "notes"
    __table_args__ = (
        UniqueConstraint("settlement_date", "run_type", "run_number", "kind", "name"),
        CheckConstraint(
            "run_type IN ('II', 'SF', 'R1', 'R2', 'R3', 'RF', 'DF')", name="known_run_type"
        ),
        CheckConstraint("kind IN ('run', 'scenario')", name="known_kind"),
        CheckConstraint("status IN ('loading', 'loaded', 'deleting')", name="known_status"),
        CheckConstraint(
            "(kind = 'scenario') = (base_run_id IS NOT NULL)", name="scenario_has_base"
        ),
    )


@table
class BmDataset:
    """BM data of one settlement date as the BMRA published it: physical notifications,
    bid-offer data and acceptances. Immutable once written; every run of the date that
    settles with the same BM data points at the same dataset (Elexon's runs differ in
    metering, not in BM data)."""

    __tablename__ = "bm_dataset"
    id = Column(Integer, primary_key=True, autoincrement=True)
    settlement_date = Column(Date, index=True, nullable=False)
    source = Column(String(500), default="", nullable=False)
    created_at = Column(DateTime(timezone=False), nullable=False)  # UTC


@table
class BmDatasetCache:
    """The BM data of a dataset as column arrays (models/db/dataset_cache.py), written with it.

    Datasets never change, so the cache never goes stale; loading a run reads its BM data
    from here in one row instead of some 650,000 segment rows for a GB-scale day.
    """

    __tablename__ = "bm_dataset_cache"
    dataset_id = Column(ForeignKey("bm_dataset.id", ondelete="CASCADE"), primary_key=True)
    format = Column(Integer, nullable=False)
    payload = Column(LargeBinary, nullable=False)


@table
class RunInputCache:
    """A loaded run's input tables as column arrays (models/db/dataset_cache.py), written when
    the run is finished loading; loaded runs never change, so it never goes stale."""

    __tablename__ = "run_input_cache"
    run_id = Column(ForeignKey("settlement_run.id", ondelete="CASCADE"), primary_key=True)
    format = Column(Integer, nullable=False)
    payload = Column(LargeBinary, nullable=False)


@table
class RunParameter:
    """A parameter override for one run (R-PAR): name as in CASE_FORMAT.md, value."""

    __tablename__ = "run_parameter"
    run_id = _run_fk()
    name = Column(String(64), primary_key=True)
    value = Column(Float, nullable=False)


@table
class RunBmUnit:
    """A BM unit as settled in this run: the attributes the engine uses."""

    __tablename__ = "run_bm_unit"
    run_id = _run_fk()
    bm_unit_id = Column(ForeignKey("bm_unit.id"), primary_key=True)
    lead_party_id = Column(ForeignKey("party.id"), nullable=False)
    pc_status = Column(String(1), nullable=False)
    trading_unit = Column(String(64), nullable=False)
    tlf = Column(Float, nullable=False)
    interconnector = Column(Boolean, nullable=False)
    # R-REG-DATED: the register snapshot the attributes came from (NULL: not from a register,
    # e.g. a case file); R-REG-UNREGISTERED: False for a unit no snapshot in force lists.
    register_snapshot_id = Column(Integer)
    registered = Column(Boolean, default=True, server_default=true(), nullable=False)
    __table_args__ = (CheckConstraint("pc_status IN ('P', 'C')", name="pc_status_p_or_c"),)


@table
class RunWarning:
    """A quirk of the data a run was loaded from, imported anyway (an error refuses the import;
    a warning is written and listed with the run): where, which field, what value, what was
    assumed, and the rule that says so (R-REG-ID, R-REG-UNREGISTERED, …)."""

    __tablename__ = "run_warning"
    run_id = _run_fk()
    seq = Column(Integer, primary_key=True)
    rule = Column(String(32), default="", nullable=False)
    file = Column(String(500), default="", nullable=False)
    location = Column(String(200), default="", nullable=False)
    field = Column(String(64), default="", nullable=False)
    value = Column(Text, default="", nullable=False)
    reason = Column(Text, nullable=False)


@table
class RunParty:
    """A party taking part in a run, with its name as the run's source gave it."""

    __tablename__ = "run_party"
    run_id = _run_fk()
    party_id = Column(ForeignKey("party.id"), primary_key=True)
    name = Column(String(200), default="", nullable=False)


# ---------------------------------------------------------------------------------------------
# BM data (per dataset, shared by runs): profiles as segments


def _dataset_fk() -> Column:
    return Column(ForeignKey("bm_dataset.id", ondelete="CASCADE"), primary_key=True)


@table
class PhysicalNotificationSegment:
    """One segment of a physical notification (FPN, QPN, MEL or MIL), MW, export positive.

    Rows with the same (dataset, notification, unit, profile) and consecutive seq form one
    continuous profile; a unit may have several profiles where the published data has gaps.
    """

    __tablename__ = "physical_notification"
    dataset_id = _dataset_fk()
    notification = Column(String(3), primary_key=True)  # FPN, QPN, MEL, MIL
    bm_unit_id = Column(String(32), primary_key=True)
    profile = Column(Integer, primary_key=True)
    seq = Column(Integer, primary_key=True)
    time_from = Column(BigInteger, nullable=False)
    level_from = Column(Float, nullable=False)
    time_to = Column(BigInteger, nullable=False)
    level_to = Column(Float, nullable=False)
    __table_args__ = (
        CheckConstraint("notification IN ('FPN', 'QPN', 'MEL', 'MIL')", name="known_notification"),
        CheckConstraint("time_to >= time_from", name="forward_in_time"),
        WITHOUT_ROWID,
    )


@table
class BidOfferSegment:
    """Bid-offer data, one row per Elexon BOD record: pair n of a BM unit in period j.

    A segment of the pair's band width qBO_n(t) (MW; ≥ 0 offer side, ≤ 0 bid side) with the
    pair's offer price PO_n and bid price PB_n (£/MWh), which are the same on every segment of
    the pair in the period.
    """

    __tablename__ = "bid_offer"
    dataset_id = _dataset_fk()
    bm_unit_id = Column(String(32), primary_key=True)
    period = Column(Integer, primary_key=True)
    pair = Column(Integer, primary_key=True)
    seq = Column(Integer, primary_key=True)
    time_from = Column(BigInteger, nullable=False)
    level_from = Column(Float, nullable=False)
    time_to = Column(BigInteger, nullable=False)
    level_to = Column(Float, nullable=False)
    offer_price = Column(Float, nullable=False)
    bid_price = Column(Float, nullable=False)
    __table_args__ = (
        CheckConstraint("pair BETWEEN -6 AND 6 AND pair <> 0", name="pair_number"),
        CheckConstraint("time_to >= time_from", name="forward_in_time"),
        WITHOUT_ROWID,
    )


@table
class Acceptance:
    """Bid-offer acceptance k of a BM unit (BOALF), with its flags.

    acceptance_time: when NESO issued it (epoch seconds, UTC).
    """

    __tablename__ = "acceptance"
    dataset_id = _dataset_fk()
    bm_unit_id = Column(String(32), primary_key=True)
    number = Column(BigInteger, primary_key=True)
    acceptance_time = Column(BigInteger, nullable=False)
    so_flag = Column(Boolean, default=False, nullable=False)
    stor_flag = Column(Boolean, default=False, nullable=False)
    rr_flag = Column(Boolean, default=False, nullable=False)
    deemed_flag = Column(Boolean, default=False, nullable=False)


@table
class AcceptanceSegment:
    """One segment of an acceptance's instructed absolute level qA_k(t), MW."""

    __tablename__ = "acceptance_level"
    dataset_id = Column(Integer, primary_key=True)
    bm_unit_id = Column(String(32), primary_key=True)
    number = Column(BigInteger, primary_key=True)
    seq = Column(Integer, primary_key=True)
    time_from = Column(BigInteger, nullable=False)
    level_from = Column(Float, nullable=False)
    time_to = Column(BigInteger, nullable=False)
    level_to = Column(Float, nullable=False)
    __table_args__ = (
        ForeignKeyConstraint(
            ["dataset_id", "bm_unit_id", "number"],
            ["acceptance.dataset_id", "acceptance.bm_unit_id", "acceptance.number"],
            ondelete="CASCADE",
        ),
        CheckConstraint("time_to >= time_from", name="forward_in_time"),
        WITHOUT_ROWID,
    )


# ---------------------------------------------------------------------------------------------
# Run inputs: per period values


@table
class MeteredVolume:
    """Metered volume QM_ij of BM unit i in period j, MWh (export positive)."""

    __tablename__ = "metered_volume"
    __table_args__ = (WITHOUT_ROWID,)
    run_id = _run_fk()
    bm_unit_id = Column(String(32), primary_key=True)
    period = Column(Integer, primary_key=True)
    mwh = Column(Float, nullable=False)


@table
class BalancingServicesVolume:
    """Non-BM balancing services volume QBS_ij (ABSVD), MWh."""

    __tablename__ = "balancing_services_volume"
    run_id = _run_fk()
    bm_unit_id = Column(String(32), primary_key=True)
    period = Column(Integer, primary_key=True)
    mwh = Column(Float, nullable=False)


@table
class EnergyContractVolume:
    """ECVN: Q MWh moved from a seller's account to a buyer's account in period j."""

    __tablename__ = "ecvn"
    run_id = _run_fk()
    seq = Column(Integer, primary_key=True)
    period = Column(Integer, index=True, nullable=False)
    from_party_id = Column(String(32), nullable=False)
    from_account = Column(String(1), nullable=False)
    to_party_id = Column(String(32), nullable=False)
    to_account = Column(String(1), nullable=False)
    mwh = Column(Float, nullable=False)


@table
class MeteredVolumeReallocation:
    """MVRN: a fixed MWh and/or a percentage of a BM unit's metered volume moved to an account."""

    __tablename__ = "mvrn"
    run_id = _run_fk()
    seq = Column(Integer, primary_key=True)
    bm_unit_id = Column(String(32), index=True, nullable=False)
    to_party_id = Column(String(32), nullable=False)
    to_account = Column(String(1), nullable=False)
    fixed_mwh = Column(Float, default=0.0, nullable=False)
    percentage = Column(Float, default=0.0, nullable=False)


@table
class BsadAction:
    """A balancing services adjustment action (DISBSAD): volume > 0 buy, < 0 sell; cost £.

    cost is NULL for an unpriced action.
    """

    __tablename__ = "bsad_action"
    run_id = _run_fk()
    period = Column(Integer, primary_key=True)
    id = Column(String(64), primary_key=True)
    volume = Column(Float, nullable=False)
    cost = Column(Float)
    so_flag = Column(Boolean, default=False, nullable=False)
    stor_flag = Column(Boolean, default=False, nullable=False)
    party_id = Column(String(32))
    asset_id = Column(String(64))
    service = Column(String(32))


@table
class MarketIndexData:
    """Market index data (MID) of one provider for period j: price £/MWh, volume MWh."""

    __tablename__ = "market_index"
    run_id = _run_fk()
    period = Column(Integer, primary_key=True)
    provider = Column(String(32), primary_key=True)
    price = Column(Float, nullable=False)
    volume = Column(Float, nullable=False)


@table
class LossOfLoadProbability:
    """LoLP_j and whether period j is inside a STOR availability window."""

    __tablename__ = "lolp"
    run_id = _run_fk()
    period = Column(Integer, primary_key=True)
    lolp = Column(Float, nullable=False)
    stor_window = Column(Boolean, default=False, nullable=False)
    derated_margin = Column(Float)


@table
class PriceAdjustment:
    """Buy and sell price adjustments BPA_j and SPA_j (£/MWh)."""

    __tablename__ = "price_adjustment"
    run_id = _run_fk()
    period = Column(Integer, primary_key=True)
    bpa = Column(Float, default=0.0, nullable=False)
    spa = Column(Float, default=0.0, nullable=False)


# ---------------------------------------------------------------------------------------------
# Run results (written by the engine, or imported where Elexon publishes them)


@table
class SystemPriceResult:
    """System prices of period j. origin: ``engine`` (computed) or ``published`` (imported)."""

    __tablename__ = "system_price_result"
    run_id = _run_fk()
    origin = Column(String(16), primary_key=True)
    period = Column(Integer, primary_key=True)
    ssp = Column(Float)
    sbp = Column(Float)
    niv = Column(Float)
    price_source = Column(String(16))  # stack, replacement, mip
    replacement_price = Column(Float)
    replacement_reference_volume = Column(Float)
    mip = Column(Float)
    bpa = Column(Float)
    spa = Column(Float)
    reserve_scarcity_price = Column(Float)
    main_price = Column(Float)
    price_adjustment = Column(Float)  # BPA or SPA applied
    metered_volumes = Column(Boolean)
    __table_args__ = (CheckConstraint("origin IN ('engine', 'published')", name="known_origin"),)


@table
class StackItemResult:
    """One item of period j's buy or sell stack with every published stack column."""

    __tablename__ = "stack_item_result"
    __table_args__ = (WITHOUT_ROWID,)
    run_id = _run_fk()
    origin = Column(String(16), primary_key=True)
    period = Column(Integer, primary_key=True)
    side = Column(String(4), primary_key=True)  # buy, sell
    sequence = Column(Integer, primary_key=True)
    item_id = Column(String(64), nullable=False)  # BM unit id or BSAD id
    source = Column(String(16))  # acceptance, bsad
    acceptance = Column(BigInteger)
    pair = Column(Integer)
    so_flag = Column(Boolean, nullable=False)
    cadl_flag = Column(Boolean, nullable=False)
    stor_flag = Column(Boolean, nullable=False)
    repriced = Column(Boolean, nullable=False)
    first_stage_flag = Column(Boolean)
    second_stage_flag = Column(Boolean)
    tagged_by = Column(String(16))  # DMAT, arbitrage, NIV, PAR
    stack_price = Column(Float)  # after STOR repricing
    reserve_scarcity_price = Column(Float)
    original_price = Column(Float)
    volume = Column(Float, nullable=False)
    dmat_adjusted_volume = Column(Float, nullable=False)
    arbitrage_adjusted_volume = Column(Float, nullable=False)
    niv_adjusted_volume = Column(Float, nullable=False)
    par_adjusted_volume = Column(Float, nullable=False)
    final_price = Column(Float)
    tlm = Column(Float, nullable=False)
    tlm_adjusted_volume = Column(Float, nullable=False)
    tlm_adjusted_cost = Column(Float)  # NULL: price unavailable


@table
class BmUnitPeriodResult:
    """Per BM unit i and period j: period FPN, QM, TLM, QME, QII, QNDO, QNDB, CND, CBM.

    Metered-volume dependent quantities are NULL when metered volumes are not available.
    """

    __tablename__ = "bm_unit_period_result"
    __table_args__ = (WITHOUT_ROWID,)
    run_id = _run_fk()
    bm_unit_id = Column(String(32), primary_key=True)
    period = Column(Integer, primary_key=True)
    period_fpn = Column(Float, nullable=False)
    qm = Column(Float)
    tlm = Column(Float)
    stack_tlm = Column(Float)  # TLM used in the stack
    qme = Column(Float, nullable=False)
    qii = Column(Float)
    qndo = Column(Float)
    qndb = Column(Float)
    cnd = Column(Float)
    cbm = Column(Float, nullable=False)


@table
class PairPeriodResult:
    """QAO_nij, QAB_nij and cashflows CO_nij, CB_nij of pair n of unit i in period j."""

    __tablename__ = "pair_period_result"
    __table_args__ = (WITHOUT_ROWID,)
    run_id = _run_fk()
    bm_unit_id = Column(String(32), primary_key=True)
    period = Column(Integer, primary_key=True)
    pair = Column(Integer, primary_key=True)
    offer_price = Column(Float, nullable=False)
    bid_price = Column(Float, nullable=False)
    qao = Column(Float, nullable=False)
    qab = Column(Float, nullable=False)
    co = Column(Float, nullable=False)
    cb = Column(Float, nullable=False)


@table
class AcceptancePeriodResult:
    """QAO_knij, QAB_knij and cashflow C_knij of acceptance k on pair n in period j."""

    __tablename__ = "acceptance_period_result"
    __table_args__ = (WITHOUT_ROWID,)
    run_id = _run_fk()
    bm_unit_id = Column(String(32), primary_key=True)
    period = Column(Integer, primary_key=True)
    number = Column(BigInteger, primary_key=True)
    pair = Column(Integer, primary_key=True)
    qao = Column(Float, nullable=False)
    qab = Column(Float, nullable=False)
    cashflow = Column(Float, nullable=False)
    cadl_flag = Column(Boolean, nullable=False)


@table
class AccountPeriodResult:
    """Per energy account a and period j: QCE, QABS, QABC, QAEI, CAEI, RCRP, RCRC."""

    __tablename__ = "account_period_result"
    __table_args__ = (WITHOUT_ROWID,)
    run_id = _run_fk()
    party_id = Column(String(32), primary_key=True)
    account = Column(String(1), primary_key=True)
    period = Column(Integer, primary_key=True)
    qce = Column(Float)
    qabs = Column(Float)
    qabc = Column(Float, nullable=False)
    qaei = Column(Float)
    caei = Column(Float)
    rcrp = Column(Float)
    rcrc = Column(Float)


@table
class PartyResult:
    """Party totals over the settled periods: CBM, CND, CAEI, RCRC and net (paid to party > 0)."""

    __tablename__ = "party_result"
    run_id = _run_fk()
    party_id = Column(String(32), primary_key=True)
    cbm = Column(Float, nullable=False)
    cnd = Column(Float)
    caei = Column(Float)
    rcrc = Column(Float)
    net = Column(Float)


@table
class SystemPeriodResult:
    """Per period: CSOBM, TRC, cash balance error, Total System BM Cashflow, losses, TLMO±."""

    __tablename__ = "system_period_result"
    run_id = _run_fk()
    period = Column(Integer, primary_key=True)
    csobm = Column(Float)
    trc = Column(Float)
    cash_balance_error = Column(Float)
    cbm = Column(Float)  # Total System BM Cashflow
    losses = Column(Float)
    tlmo_plus = Column(Float)
    tlmo_minus = Column(Float)
    unallocated_residual = Column(Float)  # R-ACC-RCRC-NODENOM: TRC no account could take


@table
class CheckResult:
    """An invariant checked by the engine (R-TLM, cash balance, NIV equals the stack)."""

    __tablename__ = "check_result"
    run_id = _run_fk()
    seq = Column(Integer, primary_key=True)
    rule = Column(String(32), nullable=False)
    period = Column(Integer)
    ok = Column(Boolean, nullable=False)
    detail = Column(Text, nullable=False)
    status = Column(String(16))  # NULL: as `ok` says; "not applicable" (ok is then true)


# ---------------------------------------------------------------------------------------------
# Scenarios and disputes


@table
class ScenarioOverride:
    """One edit of a scenario's inputs: what (kind + target), the value before and after.

    The scenario's inputs are its base run's with the active overrides applied in seq order;
    an undone override stays (inactive) until a new edit replaces the redo history.
    target, old_value, new_value: JSON text (see models.runs.scenarios.overrides).
    """

    __tablename__ = "scenario_override"
    run_id = _run_fk()
    seq = Column(Integer, primary_key=True)
    kind = Column(String(32), nullable=False)
    target = Column(Text, nullable=False)
    old_value = Column(Text, nullable=False)
    new_value = Column(Text, nullable=False)
    reason = Column(Text, default="", nullable=False)
    author = Column(String(100), default="", nullable=False)
    created_at = Column(DateTime(timezone=False), nullable=False)  # UTC
    active = Column(Boolean, default=True, nullable=False)


@table
class ScenarioAudit:
    """The audit trail of a scenario: every edit, undo, redo and settle, who, when and why.

    author: the name the analyst gave (the OS user by default); db_user: the database user
    the change was written as (a server's login; '' on SQLite), os_user: the OS user of the
    process that wrote it ('' in entries written before schema 0013). seq orders the entries
    and is the scenario's version for optimistic locking (models.runs.scenarios.store).
    """

    __tablename__ = "scenario_audit"
    run_id = _run_fk()
    seq = Column(Integer, primary_key=True)
    action = Column(String(16), nullable=False)  # create, apply, undo, redo, settle
    override_seq = Column(Integer)
    what = Column(Text, nullable=False)
    old_value = Column(Text)
    new_value = Column(Text)
    author = Column(String(100), default="", nullable=False)
    at = Column(DateTime(timezone=False), nullable=False)  # UTC
    reason = Column(Text, default="", nullable=False)
    db_user = Column(String(200), default="", server_default="", nullable=False)
    os_user = Column(String(100), default="", server_default="", nullable=False)


@table
class DisputeCase:
    """A trading dispute (BSCP11) under investigation: the run concerned and its scenarios.

    category: general, sva, profile or market_domain (sets the raise-by deadline rule);
    run_date: when the settlement run concerned was carried out (deadlines count from it).
    """

    __tablename__ = "dispute_case"
    id = Column(Integer, primary_key=True, autoincrement=True)
    reference = Column(String(64), unique=True, nullable=False)
    raising_party = Column(String(32), nullable=False)
    settlement_dates = Column(String(400), nullable=False)  # comma-separated ISO dates
    periods = Column(String(400))
    run_id = Column(ForeignKey("settlement_run.id"))
    category = Column(String(16), default="general", nullable=False)
    description = Column(Text, default="", nullable=False)
    status = Column(String(16), default="open", nullable=False)
    run_date = Column(Date)
    created_at = Column(DateTime(timezone=False), nullable=False)  # UTC
    __table_args__ = (
        CheckConstraint(
            "category IN ('general', 'sva', 'profile', 'market_domain')", name="known_category"
        ),
        CheckConstraint(
            "status IN ('open', 'raised', 'upheld', 'rejected', 'withdrawn', 'closed')",
            name="known_status",
        ),
    )


@table
class DisputeCaseScenario:
    """A scenario (what-if run) that belongs to a dispute case."""

    __tablename__ = "dispute_case_scenario"
    case_id = Column(ForeignKey("dispute_case.id", ondelete="CASCADE"), primary_key=True)
    run_id = Column(ForeignKey("settlement_run.id", ondelete="CASCADE"), primary_key=True)


# Lookups by (run, BM unit, period) are served by the primary keys above, which start with
# those columns. These serve the other common lookups: a unit across runs, a period's stack.
Index("ix_acceptance_level_time", AcceptanceSegment.dataset_id, AcceptanceSegment.time_from)
Index("ix_metered_volume_period", MeteredVolume.run_id, MeteredVolume.period)
Index("ix_bm_unit_period_result_period", BmUnitPeriodResult.run_id, BmUnitPeriodResult.period)
Index("ix_settlement_run_base", SettlementRun.base_run_id)

# BM data tables of a dataset, in an order safe for inserting (parents first).
BM_DATA_TABLES = (
    PhysicalNotificationSegment.__table__,
    BidOfferSegment.__table__,
    Acceptance.__table__,
    AcceptanceSegment.__table__,
)

# Input tables of a run, in an order safe for inserting (parents first).
RUN_INPUT_TABLES = (
    RunParty.__table__,
    RunBmUnit.__table__,
    RunParameter.__table__,
    MeteredVolume.__table__,
    BalancingServicesVolume.__table__,
    EnergyContractVolume.__table__,
    MeteredVolumeReallocation.__table__,
    BsadAction.__table__,
    MarketIndexData.__table__,
    LossOfLoadProbability.__table__,
    PriceAdjustment.__table__,
)

RUN_RESULT_TABLES = (
    SystemPriceResult.__table__,
    StackItemResult.__table__,
    BmUnitPeriodResult.__table__,
    PairPeriodResult.__table__,
    AcceptancePeriodResult.__table__,
    AccountPeriodResult.__table__,
    PartyResult.__table__,
    SystemPeriodResult.__table__,
    CheckResult.__table__,
)


# ---------------------------------------------------------------------------------------------
# The SAA's own figures (an imported S0142, issue 18), kept apart from the engine's results so
# that a reconciliation sets one against the other. Floats are NULL where the file left an
# optional field empty. Rows go with their run (ON DELETE CASCADE).


def _saa_float() -> Column:
    return Column(Float)


@table
class SaaReport:
    """The S0142 (or C0421) a run was imported from: file, AAA header and SRH run numbers."""

    __tablename__ = "saa_report"
    run_id = _run_fk()
    flow = Column(String(5), nullable=False)  # S0142, C0421
    version = Column(String(3), nullable=False)
    file_name = Column(String(500), nullable=False)
    file_sha256 = Column(String(64), nullable=False)
    created = Column(DateTime(timezone=False))  # AAA creation time
    from_participant = Column(String(8), default="", nullable=False)
    sequence = Column(Integer)
    test_flag = Column(String(4), default="", nullable=False)
    run_type = Column(String(2), nullable=False)  # N0202
    saa_run_number = Column(Integer)  # N0304
    saa_cdca_run_number = Column(Integer)  # N0385
    svaa_cdca_run_number = Column(Integer)  # N0384
    svaa_ssr_run_number = Column(Integer)  # N0211
    record_count = Column(Integer, nullable=False)
    checksum = Column(BigInteger, nullable=False)


@table
class SaaSystemPeriod:
    """SPI and SSD of period j: the SAA's system figures."""

    __tablename__ = "saa_system_period"
    run_id = _run_fk()
    period = Column(Integer, primary_key=True)
    ssp = _saa_float()
    sbp = _saa_float()
    niv = _saa_float()
    csobm = _saa_float()
    total_cbm = _saa_float()
    total_caei = _saa_float()
    total_cnd = _saa_float()
    total_qaei = _saa_float()
    rcrc_denominator = _saa_float()
    total_residual_cashflow = _saa_float()
    total_accepted_bid_volume = _saa_float()
    total_accepted_offer_volume = _saa_float()
    tpabsv = _saa_float()
    spa = _saa_float()
    bpa = _saa_float()
    lolp = _saa_float()
    replacement_price = _saa_float()
    bssc_costs = _saa_float()
    total_information_imbalance = _saa_float()


@table
class SaaPartyPeriod:
    """PPC of a party in period j: the SAA's period charges (£)."""

    __tablename__ = "saa_party_period"
    __table_args__ = (WITHOUT_ROWID,)
    run_id = _run_fk()
    party_id = Column(String(32), primary_key=True)
    period = Column(Integer, primary_key=True)
    bssc_cost = _saa_float()
    cbm = _saa_float()
    caei = _saa_float()
    information_imbalance = _saa_float()
    cnd = _saa_float()
    rcrc = _saa_float()
    rr_cashflow = _saa_float()
    vlp_compensation = _saa_float()
    supplier_compensation = _saa_float()


@table
class SaaAccountPeriod:
    """APD of a party's production or consumption account in period j."""

    __tablename__ = "saa_account_period"
    __table_args__ = (WITHOUT_ROWID,)
    run_id = _run_fk()
    party_id = Column(String(32), primary_key=True)
    account = Column(String(1), primary_key=True)
    period = Column(Integer, primary_key=True)
    caei = _saa_float()
    rcrc = _saa_float()
    qabc = _saa_float()
    qabs = _saa_float()
    qaei = _saa_float()
    qce = _saa_float()
    rcrp = _saa_float()
    bssc_cost = _saa_float()
    information_imbalance = _saa_float()


@table
class SaaBmUnitPeriod:
    """BP7 of a BM unit in period j, under its lead party (the BPH it sits in)."""

    __tablename__ = "saa_bm_unit_period"
    __table_args__ = (WITHOUT_ROWID,)
    run_id = _run_fk()
    bm_unit_id = Column(String(32), primary_key=True)
    period = Column(Integer, primary_key=True)
    party_id = Column(String(32), nullable=False)
    cnd = _saa_float()
    period_fpn = _saa_float()
    qbs = _saa_float()
    qii = _saa_float()
    qme = _saa_float()
    qm = _saa_float()
    qndb = _saa_float()
    qndo = _saa_float()
    tlf = _saa_float()
    tlm = _saa_float()
    trading_unit = Column(String(64))
    trading_unit_volume = _saa_float()
    absvd = _saa_float()
    settlement_expected_volume = _saa_float()
    supplier_compensation_cashflow = _saa_float()


@table
class SaaPairPeriod:
    """BO4 of a bid-offer pair of a BM unit in period j (system level, under BPI)."""

    __tablename__ = "saa_pair_period"
    __table_args__ = (WITHOUT_ROWID,)
    run_id = _run_fk()
    bm_unit_id = Column(String(32), primary_key=True)
    period = Column(Integer, primary_key=True)
    pair = Column(Integer, primary_key=True)
    qab = _saa_float()
    qao = _saa_float()
    cb = _saa_float()
    co = _saa_float()


@table
class MeteredVolumeEstimate:
    """A metered volume the CDCA estimated (C0421 ABP Estimate Indicator): its cell only."""

    __tablename__ = "metered_volume_estimate"
    __table_args__ = (WITHOUT_ROWID,)
    run_id = _run_fk()
    bm_unit_id = Column(String(32), primary_key=True)
    period = Column(Integer, primary_key=True)


@table
class SaaAccountBmUnitPeriod:
    """APB under the APD of a party's account in period j: each BM unit's credited energy to
    that account and the metered volume reallocations (MVRN) that made it."""

    __tablename__ = "saa_account_bm_unit_period"
    __table_args__ = (WITHOUT_ROWID,)
    run_id = _run_fk()
    party_id = Column(String(32), primary_key=True)
    account = Column(String(1), primary_key=True)
    period = Column(Integer, primary_key=True)
    bm_unit_id = Column(String(32), primary_key=True)
    qce = _saa_float()  # N0061 Credited Energy Volume, MWh
    fixed_reallocation = _saa_float()  # N0109 Fixed Metered Volume Reallocation, MWh
    percentage_reallocation = _saa_float()  # N0163 Percentage Metered Volume Reallocation, %


@table
class SaaBmUnitMvr:
    """MVR under the BP7 of a BM unit in period j: the credited energy of each party's account
    it reallocates to, with that party's fixed and percentage reallocation (MVRN)."""

    __tablename__ = "saa_bm_unit_mvr"
    __table_args__ = (WITHOUT_ROWID,)
    run_id = _run_fk()
    bm_unit_id = Column(String(32), primary_key=True)
    period = Column(Integer, primary_key=True)
    party_id = Column(String(32), primary_key=True)  # N0045: the party credited
    account = Column(String(1), primary_key=True)
    qce = _saa_float()
    fixed_reallocation = _saa_float()
    percentage_reallocation = _saa_float()


@table
class SaaReportCache:
    """A run's SAA figures (the saa_*_period tables, APB and MVR) as column arrays in one
    blob (models/db/dataset_cache.py format 2), written in the import's transaction: a
    reconciliation reads one row instead of some 450,000 for a GB-scale day. The rows stay
    the figures' record; the cache is made again from them where it is missing."""

    __tablename__ = "saa_report_cache"
    run_id = Column(ForeignKey("settlement_run.id", ondelete="CASCADE"), primary_key=True)
    format = Column(Integer, nullable=False)
    payload = Column(LargeBinary, nullable=False)


SAA_TABLES = (
    SaaReport.__table__,
    SaaSystemPeriod.__table__,
    SaaPartyPeriod.__table__,
    SaaAccountPeriod.__table__,
    SaaBmUnitPeriod.__table__,
    SaaPairPeriod.__table__,
    SaaAccountBmUnitPeriod.__table__,
    SaaBmUnitMvr.__table__,
    MeteredVolumeEstimate.__table__,
)


# ---------------------------------------------------------------------------------------------
# Live data (issue 23): Insights-shaped messages pushed as they are published


@table
class LiveMessage:
    """A live message written (one transaction with its data): a redelivery of its id writes
    nothing twice. run_ids: the runs it wrote, comma-separated (none when it added nothing new)."""

    __tablename__ = "live_message"
    message_id = Column(String(200), primary_key=True)
    dataset = Column(String(16), nullable=False)
    received_at = Column(DateTime(timezone=False), nullable=False)  # UTC
    records = Column(Integer, nullable=False)
    run_ids = Column(String(500), nullable=False)


@table
class LiveDeadLetter:
    """A live message that could not be written, with the reason and its body as received, so
    that the stream goes on and the message can be looked at (and replayed) later."""

    __tablename__ = "live_dead_letter"
    id = Column(Integer, primary_key=True, autoincrement=True)
    message_id = Column(String(200))
    dataset = Column(String(16))
    received_at = Column(DateTime(timezone=False), nullable=False)  # UTC
    reason = Column(Text, nullable=False)
    body = Column(Text, nullable=False)


# ---------------------------------------------------------------------------------------------
# Provenance of fetched runs (issue 19)


@table
class FetchedResponse:
    """An Insights response a run's records came from (`settlement-workbench fetch`).

    Each response covers one dataset over a settlement date's periods period_from..period_to
    (the fetch asks for disjoint chunks: a stored record of that dataset, date and period came
    from it) and holds `records` records, data[first_record...] of the dataset's file as staged
    for the import. period_from/to are null where the request is not by settlement period
    (LOLPDRM by publish time, the BM unit register): it covers the whole date. sha256 names the
    body in the raw-response cache; url, params (JSON) and fetched_at (UTC) are as it records
    them. carried_from_run_id: the response came with the date's previous run, whose records
    this run carries forward (null: fetched for this run)."""

    __tablename__ = "fetched_response"
    run_id = _run_fk()
    number = Column(Integer, primary_key=True, autoincrement=False)
    dataset = Column(String(16), nullable=False)
    settlement_date = Column(Date)
    period_from = Column(Integer)
    period_to = Column(Integer)
    first_record = Column(Integer, nullable=False)
    records = Column(Integer, nullable=False)
    sha256 = Column(String(64), index=True, nullable=False)
    url = Column(String(500), nullable=False)
    params = Column(Text, nullable=False)
    fetched_at = Column(DateTime(timezone=False), nullable=False)  # UTC
    carried_from_run_id = Column(ForeignKey("settlement_run.id", ondelete="SET NULL"))
