"""A synthetic newsroom for ``benchmarks/pass.py``: N articles on a local HTTP server.

Run in its own process so its CPU is not charged to the checker being
measured::

    python benchmarks/newsroom_server.py --articles 2000 --port 0

It prints ``listening on PORT`` once ready, then serves until killed.

Every article is invented from its number (the same on every run) in one of
four layouts that real outlets use: JSON-LD with ``<article>``, a classic
``div.story-body`` CMS, Open Graph meta tags around ``<main>``, and an older
table-and-``div`` template. The page *around* the article changes on every
request (most-read list, ad slot ids, a clock, a view counter, a token in a
script), as on a real news site, so a whole-page watcher sees a change every
time while the article itself stays put.

Control endpoints (loopback only, used by the benchmark):

- ``/_control/pass?n=K&fraction=F&seed=S`` edits a fraction F of the
  articles for pass K (a sentence added and a figure changed, the Updated
  time moved) and answers with the JSON list of edited article numbers. The
  choice depends only on K, F and S, so runs are repeatable.
- ``/_control/conditional?on=1`` makes the server answer 304 to a request
  whose ``If-None-Match`` matches the article's current ETag (``on=0``
  ignores conditional requests, as most dynamic news pages do).
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import multiprocessing
import os
import random
import signal
import socket
import sys
from datetime import UTC, datetime, timedelta
from functools import partial
from urllib.parse import parse_qs, urlsplit

LAYOUTS = ("jsonld", "classic", "meta", "legacy")
SECTIONS = ("world", "politics", "business", "science", "sport", "culture")
WORDS = (
    "council officials said the river water families homes residents shelter night "
    "budget minister announced plan schools hospital funding report workers union "
    "police investigation court judge ruling election voters campaign candidate "
    "company shares market prices energy climate scientists study researchers data "
    "storm weather road bridge train station airport flights city county state "
    "government spokesperson statement week month year morning evening decision"
).split()
NAMES = ("Rachel Okafor", "Tomás Lindqvist", "Priya Raman", "Daniel Mercer", "Ana Sousa")
BASE_TIME = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def story(number: int, edits: int) -> dict[str, object]:
    """Article ``number`` after ``edits`` edits: headline, byline, times, paragraphs."""
    rng = random.Random(number)
    words = [rng.choice(WORDS) for _ in range(8)]
    headline = " ".join(words).capitalize() + f" ({number})"
    paragraphs = []
    for _ in range(rng.randint(7, 11)):
        sentences = []
        for _ in range(rng.randint(2, 4)):
            sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 22)))
            sentences.append(sentence.capitalize() + ".")
        paragraphs.append(" ".join(sentences))
    figure = 400 + 10 * edits  # a number that changes with every edit
    paragraphs[0] = f"About {figure} people were affected, officials said. " + paragraphs[0]
    for k in range(1, edits + 1):
        paragraphs.append(f"Update {k}: officials later gave new figures for story {number}.")
    posted = BASE_TIME - timedelta(minutes=number % 600)
    updated = posted + timedelta(minutes=30 * edits) if edits else None
    return {
        "headline": headline,
        "byline": NAMES[number % len(NAMES)],
        "posted": posted,
        "updated": updated,
        "paragraphs": paragraphs,
        "section": SECTIONS[number % len(SECTIONS)],
    }


def noise(rng: random.Random) -> dict[str, str]:
    """Boilerplate that differs on every request."""
    most_read = "".join(
        f'<li><a href="/x/{rng.randrange(10**6)}.html">'
        f"{' '.join(rng.choice(WORDS) for _ in range(7)).capitalize()}</a></li>"
        for _ in range(5)
    )
    return {
        "most_read": f'<aside class="most-read"><h2>Most read</h2><ol>{most_read}</ol></aside>',
        "ad": f'<div class="ad" id="ad-{rng.randrange(10**9)}" data-slot="{rng.random()}">'
        f"Advertisement</div>",
        "clock": f'<span class="clock">{datetime.now(UTC).strftime("%H:%M:%S.%f")}</span>',
        "views": f'<span class="views">{rng.randrange(10**6)} readers now</span>',
        "script": f"<script>window.__token='{rng.getrandbits(128):032x}';</script>",
    }


NOISE = ("most_read", "ad", "clock", "views", "script")
MARK = "\x00"  # never in a page: splits a template into text and noise slots


def render(number: int, edits: int, rng: random.Random) -> str:
    """The full page of article ``number`` in its layout, with fresh boilerplate."""
    fresh = noise(rng)
    return "".join(fresh[part] if i % 2 else part for i, part in enumerate(template(number, edits)))


@functools.lru_cache(maxsize=16_384)
def template(number: int, edits: int) -> tuple[str, ...]:
    """The page cut around its noise slots: text, slot name, text, … (odd items are slots).

    Rendered once per article version, as a real CMS caches its pages, so a
    request costs the boilerplate and the bytes, not the story again.
    """
    page = _page(number, edits, {key: f"{MARK}{key}{MARK}" for key in NOISE})
    return tuple(page.split(MARK))


def _page(number: int, edits: int, n: dict[str, str]) -> str:
    """The page of article ``number`` after ``edits`` edits, with the boilerplate ``n``."""
    s = story(number, edits)
    posted = s["posted"].isoformat()  # type: ignore[union-attr]
    updated = s["updated"].isoformat() if s["updated"] else None  # type: ignore[union-attr]
    paras = s["paragraphs"]
    assert isinstance(paras, list)
    layout = LAYOUTS[number % len(LAYOUTS)]
    head = f"<title>{s['headline']} | The Daily Synthetic</title>"
    nav = '<nav><a href="/">Home</a> <a href="/world/">World</a> <a href="/sport/">Sport</a></nav>'
    foot = f"<footer>© The Daily Synthetic {n['clock']} <a href='/privacy'>Privacy</a></footer>"
    if layout == "jsonld":
        ld = {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": s["headline"],
            "datePublished": posted,
            "author": [{"@type": "Person", "name": s["byline"]}],
        }
        if updated:
            ld["dateModified"] = updated
        body = "".join(f"<p>{p}</p>" for p in paras[:3]) + n["ad"]
        body += "".join(f"<p>{p}</p>" for p in paras[3:])
        html = (
            f'<script type="application/ld+json">{json.dumps(ld)}</script>{head}</head><body>'
            f"{nav}{n['views']}<article><h1>{s['headline']}</h1>"
            f'<p class="byline">By {s["byline"]}</p>'
            f'<time datetime="{posted}">{posted}</time>{body}</article>{n["most_read"]}{foot}'
        )
    elif layout == "classic":
        stamp = f'<time class="updated" datetime="{updated}">Updated {updated}</time>'
        body = "".join(f"<p>{p}</p>" for p in paras)
        html = (
            f"{head}</head><body>{nav}<div id='main'><div class='story'>"
            f"<h1 class='headline'>{s['headline']}</h1>"
            f"<div class='byline'>By <a href='/authors/x'>{s['byline']}</a></div>"
            f"<time class='published' datetime='{posted}'>Published {posted}</time>"
            f"{stamp if updated else ''}{n['views']}<div class='story-body'>{body}</div>"
            f"</div>{n['ad']}{n['most_read']}</div>{foot}"
        )
    elif layout == "meta":
        metas = (
            f'<meta property="og:title" content="{s["headline"]}">'
            f'<meta property="article:published_time" content="{posted}">'
            f'<meta name="author" content="{s["byline"]}">'
        )
        if updated:
            metas += f'<meta property="article:modified_time" content="{updated}">'
        half = len(paras) // 2
        related = '<div class="related"><a href="/a/1.html">Read more: earlier story</a></div>'
        body = (
            "".join(f"<p>{p}</p>" for p in paras[:half])
            + related
            + "".join(f"<p>{p}</p>" for p in paras[half:])
        )
        html = (
            f"{metas}{head}</head><body>{nav}<main><header><h1>{s['headline']}</h1>"
            f"<span class='author'>{s['byline']}</span></header><section>{body}</section>"
            f"</main>{n['most_read']}{n['ad']}{n['views']}{foot}"
        )
    else:  # legacy
        body = "<br><br>".join(paras)
        stamp = f"Posted: {posted}" + (f" | Updated: {updated}" if updated else "")
        html = (
            f"{head}</head><body>{nav}<table><tr><td class='left'>{n['most_read']}</td>"
            f"<td class='content'><div class='title'><h1>{s['headline']}</h1></div>"
            f"<div class='meta'>By {s['byline']} · {stamp}</div>"
            f"<div class='text' id='article-text'><p>{body}</p></div></td>"
            f"<td>{n['ad']}{n['views']}</td></tr></table>{foot}"
        )
    return f"<!doctype html><html lang='en'><head><meta charset='utf-8'>{html}{n['script']}</body></html>"


def article_path(number: int) -> str:
    return f"/{SECTIONS[number % len(SECTIONS)]}/{number}-story.html"


class Newsroom:
    """State shared by every server process: edits per article, 304s on or off, requests.

    It lives in shared memory made before the workers fork, so a control
    request answered by one worker is seen by all of them.
    """

    def __init__(self, articles: int, workers: int) -> None:
        ctx = multiprocessing.get_context("fork")
        self.articles = articles
        self.edits = ctx.RawArray("i", articles)
        self._conditional = ctx.RawValue("b", False)
        self._requests = ctx.RawArray("q", workers)  # one counter per worker: no lock per request
        self.lock = ctx.Lock()
        self.worker = 0

    @property
    def conditional(self) -> bool:
        return bool(self._conditional.value)

    @conditional.setter
    def conditional(self, on: bool) -> None:
        self._conditional.value = on

    @property
    def requests(self) -> int:
        return sum(self._requests)

    def count_request(self) -> None:
        self._requests[self.worker] += 1

    def edit_pass(self, n: int, fraction: float, seed: int) -> list[int]:
        count = round(self.articles * fraction)
        chosen = sorted(random.Random(seed * 100_003 + n).sample(range(self.articles), count))
        with self.lock:
            for number in chosen:
                self.edits[number] += 1
        return chosen

    def etag(self, number: int) -> str:
        return f'"a{number}-e{self.edits[number]}"'


Response = tuple[int, bytes, str, str | None]  # status, body, content type, ETag


def respond(room: Newsroom, target: str, headers: dict[str, str], rng: random.Random) -> Response:
    """The answer to ``GET target``: an article page, a 304, a control call or a 404."""
    parts = urlsplit(target)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    if parts.path == "/_control/pass":
        edited = room.edit_pass(
            int(query["n"]), float(query.get("fraction", 0.1)), int(query.get("seed", 1))
        )
        return 200, json.dumps(edited).encode(), "application/json", None
    if parts.path == "/_control/conditional":
        room.conditional = query.get("on") == "1"
        return 200, b"ok", "text/plain", None
    if parts.path == "/_control/stats":
        return 200, json.dumps({"requests": room.requests}).encode(), "application/json", None
    if parts.path == "/robots.txt":
        return 200, b"User-agent: *\nAllow: /\n", "text/plain", None
    try:
        number = int(parts.path.rsplit("/", 1)[-1].split("-", 1)[0])
    except ValueError:
        number = -1
    if not 0 <= number < room.articles or parts.path != article_path(number):
        return 404, b"not found", "text/plain", None
    room.count_request()
    etag = room.etag(number)
    if room.conditional and headers.get("if-none-match") == etag:
        return 304, b"", "", etag
    page = render(number, room.edits[number], rng).encode()
    return 200, page, "text/html; charset=utf-8", etag


REASONS = {200: "OK", 304: "Not Modified", 400: "Bad Request", 404: "Not Found"}


def response_bytes(response: Response, keep_alive: bool) -> bytes:
    """Status line, headers and body in one buffer: one write, no Nagle stall between them."""
    status, body, kind, etag = response
    lines = [f"HTTP/1.1 {status} {REASONS[status]}", "Cache-Control: no-cache"]
    if kind:
        lines.append(f"Content-Type: {kind}")
    if etag:
        lines.append(f"ETag: {etag}")
    if status != 304:
        lines.append(f"Content-Length: {len(body)}")
    if not keep_alive:
        lines.append("Connection: close")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return head if status == 304 else head + body


async def serve_connection(
    room: Newsroom, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    """HTTP/1.1 GETs on one kept-alive connection, until the client closes it."""
    rng = random.Random()
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            request_line, *lines = head.decode("latin-1").split("\r\n")
            method, target, version = [*request_line.split(" "), "", ""][:3]
            headers = {}
            for line in lines:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            keep_alive = version == "HTTP/1.1" and headers.get("connection", "").lower() != "close"
            if method != "GET":
                response: Response = (400, b"GET only", "text/plain", None)
            else:
                response = respond(room, target, headers, rng)
            writer.write(response_bytes(response, keep_alive))
            await writer.drain()
            if not keep_alive:
                break
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        pass  # the client went away
    finally:
        writer.close()


def worker(room: Newsroom, sock: socket.socket, number: int) -> None:
    """One server process: an asyncio loop accepting on the shared listening socket."""
    room.worker = number
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops the workers

    async def run() -> None:
        server = await asyncio.start_server(partial(serve_connection, room), sock=sock)
        async with server:
            await server.serve_forever()

    asyncio.run(run())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="server processes (default: cores)"
    )
    args = parser.parse_args(argv)
    room = Newsroom(args.articles, max(1, args.workers))
    sock = socket.create_server(("127.0.0.1", args.port), backlog=1024)
    ctx = multiprocessing.get_context("fork")
    workers = [
        ctx.Process(target=worker, args=(room, sock, i), daemon=True)
        for i in range(max(1, args.workers))
    ]
    for process in workers:
        process.start()
    # Terminated (by the benchmark) or interrupted: exit normally, which stops the workers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"listening on {sock.getsockname()[1]}", flush=True)
    try:
        for process in workers:
            process.join()
    except KeyboardInterrupt:
        pass
    finally:
        for process in workers:
            process.terminate()
        sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
