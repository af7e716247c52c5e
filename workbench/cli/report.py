"""Readable text reports of settlement results and step traces for the command line."""

from __future__ import annotations

import re

from engine.trace import Trace
from models.runs.check_outcomes import FAILED, NOT_APPLICABLE, check_counts, check_outcome
from models.runs.completeness import period_ranges

FAILED_SHOWN = 20
NOT_APPLICABLE_SHOWN = 10  # groups of one rule and one reason
RESIDUAL_SHOWN = 12
# A number in a check's detail (not a digit inside an id such as 2__XSUP-1 or R-TLM): the
# not-applicable checks are grouped by rule and the reason around their numbers.
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:[.,]\d+)*(?:e[-+]?\d+)?(?!\w)")


def _money(value) -> str:
    return "n/a" if value is None else f"{value:,.2f}"


def _volume(value) -> str:
    return "n/a" if value is None else f"{value:,.3f}"


def print_summary(
    document: dict, title: str, party_limit: int | None = None, known_gaps: bool = True
) -> None:
    """The result document as text. known_gaps=False leaves the known gaps out where the
    caller prints a report that lists them (the completeness report of settle and show)."""
    periods = document["periods"]
    print(f"Settlement of {document['settlement_date']}: {title}")
    print(f"engine {document['engine']['version']}, rulebook {document['engine']['rulebook']}")
    print()
    print(f"{'period':>6}  {'start (UTC)':<17}  {'SSP = SBP £':>12}  {'NIV MWh':>10}  source")
    for p in periods:
        print(
            f"{p['period']:>6}  {p['start'][:16].replace('T', ' '):<17}  {_money(p['ssp']):>12}  "
            f"{_volume(p['niv']):>10}  {p['price_source']}"
            + ("" if p["metered_volumes"] else "  (no metered volumes)")
        )
    parties = sorted(document["parties"], key=lambda r: -abs(r["net"] or r["cbm"] or 0))
    shown = parties[:party_limit] if party_limit else parties
    print()
    print(f"{'party':<10} {'CBM £':>14} {'CND £':>12} {'CAEI £':>14} {'RCRC £':>14} {'net £':>14}")
    for r in shown:
        print(
            f"{r['party']:<10} {_money(r['cbm']):>14} {_money(r['cnd']):>12} "
            f"{_money(r['caei']):>14} {_money(r['rcrc']):>14} {_money(r['net']):>14}"
        )
    if len(shown) < len(parties):
        print(f"… and {len(parties) - len(shown)} more parties (--json for all)")
    csobm = [s["csobm"] for s in document["system"]]
    total = None if any(c is None for c in csobm) else sum(csobm)
    print(f"\nsystem operator BM cashflow CSOBM: £{_money(total)} (paid by the system operator)")
    print_unallocated_residual(document["system"])
    print_checks(document["checks"])
    if known_gaps:
        print_known_gaps(document.get("known_gaps", []))


def print_unallocated_residual(system: list[dict]) -> None:
    """R-ACC-RCRC-NODENOM: the TRC no account could take, in the periods where it is not 0."""
    residual = [
        (s["period"], s["unallocated_residual"])
        for s in system
        if s.get("unallocated_residual") is not None and s["unallocated_residual"] != 0
    ]
    if not residual:
        return
    listed = ", ".join(f"period {j} £{_money(v)}" for j, v in residual[:RESIDUAL_SHOWN])
    more = f" and {len(residual) - RESIDUAL_SHOWN} more" if len(residual) > RESIDUAL_SHOWN else ""
    print(
        f"unallocated residual (R-ACC-RCRC-NODENOM, no RCRC denominator): "
        f"£{_money(sum(v for _, v in residual))} in {len(residual)} period(s): {listed}{more}"
    )


def print_checks(checks: list[dict]) -> None:
    """The counts, each failed check, then the not-applicable ones with their reasons (a
    reason shared by several periods once, with the periods)."""
    print(f"checks: {check_counts(checks).line()}")
    failed = [c for c in checks if check_outcome(c) == FAILED]
    for c in failed[:FAILED_SHOWN]:
        print(f"  FAILED {c['rule']} period {c['period']}: {c['detail']}")
    if len(failed) > FAILED_SHOWN:
        print(f"  … and {len(failed) - FAILED_SHOWN} more failed checks (--json for all)")
    groups: dict[tuple[str, tuple[str, ...]], list] = {}
    for c in checks:
        if check_outcome(c) == NOT_APPLICABLE:
            reason = tuple(_NUMBER.split(c["detail"]))
            groups.setdefault((c["rule"], reason), []).append(c)
    for (rule, reason), grouped in list(groups.items())[:NOT_APPLICABLE_SHOWN]:
        numbered = [c["period"] for c in grouped if c["period"] is not None]
        where = ""
        if numbered:
            where = f" period{'s' if len(numbered) > 1 else ''} {period_ranges(numbered)}"
        print(f"  not applicable {rule}{where}: {_shared_detail(reason, grouped)}")
    if len(groups) > NOT_APPLICABLE_SHOWN:
        rest = sum(len(p) for p in list(groups.values())[NOT_APPLICABLE_SHOWN:])
        print(f"  … and {rest} more not-applicable checks (--json for all)")


def _shared_detail(reason: tuple[str, ...], grouped: list[dict]) -> str:
    """The group's detail: each number the checks share as it is, the others as "…"."""
    numbers = [_NUMBER.findall(c["detail"]) for c in grouped]
    shown = [values[0] if len(set(values)) == 1 else "…" for values in zip(*numbers, strict=True)]
    return "".join(text + number for text, number in zip(reason, [*shown, ""], strict=True))


def print_known_gaps(gaps: list[dict]) -> None:
    """Rulebook §15: what the engine does not model and these results depend on."""
    if not gaps:
        return
    print("\nknown gaps (rulebook §15: not modelled) these results depend on:")
    for g in gaps:
        print(f"  {g['id']}: {g['title']}")
        print(f"    why here: {g['reason']}")
        print(f"    affects: {g['affects']}")
        print(f"    S0142: {g['s0142']}")


def print_trace(trace: Trace) -> None:
    print(f"Step trace: {trace.subject}")
    for number, s in enumerate(trace.steps, 1):
        print(f"\n{number:>2}. [{s.rule_id} · {s.status}] {s.title}")
        print(f"    formula: {s.formula}")
        for i in s.inputs:
            source = f"   ← {i.source}" if i.source else ""
            print(f"    {i.name} = {i.value}{source}")
        unit = f" {s.unit}" if s.unit else ""
        print(f"    result: {s.result}{unit}")
