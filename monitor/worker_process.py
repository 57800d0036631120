"""The program of the extraction worker processes, started by ``monitor.workers``.

Apart from the pool, and importing only the smallest standard modules: the
pool's module needs asyncio and subprocess, about 80 ms of CPU to import,
which every worker would pay at its start for nothing.

One interpreter is started, the *lead*: it imports what the jobs will need
(``preload``: the extractor, about 0.45 s of CPU), then forks a worker for
each other core, which starts with all of it loaded, and serves the first
pipes itself. Before, each worker was an interpreter of its own that
imported the extractor at its first job: a pass paid the imports once per
core, and the event loop, its pages handed out, sat idle for about half a
second while both workers imported at once. The lead is single-threaded
when it forks (no event loop, no threads), which is what makes forking
safe. A module that does not preload is left for the job that needs it to
import, and to report.

On both pipes a message is a frame: its length (``FRAME``), then a pickle.
A job is a callable; its answer is ``(True, result)`` or ``(False, exception)``.

The workers run ``NICENESS`` steps below their parent's priority. The parent's
event loop is the pass's one serial stage (it fetches, hands out the pages
and stores what comes back); whenever the workers took a core from it, they
soon sat waiting for pages it had not yet handed out. At equal priority the
loop waited for a core a third as long as it ran; ten steps below, a sixth,
and the edited benchmark pass took about 8% less time (median of ten
alternating runs). Whatever else the machine runs, and the web UI served
from the same loop, go before extraction too.
"""

from __future__ import annotations

import importlib
import os
import pickle
import signal
import struct
import sys
from typing import Any, NoReturn

FRAME = struct.Struct("!Q")
NICENESS = 10  # added to the parent's; the kernel caps the sum at 19


def lead(crew: list[tuple[int, int]], preload: list[str], when_used: list[str]) -> NoReturn:
    """Import ``preload``; at the first job import ``when_used`` and fork a worker for each
    pipe pair of ``crew`` but the first, which the lead serves itself.

    A pool that gets no job (every page of a pass answered 304) costs only
    ``preload``: the rest, and the other workers, wait for the first job.
    Exits once its own job pipe has ended and every worker it forked has
    exited, so the pool waits for the lead alone.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:  # noqa: SIM105 - contextlib would be one more import at every start
        os.nice(NICENESS)
    except OSError:  # a sandbox refusing it: the workers run all the same
        pass
    _import(preload)
    first = read_frame(crew[0][0])
    forked = []
    if first is not None:
        _import(when_used)
        forked = [_fork(crew, index) for index in range(1, len(crew))]
    serve(*crew[0], first=first)
    for pid in forked:
        if pid is not None:
            os.waitpid(pid, 0)
    _exit()


def _import(names: list[str]) -> None:
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # the job that needs it imports it again, and says why it fails
            continue


def _fork(crew: list[tuple[int, int]], index: int) -> int | None:
    """A worker serving ``crew[index]``; None when it could not be forked.

    The lead closes that pair either way, so a worker never forked is seen
    by the pool as one that died (its answer pipe ends) rather than waited
    for.
    """
    try:
        pid = os.fork()
    except OSError:
        pid = None
    if pid == 0:
        # The pipes the lead still holds (its own, and those of the workers it has
        # yet to fork) are not this worker's: a worker's pipes end when it dies only
        # if no other process holds them.
        for pair in (crew[0], *crew[index + 1 :]):
            _close(pair)
        run(*crew[index])
    _close(crew[index])
    return pid


def _close(pair: tuple[int, int]) -> None:
    for fd in pair:
        os.close(fd)


def run(jobs: int, answers: int) -> NoReturn:
    """``serve``, then exit at once."""
    serve(jobs, answers)
    _exit()


def _exit() -> NoReturn:
    """Exit without the interpreter's teardown.

    Tearing down an interpreter that loaded lxml and trafilatura took about
    50 ms of CPU, with nothing left to tidy: every answer is written, and
    a closing pool waits for its workers to exit.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def serve(jobs: int, answers: int, first: bytes | None = None) -> None:
    """Run each job read from ``jobs`` (after ``first``, if given) and write its answer to
    ``answers``, until the end of ``jobs``."""
    payload = first if first is not None else read_frame(jobs)
    while payload is not None:
        try:
            answer: tuple[bool, Any] = (True, pickle.loads(payload)())
        except Exception as exc:
            answer = (False, exc)
        try:
            message = pickle.dumps(answer, pickle.HIGHEST_PROTOCOL)
        except Exception as exc:  # an answer that does not pickle
            why = RuntimeError(f"extraction worker: {type(exc).__name__}: {exc}")
            message = pickle.dumps((False, why), pickle.HIGHEST_PROTOCOL)
        write_all(answers, frame(message))
        payload = read_frame(jobs)


def frame(payload: bytes) -> bytes:
    return FRAME.pack(len(payload)) + payload


def read_frame(fd: int) -> bytes | None:
    """The next message from a blocking ``fd``; None at the end of the pipe."""
    header = read_exactly(fd, FRAME.size)
    return read_exactly(fd, FRAME.unpack(header)[0]) if header is not None else None


def read_exactly(fd: int, size: int) -> bytes | None:
    """``size`` bytes from a blocking ``fd``; None at the end of the pipe."""
    chunks: list[bytes] = []
    while size:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def write_all(fd: int, data: bytes) -> None:
    """All of ``data`` to a blocking ``fd``."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
