"""What every request handler needs: the store, the settings, a checker, the scheduler.

One ``WebContext`` lives on ``app.state`` for the app's life. All handlers are
``async def`` and run on the event loop's thread, the same thread as the
scheduler, because the store's SQLite connection belongs to the thread that
opened it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from fastapi import Request

from monitor.checker import Checker, Clock, utc_now
from monitor.config import Settings
from monitor.errors import UsageError
from monitor.fetch import Fetcher
from monitor.store import Store
from monitor.web.security import Keys

if TYPE_CHECKING:
    from monitor.schedule import Service

T = TypeVar("T")


class ConflictError(UsageError):
    """The request is well-formed but the article's state does not allow it (HTTP 409)."""


class CheckInProgressError(ConflictError):
    """A check of this article started from the web is still running."""


class NothingToCompareError(ConflictError):
    """The article has fewer than two versions."""


@dataclass
class WebContext:
    settings: Settings
    store: Store
    keys: Keys
    service: Service | None = None
    clock: Clock = utc_now
    checker: Checker | None = None  # None: the service's, else one made on first use
    _fetcher: Fetcher | None = None
    _checking: set[int] = field(default_factory=set)
    _lock: asyncio.Lock | None = None

    def now(self) -> datetime:
        return self.clock()

    async def get_checker(self) -> Checker:
        """The checker of the running service (one HTTP client, one politeness gate for both).

        Without a service (tests, scripts) the app opens its own Fetcher once
        and closes it on shutdown.
        """
        if self.checker is not None:
            return self.checker
        if self.service is not None:
            return self.service.checker
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self.checker is None:
                self._fetcher = Fetcher(self.settings.fetch)
                await self._fetcher.__aenter__()
                self.checker = Checker(self.store, self.settings, self._fetcher, clock=self.clock)
        return self.checker

    async def get_fetcher(self) -> Fetcher:
        """The checker's HTTP client, for feed polls: one politeness gate for everything."""
        return (await self.get_checker()).fetcher

    async def guarded_check(self, article_ids: list[int], work: Callable[[], Awaitable[T]]) -> T:
        """Run ``work`` unless one of the articles is already being checked from the web.

        Two overlapping checks of one article would both compare against the
        same latest version and could store the same edit twice.
        """
        busy = [i for i in article_ids if i in self._checking]
        if busy:
            raise CheckInProgressError(f"a check of article {busy[0]} is already running")
        self._checking.update(article_ids)
        try:
            return await work()
        finally:
            self._checking.difference_update(article_ids)

    async def aclose(self) -> None:
        if self._fetcher is not None:
            await self._fetcher.aclose()
            self._fetcher = None


async def get_context(request: Request) -> WebContext:
    """FastAPI dependency; ``async`` so it runs on the loop, not in a worker thread."""
    context: WebContext = request.app.state.ctx
    return context
