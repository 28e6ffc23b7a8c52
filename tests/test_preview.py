"""`serve`: the preview rebuilds when a seed changes and tells the browser to reload."""

from __future__ import annotations

import socket
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import watchfiles

from briefing import preview
from tests.conftest import run_build

ARTICLE = "Cuorips files for approval of heart cell sheets\n\nCuorips said on Monday it had filed in Japan.\n"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
        return str(response.read().decode("utf-8"))


def _until(check: Callable[[], bool], seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return True
        except OSError:
            pass  # the server is not up yet
        time.sleep(0.2)
    return False


def test_a_changed_seed_is_rebuilt_and_pages_reload(tmp_path: Path) -> None:
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "a.txt").write_text(ARTICLE, encoding="utf-8")
    assert run_build(tmp_path, "--quiet") == 0
    port = _free_port()
    stop = threading.Event()
    builds: list[int] = []

    def rebuild() -> None:
        builds.append(run_build(tmp_path, "--quiet"))

    watched = (tmp_path / "seeds", tmp_path / "content")
    thread = threading.Thread(target=preview.serve, args=(tmp_path / "site", port, watched, rebuild, stop))
    thread.start()
    base = f"http://127.0.0.1:{port}/"
    try:
        assert _until(lambda: "reload.js" in _get(base))
        assert _get(base + "__briefing/build") == "0"
        (tmp_path / "seeds" / "a.txt").write_text(ARTICLE.replace("Monday", "Tuesday"), encoding="utf-8")
        assert _until(lambda: _get(base + "__briefing/build") == "1")
        assert builds == [0]
        story = next((tmp_path / "content").glob("*.md")).read_text(encoding="utf-8")
        assert "Tuesday" in story
        time.sleep(1.5)  # the build's own writes to content/ start no second build
        assert builds == [0]
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()


def test_a_seed_changed_before_the_watcher_is_armed_is_rebuilt_all_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "seeds").mkdir()
    seed = tmp_path / "seeds" / "a.txt"
    seed.write_text(ARTICLE, encoding="utf-8")
    assert run_build(tmp_path, "--quiet") == 0
    watch = watchfiles.watch

    def late_watch(*args: Any, **kwargs: Any) -> Any:  # noqa: ANN401 - watchfiles.watch's own
        seed.write_text(ARTICLE.replace("Monday", "Tuesday"), encoding="utf-8")  # no event will tell
        return watch(*args, **kwargs)

    monkeypatch.setattr(preview.watchfiles, "watch", late_watch)
    builds: list[int] = []
    stop = threading.Event()
    watched = (tmp_path / "seeds", tmp_path / "content")

    def rebuild() -> None:
        builds.append(run_build(tmp_path, "--quiet"))

    thread = threading.Thread(target=preview.serve, args=(tmp_path / "site", _free_port(), watched, rebuild, stop))
    thread.start()
    try:
        assert _until(lambda: builds == [0])
        assert "Tuesday" in next((tmp_path / "content").glob("*.md")).read_text(encoding="utf-8")
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
