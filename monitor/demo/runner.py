"""``monitor demo``: the newsroom, a throwaway database, the scheduler, the web UI and alerts.

Everything a real deployment runs, in one process, pointed at the simulated
newsroom instead of the internet:

- the newsroom serves its stories from a thread on 127.0.0.1 (random port);
- the database lives in a temporary directory that is deleted on exit
  (``--keep`` keeps it, for ``monitor --db … history`` afterwards);
- the settings are built here, in code, from the defaults: the user's
  config file and ``MONITOR_*`` variables are not read, and nothing is
  written to the environment, so the demo's short intervals and its
  permission to fetch from 127.0.0.1 never leak into a real setup;
- the scheduler and the web UI run as ``monitor serve`` runs them
  (``monitor.web.serve``), and Ctrl-C (or SIGTERM) stops both cleanly;
- alerts go through apprise like any other channel: to a console channel
  registered in-process with apprise's ``@notify`` decorator, which prints
  them here, plus any ``--notify URL`` channel the user names.
"""

from __future__ import annotations

import asyncio
import functools
import shutil
import socket
import sys
import tempfile
import textwrap
import threading
import time
import webbrowser
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from monitor.checker import utc_now
from monitor.config import (
    FetchSettings,
    NotifySettings,
    ScheduleSettings,
    Settings,
    WebSettings,
)
from monitor.demo.newsroom import Newsroom, Step, Story
from monitor.demo.stories import build_stories
from monitor.errors import ConfigError, MonitorError
from monitor.feeds import add_feed
from monitor.fetch import Fetcher
from monitor.models import CheckResult, Outcome
from monitor.schedule import Service
from monitor.store import Store
from monitor.watchlist import add_urls

CHECK_EVERY_S = 10  # at --speed 1; faster speeds check more often (at least every second)
WATCH_WINDOW_S = 14 * 86400  # the stories stay "young" for the whole demo
CONSOLE_SCHEME = "monitordemo"  # the in-process apprise channel that prints alerts here
CONSOLE_URL = f"{CONSOLE_SCHEME}://"
ALERT_LINES = 12  # lines of an alert's body printed; the rest is in the web UI


@dataclass(frozen=True)
class DemoOptions:
    port: int = 8000
    speed: float = 1.0
    open_browser: bool = True
    keep: bool = False
    notify_urls: tuple[str, ...] = ()


def demo_settings(
    db_path: Path,
    *,
    speed: float,
    web_url: str,
    port: int,
    notify_urls: Sequence[str] = (),
) -> Settings:
    """The demo's settings: defaults, plus what a fast, local, throwaway run needs.

    - ``fetch.allow_private_hosts``: the newsroom is on 127.0.0.1, which the
      guard refuses everywhere else; ``host_delay`` 0 because the only host
      is our own thread, so politeness would only slow the demo down.
    - one short check interval for any age, no jitter: every story is
      checked every ``CHECK_EVERY_S / speed`` seconds.
    - ``gone_after`` 1: the real default waits for three 404s in a row with
      back-off between them (minutes); the demo's pulled story is gone at once.
    - alerts to the console channel (and ``--notify`` channels), linking to
      this run's web UI; retried quickly.
    """
    every = max(1, round(CHECK_EVERY_S / speed))
    return Settings(
        db_path=db_path,
        fetch=FetchSettings(allow_private_hosts=True, host_delay=0.0, per_host=8),
        schedule=ScheduleSettings(
            tick=min(1.0, every / 2),
            intervals=((WATCH_WINDOW_S, every),),
            jitter=0.0,
            gone_after=1,
        ),
        notify=NotifySettings(
            urls=(CONSOLE_URL, *notify_urls), base_url=web_url, retry_base=5.0, retry_max=60.0
        ),
        web=WebSettings(host="127.0.0.1", port=port, base_url=web_url),
    )


# -- the console ----------------------------------------------------------------------------


class Console:
    """The demo's output: newsroom edits, monitor's findings and alerts, with the time since start.

    Lines come from three threads (the newsroom's, the event loop's, and
    apprise's worker), so each message is written whole under a lock.
    """

    def __init__(self, newsroom: Newsroom, out: TextIO, clock: Callable[[], float]) -> None:
        self.newsroom = newsroom
        self.out = out
        self.clock = clock
        self.started = clock()
        self.steps_left = sum(len(story.steps) for story in newsroom.stories.values())
        self.web_url = ""
        self._lock = threading.Lock()

    def say(self, text: str = "") -> None:
        with self._lock:
            self.out.write(text + "\n")
            self.out.flush()

    def event(self, who: str, text: str, more: Sequence[str] = ()) -> None:
        elapsed = int(self.clock() - self.started)
        lines = [f"[{elapsed // 60:02d}:{elapsed % 60:02d}] {who:<9} {text}"]
        lines += [f"{'':18}{line}" for line in more]
        self.say("\n".join(lines))

    def story_of(self, url: str) -> Story | None:
        return self.newsroom.stories.get(urlsplit(url).path)

    # hooks ---------------------------------------------------------------------------------

    def newsroom_step(self, story: Story, step: Step) -> None:
        """The newsroom's ``announce`` hook: an edit just went live."""
        self.event("newsroom", f"{story.outlet} {step.says}")
        with self._lock:
            self.steps_left -= 1
            finished = self.steps_left == 0
        if finished:
            self.say(
                f"\nThe newsroom has made all its edits. Browse them at {self.web_url}/edits ;"
                " Ctrl-C stops the demo.\n"
            )

    def check_result(self, result: CheckResult) -> None:
        """The service's ``on_result`` hook: every check that found something."""
        if result.outcome in (Outcome.UNCHANGED, Outcome.NOT_MODIFIED):
            return
        story = self.story_of(result.url)
        where = story.outlet if story else result.url
        detail = ""
        if result.version:
            detail = f"v{result.version}"
            if result.kind:
                detail += f" {result.kind.value}"
            if result.flags:
                detail += f" [{', '.join(result.flags)}]"
        elif result.outcome == Outcome.GONE:
            detail = f"HTTP {result.http_status}: marked gone"
        elif result.error:
            detail = result.error
        self.event("monitor", f"{result.outcome.value:<14} {detail:<28} {where}")

    def alert(self, title: str, body: str) -> None:
        """What the console apprise channel received."""
        lines = [line for line in body.splitlines() if line.strip()]
        shown = []
        for line in lines[:ALERT_LINES]:
            shown += textwrap.wrap(line, 96, subsequent_indent="  ") or [""]
        if len(lines) > ALERT_LINES:
            shown.append(f"… {len(lines) - ALERT_LINES} more lines in the web UI")
        self.event("alert", title, shown)


# The console channel: apprise calls this module-level function; it prints to
# the demo that is running (one per process).
_console: Console | None = None


def _console_send(body: str, title: str, *args: Any, **kwargs: Any) -> bool:
    if _console is None:
        return False
    _console.alert(title, body)
    return True


@functools.cache
def register_console_channel() -> None:
    """Make ``monitordemo://`` an apprise URL that prints here (once per process)."""
    from apprise import NotifyFormat
    from apprise.decorators import notify

    notify(on=CONSOLE_SCHEME, name="monitor demo console", body_format=NotifyFormat.TEXT)(
        _console_send
    )


# -- running --------------------------------------------------------------------------------


@dataclass
class _Run:
    """What one demo run holds, so everything it started can be stopped."""

    options: DemoOptions
    out: TextIO
    tmp: Path | None = None
    newsroom: Newsroom | None = None
    console: Console | None = None


def run_demo(options: DemoOptions, out: TextIO | None = None) -> None:
    """Run the demo until Ctrl-C/SIGTERM; the temporary directory goes unless ``keep``.

    Raises ConfigError (a one-line reason) when the web port is taken.
    """
    global _console
    from monitor.web.server import listen

    run = _Run(options, out or sys.stdout)
    try:
        sock = listen("127.0.0.1", options.port)
    except ConfigError as exc:
        raise ConfigError(f"{exc} (try --port 0 for any free port)") from exc
    web_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    try:
        run.tmp = Path(tempfile.mkdtemp(prefix="monitor-demo-"))
        settings = demo_settings(
            run.tmp / "monitor.db",
            speed=options.speed,
            web_url=web_url,
            port=options.port,
            notify_urls=options.notify_urls,
        )
        anchor = datetime.now(UTC).replace(second=0, microsecond=0)
        run.newsroom = Newsroom(build_stories(anchor), speed=options.speed)
        run.console = console = Console(run.newsroom, run.out, time.monotonic)
        console.web_url = web_url
        run.newsroom.announce = console.newsroom_step
        newsroom_url = run.newsroom.start()
        register_console_channel()
        _console = console
        _print_banner(console, settings, newsroom_url, web_url, options)
        asyncio.run(_serve(settings, run, sock))
    except KeyboardInterrupt:  # Ctrl-C before the service took over SIGINT: still a clean stop
        pass
    finally:
        sock.close()
        _console = None
        if run.newsroom is not None:
            run.newsroom.stop()
        _clean_up(run)


def _print_banner(
    console: Console, settings: Settings, newsroom_url: str, web_url: str, options: DemoOptions
) -> None:
    room = console.newsroom
    every = settings.schedule.intervals[0][1]
    seconds = round(room.duration / options.speed)
    extra = f" and {len(options.notify_urls)} --notify channel(s)" if options.notify_urls else ""
    console.say("monitor demo: a simulated newsroom edits its stories while monitor watches.")
    console.say(
        f"  newsroom   {newsroom_url}/  ({len(room.stories)} stories, RSS {newsroom_url}/feed.xml)"
    )
    console.say(
        f"  database   {settings.db_path}"
        + ("  (kept: --keep)" if options.keep else "  (temporary: deleted on exit)")
    )
    console.say(f"  checks     every story every {every} s; alerts printed here{extra}")
    console.say(f"  web UI     {web_url}/   (reload a page to see new edits)")
    console.say(
        f"Over the next {seconds} seconds the newsroom makes {console.steps_left} changes:"
        " noise on every request, declared and stealth edits, a headline, a correction,"
        " figures, a pulled story. Ctrl-C stops.\n"
    )


async def _serve(settings: Settings, run: _Run, sock: socket.socket) -> None:
    from monitor.web import serve

    assert run.newsroom is not None and run.console is not None
    console = run.console
    with Store(settings.db_path) as store:
        async with Fetcher(settings.fetch) as fetcher:
            console.event("monitor", await _watch_newsroom(store, settings, fetcher, run.newsroom))
            service = Service(store, settings, fetcher, on_result=console.check_result)

            def ready(url: str) -> None:
                console.event("web", f"the web UI is up: {url}/")
                if run.options.open_browser:
                    threading.Thread(target=webbrowser.open, args=(url + "/",), daemon=True).start()

            await serve(
                settings, store, service=service, sock=sock, on_ready=ready, log_level="warning"
            )
    console.event("demo", "stopped")


async def _watch_newsroom(
    store: Store, settings: Settings, fetcher: Fetcher, newsroom: Newsroom
) -> str:
    """Watch the newsroom as a user would watch an outlet: give monitor its home page.

    ``feeds.add_feed`` finds the RSS feed the home page links to, polls it
    and watches every story in it, so no story URL is added by hand; the
    scheduler polls the feed again on its interval. Should that fail, the
    story URLs are added directly so the demo still runs. Returns what
    happened, for the console.
    """
    home = newsroom.base_url + "/"
    try:
        added = await add_feed(store, settings, fetcher, home, now=utc_now(), tags=("demo",))
    except MonitorError as exc:
        urls = [newsroom.url(story) for story in newsroom.stories.values()]
        add_urls(store, urls, now=utc_now(), tags=("demo",), allow_private=True)
        return f"could not use the newsroom's feed ({exc}); watching its {len(urls)} stories"
    feeds = [item.url for item in added if item.feed is not None]
    stories = sum(len(item.poll.added) for item in added if item.poll is not None)
    return f"found the feed {', '.join(feeds)} on {home}: watching its {stories} stories"


def _clean_up(run: _Run) -> None:
    if run.tmp is None:
        return
    if run.options.keep:
        db = run.tmp / "monitor.db"
        run.out.write(f"monitor demo: kept the database: monitor --db {db} list\n")
    else:
        shutil.rmtree(run.tmp, ignore_errors=True)
        run.out.write(f"monitor demo: removed {run.tmp}\n")
    run.out.flush()
