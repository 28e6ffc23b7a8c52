"""The data files shipped inside the package (briefing/data/): the I/O edge that reads them."""

from __future__ import annotations

from importlib import resources


def read_data(name: str) -> tuple[str, str]:
    """Return the text of a shipped data file and the path to name in messages."""
    ref = resources.files("briefing").joinpath("data", *name.split("/"))
    return ref.read_text(encoding="utf-8"), f"briefing/data/{name}"


def list_data(folder: str) -> list[str]:
    """List the shipped data files in a folder of briefing/data/, sorted."""
    ref = resources.files("briefing").joinpath("data", folder)
    return sorted(f"{folder}/{entry.name}" for entry in ref.iterdir() if entry.is_file())
