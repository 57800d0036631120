"""The extraction worker processes: answers, errors, a dead worker, and a loop that keeps going."""

from __future__ import annotations

import asyncio
import gc
import os
import sys
import time
from functools import partial

import pytest

from monitor.worker_process import NICENESS
from monitor.workers import BrokenWorkerPool, WorkerPool
from tests.processes import both_workers, children

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # the pool wakes on the asyncio loop's pipe readers


async def test_jobs_run_in_other_processes_and_their_errors_come_back() -> None:
    pool = WorkerPool(2)
    try:
        pids = await asyncio.gather(*(pool.run(os.getpid) for _ in range(6)))
        assert os.getpid() not in pids and 1 <= len(set(pids)) <= 2
        with pytest.raises(ZeroDivisionError):
            await pool.run(partial(divmod, 1, 0))
        assert await pool.run(partial(divmod, 7, 2)) == (3, 1)  # the worker carries on
    finally:
        pool.close()


async def test_the_event_loop_runs_while_a_worker_works() -> None:
    pool = WorkerPool(1)
    try:
        await pool.run(os.getpid)  # started
        finished: list[str] = []

        async def job() -> None:
            await pool.run(partial(time.sleep, 0.5))
            finished.append("job")

        async def loop_work() -> None:
            for _ in range(100):
                await asyncio.sleep(0)
            finished.append("loop")

        await asyncio.gather(job(), loop_work())
        assert finished == ["loop", "job"]
    finally:
        pool.close()


async def test_a_job_that_does_not_pickle_fails_alone() -> None:
    pool = WorkerPool(1)
    try:
        with pytest.raises(Exception, match="pickle"):
            await pool.run(lambda: 1)
        assert await pool.run(partial(divmod, 7, 2)) == (3, 1)
    finally:
        pool.close()


class _NeedsHost(Exception):
    """Pickles, but does not unpickle: pickle rebuilds an exception from its message alone."""

    def __init__(self, message: str, *, host: str) -> None:
        super().__init__(message)
        self.host = host


def _refuse() -> None:
    raise _NeedsHost("refused", host="example.org")


async def test_an_answer_that_does_not_unpickle_fails_its_job_alone() -> None:
    pool = WorkerPool(1)
    try:
        with pytest.raises(RuntimeError, match="does not unpickle"):
            await asyncio.wait_for(pool.run(_refuse), timeout=30)  # not left waiting forever
        assert await pool.run(partial(divmod, 7, 2)) == (3, 1)
    finally:
        pool.close()


async def test_a_dead_worker_breaks_the_pool_for_every_job() -> None:
    pool = WorkerPool(1)
    try:
        jobs = [pool.run(partial(os._exit, 1)), *(pool.run(os.getpid) for _ in range(3))]
        outcomes = await asyncio.gather(*jobs, return_exceptions=True)
        assert all(isinstance(o, BrokenWorkerPool) for o in outcomes), outcomes
        with pytest.raises(BrokenWorkerPool):
            await pool.run(os.getpid)
    finally:
        pool.close()


async def test_each_answer_reaches_its_own_caller_with_jobs_queued_in_every_worker() -> None:
    pool = WorkerPool(2, depth=3)
    try:
        answers = await asyncio.gather(*(pool.run(partial(divmod, n, 7)) for n in range(60)))
        assert answers == [divmod(n, 7) for n in range(60)]
    finally:
        pool.close()


async def test_a_job_bigger_than_the_pipe_waits_without_blocking_the_loop() -> None:
    """A busy worker's pipe fills up; the rest of the job goes out when it reads, the loop runs on."""
    pool = WorkerPool(1)
    try:
        await pool.run(os.getpid)  # started
        big = b"x" * (4 << 20)  # far more than a pipe holds
        finished: list[str] = []

        async def busy() -> None:
            await pool.run(partial(time.sleep, 0.5))
            finished.append("busy")

        async def loop_work() -> None:
            for _ in range(100):
                await asyncio.sleep(0)
            finished.append("loop")

        # The big jobs are handed over while the worker sleeps: a write that waited
        # for it to read would hold the loop until after its first answer.
        sizes = await asyncio.gather(
            busy(), *(pool.run(partial(len, big)) for _ in range(3)), loop_work()
        )
        assert sizes[1:4] == [len(big)] * 3
        assert finished == ["loop", "busy"]
    finally:
        pool.close()


async def test_a_cancelled_caller_does_not_take_another_callers_answer() -> None:
    pool = WorkerPool(1, depth=1)
    try:
        await pool.run(os.getpid)
        slow = asyncio.ensure_future(pool.run(partial(time.sleep, 0.3)))
        queued = asyncio.ensure_future(pool.run(partial(divmod, 9, 2)))
        await asyncio.sleep(0.05)
        queued.cancel()  # still queued behind the slow job: it is never sent
        after = pool.run(partial(divmod, 7, 2))
        assert await after == (3, 1) and await slow is None
        assert queued.cancelled()
    finally:
        pool.close()


def _main_script() -> str | None:
    return getattr(sys.modules["__main__"], "__file__", None)


async def test_a_worker_does_not_run_the_parents_main_script_again() -> None:
    """multiprocessing's spawn would import the whole CLI again in each worker."""
    pool = WorkerPool(1)
    try:
        assert _main_script() is not None  # pytest's
        assert await pool.run(_main_script) is None
        assert await pool.run(partial(os.getppid)) == os.getpid()
    finally:
        pool.close()


async def test_workers_run_below_the_event_loops_priority() -> None:
    """So they never take a core from the loop that feeds them (monitor.worker_process)."""
    pool = WorkerPool(2)
    try:
        ours = os.nice(0)
        theirs = await asyncio.gather(*(pool.run(partial(os.nice, 0)) for _ in range(4)))
        assert set(theirs) == {min(19, ours + NICENESS)}
    finally:
        pool.close()


def _print(text: str) -> None:
    print(text)  # stays in the buffer of a worker's stdout, a pipe, until flushed


async def test_what_a_worker_printed_is_not_lost_when_it_exits(
    capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker leaves without the interpreter's teardown, which would flush its output."""
    monkeypatch.delenv("PYTHONUNBUFFERED", raising=False)
    pool = WorkerPool(1)
    try:
        await pool.run(partial(_print, "a line from a worker"))
    finally:
        pool.close()  # waits for the worker to exit
    assert "a line from a worker" in capfd.readouterr().out


def test_the_workers_are_forked_from_a_lead_that_loaded_their_modules() -> None:
    """One interpreter imports what the jobs need, then forks the others (monitor.worker_process)."""
    plain = WorkerPool(2)
    try:  # no job imports colorsys, so a worker has it only from its lead
        assert not any(loaded for _, _, loaded in asyncio.run(both_workers(plain)))
    finally:
        plain.close()
    for modules in ({"preload": ("colorsys",)}, {"when_used": ("colorsys",)}):
        pool = WorkerPool(2, **modules)
        pool.start()  # before any event loop: monitor check starts it before loading the checker
        try:
            found = asyncio.run(both_workers(pool))
        finally:
            pool.close()
        assert all(loaded for _, _, loaded in found), modules
        lead = next(pid for pid, parent, _ in found if parent == os.getpid())
        assert [parent for pid, parent, _ in found if pid != lead] == [lead]
        assert all(_gone(pid) for pid, _, _ in found)


def _wait_until_reading_its_pipe(pid: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with open(f"/proc/{pid}/wchan") as wchan:
            if "pipe_read" in wchan.read():
                return
        time.sleep(0.01)
    raise AssertionError(f"process {pid} never waited on its pipe")


def test_a_pool_given_no_job_forks_no_worker() -> None:
    """A 304 pass extracts nothing: its pool costs the lead and its preload alone."""
    before = children(os.getpid())
    pool = WorkerPool(2, when_used=("colorsys",))
    pool.start()
    try:
        (lead,) = children(os.getpid()) - before
        _wait_until_reading_its_pipe(lead)  # its imports done: it would have forked by now
        assert children(lead) == set()
    finally:
        pool.close()
    assert _gone(lead)


async def test_a_module_that_does_not_load_is_left_to_the_jobs() -> None:
    pool = WorkerPool(2, preload=("monitor_no_such_module",), when_used=("colorsys", "no_such"))
    try:
        assert all(loaded for _, _, loaded in await both_workers(pool))
    finally:
        pool.close()


def _die_unless_child_of(parent: int) -> None:
    if os.getppid() != parent:
        os._exit(1)
    time.sleep(0.5)


async def test_a_forked_worker_that_dies_breaks_the_pool_and_the_lead_is_stopped() -> None:
    pool = WorkerPool(2)
    try:
        pids = {pid for pid, _, _ in await both_workers(pool)}
        jobs = [pool.run(partial(_die_unless_child_of, os.getpid())) for _ in range(2)]
        outcomes = await asyncio.gather(*jobs, return_exceptions=True)
        assert all(isinstance(o, BrokenWorkerPool) for o in outcomes), outcomes
    finally:
        pool.close()
    assert all(_gone(pid) for pid in pids)


def _gone(pid: int) -> bool:
    """Exited: no such process, or a zombie left for init to reap (a dead lead's worker)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rpartition(")")[2].split()[0] == "Z"


def test_a_pool_dropped_without_closing_still_stops_its_workers() -> None:
    async def forget_to_close() -> set[int]:
        return {pid for pid, _, _ in await both_workers(WorkerPool(2))}

    pids = asyncio.run(forget_to_close())  # its loop closed: nothing refers to the pool
    gc.collect()
    for pid in pids:
        with pytest.raises(ProcessLookupError):  # exited and reaped
            os.kill(pid, 0)
