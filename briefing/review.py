"""Review report: the entities discovery found rather than the registry, for an editor to judge. Pure.

Each line names the story file and line, the entity, the rule that found it and the sentence
it came from, so that an editor can confirm it (add it to content/registry.yaml) or reject
it (`not_entity: true` there).
"""

from __future__ import annotations

from dataclasses import dataclass

from briefing.entities import EntityIndex, find_entities
from briefing.model import Story
from briefing.patterns import sentences

#: how much of a long sentence the report quotes, around the name
MAX_QUOTE = 240


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """One discovered entity in one story."""

    path: str
    line: int
    kind: str
    name: str
    rule: str
    sentence: str

    def __str__(self) -> str:
        return f'{self.path}:{self.line}: review: {self.kind} "{self.name}" ({self.rule}) in: {self.sentence}'


def review_story(story: Story, path: str, body_line: int, index: EntityIndex) -> list[ReviewItem]:
    """The discovered entities of one story, first mention each, with its line and sentence.

    `body_line` is the line of the content file on which the body starts.
    """
    text = f"{story.title}\n\n{story.body}"
    entities = find_entities(story.title, story.body, index, authors=story.authors)
    items: list[ReviewItem] = []
    seen: set[tuple[str, str]] = set()
    listed = {(key, name) for key in entities.names for name in entities.names[key]}
    for mention in entities.mentions:
        key = (mention.kind, mention.name)
        if mention.origin != "discovery" or key in seen or key not in listed:
            continue
        seen.add(key)
        offset = mention.start - len(story.title) - 2
        line = 2 if offset < 0 else body_line + story.body.count("\n", 0, offset)
        items.append(ReviewItem(path, line, mention.kind, mention.name, mention.rule, _sentence(text, mention.start)))
    return items


def _sentence(text: str, position: int) -> str:
    """The sentence around a position, cut to about 240 characters around it when longer."""
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    paragraph = text[start : end if end != -1 else len(text)]
    offset = 0
    for sentence in sentences(paragraph):
        found = paragraph.find(sentence, offset)
        if found + len(sentence) > position - start:
            return _window(sentence, position - start - found)
        offset = found + len(sentence)
    return _window(paragraph, position - start)


def _window(sentence: str, at: int) -> str:
    if len(sentence) <= MAX_QUOTE:
        return sentence
    begin = max(0, min(at - MAX_QUOTE // 3, len(sentence) - MAX_QUOTE))
    cut = sentence[begin : begin + MAX_QUOTE]
    return ("…" if begin else "") + cut.strip() + ("…" if begin + MAX_QUOTE < len(sentence) else "")
