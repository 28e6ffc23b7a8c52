"""Fuzz targets shared by the test suite (a few hundred examples) and bench/fuzz.py (10,000 each).

Each target takes arbitrary or adversarial text and must return normally or raise the
project's own ContentError: never any other exception.
"""

from __future__ import annotations

import contextlib

from hypothesis import strategies as st

from briefing.clean import clean_text
from briefing.entities import EntityIndex, find_entities, load_index
from briefing.errors import ContentError
from briefing.extract import extract_metadata
from briefing.frontmatter import parse_story
from briefing.pipeline import load_rules
from briefing.webpage import clean_html

RULES = load_rules()
INDEX: EntityIndex = load_index()

#: pieces that stress each stage: markup, YAML syntax, rule triggers, odd characters
FRAGMENTS = [
    "<script>alert(1)</script>",
    "<p>",
    "</p>",
    "<h1>",
    "</h1>",
    "<a href='javascript:x'>",
    "<!--",
    "-->",
    "---\n",
    "title: ",
    "slug: x\n",
    "date: 2024-13-40\n",
    "[",
    "]",
    "{",
    "}",
    "&amp;",
    "&#0;",
    "\x00",
    "\u200b",
    "\r\n",
    "\r",
    "\n\n",
    "ADVERTISEMENT\n",
    "Related articles\n",
    "About Acme\n",
    "(Press release, X, JUL 1, 2025)",
    "Astellas Pharma Inc. ",
    "Dr. ",
    "K.K. ",
    "AB-1005 ",
    "troculeucel ",
    "Japan’s ",
    "“",
    "”",
    "##",
    "#",
    "アステラス製薬",
    "\U0001f600",
    "a" * 300,
    " - ",
    " | ",
    "©",
    "By Jane Doe\n",
    "Co., Ltd.",
    "(",
    ")",
]
texts = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=40)), max_size=40).map("".join)


def clean_and_extract(text: str) -> None:
    for document in clean_text("seeds/f.txt", text, RULES):
        metadata = extract_metadata(document)
        assert metadata.title
        assert all(block.text.strip() for block in document.blocks)


def html_page(text: str) -> None:
    for document in clean_html(
        "seeds/f.html", f"<html><body><article><h1>{text[:80]}</h1>{text}</article></body></html>", RULES
    ):
        extract_metadata(document)


def entities(text: str) -> None:
    found = find_entities(text[:100], text, INDEX)
    for mention in found.mentions:
        assert 0 <= mention.start <= len(text[:100]) + 2 + len(text)


def front_matter(text: str) -> None:
    with contextlib.suppress(ContentError):  # a broken story is reported, never a crash
        parse_story(text, "content/f.md")


TARGETS = {"clean": clean_and_extract, "html": html_page, "entities": entities, "front-matter": front_matter}
