"""A fetch of some settlement dates end to end: the requests, the cache, then one import per
date. The command line and the GUI both run it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from engine.settlement_calendar import RunType
from models.db.database import SettlementDatabase
from models.fetch.cache import ResponseCache
from models.fetch.client import InsightsClient
from models.fetch.day_import import DayResult, StagedDay, import_day, stage_day
from models.fetch.endpoints import plan_requests
from models.fetch.fetcher import Fetched, FetchProgress, fetch_to_cache


@dataclass
class Fetch:
    fetched: Fetched
    staged: list[StagedDay]


def fetch_dates(
    days: list[date],
    datasets: tuple[str, ...],
    cache: ResponseCache,
    base_url: str,
    client: InsightsClient | None,
    *,
    refresh: bool = False,
    effective_from: date | None = None,
    progress: Callable[[FetchProgress], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Fetch:
    """Every answer of the dates in the cache, and each date's records checked and ready to
    import; raises FetchError (nothing imported). `client=None`: offline. `effective_from`
    dates the fetched register instead of the day it was fetched (R-REG-DATED)."""
    requests = plan_requests(days, datasets)
    fetched = fetch_to_cache(
        requests, cache, base_url, client, refresh=refresh, progress=progress, cancelled=cancelled
    )
    staged = [stage_day(d, requests, fetched.entries, cache, base_url) for d in days]
    if effective_from is not None:
        for day in staged:
            day.register_from = effective_from
    return Fetch(fetched, staged)


def import_dates(
    db: SettlementDatabase,
    fetch: Fetch,
    run_type: RunType = RunType.SF,
    progress: Callable[[float, str], None] | None = None,
    results: list[DayResult] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[DayResult]:
    """One all-or-nothing import per date, in date order; ImportRejected stops at the date
    it names, ImportCancelled the date being imported (the dates before it, in `results`,
    stay imported)."""
    results = [] if results is None else results
    count = len(fetch.staged)
    for n, staged in enumerate(fetch.staged):

        def step(fraction: float, text: str, n: int = n) -> None:
            if progress:
                progress((n + fraction) / count, text)

        results.append(import_day(db, staged, run_type, step, cancelled))
    return results
