"""Named patterns shared by the text stages, each with the reason it exists. Pure."""

from __future__ import annotations

import re

#: runs of spaces, tabs and no-break spaces inside a line collapse to one space
INLINE_SPACE = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")

#: a Markdown heading as trafilatura writes it, or as an editor pastes it: "## Results"
MARKDOWN_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.+?)\s*#*$")

#: characters that end a sentence, possibly followed by a closing quote or bracket
SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")

#: a line ending in punctuation that continues (comma, colon...) is not a heading or headline
CONTINUING_END = re.compile(r"[,;:]$")

#: sentence boundary: end punctuation (and closing quote), whitespace, then an upper-case
#: letter, digit or opening quote; abbreviations are excluded where they are checked
SENTENCE_SPLIT = re.compile(r"(?<=[.!?…])[\"'”’)]*\s+(?=[\"'“‘(]?[A-Z0-9])")

#: abbreviations after which a full stop does not end a sentence
ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "st",
        "no",
        "vs",
        "inc",
        "ltd",
        "co",
        "corp",
        "jr",
        "sr",
        "u.s",
        "e.g",
        "i.e",
        "approx",
        "fig",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "gen",
        "gov",
        "sen",
        "rep",
        "k.k",
        "plc",
        "ag",
        "s.a",
        "n.v",
    ]
)

#: words of at least four letters: used to judge Title Case and topical overlap
LONG_WORD = re.compile(r"[^\W\d_][\w'’-]{3,}")

#: openings that refer back to the previous paragraph: articles have many, listing teasers few
ANAPHORIC_START = re.compile(
    r"^[\"“‘']|^(he|she|it|its|they|their|this|these|that|those|however|but|and|meanwhile|also|"
    r"in addition|additionally|moreover|further|furthermore|the company|the firm|the deal|"
    r"according to|as a result|in (the )?(meantime|statement|release))\b",
    re.IGNORECASE,
)

#: common words left out when comparing what two paragraphs are about
STOPWORDS = frozenset(
    [
        "about",
        "after",
        "also",
        "among",
        "been",
        "being",
        "both",
        "could",
        "each",
        "from",
        "have",
        "having",
        "into",
        "more",
        "most",
        "much",
        "other",
        "over",
        "said",
        "says",
        "such",
        "than",
        "that",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "under",
        "until",
        "very",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "will",
        "with",
        "would",
        "your",
        "year",
        "years",
        "first",
        "company",
        "companies",
        "including",
        "based",
        "new",
        "its",
        "the",
        "and",
        "for",
        "are",
        "was",
        "has",
        "had",
        "not",
        "but",
        "all",
        "can",
        "our",
        "out",
        "one",
        "two",
    ]
)


def sentences(text: str) -> list[str]:
    """Split text into sentences, not at abbreviations like "Inc." or "Dr.".

    >>> sentences("NKGen Biotech, Inc. and HekaBio K.K. agreed. Dr. Song said so.")
    ['NKGen Biotech, Inc. and HekaBio K.K. agreed.', 'Dr. Song said so.']
    """
    parts: list[str] = []
    start = 0
    for match in SENTENCE_SPLIT.finditer(text):
        before = text[start : match.start()].rstrip("\"'”’)")
        last_word = before.rsplit(" ", 1)[-1].rstrip(".").lower()
        if before.endswith(".") and (last_word in ABBREVIATIONS or len(last_word) == 1):
            continue
        parts.append(text[start : match.start()].strip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        parts.append(tail)
    return parts
