"""Fetch one article page: conditional GET, guarded, bounded, decoded.

``Fetcher`` owns one pool of kept-alive HTTP/1.1 connections
(:mod:`monitor.http1`) and turns a URL into a :class:`~monitor.models.Fetched`. HTTP error statuses are answers, not errors:
a 404 comes back as ``Fetched(status=404)`` and the checker decides it means
"gone". Everything else that goes wrong - no connection, a timeout, a refused
address, a body past ``fetch.max_bytes`` - is a :class:`FetchError` with a
one-line message.

How the guard is enforced (see :mod:`monitor.netguard` for what it refuses):

- every URL, including each redirect target, passes ``netguard.check_url``
  before it is requested: scheme, credentials, malformed hosts and IP
  literals in any spelling are refused without a connection attempt;
- host names are checked where the TCP connection is opened, in
  :class:`GuardedConnector`: it resolves the name with the injected resolver,
  refuses the lot if any address is private, and connects to one of *those
  same* addresses. Nothing resolves the name a second time, so DNS
  rebinding (a public answer for the check, a private one for the
  connection) has no second lookup to exploit. Only the TCP target changes:
  the Host header, TLS SNI and certificate verification still use the name
  from the URL;
- proxy environment variables are ignored (a proxy would resolve the name
  itself, past the guard) and ``allow_private_hosts`` switches the address
  rules off, not the URL syntax rules.

Bodies are streamed and decoded by this module, so the size cap counts *decoded* bytes in 64 KiB steps: a gzip or brotli bomb is cut
off after ``max_bytes`` instead of inflating in memory. ``total_timeout``
bounds the whole exchange (DNS, connect, redirects, a body dripping one byte
a second), not each read; time spent queued for politeness (below) is not
counted, so a long queue for one outlet cannot time its checks out.

Politeness, enforced here so every caller (checks, feed polls, robots.txt
fetches) gets it without asking - see :class:`HostGate`:

- at most ``fetch.concurrency`` requests in flight in all, at most
  ``fetch.per_host`` to one host name, and at least ``fetch.host_delay``
  seconds between the starts of two requests to one host. Every redirect hop
  is a request to its own host and queues like one;
- a 429 or 503 with ``Retry-After`` (seconds or an HTTP date, capped at an
  hour) holds back that host's next requests. A wait up to
  ``fetch.max_retry_wait`` is waited out; a longer one fails at once with
  :class:`RetryLaterError` ("… asked us to wait until …"), which carries the
  time, so a scheduler moves on instead of parking a worker for an hour.
  :meth:`Fetcher.retry_after` tells the checker the same after the 429
  itself, which is returned as a status like any other;
- robots.txt is consulted for every hop unless switched off
  (``fetch.obey_robots``, or ``obey_robots=False`` per call for outlets that
  opt out); see :mod:`monitor.robots` for the rules and the caching.

Loopback hosts (``127.0.0.0/8``, ``::1``, ``localhost``) are exempt from all of
that but the global limit: politeness protects other people's servers, and a
loopback address is this machine - the demo newsroom and the test servers,
which would otherwise be read at one page a second.
"""

from __future__ import annotations

import asyncio
import codecs
import functools
import math
import re
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Iterable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import TYPE_CHECKING, Protocol

import brotli

from monitor import netguard
from monitor.config import FetchSettings
from monitor.errors import (
    BlockedAddressError,
    FetchError,
    InvalidURLError,
    RetryLaterError,
    TooLargeError,
)
from monitor.http1 import ConnectionPool, HTTPProtocolError, Origin, Response
from monitor.models import Fetched
from monitor.netguard import Resolver
from monitor.robots import ROBOTS_MAX_BYTES, RobotsCache, product_token

if TYPE_CHECKING:
    import email.message
    import ssl
    from http.cookiejar import CookieJar

    import httpx

__all__ = [
    "Fetcher",
    "GuardedConnector",
    "HostGate",
    "decode_html",
    "detect_encoding",
    "fetch_page",
    "parse_retry_after",
]

Clock = Callable[[], float]  # monotonic seconds
Sleep = Callable[[float], Awaitable[None]]

CHUNK_SIZE = 64 * 1024  # the most decoded bytes produced per decoder step
SNIFF_BYTES = 4096  # how far into the body <meta charset> is looked for

# brotli >= 1.2 can stop decompressing at an output limit; older versions
# cannot, so without it brotli is not advertised (a 329-byte brotli body can
# inflate to 200 MB in a single call).
_BROTLI_BOUNDED = hasattr(brotli.Decompressor, "can_accept_more_data")
ACCEPT_ENCODING = "gzip, deflate, br" if _BROTLI_BOUNDED else "gzip, deflate"
ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
MAX_RETRY_AFTER = 3600.0  # a longer Retry-After is read as this: nobody means "come back in a year"
RETRY_AFTER_STATUSES = frozenset({429, 503})


class Fetcher:
    """One HTTP client for many fetches; use as ``async with Fetcher(settings) as f``.

    ``resolver`` maps a host name to IP address strings (default: the
    system's getaddrinfo, in a worker thread); tests inject one to make a
    made-up name resolve wherever they need. ``trusted_hosts`` are exact host
    names exempt from the address rules (an intranet CMS, or a test's "public"
    first hop); redirects away from them are checked as usual.
    ``ssl_context`` replaces the default certificate store (a private CA).
    ``clock`` (monotonic seconds) and ``sleep`` drive the politeness waits
    and the robots.txt cache, so tests can run an hour of back-off in no time.
    """

    def __init__(
        self,
        settings: FetchSettings | None = None,
        *,
        resolver: Resolver | None = None,
        trusted_hosts: Iterable[str] = (),
        ssl_context: ssl.SSLContext | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.settings = settings or FetchSettings()
        self._gate = HostGate(
            concurrency=self.settings.concurrency,
            per_host=self.settings.per_host,
            delay=self.settings.host_delay,
            max_wait=self.settings.max_retry_wait,
            clock=clock,
            sleep=sleep,
        )
        # robots.txt per site, fetched through this Fetcher (guarded, polite).
        self.robots = RobotsCache(
            self._get_robots,
            token=product_token(self.settings.user_agent),
            clock=clock,
            passthrough=(BlockedAddressError, InvalidURLError, RetryLaterError),
        )
        self._trusted = frozenset(netguard.normalise_host(h) for h in trusted_hosts)
        # No proxies, from the environment or elsewhere: they would resolve names past the guard.
        self._pool = ConnectionPool(
            GuardedConnector(
                resolver or netguard.resolve_host,
                allow_private=self.settings.allow_private_hosts,
                trusted_hosts=self._trusted,
                ssl_context=ssl_context,  # None: the default, loaded at the first https page
                timeout=self.settings.connect_timeout,
            )
        )
        self._headers = (
            ("User-Agent", self.settings.user_agent),
            ("Accept", ACCEPT),
            ("Accept-Encoding", ACCEPT_ENCODING),
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        self._pool.close()

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        obey_robots: bool | None = None,
    ) -> Fetched:
        """GET ``url``, conditionally when a validator from the last fetch is given.

        A 304 comes back as ``Fetched(status=304, text="")`` carrying the
        validators still in force. ``bytes_read`` is the decoded body size and
        ``duration_s`` the time spent on the wire, not queued for politeness.
        ``obey_robots`` overrides ``fetch.obey_robots`` for this call (the
        checker passes the outlet's ``obey_robots`` rule); when it is on, a
        URL robots.txt disallows raises RobotsDisallowedError unrequested.
        """
        obey = self.settings.obey_robots if obey_robots is None else obey_robots
        conditional = {}
        if etag:
            conditional["If-None-Match"] = etag
        if last_modified:
            conditional["If-Modified-Since"] = last_modified
        raw = await self._exchange(
            url, conditional, obey_robots=obey, limit=self.settings.max_bytes, strict=True
        )
        content_type = raw.headers.get("content-type")
        if raw.status == 304:
            text, encoding = "", None
        else:
            text, encoding = _decode(raw.body, content_type)
        return Fetched(
            url=url,
            final_url=raw.url,
            status=raw.status,
            text=text,
            encoding=encoding,
            etag=raw.headers.get("etag") or (etag if raw.status == 304 else None),
            last_modified=raw.headers.get("last-modified")
            or (last_modified if raw.status == 304 else None),
            content_type=content_type,
            bytes_read=len(raw.body),
            duration_s=raw.elapsed,
            body=bytes(raw.body),
            headers=tuple(raw.headers.items()),
        )

    def retry_after(self, host_or_url: str) -> datetime | None:
        """When a host that answered 429/503 with Retry-After takes requests again (UTC).

        None when it has not asked us to wait, or the wait is over. Takes a
        host name or a URL (such as ``Fetched.final_url``).
        """
        return self._gate.retry_after(_gate_key(host_or_url))

    async def _exchange(
        self,
        url: str,
        conditional: dict[str, str],
        *,
        obey_robots: bool,
        limit: int,
        strict: bool,
    ) -> _Raw:
        """Follow redirects by hand, checking every hop; read the final body.

        Each hop is checked by the guard, then by robots.txt, then waits for
        its host's turn; ``total_timeout`` is spent only while holding a turn.
        """
        total = self.settings.total_timeout
        elapsed = 0.0
        # Cookies live for one fetch (a redirect chain), never across fetches:
        # a metered paywall must see every check as a new reader.
        cookies = _FetchCookies()
        current = url
        for _hop in range(self.settings.max_redirects + 1):
            current = netguard.check_url(
                current,
                allow_private=self.settings.allow_private_hosts,
                trusted_hosts=self._trusted,
            )
            parsed = request_target(current)
            host = netguard.normalise_host(parsed.host)
            if obey_robots and not is_loopback_host(host):
                await self.robots.check(current)
            async with self._gate.slot(host, current):
                started = time.perf_counter()
                try:
                    async with asyncio.timeout(total - elapsed):
                        raw, current = await self._hop(
                            current, parsed, host, conditional, cookies, limit, strict
                        )
                except TimeoutError as exc:
                    raise FetchError(f"timed out after {total:g} s fetching {url}") from exc
                finally:
                    elapsed += time.perf_counter() - started
            if raw is not None:
                raw.elapsed = elapsed
                return raw
        raise FetchError(f"too many redirects (more than {self.settings.max_redirects}): {url}")

    async def _hop(
        self,
        current: str,
        url: RequestTarget,
        host: str,
        conditional: dict[str, str],
        cookies: _FetchCookies,
        limit: int,
        strict: bool,
    ) -> tuple[_Raw | None, str]:
        """One request: the final response, or None and the URL it redirects to."""
        origin: Origin = (url.scheme, url.host, url.port)
        headers = [("Host", url.netloc), *self._headers, *conditional.items()]
        headers.extend(cookies.header(current))
        try:
            response = await self._pool.get(origin, url.path, headers)
        except _ConnectTimeoutError as exc:
            raise FetchError(
                f"timed out connecting to {url.host} "
                f"after {self.settings.connect_timeout:g} s: {current}"
            ) from exc
        except (OSError, HTTPProtocolError) as exc:
            raise FetchError(f"could not fetch {current}: {_one_line(exc)}") from exc
        try:
            if response.status in RETRY_AFTER_STATUSES:
                wait = parse_retry_after(response.get("retry-after"), response.get("date"))
                if wait:
                    self._gate.defer(host, wait)
            cookies.keep(current, response)
            location = response.get("location")
            if location is not None and response.status in REDIRECT_STATUSES:
                return None, _joined(current, location)
            # A 304's body is empty, but reading it is what ends the answer and
            # keeps the connection for the next request.
            body = await self._read_body(response, current, limit, strict=strict)
            return _Raw(current, response.status, response.fields, body), current
        except (OSError, HTTPProtocolError, _BrokenBodyError) as exc:
            raise FetchError(f"could not read {current}: {_one_line(exc)}") from exc
        finally:
            response.close()

    async def _get_robots(self, url: str) -> tuple[int, str]:
        """robots.txt for :class:`RobotsCache`: guarded and polite, cut at 500 KiB.

        Never consults robots.txt itself, and cuts a long file at its last
        whole line rather than failing like an oversized article.
        """
        raw = await self._exchange(url, {}, obey_robots=False, limit=ROBOTS_MAX_BYTES, strict=False)
        body = raw.body
        if raw.status < 400 and len(body) >= ROBOTS_MAX_BYTES:
            body = body[: body.rfind(b"\n") + 1]
        return raw.status, bytes(body).decode("utf-8", errors="replace")

    async def _read_body(
        self, response: Response, url: str, limit: int, *, strict: bool = True
    ) -> bytearray:
        """Stream and decode the body, never holding more than ``limit`` + one chunk.

        A successful response past the cap raises TooLargeError. An error page
        (4xx/5xx) past the cap is cut short instead: its status is the answer.
        With ``strict=False`` every body is cut short (robots.txt).
        """
        strict = strict and 200 <= response.status < 300
        declared = response.get("content-length", "") or ""
        # A compressed body decodes to at least about its own size, so a
        # declared length past the cap is enough to stop before reading.
        if strict and declared.isdigit() and int(declared) > limit:
            raise TooLargeError(
                f"response is {int(declared)} bytes, more than fetch.max_bytes = {limit}: {url}"
            )
        decoder = _decoder_for(response.get("content-encoding", "") or "")
        body = bytearray()
        received = 0  # bytes on the wire: capped too, or data a decoder ignores (after
        # the end of a gzip stream, empty deflate blocks) would stream on unbounded
        async for raw in response.iter_raw():
            received += len(raw)
            wire_full = received > limit
            if wire_full and strict:
                raise TooLargeError(
                    f"response passed fetch.max_bytes = {limit} on the wire "
                    f"(stopped after {received} bytes): {url}"
                )
            if wire_full:
                raw = raw[: len(raw) - (received - limit)]
            for piece in decoder.decode(raw):
                if len(body) + len(piece) > limit:
                    if not strict:
                        body += piece[: limit - len(body)]
                        return body
                    raise TooLargeError(
                        f"response passed fetch.max_bytes = {limit} "
                        f"(stopped after {len(body) + len(piece)} bytes): {url}"
                    )
                body += piece
            if wire_full:
                return body  # cut short (not strict): the stream was cut, nothing to flush
        for piece in decoder.flush():
            body += piece[: max(0, limit - len(body))]
        return body


async def fetch_page(
    url: str,
    settings: FetchSettings | None = None,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    obey_robots: bool | None = None,
) -> Fetched:
    """Fetch one URL with a short-lived Fetcher: for one-off commands, not loops."""
    async with Fetcher(settings) as fetcher:
        return await fetcher.fetch(
            url, etag=etag, last_modified=last_modified, obey_robots=obey_robots
        )


# --- politeness ------------------------------------------------------------------


@dataclass(eq=False)
class _HostState:
    slots: asyncio.Semaphore  # per_host turns
    next_start: float = -math.inf  # monotonic: the next request may start then (host_delay)
    not_before: float = -math.inf  # monotonic: Retry-After holds requests until then
    until: datetime | None = None  # not_before as a UTC time, for messages and the checker
    users: int = 0  # tasks inside slot(): the state must not be forgotten under them


class HostGate:
    """Turns to make a request: a global limit, a per-host limit and delay, Retry-After.

    ``slot(host, url)`` is entered around each single request (one redirect
    hop). A task first takes one of the host's ``per_host`` turns (FIFO), then
    waits until the host's delay and any Retry-After have passed, and only
    then takes one of the ``concurrency`` global turns, so requests queued
    for a slow or strict host never hold turns that other hosts could use.
    If the host's clock moved while the global turn was awaited, the turn is
    handed back and the wait resumes.

    ``clock`` is monotonic seconds and ``sleep`` waits on that clock: tests
    substitute a fake pair. Loopback hosts get the global limit only.
    """

    PRUNE_AT = 1024  # host states kept before idle ones are forgotten

    def __init__(
        self,
        *,
        concurrency: int = 16,
        per_host: int = 2,
        delay: float = 1.0,
        max_wait: float = 60.0,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._global = asyncio.Semaphore(max(1, concurrency))
        self._per_host = max(1, per_host)
        self._delay = max(0.0, delay)
        self._max_wait = max_wait
        self._clock = clock
        self._sleep = sleep
        self._hosts: dict[str, _HostState] = {}

    @asynccontextmanager
    async def slot(self, host: str, url: str = "") -> AsyncIterator[None]:
        """Hold a turn to send one request to ``host``.

        Raises RetryLaterError at once when the host's Retry-After is further
        away than ``max_wait``; ``url`` is only for that message.
        """
        if is_loopback_host(host):
            async with self._global:
                yield
            return
        state = self._state(host)
        state.users += 1
        try:
            self._refuse_long_wait(host, state, url)
            async with state.slots:
                while True:
                    self._refuse_long_wait(host, state, url)
                    wait = max(state.next_start, state.not_before) - self._clock()
                    if wait > 0:
                        await self._sleep(wait)
                        continue
                    await self._global.acquire()
                    now = self._clock()
                    if max(state.next_start, state.not_before) <= now:
                        break
                    self._global.release()  # another hop to this host went first
                state.next_start = now + self._delay
                try:
                    yield
                finally:
                    self._global.release()
        finally:
            state.users -= 1

    def defer(self, host: str, seconds: float) -> None:
        """Hold ``host``'s requests for ``seconds``; a later Retry-After replaces this one."""
        if is_loopback_host(host) or seconds <= 0:
            return
        state = self._state(host)
        state.not_before = self._clock() + seconds
        state.until = datetime.now(UTC) + timedelta(seconds=seconds)

    def retry_after(self, host: str) -> datetime | None:
        """When ``host`` takes requests again by its Retry-After, or None when it already does."""
        state = self._hosts.get(host)
        if state is None or state.not_before <= self._clock():
            return None
        return state.until

    def _refuse_long_wait(self, host: str, state: _HostState, url: str) -> None:
        if state.not_before - self._clock() > self._max_wait:
            until = state.until or datetime.now(UTC)
            raise RetryLaterError(
                f"{host} asked us to wait until {until:%Y-%m-%d %H:%M:%S} UTC (Retry-After), "
                f"longer than fetch.max_retry_wait = {self._max_wait:g} s: {url or host}",
                host=host,
                until=until,
            )

    def _state(self, host: str) -> _HostState:
        state = self._hosts.get(host)
        if state is None:
            if len(self._hosts) >= self.PRUNE_AT:
                self._prune()
            state = self._hosts[host] = _HostState(asyncio.Semaphore(self._per_host))
        return state

    def _prune(self) -> None:
        """Forget hosts nobody is waiting for whose delay and Retry-After are over."""
        now = self._clock()
        for host, state in list(self._hosts.items()):
            if state.users == 0 and state.next_start <= now and state.not_before <= now:
                del self._hosts[host]


def parse_retry_after(value: str | None, server_date: str | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for, or None when absent or unreadable.

    Both RFC 9110 forms: delay seconds, or an HTTP date - measured from the
    response's own ``Date`` when it has one, so a server whose clock is off
    still gets the wait it meant. Capped at :data:`MAX_RETRY_AFTER`; a date in
    the past means no wait.
    """
    text = (value or "").strip()
    if not text:
        return None
    if text.isdigit():
        return min(float(text[:8]), MAX_RETRY_AFTER)  # eight digits already pass the cap
    when = _http_date(text)
    if when is None:
        return None
    reference = _http_date(server_date or "") or datetime.now(UTC)
    return min(max(0.0, (when - reference).total_seconds()), MAX_RETRY_AFTER)


def _http_date(text: str) -> datetime | None:
    import email.utils  # with the email package: only for the few answers that need it

    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)  # HTTP dates are GMT


@functools.lru_cache(maxsize=4096)  # asked twice for each fetch; a pass has few hosts
def is_loopback_host(host: str) -> bool:
    """``localhost`` names and loopback addresses: this machine, exempt from politeness."""
    name = netguard.normalise_host(host)
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        address = netguard.literal_address(name)
    except ValueError:
        return False
    return address is not None and address.is_loopback


@functools.cache
def _default_ssl_context() -> ssl.SSLContext:
    """certifi's CA bundle (or SSL_CERT_FILE); loading it takes ~0.1 s, so once, when needed."""
    import httpx

    return httpx.create_ssl_context()


@dataclass
class _Raw:
    url: str
    status: int
    headers: dict[str, str]  # lower-case names, repeated headers joined with ", "
    body: bytearray
    elapsed: float = 0.0  # seconds on the wire, all hops


_PORTS = {"http": 80, "https": 443}
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class _FetchCookies:
    """The cookies the answers of one fetch (a redirect chain) set, for its next hops.

    The jar is made at the first Set-Cookie: ``http.cookiejar`` imports
    ``urllib.request``, ``http.client`` and the email package, about 16 ms
    at the start of every ``monitor check``, and most article pages set no
    cookie the next hop needs. Its parsing is costly even for none, so it
    is asked only when there are some.
    """

    __slots__ = ("_jar",)

    def __init__(self) -> None:
        self._jar: CookieJar | None = None

    def keep(self, url: str, response: Response) -> None:
        set_cookies = response.get_all("set-cookie")
        if not set_cookies:
            return
        import urllib.request

        if self._jar is None:
            from http.cookiejar import CookieJar

            self._jar = CookieJar()
        self._jar.extract_cookies(_CookieResponse(set_cookies), urllib.request.Request(url))  # type: ignore[arg-type]

    def header(self, url: str) -> list[tuple[str, str]]:
        """The Cookie header for a request to ``url``, if the jar holds any."""
        if not self._jar:  # none made, or none kept
            return []
        import urllib.request

        request = urllib.request.Request(url)
        self._jar.add_cookie_header(request)
        cookie = request.unredirected_hdrs.get("Cookie")
        return [("Cookie", cookie)] if cookie else []


class _CookieResponse:
    """The one method ``CookieJar.extract_cookies`` asks of a response."""

    def __init__(self, set_cookies: list[str]) -> None:
        import email.message

        self._message = email.message.Message()
        for value in set_cookies:
            self._message["Set-Cookie"] = value

    def info(self) -> email.message.Message:
        return self._message


@dataclass(frozen=True, slots=True)
class RequestTarget:
    """What a request needs of its URL, in the form httpx normalises it to."""

    scheme: str
    host: str  # as sent: lower-case, IDNA-encoded, IPv6 in brackets' stead unbracketed
    port: int  # the default port of the scheme when the URL names none
    netloc: str  # the Host header: the host, and the port when it is not the default
    path: bytes  # the path and query, percent-encoded, without the fragment


# A URL already as httpx would normalise it: "http" or "https"; a host of
# lower-case ASCII labels, or a dotted quad without leading zeros; a port
# without a leading zero; a path and a query of characters httpx leaves as
# they are (no percent-escapes, spaces or other characters to encode). Dot
# segments ("/./", "/../"), which httpx removes, are looked for apart.
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_PLAIN_URL = re.compile(
    rf"(https?)://((?:{_LABEL}\.)*[a-z](?:[a-z0-9-]{{0,61}}[a-z0-9])?|{_OCTET}(?:\.{_OCTET}){{3}})"
    r"(?::([1-9][0-9]{0,4}))?"
    r"((?:/[A-Za-z0-9\-._~!$&'()*+,;=:@]*)*)"
    r"((?:\?[A-Za-z0-9\-._~!$&'()*+,;=:@/?]*)?)"
)


def request_target(url: str) -> RequestTarget:
    """``url`` parsed for a request, or InvalidURLError.

    A URL already in normal form (nearly every article URL) is read with one
    regular expression: httpx's parser took about 40 µs of the event loop's
    CPU for each fetch. Any other goes through httpx, which encodes, joins
    and validates; ``tests/test_fetch.py`` holds the two to the same answer.
    """
    plain = _PLAIN_URL.fullmatch(url)
    if plain is not None and "xn--" not in url and "/." not in plain[4]:
        scheme, host, port, path, query = plain.groups()
        number = int(port) if port else _PORTS[scheme]
        if number <= 65535:
            netloc = host if number == _PORTS[scheme] else f"{host}:{number}"
            return RequestTarget(scheme, host, number, netloc, ((path or "/") + query).encode())
    parsed = _parse_url(url)
    return RequestTarget(
        parsed.scheme,
        parsed.raw_host.decode("ascii"),
        parsed.port or _PORTS[parsed.scheme],
        parsed.netloc.decode("ascii"),
        parsed.raw_path,
    )


def _parse_url(url: str) -> httpx.URL:
    """httpx's reading of ``url``, or InvalidURLError.

    httpx is imported here, at the first URL that needs it (about 80 ms of
    CPU, before the first fetch of every ``monitor check``): a pass over
    plain article URLs, without redirects or https, never does.
    """
    import httpx

    try:
        return httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise InvalidURLError(f"not a valid URL: {url!r} ({exc})") from exc


def _joined(base: str, location: str) -> str:
    """A redirect's ``location`` read against the URL that answered it."""
    import httpx

    try:
        return str(_parse_url(base).join(location))
    except httpx.InvalidURL as exc:
        raise InvalidURLError(f"not a valid URL: {location!r} ({exc})") from exc


def _gate_key(host_or_url: str) -> str:
    """The host name politeness is counted by: lower-case, no port, no root dot."""
    host = _parse_url(host_or_url).host if "://" in host_or_url else host_or_url
    return netguard.normalise_host(host)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


# --- the connection guard ----------------------------------------------------


class _ConnectTimeoutError(Exception):
    """Resolving or connecting took longer than ``fetch.connect_timeout``."""


class GuardedConnector:
    """Opens connections for :class:`~monitor.http1.ConnectionPool`, only to checked addresses.

    The pool hands over the host name from the URL; this resolves it with the
    injected resolver, refuses it (BlockedAddressError) when any address is
    private, and opens the TCP connection to the checked addresses in turn,
    each within ``timeout`` seconds. TLS is started on that connection with
    ``server_hostname`` set to the URL's host, so SNI and certificate checks
    are those of the name, not of the address.
    """

    def __init__(
        self,
        resolver: Resolver,
        *,
        allow_private: bool = False,
        trusted_hosts: Collection[str] = (),
        ssl_context: ssl.SSLContext | None = None,
        timeout: float = 10.0,
    ) -> None:
        self._resolver = resolver
        self._allow_private = allow_private
        self._trusted = trusted_hosts
        self._ssl_context = ssl_context
        self._timeout = timeout

    async def __call__(
        self, origin: Origin, protocol: Callable[[], asyncio.Protocol]
    ) -> asyncio.Protocol:
        scheme, host, port = origin
        tls = (self._ssl_context or _default_ssl_context()) if scheme == "https" else None
        addresses = await self._addresses(host)
        error: Exception | None = None
        for address in addresses:
            try:
                async with asyncio.timeout(self._timeout):
                    return await self._open(protocol, address, port, tls, host if tls else None)
            except TimeoutError as exc:
                error = _ConnectTimeoutError(f"timed out connecting to {address}")
                error.__cause__ = exc
            except OSError as exc:
                error = exc
        raise error or FetchError(f"no address to connect to for {host}")

    async def _open(
        self,
        protocol: Callable[[], asyncio.Protocol],
        address: str,
        port: int,
        tls: ssl.SSLContext | None,
        server_hostname: str | None,
    ) -> asyncio.Protocol:
        """The operating system's part: a TCP connection (and TLS) to one address."""
        _, connected = await asyncio.get_running_loop().create_connection(
            protocol, address, port, ssl=tls, server_hostname=server_hostname
        )
        return connected

    async def _addresses(self, host: str) -> list[str]:
        name = netguard.normalise_host(host)
        checked = self._allow_private or name in self._trusted
        if not checked:
            netguard.check_host(name)
        try:
            literal = netguard.literal_address(name)
        except ValueError as exc:
            raise InvalidURLError(f"invalid host {host!r}: {exc}") from exc
        if literal is not None:
            return [str(literal)]
        try:
            # anyio's threads, not asyncio's default executor: that has only
            # cores + 4 threads, and a resolver hung past its timeout keeps one.
            import anyio.to_thread

            async with asyncio.timeout(self._timeout):
                found = await anyio.to_thread.run_sync(self._resolver, name, abandon_on_cancel=True)
        except TimeoutError as exc:
            raise _ConnectTimeoutError(f"timed out resolving {name}") from exc
        except (OSError, UnicodeError) as exc:
            raise FetchError(f"could not resolve {name}: {_one_line(exc)}") from exc
        if checked:
            if not found:
                raise FetchError(f"could not resolve {name}: no addresses")
            return [str(a) for a in found]
        return [str(a) for a in netguard.check_addresses(name, found)]


class _BrokenBodyError(Exception):
    """A compressed body that does not decompress."""


# --- content decoding ----------------------------------------------------------


class _Decoder(Protocol):
    def decode(self, data: bytes) -> Iterator[bytes]: ...
    def flush(self) -> Iterator[bytes]: ...


class _Identity:
    def decode(self, data: bytes) -> Iterator[bytes]:
        for start in range(0, len(data), CHUNK_SIZE):
            yield data[start : start + CHUNK_SIZE]

    def flush(self) -> Iterator[bytes]:
        return iter(())


class _Zlib:
    """gzip or deflate, at most CHUNK_SIZE output bytes per step."""

    def __init__(self, gzip: bool) -> None:
        self._gzip = gzip
        self._raw_fallback = not gzip  # "deflate" is sometimes sent without zlib header
        self._started = False
        self._d = zlib.decompressobj(zlib.MAX_WBITS | 16 if gzip else zlib.MAX_WBITS)

    def decode(self, data: bytes) -> Iterator[bytes]:
        try:
            yield from self._steps(data)
        except zlib.error as exc:
            if self._raw_fallback and not self._started:
                self._raw_fallback = False
                self._d = zlib.decompressobj(-zlib.MAX_WBITS)
                yield from self.decode(data)
                return
            raise _BrokenBodyError(f"broken compressed body: {exc}") from exc

    def _steps(self, data: bytes) -> Iterator[bytes]:
        while not self._d.eof:
            out = self._d.decompress(data, CHUNK_SIZE)
            data = self._d.unconsumed_tail
            if out:
                self._started = True
                yield out
            if not data and len(out) < CHUNK_SIZE:
                return  # input used up and no output held back

    def flush(self) -> Iterator[bytes]:
        try:
            rest = self._d.flush()
        except zlib.error as exc:
            raise _BrokenBodyError(f"broken compressed body: {exc}") from exc
        if rest:
            yield rest
        if not self._d.eof:
            raise _BrokenBodyError("truncated compressed body")


class _Brotli:
    """brotli, at most CHUNK_SIZE output bytes per step (needs brotli >= 1.2)."""

    def __init__(self) -> None:
        if not _BROTLI_BOUNDED:
            raise _BrokenBodyError("brotli body, but brotli >= 1.2 is needed to bound it")
        self._d = brotli.Decompressor()

    def decode(self, data: bytes) -> Iterator[bytes]:
        try:
            out = self._d.process(data, output_buffer_limit=CHUNK_SIZE)
            while True:
                if out:
                    yield out
                if self._d.can_accept_more_data() or self._d.is_finished():
                    return
                out = self._d.process(b"", output_buffer_limit=CHUNK_SIZE)
                if not out:
                    return
        except brotli.error as exc:
            raise _BrokenBodyError(f"broken compressed body: {exc}") from exc

    def flush(self) -> Iterator[bytes]:
        if not self._d.is_finished():
            raise _BrokenBodyError("truncated compressed body")
        return iter(())


class _Chain:
    """Several codings (``Content-Encoding: gzip, br``), undone in reverse order."""

    def __init__(self, decoders: list[_Decoder]) -> None:
        self._decoders = decoders

    def decode(self, data: bytes) -> Iterator[bytes]:
        return self._through(iter((data,)), 0)

    def flush(self) -> Iterator[bytes]:
        for i, decoder in enumerate(self._decoders):
            yield from self._through(decoder.flush(), i + 1)

    def _through(self, pieces: Iterator[bytes], start: int) -> Iterator[bytes]:
        for decoder in self._decoders[start:]:
            pieces = _pipe(decoder, pieces)
        return pieces


def _pipe(decoder: _Decoder, pieces: Iterator[bytes]) -> Iterator[bytes]:
    for piece in pieces:
        yield from decoder.decode(piece)


def _decoder_for(content_encoding: str) -> _Decoder:
    """Unknown codings are ignored, as httpx does: some servers send nonsense there."""
    decoders: list[_Decoder] = []
    for coding in reversed([c.strip().lower() for c in content_encoding.split(",")]):
        if coding in ("gzip", "x-gzip"):
            decoders.append(_Zlib(gzip=True))
        elif coding == "deflate":
            decoders.append(_Zlib(gzip=False))
        elif coding == "br":
            decoders.append(_Brotli())
    if not decoders:
        return _Identity()
    return decoders[0] if len(decoders) == 1 else _Chain(decoders)


# --- charsets ------------------------------------------------------------------

# Labels Python does not know, mapped to codecs it does.
_LABELS = {
    "windows-949": "cp949",
    "x-windows-949": "cp949",
    "csksc56011987": "cp949",
    "iso-ir-149": "cp949",
    "ks_c_5601-1989": "cp949",
    "x-euc-kr": "cp949",
    "windows-874": "cp874",
    "windows-31j": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "csshiftjis": "cp932",
    "x-gbk": "gb18030",
    "x-x-big5": "big5hkscs",
    "cn-big5": "big5hkscs",
    "x-mac-roman": "mac-roman",
    "unicode-1-1-utf-8": "utf-8",
}
# Codecs replaced by the superset browsers decode them with (WHATWG Encoding):
# pages labelled EUC-KR routinely contain cp949-only syllables, and so on.
_SUPERSETS = {
    "euc_kr": "cp949",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "big5": "big5hkscs",
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "tis-620": "cp874",
    "iso8859-11": "cp874",
    "iso8859-9": "cp1254",
}
# Code pages no browser decodes a page with (not in the WHATWG Encoding
# Standard): DOS, EBCDIC and a few others. charset-normalizer would otherwise
# read an unlabelled Western page as cp850 ("CafÚ", "M³nchen").
_NOT_WEB_CODECS = (
    "cp037 cp273 cp424 cp437 cp500 cp720 cp737 cp775 cp850 cp852 cp855 cp856 cp857 cp858 "
    "cp860 cp861 cp862 cp863 cp864 cp865 cp869 cp875 cp1006 cp1026 cp1125 cp1140 "
    "hp_roman8 kz1048 ptcp154 mac_greek mac_iceland mac_latin2 mac_turkish"
).split()
# Labels that must not be trusted for decoding (utf-7 smuggles markup).
_REFUSED = {"utf-7", "utf7", "x-user-defined", "replacement"}
# Defaults frameworks add on their own: a <meta> in the page knows better.
_WEAK_HEADER_CODECS = {"cp1252"}

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([^"';\s]+)""", re.IGNORECASE)
_META_CHARSET = re.compile(
    rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([a-z0-9_.:\-]+)""", re.IGNORECASE
)


def detect_encoding(body: bytes | bytearray, content_type: str | None = None) -> str:
    """The codec to decode ``body`` with, as a Python codec name.

    In order: a byte-order mark; the Content-Type charset; ``<meta charset>``
    or ``<meta http-equiv=content-type>`` in the first SNIFF_BYTES; valid
    UTF-8; charset-normalizer's guess; UTF-8. Labels are read leniently
    (``ks_c_5601-1987`` and ``euc-kr`` both mean cp949).
    """
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name
    header = _codec(_first(_HEADER_CHARSET, content_type or ""))
    if header and header not in _WEAK_HEADER_CODECS:
        return header
    match = _META_CHARSET.search(body[:SNIFF_BYTES])
    meta = _codec(match.group(1).decode("ascii")) if match else None
    if meta:
        # A page cannot declare UTF-16 inside itself in ASCII: the label is wrong.
        return "utf-8" if meta.startswith("utf-16") else meta
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    if header:
        return header
    import charset_normalizer  # only for a page that names no charset: 15 ms to import

    best = charset_normalizer.from_bytes(bytes(body), cp_exclusion=_NOT_WEB_CODECS).best()
    return (_codec(best.encoding) if best else None) or "utf-8"


def decode_html(body: bytes | bytearray, content_type: str | None = None) -> str:
    """Decode a page the way a browser would; bad bytes become U+FFFD, never an error."""
    return _decode(body, content_type)[0]


def _decode(body: bytes | bytearray, content_type: str | None) -> tuple[str, str]:
    encoding = detect_encoding(body, content_type)
    text = body.decode(encoding, errors="replace")
    return text.removeprefix("\ufeff"), encoding


def _first(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    return match.group(1) if match else None


def _codec(label: str | None) -> str | None:
    """A Python text codec name for a charset label, or None for an unusable one."""
    if not label:
        return None
    key = label.strip().strip("\"'").lower()
    if key in _REFUSED:
        return None
    key = _LABELS.get(key, key)
    try:
        name = codecs.lookup(key).name
        b"a".decode(name, errors="replace")  # LookupError for base64, rot13…
    except LookupError:
        return None
    if name in _REFUSED:
        return None
    return _SUPERSETS.get(name, name)
