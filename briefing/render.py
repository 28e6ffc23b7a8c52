"""Render stage: Jinja2 templates and Markdown into page text. Pure apart from reading templates.

Story bodies are Markdown that editors may change; what they become is sanitised with nh3
(an allow-list of tags and attributes) before it reaches a page.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import markdown
import nh3
from jinja2 import (
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
    TemplateError,
    select_autoescape,
)
from markupsafe import Markup, escape

from briefing.cache import Store
from briefing.charts import bar_chart, timeline_svg
from briefing.errors import ContentError, Diagnostic
from briefing.model import Story
from briefing.site import Page, stories_per_month
from briefing.tally import Tally
from briefing.taxonomy import companions_by_type

MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
#: what a story body may contain once rendered: text structure, no scripts, styles or frames
ALLOWED_TAGS = frozenset(
    {
        "p",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "ul",
        "ol",
        "li",
        "em",
        "strong",
        "b",
        "i",
        "a",
        "code",
        "pre",
        "br",
        "hr",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "sup",
        "sub",
        "abbr",
        "q",
        "cite",
        "figure",
        "figcaption",
        "dl",
        "dt",
        "dd",
        "del",
        "ins",
        "mark",
        "small",
        "span",
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}, "td": {"colspan", "rowspan"}}
ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})

#: characters that start something in Markdown's inline syntax (escapes, code, emphasis, links,
#: images, HTML, entities) or a heading
_MARKDOWN_SIGNS = r"\\`*_\[\]!<>&#"
#: characters that nh3's HTML parser or serialiser changes (controls, the no-break space that it
#: writes as &nbsp;) or cannot take (lone surrogates)
_HTML_CHANGED = r"\x00-\x1f\x7f-\x9f\xa0\ud800-\udfff"
#: text that python-markdown and nh3 both leave exactly as it is, and that does not end in
#: white space (two spaces are a line break)
_PLAIN_TEXT = rf"[^{_MARKDOWN_SIGNS}{_HTML_CHANGED}]*[^{_MARKDOWN_SIGNS}{_HTML_CHANGED}\s]"
#: one line that python-markdown makes a plain paragraph: it does not start like another kind
#: of block (quote, list item, numbered item, rule, indented code)
PLAIN_PARAGRAPH = re.compile(
    rf"""
    (?![-+=>|0-9\s])   # not a quote, list, numbered item, rule, setext underline, table or indented code
    {_PLAIN_TEXT}
    """,
    re.VERBOSE,
)
#: "## Heading" with plain text: python-markdown makes it <hN>text</hN> (nh3 drops an <h1>'s tags)
PLAIN_HEADING = re.compile(rf"(?P<level>\#{{2,6}})\ (?P<text>{_PLAIN_TEXT})", re.VERBOSE)


def make_environment(
    templates_dir: Path,
    *,
    bodies: Store | None = None,
    known: Mapping[int, str] | None = None,
    lists: Mapping[int, bytes] | None = None,
    compiled: Path | None = None,
) -> Environment:
    """The Jinja environment every page is rendered with; `bodies` keeps rendered story bodies
    and the values that long entities' pages and exports are made from, chunk by chunk (cut by
    the stories' digests, those `known` already as they are, and those of whole `lists`: see
    Tally); `compiled` is a folder that keeps the templates compiled, by their text, between
    builds (cache.templates_path: compiling them took 0.2 s of every build, in each render worker)."""
    env = Environment(
        loader=FileSystemLoader(str(templates_dir)),
        bytecode_cache=FileSystemBytecodeCache(str(compiled)) if compiled is not None else None,
        autoescape=select_autoescape(["html", "xml"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # a build's templates do not change while it renders: no stat of them per page
    )
    converter = markdown.Markdown(output_format="html")  # one per environment, reset for each body
    convert = functools.partial(markdown_to_html, converter=converter)
    env.filters["markdown"] = convert if bodies is None else functools.partial(_cached_markdown, bodies, convert)
    env.filters["long_date"] = long_date
    env.globals["date_span"] = date_span
    env.filters["month_name"] = month_name
    env.globals["timeline_svg"] = timeline_svg
    env.globals["bar_chart"] = bar_chart
    env.globals["story_items"] = _Fragments(env, "_macros.html", "story_item").join
    env.globals["feed_entries"] = _Fragments(env, "_feed.xml", "feed_entry").join
    env.globals["page_links"] = _Fragments(env, "_macros.html", "page_link").pages
    env.globals["entity_links"] = _Fragments(env, "_macros.html", "entity_link").links
    env.globals["sitemap_urls"] = sitemap_urls
    # worked out when a page is rendered, so that pages the build skips cost nothing
    tally = Tally(bodies, known, lists)
    env.globals["tally"] = tally
    env.globals["companions_by_type"] = functools.partial(companions_by_type, tally=tally)
    env.globals["stories_per_month"] = functools.partial(stories_per_month, tally=tally)
    return env


class _Fragments:
    """A macro's output for one story (or other subject) and arguments, rendered once and then
    reused: a story is listed on the pages and in the feeds of all its entities, and a long
    entity's pages all list links to each other."""

    def __init__(self, env: Environment, template: str, macro: str) -> None:
        self.env, self.template, self.macro_name = env, template, macro
        self.made: dict[tuple[object, ...], tuple[object, Markup]] = {}
        self._macro: Callable[..., str] | None = None

    @property
    def macro(self) -> Callable[..., str]:
        """The macro, looked up once (a lookup asks the file system whether the template changed)."""
        if self._macro is None:
            self._macro = getattr(self.env.get_template(self.template).module, self.macro_name)
        return self._macro

    def __call__(self, subject: object, *args: object) -> Markup:
        key = (id(subject), *args)
        if key not in self.made:  # the subject is kept with it: its id is not reused while it is here
            self.made[key] = (subject, Markup(self.macro(subject, *args)))  # noqa: S704 - escaped by Jinja
        return self.made[key][1]

    def join(self, subjects: Sequence[object], *args: object) -> Markup:
        """The macro's output for each of the subjects, one after the other (one call from a
        template instead of one per subject)."""
        return Markup("".join([self(subject, *args) for subject in subjects]))  # noqa: S704 - each is Markup

    def links(self, plural: str, names: Sequence[tuple[str, str | None]], root: str) -> Markup:
        """The macro's output for each (name, slug of its page) of one entity type: each is
        kept by its values, as every story naming the entity lists the same link."""
        made = []
        for name, slug in names:
            key = (plural, name, slug, root)
            if key not in self.made:
                self.made[key] = (None, Markup(self.macro(*key)))  # noqa: S704 - escaped by Jinja
            made.append(self.made[key][1])
        return Markup("".join(made))  # noqa: S704 - each is Markup

    def pages(self, urls: Sequence[str], current: int, root: str) -> Markup:
        """The macro's output for each page of a list (numbered from 1), `current` marked."""
        links = [self(url, number, root, number == current) for number, url in enumerate(urls, 1)]
        return Markup("".join(links))  # noqa: S704 - each is Markup


def sitemap_urls(urls: Sequence[str], base_url: str) -> Markup:
    """A sitemap's <url> lines, one a line (a site has tens of thousands of pages: a template
    loop took a quarter of a second)."""
    start = f"  <url><loc>{escape(base_url)}"
    return Markup("".join([f"{start}{escape(url)}</loc></url>\n" for url in urls]))  # noqa: S704 - escaped


def markdown_to_html(text: str, *, converter: markdown.Markdown | None = None) -> Markup:
    """Render a story body to sanitised HTML; headings are demoted below the page's <h1>."""
    plain = plain_markdown_to_html(text)
    if plain is not None:
        return Markup(plain)  # noqa: S704 - plain text only, nothing to sanitise
    return library_markdown_to_html(text, converter=converter)


def library_markdown_to_html(text: str, *, converter: markdown.Markdown | None = None) -> Markup:
    """Render a story body with python-markdown, then sanitise it with nh3."""
    html = (converter.reset() if converter else markdown.Markdown(output_format="html")).convert(text)
    # demoted before sanitising: <h1> is not an allowed tag, and its text would lose its heading
    html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
    clean = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_SCHEMES),
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # noqa: S704 - sanitised above


def plain_markdown_to_html(text: str) -> str | None:
    """What python-markdown and nh3 make of a body of plain paragraphs and headings (most
    bodies), without running them (a fiftieth of the time); None for any other body."""
    blocks = []
    for block in text.split("\n\n"):
        if PLAIN_PARAGRAPH.fullmatch(block):
            blocks.append(f"<p>{block}</p>")
            continue
        heading = PLAIN_HEADING.fullmatch(block)
        if heading is None:
            return None
        level = len(heading["level"])
        blocks.append(f"<h{level}>{heading['text']}</h{level}>")
    return "\n".join(blocks)


def _cached_markdown(bodies: Store, convert: Callable[[str], Markup], text: str) -> Markup:
    plain = plain_markdown_to_html(text)
    if plain is not None:  # quicker to make again than to look up
        return Markup(plain)  # noqa: S704 - plain text only, nothing to sanitise
    key = hashlib.sha256(text.encode("utf-8")).hexdigest()
    html = bodies.get(key)
    if not isinstance(html, str):
        html = str(convert(text))
        bodies.put(key, html)
    return Markup(html)  # noqa: S704 - sanitised when it was made


def long_date(value: datetime.date | None) -> str:
    """ "17 July 2025", the same in every locale.

    >>> long_date(datetime.date(2025, 7, 17))
    '17 July 2025'
    """
    if value is None:
        return "Undated"
    return f"{value.day} {MONTH_NAMES[value.month - 1]} {value.year}"


def date_span(stories: Sequence[Story]) -> str:
    """The dates some stories (newest first) span, as an entity's older page is named: "3 March
    2025 to 17 July 2025", one date, or "undated stories". (A template macro made it from the
    stories with selectattr: a tenth of the time the entities' pages took to render.)

    >>> date_span([])
    'undated stories'
    """
    dated = [story.date for story in stories if story.date]
    if not dated:
        return "undated stories"
    if dated[0] == dated[-1]:
        return long_date(dated[0])
    return f"{long_date(dated[-1])} to {long_date(dated[0])}"


def month_name(key: str) -> str:
    """ "2025-07" -> "July 2025"."""
    year, month = key.split("-")
    return f"{MONTH_NAMES[int(month) - 1]} {year}"


def page_bytes(env: Environment, page: Page) -> bytes:
    """A page's bytes, as the site holds them: a data file's as made, any other page rendered
    (render_page) and encoded as UTF-8."""
    if page.text is None and page.make is not None:
        return _made(env, page.make)
    return render_page(env, page).encode("utf-8")


def _made(env: Environment, make: Callable[[Tally], bytes]) -> bytes:
    tally = env.globals["tally"]
    assert isinstance(tally, Tally)  # make_environment's: one per environment
    return make(tally)


def render_page(env: Environment, page: Page) -> str:
    """Render one page; a template problem becomes an error naming the template and page."""
    if page.text is not None:
        return page.text
    if page.make is not None:
        return _made(env, page.make).decode("utf-8")
    try:
        return env.get_template(page.template).render(**page.context)
    except TemplateError as exc:
        line = getattr(exc, "lineno", None)
        name = getattr(exc, "filename", None) or f"templates/{page.template}"
        raise ContentError(Diagnostic(str(name), line, f"rendering {page.url or 'index'}: {exc}")) from None
