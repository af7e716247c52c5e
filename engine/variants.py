"""Rule variants: named changes to the rulebook's parameters and rule functions (issue 22).

A variant replaces one or more dated parameters (R-PAR: PAR, RPAR, DMAT, CADL, VoLL, α) and/or
rule functions of the price stage (engine.imbalance_price.PriceRules), and names the rule ids
it changes, so that a modification's impact can be measured by settling history twice.
`settle_day(inputs, variant)` settles under one; its result and traces name it. A variant is
plain data (module-level functions only), so it travels to worker processes by pickling.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, replace

from engine.imbalance_price import PriceRules, r_prc_arb_off
from engine.settlement_inputs import SettlementInputs

# The parameters a variant may set, with the rule that uses each, its unit and its range.
SETTABLE: dict[str, tuple[str, str, float, float]] = {
    "par": ("R-PRC-PAR", "MWh", 1e-9, 1e6),
    "rpar": ("R-PRC-REPL", "MWh", 1e-9, 1e6),
    "dmat": ("R-PRC-DMAT", "MWh", 0.0, 1e6),
    "cadl_minutes": ("R-VOL-CADL", "minutes", 0.0, 1440.0),
    "voll": ("R-PRC-STOR", "£/MWh", 0.0, 1e6),
    "alpha": ("R-TLM", "", 0.0, 1.0),
}
# The names used on the command line (--set PAR=50), in the rulebook's spelling, any case.
_SPELLINGS = {
    "PAR": "par",
    "RPAR": "rpar",
    "DMAT": "dmat",
    "CADL": "cadl_minutes",
    "CADL_MINUTES": "cadl_minutes",
    "VOLL": "voll",
    "ALPHA": "alpha",
    "Α": "alpha",  # α upper-cased
}
_SHOWN = {"par": "PAR", "rpar": "RPAR", "dmat": "DMAT", "cadl_minutes": "CADL", "voll": "VoLL",
          "alpha": "α"}  # fmt: skip
_PRICE_RULE_IDS = {"dmat": "R-PRC-DMAT", "arb": "R-PRC-ARB", "repl": "R-PRC-REPL",
                   "par": "R-PRC-PAR"}  # fmt: skip


class VariantError(ValueError):
    """A variant name or a parameter setting that is not accepted; the message is one line."""


@dataclass(frozen=True, slots=True)
class Variant:
    """A named rule variant.

    Attributes
    ----------
    name : str
        Short name, e.g. ``par-50``.
    description : str
        What it changes, in a sentence.
    rule_ids : tuple of str
        The rules it changes (engine.rules ids).
    parameters : tuple of (str, float)
        Parameter values it sets, by SettlementParameters name, in the parameter's unit.
    price_rules : tuple of (str, callable)
        Rule functions of the price stage it replaces, by PriceRules field.
    """

    name: str
    description: str
    rule_ids: tuple[str, ...] = ()
    parameters: tuple[tuple[str, float], ...] = ()
    price_rules: tuple[tuple[str, Callable], ...] = ()

    def apply(self, inputs: SettlementInputs) -> SettlementInputs:
        """The inputs with the variant's parameter values.

        Parameters
        ----------
        inputs : SettlementInputs
            One settlement date's inputs.

        Returns
        -------
        SettlementInputs
            The same inputs (not a copy) when the variant sets no parameter.
        """
        if not self.parameters:
            return inputs
        return replace(inputs, parameters=inputs.parameters.with_overrides(dict(self.parameters)))

    def stage_rules(self) -> PriceRules:
        """The price stage's rule functions under this variant.

        Returns
        -------
        PriceRules
            The rulebook's functions but those the variant replaces.
        """
        return PriceRules(**dict(self.price_rules))

    def as_json(self) -> dict:
        """Name, description, rule ids, parameters set and rule functions replaced.

        Returns
        -------
        dict
            Plain JSON values.
        """
        return {
            "name": self.name,
            "description": self.description,
            "rule_ids": list(self.rule_ids),
            "parameters": dict(self.parameters),
            "rule_functions": {k: f.__name__ for k, f in self.price_rules},
        }


def parameter_variant(values: dict[str, float], name: str | None = None) -> Variant:
    """A variant setting parameters only, named by its settings unless a name is given.

    Parameters
    ----------
    values : dict of str to float
        Values by SETTABLE name, in the parameter's unit.
    name : str, optional
        The variant's name; default e.g. ``PAR=50``.

    Returns
    -------
    Variant
        With the rule ids of the parameters set.

    Raises
    ------
    VariantError
        A name not settable or a value outside its range.
    """
    for key, value in values.items():
        if key not in SETTABLE:
            raise VariantError(
                f"{key!r} is not a parameter a variant can set; expected one of "
                f"{', '.join(_SHOWN.values())}"
            )
        _, unit, low, high = SETTABLE[key]
        if not (math.isfinite(value) and low <= value <= high):
            expected = f"{low:g} to {high:g} {unit}".rstrip()
            raise VariantError(f"{_SHOWN[key]}={value:g} is out of range; expected {expected}")
    ordered = sorted(values.items(), key=lambda kv: list(SETTABLE).index(kv[0]))
    settings = " ".join(f"{_SHOWN[k]}={v:g}" for k, v in ordered)
    return Variant(
        name=name or settings,
        description=f"parameters set: {settings}",
        rule_ids=tuple(dict.fromkeys(SETTABLE[k][0] for k, _ in ordered)),
        parameters=tuple((k, float(v)) for k, v in ordered),
    )


def parse_setting(text: str) -> tuple[str, float]:
    """``PAR=50`` → (``par``, 50.0): a parameter and a number.

    The name in the rulebook's spelling (PAR, RPAR, DMAT, CADL, VoLL, α; any case) or by its
    SettlementParameters name.

    Parameters
    ----------
    text : str
        NAME=VALUE.

    Returns
    -------
    tuple of (str, float)
        SETTABLE name and value (range not checked: parameter_variant does).

    Raises
    ------
    VariantError
        Not NAME=VALUE, an unknown name, or a value that is not a number.
    """
    name, equals, value = text.partition("=")
    if not equals:
        raise VariantError(f"{text[:40]!r} is not a setting; expected NAME=VALUE, e.g. PAR=50")
    key = _SPELLINGS.get(name.strip().upper(), name.strip().lower())
    if key not in SETTABLE:
        raise VariantError(
            f"{name.strip()[:40]!r} is not a parameter a variant can set; expected one of "
            f"{', '.join(_SHOWN.values())}"
        )
    try:
        number = float(value.strip())
    except ValueError:
        raise VariantError(f"{text[:40]!r}: {value.strip()[:20]!r} is not a number") from None
    return key, number


def variant_from_settings(settings: Sequence[str]) -> Variant:
    """The variant of ``--set`` settings, e.g. ["PAR=50", "DMAT=0"].

    Parameters
    ----------
    settings : sequence of str
        NAME=VALUE each (parse_setting); a parameter set twice is refused.

    Returns
    -------
    Variant
        Named by its settings, e.g. ``PAR=50 DMAT=0``.

    Raises
    ------
    VariantError
        As parse_setting and parameter_variant, or no setting, or a parameter set twice.
    """
    if not settings:
        raise VariantError("no setting given; expected NAME=VALUE, e.g. PAR=50")
    values: dict[str, float] = {}
    for text in settings:
        key, value = parse_setting(text)
        if key in values:
            raise VariantError(f"{_SHOWN[key]} is set twice; give each parameter once")
        values[key] = value
    return parameter_variant(values)


def _registry(*variants: Variant) -> dict[str, Variant]:
    for v in variants:
        unknown = {k for k, _ in v.price_rules} - {f.name for f in fields(PriceRules)}
        assert not unknown, f"variant {v.name}: not a price rule: {unknown}"
    return {v.name: v for v in variants}


VARIANTS: dict[str, Variant] = _registry(
    Variant(
        "rulebook",
        "the rulebook's rules unchanged: every delta is 0 (checks the machinery)",
    ),
    parameter_variant({"par": 50.0}, name="par-50"),
    Variant(
        "no-arbitrage-tagging",
        "R-PRC-ARB replaced by no arbitrage tagging: crossing sell and buy volume stays in "
        "the stack",
        rule_ids=(_PRICE_RULE_IDS["arb"],),
        price_rules=(("arb", r_prc_arb_off),),
    ),
)


def variant_named(name: str) -> Variant:
    """The registered variant of a name.

    Parameters
    ----------
    name : str
        A key of VARIANTS.

    Returns
    -------
    Variant

    Raises
    ------
    VariantError
        When no variant has that name (the message lists them).
    """
    try:
        return VARIANTS[name]
    except KeyError:
        raise VariantError(
            f"{name[:40]!r} is not a rule variant; expected one of {', '.join(VARIANTS)}"
        ) from None
