"""Article-extraction benchmark: the HTML clean path against trafilatura, in one run.

Scores both on ../shared/benchmarks/article-extraction (181 pages, Zyte's benchmark) with the
benchmark's own rules: 4-token shingles of `\\w+` tokens, per-page tp/fp/fn, precision averaged
over non-empty outputs, recall over all pages, F1 of the two means. Speed: pages per second of
the fastest of --repeat runs, the extractors taking turns.

    python bench/extraction.py [--data DIR] [--only briefing|trafilatura] [--repeat N] [--json OUT]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "benchmarks" / "article-extraction"
TOKEN = re.compile(r"\w+")


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = TOKEN.findall(text)
    if not tokens:
        return Counter()
    if len(tokens) < n:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def score(predictions: dict[str, str], truth: dict[str, str]) -> dict[str, float]:
    precisions, recalls, empty, exact = [], [], 0, 0
    for key, body in truth.items():
        pred, true = shingles(predictions.get(key, "")), shingles(body)
        tp = sum((pred & true).values())
        fp = sum(pred.values()) - tp
        fn = sum(true.values()) - tp
        if sum(pred.values()):
            precisions.append(tp / (tp + fp) if tp + fp else 0.0)
        else:
            empty += 1
        recalls.append(tp / (tp + fn) if tp + fn else 1.0)
        exact += TOKEN.findall(predictions.get(key, "")) == TOKEN.findall(body)
    p = sum(precisions) / len(precisions) if precisions else 0.0
    r = sum(recalls) / len(recalls)
    return {
        "precision": p,
        "recall": r,
        "f1": 2 * p * r / (p + r) if p + r else 0.0,
        "empty": empty,
        "accuracy": exact / len(truth),
    }


def briefing_extractor() -> Callable[[str], str]:
    from briefing.pipeline import load_rules
    from briefing.webpage import clean_html

    rules = load_rules()

    def extract(html: str) -> str:
        docs = clean_html("page.html", html, rules)
        return "\n\n".join(doc.body_text for doc in docs)

    return extract


def trafilatura_extractor() -> Callable[[str], str]:
    import trafilatura

    return lambda html: trafilatura.extract(html) or ""


def trafilatura_precision_extractor() -> Callable[[str], str]:
    import trafilatura

    return lambda html: trafilatura.extract(html, favor_precision=True) or ""


EXTRACTORS = {
    "briefing": briefing_extractor,
    "trafilatura": trafilatura_extractor,
    "trafilatura-precision": trafilatura_precision_extractor,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--only", choices=sorted(EXTRACTORS))
    parser.add_argument("--json", type=Path)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per extractor; the fastest counts")
    args = parser.parse_args(argv)
    if not (args.data / "ground-truth.json").exists():
        print(f"no benchmark data in {args.data}", file=sys.stderr)
        return 2
    truth = {k: v["articleBody"] for k, v in json.loads((args.data / "ground-truth.json").read_text()).items()}
    pages = {k: gzip.decompress((args.data / "html" / f"{k}.html.gz").read_bytes()).decode("utf-8") for k in truth}
    names = [args.only] if args.only else list(EXTRACTORS)
    extractors = {name: EXTRACTORS[name]() for name in names}
    predictions: dict[str, dict[str, str]] = {}
    best: dict[str, float] = {}
    for _ in range(max(args.repeat, 1)):  # interleaved, so that both see the same machine load
        for name, extract in extractors.items():
            started = time.perf_counter()
            predictions[name] = {key: extract(html) for key, html in pages.items()}
            best[name] = min(best.get(name, float("inf")), time.perf_counter() - started)
    results = {name: {**score(predictions[name], truth), "pages_per_second": len(pages) / best[name]} for name in names}
    print(f"{'extractor':22} {'precision':>9} {'recall':>7} {'F1':>6} {'accuracy':>8} {'empty':>5} {'pages/s':>8}")
    for name, row in results.items():
        print(
            f"{name:12} {row['precision']:9.3f} {row['recall']:7.3f} {row['f1']:6.3f} {row['accuracy']:8.3f} "
            f"{row['empty']:5d} {row['pages_per_second']:8.1f}"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
