"""Story bodies: the plain-text fast path gives exactly what python-markdown and nh3 give."""

from __future__ import annotations

import datetime
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.generate import article
from briefing.cache import templates_path
from briefing.frontmatter import split_front_matter
from briefing.model import Story
from briefing.render import (
    date_span,
    library_markdown_to_html,
    make_environment,
    markdown_to_html,
    plain_markdown_to_html,
)

ROOT = Path(__file__).resolve().parent.parent

#: blocks near the edge of what the fast path takes: each must come out as the library makes it
TRICKY = [
    "Plain text.",
    "## A heading",
    "# Top heading",
    "###### Six",
    "####### Seven",
    "## Heading ##",
    "##No space",
    "Ends in two spaces  ",
    "Ends in a tab\t",
    " Leading space",
    "    Indented code",
    "- a list",
    "-5% in a day",
    "+ plus",
    "* star",
    "1. first",
    "1) first",
    "2025. The year",
    "2025 was a year",
    "> quoted",
    "a > b",
    "=====",
    "---",
    "___",
    "| a | b |",
    "A & B",
    "A &amp; B",
    "<b>bold</b>",
    "x < y",
    "a *b* c",
    "a _b_ c",
    "snake_case_name",
    "a `code` b",
    "a \\* b",
    "[link](http://x.com)",
    "![img](x.png)",
    "Bang! Wow",
    "<http://x.com>",
    "Parkinson's and “quotes” — dashes",
    "no\u00a0break",
    "em\u2003space\u2003",
    "\u3000ideographic",
    "tab\tinside",
    "control\x02char",
    "control\x85next",
    "line\u2028separator",
    "zero\u200bwidth",
    "bom\ufeffhere",
    "astral 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🙂",
    "fffe\ufffehere",
    "%s {braces} $dollar ~tilde ^caret @at :colon =eq |pipe",
    "a\nb",
    "",
]


def library(text: str) -> str:
    return str(library_markdown_to_html(text))


def sample_bodies() -> list[str]:
    """The sample stories' bodies and generated ones like the benchmark's."""
    rng = random.Random(5)
    bodies = ["\n\n".join(article(rng, number)[2]) for number in range(200)]
    for path in sorted((ROOT / "content").glob("*.md")):
        _, body = split_front_matter(path.read_text(encoding="utf-8"), path.name)
        bodies.append(body.strip("\n"))
    return bodies


@pytest.mark.parametrize("block", TRICKY)
def test_fast_path_matches_the_library_on_tricky_blocks(block: str) -> None:
    for text in (block, f"Before.\n\n{block}", f"{block}\n\nAfter.", f"## Title\n\n{block}\n\n{block}"):
        plain = plain_markdown_to_html(text)
        assert plain is None or plain == library(text), repr(text)
        assert str(markdown_to_html(text)) == library(text), repr(text)


def test_fast_path_matches_the_library_on_the_samples_and_takes_most_paragraphs() -> None:
    bodies = sample_bodies()
    paragraphs = [block for body in bodies for block in body.split("\n\n")]
    assert len(paragraphs) > 100
    taken = 0
    for text in bodies + paragraphs:
        plain = plain_markdown_to_html(text)
        if plain is not None:
            taken += 1
            assert plain == library(text), repr(text)
    assert taken > len(paragraphs) // 2  # the fast path does its job for ordinary text


#: characters that matter to Markdown, to nh3 or to the fast path's checks, and ordinary ones
ALPHABET = st.sampled_from(list("ab #-+*_=>|1.)`\\[]!<>&'\" \t\n\u00a0\u2003\u3000\x02\x85\ufeffé🙂")) | st.characters(
    blacklist_categories=("Cs",)
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.text(ALPHABET, min_size=1, max_size=30), min_size=1, max_size=4))
def test_fast_path_matches_the_library_on_generated_text(blocks: list[str]) -> None:
    text = "\n\n".join(blocks)
    plain = plain_markdown_to_html(text)
    assert plain is None or plain == library(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=80), min_size=1))
def test_fast_path_matches_the_library_on_any_printable_text(blocks: list[str]) -> None:
    text = "\n\n".join(blocks)
    plain = plain_markdown_to_html(text)
    assert plain is None or plain == library(text)


def test_a_top_level_heading_in_a_body_is_demoted_below_the_page_title() -> None:
    html = markdown_to_html("# Results\n\nThe trial met its goal.")
    assert "<h2>Results</h2>" in html and "<h1>" not in html


def test_templates_compiled_by_one_build_are_loaded_by_the_next_until_their_text_changes(tmp_path: Path) -> None:
    templates, cache = tmp_path / "templates", tmp_path / ".cache"
    templates.mkdir()
    (templates / "page.html").write_text("{{ name }} one", encoding="utf-8")
    (cache / "templates" / "an-older-version").mkdir(parents=True)
    compiled = templates_path(cache)
    assert [path.name for path in (cache / "templates").iterdir()] == [compiled.name]  # the older one removed
    assert make_environment(templates, compiled=compiled).get_template("page.html").render(name="A") == "A one"
    assert list(compiled.iterdir())

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("compiled again")

    loaded = make_environment(templates, compiled=templates_path(cache))
    loaded.compile = never  # type: ignore[method-assign]
    assert loaded.get_template("page.html").render(name="B") == "B one"
    (templates / "page.html").write_text("{{ name }} two", encoding="utf-8")
    assert make_environment(templates, compiled=compiled).get_template("page.html").render(name="C") == "C two"


def test_an_older_page_is_named_by_the_dates_its_stories_span() -> None:
    def stories(*days: int | None) -> list[Story]:  # newest first, as a page lists them
        return [
            Story(title=f"S{n}", slug=f"s{n}", body="", date=datetime.date(2025, 7, day) if day else None)
            for n, day in enumerate(days)
        ]

    assert date_span(stories(17, None, 3, 1)) == "1 July 2025 to 17 July 2025"
    assert date_span(stories(None, 9, 9, None)) == "9 July 2025"
    assert date_span(stories(None, None)) == date_span([]) == "undated stories"
