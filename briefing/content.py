"""Content folder: read and write content/*.md, never losing an editor's change. The I/O edge.

Every write goes through a temporary file and an atomic rename, so a killed build leaves
each story either as it was or as it is meant to be.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from briefing.cache import Store
from briefing.errors import ContentError, Diagnostic
from briefing.frontmatter import parse_story
from briefing.model import Story

#: the seed a broken story file names, so that its seed is not made into a second story
_SEED_LINE = re.compile(r"^seed:\s*['\"]?(?P<seed>[^'\"\n]+?)['\"]?\s*$", re.MULTILINE)
_PART_LINE = re.compile(r"^part:\s*(?P<part>\d+)\s*$", re.MULTILINE)
SITE_REGISTRY = "registry.yaml"


@dataclass(frozen=True, slots=True)
class ContentFile:
    """A story file as found in content/."""

    path: Path
    shown_as: str  # the path as messages name it
    story: Story | None  # None when the file could not be read as a story
    pristine: bool  # exactly as the build wrote it: the build may replace it
    seed: str | None
    part: int | None


@dataclass(frozen=True, slots=True)
class Content:
    """Everything in content/: readable stories, and every problem found reading it."""

    files: tuple[ContentFile, ...]
    diagnostics: tuple[Diagnostic, ...]

    @property
    def stories(self) -> list[Story]:
        return [f.story for f in self.files if f.story is not None]


def story_files(content_dir: Path) -> list[Path]:
    """Every story file in content/, sorted."""
    if not content_dir.is_dir():
        return []
    return sorted(content_dir.rglob("*.md"), key=lambda p: p.relative_to(content_dir).as_posix())


def load_content(content_dir: Path, shown_dir: str, *, cache: Store | None = None) -> Content:
    """Read every story in content/, collecting each file's problems instead of stopping.

    With a cache, a file whose bytes were read before is not parsed again.
    """
    files: list[ContentFile] = []
    diagnostics: list[Diagnostic] = []
    for path in story_files(content_dir):
        shown = f"{shown_dir}/{path.relative_to(content_dir).as_posix()}"
        data = path.read_bytes()
        key = f"{shown}\0{hashlib.sha256(data).hexdigest()}"
        known = cache.get(key) if cache is not None else None
        if isinstance(known, ContentFile):
            files.append(dataclasses.replace(known, path=path))
            diagnostics.extend(cache.get(key + "\0notes") or [])  # type: ignore[union-attr]
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            diagnostics.append(Diagnostic(shown, line, "not UTF-8: save the story as UTF-8"))
            files.append(ContentFile(path, shown, None, False, None, None))
            continue
        try:
            parsed = parse_story(text, shown)
        except ContentError as exc:
            diagnostics.append(exc.diagnostic)
            seed, part = _SEED_LINE.search(text), _PART_LINE.search(text)
            files.append(ContentFile(path, shown, None, False, seed and seed["seed"], part and int(part["part"])))
            continue
        diagnostics.extend(parsed.warnings)
        story = parsed.story
        files.append(ContentFile(path, shown, story, parsed.pristine, story.seed, story.part))
        if cache is not None:
            cache.put(key, files[-1])
            cache.put(key + "\0notes", list(parsed.warnings))
    return Content(tuple(files), tuple(diagnostics))


def write_text_atomic(path: Path, text: str) -> bool:
    """Write a file through a temporary file and a rename; skip it when the bytes are the same."""
    data = text.encode("utf-8")
    if path.exists() and path.read_bytes() == data:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True
