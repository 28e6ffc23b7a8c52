"""Front matter: the dump/parse pair round-trips anything, and errors name the line."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from briefing.errors import ContentError
from briefing.frontmatter import (
    KEY_ORDER,
    _StoryLoader,
    dump_story,
    dump_yaml,
    is_pristine,
    parse_story,
    split_front_matter,
)
from briefing.model import Story
from briefing.plainyaml import MAX_WRITTEN, read_plain_mapping, write_plain_mapping

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


def yaml_reading(header: str) -> object:
    """What PyYAML makes of a header, as parse_story reads it when the header is not plain."""
    try:
        return yaml.load(header, Loader=_StoryLoader)  # noqa: S506 - a SafeLoader
    except yaml.YAMLError:
        return "not YAML"


@pytest.mark.parametrize("text", NASTY)
def test_plain_reading_of_hostile_values_is_pyyaml_s(text: str) -> None:
    story = Story(title=text.strip() or "x", slug="a-b", companies=(text,), summary=text.strip(), body="B.")
    header, _ = split_front_matter(dump_story(story), "x.md")
    for changed in (header, header.replace(": '", ": "), header.replace("- '", "- ")):
        plain = read_plain_mapping(changed)
        assert plain is None or plain == yaml_reading(changed), changed


#: scalars near the edge of what the plain reading takes
EDGE_SCALARS = [
    *NASTY,
    *("yes", "No", "ON", "off", "True", "FALSE", "Null", "NULL", "y", "n", "=", "<<", ".inf", ".nan", "-.inf"),
    *("0", "007", "1_000", "0x1f", "0o17", "1:20", "1.5", "1e3", "+1", "-1", "2025-07-17", "2024-13-02"),
    *("2025-07-17 10:00:00", "2025-7-1", "a: b", "a:b", "a:", "a #b", "a#b", "#a", "a ", " a", "a\tb", "[a]", "{a}"),
    *("a, b", "&a", "*a", "!a", "%a", "@a", "`a", "|a", ">a", "?a", "? a", "-a", "- a", ":a", "'a", "'a''b'", "'a'b'"),
    *("'a' b", '"a"', "a\u2028b", "a\x85b", "a\ufeffb", "a\u00a0", "\u3000a", "アステラス", "🙂", "...", "---", ""),
]


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(
        st.tuples(
            st.sampled_from(["title", "slug", "date", "part", "companies", "hidden", "null", "no", "Title", "a b"]),
            st.one_of(st.sampled_from(EDGE_SCALARS), st.text(max_size=12)),
            st.lists(st.one_of(st.sampled_from(EDGE_SCALARS), st.text(max_size=12)), max_size=3),
        ),
        max_size=5,
    )
)
def test_plain_reading_is_pyyaml_s_or_gives_up(lines: list[tuple[str, str, list[str]]]) -> None:
    header = ""
    for key, value, items in lines:
        header += f"{key}:\n" + "".join(f"- {item}\n" for item in items) if items else f"{key}: {value}\n"
    plain = read_plain_mapping(header)
    assert plain is None or plain == yaml_reading(header)


def test_files_the_build_writes_are_read_plainly() -> None:
    stories = [Story(title=t.strip() or "x", slug="a-b", companies=(t.strip() or "x",), body="B.") for t in NASTY]
    plain = [read_plain_mapping(split_front_matter(dump_story(story), "x.md")[0]) for story in stories]
    assert sum(value is not None for value in plain) > len(stories) // 2
    for path in sorted((Path(__file__).parent.parent / "content").glob("*.md")):
        header, _ = split_front_matter(path.read_text(encoding="utf-8"), path.name)
        assert read_plain_mapping(header) == yaml_reading(header), path.name


def pyyaml_writing(data: dict[str, object]) -> list[str]:
    """What PyYAML writes for a header: with the dumper the build uses, and with the pure-Python one."""
    options = {"sort_keys": False, "allow_unicode": True, "default_flow_style": False, "width": 10_000}
    return [dump_yaml(data), yaml.dump(data, Dumper=yaml.SafeDumper, **options)]  # type: ignore[call-overload]


#: values near the edge of what the plain writer takes: PyYAML's indicators, implicit types, breaks
WRITER_EDGES = [*EDGE_SCALARS, *("a - b", "It's", "100%", "x?y", "a\tb", "a\nb", " ", "a  b", "-", "?", ":", "#")]


@settings(max_examples=400, deadline=None)
@given(
    value=st.one_of(st.sampled_from(WRITER_EDGES), st.text(max_size=20), st.text(st.sampled_from(":#-?' ,ab\u00a0"))),
    items=st.lists(st.one_of(st.sampled_from(WRITER_EDGES), st.text(max_size=12)), max_size=3),
    part=st.one_of(st.none(), st.integers(0, 1000), st.booleans()),
    date=st.one_of(st.none(), st.dates()),
)
def test_plain_writing_is_pyyaml_s_or_gives_up(
    value: str, items: list[str], part: int | bool | None, date: datetime.date | None
) -> None:
    data = {"title": value, "part": part, "date": date, "companies": items, "authors": []}
    written = write_plain_mapping(data)
    assert written is None or all(written == theirs for theirs in pyyaml_writing(data))


def test_plain_writing_writes_what_the_build_writes() -> None:
    """It gives up rarely, and never where PyYAML would fold a long line."""
    stories = [Story(title=t.strip() or "x", slug="a-b", companies=(t.strip() or "x",), body="B.") for t in NASTY]
    headers = [{key: getattr(story, key) for key in ("title", "slug", "kind", "hidden")} for story in stories]
    assert sum(write_plain_mapping(header) is not None for header in headers) >= len(headers) - 3
    long = {"summary": "word " * (MAX_WRITTEN // 5) + "end"}
    assert write_plain_mapping(long) is None
    for path in sorted((Path(__file__).parent.parent / "content").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        parsed = parse_story(text, path.name)
        assert not parsed.pristine or dump_story(parsed.story) == text, path.name
