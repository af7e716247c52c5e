"""The raw-response cache: every good Insights answer, content-addressed on disk.

Layout under the cache directory:
- `objects/ab/abcdef….json`: an answer's body exactly as received, named by its sha256;
- `index.jsonl`: one line per stored answer, appended: the request key, URL path, query
  parameters, the time it was fetched (UTC) and the body's sha256 and size. The latest line of
  a request key is its answer; an older answer's object stays, so a run's provenance holds;
- `manifests/<sha256>.json`: what one fetch of one settlement date imported (see `manifest`).

Bodies are written to a temporary file and renamed, and the index line is written after its
object: a fetch interrupted at any point leaves only whole answers, and the next fetch resumes
from them.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from models.fetch.endpoints import Request


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "settlement-workbench" / "insights"


def request_key(base_url: str, request: Request) -> str:
    """The sha256 of the request's full URL with its parameters in a fixed order."""
    canonical = json.dumps([base_url.rstrip("/") + request.path, sorted(request.params)])
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Entry:
    """One stored answer."""

    key: str
    url: str
    params: dict[str, str]
    fetched_at: str  # ISO 8601, UTC
    sha256: str
    size: int

    def as_json(self) -> dict:
        return {
            "key": self.key,
            "url": self.url,
            "params": self.params,
            "fetched_at": self.fetched_at,
            "sha256": self.sha256,
            "size": self.size,
        }


class ResponseCache:
    """The cache in one directory; safe to use from several fetching threads at once."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._lock = threading.Lock()
        self._entries: dict[str, Entry] | None = None

    @property
    def index_path(self) -> Path:
        return self.root / "index.jsonl"

    def _object_path(self, sha: str) -> Path:
        return self.root / "objects" / sha[:2] / f"{sha}.json"

    def _load(self) -> dict[str, Entry]:
        if self._entries is None:
            entries: dict[str, Entry] = {}
            if self.index_path.is_file():
                for line in self.index_path.read_text(encoding="utf-8").splitlines():
                    try:
                        entry = Entry(**json.loads(line))
                    except (ValueError, TypeError):
                        continue  # a line cut off by an interruption: its answer is refetched
                    if self._object_path(entry.sha256).is_file():
                        entries[entry.key] = entry
            self._entries = entries
        return self._entries

    def lookup(self, key: str) -> Entry | None:
        with self._lock:
            return self._load().get(key)

    def body(self, entry: Entry) -> bytes:
        data = self._object_path(entry.sha256).read_bytes()
        if hashlib.sha256(data).hexdigest() != entry.sha256:
            raise OSError(f"cache object {entry.sha256} does not match its sha256: delete it")
        return data

    def store(self, key: str, url: str, params: dict[str, str], body: bytes) -> Entry:
        sha = hashlib.sha256(body).hexdigest()
        entry = Entry(
            key,
            url,
            dict(params),
            datetime.now(UTC).isoformat(timespec="seconds"),
            sha,
            len(body),
        )
        path = self._object_path(sha)
        with self._lock:
            self._load()
            if not path.is_file():
                _write_atomic(path, body)
            self.index_path.parent.mkdir(parents=True, exist_ok=True)
            with self.index_path.open("a", encoding="utf-8") as index:
                index.write(json.dumps(entry.as_json(), sort_keys=True) + "\n")
                index.flush()
                os.fsync(index.fileno())
            self._entries[key] = entry
        return entry

    def write_manifest(self, document: dict) -> str:
        """Store a fetch manifest content-addressed; returns its sha256."""
        data = json.dumps(document, indent=1, sort_keys=True).encode()
        sha = hashlib.sha256(data).hexdigest()
        path = self.root / "manifests" / f"{sha}.json"
        if not path.is_file():
            _write_atomic(path, data)
        return sha


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.part")
    try:
        with temporary.open("wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
