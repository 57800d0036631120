"""Extraction worker processes fed straight from the event loop.

Extraction is CPU work, so a pass of many checks hands it to one worker
process per core while the event loop keeps fetching. Not with
``concurrent.futures.ProcessPoolExecutor``: each ``submit`` wakes its manager
thread through a pipe and its feeder thread pickles the job, and those
threads take the GIL from the event loop every time. Measured on a pass of
2,000 checks, the loop sat 5 s in ``submit`` (2.6 ms a job, most of it
waiting for the GIL after the wake-up write), more than the fast path's whole
work. Here each worker has one pipe; the loop writes a job only to an idle
worker (which is reading, so the write does not wait) and is woken by the
pipe when the answer is there (``loop.add_reader``). No thread but the loop's.

A worker that dies (killed, out of memory) breaks the pool:
``BrokenProcessPool`` for every job in flight and after, and the caller
carries on without it.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import signal
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

__all__ = ["WorkerPool"]

T = TypeVar("T")


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    conn: Connection
    waiting: asyncio.Future[Any] | None = None


class WorkerPool:
    """``size`` worker processes (spawned at the first job) running picklable callables."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._workers: list[_Worker] = []
        self._idle: asyncio.Queue[_Worker] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._broken = False

    async def run(self, work: Callable[[], T]) -> T:
        """``work()`` in an idle worker; its exception, if it raised one, is raised here."""
        if self._broken:
            raise BrokenProcessPool("an extraction worker died")
        if self._idle is None:
            self._start()
        assert self._idle is not None and self._loop is not None
        worker = await self._idle.get()
        if self._broken:
            self._idle.put_nowait(worker)  # on to the next job waiting: it fails the same way
            raise BrokenProcessPool("an extraction worker died")
        future: asyncio.Future[T] = self._loop.create_future()
        worker.waiting = future
        try:
            worker.conn.send(work)  # pickled whole before anything is written
        except OSError as exc:  # its end of the pipe is closed: it died
            self._break()
            raise BrokenProcessPool("an extraction worker died") from exc
        except BaseException:  # the job does not pickle: the worker never saw it
            worker.waiting = None
            self._idle.put_nowait(worker)
            raise
        return await future

    def close(self) -> None:
        """Stop the workers: each finishes its job, then exits."""
        workers, self._workers = self._workers, []
        for worker in workers:
            self._forget(worker)
            with contextlib.suppress(OSError):  # already gone
                worker.conn.send(None)
        for worker in workers:
            worker.process.join(timeout=10)
            if worker.process.is_alive():
                worker.process.terminate()
            worker.conn.close()

    def _start(self) -> None:
        # spawn, not fork: forking a process that runs threads and an event loop is unsafe.
        ctx = multiprocessing.get_context("spawn")
        self._loop = asyncio.get_running_loop()
        self._idle = asyncio.Queue()
        for _ in range(self.size):
            ours, theirs = ctx.Pipe()
            process = ctx.Process(target=_serve, args=(theirs,), daemon=True)
            process.start()
            theirs.close()
            worker = _Worker(process, ours)
            self._loop.add_reader(ours.fileno(), self._answered, worker)
            self._workers.append(worker)
            self._idle.put_nowait(worker)

    def _answered(self, worker: _Worker) -> None:
        """The worker's pipe is readable: its answer, or its end (it died)."""
        try:
            ok, value = worker.conn.recv()
        except (EOFError, OSError):
            self._break()
            return
        future, worker.waiting = worker.waiting, None
        assert self._idle is not None
        self._idle.put_nowait(worker)
        if future is not None and not future.done():
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)

    def _break(self) -> None:
        self._broken = True
        for worker in self._workers:
            self._forget(worker)
            if worker.waiting is not None and not worker.waiting.done():
                worker.waiting.set_exception(BrokenProcessPool("an extraction worker died"))
            worker.process.terminate()
        if self._idle is not None and self._workers:
            self._idle.put_nowait(self._workers[0])  # wakes the jobs waiting for a worker, in turn

    def _forget(self, worker: _Worker) -> None:
        if self._loop is not None and not self._loop.is_closed():
            self._loop.remove_reader(worker.conn.fileno())


def _serve(conn: Connection) -> None:
    """A worker: run each job received, send back (True, result) or (False, exception)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    while True:
        try:
            work = conn.recv()
        except EOFError:
            return
        if work is None:
            return
        try:
            answer: tuple[bool, Any] = (True, work())
        except Exception as exc:
            answer = (False, exc)
        try:
            conn.send(answer)
        except Exception as exc:  # an answer that does not pickle
            conn.send((False, RuntimeError(f"extraction worker: {type(exc).__name__}: {exc}")))
