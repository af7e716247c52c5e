"""Appending to a live run rewrites only the groups a message touches, and comes to what an
import of the same records makes: one record a message, in reverse order, renumbers the
profiles; a revised record replaces the stored one; an overlap is refused with nothing
written; published prices sit beside the run's own and are never replaced."""

from __future__ import annotations

import json

from sqlalchemy import select

from models.db.schema import SettlementRun, SystemPriceResult
from models.imports.loader import import_files
from models.live.handler import DEAD, REPEATED, WRITTEN, Message, handle
from models.live.live_run import LIVE_RUN_TYPE, close_day
from tests.models.live.recorded import DAY_FILES, recorded
from tests.models.live.stored_runs import DAY, count, latest_run, rows


def pn_records(units: int) -> list[dict]:
    """The recorded PN records of the first `units` BM units of the file."""
    document = json.loads(recorded(DAY_FILES[0]).read_text())
    records = document["data"] if isinstance(document, dict) else document
    chosen = list(dict.fromkeys(r["bmUnit"] for r in records))[:units]
    return [r for r in records if r["bmUnit"] in chosen]


def imported(registered_db_file, tmp_path, records: list[dict]) -> dict:
    """The rows of the run an import of `records` (one file) makes."""
    import shutil

    from models.db.database import SettlementDatabase

    path = shutil.copy(registered_db_file, tmp_path / "imported.sqlite")
    data = tmp_path / "PN.json"
    data.write_text(json.dumps(records))
    with SettlementDatabase.open(path) as db:
        import_files(db, [data], run_type=LIVE_RUN_TYPE)
        return rows(db, latest_run(db))


def test_one_record_a_message_in_reverse_is_the_import_of_the_records(
    registered_db, registered_db_file, tmp_path
):
    records = pn_records(3)
    assert 60 < len(records) < 400
    for n, record in reversed(list(enumerate(records))):  # every segment lands before the last
        assert handle(registered_db, Message("PN", f"pn-{n}", json.dumps([record]))).status == (
            WRITTEN
        )
    live = rows(registered_db, latest_run(registered_db))
    assert live == imported(registered_db_file, tmp_path, records)
    assert len(live["physical_notification"]) == len(records)


def test_a_revised_record_replaces_the_stored_one(registered_db, registered_db_file, tmp_path):
    records = pn_records(1)
    handle(registered_db, Message("PN", "day", json.dumps(records)))
    revised = records[5] | {"levelFrom": records[5]["levelFrom"] + 7.5}
    assert handle(registered_db, Message("PN", "revised", json.dumps([revised]))).status == WRITTEN
    expected = [*records[:5], revised, *records[6:]]
    assert rows(registered_db, latest_run(registered_db)) == imported(
        registered_db_file, tmp_path, expected
    )


def test_an_overlapping_segment_is_refused_and_nothing_of_it_is_written(registered_db):
    records = pn_records(1)
    handle(registered_db, Message("PN", "day", json.dumps(records)))
    before = rows(registered_db, latest_run(registered_db))
    # Starts a minute into a stored segment of two minutes or more, within its period: keyed
    # by another start, so only the group's check finds it.
    long = next(r for r in records if _minute(r["timeTo"]) - _minute(r["timeFrom"]) >= 2)
    start = _minute(long["timeFrom"]) + 1
    inside = long | {"timeFrom": f"{long['timeFrom'][:11]}{start // 60:02d}:{start % 60:02d}:00Z"}
    assert inside["timeFrom"] < long["timeTo"]
    outcome = handle(registered_db, Message("PN", "overlap", json.dumps([inside])))
    assert outcome.status == DEAD
    assert "overlapping profile" in outcome.reason
    assert rows(registered_db, latest_run(registered_db)) == before


def _minute(stamp: str) -> int:
    """Minutes into the day of an Insights time (2022-01-01T01:05:00Z → 65)."""
    return int(stamp[11:13]) * 60 + int(stamp[14:16])


def disebsp(period: int, ssp: float, sbp: float) -> str:
    return json.dumps([{"dataset": "DISEBSP", "settlementDate": DAY.isoformat(),
                        "settlementPeriod": period, "systemSellPrice": ssp,
                        "systemBuyPrice": sbp, "priceDerivationCode": "N"}])  # fmt: skip


def published(db, run_id: int) -> list[tuple]:
    table = SystemPriceResult.__table__
    with db.engine.connect() as conn:
        found = conn.execute(
            select(table.c.period, table.c.ssp, table.c.sbp)
            .where(table.c.run_id == run_id, table.c.origin == "published")
            .order_by(table.c.period)
        )
        return [tuple(r) for r in found]


def test_published_prices_sit_beside_and_are_never_replaced(registered_db):
    handle(registered_db, Message("PN", "day", json.dumps(pn_records(1))))
    run_id = latest_run(registered_db)
    assert handle(registered_db, Message("DISEBSP", "p1", disebsp(1, 60.5, 60.5))).run_ids == (
        run_id,
    )
    again = handle(registered_db, Message("DISEBSP", "p1-again", disebsp(1, 60.5, 60.5)))
    assert (again.status, published(registered_db, run_id)) == (WRITTEN, [(1, 60.5, 60.5)])
    changed = handle(registered_db, Message("DISEBSP", "p1-other", disebsp(1, 70.0, 70.0)))
    assert changed.status == DEAD
    assert "published figures are never replaced" in changed.reason
    assert handle(registered_db, Message("DISEBSP", "p1", disebsp(1, 1.0, 1.0))).status == (
        REPEATED
    )
    # Prices after the day closed join its closed run: no new run for them.
    with registered_db.engine.begin() as conn:
        close_day(conn, DAY)
    runs = count(registered_db, SettlementRun)
    late = handle(registered_db, Message("DISEBSP", "p2", disebsp(2, 55.0, 56.0)))
    assert late.run_ids == (run_id,)
    assert count(registered_db, SettlementRun) == runs
    assert published(registered_db, run_id) == [(1, 60.5, 60.5), (2, 55.0, 56.0)]
