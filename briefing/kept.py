"""Story digests kept between builds, by the status of the story files. An I/O edge.

A rebuild of 20,000 stories spent half a second digesting stories that had not changed (a
story's digest is of its pickle: see fingerprint.story_digests). A story file whose status
(size, times, inode) is the one it had when its story was digested holds the same story, as
the content memo trusts it does (cache.StatusMemo): its digest is taken from here.

Each file's status is taken before ingest reads or writes any story file, and a digest is
kept with that status: a file changed after it (by ingest, or by an editor while the build
runs) has another status next time, and is digested again.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from briefing.cache import code_version, keep, read_kept, versioned

#: what a file's status is taken as: size, modification and change times (ns), inode
Status = tuple[int, int, int, int]
#: a file changed less than this long before its status was taken may change again within the
#: same tick of the file system's clock without its status showing it: its digest is not kept
SETTLED_NS = 2_000_000_000
#: what the digests depend on: how story files are read into stories, and how they are digested
_MADE_BY = ("briefing.content", "briefing.fingerprint")
#: what a story file's name ends with (as content.STORY_SUFFIX)
_SUFFIX = ".md"


@dataclass(slots=True)
class KeptDigests:
    """The digests an earlier build kept for the story files unchanged since, and those this
    build digested, to keep for the next."""

    path: Path  # where they are kept
    status: dict[str, Status]  # by the story file's path (as str(ContentFile.path) gives it): settled files only
    found: dict[str, str]  # the digests of the files whose status is the one they were kept with
    kept: dict[str, tuple[Status, str]] = field(default_factory=dict)  # what the next build will find
    changed: bool = False  # whether `kept` differs from what was read

    def digest(self, path: str) -> str | None:
        """The kept digest of the story in a file unchanged since, or None."""
        return self.found.get(path)

    def remember(self, path: str, digest: str) -> None:
        """Keep the digest of the story read from a file (nothing is kept for a file whose status
        was not taken, or had not settled)."""
        status = self.status.get(path)
        if status is None:
            return
        if self.found.get(path) != digest:
            self.changed = True
        self.kept[path] = (status, digest)

    def save(self) -> None:
        """Keep the digests remembered in this build for the next (files not remembered are forgotten)."""
        if self.changed or self.kept.keys() != self.found.keys():
            keep(self.path, self.kept)


def kept_digests(content_dir: Path, cache_dir: Path) -> KeptDigests:
    """The story digests earlier builds kept, for the story files directly in content/ whose
    status is unchanged since (a story file in a folder below is digested in every build)."""
    path = versioned(cache_dir / "digests", code_version(of=_MADE_BY), ".pickle")
    known = read_kept(path)
    if not isinstance(known, dict):
        known = {}
    status: dict[str, Status] = {}
    found: dict[str, str] = {}
    prefix = os.path.join(content_dir, "")  # as str(content_dir / name) names a file in it
    prefix = str(content_dir / "_")[:-1]  # as str(content_dir / name) names a file in it
    settled = time.time_ns() - SETTLED_NS
    with contextlib.suppress(OSError), os.scandir(content_dir) as listing:  # no content/: nothing kept
        for entry in listing:
            if not entry.name.endswith(_SUFFIX):
                continue
            try:
                stat = entry.stat(follow_symlinks=True)
            except OSError:
                continue
            if max(stat.st_mtime_ns, stat.st_ctime_ns) > settled:
                continue
            name = prefix + entry.name
            status[name] = now = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
            was = known.get(name)
            if isinstance(was, tuple) and len(was) == 2 and was[0] == now and isinstance(was[1], str):
                found[name] = was[1]
    return KeptDigests(path, status, found)
