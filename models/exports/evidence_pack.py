"""The Excel evidence pack of a dispute case or a run-to-run comparison (openpyxl).

Sheets: Summary (case, runs, materiality verdict, the explanation, check formulas); Party
deltas (with SUM totals and a per-row check that the net delta is CBM − CND − CAEI + RCRC);
Period deltas; Party × period; Unit deltas; Unit × period (every moved cell, write-only);
Overrides and Audit trail (scenarios); Price stack before/after for the affected periods;
Step traces of the affected units and accounts; Inputs changed; Known gaps (rulebook §15) and
Completeness of both runs. The summary counts each run's checks as passed, not applicable or
failed and names its unallocated residual (R-ACC-RCRC-NODENOM) where it is not 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from engine.settle import SettlementResult
from engine.settlement_trace import trace_account, trace_unit
from models.casefiles.results_json import stack_item_columns
from models.disputes.compare import SYSTEM_OPERATOR, Comparison
from models.disputes.dispute_cases import DisputeCase
from models.exports.completeness_sheet import write_completeness_sheet
from models.exports.known_gaps_sheet import write_known_gaps_sheet
from models.exports.xlsx import Col, SheetWriter, new_workbook, plain, save_workbook
from models.runs.check_outcomes import check_counts
from models.runs.completeness import Completeness
from models.runs.scenarios.store import AuditRecord, OverrideRecord

MAX_STACK_PERIODS = 4  # a GB-scale stack is ~1,500 items × 22 columns per run and period
MAX_METERING_ROWS = 1_000
MAX_TRACED_UNITS = 10
MAX_TRACED_PARTIES = 10
RESIDUAL_PERIODS_LISTED = 12


@dataclass
class PackContext:
    """What the pack is about, beyond the comparison itself."""

    title: str
    case: DisputeCase | None = None
    overrides: Sequence[OverrideRecord] = ()
    audit: Sequence[AuditRecord] = ()
    notes: list[str] = field(default_factory=list)
    completeness: Sequence[Completeness] = ()  # of the runs compared: their missing inputs


def write_evidence_pack(
    path: str | Path,
    comparison: Comparison,
    first: SettlementResult,
    second: SettlementResult,
    context: PackContext,
) -> Path:
    path = Path(path)
    workbook = new_workbook()
    party_sheet = _party_deltas(workbook, comparison)
    _summary(workbook, comparison, first, second, context, party_sheet)
    # The summary is written second but belongs first.
    workbook._sheets.insert(0, workbook._sheets.pop(1))
    _period_deltas(workbook, comparison)
    _party_periods(workbook, comparison)
    _unit_deltas(workbook, comparison)
    _unit_periods(workbook, comparison)
    if context.overrides or context.audit:
        _overrides(workbook, context)
    affected = _affected_periods(comparison)
    _stacks(workbook, comparison, first, second, affected)
    _traces(workbook, comparison, first, second)
    _inputs_changed(workbook, comparison, context)
    write_known_gaps_sheet(
        workbook,
        [(comparison.first_label, first.known_gaps), (comparison.second_label, second.known_gaps)],
    )
    if context.completeness:
        write_completeness_sheet(workbook, context.completeness)
    save_workbook(workbook, path)
    return path


# ---------------------------------------------------------------------------------------------


def _residual_text(result: SettlementResult) -> str:
    """R-ACC-RCRC-NODENOM: the periods whose TRC no account could take, with the amounts."""
    periods = np.asarray(result.inputs.periods)
    residual = result.unallocated_residual[periods - 1]
    shown = np.isfinite(residual) & (residual != 0)  # NaN: not available (not metered)
    moved = [(int(j), float(v)) for j, v in zip(periods[shown], residual[shown], strict=True)]
    if not moved:
        return ""
    total = sum(v for _, v in moved)
    listed = ", ".join(f"period {j} £{v:,.2f}" for j, v in moved[:RESIDUAL_PERIODS_LISTED])
    rest = len(moved) - RESIDUAL_PERIODS_LISTED
    more = f" and {rest} more" if rest > 0 else ""
    return f"£{total:,.2f} in {len(moved)} period(s): {listed}{more}"


def _run_rows(first: SettlementResult, second: SettlementResult) -> list[tuple]:
    """Per run: its checks counted, its unallocated residual where not 0, its known gaps."""
    rows: list[tuple] = []
    for when, result in (("before", first), ("after", second)):
        rows.append((f"Checks, {when}", check_counts(result.checks).line()))
        residual = _residual_text(result)
        if residual:
            rows.append((f"Unallocated residual (R-ACC-RCRC-NODENOM), {when}", residual))
        gaps = ", ".join(g.id for g in result.known_gaps)
        rows.append(
            (f"Known gaps (rulebook §15), {when}", f"{gaps} (sheet Known gaps)" if gaps else "none")
        )
    return rows


def _summary(
    workbook,
    c: Comparison,
    first: SettlementResult,
    second: SettlementResult,
    context: PackContext,
    parties,
):
    sheet = SheetWriter(
        workbook, "Summary", [Col("item", width=42), Col("value", width=70)], freeze=False
    )
    rows: list[tuple] = [("Evidence pack", context.title)]
    if context.case is not None:
        case = context.case
        rows += [
            ("Case reference", case.reference),
            ("Raising party", case.raising_party),
            ("Category", case.category),
            ("Status", case.status),
            ("Settlement date(s)", ", ".join(d.isoformat() for d in case.settlement_dates)),
            ("Periods", ", ".join(map(str, case.periods)) if case.periods else "all"),
            ("Run concerned (id)", case.run_id),
            ("Run date", case.run_date),
            ("Raise by", case.deadline),
            ("Deadline rule", case.deadline_rule + " (England and Wales working days)"),
            ("Description", case.description),
        ]
    rows += [
        ("Settlement date", first.inputs.bm.settlement_date),
        ("Before (first run)", c.first_label),
        ("After (second run)", c.second_label),
        ("Periods compared", len(c.periods)),
        ("Materiality threshold £", c.threshold),
        ("Net total of party deltas £", c.net_total),
        ("Σ |per-party net delta| £", c.absolute_total),
        ("Verdict", c.verdict()),
        *_run_rows(first, second),
    ]
    for label, value in rows:
        kind = "gbp" if label.endswith("£") else "date" if hasattr(value, "isoformat") else "text"
        sheet.append([label, sheet.cell(plain(value), kind)])
    net_column = parties.column_range(parties.columns.index(_NET_DELTA))
    so_excluded = f"=SUMIF('Party deltas'!A{parties.first_data_row}:A{parties.last_data_row},"
    sheet.append(
        [
            "Check: Σ party net deltas (formula, SO excluded)",
            sheet.formula(f"{so_excluded}\"<>{SYSTEM_OPERATOR}\",'Party deltas'!{net_column})"),
        ]
    )
    sheet.append(
        [
            "Check: all parties incl. SO sum to zero (formula)",
            sheet.formula(f"=ROUND(SUM('Party deltas'!{net_column}),2)"),
        ]
    )
    sheet.append(["", None])
    sheet.append(["What moved", None])
    for line in c.explanation:
        sheet.append(["", line])
    for note in context.notes:
        sheet.append(["Note", note])
    sheet.append(["", None])
    sheet.append(
        [
            "Sign conventions",
            "deltas are after − before; CBM and RCRC are paid to the "
            "party, CND and CAEI paid by it; net = CBM − CND − CAEI + RCRC (> 0: paid).",
        ]
    )
    sheet.append(
        [
            "Attribution",
            "Contains BMRS data © Elexon Limited copyright and database "
            "right 2026 where the runs hold Elexon data.",
        ]
    )
    sheet.finish(autofilter=False)


_NET_DELTA = Col("net Δ £", "gbp")


def _party_deltas(workbook, c: Comparison) -> SheetWriter:
    charge_titles = {"cbm": "CBM", "cnd": "CND", "caei": "CAEI", "rcrc": "RCRC", "net": "net"}
    columns = [Col("party", width=12)]
    for charge, title in charge_titles.items():
        columns += [
            Col(f"{title} before £", "gbp"),
            Col(f"{title} after £", "gbp"),
            _NET_DELTA if charge == "net" else Col(f"{title} Δ £", "gbp"),
        ]
    columns.append(Col("check: net Δ − (CBM Δ − CND Δ − CAEI Δ + RCRC Δ)", "gbp", 24))
    sheet = SheetWriter(workbook, "Party deltas", columns)
    frame = c.parties.assign(
        order=np.where(c.parties["party"] == SYSTEM_OPERATOR, np.inf, -c.parties["net_delta"].abs())
    ).sort_values("order", kind="stable")  # biggest movers first, the system operator last
    for n, row in enumerate(frame.itertuples(index=False)):
        excel_row = sheet.first_data_row + n
        values = [row.party]
        for charge in charge_titles:
            values += [
                getattr(row, f"{charge}_first"),
                getattr(row, f"{charge}_second"),
                getattr(row, f"{charge}_delta"),
            ]
        # Δ columns: D (CBM), G (CND), J (CAEI), M (RCRC), P (net).
        values.append(
            sheet.formula(f"=P{excel_row}-(D{excel_row}-G{excel_row}-J{excel_row}+M{excel_row})")
        )
        sheet.append([plain(v) for v in values])
    total = ["total (formula)"]
    for index in range(1, len(columns) - 1):
        total.append(sheet.formula(f"=SUM({sheet.column_range(index)})"))
    total.append(None)
    sheet.finish()
    sheet.sheet.append([sheet.cell(v, "text") if isinstance(v, str) else v for v in total])
    return sheet


def _period_deltas(workbook, c: Comparison) -> None:
    columns = [Col("period", "int")]
    for name, kind in (("SSP", "price"), ("SBP", "price"), ("NIV", "mwh")):
        unit = "£/MWh" if kind == "price" else "MWh"
        columns += [
            Col(f"{name} before {unit}", kind),
            Col(f"{name} after {unit}", kind),
            Col(f"{name} Δ", kind),
        ]
    columns += [Col("CSOBM Δ £", "gbp"), Col("Σ |party net Δ| £", "gbp")]
    sheet = SheetWriter(workbook, "Period deltas", columns)
    s = c.period_summary
    for row in s.itertuples(index=False):
        sheet.append(
            [
                plain(v)
                for v in (
                    row.period,
                    row.ssp_first,
                    row.ssp_second,
                    row.ssp_delta,
                    row.sbp_first,
                    row.sbp_second,
                    row.sbp_delta,
                    row.niv_first,
                    row.niv_second,
                    row.niv_delta,
                    row.csobm_delta,
                    row.abs_party_net_delta,
                )
            ]
        )
    sheet.finish()


def _frame_sheet(workbook, title: str, frame, columns, blank_zero: bool = False) -> None:
    """A sheet of a delta frame: `columns` pairs each sheet column with its frame column."""
    sheet = SheetWriter(workbook, title, [col for col, _ in columns], blank_zero=blank_zero)
    # tolist(): Python numbers and strings for openpyxl, not numpy scalars.
    sheet.extend(zip(*(frame[name].tolist() for _, name in columns), strict=True))
    sheet.finish()


def _party_periods(workbook, c: Comparison) -> None:
    _frame_sheet(
        workbook,
        "Party x period",
        c.party_periods,
        [
            (Col("party", width=12), "party"),
            (Col("period", "int"), "period"),
            (Col("net before £", "gbp"), "net_first"),
            (Col("net after £", "gbp"), "net_second"),
            (Col("net Δ £", "gbp"), "net_delta"),
        ],
        blank_zero=True,
    )


def _unit_deltas(workbook, c: Comparison) -> None:
    _frame_sheet(
        workbook,
        "Unit deltas",
        c.units.sort_values("cbm_delta", key=lambda s: -s.abs(), kind="stable"),
        [
            (Col("BM unit", width=16), "bm_unit"),
            (Col("CBM Δ £", "gbp"), "cbm_delta"),
            (Col("CND Δ £", "gbp"), "cnd_delta"),
            (Col("QM Δ MWh", "mwh"), "qm_delta"),
            (Col("periods moved", "int"), "periods_moved"),
        ],
    )


def _unit_periods(workbook, c: Comparison) -> None:
    _frame_sheet(
        workbook,
        "Unit x period",
        c.unit_periods,
        [
            (Col("BM unit", width=16), "bm_unit"),
            (Col("period", "int"), "period"),
            (Col("CBM Δ £", "gbp"), "cbm_delta"),
            (Col("CND Δ £", "gbp"), "cnd_delta"),
            (Col("QM Δ MWh", "mwh"), "qm_delta"),
            (Col("TLM Δ", "tlm"), "tlm_delta"),
        ],
        blank_zero=True,
    )


def _overrides(workbook, context: PackContext) -> None:
    sheet = SheetWriter(
        workbook,
        "Overrides",
        [
            Col("seq", "int"),
            Col("edit", width=22),
            Col("target", width=34),
            Col("old value", width=34),
            Col("new value", width=34),
            Col("reason", width=40),
            Col("who", width=14),
            Col("when (UTC)", "datetime"),
            Col("active", width=8),
        ],
    )
    import json

    for r in context.overrides:
        sheet.append(
            [
                r.seq,
                r.kind,
                json.dumps(r.target),
                json.dumps(r.old_value),
                json.dumps(r.new_value),
                r.reason,
                r.author,
                r.created_at,
                r.active,
            ]
        )
    sheet.finish()
    audit = SheetWriter(
        workbook,
        "Audit trail",
        [
            Col("seq", "int"),
            Col("action", width=10),
            Col("edit seq", "int"),
            Col("what", width=40),
            Col("old value", width=30),
            Col("new value", width=30),
            Col("who", width=14),
            Col("when (UTC)", "datetime"),
            Col("why", width=40),
        ],
    )
    for r in context.audit:
        audit.append(
            [
                r.seq,
                r.action,
                r.override_seq,
                r.what,
                r.old_value,
                r.new_value,
                r.author,
                r.at,
                r.reason,
            ]
        )
    audit.finish()


def _affected_periods(c: Comparison) -> list[int]:
    s = c.period_summary
    moved = s[(s["ssp_delta"].abs() > 0.005) | (s["niv_delta"].abs() > 0.0005)]
    if moved.empty:
        moved = s[s["abs_party_net_delta"] > 0.005]
    ranked = moved.assign(weight=moved["abs_party_net_delta"]).sort_values(
        "weight", ascending=False
    )
    return sorted(int(p) for p in ranked["period"].head(MAX_STACK_PERIODS))


STACK_COLUMNS = (
    ("side", "text"),
    ("sequence", "int"),
    ("item_id", "text"),
    ("acceptance", "int"),
    ("pair", "int"),
    ("so_flag", "text"),
    ("cadl_flag", "text"),
    ("stor_flag", "text"),
    ("tagged_by", "text"),
    ("original_price", "price"),
    ("volume", "mwh"),
    ("dmat_adjusted_volume", "mwh"),
    ("arbitrage_adjusted_volume", "mwh"),
    ("niv_adjusted_volume", "mwh"),
    ("par_adjusted_volume", "mwh"),
    ("repriced", "text"),
    ("final_price", "price"),
    ("tlm", "tlm"),
    ("tlm_adjusted_volume", "mwh"),
    ("tlm_adjusted_cost", "gbp"),
)


def _stacks(workbook, c: Comparison, first, second, periods: list[int]) -> None:
    columns = [Col("run", width=28), Col("period", "int")]
    columns += [Col(name.replace("_", " "), kind) for name, kind in STACK_COLUMNS]
    notes = [
        f"Price stacks before and after for the {len(periods)} period(s) whose price or "
        f"NIV moved most (at most {MAX_STACK_PERIODS})."
    ]
    sheet = SheetWriter(workbook, "Price stack", columns, notes=notes)
    for period in periods:
        for label, result in ((c.first_label, first), (c.second_label, second)):
            if period not in result.inputs.periods:
                continue
            stack = stack_item_columns(result, np.array([period]))
            order = sorted(
                range(len(stack["sequence"])),
                key=lambda i: (stack["side"][i], stack["sequence"][i]),
            )
            for i in order:
                values = [label, period]
                for name, _ in STACK_COLUMNS:
                    value = stack[name][i]
                    values.append(str(value) if isinstance(value, bool) else value)
                sheet.append(values)
    sheet.finish()


def _traces(workbook, c: Comparison, first, second) -> None:
    columns = [
        Col("run", width=28),
        Col("subject", width=30),
        Col("step", "int"),
        Col("rule", width=14),
        Col("status", width=10),
        Col("title", width=36),
        Col("formula", width=44),
        Col("inputs", width=60),
        Col("result", width=18),
        Col("unit", width=8),
    ]
    sheet = SheetWriter(
        workbook,
        "Step traces",
        columns,
        notes=[
            "Step traces of the units and accounts that moved most, in the "
            "period where each moved most; assumed rules are marked."
        ],
    )
    units = c.unit_periods.assign(
        weight=c.unit_periods["cbm_delta"].abs() + c.unit_periods["cnd_delta"].abs()
    )
    units = units[units["weight"] > 0.005].sort_values("weight", ascending=False)
    units = units.drop_duplicates("bm_unit").head(MAX_TRACED_UNITS)
    parties = c.party_periods[c.party_periods["party"] != SYSTEM_OPERATOR]
    parties = parties.assign(weight=parties["net_delta"].abs()).sort_values(
        "weight", ascending=False
    )
    parties = parties.drop_duplicates("party").head(MAX_TRACED_PARTIES)
    for label, result in ((c.first_label, first), (c.second_label, second)):
        traces = []
        for row in units.itertuples(index=False):
            if row.bm_unit in result.inputs.bm.bm_units:
                traces.append(trace_unit(result, row.bm_unit, int(row.period)))
        for row in parties.itertuples(index=False):
            if row.party in result.inputs.parties:
                for account in ("P", "C"):
                    traces.append(trace_account(result, row.party, account, int(row.period)))
        for trace in traces:
            for n, step in enumerate(trace.steps, start=1):
                inputs = "; ".join(f"{i.name} = {i.value}" for i in step.inputs)
                result_value = step.result
                if not isinstance(result_value, (int, float)) or isinstance(result_value, bool):
                    result_value = str(result_value)
                sheet.append(
                    [
                        label,
                        trace.subject,
                        n,
                        step.rule_id,
                        step.status.upper() if step.status == "assumed" else step.status,
                        step.title,
                        step.formula,
                        inputs,
                        result_value,
                        step.unit,
                    ]
                )
    sheet.finish()


def _inputs_changed(workbook, c: Comparison, context: PackContext) -> None:
    sheet = SheetWriter(
        workbook,
        "Inputs changed",
        [
            Col("source", width=14),
            Col("input", width=24),
            Col("where", width=36),
            Col("before", width=30),
            Col("after", width=30),
        ],
    )
    import json

    for r in context.overrides:
        if r.active:
            sheet.append(
                [
                    "override",
                    r.kind,
                    json.dumps(r.target),
                    json.dumps(r.old_value),
                    json.dumps(r.new_value),
                ]
            )
    moved = c.unit_periods[c.unit_periods["qm_delta"].abs() > 0.0005]
    if len(moved) > MAX_METERING_ROWS:
        sheet.append(
            [
                "metering",
                f"{len(moved):,} metered volumes changed",
                f"the {MAX_METERING_ROWS:,} largest are listed; all are in 'Unit x period'",
                None,
                None,
            ]
        )
        moved = moved.reindex(moved["qm_delta"].abs().sort_values(ascending=False).index)
        moved = moved.head(MAX_METERING_ROWS)
    for row in moved.itertuples(index=False):
        sheet.append(
            [
                "metering",
                "metered volume Δ MWh",
                f"{row.bm_unit} period {row.period}",
                None,
                float(row.qm_delta),
            ]
        )
    sheet.finish()
