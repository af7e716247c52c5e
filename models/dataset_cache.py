"""Columnar cache of BM datasets: their segment tables as numpy arrays in one blob.

A dataset is immutable, so its cache is written once, with it, and never goes stale. Text
columns (BM unit ids) are stored as integer codes and their labels; numbers as they are.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from models.schema import BM_DATA_TABLES, BmDatasetCache

FORMAT = 1
COLUMNS = {t.name: [c.name for c in t.columns if c.name != "dataset_id"] for t in BM_DATA_TABLES}
ORDER = {
    "physical_notification": ["notification", "bm_unit_id", "profile", "seq"],
    "bid_offer": ["bm_unit_id", "period", "pair", "seq"],
    "acceptance": ["bm_unit_id", "number"],
    "acceptance_level": ["bm_unit_id", "number", "seq"],
}


def frames_from_rows(rows: dict[str, list[dict]]) -> dict[str, pd.DataFrame]:
    """BM data rows (as written to the tables) as sorted frames."""
    frames = {}
    for table, columns in COLUMNS.items():
        frame = pd.DataFrame(rows.get(table, []), columns=columns)
        frames[table] = frame.sort_values(ORDER[table], kind="stable").reset_index(drop=True)
    return frames


def encode(frames: dict[str, pd.DataFrame]) -> bytes:
    arrays: dict[str, np.ndarray] = {}
    for table, frame in frames.items():
        arrays[f"{table}/rows"] = np.array([len(frame)])
        for column in frame.columns:
            values = frame[column]
            if values.dtype == object or isinstance(values.dtype, pd.StringDtype):
                codes, labels = pd.factorize(values)
                arrays[f"{table}/{column}/codes"] = codes.astype(np.int32)
                arrays[f"{table}/{column}/labels"] = np.asarray(labels, dtype=str)
            else:
                arrays[f"{table}/{column}"] = values.to_numpy()
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def decode(payload: bytes) -> dict[str, pd.DataFrame]:
    stored = np.load(io.BytesIO(payload), allow_pickle=False)
    frames = {}
    for table, columns in COLUMNS.items():
        data = {}
        for column in columns:
            if f"{table}/{column}/codes" in stored:
                labels = stored[f"{table}/{column}/labels"].astype(object)
                codes = stored[f"{table}/{column}/codes"]
                data[column] = labels[codes] if len(labels) else np.array([], dtype=object)
            else:
                data[column] = stored[f"{table}/{column}"]
        frames[table] = pd.DataFrame(data, columns=columns)
    return frames


def write_dataset_cache(conn: Connection, dataset_id: int, frames: dict[str, pd.DataFrame]) -> None:
    conn.execute(
        BmDatasetCache.__table__.insert().values(
            dataset_id=dataset_id, format=FORMAT, payload=encode(frames)
        )
    )


def read_dataset_cache(conn: Connection, dataset_id: int) -> dict[str, pd.DataFrame] | None:
    """The dataset's frames from its cache, or None where it has none (older databases)."""
    payload = conn.execute(
        select(BmDatasetCache.payload).where(
            BmDatasetCache.dataset_id == dataset_id, BmDatasetCache.format == FORMAT
        )
    ).scalar()
    return None if payload is None else decode(payload)
