"""Extract stage: read headline, date, source, authors and summary off a clean document. Pure.

Each field is filled from the most to the least trustworthy source (trafilatura's
approach): the page's own metadata, then what the cleaner removed as metadata lines
(bylines, stamps, press-release tags, copyright), then the article's opening.
"""

from __future__ import annotations

import datetime
import re

from briefing.dates import parse_date, strip_dateline
from briefing.headline import make_headline
from briefing.model import CleanDocument, Metadata
from briefing.patterns import sentences

MAX_SUMMARY = 320
#: dates are read only from the opening of the article, never from deep in the body
#: ("two laws passed in 2024" is not the publication date)
DATE_WINDOW = 200

#: "Jim Cornall is editor of Deeptech Digest ..." -> the author's name
AUTHOR_BIO = re.compile(
    r"^(?P<name>[A-Z][\w.’'-]+(?: [A-Z][\w.’'-]+){1,3}) is (?:an? |the )?(?:[\w-]+ ){0,3}"
    r"(?:editor|reporter|journalist|writer|correspondent|contributor|author|columnist|publisher)\b"
)
#: "By Jane Doe and John Roe" -> the names
BYLINE = re.compile(
    r"^(?:by|written by|words by|author:|reporting by|(?:reporter|writer|correspondent)\s*[:：])\s*(?P<names>.+)$",
    re.IGNORECASE,
)
_NAME_SEPARATORS = re.compile(r"\s*(?:,|\band\b|&)\s*")
#: "(Press release, NKGEN Biotech, JUL 17, 2025, ...)" -> issuer "NKGEN Biotech"
PRESS_RELEASE_TAG = re.compile(r"\((?:press release|news release|source),\s*(?P<issuer>[^,()]{2,60}),", re.IGNORECASE)
#: "©www.geneonline.com", "© 2025 GeneOnline. All rights reserved" -> the publisher
COPYRIGHT = re.compile(
    r"^(?:©|\(c\)|copyright)\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?\s*)?(?:by\s+)?(?P<owner>[\w-]+(?:\.[\w-]+)+|[^.|©]{2,60}?)"
    r"\s*(?:\.|,|\||all rights|$)",
    re.IGNORECASE,
)
#: asides a summary can do without: tickers "(OTC: NKGN)" and defined terms '("NKGen" or the "Company")'
SUMMARY_ASIDE = re.compile(r"\s*\((?:[A-Z]+:\s*[A-Z.]+|[^()]*[\"“”][^()]*)\)")
_DOMAIN = re.compile(r"^(?:https?://)?(?:www\.)?(?P<label>[a-z0-9-]+)\.(?:[a-z]{2,6})(?:\.[a-z]{2})?$", re.IGNORECASE)


def extract_metadata(doc: CleanDocument) -> Metadata:
    """Fill every metadata field of a clean document."""
    lead = next((block.text for block in doc.blocks if block.kind == "paragraph"), "")
    return Metadata(
        title=doc.title or make_headline(lead) or "Untitled",
        date=find_date(doc, lead),
        source=find_source(doc),
        authors=find_authors(doc),
        summary=make_summary(lead),
    )


def find_date(doc: CleanDocument, lead: str) -> datetime.date | None:
    """The publication date: page metadata, a removed date stamp or tag, then the dateline."""
    candidates = [
        doc.meta.get("published", ""),
        *(removal.text for removal in doc.removed if removal.rule in ("timestamp", "press-release-tag")),
        lead[:DATE_WINDOW] if doc.kind == "article" else "",
    ]
    return next((date for text in candidates if text and (date := parse_date(text))), None)


def find_source(doc: CleanDocument) -> str | None:
    """The publisher: site name, press-release issuer, then the copyright owner."""
    if doc.meta.get("site_name"):
        return doc.meta["site_name"]
    for removal in doc.removed:
        tag = PRESS_RELEASE_TAG.search(removal.text)
        if tag:
            return tag["issuer"].strip()
    for removal in doc.removed:
        owner = COPYRIGHT.match(removal.text) if removal.rule == "copyright" else None
        if owner:
            return _publisher_name(owner["owner"].strip(), doc)
    return None


def _publisher_name(owner: str, doc: CleanDocument) -> str:
    """Turn "www.geneonline.com" into "GeneOnline" when the page spells the name somewhere."""
    domain = _DOMAIN.match(owner)
    if not domain:
        return owner
    label = domain["label"]
    spelled = re.compile(rf"\b({re.escape(label)})\b", re.IGNORECASE)
    for text in (removal.text for removal in doc.removed):
        match = spelled.search(text)
        if match and match.group(1) != label.lower():
            return match.group(1)
    return owner.removeprefix("www.")


def find_authors(doc: CleanDocument) -> tuple[str, ...]:
    """Bylines: page metadata, removed byline lines, then the author box's bio."""
    names: list[str] = []
    if doc.meta.get("author") and "://" not in doc.meta["author"]:
        names.extend(_split_names(doc.meta["author"]))
    for removal in doc.removed:
        byline = BYLINE.match(removal.text) if removal.rule == "byline" else None
        bio = AUTHOR_BIO.match(removal.text)
        if byline:
            names.extend(_split_names(byline["names"]))
        elif bio:
            names.append(bio["name"])
    return tuple(dict.fromkeys(name for name in names if name))


def _split_names(text: str) -> list[str]:
    return [name.strip(" .") for name in _NAME_SEPARATORS.split(text) if len(name.split()) in (2, 3, 4)]


def make_summary(lead: str) -> str:
    """One or two sentences from the lead, without the dateline, at most 320 characters."""
    parts = sentences(SUMMARY_ASIDE.sub("", strip_dateline(lead)))
    if not parts:
        return ""
    summary = parts[0]
    if len(summary) < 120 and len(parts) > 1 and len(summary) + len(parts[1]) < MAX_SUMMARY:
        summary += " " + parts[1]
    if len(summary) > MAX_SUMMARY:
        summary = summary[: MAX_SUMMARY - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return summary
