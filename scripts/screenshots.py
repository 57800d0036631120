"""Screenshots of the web UI for the README, from a demo database this script builds.

    python scripts/screenshots.py [--out docs/screenshots]

Everything stays on this machine: the saved newsroom pages of ``tests/pages``
are served by a local HTTP server under their outlets' made-up host names
(each resolved to 127.0.0.1), checked step by step by the real Checker into
a temporary database with the clock at each page's fetch time, and the web
UI over that database is photographed by headless Chromium (Debian's
``chromium`` package, driven by Playwright).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import uvicorn  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from monitor.checker import Checker  # noqa: E402
from monitor.config import FetchSettings, Settings  # noqa: E402
from monitor.fetch import Fetcher  # noqa: E402
from monitor.models import OutletRules, State  # noqa: E402
from monitor.store import Store  # noqa: E402
from monitor.watchlist import add_urls, set_watch_state  # noqa: E402
from monitor.web import create_app  # noqa: E402
from monitor.web.server import listen  # noqa: E402
from tests.chromium import CHROMIUM, CHROMIUM_ARGS, MISSING  # noqa: E402
from tests.newsroom import Layout, load_layouts  # noqa: E402

TAGS = {
    "bbc_blocks": ["uk", "climate"],
    "inline_ads": ["weather"],
    "jsonld": ["uk", "floods"],
    "korean_euckr": ["korea"],
    "meta": ["uk", "transport"],
    "microdata": ["education"],
    "posted_text": ["india", "business"],
    "time_elements": ["health", "cyber"],
    "wire": ["world"],
}
DIFF_LAYOUT = "jsonld"  # the article whose latest edit is photographed


class NewsServer:
    """Serves every layout's current page at its own path, whatever Host is asked for."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[bytes, str]] = {}
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                found = pages.get(self.path)
                body, content_type = found or (b"not found", "text/plain")
                self.send_response(200 if found else 404)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        try:  # port 80 keeps ":port" out of the URLs in the pictures
            self.httpd = ThreadingHTTPServer(("127.0.0.1", 80), Handler)
        except OSError:
            self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, layout: Layout) -> str:
        parts = urlsplit(layout.url)
        netloc = parts.hostname if self.port == 80 else f"{parts.hostname}:{self.port}"
        return f"http://{netloc}{parts.path}"


async def build_database(db_path: Path, news: NewsServer) -> dict[str, int]:
    """Check every saved page of every layout in order; returns article ids by layout name."""
    layouts = load_layouts()
    settings = Settings(
        db_path=db_path,
        fetch=FetchSettings(allow_private_hosts=True, host_delay=0.0, obey_robots=False),
        outlets={
            layout.host.removeprefix("www."): OutletRules(timezone=layout.timezone)
            for layout in layouts
            if layout.timezone
        },
    )
    ids: dict[str, int] = {}
    with Store(db_path) as store:
        async with Fetcher(settings.fetch, resolver=lambda host: ["127.0.0.1"]) as fetcher:
            for layout in layouts:
                first = layout.versions[0].fetched_at
                [added] = add_urls(
                    store, [news.url(layout)], now=first, tags=TAGS.get(layout.name, []),
                    allow_private=True,
                )  # fmt: skip
                ids[layout.name] = added.article.id
                for version in layout.versions:
                    news.pages[urlsplit(layout.url).path] = (
                        version.html_bytes,
                        version.headers["Content-Type"],
                    )
                    checker = Checker(store, settings, fetcher, clock=_fixed(version.fetched_at))
                    await checker.check(store.article(added.article.id))
        set_watch_state(store, [str(ids["bbc_blocks"])], State.PAUSED, datetime.now().astimezone())
    return ids


def _fixed(moment: datetime) -> Callable[[], datetime]:
    """A clock stopped at the moment a watcher would have fetched the page."""
    return lambda: moment


class WebThread:
    """The web app (no scheduler: the demo data must stay as built) in a background thread."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.url = ""
        self.ready = threading.Event()
        self.server: uvicorn.Server | None = None
        self.thread = threading.Thread(target=lambda: asyncio.run(self.main()), daemon=True)

    async def main(self) -> None:
        settings = replace(Settings(), db_path=self.db_path)
        with Store(self.db_path) as store:
            app = create_app(settings, store)
            sock = listen("127.0.0.1", 0)
            self.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
            self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
            task = asyncio.create_task(self.server.serve(sockets=[sock]))
            while not self.server.started:
                await asyncio.sleep(0.05)
            self.ready.set()
            await task

    def __enter__(self) -> WebThread:
        self.thread.start()
        if not self.ready.wait(30):
            raise RuntimeError("the web app did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        if self.server is not None:
            self.server.should_exit = True
        self.thread.join(10)


def photograph(base: str, ids: dict[str, int], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    article = ids[DIFF_LAYOUT]
    shots = [
        # (file, path, viewport width, height, full page)
        ("watchlist.png", "/", 1280, 900, True),
        ("article-diff.png", f"/articles/{article}?view=changes", 1280, 1250, False),
        ("article-side-by-side.png", f"/articles/{article}/diff?from=2&to=3&view=side#diff", 1280, 1000, False),
        ("recent-edits.png", "/edits", 1280, 1000, False),
        ("watchlist-phone.png", "/", 390, 844, False),
        ("article-phone.png", f"/articles/{article}?view=changes#diff", 390, 844, False),
    ]  # fmt: skip
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--hide-scrollbars"]
        )
        for name, path, width, height, full in shots:
            context = browser.new_context(
                viewport={"width": width, "height": height},
                device_scale_factor=1,
                timezone_id="Europe/London",
                locale="en-GB",
                color_scheme="light",
            )
            page = context.new_page()
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            if "#diff" in path:
                page.locator("#diff").scroll_into_view_if_needed()
                page.evaluate("document.getElementById('diff').scrollIntoView()")
            target = out / name
            page.screenshot(path=str(target), full_page=full)
            written.append(target)
            context.close()
        browser.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    if not Path(CHROMIUM).is_file():
        sys.exit(MISSING)
    news = NewsServer()
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "demo.db"
        ids = asyncio.run(build_database(db_path, news))
        with WebThread(db_path) as web:
            for path in photograph(web.url, ids, args.out):
                print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    news.httpd.shutdown()


if __name__ == "__main__":
    main()
