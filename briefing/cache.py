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
import tempfile
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
    """Pickled values by key, in one folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, key: str) -> Path:
        name = hashlib.sha256(key.encode()).hexdigest()
        return self.folder / name[:2] / f"{name}.pickle"

    def get(self, key: str) -> Any:
        """The value stored under a key, or None."""
        try:
            with self._path(key).open("rb") as handle:
                return pickle.load(handle)  # noqa: S301 - our own cache, written below
        except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError, ValueError):
            return None

    def put(self, key: str, value: Any) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        except OSError:
            return  # a full or read-only disk makes the build slower, not wrong


def current(folder: Path) -> Store:
    """The store in one version's folder; the folders of other versions are removed (they would
    only ever miss, and the cache would grow with every change of code or registry)."""
    try:
        for other in folder.parent.iterdir():
            if other != folder and other.is_dir():
                shutil.rmtree(other, ignore_errors=True)
    except OSError:
        pass  # no cache yet, or not ours to tidy: a cache only ever saves time
    return Store(folder)


def compose_store(cache_dir: Path, site_registry: str) -> Store:
    """Where composed drafts are kept: they depend on the code, the data and the site registry."""
    return current(cache_dir / "compose" / code_version(site_registry))


def content_store(cache_dir: Path) -> Store:
    """Where parsed story files are kept: they depend on the code only."""
    return current(cache_dir / "content" / code_version())


def body_store(cache_dir: Path) -> Store:
    """Where story bodies rendered to sanitised HTML are kept: they depend on the code only."""
    return current(cache_dir / "bodies" / code_version())
