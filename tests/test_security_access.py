"""Access: with a token configured, nothing but the public paths answers a stranger.

``test_web_api.py`` already sends one anonymous request to every route; here
every route (enumerated from the app itself, so a new route is covered the
day it is added) gets every kind of wrong credential, path tricks that try to
pass for a public path, and the app's other doors: CSRF on every form the
pages render, strict request models (no mass assignment), size limits, and
token comparison in constant time.
"""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import lxml.html
import pytest

from monitor.web import security
from monitor.web.api import AddArticles, AddFeed, ChangeArticle
from tests.pageserver import PageServer
from tests.samples import PARAGRAPHS
from tests.test_web_api import (
    BASE,
    PUBLIC,
    TOKEN,
    Web,
    csrf_of,
    edited_article,
    every_route,
    open_web,
    settings_for,
)

pytestmark = pytest.mark.anyio


@pytest.fixture
async def locked(server: PageServer, tmp_path: Path) -> AsyncIterator[Web]:
    async for opened in open_web(server, tmp_path, settings_for(tmp_path, token=TOKEN)):
        yield opened


@pytest.fixture
async def web(server: PageServer, tmp_path: Path) -> AsyncIterator[Web]:
    async for opened in open_web(server, tmp_path, settings_for(tmp_path)):
        yield opened


def app_of(web: Web) -> Any:
    return web.client._transport.app  # type: ignore[attr-defined]


WRONG_CREDENTIALS: list[tuple[str, dict[str, str], dict[str, str]]] = [
    ("none", {}, {}),
    ("wrong bearer", {"Authorization": "Bearer not-the-token-at-all-0000"}, {}),
    ("token prefix", {"Authorization": f"Bearer {TOKEN[:-1]}"}, {}),
    ("token plus", {"Authorization": f"Bearer {TOKEN}x"}, {}),
    ("upper-cased token", {"Authorization": f"Bearer {TOKEN.upper()}"}, {}),
    ("basic", {"Authorization": f"Basic {TOKEN}"}, {}),
    ("bare token", {"Authorization": TOKEN}, {}),
    ("empty bearer", {"Authorization": "Bearer "}, {}),
    ("token header", {"X-Token": TOKEN, "X-Api-Key": TOKEN}, {}),
    ("forged cookie", {}, {"monitor_session": "eyJhdXRoIjogIngifQ==.forged.sig"}),
]


async def test_every_route_refuses_every_wrong_credential(locked: Web) -> None:
    await edited_article(locked)
    routes = [
        (method, path)
        for method, path in every_route(app_of(locked))
        if path not in PUBLIC and not path.startswith("/static/")
    ]
    assert len(routes) > 25
    tried = 0
    for name, headers, cookies in WRONG_CREDENTIALS:
        locked.client.cookies.clear()
        for cookie, value in cookies.items():
            locked.client.cookies.set(cookie, value)
        for method, path in routes:
            for target in (path, f"{path}?token={TOKEN}", f"{path}?key={TOKEN}"):
                answer = await locked.client.request(
                    method, target, headers=headers, json={} if method != "GET" else None
                )
                tried += 1
                assert answer.status_code in (401, 303), (name, method, target, answer.text)
                if answer.status_code == 303:
                    assert answer.headers["location"].startswith("/login?next=")
                assert "Marlow" not in answer.text and "Pyongyang" not in answer.text
    assert tried > 500
    assert locked.store.article(1).state.value == "active"  # no write went through


async def test_every_route_also_refuses_head_and_options(locked: Web) -> None:
    for _, path in every_route(app_of(locked)):
        if path in PUBLIC or path.startswith("/static/"):
            continue
        for method in ("HEAD", "OPTIONS"):
            answer = await locked.client.request(method, path)
            assert answer.status_code in (401, 303), (method, path)


async def raw_get(app: Any, path: str, query: bytes = b"") -> tuple[int, bytes]:
    """Send ``path`` exactly as given (no client-side dot-segment clean-up)."""
    status = 0
    body = b""

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status, body
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            body += message.get("body", b"")

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode("latin-1", "replace"),
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1:8000")],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
    }
    await app(scope, receive, send)
    return status, body


@pytest.mark.parametrize(
    "path",
    [
        "/static/../api/articles",
        "/static/..%2fapi/articles",
        "/static/%2e%2e/api/articles",
        "/static//../../api/articles",
        "/static/./../feeds/edits.atom",
        "/healthz/../api/articles",
        "/login/../api/articles",
        "//api/articles",
        "/api//articles",
        "/API/articles",
        "/api/articles/",
        "/api/articles;x=1",
        "/openapi.json/",
        "/docs/",
        "/feeds/edits.atom/",
    ],
)
async def test_paths_dressed_as_public_ones_leak_nothing(locked: Web, path: str) -> None:
    await edited_article(locked)
    status, body = await raw_get(app_of(locked), path)
    assert status in (401, 303, 404, 405), (path, status)
    assert b"Pyongyang" not in body and b'"articles"' not in body, path


async def test_token_comparisons_go_through_compare_digest(
    locked: Web, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Constant time: every credential the server checks is compared with hmac.compare_digest."""
    compared: list[tuple[bytes, bytes]] = []
    real: Callable[[Any, Any], bool] = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(security.hmac, "compare_digest", spy)
    await locked.client.get("/api/articles", headers={"Authorization": "Bearer wrong-token-123456"})
    assert (b"wrong-token-123456", TOKEN.encode()) in compared
    compared.clear()
    await locked.client.get("/feeds/edits.atom", params={"key": "0" * 32})
    assert any(given == b"0" * 32 for _, given in compared)
    compared.clear()
    form = await locked.client.get("/login")
    await locked.client.post("/login", data={"csrf_token": "forged", "token": "x"})
    assert any(b"forged" in pair for pair in compared)
    assert form.status_code == 200


def test_no_secret_is_compared_with_equals() -> None:
    """A static check over the web package: ``==`` on tokens, keys or CSRF values is a timing leak."""
    suspicious = re.compile(r"(token|secret|csrf|key|fingerprint|digest|auth)", re.IGNORECASE)
    web_dir = Path(security.__file__).parent
    offenders = []
    for source in sorted(web_dir.glob("*.py")):
        for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            for match in re.finditer(r"([\w.\[\]\"']+)\s*(==|!=)\s*([\w.\[\]\"']+)", code):
                left, _, right = match.groups()
                if suspicious.search(left) or suspicious.search(right):
                    if "None" in (left, right) or right.startswith(('"', "'")):
                        continue
                    offenders.append(f"{source.name}:{number}: {line.strip()}")
    assert offenders == []


# -- CSRF -------------------------------------------------------------------------------------------


async def test_every_form_the_pages_render_carries_a_csrf_token(web: Web) -> None:
    article_id = await edited_article(web)
    forms = 0
    for path in ("/", f"/articles/{article_id}", "/notifications", "/edits", "/docs"):
        answer = await web.client.get(path)
        document = lxml.html.document_fromstring(answer.text)
        for form in document.iter("form"):
            if (form.get("method") or "get").lower() != "post":
                continue
            forms += 1
            fields = {i.get("name"): i.get("value") for i in form.iter("input")}
            assert fields.get("csrf_token"), (path, form.get("action"))
    assert forms >= 5  # add, bulk, check now, pause, remove


async def test_the_login_form_is_csrf_protected_too(locked: Web) -> None:
    """Login CSRF: another site must not log a browser into this server's session."""
    answer = await locked.client.post("/login", data={"token": TOKEN, "next": "/"})
    assert answer.status_code == 403
    assert "monitor_session" not in answer.headers.get("set-cookie", "") or "auth" not in str(
        locked.client.cookies
    )
    csrf = csrf_of((await locked.client.get("/login")).text)
    elsewhere = await locked.client.post(
        "/login",
        data={"token": TOKEN, "csrf_token": csrf, "next": "/"},
        headers={"Origin": "https://evil.example"},
    )
    assert elsewhere.status_code == 403


async def test_a_csrf_token_from_another_session_does_not_work(web: Web) -> None:
    stolen = csrf_of((await web.client.get("/")).text)
    web.client.cookies.clear()
    await web.client.get("/")  # a new session, with a token of its own
    web.server.set("/f", "<p>x</p>")
    answer = await web.client.post(
        "/articles", data={"urls": web.server.url("/f"), "csrf_token": stolen}
    )
    assert answer.status_code == 403
    assert web.store.articles() == []


async def test_the_session_cookie_is_http_only_and_same_site(locked: Web) -> None:
    csrf = csrf_of((await locked.client.get("/login")).text)
    logged = await locked.client.post("/login", data={"token": TOKEN, "csrf_token": csrf})
    cookie = logged.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie


# -- mass assignment and request shapes -----------------------------------------------------------


def test_request_models_forbid_unknown_fields_and_coercion() -> None:
    for model in (AddArticles, AddFeed, ChangeArticle):
        assert model.model_config.get("extra") == "forbid", model
        assert model.model_config.get("strict") is True, model


async def test_the_openapi_schema_closes_every_request_body(locked: Web) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    schema = (await locked.client.get("/openapi.json", headers=headers)).json()
    components = schema["components"]["schemas"]
    bodies = 0
    for item in schema["paths"].values():
        for operation in item.values():
            body = operation.get("requestBody")
            if not body:
                continue
            bodies += 1
            ref = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
            assert components[ref].get("additionalProperties") is False, ref
    assert bodies == 3


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/articles", {"urls": ["https://x.example/a"], "state": "paused"}),
        ("POST", "/api/articles", {"urls": ["https://x.example/a"], "id": 7}),
        ("POST", "/api/articles", {"urls": ["https://x.example/a"], "next_check_at": "2000-01-01"}),
        ("POST", "/api/articles", {"urls": ["https://x.example/a"], "tag": "typo"}),
        ("POST", "/api/articles", {"urls": "https://x.example/a"}),  # a string, not a list
        ("POST", "/api/articles", {"urls": ["https://x.example/a"], "check": "false"}),
        ("POST", "/api/articles", {"urls": ["https://x.example/a"], "tags": "a,b"}),
        ("POST", "/api/articles", {"urls": [{"$gt": ""}]}),
        ("POST", "/api/feeds", {"url": "https://x.example/rss", "articles_found": 9}),
        ("POST", "/api/feeds", {"url": ["https://x.example/rss"]}),  # a list, not a string
        ("POST", "/api/articles", {"urls": []}),
        ("POST", "/api/articles", {"urls": ["https://x.example/a"] * 501}),
        ("POST", "/api/articles", {"urls": ["https://x.example/" + "a" * 3000]}),
        ("POST", "/api/articles", {"urls": ["https://x.example/a"], "tags": ["t" * 101]}),
        ("POST", "/api/articles", [{"urls": ["https://x.example/a"]}]),
        ("PATCH", "/api/articles/1", {"state": "paused", "url": "http://127.0.0.1/"}),
        ("PATCH", "/api/articles/1", {"state": "paused", "tags": ["x"]}),
        ("PATCH", "/api/articles/1", {"state": "gone"}),
        ("PATCH", "/api/articles/1", {"state": "done"}),
        ("PATCH", "/api/articles/1", {}),
    ],
)
async def test_unknown_or_mistyped_fields_are_refused_and_change_nothing(
    locked: Web, method: str, path: str, body: Any
) -> None:
    await locked.watch("/a", PARAGRAPHS)
    before = locked.store.article(1)
    answer = await locked.client.request(
        method, path, json=body, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert answer.status_code == 422, (body, answer.text)
    assert answer.json()["error"]
    assert len(locked.store.articles()) == 1
    assert locked.store.article(1) == before


@pytest.mark.parametrize(
    "raw",
    [
        b"{",  # truncated
        b"\xff\xfe{}",  # not UTF-8
        b'{"urls": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",  # nesting past the parser's stack
        b"NaN",
        b'{"urls": ["https://x.example/\\ud800"]}',  # a lone surrogate
    ],
)
async def test_malformed_json_is_a_4xx_never_a_500(locked: Web, raw: bytes) -> None:
    answer = await locked.client.post(
        "/api/articles",
        content=raw,
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )
    assert 400 <= answer.status_code < 500, answer.text
    assert locked.store.articles() == []


# -- size limits ---------------------------------------------------------------------------------


async def test_request_bodies_over_the_limit_are_refused_before_parsing(
    server: PageServer, tmp_path: Path
) -> None:
    settings = settings_for(tmp_path, token=TOKEN, max_body_bytes=10_000)
    async for web in open_web(server, tmp_path, settings):
        auth = {"Authorization": f"Bearer {TOKEN}"}
        big = {"urls": [f"https://x.example/{i:05d}" for i in range(1000)]}
        declared = await web.client.post("/api/articles", json=big, headers=auth)
        assert declared.status_code == 413 and "10000" in declared.json()["error"]

        data = json.dumps(big).encode()

        async def chunks(data: bytes = data) -> AsyncIterator[bytes]:  # streamed: no length
            for start in range(0, len(data), 1000):
                yield data[start : start + 1000]

        streamed = await web.client.post(
            "/api/articles",
            content=chunks(),
            headers={**auth, "Content-Type": "application/json"},
        )
        assert streamed.status_code == 413
        anonymous = await web.client.post("/login", data={"token": "x" * 20_000})
        assert anonymous.status_code == 413
        lying = await web.client.post(
            "/api/articles", content=b"{}", headers={**auth, "Content-Length": "abc"}
        )
        assert lying.status_code == 400
        assert web.store.articles() == []


@pytest.mark.parametrize(
    "query",
    [
        "q=" + "x" * 201,
        "tag=" + "t" * 201,
        "limit=0",
        "limit=501",
        "limit=1e9",
        "offset=-1",
        "offset=99999999999999999999999",
        "sort=id;DROP TABLE articles",
        "state=deleted",
        "kind=<script>",
    ],
)
async def test_query_parameters_are_bounded(locked: Web, query: str) -> None:
    answer = await locked.client.get(
        f"/api/articles?{query}", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert answer.status_code == 422, (query, answer.text)


@pytest.mark.parametrize(
    "since", ["99999999999d", "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-23:59", "1e400d"]
)
async def test_absurd_times_are_a_4xx_or_everything_never_a_500(locked: Web, since: str) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    api = await locked.client.get("/api/edits", params={"since": since}, headers=auth)
    assert api.status_code in (200, 400), api.text
    csrf = csrf_of((await locked.client.get("/login")).text)
    await locked.client.post("/login", data={"token": TOKEN, "csrf_token": csrf})
    page = await locked.client.get("/edits", params={"since": since})
    assert page.status_code in (200, 400)


@pytest.mark.parametrize("interval", ["99999999999d", "400d", "10s", "0", "-1m", "nan", "1e9"])
async def test_absurd_intervals_are_refused(locked: Web, interval: str) -> None:
    answer = await locked.client.post(
        "/api/articles",
        json={"urls": ["https://x.example/a"], "interval": interval, "check": False},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert answer.status_code == 400, answer.text
    assert locked.store.articles() == []


async def test_unauthenticated_requests_cannot_reach_the_docs_or_the_schema(locked: Web) -> None:
    for path in ("/openapi.json", "/docs"):
        answer = await locked.client.get(path)
        assert answer.status_code in (401, 303)
    assert (await locked.client.get("/healthz")).json()["status"] == "no scheduler"
    assert BASE.startswith("http://127.0.0.1")
