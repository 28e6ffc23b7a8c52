"""Slugs: URL- and file-safe names made from titles and entity names. Pure."""

from __future__ import annotations

import hashlib
import re
import unicodedata

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

#: apostrophes vanish rather than split a word ("Alzheimer's" -> "alzheimers")
_APOSTROPHES = re.compile(r"['’‘`´]")
#: every run of anything but a-z and 0-9 becomes one hyphen
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
#: names Windows will not create as files or folders, whatever the extension
_RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))})
MAX_LENGTH = 80


def slugify(text: str, *, max_length: int = MAX_LENGTH) -> str:
    """Turn any text into a slug; "" when nothing Latin is left.

    >>> slugify("NKGen Biotech, Inc. & HekaBio: a deal")
    'nkgen-biotech-inc-hekabio-a-deal'
    >>> slugify("Alzheimer’s disease")
    'alzheimers-disease'
    >>> slugify("../../etc/passwd")
    'etc-passwd'
    >>> slugify("アステラス製薬")
    ''
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NON_ALNUM.sub("-", _APOSTROPHES.sub("", ascii_text.lower())).strip("-")
    if len(slug) > max_length:
        cut = slug[: max_length + 1]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else slug[:max_length]
    if slug in _RESERVED:
        slug += "-page"
    return slug


def slug_or_fallback(text: str, *, prefix: str) -> str:
    """Slugify, or name the text by a short hash when nothing Latin is left.

    >>> slug_or_fallback("アステラス製薬", prefix="company")
    'company-8140fc64'
    """
    slug = slugify(text)
    if slug:
        return slug
    return f"{prefix}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:8]}"


def unique_slug(base: str, taken: set[str]) -> str:
    """Return `base`, or `base-2`, `base-3`... whichever is free.

    >>> unique_slug("deal", {"deal", "deal-2"})
    'deal-3'
    """
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"
