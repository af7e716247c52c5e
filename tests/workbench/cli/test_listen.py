"""`settlement-workbench listen`: from the IRIS client's folder and from a real AMQP 1.0 broker,
one line per message and a summary; bad input is one line and exit 2; Ctrl+C stops cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models.db.database import SettlementDatabase
from models.db.schema import LiveMessage, SettlementRun
from tests.models.live.publisher import publish
from tests.models.live.recorded import DAY_FILES, messages_of, recorded
from tests.paths import ELEXON_DATA, REPO
from tests.workbench.cli.running import one_line, run
from workbench.cli.main import main


@pytest.fixture
def db_path(tmp_path):
    path = tmp_path / "live.sqlite"
    SettlementDatabase.create(path).close()
    return path


def summary(end: str, written: int, repeated: int, dead: int, skipped: int) -> str:
    return (
        f"{end}: {written} written, {repeated} repeated (nothing written), {dead} dead-lettered, "
        f"{skipped} skipped (datasets not imported)"
    )


def written(path) -> int:
    with SettlementDatabase.open(path) as db, db.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(LiveMessage.__table__)).scalar_one()


def boalf_messages(per_message=2000):
    return messages_of(recorded(DAY_FILES[2]), per_message=per_message)  # 3,720 acceptances


def test_listen_to_a_folder_until_idle(capsys, db_path, tmp_path):
    inbox = tmp_path / "iris"
    (inbox / "BOALF").mkdir(parents=True)
    for n, message in enumerate(boalf_messages()):
        (inbox / "BOALF" / f"BOALF_220101T0000{n:02d}_000000.json").write_text(message.body)
    (inbox / "BOALF" / "BOALF_bad.json").write_text("{")
    (inbox / "FUELINST").mkdir()  # IRIS pushes every dataset; the workbench imports some
    (inbox / "FUELINST" / "FUELINST_1.json").write_text('[{"dataset": "FUELINST"}]')
    code, out, err = run(
        capsys, "listen", "--db", str(db_path), "--folder", str(inbox), "--until-idle", "1"
    )
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[-1] == summary("idle", 2, 0, 1, 1)
    assert sum("written: run " in line for line in lines) == 2
    # 2022-01-01 ended long ago (default --close-after 2 h): each message's run is closed.
    assert [line for line in lines if line.startswith("closed: ")] == [
        "closed: run 1 (2022-01-01 II), immutable",
        "closed: run 2 (2022-01-01 II #2), immutable",
    ]
    assert sum("BOALF/BOALF_bad.json  dead-lettered: " in line for line in lines) == 1
    assert written(db_path) == 2


def test_listen_to_a_broker_until_idle(capsys, db_path, live_broker):
    messages = boalf_messages()
    publish(live_broker.url, "cli", [*messages, messages[0]])  # the first one twice
    code, out, err = run(
        capsys, "listen", "--db", str(db_path), "--broker", live_broker.url,
        "--queue", "cli", "--until-idle", "2",
    )  # fmt: skip
    assert code == 0, err
    assert out.strip().splitlines()[-1] == summary("idle", 2, 1, 0, 0)
    assert written(db_path) == 2


def test_a_day_kept_open_is_closed_by_hand(capsys, db_path, tmp_path):
    inbox = tmp_path / "iris"
    (inbox / "BOALF").mkdir(parents=True)
    for n, message in enumerate(boalf_messages()):
        (inbox / "BOALF" / f"BOALF_220101T0000{n:02d}_000000.json").write_text(message.body)
    code, out, err = run(
        capsys, "listen", "--db", str(db_path), "--folder", str(inbox),
        "--until-idle", "1", "--close-after", "never",
    )  # fmt: skip
    assert code == 0, err
    assert "closed:" not in out
    assert out.count("written: run 1") == 2  # both messages appended to the one live run
    code, out, err = run(capsys, "listen", "--db", str(db_path), "--close-day", "2022-01-01")
    assert (code, out.strip()) == (0, "closed: run 1 (2022-01-01 II), immutable"), err
    with SettlementDatabase.open(db_path) as db, db.engine.connect() as conn:
        assert conn.execute(select(SettlementRun.status)).scalars().all() == ["loaded"]
    code, _, err = run(capsys, "listen", "--db", str(db_path), "--close-day", "2022-01-01")
    assert code == 2
    assert "2022-01-01 has no open live run to close" in one_line(err)


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--broker", "amqp://127.0.0.1:5672"], "--broker needs --queue NAME"),
        (["--folder", "nowhere", "--queue", "q"], "--queue goes with --broker"),
        (["--folder", "nowhere"], "nowhere is not a folder"),
    ],
)
def test_bad_input_is_one_line(capsys, db_path, argv, says):
    code, _, err = run(capsys, "listen", "--db", str(db_path), *argv)
    assert code == 2
    assert says in one_line(err)


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--broker", "http://127.0.0.1:5672", "--queue", "q"], "give the broker as amqp://"),
        (["--broker", "amqp://127.0.0.1:5672/q", "--queue", "q"], "the queue goes in --queue"),
        (["--folder", ".", "--until-idle", "0"], "give more than 0"),
        (["--folder", ".", "--close-after", "soon"], "is not a number of hours or never"),
        (["--folder", ".", "--close-after", "-1"], "give 0 to 168 hours, or never"),
        (["--folder", ".", "--close-day", "2022-01-01"], "not allowed with argument"),
        ([], "one of the arguments --broker --folder --iris --close-day is required"),
    ],
)
def test_bad_arguments_are_one_line(capsys, db_path, argv, says):
    with pytest.raises(SystemExit) as refused:
        main(["listen", "--db", str(db_path), *argv])
    assert refused.value.code == 2
    assert says in one_line(capsys.readouterr().err)


def test_ctrl_c_stops_cleanly_with_a_summary(db_path, tmp_path):
    inbox = tmp_path / "iris"
    (inbox / "BOALF").mkdir(parents=True)
    program = Path(sys.executable).parent / "settlement-workbench"
    command = [str(program), "listen", "--db", str(db_path), "--folder", str(inbox)]
    env = os.environ | {"PYTHONPATH": str(REPO)}
    listener = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        message = boalf_messages()[0]
        (inbox / "BOALF" / "BOALF_220101T000000_000000.json").write_text(message.body)
        deadline = time.monotonic() + 60
        while written(db_path) < 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        listener.send_signal(signal.SIGINT)
        out, err = listener.communicate(timeout=60)
    finally:
        if listener.poll() is None:
            listener.kill()
            listener.wait()
    assert listener.returncode == 0, err
    assert out.strip().splitlines()[-1] == summary("stopped", 1, 0, 0, 0)
    assert "Traceback" not in err


def test_listen_prices_the_open_periods_as_the_data_arrives(capsys, db_path, tmp_path):
    """The hand-checked small day (tests/models/live/small_day.py) from the IRIS folder: a line
    per period whose indicative price changed, the last ones the day's figures; --quiet: no
    line per message."""
    from datetime import date

    from models.imports.loader import import_files
    from tests.models.live import small_day

    with SettlementDatabase.open(db_path) as db:  # E_BETHW-1's TLF: the register in force
        register = ELEXON_DATA / "reference" / "bmu_register_insights_2026.csv"
        import_files(db, [register], effective_from=date(2019, 1, 1))
    inbox = tmp_path / "iris"
    for n, message in enumerate(small_day.messages()):
        folder = inbox / message.dataset
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{message.dataset}_{n}.json"
        path.write_text(message.body)
        os.utime(path, ns=(n * 10**9, n * 10**9))  # taken in the order they were written
    code, out, err = run(
        capsys, "listen", "--db", str(db_path), "--folder", str(inbox), "--until-idle", "1",
        "--close-after", "never", "--quiet",
    )  # fmt: skip
    assert code == 0, err
    lines = out.strip().splitlines()
    assert lines[-1] == summary("idle", 7, 0, 0, 0)
    assert lines[-2].startswith("settled: ") and "indicative (no metered volumes)" in lines[-2]
    assert not any(" written: " in line for line in lines)  # --quiet
    last = {line.split()[1]: line for line in lines if line.startswith("2022-01-01 P")}
    assert last == {
        "P17": "2022-01-01 P17 indicative SSP £90.16/MWh NIV +7.2 MWh (1 acceptance; "
        "stack (R-PRC-MAIN)); published SSP £86.50/MWh",
        "P18": "2022-01-01 P18 indicative SSP £30.00/MWh NIV -3.3 MWh (1 acceptance; "
        "stack (R-PRC-MAIN))",
        "P19": "2022-01-01 P19 indicative SSP £55.00/MWh NIV +0.0 MWh (0 acceptances; "
        "MIP (no acceptance, NIV 0: R-PRC-NIV, R-PRC-MIP))",
        "P20": "2022-01-01 P20 indicative no price NIV +0.0 MWh (0 acceptances; no price: "
        "MIP_j is needed and no market index data (MID) arrived (R-PRC-MIP))",
    }
