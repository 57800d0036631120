"""Who may use the web UI and API, and the headers every answer carries.

The rules, in the order a request meets them:

- A request body larger than ``web.max_body_bytes`` is refused with 413
  before any of it reaches a form or JSON parser (``BodyLimit``).
- Without a token the server only listens on loopback (``serve`` refuses
  anything else) and only answers requests addressed to a loopback name:
  a web page a user visits cannot rebind its own DNS name to 127.0.0.1 and
  read or change the watchlist.
- With a token (``web.token`` / ``MONITOR_WEB_TOKEN``) every page, API call
  and feed needs it, except ``/healthz``, the login page and the static
  CSS/JS. The API takes ``Authorization: Bearer TOKEN``; pages take a signed
  session cookie set by the login form; feed readers, which can do neither,
  take a per-feed key derived from the token (leaking one feed's URL leaks
  that feed, not the token). Comparisons run in constant time.
- A state-changing request (POST, PATCH, PUT, DELETE) whose ``Origin`` is
  another site is refused: browsers always send it on cross-site requests.
  Forms also carry a per-session CSRF token (``check_csrf``), and the session
  cookie is ``SameSite=Lax`` (sent on links from other sites, such as an
  alert's "Full diff", never on their POSTs). The API's writes need the bearer token, which
  a cross-site page cannot send, so the cookie alone never changes anything
  through the API.
- Every answer carries a strict Content-Security-Policy (no inline scripts),
  ``X-Content-Type-Options``, ``frame-ancestors 'none'`` and a same-origin
  Referrer-Policy, so a reader's visit to an outlet never tells it which
  edits of its articles are being watched.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from monitor.config import WebSettings
from monitor.errors import ConfigError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SESSION_COOKIE = "monitor_session"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})

# Paths anyone may fetch, token or not: health checks, logging in, CSS/JS.
PUBLIC_PATHS = frozenset({"/healthz", "/login"})
PUBLIC_PREFIXES = ("/static/",)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)
# Swagger UI sets inline styles from its script; its page alone may use them.
DOCS_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")

SECURITY_HEADERS = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), interest-cohort=()"),
)


# -- where the server may listen --------------------------------------------


def is_loopback_host(host: str) -> bool:
    """Whether ``host`` (an address or a name) is reachable from this machine only.

    A name counts when every address it resolves to is loopback; a name that
    does not resolve does not count.
    """
    name = host.strip().strip("[]").lower().rstrip(".")
    if name in LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(name, None)
    except (OSError, UnicodeError):
        return False
    addresses = {info[4][0] for info in infos}
    return bool(addresses) and all(
        ipaddress.ip_address(str(a).split("%")[0]).is_loopback for a in addresses
    )


def check_exposure(host: str, web: WebSettings) -> None:
    """Refuse to serve on a non-loopback address without a token."""
    if web.token or is_loopback_host(host):
        return
    raise ConfigError(
        f"refusing to serve on {host} without a token: anyone who can reach it could "
        "read the watchlist and make this server fetch URLs. Set MONITOR_WEB_TOKEN "
        "(or [web] token) to a long random string, e.g. the output of "
        "python -c 'import secrets; print(secrets.token_urlsafe(32))', "
        "or listen on 127.0.0.1"
    )


# -- secrets -------------------------------------------------------------------


class Keys:
    """The secrets derived from the settings: session signing, token fingerprint, feed keys.

    The session secret comes from ``web.session_secret``, else from the token,
    so a restart keeps logins and rotating the token logs everyone out. With
    neither (loopback, no login) a random secret per process only protects
    the CSRF token, and a restart merely asks for a reload of open forms.
    """

    def __init__(self, web: WebSettings) -> None:
        self.token = web.token
        if web.session_secret:
            seed = web.session_secret.encode()
        elif web.token:
            seed = hmac.new(web.token.encode(), b"monitor session", hashlib.sha256).digest()
        else:
            seed = secrets.token_bytes(32)
        self.session_secret = hashlib.sha256(b"monitor web session\0" + seed).hexdigest()
        self._feed_key = hmac.new(seed, b"monitor feed keys", hashlib.sha256).digest()

    @property
    def required(self) -> bool:
        return bool(self.token)

    def token_matches(self, given: str) -> bool:
        return bool(self.token) and hmac.compare_digest(given.encode(), self.token.encode())

    def fingerprint(self) -> str:
        """What a logged-in session stores: changes when the token does, reveals nothing."""
        digest = hmac.new(self.token.encode(), b"monitor login", hashlib.sha256).hexdigest()
        return digest[:32]

    def feed_key(self, path: str) -> str:
        """The key that opens one feed path for readers that cannot log in."""
        return hmac.new(self._feed_key, path.encode(), hashlib.sha256).hexdigest()[:32]

    def feed_key_matches(self, path: str, given: str) -> bool:
        return hmac.compare_digest(self.feed_key(path).encode(), given.encode())


def new_csrf_token() -> str:
    return secrets.token_urlsafe(24)


def csrf_matches(session: MutableMapping[str, Any], given: str | None) -> bool:
    expected = session.get("csrf")
    return bool(expected and given) and hmac.compare_digest(
        str(expected).encode(), str(given).encode()
    )


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, value = authorization.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


# -- requests from elsewhere -----------------------------------------------------


def host_of(host_header: str) -> str:
    """The host name of a Host header (``[::1]:8000`` -> ``::1``)."""
    try:
        return (urlsplit(f"//{host_header}").hostname or "").lower()
    except ValueError:
        return ""


def host_is_loopback_name(host_header: str) -> bool:
    """Whether a request was addressed to this machine by a loopback name or address.

    Only literal names count here (no DNS): the point is to refuse names a
    remote site controls and has pointed at 127.0.0.1.
    """
    name = host_of(host_header)
    if name in LOOPBACK_NAMES or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def same_origin(origin: str, host_header: str, base_url: str) -> bool:
    """Whether an ``Origin`` header names this server (its Host, or ``web.base_url``)."""
    if not origin or origin == "null":
        return False
    try:
        parts = urlsplit(origin)
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False
    if parts.netloc.lower() == host_header.lower():
        return True
    return bool(base_url) and origin.lower() == _origin_of(base_url)


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


# -- ASGI middleware ---------------------------------------------------------------


class SecurityHeaders:
    """Adds the security headers to every HTTP answer, and ``no-store`` to non-static ones."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        csp = DOCS_CSP if path == "/docs" else CSP

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                extra = [*SECURITY_HEADERS, (b"content-security-policy", csp.encode())]
                if not path.startswith("/static/"):
                    extra.append((b"cache-control", b"no-store"))
                headers.extend((k, v) for k, v in extra if k not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyLimit:
    """Refuses request bodies over ``limit`` bytes with 413, declared or streamed.

    The body is read here, at most ``limit`` bytes of it, and replayed to the
    app, so no parser downstream ever buffers more than that.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                await _send_error(send, 400, "bad Content-Length header")
                return
            if size > self.limit:
                await _send_error(send, 413, f"request body over {self.limit} bytes")
                return
        chunks: list[bytes] = []
        total = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            total += len(body)
            if total > self.limit:
                await _send_error(send, 413, f"request body over {self.limit} bytes")
                return
            chunks.append(body)
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


async def _send_error(send: Send, status: int, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
