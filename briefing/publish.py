"""Publish: render the pages and write the site to disk in one swap. The I/O edge for site/.

The new site is written in full beside the old one, then the two are exchanged in one step
(renameat2 with RENAME_EXCHANGE on Linux; elsewhere two renames, repaired by the next build
if one is interrupted), so a reader or a killed build sees either the previous complete site
or the new one.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import shutil
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path, PurePosixPath
from typing import Any

from briefing.cache import Store
from briefing.errors import error
from briefing.render import make_environment, render_page
from briefing.site import Page


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


def write_pages(pages: Iterable[tuple[str, str]], staging: Path) -> None:
    """Write (site-relative path, text) pairs into a staging folder."""
    for relative, text in pages:
        target = safe_join(staging, relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")


def write_site(
    pages: Iterable[tuple[str, str]] | Callable[[Path], None],
    static_dir: Path,
    out_dir: Path,
    *,
    finish: Callable[[Path], None] | None = None,
) -> None:
    """Write every page and the static assets into `out_dir`, replacing it whole.

    `pages` is (path, text) pairs, or a function that writes them into the staging folder
    it is given (the parallel renderer). `finish` runs on the complete staged site before
    the swap (the search indexer).
    """
    out_dir = out_dir.absolute()
    staging = out_dir.with_name(f".{out_dir.name}.new")
    previous = out_dir.with_name(f".{out_dir.name}.old")
    recover(out_dir)
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    if callable(pages):
        pages(staging)
    else:
        write_pages(pages, staging)
    if static_dir.is_dir():
        shutil.copytree(static_dir, staging / "assets", dirs_exist_ok=True)
    if finish is not None:
        finish(staging)
    if out_dir.exists() and exchange(staging, out_dir):
        shutil.rmtree(staging)  # it now holds the previous site
        return
    if out_dir.exists():
        out_dir.rename(previous)
    staging.rename(out_dir)
    if previous.exists():
        shutil.rmtree(previous)


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


def recover(out_dir: Path) -> None:
    """Put back the previous site if a build was killed between the two renames of a swap."""
    previous = out_dir.with_name(f".{out_dir.name}.old")
    if previous.exists() and not out_dir.exists():
        previous.rename(out_dir)
    elif previous.exists():
        shutil.rmtree(previous)


#: the plan a forked renderer process reads (set just before the fork, never changed after)
_RENDER: dict[str, Any] = {}
#: fewer pages than this are rendered in this process: starting workers would cost more
MIN_PARALLEL_PAGES = 400


def render_all(pages: Sequence[Page], templates: Path, staging: Path, *, jobs: int, bodies: Store) -> None:
    """Render every page into the staging folder, split across processes with --jobs."""
    if jobs < 2 or len(pages) < MIN_PARALLEL_PAGES or "fork" not in multiprocessing.get_all_start_methods():
        env = make_environment(templates, bodies=bodies)
        write_pages(((page.output_path, render_page(env, page)) for page in pages), staging)
        return
    _RENDER.update(pages=pages, templates=templates, staging=staging, bodies=bodies)
    try:
        bounds = [(n * len(pages) // jobs, (n + 1) * len(pages) // jobs) for n in range(jobs)]
        with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            list(pool.map(_render_range, bounds))
    finally:
        _RENDER.clear()


def _render_range(bounds: tuple[int, int]) -> None:
    pages, staging = _RENDER["pages"], _RENDER["staging"]
    env = make_environment(_RENDER["templates"], bodies=_RENDER["bodies"])
    start, stop = bounds
    write_pages(((page.output_path, render_page(env, page)) for page in pages[start:stop]), staging)
