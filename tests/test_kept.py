"""Story digests kept between builds: a story whose file or name changed is always digested again."""

from __future__ import annotations

import os
import pickle
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from briefing import cache, kept, pipeline
from briefing.kept import kept_digests
from tests.conftest import run_build

MakeTree = Callable[[dict[str, str | bytes]], Path]


@pytest.fixture
def settled_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files count as settled as soon as they are written (a test cannot wait two seconds)."""
    monkeypatch.setattr(kept, "SETTLED_NS", -(10**12))


def _story(title: str, companies: str = "Acme") -> str:
    return f"---\ntitle: {title}\nslug: a\ncompanies: [{companies}]\n---\nA story about {companies}.\n"


def _built_twice(make_tree: MakeTree, monkeypatch: pytest.MonkeyPatch, story: str) -> Path:
    """A project of one story file, built twice (the second build reads its kept digest back)."""
    project = make_tree({"seeds/.keep": "", "content/a.md": story})
    monkeypatch.chdir(project)
    assert run_build(project, "--quiet") == 0
    assert run_build(project, "--quiet") == 0
    return project


def _statuses(content: Path) -> dict[str, cache.Status]:
    """The story files' status, as the content memory takes it before reading each."""
    return {str(path): cache.status_of(str(path)) for path in sorted(content.glob("*.md"))}


def _page(project: Path) -> str:
    return (project / "site/stories/a/index.html").read_text(encoding="utf-8")


@pytest.mark.usefixtures("settled_at_once")
def test_a_story_file_edited_in_place_with_its_size_and_mtime_kept_is_shown_as_edited(
    make_tree: MakeTree, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _built_twice(make_tree, monkeypatch, _story("Alpha one"))  # its digest read back
    assert "Alpha one" in _page(project)
    story = project / "content/a.md"
    before = story.stat()
    with story.open("r+", encoding="utf-8") as handle:  # the same file, the same size
        handle.write(_story("Alpha two"))
    os.utime(story, ns=(before.st_atime_ns, before.st_mtime_ns))  # only its change time tells
    assert run_build(project, "--quiet") == 0
    assert "Alpha two" in _page(project)


@pytest.mark.usefixtures("settled_at_once")
def test_a_story_renamed_by_the_site_registry_is_shown_with_its_new_name(
    make_tree: MakeTree, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _built_twice(make_tree, monkeypatch, _story("Alpha"))
    assert "Acme Cells" not in _page(project)
    (project / "content/registry.yaml").write_text("companies:\n  Acme Cells:\n    aliases: [Acme]\n", "utf-8")
    assert run_build(project, "--quiet") == 0
    assert "Acme Cells" in _page(project)
    (project / "content/registry.yaml").unlink()
    assert run_build(project, "--quiet") == 0
    assert "Acme Cells" not in _page(project)


def test_a_kept_digest_is_used_only_for_a_file_unchanged_since_before_the_build_began(
    make_tree: MakeTree, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(kept, "SETTLED_NS", 0)  # settled: changed before the build began
    project = make_tree({"content/a.md": _story("Alpha"), "content/b.md": _story("Beta")})
    content, cache = project / "content", project / ".cache"
    time.sleep(0.05)  # past the tick of the file system's clock the files were written in
    first = kept_digests(cache)
    first.confirm(_statuses(content))
    names = sorted(first.status)
    assert names == [str(content / "a.md"), str(content / "b.md")]
    for name in names:
        first.remember(name, f"digest of {name}")
    first.save()
    second = kept_digests(cache)  # the next build begins
    time.sleep(0.05)
    (content / "b.md").write_text(_story("Beta, rewritten by ingest"), encoding="utf-8")
    second.confirm(_statuses(content))
    assert second.digest(names[0]) == f"digest of {names[0]}"  # unchanged since: trusted
    assert second.digest(names[1]) is None  # written after its status was first taken: digested again
    second.remember(names[1], "digest of the story as rewritten")
    assert names[1] not in second.kept  # nor kept: its status before is not the story's
    (content / "a.md").write_text(_story("Alpha, edited after the build"), encoding="utf-8")
    time.sleep(0.05)
    third = kept_digests(cache)
    third.confirm(_statuses(content))
    assert third.digest(names[0]) is None


def test_a_file_that_has_not_settled_is_not_kept(make_tree: MakeTree) -> None:
    project = make_tree({"content/a.md": _story("Alpha")})
    found = kept_digests(project / ".cache")
    found.confirm(_statuses(project / "content"))
    found.remember(str(project / "content/a.md"), "a digest")
    assert found.kept == {}  # written just now: it could change again unseen within its clock's tick


@pytest.mark.usefixtures("settled_at_once")
def test_a_story_ingest_writes_again_under_a_new_name_is_shown_with_it(
    make_tree: MakeTree, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_tree(
        {
            "seeds/a.txt": "Cell research institute opens in Sendai\n\nThe Northern Institute for Cell Research "
            "opened a lab in Sendai on Monday, with funding from Zentrix Biologics Co., Ltd.\n",
        }
    )
    monkeypatch.chdir(project)
    assert run_build(project, "--quiet") == 0
    assert run_build(project, "--quiet") == 0  # its digest read back
    (story,) = (project / "content").glob("*.md")
    page = project / "site/stories" / story.stem / "index.html"
    assert "Zentrix Biologics" in page.read_text(encoding="utf-8")
    registry = "companies:\n  Zentrix Renamed:\n    aliases: [Zentrix Biologics]\n"
    (project / "content/registry.yaml").write_text(registry, "utf-8")
    assert run_build(project, "--quiet") == 0
    assert "Zentrix Renamed" in story.read_text(encoding="utf-8")  # ingest wrote the story again
    assert "Zentrix Renamed" in page.read_text(encoding="utf-8")


@pytest.mark.usefixtures("settled_at_once")
def test_unreadable_kept_digests_are_a_miss(make_tree: MakeTree, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_tree({"seeds/.keep": "", "content/a.md": _story("Alpha")})
    monkeypatch.chdir(project)
    assert run_build(project, "--quiet") == 0
    (kept_file,) = (project / ".cache/digests").iterdir()
    entries = pickle.loads(kept_file.read_bytes())
    kept_file.write_bytes(pickle.dumps({name: (status, 12345) for name, (status, _) in entries.items()}))
    wrong = kept_digests(project / ".cache")
    wrong.confirm(_statuses(project / "content"))
    assert wrong.found == {} and wrong.status  # a kept value that is no digest: a miss
    kept_file.write_bytes(b"not a pickle")
    unreadable = kept_digests(project / ".cache")
    unreadable.confirm(_statuses(project / "content"))
    assert unreadable.found == {} and unreadable.status
    assert run_build(project, "--quiet") == 0
    assert "Alpha" in _page(project)


@pytest.mark.parametrize("trusted", [True, False], ids=["memory-trusts-them", "memory-does-not"])
def test_a_build_from_nothing_keeps_the_digests_of_the_story_files_it_wrote_once_the_memory_trusts_them(
    make_tree: MakeTree, monkeypatch: pytest.MonkeyPatch, trusted: bool
) -> None:
    if trusted:  # the content memory finds them settled by the end of the build, and their bytes unchanged
        memo = cache.content_memo
        monkeypatch.setattr(pipeline, "content_memo", lambda folder: cache.StatusMemo(memo(folder).path, settle_ns=0))
    project = make_tree({"seeds/a.txt": "Acme opens a lab\n\nAcme Cells opened a lab in Osaka on Monday.\n"})
    monkeypatch.chdir(project)
    assert run_build(project, "--quiet") == 0  # ingest wrote the story file: changed as the build ran
    (story,) = (project / "content").glob("*.md")
    monkeypatch.setattr(kept, "SETTLED_NS", -(10**12))  # the next build begins well after
    following = kept_digests(project / ".cache")
    following.confirm(_statuses(project / "content"))
    assert (following.digest(str(story)) is not None) is trusted  # kept, so not digested again
    with story.open("a", encoding="utf-8") as handle:
        handle.write("An editor's line.\n")
    edited = kept_digests(project / ".cache")
    edited.confirm(_statuses(project / "content"))
    assert edited.digest(str(story)) is None
