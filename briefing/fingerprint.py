"""Fingerprints: a digest of everything a page is made from. Pure.

A page whose fingerprint is the one it had in an earlier build has the same bytes, so the
build does not render it again. A fingerprint covers the page's template values and a salt
(the templates and briefing's code): any change to one of them is a new fingerprint.

Stories and entity terms appear on many pages; each is digested once, and a page's digest
refers to it by that digest (pickle's persistent ids), so fingerprinting a page costs about
as much as the list of what it shows, never the size of the stories on it.
"""

from __future__ import annotations

import hashlib
import io
import pickle
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from briefing.cache import code_version
from briefing.model import TAXONOMIES, Story
from briefing.site import Page, PageUrls, SiteInfo, TermLinks
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

    def __init__(
        self,
        salt: str,
        stories: Sequence[Story],
        digests: Sequence[str],
        terms: Iterable[Term],
        shared: Iterable[object],
    ) -> None:
        self.salt = salt.encode()
        self._known: dict[int, str] = {}
        self._alive: list[object] = []  # the objects known by id must outlive the fingerprints
        for story, story_digest in zip(stories, digests, strict=True):
            self._remember(story, story_digest)
        for term in terms:
            shown = (term.entry.description, term.entry.parent) if term.entry else None  # what pages show of it
            listed = self._token(term.stories)
            self._remember(term, self._dumps((term.taxonomy.plural, term.name, term.slug, shown, listed)))
        for value in shared:  # big values many pages share, such as the table of term slugs
            self._remember(value, self._dumps(value))

    def _remember(self, value: object, key: str) -> None:
        if id(value) not in self._known:
            self._alive.append(value)
            self._known[id(value)] = key

    def _dumps(self, value: object) -> str:
        buffer = io.BytesIO()
        buffer.write(self.salt)
        _Pickler(buffer, self._known).dump(value)
        return digest(buffer.getvalue())

    def of_story(self, story: Story) -> str:
        """The digest of a story's own values with the salt: what its search entry is made from."""
        return digest(self.salt + self._known.get(id(story), "").encode() + story.slug.encode())

    def of(self, page: Page) -> str:
        """The fingerprint of one page."""
        if page.text is not None:
            return digest(self.salt + page.text.encode("utf-8"))
        # the values in the order the plan gives them, the same in every build of the same code;
        # each written as a tagged token (a story page has ten values: pickling them all took
        # most of the time fingerprinting took)
        tokens = [page.output_path, page.template]
        for key, value in page.context.items():
            tokens.append(key)
            tokens.append(self._token(value))
        return digest(self.salt + _SEPARATOR.join(tokens).encode("utf-8", "surrogatepass"))

    def _token(self, value: object) -> str:
        """A value as a string that no other value gives: tagged by its kind, strings prefixed
        by their length, known objects by their digests, anything else by the digest of its pickle."""
        known = self._known.get(id(value))
        if known is not None:
            return "k" + known
        kind = type(value)
        if kind is str:
            return f"s{len(value)}:{value}"  # type: ignore[arg-type]
        if value is None or kind is bool or kind is int:
            return f"v{value!r}"
        if (kind is list or kind is tuple) and value:
            digests = list(map(self._known.get, map(id, value)))  # type: ignore[call-overload]  # at C speed
            if None not in digests:
                return f"{kind.__name__}{len(digests)}:" + ",".join(digests)  # type: ignore[arg-type]
        return "p" + self._dumps(value)


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


def shared_values(pages: Iterable[Page]) -> list[object]:
    """Values that many pages share, to digest once: the links to entity pages, the URLs of the
    pages of an entity's stories, mappings of a
    type of their own (pickle does not ask about a plain dict, list or tuple), the site's
    description and the entity types (every page has them: pickling a dataclass asks for its
    fields each time)."""
    seen: dict[int, object] = {id(taxonomy): taxonomy for taxonomy in TAXONOMIES}
    for page in pages:
        for value in page.context.values():
            if id(value) not in seen and (
                (isinstance(value, dict) and type(value) is not dict)
                or isinstance(value, (SiteInfo, TermLinks, PageUrls))
            ):
                seen[id(value)] = value
    return list(seen.values())
