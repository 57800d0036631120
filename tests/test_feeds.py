"""Feeds and sitemaps polled from a real local server into a real SQLite watchlist."""

from __future__ import annotations

import asyncio
import email.utils
import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import main
from monitor.config import FeedSettings, FetchSettings, ScheduleSettings, Settings
from monitor.feeds import (
    NotAFeedError,
    add_feed,
    discover_feeds,
    parse_document,
    parse_w3c_time,
    poll_due_feeds,
    poll_feed,
)
from monitor.fetch import Fetcher
from monitor.models import Outcome, State
from monitor.schedule import Service
from monitor.store import Store
from monitor.watchlist import set_watch_state
from tests.pageserver import PageServer
from tests.samples import PARAGRAPHS, page

pytestmark = pytest.mark.anyio

DATA = Path(__file__).parent / "feeds"
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
NEWS = "https://news.example.com"  # items link here; never fetched by these tests
XML = {"Content-Type": "application/xml; charset=utf-8"}


def feed_text(name: str, server: PageServer, **values: str) -> str:
    text = (DATA / name).read_text(encoding="utf-8")
    for key, value in {"base": server.url(""), "news": NEWS, **values}.items():
        text = text.replace("{" + key + "}", value)
    return text


def serve(server: PageServer, path: str, name: str, **options: object) -> str:
    values = options.pop("values", {})
    body = feed_text(name, server, **values).encode("utf-8")  # type: ignore[arg-type]
    server.set(path, body, headers=XML, **options)
    return server.url(path)


def settings(**feeds: object) -> Settings:
    return Settings(fetch=FetchSettings(allow_private_hosts=True), feeds=FeedSettings(**feeds))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "m.db") as opened:
        yield opened


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    async with Fetcher(settings().fetch) as opened:
        yield opened


def watched(store: Store) -> dict[str, tuple[str, ...]]:
    return {a.url: a.tags for a in store.articles()}


# -- parsing ----------------------------------------------------------------------


def test_parse_w3c_times() -> None:
    assert parse_w3c_time("2026-11-26") == datetime(2026, 11, 26, tzinfo=UTC)
    assert parse_w3c_time("2026-11-27T10:15:00+09:00") == datetime(2026, 11, 27, 1, 15, tzinfo=UTC)
    assert parse_w3c_time("2026-11-27T10:15:00.123456789Z") == datetime(
        2026, 11, 27, 10, 15, 0, 123456, tzinfo=UTC
    )
    assert parse_w3c_time("Fri, 27 Nov 2026 09:30:00 GMT") == datetime(
        2026, 11, 27, 9, 30, tzinfo=UTC
    )
    assert parse_w3c_time("yesterday") is None
    assert parse_w3c_time("") is None


def test_every_feed_kind_parses(server: PageServer) -> None:
    kinds = {
        name: parse_document(feed_text(name, server, updated=NOW.isoformat()), NEWS + "/f").kind
        for name in ("rss20.xml", "rss10.xml", "rss091.xml", "atom.xml", "sitemap.xml")
    }
    assert kinds == {
        "rss20.xml": "rss20",
        "rss10.xml": "rss10",
        "rss091.xml": "rss091n",  # the Netscape DTD names it
        "atom.xml": "atom10",
        "sitemap.xml": "sitemap",
    }
    rdf = parse_document(feed_text("rss10.xml", server), NEWS + "/f")
    # RSS 1.0's dc:date is the publication time, not an update.
    assert rdf.entries[0].published == datetime(2026, 11, 27, 6, tzinfo=UTC)
    assert rdf.entries[0].updated is None


def test_discovery_reads_link_alternate_and_skips_comment_feeds() -> None:
    html = (DATA / "home.html").read_text(encoding="utf-8")
    assert discover_feeds(html, "https://news.example.com/") == [
        "https://news.example.com/feeds/rss20.xml"
    ]
    assert discover_feeds("<html><head></head><body>no feeds</body></html>", NEWS) == []


def test_documents_declaring_entities_are_refused(server: PageServer) -> None:
    with pytest.raises(NotAFeedError, match="entities"):
        parse_document(feed_text("xxe.xml", server), NEWS + "/sitemap.xml")
    billion_laughs = (
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><rss version="2.0"><channel>'
        "<item><link>https://x.example/&b;</link></item></channel></rss>"
    )
    with pytest.raises(NotAFeedError, match="entities"):
        parse_document(billion_laughs, NEWS + "/rss.xml")


# -- polling ----------------------------------------------------------------------


async def test_rss_items_become_articles_with_tags_and_feed_posted_time(
    server: PageServer, store: Store, fetcher: Fetcher
) -> None:
    url = serve(server, "/feeds/rss20.xml", "rss20.xml")
    [added] = await add_feed(store, settings(), fetcher, url, now=NOW, tags=["world"])
    assert added.created and added.feed is not None and added.poll is not None
    poll = added.poll
    assert (poll.outcome, poll.kind, poll.items) == ("polled", "rss20", 5)
    # Tracking parameters are dropped; last week's story is too old; the ftp
    # link is skipped. allow_private_hosts is on here, so the intranet link
    # is taken (test_private_and_odd_links_are_skipped_not_fatal: the default).
    assert set(poll.added) == {
        f"{NEWS}/world/flood.html",
        f"{NEWS}/world/talks.html",
        "http://10.1.2.3/internal.html",
    }
    assert poll.old == 1
    assert [link for link, _ in poll.skipped] == ["ftp://files.example.com/report.pdf"]
    assert set(watched(store).values()) == {("world",)}
    flood = store.find_article(f"{NEWS}/world/flood.html")
    assert flood is not None and flood.state == State.ACTIVE and flood.next_check_at == NOW
    assert flood.posted_at == datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
    assert flood.posted_raw == "feed: Fri, 27 Nov 2026 09:30:00 +0000"
    feed = store.feed(added.feed.id)
    assert (feed.kind, feed.title, feed.articles_found, feed.items_seen) == (
        "rss20",
        "The Daily Ledger: World",
        3,
        3,
    )
    assert feed.next_poll_at == NOW + timedelta(minutes=10)


async def test_private_and_odd_links_are_skipped_not_fatal(
    server: PageServer, tmp_path: Path
) -> None:
    strict = Settings(fetch=FetchSettings(allow_private_hosts=False))
    url = serve(server, "/feeds/rss20.xml", "rss20.xml")
    with Store(tmp_path / "m.db") as store:
        # The feed itself sits on this machine (trusted for the test); its
        # items must still pass the guard.
        feed, _ = store.add_feed(url, now=NOW)
        async with Fetcher(strict.fetch, trusted_hosts=["127.0.0.1"]) as fetcher:
            result = await poll_feed(store, strict, fetcher, feed, NOW)
        assert result.outcome == "polled"
        reasons = dict(result.skipped)
        assert set(reasons) == {
            "ftp://files.example.com/report.pdf",
            "http://10.1.2.3/internal.html",
        }
        assert "private" in reasons["http://10.1.2.3/internal.html"]
        assert len(result.added) == 2
        assert store.find_article("http://10.1.2.3/internal.html") is None


async def test_polls_are_deduplicated_and_removed_articles_stay_removed(
    server: PageServer, store: Store, fetcher: Fetcher
) -> None:
    url = serve(server, "/feeds/rss20.xml", "rss20.xml")
    other = serve(server, "/feeds/copy.xml", "rss20.xml")
    await add_feed(store, settings(), fetcher, url, now=NOW)
    set_watch_state(store, [f"{NEWS}/world/talks.html"], State.REMOVED, NOW)
    later = NOW + timedelta(minutes=10)
    [again] = await poll_due_feeds(store, settings(), fetcher, later)
    assert (again.outcome, again.added, again.known) == ("polled", (), 3)
    # A second feed listing the same stories watches nothing twice and revives nothing.
    [second] = await add_feed(store, settings(), fetcher, other, now=later)
    assert second.poll is not None and second.poll.added == ()
    assert len(store.articles(states=list(State))) == 3
    talks = store.find_article(f"{NEWS}/world/talks.html")
    assert talks is not None and talks.state == State.REMOVED


async def test_second_poll_is_conditional_and_answered_304(
    server: PageServer, store: Store, fetcher: Fetcher
) -> None:
    url = serve(server, "/feeds/rss20.xml", "rss20.xml", etag='"v1"')
    [added] = await add_feed(store, settings(), fetcher, url, now=NOW)
    assert added.feed is not None and store.feed(added.feed.id).etag == '"v1"'
    later = NOW + timedelta(minutes=11)
    [result] = await poll_due_feeds(store, settings(), fetcher, later)
    assert result.outcome == "not_modified"
    assert server.requests_for("/feeds/rss20.xml")[-1].headers.get("If-None-Match") == '"v1"'
    feed = store.feed(added.feed.id)
    assert feed.last_polled_at == later and feed.next_poll_at == later + timedelta(minutes=10)
    # Not due again until the interval has passed.
    assert await poll_due_feeds(store, settings(), fetcher, later + timedelta(minutes=5)) == []


async def test_a_bumped_updated_time_makes_the_article_due_now(
    server: PageServer, store: Store, fetcher: Fetcher
) -> None:
    first = "2026-11-27T08:00:00Z"
    url = serve(server, "/feeds/atom.xml", "atom.xml", values={"updated": first})
    [added] = await add_feed(store, settings(), fetcher, url, now=NOW, tags=["politics"])
    assert added.poll is not None
    assert set(added.poll.added) == {
        f"{NEWS}/politics/budget.html",
        server.url("/politics/minister.html"),  # a relative link, resolved against the feed
    }
    budget = store.find_article(f"{NEWS}/politics/budget.html")
    assert budget is not None
    assert budget.posted_at == datetime(2026, 11, 26, 22, tzinfo=UTC)  # <published>, not <updated>
    assert store.feed_updated_at(budget.id) == datetime(2026, 11, 27, 8, tzinfo=UTC)
    # The article was checked since and is next due in an hour.
    store.set_state(budget.id, State.ACTIVE, next_check_at=NOW + timedelta(hours=1))

    later = NOW + timedelta(minutes=10)
    [same] = await poll_due_feeds(store, settings(), fetcher, later)
    assert same.due == ()
    assert store.article(budget.id).next_check_at == NOW + timedelta(hours=1)

    serve(server, "/feeds/atom.xml", "atom.xml", values={"updated": "2026-11-27T12:05:00Z"})
    bumped = later + timedelta(minutes=10)
    [result] = await poll_due_feeds(store, settings(), fetcher, bumped)
    assert result.due == (budget.id,)
    assert store.article(budget.id).next_check_at == bumped
    assert store.feed_updated_at(budget.id) == datetime(2026, 11, 27, 12, 5, tzinfo=UTC)


async def test_sitemap_takes_recent_dated_urls_only(
    server: PageServer, store: Store, fetcher: Fetcher
) -> None:
    url = serve(server, "/sitemap.xml", "sitemap.xml")
    [added] = await add_feed(store, settings(), fetcher, url, now=NOW)
    assert added.poll is not None and added.poll.kind == "sitemap"
    assert set(added.poll.added) == {f"{NEWS}/business/rates.html", f"{NEWS}/business/jobs.html"}
    assert added.poll.old == 2  # the archive page is too old, about.html has no date
    rates = store.find_article(f"{NEWS}/business/rates.html")
    assert rates is not None and rates.posted_at is None  # lastmod is no publication time
    assert store.feed_updated_at(rates.id) == datetime(2026, 11, 27, 5, tzinfo=UTC)


async def test_news_sitemap_gives_publication_dates(
    server: PageServer, store: Store, fetcher: Fetcher
) -> None:
    url = serve(server, "/news.xml", "news-sitemap.xml", values={"lastmod": "2026-11-27T02:00Z"})
    [added] = await add_feed(store, settings(max_age=86400), fetcher, url, now=NOW)
    assert added.poll is not None and added.poll.kind == "news-sitemap"
    assert added.poll.added == (f"{NEWS}/world/quake.html",)
    quake = store.find_article(f"{NEWS}/world/quake.html")
    assert quake is not None
    assert quake.posted_at == datetime(2026, 11, 27, 1, 15, tzinfo=UTC)
    assert quake.posted_raw == "feed: 2026-11-27T10:15:00+09:00"
    store.set_state(quake.id, State.ACTIVE, next_check_at=NOW + timedelta(hours=1))
    serve(server, "/news.xml", "news-sitemap.xml", values={"lastmod": "2026-11-27T11:40Z"})
    [result] = await poll_due_feeds(store, settings(), fetcher, NOW + timedelta(minutes=10))
    assert result.due == (quake.id,)


async def test_sitemap_index_follows_its_newest_children(
    server: PageServer, store: Store, fetcher: Fetcher
) -> None:
    url = serve(server, "/sitemap-index.xml", "sitemap-index.xml")
    for day, name in (("2026-11-27", "today"), ("2026-11-26", "yesterday"), ("2026-09", "old")):
        body = (
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>{NEWS}/{name}.html</loc><lastmod>{day}T10:00:00Z</lastmod></url>"
            "</urlset>"
        )
        if day == "2026-09":
            body = body.replace("2026-09T", "2026-09-30T")
        server.set(f"/sitemaps/{day}.xml", body.encode(), headers=XML, etag=f'"{name}"')
    [added] = await add_feed(store, settings(max_sitemaps=2), fetcher, url, now=NOW)
    assert added.poll is not None and added.poll.kind == "sitemap-index"
    assert set(added.poll.added) == {f"{NEWS}/today.html", f"{NEWS}/yesterday.html"}
    assert server.requests_for("/sitemaps/2026-09.xml") == []  # beyond max_sitemaps
    # The next poll asks each child conditionally.
    [again] = await poll_due_feeds(
        store, settings(max_sitemaps=2), fetcher, NOW + timedelta(hours=1)
    )
    assert again.outcome == "polled" and again.error is None
    assert server.requests_for("/sitemaps/2026-11-27.xml")[-1].headers["If-None-Match"] == '"today"'


async def test_a_home_page_is_replaced_by_the_feeds_it_links(
    server: PageServer, store: Store, fetcher: Fetcher
) -> None:
    server.set("/", (DATA / "home.html").read_text(encoding="utf-8"))
    serve(server, "/feeds/rss20.xml", "rss20.xml")
    added = await add_feed(store, settings(), fetcher, server.url("/"), now=NOW, tags=["ledger"])
    assert [(a.url, a.found_on) for a in added] == [
        (server.url("/feeds/rss20.xml"), server.url("/"))
    ]
    assert [f.url for f in store.feeds()] == [server.url("/feeds/rss20.xml")]
    assert len(added[0].poll.added) == 3  # type: ignore[union-attr]
    assert set(watched(store).values()) == {("ledger",)}

    server.set("/plain", "<html><head><title>x</title></head><body>no feeds</body></html>")
    with pytest.raises(NotAFeedError, match="links to no RSS or Atom feed"):
        await add_feed(store, settings(), fetcher, server.url("/plain"), now=NOW)

    # A feed registered without a first fetch (OPML import) that turns out to be a page.
    store.add_feed(server.url("/"), now=NOW, tags=["opml"])
    [replaced] = await poll_due_feeds(store, settings(), fetcher, NOW)
    assert (replaced.outcome, replaced.feeds) == ("replaced", (server.url("/feeds/rss20.xml"),))
    assert [(f.url, f.tags) for f in store.feeds()] == [
        (server.url("/feeds/rss20.xml"), ("ledger", "opml"))
    ]


async def test_broken_feeds_record_errors_and_back_off_without_stopping_others(
    server: PageServer, store: Store, fetcher: Fetcher
) -> None:
    server.set("/garbage.xml", b"this is no feed", headers={"Content-Type": "text/plain"})
    serve(server, "/xxe.xml", "xxe.xml")
    serve(server, "/feeds/rss20.xml", "rss20.xml")
    for path in ("/garbage.xml", "/missing.xml", "/xxe.xml", "/feeds/rss20.xml"):
        store.add_feed(server.url(path), now=NOW)
    results = {r.url: r for r in await poll_due_feeds(store, settings(), fetcher, NOW)}
    assert results[server.url("/feeds/rss20.xml")].outcome == "polled"
    errors = {url: r.error for url, r in results.items() if r.outcome == "error"}
    assert errors == {
        server.url(
            "/garbage.xml"
        ): f"{server.url('/garbage.xml')}: not a feed or sitemap (no XML found)",
        server.url("/missing.xml"): "HTTP 404",
        server.url(
            "/xxe.xml"
        ): f"{server.url('/xxe.xml')}: the document declares XML entities; refused",
    }
    broken = store.find_feed(server.url("/missing.xml"))
    assert broken is not None and broken.error_count == 1
    assert broken.next_poll_at == NOW + timedelta(minutes=10)
    later = NOW + timedelta(minutes=10)
    again = await poll_feed(store, settings(), fetcher, store.feed(broken.id), later)
    assert again.outcome == "error"
    assert store.feed(broken.id).next_poll_at == later + timedelta(minutes=20)  # backing off


async def test_feed_stories_are_picked_up_and_their_edits_recorded_by_the_service(
    server: PageServer, tmp_path: Path
) -> None:
    """The issue's acceptance path: add a feed, never a URL, and see edits recorded."""
    server.set("/world/story.html", page(PARAGRAPHS, noise=1))
    rss = (
        '<rss version="2.0"><channel><title>Local</title>'
        f"<item><link>{server.url('/world/story.html')}</link>"
        "<pubDate>Fri, 27 Nov 2026 11:00:00 GMT</pubDate></item></channel></rss>"
    )
    server.set("/rss.xml", rss.encode(), headers=XML)
    now = [NOW]
    config = settings()
    with Store(tmp_path / "m.db") as store:
        async with Fetcher(config.fetch) as fetcher:
            store.add_feed(server.url("/rss.xml"), now=NOW, tags=["local"])
            service = Service(store, config, fetcher, clock=lambda: now[0])
            [polled] = await service.poll_feeds()
            assert polled.added == (server.url("/world/story.html"),)
            [first] = await service.dispatch_due()
            assert (first.outcome, first.version) == (Outcome.NEW, 1)
            edited = [*PARAGRAPHS]
            edited[2] = "Around 450 delegates are expected to attend the opening session."
            server.set("/world/story.html", page(edited, noise=2))
            now[0] = NOW + timedelta(hours=1)
            [second] = await service.dispatch_due()
            assert (second.outcome, second.version) == (Outcome.CHANGED, 2)
            article = store.article(first.article_id)
            assert article.tags == ("local",)
            # The page states its own Posted time, which replaces the feed's.
            assert article.posted_at == datetime(2019, 3, 26, 8, 8, tzinfo=UTC)


async def test_the_running_service_polls_feeds_on_its_own(
    server: PageServer, tmp_path: Path
) -> None:
    published = email.utils.format_datetime(datetime.now(UTC) - timedelta(hours=1))
    items = ""
    for name in ("one", "two"):
        server.set(f"/{name}.html", page(PARAGRAPHS, noise=1))
        items += (
            f"<item><link>{server.url(f'/{name}.html')}</link><pubDate>{published}</pubDate></item>"
        )
    server.set(
        "/rss.xml", f'<rss version="2.0"><channel>{items}</channel></rss>'.encode(), headers=XML
    )
    config = Settings(
        fetch=FetchSettings(allow_private_hosts=True), schedule=ScheduleSettings(tick=0.1)
    )
    with Store(tmp_path / "m.db") as store:
        feed, _ = store.add_feed(server.url("/rss.xml"), now=datetime.now(UTC))
        async with Fetcher(config.fetch) as fetcher:
            service = Service(store, config, fetcher)
            running = asyncio.ensure_future(service.run())
            for _ in range(100):
                await asyncio.sleep(0.05)
                if store.feed(feed.id).last_polled_at is not None:
                    break
            service.stop()
            await asyncio.wait_for(running, 5)
        assert store.feed(feed.id).articles_found == 2


# -- the command line ----------------------------------------------------------------


def test_feed_commands(server: PageServer, tmp_path: Path) -> None:
    env = {"MONITOR_DB": str(tmp_path / "m.db"), "MONITOR_ALLOW_PRIVATE_HOSTS": "1"}
    # The fixtures' dates are fixed; take everything from the last hundred years.
    env["MONITOR_FEEDS_MAX_AGE"] = "36500d"
    url = serve(server, "/feeds/rss20.xml", "rss20.xml")
    runner = CliRunner()
    added = runner.invoke(main, ["feed", "add", "--tag", "world", url], env=env)
    assert added.exit_code == 0, added.output
    assert f"feed added: {url} (id 1)" in added.stderr
    assert "polled        rss20         5 items: 4 added, 0 known, 0 too old, 1 skipped" in (
        added.stdout
    )
    listed = json.loads(runner.invoke(main, ["feed", "list", "--json"], env=env).stdout)
    assert [(f["url"], f["kind"], f["tags"], f["articles_found"]) for f in listed["feeds"]] == [
        (url, "rss20", ["world"], 4)
    ]
    polled = runner.invoke(main, ["feed", "poll", "--json"], env=env)
    assert json.loads(polled.stdout)["polls"][0]["known"] == 5 - 1
    bad = runner.invoke(main, ["feed", "add", server.url("/nothing-here")], env=env)
    assert bad.exit_code == 2 and "HTTP 404" in bad.stderr
    removed = runner.invoke(main, ["feed", "remove", "1"], env=env)
    assert removed.exit_code == 0 and "4 articles stay watched" in removed.stderr
    assert json.loads(runner.invoke(main, ["feed", "list", "--json"], env=env).stdout) == {
        "feeds": []
    }
    listed_articles = json.loads(runner.invoke(main, ["list", "--json"], env=env).stdout)
    assert len(listed_articles["articles"]) == 4


async def test_a_feed_removed_mid_poll_is_no_error_for_the_service(
    server: PageServer, store: Store, fetcher: Fetcher
) -> None:
    url = serve(server, "/feeds/rss20.xml", "rss20.xml")
    feed, _ = store.add_feed(url, now=NOW)
    store.delete_feed(feed.id)  # `monitor feed remove` while the service holds the row
    result = await poll_feed(store, settings(), fetcher, feed, NOW)
    assert result.outcome == "error"
    assert store.feeds() == []
