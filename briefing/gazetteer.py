"""Gazetteer: find every known name in a text in one pass over its tokens. Pure.

Names and text are split into the same tokens (word runs and single punctuation marks),
so "Alzheimer’s disease" matches "Alzheimer's disease" and "US" never matches inside
"USB". At each token the longest known name wins ("Bristol Myers Squibb" over "Bristol").
A lookup is a dictionary probe per candidate length, so thousands of names cost no more
than a few.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from briefing.registry import Entry

#: a word run, or any single mark that is not a space
TOKEN = re.compile(r"\w+|[^\w\s]")
#: curly apostrophes and quotes are the same character to a reader
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "‐": "-", "‑": "-", "–": "-"})
#: names this short (one or two letters) are matched only with exact case
_SHORT = 2
#: an acronym (all capitals and digits) is matched only with exact case: "ARM" is not "arm"
_ACRONYM = re.compile(r"^[A-Z0-9&.\-]+$")


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Hit:
    """A name found in the text: which entry, which token span, and how it was written."""

    entry: Entry
    first: int  # token index
    last: int  # token index, exclusive
    start: int  # character offsets
    end: int
    implied: bool  # found by a demonym or city rather than by name


def tokenize(text: str) -> list[Token]:
    """Split text into tokens with their character offsets.

    >>> [t.text for t in tokenize("NKGen’s CAR-T (U.S.)")]
    ['NKGen', "'", 's', 'CAR', '-', 'T', '(', 'U', '.', 'S', '.', ')']
    """
    normalised = text.translate(_QUOTES)
    return [Token(m.group(), m.start(), m.end()) for m in TOKEN.finditer(normalised)]


def _key(words: Iterable[str], *, fold: bool) -> tuple[str, ...]:
    return tuple(word.casefold() for word in words) if fold else tuple(words)


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """Known spellings indexed by their token sequence, folded and exact."""

    folded: dict[tuple[str, ...], tuple[Entry, str]]  # -> (entry, the spelling as registered)
    exact: dict[tuple[str, ...], tuple[Entry, str]]
    lengths: dict[str, tuple[int, ...]]  # first token (folded) -> spelling lengths, longest first
    entries: tuple[Entry, ...] = ()

    @classmethod
    def build(cls, entries: Iterable[Entry]) -> Gazetteer:
        """Index every spelling of every entry; the first entry to claim a spelling keeps it."""
        entries = tuple(entries)
        folded: dict[tuple[str, ...], tuple[Entry, str]] = {}
        exact: dict[tuple[str, ...], tuple[Entry, str]] = {}
        lengths: dict[str, set[int]] = {}
        for entry in entries:
            for spelling in entry.spellings:
                words = [t.text for t in tokenize(spelling)]
                if not words:
                    continue
                case_sensitive = (
                    spelling in entry.case_sensitive or len(spelling) <= _SHORT or bool(_ACRONYM.match(spelling))
                )
                table = exact if case_sensitive else folded
                table.setdefault(_key(words, fold=not case_sensitive), (entry, spelling))
                lengths.setdefault(words[0].casefold(), set()).add(len(words))
        return cls(folded, exact, {k: tuple(sorted(v, reverse=True)) for k, v in lengths.items()}, entries)

    def find(self, tokens: Sequence[Token]) -> list[Hit]:
        """Every longest, non-overlapping known name in the tokens, left to right."""
        words = [t.text for t in tokens]
        folded = [word.casefold() for word in words]
        hits: list[Hit] = []
        i = 0
        while i < len(tokens):
            hit = self._match(tokens, words, folded, i) if folded[i] in self.lengths else None
            if hit is None:
                i += 1
                continue
            hits.append(hit)
            i = hit.last
        return hits

    def match_at(self, tokens: Sequence[Token], i: int) -> Hit | None:
        """The longest known name starting at token i, if any."""
        words = [t.text for t in tokens]
        return self._match(tokens, words, [word.casefold() for word in words], i)

    def _match(self, tokens: Sequence[Token], words: list[str], folded: list[str], i: int) -> Hit | None:
        for length in self.lengths.get(folded[i], ()):
            if i + length > len(tokens):
                continue
            found = self.exact.get(tuple(words[i : i + length]))
            if found is None:
                candidate = self.folded.get(tuple(folded[i : i + length]))
                if candidate is not None and _same_initial_case(candidate[1], words[i]):
                    found = candidate
            if found is not None and _adjacent(tokens[i : i + length]):
                entry, spelling = found
                implied = spelling in entry.implied_by
                return Hit(entry, i, i + length, tokens[i].start, tokens[i + length - 1].end, implied)
        return None


def _adjacent(window: Sequence[Token]) -> bool:
    """Tokens of one name sit on one line: no paragraph break inside a match."""
    return all(b.start - a.end <= 2 for a, b in zip(window, window[1:], strict=False))


def _same_initial_case(spelling: str, first_word: str) -> bool:
    """A name registered with a capital must be capitalised in the text too ("Sawai", not "sawai").

    Names registered in lower case (indications, INNs, "iHeart") match either way.
    """
    return not (spelling[:1].isupper() and first_word[:1].islower())
