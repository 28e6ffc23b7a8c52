"""Listing pages: tell a section page of many teasers from an article, and split it. Pure.

A section page ("Japan" news, a newsletter digest) saved as text is a run of short,
self-contained teasers, each about a different story, sometimes each under its own
headline. An article's paragraphs are longer and refer back to each other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lxml.html import HtmlElement

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


#: class or id words of page regions that hold other stories, never the page's own listing
SIDEBAR_WORDS = re.compile(r"sidebar|most[-_]?read|popular|trending|related|recommend|widget|footer|nav|menu", re.I)
#: main text shorter than this cannot be an article; with teasers around it, the page is a listing
MIN_ARTICLE_TEXT = 500
#: the share of a page's main text that its teasers must make up for it to be a listing
LISTING_SHARE = 0.6
#: a teaser's own text is short
MAX_TEASER_TEXT = 600


def find_teasers(tree: HtmlElement) -> list[Teaser]:
    """The story cards of an HTML page (headline link plus standfirst), outside its sidebars."""
    teasers: list[Teaser] = []
    for card in _cards(tree):
        heading = next(iter(card.xpath(".//h1|.//h2|.//h3|.//h4")), None)
        title = _clean(heading.text_content()) if heading is not None else ""
        paragraphs = [_clean(p.text_content()) for p in card.iter("p")]
        text = " ".join(p for p in paragraphs if p)
        if title and len(text) <= MAX_TEASER_TEXT:
            teasers.append(Teaser(title, text or title, card.sourceline or 1))
    return teasers if len(teasers) >= MIN_TEASERS else []


def is_listing_page(teasers: list[Teaser], main_text: str) -> bool:
    """A page is a listing when its main text is next to nothing, or mostly its teasers."""
    if len(teasers) < MIN_TEASERS:
        return False
    if len(main_text) < MIN_ARTICLE_TEXT:
        return True
    covered = sum(len(t.text) for t in teasers if t.text[:60] in main_text)
    covered += sum(len(t.title) for t in teasers if t.title and t.title[:60] in main_text)
    return covered >= LISTING_SHARE * len(main_text)


#: a headline that links to a story
_HEADLINE_LINKS = "//h2//a|//h3//a|//h4//a|//a[.//h2]|//a[.//h3]|//a[.//h4]"


def _cards(tree: HtmlElement) -> list[HtmlElement]:
    """Story cards: the largest group of sibling elements that each hold one headline link.

    Each headline link's card is its highest ancestor holding no other headline link; cards
    are grouped by their parent, and groups inside sidebars and menus are left out.
    """
    links = tree.xpath(_HEADLINE_LINKS)
    counts: dict[HtmlElement, int] = {}
    for link in links:
        for ancestor in link.iterancestors():
            counts[ancestor] = counts.get(ancestor, 0) + 1
    groups: dict[HtmlElement, list[HtmlElement]] = {}
    for link in links:
        card = link
        for ancestor in link.iterancestors():
            if counts[ancestor] > 1:
                break
            card = ancestor
        parent = card.getparent()
        if parent is not None and card not in groups.get(parent, []):
            groups.setdefault(parent, []).append(card)
    ranked = sorted(groups.items(), key=lambda item: -len(item[1]))
    return next((cards for parent, cards in ranked if not _in_sidebar(parent)), [])


def _in_sidebar(element: HtmlElement) -> bool:
    for node in (element, *element.iterancestors()):
        if node.tag in ("aside", "nav", "footer", "header"):
            return True
        if SIDEBAR_WORDS.search(f"{node.get('class') or ''} {node.get('id') or ''}"):
            return True
    return False


def _clean(text: str) -> str:
    return " ".join(text.split())
