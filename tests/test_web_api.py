"""The JSON API, access control and feeds, against a real database built by the real checker.

Articles are served by the local page server, checked by the real Checker
into a real SQLite file, and the app is called in-process through httpx's
ASGI transport (same thread as the store, as in production). The fixtures
here are shared with ``test_web_pages.py``.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
import fastapi.routing
import httpx
import pytest
from click.testing import CliRunner
from fastapi.routing import APIRoute
from starlette.routing import Mount, Route

from monitor.checker import Checker
from monitor.cli import main as cli_main
from monitor.config import FetchSettings, Settings, WebSettings
from monitor.errors import ConfigError
from monitor.fetch import Fetcher
from monitor.schedule import Service
from monitor.store import Store
from monitor.watchlist import add_urls
from monitor.web import create_app, serve
from monitor.web.api import ArticleOut, ArticlesOut, DiffOut, EditName, EditsOut, FullVersionOut
from monitor.web.security import check_exposure
from monitor.web.server import listen
from monitor.web.views import EDIT_CHOICES
from tests.pageserver import PageServer
from tests.samples import PARAGRAPHS, page

pytestmark = pytest.mark.anyio

START = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
TOKEN = "correct-horse-battery-staple-42"
BASE = "http://127.0.0.1:8000"
EDITED = [
    PARAGRAPHS[0].replace("Tuesday", "Wednesday"),
    *PARAGRAPHS[2:],
    "The delegations will meet again in Pyongyang in December.",
]


def settings_for(tmp_path: Path, **web: Any) -> Settings:
    return Settings(
        db_path=tmp_path / "monitor.db",
        fetch=FetchSettings(allow_private_hosts=True, host_delay=0.0),
        web=WebSettings(**web),
    )


@dataclass
class Web:
    """An app over a real store, with a clock the test moves and the page server."""

    client: httpx.AsyncClient
    store: Store
    server: PageServer
    settings: Settings
    clock: list[datetime]
    checker: Checker

    def later(self, **delta: float) -> datetime:
        self.clock[0] += timedelta(**delta)
        return self.clock[0]

    async def watch(self, path: str, paragraphs: list[str], *, tags: tuple[str, ...] = ()) -> int:
        """Serve an article page and take its first version through the real checker."""
        self.server.set(path, page(paragraphs))
        [added] = add_urls(
            self.store, [self.server.url(path)], now=self.clock[0], tags=tags, allow_private=True
        )
        await self.checker.check(self.store.article(added.article.id))
        return added.article.id

    async def edit(self, article_id: int, path: str, paragraphs: list[str], **page_args: Any):
        """Change the served page and check it again, an hour later."""
        self.server.set(path, page(paragraphs, **page_args))
        self.later(hours=1)
        return await self.checker.check(self.store.article(article_id))


async def open_web(
    server: PageServer, tmp_path: Path, settings: Settings, *, service: bool = False
) -> AsyncIterator[Web]:
    clock = [START]
    with Store(settings.db_path) as store:
        async with Fetcher(settings.fetch) as fetcher:
            checker = Checker(store, settings, fetcher, clock=lambda: clock[0])
            running = Service(store, settings, fetcher, clock=lambda: clock[0]) if service else None
            app = create_app(
                settings, store, checker=checker, service=running, clock=lambda: clock[0]
            )
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
                yield Web(client, store, server, settings, clock, checker)


@pytest.fixture
async def web(server: PageServer, tmp_path: Path) -> AsyncIterator[Web]:
    """No token: the loopback setup most people run."""
    async for opened in open_web(server, tmp_path, settings_for(tmp_path)):
        yield opened


@pytest.fixture
async def locked(server: PageServer, tmp_path: Path) -> AsyncIterator[Web]:
    """A token is configured: everything but /healthz, /login and /static needs it."""
    async for opened in open_web(server, tmp_path, settings_for(tmp_path, token=TOKEN)):
        yield opened


async def edited_article(web: Web) -> int:
    """One article with two versions: a reworded sentence, one cut, one added."""
    article_id = await web.watch("/story", PARAGRAPHS, tags=("korea",))
    result = await web.edit(article_id, "/story", EDITED, updated="2019-03-27T09:00:00+09:00")
    assert result.version == 2
    return article_id


def assert_error(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    message = response.json()["error"]
    assert isinstance(message, str) and message
    return message


# -- reading ---------------------------------------------------------------------------------


async def test_lists_filters_sorts_and_pages_the_watchlist(web: Web) -> None:
    edited = await edited_article(web)
    quiet = await web.watch("/quiet", PARAGRAPHS[:2])
    other = await web.watch("/other", PARAGRAPHS[1:], tags=("sport",))

    listed = (await web.client.get("/api/articles")).json()
    ArticlesOut.model_validate(listed)
    assert listed["total"] == 3 and listed["next"] is None
    assert listed["articles"][0]["id"] == edited  # most recently edited first
    assert listed["articles"][0]["versions"] == 2

    def ids(response: httpx.Response) -> list[int]:
        assert response.status_code == 200, response.text
        return [a["id"] for a in response.json()["articles"]]

    assert ids(await web.client.get("/api/articles?tag=korea")) == [edited]
    assert ids(await web.client.get("/api/articles?kind=declared")) == [edited]
    assert ids(await web.client.get("/api/articles?kind=stealth")) == []
    assert ids(await web.client.get("/api/articles?q=QUIET")) == [quiet]
    assert ids(await web.client.get("/api/articles?outlet=127.0.0.1&sort=added")) == [
        other,
        quiet,
        edited,
    ]
    first = await web.client.get("/api/articles?sort=edits&limit=2")
    assert (
        ids(first)[0] == edited
        and first.json()["next"] == "/api/articles?sort=edits&limit=2&offset=2"
    )
    assert first.headers["link"] == '</api/articles?sort=edits&limit=2&offset=2>; rel="next"'
    assert len(ids(await web.client.get(first.json()["next"]))) == 1

    await web.client.patch(f"/api/articles/{quiet}", json={"state": "removed"})
    assert quiet not in ids(await web.client.get("/api/articles"))
    assert ids(await web.client.get("/api/articles?state=removed")) == [quiet]


async def test_one_article_its_versions_and_full_text(web: Web) -> None:
    article_id = await edited_article(web)
    article = (await web.client.get(f"/api/articles/{article_id}")).json()
    ArticleOut.model_validate(article)
    assert article["title"] == "NK, US agree to restart nuclear talks"
    assert article["tags"] == ["korea"] and article["state"] == "active"
    assert article["last_changed_at"] == (START + timedelta(hours=1)).isoformat()

    versions = (await web.client.get(f"/api/articles/{article_id}/versions")).json()
    assert [v["n"] for v in versions["versions"]] == [1, 2]
    assert versions["versions"][1]["kind"] == "declared"
    assert versions["versions"][1]["links"]["diff"].endswith("diff?from=1&to=2")

    second = (await web.client.get(f"/api/articles/{article_id}/versions/2")).json()
    FullVersionOut.model_validate(second)
    assert second["paragraphs"] == EDITED
    assert second["body"] == "\n\n".join(EDITED)
    assert_error(await web.client.get(f"/api/articles/{article_id}/versions/3"), 404)


async def test_the_diff_is_the_same_document_as_the_cli_prints(web: Web) -> None:
    article_id = await edited_article(web)
    served = await web.client.get(f"/api/articles/{article_id}/diff")
    assert served.status_code == 200
    DiffOut.model_validate(served.json())

    url = web.server.url("/story")
    cli = CliRunner().invoke(
        cli_main, ["--db", str(web.settings.db_path), "diff", url, "--format", "json"]
    )
    assert cli.exit_code == 0, cli.output
    assert served.json() == json.loads(cli.output)

    body = served.json()["body"]
    reworded = next(op for op in body if op["op"] == "replace")
    assert ["delete", "Tuesday"] in reworded["words"] and ["insert", "Wednesday"] in reworded[
        "words"
    ]
    explicit = await web.client.get(f"/api/articles/{article_id}/diff?from=2&to=1")
    assert explicit.json()["from"] == 2 and explicit.json()["to"] == 1


async def test_recent_edits_across_articles_with_filters(web: Web) -> None:
    first = await edited_article(web)
    second = await web.watch("/second", PARAGRAPHS, tags=("sport",))
    # Same Updated time as before: a stealth edit.
    await web.edit(second, "/second", PARAGRAPHS[:3])

    edits = (await web.client.get("/api/edits")).json()
    EditsOut.model_validate(edits)
    assert [(e["article_id"], e["version"]["n"]) for e in edits["edits"]] == [
        (second, 2),
        (first, 2),
    ]
    assert edits["edits"][0]["version"]["kind"] == "stealth"

    def pairs(response: httpx.Response) -> list[int]:
        assert response.status_code == 200, response.text
        return [e["article_id"] for e in response.json()["edits"]]

    assert pairs(await web.client.get("/api/edits?kind=stealth")) == [second]
    assert pairs(await web.client.get("/api/edits?tag=korea")) == [first]
    assert pairs(await web.client.get("/api/edits?outlet=127.0.0.1&limit=1")) == [second]
    assert pairs(await web.client.get("/api/edits?since=30m")) == [second]
    since = (START + timedelta(minutes=90)).isoformat()
    assert pairs(await web.client.get("/api/edits", params={"since": since})) == [second]
    assert pairs(await web.client.get("/api/edits?since=2020-01-01")) == [second, first]
    web.later(minutes=5)
    assert pairs(await web.client.get("/api/edits?since=1m")) == []


# -- changing ------------------------------------------------------------------------------------


async def test_add_urls_takes_the_first_snapshot(web: Web) -> None:
    web.server.set("/new", page(PARAGRAPHS))
    url = web.server.url("/new")
    added = await web.client.post("/api/articles", json={"urls": [url], "tags": ["korea"]})
    assert added.status_code == 201, added.text
    document = added.json()
    assert document["articles"][0]["created"] is True
    assert document["articles"][0]["versions"] == 1
    assert document["results"][0]["outcome"] == "new"

    again = await web.client.post("/api/articles", json={"urls": [url], "check": False})
    assert again.status_code == 200
    assert again.json()["articles"][0]["created"] is False and again.json()["results"] == []


async def test_pause_resume_remove_and_purge(web: Web) -> None:
    article_id = await web.watch("/a", PARAGRAPHS)
    path = f"/api/articles/{article_id}"
    paused = await web.client.patch(path, json={"state": "paused"})
    assert paused.json()["state"] == "paused" and paused.json()["next_check_at"] is None
    resumed = await web.client.patch(path, json={"state": "active"})
    assert resumed.json()["state"] == "active"
    removed = await web.client.delete(path)
    assert removed.status_code == 200 and removed.json()["state"] == "removed"
    assert removed.json()["versions"] == 1  # history kept
    purged = await web.client.delete(path, params={"purge": "true"})
    assert purged.status_code == 204
    assert_error(await web.client.get(path), 404)


async def test_check_now_goes_through_the_checker(web: Web) -> None:
    article_id = await web.watch("/live", PARAGRAPHS)
    web.server.set("/live", page(EDITED, updated="2019-03-27T09:00:00+09:00"))
    web.later(minutes=10)
    checked = await web.client.post(f"/api/articles/{article_id}/check")
    assert checked.status_code == 200, checked.text
    result = checked.json()["result"]
    assert (result["outcome"], result["version"], result["kind"]) == ("changed", 2, "declared")
    assert checked.json()["article"]["versions"] == 2
    again = (await web.client.post(f"/api/articles/{article_id}/check")).json()
    assert again["result"]["outcome"] == "unchanged"


# -- bad input ---------------------------------------------------------------------------------------


async def test_bad_input_is_a_4xx_json_error_never_a_500(web: Web) -> None:
    article_id = await web.watch("/a", PARAGRAPHS)
    c = web.client
    cases: list[tuple[int, Callable[[], Any]]] = [
        (404, lambda: c.get("/api/articles/999")),
        (422, lambda: c.get("/api/articles/abc")),
        (422, lambda: c.get("/api/articles/99999999999999999999999999")),
        (422, lambda: c.get("/api/articles/0")),
        (422, lambda: c.get("/api/articles?limit=0")),
        (422, lambda: c.get("/api/articles?limit=100000")),
        (422, lambda: c.get("/api/articles?offset=-1")),
        (422, lambda: c.get("/api/articles?kind=sneaky")),
        (422, lambda: c.get("/api/articles?state=vanished")),
        (422, lambda: c.get("/api/articles?sort=random")),
        (422, lambda: c.get("/api/edits?kind=nope")),
        (400, lambda: c.get("/api/edits?since=last%20tuesday")),
        (409, lambda: c.get(f"/api/articles/{article_id}/diff")),
        (404, lambda: c.get(f"/api/articles/{article_id}/versions/2")),
        (422, lambda: c.get(f"/api/articles/{article_id}/versions/-1")),
        (422, lambda: c.get(f"/api/articles/{article_id}/diff?from=x")),
        (422, lambda: c.post("/api/articles", json={"urls": []})),
        (422, lambda: c.post("/api/articles", json={"url": "http://x.example/"})),
        (422, lambda: c.post("/api/articles", json={"urls": ["http://x.example/"], "tag": "a"})),
        (422, lambda: c.post("/api/articles", json={"urls": "http://x.example/"})),
        (
            422,
            lambda: c.post("/api/articles", json={"urls": ["http://x.example/"], "check": "yes"}),
        ),
        (422, lambda: c.post("/api/articles", content=b"{not json", headers=JSON)),
        (422, lambda: c.post("/api/articles", content=b'{"urls": ["a"]}', headers=TEXT)),
        (422, lambda: c.post("/api/articles", json=["http://x.example/"])),
        (400, lambda: c.post("/api/articles", json={"urls": ["ftp://x.example/a"]})),
        (400, lambda: c.post("/api/articles", json={"urls": ["not a url at all"]})),
        (
            400,
            lambda: c.post("/api/articles", json={"urls": ["http://x.example/"], "interval": "1s"}),
        ),
        (422, lambda: c.patch(f"/api/articles/{article_id}", json={})),
        (422, lambda: c.patch(f"/api/articles/{article_id}", json={"state": "gone"})),
        (422, lambda: c.patch(f"/api/articles/{article_id}", json={"state": "paused", "x": 1})),
        (404, lambda: c.patch("/api/articles/999", json={"state": "paused"})),
        (404, lambda: c.delete("/api/articles/999")),
        (404, lambda: c.post("/api/articles/999/check")),
        (404, lambda: c.get("/api/nothing-here")),
        (405, lambda: c.put(f"/api/articles/{article_id}", json={})),
        (
            413,
            lambda: c.post("/api/articles", content=b"[" + b" " * 2_000_000 + b"]", headers=JSON),
        ),
    ]
    for status, call in cases:
        response = await call()
        assert_error(response, status)
    # The stored history is untouched by all of that.
    assert [v.n for v in web.store.versions(article_id)] == [1]


async def test_a_private_address_is_refused_when_private_hosts_are_not_allowed(
    server: PageServer, tmp_path: Path
) -> None:
    settings = replace(settings_for(tmp_path), fetch=FetchSettings())
    async for web in open_web(server, tmp_path, settings):
        refused = await web.client.post("/api/articles", json={"urls": ["http://10.1.2.3/a"]})
        assert "private" in assert_error(refused, 400)


async def test_diff_version_numbers_are_checked(web: Web) -> None:
    article_id = await edited_article(web)
    assert_error(await web.client.get(f"/api/articles/{article_id}/diff?from=2&to=2"), 400)
    assert_error(await web.client.get(f"/api/articles/{article_id}/diff?from=1&to=9"), 404)


def test_edit_names_are_the_filter_choices() -> None:
    assert EditName.__args__ == EDIT_CHOICES  # type: ignore[attr-defined]


# -- access -----------------------------------------------------------------------------------------

JSON = {"content-type": "application/json"}
TEXT = {"content-type": "text/plain"}
PUBLIC = {"/healthz", "/login"}


def every_route(app: Any) -> list[tuple[str, str]]:
    """(method, path) for every route the app has, path parameters filled in.

    Newer FastAPI keeps included routers as wrappers in ``app.routes``;
    ``iter_route_contexts`` flattens them (older releases list routes directly).
    """
    flatten = getattr(fastapi.routing, "iter_route_contexts", None)
    found = []
    for item in flatten(app.routes) if flatten else app.routes:
        route = getattr(item, "original_route", item)
        if isinstance(route, Mount):
            found.append(("GET", f"{route.path}/style.css"))
            continue
        assert isinstance(route, APIRoute | Route), route
        path = re.sub(
            r"\{(\w+)\}",
            lambda m: "1" if m[1] in ("article_id", "feed_id", "n") else "x",
            item.path,
        )
        for method in sorted(item.methods or {"GET"}):
            if method != "HEAD":
                found.append((method, path))
    return found


async def test_every_route_refuses_anonymous_requests_when_a_token_is_set(locked: Web) -> None:
    article_id = await locked.watch("/a", PARAGRAPHS)
    assert article_id == 1
    app = locked.client._transport.app  # type: ignore[attr-defined]
    routes = every_route(app)
    assert len(routes) > 25
    checked = 0
    for method, path in routes:
        if path in PUBLIC or path.startswith("/static/"):
            continue
        response = await locked.client.request(method, path, json={} if method != "GET" else None)
        checked += 1
        machine = path.startswith(("/api/", "/feeds/", "/openapi"))
        if method == "GET" and not machine:  # a browser is sent to the login form
            assert response.status_code == 303, (method, path)
            assert response.headers["location"].startswith("/login?next=")
        else:
            assert response.status_code == 401, (method, path, response.text)
            assert response.json()["error"] if machine else "Log in" in response.text
    assert checked >= 20
    # The public ones answer without a token.
    assert (await locked.client.get("/login")).status_code == 200
    assert (await locked.client.get("/static/style.css")).status_code == 200
    assert (await locked.client.get("/healthz")).status_code == 503  # no scheduler here


async def test_the_api_takes_the_bearer_token(locked: Web) -> None:
    await locked.watch("/a", PARAGRAPHS)
    good = {"Authorization": f"Bearer {TOKEN}"}
    assert (await locked.client.get("/api/articles", headers=good)).status_code == 200
    assert (await locked.client.get("/openapi.json", headers=good)).status_code == 200
    changed = await locked.client.patch("/api/articles/1", json={"state": "paused"}, headers=good)
    assert changed.status_code == 200
    wrong = {"Authorization": f"Bearer {TOKEN}x"}
    assert_error(await locked.client.get("/api/articles", headers=wrong), 401)
    basic = {"Authorization": f"Basic {TOKEN}"}
    assert_error(await locked.client.get("/api/articles", headers=basic), 401)


async def test_login_sets_a_session_that_opens_pages_but_not_api_writes(locked: Web) -> None:
    await locked.watch("/a", PARAGRAPHS)
    c = locked.client
    form = await c.get("/login?next=/articles/1")
    csrf = csrf_of(form.text)
    wrong = await c.post("/login", data={"token": "nope", "csrf_token": csrf, "next": "/"})
    assert wrong.status_code == 401
    logged = await c.post(
        "/login", data={"token": TOKEN, "csrf_token": csrf, "next": "/articles/1"}
    )
    assert logged.status_code == 303 and logged.headers["location"] == "/articles/1"
    assert "monitor_session" in c.cookies
    assert (await c.get("/articles/1")).status_code == 200
    assert (await c.get("/api/articles/1")).status_code == 200  # reading with the cookie
    assert_error(await c.patch("/api/articles/1", json={"state": "paused"}), 401)
    page_csrf = csrf_of((await c.get("/")).text)
    out = await c.post("/logout", data={"csrf_token": page_csrf})
    assert out.status_code == 303
    assert (await c.get("/articles/1")).status_code == 303


async def test_login_never_redirects_to_another_site(locked: Web) -> None:
    c = locked.client
    csrf = csrf_of((await c.get("/login")).text)
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        logged = await c.post("/login", data={"token": TOKEN, "csrf_token": csrf, "next": target})
        assert logged.headers["location"] == "/"
        csrf = csrf_of((await c.get("/")).text)


async def test_feeds_open_with_their_own_key(locked: Web) -> None:
    await edited_article(locked)
    keys = locked.client._transport.app.state.ctx.keys  # type: ignore[attr-defined]
    path = "/feeds/edits.atom"
    assert_error(await locked.client.get(path), 401)
    assert (await locked.client.get(path, params={"key": keys.feed_key(path)})).status_code == 200
    other = "/feeds/articles/1.atom"
    assert_error(await locked.client.get(other, params={"key": keys.feed_key(path)}), 401)
    assert_error(await locked.client.get("/api/articles", params={"key": keys.feed_key(path)}), 401)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF field on the page"
    return match[1]


async def test_forms_need_the_csrf_token_and_a_same_site_origin(web: Web) -> None:
    web.server.set("/f", page(PARAGRAPHS))
    url = web.server.url("/f")
    c = web.client
    missing = await c.post("/articles", data={"urls": url})
    assert missing.status_code == 403 and "expired" in missing.text
    csrf = csrf_of((await c.get("/")).text)
    forged = await c.post("/articles", data={"urls": url, "csrf_token": csrf + "x"})
    assert forged.status_code == 403
    elsewhere = await c.post(
        "/articles",
        data={"urls": url, "csrf_token": csrf},
        headers={"Origin": "https://evil.example"},
    )
    assert elsewhere.status_code == 403
    sent_null = await c.post(
        "/articles", data={"urls": url, "csrf_token": csrf}, headers={"Origin": "null"}
    )
    assert sent_null.status_code == 403
    cross = await c.post(
        "/articles",
        data={"urls": url, "csrf_token": csrf},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert cross.status_code == 403
    assert web.store.find_article(url) is None
    ok = await c.post("/articles", data={"urls": url, "csrf_token": csrf}, headers={"Origin": BASE})
    assert ok.status_code == 303
    assert web.store.find_article(url) is not None
    # The API refuses another site's origin too, even without a token configured.
    api = await c.post(
        "/api/articles", json={"urls": [url]}, headers={"Origin": "https://evil.example"}
    )
    assert_error(api, 403)


async def test_every_form_post_checks_the_csrf_token(web: Web) -> None:
    article_id = await web.watch("/a", PARAGRAPHS)
    app = web.client._transport.app  # type: ignore[attr-defined]
    posts = [p for m, p in every_route(app) if m == "POST" and not p.startswith("/api/")]
    assert len(posts) >= 7
    await web.client.get("/")  # a session with a CSRF token exists
    for path in posts:
        refused = await web.client.post(path, data={"csrf_token": "forged", "state": "paused"})
        assert refused.status_code == 403, path
    assert web.store.article(article_id).state.value == "active"


async def test_without_a_token_only_loopback_names_are_answered(web: Web) -> None:
    """A hostile site cannot rebind its own name to 127.0.0.1 and read the watchlist."""
    for host in ("evil.example", "evil.example:8000", "192.168.1.5:8000"):
        refused = await web.client.get("/api/articles", headers={"Host": host})
        assert_error(refused, 403)
    for host in ("localhost:8000", "127.0.0.1", "[::1]:8000"):
        assert (await web.client.get("/api/articles", headers={"Host": host})).status_code == 200


async def test_security_headers_on_every_answer(web: Web) -> None:
    for path in ("/", "/api/articles", "/nothing", "/static/app.js", "/healthz"):
        headers = (await web.client.get(path)).headers
        csp = headers["content-security-policy"]
        script = next(part for part in csp.split(";") if "script-src" in part)
        assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script
        assert "frame-ancestors 'none'" in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
    assert (await web.client.get("/")).headers["cache-control"] == "no-store"


# -- feeds ----------------------------------------------------------------------------------------------

A = "{http://www.w3.org/2005/Atom}"


def parse_atom(response: httpx.Response) -> ET.Element:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    assert feed.tag == f"{A}feed"
    for name in ("id", "title", "updated"):
        assert feed.find(f"{A}{name}") is not None, name
    assert feed.find(f"{A}author/{A}name") is not None
    stamp = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
    assert stamp.match(feed.findtext(f"{A}updated") or "")
    ids = [entry.findtext(f"{A}id") for entry in feed.findall(f"{A}entry")]
    assert len(ids) == len(set(ids)) and all(i and i.startswith("urn:uuid:") for i in ids)
    for entry in feed.findall(f"{A}entry"):
        assert entry.findtext(f"{A}title")
        assert stamp.match(entry.findtext(f"{A}updated") or "")
        content = entry.find(f"{A}content")
        assert content is not None and content.get("type") == "html"
    return feed


async def test_atom_feeds_of_edits(web: Web) -> None:
    first = await edited_article(web)
    second = await web.watch("/b", PARAGRAPHS, tags=("sport",))
    await web.edit(second, "/b", PARAGRAPHS[:3])

    everything = parse_atom(await web.client.get("/feeds/edits.atom"))
    assert len(everything.findall(f"{A}entry")) == 2
    entry = everything.findall(f"{A}entry")[1]
    html = entry.findtext(f"{A}content") or ""
    assert "<del>Tuesday</del><ins>Wednesday</ins>" in html
    link = entry.find(f"{A}link[@rel='alternate']")
    assert link is not None and link.get("href") == f"{BASE}/articles/{first}/diff?from=1&to=2"

    assert len(parse_atom(await web.client.get("/feeds/tags/korea.atom")).findall(f"{A}entry")) == 1
    assert (
        len(parse_atom(await web.client.get("/feeds/outlets/127.0.0.1.atom")).findall(f"{A}entry"))
        == 2
    )
    one = parse_atom(await web.client.get(f"/feeds/articles/{second}.atom"))
    assert [c.get("term") for c in one.findall(f"{A}entry/{A}category")] == ["stealth"]
    assert (
        len(parse_atom(await web.client.get("/feeds/tags/nothing.atom")).findall(f"{A}entry")) == 0
    )
    assert_error(await web.client.get("/feeds/articles/99.atom"), 404)


async def test_feed_entries_escape_hostile_text(web: Web) -> None:
    hostile = "&lt;script&gt;window.pwned=1&lt;/script&gt; and &lt;img src=x onerror=alert(1)&gt;"
    article_id = await web.watch("/h", PARAGRAPHS)
    await web.edit(article_id, "/h", [*PARAGRAPHS, hostile], updated="2019-03-27T09:00:00+09:00")
    feed = parse_atom(await web.client.get(f"/feeds/articles/{article_id}.atom"))
    html = feed.findtext(f"{A}entry/{A}content") or ""
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in html
    assert "<script" not in html and "<img" not in html


# -- health and serving -----------------------------------------------------------------------------------


async def test_healthz_follows_the_scheduler_ticks(server: PageServer, tmp_path: Path) -> None:
    async for web in open_web(server, tmp_path, settings_for(tmp_path), service=True):
        service: Service = web.client._transport.app.state.ctx.service  # type: ignore[attr-defined]
        starting = await web.client.get("/healthz")
        assert starting.status_code == 503 and starting.json()["status"] == "starting"
        await service.dispatch_due()  # one tick
        fine = await web.client.get("/healthz")
        assert fine.status_code == 200 and fine.json()["status"] == "ok"
        assert fine.json()["last_tick"] == START.isoformat()
        web.later(seconds=3 * web.settings.schedule.tick + 1)
        stale = await web.client.get("/healthz")
        assert stale.status_code == 503 and stale.json()["status"] == "stale"


def test_serving_beyond_loopback_needs_a_token() -> None:
    for host in ("0.0.0.0", "::", "192.0.2.10"):
        with pytest.raises(ConfigError, match="MONITOR_WEB_TOKEN"):
            check_exposure(host, WebSettings())
        check_exposure(host, WebSettings(token=TOKEN))
    for host in ("127.0.0.1", "::1", "localhost", "127.0.0.2"):
        check_exposure(host, WebSettings())


def test_a_short_token_is_refused() -> None:
    with pytest.raises(ConfigError, match="at least 16"):
        WebSettings(token="secret")


async def test_serve_runs_the_scheduler_and_the_web_in_one_loop(
    server: PageServer, tmp_path: Path
) -> None:
    settings = replace(settings_for(tmp_path), schedule=replace(Settings().schedule, tick=0.2))
    server.set("/s", page(PARAGRAPHS))
    with Store(settings.db_path) as store:
        add_urls(store, [server.url("/s")], now=datetime.now(UTC), allow_private=True)
        async with Fetcher(settings.fetch) as fetcher:
            service = Service(store, settings, fetcher)
            with pytest.raises(ConfigError, match="without a token"):
                await serve(settings, store, service=service, host="0.0.0.0", port=0)
            urls: list[str] = []
            sock = listen("127.0.0.1", 0)
            async with anyio.create_task_group() as group:
                group.start_soon(
                    lambda: serve(settings, store, service=service, sock=sock, on_ready=urls.append)
                )
                async with httpx.AsyncClient() as client:
                    with anyio.fail_after(10):
                        while not urls:
                            await anyio.sleep(0.05)
                        while store.article(1).version_count == 0:  # the scheduler checked it
                            await anyio.sleep(0.05)
                        health = await client.get(f"{urls[0]}/healthz")
                        assert health.status_code == 200, health.text
                        listed = await client.get(f"{urls[0]}/api/articles")
                        assert listed.json()["articles"][0]["versions"] == 1
                service.stop()  # as SIGTERM would: both halves end
    assert sock.fileno() == -1


async def test_serve_reports_a_taken_port_clearly(tmp_path: Path) -> None:
    taken = listen("127.0.0.1", 0)
    port = taken.getsockname()[1]
    try:
        with pytest.raises(ConfigError, match=f"cannot listen on 127.0.0.1:{port}"):
            listen("127.0.0.1", port)
    finally:
        taken.close()
