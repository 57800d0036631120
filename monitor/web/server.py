"""``monitor serve``: the web app and the scheduler in one process, one event loop.

One loop because the store's SQLite connection belongs to one thread, and
because a "check now" from the web should share the scheduler's HTTP client
and per-host politeness. uvicorn's own signal handling is switched off: the
scheduler ``Service`` already turns SIGINT/SIGTERM into ``stop()``, and
whichever of the two ends first (a signal, or the server failing) ends the
other, so the process never keeps half of itself running.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING

import uvicorn

from monitor.config import Settings
from monitor.errors import ConfigError
from monitor.store import Store
from monitor.web.app import create_app
from monitor.web.security import check_exposure

if TYPE_CHECKING:
    from monitor.schedule import Service

log = logging.getLogger("monitor.web")


class _Server(uvicorn.Server):
    """uvicorn without its signal handlers: the scheduler's handlers stop both."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


def listen(host: str, port: int) -> socket.socket:
    """Bind the listening socket up front, so "address in use" is a clear error, not an exit."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    sock.setblocking(False)
    return sock


async def serve(
    settings: Settings,
    store: Store,
    *,
    service: Service,
    host: str | None = None,
    port: int | None = None,
    sock: socket.socket | None = None,
    on_ready: Callable[[str], None] | None = None,
    log_level: str = "info",
) -> None:
    """Run the web UI/API and the scheduler until SIGINT/SIGTERM or ``service.stop()``.

    ``host``/``port`` default to ``[web] host``/``port``. Raises ConfigError
    before anything starts when the address is not loopback and no token is
    set, or when the address cannot be bound. ``sock`` is an already bound
    socket (tests pass one on port 0); ``on_ready`` gets the base URL once
    the server accepts connections.
    """
    if sock is None:
        host = host or settings.web.host
        check_exposure(host, settings.web)
        sock = listen(host, settings.web.port if port is None else port)
    else:
        check_exposure(sock.getsockname()[0], settings.web)
    bound_host, bound_port = sock.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    url = f"http://{shown}:{bound_port}"

    app = create_app(settings, store, service=service)
    config = uvicorn.Config(
        app,
        log_level=log_level,
        server_header=False,
        timeout_keep_alive=5,
        timeout_graceful_shutdown=5,
        h11_max_incomplete_event_size=64 * 1024,
    )
    server = _Server(config)

    async def run_server() -> None:
        await server.serve(sockets=[sock])

    async def announce() -> None:
        while not server.started and not server.should_exit:
            await asyncio.sleep(0.05)
        if server.started and on_ready is not None:
            on_ready(url)
        if server.started:
            log.info("web UI at %s (login %s)", url, "required" if settings.web.token else "off")

    service_task = asyncio.create_task(service.run(), name="monitor-scheduler")
    server_task = asyncio.create_task(run_server(), name="monitor-web")
    ready_task = asyncio.create_task(announce(), name="monitor-web-ready")
    try:
        await asyncio.wait({service_task, server_task}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        server.should_exit = True
        service.stop()
        await asyncio.gather(service_task, server_task, return_exceptions=True)
        ready_task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await ready_task
        sock.close()
    for task in (server_task, service_task):
        if not task.cancelled() and task.exception() is not None:
            raise task.exception()  # type: ignore[misc]


class BackgroundServer:
    """``serve`` with its own scheduler in a background thread, for scripts, demos and tests.

    The thread opens its own store (SQLite connections belong to their
    thread) and fetcher; ``url`` is set once the server answers. Use as a
    context manager: leaving it stops the scheduler and the server.
    """

    def __init__(self, settings: Settings, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.settings = settings
        self.host = host
        self.port = port
        self.url = ""
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._service: Service | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="monitor-web", daemon=True)

    def __enter__(self) -> BackgroundServer:
        self._thread.start()
        if not self._ready.wait(30) or self._error is not None:
            self.stop()
            raise RuntimeError(f"the web server did not start: {self._error!r}")
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self._loop is not None and self._service is not None:
            self._loop.call_soon_threadsafe(self._service.stop)
        self._thread.join(30)

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # reported to the starting thread
            self._error = exc
            self._ready.set()

    async def _main(self) -> None:
        from monitor.fetch import Fetcher
        from monitor.schedule import Service

        self._loop = asyncio.get_running_loop()
        with Store(self.settings.db_path) as store:
            async with Fetcher(self.settings.fetch) as fetcher:
                self._service = Service(store, self.settings, fetcher)
                sock = listen(self.host, self.port)

                def ready(url: str) -> None:
                    self.url = url
                    self._ready.set()

                await serve(
                    self.settings,
                    store,
                    service=self._service,
                    sock=sock,
                    on_ready=ready,
                    log_level="warning",
                )
