"""The whole pipeline through the CLI: contract keys, editors' edits, bad input, exit codes."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from briefing import pipeline
from briefing.cli import main
from briefing.frontmatter import KEY_ORDER, split_front_matter
from briefing.model import ENTITY_KEYS
from tests.conftest import ROOT, SAMPLE_SEEDS, run_build

ARTICLE = """
    Healios and a Kobe hospital start an iPSC trial

    Healios K.K. said on Monday it had begun a clinical trial of its iPSC-derived cell therapy with
    Kobe City Eye Hospital, the first in Japan for the condition.

    "This is a milestone for patients," said Hardy TS Kagimoto, chief executive of Healios.
    """
MakeTree = Callable[[dict[str, str | bytes]], Path]


def tree_hash(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def front_matter(path: Path) -> dict[str, object]:
    header, _ = split_front_matter(path.read_text(encoding="utf-8"), str(path))
    data = yaml.safe_load(header)
    assert isinstance(data, dict)
    return data


def test_samples_make_one_story_per_article_and_twelve_briefs(sample_build: Path) -> None:
    stories = [front_matter(p) for p in sorted((sample_build / "content").glob("*.md"))]
    assert len(stories) == 4 + 12
    for story in stories:
        assert list(story)[: len(KEY_ORDER)] == list(KEY_ORDER)
        for key in ENTITY_KEYS:
            assert isinstance(story[key], list)
    briefs = [s for s in stories if s["kind"] == "brief"]
    assert len(briefs) == 12 and {s["seed"] for s in briefs} == {"004_9dcebb8680a8a426.txt"}
    twins = [s for s in stories if str(s["seed"]).startswith(("000_", "001_"))]
    assert sum(s["duplicate_of"] is not None for s in twins) == 1
    marked = next(s for s in twins if s["duplicate_of"])
    assert marked["duplicate_of"] in {s["slug"] for s in twins if not s["duplicate_of"]}
    untitled = next(s for s in stories if str(s["seed"]).startswith("002_"))
    assert 0 < len(str(untitled["title"])) <= 120 and "AskBio" in str(untitled["title"])


def test_all_entity_lists_are_filled_on_the_samples(sample_build: Path) -> None:
    stories = [front_matter(p) for p in sorted((sample_build / "content").glob("*.md"))]
    for key in ENTITY_KEYS:
        assert any(story[key] for story in stories), f"no story lists any {key}"


def test_raw_seeds_are_never_modified(tmp_path: Path) -> None:
    shutil.copytree(SAMPLE_SEEDS, tmp_path / "seeds")
    before = tree_hash(tmp_path / "seeds")
    assert run_build(tmp_path, "--quiet") == 0
    assert run_build(tmp_path, "--quiet") == 0
    assert tree_hash(tmp_path / "seeds") == before


def test_an_editors_change_survives_every_rebuild(make_tree: MakeTree, capsys: pytest.CaptureFixture[str]) -> None:
    project = make_tree({"seeds/healios.txt": ARTICLE})
    assert run_build(project, "--quiet") == 0
    (story,) = (project / "content").glob("*.md")
    edited = story.read_text(encoding="utf-8").replace("Kobe City Eye Hospital", "Kobe City Eye Hospital (edited)")
    edited = edited.replace("companies:\n", "companies:\n- Editor Added Co\n")
    story.write_text(edited, encoding="utf-8")
    assert run_build(project, "--quiet") == 0
    assert story.read_text(encoding="utf-8") == edited
    page = (project / "site" / "stories" / story.stem / "index.html").read_text(encoding="utf-8")
    assert "(edited)" in page and "Editor Added Co" in page
    # the seed changes later: the edited story is still left alone, and the build says so
    (project / "seeds/healios.txt").write_text(ARTICLE + "\nA new paragraph.\n", encoding="utf-8")
    capsys.readouterr()
    assert run_build(project, "--quiet") == 0
    assert story.read_text(encoding="utf-8") == edited
    assert "changed since this story was edited" in capsys.readouterr().err


def test_an_untouched_story_follows_its_seed_and_keeps_its_slug(make_tree: MakeTree) -> None:
    project = make_tree({"seeds/healios.txt": ARTICLE})
    assert run_build(project, "--quiet") == 0
    (story,) = (project / "content").glob("*.md")
    (project / "seeds/healios.txt").write_text(
        ARTICLE.replace("Healios and a Kobe", "Healios and the Kobe"), encoding="utf-8"
    )
    assert run_build(project, "--quiet") == 0
    assert [p.name for p in (project / "content").glob("*.md")] == [story.name]
    assert "Healios and the Kobe" in story.read_text(encoding="utf-8")
    (project / "seeds/healios.txt").unlink()  # the seed goes: the story stays, and is still rendered
    assert run_build(project, "--quiet") == 0
    assert [p.name for p in (project / "content").glob("*.md")] == [story.name]
    assert (project / "site/stories" / story.stem / "index.html").exists()


def test_bad_seeds_give_one_line_each_and_the_rest_builds(
    make_tree: MakeTree, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_tree(
        {
            "seeds/good.txt": ARTICLE,
            "seeds/empty.txt": "",
            "seeds/image.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01" + bytes(range(256)),
            "seeds/legacy.txt": ARTICLE.replace("Healios", "Rohto").encode("cp1252") + "“quoted” — €5".encode("cp1252"),
        }
    )
    status = run_build(project)
    err = capsys.readouterr().err.splitlines()
    assert status == 1
    assert [line for line in err if "empty.txt" in line] == [
        f"{project}/seeds/empty.txt:1: error: file is empty: nothing to build a story from"
    ]
    assert len([line for line in err if "image.txt" in line]) == 1 and "binary file" in next(
        line for line in err if "image.txt" in line
    )
    assert len([line for line in err if "legacy.txt" in line]) == 1 and "warning: not UTF-8" in next(
        line for line in err if "legacy.txt" in line
    )
    assert all("Traceback" not in line for line in err)
    titles = sorted(front_matter(p)["title"] for p in (project / "content").glob("*.md"))
    assert titles == [
        "Healios and a Kobe hospital start an iPSC trial",
        "Rohto and a Kobe hospital start an iPSC trial",
    ]
    assert (project / "site" / "index.html").exists()


def test_strict_fails_on_warnings(make_tree: MakeTree) -> None:
    project = make_tree({"seeds/legacy.txt": ARTICLE.encode("cp1252") + "“quoted” — €5".encode("cp1252")})
    assert run_build(project, "--quiet") == 0
    assert run_build(project, "--quiet", "--strict") == 1


def test_check_reports_path_line_message_and_exit_status(
    make_tree: MakeTree, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_tree(
        {
            "content/good.md": "---\ntitle: Good\nslug: good\n---\nBody.\n",
            "content/bad-date.md": "---\ntitle: Bad\nslug: bad-date\ndate: 2025-02-30\n---\nBody.\n",
            "content/twin.md": "---\ntitle: Twin\nslug: good\n---\nBody.\n",
        }
    )
    status = main(["check", "--content", str(project / "content")])
    err = capsys.readouterr().err.splitlines()
    assert status == 1
    assert err == [
        f"{project}/content/bad-date.md:4: error: date: expected a date like 2025-07-17, got '2025-02-30'",
        f"{project}/content/twin.md:2: error: slug: 'good' is already the slug of {project}/content/good.md; "
        "give this story another slug",
    ]
    (project / "content/bad-date.md").unlink()
    (project / "content/twin.md").unlink()
    assert main(["check", "--content", str(project / "content")]) == 0


def test_a_hand_written_story_is_rendered(make_tree: MakeTree) -> None:
    project = make_tree(
        {
            "seeds/.keep": "",
            "content/mine.md": "---\ntitle: My own note\nslug: my-own-note\ncompanies: [Astellas]\n---\nWritten by hand.\n",
        }
    )
    assert run_build(project, "--quiet") == 0
    assert "Written by hand." in (project / "site/stories/my-own-note/index.html").read_text(encoding="utf-8")
    assert (project / "site/companies").is_dir()


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["build", "--jobs", "zero"])
    assert caught.value.code == 2
    with pytest.raises(SystemExit) as caught:
        main(["frobnicate"])
    assert caught.value.code == 2


def test_two_builds_are_byte_identical_and_parallel_matches_serial(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefing import content, publish

    # with two jobs, every stage that can work in other processes does, however little it has to do
    monkeypatch.setattr(publish, "MIN_PARALLEL_PAGES", 10)  # the pages rendered in two processes
    monkeypatch.setattr(content, "MIN_PARALLEL_FILES", 1)  # the story files written parsed in two
    monkeypatch.setattr(pipeline, "MIN_PARALLEL_PAIRS", 1)  # the copies' pairs compared in two
    monkeypatch.setattr(pipeline, "MIN_STORIES_REVIEWED_BESIDE", 0)  # the review worked out beside
    held: list[object] = []  # what build "b" is done with, handed over as to cli.run
    for name, jobs in (("a", "1"), ("b", "1"), ("c", "2")):
        shutil.copytree(SAMPLE_SEEDS, tmp_path / name / "seeds")
        monkeypatch.chdir(tmp_path / name)
        assert run_build(tmp_path / name, "--quiet", "--jobs", jobs, leftovers=held if name == "b" else None) == 0
    trees = [{k: v for k, v in tree_hash(tmp_path / name).items() if not k.startswith(".cache/")} for name in "abc"]
    assert trees[0] == trees[1] == trees[2]
    plans = [
        item for group in held if isinstance(group, tuple) for item in group if isinstance(item, pipeline.BuildPlan)
    ]
    assert len(plans) == 1 and len(plans[0].stories) == len(list((tmp_path / "b" / "content").glob("*.md")))
    review = (tmp_path / "c" / "site" / "review" / "index.html").read_text(encoding="utf-8")
    assert "is a copy of" in review  # the review's stories, sent back by their slugs, are shown


def test_jobs_default_to_the_usable_cores() -> None:
    from briefing.cli import make_parser
    from briefing.pipeline import default_jobs

    assert make_parser().parse_args(["build"]).jobs == default_jobs()
    assert default_jobs() == max(1, min(len(os.sched_getaffinity(0)), 8))


def test_build_from_the_repository_root_uses_its_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(SAMPLE_SEEDS, tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    assert main(["--quiet"]) == 0
    assert (tmp_path / "site/index.html").exists() and (tmp_path / "content").is_dir()
    assert ROOT.joinpath("templates/base.html").exists()


STORIES = {
    "Heartseed": "Heartseed said its heart muscle spheroids improved pumping in twelve patients in a Tokyo trial.",
    "Cuorips": "Cuorips filed for approval of sheets of heart cells grown from iPS cells, a first for Osaka.",
    "Healios": "Healios raised money from banks to build a plant for its eye disease treatment near Kobe.",
    "SanBio": "SanBio won a conditional nod for its brain injury product after a long review by regulators.",
}


def _article(number: int, company: str) -> str:
    return (
        f"{company} news item number {number} for the week\n\n"
        f"{STORIES[company]}\n\n"
        "Example Bio News is produced with support from the Helix Foundation.\n\n"
        f"Analysts covering {company} expect more news on this within weeks, they told reporters.\n"
    )


def test_a_line_recurring_across_a_sites_articles_is_removed(make_tree: MakeTree) -> None:
    project = make_tree(
        {
            f"seeds/examplebio/{n}.txt": _article(n, name)
            for n, name in enumerate(["Heartseed", "Cuorips", "Healios", "SanBio"], start=1)
        }
    )
    assert run_build(project, "--quiet") == 0
    bodies = [p.read_text(encoding="utf-8") for p in sorted((project / "content").glob("*.md"))]
    assert len(bodies) == 4
    for body in bodies:
        assert "Helix Foundation" not in body
        assert any(text in body for text in STORIES.values())


def test_a_quote_shared_by_syndicated_copies_is_kept(make_tree: MakeTree) -> None:
    copy = _article(1, "Heartseed").replace(
        "Example Bio News is produced with support from the Helix Foundation.",
        "“This is a big day,” said the chief executive.",
    )
    project = make_tree({f"seeds/examplebio/{n}.txt": copy for n in range(3)})
    assert run_build(project, "--quiet") == 0
    bodies = [p.read_text(encoding="utf-8") for p in sorted((project / "content").glob("*.md"))]
    assert all("This is a big day" in body for body in bodies)


def test_explain_lists_every_removed_line_with_its_rule(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "--seeds", str(SAMPLE_SEEDS), str(SAMPLE_SEEDS / "001_46d0c157f2cc74f6.txt")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{SAMPLE_SEEDS}/001_46d0c157f2cc74f6.txt: 5 removed, rule by rule:"
    assert f"{SAMPLE_SEEDS}/001_46d0c157f2cc74f6.txt:5: [promo] Schedule your 30 min Free 1stOncology Demo!" in out
    assert main(["explain", "--seeds", str(SAMPLE_SEEDS), "missing.txt"]) == 1


def test_one_name_per_discovered_entity_across_stories(make_tree: MakeTree) -> None:
    project = make_tree(
        {
            "seeds/a.txt": "Cell research institute opens in Sendai\n\nThe Northern Institute for Cell Research "
            "(NICR) opened a lab in Sendai on Monday, with funding from Zentrix Biologics Co., Ltd.\n",
            "seeds/b.txt": "Sendai lab signs first partners\n\nThe Northern Institute for Cell Research said on "
            "Friday that Zentrix and two universities had signed up to use its new laboratory.\n",
        }
    )
    assert run_build(project, "--quiet") == 0
    stories = {str(front_matter(p)["seed"]): front_matter(p) for p in (project / "content").glob("*.md")}
    assert stories["a.txt"]["organizations"] == stories["b.txt"]["organizations"] == ["NICR"]
    assert stories["a.txt"]["companies"] == ["Zentrix Biologics"]
    assert (project / "site/organizations/nicr/index.html").read_text(encoding="utf-8").count("stories/") >= 2


def test_check_review_lists_discovered_entities_with_file_line_and_sentence(
    make_tree: MakeTree, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_tree(
        {
            "content/deal.md": "---\ntitle: Deal news\nslug: deal-news\ncompanies: [Zentrix Biologics]\n---\n\n"
            "First paragraph about nothing in particular.\n\n"
            "Zentrix Biologics Co., Ltd. signed a deal with Astellas Pharma. It was big.\n",
            "content/registry.yaml": "companies:\n  Quillon Bio:\n    not_entity: true\n",
        }
    )
    assert main(["check", "--review", "--quiet", "--content", str(project / "content")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f'{project}/content/deal.md:9: review: companies "Zentrix Biologics" (legal-form) in: '
        "Zentrix Biologics Co., Ltd. signed a deal with Astellas Pharma."
    ]


def test_the_site_registry_renames_merges_describes_and_excludes(make_tree: MakeTree) -> None:
    project = make_tree(
        {
            "seeds/.keep": "",
            "content/a.md": "---\ntitle: A\nslug: a\ncompanies: [Acme Bio, Daily Planet]\n---\nA.\n",
            "content/b.md": "---\ntitle: B\nslug: b\ncompanies: [Acme]\n---\nB.\n",
            "content/registry.yaml": "companies:\n  Acme Cells:\n    aliases: [Acme]\n"
            "    description: A maker of test cells.\n    parent: Acme Holdings\n"
            "  Acme Bio:\n    merge_into: Acme Cells\n  Daily Planet:\n    not_entity: true\n",
        }
    )
    assert run_build(project, "--quiet") == 0
    companies = sorted(p.name for p in (project / "site/companies").iterdir() if p.is_dir())
    assert companies == ["acme-cells"]
    page = (project / "site/companies/acme-cells/index.html").read_text(encoding="utf-8")
    assert "A maker of test cells." in page and "Acme Holdings" in page
    assert "stories/a/" in page and "stories/b/" in page


def test_the_entity_index_is_kept_and_made_again_when_the_site_registry_changes(
    make_tree: MakeTree, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_tree({"seeds/.keep": "", "content/b.md": "---\ntitle: B\nslug: b\ncompanies: [Acme]\n---\nB.\n"})
    monkeypatch.chdir(project)  # .cache/ goes here
    made: list[object] = []
    load_index = pipeline.load_index
    monkeypatch.setattr(pipeline, "load_index", lambda registry: made.append(registry) or load_index(registry))
    assert run_build(project, "--quiet") == 0
    assert run_build(project, "--quiet") == 0
    assert made == [None]  # made once, then read back
    assert (project / "site/companies/acme/index.html").is_file()
    (project / "content/registry.yaml").write_text("companies:\n  Acme Cells:\n    aliases: [Acme]\n", "utf-8")
    assert run_build(project, "--quiet") == 0
    assert len(made) == 2 and made[1] is not None  # the site registry changed: made again, with it
    assert (project / "site/companies/acme-cells/index.html").is_file()
    assert len(list((project / ".cache/index").iterdir())) == 1  # the index of the old registry is gone


def test_a_broken_site_registry_is_reported_with_its_line(
    make_tree: MakeTree, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_tree({"content/registry.yaml": "companies:\n  Acme:\n    alias: [A]\n"})
    assert main(["check", "--content", str(project / "content")]) == 1
    assert capsys.readouterr().err.startswith(f"{project}/content/registry.yaml:2: error: 'Acme': unknown key 'alias'")


def test_unchanged_seeds_come_from_the_cache_and_changed_ones_do_not(
    make_tree: MakeTree, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_tree({"seeds/healios.txt": ARTICLE, "seeds/other.txt": ARTICLE.replace("Healios", "Rohto")})
    monkeypatch.chdir(project)  # the cache lives in ./.cache
    assert run_build(project, "--quiet") == 0
    assert any((project / ".cache").rglob("*.pickle"))
    calls = project / "composed.log"  # a file: a build composes many seeds in forked processes

    def counting(article: object, *args: object) -> object:
        with calls.open("a", encoding="utf-8") as log:
            log.write(f"{getattr(article, 'path', '')}\n")
        return compose(article, *args)  # type: ignore[arg-type]

    from briefing import pipeline
    from briefing.compose import compose

    monkeypatch.setattr(pipeline, "compose", counting)
    for jobs, seed in (("1", "Santen"), ("2", "Kyowa")):
        assert run_build(project, "--quiet", "--jobs", jobs) == 0
        assert not calls.exists()
        (project / "seeds/other.txt").write_text(ARTICLE.replace("Healios", seed), encoding="utf-8")
        assert run_build(project, "--quiet", "--jobs", jobs) == 0
        assert calls.read_text(encoding="utf-8") == "other.txt\n"
        calls.unlink()


def test_a_rebuild_finds_unchanged_seeds_drafts_on_the_shelf_and_asks_the_store_for_the_others(
    make_tree: MakeTree, monkeypatch: pytest.MonkeyPatch
) -> None:
    from briefing.cache import Store

    project = make_tree({"seeds/healios.txt": ARTICLE, "seeds/other.txt": ARTICLE.replace("Healios", "Rohto")})
    monkeypatch.chdir(project)
    asked: list[str] = []
    get_many = Store.get_many

    def logged(self: Store, keys: list[str]) -> dict[str, object]:
        if self.path.parent.name == "compose":
            asked.extend(key.split("\0")[0] for key in keys if not key.endswith("\0texts"))
        return get_many(self, keys)

    monkeypatch.setattr(Store, "get_many", logged)
    assert run_build(project, "--quiet") == 0
    assert sorted(asked) == ["healios.txt", "other.txt"]  # nothing shelved yet
    asked.clear()
    site = {path: path.read_bytes() for path in (project / "site").rglob("*") if path.is_file()}
    assert run_build(project, "--quiet") == 0
    assert asked == []  # both on the shelf, as composed by the first build
    changed = {path for path in (project / "site").rglob("*") if path.is_file() and path.read_bytes() != site[path]}
    assert changed == {project / "site/review/index.html"}  # "no story changed", where it said "first build"
    (project / "seeds/other.txt").write_text(ARTICLE.replace("Healios", "Santen"), encoding="utf-8")
    assert run_build(project, "--quiet", "--jobs", "2") == 0
    assert asked == ["other.txt"]  # its new bytes: not on the shelf, nor in the store
    asked.clear()
    assert run_build(project, "--quiet") == 0
    assert asked == []
    assert any("Santen" in path.read_text(encoding="utf-8") for path in (project / "site/stories").rglob("*.html"))


def test_the_shelf_holds_what_the_compose_cache_holds_for_each_seed(tmp_path: Path) -> None:
    from briefing.cache import KeptEntries, Store, shelf_path

    project = tmp_path / "project"
    shutil.copytree(SAMPLE_SEEDS, project / "seeds")
    with contextlib.chdir(project):
        assert run_build(project, "--quiet", "--jobs", "2") == 0
    (store_file,) = (project / ".cache/compose").glob("*.sqlite")
    store = Store(store_file)
    shelved = KeptEntries[object](shelf_path(store)).entries
    rows = store.get_many(sorted(shelved))
    assert len(shelved) == len(list((project / "seeds").iterdir())) > 1
    assert rows == shelved


def test_a_shelf_that_cannot_be_read_is_an_empty_one(make_tree: MakeTree, monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_tree({"seeds/healios.txt": ARTICLE})
    monkeypatch.chdir(project)
    assert run_build(project, "--quiet") == 0
    (story,) = (project / "content").glob("*.md")
    before = story.read_text(encoding="utf-8")
    story.unlink()
    (shelf,) = (project / ".cache/compose").glob("*.shelf")
    shelf.write_bytes(b"not a pickle")
    assert run_build(project, "--quiet") == 0
    assert story.read_text(encoding="utf-8") == before
    assert shelf.read_bytes() != b"not a pickle"  # written whole again, from the store's rows


def test_a_seed_whose_cached_drafts_cannot_be_read_is_composed_again(
    make_tree: MakeTree, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    project = make_tree({"seeds/healios.txt": ARTICLE, "seeds/other.txt": ARTICLE.replace("Healios", "Rohto")})
    monkeypatch.chdir(project)
    assert run_build(project, "--quiet") == 0
    story = next(path for path in (project / "content").glob("*.md") if "Rohto" in path.read_text(encoding="utf-8"))
    before = story.read_text(encoding="utf-8")
    story.unlink()  # so that the build makes it again, from the seed's drafts
    (store,) = (project / ".cache" / "compose").glob("*.sqlite")
    store.with_suffix(".shelf").unlink()  # what the build read is no longer beside the store: it asks it
    with contextlib.closing(sqlite3.connect(store)) as db, db:
        changed = db.execute("UPDATE entries SET value = ? WHERE key LIKE 'other.txt%'", (b"not a pickle",)).rowcount
    assert changed == 2  # its light drafts and their texts
    assert run_build(project, "--quiet") == 0
    assert story.read_text(encoding="utf-8") == before


def test_the_review_page_says_what_changed_since_the_previous_build(make_tree: MakeTree) -> None:
    project = make_tree({"seeds/healios.txt": ARTICLE})
    assert run_build(project, "--quiet") == 0
    review = project / "site/review/index.html"
    assert "first build" in review.read_text(encoding="utf-8")
    assert run_build(project, "--quiet") == 0
    assert "No story changed." in review.read_text(encoding="utf-8")
    (story,) = (project / "content").glob("*.md")
    story.write_text(story.read_text(encoding="utf-8").replace("milestone", "turning point"), encoding="utf-8")
    assert run_build(project, "--quiet") == 0
    assert f'Changed: <a href="../stories/{story.stem}/">' in review.read_text(encoding="utf-8")


def test_a_hidden_story_stays_in_content_but_leaves_the_site(make_tree: MakeTree) -> None:
    project = make_tree({"seeds/healios.txt": ARTICLE})
    assert run_build(project, "--quiet") == 0
    (story,) = (project / "content").glob("*.md")
    story.write_text(story.read_text(encoding="utf-8").replace("hidden: false", "hidden: true"), encoding="utf-8")
    assert run_build(project, "--quiet") == 0
    assert story.exists() and "hidden: true" in story.read_text(encoding="utf-8")
    assert not (project / "site/stories" / story.stem).exists()
    assert story.stem not in (project / "site/index.html").read_text(encoding="utf-8")
    assert not (project / "site/companies/healios").exists()


def test_a_library_complaint_is_not_printed_as_if_it_were_a_finding(make_tree: MakeTree) -> None:
    # plain text saved under an .html name: the HTML parser complains, naming no file
    project = make_tree({"seeds/heartseed.html": "\n\n".join(STORIES.values())})
    result = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "build", "--templates", str(ROOT / "templates"), "--jobs", "1"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert all(line.startswith(("built:", "seeds/")) for line in lines), lines


def test_copies_found_in_a_forked_process_are_those_found_in_this_one(tmp_path: Path) -> None:
    from briefing.cache import read_kept
    from briefing.config import Config
    from briefing.dedupe import Verdicts
    from briefing.entities import load_index
    from briefing.ingest import discover_named

    seeds = tmp_path / "seeds"
    shutil.copytree(SAMPLE_SEEDS, seeds)
    first = sorted(path for path in seeds.iterdir() if path.suffix == ".txt")[0]
    shutil.copy(first, seeds / f"zz-syndicated{first.suffix}")  # the same story under another name: a copy
    config = Config(seeds=seeds, content=tmp_path / "content", cache=tmp_path / ".cache")
    report = pipeline.Report()
    drafts, _ = pipeline.compose_all(config, discover_named(seeds), pipeline.load_rules(), load_index(), report)
    here = Verdicts({})
    expected = pipeline.copies_of(drafts, here)
    for jobs in (1, 2):  # found here, and in a forked process
        kept = tmp_path / f"verdicts-{jobs}.pickle"
        with pipeline.copies_beside(drafts, Verdicts({}), kept, jobs=jobs) as found:
            assert found() == expected and expected  # the copy is found
        assert read_kept(kept) == here.used and here.used  # and the verdicts used are kept
    # verdicts kept from an earlier build, "not a copy" all: one pair not among them, one kept
    # pair no longer used
    missing = next(iter(here.used))
    known = {pair: False for pair in here.used if pair != missing} | {b"gone" * 8: True}
    here = Verdicts(dict(known))
    assert pipeline.copies_of(drafts, here) != expected and missing in here.used  # the kept verdicts count
    for jobs in (1, 2):
        kept = tmp_path / f"known-{jobs}.pickle"
        with pipeline.copies_beside(drafts, Verdicts(dict(known)), kept, jobs=jobs) as found:
            assert found() != expected
        assert read_kept(kept) == here.used and b"gone" * 8 not in here.used
    # verdicts used as kept are not written again
    unchanged = tmp_path / "unchanged.pickle"
    with pipeline.copies_beside(drafts, Verdicts(dict(here.used)), unchanged, jobs=2) as found:
        found()
    assert not unchanged.exists()


def test_pairs_compared_in_processes_get_the_verdicts_compared_here_give(monkeypatch: pytest.MonkeyPatch) -> None:
    from briefing.dedupe import compared, fingerprint

    words = [f"word{n}" for n in range(400)]
    texts = [" ".join(words[start : start + 120]) for start in range(0, 280, 20)]  # neighbours overlap
    prints = [fingerprint(text) for text in texts]
    pairs = [(a, b) for a in range(len(prints)) for b in range(a + 1, len(prints))]
    pairs = pairs[:-1]  # an odd number: the processes' runs differ in length
    monkeypatch.setattr(pipeline, "MIN_PARALLEL_PAIRS", 1)
    here = compared(prints, pairs)
    assert pipeline._compared(prints, pairs, jobs=2) == here
    assert any(here) and not all(here)


def test_drafts_read_back_light_are_given_out_whole(make_tree: MakeTree, monkeypatch: pytest.MonkeyPatch) -> None:
    """A rebuild reads drafts back from the compose cache without their stories' text: the stories
    ingest gives out are whole all the same, their text taken from the story files that hold it,
    else from the cache, else (the cache lacks it) from the seed composed again."""
    import dataclasses
    import sqlite3

    from briefing.compose import compose
    from briefing.config import Config
    from briefing.entities import load_index

    project = make_tree({"seeds/healios.txt": ARTICLE, "seeds/other.txt": ARTICLE.replace("Healios", "Rohto")})
    monkeypatch.chdir(project)  # the cache lives in ./.cache
    assert run_build(project, "--quiet") == 0
    config, index = Config(jobs=1), load_index()
    fresh = [
        d.story for d in pipeline.ingest(dataclasses.replace(config, cache=Path("other")), pipeline.Report(), index)[0]
    ]
    story = next(path for path in (project / "content").glob("*.md") if "Healios" in path.read_text(encoding="utf-8"))
    story.write_text(story.read_text(encoding="utf-8").replace("milestone", "turning point"), encoding="utf-8")
    asked: list[str | None] = []
    composed: list[str] = []
    texts = pipeline._texts

    def asking(*args: object) -> object:
        asked.extend(draft.story.seed for draft in args[-1])  # type: ignore[attr-defined]
        return texts(*args)  # type: ignore[arg-type]

    def composing(article: object, *args: object) -> object:
        composed.append(getattr(article, "path", ""))
        return compose(article, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "_texts", asking)
    monkeypatch.setattr(pipeline, "compose", composing)
    drafts, _ = pipeline.ingest(config, pipeline.Report(), index)
    assert [d.story for d in drafts] == fresh and all(not d.light for d in drafts)
    assert asked == ["healios.txt"] and composed == []  # the edited story's file lacks the seed's text
    (database,) = (project / ".cache" / "compose").glob("*.sqlite")
    with contextlib.closing(sqlite3.connect(database)) as connection:
        keys = [key for (key,) in connection.execute("SELECT key FROM entries") if key.endswith("\0texts")]
        assert keys  # (a key holds NULs, which SQLite's LIKE stops at)
        connection.executemany("DELETE FROM entries WHERE key = ?", [(key,) for key in keys])
        connection.commit()
    drafts, _ = pipeline.ingest(config, pipeline.Report(), index)
    assert [d.story for d in drafts] == fresh and composed == ["healios.txt"]


def test_a_registry_saved_while_a_build_runs_is_read_once_and_the_next_build_uses_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project, fresh = tmp_path / "project", tmp_path / "fresh"
    shutil.copytree(SAMPLE_SEEDS, project / "seeds")
    monkeypatch.chdir(project)
    registry = project / "content" / "registry.yaml"
    saved = "companies:\n  Alvotech:\n    not_entity: true\n"
    kept_digests = pipeline.kept_digests

    def saving(cache: Path) -> object:  # after the build read the registry, before it composes the seeds
        registry.parent.mkdir(exist_ok=True)
        registry.write_text(saved, encoding="utf-8")
        return kept_digests(cache)

    monkeypatch.setattr(pipeline, "kept_digests", saving)
    assert run_build(project, "--quiet") == 0
    story = next(path for path in (project / "content").glob("*.md") if "Alvotech" in path.read_text("utf-8"))
    assert "- Alvotech" in story.read_text(encoding="utf-8")  # made with the registry as it was read
    monkeypatch.setattr(pipeline, "kept_digests", kept_digests)
    assert run_build(project, "--quiet") == 0  # with the registry as saved
    shutil.copytree(SAMPLE_SEEDS, fresh / "seeds")
    (fresh / "content").mkdir()
    (fresh / "content" / "registry.yaml").write_text(saved, encoding="utf-8")
    monkeypatch.chdir(fresh)
    assert run_build(fresh, "--quiet") == 0
    assert "- Alvotech" not in (fresh / "content" / story.name).read_text(encoding="utf-8")
    assert (project / "content" / story.name).read_text("utf-8") == (fresh / "content" / story.name).read_text("utf-8")


def test_a_registry_that_cannot_be_read_is_one_error_and_the_build_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(SAMPLE_SEEDS, tmp_path / "seeds")
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "registry.yaml").write_bytes(b"companies:\n  Caf\xe9 Bio: {}\n")  # Latin-1, not UTF-8
    monkeypatch.chdir(tmp_path)
    assert run_build(tmp_path, "--quiet") == 1
    (message,) = [line for line in capsys.readouterr().err.splitlines() if "registry.yaml" in line]
    assert message.startswith(f"{tmp_path / 'content' / 'registry.yaml'}:1: error: cannot read: ")
    assert (tmp_path / "site" / "index.html").is_file() and len(list((tmp_path / "content").glob("*.md"))) == 16
