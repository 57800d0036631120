"""Check one article end to end: fetch, extract, compare, store.

The only module that wires the pipeline together. Each check ends in exactly
one ``checks`` row (and at most one new version) written in one transaction,
whatever happened: a network failure is an ``error`` outcome retried later, a
page with no article text is an ``error`` too (never an "article deleted"
edit), a 404/410 marks the article ``gone`` with its history kept.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import random
import signal
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial

from monitor.cadence import backoff
from monitor.config import Settings
from monitor.diff import classify_edit, diff_versions, updated_moved
from monitor.errors import ExtractError, FetchError, RetryLaterError
from monitor.extract import extract_article
from monitor.fetch import Fetcher
from monitor.models import (
    FLAG_REVERTED,
    Article,
    Check,
    CheckResult,
    DiffStats,
    Extracted,
    Fetched,
    Kind,
    Outcome,
    OutletRules,
    PageTime,
    State,
)
from monitor.notify import plan_gone_notifications, plan_notifications
from monitor.store import ArticleUpdate, NewNotification, NewVersion, Store, raw_response
from monitor.text import text_hash
from monitor.urls import outlet_of

GONE_STATUSES = (404, 410)
MAX_ERRORS = 12  # backoff(12) is the longest wait: 6 hours
POOL_MIN_ARTICLES = 8  # a pass this big is worth starting extraction worker processes

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class _Outcome:
    """What the pipeline decided for one check, before it is written."""

    check: Check
    update: ArticleUpdate
    new_version: NewVersion | None = None
    notifications: tuple[NewNotification, ...] = ()


class Checker:
    """Checks articles with one shared HTTP client and one database.

    Fetches run concurrently up to ``check.concurrency``; extraction is CPU
    work, so in a pass of several articles it runs in a process pool sized to
    the machine (one worker per core) while the event loop keeps fetching; a
    single check, or a one-core machine, uses a worker thread instead. Database
    writes happen on the event loop's thread, one transaction per check. Call
    ``close`` to stop the pool's processes.

    ``stage_seconds`` adds up, over every check, the wall time spent fetching,
    extracting, comparing and storing (concurrent checks overlap, so the sum
    can exceed the pass); ``benchmarks/pass.py`` reads it from a DEBUG log line.
    """

    def __init__(
        self,
        store: Store,
        settings: Settings,
        fetcher: Fetcher,
        clock: Clock = utc_now,
        rng: random.Random | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.fetcher = fetcher
        self.clock = clock
        self.rng = rng or random.Random()
        self.cadence = settings.schedule.cadence
        self.stage_seconds: Counter[str] = Counter()
        self._pool: ProcessPoolExecutor | None = None

    async def check_many(self, articles: Sequence[Article]) -> list[CheckResult]:
        limit = asyncio.Semaphore(max(1, self.settings.check.concurrency))
        if len(articles) >= POOL_MIN_ARTICLES:
            self._start_pool()
        started = time.perf_counter()

        async def guarded(article: Article) -> CheckResult:
            async with limit:
                return await self.check(article)

        results = list(await asyncio.gather(*(guarded(a) for a in articles)))
        if log.isEnabledFor(logging.DEBUG):
            log.debug(
                "checked %d articles in %.3f s; stage seconds %s",
                len(articles),
                time.perf_counter() - started,
                dict(self.stage_seconds),
            )
        return results

    def close(self) -> None:
        """Stop the extraction worker processes, if any were started."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def _start_pool(self) -> None:
        workers = _cores()
        if self._pool is not None or workers < 2:
            return
        # spawn, not fork: forking a process that runs threads and an event loop is unsafe.
        self._pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_ignore_interrupts,
        )

    async def _extract(self, html: str, url: str, rules: OutletRules, now: datetime) -> Extracted:
        """``extract_article`` in the process pool when there is one, else in a thread."""
        work = partial(extract_article, html, url, rules, now=now)
        if self._pool is not None:
            try:
                return await asyncio.get_running_loop().run_in_executor(self._pool, work)
            except BrokenProcessPool:
                # A worker died (killed, out of memory): carry on in threads, never lose checks.
                log.warning("extraction worker pool broke; extracting in threads from now on")
                self._pool = None
        return await asyncio.to_thread(work)

    @contextmanager
    def _stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.stage_seconds[name] += time.perf_counter() - started

    async def check(self, article: Article) -> CheckResult:
        started = time.perf_counter()
        now = self.clock()
        rules = self.settings.outlet_rules(outlet_of(article.url))
        try:
            with self._stage("fetch"):
                fetched = await self.fetcher.fetch(
                    article.url,
                    etag=article.etag,
                    last_modified=article.last_modified,
                    obey_robots=rules.obey_robots,
                )
        except RetryLaterError as exc:
            decided = self._failed(
                article, now, str(exc), exc.status, started, not_before=exc.until
            )
        except FetchError as exc:
            decided = self._failed(article, now, str(exc), exc.status, started)
        else:
            decided = await self._after_fetch(article, fetched, now, started)
        with self._stage("store"):
            stored = self.store.record_check(
                article.id,
                decided.check,
                update=decided.update,
                new_version=decided.new_version,
                notifications=decided.notifications,
            )
        outcome = decided.check.outcome
        if decided.new_version is not None and stored is None:
            outcome = Outcome.UNCHANGED  # a concurrent check stored this text first
        return CheckResult(
            url=article.url,
            article_id=article.id,
            outcome=outcome,
            version=stored.n if stored else None,
            kind=stored.kind if stored else None,
            flags=stored.flags if stored else (),
            http_status=decided.check.http_status,
            error=decided.check.error,
        )

    async def _after_fetch(
        self, article: Article, fetched: Fetched, now: datetime, started: float
    ) -> _Outcome:
        if fetched.not_modified:
            return self._plain(article, fetched, now, started, Outcome.NOT_MODIFIED)
        if fetched.status in GONE_STATUSES:
            return self._gone(article, fetched, now, started)
        if not 200 <= fetched.status < 300:
            reason = f"HTTP {fetched.status}"
            asked = self.fetcher.retry_after(fetched.final_url)
            return self._failed(
                article, now, reason, fetched.status, started, fetched, not_before=asked
            )
        if _binary_media_type(fetched.content_type):
            reason = f"not a web page: the server sent {_binary_media_type(fetched.content_type)}"
            return self._failed(article, now, reason, fetched.status, started, fetched)
        rules = self.settings.outlet_rules(outlet_of(fetched.final_url))
        try:
            with self._stage("extract"):
                extracted = await self._extract(fetched.text, fetched.final_url, rules, now)
        except ExtractError as exc:
            return self._failed(article, now, str(exc), fetched.status, started, fetched)
        with self._stage("compare"):
            return self._compare(article, fetched, extracted, now, started)

    def _compare(
        self,
        article: Article,
        fetched: Fetched,
        extracted: Extracted,
        now: datetime,
        started: float,
    ) -> _Outcome:
        previous = self.store.latest_version(article.id)
        content_hash = text_hash(extracted.title, extracted.byline, extracted.body)
        update = self._seen(article, fetched, extracted, now)
        if previous is None:
            version = self._new_version(
                fetched, extracted, now, content_hash, Kind.INITIAL, (), DiffStats()
            )
            return _Outcome(
                self._check(article, fetched, now, started, Outcome.NEW), update, version
            )
        if content_hash == previous.content_hash:
            moved = updated_moved(article.updated_at, _value(extracted.updated))
            outcome = Outcome.TIMESTAMP_ONLY if moved else Outcome.UNCHANGED
            return _Outcome(self._check(article, fetched, now, started, outcome), update)
        diff = diff_versions(
            previous.title,
            previous.byline,
            previous.paragraphs,
            extracted.title,
            extracted.byline,
            extracted.paragraphs,
        )
        edit = classify_edit(diff, article.updated_at, _value(extracted.updated))
        flags = set(edit.flags)
        repeated = self.store.version_with_content(article.id, content_hash)
        reverts_to = repeated.n if repeated is not None else None
        if reverts_to is not None:
            flags.add(FLAG_REVERTED)
        version = self._new_version(
            fetched,
            extracted,
            now,
            content_hash,
            edit.kind,
            tuple(sorted(flags)),
            diff.stats,
            reverts_to,
        )
        planned = tuple(plan_notifications(self.settings, article, version, previous))
        checked = self._check(article, fetched, now, started, Outcome.CHANGED)
        return _Outcome(checked, update, version, planned)

    def _new_version(
        self,
        fetched: Fetched,
        extracted: Extracted,
        now: datetime,
        content_hash: str,
        kind: Kind,
        flags: tuple[str, ...],
        stats: DiffStats,
        reverts_to: int | None = None,
    ) -> NewVersion:
        return NewVersion(
            fetched_at=now,
            title=extracted.title,
            byline=extracted.byline,
            body=extracted.body,
            body_hash=text_hash(extracted.body),
            content_hash=content_hash,
            posted_at=_value(extracted.posted),
            posted_raw=extracted.posted.raw if extracted.posted else None,
            updated_at=_value(extracted.updated),
            updated_raw=extracted.updated.raw if extracted.updated else None,
            kind=kind,
            flags=flags,
            stats=stats,
            reverts_to=reverts_to,
            raw=raw_response(fetched) if self.settings.archive.keep_raw else None,
        )

    def _seen(
        self, article: Article, fetched: Fetched, extracted: Extracted, now: datetime
    ) -> ArticleUpdate:
        """The article columns a successful fetch refreshes."""
        next_check = self.cadence.next_check(article, now, self.rng)
        return ArticleUpdate(
            state=_state_after_success(article, next_check),
            final_url=fetched.final_url,
            canonical_url=extracted.canonical_url,
            title=extracted.title or None,
            posted_at=_value(extracted.posted),
            posted_raw=extracted.posted.raw if extracted.posted else None,
            updated_at=_value(extracted.updated),
            updated_raw=extracted.updated.raw if extracted.updated else None,
            etag=fetched.etag,
            last_modified=fetched.last_modified,
            next_check_at=next_check,
            error_count=0,
            clear_error=True,
        )

    def _plain(
        self, article: Article, fetched: Fetched, now: datetime, started: float, outcome: Outcome
    ) -> _Outcome:
        next_check = self.cadence.next_check(article, now, self.rng)
        update = ArticleUpdate(
            state=_state_after_success(article, next_check),
            next_check_at=next_check,
            error_count=0,
            clear_error=True,
        )
        return _Outcome(self._check(article, fetched, now, started, outcome), update)

    def _gone(self, article: Article, fetched: Fetched, now: datetime, started: float) -> _Outcome:
        """A 404/410 is reported as ``gone``; the article is marked gone after a few in a row.

        One 404 is often a CMS hiccup, so the article first stays active and is
        retried with backoff; after ``schedule.gone_after`` answers in a row it
        is ``gone``, keeps its history and is still checked rarely in case it
        comes back.
        """
        needed = max(1, self.settings.schedule.gone_after)
        earlier = self.store.recent_outcomes(article.id, needed - 1)
        in_a_row = len(earlier) == needed - 1 and all(o == Outcome.GONE for o in earlier)
        errors = article.error_count + 1
        update = ArticleUpdate(
            state=State.GONE if in_a_row else None,
            next_check_at=now + (backoff(MAX_ERRORS) if in_a_row else backoff(errors)),
            error_count=errors,
            last_error=f"HTTP {fetched.status}",
        )
        planned: tuple[NewNotification, ...] = ()
        if in_a_row and article.state != State.GONE:
            planned = tuple(plan_gone_notifications(self.settings, article, now))
        checked = self._check(article, fetched, now, started, Outcome.GONE)
        return _Outcome(checked, update, None, planned)

    def _failed(
        self,
        article: Article,
        now: datetime,
        reason: str,
        status: int | None,
        started: float,
        fetched: Fetched | None = None,
        not_before: datetime | None = None,
    ) -> _Outcome:
        """An error outcome, retried with backoff (and no sooner than the host asked)."""
        errors = article.error_count + 1
        check = Check(
            article_id=article.id,
            at=now,
            outcome=Outcome.ERROR,
            http_status=status,
            duration_ms=_elapsed_ms(started),
            bytes_read=fetched.bytes_read if fetched else None,
            error=reason,
        )
        next_check = now + backoff(errors)
        if not_before is not None:
            next_check = max(next_check, not_before)
        update = ArticleUpdate(next_check_at=next_check, error_count=errors, last_error=reason)
        return _Outcome(check, update)

    def _check(
        self, article: Article, fetched: Fetched, now: datetime, started: float, outcome: Outcome
    ) -> Check:
        return Check(
            article_id=article.id,
            at=now,
            outcome=outcome,
            http_status=fetched.status,
            duration_ms=_elapsed_ms(started),
            bytes_read=fetched.bytes_read,
        )


def _cores() -> int:
    """Cores this process may run on (the affinity mask, not the machine's total)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _ignore_interrupts() -> None:
    """Pool workers leave Ctrl-C to the parent, which shuts them down in order."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _state_after_success(article: Article, next_check: datetime | None) -> State | None:
    """A page that answers again is alive; one past the last age bracket is done."""
    if next_check is None:
        return State.DONE
    return State.ACTIVE if article.state in (State.GONE, State.DONE) else None


_BINARY_TYPES = ("image/", "audio/", "video/", "font/", "model/")
_BINARY_APPLICATIONS = frozenset(
    "pdf zip gzip x-gzip x-tar x-7z-compressed x-rar-compressed wasm x-shockwave-flash".split()
)


def _binary_media_type(content_type: str | None) -> str | None:
    """The media type when it is certainly not a page (an image, a PDF…), else None.

    Decoded as text, such bytes can pass for paragraphs and be stored as an
    "edit" of the story the URL used to show. Missing or odd types are let
    through: plenty of servers label HTML wrongly.
    """
    media = (content_type or "").split(";", 1)[0].strip().lower()
    kind, _, subtype = media.partition("/")
    if media.startswith(_BINARY_TYPES):
        return media
    if kind == "application" and (subtype in _BINARY_APPLICATIONS or subtype.startswith("vnd.")):
        return media
    return None


def _value(page_time: PageTime | None) -> datetime | None:
    return page_time.value if page_time else None


def _elapsed_ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)
