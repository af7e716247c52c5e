"""One settlement date's impact: each run of the date settled with the rulebook's rules and with
the variant, kept as small per-run arrays (no inputs, no stack), so that a worker process sends
back kilobytes, not the day's data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
from sqlalchemy.engine import make_url

from engine.settle import SettlementResult, settle_day_and_variant
from engine.variants import Variant
from models.db import verified_files
from models.db.database import SettlementDatabase
from models.runs.inputs import load_settlement_inputs
from models.runs.run_store import get_run

# The £ columns of `charges`, in order; signs as engine.settle.PartyTotals (CBM, RCRC paid to
# the party; CND, CAEI paid by it; net positive = the party is paid).
CHARGES = ("cbm", "cnd", "caei", "rcrc", "net")
# The price source when the stack sets no price (the price setter's key then names it).
_NO_ITEM = ""


@dataclass(frozen=True, slots=True)
class RunImpact:
    """One run settled twice: per settled period and per party, base and variant.

    Attributes
    ----------
    run_id : int
        The stored run.
    label : str
        e.g. ``2024-06-12 SF``.
    run_type : str
        e.g. ``SF``.
    settlement_date : date
        Its settlement date.
    periods : numpy.ndarray of int, shape (settled,)
        The periods settled, 1-based.
    price_base, price_variant : numpy.ndarray of float, shape (settled,)
        SSP = SBP, £/MWh; NaN where unavailable.
    niv_base, niv_variant : numpy.ndarray of float, shape (settled,)
        NIV, MWh, positive = short.
    setter_base, setter_variant : numpy.ndarray of str, shape (settled,)
        The price setter: price source and the item at the PAR margin (the cheapest item
        kept by R-PRC-PAR), e.g. ``stack T_GEN-1 #3 pair 2``; the source alone without one.
    parties : tuple of str
        Party ids, the rows of the charges.
    charges_base, charges_variant : numpy.ndarray of float, shape (parties, 5)
        £ per party and CHARGES column over the settled periods; a period where a charge is
        not available (no metered volumes, no price) counts £0, in both.
    """

    run_id: int
    label: str
    run_type: str
    settlement_date: date
    periods: np.ndarray
    price_base: np.ndarray
    price_variant: np.ndarray
    niv_base: np.ndarray
    niv_variant: np.ndarray
    setter_base: np.ndarray
    setter_variant: np.ndarray
    parties: tuple[str, ...]
    charges_base: np.ndarray
    charges_variant: np.ndarray

    @property
    def setter_changed(self) -> np.ndarray:
        """(settled,) bool: the price setter differs between base and variant."""
        return self.setter_base != self.setter_variant


def price_setters(result: SettlementResult) -> np.ndarray:
    """The price setter of each settled period (RunImpact.setter_base).

    Parameters
    ----------
    result : SettlementResult
        A settled day.

    Returns
    -------
    numpy.ndarray of str, shape (settled,)
        Price source, then the cheapest item PAR tagging kept (largest sequence on its side):
        a BM unit's acceptance and pair ("stack T_GEN-1 #1 pair 2") or a BSAD action's id
        ("stack BSAD 37").
    """
    items, stack = result.items, result.stack
    kept = np.flatnonzero(stack.par_adjusted_volume != 0)
    setters = []
    for j in result.settled_periods:
        source = str(result.prices.price_source[j - 1])
        mine = kept[items.period[kept] == j]
        if source not in ("stack", "replacement") or len(mine) == 0:
            setters.append(f"{source} {_NO_ITEM}".strip())
            continue
        k = mine[np.argmax(stack.sequence[mine])]
        if items.source[k] == "bsad":  # no acceptance or pair: its DISBSAD id names it
            setters.append(f"{source} BSAD {items.item_id[k]}")
        else:
            setters.append(
                f"{source} {items.item_id[k]} #{items.acceptance[k]} pair {items.pair[k]}"
            )
    return np.array(setters, dtype=str)


def _charges(result: SettlementResult) -> np.ndarray:
    settled = np.asarray(result.settled_periods) - 1
    cbm, cnd, caei, rcrc = (
        np.nan_to_num(getattr(result, f"party_period_{c}")[:, settled]).sum(axis=1)
        for c in CHARGES[:4]
    )
    return np.column_stack([cbm, cnd, caei, rcrc, cbm - cnd - caei + rcrc])


def run_impact(
    run_id: int, label: str, run_type: str, base: SettlementResult, varied: SettlementResult
) -> RunImpact:
    """The RunImpact of one run from its two settlements.

    Parameters
    ----------
    run_id : int
        The stored run.
    label : str
        Its label.
    run_type : str
        Its run type.
    base : SettlementResult
        Settled with the rulebook's rules.
    varied : SettlementResult
        Settled under the variant, from the same inputs.

    Returns
    -------
    RunImpact
    """
    settled = np.asarray(base.settled_periods, dtype=np.int64)
    k = settled - 1
    return RunImpact(
        run_id=run_id,
        label=label,
        run_type=run_type,
        settlement_date=base.inputs.bm.settlement_date,
        periods=settled,
        price_base=base.prices.ssp[k].copy(),
        price_variant=varied.prices.ssp[k].copy(),
        niv_base=base.prices.niv[k].copy(),
        niv_variant=varied.prices.niv[k].copy(),
        setter_base=price_setters(base),
        setter_variant=price_setters(varied),
        parties=tuple(base.inputs.parties),
        charges_base=_charges(base),
        charges_variant=_charges(varied),
    )


def checked_file(database_url: str) -> tuple | None:
    """The identity of the SQLite file this process found sound (models.db.verified_files),
    for the tasks to trust; None for a server database or a file not checked here.

    Parameters
    ----------
    database_url : str
        SQLite file or SQLAlchemy URL.

    Returns
    -------
    tuple or None
        verified_files.file_key of the file.
    """
    if "://" in database_url:
        url = make_url(database_url)
        if not url.drivername.startswith("sqlite") or not url.database:
            return None
        path = Path(url.database)
    else:
        path = Path(database_url)
    if not path.is_file():
        return None
    key = verified_files.file_key(path)
    return key if verified_files.is_verified(key) else None


def _trust(checked: tuple | None) -> None:
    """A worker process skips the quick_check of a file the caller found sound, as long as
    the file is the same (path, size, modification time, inode): seconds per GB saved."""
    if checked is None:
        return
    path = Path(checked[0])
    if path.is_file() and verified_files.file_key(path) == checked:
        verified_files.mark_verified(checked)


def date_impact(
    database_url: str,
    settlement_date: date,
    run_ids: tuple[int, ...],
    variant: Variant,
    checked: tuple | None = None,
) -> list[RunImpact]:
    """Settle the given runs of one date with the rulebook's rules and with the variant.

    The task every executor runs: it opens the database itself (a worker on another machine
    reads its day from the URL), reads each run's inputs once and settles them twice.

    Parameters
    ----------
    database_url : str
        SQLite file or SQLAlchemy URL.
    settlement_date : date
        The date (for the record: the runs say which inputs are read).
    run_ids : tuple of int
        Runs of that date.
    variant : Variant
        The rule variant.
    checked : tuple, optional
        checked_file of the caller: the file's identity when it found it sound.

    Returns
    -------
    list of RunImpact
        In the order of run_ids.
    """
    _trust(checked)
    impacts = []
    with SettlementDatabase.open(database_url) as db, db.engine.connect() as conn:
        for run_id in run_ids:
            run = get_run(conn, run_id, light=True)
            if run.settlement_date != settlement_date:
                raise ValueError(f"run {run_id} is of {run.settlement_date}, not {settlement_date}")
            inputs = load_settlement_inputs(conn, run_id)
            base, varied = settle_day_and_variant(inputs, variant)  # one BM stage for both
            impacts.append(run_impact(run_id, run.label, run.run_type, base, varied))
    return impacts
