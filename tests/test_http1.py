"""monitor.http1 against a real TCP server that answers with scripted raw bytes.

tests/pageserver.py speaks correct HTTP through http.server, so it can never
send a response cut short, a garbage status line, a 103 before the 200, or
close a kept-alive connection at the worst moment. The server here reads
request heads and writes exactly the bytes a test gives it, and counts the
connections it accepted, so the tests see what the pool did with them.
Nothing in monitor is mocked: the fetcher's own guarded connector opens the
connections (``allow_private_hosts`` lets it reach 127.0.0.1).
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Callable, Iterator, Sequence
from types import TracebackType

import anyio
import pytest

from monitor.config import FetchSettings
from monitor.errors import FetchError
from monitor.fetch import ACCEPT_ENCODING, Fetcher
from monitor.http1 import Connect, ConnectionPool, HTTPProtocolError, Origin, Response

pytestmark = pytest.mark.anyio

# No robots.txt requests or host delay (they have their own tests), and a
# short total timeout so a client waiting for an answer that never comes
# fails the test in seconds instead of hanging it.
LOCAL = FetchSettings(
    allow_private_hosts=True, obey_robots=False, host_delay=0.0, total_timeout=5.0
)


class Act(enum.Enum):
    """Script steps other than an answer."""

    HANG_UP = "read one request, then close without answering a byte"
    CLOSE = "close the connection at once, without reading anything"


Step = bytes | Act


class RawServer:
    """A TCP server on 127.0.0.1 that plays one script per accepted connection.

    ``scripts[i]`` drives the i-th connection: a bytes step reads one request
    head and answers it with exactly those bytes; ``Act.HANG_UP`` reads one
    and closes; ``Act.CLOSE`` closes at once. When its script runs out, a
    connection stays open and silent (still recording request heads) until
    the client closes it, so a test observes the client's decision to reuse
    or drop a connection, never the server's.
    """

    def __init__(self, *scripts: Sequence[Step]) -> None:
        self.scripts = scripts
        self.requests: list[list[bytes]] = []  # request heads, per connection in accept order
        self.ended: list[asyncio.Event] = []  # set when that connection is over
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def connections(self) -> int:
        return len(self.requests)

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    async def __aenter__(self) -> RawServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._writers:
            writer.close()
        await self._server.wait_closed()
        await asyncio.gather(*self._tasks)  # no handler left pending past the test

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.append(task)  # type: ignore[arg-type]
        self._writers.append(writer)
        seen: list[bytes] = []
        self.requests.append(seen)
        ended = asyncio.Event()
        self.ended.append(ended)
        number = len(self.requests) - 1
        script = self.scripts[number] if number < len(self.scripts) else ()
        try:
            for step in script:
                if step is Act.CLOSE:
                    return
                seen.append(await reader.readuntil(b"\r\n\r\n"))
                if step is Act.HANG_UP:
                    return
                assert isinstance(step, bytes)
                writer.write(step)
                await writer.drain()
            while True:  # silent: anything the client still sends is recorded, never answered
                seen.append(await reader.readuntil(b"\r\n\r\n"))
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the client closed the connection
        finally:
            writer.close()
            ended.set()


def ok(body: bytes, *headers: str) -> bytes:
    """A 200 framed by Content-Length: the answer a kept-alive connection can carry."""
    head = "".join(f"{header}\r\n" for header in headers).encode("latin-1")
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n%s\r\n%s" % (len(body), head, body)


def request_line_and_headers(head: bytes) -> tuple[str, dict[str, str]]:
    """A recorded request head as its request line and headers (names lower-cased)."""
    line, *fields = head.decode("latin-1").split("\r\n")
    headers = {}
    for field in filter(None, fields):
        name, _, value = field.partition(":")
        headers[name.strip().lower()] = value.strip()
    return line, headers


def assert_one_line(exc: BaseException) -> str:
    message = str(exc)
    assert message.strip()
    assert "\n" not in message and "\r" not in message, message
    return message


# --- through the fetcher -------------------------------------------------------


async def test_two_fetches_share_one_kept_alive_connection() -> None:
    async with RawServer([ok(b"first"), ok(b"second")]) as server:
        async with Fetcher(LOCAL) as fetcher:
            first = await fetcher.fetch(server.url("/a"))
            second = await fetcher.fetch(server.url("/b"))
        assert (first.text, second.text) == ("first", "second")
        assert server.connections == 1
        assert len(server.requests[0]) == 2


async def test_connection_close_answer_is_not_reused() -> None:
    # The server leaves the first connection open: only the header says not to reuse it.
    first = ok(b"first", "Connection: close")
    async with RawServer([first], [ok(b"second")]) as server:
        async with Fetcher(LOCAL) as fetcher:
            assert (await fetcher.fetch(server.url("/a"))).text == "first"
            with anyio.fail_after(5):
                await server.ended[0].wait()  # the client closed it itself
            assert (await fetcher.fetch(server.url("/b"))).text == "second"
        assert server.connections == 2
        assert [len(seen) for seen in server.requests] == [1, 1]


async def test_idle_connection_closed_by_the_server_is_replaced() -> None:
    async with RawServer([ok(b"first"), Act.CLOSE], [ok(b"second")]) as server:
        async with Fetcher(LOCAL) as fetcher:
            assert (await fetcher.fetch(server.url("/a"))).text == "first"
            with anyio.fail_after(5):
                await server.ended[0].wait()
            await asyncio.sleep(0.05)  # the end of it reaches the parked connection
            second = await fetcher.fetch(server.url("/b"))
        assert (second.status, second.text) == (200, "second")
        assert server.connections == 2


async def test_request_lost_on_a_reused_connection_is_sent_again_once() -> None:
    # The server reads the second request on the old connection and closes it
    # without a byte of answer: the request goes out again on a new connection.
    async with RawServer([ok(b"first"), Act.HANG_UP], [ok(b"second")]) as server:
        async with Fetcher(LOCAL) as fetcher:
            assert (await fetcher.fetch(server.url("/a"))).text == "first"
            second = await fetcher.fetch(server.url("/b"))
        assert second.text == "second"
        assert server.connections == 2
        assert [len(seen) for seen in server.requests] == [2, 1]
        assert server.requests[0][1].startswith(b"GET /b ")
        assert server.requests[1][0].startswith(b"GET /b ")


async def test_fresh_connection_closed_without_an_answer_is_a_one_line_error() -> None:
    async with RawServer([Act.HANG_UP]) as server:
        async with Fetcher(LOCAL) as fetcher:
            with pytest.raises(FetchError) as caught:
                await fetcher.fetch(server.url("/a"))
        message = assert_one_line(caught.value)
        assert message.startswith(f"could not fetch {server.url('/a')}: ")
        assert server.connections == 1  # a new connection is not retried


async def test_lost_request_is_retried_only_once() -> None:
    # Old connection hangs up, and so does the fresh one: the fetch fails, no third try.
    async with RawServer([ok(b"first"), Act.HANG_UP], [Act.HANG_UP]) as server:
        async with Fetcher(LOCAL) as fetcher:
            await fetcher.fetch(server.url("/a"))
            with pytest.raises(FetchError) as caught:
                await fetcher.fetch(server.url("/b"))
        assert_one_line(caught.value)
        assert server.connections == 2


async def test_chunked_body_is_read_whole_and_the_connection_kept() -> None:
    chunked = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5\r\nHello\r\n"
        b"1;ext=1\r\n,\r\n"
        b"7\r\n world.\r\n"
        b"0\r\nX-Trailer: yes\r\n\r\n"
    )
    async with RawServer([chunked, ok(b"next")]) as server:
        async with Fetcher(LOCAL) as fetcher:
            page = await fetcher.fetch(server.url("/a"))
            after = await fetcher.fetch(server.url("/b"))
        assert (page.text, page.bytes_read) == ("Hello, world.", 13)
        assert after.text == "next"
        assert server.connections == 1  # the chunked framing ended exactly


BIG = b"".join(b"line %06d of a page with no length\n" % n for n in range(20_000))  # ~700 KB


@pytest.mark.parametrize(
    "head",
    [
        b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n",
        b"HTTP/1.0 200 OK\r\n\r\n",
    ],
    ids=["http11-connection-close", "http10"],
)
async def test_body_ended_by_the_connection_closing_is_read_whole(head: bytes) -> None:
    async with RawServer([head + BIG, Act.CLOSE], [ok(b"next")]) as server:
        async with Fetcher(LOCAL) as fetcher:
            page = await fetcher.fetch(server.url("/a"))
            after = await fetcher.fetch(server.url("/b"))
        assert page.body == BIG
        assert after.text == "next"
        assert server.connections == 2


async def test_response_cut_short_is_a_one_line_error_and_not_reused() -> None:
    cut = b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789"
    async with RawServer([cut, Act.CLOSE], [ok(b"next")]) as server:
        async with Fetcher(LOCAL) as fetcher:
            with pytest.raises(FetchError) as caught:
                await fetcher.fetch(server.url("/a"))
            after = await fetcher.fetch(server.url("/b"))
        message = assert_one_line(caught.value)
        assert message.startswith(f"could not read {server.url('/a')}: ")
        assert after.text == "next"
        assert server.connections == 2
        assert [len(seen) for seen in server.requests] == [1, 1]


async def test_informational_answers_are_skipped() -> None:
    answer = (
        b"HTTP/1.1 100 Continue\r\n\r\n"
        b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload; as=style\r\n\r\n"
        + ok(b"the page", "X-Final: yes")
    )
    async with RawServer([answer, ok(b"next")]) as server:
        async with Fetcher(LOCAL) as fetcher:
            page = await fetcher.fetch(server.url("/a"))
            after = await fetcher.fetch(server.url("/b"))
        assert (page.status, page.text) == (200, "the page")
        assert dict(page.headers).get("x-final") == "yes"
        assert "link" not in dict(page.headers)  # the 103's headers are not the answer's
        assert after.text == "next"
        assert server.connections == 1


async def test_unread_redirect_body_does_not_poison_the_pool() -> None:
    # The fetcher follows the redirect without reading its body; the pool must
    # not keep that half-read connection (here it is closed, not drained).
    body = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nWRONG"  # poison if read as an answer
    redirect = b"HTTP/1.1 302 Found\r\nLocation: /b\r\nContent-Length: %d\r\n\r\n%s" % (
        len(body),
        body,
    )
    async with RawServer([redirect], [ok(b"target"), ok(b"again")]) as server:
        async with Fetcher(LOCAL) as fetcher:
            page = await fetcher.fetch(server.url("/a"))
            again = await fetcher.fetch(server.url("/c"))
        assert (page.final_url, page.text) == (server.url("/b"), "target")
        assert again.text == "again"
        assert [len(seen) for seen in server.requests] == [1, 2]


async def test_garbage_instead_of_http_is_a_one_line_error() -> None:
    async with RawServer([b"hello\r\n\r\n"]) as server:
        async with Fetcher(LOCAL) as fetcher:
            with pytest.raises(FetchError) as caught:
                await fetcher.fetch(server.url("/a"))
        message = assert_one_line(caught.value)
        assert message.startswith(f"could not fetch {server.url('/a')}: ")
        assert server.connections == 1  # a byte of answer came back: not sent again


async def test_garbage_on_a_reused_connection_is_not_sent_again() -> None:
    async with RawServer([ok(b"first"), b"hello\r\n\r\n"], [ok(b"second")]) as server:
        async with Fetcher(LOCAL) as fetcher:
            await fetcher.fetch(server.url("/a"))
            with pytest.raises(FetchError) as caught:
                await fetcher.fetch(server.url("/b"))
        assert_one_line(caught.value)
        assert server.connections == 1


async def test_the_request_as_the_server_receives_it() -> None:
    etag, stamp = '"v1"', "Wed, 21 Oct 2015 07:28:00 GMT"
    not_modified = b'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\n\r\n'
    async with RawServer([ok(b"page"), not_modified]) as server:
        async with Fetcher(LOCAL) as fetcher:
            await fetcher.fetch(server.url("/news/story?id=7&x=%20y"))
            again = await fetcher.fetch(
                server.url("/news/story?id=7&x=%20y"), etag=etag, last_modified=stamp
            )
        assert (again.status, again.etag) == (304, etag)
        ((plain, conditional),) = server.requests
        line, headers = request_line_and_headers(plain)
        assert line == "GET /news/story?id=7&x=%20y HTTP/1.1"
        assert headers["host"] == f"127.0.0.1:{server.port}"
        assert headers["user-agent"] == LOCAL.user_agent
        assert headers["accept-encoding"] == ACCEPT_ENCODING
        assert "if-none-match" not in headers and "if-modified-since" not in headers
        assert "transfer-encoding" not in headers  # a GET has no body to frame
        line, headers = request_line_and_headers(conditional)
        assert line == "GET /news/story?id=7&x=%20y HTTP/1.1"
        assert headers["if-none-match"] == etag
        assert headers["if-modified-since"] == stamp


@pytest.mark.parametrize(
    "first",
    [
        # Content-Length says 2; the server sends a whole second response after it.
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        + b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nWRONG",
        # A 304 has no body, but some servers send one anyway.
        b"HTTP/1.1 304 Not Modified\r\n\r\n" + b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nWRONG",
    ],
    ids=["past-content-length", "body-after-304"],
)
async def test_bytes_after_a_complete_answer_are_not_the_next_answer(first: bytes) -> None:
    """RFC 9112 section 6.3: such extra data must not be read as a separate response."""
    async with RawServer([first, ok(b"right")], [ok(b"right")]) as server:
        async with Fetcher(LOCAL) as fetcher:
            await fetcher.fetch(server.url("/a"), etag='"v0"')
            second = await fetcher.fetch(server.url("/b"))
        assert second.text == "right"


# --- the pool directly -----------------------------------------------------------


def connect_to(port: int) -> Connect:
    """The plainest Connect: a TCP connection to the test server, whatever the origin says."""

    async def connect(origin: Origin, factory: Callable[[], asyncio.Protocol]) -> asyncio.Protocol:
        _, protocol = await asyncio.get_running_loop().create_connection(factory, "127.0.0.1", port)
        return protocol

    return connect


async def get(pool: ConnectionPool, server: RawServer, path: str = "/") -> Response:
    origin: Origin = ("http", "127.0.0.1", server.port)
    with anyio.fail_after(5):
        return await pool.get(origin, path.encode(), [("Host", f"127.0.0.1:{server.port}")])


async def read(response: Response) -> bytes:
    """The whole body, then the connection handed back (or closed) as the fetcher does."""
    try:
        with anyio.fail_after(5):
            return b"".join([chunk async for chunk in response.iter_raw()])
    finally:
        response.close()


@pytest.fixture
def pools() -> Iterator[Callable[..., ConnectionPool]]:
    """ConnectionPools for a test, all closed after it (no transport left open)."""
    made: list[ConnectionPool] = []

    def make(server: RawServer, **options: object) -> ConnectionPool:
        pool = ConnectionPool(connect_to(server.port), **options)  # type: ignore[arg-type]
        made.append(pool)
        return pool

    yield make
    for pool in made:
        pool.close()


async def test_pool_reuses_a_connection_read_to_the_end(
    pools: Callable[..., ConnectionPool],
) -> None:
    async with RawServer([ok(b"one"), ok(b"two")]) as server:
        pool = pools(server)
        assert await read(await get(pool, server)) == b"one"
        assert await read(await get(pool, server)) == b"two"
        assert server.connections == 1


async def test_pool_closes_a_connection_whose_body_was_not_read(
    pools: Callable[..., ConnectionPool],
) -> None:
    async with RawServer([ok(b"unread body"), ok(b"WRONG")], [ok(b"two")]) as server:
        pool = pools(server)
        first = await get(pool, server)
        assert first.status == 200
        first.close()  # body never read
        with anyio.fail_after(5):
            await server.ended[0].wait()  # closed, not parked half-read
        assert await read(await get(pool, server)) == b"two"
        assert [len(seen) for seen in server.requests] == [1, 1]


async def test_pool_drops_a_connection_that_speaks_while_idle(
    pools: Callable[..., ConnectionPool],
) -> None:
    # A 408 (or anything) arriving on a parked connection was not asked for:
    # the connection is dropped instead of that being read as the next answer.
    async with RawServer([ok(b"one")], [ok(b"two")]) as server:
        pool = pools(server)
        assert await read(await get(pool, server)) == b"one"
        server._writers[0].write(b"HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\n\r\n")
        await asyncio.sleep(0.05)
        assert await read(await get(pool, server)) == b"two"
        assert server.connections == 2


async def test_pool_does_not_reuse_an_expired_connection(
    pools: Callable[..., ConnectionPool],
) -> None:
    now = [0.0]
    async with RawServer([ok(b"one"), ok(b"WRONG")], [ok(b"two")]) as server:
        pool = pools(server, keepalive_expiry=5.0, clock=lambda: now[0])
        assert await read(await get(pool, server)) == b"one"
        now[0] = 5.5
        assert await read(await get(pool, server)) == b"two"
        with anyio.fail_after(5):
            await server.ended[0].wait()  # the expired one was closed, not leaked
        assert server.connections == 2


async def test_pool_keeps_at_most_max_idle_connections(
    pools: Callable[..., ConnectionPool],
) -> None:
    async with RawServer([ok(b"one")], [ok(b"two")]) as server:
        pool = pools(server, max_idle=0)
        assert await read(await get(pool, server)) == b"one"
        with anyio.fail_after(5):
            await server.ended[0].wait()
        assert await read(await get(pool, server)) == b"two"
        assert server.connections == 2


async def test_pool_close_closes_idle_connections(
    pools: Callable[..., ConnectionPool],
) -> None:
    async with RawServer([ok(b"one")]) as server:
        pool = pools(server)
        assert await read(await get(pool, server)) == b"one"
        assert not server.ended[0].is_set()  # parked, open
        pool.close()
        with anyio.fail_after(5):
            await server.ended[0].wait()


async def test_pool_cut_short_body_raises_and_is_not_parked(
    pools: Callable[..., ConnectionPool],
) -> None:
    cut = b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789"
    async with RawServer([cut, Act.CLOSE], [ok(b"two")]) as server:
        pool = pools(server)
        with pytest.raises(HTTPProtocolError) as caught:
            await read(await get(pool, server))
        assert_one_line(caught.value)
        assert await read(await get(pool, server)) == b"two"
        assert server.connections == 2


async def test_pool_makes_room_by_closing_connections_that_went_stale_elsewhere() -> None:
    """A full pool closes idle connections past their time, of any origin, to keep a new one.

    Otherwise the connections of hosts never asked again would fill it for
    good, and a long-running service would stop keeping connections alive.
    """
    now = [0.0]

    async def connect(origin: Origin, factory: Callable[[], asyncio.Protocol]) -> asyncio.Protocol:
        _, protocol = await asyncio.get_running_loop().create_connection(
            factory, "127.0.0.1", origin[2]
        )
        return protocol

    async with RawServer([ok(b"old")]) as old, RawServer([ok(b"one"), ok(b"two")]) as new:
        pool = ConnectionPool(connect, max_idle=1, keepalive_expiry=5.0, clock=lambda: now[0])
        try:
            assert await read(await get(pool, old)) == b"old"  # parked: the pool is full
            now[0] = 10.0  # ...and that connection is now too old to use
            assert await read(await get(pool, new)) == b"one"
            assert await read(await get(pool, new)) == b"two"
            assert new.connections == 1  # kept, in the place of the stale one
            with anyio.fail_after(5):
                await old.ended[0].wait()  # which was closed
        finally:
            pool.close()


# --- the framing, read here rather than by h11 -----------------------------------


@pytest.mark.parametrize(
    "answer",
    [
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
        b"HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\nhello",
        b"HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello!",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nhello",
        b"HTTP/1.1 200 OK\r\nX-Space : before the colon\r\nContent-Length: 2\r\n\r\nok",
        b"HTTP/1.1 200 OK\r\n folded first line\r\nContent-Length: 2\r\n\r\nok",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhello\r\n0\r\n\r\n",
        b"HTTP/1.1 101 Switching Protocols\r\n\r\n",
        b"HTTP/1.1 2000 OK\r\nContent-Length: 2\r\n\r\nok",
    ],
    ids=[
        "two-lengths",
        "negative-length",
        "listed-lengths-differ",
        "unknown-transfer-coding",
        "space-before-colon",
        "fold-without-header",
        "chunk-size-not-hex",
        "chunk-longer-than-its-size",
        "unasked-switch",
        "four-digit-status",
    ],
)
async def test_badly_framed_answers_are_one_line_errors_and_not_reused(answer: bytes) -> None:
    async with RawServer([answer], [ok(b"next")]) as server:
        async with Fetcher(LOCAL) as fetcher:
            with pytest.raises(FetchError) as caught:
                await fetcher.fetch(server.url("/a"))
            after = await fetcher.fetch(server.url("/b"))
        assert_one_line(caught.value)
        assert after.text == "next"
        assert server.connections == 2


async def test_lenient_answers_are_read_as_h11_reads_them() -> None:
    """Bare LF line ends, a folded header, repeated equal lengths, a blank line first."""
    lenient = (
        b"\r\nHTTP/1.1 200 OK\nContent-Length: 5, 5\nX-Folded: one\r\n  two\r\nX-Empty:\r\n\nhello"
    )
    async with RawServer([lenient, ok(b"next")]) as server:
        async with Fetcher(LOCAL) as fetcher:
            page = await fetcher.fetch(server.url("/a"))
            after = await fetcher.fetch(server.url("/b"))
        assert page.text == "hello"
        headers = dict(page.headers)
        assert headers["x-folded"] == "one two"
        assert headers["x-empty"] == ""
        assert after.text == "next"
        assert server.connections == 1  # a whole answer with nothing after it: kept


async def test_an_answer_with_both_framings_is_read_by_its_chunks_and_not_reused() -> None:
    """Transfer-Encoding wins over Content-Length, and such a connection is never trusted again."""
    both = (
        b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5\r\nhello\r\n0\r\n\r\n"
    )
    async with RawServer([both, ok(b"WRONG")], [ok(b"next")]) as server:
        async with Fetcher(LOCAL) as fetcher:
            page = await fetcher.fetch(server.url("/a"))
            after = await fetcher.fetch(server.url("/b"))
        assert (page.text, after.text) == ("hello", "next")
        assert server.connections == 2


async def test_a_request_header_that_would_split_the_request_is_never_sent() -> None:
    async with RawServer([ok(b"never")]) as server:
        async with Fetcher(LOCAL) as fetcher:
            with pytest.raises(FetchError) as caught:
                await fetcher.fetch(server.url("/a"), etag='"v1"\r\nX-Injected: yes')
        assert "could not send the request" in assert_one_line(caught.value)
        assert all(b"X-Injected" not in head for seen in server.requests for head in seen)
