"""The program of one extraction worker process, started by ``monitor.workers``.

Apart from the pool, and importing only the smallest standard modules: the
pool's module needs asyncio and subprocess, about 80 ms of CPU to import,
which every worker would pay at its start for nothing. What a job needs
(the extractor) is imported when its pickle is read.

On both pipes a message is a frame: its length (``FRAME``), then a pickle.
A job is a callable; its answer is ``(True, result)`` or ``(False, exception)``.

A worker runs ``NICENESS`` steps below its parent's priority. The parent's
event loop is the pass's one serial stage (it fetches, hands out the pages
and stores what comes back); whenever the workers took a core from it, they
soon sat waiting for pages it had not yet handed out. At equal priority the
loop waited for a core a third as long as it ran; ten steps below, a sixth,
and the edited benchmark pass took about 8% less time (median of ten
alternating runs). Whatever else the machine runs, and the web UI served
from the same loop, go before extraction too.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import sys
from typing import Any, NoReturn

FRAME = struct.Struct("!Q")
NICENESS = 10  # added to the parent's; the kernel caps the sum at 19


def run(jobs: int, answers: int) -> NoReturn:
    """``serve``, then exit at once.

    Tearing down an interpreter that loaded lxml and trafilatura took about
    50 ms of CPU, with nothing left to tidy: every answer is written, and
    a closing pool waits for its workers to exit.
    """
    serve(jobs, answers)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


def serve(jobs: int, answers: int) -> None:
    """Run each job read from ``jobs`` and write its answer to ``answers``, until the end of ``jobs``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:  # noqa: SIM105 - contextlib would be one more import at every worker's start
        os.nice(NICENESS)
    except OSError:  # a sandbox refusing it: the worker runs all the same
        pass
    while (payload := read_frame(jobs)) is not None:
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
