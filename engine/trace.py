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
    """One named input of a trace step, with its value and where it came from.

    Attributes
    ----------
    name : str
        The quantity, in rulebook terms (e.g. ``QM``, ``TLMO+``).
    value : Any
        Its value, in the unit the name or the step states.
    source : str, default ""
        Where the value came from, e.g. ``BOD T_GEN-1 pair 1 period 27``.
    """

    name: str
    value: Any
    source: str = ""


@dataclass(frozen=True, slots=True)
class TraceStep:
    """One step of a trace: a rule applied to named inputs, with its result.

    Attributes
    ----------
    rule_id : str
        The rule's id (engine.rules), e.g. ``R-CBM``.
    status : str
        ``confirmed`` or ``assumed``, as the rulebook gives it.
    title : str
        What the step computes.
    formula : str
        The formula in words.
    inputs : tuple of TraceInput
        The named inputs, known gaps last.
    result : Any
        The step's result.
    unit : str, default ""
        The result's unit: MWh, £, MW, £/MWh, or "" when it has none.
    gaps : tuple of str, default ()
        Ids of the known gaps (engine.known_gaps) the result depends on.
    """

    rule_id: str
    status: str
    title: str
    formula: str
    inputs: tuple[TraceInput, ...]
    result: Any
    unit: str = ""
    gaps: tuple[str, ...] = ()

    def as_json(self) -> dict:
        """The step as plain JSON values (numpy arrays as lists).

        Returns
        -------
        dict
            rule, status, title, formula, inputs, result, unit and known_gaps.
        """
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
    """A trace step of one rule, its status and default title and formula from engine.rules.

    Each known gap in `gaps` is also listed as an input line, so that every reader of a trace
    sees that the result depends on something not modelled.

    Parameters
    ----------
    rule_id : str
        A key of engine.rules.RULES; an unknown id raises KeyError.
    inputs : list or tuple of TraceInput
        The step's named inputs.
    result : Any
        The step's result.
    unit : str, default ""
        The result's unit (MWh, £, MW, £/MWh).
    title : str, optional
        Replaces the rule's title.
    formula : str, optional
        Replaces the rule's formula.
    gaps : tuple of str, default ()
        Ids of known gaps (rulebook §15) the result depends on.

    Returns
    -------
    TraceStep
        The step, with the rule's status.
    """
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
    """Steps for one subject (e.g. BM unit T_GEN-1, period 27), in calculation order.

    Attributes
    ----------
    subject : str
        What the trace explains.
    steps : list of TraceStep
        The steps in calculation order.
    variant : str, default ""
        The rule variant the numbers were settled under (engine.variants); "" for the
        rulebook's rules.
    """

    subject: str
    steps: list[TraceStep] = field(default_factory=list)
    variant: str = ""

    def add(self, trace_step: TraceStep) -> None:
        """Append a step.

        Parameters
        ----------
        trace_step : TraceStep
            The next step in calculation order.
        """
        self.steps.append(trace_step)

    def rule_ids(self) -> list[str]:
        """The rule id of each step, in order.

        Returns
        -------
        list of str
            One id per step.
        """
        return [s.rule_id for s in self.steps]

    def as_json(self) -> dict:
        """The trace as plain JSON values.

        Returns
        -------
        dict
            subject and the steps' TraceStep.as_json; variant too when settled under one.
        """
        document = {"subject": self.subject, "steps": [s.as_json() for s in self.steps]}
        if self.variant:
            document["variant"] = self.variant
        return document
