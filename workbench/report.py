"""Readable text reports of settlement results and step traces for the command line."""

from __future__ import annotations

from engine.trace import Trace


def _money(value) -> str:
    return "n/a" if value is None else f"{value:,.2f}"


def _volume(value) -> str:
    return "n/a" if value is None else f"{value:,.3f}"


def print_summary(document: dict, title: str, party_limit: int | None = None) -> None:
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
    failed = [c for c in document["checks"] if not c["ok"]]
    print(f"checks: {len(document['checks']) - len(failed)} passed, {len(failed)} failed")
    for c in failed[:20]:
        print(f"  FAILED {c['rule']} period {c['period']}: {c['detail']}")


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
