"""Shared fixtures: scratch projects, the shared sample folder, and one build of the samples."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from briefing.cli import main

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SAMPLE_SEEDS = ROOT / "seeds"


@pytest.fixture(autouse=True)
def own_working_folder(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts in an empty folder of its own: a build keeps its caches in the working
    folder's .cache/, which must be neither the repository's (a user's clone) nor another
    test's. A test that wants the caches in its project changes to it."""
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


def make_files(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write a small tree of files (text is dedented), return the root."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


@pytest.fixture
def make_tree(tmp_path: Path) -> Callable[[dict[str, str | bytes]], Path]:
    """A scratch project: make_tree({"seeds/a.txt": "..."}) -> its folder."""
    return lambda files: make_files(tmp_path, files)


def run_build(project: Path, *extra: str, leftovers: list[object] | None = None) -> int:
    """Run `build.py build` inside a project folder, as a user would (and as cli.run does, with
    `leftovers` to hand what the build is done with)."""
    return main(
        [
            "build",
            "--seeds",
            str(project / "seeds"),
            "--content",
            str(project / "content"),
            "--out",
            str(project / "site"),
            "--templates",
            str(ROOT / "templates"),
            *extra,
        ],
        leftovers=leftovers,
    )


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One build of the project's sample seeds, shared by the tests that only read it."""
    project = tmp_path_factory.mktemp("samples")
    shutil.copytree(SAMPLE_SEEDS, project / "seeds")
    with pytest.MonkeyPatch.context() as patch:  # made before any test's own folder
        patch.chdir(project)  # its .cache/ in the project, as a user's is
        assert run_build(project, "--quiet") == 0
    return project


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared, the user's samples and gold files; skip where a clone does not have it."""
    if not (SHARED / "gold").is_dir():
        pytest.skip("../shared/gold is not here (a user's clone has no ../shared): gold scoring skipped")
    return SHARED
