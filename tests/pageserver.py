"""A real local HTTP server whose pages tests can change between requests.

Tests set what each path answers (body, status, headers, delay, ETag) and the
server records every request it saw, so a test can assert on conditional
headers, redirects and counts without mocking httpx or our fetcher.
"""

from __future__ import annotations

import gzip
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Page:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # wait before answering
    drip_s: float = 0.0  # wait between 1 KB chunks of the body (slow responses)
    etag: str | None = None  # answer 304 when If-None-Match matches
    last_modified: str | None = None  # answer 304 when If-Modified-Since matches
    gzip: bool = False  # send the body gzip-encoded


@dataclass(frozen=True)
class SeenRequest:
    path: str
    headers: dict[str, str]


class PageServer:
    """Start with ``with PageServer() as server:``; ``server.url("/a")`` is the address."""

    def __init__(self) -> None:
        self.pages: dict[str, Page] = {}
        self.requests: list[SeenRequest] = []
        self._lock = threading.Lock()
        handler = _make_handler(self)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> PageServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def set(self, path: str, body: bytes | str = b"", **options: object) -> Page:
        """Serve ``body`` at ``path``; str bodies are sent as UTF-8 HTML."""
        headers = dict(options.pop("headers", {}) or {})  # type: ignore[call-overload]
        if isinstance(body, str):
            body = body.encode("utf-8")
            headers.setdefault("Content-Type", "text/html; charset=utf-8")
        page = Page(body=body, headers=headers, **options)  # type: ignore[arg-type]
        with self._lock:
            self.pages[path] = page
        return page

    def redirect(self, path: str, target: str, status: int = 301) -> None:
        self.set(path, b"", status=status, headers={"Location": target})

    def requests_for(self, path: str) -> list[SeenRequest]:
        with self._lock:
            return [r for r in self.requests if r.path == path]


def _make_handler(server: PageServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet test output
            pass

        def do_GET(self) -> None:
            with server._lock:
                server.requests.append(SeenRequest(self.path, dict(self.headers.items())))
                page = server.pages.get(self.path.split("?", 1)[0])
            if page is None:
                self._send(404, b"<html><body><h1>Not found</h1></body></html>", {})
                return
            if page.delay_s:
                time.sleep(page.delay_s)
            if self._not_modified(page):
                self._send(304, b"", self._validators(page))
                return
            headers = {**page.headers, **self._validators(page)}
            body = page.body
            if page.gzip:
                body = gzip.compress(body)
                headers["Content-Encoding"] = "gzip"
            self._send(page.status, body, headers, page.drip_s)

        def _validators(self, page: Page) -> dict[str, str]:
            found = {}
            if page.etag:
                found["ETag"] = page.etag
            if page.last_modified:
                found["Last-Modified"] = page.last_modified
            return found

        def _not_modified(self, page: Page) -> bool:
            if page.etag and self.headers.get("If-None-Match") == page.etag:
                return True
            return bool(
                page.last_modified
                and not page.etag
                and self.headers.get("If-Modified-Since") == page.last_modified
            )

        def _send(self, status: int, body: bytes, headers: dict[str, str], drip_s: float = 0):
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status == 304:
                return
            try:
                if not drip_s:
                    self.wfile.write(body)
                    return
                for start in range(0, len(body), 1024):
                    self.wfile.write(body[start : start + 1024])
                    self.wfile.flush()
                    time.sleep(drip_s)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler
