"""Syndicated copies: found by shared shingles, with the verdicts of earlier builds reused."""

from __future__ import annotations

import datetime

from briefing.dedupe import Verdicts, find_copies
from briefing.model import Story

ORIGINAL = (
    "Heartseed said on Monday that its partner had dosed the first patient in a trial of induced pluripotent "
    "stem cell derived cardiomyocyte spheroids for advanced heart failure, a milestone for regenerative "
    "medicine in Japan. The company expects to report the first safety data early next year and plans to "
    "file for conditional approval under the country's fast track for regenerative products."
)
OTHER = (
    "Takeda agreed to buy a cell therapy start-up focused on gamma delta T cells for solid tumours, paying "
    "an undisclosed sum upfront with milestones tied to clinical progress in Asia and in the United States, "
    "and said it would fold the team into its oncology research unit in Boston and in Shonan."
)


def stories() -> list[Story]:
    return [
        Story(title="Original", slug="a", body=ORIGINAL, date=datetime.date(2026, 1, 5), seed="a.txt"),
        Story(title="Other", slug="b", body=OTHER, date=datetime.date(2026, 1, 6), seed="b.txt"),
        Story(title="Copy", slug="c", body=ORIGINAL + " Reporting by a wire desk.", date=datetime.date(2026, 1, 7)),
    ]


def test_a_later_story_with_the_same_text_is_a_copy_of_the_first() -> None:
    assert find_copies(stories()) == {2: 0}


def test_the_verdicts_of_an_earlier_build_are_used_instead_of_comparing_again() -> None:
    verdicts = Verdicts()
    assert find_copies(stories(), verdicts=verdicts) == {2: 0}
    assert list(verdicts.used.values()).count(True) == 1  # the pair compared, and kept
    # a verdict kept from before is taken as it is: told that the pair is no copy, the build believes it
    told = Verdicts(dict.fromkeys(verdicts.used, False))
    assert find_copies(stories(), verdicts=told) == {}
    assert told.used == told.known  # and kept for the next build
