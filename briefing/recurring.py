"""Learn boilerplate from the corpus: a line that recurs across articles of one site. Pure.

Sites repeat their own furniture (a desk's sign-off, a sponsor line, a campaign banner)
in words no shipped rule knows. A short paragraph found in several different articles of
the same site is that furniture. Syndicated copies of one story count once, so a quote
that several copies share is never taken for boilerplate.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from itertools import chain

from briefing.compose import Draft, compose
from briefing.entities import EntityIndex
from briefing.model import RawArticle
from briefing.rules import RuleSet

#: a line must recur in this many different stories of a site to count as its furniture
MIN_ARTICLES = 3
_DOMAIN = re.compile(r"^(?:https?://)?(?:www\.)?(?P<host>[^/:?#]+)", re.IGNORECASE)


def site_of(draft: Draft) -> str | None:
    """Which site a story comes from: its page's address, its publisher, or its seed folder."""
    url = draft.trace.url
    match = _DOMAIN.match(url) if url else None
    if match:
        return match["host"].lower()
    if draft.story.source:
        return draft.story.source.casefold()
    # a seed's name is /-separated, as the seeds folder's listing makes it: its folder is what
    # comes before the last "/" (no PurePosixPath made: twelve thousand of them a rebuild)
    folder = (draft.story.seed or "").rpartition("/")[0]
    return folder if folder not in ("", ".") else None


def learn_recurring(drafts: Sequence[Draft], copies: Mapping[int, int]) -> dict[str, frozenset[str]]:
    """Per site, the short paragraphs (as phrase keys) found in at least MIN_ARTICLES stories."""
    seen: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for number, draft in enumerate(drafts):
        site = site_of(draft)
        if site is None:
            continue
        story = copies.get(number, number)  # copies of one story count once
        for key in draft.trace.phrases:
            seen[site][key].add(story)
    learned = {
        site: frozenset(key for key, stories in lines.items() if len(stories) >= MIN_ARTICLES and key)
        for site, lines in seen.items()
    }
    return {site: lines for site, lines in sorted(learned.items()) if lines}


def forget_recurring(
    drafts: list[Draft],
    copies: dict[int, int],
    rules: RuleSet,
    index: EntityIndex,
    reread: Callable[[RawArticle], RawArticle | None],
) -> tuple[list[Draft], bool]:
    """Compose again, without them, the seeds that hold lines recurring across a site's stories.

    `reread` gives a draft's article back with its text (drafts do not keep it), or None when
    its seed cannot be read any more (the draft is then kept as it is).
    """
    learned = learn_recurring(drafts, copies)
    if not learned:
        return drafts, False
    redone: dict[str, list[Draft]] = {}
    for draft in drafts:
        site = site_of(draft)
        seed = draft.story.seed
        lines = learned.get(site or "")
        if seed is None or seed in redone or not lines:
            continue
        if any(key in lines for key in chain(draft.trace.phrases, draft.trace.long_phrases)):
            article = reread(draft.article)
            if article is not None:
                redone[seed] = compose(article, rules.with_learned(lines), index)
    result: list[Draft] = []
    placed: set[str] = set()
    for draft in drafts:
        seed = draft.story.seed or ""
        if seed not in redone:
            result.append(draft)
        elif seed not in placed:  # a listing page's briefs are all made again at its first
            placed.add(seed)
            result.extend(redone[seed])
    return result, bool(redone)
