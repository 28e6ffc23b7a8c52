"""Values over long story lists, made chunk by chunk and kept between builds. Pure apart from the store.

An entity such as Japan lists ten thousand stories, and its first page shows counts over all
of them (companions, stories per month), as does its search file; a new story then changes
that page in every build. The list is cut into chunks where the stories themselves say (after
a story whose digest starts with a small enough number), so that one new story changes one
chunk and leaves the others as they were, wherever it lands. Each chunk's value is kept by a
digest of its stories; chunks are grouped again into runs (cut likewise, more rarely), whose
merged values are kept as well, so that a rebuild reads a few runs and the chunks of one run,
and makes one chunk.
"""

from __future__ import annotations

import hashlib
import marshal
import operator
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from operator import attrgetter
from pathlib import Path
from typing import TypeVar

from briefing.cache import Store, keep, read_kept
from briefing.model import ENTITY_KEYS, Story

#: everything a tally's value may be made from, out of a story, but its date (a story's digest
#: covers these and the date)
STORY_FIELDS = attrgetter("slug", "title", "kind", "source", "authors", *ENTITY_KEYS, "summary", "duplicate_of")
#: a chunk ends after a story whose digest's first byte is below this: 64 stories on average
CHUNK_END = 4
#: a run of chunks ends after a story whose digest's first two bytes are below this: 512 stories
#: on average (each rebuild keeps a new run of the archive's stories.json and stories.csv: a
#: longer run would make the cache grow faster)
RUN_END = 128
#: the store is swept when the values in it have grown by this much since the last sweep
SWEEP_GROWTH = 1.5
#: lists shorter than this are worked out directly: reading a cache would cost more
MIN_STORIES = 256
V = TypeVar("V")
#: a cut list: per run, its digest and its chunks, each with its digest
Plan = list[tuple[str, list[tuple[str, Sequence[Story]]]]]


#: bytes of a story's digest in a tally (as _digest makes them)
DIGEST = 16
#: the first bytes of a hex digest, as many as _digest makes
_DIGEST_HEX = operator.itemgetter(slice(0, 2 * DIGEST))
#: a first byte of a digest that ends a chunk (below CHUNK_END)
_CHUNK_ENDS = re.compile(b"[%s-%s]" % (re.escape(b"\x00"), re.escape(bytes([CHUNK_END - 1]))))


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=DIGEST).digest()


def cut(stories: Sequence[Story], digests: bytes) -> Plan:
    """Stories cut into runs of chunks after the stories whose digests say so (see CHUNK_END,
    RUN_END); `digests` are the stories' digests, DIGEST bytes each, one after the other.

    Found at C speed: an entity's list of ten thousand stories is cut whenever its page is
    rendered (story by story, the cut took a quarter of the rendering of a rebuild's pages).
    """
    # the stories whose digest's first byte ends a chunk, from the first bytes alone
    ends = [found.end() for found in _CHUNK_ENDS.finditer(digests[::DIGEST])]
    if not ends or ends[-1] != len(stories):
        ends.append(len(stories))
    plan: Plan = []
    chunks: list[tuple[str, Sequence[Story]]] = []
    start = 0
    for end in ends:
        chunks.append((_digest(digests[start * DIGEST : end * DIGEST]).hex(), stories[start:end]))
        start = end
        if int.from_bytes(digests[(end - 1) * DIGEST : (end - 1) * DIGEST + 2]) < RUN_END or end == len(stories):
            plan.append((_digest("".join(key for key, _ in chunks).encode()).hex(), chunks))
            chunks = []
    return plan


def story_digest(story: Story) -> bytes:
    """A digest of what a tally may read of a story (STORY_FIELDS and the date)."""
    # marshal's first format writes every string whole, whatever object holds it (pickle and
    # later formats refer back to an object met before): the same values make the same bytes
    date = story.date.toordinal() if story.date else 0
    return _digest(marshal.dumps((STORY_FIELDS(story), date), 0))


class Tally:
    """Values of story lists worked out chunk by chunk; with a store, chunks and runs are kept.

    `kind` names what is made and the version of how (values of one kind are merged only with
    values of that kind); `make` may read only the STORY_FIELDS and dates of the stories it is given.
    """

    def __init__(
        self, store: Store | None, known: Mapping[int, str] | None = None, lists: Mapping[int, bytes] | None = None
    ) -> None:
        self.store = store
        # by the story's id (kept in _alive, or by whoever gave `known`: an id is not reused);
        # `known` are digests the build has made already (hex, of the whole story, by its id:
        # fingerprint.story_digests), used as they are rather than worked out again: a digest
        # of more than the STORY_FIELDS only makes a tally miss where it need not, never wrong
        self._digests: dict[int, bytes] = {}
        if known:
            self._digests = dict(zip(known, map(bytes.fromhex, map(_DIGEST_HEX, known.values())), strict=True))
        # whole lists' digests, as `cut` reads them, by the list's id (the entities' lists, made
        # with their terms: see taxonomy.all_terms): Japan's 18,000 stories looked up story by
        # story took 20 to 30 ms, the stories being scattered in memory
        self._lists = lists or {}
        self._alive: list[Story] = []
        self._plans: dict[int, tuple[Sequence[Story], Plan]] = {}

    def over(
        self,
        kind: str,
        stories: Sequence[Story],
        *,
        make: Callable[[Sequence[Story]], V],
        merge: Callable[[Sequence[V]], V],
    ) -> V:
        """merge(make(chunk) for each chunk): the value of the whole list, made from its chunks."""
        values = self.runs(kind, stories, make=make, merge=merge)
        return values[0] if len(values) == 1 else merge(values)  # one value as it is, not a merged copy

    def runs(
        self,
        kind: str,
        stories: Sequence[Story],
        *,
        make: Callable[[Sequence[Story]], V],
        merge: Callable[[Sequence[V]], V],
    ) -> list[V]:
        """The values of the list's runs, in order, not merged (`over` merges them): a text tens of
        megabytes long is joined once, with what goes around it, rather than copied again."""
        if self.store is None or len(stories) < MIN_STORIES:
            return [make(stories)]
        plan = self._plan(stories)
        found = self.store.get_many([f"tally:{kind}:{run}" for run, _ in plan])
        values: list[V] = []
        for run, chunks in plan:
            key = f"tally:{kind}:{run}"
            if key not in found:
                # a run's values made, kept in one transaction (a whole list's at once took a
                # worker's memory up by tens of megabytes for the archive's exports)
                kept: list[tuple[str, object]] = []
                found[key] = merge(self._chunks(kind, chunks, make, kept))
                kept.append((key, found[key]))
                self.store.put_many(kept)
            values.append(found[key])
        return values

    def _plan(self, stories: Sequence[Story]) -> Plan:
        """How a list is cut (worked out once per list: an entity's stories make several values)."""
        known = self._plans.get(id(stories))
        if known is None:
            digests = self._lists.get(id(stories))
            if digests is None or len(digests) != DIGEST * len(stories):
                digests = b"".join(self._story_digests(stories))
            known = (stories, cut(stories, digests))
            self._plans[id(stories)] = known
        return known[1]

    def _story_digests(self, stories: Sequence[Story]) -> list[bytes]:
        """Each story's digest: as known, or made (and remembered)."""
        digests = list(map(self._digests.get, map(id, stories)))  # at C speed: lists are long
        if None in digests:
            missing = [story for story, digest in zip(stories, digests, strict=True) if digest is None]
            self._digests.update(zip(map(id, missing), map(story_digest, missing), strict=True))
            self._alive += missing
            digests = list(map(self._digests.get, map(id, stories)))
        return digests  # type: ignore[return-value] # each is remembered now

    def _chunks(
        self,
        kind: str,
        chunks: Sequence[tuple[str, Sequence[Story]]],
        make: Callable[[Sequence[Story]], V],
        kept: list[tuple[str, object]],
    ) -> list[V]:
        """Each chunk's value, from the store or made (and added to `kept`, to be kept)."""
        assert self.store is not None
        keys = [f"tally:{kind}:{digest}" for digest, _ in chunks]
        found = self.store.get_many(keys)
        values = []
        for (_, chunk), key in zip(chunks, keys, strict=True):
            if key not in found:
                found[key] = make(chunk)
                kept.append((key, found[key]))
            values.append(found[key])
        return values


def sweep(store: Store, lists: Iterable[Sequence[Story]], known: Mapping[int, str] | None = None) -> int:
    """Forget the kept values of chunks and runs that none of these lists has any more (every
    story list a build tallies, or more, cut with the digests the build's tallies had: `known`);
    how many were forgotten.

    A new story makes a new chunk and run in each list it joins, and the old ones are never read
    again: without a sweep, the store grows with every build.
    """
    live: set[str] = set()
    cutter = Tally(None, known)
    for stories in lists:
        if len(stories) >= MIN_STORIES:
            for run, chunks in cutter._plan(stories):
                live.add(run)
                live.update(digest for digest, _ in chunks)
    gone = [key for key in store.keys("tally:") if key.rpartition(":")[2] not in live]
    store.delete(gone)
    return len(gone)


def sweep_when_grown(
    store: Store, lists: Iterable[Sequence[Story]], kept: Path, known: Mapping[int, str] | None = None
) -> None:
    """Sweep the store when what it holds has grown by SWEEP_GROWTH since the last sweep, whose
    size is kept in the file `kept`."""
    last = read_kept(kept)
    used = store.used_bytes()
    if isinstance(last, int) and used <= last * SWEEP_GROWTH:
        return
    if isinstance(last, int):
        sweep(store, lists, known)
        used = store.used_bytes()
    keep(kept, used)


def add_counts(parts: Sequence[dict[str, int]]) -> dict[str, int]:
    """Counts of some parts added up (a new dict; the parts are left as they were).

    >>> add_counts([{"a": 1, "b": 2}, {"b": 3}])
    {'a': 1, 'b': 5}
    """
    total = dict(parts[0]) if parts else {}
    for counts in parts[1:]:
        for key, count in counts.items():
            total[key] = total.get(key, 0) + count
    return total


_DATE = attrgetter("date")


def count_months(stories: Sequence[Story]) -> dict[str, int]:
    """How many of some stories are dated in each month ("2025-07"); undated ones are left out."""
    return dict(Counter(f"{date.year:04d}-{date.month:02d}" for date in map(_DATE, stories) if date))
