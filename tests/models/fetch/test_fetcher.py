"""Fetching requests into the cache: cached answers are not asked for again (unless refresh),
offline every answer must be cached, each answer is cached as it arrives, a cancel or a
failure after the retries fails the fetch whole; progress says requests, records and ETA.

A stand-in client answers from memory (the HTTP client has its own tests)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from models.fetch.cache import ResponseCache, request_key
from models.fetch.client import Answer, FetchError
from models.fetch.endpoints import Request
from models.fetch.fetcher import (
    FetchCancelled,
    FetchProgress,
    cached_records,
    fetch_to_cache,
)

BASE = "https://stand-in/bmrs/api/v1"
REQUESTS = [Request("PN", None, f"/datasets/PN/part{n}") for n in range(3)]
BODY = json.dumps({"data": [{"dataset": "PN", "bmUnit": "T_A-1", "levelFrom": 10}]}).encode()


class Client:
    """Answers every request with BODY (one record), or fails the ones named in `failing`."""

    def __init__(self, failing=()):
        self.asked: list[Request] = []
        self.failing = set(failing)

    def get_all(self, requests, done):
        failures = []
        for request in requests:
            self.asked.append(request)
            if request.path in self.failing:
                failures.append(FetchError(f"{request.label}: HTTP 500 after 4 attempts"))
            else:
                done(Answer(request, BODY, records=1, attempts=1))
        return failures


def test_answers_arrive_into_the_cache_and_are_not_asked_for_again(tmp_path):
    cache = ResponseCache(tmp_path)
    seen = []
    fetched = fetch_to_cache(REQUESTS, cache, BASE, Client(), progress=lambda p: seen.append(
        (p.done, p.fetched, p.records)))  # fmt: skip
    assert (fetched.requested, fetched.from_cache) == (3, 0)
    assert seen == [(0, 0, 0), (1, 1, 1), (2, 2, 2), (3, 3, 3)]
    entry = cache.lookup(request_key(BASE, REQUESTS[0]))
    assert entry.url == BASE + "/datasets/PN/part0" and cache.body(entry) == BODY
    again = Client()
    fetched = fetch_to_cache(REQUESTS, cache, BASE, again)
    assert (fetched.requested, fetched.from_cache, again.asked) == (0, 3, [])
    refreshed = Client()
    fetch_to_cache(REQUESTS, cache, BASE, refreshed, refresh=True)
    assert refreshed.asked == REQUESTS


def test_offline_uses_the_cache_and_names_the_first_answer_missing(tmp_path):
    cache = ResponseCache(tmp_path)
    fetch_to_cache(REQUESTS[:1], cache, BASE, Client())
    assert fetch_to_cache(REQUESTS[:1], cache, BASE, None).from_cache == 1
    with pytest.raises(FetchError) as raised:
        fetch_to_cache(REQUESTS, cache, BASE, None)
    assert str(raised.value) == (
        f"offline: /datasets/PN/part1 is not in the cache {tmp_path} and 1 more; "
        "fetch without --offline first"
    )


def test_a_cancel_keeps_what_arrived(tmp_path):
    cache = ResponseCache(tmp_path)
    with pytest.raises(FetchCancelled, match="what arrived is cached, nothing was imported"):
        fetch_to_cache(REQUESTS, cache, BASE, Client(), cancelled=lambda: True)
    assert cache.lookup(request_key(BASE, REQUESTS[0])) is not None  # the one that arrived


def test_failures_after_the_retries_fail_the_fetch_naming_one_and_counting_the_rest(tmp_path):
    cache = ResponseCache(tmp_path)
    failing = {"/datasets/PN/part2", "/datasets/PN/part1"}
    with pytest.raises(FetchError) as raised:
        fetch_to_cache(REQUESTS, cache, BASE, Client(failing))
    assert str(raised.value) == (
        "/datasets/PN/part1: HTTP 500 after 4 attempts (1 more request(s) failed too); "
        "nothing was imported"
    )
    assert cache.lookup(request_key(BASE, REQUESTS[0])) is not None  # the good answer stays


def test_a_cached_answer_is_checked_again_when_read(tmp_path):
    cache = ResponseCache(tmp_path)
    fetched = fetch_to_cache(REQUESTS[:1], cache, BASE, Client())
    entry = fetched.entries[REQUESTS[0]]
    assert cached_records(cache, REQUESTS[0], entry) == json.loads(BODY)["data"]
    bod = Request("BOD", None, "/datasets/BOD")  # the same answer read as another dataset's
    with pytest.raises(FetchError) as raised:
        cached_records(cache, bod, entry)
    assert str(raised.value) == (
        f"cached answer {entry.sha256[:12]} of /datasets/BOD: data[0] is dataset 'PN', expected BOD"
    )


def test_progress_counts_requests_and_records_with_rate_and_eta(monkeypatch):
    monkeypatch.setattr("models.fetch.fetcher.time", SimpleNamespace(monotonic=lambda: 110.0))
    progress = FetchProgress(total=100, cached=20, fetched=30, records=12_345, started=100.0)
    # 30 fetched in 10 s: 3.0/s; 50 left: 16.7 s, shown as 0:00:17.
    assert progress.fraction() == 0.5
    assert progress.text() == "50/100 req, 12,345 rec, 3.0/s ETA 0:00:17"
    assert FetchProgress(total=0).fraction() == 1.0
