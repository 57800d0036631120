"""The ``monitor`` console script: a check of the watchlist starts its workers first.

The command line's own imports (click, the store, the config, the checker:
about a quarter of a second of CPU) come before it reads its arguments, and
the extraction workers' imports (the fast path, trafilatura, htmldate, the
diff: about as long) came after them, at the pass's first job, while its
first fetched pages waited with a core idle. So for a ``check`` of the
watchlist this starts the workers before anything else loads, importing
everything at once on the other core (``workers.start_early``): by the time
the first page is fetched they are ready. Whether the pass is worth a pool
is still ``workers.pool_for``'s to say once the articles are read; a pool
it does not take is stopped at once, imports unfinished.

Only the arguments' shape is looked at here, before click parses them: a
wrong guess costs a pool stopped unused, never a wrong answer.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from monitor import workers

__all__ = ["checks_many", "main"]

_GROUP_OPTIONS_WITH_VALUES = frozenset(("--db", "--config"))


def checks_many(args: Sequence[str]) -> bool:
    """``args`` ask ``monitor check`` for the due articles, ``--all`` or many URLs."""
    rest = list(args)
    while rest and rest[0].startswith("-"):
        option = rest.pop(0)
        if option in _GROUP_OPTIONS_WITH_VALUES and rest:
            rest.pop(0)
    if not rest or rest[0] != "check":
        return False
    given = rest[1:]
    if "--help" in given or "-h" in given:
        return False
    urls = [arg for arg in given if not arg.startswith("-")]
    return not urls or len(urls) >= workers.POOL_MIN_JOBS


def main() -> None:
    args = sys.argv[1:]
    if checks_many(args):
        from monitor.memo import EVERY_JOB_NEEDS, SOME_JOBS_NEED

        workers.start_early((*EVERY_JOB_NEEDS, *SOME_JOBS_NEED))
    try:
        from monitor.cli import main as command_line

        command_line(args, prog_name="monitor")
    finally:
        workers.discard_early()
