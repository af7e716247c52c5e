"""Every public function, method and dataclass of engine/ has a numpydoc docstring (issue 17).

Read from the source with ast, so nothing is imported and a decorator (lru_cache, classmethod)
hides nothing: a one-line summary; a Parameters section naming exactly the parameters, in
order; a Returns section exactly when the function returns a value; for a dataclass, an
Attributes section naming exactly its fields. Every rule id a docstring names is a rule of
engine.rules (or the family prefix of some, such as R-PRC).
"""

from __future__ import annotations

import ast
import re
import textwrap
from pathlib import Path

import pytest

from engine.rules import RULES

ENGINE = Path(__file__).resolve().parents[2] / "engine"
HEADER = re.compile(r"^(\w[\w ]*)\n-+$", re.MULTILINE)
RULE_ID = re.compile(r"\bR-[A-Z0-9]+(?:-[A-Z0-9]+)*")


def sections(doc: str) -> dict[str, list[str]]:
    """The numpydoc sections of a cleaned docstring: header → its lines."""
    found: dict[str, list[str]] = {}
    headers = [m for m in HEADER.finditer(doc) if len(m.group(0).split("\n")[1]) == len(m[1])]
    for m, following in zip(headers, [*headers[1:], None], strict=False):
        body = doc[m.end() : following.start() if following else len(doc)]
        found[m[1]] = body.strip("\n").split("\n")
    return found


def documented_names(lines: list[str]) -> list[str]:
    """Names of the entries of a Parameters or Attributes section (`a, b : type` lines)."""
    names = []
    for line in lines:
        if line and not line[0].isspace():
            names += [n.strip() for n in line.split(" : ")[0].split(",")]
    return names


def signature_names(fn: ast.FunctionDef, method: bool) -> list[str]:
    a = fn.args
    names = [p.arg for p in a.posonlyargs + a.args]
    static = any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in fn.decorator_list)
    if method and not static:
        names = names[1:]  # self or cls
    if a.vararg:
        names.append("*" + a.vararg.arg)
    names += [p.arg for p in a.kwonlyargs]
    if a.kwarg:
        names.append("**" + a.kwarg.arg)
    return names


def returns_value(fn: ast.FunctionDef) -> bool:
    """Whether the function itself (not a function nested in it) returns or yields a value."""
    todo = list(fn.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        if isinstance(node, ast.Yield | ast.YieldFrom):
            return True
        value = node.value if isinstance(node, ast.Return) else None
        if value is not None and not (isinstance(value, ast.Constant) and value.value is None):
            return True
        todo.extend(ast.iter_child_nodes(node))
    return False


def summary_problems(doc: str | None) -> list[str]:
    if not doc:
        return ["no docstring"]
    lines = doc.split("\n")
    if not lines[0].strip():
        return ["the summary line is empty"]
    if len(lines) > 1 and lines[1].strip():
        return ["the summary is more than one line"]
    return []


def function_problems(fn: ast.FunctionDef, method: bool = False) -> list[str]:
    doc = ast.get_docstring(fn)
    problems = summary_problems(doc)
    if not doc:
        return problems
    found = sections(doc)
    expected = signature_names(fn, method)
    if expected or "Parameters" in found:
        listed = documented_names(found.get("Parameters", []))
        if listed != expected:
            problems.append(f"Parameters lists {listed}, the signature has {expected}")
    gives = returns_value(fn)
    if gives and not documented_names(found.get("Returns", [])):
        problems.append("returns a value but has no Returns section")
    if not gives and "Returns" in found:
        problems.append("has a Returns section but returns nothing")
    return problems


def is_dataclass(cls: ast.ClassDef) -> bool:
    def name(d):
        return d.func if isinstance(d, ast.Call) else d

    decorators = [name(d) for d in cls.decorator_list]
    return any(isinstance(d, ast.Name) and d.id == "dataclass" for d in decorators)


def dataclass_problems(cls: ast.ClassDef) -> list[str]:
    doc = ast.get_docstring(cls)
    problems = summary_problems(doc)
    if not doc:
        return problems
    fields = [
        n.target.id
        for n in cls.body
        if isinstance(n, ast.AnnAssign)
        and isinstance(n.target, ast.Name)
        and "ClassVar" not in ast.unparse(n.annotation)
    ]
    listed = documented_names(sections(doc).get("Attributes", []))
    if listed != fields:
        problems.append(f"Attributes lists {listed}, the fields are {fields}")
    return problems


def is_property(fn: ast.FunctionDef) -> bool:
    return any(
        (isinstance(d, ast.Name) and d.id == "property") or isinstance(d, ast.Attribute)
        for d in fn.decorator_list
    )


def public_objects(tree: ast.Module):
    """(qualified name, problems) of every public function, method and dataclass."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            yield node.name, function_problems(node)
        if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            if is_dataclass(node):
                yield node.name, dataclass_problems(node)
            for item in node.body:
                public = isinstance(item, ast.FunctionDef) and not item.name.startswith("_")
                if public and not is_property(item):
                    yield f"{node.name}.{item.name}", function_problems(item, method=True)


MODULES = sorted(ENGINE.glob("*.py"))


def module_objects(path: Path) -> dict[str, list[str]]:
    return dict(public_objects(ast.parse(path.read_text(encoding="utf-8"))))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.stem)
def test_every_public_object_has_numpydoc(path):
    found = module_objects(path)
    assert {name: problems for name, problems in found.items() if problems} == {}


def test_the_engine_has_public_objects_to_check():
    # A broken discovery would pass every module by finding nothing in it.
    found = {name for path in MODULES for name in module_objects(path)}
    assert len(found) > 100
    assert {"settle_day", "SettlementResult", "RunType.parse", "r_prc_nivtag"} <= found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.stem)
def test_rule_ids_named_in_docstrings_are_rules(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef))]
    named = {i for n in nodes for i in RULE_ID.findall(ast.get_docstring(n) or "")}
    families = {rule_id.rsplit("-", k)[0] for rule_id in RULES for k in range(1, 3)}
    assert sorted(named - set(RULES) - families) == []


def problems_of(source: str) -> dict[str, list[str]]:
    return dict(public_objects(ast.parse(textwrap.dedent(source))))


def test_a_misnamed_or_missing_parameter_is_found():
    found = problems_of('''
        def cbm(qao, price):
            """CBM.

            Parameters
            ----------
            qao : numpy.ndarray
                MWh.
            prices : numpy.ndarray
                £/MWh.

            Returns
            -------
            numpy.ndarray
                £.
            """
            return qao * price

        def niv(volume, *, tolerance):
            """NIV.

            Parameters
            ----------
            volume : numpy.ndarray
                MWh.

            Returns
            -------
            float
                MWh.
            """
            return volume.sum()
    ''')
    assert found == {
        "cbm": ["Parameters lists ['qao', 'prices'], the signature has ['qao', 'price']"],
        "niv": ["Parameters lists ['volume'], the signature has ['volume', 'tolerance']"],
    }


def test_a_missing_returns_section_summary_or_field_is_found():
    found = problems_of('''
        from dataclasses import dataclass

        def total(volume):
            """Total
            volume.

            Parameters
            ----------
            volume : numpy.ndarray
                MWh.
            """
            return volume.sum()

        def check(volume):
            """Check.

            Parameters
            ----------
            volume : numpy.ndarray
                MWh.

            Returns
            -------
            None
            """
            if volume.any():
                raise ValueError("volume")

        @dataclass
        class Prices:
            """Prices.

            Attributes
            ----------
            ssp : numpy.ndarray
                £/MWh.
            """

            ssp: object
            sbp: object

            def scaled(self, by):
                return self.ssp * by
    ''')
    assert found == {
        "total": [
            "the summary is more than one line",
            "returns a value but has no Returns section",
        ],
        "check": ["has a Returns section but returns nothing"],
        "Prices": ["Attributes lists ['ssp'], the fields are ['ssp', 'sbp']"],
        "Prices.scaled": ["no docstring"],
    }
