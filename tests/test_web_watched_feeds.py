"""Feeds in the web UI and the API: watch one, see what its polls found, poll now, remove.

The same real parts as ``test_web_api.py``: a feed and its articles served by
the local page server, the real feed poller and Checker, a real SQLite file.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from monitor.web.api import FeedsAddedOut, FeedsOut, PolledOut
from tests.pageserver import PageServer
from tests.samples import PARAGRAPHS, page
from tests.test_web_api import Web, assert_error, csrf_of, open_web, settings_for

pytestmark = pytest.mark.anyio

XML = {"Content-Type": "application/rss+xml; charset=utf-8"}
HOSTILE_TITLE = "&lt;img src=x onerror=window.pwned=1&gt; Desk &amp;amp; wire"  # XML-escaped


def rss(web: Web, title: str, paths: list[str]) -> bytes:
    """An RSS feed, published "now" by the test clock, linking to articles on the page server."""
    when = web.clock[0].strftime("%a, %d %b %Y %H:%M:%S GMT")
    items = "".join(
        f"<item><title>Story {i}</title><link>{web.server.url(path)}</link>"
        f"<pubDate>{when}</pubDate></item>"
        for i, path in enumerate(paths)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>{web.server.url('/')}</link>{items}</channel></rss>"
    ).encode()


def serve_feed(web: Web, title: str, paths: list[str]) -> str:
    for path in paths:
        web.server.set(path, page(PARAGRAPHS))
    web.server.set("/rss.xml", rss(web, title, paths), headers=XML)
    return web.server.url("/rss.xml")


@pytest.fixture
async def web(server: PageServer, tmp_path: Path) -> AsyncIterator[Web]:
    async for opened in open_web(server, tmp_path, settings_for(tmp_path)):
        yield opened


async def test_the_api_watches_lists_polls_and_removes_a_feed(web: Web) -> None:
    url = serve_feed(web, "World desk", ["/a.html", "/b.html"])
    added = await web.client.post("/api/feeds", json={"url": url, "tags": ["world"]})
    assert added.status_code == 201, added.text
    [item] = FeedsAddedOut.model_validate(added.json()).feeds
    assert item.created and item.id is not None and item.poll is not None
    assert sorted(item.poll.added) == [web.server.url("/a.html"), web.server.url("/b.html")]
    assert {a.url: a.tags for a in web.store.articles()} == {
        web.server.url("/a.html"): ("world",),
        web.server.url("/b.html"): ("world",),
    }

    again = await web.client.post("/api/feeds", json={"url": url})
    assert again.status_code == 200 and again.json()["feeds"][0]["created"] is False

    [listed] = FeedsOut.model_validate((await web.client.get("/api/feeds")).json()).feeds
    assert (listed.id, listed.kind, listed.title, listed.articles_found) == (
        item.id,
        "rss20",
        "World desk",
        2,
    )
    assert listed.tags == ["world"]

    web.server.set("/c.html", page(PARAGRAPHS[:2]))
    web.server.set(
        "/rss.xml", rss(web, "World desk", ["/a.html", "/b.html", "/c.html"]), headers=XML
    )
    polled = await web.client.post(f"/api/feeds/{item.id}/poll")
    assert polled.status_code == 200, polled.text
    result = PolledOut.model_validate(polled.json())
    assert result.poll.added == [web.server.url("/c.html")] and result.poll.known == 2
    assert result.feed.articles_found == 3

    removed = await web.client.delete(f"/api/feeds/{item.id}")
    assert removed.status_code == 200 and removed.json()["url"] == url
    assert (await web.client.get("/api/feeds")).json() == {"feeds": []}
    assert len(web.store.articles()) == 3  # the articles it found stay watched
    assert "no feed with id" in assert_error(await web.client.delete(f"/api/feeds/{item.id}"), 404)
    assert_error(await web.client.post(f"/api/feeds/{item.id}/poll"), 404)


async def test_the_api_refuses_what_is_not_a_feed(web: Web) -> None:
    web.server.set("/plain.html", page(PARAGRAPHS))  # an article page that links to no feed
    message = assert_error(
        await web.client.post("/api/feeds", json={"url": web.server.url("/plain.html")}), 400
    )
    assert "links to no RSS or Atom feed" in message
    missing = await web.client.post("/api/feeds", json={"url": web.server.url("/nothing.xml")})
    assert "HTTP 404" in assert_error(missing, 400)
    assert assert_error(await web.client.post("/api/feeds", json={"url": "ftp://x/rss"}), 400)
    assert web.store.feeds() == [] and web.store.articles() == []


async def test_the_feeds_page_adds_polls_and_removes_with_csrf(web: Web) -> None:
    empty = await web.client.get("/watched-feeds")
    assert empty.status_code == 200 and "No feeds yet" in empty.text
    assert 'href="/watched-feeds" aria-current="page"' in empty.text
    url = serve_feed(web, HOSTILE_TITLE, ["/a.html"])

    refused = await web.client.post("/watched-feeds", data={"url": url})
    assert refused.status_code == 403 and web.store.feeds() == []

    csrf = csrf_of(empty.text)
    added = await web.client.post(
        "/watched-feeds", data={"url": url, "tags": "world, desk", "csrf_token": csrf}
    )
    assert added.status_code == 303 and added.headers["location"] == "/watched-feeds"
    listing = (await web.client.get("/watched-feeds")).text
    assert "1 new article(s) added" in listing
    assert "<strong>Desk &amp; wire</strong>" in listing  # the title's markup is gone
    assert "<img" not in listing and "pwned" not in listing
    assert re.search(r'href="/\?tag=desk">desk</a>', listing)
    [feed] = web.store.feeds()
    assert feed.tags == ("desk", "world") and feed.articles_found == 1

    polled = await web.client.post(f"/watched-feeds/{feed.id}/poll", data={"csrf_token": csrf})
    assert polled.status_code == 303
    assert f"Polled {url}: 0 new article(s) added." in (await web.client.get("/watched-feeds")).text

    removed = await web.client.post(f"/watched-feeds/{feed.id}/remove", data={"csrf_token": csrf})
    assert removed.status_code == 303
    after = (await web.client.get("/watched-feeds")).text
    assert "1 article(s) stay watched" in after and "No feeds yet" in after
    assert web.store.feeds() == [] and len(web.store.articles()) == 1


async def test_a_bad_feed_address_keeps_what_was_typed_and_says_why(web: Web) -> None:
    csrf = csrf_of((await web.client.get("/watched-feeds")).text)
    typed = web.server.url("/missing.xml")
    answer = await web.client.post(
        "/watched-feeds", data={"url": typed, "tags": "kept", "csrf_token": csrf}
    )
    assert answer.status_code == 400
    assert "HTTP 404" in answer.text
    assert f'value="{typed}"' in answer.text and 'value="kept"' in answer.text
    assert web.store.feeds() == []
