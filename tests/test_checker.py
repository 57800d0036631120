"""The checker's decisions on failures: errors are retried, never recorded as edits."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.checker import Checker
from monitor.config import CheckSettings, FetchSettings, Settings
from monitor.extract import extract_article
from monitor.fetch import Fetcher
from monitor.models import Article, Outcome
from monitor.store import Store
from monitor.watchlist import add_urls
from monitor.workers import POOL_MIN_JOBS
from tests.pageserver import PageServer
from tests.samples import PARAGRAPHS, page
from tests.test_store_versions import write

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
SETTINGS = Settings(fetch=FetchSettings(allow_private_hosts=True, host_delay=0.0))


async def check_once(store: Store, article_id: int, fetcher: Fetcher, at: datetime = NOW):
    checker = Checker(store, SETTINGS, fetcher, clock=lambda: at)
    return await checker.check(store.article(article_id))


@pytest.mark.parametrize(
    "broken",
    [
        "",  # an empty 200
        "<html><body><nav>Home</nav></body></html>",  # a page with no article
    ],
)
async def test_a_page_without_article_text_is_an_error_not_a_deletion(
    server: PageServer, tmp_path: Path, broken: str
) -> None:
    server.set("/a", page(PARAGRAPHS))
    with Store(tmp_path / "m.db") as store:
        [added] = add_urls(store, [server.url("/a")], now=NOW, allow_private=True)
        async with Fetcher(SETTINGS.fetch) as fetcher:
            assert (await check_once(store, added.article.id, fetcher)).outcome == Outcome.NEW
            server.set("/a", broken)
            result = await check_once(store, added.article.id, fetcher, NOW + timedelta(hours=1))
        assert result.outcome == Outcome.ERROR and result.error
        assert [v.n for v in store.versions(added.article.id)] == [1]
        article = store.article(added.article.id)
        assert article.error_count == 1 and article.last_error == result.error
        assert article.next_check_at > NOW + timedelta(hours=1)


async def test_retry_after_pushes_the_next_check_back(server: PageServer, tmp_path: Path) -> None:
    """Loopback is exempt from politeness, so a made-up name resolves to the server."""
    server.set("/a", "busy", status=503, headers={"Retry-After": "1800"})
    url = f"http://news.example:{server.port}/a"
    with Store(tmp_path / "m.db") as store:
        [added] = add_urls(store, [url], now=NOW, allow_private=True)
        fetcher = Fetcher(
            FetchSettings(allow_private_hosts=True, obey_robots=False, host_delay=0.0),
            resolver=lambda host: ["127.0.0.1"],
        )
        async with fetcher:
            result = await check_once(store, added.article.id, fetcher)
        assert (result.outcome, result.http_status) == (Outcome.ERROR, 503)
        # Backoff alone would retry in two minutes; the host asked for half an hour.
        wanted = datetime.now(UTC) + timedelta(minutes=29)
        assert store.article(added.article.id).next_check_at >= wanted


async def test_a_pass_commits_its_finished_checks_while_a_slow_page_is_still_loading(
    server: PageServer, tmp_path: Path
) -> None:
    """Checks are written in batches, and a batch waits at most a moment for its next check."""
    server.set("/fast", page(PARAGRAPHS))
    server.set("/slow", page(PARAGRAPHS[:2]), delay_s=3.0)
    path = tmp_path / "m.db"
    with Store(path) as store:
        added = add_urls(
            store, [server.url("/fast"), server.url("/slow")], now=NOW, allow_private=True
        )
        async with Fetcher(SETTINGS.fetch) as fetcher:
            checker = Checker(store, SETTINGS, fetcher, clock=lambda: NOW)
            running = asyncio.create_task(checker.check_many([a.article for a in added]))
            committed: list[tuple[str, str]] = []
            while not committed and not running.done():
                await asyncio.sleep(0.02)
                with sqlite3.connect(path) as other:  # what another process sees
                    committed = other.execute(
                        "SELECT articles.url, checks.outcome FROM checks JOIN articles"
                        " ON articles.id = checks.article_id"
                    ).fetchall()
            assert not running.done(), "the slow page was answered before the fast check was seen"
            assert committed == [(server.url("/fast"), "new")]
            results = await running
        assert [r.outcome for r in results] == [Outcome.NEW, Outcome.NEW]
        with sqlite3.connect(path) as other:
            assert other.execute("SELECT count(*) FROM checks").fetchone()[0] == 2


async def test_an_edit_stored_by_another_check_meanwhile_is_what_the_next_is_judged_against(
    server: PageServer, tmp_path: Path
) -> None:
    """The schedule's check and the web UI's may overlap on one article.

    While a changed article's edit is judged (off the event loop), the other
    check stores its own version; the edit is then judged against that one,
    not the version read before. Called at ``_compare`` itself, so that the
    other check's write lands exactly while the judgement runs.
    """
    first_edit = [*PARAGRAPHS, "Officials declined to say who would lead the delegation."]
    second_edit = [*first_edit, "The ministry will brief reporters on Friday."]
    server.set("/a", page(PARAGRAPHS))
    with Store(tmp_path / "m.db") as store:
        [added] = add_urls(store, [server.url("/a")], now=NOW, allow_private=True)
        article_id = added.article.id
        async with Fetcher(SETTINGS.fetch) as fetcher:
            assert (await check_once(store, article_id, fetcher)).outcome == Outcome.NEW
            server.set("/a", page(second_edit))
            fetched = await fetcher.fetch(server.url("/a"))
            extracted = extract_article(fetched.text, fetched.final_url)
            assert list(extracted.paragraphs) == second_edit

            async def other_check_stores_the_first_edit() -> None:
                write(store, article_id, "\n\n".join(first_edit), at=NOW, title=extracted.title)

            checker = Checker(store, SETTINGS, fetcher, clock=lambda: NOW)
            # Ready before _compare starts, so it runs at _compare's first wait: the judgement.
            other = asyncio.create_task(other_check_stores_the_first_edit())
            decided = await checker._compare(
                store.article(article_id), fetched, extracted, None, NOW, 0.0
            )
            await other
        assert [v.n for v in store.versions(article_id)] == [1, 2]
        assert decided.new_version is not None
        # against the first edit one sentence was added, not two against version 1
        assert decided.new_version.stats.sentences_added == 1
        assert decided.new_version.stats.sentences_removed == 0


async def test_a_pass_takes_its_articles_as_it_goes(server: PageServer, tmp_path: Path) -> None:
    """A watchlist of 100,000 is never held whole: only the checks in flight, and a
    first few to decide whether worker processes are worth starting."""
    paths = [f"/a{i}" for i in range(30)]
    for path in paths:
        server.set(path, page(PARAGRAPHS))
    settings = Settings(fetch=SETTINGS.fetch, check=CheckSettings(concurrency=2))
    with Store(tmp_path / "m.db") as store:
        added = add_urls(store, [server.url(p) for p in paths], now=NOW, allow_private=True)
        ids = [item.article.id for item in added]
        ahead: list[int] = []  # at each article taken: how many were taken and not yet checked

        def articles() -> Iterator[Article]:
            for taken, article_id in enumerate(ids):
                checked = store.db.execute("SELECT count(*) FROM checks").fetchone()[0]
                ahead.append(taken - checked)
                yield store.article(article_id)

        async with Fetcher(settings.fetch) as fetcher:
            checker = Checker(store, settings, fetcher, clock=lambda: NOW)
            try:
                results = await checker.check_many(articles())
            finally:
                checker.close()
        assert [r.article_id for r in results] == ids  # in the articles' order
        assert {r.outcome for r in results} == {Outcome.NEW}
        assert len(ahead) == 30
        assert max(ahead) <= POOL_MIN_JOBS + 2
