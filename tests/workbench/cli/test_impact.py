"""`settlement-workbench impact` (workbench/cli/impact.py) on a 3-day demo database: the report,
its JSON, the same figures from every executor, the progress bar, failed days and one-line
refusals."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest

from models.demo.generator import DemoSpec, generate_demo
from tests.workbench.cli.running import one_line, run

RANGE = ("--from", "2024-06-12", "--to", "2024-06-14")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("impact") / "demo.sqlite"
    generate_demo(Path(path), DemoSpec(bmus=12, start_date=date(2024, 6, 12), days=3, seed=1))
    return str(path)


def impact_json(capsys, demo, *argv):
    code, out, err = run(capsys, "impact", "--db", demo, *RANGE, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


def test_the_rulebook_variant_reports_zero_deltas(capsys, demo):
    document = impact_json(capsys, demo, "--variant", "rulebook")
    assert (document["days"], document["runs"], document["failures"]) == (3, 9, [])
    assert list(document["run_types"]) == ["II", "SF", "R1"]
    for section in document["run_types"].values():
        assert section["periods"] == 144
        assert section["price_delta"]["changed"] == section["niv_delta"]["changed"] == 0
        assert section["worst_periods"] == [] and section["price_setter_changed"]["count"] == 0
        assert all(t["delta"] == 0.0 for t in section["totals"].values())


def test_set_par_50_moves_prices_and_not_niv_nor_cbm(capsys, demo):
    document = impact_json(capsys, demo, "--set", "PAR=50", "--runs", "SF")
    assert document["variant"]["name"] == "PAR=50"
    assert document["variant"]["rule_ids"] == ["R-PRC-PAR"]
    (sf,) = document["run_types"].values()
    assert sf["runs"] == 3 and sf["price_delta"]["changed"] > 0
    assert sf["niv_delta"]["changed"] == 0
    assert sf["totals"]["cbm"]["delta"] == 0.0
    worst = sf["worst_periods"][0]
    assert abs(worst["price_delta"]) == max(abs(sf["price_delta"]["min"]), sf["price_delta"]["max"])
    # The imbalance cash goes round: what CAEI changes, RCRC hands back (R-ACC-RCRC).
    assert sf["totals"]["caei"]["delta"] == pytest.approx(sf["totals"]["rcrc"]["delta"])


def test_dask_workers_and_the_process_pool_give_the_report_of_one_process(capsys, demo):
    alone = impact_json(capsys, demo, "--variant", "par-50")
    assert impact_json(capsys, demo, "--variant", "par-50", "--workers", "2") == alone
    assert impact_json(capsys, demo, "--variant", "par-50", "--processes", "2") == alone


def test_the_text_report(capsys, demo):
    code, out, err = run(capsys, "impact", "--db", demo, *RANGE, "--set", "PAR=50")
    assert code == 0, err
    assert out.startswith("Impact of PAR=50: parameters set: PAR=50\n  rules changed: R-PRC-PAR\n")
    assert "3 day(s), 9 run(s) from 2024-06-12 to 2024-06-14; 1 process" in out
    assert "\nSF: 3 run(s), 144 periods\n" in out and "worst periods (£/MWh):" in out
    assert "NIV Δ (MWh): 0 of 144 periods changed" in out
    assert "totals Δ: CBM +0.00," in out


def test_the_bar_is_drawn_on_a_terminal(capsys, demo, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    screen = Terminal()
    monkeypatch.setattr("sys.stderr", screen)
    code, _, _ = run(capsys, "impact", "--db", demo, *RANGE, "--variant", "rulebook")
    assert code == 0
    assert "[##########" in screen.getvalue() and "3/3 days" in screen.getvalue()


def test_a_day_failing_every_attempt_is_listed_and_exits_1(capsys, demo, monkeypatch):
    from models.impact import day

    real = day.date_impact

    def flaky(url, settlement_date, run_ids, variant, checked):
        if settlement_date == date(2024, 6, 13):
            raise OSError("disk read error")
        return real(url, settlement_date, run_ids, variant, checked)

    monkeypatch.setattr("models.impact.execute.date_impact", flaky)
    code, out, err = run(capsys, "impact", "--db", demo, *RANGE, "--variant", "rulebook")
    assert code == 1, err
    assert "2 day(s), 6 run(s)" in out
    assert out.rstrip().endswith("FAILED 2024-06-13 after 2 attempt(s): OSError: disk read error")


def test_xlsx_writes_the_workbook_and_a_missing_folder_is_refused_before_settling(
    capsys, demo, tmp_path, monkeypatch
):
    from openpyxl import load_workbook

    out = tmp_path / "impact.xlsx"
    code, text, err = run(capsys, "impact", "--db", demo, *RANGE, "--set", "PAR=50", "--runs",
                          "SF", "--xlsx", str(out))  # fmt: skip
    assert code == 0, err
    assert text.startswith(f"wrote {out}\n")
    book = load_workbook(out)
    assert book["Charts SF"] is not None and book["Run types"]["A2"].value == "SF"
    assert book["Summary"]["B9"].value == "1 process"

    def never(*args, **kwargs):
        raise AssertionError("settled although the workbook could not be written")

    monkeypatch.setattr("models.impact.execute.run_days", never)
    code, _, err = run(capsys, "impact", "--db", demo, *RANGE, "--set", "PAR=50", "--xlsx",
                       str(tmp_path / "gone" / "x.xlsx"))  # fmt: skip
    assert code == 2 and "gone is not a folder; cannot write x.xlsx" in one_line(err)


def test_a_day_failing_once_is_retried_and_listed(capsys, demo, monkeypatch):
    from models.impact import day

    real, tried = day.date_impact, set()

    def once(url, settlement_date, run_ids, variant, checked):
        if settlement_date == date(2024, 6, 13) and settlement_date not in tried:
            tried.add(settlement_date)
            raise OSError("disk read error")
        return real(url, settlement_date, run_ids, variant, checked)

    monkeypatch.setattr("models.impact.execute.date_impact", once)
    code, out, err = run(capsys, "impact", "--db", demo, *RANGE, "--variant", "rulebook")
    assert code == 0, err
    assert "3 day(s), 9 run(s)" in out
    assert out.rstrip().endswith("retried 2024-06-13: attempt 1 failed: OSError: disk read error")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--set", "PAR=abc"], "'PAR=abc': 'abc' is not a number"),
        (["--set", "XYZ=1"], "'XYZ' is not a parameter a variant can set"),
        (["--set", "PAR=0"], "PAR=0 is out of range"),
        (["--set", "PAR=50", "--set", "par=10"], "PAR is set twice"),
        (["--variant", "par-51"], "'par-51' is not a rule variant; expected one of rulebook"),
        (["--variant", "par-50", "--set", "PAR=1"], "not allowed with argument --variant"),
        (["--variant", "par-50", "--scheduler", "localhost:8786"], "expected tcp://host:port"),
        (["--variant", "par-50", "--workers", "0"], "'0' is not a whole number from 1 to 256"),
        (["--variant", "par-50", "--runs", "SX"], "SX"),
        (["--variant", "par-50", "--workers", "2", "--processes", "2"], "not allowed with"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, demo, argv, message):
    # The parser refuses an argument by SystemExit(2); the command's own refusals return 2.
    try:
        code, _, err = run(capsys, "impact", "--db", demo, *RANGE, *argv)
    except SystemExit as exit_:
        code, err = exit_.code, capsys.readouterr().err
    assert code == 2 and message in one_line(err)


def test_a_range_without_runs_and_a_reversed_range_are_one_line(capsys, demo):
    code, _, err = run(capsys, "impact", "--db", demo, "--from", "2024-07-01", "--to",
                       "2024-07-02", "--variant", "par-50")  # fmt: skip
    assert code == 2 and "no run from 2024-07-01 to 2024-07-02" in one_line(err)
    code, _, err = run(capsys, "impact", "--db", demo, "--from", "2024-06-14", "--to",
                       "2024-06-12", "--variant", "par-50")  # fmt: skip
    assert code == 2 and "--to 2024-06-12 is before --from 2024-06-14" in one_line(err)
