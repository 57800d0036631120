"""Settings: ``config/monitor.toml`` first, then ``MONITOR_*`` environment variables.

Unknown sections and keys are errors, not silently ignored: a typo such as
``alow_private_hosts`` must not leave the guard in a state the user did not
choose. Every setting has a default here and is documented in
``config/monitor.toml``.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitor.cadence import DEFAULT_INTERVALS, Cadence, parse_duration
from monitor.errors import ConfigError
from monitor.models import OutletRules

DEFAULT_DB = Path("data/monitor.db")
DEFAULT_CONFIG = Path("config/monitor.toml")
USER_AGENT = "monitor/0.1 (self-hosted news edit tracker; +https://github.com/monitor-news/monitor)"

# Time zones of outlets whose pages print naive local times. A user's
# [outlets."host"] table overrides these.
DEFAULT_OUTLET_TIMEZONES: dict[str, str] = {
    "koreatimes.co.kr": "Asia/Seoul",
    "koreaherald.com": "Asia/Seoul",
    "yna.co.kr": "Asia/Seoul",
    "chosun.com": "Asia/Seoul",
    "joongang.co.kr": "Asia/Seoul",
    "hani.co.kr": "Asia/Seoul",
    "donga.com": "Asia/Seoul",
    "japantimes.co.jp": "Asia/Tokyo",
    "asahi.com": "Asia/Tokyo",
    "scmp.com": "Asia/Hong_Kong",
    "straitstimes.com": "Asia/Singapore",
    "bbc.co.uk": "Europe/London",
    "bbc.com": "Europe/London",
    "theguardian.com": "Europe/London",
    "reuters.com": "UTC",
    "apnews.com": "America/New_York",
    "nytimes.com": "America/New_York",
    "washingtonpost.com": "America/New_York",
    "cnn.com": "America/New_York",
    "latimes.com": "America/Los_Angeles",
    "spiegel.de": "Europe/Berlin",
    "lemonde.fr": "Europe/Paris",
    "abc.net.au": "Australia/Sydney",
}


@dataclass(frozen=True)
class FetchSettings:
    allow_private_hosts: bool = False
    max_bytes: int = 5_000_000
    connect_timeout: float = 10.0
    total_timeout: float = 30.0
    max_redirects: int = 5
    user_agent: str = USER_AGENT
    concurrency: int = 16  # fetches in flight at once, all hosts together
    per_host: int = 2  # fetches in flight at once to one host name
    host_delay: float = 1.0  # least seconds between the starts of two requests to one host
    max_retry_wait: float = 60.0  # longest Retry-After waited out; a longer one fails the fetch
    obey_robots: bool = True  # follow robots.txt; [outlets."host"] obey_robots = false opts out


@dataclass(frozen=True)
class CheckSettings:
    concurrency: int = 16  # articles checked at once (fetches are limited further by [fetch])
    fast_path: bool = True  # an unchanged article's page is recognised without full extraction


@dataclass(frozen=True)
class ScheduleSettings:
    tick: float = 15.0  # seconds between looks for due checks
    intervals: tuple[tuple[int, int], ...] = DEFAULT_INTERVALS  # (younger than, every) seconds
    burst: int = 3600  # after an edit, check at the youngest rate for this many seconds
    jitter: float = 0.1  # ±10 % so one outlet's checks do not line up
    gone_after: int = 3  # 404/410 answers in a row before an article is marked gone
    batch: int = 200  # due articles picked from the database at a time
    keep_checks_days: int = 90  # unchanged/not_modified check rows older than this are pruned

    @property
    def cadence(self) -> Cadence:
        return Cadence(intervals=self.intervals, burst_s=self.burst, jitter=self.jitter)


# -- notify (owned by monitor/notify.py) -------------------------------------

NOTIFY_ONLY = ("any", "additions", "headline")
_DIGEST_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
_CHANNEL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,39}")
_CHANNEL_KEYS = {"url", "tags", "digest", "name"}


@dataclass(frozen=True)
class ChannelSettings:
    """One alert channel from ``[[notify.channels]]``: an apprise URL and how it is used.

    The URL carries secrets (tokens, passwords), so it is left out of ``repr``
    and never logged or stored: the outbox knows the channel by ``name`` or,
    without one, by a short hash of the URL (``monitor.notify.channel_id``).
    Naming a channel keeps its pending alerts when its token is rotated.
    """

    url: str = field(repr=False)
    tags: tuple[str, ...] = ()  # empty: every unmuted article; else articles sharing a tag
    digest: str | None = None  # "HH:MM" in notify.timezone: one summary a day instead
    name: str | None = None


@dataclass(frozen=True)
class NotifySettings:
    """``[notify]``: where alerts go and which edits are worth one.

    ``urls`` are untagged, immediate channels (also ``MONITOR_NOTIFY_URLS``,
    separated by whitespace or by commas before the next ``scheme://``);
    ``[[notify.channels]]`` tables add tags, a daily digest or a stable name.
    """

    urls: tuple[str, ...] = field(default=(), repr=False)
    channels: tuple[ChannelSettings, ...] = ()
    base_url: str = ""  # the web UI as readers reach it; alerts link to its diff page
    min_change_chars: int = 1  # characters added + removed (headline and byline too)
    only: str = "any"  # "any", "additions" (something was added), "headline"
    timezone: str = "UTC"  # for times shown in alerts and digest times
    max_attempts: int = 8  # sends of one alert before it is marked failed
    retry_base: float = 30.0  # seconds before the first retry; doubles after each failure
    retry_max: float = 3600.0  # longest wait between two attempts
    timeout: float = 30.0  # seconds one send may take

    def __post_init__(self) -> None:
        if self.only not in NOTIFY_ONLY:
            raise ConfigError(f"[notify] only: expected one of {', '.join(NOTIFY_ONLY)}")
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(f"[notify] timezone: unknown time zone {self.timezone!r}") from exc
        if self.base_url and not re.match(r"https?://[^/?#\s]+", self.base_url):
            raise ConfigError("[notify] base_url: expected an http(s):// address")
        object.__setattr__(self, "base_url", self.base_url.rstrip("/"))
        if self.min_change_chars < 0 or self.max_attempts < 1:
            raise ConfigError("[notify] min_change_chars must be >= 0 and max_attempts >= 1")
        if self.retry_base <= 0 or self.retry_max < self.retry_base or self.timeout <= 0:
            raise ConfigError("[notify] retry_base, retry_max and timeout must be positive")
        names = [c.name for c in self.channels if c.name]
        if len(names) != len(set(names)):
            raise ConfigError("[notify] channels: two channels have the same name")


def _apprise_urls(raw: Any, origin: str) -> tuple[str, ...]:
    """A TOML list of URLs, or one string of them (whitespace or comma separated).

    A comma splits only before the next ``scheme://`` because apprise itself
    uses commas inside a URL (``mailto://…?to=a@x.example,b@x.example``).
    Messages never quote a URL: it may hold a token.
    """
    if isinstance(raw, str):
        items = re.split(r"\s+|,(?=\s*[A-Za-z][A-Za-z0-9+.-]*://)", raw)
    elif isinstance(raw, list) and all(isinstance(item, str) for item in raw):
        items = raw
    else:
        raise ConfigError(f"{origin}: expected a list of apprise URLs")
    urls = tuple(item.strip() for item in items if item.strip())
    for i, url in enumerate(urls, 1):
        if not re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", url):
            raise ConfigError(f"{origin}: entry {i} is not an apprise URL (scheme://…)")
    return urls


def _channel_tables(raw: Any, origin: str) -> tuple[ChannelSettings, ...]:
    """``[[notify.channels]]`` tables (or the same as JSON in ``MONITOR_NOTIFY_CHANNELS``)."""
    if isinstance(raw, str):
        raw = _json_value(raw)
    if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
        raise ConfigError(f"{origin}: expected [[notify.channels]] tables")
    channels = []
    for i, table in enumerate(raw, 1):
        where = f"{origin} #{i}"
        unknown = set(table) - _CHANNEL_KEYS
        if unknown:
            raise ConfigError(f"{where}: unknown key(s): {', '.join(sorted(unknown))}")
        urls = _apprise_urls([table["url"]], f"{where} url") if "url" in table else ()
        if len(urls) != 1:
            raise ConfigError(f"{where}: url must be one apprise URL")
        url = urls[0]
        tags = table.get("tags", [])
        if isinstance(tags, str):
            tags = [tags]
        if not isinstance(tags, list) or not all(isinstance(t, str) and t for t in tags):
            raise ConfigError(f"{where}: tags must be a list of words")
        digest = table.get("digest")
        if digest is not None:
            match = _DIGEST_TIME.fullmatch(str(digest).strip())
            if not match:
                raise ConfigError(f'{where}: digest must be a time like "08:00"')
            digest = f"{int(match[1]):02d}:{match[2]}"
        name = table.get("name")
        if name is not None and not (isinstance(name, str) and _CHANNEL_NAME.fullmatch(name)):
            raise ConfigError(f"{where}: name must be letters, digits, '.', '_' or '-'")
        channels.append(
            ChannelSettings(url=url, tags=tuple(sorted(set(tags))), digest=digest, name=name)
        )
    return tuple(channels)


# -- web (owned by monitor/web) -------------------------------------------------

MIN_TOKEN_CHARS = 16


@dataclass(frozen=True)
class WebSettings:
    """``[web]``: where ``monitor serve`` listens and who may use it.

    On a loopback address only this machine's users can connect, so no login
    is asked unless a token is set. On any other address every page and API
    call needs ``token`` (also ``MONITOR_WEB_TOKEN``), and ``monitor serve``
    refuses to start without one: an open watchlist lets anyone make the
    server fetch URLs. The token and the session secret stay out of ``repr``.
    """

    host: str = "127.0.0.1"
    port: int = 8000
    token: str = field(default="", repr=False)  # empty: no login (loopback only)
    base_url: str = ""  # the UI as readers reach it (behind a proxy): absolute links in feeds
    session_secret: str = field(default="", repr=False)  # signs cookies; empty: from the token
    session_days: int = 30  # a login lasts this long
    page_size: int = 50  # rows per page in lists, and the API's default limit
    max_body_bytes: int = 1_000_000  # larger request bodies are refused with 413

    def __post_init__(self) -> None:
        object.__setattr__(self, "token", self.token.strip())
        if self.token and len(self.token) < MIN_TOKEN_CHARS:
            raise ConfigError(f"[web] token: use at least {MIN_TOKEN_CHARS} random characters")
        if not 0 <= self.port <= 65535:
            raise ConfigError("[web] port: expected 0-65535")
        if self.base_url and not re.match(r"https?://[^/?#\s]+", self.base_url):
            raise ConfigError("[web] base_url: expected an http(s):// address")
        object.__setattr__(self, "base_url", self.base_url.rstrip("/"))
        if self.session_days < 1 or not 1 <= self.page_size <= 500:
            raise ConfigError("[web] session_days must be >= 1 and page_size 1-500")
        if self.max_body_bytes < 1024:
            raise ConfigError("[web] max_body_bytes must be at least 1024")


# -- feeds and archive (owned by monitor/feeds.py and monitor/archive.py) ------


@dataclass(frozen=True)
class FeedSettings:
    """``[feeds]``: how often feeds and sitemaps are polled and which items are taken.

    Durations are seconds or strings such as ``"10m"``, ``"2d"``.
    """

    interval: int = 600  # seconds between two polls of one feed
    max_age: int = 2 * 86400  # items published longer ago than this are not added
    max_items: int = 500  # items taken from one poll (newest first)
    max_sitemaps: int = 10  # child sitemaps of a sitemap index fetched per poll (newest first)

    def __post_init__(self) -> None:
        if self.interval < 30:
            raise ConfigError("[feeds] interval: at least 30 seconds, to stay polite")
        if self.max_age <= 0 or self.max_items < 1 or self.max_sitemaps < 1:
            raise ConfigError("[feeds] max_age, max_items and max_sitemaps must be positive")


@dataclass(frozen=True)
class ArchiveSettings:
    """``[archive]``: the raw page kept with each version, for ``monitor export --format warc``."""

    keep_raw: bool = True  # keep each version's response, compressed
    keep_raw_days: int = 0  # forget raw responses older than this; 0 = keep forever

    def __post_init__(self) -> None:
        if self.keep_raw_days < 0:
            raise ConfigError("[archive] keep_raw_days: 0 (forever) or more days")


def _duration_setting(raw: Any, origin: str) -> int:
    """A duration setting: seconds as a number, or ``"10m"``, ``"2h"``, ``"2d"``."""
    if isinstance(raw, bool):
        raise ConfigError(f'{origin}: expected seconds or a duration such as "10m"')
    try:
        return parse_duration(raw.strip() if isinstance(raw, str) else raw)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{origin}: {exc}") from exc


@dataclass(frozen=True)
class Settings:
    db_path: Path = DEFAULT_DB
    fetch: FetchSettings = field(default_factory=FetchSettings)
    check: CheckSettings = field(default_factory=CheckSettings)
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    notify: NotifySettings = field(default_factory=NotifySettings)
    web: WebSettings = field(default_factory=WebSettings)
    feeds: FeedSettings = field(default_factory=FeedSettings)
    archive: ArchiveSettings = field(default_factory=ArchiveSettings)
    outlets: Mapping[str, OutletRules] = field(default_factory=dict)

    def outlet_rules(self, host: str) -> OutletRules:
        """Rules for a host, matching the host itself or any parent domain.

        ``www.koreatimes.co.kr`` and ``m.koreatimes.co.kr`` both take the rules
        written for ``koreatimes.co.kr``; the most specific match wins.
        """
        host = host.lower().rstrip(".")
        labels = host.split(".")
        for i in range(len(labels) - 1):
            candidate = ".".join(labels[i:])
            if candidate in self.outlets:
                return self.outlets[candidate]
            if candidate in DEFAULT_OUTLET_TIMEZONES:
                return OutletRules(timezone=DEFAULT_OUTLET_TIMEZONES[candidate])
        return OutletRules()


_SECTIONS: dict[str, type] = {
    "fetch": FetchSettings,
    "check": CheckSettings,
    "schedule": ScheduleSettings,
    "notify": NotifySettings,
    "web": WebSettings,
    "feeds": FeedSettings,
    "archive": ArchiveSettings,
}
# Settings that are not one scalar: (section class, key) -> parser(raw value, origin).
_FIELD_PARSERS: dict[tuple[type, str], Callable[[Any, str], Any]] = {
    (NotifySettings, "urls"): _apprise_urls,
    (NotifySettings, "channels"): _channel_tables,
    (FeedSettings, "interval"): _duration_setting,
    (FeedSettings, "max_age"): _duration_setting,
}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def load_settings(
    config_path: Path | None = None,
    db_path: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Build settings from the TOML file, then the environment, then arguments.

    ``config_path`` defaults to ``MONITOR_CONFIG`` or ``config/monitor.toml``
    when that file exists; an explicitly named file that is missing is an error.
    """
    env = os.environ if environ is None else environ
    explicit = config_path or (Path(env["MONITOR_CONFIG"]) if env.get("MONITOR_CONFIG") else None)
    path = explicit or DEFAULT_CONFIG
    data: dict[str, Any] = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    elif explicit is not None:
        raise ConfigError(f"config file not found: {path}")

    settings = _from_mapping(data, str(path))
    settings = _apply_environment(settings, env)
    if db_path is not None:
        settings = replace(settings, db_path=db_path)
    return settings


def _from_mapping(data: Mapping[str, Any], origin: str) -> Settings:
    unknown = set(data) - {*_SECTIONS, "outlets", "database"}
    if unknown:
        raise ConfigError(f"{origin}: unknown section(s): {', '.join(sorted(unknown))}")
    sections: dict[str, Any] = {}
    for name, cls in _SECTIONS.items():
        sections[name] = _section(cls, data.get(name, {}), f"{origin} [{name}]")
    outlets = {
        host.lower(): _outlet(table, f'{origin} [outlets."{host}"]')
        for host, table in data.get("outlets", {}).items()
    }
    database = data.get("database", {})
    if set(database) - {"path"}:
        raise ConfigError(
            f"{origin} [database]: unknown key(s): {sorted(set(database) - {'path'})}"
        )
    db_path = Path(database["path"]) if "path" in database else DEFAULT_DB
    return Settings(db_path=db_path, outlets=outlets, **sections)


def _section(cls: type, table: Any, origin: str) -> Any:
    if not isinstance(table, dict):
        raise ConfigError(f"{origin}: must be a table")
    known = {f.name: f for f in fields(cls)}
    unknown = set(table) - set(known)
    if unknown:
        raise ConfigError(f"{origin}: unknown key(s): {', '.join(sorted(unknown))}")
    values = {}
    for key, raw in table.items():
        if key == "intervals":
            values[key] = _interval_table(raw, f"{origin} {key}")
        elif (cls, key) in _FIELD_PARSERS:
            values[key] = _FIELD_PARSERS[cls, key](raw, f"{origin} {key}")
        else:
            values[key] = _coerce(raw, type(getattr(cls(), key)), f"{origin} {key}")
    return cls(**values)


def _interval_table(raw: Any, origin: str) -> tuple[tuple[int, int], ...]:
    """``[["3h", "5m"], ["24h", "15m"]]``: rows of (younger than, check every), ages rising."""
    try:
        rows = tuple((parse_duration(age), parse_duration(every)) for age, every in raw)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f'{origin}: expected rows like ["3h", "5m"]: {exc}') from exc
    ages = [age for age, _ in rows]
    if not rows or ages != sorted(set(ages)) or any(every <= 0 for _, every in rows):
        raise ConfigError(f"{origin}: ages must rise and intervals be positive")
    return rows


def _outlet(table: Any, origin: str) -> OutletRules:
    if not isinstance(table, dict):
        raise ConfigError(f"{origin}: must be a table")
    known = {f.name for f in fields(OutletRules)}
    unknown = set(table) - known
    if unknown:
        raise ConfigError(f"{origin}: unknown key(s): {', '.join(sorted(unknown))}")
    values = dict(table)
    if "ignore_selectors" in values:
        selectors = values["ignore_selectors"]
        if isinstance(selectors, str):
            selectors = [selectors]
        values["ignore_selectors"] = tuple(str(s) for s in selectors)
    if values.get("timezone"):
        try:
            ZoneInfo(values["timezone"])
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(f"{origin}: unknown time zone {values['timezone']!r}") from exc
    selectors = [
        selector
        for selector in (
            *(values.get(key) for key in ("body_selector", "posted_selector", "updated_selector")),
            *values.get("ignore_selectors", ()),
        )
        if selector
    ]
    if selectors:
        # lxml is loaded only for a config that names selectors: 20 to 50 ms at
        # every command's start, and the checker's own process needs it for nothing else.
        from lxml.cssselect import CSSSelector, SelectorError

        for selector in selectors:
            try:
                CSSSelector(selector)
            except SelectorError as exc:
                raise ConfigError(f"{origin}: not a CSS selector: {selector!r} ({exc})") from exc
    return OutletRules(**values)


def _coerce(raw: Any, kind: type, origin: str) -> Any:
    """Check a TOML value (or an environment string) against the default's type."""
    if isinstance(raw, str) and kind is not str:
        text = raw.strip().lower()
        if kind is bool:
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
            raise ConfigError(f"{origin}: expected true or false, got {raw!r}")
        try:
            return kind(text)
        except ValueError as exc:
            raise ConfigError(f"{origin}: expected a {kind.__name__}, got {raw!r}") from exc
    if kind is float and isinstance(raw, int) and not isinstance(raw, bool):
        return float(raw)
    if not isinstance(raw, kind) or (kind is int and isinstance(raw, bool)):
        raise ConfigError(f"{origin}: expected a {kind.__name__}, got {raw!r}")
    return raw


# Short names kept for the variables DESIGN.md and the README promise.
_ENV_ALIASES = {"MONITOR_ALLOW_PRIVATE_HOSTS": ("fetch", "allow_private_hosts")}


def _apply_environment(settings: Settings, env: Mapping[str, str]) -> Settings:
    """``MONITOR_<SECTION>_<KEY>`` overrides ``[section] key``; ``MONITOR_DB`` the database."""
    if env.get("MONITOR_DB"):
        settings = replace(settings, db_path=Path(env["MONITOR_DB"]))
    for name, cls in _SECTIONS.items():
        section = getattr(settings, name)
        changes = {}
        for f in fields(cls):
            var = f"MONITOR_{name.upper()}_{f.name.upper()}"
            alias = next(
                (a for a, target in _ENV_ALIASES.items() if target == (name, f.name)), None
            )
            for candidate in (var, alias):
                if candidate and candidate in env and f.name == "intervals":
                    changes[f.name] = _interval_table(_json_value(env[candidate]), candidate)
                elif candidate and candidate in env and (cls, f.name) in _FIELD_PARSERS:
                    changes[f.name] = _FIELD_PARSERS[cls, f.name](env[candidate], candidate)
                elif candidate and candidate in env:
                    changes[f.name] = _coerce(
                        env[candidate], type(getattr(cls(), f.name)), candidate
                    )
        if changes:
            settings = replace(settings, **{name: replace(section, **changes)})
    return settings


def _json_value(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f'expected JSON such as [["3h", "5m"]], got {text!r}') from exc
