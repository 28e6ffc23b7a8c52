"""The entity registry: known names with their aliases, read from data files. Pure parsing.

Shipped files (briefing/data/registry/<type>.yaml, the modalities vocabulary) and the
site's own registry (content/registry.yaml, edited by editors) share one format:
canonical name -> {aliases, case_sensitive, description, parent, country, ...}.
Countries also take `demonyms` and `cities`, which imply the country.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from briefing.errors import error
from briefing.model import ENTITY_KEYS, quick_pickle
from briefing.resources import YAML_LOADER, load_yaml

#: keys a registry entry may have; anything else is a typo worth reporting
ENTRY_KEYS = frozenset(
    {
        "aliases",
        "accept",
        "case_sensitive",
        "description",
        "parent",
        "country",
        "company",
        "modality",
        "demonyms",
        "cities",
        "not_entity",
        "merge_into",
    }
)


@quick_pickle
@dataclass(frozen=True, slots=True)
class Entry:
    """One known entity and every way to write it."""

    kind: str  # a Taxonomy.plural: "companies", "countries", ...
    name: str  # canonical display name
    aliases: tuple[str, ...] = ()  # other spellings (not including the name)
    implied_by: tuple[str, ...] = ()  # words that imply it without naming it: demonyms, cities
    case_sensitive: frozenset[str] = frozenset()
    description: str | None = None
    parent: str | None = None
    country: str | None = None
    origin: str = ""  # "path:line" of its definition

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.name, *self.aliases, *self.implied_by)


@dataclass(frozen=True, slots=True)
class Registry:
    """Every known entity, by type."""

    entries: tuple[Entry, ...]
    not_entities: frozenset[str] = frozenset()  # casefolded names editors said are no entity
    merges: dict[str, str] = field(default_factory=dict)  # casefolded name -> canonical name
    _by_name: dict[tuple[str, str], Entry] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[tuple[str, str], Entry] = {}
        for entry in self.entries:
            for spelling in (entry.name, *entry.aliases):
                index.setdefault((entry.kind, spelling.casefold()), entry)
        object.__setattr__(self, "_by_name", index)

    def by_kind(self, kind: str) -> tuple[Entry, ...]:
        return tuple(entry for entry in self.entries if entry.kind == kind)

    def lookup(self, kind: str, name: str) -> Entry | None:
        """The entry of a kind whose name or alias is `name` (ignoring case)."""
        return self._by_name.get((kind, name.casefold()))

    def extended(self, other: Registry) -> Registry:
        """This registry with another's entries, exclusions and merges added (the other wins)."""
        return Registry(
            entries=other.entries + self.entries,
            not_entities=self.not_entities | other.not_entities,
            merges={**self.merges, **other.merges},
        )


def parse_registry(text: str, path: str, kind: str) -> Registry:
    """Read one registry file of one entity type; raise ContentError at the bad entry's line."""
    if kind not in ENTITY_KEYS:
        raise error(path, 1, f"unknown entity type '{kind}'; expected one of {', '.join(ENTITY_KEYS)}")
    data, lines = _load_mapping(text, path)
    entries = tuple(_parse_entry(kind, str(name), spec, path, lines[str(name)]) for name, spec in data.items())
    return Registry(entries)


def parse_site_registry(text: str, path: str) -> Registry:
    """Read the editors' registry: a mapping of entity type -> entries (see docs/editors.md)."""
    data, lines = _load_mapping(text, path)
    entries: list[Entry] = []
    not_entities: set[str] = set()
    merges: dict[str, str] = {}
    for kind, specs in data.items():
        if kind not in ENTITY_KEYS:
            raise error(path, lines[str(kind)], f"unknown entity type '{kind}'; use one of {', '.join(ENTITY_KEYS)}")
        if not isinstance(specs, dict):
            raise error(path, lines[str(kind)], f"{kind}: expected a mapping of names to entries")
        node_lines = _child_lines(text, str(kind))
        for name, spec in specs.items():
            line = node_lines.get(str(name), lines[str(kind)])
            if isinstance(spec, dict) and spec.get("not_entity"):
                not_entities.add(str(name).casefold())
                continue
            if isinstance(spec, dict) and spec.get("merge_into"):
                merges[str(name).casefold()] = str(spec["merge_into"])
                continue
            entries.append(_parse_entry(str(kind), str(name), spec, path, line))
    return Registry(tuple(entries), frozenset(not_entities), merges)


def _load_mapping(text: str, path: str) -> tuple[dict[Any, Any], dict[str, int]]:
    try:
        data, node = load_yaml(text)  # once, by libyaml: the registry is large, and read on every build
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 1
        raise error(path, line, f"invalid YAML: {exc.problem}") from None
    if data is None:
        return {}, {}
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise error(path, 1, "expected a mapping of names to entries")
    return data, {str(key.value): key.start_mark.line + 1 for key, _ in node.value}


def _child_lines(text: str, parent: str) -> dict[str, int]:
    node = yaml.compose(text, Loader=YAML_LOADER)
    assert isinstance(node, yaml.MappingNode)
    for key, value in node.value:
        if key.value == parent and isinstance(value, yaml.MappingNode):
            return {str(k.value): k.start_mark.line + 1 for k, _ in value.value}
    return {}


def _parse_entry(kind: str, name: str, spec: Any, path: str, line: int) -> Entry:
    if spec is None:
        spec = {}
    if not isinstance(spec, dict):
        raise error(path, line, f"'{name}': expected a mapping such as {{aliases: [...]}}")
    unknown = sorted(set(map(str, spec)) - ENTRY_KEYS)
    if unknown:
        raise error(path, line, f"'{name}': unknown key '{unknown[0]}'; known keys: {', '.join(sorted(ENTRY_KEYS))}")
    aliases = _strings(spec.get("aliases"), path, line, name) + _strings(spec.get("accept"), path, line, name)
    implied = _strings(spec.get("demonyms"), path, line, name) + _strings(spec.get("cities"), path, line, name)
    return Entry(
        kind=kind,
        name=name,
        aliases=tuple(dict.fromkeys(a for a in aliases if a != name)),
        implied_by=tuple(dict.fromkeys(implied)),
        case_sensitive=frozenset(_strings(spec.get("case_sensitive"), path, line, name)),
        description=_optional(spec.get("description")),
        parent=_optional(spec.get("parent") or spec.get("company")),
        country=_optional(spec.get("country")),
        origin=f"{path}:{line}",
    )


def _strings(value: Any, path: str, line: int, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str | int | float) for v in value):
        raise error(path, line, f"'{name}': expected a list of names, got {value!r}")
    return tuple(str(v).strip() for v in value if str(v).strip())


def _optional(value: Any) -> str | None:
    return str(value).strip() or None if value is not None else None
