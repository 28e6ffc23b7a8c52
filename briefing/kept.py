"""Story digests kept between builds, by the status of the story files. An I/O edge.

A rebuild of 20,000 stories spent half a second digesting stories that had not changed (a
story's digest is of its pickle: see fingerprint.story_digests). A story file whose status
(size, times, inode) is the one it had when its story was digested holds the same story, as
the content memo trusts it does (cache.StatusMemo): its digest is taken from here.

A file's status is the one the content memory took before the story was read from it (when
ingest read content/, or read again a file it wrote): the story digested is the one read at
that status. A kept digest is used, and a digest kept, for a file last changed well before the
build began (SETTLED_NS): one changed later could change again within its clock's tick unseen.

A file changed since (ingest wrote every story file of a build from nothing) has its digest
kept only once the content memory trusts that very status for the story it was read into
(`adopt`: the memory checks such a file's bytes once it has settled, StatusMemo.settle).
Without that, the build after one from nothing digested every story again.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from briefing.cache import SETTLED_NS, Status, code_version, keep, read_kept, versioned

#: what the digests depend on: how story files are read into stories, and how they are digested
_MADE_BY = ("briefing.content", "briefing.fingerprint")


@dataclass(slots=True)
class KeptDigests:
    """The digests an earlier build kept for the story files unchanged since, and those this
    build digested, to keep for the next."""

    path: Path  # where they are kept
    known: dict[str, tuple[Status, str]]  # what an earlier build kept, by the story file's path
    began: int  # when the build began (ns, the system's clock, as file times are)
    # by the story file's path (ContentFile.location), filled by `confirm`: the status of the
    # files last changed well before the build began, and the kept digests of those
    status: dict[str, Status] = field(default_factory=dict)
    found: dict[str, str] = field(default_factory=dict)
    kept: dict[str, tuple[Status, str]] = field(default_factory=dict)  # what the next build will find
    # the status of the files changed since shortly before the build began, and the digests
    # remembered of those, kept only if the content memory comes to trust that status (`adopt`)
    unsettled: dict[str, Status] = field(default_factory=dict)
    pending: dict[str, tuple[Status, str]] = field(default_factory=dict)

    def confirm(self, statuses: Mapping[str, Status]) -> None:
        """Take the story files' status as the content memory took it before reading each
        (StatusMemo.statuses, after ingest read and wrote them: a file ingest wrote holds another
        story than its digest was kept for, and has a new status)."""
        settled = self.began - SETTLED_NS  # (a file changed later may change again unseen)
        self.status, self.unsettled = {}, {}
        for name, status in statuses.items():
            (self.status if max(status[1], status[2]) <= settled else self.unsettled)[name] = status
        self.found = {
            name: was[1]
            for name, status in self.status.items()
            if isinstance(was := self.known.get(name), tuple)
            and len(was) == 2
            and was[0] == status
            and isinstance(was[1], str)
        }

    def digest(self, path: str) -> str | None:
        """The kept digest of the story in a file unchanged since, or None."""
        return self.found.get(path)

    def remember(self, path: str, digest: str) -> None:
        """Keep the digest of the story read from a file (for a file changed since shortly before
        the build began, only if it is adopted)."""
        status = self.status.get(path)
        if status is not None:
            self.kept[path] = (status, digest)
        elif (unsettled := self.unsettled.get(path)) is not None:
            self.pending[path] = (unsettled, digest)

    def adopt(self, trusted: Mapping[str, Status]) -> None:
        """Keep the digests remembered of files changed since shortly before the build began
        whose status, as `confirm` took it, the content memory now trusts for what it holds
        (StatusMemo.trusted): the story digested is the one read from those very bytes."""
        for path, (status, digest) in self.pending.items():
            if trusted.get(path) == status:
                self.kept[path] = (status, digest)

    def save(self) -> None:
        """Keep the digests remembered in this build for the next (files not remembered are forgotten)."""
        if self.kept != self.known:
            keep(self.path, self.kept)


def kept_digests(cache_dir: Path) -> KeptDigests:
    """The story digests earlier builds kept; made as the build begins, before ingest reads any
    story file, and `confirm`ed after."""
    began = time.time_ns()
    path = versioned(cache_dir / "digests", code_version(of=_MADE_BY), ".pickle")
    known = read_kept(path)
    return KeptDigests(path, known if isinstance(known, dict) else {}, began)
