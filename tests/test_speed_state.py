"""What rebuilds reuse must equal what is made afresh: pickled values, seed listings, copies."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import os
import pickle
import subprocess
import sys
from array import array
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from briefing.cache import StatusMemo
from briefing.canonical import _ACRONYM as ACRONYM
from briefing.canonical import unify_names
from briefing.compose import Discoveries, Draft, Trace, kept_entities, lightened, pack_removals, pack_text, text_of
from briefing.content import Content, ContentFile, named_story_files
from briefing.dedupe import (
    MIN_CONTAINMENT,
    SAMPLE_EVERY,
    Fingerprint,
    Verdicts,
    candidate_pairs,
    find_copies,
    fingerprint,
    pair_key,
)
from briefing.entities import find_entities, load_index
from briefing.ingest import _IGNORED_NAMES, discover_named
from briefing.model import RawArticle, Removal, Story, replaced
from briefing.pipeline import shown, shown_prefix
from briefing.reconcile import plan_content
from briefing.registry import Entry

texts = st.text(max_size=30)
names = st.lists(st.text(min_size=1, max_size=12), max_size=3).map(tuple)
dates = st.none() | st.dates(min_value=datetime.date(1990, 1, 1), max_value=datetime.date(2100, 1, 1))


@given(line=st.integers(min_value=0, max_value=10**9), text=texts, rule=texts)
def test_a_removal_pickles_to_an_equal_removal(line: int, text: str, rule: str) -> None:
    removal = Removal(line, text, rule)
    assert pickle.loads(pickle.dumps(removal, protocol=pickle.HIGHEST_PROTOCOL)) == removal


stories = st.builds(
    Story,
    title=texts,
    slug=texts,
    date=dates,
    companies=names,
    part=st.none() | st.integers(1, 50),
    hidden=st.booleans(),
    body=texts,
    seed=st.none() | texts,
)


@given(stories)
def test_a_story_pickles_to_an_equal_story(story: Story) -> None:
    again = pickle.loads(pickle.dumps(story, protocol=pickle.HIGHEST_PROTOCOL))
    assert again == story and repr(again) == repr(story)


def test_a_pickled_state_of_another_length_is_refused() -> None:
    """A cache written by another layout of a class is a ValueError, which the caches read as a miss."""
    with pytest.raises(ValueError, match="Removal: expected 3 values, got 2"):
        Removal.__new__(Removal).__setstate__((1, "a"))


@given(st.lists(st.integers(min_value=0, max_value=2**32 - 1), unique=True).map(sorted))
def test_a_fingerprints_sample_is_its_shingles_that_the_index_keeps(shingles: list[int]) -> None:
    made = Fingerprint.of(array("I", shingles))
    assert list(made.sample) == [s for s in shingles if s % SAMPLE_EVERY == 0]
    assert made.digest == hashlib.blake2b(array("I", shingles).tobytes(), digest_size=16).digest()
    assert pickle.loads(pickle.dumps(made)) == made


_WORDS = [f"w{n}" for n in range(400)]
_PAIRS_BODIES = [" ".join(_WORDS[i * 10 : i * 10 + 60]) for i in range(30)] + [" ".join(_WORDS[:60])] * 25


def test_candidate_pairs_are_those_of_posting_lists_of_at_most_twenty_stories() -> None:
    prints = [fingerprint(body) for body in _PAIRS_BODIES]
    postings: dict[int, list[int]] = {}
    for number, made in enumerate(prints):
        if len(made.shingles) >= 20:
            for shingle in made.shingles:
                if shingle % SAMPLE_EVERY == 0:
                    postings.setdefault(shingle, []).append(number)
    expected = sorted(
        {(a, b) for found in postings.values() if len(found) <= 20 for a in found for b in found if a < b}
    )
    found = candidate_pairs(prints)
    assert sorted(found) == expected and len(found) == len(expected)  # each pair once
    # in the same order in every run, whatever the hash seed: the kept verdicts are written in it
    script = f"from briefing.dedupe import candidate_pairs, fingerprint; print(candidate_pairs([fingerprint(x) for x in {_PAIRS_BODIES!r}]))"
    runs = {
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).parent.parent,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }
    assert runs == {f"{found}\n"}


def test_the_pairs_compared_are_grouped_by_their_first_story() -> None:
    """Each story's shingles are made a set once for all its pairs (compared in the pairs' own
    order, a build from nothing took twice the time), and pairs with a kept verdict are not compared."""
    prints = [fingerprint(body) for body in _PAIRS_BODIES]
    stories = [Story(title=f"S{n}", slug=f"s{n}", seed=f"s{n}.txt") for n in range(len(prints))]
    given: list[tuple[int, int]] = []

    def compare(_: Sequence[Fingerprint], pairs: Sequence[tuple[int, int]]) -> list[bool]:
        given.extend(pairs)
        return [False] * len(pairs)

    find_copies(stories, prints, compare=compare)
    firsts = [a for a, _ in given]
    assert len(given) == len(candidate_pairs(prints)) > 10 and firsts == sorted(firsts)
    kept = {pair_key(prints[a], prints[b]): False for a, b in given[:5]}
    given.clear()
    find_copies(stories, prints, verdicts=Verdicts(kept), compare=compare)
    assert len(given) == len(candidate_pairs(prints)) - len(kept)


@pytest.mark.parametrize("folder", ["seeds", "./seeds", ".", "", "/", "//", "/tmp/x/", "a/../b"])
def test_shown_prefix_is_what_shown_puts_before_a_name(folder: str) -> None:
    assert shown_prefix(Path(folder)) + "a/b.txt" == shown(Path(folder), Path(folder) / "a" / "b.txt")


def _walked(seeds_dir: Path) -> list[tuple[str, Path]]:
    """Seeds as the earlier listing found them (os.walk and a stat a file): the reference."""
    found: list[tuple[str, Path]] = []
    for folder, subfolders, files in os.walk(seeds_dir):
        subfolders[:] = [name for name in subfolders if not _IGNORED_NAMES.match(name)]
        base = Path(folder)
        prefix = base.relative_to(seeds_dir).as_posix() + "/" if base != seeds_dir else ""
        found.extend((prefix + name, base / name) for name in files if not _IGNORED_NAMES.match(name))
    found.sort(key=lambda pair: pair[0])
    return [(name, path) for name, path in found if path.is_file()]


def folder_to_list(folder: Path, names: Sequence[str], *, outside: str) -> Path:
    """A folder holding files of these names, and a link ("linked") to a folder beside it that
    holds the file `outside`: a link to a folder is not followed."""
    for name in names:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("x", encoding="utf-8")
    elsewhere = folder.parent / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / outside).write_text("x", encoding="utf-8")
    (folder / "linked").symlink_to(elsewhere)
    return folder


def test_discover_named_lists_what_a_walk_of_the_folder_lists(tmp_path: Path) -> None:
    seeds = folder_to_list(
        tmp_path / "seeds",
        ("b.txt", "a.html", "sub/c.txt", "sub/deeper/d.txt", ".hidden/e.txt", "sub/.f.txt", "g~", "README"),
        outside="h.txt",
    )
    (seeds / "file-link.txt").symlink_to(seeds / "b.txt")  # a link to a file: a seed
    (seeds / "broken.txt").symlink_to(tmp_path / "missing")  # a broken link: not a seed
    found = discover_named(seeds)
    assert [(name, Path(path)) for name, path in found] == _walked(seeds)
    assert [name for name, _ in found] == ["a.html", "b.txt", "file-link.txt", "sub/c.txt", "sub/deeper/d.txt"]
    assert discover_named(tmp_path / "none") == []


def test_named_story_files_lists_what_rglob_finds(tmp_path: Path) -> None:
    content = folder_to_list(
        tmp_path / "content",
        ("b.md", "a.md", "notes.txt", ".hidden.md", "sub/c.md", ".dot/d.md", "sub/deeper/e.md", "x.md/f.md"),
        outside="g.md",
    )
    (content / "link.md").symlink_to(content / "a.md")
    expected = sorted(content.rglob("*.md"), key=lambda path: path.relative_to(content).as_posix())
    found = named_story_files(content)
    assert [Path(path) for _, path in found] == expected
    assert [name for name, _ in found] == [path.relative_to(content).as_posix() for path in expected]
    assert named_story_files(tmp_path / "none") == []


def _files(folder: Path, count: int) -> list[Path]:
    folder.mkdir(exist_ok=True)
    made = [folder / f"{number:03}.md" for number in range(count)]
    for path in made:
        path.write_text(path.name, encoding="utf-8")
    return made


def _remembered(memory: Path, files: list[Path], value: str) -> None:
    memo: StatusMemo[str] = StatusMemo(memory, settle_ns=0)
    for path in files:
        if memo.known(path) is None:
            memo.remember(path, f"{value} {path.name}")
    memo.save()


def test_a_memory_keeps_a_few_changes_apart_and_reads_them_back(tmp_path: Path) -> None:
    memory = tmp_path / "memo.status"
    files = _files(tmp_path / "content", 100)
    _remembered(memory, files, "first")
    whole = memory.read_bytes()
    files += _files(tmp_path / "more", 2)
    files[0].write_text("changed", encoding="utf-8")
    files[5].unlink()
    del files[5]
    _remembered(memory, files, "second")
    assert memory.read_bytes() == whole  # one file added, one changed, one gone: only the changes written
    assert memory.with_name("memo.status.changes").exists()
    again: StatusMemo[str] = StatusMemo(memory, settle_ns=0)
    assert [again.known(path) for path in files] == [
        f"{'second' if path == files[0] or path.parent.name == 'more' else 'first'} {path.name}" for path in files
    ]
    again.save()  # nothing new: nothing written
    assert StatusMemo[str](memory).known(files[1]) == "first 001.md"


def test_many_changes_write_the_memory_whole_and_stale_changes_are_not_applied(tmp_path: Path) -> None:
    memory = tmp_path / "memo.status"
    files = _files(tmp_path / "content", 100)
    _remembered(memory, files, "first")
    changes = memory.with_name("memo.status.changes")
    files[0].write_text("changed", encoding="utf-8")
    _remembered(memory, files, "second")
    stale = changes.read_bytes()  # changes to the memory as it was
    for path in files:
        path.write_text("all changed", encoding="utf-8")
    _remembered(memory, files, "third")
    assert not changes.exists()  # written whole: the changes are in it
    changes.write_bytes(stale)  # as a build killed between the two writes would leave them
    assert StatusMemo[str](memory).known(files[0]) == "third 000.md"


def _unified_one_story_at_a_time(drafts: list[Draft]) -> list[Story]:
    """The names unify_names gave before it joined each entity's spellings once: the reference."""
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def root(node: tuple[str, str]) -> tuple[str, str]:
        parent.setdefault(node, node)
        while parent[node] != node:
            node = parent[node]
        return node

    usage: Counter[tuple[str, str]] = Counter()
    for draft in drafts:
        for entry in draft.entities.discovered:
            usage[entry.kind, entry.name] += 1
            for spelling in (entry.name, *entry.aliases):
                parent[root((entry.kind, entry.name))] = root((entry.kind, "\0" + spelling.casefold()))
    groups: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for name in usage:
        groups.setdefault(root(name), []).append(name)
    rename = {}
    for names in groups.values():
        best = max(names, key=lambda n: (usage[n], bool(ACRONYM.match(n[1])), len(n[1]), n[1]))
        rename.update({name: best[1] for name in names if name != best})
    return [
        dataclasses.replace(
            draft.story,
            companies=tuple(dict.fromkeys(rename.get(("companies", n), n) for n in draft.story.companies)),
        )
        for draft in drafts
    ]


SPELLINGS = ("NKGen", "NKGen Biotech", "NKGEN", "DCB", "Development Center", "dcb", "Heka")


@given(st.lists(st.lists(st.tuples(st.sampled_from(SPELLINGS), st.sets(st.sampled_from(SPELLINGS))), max_size=3)))
def test_unify_names_joins_each_entitys_spellings_once_as_it_joined_them_story_by_story(
    stories: list[list[tuple[str, set[str]]]],
) -> None:
    drafts = []
    for number, found in enumerate(stories):
        entries = tuple(Entry("companies", name, tuple(sorted(aliases - {name}))) for name, aliases in found)
        story = Story(
            title=f"{number}", slug="", seed=f"{number}.txt", companies=tuple(dict.fromkeys(n for n, _ in found))
        )
        article = RawArticle(f"{number}.txt", "", "text", "0", "utf-8")
        trace = Trace(None, pack_text(""), (), (), pack_removals(()), 0)
        kept = Discoveries((), tuple((entry.kind, entry.name, entry.aliases) for entry in entries))
        drafts.append(Draft(story, trace, kept, article, Fingerprint.of(array("I"))))
    assert [draft.story for draft in unify_names(drafts)] == _unified_one_story_at_a_time(drafts)


@given(st.lists(st.tuples(st.integers(1, 10_000), st.text(max_size=40), st.sampled_from(["promo", "byline", "ad"]))))
def test_a_trace_gives_back_the_removals_it_packed(removed: list[tuple[int, str, str]]) -> None:
    from briefing.model import Removal

    removals = tuple(Removal(line, text, rule) for line, text, rule in removed)
    trace = Trace(None, pack_text(""), (), (), pack_removals(removals), len(removals))
    assert pickle.loads(pickle.dumps(trace)).removed == removals


@given(st.text())
def test_a_trace_gives_back_the_text_it_packed(text: str) -> None:
    trace = Trace(None, pack_text(text), (), (), pack_removals(()), 0)
    assert pickle.loads(pickle.dumps(trace)).body_text == text


@given(stories, st.text(max_size=8), st.none() | st.text(max_size=8), dates)
def test_replaced_makes_what_dataclasses_replace_makes(
    story: Story, slug: str, copied: str | None, date: object
) -> None:
    made = replaced(story, slug=slug, duplicate_of=copied, date=date)
    expected = dataclasses.replace(story, slug=slug, duplicate_of=copied, date=date)  # type: ignore[arg-type]
    assert made == expected and repr(made) == repr(expected) and type(made) is Story


def test_replaced_refuses_a_name_that_is_not_a_field() -> None:
    with pytest.raises(TypeError):
        replaced(Story(title="t", slug="s"), sluggy="x")


def _placed_by_replace(drafts: list[Draft], plan_slugs: list[str], copies: dict[int, int]) -> list[Story]:
    """The stories plan_content gave before it took a story file's own story when equal: the reference."""
    made = []
    for number, draft in enumerate(drafts):
        story = dataclasses.replace(draft.story, slug=plan_slugs[number])
        if number in copies:
            original = copies[number]
            story = dataclasses.replace(
                story, duplicate_of=plan_slugs[original], date=story.date or drafts[original].story.date
            )
        made.append(story)
    return made


@given(
    st.lists(
        st.tuples(texts, dates, st.sampled_from(["same", "other-title", "other-copy", "none", "edited"])), max_size=6
    ),
    st.dictionaries(st.integers(0, 5), st.integers(0, 5), max_size=3),
)
def test_plan_content_places_each_story_as_replacing_its_values_would(
    rows: list[tuple[str, datetime.date | None, str]], wanted: dict[int, int]
) -> None:
    """A story file's own story stands for the draft's only when equal to it field by field;
    whatever it is, the planned stories and writes are those the values give."""
    copies = {a: b for a, b in wanted.items() if a < len(rows) and b < len(rows) and a != b and b not in wanted}
    drafts = []
    for number, (title, date, _) in enumerate(rows):
        story = Story(title=title, slug="", seed=f"{number}.txt", date=date, body=f"body {number}", seed_hash="h")
        article = RawArticle(f"{number}.txt", "", "text", "h", "utf-8")
        trace = Trace(None, pack_text(""), (), (), pack_removals(()), 0)
        drafts.append(Draft(story, trace, Discoveries((), ()), article, Fingerprint.of(array("I"))))
    slugs = [f"s{number}" for number in range(len(rows))]
    expected = _placed_by_replace(drafts, slugs, copies)
    files = []
    for number, (_, _, how) in enumerate(rows):
        filed = expected[number]
        if how == "none":
            continue
        if how == "other-title":
            filed = dataclasses.replace(filed, title=filed.title + "!")
        if how == "other-copy":
            filed = dataclasses.replace(filed, duplicate_of=None if filed.duplicate_of else "s0")
        filed = dataclasses.replace(filed, slug=slugs[number])
        path = Path(f"content/{slugs[number]}.md")
        files.append(ContentFile(str(path), path.as_posix(), filed, how != "edited", filed.seed, filed.part))
    plan = plan_content(drafts, Content(tuple(files), ()), copies, composed_seeds=set())
    slugs = [story.slug for story in plan.stories]
    assert list(plan.stories) == _placed_by_replace(drafts, slugs, copies)
    by_seed = {file.seed: file for file in files}
    expected_writes = []
    for story in plan.stories:
        file = by_seed.get(story.seed)
        if file is None or (file.pristine and file.story != story):
            expected_writes.append(file.path.name if file is not None else f"{story.slug}.md")
    assert [name for name, _ in plan.writes] == expected_writes
    # the same drafts read back light: the stories take their text from the files that hold it,
    # and the others' texts are asked for
    asked: list[str | None] = []

    def texts(lacking: Sequence[Draft]) -> list[tuple[str, str]]:
        asked.extend(draft.story.seed for draft in lacking)
        return [text_of(drafts[int((draft.story.seed or "").split(".")[0])].story) for draft in lacking]

    light = [lightened(draft) for draft in drafts]
    assert all(draft.light and not draft.story.body for draft in light)
    assert plan_content(light, Content(tuple(files), ()), copies, composed_seeds=set(), texts=texts) == plan
    assert asked == [f"{number}.txt" for number, (_, _, how) in enumerate(rows) if how == "none"]


def test_a_draft_keeps_discoverys_first_mentions_and_entries_as_found() -> None:
    body = (
        "Varnell Therapeutics Inc. said on Monday that Kaiyo Pharma would license its gene therapy. "
        "Dr. Emiko Tanabe, who leads Kaiyo Pharma, said the deal matters."
    )
    entities = find_entities("Varnell Therapeutics and Kaiyo Pharma sign a deal", body, load_index())
    kept = pickle.loads(pickle.dumps(kept_entities(entities), protocol=pickle.HIGHEST_PROTOCOL))
    first: dict[tuple[str, str], object] = {}
    for mention in entities.mentions:
        if mention.origin == "discovery":
            first.setdefault((mention.kind, mention.name), mention)
    assert kept.mentions == tuple(first.values()) and len(kept.mentions) == 3
    assert kept.discovered == entities.discovered and len(kept.discovered) == 3


def test_unify_names_keeps_the_drafts_it_renames_nothing_in() -> None:
    short, full = Entry("companies", "NKGen", ("NKGen Biotech",)), Entry("companies", "NKGen Biotech")
    drafts = []
    for number, names in enumerate((("NKGen",), ("NKGen Biotech",), ("NKGen Biotech",), ("Heka",))):
        story = Story(title=f"{number}", slug="", seed=f"{number}.txt", companies=names)
        article = RawArticle(f"{number}.txt", "", "text", "0", "utf-8")
        trace = Trace(None, pack_text(""), (), (), pack_removals(()), 0)
        found = ((short,), (full,), (full,), (Entry("companies", "Heka"),))[number]
        kept = Discoveries((), tuple((entry.kind, entry.name, entry.aliases) for entry in found))
        drafts.append(Draft(story, trace, kept, article, Fingerprint.of(array("I"))))
    unified = unify_names(drafts)
    assert [draft.story.companies for draft in unified] == [("NKGen Biotech",)] * 3 + [("Heka",)]
    assert unified[1] is drafts[1] and unified[3] is drafts[3] and unified[0] is not drafts[0]


def _copies_pair_by_pair(
    stories: list[Story], prints: list[Fingerprint], known: dict[bytes, bool]
) -> tuple[dict[int, int], dict[bytes, bool]]:
    """What find_copies gave when it looked each pair's verdict up one by one: the reference."""
    import hashlib

    parent = list(range(len(stories)))

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    used = {}
    for a, b in sorted(set(candidate_pairs(prints))):
        key = b"".join(hashlib.blake2b(prints[n].shingles.tobytes(), digest_size=16).digest() for n in (a, b))
        copied = known.get(key)
        if copied is None:
            shared = len(set(prints[a].shingles) & set(prints[b].shingles))
            copied = shared >= MIN_CONTAINMENT * min(len(prints[a].shingles), len(prints[b].shingles))
        used[key] = copied
        if copied:
            parent[root(b)] = root(a)
    groups: dict[int, list[int]] = {}
    for i in range(len(stories)):
        groups.setdefault(root(i), []).append(i)
    copies = {}
    for members in groups.values():
        rank = [
            ((s.date.toordinal() if s.date else 10**7), -len(prints[i].shingles), s.seed)
            for i, s in ((i, stories[i]) for i in members)
        ]
        original = members[rank.index(min(rank))]
        copies.update({i: original for i in members if i != original})
    return copies, used  # type: ignore[return-value]


WORDS = [f"w{number}" for number in range(40)]
#: texts that stories share whole or in part, so that some are copies and some are not
BASES = [[WORDS[(number * step) % 37] for number in range(60)] for step in (3, 5, 7)]


@given(
    st.lists(st.tuples(st.integers(0, 2), st.integers(0, 60), st.lists(st.sampled_from(WORDS), max_size=60), dates)),
    st.randoms(use_true_random=False),
)
def test_find_copies_finds_what_comparing_pair_by_pair_finds(
    rows: list[tuple[int, int, list[str], datetime.date | None]], random: object
) -> None:
    stories = [
        Story(title=str(n), slug="", seed=f"{n:02}.txt", date=date, body=" ".join(BASES[base][:cut] + words))
        for n, (base, cut, words, date) in enumerate(rows[:14])
    ]
    prints = [fingerprint(story.body) for story in stories]
    everything = _copies_pair_by_pair(stories, prints, {})[1]
    known = {key: verdict for key, verdict in everything.items() if random.random() < 0.5}  # type: ignore[attr-defined]
    expected, used = _copies_pair_by_pair(stories, prints, known)
    verdicts = Verdicts(dict(known))
    assert find_copies(stories, prints, verdicts=verdicts) == expected
    assert verdicts.used == used


#: names of seeds as the seeds folder's listing makes them: /-separated, no "." or ".." part
seed_names = st.lists(
    st.text(st.characters(blacklist_characters="/\0", blacklist_categories=("Cs",)), min_size=1, max_size=6).filter(
        lambda part: part not in (".", "..")
    ),
    min_size=1,
    max_size=4,
).map("/".join)


@given(seed_names)
def test_a_seeds_site_is_its_folder_as_a_path_names_it(name: str) -> None:
    from pathlib import PurePosixPath

    from briefing.recurring import site_of

    story = Story(title="t", slug="", seed=name)
    draft = Draft(story, Trace(None, pack_text(""), (), (), pack_removals(()), 0), Discoveries((), ()), None, None)  # type: ignore[arg-type]
    folder = PurePosixPath(name).parent.as_posix()
    assert site_of(draft) == (folder if folder not in ("", ".") else None)
