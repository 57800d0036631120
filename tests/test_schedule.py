"""The unattended service: dispatching due checks, stopping cleanly, restarting."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.config import FetchSettings, ScheduleSettings, Settings
from monitor.fetch import Fetcher
from monitor.models import Outcome
from monitor.schedule import Service
from monitor.store import Store
from monitor.watchlist import add_urls
from tests.pageserver import PageServer
from tests.receivers import SmtpReceiver, WebhookReceiver
from tests.samples import PARAGRAPHS, page

pytestmark = pytest.mark.anyio

START = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def settings(**schedule: object) -> Settings:
    return Settings(
        fetch=FetchSettings(allow_private_hosts=True), schedule=ScheduleSettings(**schedule)
    )


async def test_dispatch_checks_only_what_is_due_in_batches(
    server: PageServer, tmp_path: Path
) -> None:
    for i in range(5):
        server.set(f"/a{i}", page(PARAGRAPHS, noise=i))
    now = [START]
    with Store(tmp_path / "m.db") as store:
        urls = [server.url(f"/a{i}") for i in range(5)]
        add_urls(store, urls, now=START, allow_private=True)
        add_urls(store, [server.url("/later")], now=START + timedelta(hours=1), allow_private=True)
        async with Fetcher(settings().fetch) as fetcher:
            service = Service(store, settings(batch=2), fetcher, clock=lambda: now[0])
            results = await service.dispatch_due()
            assert sorted(r.url for r in results) == sorted(urls)
            assert {r.outcome for r in results} == {Outcome.NEW}
            # Nothing is due a minute later: the next checks are minutes away.
            now[0] = START + timedelta(minutes=1)
            assert await service.dispatch_due() == []
            assert service.last_tick == now[0]


async def test_stopping_cancels_in_flight_checks_and_leaves_them_due(
    server: PageServer, tmp_path: Path
) -> None:
    server.set("/slow", page(PARAGRAPHS), delay_s=3)
    with Store(tmp_path / "m.db") as store:
        [added] = add_urls(store, [server.url("/slow")], now=START, allow_private=True)
        async with Fetcher(settings().fetch) as fetcher:
            service = Service(store, settings(tick=0.05), fetcher, clock=lambda: START)
            running = asyncio.create_task(service.run())
            for _ in range(100):
                if server.requests_for("/slow"):
                    break
                await asyncio.sleep(0.02)
            service.stop()
            await asyncio.wait_for(running, 2)
        assert store.checks(added.article.id) == []
        assert [a.id for a in store.due_articles(START)] == [added.article.id]


def test_prune_drops_only_old_uneventful_checks(server: PageServer, tmp_path: Path) -> None:
    server.set("/a", page(PARAGRAPHS))
    with Store(tmp_path / "m.db") as store:
        [added] = add_urls(store, [server.url("/a")], now=START, allow_private=True)

        async def check_at(moment: datetime) -> None:
            async with Fetcher(settings().fetch) as fetcher:
                service = Service(store, settings(), fetcher, clock=lambda: moment)
                await service.checker.check(store.article(added.article.id))

        asyncio.run(check_at(START))  # new
        asyncio.run(check_at(START + timedelta(minutes=5)))  # unchanged
        asyncio.run(check_at(START + timedelta(days=200)))  # unchanged, recent
        service = Service(store, settings(), None, clock=lambda: START + timedelta(days=200))  # type: ignore[arg-type]
        assert service.prune() == 1
        assert [c.outcome for c in store.checks(added.article.id)] == [
            Outcome.NEW,
            Outcome.UNCHANGED,
        ]


def wait_for(predicate, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def test_monitor_run_records_and_alerts_an_edit_and_restarts_without_loss(
    server: PageServer, tmp_path: Path
) -> None:
    """A real `monitor run` process with real email and chat channels.

    An edit made while it runs becomes a version and exactly one alert per
    channel; SIGTERM stops it; restarted, it carries on and sends nothing twice.
    """
    with SmtpReceiver() as smtp, WebhookReceiver() as webhook:
        config = tmp_path / "monitor.toml"
        config.write_text(
            "[fetch]\nallow_private_hosts = true\n"
            '[schedule]\ntick = 0.2\njitter = 0.0\nintervals = [["14d", "1s"]]\nburst = 0\n'
            f'[notify]\nurls = ["{webhook.url()}", "{smtp.url()}"]\n'
        )
        db = tmp_path / "m.db"
        env = {**os.environ, "MONITOR_CONFIG": str(config), "MONITOR_DB": str(db)}
        url = server.url("/story")
        server.set("/story", page(PARAGRAPHS, noise=1))
        cli = [sys.executable, "-m", "monitor.cli"]
        subprocess.run([*cli, "add", url], env=env, check=True, capture_output=True)

        def versions() -> int:
            out = subprocess.run([*cli, "history", "--json", url], env=env, capture_output=True)
            return len(json.loads(out.stdout)["versions"])

        def start() -> subprocess.Popen[bytes]:
            return subprocess.Popen(
                [*cli, "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )

        process = start()
        try:
            added = "A new sentence was added by the desk."
            edited = [*PARAGRAPHS[:2], added, *PARAGRAPHS[2:]]
            server.set("/story", page(edited, noise=2))
            wait_for(lambda: versions() == 2)
            [mail] = smtp.wait_for(1)
            wait_for(lambda: len(webhook.posts) == 1)
        finally:
            process.send_signal(signal.SIGTERM)
            stdout, stderr = process.communicate(timeout=10)
        assert process.returncode == 0, stderr
        assert b"changed" in stdout and b"stealth" in stdout
        assert "Stealth edit" in mail.subject and added in (mail.html or "")
        assert added in webhook.posts[0].json["message"]

        # Restarted, it carries on from the database: the next edit is found too,
        # and the first alert is not sent again.
        process = start()
        try:
            server.set("/story", page(edited[:-1], noise=3))
            wait_for(lambda: versions() == 3)
            smtp.wait_for(2)
            wait_for(lambda: len(webhook.posts) == 2)
            time.sleep(1)  # several more ticks: nothing else may arrive
        finally:
            process.send_signal(signal.SIGINT)
            process.communicate(timeout=10)
        assert process.returncode == 0
        assert len(smtp.messages) == 2 and len(webhook.posts) == 2
