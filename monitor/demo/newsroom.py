"""The simulated newsroom: stories, their edit scripts, the timeline, and its web server.

A story is its first text plus a script of steps, each due a number of
"story seconds" after the newsroom opens (at ``--speed 1`` story seconds are
real seconds; at ``--speed 10`` they run ten times faster). The page served
for a story is the latest step that is due, with one rule that keeps the
demo honest on a slow machine: a step is never skipped. If the watcher has
not fetched step 2 yet when step 3 falls due, the next fetch still gets
step 2, so every scripted edit is seen as its own edit and two edits never
merge into one.

Everything around the article (most-read lists, ads, clocks, counters) is
rebuilt for every request (see ``layouts``), so monitor has real noise to
ignore. The server is the standard library's ``ThreadingHTTPServer`` in a
daemon thread of the demo's own process: no sockets beyond 127.0.0.1, nothing
to install, gone when the process ends.
"""

from __future__ import annotations

import contextlib
import html
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape as xml_escape

Op = tuple[str, ...]  # ("sub", old, new), ("title", new), ...: see apply_ops
Clock = Callable[[], float]  # monotonic seconds


@dataclass(frozen=True)
class Art:
    """The article as one version of the page shows it."""

    title: str
    byline: str
    posted: datetime
    updated: datetime | None
    paras: tuple[str, ...]


@dataclass(frozen=True)
class Step:
    """One thing the newsroom does to a story, ``at`` story seconds after opening."""

    at: float
    says: str  # what the newsroom did, in the console's words
    ops: tuple[Op, ...] = ()
    updated: int | None = None  # the page's new Updated time: minutes after the anchor
    pulled: bool = False  # from now on the story answers 404
    expect: str = ""  # what monitor should record: "declared", "stealth numbers", "gone", …


Layout = Callable[["Story", Art, "Noise"], str]


@dataclass(frozen=True)
class Story:
    """One story on one invented outlet, in one page layout."""

    slug: str
    path: str
    outlet: str
    section: str
    summary: str
    layout: Layout
    first: Art
    steps: tuple[Step, ...]  # after the first publication, in time order
    anchor: datetime  # the newsroom's opening time, on the minute: Updated times count from it
    versions: tuple[Art, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        arts = [self.first]
        for step in self.steps:
            updated = (
                self.anchor + timedelta(minutes=step.updated)
                if step.updated is not None
                else arts[-1].updated
            )
            arts.append(apply_ops(arts[-1], step.ops, updated))
        object.__setattr__(self, "versions", tuple(arts))

    def step_due(self, story_seconds: float) -> int:
        """Index into ``versions`` of the latest step due at this time (0: first publication)."""
        due = 0
        for i, step in enumerate(self.steps, 1):
            if step.at <= story_seconds:
                due = i
        return due

    def pulled_at(self, index: int) -> bool:
        return any(step.pulled for step in self.steps[:index])


def apply_ops(art: Art, ops: Sequence[Op], updated: datetime | None) -> Art:
    """The article after an edit: ops name one sentence by a unique piece of its text."""
    title, byline = art.title, art.byline
    paras = list(art.paras)

    def find(needle: str) -> int:
        hits = [i for i, para in enumerate(paras) if needle in para]
        if len(hits) != 1:
            raise ValueError(f"{needle!r} is in {len(hits)} paragraphs, expected one")
        return hits[0]

    for name, *args in ops:
        if name == "title":
            title = args[0]
        elif name == "byline":
            byline = args[0]
        elif name == "sub":  # replace a piece of one paragraph
            i = find(args[0])
            paras[i] = paras[i].replace(args[0], args[1], 1)
        elif name == "drop_para":
            del paras[find(args[0])]
        elif name == "add_para":  # after the paragraph holding the anchor text, or at "END"
            at = len(paras) if args[0] == "END" else find(args[0]) + 1
            paras.insert(at, args[1])
        else:
            raise ValueError(f"unknown op {name!r}")
    return Art(title, byline, art.posted, updated, tuple(paras))


# -- noise ---------------------------------------------------------------------------------

TEASERS = (
    ("Business", "Regional airline adds direct flights to three coastal cities"),
    ("Politics", "Mayor unveils budget with smaller property tax increase"),
    ("Sport", "Late penalty sends Rovers into cup semi-final"),
    ("Health", "Hospital waiting lists fall for the first time in two years"),
    ("Education", "School board delays vote on later start times"),
    ("Crime", "Police appeal for witnesses after jewellery shop raid"),
    ("Technology", "Phone maker recalls chargers over overheating fears"),
    ("Environment", "Rare orchids return to restored wetland"),
    ("Culture", "Jazz festival announces headline acts for summer"),
    ("Transport", "Bridge repairs to close main road for six weeks"),
    ("Weather", "Forecasters warn of strong winds along the coast"),
    ("Science", "Astronomers spot comet that will be visible to the naked eye"),
    ("Housing", "Rents climb again as supply of new homes slows"),
    ("Food", "Family-run diner closes after 62 years"),
    ("World", "Election count delayed after storm damages polling stations"),
    ("Business", "Port handles record number of containers"),
    ("Opinion", "Why local news matters more than ever"),
    ("Crime", "Stolen painting recovered in garage raid"),
)
SPONSORED = (
    "Doctors are stunned by this simple morning habit",
    "This new gadget cuts heating bills in half",
    "The investment strategy retirees swear by",
    "Forget expensive hotels: book this instead",
)


@dataclass(frozen=True)
class Teaser:
    section: str
    headline: str
    minutes_ago: int
    views: int

    @property
    def slug(self) -> str:
        return "-".join(self.headline.lower().split())[:60]

    @property
    def ago(self) -> str:
        if self.minutes_ago < 60:
            return f"{self.minutes_ago} min ago"
        return f"{self.minutes_ago // 60} h ago"


class Noise:
    """Everything on a page that is not the article: different on every request."""

    def __init__(self, seed: str, now: datetime) -> None:
        self.rng = r = random.Random(seed)
        self.now = now
        picks = r.sample(TEASERS, 10)
        self.most_read = sorted(
            (Teaser(s, h, r.randrange(30, 3000), r.randrange(900, 250_000)) for s, h in picks[:5]),
            key=lambda t: -t.views,
        )
        self.latest = sorted(
            (Teaser(s, h, r.randrange(1, 300), 0) for s, h in picks[5:]),
            key=lambda t: t.minutes_ago,
        )
        self.sponsored = r.sample(SPONSORED, 2)
        self.comments = r.randrange(3, 480)
        self.shares = r.randrange(10, 5200)
        self.temp = r.randrange(-3, 31)
        self.breaking = picks[0][1] if r.random() < 0.4 else None
        self.request_id = f"{r.getrandbits(128):032x}"

    def hex(self, digits: int) -> str:
        return f"{self.rng.getrandbits(4 * digits):0{digits}x}"


# -- the newsroom --------------------------------------------------------------------------


@dataclass(frozen=True)
class Response:
    status: int
    content_type: str
    body: bytes


Announce = Callable[[Story, Step], None]


class Newsroom:
    """Serves the stories as the timeline says, plus a home page, an RSS feed and robots.txt.

    ``clock`` is monotonic seconds (tests pass their own), ``now`` the wall
    clock for the times printed on pages. ``announce`` is called once per
    step, when its page is first served: that is when the edit becomes
    visible to anyone, so the console tells it then.
    """

    def __init__(
        self,
        stories: Sequence[Story],
        *,
        speed: float = 1.0,
        clock: Clock = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        announce: Announce | None = None,
        name: str = "The Demo Gazette",
    ) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.stories = {story.path: story for story in stories}
        self.speed = speed
        self.clock = clock
        self.now = now
        self.announce = announce
        self.name = name
        self.started = clock()
        self._served = {story.path: -1 for story in stories}  # highest step index served
        self._requests = {story.path: 0 for story in stories}
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.base_url = ""

    @property
    def story_seconds(self) -> float:
        return (self.clock() - self.started) * self.speed

    @property
    def duration(self) -> float:
        """Story seconds until the last scripted step is due."""
        return max((s.at for story in self.stories.values() for s in story.steps), default=0.0)

    def current(self, story: Story) -> int:
        """The step a request would get now: the one due, but never past an unseen one."""
        return min(story.step_due(self.story_seconds), self._served[story.path] + 1)

    def respond(self, path: str) -> Response:
        """The answer to ``GET path``: the routing, without any HTTP around it."""
        path = path.split("?", 1)[0].split("#", 1)[0]
        if path == "/":
            return Response(200, "text/html; charset=utf-8", self._home().encode())
        if path == "/feed.xml":
            return Response(200, "application/rss+xml; charset=utf-8", self._feed().encode())
        if path == "/robots.txt":
            return Response(200, "text/plain; charset=utf-8", b"User-agent: *\nAllow: /\n")
        story = self.stories.get(path)
        if story is None:
            return Response(404, "text/html; charset=utf-8", self._not_found().encode())
        with self._lock:
            index = self.current(story)
            fresh = index > self._served[path]
            self._served[path] = max(self._served[path], index)
            self._requests[path] += 1
            seed = f"{story.slug}:{self._requests[path]}"
        if fresh and index > 0 and self.announce is not None:
            self.announce(story, story.steps[index - 1])
        if story.pulled_at(index):
            return Response(404, "text/html; charset=utf-8", self._not_found().encode())
        page = story.layout(story, story.versions[index], Noise(seed, self.now()))
        return Response(200, "text/html; charset=utf-8", page.encode())

    # -- pages around the stories --

    def _listed(self) -> list[tuple[Story, Art]]:
        """Stories still published, as the home page and feed show them, newest first."""
        listed = []
        for story in self.stories.values():
            index = min(story.step_due(self.story_seconds), self._served[story.path] + 1)
            if not story.pulled_at(index):
                listed.append((story, story.versions[index]))
        return sorted(listed, key=lambda pair: pair[1].posted, reverse=True)

    def _home(self) -> str:
        items = "\n".join(
            f'<li><a href="{story.path}">{html.escape(art.title)}</a> '
            f"<span>{html.escape(story.outlet)} · {html.escape(story.section)}</span></li>"
            for story, art in self._listed()
        )
        return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(self.name)}</title>
<link rel="alternate" type="application/rss+xml" title="{html.escape(self.name)}" href="/feed.xml">
</head><body>
<h1>{html.escape(self.name)}</h1>
<p>monitor's simulated newsroom. Its stories are edited on a timer while monitor watches
them: reload a story to see the page around it change on every visit.</p>
<ul>
{items}
</ul>
<p><a href="/feed.xml">RSS feed</a></p>
</body></html>
"""

    def _feed(self) -> str:
        base = self.base_url
        items = "\n".join(
            f"""<item><title>{xml_escape(art.title)}</title>
<link>{base}{story.path}</link><guid isPermaLink="true">{base}{story.path}</guid>
<pubDate>{format_datetime(art.posted.astimezone(UTC), usegmt=True)}</pubDate>
<category>{xml_escape(story.section)}</category>
<description>{xml_escape(story.summary)}</description></item>"""
            for story, art in self._listed()
        )
        built = format_datetime(self.now().astimezone(UTC), usegmt=True)
        return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
<title>{xml_escape(self.name)}</title><link>{base}/</link>
<description>monitor's simulated newsroom</description>
<lastBuildDate>{built}</lastBuildDate>
{items}
</channel></rss>
"""

    @staticmethod
    def _not_found() -> str:
        return (
            "<!DOCTYPE html><html><head><title>Page not found</title></head><body>"
            "<h1>Sorry, we can't find that page</h1><p>It may have been moved or deleted."
            '</p><p><a href="/">Go to the home page</a></p></body></html>'
        )

    # -- the HTTP server --

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on ``host:port`` (0: any free port) from a daemon thread; returns the base URL."""
        self._httpd = ThreadingHTTPServer((host, port), _handler(self))
        self._httpd.daemon_threads = True
        self.base_url = f"http://{host}:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="demo-newsroom",
            daemon=True,
        )
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def url(self, story: Story) -> str:
        return self.base_url + story.path


def _handler(newsroom: Newsroom) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "DemoNewsroom/1.0"

        def log_message(self, format: str, *args: object) -> None:
            """Quiet: the demo's console is for edits and alerts, not access logs."""

        def do_GET(self) -> None:
            self._answer(send_body=True)

        def do_HEAD(self) -> None:
            self._answer(send_body=False)

        def _answer(self, *, send_body: bool) -> None:
            answer = newsroom.respond(self.path)
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            if send_body:
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(answer.body)

    return Handler
