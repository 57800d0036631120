"""The values that cross module boundaries.

Every step of ``fetch -> extract -> compare -> store -> notify`` takes and
returns these frozen dataclasses, never dicts, so a reader can see at a glance
what each step needs and a typo is an error instead of a silent ``None``.
Standard library only: this module sits at the bottom of the import graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum


def iso(moment: datetime | None) -> str | None:
    """A moment as every JSON output shows it: ISO 8601 with its offset, or null."""
    return moment.isoformat() if moment else None


class Outcome(StrEnum):
    """What one check of one article found."""

    NEW = "new"  # first snapshot of the article
    UNCHANGED = "unchanged"  # fetched, article text identical after normalisation
    NOT_MODIFIED = "not_modified"  # the server answered 304 to a conditional GET
    CHANGED = "changed"  # a new version was stored
    TIMESTAMP_ONLY = "timestamp_only"  # only the page's Updated time moved
    ERROR = "error"  # network error, 5xx, extraction failure: retried later
    GONE = "gone"  # 404/410: the article was pulled


class Kind(StrEnum):
    """How an edit relates to the page's own Updated time."""

    INITIAL = "initial"  # version 1: nothing to compare with
    DECLARED = "declared"  # text changed and the Updated time moved
    STEALTH = "stealth"  # text changed, Updated did not move (or there is none)


class State(StrEnum):
    """Where an article is in its watch life."""

    ACTIVE = "active"
    PAUSED = "paused"
    GONE = "gone"
    DONE = "done"  # old enough that it is no longer checked
    REMOVED = "removed"  # taken off the watchlist; its history is kept


# Edit flags, stored as a sorted tuple of these strings.
FLAG_HEADLINE = "headline"
FLAG_BYLINE = "byline"
FLAG_CORRECTION = "correction"
FLAG_NUMBERS = "numbers"
FLAG_QUOTE = "quote"
FLAG_REMOVED = "removed"
FLAG_REVERTED = "reverted"


@dataclass(frozen=True)
class PageTime:
    """A time the page states about itself, with the words it used.

    The raw string is kept beside the parsed value because parsing is a guess
    (time zones, ambiguous formats) and an ombudsman needs the page's own words.
    """

    value: datetime  # always timezone-aware
    raw: str
    source: str  # "json-ld", "meta", "time", "text", "selector", "htmldate"


@dataclass(frozen=True)
class Fetched:
    """One HTTP response, decoded, or the fact that it was not modified."""

    url: str  # the URL requested
    final_url: str  # after redirects
    status: int
    text: str  # decoded body; empty for 304
    encoding: str | None
    etag: str | None
    last_modified: str | None
    content_type: str | None
    bytes_read: int
    duration_s: float
    # The body as it came off the wire (after content decoding) and the response
    # headers: kept with each version so the archive (WARC) holds the real page.
    body: bytes = field(default=b"", repr=False)
    headers: tuple[tuple[str, str], ...] = field(default=(), repr=False)

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(frozen=True)
class Extracted:
    """What the extractor found on one page: the article, not the page."""

    title: str
    byline: str
    paragraphs: tuple[str, ...]
    posted: PageTime | None = None
    updated: PageTime | None = None
    canonical_url: str | None = None
    language: str | None = None

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True)
class WordOp:
    """One word-level piece inside a reworded sentence."""

    op: str  # "equal", "insert", "delete"
    text: str


@dataclass(frozen=True)
class SentenceOp:
    """One aligned step between the old and the new sentence lists."""

    op: str  # "equal", "insert", "delete", "replace"
    old: str
    new: str
    words: tuple[WordOp, ...] = ()


@dataclass(frozen=True)
class FieldChange:
    old: str
    new: str


@dataclass(frozen=True)
class DiffStats:
    sentences_added: int = 0
    sentences_removed: int = 0
    sentences_changed: int = 0
    chars_added: int = 0
    chars_removed: int = 0


@dataclass(frozen=True)
class TextDiff:
    """The difference between two versions of one article."""

    title: FieldChange | None
    byline: FieldChange | None
    body: tuple[SentenceOp, ...]
    stats: DiffStats

    @property
    def changed(self) -> bool:
        return (
            self.title is not None
            or self.byline is not None
            or any(op.op != "equal" for op in self.body)
        )


@dataclass(frozen=True)
class Edit:
    """A classified change: what kind of edit, which flags, and its diff."""

    kind: Kind
    flags: tuple[str, ...]
    diff: TextDiff


@dataclass(frozen=True)
class Article:
    id: int
    url: str
    canonical_url: str | None
    outlet: str
    title: str | None
    added_at: datetime
    posted_at: datetime | None
    updated_at: datetime | None
    state: State
    next_check_at: datetime | None
    interval_s: int | None  # a fixed interval chosen by the user, else age-aware
    etag: str | None
    last_modified: str | None
    tags: tuple[str, ...] = ()
    error_count: int = 0
    last_error: str | None = None
    last_checked_at: datetime | None = None
    version_count: int = 0
    final_url: str | None = None  # where the last fetch ended after redirects
    last_changed_at: datetime | None = None  # when the latest edit (version >= 2) was seen
    posted_raw: str | None = None
    updated_raw: str | None = None
    fast_path: str | None = None  # the fast path's memo of the last page (monitor.fastpath)


@dataclass(frozen=True)
class Version:
    id: int
    article_id: int
    n: int
    fetched_at: datetime
    title: str
    byline: str
    body: str
    body_hash: str
    content_hash: str  # of headline, byline and body: finds reverts
    posted_at: datetime | None
    updated_at: datetime | None
    posted_raw: str | None
    updated_raw: str | None
    kind: Kind
    flags: tuple[str, ...]
    stats: DiffStats = field(default_factory=DiffStats)
    reverts_to: int | None = None  # the earlier version n this one repeats

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return tuple(p for p in self.body.split("\n\n") if p)


@dataclass(frozen=True)
class Check:
    article_id: int
    at: datetime
    outcome: Outcome
    http_status: int | None
    duration_ms: int | None = None
    bytes_read: int | None = None
    error: str | None = None
    version_n: int | None = None
    updated_at: datetime | None = None  # the page's Updated time seen by this check


@dataclass(frozen=True)
class CheckResult:
    """What ``monitor check`` reports for one article."""

    url: str
    article_id: int
    outcome: Outcome
    version: int | None = None
    kind: Kind | None = None
    flags: tuple[str, ...] = ()
    http_status: int | None = None
    error: str | None = None


ElementPath = tuple[int, ...]  # child indexes from <html> down, as extract.find_elements counts


@dataclass(frozen=True)
class OutletRules:
    """Per-outlet help for the extractor, from ``[outlets."host"]`` in config.

    Lives here rather than in config so the pure extractor can take it without
    importing the config loader.
    """

    timezone: str | None = None  # IANA name for naive page times
    body_selector: str | None = None  # CSS selector of the article body
    ignore_selectors: tuple[str, ...] = ()  # CSS selectors removed before extraction
    posted_selector: str | None = None  # element whose text/datetime is Posted
    updated_selector: str | None = None  # element whose text/datetime is Updated
    obey_robots: bool | None = None  # None: follow fetch.obey_robots


def utc_now() -> datetime:
    """The clock every command and the checker read by default; tests pass their own."""
    return datetime.now(UTC)
