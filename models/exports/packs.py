"""Workbooks from the database: a dispute case's evidence pack, a two-run comparison, a run."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from engine.settle import SettlementResult, settle_day
from models.casefiles.results_json import stack_item_columns
from models.core.errors import WorkbenchInputError
from models.db.database import SettlementDatabase
from models.disputes.compare import Comparison, compare
from models.disputes.dispute_cases import get_dispute_case
from models.exports.completeness_sheet import write_completeness_sheet
from models.exports.evidence_pack import PackContext, write_evidence_pack
from models.exports.known_gaps_sheet import write_known_gaps_sheet
from models.exports.xlsx import Col, SheetWriter, new_workbook, save_workbook
from models.runs.check_outcomes import FAILED, check_counts, check_outcome
from models.runs.completeness import Completeness, run_completeness
from models.runs.inputs import load_settlement_inputs
from models.runs.run_store import get_run
from models.runs.scenarios.store import audit_trail, overrides


def settle_stored(db: SettlementDatabase, run_id: int) -> SettlementResult:
    with db.engine.connect() as conn:
        inputs = load_settlement_inputs(conn, run_id)
    return settle_day(inputs)


def compare_runs(
    db: SettlementDatabase,
    first_id: int,
    second_id: int,
    second_result: SettlementResult | None = None,
) -> tuple[Comparison, SettlementResult, SettlementResult]:
    """Settle both runs (as stored now, scenarios with their overrides) and compare them;
    `second_result`: run `second_id` settled already (F6 has just settled the scenario to
    store it, and settling it again here doubled its wait)."""
    with db.engine.connect() as conn:
        first_run, second_run = (
            get_run(conn, first_id, light=True),
            get_run(conn, second_id, light=True),
        )
    if first_run.settlement_date != second_run.settlement_date:
        raise WorkbenchInputError(
            f"run {first_id} is for {first_run.settlement_date} and run {second_id} for "
            f"{second_run.settlement_date}: only runs of one settlement date compare"
        )
    first = settle_stored(db, first_id)
    second = second_result if second_result is not None else settle_stored(db, second_id)
    labels = (f"run {first_id}: {first_run.label}", f"run {second_id}: {second_run.label}")
    return compare(first, second, *labels), first, second


def _completeness(db: SettlementDatabase, runs) -> list[Completeness]:
    """Each (run id, its settlement) as its completeness report."""
    with db.engine.connect() as conn:
        return [run_completeness(conn, run_id, result) for run_id, result in runs]


def write_comparison_pack(db: SettlementDatabase, first_id: int, second_id: int, path) -> Path:
    comparison, first, second = compare_runs(db, first_id, second_id)
    context = PackContext(f"Comparison of {comparison.first_label} and {comparison.second_label}")
    with db.engine.connect() as conn:
        for run_id in (first_id, second_id):
            if get_run(conn, run_id, light=True).kind == "scenario":
                context.overrides = overrides(conn, run_id, active_only=False)
                context.audit = audit_trail(conn, run_id)
    context.completeness = _completeness(db, ((first_id, first), (second_id, second)))
    return write_evidence_pack(path, comparison, first, second, context)


def write_case_pack(
    db: SettlementDatabase, case_id: int | str, path, scenario_id: int | None = None
) -> Path:
    """The case's evidence pack: its run against its (chosen, else latest) scenario."""
    with db.engine.connect() as conn:
        case = get_dispute_case(conn, case_id)
    if not case.scenarios:
        raise WorkbenchInputError(
            f"case {case.reference} has no scenario yet: create one on run {case.run_id} and "
            "add it to the case"
        )
    scenario = scenario_id if scenario_id is not None else case.scenarios[-1]
    if scenario not in case.scenarios:
        raise WorkbenchInputError(f"run {scenario} is not a scenario of case {case.reference}")
    comparison, first, second = compare_runs(db, case.run_id, scenario)
    with db.engine.connect() as conn:
        context = PackContext(
            f"Dispute {case.reference}: {case.description}"
            if case.description
            else f"Dispute {case.reference}",
            case=case,
            overrides=overrides(conn, scenario, active_only=False),
            audit=audit_trail(conn, scenario),
        )
    context.completeness = _completeness(db, ((case.run_id, first), (scenario, second)))
    return write_evidence_pack(path, comparison, first, second, context)


def write_run_workbook(db: SettlementDatabase, run_id: int, path) -> Path:
    """A whole run, settled: prices (with the unallocated residual where not 0), party totals,
    party × period, unit × period, stack, checks (passed, not applicable or failed), the known
    gaps its results depend on and its completeness."""
    with db.engine.connect() as conn:
        run = get_run(conn, run_id, light=True)
    result = settle_stored(db, run_id)
    workbook = new_workbook()
    _write_prices_sheet(workbook, run, result)
    _write_parties_sheet(workbook, result)
    _write_units_sheet(workbook, result)
    _write_stack_sheet(workbook, result)
    _write_checks_sheet(workbook, result)
    write_known_gaps_sheet(workbook, [(f"run {run.id}: {run.label}", result.known_gaps)])
    write_completeness_sheet(workbook, _completeness(db, ((run_id, result),)))
    save_workbook(workbook, path)
    return Path(path)


def _write_prices_sheet(workbook, run, result: SettlementResult) -> None:
    """Prices: each settled period's SSP, SBP, NIV, price source, CSOBM and residual."""
    periods = np.asarray(result.inputs.periods)
    k = periods - 1
    prices = SheetWriter(
        workbook,
        "Prices",
        [
            Col("period", "int"),
            Col("SSP £/MWh", "price"),
            Col("SBP £/MWh", "price"),
            Col("NIV MWh", "mwh"),
            Col("price source", width=12),
            Col("CSOBM £", "gbp"),
            Col("unallocated residual £ (R-ACC-RCRC-NODENOM)", "gbp", 20),
        ],
        notes=[f"Run {run.label} (id {run.id}), settled by the workbench engine"],
    )
    for j in range(len(periods)):
        residual = float(result.unallocated_residual[k[j]])
        prices.append(
            [
                int(periods[j]),
                float(result.prices.ssp[k[j]]),
                float(result.prices.sbp[k[j]]),
                float(result.prices.niv[k[j]]),
                str(result.prices.price_source[k[j]]),
                float(result.csobm[k[j]]),
                residual if residual != 0 else None,  # blank where 0 (or not available)
            ]
        )
    prices.finish()


def _write_parties_sheet(workbook, result: SettlementResult) -> None:
    """Parties: each party's totals of the day."""
    totals = result.parties
    parties = SheetWriter(
        workbook,
        "Parties",
        [
            Col("party", width=12),
            Col("CBM £", "gbp"),
            Col("CND £", "gbp"),
            Col("CAEI £", "gbp"),
            Col("RCRC £", "gbp"),
            Col("net £", "gbp"),
        ],
    )
    for i, party in enumerate(result.inputs.parties):
        parties.append(
            [
                party,
                float(totals.cbm[i]),
                float(totals.cnd[i]),
                float(totals.caei[i]),
                float(totals.rcrc[i]),
                float(totals.net[i]),
            ]
        )
    parties.finish()


def _write_units_sheet(workbook, result: SettlementResult) -> None:
    """Units x period: each BM unit × settled period's volumes and cashflows."""
    inputs = result.inputs
    units = SheetWriter(
        workbook,
        "Units x period",
        [
            Col("BM unit", width=16),
            Col("period", "int"),
            Col("period FPN MWh", "mwh"),
            Col("QM MWh", "mwh"),
            Col("TLM", "tlm"),
            Col("QME MWh", "mwh"),
            Col("CBM £", "gbp"),
            Col("CND £", "gbp"),
        ],
    )
    fpn, qm, tlm = result.bm.period_fpn, inputs.metered, result.tlm
    qme, cbm, cnd = result.non_delivery.qme, result.bm.cashflows.cbm, result.non_delivery.cnd
    for u, unit in enumerate(inputs.bm.bm_units):
        for j in np.asarray(inputs.periods) - 1:
            units.append(
                [
                    unit,
                    int(j + 1),
                    float(fpn[u, j]),
                    float(qm[u, j]),
                    float(tlm[u, j]),
                    float(qme[u, j]),
                    float(cbm[u, j]),
                    float(cnd[u, j]),
                ]
            )
    units.finish()


# The stack sheet's columns (of results_json.stack_item_columns) and their cell kinds.
_STACK_COLUMNS = (
    ("period", "int"),
    ("side", "text"),
    ("sequence", "int"),
    ("item_id", "text"),
    ("acceptance", "int"),
    ("pair", "int"),
    ("tagged_by", "text"),
    ("original_price", "price"),
    ("volume", "mwh"),
    ("par_adjusted_volume", "mwh"),
    ("final_price", "price"),
    ("tlm_adjusted_volume", "mwh"),
    ("tlm_adjusted_cost", "gbp"),
)


def _write_stack_sheet(workbook, result: SettlementResult) -> None:
    """Stack: every stack item of the settled periods, with what the stages did to it."""
    stack = stack_item_columns(result, np.asarray(result.inputs.periods))
    sheet = SheetWriter(
        workbook, "Stack", [Col(n.replace("_", " "), kind) for n, kind in _STACK_COLUMNS]
    )
    for i in range(len(stack["period"])):
        sheet.append([stack[n][i] for n, _ in _STACK_COLUMNS])
    sheet.finish()


def _write_checks_sheet(workbook, result: SettlementResult) -> None:
    """Checks: each check's outcome, a failure in capitals so that it stands out."""
    checks = SheetWriter(
        workbook,
        "Checks",
        [
            Col("rule", width=16),
            Col("period", "int"),
            Col("outcome", width=14),
            Col("detail", width=80),
        ],
        notes=[f"checks: {check_counts(result.checks).line()}"],
    )
    for check in result.checks:
        outcome = check_outcome(check)
        checks.append(
            [check.rule, check.period, outcome.upper() if outcome == FAILED else outcome,
             check.detail]
        )  # fmt: skip
    checks.finish()
