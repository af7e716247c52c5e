"""The text of settlement results (workbench.cli.report): checks counted as passed, not
applicable or failed, the unallocated residual where it is not 0, the known gaps."""

from __future__ import annotations

from workbench.cli.report import print_checks, print_known_gaps, print_unallocated_residual


def check(rule, period, ok, detail, status=None) -> dict:
    return {"rule": rule, "period": period, "ok": ok, "status": status, "detail": detail}


NA = "not applicable"
NOTHING = "no data for this period: nothing to price (…)"


def test_not_applicable_checks_are_neither_passed_nor_failed(capsys):
    checks = [
        check("R-PRC-NIV", 1, True, "NIV 0"),
        check("R-PRC-MIP", 1, True, NOTHING, NA),
        check("R-PRC-MIP", 2, True, NOTHING, NA),
        check("R-PRC-MIP", 3, True, NOTHING, NA),
        check("R-PRC-MIP", 5, True, NOTHING, NA),
        check("R-TLM", 4, True, "R-TLM-ONESIDED: no offtaking …", NA),
        check("R-PRC-MIP", 4, False, "no system price: …"),
        # A not-applicable status on a failed check is a failure: never hidden.
        check("cash-balance", 4, False, "Σ = 3.0", NA),
    ]
    print_checks(checks)
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "checks: 1 passed, 5 not applicable, 2 failed",
        "  FAILED R-PRC-MIP period 4: no system price: …",
        "  FAILED cash-balance period 4: Σ = 3.0",
        f"  not applicable R-PRC-MIP periods 1-3, 5: {NOTHING}",
        "  not applicable R-TLM period 4: R-TLM-ONESIDED: no offtaking …",
    ]


def test_long_lists_are_cut_with_a_count_of_the_rest(capsys):
    checks = [check("R-PRC-MIP", j, False, f"failed {j}") for j in range(1, 26)]
    checks += [check("R-TLM", j, True, f"one-sided {'abcdefghijklm'[j - 1]}", NA)
               for j in range(1, 14)]  # fmt: skip
    print_checks(checks)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "checks: 0 passed, 13 not applicable, 25 failed"
    assert out[20] == "  FAILED R-PRC-MIP period 20: failed 20"
    assert out[21] == "  … and 5 more failed checks (--json for all)"
    assert out[31] == "  not applicable R-TLM period 10: one-sided j"
    assert out[32] == "  … and 3 more not-applicable checks (--json for all)"
    assert len(out) == 33


def test_the_unallocated_residual_is_shown_only_where_it_is_not_zero(capsys):
    print_unallocated_residual(
        [
            {"period": 1, "unallocated_residual": 0.0},
            {"period": 2, "unallocated_residual": None},  # not metered: not available
            {"period": 3, "unallocated_residual": 1200.0},
            {"period": 4, "unallocated_residual": -200.5},
        ]
    )
    assert capsys.readouterr().out == (
        "unallocated residual (R-ACC-RCRC-NODENOM, no RCRC denominator): £999.50 in 2 "
        "period(s): period 3 £1,200.00, period 4 £-200.50\n"
    )
    print_unallocated_residual([{"period": 1, "unallocated_residual": 0.0}])
    assert capsys.readouterr().out == ""


def test_known_gaps_with_why_here_and_the_s0142_fields(capsys):
    print_known_gaps(
        [
            {
                "id": "GAP-X",
                "title": "A title",
                "s0142": "BP7 position 18, N0645",
                "affects": "QME",
                "reason": "2024-06-12 is after P376",
            }
        ]
    )
    assert capsys.readouterr().out.splitlines() == [
        "",
        "known gaps (rulebook §15: not modelled) these results depend on:",
        "  GAP-X: A title",
        "    why here: 2024-06-12 is after P376",
        "    affects: QME",
        "    S0142: BP7 position 18, N0645",
    ]
    print_known_gaps([])
    assert capsys.readouterr().out == ""


def onesided(delivering: float, loss_check: float) -> str:
    return (
        "R-TLM-ONESIDED: no offtaking primary non-interconnector metered volume (Σ delivering "
        f"{delivering:.6f}, Σ offtaking 0.000000 MWh): incomplete metering, TLMO+ = TLMO− = 0 "
        f"and TLM = 1 + TLF; Σ QM×TLM = {loss_check:.6f}"
    )


def test_not_applicable_checks_group_by_rule_and_reason_whatever_their_numbers(capsys):
    # R-TLM-ONESIDED details carry each period's sums: one reason, one line. Numbers that
    # differ between the periods are shown as "…", those they share stay.
    checks = [
        check("R-TLM", 3, True, onesided(100.0, 99.0), NA),
        check("R-TLM", 4, True, onesided(250.5, 247.995), NA),
        check("R-TLM", 7, True, onesided(100.0, 99.0), NA),
        check("R-PRC-MIP", 5, True, NOTHING, NA),
    ]
    print_checks(checks)
    assert capsys.readouterr().out.splitlines() == [
        "checks: 0 passed, 4 not applicable, 0 failed",
        "  not applicable R-TLM periods 3-4, 7: R-TLM-ONESIDED: no offtaking primary "
        "non-interconnector metered volume (Σ delivering …, Σ offtaking 0.000000 MWh): "
        "incomplete metering, TLMO+ = TLMO− = 0 and TLM = 1 + TLF; Σ QM×TLM = …",
        f"  not applicable R-PRC-MIP period 5: {NOTHING}",
    ]
    # One period, or the same numbers everywhere: the detail as it is.
    print_checks(checks[:1])
    assert capsys.readouterr().out.splitlines()[1] == (
        f"  not applicable R-TLM period 3: {onesided(100.0, 99.0)}"
    )
