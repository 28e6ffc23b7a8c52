"""Ingest stage: find the seed files and decode each into a RawArticle. The I/O edge for seeds.

Decoding is careful because editors save pages from anywhere: byte-order marks, UTF-16,
Shift_JIS, EUC-JP and Windows-1252 all occur. Anything that is not text is rejected with
one line that names the file.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Literal

import ftfy
from charset_normalizer import from_bytes
from ftfy.badness import BADNESS_RE

from briefing.errors import Diagnostic, error, warning
from briefing.folders import is_true, named_files
from briefing.model import RawArticle

#: file names editors' tools leave behind, never articles
_IGNORED_NAMES = re.compile(r"^(\..*|.*~|README(\..*)?|Thumbs\.db|desktop\.ini)$", re.IGNORECASE)
#: a file this large is not an article someone saved; refuse it before reading it whole
MAX_BYTES = 20 * 1024 * 1024
#: an HTML page announces itself in its first bytes
_HTML_START = re.compile(r"^\s*(<!doctype\s+html|<html|<head|<body|<meta|<title|<!--)", re.IGNORECASE)
_HTML_TAGS = re.compile(r"</?(p|div|article|h1|h2|span|a|br)\b[^>]*>", re.IGNORECASE)
#: control characters that never belong in text (tab, line feed and carriage return do)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: invisible characters that copy-paste drags along; they split words for every later stage
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
#: the encodings editors' pages come in, tried before any other: without this list the
#: detector may read Windows-1252 quotes as Mac Icelandic
LIKELY_ENCODINGS = (
    "utf_8",
    "cp1252",
    "shift_jis",
    "cp932",
    "euc_jp",
    "iso2022_jp",
    "gb18030",
    "big5",
    "euc_kr",
    "latin_1",
)
#: ftfy's mojibake test (its BADNESS_RE) matches at most this many characters, and every
#: match holds a non-ASCII character (tests/test_ingest.py checks both against ftfy's pattern)
MOJIBAKE_WIDTH = 7
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True, slots=True)
class Decoded:
    """Text decoded from bytes, and how."""

    text: str
    encoding: str


def discover(seeds_dir: Path) -> list[Path]:
    """List every seed file below `seeds_dir`, sorted by their /-separated relative path."""
    return [Path(path) for _, path in discover_named(seeds_dir)]


def discover_named(seeds_dir: Path) -> list[tuple[str, str]]:
    """Every seed file below `seeds_dir` (hidden and backup names left out) with its /-separated
    path relative to it, sorted by that, and its path (`seeds_dir` joined with that, a string)."""
    return named_files(seeds_dir, lambda entry: is_true(entry.is_file), skip=_IGNORED_NAMES.match)


def seed_digest(data: bytes) -> str:
    """The digest a seed's bytes are known by (its story's `seed_hash`)."""
    return hashlib.sha256(data).hexdigest()[:16]


def file_digest(path: str | PathLike[str]) -> str:
    """The digest of a seed file's bytes."""
    with open(path, "rb") as handle:
        return seed_digest(handle.read())


def read_article(seeds_dir: Path, path: Path, *, shown_as: str) -> tuple[RawArticle, list[Diagnostic]]:
    """Read and decode one seed; raise ContentError (naming `shown_as`) when it is not an article."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise error(
            shown_as,
            None,
            f"file is {size // (1024 * 1024)} MB; a seed may be at most "
            f"{MAX_BYTES // (1024 * 1024)} MB (save only the article)",
        )
    data = path.read_bytes()
    decoded, notes = decode(data, shown_as)
    text = normalise_text(decoded.text)
    if not text.strip():
        raise error(shown_as, None, "file is empty: nothing to build a story from")
    article = RawArticle(
        path=path.relative_to(seeds_dir).as_posix(),
        text=text,
        format=sniff_format(text, path.suffix),
        digest=seed_digest(data),
        encoding=decoded.encoding,
    )
    return article, notes


def decode(data: bytes, shown_as: str) -> tuple[Decoded, list[Diagnostic]]:
    """Decode raw bytes: BOM, then strict UTF-8, then a detected encoding; refuse binary data."""
    if not data.strip():
        raise error(shown_as, None, "file is empty: nothing to build a story from")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return Decoded(data.decode(codec, errors="replace"), codec.replace("-sig", "")), []
    if _looks_like_utf16(data):
        return Decoded(data.decode("utf-16-le" if data[1] == 0 else "utf-16-be", errors="replace"), "utf-16"), []
    if b"\x00" in data:
        raise error(shown_as, None, "binary file (it contains NUL bytes), not a text or HTML article")
    try:
        return Decoded(data.decode("utf-8"), "utf-8"), []
    except UnicodeDecodeError as exc:
        bad_line = data.count(b"\n", 0, exc.start) + 1
    match = from_bytes(data, cp_isolation=list(LIKELY_ENCODINGS)).best() or from_bytes(data).best()
    if match is None or _binary_share(str(match)) > 0.05:
        raise error(shown_as, bad_line, "binary file or unknown encoding: cannot be read as text")
    encoding = match.encoding.replace("_", "-")
    return Decoded(str(match), encoding), [
        warning(shown_as, bad_line, f"not UTF-8; read as {encoding} (save seeds as UTF-8 to be sure)")
    ]


def _looks_like_utf16(data: bytes) -> bool:
    """UTF-16 without a BOM: every other byte of ASCII-heavy text is NUL."""
    sample = data[:2000]
    if len(sample) < 4:
        return False
    even, odd = sample[0::2], sample[1::2]
    return (odd.count(0) > 0.4 * len(odd) and even.count(0) == 0) or (
        even.count(0) > 0.4 * len(even) and odd.count(0) == 0
    )


def _binary_share(text: str) -> float:
    return len(_CONTROL.findall(text)) / max(len(text), 1)


def normalise_text(text: str) -> str:
    r"""Repair mojibake, unify line ends, drop invisible and control characters, normalise to NFC.

    >>> normalise_text("The companyâ€™s first" + "\r\n")
    'The company’s first\n'
    """
    if may_be_mojibake(text):
        text = ftfy.fix_encoding(text)  # UTF-8 read as Windows-1252 ("â€™" for "’"), and the like
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text)
    text = _CONTROL.sub("", text)
    return unicodedata.normalize("NFC", text)


def may_be_mojibake(text: str) -> bool:
    """Whether ftfy's mojibake test finds anything, so that fix_encoding could change the text.

    ftfy tries its pattern at every character (half a millisecond a seed, nearly always
    for nothing); a match sits within MOJIBAKE_WIDTH characters of a non-ASCII one, so
    only the stretches around non-ASCII characters are searched, each stretch once.

    >>> may_be_mojibake("The company’s first"), may_be_mojibake("The companyâ€™s first")
    (False, True)
    """
    reach = MOJIBAKE_WIDTH - 1
    stretches: list[tuple[int, int]] = []
    for run in _NON_ASCII_RUN.finditer(text):
        start, end = max(0, run.start() - reach), run.end() + reach
        if stretches and start <= stretches[-1][1]:
            stretches[-1] = (stretches[-1][0], end)
        else:
            stretches.append((start, end))
    return any(BADNESS_RE.search(text, start, end) for start, end in stretches)


def sniff_format(text: str, suffix: str) -> Literal["html", "text"]:
    """Say whether a seed is an HTML page or a text dump, by its name and then its content."""
    if suffix.lower() in (".html", ".htm", ".xhtml"):
        return "html"
    if _HTML_START.match(text) or len(_HTML_TAGS.findall(text[:5000])) >= 5:
        return "html"
    return "text"
