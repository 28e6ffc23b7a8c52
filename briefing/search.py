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
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from briefing.cache import keep, read_kept
from briefing.errors import Diagnostic, Severity
from briefing.fingerprint import digest
from briefing.publish import Tree

#: the folder inside the site that holds the shards, each with its own pagefind.js
SEARCH_FOLDER = "pagefind"
#: stories per shard, at most: a Pagefind run over this many pages takes about a second (with
#: shards of up to 2,000, a one-article rebuild of 20,000 stories waited 0.4 to 1.2 s at its end
#: for its shard's run, 2.7 to 3.6 s over 1,200 pages, beside the rendering)
SHARD_STORIES = 1000
TIMEOUT_SECONDS = 600


def shard_count(stories: int) -> int:
    """How many shards: a power of two, so the count (and every story's shard) rarely changes.

    >>> [shard_count(n) for n in (0, 1000, 1001, 4500)]
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
    """Index the story pages of every shard into the site being built, all in place already
    (see plan_shards; `entries` as for Indexing). A failure is a warning: the site works without search."""
    indexing = Indexing(shards, entries, jobs=jobs)
    pages = indexing.needs(tree)
    indexing.start(tree)
    indexing.made(tree, pages)
    indexing.finish(tree)
    return indexing.diagnostics


@dataclass(frozen=True, slots=True)
class ShardRun:
    """A shard to index again: its number, the fingerprint of its stories' entries, its pages."""

    number: int
    key: str
    pages: Sequence[str]


class Indexing:
    """The search index of a build, made while the build renders its pages (write_site's
    `finisher`): the story pages of the shards whose entries changed are rendered first, shard
    by shard, and Pagefind runs over each shard in a thread of its own as soon as its pages are
    in the tree; its files join the tree at the end.

    `entries` is, per story page, what its search entry is made from (Fingerprints.of_story: the story
    itself, not the page: a page also changes with its neighbours, which search ignores).
    """

    def __init__(
        self, shards: dict[int, list[str]], entries: Mapping[str, str], *, jobs: int = 1, kept: Path | None = None
    ) -> None:
        self.shards, self.entries, self.jobs = shards, entries, jobs
        self.kept = kept  # the folder where each shard's cut pages are kept between builds (_search_pages)
        self.diagnostics: list[Diagnostic] = []
        self._runs: list[ShardRun] = []
        self._pool: ThreadPoolExecutor | None = None
        self._started: dict[int, Future[tuple[Path, list[Diagnostic]]]] = {}  # by the run's place in _runs
        self._scratch: tempfile.TemporaryDirectory[str] | None = None
        self._command: list[str] = []  # how to start Pagefind, found when the first shard starts
        self._missing: list[int] = []  # per run, how many of its pages are not in the tree yet
        self._run_of: dict[str, int] = {}  # each page not in the tree yet: the place of its run
        self._collected = 0  # the runs whose files are in the tree: the first so many

    def needs(self, tree: Tree) -> list[str]:
        """Put the unchanged shards' files in place; the pages the others are made from, shard by shard."""
        remove_orphans(_scratch())
        if self.kept is not None and self.kept.is_dir():  # the shards there are no more (fewer stories)
            numbers = {str(number) for number in self.shards}
            for entry in os.scandir(self.kept):
                if entry.name.partition(".")[0] not in numbers:
                    Path(entry.path).unlink(missing_ok=True)
        for number, pages in self.shards.items():
            listed = "\0".join(f"{path}:{self.entries[path]}" for path in pages)
            key = digest(f"{len(self.shards)}\0{number}\0{listed}".encode())
            if not tree.place_all(f"{SEARCH_FOLDER}/{number}/", key):
                self._runs.append(ShardRun(number, key, pages))
        return [page for run in self._runs for page in run.pages]

    def start(self, tree: Tree) -> None:
        """Note the pages each shard `needs` found changed still waits for (its unchanged pages
        are in the tree), and start indexing those that wait for none."""
        for place, run in enumerate(self._runs):
            waiting = [page for page in run.pages if page not in tree.made]
            self._run_of.update(dict.fromkeys(waiting, place))
            self._missing.append(len(waiting))
        self._start_ready(tree)

    def made(self, tree: Tree, paths: Sequence[str]) -> None:
        """Start indexing each shard once all its pages are in the tree."""
        for path in paths:
            if path in self._run_of:
                self._missing[self._run_of.pop(path)] -= 1
        self._start_ready(tree)

    def _start_ready(self, tree: Tree) -> None:
        for place, count in enumerate(self._missing):
            if not count and place not in self._started:
                self._start_run(tree, place)

    def _start_run(self, tree: Tree, place: int) -> None:
        """Start Pagefind over one shard (its pages in the tree), in a thread."""
        if self._pool is None or self._scratch is None:
            self._scratch = tempfile.TemporaryDirectory(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-", dir=_scratch())
            self._pool = ThreadPoolExecutor(max_workers=max(1, self.jobs))
            self._command = pagefind_command()
        run = self._runs[place]
        work = Path(self._scratch.name) / str(run.number)
        # the pages Pagefind reads are cut and written here, in the build's thread: in Pagefind's
        # thread they waited for the interpreter on every file while the other pages were rendered
        # (1.6 s for a shard of 1,300 pages, against a tenth of that here), holding Pagefind back
        # and the rendering too (the interpreter passed back and forth every few milliseconds)
        entries = {page: self.entries[page] for page in run.pages}
        kept = self.kept / f"{run.number}.pickle" if self.kept is not None else None
        site = _search_pages(tree, entries, work / "site", kept)
        self._started[place] = self._pool.submit(_index_shard, site, work / "index", command=self._command)

    def poll(self, tree: Tree) -> None:
        """Put in the tree what the runs done by now made, while the other pages are rendered
        (all at the end, the files of a build from nothing's 16 shards took it 2 to 3 s more)."""
        self._collect(tree, wait=False)

    def finish(self, tree: Tree) -> None:
        """Wait for the runs and put what they made in the tree (a failed run: a warning, and no files)."""
        try:
            self._collect(tree, wait=True)
        finally:
            self.close()

    def _collect(self, tree: Tree, *, wait: bool) -> None:
        """Put what the runs made in the tree, run by run in their order, from the first not put
        yet: until one is not done yet, or, with `wait`, all of them."""
        while self._collected < len(self._runs):
            place = self._collected
            if place not in self._started:
                if not wait:
                    return
                self._start_run(tree, place)  # a page of it was never made: its run says which
            started = self._started[place]
            if not wait and not started.done():
                return
            run = self._runs[place]
            output, diagnostics = started.result()
            self.diagnostics.extend(diagnostics)
            if not diagnostics:
                for file in sorted(_files(output)):
                    relative = file.relative_to(output).as_posix()
                    tree.write(f"{SEARCH_FOLDER}/{run.number}/{relative}", run.key, file.read_bytes())
            if self._scratch is not None:  # its pages and index, in memory: not needed any more
                shutil.rmtree(Path(self._scratch.name) / str(run.number), ignore_errors=True)
            self._collected += 1

    def close(self) -> None:
        """Wait for any run still going and remove the scratch folder (also when the build failed)."""
        if self._pool is not None:
            self._pool.shutdown()
        if self._scratch is not None:
            self._scratch.cleanup()
        self._pool = self._scratch = None


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


def _index_shard(site: Path, output: Path, *, command: Sequence[str]) -> tuple[Path, list[Diagnostic]]:
    """Run Pagefind over one shard's pages, cut down to what search reads and indexes (see
    searched_part, _search_pages); where its index is, and what went wrong. Run in a thread of
    its own, which only waits for Pagefind.

    Pagefind reads and writes in a scratch folder in memory: it writes its files from many
    threads at once, and on a disk's file system (ext4) that costs it more than copying
    them into the tree one by one costs here; the copy also hard-links the files the live
    site already has (most of them, when one story of the shard changed). The scratch folder
    goes when the indexing closes.
    """
    return output, run_pagefind(site, output, start=command)


def _search_pages(tree: Tree, entries: Mapping[str, str], site: Path, kept: Path | None = None) -> Path:
    """Write, under `site`, each page's part that search reads, as a page of its own, in the
    pages' order (Pagefind's files depend on the order the folder lists them in).

    The parts are kept between builds in the file `kept` by the pages' entries: only a page
    whose entry changed is cut again (a rebuild cut the 1,300 pages of a shard, in a thread
    that held the interpreter while the other pages were rendered)."""
    known = read_kept(kept) if kept is not None else None
    had: dict[str, tuple[str, bytes | None]] = known if isinstance(known, dict) else {}
    parts: dict[str, tuple[str, bytes | None]] = {}
    for page, entry in entries.items():
        found = had.get(page)
        part = found[1] if found is not None and found[0] == entry else searched_part((tree.root / page).read_bytes())
        parts[page] = (entry, part)
        if part is not None:
            (site / page).parent.mkdir(parents=True)
            (site / page).write_bytes(SEARCH_PAGE % part)
    if kept is not None and parts != had:
        keep(kept, parts)
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


#: Pagefind works in one thread (its thread pools read these): the build runs it beside the pages
#: being rendered, one run per shard and core, and with its own threads it took the core the
#: build renders on (on 2 cores, a shard of 1,300 pages took 2.6 s of CPU in 1.9 s either way,
#: or 2.5 s alone; its files are the same); a value set in the environment is used instead
_ONE_THREAD = {"RAYON_NUM_THREADS": "1", "TOKIO_WORKER_THREADS": "1"}


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
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False, env=_ONE_THREAD | os.environ
        )
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
