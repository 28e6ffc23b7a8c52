"""Taxonomies: one term per entity with the stories that name it, for every entity type. Pure.

Names are canonicalised once more through the registry here, so an editor who writes an
alias ("Astellas") in a story's front matter still lands on the one page ("Astellas Pharma").
"""

from __future__ import annotations

import dataclasses
import datetime
import operator
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain, compress, count
from operator import attrgetter
from typing import TypeVar

from briefing.errors import Diagnostic
from briefing.model import ENTITY_KEYS, TAXONOMIES, Story, Taxonomy
from briefing.registry import Entry, Registry
from briefing.slugs import slug_or_fallback
from briefing.tally import Tally, add_counts

#: how many companions ("most often mentioned with") a term page shows per type
COMPANIONS = 8
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Term:
    """One entity's page: its canonical name, slug, registry details and stories."""

    taxonomy: Taxonomy
    name: str
    slug: str
    stories: tuple[Story, ...]  # newest first, ties by slug; syndicated copies left out
    entry: Entry | None
    # its stories' digests (fingerprint.story_digests), 16 bytes each, in order, when the build
    # gave them (all_terms): what the fingerprints and tallies know the list by, at C speed; not
    # a value of the term (b"" where not given: they are worked out from the stories then)
    digests: bytes = field(default=b"", compare=False, repr=False)

    @property
    def latest(self) -> datetime.date | None:
        """The date of its newest story: the first dated one (they are newest first, undated last;
        index pages ask this of every term, and a term may have thousands of stories)."""
        return next((s.date for s in self.stories if s.date), None)


def canonical_name(name: str, kind: str, registry: Registry) -> str:
    """The registry's name for a name written in a story (itself when unknown)."""
    merged = registry.merges.get(name.casefold())
    if merged:
        return merged
    entry = registry.lookup(kind, name)
    return entry.name if entry else name


def canonical_stories(stories: Sequence[Story], registry: Registry) -> list[Story]:
    """Stories with every entity name replaced by its canonical name and excluded names dropped."""
    changed: dict[int, dict[str, tuple[str, ...]]] = {}  # by the story's place: the names it lists instead
    for taxonomy in TAXONOMIES:
        written = list(map(attrgetter(taxonomy.plural), stories))
        # an archive names the same entities again and again: each written name is looked up
        # once, and only the stories that list a name to change or the same name twice are
        # gone through (found at C speed: most list canonical names, each once)
        canonical, dropped = _canonical_names(set(chain.from_iterable(written)), taxonomy.plural, registry)
        wrong = dropped.union(name for name, named in canonical.items() if named != name)
        clean = map(wrong.isdisjoint, written)
        once = map(operator.eq, map(len, written), map(len, map(set, written)))
        for number in compress(count(), map(operator.not_, map(operator.and_, clean, once))):
            names = written[number]
            entities = names if dropped.isdisjoint(names) else [name for name in names if name not in dropped]
            kept = tuple(dict.fromkeys(map(canonical.__getitem__, entities)))
            if kept != names:
                changed.setdefault(number, {})[taxonomy.plural] = kept
    if not changed:
        return list(stories)
    return [_replace(story, changed[number]) if number in changed else story for number, story in enumerate(stories)]


def _canonical_names(names: Iterable[str], kind: str, registry: Registry) -> tuple[dict[str, str], set[str]]:
    """Each written name's canonical name, and the names that are not entities (to drop)."""
    canonical: dict[str, str] = {}
    dropped: set[str] = set()
    for name in names:
        canonical[name] = canonical_name(name, kind, registry)
        if canonical[name].casefold() in registry.not_entities:
            dropped.add(name)
    return canonical, dropped


def _replace(story: Story, changes: dict[str, tuple[str, ...]]) -> Story:
    return dataclasses.replace(story, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class AllTerms:
    """The terms of every taxonomy, by its plural (see build_terms); every clash found (two
    names, one slug); and per entity type, how many listed stories name each name, as
    site.named counts them (counted with the terms, for nothing: a count of its own took half
    a second at 20,000 stories)."""

    terms: dict[str, tuple[Term, ...]]
    clashes: list[Diagnostic]
    mentions: dict[str, Counter[str]]


def all_terms(stories: Sequence[Story], registry: Registry, digests: Sequence[str] | None = None) -> AllTerms:
    """The terms of every taxonomy, with every clash found and the names counted (AllTerms).

    With `digests`, the stories' own (fingerprint.story_digests, in the order of `stories`),
    each term carries its stories' digests (Term.digests).
    """
    listed = listed_stories(stories)  # sorted once for all the taxonomies
    known: list[bytes] | None = None
    if digests is not None:
        by_id = dict(zip(map(id, stories), digests, strict=True))
        known = list(map(bytes.fromhex, map(by_id.__getitem__, map(id, listed))))
    terms: dict[str, tuple[Term, ...]] = {}
    diagnostics: list[Diagnostic] = []
    mentions: dict[str, Counter[str]] = {}
    for taxonomy in TAXONOMIES:
        places = _places(listed, taxonomy)
        terms[taxonomy.plural], clashes = _terms_at(places, listed, taxonomy, registry, known)
        diagnostics.extend(clashes)
        mentions[taxonomy.plural] = Counter({name: len(found) for name, found in places.items()})
    return AllTerms(terms, diagnostics, mentions)


def build_terms(
    stories: Sequence[Story], taxonomy: Taxonomy, registry: Registry
) -> tuple[tuple[Term, ...], list[Diagnostic]]:
    """Every term of one taxonomy, sorted by slug; two names sharing a slug is an error."""
    listed = listed_stories(stories)
    return _terms_at(_places(listed, taxonomy), listed, taxonomy, registry)


def listed_stories(stories: Sequence[Story]) -> list[Story]:
    """The stories entity pages list, in their order: syndicated copies left out, newest first."""
    return sorted((s for s in stories if s.duplicate_of is None), key=attrgetter("sort_key"))


def _places(listed: Sequence[Story], taxonomy: Taxonomy) -> dict[str, list[int]]:
    """Each name of one type the stories name, with the places of the stories that do (a story
    naming it twice is there twice, as site.named counts it), in the order first named."""
    places: dict[str, list[int]] = {}
    for number, names in enumerate(map(attrgetter(taxonomy.plural), listed)):
        for name in names:
            places.setdefault(name, []).append(number)
    return places


def _terms_at(
    places: dict[str, list[int]],
    listed: Sequence[Story],
    taxonomy: Taxonomy,
    registry: Registry,
    digests: Sequence[bytes] | None = None,
) -> tuple[tuple[Term, ...], list[Diagnostic]]:
    """The terms of one taxonomy, from its names' places in stories as `listed_stories` gives
    them (_places), and their digests in that order, when known."""
    terms: dict[str, Term] = {}
    diagnostics: list[Diagnostic] = []
    for name in sorted(places):
        slug = slug_or_fallback(name, prefix=taxonomy.singular)
        if slug in terms:
            other = terms[slug]
            diagnostics.append(
                Diagnostic(
                    f"content/{listed[places[name][0]].slug}.md",
                    None,
                    f"{taxonomy.plural}: '{name}' and '{other.name}' (in content/{other.stories[0].slug}.md) make the "
                    f"same page {taxonomy.plural}/{slug}/; use one spelling or add an alias in content/registry.yaml",
                )
            )
            continue
        entry = registry.lookup(taxonomy.plural, name)
        pick = _picker(places[name])  # its stories and their digests, picked at C speed
        terms[slug] = Term(taxonomy, name, slug, pick(listed), entry, b"".join(pick(digests)) if digests else b"")
    return tuple(terms[slug] for slug in sorted(terms)), diagnostics


def _picker(places: Sequence[int]) -> Callable[[Sequence[T]], tuple[T, ...]]:
    """What picks the items at some places (one or more) out of a list, as a tuple."""
    if len(places) == 1:
        place = places[0]
        return lambda items: (items[place],)
    return operator.itemgetter(*places)  # a tuple of them, for two places or more


def companions_by_type(term: Term, tally: Tally | None = None) -> dict[str, list[tuple[str, int]]]:
    """Per entity type, the names most often mentioned in a term's stories, with their counts.

    A term may have thousands of stories, and its first page is rendered again whenever a story
    naming it is added: with a tally that keeps them, the counts are made chunk by chunk.
    """
    counted = (tally or Tally(None)).over("mentions/1", term.stories, make=count_mentions, merge=add_mentions)
    return {key: _most_often(counts, term.name) for key, counts in zip(ENTITY_KEYS, counted, strict=True)}


#: per entity type (in ENTITY_KEYS order), how many stories name each name
Mentions = tuple[dict[str, int], ...]


def count_mentions(stories: Sequence[Story]) -> Mentions:
    """How many of some stories name each name, per entity type (counted at C speed)."""
    return tuple(dict(Counter(chain.from_iterable(map(attrgetter(key), stories)))) for key in ENTITY_KEYS)


def add_mentions(parts: Sequence[Mentions]) -> Mentions:
    """The mentions of some lists of stories, added up."""
    return tuple(add_counts(counts) for counts in zip(*parts, strict=True))


def _most_often(counts: dict[str, int], name: str) -> list[tuple[str, int]]:
    """The COMPANIONS names counted most often, leaving out `name` (the term's own)."""
    return sorted(((other, count) for other, count in counts.items() if other != name), key=_by_count)[:COMPANIONS]


def _by_count(item: tuple[str, int]) -> tuple[int, str]:
    return -item[1], item[0]
