"""A small HTTP/1.1 client: kept-alive connections on asyncio, framed here.

Why not httpx: a request through httpx went through httpx, httpcore, anyio
and h11, each building its own request, header and stream objects, and
httpcore's pool re-scanned every connection on every request. On a pass of
2,000 checks that was about 2.6 ms of the main process's CPU per fetch, most
of a check. The fetcher needs one method (GET) over HTTP/1.1, no proxies, and
does its own redirects, cookies, decoding and size cap; this module gives
exactly the rest: the framing (chunked bodies, Content-Length, bodies that
end with the connection, 1xx answers, when a connection may be reused).
Not h11 for that either: its event objects and state machine cost about
0.11 ms a request, a tenth of the main process's work on a page the fast
path answers, for one GET at a time on a connection. The parser reads
what h11 reads, with the same leniencies, and refuses what it refuses
that matters here (bad framing, bytes past the end of an answer).

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
import enum
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import cast

__all__ = ["Connect", "ConnectionPool", "HTTPProtocolError", "Origin", "Response"]

Origin = tuple[str, str, int]  # scheme, host (as sent), port
Connect = Callable[[Origin, Callable[[], asyncio.Protocol]], Awaitable[asyncio.Protocol]]

MAX_HEAD_BYTES = 100 * 1024  # status line and headers: what httpcore allows
PAUSE_AT = 256 * 1024  # bytes received and not yet read before the socket is paused


class HTTPProtocolError(Exception):
    """The server broke HTTP/1.1, or closed the connection before the answer ended."""


class _StaleConnection(HTTPProtocolError):
    """A connection closed before any answer to a request: it may be sent again elsewhere."""


_TOKEN = rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
_STATUS_LINE = re.compile(rb"HTTP/(\d)\.(\d) ([0-9]{3})(?: [^\x00\r\n]*)?")
_HEADER_LINE = re.compile(rb"(" + _TOKEN + rb"):[ \t]*([^\x00\r\n\f\v]*?)[ \t]*")
_CHUNK_LINE = re.compile(rb"([0-9A-Fa-f]{1,20})[ \t]*(?:;[^\r\n]*)?")
_CONTENT_LENGTH = re.compile(rb"[0-9]{1,20}")
_HEAD_END = re.compile(rb"\n\r?\n")  # the blank line after the headers
_REQUEST_TARGET = re.compile(rb"[\x21-\x7e]+")
_HEADER_NAME = re.compile(_TOKEN.decode("ascii"))
_NO_BODY = (204, 304)


@dataclass(frozen=True)
class _Head:
    status: int
    headers: list[tuple[str, str]]  # names lower-cased, repeated ones kept
    fields: dict[str, str]  # each name once, repeated ones joined with ", "


class _Body(enum.Enum):
    """How the answer's body is framed (RFC 9112 section 6.3)."""

    NONE = "no body (204, 304)"
    LENGTH = "Content-Length bytes"
    CHUNKED = "chunks"
    CLOSE = "until the connection closes"


class _Chunk(enum.Enum):
    SIZE = "waiting for a chunk's size line"
    DATA = "in a chunk's data"
    END = "waiting for the CRLF after a chunk"
    TRAILERS = "after the last chunk, waiting for the blank line"


def _request(target: bytes, headers: Sequence[tuple[str, str]]) -> bytes:
    """``GET target HTTP/1.1`` and its headers, or HTTPProtocolError for anything unsendable."""
    if not _REQUEST_TARGET.fullmatch(target):
        raise HTTPProtocolError(f"could not send the request: bad target {target[:100]!r}")
    lines = [b"GET " + target + b" HTTP/1.1"]
    for name, value in headers:
        if not _HEADER_NAME.fullmatch(name) or any(c in value for c in "\r\n\x00"):
            raise HTTPProtocolError(f"could not send the request: bad header {name[:100]!r}")
        try:
            lines.append(f"{name}: {value.strip()}".encode("latin-1"))
        except UnicodeEncodeError as exc:
            raise HTTPProtocolError(f"could not send the request: header {name!r}: {exc}") from exc
    lines.append(b"\r\n")
    return b"\r\n".join(lines)


class _Connection(asyncio.Protocol):
    """One TCP (or TLS) connection, reading one answer at a time as its bytes arrive.

    The framing is RFC 9112's, as h11 (httpcore's parser) reads it, with the
    same leniencies: lines may end in a bare LF, folded header lines are
    joined, 1xx answers are skipped.
    """

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.idle_since = 0.0
        self.unusable = False  # set by anything arriving while idle, or the connection ending
        self.received = 0  # bytes of answer to the request in flight
        self._buffer = bytearray()  # received, not yet parsed
        self._idle = False
        self._closed = False  # the server's end of the stream has arrived (or the socket died)
        self._lost: Exception | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._paused = False
        # The answer being read:
        self._body = _Body.NONE
        self._left = 0  # bytes left of the body (LENGTH) or of the chunk (CHUNKED, DATA)
        self._chunk = _Chunk.SIZE
        self._keep_alive = False
        self._complete = False

    # -- asyncio.Protocol --------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # A stream transport (any event loop's: uvloop's do not subclass asyncio's).
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        if self._idle:
            self.unusable = True  # nobody asked: a timeout notice, or garbage
            return
        self._buffer += data
        self.received += len(data)
        if len(self._buffer) > PAUSE_AT and self._waiter is None and not self._paused:
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

    def send(self, request: bytes) -> None:
        assert self.transport is not None
        self.received = 0
        self.transport.write(request)

    async def head(self) -> _Head:
        """The status and headers of the answer, 1xx answers skipped."""
        while True:
            head = self._take_head()
            if head is None:
                await self._more()
            elif head.status >= 200:
                return head
            elif head.status == 101:
                raise HTTPProtocolError("unexpected 101 Switching Protocols")

    async def body_piece(self) -> bytes | None:
        """The next piece of the body as it came (de-chunked); None at its end."""
        while not self._complete:
            piece = self._take_body()
            if piece:
                return piece
            if not self._complete:
                await self._more()
        return None

    @property
    def reusable(self) -> bool:
        """Whether the answer was read to its end and nothing else came after it (RFC 9112 6.3)."""
        return self._complete and self._keep_alive and not self._buffer and not self._closed

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

    # -- reading -------------------------------------------------------------------

    async def _more(self) -> None:
        """Wait for more bytes; HTTPProtocolError when none will come."""
        if self._closed:
            if not self.received:
                raise _StaleConnection(
                    self._why("the server closed the connection without answering")
                )
            raise HTTPProtocolError(
                self._why("the server closed the connection before the end of the answer")
            )
        if self._paused and self.transport is not None:
            self._paused = False
            self.transport.resume_reading()
        self._waiter = asyncio.get_running_loop().create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None

    def _take_head(self) -> _Head | None:
        buffer = self._buffer
        while buffer[:2] == b"\r\n" or buffer[:1] == b"\n":  # empty lines before the status line
            del buffer[: 2 if buffer[:1] == b"\r" else 1]
        end = _HEAD_END.search(buffer)
        if end is None:
            if len(buffer) > MAX_HEAD_BYTES:
                raise HTTPProtocolError(f"the answer's headers passed {MAX_HEAD_BYTES} bytes")
            return None
        block = bytes(buffer[: end.end()])
        del buffer[: end.end()]
        lines = [line.removesuffix(b"\r") for line in block.split(b"\n")]
        while lines and not lines[-1]:
            lines.pop()
        status = _STATUS_LINE.fullmatch(lines[0]) if lines else None
        if status is None:
            first = lines[0][:100] if lines else b""
            raise HTTPProtocolError(f"not an HTTP/1 answer: {first!r}")
        code, version = int(status[3]), (int(status[1]), int(status[2]))
        headers = _headers(lines[1:])
        head = _Head(code, headers, _joined(headers))
        if code >= 200:
            self._frame(code, version, head.fields)
        return head

    def _frame(self, code: int, version: tuple[int, int], fields: dict[str, str]) -> None:
        """Set how this answer's body ends and whether the connection may carry another."""
        connection = {token.strip().lower() for token in fields.get("connection", "").split(",")}
        self._keep_alive = version == (1, 1) and "close" not in connection
        coding = fields.get("transfer-encoding")
        length = fields.get("content-length")
        self._complete = False
        if code in _NO_BODY:
            self._body = _Body.NONE
            self._complete = True
        elif coding is not None:
            if coding.strip().lower() != "chunked":
                raise HTTPProtocolError(f"unsupported Transfer-Encoding: {coding[:100]!r}")
            self._body, self._chunk = _Body.CHUNKED, _Chunk.SIZE
            if length is not None:  # both framings: a smuggling risk, never reused (RFC 9112 6.1)
                self._keep_alive = False
        elif length is not None:
            values = {value.strip() for value in length.split(",")}  # repeated ones must agree
            only = values.pop() if len(values) == 1 else ""
            if not _CONTENT_LENGTH.fullmatch(only.encode()):
                raise HTTPProtocolError(f"bad Content-Length: {length[:100]!r}")
            self._body, self._left = _Body.LENGTH, int(only)
            self._complete = self._left == 0
        else:
            self._body = _Body.CLOSE
            self._keep_alive = False

    def _take_body(self) -> bytes:
        """What the buffer holds of an unfinished body now (b"" if nothing yet).

        Sets ``_complete`` at its end. Never called for a body-less answer
        (204, 304): ``_frame`` marks that complete at once.
        """
        if self._body is _Body.CLOSE:
            piece = bytes(self._buffer)
            self._buffer.clear()
            self._complete = self._closed
            return piece
        if self._body is _Body.LENGTH:
            piece = self._take_counted()
            self._complete = self._left == 0
            return piece
        return self._take_chunked()

    def _take_counted(self) -> bytes:
        """Up to ``_left`` bytes from the buffer, counted off ``_left``."""
        piece = bytes(self._buffer[: self._left])
        del self._buffer[: len(piece)]
        self._left -= len(piece)
        return piece

    def _take_chunked(self) -> bytes:
        while True:
            if self._chunk is _Chunk.DATA:
                piece = self._take_counted()
                if not self._left:
                    self._chunk = _Chunk.END
                return piece
            line = _line(self._buffer)
            if line is None:
                return b""
            if self._chunk is _Chunk.SIZE:
                size = _CHUNK_LINE.fullmatch(line)
                if size is None:
                    raise HTTPProtocolError(f"bad chunk size line: {line[:100]!r}")
                self._left = int(size[1], 16)
                self._chunk = _Chunk.DATA if self._left else _Chunk.TRAILERS
            elif self._chunk is _Chunk.END:
                if line:
                    raise HTTPProtocolError("a chunk did not end where its size said")
                self._chunk = _Chunk.SIZE
            elif not line:  # TRAILERS: the blank line ends the answer; trailers are ignored
                self._complete = True
                return b""

    def _end(self, exc: Exception | None) -> None:
        self.unusable = True
        if self._closed:
            return
        self._closed, self._lost = True, exc
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def _why(self, message: str) -> str:
        return f"{message} ({self._lost})" if self._lost else message


def _line(buffer: bytearray) -> bytes | None:
    """The first line of ``buffer``, taken out of it without its line end; None if incomplete."""
    end = buffer.find(b"\n")
    if end < 0:
        if len(buffer) > MAX_HEAD_BYTES:
            raise HTTPProtocolError(f"a chunk line passed {MAX_HEAD_BYTES} bytes")
        return None
    line = bytes(buffer[:end]).removesuffix(b"\r")
    del buffer[: end + 1]
    return line


def _headers(lines: list[bytes]) -> list[tuple[str, str]]:
    """Header lines as (lower-case name, value), folded lines joined to the one before."""
    headers: list[tuple[str, str]] = []
    for line in lines:
        if line[:1] in (b" ", b"\t"):  # obsolete line folding (RFC 9112 5.2)
            if not headers:
                raise HTTPProtocolError("the answer's headers start with a folded line")
            name, value = headers.pop()
            headers.append((name, f"{value} {line.strip().decode('latin-1')}".strip()))
            continue
        field = _HEADER_LINE.fullmatch(line)
        if field is None:
            raise HTTPProtocolError(f"bad header line: {line[:100]!r}")
        headers.append((field[1].decode("ascii").lower(), field[2].decode("latin-1")))
    return headers


def _joined(headers: list[tuple[str, str]]) -> dict[str, str]:
    """Each header once, by name, repeated ones joined with ", " as HTTP allows."""
    joined: dict[str, str] = {}
    for name, value in headers:
        joined[name] = f"{joined[name]}, {value}" if name in joined else value
    return joined


class Response:
    """A status and headers; the body is read with :meth:`iter_raw`, then :meth:`close`.

    ``headers`` keeps every header line as sent (names lower-cased);
    ``fields`` and :meth:`get` join repeated ones with ", " as HTTP allows.
    """

    def __init__(
        self, pool: ConnectionPool, origin: Origin, conn: _Connection, head: _Head
    ) -> None:
        self._pool, self._origin, self._conn = pool, origin, conn
        self.status = head.status
        self.headers = head.headers
        self.fields = head.fields  # each header once, by lower-case name, repeated ones joined

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.fields.get(name, default)

    def get_all(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key == name]

    async def iter_raw(self) -> AsyncIterator[bytes]:
        """The body as it came, de-chunked but not decoded."""
        while (piece := await self._conn.body_piece()) is not None:
            yield piece

    def close(self) -> None:
        """Give the connection back for the next request, or close it if it cannot be."""
        conn, self._conn = self._conn, None  # type: ignore[assignment]
        if conn is None:
            return
        # Bytes past the end of the answer (a wrong Content-Length, a 304 with a
        # body) must never be read as the answer to the next request (RFC 9112 6.3).
        if conn.reusable:
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
        request = _request(target, headers)
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

    async def _exchange(self, origin: Origin, conn: _Connection, request: bytes) -> Response:
        conn.send(request)
        return Response(self, origin, conn, await conn.head())
