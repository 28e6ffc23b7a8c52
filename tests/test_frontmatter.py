"""Front matter: the dump/parse pair round-trips anything, and errors name the line."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.errors import ContentError
from briefing.frontmatter import KEY_ORDER, dump_story, is_pristine, parse_story
from briefing.model import Story

NASTY = [
    "COP30: a guide",
    "#1 ranking",
    "true",
    "2024",
    "[draft]",
    "- dash",
    "a\nb",
    "'quoted'",
    '"dq"',
    "null",
    "~",
    "@at",
    "%pct",
    "アステラス製薬",
    "tab\there",
    "x: y: z",
    "  padded  ",
    "{brace}",
    "*star",
    "|pipe",
]


@pytest.mark.parametrize("text", NASTY)
def test_hostile_titles_and_names_round_trip(text: str) -> None:
    story = Story(
        title=text.strip() or "x",
        slug="a-b",
        companies=(text.strip() or "x",),
        summary=text.strip(),
        date=datetime.date(2025, 7, 17),
        body="Body.",
    )
    assert parse_story(dump_story(story), "content/a-b.md").story == story


safe_text = (
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60).map(str.strip).filter(bool)
)


@settings(max_examples=60, deadline=None)
@given(
    title=safe_text,
    names=st.lists(safe_text, max_size=4, unique=True),
    summary=st.one_of(st.just(""), safe_text),
    date=st.one_of(st.none(), st.dates(datetime.date(1990, 1, 1), datetime.date(2100, 1, 1))),
)
def test_round_trip_property(title: str, names: list[str], summary: str, date: datetime.date | None) -> None:
    story = Story(title=title, slug="s", people=tuple(names), summary=summary, date=date, body="Text.")
    text = dump_story(story)
    parsed = parse_story(text, "content/s.md")
    assert parsed.story == story and parsed.pristine
    assert dump_story(parsed.story) == text


def test_every_contract_key_is_written_in_order() -> None:
    text = dump_story(Story(title="T", slug="t"))
    keys = [line.split(":")[0] for line in text.split("---\n")[1].splitlines() if not line.startswith("- ")]
    assert keys[: len(KEY_ORDER)] == list(KEY_ORDER)


def test_an_edit_is_detected() -> None:
    text = dump_story(Story(title="T", slug="t", body="Body."))
    assert is_pristine(text)
    assert not is_pristine(text.replace("Body.", "Body, edited."))
    assert not is_pristine(text.replace("title: T", "title: U"))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("no front matter\n", "content/x.md:1: error: no front matter"),
        ("---\ntitle: T\nslug: t\n", "content/x.md:1: error: front matter is not closed"),
        ("---\ntitle: T\nslug: [a\n---\n", "content/x.md:4: error: invalid YAML"),
        (
            "---\ntitle: T\nslug: t\ndate: 2024-13-02\n---\n",
            "content/x.md:4: error: date: expected a date like 2025-07-17, got '2024-13-02'",
        ),
        ("---\ntitle: T\nslug: Bad Slug\n---\n", "content/x.md:3: error: slug: expected lower-case letters"),
        ("---\ntitle: T\nslug: t\ncompanies: Acme\n---\n", "content/x.md:4: error: companies: expected a list"),
        ("---\ntitle: T\nslug: t\nkind: essay\n---\n", "content/x.md:4: error: kind: expected 'article' or 'brief'"),
        ("---\nslug: t\n---\n", "content/x.md:2: error: missing required key 'title'"),
        ("---\ntitle: T\nslug: t\npart: -1\n---\n", "content/x.md:4: error: part: expected a whole number"),
        (
            "---\ntitle: T\nslug: t\ncompnies: [A]\n---\n",
            "content/x.md:4: error: unknown key 'compnies': did you mean 'companies'?",
        ),
    ],
)
def test_errors_name_the_line(text: str, message: str) -> None:
    with pytest.raises(ContentError) as caught:
        parse_story(text, "content/x.md")
    assert str(caught.value.diagnostic).startswith(message)


def test_unknown_keys_are_warnings_naming_the_key() -> None:
    parsed = parse_story("---\ntitle: T\nslug: t\ncolour: red\n---\nBody\n", "content/x.md")
    assert [str(w) for w in parsed.warnings][0].startswith("content/x.md:4: warning: unknown key 'colour'")
    assert parsed.story.body == "Body"


def test_crlf_files_read_the_same() -> None:
    text = dump_story(Story(title="T", slug="t", body="Body."))
    assert parse_story(text.replace("\n", "\r\n"), "content/t.md").story == parse_story(text, "content/t.md").story
