"""Syndicated copies: spot stories that re-publish the same text. Pure.

Each story's body becomes a set of hashed five-word shingles; stories that share most of
the smaller one's shingles are copies. Candidate pairs come from an inverted index of a
fixed sample of shingles, so the cost grows with the archive, not with its square.
"""

from __future__ import annotations

import hashlib
import operator
import re
import zlib
from array import array
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain, combinations, compress, repeat

from briefing.model import Story

SHINGLE_WORDS = 5
#: keep one shingle hash in this many for the candidate index (a deterministic sample)
SAMPLE_EVERY = 4
#: share of the shorter story's shingles that the longer one must contain
MIN_CONTAINMENT = 0.5
#: a sampled shingle shared by more stories than this is ignored when pairing candidates
MAX_POSTING = 20
#: stories shorter than this many shingles are too short to call copies
MIN_SHINGLES = 20
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """A story's shingle hashes, sorted and unique, four bytes each (a set of Python ints
    would take twenty times the memory, and an archive's fingerprints are held together).

    Pickled as the arrays' bytes: an array pickles as a call that remakes it from a list of
    ints, and a rebuild of 20,000 stories read 40,000 of them back from the compose cache.
    """

    shingles: array[int]
    #: those of them the candidate index uses (see `sampled`): chosen once, when the story is
    #: composed, not on every build (choosing them was most of finding an archive's copies)
    sample: array[int]
    #: the digest of its shingles, what its verdicts are kept by: made once, when the story is
    #: composed (a rebuild of 20,000 stories made fifteen thousand of them again)
    digest: bytes

    @classmethod
    def of(cls, shingles: array[int]) -> Fingerprint:
        return cls(
            shingles, array("I", sampled(shingles)), hashlib.blake2b(shingles.tobytes(), digest_size=16).digest()
        )

    def __getstate__(self) -> tuple[bytes, bytes, bytes]:
        return self.shingles.tobytes(), self.sample.tobytes(), self.digest

    def __setstate__(self, state: tuple[bytes, bytes, bytes]) -> None:
        if len(state) != 3:  # noqa: PLR2004 - its two arrays and its digest
            raise ValueError(f"Fingerprint: expected 3 values, got {len(state)}")
        _SET_SHINGLES(self, array("I", state[0]))
        _SET_SAMPLE(self, array("I", state[1]))
        _SET_DIGEST(self, state[2])


#: how a Fingerprint's unpickling sets its (frozen) fields: by their slots' own descriptors
_SET_SHINGLES = getattr(Fingerprint, "shingles").__set__  # noqa: B009 - the slot's descriptor, not a field
_SET_SAMPLE = getattr(Fingerprint, "sample").__set__  # noqa: B009
_SET_DIGEST = getattr(Fingerprint, "digest").__set__  # noqa: B009


def fingerprint(text: str) -> Fingerprint:
    """Hash a text's five-word shingles (case and punctuation ignored)."""
    words = list(map(str.casefold, _WORD.findall(text)))
    # the shingles are the words zipped with themselves shifted by 1, 2, 3 and 4: all in C
    shingles = map(" ".join, zip(*(words[shift:] for shift in range(SHINGLE_WORDS)), strict=False))
    return Fingerprint.of(array("I", sorted(set(map(zlib.crc32, map(str.encode, shingles))))))


def story_fingerprint(story: Story) -> Fingerprint:
    """What a story is compared by: its body's shingles (a brief is never a copy)."""
    return fingerprint(story.body) if story.kind == "article" else Fingerprint.of(array("I"))


@dataclass(slots=True)
class Verdicts:
    """Whether pairs of fingerprints make copies, as found in earlier builds: comparing a pair
    is most of the work, and a rebuild has nearly all its pairs already compared.

    Keyed by the two fingerprints' digests, joined (`pair_key`); `used` collects this build's
    verdicts, to be kept.
    """

    known: dict[bytes, bool] = field(default_factory=dict)
    used: dict[bytes, bool] = field(default_factory=dict)


def pair_key(first: Fingerprint, second: Fingerprint) -> bytes:
    """What the verdict on a pair of fingerprints is kept by: their digests, joined (as one
    string of bytes, a hundred thousand pairs are made and looked up in a third of the time a
    tuple of two took)."""
    return first.digest + second.digest


#: how the pairs not compared in earlier builds are compared: compared, or the same split
#: across processes (the fingerprints and the pairs, by place; whether each pair makes copies)
Compare = Callable[[Sequence[Fingerprint], Sequence[tuple[int, int]]], list[bool]]


def find_copies(
    stories: Sequence[Story],
    prints: Sequence[Fingerprint] | None = None,
    *,
    verdicts: Verdicts | None = None,
    compare: Compare | None = None,
) -> dict[int, int]:
    """Map the index of each copy to the index of the story it copies.

    `prints` are the stories' fingerprints when they are known already (kept with the drafts);
    `verdicts` are pairs compared in earlier builds (this build's are added to its `used`);
    `compare` compares the others (`compared` by default).
    The original of a group is the one published first (dated before undated), then the
    longest, then the first by seed path: a stable choice whatever the input order.
    """
    verdicts = verdicts if verdicts is not None else Verdicts()
    if prints is None:
        prints = [story_fingerprint(story) for story in stories]
    parent = list(range(len(stories)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    pairs = candidate_pairs(prints)
    # each pair's verdict: as kept, or found now (a rebuild has nearly all of them kept: they are
    # looked up at C speed, a hundred thousand pairs at 20,000 stories)
    firsts, seconds = list(map(operator.itemgetter(0), pairs)), list(map(operator.itemgetter(1), pairs))
    digests = [print_.digest for print_ in prints]
    keys = list(map(bytes.__add__, map(digests.__getitem__, firsts), map(digests.__getitem__, seconds)))  # pair_key
    kept = list(map(verdicts.known.get, keys))
    new = [place for place, verdict in enumerate(kept) if verdict is None]
    # compared in the order of their first stories, each story's shingles made a set once for
    # all its pairs (in the pairs' own order, a build from nothing compared them in twice the time)
    new.sort(key=firsts.__getitem__)
    for place, verdict in zip(new, (compare or compared)(prints, [pairs[place] for place in new]), strict=True):
        kept[place] = verdict
    copied = list(map(bool, kept))
    verdicts.used.update(zip(keys, copied, strict=True))
    for a, b in compress(pairs, copied):
        parent[root(b)] = root(a)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(stories)):
        groups[root(i)].append(i)
    copies: dict[int, int] = {}
    for members in groups.values():
        if len(members) > 1:
            original = min(members, key=lambda i: _original_rank(stories[i], len(prints[i].shingles)))
            copies.update({i: original for i in members if i != original})
    return copies


def compared(prints: Sequence[Fingerprint], pairs: Sequence[tuple[int, int]]) -> list[bool]:
    """Whether each pair of stories (by their place) makes copies: most of the shorter one's
    shingles are the longer one's (a cold build of 20,000 stories compares a hundred thousand
    pairs; a rebuild, the few new ones)."""
    shingles: dict[int, set[int]] = {}  # a story's shingles as a set, made once
    verdicts = []
    for a, b in pairs:
        mine = shingles[a] if a in shingles else shingles.setdefault(a, set(prints[a].shingles))
        verdicts.append(
            len(mine.intersection(prints[b].shingles)) >= MIN_CONTAINMENT * min(len(mine), len(prints[b].shingles))
        )
    return verdicts


def candidate_pairs(prints: Sequence[Fingerprint]) -> list[tuple[int, int]]:
    """The pairs of stories (by their place, a < b) that share a sampled shingle found in at
    most MAX_POSTING stories: a shingle found in many is a stock phrase ("did not disclose the
    terms"), not a sign of copying.

    Each pair once, in an order the same prints always give (a set of pairs of ints is
    iterated in the same order in every run), not sorted: the copies found do not depend on
    it, and sorting a hundred thousand pairs took a third of the time (a rebuild's pairs are
    nearly all compared already; find_copies orders those it compares).
    """
    samples = [(number, print_.sample) for number, print_ in enumerate(prints) if len(print_.shingles) >= MIN_SHINGLES]
    # how many stories sample each shingle, counted in C (a story samples each of its shingles
    # once): only the shingles of two to MAX_POSTING stories get posting lists (a stock phrase's
    # list of thousands of stories was most of the work)
    counts = Counter(chain.from_iterable(sample for _, sample in samples))
    indexed = {shingle for shingle, count in counts.items() if 1 < count <= MAX_POSTING}
    index: defaultdict[int, list[int]] = defaultdict(list)
    for number, sample in samples:
        # each of its indexed shingles' posting lists gets the story's number: at C speed
        deque(map(list.append, map(index.__getitem__, indexed.intersection(sample)), repeat(number)), maxlen=0)
    # a story's numbers are appended in order, so each posting list is sorted and its pairs have a < b
    pairs: Iterable[tuple[int, int]] = chain.from_iterable(map(combinations, index.values(), repeat(2)))  # type: ignore[arg-type]
    return list(set(pairs))


def sampled(shingles: array[int]) -> Iterator[int]:
    """The shingles kept for the candidate index: those whose hash is a multiple of SAMPLE_EVERY.

    (Chosen in C, with map and compress: a story has hundreds of shingles.)
    """
    return compress(shingles, map(operator.not_, map(operator.mod, shingles, repeat(SAMPLE_EVERY))))


def _original_rank(story: Story, size: int) -> tuple[int, int, str]:
    return (story.date.toordinal() if story.date else 10**7, -size, story.seed or story.slug)
