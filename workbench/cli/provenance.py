"""`settlement-workbench show --provenance`: the Insights responses a fetched run's records came
from, one line each (or JSON): what each covered, its records, when it was fetched, its sha256
in the raw-response cache and its request."""

from __future__ import annotations

import json
from urllib.parse import urlencode


def provenance_lines(label: str, rows) -> list[str]:
    """The listing of `rows` (models.fetch.provenance.FetchedResponseRow) for run `label`."""
    if not rows:
        return [f"run {label}: no fetched responses (imported from files, or before schema 0012)"]
    fetched = sum(r.carried_from_run_id is None for r in rows)
    carried = len(rows) - fetched
    more = f", {carried:,} carried forward with the records of earlier runs" if carried else ""
    lines = [
        f"run {label}: its records came from {fetched:,} Insights response(s) fetched for it{more}",
        f"{'#':>4}  {'dataset':<8}  {'covers':<18}  {'records':>7}  {'from':>6}  "
        f"{'fetched (UTC)':<19}  {'sha256':<12}  {'run':>4}  request",
    ]
    lines.append("-" * len(lines[-1]))
    for r in rows:
        query = f"?{urlencode(r.params)}" if r.params else ""
        run = str(r.carried_from_run_id) if r.carried_from_run_id is not None else "this"
        lines.append(
            f"{r.number:>4}  {r.dataset:<8}  {r.span:<18}  {r.records:>7,}  {r.first_record:>6,}  "
            f"{r.fetched_at.isoformat(sep=' ', timespec='seconds'):<19}  {r.sha256[:12]}  "
            f"{run:>4}  {r.url}{query}"
        )
    lines.append(
        "A stored record of a dataset and settlement period came from the response covering "
        "them; its records are data[from...] of the dataset's file as the fetch staged it."
    )
    return lines


def print_provenance(conn, run, as_json: bool = False) -> None:
    """Print the listing (or JSON document) of a stored run (models.runs RunInfo)."""
    from models.fetch.provenance import read_provenance

    rows = read_provenance(conn, run.id)
    if as_json:
        document = {"run_id": run.id, "run": run.label, "responses": [r.as_json() for r in rows]}
        print(json.dumps(document, indent=1, ensure_ascii=False))
    else:
        print("\n".join(provenance_lines(run.label, rows)))
