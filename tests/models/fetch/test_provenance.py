"""A fetched run records the Insights response each of its records came from (fetched_response),
in the import's transaction: against the stand-in server, every stored record is found in the
cached body of the response its dataset, date and period name."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime

import pytest
from sqlalchemy import select

from engine.settlement_calendar import RunType
from models.db.database import SettlementDatabase
from models.db.schema import BidOfferSegment, FetchedResponse, SettlementRun
from models.fetch.cache import ResponseCache
from models.fetch.client import ClientSettings, InsightsClient
from models.fetch.provenance import read_provenance, response_of
from models.fetch.session import fetch_dates, import_dates
from models.imports.report import ImportRejected
from models.runs.run_store import delete_run, find_run
from tests.models.fetch.insights_server import Fault, InsightsStandIn, loopback_only  # noqa: F401

D = date(2022, 1, 1)
REGISTER_FROM = date(2019, 1, 1)


@pytest.fixture(scope="module")
def server():
    with InsightsStandIn() as stand_in:
        yield stand_in


@pytest.fixture(autouse=True)
def _fresh(server):
    server.faults.clear()
    server.log.clear()


def _fetch(server, cache, datasets):
    client = InsightsClient(
        ClientSettings(server.url, retries=1, backoff=0.0, timeout=5.0), sleep=lambda s: None
    )
    try:
        return fetch_dates([D], datasets, cache, server.url, client, effective_from=REGISTER_FROM)
    finally:
        client.close()


def _index(cache) -> dict[str, dict]:
    lines = [json.loads(x) for x in (cache.root / "index.jsonl").read_text().splitlines()]
    return {line["sha256"]: line for line in lines}


def test_every_stored_bid_offer_record_is_in_the_response_its_period_names(server, tmp_path):
    cache = ResponseCache(tmp_path / "cache")
    fetch = _fetch(server, cache, ("REGISTER", "PN", "BOD"))
    with SettlementDatabase.create(tmp_path / "db.sqlite") as db:
        (result,) = import_dates(db, fetch)
        with db.engine.connect() as conn:
            run = find_run(conn, D, RunType.SF)
            rows = read_provenance(conn, run.id)
            dataset_id = conn.execute(
                select(SettlementRun.bm_dataset_id).where(SettlementRun.id == run.id)
            ).scalar()
            bod = BidOfferSegment.__table__
            stored = conn.execute(
                select(bod.c.bm_unit_id, bod.c.period, bod.c.pair, bod.c.time_from).where(
                    bod.c.dataset_id == dataset_id
                )
            ).all()
    # One register answer, 48 PN periods, 12 BOD windows of four periods, in file order.
    assert [r.dataset for r in rows] == ["REGISTER"] + ["PN"] * 48 + ["BOD"] * 12
    assert [(r.period_from, r.period_to) for r in rows if r.dataset == "BOD"] == [
        (p, p + 3) for p in range(1, 49, 4)
    ]
    assert rows[0].settlement_date is None and rows[0].period_from is None
    assert sum(r.records for r in rows if r.dataset == "PN") == 9027
    # Each response's records follow the previous one's in the staged file.
    bod_rows = [r for r in rows if r.dataset == "BOD"]
    assert [r.first_record for r in bod_rows] == [
        sum(x.records for x in bod_rows[:n]) for n in range(12)
    ]
    # Every stored BOD record is in the body of the response its period names, and each
    # response's records are stored exactly once: nothing unaccounted for, nothing twice.
    by_response: dict[str, Counter] = {}
    for unit, period, pair, time_from in stored:
        response = response_of(rows, "BOD", period)
        by_response.setdefault(response.sha256, Counter())[(unit, period, pair, time_from)] += 1
    assert len(stored) == sum(r.records for r in bod_rows) == 14964
    for response in bod_rows:
        sha = response.sha256
        body = json.loads((cache.root / "objects" / sha[:2] / f"{sha}.json").read_bytes())
        expected = Counter(
            (
                r["bmUnit"],
                r["settlementPeriod"],
                r["pairId"],
                int(datetime.fromisoformat(r["timeFrom"].replace("Z", "+00:00")).timestamp()),
            )
            for r in body["data"]
        )
        assert by_response[response.sha256] == expected
    # The rows say what the cache's index says of each body.
    index = _index(cache)
    for response in rows:
        line = index[response.sha256]
        assert (response.url, response.params) == (line["url"], line["params"])
        assert response.fetched_at.isoformat() + "+00:00" == line["fetched_at"]
    assert (
        f"2022-01-01: run {run.id} records the 61 Insights response(s) its records came from "
        "(settlement-workbench show --provenance lists them)"
    ) in result.summary.notes


def test_a_refused_import_records_no_provenance(server, tmp_path):
    server.faults.append(Fault("/datasets/BOD", "bad_level", times=99))
    fetch = _fetch(server, ResponseCache(tmp_path / "cache"), ("REGISTER", "PN", "BOD"))
    with SettlementDatabase.create(tmp_path / "db.sqlite") as db:
        with pytest.raises(ImportRejected):
            import_dates(db, fetch)
        with db.engine.connect() as conn:
            assert conn.execute(select(FetchedResponse.__table__)).all() == []


def test_a_run_carrying_records_forward_carries_their_responses(server, tmp_path):
    cache = ResponseCache(tmp_path / "cache")
    with SettlementDatabase.create(tmp_path / "db.sqlite") as db:
        (first,) = import_dates(db, _fetch(server, cache, ("REGISTER", "PN")))
        (second,) = import_dates(db, _fetch(server, cache, ("BOALF",)))
        first_id = first.summary.dates[0].run_id
        second_id = second.summary.dates[0].run_id
        assert second.summary.dates[0].base_run_id == first_id != second_id
        with db.engine.begin() as conn:
            rows = read_provenance(conn, second_id)
            # BOALF fetched for the new run, then the PN and register of the run it carries.
            assert Counter((r.dataset, r.carried_from_run_id) for r in rows) == {
                ("BOALF", None): 12,
                ("PN", first_id): 48,
                ("REGISTER", first_id): 1,
            }
            assert response_of(rows, "PN", 27).params["settlementPeriod"] == "27"
            assert response_of(rows, "BOALF", 27).span == "2022-01-01 SP25-28"
            assert response_of(rows, "MID", 27) is None  # not fetched: nothing claimed
            # Deleting a run deletes its provenance; the other run's carried rows stay.
            delete_run(conn, second_id)
            table = FetchedResponse.__table__
            assert set(conn.execute(select(table.c.run_id).distinct()).scalars()) == {first_id}


def test_published_figures_joining_a_run_add_their_responses_to_it(server, tmp_path, monkeypatch):
    cache = ResponseCache(tmp_path / "cache")
    with SettlementDatabase.create(tmp_path / "db.sqlite") as db:
        (first,) = import_dates(db, _fetch(server, cache, ("REGISTER", "PN")))
        real = server._document

        def document(path, query):
            if "/stack/all/offer/2022-01-01/27" in path:
                return {"metadata": {"datasets": ["ISPSTACK"]}, "data": [_stack_item(27)]}
            return real(path, query)

        monkeypatch.setattr(server, "_document", document)
        (second,) = import_dates(db, _fetch(server, cache, ("PN", "ISPSTACK")))
        run_id = first.summary.dates[0].run_id
        assert second.summary.dates[0].attached and second.summary.dates[0].run_id == run_id
        with db.engine.connect() as conn:
            rows = read_provenance(conn, run_id)
    assert [r.number for r in rows] == list(range(49 + 96))
    assert Counter(r.dataset for r in rows) == {"REGISTER": 1, "PN": 48, "ISPSTACK": 96}
    stack = response_of(rows, "ISPSTACK", 27)
    assert stack.records == 0  # the bid side of period 27 comes first, and is empty
    offer = [r for r in rows if r.dataset == "ISPSTACK" and r.records]
    assert [(r.url.rsplit("/", 3)[-3:], r.first_record) for r in offer] == [
        (["offer", "2022-01-01", "27"], 0)
    ]


def _stack_item(period: int) -> dict:
    return {
        "settlementDate": "2022-01-01", "settlementPeriod": period,
        "startTime": "2022-01-01T13:00:00Z", "createdDateTime": "2022-01-01T14:05:10.12Z",
        "sequenceNumber": 1, "id": "T_UNIT-1", "acceptanceId": None, "bidOfferPairId": None,
        "cadlFlag": False, "soFlag": True, "storProviderFlag": False, "repricedIndicator": False,
        "reserveScarcityPrice": None, "originalPrice": 50.0, "volume": 12.5,
        "dmatAdjustedVolume": 12.5, "arbitrageAdjustedVolume": 12.5, "nivAdjustedVolume": 12.5,
        "parAdjustedVolume": 12.5, "finalPrice": 50.0, "transmissionLossMultiplier": 1.0,
        "tlmAdjustedVolume": 12.5, "tlmAdjustedCost": 625.0,
    }  # fmt: skip
