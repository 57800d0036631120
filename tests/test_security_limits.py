"""Limits: hostile or broken pages end in an ``error`` (or a sane version), fast, alone.

Every page here is checked by the real Checker *together with* ordinary
articles, and the test asserts the ordinary ones come out exactly right: one
bad page must never crash the service, hang a check, or spoil a check of
another article. Pages that need bytes a normal server would not send (no
Content-Length, a byte a second, garbage after a gzip stream, headers that
never end) come from a raw socket server in this file; the rest from the
usual page server.

The extractor's own bounds (``MAX_ELEMENTS``, ``MAX_COPIES``,
``MAX_ATTRIBUTES`` in ``monitor/extract.py``) exist because of the pages in
``test_pathological_pages_extract_in_bounded_time``: before them, 60,000
``<br>`` in one paragraph took 28 GB of memory and 100,000 repeated list
items a MemoryError, and 300,000 attributes on one tag kept libxml2 busy for
a quarter of an hour.
"""

from __future__ import annotations

import gzip
import re
import socket
import socketserver
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.checker import Checker
from monitor.config import CheckSettings, FetchSettings, Settings
from monitor.errors import FetchError, TooLargeError
from monitor.fetch import Fetcher
from monitor.models import Outcome
from monitor.store import Store
from monitor.watchlist import add_urls
from tests.pageserver import PageServer
from tests.samples import PARAGRAPHS, page

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
LIMIT = 5_000_000  # fetch.max_bytes, the default
FETCH = FetchSettings(
    allow_private_hosts=True, obey_robots=False, host_delay=0.0, total_timeout=3.0, max_bytes=LIMIT
)
SETTINGS = Settings(fetch=FETCH, check=CheckSettings(concurrency=16))
SENTENCE = "The council voted on the new budget after a long debate in the chamber."


# -- a raw HTTP server for what http.server would not send ------------------------------------

RawAnswer = Callable[[socket.socket], None]


class RawServer:
    """Answers each path with a function that writes raw bytes to the socket."""

    def __init__(self, answers: dict[str, RawAnswer]) -> None:
        self.answers = answers
        self.stopping = threading.Event()
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                data = b""
                while b"\r\n\r\n" not in data and len(data) < 65536:
                    chunk = self.request.recv(4096)
                    if not chunk:
                        return
                    data += chunk
                path = data.split(b" ", 2)[1].decode("latin-1")
                answer = outer.answers.get(path)
                try:
                    if answer is None:
                        self.request.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                    else:
                        answer(self.request)
                except OSError:
                    pass

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,))
        self._thread.daemon = True

    def __enter__(self) -> RawServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}{path}"


def head(content_type: str = "text/html; charset=utf-8", extra: str = "") -> bytes:
    return (
        f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n{extra}Connection: close\r\n\r\n"
    ).encode()


def slow_loris(stopping: threading.Event) -> RawAnswer:
    """Headers at once, then one byte a second, forever (until the test ends)."""

    def answer(sock: socket.socket) -> None:
        sock.sendall(head())
        while not stopping.wait(1.0):
            sock.sendall(b"x")

    return answer


def never_finishes_headers(stopping: threading.Event) -> RawAnswer:
    def answer(sock: socket.socket) -> None:
        sock.sendall(b"HTTP/1.1 200 OK\r\n")
        while not stopping.wait(0.5):
            sock.sendall(b"X-Padding: 1\r\n")

    return answer


def close_delimited(body: bytes, extra: str = "") -> RawAnswer:
    """No Content-Length: the body ends when the connection closes."""

    def answer(sock: socket.socket) -> None:
        sock.sendall(head(extra=extra))
        for start in range(0, len(body), 65536):
            sock.sendall(body[start : start + 65536])

    return answer


def endless(piece: bytes, stopping: threading.Event, extra: str = "") -> RawAnswer:
    """A body that never ends (as fast as the socket takes it)."""

    def answer(sock: socket.socket) -> None:
        sock.sendall(head(extra=extra))
        while not stopping.is_set():
            sock.sendall(piece)

    return answer


def huge_header() -> RawAnswer:
    def answer(sock: socket.socket) -> None:
        sock.sendall(b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 2_000_000 + b"\r\n\r\n<p>x</p>")

    return answer


# -- hostile pages ------------------------------------------------------------------------------


def article(paragraphs: list[str]) -> str:
    return page(paragraphs)


def p_50k() -> str:
    body = "".join(f"<p>Paragraph {i} of a story far too long.</p>" for i in range(50_000))
    return f"<html><body><article><h1>Fifty thousand paragraphs</h1>{body}</article></body></html>"


def nested_divs() -> str:
    return "<html><body>" + "<div>" * 100_000 + f"<p>{SENTENCE}</p>" + "</div>" * 100_000


def single_line() -> str:
    words = "word " * ((LIMIT - 200) // 5)
    return f"<html><body><article><h1>One line</h1><p>{words}</p></article></body></html>"


def repeated_items() -> str:
    return "<html><body><ul>" + "<li>An item of a list with some words</li>" * 100_000 + "</ul>"


def many_breaks() -> str:
    return "<html><body><article><p>" + (SENTENCE + "<br>") * 60_000 + "</p></article></body>"


def many_attributes() -> str:
    attributes = " ".join(f"a{i}=v" for i in range(300_000))
    return f"<html><body><p {attributes}>{SENTENCE * 5}</p></body></html>"


def deep_json_ld() -> str:
    script = "[" * 200_000 + "]" * 200_000
    return (
        f'<html><head><script type="application/ld+json">{script}</script></head>'
        f"<body><article><h1>Deep JSON</h1><p>{SENTENCE * 4}</p></article></body></html>"
    )


PATHOLOGICAL: dict[str, Callable[[], str]] = {
    "50,000 paragraphs": p_50k,
    "100,000 nested divs": nested_divs,
    "5 MB on one line": single_line,
    "100,000 identical list items": repeated_items,
    "60,000 <br> in one paragraph": many_breaks,
    "300,000 attributes on one tag": many_attributes,
    "JSON-LD nested 200,000 deep": deep_json_ld,
}
CHECK_BUDGET_MS = 60_000  # one check of one page, extraction included, on a slow machine


def test_the_pathological_pages_fit_in_a_fetch() -> None:
    for name, build in PATHOLOGICAL.items():
        assert len(build().encode()) <= LIMIT, name


# -- through the checker, beside ordinary articles ----------------------------------------------


@pytest.fixture
def raw_server() -> Iterator[RawServer]:
    stopping = threading.Event()
    trailing = gzip.compress(page(PARAGRAPHS).encode()) + b"\0" * (LIMIT + 1_000_000)
    answers: dict[str, RawAnswer] = {
        "/slowloris": slow_loris(stopping),
        "/headers-forever": never_finishes_headers(stopping),
        "/endless": endless(b"<p>" + b"x" * 65536, stopping),
        "/endless-gzip-garbage": close_delimited(trailing, extra="Content-Encoding: gzip\r\n"),
        "/endless-empty-deflate": endless(
            b"\x00\x00\x00\xff\xff" * 10_000, stopping, extra="Content-Encoding: deflate\r\n"
        ),
        "/close-delimited": close_delimited(page(PARAGRAPHS[:2]).encode()),
        "/huge-header": huge_header(),
    }
    with RawServer(answers) as running:
        running.stopping = stopping
        yield running
    stopping.set()


def slug(name: str) -> str:
    return "/" + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def hostile_pages(server: PageServer) -> dict[str, str]:
    """Path -> what the check must say (a word of the error, or 'new' for a sane version)."""
    bomb = gzip.compress(bytes(20_000_000), compresslevel=9)
    server.set(
        "/gzip-bomb", bomb, headers={"Content-Type": "text/html", "Content-Encoding": "gzip"}
    )
    deflate_bomb = zlib.compress(b" " * 30_000_000, 9)
    server.set(
        "/deflate-bomb",
        deflate_bomb,
        headers={"Content-Type": "text/html", "Content-Encoding": "deflate"},
    )
    server.set("/too-big", b"<p>" + b"a" * (LIMIT + 10), headers={"Content-Type": "text/html"})
    server.set("/empty", b"", headers={"Content-Type": "text/html"})
    server.set("/blank", "  \n\t  ")
    server.set("/binary", bytes(range(256)) * 2000, headers={"Content-Type": "image/png"})
    for i in range(7):
        server.redirect(f"/loop{i}", f"/loop{(i + 1) % 7}")
    server.set("/slow", page(PARAGRAPHS), delay_s=5.0)
    server.set("/drip", page(PARAGRAPHS * 10), drip_s=1.0)  # 1 KB a second
    latin1 = page([*PARAGRAPHS[:2], "Caf\u00e9 owners in M\u00fcnchen paid \u00a3400."])
    server.set("/latin1-says-utf8", latin1.encode("latin-1"), headers={"Content-Type": "text/html"})
    unlabelled = latin1.replace('<meta charset="utf-8">', "").encode("cp1252")
    server.set("/no-charset", unlabelled, headers={"Content-Type": "text/html"})
    invalid = page(PARAGRAPHS).replace("Stockholm", "Stock\udcffholm\ud800")
    server.set(
        "/invalid-utf8",
        invalid.encode("utf-8", errors="surrogatepass"),
        headers={"Content-Type": "text/html; charset=utf-8"},
    )
    utf7 = page([*PARAGRAPHS, "+ADw-script+AD4-alert(1)+ADw-/script+AD4- smuggled."])
    server.set("/utf-7", utf7.encode("utf-8"), headers={"Content-Type": "text/html; charset=utf-7"})
    server.set(
        "/utf-16", page(PARAGRAPHS).encode("utf-16-le"), headers={"Content-Type": "text/html"}
    )
    server.set(
        "/charset-nonsense",
        page(PARAGRAPHS),
        headers={"Content-Type": "text/html; charset=x-evil-7"},
    )
    for name, build in PATHOLOGICAL.items():
        server.set(slug(name), build())
    return {
        "/gzip-bomb": "max_bytes",
        "/deflate-bomb": "max_bytes",
        "/too-big": "max_bytes",
        "/empty": "no article",
        "/blank": "no article",
        "/binary": "not a web page",
        "/loop0": "too many redirects",
        "/slow": "timed out",
        "/drip": "timed out",
        "/latin1-says-utf8": "new",
        "/no-charset": "new",
        "/invalid-utf8": "new",
        "/utf-7": "new",
        "/utf-16": "new",  # no BOM, no label: detected
        "/charset-nonsense": "new",
        **{slug(name): "any" for name in PATHOLOGICAL},
    }


RAW_EXPECTED = {
    "/slowloris": "timed out",
    "/headers-forever": "error",
    "/endless": "max_bytes",
    "/endless-gzip-garbage": "max_bytes",
    "/endless-empty-deflate": "max_bytes",
    "/close-delimited": "new",
    "/huge-header": "error",
}


def ordinary(i: int, edited: bool = False) -> list[str]:
    paragraphs = [f"Story {i}: {p}" for p in PARAGRAPHS]
    if edited:
        paragraphs[2] = paragraphs[2].replace("400", str(500 + i))
    return paragraphs


async def test_hostile_pages_never_spoil_the_checks_of_other_articles(
    server: PageServer, raw_server: RawServer, tmp_path: Path
) -> None:
    expected = hostile_pages(server)
    urls = {server.url(path): want for path, want in expected.items()}
    urls |= {raw_server.url(path): want for path, want in RAW_EXPECTED.items()}
    for i in range(6):
        server.set(f"/ok{i}", page(ordinary(i)))
    good = [server.url(f"/ok{i}") for i in range(6)]
    slow_ones = {server.url(slug(name)) for name in PATHOLOGICAL}
    with Store(tmp_path / "m.db") as store:
        added = add_urls(store, [*good, *urls], now=NOW, allow_private=True)
        ids = {item.article.url: item.article.id for item in added}
        async with Fetcher(SETTINGS.fetch) as fetcher:
            checker = Checker(store, SETTINGS, fetcher, clock=lambda: NOW)
            started = time.perf_counter()
            results = await checker.check_many([store.article(i) for i in ids.values()])
            first_pass = time.perf_counter() - started

            by_url = {r.url: r for r in results}
            for url in good:
                assert by_url[url].outcome == Outcome.NEW, by_url[url]
                assert store.latest_version(ids[url]).paragraphs[0].startswith("Story ")
            for url, want in urls.items():
                result = by_url[url]
                if want == "new":
                    assert result.outcome == Outcome.NEW, (url, result)
                    body = store.latest_version(ids[url]).body
                    assert PARAGRAPHS[0] in body, (url, body)
                    if "no-charset" in url:  # no label anywhere: detected as cp1252
                        assert "Caf\u00e9 owners in M\u00fcnchen paid \u00a3400." in body
                    elif "latin1" in url:  # its <meta> says UTF-8: decoded as a browser would
                        assert "Caf\ufffd owners in M\ufffdnchen paid \ufffd400." in body
                    elif "invalid" not in url:
                        assert "\ufffd" not in body, (url, body)
                    assert "<script>" not in body  # utf-7 is never decoded
                elif want == "any":  # read and judged: a version, or no article found
                    assert result.outcome in (Outcome.NEW, Outcome.ERROR), (url, result)
                    assert result.outcome == Outcome.NEW or "no article" in (result.error or "")
                else:
                    assert result.outcome == Outcome.ERROR, (url, result)
                    if want != "error":
                        assert want in (result.error or "").lower(), (url, result.error)
                    assert store.versions(ids[url]) == []
                assert "\n" not in (result.error or "")

            for article_id in ids.values():
                [check] = store.checks(article_id)
                assert (check.duration_ms or 0) < CHECK_BUDGET_MS, (article_id, check)

            # The ordinary articles are edited; the hostile pages stay hostile. A second
            # round finds exactly the edits, and nothing else changes. (The slowest
            # pathological pages sit it out: they had their turn above.)
            for i in range(6):
                server.set(f"/ok{i}", page(ordinary(i, edited=True)))
            later = NOW + timedelta(hours=1)
            checker = Checker(store, SETTINGS, fetcher, clock=lambda: later)
            second = [i for url, i in ids.items() if url not in slow_ones]
            again = await checker.check_many([store.article(i) for i in second])
        by_url = {r.url: r for r in again}
        for i, url in enumerate(good):
            assert by_url[url].outcome == Outcome.CHANGED and by_url[url].version == 2
            assert f"{500 + i}" in store.latest_version(ids[url]).body
            assert "numbers" in by_url[url].flags
        for url in urls:
            if url in by_url:
                assert by_url[url].outcome in (Outcome.UNCHANGED, Outcome.ERROR), by_url[url]
            for version in store.versions(ids[url]):
                assert version.body.strip(), url  # never an empty "deleted" version
                assert "removed" not in version.flags
    # 3 s total timeout per fetch; extraction of the pathological pages runs in threads.
    assert first_pass < 120, first_pass


async def test_an_empty_200_after_a_good_version_is_an_error_never_a_deletion(
    server: PageServer, tmp_path: Path
) -> None:
    server.set("/a", page(PARAGRAPHS))
    with Store(tmp_path / "m.db") as store:
        [added] = add_urls(store, [server.url("/a")], now=NOW, allow_private=True)
        async with Fetcher(SETTINGS.fetch) as fetcher:
            moments = iter(NOW + timedelta(hours=h) for h in range(10))
            checker = Checker(store, SETTINGS, fetcher, clock=lambda: next(moments))
            assert (await checker.check(store.article(added.article.id))).outcome == Outcome.NEW
            for broken in (b"", b" ", b"<html></html>", b"<html><body><nav>Home</nav></body>"):
                server.set("/a", broken, headers={"Content-Type": "text/html"})
                result = await checker.check(store.article(added.article.id))
                assert result.outcome == Outcome.ERROR, broken
            server.set("/a", page(PARAGRAPHS))
            back = await checker.check(store.article(added.article.id))
        assert back.outcome == Outcome.UNCHANGED
        assert [v.n for v in store.versions(added.article.id)] == [1]
        outcomes = [c.outcome for c in store.checks(added.article.id)]
        assert outcomes == [Outcome.NEW, *[Outcome.ERROR] * 4, Outcome.UNCHANGED]


async def test_slow_loris_is_ended_by_the_total_timeout(raw_server: RawServer) -> None:
    async with Fetcher(replace(FETCH, total_timeout=2.0)) as fetcher:
        started = time.monotonic()
        with pytest.raises(FetchError, match="timed out after 2 s"):
            await fetcher.fetch(raw_server.url("/slowloris"))
        assert 1.5 < time.monotonic() - started < 4.0


async def test_the_compressed_body_is_capped_as_well_as_the_decompressed_one(
    raw_server: RawServer,
) -> None:
    """Bytes a decoder ignores (after the gzip stream ends) count against the cap too."""
    async with Fetcher(FETCH) as fetcher:
        for path in ("/endless-gzip-garbage", "/endless-empty-deflate", "/endless"):
            with pytest.raises(TooLargeError, match="max_bytes"):
                await fetcher.fetch(raw_server.url(path))


async def test_a_close_delimited_body_is_read_to_its_end(raw_server: RawServer) -> None:
    async with Fetcher(FETCH) as fetcher:
        fetched = await fetcher.fetch(raw_server.url("/close-delimited"))
    assert fetched.status == 200 and PARAGRAPHS[1] in fetched.text
