"""Fuzzing the command line's two doors for files (issue 16): `case run` and `import`.

Hypothesis mutates the rulebook's worked example and real Elexon files (hostile numbers and
text, deleted keys, wrong types, truncation, flipped bytes) and invents documents. The
property, for every input: exit 0 with strict JSON and every consistency check passing, or
exit 2 with one line on stderr (an import's report of rejected records starts "Import
rejected") and the database byte-identical. Never exit 1, never a traceback. The command line
runs in-process (workbench.cli.main.main) for speed.
"""

from __future__ import annotations

import copy
import json
import shutil

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.paths import CASES, ELEXON_DATA
from workbench.cli.main import main

pytestmark = pytest.mark.slow

FUZZ = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,  # the same inputs on every run: a failure in CI is reproducible
)
WORKED = json.loads((CASES / "worked_example.json").read_text())
# Raw JSON literals that json.dumps cannot write (or writes only with allow_nan).
LITERALS = [
    "NaN",
    "Infinity",
    "-Infinity",
    "1e308",
    "-1e308",
    "1e400",
    "9" * 400,
    "9" * 5000,
    str(2**70),
    str(2**63),
    "-0",
    '"\\ud800"',
    '"x\\u0007y"',
    '"\\u0000"',
    '"9999-12-31"',
    '"0001-01-01T00:00+01:00"',
    '"2024-06-12T12:00:30Z"',
    '""',
    "null",
    "true",
    "[]",
    "{}",
    "[" * 60 + "]" * 60,
    "[" * 5000 + "]" * 5000,
]
# Checks that hold for every valid input (a failure is an engine defect, not bad data).
CONSISTENCY_CHECKS = {"R-PRC-NIV", "R-TLM", "cash-balance"}


def _paths(node, prefix=()):
    """Every key path in a JSON document (to choose where to strike)."""
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*prefix, index))


CASE_PATHS = [p for p in _paths(WORKED) if p]


def _strike(document, path, action, value):
    parent = document
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if action == "delete":
        del parent[last]
    elif action == "duplicate" and isinstance(parent, list):
        parent.insert(last, copy.deepcopy(parent[last]))
    else:
        parent[last] = value


ordinary_values = st.one_of(
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.text(max_size=12),
    st.booleans(),
    st.none(),
)
strikes = st.lists(
    st.tuples(
        st.sampled_from(CASE_PATHS),
        st.sampled_from(["replace", "literal", "delete", "duplicate"]),
        ordinary_values,
        st.sampled_from(LITERALS),
    ),
    min_size=1,
    max_size=3,
)


def _mutated_case(chosen) -> str:
    document = copy.deepcopy(WORKED)
    literals = {}
    for n, (path, action, value, literal) in enumerate(chosen):
        marker = f"__LITERAL_{n}__"
        try:
            if action == "literal":
                _strike(document, path, "replace", marker)
                literals[marker] = literal
            else:
                _strike(document, path, action, value)
        except (KeyError, IndexError, TypeError):
            pass  # an earlier strike removed the place: the document stays as it is
    text = json.dumps(document, allow_nan=True)
    for marker, literal in literals.items():
        text = text.replace(f'"{marker}"', literal)
    return text


def _strict_json(text: str):
    def refuse(constant):
        raise AssertionError(f"{constant} in the JSON output")

    return json.loads(text, parse_constant=refuse)


def _assert_outcome(code: int, out: str, err: str, *, report_ok: bool = False) -> None:
    event(f"exit {code}")  # --hypothesis-show-statistics: how many settle, how many refused
    assert code in (0, 2), f"exit {code}: {err}"
    assert "Traceback" not in err and "internal error" not in err, err
    if code == 2:
        lines = err.strip().splitlines()
        if report_ok and lines and lines[0].startswith("Import rejected"):
            return
        assert len(lines) == 1, err
        assert lines[0].startswith("settlement-workbench"), err


def _case_run(capsys, tmp_path, text: str, trace: str | None = None) -> None:
    path = tmp_path / "case.json"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    capsys.readouterr()
    code = main(["case", "run", "--json", str(path), *(["--trace", trace] if trace else [])])
    captured = capsys.readouterr()
    _assert_outcome(code, captured.out, captured.err)
    if code == 0:
        document = _strict_json(captured.out)
        failed = [c for c in document["checks"] if not c["ok"]]
        assert not [c for c in failed if c["rule"] in CONSISTENCY_CHECKS], failed


@FUZZ
@given(
    chosen=strikes,
    trace=st.sampled_from([None, "price:27", "T_GEN-1:27", "account:GEN:P:27", "SUP:9"]),
)
def test_mutated_case_files_settle_or_are_refused_in_one_line(capsys, tmp_path, chosen, trace):
    _case_run(capsys, tmp_path, _mutated_case(chosen), trace)


json_documents = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8)),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@FUZZ
@given(document=json_documents, keep_format=st.booleans())
def test_random_documents_are_refused_in_one_line(capsys, tmp_path, document, keep_format):
    if keep_format and isinstance(document, dict):
        document = {"format": "settlement-case/1", "settlement_date": "2024-06-12", **document}
    _case_run(capsys, tmp_path, json.dumps(document, allow_nan=True))


@FUZZ
@given(data=st.binary(max_size=300), cut=st.integers(min_value=0, max_value=2500))
def test_truncated_and_garbled_case_files_are_refused_in_one_line(capsys, tmp_path, data, cut):
    text = (CASES / "worked_example.json").read_bytes()
    path = tmp_path / "case.json"
    path.write_bytes(text[:cut] + data)
    capsys.readouterr()
    code = main(["case", "run", "--json", str(path)])
    captured = capsys.readouterr()
    _assert_outcome(code, captured.out, captured.err)


# ---------------------------------------------------------------------------------------------
# import


def _elexon(relative: str):
    path = ELEXON_DATA / relative
    if not path.exists():
        pytest.skip(f"real Elexon data not found at {path}")
    return path


@pytest.fixture(scope="module")
def registered(tmp_path_factory):
    """A database holding the 2026 Insights register (copied for each example)."""
    path = tmp_path_factory.mktemp("fuzz") / "register.sqlite"
    register = _elexon("reference/bmu_register_insights_2026.csv")
    assert main(["import", "--db", str(path), str(register)]) == 0
    return path


def _sources():
    boalf = json.loads(_elexon("insights_json/BOALF_2022-01-01.json").read_text())["data"][:4]
    legacy = _elexon("legacy_bmrs_csv/BOD_sample_legacy.csv").read_text().splitlines()
    prices = _elexon("system_prices/insights_download_excerpt.csv").read_text()
    return {
        "boalf.json": json.dumps({"data": boalf}).encode(),
        "bod.csv": ("\n".join([*legacy[:8], legacy[-1]]) + "\n").encode(),
        "prices.csv": prices.encode(),
    }


byte_edits = st.lists(
    st.tuples(
        st.sampled_from(["flip", "insert", "cut"]),
        st.floats(min_value=0, max_value=1),
        st.sampled_from(
            [b"\x00", b"\x07", b",", b'"', b"\n", b"NaN", b"9" * 400, b"\xff", b"{", b"N" * 140_000]
        ),
    ),
    min_size=1,
    max_size=3,
)


def _mutated_bytes(data: bytes, edits) -> bytes:
    for action, where, token in edits:
        at = int(where * len(data))
        if action == "flip" and data:
            at = min(at, len(data) - 1)
            data = data[:at] + bytes([data[at] ^ 0x5A]) + data[at + 1 :]
        elif action == "insert":
            data = data[:at] + token + data[at:]
        else:
            data = data[:at]
    return data


def _import(capsys, registered, tmp_path, name: str, content: bytes) -> None:
    db = tmp_path / "db.sqlite"
    shutil.copy(registered, db)
    before = db.read_bytes()
    path = tmp_path / name
    path.write_bytes(content)
    capsys.readouterr()
    code = main(["import", "--db", str(db), str(path)])
    captured = capsys.readouterr()
    _assert_outcome(code, captured.out, captured.err, report_ok=True)
    if code == 2:
        assert db.read_bytes() == before, "a refused import changed the database"


@settings(FUZZ, max_examples=80)
@given(name=st.sampled_from(["boalf.json", "bod.csv", "prices.csv"]), edits=byte_edits)
def test_mutated_elexon_files_import_or_are_refused_leaving_the_database(
    capsys, tmp_path, registered, name, edits
):
    _import(capsys, registered, tmp_path, name, _mutated_bytes(_sources()[name], edits))


BOALF_KEYS = [
    "settlementDate",
    "settlementPeriodFrom",
    "timeFrom",
    "timeTo",
    "levelFrom",
    "acceptanceNumber",
    "acceptanceTime",
    "soFlag",
    "nationalGridBmUnit",
    "bmUnit",
]


@settings(FUZZ, max_examples=80)
@given(
    strikes=st.lists(
        st.tuples(st.integers(0, 3), st.sampled_from(BOALF_KEYS), st.sampled_from(LITERALS)),
        min_size=1,
        max_size=3,
    )
)
def test_hostile_values_in_elexon_records_are_rejected_leaving_the_database(
    capsys, tmp_path, registered, strikes
):
    records = json.loads(_sources()["boalf.json"])["data"]
    literals = {}
    for n, (index, key, literal) in enumerate(strikes):
        records[index][key] = f"__LITERAL_{n}__"
        literals[f'"__LITERAL_{n}__"'] = literal
    text = json.dumps({"data": records})
    for marker, literal in literals.items():
        text = text.replace(marker, literal)
    _import(capsys, registered, tmp_path, "boalf.json", text.encode())
