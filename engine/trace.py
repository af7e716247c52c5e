"""Step traces: what each stage did for one BM unit and period, to be redone by hand.

A trace is an ordered list of steps; each names its rule (id and status), the formula in words,
the named inputs with their values and where they came from, and the result. Traces are built
only when asked for, after the bulk computation, from its intermediate arrays: the bulk path
never pays for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.known_gaps import KNOWN_GAPS
from engine.rules import rule


@dataclass(frozen=True, slots=True)
class TraceInput:
    name: str
    value: Any
    source: str = ""  # where the value came from, e.g. "BOD T_GEN-1 pair 1 period 27"


@dataclass(frozen=True, slots=True)
class TraceStep:
    rule_id: str
    status: str
    title: str
    formula: str
    inputs: tuple[TraceInput, ...]
    result: Any
    unit: str = ""  # MWh, £, MW, …
    gaps: tuple[str, ...] = ()  # known gaps (engine.known_gaps) the result depends on

    def as_json(self) -> dict:
        return {
            "rule": self.rule_id,
            "status": self.status,
            "title": self.title,
            "formula": self.formula,
            "inputs": [
                {"name": i.name, "value": _plain(i.value), "source": i.source} for i in self.inputs
            ],
            "result": _plain(self.result),
            "unit": self.unit,
            "known_gaps": list(self.gaps),
        }


def _plain(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def step(
    rule_id: str,
    inputs: list[TraceInput] | tuple[TraceInput, ...],
    result: Any,
    *,
    unit: str = "",
    title: str | None = None,
    formula: str | None = None,
    gaps: tuple[str, ...] = (),
) -> TraceStep:
    """A step of rule `rule_id`; each known gap in `gaps` is also listed as an input line, so
    that every reader of a trace sees that the result depends on something not modelled."""
    r = rule(rule_id)
    noted = tuple(
        TraceInput(f"known gap {g} (not modelled)", KNOWN_GAPS[g].affects, "") for g in gaps
    )
    return TraceStep(
        rule_id=r.id,
        status=r.status,
        title=title or r.title,
        formula=formula or r.formula,
        inputs=tuple(inputs) + noted,
        result=result,
        unit=unit,
        gaps=tuple(gaps),
    )


@dataclass
class Trace:
    """Steps for one subject (e.g. BM unit T_GEN-1, period 27), in calculation order."""

    subject: str
    steps: list[TraceStep] = field(default_factory=list)

    def add(self, trace_step: TraceStep) -> None:
        self.steps.append(trace_step)

    def rule_ids(self) -> list[str]:
        return [s.rule_id for s in self.steps]

    def as_json(self) -> dict:
        return {"subject": self.subject, "steps": [s.as_json() for s in self.steps]}
