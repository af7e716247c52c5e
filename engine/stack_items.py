"""Stack items of the imbalance price (rule R-PRC, Annex T-1 inputs).

Every accepted offer volume (QAO_knj > 0, at PO_n) is a buy item and every accepted bid volume
(QAB_knj < 0, at PB_n) a sell item; each BSAD action is an item on its side (volume > 0 buy,
< 0 sell) at cost / volume, unpriced when its cost is missing. Each item carries its SO, CADL
and STOR flags and its unit's TLM (BSAD: 1). Volumes are signed: sell items are negative.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from engine.bm_stage import BmStageResult
from engine.errors import EngineInputError

BUY, SELL = 1, -1


@dataclass(frozen=True, slots=True)
class StackItems:
    """The stack items of the day, one row each (R-PRC inputs).

    Every array has shape (items,).

    Attributes
    ----------
    period : numpy.ndarray of int64
        Settlement period j, 1-based.
    side : numpy.ndarray of int64
        BUY (+1) or SELL (−1).
    volume : numpy.ndarray of float
        MWh, the sign of the side: buy > 0 (QAO_knj, or a BSAD buy), sell < 0.
    price : numpy.ndarray of float
        £/MWh: PO_n of a buy, PB_n of a sell, cost / volume of BSAD; NaN where unpriced.
    priced : numpy.ndarray of bool
        False for an unpriced item (BSAD without a cost).
    so_flag : numpy.ndarray of bool
        System-operator flag (R-PRC-FLAG).
    cadl_flag : numpy.ndarray of bool
        CADL flag of the acceptance (R-VOL-CADL); False for BSAD.
    stor_flag : numpy.ndarray of bool
        STOR flag (R-PRC-STOR).
    tlm : numpy.ndarray of float
        TLM of the item's unit in its period, dimensionless; 1 for BSAD.
    source : numpy.ndarray of object
        ``acceptance`` or ``bsad``.
    item_id : numpy.ndarray of object
        BM unit id, or BSAD id.
    acceptance : numpy.ndarray of int64
        Acceptance number k; −1 for BSAD.
    pair : numpy.ndarray of int64
        Pair number n; −1 for BSAD.
    """

    period: np.ndarray
    side: np.ndarray
    volume: np.ndarray
    price: np.ndarray
    priced: np.ndarray
    so_flag: np.ndarray
    cadl_flag: np.ndarray
    stor_flag: np.ndarray
    tlm: np.ndarray
    source: np.ndarray
    item_id: np.ndarray
    acceptance: np.ndarray
    pair: np.ndarray

    def __len__(self) -> int:
        return len(self.period)

    def take(self, index: np.ndarray) -> StackItems:
        """Some rows of the items.

        Parameters
        ----------
        index : numpy.ndarray of int or bool
            Rows to keep, as numpy indexing takes them.

        Returns
        -------
        StackItems
            Those rows, in that order.
        """
        return StackItems(*(getattr(self, f)[index] for f in self.__dataclass_fields__))

    @classmethod
    def concatenate(cls, parts: Sequence[StackItems]) -> StackItems:
        """The rows of several item tables, one after the other.

        Parameters
        ----------
        parts : sequence of StackItems
            At least one table.

        Returns
        -------
        StackItems
            Their rows in order.
        """
        return cls(
            *(np.concatenate([getattr(p, f) for p in parts]) for f in cls.__dataclass_fields__)
        )


def _items(period, side, volume, price, priced, so, cadl, stor, tlm, source, ids, acc, pair):
    n = len(period)
    items = StackItems(
        period=np.asarray(period, dtype=np.int64),
        side=np.asarray(side, dtype=np.int64),
        volume=np.asarray(volume, dtype=float),
        price=np.asarray(price, dtype=float),
        priced=np.asarray(priced, dtype=bool),
        so_flag=np.asarray(so, dtype=bool),
        cadl_flag=np.asarray(cadl, dtype=bool),
        stor_flag=np.asarray(stor, dtype=bool),
        tlm=np.asarray(tlm, dtype=float),
        # One source for every item, or one per item. A string is never taken as a sequence:
        # "acceptance" (10 letters) and "bsad" (4) once crashed sides of exactly that many items.
        source=np.full(n, source, dtype=object)
        if isinstance(source, str)
        else np.asarray(source, dtype=object),
        item_id=np.asarray(ids, dtype=object),
        acceptance=np.asarray(acc, dtype=np.int64),
        pair=np.asarray(pair, dtype=np.int64),
    )
    # The crash class of issue 15: a value given once where one per item was expected (a
    # string is a sequence of letters) makes a column of another shape, and numpy fails far
    # from the cause. Every column is one value per item, or the input is refused here.
    for name in StackItems.__dataclass_fields__:
        column = getattr(items, name)
        if column.shape != (n,):
            raise EngineInputError(
                f"stack items: {name} has shape {column.shape}; expected one value for each "
                f"of the {n} items"
            )
    return items


def items_from_bm(bm: BmStageResult, tlm: np.ndarray) -> StackItems:
    """Buy and sell items from the accepted volumes of the BM stage (R-PRC inputs).

    Every QAO_knj > 0 is a buy item at PO_n and every QAB_knj < 0 a sell item at PB_n, with
    the acceptance's SO, CADL and STOR flags.

    Parameters
    ----------
    bm : BmStageResult
        The BM stage's accepted volumes (MWh, offers ≥ 0, bids ≤ 0) and inputs.
    tlm : numpy.ndarray of float, shape (units, periods)
        TLM of each unit and period, dimensionless (1 + TLF without metered volumes).

    Returns
    -------
    StackItems
        Buy items, then sell items.
    """
    v = bm.volumes
    inputs = bm.inputs
    acc = inputs.acceptances
    unit = acc.unit[v.acceptance]
    units = np.asarray(inputs.bm_units, dtype=object)
    parts = []
    for side, volume, price in (
        (BUY, v.qao, inputs.pairs.offer_price[v.pair_row]),
        (SELL, v.qab, inputs.pairs.bid_price[v.pair_row]),
    ):
        keep = volume > 0 if side == BUY else volume < 0
        n = int(keep.sum())
        parts.append(
            _items(
                v.period[keep],
                np.full(n, side),
                volume[keep],
                price[keep],
                np.ones(n, dtype=bool),
                acc.so_flag[v.acceptance[keep]],
                v.cadl_flag[v.acceptance[keep]],
                acc.stor_flag[v.acceptance[keep]],
                tlm[unit[keep], v.period[keep] - 1],
                "acceptance",
                units[unit[keep]],
                acc.number[v.acceptance[keep]],
                v.pair[keep],
            )
        )
    return StackItems.concatenate(parts)


def items_from_bsad(
    period: Sequence[int],
    ids: Sequence[str],
    volume: Sequence[float],
    cost: Sequence[float | None] | np.ndarray,
    so_flag: Sequence[bool],
    stor_flag: Sequence[bool],
) -> StackItems:
    """BSAD actions as stack items: price = cost / volume (R-PRC inputs).

    Parameters
    ----------
    period : sequence of int
        Settlement period j of each action, 1-based.
    ids : sequence of str
        BSAD id of each action; a single string is refused.
    volume : sequence of float
        MWh: ≥ 0 a buy item, < 0 a sell item.
    cost : sequence of float or None, or numpy.ndarray
        £, as DISBSAD gives it; None or NaN: unpriced.
    so_flag : sequence of bool
        System-operator flag.
    stor_flag : sequence of bool
        STOR flag.

    Returns
    -------
    StackItems
        One item per action: TLM 1, no CADL flag, acceptance and pair −1; unpriced where
        the cost is missing or the volume is 0.

    Raises
    ------
    EngineInputError
        When a column does not have one value per action.
    """
    if isinstance(ids, str):
        raise EngineInputError(f"BSAD ids: one id {ids!r} given; expected one id per action")
    volume = np.asarray(volume, dtype=float)
    cost_values = np.array(cost, dtype=float)  # None becomes NaN
    priced = ~np.isnan(cost_values)
    with np.errstate(divide="ignore", invalid="ignore"):
        price = np.where(priced & (volume != 0), cost_values / volume, np.nan)
    n = len(volume)
    return _items(
        period,
        np.where(volume >= 0, BUY, SELL),
        volume,
        price,
        priced & (volume != 0),
        so_flag,
        np.zeros(n, dtype=bool),
        stor_flag,
        np.ones(n),
        "bsad",
        list(ids),
        np.full(n, -1),
        np.full(n, -1),
    )


def items_from_records(records: Sequence[Mapping]) -> StackItems:
    """Stack items written by hand (tests, case files).

    Parameters
    ----------
    records : sequence of mapping
        {"period", "side": "buy"/"sell", "volume" (MWh, the sign of the side), "price"
        (£/MWh; None = unpriced), "id", and optional "so", "cadl", "stor" (bool), "tlm"
        (default 1), "acceptance", "pair" (default −1: a BSAD item)}.

    Returns
    -------
    StackItems
        One item per record, in order.

    Raises
    ------
    EngineInputError
        For an unknown field, a side that is not buy or sell, or a flag that is not a bool.
    """
    allowed = {"period", "side", "volume", "price", "id", "so", "cadl", "stor", "tlm",
               "acceptance", "pair"}  # fmt: skip
    for i, r in enumerate(records):
        unknown = set(r) - allowed
        if unknown:
            raise EngineInputError(
                f"stack item {i} ({r.get('id', '?')}, period {r.get('period', '?')}): "
                f"unknown field(s) {', '.join(sorted(unknown))}"
            )
        if r["side"] not in ("buy", "sell"):
            raise EngineInputError(
                f"stack item {i} ({r['id']}, period {r['period']}): side {r['side']!r}; "
                "expected 'buy' or 'sell'"
            )
        for flag in ("so", "cadl", "stor"):
            if not isinstance(r.get(flag, False), bool):
                raise EngineInputError(
                    f"stack item {i} ({r['id']}, period {r['period']}): flag {flag} is "
                    f"{r[flag]!r}; expected true or false"
                )
    return _items(
        [r["period"] for r in records],
        [BUY if r["side"] == "buy" else SELL for r in records],
        [r["volume"] for r in records],
        [np.nan if r["price"] is None else r["price"] for r in records],
        [r["price"] is not None for r in records],
        [r.get("so", False) for r in records],
        [r.get("cadl", False) for r in records],
        [r.get("stor", False) for r in records],
        [r.get("tlm", 1.0) for r in records],
        ["bsad" if r.get("acceptance", -1) < 0 else "acceptance" for r in records],
        [r["id"] for r in records],
        [r.get("acceptance", -1) for r in records],
        [r.get("pair", -1) for r in records],
    )
