"""Data exports for analysts: stories.json, entities.json and stories.csv. Pure.

Keys are stable and documented in the README; lists keep the stories' order (newest first)
and entities are sorted by type and name, so the files diff well between builds.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence

from briefing.model import ENTITY_KEYS, TAXONOMIES, Story
from briefing.taxonomy import Term

CSV_COLUMNS = ("slug", "title", "date", "kind", "source", "authors", *ENTITY_KEYS, "summary", "duplicate_of", "url")


def export_files(stories: Sequence[Story], terms: Mapping[str, tuple[Term, ...]]) -> dict[str, str]:
    """The export files' names and text."""
    return {
        "stories.json": _json([_story_record(story) for story in stories]),
        "entities.json": _json(
            [
                {
                    "type": taxonomy.singular,
                    "name": term.name,
                    "url": f"{taxonomy.plural}/{term.slug}/",
                    "stories": len(term.stories),
                    "latest": term.latest.isoformat() if term.latest else None,
                    "description": term.entry.description if term.entry else None,
                    "parent": term.entry.parent if term.entry else None,
                }
                for taxonomy in TAXONOMIES
                for term in terms.get(taxonomy.plural, ())
            ]
        ),
        "stories.csv": _csv(stories),
    }


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


def _json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False) + "\n"


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


def search_files(stories: Sequence[Story], terms: Mapping[str, tuple[Term, ...]]) -> dict[str, str]:
    """What the search page filters and orders by, as small static files.

    Pagefind indexes the text; its own filter and sort indexes are not byte-stable from one
    build to the next, so the filters (stories per entity) and dates are written here:
    `search/dates.json` ({slug: date}) and `search/<type>/<entity-slug>.json` ([slug, title,
    date] of each story naming the entity).
    """
    files = {"search/dates.json": _json({s.slug: s.date.isoformat() if s.date else "" for s in stories})}
    for key, group in terms.items():
        for term in group:
            rows = [[s.slug, s.title, s.date.isoformat() if s.date else ""] for s in term.stories]
            files[f"search/{key}/{term.slug}.json"] = _json(rows)
    return files
