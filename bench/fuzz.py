"""Fuzz every stage with 10,000 random and adversarial examples each (hypothesis).

    python bench/fuzz.py [--examples 10000] [--target clean|html|entities|front-matter]

Prints each target's count and exits 1 on the first example that raises anything other
than the project's own ContentError (hypothesis then shows the smallest such input).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, given, settings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.fuzz_targets import TARGETS, texts  # noqa: E402


def fuzz(target: Callable[[str], None], examples: int) -> None:
    """Run one target on `examples` generated texts; hypothesis reports the smallest failure."""

    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(text=texts)
    def run(text: str) -> None:
        target(text)

    run()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=10_000)
    parser.add_argument("--target", choices=sorted(TARGETS))
    args = parser.parse_args(argv)
    for name in [args.target] if args.target else sorted(TARGETS):
        started = time.perf_counter()
        fuzz(TARGETS[name], args.examples)
        print(f"{name}: {args.examples} examples, no crash ({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
