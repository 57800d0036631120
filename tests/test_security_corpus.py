"""The bad-input corpus in ``tests/hostile/``: hostile pages, malformed feeds, broken imports.

Every file is run through the real code that meets such input in production:

- pages: decoded and extracted on their own, then all served at once beside
  ordinary articles and checked by the real Checker (the ordinary ones must
  come out right), then rendered into alerts that must stay inert;
- feeds: parsed, then polled through the Fetcher with the private-address
  guard on;
- imports: ``monitor import``'s reader with the guard on.

Each must end in a result or in the project's own error (ExtractError,
NotAFeedError, UsageError, an ``error`` outcome), never in another exception,
and nothing private, non-http or unescaped may come out the other side. Add
a file to the folder and it is tested; ``tests/hostile/README.md`` says what
each one tries.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import markdown
import pytest

from monitor.alerts import HTML, MARKDOWN, edit_alert, render_alert
from monitor.checker import Checker
from monitor.config import FeedSettings, FetchSettings, Settings
from monitor.errors import ExtractError, FetchError, MonitorError, UsageError
from monitor.extract import extract_article
from monitor.feeds import parse_document, poll_feed
from monitor.fetch import Fetcher, decode_html
from monitor.importer import import_file
from monitor.models import Outcome
from monitor.netguard import check_url
from monitor.store import Store
from monitor.watchlist import add_urls
from tests.pageserver import PageServer
from tests.samples import PARAGRAPHS, page
from tests.test_security_output import TERMINAL_CONTROLS, active_parts

pytestmark = pytest.mark.anyio

HOSTILE = Path(__file__).parent / "hostile"
PAGES = sorted((HOSTILE / "pages").glob("*.html"))
FEEDS = sorted((HOSTILE / "feeds").glob("*.xml"))
IMPORTS = sorted(p for p in (HOSTILE / "imports").iterdir() if p.suffix != ".md")
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
TRUSTED = "corpus.example"  # the page server, under a name exempt from the address rules
GUARDED = FetchSettings(allow_private_hosts=False, obey_robots=False, host_delay=0.0)
BUDGET_S = 20.0


def ids(path: Path) -> str:
    return path.name


def test_the_corpus_is_there() -> None:
    assert len(PAGES) >= 15 and len(FEEDS) >= 12 and len(IMPORTS) >= 12
    assert (HOSTILE / "README.md").is_file()


def allowed_by_the_guard(url: str) -> bool:
    try:
        check_url(url)
    except FetchError:
        return False
    return True


# -- pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES, ids=ids)
def test_a_hostile_page_extracts_cleanly_or_not_at_all(path: Path) -> None:
    started = time.perf_counter()
    text = decode_html(path.read_bytes(), "text/html")
    try:
        extracted = extract_article(text, "https://news.example.com/story")
    except ExtractError:
        return
    finally:
        assert time.perf_counter() - started < BUDGET_S
    for piece in (extracted.title, extracted.byline, *extracted.paragraphs):
        assert not TERMINAL_CONTROLS.search(piece) and "\u202e" not in piece, (path.name, piece)
    assert extracted.canonical_url is None or extracted.canonical_url.startswith("http")
    for when in (extracted.posted, extracted.updated):
        if when is not None:
            assert when.value.tzinfo is not None and not TERMINAL_CONTROLS.search(when.raw)
    if path.name == "utf7.html":
        assert not any("<script>" in p for p in extracted.paragraphs)


async def test_the_hostile_pages_checked_together_with_ordinary_articles(
    server: PageServer, tmp_path: Path
) -> None:
    settings = Settings(fetch=replace_fetch(allow_private_hosts=True))
    for page_path in PAGES:
        server.set(
            "/h/" + page_path.name, page_path.read_bytes(), headers={"Content-Type": "text/html"}
        )
    for i in range(3):
        server.set(f"/ok{i}", page([f"Ordinary {i}: {p}" for p in PARAGRAPHS]))
    hostile = [server.url("/h/" + p.name) for p in PAGES]
    ordinary = [server.url(f"/ok{i}") for i in range(3)]
    tz = ZoneInfo("UTC")
    with Store(tmp_path / "m.db") as store:
        added = add_urls(store, [*ordinary, *hostile], now=NOW, allow_private=True)
        by_url = {a.article.url: a.article.id for a in added}
        async with Fetcher(settings.fetch) as fetcher:
            checker = Checker(store, settings, fetcher, clock=lambda: NOW)
            results = {
                r.url: r
                for r in await checker.check_many([store.article(i) for i in by_url.values()])
            }
            for url in ordinary:
                assert results[url].outcome == Outcome.NEW, results[url]
            for url in hostile:
                assert results[url].outcome in (Outcome.NEW, Outcome.ERROR), results[url]
            # Every hostile page that made a version is now replaced by a plain story:
            # the alert shows the hostile text as cut, and must be inert.
            for page_path in PAGES:
                server.set("/h/" + page_path.name, page(PARAGRAPHS))
            later = NOW + timedelta(hours=1)
            checker = Checker(store, settings, fetcher, clock=lambda: later)
            made = [by_url[u] for u in hostile if results[u].outcome == Outcome.NEW]
            await checker.check_many([store.article(i) for i in made])
        assert len(made) >= 8
        for article_id in made:
            versions = store.versions(article_id)
            for version in versions:
                assert not TERMINAL_CONTROLS.search(version.body + version.title)
            if len(versions) < 2:
                continue
            alert = edit_alert(store.article(article_id), versions[0], versions[1])
            mail = render_alert(alert, HTML, tz=tz)
            assert active_parts(mail.body) == [], mail.body[:500]
            chat = markdown.markdown(render_alert(alert, MARKDOWN, tz=tz).body)
            assert active_parts(chat) == [] and "<a " not in chat.replace(
                f'<a href="{store.article(article_id).url}"', ""
            )


def replace_fetch(**changes: object) -> FetchSettings:
    from dataclasses import replace

    return replace(GUARDED, **changes)  # type: ignore[arg-type]


# -- feeds -------------------------------------------------------------------------------------


class FakeDNS:
    """The corpus server under its trusted name; every other name resolves privately."""

    def __call__(self, host: str) -> list[str]:
        return ["127.0.0.1"] if host == TRUSTED else ["10.9.8.7"]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "m.db") as opened:
        yield opened


@pytest.mark.parametrize("path", FEEDS, ids=ids)
def test_a_malformed_feed_parses_or_is_refused_cleanly(path: Path) -> None:
    started = time.perf_counter()
    text = decode_html(path.read_bytes(), "application/xml")
    try:
        parsed = parse_document(text, "https://news.example.com/feed.xml")
    except MonitorError:
        return
    assert time.perf_counter() - started < BUDGET_S
    joined = " ".join(e.title or "" for e in parsed.entries)
    assert "lollollol" not in joined and "root:" not in joined  # no entity was expanded


@pytest.mark.parametrize("path", FEEDS, ids=ids)
async def test_polling_a_malformed_feed_never_raises_or_adds_anything_unsafe(
    path: Path, server: PageServer, store: Store
) -> None:
    server.set("/feed.xml", path.read_bytes(), headers={"Content-Type": "application/xml"})
    settings = Settings(fetch=GUARDED, feeds=FeedSettings())
    feed, _ = store.add_feed(f"http://{TRUSTED}:{server.port}/feed.xml", now=NOW)
    async with Fetcher(GUARDED, resolver=FakeDNS(), trusted_hosts=[TRUSTED]) as fetcher:
        result = await poll_feed(store, settings, fetcher, feed, NOW)
    assert result.outcome in ("polled", "error", "replaced", "not_modified"), result
    for article in store.articles():
        assert allowed_by_the_guard(article.url), article.url
    for watched in store.feeds():
        assert watched.id == feed.id or allowed_by_the_guard(watched.url), watched.url
    assert {r.path for r in server.requests} <= {"/feed.xml"}
    if path.name == "hostile-links.xml":  # two fine items; a relative link is the feed's host
        urls = sorted(a.url for a in store.articles())
        assert urls == [
            f"http://{TRUSTED}:{server.port}/relative/fine-2.html",
            "https://news.example.com/fine-1.html",
        ]
        assert len(result.skipped) >= 8


# -- imports -------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", IMPORTS, ids=ids)
def test_a_broken_import_is_read_line_by_line_or_refused_whole(path: Path, store: Store) -> None:
    settings = Settings(fetch=GUARDED)
    started = time.perf_counter()
    try:
        report = import_file(store, settings, path, now=NOW)
    except UsageError as exc:
        assert "\n" not in str(exc).strip()
        assert store.articles() == [] and store.feeds() == []
        return
    assert time.perf_counter() - started < BUDGET_S
    for article in store.articles():
        assert allowed_by_the_guard(article.url), article.url
    for feed in store.feeds():
        assert allowed_by_the_guard(feed.url), feed.url
    for bad in report.bad:
        assert bad.line >= 1 and bad.reason
    if path.name == "private-and-odd.txt":
        assert [a.url for a in store.articles()][:1] == ["https://news.example.com/fine.html"]
        assert len(report.bad) >= 15
    if path.name == "formula-injection.csv":
        assert [a.url for a in store.articles()] == ["https://news.example.com/f1"]


def test_a_huge_import_line_is_handled_in_bounded_time(tmp_path: Path, store: Store) -> None:
    huge = tmp_path / "huge.txt"
    huge.write_text(
        "https://news.example.com/" + "x" * 5_000_000 + "\nhttps://news.example.com/ok\n"
    )
    started = time.perf_counter()
    report = import_file(store, Settings(fetch=GUARDED), huge, now=NOW)
    assert time.perf_counter() - started < BUDGET_S
    assert "https://news.example.com/ok" in [a.url for a in store.articles()]
    assert len(report.added) >= 1
