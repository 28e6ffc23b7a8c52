"""Publish: render the pages that changed and swap the new site in whole. The I/O edge for site/.

Two folders take turns: site/ is what readers see, and .site.new/ holds the site of the build
before it. A build brings .site.new/ up to date (a file whose fingerprint it already has is
left alone, one that site/ has is hard-linked from there, and only the rest are rendered, and
written only when their bytes changed), then exchanges the two folders in one step (renameat2
with RENAME_EXCHANGE on Linux; elsewhere three renames, repaired by the next build if one is
interrupted). A reader or a killed build sees either the previous complete site or the new one.

What each folder holds (path -> fingerprint, digest of the bytes) is kept in .cache/trees/,
under the folder's inode, which stays with the folder when it is renamed. A folder being
changed has no record, so a build killed half way is never trusted: the next one starts it over.

A build from nothing makes its spare folder as it writes the site: a hard link to each file
it writes goes into a twin folder, which is the spare folder after the swap. When there is
no spare folder to bring up to date otherwise (after a build that changed most pages, whose
old site is not worth updating), it is made as a copy of the site by hard links (`cp -al`),
in a process of its own that runs while the build reads the stories and plans the pages:
tens of thousands of links cost seconds of the file system's time, which that process
spends beside the build rather than in it.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import pickle
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import as_completed
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from briefing.cache import Store, templates_path
from briefing.errors import error
from briefing.fingerprint import Fingerprints, digest
from briefing.folders import create_file, write_and_close
from briefing.progress import Progress
from briefing.render import make_environment, page_bytes
from briefing.site import Page
from briefing.workers import can_fork, forked_pool

#: path in the site -> (fingerprint of what it was made from, digest of its bytes)
Manifest = dict[str, tuple[str, str]]
#: what a folder holds at a path where it holds nothing
_NOTHING = ("", "")
#: the file a twin holds when a link into it failed: it is not kept (not a page's name: no page
#: is written at the site's top folder with a leading dot)
TWIN_BROKEN = ".twin-broken"
#: fewer pages than this are rendered in this process: starting workers would cost more. A
#: rebuild after one new article renders about a hundred: in two workers, with search shards of
#: up to 1,000 stories (Pagefind's run is done by then), nine alternated rebuilds at 20,000
#: stories took a median 9.44 s, against 9.72 s in this process (with shards of 2,000, Pagefind
#: still ran on the other core, and two workers took more time, not less)
MIN_PARALLEL_PAGES = 40
#: pages a worker renders per task, at most: small enough to share the work out evenly
CHUNK_PAGES = 200
#: tasks per worker, at least: a few pages (the archive's exports) take most of a short list's time
TASKS_PER_WORKER = 8


def safe_join(root: Path, relative: str) -> Path:
    """Join a site-relative path to the output folder, refusing anything that would leave it."""
    parts = PurePosixPath(relative).parts
    if (
        not parts
        or PurePosixPath(relative).is_absolute()
        or any(part in ("..", "") for part in parts)
        or "\x00" in relative
    ):
        raise error(relative, None, "refusing to write outside the site folder")
    return root.joinpath(*parts)


@dataclass
class Tree:
    """The folder the new site is built in, what it holds, and the live site to link from."""

    root: Path
    held: Manifest
    live: Path | None = None
    live_held: Manifest = field(default_factory=dict)
    made: Manifest = field(default_factory=dict)
    linked: int = 0
    written: int = 0
    # folders made or known to exist, in this one and its twin: one mkdir each at most
    folders: set[str] = field(default_factory=set)
    # a folder that gets a hard link to every file put in this one, to be the next build's
    # spare folder (see write_site); None when there is none
    twin: Path | None = None
    # per top folder, the paths the spare and live folders hold under it, by fingerprint
    _by_key: dict[str, dict[str, set[str]]] = field(default_factory=dict)

    def place(self, path: str, key: str) -> bool:
        """Put an unchanged file in place without making it again; False when it must be made."""
        if self.held.get(path, _NOTHING)[0] == key:
            self.made[path] = self.held[path]
            return True
        if self.live_held.get(path, _NOTHING)[0] == key and self._link_live(path):
            self.made[path] = self.live_held[path]
            self.linked += 1
            return True
        return False

    def place_all(self, folder: str, key: str) -> bool:
        """Put in place every file under a folder that an earlier build made with this fingerprint
        (files made together, such as a search shard); False when there are none or one fails."""
        top = folder.split("/", 1)[0] + "/"
        by_key = self._by_key.get(top)
        if by_key is None:  # indexed once per top folder: the site has tens of thousands of files
            by_key = self._by_key[top] = {}
            for manifest in (self.held, self.live_held):
                for path, (made_with, _) in manifest.items():
                    if path.startswith(top):
                        by_key.setdefault(made_with, set()).add(path)
        paths = sorted(path for path in by_key.get(key, ()) if path.startswith(folder))
        return bool(paths) and all(self.place(path, key) for path in paths)

    def write(self, path: str, key: str, data: bytes) -> None:
        """Put a file that had to be made again, and record it."""
        self.record(path, key, self.put(path, data))

    def put(self, path: str, data: bytes) -> str:
        """Put a file in the folder; the digest of its bytes (safe in a worker process).

        Nothing is written when the folder already holds these bytes, or when the live site
        does (the file is hard-linked from there, so an unchanged file stays the very same file).
        """
        made = digest(data)
        if made == self.held.get(path, _NOTHING)[1]:
            return made
        if made == self.live_held.get(path, _NOTHING)[1] and self._link_live(path):
            return made
        target = self._make_way(path)
        try:
            fd = create_file(target)
        except FileExistsError:  # a file the folder holds unknown to its record
            target.unlink()
            fd = create_file(target)
        write_and_close(fd, data)
        self._link_twin(target, path)
        return made

    def _link_live(self, path: str) -> bool:
        """Hard-link the live site's file at a path into the folder; False when it cannot."""
        if self.live is None:
            return False
        target = self._make_way(path)
        try:
            os.link(safe_join(self.live, path), target)
        except OSError:
            return False
        self._link_twin(target, path)
        return True

    def _link_twin(self, target: Path, path: str) -> None:
        """Hard-link a file just put in the folder into the twin, if there is one (`path` is
        safe: safe_join made `target` from it). A link that fails marks the twin broken, with a
        file in it: the render workers have no other way to say so, and a broken twin is not
        kept (_keep_twin)."""
        if self.twin is None:
            return
        copy = os.path.join(self.twin, path)
        try:
            self._folder_of(copy)
            try:
                os.link(target, copy)
            except FileExistsError:  # put twice in one build: the twin takes the last
                os.unlink(copy)
                os.link(target, copy)
        except OSError:
            with contextlib.suppress(OSError):
                os.close(create_file(self.twin / TWIN_BROKEN))
            self.twin = None  # in this process: no more links into a twin that will not be kept

    def _make_way(self, path: str) -> Path:
        """Where a file goes, with its folder made and the old file its record says it holds
        removed (it may be a hard link to a live site's file: it is unlinked, never written over;
        a build from nothing has none, and asked to remove 30,000 files that were not there)."""
        target = safe_join(self.root, path)
        if path in self.held:
            target.unlink(missing_ok=True)
        self._folder_of(os.fspath(target))
        return target

    def _folder_of(self, path: str) -> None:
        """Make the folder a file goes in, unless it is known to exist."""
        folder = os.path.dirname(path)
        if folder not in self.folders:
            os.makedirs(folder, exist_ok=True)
            self.folders.add(folder)

    def record(self, path: str, key: str, made: str) -> None:
        if made != self.held.get(path, _NOTHING)[1]:
            self.written += 1
        self.made[path] = (key, made)

    def remove_stale(self) -> None:
        """Remove the files of the old build that the new one does not have, and emptied folders."""
        folders: set[Path] = set()
        for path in sorted(set(self.held) - set(self.made)):
            target = safe_join(self.root, path)
            target.unlink(missing_ok=True)
            folders.update(p for p in target.parents if p.is_relative_to(self.root) and p != self.root)
        for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
            try:
                folder.rmdir()
            except OSError:
                continue  # not empty: it holds files of the new site


def _record_path(cache: Path, folder: Path) -> Path:
    return cache / "trees" / f"{folder.stat().st_ino}.pickle"


def _identity(folder: Path) -> tuple[int, int, int]:
    """Which folder this is: a record is trusted only for the very folder it was written for
    (an inode can be reused by a later folder, never with the same change time)."""
    status = folder.stat()
    return status.st_dev, status.st_ino, status.st_ctime_ns


def read_record(cache: Path, folder: Path) -> Manifest | None:
    """What a site folder holds, as the build that finished it recorded; None when unknown."""
    found = _read_record(cache, folder)
    return found[0] if found is not None else None


def has_record(cache: Path, folder: Path) -> bool:
    """Whether a site folder's record can be trusted (its manifest is not read)."""
    return _read_record(cache, folder, manifest=False) is not None


def _read_record(cache: Path, folder: Path, *, manifest: bool = True) -> tuple[Manifest, bytes] | None:
    """A folder's manifest and the bytes it was read from; None where its record is not to be
    trusted. Without `manifest`, only the record's identity is checked (an empty manifest is
    given). A record is the folder's identity, pickled, then its manifest, pickled: the
    identity is checked without reading the manifest, and a manifest is recorded again for
    another folder without pickling it again."""
    try:
        with _record_path(cache, folder).open("rb") as handle:
            if pickle.load(handle) != _identity(folder):  # noqa: S301 - our own record, written below
                return None
            if not manifest:
                return {}, b""
            data = handle.read()
        held = pickle.loads(data)  # noqa: S301 - our own record, written below
    except (OSError, pickle.PickleError, EOFError, ValueError, TypeError):
        return None
    return (held, data) if isinstance(held, dict) else None


#: records kept in the cache of folders other than a build's own site and spare folder (those of
#: other sites built with the same cache, the newest first)
OTHER_RECORDS = 4


def prune_records(cache: Path, folders: Sequence[Path]) -> None:
    """Remove the records of all but the OTHER_RECORDS newest folders other than `folders`.

    Every spare folder made anew (copied from the site, or the twin of a build from nothing)
    is a new folder with a record of its own, and the records of the folders gone piled up
    (6 MB each at 20,000 stories: twenty of them in one day's builds of one site).
    """
    try:
        own = {_record_path(cache, folder).name for folder in folders if folder.is_dir()}
        others = [
            entry for entry in os.scandir(cache / "trees") if entry.name.endswith(".pickle") and entry.name not in own
        ]
        others.sort(key=lambda entry: (entry.stat().st_mtime_ns, entry.name), reverse=True)
        for entry in others[OTHER_RECORDS:]:
            os.unlink(entry.path)
    except OSError:
        return  # a record too many costs disk space only


def forget_record(cache: Path, folder: Path) -> None:
    try:
        _record_path(cache, folder).unlink(missing_ok=True)
    except OSError:
        return


def write_record(cache: Path, folder: Path, manifest: Manifest, data: bytes | None = None) -> None:
    """Record what a finished site folder holds (after its last rename: a rename changes its
    ctime); `data` is the manifest already pickled, if it is."""
    try:
        path = _record_path(cache, folder)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        with temporary.open("wb") as handle:
            pickle.dump(_identity(folder), handle, protocol=pickle.HIGHEST_PROTOCOL)
            handle.write(data if data is not None else pickle.dumps(manifest, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(temporary, path)
    except OSError:
        return  # the next build makes every file again: slower, not wrong


class Finisher(Protocol):
    """Files made from some of the site's pages and added to it (the search index)."""

    def needs(self, tree: Tree) -> list[str]:
        """Put what is unchanged in place; the paths of the pages the rest is made from, in the
        order it would have them rendered."""

    def start(self, tree: Tree) -> None:
        """The unchanged files are in place and no page is rendered yet: start making what
        can be made (called once, after `needs`)."""

    def made(self, tree: Tree, paths: Sequence[str]) -> None:
        """These pages are in the tree now: start making what they complete."""

    def poll(self, tree: Tree) -> None:
        """Put what is made by now in the tree (called as the other pages are rendered)."""

    def finish(self, tree: Tree) -> None:
        """Put what was made in the tree."""

    def close(self) -> None:
        """Stop, also when the build failed (called after `finish` as well)."""


@dataclass(frozen=True, slots=True)
class SpareCopy:
    """A copy of the live site by hard links being made in the background (`start_spare`)."""

    process: subprocess.Popen[bytes]
    folder: Path  # where it is made; renamed to the spare folder when complete
    removing: subprocess.Popen[bytes] | None = None  # an untrusted spare folder being removed beside it

    def wait(self) -> bool:
        """Wait for the copy; True when it is complete."""
        return self.process.wait() == 0

    def stop(self) -> None:
        """Stop a copy the build no longer needs (it failed before publishing); a removal is let
        finish (nothing the build started runs on after it)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self.removing is not None:
            self.removing.wait()


def spare_folder(out_dir: Path) -> Path:
    return out_dir.with_name(f".{out_dir.name}.new")


def start_spare(out_dir: Path, cache: Path) -> SpareCopy | None:
    """Start copying the live site by hard links where there is no trusted spare folder to bring
    up to date and the live site's record says what it holds; None where there is nothing to do
    (or no GNU `cp` to do it: the build then links the files itself, as the pages ask)."""
    out_dir = out_dir.absolute()
    spare = spare_folder(out_dir)
    recover(out_dir, spare)
    copier = shutil.which("cp")
    if (
        copier is None
        or not sys.platform.startswith("linux")
        or not out_dir.is_dir()
        or (spare.is_dir() and has_record(cache, spare))
        or not has_record(cache, out_dir)
    ):
        return None
    folder = out_dir.with_name(f".{out_dir.name}.copying")
    stale = out_dir.with_name(f".{out_dir.name}.stale")
    for left in (folder, stale):  # left by a killed build
        if left.exists():
            shutil.rmtree(left)
    remover = shutil.which("rm")
    removing = None
    if spare.is_dir() and remover is not None:  # not to be trusted: removed beside the build, not in it
        spare.rename(stale)
        removing = subprocess.Popen([remover, "-rf", "--", str(stale)], stdout=subprocess.DEVNULL)
    process = subprocess.Popen(
        [copier, "-al", "--", str(out_dir), str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return SpareCopy(process, folder, removing)


@dataclass(frozen=True, slots=True)
class Published:
    """What a publish did: files rendered, written (bytes changed) and linked unchanged."""

    rendered: int
    written: int
    linked: int
    files: int


def write_site(
    pages: Sequence[Page],
    fingerprints: Fingerprints,
    static_dir: Path,
    out_dir: Path,
    *,
    cache: Path,
    templates: Path,
    jobs: int,
    bodies: Store | None = None,
    finisher: Finisher | None = None,
    progress: Progress | None = None,
    copying: SpareCopy | None = None,
) -> Published:
    """Bring the site in `out_dir` up to `pages` and the static assets, replacing it whole.

    `finisher` adds more files to the new site before the swap (the search index), made from
    pages it names, which are rendered first: it runs while the other pages are rendered;
    `copying` is the spare folder being made by `start_spare`, if it is.
    """
    out_dir = out_dir.absolute()
    spare = spare_folder(out_dir)
    recover(out_dir, spare)
    tree, live_data = _spare_tree(out_dir, spare, cache, copying)
    tree.twin = twin = _start_twin(out_dir, tree)
    try:
        first = finisher.needs(tree) if finisher is not None else []
        render = functools.partial(
            render_all,
            templates=templates,
            tree=tree,
            jobs=jobs,
            bodies=bodies,
            known=fingerprints.stories,
            lists=fingerprints.lists,
            compiled=templates_path(cache),
        )
        # the pages the finisher reads, fingerprinted and rendered first and in its order, each
        # handed to it once in the tree, so that it works while the others are rendered (the
        # other pages' fingerprints alone took a second at 20,000 stories)
        order = {path: number for number, path in enumerate(first)}
        early = _todo(sorted((p for p in pages if p.output_path in order), key=_in(order)), fingerprints, tree)
        if progress is not None:
            progress.start(len(early))
        if finisher is not None:
            finisher.start(tree)
        for made_path, key, made in render(early, progress=progress):
            tree.record(made_path, key, made)
            if finisher is not None:
                finisher.made(tree, [made_path])
                finisher.poll(tree)
        later = _todo((page for page in pages if page.output_path not in order), fingerprints, tree)
        if progress is not None:
            progress.extend(len(later))
        for made_path, key, made in render(later, progress=progress):
            tree.record(made_path, key, made)
            if finisher is not None:
                finisher.poll(tree)
        _place_static(tree, static_dir)
        if finisher is not None:
            finisher.finish(tree)
    finally:
        if finisher is not None:
            finisher.close()
    tree.remove_stale()
    swap(spare, out_dir)
    made_data = pickle.dumps(tree.made, protocol=pickle.HIGHEST_PROTOCOL)
    write_record(cache, out_dir, tree.made, made_data)
    if twin is not None:
        _keep_twin(twin, spare, cache, tree.made, made_data)
    elif tree.live is not None and tree.live_held and not _mostly_changed(tree):  # the old site, now the spare
        write_record(cache, spare, tree.live_held, live_data)
    prune_records(cache, (out_dir, spare))
    return Published(len(early) + len(later), tree.written, tree.linked, len(tree.made))


def twin_folder(out_dir: Path) -> Path:
    """Where a build from nothing makes the next build's spare folder (see _start_twin)."""
    return out_dir.with_name(f".{out_dir.name}.twin")


def _start_twin(out_dir: Path, tree: Tree) -> Path | None:
    """The twin a build from nothing (no site yet) makes beside its folder, empty; else None.

    The build puts a hard link to each of its files there as it writes it, and the twin is the
    spare folder after the swap, so that the build after it need not copy the site (`cp -al`
    of 20,000 stories' 50,000 files and 31,000 folders: 4 s of the file system's time, which
    the first one-article rebuild spent beside its work and then waited for). Linking as the
    pages are written costs the build from nothing the same system time, spread over its workers.
    """
    twin = twin_folder(out_dir)
    if twin.exists():  # left by a killed build
        shutil.rmtree(twin)
    if tree.live is not None or tree.held:
        return None
    twin.mkdir(parents=True)
    return twin


def _keep_twin(twin: Path, spare: Path, cache: Path, made: Manifest, made_data: bytes) -> None:
    """Make a finished build's twin its spare folder, with the same record as the site; a twin
    a link failed for is removed instead (the next build copies the site)."""
    if (twin / TWIN_BROKEN).exists() or spare.exists():
        shutil.rmtree(twin)
        return
    twin.rename(spare)
    write_record(cache, spare, made, made_data)


def _in(order: Mapping[str, int]) -> Callable[[Page], int]:
    """A page's place in an order of paths (a sort key)."""
    return lambda page: order[page.output_path]


def _todo(pages: Iterable[Page], fingerprints: Fingerprints, tree: Tree) -> list[tuple[Page, str]]:
    """The pages to render, with their fingerprints: those the tree cannot put in place unchanged."""
    return [(page, key) for page in pages if not tree.place(page.output_path, key := fingerprints.of(page))]


def _mostly_changed(tree: Tree) -> bool:
    """Whether most files of the new site differ from the old one's (all pages were rendered
    again: new templates or code). The old site, now the spare folder, is then left without a
    record: the next build makes a new spare as a copy of the site beside its work (start_spare)
    rather than linking most of its files one by one into this one (12 s at 20,000 stories)."""
    changed = sum(tree.live_held.get(path) != made for path, made in tree.made.items())
    return changed * 2 > len(tree.made)


def _spare_tree(out_dir: Path, spare: Path, cache: Path, copying: SpareCopy | None) -> tuple[Tree, bytes | None]:
    """The spare folder to build the new site in, ready, with what it and the live site hold
    (and the live site's record as read, to record it for the spare folder after the swap)."""
    live = out_dir if out_dir.is_dir() else None
    live_record = _read_record(cache, out_dir) if live is not None else None
    live_held = live_record[0] if live_record is not None else {}
    held = read_record(cache, spare) if spare.is_dir() else None
    if copying is not None:
        if held is None and live_held and copying.wait():
            if spare.exists():
                shutil.rmtree(spare)
            copying.folder.rename(spare)
            held = dict(live_held)  # the very files of the live site
        else:
            copying.stop()
            shutil.rmtree(copying.folder, ignore_errors=True)
    if held is None:
        if spare.exists():
            shutil.rmtree(spare)
        spare.mkdir(parents=True)
        held = {}
    forget_record(cache, spare)  # being changed: not to be trusted until it is finished
    return Tree(spare, held, live, live_held), live_record[1] if live_record is not None else None


def _place_static(tree: Tree, static_dir: Path) -> None:
    """The static assets, under assets/."""
    if static_dir.is_dir():
        for file in sorted(p for p in static_dir.rglob("*") if p.is_file()):
            data = file.read_bytes()
            path = "assets/" + file.relative_to(static_dir).as_posix()
            if not tree.place(path, digest(data)):
                tree.write(path, digest(data), data)


def swap(spare: Path, out_dir: Path) -> None:
    """Make the finished spare folder the site, and the old site the spare."""
    if not out_dir.exists():
        spare.rename(out_dir)
    elif not exchange(spare, out_dir):
        previous = out_dir.with_name(f".{out_dir.name}.old")
        out_dir.rename(previous)
        spare.rename(out_dir)
        previous.rename(spare)


#: renameat2(2) flag that swaps two paths in one step (Linux 3.15+)
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def exchange(first: Path, second: Path) -> bool:
    """Swap two folders atomically where the system can (Linux renameat2); False where it cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE)
    return bool(result == 0)


def recover(out_dir: Path, spare: Path) -> None:
    """Finish a swap that a killed build left between its renames (where there is no renameat2)."""
    previous = out_dir.with_name(f".{out_dir.name}.old")
    if not previous.exists():
        return
    if not out_dir.exists():
        previous.rename(out_dir)
    elif not spare.exists():
        previous.rename(spare)
    else:
        shutil.rmtree(previous)


#: the plan a forked renderer process reads (set just before the fork, never changed after)
_RENDER: dict[str, Any] = {}


def render_all(
    pages: Sequence[tuple[Page, str]],
    templates: Path,
    tree: Tree,
    *,
    jobs: int,
    bodies: Store | None,
    known: Mapping[int, str] | None = None,
    lists: Mapping[int, bytes] | None = None,
    compiled: Path | None = None,
    progress: Progress | None = None,
) -> Iterator[tuple[str, str, str]]:
    """Render (page, fingerprint) pairs into a folder, split across processes with --jobs
    (`known` and `lists`, the digests of stories and of lists of them by id for the tallies,
    and `compiled`: see make_environment).

    Yields (path, fingerprint, digest of the bytes) per page as each is in the folder: in the
    pages' order in this process, chunk by chunk as the workers finish them in parallel.
    """
    if jobs < 2 or len(pages) < MIN_PARALLEL_PAGES or not can_fork():
        env = make_environment(templates, bodies=bodies, known=known, lists=lists, compiled=compiled)
        for page, key in pages:
            yield _render_one(env, page, key, tree)
            if progress is not None:
                progress.advance()
        return
    _RENDER.update(
        pages=pages, templates=templates, tree=tree, bodies=bodies, known=known, lists=lists, compiled=compiled
    )
    try:
        size = max(1, min(CHUNK_PAGES, -(-len(pages) // (jobs * TASKS_PER_WORKER))))
        bounds = [(start, min(start + size, len(pages))) for start in range(0, len(pages), size)]
        with forked_pool(jobs, _start_renderer) as pool:
            for future in as_completed([pool.submit(_render_range, bound) for bound in bounds]):
                done = future.result()
                yield from done
                if progress is not None:
                    progress.advance(len(done))
    finally:
        _RENDER.clear()


def _render_one(env: Any, page: Page, key: str, tree: Tree) -> tuple[str, str, str]:  # noqa: ANN401
    data = page_bytes(env, page)
    return page.output_path, key, tree.put(page.output_path, data)


def _start_renderer() -> None:
    """A render worker's one Jinja environment, for all the chunks of pages it is given: it
    compiles the templates, and renders each story's list item and feed entry, once."""
    _RENDER["env"] = make_environment(
        _RENDER["templates"],
        bodies=_RENDER["bodies"],
        known=_RENDER["known"],
        lists=_RENDER["lists"],
        compiled=_RENDER["compiled"],
    )


def _render_range(bounds: tuple[int, int]) -> list[tuple[str, str, str]]:
    pages, tree, env = _RENDER["pages"], _RENDER["tree"], _RENDER["env"]
    start, stop = bounds
    return [_render_one(env, page, key, tree) for page, key in pages[start:stop]]
