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
import pickle
from collections import Counter
from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import TypeVar

from briefing.cache import Store
from briefing.model import ENTITY_KEYS, Story

#: everything a tally's value may be made from, out of a story (its digest covers these)
STORY_FIELDS = attrgetter("slug", "title", "date", "kind", "source", "authors", *ENTITY_KEYS, "summary", "duplicate_of")
#: a chunk ends after a story whose digest's first byte is below this: 64 stories on average
CHUNK_END = 4
#: a run of chunks ends after a story whose digest's first two bytes are below this: 2,048 on average
RUN_END = 32
#: lists shorter than this are worked out directly: reading a cache would cost more
MIN_STORIES = 256
V = TypeVar("V")
#: a cut list: per run, its digest and its chunks, each with its digest
Plan = list[tuple[str, list[tuple[str, Sequence[Story]]]]]


def _digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def cut(stories: Sequence[Story], digests: Sequence[bytes]) -> Plan:
    """Stories cut into runs of chunks after the stories whose digests say so (see CHUNK_END, RUN_END)."""
    plan: Plan = []
    chunks: list[tuple[str, Sequence[Story]]] = []
    start = 0
    for number, digest in enumerate(digests, 1):
        if digest[0] >= CHUNK_END and number < len(digests):
            continue
        chunks.append((_digest(b"".join(digests[start:number])).hex(), stories[start:number]))
        start = number
        if int.from_bytes(digest[:2]) < RUN_END or number == len(digests):
            plan.append((_digest("".join(key for key, _ in chunks).encode()).hex(), chunks))
            chunks = []
    return plan


class Tally:
    """Values of story lists worked out chunk by chunk; with a store, chunks and runs are kept.

    `kind` names what is made and the version of how (values of one kind are merged only with
    values of that kind); `make` may read only the STORY_FIELDS of the stories it is given.
    """

    def __init__(self, store: Store | None) -> None:
        self.store = store
        self._digests: dict[int, tuple[Story, bytes]] = {}  # the story is kept: its id is not reused
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
        if self.store is None or len(stories) < MIN_STORIES:
            return make(stories)
        plan = self._plan(stories)
        found = self.store.get_many([f"tally:{kind}:{run}" for run, _ in plan])
        values: list[V] = []
        for run, chunks in plan:
            key = f"tally:{kind}:{run}"
            if key not in found:
                found[key] = merge(self._chunks(kind, chunks, make))
                self.store.put(key, found[key])
            values.append(found[key])
        return merge(values)

    def _plan(self, stories: Sequence[Story]) -> Plan:
        """How a list is cut (worked out once per list: an entity's stories make several values)."""
        known = self._plans.get(id(stories))
        if known is None:
            known = (stories, cut(stories, [self._story_digest(story) for story in stories]))
            self._plans[id(stories)] = known
        return known[1]

    def _story_digest(self, story: Story) -> bytes:
        known = self._digests.get(id(story))
        if known is None:
            known = (story, _digest(pickle.dumps(STORY_FIELDS(story), protocol=pickle.HIGHEST_PROTOCOL)))
            self._digests[id(story)] = known
        return known[1]

    def _chunks(
        self, kind: str, chunks: Sequence[tuple[str, Sequence[Story]]], make: Callable[[Sequence[Story]], V]
    ) -> list[V]:
        """Each chunk's value, from the store or made (and kept)."""
        assert self.store is not None
        keys = [f"tally:{kind}:{digest}" for digest, _ in chunks]
        found = self.store.get_many(keys)
        values = []
        for (_, chunk), key in zip(chunks, keys, strict=True):
            if key not in found:
                found[key] = make(chunk)
                self.store.put(key, found[key])
            values.append(found[key])
        return values


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
