"""Persistent caches in .cache/, so that unchanged work is never redone. An I/O edge.

Entries are keyed by what they were made from (a seed's or a story file's bytes) and live in
a folder per version of briefing's code and data (and the site registry, for what entities
depend on): any change to one of them is a miss. A cache that cannot be read is a miss,
never an error: a cache only ever saves time.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import briefing

#: bump to drop every entry written by an older layout of the cached values
LAYOUT = "2"


def code_version(extra: str = "") -> str:
    """A digest of briefing's own source and data files (and `extra`, e.g. the site registry)."""
    package = Path(briefing.__file__).resolve().parent
    digest = hashlib.sha256(LAYOUT.encode())
    for path in sorted(p for p in package.rglob("*") if p.is_file() and p.suffix in (".py", ".yaml", ".txt")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    digest.update(extra.encode())
    return digest.hexdigest()[:16]


class Store:
    """Pickled values by key, in one SQLite file (one file per entry made every cold build pay a
    file system operation per seed, story and page; a single file costs a row).

    Safe to use from forked worker processes: each process opens its own connection. Writes
    are not flushed to disk one by one (a cache lost in a crash is only a slower build).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._connection: sqlite3.Connection | None = None
        self._pid = 0

    def _db(self) -> sqlite3.Connection:
        if self._connection is None or self._pid != os.getpid():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=OFF")
            connection.execute("CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value BLOB NOT NULL)")
            self._connection, self._pid = connection, os.getpid()
        return self._connection

    def get(self, key: str) -> Any:
        """The value stored under a key, or None."""
        try:
            row = self._db().execute("SELECT value FROM entries WHERE key = ?", (key,)).fetchone()
            return pickle.loads(row[0]) if row else None  # noqa: S301 - our own cache, written below
        except (
            OSError,
            sqlite3.Error,
            pickle.PickleError,
            EOFError,
            AttributeError,
            ImportError,
            TypeError,
            ValueError,
        ):
            return None

    def put(self, key: str, value: Any) -> None:
        try:
            data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            self._db().execute("INSERT OR REPLACE INTO entries (key, value) VALUES (?, ?)", (key, data))
        except (OSError, sqlite3.Error):
            return  # a full, locked or read-only disk makes the build slower, not wrong

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path}  # a connection is not passed to another process

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["path"])  # type: ignore[misc]


def current(folder: Path, version: str) -> Store:
    """The store of one version in a folder; the stores of other versions are removed (they
    would only ever miss, and the cache would grow with every change of code or registry)."""
    path = folder / f"{version}.sqlite"
    try:
        for other in folder.iterdir():
            if not other.name.startswith(version):
                if other.is_dir():
                    shutil.rmtree(other, ignore_errors=True)
                else:
                    other.unlink(missing_ok=True)
    except OSError:
        pass  # no cache yet, or not ours to tidy: a cache only ever saves time
    return Store(path)


def compose_store(cache_dir: Path, site_registry: str) -> Store:
    """Where composed drafts are kept: they depend on the code, the data and the site registry."""
    return current(cache_dir / "compose", code_version(site_registry))


def content_store(cache_dir: Path) -> Store:
    """Where parsed story files are kept: they depend on the code only."""
    return current(cache_dir / "content", code_version())


def body_store(cache_dir: Path) -> Store:
    """Where story bodies rendered to sanitised HTML are kept: they depend on the code only."""
    return current(cache_dir / "bodies", code_version())
