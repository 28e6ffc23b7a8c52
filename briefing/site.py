"""Site plan: every page of the site as a URL, an output path, a template and its values. Pure.

URLs are relative to the site root ("companies/astellas-pharma/"); every page gets `root`,
the relative way back to the root ("../../"), so the site works under any sub-path.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime
import heapq
import json
import operator
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import chain, compress, count
from operator import attrgetter
from typing import Any

from briefing.exports import export_files, search_files
from briefing.model import ENTITY_KEYS, TAXONOMIES, Story, Taxonomy
from briefing.review import MANIFEST, ReviewPage
from briefing.slugs import slug_or_fallback
from briefing.tally import Tally, add_counts, count_months
from briefing.taxonomy import Term

#: how many stories the home page and the feed show
HOME_STORIES = 60
FEED_STORIES = 50
#: how many top entities per type the home page charts
TOP_TERMS = 8
#: the home page's "last weeks": mentions counted over this many days before the newest story
RECENT_DAYS = 56
#: the entity types the home page charts
HOME_CHARTS = ("companies", "therapies", "countries")
#: stories per entity page; a longer list continues on pages of older stories (see _term_pages)
TERM_PAGE_SIZE = 50
#: related stories on a story page, by shared entities of these types
RELATED = 5
RELATED_KEYS = ("companies", "organizations", "therapies", "modalities", "indications", "people")
#: an entity shared by more stories than this says little about how two stories relate
MAX_SHARED = 100
#: the entity types search filters by: front-matter key, filter name
SEARCH_FILTERS = (
    ("companies", "company"),
    ("therapies", "therapy"),
    ("countries", "country"),
    ("modalities", "modality"),
)


class PageUrls(tuple[str, ...]):
    """The URLs of the pages of one entity's list of stories: each of those pages links them all
    (a type of its own, so that a fingerprint digests them once, not once a page)."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class TermLinks:
    """The slug of the page of any name that stories mention, without a table of every slug:
    a story's page links its entities, an entity's page the names often mentioned with it.

    Every name a listed story mentions has a page, at the slug its name makes, except the names
    that lost a clash (two names, one slug: the second has no page) and names only copies
    mention. So a page depends on that short list, not on a table of every slug, which changes
    with any new entity: were it on the pages, one new company would make every page new.
    """

    unlinked: frozenset[tuple[str, str]]  # (entity type, name) of the names without a page
    # each name's slug, made once (a story's page links twenty names, and slugifying them was a
    # sixth of rendering it); not part of what the links are
    _slugs: dict[tuple[str, str], str] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, terms: Mapping[str, Sequence[Term]], mentioned: Sequence[Story]) -> TermLinks:
        """The links of these terms (the terms of the listed stories) for the names these stories
        mention."""
        return cls.of_names(terms, named(mentioned))

    @classmethod
    def of_names(cls, terms: Mapping[str, Sequence[Term]], *names: Mapping[str, Iterable[str]]) -> TermLinks:
        """The links of these terms for the names mentioned, by entity type (in one mapping or more)."""
        unlinked: set[tuple[str, str]] = set()
        for taxonomy in TAXONOMIES:
            mentioned = set(chain.from_iterable(group.get(taxonomy.plural, ()) for group in names))
            mentioned.difference_update(term.name for term in terms.get(taxonomy.plural, ()))
            unlinked.update((taxonomy.plural, name) for name in mentioned)
        return cls(frozenset(unlinked))

    def get(self, key: tuple[str, str]) -> str | None:
        """The slug of the page of (entity type, name), or None where it has none."""
        if key in self.unlinked:
            return None
        slug = self._slugs.get(key)
        if slug is None:
            slug = self._slugs[key] = slug_or_fallback(key[1], prefix=_SINGULAR[key[0]])
        return slug

    def groups(self, story: Story) -> list[tuple[Taxonomy, list[tuple[str, str | None]]]]:
        """A story's entities by type, each with the slug of its page (None: it has none)."""
        return [
            (taxonomy, [(name, self.get((taxonomy.plural, name))) for name in names])
            for taxonomy in TAXONOMIES
            if (names := story.terms(taxonomy.plural))
        ]


def named(stories: Sequence[Story], keys: Iterable[str] = ENTITY_KEYS) -> dict[str, Counter[str]]:
    """Per entity type, how many of some stories name each name (counted at C speed)."""
    return {key: Counter(chain.from_iterable(map(attrgetter(key), stories))) for key in keys}


_SINGULAR = {taxonomy.plural: taxonomy.singular for taxonomy in TAXONOMIES}
NO_LINKS = TermLinks(frozenset())


@dataclass(frozen=True, slots=True)
class Page:
    """One output file."""

    url: str  # "stories/abc/" (directory URL) or "feed.xml"
    output_path: str  # "stories/abc/index.html"
    template: str  # "" for a page whose text is made in Python (the data exports)
    context: Mapping[str, Any] = field(default_factory=dict)
    text: str | None = None
    # makes the bytes of a data file with the build's Tally; `context` holds what they are made from
    make: Callable[[Tally], bytes] | None = None


@dataclass(frozen=True, slots=True)
class SiteInfo:
    """What every page may show about the site itself."""

    title: str
    description: str
    base_url: str  # absolute URL of the site root for feeds and sitemaps, or ""


def _root(output_path: str) -> str:
    depth = output_path.count("/")
    return "../" * depth if depth else "./"


def page(url: str, template: str, **context: Any) -> Page:
    """A page at a directory URL ("a/b/") or a file URL ("feed.xml")."""
    output_path = url + "index.html" if url == "" or url.endswith("/") else url
    return Page(url, output_path, template, {"root": _root(output_path), "url": url, **context})


def plan_site(
    stories: Sequence[Story],
    terms: Mapping[str, tuple[Term, ...]],
    info: SiteInfo,
    *,
    search_shards: Sequence[int] = (0,),
    mentions: Mapping[str, Counter[str]] | None = None,
) -> list[Page]:
    """Plan every page: home, stories, an index and a page per entity of every type, feeds.

    `mentions` are the listed stories' names counted (`named`), where they are known already
    (taxonomy.AllTerms has them).
    """
    ordered = sorted(stories, key=lambda s: s.sort_key)
    listed = [s for s in ordered if s.duplicate_of is None]
    by_slug = {s.slug: s for s in ordered}
    copies: dict[str, list[Story]] = {}
    for story in ordered:
        if story.duplicate_of in by_slug:
            copies.setdefault(story.duplicate_of, []).append(story)
    # the names the listed stories mention, counted once for the links and the related stories
    mentions = mentions if mentions is not None else named(listed)
    links = TermLinks.of_names(terms, mentions, named([s for s in ordered if s.duplicate_of is not None]))
    updated = next((s.date for s in listed if s.date), None)
    # what every page shows; a page shows nothing that changes with every new story
    # (such as the newest date), so that a new story re-renders only the pages it appears on
    common = _common(info)
    pages = [
        page(
            "",
            "home.html",
            days=group_by_day(listed[:HOME_STORIES]),
            charts=home_charts(terms, updated),
            total=len(listed),
            updated=updated,
            **common,
        )
    ]
    related = related_stories(listed, mentions)
    for number, story in enumerate(listed):
        newer = listed[number - 1] if number > 0 else None
        older = listed[number + 1] if number + 1 < len(listed) else None
        pages.append(
            _story_page(
                story,
                links=links,
                copies=copies.get(story.slug, []),
                original=None,
                newer=newer,
                older=older,
                common={**common, "related": related[story.slug]},
            )
        )
    for story in ordered:
        if story.duplicate_of is not None:
            original = by_slug.get(story.duplicate_of)
            pages.append(
                _story_page(
                    story,
                    links=links,
                    copies=[],
                    original=original,
                    newer=None,
                    older=None,
                    common={**common, "related": []},
                )
            )
    for taxonomy in TAXONOMIES:
        group = terms.get(taxonomy.plural, ())
        pages.append(page(f"{taxonomy.plural}/", "taxonomy.html", taxonomy=taxonomy, terms=group, **common))
        for term in group:
            pages += _term_pages(taxonomy, term, links, common)
    labels = {t.plural: t.singular.capitalize() for t in TAXONOMIES}
    filters = [(k, labels[k]) for k, _ in SEARCH_FILTERS]
    pages.append(page("search/", "search.html", filters=filters, shards=" ".join(map(str, search_shards)), **common))
    pages.append(
        page("feed.xml", "feed.xml", stories=listed[:FEED_STORIES], feed_title=info.title, updated=updated, **common)
    )
    exports = {**export_files(ordered, terms), **search_files(listed, {k: terms.get(k, ()) for k, _ in SEARCH_FILTERS})}
    pages += [Page(name, name, "", {"inputs": inputs}, make=make) for name, (make, inputs) in exports.items()]
    pages.append(page("404.html", "404.html", **common))
    pages.append(
        page(
            "sitemap.xml",
            "sitemap.xml",
            urls=[p.url for p in pages if p.url.endswith("/") or p.url == ""],
            **common,
        )
    )
    return pages


def _common(info: SiteInfo) -> dict[str, Any]:
    """What every page shows."""
    return {"site": info, "taxonomies": TAXONOMIES}


def review_pages(review: ReviewPage, info: SiteInfo) -> list[Page]:
    """The editors' review page and the story manifest beside it, planned apart from plan_site's
    pages (the build works the review out beside its planning): not linked from the readers'
    pages, not in the sitemap."""
    return [
        page("review/", "review.html", review=review, **_common(info)),
        Page(MANIFEST, MANIFEST, "", {}, manifest_json(review.manifest)),
    ]


def manifest_json(manifest: Mapping[str, str]) -> str:
    """The story manifest as `json.dumps(manifest, indent=0, sort_keys=True)` writes it, and a
    newline, written directly: json's indented output takes its pure-Python encoder, a seventh
    of a second for 20,000 stories.

    >>> manifest_json({"b": "2", "a": "é"}) == json.dumps({"b": "2", "a": "é"}, indent=0, sort_keys=True) + "\\n"
    True
    """
    if not manifest:
        return "{}\n"
    text = json.encoder.encode_basestring_ascii
    return "{\n" + ",\n".join([f"{text(key)}: {text(manifest[key])}" for key in sorted(manifest)]) + "\n}\n"


def _term_pages(taxonomy: Taxonomy, term: Term, links: TermLinks, common: Mapping[str, Any]) -> list[Page]:
    """An entity's page (its newest stories, and older ones on pages of their own when it has
    many) and its own feed.

    The entity's page shows the entity (counts, timeline, companions), its newest stories and
    links to every older page. An older page shows its own stories and links to its neighbours
    only, and is named by its place counted from the oldest (`older/1/` holds the oldest
    stories): a new story changes the entity's page alone, and when the list grows a page the
    older pages keep their address and contents (numbered from the newest, every one of an
    entity's hundreds of pages changed once every TERM_PAGE_SIZE new stories).
    """
    base = f"{taxonomy.plural}/{term.slug}/"
    chunks = term_chunks(term.stories)
    older = [f"{base}older/{len(chunks) - place}/" for place in range(1, len(chunks))]  # newest first
    urls = [base, *older]
    pages = [
        page(
            base,
            "term.html",
            taxonomy=taxonomy,
            term=term,
            term_slugs=links,  # the names often mentioned with it
            shown=chunks[0],
            page_urls=PageUrls(urls),
            newer_url=None,
            older_url=None,
            **common,
        )
    ]
    # the older pages show the entity's name and their own stories only: they are given the
    # entity without its stories, so that their fingerprints do not change with every new story
    named = dataclasses.replace(term, stories=(), entry=None, digests=b"")
    pages.extend(
        page(
            urls[place],
            "term.html",
            taxonomy=taxonomy,
            term=named,
            term_slugs=NO_LINKS,
            shown=chunks[place],
            page_urls=None,
            newer_url=urls[place - 1],
            older_url=urls[place + 1] if place + 1 < len(urls) else None,
            **common,
        )
        for place in range(1, len(chunks))
    )
    feed_title = f"{common['site'].title}: {term.name}"
    shown = term.stories[:FEED_STORIES]
    pages.append(
        page(f"{base}feed.xml", "feed.xml", stories=shown, feed_title=feed_title, updated=term.latest, **common)
    )
    return pages


def term_chunks(stories: Sequence[Story]) -> list[Sequence[Story]]:
    """Stories (newest first) cut into pages counted from the oldest: every later page holds
    TERM_PAGE_SIZE stories and page 1 the rest (TERM_PAGE_SIZE to twice that), so a newer
    story joins page 1 and leaves the others as they were.

    >>> [len(chunk) for chunk in term_chunks(list(range(120)))]
    [70, 50]
    """
    count = max(1, len(stories) // TERM_PAGE_SIZE)
    first = len(stories) - TERM_PAGE_SIZE * (count - 1)
    return [stories[:first]] + [stories[i : i + TERM_PAGE_SIZE] for i in range(first, len(stories), TERM_PAGE_SIZE)]


def related_stories(
    stories: Sequence[Story], mentions: Mapping[str, Counter[str]] | None = None
) -> dict[str, list[Story]]:
    """Per story, up to RELATED stories that share the most entities with it (rarer entities count more).

    `mentions` are the stories' names, counted (`named(stories)`), when they are already known.
    """
    holders = _holders(stories, mentions or named(stories, RELATED_KEYS))
    sort_keys = [story.sort_key for story in stories]  # worked out once, not once per candidate
    sharing = {number for others in holders.values() for number in others}
    related: dict[str, list[Story]] = {}
    for number, story in enumerate(stories):
        if number not in sharing:
            related[story.slug] = []  # it shares no entity that relates
            continue
        scores: dict[int, float] = {}
        for key in RELATED_KEYS:
            for name in story.terms(key):
                others = holders.get((key, name), ())
                for other in others:
                    if other != number:
                        scores[other] = scores.get(other, 0.0) + 1.0 / len(others)
        best = heapq.nsmallest(RELATED, scores, key=lambda other: (-scores[other], sort_keys[other]))
        related[story.slug] = [stories[other] for other in best]
    return related


def _holders(stories: Sequence[Story], mentions: Mapping[str, Counter[str]]) -> dict[tuple[str, str], list[int]]:
    """The stories (by their place) that name each entity of RELATED_KEYS named by more than
    one of them and at most MAX_SHARED ("Japan" in every story relates nothing, nor does an
    entity only one story names)."""
    holders: dict[tuple[str, str], list[int]] = {}
    for key in RELATED_KEYS:
        # most names are named by many stories: those are left out at C speed, and only the
        # stories that name the others are gone through
        rare = {name for name, count in mentions[key].items() if 1 < count <= MAX_SHARED}
        if not rare:
            continue
        column = list(map(attrgetter(key), stories))
        for number in compress(count(), map(operator.not_, map(rare.isdisjoint, column))):
            for name in column[number]:
                if name in rare:
                    holders.setdefault((key, name), []).append(number)
    return holders


def _story_page(
    story: Story,
    *,
    links: TermLinks,
    copies: list[Story],
    original: Story | None,
    newer: Story | None,
    older: Story | None,
    common: Mapping[str, Any],
) -> Page:
    # its entities, with links to their pages, are listed when it is rendered (links.groups)
    return page(
        f"stories/{story.slug}/",
        "story.html",
        story=story,
        links=links,
        copies=copies,
        original=original,
        newer=newer,
        older=older,
        **common,
    )


def group_by_day(stories: Sequence[Story]) -> list[tuple[datetime.date | None, list[Story]]]:
    """Stories grouped under their date, newest first, undated last."""
    days: dict[datetime.date | None, list[Story]] = {}
    for story in stories:
        days.setdefault(story.date, []).append(story)
    return list(days.items())


def home_charts(
    terms: Mapping[str, tuple[Term, ...]], newest: datetime.date | None
) -> list[tuple[Taxonomy, list[tuple[Term, int]]]]:
    """The most-mentioned entities of the recent weeks (or of all time when undated), per type."""
    since = newest - datetime.timedelta(days=RECENT_DAYS) if newest else None
    charts = []
    for taxonomy in TAXONOMIES:
        if taxonomy.plural not in HOME_CHARTS:
            continue
        counted = [(term, _recent(term.stories, since)) for term in terms.get(taxonomy.plural, ())]
        top = sorted((pair for pair in counted if pair[1]), key=lambda pair: (-pair[1], pair[0].name))[:TOP_TERMS]
        charts.append((taxonomy, top))
    return charts


def _recent(stories: Sequence[Story], since: datetime.date | None) -> int:
    """How many of some stories (newest first, undated last, as a term lists them) are dated
    `since` or later, or undated; found by bisection (an entity may have thousands)."""
    if since is None:
        return len(stories)
    dated_since = bisect.bisect_right(stories, -since.toordinal(), key=_age)
    undated = len(stories) - bisect.bisect_left(stories, 0, key=_age)
    return dated_since + undated


def _age(story: Story) -> int:
    """What a story sorts by first: minus its date's ordinal, 0 when undated."""
    return story.sort_key[0]


def stories_per_month(stories: Sequence[Story], tally: Tally | None = None) -> list[tuple[str, int]]:
    """Story counts per month from the first to the last dated story ("2025-07", 3), gaps as 0.

    With a tally that keeps them, a long list is counted chunk by chunk (see briefing/tally.py).
    """
    counts = (tally or Tally(None)).over("months/1", stories, make=count_months, merge=add_counts)
    if not counts:
        return []
    months = []
    year, month = int(min(counts)[:4]), int(min(counts)[5:])
    last = max(counts)
    while (key := f"{year:04d}-{month:02d}") <= last:
        months.append((key, counts.get(key, 0)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
