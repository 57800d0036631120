"""Fetch one article page: conditional GET, guarded, bounded, decoded.

``Fetcher`` owns one ``httpx.AsyncClient`` (HTTP/1.1) and turns a URL into a
:class:`~monitor.models.Fetched`. HTTP error statuses are answers, not errors:
a 404 comes back as ``Fetched(status=404)`` and the checker decides it means
"gone". Everything else that goes wrong - no connection, a timeout, a refused
address, a body past ``fetch.max_bytes`` - is a :class:`FetchError` with a
one-line message.

How the guard is enforced (see :mod:`monitor.netguard` for what it refuses):

- every URL, including each redirect target, passes ``netguard.check_url``
  before it is requested: scheme, credentials, malformed hosts and IP
  literals in any spelling are refused without a connection attempt;
- host names are checked where the TCP connection is opened, in
  :class:`GuardedBackend`: it resolves the name with the injected resolver,
  refuses the lot if any address is private, and connects to one of *those
  same* addresses. httpx never resolves the name a second time, so DNS
  rebinding (a public answer for the check, a private one for the
  connection) has no second lookup to exploit. Only the TCP target changes:
  the Host header, TLS SNI and certificate verification still use the name
  from the URL, so https works exactly as before;
- the client ignores proxy environment variables (a proxy would resolve the
  name itself, past the guard) and ``allow_private_hosts`` switches the
  address rules off, not the URL syntax rules.

Bodies are streamed and decoded by this module rather than by httpx, so the
size cap counts *decoded* bytes in 64 KiB steps: a gzip or brotli bomb is cut
off after ``max_bytes`` instead of inflating in memory. ``total_timeout``
bounds the whole exchange (DNS, connect, redirects, a body dripping one byte
a second), not each read.
"""

from __future__ import annotations

import codecs
import functools
import re
import ssl
import time
import zlib
from collections.abc import AsyncIterator, Collection, Iterable, Iterator
from dataclasses import dataclass
from http.cookiejar import CookieJar, DefaultCookiePolicy
from types import TracebackType
from typing import Protocol

import anyio
import anyio.to_thread
import brotli
import charset_normalizer
import httpcore
import httpx

from monitor import netguard
from monitor.config import FetchSettings
from monitor.errors import FetchError, InvalidURLError, TooLargeError
from monitor.models import Fetched
from monitor.netguard import Resolver

__all__ = ["Fetcher", "GuardedBackend", "decode_html", "detect_encoding", "fetch_page"]

CHUNK_SIZE = 64 * 1024  # the most decoded bytes produced per decoder step
SNIFF_BYTES = 4096  # how far into the body <meta charset> is looked for

# brotli >= 1.2 can stop decompressing at an output limit; older versions
# cannot, so without it brotli is not advertised (a 329-byte brotli body can
# inflate to 200 MB in a single call).
_BROTLI_BOUNDED = hasattr(brotli.Decompressor, "can_accept_more_data")
ACCEPT_ENCODING = "gzip, deflate, br" if _BROTLI_BOUNDED else "gzip, deflate"
ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


class Fetcher:
    """One HTTP client for many fetches; use as ``async with Fetcher(settings) as f``.

    ``resolver`` maps a host name to IP address strings (default: the
    system's getaddrinfo, in a worker thread); tests inject one to make a
    made-up name resolve wherever they need. ``trusted_hosts`` are exact host
    names exempt from the address rules (an intranet CMS, or a test's "public"
    first hop); redirects away from them are checked as usual.
    ``ssl_context`` replaces the default certificate store (a private CA).
    """

    def __init__(
        self,
        settings: FetchSettings | None = None,
        *,
        resolver: Resolver | None = None,
        trusted_hosts: Iterable[str] = (),
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.settings = settings or FetchSettings()
        self._trusted = frozenset(netguard.normalise_host(h) for h in trusted_hosts)
        backend = GuardedBackend(
            resolver or netguard.resolve_host,
            allow_private=self.settings.allow_private_hosts,
            trusted_hosts=self._trusted,
        )
        self._client = httpx.AsyncClient(
            transport=_GuardedTransport(backend, ssl_context or _default_ssl_context()),
            headers={
                "User-Agent": self.settings.user_agent,
                "Accept": ACCEPT,
                "Accept-Encoding": ACCEPT_ENCODING,
            },
            timeout=httpx.Timeout(
                self.settings.total_timeout, connect=self.settings.connect_timeout
            ),
            follow_redirects=False,  # each hop is checked by the guard, below
            trust_env=False,  # no proxies from the environment: they would bypass the guard
            # Cookies live for one fetch (a redirect chain), never across
            # fetches: a metered paywall must see every check as a new reader.
            cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
        )

    async def __aenter__(self) -> Fetcher:
        await self._client.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> Fetched:
        """GET ``url``, conditionally when a validator from the last fetch is given.

        A 304 comes back as ``Fetched(status=304, text="")`` carrying the
        validators still in force. ``bytes_read`` is the decoded body size.
        """
        started = time.perf_counter()
        total = self.settings.total_timeout
        try:
            with anyio.fail_after(total):
                raw = await self._exchange(url, etag, last_modified)
        except TimeoutError as exc:
            raise FetchError(f"timed out after {total:g} s fetching {url}") from exc
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
            duration_s=time.perf_counter() - started,
        )

    async def _exchange(self, url: str, etag: str | None, last_modified: str | None) -> _Raw:
        """Follow redirects by hand, checking every hop; read the final body."""
        conditional = {}
        if etag:
            conditional["If-None-Match"] = etag
        if last_modified:
            conditional["If-Modified-Since"] = last_modified
        cookies = httpx.Cookies()
        current = url
        for _hop in range(self.settings.max_redirects + 1):
            current = netguard.check_url(
                current,
                allow_private=self.settings.allow_private_hosts,
                trusted_hosts=self._trusted,
            )
            try:
                request = self._client.build_request("GET", current, headers=conditional)
                cookies.set_cookie_header(request)
                response = await self._client.send(request, stream=True)
            except httpx.InvalidURL as exc:
                raise InvalidURLError(f"not a valid URL: {current!r} ({exc})") from exc
            except httpx.ConnectTimeout as exc:
                raise FetchError(
                    f"timed out connecting to {_host(current)} "
                    f"after {self.settings.connect_timeout:g} s: {current}"
                ) from exc
            except httpx.TimeoutException as exc:
                raise FetchError(f"timed out waiting for {current}") from exc
            except httpx.HTTPError as exc:
                raise FetchError(f"could not fetch {current}: {_one_line(exc)}") from exc
            try:
                cookies.extract_cookies(response)
                if response.has_redirect_location:
                    current = str(response.url.join(response.headers["Location"]))
                    continue
                body = bytearray()
                if response.status_code != 304:
                    body = await self._read_body(response)
                return _Raw(str(response.url), response.status_code, response.headers, body)
            except httpx.TimeoutException as exc:
                raise FetchError(f"timed out reading {current}") from exc
            except httpx.HTTPError as exc:
                raise FetchError(f"could not read {current}: {_one_line(exc)}") from exc
            finally:
                with anyio.CancelScope(shield=True):
                    await response.aclose()
        raise FetchError(f"too many redirects (more than {self.settings.max_redirects}): {url}")

    async def _read_body(self, response: httpx.Response) -> bytearray:
        """Stream and decode the body, never holding more than ``max_bytes`` + one chunk.

        A successful response past the cap raises TooLargeError. An error page
        (4xx/5xx) past the cap is cut short instead: its status is the answer.
        """
        limit = self.settings.max_bytes
        strict = response.is_success
        declared = response.headers.get("content-length", "")
        # A compressed body decodes to at least about its own size, so a
        # declared length past the cap is enough to stop before reading.
        if strict and declared.isdigit() and int(declared) > limit:
            raise TooLargeError(
                f"response is {int(declared)} bytes, more than fetch.max_bytes = {limit}: "
                f"{response.url}"
            )
        decoder = _decoder_for(response.headers.get("content-encoding", ""))
        body = bytearray()
        async for raw in response.aiter_raw():
            for piece in decoder.decode(raw):
                if len(body) + len(piece) > limit:
                    if not strict:
                        body += piece[: limit - len(body)]
                        return body
                    raise TooLargeError(
                        f"response passed fetch.max_bytes = {limit} "
                        f"(stopped after {len(body) + len(piece)} bytes): {response.url}"
                    )
                body += piece
        for piece in decoder.flush():
            body += piece[: max(0, limit - len(body))]
        return body


async def fetch_page(
    url: str,
    settings: FetchSettings | None = None,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Fetched:
    """Fetch one URL with a short-lived Fetcher: for one-off commands, not loops."""
    async with Fetcher(settings) as fetcher:
        return await fetcher.fetch(url, etag=etag, last_modified=last_modified)


@functools.cache
def _default_ssl_context() -> ssl.SSLContext:
    """certifi's CA bundle (or SSL_CERT_FILE); loading it takes ~0.1 s, so once."""
    return httpx.create_ssl_context()


@dataclass
class _Raw:
    url: str
    status: int
    headers: httpx.Headers
    body: bytearray


def _host(url: str) -> str:
    return httpx.URL(url).host


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


# --- the connection guard ----------------------------------------------------


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that connects only to addresses it has checked.

    httpcore hands ``connect_tcp`` the host name from the URL; this backend
    resolves it with the injected resolver, refuses it (BlockedAddressError)
    when any address is private, and opens the TCP connection to the checked
    addresses in turn. TLS is started afterwards by httpcore with
    ``server_hostname`` set to the URL's host, so SNI and certificate checks
    are unchanged.
    """

    def __init__(
        self,
        resolver: Resolver,
        *,
        allow_private: bool = False,
        trusted_hosts: Collection[str] = (),
    ) -> None:
        self._resolver = resolver
        self._allow_private = allow_private
        self._trusted = trusted_hosts
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self._addresses(host, timeout)
        error: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        raise error or FetchError(f"no address to connect to for {host}")

    async def _addresses(self, host: str, timeout: float | None) -> list[str]:
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
            with anyio.fail_after(timeout):
                found = await anyio.to_thread.run_sync(self._resolver, name, abandon_on_cancel=True)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"timed out resolving {name}") from exc
        except (OSError, UnicodeError) as exc:
            raise FetchError(f"could not resolve {name}: {_one_line(exc)}") from exc
        if checked:
            if not found:
                raise FetchError(f"could not resolve {name}: no addresses")
            return [str(a) for a in found]
        return [str(a) for a in netguard.check_addresses(name, found)]

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise FetchError("unix sockets are never fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


# httpcore's exceptions, as the httpx ones httpx.AsyncClient callers expect.
_HTTPX_ERRORS: dict[type[Exception], type[httpx.TransportError]] = {
    httpcore.ConnectTimeout: httpx.ConnectTimeout,
    httpcore.ReadTimeout: httpx.ReadTimeout,
    httpcore.WriteTimeout: httpx.WriteTimeout,
    httpcore.PoolTimeout: httpx.PoolTimeout,
    httpcore.TimeoutException: httpx.TimeoutException,
    httpcore.ConnectError: httpx.ConnectError,
    httpcore.ReadError: httpx.ReadError,
    httpcore.WriteError: httpx.WriteError,
    httpcore.NetworkError: httpx.NetworkError,
    httpcore.RemoteProtocolError: httpx.RemoteProtocolError,
    httpcore.LocalProtocolError: httpx.LocalProtocolError,
    httpcore.ProtocolError: httpx.ProtocolError,
    httpcore.UnsupportedProtocol: httpx.UnsupportedProtocol,
    httpcore.ProxyError: httpx.ProxyError,
}


def _as_httpx_error(exc: Exception) -> Exception:
    for cls in type(exc).__mro__:
        if cls in _HTTPX_ERRORS:
            return _HTTPX_ERRORS[cls](str(exc))
    return exc


class _GuardedTransport(httpx.AsyncBaseTransport):
    """httpx's default transport, rebuilt on an httpcore pool with GuardedBackend.

    httpx.AsyncHTTPTransport offers no way to pass a network backend, so this
    is the same request/response translation over our own pool.
    """

    def __init__(self, backend: httpcore.AsyncNetworkBackend, ssl_context: ssl.SSLContext) -> None:
        limits = httpx.Limits()  # httpx's defaults: 100 connections, 20 idle for 5 s
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=False,
            network_backend=backend,
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.AsyncByteStream)
        core_request = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        try:
            response = await self._pool.handle_async_request(core_request)
        except Exception as exc:
            mapped = _as_httpx_error(exc)
            if mapped is exc:
                raise
            raise mapped from exc
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_ResponseStream(response),
            extensions=response.extensions,
        )

    async def aclose(self) -> None:
        await self._pool.aclose()


class _ResponseStream(httpx.AsyncByteStream):
    def __init__(self, response: httpcore.Response) -> None:
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.aiter_stream():
                yield chunk
        except Exception as exc:
            mapped = _as_httpx_error(exc)
            if mapped is exc:
                raise
            raise mapped from exc

    async def aclose(self) -> None:
        await self._response.aclose()


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
            raise httpx.DecodingError(f"broken compressed body: {exc}") from exc

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
            raise httpx.DecodingError(f"broken compressed body: {exc}") from exc
        if rest:
            yield rest
        if not self._d.eof:
            raise httpx.DecodingError("truncated compressed body")


class _Brotli:
    """brotli, at most CHUNK_SIZE output bytes per step (needs brotli >= 1.2)."""

    def __init__(self) -> None:
        if not _BROTLI_BOUNDED:
            raise httpx.DecodingError("brotli body, but brotli >= 1.2 is needed to bound it")
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
            raise httpx.DecodingError(f"broken compressed body: {exc}") from exc

    def flush(self) -> Iterator[bytes]:
        if not self._d.is_finished():
            raise httpx.DecodingError("truncated compressed body")
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
    best = charset_normalizer.from_bytes(bytes(body)).best()
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
