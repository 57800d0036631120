"""The FastAPI application: routers, middleware, error pages and ``/healthz``.

``create_app`` takes the open store and settings (and the running scheduler
``Service``, whose checker and last tick the app uses) and returns an ASGI
app; ``monitor.web.server.serve`` runs it beside the scheduler in one event
loop. Middleware, outermost first: security headers, body size limit,
signed session cookie, access control (token, Host and Origin checks).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import fastapi_offline
import jinja2
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from monitor import __version__
from monitor.checker import Checker, Clock, utc_now
from monitor.config import Settings
from monitor.errors import MonitorError, NotFoundError, StoreError
from monitor.store import Store
from monitor.web import api, feeds, pages
from monitor.web.context import ConflictError, WebContext
from monitor.web.security import (
    PUBLIC_PATHS,
    PUBLIC_PREFIXES,
    SESSION_COOKIE,
    UNSAFE_METHODS,
    ASGIApp,
    BodyLimit,
    Keys,
    Receive,
    Scope,
    SecurityHeaders,
    Send,
    bearer_token,
    host_is_loopback_name,
    same_origin,
)

if TYPE_CHECKING:
    from monitor.schedule import Service

log = logging.getLogger("monitor.web")

HERE = Path(__file__).resolve().parent
SWAGGER_ASSETS = Path(fastapi_offline.__file__).resolve().parent / "static"
KIND_HELP = {
    "declared": "The text changed and the page's Updated time moved",
    "stealth": "The text changed but the page's Updated time did not move",
}
HEALTHY_TICKS = 3  # /healthz fails when the scheduler has not ticked for this many ticks

DESCRIPTION = """\
Watch news articles and review every edit made to them.

With a token configured (`web.token` / `MONITOR_WEB_TOKEN`), send it as
`Authorization: Bearer TOKEN`. Errors are `{"error": message}`.
"""


def create_app(
    settings: Settings,
    store: Store,
    *,
    service: Service | None = None,
    checker: Checker | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    """The web app over an open store. All handlers run on the caller's event loop thread."""
    keys = Keys(settings.web)
    ctx = WebContext(
        settings=settings,
        store=store,
        keys=keys,
        service=service,
        clock=clock or (service.clock if service is not None else utc_now),
        checker=checker,
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await ctx.aclose()

    app = FastAPI(
        title="monitor",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    app.state.templates = make_templates()

    app.include_router(api.router)
    app.include_router(feeds.router)
    app.include_router(pages.router)
    app.mount("/static/docs", StaticFiles(directory=SWAGGER_ASSETS), name="docs-assets")
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.get("/healthz", tags=["health"])
    async def healthz() -> JSONResponse:
        """200 while the scheduler ticks (its last tick under three ticks ago), else 503."""
        return health_response(ctx)

    _add_error_handlers(app)
    app.add_middleware(AccessControl, ctx=ctx)
    app.add_middleware(
        SessionMiddleware,
        secret_key=keys.session_secret,
        session_cookie=SESSION_COOKIE,
        max_age=settings.web.session_days * 86400,
        same_site="lax",
        https_only=settings.web.base_url.startswith("https://"),
    )
    app.add_middleware(BodyLimit, limit=settings.web.max_body_bytes)
    app.add_middleware(SecurityHeaders)
    return app


def health_response(ctx: WebContext) -> JSONResponse:
    tick = ctx.settings.schedule.tick
    last = ctx.service.last_tick if ctx.service is not None else None
    age = (ctx.now() - last).total_seconds() if last is not None else None
    healthy = age is not None and age < HEALTHY_TICKS * tick
    if ctx.service is None:
        status = "no scheduler"
    elif last is None:
        status = "starting"
    else:
        status = "ok" if healthy else "stale"
    body = {
        "status": status,
        "last_tick": last.astimezone(UTC).isoformat() if last else None,
        "age_s": round(age, 1) if age is not None else None,
        "tick_s": tick,
    }
    return JSONResponse(body, status_code=200 if healthy else 503)


# -- templates ------------------------------------------------------------------------


def make_templates() -> Jinja2Templates:
    """Jinja2 with autoescaping forced on for every template, whatever its name."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["utc"] = _utc
    env.filters["urlq"] = lambda text: quote(str(text), safe="")
    env.globals["app_version"] = __version__
    env.globals["kind_help"] = KIND_HELP
    return Jinja2Templates(env=env)


def _utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC) if moment is not None else None


# -- access control ----------------------------------------------------------------------


def wants_json(path: str) -> bool:
    return path.startswith(("/api/", "/feeds/")) or path in ("/api", "/openapi.json", "/healthz")


class AccessControl:
    """Token, Host and Origin checks before any handler runs (see ``monitor.web.security``)."""

    def __init__(self, app: ASGIApp, ctx: WebContext) -> None:
        self.app = app
        self.ctx = ctx

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        refusal = self.refusal(request)
        if refusal is not None:
            await refusal(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def refusal(self, request: Request) -> Response | None:
        keys = self.ctx.keys
        path = request.url.path
        host = request.headers.get("host", "")
        if not keys.required and not host_is_loopback_name(host):
            return _error(
                request,
                403,
                "This server has no token, so it only answers requests addressed to "
                "localhost or 127.0.0.1. Set web.token to reach it under another name.",
            )
        if request.method in UNSAFE_METHODS and self._cross_site(request, host):
            return _error(request, 403, "Cross-site request refused.")
        if not keys.required or _public(path):
            return None
        given = bearer_token(request.headers.get("authorization"))
        if given is not None:
            if keys.token_matches(given):
                return None
            return _unauthorized(request, "Wrong token.")
        if self._session_allows(request):
            return None
        if path.startswith("/feeds/") and keys.feed_key_matches(
            path, request.query_params.get("key", "")
        ):
            return None
        if wants_json(path):
            return _unauthorized(request, "Log in first: send Authorization: Bearer TOKEN.")
        if request.method not in ("GET", "HEAD"):
            return _unauthorized(request, "Log in first, then send the form again.")
        target = path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)

    def _cross_site(self, request: Request, host: str) -> bool:
        if request.headers.get("sec-fetch-site", "") == "cross-site":
            return True
        origin = request.headers.get("origin")
        return origin is not None and not same_origin(origin, host, self.ctx.settings.web.base_url)

    def _session_allows(self, request: Request) -> bool:
        """A logged-in browser: pages, feeds and docs; in the API, reading only.

        API writes need the bearer token, so a logged-in browser can never be
        made to change anything through the API by another site.
        """
        stored = request.session.get("auth")
        if not isinstance(stored, str) or not hmac.compare_digest(
            stored.encode(), self.ctx.keys.fingerprint().encode()
        ):
            return False
        return not (request.url.path.startswith("/api/") and request.method in UNSAFE_METHODS)


def _public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def _unauthorized(request: Request, message: str) -> Response:
    return _error(request, 401, message, {"WWW-Authenticate": 'Bearer realm="monitor"'})


def _error(
    request: Request, status: int, message: str, headers: Mapping[str, str] | None = None
) -> Response:
    """JSON for the API and feeds, an HTML page for the rest."""
    if wants_json(request.url.path) or "session" not in request.scope:
        return JSONResponse({"error": message}, status_code=status, headers=headers)
    try:
        response = pages.render(
            request, "error.html", {"status": status, "message": message}, status
        )
    except Exception:  # an error page must never fail into a 500
        log.exception("rendering the error page failed")
        return JSONResponse({"error": message}, status_code=status, headers=headers)
    if headers:
        response.headers.update(headers)
    return response


# -- errors --------------------------------------------------------------------------------


def status_of(exc: MonitorError) -> int:
    if isinstance(exc, ConflictError):
        return 409
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, StoreError):
        return 500
    return 400  # UsageError, and a FetchError raised while validating a URL


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "request refused"
        if exc.status_code == 404 and message == "Not Found":
            message = "Nothing here: no such page."
        return _error(request, exc.status_code, message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        details = [
            {"loc": [str(part) for part in err.get("loc", ())], "msg": str(err.get("msg", ""))}
            for err in exc.errors()
        ]
        summary = "; ".join(f"{'.'.join(d['loc'])}: {d['msg']}" for d in details[:3])
        if wants_json(request.url.path):
            return JSONResponse({"error": summary, "details": details}, status_code=422)
        return _error(request, 400, f"Bad request: {summary}")

    @app.exception_handler(MonitorError)
    async def monitor_error(request: Request, exc: MonitorError) -> Response:
        status = status_of(exc)
        if status >= 500:
            log.error("%s %s: %s", request.method, request.url.path, exc)
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return _error(request, status, message)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("%s %s failed", request.method, request.url.path)
        return JSONResponse({"error": "internal error; see the server log"}, status_code=500)
