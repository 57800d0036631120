"""Alerts by email and chat: who gets which edit, the outbox, delivery through apprise.

The flow, and why it is split this way:

- ``plan_notifications`` (pure) decides which channels hear about a new
  version. The checker calls it before ``Store.record_check`` and the rows
  are written in the same transaction as the version, so a crash can never
  keep a version and lose its alert (or the reverse).
- ``deliver_pending`` sends whatever is due. Each row is *claimed* first
  (status ``sending`` with a lease), so two deliverers never send the same
  alert; it is marked ``sent`` in its own transaction right after apprise
  reports success, so a later run never sends it again. A failure is retried
  after ``retry_base · 2^(attempts-1)`` seconds (capped at ``retry_max``);
  after ``max_attempts`` it is ``failed`` with the error kept for
  ``monitor notify status``.
- An alert is never sent twice. Rows are claimed one at a time, just before
  their send (a digest's rows together), so when the process dies (SIGKILL,
  power loss) at most the one alert in flight per channel is left
  ``sending``, and the rest stay ``pending`` to go out after a restart. That
  one may or may not have arrived: when its lease ends it is marked
  ``failed`` with the reason (``store.INTERRUPTED_SEND``), shown by ``monitor
  notify status``, and not sent again. (Resending it instead, at-least-once,
  duplicated about one alert in six kills in ``tests/test_crash.py``.)
- Digest channels (``digest = "08:00"``) hold their alerts until the next
  digest time in ``notify.timezone`` (that time is written as the rows'
  ``next_attempt_at``), and ``deliver_pending`` sends everything due for
  such a channel as one summary. So the regular delivery job is enough: no
  separate cron job, and a digest missed while the service was down goes out
  when it starts again. ``send_digest`` sends one channel's digest now.

Routing: an article tagged ``politics`` alerts channels tagged ``politics``
plus every untagged channel; an untagged article alerts untagged channels
only. An article tagged ``muted`` alerts nobody. An article that went
``gone`` alerts the same channels, whatever ``notify.only`` and
``notify.min_change_chars`` say: a pulled story always matters.

Secrets: apprise URLs carry tokens and passwords. They are never stored (the
outbox names a channel by its ``name`` or by a short hash of its URL) and
never logged: logs, errors and status show ``url(privacy=True)`` only, and
error text from apprise is scrubbed of every part of the URL that the masked
form hides. Channels come from the config file, which is trusted, so
loopback and private targets are allowed (tests and self-hosted chat need
them); a channel a web user could enter later must go through
``monitor.netguard`` first.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from types import ModuleType
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from monitor.alerts import (
    EVENT_EDIT,
    EVENT_GONE,
    TEXT,
    Alert,
    Limits,
    Message,
    edit_alert,
    gone_alert,
    render_alert,
    render_digest,
    render_test,
)
from monitor.config import NotifySettings, Settings
from monitor.diff import word_diff
from monitor.models import FLAG_BYLINE, FLAG_HEADLINE, Article, Kind, Version, iso
from monitor.store import NewNotification, NewVersion, Notification, Store
from monitor.text import clean_text

if TYPE_CHECKING:
    import apprise

__all__ = [
    "MUTE_TAG",
    "Channel",
    "ChannelResult",
    "DeliveryReport",
    "NotificationStatus",
    "StatusRow",
    "alert_base_url",
    "change_size",
    "channel_id",
    "configured_channels",
    "deliver_pending",
    "discard_orphans",
    "next_digest_at",
    "notification_status",
    "plan_gone_notifications",
    "plan_notifications",
    "retry_delay",
    "routes_to",
    "send_digest",
    "send_test",
    "worth_alerting",
]

log = logging.getLogger("monitor.notify")

MUTE_TAG = "muted"  # an article with this tag never alerts
LEASE = timedelta(minutes=5)  # how long a claimed row is ours; longer than any one send
DIGEST_BATCH = 500  # alerts in one digest at most; more go in the next one
MAX_ERROR_CHARS = 500


# ---------------------------------------------------------------------------
# Channels
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Channel:
    """One configured destination. ``url`` is secret: it is not in ``repr``."""

    id: str
    url: str = field(repr=False)
    tags: tuple[str, ...] = ()
    digest: str | None = None


def channel_id(url: str, name: str | None = None) -> str:
    """The channel's id in the outbox: its name, else ``ch-`` and 10 hex digits of sha256(url).

    A hash, not the URL, because the URL holds secrets; ten hex digits keep
    ids short for ``notify status`` and cannot realistically collide in one
    config. Name a channel to keep its id (and its pending alerts) when its
    URL changes.
    """
    if name:
        return name
    return "ch-" + hashlib.sha256(url.encode("utf-8")).hexdigest()[:10]


def configured_channels(settings: Settings) -> list[Channel]:
    """``notify.urls`` (untagged, immediate) then ``[[notify.channels]]``; duplicates once."""
    notify = settings.notify
    channels: dict[str, Channel] = {}
    for url in notify.urls:
        channels.setdefault(channel_id(url), Channel(channel_id(url), url))
    for table in notify.channels:
        cid = channel_id(table.url, table.name)
        channels.setdefault(cid, Channel(cid, table.url, table.tags, table.digest))
    return list(channels.values())


def masked_channel_urls(settings: Settings) -> dict[str, str]:
    """Each configured channel's URL as apprise shows it privately (secrets masked), by id.

    The one form in which a channel's URL may be shown to a user or written
    in a page: the raw URL carries tokens and passwords.
    """
    asset = _asset(settings.notify)
    return {c.id: _masked(c, _instantiate(c, asset)) for c in configured_channels(settings)}


def routes_to(channel: Channel, article: Article) -> bool:
    """Untagged channels hear every article; tagged ones only articles sharing a tag."""
    if MUTE_TAG in article.tags:
        return False
    return not channel.tags or bool(set(channel.tags) & set(article.tags))


# ---------------------------------------------------------------------------
# Planning (pure)
# ---------------------------------------------------------------------------


def change_size(version: Version | NewVersion, previous: Version) -> tuple[int, int]:
    """Characters (added, removed) by an edit: body, plus headline and byline words."""
    added, removed = version.stats.chars_added, version.stats.chars_removed
    for flag, old, new in (
        (FLAG_HEADLINE, previous.title, version.title),
        (FLAG_BYLINE, previous.byline, version.byline),
    ):
        if flag in version.flags:
            for piece in word_diff(clean_text(old), clean_text(new)):
                if piece.op == "insert":
                    added += len(piece.text)
                elif piece.op == "delete":
                    removed += len(piece.text)
    return added, removed


def worth_alerting(
    notify: NotifySettings, version: Version | NewVersion, previous: Version
) -> bool:
    """``notify.only`` and ``notify.min_change_chars`` applied to one edit."""
    added, removed = change_size(version, previous)
    if added + removed < notify.min_change_chars:
        return False
    if notify.only == "additions":
        return added > 0
    if notify.only == "headline":
        return FLAG_HEADLINE in version.flags
    return True


def plan_notifications(
    settings: Settings,
    article: Article,
    version: Version | NewVersion,
    previous: Version | None,
) -> list[NewNotification]:
    """The outbox rows for a new version: one per channel that should hear of it.

    Pure, so the checker can call it before ``record_check`` and hand the
    rows over to be written in the version's own transaction. Version 1 (a
    first snapshot, ``previous`` is None) never alerts.
    """
    if previous is None or version.kind == Kind.INITIAL:
        return []
    if not worth_alerting(settings.notify, version, previous):
        return []
    return _rows(settings, article, EVENT_EDIT, version.fetched_at)


def plan_gone_notifications(
    settings: Settings, article: Article, now: datetime
) -> list[NewNotification]:
    """The outbox rows for an article that has just been marked ``gone``."""
    return _rows(settings, article, EVENT_GONE, now)


def _rows(settings: Settings, article: Article, event: str, now: datetime) -> list[NewNotification]:
    tz = ZoneInfo(settings.notify.timezone)
    return [
        NewNotification(
            channel=channel.id,
            event=event,
            created_at=now,
            next_attempt_at=next_digest_at(channel.digest, tz, now) if channel.digest else now,
        )
        for channel in configured_channels(settings)
        if routes_to(channel, article)
    ]


def next_digest_at(digest: str, tz: ZoneInfo, now: datetime) -> datetime:
    """The first ``HH:MM`` in ``tz`` after ``now``, in UTC (DST-safe: built from the local date)."""
    hour, minute = (int(part) for part in digest.split(":"))
    local = now.astimezone(tz)
    day = local.date()
    at = datetime.combine(day, time(hour, minute), tzinfo=tz)
    if at <= local:
        at = datetime.combine(day + timedelta(days=1), time(hour, minute), tzinfo=tz)
    return at.astimezone(UTC)


def retry_delay(attempts: int, notify: NotifySettings) -> timedelta:
    """Wait after the ``attempts``-th failed send: base · 2^(attempts-1), capped."""
    exponent = min(max(attempts - 1, 0), 30)
    return timedelta(seconds=min(notify.retry_base * 2**exponent, notify.retry_max))


# ---------------------------------------------------------------------------
# apprise
# ---------------------------------------------------------------------------


def _apprise() -> ModuleType:
    """apprise, imported at the first send: a tenth of a second that a check without alerts skips."""
    import apprise

    return apprise


@functools.cache
def _load_plugins() -> None:
    """Load apprise's plugins once, with their import-time DeprecationWarnings silenced.

    apprise's email plugin imports ``imghdr`` (deprecated in Python 3.11);
    under ``-W error`` (our test suite) that warning would abort the first
    notification. It is apprise's to fix, so it is silenced only here.
    """
    from apprise.manager_plugins import NotificationManager

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        NotificationManager().load_modules()


def _asset(notify: NotifySettings) -> apprise.AppriseAsset:
    return _apprise().AppriseAsset(
        app_id="monitor",
        app_desc="monitor: news article edit alerts",
        async_mode=True,
        secure_logging=True,  # apprise logs URLs only as url(privacy=True)
        storage_mode="memory",  # nothing written to disk by plugins
        service_timeout=notify.timeout,
    )


def _instantiate(channel: Channel, asset: apprise.AppriseAsset) -> Any:
    """A fresh apprise plugin for one send (plugins keep per-send state), or None."""
    _load_plugins()
    return _apprise().Apprise.instantiate(channel.url, asset=asset, suppress_exceptions=True)


def _masked(channel: Channel, plugin: Any) -> str:
    if plugin is not None:
        return str(plugin.url(privacy=True))
    scheme = channel.url.split("://", 1)[0]
    return f"{scheme}://… (not a usable apprise URL)"


def _secrets(channel: Channel, masked: str) -> list[str]:
    """Pieces of the URL its masked form hides: scrubbed from any error text we keep.

    apprise keeps secrets out of its messages already; this is a second
    fence, so an error string quoting a token can never reach the database.
    """
    pieces = {channel.url}
    try:
        password = urlsplit(channel.url).password
    except ValueError:
        password = None
    if password:
        pieces.add(password)
    split = re.compile(r"[/:@?&=#,;+ ]+")
    shown = {unquote(t) for t in split.split(unquote(masked))}
    for token in split.split(channel.url):
        for variant in (token, unquote(token)):
            if len(variant) >= 6 and variant not in shown:
                pieces.add(variant)
    return sorted((p for p in pieces if len(p) >= 3), key=len, reverse=True)


def _scrub(text: str, secrets: Sequence[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "****")
    return text[:MAX_ERROR_CHARS]


def _limits(plugin: Any) -> Limits:
    """The plugin's size limits, less apprise's own overflow margins."""
    body = int(plugin.body_maxlen or 0)
    title = int(plugin.title_maxlen or 0)
    if body > 0:
        body -= max(int(getattr(plugin, "overflow_buffer", 0) or 0), 0)
        if getattr(plugin, "overflow_amalgamate_title", False) and title > 0:
            body -= title
        body = max(body, 1)
    return Limits(body=body, title=title)


def _format(plugin: Any) -> str:
    """The format this service renders by default (or its URL's ``format=``)."""
    try:
        return str(plugin.resolve_format(None).value)
    except (AttributeError, ValueError):
        return TEXT


async def _send(
    plugin: Any,
    asset: apprise.AppriseAsset,
    message: Message,
    fmt: str,
    notify_type: str,
    secrets: Sequence[str],
) -> str | None:
    """Send one message through one plugin; None on success, else the (scrubbed) reason."""
    apobj = _apprise().Apprise(asset=asset)
    apobj.add(plugin)
    try:
        result = await apobj.async_notify(
            body=message.body,
            title=message.title,
            body_format=fmt,  # the plugin's own format: apprise converts nothing
            notify_type=notify_type,
        )
    except Exception as exc:  # apprise reports failures in its result; this is a bug guard
        return _scrub(f"{type(exc).__name__}: {exc}", secrets)
    try:
        if result:
            return None
        seen: list[str] = []
        for entry in result.logs():
            if entry.level in ("WARNING", "ERROR", "CRITICAL") and entry.message not in seen:
                seen.append(entry.message)
        reason = "; ".join(seen) or f"apprise: {result.status.name.lower()}"
        return _scrub(reason, secrets)
    finally:
        result.close()


# ---------------------------------------------------------------------------
# Delivery
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Delivery:
    """One send: a single alert, or a digest of several."""

    channel: str
    notification_ids: tuple[int, ...]
    ok: bool
    error: str | None = None
    gave_up: tuple[int, ...] = ()  # rows marked failed after their last attempt


@dataclass
class DeliveryReport:
    sent: int = 0  # rows marked sent
    retrying: int = 0  # rows back to pending with a later next_attempt_at
    failed: int = 0  # rows marked failed (last attempt used, or channel removed)
    deliveries: list[Delivery] = field(default_factory=list)


async def deliver_pending(
    store: Store, settings: Settings, now: datetime, *, stopping: asyncio.Event | None = None
) -> DeliveryReport:
    """Send every due alert; digest channels get their due alerts as one message.

    Call it on an interval (the scheduler: every ``schedule.tick`` or so). It
    sends only rows that are due at ``now``, so calling it often is cheap.
    Rows for a channel that is not in ``settings`` are left alone (another
    process may run with another config); ``notification_status`` shows
    them and ``discard_orphans`` gives up on them. Once ``stopping`` is set
    no further alert is claimed; the one in flight is finished and marked.
    """
    report = DeliveryReport()
    channels = configured_channels(settings)
    if channels:
        _load_plugins()  # the first time takes a second: before any row is claimed, not after
    await asyncio.gather(
        *(_deliver_channel(store, settings, channel, now, report, stopping) for channel in channels)
    )
    return report


def discard_orphans(store: Store, settings: Settings) -> int:
    """Mark failed the pending alerts of channels ``settings`` no longer has; returns how many."""
    ids = [channel.id for channel in configured_channels(settings)]
    return store.fail_orphan_notifications(ids, "the channel is no longer configured")


async def send_digest(
    store: Store, settings: Settings, channel: str, now: datetime
) -> DeliveryReport:
    """Send one channel's pending alerts now as one digest, due or not.

    For a cron job or a "send the digest now" command; ``deliver_pending``
    already sends digests when they fall due.
    """
    report = DeliveryReport()
    for candidate in configured_channels(settings):
        if candidate.id == channel:
            rows = store.claim_notifications(
                candidate.id, now, lease_until=now + LEASE, limit=DIGEST_BATCH, due_only=False
            )
            if rows:
                await _send_rows(store, settings, candidate, rows, now, report, digest=True)
    return report


async def _deliver_channel(
    store: Store,
    settings: Settings,
    channel: Channel,
    now: datetime,
    report: DeliveryReport,
    stopping: asyncio.Event | None = None,
) -> None:
    # One row per claim for immediate channels: a row is "sending" only while it is sent.
    limit = DIGEST_BATCH if channel.digest else 1
    while stopping is None or not stopping.is_set():
        rows = store.claim_notifications(channel.id, now, lease_until=now + LEASE, limit=limit)
        if not rows:
            return
        await _send_rows(store, settings, channel, rows, now, report, digest=bool(channel.digest))
        if channel.digest and len(rows) < limit:
            return


async def _send_rows(
    store: Store,
    settings: Settings,
    channel: Channel,
    rows: Sequence[Notification],
    now: datetime,
    report: DeliveryReport,
    *,
    digest: bool,
) -> None:
    """Render and send claimed rows (one alert, or one digest), then mark them."""
    notify = settings.notify
    asset = _asset(notify)
    plugin = _instantiate(channel, asset)
    masked = _masked(channel, plugin)
    secrets = _secrets(channel, masked)
    ids = tuple(row.id for row in rows)
    if plugin is None:
        error: str | None = "apprise cannot use this URL (unknown scheme or missing parts)"
    else:
        try:
            message, notify_type, fmt = _compose(store, settings, plugin, rows, now, digest)
        except Exception as exc:  # a bad row must not stop the others
            log.exception("could not render alert(s) %s for %s", ids, masked)
            error = _scrub(f"could not render: {type(exc).__name__}: {exc}", secrets)
        else:
            error = await _send(plugin, asset, message, fmt, notify_type, secrets)
    if error is None:
        store.mark_notifications_sent(ids, now)
        report.sent += len(ids)
        report.deliveries.append(Delivery(channel.id, ids, ok=True))
        log.info("sent %s %s to %s", "digest of" if digest else "alert", ids, masked)
        return
    gave_up = []
    for row in rows:
        if row.attempts >= notify.max_attempts:
            store.release_notifications([row.id], error=error, retry_at=None)
            gave_up.append(row.id)
            report.failed += 1
        else:
            retry_at = now + retry_delay(row.attempts, notify)
            store.release_notifications([row.id], error=error, retry_at=retry_at)
            report.retrying += 1
    report.deliveries.append(
        Delivery(channel.id, ids, ok=False, error=error, gave_up=tuple(gave_up))
    )
    log.warning(
        "could not send %s %s to %s (%s)%s",
        "digest of" if digest else "alert",
        ids,
        masked,
        error,
        f"; gave up on {tuple(gave_up)}" if gave_up else "; will retry",
    )


def _compose(
    store: Store,
    settings: Settings,
    plugin: Any,
    rows: Sequence[Notification],
    now: datetime,
    digest: bool,
) -> tuple[Message, str, str]:
    notify = settings.notify
    tz = ZoneInfo(notify.timezone)
    fmt, limits = _format(plugin), _limits(plugin)
    alerts = [_alert(store, settings, row) for row in rows]
    if digest:
        label = now.astimezone(tz).date().isoformat()
        message = render_digest(
            alerts, fmt, tz=tz, limits=limits, base_url=alert_base_url(settings), label=label
        )
        return message, _apprise().NotifyType.INFO.value, fmt
    (alert,) = alerts
    kind = (
        _apprise().NotifyType.WARNING if alert.event == EVENT_GONE else _apprise().NotifyType.INFO
    )
    return render_alert(alert, fmt, tz=tz, limits=limits), kind.value, fmt


def alert_base_url(settings: Settings) -> str:
    """Where alert links point: ``notify.base_url``, else ``[web] base_url``, else none."""
    return settings.notify.base_url or settings.web.base_url


def _alert(store: Store, settings: Settings, row: Notification) -> Alert:
    """Rebuild an alert from the database: the outbox stores ids, never rendered text."""
    if row.article_id is None:
        raise ValueError(f"notification {row.id} has no article")
    article = store.article(row.article_id)
    link_base = alert_base_url(settings)
    if row.event == EVENT_GONE or row.version_n is None:
        return gone_alert(article, store.latest_version(article.id), base_url=link_base)
    new = store.version(article.id, row.version_n)
    old = store.version(article.id, row.version_n - 1)
    return edit_alert(article, old, new, base_url=link_base)


# ---------------------------------------------------------------------------
# `monitor notify test` and `monitor notify status`
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelResult:
    channel: str  # the channel id
    url: str  # masked: url(privacy=True)
    ok: bool
    error: str | None = None
    format: str | None = None  # text, markdown or html, as this channel is sent

    def to_json(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "url": self.url,
            "ok": self.ok,
            "error": self.error,
            "format": self.format,
        }


async def send_test(settings: Settings) -> list[ChannelResult]:
    """Send a test alert to every configured channel (digest ones too, at once)."""

    async def one(channel: Channel) -> ChannelResult:
        asset = _asset(settings.notify)
        plugin = _instantiate(channel, asset)
        masked = _masked(channel, plugin)
        if plugin is None:
            return ChannelResult(
                channel.id,
                masked,
                False,
                "apprise cannot use this URL (unknown scheme or missing parts)",
            )
        fmt = _format(plugin)
        message = render_test(fmt, limits=_limits(plugin), channel=channel.id)
        error = await _send(
            plugin, asset, message, fmt, _apprise().NotifyType.INFO.value, _secrets(channel, masked)
        )
        if error:
            log.warning("test alert to %s failed: %s", masked, error)
        else:
            log.info("test alert sent to %s", masked)
        return ChannelResult(channel.id, masked, error is None, error, fmt)

    return list(await asyncio.gather(*(one(c) for c in configured_channels(settings))))


@dataclass(frozen=True)
class StatusRow:
    id: int
    channel: str
    channel_url: str | None  # masked; None if the channel is not configured (or no settings)
    configured: bool | None  # False: its channel is gone from the config (see discard_orphans)
    status: str
    event: str
    article_url: str | None
    version: int | None
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "channel": self.channel,
            "channel_url": self.channel_url,
            "configured": self.configured,
            "status": self.status,
            "event": self.event,
            "article_url": self.article_url,
            "version": self.version,
            "attempts": self.attempts,
            "next_attempt_at": iso(self.next_attempt_at),
            "last_error": self.last_error,
            "created_at": iso(self.created_at),
        }


@dataclass(frozen=True)
class NotificationStatus:
    counts: dict[str, int]  # rows per status, sent ones included
    rows: list[StatusRow]  # pending, sending and failed rows, oldest first

    def to_json(self) -> dict[str, Any]:
        return {"counts": self.counts, "alerts": [row.to_json() for row in self.rows]}


def notification_status(
    store: Store, settings: Settings | None = None, *, limit: int = 500
) -> NotificationStatus:
    """Alerts not (yet) delivered, for ``monitor notify status``: never a secret in it.

    With ``settings``, each row also shows its channel's masked URL.
    """
    masked = masked_channel_urls(settings) if settings is not None else {}
    rows = [
        StatusRow(
            id=row.id,
            channel=row.channel,
            channel_url=masked.get(row.channel),
            configured=(row.channel in masked) if settings is not None else None,
            status=row.status,
            event=row.event,
            article_url=row.article_url,
            version=row.version_n,
            attempts=row.attempts,
            next_attempt_at=row.next_attempt_at,
            last_error=row.last_error,
            created_at=row.created_at,
        )
        for row in store.notifications(statuses=("pending", "sending", "failed"), limit=limit)
    ]
    return NotificationStatus(store.notification_counts(), rows)
