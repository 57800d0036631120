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
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Protocol, TypeVar

from monitor.cadence import backoff
from monitor.config import Settings
from monitor.diff import EditSummary, summarise_edit, updated_moved
from monitor.errors import ExtractError, FetchError, RetryLaterError
from monitor.fetch import Fetcher
from monitor.memo import EVERY_JOB_NEEDS, SOME_JOBS_NEED, Examined, Memo, examine_stored
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
    utc_now,
)
from monitor.notify import plan_gone_notifications, plan_notifications
from monitor.store import (
    CHECK_BATCH_SECONDS,
    ArticleUpdate,
    NewNotification,
    NewVersion,
    Store,
    raw_response,
)
from monitor.text import text_hash
from monitor.urls import outlet_of
from monitor.workers import BrokenWorkerPool, WorkerPool, pool_for

GONE_STATUSES = (404, 410)
MAX_ERRORS = 12  # backoff(12) is the longest wait: 6 hours

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
T = TypeVar("T")


class _PageFacts(Protocol):
    """What the article row keeps of a page: from an extraction, or from a memo of one."""

    @property
    def title(self) -> str: ...
    @property
    def canonical_url(self) -> str | None: ...
    @property
    def posted(self) -> PageTime | None: ...
    @property
    def updated(self) -> PageTime | None: ...


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
    single check, or a one-core machine, uses a worker thread instead. So
    does judging a changed article's edit (aligning its sentences). Database
    writes happen on the event loop's thread, each check whole; ``check_many``
    commits them in batches (``Store.batched_checks``), and a batch waiting
    for its next check is committed after ``CHECK_BATCH_SECONDS``. A
    ``pool`` already started (``workers.pool_for``, as ``monitor check`` does
    before loading this module) is used instead of starting one. Call
    ``close`` to stop the pool's processes.

    With ``check.fast_path`` on, a page whose fingerprint matches the memo
    kept from the article's last full extraction skips the extractor
    (``monitor.fastpath``); the memo is written with each check.

    ``stage_seconds`` adds up, over every check, the wall time spent fetching,
    extracting (``fast_path`` when the memo stood for the extraction),
    comparing and storing (concurrent checks overlap, so the sum can exceed
    the pass), and ``fast_path_hits`` counts those memo answers;
    ``benchmarks/pass.py`` reads both from a DEBUG log line.
    """

    def __init__(
        self,
        store: Store,
        settings: Settings,
        fetcher: Fetcher,
        clock: Clock = utc_now,
        rng: random.Random | None = None,
        pool: WorkerPool | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.fetcher = fetcher
        self.clock = clock
        self.rng = rng or random.Random()
        self.cadence = settings.schedule.cadence
        self.stage_seconds: Counter[str] = Counter()
        self.fast_path_hits = 0  # checks the fast path's memo answered
        self._pool = pool  # started early by the caller (``monitor check``), or by check_many
        self._rules: dict[str, OutletRules] = {}  # by outlet (``_rules_for``)

    async def check_many(self, articles: Iterable[Article]) -> list[CheckResult]:
        """Check ``articles`` (a list, or ``Store.iter_articles``), ``check.concurrency`` at once.

        The articles are taken as the checks go, never all at once: a pass
        over 100,000 holds only the checks in flight. Results come in the
        articles' order.
        """
        upcoming: Iterable[Article] = articles
        if self._pool is None:
            upcoming, self._pool = pool_for(articles, EVERY_JOB_NEEDS, SOME_JOBS_NEED)
        queue = enumerate(upcoming)
        found: dict[int, CheckResult] = {}
        started = time.perf_counter()

        async def take_turns() -> None:
            for index, article in queue:  # shared: each article goes to one of them
                found[index] = await self.check(article)

        concurrency = max(1, self.settings.check.concurrency)
        with self.store.batched_checks():
            committer = asyncio.create_task(self._commit_waiting_checks())
            try:
                await asyncio.gather(*(take_turns() for _ in range(concurrency)))
            finally:
                committer.cancel()
        results = [found[index] for index in range(len(found))]
        if log.isEnabledFor(logging.DEBUG):
            log.debug(
                "checked %d articles in %.3f s; fast path %d; stage seconds %s",
                len(results),
                time.perf_counter() - started,
                self.fast_path_hits,
                dict(self.stage_seconds),
            )
        return results

    async def _commit_waiting_checks(self) -> None:
        """Commit a batch of checks that waits too long for its next one (``Store.batched_checks``)."""
        while True:
            await asyncio.sleep(CHECK_BATCH_SECONDS)
            self.store.commit_checks(older_than=CHECK_BATCH_SECONDS)

    def close(self) -> None:
        """Stop the extraction worker processes, if any were started."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()

    async def _examine(
        self, html: str, url: str, rules: OutletRules, now: datetime, stored_memo: str | None
    ) -> Examined:
        remember = self.settings.check.fast_path
        return await self._offload(
            partial(examine_stored, html, url, rules, now, stored_memo, remember=remember)
        )

    async def _offload(self, work: Callable[[], T]) -> T:
        """``work`` in the process pool when there is one, else in a thread."""
        if self._pool is not None:
            try:
                return await self._pool.run(work)
            except BrokenWorkerPool:
                # A worker died (killed, out of memory): carry on in threads, never lose checks.
                log.warning("extraction worker pool broke; extracting in threads from now on")
                self._pool = None
        return await asyncio.to_thread(work)

    def _rules_for(self, url: str) -> OutletRules:
        """The outlet rules of ``url``'s host, looked up once per host.

        A check asks twice (for the article, then for where it was fetched
        from), and a pass mostly checks a few outlets' articles: the lookup
        walks the host's parent domains through two tables each time.
        """
        outlet = outlet_of(url)
        rules = self._rules.get(outlet)
        if rules is None:
            rules = self._rules[outlet] = self.settings.outlet_rules(outlet)
        return rules

    @contextmanager
    def _stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.stage_seconds[name] += time.perf_counter() - started

    async def _extract(
        self, article: Article, fetched: Fetched, rules: OutletRules, now: datetime
    ) -> Examined:
        """The page's extraction, or the memo when it stands for one (``monitor.fastpath``).

        A memo stands only for the page it was made from; its content must
        also still be the article's latest version (another process may have
        stored a newer one since), or the page is extracted in full.
        """
        stored_memo = article.fast_path if self.settings.check.fast_path else None
        started = time.perf_counter()
        stage = "extract"
        try:
            examined = await self._examine(fetched.text, fetched.final_url, rules, now, stored_memo)
            if examined.extracted is None:
                assert examined.memo is not None
                if self.store.latest_content_hash(article.id) == examined.memo.content_hash:
                    stage = "fast_path"
                    self.fast_path_hits += 1
                    return examined
                examined = await self._examine(fetched.text, fetched.final_url, rules, now, None)
            return examined
        finally:
            self.stage_seconds[stage] += time.perf_counter() - started

    async def check(self, article: Article) -> CheckResult:
        started = time.perf_counter()
        now = self.clock()
        rules = self._rules_for(article.url)
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
        rules = self._rules_for(fetched.final_url)
        try:
            examined = await self._extract(article, fetched, rules, now)
        except ExtractError as exc:
            return self._failed(article, now, str(exc), fetched.status, started, fetched)
        with self._stage("compare"):
            if examined.extracted is None:
                assert examined.memo is not None
                return self._remembered(article, fetched, examined.memo, now, started)
            return await self._compare(
                article, fetched, examined.extracted, examined.memo, now, started
            )

    def _remembered(
        self, article: Article, fetched: Fetched, memo: Memo, now: datetime, started: float
    ) -> _Outcome:
        """The outcome of a page the memo stands for: its text is the latest version's.

        Decided as ``_compare`` decides an unchanged text, from the times the
        full extraction of this same page found.
        """
        moved = updated_moved(article.updated_at, _value(memo.updated))
        outcome = Outcome.TIMESTAMP_ONLY if moved else Outcome.UNCHANGED
        update = self._seen(article, fetched, memo, now, None)
        return _Outcome(self._check(article, fetched, now, started, outcome), update)

    async def _compare(
        self,
        article: Article,
        fetched: Fetched,
        extracted: Extracted,
        memo: Memo | None,
        now: datetime,
        started: float,
    ) -> _Outcome:
        previous = self.store.latest_version(article.id)
        content_hash = text_hash(extracted.title, extracted.byline, extracted.body)
        update = self._seen(article, fetched, extracted, now, memo or "")
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
        edit: EditSummary = await self._offload(
            partial(
                summarise_edit,
                (previous.title, previous.byline, previous.paragraphs),
                (extracted.title, extracted.byline, extracted.paragraphs),
                article.updated_at,
                _value(extracted.updated),
            )
        )
        if self.store.latest_content_hash(article.id) != previous.content_hash:
            # Another check of this article (the web UI's, beside the schedule's)
            # stored a version while this edit was judged: compare with that one.
            return await self._compare(article, fetched, extracted, memo, now, started)
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
            edit.stats,
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
        self,
        article: Article,
        fetched: Fetched,
        page: _PageFacts,
        now: datetime,
        memo: Memo | str | None,
    ) -> ArticleUpdate:
        """The article columns a successful fetch refreshes.

        ``memo`` is the fast path's memo of this page to keep, "" to forget
        the old one (this page gave none), None to leave it (it stood for
        this page, or the fast path is off).
        """
        next_check = self.cadence.next_check(article, now, self.rng)
        if not self.settings.check.fast_path:
            memo = None
        return ArticleUpdate(
            state=_state_after_success(article, next_check),
            final_url=fetched.final_url,
            canonical_url=page.canonical_url,
            title=page.title or None,
            posted_at=_value(page.posted),
            posted_raw=page.posted.raw if page.posted else None,
            updated_at=_value(page.updated),
            updated_raw=page.updated.raw if page.updated else None,
            etag=fetched.etag,
            last_modified=fetched.last_modified,
            next_check_at=next_check,
            error_count=0,
            clear_error=True,
            fast_path=memo if memo is None or isinstance(memo, str) else memo.dumps(),
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
