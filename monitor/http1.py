"""A small HTTP/1.1 client: kept-alive connections on asyncio, framed by h11.

Why not httpx: a request through httpx went through httpx, httpcore, anyio
and h11, each building its own request, header and stream objects, and
httpcore's pool re-scanned every connection on every request. On a pass of
2,000 checks that was about 2.6 ms of the main process's CPU per fetch, most
of a check. The fetcher needs one method (GET) over HTTP/1.1, no proxies, and
does its own redirects, cookies, decoding and size cap; this module gives
exactly the rest. The framing (chunked bodies, Content-Length, bodies that
end with the connection, 1xx answers, when a connection may be reused) is
left to h11, the parser httpcore itself uses.

This module never resolves a name: connections are opened by the ``Connect``
function it is given (the fetcher's guarded one), so every address it talks
to has passed the private-address guard.

A kept-alive connection the server has closed in the meantime is found out
before it is used (the end of it has arrived) or, in the race where the
server closes it just as the request goes out, by the request failing
before a single byte of answer: then the request is sent once more on a new
connection, as browsers do. Only GET is ever sent, so that is safe.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import cast

import h11

__all__ = ["Connect", "ConnectionPool", "HTTPProtocolError", "Origin", "Response"]

Origin = tuple[str, str, int]  # scheme, host (as sent), port
Connect = Callable[[Origin, Callable[[], asyncio.Protocol]], Awaitable[asyncio.Protocol]]

MAX_HEAD_BYTES = 100 * 1024  # status line and headers: what httpcore allows
PAUSE_AT = 256 * 1024  # bytes received and not yet read before the socket is paused


class HTTPProtocolError(Exception):
    """The server broke HTTP/1.1, or closed the connection before the answer ended."""


class _StaleConnection(HTTPProtocolError):
    """A connection closed before any answer to a request: it may be sent again elsewhere."""


class _Connection(asyncio.Protocol):
    """One TCP (or TLS) connection; bytes go straight into its h11 state machine."""

    def __init__(self) -> None:
        self.h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_HEAD_BYTES)
        self.transport: asyncio.Transport | None = None
        self.idle_since = 0.0
        self.unusable = False  # set by anything arriving while idle, or the connection ending
        self._idle = False
        self._closed = False
        self._lost: Exception | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._unread = 0
        self._paused = False
        self.received = 0  # bytes of answer to the request in flight

    # -- asyncio.Protocol --------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A stream transport (any event loop's: uvloop's do not subclass asyncio's).
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        if self._idle:
            self.unusable = True  # nobody asked: a timeout notice, or garbage
            return
        self.h11.receive_data(data)
        self.received += len(data)
        self._unread += len(data)
        if self._unread > PAUSE_AT and self._waiter is None and not self._paused:
            assert self.transport is not None
            self.transport.pause_reading()  # the reader is behind: stop taking more
            self._paused = True
        self._wake()

    def eof_received(self) -> bool:
        self._end(None)
        return False  # close the transport

    def connection_lost(self, exc: Exception | None) -> None:
        self._end(exc)

    # -- used by the pool ------------------------------------------------------------

    async def next_event(self) -> h11.Event | type[h11.PAUSED]:
        while True:
            try:
                event = self.h11.next_event()
            except h11.RemoteProtocolError as exc:
                raise HTTPProtocolError(self._why(str(exc))) from exc
            if event is not h11.NEED_DATA:
                return event
            self._unread = 0
            if self._paused and self.transport is not None:
                self._paused = False
                self.transport.resume_reading()
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None

    def send(self, *events: h11.Event) -> None:
        assert self.transport is not None
        self.received = 0
        self.transport.write(b"".join(self.h11.send(e) or b"" for e in events))

    def park(self, now: float) -> None:
        self._idle, self.idle_since = True, now

    def unpark(self) -> None:
        self._idle = False

    def expired(self, now: float, expiry: float) -> bool:
        """Whether this idle connection may no longer be used: closed, spoken on, or too old."""
        return self.unusable or now - self.idle_since > expiry

    def close(self) -> None:
        self.unusable = True
        if self.transport is not None:
            self.transport.close()

    def _end(self, exc: Exception | None) -> None:
        self.unusable = True
        if self._closed:
            return
        self._closed, self._lost = True, exc
        if not self._idle:
            self.h11.receive_data(b"")
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def _why(self, message: str) -> str:
        return f"{message} ({self._lost})" if self._lost else message


class Response:
    """A status and headers; the body is read with :meth:`iter_raw`, then :meth:`close`.

    ``headers`` keeps every header line as sent (names lower-cased);
    ``fields`` and :meth:`get` join repeated ones with ", " as HTTP allows.
    """

    def __init__(
        self, pool: ConnectionPool, origin: Origin, conn: _Connection, response: h11.Response
    ) -> None:
        self._pool, self._origin, self._conn = pool, origin, conn
        self.status = response.status_code
        self.headers: list[tuple[str, str]] = [
            (name.decode("latin-1"), value.decode("latin-1")) for name, value in response.headers
        ]
        self._complete = False

    @functools.cached_property
    def fields(self) -> dict[str, str]:
        """Each header once, by lower-case name, repeated ones joined."""
        joined: dict[str, str] = {}
        for name, value in self.headers:
            joined[name] = f"{joined[name]}, {value}" if name in joined else value
        return joined

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.fields.get(name, default)

    def get_all(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key == name]

    async def iter_raw(self) -> AsyncIterator[bytes]:
        """The body as it came, de-chunked but not decoded."""
        while not self._complete:
            event = await self._conn.next_event()
            if isinstance(event, h11.Data):
                yield bytes(event.data)
            elif isinstance(event, h11.EndOfMessage):
                self._complete = True
            else:
                raise HTTPProtocolError(f"unexpected {type(event).__name__} in a response body")

    def close(self) -> None:
        """Give the connection back for the next request, or close it if it cannot be."""
        conn, self._conn = self._conn, None  # type: ignore[assignment]
        if conn is None:
            return
        reusable = conn.h11.our_state is h11.DONE and conn.h11.their_state is h11.DONE
        # Bytes past the end of the answer (a wrong Content-Length, a 304 with a
        # body) must never be read as the answer to the next request (RFC 9112 6.3).
        if self._complete and reusable and not conn.h11.trailing_data[0]:
            conn.h11.start_next_cycle()
            self._pool.release(self._origin, conn)
        else:
            conn.close()  # not read to the end, not keep-alive, or extra bytes


class ConnectionPool:
    """Kept-alive connections per origin, opened through ``connect``.

    At most ``max_idle`` idle connections are kept in all, each for at most
    ``keepalive_expiry`` seconds; how many requests run at once is the
    caller's business (the fetcher's politeness gate).
    """

    def __init__(
        self,
        connect: Connect,
        *,
        max_idle: int = 100,
        keepalive_expiry: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._connect = connect
        self._max_idle = max_idle
        self._expiry = keepalive_expiry
        self._clock = clock
        self._idle: dict[Origin, list[_Connection]] = {}
        self._idle_count = 0

    async def get(
        self, origin: Origin, target: bytes, headers: Sequence[tuple[str, str]]
    ) -> Response:
        """Send ``GET target`` to ``origin`` and wait for the status and headers."""
        request = h11.Request(method="GET", target=target, headers=list(headers))
        while True:
            conn = self._take(origin)
            reused = conn is not None
            if conn is None:
                conn = await self._open(origin)
            try:
                return await self._exchange(origin, conn, request)
            except _StaleConnection:
                conn.close()
                if not reused:
                    raise
            except BaseException:
                conn.close()
                raise

    def release(self, origin: Origin, conn: _Connection) -> None:
        now = self._clock()
        if self._idle_count >= self._max_idle:
            self._prune(now)
        if conn.unusable or self._idle_count >= self._max_idle:
            conn.close()
            return
        conn.park(now)
        self._idle.setdefault(origin, []).append(conn)
        self._idle_count += 1

    def close(self) -> None:
        for conns in self._idle.values():
            for conn in conns:
                conn.close()
        self._idle.clear()
        self._idle_count = 0

    async def _open(self, origin: Origin) -> _Connection:
        conn = await self._connect(origin, _Connection)
        assert isinstance(conn, _Connection)
        return conn

    def _prune(self, now: float) -> None:
        """Close the idle connections that can no longer be used, for every origin.

        ``_take`` only ever looks at one origin's, so without this the
        connections of hosts not asked again (closed by their servers long
        since) would fill the pool, and a long-running service would stop
        keeping any connection alive.
        """
        for origin, conns in list(self._idle.items()):
            for conn in conns:
                if conn.expired(now, self._expiry):
                    conn.close()
            kept = [conn for conn in conns if not conn.unusable]  # close() marked the rest
            if kept:
                self._idle[origin] = kept
            else:
                del self._idle[origin]
        self._idle_count = sum(len(conns) for conns in self._idle.values())

    def _take(self, origin: Origin) -> _Connection | None:
        conns = self._idle.get(origin)
        now = self._clock()
        while conns:
            conn = conns.pop()  # the most recently used: the least likely to have timed out
            self._idle_count -= 1
            if conn.expired(now, self._expiry):
                conn.close()
                continue
            conn.unpark()
            return conn
        return None

    async def _exchange(self, origin: Origin, conn: _Connection, request: h11.Request) -> Response:
        try:
            conn.send(request, h11.EndOfMessage())
        except h11.LocalProtocolError as exc:
            raise HTTPProtocolError(f"could not send the request: {exc}") from exc
        while True:
            try:
                event = await conn.next_event()
            except HTTPProtocolError as exc:
                if not conn.received:
                    raise _StaleConnection(str(exc)) from exc  # not a byte of answer
                raise
            if isinstance(event, h11.Response):
                return Response(self, origin, conn, event)
            if isinstance(event, h11.ConnectionClosed):
                raise _StaleConnection("the server closed the connection without answering")
            # h11.InformationalResponse (100 Continue, 103 Early Hints): wait for the real one
