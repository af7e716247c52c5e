"""File › Go live… against the real AMQP 1.0 broker the tests start (RabbitMQ, tests/live_broker.py)
with real recorded Elexon messages (2022-01-01's PN, BOD and BOALF, tests/models/live/recorded.py):
the day overview's indicative prices follow each message in place, from its publishing to the
repaint within 1 s; Stop live ends the listener and a message sent meanwhile waits on the
broker for the next Go live; a broker restart mid-stream shows as disconnected, reconnecting,
and the window then catches up with nothing lost or duplicated."""

from __future__ import annotations

import itertools
import shutil
import statistics
import time

import numpy as np
import pytest

from engine.settle import settle_day
from models.db.database import SettlementDatabase
from models.db.schema import LiveDeadLetter, LiveMessage
from models.imports.loader import import_files
from models.live.handler import LIVE_RUN_TYPE
from models.runs.inputs import load_settlement_inputs
from tests.models.live.publisher import Publisher, publish
from tests.models.live.recorded import DAY_FILES, messages_of, recorded
from tests.models.live.stored_runs import count, latest_run, rows
from tests.views.screens import save_screens
from tests.views.window_driver import open_database
from tests.workbench.gui.live_helpers import Paints, registered_database
from views.live_dialog import BROKER

pytestmark = pytest.mark.timing  # latency bounds: run alone (see pyproject's markers)

LATENCY_LIMIT_S = 1.0  # issue 23: message to updated price on screen
# IRIS's messages come seconds apart; one sent sooner after a settle than twice that settle's
# cost waits for it (models.live.stream: settling takes at most a third of the listener), so
# the messages here come as far apart as IRIS's closest do, not back to back.
MESSAGE_GAP_S = 0.5
CATCH_UP_MS = 120_000  # a restarted broker, then the listener's backoff (up to 10 s)


@pytest.fixture
def db_path(tmp_path):
    return registered_database(tmp_path / "live.sqlite")


@pytest.fixture
def live_window(qtbot, window, db_path):
    """The window with the register database open; its listener stopped at the end."""
    assert open_database(qtbot, window, db_path)
    window.tabs.setCurrentWidget(window.overview)
    yield window
    window.live.controller.stop()
    assert not window.live.controller.running


def go_live(qtbot, window, url: str, queue: str) -> None:
    """File › Go live…, the broker chosen in the dialog; waits until the link is open."""
    window.live.go_action.trigger()
    dialog = window.live.controller.dialog
    dialog.from_broker.setChecked(True)
    dialog.broker.setText(url)
    dialog.queue.setText(queue)
    dialog.close_days.setChecked(False)  # a past day replayed: one open run, not closed at once
    assert dialog.options().source == BROKER
    dialog.accept()
    controller = window.live.controller
    qtbot.waitUntil(lambda: controller.running and controller.connection is not None, timeout=30000)
    assert controller.connection[0], controller.connection


def shown_ssp(window) -> np.ndarray:
    """The SSP the day overview's price chart draws, by period (NaN: no price)."""
    curve = window.overview.price_plot.listDataItems()[0]
    return np.asarray(curve.yData, dtype=float)


def day_messages(boalf_per_message: int, bm_per_message: int = 100_000):
    """The recorded day's messages: PN, then BOD, `bm_per_message` records a message, then
    BOALF. (IRIS sends a publication a message, a few records; a message of 15,000 BOD
    records, the day's, took 0.4 s to write before its settle.)"""
    files = [recorded(name) for name in DAY_FILES]
    return files, [
        *messages_of(files[0], per_message=bm_per_message),
        *messages_of(files[1], per_message=bm_per_message),
        *messages_of(files[2], per_message=boalf_per_message),
    ]


def imported_ssp(db_path, tmp_path, files) -> np.ndarray:
    """The SSP of the same files imported as one II run and settled (what a replay must be)."""
    path = tmp_path / "imported.sqlite"
    shutil.copy(db_path, path)
    with SettlementDatabase.open(path) as db:
        import_files(db, files, run_type=LIVE_RUN_TYPE)
        with db.engine.connect() as conn:
            result = settle_day(load_settlement_inputs(conn, latest_run(db)))
        return result.prices.ssp[np.asarray(result.inputs.periods) - 1], rows(db, latest_run(db))


def test_the_overview_follows_recorded_messages_from_the_broker_within_a_second(
    qtbot, live_window, live_broker, db_path, tmp_path
):
    window, controller = live_window, live_window.live.controller
    loads = []
    window.jobs.started.connect(loads.append)
    go_live(qtbot, window, live_broker.url, "gui-latency")
    light = window.live.status_light.text()
    assert "no message yet" in light and "guest@127.0.0.1" in light and ":guest@" not in light
    paints = Paints(window.overview.charts.viewport())
    files, messages = day_messages(boalf_per_message=1000, bm_per_message=5000)
    datasets = [m.dataset for m in messages]
    assert datasets == ["PN"] * 2 + ["BOD"] * 3 + ["BOALF"] * 4
    first = datasets.index("BOALF")
    latencies, prices = [], []
    with Publisher(live_broker.url, "gui-latency") as publisher:
        for message in messages:
            qtbot.wait(int(MESSAGE_GAP_S * 1000))
            began = time.perf_counter()
            publisher.send(message)
            qtbot.waitUntil(lambda b=began: (controller.settled_at or 0) > b, timeout=10000)
            shown = controller.settled_at
            qtbot.waitUntil(lambda s=shown: any(t > s for t in paints.times), timeout=5000)
            latencies.append(next(t for t in paints.times if t > shown) - began)
            day = controller.day
            periods = np.asarray(day.result.inputs.periods)
            engine = day.result.prices.ssp[periods - 1]
            np.testing.assert_array_equal(shown_ssp(window), engine)  # on screen: this settle
            prices.append(engine)
    priced = [int(np.isfinite(p).sum()) for p in prices]
    # No MID on the recorded day: a period is priced once an acceptance reaches into it.
    assert priced[:first] == [0] * first and 0 < priced[first] < priced[-1]
    changed = itertools.pairwise(prices[first:])
    assert all(not np.array_equal(a, b, equal_nan=True) for a, b in changed)
    expected, _ = imported_ssp(db_path, tmp_path, files)
    np.testing.assert_allclose(prices[-1], expected, equal_nan=True)
    assert window.overview.title.text().startswith("LIVE 2022-01-01 II (run 1, indicative)")
    assert "9 written; 2022-01-01 P" in window.live.status_light.text()
    assert loads == []  # in place: no load job
    print(
        f"broker publish → overview repainted: median {statistics.median(latencies) * 1000:.0f} "
        f"ms, worst {max(latencies) * 1000:.0f} ms over {len(latencies)} recorded messages "
        f"({MESSAGE_GAP_S:g} s apart): "
        + ", ".join(f"{m.dataset} {t * 1000:.0f}" for m, t in zip(messages, latencies, strict=True))
    )
    assert max(latencies) <= LATENCY_LIMIT_S
    save_screens(window, tmp_path, "live_broker_overview")


def test_stop_live_ends_the_listener_and_what_came_meanwhile_waits_for_the_next(
    qtbot, live_window, live_broker
):
    window, controller = live_window, live_window.live.controller
    _, messages = day_messages(boalf_per_message=1000)
    go_live(qtbot, window, live_broker.url, "gui-stop")
    publish(live_broker.url, "gui-stop", messages[:2])
    qtbot.waitUntil(lambda: controller.written == 2, timeout=20000)
    window.live.stop_action.trigger()  # waits for the listener's thread
    qtbot.waitUntil(lambda: not controller.running)  # its end told to the GUI thread
    assert window.live.go_action.isEnabled() and not window.live.stop_action.isEnabled()
    qtbot.waitUntil(lambda: "Live stopped (2 messages written)" in window.live.status_light.text())
    db = window.selection.database
    publish(live_broker.url, "gui-stop", messages[2:3])  # nobody listens: the broker keeps it
    qtbot.wait(500)
    assert count(db, LiveMessage) == 2
    go_live(qtbot, window, live_broker.url, "gui-stop")
    qtbot.waitUntil(lambda: controller.written == 1, timeout=20000)
    assert count(db, LiveMessage) == 3 and count(db, LiveDeadLetter) == 0
    qtbot.waitUntil(lambda: controller.day is not None and np.isfinite(shown_ssp(window)).any())


def test_a_broker_restart_mid_stream_shows_and_the_window_catches_up(
    qtbot, live_window, live_broker, db_path, tmp_path
):
    window, controller = live_window, live_window.live.controller
    files, messages = day_messages(boalf_per_message=300)
    assert len(messages) == 15
    go_live(qtbot, window, live_broker.url, "gui-restart")
    publish(live_broker.url, "gui-restart", messages[:8])
    qtbot.waitUntil(lambda: controller.written >= 4, timeout=30000)
    light = window.live.status_light
    live_broker.halt()  # some written, some still queued on the broker
    qtbot.waitUntil(lambda: "broker disconnected" in light.text(), timeout=30000)
    assert "reconnecting in" in light.text() and "written" in light.text()
    assert window.live.stop_action.isEnabled()  # still live: it reconnects by itself
    save_screens(window, tmp_path, "live_broker_disconnected")
    live_broker.start()
    publish(live_broker.url, "gui-restart", messages[8:])
    db = window.selection.database
    qtbot.waitUntil(lambda: controller.written == 15, timeout=CATCH_UP_MS)
    assert controller.connection[0] and count(db, LiveMessage) == 15
    assert "disconnected" not in light.text() and "15 written" in light.text()
    expected, imported = imported_ssp(db_path, tmp_path, files)
    controller.stop()  # what is pending is settled, and shown
    qtbot.waitUntil(lambda: "Live stopped (15 messages written)" in light.text())
    assert controller.written == 15 and count(db, LiveDeadLetter) == 0
    assert rows(db, latest_run(db)) == imported  # nothing lost, nothing twice
    np.testing.assert_allclose(shown_ssp(window), expected, equal_nan=True)
