"""Fingerprints: a digest of everything a page is made from. Pure.

A page whose fingerprint is the one it had in an earlier build has the same bytes, so the
build does not render it again. A fingerprint covers the page's template values and a salt
(the templates and briefing's code): any change to one of them is a new fingerprint.

Stories and entity terms appear on many pages; each is digested once, and a page's digest
refers to it by that digest (pickle's persistent ids), so fingerprinting a page costs about
as much as the list of what it shows, never the size of the stories on it.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import io
import pickle
from collections.abc import Collection, Iterable, Mapping, Sequence
from itertools import chain
from pathlib import Path
from typing import Any

from briefing.cache import code_version
from briefing.model import TAXONOMIES, Story
from briefing.site import Page, PageUrls, SiteInfo, TermLinks, term_chunks
from briefing.taxonomy import Term

#: bytes of a digest, as hex twice as many characters
DIGEST_SIZE = 16


def digest(data: bytes) -> str:
    """A short digest of some bytes."""
    return hashlib.blake2b(data, digest_size=DIGEST_SIZE).hexdigest()


def _known(key: str) -> str:
    """Stands for a known object in a digest (never called: fingerprints are not unpickled)."""
    return key


class _Pickler(pickle.Pickler):
    """A pickler that writes a known object as its digest instead of its contents.

    (pickle asks about every object that is not a str, int, list, tuple, dict and the like:
    stories, terms and the TermLinks are among those it asks about.)
    """

    def __init__(self, file: io.BytesIO, known: Mapping[int, str]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.known = known

    def reducer_override(self, obj: Any) -> Any:  # noqa: ANN401 - any value a page shows
        key = self.known.get(id(obj))
        return NotImplemented if key is None else (_known, (key,))


def story_digests(stories: Iterable[Story]) -> list[str]:
    """A digest of each story's values: what a reader could see change (pickled, they are
    digested at C speed)."""
    dumps, protocol = pickle.dumps, pickle.HIGHEST_PROTOCOL
    return [digest(dumps(story, protocol=protocol)) for story in stories]


class Fingerprints:
    """Fingerprints of the pages of one build; `salt` is what every page depends on, and
    `digests` are the stories' own (`story_digests`)."""

    def __init__(self, salt: str, stories: Sequence[Story], digests: Sequence[str], terms: Iterable[Term]) -> None:
        self.salt = salt.encode()
        self._salt_digest = digest(self.salt)
        #: the stories' own digests, by the story's id (the tallies cut story lists by them too)
        self.stories: dict[int, str] = dict(zip(map(id, stories), digests, strict=True))
        # the token of each known object, by its id (worked out at C speed: there are tens of
        # thousands of stories); the objects known by id must outlive the fingerprints
        self._known: dict[int, str] = dict(zip(self.stories, map("k".__add__, digests), strict=True))
        self._alive: list[object] = [list(stories)]
        # the pages of an entity's stories (term_chunks), by their first story's id and length:
        # a page's list of stories is looked up there, not token by token
        self._chunks: dict[tuple[int, int], list[tuple[Sequence[Story], str]]] = {}
        for constant in (None, True, False):  # on many pages (and never freed)
            self._known[id(constant)] = f"v{constant!r}"
        for taxonomy in TAXONOMIES:  # every page has them
            self._remember(taxonomy, "k" + self._digest_of(dataclasses.astuple(taxonomy)))
        self._remember(TAXONOMIES, self._token(TAXONOMIES))
        #: the terms' stories' digests as one string of bytes, by the id of the term's list of
        #: stories, where the terms carry them (all_terms): the tallies cut the lists by them too
        self.lists: dict[int, bytes] = {}
        for term in terms:  # a term's token and its pages' are made of those strings: at C speed
            self._know_term(term)

    def _know_term(self, term: Term) -> None:
        """Know a term by a token made of its stories' digests, and its pages' lists of stories
        (term_chunks) by theirs (a page's list is looked up there, not story by story)."""
        if _carries_digests(term):
            digests = self.lists[id(term.stories)] = term.digests
        else:
            digests = self._list_digests(term.stories)
        start = 0
        for chunk in term_chunks(term.stories):
            if chunk:
                end = start + len(chunk)
                token = "c" + digest(digests[start * DIGEST_SIZE : end * DIGEST_SIZE])
                self._chunks.setdefault((id(chunk[0]), len(chunk)), []).append((chunk, token))
                start = end
        shown = (term.entry.description, term.entry.parent) if term.entry else None  # what pages show of its entry
        named = (term.taxonomy.plural, term.name, term.slug, shown)
        self._remember(term, "k" + self._digest_of((*named, _Token("c" + digest(digests)))))  # keeps its stories

    def _list_digests(self, stories: Sequence[Story]) -> bytes:
        """Some stories' digests as one string of bytes, DIGEST_SIZE each: as known, or made."""
        known = self.stories.get
        return b"".join(bytes.fromhex(known(id(story)) or story_digests([story])[0]) for story in stories)

    def _remember(self, value: object, token: str) -> str:
        if id(value) not in self._known:
            self._alive.append(value)
            self._known[id(value)] = token
        return self._known[id(value)]

    def _digest_of(self, values: Sequence[object]) -> str:
        """The digest of some values' tokens, with the salt."""
        return digest(self.salt + ",".join(map(self._token, values)).encode("utf-8", "surrogatepass"))

    def _dumps(self, value: object) -> str:
        buffer = io.BytesIO()
        buffer.write(self.salt)
        _Pickler(buffer, self._known).dump(value)
        return digest(buffer.getvalue())

    def of_story(self, story: Story) -> str:
        """What a story's search entry is made from: the salt's digest, its own values' digest and
        its slug, joined (not digested again: 20,000 digests took a fifth of a second)."""
        return self._salt_digest + self._known.get(id(story), "") + story.slug

    def of(self, page: Page) -> str:
        """The fingerprint of one page."""
        if page.text is not None:
            return digest(self.salt + page.text.encode("utf-8"))
        # the values in the order the plan gives them, the same in every build of the same code,
        # each written as a token; most are stories and terms, whose tokens are known (found
        # at C speed: a site has tens of thousands of pages)
        context = page.context
        values = context.values()
        tokens = self._tokens(values)
        parts = [page.output_path, page.template, *chain.from_iterable(zip(context, tokens, strict=True))]
        return digest(self.salt + _SEPARATOR.join(parts).encode("utf-8", "surrogatepass"))

    def _tokens(self, values: Collection[object]) -> list[str]:
        """The tokens of some values: those of known objects found at C speed (lists of stories
        are long, and most values of most pages are stories and terms)."""
        known = list(map(self._known.get, map(id, values)))
        if None not in known:
            return known  # type: ignore[return-value]
        token = self._token
        return [known or token(value) for known, value in zip(known, values, strict=True)]

    def _token(self, value: object) -> str:
        """A value as a string that no other value gives: tagged by its kind, strings prefixed
        by their length, lists and tuples by theirs, known objects by their digests, anything
        else by the digest of its pickle.

        (A token never holds a comma it does not begin and end itself, so that a list's
        tokens joined by commas are read back one way only.)
        """
        known = self._known.get(id(value))
        if known is not None:
            return known
        kind = type(value)
        if kind is str:
            return f"s{len(value)}:{value}"  # type: ignore[arg-type]
        if value is None or kind is bool or kind is int:
            return f"v{value!r}"
        if kind is datetime.date:
            return f"d{value.toordinal()}"  # type: ignore[attr-defined]
        if kind is _Token:
            return value  # type: ignore[return-value]
        if kind is tuple and value:
            items: tuple[object, ...] = value  # type: ignore[assignment]
            for chunk, token in self._chunks.get((id(items[0]), len(items)), ()):
                if items == chunk:  # the same stories (compared by identity first: at C speed)
                    return token
        if kind is list or kind is tuple:
            tokens = self._tokens(value)  # type: ignore[arg-type]
            return f"{kind.__name__}{len(tokens)}:" + ",".join(tokens)
        if kind is TermLinks:  # its names in order: a set's order changes from one run to the next
            unlinked = sorted(value.unlinked)  # type: ignore[attr-defined]
            return self._remember(value, "k" + self._digest_of(("TermLinks", unlinked)))
        if kind in _SHARED:  # on many pages: digested once
            return self._remember(value, "k" + self._dumps(value))
        return "p" + self._dumps(value)


def _carries_digests(term: Term) -> bool:
    """Whether a term carries its stories' digests (Term.digests), one for each."""
    return bool(term.stories) and len(term.digests) == DIGEST_SIZE * len(term.stories)


class _Token(str):
    """A token already made (of a list whose items' tokens were at hand)."""

    __slots__ = ()


#: immutable values that many pages share, digested once (by their pickle: pickle asks for a
#: dataclass's fields each time)
_SHARED = frozenset({Term, PageUrls, SiteInfo})
#: between the tokens of a page's fingerprint (a token's own text cannot end early: strings
#: carry their length)
_SEPARATOR = "\x1e"


def page_salt(templates: Path) -> str:
    """What every page depends on: the templates (not the static assets) and briefing's code."""
    parts = [code_version()]
    for path in sorted(
        p for p in templates.rglob("*") if p.is_file() and "static" not in p.relative_to(templates).parts
    ):
        parts.append(path.relative_to(templates).as_posix())
        parts.append(digest(path.read_bytes()))
    return "\0".join(parts)
