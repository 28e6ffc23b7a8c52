"""Clean stage for HTML pages: take the page's main content, then clean it as text. Pure.

trafilatura finds the main content (it leads the public extraction benchmarks); this
module adds what the briefing needs around it: the <h1> headline, the page's metadata
(Open Graph, JSON-LD, <time>), and the same named boilerplate rules as for text dumps.
"""

from __future__ import annotations

import json
from typing import Any

import lxml.html
import trafilatura
from trafilatura.settings import Extractor
from trafilatura.utils import load_html

from briefing.clean import clean_text
from briefing.listing import find_teasers, is_listing_page
from briefing.model import Block, CleanDocument, Removal
from briefing.patterns import INLINE_SPACE, SENTENCE_END
from briefing.rules import RuleSet

#: <meta> names and properties, by the metadata field they give, most trustworthy first
META_FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("og:title", "twitter:title", "citation_title", "dc.title"),
    "site_name": ("og:site_name", "application-name", "publisher", "dc.publisher", "citation_publisher"),
    "published": (
        "article:published_time",
        "datepublished",
        "citation_publication_date",
        "dc.date",
        "publish-date",
        "pubdate",
        "date",
        "sailthru.date",
        "parsely-pub-date",
    ),
    "author": ("author", "article:author", "citation_author", "dc.creator", "parsely-author"),
    "url": ("og:url",),
    "description": ("og:description", "description"),
}


def clean_html(path: str, html: str, rules: RuleSet) -> tuple[CleanDocument, ...]:
    """Clean an HTML page into its article (or a listing page into briefs)."""
    tree = load_html(html)
    if tree is None:
        return clean_text(path, "", rules)
    meta = read_metadata(tree)
    teasers = find_teasers(tree)  # before extraction, which changes the tree
    title = read_headline(tree, meta)
    # trafilatura's own extractor alone first (fast); its readability and jusText fallbacks
    # only when that finds next to nothing, as on pages whose sidebar outweighs the article
    lines, removed = _main_content(tree, fast=True)  # reads the tree we parsed, and changes it
    if sum(len(line) for line in lines) < MIN_MAIN_TEXT:
        slow_lines, slow_removed = _main_content(html, fast=False)
        if sum(map(len, slow_lines)) > sum(map(len, lines)):
            lines, removed = slow_lines, slow_removed
    if is_listing_page(teasers, "\n".join(lines)):
        return tuple(
            CleanDocument(
                path=path,
                title=teaser.title,
                blocks=(Block("paragraph", teaser.text, teaser.line),),
                meta=meta,
                kind="brief",
                part=number,
            )
            for number, teaser in enumerate(teasers, start=1)
        )
    return clean_text(path, "\n".join(lines), rules, title=title, meta=meta, removed=removed)


def _extraction_options(*, fast: bool) -> Extractor:
    """What trafilatura is asked for: the main text with its structure, no comments, no metadata."""
    return Extractor(
        output_format="python",
        formatting=True,
        comments=False,
        tables=True,
        images=False,
        links=True,  # to tell link lists from paragraphs; the links themselves are dropped
        with_metadata=False,
        fast=fast,
    )


#: made once, not per page: making them reads trafilatura's settings (0.14 ms); trafilatura
#: never changes options it is given (its recall retry changes a copy)
_EXTRACTION_OPTIONS = {fast: _extraction_options(fast=fast) for fast in (True, False)}


def _main_content(page: str | lxml.html.HtmlElement, *, fast: bool) -> tuple[list[str], list[Removal]]:
    document = trafilatura.bare_extraction(page, options=_EXTRACTION_OPTIONS[fast])
    body = getattr(document, "body", None)
    return _block_lines(body) if body is not None else ([], [])


#: a short block whose text is nearly all link text is a headline of another story, or a menu
MAX_LINK_SHARE = 0.8
MAX_LINK_BLOCK = 160
#: less main text than this, and the slower extraction with fallbacks is tried too
MIN_MAIN_TEXT = 400


def _block_lines(body: lxml.html.HtmlElement) -> tuple[list[str], list[Removal]]:
    """The main content as lines: one per paragraph, list item or table row; headings as `## `.

    Blocks made of links ("related stories", menus) are left out, and said so.
    """
    blocks: list[tuple[str, lxml.html.HtmlElement]] = []
    for element in body:
        tag = element.tag
        if tag == "head":
            blocks.append(("## ", element))
        elif tag == "list":
            blocks.extend(("", item) for item in element.iter("item"))
        elif tag == "table":
            blocks.extend(("", row) for row in element.iter("row"))
        elif tag != "graphic":
            blocks.append(("", element))
    lines: list[str] = []
    removed: list[Removal] = []
    for prefix, element in blocks:
        text = _text_of(element)
        if not text:
            continue
        linked = sum(len(_text_of(ref)) for ref in element.iter("ref"))
        if linked >= MAX_LINK_SHARE * len(text) and (len(text) <= MAX_LINK_BLOCK or not SENTENCE_END.search(text)):
            removed.append(Removal(len(lines) + 1, text, "link-list"))
            continue
        lines.append(prefix + text)
    return lines, removed


def read_headline(tree: lxml.html.HtmlElement, meta: dict[str, str]) -> str | None:
    """The headline: the first <h1> with words in it, else og:title, else <title>."""
    for h1 in tree.iter("h1"):
        text = _text_of(h1)
        if len(text.split()) >= 2:
            return text
    if meta.get("title"):
        return meta["title"]
    title = tree.find(".//title")
    return (_text_of(title) or None) if title is not None else None


def read_metadata(tree: lxml.html.HtmlElement) -> dict[str, str]:
    """Collect the page's metadata fields from <meta>, JSON-LD and <time>, first source winning."""
    found: dict[str, str] = {}
    metas: dict[str, str] = {}
    for tag in tree.iter("meta"):
        key = (tag.get("property") or tag.get("name") or tag.get("itemprop") or "").strip().lower()
        content = (tag.get("content") or "").strip()
        if key and content and key not in metas:
            metas[key] = content
    for field, keys in META_FIELDS.items():
        value = next((metas[key] for key in keys if key in metas), None)
        if value:
            found[field] = INLINE_SPACE.sub(" ", value).strip()
    for field, value in _json_ld(tree).items():
        found.setdefault(field, value)
    for time in tree.iter("time"):
        if time.get("datetime"):
            found.setdefault("published", str(time.get("datetime")))
            break
    return found


def _json_ld(tree: lxml.html.HtmlElement) -> dict[str, str]:
    """Read headline, date, author and publisher from schema.org JSON-LD blocks."""
    found: dict[str, str] = {}
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue  # a broken JSON-LD block is the page's problem; the <meta> tags remain
        for item in _items(data):
            _take(found, "title", item.get("headline"))
            _take(found, "published", item.get("datePublished"))
            _take(found, "author", _name(item.get("author")))
            _take(found, "site_name", _name(item.get("publisher")))
    return found


def _items(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, list):
        return [item for entry in data for item in _items(entry)]
    if isinstance(data, dict):
        graph = data.get("@graph")
        return [data, *(_items(graph) if graph else [])]
    return []


def _name(value: Any) -> str | None:
    if isinstance(value, list):
        names = [_name(entry) for entry in value]
        return ", ".join(name for name in names if name) or None
    if isinstance(value, dict):
        return _name(value.get("name"))
    return str(value) if isinstance(value, str) and value.strip() else None


def _take(found: dict[str, str], field: str, value: Any) -> None:
    if isinstance(value, str) and value.strip() and field not in found:
        found[field] = INLINE_SPACE.sub(" ", value).strip()


def _text_of(element: lxml.html.HtmlElement) -> str:
    return INLINE_SPACE.sub(" ", " ".join(element.itertext())).strip()
