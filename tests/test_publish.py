"""Incremental publishing: a rebuild renders only the pages whose inputs changed, writes only
the files whose bytes changed, and gives the same site as a build from nothing."""

from __future__ import annotations

import dataclasses
import datetime
import errno
import gc
import hashlib
import io
import os
import pickle
import shutil
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import briefing
from briefing import cache as cache_module
from briefing import publish
from briefing.cache import FileDigests, StatusMemo, Store, code_version, keep
from briefing.fingerprint import story_digests
from briefing.model import TAXONOMIES, Story
from briefing.progress import Progress
from briefing.publish import SpareCopy, Tree, has_record, read_record, write_record
from briefing.review import REVIEW_ROWS, review_context
from briefing.site import Page, PageUrls, TermLinks
from briefing.taxonomy import Term
from tests.conftest import ROOT, SAMPLE_SEEDS, run_build

NEW_SEED = """Heartseed starts a trial of heart cell spheroids in Osaka

Heartseed said on Monday it had started a trial of its iPSC-derived heart cell spheroids in Osaka.

The company expects first results next year, it said in a statement.
"""


def files(folder: Path) -> dict[str, tuple[str, int, int]]:
    """Every file: digest of its bytes, inode and modification time."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            status = path.stat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            found[path.relative_to(folder).as_posix()] = (digest, status.st_ino, status.st_mtime_ns)
    return found


def without_review(tree: dict[str, tuple[str, int, int]]) -> dict[str, str]:
    """Bytes only, without the review page (it says what changed since the build before)."""
    return {path: value[0] for path, value in tree.items() if not path.startswith("review/")}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # .cache/ goes here
    shutil.copytree(SAMPLE_SEEDS, tmp_path / "seeds")
    assert run_build(tmp_path, "--quiet") == 0
    assert run_build(tmp_path, "--quiet") == 0  # the second build fills the spare folder
    return tmp_path


def test_a_rebuild_with_nothing_changed_writes_no_file(project: Path) -> None:
    before = files(project / "site")
    assert run_build(project, "--quiet") == 0
    after = files(project / "site")
    changed = {path for path in after if after[path] != before.get(path)}
    assert changed <= {"review/index.html"}, changed
    assert set(after) == set(before)


def test_one_new_story_writes_few_files_and_leaves_the_rest_untouched(project: Path) -> None:
    before = files(project / "site")
    (project / "seeds" / "zz-new.txt").write_text(NEW_SEED, encoding="utf-8")
    assert run_build(project, "--quiet") == 0
    after = files(project / "site")
    new_page = "stories/heartseed-starts-a-trial-of-heart-cell-spheroids-in-osaka/index.html"
    assert new_page in after and new_page not in before
    changed = {path for path in after if path not in before or after[path][0] != before[path][0]}
    untouched = [path for path in after if path in before and after[path][0] == before[path][0]]
    assert untouched and len(changed) < len(after) // 2, f"{len(changed)} of {len(after)} files changed"
    # a file whose bytes did not change is the very same file: not written again
    assert all(after[path][1:] == before[path][1:] for path in untouched)
    # the search index holds the new story (its folder changed)
    assert any(path.startswith("pagefind/") for path in changed)


def test_an_incremental_build_gives_the_site_a_build_from_nothing_gives(project: Path, tmp_path: Path) -> None:
    (project / "seeds" / "zz-new.txt").write_text(NEW_SEED, encoding="utf-8")
    story = sorted((project / "content").glob("*.md"))[0]
    story.write_text(story.read_text(encoding="utf-8").replace("\n---\n", "\n---\nAn editor's line.\n\n", 1))
    assert run_build(project, "--quiet") == 0
    fresh = tmp_path / "fresh"
    shutil.copytree(project / "seeds", fresh / "seeds")
    shutil.copytree(project / "content", fresh / "content")
    os.chdir(fresh)  # its own, empty .cache/
    assert run_build(fresh, "--quiet") == 0
    assert without_review(files(project / "site")) == without_review(files(fresh / "site"))


def test_a_spare_folder_with_no_record_is_made_again(project: Path) -> None:
    spare = project / ".site.new"
    assert read_record(project / ".cache", spare) is not None
    (spare / "stray.html").write_text("left by a killed build", encoding="utf-8")
    (project / ".cache" / "trees").joinpath(f"{spare.stat().st_ino}.pickle").unlink()
    (project / "seeds" / "zz-new.txt").write_text(NEW_SEED, encoding="utf-8")
    assert run_build(project, "--quiet") == 0
    assert not (project / "site" / "stray.html").exists()
    assert run_build(project, "--quiet") == 0  # and the spare folder it leaves is trusted again
    assert read_record(project / ".cache", project / ".site.new") is not None


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_page_is_written_as_a_new_file_never_into_one_the_folder_holds(tmp_path: Path) -> None:
    live, spare = tmp_path / "live", tmp_path / "spare"
    (live / "a").mkdir(parents=True)
    (live / "a" / "index.html").write_bytes(b"old page")
    shutil.copytree(live, spare, copy_function=os.link)  # the spare: links to the live site's files
    (spare / "stray.html").write_bytes(b"a file no record names")
    tree = Tree(spare, {"a/index.html": ("key", "digest")})
    tree.put("a/index.html", b"new page")
    tree.put("stray.html", b"made again")
    tree.put("b/c/index.html", b"a page in a new folder")
    assert (live / "a" / "index.html").read_bytes() == b"old page"  # unlinked, not written over
    assert (spare / "a" / "index.html").read_bytes() == b"new page"
    assert (spare / "stray.html").read_bytes() == b"made again"
    assert (spare / "b" / "c" / "index.html").read_bytes() == b"a page in a new folder"
    umask = os.umask(0)
    os.umask(umask)
    assert (spare / "b" / "c" / "index.html").stat().st_mode & 0o777 == 0o666 & ~umask  # as open() makes it


def test_the_progress_bar_is_drawn_on_a_terminal_only() -> None:
    terminal, pipe = Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        bar = Progress("rendering", stream=stream)
        bar.start(1000)
        bar.advance(1000)
        bar.close()
    assert "rendering [" in terminal.getvalue() and "1000/1000" in terminal.getvalue()
    assert pipe.getvalue() == ""


def test_the_progress_bar_is_drawn_once_more_items_make_a_long_step() -> None:
    terminal = Terminal()
    bar = Progress("rendering", stream=terminal)
    bar.start(10)  # too few to draw a bar for
    bar.advance(10)
    assert terminal.getvalue() == ""
    bar.extend(500)  # the rest of the step, found once the first items were done
    bar.advance(500)
    bar.close()
    assert "rendering [" in terminal.getvalue() and "510/510" in terminal.getvalue()


def test_the_review_page_shows_new_stories_first_and_a_bounded_list() -> None:
    stories = [Story(title=f"Story {n}", slug=f"story-{n:05d}") for n in range(REVIEW_ROWS + 50)]
    manifest = {story.slug: key for story, key in zip(stories, story_digests(stories), strict=True)}
    previous = {slug: key for slug, key in manifest.items() if slug != "story-00000"}  # story-00000 is new
    review = review_context(stories, [], manifest, previous)
    assert review.totals["undated"] == len(stories)
    assert len(review.undated) == REVIEW_ROWS
    assert review.undated[0].slug == "story-00000" and review.added == ("story-00000",)


def test_a_seed_is_read_again_only_when_its_status_changed(tmp_path: Path) -> None:
    seed = tmp_path / "seed.txt"
    seed.write_text("first text", encoding="utf-8")
    read: list[Path] = []

    def digest(path: Path) -> str:
        read.append(path)
        return hashlib.sha256(path.read_bytes()).hexdigest()

    memory = tmp_path / "digests.pickle"
    first = FileDigests(memory, digest, settle_ns=0)
    assert first.of(seed) == hashlib.sha256(b"first text").hexdigest()
    first.save()
    again = FileDigests(memory, digest, settle_ns=0)
    assert again.of(seed) == hashlib.sha256(b"first text").hexdigest()
    assert read == [seed]  # known by its status: not read again
    status = seed.stat()
    seed.write_text("other text", encoding="utf-8")  # same size, and the old modification time
    os.utime(seed, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert again.of(seed) == hashlib.sha256(b"other text").hexdigest()  # its change time tells
    unsettled = FileDigests(tmp_path / "other.pickle", digest)  # just written: not trusted later
    unsettled.of(seed)
    unsettled.save()
    assert FileDigests(tmp_path / "other.pickle", digest).of(seed) and read[-2:] == [seed, seed]
    memory.write_bytes(b"not a pickle")
    assert FileDigests(memory, digest).of(seed) == hashlib.sha256(b"other text").hexdigest()


def test_a_cache_version_covers_the_modules_a_stage_imports_and_only_those(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "briefing"
    make = {
        "__init__.py": "",
        "stage.py": "from briefing.helper import x\n",
        "helper.py": "def f():\n    import briefing.deep\n",
        "elsewhere.py": "from briefing.stage import y\n",
        "deep.py": "",
        "words.yaml": "a: 1\n",
    }
    for name, text in make.items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text(text, encoding="utf-8")
    monkeypatch.setattr(briefing, "__file__", str(package / "__init__.py"))
    before = code_version(of=("briefing.stage",))
    (package / "elsewhere.py").write_text("# changed\n", encoding="utf-8")
    assert code_version(of=("briefing.stage",)) == before  # a module the stage does not import
    (package / "deep.py").write_text("# changed\n", encoding="utf-8")
    after_deep = code_version(of=("briefing.stage",))
    assert after_deep != before  # imported two steps away, inside a function
    (package / "words.yaml").write_text("a: 2\n", encoding="utf-8")
    assert code_version(of=("briefing.stage",)) != after_deep  # data files always count
    assert code_version(of=("briefing.stage",)) != code_version()


def test_the_cache_gives_many_values_at_once(tmp_path: Path) -> None:
    store = Store(tmp_path / "cache.sqlite")
    for number in range(1200):  # more than one batch of keys
        store.put(f"key{number}", ("value", number))
    wanted = [f"key{number}" for number in range(0, 1300, 3)]
    found = store.get_many(wanted)
    assert found == {f"key{n}": ("value", n) for n in range(0, 1200, 3)}  # keys never stored are left out
    assert Store(tmp_path / "missing" / "cache.sqlite").get_many(["key1"]) == {}


def test_values_kept_together_are_kept_in_one_transaction_all_or_none(tmp_path: Path) -> None:
    store = Store(tmp_path / "cache.sqlite")
    store.put_many((f"key{number}", ("value", number)) for number in range(3))
    assert Store(tmp_path / "cache.sqlite").get_many(["key0", "key1", "key2"]) == {
        f"key{n}": ("value", n) for n in range(3)
    }  # seen by another connection: committed
    store.put_many([("key3", "kept?"), (["no key"], "value")])  # type: ignore[list-item] # fails half way
    store.put_many([("key5", "after")])  # no transaction was left open
    assert Store(tmp_path / "cache.sqlite").get_many(["key3", "key5"]) == {"key5": "after"}  # key3 rolled back


def test_a_file_remembered_just_after_it_changed_is_checked_by_its_bytes(tmp_path: Path) -> None:
    story = tmp_path / "story.md"
    story.write_text("just written\n", encoding="utf-8")
    bytes_digest = hashlib.sha256(b"just written\n").hexdigest()
    memo: StatusMemo[str] = StatusMemo(tmp_path / "memo")
    assert memo.known(story) is None
    memo.remember(story, "what it holds", bytes_digest)  # changed a moment ago: racily clean
    memo.remember(tmp_path / "never-asked.md", "nothing")  # no status seen: not remembered
    memo.save()
    again: StatusMemo[str] = StatusMemo(tmp_path / "memo")
    assert again.known(story) == "what it holds"  # the same bytes: trusted
    liar: StatusMemo[str] = StatusMemo(tmp_path / "other")
    liar.known(story)
    liar.remember(story, "what it held before", hashlib.sha256(b"other bytes").hexdigest())
    liar.remember(tmp_path / "story.md", "what it held before", hashlib.sha256(b"other bytes").hexdigest())
    liar.save()
    assert StatusMemo[str](tmp_path / "other").known(story) is None  # same status, other bytes: read again
    unverified: StatusMemo[str] = StatusMemo(tmp_path / "third")
    unverified.known(story)
    unverified.remember(story, "no digest given")
    unverified.save()
    assert StatusMemo[str](tmp_path / "third").known(story) is None  # not remembered without its digest


def test_a_racily_clean_file_is_trusted_by_its_status_once_it_has_settled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    story = tmp_path / "story.md"
    story.write_text("just written\n", encoding="utf-8")
    memo: StatusMemo[str] = StatusMemo(tmp_path / "memo")
    memo.known(story)
    memo.remember(story, "what it holds", hashlib.sha256(b"just written\n").hexdigest())
    memo.save()
    checked: list[Path] = []
    digest_of = cache_module._file_digest

    def counted(file: Path) -> str:
        checked.append(file)
        return digest_of(file)

    monkeypatch.setattr(cache_module, "_file_digest", counted)
    settled: StatusMemo[str] = StatusMemo(tmp_path / "memo", settle_ns=0)  # as if seconds had passed
    assert settled.known(story) == "what it holds" and checked == [story]  # checked by its bytes once
    settled.save()
    assert StatusMemo[str](tmp_path / "memo").known(story) == "what it holds"
    assert checked == [story]  # then trusted by its status: the bytes are not read again


def test_racily_clean_files_are_settled_by_the_build_that_wrote_them_once_they_hold_still(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    story, other = tmp_path / "story.md", tmp_path / "other.md"
    for file in (story, other):
        file.write_text("just written\n", encoding="utf-8")
    memo: StatusMemo[str] = StatusMemo(tmp_path / "memo", settle_ns=50_000_000)
    for file in (story, other):
        memo.known(file)
    memo.remember(story, "what it holds", hashlib.sha256(b"just written\n").hexdigest())
    memo.remember(other, "what it held", hashlib.sha256(b"changed in the same tick\n").hexdigest())
    assert memo.settle() == 0  # too soon: either could change again unseen
    time.sleep(0.06)
    assert memo.settle() == 1  # the one whose bytes are still those it was made from
    memo.save()
    checked: list[str] = []
    digest_of = cache_module._file_digest
    monkeypatch.setattr(cache_module, "_file_digest", lambda file: checked.append(str(file)) or digest_of(file))
    again: StatusMemo[str] = StatusMemo(tmp_path / "memo")
    assert again.known(story) == "what it holds" and checked == []  # trusted by its status: not read
    assert again.known(other) is None and checked == [str(other)]  # still checked by its bytes, and a miss


def test_a_build_settles_the_memory_of_content_beside_publishing_and_saves_it_after(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    settle, save = StatusMemo.settle, StatusMemo.save

    def settling(memo: StatusMemo[object]) -> int:
        calls.append("settle")
        return settle(memo)

    def saving(memo: StatusMemo[object]) -> None:
        if memo.path.parent.name == "content":
            calls.append("save")
        save(memo)

    monkeypatch.setattr(StatusMemo, "settle", settling)
    monkeypatch.setattr(StatusMemo, "save", saving)
    assert run_build(project, "--quiet") == 0
    assert calls == ["settle", "save"]


def test_a_memory_in_another_layout_is_a_miss_not_a_crash(tmp_path: Path) -> None:
    story = tmp_path / "story.md"
    story.write_text("text\n", encoding="utf-8")
    status = story.stat()
    key = (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)
    keep(tmp_path / "memo", {str(story): (key, "an older layout had two fields")})
    assert StatusMemo[str](tmp_path / "memo").known(story) is None


def test_a_build_gives_the_garbage_collector_back(project: Path) -> None:
    # a build holds the cycle collector off while it loads the archive; `serve` builds again and
    # again in one process, so the collector must be on and nothing left frozen out of it
    assert gc.isenabled()
    assert run_build(project, "--quiet") == 0
    assert gc.isenabled() and gc.get_freeze_count() == 0


def spy_on_copies(monkeypatch: pytest.MonkeyPatch) -> list[SpareCopy | None]:
    """What each build's start_spare returns, from now on (None: it did not copy the site)."""
    from briefing import pipeline, publish

    started: list[SpareCopy | None] = []

    def spy(out_dir: Path, cache: Path) -> SpareCopy | None:
        started.append(publish.start_spare(out_dir, cache))
        return started[-1]

    monkeypatch.setattr(pipeline, "start_spare", spy)
    return started


def samples_built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[SpareCopy | None]:
    """The samples built from nothing in tmp_path (its .cache/ there); what each build's
    start_spare returns, from that build on."""
    started = spy_on_copies(monkeypatch)
    monkeypatch.chdir(tmp_path)
    shutil.copytree(SAMPLE_SEEDS, tmp_path / "seeds")
    assert run_build(tmp_path, "--quiet") == 0
    return started


def test_a_build_from_nothing_leaves_a_spare_folder_of_links_to_its_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = samples_built(tmp_path, monkeypatch)
    assert started == [None] and not (tmp_path / ".site.twin").exists()
    built = files(tmp_path / "site")
    assert files(tmp_path / ".site.new") == built  # the very same files, by hard links
    assert read_record(tmp_path / ".cache", tmp_path / ".site.new") == read_record(
        tmp_path / ".cache", tmp_path / "site"
    )
    (tmp_path / "seeds" / "zz-new.txt").write_text(NEW_SEED, encoding="utf-8")
    assert run_build(tmp_path, "--quiet") == 0
    assert started[-1] is None  # the spare is trusted: brought up to date, not copied
    after = files(tmp_path / "site")
    untouched = [path for path in after if path in built and after[path][0] == built[path][0]]
    assert untouched and all(after[path][1:] == built[path][1:] for path in untouched)
    assert files(tmp_path / ".site.new") == built  # the first site, whole, is the spare now
    assert "heartseed" in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("workers", [False, True])
def test_a_twin_a_link_failed_for_is_not_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: bool) -> None:
    # rendered in this process, or in render workers (which mark the twin broken with a file)
    monkeypatch.setattr(publish, "MIN_PARALLEL_PAGES", 1 if workers else 10**9)
    link = os.link
    tried: list[str] = []

    def failing(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
        if ".site.twin" in os.fspath(target):
            tried.append(os.fspath(target))
            if tried[-1].endswith("feed.xml"):
                raise OSError(errno.EMLINK, "too many links")
        link(source, target)

    monkeypatch.setattr(os, "link", failing)
    monkeypatch.chdir(tmp_path)
    shutil.copytree(SAMPLE_SEEDS, tmp_path / "seeds")
    assert run_build(tmp_path, "--quiet", "--jobs", "2") == 0
    assert (tmp_path / "site" / "feed.xml").is_file()
    if not workers:  # those this process made (a worker's links are its own)
        assert len(tried) > 1 and tried[-1].endswith("feed.xml")  # no link tried after the one that failed
    assert not (tmp_path / ".site.new").exists() and not (tmp_path / ".site.twin").exists()


def test_a_twin_a_killed_build_left_is_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(SAMPLE_SEEDS, tmp_path / "seeds")
    (tmp_path / ".site.twin" / "stories").mkdir(parents=True)
    (tmp_path / ".site.twin" / "stray.html").write_text("half a twin", encoding="utf-8")
    assert run_build(tmp_path, "--quiet") == 0
    assert not (tmp_path / ".site.twin").exists() and not (tmp_path / ".site.new" / "stray.html").exists()
    assert files(tmp_path / ".site.new") == files(tmp_path / "site")


def test_without_a_spare_folder_the_build_copies_the_site_by_links_beside_its_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = samples_built(tmp_path, monkeypatch)
    shutil.rmtree(tmp_path / ".site.new")  # as after a build whose old site was not worth keeping
    before = files(tmp_path / "site")
    (tmp_path / ".site.copying").mkdir()  # a copy a killed build left
    (tmp_path / ".site.copying" / "stray.html").write_text("half a copy", encoding="utf-8")
    (tmp_path / "seeds" / "zz-new.txt").write_text(NEW_SEED, encoding="utf-8")
    assert run_build(tmp_path, "--quiet") == 0
    assert started[-1] is not None and not (tmp_path / ".site.copying").exists()
    after = files(tmp_path / "site")
    untouched = [path for path in after if path in before and after[path][0] == before[path][0]]
    assert untouched and all(after[path][1:] == before[path][1:] for path in untouched)  # the very same files
    assert files(tmp_path / ".site.new") == before  # the old site, whole, is the spare now
    assert read_record(tmp_path / ".cache", tmp_path / ".site.new") is not None
    assert run_build(tmp_path, "--quiet") == 0
    assert started[-1] is None  # the spare is trusted: brought up to date, not copied again


_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=8), st.lists(st.text(max_size=3), max_size=3)
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(st.sampled_from(["a", "b", "c"]), _VALUES),
    st.dictionaries(st.sampled_from(["a", "b", "c"]), _VALUES),
)
def test_two_pages_share_a_fingerprint_only_when_their_values_are_the_same(
    first: dict[str, object], second: dict[str, object]
) -> None:
    from briefing.fingerprint import Fingerprints
    from briefing.site import Page

    stories = [Story(title="One", slug="one"), Story(title="Two", slug="two")]
    prints = Fingerprints("salt", stories, story_digests(stories), [])
    pages = [Page("x/", "x/index.html", "story.html", values) for values in (first, second)]
    same = list(first.items()) == list(second.items()) and all(type(first[k]) is type(second[k]) for k in first)
    assert (prints.of(pages[0]) == prints.of(pages[1])) == same
    # values whose text is alike are told apart by their kinds
    alike: list[object] = [None, "None", 1, "1", True, "True", "s1:1", ["1"], ("1",), "v1", "", []]
    assert len({prints.of(Page("x/", "x/index.html", "t.html", {"a": value})) for value in alike}) == len(alike)
    # lists of stories are told apart by their stories and their order
    listed = [Page("x/", "x/index.html", "t.html", {"s": value}) for value in (stories, stories[::-1], stories[:1])]
    assert len({prints.of(page) for page in listed}) == 3


def test_the_records_of_folders_gone_are_removed_and_the_sites_own_kept(project: Path) -> None:
    from briefing.publish import OTHER_RECORDS

    trees = project / ".cache" / "trees"
    for number in range(OTHER_RECORDS + 3):  # records of folders gone, oldest first
        gone = trees / f"{10**9 + number}.pickle"
        gone.write_bytes(b"a record")
        os.utime(gone, ns=(number * 10**9, number * 10**9))
    (project / "seeds" / "zz-new.txt").write_text(NEW_SEED, encoding="utf-8")
    assert run_build(project, "--quiet") == 0
    left = {path.name for path in trees.glob("*.pickle")}
    newest = {f"{10**9 + number}.pickle" for number in range(3, OTHER_RECORDS + 3)}
    assert left == newest | {f"{(project / name).stat().st_ino}.pickle" for name in ("site", ".site.new")}
    assert read_record(project / ".cache", project / "site") is not None
    assert read_record(project / ".cache", project / ".site.new") is not None


def test_a_record_is_trusted_for_its_own_folder_only_and_can_be_written_from_its_bytes(tmp_path: Path) -> None:
    cache, folder, other = tmp_path / ".cache", tmp_path / "site", tmp_path / "other"
    folder.mkdir()
    other.mkdir()
    manifest = {"index.html": ("key", "made"), "stories/a/index.html": ("k2", "m2")}
    write_record(cache, folder, manifest)
    assert has_record(cache, folder) and read_record(cache, folder) == manifest
    with (cache / "trees" / f"{folder.stat().st_ino}.pickle").open("rb") as handle:
        pickle.load(handle)  # the folder's identity
        data = handle.read()  # the manifest's bytes, as a build reads them
    write_record(cache, other, {}, data)
    assert read_record(cache, other) == manifest
    folder.rename(tmp_path / "moved")  # a rename changes the folder's change time: not the same folder
    (tmp_path / "moved").rename(folder)
    assert not has_record(cache, folder) and read_record(cache, folder) is None


_KNOWN = [Story(title="One", slug="one"), Story(title="Two", slug="two", date=datetime.date(2025, 1, 2))]
_TERM = Term(TAXONOMIES[0], "Heartseed", "heartseed", tuple(_KNOWN), None)
#: values a page may show: stories and a term the fingerprints know, others they do not (a
#: story like a known one but for one field, the term without its stories as later pages of
#: an entity show it, page URLs, links), strings with the characters tokens are made of
_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(alphabet=st.sampled_from("a1,:sktv\x1e"), max_size=6),
    st.dates(min_value=datetime.date(2024, 12, 30), max_value=datetime.date(2025, 1, 3)),
    st.sampled_from(
        [
            *_KNOWN,
            dataclasses.replace(_KNOWN[0], summary="Changed"),
            _TERM,
            dataclasses.replace(_TERM, stories=()),
            PageUrls(["a/"]),
            PageUrls(["a/", "a/page/2/"]),
            TermLinks(frozenset()),
            TermLinks(frozenset({("companies", "Heartseed"), ("countries", "Japan")})),
        ]
    ),
)
_NESTED = st.recursive(_LEAVES, lambda inner: st.lists(inner, max_size=3) | st.tuples(inner, inner), max_leaves=6)


def _same(first: object, second: object) -> bool:
    """The same values, of the same kinds, all the way down."""
    if type(first) is not type(second):
        return False
    if isinstance(first, (list, tuple)) and not isinstance(first, PageUrls):
        return len(first) == len(second) and all(map(_same, first, second))  # type: ignore[arg-type]
    return first == second


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(st.sampled_from(["a", "b", "c"]), _NESTED, max_size=3),
    st.dictionaries(st.sampled_from(["a", "b", "c"]), _NESTED, max_size=3),
)
def test_pages_share_a_fingerprint_only_when_their_values_are_the_same_all_the_way_down(
    first: dict[str, object], second: dict[str, object]
) -> None:
    from briefing.fingerprint import Fingerprints

    def prints() -> Fingerprints:
        return Fingerprints("salt", _KNOWN, story_digests(_KNOWN), [_TERM])

    pages = [Page("x/", "x/index.html", "t.html", values) for values in (first, second)]
    same = list(first) == list(second) and all(map(_same, first.values(), second.values()))
    shared = prints()
    assert (shared.of(pages[0]) == shared.of(pages[1])) == same
    # what one build's fingerprints remember of values seen on earlier pages changes nothing
    assert [shared.of(page) for page in pages] == [prints().of(page) for page in pages]


#: values that differ, each alone on a page, among them values whose tokens' text might run
#: together if a token did not say where it ends
_ALIKE: list[object] = [
    ["a,s:b", "c"],
    ["a", "b,s:c"],
    ["a,s1:b", "c"],
    ["a", "b,s1:c"],
    ["a", "b", "c"],
    ("a", "b", "c"),
    [["a"], "b"],
    [["a", "b"]],
    ["a\x1eb"],
    ["a", "b"],
    [1, 2],
    [12],
    [True],
    [1],
    [None],
    ["None"],
    datetime.date(2025, 1, 2),
    [datetime.date(2025, 1, 2)],
    datetime.date(2025, 1, 2).toordinal(),
    _KNOWN,
    _KNOWN[::-1],
    [_KNOWN[0]],
    [_KNOWN[0], "x"],
    [dataclasses.replace(_KNOWN[0], summary="Changed")],
    _TERM,
    dataclasses.replace(_TERM, stories=()),
    dataclasses.replace(_TERM, name="HeartSeed", stories=()),
    PageUrls(["a/"]),
    PageUrls(["b/"]),
    TermLinks(frozenset()),
    TermLinks(frozenset({("companies", "Heartseed")})),
    TermLinks(frozenset({("companies", "Heartseed"), ("countries", "Japan")})),
]


def test_values_alike_in_text_are_told_apart() -> None:
    from briefing.fingerprint import Fingerprints

    prints = Fingerprints("salt", _KNOWN, story_digests(_KNOWN), [_TERM])
    for values in ({"a": value} for value in _ALIKE), ({"a": value, "b": "x"} for value in _ALIKE):
        found = [prints.of(Page("x/", "x/index.html", "t.html", context)) for context in values]
        assert len(set(found)) == len(_ALIKE)
    # a set's names in any order: the same links
    names = [("companies", f"Company {n}") for n in range(50)]
    links = [TermLinks(frozenset(names)), TermLinks(frozenset(names[::-1]))]
    assert len({prints.of(Page("x/", "x/index.html", "t.html", {"a": value})) for value in links}) == 1


def test_an_entity_page_s_fingerprint_follows_its_stories_and_what_it_shows_of_the_entity() -> None:
    from briefing.fingerprint import Fingerprints
    from briefing.registry import Entry

    stories = [Story(title=f"Story {n}", slug=f"s{n}", companies=("Heartseed",)) for n in range(4)]
    edited = [*stories[:2], dataclasses.replace(stories[2], title="Edited"), stories[3]]

    def fingerprint(term: Term) -> str:
        listed = term.stories
        prints = Fingerprints("salt", listed, story_digests(listed), [term])
        return prints.of(Page("companies/heartseed/", "companies/heartseed/index.html", "term.html", {"term": term}))

    entry = Entry(kind="companies", name="Heartseed", description="Makes hearts")
    variants = [
        _TERM,
        Term(TAXONOMIES[0], "Heartseed", "heartseed", tuple(stories), None),
        Term(TAXONOMIES[0], "Heartseed", "heartseed", tuple(edited), None),  # one story edited
        Term(TAXONOMIES[0], "Heartseed", "heartseed", tuple(stories[::-1]), None),  # another order
        Term(TAXONOMIES[0], "Heartseed", "heartseed", tuple(stories[:3]), None),  # one story fewer
        Term(TAXONOMIES[0], "HeartSeed", "heartseed", tuple(stories), None),
        Term(TAXONOMIES[0], "Heartseed", "heartseed-2", tuple(stories), None),
        Term(TAXONOMIES[3], "Heartseed", "heartseed", tuple(stories), None),
        Term(TAXONOMIES[0], "Heartseed", "heartseed", tuple(stories), entry),
        Term(TAXONOMIES[0], "Heartseed", "heartseed", tuple(stories), dataclasses.replace(entry, parent="Hearts")),
    ]
    assert len({fingerprint(term) for term in variants}) == len(variants)
    # and the same entity with the same stories in another build: the same fingerprint
    again = Term(TAXONOMIES[0], "Heartseed", "heartseed", tuple(dataclasses.replace(s) for s in stories), None)
    assert fingerprint(again) == fingerprint(variants[1])


def test_a_page_of_an_entity_s_stories_is_fingerprinted_as_its_stories_are() -> None:
    from briefing.fingerprint import Fingerprints
    from briefing.site import term_chunks

    def known(stories: list[Story]) -> tuple[Fingerprints, list[Sequence[Story]]]:
        """Fingerprints that know an entity of these stories, and its pages' lists, as the site plan cuts them."""
        term = Term(TAXONOMIES[0], "Heartseed", "heartseed", tuple(stories), None)
        return Fingerprints("salt", stories, story_digests(stories), [term]), term_chunks(term.stories)

    def fingerprint(prints: Fingerprints, shown: object) -> str:
        return prints.of(Page("c/", "c/index.html", "term.html", {"shown": shown}))

    stories = [Story(title=f"Story {n}", slug=f"s{n:03d}", companies=("Heartseed",)) for n in range(130)]
    knowing, chunks = known(stories)
    assert [len(chunk) for chunk in chunks] == [80, 50]
    # the same stories in another build (other objects, the same values): the same fingerprints
    again, chunks_again = known([dataclasses.replace(story) for story in stories])
    assert [fingerprint(again, chunk) for chunk in chunks_again] == [fingerprint(knowing, chunk) for chunk in chunks]
    edited = (*chunks[1][:-1], dataclasses.replace(chunks[1][-1], title="Edited"))
    others = [edited, chunks[1][1:], (*chunks[1][1:], chunks[0][0]), tuple(chunks[1][::-1]), list(chunks[1])]
    assert len({fingerprint(knowing, shown) for shown in [chunks[1], *others]}) == len(others) + 1
    # a list no entity gives (worked out item by item) is told apart likewise
    unaware = Fingerprints("salt", stories, story_digests(stories), [])
    assert len({fingerprint(unaware, shown) for shown in [chunks[1], *others]}) == len(others) + 1
    edited_stories = [*stories[:-1], dataclasses.replace(stories[-1], title="Edited")]
    told, chunks_told = known(edited_stories)
    assert fingerprint(told, chunks_told[1]) != fingerprint(knowing, chunks[1])
    assert fingerprint(told, chunks_told[0]) == fingerprint(knowing, chunks[0])


def test_after_a_build_that_changed_most_files_the_next_copies_the_site_beside_its_work(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:

    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    base = templates / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("</body>", "<!-- a new look -->\n</body>"), "utf-8")
    assert run_build(project, "--quiet", "--templates", str(templates)) == 0  # every page rendered again
    assert read_record(project / ".cache", project / ".site.new") is None  # the old site: not worth bringing up to date
    started = spy_on_copies(monkeypatch)
    (project / "seeds" / "zz-new.txt").write_text(NEW_SEED, encoding="utf-8")
    assert run_build(project, "--quiet", "--templates", str(templates)) == 0
    copy = started[-1]
    assert copy is not None and copy.removing is not None  # copied afresh, the old spare removed beside the build
    assert copy.removing.returncode == 0  # and done with when the build ended
    assert not (project / ".site.stale").exists() and not (project / ".site.copying").exists()
    assert read_record(project / ".cache", project / ".site.new") is not None  # one new story: worth keeping
    assert "<!-- a new look -->" in (project / "site" / "index.html").read_text(encoding="utf-8")
    assert (project / "site" / "stories" / "heartseed-starts-a-trial-of-heart-cell-spheroids-in-osaka").is_dir()
