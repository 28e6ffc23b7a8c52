"""Intake: store a new article in seeds/ under a clear, unique name, and show what it gives.

The I/O edge of `python build.py add`. The bytes are stored exactly as given (seeds are
never changed afterwards); the name is the article's date and headline, so that a folder of
seeds reads like a list of stories.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from briefing.compose import Draft, compose
from briefing.entities import EntityIndex
from briefing.errors import Diagnostic, error
from briefing.ingest import MAX_BYTES, decode, normalise_text, seed_digest, sniff_format
from briefing.model import ENTITY_KEYS, RawArticle
from briefing.rules import RuleSet
from briefing.slugs import slugify, unique_slug

#: a seed's name: its date and the first words of its headline
MAX_NAME = 60


@dataclass(frozen=True, slots=True)
class Added:
    """A stored seed and the stories it will make."""

    path: Path
    drafts: list[Draft]
    notes: list[Diagnostic]


def add_seed(data: bytes, seeds: Path, *, suffix: str, rules: RuleSet, index: EntityIndex, shown_as: str) -> Added:
    """Store an article's bytes in `seeds` and compose it; raise ContentError when it is no article."""
    if len(data) > MAX_BYTES:
        raise error(shown_as, None, f"more than {MAX_BYTES // (1024 * 1024)} MB: save only the article")
    decoded, notes = decode(data, shown_as)
    text = normalise_text(decoded.text)
    if not text.strip():
        raise error(shown_as, None, "nothing to add: the text is empty")
    kind = sniff_format(text, suffix)
    article = RawArticle(path="new", text=text, format=kind, digest=seed_digest(data), encoding=decoded.encoding)
    drafts = compose(article, rules, index)
    first = drafts[0].story if drafts else None
    title = slugify(first.title, max_length=MAX_NAME) if first else ""
    dated = f"{first.date.isoformat()}-" if first and first.date else ""
    base = f"{dated}{title}" or f"article-{article.digest[:8]}"
    extension = ".html" if kind == "html" else ".txt"
    seeds.mkdir(parents=True, exist_ok=True)
    taken = {path.name.removesuffix(path.suffix) for path in seeds.iterdir()}
    path = seeds / f"{unique_slug(base, taken)}{extension}"
    path.write_bytes(data)
    return Added(path, drafts, notes)


def describe(added: Added) -> list[str]:
    """What an editor sees after adding: where the seed went and what the build will make of it."""
    lines = [f"added {added.path.as_posix()}"]
    if len(added.drafts) > 1:
        lines.append(f"  a section page: {len(added.drafts)} briefs")
    for draft in added.drafts:
        story = draft.story
        lines.append(f"  title:   {story.title}")
        lines.append(f"  date:    {story.date.isoformat() if story.date else 'none found (add date: to the story)'}")
        lines.append(f"  source:  {story.source or 'none found'}")
        for key in ENTITY_KEYS:
            if story.terms(key):
                lines.append(f"  {key + ':':13}{', '.join(story.terms(key))}")
    lines.append("run `python build.py` to make its story in content/ and the site")
    return lines
