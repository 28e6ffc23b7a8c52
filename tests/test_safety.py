"""Nothing lost, nothing half-written: builds killed at random moments, hostile input in a browser."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from briefing.content import MIN_PARALLEL_FILES, SYNC_ALL_FROM, load_content, parsed_beside, write_texts_atomic
from briefing.frontmatter import dump_story, parse_story
from briefing.model import Story
from briefing.search import SCRATCH_PREFIX, remove_orphans
from tests.conftest import ROOT, SAMPLE_SEEDS

NEW_SEED = """Heartseed starts a trial of heart cell spheroids in Osaka

Heartseed said on Monday it had started a trial of its iPSC-derived heart cell spheroids in Osaka.

The company expects first results next year, it said in a statement.
"""


def tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def build(project: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, str(ROOT / "build.py"), "build", "--templates", str(ROOT / "templates"), "--quiet"]
    return subprocess.Popen(command, cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


#: builds killed in the test below, one in each stretch of a build's time
KILLS = 12


def test_a_build_killed_at_any_moment_leaves_the_old_site_or_the_new_one(tmp_path: Path) -> None:
    before = tmp_path / "before"
    shutil.copytree(SAMPLE_SEEDS, before / "seeds")
    assert build(before).wait() == 0
    old_site = tree(before / "site")
    (before / "seeds" / "zz-new.txt").write_text(NEW_SEED, encoding="utf-8")  # the next build changes the site
    after = tmp_path / "after"
    shutil.copytree(before, after)
    started = time.perf_counter()
    assert build(after).wait() == 0
    duration = time.perf_counter() - started
    new_site = tree(after / "site")
    assert new_site != old_site
    rng = random.Random(7)
    outcomes = set()
    for attempt in range(KILLS):
        work = tmp_path / f"kill-{attempt}"
        shutil.copytree(before, work)
        process = build(work)
        # one kill in each of KILLS equal stretches of the build's time (and a little after it),
        # at a random moment within it: every stretch is tried, which random moments alone did not
        time.sleep((attempt + rng.random()) / KILLS * duration * 1.1)
        process.send_signal(signal.SIGKILL)
        process.wait()
        site = tree(work / "site")
        assert site in (old_site, new_site), f"attempt {attempt}: site/ is neither the old nor the new site"
        outcomes.add("old" if site == old_site else "new")
        for story in (work / "content").glob("*.md"):
            parse_story(story.read_text(encoding="utf-8"), story.name)  # every story file whole
        assert build(work).wait() == 0, f"attempt {attempt}: the next build failed"
        rebuilt = tree(work / "site")
        if site == new_site:  # the killed build had finished: the review page now says nothing changed
            rebuilt = {path: digest for path, digest in rebuilt.items() if not path.startswith("review/")}
            assert rebuilt == {path: digest for path, digest in new_site.items() if not path.startswith("review/")}
        else:
            assert rebuilt == new_site
        shutil.rmtree(work)
    assert outcomes  # which of the two each attempt saw depends on timing; both are fine


#: a process that starts a pool of forked workers, gives one work that never ends, says its pid
POOL_OF_WORKERS = """
import os, sys, time
from briefing.workers import forked_pool
with forked_pool(1) as pool:
    pool.submit(time.sleep, 600)
    time.sleep(0.5)  # the worker has started
    (worker,) = [child for child in pool._processes]
    print(worker, flush=True)
    time.sleep(600)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers end with their build on Linux only")
def test_workers_end_with_a_build_that_was_killed() -> None:
    with subprocess.Popen(
        [sys.executable, "-c", POOL_OF_WORKERS], cwd=ROOT, stdout=subprocess.PIPE, text=True
    ) as process:
        assert process.stdout is not None
        worker = int(process.stdout.readline())
        os.kill(worker, 0)  # running
        process.send_signal(signal.SIGKILL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            return  # ended (and reaped by init)
        time.sleep(0.05)
    os.kill(worker, signal.SIGKILL)
    pytest.fail("a worker of a killed build was left running")


HOSTILE_SEED = """<script>window.pwned = 1; alert("seed")</script> Takeda and the <img src=x onerror=alert(1)> deal

Takeda said <script>alert("body")</script> it would buy <a href="javascript:alert(1)">a biotech</a> in Osaka.
<iframe src="javascript:alert(2)"></iframe> The deal <b onmouseover="alert(3)">closes</b> in May.
<style>body { background: url("javascript:alert(4)") }</style> "Great news," said Kenji Sato, chief executive.
"""
HOSTILE_STORY = """---
title: '<script>window.pwned = 1</script><img src=x onerror="window.pwned=2">'
slug: hostile-edit
companies: ['<img src=x onerror="window.pwned=3">', Takeda]
summary: <svg onload="window.pwned=4">
---
Text with [a link](javascript:alert(5)) and ![img](data:text/html,<script>alert(6)</script>).

<script>window.pwned = 7</script>
<div onclick="alert(8)" style="background:url(javascript:alert(9))">raw html</div>
<iframe src="data:text/html,<script>alert(10)</script>"></iframe>
<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxMSk8L3NjcmlwdD4=">data link</a>
"""


def test_hostile_input_never_runs_in_a_reader_s_browser(tmp_path: Path) -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs Debian's chromium (.ci/run installs it)")
        pytest.skip("no chromium on this machine: the browser half of this test is skipped")
    from playwright.sync_api import sync_playwright

    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "hostile.txt").write_text(HOSTILE_SEED, encoding="utf-8")
    (tmp_path / "seeds" / "hostile.html").write_text(
        "<html><body><article><h1>Astellas <script>alert('h1')</script>news</h1>"
        + "<p onclick=alert(1)>Astellas said it would expand in Osaka, the company said on Monday morning.</p>" * 5
        + "<script>alert('page')</script></article></body></html>",
        encoding="utf-8",
    )
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "hostile-edit.md").write_text(HOSTILE_STORY, encoding="utf-8")
    assert build(tmp_path).wait() == 0
    site = tmp_path / "site"
    for page in site.rglob("*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for element in soup.find_all(True):
            assert element.name not in ("iframe", "object", "embed", "style"), f"{page}: <{element.name}>"
            assert element.name != "script" or element.get("src", "").startswith(("../", "./", "assets/")), page
            for attribute, value in element.attrs.items():
                assert not attribute.startswith("on"), f"{page}: {attribute}"
                text = " ".join(value) if isinstance(value, list) else str(value)
                assert not text.strip().lower().startswith(("javascript:", "data:text", "vbscript:")), f"{page}: {text}"
    dialogs: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        for html_file in sorted(site.rglob("*.html")):
            page.goto(html_file.as_uri())
            page.mouse.move(100, 100)
            assert page.evaluate("window.pwned === undefined"), html_file
        browser.close()
    assert dialogs == []


HOSTILE_TITLES = [
    "../../etc/passwd",
    "/absolute/path title here",
    "tab\tand\x1fcontrol title here",
    "x" * 300,
    "アステラス製薬が大阪で新工場",
    "CON",
    "...",
    "Same title twice",
    "Same title twice",
]


def test_slugs_from_hostile_titles_stay_inside_and_are_distinct(tmp_path: Path) -> None:
    (tmp_path / "seeds").mkdir()
    for number, title in enumerate(HOSTILE_TITLES):
        body = f"Astellas said on Monday that it would open plant number {number} in Osaka next year, it said."
        (tmp_path / "seeds" / f"{number:02d}.txt").write_text(f"{title}\n\n{body}\n", encoding="utf-8")
    assert build(tmp_path).wait() == 0
    stories = sorted((tmp_path / "content").glob("*.md"))
    assert len(stories) == len(HOSTILE_TITLES)
    slugs = [parse_story(p.read_text(encoding="utf-8"), p.name).story.slug for p in stories]
    assert len(set(slugs)) == len(slugs)
    assert all(len(slug) <= 80 and slug not in ("con", "nul") for slug in slugs)
    for slug in slugs:
        assert (tmp_path / "site" / "stories" / slug / "index.html").is_file()
    outside = [p for p in tmp_path.rglob("*") if not p.resolve().is_relative_to(tmp_path.resolve())]
    assert outside == []
    first = {p.name: p.read_bytes() for p in stories}
    assert build(tmp_path).wait() == 0  # stable: a rebuild keeps every slug
    assert {p.name: p.read_bytes() for p in sorted((tmp_path / "content").glob("*.md"))} == first


def test_odd_files_give_one_line_each_and_stay_fast(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    text = "Astellas opened a plant in Osaka on Monday, the company said in a statement. "
    (seeds / "huge.txt").write_bytes(b"x" * (21 * 1024 * 1024))
    (seeds / "one-line.txt").write_text("Headline of a one-line page\n\n" + text * 13_000, encoding="utf-8")
    (seeds / "controls.txt").write_text(
        "Zero\u200bwidth and \x07 bell headline\r\n\r\n" + text * 3 + "\r\n", encoding="utf-8"
    )
    (seeds / "truncated.txt").write_bytes(
        ("Truncated UTF-8 headline here\n\n" + text * 3).encode("utf-8") + b"\xe3\x81"
    )
    (seeds / "cr-only.txt").write_text("Old Mac line ends headline\r\r" + text * 3 + "\r", encoding="utf-8")
    started = time.perf_counter()
    process = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--templates", str(ROOT / "templates")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    lines = process.stderr.splitlines()
    assert process.returncode == 1
    assert [line for line in lines if "huge.txt" in line] == [
        "seeds/huge.txt:1: error: file is 21 MB; a seed may be at most 20 MB (save only the article)"
    ]
    assert len([line for line in lines if "truncated.txt" in line]) == 1
    assert not any("Traceback" in line for line in lines)
    titles = {
        parse_story(p.read_text(encoding="utf-8"), p.name).story.title for p in (tmp_path / "content").glob("*.md")
    }
    assert {"Zerowidth and bell headline", "Old Mac line ends headline", "Headline of a one-line page"} <= titles
    assert elapsed < 120, f"odd files took {elapsed:.0f} s"


def test_reversed_discovery_order_gives_the_same_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from briefing import pipeline
    from briefing.cli import main

    trees = []
    real = pipeline.discover_named
    for name, flip in (("forward", False), ("reversed", True)):
        project = tmp_path / name
        shutil.copytree(SAMPLE_SEEDS, project / "seeds")
        (project / "seeds" / "twin-a.txt").write_text("Same title twice\n\n" + NEW_SEED, encoding="utf-8")
        (project / "seeds" / "twin-b.txt").write_text(
            "Same title twice\n\nA different body about Takeda in Osaka, which the company said would grow.\n",
            encoding="utf-8",
        )
        monkeypatch.setattr(pipeline, "discover_named", lambda folder, flip=flip: real(folder)[:: -1 if flip else 1])
        monkeypatch.chdir(project)
        assert main(["--templates", str(ROOT / "templates"), "--quiet"]) == 0
        trees.append({k: v for k, v in tree(project).items() if not k.startswith(".cache/")})
    assert trees[0] == trees[1]


def test_story_files_are_written_all_or_none_of_each(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    (content / "same.md").write_text("same\n", encoding="utf-8")
    (content / "old.md").write_text("old\n", encoding="utf-8")
    files = [(content / f"new{n}.md", f"story {n}\n") for n in range(SYNC_ALL_FROM + 2)]  # one sync for all
    written = write_texts_atomic([*files, (content / "same.md", "same\n"), (content / "old.md", "changed\n")])
    assert written == [path for path, _ in files] + [content / "old.md"]  # same bytes: not written
    assert all(path.read_text(encoding="utf-8") == text for path, text in files)
    assert (content / "old.md").read_text(encoding="utf-8") == "changed\n"
    # a file that cannot be written stops the batch before any file is replaced
    (tmp_path / "blocked").write_text("a file, not a folder\n", encoding="utf-8")
    with pytest.raises(OSError):
        write_texts_atomic([(content / "old.md", "third\n"), (tmp_path / "blocked" / "story.md", "x\n")])
    assert (content / "old.md").read_text(encoding="utf-8") == "changed\n"
    assert not [path for path in content.iterdir() if path.suffix == ".tmp"]  # nothing left behind


@pytest.mark.parametrize("jobs", [1, 2])
def test_story_files_are_made_from_the_texts_written_as_reading_them_back_makes_them(tmp_path: Path, jobs: int) -> None:
    content = tmp_path / "content"
    stories = [Story(title=f"Story {n}", slug=f"story-{n:03d}", seed=f"{n}.txt", body=f"Text {n}.") for n in range(3)]
    texts = [(content / f"{story.slug}.md", dump_story(story)) for story in stories]
    texts += [(content / f"copy-{n:03d}.md", text) for n in range(MIN_PARALLEL_FILES) for text in [texts[n % 3][1]]]
    texts += [
        (content / "edited.md", texts[0][1].replace("Text 0", "Edited text")),  # not as the build wrote it
        (content / "broken.md", "no front matter\n"),
        (content / "sub" / "nested.md", texts[1][1]),
    ]
    with parsed_beside(texts, content, "content", jobs=jobs) as parsed:  # in processes with 2 jobs
        write_texts_atomic(texts)
        made = parsed()
    read = load_content(content, "content", jobs=jobs)  # read back in processes too, with 2 jobs
    assert len(read.files) == len(made) == len(texts)
    for file in read.files:
        notes = [diagnostic for diagnostic in read.diagnostics if diagnostic.path == file.shown_as]
        digest = hashlib.sha256(file.path.read_bytes()).hexdigest()
        assert made[file.location] == (file, notes, digest)
    assert [file.pristine for file in read.files].count(False) == 2 and read.diagnostics


def test_the_search_scratch_of_a_killed_build_is_removed_by_the_next(tmp_path: Path) -> None:
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
    )
    orphan = tmp_path / f"{SCRATCH_PREFIX}{int(finished.stdout)}-abc"  # its build is gone
    orphan.mkdir()
    (orphan / "index.html").write_text("a page of a shard\n", encoding="utf-8")
    running = tmp_path / f"{SCRATCH_PREFIX}{os.getpid()}-def"  # a build still at work
    running.mkdir()
    unrelated = tmp_path / "briefing-search-notes"
    unrelated.mkdir()
    remove_orphans(str(tmp_path))
    assert not orphan.exists()
    assert running.exists() and unrelated.exists()
