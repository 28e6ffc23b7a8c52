"""Search index: Pagefind indexes the story pages into site/pagefind/<shard>/. An I/O edge.

Stories are split by their slug's hash into shards of up to SHARD_STORIES stories, each
indexed by its own Pagefind run; the search page loads shard 0 and merges the others
(Pagefind's mergeIndex). A shard whose story pages are unchanged is not indexed again, so a
new story costs one shard's run, and no run holds the whole archive in memory.
Pagefind runs over the finished site before it is swapped in; the index is static files,
so search works on any static host with no server.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from briefing.errors import Diagnostic, Severity
from briefing.fingerprint import digest
from briefing.publish import Tree

#: the folder inside the site that holds the shards, each with its own pagefind.js
SEARCH_FOLDER = "pagefind"
#: stories per shard, at most: a Pagefind run over this many pages takes about a second
SHARD_STORIES = 2000
TIMEOUT_SECONDS = 600


def shard_count(stories: int) -> int:
    """How many shards: a power of two, so the count (and every story's shard) rarely changes.

    >>> [shard_count(n) for n in (0, 2000, 2001, 9000)]
    [1, 1, 2, 8]
    """
    needed = max(1, -(-stories // SHARD_STORIES))
    return 1 << (needed - 1).bit_length()


def shard_of(slug: str, shards: int) -> int:
    """The shard a story's page is indexed in (a stable hash of its slug)."""
    return int.from_bytes(hashlib.blake2b(slug.encode("utf-8"), digest_size=4).digest(), "big") % shards


def plan_shards(slugs: Sequence[str]) -> dict[int, list[str]]:
    """The shards that have stories (by number), each with its story pages' paths."""
    shards = shard_count(len(slugs))
    members: dict[int, list[str]] = {}
    for slug in sorted(slugs):
        members.setdefault(shard_of(slug, shards), []).append(story_path(slug))
    return dict(sorted(members.items()))


def story_path(slug: str) -> str:
    return f"stories/{slug}/index.html"


def index_site(
    tree: Tree, shards: dict[int, list[str]], entries: Mapping[str, str], *, jobs: int = 1
) -> list[Diagnostic]:
    """Index the story pages of every shard into the site being built (see plan_shards).

    `entries` is, per story page, a digest of what its search entry is made from (the story
    itself, not the page: a page also changes with its neighbours, which search ignores).
    A failure is a warning: the site works without search.
    """
    remove_orphans(_scratch())
    todo: list[tuple[int, str, list[str]]] = []
    for number, pages in shards.items():
        listed = "\0".join(f"{path}:{entries[path]}" for path in pages)
        key = digest(f"{len(shards)}\0{number}\0{listed}".encode())
        if not tree.place_all(f"{SEARCH_FOLDER}/{number}/", key):
            todo.append((number, key, pages))
    command = pagefind_command() if todo else []
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        runs = list(pool.map(lambda job: _index_shard(tree, *job, command=command), todo))
    return [diagnostic for run in runs for diagnostic in run]


#: files Pagefind writes that search.js does not use: its own search UIs, the wasm for no language
UNUSED = frozenset(
    {
        "pagefind-ui.js",
        "pagefind-ui.css",
        "pagefind-modular-ui.js",
        "pagefind-modular-ui.css",
        "pagefind-component-ui.js",
        "pagefind-component-ui.css",
        "pagefind-highlight.js",
        "wasm.unknown.pagefind",
    }
)
#: where the part of a story page that search reads starts (story.html marks it); it ends at
#: the first "</article>" after it (the page's article holds none of its own)
SEARCHED = re.compile(rb"<article\b[^>]*\bdata-pagefind-body[^>]*>")
SEARCHED_END = b"</article>"
#: an element of that part that Pagefind leaves out of the index (story.html marks the date line,
#: the entity lists, related stories and the pager), cut out before Pagefind reads the page:
#: a fifth less work for it, and its index is the same byte for byte (tests/test_search.py)
IGNORED = re.compile(
    rb"""
    <(?P<tag>p|section|nav)\b[^<>]*\sdata-pagefind-ignore>  # story.html puts the attribute last;
                                                            # a body's <p> has no attributes, and a
                                                            # body has no <section> or <nav> (nh3)
    .*?</(?P=tag)>                                          # its end: none holds one of its own kind
    """,
    re.DOTALL | re.VERBOSE,
)
#: the page made of that part, for Pagefind
SEARCH_PAGE = b'<!doctype html><html lang="en"><head><meta charset="utf-8"></head><body>%s</body></html>'


def searched_part(page: bytes) -> bytes | None:
    """The part of a story page that Pagefind indexes, without what it leaves out; None when
    the page has none (a syndicated copy's page is not searched)."""
    found = SEARCHED.search(page)
    end = page.find(SEARCHED_END, found.end()) if found else -1
    if found is None or end < 0:
        return None
    return IGNORED.sub(b"", page[found.start() : end + len(SEARCHED_END)])


def _index_shard(
    tree: Tree, number: int, key: str, pages: Sequence[str], *, command: Sequence[str]
) -> list[Diagnostic]:
    """Run Pagefind over one shard's pages, cut down to what search reads and indexes (see searched_part).

    Pagefind reads and writes in a scratch folder in memory: it writes its files from many
    threads at once, and on a disk's file system (ext4) that costs it more than copying
    them into the tree one by one costs here; the copy also hard-links the files the live
    site already has (most of them, when one story of the shard changed).
    """
    with tempfile.TemporaryDirectory(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-", dir=_scratch()) as work:
        site, output = Path(work) / "site", Path(work) / "index"
        diagnostics = run_pagefind(_search_pages(tree, pages, site), output, start=command)
        if not diagnostics:
            for file in sorted(_files(output)):
                tree.write(f"{SEARCH_FOLDER}/{number}/{file.relative_to(output).as_posix()}", key, file.read_bytes())
    return diagnostics


def _search_pages(tree: Tree, pages: Sequence[str], site: Path) -> Path:
    """Write, under `site`, each page's part that search reads, as a page of its own."""
    for page in pages:
        part = searched_part((tree.root / page).read_bytes())
        if part is not None:
            (site / page).parent.mkdir(parents=True)
            (site / page).write_bytes(SEARCH_PAGE % part)
    return site


def _files(folder: Path) -> list[Path]:
    """The files of a Pagefind run that search.js uses, under a folder."""
    found = []
    for entry in os.scandir(folder):
        if entry.is_dir(follow_symlinks=False):
            found.extend(_files(Path(entry.path)))
        elif entry.name not in UNUSED:
            found.append(Path(entry.path))
    return found


#: the scratch folders of a build's Pagefind runs: "briefing-search-<pid of the build>-..."
SCRATCH_PREFIX = "briefing-search-"
_SCRATCH_NAME = re.compile(rf"^{SCRATCH_PREFIX}(?P<pid>[0-9]+)-")


def remove_orphans(scratch: str | None) -> None:
    """Remove the scratch folders of builds that were killed (in /dev/shm they hold memory)."""
    folder = Path(scratch or tempfile.gettempdir())
    try:
        names = [entry.name for entry in os.scandir(folder) if entry.is_dir(follow_symlinks=False)]
    except OSError:
        return
    for name in names:
        match = _SCRATCH_NAME.match(name)
        if match and not _alive(int(match["pid"])):
            shutil.rmtree(folder / name, ignore_errors=True)


def _alive(pid: int) -> bool:
    """Whether a process runs with this id (one we may not signal runs: it is not ours to tidy)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _scratch() -> str | None:
    """Where Pagefind's input and output go for a moment: memory (/dev/shm) where there is one."""
    return "/dev/shm" if os.access("/dev/shm", os.W_OK) else None


def pagefind_command() -> list[str]:
    """How to start Pagefind: its binary itself where the pagefind package says where it is
    (a Python start-up less per shard), else through the package (which reports what is missing)."""
    try:
        from pagefind.service import get_executable  # imported here: only a build with shards to index needs it

        binary = get_executable()
    except (ImportError, OSError):
        binary = None
    return [str(binary)] if binary is not None else [sys.executable, "-m", "pagefind"]


def run_pagefind(site: Path, output: Path, *, start: Sequence[str] | None = None) -> list[Diagnostic]:
    """Run Pagefind over a folder of pages (`start` is how: see pagefind_command)."""
    command = [
        *(start or pagefind_command()),
        "--site",
        str(site),
        "--output-path",
        str(output),
        "--force-language",
        "en",
        "--glob",
        "stories/*/index.html",  # only story pages are searched: the rest need not be read
        "--quiet",
    ]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return [Diagnostic("site", None, f"search index not built: {exc}", Severity.WARNING)]
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        reason = detail[-1] if detail else f"pagefind exited with {result.returncode}"
        return [
            Diagnostic(
                "site", None, f"search index not built: {reason} (pip install 'pagefind[bin]')", Severity.WARNING
            )
        ]
    return []
