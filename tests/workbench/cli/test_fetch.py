"""`settlement-workbench fetch` against the stand-in Insights server on 127.0.0.1: a day
fetched and imported, a second fetch from the cache, and bad answers as one line, exit 2,
nothing written."""

from __future__ import annotations

import json

import pytest

from models.fetch.fetcher import FetchProgress
from tests.models.fetch.insights_server import Fault, InsightsStandIn, loopback_only  # noqa: F401
from workbench.cli.main import main

DATASETS = "REGISTER,PN,BOD,BOALF"


@pytest.fixture(scope="module")
def server():
    with InsightsStandIn() as stand_in:
        yield stand_in


@pytest.fixture(autouse=True)
def _fresh(server, monkeypatch):
    server.faults.clear()
    server.log.clear()
    monkeypatch.setenv("SETTLEMENT_WORKBENCH_FETCH_BACKOFF", "0")


def _args(server, tmp_path, *more, datasets=DATASETS):
    return [
        "fetch",
        "--db",
        str(tmp_path / "db.sqlite"),
        "--from",
        "2022-01-01",
        "--datasets",
        datasets,
        "--base-url",
        server.url,
        "--cache",
        str(tmp_path / "cache"),
        "--effective-from",
        "2019-01-01",
        *more,
    ]


def test_fetch_a_day_then_again_from_the_cache(server, tmp_path, capsys):
    assert main(_args(server, tmp_path)) == 0
    out = capsys.readouterr()
    assert out.out.startswith(
        f"Fetched 73 answer(s) from the server, 0 from the cache {tmp_path / 'cache'}\n"
        "2022-01-01: manifest "
    )
    assert "    PN             9,027 record(s)\n" in out.out
    assert "    2022-01-01: run 1 2022-01-01 SF\n" in out.out
    assert "Contains BMRS data © Elexon Limited" in out.out
    assert f"created {tmp_path / 'db.sqlite'}" in out.err
    assert len(server.log) == 73
    server.log.clear()
    assert main([*_args(server, tmp_path), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert server.log == []
    assert document["requests"] == 0 and document["from_cache"] == 73
    (day,) = document["dates"]
    assert day["settlement_date"] == "2022-01-01"
    assert day["files"] == [f"fetch-{day['manifest'][:12]}-{d}.json" for d in DATASETS.split(",")]
    assert day["import"]["dates"][0]["run_id"] is None  # nothing new


def test_offline_with_nothing_cached_is_one_line_and_writes_nothing(server, tmp_path, capsys):
    assert main([*_args(server, tmp_path, datasets="PN"), "--offline"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("settlement-workbench: error: offline: /datasets/PN?settlementDate=")
    assert not (tmp_path / "db.sqlite").exists() and server.log == []


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        (Fault("settlementPeriod=3&", "status", times=99, status=500),
         "HTTP 500 Internal Server Error (after 5 attempts)"),
        (Fault("settlementPeriod=3&", "status", times=99, status=429, retry_after="0"),
         "HTTP 429 Too Many Requests (after 5 attempts)"),
        (Fault("settlementPeriod=3&", "cut", times=99), "connection failed (RemoteProtocolError"),
        (Fault("settlementPeriod=3&", "garbage", times=99),
         "not valid JSON (Expecting value at line 1 column 1 of 57 bytes: cut off?)"),
        (Fault("settlementPeriod=3&", "wrong_date", times=99),
         "wrong answer: data[0] settlementDate '2021-12-31', expected 2022-01-01"),
        (Fault("settlementPeriod=3&", "wrong_dataset", times=99),
         "wrong answer: data[0] is dataset 'QPN', expected PN"),
    ],
)  # fmt: skip
def test_a_bad_answer_is_one_line_exit_2_nothing_written(server, tmp_path, capsys, fault, reason):
    server.faults.append(fault)
    assert main(_args(server, tmp_path, datasets="PN")) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith(
        "settlement-workbench: error: /datasets/PN?settlementDate=2022-01-01&settlementPeriod=3"
        "&format=json: "
    )
    assert reason in err
    assert err.rstrip().endswith("nothing was imported")
    assert not (tmp_path / "db.sqlite").exists()


def test_bad_arguments(server, tmp_path, capsys):
    assert main([*_args(server, tmp_path), "--to", "2021-12-31"]) == 2
    assert "--to 2021-12-31 is before --from 2022-01-01" in capsys.readouterr().err
    with pytest.raises(SystemExit) as caught:
        main(_args(server, tmp_path, datasets="PN,FOO"))
    assert caught.value.code == 2
    assert "unknown dataset FOO: expected some of PN,QPN," in capsys.readouterr().err
    with pytest.raises(SystemExit) as caught:
        main([*_args(server, tmp_path), "--offline", "--refresh"])
    assert caught.value.code == 2
    assert "--refresh: not allowed with argument --offline" in capsys.readouterr().err
    assert server.log == []


def test_progress_text_counts_requests_records_rate_and_eta(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr("models.fetch.fetcher.time.monotonic", lambda: clock[0])
    progress = FetchProgress(total=100, cached=20)
    progress.fetched, progress.records = 30, 12_345
    clock[0] = 110.0  # 30 answers in 10 s: 3/s; 50 left: 17 s
    assert progress.text() == "50/100 req, 12,345 rec, 3.0/s ETA 0:00:17"
    assert progress.fraction() == 0.5
    progress.fetched = 80
    assert progress.text() == "100/100 req, 12,345 rec, 8.0/s"


def test_a_record_the_importer_refuses_is_reported_and_nothing_written(server, tmp_path, capsys):
    server.faults.append(Fault("settlementPeriod=3&", "bad_level"))
    assert main(_args(server, tmp_path, datasets="PN")) == 2
    err = capsys.readouterr().err
    assert "-PN.json, data[399]: levelFrom = 'high': expected a number\n" in err
    # Periods 1 and 2 hold 200 and 199 records: data[399] is the first record of period 3.
    assert (
        "The first refused record is record 0 of /datasets/PN?settlementDate=2022-01-01&"
        "settlementPeriod=3&format=json (cached answer "
    ) in err
    assert err.rstrip().splitlines()[-1] == (
        "settlement-workbench: error: 2022-01-01 was not imported (its answers stay in the "
        "cache; --refresh asks for them again)"
    )
    assert not (tmp_path / "db.sqlite").exists()


def test_show_provenance_lists_the_responses_of_the_fetched_run(server, tmp_path, capsys):
    assert main(_args(server, tmp_path, datasets="PN,BOALF")) == 0
    out = capsys.readouterr().out
    assert (
        "Note: 2022-01-01: run 1 records the 60 Insights response(s) its records came from "
        "(settlement-workbench show --provenance lists them)\n"
    ) in out
    db = str(tmp_path / "db.sqlite")
    show = ["show", "--db", db, "--date", "2022-01-01", "--run", "SF", "--provenance"]
    assert main(show) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        "run 2022-01-01 SF: its records came from 60 Insights response(s) fetched for it"
    )
    assert len(lines) == 3 + 60 + 1
    pn_27 = lines[3 + 26].split()
    assert pn_27[:4] == ["26", "PN", "2022-01-01", "SP27"]
    assert pn_27[-2:] == ["this", f"{server.url}/datasets/PN?settlementDate=2022-01-01"
                          "&settlementPeriod=27&format=json"]  # fmt: skip
    assert main([*show, "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["run_id"] == 1 and len(document["responses"]) == 60
    boalf = document["responses"][48]
    assert (boalf["dataset"], boalf["period_from"], boalf["period_to"]) == ("BOALF", 1, 4)
    assert boalf["first_record"] == 0 and boalf["carried_from_run_id"] is None
    index = (tmp_path / "cache" / "index.jsonl").read_text()
    assert f'"sha256": "{boalf["sha256"]}"' in index


def test_a_fault_injected_server_is_survived_then_a_second_fetch_asks_nothing(
    server, tmp_path, capsys
):
    server.faults += [
        Fault("settlementPeriod=5&", "status", times=2, status=429, retry_after="1"),
        Fault("settlementPeriod=7&", "status", times=1, status=500),
        Fault("settlementPeriod=8&", "cut", times=1),
        Fault("settlementPeriodFrom=9&", "garbage", times=1),  # a BOALF window
    ]
    assert main(_args(server, tmp_path, datasets="PN,BOALF")) == 0
    out = capsys.readouterr().out
    assert len(server.log) == 60 + 5
    assert out.startswith(
        f"Fetched 60 answer(s) from the server, 0 from the cache {tmp_path / 'cache'}"
    )
    assert (
        "    BOALF          3,720 record(s)\n" in out
        and "    PN             9,027 record(s)\n" in out
    )
    assert "duplicate(s) collapsed" not in out
    server.log.clear()
    assert main(_args(server, tmp_path, datasets="PN,BOALF")) == 0
    out = capsys.readouterr().out
    assert server.log == []
    assert out.startswith(
        f"Fetched 0 answer(s) from the server, 60 from the cache {tmp_path / 'cache'}"
    )
    assert "    2022-01-01: nothing new (already imported)\n" in out
