"""Looking at the extraction workers from outside: their processes and what they loaded."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from functools import partial

from monitor.workers import WorkerPool


def children(pid: int) -> set[int]:
    """The processes ``pid`` started that are still there, from every one of its threads."""
    found: set[int] = set()
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as listed:
            found.update(int(child) for child in listed.read().split())
    return found


def _who_after(seconds: float) -> tuple[int, int, bool]:
    """This worker's pid, its parent's, and whether it has ``colorsys`` loaded, after a nap
    (so that jobs given at once go to different workers)."""
    time.sleep(seconds)
    return os.getpid(), os.getppid(), "colorsys" in sys.modules


async def both_workers(pool: WorkerPool) -> list[tuple[int, int, bool]]:
    """``_who_after`` from each of the two workers of ``pool``."""
    found = await asyncio.gather(*(pool.run(partial(_who_after, 0.3)) for _ in range(2)))
    assert len({pid for pid, _, _ in found}) == 2, found
    return found
