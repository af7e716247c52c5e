"""Schema of a settlement run database (SQLAlchemy 2, typed declarative).

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

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
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
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

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


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _run_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("settlement_run.id", ondelete="CASCADE"), primary_key=True)


# ---------------------------------------------------------------------------------------------
# Database identity


class WorkbenchMeta(Base):
    """Key-value facts about the database itself: the application that owns it, attribution."""

    __tablename__ = "workbench_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# ---------------------------------------------------------------------------------------------
# Reference data


class Party(Base):
    __tablename__ = "party"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")


class EnergyAccount(Base):
    """Energy account a: each party has a Production (P) and a Consumption (C) account."""

    __tablename__ = "energy_account"
    party_id: Mapped[str] = mapped_column(ForeignKey("party.id"), primary_key=True)
    account: Mapped[str] = mapped_column(String(1), primary_key=True)
    __table_args__ = (CheckConstraint("account IN ('P', 'C')", name="account_p_or_c"),)


class BmUnit(Base):
    """BM unit register entry (descriptive; the values settled with are per run, RunBmUnit)."""

    __tablename__ = "bm_unit"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # Elexon id, e.g. T_DRAXX-1
    national_grid_id: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200), default="")
    bmu_type: Mapped[str | None] = mapped_column(String(2))  # T, E, G, S, I, V
    fuel_type: Mapped[str | None] = mapped_column(String(16))
    lead_party_id: Mapped[str | None] = mapped_column(ForeignKey("party.id"))
    pc_status: Mapped[str | None] = mapped_column(String(1))
    trading_unit: Mapped[str | None] = mapped_column(String(64))
    tlf: Mapped[float | None] = mapped_column(Float)
    gsp_group: Mapped[str | None] = mapped_column(String(4))
    interconnector: Mapped[bool] = mapped_column(Boolean, default=False)
    interconnector_id: Mapped[str | None] = mapped_column(String(32))
    generation_capacity: Mapped[float | None] = mapped_column(Float)
    demand_capacity: Mapped[float | None] = mapped_column(Float)


# ---------------------------------------------------------------------------------------------
# Runs


class SettlementRun(Base):
    """A settlement run: an immutable snapshot of inputs and results for one settlement date.

    status: ``loading`` while its inputs are written (one transaction), then ``loaded``.
    kind: ``run`` for a settlement run, ``scenario`` for a what-if derived from base_run_id.
    bm_dataset_id: the BM data (FPN, bid-offer data, acceptances) the run settles with.
    periods: optional comma-separated subset of periods to settle (case files' ``periods``).
    """

    __tablename__ = "settlement_run"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    settlement_date: Mapped[date] = mapped_column(Date, index=True)
    run_type: Mapped[str] = mapped_column(String(2))
    run_number: Mapped[int] = mapped_column(Integer, default=1)
    kind: Mapped[str] = mapped_column(String(16), default="run")
    base_run_id: Mapped[int | None] = mapped_column(ForeignKey("settlement_run.id"))
    bm_dataset_id: Mapped[int] = mapped_column(ForeignKey("bm_dataset.id"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=False))  # UTC
    status: Mapped[str] = mapped_column(String(16), default="loading")
    periods: Mapped[str | None] = mapped_column(String(400))
    notes: Mapped[str | None] = mapped_column(Text)  # JSON text, the case file's "notes"
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


class BmDataset(Base):
    """BM data of one settlement date as the BMRA published it: physical notifications,
    bid-offer data and acceptances. Immutable once written; every run of the date that
    settles with the same BM data points at the same dataset (Elexon's runs differ in
    metering, not in BM data)."""

    __tablename__ = "bm_dataset"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    settlement_date: Mapped[date] = mapped_column(Date, index=True)
    source: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=False))  # UTC


class BmDatasetCache(Base):
    """The BM data of a dataset as column arrays (numpy .npz), written with the dataset.

    Datasets never change, so the cache never goes stale; loading a run reads its BM data
    from here in one row instead of some 650,000 segment rows for a GB-scale day.
    """

    __tablename__ = "bm_dataset_cache"
    dataset_id: Mapped[int] = mapped_column(
        ForeignKey("bm_dataset.id", ondelete="CASCADE"), primary_key=True
    )
    format: Mapped[int] = mapped_column(Integer)
    payload: Mapped[bytes] = mapped_column(LargeBinary)


class RunInputCache(Base):
    """A loaded run's input tables as column arrays (numpy .npz), written when the run is
    finished loading; loaded runs never change, so it never goes stale."""

    __tablename__ = "run_input_cache"
    run_id: Mapped[int] = mapped_column(
        ForeignKey("settlement_run.id", ondelete="CASCADE"), primary_key=True
    )
    format: Mapped[int] = mapped_column(Integer)
    payload: Mapped[bytes] = mapped_column(LargeBinary)


class RunParameter(Base):
    """A parameter override for one run (R-PAR): name as in CASE_FORMAT.md, value."""

    __tablename__ = "run_parameter"
    run_id: Mapped[int] = _run_fk()
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[float] = mapped_column(Float)


class RunBmUnit(Base):
    """A BM unit as settled in this run: the attributes the engine uses."""

    __tablename__ = "run_bm_unit"
    run_id: Mapped[int] = _run_fk()
    bm_unit_id: Mapped[str] = mapped_column(ForeignKey("bm_unit.id"), primary_key=True)
    lead_party_id: Mapped[str] = mapped_column(ForeignKey("party.id"))
    pc_status: Mapped[str] = mapped_column(String(1))
    trading_unit: Mapped[str] = mapped_column(String(64))
    tlf: Mapped[float] = mapped_column(Float)
    interconnector: Mapped[bool] = mapped_column(Boolean)
    __table_args__ = (CheckConstraint("pc_status IN ('P', 'C')", name="pc_status_p_or_c"),)


class RunParty(Base):
    """A party taking part in a run, with its name as the run's source gave it."""

    __tablename__ = "run_party"
    run_id: Mapped[int] = _run_fk()
    party_id: Mapped[str] = mapped_column(ForeignKey("party.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")


# ---------------------------------------------------------------------------------------------
# BM data (per dataset, shared by runs): profiles as segments


def _dataset_fk() -> Mapped[int]:
    return mapped_column(ForeignKey("bm_dataset.id", ondelete="CASCADE"), primary_key=True)


class PhysicalNotificationSegment(Base):
    """One segment of a physical notification (FPN, QPN, MEL or MIL), MW, export positive.

    Rows with the same (dataset, notification, unit, profile) and consecutive seq form one
    continuous profile; a unit may have several profiles where the published data has gaps.
    """

    __tablename__ = "physical_notification"
    dataset_id: Mapped[int] = _dataset_fk()
    notification: Mapped[str] = mapped_column(String(3), primary_key=True)  # FPN, QPN, MEL, MIL
    bm_unit_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    profile: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    time_from: Mapped[int] = mapped_column(BigInteger)
    level_from: Mapped[float] = mapped_column(Float)
    time_to: Mapped[int] = mapped_column(BigInteger)
    level_to: Mapped[float] = mapped_column(Float)
    __table_args__ = (
        CheckConstraint("notification IN ('FPN', 'QPN', 'MEL', 'MIL')", name="known_notification"),
        CheckConstraint("time_to >= time_from", name="forward_in_time"),
        WITHOUT_ROWID,
    )


class BidOfferSegment(Base):
    """Bid-offer data, one row per Elexon BOD record: pair n of a BM unit in period j.

    A segment of the pair's band width qBO_n(t) (MW; ≥ 0 offer side, ≤ 0 bid side) with the
    pair's offer price PO_n and bid price PB_n (£/MWh), which are the same on every segment of
    the pair in the period.
    """

    __tablename__ = "bid_offer"
    dataset_id: Mapped[int] = _dataset_fk()
    bm_unit_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    period: Mapped[int] = mapped_column(Integer, primary_key=True)
    pair: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    time_from: Mapped[int] = mapped_column(BigInteger)
    level_from: Mapped[float] = mapped_column(Float)
    time_to: Mapped[int] = mapped_column(BigInteger)
    level_to: Mapped[float] = mapped_column(Float)
    offer_price: Mapped[float] = mapped_column(Float)
    bid_price: Mapped[float] = mapped_column(Float)
    __table_args__ = (
        CheckConstraint("pair BETWEEN -6 AND 6 AND pair <> 0", name="pair_number"),
        CheckConstraint("time_to >= time_from", name="forward_in_time"),
        WITHOUT_ROWID,
    )


class Acceptance(Base):
    """Bid-offer acceptance k of a BM unit (BOALF), with its flags.

    acceptance_time: when NESO issued it (epoch seconds, UTC).
    """

    __tablename__ = "acceptance"
    dataset_id: Mapped[int] = _dataset_fk()
    bm_unit_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    number: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    acceptance_time: Mapped[int] = mapped_column(BigInteger)
    so_flag: Mapped[bool] = mapped_column(Boolean, default=False)
    stor_flag: Mapped[bool] = mapped_column(Boolean, default=False)
    rr_flag: Mapped[bool] = mapped_column(Boolean, default=False)
    deemed_flag: Mapped[bool] = mapped_column(Boolean, default=False)


class AcceptanceSegment(Base):
    """One segment of an acceptance's instructed absolute level qA_k(t), MW."""

    __tablename__ = "acceptance_level"
    dataset_id: Mapped[int] = mapped_column(primary_key=True)
    bm_unit_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    number: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    time_from: Mapped[int] = mapped_column(BigInteger)
    level_from: Mapped[float] = mapped_column(Float)
    time_to: Mapped[int] = mapped_column(BigInteger)
    level_to: Mapped[float] = mapped_column(Float)
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


class MeteredVolume(Base):
    """Metered volume QM_ij of BM unit i in period j, MWh (export positive)."""

    __tablename__ = "metered_volume"
    __table_args__ = (WITHOUT_ROWID,)
    run_id: Mapped[int] = _run_fk()
    bm_unit_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    period: Mapped[int] = mapped_column(Integer, primary_key=True)
    mwh: Mapped[float] = mapped_column(Float)


class BalancingServicesVolume(Base):
    """Non-BM balancing services volume QBS_ij (ABSVD), MWh."""

    __tablename__ = "balancing_services_volume"
    run_id: Mapped[int] = _run_fk()
    bm_unit_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    period: Mapped[int] = mapped_column(Integer, primary_key=True)
    mwh: Mapped[float] = mapped_column(Float)


class EnergyContractVolume(Base):
    """ECVN: Q MWh moved from a seller's account to a buyer's account in period j."""

    __tablename__ = "ecvn"
    run_id: Mapped[int] = _run_fk()
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[int] = mapped_column(Integer, index=True)
    from_party_id: Mapped[str] = mapped_column(String(32))
    from_account: Mapped[str] = mapped_column(String(1))
    to_party_id: Mapped[str] = mapped_column(String(32))
    to_account: Mapped[str] = mapped_column(String(1))
    mwh: Mapped[float] = mapped_column(Float)


class MeteredVolumeReallocation(Base):
    """MVRN: a fixed MWh and/or a percentage of a BM unit's metered volume moved to an account."""

    __tablename__ = "mvrn"
    run_id: Mapped[int] = _run_fk()
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    bm_unit_id: Mapped[str] = mapped_column(String(32), index=True)
    to_party_id: Mapped[str] = mapped_column(String(32))
    to_account: Mapped[str] = mapped_column(String(1))
    fixed_mwh: Mapped[float] = mapped_column(Float, default=0.0)
    percentage: Mapped[float] = mapped_column(Float, default=0.0)


class BsadAction(Base):
    """A balancing services adjustment action (DISBSAD): volume > 0 buy, < 0 sell; cost £.

    cost is NULL for an unpriced action.
    """

    __tablename__ = "bsad_action"
    run_id: Mapped[int] = _run_fk()
    period: Mapped[int] = mapped_column(Integer, primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    volume: Mapped[float] = mapped_column(Float)
    cost: Mapped[float | None] = mapped_column(Float)
    so_flag: Mapped[bool] = mapped_column(Boolean, default=False)
    stor_flag: Mapped[bool] = mapped_column(Boolean, default=False)
    party_id: Mapped[str | None] = mapped_column(String(32))
    asset_id: Mapped[str | None] = mapped_column(String(64))
    service: Mapped[str | None] = mapped_column(String(32))


class MarketIndexData(Base):
    """Market index data (MID) of one provider for period j: price £/MWh, volume MWh."""

    __tablename__ = "market_index"
    run_id: Mapped[int] = _run_fk()
    period: Mapped[int] = mapped_column(Integer, primary_key=True)
    provider: Mapped[str] = mapped_column(String(32), primary_key=True)
    price: Mapped[float] = mapped_column(Float)
    volume: Mapped[float] = mapped_column(Float)


class LossOfLoadProbability(Base):
    """LoLP_j and whether period j is inside a STOR availability window."""

    __tablename__ = "lolp"
    run_id: Mapped[int] = _run_fk()
    period: Mapped[int] = mapped_column(Integer, primary_key=True)
    lolp: Mapped[float] = mapped_column(Float)
    stor_window: Mapped[bool] = mapped_column(Boolean, default=False)
    derated_margin: Mapped[float | None] = mapped_column(Float)


class PriceAdjustment(Base):
    """Buy and sell price adjustments BPA_j and SPA_j (£/MWh)."""

    __tablename__ = "price_adjustment"
    run_id: Mapped[int] = _run_fk()
    period: Mapped[int] = mapped_column(Integer, primary_key=True)
    bpa: Mapped[float] = mapped_column(Float, default=0.0)
    spa: Mapped[float] = mapped_column(Float, default=0.0)


# ---------------------------------------------------------------------------------------------
# Run results (written by the engine, or imported where Elexon publishes them)


class SystemPriceResult(Base):
    """System prices of period j. origin: ``engine`` (computed) or ``published`` (imported)."""

    __tablename__ = "system_price_result"
    run_id: Mapped[int] = _run_fk()
    origin: Mapped[str] = mapped_column(String(16), primary_key=True)
    period: Mapped[int] = mapped_column(Integer, primary_key=True)
    ssp: Mapped[float | None] = mapped_column(Float)
    sbp: Mapped[float | None] = mapped_column(Float)
    niv: Mapped[float | None] = mapped_column(Float)
    price_source: Mapped[str | None] = mapped_column(String(16))  # stack, replacement, mip
    replacement_price: Mapped[float | None] = mapped_column(Float)
    replacement_reference_volume: Mapped[float | None] = mapped_column(Float)
    mip: Mapped[float | None] = mapped_column(Float)
    bpa: Mapped[float | None] = mapped_column(Float)
    spa: Mapped[float | None] = mapped_column(Float)
    reserve_scarcity_price: Mapped[float | None] = mapped_column(Float)
    main_price: Mapped[float | None] = mapped_column(Float)
    price_adjustment: Mapped[float | None] = mapped_column(Float)  # BPA or SPA applied
    metered_volumes: Mapped[bool | None] = mapped_column(Boolean)
    __table_args__ = (CheckConstraint("origin IN ('engine', 'published')", name="known_origin"),)


class StackItemResult(Base):
    """One item of period j's buy or sell stack with every published stack column."""

    __tablename__ = "stack_item_result"
    __table_args__ = (WITHOUT_ROWID,)
    run_id: Mapped[int] = _run_fk()
    origin: Mapped[str] = mapped_column(String(16), primary_key=True)
    period: Mapped[int] = mapped_column(Integer, primary_key=True)
    side: Mapped[str] = mapped_column(String(4), primary_key=True)  # buy, sell
    sequence: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[str] = mapped_column(String(64))  # BM unit id or BSAD id
    source: Mapped[str | None] = mapped_column(String(16))  # acceptance, bsad
    acceptance: Mapped[int | None] = mapped_column(BigInteger)
    pair: Mapped[int | None] = mapped_column(Integer)
    so_flag: Mapped[bool] = mapped_column(Boolean)
    cadl_flag: Mapped[bool] = mapped_column(Boolean)
    stor_flag: Mapped[bool] = mapped_column(Boolean)
    repriced: Mapped[bool] = mapped_column(Boolean)
    first_stage_flag: Mapped[bool | None] = mapped_column(Boolean)
    second_stage_flag: Mapped[bool | None] = mapped_column(Boolean)
    tagged_by: Mapped[str | None] = mapped_column(String(16))  # DMAT, arbitrage, NIV, PAR
    stack_price: Mapped[float | None] = mapped_column(Float)  # after STOR repricing
    reserve_scarcity_price: Mapped[float | None] = mapped_column(Float)
    original_price: Mapped[float | None] = mapped_column(Float)
    volume: Mapped[float] = mapped_column(Float)
    dmat_adjusted_volume: Mapped[float] = mapped_column(Float)
    arbitrage_adjusted_volume: Mapped[float] = mapped_column(Float)
    niv_adjusted_volume: Mapped[float] = mapped_column(Float)
    par_adjusted_volume: Mapped[float] = mapped_column(Float)
    final_price: Mapped[float | None] = mapped_column(Float)
    tlm: Mapped[float] = mapped_column(Float)
    tlm_adjusted_volume: Mapped[float] = mapped_column(Float)
    tlm_adjusted_cost: Mapped[float | None] = mapped_column(Float)  # NULL: price unavailable


class BmUnitPeriodResult(Base):
    """Per BM unit i and period j: period FPN, QM, TLM, QME, QII, QNDO, QNDB, CND, CBM.

    Metered-volume dependent quantities are NULL when metered volumes are not available.
    """

    __tablename__ = "bm_unit_period_result"
    __table_args__ = (WITHOUT_ROWID,)
    run_id: Mapped[int] = _run_fk()
    bm_unit_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    period: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_fpn: Mapped[float] = mapped_column(Float)
    qm: Mapped[float | None] = mapped_column(Float)
    tlm: Mapped[float | None] = mapped_column(Float)
    stack_tlm: Mapped[float | None] = mapped_column(Float)  # TLM used in the stack
    qme: Mapped[float] = mapped_column(Float)
    qii: Mapped[float | None] = mapped_column(Float)
    qndo: Mapped[float | None] = mapped_column(Float)
    qndb: Mapped[float | None] = mapped_column(Float)
    cnd: Mapped[float | None] = mapped_column(Float)
    cbm: Mapped[float] = mapped_column(Float)


class PairPeriodResult(Base):
    """QAO_nij, QAB_nij and cashflows CO_nij, CB_nij of pair n of unit i in period j."""

    __tablename__ = "pair_period_result"
    __table_args__ = (WITHOUT_ROWID,)
    run_id: Mapped[int] = _run_fk()
    bm_unit_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    period: Mapped[int] = mapped_column(Integer, primary_key=True)
    pair: Mapped[int] = mapped_column(Integer, primary_key=True)
    offer_price: Mapped[float] = mapped_column(Float)
    bid_price: Mapped[float] = mapped_column(Float)
    qao: Mapped[float] = mapped_column(Float)
    qab: Mapped[float] = mapped_column(Float)
    co: Mapped[float] = mapped_column(Float)
    cb: Mapped[float] = mapped_column(Float)


class AcceptancePeriodResult(Base):
    """QAO_knij, QAB_knij and cashflow C_knij of acceptance k on pair n in period j."""

    __tablename__ = "acceptance_period_result"
    __table_args__ = (WITHOUT_ROWID,)
    run_id: Mapped[int] = _run_fk()
    bm_unit_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    period: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    pair: Mapped[int] = mapped_column(Integer, primary_key=True)
    qao: Mapped[float] = mapped_column(Float)
    qab: Mapped[float] = mapped_column(Float)
    cashflow: Mapped[float] = mapped_column(Float)
    cadl_flag: Mapped[bool] = mapped_column(Boolean)


class AccountPeriodResult(Base):
    """Per energy account a and period j: QCE, QABS, QABC, QAEI, CAEI, RCRP, RCRC."""

    __tablename__ = "account_period_result"
    __table_args__ = (WITHOUT_ROWID,)
    run_id: Mapped[int] = _run_fk()
    party_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account: Mapped[str] = mapped_column(String(1), primary_key=True)
    period: Mapped[int] = mapped_column(Integer, primary_key=True)
    qce: Mapped[float | None] = mapped_column(Float)
    qabs: Mapped[float | None] = mapped_column(Float)
    qabc: Mapped[float] = mapped_column(Float)
    qaei: Mapped[float | None] = mapped_column(Float)
    caei: Mapped[float | None] = mapped_column(Float)
    rcrp: Mapped[float | None] = mapped_column(Float)
    rcrc: Mapped[float | None] = mapped_column(Float)


class PartyResult(Base):
    """Party totals over the settled periods: CBM, CND, CAEI, RCRC and net (paid to party > 0)."""

    __tablename__ = "party_result"
    run_id: Mapped[int] = _run_fk()
    party_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    cbm: Mapped[float] = mapped_column(Float)
    cnd: Mapped[float | None] = mapped_column(Float)
    caei: Mapped[float | None] = mapped_column(Float)
    rcrc: Mapped[float | None] = mapped_column(Float)
    net: Mapped[float | None] = mapped_column(Float)


class SystemPeriodResult(Base):
    """Per period: CSOBM, TRC, cash balance error, Total System BM Cashflow, losses, TLMO±."""

    __tablename__ = "system_period_result"
    run_id: Mapped[int] = _run_fk()
    period: Mapped[int] = mapped_column(Integer, primary_key=True)
    csobm: Mapped[float | None] = mapped_column(Float)
    trc: Mapped[float | None] = mapped_column(Float)
    cash_balance_error: Mapped[float | None] = mapped_column(Float)
    cbm: Mapped[float | None] = mapped_column(Float)  # Total System BM Cashflow
    losses: Mapped[float | None] = mapped_column(Float)
    tlmo_plus: Mapped[float | None] = mapped_column(Float)
    tlmo_minus: Mapped[float | None] = mapped_column(Float)


class CheckResult(Base):
    """An invariant checked by the engine (R-TLM, cash balance, NIV equals the stack)."""

    __tablename__ = "check_result"
    run_id: Mapped[int] = _run_fk()
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule: Mapped[str] = mapped_column(String(32))
    period: Mapped[int | None] = mapped_column(Integer)
    ok: Mapped[bool] = mapped_column(Boolean)
    detail: Mapped[str] = mapped_column(Text)


# ---------------------------------------------------------------------------------------------
# Scenarios and disputes


class ScenarioOverride(Base):
    """One edit of a scenario's inputs: what (kind + target), the value before and after.

    The scenario's inputs are its base run's with the active overrides applied in seq order;
    an undone override stays (inactive) until a new edit replaces the redo history.
    target, old_value, new_value: JSON text (see models.scenarios.overrides).
    """

    __tablename__ = "scenario_override"
    run_id: Mapped[int] = _run_fk()
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(Text)
    old_value: Mapped[str] = mapped_column(Text)
    new_value: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=False))  # UTC
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ScenarioAudit(Base):
    """The audit trail of a scenario: every edit, undo, redo and settle, who, when and why."""

    __tablename__ = "scenario_audit"
    run_id: Mapped[int] = _run_fk()
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    action: Mapped[str] = mapped_column(String(16))  # create, apply, undo, redo, settle
    override_seq: Mapped[int | None] = mapped_column(Integer)
    what: Mapped[str] = mapped_column(Text)
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(100), default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=False))  # UTC
    reason: Mapped[str] = mapped_column(Text, default="")


class DisputeCase(Base):
    """A trading dispute (BSCP11) under investigation: the run concerned and its scenarios.

    category: general, sva, profile or market_domain (sets the raise-by deadline rule);
    run_date: when the settlement run concerned was carried out (deadlines count from it).
    """

    __tablename__ = "dispute_case"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reference: Mapped[str] = mapped_column(String(64), unique=True)
    raising_party: Mapped[str] = mapped_column(String(32))
    settlement_dates: Mapped[str] = mapped_column(String(400))  # comma-separated ISO dates
    periods: Mapped[str | None] = mapped_column(String(400))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("settlement_run.id"))
    category: Mapped[str] = mapped_column(String(16), default="general")
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    run_date: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=False))  # UTC
    __table_args__ = (
        CheckConstraint(
            "category IN ('general', 'sva', 'profile', 'market_domain')", name="known_category"
        ),
        CheckConstraint(
            "status IN ('open', 'raised', 'upheld', 'rejected', 'withdrawn', 'closed')",
            name="known_status",
        ),
    )


class DisputeCaseScenario(Base):
    """A scenario (what-if run) that belongs to a dispute case."""

    __tablename__ = "dispute_case_scenario"
    case_id: Mapped[int] = mapped_column(
        ForeignKey("dispute_case.id", ondelete="CASCADE"), primary_key=True
    )
    run_id: Mapped[int] = mapped_column(
        ForeignKey("settlement_run.id", ondelete="CASCADE"), primary_key=True
    )


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
