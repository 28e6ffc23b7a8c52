"""Compose: from one raw article to its draft stories (clean, extract, find entities). Pure."""

from __future__ import annotations

import dataclasses
import operator
import pickle
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from briefing.clean import clean_text
from briefing.dedupe import Fingerprint, story_fingerprint
from briefing.entities import Entities, EntityIndex, find_entities
from briefing.extract import extract_metadata
from briefing.model import CleanDocument, Mention, RawArticle, Removal, Story, quick_pickle, replaced, text_digest
from briefing.registry import Entry
from briefing.rules import RECURRING_MAX_LENGTH, RuleSet, phrase_key


@quick_pickle
@dataclass(frozen=True, slots=True)
class Trace:
    """What a draft keeps of its clean document: what explains the story and what the
    site-wide steps compare (a large archive's drafts are held in memory together, and read
    back from the cache on every build: a document's paragraphs are many objects each)."""

    url: str | None  # the page's own address, if it gives one: which site the story comes from
    # the paragraphs, as entity mentions count their places in it (after the title), kept packed
    # (`pack_text`): only the review page's few rows read them, and a rebuild of 20,000 seeds
    # read 44 MB of them back from the cache
    body_data: bytes
    phrases: tuple[str, ...]  # phrase keys of the short paragraphs: recurring lines are learned from these
    long_phrases: tuple[str, ...]  # keys as short as those, of longer paragraphs: matched, never learned
    # what cleaning took out, kept packed (`pack_removals`): a large archive's drafts hold half a
    # million removed lines, and only the review page's few rows and `explain` read them
    removal_data: bytes
    removals: int  # how many

    @property
    def body_text(self) -> str:
        """The paragraphs, as entity mentions count their places in it (after the title)."""
        return zlib.decompress(self.body_data).decode("utf-8", "surrogatepass")

    @property
    def removed(self) -> tuple[Removal, ...]:
        """What cleaning took out, line by line."""
        return tuple(Removal(*values) for values in pickle.loads(self.removal_data))  # noqa: S301 - our own


def pack_text(text: str) -> bytes:
    """A text as the bytes a Trace keeps: UTF-8, compressed."""
    return zlib.compress(text.encode("utf-8", "surrogatepass"))


def pack_removals(removed: Sequence[Removal]) -> bytes:
    """Removals as the bytes a Trace keeps: plain tuples, pickled."""
    return pickle.dumps(tuple((r.line, r.text, r.rule) for r in removed), protocol=pickle.HIGHEST_PROTOCOL)


#: a mention as a draft keeps it: its values in Mention's field order
MentionValues = tuple[str, str, str, int, str, str]
#: an entity discovery found, as a draft keeps it: (kind, name, aliases), as discovery makes its
#: entries (the other fields of an Entry keep their defaults, origin "discovery")
EntryValues = tuple[str, str, tuple[str, ...]]
DISCOVERY = "discovery"


@quick_pickle
@dataclass(frozen=True, slots=True)
class Discoveries:
    """What a draft keeps of its entities: the first mention of each entity discovery found
    (the review shows its sentence) and what discovery found (names are made one across the
    site from it), as plain values: a rebuild of 20,000 stories reads 190,000 of them back
    from the compose cache, and as objects they were a quarter of what that cost."""

    mention_values: tuple[MentionValues, ...]
    entry_values: tuple[EntryValues, ...]

    @property
    def mentions(self) -> tuple[Mention, ...]:
        return tuple(map(_mention, self.mention_values))

    @property
    def discovered(self) -> tuple[Entry, ...]:
        return tuple(Entry(kind, name, aliases, origin=DISCOVERY) for kind, name, aliases in self.entry_values)


def _mention(values: MentionValues) -> Mention:
    """A mention made from its values (through the state Mention pickles to: no keywords to match)."""
    made = Mention.__new__(Mention)
    made.__setstate__(values)  # type: ignore[attr-defined]
    return made


#: a mention's values in field order
_MENTION_VALUES = operator.attrgetter(*Mention.__slots__)


@quick_pickle
@dataclass(frozen=True, slots=True)
class Draft:
    """A story made from a seed, before it has a slug; with what explains it.

    A draft read back from the compose cache is light: its story lacks its text (summary and
    body), kept apart in the cache, and `text` is the digest of that text. The site-wide steps
    need no story's text, and a rebuild's story files nearly all hold it already: the build
    learns them equal by the digest (a rebuild of 20,000 stories read every story twice, from
    its draft and from its file).
    """

    story: Story
    trace: Trace
    entities: Discoveries
    article: RawArticle  # what it was made from (its text left out), to make it again with learned rules
    fingerprint: Fingerprint  # its body's shingles, to find syndicated copies
    text: bytes | None = None  # a light draft's: the digest of its story's text (`text_digest`)

    @property
    def light(self) -> bool:
        return self.text is not None


def lightened(draft: Draft) -> Draft:
    """A draft as the compose cache keeps it: its story without its text (kept apart, see `text_of`)."""
    if draft.light:
        return draft
    story = draft.story
    return replaced(draft, story=replaced(story, summary="", body=""), text=text_digest(story.summary, story.body))


#: a story's text: its summary and body
StoryText = tuple[str, str]


def text_of(story: Story | None) -> StoryText:
    """What a light draft's story lacks (a story must be given)."""
    if story is None:
        raise ValueError("no story to take a text from")
    return story.summary, story.body


def trace_of(document: CleanDocument) -> Trace:
    """What a draft keeps of its document."""
    short = [block.text for block in document.blocks if len(block.text) <= RECURRING_MAX_LENGTH]
    longer = (phrase_key(block.text) for block in document.blocks if len(block.text) > RECURRING_MAX_LENGTH)
    return Trace(
        url=document.meta.get("url"),
        body_data=pack_text(document.body_text),
        phrases=tuple(map(phrase_key, short)),
        long_phrases=tuple(key for key in longer if len(key) <= RECURRING_MAX_LENGTH),
        removal_data=pack_removals(document.removed),
        removals=len(document.removed),
    )


def clean(article: RawArticle, rules: RuleSet) -> tuple[CleanDocument, ...]:
    """Clean a raw article by its format."""
    if article.format == "html":
        # imported here: trafilatura takes a quarter second to load, which a rebuild
        # that composes no web page need not pay
        from briefing.webpage import clean_html

        return clean_html(article.path, article.text, rules)
    return clean_text(article.path, article.text, rules)


def compose(article: RawArticle, rules: RuleSet, index: EntityIndex) -> list[Draft]:
    """Turn one raw article into one draft story, or one per teaser of a listing page."""
    drafts = []
    for document in clean(article, rules):
        metadata = extract_metadata(document)
        body = to_markdown(document)
        entities = find_entities(metadata.title, document.body_text, index, authors=metadata.authors)
        source = _canonical_source(metadata.source, entities, index)
        story = Story(
            title=metadata.title,
            slug="",
            kind=document.kind,
            seed=article.path,
            part=document.part,
            date=metadata.date,
            source=source,
            authors=metadata.authors,
            summary=metadata.summary,
            body=body,
            seed_hash=article.digest,
            companies=entities.names["companies"],
            organizations=entities.names["organizations"],
            regulators=entities.names["regulators"],
            therapies=entities.names["therapies"],
            modalities=entities.names["modalities"],
            indications=entities.names["indications"],
            countries=entities.names["countries"],
            people=entities.names["people"],
        )
        # the article without its text: read again from its seed if it must be composed again
        kept_article = dataclasses.replace(article, text="")
        drafts.append(Draft(story, trace_of(document), kept_entities(entities), kept_article, story_fingerprint(story)))
    return drafts


def kept_entities(entities: Entities) -> Discoveries:
    """What a draft keeps of its entities: the first mention of each entity discovery found and
    what discovery found. The names are the story's; the other mentions have done their work."""
    seen: set[tuple[str, str]] = set()
    first = []
    for mention in entities.mentions:
        if mention.origin == DISCOVERY and (mention.kind, mention.name) not in seen:
            seen.add((mention.kind, mention.name))
            first.append(_MENTION_VALUES(mention))
    if any(entry != Entry(entry.kind, entry.name, entry.aliases, origin=DISCOVERY) for entry in entities.discovered):
        raise ValueError("discovery made an entry with more than a kind, a name and aliases: keep its values")
    return Discoveries(tuple(first), tuple((entry.kind, entry.name, entry.aliases) for entry in entities.discovered))


def to_markdown(document: CleanDocument) -> str:
    """The story body: paragraphs separated by blank lines, headings as `## `."""
    parts = [f"## {block.text}" if block.kind == "heading" else _escape(block.text) for block in document.blocks]
    return "\n\n".join(parts)


def _escape(paragraph: str) -> str:
    """Keep a paragraph a paragraph: a leading '#', '>', '-' or '1.' would turn it into something else."""
    if (
        paragraph[:1] in "#>-+*"
        or paragraph.split(" ", 1)[0].rstrip(".").isdigit()
        and paragraph.split(" ", 1)[0].endswith(".")
    ):
        return "\\" + paragraph
    return paragraph


def _canonical_source(source: str | None, entities: Entities, index: EntityIndex) -> str | None:
    """A source that is a company the story names ("NKGEN Biotech") is named as the story names it."""
    if source is None:
        return None
    entry = index.registry.lookup("companies", source)
    if entry is not None:
        return entry.name
    folded = source.casefold()
    return next(
        (
            m.name
            for m in entities.mentions
            if m.kind == "companies" and folded in (m.name.casefold(), m.surface.casefold())
        ),
        source,
    )
