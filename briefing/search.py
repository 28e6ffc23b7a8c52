"""Search index: Pagefind indexes the built story pages into site/pagefind/. An I/O edge.

Pagefind runs at build time over the staged site, before it is swapped in; its index and
its JavaScript are static files, so search works on any static host with no server.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from briefing.errors import Diagnostic, Severity

#: the folder inside the site that holds the index and pagefind.js
SEARCH_FOLDER = "pagefind"
TIMEOUT_SECONDS = 600


def index_site(site: Path) -> list[Diagnostic]:
    """Index every story page of a built site; a failure is a warning (the site works without search)."""
    command = [
        sys.executable,
        "-m",
        "pagefind",
        "--site",
        str(site),
        "--output-subdir",
        SEARCH_FOLDER,
        "--force-language",
        "en",
        "--glob",
        "stories/*/index.html",  # only story pages are searched: the rest need not be read
        "--quiet",
    ]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return [Diagnostic("site", None, f"search index not built: {exc}", Severity.WARNING)]
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        reason = detail[-1] if detail else f"pagefind exited with {result.returncode}"
        return [
            Diagnostic(
                "site", None, f"search index not built: {reason} (pip install 'pagefind[bin]')", Severity.WARNING
            )
        ]
    return []
