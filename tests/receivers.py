"""Real local receivers for alerts: an SMTP server and an HTTP webhook endpoint.

Both listen on 127.0.0.1 on a port the OS picks, record what they receive,
and hand out the apprise URL that reaches them, so notification tests send
through apprise for real instead of mocking it:

- ``SmtpReceiver``: aiosmtpd's threaded ``Controller``; plain SMTP, no TLS,
  no AUTH (``mailto://`` without ``s`` and ``mode=insecure``).
- ``WebhookReceiver``: a threaded ``http.server`` that records POSTed bodies
  (apprise ``json://``, ``mmost://`` …) and can be told to answer HTTP 500
  to the next N requests, to exercise retries.

Use them as context managers, or through the ``smtp_receiver`` and
``webhook_receiver`` fixtures (fresh for each test): import the fixtures into
a test module or conftest.py.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


def _wait(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll briefly for something a receiver thread is about to record."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.01)


# ---------------------------------------------------------------------------
# SMTP
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")

    def part(self, subtype: str) -> str | None:
        """The decoded ``text/<subtype>`` part (``html`` or ``plain``), if there is one."""
        for part in self.message.walk():
            if part.get_content_type() == f"text/{subtype}":
                return str(part.get_content())
        return None

    @property
    def html(self) -> str | None:
        return self.part("html")

    @property
    def text(self) -> str | None:
        return self.part("plain")


class _Handler:
    def __init__(self, receiver: SmtpReceiver) -> None:
        self.receiver = receiver

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        mail = ReceivedMail(envelope.mail_from, tuple(envelope.rcpt_tos), message)
        with self.receiver.lock:
            self.receiver.messages.append(mail)
        return "250 Message accepted for delivery"


class _Controller(Controller):
    """aiosmtpd's Controller on a port the OS picks (it needs the port before its self-test)."""

    def _trigger_server(self) -> None:
        server = self.server
        assert isinstance(server, asyncio.Server)
        self.port = server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SmtpReceiver:
    """A real SMTP server on 127.0.0.1 that keeps every message it accepts."""

    def __init__(self) -> None:
        self.messages: list[ReceivedMail] = []
        self.lock = threading.Lock()
        self._controller = _Controller(_Handler(self), hostname=HOST, port=0)

    def __enter__(self) -> SmtpReceiver:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()

    @property
    def port(self) -> int:
        return int(self._controller.port)

    def url(self, to: str = "editor@news.example", sender: str = "monitor@monitor.example") -> str:
        """The apprise URL for plain SMTP (no TLS, no login) to this server."""
        return (
            f"mailto://{HOST}:{self.port}?smtp={HOST}&mode=insecure"
            f"&from={quote(sender)}&to={quote(to)}"
        )

    def wait_for(self, count: int, timeout: float = 5.0) -> list[ReceivedMail]:
        _wait(lambda: len(self.messages) >= count, timeout, f"{count} message(s)")
        with self.lock:
            return list(self.messages)


# ---------------------------------------------------------------------------
# Webhook
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedPost:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    status: int  # what the receiver answered

    @property
    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


@dataclass
class _Plan:
    failures_left: int = 0
    failure_status: int = 500
    requests: list[ReceivedPost] = field(default_factory=list)


class WebhookReceiver:
    """A real HTTP endpoint on 127.0.0.1 recording every request; can fail on demand."""

    def __init__(self) -> None:
        self._plan = _Plan()
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer((HOST, 0), _make_handler(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    def url(self, path: str = "/hook", scheme: str = "json", credentials: str = "") -> str:
        """An apprise URL that reaches this receiver, e.g. ``json://127.0.0.1:PORT/hook``."""
        auth = f"{credentials}@" if credentials else ""
        return f"{scheme}://{auth}{HOST}:{self.port}{path}"

    def fail_next(self, count: int, status: int = 500) -> None:
        """Answer ``status`` to the next ``count`` requests (``count`` large: always fail)."""
        with self._lock:
            self._plan.failures_left = count
            self._plan.failure_status = status

    @property
    def requests(self) -> list[ReceivedPost]:
        """Every request seen, accepted or failed."""
        with self._lock:
            return list(self._plan.requests)

    @property
    def posts(self) -> list[ReceivedPost]:
        """The requests that were accepted (answered 2xx): what was delivered."""
        return [r for r in self.requests if 200 <= r.status < 300]

    def posts_to(self, path: str) -> list[ReceivedPost]:
        return [p for p in self.posts if p.path == path]

    def wait_for(self, count: int, timeout: float = 5.0) -> list[ReceivedPost]:
        _wait(lambda: len(self.posts) >= count, timeout, f"{count} accepted post(s)")
        return self.posts

    def _answer(self, request: ReceivedPost) -> int:
        with self._lock:
            status = 200
            if self._plan.failures_left > 0:
                self._plan.failures_left -= 1
                status = self._plan.failure_status
            self._plan.requests.append(
                ReceivedPost(request.method, request.path, request.headers, request.body, status)
            )
            return status


def _make_handler(receiver: WebhookReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if len(body) < length:
                # The sender went away mid-body (a killed process): like any real server,
                # this never counts a truncated request as delivered, and cannot answer it.
                self.close_connection = True
                return
            request = ReceivedPost(self.command, self.path, dict(self.headers.items()), body, 0)
            status = receiver._answer(request)
            reply = b'{"ok": true}' if status < 300 else b'{"ok": false}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        do_POST = do_PUT = _handle

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


# ---------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------


@pytest.fixture
def smtp_receiver() -> Iterator[SmtpReceiver]:
    """A fresh local SMTP server for one test."""
    with SmtpReceiver() as running:
        yield running


@pytest.fixture
def webhook_receiver() -> Iterator[WebhookReceiver]:
    """A fresh local webhook endpoint for one test."""
    with WebhookReceiver() as running:
        yield running
