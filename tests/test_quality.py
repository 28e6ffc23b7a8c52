"""The code itself: ruff and mypy clean (both are in the test extra)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-m", "ruff", "check", "briefing", "tests", "build.py"],
        [sys.executable, "-m", "mypy", "--no-error-summary"],
    ],
    ids=["ruff", "mypy"],
)
def test_linters_are_clean(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        pytest.fail("the test extra is not installed: pip install -e '.[test]'")
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
