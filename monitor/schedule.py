"""The unattended service: APScheduler jobs that check due articles, send alerts, keep house.

The schedule itself lives in the database (``articles.next_check_at``): one
interval job looks for whatever is due and checks it, in batches, so a
restart resumes exactly where the last run stopped, nothing is held only in
memory, and memory does not grow with the watchlist. Stopping (SIGINT or
SIGTERM) cancels in-flight checks before their single write, so an
interrupted article simply stays due.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import signal
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from monitor.checker import Checker, Clock, utc_now
from monitor.config import Settings
from monitor.feeds import PollResult, poll_due_feeds
from monitor.fetch import Fetcher
from monitor.models import CheckResult
from monitor.notify import deliver_pending
from monitor.store import Store

log = logging.getLogger("monitor.schedule")

ResultHook = Callable[[CheckResult], None]


class Service:
    """Checks due articles on every tick until stopped."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        fetcher: Fetcher,
        *,
        clock: Clock = utc_now,
        rng: random.Random | None = None,
        on_result: ResultHook | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.checker = Checker(store, settings, fetcher, clock=clock, rng=rng)
        self.on_result = on_result
        self.last_tick: datetime | None = None
        self._in_flight: set[asyncio.Future[Any]] = set()  # checks and feed polls
        self._delivering: set[asyncio.Task[Any]] = set()  # finished, never cancelled, at stop
        self._stopping = asyncio.Event()

    async def dispatch_due(self) -> list[CheckResult]:
        """Check everything due now, a batch at a time, until nothing is due or we stop."""
        self.last_tick = self.clock()
        results: list[CheckResult] = []
        batch = max(1, self.settings.schedule.batch)
        while not self._stopping.is_set():
            due = self.store.due_articles(self.clock(), limit=batch)
            if not due:
                break
            done = await self._tracked(self.checker.check_many(due))
            for result in done:
                if self.on_result is not None:
                    self.on_result(result)
            results.extend(done)
            self.last_tick = self.clock()  # still alive: a long pass must not look stalled
            if len(due) < batch:
                break
        return results

    def prune(self) -> int:
        """Drop old uneventful check rows; versions and eventful checks are kept forever."""
        cutoff = self.clock() - timedelta(days=self.settings.schedule.keep_checks_days)
        removed = self.store.prune_checks(cutoff)
        log.info("pruned %d check rows older than %s", removed, cutoff.isoformat())
        if self.settings.archive.keep_raw_days > 0:
            raw_cutoff = self.clock() - timedelta(days=self.settings.archive.keep_raw_days)
            dropped = self.store.prune_raw(raw_cutoff)
            log.info("dropped %d raw responses older than %s", dropped, raw_cutoff.isoformat())
        return removed

    async def _tracked(self, work: Awaitable[list[CheckResult]]) -> list[CheckResult]:
        task = asyncio.ensure_future(work)
        self._in_flight.add(task)
        try:
            return await task
        finally:
            self._in_flight.discard(task)

    def stop(self) -> None:
        """Ask the service to stop: no new checks start, in-flight ones are cancelled."""
        self._stopping.set()
        for task in list(self._in_flight):
            task.cancel()

    async def run(self) -> None:
        """Run the jobs until ``stop`` is called (or SIGINT/SIGTERM arrives)."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, self.stop)
        scheduler = AsyncIOScheduler(event_loop=loop, timezone="UTC")
        scheduler.add_job(
            self._dispatch_job,
            "interval",
            seconds=self.settings.schedule.tick,
            next_run_time=self.clock(),
            max_instances=1,
            coalesce=True,
            id="dispatch",
        )
        scheduler.add_job(
            self._deliver_job,
            "interval",
            seconds=self.settings.schedule.tick,
            next_run_time=self.clock(),
            max_instances=1,
            coalesce=True,
            id="deliver",
        )
        scheduler.add_job(
            self._feeds_job,
            "interval",
            seconds=self.settings.schedule.tick,  # each feed's own feeds.interval is in the db
            next_run_time=self.clock(),
            max_instances=1,
            coalesce=True,
            id="feeds",
        )
        scheduler.add_job(self.prune, "cron", hour=3, minute=17, id="prune")
        scheduler.start()
        log.info("running; SIGINT or SIGTERM stops it cleanly")
        try:
            await self._stopping.wait()
        finally:
            scheduler.pause()
            for task in list(self._in_flight):
                task.cancel()
            for task in list(self._in_flight):
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            if self._delivering:  # the alert being sent is finished and marked (shutdown
                # would cancel it), so a restart neither resends it nor gives it up
                await asyncio.wait(self._delivering, timeout=self.settings.notify.timeout + 5)
            scheduler.shutdown(wait=False)
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError, RuntimeError):
                    loop.remove_signal_handler(sig)
            self.checker.close()

    async def _deliver_job(self) -> None:
        """Send due alerts (digests included: their rows fall due at the digest time)."""
        task = asyncio.current_task()
        if task is not None:
            self._delivering.add(task)
        try:
            await deliver_pending(self.store, self.settings, self.clock(), stopping=self._stopping)
        except Exception:  # a channel failure must not stop the service
            log.exception("alert delivery failed; will retry on the next tick")
        finally:
            if task is not None:
                self._delivering.discard(task)

    async def _dispatch_job(self) -> None:
        try:
            await self.dispatch_due()
        except asyncio.CancelledError:
            log.info("dispatch cancelled by stop")
        except Exception:  # a bad batch must not stop the service
            log.exception("dispatch failed; will retry on the next tick")

    async def poll_feeds(self) -> list[PollResult]:
        """Poll the feeds that are due; their new items become articles, due at once."""
        work = poll_due_feeds(
            self.store, self.settings, self.checker.fetcher, self.clock(), stopping=self._stopping
        )
        task = asyncio.ensure_future(work)
        self._in_flight.add(task)  # stop() cancels a poll like a check
        try:
            return await task
        finally:
            self._in_flight.discard(task)

    async def _feeds_job(self) -> None:
        try:
            await self.poll_feeds()
        except asyncio.CancelledError:
            log.info("feed polling cancelled by stop")
        except Exception:  # a broken feed must not stop the service
            log.exception("feed polling failed; will retry on the next tick")
