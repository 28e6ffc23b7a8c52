"""`python build.py add`: an article into seeds/ under a clear, unique name, and what it gives."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from briefing.cli import main
from tests.conftest import SAMPLE_SEEDS

ARTICLE = "Heartseed starts a heart trial in Osaka\n\nApril 2, 2025 — Osaka — Heartseed said it started a trial.\n"


class _Stdin:
    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


def test_add_from_stdin_names_the_seed_by_date_and_headline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", _Stdin(ARTICLE.encode("utf-8")))
    assert main(["add", "--seeds", str(tmp_path / "seeds")]) == 0
    stored = tmp_path / "seeds" / "2025-04-02-heartseed-starts-a-heart-trial-in-osaka.txt"
    assert stored.read_bytes() == ARTICLE.encode("utf-8")
    out = capsys.readouterr().out
    assert f"added {stored.as_posix()}" in out and "title:   Heartseed starts a heart trial in Osaka" in out
    assert "countries:   Japan" in out
    monkeypatch.setattr(sys, "stdin", _Stdin(ARTICLE.encode("utf-8")))
    assert main(["add", "--seeds", str(tmp_path / "seeds")]) == 0
    assert (tmp_path / "seeds" / "2025-04-02-heartseed-starts-a-heart-trial-in-osaka-2.txt").exists()


def test_add_a_file_keeps_its_bytes_and_kind(tmp_path: Path) -> None:
    source = SAMPLE_SEEDS / "003_0690e63d309d3b92.txt"
    assert main(["add", str(source), "--seeds", str(tmp_path / "seeds")]) == 0
    (stored,) = (tmp_path / "seeds").iterdir()
    assert stored.name.startswith("2025-04-21-taiwans-bpipo-and-dcb-drive") and stored.suffix == ".txt"
    assert stored.read_bytes() == source.read_bytes()


def test_add_refuses_what_is_no_article(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", _Stdin(b"   \n"))
    assert main(["add", "--seeds", str(tmp_path / "seeds")]) == 1
    assert capsys.readouterr().err.strip() == "stdin:1: error: file is empty: nothing to build a story from"
    assert not (tmp_path / "seeds").exists() or not any((tmp_path / "seeds").iterdir())
