"""Plain YAML: read the simple YAML that dump_story writes without the YAML library. Pure.

A header the build wrote is one `key: value` per line, lists as `- item` lines under their
key, each value a plain or single-quoted scalar on one line. Reading that takes a tenth of
the time PyYAML takes. A value is only taken when it is certain to mean what PyYAML would
make of it (its own implicit resolvers decide what a plain scalar is); for anything else
`read_plain_mapping` gives up and the caller reads the header with PyYAML as before.
"""

from __future__ import annotations

import datetime
import functools
import re
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
