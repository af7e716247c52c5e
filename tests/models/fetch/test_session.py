"""Fetch against the stand-in Insights server, end to end: the same run as importing the same
files, a second fetch asks nothing, offline uses only the cache, an interrupted fetch resumes,
and an empty day where data must exist fails with nothing written."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, text

from engine.settlement_calendar import RunType
from models.db.database import SettlementDatabase
from models.db.schema import SettlementRun
from models.fetch.cache import ResponseCache
from models.fetch.client import ClientSettings, FetchError, InsightsClient
from models.fetch.fetcher import FetchCancelled
from models.fetch.provenance import read_provenance
from models.fetch.session import fetch_dates, import_dates
from models.imports.loader import import_files
from models.runs.case_store import export_case
from models.runs.run_store import find_run, list_runs
from models.runs.run_warnings import read_run_warnings
from tests.models.fetch.insights_server import (  # noqa: F401
    ELEXON,
    Fault,
    InsightsStandIn,
    loopback_only,
    recorded,
)

D = date(2022, 1, 1)
DATASETS = ("REGISTER", "PN", "BOD", "BOALF")
# One register request, 48 PN periods, 12 four-period windows each of BOD and BOALF.
REQUESTS = 1 + 48 + 12 + 12
REGISTER_FROM = date(2019, 1, 1)  # in force on 2022-01-01 (R-REG-DATED), as imported below


@pytest.fixture(scope="module")
def server():
    with InsightsStandIn() as stand_in:
        yield stand_in


@pytest.fixture(autouse=True)
def _fresh(server):
    server.faults.clear()
    server.log.clear()
    server.lolpdrm = []


def _client(server, **settings) -> InsightsClient:
    options = {"retries": 2, "backoff": 0.0, "timeout": 5.0} | settings
    return InsightsClient(ClientSettings(server.url, **options), sleep=lambda s: None)


def _fetch(server, cache, *, offline=False, days=(D,), datasets=DATASETS, **kw):
    client = None if offline else _client(server)
    try:
        return fetch_dates(
            list(days), datasets, cache, server.url, client, effective_from=REGISTER_FROM, **kw
        )
    finally:
        if client is not None:
            client.close()


def _run_document(path) -> tuple[dict, list, str]:
    with SettlementDatabase.open(path) as db:
        with db.engine.connect() as conn:
            run = find_run(conn, D, RunType.SF)
            warnings = [w.as_json() for w in read_run_warnings(conn, run.id)]
            source = conn.execute(
                select(SettlementRun.source).where(SettlementRun.id == run.id)
            ).scalar()
        return export_case(db, run.id), warnings, source


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """The same recorded files imported as files: the reference run."""
    path = tmp_path_factory.mktemp("files") / "files.sqlite"
    files = [
        ELEXON / "reference" / "bmu_register_insights_2026.csv",
        ELEXON / "insights_json" / "PN_2022-01-01.json",
        ELEXON / "insights_json" / "BOD_2022-01-01.json",
        ELEXON / "insights_json" / "BOALF_2022-01-01.json",
    ]
    with SettlementDatabase.create(path) as db:
        import_files(db, files, only_date=D, effective_from=REGISTER_FROM)
    return _run_document(path)


def test_fetch_builds_the_same_run_as_importing_the_same_files(server, imported, tmp_path):
    cache = ResponseCache(tmp_path / "cache")
    fetch = _fetch(server, cache)
    assert fetch.fetched.requested == REQUESTS and fetch.fetched.from_cache == 0
    assert len(server.log) == REQUESTS
    with SettlementDatabase.create(tmp_path / "fetched.sqlite") as db:
        results = import_dates(db, fetch)
    document, warnings, source = _run_document(tmp_path / "fetched.sqlite")
    expected_document, expected_warnings, _ = imported
    assert document == expected_document
    assert len(document["bm_units"]) > 100 and document["acceptances"]
    assert [w["rule"] for w in warnings] == [w["rule"] for w in expected_warnings]
    # Provenance: the run's source names the date's manifest, which lists every answer.
    manifest = results[0].manifest
    assert source.startswith(f"import: fetch-{manifest[:12]}-REGISTER.json, ")
    listed = json.loads((cache.root / "manifests" / f"{manifest}.json").read_text())
    assert listed["settlement_date"] == "2022-01-01"
    assert len(listed["answers"]) == REQUESTS
    assert sum(a["records"] for a in listed["answers"] if a["dataset"] == "PN") == 9027


def test_a_second_fetch_makes_no_request_and_imports_nothing_new(server, tmp_path):
    cache = ResponseCache(tmp_path / "cache")
    with SettlementDatabase.create(tmp_path / "db.sqlite") as db:
        first = import_dates(db, _fetch(server, cache))
        server.log.clear()
        again = _fetch(server, ResponseCache(tmp_path / "cache"))
        assert server.log == []
        assert again.fetched.requested == 0 and again.fetched.from_cache == REQUESTS
        second = import_dates(db, again)
    assert first[0].summary.dates[0].run_id is not None
    assert second[0].manifest == first[0].manifest  # the same answers
    assert second[0].summary.dates[0].run_id is None  # nothing new: no second run


def test_refresh_asks_again(server, tmp_path):
    cache = ResponseCache(tmp_path / "cache")
    _fetch(server, cache, datasets=("PN",))
    server.log.clear()
    again = _fetch(server, cache, datasets=("PN",), refresh=True)
    assert again.fetched.requested == 48 and len(server.log) == 48


def test_offline_uses_only_the_cache(server, imported, tmp_path):
    cache = ResponseCache(tmp_path / "cache")
    _fetch(server, cache)
    server.log.clear()
    offline = _fetch(server, ResponseCache(tmp_path / "cache"), offline=True)
    with SettlementDatabase.create(tmp_path / "offline.sqlite") as db:
        import_dates(db, offline)
    assert server.log == []
    assert _run_document(tmp_path / "offline.sqlite")[0] == imported[0]


def test_offline_without_the_answers_names_the_first_missing_one(server, tmp_path):
    with pytest.raises(FetchError) as caught:
        _fetch(server, ResponseCache(tmp_path / "empty"), offline=True)
    assert str(caught.value) == (
        f"offline: /reference/bmunits/all is not in the cache {tmp_path / 'empty'} and "
        f"{REQUESTS - 1} more; fetch without --offline first"
    )
    assert server.log == []


def test_an_interrupted_fetch_resumes_from_the_cache(server, imported, tmp_path):
    cache = ResponseCache(tmp_path / "cache")
    arrived = []
    with pytest.raises(FetchCancelled):
        _fetch(server, cache, progress=arrived.append, cancelled=lambda: len(arrived) > 20)
    kept = len((cache.root / "index.jsonl").read_text().splitlines())
    assert 20 <= kept < REQUESTS
    server.log.clear()
    resumed = _fetch(server, ResponseCache(tmp_path / "cache"))
    assert resumed.fetched.requested == REQUESTS - kept == len(server.log)
    with SettlementDatabase.create(tmp_path / "resumed.sqlite") as db:
        import_dates(db, resumed)
    assert _run_document(tmp_path / "resumed.sqlite")[0] == imported[0]


def _recorded_records(dataset: str) -> int:
    """The recorded file's records of the dataset on D, counted without the fetch's code."""
    rows = recorded()[dataset]
    return sum(r["settlementDate"] == D.isoformat() for r in rows)


def test_faults_are_survived_with_nothing_lost_or_duplicated(server, imported, tmp_path):
    server.faults += [
        Fault("settlementPeriod=5&", "status", times=2, status=429, retry_after="1"),
        Fault("settlementPeriod=6&", "status", times=1, status=503),
        Fault("settlementPeriod=7&", "status", times=2, status=500),
        Fault("settlementPeriod=8&", "cut", times=2),
        Fault("settlementPeriod=9&", "garbage", times=1),
        Fault("/datasets/BOD", "slow", times=2, seconds=0.6),
        Fault("/reference/bmunits/all", "cut", times=1),
        Fault("/datasets/BOALF?from=2022-01-01&to=2022-01-01&settlementPeriodFrom=13&",
              "status", times=1, status=503, retry_after="Thu, 01 Jan 2015 00:00:00 GMT"),
    ]  # fmt: skip
    cache = ResponseCache(tmp_path / "cache")
    waits: list[float] = []
    settings = ClientSettings(server.url, retries=2, backoff=0.0, timeout=0.3)
    with InsightsClient(settings, sleep=waits.append) as client:
        fetch = fetch_dates([D], DATASETS, cache, server.url, client, effective_from=REGISTER_FROM)
    # Every fault cost one more request, and the 429s waited the second Retry-After asked for.
    assert len(server.log) == REQUESTS + 2 + 1 + 2 + 2 + 1 + 2 + 1 + 1
    assert waits.count(1.0) == 2 and len(waits) == 12
    # Each request's answer is cached once, and no faulty body was: one index line a request.
    lines = [json.loads(x) for x in (cache.root / "index.jsonl").read_text().splitlines()]
    assert len(lines) == len({x["key"] for x in lines}) == REQUESTS
    # Nothing lost, nothing twice: the staged records are the recorded files' records.
    files = fetch.staged[0].files
    for dataset in ("PN", "BOD", "BOALF"):
        assert len(files[dataset]) == _recorded_records(dataset), dataset
    assert len(files["REGISTER"]) == len(server.register)
    with SettlementDatabase.create(tmp_path / "faults.sqlite") as db:
        (result,) = import_dates(db, fetch)
        with db.engine.connect() as conn:
            responses = read_provenance(conn, result.summary.dates[0].run_id)
    assert result.summary.duplicates == 0  # no record arrived twice (the importer collapses them)
    assert {d: result.summary.records[d] for d in ("PN", "BOD", "BOALF")} == {
        d: _recorded_records(d) for d in ("PN", "BOD", "BOALF")
    }
    assert len(responses) == REQUESTS
    assert sorted(r.sha256 for r in responses) == sorted(x["sha256"] for x in lines)
    assert _run_document(tmp_path / "faults.sqlite")[0] == imported[0]
    # A second fetch of the same range makes no request, and imports nothing new.
    server.log.clear()
    again = _fetch(server, ResponseCache(tmp_path / "cache"))
    assert server.log == [] and again.fetched.from_cache == REQUESTS
    with SettlementDatabase.open(tmp_path / "faults.sqlite") as db:
        (second,) = import_dates(db, again)
    assert second.summary.dates[0].run_id is None


def test_a_failure_after_retries_imports_nothing_but_keeps_the_good_answers(server, tmp_path):
    server.faults.append(Fault("settlementPeriod=30&", "status", times=99, status=500))
    cache = ResponseCache(tmp_path / "cache")
    with pytest.raises(FetchError) as caught:
        _fetch(server, cache, datasets=("PN",))
    assert str(caught.value) == (
        "/datasets/PN?settlementDate=2022-01-01&settlementPeriod=30&format=json: HTTP 500 "
        "Internal Server Error (after 3 attempts); nothing was imported"
    )
    assert len((cache.root / "index.jsonl").read_text().splitlines()) == 47


def test_an_empty_day_where_data_must_exist_is_a_bad_answer(server, tmp_path):
    server.faults.append(Fault("/datasets/PN", "empty", times=99))
    with pytest.raises(FetchError) as caught:
        _fetch(server, ResponseCache(tmp_path / "cache"), datasets=("PN",))
    assert str(caught.value) == (
        "PN 2022-01-01: every answer (48 request(s), e.g. /datasets/PN?settlementDate="
        "2022-01-01&settlementPeriod=1&format=json) is empty, but every settlement day has PN "
        "records; nothing was imported"
    )


def test_an_empty_answer_of_a_sparse_dataset_is_fine(server, tmp_path):
    # 2022-01-02 has BOALF but no BOD in the recorded files: BOALF is not required every day.
    fetch = _fetch(server, ResponseCache(tmp_path / "c"), days=(date(2022, 1, 2),),
                   datasets=("PN", "BOALF"))  # fmt: skip
    assert set(fetch.staged[0].files) == {"PN", "BOALF"}
    assert len(fetch.staged[0].files["BOALF"]) == 2581


def test_the_cache_index_records_url_parameters_time_and_sha256(server, tmp_path):
    cache = ResponseCache(tmp_path / "cache")
    before = datetime.now(UTC).replace(microsecond=0)
    _fetch(server, cache, datasets=("PN",))
    lines = [json.loads(x) for x in (cache.root / "index.jsonl").read_text().splitlines()]
    assert len(lines) == 48
    line = next(x for x in lines if x["params"]["settlementPeriod"] == "27")
    assert line["url"] == server.url + "/datasets/PN"
    assert line["params"] == {
        "settlementDate": "2022-01-01", "settlementPeriod": "27", "format": "json"
    }  # fmt: skip
    assert datetime.fromisoformat(line["fetched_at"]) >= before
    body = (cache.root / "objects" / line["sha256"][:2] / f"{line['sha256']}.json").read_bytes()
    assert hashlib.sha256(body).hexdigest() == line["sha256"] and len(body) == line["size"]
    assert {r["settlementPeriod"] for r in json.loads(body)["data"]} == {27}


def test_a_cache_object_changed_on_disk_is_refused(server, tmp_path):
    cache = ResponseCache(tmp_path / "cache")
    _fetch(server, cache, datasets=("PN",))
    line = json.loads((cache.root / "index.jsonl").read_text().splitlines()[0])
    path = cache.root / "objects" / line["sha256"][:2] / f"{line['sha256']}.json"
    path.write_bytes(path.read_bytes().replace(b"2022-01-01", b"2022-01-09", 1))
    with pytest.raises(OSError, match="does not match its sha256"):
        _fetch(server, ResponseCache(tmp_path / "cache"), datasets=("PN",), offline=True)


def test_a_cut_off_index_line_is_ignored_and_its_answer_fetched_again(server, tmp_path):
    cache = ResponseCache(tmp_path / "cache")
    _fetch(server, cache, datasets=("PN",))
    index = cache.root / "index.jsonl"
    text = index.read_text()
    index.write_text(text[: len(text) - 40])  # the last line cut off, as by a power cut
    server.log.clear()
    again = _fetch(server, ResponseCache(tmp_path / "cache"), datasets=("PN",))
    assert again.fetched.requested == 1 == len(server.log)


def _documents(path, day):
    with SettlementDatabase.open(path) as db, db.engine.connect() as conn:
        runs = [r for r in list_runs(conn, day) if r.kind == "run"]
        assert len(runs) == 1
        return runs[0], export_case(db, runs[0].id)


def test_disbsad_of_a_day_fetched_is_the_recorded_download(server, tmp_path):
    day = date(2025, 12, 1)
    fetch = _fetch(server, ResponseCache(tmp_path / "c"), days=(day,), datasets=("DISBSAD",))
    # DISBSAD is asked for a whole day at once (settlement periods 1-50 of the date).
    assert server.log == [
        "/bmrs/api/v1/datasets/DISBSAD?from=2025-12-01&to=2025-12-01&settlementPeriodFrom=1"
        "&settlementPeriodTo=48&format=json"
    ]
    with SettlementDatabase.create(tmp_path / "fetched.sqlite") as db:
        import_dates(db, fetch)
    with SettlementDatabase.create(tmp_path / "file.sqlite") as db:
        import_files(db, [ELEXON / "bsad" / "disbsad_2025-12-01.json"], only_date=day)
    _, fetched = _documents(tmp_path / "fetched.sqlite", day)
    _, filed = _documents(tmp_path / "file.sqlite", day)
    assert fetched == filed
    assert len(fetched["bsad"]) == 155


def test_system_prices_of_a_short_day_fetched_are_the_recorded_answer(server, tmp_path):
    day = date(2026, 3, 29)  # 46 periods
    fetch = _fetch(server, ResponseCache(tmp_path / "c"), days=(day,), datasets=("DISEBSP",))
    assert server.log == ["/bmrs/api/v1/balancing/settlement/system-prices/2026-03-29?format=json"]
    with SettlementDatabase.create(tmp_path / "fetched.sqlite") as db:
        (result,) = import_dates(db, fetch)
    with SettlementDatabase.create(tmp_path / "file.sqlite") as db:
        filed = import_files(db, [ELEXON / "system_prices" / "disebsp_2026-03-29.json"])
    assert result.summary.dates[0].records == filed.dates[0].records
    assert result.summary.dates[0].records["published prices"] == 46


def test_two_dates_are_two_imports_each_with_its_own_manifest(server, tmp_path):
    days = (D, date(2022, 1, 2))
    fetch = _fetch(server, ResponseCache(tmp_path / "c"), days=days, datasets=("PN", "BOALF"))
    assert fetch.fetched.requested == 2 * (48 + 12) == len(server.log)
    with SettlementDatabase.create(tmp_path / "two.sqlite") as db:
        results = import_dates(db, fetch)
    assert [r.day for r in results] == list(days)
    assert results[0].manifest != results[1].manifest
    runs = [r.summary.dates for r in results]
    assert [[p.settlement_date for p in parts] for parts in runs] == [
        ["2022-01-01"],
        ["2022-01-02"],
    ]
    assert [r.summary.records["PN"] for r in results] == [9027, 9193]
    assert [r.summary.records["BOALF"] for r in results] == [3720, 2581]


def _stack_item(period: int, sequence: int, volume: float) -> dict:
    # SettlementStackResponse as the Insights OpenAPI document describes it (startTime and
    # createdDateTime are not read; neither a dataset nor the side is stated).
    start = datetime(2022, 1, 1, tzinfo=UTC) + timedelta(minutes=30 * (period - 1))
    return {
        "settlementDate": "2022-01-01", "settlementPeriod": period,
        "startTime": f"{start:%Y-%m-%dT%H:%M:%SZ}", "createdDateTime": "2022-01-01T23:05:03.12Z",
        "sequenceNumber": sequence,
        "id": f"T_UNIT-{sequence}", "acceptanceId": None, "bidOfferPairId": None,
        "cadlFlag": False, "soFlag": True, "storProviderFlag": False, "repricedIndicator": False,
        "reserveScarcityPrice": None, "originalPrice": 50.0, "volume": volume,
        "dmatAdjustedVolume": volume, "arbitrageAdjustedVolume": volume,
        "nivAdjustedVolume": volume, "parAdjustedVolume": volume, "finalPrice": 50.0,
        "transmissionLossMultiplier": 1.0, "tlmAdjustedVolume": volume,
        "tlmAdjustedCost": 50.0 * volume,
    }  # fmt: skip


def test_stack_items_are_placed_in_the_stack_their_url_names(server, tmp_path, monkeypatch):
    # No stack is recorded in the shared data: two hand-made items of period 27, one of zero
    # volume and no pair, which only the URL places (in the offer, that is the buy, stack).
    def document(path, query):
        answer = {"metadata": {"datasets": ["ISPSTACK"]}, "data": []}
        if "/stack/all/offer/2022-01-01/27" in path:
            return answer | {"data": [_stack_item(27, 1, 12.5), _stack_item(27, 2, 0.0)]}
        if "/stack/all/bid/2022-01-01/27" in path:
            return answer | {"data": [_stack_item(27, 1, -3.0)]}
        return answer

    monkeypatch.setattr(server, "_document", document)
    fetch = _fetch(server, ResponseCache(tmp_path / "c"), datasets=("ISPSTACK",))
    assert len(server.log) == 96
    staged = fetch.staged[0].files["ISPSTACK"]
    assert [(r["sequenceNumber"], r["bidOffer"]) for r in staged] == [
        (1, "bid"), (1, "offer"), (2, "offer")
    ]  # fmt: skip
    with SettlementDatabase.create(tmp_path / "stack.sqlite") as db:
        (result,) = import_dates(db, fetch)
        assert result.summary.dates[0].records["published stack items"] == 3
        with db.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT side, sequence, volume FROM stack_item_result ORDER BY side, sequence")
            ).all()
    assert [tuple(r) for r in rows] == [("buy", 1, 12.5), ("buy", 2, 0.0), ("sell", 1, -3.0)]


def _publication(start: datetime, hours: int, lolp: float, late: int = 7) -> dict:
    """A LOLPDRM record as the Insights OpenAPI document describes it: the forecast for the
    period starting at `start`, published `late` minutes into the half hour `hours` before."""
    commencing = start - timedelta(hours=hours)
    day, period = (
        date(2022, 1, 1),
        1 + int((start - datetime(2022, 1, 1, tzinfo=UTC)) // timedelta(minutes=30)),
    )
    if period > 48:
        day, period = date(2022, 1, 2), period - 48
    return {
        "dataset": "LOLPDRM",
        "publishTime": f"{commencing + timedelta(minutes=late):%Y-%m-%dT%H:%M:%SZ}",
        "publishingPeriodCommencingTime": f"{commencing:%Y-%m-%dT%H:%MZ}",
        "startTime": f"{start:%Y-%m-%dT%H:%MZ}",
        "settlementDate": day.isoformat(),
        "settlementPeriod": period,
        "lossOfLoadProbability": lolp,
        "deratedMargin": 5000.0 + period,
    }


def test_lolpdrm_keeps_the_one_hour_forecast_of_each_period_of_the_date(server, tmp_path):
    midnight = datetime(2022, 1, 1, tzinfo=UTC)  # GMT: local midnight is 00:00Z
    starts = [midnight + timedelta(minutes=30 * n) for n in range(-2, 50)]
    # Every period from 23:00 the day before to 00:30 the day after, 1, 2 and 4 hours ahead;
    # the 1-hour forecast of period p is p / 1000 (period 20's published 40 minutes late).
    server.lolpdrm = [
        _publication(start, hours, lolp=0.5 + hours, late=7) for start in starts for hours in (2, 4)
    ] + [
        _publication(start, 1, lolp=(n - 1) / 1000, late=40 if n == 21 else 7)
        for n, start in enumerate(starts)
    ]
    fetch = _fetch(server, ResponseCache(tmp_path / "c"), datasets=("LOLPDRM",))
    assert server.log == [
        "/bmrs/api/v1/datasets/LOLPDRM?publishDateTimeFrom=2021-12-31T23%3A00Z"
        "&publishDateTimeTo=2022-01-02T00%3A00Z&format=json"
    ]
    staged = fetch.staged[0].files["LOLPDRM"]
    published = [r["publishTime"] for r in staged]
    assert min(published) >= "2021-12-31T23:00" and max(published) <= "2022-01-02T00:00"
    with SettlementDatabase.create(tmp_path / "lolp.sqlite") as db:
        (result,) = import_dates(db, fetch)
        with db.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT period, lolp, derated_margin FROM lolp ORDER BY period")
            ).all()
    assert [tuple(r) for r in rows] == [(p, p / 1000, 5000.0 + p) for p in range(1, 49)]
    assert "LoLP forecasts other than the 1-hour-ahead one were left out" in " ".join(
        result.summary.notes
    )
