"""Dates as articles write them: find and parse publication dates, strip datelines. Pure."""

from __future__ import annotations

import datetime
import re

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"

#: the date forms news pages use, each with named parts
DATE_FORMS: tuple[re.Pattern[str], ...] = (
    # ISO 8601 and its slash/dot variants: 2025-07-17, 2025/07/17, 2025-07-17T09:00:00Z
    re.compile(r"\b(?P<year>(19|20)\d{2})[-/.](?P<mon>\d{1,2})[-/.](?P<day>\d{1,2})(?!\d)"),
    # month first: July 17, 2025 / JUL 17, 2025 / Jul. 17 2025
    re.compile(rf"\b{_MONTH}\s+(?P<day>\d{{1,2}})(st|nd|rd|th)?,?\s+(?P<year>(19|20)\d{{2}})\b", re.IGNORECASE),
    # day first: 17 July 2025 / 17th Jul 2025
    re.compile(rf"\b(?P<day>\d{{1,2}})(st|nd|rd|th)?\s+{_MONTH},?\s+(?P<year>(19|20)\d{{2}})\b", re.IGNORECASE),
    # Japanese and Chinese: 2025年7月17日
    re.compile(r"(?P<year>(19|20)\d{2})\s*年\s*(?P<mon>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*日"),
)

#: a dateline that opens a story: "April 21, 2025 — Tokyo, Japan — " or
#: "TOKYO, July 17, 2025 /PRNewswire/ -- "; what follows it is the lead
DATELINE = re.compile(
    r"""^(?:[A-Z][\w .’'-]{1,40},\s*)?                # an optional place first: "TOKYO, "
        (?P<date>[^—–]{6,30}?\d{4})                   # the date itself
        \s*(?:/[^/]{2,40}/)?                          # a wire tag: /PRNewswire/
        \s*(?:—|–|--|-)\s*                            # a dash
        (?:[A-Z][\w .,’'-]{1,40}?\s*(?:—|–|--)\s*)?   # an optional place after: "Tokyo, Japan — "
    """,
    re.VERBOSE,
)


def parse_date(text: str) -> datetime.date | None:
    """Read the first valid date in a text.

    >>> parse_date("JUL 17, 2025, View Source")
    datetime.date(2025, 7, 17)
    >>> parse_date("2024-13-02") is None
    True
    """
    found = []
    for form in DATE_FORMS:
        for match in form.finditer(text):
            date = _to_date(match)
            if date is not None:
                found.append((match.start(), date))
                break
    return min(found)[1] if found else None


def _to_date(match: re.Match[str]) -> datetime.date | None:
    parts = match.groupdict()
    month = int(parts["mon"]) if parts.get("mon") else MONTHS[parts["month"].lower()]
    try:
        return datetime.date(int(parts["year"]), month, int(parts["day"]))
    except ValueError:
        return None


def strip_dateline(text: str) -> str:
    """Remove a leading dateline, returning the lead that follows it.

    >>> strip_dateline("April 21, 2025 — Tokyo, Japan — A delegation of 16 companies arrived.")
    'A delegation of 16 companies arrived.'
    """
    match = DATELINE.match(text)
    if match and parse_date(match["date"]):
        return text[match.end() :]
    return text
