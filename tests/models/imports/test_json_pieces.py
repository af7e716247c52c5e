"""json.loads a record at a time (issue 20): the same values as json.loads for every real
Elexon JSON file, its own errors for bad documents, and other threads run while it parses."""

from __future__ import annotations

import gc
import json
import threading
import time
from itertools import pairwise

import pytest

from models.imports import json_pieces
from tests.paths import ELEXON_DATA, elexon

REAL = sorted(p.relative_to(ELEXON_DATA).as_posix() for p in ELEXON_DATA.rglob("*.json"))
PAD = " " * json_pieces.WHOLE_BELOW  # past the size below which one json.loads call is made


@pytest.mark.parametrize("relative", REAL)
def test_every_real_file_parses_to_what_json_loads_gives(relative):
    text = elexon(relative).read_text(encoding="utf-8-sig")
    assert json_pieces.loads(text) == json.loads(text)


@pytest.mark.parametrize(
    "document",
    [
        '{"data": [{"a": 1}, {"a": 2.5, "b": [1, {"c": null}]}], "metadata": {"datasets": ["PN"]}}',
        '[{"a": "x\\u00e9"}, [], {}, "text", 1e3, true, false, null]',
        '{"data": [], "rows": [1, 2], "data": [3]}',  # a key repeated: the last one stands
        '  {"data" : [ {"a" : 1} , {"a" : 2} ] , "n" : -0.5 }  ',
        '"just a string"',
        "[]",
        "{}",
    ],
)
def test_the_same_values_as_json_loads(document):
    text = document + PAD
    assert json_pieces.loads(text) == json.loads(text)


@pytest.mark.parametrize(
    "document",
    [
        '{"data": [{"a": 1},]}',  # a trailing comma
        '{"data": [{"a": 1} {"a": 2}]}',
        '{"data": [{"a": 1}]',
        '[{"a": 1}] [2]',
        "{data: [1]}",
        '{"a" 1}',
        '[{"a": NaNx}]',
        "",
    ],
)
def test_a_bad_document_raises_what_json_loads_raises(document):
    text = document + PAD
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(text)
    with pytest.raises(json.JSONDecodeError) as raised:
        json_pieces.loads(text)
    assert (raised.value.msg, raised.value.pos) == (expected.value.msg, expected.value.pos)


def _longest_stall(parse, text) -> float:
    """The longest wait of a 1 ms ticker thread while `parse(text)` runs, the collector
    paused as an import pauses it (models.imports.loader)."""
    ticks, stop = [], threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    ticker = threading.Thread(target=tick)
    ticker.start()
    time.sleep(0.01)
    gc.disable()
    try:
        value = parse(text)
    finally:
        gc.enable()
    time.sleep(0.01)
    stop.set()
    ticker.join()
    del value  # after: freeing 120,000 records at once is one long hold of its own
    return max(b - a for a, b in pairwise(ticks))


@pytest.mark.timing
def test_other_threads_run_while_a_big_file_parses():
    """A GB-scale day's BOD is ~100 MB of JSON: json.loads held the GIL for all of its
    parse, and an import in the background held up the GUI thread as long. Here the real
    BOD day's records eight times over (~34 MB)."""
    records = json.loads(elexon("insights_json/BOD_2022-01-01.json").read_text())
    text = json.dumps({"data": records["data"] * 8})  # ~34 MB
    whole = _longest_stall(json.loads, text)
    pieces = _longest_stall(json_pieces.loads, text)
    assert whole > 0.1  # one C call: the ticker waits for all of it
    assert pieces < 0.05, f"{pieces * 1e3:.0f} ms (json.loads: {whole * 1e3:.0f} ms)"
