"""A progress bar on standard error for long builds, drawn only when it is a terminal. An I/O edge."""

from __future__ import annotations

import sys
import time
from typing import TextIO

#: a build step shorter than this draws no bar
MIN_ITEMS = 200
#: redraw at most this often (seconds)
REDRAW_EVERY = 0.1
WIDTH = 30


class Progress:
    """`label [#####.....] done/total`, redrawn in place; nothing when the stream is not a terminal."""

    def __init__(self, label: str, *, enabled: bool = True, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled and self.stream.isatty()
        self.total = 0
        self.done = 0
        self._drawn = 0.0

    def start(self, total: int) -> None:
        self.total, self.done = total, 0
        self._draw(force=True)

    def extend(self, more: int) -> None:
        """More items than `start` said (found once the first were under way)."""
        self.total += more
        self._draw(force=True)

    def advance(self, count: int = 1) -> None:
        self.done = min(self.total, self.done + count)
        self._draw(force=self.done == self.total)

    def close(self) -> None:
        if self.enabled and self.total >= MIN_ITEMS:
            self.stream.write("\r\x1b[K")
            self.stream.flush()

    def _draw(self, *, force: bool) -> None:
        now = time.monotonic()
        if not self.enabled or self.total < MIN_ITEMS or (not force and now - self._drawn < REDRAW_EVERY):
            return
        self._drawn = now
        filled = WIDTH * self.done // max(1, self.total)
        bar = "#" * filled + "." * (WIDTH - filled)
        self.stream.write(f"\r{self.label} [{bar}] {self.done}/{self.total}")
        self.stream.flush()
