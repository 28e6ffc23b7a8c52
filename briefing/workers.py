"""Worker processes for the parallel stages: forked, sharing the parent's memory. An I/O edge.

Before forking, the parent's objects are frozen out of the garbage collector: otherwise a
worker's first collection walks every inherited object and writes to it, which copies the
parent's whole memory page by page (a cost paid in system time, and in memory).
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


@contextlib.contextmanager
def forked_pool(
    jobs: int, initializer: Callable[..., object] | None = None, initargs: tuple[Any, ...] = ()
) -> Iterator[ProcessPoolExecutor]:
    """A pool of `jobs` forked worker processes (where the system can fork)."""
    context = multiprocessing.get_context("fork") if can_fork() else None
    gc.collect()
    gc.freeze()
    try:
        with ProcessPoolExecutor(
            max_workers=jobs, mp_context=context, initializer=initializer, initargs=initargs
        ) as pool:
            yield pool
    finally:
        gc.unfreeze()
