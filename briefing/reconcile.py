"""Reconcile: decide which story files the build writes, keeps or removes in content/. Pure.

The rules that keep editors' work safe live here, in one place:
- a story file an editor has changed is never written over (its seed may change: we say so);
- a story keeps its slug (and so its URL) across rebuilds;
- a new story gets a slug no other story has;
- a story the build wrote and nobody changed follows its seed: rewritten when the result
  changes; a listing page's brief that the page no longer has is removed. A story whose seed
  is gone stays, and is rendered (CONTRACT: content/ is rendered whether or not a seed exists).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from briefing.compose import Draft, StoryText, text_of
from briefing.content import Content, ContentFile
from briefing.errors import Diagnostic, warning
from briefing.frontmatter import dump_story
from briefing.model import Story, replaced, text_digest
from briefing.slugs import slug_or_fallback, unique_slug

SeedKey = tuple[str, int | None]  # (seed path, part of a listing page or None)


@dataclass(frozen=True, slots=True)
class ContentPlan:
    """What to do in content/."""

    writes: tuple[tuple[str, str], ...]  # (file name in content/, text)
    removals: tuple[ContentFile, ...]
    stories: tuple[Story, ...]  # the stories the build made, with their slugs
    diagnostics: tuple[Diagnostic, ...]


def plan_content(
    drafts: Sequence[Draft],
    content: Content,
    copies: dict[int, int],
    *,
    composed_seeds: set[str],
    texts: Callable[[Sequence[Draft]], Sequence[StoryText]] | None = None,
) -> ContentPlan:
    """Plan the writes and removals that bring content/ up to date with the seeds.

    A light draft's story takes its text from its story file when that holds it (a rebuild's
    files nearly all do), else from `texts`, which gives light drafts' texts back.
    """
    existing: dict[SeedKey, ContentFile] = {}
    for file in content.files:
        if file.seed is not None:
            existing.setdefault((file.seed, file.part), file)
    taken: set[str] | None = None  # the slugs and file names in use, when a new story needs a slug
    diagnostics: list[Diagnostic] = []
    slugs: list[str] = []
    currents = [existing.get((draft.story.seed or "", draft.story.part)) for draft in drafts]  # seeds have one
    for draft, known in zip(drafts, currents, strict=True):
        story = draft.story
        if known is not None and known.story is not None:
            slug = known.story.slug
        else:
            if taken is None:
                taken = {f.story.slug for f in content.files if f.story} | {f.stem for f in content.files}
            slug = unique_slug(slug_or_fallback(story.title, prefix="story"), taken)
            taken.add(slug)
        slugs.append(slug)
    lacking = [number for number, draft in enumerate(drafts) if draft.light and not _holds(currents[number], draft)]
    if lacking and texts is None:
        raise ValueError("light drafts whose story files lack their text, and no way to read it back")
    read = dict(zip(lacking, texts([drafts[n] for n in lacking]) if texts and lacking else (), strict=True))
    stories = []
    writes: list[tuple[str, str]] = []
    for number, draft in enumerate(drafts):
        assert draft.story.seed is not None
        current = currents[number]
        filed = current.story if current is not None else None
        text = None
        if draft.light:
            text = read[number] if number in read else text_of(filed)  # else the file holds it (`_holds`)
        story = _placed(draft.story, number, drafts, slugs, copies, filed=filed, text=text)
        stories.append(story)
        if current is not None and not current.pristine:
            if current.story is not None and current.story.seed_hash != story.seed_hash:
                diagnostics.append(
                    warning(
                        current.shown_as,
                        1,
                        f"seed {story.seed} changed since this story was edited; the story is kept as edited "
                        "(delete the file to rebuild it from the seed)",
                    )
                )
            continue
        if current is not None and (current.story is story or current.story == story):
            continue  # the file as the build wrote it says exactly this story (dump and parse round-trip)
        name = current.path.name if current is not None else f"{story.slug}.md"
        writes.append((name, dump_story(story)))
    made = {(d.story.seed, d.story.part) for d in drafts}
    removals = tuple(
        file for key, file in existing.items() if file.pristine and key not in made and key[0] in composed_seeds
    )
    return ContentPlan(tuple(writes), removals, tuple(stories), tuple(diagnostics))


def _holds(file: ContentFile | None, draft: Draft) -> bool:
    """Whether a story file holds a light draft's text."""
    if file is None or file.story is None:
        return False
    known = file.text if file.text is not None else text_digest(file.story.summary, file.story.body)
    return known == draft.text


def _placed(
    story: Story,
    number: int,
    drafts: Sequence[Draft],
    slugs: list[str],
    copies: dict[int, int],
    *,
    filed: Story | None,
    text: StoryText | None = None,
) -> Story:
    """A draft's story with its slug and, for a copy, the story it copies (and that one's date
    when it has none), and with its text when it is a light draft's; the story its file holds
    when that says exactly this (on a rebuild, nearly every story: none is made again)."""
    changes: dict[str, object] = {"slug": slugs[number]}
    original = copies.get(number)
    if original is not None:
        changes["duplicate_of"] = slugs[original]
        changes["date"] = story.date or drafts[original].story.date
    if text is not None:
        changes["summary"], changes["body"] = text
    if filed is not None and type(filed) is type(story) and _says(filed, story, changes):
        return filed  # equal field by field, as Story's own == compares them
    return replaced(story, **changes)


def _says(filed: Story, story: Story, changes: dict[str, object]) -> bool:
    """Whether a story equals another with some of the fields placing changes (`_PLACEABLE`)
    changed, field by field (a tuple of each's values, with the changes made in a list, was
    most of planning a rebuild of 20,000 stories)."""
    slug, copied, date, summary, body = _PLACEABLE_VALUES(story)
    placed = (
        changes["slug"],
        changes.get("duplicate_of", copied),
        changes.get("date", date),
        changes.get("summary", summary),
        changes.get("body", body),
    )
    return _PLACEABLE_VALUES(filed) == placed and _OTHER_VALUES(filed) == _OTHER_VALUES(story)


#: the fields placing a draft's story may change (`_placed`), in this order
_PLACEABLE = ("slug", "duplicate_of", "date", "summary", "body")
_PLACEABLE_VALUES = operator.attrgetter(*_PLACEABLE)
#: the values of Story's other fields
_OTHER_VALUES = operator.attrgetter(*(name for name in Story.__slots__ if name not in _PLACEABLE))
