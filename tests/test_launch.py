"""The console script: a check of the watchlist starts its extraction workers before loading."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor import workers
from monitor.launch import checks_many
from monitor.models import utc_now
from monitor.store import Store
from monitor.urls import outlet_of
from tests.pageserver import PageServer
from tests.processes import both_workers, children
from tests.samples import PARAGRAPHS, page

MANY = [f"https://example.com/{n}.html" for n in range(workers.POOL_MIN_JOBS)]


@pytest.mark.parametrize(
    "args",
    [
        ["check"],
        ["check", "--all", "--json"],
        ["--db", "x.db", "--config", "c.toml", "check", "--all"],
        ["--db=x.db", "check"],
        ["check", *MANY],
    ],
)
def test_a_check_of_the_watchlist_or_of_many_urls_starts_workers_early(args: list[str]) -> None:
    assert checks_many(args)


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--version"],
        ["list"],
        ["--db", "check", "list"],  # "check" is the database's name here
        ["check", "https://example.com/one.html"],
        ["check", *MANY[1:]],
        ["check", "--help"],
        ["check", "-h", "--all"],
        ["add", *MANY],
    ],
)
def test_other_commands_and_a_few_urls_start_none(args: list[str]) -> None:
    assert not checks_many(args)


@pytest.fixture
def early() -> Iterator[None]:
    try:
        yield
    finally:
        workers.discard_early()


def test_a_pass_worth_a_pool_takes_the_one_started_early(early: None) -> None:
    before = children(os.getpid())
    workers.start_early(("colorsys",))
    (lead,) = children(os.getpid()) - before
    upcoming, pool = workers.pool_for(range(workers.POOL_MIN_JOBS + 3))
    assert pool is not None
    try:
        assert list(upcoming) == list(range(workers.POOL_MIN_JOBS + 3))
        assert children(os.getpid()) - before == {lead}  # no second pool was started

        # nothing in a job imports colorsys: the early pool's preload did
        assert all(loaded for _, _, loaded in asyncio.run(both_workers(pool)))
        _, second = workers.pool_for(range(workers.POOL_MIN_JOBS))
        assert second is not None and second is not pool  # taken once only
        second.close()
    finally:
        pool.close()
    assert children(os.getpid()) - before == set()


def test_a_pool_started_early_that_no_pass_takes_is_stopped_without_finishing_its_imports(
    early: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``monitor check`` with nothing due does not wait for the extractor to load."""
    marker = tmp_path / "imported"
    (tmp_path / "slow_to_import.py").write_text(
        f"import time, pathlib\ntime.sleep(60)\npathlib.Path({str(marker)!r}).touch()\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))  # the lead is given this process's sys.path
    before = children(os.getpid())
    workers.start_early(("slow_to_import",))
    assert len(children(os.getpid()) - before) == 1
    upcoming, pool = workers.pool_for(range(2))
    assert pool is None and list(upcoming) == [0, 1]
    assert children(os.getpid()) - before == set()  # stopped and reaped
    assert not marker.exists()  # before its import ended


def test_discarding_what_was_never_started_does_nothing(early: None) -> None:
    before = children(os.getpid())
    workers.discard_early()
    assert children(os.getpid()) == before


def _launch(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MONITOR_ALLOW_PRIVATE_HOSTS": "1"}
    env.pop("MONITOR_CONFIG", None)
    return subprocess.run(
        [sys.executable, "-c", "from monitor.launch import main; main()", "--db", str(db), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_the_console_script_checks_a_watchlist_then_finds_nothing_due(
    server: PageServer, tmp_path: Path
) -> None:
    db = tmp_path / "monitor.db"
    urls = [server.url(f"/news/{n}.html") for n in range(workers.POOL_MIN_JOBS + 2)]
    with Store(db) as store:
        for n, url in enumerate(urls):
            server.set(f"/news/{n}.html", page([f"Story {n} opens here.", *PARAGRAPHS], noise=n))
            store.add_article(url, outlet_of(url), now=utc_now())
    done = _launch(db, "check", "--all", "--json")
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)["results"]
    assert [(r["url"], r["outcome"]) for r in results] == [(url, "new") for url in urls]

    nothing_due = _launch(db, "check", "--json")  # every article was just checked
    assert nothing_due.returncode == 0, nothing_due.stderr
    assert json.loads(nothing_due.stdout)["results"] == []


def test_the_console_script_reports_bad_usage_after_starting_workers(tmp_path: Path) -> None:
    done = _launch(tmp_path / "monitor.db", "check", "--no-such-option")
    assert done.returncode == 2
    assert "no-such-option" in done.stderr


def test_a_pool_that_cannot_start_early_is_left_to_the_pass(
    early: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No traceback before the command line has loaded: the pass reports it as before."""
    before = children(os.getpid())
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")
    workers.start_early(("colorsys",))  # raises nothing
    assert children(os.getpid()) == before
    upcoming, pool = workers.pool_for(range(2))  # too few for a pool: nothing to start
    assert pool is None and list(upcoming) == [0, 1]
    with pytest.raises(OSError):
        workers.pool_for(range(workers.POOL_MIN_JOBS))
