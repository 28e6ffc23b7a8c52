"""One name per entity across the whole site, for entities that discovery found. Pure.

The registry already gives known entities one name. Discovered ones are named story by
story: "DCB" in one (where the text defines it) and "Development Center for Biotechnology"
in another, "NKGen" here and "NKGen Biotech" there, "NKGEN Biotech" in a press-release tag.
Names of one type that share a spelling are one entity; it takes the name most stories use
(ties: an acronym, then the longer name), and every story is rewritten to it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from briefing.compose import Draft
from briefing.model import ENTITY_KEYS, replaced

_ACRONYM = re.compile(r"^[A-Z][A-Z0-9&-]{1,9}$")


def unify_names(drafts: Sequence[Draft]) -> list[Draft]:
    """Rewrite every story's discovered names to one canonical name per entity."""
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def root(node: tuple[str, str]) -> tuple[str, str]:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    usage: Counter[tuple[str, str]] = Counter()
    spelled: dict[tuple[str, str, tuple[str, ...]], None] = {}  # each entity's spellings once, in order
    for draft in drafts:
        for kind, entity, aliases in draft.entities.entry_values:  # as values: no Entry made per story
            usage[kind, entity] += 1
            spelled[kind, entity, aliases] = None
    # most entities are found in many stories: their spellings are joined once, not once a story
    for kind, entity, aliases in spelled:
        name = (kind, entity)
        for spelling in (entity, *aliases):
            parent[root(name)] = root((kind, "\0" + spelling.casefold()))
    groups: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for name in usage:
        groups.setdefault(root(name), []).append(name)
    rename: dict[tuple[str, str], str] = {}
    for names in groups.values():
        if len(names) > 1:
            best = max(names, key=lambda n: (usage[n], bool(_ACRONYM.match(n[1])), len(n[1]), n[1]))
            rename.update({name: best[1] for name in names if name != best})
    if not rename:
        return list(drafts)
    return [_renamed(draft, rename) for draft in drafts]


def _renamed(draft: Draft, rename: dict[tuple[str, str], str]) -> Draft:
    """A draft with its story's names renamed (each once); the draft itself when it names
    none of them twice or renamed (most drafts, in a large archive: they are not made again)."""
    changes = {}
    for key in ENTITY_KEYS:
        names = draft.story.terms(key)
        if any((key, name) in rename for name in names) or len(set(names)) < len(names):
            changes[key] = tuple(dict.fromkeys(rename.get((key, name), name) for name in names))
    if not changes:
        return draft
    return replaced(draft, story=replaced(draft.story, **changes))
