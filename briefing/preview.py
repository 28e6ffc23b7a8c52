"""Preview: serve the built site on 127.0.0.1, rebuild when an input changes, reload the browser.

The I/O edge of `python build.py serve`. watchfiles reports changes to seeds/, content/
(with the site registry) and templates/; a change the build made itself (its own content/
writes) is told apart by comparing the folders' state with the state after that build.
Pages are served with a small script that reloads them after each rebuild; the built files
themselves are not changed.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

import watchfiles

#: the script every served page gets: it asks for the build number and reloads on a new one
RELOAD_SCRIPT = b"""(function () {
  let seen = null;
  setInterval(async () => {
    try {
      const number = await (await fetch("/__briefing/build", { cache: "no-store" })).text();
      if (seen !== null && number !== seen) location.reload();
      seen = number;
    } catch (error) { /* the preview stopped: keep the page as it is */ }
  }, 1000);
})();
"""
_TAG = b'<script src="/__briefing/reload.js"></script>'


class _Preview:
    """What the handler needs to know: the build number."""

    def __init__(self) -> None:
        self.build = 0


class _Handler(http.server.SimpleHTTPRequestHandler):
    preview: _Preview

    def do_GET(self) -> None:
        if self.path == "/__briefing/build":
            return self._send(str(self.preview.build).encode(), "text/plain")
        if self.path == "/__briefing/reload.js":
            return self._send(RELOAD_SCRIPT, "text/javascript")
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            page = path.read_bytes()
            at = page.rfind(b"</body>")
            return self._send(page[:at] + _TAG + page[at:] if at != -1 else page, "text/html; charset=utf-8")
        return super().do_GET()

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        return


def snapshot(folders: Sequence[Path]) -> dict[str, tuple[int, int]]:
    """Every file's modification time and size under some folders."""
    state: dict[str, tuple[int, int]] = {}
    for folder in folders:
        if folder.is_dir():
            for path in folder.rglob("*"):
                if path.name.startswith("."):
                    continue  # editors' swap files and our own temporary files
                try:
                    stat = path.stat()
                except FileNotFoundError:
                    continue  # gone between listing and looking: the next change event will tell
                if path.is_file():
                    state[path.as_posix()] = (stat.st_mtime_ns, stat.st_size)
    return state


#: the watcher wakes up this often when nothing changes (ms); its first wake-up compares the
#: folders with how they were when the preview started: a change made before the watcher was
#: armed raises no event (a seed saved just after `serve` started was missed)
WAKE_MS = 1000


def serve(
    site: Path, port: int, watched: Sequence[Path], rebuild: Callable[[], None], stop: threading.Event | None = None
) -> None:
    """Serve `site` until interrupted (or `stop` is set), calling `rebuild` after each change."""
    preview = _Preview()
    handler = type("Handler", (_Handler,), {"preview": preview})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(handler, directory=str(site)))
    seen = snapshot(watched)  # before the server answers: what changes once it does is after it
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        folders = [str(folder) for folder in watched if folder.is_dir()]
        armed = False  # the watcher sees every change from its first wake-up on
        for changes in watchfiles.watch(
            *folders, stop_event=stop, debounce=300, raise_interrupt=False, rust_timeout=WAKE_MS, yield_on_timeout=True
        ):
            if not changes and armed:
                continue  # a quiet spell
            armed = True  # a change made before the watcher was armed was not seen: the snapshot tells
            if snapshot(watched) == seen:
                continue  # the build's own writes to content/, or nothing yet
            rebuild()
            preview.build += 1
            seen = snapshot(watched)
    finally:
        server.shutdown()
        server.server_close()
