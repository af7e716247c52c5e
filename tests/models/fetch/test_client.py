"""The Insights client against a real HTTP server on 127.0.0.1: answers, retries, backoff,
Retry-After, timeouts, cut-off and non-JSON bodies, wrong answers, bounded parallelism."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.fetch.client import ClientSettings, FetchError, InsightsClient, retry_after
from models.fetch.endpoints import ENDPOINTS
from tests.models.fetch.insights_server import Fault, InsightsStandIn, loopback_only  # noqa: F401

D = date(2022, 1, 1)
PN_27 = ENDPOINTS["PN"].plan(D)[26]


@pytest.fixture
def server():
    with InsightsStandIn() as stand_in:
        yield stand_in


def client(server, **settings) -> tuple[InsightsClient, list[float]]:
    waits: list[float] = []
    options = {"retries": 3, "backoff": 0.5, "timeout": 5.0} | settings
    return InsightsClient(ClientSettings(server.url, **options), sleep=waits.append), waits


def test_a_period_of_pn_is_the_recorded_records_of_that_period(server, elexon_data):
    import json

    recorded = json.loads((elexon_data / "insights_json" / "PN_2022-01-01.json").read_text())
    expected = [r for r in recorded["data"] if r["settlementPeriod"] == 27]
    c, waits = client(server)
    with c:
        answer = c.get(PN_27)
    assert json.loads(answer.body)["data"] == expected
    assert answer.records == len(expected) > 100
    assert answer.attempts == 1 and waits == []
    assert server.log == ["/bmrs/api/v1/datasets/PN?settlementDate=2022-01-01&settlementPeriod=27"
                          "&format=json"]  # fmt: skip


def test_429_waits_as_long_as_retry_after_says(server):
    server.faults.append(Fault("settlementPeriod=27", "status", times=2, status=429,
                               retry_after="7"))  # fmt: skip
    c, waits = client(server)
    with c:
        answer = c.get(PN_27)
    assert answer.attempts == 3
    assert waits == [7.0, 7.0]  # not the backoff's 0.5 and 1.0


def test_503_retry_after_as_an_http_date_and_its_cap(server):
    server.faults.append(Fault("settlementPeriod=27", "status", status=503,
                               retry_after="Wed, 21 Oct 2099 07:28:00 GMT"))  # fmt: skip
    c, waits = client(server, max_retry_after=30.0)
    with c:
        assert c.get(PN_27).attempts == 2
    assert waits == [30.0]


def test_retry_after_parsing():
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert retry_after("120", now) == 120.0
    assert retry_after("Thu, 01 Jan 2026 12:00:30 GMT", now) == 30.0
    assert retry_after("Thu, 01 Jan 2026 11:00:00 GMT", now) == 0.0  # in the past: now
    assert retry_after("soon", now) is None
    assert retry_after(None, now) is None


@given(seconds=st.integers(min_value=0, max_value=10**6))
def test_retry_after_in_seconds_is_those_seconds(seconds):
    assert retry_after(str(seconds)) == float(seconds)
    assert retry_after(f" {seconds} ") == float(seconds)


def test_500_backs_off_exponentially_then_succeeds(server):
    server.faults.append(Fault("settlementPeriod=27", "status", times=3, status=500))
    c, waits = client(server)
    with c:
        assert c.get(PN_27).attempts == 4
    assert waits == [0.5, 1.0, 2.0]


def test_backoff_is_capped(server):
    server.faults.append(Fault("settlementPeriod=27", "status", times=3, status=502))
    c, waits = client(server, backoff=10.0, max_backoff=15.0)
    with c:
        c.get(PN_27)
    assert waits == [10.0, 15.0, 15.0]


def test_500_on_every_attempt_is_one_line_naming_the_request(server):
    server.faults.append(Fault("settlementPeriod=27", "status", times=99, status=500))
    c, waits = client(server)
    with c, pytest.raises(FetchError) as caught:
        c.get(PN_27)
    assert waits == [0.5, 1.0, 2.0]  # no wait after the last attempt
    message = str(caught.value)
    assert "\n" not in message
    assert message == (
        "/datasets/PN?settlementDate=2022-01-01&settlementPeriod=27&format=json: "
        "HTTP 500 Internal Server Error (after 4 attempts)"
    )
    assert server.requests_for("settlementPeriod=27") == 4


def test_404_is_final_not_retried(server):
    bad = PN_27.__class__("PN", D, "/datasets/NOSUCH", PN_27.params, PN_27.periods)
    c, waits = client(server)
    with c, pytest.raises(FetchError, match="HTTP 404 Not Found"):
        c.get(bad)
    assert waits == [] and len(server.log) == 1


def test_a_slow_answer_times_out_and_is_asked_again(server):
    server.faults.append(Fault("settlementPeriod=27", "slow", seconds=1.0))
    c, waits = client(server, timeout=0.2)
    with c:
        answer = c.get(PN_27)
    assert answer.attempts == 2 and answer.records > 100
    assert waits == [0.5]


def test_a_body_cut_off_before_its_length_is_asked_again(server):
    server.faults.append(Fault("settlementPeriod=27", "cut", times=2))
    c, waits = client(server)
    with c:
        answer = c.get(PN_27)
    assert answer.attempts == 3 and answer.records > 100
    assert waits == [0.5, 1.0]


def test_a_body_cut_off_every_time_fails_with_the_transport_error(server):
    server.faults.append(Fault("settlementPeriod=27", "cut", times=99))
    c, _ = client(server, retries=1)
    with c, pytest.raises(FetchError, match=r"connection failed .*\(after 2 attempts\)"):
        c.get(PN_27)


def test_a_non_json_body_is_asked_again_then_fails(server):
    server.faults.append(Fault("settlementPeriod=27", "garbage", times=99))
    c, waits = client(server, retries=2)
    with c, pytest.raises(FetchError, match=r"not valid JSON .* \(after 3 attempts\)"):
        c.get(PN_27)
    assert waits == [0.5, 1.0]


def test_an_answer_for_another_date_is_wrong_and_not_retried(server):
    server.faults.append(Fault("settlementPeriod=27", "wrong_date", times=99))
    c, waits = client(server)
    with c, pytest.raises(FetchError) as caught:
        c.get(PN_27)
    assert "wrong answer: data[0] settlementDate '2021-12-31', expected 2022-01-01" in str(
        caught.value
    )
    assert waits == [] and len(server.log) == 1


def test_an_answer_for_another_dataset_is_wrong(server):
    server.faults.append(Fault("settlementPeriod=27", "wrong_dataset", times=99))
    c, _ = client(server)
    with c, pytest.raises(FetchError, match="data\\[0\\] is dataset 'QPN', expected PN"):
        c.get(PN_27)


def test_an_answer_for_another_period_is_wrong(server):
    other = ENDPOINTS["PN"].plan(D)[27]  # period 28, served from a period-27 request below
    wrong = other.__class__("PN", D, other.path, PN_27.params, other.periods)
    c, _ = client(server)
    with c, pytest.raises(FetchError, match="settlementPeriod 27, expected 28"):
        c.get(wrong)


def test_at_most_parallel_requests_are_in_flight(server):
    requests = ENDPOINTS["PN"].plan(D)[:12]
    for r in requests:
        server.faults.append(Fault(r.label, "slow", seconds=0.15))
    in_flight, peak, lock = [0], [0], threading.Lock()
    real = server._answer

    def counting(handler):
        with lock:
            in_flight[0] += 1
            peak[0] = max(peak[0], in_flight[0])
        try:
            real(handler)
        finally:
            with lock:
                in_flight[0] -= 1

    server._answer = counting
    got = []
    c, _ = client(server, parallel=3)
    with c:
        failures = c.get_all(requests, got.append)
    assert failures == []
    assert sorted(a.request.periods for a in got) == [(p, p) for p in range(1, 13)]
    assert peak[0] == 3


def test_the_guard_fails_a_connection_beyond_the_loopback():
    import socket

    with pytest.raises(pytest.fail.Exception, match=r"only 127\.0\.0\.1 is allowed"):
        socket.create_connection(("192.0.2.1", 80), timeout=0.1)  # TEST-NET-1, never routed
    with pytest.raises(pytest.fail.Exception, match=r"only 127\.0\.0\.1 is allowed"):
        socket.getaddrinfo("data.elexon.co.uk", 443)
