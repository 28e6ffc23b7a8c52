"""Front matter: the symmetric pair that writes and reads content/*.md. Pure.

A story file is `---`, YAML, `---`, then the Markdown body. `dump_story` writes every
contract key in a fixed order with pinned YAML options; `parse_story` reads it back and
reports problems per field with the line they are on.
"""

from __future__ import annotations

import datetime
import difflib
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

import yaml

from briefing.errors import ContentError, Diagnostic, error, warning
from briefing.model import ENTITY_KEYS, Story
from briefing.plainyaml import read_plain_mapping, write_plain_mapping
from briefing.slugs import SLUG_PATTERN

#: the key that records what the build wrote, so that an editor's change is never overwritten
BUILD_HASH_KEY = "build_hash"
_BUILD_HASH_LINE = re.compile(rf"^{BUILD_HASH_KEY}: (?P<hash>[0-9a-f]{{16}})\n", re.MULTILINE)
_DELIMITER = "---\n"

#: front-matter keys in the order they are written; the body is not a key
KEY_ORDER: tuple[str, ...] = (
    "title",
    "slug",
    "kind",
    "seed",
    "part",
    "date",
    "source",
    "authors",
    *ENTITY_KEYS,
    "summary",
    "duplicate_of",
    "hidden",
    "seed_hash",
)
REQUIRED_KEYS = ("title", "slug")
#: an unknown key this close to a known one is a misspelling of it, and an error
TYPO_CUTOFF = 0.8
_LIST_KEYS = frozenset({"authors", *ENTITY_KEYS})
_ALL_KEYS = frozenset({*KEY_ORDER, BUILD_HASH_KEY})


#: libyaml's emitter when PyYAML has it (the same output as SafeDumper, several times faster)
_DUMPER: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _StoryLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """SafeLoader that leaves an impossible date ("2024-13-02") as text for the date check to report."""


def _timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_StoryLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


@dataclass(frozen=True, slots=True)
class ParsedStory:
    """A story read from content/, with what else reading it found."""

    story: Story
    pristine: bool  # True when the file is exactly as the build wrote it (no editor has changed it)
    warnings: tuple[Diagnostic, ...]


def _yaml_value(story: Story, key: str) -> Any:
    value = getattr(story, key)
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, datetime.date):
        return value  # PyYAML writes a date as YYYY-MM-DD
    return value


def dump_story(story: Story) -> str:
    """Write a story as a content file, with the build hash that marks it as untouched.

    >>> text = dump_story(Story(title="A: b", slug="a-b", body="Text."))
    >>> parse_story(text, "x.md").story.title, parse_story(text, "x.md").pristine
    ('A: b', True)
    """
    data = {key: _yaml_value(story, key) for key in KEY_ORDER}
    header = write_plain_mapping(data) or dump_yaml(data)
    body = story.body.strip("\n")
    unsigned = f"{_DELIMITER}{header}{_DELIMITER}\n{body}\n"
    digest = _digest(unsigned)
    return f"{_DELIMITER}{header}{BUILD_HASH_KEY}: {digest}\n{_DELIMITER}\n{body}\n"


def dump_yaml(data: dict[str, Any]) -> str:
    """A header as PyYAML writes it, with the options the build pins (write_plain_mapping's model)."""
    return yaml.dump(data, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, default_flow_style=False, width=10_000)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def is_pristine(text: str) -> bool:
    """Tell whether a content file is byte for byte what the build wrote."""
    match = _BUILD_HASH_LINE.search(text)
    if match is None:
        return False
    unsigned = text[: match.start()] + text[match.end() :]
    return _digest(unsigned) == match["hash"]


def split_front_matter(text: str, path: str) -> tuple[str, str]:
    """Split a content file into its YAML and its body; raise when there is no front matter."""
    if not text.startswith(_DELIMITER):
        raise error(path, 1, "no front matter: the file must start with a line '---'")
    end = text.find("\n" + _DELIMITER, len(_DELIMITER) - 1)
    if end == -1:
        raise error(path, 1, "front matter is not closed: add a line '---' after the last key")
    return text[len(_DELIMITER) : end + 1], text[end + 1 + len(_DELIMITER) :]


def parse_story(text: str, path: str) -> ParsedStory:
    """Read a content file; raise ContentError naming the line of the first bad field."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    header, body = split_front_matter(text, path)
    plain = _parse_plain(text, header, body, path)
    if plain is not None:
        return plain
    try:
        loader = _StoryLoader(header)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark else 1
        raise error(path, line, f"invalid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise error(path, 2, f"invalid YAML: {exc}") from None
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise error(path, 2, "front matter must be a mapping of keys to values")
    lines = {str(key.value): key.start_mark.line + 2 for key, _ in node.value}
    for key in data:
        typo = difflib.get_close_matches(str(key), KEY_ORDER, n=1, cutoff=TYPO_CUTOFF) if key not in _ALL_KEYS else []
        if typo:  # "compnies" is a broken edit: the companies the editor meant would be lost
            raise error(path, lines[str(key)], f"unknown key '{key}': did you mean '{typo[0]}'?")
    warnings = [  # other keys are welcome (CONTRACT): kept in the file, not used by the build
        warning(path, lines[str(key)], f"unknown key '{key}' (ignored); known keys: {', '.join(KEY_ORDER)}")
        for key in data
        if key not in _ALL_KEYS
    ]
    for key in REQUIRED_KEYS:
        if key not in data:
            raise error(path, 2, f"missing required key '{key}'")
    values = {key: _check_field(key, data[key], path, lines[key]) for key in KEY_ORDER if key in data}
    values["body"] = body.strip("\n")
    story = Story(**values)
    return ParsedStory(story=story, pristine=is_pristine(text), warnings=tuple(warnings))


def _parse_plain(text: str, header: str, body: str, path: str) -> ParsedStory | None:
    """Read a file whose front matter is as the build writes it, without PyYAML (most files);
    None for any other file, and for any problem (the YAML reading then reports it, with its line)."""
    data = read_plain_mapping(header)
    if data is None or not data.keys() <= _ALL_KEYS or any(key not in data for key in REQUIRED_KEYS):
        return None
    try:
        values = {key: _check_field(key, data[key], path, 0) for key in KEY_ORDER if key in data}
    except ContentError:
        return None
    values["body"] = body.strip("\n")
    return ParsedStory(story=Story(**values), pristine=is_pristine(text), warnings=())


def _check_field(key: str, value: Any, path: str, line: int) -> Any:
    """Validate one field's value and convert it to the Story's type."""
    checker: Callable[[Any], Any] = _CHECKERS.get(key, _optional_text)
    try:
        return checker(value)
    except ValueError as exc:
        raise error(path, line, f"{key}: {exc}") from None


def _text(value: Any) -> str:
    if isinstance(value, bool) or value is None or isinstance(value, list | dict):
        raise ValueError(f"expected text, got {_describe(value)}")
    text = str(value).strip()
    if not text:
        raise ValueError("must not be empty")
    return text


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _slug(value: Any) -> str:
    slug = _text(value)
    if not SLUG_PATTERN.match(slug):
        raise ValueError(f"expected lower-case letters, digits and single hyphens, got {slug!r}")
    return slug


def _optional_slug(value: Any) -> str | None:
    return None if value is None else _slug(value)


def _kind(value: Any) -> str:
    if value not in ("article", "brief"):
        raise ValueError(f"expected 'article' or 'brief', got {_describe(value)}")
    return str(value)


def _part(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"expected a whole number from 1, got {_describe(value)}")
    return value


def _date(value: Any) -> datetime.date | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    raise ValueError(f"expected a date like 2025-07-17, got {_describe(value)}")


def _names(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ValueError(f"expected a list (one '- name' line each), got {_describe(value)}")
    names: list[str] = []
    for item in value:
        name = _text(item)
        if name not in names:
            names.append(name)
    return tuple(names)


def _flag(value: Any) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {_describe(value)}")
    return value


def _summary(value: Any) -> str:
    return "" if value is None or value == "" else _text(value)


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value)


_CHECKERS: dict[str, Callable[[Any], Any]] = {
    "title": _text,
    "slug": _slug,
    "kind": _kind,
    "part": _part,
    "date": _date,
    "summary": _summary,
    "duplicate_of": _optional_slug,
    "hidden": _flag,
    **dict.fromkeys(_LIST_KEYS, _names),
}

assert {f.name for f in fields(Story)} >= set(KEY_ORDER), "every written key is a Story field"
