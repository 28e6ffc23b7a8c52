"""Folders: the files below a folder, each with its /-separated name there. The I/O edge that
lists seeds/ and content/.

Folders are listed with scandir, whose entries say what they are without a stat per file; a
link to a folder is not followed, and a folder that cannot be listed is skipped.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def named_files(
    folder: Path, take: Callable[[os.DirEntry[str]], bool], *, skip: Callable[[str], object] = lambda name: False
) -> list[tuple[str, Path]]:
    """The entries below a folder that `take` accepts, with their names there, sorted by name;
    entries (and folders) whose name `skip` accepts are left out."""
    found: list[tuple[str, Path]] = []

    def scan(path: Path, prefix: str) -> None:
        try:
            with os.scandir(path) as listing:
                entries = list(listing)
        except OSError:
            return
        for entry in entries:
            if skip(entry.name):
                continue
            if is_true(entry.is_dir) and not entry.is_symlink():
                scan(path / entry.name, f"{prefix}{entry.name}/")
            if take(entry):
                found.append((prefix + entry.name, path / entry.name))

    if folder.is_dir():
        scan(folder, "")
    found.sort(key=lambda pair: pair[0])
    return found


def is_true(test: Callable[[], bool]) -> bool:
    """What a directory entry's test says, False when it cannot tell (a broken link, a race)."""
    try:
        return test()
    except OSError:
        return False
