"""Demo databases made the way the tests need them."""

from __future__ import annotations

from pathlib import Path

from models.demo.generator import DemoSpec, generate_demo


def demo_with_caches(path: Path, monkeypatch, bmus: int, seed: int) -> Path:
    """A small demo database whose BM data and run inputs are cached, as a GB-scale one's
    are (caches are written only above a size otherwise)."""
    monkeypatch.setattr("models.runs.run_store.CACHE_MIN_ROWS", 0)
    monkeypatch.setattr("models.db.dataset_cache.CACHE_MIN_ROWS", 0)
    monkeypatch.setattr("models.db.dataset_cache.RUN_CACHE_MIN_ROWS", 0)
    generate_demo(path, DemoSpec(bmus=bmus, seed=seed))
    return path
