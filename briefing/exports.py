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
from dataclasses import dataclass

from briefing.model import ENTITY_KEYS, TAXONOMIES, Story
from briefing.tally import Tally
from briefing.taxonomy import Term

CSV_COLUMNS = ("slug", "title", "date", "kind", "source", "authors", *ENTITY_KEYS, "summary", "duplicate_of", "url")


@dataclass(frozen=True, slots=True)
class Untallied:
    """Makes an export's text without the build's Tally, called as the exports that use it are."""

    make: Callable[[], bytes]

    def __call__(self, tally: Tally) -> bytes:
        return self.make()


#: an export file: the function that makes its bytes (UTF-8 text) with the build's Tally (long
#: story lists are made chunk by chunk, and the chunks an earlier build made are not made again),
#: and what they are made from (what the file's fingerprint covers: they are made only when that
#: changed). Bytes, not text: the archive's exports are tens of megabytes of text with non-ASCII
#: in it, and each chunk's text read back, joined and encoded again took a quarter of a second
Export = tuple[Callable[[Tally], bytes], object]


def export_files(stories: Sequence[Story], terms: Mapping[str, tuple[Term, ...]]) -> dict[str, Export]:
    """The export files' names, each with how to make its text."""
    listed = tuple(stories)
    grouped = tuple(terms.get(taxonomy.plural, ()) for taxonomy in TAXONOMIES)
    return {
        "stories.json": (functools.partial(_stories_json, listed), listed),
        "entities.json": (Untallied(functools.partial(_entities_json, grouped)), grouped),
        "stories.csv": (functools.partial(_csv, listed), listed),
    }


def _stories_json(stories: Sequence[Story], tally: Tally) -> bytes:
    if not stories:
        return b"[]\n"
    runs = tally.runs("stories.json/2", stories, make=_story_lines, merge=b",\n".join)
    return _joined(b"[\n", runs, b",\n", b"\n]\n")


def _joined(first: bytes, parts: Sequence[bytes], between: bytes, last: bytes) -> bytes:
    """first + between.join(parts) + last, made in one copy (an archive's exports are tens of
    megabytes: each copy cost a tenth of a second, most of it the new memory's page faults).

    >>> _joined(b"[", [b"a", b"b"], b", ", b"]"), _joined(b"[", [], b", ", b"]")
    (b'[a, b]', b'[]')
    """
    pieces = [first]
    for part in parts:
        pieces += (part, between)
    if parts:
        pieces.pop()
    pieces.append(last)
    return b"".join(pieces)


def _story_lines(stories: Sequence[Story]) -> bytes:
    return ",\n".join(map(story_json, stories)).encode()


def _entities_json(grouped: Sequence[Sequence[Term]]) -> bytes:
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


#: a string as JSON, non-ASCII text kept as it is (what JSONEncoder(ensure_ascii=False) writes
#: for a string, in list items and dict values too)
_TEXT = json.encoder.encode_basestring
#: a string as JSON, non-ASCII text escaped (what JSONEncoder() writes for a string)
_ASCII = json.encoder.encode_basestring_ascii


def _texts(values: Sequence[str]) -> str:
    return "[" + ", ".join(map(_TEXT, values)) + "]"


def story_json(story: Story) -> str:
    """A story's record in stories.json, as json writes it (keys and order are documented in
    the README), written directly: a fifth of the time (an archive has tens of thousands)."""
    date = _TEXT(story.date.isoformat()) if story.date else "null"
    source = "null" if story.source is None else _TEXT(story.source)
    duplicate_of = "null" if story.duplicate_of is None else _TEXT(story.duplicate_of)
    entities = "".join([f', "{key}": {_texts(story.terms(key))}' for key in ENTITY_KEYS])
    return (
        f'{{"slug": {_TEXT(story.slug)}, "title": {_TEXT(story.title)}, "date": {date}, "kind": {_TEXT(story.kind)}, '
        f'"source": {source}, "authors": {_texts(story.authors)}{entities}, "summary": {_TEXT(story.summary)}, '
        f'"duplicate_of": {duplicate_of}, "url": {_TEXT(f"stories/{story.slug}/")}}}'
    )


#: json.dumps with an option makes a new encoder at every call (most of its cost for small
#: items); this one is made once. It keeps non-ASCII text as it is.
_ENCODE_TEXT = json.JSONEncoder(ensure_ascii=False).encode


def _json(items: Sequence[object]) -> bytes:
    """A JSON list, one item a line: it diffs well between builds, and json's C encoder writes
    it (an indented file takes its pure-Python encoder: a second for 20,000 stories)."""
    if not items:
        return b"[]\n"
    return ("[\n" + ",\n".join(map(_ENCODE_TEXT, items)) + "\n]\n").encode()


def _csv(stories: Sequence[Story], tally: Tally) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(CSV_COLUMNS)
    header = out.getvalue().encode()
    if not stories:
        return header
    return _joined(header, tally.runs("stories.csv/2", stories, make=csv_rows, merge=b"".join), b"", b"")


def csv_rows(stories: Sequence[Story]) -> bytes:
    """The lines of stories.csv for some stories (the columns of CSV_COLUMNS, lists joined by "; ")."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(map(_csv_row, stories))
    return out.getvalue().encode()


def _csv_row(story: Story) -> list[str]:
    return [
        story.slug,
        story.title,
        story.date.isoformat() if story.date else "",
        story.kind,
        story.source or "",
        "; ".join(story.authors),
        *["; ".join(story.terms(key)) for key in ENTITY_KEYS],
        story.summary,
        story.duplicate_of or "",
        f"stories/{story.slug}/",
    ]


def search_files(stories: Sequence[Story], terms: Mapping[str, tuple[Term, ...]]) -> dict[str, Export]:
    """What the search page filters and orders by, as small static files.

    Pagefind indexes the text; its own filter and sort indexes are not byte-stable from one
    build to the next, so the filters (stories per entity) and dates are written here:
    `search/dates.json` ({slug: date}) and `search/<type>/<entity-slug>.json` ([slug, title,
    date] of each story naming the entity).
    """
    listed = tuple(stories)
    files: dict[str, Export] = {"search/dates.json": (Untallied(functools.partial(_dates_json, listed)), listed)}
    for key, group in terms.items():
        for term in group:
            files[f"search/{key}/{term.slug}.json"] = (functools.partial(_term_json, term), term)
    return files


def _dates_json(stories: Sequence[Story]) -> bytes:
    """A JSON object, one key a line (as _json); dates are written as json writes them by default."""
    dates = {s.slug: s.date.isoformat() if s.date else "" for s in stories}
    if not dates:
        return b"{}\n"
    return ("{\n" + ",\n".join([f"{_TEXT(slug)}: {_ASCII(date)}" for slug, date in dates.items()]) + "\n}\n").encode()


def _term_json(term: Term, tally: Tally) -> bytes:
    if not term.stories:
        return b"[]\n"
    runs = tally.runs("term.json/2", term.stories, make=term_lines, merge=b",\n".join)
    return _joined(b"[\n", runs, b",\n", b"\n]\n")


def term_lines(stories: Sequence[Story]) -> bytes:
    """The lines of an entity's search file for some of its stories: [slug, title, date] each."""
    return ",\n".join(
        [f"[{_TEXT(s.slug)}, {_TEXT(s.title)}, {_TEXT(s.date.isoformat() if s.date else '')}]" for s in stories]
    ).encode()
