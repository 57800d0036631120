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
import json
import random
import sys
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
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


def render(number: int, edits: int, rng: random.Random) -> str:
    """The full page of article ``number`` in its layout, with fresh boilerplate."""
    s = story(number, edits)
    n = noise(rng)
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
    """Shared state: how often each article was edited, and whether 304s are on."""

    def __init__(self, articles: int) -> None:
        self.articles = articles
        self.edits = [0] * articles
        self.conditional = False
        self.lock = threading.Lock()
        self.requests = 0

    def edit_pass(self, n: int, fraction: float, seed: int) -> list[int]:
        count = round(self.articles * fraction)
        chosen = sorted(random.Random(seed * 100_003 + n).sample(range(self.articles), count))
        with self.lock:
            for number in chosen:
                self.edits[number] += 1
        return chosen

    def etag(self, number: int) -> str:
        return f'"a{number}-e{self.edits[number]}"'


def make_handler(room: Newsroom) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet: a benchmark prints its own figures

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            if parts.path == "/_control/pass":
                edited = room.edit_pass(
                    int(query["n"]), float(query.get("fraction", 0.1)), int(query.get("seed", 1))
                )
                return self._send(200, json.dumps(edited).encode(), "application/json")
            if parts.path == "/_control/conditional":
                room.conditional = query.get("on") == "1"
                return self._send(200, b"ok", "text/plain")
            if parts.path == "/_control/stats":
                return self._send(200, json.dumps({"requests": room.requests}).encode(), "")
            if parts.path == "/robots.txt":
                return self._send(200, b"User-agent: *\nAllow: /\n", "text/plain")
            try:
                number = int(parts.path.rsplit("/", 1)[-1].split("-", 1)[0])
            except ValueError:
                number = -1
            if not 0 <= number < room.articles or parts.path != article_path(number):
                return self._send(404, b"not found", "text/plain")
            room.requests += 1
            etag = room.etag(number)
            if room.conditional and self.headers.get("If-None-Match") == etag:
                return self._send(304, b"", "", etag=etag)
            page = render(number, room.edits[number], random.Random()).encode()
            self._send(200, page, "text/html; charset=utf-8", etag=etag)

        def _send(self, status: int, body: bytes, kind: str, etag: str | None = None) -> None:
            self.send_response(status)
            if kind:
                self.send_header("Content-Type", kind)
            if etag:
                self.send_header("ETag", etag)
            self.send_header("Cache-Control", "no-cache")
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status != 304:
                self.wfile.write(body)

    return Handler


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    room = Newsroom(args.articles)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(room))
    server.daemon_threads = True
    server.request_queue_size = 256
    print(f"listening on {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
