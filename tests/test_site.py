"""The built site: every internal link resolves, every story is on its entities' pages."""

from __future__ import annotations

import csv
import datetime
import json
import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.frontmatter import split_front_matter
from briefing.model import ENTITY_KEYS, TAXONOMIES, Story
from briefing.registry import Registry
from briefing.slugs import slug_or_fallback
from briefing.taxonomy import build_terms


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def resolve(site: Path, page: Path, href: str) -> Path | None:
    """The file an internal link points at, or None for an external or in-page link."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith("#") or not parts.path:
        return None
    current = page.parent.relative_to(site).as_posix()
    target = posixpath.normpath(posixpath.join(current, unquote(parts.path)))
    path = site / target
    return path / "index.html" if href.split("#", maxsplit=1)[0].endswith("/") or path.is_dir() else path


def test_every_internal_link_and_asset_resolves(sample_build: Path) -> None:
    site = sample_build / "site"
    broken = []
    checked = 0
    for page in pages(site):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for tag, attribute in (("a", "href"), ("link", "href"), ("script", "src"), ("img", "src")):
            for element in soup.find_all(tag):
                value = element.get(attribute)
                if not isinstance(value, str):
                    continue
                assert not value.startswith(("http://", "https://", "//")) or tag == "a", f"{page}: {value}"
                target = resolve(site, page, value)
                if target is None:
                    continue
                checked += 1
                if not target.is_file():
                    broken.append(f"{page.relative_to(site)} -> {value}")
                assert not target.resolve().relative_to(site.resolve()).as_posix().startswith("..")
    assert checked > 500
    assert broken == []


def test_contract_layout(sample_build: Path) -> None:
    site = sample_build / "site"
    for name in ("index.html", "feed.xml", "sitemap.xml", "404.html", "assets/style.css"):
        assert (site / name).is_file(), name
    for taxonomy in TAXONOMIES:
        assert (site / taxonomy.plural / "index.html").is_file()


def test_each_story_is_on_the_page_of_each_of_its_entities(sample_build: Path) -> None:
    site = sample_build / "site"
    checked = 0
    for path in sorted((sample_build / "content").glob("*.md")):
        header, _ = split_front_matter(path.read_text(encoding="utf-8"), path.name)
        story = yaml.safe_load(header)
        assert (site / "stories" / story["slug"] / "index.html").is_file()
        if story["duplicate_of"]:
            original = (site / "stories" / story["duplicate_of"] / "index.html").read_text(encoding="utf-8")
            assert f"stories/{story['slug']}/" in original  # listed as "also reported by"
            continue
        for taxonomy in TAXONOMIES:
            for name in story[taxonomy.plural]:
                term_page = site / taxonomy.plural / slug_or_fallback(name, prefix=taxonomy.singular) / "index.html"
                html = term_page.read_text(encoding="utf-8")
                assert f"stories/{story['slug']}/" in html, f"{story['slug']} missing on {term_page}"
                checked += 1
    assert checked > 100


def test_story_page_shows_headline_date_source_entities_and_body(sample_build: Path) -> None:
    site = sample_build / "site"
    page = next(p for p in (site / "stories").glob("taiwans-bpipo*/index.html"))
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    assert soup.h1 is not None and soup.h1.get_text().startswith("Taiwan’s BPIPO and DCB")
    assert soup.find("time", attrs={"datetime": "2025-04-21"}) is not None
    assert "GeneOnline" in soup.get_text()
    headings = [h.get_text() for h in soup.select(".body h2")]
    assert "Hitting the Ground Running: Major Industry Events" in headings
    assert soup.select_one('a[href="../../companies/astellas-pharma/"]') is not None


def test_feed_and_sitemap_are_well_formed_xml(sample_build: Path) -> None:
    import xml.etree.ElementTree as ET

    site = sample_build / "site"
    feed = ET.parse(site / "feed.xml").getroot()
    entries = feed.findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == 15  # 16 stories less one syndicated copy
    sitemap = ET.parse(site / "sitemap.xml").getroot()
    assert len(sitemap) > 100


def test_pages_declare_language_viewport_and_a_single_h1(sample_build: Path) -> None:
    for page in pages(sample_build / "site"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        assert soup.html is not None and soup.html.get("lang") == "en"
        assert soup.find("meta", attrs={"name": "viewport"}) is not None
        assert len(soup.find_all("h1")) == 1, page


def test_pages_are_small(sample_build: Path) -> None:
    site = sample_build / "site"
    sizes = {p.relative_to(site).as_posix(): p.stat().st_size for p in site.rglob("*.html")}
    assert max(sizes.values()) < 60_000, max(sizes.items(), key=lambda item: item[1])
    assert (site / "assets/style.css").stat().st_size < 20_000


def test_the_review_page_is_for_editors_only_and_lists_what_to_check(sample_build: Path) -> None:
    site = sample_build / "site"
    page = (site / "review/index.html").read_text(encoding="utf-8")
    assert '<meta name="robots" content="noindex">' in page
    assert "review/" not in (site / "index.html").read_text(encoding="utf-8")
    assert "review/" not in (site / "sitemap.xml").read_text(encoding="utf-8")
    soup = BeautifulSoup(page, "html.parser")
    sections = {h2.get_text(): h2.find_parent("section") for h2 in soup.find_all("h2")}
    undated = next(s for title, s in sections.items() if title.startswith("Stories without a date"))
    assert "AskBio says Japan’s MHLW" in undated.get_text()
    discovered = next(s for title, s in sections.items() if title.startswith("Entities found by discovery"))
    assert "troculeucel" in discovered.get_text() and "inn-stem" in discovered.get_text()
    copies = next(s for title, s in sections.items() if title.startswith("Syndicated copies"))
    assert "is a copy of" in copies.get_text()
    removed = next(s for title, s in sections.items() if title.startswith("Lines removed"))
    assert "Schedule your 30 min Free 1stOncology Demo!" in removed.get_text()


def test_exports_hold_every_story_and_entity_one_line_each(sample_build: Path) -> None:
    site = sample_build / "site"
    stories = {
        meta["slug"]: meta
        for meta in (
            yaml.safe_load(split_front_matter(path.read_text(encoding="utf-8"), path.name)[0])
            for path in (sample_build / "content").glob("*.md")
        )
        if not meta.get("hidden")
    }
    text = (site / "stories.json").read_text(encoding="utf-8")
    records = json.loads(text)
    assert {record["slug"] for record in records} == set(stories)
    assert text.count("\n") == len(records) + 2  # "[", one line a story, "]": the file diffs well
    for record in records:
        meta = stories[record["slug"]]
        assert record["title"] == meta["title"] and record["companies"] == (meta.get("companies") or [])
        assert record["url"] == f"stories/{record['slug']}/"
    with (site / "stories.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["slug"] for row in rows] == [record["slug"] for record in records]
    entities = json.loads((site / "entities.json").read_text(encoding="utf-8"))
    for taxonomy in TAXONOMIES:
        named = {name for meta in stories.values() for name in meta.get(taxonomy.plural) or []}
        listed = {entity["name"] for entity in entities if entity["type"] == taxonomy.singular}
        assert listed == named, taxonomy.plural
    dates = json.loads((site / "search" / "dates.json").read_text(encoding="utf-8"))
    assert set(dates) == {slug for slug, meta in stories.items() if not meta.get("duplicate_of")}  # what search finds


def test_an_entity_s_latest_date_is_its_newest_story_s_whatever_the_order_given() -> None:
    dates = [datetime.date(2025, 3, 1), None, datetime.date(2026, 1, 9), datetime.date(2024, 7, 4)]
    stories = [
        Story(title=f"Story {n}", slug=f"s{n}", date=date, companies=("Heartseed",)) for n, date in enumerate(dates)
    ]
    (term,), _ = build_terms(stories, TAXONOMIES[0], Registry(()))
    assert term.latest == datetime.date(2026, 1, 9)
    assert [story.date for story in term.stories][-1] is None  # undated last
    (undated,), _ = build_terms([stories[1]], TAXONOMIES[0], Registry(()))
    assert undated.latest is None


def test_pages_link_names_as_the_table_of_slugs_does_holding_only_the_names_without_a_page() -> None:
    from briefing.site import TermLinks

    stories = [
        Story(title="A", slug="a", companies=("Heartseed", "Cuorips"), countries=("Japan",)),
        Story(title="B", slug="b", companies=("Cuorips", "CUORIPS"), therapies=("HS-001",)),  # one slug, two names
        Story(title="C", slug="c", companies=("Heartseed", "Copyonly Bio"), duplicate_of="a"),  # a copy
        Story(title="D", slug="d", companies=("アステラス製薬", "Heartseed")),
    ]
    terms = {taxonomy.plural: build_terms(stories, taxonomy, Registry(()))[0] for taxonomy in TAXONOMIES}
    table = {(t.taxonomy.plural, t.name): t.slug for group in terms.values() for t in group}
    links = TermLinks.of(terms, stories)
    mentioned = {(t.plural, name) for story in stories for t in TAXONOMIES for name in story.terms(t.plural)}
    assert {key: links.get(key) for key in mentioned} == {key: table.get(key) for key in mentioned}
    # the clash's second name ("CUORIPS" sorts first), and a name only a copy mentions
    assert links.unlinked == {("companies", "Cuorips"), ("companies", "Copyonly Bio")}


def test_the_names_counted_with_the_terms_are_those_the_listed_stories_name() -> None:
    from briefing.site import SiteInfo, named, plan_site
    from briefing.taxonomy import all_terms, listed_stories

    stories = [
        *_stories_naming(7, 120, 15),  # some name an entity twice
        Story(title="X", slug="x", companies=("Cuorips", "CUORIPS")),  # one slug, two names: a clash
        Story(title="Y", slug="y", companies=("Copyonly Bio", "Entity 1"), duplicate_of="x"),  # a copy
    ]
    found = all_terms(stories, Registry(()))
    assert found.mentions == named(listed_stories(stories))
    assert "CUORIPS" in found.mentions["companies"] and "Copyonly Bio" not in found.mentions["companies"]
    assert any(count > 1 for count in found.mentions["companies"].values())
    info = SiteInfo("T", "D", "")
    given = plan_site(stories, found.terms, info, mentions=found.mentions)
    counted = plan_site(stories, found.terms, info)
    assert [(page.output_path, page.context) for page in given] == [
        (page.output_path, page.context) for page in counted
    ]


def _stories_naming(seed: int, count: int, pool: int) -> list[Story]:
    """Stories naming entities from a small pool, some twice, some undated, in a random order."""
    import random

    rng = random.Random(seed)
    names = [f"Entity {n}" for n in range(pool)]
    stories = []
    for number in range(count):
        named = {key: tuple(rng.choice(names) for _ in range(rng.choice([0, 0, 1, 2, 3]))) for key in ENTITY_KEYS}
        day = None if rng.random() < 0.2 else datetime.date(2025, 1, 1) + datetime.timedelta(days=rng.randrange(90))
        stories.append(Story(title=f"Story {number}", slug=f"s{number:03d}", date=day, **named))
    return stories


def _related_as_defined(stories: list[Story], max_shared: int) -> dict[str, list[Story]]:
    """Related stories worked out the plain way: every shared entity of every pair, in order."""
    from briefing.site import RELATED, RELATED_KEYS

    holders: dict[tuple[str, str], list[int]] = {}
    for number, story in enumerate(stories):
        for key in RELATED_KEYS:
            for name in story.terms(key):
                holders.setdefault((key, name), []).append(number)
    related = {}
    for number, story in enumerate(stories):
        scores: dict[int, float] = {}
        for key in RELATED_KEYS:
            for name in story.terms(key):
                others = holders[(key, name)]
                if len(others) <= max_shared:
                    for other in others:
                        if other != number:
                            scores[other] = scores.get(other, 0.0) + 1.0 / len(others)
        best = sorted(scores, key=lambda other: (-scores[other], stories[other].sort_key))[:RELATED]
        related[story.slug] = [stories[other] for other in best]
    return related


def test_related_stories_are_those_sharing_the_most_and_rarest_entities(monkeypatch: pytest.MonkeyPatch) -> None:
    from briefing import site

    alone = 0
    for seed, max_shared, pool in [(1, 100, 40), (2, 5, 40), (3, 2, 40), (4, 12, 40), (5, 100, 900)]:
        monkeypatch.setattr(site, "MAX_SHARED", max_shared)
        stories = sorted(_stories_naming(seed, 150, pool), key=lambda story: story.sort_key)
        found = site.related_stories(stories)
        assert list(found.items()) == list(_related_as_defined(stories, max_shared).items())
        assert any(found.values())
        alone += sum(not related for related in found.values())
    assert alone  # and some stories share nothing that relates


def test_the_home_page_charts_count_the_recent_and_the_undated_stories_of_each_entity() -> None:
    from briefing.site import HOME_CHARTS, home_charts

    stories = _stories_naming(5, 200, 12)
    terms = {taxonomy.plural: build_terms(stories, taxonomy, Registry(()))[0] for taxonomy in TAXONOMIES}
    for newest in (None, datetime.date(2025, 3, 1), datetime.date(2025, 1, 20), datetime.date(2024, 6, 1)):
        since = newest - datetime.timedelta(days=56) if newest else None
        for taxonomy, top in home_charts(terms, newest):
            assert taxonomy.plural in HOME_CHARTS
            counted = [
                (term, sum(1 for s in term.stories if since is None or s.date is None or s.date >= since))
                for term in terms[taxonomy.plural]
            ]
            assert top == sorted((pair for pair in counted if pair[1]), key=lambda pair: (-pair[1], pair[0].name))[:8]


def test_canonical_stories_name_each_entity_once_by_its_registry_name() -> None:
    from briefing.registry import Entry
    from briefing.taxonomy import canonical_stories

    registry = Registry(
        (Entry("companies", "Astellas Pharma", aliases=("Astellas",)),),
        not_entities=frozenset({"daily planet"}),
        merges={"acme bio": "Acme Cells"},
    )
    stories = [
        Story(title="A", slug="a", companies=("Astellas", "Heartseed")),
        Story(title="B", slug="b", companies=("Heartseed", "Daily Planet", "Acme Bio", "Acme Cells")),
        Story(title="C", slug="c", companies=("Heartseed", "Heartseed"), countries=("Japan",)),
        Story(title="D", slug="d", companies=("Astellas Pharma", "Astellas"), people=("Daily Planet",)),
        Story(title="E", slug="e", companies=("Heartseed",), countries=("Japan",)),
    ]
    found = canonical_stories(stories, registry)
    assert [story.companies for story in found] == [
        ("Astellas Pharma", "Heartseed"),
        ("Heartseed", "Acme Cells"),
        ("Heartseed",),
        ("Astellas Pharma",),
        ("Heartseed",),
    ]
    assert found[3].people == () and found[2].countries == ("Japan",)
    assert found[4] is stories[4]  # nothing to change: the very story


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=6), st.text(max_size=6), max_size=6))
def test_the_story_manifest_is_written_as_json_writes_it(manifest: dict[str, str]) -> None:
    from briefing.site import manifest_json

    assert manifest_json(manifest) == json.dumps(manifest, indent=0, sort_keys=True) + "\n"
