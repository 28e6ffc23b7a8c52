"""Search indexing cost, alone: every shard of a built site (a cold build's indexing), then one shard
again (what a one-article rebuild pays), each measured as wall time and CPU time with Pagefind's.

    python bench/search_speed.py SITE [--repeat 3] [--jobs 2]

SITE is a built site (site/ of a project). Its story pages are hard-linked into a scratch tree
(nothing writes them), and the index is built there, as the build's last step builds it in the
spare folder. The one-shard run has the site itself as the live site, as a rebuild has (with
what it holds, from the project's .cache/, so files Pagefind makes again are linked from it).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from briefing.publish import Manifest, Tree, read_record  # noqa: E402
from briefing.search import index_site, plan_shards, story_path  # noqa: E402


def cpu() -> tuple[float, float]:
    """CPU seconds (user and system) of this process, and of its finished children (Pagefind)."""
    mine, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return mine.ru_utime + mine.ru_stime, children.ru_utime + children.ru_stime


def measured(run: Callable[[], object]) -> str:
    """Wall time, and CPU time of Python and of Pagefind, of a run."""
    started, (python, pagefind) = time.perf_counter(), cpu()
    run()
    wall, (python_after, pagefind_after) = time.perf_counter() - started, cpu()
    python, pagefind = python_after - python, pagefind_after - pagefind
    return f"{wall:6.2f} s wall {python + pagefind:6.2f} s CPU = {python:5.2f} Python + {pagefind:5.2f} Pagefind"


def searchable(site: Path) -> list[str]:
    """The slugs of the story pages search indexes (a syndicated copy's page is not indexed)."""
    return sorted(
        folder.name
        for folder in (site / "stories").iterdir()
        if b"data-pagefind-body" in (folder / "index.html").read_bytes()
    )


def scratch_tree(site: Path, slugs: list[str], folder: Path, *, live: Manifest | None) -> Tree:
    """A tree holding the site's story pages (hard links) and no search index; `live`: what
    the site holds, to have it as the live site."""
    if folder.exists():
        shutil.rmtree(folder)
    for slug in slugs:
        (folder / "stories" / slug).mkdir(parents=True)
        os.link(site / story_path(slug), folder / story_path(slug))
    return Tree(folder, {}, None if live is None else site, live or {})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--shards", type=int, default=3, help="one-shard runs (default 3)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--work", type=Path, help="scratch folder, on the site's file system (default: beside it)")
    args = parser.parse_args(argv)
    live = read_record(args.site.parent / ".cache", args.site) or {}
    slugs = searchable(args.site)
    shards = plan_shards(slugs)
    entries = {story_path(slug): "unchanged" for slug in slugs}
    first = next(iter(shards))
    print(f"{len(slugs)} stories, {len(shards)} shards; shard {first}: {len(shards[first])} pages")
    print(f"live site's record: {len(live)} files")
    with tempfile.TemporaryDirectory(dir=args.work or args.site.parent) as work:
        for attempt in range(args.repeat):
            tree = scratch_tree(args.site, slugs, Path(work) / "tree", live=None)
            took = measured(lambda: index_site(tree, shards, entries, jobs=args.jobs))  # noqa: B023
            files = sum(1 for path in tree.made if path.startswith("pagefind/"))
            print(f"  all shards #{attempt + 1}: {took}  ({files} files)")
        for attempt in range(args.shards):
            tree = scratch_tree(args.site, slugs, Path(work) / "tree", live=live)
            one = {first: shards[first]}
            took = measured(lambda: index_site(tree, one, entries, jobs=1))  # noqa: B023
            print(f"  one shard  #{attempt + 1}: {took}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
