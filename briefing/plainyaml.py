"""Plain YAML: read and write the simple YAML of story headers without the YAML library. Pure.

A header the build wrote is one `key: value` per line, lists as `- item` lines under their
key, each value a plain or single-quoted scalar on one line. Reading that takes a tenth of
the time PyYAML takes. A value is only taken when it is certain to mean what PyYAML would
make of it (its own implicit resolvers decide what a plain scalar is); for anything else
`read_plain_mapping` gives up and the caller reads the header with PyYAML as before.

Writing is the mirror image: `write_plain_mapping` writes a header exactly as PyYAML's
emitter would (ten times faster: PyYAML's representer and resolver are pure Python), and
gives up on any value it cannot be certain of (line breaks, characters PyYAML escapes, text
long enough to be folded), so that the caller writes that header with PyYAML.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Mapping
from typing import Any

import yaml

#: a key as the build writes it: lower-case words joined by underscores
KEY_LINE = re.compile(r"(?P<key>[a-z][a-z_]*):(?: (?P<value>.*))?")
#: characters that end a YAML line or that the YAML reader refuses or treats specially
#: (controls, NEL, line and paragraph separators, byte-order mark, non-characters, surrogates)
_NOT_PLAIN_CHARACTERS = r"\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff"
#: a plain scalar that PyYAML reads as exactly its text: it does not start with an indicator,
#: has no ": " (a mapping) or " #" (a comment), no flow brackets, and no white space at its ends
PLAIN_SCALAR = re.compile(
    rf"""
    (?![-?:,\[\]{{}}\#&*!|>'"%@`\s])     # an indicator or white space first
    (?:[^:\#\[\]{{}}{_NOT_PLAIN_CHARACTERS}]   # anything but a colon, hash or bracket
     |:(?=[^\s{_NOT_PLAIN_CHARACTERS}])        # a colon not followed by white space
     |(?<=\S)\#                                # a hash not after white space
    )*
    (?<=[^\s{_NOT_PLAIN_CHARACTERS}])          # no white space last
    """,
    re.VERBOSE,
)
#: a single-quoted scalar on one line ('' is a quote)
QUOTED_SCALAR = re.compile(rf"'(?P<text>(?:[^'{_NOT_PLAIN_CHARACTERS}]|'')*)'")
#: the only forms of non-text values the build writes
WHOLE_NUMBER = re.compile(r"0|[1-9][0-9]*")
ISO_DATE = re.compile(r"(?P<year>[0-9]{4})-(?P<month>[0-9]{2})-(?P<day>[0-9]{2})")
_FLAGS = {"true": True, "false": False}
#: PyYAML's own table of what plain scalars mean (null, bool, int, float, timestamp...)
_RESOLVERS: dict[str | None, list[tuple[str, re.Pattern[str]]]] = yaml.SafeLoader.yaml_implicit_resolvers
_STR_TAG = "tag:yaml.org,2002:str"


class _NotPlain(Exception):
    """The header is not in the plain form: read it with PyYAML."""


def read_plain_mapping(header: str) -> dict[str, Any] | None:
    """The header's keys and values, or None when it is not in the form dump_story writes."""
    data: dict[str, Any] = {}
    items: list[Any] | None = None  # the list being read, while its "- " lines last
    try:
        for line in header.removesuffix("\n").split("\n"):  # YAML's line breaks are others too: see _scalar
            if items is not None and line.startswith("- "):
                items.append(_scalar(line[2:]))
                continue
            match = KEY_LINE.fullmatch(line)
            if match is None or match["key"] in data or items == [] or _resolve(match["key"]) != _STR_TAG:
                return None  # not a key: value line, a repeated key, "key:" with no items (null), "null:"
            if match["value"] is None:  # "key:" then its "- " lines
                items = data[match["key"]] = []
            else:
                items = None
                data[match["key"]] = [] if match["value"] == "[]" else _scalar(match["value"])
    except _NotPlain:
        return None
    return None if items == [] else data


@functools.lru_cache(maxsize=1 << 16)  # entity names, sources and kinds recur in file after file
def _scalar(text: str) -> Any:
    """What PyYAML makes of one scalar (a value that cannot change), or _NotPlain when that is not certain."""
    if text.startswith("'"):
        quoted = QUOTED_SCALAR.fullmatch(text)
        if quoted is None:
            raise _NotPlain(text)
        return quoted["text"].replace("''", "'")
    if not PLAIN_SCALAR.fullmatch(text):
        raise _NotPlain(text)
    tag = _resolve(text)
    if tag == _STR_TAG:
        return text
    if tag == "tag:yaml.org,2002:null" and text == "null":
        return None
    if tag == "tag:yaml.org,2002:bool" and text in _FLAGS:
        return _FLAGS[text]
    if tag == "tag:yaml.org,2002:int" and WHOLE_NUMBER.fullmatch(text):
        return int(text)
    date = ISO_DATE.fullmatch(text)
    if tag == "tag:yaml.org,2002:timestamp" and date is not None:
        try:
            return datetime.date(int(date["year"]), int(date["month"]), int(date["day"]))
        except ValueError:
            raise _NotPlain(text) from None  # PyYAML's reading of it is left to the date check
    raise _NotPlain(text)


@functools.lru_cache(maxsize=256)  # the same few keys in every file
def _resolve(text: str) -> str:
    """The tag PyYAML gives a plain scalar (as BaseResolver.resolve does)."""
    for tag, pattern in _RESOLVERS.get(text[0], []) + _RESOLVERS.get(None, []):
        if pattern.match(text):
            return tag
    return _STR_TAG


#: characters PyYAML writes as they are when it may write Unicode: the printable ones but a
#: byte-order mark; NEL and the Unicode line separators are breaks, and anything beyond the
#: Basic Multilingual Plane is left to PyYAML (the writer gives up on what this does not match)
_WRITTEN_AS_IS = re.compile(r"[\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd]+")
#: a first character that makes PyYAML quote a value (its block indicators)
_INDICATOR_FIRST = frozenset("#,[]{}&*!|>'\"%@`")
#: a first character that makes PyYAML quote a value when a space (or nothing) follows it
_INDICATOR_BEFORE_SPACE = frozenset("?:-")
#: longer values may be folded onto a second line (the dumper's width is 10,000 columns)
MAX_WRITTEN = 5000


class _NotWritable(Exception):
    """A value the plain writer is not certain to write as PyYAML would."""


def write_plain_mapping(data: Mapping[str, Any]) -> str | None:
    """A header as PyYAML writes it (block style, Unicode as is), or None when not certain.

    Keys are lower-case words; values are text, whole numbers, dates, true, false, null, or
    lists of text.
    """
    lines: list[str] = []
    try:
        for key, value in data.items():
            if not KEY_LINE.fullmatch(f"{key}:") or _resolve(key) != _STR_TAG:
                return None
            if isinstance(value, list):
                if not value:
                    lines.append(f"{key}: []\n")
                else:
                    lines.append(f"{key}:\n")
                    lines.extend(f"- {_written(item)}\n" for item in value)
            else:
                lines.append(f"{key}: {_written(value)}\n")
    except _NotWritable:
        return None
    return "".join(lines)


def _written(value: object) -> str:
    """One scalar as PyYAML's emitter writes it (see Emitter.analyze_scalar and choose_scalar_style)."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if type(value) is int and value >= 0:
        return str(value)
    if type(value) is datetime.date:
        return value.isoformat()
    if type(value) is not str:
        raise _NotWritable(repr(value))
    return _written_text(value)


@functools.lru_cache(maxsize=1 << 16)  # entity names, sources and kinds recur in file after file
def _written_text(text: str) -> str:
    if text == "":
        return "''"
    if len(text) > MAX_WRITTEN or not _WRITTEN_AS_IS.fullmatch(text):
        raise _NotWritable(text)
    if _plain_allowed(text) and _resolve(text) == _STR_TAG:
        return text
    return "'" + text.replace("'", "''") + "'"


def _plain_allowed(text: str) -> bool:
    """Whether PyYAML may write text (one line of printable characters) plain in block context."""
    first, after_first = text[0], text[1:2]
    return not (
        text[0] == " "
        or text[-1] == " "
        or text.startswith(("---", "..."))
        or first in _INDICATOR_FIRST
        or (first in _INDICATOR_BEFORE_SPACE and after_first in ("", " "))
        or ": " in text[1:]
        or text[-1] == ":"  # a colon followed by the end: a key
        or " #" in text
    )
