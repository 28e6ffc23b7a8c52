"""Content folder: read and write content/*.md, never losing an editor's change. The I/O edge.

Every write goes through a temporary file and an atomic rename, so a killed build leaves
each story either as it was or as it is meant to be.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from briefing.cache import StatusMemo, Store
from briefing.errors import ContentError, Diagnostic
from briefing.folders import create_file, named_files, write_and_close
from briefing.frontmatter import parse_story
from briefing.model import Story, quick_pickle, replaced, text_digest
from briefing.workers import sliced_beside

#: the seed a broken story file names, so that its seed is not made into a second story
_SEED_LINE = re.compile(r"^seed:\s*['\"]?(?P<seed>[^'\"\n]+?)['\"]?\s*$", re.MULTILINE)
_PART_LINE = re.compile(r"^part:\s*(?P<part>\d+)\s*$", re.MULTILINE)
SITE_REGISTRY = "registry.yaml"
#: what a story file's name ends with (a file of content/ named otherwise is not a story)
STORY_SUFFIX = ".md"


@quick_pickle
@dataclass(frozen=True, slots=True)
class ContentFile:
    """A story file as found in content/."""

    # its path, as the system takes it (a string: a rebuild of 20,000 stories read back as many
    # from the content memo, and a Path was a fifth of what each cost)
    location: str
    shown_as: str  # the path as messages name it
    story: Story | None  # None when the file could not be read as a story
    pristine: bool  # exactly as the build wrote it: the build may replace it
    seed: str | None
    part: int | None
    # the digest of its story's text (`text_digest`), made when it is read: what a light draft's
    # story is told equal to it by (None: not made, or no story)
    text: bytes | None = None

    @property
    def path(self) -> Path:
        return Path(self.location)

    @property
    def stem(self) -> str:
        """Its name without the suffix, as `path.stem` gives it (without making a Path)."""
        name = self.location.rpartition(os.sep)[2]
        dot = name.rfind(".")
        return name[:dot] if 0 < dot < len(name) - 1 else name


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
    return [Path(path) for _, path in named_story_files(content_dir)]


def named_story_files(content_dir: Path) -> list[tuple[str, str]]:
    """Every story file in content/ with its /-separated name there, sorted by that name, and
    its path (`content_dir` joined with that name, a string).

    What `content_dir.rglob("*.md")` finds (links to folders not followed, folders it may not
    list skipped), listed with scandir and named as it goes: no Path made and taken apart
    again per story to name it.
    """
    return named_files(content_dir, lambda entry: entry.name.endswith(STORY_SUFFIX))


#: fewer story files than this are read in this process: starting workers would cost more
MIN_PARALLEL_FILES = 400


#: what a build remembers of a story file by its status: what load_file made of it
Loaded = tuple[ContentFile, list[Diagnostic]]


def load_content(
    content_dir: Path,
    shown_dir: str,
    *,
    cache: Store | None = None,
    memo: StatusMemo[Loaded] | None = None,
    jobs: int = 1,
) -> Content:
    """Read every story in content/, collecting each file's problems instead of stopping.

    With a memo, a file whose status is unchanged since an earlier build is not read at all;
    with a cache, a file whose bytes were read before is not parsed again; with `jobs`, the
    files are read by that many processes.
    """
    listed = [(path, f"{shown_dir}/{name}") for name, path in named_story_files(content_dir)]
    loaded: dict[str, Loaded] = {}
    if memo is not None:
        for path, _ in listed:
            with contextlib.suppress(OSError):  # gone since it was listed: read below, as others are
                if (known := memo.known(path)) is not None:
                    loaded[path] = known
    jobs_list = [(path, shown) for path, shown in listed if path not in loaded]
    loaded.update(zip((path for path, _ in jobs_list), _read(jobs_list, cache, memo, jobs), strict=True))
    pairs = [loaded[path] for path, _ in listed]
    return Content(tuple(file for file, _ in pairs), tuple(diagnostic for _, notes in pairs for diagnostic in notes))


def _read(
    files: Sequence[tuple[str, str]], cache: Store | None, memo: StatusMemo[Loaded] | None, jobs: int
) -> list[Loaded]:
    """Read story files (path, name shown), in `jobs` processes when there are many; the memo
    remembers each by the status it had before it was read."""
    if memo is not None:
        for path, _ in files:
            with contextlib.suppress(OSError):
                memo.known(path)
    load = functools.partial(_load_files, cache=cache)
    with sliced_beside(jobs, files, load, slices=jobs * 4, at_least=MIN_PARALLEL_FILES) as loaded:
        read = loaded()
    if memo is not None:
        for (path, _), (file, notes, digest) in zip(files, read, strict=True):
            memo.remember(path, (file, notes), digest)
    return [(file, notes) for file, notes, _ in read]


def _load_files(
    paths: Sequence[tuple[str, str]], cache: Store | None
) -> list[tuple[ContentFile, list[Diagnostic], str]]:
    """Read story files; what the cache is to keep of them is kept in one transaction (one a file
    cost a build of 20,000 story files from nothing a millisecond a file)."""
    kept: list[tuple[str, object]] = []
    loaded = [_load(path, shown, cache, kept) for path, shown in paths]
    if cache is not None and kept:
        cache.put_many(kept)
    return loaded


def reload_content(
    content: Content,
    content_dir: Path,
    shown_dir: str,
    changed: Iterable[Path],
    *,
    cache: Store | None,
    memo: StatusMemo[Loaded] | None = None,
    jobs: int = 1,
    written: Mapping[str, Read] | None = None,
) -> Content:
    """Content after some of its files (under content_dir) were written or removed: only those
    are read again; those `written` gives (by path: see parsed_beside) are taken as it made
    them from the texts written, not read back."""
    names = {path.relative_to(content_dir).as_posix() for path in changed}
    shown = {f"{shown_dir}/{name}" for name in names}
    prefix = f"{shown_dir}/"
    kept = {_name_in(content_dir, prefix, file): file for file in content.files if file.shown_as not in shown}
    diagnostics = [d for d in content.diagnostics if d.path not in shown]
    folder = os.fspath(content_dir)  # joined with the names as the folder's listing joins them
    named = [(name, os.path.join(folder, name)) for name in sorted(names)]
    named = [(name, path) for name, path in named if os.path.isfile(path)]
    written = written or {}
    files = [(path, f"{shown_dir}/{name}") for name, path in named if path not in written]
    loaded = dict(zip((path for path, _ in files), _read(files, cache, memo, jobs), strict=True))
    for name, path in named:
        if path in written:
            file, notes, digest = written[path]
            if memo is not None:
                with contextlib.suppress(OSError):
                    memo.known(path)  # its status, as written
                    memo.remember(path, (file, notes), digest)  # trusted once settled with these bytes
        else:
            file, notes = loaded[path]
        kept[name] = file
        diagnostics.extend(notes)
    return Content(tuple(kept[name] for name in sorted(kept)), tuple(diagnostics))


#: what reading a story file gives: what it holds, its problems, and the digest of its bytes
Read = tuple[ContentFile, list[Diagnostic], str]


@contextlib.contextmanager
def parsed_beside(
    files: Sequence[tuple[Path, str]], content_dir: Path, shown_dir: str, *, jobs: int
) -> Iterator[Callable[[], dict[str, Read]]]:
    """Make, from their texts, what reading the story files about to be written will give, in
    `jobs` forked processes while this one writes them; what is given waits for them, and
    gives it by path (as reload_content names the files). A build from nothing wrote 20,000
    story files and then read them all back: 5 s of writing, then 5.5 s of reading.

    In this process, when the files are few or there is one job (see sliced_beside).
    """
    folder = os.fspath(content_dir)
    named = [
        (os.path.join(folder, name), f"{shown_dir}/{name}", text)
        for path, text in files
        for name in (path.relative_to(content_dir).as_posix(),)
    ]
    paths = [path for path, _, _ in named]
    with sliced_beside(jobs, named, _read_texts, slices=jobs * 4, at_least=MIN_PARALLEL_FILES) as made:
        yield lambda: dict(zip(paths, made(), strict=True))


def _read_texts(files: Sequence[tuple[str, str, str]]) -> list[Read]:
    """What reading story files (path, name shown) that hold these texts will give."""
    return [_read_text(path, shown, text) for path, shown, text in files]


def _read_text(path: str, shown: str, text: str) -> Read:
    file, notes = _parsed(path, shown, text)
    return file, notes, hashlib.sha256(text.encode("utf-8")).hexdigest()


def _name_in(content_dir: Path, prefix: str, file: ContentFile) -> str:
    """A story file's /-separated name in content/: what its shown name has after the folder's
    (as `load_content` named it; a Path taken apart per file cost a rebuild of 20,000 stories a
    fifth of a second), or what its path has below the folder."""
    if file.shown_as.startswith(prefix):
        return file.shown_as[len(prefix) :]
    return file.path.relative_to(content_dir).as_posix()


def load_file(path: Path, shown: str, *, cache: Store | None = None) -> tuple[ContentFile, list[Diagnostic]]:
    """Read one story file: what it holds, and its problems."""
    file, notes, _ = _load_files([(os.fspath(path), shown)], cache)[0]
    return file, notes


def _load(
    path: str, shown: str, cache: Store | None, kept: list[tuple[str, object]]
) -> tuple[ContentFile, list[Diagnostic], str]:
    """Read one story file: what it holds, its problems, and the digest of the bytes read; what
    the cache is to keep of it is added to `kept`."""
    with open(path, "rb") as handle:
        data = handle.read()
    digest = hashlib.sha256(data).hexdigest()
    key = f"{shown}\0{digest}"
    known = cache.get(key) if cache is not None else None
    if isinstance(known, tuple) and len(known) == 2 and isinstance(known[0], ContentFile):
        return replaced(known[0], location=path), list(known[1]), digest
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return (
            ContentFile(path, shown, None, False, None, None),
            [Diagnostic(shown, line, "not UTF-8: save the story as UTF-8")],
            digest,
        )
    file, notes = _parsed(path, shown, text)
    if cache is not None and file.story is not None:
        kept.append((key, (file, notes)))
    return file, notes, digest


def _parsed(path: str, shown: str, text: str) -> Loaded:
    """What a story file holding `text` is, and its problems."""
    try:
        parsed = parse_story(text, shown)
    except ContentError as exc:
        seed, part = _SEED_LINE.search(text), _PART_LINE.search(text)
        file = ContentFile(path, shown, None, False, seed and seed["seed"], part and int(part["part"]))
        return file, [exc.diagnostic]
    story = parsed.story
    file = ContentFile(
        path, shown, story, parsed.pristine, story.seed, story.part, text_digest(story.summary, story.body)
    )
    return file, list(parsed.warnings)


#: more files than this reach the disk by one sync of the file systems, not a sync each
SYNC_ALL_FROM = 8


def write_texts_atomic(files: Iterable[tuple[Path, str]]) -> list[Path]:
    """Write files through temporary files and renames, skipping those whose bytes are the same;
    the files written.

    Every temporary file is on the disk before any is renamed, so a crash at any moment leaves
    each file as it was or whole as it is meant to be. Many files reach the disk by one sync:
    a sync per file cost a first build of 20,000 stories half a minute.
    """
    pending: list[tuple[str, Path]] = []  # (temporary file, its final path)
    folders: set[Path] = set()  # made already
    try:
        for path, text in files:
            data = text.encode("utf-8")
            if _holds_bytes(path, data):
                continue
            if path.parent not in folders:
                path.parent.mkdir(parents=True, exist_ok=True)
                folders.add(path.parent)
            temporary, fd = _temporary(path)
            pending.append((temporary, path))
            write_and_close(fd, data)
        _to_disk([Path(temporary) for temporary, _ in pending])
        for temporary, path in pending:
            os.replace(temporary, path)
    except BaseException:
        for temporary, _ in pending:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        raise
    return [path for _, path in pending]


def _holds_bytes(path: Path, data: bytes) -> bool:
    """Whether a file holds exactly these bytes (False when it is not there)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(len(data) + 1) == data
    except (FileNotFoundError, NotADirectoryError):
        return False


def _temporary(path: Path) -> tuple[str, int]:
    """A new temporary file beside a file, open for writing: its path and descriptor."""
    temporary = os.path.join(os.fspath(path.parent), f".{path.name}.{os.getpid()}.tmp")
    try:
        return temporary, create_file(temporary)
    except FileExistsError:  # left by a killed build that had this process's number
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        return name, fd


def _to_disk(files: Sequence[Path]) -> None:
    """Make sure files' bytes are on the disk: one sync for many, where the system has it."""
    if len(files) > SYNC_ALL_FROM and hasattr(os, "sync"):
        os.sync()
        return
    for file in files:
        with file.open("rb") as handle:
            os.fsync(handle.fileno())
