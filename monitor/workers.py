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

Workers are started as plain ``python -c`` processes given the two pipes,
not through ``multiprocessing``: its spawn start runs the parent's main
script again in each worker (for ``monitor check`` that is the whole CLI,
about half a second of CPU per worker, as long as the fast path spends on
1,000 pages) and starts a resource-tracker process besides.

A worker runs ``monitor.worker_process``, which imports next to nothing.
A worker that dies (killed, out of memory) breaks the pool:
``BrokenWorkerPool`` for every job in flight and after, and the caller
carries on without it.
"""

from __future__ import annotations

import asyncio
import json
import os
import pickle
import subprocess
import sys
import weakref
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from monitor.worker_process import frame, read_frame

__all__ = ["BrokenWorkerPool", "WorkerPool"]

T = TypeVar("T")

DEPTH = 2  # jobs given to a worker at once: measured, 3 was no faster than 2
# A worker's whole program: the parent's import path, then serve the two pipes.
_BOOT = (
    "import json, sys; sys.path[:] = json.loads(sys.argv[1]); "
    "from monitor.worker_process import run; run(int(sys.argv[2]), int(sys.argv[3]))"
)


class BrokenWorkerPool(Exception):
    """A worker process died: the pool takes no more jobs."""


@dataclass(eq=False)
class _Worker:
    process: subprocess.Popen[bytes]
    jobs: int  # our end of its job pipe, written without blocking
    answers: int  # our end of its answer pipe (blocking: an answer is read whole)
    waiting: deque[asyncio.Future[Any]] = field(default_factory=deque)  # answers due, in order
    unsent: bytearray = field(default_factory=bytearray)  # jobs its pipe could not take yet


@dataclass
class _Job:
    payload: bytes
    future: asyncio.Future[Any]


class WorkerPool:
    """``size`` worker processes (spawned at the first job) running picklable callables."""

    def __init__(self, size: int, depth: int = DEPTH) -> None:
        self.size = size
        self.depth = max(1, depth)
        self._workers: list[_Worker] = []
        self._queue: deque[_Job] = deque()  # jobs no worker has room for yet, in order
        self._loop: asyncio.AbstractEventLoop | None = None
        self._broken = False

    async def run(self, work: Callable[[], T]) -> T:
        """``work()`` in a worker; its exception, if it raised one, is raised here."""
        if self._broken:
            raise BrokenWorkerPool("an extraction worker died")
        # A job that does not pickle fails alone, here.
        payload = pickle.dumps(work, pickle.HIGHEST_PROTOCOL)
        if not self._workers:
            self._start()
        assert self._loop is not None
        future: asyncio.Future[T] = self._loop.create_future()
        self._queue.append(_Job(payload, future))
        self._dispatch()
        return await future

    def close(self) -> None:
        """Stop the workers: each finishes the jobs it was given, then exits."""
        workers, self._workers = self._workers, []
        for worker in workers:
            self._forget(worker)
        _stop(workers)

    def _start(self) -> None:
        # A new interpreter, not fork: forking a process that runs threads and an
        # event loop is unsafe.
        self._loop = asyncio.get_running_loop()
        path = json.dumps(sys.path)
        for _ in range(self.size):
            their_jobs, our_jobs = os.pipe()
            our_answers, their_answers = os.pipe()
            process = subprocess.Popen(
                [sys.executable, "-c", _BOOT, path, str(their_jobs), str(their_answers)],
                pass_fds=(their_jobs, their_answers),
                stdin=subprocess.DEVNULL,
            )
            os.close(their_jobs)
            os.close(their_answers)
            os.set_blocking(our_jobs, False)
            worker = _Worker(process, our_jobs, our_answers)
            self._loop.add_reader(our_answers, self._answered, worker)
            self._workers.append(worker)
        # A pool dropped without close() still stops its workers (and reaps them).
        weakref.finalize(self, _stop, self._workers)

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
            worker.process.terminate()
        for future in futures:
            if not future.done():
                future.set_exception(broken)

    def _forget(self, worker: _Worker) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.remove_reader(worker.answers)
            if worker.unsent:
                self._loop.remove_writer(worker.jobs)


def _stop(workers: list[_Worker]) -> None:
    """Close each worker's job pipe (it exits when it reads the end) and wait for it."""
    for worker in workers:
        os.close(worker.jobs)
    for worker in workers:
        try:
            worker.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.process.kill()
            worker.process.wait()
        os.close(worker.answers)
    workers.clear()  # the finalizer, holding this same list, has nothing left to stop
