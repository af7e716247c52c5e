"""The built bundle, run as a user would, answers as the source tree does.

Each command runs with a clean environment (no Python on PATH, no virtual environment, a home
of its own) from a folder outside the repository. Where the source tree can run the same
command on the same files, the bundle must print exactly what it prints (times and sizes
masked); the worked example's figures are the rulebook's, computed by hand.
"""

from __future__ import annotations

import json
import re
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.metadata import version

import pytest

from tests.installer.bundle import DEMO_ARGS, one_line, same_as_source
from tests.paths import CASES, ELEXON_DATA

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]  # the first test waits for the build

# A real Insights answer: the system prices of the spring clock-change day (46 periods).
SYSTEM_PRICES = ELEXON_DATA / "system_prices" / "disebsp_2026-03-29.json"


def test_prints_the_installed_project_version(new_user):
    result = new_user("analyst").bundled("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"settlement-workbench {version('settlement-workbench')}\n"


def test_creates_the_demo_database_as_the_source_does(new_user):
    # Alembic's migration scripts, the case schema and the bundled register CSV are read.
    result = same_as_source(new_user("analyst"), new_user("developer"), *DEMO_ARGS)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "Created demo settlement database demo.sqlite"
    assert re.fullmatch(r"  20 BM units of \d+ parties; 1 settlement date\(s\) from 2024-06-12; "
                        r"seed 1", lines[1]), lines[1]  # fmt: skip
    assert lines[2].startswith("  3 runs (II, SF, R1 per date); ")
    assert lines[-1].startswith("  Contains BMRS data © Elexon Limited")


def test_lists_settles_and_shows_a_run_of_the_demo(new_user, demo_database):
    analyst, developer = new_user("analyst"), new_user("developer")
    analyst.take(demo_database)
    developer.take(demo_database)
    db = ("--db", "demo.sqlite")
    listed = same_as_source(analyst, developer, "runs", *db)
    assert listed.returncode == 0, listed.stderr
    assert [line.split()[1:3] for line in listed.stdout.splitlines()[2:]] == [
        ["2024-06-12", "II"], ["2024-06-12", "SF"], ["2024-06-12", "R1"]
    ]  # fmt: skip
    run = ("--date", "2024-06-12", "--run", "II")
    settled = same_as_source(analyst, developer, "settle", *db, *run)
    assert settled.returncode == 0, settled.stderr
    assert settled.stdout.startswith("Settlement of 2024-06-12: run 2024-06-12 II\n")
    checks = re.search(r"^checks: ([1-9]\d*) passed, 0 not applicable, 0 failed$",
                       settled.stdout, re.M)  # fmt: skip
    assert checks, settled.stdout
    assert "results stored in demo.sqlite" in settled.stdout
    shown = same_as_source(analyst, developer, "show", *db, *run)
    assert shown.returncode == 0, shown.stderr
    assert checks.group(0) in shown.stdout.splitlines()  # the stored results are the settled
    assert analyst.error_logs() == []


def test_settles_the_worked_example(new_user):
    result = new_user("analyst").bundled(
        "case", "run", str(CASES / "worked_example.json"), "--json"
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["periods"][0]["ssp"] == pytest.approx(100.0)
    gen = next(p for p in document["parties"] if p["party"] == "GEN")
    assert round(gen["net"], 2) == 3267.08


def test_exports_a_case_file_that_validates(new_user, demo_database):
    analyst = new_user("analyst")
    analyst.take(demo_database)
    exported = analyst.bundled("case", "export", "--db", "demo.sqlite", "--date", "2024-06-12",
                               "--run", "SF", "--periods", "27-28", "-o", "sf.json")  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    assert exported.stderr == "wrote 2024-06-12 SF to sf.json\n"
    validated = analyst.bundled("case", "validate", "sf.json")
    assert validated.returncode == 0, validated.stderr
    assert re.fullmatch(r"sf\.json: valid settlement-case/1 for 2024-06-12: 20 BM units, "
                        r"\d+ acceptances, 40 metered volumes\n", validated.stdout)  # fmt: skip


def test_imports_a_real_elexon_file_into_a_new_database(new_user, elexon_data):
    result = same_as_source(
        new_user("analyst"), new_user("developer"), "import", "--db", "prices.sqlite",
        str(SYSTEM_PRICES),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Imported 1 file(s):",
        "  DISEBSP           46 record(s)",
        "  2026-03-29: run 1 2026-03-29 SF",
        "Dates covered: 2026-03-29 to 2026-03-29 (1 date(s))",
    ]
    assert result.stderr == "created prices.sqlite\n"


class _Insights(BaseHTTPRequestHandler):
    """The one answer of the Insights API the fetch below asks for."""

    def do_GET(self):
        self.server.asked.append(self.path)
        if self.path != "/balancing/settlement/system-prices/2026-03-29?format=json":
            self.send_error(404)
            return
        body = SYSTEM_PRICES.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def insights(elexon_data):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Insights)
    server.asked = []  # the paths asked for, in order
    thread = threading.Thread(target=server.serve_forever, name="insights")
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def test_fetches_a_date_over_http_and_imports_it(new_user, insights):
    url = f"http://127.0.0.1:{insights.server_address[1]}"
    result = new_user("analyst").bundled(
        "fetch", "--db", "fetched.sqlite", "--from", "2026-03-29", "--datasets", "DISEBSP",
        "--base-url", url, "--cache", "cache",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert insights.asked == ["/balancing/settlement/system-prices/2026-03-29?format=json"]
    assert result.stdout.startswith("Fetched 1 answer(s) from the server, 0 from the cache")
    assert "    DISEBSP           46 record(s)" in result.stdout.splitlines()
    assert "    2026-03-29: run 1 2026-03-29 SF" in result.stdout.splitlines()


def test_starts_the_gui_on_the_demo_and_exits_once_its_run_is_loaded(new_user, demo_database):
    analyst, developer = new_user("analyst"), new_user("developer")
    analyst.take(demo_database)
    developer.take(demo_database)
    shown = same_as_source(analyst, developer, "gui", "demo.sqlite", "--smoke-test", stderr=False)
    assert shown.returncode == 0, (shown.stdout, shown.stderr)
    assert re.fullmatch(r"2024-06-12 II: 20 BM units, \d+ parties; checks [1-9]\d* passed\b.*\n",
                        shown.stdout), shown.stdout  # fmt: skip
    # stderr holds Qt's notes on the offscreen platform only: no error of ours, no traceback.
    assert "Traceback" not in shown.stderr and "settlement-workbench" not in shown.stderr
    assert analyst.error_logs() == []


@pytest.mark.parametrize(
    "args",
    [
        ("case", "validate", "broken.json"),  # not JSON
        ("show", "--db", "demo.sqlite", "--date", "2030-01-01", "--run", "II"),  # no such run
        ("settle", "--db", "demo.sqlite", "--date", "2024-06-31", "--run", "II"),  # no such day
    ],
    ids=["broken-case-file", "missing-run", "bad-date"],
)
def test_bad_input_is_one_line_and_exit_2(new_user, demo_database, args):
    analyst, developer = new_user("analyst"), new_user("developer")
    for user in (analyst, developer):
        user.take(demo_database)
        (user.folder / "broken.json").write_text('{"settlement_date": "2024-06-12"\n')
    result = same_as_source(analyst, developer, *args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert one_line(result.stderr) and result.stderr.startswith("settlement-workbench"), (
        result.stderr
    )
    assert analyst.error_logs() == []


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("scheme", ["postgresql", "mysql+pymysql"])
def test_carries_the_drivers_of_team_databases(new_user, scheme):
    # SQLAlchemy imports a URL's driver only when it connects: nothing listens here, so the
    # bundle must fail as the source tree does, on the connection, not on a missing module.
    url = f"{scheme}://analyst@127.0.0.1:{_closed_port()}/settlement"
    result = same_as_source(new_user("analyst"), new_user("developer"), "runs", "--db", url)
    assert result.returncode != 0
    assert one_line(result.stderr) and "Connection refused" in result.stderr, result.stderr
