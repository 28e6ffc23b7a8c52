"""Fingerprints: the same whether terms carry their stories' digests or not, and new whenever a page's inputs change."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable
from pathlib import Path

import pytest

from briefing import kept, pipeline
from briefing.fingerprint import Fingerprints, story_digests
from briefing.model import Story
from briefing.registry import Registry
from briefing.site import SiteInfo, plan_site
from briefing.taxonomy import all_terms
from tests.conftest import run_build

MakeTree = Callable[[dict[str, str | bytes]], Path]
_DAY = datetime.date(2025, 1, 1)


def _stories(count: int) -> list[Story]:
    return [
        Story(
            title=f"Story {n}",
            slug=f"s{n:03d}",
            date=_DAY + datetime.timedelta(days=n),
            companies=("Acme", *(("Zeta Bio",) if n % 7 == 0 else ())),
            countries=("Japan",),
        )
        for n in range(count)
    ]


def _fingerprints(stories: list[Story], digests: list[str] | None = None) -> tuple[Fingerprints, list[str]]:
    """Fingerprints of a plan's pages, and the fingerprint of each page, by output path."""
    terms = all_terms(stories, Registry(())).terms
    pages = sorted(plan_site(stories, terms, SiteInfo("T", "D", "")), key=lambda page: page.output_path)
    prints = Fingerprints(
        "salt", stories, digests or story_digests(stories), [term for group in terms.values() for term in group]
    )
    return prints, [prints.of(page) for page in pages]


def test_terms_carrying_their_stories_digests_give_the_fingerprints_worked_out_from_the_stories() -> None:
    stories = _stories(130)  # Acme and Japan: a first page and a page of older stories each
    digests = story_digests(stories)
    plain = all_terms(stories, Registry(())).terms
    carrying = all_terms(stories, Registry(()), digests).terms
    assert carrying == plain and all(len(term.digests) == 16 * len(term.stories) for term in carrying["companies"])
    pages = sorted(plan_site(stories, plain, SiteInfo("T", "D", "")), key=lambda page: page.output_path)
    planned = sorted(plan_site(stories, carrying, SiteInfo("T", "D", "")), key=lambda page: page.output_path)
    here = Fingerprints("salt", stories, digests, [term for group in plain.values() for term in group])
    told = Fingerprints("salt", stories, digests, [term for group in carrying.values() for term in group])
    assert [told.of(page) for page in planned] == [here.of(page) for page in pages]
    assert set(told.lists) == {id(term.stories) for group in carrying.values() for term in group}
    assert not here.lists  # worked out from the stories, not given to the tallies
    # digests of other stories are other tokens: the older page of a story edited is new
    edited = [*stories[:3], dataclasses.replace(stories[3], title="Edited"), *stories[4:]]
    elsewhere = all_terms(stories, Registry(()), story_digests(edited)).terms
    wrong = Fingerprints("salt", stories, digests, [term for group in elsewhere.values() for term in group])
    shown = sorted(plan_site(stories, elsewhere, SiteInfo("T", "D", "")), key=lambda page: page.output_path)
    older = next(n for n, page in enumerate(pages) if page.output_path == "companies/acme/older/1/index.html")
    assert wrong.of(shown[older]) != here.of(pages[older])
    # a term whose digests are not one for each of its stories is known by its stories instead
    short = dataclasses.replace(carrying["companies"][0], digests=b"\0" * 16)
    assert Fingerprints("salt", stories, digests, [short]).lists == {}


def test_a_story_edited_on_an_older_page_of_an_entity_changes_that_page_s_fingerprint() -> None:
    stories = _stories(130)
    _, before = _fingerprints(stories)
    edited = [*stories[:3], dataclasses.replace(stories[3], summary="Edited"), *stories[4:]]
    _, after = _fingerprints(edited)
    terms = all_terms(stories, Registry(())).terms
    paths = sorted(page.output_path for page in plan_site(stories, terms, SiteInfo("T", "D", "")))
    changed = {path for path, old, new in zip(paths, before, after, strict=True) if old != new}
    assert "companies/acme/older/1/index.html" in changed and "countries/japan/older/1/index.html" in changed
    assert "stories/s003/index.html" in changed
    assert "companies/acme/index.html" in changed  # its first page counts over all its stories
    assert "stories/s100/index.html" not in changed


def test_an_entity_whose_list_grows_a_page_keeps_its_older_pages_as_they_were() -> None:
    def by_path(stories: list[Story]) -> dict[str, str]:
        terms = all_terms(stories, Registry(())).terms
        paths = sorted(page.output_path for page in plan_site(stories, terms, SiteInfo("T", "D", "")))
        return dict(zip(paths, _fingerprints(stories)[1], strict=True))

    before, after = by_path(_stories(199)), by_path(_stories(200))  # Acme's pages: 99, 50, 50; then four of 50
    assert "companies/acme/older/3/index.html" not in before and "companies/acme/older/3/index.html" in after
    assert before["companies/acme/older/1/index.html"] == after["companies/acme/older/1/index.html"]  # the oldest 50
    grown = {path for path in before if path.startswith("companies/acme/") and before[path] != after[path]}
    # the entity's page and feed, and the page that now has a newer page of older stories than it
    assert grown == {"companies/acme/index.html", "companies/acme/feed.xml", "companies/acme/older/2/index.html"}


def _story_file(n: int, *, title: str | None = None, companies: str = "Acme") -> str:
    date = _DAY + datetime.timedelta(days=n)
    return (
        f"---\ntitle: {title or f'Story {n}'}\nslug: s{n:03d}\ndate: {date.isoformat()}\n"
        f"companies: [{companies}]\ncountries: [Japan]\n---\nStory {n} about {companies}.\n"
    )


@pytest.fixture
def forked_and_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """The review worked out in a forked process however few the stories, story files settled at once."""
    monkeypatch.setattr(pipeline, "MIN_STORIES_REVIEWED_BESIDE", 0)
    monkeypatch.setattr(kept, "SETTLED_NS", -(10**12))


@pytest.mark.usefixtures("forked_and_kept")
def test_pages_whose_inputs_changed_are_rendered_again_with_the_review_worked_out_beside(
    make_tree: MakeTree, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_tree({"seeds/.keep": "", **{f"content/s{n:03d}.md": _story_file(n) for n in range(120)}})
    monkeypatch.chdir(project)

    def build() -> None:
        assert run_build(project, "--quiet", "--jobs", "2") == 0

    def shown(path: str) -> str:
        return (project / "site" / path / "index.html").read_text(encoding="utf-8")

    build()
    build()
    assert "Story 3<" in shown("companies/acme/older/1")
    (project / "content/s003.md").write_text(_story_file(3, title="Story three, edited"), "utf-8")
    build()
    assert "Story three, edited" in shown("companies/acme/older/1")
    assert "Story three, edited" in shown("countries/japan/older/1")
    assert "Story three, edited" in shown("stories/s003")
    # an entity's details from the site registry: its page shows them
    (project / "content/registry.yaml").write_text("companies:\n  Acme:\n    description: Makes things.\n", "utf-8")
    build()
    assert "Makes things." in shown("companies/acme")
    # two stories that come to share a rare entity: each is related to the other
    assert "stories/s050/" not in shown("stories/s010")
    for n in (10, 50):
        (project / f"content/s{n:03d}.md").write_text(_story_file(n, companies="Acme, Zeta Bio"), "utf-8")
    build()
    assert "stories/s050/" in shown("stories/s010")
    assert "stories/s010/" in shown("stories/s050")
