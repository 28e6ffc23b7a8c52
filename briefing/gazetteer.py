"""Gazetteer: find every known name in a text in one pass over its tokens. Pure.

Names and text are split into the same tokens (word runs and single punctuation marks),
so "Alzheimer’s disease" matches "Alzheimer's disease" and "US" never matches inside
"USB". At each token the longest known name wins ("Bristol Myers Squibb" over "Bristol").
A lookup is a dictionary probe per candidate length, so thousands of names cost no more
than a few. A text's tokens are kept as parallel tuples (words, folded words, offsets), made
by C-level calls rather than one object per token: this stage runs on every word of every seed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate, compress

from briefing.registry import Entry

#: a word run, or any single mark that is not a space
TOKEN = re.compile(r"\w+|[^\w\s]")
#: the same, captured: splitting on it alternates the spaces between tokens with the tokens
_TOKEN_SPLIT = re.compile(rf"({TOKEN.pattern})")
#: curly apostrophes and quotes are the same character to a reader
_QUOTES = (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"'), ("‐", "-"), ("‑", "-"), ("–", "-"))
#: names this short (one or two letters) are matched only with exact case
_SHORT = 2
#: an acronym (all capitals and digits) is matched only with exact case: "ARM" is not "arm"
_ACRONYM = re.compile(r"^[A-Z0-9&.\-]+$")


@dataclass(frozen=True, slots=True)
class Tokens:
    """A text's tokens: token i is words[i], at text[starts[i]:ends[i]]."""

    words: tuple[str, ...]
    folded: tuple[str, ...]  # casefolded words
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.words)

    def span(self, first: int, last: int) -> Tokens:
        """Tokens first to last (exclusive), still with their offsets in the whole text."""
        return Tokens(self.words[first:last], self.folded[first:last], self.starts[first:last], self.ends[first:last])


@dataclass(frozen=True, slots=True)
class Hit:
    """A name found in the text: which entry, which token span, and how it was written."""

    entry: Entry
    first: int  # token index
    last: int  # token index, exclusive
    start: int  # character offsets
    end: int
    implied: bool  # found by a demonym or city rather than by name


def tokenize(text: str) -> Tokens:
    """Split text into tokens with their character offsets.

    >>> tokens = tokenize("NKGen’s CAR-T (U.S.)")
    >>> tokens.words
    ('NKGen', "'", 's', 'CAR', '-', 'T', '(', 'U', '.', 'S', '.', ')')
    >>> tokens.starts[:4], tokens.ends[:4]
    ((0, 5, 6, 8), (5, 6, 7, 11))
    """
    # [space, token, space, token, ..., space]: the running total of their lengths gives
    # every token's end, and the end of the space before it, its start
    parts = _TOKEN_SPLIT.split(_plain_quotes(text))
    offsets = list(accumulate(map(len, parts)))
    words = tuple(parts[1::2])
    return Tokens(words, tuple(map(str.casefold, words)), tuple(offsets[0:-1:2]), tuple(offsets[1::2]))


def _plain_quotes(text: str) -> str:
    """The text with straight quotes and hyphens for curly ones: one character for one, offsets kept.

    (A few replace() calls, each a fast scan, cost a tenth of str.translate's per-character lookups.)
    """
    for curly, straight in _QUOTES:
        if curly in text:
            text = text.replace(curly, straight)
    return text


def _key(words: Iterable[str], *, fold: bool) -> tuple[str, ...]:
    return tuple(word.casefold() for word in words) if fold else tuple(words)


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """Known spellings indexed by their token sequence, folded and exact."""

    folded: dict[tuple[str, ...], tuple[Entry, str]]  # -> (entry, the spelling as registered)
    exact: dict[tuple[str, ...], tuple[Entry, str]]
    first_words: frozenset[str]  # the first token (folded) of every spelling
    one_word: frozenset[str]  # the spellings (folded) of a single token
    # the first two tokens (folded) of longer spellings -> their lengths, longest first: a
    # common first word ("the", "gene") has many names after it, its next word few
    longer: dict[tuple[str, ...], tuple[int, ...]]
    entries: tuple[Entry, ...] = ()

    @classmethod
    def build(cls, entries: Iterable[Entry]) -> Gazetteer:
        """Index every spelling of every entry; the first entry to claim a spelling keeps it."""
        entries = tuple(entries)
        folded: dict[tuple[str, ...], tuple[Entry, str]] = {}
        exact: dict[tuple[str, ...], tuple[Entry, str]] = {}
        one_word: set[str] = set()
        longer: dict[tuple[str, ...], set[int]] = {}
        for entry in entries:
            for spelling in entry.spellings:
                words = tuple(TOKEN.findall(_plain_quotes(spelling)))
                if not words:
                    continue
                case_sensitive = (
                    spelling in entry.case_sensitive or len(spelling) <= _SHORT or bool(_ACRONYM.match(spelling))
                )
                table = exact if case_sensitive else folded
                table.setdefault(_key(words, fold=not case_sensitive), (entry, spelling))
                if len(words) == 1:
                    one_word.add(words[0].casefold())
                else:
                    longer.setdefault((words[0].casefold(), words[1].casefold()), set()).add(len(words))
        lengths = {k: tuple(sorted(v, reverse=True)) for k, v in longer.items()}
        first_words = frozenset(one_word | {first for first, _ in lengths})
        return cls(folded, exact, first_words, frozenset(one_word), lengths, entries)

    def find(self, tokens: Tokens) -> list[Hit]:
        """Every longest, non-overlapping known name in the tokens, left to right."""
        hits: list[Hit] = []
        after = 0  # the end of the last hit: names never overlap
        # only tokens that begin some name can begin a hit, and they are few
        for i in compress(range(len(tokens)), map(self.first_words.__contains__, tokens.folded)):
            if i < after:
                continue
            hit = self.match_at(tokens, i)
            if hit is not None:
                hits.append(hit)
                after = hit.last
        return hits

    def match_at(self, tokens: Tokens, i: int) -> Hit | None:
        """The longest known name starting at token i, if any."""
        words, folded = tokens.words, tokens.folded
        lengths = self.longer.get(folded[i : i + 2], ())
        if folded[i] in self.one_word:
            lengths += (1,)
        for length in lengths:
            end = i + length
            if end > len(words):
                continue
            found = self.exact.get(words[i:end])
            if found is None:
                candidate = self.folded.get(folded[i:end])
                if candidate is not None and _same_initial_case(candidate[1], words[i]):
                    found = candidate
            if found is not None and _adjacent(tokens, i, end):
                entry, spelling = found
                implied = spelling in entry.implied_by
                return Hit(entry, i, end, tokens.starts[i], tokens.ends[end - 1], implied)
        return None


def _adjacent(tokens: Tokens, first: int, last: int) -> bool:
    """Tokens of one name sit on one line: no paragraph break inside a match."""
    if last - first == 1:  # most names are one token: no generator to make
        return True
    starts, ends = tokens.starts, tokens.ends
    return all(starts[k + 1] - ends[k] <= 2 for k in range(first, last - 1))


def _same_initial_case(spelling: str, first_word: str) -> bool:
    """A name registered with a capital must be capitalised in the text too ("Sawai", not "sawai").

    Names registered in lower case (indications, INNs, "iHeart") match either way.
    """
    return not (spelling[:1].isupper() and first_word[:1].islower())
