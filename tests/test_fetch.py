"""Fetcher against a real local HTTP server (tests/pageserver.py); httpx is not mocked.

Tests that need the guard off set ``allow_private_hosts`` (the server is on
127.0.0.1); guard tests leave it on and inject a resolver, so no test asks DNS
or touches a public address.
"""

from __future__ import annotations

import gzip
import socket
import ssl
import subprocess
import sys
import time
import tracemalloc
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path

import anyio
import brotli
import httpx
import pytest
import trustme
from hypothesis import example, given, settings
from hypothesis import strategies as st

from monitor.config import FetchSettings
from monitor.errors import BlockedAddressError, FetchError, InvalidURLError, TooLargeError
from monitor.fetch import (
    _PLAIN_URL,
    CHUNK_SIZE,
    Fetcher,
    RequestTarget,
    decode_html,
    detect_encoding,
    fetch_page,
    request_target,
)
from monitor.models import Fetched
from tests.fakedns import FakeDNS
from tests.pageserver import PageServer

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def shared_server() -> Iterator[PageServer]:
    with PageServer() as running:
        yield running


@pytest.fixture
def server(shared_server: PageServer) -> PageServer:
    """conftest's ``server``, but started once per module and emptied for each test.

    Stopping a PageServer waits out serve_forever's 0.5 s poll interval; paid
    by every test, that would be most of this file's run time.
    """
    shared_server.pages.clear()
    shared_server.requests.clear()
    return shared_server


# Politeness (robots.txt, host delay) has its own tests in test_politeness.py and
# test_robots.py; here it would add /robots.txt requests and seconds of waiting.
LOCAL = FetchSettings(allow_private_hosts=True, obey_robots=False, host_delay=0.0)
GUARDED = FetchSettings(allow_private_hosts=False, obey_robots=False, host_delay=0.0)

ARTICLE = "<html><head><title>Story</title></head><body><p>Héllo, world.</p></body></html>"

KOREAN = (
    "서울시는 25일 시청 앞 광장에서 기자회견을 열고 새로운 대중교통 정책을 발표했다. "
    '시장은 "시민의 출퇴근 시간을 줄이겠다"고 말했다. 이번 정책은 다음 달부터 시행된다.'
)


def korean_page(head: str = "") -> str:
    return (
        f"<html><head>{head}<title>서울시 교통 정책 발표</title></head>"
        f"<body><article><h1>서울시, 새 교통 정책 발표</h1><p>{KOREAN}</p></article></body></html>"
    )


async def fetch(
    url: str,
    settings: FetchSettings = LOCAL,
    *,
    resolver: Callable[[str], Sequence[str]] | None = None,
    trusted_hosts: Sequence[str] = (),
    ssl_context: ssl.SSLContext | None = None,
    **validators: str,
) -> Fetched:
    async with Fetcher(
        settings, resolver=resolver, trusted_hosts=trusted_hosts, ssl_context=ssl_context
    ) as fetcher:
        return await fetcher.fetch(url, **validators)


# --- conditional GET -----------------------------------------------------------


async def test_etag_then_304(server: PageServer) -> None:
    server.set("/a", ARTICLE, etag='"v1"')
    first = await fetch(server.url("/a"))
    assert (first.status, first.etag, first.text) == (200, '"v1"', ARTICLE)
    assert first.final_url == first.url == server.url("/a")
    assert first.bytes_read == len(ARTICLE.encode())
    assert first.encoding == "utf-8"
    assert first.content_type == "text/html; charset=utf-8"

    second = await fetch(server.url("/a"), etag=first.etag)  # type: ignore[arg-type]
    assert second.not_modified
    assert (second.status, second.text, second.bytes_read, second.etag) == (304, "", 0, '"v1"')
    seen = server.requests_for("/a")
    assert "If-None-Match" not in seen[0].headers
    assert seen[1].headers["If-None-Match"] == '"v1"'


async def test_changed_page_answers_200_with_its_new_etag(server: PageServer) -> None:
    server.set("/a", ARTICLE, etag='"v2"')
    fetched = await fetch(server.url("/a"), etag='"v1"')
    assert (fetched.status, fetched.etag, fetched.text) == (200, '"v2"', ARTICLE)


async def test_last_modified_then_304(server: PageServer) -> None:
    stamp = "Wed, 21 Oct 2015 07:28:00 GMT"
    server.set("/a", ARTICLE, last_modified=stamp)
    first = await fetch(server.url("/a"))
    assert (first.status, first.last_modified, first.etag) == (200, stamp, None)

    second = await fetch(server.url("/a"), last_modified=stamp)
    assert (second.status, second.text, second.last_modified) == (304, "", stamp)
    seen = server.requests_for("/a")
    assert "If-Modified-Since" not in seen[0].headers
    assert seen[1].headers["If-Modified-Since"] == stamp


async def test_both_validators_are_sent(server: PageServer) -> None:
    server.set("/a", ARTICLE, etag='"v1"', last_modified="Wed, 21 Oct 2015 07:28:00 GMT")
    fetched = await fetch(server.url("/a"), etag='"v1"', last_modified="x")
    assert fetched.status == 304
    headers = server.requests_for("/a")[0].headers
    assert (headers["If-None-Match"], headers["If-Modified-Since"]) == ('"v1"', "x")


async def test_user_agent_names_the_project(server: PageServer) -> None:
    server.set("/a", ARTICLE)
    await fetch(server.url("/a"))
    headers = server.requests_for("/a")[0].headers
    assert headers["User-Agent"] == LOCAL.user_agent
    assert headers["User-Agent"].startswith("monitor/")
    assert headers["Accept-Encoding"] == "gzip, deflate, br"
    assert "Cookie" not in headers


# --- redirects -----------------------------------------------------------------


async def test_redirect_chain_is_followed_and_final_url_recorded(server: PageServer) -> None:
    server.redirect("/r1", "/r2", status=301)
    server.redirect("/r2", server.url("/r3"), status=302)  # absolute
    server.redirect("/r3", "r4?x=1", status=307)  # relative to /r3
    server.redirect("/r4", "/final", status=308)
    server.set("/final", ARTICLE)
    fetched = await fetch(server.url("/r1"))
    assert fetched.status == 200
    assert fetched.url == server.url("/r1")
    assert fetched.final_url == server.url("/final")
    assert [r.path for r in server.requests] == ["/r1", "/r2", "/r3", "/r4?x=1", "/final"]


async def test_five_redirects_are_followed_six_are_refused(server: PageServer) -> None:
    for i in range(6):
        server.redirect(f"/{i}", f"/{i + 1}")
    server.set("/6", ARTICLE)
    assert (await fetch(server.url("/1"))).final_url == server.url("/6")  # five hops
    with pytest.raises(FetchError, match=r"too many redirects \(more than 5\)"):
        await fetch(server.url("/0"))  # six hops


async def test_max_redirects_comes_from_settings(server: PageServer) -> None:
    server.redirect("/a", "/b")
    server.set("/b", ARTICLE)
    with pytest.raises(FetchError, match="more than 0"):
        await fetch(server.url("/a"), replace(LOCAL, max_redirects=0))


async def test_redirect_loop_is_refused(server: PageServer) -> None:
    server.redirect("/a", "/b")
    server.redirect("/b", "/a")
    with pytest.raises(FetchError, match="too many redirects"):
        await fetch(server.url("/a"))
    assert len(server.requests) == 6


async def test_conditional_headers_follow_the_redirect(server: PageServer) -> None:
    server.redirect("/old", "/new")
    server.set("/new", ARTICLE, etag='"v1"')
    fetched = await fetch(server.url("/old"), etag='"v1"')
    assert (fetched.status, fetched.final_url) == (304, server.url("/new"))


async def test_cookies_last_for_one_fetch_only(server: PageServer) -> None:
    """A cookie-setting redirect works; the next fetch starts as a new reader."""
    server.set("/gate", b"", status=302, headers={"Location": "/a", "Set-Cookie": "seen=1"})
    server.set("/a", ARTICLE)
    async with Fetcher(LOCAL) as fetcher:
        await fetcher.fetch(server.url("/gate"))
        await fetcher.fetch(server.url("/a"))
    first, second = server.requests_for("/a")
    assert first.headers.get("Cookie") == "seen=1"
    assert "Cookie" not in second.headers


# --- statuses and network errors -----------------------------------------------


@pytest.mark.parametrize("status", [403, 410, 500, 503])
async def test_error_statuses_are_returned_not_raised(server: PageServer, status: int) -> None:
    server.set("/a", f"<h1>error {status}</h1>", status=status)
    fetched = await fetch(server.url("/a"))
    assert (fetched.status, fetched.text) == (status, f"<h1>error {status}</h1>")


async def test_404_is_returned(server: PageServer) -> None:
    fetched = await fetch(server.url("/missing"))
    assert fetched.status == 404
    assert "Not found" in fetched.text


async def test_connection_refused_is_a_one_line_fetch_error() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError) as caught:
        await fetch(f"http://127.0.0.1:{port}/a")
    assert type(caught.value) is FetchError
    assert f"127.0.0.1:{port}" in str(caught.value)
    assert "\n" not in str(caught.value)


async def test_unresolvable_name_is_a_fetch_error() -> None:
    with pytest.raises(FetchError, match=r"could not resolve nowhere\.example"):
        await fetch("http://nowhere.example/a", resolver=FakeDNS({}))


async def test_fetch_page_is_a_one_shot_fetcher(server: PageServer) -> None:
    server.set("/a", ARTICLE)
    assert (await fetch_page(server.url("/a"), LOCAL)).text == ARTICLE


# --- timeouts ------------------------------------------------------------------


async def test_slow_response_hits_the_total_timeout(server: PageServer) -> None:
    server.set("/slow", ARTICLE, delay_s=3.0)
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"timed out after 0.3 s"):
        await fetch(server.url("/slow"), replace(LOCAL, total_timeout=0.3))
    assert time.monotonic() - started < 2.0  # long before the answer would have come


async def test_dripping_body_hits_the_total_timeout(server: PageServer) -> None:
    """Each 1 KB arrives well within any per-read timeout; the whole does not."""
    server.set("/drip", b"x" * 100_000, drip_s=0.03, headers={"Content-Type": "text/plain"})
    started = time.monotonic()
    with pytest.raises(FetchError, match="timed out"):
        await fetch(server.url("/drip"), replace(LOCAL, total_timeout=0.4))
    assert time.monotonic() - started < 2.0  # the whole body would take 3 s
    assert server.requests_for("/drip")  # it did start answering


async def test_slow_resolver_hits_the_connect_timeout() -> None:
    def stuck(host: str) -> list[str]:
        time.sleep(2.5)
        return ["127.0.0.1"]

    started = time.monotonic()
    with pytest.raises(FetchError, match="timed out"):
        await fetch("http://slow-dns.example/", replace(LOCAL, connect_timeout=0.2), resolver=stuck)
    assert time.monotonic() - started < 1.8  # not waiting for the answer


# --- size cap and content codings ----------------------------------------------


def peak_memory_while(run: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_oversized_response_is_refused_without_reading_it(server: PageServer) -> None:
    limit = 1_000_000
    server.set("/big", bytes(10 * limit), headers={"Content-Type": "text/plain"})
    settings = replace(LOCAL, max_bytes=limit)

    def run() -> None:
        with pytest.raises(TooLargeError, match=r"more than fetch\.max_bytes = 1000000"):
            anyio.run(fetch, server.url("/big"), settings)

    assert peak_memory_while(run) < limit


async def test_body_at_the_limit_is_accepted(server: PageServer) -> None:
    server.set("/a", b"a" * 1000, headers={"Content-Type": "text/plain"})
    fetched = await fetch(server.url("/a"), replace(LOCAL, max_bytes=1000))
    assert fetched.bytes_read == 1000


@pytest.fixture(scope="module")
def zeros_gzip() -> bytes:
    """20 MB of zeros in 20 KB: a gzip bomb."""
    return gzip.compress(bytes(20_000_000), compresslevel=9)


@pytest.fixture(scope="module")
def zeros_brotli() -> bytes:
    """50 MB of zeros in a few dozen bytes: a brotli bomb."""
    bomb: bytes = brotli.compress(bytes(50_000_000), quality=5)
    return bomb


@pytest.mark.parametrize(("bomb", "coding"), [("zeros_gzip", "gzip"), ("zeros_brotli", "br")])
def test_compression_bomb_is_cut_off(
    server: PageServer, request: pytest.FixtureRequest, bomb: str, coding: str
) -> None:
    limit = 1_000_000
    body = request.getfixturevalue(bomb)
    server.set("/bomb", body, headers={"Content-Type": "text/html", "Content-Encoding": coding})
    settings = replace(LOCAL, max_bytes=limit)

    def run() -> None:
        with pytest.raises(TooLargeError, match=r"passed fetch.max_bytes = 1000000"):
            anyio.run(fetch, server.url("/bomb"), settings)

    # Unbounded decompression would hold 20-50 MB; the cap holds about 1 MB.
    assert peak_memory_while(run) < 2 * limit + 4 * CHUNK_SIZE


async def test_error_page_past_the_cap_is_cut_not_raised(server: PageServer) -> None:
    server.set("/gone", b"x" * 5000, status=410, headers={"Content-Type": "text/plain"})
    fetched = await fetch(server.url("/gone"), replace(LOCAL, max_bytes=1000))
    assert (fetched.status, fetched.bytes_read) == (410, 1000)


@pytest.mark.parametrize(
    ("coding", "compress"),
    [
        ("gzip", gzip.compress),
        ("br", brotli.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, no zlib header
        ("gzip, br", lambda data: brotli.compress(gzip.compress(data))),
    ],
)
async def test_compressed_bodies_are_decoded(
    server: PageServer, coding: str, compress: Callable[[bytes], bytes]
) -> None:
    html = ARTICLE * 300
    server.set(
        "/z",
        compress(html.encode()),
        headers={"Content-Type": "text/html; charset=utf-8", "Content-Encoding": coding},
    )
    fetched = await fetch(server.url("/z"))
    assert fetched.text == html
    assert fetched.bytes_read == len(html.encode())


async def test_pageserver_gzip_option_is_decoded(server: PageServer) -> None:
    server.set("/z", ARTICLE, gzip=True)
    assert (await fetch(server.url("/z"))).text == ARTICLE


async def test_broken_gzip_is_a_fetch_error(server: PageServer) -> None:
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"
    server.set("/z", header + b"\x07garbage", headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchError, match="broken compressed body"):
        await fetch(server.url("/z"))


@pytest.mark.parametrize(("coding", "compress"), [("gzip", gzip.compress), ("br", brotli.compress)])
async def test_truncated_compressed_body_is_a_fetch_error(
    server: PageServer, coding: str, compress: Callable[[bytes], bytes]
) -> None:
    """Half an article must not be stored as a version with its end deleted."""
    body = compress((ARTICLE * 200).encode())
    server.set("/z", body[: len(body) // 2], headers={"Content-Encoding": coding})
    with pytest.raises(FetchError, match="truncated"):
        await fetch(server.url("/z"))


# --- charsets --------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [
        "text/html; charset=EUC-KR",
        "text/html; charset=ks_c_5601-1987",
        'text/html;charset="euc-kr"',
    ],
)
async def test_euc_kr_page_with_header_charset(server: PageServer, content_type: str) -> None:
    html = korean_page()
    server.set("/ko", html.encode("euc-kr"), headers={"Content-Type": content_type})
    fetched = await fetch(server.url("/ko"))
    assert fetched.text == html
    assert fetched.encoding == "cp949"


@pytest.mark.parametrize(
    "meta",
    [
        '<meta charset="euc-kr">',
        "<meta charset=EUC-KR>",
        '<meta http-equiv="Content-Type" content="text/html; charset=euc-kr">',
        "<META CONTENT='text/html; charset=ks_c_5601-1987' HTTP-EQUIV='content-type'>",
    ],
)
async def test_euc_kr_page_with_only_a_meta_charset(server: PageServer, meta: str) -> None:
    html = korean_page(meta)
    server.set("/ko", html.encode("euc-kr"), headers={"Content-Type": "text/html"})
    fetched = await fetch(server.url("/ko"))
    assert fetched.text == html
    assert fetched.encoding == "cp949"


async def test_euc_kr_page_with_no_declaration_is_detected(server: PageServer) -> None:
    html = korean_page()
    server.set("/ko", html.encode("euc-kr"), headers={"Content-Type": "text/html"})
    fetched = await fetch(server.url("/ko"))
    assert KOREAN in fetched.text
    assert fetched.encoding == "cp949"


def test_euc_kr_label_decodes_cp949_only_syllables() -> None:
    html = "<p>똠방각하, 햏</p>"  # not in KS X 1001; browsers decode them anyway
    assert decode_html(html.encode("cp949"), "text/html; charset=euc-kr") == html


def test_a_framework_latin1_default_yields_to_the_page_meta() -> None:
    body = korean_page('<meta charset="euc-kr">').encode("euc-kr")
    assert detect_encoding(body, "text/html; charset=ISO-8859-1") == "cp949"
    assert detect_encoding(b"caf\xe9", "text/html; charset=ISO-8859-1") == "cp1252"


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (b"\xef\xbb\xbf<p>x</p>", "text/html; charset=euc-kr", "utf-8"),  # BOM wins
        ("<p>é</p>".encode("utf-16-le"), "text/html", "utf-16-le"),  # no BOM: detected
        (b"\xff\xfe<\x00p\x00>\x00", None, "utf-16-le"),
        (b'<meta charset="utf-16"><p>x</p>', None, "utf-8"),
        (b"<p>plain</p>", None, "utf-8"),
        (b"<p>x</p>", "text/html; charset=no-such-charset", "utf-8"),
        (b"<p>x</p>", "text/html; charset=base64", "utf-8"),
        (b"<p>x</p>", "text/html; charset=utf-7", "utf-8"),
        (
            "<p>日本語のニュース記事</p>".encode("shift_jis"),
            "text/html; charset=Shift_JIS",
            "cp932",
        ),
        (b"<p>x</p>", "text/html; charset=gb2312", "gb18030"),
    ],
)
def test_detect_encoding(body: bytes, content_type: str | None, expected: str) -> None:
    assert detect_encoding(body, content_type) == expected


async def test_invalid_bytes_are_replaced_not_raised(server: PageServer) -> None:
    server.set(
        "/bad",
        b"<p>ok \xff\xfe\xc3 still ok</p>",
        headers={"Content-Type": "text/html; charset=utf-8"},
    )
    fetched = await fetch(server.url("/bad"))
    assert fetched.text.startswith("<p>ok ")
    assert fetched.text.endswith(" still ok</p>")
    assert "\ufffd" in fetched.text


# --- the private-address guard ---------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "localhost",
        "[::1]",
        "[::ffff:127.0.0.1]",
        "2130706433",
        "0x7f000001",
        "017700000001",
        "127.1",
    ],
)
async def test_guard_refuses_this_machine_in_any_spelling(server: PageServer, host: str) -> None:
    with pytest.raises(BlockedAddressError, match="allow_private_hosts"):
        await fetch(f"http://{host}:{server.port}/a", GUARDED)
    assert server.requests == []


@pytest.mark.parametrize(
    "url", ["http://10.1.2.3/", "http://169.254.169.254/latest/meta-data/", "http://[fd00::1]/"]
)
async def test_guard_refuses_private_networks(url: str) -> None:
    with pytest.raises(BlockedAddressError):
        await fetch(url, GUARDED, resolver=FakeDNS({}))


async def test_guard_refuses_a_public_name_that_resolves_privately(server: PageServer) -> None:
    dns = FakeDNS({"news.example": ["127.0.0.1"]})
    with pytest.raises(BlockedAddressError, match=r"news\.example: it resolves to 127\.0\.0\.1"):
        await fetch(f"http://news.example:{server.port}/a", GUARDED, resolver=dns)
    assert dns.asked == ["news.example"]
    assert server.requests == []


async def test_guard_refuses_a_redirect_from_an_allowed_host_to_a_private_one(
    server: PageServer,
) -> None:
    """The first hop is allowed (trusted); the hop it redirects to is not."""
    dns = FakeDNS({"news.example": ["127.0.0.1"], "internal.example": ["127.0.0.1"]})
    targets = [
        f"http://internal.example:{server.port}/secret",
        server.url("/secret"),
        "http://169.254.169.254/latest/meta-data/",
        f"http://2130706433:{server.port}/secret",
    ]
    for target in targets:
        server.redirect("/start", target)
        with pytest.raises(BlockedAddressError, match="allow_private_hosts"):
            await fetch(
                f"http://news.example:{server.port}/start",
                GUARDED,
                resolver=dns,
                trusted_hosts=["news.example"],
            )
    assert {r.path for r in server.requests} == {"/start"}


async def test_trusted_first_hop_is_fetched_with_the_guard_on(server: PageServer) -> None:
    server.set("/a", ARTICLE)
    dns = FakeDNS({"news.example": ["127.0.0.1"]})
    fetched = await fetch(
        f"http://news.example:{server.port}/a",
        GUARDED,
        resolver=dns,
        trusted_hosts=["news.example"],
    )
    assert fetched.text == ARTICLE


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "javascript:alert(1)",
        "ftp://example.com/a",
        "http://user:pass@example.com/a",
        "http://example.com\\@127.0.0.1/",
    ],
)
async def test_bad_urls_are_refused_even_with_private_hosts_allowed(url: str) -> None:
    with pytest.raises(InvalidURLError):
        await fetch(url, LOCAL, resolver=FakeDNS({}))


@pytest.mark.parametrize("target", ["file:///etc/passwd", "ftp://example.com/", "gopher://x/"])
async def test_redirect_to_another_scheme_is_refused(server: PageServer, target: str) -> None:
    server.redirect("/a", target)
    with pytest.raises(InvalidURLError, match="only http and https"):
        await fetch(server.url("/a"))


async def test_connection_goes_to_the_checked_address_with_the_host_header_kept(
    server: PageServer,
) -> None:
    """One lookup per connection, and httpx connects where that lookup pointed.

    With no second lookup, a DNS answer that changes between check and
    connect (rebinding) has nothing to change.
    """
    server.set("/a", ARTICLE)
    server.set("/b", ARTICLE)
    dns = FakeDNS({"news.example": ["127.0.0.1"]})
    async with Fetcher(LOCAL, resolver=dns) as fetcher:
        await fetcher.fetch(f"http://news.example:{server.port}/a")
        await fetcher.fetch(f"http://news.example:{server.port}/b")
    assert dns.asked == ["news.example"]  # the kept-alive connection was reused
    assert server.requests_for("/a")[0].headers["Host"] == f"news.example:{server.port}"


async def test_unreachable_first_address_falls_back_to_the_next(server: PageServer) -> None:
    server.set("/a", ARTICLE)
    dns = FakeDNS({"news.example": ["::1", "127.0.0.1"]})  # the server has no IPv6 socket
    fetched = await fetch(f"http://news.example:{server.port}/a", resolver=dns)
    assert fetched.text == ARTICLE


# --- https -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A certificate for news.example from a throwaway test authority (trustme)."""
    folder = tmp_path_factory.mktemp("tls")
    authority = trustme.CA()
    authority.cert_pem.write_to_path(str(folder / "ca.pem"))
    issued = authority.issue_cert("news.example")
    issued.private_key_pem.write_to_path(str(folder / "key.pem"))
    issued.cert_chain_pems[0].write_to_path(str(folder / "cert.pem"))
    return folder


@pytest.fixture
def tls_server(certificate: Path) -> Iterator[PageServer]:
    """The page server behind TLS with the news.example certificate."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate / "cert.pem", certificate / "key.pem")
    running = PageServer()
    # PageServer has no TLS option (yet): wrap its listening socket before it starts.
    running._httpd.socket = context.wrap_socket(running._httpd.socket, server_side=True)
    with running:
        yield running


def client_context(certificate: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(certificate / "ca.pem"))


async def test_https_without_a_context_of_its_own_checks_against_the_default_store(
    tls_server: PageServer,
) -> None:
    """The default certificate store is loaded at the first https page, and it is used."""
    tls_server.set("/a", ARTICLE)
    dns = FakeDNS({"news.example": ["127.0.0.1"]})
    with pytest.raises(FetchError, match="certificate"):  # self-signed: no public CA signed it
        await fetch(
            f"https://news.example:{tls_server.port}/a",
            GUARDED,
            resolver=dns,
            trusted_hosts=["news.example"],
        )
    assert tls_server.requests_for("/a") == []


async def test_https_keeps_sni_and_certificate_checks(
    tls_server: PageServer, certificate: Path
) -> None:
    tls_server.set("/a", ARTICLE)
    dns = FakeDNS({"news.example": ["127.0.0.1"], "other.example": ["127.0.0.1"]})
    url = f"https://news.example:{tls_server.port}/a"
    fetched = await fetch(
        url,
        GUARDED,
        resolver=dns,
        trusted_hosts=["news.example"],
        ssl_context=client_context(certificate),
    )
    assert (fetched.status, fetched.text) == (200, ARTICLE)
    assert tls_server.requests_for("/a")[0].headers["Host"] == f"news.example:{tls_server.port}"

    # Same address, another name: the certificate must not match.
    with pytest.raises(FetchError, match="certificate"):
        await fetch(
            f"https://other.example:{tls_server.port}/a",
            LOCAL,
            resolver=dns,
            ssl_context=client_context(certificate),
        )


# -- reading a URL for the request ---------------------------------------------

_URL_CHARACTERS = (
    "azAZ09-._~!$&'()*+,;=:@/?#[]%41 \\\"<>^`{|}\u00e9\u4e2d"  # safe, reserved, unsafe, non-ASCII
)
_HOSTS = [
    "example.org", "news.example.co.uk", "a-b.c-d.example", "127.0.0.1", "10.0.0.255",
    "0.0.0.0", "127.1", "0177.0.0.1", "1.2.3.4.5", "256.1.1.1", "EXAMPLE.org", "a.b.",
    "xn--bcher-kva.example", "b\u00fccher.example", "x", "1x.example", "example.1x", "[::1]",
    "-a.example", "a..b",
]  # fmt: skip


def _as_httpx_reads_it(url: str) -> RequestTarget:
    parsed = httpx.URL(url)
    return RequestTarget(
        parsed.scheme,
        parsed.raw_host.decode("ascii"),
        parsed.port or {"http": 80, "https": 443}[parsed.scheme],
        parsed.netloc.decode("ascii"),
        parsed.raw_path,
    )


@settings(max_examples=1500, deadline=None)
@given(
    scheme=st.sampled_from(["http", "https", "HTTP", "Https"]),
    host=st.sampled_from(_HOSTS),
    port=st.sampled_from(["", ":80", ":443", ":8080", ":080", ":65535", ":65536", ":0", ":"]),
    path=st.lists(
        st.text(st.sampled_from(_URL_CHARACTERS), max_size=6) | st.sampled_from([".", ".."]),
        max_size=4,
    ),
    query=st.none() | st.text(st.sampled_from(_URL_CHARACTERS), max_size=8),
)
@example(scheme="http", host="127.0.0.1", port=":8000", path=["world", "1-story.html"], query=None)
def test_a_url_is_read_for_its_request_exactly_as_httpx_reads_it(
    scheme: str, host: str, port: str, path: list[str], query: str | None
) -> None:
    """The quick reading of a plain URL gives what httpx gives, and every other URL goes to httpx."""
    url = f"{scheme}://{host}{port}" + "".join("/" + segment for segment in path)
    if query is not None:
        url += "?" + query
    try:
        expected = _as_httpx_reads_it(url)
    except httpx.InvalidURL:
        with pytest.raises(InvalidURLError):
            request_target(url)
        return
    assert request_target(url) == expected


def test_usual_article_urls_are_read_without_httpx() -> None:
    """So the property above covers the quick reading, not only the fallback."""
    for url in (
        "http://127.0.0.1:8000/world/1-story.html",
        "https://www.example.co.uk/news/uk-politics-12345678",
        "https://example.org/2019/03/26/a-story/?utm_source=rss&id=7",
    ):
        assert _PLAIN_URL.fullmatch(url), url
        assert request_target(url) == _as_httpx_reads_it(url)


def test_httpx_is_loaded_only_for_a_url_that_needs_it() -> None:
    """About 80 ms before the first fetch of every ``monitor check``, for plain URLs spent for nothing."""
    code = (
        "import sys, monitor.checker, monitor.fetch as fetch;"
        "fetch.request_target('http://127.0.0.1:8000/world/1-story.html');"
        "print('httpx' in sys.modules);"
        "fetch.request_target('http://127.0.0.1:8000/world/1 story.html');"
        "print('httpx' in sys.modules)"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert loaded.stdout.split() == ["False", "True"]
