"""The compose cache: what a seed became, kept in .cache/ so that unchanged work is never redone.

An I/O edge. Entries are keyed by the seed's bytes (its digest), the code and data of this
version of briefing, and the site registry; any change to one of them is a miss. A cache
that cannot be read is a miss, never an error: the cache only ever saves time.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path

import briefing
from briefing.compose import Draft
from briefing.errors import Diagnostic

#: bump to drop every cache entry written by an older layout of Draft
LAYOUT = "1"


def code_version(extra: str = "") -> str:
    """A digest of briefing's own source and data files (and `extra`, e.g. the site registry)."""
    package = Path(briefing.__file__).resolve().parent
    digest = hashlib.sha256(LAYOUT.encode())
    for path in sorted(p for p in package.rglob("*") if p.is_file() and p.suffix in (".py", ".yaml", ".txt")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    digest.update(extra.encode())
    return digest.hexdigest()[:16]


class ComposeCache:
    """Drafts by seed digest, in one folder per code version."""

    def __init__(self, root: Path, version: str) -> None:
        self.folder = root / "compose" / version

    def _path(self, seed: str, digest: str) -> Path:
        key = hashlib.sha256(f"{seed}\0{digest}".encode()).hexdigest()
        return self.folder / key[:2] / f"{key}.pickle"

    def get(self, seed: str, digest: str) -> tuple[list[Draft], list[Diagnostic]] | None:
        path = self._path(seed, digest)
        try:
            with path.open("rb") as handle:
                drafts = pickle.load(handle)  # noqa: S301 - our own cache, written below
        except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError):
            return None
        return drafts if isinstance(drafts, tuple) else None

    def put(self, seed: str, digest: str, drafts: tuple[list[Draft], list[Diagnostic]]) -> None:
        path = self._path(seed, digest)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(drafts, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)
        except OSError:
            return  # a full or read-only disk makes the build slower, not wrong
