"""Configuration: the folders a build reads and writes, and what the site says about itself.

Everything has a default (see CONTRACT.md); an optional `briefing.toml` in the current
folder sets the site's title, description and public URL.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from briefing.errors import error

CONFIG_FILE = "briefing.toml"


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    seeds: Path = Path("seeds")
    content: Path = Path("content")
    out: Path = Path("site")
    templates: Path = Path("templates")
    cache: Path = Path(".cache")
    strict: bool = False
    jobs: int = 1
    progress: bool = True  # a progress bar on long builds, when standard error is a terminal
    title: str = "Briefing"
    description: str = "Cell and gene therapy, regenerative medicine and pharma in Japan and Asia"
    base_url: str = ""  # e.g. "https://team.example.org/briefing/": makes feed and sitemap links absolute


def load_site_settings(folder: Path) -> dict[str, str]:
    """Read [site] title, description and base_url from briefing.toml, if there is one."""
    path = folder / CONFIG_FILE
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise error(CONFIG_FILE, getattr(exc, "lineno", None), f"invalid TOML: {exc}") from None
    site = data.get("site", {})
    unknown = sorted(set(site) - {"title", "description", "base_url"})
    if unknown:
        raise error(CONFIG_FILE, None, f"[site]: unknown key '{unknown[0]}'; known: title, description, base_url")
    settings = {key: str(value) for key, value in site.items()}
    if settings.get("base_url") and not settings["base_url"].endswith("/"):
        settings["base_url"] += "/"
    return settings
