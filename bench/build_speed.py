"""Build speed at scale, against Hugo, in one run.

    python bench/build_speed.py [N ...] [--jobs 2]      # default N: 1000

For each N it generates N raw articles (bench/generate.py) and measures, each in a fresh folder:
  (a) the full build raw -> site, cold (no .cache, no content/);
  (b) the render-only build content -> site, cold (the content/ of (a), no seeds, no cache);
  (c) Hugo building the same stories (Markdown with the companies, therapies and countries
      taxonomies and templates of the same pages) into a fresh folder;
  (d) adding one article to the site built in (a) and building again: a new article, dated
      after every story in the archive, as an editor's latest article is;
  (e) then adding one more, back-dated into the middle of the archive (it shifts the older-
      stories pages of its entities, so more pages change);
printing wall time, CPU time and peak memory of each, and the ratios to Hugo's wall time.

(d) and (e) are each measured --rebuilds times (3 by default), a new article each time: a
rebuild takes a few seconds, and one run of it varies by a fifth on a shared machine. Their
rows give the median run's times and the highest peak; the walls of every run are printed below.
The package is compiled to bytecode first, as an installed package is: where
PYTHONDONTWRITEBYTECODE is set, every build would otherwise compile briefing's modules again.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
HUGO_LAYOUTS = {
    "_default/baseof.html": """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{{ .Title }}</title>
<link rel="stylesheet" href="{{ "style.css" | relURL }}"></head><body><header><a href="{{ "" | relURL }}">Briefing</a>
<nav>{{ range $name, $t := .Site.Taxonomies }}<a href="{{ "" | relURL }}{{ $name }}/">{{ $name }}</a> {{ end }}</nav>
</header><main>{{ block "main" . }}{{ end }}</main></body></html>""",
    "_default/single.html": """{{ define "main" }}<article><h1>{{ .Title }}</h1><p>{{ .Date.Format "2 January 2006" }}</p>
{{ .Content }}{{ range $t, $_ := .Site.Taxonomies }}{{ with $.Param $t }}<h2>{{ $t }}</h2><ul>{{ range . }}
<li><a href="{{ "" | relURL }}{{ $t }}/{{ . | urlize }}/">{{ . }}</a></li>{{ end }}</ul>{{ end }}{{ end }}
{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ with .NextInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</article>{{ end }}""",
    "_default/list.html": """{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">
{{ .Title }}</a> {{ .Date.Format "2 January 2006" }}<p>{{ .Summary }}</p></li>{{ end }}</ul>{{ end }}""",
    "_default/terms.html": """{{ define "main" }}<h1>{{ .Title }}</h1><table>{{ range .Data.Terms.Alphabetical }}<tr>
<td><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a></td><td>{{ .Count }}</td></tr>{{ end }}</table>{{ end }}""",
    "index.html": """{{ define "main" }}<h1>Latest stories</h1><ul>{{ range first 60 (where .Site.RegularPages "Section" "stories") }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2 January 2006" }}</li>{{ end }}</ul>{{ end }}""",
}


@dataclass
class Run:
    wall: float
    cpu: float
    peak_mb: float
    walls: tuple[float, ...] = ()  # of every run, when this is the median of several


def median_run(runs: list[Run]) -> Run:
    """The run of median wall time (of an even number of runs, the slower middle one), with the
    highest peak memory of all, and every run's wall time."""
    middle = sorted(runs, key=lambda run: run.wall)[len(runs) // 2]
    return Run(middle.wall, middle.cpu, max(run.peak_mb for run in runs), tuple(run.wall for run in runs))


def measure(command: list[str], cwd: Path) -> Run:
    """Run a command; its wall time, CPU time (with its children) and peak memory.

    What earlier steps wrote is flushed to the disk first: otherwise a step that syncs a file
    (a build writing a story file) waits for the gigabytes the steps before it left to write.
    """
    if hasattr(os, "sync"):
        os.sync()
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed: {process.stderr.read().decode() if process.stderr else ''}")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def briefing(folder: Path, jobs: int) -> list[str]:
    return [
        sys.executable,
        str(ROOT / "build.py"),
        "build",
        "--seeds",
        "seeds",
        "--content",
        "content",
        "--out",
        "site",
        "--templates",
        str(ROOT / "templates"),
        "--jobs",
        str(jobs),
        "--quiet",
    ]


def hugo_site(content: Path, folder: Path) -> None:
    """The same stories as a Hugo site: front matter with three taxonomies, equivalent templates."""
    (folder / "content" / "stories").mkdir(parents=True)
    (folder / "hugo.toml").write_text(
        'baseURL = "/"\ntitle = "Briefing"\nrelativeURLs = true\ndisableKinds = ["RSS"]\n'
        "[taxonomies]\ncompany = 'companies'\ntherapy = 'therapies'\ncountry = 'countries'\n",
        encoding="utf-8",
    )
    for name, text in HUGO_LAYOUTS.items():
        (folder / "layouts" / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / "layouts" / name).write_text(text, encoding="utf-8")
    (folder / "static").mkdir()
    shutil.copy(ROOT / "templates" / "static" / "style.css", folder / "static" / "style.css")
    for path in sorted(content.glob("*.md")):
        header, body = path.read_text(encoding="utf-8").split("\n---\n", 1)
        meta = yaml.safe_load(header.removeprefix("---\n"))
        front = {
            "title": meta["title"],
            "date": str(meta["date"] or "2000-01-01"),
            "companies": meta["companies"],
            "therapies": meta["therapies"],
            "countries": meta["countries"],
        }
        text = "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n" + body
        (folder / "content" / "stories" / path.name).write_text(text, encoding="utf-8")


def bench(count: int, jobs: int, work: Path, rebuilds: int = 3) -> dict[str, Run]:
    runs: dict[str, Run] = {}
    full = work / f"full-{count}"
    generate(count, full / "seeds")
    runs["(a) full build, cold"] = measure(briefing(full, jobs), full)
    render = work / f"render-{count}"
    (render / "seeds").mkdir(parents=True)
    shutil.copytree(full / "content", render / "content")
    runs["(b) render only, cold"] = measure(briefing(render, jobs), render)
    hugo = work / f"hugo-{count}"
    hugo_site(full / "content", hugo)
    hugo_binary = shutil.which("hugo") or str(Path(sys.executable).with_name("hugo"))
    runs["(c) Hugo"] = measure([hugo_binary, "--quiet", "-d", "public"], hugo)
    for name, kind, dated_new in (("(d) one article added", "new", True), ("(e) one back-dated added", "old", False)):
        samples = []
        for number in range(rebuilds):
            extra = work / f"extra-{count}-{kind}-{number}"
            generate(1, extra, seed=count + 7 + 1000 * number, new=dated_new)
            added = next(extra.iterdir())
            shutil.copy(added, full / "seeds" / f"added-{extra.name}-{added.name}")
            samples.append(measure(briefing(full, jobs), full))
        runs[name] = median_run(samples)
    return runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("counts", type=int, nargs="*", default=[1000])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--keep", type=Path, help="build here and keep the folders")
    parser.add_argument("--rebuilds", type=int, default=3, help="runs of (d) and (e) each, the median shown")
    args = parser.parse_args(argv)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "briefing")], check=True)
    for count in args.counts:
        with tempfile.TemporaryDirectory() as folder:
            work = args.keep or Path(folder)
            runs = bench(count, args.jobs, work, max(1, args.rebuilds))
        hugo = runs["(c) Hugo"].wall
        print(f"N = {count}, --jobs {args.jobs}")
        print(f"  {'':26} {'wall s':>8} {'CPU s':>8} {'peak MB':>8} {'x Hugo':>7}")
        for name, run in runs.items():
            print(f"  {name:26} {run.wall:8.2f} {run.cpu:8.2f} {run.peak_mb:8.0f} {run.wall / hugo:7.2f}")
        for name, run in runs.items():
            if len(run.walls) > 1:
                walls = ", ".join(f"{wall:.2f}" for wall in run.walls)
                print(
                    f"  {name[:3]} runs, wall s: {walls} (x Hugo {min(run.walls) / hugo:.2f} to {max(run.walls) / hugo:.2f})"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
