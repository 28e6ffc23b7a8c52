"""Entity extraction speed: articles per second on one core with a registry of 5,000+ names.

    python bench/entities.py [--names 5000] [--articles 400] [--seconds 5]

The shipped registry is padded with generated company names (each with a short form and a
legal-suffix alias) up to --names entries; the articles are generated too, about the length
of the samples, mentioning names from the registry, discovery cues and plain text. Only
`find_entities` is timed (the entity stage), one process, one core.
"""

from __future__ import annotations

import argparse
import random
import sys
import time

from briefing.entities import find_entities, load_index, make_index
from briefing.registry import Entry, Registry

SYLLABLES = ["ka", "ri", "to", "mo", "zen", "tri", "vel", "na", "sho", "gen", "bio", "cel", "lum", "ax", "or", "phi"]
HEADS = ["Pharma", "Therapeutics", "Biosciences", "Biotech", "Medical", "Cell", "Genomics"]
FILLER = (
    "The company said the trial met its main goal and that it would discuss the data with regulators. "
    "Analysts said the deal showed how Japanese drugmakers were looking abroad for growth. "
    "Shares rose in Tokyo trading after the announcement, and the firm raised its forecast for the year. "
)


def _name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()


def padded_registry(registry: Registry, names: int, rng: random.Random) -> tuple[Registry, list[str]]:
    extra: list[Entry] = []
    made: list[str] = []
    taken = {e.name.casefold() for e in registry.entries}
    while len(registry.entries) + len(extra) < names:
        base = _name(rng)
        full = f"{base} {rng.choice(HEADS)}"
        if full.casefold() in taken:
            continue
        taken.add(full.casefold())
        extra.append(Entry("companies", full, aliases=(f"{full} Inc.", f"{full} Co., Ltd."), origin="bench"))
        made.append(full)
    return Registry(registry.entries + tuple(extra)), made


def article(rng: random.Random, known: list[str]) -> tuple[str, str]:
    parts = []
    for _ in range(rng.randint(6, 10)):
        a, b = rng.sample(known, 2)
        parts.append(
            f"{a} and {b} said on Monday that they would develop an iPSC-derived cell therapy for Parkinson's "
            f"disease in Japan and the United States. {FILLER}Dr. Kenji Sato, chief executive of "
            f"{_name(rng)} Bio Co., Ltd., said the product KZ-{rng.randint(100, 999)} could reach patients soon."
        )
    return f"{known[0]} signs deal in Osaka", "\n\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=int, default=5000)
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args(argv)
    rng = random.Random(20251121)
    shipped = load_index()
    registry, made = padded_registry(shipped.registry, args.names, rng)
    index = make_index(registry, shipped.rules)
    known = made + [e.name for e in registry.by_kind("companies")]
    articles = [article(rng, known) for _ in range(args.articles)]
    spellings = sum(len(e.spellings) for e in registry.entries)
    done = 0
    started = time.process_time()
    while time.process_time() - started < args.seconds:
        for title, body in articles:
            find_entities(title, body, index)
            done += 1
    cpu = time.process_time() - started
    size = sum(len(body) for _, body in articles) / len(articles)
    print(f"registry: {len(registry.entries)} entries, {spellings} spellings; articles of {size:.0f} characters")
    print(f"entity extraction: {done / cpu:.0f} articles per CPU second (one core)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
