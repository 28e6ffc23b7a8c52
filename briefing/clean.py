"""Clean stage: turn a text dump into the article's own paragraphs and headings. Pure.

Every line that goes is recorded with the rule that removed it, so that an editor can
see why (`python build.py explain`). HTML pages reach this stage through `webpage`,
which first takes the page's main content.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from briefing.listing import split_listing
from briefing.model import Block, CleanDocument, Removal
from briefing.patterns import (
    CONTINUING_END,
    INLINE_SPACE,
    LONG_WORD,
    MARKDOWN_HEADING,
    SENTENCE_END,
)
from briefing.rules import Rule, RuleSet, phrase_key

#: a heading ends a boilerplate section only when a paragraph at least this long follows it
MIN_SECTION_TEXT = 80
#: a quotation this long that repeats an earlier paragraph is a pull quote (interviews repeat
#: their questions, so only quotations count)
MIN_REPEATED = 60
OPENING_QUOTES = "\"“‘'«「"
#: a hard-wrapped dump has most lines about this long (e-mail and terminal copies)
WRAP_WIDTH = range(40, 101)


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the input, stripped, with where it was."""

    number: int
    text: str  # "" for a blank line
    heading: bool = False  # marked as a heading by the markup itself ("## ...")


def split_lines(text: str) -> list[Line]:
    """Split text into stripped lines, reading Markdown heading marks."""
    lines = []
    # inline spaces never run across a line end: collapsed in one pass over the whole text
    for number, raw in enumerate(INLINE_SPACE.sub(" ", text).split("\n"), start=1):
        stripped = raw.strip()
        heading = MARKDOWN_HEADING.match(stripped) if stripped.startswith("#") else None
        if heading:
            lines.append(Line(number, heading["text"], heading=True))
        else:
            lines.append(Line(number, stripped))
    return lines


def clean_text(
    path: str,
    text: str,
    rules: RuleSet,
    *,
    title: str | None = None,
    meta: dict[str, str] | None = None,
    removed: Sequence[Removal] = (),
) -> tuple[CleanDocument, ...]:
    """Clean a text dump into one document, or into one brief per teaser of a listing page.

    `title` is the headline when the caller already knows it (an HTML page's <h1>);
    `removed` is what the caller already took out.
    """
    kept, dropped = remove_boilerplate(split_lines(text), rules)
    removed = [*removed, *dropped]
    if title is None:
        title, kept = take_headline(kept)
    else:
        kept = [line for line in kept if line.text != title]
    teasers = split_listing(kept) if title is None else None
    if teasers is not None:
        briefs = tuple(
            CleanDocument(
                path=path,
                title=teaser.title,
                blocks=(Block("paragraph", teaser.text, teaser.line),),
                removed=tuple(removed),
                meta=meta or {},
                kind="brief",
                part=index,
            )
            for index, teaser in enumerate(teasers, start=1)
        )
        return briefs
    return (CleanDocument(path=path, title=title, blocks=make_blocks(kept), removed=tuple(removed), meta=meta or {}),)


def remove_boilerplate(lines: list[Line], rules: RuleSet) -> tuple[list[Line], list[Removal]]:
    """Drop the lines the rules name; cut inline matches; keep blank lines as separators."""
    kept: list[Line] = []
    removed: list[Removal] = []
    ending: Rule | None = None  # a tail rule matched: everything after it goes
    section: Rule | None = None  # a section rule matched: everything up to the next heading goes
    seen: set[str] = set()  # paragraphs already kept: a pull quote repeats one
    introduces_text = _introduces_text(lines)
    for number, line in enumerate(lines):
        if not line.text:
            kept.append(line)
            continue
        key = phrase_key(line.text)
        if key in seen and len(key) >= MIN_REPEATED and line.text[0] in OPENING_QUOTES:
            removed.append(Removal(line.number, line.text, "repeated-line"))
            continue
        if ending is not None:
            removed.append(Removal(line.number, line.text, ending.name))
            continue
        if section is not None and not ((line.heading or looks_like_heading(line.text)) and introduces_text[number]):
            removed.append(Removal(line.number, line.text, section.name))
            continue
        section = None
        rule = rules.match_line(line.text)
        if rule is None and is_navigation_list(line.text):
            removed.append(Removal(line.number, line.text, "navigation-list"))
            continue
        if rule is not None:
            removed.append(Removal(line.number, line.text, rule.name))
            ending = rule if rule.kind == "tail" else None
            section = rule if rule.kind == "section" else None
            continue
        text, cuts = rules.cut_inline(line.text)
        if cuts:  # what is left of the line, its spaces tidied again (split_lines tidied the others)
            removed.extend(Removal(line.number, cut, cut_rule.name) for cut_rule, cut in cuts)
            text = INLINE_SPACE.sub(" ", text).strip()
            if not text:
                continue
        kept.append(Line(line.number, text, line.heading) if cuts else line)
        seen.add(key)
    return kept, removed


def _introduces_text(lines: list[Line]) -> list[bool]:
    """Per line: is the next non-empty line a paragraph of real text? A heading that ends a
    boilerplate section introduces one; a name or an address in a contact block does not."""
    result = [False] * len(lines)
    following_long = False
    for number in range(len(lines) - 1, -1, -1):
        result[number] = following_long
        if lines[number].text:
            following_long = len(lines[number].text) >= MIN_SECTION_TEXT
    return result


def is_navigation_list(text: str) -> bool:
    """Tell a menu or feature list flattened onto one line ("Pipeline - Targets - Deals - ...").

    >>> is_navigation_list("Early/Late Stage Pipeline Development - Target Scouting - Deals - BD&L Contacts")
    True
    >>> is_navigation_list("The deal - announced today - closes in May.")
    False
    """
    for separator in (" - ", " | ", " • ", " · ", " » "):
        parts = text.split(separator)
        if len(parts) >= 4 and all(
            0 < len(part) <= 50 and len(part.split()) <= 6 and not SENTENCE_END.search(part) for part in parts
        ):
            return True
    return False


def looks_like_heading(text: str) -> bool:
    """Tell a section heading: short, no closing punctuation, mostly capitalised words.

    >>> looks_like_heading("Hitting the Ground Running: Major Industry Events")
    True
    >>> looks_like_heading("The mission emphasized a new era of cross-border synergy.")
    False
    """
    words = text.split()
    if not 1 <= len(words) <= 14 or len(text) > 100:
        return False
    if SENTENCE_END.search(text) and not text.endswith("?") or CONTINUING_END.search(text):
        return False
    if not (text[0].isupper() or text[0].isdigit()):
        return False
    long_words = LONG_WORD.findall(text)
    capitalised = sum(1 for word in long_words if word[0].isupper())
    return len(words) <= 6 or capitalised >= 0.6 * len(long_words)


def looks_like_headline(text: str) -> bool:
    """Tell a headline: a few words to a long line, not a closed sentence or a label.

    >>> looks_like_headline("NKGen Biotech and HekaBio partner to introduce NK cell therapy to Japan")
    True
    >>> looks_like_headline("Japan")
    False
    """
    words = text.split()
    if not 3 <= len(words) <= 30 or len(text) > 250:
        return False
    if CONTINUING_END.search(text) or (text.endswith(".") and not text.endswith("...")):
        return False
    return text[0].isupper() or text[0].isdigit() or text[0] in "\"“‘'"


def take_headline(lines: list[Line]) -> tuple[str | None, list[Line]]:
    """Take the first line as the headline when it looks like one and text follows it."""
    content = [line for line in lines if line.text]
    if len(content) < 2 or not looks_like_headline(content[0].text):
        return None, lines
    first = content[0]
    return first.text, [line for line in lines if line is not first]


def make_blocks(lines: list[Line]) -> tuple[Block, ...]:
    """Group lines into paragraphs and headings, re-joining hard-wrapped paragraphs."""
    wrapped = is_hard_wrapped(lines)
    blocks: list[Block] = []
    current: list[Line] = []

    def flush() -> None:
        if current:
            blocks.append(Block("paragraph", " ".join(line.text for line in current), current[0].number))
            current.clear()

    content = [line for line in lines if line.text]
    following = {id(line): nxt for line, nxt in zip(content, content[1:], strict=False)}
    for line in lines:
        if not line.text:
            flush()
            continue
        nxt = following.get(id(line))
        if line.heading or (nxt is not None and looks_like_heading(line.text) and not looks_like_heading(nxt.text)):
            flush()
            blocks.append(Block("heading", line.text, line.number))
            continue
        if current and not (wrapped or _continues(current[-1].text, line.text)):
            flush()
        current.append(line)
    flush()
    return tuple(blocks)


def _continues(previous: str, text: str) -> bool:
    """A line that starts in lower case after an unfinished line continues its paragraph."""
    return text[0].islower() and not SENTENCE_END.search(previous)


def is_hard_wrapped(lines: list[Line]) -> bool:
    """Tell text wrapped at a fixed width: most lines that are followed by another are 40-100 long."""
    inner = [len(line.text) for line, nxt in zip(lines, lines[1:], strict=False) if line.text and nxt.text]
    longest = max((len(line.text) for line in lines), default=0)
    return len(inner) >= 3 and longest <= 110 and sum(n in WRAP_WIDTH for n in inner) >= 0.7 * len(inner)
