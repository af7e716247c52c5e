"""The raw-response cache: answers content-addressed on disk, the latest answer of a request
wins, an index line cut off by an interruption is ignored, a changed object is refused."""

from __future__ import annotations

import hashlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.fetch.cache import ResponseCache, default_cache_dir, request_key
from models.fetch.endpoints import Request

BODY = b'{"data": []}'
SHA = hashlib.sha256(BODY).hexdigest()  # an object is named by its content's sha256


def test_the_default_cache_is_in_the_users_cache_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / "settlement-workbench" / "insights"


def test_a_key_is_the_full_url_with_its_parameters_sorted():
    request = Request("PN", None, "/datasets/PN", (("to", "2"), ("from", "1")))
    canonical = json.dumps(["http://x/api/datasets/PN", [["from", "1"], ["to", "2"]]])
    assert request_key("http://x/api/", request) == hashlib.sha256(canonical.encode()).hexdigest()


@given(
    params=st.lists(
        st.tuples(st.text("abcdefgh", min_size=1), st.text(max_size=5)),
        unique_by=lambda p: p[0],
        max_size=6,
    ),
    seed=st.randoms(),
)
def test_the_cache_key_does_not_depend_on_parameter_order(params, seed):
    shuffled = list(params)
    seed.shuffle(shuffled)
    a = Request("PN", None, "/datasets/PN", tuple(params))
    b = Request("PN", None, "/datasets/PN", tuple(shuffled))
    assert request_key("http://x/api", a) == request_key("http://x/api/", b)
    c = Request("PN", None, "/datasets/QPN", tuple(params))
    assert request_key("http://x/api", a) != request_key("http://x/api", c)


def test_a_stored_answer_is_found_again_by_another_cache_on_the_folder(tmp_path):
    entry = ResponseCache(tmp_path).store("k1", "/datasets/PN", {"from": "1"}, BODY)
    assert (entry.sha256, entry.size) == (SHA, 12)
    assert (tmp_path / "objects" / SHA[:2] / f"{SHA}.json").read_bytes() == BODY
    again = ResponseCache(tmp_path)
    found = again.lookup("k1")
    assert found == entry and again.body(found) == BODY
    assert again.lookup("k2") is None
    line = json.loads((tmp_path / "index.jsonl").read_text())
    assert line == {**entry.as_json(), "params": {"from": "1"}}


def test_the_latest_answer_of_a_request_wins_and_the_older_object_stays(tmp_path):
    cache = ResponseCache(tmp_path)
    first = cache.store("k1", "/datasets/PN", {}, b"[1]")
    cache.store("k1", "/datasets/PN", {}, b"[2]")
    again = ResponseCache(tmp_path)
    assert again.body(again.lookup("k1")) == b"[2]"
    assert cache.body(first) == b"[1]"  # a run fetched earlier keeps its provenance


def test_an_index_line_cut_off_or_without_its_object_is_no_answer(tmp_path):
    cache = ResponseCache(tmp_path)
    cache.store("k1", "/a", {}, BODY)
    gone = cache.store("k2", "/b", {}, b"[3]")
    (tmp_path / "objects" / gone.sha256[:2] / f"{gone.sha256}.json").unlink()
    with (tmp_path / "index.jsonl").open("a") as index:
        index.write('{"key": "k3", "url": "/c", "par')  # a power cut mid-line
    again = ResponseCache(tmp_path)
    assert again.lookup("k1") is not None
    assert again.lookup("k2") is None and again.lookup("k3") is None


def test_an_object_changed_on_disk_is_refused(tmp_path):
    cache = ResponseCache(tmp_path)
    entry = cache.store("k1", "/a", {}, BODY)
    (tmp_path / "objects" / SHA[:2] / f"{SHA}.json").write_bytes(b'{"data": [1]}')
    with pytest.raises(OSError, match=f"cache object {SHA} does not match its sha256: delete it"):
        cache.body(entry)


def test_a_manifest_is_stored_once_under_its_sha256(tmp_path):
    cache = ResponseCache(tmp_path)
    sha = cache.write_manifest({"b": 2, "a": 1})
    assert sha == cache.write_manifest({"a": 1, "b": 2})  # the same document, keys in any order
    stored = (tmp_path / "manifests" / f"{sha}.json").read_bytes()
    assert hashlib.sha256(stored).hexdigest() == sha
    assert json.loads(stored) == {"a": 1, "b": 2}
