"""Watch whole outlets: RSS, Atom and XML sitemaps turned into watched articles.

A newsroom announces every story in a feed or a (Google News) sitemap, so
polling those is how monitor finds articles nobody added by hand. This module:

- reads RSS 0.9x/1.0/2.0 and Atom with feedparser, and XML sitemaps, Google
  News sitemaps (``<news:publication_date>``) and sitemap indexes (the newest
  ``feeds.max_sitemaps`` children) with lxml. XML is parsed without entity
  expansion, DTDs or network access; a document that declares entities is
  refused outright (no honest feed needs one), which also closes XXE and
  "billion laughs" whatever the parser's defaults;
- given a site's home page instead of a feed, finds its feeds from
  ``<link rel="alternate" type="application/rss+xml|atom+xml">``;
- fetches through the project's :class:`~monitor.fetch.Fetcher`, so every
  request is guarded against private addresses, polite, and conditional
  (the feed's stored ETag/Last-Modified: an unchanged feed costs one 304);
- turns each new item (normalised, once per feed: ``feed_items`` remembers
  them, so an article the user removed is not brought back) younger than
  ``feeds.max_age`` into a watched article with the feed's tags, due at
  once. The feed's published time becomes the article's Posted time until
  the page shows its own;
- records each item's updated time: when a feed bumps an item's
  ``<updated>`` (or a sitemap its ``<lastmod>``) the article is made due now,
  because an outlet saying it updated a story is the strongest hint of an edit.

An item with a link that is not http(s), or that names a private address, is
skipped with a logged reason; nothing in one item can fail the whole poll.
"""

from __future__ import annotations

import asyncio
import calendar
import email.utils
import io
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urljoin

import feedparser  # type: ignore[import-untyped]
import lxml.html
from lxml import etree

from monitor.config import Settings
from monitor.errors import FetchError, MonitorError, UsageError
from monitor.fetch import Fetcher
from monitor.models import Fetched, iso
from monitor.netguard import check_url
from monitor.store import Feed, FeedPoll, NewFeedItem, Store
from monitor.text import clean_text
from monitor.urls import normalise_url, outlet_of
from monitor.watchlist import add_urls

log = logging.getLogger("monitor.feeds")

FEED_LINK_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml"}
)
MAX_DISCOVERED = 20  # feeds taken from one home page
MAX_ERROR_BACKOFF = timedelta(hours=6)

_SITEMAP_ROOTS = {"urlset", "sitemapindex"}
_FEED_ROOTS = {"rss", "feed", "rdf", "channel"}
_COMMENTS = re.compile(r"<!--.*?-->", re.DOTALL)
_FIRST_ELEMENT = re.compile(r"<([A-Za-z_][\w:.-]*)")
_ENTITY_DECLARATION = re.compile(r"<!ENTITY", re.IGNORECASE)


class NotAFeedError(UsageError):
    """The document is neither a feed nor a sitemap (nor a page that links to one)."""


# -- parsing (pure) -------------------------------------------------------------


@dataclass(frozen=True)
class FeedEntry:
    """One item as the feed states it: its link and its own times."""

    link: str
    published: datetime | None = None
    published_raw: str | None = None
    updated: datetime | None = None
    title: str | None = None

    @property
    def date(self) -> datetime | None:
        """The time the age filter goes by: published, else updated."""
        return self.published or self.updated


@dataclass(frozen=True)
class SitemapRef:
    """A child sitemap named by a sitemap index."""

    url: str
    lastmod: datetime | None = None


@dataclass(frozen=True)
class ParsedDocument:
    """What a fetched feed URL turned out to be, and what it lists."""

    kind: str  # rss20, rss10, atom10…, sitemap, news-sitemap, sitemap-index, html
    title: str | None = None
    entries: tuple[FeedEntry, ...] = ()
    children: tuple[SitemapRef, ...] = ()  # sitemap-index only
    feed_links: tuple[str, ...] = ()  # html only: the feeds the page links to


def parse_document(text: str, url: str, content_type: str | None = None) -> ParsedDocument:
    """Read a feed, a sitemap or a web page; raises NotAFeedError for anything else.

    Sniffs the root element rather than trusting Content-Type: plenty of
    servers send feeds as ``text/html`` or ``text/plain``.
    """
    head = _COMMENTS.sub("", text[:65536])
    match = _FIRST_ELEMENT.search(head)
    if match and _ENTITY_DECLARATION.search(head[: match.start()]):
        raise NotAFeedError(f"{url}: the document declares XML entities; refused")
    root = match.group(1).split(":")[-1].lower() if match else ""
    if root in _SITEMAP_ROOTS:
        return parse_sitemap(text, url)
    if root in _FEED_ROOTS:
        return parse_feed(text, url)
    if root in ("html", "head", "body") or "html" in (content_type or "").lower():
        return ParsedDocument(kind="html", feed_links=tuple(discover_feeds(text, url)))
    if not root:
        raise NotAFeedError(f"{url}: not a feed or sitemap (no XML found)")
    return parse_feed(text, url)


def parse_feed(text: str, url: str) -> ParsedDocument:
    """RSS or Atom through feedparser, handed bytes in a stream.

    A stream, never a string: feedparser fetches a string that looks like a
    URL and opens one that names a file. The text is already decoded, so it
    goes in as UTF-8 with a header saying so (an HTTP charset overrides the
    XML declaration), and Content-Location lets relative links resolve.
    """
    parsed = feedparser.parse(
        io.BytesIO(text.encode("utf-8")),
        response_headers={
            "content-type": "application/xml; charset=utf-8",
            "content-location": url,
        },
        sanitize_html=False,
    )
    version = parsed.get("version") or ""
    if not version and not parsed.entries:
        reason = parsed.get("bozo_exception")
        raise NotAFeedError(f"{url}: not a feed or sitemap" + (f" ({reason})" if reason else ""))
    atom = version.startswith("atom")
    entries = []
    for entry in parsed.entries:
        link = _entry_link(entry)
        if not link:
            continue
        # dict.get, not entry.get: feedparser maps a missing "updated" to
        # "published" with a DeprecationWarning.
        published = _struct_time(dict.get(entry, "published_parsed"))
        published_raw = dict.get(entry, "published")
        updated = _struct_time(dict.get(entry, "updated_parsed"))
        if published is None and not atom and updated is not None:
            # RSS 1.0's dc:date (and RSS 2.0 feeds using it) is the publication time.
            published, published_raw, updated = updated, dict.get(entry, "updated"), None
        entries.append(
            FeedEntry(
                link=urljoin(url, link.strip()),
                published=published,
                published_raw=published_raw,
                updated=updated,
                title=_plain_title(entry),
            )
        )
    return ParsedDocument(
        kind=version or "feed", title=_plain_title(parsed.feed), entries=tuple(entries)
    )


def _plain_title(holder: Any) -> str | None:
    """A title as plain text: feedparser hands over (sanitised) HTML when a title holds markup.

    Shown as text everywhere, markup would read as ``<b>bold</b>``; taken as
    text, it cannot run anywhere either.
    """
    title = dict.get(holder, "title")
    if not title:
        return None
    if "html" in (dict.get(holder, "title_detail") or {}).get("type", ""):
        title = lxml.html.fragment_fromstring(title, create_parent="div").text_content()
    return clean_text(title) or None


def _entry_link(entry: Any) -> str | None:
    link = dict.get(entry, "link")
    if link:
        return str(link)
    for candidate in dict.get(entry, "links") or ():
        if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
            return str(candidate["href"])
    guid = dict.get(entry, "id")
    if guid and dict.get(entry, "guidislink") and str(guid).startswith(("http://", "https://")):
        return str(guid)
    return None


def _struct_time(value: Any) -> datetime | None:
    """feedparser's UTC struct_time as an aware datetime."""
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def xml_parser() -> etree.XMLParser:
    """An lxml parser that expands no entities, loads no DTD and touches no network."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        encoding="utf-8",
    )


def parse_sitemap(text: str, url: str) -> ParsedDocument:
    """An XML sitemap, a Google News sitemap or a sitemap index.

    Element names are matched by local name, so the 0.9 namespace, Google's
    old 0.84 one and no namespace at all read the same. ``<lastmod>`` is the
    item's updated time; ``<news:publication_date>`` its published time.
    """
    try:
        root = etree.fromstring(text.encode("utf-8"), xml_parser())
    except etree.XMLSyntaxError as exc:
        raise NotAFeedError(f"{url}: not well-formed XML: {exc}") from exc
    if _local(root) == "sitemapindex":
        children = []
        for node in root:
            if _local(node) != "sitemap":
                continue
            fields = _child_texts(node)
            if fields.get("loc"):
                children.append(
                    SitemapRef(urljoin(url, fields["loc"]), parse_w3c_time(fields.get("lastmod")))
                )
        return ParsedDocument(kind="sitemap-index", children=tuple(children))
    entries = []
    news = False
    for node in root:
        if _local(node) != "url":
            continue
        fields = _child_texts(node)
        if not fields.get("loc"):
            continue
        published_raw = None
        title = None
        for child in node:
            if _local(child) == "news":
                news = True
                inner = _child_texts(child)
                published_raw = inner.get("publication_date")
                title = inner.get("title")
        entries.append(
            FeedEntry(
                link=urljoin(url, fields["loc"]),
                published=parse_w3c_time(published_raw),
                published_raw=published_raw,
                updated=parse_w3c_time(fields.get("lastmod")),
                title=title,
            )
        )
    return ParsedDocument(kind="news-sitemap" if news else "sitemap", entries=tuple(entries))


def _local(node: Any) -> str:
    tag = node.tag
    if not isinstance(tag, str):  # an entity reference or other non-element node
        return ""
    return tag.rsplit("}", 1)[-1].lower()


def _child_texts(node: Any) -> dict[str, str]:
    return {_local(child): (child.text or "").strip() for child in node if _local(child)}


_FRACTION = re.compile(r"(\.\d{6})\d+")


def parse_w3c_time(text: str | None) -> datetime | None:
    """A sitemap time: W3C datetime (a date, or a time with an offset), UTC when naive.

    RFC 822 dates (wrong in a sitemap, yet seen) are read too; anything else
    is None, never an error: one bad date must not fail a poll.
    """
    if not text or not text.strip():
        return None
    value = _FRACTION.sub(r"\1", text.strip())
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        try:
            moment = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def discover_feeds(html: str, base_url: str) -> list[str]:
    """The feeds a web page links to with ``<link rel="alternate" type="…rss/atom+xml">``.

    Comment feeds (WordPress lists one next to the posts feed) are left out:
    their items point at comments, not stories.
    """
    try:
        document = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return []
    base = base_url
    for node in document.iter("base"):
        if node.get("href"):
            base = urljoin(base_url, node.get("href", ""))
            break
    found: list[str] = []
    for node in document.iter("link"):
        rel = (node.get("rel") or "").lower().split()
        kind = (node.get("type") or "").lower().split(";")[0].strip()
        href = (node.get("href") or "").strip()
        if "alternate" not in rel or kind not in FEED_LINK_TYPES or not href:
            continue
        if "comment" in (node.get("title") or "").lower():
            continue
        url = urljoin(base, href)
        if url not in found:
            found.append(url)
    return found[:MAX_DISCOVERED]


# -- polling ----------------------------------------------------------------------


@dataclass(frozen=True)
class PollResult:
    """What one poll of one feed did."""

    url: str
    outcome: str  # "polled", "not_modified", "error", "replaced" (a page: its feeds were added)
    kind: str | None = None
    items: int = 0  # items the feed (and its child sitemaps) listed
    added: tuple[str, ...] = ()  # article URLs newly watched
    known: int = 0  # items this feed listed before
    old: int = 0  # items older than feeds.max_age (or undated sitemap entries)
    skipped: tuple[tuple[str, str], ...] = ()  # (link, reason): not http(s), private…
    due: tuple[int, ...] = ()  # articles made due because the feed's updated time moved
    error: str | None = None
    feeds: tuple[str, ...] = ()  # "replaced": the feeds found on the page

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "outcome": self.outcome,
            "kind": self.kind,
            "items": self.items,
            "added": list(self.added),
            "known": self.known,
            "old": self.old,
            "skipped": [{"link": link, "reason": reason} for link, reason in self.skipped],
            "due": list(self.due),
            "error": self.error,
            "feeds": list(self.feeds),
        }


@dataclass(frozen=True)
class FeedAdded:
    """One feed ``feed add`` registered (several when given a home page)."""

    url: str
    feed: Feed | None  # None when this discovered feed could not be added
    created: bool = False
    poll: PollResult | None = None
    error: str | None = None
    found_on: str | None = None  # the home page it was discovered on

    def to_json(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "id": self.feed.id if self.feed else None,
            "created": self.created,
            "found_on": self.found_on,
            "error": self.error,
            "poll": self.poll.to_json() if self.poll else None,
        }


async def add_feed(
    store: Store,
    settings: Settings,
    fetcher: Fetcher,
    url: str,
    *,
    now: datetime,
    tags: Sequence[str] = (),
    poll: bool = True,
) -> list[FeedAdded]:
    """Watch a feed or sitemap, or the feeds a home page links to, and poll it once.

    With ``poll`` the URL is fetched first, so a typo, a 404 or a page that
    is not a feed is reported before anything is stored; without it (OPML
    import) the feed is only registered and its first poll, due at once,
    finds out what it is.
    """
    clean = check_url(normalise_url(url), allow_private=settings.fetch.allow_private_hosts)
    clean_tags = sorted({t.strip() for t in tags if t.strip()})
    if not poll:
        feed, created = register_feed(store, settings, clean, now=now, tags=clean_tags)
        return [FeedAdded(clean, feed, created)]
    fetched = await _fetch(fetcher, settings, clean)
    if not 200 <= fetched.status < 300:
        raise FetchError(f"HTTP {fetched.status}: {clean}", fetched.status)
    document = parse_document(fetched.text, fetched.final_url, fetched.content_type)
    if document.kind == "html":
        if not document.feed_links:
            raise NotAFeedError(f"{clean} is a web page that links to no RSS or Atom feed")
        added: list[FeedAdded] = []
        for link in document.feed_links:
            try:
                found = await _add_found_feed(store, settings, fetcher, link, now, clean_tags)
            except MonitorError as exc:
                added.append(FeedAdded(link, None, error=str(exc), found_on=clean))
            else:
                added.append(replace(found, found_on=clean))
        return added
    feed, created = store.add_feed(clean, now=now, tags=clean_tags)
    result = await _take(store, settings, fetcher, feed, fetched, document, now)
    return [FeedAdded(clean, store.feed(feed.id), created, result)]


def register_feed(
    store: Store, settings: Settings, url: str, *, now: datetime, tags: Sequence[str] = ()
) -> tuple[Feed, bool]:
    """Watch a feed without fetching it: its first poll (due at once) finds out what it is.

    For OPML imports, where the list says what is a feed. Returns the feed
    and whether it is new; an existing feed gets the tags merged.
    """
    clean = check_url(normalise_url(url), allow_private=settings.fetch.allow_private_hosts)
    return store.add_feed(clean, now=now, tags=sorted({t.strip() for t in tags if t.strip()}))


async def _add_found_feed(
    store: Store,
    settings: Settings,
    fetcher: Fetcher,
    url: str,
    now: datetime,
    tags: Sequence[str],
) -> FeedAdded:
    """A feed linked from a home page: must be a feed itself, not another page."""
    clean = check_url(normalise_url(url), allow_private=settings.fetch.allow_private_hosts)
    fetched = await _fetch(fetcher, settings, clean)
    if not 200 <= fetched.status < 300:
        raise FetchError(f"HTTP {fetched.status}: {clean}", fetched.status)
    document = parse_document(fetched.text, fetched.final_url, fetched.content_type)
    if document.kind == "html":
        raise NotAFeedError(f"{clean}: linked as a feed, but it is a web page")
    feed, created = store.add_feed(clean, now=now, tags=tags)
    result = await _take(store, settings, fetcher, feed, fetched, document, now)
    return FeedAdded(clean, store.feed(feed.id), created, result)


def feed_to_json(feed: Feed) -> dict[str, Any]:
    """A watched feed as ``monitor feed list --json`` and ``GET /api/feeds`` show it."""
    return {
        "id": feed.id,
        "url": feed.url,
        "kind": feed.kind,
        "title": feed.title,
        "tags": list(feed.tags),
        "added_at": iso(feed.added_at),
        "last_polled_at": iso(feed.last_polled_at),
        "next_poll_at": iso(feed.next_poll_at),
        "articles_found": feed.articles_found,
        "items_seen": feed.items_seen,
        "error_count": feed.error_count,
        "last_error": feed.last_error,
    }


def find_feed(store: Store, url_or_id: str) -> Feed:
    """A watched feed by its URL (in any spelling that normalises alike) or numeric id."""
    text = url_or_id.strip()
    if text.isdigit():
        return store.feed(int(text))
    feed = store.find_feed(normalise_url(text))
    if feed is None:
        raise UsageError(f"no such feed: {text}")
    return feed


async def poll_due_feeds(
    store: Store,
    settings: Settings,
    fetcher: Fetcher,
    now: datetime,
    *,
    stopping: asyncio.Event | None = None,
    concurrency: int = 4,
) -> list[PollResult]:
    """Poll every feed whose next poll is due; errors are recorded per feed, never raised."""
    results: list[PollResult] = []
    polled: set[int] = set()
    while stopping is None or not stopping.is_set():
        batch = store.due_feeds(now, limit=50)
        due = [feed for feed in batch if feed.id not in polled]  # each feed once per call
        if not due:
            break
        polled.update(feed.id for feed in due)
        results.extend(await poll_feeds(store, settings, fetcher, due, now, concurrency))
        if len(batch) < 50:
            break
    return results


async def poll_feeds(
    store: Store,
    settings: Settings,
    fetcher: Fetcher,
    feeds: Sequence[Feed],
    now: datetime,
    concurrency: int = 4,
) -> list[PollResult]:
    """Poll the given feeds now, a few at a time (the fetcher keeps each host polite)."""
    limit = asyncio.Semaphore(max(1, concurrency))

    async def one(feed: Feed) -> PollResult:
        async with limit:
            return await poll_feed(store, settings, fetcher, feed, now)

    return list(await asyncio.gather(*(one(f) for f in feeds)))


async def poll_feed(
    store: Store, settings: Settings, fetcher: Fetcher, feed: Feed, now: datetime
) -> PollResult:
    """Fetch one feed conditionally and take its new items; never raises for bad input."""
    try:
        fetched = await _fetch(fetcher, settings, feed.url, feed.etag, feed.last_modified)
        if fetched.not_modified:
            store.record_feed_poll(
                feed.id,
                FeedPoll(
                    at=now,
                    next_poll_at=_next_poll(settings, now),
                    validators=(fetched.etag, fetched.last_modified),
                ),
            )
            return PollResult(feed.url, "not_modified", kind=feed.kind)
        if not 200 <= fetched.status < 300:
            return _failed(store, settings, feed, now, f"HTTP {fetched.status}")
        document = parse_document(fetched.text, fetched.final_url, fetched.content_type)
        if document.kind == "html":
            return _replace_with_found(store, settings, feed, document, now)
        return await _take(store, settings, fetcher, feed, fetched, document, now)
    except asyncio.CancelledError:
        raise
    except MonitorError as exc:
        return _failed(store, settings, feed, now, str(exc))
    except Exception as exc:  # one broken feed must not stop the others
        log.exception("feed %s: poll failed", feed.url)
        return _failed(store, settings, feed, now, f"{type(exc).__name__}: {exc}")


def _replace_with_found(
    store: Store, settings: Settings, feed: Feed, document: ParsedDocument, now: datetime
) -> PollResult:
    """A feed URL that turned out to be a web page (an OPML entry, a moved feed).

    Its linked feeds take its place, with its tags, due for their first poll.
    """
    if not document.feed_links:
        return _failed(store, settings, feed, now, "a web page that links to no RSS or Atom feed")
    added = []
    for link in document.feed_links:
        try:
            clean = check_url(normalise_url(link), allow_private=settings.fetch.allow_private_hosts)
        except MonitorError as exc:
            log.warning("feed %s: skipped feed link %s: %s", feed.url, link, exc)
            continue
        store.add_feed(clean, now=now, tags=feed.tags)
        added.append(clean)
    if not added:
        return _failed(store, settings, feed, now, "a web page whose feed links are all refused")
    store.delete_feed(feed.id)
    log.info("feed %s is a web page; watching its feeds instead: %s", feed.url, ", ".join(added))
    return PollResult(feed.url, "replaced", kind="html", feeds=tuple(added))


def _failed(store: Store, settings: Settings, feed: Feed, now: datetime, reason: str) -> PollResult:
    """Record a failed poll; the next one waits longer after each failure in a row."""
    log.warning("feed %s: %s", feed.url, reason)
    wait = timedelta(seconds=settings.feeds.interval) * 2 ** min(feed.error_count, 6)
    store.record_feed_poll(
        feed.id,
        FeedPoll(at=now, next_poll_at=now + min(wait, MAX_ERROR_BACKOFF), error=reason),
    )
    return PollResult(feed.url, "error", kind=feed.kind, error=reason)


async def _take(
    store: Store,
    settings: Settings,
    fetcher: Fetcher,
    feed: Feed,
    fetched: Fetched,
    document: ParsedDocument,
    now: datetime,
) -> PollResult:
    """Turn a parsed feed's new items into articles and record the poll."""
    entries = list(document.entries)
    children = None
    error = None
    if document.kind == "sitemap-index":
        entries, children, error = await _child_entries(store, settings, fetcher, feed, document)
    result = _take_entries(store, settings, feed, entries, document.kind, now)
    store.record_feed_poll(
        feed.id,
        FeedPoll(
            at=now,
            next_poll_at=_next_poll(settings, now),
            kind=document.kind,
            title=document.title,
            validators=(fetched.etag, fetched.last_modified),
            children=children,
            articles_added=len(result.added),
            error=error,
        ),
    )
    log.info(
        "feed %s: %d items, %d added, %d known, %d old, %d skipped, %d made due",
        feed.url,
        result.items,
        len(result.added),
        result.known,
        result.old,
        len(result.skipped),
        len(result.due),
    )
    return PollResult(
        feed.url,
        "polled",
        kind=document.kind,
        items=result.items,
        added=result.added,
        known=result.known,
        old=result.old,
        skipped=result.skipped,
        due=result.due,
        error=error,
    )


async def _child_entries(
    store: Store, settings: Settings, fetcher: Fetcher, feed: Feed, document: ParsedDocument
) -> tuple[list[FeedEntry], dict[str, tuple[str | None, str | None]], str | None]:
    """The items of a sitemap index's newest child sitemaps, fetched conditionally.

    Indexes of big outlets list a sitemap per day or month going back years:
    only the ``feeds.max_sitemaps`` newest by ``<lastmod>`` (or, undated, the
    last listed) are read, one level deep.
    """
    ordered = sorted(
        enumerate(document.children),
        key=lambda pair: (pair[1].lastmod or datetime.min.replace(tzinfo=UTC), pair[0]),
        reverse=True,
    )
    chosen = [ref for _, ref in ordered[: settings.feeds.max_sitemaps]]
    entries: list[FeedEntry] = []
    validators: dict[str, tuple[str | None, str | None]] = {}
    failures: list[str] = []
    for ref in chosen:
        try:
            url = check_url(
                normalise_url(ref.url), allow_private=settings.fetch.allow_private_hosts
            )
            etag, last_modified = feed.children.get(url, (None, None))
            fetched = await _fetch(fetcher, settings, url, etag, last_modified)
            if fetched.not_modified:
                validators[url] = (fetched.etag, fetched.last_modified)
                continue
            if not 200 <= fetched.status < 300:
                raise FetchError(f"HTTP {fetched.status}")
            child = parse_document(fetched.text, fetched.final_url, fetched.content_type)
            if child.kind not in ("sitemap", "news-sitemap"):
                raise NotAFeedError(f"a {child.kind}, not a sitemap of pages")
        except MonitorError as exc:
            log.warning("feed %s: child sitemap %s: %s", feed.url, ref.url, exc)
            failures.append(f"{ref.url}: {exc}")
            continue
        validators[url] = (fetched.etag, fetched.last_modified)
        entries.extend(child.entries)
    error = None
    if failures:
        error = f"{len(failures)} of {len(chosen)} child sitemaps failed; first: {failures[0]}"
    return entries, validators, error


@dataclass(frozen=True)
class _Taken:
    items: int
    added: tuple[str, ...]
    known: int
    old: int
    skipped: tuple[tuple[str, str], ...]
    due: tuple[int, ...]


def _take_entries(
    store: Store,
    settings: Settings,
    feed: Feed,
    entries: Sequence[FeedEntry],
    kind: str,
    now: datetime,
) -> _Taken:
    """Decide item by item: known, too old, refused, or a new watched article.

    Each item is written on its own (``record_feed_item`` is one
    transaction), so an interrupted poll leaves whole items, and the next
    poll carries on where it stopped.
    """
    allow_private = settings.fetch.allow_private_hosts
    skipped: list[tuple[str, str]] = []
    candidates: dict[str, FeedEntry] = {}
    for entry in entries:
        try:
            url = normalise_url(entry.link)
        except MonitorError as exc:
            log.info("feed %s: skipped item %s: %s", feed.url, entry.link, exc)
            skipped.append((entry.link, str(exc)))
            continue
        if url not in candidates:
            candidates[url] = entry
    seen = store.feed_items_seen(feed.id, list(candidates))
    due: list[int] = []
    known = old = 0
    fresh: list[tuple[str, FeedEntry]] = []
    cutoff = now - timedelta(seconds=settings.feeds.max_age)
    sitemap = kind in ("sitemap", "news-sitemap", "sitemap-index")
    for url, entry in candidates.items():
        if url in seen:
            known += 1
            if entry.updated is not None:
                item = NewFeedItem(url, None, updated_at=entry.updated)
                if store.record_feed_item(feed.id, item, now=now):
                    article = store.find_article(url)
                    if article is not None:
                        due.append(article.id)
            continue
        if (entry.date is None and sitemap) or (entry.date is not None and entry.date < cutoff):
            old += 1
            continue
        fresh.append((url, entry))
    # Newest first, so the cap drops the oldest; the rest come in on later polls.
    fresh.sort(key=lambda pair: pair[1].date or now, reverse=True)
    added: list[str] = []
    for url, entry in fresh[: settings.feeds.max_items]:
        try:
            check_url(url, allow_private=allow_private)
        except MonitorError as exc:
            log.info("feed %s: skipped item %s: %s", feed.url, url, exc)
            skipped.append((url, str(exc)))
            store.record_feed_item(feed.id, NewFeedItem(url, None, skipped=str(exc)), now=now)
            continue
        article = store.find_article(url)
        if article is None:
            article = add_urls(store, [url], now=now, tags=feed.tags, allow_private=allow_private)[
                0
            ].article
            added.append(url)
        store.record_feed_item(
            feed.id,
            NewFeedItem(
                url,
                article.id,
                published_at=entry.published,
                published_raw=entry.published_raw,
                updated_at=entry.updated,
            ),
            now=now,
        )
    return _Taken(len(entries), tuple(added), known, old, tuple(skipped), tuple(due))


async def _fetch(
    fetcher: Fetcher,
    settings: Settings,
    url: str,
    etag: str | None = None,
    last_modified: str | None = None,
) -> Fetched:
    rules = settings.outlet_rules(outlet_of(url))
    return await fetcher.fetch(
        url, etag=etag, last_modified=last_modified, obey_robots=rules.obey_robots
    )


def _next_poll(settings: Settings, now: datetime) -> datetime:
    return now + timedelta(seconds=settings.feeds.interval)
