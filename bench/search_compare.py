"""Search results of two built sites, side by side in a real browser: the same queries through each
site's search page, and the first results with their excerpts through the Pagefind API.

    python bench/search_compare.py SITE_A SITE_B [QUERY ...]

Prints, per query, whether both sites show the same: the status line (how many stories), the
listed stories with their titles and excerpts, and Pagefind's result count with the first 20
results' address, title, word count and excerpt. Exits 1 when a query differs. Needs Debian's
chromium and Playwright for Python (the browser tests' setup).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from browser import CHROMIUM, FLAGS, served  # noqa: E402

#: words of story bodies (names, places, therapies), phrases, and words found only in the parts
#: of a story page that search ignores (which must find nothing)
QUERIES = (
    "cell therapy",
    "iPSC",
    "Astellas",
    "Takeda",
    "Japan",
    "Taiwan",
    "CAR-T",
    "gene therapy",
    "heart",
    "trial",
    "approval",
    "Osaka",
    "Kyoto",
    "antibody",
    "biosimilars",
    "NK cell",
    "report",
    "partnership",
    "Seoul",
    "Singapore",
    "regenerative",
    "Aoba Bio",
    "team up",
    "funding round",
    "2023",
    "Related stories",
    "Newer",
    "Older",
    "In this story",
    "Also reported by",
    "Undated",
    "zzzznotaword",
)
#: what the search page lists: each story's address, title and excerpt
LISTED = """els => els.map(e => [e.querySelector('a').getAttribute('href').split('/stories/').pop(),
    e.querySelector('a').textContent, (e.querySelector('.summary') || {}).innerHTML || ''])"""
#: Pagefind's own answer, through the module the search page loaded (all shards merged)
API = """async q => {
    const pagefind = await import(new URL('../pagefind/0/pagefind.js', location.href).href);
    const found = await pagefind.search(q);
    const data = await Promise.all(found.results.slice(0, 20).map(r => r.data()));
    return [found.results.length, data.map(d => [d.url, d.meta.title, d.word_count, d.excerpt])];
}"""


def shown(browser: Browser, site: str, queries: list[str]) -> dict[str, Any]:
    """What a site's search page shows for each query."""
    answers: dict[str, Any] = {}
    with served(site) as url:
        page = browser.new_page()
        try:
            page.goto(f"{url}search/")
            page.wait_for_selector("form[data-ready]")
            for query in queries:
                page.fill("#search-query", query)
                page.press("#search-query", "Enter")
                page.wait_for_function("q => new URLSearchParams(location.search).get('q') === q", arg=query)
                page.wait_for_function("() => document.querySelector('.search-status').textContent !== ''")
                answers[query] = {
                    "status": page.locator(".search-status").inner_text(),
                    "listed": page.eval_on_selector_all(".search-results li", LISTED),
                    "pagefind": page.evaluate(API, query),
                }
        finally:
            page.close()
    return answers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sites", nargs=2)
    parser.add_argument("queries", nargs="*", default=list(QUERIES))
    args = parser.parse_args(argv)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        first, second = (shown(browser, site, args.queries) for site in args.sites)
        browser.close()
    differ = [query for query in args.queries if first[query] != second[query]]
    for query in args.queries:
        answer = first[query]
        verdict = "DIFFERENT" if query in differ else "same"
        print(f"{query!r:20} {verdict:9} {answer['status']!r}, {len(answer['listed'])} listed")
    print(f"{len(args.queries) - len(differ)} of {len(args.queries)} queries give the same results")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
