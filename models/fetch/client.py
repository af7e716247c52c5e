"""The HTTP client of the Insights API: bounded parallel requests, timeouts, and retries with
backoff that honour `Retry-After` on 429 and 503.

Transport faults (a refused or reset connection, a timeout, a body cut off before its stated
length), 5xx answers, 429 and answers that are not whole JSON are asked for again, up to
`retries` more times, waiting `backoff × 2^attempt` seconds (at most `max_backoff`), or what
`Retry-After` says (at most `max_retry_after`). Other 4xx answers are final.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from models.core.errors import WorkbenchInputError
from models.fetch.answers import BadAnswer, records_of
from models.fetch.endpoints import Request

RETRIED_STATUS = {429, 500, 502, 503, 504}
USER_AGENT = "settlement-workbench (https://github.com/; Elexon Insights client)"


class FetchError(WorkbenchInputError):
    """A request that failed after its retries, or a wrong answer: one line naming it."""


@dataclass(frozen=True)
class Answer:
    request: Request
    body: bytes
    records: int
    attempts: int


@dataclass
class ClientSettings:
    base_url: str
    parallel: int = 4  # at most this many requests in flight
    timeout: float = 60.0  # seconds to connect, and between bytes of an answer
    retries: int = 4
    backoff: float = 1.0
    max_backoff: float = 30.0
    max_retry_after: float = 120.0


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds, or an HTTP date), else None."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class InsightsClient:
    """GETs of one Insights base URL; `sleep` is injectable so tests need not wait."""

    def __init__(self, settings: ClientSettings, sleep: Callable[[float], None] = time.sleep):
        self.settings = settings
        self.sleep = sleep
        self.base_url = settings.base_url.rstrip("/")
        limits = httpx.Limits(max_connections=settings.parallel)
        self._http = httpx.Client(
            timeout=httpx.Timeout(settings.timeout),
            limits=limits,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            follow_redirects=True,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> InsightsClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def url(self, request: Request) -> str:
        return self.base_url + request.path

    def get(self, request: Request) -> Answer:
        """The checked answer of one request; raises FetchError after the retries."""
        s = self.settings
        last = ""
        for attempt in range(s.retries + 1):
            wait = min(s.max_backoff, s.backoff * 2**attempt)
            try:
                response = self._http.get(self.url(request), params=list(request.params))
            except httpx.TimeoutException:
                last = f"no answer within {s.timeout:g} s"
            except httpx.TransportError as exc:
                last = f"connection failed ({type(exc).__name__}: {exc})"
            else:
                status = response.status_code
                if status == 200:
                    body = response.content
                    try:
                        records = records_of(request, body)
                    except BadAnswer as exc:
                        if not exc.retry:
                            raise FetchError(f"{request.label}: wrong answer: {exc}") from None
                        last = str(exc)
                    else:
                        return Answer(request, body, len(records), attempt + 1)
                elif status in RETRIED_STATUS:
                    last = f"HTTP {status} {response.reason_phrase}".rstrip()
                    asked = retry_after(response.headers.get("Retry-After"))
                    if status in (429, 503) and asked is not None:
                        wait = min(s.max_retry_after, asked)
                else:
                    reason = response.text[:120].replace("\n", " ")
                    raise FetchError(
                        f"{request.label}: HTTP {status} {response.reason_phrase}: {reason}"
                    )
            if attempt < s.retries:
                self.sleep(wait)
        raise FetchError(f"{request.label}: {last} (after {s.retries + 1} attempts)")

    def get_all(
        self, requests: Iterable[Request], done: Callable[[Answer], None]
    ) -> list[FetchError]:
        """GET every request, at most `parallel` at a time, calling `done` (on this thread)
        with each answer as it arrives; returns the failures (every request is tried)."""
        failures: list[FetchError] = []
        with ThreadPoolExecutor(max_workers=self.settings.parallel) as pool:
            futures = [pool.submit(self.get, r) for r in requests]
            try:
                for future in as_completed(futures):
                    try:
                        answer = future.result()
                    except FetchError as exc:
                        failures.append(exc)
                        continue
                    done(answer)
            except BaseException:
                for future in futures:
                    future.cancel()
                raise
        return failures
