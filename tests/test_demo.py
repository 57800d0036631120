"""``monitor demo``: the newsroom's timeline, its scripts through the real checker, the command.

The timeline is tested with a hand-driven clock and no sockets; the scripts
are run through the real fetcher, extractor, checker and store against the
newsroom's real HTTP server, step by step, so every ``expect`` a script
states is checked; the command itself runs as a real process that is
watched through its own JSON API and stopped with SIGINT.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from monitor.checker import Checker
from monitor.config import Settings
from monitor.demo.newsroom import Newsroom
from monitor.demo.runner import demo_settings
from monitor.demo.stories import build_stories
from monitor.extract import extract_article
from monitor.fetch import Fetcher
from monitor.models import Outcome, OutletRules, State
from monitor.store import Store
from monitor.watchlist import add_urls

ANCHOR = datetime(2026, 3, 26, 17, 0, tzinfo=UTC)


class Clock:
    """Monotonic seconds that move only when the test says so."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def newsroom(clock: Clock, speed: float = 1.0) -> Newsroom:
    return Newsroom(build_stories(ANCHOR), speed=speed, clock=clock, now=lambda: ANCHOR)


def test_the_page_served_follows_the_clock_and_never_skips_a_step() -> None:
    clock = Clock()
    room = newsroom(clock)
    flood = next(s for s in room.stories.values() if s.slug == "marlow-flood")
    assert [step.at for step in flood.steps] == [20, 50, 80, 110]
    assert [flood.step_due(t) for t in (0, 19.9, 20, 49, 50, 200)] == [0, 0, 1, 1, 2, 4]

    def title_served() -> str:
        page = room.respond(flood.path)
        assert page.status == 200
        return extract_article(page.body.decode(), None, OutletRules(), now=ANCHOR).title

    assert title_served() == flood.versions[0].title
    clock.now += 85  # steps 1, 2 and 3 are all due, none was served yet: one at a time
    assert room.current(flood) == 1
    title_served()
    assert room.current(flood) == 2
    title_served()
    assert title_served().startswith("Marlow Valley braces")  # step 3: the new headline
    assert room.current(flood) == 3  # step 4 (the correction) is not due yet


def test_speed_runs_the_story_clock_faster() -> None:
    clock = Clock()
    room = newsroom(clock, speed=10)
    ferry = next(s for s in room.stories.values() if s.slug == "ferry")
    room.respond(ferry.path)
    clock.now += 1.4  # 14 story seconds: the death toll changes at 15
    assert room.current(ferry) == 0
    clock.now += 0.2
    assert room.current(ferry) == 1
    assert room.duration == 110


def test_noise_changes_every_request_and_the_article_does_not() -> None:
    room = newsroom(Clock())
    for story in room.stories.values():
        first, second = (room.respond(story.path).body.decode() for _ in range(2))
        assert first != second, story.slug
        one, two = (extract_article(p, None, OutletRules(), now=ANCHOR) for p in (first, second))
        assert (one.title, one.byline, one.paragraphs) == (two.title, two.byline, two.paragraphs)
        assert one.paragraphs == story.versions[0].paras


def test_a_pulled_story_answers_404_and_leaves_the_feed_and_home_page() -> None:
    clock = Clock()
    room = newsroom(clock)
    bank = next(s for s in room.stories.values() if s.slug == "bank-fine")
    assert bank.path in room.respond("/").body.decode()
    assert room.respond("/feed.xml").body.decode().count("<item>") == 5
    clock.now += 200
    statuses = [room.respond(bank.path).status for _ in range(4)]
    assert statuses == [200, 200, 404, 404]  # the first version and the stealth edit first
    assert bank.path not in room.respond("/").body.decode()
    assert room.respond("/feed.xml").body.decode().count("<item>") == 4
    assert room.respond("/nowhere").status == 404
    assert room.respond("/robots.txt").status == 200


def test_every_scripted_step_is_recorded_as_its_script_says(tmp_path: Path) -> None:
    """Each story, step by step, through the real fetcher, extractor, checker and store.

    The clock jumps from step to step and every story is checked after each
    jump, so a check sees at most one new step per story; whatever the
    checker records must be what the step's ``expect`` says.
    """
    clock = Clock()
    anchor = datetime.now(UTC).replace(second=0, microsecond=0)
    room = Newsroom(build_stories(anchor), clock=clock)
    base = room.start()
    settings = demo_settings(tmp_path / "m.db", speed=1, web_url="http://127.0.0.1:9", port=0)
    try:
        seen = asyncio.run(_check_every_step(room, settings, clock))
    finally:
        room.stop()
    assert base.startswith("http://127.0.0.1:")
    wanted = [(story.slug, step.expect) for story in room.stories.values() for step in story.steps]
    assert sorted(seen) == sorted(wanted)  # each step recorded once, as its script says
    kinds = " ".join(expect for _, expect in seen)
    for word in ("declared", "stealth", "headline", "byline", "correction", "numbers", "quote"):
        assert word in kinds
    assert {"timestamp_only", "gone", "stealth reverted"} <= {e for _, e in seen}


async def _check_every_step(
    room: Newsroom, settings: Settings, clock: Clock
) -> list[tuple[str, str]]:
    times = sorted({step.at for story in room.stories.values() for step in story.steps})
    seen: list[tuple[str, str]] = []
    with Store(settings.db_path) as store:
        urls = {room.url(story): story for story in room.stories.values()}
        add_urls(store, list(urls), now=datetime.now(UTC), allow_private=True)
        async with Fetcher(settings.fetch) as fetcher:
            checker = Checker(store, settings, fetcher)
            for at in [0.0, *times]:
                clock.now = room.started + at
                active = store.articles(states=[State.ACTIVE])
                for result in await checker.check_many(active):
                    story = urls[result.url]
                    if result.outcome in (Outcome.NEW, Outcome.UNCHANGED):
                        continue
                    words = [result.kind.value] if result.kind else [result.outcome.value]
                    seen.append((story.slug, " ".join([*words, *result.flags])))
    return seen


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> dict[str, Any]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as err:
        # It holds the answer's connection open until closed: caught and dropped by the
        # caller's polling, it would be closed only by the garbage collector, whenever
        # that runs, and its ResourceWarning would fail whatever test is running then.
        err.close()
        raise


def test_monitor_demo_shows_every_kind_of_edit_and_cleans_up(tmp_path: Path) -> None:
    """The real command, ten times faster: each kind of edit reaches the API, then Ctrl-C."""
    port = _free_port()
    env = {**os.environ, "TMPDIR": str(tmp_path)}  # the demo's temporary directory goes here
    command = [sys.executable, "-m", "monitor.cli", "demo", "--no-browser", "--port", str(port)]
    api = f"http://127.0.0.1:{port}/api"
    wanted = {"declared", "stealth", "headline", "correction", "numbers", "gone"}
    found: set[str] = set()
    lines: list[str] = []
    errors = tmp_path / "stderr.txt"
    with (
        errors.open("w") as stderr,
        subprocess.Popen(
            [*command, "--speed", "10"], env=env, stdout=subprocess.PIPE, stderr=stderr, text=True
        ) as process,
    ):
        reader = threading.Thread(target=lambda: lines.extend(process.stdout or ()), daemon=True)
        reader.start()
        try:
            deadline = time.monotonic() + 50
            while time.monotonic() < deadline and found != wanted:
                time.sleep(0.5)
                try:
                    edits = _get(f"{api}/edits?limit=200")["edits"]
                    gone = _get(f"{api}/articles?state=gone")["articles"]
                except OSError:
                    continue  # not listening yet
                found = {e["version"]["kind"] for e in edits} & wanted
                found |= {flag for e in edits for flag in e["version"]["flags"]} & wanted
                if gone:
                    found.add("gone")
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                raise
            reader.join(5)
    output = "".join(lines)
    assert found == wanted, f"missing {wanted - found}:\n{output}"
    assert process.returncode == 0, errors.read_text()
    database = re.search(r"database\s+(\S+)", output)
    assert database, output
    tmp = Path(database.group(1)).parent
    assert tmp.parent == tmp_path and tmp.name.startswith("monitor-demo-")
    assert not tmp.exists()  # removed on exit
    assert f"removed {tmp}" in output
    assert "found the feed" in output  # the stories came from the newsroom's feed, not by hand
    for alert in ("Stealth edit:", "Declared update:", "Headline changed", "Article removed:"):
        assert alert in output  # printed by the console apprise channel
    assert "Traceback" not in errors.read_text()
