"""The live run settled as its data arrives (issue 23): the hand-checked small day of
small_day.py, message by message; the same figures as `settle` of the same records imported
as files; the sign of NIV; MIP where no acceptance; no price without MID; the published price
beside the indicative one; and the stream's settles spaced by their cost yet all done before
it ends."""

from __future__ import annotations

import shutil

import pytest

from models.db.database import SettlementDatabase
from models.imports.loader import import_files
from models.live.handler import LIVE_RUN_TYPE, WRITTEN
from models.live.indicative import period_line, settle_live_run
from models.live.stream import Stream
from models.runs.results_store import read_result_frames, settle_run
from tests.models.live import small_day
from tests.models.live.recorded import DAY_FILES, messages_of, recorded
from tests.models.live.stored_runs import DAY, latest_run


def _stream(db) -> tuple[Stream, list]:
    told: list = []
    stream = Stream(db, on_settled=lambda day, changed: told.append((day, changed)))
    return stream, told


def _replayed(db) -> tuple[Stream, list[list[str]]]:
    """The small day, each message settled at once; the lines told after each message."""
    stream, told = _stream(db)
    lines = []
    for message in small_day.messages():
        assert stream.take(message).status == WRITTEN
        stream.settle_pending(force=True)
        lines.append([period_line(d.settlement_date, p) for d, ch in told for p in ch])
        told.clear()
    return stream, lines


def test_the_small_day_priced_as_it_arrives_to_the_hand_checked_figures(registered_db):
    _, lines = _replayed(registered_db)
    day = settle_live_run(registered_db, latest_run(registered_db))
    assert day.settlement_date == DAY and sorted(day.periods) == [17, 18, 19, 20]
    p17, p18, p19, p20 = (day.periods[j] for j in (17, 18, 19, 20))
    # P17: short (NIV > 0), the buy stack; PAR's 1 MWh half BSAD at £100, half the offer at £80.
    assert p17.niv == pytest.approx(small_day.P17_NIV) and p17.niv > 0
    assert p17.ssp == pytest.approx(small_day.P17_SSP) == pytest.approx(90.16433648)
    assert p17.sbp == p17.ssp and p17.price_source == "stack" and p17.acceptances == 1
    # P18: long (NIV < 0), the sell stack: the bid's price.
    assert p18.niv == pytest.approx(small_day.P18_NIV) and p18.niv < 0
    assert p18.ssp == pytest.approx(small_day.P18_SSP) and p18.acceptances == 1
    # P19: no acceptance: NIV 0, the price is MIP_19 (R-PRC-NIV, R-PRC-MIP).
    assert (p19.niv, p19.ssp, p19.price_source, p19.acceptances) == (0.0, 55.0, "mip", 0)
    assert "R-PRC-NIV, R-PRC-MIP" in p19.why and "no acceptance" in p19.why
    # P20: FPN only and no MID: no price, and the rule it needed named.
    assert (p20.ssp, p20.price_source) == (None, "unavailable") and "R-PRC-MIP" in p20.why
    assert all(p.indicative for p in day.periods.values())  # open day, no metered volumes
    # Elexon's published price beside the indicative one (P17 only published).
    assert p17.published_ssp == small_day.PUBLISHED_P17 and p18.published_ssp is None
    # The lines told: after PN every period has no price; MID gives 17-19 the MIP; each
    # acceptance or BSAD moves its own period only; the DISEBSP adds the published price.
    pn, bod, mid, first, bsad, second, published = lines
    assert len(pn) == 4 and all("no price" in line for line in pn) and bod == []
    assert mid == [
        f"2022-01-01 P{j} indicative SSP £55.00/MWh NIV +0.0 MWh (0 acceptances; "
        "MIP (no acceptance, NIV 0: R-PRC-NIV, R-PRC-MIP))"
        for j in (17, 18, 19)
    ]
    assert first == [
        "2022-01-01 P17 indicative SSP £80.00/MWh NIV +6.7 MWh (1 acceptance; stack (R-PRC-MAIN))"
    ]
    assert bsad == [
        "2022-01-01 P17 indicative SSP £90.16/MWh NIV +7.2 MWh (1 acceptance; stack (R-PRC-MAIN))"
    ]
    assert second == [
        "2022-01-01 P18 indicative SSP £30.00/MWh NIV -3.3 MWh (1 acceptance; stack (R-PRC-MAIN))"
    ]
    assert published == [bsad[0] + "; published SSP £86.50/MWh"]


def test_the_live_prices_are_those_settle_computes_from_the_same_files(
    registered_db, registered_db_file, tmp_path
):
    _replayed(registered_db)
    with registered_db.engine.connect() as conn:
        live = read_result_frames(conn, latest_run(registered_db))
    folder = tmp_path / "files"
    folder.mkdir()
    files = []
    for n, message in enumerate(small_day.messages()):
        files.append(folder / f"{message.dataset}_{n}.json")
        files[-1].write_text(message.body)
    path = tmp_path / "imported.sqlite"
    shutil.copy(registered_db_file, path)
    with SettlementDatabase.open(path) as imported:
        import_files(imported, files, run_type=LIVE_RUN_TYPE)
        run_id = latest_run(imported)
        settle_run(imported, run_id)
        with imported.engine.connect() as conn:
            settled = read_result_frames(conn, run_id)
    for table in ("system_price_result", "stack_item_result", "system_period_result"):
        assert live[table] == settled[table], table
    prices = settled["system_price_result"]
    assert prices["ssp"][16] == pytest.approx(small_day.P17_SSP)
    assert prices["niv"][17] == pytest.approx(small_day.P18_NIV)


def test_the_stream_spaces_its_settles_and_settles_all_before_it_ends(registered_db):
    messages = messages_of(recorded(DAY_FILES[2]), per_message=40)[:30]  # 30 acceptance messages
    stream, told = _stream(registered_db)
    stream.until_idle = 0.0
    for message in messages:
        assert stream.take(message).status == WRITTEN
    assert 1 <= stream.settles < len(messages)  # spaced: fewer settles than messages
    assert stream.done()  # idle: what is pending is settled before the stream ends
    run_id = latest_run(registered_db)
    with registered_db.engine.connect() as conn:
        stored = read_result_frames(conn, run_id)["system_price_result"]
    fresh = settle_live_run(registered_db, run_id)  # nothing arrived since: the same results
    with registered_db.engine.connect() as conn:
        assert read_result_frames(conn, run_id)["system_price_result"] == stored
    last = {p.period: p.key() for d, ch in told for p in ch}
    assert last == {j: p.key() for j, p in fresh.periods.items()}  # every change was told


def test_no_settle_leaves_the_live_run_unsettled(registered_db):
    stream = Stream(registered_db, settle=False)
    for message in small_day.messages():
        stream.take(message)
    stream.settle_pending(force=True)
    assert stream.settles == 0
    with registered_db.engine.connect() as conn:
        prices = read_result_frames(conn, latest_run(registered_db))["system_price_result"]
    assert prices["period"] == []
