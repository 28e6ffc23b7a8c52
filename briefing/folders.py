"""Folders: the files below a folder, each with its /-separated name there, and new files
written into one. The I/O edge that lists seeds/ and content/.

Folders are listed with scandir, whose entries say what they are without a stat per file; a
link to a folder is not followed, and a folder that cannot be listed is skipped. Files are given
by their paths as strings, as the system takes them: a rebuild of 20,000 stories listed 40,000
files, and a Path made per file cost more than listing them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def named_files(
    folder: Path, take: Callable[[os.DirEntry[str]], bool], *, skip: Callable[[str], object] = lambda name: False
) -> list[tuple[str, str]]:
    """The entries below a folder that `take` accepts, as (name there, path), sorted by name;
    entries (and folders) whose name `skip` accepts are left out. A path is the folder's joined
    with the name (`os.path.join`)."""
    found: list[tuple[str, str]] = []

    def scan(path: str, prefix: str) -> None:
        try:
            with os.scandir(path) as listing:
                entries = list(listing)
        except OSError:
            return
        for entry in entries:
            if skip(entry.name):
                continue
            if is_true(entry.is_dir) and not entry.is_symlink():
                scan(entry.path, f"{prefix}{entry.name}/")
            if take(entry):
                found.append((prefix + entry.name, entry.path))

    if folder.is_dir():
        scan(os.fspath(folder), "")
    found.sort(key=lambda pair: pair[0])
    return found


def is_true(test: Callable[[], bool]) -> bool:
    """What a directory entry's test says, False when it cannot tell (a broken link, a race)."""
    try:
        return test()
    except OSError:
        return False


#: a new file's permissions, before the umask: as Python's open() makes them
NEW_FILE_MODE = 0o666


def create_file(path: str | os.PathLike[str]) -> int:
    """Create a file that is not there yet, open for writing (FileExistsError when it is)."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, NEW_FILE_MODE)


def write_and_close(fd: int, data: bytes) -> None:
    """Write all of some bytes to an open file, and close it: with the system's calls, not a
    Python file object (making one was most of what writing a small file cost: a build from
    nothing writes 20,000 story files and 30,000 pages)."""
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)
