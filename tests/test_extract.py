"""Extract stage: dates, headlines, sources, bylines and summaries."""

from __future__ import annotations

import datetime

import pytest

from briefing.dates import parse_date, strip_dateline
from briefing.extract import extract_metadata, make_summary
from briefing.headline import MAX_HEADLINE, make_headline
from briefing.model import Block, CleanDocument, Removal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("April 21, 2025 — Tokyo", datetime.date(2025, 4, 21)),
        ("(Press release, Acme, JUL 17, 2025, View Source)", datetime.date(2025, 7, 17)),
        ("Published 3 March 2024", datetime.date(2024, 3, 3)),
        ("2025-07-17T09:30:00+09:00", datetime.date(2025, 7, 17)),
        ("2025年7月17日に発表", datetime.date(2025, 7, 17)),
        ("Sept. 5, 2023", datetime.date(2023, 9, 5)),
        ("February 30, 2025", None),
        ("two laws passed in 2024", None),
    ],
)
def test_dates_in_every_form(text: str, expected: datetime.date | None) -> None:
    assert parse_date(text) == expected


def test_dateline_is_stripped_from_the_lead() -> None:
    assert strip_dateline("TOKYO, July 17, 2025 /PRNewswire/ -- Acme said.") == "Acme said."
    assert strip_dateline("Acme said on July 17, 2025 that it would.") == "Acme said on July 17, 2025 that it would."


@pytest.mark.parametrize(
    ("lead", "must_contain"),
    [
        (
            "AskBio Inc., a gene therapy company owned by Bayer AG, announced that Japan’s Ministry of Health, "
            "Labour and Welfare (MHLW) has awarded the Pioneering Regenerative Medical Product designation "
            "(SAKIGAKE) to two of its investigational gene therapy candidates—AB-1005 and AB-1002.",
            ["AskBio", "MHLW", "SAKIGAKE"],
        ),
        (
            "Heartseed, a Tokyo-based start-up, said its spheroids improved heart function in a trial of "
            "patients with severe heart failure that was run at several hospitals in Japan over two years, "
            "and that it would file for approval next year.",
            ["Heartseed said its spheroids"],
        ),
    ],
)
def test_headline_from_lead_is_short_and_names_the_actors(lead: str, must_contain: list[str]) -> None:
    headline = make_headline(lead)
    assert 0 < len(headline) <= MAX_HEADLINE
    for phrase in must_contain:
        assert phrase in headline
    assert not headline.endswith((",", ".", ";"))


def _doc(**kwargs: object) -> CleanDocument:
    defaults: dict[str, object] = {
        "path": "seeds/x.txt",
        "title": None,
        "blocks": (Block("paragraph", "Lead text.", 1),),
    }
    return CleanDocument(**{**defaults, **kwargs})  # type: ignore[arg-type]


def test_source_date_and_authors_come_from_removed_metadata_lines() -> None:
    doc = _doc(
        blocks=(Block("paragraph", "Acme Bio said it raised money to build a plant.", 3),),
        removed=(
            Removal(2, "(Press release, Acme Bio, MAR 3, 2025, View Source [SID1])", "press-release-tag"),
            Removal(9, "By Jane Doe and John Roe", "byline"),
            Removal(10, "Kim Lee is a reporter at Example News covering biotech.", "author-box"),
        ),
    )
    metadata = extract_metadata(doc)
    assert metadata.source == "Acme Bio"
    assert metadata.date == datetime.date(2025, 3, 3)
    assert metadata.authors == ("Jane Doe", "John Roe", "Kim Lee")
    assert metadata.title == "Acme Bio said it raised money to build a plant"


def test_copyright_domain_becomes_the_publisher_as_the_page_spells_it() -> None:
    doc = _doc(
        removed=(
            Removal(5, "A caption. Image: GeneOnline", "photo-caption"),
            Removal(9, "©www.geneonline.com All rights reserved.", "copyright"),
        )
    )
    assert extract_metadata(doc).source == "GeneOnline"


def test_html_metadata_wins() -> None:
    doc = _doc(
        title="Deal", meta={"site_name": "Endpoints", "published": "2025-01-02", "author": "A. Writer, B. Writer"}
    )
    metadata = extract_metadata(doc)
    assert (metadata.source, metadata.date, metadata.title) == ("Endpoints", datetime.date(2025, 1, 2), "Deal")


def test_summary_drops_dateline_and_asides_and_is_bounded() -> None:
    lead = (
        'April 21, 2025 — Tokyo, Japan — Acme Bio Inc. (OTC: ACME) ("Acme" or the "Company") signed a deal. '
        "It will pay cash."
    )
    assert make_summary(lead) == "Acme Bio Inc. signed a deal. It will pay cash."
    assert len(make_summary("word " * 200 + ".")) <= 320
