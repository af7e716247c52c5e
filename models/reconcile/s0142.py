"""Reconciliation: the engine's settlement of a run against the SAA's figures (issue 18).

A run imported from an S0142 holds the SAA's own figures (`saa_*` tables). `reconcile`
settles the run with the engine (in memory: nothing stored) and sets every value both have
side by side, per party and period (PPC), account and period (APD), BM unit and period (BP7),
bid-offer pair and period (BO4), per period for the system (SSD), and the credited energy of a
BM unit to an account where the SAA lists it (APB under the account, MVR under the unit; an
S0142 imported before schema 0011 has none stored, and none is compared). The correspondence of
engine quantities to S0142 fields is the one `models/p114/from_settlement.py` writes.

- Tolerance: half a unit of the last decimal the SAA's field carries (its IDD type, e.g.
  decimal(10,2) → £0.005), since the SAA rounds to it; beyond that a value is a difference.
- £ effect, to rank differences: a £ field's difference itself; a volume's, priced at the
  period's |SSP|; a price's, applied to the period's Σ|QAEI| (the volume it settles); a TLM
  or TLF's, applied to |QM| × |SSP|; an RCRP's, applied to the period's |TRC|.
- Known gaps: a difference in a cell a known gap of the day changes (models/reconcile/
  gap_cells.py: that BM unit, account, party or period) is listed with status "known gap
  GAP-…" and its £ effect, but not counted as an unexplained difference.
- Fields the engine does not model (rulebook §15, engine/known_gaps.py: BSSC costs,
  information imbalance, RR, VLP and supplier compensation, P376 settlement expected volume)
  are listed as "not modelled" with what the SAA has there, never as differences.
- A cell one side has and the other lacks (a party, BM unit or pair) is a difference with the
  other side absent, its effect the value's own; a pair the SAA does not list is zero there
  (saa_store keeps no BO4 without volume or cashflow), so only a non-zero engine pair counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import Connection

from engine.accounts import credited_energy
from engine.known_gaps import P376_BASELINING, P415_VIRTUAL_TRADING, RR_CASHFLOWS
from engine.known_gaps import VLP_VIRTUAL_ACCOUNTS as VLP
from engine.settle import SettlementResult, settle_day
from models.core.errors import WorkbenchInputError
from models.p114.layout import S0142_RECORDS
from models.published.saa_store import read_saa, read_saa_report
from models.reconcile.gap_cells import gap_cells
from models.runs.inputs import load_settlement_inputs
from models.runs.run_store import get_run

LEVELS = {  # saa table → (level name, S0142 record, key columns)
    "saa_party_period": ("party", "PPC", ("party_id", "period")),
    "saa_account_period": ("account", "APD", ("party_id", "account", "period")),
    "saa_bm_unit_period": ("bm_unit", "BP7", ("bm_unit_id", "period")),
    "saa_pair_period": ("pair", "BO4", ("bm_unit_id", "period", "pair")),
    "saa_system_period": ("system", "SSD", ("period",)),
    "saa_account_bm_unit_period": (
        "account_bm_unit",
        "APB",
        ("party_id", "account", "period", "bm_unit_id"),
    ),
    "saa_bm_unit_mvr": ("bm_unit_mvr", "MVR", ("bm_unit_id", "period", "party_id", "account")),
}
# Levels of credited energy per BM unit and account: the SAA lists only some of these cells
# (the units whose volume is reallocated), so an engine cell it does not list is no difference.
CREDITED = ("account_bm_unit", "bm_unit_mvr")
# (field, kind): kind "gbp", "mwh", "price", "tlm", "rcrp" decides the £ effect
COMPARED = {
    "party": [("cbm", "gbp"), ("caei", "gbp"), ("cnd", "gbp"), ("rcrc", "gbp")],
    "account": [
        ("caei", "gbp"),
        ("rcrc", "gbp"),
        ("qabc", "mwh"),
        ("qabs", "mwh"),
        ("qaei", "mwh"),
        ("qce", "mwh"),
        ("rcrp", "rcrp"),
    ],
    "bm_unit": [
        ("qm", "mwh"),
        ("qme", "mwh"),
        ("cnd", "gbp"),
        ("tlm", "tlm"),
        ("tlf", "tlm"),
        ("qndo", "mwh"),
        ("qndb", "mwh"),
        ("qii", "mwh"),
        ("qbs", "mwh"),
        ("period_fpn", "mwh"),
    ],
    "pair": [("qab", "mwh"), ("qao", "mwh"), ("cb", "gbp"), ("co", "gbp")],
    "account_bm_unit": [("qce", "mwh")],
    "bm_unit_mvr": [("qce", "mwh")],
    "system": [
        ("ssp", "price"),
        ("sbp", "price"),
        ("niv", "mwh"),
        ("csobm", "gbp"),
        ("total_cbm", "gbp"),
        ("total_caei", "gbp"),
        ("total_cnd", "gbp"),
        ("total_qaei", "mwh"),
        ("rcrc_denominator", "mwh"),
        ("total_residual_cashflow", "gbp"),
        ("total_accepted_bid_volume", "mwh"),
        ("total_accepted_offer_volume", "mwh"),
        ("tpabsv", "mwh"),
        ("spa", "price"),
        ("bpa", "price"),
        ("replacement_price", "price"),
    ],
}
NOT_MODELLED = {  # level → [(field, known gap id or "")]
    "party": [
        ("bssc_cost", ""),
        ("information_imbalance", ""),
        ("rr_cashflow", RR_CASHFLOWS),
        ("vlp_compensation", VLP),
        ("supplier_compensation", P415_VIRTUAL_TRADING),
    ],
    "account": [("bssc_cost", ""), ("information_imbalance", "")],
    "bm_unit": [
        ("settlement_expected_volume", P376_BASELINING),
        ("supplier_compensation_cashflow", P415_VIRTUAL_TRADING),
    ],
    "system": [("bssc_costs", ""), ("total_information_imbalance", "")],
}
LAYOUT_KEY = {("APD", "qce"): "qace"}
UNEXPLAINED = "difference"
KNOWN_GAP = "known gap"


class NotAnSaaRunError(WorkbenchInputError):
    """The run holds no SAA figures: it was not imported from an S0142."""


@dataclass(frozen=True, slots=True)
class Difference:
    level: str
    key: dict  # party_id / account / bm_unit_id / pair, and period
    field: str
    item: str  # IDD item id of the S0142 field
    engine: float | None  # None: the engine has no such cell
    saa: float | None  # None: the SAA has no such cell
    tolerance: float
    effect_gbp: float
    gap: str = ""  # the known gap(s) that explain it, "GAP-…[, GAP-…]"; "" unexplained

    @property
    def status(self) -> str:
        """ "difference" (unexplained) or "known gap GAP-…"."""
        return f"{KNOWN_GAP} {self.gap}" if self.gap else UNEXPLAINED

    @property
    def difference(self) -> float | None:
        if self.engine is None or self.saa is None:
            return None
        return self.engine - self.saa

    def as_json(self) -> dict:
        return {
            "level": self.level,
            **self.key,
            "field": self.field,
            "item": self.item,
            "engine": self.engine,
            "saa": self.saa,
            "difference": self.difference,
            "tolerance": self.tolerance,
            "effect_gbp": self.effect_gbp,
            "status": self.status,
            "gap": self.gap,
        }


@dataclass(frozen=True, slots=True)
class NotModelled:
    level: str
    field: str
    item: str
    gap: str  # engine/known_gaps id, "" where §15 names none
    cells: int  # SAA cells holding a value
    nonzero: int
    total_abs: float

    def as_json(self) -> dict:
        return {
            "level": self.level,
            "field": self.field,
            "item": self.item,
            "gap": self.gap,
            "cells": self.cells,
            "nonzero": self.nonzero,
            "total_abs": self.total_abs,
        }


@dataclass
class Reconciliation:
    run_id: int
    run_label: str
    settlement_date: str
    report: dict
    compared: dict[str, int] = field(default_factory=dict)  # "level.field" → cells compared
    not_modelled: list[NotModelled] = field(default_factory=list)
    known_gaps: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the analyst must know to read it
    chunks: list = field(default_factory=list, repr=False)  # differences per field, as arrays

    @property
    def difference_count(self) -> int:
        """Unexplained differences (known gaps not counted)."""
        return sum(int(np.count_nonzero(c.gaps == 0)) for c in self.chunks)

    @property
    def known_gap_count(self) -> int:
        """Differences a known gap of the day explains."""
        return sum(int(np.count_nonzero(c.gaps)) for c in self.chunks)

    @property
    def listed_count(self) -> int:
        """Every difference listed: unexplained and known gaps."""
        return sum(len(c.effect) for c in self.chunks)

    @property
    def equal_count(self) -> int:
        """SAA cells compared that agree within tolerance."""
        differing = sum(int(np.count_nonzero(c.rows >= 0)) for c in self.chunks)
        return sum(self.compared.values()) - differing

    @property
    def total_effect_gbp(self) -> float:
        """Σ £ effect of the unexplained differences."""
        return float(sum(c.effect[c.gaps == 0].sum() for c in self.chunks))

    @property
    def known_gap_effect_gbp(self) -> float:
        return float(sum(c.effect[c.gaps != 0].sum() for c in self.chunks))

    def known_gap_summary(self) -> dict[str, tuple[int, float]]:
        """Per known gap (or set of gaps) a difference is explained by: (count, Σ £ effect),
        the largest effect first."""
        out: dict[str, list] = {}
        for c in self.chunks:
            for code in np.unique(c.gaps[c.gaps != 0]):
                label = ", ".join(g for k, g in enumerate(c.gap_ids) if int(code) >> k & 1)
                at = c.gaps == code
                entry = out.setdefault(label, [0, 0.0])
                entry[0] += int(at.sum())
                entry[1] += float(c.effect[at].sum())
        ranked = sorted(out.items(), key=lambda item: -item[1][1])
        return {label: (n, effect) for label, (n, effect) in ranked}

    def top(self, count: int | None = None, status: str | None = None) -> list[Difference]:
        """The `count` largest differences by £ effect (all when None), largest first; only
        those are made into objects. `status`: UNEXPLAINED or KNOWN_GAP only, None both."""
        if not self.chunks:
            return []
        effect = np.concatenate([c.effect for c in self.chunks])
        owner = np.concatenate([np.full(len(c.effect), n) for n, c in enumerate(self.chunks)])
        local = np.concatenate([np.arange(len(c.effect)) for c in self.chunks])
        if status is not None:
            explained = np.concatenate([c.gaps != 0 for c in self.chunks])
            keep = explained if status == KNOWN_GAP else ~explained
            effect, owner, local = effect[keep], owner[keep], local[keep]
        if count is not None and count < len(effect):
            chosen = np.argpartition(-effect, count)[:count]
            chosen = chosen[np.argsort(-effect[chosen], kind="stable")]
        else:
            chosen = np.argsort(-effect, kind="stable")
        return [self.chunks[owner[i]].difference(int(local[i])) for i in chosen]

    @property
    def differences(self) -> list[Difference]:
        """Every unexplained difference, ranked by £ effect."""
        return self.top(status=UNEXPLAINED)

    @property
    def explained(self) -> list[Difference]:
        """Every difference a known gap explains, ranked by £ effect."""
        return self.top(status=KNOWN_GAP)

    def as_json(self, limit: int | None = None) -> dict:
        """The reconciliation as JSON: the `limit` largest differences (all when None),
        unexplained and known gaps alike, each with its status."""
        return {
            "run_id": self.run_id,
            "run": self.run_label,
            "settlement_date": self.settlement_date,
            "saa_report": {
                k: (v.isoformat() if hasattr(v, "isoformat") else v)
                for k, v in self.report.items()
                if k != "run_id"
            },
            "compared": self.compared,
            "cells_compared": sum(self.compared.values()),
            "cells_equal": self.equal_count,
            "differences_total": self.difference_count,
            "total_effect_gbp": self.total_effect_gbp,
            "known_gap_differences": self.known_gap_count,
            "known_gap_effect_gbp": self.known_gap_effect_gbp,
            "differences": [d.as_json() for d in self.top(limit)],
            "not_modelled": [n.as_json() for n in self.not_modelled],
            "known_gaps": self.known_gaps,
            "notes": self.notes,
        }


def tolerance_of(record: str, name: str) -> tuple[float, str]:
    """(half a unit of the field's last decimal, IDD item id) of an S0142 field."""
    key = LAYOUT_KEY.get((record, name), name)
    spec = next(f for f in S0142_RECORDS[record].fields if f.key == key)
    return 0.5 * 10.0**-spec.kind.decimals, spec.item


def reconcile(conn: Connection, run_id: int) -> Reconciliation:
    """Settle run `run_id` and set it against the SAA figures it was imported with."""
    report = read_saa_report(conn, run_id)
    info = get_run(conn, run_id, light=True)
    if report is None or report["flow"] != "S0142":
        raise NotAnSaaRunError(
            f"run {run_id} ({info.label}) holds no SAA figures: only a run imported from an "
            "S0142 can be reconciled"
        )
    result = settle_day(load_settlement_inputs(conn, run_id))
    return compare(result, read_saa(conn, run_id), run_id, info.label, report)


def reconcile_settled(
    conn: Connection, result: SettlementResult, run_id: int, label: str, saa_run_id: int
) -> Reconciliation:
    """A settlement already made (the run shown, or a scenario of it) against the SAA
    figures of run `saa_run_id` (the run itself, or the scenario's base run)."""
    report = read_saa_report(conn, saa_run_id)
    if report is None or report["flow"] != "S0142":
        raise NotAnSaaRunError(
            f"run {run_id} ({label}) holds no SAA figures: only a run imported from an S0142 "
            "(or a scenario of one) can be reconciled"
        )
    return compare(result, read_saa(conn, saa_run_id), run_id, label, report)


def compare(
    result: SettlementResult, saa: dict, run_id: int = 0, label: str = "", report=None
) -> Reconciliation:
    """The comparison itself, of a settlement and SAA figures (`saa_store.read_saa` form)."""
    engine = _EngineCells(result)
    gaps = gap_cells(result)
    out = Reconciliation(
        run_id,
        label,
        result.inputs.bm.settlement_date.isoformat(),
        report or {},
        known_gaps=[g.as_json() for g in result.known_gaps],
        notes=_notes(result),
    )
    for table, (level, record, keys) in LEVELS.items():
        columns = saa[table]
        rows, covered = engine.locate(level, columns)
        for name, kind in COMPARED[level]:
            tolerance, item = tolerance_of(record, name)
            values = engine.values(level, name)
            out.compared[f"{level}.{name}"] = len(rows)
            out.chunks.append(
                _differences(
                    engine,
                    level,
                    keys,
                    columns,
                    rows,
                    covered,
                    values,
                    name,
                    kind,
                    item,
                    tolerance,
                    engine.gap_masks(level, name, gaps),
                )
            )
        for name, gap in NOT_MODELLED.get(level, ()):
            values = columns[name]
            present = ~np.isnan(values)
            _, item = tolerance_of(record, name)
            out.not_modelled.append(
                NotModelled(
                    level,
                    name,
                    item,
                    gap,
                    int(present.sum()),
                    int(np.count_nonzero(values[present])),
                    float(np.abs(values[present]).sum()),
                )
            )
    return out


NO_BM_DATA = (
    "the run has no BM data (PN, BOD, BOALF: an S0142 imported alone): its CBM, accepted "
    "volumes, QME, non-delivery, QABS, imbalance and system prices cannot agree with the "
    "SAA's; import the date's BM data, then the S0142 again"
)


def _notes(result: SettlementResult) -> list[str]:
    bm = result.inputs.bm
    empty = not len(bm.fpn.owner) and not len(bm.pairs.pair) and not len(bm.acceptances.unit)
    return [NO_BM_DATA] if empty and len(bm.bm_units) else []


@dataclass
class _Chunk:
    """The differences of one field, as arrays (a GB-scale worst case has millions): each
    is an SAA row (`rows` ≥ 0) or an engine cell no SAA row covers (`cells`)."""

    engine_cells: _EngineCells
    level: str
    keys: tuple[str, ...]
    columns: dict
    name: str
    item: str
    tolerance: float
    rows: np.ndarray  # SAA row, −1: an engine cell
    cells: np.ndarray  # engine cell of an engine-only difference, else −1
    engine: np.ndarray  # NaN: the engine has no such cell
    saa: np.ndarray  # NaN: the SAA has no such cell
    effect: np.ndarray
    gaps: np.ndarray  # bit k set: gap_ids[k] changes the cell; 0 unexplained
    gap_ids: tuple[str, ...]

    def difference(self, i: int) -> Difference:
        row, cell = int(self.rows[i]), int(self.cells[i])
        key = (
            _key(self.keys, self.columns, row)
            if row >= 0
            else self.engine_cells.key_of(self.level, cell)
        )
        e, s = float(self.engine[i]), float(self.saa[i])
        return Difference(
            self.level,
            key,
            self.name,
            self.item,
            None if np.isnan(e) else e,
            None if np.isnan(s) else s,
            self.tolerance,
            float(self.effect[i]),
            ", ".join(g for k, g in enumerate(self.gap_ids) if int(self.gaps[i]) >> k & 1),
        )


def _differences(
    engine, level, keys, columns, rows, covered, values, name, kind, item, tolerance, gap_masks
) -> _Chunk:
    saa_values = columns[name]
    found = rows >= 0
    flat = values.reshape(-1)
    mine = _take(flat, rows)
    slack = tolerance * (1 + 1e-9) + 1e-12 * np.abs(np.nan_to_num(saa_values))
    saa_has = ~np.isnan(saa_values)  # an optional field left empty: the SAA has no value
    off = found & saa_has & ~(np.abs(mine - saa_values) <= slack)
    # an SAA cell the engine has no cell for (a party, BM unit or pair it does not know)
    one_sided = ~found & saa_has & (np.abs(np.nan_to_num(saa_values)) > tolerance)
    picked = np.flatnonzero(off | one_sided)
    weight = engine.weights(level, kind)
    e, s = mine[picked], saa_values[picked]
    if weight is None:
        w = np.ones(len(picked))
    else:
        per_cell = np.asarray(weight).reshape(-1)
        # a cell the engine lacks is priced by its period alone
        alone = engine.period_weights(kind, columns["period"][picked])
        w = np.where(found[picked], _take(per_cell, rows[picked]), alone)
    effect = np.abs(np.nan_to_num(e) - np.nan_to_num(s)) * np.abs(w)
    engine_rows, engine_cells = picked, np.full(len(picked), -1, dtype=np.int64)
    # engine cells with a value and no SAA row (a party or BM unit the SAA does not list)
    if covered is not None:
        extra = np.flatnonzero(~covered.reshape(-1) & (np.abs(flat) > tolerance))
        if len(extra):
            w_extra = 1.0 if weight is None else np.asarray(weight).reshape(-1)[extra]
            engine_rows = np.concatenate([picked, np.full(len(extra), -1, dtype=np.int64)])
            engine_cells = np.concatenate([engine_cells, extra])
            e = np.concatenate([e, flat[extra]])
            s = np.concatenate([s, np.full(len(extra), np.nan)])
            effect = np.concatenate([effect, np.abs(flat[extra] * w_extra)])
    # the engine cell of each difference (−1: an SAA row the engine has no cell for)
    cell = np.where(engine_rows >= 0, _take_index(rows, engine_rows), engine_cells)
    codes = np.zeros(len(cell), dtype=np.int64)
    for k, (_, mask) in enumerate(gap_masks):
        flat_mask = mask.reshape(-1)
        hit = (cell >= 0) & flat_mask[np.maximum(cell, 0)] if len(flat_mask) else cell < -1
        codes |= hit.astype(np.int64) << k
    return _Chunk(
        engine,
        level,
        keys,
        columns,
        name,
        item,
        tolerance,
        engine_rows,
        engine_cells,
        e,
        s,
        effect,
        codes,
        tuple(g for g, _ in gap_masks),
    )


def _take_index(rows: np.ndarray, at: np.ndarray) -> np.ndarray:
    """rows[at] where `at` ≥ 0, else −1."""
    if not len(rows):
        return np.full(len(at), -1, dtype=np.int64)
    return np.where(at >= 0, rows[np.maximum(at, 0)], -1)


def _key(keys, columns, i: int) -> dict:
    out = {}
    for k in keys:
        v = columns[k][i]
        out[k] = v.item() if isinstance(v, np.generic) else v
    return out


def _take(values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """values[at], NaN where `at` is −1 (the level may have no cells at all)."""
    if not len(values):
        return np.full(len(at), np.nan)
    return np.where(at >= 0, values[np.maximum(at, 0)], np.nan)


def _strings(values) -> np.ndarray:
    return np.asarray(values, dtype=str)


def _find(keys: np.ndarray, wanted: np.ndarray, order: np.ndarray | None = None) -> np.ndarray:
    """Index in `keys` of each wanted value, −1 where absent (vectorised: GB-scale days)."""
    if order is None:
        order = np.argsort(keys, kind="stable")
    if not len(keys):
        return np.full(len(wanted), -1, dtype=np.int64)
    ranked = keys[order]
    at = np.minimum(np.searchsorted(ranked, wanted), len(keys) - 1)
    return np.where(ranked[at] == wanted, order[at], -1).astype(np.int64)


def _pair_code(unit, period, pair) -> np.ndarray:
    """One int64 per (unit index, period, pair number): pair numbers run −2048…2047."""
    unit, period, pair = (np.asarray(v, dtype=np.int64) for v in (unit, period, pair))
    return (unit * 64 + period) * 4096 + (pair + 2048)


class _EngineCells:
    """The engine's values per level as arrays, and where an SAA row's cell is in them."""

    def __init__(self, result: SettlementResult):
        self.result = r = result
        inputs = r.inputs
        self.parties = list(inputs.parties)
        self.units = list(inputs.bm.bm_units)
        self.periods = list(inputs.periods)
        n_p, n_j = len(self.parties), len(self.periods)
        imb, nd, prices = r.imbalance, r.non_delivery, r.prices
        pairs, volumes, cash = inputs.bm.pairs, r.bm.volumes, r.bm.cashflows
        pair_period = np.searchsorted(self.periods, pairs.period)
        qab_total = np.bincount(pair_period, volumes.qab_nj, n_j)
        qao_total = np.bincount(pair_period, volumes.qao_nj, n_j)
        self._pair_code = _pair_code(pairs.unit, pairs.period, pairs.pair)
        self._pair_order = np.argsort(self._pair_code, kind="stable")
        qaei_abs = np.abs(imb.qaei).sum(axis=0)
        ssp = np.abs(prices.ssp)
        self._ssp, self._qaei_abs, self._trc = ssp, qaei_abs, np.abs(imb.trc)
        self.arrays = {
            "party": {
                "cbm": r.party_period_cbm,
                "caei": imb.caei.reshape(n_p, 2, n_j).sum(axis=1),
                "cnd": r.party_period_cnd,
                "rcrc": imb.rcrc.reshape(n_p, 2, n_j).sum(axis=1),
            },
            "account": {
                "caei": imb.caei,
                "rcrc": imb.rcrc,
                "qabc": r.qabc,
                "qabs": r.qabs,
                "qaei": imb.qaei,
                "qce": r.qce,
                "rcrp": imb.rcrp,
            },
            "bm_unit": {
                "qm": inputs.metered,
                "qme": nd.qme,
                "cnd": nd.cnd,
                "tlm": r.tlm,
                "tlf": np.repeat(np.asarray(inputs.units.tlf, float)[:, None], n_j, axis=1),
                "qndo": nd.qndo,
                "qndb": nd.qndb,
                "qii": nd.qii,
                "qbs": inputs.balancing_services,
                "period_fpn": r.bm.period_fpn,
            },
            "pair": {
                "qab": volumes.qab_nj,
                "qao": volumes.qao_nj,
                "cb": cash.cb_nj,
                "co": cash.co_nj,
            },
            "system": {
                "ssp": prices.ssp,
                "sbp": prices.sbp,
                "niv": prices.niv,
                "csobm": r.csobm,
                "total_cbm": cash.total_system_bm_cashflow,
                "total_caei": imb.caei.sum(axis=0),
                "total_cnd": nd.cnd.sum(axis=0),
                "total_qaei": imb.qaei.sum(axis=0),
                "rcrc_denominator": imb.rcrc_denominator,
                "total_residual_cashflow": imb.trc,
                "total_accepted_bid_volume": qab_total,
                "total_accepted_offer_volume": qao_total,
                "tpabsv": inputs.balancing_services.sum(axis=0),
                "spa": inputs.period_inputs.spa,
                "bpa": inputs.period_inputs.bpa,
                "replacement_price": prices.replacement_price,
            },
        }
        self._pair_period = pair_period
        self._credit: tuple[np.ndarray, np.ndarray] | None = None
        self._cell_account: dict[str, np.ndarray] = {}

    def _credited(self, level: str, columns: dict, j: np.ndarray) -> np.ndarray:
        """Flat index of each APB or MVR row's cell: QCE_iaj of BM unit i to account a
        (R-ACC-QCE), one row of cells per (account, unit) the engine credits or the SAA
        lists; the engine credits a unit's lead account with its share and each MVRN's
        account with what it moves (both summed where they name one account), 0 elsewhere."""
        inputs, n_j, n_u = self.result.inputs, len(self.periods), len(self.units)
        party = _find(np.asarray(self.parties, dtype=str), _strings(columns["party_id"]))
        unit = _find(np.asarray(self.units, dtype=str), _strings(columns["bm_unit_id"]))
        account = np.where(_strings(columns["account"]) == "C", 1, 0)
        known = (party >= 0) & (unit >= 0) & (j >= 0)
        listed = ((party * 2 + account) * n_u + unit)[known]
        if self._credit is None:
            metered = np.where(
                ~np.isnan(inputs.metered).all(axis=0)[None, :],
                np.nan_to_num(inputs.metered),
                np.nan,
            )
            everywhere = np.ones(metered.shape, dtype=bool)  # the RCRC basis is not used
            ce = credited_energy(
                metered, self.result.tlm, inputs.units, inputs.reallocations, everywhere,
                inputs.accounts,
            )  # fmt: skip
            r = inputs.reallocations
            lead = np.asarray(inputs.units.lead_account, dtype=np.int64)
            codes = np.concatenate(
                [
                    lead * n_u + np.arange(n_u),
                    np.asarray(r.to_account, np.int64) * n_u + np.asarray(r.unit, np.int64),
                ]
            )
            shares = np.concatenate([ce.lead_share, ce.unit_share]).reshape(len(codes), n_j)
            led = codes >= 0  # an unregistered unit has no lead account
            self._credit = codes[led], shares[led]
        codes, shares = self._credit
        cells = np.unique(np.concatenate([codes, listed]))
        values = np.zeros((len(cells), n_j))
        np.add.at(values, np.searchsorted(cells, codes), shares)
        self.arrays[level] = {"qce": values}
        self._cell_account[level] = cells // max(n_u, 1)
        rows = np.full(len(j), -1, dtype=np.int64)
        rows[known] = np.searchsorted(cells, listed) * n_j + j[known]
        return rows

    def gap_masks(self, level: str, name: str, gaps) -> list[tuple[str, np.ndarray]]:
        """The known gaps' masks of the level's cells: a credited energy cell takes its
        account's QCE gaps (an account leading secondary or supplier units)."""
        if level not in CREDITED:
            return gaps.get((level, name), [])
        account = self._cell_account[level]
        return [(gap, mask[account]) for gap, mask in gaps.get(("account", "qce"), [])]

    def values(self, level: str, name: str) -> np.ndarray:
        return np.asarray(self.arrays[level][name], dtype=np.float64)

    def _period_index(self, periods: np.ndarray) -> np.ndarray:
        return _find(np.asarray(self.periods, dtype=np.int64), np.asarray(periods, np.int64))

    def locate(self, level: str, columns: dict) -> tuple[np.ndarray, np.ndarray | None]:
        """Flat index of each SAA row's cell in the level's arrays (−1: none), and which
        engine cells some SAA row covers (None for pairs and the system: all are listed)."""
        j = self._period_index(columns["period"])
        n_j = len(self.periods)
        if level == "system":
            return j, None
        if level in CREDITED:
            return self._credited(level, columns, j), None
        if level == "pair":
            unit = _find(np.asarray(self.units, dtype=str), _strings(columns["bm_unit_id"]))
            code = _pair_code(unit, columns["period"], columns["pair"])
            rows = _find(self._pair_code, code, self._pair_order)
            rows[unit < 0] = -1
            covered = np.zeros(len(self._pair_period), dtype=bool)
            covered[rows[rows >= 0]] = True
            return rows, covered
        if level == "bm_unit":
            first = _find(np.asarray(self.units, dtype=str), _strings(columns["bm_unit_id"]))
            shape = (len(self.units), n_j)
        else:
            first = _find(np.asarray(self.parties, dtype=str), _strings(columns["party_id"]))
            shape = (len(self.parties), n_j)
            if level == "account":
                account = np.where(_strings(columns["account"]) == "C", 1, 0)
                first = np.where(first >= 0, first * 2 + account, -1)
                shape = (2 * len(self.parties), n_j)
        rows = np.where((first >= 0) & (j >= 0), first * n_j + j, -1)
        covered = np.zeros(shape, dtype=bool)
        covered.reshape(-1)[rows[rows >= 0]] = True
        return rows, covered

    def key_of(self, level: str, cell: int) -> dict:
        n_j = len(self.periods)
        if level == "pair":
            pairs = self.result.inputs.bm.pairs
            return {
                "bm_unit_id": self.units[int(pairs.unit[cell])],
                "period": int(pairs.period[cell]),
                "pair": int(pairs.pair[cell]),
            }
        row, j = divmod(cell, n_j)
        period = self.periods[j]
        if level == "bm_unit":
            return {"bm_unit_id": self.units[row], "period": period}
        if level == "account":
            party, account = divmod(row, 2)
            return {"party_id": self.parties[party], "account": "PC"[account], "period": period}
        return {"party_id": self.parties[row], "period": period}

    def period_weights(self, kind: str, periods: np.ndarray) -> np.ndarray:
        """What a unit of difference of `kind` is worth in £ in each period (no cell needed;
        1 for a period the engine did not settle)."""
        j = self._period_index(periods)
        if kind == "gbp":
            return np.ones(len(j))
        per_period = {"price": self._qaei_abs, "rcrp": self._trc}.get(kind, self._ssp)
        return np.where(j >= 0, per_period[np.maximum(j, 0)], 1.0)

    def weights(self, level: str, kind: str) -> np.ndarray | None:
        """Per engine cell, what a unit of difference is worth in £ (None: £ already)."""
        if kind == "gbp":
            return None
        if level == "pair":
            per_period = {"mwh": self._ssp, "price": self._qaei_abs}.get(kind, self._ssp)
            return per_period[self._pair_period]
        per_period = {"mwh": self._ssp, "price": self._qaei_abs, "rcrp": self._trc}[
            "mwh" if kind == "tlm" else kind
        ]
        if level == "system":
            return per_period
        shape = self.arrays[level][next(iter(self.arrays[level]))].shape
        weight = np.broadcast_to(per_period, shape)
        if kind == "tlm":
            weight = weight * np.abs(self.result.inputs.metered)
        return weight
