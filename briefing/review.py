"""Review report: the entities discovery found rather than the registry, for an editor to judge. Pure.

Each line names the story file and line, the entity, the rule that found it and the sentence
it came from, so that an editor can confirm it (add it to content/registry.yaml) or reject
it (`not_entity: true` there).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from briefing.compose import Draft
from briefing.entities import EntityIndex, find_entities
from briefing.model import ENTITY_KEYS, Mention, Story
from briefing.patterns import sentences

#: how much of a long sentence the report quotes, around the name
MAX_QUOTE = 240


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """One discovered entity in one story."""

    path: str
    line: int
    kind: str
    name: str
    rule: str
    sentence: str

    def __str__(self) -> str:
        return f'{self.path}:{self.line}: review: {self.kind} "{self.name}" ({self.rule}) in: {self.sentence}'


def review_story(story: Story, path: str, body_line: int, index: EntityIndex) -> list[ReviewItem]:
    """The discovered entities of one story, first mention each, with its line and sentence.

    `body_line` is the line of the content file on which the body starts.
    """
    text = f"{story.title}\n\n{story.body}"
    entities = find_entities(story.title, story.body, index, authors=story.authors)
    items: list[ReviewItem] = []
    for mention in first_discoveries(entities.mentions, entities.names):
        offset = mention.start - len(story.title) - 2
        line = 2 if offset < 0 else body_line + story.body.count("\n", 0, offset)
        items.append(ReviewItem(path, line, mention.kind, mention.name, mention.rule, _sentence(text, mention.start)))
    return items


def first_discoveries(mentions: Sequence[Mention], names: Mapping[str, Sequence[str]]) -> list[Mention]:
    """The first mention of each entity discovery found, of those the story lists in `names`."""
    seen: set[tuple[str, str]] = set()
    first = []
    for mention in mentions:
        key = (mention.kind, mention.name)
        if mention.origin == "discovery" and key not in seen and mention.name in names.get(mention.kind, ()):
            seen.add(key)
            first.append(mention)
    return first


def _sentence(text: str, position: int) -> str:
    """The sentence around a position, cut to about 240 characters around it when longer."""
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    paragraph = text[start : end if end != -1 else len(text)]
    offset = 0
    for sentence in sentences(paragraph):
        found = paragraph.find(sentence, offset)
        if found + len(sentence) > position - start:
            return _window(sentence, position - start - found)
        offset = found + len(sentence)
    return _window(paragraph, position - start)


def _text(draft: Draft) -> str:
    """A draft's text as its mentions count their places in it: the title, then the body."""
    return f"{draft.story.title}\n\n{draft.trace.body_text}"


def _removed(draft: Draft) -> Removed:
    lines = tuple((r.rule, r.text) for r in draft.trace.removed[:SHOWN_REMOVALS])
    return Removed(draft.story.seed or "", draft.story.slug, lines)


def _window(sentence: str, at: int) -> str:
    if len(sentence) <= MAX_QUOTE:
        return sentence
    begin = max(0, min(at - MAX_QUOTE // 3, len(sentence) - MAX_QUOTE))
    cut = sentence[begin : begin + MAX_QUOTE]
    return ("…" if begin else "") + cut.strip() + ("…" if begin + MAX_QUOTE < len(sentence) else "")


#: where the build keeps its story manifest inside the site, to say next time what changed
MANIFEST = "review/manifest.json"
#: how many removed lines the review page shows per article
SHOWN_REMOVALS = 40


@dataclass(frozen=True, slots=True)
class Removed:
    """What cleaning took out of one seed."""

    seed: str
    slug: str
    lines: tuple[tuple[str, str], ...]  # (rule, text)


@dataclass(frozen=True, slots=True)
class ReviewPage:
    """Everything the editors' review page shows."""

    undated: tuple[Story, ...]
    discovered: tuple[tuple[str, str, str, str, str], ...]  # (slug, kind, name, rule, sentence)
    duplicates: tuple[Story, ...]
    removed: tuple[Removed, ...]
    added: tuple[str, ...]  # slugs, against the previous build
    changed: tuple[str, ...]
    gone: tuple[str, ...]
    first_build: bool
    manifest: dict[str, str]
    totals: dict[str, int]  # per list, how many rows there are: each list shows REVIEW_ROWS at most


#: rows a list of the review page shows at most, new and changed stories first (a page of
#: tens of thousands of rows helps no one: `check --review` lists them all)
REVIEW_ROWS = 300


def review_context(
    stories: Sequence[Story], drafts: Sequence[Draft], manifest: dict[str, str], previous: dict[str, str] | None
) -> ReviewPage:
    """The review page's lists: undated stories, discovered entities, copies, removals, changes.

    `manifest` is this build's digest of every story (slug -> digest), `previous` the last build's.
    """
    discovered: list[tuple[str, str, str, str, tuple[Draft, int]]] = []
    removed: list[Draft] = []
    for draft in drafts:
        story = draft.story
        # a draft keeps the first mention of each entity discovery found, as values (kept_entities:
        # no Mention made per row, 120,000 rows at 20,000 stories); those of the names the story
        # lists, after site-wide renaming, are rows; the sentence is cut out later, for the rows shown
        for kind, name, _, start, _, rule in draft.entities.mention_values:
            if kind in ENTITY_KEYS and name in story.terms(kind):
                discovered.append((story.slug, kind, name, rule, (draft, start)))
        if draft.trace.removals and (story.part or 1) == 1:
            removed.append(draft)  # its lines are listed later, for the rows the page shows
    before = previous or {}
    added = tuple(sorted(set(manifest) - set(before))) if previous is not None else ()
    changed = tuple(sorted(slug for slug in manifest if slug in before and before[slug] != manifest[slug]))
    recent = set(added) | set(changed)
    lists: dict[str, list[Any]] = {
        "undated": [s for s in stories if s.date is None and s.duplicate_of is None],
        "discovered": discovered,
        "duplicates": [s for s in stories if s.duplicate_of is not None],
        "removed": removed,
    }
    order: dict[str, Callable[[Any], tuple[object, ...]]] = {
        "undated": lambda s: (s.slug not in recent,),
        "discovered": lambda row: (row[0] not in recent, row[1], row[2].casefold(), row[0]),
        "duplicates": lambda s: (s.slug not in recent,),
        "removed": lambda d: (d.story.slug not in recent, d.story.seed or ""),
    }
    # the first rows in order, as sorting the whole list would give them (nsmallest is stable)
    shown = {name: tuple(heapq.nsmallest(REVIEW_ROWS, rows, key=order[name])) for name, rows in lists.items()}
    shown["discovered"] = tuple((*row[:4], _sentence(_text(row[4][0]), row[4][1])) for row in shown["discovered"])
    shown["removed"] = tuple(map(_removed, shown["removed"]))
    return ReviewPage(
        undated=shown["undated"],
        discovered=shown["discovered"],
        duplicates=shown["duplicates"],
        removed=shown["removed"],
        added=added,
        changed=changed,
        gone=tuple(sorted(set(before) - set(manifest))),
        first_build=previous is None,
        manifest=manifest,
        totals={name: len(rows) for name, rows in lists.items()},
    )
