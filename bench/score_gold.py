"""Score a build of the sample seeds against ../shared/gold, optionally without parts of the registry.

    python bench/score_gold.py                      # the build as shipped
    python bench/score_gold.py --without companies  # what discovery alone finds for companies

Prints the shared scorer's table (precision, recall and F1 per entity type, titles, dates,
boilerplate, briefs). The registry holds well-known companies, some of which the samples
name; leaving a type out shows how the rules do on names no registry knows.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import sys
import tempfile
from pathlib import Path

from briefing.config import Config
from briefing.entities import REGISTRY_FILES, load_index
from briefing.pipeline import Report, ingest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=ROOT / "seeds")
    parser.add_argument("--gold", type=Path, default=SHARED / "gold")
    parser.add_argument("--without", action="append", default=[], choices=sorted(REGISTRY_FILES))
    args = parser.parse_args(argv)
    scorer_path = SHARED / "tools" / "score_build.py"
    if not scorer_path.exists() or not args.gold.is_dir():
        print(f"needs {scorer_path} and {args.gold}", file=sys.stderr)
        return 2
    spec = importlib.util.spec_from_file_location("score_build", scorer_path)
    assert spec is not None and spec.loader is not None
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        shutil.copytree(args.seeds, work / "seeds")
        config = Config(seeds=work / "seeds", content=work / "content", cache=work / ".cache")
        report = Report()
        ingest(config, report, load_index(without=args.without))
        for diagnostic in report.diagnostics:
            print(diagnostic, file=sys.stderr)
        result: int = scorer.main([str(work / "content"), str(args.gold)])
    return result


if __name__ == "__main__":
    sys.exit(main())
