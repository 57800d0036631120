"""Crash safety: ``monitor run`` killed with SIGKILL mid-work loses, duplicates and resends nothing.

The main test runs the real service as a process over a couple of hundred
local articles whose pages change all the time, kills it with SIGKILL at
random moments again and again, restarts it each time, and then proves from
the database and from the webhook receivers:

- ``PRAGMA integrity_check`` is ok;
- every article's versions are numbered 1..n without a gap, each version's
  body is a text the server really served, and no text repeats in two
  consecutive versions (nothing lost, duplicated or half-written);
- every version after the first has exactly one notification row per channel
  and the first version none (a version and its alerts are one transaction);
- no alert arrived twice, not even after the alerts that a kill interrupted
  mid-send have been dealt with (the leases of those are run out with a clock
  moved past them).

The figures (kills, versions, alerts, interrupted sends) are printed, so
``pytest -s`` shows them.

Also here: ``monitor check`` from the command line while ``monitor serve``
checks the same database (no "database is locked"), and schema migrations
(an old database upgrades; a newer one is refused untouched).
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlite_utils

from monitor.checker import Checker
from monitor.config import Settings, load_settings
from monitor.errors import StoreError
from monitor.fetch import Fetcher
from monitor.models import Outcome
from monitor.notify import LEASE, channel_id, deliver_pending
from monitor.store import INTERRUPTED_SEND, Store, migrations
from monitor.watchlist import add_urls
from tests.pageserver import PageServer
from tests.receivers import WebhookReceiver
from tests.samples import PARAGRAPHS, page

ARTICLES = 200
KILLS = 12
MAX_KILLS = 40
CLI = [sys.executable, "-m", "monitor.cli"]


def paragraphs(article: int, revision: int) -> list[str]:
    return [f"Story {article} revision {revision}: {p}" for p in PARAGRAPHS]


def body_of(article: int, revision: int) -> str:
    return "\n\n".join(paragraphs(article, revision))


class Newsroom:
    """Serves the articles and edits random ones every few hundred milliseconds."""

    def __init__(self, server: PageServer, count: int, per_step: int = 1) -> None:
        self.server = server
        self.count = count
        self.per_step = per_step  # articles edited every 0.25 s
        self.revision = [0] * count
        self.served: list[set[str]] = [set() for _ in range(count)]
        self.rng = random.Random(7)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        for article in range(count):
            self._publish(article)

    def path(self, article: int) -> str:
        return f"/news/{article}.html"

    def _publish(self, article: int) -> None:
        revision = self.revision[article]
        self.served[article].add(body_of(article, revision))
        html = page(paragraphs(article, revision), noise=self.rng.randint(0, 10**6))
        self.server.set(self.path(article), html)

    def _run(self) -> None:
        while not self._stop.wait(0.25):
            for article in self.rng.sample(range(self.count), self.per_step):
                self.revision[article] += 1
                self._publish(article)

    def __enter__(self) -> Newsroom:
        return self

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(5)

    def __exit__(self, *exc: object) -> None:
        self.stop()


def first_snapshots(db: Path, settings: Settings, urls: list[str]) -> None:
    """Watch ``urls`` and take their first versions in this process (quicker than the CLI)."""

    async def run() -> None:
        with Store(db) as store:
            added = add_urls(store, urls, now=datetime.now(UTC), allow_private=True)
            async with Fetcher(settings.fetch) as fetcher:
                checker = Checker(store, settings, fetcher)
                results = await checker.check_many([store.article(a.article.id) for a in added])
        assert {r.outcome for r in results} == {Outcome.NEW}

    asyncio.run(run())


def start(env: dict[str, str], log: Path, *args: str) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen([*CLI, *args], env=env, stdout=out, stderr=subprocess.STDOUT)


def ready(log: Path) -> int:
    """How many ``monitor run`` processes writing to ``log`` have started their service."""
    return log.read_bytes().count(b"monitor: watching")


def running_since(log: Path, offset: int) -> bool:
    """Whether the ``monitor run`` started when ``log`` held ``offset`` bytes is running.

    It says so once its scheduler runs and its SIGINT/SIGTERM handler is in
    place; a SIGTERM before that (while Python still imports) kills it as any
    process, with no clean stop to check.
    """
    return b"monitor.schedule running" in log.read_bytes()[offset:]


def wait_until(predicate: object, timeout: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(step)
    return False


def alert_key(post_json: dict[str, object]) -> tuple[str, int]:
    """(article URL, version number) from a text alert's message."""
    message = str(post_json["message"])
    url = re.search(r"^Article: (\S+)$", message, re.MULTILINE)
    seen = re.search(r"version (\d+), fetched", message)
    assert url and seen, message[:500]
    return url[1], int(seen[1])


def sends_cut_short(db: Path) -> bool:
    """Whether a kill left an alert "sending": it was killed between claiming and marking it."""
    with sqlite3.connect(db, timeout=30) as conn:
        query = "SELECT COUNT(*) FROM notifications WHERE status = 'sending'"
        return bool(conn.execute(query).fetchone()[0])


def test_sigkill_during_heavy_checking_loses_and_duplicates_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.monotonic()
    db = tmp_path / "monitor.db"
    log = tmp_path / "run.log"
    with PageServer() as server, WebhookReceiver() as hooks, Newsroom(server, ARTICLES) as news:
        channels = {"/a": hooks.url("/a"), "/b": hooks.url("/b")}
        config = tmp_path / "monitor.toml"
        config.write_text(
            "[fetch]\nallow_private_hosts = true\nobey_robots = false\n"
            '[schedule]\ntick = 0.1\njitter = 0.0\nintervals = [["14d", "1s"]]\nburst = 0\n'
            f"[notify]\nurls = {json.dumps(list(channels.values()))}\nretry_base = 0.5\n"
        )
        env = {**os.environ, "MONITOR_CONFIG": str(config), "MONITOR_DB": str(db)}
        settings = load_settings(config_path=config, db_path=db, environ={})
        first_snapshots(db, settings, [server.url(news.path(i)) for i in range(ARTICLES)])
        snapshots_s = time.monotonic() - started
        news.start()

        rng = random.Random(20261127)
        kills = 0
        last_start = log.stat().st_size if log.exists() else 0
        process = start(env, log, "run")
        try:
            # KILLS kills, and more (up to MAX_KILLS) until one has cut a send short: where
            # the kills land depends on the machine's speed, and that case must be tried.
            cut_short = False
            while kills < KILLS or (kills < MAX_KILLS and not cut_short):
                # Each kill lands while the service works, not while Python imports it.
                started_before = kills

                def up(count: int = started_before) -> bool:
                    return ready(log) > count

                assert wait_until(up, timeout=20), log.read_text()[-2000:]
                time.sleep(rng.uniform(0.5, 2.5))
                process.send_signal(signal.SIGKILL)
                process.wait(10)
                kills += 1
                cut_short = cut_short or sends_cut_short(db)  # nobody is running: none in flight
                last_start = log.stat().st_size
                process = start(env, log, "run")
            news.stop()  # the newsroom stops editing: the service must catch up with it
            killing_s = time.monotonic() - started - snapshots_s

            def settled() -> bool:
                with sqlite3.connect(db, timeout=30) as conn:
                    pending = conn.execute(
                        "SELECT COUNT(*) FROM notifications WHERE status = 'pending'"
                    ).fetchone()[0]
                return pending == 0 and latest_bodies_match()

            def latest_bodies_match() -> bool:
                with Store(db) as store:  # bodies are encoded: read them as the service does
                    latest = {
                        article.url: version.body
                        for article in store.articles()
                        if (version := store.latest_version(article.id)) is not None
                    }
                return len(latest) == ARTICLES and all(
                    latest.get(server.url(news.path(i))) == body_of(i, news.revision[i])
                    for i in range(ARTICLES)
                )

            assert wait_until(settled, timeout=30), "the service did not catch up after the kills"

            # Stopped cleanly below: only once it runs (it may have caught up before that).
            def last_running() -> bool:
                return running_since(log, last_start)

            assert wait_until(last_running, timeout=20), log.read_text()[-2000:]
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)
        assert process.returncode == 0, log.read_text()[-3000:]

        # -- the database ------------------------------------------------------------------------
        conn = sqlite3.connect(db)
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        url_of = dict(conn.execute("SELECT id, url FROM articles"))
        index_of = {server.url(news.path(i)): i for i in range(ARTICLES)}
        with Store(db) as store:
            versions = [
                (v.id, v.article_id, v.n, v.body, v.content_hash, v.kind.value)
                for article_id in sorted(url_of)
                for v in store.versions(article_id)
            ]
        by_article: dict[int, list[tuple[int, int, str, str, str]]] = {}
        for vid, article_id, n, body, content_hash, kind in versions:
            by_article.setdefault(article_id, []).append((vid, n, body, content_hash, kind))
        assert len(by_article) == ARTICLES
        for article_id, rows in by_article.items():
            index = index_of[url_of[article_id]]
            assert [n for _, n, _, _, _ in rows] == list(range(1, len(rows) + 1)), article_id
            assert rows[0][4] == "initial"
            for _, _, body, _, _ in rows:
                assert body in news.served[index], (article_id, body[:80])
            hashes = [h for _, _, _, h, _ in rows]
            assert all(a != b for a, b in itertools.pairwise(hashes)), article_id

        # -- the outbox: exactly one row per channel for every edit, none for first versions ----
        rows = conn.execute(
            "SELECT version_id, channel, event, status, claimed_until FROM notifications"
        ).fetchall()
        per_version = Counter(version_id for version_id, *_ in rows)
        channel_count = len(channels)
        for article_rows in by_article.values():
            for vid, n, *_ in article_rows:
                assert per_version.get(vid, 0) == (0 if n == 1 else channel_count), (vid, n)
        assert {event for _, _, event, _, _ in rows} <= {"edit"}
        statuses = Counter(status for _, _, _, status, _ in rows)
        interrupted = statuses.get("sending", 0)
        path_of = {channel_id(url): path for path, url in channels.items()}
        interrupted_keys = {
            (path_of[channel], url_of[article_id], n)
            for channel, article_id, n in conn.execute(
                "SELECT o.channel, v.article_id, v.n FROM notifications o"
                " JOIN versions v ON v.id = o.version_id WHERE o.status = 'sending'"
            )
        }
        conn.close()

        # -- alerts received: never twice -------------------------------------------------------
        def received() -> Counter[tuple[str, str, int]]:
            return Counter((post.path, *alert_key(post.json)) for post in hooks.posts)

        first = received()
        assert all(count == 1 for count in first.values()), [k for k, c in first.items() if c > 1]

        # Sends a kill interrupted are still "sending" under their lease. Run the lease
        # out (a clock moved past it) and deliver once more, as the service would later.
        with Store(db) as store:
            report = asyncio.run(deliver_pending(store, settings, datetime.now(UTC) + 2 * LEASE))
            final_statuses = store.notification_counts()
            failed = store.notifications(statuses=("failed",))
        assert all(row.last_error == INTERRUPTED_SEND for row in failed)
        arrived = sum(1 for key in interrupted_keys if first.get(key))
        after = received()
        duplicates = {key: count for key, count in after.items() if count > 1}
        edits = sum(len(rows) - 1 for rows in by_article.values())
        figures = {
            "kills": kills,
            "articles": ARTICLES,
            "versions": len(versions),
            "edits": edits,
            "notification rows": sum(statuses.values()),
            "alerts received": sum(after.values()),
            "sends interrupted by a kill": interrupted,
            "of which had arrived": arrived,
            "of which had not (reported failed)": interrupted - arrived,
            "resent after the lease": report.sent,
            "duplicates": len(duplicates),
            "final statuses": final_statuses,
            "seconds": round(time.monotonic() - started, 1),
            "of which first snapshots / killing": (round(snapshots_s, 1), round(killing_s, 1)),
        }
        with capsys.disabled():
            print(f"\ncrash test: {figures}")
        # The kills really landed mid-work: the service was storing edits throughout (how many
        # depends on the machine's load, so the bar is low) and at least one send was cut.
        assert edits >= ARTICLES // 4 and interrupted >= 1, figures
        assert duplicates == {}, figures
        assert final_statuses.get("pending", 0) == 0 and final_statuses.get("sending", 0) == 0
        for (path, url, n), count in after.items():
            assert count == 1 and url in index_of and n >= 2, (path, url, n)


# -- the command line beside the running service ---------------------------------------------------


@pytest.fixture
def busy_newsroom() -> Iterator[tuple[PageServer, Newsroom]]:
    with PageServer() as server, Newsroom(server, 60) as news:
        news.start()
        yield server, news


def test_monitor_check_while_serve_runs_never_finds_the_database_locked(
    tmp_path: Path, busy_newsroom: tuple[PageServer, Newsroom]
) -> None:
    server, news = busy_newsroom
    db = tmp_path / "monitor.db"
    log = tmp_path / "serve.log"
    config = tmp_path / "monitor.toml"
    config.write_text(
        "[fetch]\nallow_private_hosts = true\nobey_robots = false\n"
        '[schedule]\ntick = 0.1\njitter = 0.0\nintervals = [["14d", "1s"]]\nburst = 0\n'
        "[web]\nport = 0\n"
    )
    env = {**os.environ, "MONITOR_CONFIG": str(config), "MONITOR_DB": str(db)}
    with Store(db) as store:
        add_urls(
            store,
            [server.url(news.path(i)) for i in range(60)],
            now=datetime.now(UTC),
            allow_private=True,
        )
    process = start(env, log, "serve", "--port", "0")
    try:
        assert wait_until(lambda: b"web UI at" in log.read_bytes(), 20), log.read_text()
        commands = [
            ["check", "--all", "--json"],
            ["check", "--json", *[server.url(news.path(i)) for i in range(5)]],
            ["add", "--no-fetch", server.url("/extra.html")],
            ["list", "--json"],
            ["check", "--all", "--json"],
            ["history", "--json", server.url(news.path(0))],
        ]
        running = [
            subprocess.Popen([*CLI, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for args in commands
        ]
        for args, child in zip(commands, running, strict=True):
            out, err = child.communicate(timeout=120)
            text = (out + err).decode()
            assert "locked" not in text.lower() and "Traceback" not in text, (args, text[-2000:])
            assert child.returncode in (0, 1), (args, text[-2000:])
            if args[0] == "check":
                results = json.loads(out)["results"]
                assert results and all(r["outcome"] != "error" for r in results), results
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(20)
    assert process.returncode == 0
    assert "locked" not in log.read_text().lower()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        numbers = conn.execute(
            "SELECT article_id, GROUP_CONCAT(n) FROM (SELECT * FROM versions ORDER BY n)"
            " GROUP BY article_id"
        ).fetchall()
    for article_id, ns in numbers:
        listed = [int(n) for n in ns.split(",")]
        assert listed == list(range(1, len(listed) + 1)), article_id


# -- schema migrations -------------------------------------------------------------------------


# Bodies of an old release's rows: a long chain (deltas across keyframes), unicode, empty text
# and a revert, so the upgrade to compact versions (m005) is checked on every kind of text.
OLD_BODIES = [
    "Kept across the upgrade.",
    *(f"Kept across the upgrade. Sentence {k} added. 서울시는 {k}일 발표했다." for k in range(20)),
    "",
    "Kept across the upgrade.",
]


OLD_STATS = {  # every field written, as releases before m005 did
    "sentences_added": 0,
    "sentences_removed": 0,
    "sentences_changed": 0,
    "chars_added": 0,
    "chars_removed": 0,
}


def old_release_database(path: Path, stop_before: str) -> None:
    """A database as an older release left it: its migrations only, two articles with history."""
    old = sqlite_utils.Database(path)
    migrations().apply(old, stop_before=stop_before)
    for article in (1, 2):
        old["articles"].insert(
            {
                "url": f"https://news.example.com/{article}",
                "outlet": "news.example.com",
                "added_at": "2026-11-01T00:00:00+00:00",
                "state": "active",
                "next_check_at": "2026-11-01T00:00:00+00:00",
            }
        )
        for n, body in enumerate(OLD_BODIES, 1):
            old["versions"].insert(
                {
                    "article_id": article,
                    "n": n,
                    "fetched_at": f"2026-11-01T00:{n:02d}:00+00:00",
                    "title": "Old",
                    "byline": "",
                    "body": body,
                    "body_hash": "x",
                    "content_hash": f"y{n}",
                    "kind": "initial" if n == 1 else "stealth",
                    "stats": json.dumps(OLD_STATS | {"sentences_added": n, "chars_added": 2 * n}),
                }
            )
    old.close()


def test_a_database_from_the_first_schema_opens_and_upgrades(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old_release_database(path, stop_before="m002_notification_outbox")
    applied = [r["name"] for r in sqlite_utils.Database(path)["_sqlite_migrations"].rows]
    assert applied == ["m001_initial"]

    with Store(path) as store:
        assert store.article(1).url == "https://news.example.com/1"
        for article in (1, 2):
            versions = store.versions(article)
            assert [v.body for v in versions] == OLD_BODIES
            assert [v.stats.chars_added for v in versions] == [2 * n for n in range(1, 24)]
            assert [store.version(article, n).body for n in (23, 17, 2)] == [
                OLD_BODIES[22],
                OLD_BODIES[16],
                OLD_BODIES[1],
            ]
        names = [r["name"] for r in store.db["_sqlite_migrations"].rows]
        assert names == [m.name for m in migrations()._migrations]  # type: ignore[attr-defined]
        assert "claimed_until" in store.db["notifications"].columns_dict
        assert "body" not in store.db["versions"].columns_dict
        keyframes = store.db.execute("SELECT COUNT(*) FROM versions WHERE n = keyframe_n")
        assert 2 <= keyframes.fetchone()[0] < 2 * len(OLD_BODIES)  # most rows became deltas
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_migration_killed_part_way_leaves_the_old_rows_and_runs_again(tmp_path: Path) -> None:
    """SIGKILL in the middle of encoding the previous release's versions (m005)."""
    path = tmp_path / "old.db"
    old_release_database(path, stop_before="m005_compact_versions")
    script = (
        "import os, signal, sys\n"
        "import monitor.store\n"
        "encode, calls = monitor.store.encode, []\n"
        "def encode_then_die(*args):\n"  # the kill lands after some rows were rewritten
        "    calls.append(1)\n"
        "    if len(calls) == 30:\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "    return encode(*args)\n"
        "monitor.store.encode = encode_then_die\n"
        "monitor.store.Store(sys.argv[1])\n"
    )
    killed = subprocess.run([sys.executable, "-c", script, str(path)], timeout=60)
    assert killed.returncode == -signal.SIGKILL
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        columns = {row[1] for row in conn.execute("PRAGMA table_info(versions)")}
        assert "body" in columns and "body_z" not in columns
        bodies = [row[0] for row in conn.execute("SELECT body FROM versions ORDER BY id")]
        assert bodies == OLD_BODIES * 2
        names = [row[0] for row in conn.execute("SELECT name FROM _sqlite_migrations")]
        assert "m005_compact_versions" not in names
    with Store(path) as store:
        assert [v.body for v in store.versions(2)] == OLD_BODIES


def test_a_database_from_a_newer_release_is_refused_with_a_clear_message_and_left_alone(
    tmp_path: Path,
) -> None:
    path = tmp_path / "new.db"
    with Store(path) as store:
        store.add_article("https://news.example.com/a", "news.example.com", now=datetime.now(UTC))
        store.db["_sqlite_migrations"].insert(
            {"migration_set": "monitor", "name": "m999_future", "applied_at": "2099-01-01"}
        )
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(StoreError, match=r"newer release of monitor.*m999_future.*upgrade"):
        Store(path)
    result = subprocess.run(
        [*CLI, "list"], env={**os.environ, "MONITOR_DB": str(path)}, capture_output=True, timeout=60
    )
    assert result.returncode == 2
    message = result.stderr.decode().strip()
    assert "newer release" in message and len(message.splitlines()) == 1
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_a_transaction_cut_short_leaves_nothing_behind(tmp_path: Path) -> None:
    """A writer killed inside ``record_check``'s transaction: the next reader sees none of it."""
    path = tmp_path / "m.db"
    with Store(path) as store:
        add_urls(store, ["https://news.example.com/a"], now=datetime.now(UTC))
    script = (
        "import os, sys\n"
        "from monitor.store import Store\n"
        f"s = Store({str(path)!r})\n"
        "s.db.conn.execute('BEGIN IMMEDIATE')\n"
        's.db.execute("INSERT INTO versions (article_id, n, fetched_at, title, byline, body_z,'
        " keyframe_n, body_hash, content_hash, kind)"
        " VALUES (1, 1, 'x', 't', '', x'', 1, 'h', 'c', 'initial')\")\n"
        "s.db.execute(\"UPDATE articles SET title = 'half-written' WHERE id = 1\")\n"
        "os.kill(os.getpid(), 9)\n"
    )
    killed = subprocess.run([sys.executable, "-c", script], timeout=60)
    assert killed.returncode == -signal.SIGKILL
    with Store(path) as store:
        assert store.versions(1) == [] and store.article(1).title is None
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
