"""`settlement-workbench import`: summary, JSON, exit code 2 and the report on rejection."""

from __future__ import annotations

import json

import pytest

from tests.paths import elexon
from tests.workbench.cli.running import one_line, run


def test_import_creates_the_database_and_summarises(tmp_path, capsys):
    db = tmp_path / "new.sqlite"
    code, out, err = run(
        capsys,
        "import",
        "--db",
        str(db),
        "--run",
        "II",
        str(elexon("system_prices/disebsp_2026-03-29.json")),
        str(elexon("bsad/disbsad_2025-12-02.json")),
    )
    assert code == 0, err
    assert "created" in err
    assert "DISEBSP           46 record(s)" in out and "DISBSAD          551 record(s)" in out
    assert "2026-03-29: run 2 2026-03-29 II" in out
    assert "Dates covered: 2025-12-02 to 2026-03-29 (2 date(s))" in out
    code, out, _ = run(
        capsys,
        "import",
        "--db",
        str(db),
        "--run",
        "II",
        "--json",
        str(elexon("system_prices/disebsp_2026-03-29.json")),
    )
    assert code == 0 and json.loads(out)["dates"][0]["run_id"] is None  # nothing new


def test_rejected_import_exits_2_with_the_report(tmp_path, capsys):
    bad = tmp_path / "MID.json"
    bad.write_text(
        json.dumps(
            {
                "data": [
                    {
                        "dataset": "MID",
                        "settlementDate": "2024-06-12",
                        "settlementPeriod": 3,
                        "dataProvider": "APXMIDP",
                        "price": "cheap",
                        "volume": 10,
                    }
                ]
            }
        )
    )
    db = tmp_path / "db.sqlite"
    code, out, err = run(capsys, "import", "--db", str(db), str(bad))
    assert code == 2 and out == ""
    assert "Import rejected: 1 problem(s); nothing was written." in err
    assert "- MID.json, data[0]: price = 'cheap': expected a number" in err
    code, out, err = run(capsys, "import", "--db", str(db), "--json", str(bad))
    assert code == 2 and json.loads(out)["shown"][0] == {
        "file": "MID.json",
        "location": "data[0]",
        "field": "price",
        "value": "'cheap'",
        "reason": "expected a number",
    }


def test_missing_file_is_one_line(tmp_path, capsys):
    code, _, err = run(capsys, "import", "--db", str(tmp_path / "x.sqlite"), "nope.json")
    assert code == 2 and err.strip() == "settlement-workbench: error: no such file: nope.json"


def test_show_json_compares_published_prices_with_the_engine(tmp_path, capsys):
    mid = tmp_path / "MID.json"
    mid.write_text(
        json.dumps(
            [
                {
                    "dataset": "MID",
                    "settlementDate": "2026-03-29",
                    "settlementPeriod": p,
                    "dataProvider": "APXMIDP",
                    "price": 69.02,
                    "volume": 100.0,
                }
                for p in range(1, 47)
            ]
        )
    )
    db = str(tmp_path / "p.sqlite")
    prices = str(elexon("system_prices/disebsp_2026-03-29.json"))
    assert run(capsys, "import", "--db", db, prices, str(mid))[0] == 0
    assert run(capsys, "settle", "--db", db, "--date", "2026-03-29", "--run", "SF")[0] == 0
    code, out, _ = run(capsys, "show", "--db", db, "--date", "2026-03-29", "--run", "SF", "--json")
    rows = json.loads(out)["published_comparison"]
    assert code == 0 and [r["period"] for r in rows] == list(range(1, 47))
    first = rows[0]  # no BM data: the engine prices at MIP £69.02, as Elexon did in period 1
    assert first["engine_ssp"] == 69.02 and first["published_ssp"] == 69.02
    assert first["ssp_difference"] == 0 and first["differs"] is True  # NIV differs
    assert first["published_niv"] == -60.90822958791209 and first["engine_niv"] == 0
    assert sum(not r["differs"] for r in rows) == 0


def _pn(path, unit: str, day: str = "2022-01-01"):
    path.write_text(
        json.dumps(
            [
                {
                    "dataset": "PN",
                    "settlementDate": day,
                    "settlementPeriod": 1,
                    "timeFrom": f"{day}T00:00:00Z",
                    "timeTo": f"{day}T00:30:00Z",
                    "levelFrom": -4,
                    "levelTo": -4,
                    "bmUnit": unit,
                }
            ]
        )
    )
    return str(path)


def test_warnings_are_listed_and_strict_refuses_them(tmp_path, capsys):
    db = str(tmp_path / "w.sqlite")
    register = str(elexon("reference/bmu_register_insights_2026.csv"))
    data = _pn(tmp_path / "pn.json", "X_NEW-1")
    code, out, err = run(
        capsys, "import", "--db", db, "--strict", "--effective-from", "2021-01-01", register, data
    )
    assert code == 2 and out == ""
    assert "Import refused (--strict): 1 warning(s); nothing was written." in err
    assert "  pn.json: 1 warning(s)" in err
    assert "! pn.json, [0]: bmUnit = X_NEW-1: not in the register in force" in err
    assert "consumption (its FPN over the day imports 2.000 MWh) [R-REG-UNREGISTERED]" in err
    code, out, err = run(capsys, "import", "--db", db, "--effective-from", "2021-01-01", register)
    assert code == 0, err
    assert "new snapshot 1, effective from 2021-01-01, 2,871 unit(s)" in out
    assert "Warnings" not in out
    code, out, err = run(capsys, "import", "--db", db, "--json", data)
    assert code == 0, err
    document = json.loads(out)
    assert document["warnings_total"] == 1 and document["warnings_by_file"] == {"pn.json": 1}
    assert document["warnings"][0] == {
        "rule": "R-REG-UNREGISTERED",
        "file": "pn.json",
        "location": "[0]",
        "field": "bmUnit",
        "value": "X_NEW-1",
        "reason": "not in the register in force (snapshot 1, effective 2021-01-01): settled as "
        "unregistered under party UNREGISTERED, TLF 0, its own Trading Unit, consumption (its "
        "FPN over the day imports 2.000 MWh)",
    }
    assert document["dates"][0]["warnings"] == 1
    code, out, err = run(capsys, "import", "--db", db, "--strict", "--json", data)
    assert code == 0 and json.loads(out)["dates"][0]["run_id"] is None  # nothing new


def test_published_prices_attach_to_the_run(tmp_path, capsys):
    db = str(tmp_path / "p.sqlite")
    assert run(capsys, "import", "--db", db, _pn(tmp_path / "pn.json", "X_NEW-1"))[0] == 0
    series = str(elexon("system_prices/sspsbpniv_2019-04-08_2022-05-25.csv"))
    code, out, err = run(capsys, "import", "--db", db, "--date", "2022-01-01", series)
    assert code == 0, err
    assert "2022-01-01: published figures added to run 1 2022-01-01 SF" in out


def test_attach_to_run_chooses_the_run_prices_join_and_refuses_bad_runs(tmp_path, capsys):
    """Issue 20 item 8: `--attach-to-run` puts a prices-only import (the real SSP/SBP/NIV
    series) on an older SF run of 2022-01-01 instead of the newest; a run that does not
    exist, of another date or type, or a bad id is refused in one line with exit 2."""
    db = str(tmp_path / "wind.sqlite")
    pn, boalf = (
        elexon("insights_json/PN_2022-01-01.json"),
        elexon("insights_json/BOALF_2022-01-01.json"),
    )
    prices = str(elexon("system_prices/sspsbpniv_2019-04-08_2022-05-25.csv"))
    assert run(capsys, "import", "--db", db, str(pn))[0] == 0  # run 1: SF
    assert run(capsys, "import", "--db", db, "--date", "2022-01-01", str(boalf))[0] == 0  # 2: SF #2
    code, out, err = run(capsys, "import", "--db", db, "--json", "--attach-to-run", "1", prices)
    assert code == 0, err
    (part,) = json.loads(out)["dates"]
    assert (part["run_id"], part["attached"], part["run"]) == (1, True, "2022-01-01 SF")
    for args, words in (
        (["--attach-to-run", "99"], "cannot attach to run 99: there is no run 99 in this database"),
        (
            ["--attach-to-run", "2", "--date", "2022-01-02"],
            "cannot attach to run 2 (2022-01-01 SF #2): it is a run of 2022-01-01, not of "
            "2022-01-02 (--date)",
        ),
        (["--attach-to-run", "2", "--run", "R1"], "it is an SF run, not R1 (--run)"),
    ):
        code, out, err = run(capsys, "import", "--db", db, *args, prices)
        assert code == 2 and out == "", args
        assert words in one_line(err), err
    for bad in ("0", "two"):
        with pytest.raises(SystemExit) as stopped:
            run(capsys, "import", "--db", db, "--attach-to-run", bad, prices)
        assert stopped.value.code == 2
        assert f"'{bad}' is not a whole number from 1" in one_line(capsys.readouterr().err)
    code, out, err = run(capsys, "runs", "--db", db, "--json")
    assert code == 0 and len(json.loads(out)) == 2  # nothing written by the refused imports
