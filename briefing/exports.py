"""Data exports for analysts: stories.json, entities.json and stories.csv. Pure.

Keys are stable and documented in the README; lists keep the stories' order (newest first)
and entities are sorted by type and name, so the files diff well between builds.
"""

from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import Callable, Mapping, Sequence

from briefing.model import ENTITY_KEYS, TAXONOMIES, Story
from briefing.taxonomy import Term

CSV_COLUMNS = ("slug", "title", "date", "kind", "source", "authors", *ENTITY_KEYS, "summary", "duplicate_of", "url")


#: an export file: the function that makes its text, and what that text is made from (what
#: the file's fingerprint covers: the text is made only when that changed)
Export = tuple[Callable[[], str], object]


def export_files(stories: Sequence[Story], terms: Mapping[str, tuple[Term, ...]]) -> dict[str, Export]:
    """The export files' names, each with how to make its text."""
    listed = tuple(stories)
    grouped = tuple(terms.get(taxonomy.plural, ()) for taxonomy in TAXONOMIES)
    return {
        "stories.json": (functools.partial(_stories_json, listed), listed),
        "entities.json": (functools.partial(_entities_json, grouped), grouped),
        "stories.csv": (functools.partial(_csv, listed), listed),
    }


def _stories_json(stories: Sequence[Story]) -> str:
    return _json([_story_record(story) for story in stories])


def _entities_json(grouped: Sequence[Sequence[Term]]) -> str:
    return _json(
        [
            {
                "type": term.taxonomy.singular,
                "name": term.name,
                "url": f"{term.taxonomy.plural}/{term.slug}/",
                "stories": len(term.stories),
                "latest": term.latest.isoformat() if term.latest else None,
                "description": term.entry.description if term.entry else None,
                "parent": term.entry.parent if term.entry else None,
            }
            for group in grouped
            for term in group
        ]
    )


def _story_record(story: Story) -> dict[str, object]:
    return {
        "slug": story.slug,
        "title": story.title,
        "date": story.date.isoformat() if story.date else None,
        "kind": story.kind,
        "source": story.source,
        "authors": list(story.authors),
        **{key: list(story.terms(key)) for key in ENTITY_KEYS},
        "summary": story.summary,
        "duplicate_of": story.duplicate_of,
        "url": f"stories/{story.slug}/",
    }


#: json.dumps with an option makes a new encoder at every call (most of its cost for small
#: items); these are made once. _ENCODE_TEXT keeps non-ASCII text as it is.
_ENCODE_TEXT = json.JSONEncoder(ensure_ascii=False).encode
_ENCODE = json.JSONEncoder().encode


def _json(items: Sequence[object]) -> str:
    """A JSON list, one item a line: it diffs well between builds, and json's C encoder writes
    it (an indented file takes its pure-Python encoder: a second for 20,000 stories)."""
    if not items:
        return "[]\n"
    return "[\n" + ",\n".join(map(_ENCODE_TEXT, items)) + "\n]\n"


def _json_object(pairs: Mapping[str, object]) -> str:
    """A JSON object, one key a line (as _json)."""
    if not pairs:
        return "{}\n"
    return "{\n" + ",\n".join(f"{_ENCODE_TEXT(k)}: {_ENCODE(v)}" for k, v in pairs.items()) + "\n}\n"


def _csv(stories: Sequence[Story]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for story in stories:
        record = _story_record(story)
        writer.writerow(
            ["; ".join(v) if isinstance(v := record[c], list) else ("" if v is None else v) for c in CSV_COLUMNS]
        )
    return out.getvalue()


def search_files(stories: Sequence[Story], terms: Mapping[str, tuple[Term, ...]]) -> dict[str, Export]:
    """What the search page filters and orders by, as small static files.

    Pagefind indexes the text; its own filter and sort indexes are not byte-stable from one
    build to the next, so the filters (stories per entity) and dates are written here:
    `search/dates.json` ({slug: date}) and `search/<type>/<entity-slug>.json` ([slug, title,
    date] of each story naming the entity).
    """
    listed = tuple(stories)
    files: dict[str, Export] = {"search/dates.json": (functools.partial(_dates_json, listed), listed)}
    for key, group in terms.items():
        for term in group:
            files[f"search/{key}/{term.slug}.json"] = (functools.partial(_term_json, term), term)
    return files


def _dates_json(stories: Sequence[Story]) -> str:
    return _json_object({s.slug: s.date.isoformat() if s.date else "" for s in stories})


def _term_json(term: Term) -> str:
    return _json([[s.slug, s.title, s.date.isoformat() if s.date else ""] for s in term.stories])
