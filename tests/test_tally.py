"""Values over long story lists made chunk by chunk (briefing/tally.py) are the values made over
the whole list, from a store or without one; the exports written directly are what json and
csv write."""

from __future__ import annotations

import csv
import dataclasses
import datetime
import hashlib
import io
import json
import random
from collections import Counter
from collections.abc import Callable, Sequence
from itertools import chain
from operator import attrgetter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.cache import Store
from briefing.exports import CSV_COLUMNS, csv_rows, export_files, search_files, story_json
from briefing.model import ENTITY_KEYS, TAXONOMIES, Story
from briefing.render import make_environment, render_page
from briefing.site import SiteInfo, plan_site, stories_per_month
from briefing.tally import CHUNK_END, MIN_STORIES, RUN_END, Tally, add_counts, cut, story_digest
from briefing.taxonomy import COMPANIONS, Term, companions_by_type

ROOT = Path(__file__).resolve().parent.parent
NAMES = ("Japan", "Korea", "Astellas", "Takeda", "iPS cells", "CAR-T", "Ünïcode Ltd", 'Quote "Co"', "a, b; c")


def make_stories(count: int, seed: int) -> list[Story]:
    """Stories with entities drawn from a small vocabulary (so that counts repeat), newest first."""
    rng = random.Random(seed)
    stories = []
    for number in range(count):
        dated = rng.random() > 0.05
        stories.append(
            Story(
                title=f"Story {number} {rng.choice(NAMES)}",
                slug=f"story-{seed}-{number}",
                date=datetime.date(2020, 1, 1) + datetime.timedelta(days=rng.randrange(2000)) if dated else None,
                source=rng.choice((None, "Reuters", "日経")),
                authors=tuple(rng.sample(NAMES, rng.randrange(3))),
                summary=rng.choice(("", 'A summary, with "quotes"\nand a line', "要約")),
                duplicate_of=rng.choice((None, None, "other")),
                **{key: tuple(rng.sample(NAMES, rng.randrange(4))) for key in ENTITY_KEYS},
            )
        )
    return sorted(stories, key=lambda s: s.sort_key)


def term_of(stories: Sequence[Story]) -> Term:
    return Term(TAXONOMIES[-2], "Japan", "japan", tuple(stories), None)


# what the values were before they were made chunk by chunk: the reference they must equal


def plain_companions(term: Term) -> dict[str, list[tuple[str, int]]]:
    made = {}
    for taxonomy in TAXONOMIES:
        counts = Counter(chain.from_iterable(map(attrgetter(taxonomy.plural), term.stories)))
        counts.pop(term.name, None)
        made[taxonomy.plural] = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:COMPANIONS]
    return made


def plain_months(stories: Sequence[Story]) -> list[tuple[str, int]]:
    dates = sorted(s.date for s in stories if s.date)
    if not dates:
        return []
    counts: dict[str, int] = {}
    year, month = dates[0].year, dates[0].month
    while (year, month) <= (dates[-1].year, dates[-1].month):
        counts[f"{year:04d}-{month:02d}"] = 0
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    for date in dates:
        counts[f"{date.year:04d}-{date.month:02d}"] += 1
    return list(counts.items())


def plain_record(story: Story) -> dict[str, object]:
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


def plain_json(items: Sequence[object]) -> str:
    encode = json.JSONEncoder(ensure_ascii=False).encode
    return "[\n" + ",\n".join(map(encode, items)) + "\n]\n" if items else "[]\n"


def plain_csv(stories: Sequence[Story]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for story in stories:
        record = plain_record(story)
        writer.writerow(
            ["; ".join(v) if isinstance(v := record[c], list) else ("" if v is None else v) for c in CSV_COLUMNS]
        )
    return out.getvalue()


def exports_of(stories: Sequence[Story], tally: Tally) -> dict[str, str]:
    """The export files' texts (the files are their UTF-8 bytes)."""
    term = term_of(stories)
    files = {**export_files(stories, {}), **search_files(stories, {"countries": (term,)})}
    made = {}
    for name, (make, _) in files.items():
        made[name] = make(tally).decode("utf-8")
    return made


def values_of(stories: Sequence[Story], tally: Tally) -> tuple[object, ...]:
    term = term_of(stories)
    return companions_by_type(term, tally), stories_per_month(stories, tally), exports_of(stories, tally)


@pytest.mark.parametrize("count", [0, 1, 5, MIN_STORIES - 1, MIN_STORIES, 3000])
def test_values_made_by_chunks_are_the_values_made_whole(tmp_path: Path, count: int) -> None:
    stories = make_stories(count, seed=count)
    term = term_of(stories)
    expected = (
        plain_companions(term),
        plain_months(stories),
        {
            "stories.json": plain_json([plain_record(s) for s in stories]),
            "stories.csv": plain_csv(stories),
            "search/countries/japan.json": plain_json(
                [[s.slug, s.title, s.date.isoformat() if s.date else ""] for s in stories]
            ),
        },
    )
    store = Store(tmp_path / "tally.sqlite")
    assert _without_unchanged(values_of(stories, Tally(None))) == expected
    assert _without_unchanged(values_of(stories, Tally(store))) == expected  # made, and kept
    assert _without_unchanged(values_of(stories, Tally(store))) == expected  # read back


def _without_unchanged(values: tuple[object, ...]) -> tuple[object, ...]:
    """The values, without the exports this module did not change (entities.json, dates.json)."""
    companions, months, exports = values
    assert isinstance(exports, dict)
    return companions, months, {k: v for k, v in exports.items() if k not in ("entities.json", "search/dates.json")}


def counting(make: Callable[[Sequence[Story]], object], made: list[int]) -> Callable[[Sequence[Story]], object]:
    def counted(stories: Sequence[Story]) -> object:
        made.append(len(stories))
        return make(stories)

    return counted


def test_one_new_story_makes_one_chunk_again(tmp_path: Path) -> None:
    stories = make_stories(5000, seed=7)
    tally = Tally(Store(tmp_path / "tally.sqlite"))
    made: list[int] = []
    count = counting(lambda chunk: dict(Counter(s.kind for s in chunk)), made)
    before = tally.over("kinds", stories, make=count, merge=add_counts)  # type: ignore[arg-type]
    assert sum(made) == len(stories)
    for place in (0, 2500, 4999):
        new = dataclasses.replace(stories[place], slug=f"new-{place}", kind="brief")
        more = [*stories[:place], new, *stories[place:]]
        made.clear()
        after = Tally(tally.store).over("kinds", more, make=count, merge=add_counts)  # type: ignore[arg-type]
        assert after == {**before, "brief": before.get("brief", 0) + 1}
        assert 1 <= len(made) <= 2 and sum(made) < 600, made  # the chunk it joined (split in two at most)


def test_chunks_are_cut_by_the_stories_themselves() -> None:
    stories = make_stories(3000, seed=3)
    plan = cut(stories, b"".join(story_digest(s) for s in stories))
    chunks = [chunk for _, run in plan for _, chunk in run]
    assert [s for chunk in chunks for s in chunk] == stories
    assert 20 < len(chunks) < 100  # 64 stories on average
    shorter = stories[1:]
    kept = cut(shorter, b"".join(story_digest(s) for s in shorter))
    keys = {key for _, run in plan for key, _ in run}
    assert len({key for _, run in kept for key, _ in run} - keys) <= 1


def _cut_story_by_story(stories: Sequence[Story], digests: Sequence[bytes]) -> list[tuple[str, list[str]]]:
    """How a list is cut, worked out story by story from the rules: a chunk ends after a story
    whose digest's first byte is below CHUNK_END, a run after one whose first two bytes are below
    RUN_END; each keyed by the digest of its stories' digests (a run, of its chunks' keys)."""
    runs: list[tuple[str, list[str]]] = []
    keys: list[str] = []
    start = 0
    for end, made in enumerate(digests, 1):
        if made[0] < CHUNK_END or end == len(digests):
            keys.append(hashlib.blake2b(b"".join(digests[start:end]), digest_size=16).hexdigest())
            start = end
            if int.from_bytes(made[:2]) < RUN_END or end == len(digests):
                runs.append((hashlib.blake2b("".join(keys).encode(), digest_size=16).hexdigest(), keys))
                keys = []
    return runs


@pytest.mark.parametrize("count", [1, 63, 700, 5000])
def test_a_list_is_cut_where_its_stories_digests_say(count: int) -> None:
    stories = make_stories(count, seed=count)
    digests = [story_digest(s) for s in stories]
    plan = cut(stories, b"".join(digests))
    assert [(run, [key for key, _ in chunks]) for run, chunks in plan] == _cut_story_by_story(stories, digests)
    assert [s for _, chunks in plan for _, chunk in chunks for s in chunk] == stories


def test_a_list_whose_digests_are_given_is_cut_as_one_worked_out_story_by_story() -> None:
    stories = tuple(make_stories(MIN_STORIES * 3, seed=8))
    known = {id(s): hashlib.blake2b(s.slug.encode(), digest_size=16).hexdigest() for s in stories}
    given = b"".join(bytes.fromhex(known[id(s)]) for s in stories)
    worked_out = Tally(None, known)._plan(stories)
    assert Tally(None, known, {id(stories): given})._plan(stories) == worked_out
    assert len(worked_out) >= 1 and sum(len(chunks) for _, chunks in worked_out) > 3
    # digests that are not one for each story are not used
    assert Tally(None, known, {id(stories): given[:-16]})._plan(stories) == worked_out


text = st.text(max_size=30)
names = st.lists(st.text(min_size=1, max_size=12), max_size=3).map(tuple)


@settings(max_examples=200, deadline=None)
@given(
    title=text,
    summary=text,
    source=st.none() | text,
    duplicate_of=st.none() | text,
    authors=names,
    companies=names,
    people=names,
    date=st.none() | st.dates(),
)
def test_records_written_directly_are_what_json_and_csv_write(
    *,
    title: str,
    summary: str,
    source: str | None,
    duplicate_of: str | None,
    authors: tuple[str, ...],
    companies: tuple[str, ...],
    people: tuple[str, ...],
    date: datetime.date | None,
) -> None:
    story = Story(
        title=title,
        slug="a-slug",
        summary=summary,
        source=source,
        duplicate_of=duplicate_of,
        authors=authors,
        companies=companies,
        people=people,
        date=date,
    )
    assert story_json(story) == json.JSONEncoder(ensure_ascii=False).encode(plain_record(story))
    assert CSV_COLUMNS_LINE + csv_rows([story]).decode("utf-8") == plain_csv([story])


CSV_COLUMNS_LINE = ",".join(CSV_COLUMNS) + "\n"


#: the sitemap as its template wrote it before its lines were joined in Python
SITEMAP_LOOP = """<?xml version="1.0" encoding="utf-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{% for url in urls %}
  <url><loc>{{ site.base_url }}{{ url }}</loc></url>
{% endfor %}
</urlset>
"""


@settings(max_examples=50, deadline=None)
@given(urls=st.lists(st.text(max_size=20)), base_url=st.sampled_from(["", "https://example.org/a&b/", "<'\">"]))
def test_the_sitemap_is_what_its_template_loop_wrote(urls: list[str], base_url: str) -> None:
    env = make_environment(ROOT / "templates")
    site = SiteInfo("Title", "Description", base_url)
    loop = env.from_string(SITEMAP_LOOP)
    assert env.get_template("sitemap.xml").render(urls=urls, site=site) == loop.render(urls=urls, site=site)


def test_an_entity_page_is_the_same_from_a_tally_that_keeps_chunks(tmp_path: Path) -> None:
    stories = make_stories(1500, seed=11)
    term = term_of(stories)
    pages = [p for p in plan_site(stories, {"countries": (term,)}, SiteInfo("T", "D", "")) if p.template == "term.html"]
    assert len(pages) > 1
    plain = [render_page(make_environment(ROOT / "templates"), p) for p in pages]
    store = Store(tmp_path / "bodies.sqlite")
    for _ in range(2):  # made and kept, then read back
        assert [render_page(make_environment(ROOT / "templates", bodies=store), p) for p in pages] == plain


def test_a_sweep_forgets_the_chunks_no_list_has_and_keeps_the_rest(tmp_path: Path) -> None:
    from briefing.tally import sweep

    store = Store(tmp_path / "bodies.sqlite")
    tally = Tally(store)
    stories = make_stories(3 * MIN_STORIES, seed=5)
    months = stories_per_month(stories, tally=tally)
    first = set(store.keys("tally:"))
    newer = [dataclasses.replace(stories[0], slug="a-new-story"), *stories]
    assert stories_per_month(newer, tally=Tally(store)) == plain_months(newer)
    grown = set(store.keys("tally:"))
    assert first < grown  # the new story's chunk and run, beside the old ones
    assert sweep(store, [newer]) == len(grown) - len(set(store.keys("tally:"))) > 0
    kept = set(store.keys("tally:"))
    assert kept < grown and kept - first  # the new chunk stays, an old one went
    assert stories_per_month(newer, tally=Tally(store)) == plain_months(newer)
    assert set(store.keys("tally:")) == kept  # nothing the list has was forgotten: nothing made again
    assert sweep(store, [newer]) == 0
    assert months == plain_months(stories)


def test_lists_cut_by_the_digests_the_build_made_give_the_same_values_and_sweep_alike(tmp_path: Path) -> None:
    from briefing.fingerprint import story_digests
    from briefing.tally import sweep

    stories = make_stories(3 * MIN_STORIES, seed=11)
    known = dict(zip(map(id, stories), story_digests(stories), strict=True))
    store = Store(tmp_path / "bodies.sqlite")
    expected = _without_unchanged(values_of(stories, Tally(None)))
    assert _without_unchanged(values_of(stories, Tally(store, known))) == expected  # made, and kept
    kept = set(store.keys("tally:"))
    assert _without_unchanged(values_of(stories, Tally(store, known))) == expected  # read back
    assert set(store.keys("tally:")) == kept  # nothing made again
    assert sweep(store, [stories], known) == 0  # cut as the pages cut them: every chunk is live
    assert sweep(store, [stories]) == len(kept)  # cut by other digests, none is
