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
import re
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Generic, TypeVar

import briefing

#: bump to drop every entry written by an older layout of the cached values
LAYOUT = "2"
#: keys a query asks for at most (SQLite allows 32,766 parameters)
_BATCH = 500
V = TypeVar("V")


def code_version(extra: str = "", *, of: tuple[str, ...] = ()) -> str:
    """A digest of briefing's source and data files (and `extra`, e.g. the site registry).

    With `of` (modules such as "briefing.compose"), only those modules and what they import,
    directly or not, count: a change to how pages are drawn does not make every seed be composed
    again.
    """
    package = Path(briefing.__file__).resolve().parent
    digest = hashlib.sha256(LAYOUT.encode())
    modules = _imported(package, of) if of else None
    for path in sorted(p for p in package.rglob("*") if p.is_file() and p.suffix in (".py", ".yaml", ".txt")):
        if modules is not None and path.suffix == ".py" and path.stem not in modules:
            continue
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    digest.update(extra.encode())
    return digest.hexdigest()[:16]


#: an import of one of briefing's modules: "from briefing.x import", "import briefing.x"
_IMPORT = re.compile(r"^\s*(?:from|import)\s+briefing\.(?P<module>\w+)", re.MULTILINE)


def _imported(package: Path, modules: tuple[str, ...]) -> set[str]:
    """The names of briefing's modules that `modules` need: themselves and what they import, at
    any depth (imports inside functions too); `__init__` is always among them."""
    needed = {"__init__"}
    waiting = [module.removeprefix("briefing.") for module in modules]
    while waiting:
        name = waiting.pop()
        if name in needed:
            continue
        needed.add(name)
        try:
            source = (package / f"{name}.py").read_text(encoding="utf-8")
        except OSError:
            continue
        waiting.extend(match["module"] for match in _IMPORT.finditer(source))
    return needed


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

    def get_many(self, keys: Sequence[str]) -> dict[str, Any]:
        """The values stored under some keys (those stored and readable), asked for in batches:
        a query a key costs more than unpickling what it finds."""
        found: dict[str, Any] = {}
        for start in range(0, len(keys), _BATCH):
            batch = keys[start : start + _BATCH]
            try:
                rows = (
                    self._db()
                    .execute(
                        f"SELECT key, value FROM entries WHERE key IN ({','.join('?' * len(batch))})",  # noqa: S608 - placeholders only
                        batch,
                    )
                    .fetchall()
                )
            except (OSError, sqlite3.Error):
                return found
            for key, value in rows:
                try:
                    found[key] = pickle.loads(value)  # noqa: S301 - our own cache, written below
                except (pickle.PickleError, EOFError, AttributeError, ImportError, TypeError, ValueError):
                    continue
        return found

    def put(self, key: str, value: Any) -> None:
        """Store one value (see put_many: to store many, store them together)."""
        self.put_many([(key, value)])

    def put_many(self, items: Iterable[tuple[str, Any]]) -> None:
        """Store some values in one transaction: a transaction a value cost a cold build of
        20,000 seeds a millisecond a seed, more with two processes taking turns at the file."""
        try:
            rows = [(key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)) for key, value in items]
            db = self._db()
            db.execute("BEGIN")
            try:
                db.executemany("INSERT OR REPLACE INTO entries (key, value) VALUES (?, ?)", rows)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
        except (OSError, sqlite3.Error):
            return  # a full, locked or read-only disk makes the build slower, not wrong

    def keys(self, prefix: str) -> list[str]:
        """The keys stored that start with a prefix."""
        try:
            rows = self._db().execute("SELECT key FROM entries WHERE key >= ? AND key < ?", (prefix, prefix + "\uffff"))
            return [key for (key,) in rows]
        except (OSError, sqlite3.Error):
            return []

    def delete(self, keys: Sequence[str]) -> None:
        """Forget the values stored under some keys (their space is used again, the file does not shrink)."""
        try:
            self._db().executemany("DELETE FROM entries WHERE key = ?", [(key,) for key in keys])
        except (OSError, sqlite3.Error):
            return

    def used_bytes(self) -> int:
        """How many bytes the stored values take (the file's pages that are not free)."""
        try:
            db = self._db()
            pages = db.execute("PRAGMA page_count").fetchone()[0] - db.execute("PRAGMA freelist_count").fetchone()[0]
            return int(pages * db.execute("PRAGMA page_size").fetchone()[0])
        except (OSError, sqlite3.Error):
            return 0

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path}  # a connection is not passed to another process

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["path"])  # type: ignore[misc]


def current(folder: Path, version: str) -> Store:
    """The store of one version in a folder; the stores of other versions are removed (they
    would only ever miss, and the cache would grow with every change of code or registry)."""
    return Store(versioned(folder, version, ".sqlite"))


def versioned(folder: Path, version: str, suffix: str) -> Path:
    """The file of one version in a cache folder, the files of other versions removed."""
    _tidy(folder, version)
    return folder / f"{version}{suffix}"


def _tidy(folder: Path, version: str) -> None:
    """Remove the files of other versions from a cache folder."""
    try:
        for other in folder.iterdir():
            if not other.name.startswith(version):
                if other.is_dir():
                    shutil.rmtree(other, ignore_errors=True)
                else:
                    other.unlink(missing_ok=True)
    except OSError:
        pass  # no cache yet, or not ours to tidy: a cache only ever saves time


def compose_store(cache_dir: Path, site_registry: str) -> Store:
    """Where composed drafts are kept: they depend on the code, the data and the site registry."""
    return current(cache_dir / "compose", code_version(site_registry, of=("briefing.ingest", "briefing.compose")))


def content_store(cache_dir: Path) -> Store:
    """Where parsed story files are kept: they depend on the code that reads them only."""
    return current(cache_dir / "content", code_version(of=("briefing.content",)))


def body_store(cache_dir: Path) -> Store:
    """Where story bodies rendered to sanitised HTML are kept: they depend on the code that renders them."""
    return current(cache_dir / "bodies", code_version(of=("briefing.render",)))


def index_path(cache_dir: Path, site_registry: str) -> Path:
    """Where the entity index is kept: it depends on the code and data that make it and on the site registry."""
    return versioned(cache_dir / "index", code_version(site_registry, of=("briefing.entities",)), ".pickle")


def templates_path(cache_dir: Path) -> Path:
    """Where the templates compiled by the rendering code are kept, made if need be (Jinja's
    bytecode cache, keyed by the templates' text only: how a template compiles depends on the
    environment's options too, which the code version covers)."""
    path = versioned(cache_dir / "templates", code_version(of=("briefing.render",)), "")
    path.mkdir(parents=True, exist_ok=True)
    return path


def search_path(cache_dir: Path) -> Path:
    """Where the story pages are kept as the search index reads them, a file per shard: they
    depend on the code that cuts them (and on the templates, which the pages' entries cover)."""
    return versioned(cache_dir / "search", code_version(of=("briefing.search",)), "")


def swept_path(cache_dir: Path) -> Path:
    """Where the size of the body store after its last sweep is kept (see tally.sweep)."""
    return cache_dir / "bodies-swept.pickle"


def read_kept(path: Path) -> Any:
    """A value kept in a file by `keep`, or None when there is none or it cannot be read.

    Unpickled from the file as it is read, a frame at a time, not from a copy of it all: the
    memory of content/ is 60 MB at 20,000 stories, and a copy's fresh memory cost 15,000 page
    faults (its load took 0.41 s rather than 0.49 s, median of five).
    """
    try:
        with path.open("rb") as handle:
            return pickle.load(handle)  # noqa: S301 - our own cache, written by keep
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None


def keep(path: Path, value: Any) -> None:
    """Keep a value in a file for the next build (written whole, or not at all)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        temporary.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        temporary.replace(path)
    except OSError:
        pass  # a cache only ever saves time


def verdicts_path(cache_dir: Path) -> Path:
    """Where the syndicated-copy verdicts of earlier builds are kept (they depend on dedupe's code)."""
    return versioned(cache_dir / "copies", code_version(of=("briefing.dedupe",)), ".pickle")


#: a file changed less than this long before its status was taken may change again within the
#: same tick of the file system's clock without its status showing it: it is not remembered
SETTLED_NS = 2_000_000_000

Status = tuple[int, int, int, int]  # size, modification and change times (ns), inode


class StatusMemo(Generic[V]):
    """Values made from files, remembered by the files' status, as git's index remembers
    digests: a file whose status is unchanged is not read again to learn what it holds.

    A file changed just before it was read could change again within the same tick of the file
    system's clock without its status showing it (git's "racily clean" entries): such a file is
    remembered with the digest of its bytes, and trusted next time only if they are the same
    (a build reads back the story files it has just written: all of them, on a first build).
    Kept in a file (KeptEntries, with its file of changes); one that cannot be read is an
    empty memory.
    """

    def __init__(self, path: Path, *, settle_ns: int = SETTLED_NS) -> None:
        self.path = path
        self._settle_ns = settle_ns
        self._kept: dict[str, tuple[Status, V, str | None]] = {}
        self._status: dict[str, Status] = {}
        self._memory: KeptEntries[tuple[Status, V, str | None]] = KeptEntries(path)
        self._known = self._memory.entries

    def known(self, file: str | os.PathLike[str]) -> V | None:
        """What was remembered of a file, if it is unchanged (OSError if it is gone)."""
        name = os.fspath(file)
        key = self._status[name] = status_of(name)
        known = self._known.get(name)
        if not isinstance(known, tuple) or len(known) != 3 or known[0] != key:
            return None  # not remembered (or remembered by another layout of this memory)
        if known[2] is not None:
            if known[2] != _file_digest(file):
                return None  # racily clean, and changed after all
            if time.time_ns() - max(key[1], key[2]) >= self._settle_ns:
                known = (key, known[1], None)  # settled since: its status is enough from now on
        self._kept[name] = known
        return known[1]

    def remember(self, file: str | os.PathLike[str], value: V, digest: str | None = None) -> None:
        """Remember what a file holds, as of the status `known` saw before it was read.

        `digest` is the sha256 (hex) of the bytes `value` was made from: without it, a file
        changed just before it was read is not remembered.
        """
        name = os.fspath(file)
        key = self._status.get(name)
        if key is None:
            return
        if time.time_ns() - max(key[1], key[2]) >= self._settle_ns:
            self._kept[name] = (key, value, None)
        elif digest is not None:
            self._kept[name] = (key, value, digest)

    def statuses(self) -> dict[str, Status]:
        """The status each file had when `known` was last asked about it in this run (before it
        was read, if it was)."""
        return dict(self._status)

    def trusted(self) -> dict[str, Status]:
        """The status of each file remembered in this run that is trusted by its status alone for
        what it holds (not racily clean, or settled since: see `settle`)."""
        return {name: status for name, (status, _, digest) in self._kept.items() if digest is None}

    def settle(self) -> int:
        """Trust by their status alone, from now on, the files remembered with the digest of their
        bytes (changed just before they were read) that have settled since and still hold those
        bytes: the check `known` would make of each in the next build, made now (a build from
        nothing remembers all its story files so, and the next build read every one of them
        back: 98 MB at 20,000 stories); how many are trusted now."""
        settled = 0
        for name, (status, value, digest) in list(self._kept.items()):
            if digest is None or time.time_ns() - max(status[1], status[2]) < self._settle_ns:
                continue
            try:
                if status_of(name) == status and _file_digest(name) == digest:
                    self._kept[name] = (status, value, None)
                    settled += 1
            except OSError:
                continue  # gone since: the next build finds out
        return settled

    def save(self) -> None:
        """Keep what was asked for or remembered in this run (other files are forgotten)."""
        self._memory.save(self._kept)


class KeptEntries(Generic[V]):
    """Entries by name kept in a file between builds; `entries` are those it holds (none when
    it cannot be read).

    What changed since the file was last written whole is kept beside it, in a small file of
    changes: a rebuild that adds one story need not write 20,000 stories' entries again (that
    took most of a second). The file is written whole again, and the changes dropped, when
    they are many. The changes name the file they apply to; any others (left by a build killed
    between the two writes) are not applied.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        base = read_kept(path)
        self._token, self._base = base if _is_memory(base) else ("", {})
        self.entries: dict[str, V] = dict(self._base)
        changes = read_kept(self._changes_path)
        if _is_changes(changes) and changes[0] == self._token and self._token:
            self.entries.update(changes[1])
            for name in changes[2]:
                self.entries.pop(name, None)

    @property
    def _changes_path(self) -> Path:
        return self.path.with_name(f"{self.path.name}.changes")

    def save(self, entries: dict[str, V]) -> None:
        """Keep these entries, and no others, for the next build (nothing is written when they are
        the very entries it read: an entry is told unchanged by being the same object)."""
        if entries.keys() == self.entries.keys() and all(entries[k] is self.entries[k] for k in entries):
            return
        changed = {name: entry for name, entry in entries.items() if self._base.get(name) is not entry}
        dropped = tuple(name for name in self._base if name not in entries)
        if self._token and len(changed) + len(dropped) <= max(_FEWEST_CHANGES, len(entries) // _CHANGES_SHARE):
            keep(self._changes_path, (self._token, changed, dropped))
            return
        token = os.urandom(8).hex()
        keep(self.path, (token, entries))
        self._changes_path.unlink(missing_ok=True)
        self._token, self._base = token, dict(entries)


#: a file's changes are kept apart while there are at most this many, or this share of its entries
_FEWEST_CHANGES = 64
_CHANGES_SHARE = 8


def _is_memory(value: Any) -> bool:
    """Whether a kept value is a StatusMemo's memory: (token, {name: entry})."""
    return isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str) and isinstance(value[1], dict)


def _is_changes(value: Any) -> bool:
    """Whether a kept value is a memory's changes: (token, {name: entry}, (dropped name, ...))."""
    return (
        isinstance(value, tuple)
        and len(value) == 3
        and isinstance(value[0], str)
        and isinstance(value[1], dict)
        and isinstance(value[2], tuple)
    )


def status_of(name: str) -> Status:
    """A file's status, as a memory compares it (OSError if it is gone)."""
    return status_from(os.stat(name))


def status_from(found: os.stat_result) -> Status:
    """The status a memory compares, out of what the system says of a file."""
    return found.st_size, found.st_mtime_ns, found.st_ctime_ns, found.st_ino


def _file_digest(file: str | os.PathLike[str]) -> str:
    with open(file, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def seed_digests_path(cache_dir: Path) -> Path:
    """Where the seeds' digests are remembered (by the layout of this module's memories)."""
    return versioned(cache_dir / "seeds", code_version(of=("briefing.cache",)), ".status")


class FileDigests(StatusMemo[str]):
    """Files' digests, remembered by their status."""

    def __init__(
        self, path: Path, digest: Callable[[str | os.PathLike[str]], str], *, settle_ns: int = SETTLED_NS
    ) -> None:
        super().__init__(path, settle_ns=settle_ns)
        self._digest = digest

    def of(self, file: str | os.PathLike[str]) -> str:
        """The digest of a file's bytes (OSError when it cannot be read)."""
        known = self.known(file)
        if known is not None:
            return known
        digest = self._digest(file)
        self.remember(file, digest)
        return digest


def shelf_path(store: Store) -> Path:
    """Where the values a build read from a store, or put in it, are kept together for the next
    build, beside the store (see compose_all)."""
    return store.path.with_suffix(".shelf")


def content_memo(cache_dir: Path) -> StatusMemo[Any]:
    """What story files held, by their status: it depends on the code that reads them (kept beside the
    content store, whose folder keeps only the current version's files)."""
    return StatusMemo(versioned(cache_dir / "content", code_version(of=("briefing.content",)), ".status"))
