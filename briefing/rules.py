"""Boilerplate rules: the named patterns of data/boilerplate.yaml, validated and compiled. Pure.

A rule file is data that editors extend; a bad rule is reported as `path:line: message`
rather than breaking the build in some later stage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml

from briefing.errors import error
from briefing.resources import load_yaml

RuleKind = Literal["line", "inline", "section", "tail"]
RULE_KINDS: tuple[RuleKind, ...] = ("line", "inline", "section", "tail")
#: whole-line rules only look at lines up to this long: boilerplate is short, and a
#: bounded input keeps every pattern fast on a hostile 1 MB line
MAX_RULE_LINE = 600
_TRAILING_PUNCTUATION = " .:;!?»>-–—|"


@dataclass(frozen=True, slots=True)
class Rule:
    """One named boilerplate rule."""

    name: str
    kind: RuleKind
    why: str
    patterns: tuple[re.Pattern[str], ...]
    phrases: frozenset[str]  # casefolded whole-line phrases
    keywords: tuple[str, ...] = ()  # casefolded: the patterns are only tried on lines with one of them
    # per pattern, in order, casefolded keywords of its own: it is tried only on lines with one
    # of them too (() for a pattern without; () for all of them when none has any)
    pattern_keywords: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True, slots=True)
class RuleSet:
    """Every rule, in file order; the first whole-line rule that matches wins.

    One combined pattern screens each line for the inline rules first, so that the common
    case (a line with nothing to cut) costs one search instead of one per pattern. (One that
    tried all the whole-line rules' anchored patterns at the start of a line took 7.6 µs a
    line, nearly what trying them one by one takes.)
    """

    rules: tuple[Rule, ...]
    _inline_screen: re.Pattern[str] = field(init=False, repr=False, compare=False)
    # the whole-line rules, each with its patterns' checks (see match_line)
    _line_rules: tuple[tuple[Rule, tuple[_Check, ...]], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        inline_rules = [rule for rule in self.rules if rule.kind == "inline"]
        object.__setattr__(self, "_inline_screen", _combine(inline_rules))
        object.__setattr__(
            self, "_line_rules", tuple((rule, _checks(rule)) for rule in self.rules if rule.kind != "inline")
        )

    def with_learned(self, phrases: frozenset[str]) -> RuleSet:
        """These rules and, first, one that removes lines learned from the corpus."""
        learned = Rule(
            name="recurring-line",
            kind="line",
            why="recurs in several articles of the same site",
            patterns=(),
            phrases=phrases,
        )
        return RuleSet((learned, *self.rules))

    def match_line(self, line: str) -> Rule | None:
        """The first line, section or tail rule that claims the whole line."""
        if len(line) > MAX_RULE_LINE:
            return None
        folded = phrase_key(line)
        contains = folded.__contains__  # `keyword in folded`, in C: any(map(contains, keywords))
        # a pattern claims the line when it matches and the line has one of its rule's keywords
        # and one of its own (where they have some); the cheaper test first: a pattern anchored
        # at the start is one try (0.2 µs), a dozen keywords a dozen scans of the line (2 µs),
        # a pattern that is not anchored is tried at every place of the line (up to 14 µs)
        for rule, checks in self._line_rules:  # plain loops: this runs for every line of every seed
            if folded in rule.phrases:
                return rule
            gate = None if rule.keywords else True  # whether the rule's keywords are in the line
            for pattern, anchored, own in checks:
                if anchored:
                    if pattern.search(line) is None or (own and not any(map(contains, own))):
                        continue
                    if gate is None:
                        gate = any(map(contains, rule.keywords))
                    if gate:
                        return rule
                    break  # none of the rule's keywords: none of its patterns claims the line
                if gate is None:
                    gate = any(map(contains, rule.keywords))
                if not gate:
                    break
                if (not own or any(map(contains, own))) and pattern.search(line):
                    return rule
        return None

    def cut_inline(self, line: str) -> tuple[str, list[tuple[Rule, str]]]:
        """Cut every inline rule's matches out of a line; return the rest and what was cut."""
        cuts: list[tuple[Rule, str]] = []
        if not self._inline_screen.search(line):
            return line, cuts
        for rule in self.rules:
            if rule.kind != "inline":
                continue
            for pattern in rule.patterns:
                for match in pattern.finditer(line):
                    cuts.append((rule, match.group().strip()))
                line = pattern.sub("", line)
        return line, cuts


#: a pattern of a whole-line rule, whether it is anchored at the start (tried once), and its own keywords
_Check = tuple[re.Pattern[str], bool, tuple[str, ...]]


def _checks(rule: Rule) -> tuple[_Check, ...]:
    """What match_line tries of a rule's patterns."""
    own = rule.pattern_keywords or ((),) * len(rule.patterns)
    pairs = zip(rule.patterns, own, strict=True)
    # anchored: it starts with ^ (whatever else it holds, match_line's verdict is the same; only
    # the order of its tests depends on it)
    return tuple((pattern, pattern.pattern.startswith("^"), keywords) for pattern, keywords in pairs)


#: a line recurring across a site's stories is its furniture only when this short at most: a
#: long paragraph that recurs is quoted text, not boilerplate (recurring.py learns such lines)
RECURRING_MAX_LENGTH = 200


def phrase_key(line: str) -> str:
    """A line as phrases are compared: case folded, closing punctuation dropped."""
    return line.casefold().rstrip(_TRAILING_PUNCTUATION)


def _combine(rules: list[Rule]) -> re.Pattern[str]:
    """One pattern that matches where any of the rules' patterns would (a screen, not a verdict)."""
    parts = [
        f"(?{'i' if pattern.flags & re.IGNORECASE else '-i'}:{_without_leading_space(pattern.pattern)})"
        for rule in rules
        for pattern in rule.patterns
    ]
    return re.compile("|".join(parts) or r"(?!x)x")


#: inline patterns start with this, to cut the space before what they cut
_LEADING_SPACE = r"\s*"


def _without_leading_space(pattern: str) -> str:
    """A pattern less its leading `\\s*`: it matches somewhere exactly when the whole one does.

    For a screen, that is all that counts, and a pattern that starts with a literal lets the
    regex engine skip to where that literal is instead of trying every space.
    """
    core = pattern.removeprefix(_LEADING_SPACE)
    try:
        re.compile(core)
    except re.error:  # "\\s*+x", "\\s*?x": the space was not alone at the start
        return pattern
    return core


def parse_rules(text: str, path: str) -> RuleSet:
    """Read a rule file; raise ContentError at the line of the first bad rule."""
    try:
        data, node = load_yaml(text)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        raise error(path, line, f"invalid YAML: {exc.problem}") from None
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise error(path, 1, "a rule file is a mapping of rule names to rules")
    lines = {str(key.value): key.start_mark.line + 1 for key, _ in node.value}
    return RuleSet(tuple(_parse_rule(str(name), spec, path, lines[str(name)]) for name, spec in data.items()))


def _keywords(value: Any, name: str, path: str, line: int) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise error(path, line, f"rule '{name}': keywords must be a list of words")
    return value


def _parse_rule(name: str, spec: Any, path: str, line: int) -> Rule:
    if not isinstance(spec, dict):
        raise error(path, line, f"rule '{name}': expected keys kind, why, patterns or phrases")
    kind = spec.get("kind")
    if kind not in RULE_KINDS:
        raise error(path, line, f"rule '{name}': kind must be one of {', '.join(RULE_KINDS)}, got {kind!r}")
    patterns = spec.get("patterns") or []
    phrases = spec.get("phrases") or []
    if not isinstance(patterns, list) or not isinstance(phrases, list) or not (patterns or phrases):
        raise error(path, line, f"rule '{name}': give a list of patterns or phrases")
    flags = 0 if spec.get("case_sensitive") else re.IGNORECASE
    compiled = []
    own_keywords: list[tuple[str, ...]] = []
    for item in patterns:
        pattern, own = _pattern_and_keywords(item, name, path, line)
        if own and kind == "inline":
            raise error(path, line, f"rule '{name}': an inline rule's patterns take no keywords of their own")
        try:
            compiled.append(re.compile(pattern, flags))
        except re.error as exc:
            raise error(path, line, f"rule '{name}': bad pattern {pattern!r}: {exc}") from None
        own_keywords.append(tuple(keyword.casefold() for keyword in own))
    if kind == "inline" and phrases:
        raise error(path, line, f"rule '{name}': an inline rule takes patterns, not phrases")
    return Rule(
        name=name,
        kind=kind,
        why=str(spec.get("why") or ""),
        patterns=tuple(compiled),
        phrases=frozenset(phrase_key(str(p)) for p in phrases),
        keywords=tuple(str(k).casefold() for k in _keywords(spec.get("keywords"), name, path, line)),
        pattern_keywords=tuple(own_keywords) if any(own_keywords) else (),
    )


def _pattern_and_keywords(item: Any, name: str, path: str, line: int) -> tuple[str, list[str]]:
    """A pattern as the rule file gives it: a string, or {pattern: ..., keywords: [...]} (its
    own keywords, for a pattern that is slow to try and whose rule's keywords are common)."""
    if not isinstance(item, dict):
        return str(item), []
    if set(item) - {"pattern", "keywords"} or not isinstance(item.get("pattern"), str):
        raise error(path, line, f"rule '{name}': a pattern is a string, or a mapping of pattern and keywords")
    return item["pattern"], _keywords(item.get("keywords"), name, path, line)
