"""Alerts end to end: real versions in a real SQLite file, sent by apprise to real local receivers.

Versions are written through ``Store.record_check`` exactly as the checker
writes them, the outbox rows that ``plan_notifications`` returns are written
beside them, and ``deliver_pending`` sends them to a local SMTP server
(aiosmtpd) and a local webhook endpoint (tests/receivers.py). Clocks are
passed in: nothing waits on real time except for a receiver's thread.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import socket
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from monitor.alerts import HTML, MARKDOWN, TEXT, Limits, edit_alert, render_alert
from monitor.config import ChannelSettings, NotifySettings, Settings, load_settings
from monitor.diff import classify_edit, diff_versions
from monitor.errors import ConfigError
from monitor.models import Article, Check, DiffStats, Kind, Outcome, State, Version
from monitor.notify import (
    alert_base_url,
    channel_id,
    configured_channels,
    deliver_pending,
    discard_orphans,
    next_digest_at,
    notification_status,
    plan_gone_notifications,
    plan_notifications,
    retry_delay,
    send_digest,
    send_test,
)
from monitor.store import ArticleUpdate, NewVersion, Store
from monitor.text import text_hash
from tests.receivers import SmtpReceiver, WebhookReceiver

pytestmark = pytest.mark.anyio

T0 = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
BASE = "http://monitor.test"  # only ever written into messages, never contacted
TITLE = "NK, US agree to restart nuclear talks"
PARAGRAPHS = [
    "North Korea and the United States agreed on Tuesday to resume working-level talks.",
    "The talks will take place in Stockholm next week, according to the foreign ministry.",
    "Around 400 delegates are expected to attend the opening session.",
]
HOSTILE = "<script>alert(1)</script> [click](javascript:alert(1)) ![x](http://evil) *bold* _u_"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    """A real SMTP server on 127.0.0.1 (tests/receivers.py)."""
    with SmtpReceiver() as running:
        yield running


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    """A real webhook endpoint on 127.0.0.1 (tests/receivers.py)."""
    with WebhookReceiver() as running:
        yield running


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store(tmp_path / "monitor.db") as opened:
        yield opened


def settings_for(*urls: str, **notify: object) -> Settings:
    return Settings(notify=NotifySettings(urls=urls, base_url=BASE, **notify))  # type: ignore[arg-type]


def watch(store: Store, url: str = "https://www.koreatimes.co.kr/a/1", tags: tuple = ()) -> Article:
    article, _ = store.add_article(url, "koreatimes.co.kr", now=T0, tags=tags)
    return article


def record(
    store: Store,
    settings: Settings,
    article: Article,
    paragraphs: list[str],
    *,
    at: datetime,
    title: str = TITLE,
    updated: datetime | None = None,
) -> Version:
    """Store a version the way the checker does, and its outbox rows beside it."""
    previous = store.latest_version(article.id)
    body = "\n\n".join(paragraphs)
    flags: tuple[str, ...]
    if previous is None:
        kind, flags, stats = Kind.INITIAL, (), DiffStats()
    else:
        diff = diff_versions(
            previous.title, previous.byline, previous.paragraphs, title, "Kim", paragraphs
        )
        edit = classify_edit(diff, previous.updated_at, updated)
        kind, flags, stats = edit.kind, edit.flags, diff.stats
    new = NewVersion(
        fetched_at=at,
        title=title,
        byline="Kim",
        body=body,
        body_hash=text_hash(body),
        content_hash=text_hash(title, "Kim", body),
        posted_at=datetime(2019, 3, 26, 8, 8, tzinfo=UTC),
        posted_raw="2019-03-26 17:08",
        updated_at=updated,
        updated_raw=updated.isoformat() if updated else None,
        kind=kind,
        flags=tuple(flags),
        stats=stats,
    )
    current = store.article(article.id)
    planned = plan_notifications(settings, current, new, previous)
    outcome = Outcome.NEW if previous is None else Outcome.CHANGED
    stored = store.record_check(
        article.id,
        Check(article_id=article.id, at=at, outcome=outcome, http_status=200),
        update=ArticleUpdate(title=title, updated_at=updated),
        new_version=new,
    )
    assert stored is not None
    store.enqueue_notifications(article.id, planned, version_n=stored.n)
    return stored


def edited(extra: str) -> list[str]:
    return [*PARAGRAPHS[:2], PARAGRAPHS[2].replace("400", "450"), extra]


# ---------------------------------------------------------------------------
# Delivery to real receivers
# ---------------------------------------------------------------------------


async def test_edit_alert_arrives_by_email_with_inline_styles_and_escaped_text(
    store: Store, smtp: SmtpReceiver
) -> None:
    settings = settings_for(smtp.url(), timezone="Asia/Seoul")
    article = watch(store)
    record(store, settings, article, PARAGRAPHS, at=T0)
    assert (await deliver_pending(store, settings, T0)).sent == 0
    assert smtp.messages == []  # version 1 is a snapshot, not an edit

    record(store, settings, article, edited(HOSTILE), at=T0 + timedelta(hours=1))
    report = await deliver_pending(store, settings, T0 + timedelta(hours=1))
    assert report.sent == 1
    (mail,) = smtp.wait_for(1)
    assert mail.rcpt_tos == ("editor@news.example",)
    assert mail.subject == f'Stealth edit: "{TITLE}" (koreatimes.co.kr)'
    page = mail.html
    assert page is not None and mail.text is not None
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page
    assert "<style" not in page and "<del" not in page and "<ins" not in page
    assert 'style="background:#dfd' in page  # the added sentence and the new figure
    assert re.search(r'<span style="background:#fdd[^"]*">400</span>', page)
    assert re.search(r'<span style="background:#dfd[^"]*">450</span>', page)
    assert "2019-03-26T17:08:00+09:00" in page  # Posted, shown in notify.timezone
    assert f'href="{BASE}/articles/{article.id}/diff?from=1&amp;to=2"' in page
    assert "<script>alert(1)</script>" in mail.text  # the plain part is text, shown as text
    assert store.notification_counts() == {"sent": 1}


async def test_edit_alert_reaches_a_json_webhook_as_text_and_as_escaped_markdown(
    store: Store, webhook: WebhookReceiver
) -> None:
    plain = webhook.url("/text")
    markdown = webhook.url("/md") + "?format=markdown"
    settings = settings_for(plain, markdown)
    article = watch(store)
    record(store, settings, article, PARAGRAPHS, at=T0)
    record(store, settings, article, edited(HOSTILE), at=T0 + timedelta(minutes=5))
    report = await deliver_pending(store, settings, T0 + timedelta(minutes=5))
    assert report.sent == 2

    (text,) = [p.json for p in webhook.posts_to("/text")]
    assert text["title"] == f'Stealth edit: "{TITLE}" (koreatimes.co.kr)'
    assert f"+ {HOSTILE}" in text["message"]
    assert "~ Around [-400-]{+450+} delegates" in text["message"]
    assert f"Full diff: {BASE}/articles/{article.id}/diff?from=1&to=2" in text["message"]

    (md,) = [p.json for p in webhook.posts_to("/md")]
    message = md["message"]
    assert r"\[click\]\(javascript:alert\(1\)\)" in message
    assert r"\!\[x\]\(http://evil\)" in message
    assert r"\<script\>" in message and r"\*bold\*" in message and r"\_u\_" in message
    assert "](javascript" not in message and "![" not in message
    assert "~~400~~" in message and "**450**" in message
    assert f"[Full diff]({BASE}/articles/{article.id}/diff?from=1&to=2)" in message


async def test_removed_article_alerts_once(store: Store, webhook: WebhookReceiver) -> None:
    settings = settings_for(webhook.url())
    article = watch(store)
    record(store, settings, article, PARAGRAPHS, at=T0)
    store.record_check(
        article.id,
        Check(article_id=article.id, at=T0, outcome=Outcome.GONE, http_status=404),
        update=ArticleUpdate(state=State.GONE, last_error="HTTP 404"),
    )
    store.enqueue_notifications(article.id, plan_gone_notifications(settings, article, T0))
    await deliver_pending(store, settings, T0)
    await deliver_pending(store, settings, T0 + timedelta(days=1))
    (post,) = webhook.posts
    assert post.json["title"] == f'Article removed: "{TITLE}" (koreatimes.co.kr)'
    assert post.json["type"] == "warning"
    assert "HTTP 404" in post.json["message"]
    assert f"History: {BASE}/articles/{article.id}" in post.json["message"]


async def test_receiver_down_twice_then_delivered_exactly_once(
    store: Store, webhook: WebhookReceiver
) -> None:
    settings = settings_for(webhook.url())
    article = watch(store)
    record(store, settings, article, PARAGRAPHS, at=T0)
    record(store, settings, article, edited("A new sentence."), at=T0)
    webhook.fail_next(2)

    first = await deliver_pending(store, settings, T0)
    assert (first.sent, first.retrying) == (0, 1)
    (row,) = store.notifications()
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.next_attempt_at == T0 + timedelta(seconds=30)
    assert row.last_error and "500" in row.last_error

    await deliver_pending(store, settings, T0 + timedelta(seconds=29))  # not due yet
    assert len(webhook.requests) == 1
    await deliver_pending(store, settings, T0 + timedelta(seconds=30))
    (row,) = store.notifications()
    assert row.attempts == 2 and row.next_attempt_at == T0 + timedelta(seconds=90)

    done = await deliver_pending(store, settings, T0 + timedelta(seconds=90))
    assert done.sent == 1
    for later in (timedelta(seconds=91), timedelta(hours=2), timedelta(days=3)):
        await deliver_pending(store, settings, T0 + later)
    assert len(webhook.posts) == 1
    assert len(webhook.requests) == 3
    (row,) = store.notifications()
    assert (row.status, row.sent_at, row.last_error) == ("sent", T0 + timedelta(seconds=90), None)


async def test_two_deliverers_never_send_the_same_alert(
    tmp_path: Path, webhook: WebhookReceiver
) -> None:
    settings = settings_for(webhook.url())
    with Store(tmp_path / "m.db") as one, Store(tmp_path / "m.db") as two:
        for i in range(3):
            article = watch(one, f"https://www.koreatimes.co.kr/a/{i}")
            record(one, settings, article, PARAGRAPHS, at=T0)
            record(one, settings, article, edited(f"Update number {i}."), at=T0)
        reports = await asyncio.gather(
            deliver_pending(one, settings, T0), deliver_pending(two, settings, T0)
        )
    assert sum(r.sent for r in reports) == 3
    assert len(webhook.requests) == 3


async def test_eight_failures_mark_the_alert_failed_with_its_error(
    store: Store, webhook: WebhookReceiver
) -> None:
    settings = settings_for(webhook.url())
    article = watch(store)
    record(store, settings, article, PARAGRAPHS, at=T0)
    record(store, settings, article, edited("Another sentence."), at=T0)
    webhook.fail_next(1000, status=503)
    now = T0
    for _ in range(12):
        await deliver_pending(store, settings, now)
        now += timedelta(hours=2)
    assert len(webhook.requests) == 8
    (row,) = store.notifications()
    assert (row.status, row.attempts) == ("failed", 8)
    assert row.last_error and "503" in row.last_error
    status = notification_status(store, settings)
    (shown,) = status.rows
    assert shown.status == "failed" and shown.version == 2
    assert shown.article_url == article.url and shown.last_error == row.last_error


def test_backoff_doubles_from_thirty_seconds_up_to_an_hour() -> None:
    notify = NotifySettings()
    waits = [retry_delay(n, notify).total_seconds() for n in range(1, 10)]
    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


async def test_long_diff_is_cut_to_the_channel_limit_with_a_link(
    store: Store, webhook: WebhookReceiver
) -> None:
    # Mattermost incoming webhooks (Slack-compatible JSON) can point at any host;
    # apprise caps them at 4000 characters and has no title field.
    settings = settings_for(webhook.url("/tok3nabcdef", scheme="mmost"))
    article = watch(store)
    record(store, settings, article, PARAGRAPHS, at=T0)
    added = [f"Paragraph {i} adds one more fairly long sentence to the story." for i in range(120)]
    record(store, settings, article, [*PARAGRAPHS, *added], at=T0)
    assert (await deliver_pending(store, settings, T0)).sent == 1
    (post,) = webhook.posts
    assert post.path == "/hooks/tok3nabcdef"
    text = post.json["text"]
    assert len(text) <= 4000
    assert text.startswith(f'Stealth edit: "{TITLE}" (koreatimes.co.kr)')
    assert "+ Paragraph 0 adds" in text
    assert re.search(r"… \d+ more changes not shown\. Full diff: ", text)
    assert text.rstrip().endswith(f"{BASE}/articles/{article.id}/diff?from=1&to=2")


def test_cut_messages_stay_within_limits_and_well_formed_in_every_format(
    store: Store,
) -> None:
    settings = settings_for()
    article = watch(store)
    old = record(store, settings, article, PARAGRAPHS, at=T0)
    lines = [f"Sentence {i} <b>is</b> [new](x) here." for i in range(200)]
    new = record(store, settings, article, [*PARAGRAPHS, *lines], at=T0)
    alert = edit_alert(store.article(article.id), old, new, base_url=BASE)
    for fmt in (TEXT, MARKDOWN, HTML):
        for limit in (900, 2000, 4000):
            message = render_alert(alert, fmt, tz=UTC, limits=Limits(body=limit, title=120))
            assert len(message.body) <= limit, (fmt, limit)
            assert "more changes not shown" in message.body
            assert "diff?from=1" in message.body
            assert len(message.title) <= 120
        if fmt == HTML:
            assert message.body.startswith("<div") and message.body.endswith("</div>")
            assert message.body.count("<p") == message.body.count("</p>")
            assert "<b>" not in message.body
    tiny = render_alert(alert, TEXT, tz=UTC, limits=Limits(body=160, title=0))
    assert len(tiny.body) <= 160 and tiny.title == ""


async def test_digest_sends_one_message_for_the_day_at_its_time(
    store: Store, webhook: WebhookReceiver
) -> None:
    digest = ChannelSettings(url=webhook.url("/digest"), digest="08:00", name="morning")
    now_url = webhook.url("/now")
    settings = Settings(
        notify=NotifySettings(
            urls=(now_url,), channels=(digest,), base_url=BASE, timezone="Asia/Seoul"
        )
    )
    first = watch(store, "https://www.koreatimes.co.kr/a/1")
    second = watch(store, "https://www.koreatimes.co.kr/a/2")
    for article in (first, second):
        record(store, settings, article, PARAGRAPHS, at=T0)
    record(store, settings, first, edited("One."), at=T0 + timedelta(hours=1))
    record(store, settings, first, edited("Two."), at=T0 + timedelta(hours=2))
    record(store, settings, second, PARAGRAPHS, at=T0 + timedelta(hours=3), title="Talks collapse")
    # 12:00 UTC is 21:00 in Seoul: the digest is due at 08:00 Seoul, 23:00 UTC.
    due = datetime(2026, 11, 27, 23, 0, tzinfo=UTC)
    assert next_digest_at("08:00", ZoneInfo("Asia/Seoul"), T0) == due

    await deliver_pending(store, settings, due - timedelta(minutes=1))
    assert len(webhook.posts_to("/now")) == 3  # the immediate channel
    assert webhook.posts_to("/digest") == []

    await deliver_pending(store, settings, due)
    await deliver_pending(store, settings, due + timedelta(hours=1))
    (post,) = webhook.posts_to("/digest")
    body = post.json
    assert body["title"] == "monitor digest: 3 edits in 2 articles (2026-11-28)"
    assert body["message"].count("Full diff:") == 3
    assert 'Headline changed (stealth): "Talks collapse"' in body["message"]
    assert (
        "Headline: [-NK, US agree to restart nuclear talks-]{+Talks collapse+}" in body["message"]
    )
    assert store.notification_counts() == {"sent": 6}


async def test_send_digest_now_sends_pending_alerts_before_their_time(
    store: Store, webhook: WebhookReceiver
) -> None:
    digest = ChannelSettings(url=webhook.url("/digest"), digest="08:00", name="desk")
    settings = Settings(notify=NotifySettings(channels=(digest,), base_url=BASE))
    article = watch(store)
    record(store, settings, article, PARAGRAPHS, at=T0)
    record(store, settings, article, edited("One."), at=T0)
    report = await send_digest(store, settings, "desk", T0)
    assert report.sent == 1
    (post,) = webhook.posts
    assert post.json["title"] == "monitor digest: 1 edit in 1 article (2026-11-27)"


# ---------------------------------------------------------------------------
# Who hears of what (pure planning over real stored versions)
# ---------------------------------------------------------------------------


def test_tags_route_alerts_and_muted_articles_alert_nobody(store: Store) -> None:
    channels = (
        ChannelSettings(url="json://127.0.0.1:9/politics", tags=("politics",)),
        ChannelSettings(url="json://127.0.0.1:9/sport", tags=("sport",)),
    )
    settings = Settings(notify=NotifySettings(urls=("json://127.0.0.1:9/all",), channels=channels))
    everyone, politics, sport = (c.id for c in configured_channels(settings))
    planned = {}
    for name, tags in {
        "politics": ("politics",),
        "untagged": (),
        "both": ("politics", "sport"),
        "muted": ("politics", "muted"),
    }.items():
        article = watch(store, f"https://www.koreatimes.co.kr/{name}", tags=tags)
        record(store, settings, article, PARAGRAPHS, at=T0)
        record(store, settings, article, edited("New."), at=T0)
        planned[name] = {n.channel for n in store.notifications() if n.article_id == article.id}
    assert planned == {
        "politics": {everyone, politics},
        "untagged": {everyone},
        "both": {everyone, politics, sport},
        "muted": set(),
    }


def test_first_snapshot_never_alerts(store: Store) -> None:
    settings = settings_for("json://127.0.0.1:9/x")
    record(store, settings, watch(store), PARAGRAPHS, at=T0)
    assert store.notifications() == []


@pytest.mark.parametrize(
    ("rules", "edit", "alerts"),
    [
        ({}, "figure", True),
        ({"min_change_chars": 7}, "figure", False),  # "400" -> "450": 6 characters
        ({"min_change_chars": 6}, "figure", True),
        ({"only": "additions"}, "cut", False),
        ({"only": "additions"}, "figure", True),
        ({"only": "headline"}, "figure", False),
        ({"only": "headline"}, "headline", True),
        ({"min_change_chars": 30, "only": "headline"}, "headline", True),
    ],
)
def test_rules_decide_which_edits_alert(
    store: Store, rules: dict[str, object], edit: str, alerts: bool
) -> None:
    settings = settings_for("json://127.0.0.1:9/x", **rules)
    article = watch(store)
    record(store, settings, article, PARAGRAPHS, at=T0)
    if edit == "figure":
        record(store, settings, article, edited("")[:3], at=T0)
    elif edit == "cut":
        record(store, settings, article, PARAGRAPHS[:2], at=T0)
    else:
        record(store, settings, article, PARAGRAPHS, at=T0, title="Talks collapse after one day")
    assert bool(store.notifications()) is alerts


def test_writing_the_same_alerts_twice_keeps_one(store: Store) -> None:
    settings = settings_for("json://127.0.0.1:9/x")
    article = watch(store)
    old = record(store, settings, article, PARAGRAPHS, at=T0)
    new = record(store, settings, article, edited("X."), at=T0)
    again = plan_notifications(settings, store.article(article.id), new, old)
    assert store.enqueue_notifications(article.id, again, version_n=new.n) == 0
    assert len(store.notifications()) == 1


def test_headline_change_names_itself_in_the_title(store: Store) -> None:
    settings = settings_for()
    article = watch(store)
    old = record(store, settings, article, PARAGRAPHS, at=T0)
    new = record(store, settings, article, PARAGRAPHS, at=T0, title="Talks collapse")
    message = render_alert(edit_alert(store.article(article.id), old, new), TEXT, tz=UTC)
    assert message.title == 'Headline changed (stealth): "Talks collapse" (koreatimes.co.kr)'
    assert "Headline: [-NK, US agree to restart nuclear talks-]{+Talks collapse+}" in message.body
    assert "Run:" not in message.body and "Full diff" not in message.body  # no base_url


async def test_alerts_for_channels_no_longer_configured_wait_until_discarded(
    store: Store, webhook: WebhookReceiver
) -> None:
    old_settings = settings_for(webhook.url("/old"))
    article = watch(store)
    record(store, old_settings, article, PARAGRAPHS, at=T0)
    record(store, old_settings, article, edited("X."), at=T0)
    new_settings = settings_for(webhook.url("/new"))
    report = await deliver_pending(store, new_settings, T0)
    assert report.sent == 0 and webhook.requests == []
    (shown,) = notification_status(store, new_settings).rows
    assert (shown.status, shown.configured, shown.channel_url) == ("pending", False, None)

    assert discard_orphans(store, new_settings) == 1
    (row,) = store.notifications()
    assert row.status == "failed" and row.last_error == "the channel is no longer configured"


# ---------------------------------------------------------------------------
# notify test, status, and secrets
# ---------------------------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_send_test_reports_every_channel(
    smtp: SmtpReceiver, webhook: WebhookReceiver
) -> None:
    settings = settings_for(
        smtp.url(),
        webhook.url(credentials="bot:pa55word-xyz"),
        f"json://127.0.0.1:{closed_port()}/down",
        "nosuchscheme://token-abcdef",
    )
    results = await send_test(settings)
    assert [r.ok for r in results] == [True, True, False, False]
    assert [r.format for r in results] == ["html", "text", "text", None]
    assert results[0].url.startswith(f"mailto://127.0.0.1:{smtp.port}")
    assert "pa55word-xyz" not in results[1].url and "****" in results[1].url
    assert results[2].error and "127.0.0.1" in results[2].error
    assert results[3].error and "token-abcdef" not in results[3].url + results[3].error
    (mail,) = smtp.wait_for(1)
    assert mail.subject == "monitor: test alert"
    (post,) = webhook.posts
    assert post.json["title"] == "monitor: test alert"


async def test_secrets_never_reach_logs_status_or_the_database(
    store: Store, webhook: WebhookReceiver, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "Tr0ub4dor-s3cret-t0ken"
    url = webhook.url("/hook", credentials=f"monitor:{secret}")
    settings = settings_for(url)
    assert secret not in repr(settings)
    caplog.set_level(logging.DEBUG)
    article = watch(store)
    record(store, settings, article, PARAGRAPHS, at=T0)
    record(store, settings, article, edited("X."), at=T0)
    webhook.fail_next(1)
    await deliver_pending(store, settings, T0)
    await deliver_pending(store, settings, T0 + timedelta(minutes=1))
    await send_test(settings)
    status = notification_status(store, settings)
    assert webhook.posts  # it was really sent, with the secret as the password
    assert "Authorization" in webhook.posts[0].headers
    assert secret not in caplog.text
    assert "****" in caplog.text  # what was logged is the masked URL
    assert secret not in json.dumps(status.to_json())
    dump = "\n".join(store.db.conn.iterdump())
    assert secret not in dump and channel_id(url) in dump


# ---------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------


def test_notify_settings_from_toml_and_environment(tmp_path: Path) -> None:
    config = tmp_path / "monitor.toml"
    config.write_text(
        """
[notify]
urls = ["json://127.0.0.1:9/a"]
base_url = "http://monitor.test/"
min_change_chars = 20
only = "additions"
timezone = "Asia/Seoul"

[[notify.channels]]
url = "mailto://127.0.0.1:25?to=a@news.example,b@news.example&mode=insecure"
tags = ["politics"]
digest = "8:30"
name = "politics-desk"
""",
        encoding="utf-8",
    )
    settings = load_settings(config, environ={})
    notify = settings.notify
    assert notify.urls == ("json://127.0.0.1:9/a",)
    assert notify.base_url == "http://monitor.test"
    assert (notify.min_change_chars, notify.only, notify.timezone) == (
        20,
        "additions",
        "Asia/Seoul",
    )
    (channel,) = notify.channels
    assert (channel.tags, channel.digest, channel.name) == (("politics",), "08:30", "politics-desk")
    assert [c.id for c in configured_channels(settings)] == [
        channel_id("json://127.0.0.1:9/a"),
        "politics-desk",
    ]

    env = {
        "MONITOR_NOTIFY_URLS": "json://h:1/a, mailto://h?to=a@x.example,b@x.example\nmmost://h/t",
        "MONITOR_NOTIFY_ONLY": "headline",
    }
    from_env = load_settings(config, environ=env).notify
    assert from_env.urls == (
        "json://h:1/a",
        "mailto://h?to=a@x.example,b@x.example",
        "mmost://h/t",
    )
    assert from_env.only == "headline" and from_env.channels == notify.channels


@pytest.mark.parametrize(
    "table",
    [
        '[notify]\nonly = "sometimes"',
        '[notify]\ntimezone = "Mars/Olympus"',
        '[notify]\nurls = ["hunter2-not-a-url"]',
        '[notify]\nbase_url = "ftp://x"',
        '[[notify.channels]]\nurl = "json://h/x"\ndigest = "25:00"',
        '[[notify.channels]]\nurl = "json://h/x"\ncolour = "red"',
        '[[notify.channels]]\ntags = ["x"]',
    ],
)
def test_bad_notify_settings_are_errors_that_do_not_quote_urls(tmp_path: Path, table: str) -> None:
    config = tmp_path / "monitor.toml"
    config.write_text(table, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(config, environ={})
    assert "hunter2" not in str(caught.value)


def test_links_use_notify_base_url_else_the_web_base_url() -> None:
    web = replace(Settings().web, base_url="https://monitor.test/ui")
    assert alert_base_url(Settings(web=web)) == "https://monitor.test/ui"
    own = NotifySettings(base_url="https://alerts.test")
    assert alert_base_url(Settings(notify=own, web=web)) == "https://alerts.test"
    assert alert_base_url(Settings()) == ""


def test_digest_time_is_the_next_local_occurrence() -> None:
    seoul = ZoneInfo("Asia/Seoul")
    assert next_digest_at("08:00", seoul, T0) == datetime(2026, 11, 27, 23, 0, tzinfo=UTC)
    assert next_digest_at("22:00", seoul, T0) == datetime(2026, 11, 27, 13, 0, tzinfo=UTC)
    exactly = datetime(2026, 11, 27, 23, 0, tzinfo=UTC)
    assert next_digest_at("08:00", seoul, exactly) == exactly + timedelta(days=1)
