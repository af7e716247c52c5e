"""`settlement-workbench runs` (workbench/cli/runs.py): a database's runs as text and JSON."""

from __future__ import annotations

import json

from tests.workbench.cli.running import run


def test_runs_lists_ii_sf_r1_as_text_and_json(demo_db, capsys):
    code, out, _ = run(capsys, "runs", "--db", str(demo_db))
    assert code == 0
    assert [line.split()[2] for line in out.splitlines()[2:]] == ["II", "SF", "R1"]
    code, out, _ = run(capsys, "runs", "--db", str(demo_db), "--json")
    runs = json.loads(out)
    assert [r["run_type"] for r in runs] == ["II", "SF", "R1"]
    assert runs[0]["bm_units"] == 20 and runs[0]["settlement_date"] == "2024-06-12"
