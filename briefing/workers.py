"""Worker processes for the parallel stages: forked, sharing the parent's memory. An I/O edge.

Before forking, the parent's objects are frozen out of the garbage collector: otherwise a
worker's first collection walks every inherited object and writes to it, which copies the
parent's whole memory page by page (a cost paid in system time, and in memory).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar, cast

_T = TypeVar("_T")
_I = TypeVar("_I")
_R = TypeVar("_R")


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


@contextlib.contextmanager
def forked_pool(
    jobs: int, initializer: Callable[..., object] | None = None, initargs: tuple[Any, ...] = ()
) -> Iterator[ProcessPoolExecutor]:
    """A pool of `jobs` forked worker processes (where the system can fork)."""
    context = multiprocessing.get_context("fork") if can_fork() else None
    gc.freeze()  # no collection first: a full one walks every object of a large archive (0.4 s)
    try:
        with ProcessPoolExecutor(
            max_workers=jobs, mp_context=context, initializer=_started, initargs=(os.getpid(), initializer, initargs)
        ) as pool:
            yield pool
    finally:
        gc.unfreeze()


@contextlib.contextmanager
def beside(work: Callable[[], _T]) -> Iterator[Callable[[], _T]]:
    """Do some work in a forked process while this one goes on; what is given waits for its
    result. The work reads the parent's objects as they were at the fork (nothing is pickled
    but the result)."""
    with forked_pool(1, _hold_work, (work,)) as pool:
        started = pool.submit(_do_work)

        def result() -> _T:
            return cast(_T, started.result())  # the work's own result

        yield result


@contextlib.contextmanager
def sliced_beside(
    jobs: int, items: Sequence[_I], work: Callable[[Sequence[_I]], list[_R]], *, slices: int, at_least: int = 1
) -> Iterator[Callable[[], list[_R]]]:
    """Do some work on items, cut into about `slices` runs, in `jobs` forked processes while this
    one goes on; what is given waits for them and gives their results joined, in the items'
    order. The items and the work reach the processes by the fork: only the runs' bounds and
    their results are pickled.

    With one job, fewer than `at_least` items (starting processes would cost more) or no fork,
    the work is done in this process, all at once, when its result is asked for.
    """
    if jobs < 2 or len(items) < at_least or not can_fork():
        yield lambda: work(items)
        return
    size = max(1, -(-len(items) // slices))
    with forked_pool(jobs, _hold_slices, (items, work)) as pool:
        parts = [pool.submit(_do_slice, start, start + size) for start in range(0, len(items), size)]
        yield lambda: [result for part in parts for result in part.result()]


#: the items and the work of a process `sliced_beside` forked (set in that process only, as it starts)
_SLICED: list[tuple[Sequence[Any], Callable[[Sequence[Any]], list[Any]]]] = []


def _hold_slices(items: Sequence[Any], work: Callable[[Sequence[Any]], list[Any]]) -> None:
    _SLICED.append((items, work))


def _do_slice(start: int, end: int) -> list[Any]:
    items, work = _SLICED[-1]
    return work(items[start:end])


#: the work a process `beside` forked does (set in that process only, as it starts)
_WORK: list[Callable[[], object]] = []


def _hold_work(work: Callable[[], object]) -> None:
    _WORK.append(work)


def _do_work() -> object:
    return _WORK.pop()()


def _started(parent: int, initializer: Callable[..., object] | None, initargs: tuple[Any, ...]) -> None:
    """A worker's first steps: to end with the build that forked it, its own garbage collection
    on (the parent may have held it off while loading; a worker parses pages, whose trees are
    full of cycles), then `initializer`."""
    _end_with(parent)
    gc.enable()
    if initializer is not None:
        initializer(*initargs)


#: prctl(2): the signal a process is sent when the thread that forked it ends (Linux)
_PR_SET_PDEATHSIG = 1


def _end_with(parent: int) -> None:
    """Have the system end this worker when the build that forked it ends, even when the build
    was killed: a worker waits for work on a pipe the build shares with it, and waited forever
    (Linux only: elsewhere such a worker is left waiting, as before)."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the build ended before that was asked
        os._exit(1)


@contextlib.contextmanager
def collector_held() -> Iterator[None]:
    """Hold off the cycle collector while a stage makes many long-lived objects.

    Reading a large archive's caches makes hundreds of thousands of objects, and each full
    collection walks all of them again: it cost a third of a rebuild. They hold no cycles
    (frozen dataclasses of strings and tuples; reference counting frees them), so what
    survives is frozen: later collections skip it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def collector_released() -> None:
    """Give what collector_held froze back to the collector (`serve` builds again and again in
    one process: the objects of an earlier build must be freed when they become garbage)."""
    gc.unfreeze()
