"""Extraction worker processes fed straight from the event loop.

Extraction is CPU work, so a pass of many checks hands it to one worker
process per core while the event loop keeps fetching. Not with
``concurrent.futures.ProcessPoolExecutor``: each ``submit`` wakes its manager
thread through a pipe and its feeder thread pickles the job, and those
threads take the GIL from the event loop every time. Measured on a pass of
2,000 checks, the loop sat 5 s in ``submit`` (2.6 ms a job, most of it
waiting for the GIL after the wake-up write), more than the fast path's whole
work. Here no thread but the loop's: each worker has a job pipe, which the
loop writes without ever blocking (what the pipe cannot take yet waits in
the pool's buffer and goes out when the loop sees the pipe writable), and an
answer pipe, which wakes the loop when an answer is there
(``loop.add_reader``).

Each worker is given up to ``depth`` jobs at once, so the next page is
already in its pipe when it finishes one. With one at a time a worker sat
idle after each answer until the loop, busy fetching, got round to reading
it and sending more: the edited benchmark pass took about 10% longer.

One plain ``python -c`` process is started, given every worker's two pipes,
not through ``multiprocessing``: its spawn start runs the parent's main
script again in each worker (for ``monitor check`` that is the whole CLI,
about half a second of CPU per worker, as long as the fast path spends on
1,000 pages) and starts a resource-tracker process besides. It runs
``monitor.worker_process.lead``: it imports the modules the jobs need
(``preload``) once, then forks the other workers, which start with them
loaded. ``start`` needs no event loop, so ``monitor check`` starts the
workers before it loads the fetcher and the checker itself: they import
the extractor on the other core meanwhile. The edited benchmark pass took
about a tenth less time (medians of alternating runs): before, the loop
sat idle for half a second while every worker imported the extractor.

The workers form a process group of their own, so a broken pool can stop
the forked ones, which are not our children. A worker that dies (killed,
out of memory) breaks the pool: ``BrokenWorkerPool`` for every job in
flight and after, and the caller carries on without it.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import pickle
import signal
import subprocess
import sys
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from monitor.worker_process import frame, read_frame

if TYPE_CHECKING:  # imported where a job is run: the launcher starts a pool before asyncio loads
    import asyncio

__all__ = [
    "POOL_MIN_JOBS",
    "BrokenWorkerPool",
    "WorkerPool",
    "cores",
    "discard_early",
    "pool_for",
    "start_early",
]

T = TypeVar("T")

DEPTH = 2  # jobs given to a worker at once: measured, 3 was no faster than 2
POOL_MIN_JOBS = 8  # a pass with this many jobs is worth starting worker processes for
# The lead's whole program: the parent's import path, then preload, fork and serve.
_BOOT = (
    "import json, sys; sys.path[:] = json.loads(sys.argv[1]); "
    "from monitor.worker_process import lead; lead(*map(json.loads, sys.argv[2:5]))"
)


def cores() -> int:
    """Cores this process may run on (the affinity mask, not the machine's total)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def pool_for(
    jobs: Iterable[T], preload: Sequence[str] = (), when_used: Sequence[str] = ()
) -> tuple[Iterator[T], WorkerPool | None]:
    """``jobs`` as they were, and a started pool of a worker per core if they are worth one.

    Worth one: at least ``POOL_MIN_JOBS`` of them, on two cores or more; else
    None (a thread does better than a process). Only the first few are
    taken to count, so ``jobs`` may be a stream of any length. A pool
    ``start_early`` started is taken when they are worth one, and stopped
    when they are not.
    """
    global _early
    upcoming = iter(jobs)
    first = list(itertools.islice(upcoming, POOL_MIN_JOBS))
    jobs_again = itertools.chain(first, upcoming)
    if len(first) < POOL_MIN_JOBS or (size := cores()) < 2:
        discard_early()
        return jobs_again, None
    pool, _early = _early, None
    if pool is None:
        pool = WorkerPool(size, preload=preload, when_used=when_used)
        pool.start()
    return jobs_again, pool


# The pool start_early started, until pool_for takes it (or discard_early stops it).
_early: WorkerPool | None = None


def start_early(modules: Sequence[str]) -> None:
    """Start a pool now that imports all of ``modules`` at once; the next ``pool_for`` takes it.

    For ``monitor check`` (``monitor.launch``), before the command line has
    loaded, when nobody yet knows whether the pass will be worth a pool. A
    pool that ``pool_for`` starts later lets its lead import the full
    extractor only at the first job, so a pass's first pages waited a third
    of a second for it with a core idle; started here, the lead imports it
    on the other core while this process loads, and has it ready by then.
    On a single core this does nothing, and a pool that cannot be started
    here (no process to be had) is left to ``pool_for``, which reports why.
    """
    global _early
    if _early is None and (size := cores()) >= 2:
        pool = WorkerPool(size, preload=modules)
        try:
            pool.start()
        except OSError:
            return
        _early = pool


def discard_early() -> None:
    """Stop the pool ``start_early`` started if no ``pool_for`` took it."""
    global _early
    pool, _early = _early, None
    if pool is not None:
        pool.discard()


class BrokenWorkerPool(Exception):
    """A worker process died: the pool takes no more jobs."""


@dataclass(eq=False)
class _Worker:
    jobs: int  # our end of its job pipe, written without blocking
    answers: int  # our end of its answer pipe (blocking: an answer is read whole)
    waiting: deque[asyncio.Future[Any]] = field(default_factory=deque)  # answers due, in order
    unsent: bytearray = field(default_factory=bytearray)  # jobs its pipe could not take yet


@dataclass
class _Job:
    payload: bytes
    future: asyncio.Future[Any]


class WorkerPool:
    """``size`` worker processes running picklable callables.

    They are started by ``start``, or else at the first job. ``preload``
    names modules every job needs, imported at the start; ``when_used``,
    modules some jobs need, imported at the first job. Both are imported
    once, before the workers after the first are forked.
    """

    def __init__(
        self,
        size: int,
        depth: int = DEPTH,
        preload: Sequence[str] = (),
        when_used: Sequence[str] = (),
    ) -> None:
        self.size = size
        self.depth = max(1, depth)
        self.preload = tuple(preload)
        self.when_used = tuple(when_used)
        self._workers: list[_Worker] = []
        self._lead: subprocess.Popen[bytes] | None = None
        self._queue: deque[_Job] = deque()  # jobs no worker has room for yet, in order
        self._loop: asyncio.AbstractEventLoop | None = None
        self._broken = False

    def start(self) -> None:
        """Start the lead worker now: it imports ``preload`` while the caller goes on."""
        if self._lead is not None:
            return
        # A new interpreter, not a fork of this process: forking a process that runs
        # threads and an event loop is unsafe.
        crew = []  # the workers' ends of their pipes: (jobs, answers)
        workers = []
        for _ in range(self.size):
            their_jobs, our_jobs = os.pipe()
            our_answers, their_answers = os.pipe()
            crew.append((their_jobs, their_answers))
            os.set_blocking(our_jobs, False)
            workers.append(_Worker(our_jobs, our_answers))
        try:
            self._lead = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    _BOOT,
                    *map(json.dumps, (sys.path, crew, self.preload, self.when_used)),
                ],
                pass_fds=[fd for pair in crew for fd in pair],
                stdin=subprocess.DEVNULL,
                process_group=0,
            )
        except BaseException:
            for worker in workers:
                os.close(worker.jobs)
                os.close(worker.answers)
            raise
        finally:
            for pair in crew:
                for fd in pair:
                    os.close(fd)
        self._workers = workers
        # A pool dropped without close() still stops its workers (and reaps them).
        weakref.finalize(self, _stop, self._workers, self._lead)

    async def run(self, work: Callable[[], T]) -> T:
        """``work()`` in a worker; its exception, if it raised one, is raised here."""
        if self._broken:
            raise BrokenWorkerPool("an extraction worker died")
        # A job that does not pickle fails alone, here.
        payload = pickle.dumps(work, pickle.HIGHEST_PROTOCOL)
        self.start()
        if self._loop is None:
            import asyncio

            self._loop = asyncio.get_running_loop()
            for worker in self._workers:
                self._loop.add_reader(worker.answers, self._answered, worker)
        future: asyncio.Future[T] = self._loop.create_future()
        self._queue.append(_Job(payload, future))
        self._dispatch()
        return await future

    def discard(self) -> None:
        """Stop the workers at once, imports and jobs unfinished: a pool nobody will use."""
        if self._lead is not None:
            _signal_crew(self._lead, signal.SIGTERM)
        self.close()

    def close(self) -> None:
        """Stop the workers: each finishes the jobs it was given, then exits."""
        workers, self._workers = self._workers, []
        lead, self._lead = self._lead, None
        for worker in workers:
            self._forget(worker)
        self._loop = None
        if lead is not None:
            _stop(workers, lead)

    def _dispatch(self) -> None:
        """Send queued jobs, in order, each to the least busy worker that has room."""
        while self._queue and not self._broken:
            worker = min(self._workers, key=lambda w: len(w.waiting))
            if len(worker.waiting) >= self.depth:
                return
            job = self._queue.popleft()
            if job.future.done():  # its caller was cancelled while it queued
                continue
            worker.waiting.append(job.future)
            self._send(worker, frame(job.payload))

    def _send(self, worker: _Worker, frame: bytes) -> None:
        if worker.unsent:  # earlier jobs are still waiting for room: keep the order
            worker.unsent += frame
            return
        written = self._write(worker, frame)
        if written is not None and written < len(frame):
            worker.unsent += frame[written:]
            assert self._loop is not None
            self._loop.add_writer(worker.jobs, self._flush, worker)

    def _flush(self, worker: _Worker) -> None:
        """The job pipe has room again: write what waited for it."""
        written = self._write(worker, worker.unsent)
        if written is None:
            return
        del worker.unsent[:written]
        if not worker.unsent and self._loop is not None:
            self._loop.remove_writer(worker.jobs)

    def _write(self, worker: _Worker, data: bytes | bytearray) -> int | None:
        """Bytes written (0 when the pipe is full); None when the worker is gone."""
        try:
            return os.write(worker.jobs, data)
        except BlockingIOError:
            return 0
        except OSError:  # its end of the pipe is closed: it died
            self._break()
            return None

    def _answered(self, worker: _Worker) -> None:
        """The worker's answer pipe is readable: its answer, or its end (it died)."""
        try:
            message = read_frame(worker.answers)
        except OSError:
            message = None
        if message is None:
            self._break()
            return
        try:
            ok, value = pickle.loads(message)
        except Exception as exc:  # e.g. an exception whose class needs more than its message
            why = (
                f"extraction worker: an answer that does not unpickle: {type(exc).__name__}: {exc}"
            )
            ok, value = False, RuntimeError(why)
        future = worker.waiting.popleft()
        if not future.done():
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)
        self._dispatch()

    def _break(self) -> None:
        if self._broken:
            return
        self._broken = True
        broken = BrokenWorkerPool("an extraction worker died")
        futures = [job.future for job in self._queue]
        self._queue.clear()
        for worker in self._workers:
            self._forget(worker)
            futures.extend(worker.waiting)
            worker.waiting.clear()
        if self._lead is not None:
            _signal_crew(self._lead, signal.SIGTERM)
        for future in futures:
            if not future.done():
                future.set_exception(broken)

    def _forget(self, worker: _Worker) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.remove_reader(worker.answers)
            if worker.unsent:
                self._loop.remove_writer(worker.jobs)


def _stop(workers: list[_Worker], lead: subprocess.Popen[bytes]) -> None:
    """Close each worker's job pipe (it exits when it reads the end) and wait for them all.

    The lead exits after the workers it forked, so waiting for it is waiting
    for every one.
    """
    for worker in workers:
        os.close(worker.jobs)
    try:
        lead.wait(timeout=10)
    except subprocess.TimeoutExpired:
        _signal_crew(lead, signal.SIGKILL)
        lead.wait()
    for worker in workers:
        os.close(worker.answers)
    workers.clear()  # the finalizer, holding this same list, has nothing left to stop


def _signal_crew(lead: subprocess.Popen[bytes], signal_number: int) -> None:
    """Signal the lead and the workers it forked: its process group."""
    with contextlib.suppress(ProcessLookupError):  # all gone already
        os.killpg(lead.pid, signal_number)
