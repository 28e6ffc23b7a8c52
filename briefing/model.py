"""The data that flows between the stages: plain frozen values, no I/O, no logic beyond tiny properties."""

from __future__ import annotations

import datetime
import hashlib
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeVar

StoryKind = Literal["article", "brief"]
BlockKind = Literal["paragraph", "heading"]
T = TypeVar("T")


def quick_pickle(cls: type[T]) -> type[T]:
    """Pickle a frozen, slotted dataclass as the tuple of its values in slot order.

    The state functions dataclasses generates look every field up on every load, which made
    reading the caches of a large archive slow (a rebuild of 20,000 stories loads 470,000 of
    these objects). These read the values at C speed, and set them through the slots' own
    descriptors, one call a field written out as dataclasses writes its `__init__` (a loop
    over the fields, or `object.__setattr__`, took twice as long).
    """
    names: tuple[str, ...] = cls.__slots__  # type: ignore[attr-defined]
    values = operator.attrgetter(*names)

    def __getstate__(self: T) -> tuple[object, ...]:  # noqa: N807 - pickle's protocol
        state = values(self)
        return state if len(names) > 1 else (state,)

    setattr(cls, "__getstate__", __getstate__)  # noqa: B010 - replacing what dataclasses generated
    setattr(cls, "__setstate__", _slot_setter(cls, names))  # noqa: B010
    return cls


def replaced(value: T, **changes: object) -> T:
    """`dataclasses.replace` for a `quick_pickle` class: the same values, made through its
    `__setstate__` rather than `__init__`'s keywords (a rebuild of 20,000 stories gives each
    its slug and names: forty thousand replacements, a second of them through `__init__`).

    A name that is not a field is a TypeError, as with `dataclasses.replace`.
    """
    cls = type(value)
    names: tuple[str, ...] = cls.__slots__  # type: ignore[attr-defined]
    state = list(operator.attrgetter(*names)(value))
    for name, new in changes.items():
        if name not in names:
            raise TypeError(f"{cls.__name__} has no field {name!r}")
        state[names.index(name)] = new
    made: T = cls.__new__(cls)
    made.__setstate__(tuple(state))  # type: ignore[attr-defined]
    return made


def _slot_setter(cls: type, names: tuple[str, ...]) -> Callable[[object, tuple[object, ...]], None]:
    """`__setstate__` for a slotted class: each value set by its slot's descriptor, in order.

    A state of another length (a cache written by another layout) is a ValueError, as the
    caches expect of a value they cannot read.
    """
    setters = {f"_set_{number}": getattr(cls, name).__set__ for number, name in enumerate(names)}
    lines = [f"    _set_{number}(self, state[{number}])" for number in range(len(names))]
    source = "\n".join(
        [
            "def __setstate__(self, state):",
            f"    if len(state) != {len(names)}:",
            f"        raise ValueError('{cls.__name__}: expected {len(names)} values, got %d' % len(state))",
            *lines,
        ]
    )
    namespace: dict[str, object] = dict(setters)
    exec(source, namespace)  # noqa: S102 - source made above from the class's own slot names
    setter: Callable[[object, tuple[object, ...]], None] = namespace["__setstate__"]  # type: ignore[assignment]
    setter.__qualname__ = f"{cls.__qualname__}.__setstate__"
    return setter


@quick_pickle
@dataclass(frozen=True, slots=True)
class RawArticle:
    """One seed file, decoded."""

    path: str  # relative to the seeds folder, "/"-separated
    text: str  # decoded, "\n" line ends, NFC-normalised
    format: Literal["html", "text"]
    digest: str  # sha256 of the raw bytes: tells when a seed changed
    encoding: str  # what it was decoded from ("utf-8", "shift_jis", ...)


@quick_pickle
@dataclass(frozen=True, slots=True)
class Block:
    """One paragraph or section heading of an article's own text."""

    kind: BlockKind
    text: str
    line: int  # where it starts in the raw file (1-based)


@quick_pickle
@dataclass(frozen=True, slots=True)
class Removal:
    """A line (or part of one) that cleaning took out, and the rule that did it."""

    line: int
    text: str
    rule: str


@quick_pickle
@dataclass(frozen=True, slots=True, kw_only=True)
class CleanDocument:
    """An article reduced to its own text: the clean stage's output."""

    path: str
    title: str | None  # the headline the page itself gives, if any
    blocks: tuple[Block, ...]
    removed: tuple[Removal, ...] = ()
    meta: Mapping[str, str] = field(default_factory=dict)  # HTML <meta>, JSON-LD: name -> value
    kind: StoryKind = "article"
    part: int | None = None  # a brief's place on its listing page (1-based)

    @property
    def body_text(self) -> str:
        return "\n\n".join(block.text for block in self.blocks)


@dataclass(frozen=True, slots=True, kw_only=True)
class Metadata:
    """What the extract stage reads off a clean document, apart from entities."""

    title: str
    date: datetime.date | None
    source: str | None
    authors: tuple[str, ...]
    summary: str


@dataclass(frozen=True, slots=True)
class Taxonomy:
    """An entity type: front-matter key and URL segment (`plural`), and how pages name it."""

    singular: str
    plural: str
    title: str


TAXONOMIES: tuple[Taxonomy, ...] = (
    Taxonomy("company", "companies", "Companies"),
    Taxonomy("organization", "organizations", "Organizations"),
    Taxonomy("regulator", "regulators", "Regulators"),
    Taxonomy("therapy", "therapies", "Therapies"),
    Taxonomy("modality", "modalities", "Modalities"),
    Taxonomy("indication", "indications", "Indications"),
    Taxonomy("country", "countries", "Countries"),
    Taxonomy("person", "people", "People"),
)
ENTITY_KEYS: tuple[str, ...] = tuple(t.plural for t in TAXONOMIES)


@quick_pickle
@dataclass(frozen=True, slots=True, kw_only=True)
class Mention:
    """One entity found in a story's text."""

    kind: str  # a Taxonomy.plural
    name: str  # canonical name
    surface: str  # the text as written
    start: int  # character offset in the text searched
    origin: Literal["registry", "discovery"]
    rule: str  # which registry file or discovery pattern found it


@quick_pickle
@dataclass(frozen=True, slots=True, kw_only=True)
class Story:
    """One story: what content/<slug>.md holds, and what every page is rendered from."""

    title: str
    slug: str
    kind: StoryKind = "article"
    seed: str | None = None
    part: int | None = None  # for a brief: its place (1-based) on the listing page it came from
    date: datetime.date | None = None
    source: str | None = None
    authors: tuple[str, ...] = ()
    companies: tuple[str, ...] = ()
    organizations: tuple[str, ...] = ()
    regulators: tuple[str, ...] = ()
    therapies: tuple[str, ...] = ()
    modalities: tuple[str, ...] = ()
    indications: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    summary: str = ""
    duplicate_of: str | None = None
    hidden: bool = False  # an editor's "do not show": kept in content/, left out of the site
    body: str = ""  # Markdown
    seed_hash: str | None = None  # digest of the seed this was made from

    def terms(self, key: str) -> tuple[str, ...]:
        """The canonical names this story lists under an entity key ("companies", ...)."""
        value: tuple[str, ...] = getattr(self, key)
        return value

    @property
    def sort_key(self) -> tuple[int, str]:
        """Newest first, undated last, ties by slug."""
        return (-(self.date.toordinal() if self.date else 0), self.slug)


#: bytes of a story's text digest
TEXT_DIGEST_SIZE = 16


def text_digest(summary: str, body: str) -> bytes:
    """A digest of a story's summary and body: its text, by which a story without it (a draft
    read back from the compose cache) is told equal to a story file's."""
    text = f"{len(summary)}\0{summary}{body}".encode("utf-8", "surrogatepass")
    return hashlib.blake2b(text, digest_size=TEXT_DIGEST_SIZE).digest()
