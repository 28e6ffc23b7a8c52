"""Property tests: random and adversarial text through every stage; no crash (see bench/fuzz.py for 10,000)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from tests.fuzz_targets import TARGETS, texts


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_no_crash_on_adversarial_text(name: str) -> None:
    target = TARGETS[name]

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
    @given(text=texts)
    def run(text: str) -> None:
        target(text)

    run()
