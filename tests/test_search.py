"""The search index: what Pagefind is given of each story page, and what a run leaves in the tree."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from briefing import search
from briefing.errors import Diagnostic
from briefing.fingerprint import Fingerprints, digest
from briefing.publish import Tree, read_record
from briefing.search import IGNORED, SEARCH_PAGE, index_site, plan_shards, run_pagefind, searched_part, story_path
from briefing.site import Page
from tests.conftest import ROOT, SAMPLE_SEEDS, run_build
from tests.test_publish import NEW_SEED


def story_pages(site: Path) -> dict[str, bytes]:
    """The searched story pages of a built site (a syndicated copy's page is not searched)."""
    pages = {path.relative_to(site).as_posix(): path.read_bytes() for path in site.glob("stories/*/index.html")}
    return {path: page for path, page in pages.items() if b"data-pagefind-body" in page}


def files(folder: Path) -> dict[str, str]:
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_the_searched_part_keeps_title_and_body_and_drops_what_pagefind_ignores(sample_build: Path) -> None:
    pages = story_pages(sample_build / "site")
    assert len(pages) >= 10
    for path, page in pages.items():
        part = searched_part(page)
        assert part is not None, path
        assert part.startswith(b"<article") and part.endswith(b"</article>")
        assert b"<h1>" in part and b'<div class="body">' in part
        assert b"data-pagefind-ignore" not in part, f"{path}: story.html marks an element IGNORED does not cut"
        for marked in (b'class="meta"', b'class="entities"', b'class="related-stories"', b'class="pager"'):
            assert marked not in part
    assert sum(b'class="related-stories"' in page for page in pages.values()) >= 5
    assert searched_part(next(iter(pages.values())).replace(b"data-pagefind-body", b"")) is None


def test_a_body_cannot_make_the_cut_take_its_text() -> None:
    """Only the elements story.html marks are cut: a body's text that looks like one stays."""
    body = (
        b'<div class="body"><p>A &lt;section data-pagefind-ignore&gt; here</p>'
        b'<p><a href="https://example.com/?q=%20data-pagefind-ignore">a link data-pagefind-ignore></a></p></div>'
    )
    page = b'<main><article class="story-page" data-pagefind-body><h1>T</h1>' + body + b"</article></main>"
    assert searched_part(page) == page[len(b"<main>") : -len(b"</main>")]


def test_cutting_what_pagefind_ignores_leaves_the_index_the_same_byte_for_byte(
    sample_build: Path, tmp_path: Path
) -> None:
    """Why search results are unchanged: Pagefind's files are the very same with and without the cut."""
    outputs = []
    for way in ("whole", "cut"):
        site = tmp_path / way / "site"
        for path, page in story_pages(sample_build / "site").items():
            part = searched_part(page)
            assert part is not None
            if way == "whole":  # the article as the page has it
                start = page.index(part[: part.index(b">") + 1])
                part = page[start : page.index(b"</article>", start) + len(b"</article>")]
                assert IGNORED.search(part)
            (site / path).parent.mkdir(parents=True)
            (site / path).write_bytes(SEARCH_PAGE % part)
        assert run_pagefind(site, tmp_path / way / "index") == []
        outputs.append(files(tmp_path / way / "index"))
    assert outputs[0] == outputs[1]
    assert any(path.startswith("fragment/") for path in outputs[0])


def test_pagefind_runs_in_one_thread_unless_the_environment_says_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The build runs Pagefind beside the pages it renders: with threads of its own, it took
    the build's core."""
    started: list[dict[str, str]] = []

    def run(command: list[str], **options: object) -> subprocess.CompletedProcess[str]:
        started.append(dict(options["env"]))  # type: ignore[call-overload]
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(subprocess, "run", run)
    monkeypatch.delenv("RAYON_NUM_THREADS", raising=False)
    assert run_pagefind(tmp_path / "site", tmp_path / "index", start=["pagefind"]) == []
    monkeypatch.setenv("RAYON_NUM_THREADS", "4")
    assert run_pagefind(tmp_path / "site", tmp_path / "index", start=["pagefind"]) == []
    assert [env["RAYON_NUM_THREADS"] for env in started] == ["1", "4"]
    assert all(env["TOKIO_WORKER_THREADS"] == "1" and env["PATH"] == os.environ["PATH"] for env in started)


def shard_tree(sample_build: Path, folder: Path) -> tuple[Tree, dict[int, list[str]], dict[str, str]]:
    """A tree holding the sample site's story pages, as the build's spare folder does before indexing."""
    pages = story_pages(sample_build / "site")
    for path, page in pages.items():
        (folder / path).parent.mkdir(parents=True)
        (folder / path).write_bytes(page)
    slugs = [path.split("/")[1] for path in pages]
    return Tree(folder, {}), plan_shards(slugs), {story_path(slug): "entry" for slug in slugs}


def test_the_record_names_every_index_file_with_the_digest_of_its_bytes(sample_build: Path, tmp_path: Path) -> None:
    tree, shards, entries = shard_tree(sample_build, tmp_path / "tree")
    assert index_site(tree, shards, entries) == []
    on_disk = {
        path.relative_to(tree.root).as_posix(): digest(path.read_bytes())
        for path in (tree.root / "pagefind").rglob("*")
        if path.is_file()
    }
    recorded = {path: made for path, (_, made) in tree.made.items() if path.startswith("pagefind/")}
    assert recorded == on_disk
    assert "pagefind/0/pagefind.js" in recorded
    assert not any(Path(path).name in search.UNUSED for path in recorded)
    assert sorted(path.name for path in tree.root.iterdir()) == ["pagefind", "stories"]  # no scratch left


#: a Pagefind that writes part of its index and fails
HALF_A_RUN = (
    "import os, sys; out = sys.argv[sys.argv.index('--output-path') + 1];"
    "os.makedirs(out + '/fragment'); open(out + '/fragment/en_1.pf_fragment', 'w').write('half');"
    "print('out of memory', file=sys.stderr); sys.exit(3)"
)


def test_a_failed_run_leaves_a_warning_and_nothing_of_its_index(
    sample_build: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree, shards, entries = shard_tree(sample_build, tmp_path / "tree")
    monkeypatch.setattr(search, "pagefind_command", lambda: [sys.executable, "-c", HALF_A_RUN])
    diagnostics = index_site(tree, shards, entries)
    assert [d.message for d in diagnostics] == [
        "search index not built: out of memory (pip install 'pagefind[bin]')"
    ] * len(shards)
    assert not [path for path in tree.made if path.startswith("pagefind/")]
    assert not (tree.root / "pagefind").exists()


#: a Pagefind that writes part of its index, notes where, then kills the build that started it
KILLS_THE_BUILD = (
    "import os, signal, sys; out = sys.argv[sys.argv.index('--output-path') + 1];"
    "os.makedirs(out + '/fragment'); open(out + '/fragment/en_1.pf_fragment', 'w').write('half');"
    "open(sys.argv[1], 'w').write(out); os.kill(os.getppid(), signal.SIGKILL)"
)
BUILD_WITH_IT = (
    "import sys; import briefing.search as search;"
    "search.pagefind_command = lambda: [sys.executable, '-c', sys.argv[1], sys.argv[2]];"
    "from briefing.cli import main; main(['build', '--templates', sys.argv[3], '--quiet'])"
)


def test_a_build_killed_while_indexing_leaves_the_old_site_and_nothing_trusted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "project"
    shutil.copytree(SAMPLE_SEEDS, project / "seeds")
    monkeypatch.chdir(project)  # .cache/ goes here
    assert run_build(project, "--quiet") == 0
    assert run_build(project, "--quiet") == 0  # the spare folder now has a record
    before = files(project / "site")
    (project / "seeds" / "zz-new.txt").write_text(NEW_SEED, encoding="utf-8")  # a shard to index again
    killed = subprocess.run(
        [sys.executable, "-c", BUILD_WITH_IT, KILLS_THE_BUILD, str(tmp_path / "where"), str(ROOT / "templates")],
        cwd=project,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL
    assert files(project / "site") == before
    spare = project / ".site.new"
    assert read_record(project / ".cache", spare) is None  # being changed when killed: not trusted
    scratch = Path((tmp_path / "where").read_text(encoding="utf-8")).parent
    assert scratch.is_dir()
    assert run_build(project, "--quiet") == 0
    assert not scratch.exists()  # the killed build's scratch folder: removed by the next build
    fresh = tmp_path / "fresh"
    shutil.copytree(project / "seeds", fresh / "seeds")
    shutil.copytree(project / "content", fresh / "content")
    monkeypatch.chdir(fresh)
    assert run_build(fresh, "--quiet") == 0
    rebuilt, from_nothing = files(project / "site"), files(fresh / "site")
    assert rebuilt.keys() == from_nothing.keys()
    assert {path for path in rebuilt if rebuilt[path] != from_nothing[path]} <= {"review/index.html"}


def built_with_a_new_seed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The samples built once (.cache/ in the project), and a new seed added for the next build."""
    project = tmp_path / "project"
    shutil.copytree(SAMPLE_SEEDS, project / "seeds")
    monkeypatch.chdir(project)
    assert run_build(project, "--quiet") == 0
    (project / "seeds" / "zz-new.txt").write_text(NEW_SEED, encoding="utf-8")
    return project


def test_pagefind_runs_while_the_pages_search_does_not_read_are_fingerprinted_and_rendered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = built_with_a_new_seed(tmp_path, monkeypatch)
    seen: list[tuple[bool, bool, bool]] = []
    start, fingerprint = search.Indexing._start_run, Fingerprints.of
    fingerprinted: list[str] = []

    def spy(self: search.Indexing, tree: Tree, place: int) -> None:
        new_page = "stories/heartseed-starts-a-trial-of-heart-cell-spheroids-in-osaka/index.html"
        home = "index.html"
        seen.append(
            (new_page in tree.made and (tree.root / new_page).is_file(), home in tree.made, home in fingerprinted)
        )
        start(self, tree, place)

    def of(self: Fingerprints, page: Page) -> str:
        fingerprinted.append(page.output_path)
        return fingerprint(self, page)

    monkeypatch.setattr(search.Indexing, "_start_run", spy)
    monkeypatch.setattr(Fingerprints, "of", of)
    assert run_build(project, "--quiet") == 0
    # the new story's page is there to index; the home page is rendered, and even fingerprinted, after
    assert seen == [(True, False, False)]
    assert "heartseed" in (project / "site" / "index.html").read_text(encoding="utf-8").lower()


def test_indexing_stopped_before_it_finishes_leaves_no_scratch_folder(sample_build: Path, tmp_path: Path) -> None:
    tree, shards, entries = shard_tree(sample_build, tmp_path / "tree")
    indexing = search.Indexing(shards, entries)
    pages = indexing.needs(tree)
    assert pages == [page for number in sorted(shards) for page in shards[number]]
    indexing.start(tree)
    indexing.made(tree, pages)
    scratch = indexing._scratch
    assert scratch is not None and Path(scratch.name).is_dir()
    indexing.close()  # as write_site does when a page fails to render
    assert not Path(scratch.name).exists()
    assert not [path for path in tree.made if path.startswith("pagefind/")]


def test_each_shard_is_indexed_as_soon_as_its_pages_are_in_the_tree(
    sample_build: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tree, _, entries = shard_tree(sample_build, tmp_path / "tree")
    slugs = sorted(path.split("/")[1] for path in entries)
    shards = {0: [story_path(slug) for slug in slugs[:2]], 1: [story_path(slug) for slug in slugs[2:]]}
    indexed: list[list[str]] = []

    def index_shard(site: Path, output: Path, **_: object) -> tuple[Path, list[Diagnostic]]:
        indexed.append(sorted(path.relative_to(site).as_posix() for path in site.rglob("index.html")))
        output.mkdir(parents=True)
        (output / "pagefind.js").write_text(f"// shard of {len(indexed[-1])} pages\n", encoding="utf-8")
        return output, []

    monkeypatch.setattr(search, "_index_shard", index_shard)
    indexing = search.Indexing(shards, entries)
    pages = indexing.needs(tree)
    assert pages == shards[0] + shards[1]  # in the order the shards are indexed
    indexing.start(tree)
    tree.record(shards[0][0], "key", "made")  # a page is made: its shard waits for the other
    indexing.made(tree, shards[0][:1])
    assert indexing._started == {}
    tree.record(shards[0][1], "key", "made")
    indexing.made(tree, shards[0][1:])
    indexing._started[0].result()
    assert indexed == [shards[0]] and 1 not in indexing._started  # the second shard's pages are not made yet
    indexing.poll(tree)  # as the other pages are rendered: the first shard's files join the tree
    assert [path for path in tree.made if path.startswith("pagefind/")] == ["pagefind/0/pagefind.js"]
    assert indexing._scratch is not None and not (Path(indexing._scratch.name) / "0").exists()  # nor kept in memory
    indexing.made(tree, shards[1])
    indexing.finish(tree)
    assert indexed == [shards[0], shards[1]]
    assert sorted(path for path in tree.made if path.startswith("pagefind/")) == [
        "pagefind/0/pagefind.js",
        "pagefind/1/pagefind.js",
    ]


def test_a_rebuild_cuts_again_only_the_pages_whose_search_entries_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = built_with_a_new_seed(tmp_path, monkeypatch)
    cut: list[bytes] = []
    original = search.searched_part
    monkeypatch.setattr(search, "searched_part", lambda page: cut.append(page) or original(page))
    assert run_build(project, "--quiet") == 0
    assert len(cut) == 1 and b"Heartseed starts a trial" in cut[0]  # the new story's page only
    fresh = tmp_path / "fresh"
    shutil.copytree(project / "seeds", fresh / "seeds")
    shutil.copytree(project / "content", fresh / "content")
    monkeypatch.chdir(fresh)  # its own, empty .cache/: every page cut
    assert run_build(fresh, "--quiet") == 0
    rebuilt, from_nothing = files(project / "site" / "pagefind"), files(fresh / "site" / "pagefind")
    assert rebuilt == from_nothing and rebuilt


def test_the_kept_pages_of_shards_there_are_no_more_are_removed(sample_build: Path, tmp_path: Path) -> None:
    tree, shards, entries = shard_tree(sample_build, tmp_path / "tree")
    kept = tmp_path / "kept"
    kept.mkdir()
    for name in ("0.pickle", "5.pickle", ".5.pickle.123"):  # shard 0, a shard gone, a killed build's temporary file
        (kept / name).write_bytes(b"")
    search.Indexing(shards, entries, kept=kept).needs(tree)
    assert sorted(path.name for path in kept.iterdir()) == ["0.pickle"]
