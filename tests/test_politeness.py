"""Polite fetching: global and per-host limits, the delay between requests, Retry-After.

Limits are measured where they matter, at a real local server that counts the
requests in flight per Host header; made-up host names resolve to 127.0.0.1
through an injected resolver. Waits of seconds or an hour (Retry-After) run on
a fake clock; the short real delays (0.1-0.2 s) are measured at the server.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import anyio
import anyio.lowlevel
import pytest

from monitor.config import FetchSettings
from monitor.errors import RetryLaterError
from monitor.fetch import Fetcher, HostGate, is_loopback_host, parse_retry_after
from tests.pageserver import PageServer

pytestmark = pytest.mark.anyio

HOSTS = ("a.example", "b.example", "c.example", "d.example")
POLITE = FetchSettings(
    allow_private_hosts=True, obey_robots=False, host_delay=0.0, per_host=2, concurrency=16
)


def resolve_locally(host: str) -> list[str]:
    """Every made-up name is this machine: one server, many "hosts"."""
    return ["127.0.0.1"]


class FakeClock:
    """Monotonic seconds that move only when someone sleeps: an hour passes in no time."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        target = self.now + seconds
        await anyio.lowlevel.checkpoint()
        self.now = max(self.now, target)


# --- a server that counts concurrent requests per host ------------------------------


@dataclass
class Counts:
    """What the counting server saw: start times and the most requests at once."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    in_flight: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    peak: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    total_in_flight: int = 0
    total_peak: int = 0
    starts: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    paths: list[tuple[str, str]] = field(default_factory=list)

    def enter(self, host: str, path: str) -> None:
        with self.lock:
            self.starts[host].append(time.monotonic())
            self.paths.append((host, path))
            self.in_flight[host] += 1
            self.peak[host] = max(self.peak[host], self.in_flight[host])
            self.total_in_flight += 1
            self.total_peak = max(self.total_peak, self.total_in_flight)

    def leave(self, host: str) -> None:
        with self.lock:
            self.in_flight[host] -= 1
            self.total_in_flight -= 1


class CountingServer:
    """``/page?delay=0.2`` answers after 0.2 s; ``/redirect?to=URL`` redirects there."""

    def __init__(self) -> None:
        self.counts = Counts()
        counts = self.counts

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                host = self.headers.get("Host", "").rsplit(":", 1)[0].lower()
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                counts.enter(host, parts.path)
                try:
                    time.sleep(float(query.get("delay", ["0"])[0]))
                finally:
                    counts.leave(host)
                if parts.path == "/redirect":
                    self.send_response(302)
                    self.send_header("Location", query["to"][0])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = b"<p>ok</p>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, host: str, path: str) -> str:
        return f"http://{host}:{self._httpd.server_address[1]}{path}"

    def __enter__(self) -> CountingServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture
def counting() -> Iterator[CountingServer]:
    with CountingServer() as running:
        yield running


async def fetch_all(settings: FetchSettings, urls: list[str]) -> None:
    """Launch every fetch at once through one Fetcher and wait for them all."""
    async with (
        Fetcher(settings, resolver=resolve_locally) as fetcher,
        anyio.create_task_group() as tg,
    ):
        for url in urls:
            tg.start_soon(fetcher.fetch, url)


# --- limits at the server -----------------------------------------------------------


async def test_one_host_never_sees_more_than_per_host_requests(counting: CountingServer) -> None:
    urls = [counting.url("a.example", f"/page?delay=0.1&n={i}") for i in range(10)]
    started = time.monotonic()
    await fetch_all(POLITE, urls)
    assert len(counting.counts.starts["a.example"]) == 10
    assert counting.counts.peak["a.example"] == 2  # the limit, and reached
    assert time.monotonic() - started >= 0.45  # five rounds of two, not one of ten


async def test_two_hosts_proceed_in_parallel(counting: CountingServer) -> None:
    settings = replace(POLITE, per_host=1)
    urls = [counting.url(h, f"/page?delay=0.2&n={i}") for h in HOSTS[:2] for i in range(2)]
    await fetch_all(settings, urls)
    assert counting.counts.peak == {"a.example": 1, "b.example": 1}
    # Both hosts were being served at the same moment (counted at the server, not timed).
    assert counting.counts.total_peak == 2


async def test_global_concurrency_caps_all_hosts_together(counting: CountingServer) -> None:
    settings = replace(POLITE, concurrency=3)
    urls = [counting.url(h, f"/page?delay=0.1&n={i}") for h in HOSTS for i in range(2)]
    await fetch_all(settings, urls)
    assert counting.counts.total_peak == 3
    assert sum(len(s) for s in counting.counts.starts.values()) == 8


async def test_requests_to_one_host_start_host_delay_apart(counting: CountingServer) -> None:
    settings = replace(POLITE, host_delay=0.2)
    urls = [counting.url("a.example", f"/page?n={i}") for i in range(4)]
    urls.append(counting.url("b.example", "/page"))
    await fetch_all(settings, urls)
    starts = counting.counts.starts["a.example"]
    gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
    assert len(gaps) == 3
    # Measured at the server, a gap can come out shorter than the delay by one
    # request's connection set-up; without the delay it would be about 1 ms.
    assert min(gaps) >= 0.15, gaps  # per_host = 2 alone would let two start together
    assert counting.counts.starts["b.example"][0] < starts[1]  # another host: no wait


async def test_a_redirect_hop_counts_against_the_host_it_goes_to(
    counting: CountingServer,
) -> None:
    settings = replace(POLITE, per_host=1)
    slow_b = counting.url("b.example", "/page?delay=0.2")
    urls = [
        counting.url("b.example", "/page?delay=0.2&n=1"),
        counting.url("a.example", f"/redirect?to={slow_b}"),
        counting.url("c.example", f"/redirect?to={slow_b}%26n=2"),
    ]
    await fetch_all(settings, urls)
    assert len(counting.counts.starts["b.example"]) == 3
    assert counting.counts.peak["b.example"] == 1


async def test_each_hop_waits_for_its_host_delay(counting: CountingServer) -> None:
    """A redirect back to the same host is a second request to it: it waits its turn."""
    settings = replace(POLITE, host_delay=0.2)
    target = counting.url("a.example", "/page")
    await fetch_all(settings, [counting.url("a.example", f"/redirect?to={target}")])
    first, second = counting.counts.starts["a.example"]
    assert second - first >= 0.15


# --- the gate on a fake clock ---------------------------------------------------------


async def test_gate_spaces_starts_by_the_delay_on_its_clock() -> None:
    clock = FakeClock()
    gate = HostGate(per_host=2, delay=1.0, clock=clock, sleep=clock.sleep)
    started: dict[str, list[float]] = defaultdict(list)

    async def request(host: str) -> None:
        async with gate.slot(host):
            started[host].append(clock())
            await anyio.lowlevel.checkpoint()

    async with anyio.create_task_group() as tg:
        for host in ("a.example", "a.example", "a.example", "b.example"):
            tg.start_soon(request, host)
    assert started["a.example"] == [1000.0, 1001.0, 1002.0]
    assert started["b.example"] == [1000.0]


async def test_gate_hands_back_a_global_turn_it_may_not_use_yet() -> None:
    """With one global turn, a host in its delay must not block another host."""
    clock = FakeClock()
    gate = HostGate(concurrency=1, per_host=2, delay=10.0, clock=clock, sleep=clock.sleep)
    order: list[tuple[str, float]] = []

    async def request(host: str) -> None:
        async with gate.slot(host):
            order.append((host, clock()))

    async with anyio.create_task_group() as tg:
        for host in ("a.example", "a.example", "b.example"):
            tg.start_soon(request, host)
    assert order == [("a.example", 1000.0), ("b.example", 1000.0), ("a.example", 1010.0)]


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("demo.localhost", True),
        ("10.0.0.1", False),
        ("news.example", False),
        ("127.0.0.1.example", False),
    ],
)
def test_loopback_hosts_are_recognised(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


async def test_loopback_hosts_skip_the_host_delay() -> None:
    """This machine (tests, the demo newsroom) is not somebody's server to spare."""
    clock = FakeClock()
    gate = HostGate(per_host=1, delay=5.0, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        async with gate.slot("127.0.0.1"):
            pass
    assert clock.slept == []


# --- Retry-After -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "date", "expected"),
    [
        ("120", None, 120.0),
        (" 5 ", None, 5.0),
        ("0", None, 0.0),
        ("99999999999999", None, 3600.0),  # capped at an hour
        ("Wed, 21 Oct 2015 07:28:30 GMT", "Wed, 21 Oct 2015 07:28:00 GMT", 30.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", "Wed, 21 Oct 2015 08:28:00 GMT", 0.0),  # past
        ("Fri, 23 Oct 2015 07:28:00 GMT", "Wed, 21 Oct 2015 07:28:00 GMT", 3600.0),
        ("soon", None, None),
        ("-5", None, None),
        ("1.5", None, None),
        ("", None, None),
        (None, None, None),
    ],
)
def test_parse_retry_after(value: str | None, date: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, date) == expected


def test_retry_after_date_without_a_server_date_is_measured_from_now() -> None:
    value = formatdate(time.time() + 90, usegmt=True)
    wait = parse_retry_after(value)
    assert wait is not None and 85 <= wait <= 91


@pytest.fixture(scope="module")
def shared_server() -> Iterator[PageServer]:
    with PageServer() as running:
        yield running


@pytest.fixture
def server(shared_server: PageServer) -> PageServer:
    shared_server.pages.clear()
    shared_server.requests.clear()
    return shared_server


def named(server: PageServer, host: str, path: str) -> str:
    return f"http://{host}:{server.port}{path}"


@pytest.mark.parametrize("status", [429, 503])
async def test_short_retry_after_is_waited_out(server: PageServer, status: int) -> None:
    clock = FakeClock()
    server.set("/busy", "busy", status=status, headers={"Retry-After": "30"})
    server.set("/a", "<p>a</p>")
    async with Fetcher(POLITE, resolver=resolve_locally, clock=clock, sleep=clock.sleep) as fetcher:
        busy = await fetcher.fetch(named(server, "a.example", "/busy"))
        assert busy.status == status  # the answer itself is returned, not raised
        until = fetcher.retry_after(busy.final_url)
        assert until is not None
        expected = datetime.now(UTC) + timedelta(seconds=30)
        assert abs((until - expected).total_seconds()) < 2
        assert fetcher.retry_after("b.example") is None

        other = await fetcher.fetch(named(server, "b.example", "/a"))  # another host: no wait
        assert (other.status, clock.now) == (200, 1000.0)
        fetched = await fetcher.fetch(named(server, "a.example", "/a"))
        assert fetched.status == 200
        assert clock.now >= 1030.0
        assert fetcher.retry_after("a.example") is None


async def test_long_retry_after_fails_fast_until_it_is_over(server: PageServer) -> None:
    clock = FakeClock()
    server.set("/busy", "slow down", status=429, headers={"Retry-After": "600"})
    server.set("/a", "<p>a</p>")
    async with Fetcher(POLITE, resolver=resolve_locally, clock=clock, sleep=clock.sleep) as fetcher:
        await fetcher.fetch(named(server, "a.example", "/busy"))
        with pytest.raises(match=r"a\.example asked us to wait until") as caught:
            await fetcher.fetch(named(server, "A.Example", "/a"))  # host names fold case
        expected = datetime.now(UTC) + timedelta(seconds=600)
        assert abs((caught.value.until - expected).total_seconds()) < 2
        assert caught.value.until == fetcher.retry_after(named(server, "a.example", "/"))
        assert clock.slept == []  # failed at once: no worker parked for ten minutes
        assert server.requests_for("/a") == []

        clock.now += 601
        assert (await fetcher.fetch(named(server, "a.example", "/a"))).status == 200


async def test_retry_after_as_an_http_date(server: PageServer) -> None:
    clock = FakeClock()
    value = formatdate(time.time() + 300, usegmt=True)
    server.set("/busy", "down", status=503, headers={"Retry-After": value})
    async with Fetcher(POLITE, resolver=resolve_locally, clock=clock, sleep=clock.sleep) as fetcher:
        await fetcher.fetch(named(server, "a.example", "/busy"))
        until = fetcher.retry_after("a.example")
        assert until is not None
        assert abs((until - datetime.now(UTC)).total_seconds() - 300) < 3
        with pytest.raises(RetryLaterError):
            await fetcher.fetch(named(server, "a.example", "/busy"))


async def test_unreadable_retry_after_and_other_statuses_are_ignored(server: PageServer) -> None:
    clock = FakeClock()
    server.set("/soon", "x", status=429, headers={"Retry-After": "soon"})
    server.set("/500", "x", status=500, headers={"Retry-After": "600"})
    async with Fetcher(POLITE, resolver=resolve_locally, clock=clock, sleep=clock.sleep) as fetcher:
        for path in ("/soon", "/500", "/soon"):
            await fetcher.fetch(named(server, "a.example", path))
        assert fetcher.retry_after("a.example") is None
    assert clock.slept == []
