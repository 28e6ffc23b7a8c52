"""Discovery: find companies, organisations, people and products no registry knows. Pure.

Each finding comes from a named rule over the words around a capitalised name: a legal
form ("HekaBio K.K."), a head word ("Mochida Pharmaceutical", "Kyoto University"), a list
("firms like JAFCO, ANRI"), a role ("X, a Kyoto-based biotech"), a deal ("partnership
with X"), an acronym definition ("Development Center for Biotechnology (DCB)"), a title or
role next to a person's name. Products (code names, INNs, brands) are found in `products`.
The vocabularies live in data/discovery.yaml.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from briefing.errors import error
from briefing.resources import load_yaml

#: one word of a name: "NKGen", "A&I", "K.K", "Shiing-Jer", "GNT.Tec6", "iHeart", an initial "Y."
_NAME_WORD = r"(?:[A-Z0-9][\w&+.'-]*[\w&+]|[A-Z]\.(?=\s)|[A-Z]|[ie][A-Z][\w-]*)"
#: small words that sit inside names: "Ministry of Health", "Center for Biotechnology"
_NAME_GLUE = r"(?:\s+(?:of|for|de|du|von|van|der|la|le|&)\s+|\s+)"
_GLUE_WORDS = frozenset({"of", "for", "de", "du", "von", "van", "der", "la", "le", "&"})
#: a run of name words
NAME_RUN = re.compile(rf"(?<![\w&.-]){_NAME_WORD}(?:{_NAME_GLUE}{_NAME_WORD})*")
#: a word of a name run: runs are split at spaces
_RUN_WORD = re.compile(r"\S+")
#: a possessive ends a name: "Taiwan's Mycenax" is two names
_POSSESSIVE_ENDINGS = ("'s", "’s")
#: a definition of a short form right after a name: "(DCB)", "(LINK-J)"
ACRONYM_AFTER = re.compile(r"^\s*\((?P<acronym>[A-Z][A-Za-z0-9&-]{1,11})\)")
#: the name in Japanese, Chinese or Korean script after an English one: "Heartseed (ハートシード)"
NATIVE_AFTER = re.compile(r"^\s*[(（](?P<native>[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af々〆ー・]{2,30})[)）]")
#: separators between the items of a list of names
LIST_SEPARATOR = re.compile(r"^(?:\.?,\s*(?:and\s+|or\s+)?|\s+(?:and|or|&)\s+)(?:the\s+)?")


@dataclass(frozen=True, slots=True)
class DiscoveryRules:
    """The vocabularies of data/discovery.yaml, ready to use."""

    legal_forms: tuple[str, ...]
    legal_words: frozenset[str]  # the one-word legal forms without their dot: "K.K", "Inc", "Ltd"
    company_heads: frozenset[str]
    organization_heads: frozenset[str]
    weak_organization_heads: frozenset[str]
    list_cue: re.Pattern[str]
    role_appositive: re.Pattern[str]
    deal_cue: re.Pattern[str]
    possession: re.Pattern[str]
    person_titles: frozenset[str]
    person_role: re.Pattern[str]
    speech: re.Pattern[str]
    not_name_words: frozenset[str]
    name_breaks: frozenset[str]  # words a name never runs across: days, months, titles
    regions: frozenset[str]
    not_code_names: frozenset[str]
    inn_stems: tuple[str, ...]
    not_inn_words: frozenset[str]
    given_names: frozenset[str]
    legal_after: re.Pattern[str]


@dataclass(frozen=True, slots=True)
class Finding:
    """A name discovery found, with the spellings that refer to it in this text."""

    kind: str
    name: str
    spellings: tuple[str, ...]
    start: int
    end: int
    rule: str


def _alternation(words: list[str]) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


def parse_discovery_rules(text: str, path: str, given_names: frozenset[str]) -> DiscoveryRules:
    """Read data/discovery.yaml; raise ContentError when a list is missing."""
    data: Any = load_yaml(text)[0]
    needed = (
        "name_breaks",
        "company_possessions",
        "legal_forms",
        "company_heads",
        "organization_heads",
        "weak_organization_heads",
        "company_list_cues",
        "company_role_nouns",
        "company_deal_cues",
        "person_titles",
        "person_roles",
        "speech_verbs",
        "not_name_words",
        "regions",
        "not_code_names",
        "inn_stems",
        "not_inn_words",
    )
    if not isinstance(data, dict):
        raise error(path, 1, "expected a mapping of list names to lists")
    for key in needed:
        if not isinstance(data.get(key), list) or not data[key]:
            raise error(path, 1, f"'{key}' must be a non-empty list")
    words = {key: [str(w) for w in data[key]] for key in needed}
    legal = _alternation([w.rstrip(".") for w in words["legal_forms"]])
    return DiscoveryRules(
        legal_forms=tuple(words["legal_forms"]),
        legal_words=frozenset(form.rstrip(".") for form in words["legal_forms"] if " " not in form),
        company_heads=frozenset(words["company_heads"]),
        organization_heads=frozenset(words["organization_heads"]),
        weak_organization_heads=frozenset(words["weak_organization_heads"]),
        list_cue=re.compile(
            rf"\b(?:{_alternation(words['company_list_cues'])})(?:,?\s+(?:like|such as|including|include|included))?"
            r"\s+(?:the\s+)?(?=[A-Z0-9]|[ie][A-Z])",
        ),
        role_appositive=re.compile(
            rf"^,\s+(?:a|an)\s+[^,.;()]{{0,60}}?\b(?:{_alternation(words['company_role_nouns'])})\b"
        ),
        possession=re.compile(rf"^['’]s\s+(?:[\w-]+\s+){{0,2}}?(?:{_alternation(words['company_possessions'])})\b"),
        deal_cue=re.compile(rf"\b(?:{_alternation(words['company_deal_cues'])})\s+(?:the\s+)?$"),
        person_titles=frozenset(w.rstrip(".") for w in words["person_titles"]),
        person_role=re.compile(rf"\b(?:{_alternation(words['person_roles'])})\b", re.IGNORECASE),
        speech=re.compile(rf"\b(?:{_alternation(words['speech_verbs'])})\b"),
        not_name_words=frozenset(words["not_name_words"]),
        name_breaks=frozenset(words["name_breaks"]),
        regions=frozenset(w.casefold() for w in words["regions"]),
        not_code_names=frozenset(words["not_code_names"]),
        inn_stems=tuple(sorted(words["inn_stems"], key=len, reverse=True)),
        not_inn_words=frozenset(w.casefold() for w in words["not_inn_words"]),
        given_names=given_names,
        legal_after=re.compile(rf"^\.?,?\s+(?:{legal})\b\.?(?:,?\s+(?:{legal})\b\.?)?"),
    )


def discover(text: str, rules: DiscoveryRules, *, name_runs: Sequence[tuple[int, int]] | None = None) -> list[Finding]:
    """Every name the rules find in a clean text (not its headline).

    `name_runs` are the text's `runs`, when the caller has them already.
    """
    name_runs = runs(text, rules) if name_runs is None else name_runs
    return sorted(_names(text, name_runs, rules), key=lambda f: (f.start, -f.end, f.kind, f.name))


def _names(text: str, name_runs: Sequence[tuple[int, int]], rules: DiscoveryRules) -> list[Finding]:
    listed = _listed_spans(text, rules)
    findings: list[Finding] = []
    for start, end in name_runs:
        words = text[start:end].split()
        finding = _classify(text, start, end, words, rules, in_list=(start in listed))
        if finding is not None:
            findings.append(finding)
    return findings


def runs(text: str, rules: DiscoveryRules) -> list[tuple[int, int]]:
    """Spans of capitalised names, split at possessives, days, months and titles, trimmed of sentence words."""
    spans: list[tuple[int, int]] = []
    for match in NAME_RUN.finditer(text):
        run = match.group()
        if len(run.split(maxsplit=1)) == 1:  # most runs are one word ("The", "Analysts"): the same rules, faster
            if run not in rules.name_breaks:
                name = run[:-2] if run.endswith(_POSSESSIVE_ENDINGS) else run
                if not _is_sentence_word(name, rules):
                    spans.append((match.start(), match.start() + len(name)))
            continue
        segment: list[tuple[int, str]] = []
        for word_match in _RUN_WORD.finditer(text, match.start(), match.end()):
            word = word_match.group()
            if word in rules.name_breaks:
                spans += _trimmed(segment, rules)
                segment = []
            elif word.endswith(_POSSESSIVE_ENDINGS):  # "Taiwan's Mycenax": the possessive ends a name
                segment.append((word_match.start(), word[:-2]))
                spans += _trimmed(segment, rules)
                segment = []
            else:
                segment.append((word_match.start(), word))
        spans += _trimmed(segment, rules)
    return _join_and(text, sorted(spans), rules)


def _is_sentence_word(word: str, rules: DiscoveryRules) -> bool:
    """A word that starts a run but not a name: "The", "of", "2025", "Delhi-based"."""
    return word in rules.not_name_words or word in _GLUE_WORDS or word[0].isdigit() or word.endswith("-based")


def _trimmed(words: list[tuple[int, str]], rules: DiscoveryRules) -> list[tuple[int, int]]:
    """A name's span without the sentence words, numbers and "Delhi-based" around it."""
    while words and _is_sentence_word(words[0][1], rules):
        words = words[1:]
    while words and words[-1][1] in _GLUE_WORDS:
        words = words[:-1]
    if not words:
        return []
    return [(words[0][0], words[-1][0] + len(words[-1][1]))]


def _join_and(text: str, spans: list[tuple[int, int]], rules: DiscoveryRules) -> list[tuple[int, int]]:
    """Join "Japan Science" + "and" + "Technology Agency": one organisation's name."""
    joined: list[tuple[int, int]] = []
    for start, end in spans:
        if joined:
            prev_start, prev_end = joined[-1]
            if (  # cheapest test first: most names are far apart
                text[prev_end:start] in (" and ", " & ", ", ")
                and not rules.organization_heads.isdisjoint(text[start:end].split())
                and not set(text[prev_start:prev_end].split()) & (rules.organization_heads | rules.company_heads)
            ):
                joined[-1] = (prev_start, end)
                continue
        joined.append((start, end))
    return joined


def _listed_spans(text: str, rules: DiscoveryRules) -> set[int]:
    """Start offsets of names listed after "firms like", "companies, including"..."""
    starts: set[int] = set()
    for cue in rules.list_cue.finditer(text):
        position = cue.end()
        while True:
            run = NAME_RUN.match(text, position)
            if run is None:
                break
            starts.add(run.start())
            position = run.end()
            separator = LIST_SEPARATOR.match(text[position : position + 12])
            if separator is None:
                break
            position += separator.end()
    return starts


def _classify(
    text: str, start: int, end: int, words: list[str], rules: DiscoveryRules, *, in_list: bool
) -> Finding | None:
    """Decide what a capitalised name is, by the first rule that speaks for it; then name it."""
    after = text[end : end + 80]
    name_words = list(words)
    legal = False
    while len(name_words) > 1 and name_words[-1].rstrip(".") in rules.legal_words:
        name_words.pop()
        legal = True
    legal_after = rules.legal_after.match(after)
    verdict = _verdict(text, start, end, name_words, rules, legal=legal or legal_after is not None, in_list=in_list)
    if verdict is None:  # most names: what they are called is only worked out for those found
        return None
    kind, rule = verdict
    name = " ".join(name_words)
    if kind == "people":
        return Finding("people", name, (name,), start, end, rule)
    surface = text[start:end]
    acronym = ACRONYM_AFTER.match(after)
    spellings = [surface] + ([acronym["acronym"]] if acronym else [])
    native = NATIVE_AFTER.match(after)
    if native:
        spellings.append(native["native"])
    if legal_after:
        spellings.append(surface + legal_after.group())
    shown = acronym["acronym"] if acronym else name
    return Finding(kind, shown, tuple(dict.fromkeys([shown, name, *spellings])), start, end, rule)


def _verdict(
    text: str, start: int, end: int, name_words: list[str], rules: DiscoveryRules, *, legal: bool, in_list: bool
) -> tuple[str, str] | None:
    """The kind of a name (its legal form taken off) and the rule that says so, or None."""
    word_set = set(name_words)
    if legal and name_words[0] not in rules.not_name_words:
        return "companies", "legal-form"
    if word_set & rules.organization_heads and len(name_words) >= 2:
        return "organizations", "organization-word"
    if name_words[0] in rules.given_names and not word_set & rules.company_heads:
        person = _person(text, start, end, name_words, rules)
        if person:  # "firms like Joe Biden" is a person in a list, "Taylor Swift's label" a person's
            return "people", person
    if in_list:
        return "companies", "company-list"
    if word_set & rules.weak_organization_heads and len(name_words) >= 2:
        return "organizations", "organization-word"
    if name_words[-1] in rules.company_heads and len(name_words) >= 2:
        return "companies", "company-word"
    if rules.role_appositive.match(text[end : end + 100]) or rules.deal_cue.search(text[max(0, start - 40) : start]):
        return "companies", "company-role"
    if rules.possession.match(text[end : end + 80]) and name_words[0] not in rules.given_names:
        return "companies", "company-possession"
    person = _person(text, start, end, name_words, rules)
    return ("people", person) if person else None


def _person(text: str, start: int, end: int, words: list[str], rules: DiscoveryRules) -> str | None:
    """Name the rule that makes a name a person's, or None."""
    if not 2 <= len(words) <= 4 or any(not w[0].isupper() or _is_acronym(w) for w in words):
        return None
    if words[-1].endswith(".") or any(w in rules.company_heads or w in rules.not_name_words for w in words):
        return None
    before = text[max(0, start - 30) : start]
    after = text[end : end + 40]
    title = re.search(r"\b(\w+)\.?\s+$", before)
    if title and title.group(1) in rules.person_titles:
        return "person-title"
    if words[0] in rules.given_names:
        return "given-name"
    if rules.person_role.search(after[:20]) and after.startswith(",") or rules.person_role.search(before[-20:]):
        return "person-role"
    if (rules.speech.search(before[-12:]) or rules.speech.match(after.lstrip())) and (
        words[-1].casefold() not in rules.regions and not set(words) & rules.weak_organization_heads
    ):
        return "person-speech"
    return None


def _is_acronym(word: str) -> bool:
    """ "BPIPO" is an acronym; "Y." (an initial) and "Shiing-Jer" are not."""
    letters = word.replace(".", "").replace("-", "")
    return len(letters) > 1 and letters.isupper()
