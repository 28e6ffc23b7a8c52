"""The data files shipped inside the package (briefing/data/): the I/O edge that reads them."""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

#: libyaml's parser where PyYAML has it (the same safe constructor and resolver, in C)
YAML_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_data(name: str) -> tuple[str, str]:
    """Return the text of a shipped data file and the path to name in messages."""
    ref = resources.files("briefing").joinpath("data", *name.split("/"))
    return ref.read_text(encoding="utf-8"), f"briefing/data/{name}"


def list_data(folder: str) -> list[str]:
    """List the shipped data files in a folder of briefing/data/, sorted."""
    ref = resources.files("briefing").joinpath("data", folder)
    return sorted(f"{folder}/{entry.name}" for entry in ref.iterdir() if entry.is_file())


def load_yaml(text: str) -> tuple[Any, yaml.Node | None]:
    """Parse YAML once: its data, and its node tree, which knows the line of every key.

    Raises yaml.YAMLError as PyYAML does.
    """
    loader = YAML_LOADER(text)
    try:
        node = loader.get_single_node()
        return (loader.construct_document(node) if node is not None else None), node
    finally:
        loader.dispose()
