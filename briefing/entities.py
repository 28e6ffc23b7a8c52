"""Entity stage: the canonical entities a story names, from the registry and discovery. Pure.

Known names come from the registry's gazetteer; unknown ones from discovery, whose
findings then act as a small gazetteer of the story's own (so "HekaBio" is found again
after "HekaBio K.K."). Where two names overlap, the longer wins, then the registry.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from briefing.dates import MONTHS
from briefing.discover import DiscoveryRules, Finding, discover, parse_discovery_rules, runs
from briefing.gazetteer import Gazetteer, Hit, Tokens, tokenize
from briefing.model import ENTITY_KEYS, Mention, quick_pickle
from briefing.products import find_products
from briefing.registry import Entry, Registry, parse_registry
from briefing.resources import list_data, read_data

#: the registry files shipped with the package, by entity type
REGISTRY_FILES = {
    "companies": "registry/companies.yaml",
    "organizations": "registry/organizations.yaml",
    "regulators": "registry/regulators.yaml",
    "therapies": "registry/therapies.yaml",
    "indications": "registry/indications.yaml",
    "countries": "registry/countries.yaml",
    "modalities": "modalities.yaml",
}
GIVEN_NAMES_FILE = "registry/given-names.txt"
#: a short form of a discovered company must look like a brand, not a word: "NKGen", "HekaBio"
_MIN_SHORT_FORM = 3


@dataclass(slots=True)
class NameAnswers:
    """Answers about a name that depend on the index alone, kept for the whole build: an
    archive's stories name the same companies again and again."""

    registered: dict[str, bool] = field(default_factory=dict)  # spelling -> a registry name, whole?
    short_forms: dict[str, str | None] = field(default_factory=dict)  # discovered name -> its short form


@dataclass(frozen=True, slots=True)
class EntityIndex:
    """Everything entity extraction needs, built once per build."""

    registry: Registry
    gazetteer: Gazetteer
    rules: DiscoveryRules
    modality_parents: Mapping[str, str | None]
    country_names: Gazetteer  # countries by name only (no demonyms or cities): "UK" inside "UK MHRA"
    answers: NameAnswers = field(default_factory=NameAnswers, compare=False, repr=False)


@quick_pickle
@dataclass(frozen=True, slots=True)
class Entities:
    """The entities of one story: canonical names by type, and every mention behind them."""

    names: Mapping[str, tuple[str, ...]]
    mentions: tuple[Mention, ...]
    discovered: tuple[Entry, ...] = ()  # what discovery found, with the spellings this story uses


def load_index(site_registry: Registry | None = None, *, without: Iterable[str] = ()) -> EntityIndex:
    """Read the shipped registry and discovery vocabularies, and add the site's registry.

    `without` leaves shipped registry files out by type: the benchmark uses it to measure
    what discovery alone finds.
    """
    shipped = set(list_data("registry"))
    registry = Registry(())
    for kind, name in REGISTRY_FILES.items():
        if (name.startswith("registry/") and name not in shipped) or kind in set(without):
            continue
        registry = registry.extended(parse_registry(*read_data(name), kind))
    given_text, _ = read_data(GIVEN_NAMES_FILE) if GIVEN_NAMES_FILE in shipped else ("", "")
    given = frozenset(line.strip() for line in given_text.splitlines() if line.strip() and not line.startswith("#"))
    rules = parse_discovery_rules(*read_data("discovery.yaml"), given)
    return make_index(registry if site_registry is None else registry.extended(site_registry), rules)


def make_index(registry: Registry, rules: DiscoveryRules) -> EntityIndex:
    """Index a registry for matching."""
    parents = {entry.name: entry.parent for entry in registry.by_kind("modalities")}
    countries = [dataclasses.replace(entry, implied_by=()) for entry in registry.by_kind("countries")]
    return EntityIndex(registry, Gazetteer.build(registry.entries), rules, parents, Gazetteer.build(countries))


def find_entities(title: str, body: str, index: EntityIndex, *, authors: Iterable[str] = ()) -> Entities:
    """Find the entities a story's headline and clean body name."""
    text = f"{title}\n\n{body}"
    tokens = tokenize(text)
    registry_hits = index.gazetteer.find(tokens)
    body_runs = runs(body, index.rules)  # discovery and coordination both read the body's name runs
    found = sorted(
        discover(body, index.rules, name_runs=unregistered_runs(body, body_runs, index))
        + find_products(body, index.rules),
        key=lambda f: (f.start, -f.end, f.kind, f.name),
    )
    findings = [_shift(finding, len(title) + 2) for finding in found if not _known(finding, index)]
    local = Gazetteer.build(_local_entries(findings, index))
    hits = _resolve(registry_hits, local.find(tokens))
    partners = _coordinated_companies(text, len(title) + 2, body_runs, hits, index)
    if partners:
        findings += partners
        local = Gazetteer.build(_local_entries(findings, index))
        hits = _resolve(registry_hits, local.find(tokens))
    hits = sorted(hits + _countries_inside(hits, tokens, index), key=lambda hit: hit.start)
    rules = _first_rules(findings)
    mentions = tuple(
        Mention(
            kind=hit.entry.kind,
            name=index.registry.merges.get(hit.entry.name.casefold(), hit.entry.name),
            surface=text[hit.start : hit.end],
            start=hit.start,
            origin="registry" if hit.entry.origin != "discovery" else "discovery",
            rule=_rule_of(hit, rules),
        )
        for hit in hits
        if hit.entry.name.casefold() not in index.registry.not_entities
    )
    used = {(m.kind, m.name) for m in mentions if m.origin == "discovery"}
    discovered = tuple(entry for entry in local.entries if (entry.kind, entry.name) in used)
    return Entities(_names_by_kind(mentions, index, frozenset(authors)), mentions, discovered)


#: names of these types that contain a country's name also name the country ("UK MHRA", "Taiwan Bio")
_NAMES_WITH_COUNTRIES = frozenset({"companies", "organizations", "regulators"})


def _countries_inside(hits: list[Hit], tokens: Tokens, index: EntityIndex) -> list[Hit]:
    """The countries that longer names spell out: "UK MHRA" names the United Kingdom too."""
    inner = []
    for hit in hits:
        if hit.entry.kind in _NAMES_WITH_COUNTRIES and hit.last - hit.first > 1:
            span = tokens.span(hit.first, hit.last)
            inner += [
                dataclasses.replace(found, first=found.first + hit.first, last=found.last + hit.first)
                for found in index.country_names.find(span)
            ]
    return inner


#: what may stand between two names of one list: "A and B", "A, B", "A, and B"
_CONJUNCTION_AFTER = re.compile(r",\s*(?:and\s+)?|\s+(?:and|&)\s+")
_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+|\n\s*)$")
_CONJUNCTION_BEFORE = re.compile(r"(?:,\s*(?:and\s+)?|\s+(?:and|&)\s+)$")


def _coordinated_companies(
    text: str, body_start: int, body_runs: list[tuple[int, int]], hits: list[Hit], index: EntityIndex
) -> list[Finding]:
    """Unknown names listed with a company are companies: "Japan's Itochu and Mochida Pharmaceutical".

    `body_runs` are the name runs of the body, which starts at `body_start` in the text.
    """
    companies = [hit for hit in hits if hit.entry.kind == "companies"]
    if not companies:
        return []
    covered = bytearray(len(text) + 1)  # characters inside some hit
    for hit in hits:
        covered[hit.start : hit.end] = b"\x01" * (hit.end - hit.start)
    company_starts = {hit.start for hit in companies}
    company_ends = {hit.end for hit in companies}
    found = []
    for body_run in body_runs:
        start, end = body_run[0] + body_start, body_run[1] + body_start
        if any(covered[start:end]):
            continue
        words = text[start:end].split()
        if words[0] in index.rules.given_names or words[0] in index.rules.not_name_words:
            continue
        if words[0].lower().rstrip(".") in MONTHS or any(word.isdigit() for word in words):
            continue  # "In April 2025, Astellas ..." is a date before a company, not a list
        after = _CONJUNCTION_AFTER.match(text, end)
        if after and after.group().startswith(",") and _SENTENCE_START.search(text[max(0, start - 3) : start]):
            after = None  # "Eventually, SpaceX ...": an opening word, not a list
        before = _CONJUNCTION_BEFORE.search(text[max(0, start - 8) : start])
        if (after and after.end() in company_starts) or (before and start - len(before.group()) in company_ends):
            name = text[start:end]
            found.append(Finding("companies", name, (name,), start, end, "company-coordination"))
    return found


def _shift(finding: Finding, offset: int) -> Finding:
    return Finding(
        finding.kind, finding.name, finding.spellings, finding.start + offset, finding.end + offset, finding.rule
    )


def unregistered_runs(text: str, name_runs: list[tuple[int, int]], index: EntityIndex) -> list[tuple[int, int]]:
    """The name runs that discovery must classify: not those the registry knows as written.

    A finding lists the text of its run among its spellings (a person's name is that text
    with single spaces), and a finding the registry knows by a spelling is left to the
    registry: so what discovery would say of such a run is dropped anyway. Half the runs of
    a story are names like these ("Japan", "Astellas").
    """
    return [
        (start, end)
        for start, end in name_runs
        if not (_registered(text[start:end], index) and " ".join(text[start:end].split()) == text[start:end])
    ]


def _known(finding: Finding, index: EntityIndex) -> bool:
    """A finding the registry already knows by one of its spellings is left to the registry."""
    return any(_registered(spelling, index) for spelling in (finding.name, *finding.spellings))


def _registered(spelling: str, index: EntityIndex) -> bool:
    """Is the whole spelling a registry name? (Remembered by the index, for the next story.)"""
    registered = index.answers.registered.get(spelling)
    if registered is None:
        tokens = tokenize(spelling)
        hit = index.gazetteer.match_at(tokens, 0) if len(tokens) else None
        registered = index.answers.registered[spelling] = hit is not None and hit.last == len(tokens)
    return registered


def _local_entries(findings: list[Finding], index: EntityIndex) -> list[Entry]:
    """Turn findings into entries, one per name, with brand-like short forms for companies."""
    by_name: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        by_name.setdefault((finding.kind, finding.name), []).append(finding)
    shorts = {
        (kind, short): name for kind, name in by_name if kind == "companies" and (short := _short_form(name, index))
    }
    entries = []
    for (kind, name), group in by_name.items():
        longer = shorts.get((kind, name))
        if longer is not None and longer != name:
            continue  # "LumiSTAR" found alone is the short form of "LumiSTAR Biotechnology"
        spellings = {spelling for finding in group for spelling in finding.spellings}
        spellings |= {short for (k, short), long in shorts.items() if k == kind and long == name}
        entries.append(Entry(kind=kind, name=name, aliases=tuple(sorted(spellings - {name})), origin="discovery"))
    return entries


def _short_form(name: str, index: EntityIndex) -> str | None:
    """ "NKGen" for "NKGen Biotech": a first word that reads as a brand and means nothing else.

    Remembered by the index, for the next story that names it.
    """
    short_forms = index.answers.short_forms
    if name not in short_forms:
        short_forms[name] = _brand_first_word(name, index)
    return short_forms[name]


def _brand_first_word(name: str, index: EntityIndex) -> str | None:
    words = name.split()
    first = words[0] if len(words) > 1 else None
    if first is None or len(first) < _MIN_SHORT_FORM or first in index.rules.not_name_words:
        return None
    if first.casefold() in index.rules.regions or not any(c.isupper() or c.isdigit() for c in first[1:]):
        return None
    tokens = tokenize(first)
    return None if index.gazetteer.match_at(tokens, 0) else first


def _resolve(*groups: list[Hit]) -> list[Hit]:
    """Keep the longest of overlapping hits (the earlier group on a tie), in text order."""
    ranked = sorted(
        ((hit, rank) for rank, group in enumerate(groups) for hit in group),
        key=lambda pair: (-(pair[0].end - pair[0].start), pair[1], pair[0].start),
    )
    taken: list[Hit] = []
    occupied: set[int] = set()  # token indices already claimed
    for hit, _ in ranked:
        span = range(hit.first, hit.last)
        if not occupied.intersection(span):
            occupied.update(span)
            taken.append(hit)
    return sorted(taken, key=lambda hit: hit.start)


def _first_rules(findings: list[Finding]) -> dict[str, str]:
    """The rule of the first finding of each name."""
    rules: dict[str, str] = {}
    for finding in findings:
        rules.setdefault(finding.name, finding.rule)
    return rules


def _rule_of(hit: Hit, first_rules: dict[str, str]) -> str:
    if hit.entry.origin != "discovery":
        return hit.entry.origin.split(":")[0]
    return first_rules.get(hit.entry.name, "discovery")


def _names_by_kind(
    mentions: tuple[Mention, ...], index: EntityIndex, authors: frozenset[str]
) -> dict[str, tuple[str, ...]]:
    names: dict[str, list[str]] = {key: [] for key in ENTITY_KEYS}
    for mention in mentions:
        if mention.name not in names[mention.kind]:
            names[mention.kind].append(mention.name)
    names["people"] = [name for name in names["people"] if name not in authors]
    names["modalities"] = _most_specific(names["modalities"], index.modality_parents)
    return {key: tuple(value) for key, value in names.items()}


def _most_specific(modalities: list[str], parents: Mapping[str, str | None]) -> list[str]:
    """Drop a modality when a more specific one is also named (CAR-NK over NK cell therapy)."""
    ancestors: set[str] = set()
    for modality in modalities:
        parent = parents.get(modality)
        while parent:
            ancestors.add(parent)
            parent = parents.get(parent)
    return [modality for modality in modalities if modality not in ancestors]
