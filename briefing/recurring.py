"""Learn boilerplate from the corpus: a line that recurs across articles of one site. Pure.

Sites repeat their own furniture (a desk's sign-off, a sponsor line, a campaign banner)
in words no shipped rule knows. A short paragraph found in several different articles of
the same site is that furniture. Syndicated copies of one story count once, so a quote
that several copies share is never taken for boilerplate.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath

from briefing.compose import Draft
from briefing.rules import phrase_key

#: a line must recur in this many different stories of a site to count as its furniture
MIN_ARTICLES = 3
#: furniture is short; a long paragraph that recurs is quoted text, not boilerplate
MAX_LENGTH = 200
_DOMAIN = re.compile(r"^(?:https?://)?(?:www\.)?(?P<host>[^/:?#]+)", re.IGNORECASE)


def site_of(draft: Draft) -> str | None:
    """Which site a story comes from: its page's address, its publisher, or its seed folder."""
    url = draft.document.meta.get("url")
    match = _DOMAIN.match(url) if url else None
    if match:
        return match["host"].lower()
    if draft.story.source:
        return draft.story.source.casefold()
    folder = PurePosixPath(draft.story.seed or "").parent.as_posix()
    return folder if folder not in ("", ".") else None


def learn_recurring(drafts: Sequence[Draft], copies: Mapping[int, int]) -> dict[str, frozenset[str]]:
    """Per site, the short paragraphs (as phrase keys) found in at least MIN_ARTICLES stories."""
    seen: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for number, draft in enumerate(drafts):
        site = site_of(draft)
        if site is None:
            continue
        story = copies.get(number, number)  # copies of one story count once
        for block in draft.document.blocks:
            if len(block.text) <= MAX_LENGTH:
                seen[site][phrase_key(block.text)].add(story)
    learned = {
        site: frozenset(key for key, stories in lines.items() if len(stories) >= MIN_ARTICLES and key)
        for site, lines in seen.items()
    }
    return {site: lines for site, lines in sorted(learned.items()) if lines}
