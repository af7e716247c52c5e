"""Fetching the requests of some settlement dates into the cache, with progress.

Answers already in the cache are not asked for again (unless `refresh`); offline, every answer
must be in the cache. Each good answer is cached the moment it arrives, so an interrupted
fetch resumes where it stopped. Any failure after the retries fails the fetch as a whole;
nothing is imported then.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from models.fetch.answers import BadAnswer, records_of
from models.fetch.cache import Entry, ResponseCache, request_key
from models.fetch.client import Answer, FetchError, InsightsClient
from models.fetch.endpoints import Request


class FetchCancelled(FetchError):
    """The user cancelled the fetch; what arrived is cached, nothing was imported."""


@dataclass
class FetchProgress:
    """Requests done of the total, records received, rate and ETA of the requests asked for."""

    total: int
    cached: int = 0
    fetched: int = 0
    records: int = 0
    started: float = field(default_factory=lambda: time.monotonic())

    @property
    def done(self) -> int:
        return self.cached + self.fetched

    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0

    def text(self) -> str:
        elapsed = max(1e-6, time.monotonic() - self.started)
        rate = self.fetched / elapsed
        left = self.total - self.done
        eta = f"ETA {_clock(left / rate)}" if rate > 0 and left else ""
        return (f"{self.done}/{self.total} req, {self.records:,} rec, {rate:.1f}/s {eta}").rstrip()


def _clock(seconds: float) -> str:
    seconds = round(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


@dataclass
class Fetched:
    """The cache entry of every request, and how many were asked of the server."""

    entries: dict[Request, Entry]
    requested: int
    from_cache: int


def fetch_to_cache(
    requests: list[Request],
    cache: ResponseCache,
    base_url: str,
    client: InsightsClient | None,
    *,
    refresh: bool = False,
    progress: Callable[[FetchProgress], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Fetched:
    """Every request's answer in the cache; `client=None` is offline. Raises FetchError."""
    cancelled = cancelled or (lambda: False)
    state = FetchProgress(total=len(requests))
    entries: dict[Request, Entry] = {}
    keys = {r: request_key(base_url, r) for r in requests}
    missing = []
    for request in requests:
        entry = None if refresh else cache.lookup(keys[request])
        if entry is None:
            missing.append(request)
            continue
        entries[request] = entry
        state.cached += 1
    if progress:
        progress(state)
    if missing and client is None:
        more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
        raise FetchError(
            f"offline: {missing[0].label} is not in the cache {cache.root}{more}; "
            "fetch without --offline first"
        )

    def arrived(answer: Answer) -> None:
        request = answer.request
        url = base_url.rstrip("/") + request.path
        entries[request] = cache.store(keys[request], url, dict(request.params), answer.body)
        state.fetched += 1
        state.records += answer.records
        if progress:
            progress(state)
        if cancelled():
            raise FetchCancelled("fetch cancelled: what arrived is cached, nothing was imported")

    if missing:
        failures = client.get_all(missing, arrived)
        if failures:
            failures.sort(key=str)  # threads finish in any order: report one fixed failure
            more = f" ({len(failures) - 1} more request(s) failed too)" if len(failures) > 1 else ""
            raise FetchError(f"{failures[0]}{more}; nothing was imported")
    return Fetched(entries, len(missing), state.cached)


def cached_records(cache: ResponseCache, request: Request, entry: Entry) -> list[dict]:
    """The records of a cached answer, checked again (a cache edited by hand is caught)."""
    try:
        return records_of(request, cache.body(entry))
    except BadAnswer as exc:
        raise FetchError(f"cached answer {entry.sha256[:12]} of {request.label}: {exc}") from None
