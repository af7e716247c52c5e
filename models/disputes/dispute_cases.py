"""Dispute cases (BSCP11): the case record, its scenarios, and the raise-by deadline.

Deadlines (rulebook §11, confirmed), counted in England and Wales working days (weekdays that
are not bank holidays there; the `holidays` library's calendar, never a hand-typed list):
- general: 20 working days after the settlement run concerned;
- sva: 70 working days after the RF run (SVA half-hourly and non-half-hourly data);
- profile: 3 working days after the settlement day (profile coefficients);
- market_domain: 2 working days after the settlement day (market domain data).

The run date of the settlement run concerned (R-DSP-RUNDATE, assumed): the date given for the
case, else the run's nominal date in Elexon's settlement calendar, SCHEDULED_RUN_DAYS working
days after the settlement day for its run type (II 5, SF 16, R1 39, R2 84, R3 154, RF 292).
A run in the database records when it was loaded (created_at), which says nothing of when
Elexon ran it, so that is never used. A DF run is held ad hoc: its date must be given. SVA
disputes count from the RF run: the case's run date when its run is the RF, else RF's nominal
date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache

from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError

from models.core.errors import RunNotFoundError, WorkbenchInputError
from models.core.period_list import decode_periods, encode_periods
from models.db.schema import DisputeCase, DisputeCaseScenario, SettlementRun
from models.runs.run_store import run_row

CASE = DisputeCase.__table__
CASE_SCENARIO = DisputeCaseScenario.__table__
RUN = SettlementRun.__table__

CATEGORIES = {
    "general": ("run", 20, "20 working days after the settlement run concerned"),
    "sva": ("run", 70, "70 working days after the RF run (SVA data)"),
    "profile": ("day", 3, "3 working days after the settlement day (profile coefficients)"),
    "market_domain": ("day", 2, "2 working days after the settlement day (market domain data)"),
}
STATUSES = ("open", "raised", "upheld", "rejected", "withdrawn", "closed")
# R-DSP-RUNDATE (assumed): working days from the settlement day to each run of the SAA
# settlement calendar; DF has none (ad hoc, after RF).
SCHEDULED_RUN_DAYS = {"II": 5, "SF": 16, "R1": 39, "R2": 84, "R3": 154, "RF": 292}
RUN_DATE_RULE = "R-DSP-RUNDATE"


class DisputeError(WorkbenchInputError):
    pass


@cache
def _bank_holidays(year: int) -> frozenset[date]:
    import holidays  # when a date is first counted, not at every launch of the workbench

    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    """Monday to Friday and not an England and Wales bank holiday."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: date, count: int) -> date:
    """The `count`-th working day after `start` (start itself never counts)."""
    day = start
    remaining = count
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def scheduled_run_date(settlement_date: date, run_type: str) -> date | None:
    """R-DSP-RUNDATE (assumed): the nominal day of the settlement calendar on which the run of
    `run_type` for `settlement_date` is carried out; None for DF (ad hoc)."""
    days = SCHEDULED_RUN_DAYS.get(run_type)
    return None if days is None else add_working_days(settlement_date, days)


def run_date_for(settlement_date: date, run_type: str, given: date | None = None) -> date:
    """The run date a case on a run of `run_type` counts from: `given`, else the scheduled
    one (R-DSP-RUNDATE); a DF run's date must be given."""
    if given is not None:
        return given
    scheduled = scheduled_run_date(settlement_date, run_type)
    if scheduled is None:
        raise DisputeError(
            f"a {run_type} run is held ad hoc, on no fixed day of the settlement calendar: "
            "give the date it was carried out (--run-date)"
        )
    return scheduled


def raise_by(
    category: str, settlement_date: date, run_date: date | None, run_type: str | None = None
) -> date:
    """The last day a dispute of `category` can be raised (see the module docstring);
    `run_type`: of the run concerned (an SVA dispute on a run other than RF counts from RF's
    scheduled date)."""
    if category not in CATEGORIES:
        raise DisputeError(f"unknown category {category!r}; expected {', '.join(CATEGORIES)}")
    basis, days, _ = CATEGORIES[category]
    if basis == "day":
        return add_working_days(settlement_date, days)
    if category == "sva" and run_type is not None and run_type != "RF":
        run_date = scheduled_run_date(settlement_date, "RF")
    if run_date is None:
        raise DisputeError(f"a {category} dispute's deadline counts from the run date: give it")
    return add_working_days(run_date, days)


@dataclass(frozen=True)
class DisputeCase:
    id: int
    reference: str
    raising_party: str
    settlement_dates: tuple[date, ...]
    periods: tuple[int, ...] | None
    run_id: int | None
    category: str
    description: str
    status: str
    run_date: date | None
    created_at: datetime
    scenarios: tuple[int, ...]
    run_type: str | None = None  # of the run concerned

    @property
    def deadline(self) -> date:
        return raise_by(self.category, min(self.settlement_dates), self.run_date, self.run_type)

    @property
    def deadline_rule(self) -> str:
        return CATEGORIES[self.category][2]

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "reference": self.reference,
            "raising_party": self.raising_party,
            "settlement_dates": [d.isoformat() for d in self.settlement_dates],
            "periods": list(self.periods) if self.periods else None,
            "run_id": self.run_id,
            "category": self.category,
            "description": self.description,
            "status": self.status,
            "run_date": self.run_date.isoformat() if self.run_date else None,
            "run_type": self.run_type,
            "raise_by": self.deadline.isoformat(),
            "deadline_rule": self.deadline_rule,
            "scenarios": list(self.scenarios),
        }


def create_dispute_case(
    conn: Connection,
    *,
    reference: str,
    raising_party: str,
    run_id: int,
    category: str = "general",
    description: str = "",
    periods: list[int] | None = None,
    run_date: date | None = None,
) -> int:
    run = run_row(conn, run_id)
    if category not in CATEGORIES:
        raise DisputeError(f"unknown category {category!r}; expected {', '.join(CATEGORIES)}")
    if conn.execute(select(CASE.c.id).where(CASE.c.reference == reference)).first():
        raise DisputeError(f"a case with reference {reference!r} already exists")
    # When Elexon ran it, never when it was loaded here (run["created_at"]): R-DSP-RUNDATE.
    run_date = run_date_for(run["settlement_date"], run["run_type"], run_date)
    case_id = conn.execute(
        CASE.insert().values(
            reference=reference,
            raising_party=raising_party,
            settlement_dates=run["settlement_date"].isoformat(),
            periods=encode_periods(periods),
            run_id=run_id,
            category=category,
            description=description,
            status="open",
            run_date=run_date,
            created_at=datetime.now(UTC).replace(tzinfo=None),
        )
    ).inserted_primary_key[0]
    return int(case_id)


def add_scenario(conn: Connection, case_id: int, scenario_run_id: int) -> None:
    case = get_dispute_case(conn, case_id)
    kind = conn.execute(select(RUN.c.kind).where(RUN.c.id == scenario_run_id)).scalar()
    if kind != "scenario":
        raise DisputeError(f"run {scenario_run_id} is not a scenario")
    # Said in the case's terms, not as the database's unique-key error (two quick clicks).
    already = DisputeError(f"scenario {scenario_run_id} is already in case {case.reference}")
    if scenario_run_id in case.scenarios:
        raise already
    try:
        conn.execute(CASE_SCENARIO.insert().values(case_id=case.id, run_id=scenario_run_id))
    except IntegrityError as exc:  # added by another analyst since it was read
        raise already from exc


def set_status(conn: Connection, case_id: int, status: str) -> None:
    if status not in STATUSES:
        raise DisputeError(f"unknown status {status!r}; expected {', '.join(STATUSES)}")
    get_dispute_case(conn, case_id)
    conn.execute(CASE.update().where(CASE.c.id == case_id).values(status=status))


def _case(conn: Connection, row) -> DisputeCase:
    scenarios = (
        conn.execute(
            select(CASE_SCENARIO.c.run_id)
            .where(CASE_SCENARIO.c.case_id == row["id"])
            .order_by(CASE_SCENARIO.c.run_id)
        )
        .scalars()
        .all()
    )
    run_type = (
        conn.execute(select(RUN.c.run_type).where(RUN.c.id == row["run_id"])).scalar()
        if row["run_id"] is not None
        else None
    )
    return DisputeCase(
        id=row["id"],
        reference=row["reference"],
        raising_party=row["raising_party"],
        settlement_dates=tuple(date.fromisoformat(d) for d in row["settlement_dates"].split(",")),
        periods=decode_periods(row["periods"]),
        run_id=row["run_id"],
        category=row["category"],
        description=row["description"],
        status=row["status"],
        run_date=row["run_date"],
        created_at=row["created_at"],
        scenarios=tuple(scenarios),
        run_type=run_type,
    )


def get_dispute_case(conn: Connection, case_id: int | str) -> DisputeCase:
    """A case by id, or by reference."""
    column = CASE.c.id if isinstance(case_id, int) or str(case_id).isdigit() else CASE.c.reference
    value = int(case_id) if column is CASE.c.id else case_id
    row = conn.execute(select(CASE).where(column == value)).mappings().first()
    if row is None:
        raise RunNotFoundError(f"no dispute case {case_id}")
    return _case(conn, row)


def list_dispute_cases(conn: Connection) -> list[DisputeCase]:
    return [_case(conn, r) for r in conn.execute(select(CASE).order_by(CASE.c.id)).mappings()]
