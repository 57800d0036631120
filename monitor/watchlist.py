"""Changing the watchlist: add, pause, resume, remove, and finding articles by URL.

Service functions the CLI (and later the web API) call, so both spell the
rules once: URLs are normalised before they touch the store, removing keeps
history unless purged, and a URL the user types is looked up by its watched,
final or canonical form.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from monitor.cadence import parse_duration
from monitor.errors import NotFoundError, UsageError
from monitor.models import Article, State
from monitor.netguard import check_url
from monitor.store import Store
from monitor.urls import normalise_url, outlet_of

MIN_INTERVAL_S = 30
MAX_INTERVAL_S = 366 * 86400  # a year: longer ones overflow date arithmetic in the scheduler


@dataclass(frozen=True)
class Added:
    article: Article
    created: bool


def parse_interval(text: str) -> int:
    """``"10m"`` -> 600 seconds. Bare numbers are seconds; at least 30 s to stay polite."""
    try:
        seconds = parse_duration(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    if seconds < MIN_INTERVAL_S:
        raise UsageError(f"interval {text!r} is shorter than {MIN_INTERVAL_S} seconds")
    if seconds > MAX_INTERVAL_S:
        raise UsageError(f"interval {text!r} is longer than a year")
    return seconds


def add_urls(
    store: Store,
    urls: Sequence[str],
    *,
    now: datetime,
    tags: Sequence[str] = (),
    interval_s: int | None = None,
    allow_private: bool = False,
) -> list[Added]:
    """Watch every URL; all are validated before any is written.

    Private and loopback IP literals are refused here already (unless
    allowed), so the watchlist never holds a URL the fetcher would refuse.
    """
    normalised = [check_url(normalise_url(url), allow_private=allow_private) for url in urls]
    clean_tags = [tag.strip() for tag in tags if tag.strip()]
    added = []
    for url in dict.fromkeys(normalised):
        article, created = store.add_article(
            url, outlet_of(url), now=now, tags=clean_tags, interval_s=interval_s
        )
        added.append(Added(article, created))
    return added


def find_article(store: Store, url_or_id: str) -> Article:
    """The watched article for a URL (in any of its forms) or a numeric id."""
    text = url_or_id.strip()
    if text.isdigit():
        return store.article(int(text))
    article = store.find_article(normalise_url(text))
    if article is None:
        raise NotFoundError(f"not watched: {text}")
    return article


def set_watch_state(
    store: Store, urls: Sequence[str], state: State, now: datetime
) -> list[Article]:
    """Pause, resume or remove (keeping history) every given article."""
    articles = [find_article(store, url) for url in urls]
    for article in articles:
        next_check = now if state == State.ACTIVE else None
        store.set_state(article.id, state, next_check_at=next_check)
    return [store.article(a.id) for a in articles]


def purge_articles(store: Store, urls: Sequence[str]) -> list[Article]:
    """Forget articles and their whole history."""
    articles = [find_article(store, url) for url in urls]
    for article in articles:
        store.delete_article(article.id)
    return articles
