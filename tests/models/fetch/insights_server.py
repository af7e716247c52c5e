"""A stand-in for the Elexon Insights API on 127.0.0.1, serving the real recorded Elexon files
of ../shared/data/elexon in the Insights response shapes, with faults injected on request.

Also `loopback_only`, an autouse fixture for the fetch tests: any connection (or name lookup)
to anything but the loopback fails the test.
"""

from __future__ import annotations

import csv
import functools
import json
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

ELEXON = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "elexon"
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
REGISTER_NUMBERS = ("generationCapacity", "demandCapacity", "transmissionLossFactor")
PERIOD_DATASETS = {"PN", "QPN"}
WINDOW_DATASETS = {"MELS", "MILS", "BOD", "BOALF", "DISBSAD", "NETBSAD", "MID"}


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch):
    """Fail any test that connects, or looks a name up, anywhere but the loopback."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def host_of(address) -> str:
        return address[0] if isinstance(address, tuple) else str(address)

    def check(address) -> None:
        if isinstance(address, (str, bytes)):  # a Unix socket: not the network
            return
        if host_of(address) not in LOOPBACK:
            pytest.fail(f"a test tried to connect to {address!r}: only 127.0.0.1 is allowed")

    def connect(self, address):
        check(address)
        return real_connect(self, address)

    def connect_ex(self, address):
        check(address)
        return real_connect_ex(self, address)

    def getaddrinfo(host, *args, **kwargs):
        if host not in LOOPBACK and host is not None:
            pytest.fail(f"a test tried to look up {host!r}: only 127.0.0.1 is allowed")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield


def _records(path: Path) -> list[dict]:
    document = json.loads(path.read_text(encoding="utf-8"))
    return document["rows"] if "rows" in document else document["data"]


@functools.cache
def register_records() -> list[dict]:
    """The 2026 Insights register CSV as /reference/bmunits/all answers it: a JSON list,
    numbers as numbers, empty fields null."""
    path = ELEXON / "reference" / "bmu_register_insights_2026.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    out = []
    for row in rows:
        record = {}
        for key, value in row.items():
            if value == "":
                record[key] = None
            elif key in REGISTER_NUMBERS:
                record[key] = float(value)
            else:
                record[key] = value
        out.append(record)
    return out


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A client that timed out closed its end before a slow answer was written: expected.
        import sys

        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


@functools.cache
def recorded() -> dict[str, list[dict]]:
    """The recorded records of each dataset (read once; never changed by the stand-in)."""
    data: dict[str, list[dict]] = {}
    for name in ("PN_2022-01-01", "PN_2022-01-02", "BOD_2022-01-01", "BOALF_2022-01-01"):
        dataset = name.split("_")[0]
        data.setdefault(dataset, []).extend(_records(ELEXON / "insights_json" / f"{name}.json"))
    data["BOALF"] += _records(ELEXON / "insights_json" / "BOALF_2022-01-02.json")
    for day in range(1, 8):
        data.setdefault("DISBSAD", []).extend(
            _records(ELEXON / "bsad" / f"disbsad_2025-12-0{day}.json")
        )
    data["DISEBSP"] = _records(ELEXON / "system_prices" / "disebsp_2026-03-29.json")
    return data


@dataclass
class Fault:
    """What to do instead of a normal answer, for the first `times` requests whose path and
    query contain `match`."""

    match: str
    kind: str  # status, slow, cut, garbage, wrong_date, wrong_dataset, empty, bad_level
    times: int = 1
    status: int = 500
    retry_after: str | None = None
    seconds: float = 0.0


class InsightsStandIn:
    """Start with `with InsightsStandIn() as server:`; `server.url` is its base URL."""

    def __init__(self) -> None:
        self.data = recorded()
        self.register = register_records()
        self.lolpdrm: list[dict] = []
        self.faults: list[Fault] = []
        self.log: list[str] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle ---------------------------------------------------------------------------

    def __enter__(self) -> InsightsStandIn:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                stand_in._answer(self)

            def log_message(self, *args):
                return None

        self._server = _QuietServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name="insights"
        )
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        assert self._server is not None and self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/bmrs/api/v1"

    def requests_for(self, text: str) -> int:
        with self._lock:
            return sum(text in line for line in self.log)

    # -- answers ------------------------------------------------------------------------------

    def _fault(self, target: str) -> Fault | None:
        with self._lock:
            self.log.append(target)
            for fault in self.faults:
                if fault.match in target and fault.times > 0:
                    fault.times -= 1
                    return fault
        return None

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        target = parts.path + ("?" + parts.query if parts.query else "")
        fault = self._fault(target)
        if fault is not None and fault.kind == "slow":
            time.sleep(fault.seconds)
        if fault is not None and fault.kind == "status":
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            self._send(handler, fault.status, b'{"error": "injected"}', headers)
            return
        document = self._document(parts.path, parse_qs(parts.query))
        if document is None:
            self._send(handler, 404, b'{"error": "no such endpoint"}')
            return
        if fault is not None:
            document = _spoil(document, fault)
        body = json.dumps(document).encode() if not isinstance(document, bytes) else document
        if fault is not None and fault.kind == "cut":
            # The stated length is the whole body, but the connection closes halfway.
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(body)))
            handler.send_header("Connection", "close")
            handler.end_headers()
            handler.wfile.write(body[: len(body) // 2])
            handler.wfile.flush()
            handler.close_connection = True
            return
        self._send(handler, 200, body)

    @staticmethod
    def _send(handler, status: int, body: bytes, headers: dict | None = None) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)

    def _document(self, path: str, query: dict[str, list[str]]):
        prefix = "/bmrs/api/v1"
        if not path.startswith(prefix):
            return None
        path = path[len(prefix) :]
        one = {k: v[0] for k, v in query.items()}
        parts = path.strip("/").split("/")
        if path == "/reference/bmunits/all":
            return self.register
        if parts[0] == "datasets" and len(parts) == 2:
            dataset = parts[1].upper()
            rows = self.data.get(dataset, [])
            if dataset in PERIOD_DATASETS:
                day, period = one["settlementDate"], int(one["settlementPeriod"])
                return {"data": [r for r in rows if _at(r, day, period, period)]}
            if dataset in WINDOW_DATASETS:
                first, last = int(one["settlementPeriodFrom"]), int(one["settlementPeriodTo"])
                return {"data": [r for r in rows if _at(r, one["from"][:10], first, last)]}
            if dataset == "LOLPDRM":
                # /datasets/LOLPDRM filters on publishTime only (publishDateTimeFrom/To,
                # inclusive); no LoLP is recorded in the shared data: a test may set
                # `lolpdrm` to publications in the OpenAPI document's shape.
                first = _instant(one["publishDateTimeFrom"])
                last = _instant(one["publishDateTimeTo"])
                rows = [r for r in self.lolpdrm if first <= _instant(r["publishTime"]) <= last]
                return {"data": rows}
            return None
        if path.startswith("/balancing/settlement/system-prices/"):
            day = parts[-1]
            rows = [r for r in self.data["DISEBSP"] if r["settlementDate"] == day]
            return {"metadata": {"datasets": ["DISEBSP"]}, "data": rows}
        if path.startswith("/balancing/settlement/stack/all/"):
            # ResponseWithMetadata of SettlementStackResponse items; no stack is recorded in
            # the shared data (the tests that need items serve their own).
            return {"metadata": {"datasets": ["ISPSTACK"]}, "data": []}
        return None


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _at(record: dict, day: str, first: int, last: int) -> bool:
    period = record.get("settlementPeriod", record.get("settlementPeriodFrom"))
    return record["settlementDate"] == day and first <= period <= last


def _spoil(document, fault: Fault):
    if fault.kind == "garbage":
        return b"<html><body>Service temporarily unavailable</body></html>"
    if fault.kind == "empty":
        return {"data": []}
    records = document["data"] if isinstance(document, dict) else document
    if fault.kind == "wrong_date":
        records = [r | {"settlementDate": "2021-12-31"} for r in records]
    elif fault.kind == "wrong_dataset":
        records = [r | {"dataset": "QPN"} for r in records]
    elif fault.kind == "bad_level":  # well-formed, but a value the importer refuses
        records = [r | {"levelFrom": "high"} for r in records[:1]] + records[1:]
    return {"data": records} if isinstance(document, dict) else records
