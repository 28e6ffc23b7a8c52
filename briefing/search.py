"""Search index: Pagefind indexes the built story pages into site/pagefind/. An I/O edge.

Pagefind runs at build time over the staged site, before it is swapped in; its index and
its JavaScript are static files, so search works on any static host with no server.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from briefing.errors import Diagnostic, Severity
from briefing.fingerprint import digest
from briefing.publish import Tree

#: the folder inside the site that holds the index and pagefind.js
SEARCH_FOLDER = "pagefind"
TIMEOUT_SECONDS = 600


def index_site(tree: Tree) -> list[Diagnostic]:
    """Index every story page of a built site; a failure is a warning (the site works without search)."""
    with tempfile.TemporaryDirectory(prefix="briefing-search-") as folder:
        diagnostics = run_pagefind(tree.root, Path(folder))
        for file in sorted(p for p in Path(folder).rglob("*") if p.is_file()):
            data = file.read_bytes()
            tree.write(f"{SEARCH_FOLDER}/{file.relative_to(folder).as_posix()}", digest(data), data)
    return diagnostics


def run_pagefind(site: Path, output: Path) -> list[Diagnostic]:
    command = [
        sys.executable,
        "-m",
        "pagefind",
        "--site",
        str(site),
        "--output-path",
        str(output),
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
