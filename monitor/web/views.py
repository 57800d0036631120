"""Shapes shared by the pages, the API and the feeds: JSON documents, filters, timelines.

Kept apart from the routes so a page and its API twin cannot drift: both
read the same filter words, list the same edits and describe an article
with the same keys.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from monitor.cadence import parse_since as parse_moment
from monitor.errors import UsageError
from monitor.models import (
    FLAG_BYLINE,
    FLAG_CORRECTION,
    FLAG_HEADLINE,
    FLAG_NUMBERS,
    FLAG_QUOTE,
    FLAG_REMOVED,
    FLAG_REVERTED,
    Article,
    Check,
    Kind,
    Outcome,
    State,
    Version,
    iso,
)
from monitor.review import article_summary, version_summary
from monitor.store import EditEntry, Store

# What "kind of edit" filters accept: the two kinds, then the flags.
EDIT_CHOICES = (
    Kind.DECLARED.value,
    Kind.STEALTH.value,
    FLAG_HEADLINE,
    FLAG_BYLINE,
    FLAG_CORRECTION,
    FLAG_NUMBERS,
    FLAG_QUOTE,
    FLAG_REMOVED,
    FLAG_REVERTED,
)
STATE_CHOICES = tuple(s.value for s in State)
SORT_CHOICES = {"recent": "most recently edited", "edits": "most edited", "added": "newest added"}
# Checks worth a line in an article's timeline; "unchanged" ones are not.
EVENT_OUTCOMES = (Outcome.TIMESTAMP_ONLY, Outcome.ERROR, Outcome.GONE)
MAX_ID = 2**63 - 1  # SQLite's largest integer: bigger ids are refused, not overflow errors
# New URLs checked at once when added from the web; the rest are due now and the
# scheduler takes them, so a paste of 500 URLs does not hold one request for minutes.
MAX_CHECKED_ON_ADD = 20


def article_json(article: Article) -> dict[str, Any]:
    """An article as the API shows it: ``monitor list --json``'s keys and a few more."""
    return {
        **article_summary(article),
        "final_url": article.final_url,
        "canonical_url": article.canonical_url,
        "posted_raw": article.posted_raw,
        "updated_raw": article.updated_raw,
        "last_changed_at": iso(article.last_changed_at),
        "links": {
            "self": f"/api/articles/{article.id}",
            "versions": f"/api/articles/{article.id}/versions",
            "page": f"/articles/{article.id}",
            "feed": f"/feeds/articles/{article.id}.atom",
        },
    }


def version_json(version: Version, *, full: bool = False) -> dict[str, Any]:
    document = version_summary(version)
    document["links"] = {
        "self": f"/api/articles/{version.article_id}/versions/{version.n}",
        "page": f"/articles/{version.article_id}/versions/{version.n}",
    }
    if version.n > 1:
        document["links"]["diff"] = (
            f"/api/articles/{version.article_id}/diff?from={version.n - 1}&to={version.n}"
        )
    if full:
        document["body"] = version.body
        document["paragraphs"] = list(version.paragraphs)
    return document


def edit_json(entry: EditEntry) -> dict[str, Any]:
    version = entry.version
    return {
        "article_id": version.article_id,
        "url": entry.url,
        "outlet": entry.outlet,
        "title": entry.article_title,
        "tags": list(entry.tags),
        "version": version_json(version),
        "links": {
            "diff": f"/api/articles/{version.article_id}/diff?from={version.n - 1}&to={version.n}",
            "page": f"/articles/{version.article_id}/diff?from={version.n - 1}&to={version.n}",
        },
    }


def parse_since(text: str | None, now: datetime) -> datetime | None:
    """The ``since`` filter: none when empty, else as ``cadence.parse_since`` reads it."""
    return parse_moment(text, now) if text and text.strip() else None


def choice(value: str | None, allowed: tuple[str, ...] | dict[str, str], name: str) -> str | None:
    """An optional filter word, checked against its list (pages get "" for "any")."""
    if value is None or value == "":
        return None
    if value not in allowed:
        raise UsageError(f"{name}: expected one of {', '.join(allowed)}, got {value!r}")
    return value


# -- an article's timeline -------------------------------------------------------


@dataclass(frozen=True)
class Event:
    """One line of an article's timeline."""

    at: datetime
    what: str  # "posted", "version", "timestamp_only", "error", "gone"
    version: Version | None = None
    check: Check | None = None
    raw: str | None = None  # the page's own words for a time, when there are some


def timeline(store: Store, article: Article, versions: list[Version]) -> list[Event]:
    """Posted, every version, and the eventful checks, oldest first."""
    events: list[Event] = []
    posted_at, posted_raw = article.posted_at, article.posted_raw
    if posted_at is None and versions and versions[0].posted_at is not None:
        posted_at, posted_raw = versions[0].posted_at, versions[0].posted_raw
    if posted_at is not None:
        events.append(Event(posted_at, "posted", raw=posted_raw))
    events.extend(Event(v.fetched_at, "version", version=v) for v in versions)
    for check in store.article_events(article.id, EVENT_OUTCOMES):
        events.append(Event(check.at, check.outcome.value, check=check))
    order = {"posted": 0, "version": 1}
    return sorted(events, key=lambda e: (e.at, order.get(e.what, 2)))


# -- pagination ------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """Where a list page sits in the whole list, with links to its neighbours."""

    total: int
    limit: int
    offset: int
    next: str | None
    previous: str | None

    @property
    def first(self) -> int:
        return min(self.offset + 1, self.total)

    @property
    def last(self) -> int:
        return min(self.offset + self.limit, self.total)


def paginate(
    path: str, params: Iterable[tuple[str, str]], total: int, limit: int, offset: int
) -> Page:
    """Links to the next and previous pages, keeping the other query parameters."""
    kept = [(k, v) for k, v in params if v != "" and k != "offset"]

    def link(at: int) -> str:
        query = [*kept, ("offset", str(at))] if at else kept
        return f"{path}?{urlencode(query)}" if query else path

    following = link(offset + limit) if offset + limit < total else None
    preceding = link(max(0, offset - limit)) if offset > 0 else None
    return Page(total, limit, offset, following, preceding)
