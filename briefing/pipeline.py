"""The two recipes, read top to bottom: ingest (seeds -> content/) and build (content/ -> site/)."""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import operator
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeGuard

from briefing.cache import (
    FileDigests,
    KeptEntries,
    StatusMemo,
    Store,
    body_store,
    compose_store,
    content_memo,
    content_store,
    index_path,
    keep,
    read_kept,
    search_path,
    seed_digests_path,
    shelf_path,
    swept_path,
    verdicts_path,
)
from briefing.canonical import unify_names
from briefing.compose import Draft, StoryText, compose, lightened, text_of
from briefing.config import Config
from briefing.content import (
    SITE_REGISTRY,
    Content,
    load_content,
    parsed_beside,
    reload_content,
    write_texts_atomic,
)
from briefing.dedupe import Fingerprint, Verdicts, compared, find_copies
from briefing.entities import EntityIndex, load_index
from briefing.errors import ContentError, Diagnostic, Severity
from briefing.fingerprint import Fingerprints, page_salt, story_digests
from briefing.ingest import discover_named, file_digest, read_article
from briefing.kept import KeptDigests, kept_digests
from briefing.model import RawArticle, Story, replaced, text_digest
from briefing.progress import Progress
from briefing.publish import SpareCopy, start_spare, write_site
from briefing.reconcile import plan_content
from briefing.recurring import forget_recurring
from briefing.registry import Registry, parse_site_registry
from briefing.resources import read_data
from briefing.review import MANIFEST, ReviewItem, ReviewPage, review_context, review_story
from briefing.rules import RuleSet, parse_rules
from briefing.search import Indexing, plan_shards, story_path
from briefing.site import Page, SiteInfo, plan_site, review_pages
from briefing.tally import sweep_when_grown
from briefing.taxonomy import Term, all_terms, canonical_stories
from briefing.workers import beside, can_fork, collector_held, collector_released, forked_pool, sliced_beside

logger = logging.getLogger(__name__)
#: hex digits of a story's digest in the review manifest
MANIFEST_DIGEST = 16


@dataclass(slots=True)
class Report:
    """What a run did and found; the CLI turns it into output and an exit status."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    seeds: int = 0
    stories_written: int = 0
    stories_removed: int = 0
    stories: int = 0
    pages: int = 0
    rendered: int = 0  # pages rendered (the others were unchanged)
    written: int = 0  # files of the site whose bytes changed

    @property
    def errors(self) -> int:
        return sum(d.severity is Severity.ERROR for d in self.diagnostics)

    @property
    def warnings(self) -> int:
        return sum(d.severity is Severity.WARNING for d in self.diagnostics)


def shown(folder: Path, path: Path) -> str:
    """A path as messages show it: under the folder as the user named it, /-separated."""
    return (folder / path.relative_to(folder)).as_posix()


def shown_prefix(folder: Path) -> str:
    """What `shown` puts before a /-separated name inside the folder (no Path made per file)."""
    named = folder.as_posix()
    return "" if named == "." else named if named.endswith("/") else named + "/"  # "/" and "//" end in one


def load_rules() -> RuleSet:
    return parse_rules(*read_data("boilerplate.yaml"))


@dataclass(frozen=True, slots=True)
class SiteRegistryFile:
    """content/registry.yaml, the editors' registry, as a build read it once: its text ("" where
    there is none), which keys what the build keeps made with it (the entity index, what each
    seed became), and what it says (None where there is none, or it is broken). Read once, an
    editor's save in the middle of a build cannot key results made with the text before it."""

    text: str
    registry: Registry | None


def read_site_registry(config: Config, report: Report) -> SiteRegistryFile:
    """Read content/registry.yaml, if there is one; its problems go in the report."""
    path = config.content / SITE_REGISTRY
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return SiteRegistryFile("", None)
    except (OSError, UnicodeDecodeError) as exc:
        report.diagnostics.append(Diagnostic(path.as_posix(), None, f"cannot read: {exc}"))
        return SiteRegistryFile("", None)
    try:
        return SiteRegistryFile(text, parse_site_registry(text, path.as_posix()))
    except ContentError as exc:
        report.diagnostics.append(exc.diagnostic)
        return SiteRegistryFile(text, None)


def load_site_registry(config: Config, report: Report) -> Registry | None:
    """What content/registry.yaml says, if there is one (see read_site_registry)."""
    return read_site_registry(config, report).registry


def entity_index(config: Config, site: SiteRegistryFile) -> EntityIndex:
    """The entity index, kept in .cache/ between builds: made from the shipped data and the site
    registry only when they or the code changed (it took a quarter second a build)."""
    path = index_path(config.cache, site.text)
    kept = read_kept(path)
    if isinstance(kept, EntityIndex):
        return kept
    index = load_index(site.registry)
    keep(path, index)
    return index


def ingest(config: Config, report: Report, index: EntityIndex) -> tuple[list[Draft], Content]:
    """Seeds -> content/: compose a story from every seed and reconcile content/ with them.

    Returns the drafts, each with the slug its story has in content/ (for the review page),
    and content/ as it is now.
    """
    drafts, content, memo = _ingest(config, report, index, read_site_registry(config, report).text)
    memo.save()
    return drafts, content


def _ingest(
    config: Config, report: Report, index: EntityIndex, registry_text: str, leftovers: list[object] | None = None
) -> tuple[list[Draft], Content, StatusMemo[Any]]:
    """`ingest`, and the memory of content/ it has brought up to date, not yet saved (see build);
    `registry_text` is the site registry's, as the index was made from (SiteRegistryFile), and
    `leftovers` as build has them."""
    rules = load_rules()
    # seed order, whatever order the folder listing gave: slugs and copies must not depend on it
    seeds = sorted(discover_named(config.seeds), key=operator.itemgetter(0))
    report.seeds = len(seeds)
    cache = compose_store(config.cache, registry_text)
    digests = FileDigests(seed_digests_path(config.cache), file_digest)
    shelf: KeptEntries[object] = KeptEntries(shelf_path(cache))
    drafts, composed = compose_all(config, seeds, rules, index, report, cache=cache, digests=digests, shelf=shelf)
    digests.save()
    kept_verdicts = verdicts_path(config.cache)
    kept = read_kept(kept_verdicts)
    verdicts = Verdicts(kept if isinstance(kept, dict) else {})
    with copies_beside(drafts, verdicts, kept_verdicts, jobs=config.jobs) as found:  # while content/ is read
        content_cache = content_store(config.cache)
        memo = content_memo(config.cache)
        content = load_content(
            config.content, config.content.as_posix(), cache=content_cache, memo=memo, jobs=config.jobs
        )
        # while the copies are still being found: the names, as they are when no seed is composed
        # again for its recurring lines (the copies took longer than reading content/)
        unified = unify_names(drafts)
        copies = found()
    drafts, redone = forget_recurring(drafts, copies, rules, index, functools.partial(reread, config.seeds))
    drafts = unify_names(drafts) if redone else unified
    if redone:
        copies = _copies_kept(drafts, verdicts, kept_verdicts, jobs=config.jobs)
    texts = functools.partial(_texts, config, cache, rules, index)
    plan = plan_content(drafts, content, copies, composed_seeds=composed, texts=texts)
    report.diagnostics.extend(plan.diagnostics)
    writes = [(config.content / name, text) for name, text in plan.writes]
    shown_dir = config.content.as_posix()
    with parsed_beside(writes, config.content, shown_dir, jobs=config.jobs) as parsed:  # while they are written
        changed = write_texts_atomic(writes)
        report.stories_written += len(changed)
        for file in plan.removals:
            file.path.unlink(missing_ok=True)
            report.stories_removed += 1
            changed.append(file.path)
        written = parsed()
    # the files just written are remembered by their status and digest, not put in the content
    # cache as well (a first build of 20,000 stories spent 1.6 s of CPU on those puts)
    content = reload_content(
        content, config.content, shown_dir, changed, cache=None, memo=memo, jobs=config.jobs, written=written
    )
    if leftovers is not None:
        leftovers.append((drafts, plan, shelf))  # the drafts as composed, their stories, the shelf they came from
    drafts = [replaced(draft, story=story, text=None) for draft, story in zip(drafts, plan.stories, strict=True)]
    return drafts, content, memo


def compose_all(
    config: Config,
    seeds: Sequence[tuple[str, str]],
    rules: RuleSet,
    index: EntityIndex,
    report: Report,
    *,
    cache: Store | None = None,
    digests: FileDigests | None = None,
    shelf: KeptEntries[object] | None = None,
) -> tuple[list[Draft], set[str]]:
    """Compose every seed (in parallel with --jobs, from the cache when unchanged), in seed order.

    `seeds` are the seed files' /-separated names in the seeds folder and their paths, as
    `discover_named` lists them; `digests` knows the digests of seeds unchanged since an
    earlier build without reading them; `shelf` keeps what the cache gave or was given for
    these seeds together, for the next build (see _shelved).
    """
    prefix = shown_prefix(config.seeds)
    # what the cache has is read here; only the seeds it lacks are composed, in parallel
    keys = _keys(seeds, digests) if cache is not None else [None] * len(seeds)
    results = _cached(keys, cache, shelf.entries if shelf is not None else {})
    fresh = [result is None for result in results]
    missing = [
        (config.seeds, Path(path), prefix + name)
        for (name, path), result in zip(seeds, results, strict=True)
        if result is None
    ]
    progress = Progress("composing", enabled=config.progress)
    progress.start(len(missing))
    # seeds are composed a chunk at a time, and what a chunk made is kept in one transaction
    size = max(1, min(COMPOSE_CHUNK, -(-len(missing) // (config.jobs * TASKS_PER_WORKER))))
    chunks = [missing[start : start + size] for start in range(0, len(missing), size)]
    made: list[Composed] = []
    if config.jobs > 1 and len(missing) > 1:
        with forked_pool(config.jobs, _init_worker, (index, cache)) as pool:
            for done in pool.map(_compose_chunk_in_worker, chunks):
                made.extend(done)
                progress.advance(len(done))
    else:
        for chunk in chunks:
            made.extend(_compose_chunk(chunk, rules, index, cache))
            progress.advance(len(chunk))
    progress.close()
    remaining = iter(made)
    done = [result if result is not None else next(remaining) for result in results]
    if shelf is not None:
        shelf.save(_shelved(keys, done, fresh))
    drafts: list[Draft] = []
    composed: set[str] = set()
    for (name, _), result in zip(seeds, done, strict=True):
        report.diagnostics.extend(result[1])
        if result[0] is not None:
            drafts.extend(result[0])
            composed.add(name)
    return drafts, composed


@contextlib.contextmanager
def copies_beside(
    drafts: Sequence[Draft], verdicts: Verdicts, kept: Path, *, jobs: int
) -> Iterator[Callable[[], dict[int, int]]]:
    """Find the syndicated copies among drafts in a forked process while this one goes on (it
    reads content/ meanwhile: a second of each at 20,000 stories, on a second core); what is
    given waits for them. The verdicts used are kept in `kept` by the process that found them
    (see _copies_kept). In this process with one job or no fork."""
    work = functools.partial(_copies_kept, drafts, verdicts, kept, jobs=jobs)
    if jobs < 2 or not can_fork():
        yield work
        return
    with beside(work) as result:
        yield result


def _copies_kept(drafts: Sequence[Draft], verdicts: Verdicts, kept: Path, *, jobs: int) -> dict[int, int]:
    """The copies among drafts; the verdicts used are kept in `kept` for the next build, when
    they are not those it holds (`verdicts.known`). A rebuild of 20,000 stories uses a hundred
    thousand verdicts, nearly all as kept: sending them from a forked process to this one, or
    what changed in them, took a third of a second, and writing them a sixth."""
    copies = copies_of(drafts, verdicts, jobs=jobs)
    if verdicts.used != verdicts.known:
        keep(kept, verdicts.used)
    return copies


def copies_of(drafts: Sequence[Draft], verdicts: Verdicts | None = None, *, jobs: int = 1) -> dict[int, int]:
    """Syndicated copies among drafts (by their place in the list), from the fingerprints they
    carry; many pairs not compared before are compared in `jobs` processes."""
    stories, prints = [draft.story for draft in drafts], [draft.fingerprint for draft in drafts]
    return find_copies(stories, prints, verdicts=verdicts, compare=functools.partial(_compared, jobs=jobs))


#: fewer new pairs than this are compared in this process: starting workers would cost more
MIN_PARALLEL_PAIRS = 20_000


def _compared(prints: Sequence[Fingerprint], pairs: Sequence[tuple[int, int]], *, jobs: int) -> list[bool]:
    """dedupe.compared, in `jobs` forked processes, a run of the pairs each, when they are many (a
    build from nothing compares a hundred thousand pairs: 3.5 s, while the build waits)."""
    with sliced_beside(
        jobs, pairs, functools.partial(compared, prints), slices=jobs, at_least=MIN_PARALLEL_PAIRS
    ) as verdicts:
        return verdicts()


def reread(seeds: Path, article: RawArticle) -> RawArticle | None:
    """A composed article with its text, read again from its seed (drafts do not keep it)."""
    try:
        return read_article(seeds, seeds / article.path, shown_as=shown(seeds, seeds / article.path))[0]
    except (ContentError, OSError):
        return None  # gone or broken since it was composed: the draft stays as it was


def _named_key(name: str, path: str | Path, digest: str | None = None) -> str:
    """A seed's key in the compose cache: its name in the seeds folder and the digest of its bytes."""
    return f"{name}\0{digest or file_digest(path)}"


#: what follows a seed's key in the compose cache to name its drafts' texts, kept apart from its
#: light drafts (see Draft): {part: (summary, body)}
_TEXTS = "\0texts"


def _texts(
    config: Config, cache: Store | None, rules: RuleSet, index: EntityIndex, drafts: Sequence[Draft]
) -> list[StoryText]:
    """Light drafts' texts, as the compose cache keeps them; the seed of one it cannot give
    (gone from it, unreadable) is composed again."""
    keys = [f"{draft.story.seed}\0{draft.story.seed_hash}{_TEXTS}" for draft in drafts]
    found = cache.get_many(sorted(set(keys))) if cache is not None else {}
    texts: list[StoryText] = []
    for draft, key in zip(drafts, keys, strict=True):
        kept = found.get(key)
        text = kept.get(draft.story.part) if isinstance(kept, dict) else None
        if not (isinstance(text, tuple) and len(text) == 2 and all(isinstance(part, str) for part in text)):
            text = None
        if text is None or text_digest(*text) != draft.text:
            text = _composed_text(config, rules, index, draft)
        texts.append(text)
    return texts


def _composed_text(config: Config, rules: RuleSet, index: EntityIndex, draft: Draft) -> StoryText:
    """A light draft's text, from its seed composed again."""
    article = reread(config.seeds, draft.article)
    for made in compose(article, rules, index) if article is not None else ():
        if made.story.part == draft.story.part and text_digest(made.story.summary, made.story.body) == draft.text:
            return text_of(made.story)
    shown_as = shown(config.seeds, config.seeds / draft.article.path)
    raise ContentError(Diagnostic(shown_as, None, "changed while the build read it: build again"))


def _keys(seeds: Sequence[tuple[str, str]], digests: FileDigests | None) -> list[str | None]:
    """Each seed's key in the compose cache, or None (gone or unreadable: composing it says why)."""
    keys: list[str | None] = []
    for name, path in seeds:
        try:
            keys.append(_named_key(name, path, digests.of(path) if digests else None))
        except OSError:
            keys.append(None)
    return keys


def _cached(keys: Sequence[str | None], cache: Store | None, shelved: Mapping[str, object]) -> list[Composed | None]:
    """What the cache holds for each seed by its key, or None (no cache, not cached, unreadable:
    compose it); what the shelf holds is not asked of the cache (see _shelved)."""
    if cache is None:
        return [None] * len(keys)
    found = {key: shelved[key] for key in keys if key is not None and key in shelved}
    found.update(cache.get_many([key for key in keys if key is not None and key not in found]))
    cached = [found.get(key) if key is not None else None for key in keys]
    return [value if _is_composed(value) else None for value in cached]


def _is_composed(value: object) -> TypeGuard[Composed]:
    """Whether a value kept in the compose cache is what composing a seed gives (a cache written
    by other code is not trusted)."""
    return isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], list) and isinstance(value[1], list)


def _shelved(keys: Sequence[str | None], results: Sequence[Composed], fresh: Sequence[bool]) -> dict[str, object]:
    """What the cache gave or was given for each seed (its drafts lightened), by its key: kept
    together in one file, read whole and at once by the next build (the 20,000 rows of a large
    archive's light drafts took 1.3 s to find and unpickle from the cache, and half a second
    from one file, where strings many drafts share are read once).

    A seed composed now is keyed by its drafts' seed and digest, as the cache keeps it (the bytes
    composed may be newer than those its key was made from); one that made no drafts, or could
    not be read, is not kept.
    """
    shelved: dict[str, object] = {}
    for key, result, new in zip(keys, results, fresh, strict=True):
        drafts, notes = result
        if not new and key is not None:
            shelved[key] = result  # as the cache gave it: the shelf's own, or a row's
        elif drafts:
            story = drafts[0].story
            shelved[f"{story.seed}\0{story.seed_hash}"] = ([lightened(draft) for draft in drafts], notes)
    return shelved


def read_manifest(site: Path) -> dict[str, str] | None:
    """The previous build's story manifest (slug -> digest), to say what changed; None on a first build."""
    try:
        data = json.loads((site / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else None


#: seeds composed in one task, at most; what they made is kept in the cache in one transaction
#: (one a seed cost a cold build of 20,000 seeds a millisecond a seed, more with two processes
#: taking turns at the cache's file)
COMPOSE_CHUNK = 16
#: tasks per worker, at least, so that a few seeds are still shared out
TASKS_PER_WORKER = 4
#: what composing one seed gives: its drafts (None when it could not be read) and its notes
Composed = tuple[list[Draft] | None, list[Diagnostic]]


def _compose_chunk(
    jobs: Sequence[tuple[Path, Path, str]], rules: RuleSet, index: EntityIndex, cache: Store | None
) -> list[Composed]:
    """Compose some seeds, and keep what they made in the cache in one transaction."""
    kept: list[tuple[str, object]] | None = [] if cache is not None else None
    results = [_compose_one(*job, rules, index, kept=kept) for job in jobs]
    if cache is not None and kept:
        cache.put_many(kept)
    return results


def _compose_one(
    seeds: Path,
    path: Path,
    shown_as: str,
    rules: RuleSet,
    index: EntityIndex,
    *,
    kept: list[tuple[str, object]] | None,
) -> Composed:
    """Compose one seed; what the cache is to keep of it is added to `kept` (when there is a cache)."""
    try:
        article, notes = read_article(seeds, path, shown_as=shown_as)
    except ContentError as exc:
        return None, [exc.diagnostic]
    except OSError as exc:
        return None, [Diagnostic(shown_as, None, f"cannot read: {exc.strerror or exc}")]
    try:
        drafts = compose(article, rules, index)
        if kept is not None:  # keyed by the bytes it read: the seed is not read again for its key
            key = _named_key(article.path, path, article.digest)
            # the texts first: a cache that has a seed's light drafts has their texts
            kept.append((key + _TEXTS, {draft.story.part: text_of(draft.story) for draft in drafts}))
            kept.append((key, ([lightened(draft) for draft in drafts], notes)))
        return drafts, notes
    except RecursionError:
        return None, [*notes, Diagnostic(shown_as, None, "could not process: the page is nested too deeply")]
    except Exception as exc:  # a bug on one odd seed must not stop the other seeds' stories
        logger.debug("could not process %s", shown_as, exc_info=True)
        return None, [
            *notes,
            Diagnostic(
                shown_as, None, f"could not process ({type(exc).__name__}: {exc}); run with --debug for details"
            ),
        ]


_WORKER: dict[str, object] = {}


def _init_worker(index: EntityIndex, cache: Store | None) -> None:
    _WORKER["rules"] = load_rules()
    _WORKER["index"] = index
    _WORKER["cache"] = cache


def _compose_chunk_in_worker(jobs: Sequence[tuple[Path, Path, str]]) -> list[Composed]:
    rules, index, cache = _WORKER["rules"], _WORKER["index"], _WORKER["cache"]
    assert isinstance(rules, RuleSet) and isinstance(index, EntityIndex)
    assert cache is None or isinstance(cache, Store)
    return _compose_chunk(jobs, rules, index, cache)


def validate(content: Content, report: Report) -> list[Story]:
    """Check content/ as a whole: unique slugs, duplicate_of that points at a story."""
    report.diagnostics.extend(content.diagnostics)
    stories: list[Story] = []
    first: dict[str, str] = {}
    for file in content.files:
        if file.story is None:
            continue
        if file.story.slug in first:
            report.diagnostics.append(
                Diagnostic(
                    file.shown_as,
                    2,
                    f"slug: '{file.story.slug}' is already the slug of {first[file.story.slug]}; "
                    "give this story another slug",
                )
            )
            continue
        first[file.story.slug] = file.shown_as
        stories.append(file.story)
    slugs = set(first)
    for file in content.files:
        story = file.story
        if story is not None and story.duplicate_of is not None and story.duplicate_of not in slugs:
            report.diagnostics.append(
                Diagnostic(
                    file.shown_as, None, f"duplicate_of: no story has the slug '{story.duplicate_of}'", Severity.WARNING
                )
            )
    return stories


def build(config: Config, *, info: SiteInfo, leftovers: list[object] | None = None) -> Report:
    """The whole build: ingest the seeds, then render every story in content/ into the site.

    `leftovers`, where given, is handed what the build made and is done with, rather than let
    go: for a caller that exits without freeing it (cli.run). A build of 20,000 stories makes
    millions of objects, and freeing them one by one took three quarters of a second.
    """
    copying = start_spare(config.out, config.cache)  # while the stories are read and the pages planned
    try:
        return _build(config, info, copying, leftovers)
    finally:
        if copying is not None:
            copying.stop()  # the build failed before publishing, or published with it
        collector_released()


def _build(config: Config, info: SiteInfo, copying: SpareCopy | None, leftovers: list[object] | None) -> Report:
    report = Report()
    with collector_held():  # a large archive's stories and pages: long-lived, acyclic
        site_registry = read_site_registry(config, report)
        index = entity_index(config, site_registry)
        kept = kept_digests(config.cache)  # before ingest reads or writes a story file
        drafts, content, memo = _ingest(config, report, index, site_registry.text, leftovers)
        kept.confirm(memo.statuses())  # the files ingest wrote hold other stories than their kept digests' own
        plan = plan_build(config, report, info=info, drafts=drafts, content=content, registry=index.registry, kept=kept)
    progress = Progress("rendering", enabled=config.progress)
    bodies = body_store(config.cache)
    with settled_beside(memo, kept):
        published = write_site(
            plan.pages,
            plan.fingerprints,
            config.templates / "static",
            config.out,
            cache=config.cache,
            templates=config.templates,
            jobs=config.jobs,
            bodies=bodies,
            finisher=(
                indexing := Indexing(plan.shards, plan.entries, jobs=config.jobs, kept=search_path(config.cache))
            ),
            progress=progress,
            copying=copying,
        )
    progress.close()
    report.diagnostics.extend(indexing.diagnostics)
    # the kept tallies of lists the site no longer has are forgotten now and then
    sweep_when_grown(bodies, tallied_lists(plan), swept_path(config.cache), plan.fingerprints.stories)
    report.rendered, report.written = published.rendered, published.written
    report.pages = len(plan.pages)
    if leftovers is not None:
        leftovers.append((drafts, content, memo, kept, plan, indexing, bodies))
    return report


@contextlib.contextmanager
def settled_beside(memo: StatusMemo[Any], kept: KeptDigests) -> Iterator[None]:
    """Settle the memory of content/ in a thread while the site is published, and save it then
    (whatever happens): the story files this build wrote have settled by the time their pages
    are rendered, and are trusted by their status from the next build on (StatusMemo.settle);
    so are their stories' digests (KeptDigests.adopt)."""
    thread = threading.Thread(target=memo.settle, name="settle-content-memo")
    thread.start()
    try:
        yield
    finally:
        thread.join()
        kept.adopt(memo.trusted())
        kept.save()
        memo.save()


@dataclass(frozen=True, slots=True)
class BuildPlan:
    """What the site will be: its stories and terms, every page and how to tell it changed."""

    stories: list[Story]
    terms: dict[str, tuple[Term, ...]]
    pages: list[Page]  # sorted by output path
    fingerprints: Fingerprints
    shards: dict[int, list[str]]  # search shards (see plan_shards)
    entries: dict[str, str]  # per story page, what its search entry is made from


def tallied_lists(plan: BuildPlan) -> Iterator[Sequence[Story]]:
    """The lists the pages tally: the entities' and the archive's, as plan_site orders them
    (made only when a sweep asks for them)."""
    for group in plan.terms.values():
        for term in group:
            yield term.stories
    ordered = sorted(plan.stories, key=operator.attrgetter("sort_key"))
    yield ordered
    yield [story for story in ordered if story.duplicate_of is None]


def digests_of(
    content: Content, read: Sequence[Story], stories: Sequence[Story], kept: KeptDigests | None
) -> list[str]:
    """The digest of each story (see story_digests), those of story files unchanged since an
    earlier build as it kept them; `read` are the stories as content/ holds them and `stories`
    the same as the site shows them (canonical_stories made another story of those it renamed).

    The digests of stories as their files hold them are remembered; a renamed story is digested
    in every build (a story's digest is of its pickle, which the renaming changes).
    """
    if kept is None:
        return story_digests(stories)
    files = {id(file.story): file.location for file in content.files if file.story is not None}
    paths = [files[id(original)] if story is original else None for original, story in zip(read, stories, strict=True)]
    digests = [kept.digest(path) if path is not None else None for path in paths]
    missing = [number for number, digest in enumerate(digests) if digest is None]
    for number, made in zip(missing, story_digests([stories[number] for number in missing]), strict=True):
        digests[number] = made
    for path, digest in zip(paths, digests, strict=True):
        if path is not None and digest is not None:
            kept.remember(path, digest)
    return digests  # type: ignore[return-value] # each is made now


def plan_build(
    config: Config,
    report: Report,
    *,
    info: SiteInfo,
    drafts: Sequence[Draft],
    content: Content,
    registry: Registry,
    kept: KeptDigests | None = None,
) -> BuildPlan:
    """content/ -> the site's pages: stories with canonical names, terms, pages and fingerprints.

    `kept` are the story digests of earlier builds, where there are (see kept_digests).
    """
    valid = validate(content, report)
    shown = [pair for pair in zip(valid, canonical_stories(valid, registry), strict=True) if not pair[1].hidden]
    read, stories = [pair[0] for pair in shown], [pair[1] for pair in shown]
    report.stories = len(stories)
    digests = digests_of(content, read, stories, kept)
    found = all_terms(stories, registry, digests)  # each term with its stories' digests
    terms = found.terms
    report.diagnostics.extend(found.clashes)
    fingerprints = Fingerprints(
        page_salt(config.templates), stories, digests, (term for group in terms.values() for term in group)
    )
    previous = read_manifest(config.out)
    manifest = {story.slug: key[:MANIFEST_DIGEST] for story, key in zip(stories, digests, strict=True)}
    with reviewed_beside(stories, drafts, manifest, previous, jobs=config.jobs) as reviewed:
        shards = plan_shards([story.slug for story in stories if story.duplicate_of is None])
        plan = plan_site(stories, terms, info, search_shards=tuple(shards), mentions=found.mentions)
        entries = {story_path(story.slug): fingerprints.of_story(story) for story in stories}
        plan += review_pages(reviewed(), info)
    pages = sorted(plan, key=lambda page: page.output_path)
    clash = next((a for a, b in zip(pages, pages[1:], strict=False) if a.output_path == b.output_path), None)
    if clash is not None:
        raise ContentError(Diagnostic(clash.output_path, None, "two pages would be written to this path"))
    return BuildPlan(stories, terms, pages, fingerprints, shards, entries)


@contextlib.contextmanager
def reviewed_beside(
    stories: Sequence[Story],
    drafts: Sequence[Draft],
    manifest: dict[str, str],
    previous: dict[str, str] | None,
    *,
    jobs: int,
) -> Iterator[Callable[[], ReviewPage]]:
    """Work out the review page (review_context) in a forked process while this one plans the
    other pages (half a second each at 20,000 stories, on a second core); what is given waits
    for it. With one job, no fork or few stories, the review is worked out when asked for."""
    review = functools.partial(review_context, stories, drafts, manifest, previous)
    if jobs < 2 or not can_fork() or len(stories) < MIN_STORIES_REVIEWED_BESIDE:
        yield review
        return
    with beside(functools.partial(_reviewed, review)) as result:

        def done() -> ReviewPage:
            page, undated, duplicates = result()
            by_slug = {story.slug: story for story in stories}
            return replaced(
                page,
                undated=tuple(map(by_slug.__getitem__, undated)),
                duplicates=tuple(map(by_slug.__getitem__, duplicates)),
                manifest=manifest,
            )

        yield done


def _reviewed(review: Callable[[], ReviewPage]) -> tuple[ReviewPage, tuple[str, ...], tuple[str, ...]]:
    """The review, as reviewed_beside's process sends it back: its stories by their slugs (this
    process's stories are not the build's), without the manifest (the build has it)."""
    page = review()
    undated, duplicates = (tuple(story.slug for story in stories) for stories in (page.undated, page.duplicates))
    return replaced(page, undated=(), duplicates=(), manifest={}), undated, duplicates


#: the review is worked out beside the build from this many stories on (at 20,000, five
#: alternated rebuilds each way took 11.0 s with the fork and 12.1 s without, medians); a
#: small archive's review takes less time than a fork of the build costs
MIN_STORIES_REVIEWED_BESIDE = 5_000


def check(config: Config, *, review: bool = False) -> tuple[Report, list[ReviewItem]]:
    """Validate content/ only, as `build` would read it; write nothing.

    With `review`, also list every entity that discovery rather than the registry found.
    """
    report = Report()
    site_registry = load_site_registry(config, report)
    index = load_index(site_registry)
    content = load_content(config.content, config.content.as_posix())
    stories = canonical_stories(validate(content, report), index.registry)
    report.stories = len(stories)
    report.diagnostics.extend(all_terms(stories, index.registry).clashes)
    items: list[ReviewItem] = []
    if review:
        for file in content.files:
            if file.story is not None:
                text = file.path.read_text(encoding="utf-8")
                body_line = text[: text.find("\n---\n", 3) + 5].count("\n") + 1 + _leading_blank_lines(text)
                items += review_story(file.story, file.shown_as, body_line, index)
    return report, items


def _leading_blank_lines(text: str) -> int:
    body = text[text.find("\n---\n", 3) + 5 :]
    return len(body) - len(body.lstrip("\n"))


def explain(config: Config, seed_names: Iterable[str]) -> tuple[list[str], Report]:
    """Per seed, every line cleaning removed and the rule that removed it.

    The seeds are cleaned as a build cleans them, with what the whole seeds folder teaches
    (lines recurring across a site's articles).
    """
    report = Report()
    index = load_index(load_site_registry(config, report))
    rules = load_rules()
    drafts, _ = compose_all(config, discover_named(config.seeds), rules, index, report)
    drafts, _ = forget_recurring(drafts, copies_of(drafts), rules, index, functools.partial(reread, config.seeds))
    lines: list[str] = []
    for name in seed_names:
        seed = Path(name).relative_to(config.seeds).as_posix() if Path(name).is_relative_to(config.seeds) else name
        found = [draft for draft in drafts if draft.story.seed == seed]
        if not found:
            report.diagnostics.append(Diagnostic(name, None, f"no such seed in {config.seeds.as_posix()}/"))
            continue
        removed = found[0].trace.removed
        shown_as = (config.seeds / seed).as_posix()
        lines.append(f"{shown_as}: {len(removed)} removed, rule by rule:")
        lines.extend(f"{shown_as}:{r.line}: [{r.rule}] {r.text}" for r in removed)
    return lines, report


def default_jobs() -> int:
    """The cores this process may run on (at most 8): `--jobs` when not given."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(usable or 1, 8))
