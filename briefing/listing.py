"""Listing pages: tell a section page of many teasers from an article, and split it. Pure.

A section page ("Japan" news, a newsletter digest) saved as text is a run of short,
self-contained teasers, each about a different story, sometimes each under its own
headline. An article's paragraphs are longer and refer back to each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from briefing.patterns import ANAPHORIC_START, LONG_WORD, SENTENCE_END, STOPWORDS, sentences

if TYPE_CHECKING:
    from briefing.clean import Line

#: a teaser is one to three sentences of this many characters
TEASER_LENGTH = range(60, 451)
MIN_TEASERS = 4
#: teasers must be nearly all of the page's text lines
MIN_TEASER_SHARE = 0.8
#: articles open many paragraphs with "He", "However", "The company", quotes...
MAX_ANAPHORIC_SHARE = 0.2
#: ...and neighbouring paragraphs share their topic words; teasers of different stories do not
MAX_NEIGHBOUR_OVERLAP = 0.12


@dataclass(frozen=True, slots=True)
class Teaser:
    """One story's teaser on a listing page."""

    title: str | None
    text: str
    line: int


def split_listing(lines: list[Line]) -> list[Teaser] | None:
    """Return the teasers when the lines are a listing page, else None."""
    content = [line for line in lines if line.text]
    teasers: list[Teaser] = []
    other = 0  # lines that are neither teasers, their headlines nor labels
    headline: Line | None = None  # a teaser's own headline, waiting for its text
    for line in content:
        if _is_teaser(line.text):
            start = headline or line
            teasers.append(Teaser(headline.text if headline else None, line.text, start.number))
            headline = None
        elif len(line.text.split()) <= 3 and not SENTENCE_END.search(line.text):
            continue  # a section label such as "Japan"
        elif not SENTENCE_END.search(line.text) and len(line.text.split()) <= 20:
            other += headline is not None
            headline = line
        else:
            other += 1
            headline = None
    other += headline is not None
    if len(teasers) < MIN_TEASERS or len(teasers) < MIN_TEASER_SHARE * (len(teasers) + other):
        return None
    anaphoric = sum(1 for teaser in teasers if ANAPHORIC_START.match(teaser.text))
    if anaphoric > MAX_ANAPHORIC_SHARE * len(teasers) or _neighbour_overlap(teasers) > MAX_NEIGHBOUR_OVERLAP:
        return None
    return teasers


def _is_teaser(text: str) -> bool:
    return len(text) in TEASER_LENGTH and bool(SENTENCE_END.search(text)) and len(sentences(text)) <= 3


def _topic_words(text: str) -> set[str]:
    return {word.lower() for word in LONG_WORD.findall(text)} - STOPWORDS


def _neighbour_overlap(teasers: list[Teaser]) -> float:
    """Mean Jaccard overlap of the topic words of consecutive teasers."""
    pairs = list(zip(teasers, teasers[1:], strict=False))
    total = 0.0
    for first, second in pairs:
        a, b = _topic_words(first.text), _topic_words(second.text)
        total += len(a & b) / max(len(a | b), 1)
    return total / max(len(pairs), 1)
