"""The only module that touches SQL.

SQLite in WAL mode with a busy timeout so the CLI can check while the
service runs: plain SQL on the connection for what a check reads and writes,
sqlite-utils (``Store.db``, loaded when first used) for the rest. Schema
changes are ``sqlite_utils`` migrations recorded in the database itself; a
database carrying a migration this release does not know came from a newer
release and is refused rather than damaged.

Everything a check learns is written in one transaction (``record_check``),
so a crash leaves either the whole check or none of it. A pass of many
checks (``batched_checks``) shares transactions between them, each check
inside its own savepoint: up to ``CHECK_BATCH`` checks or
``CHECK_BATCH_SECONDS`` a commit. Each commit rewrites the pages a check
touched (the checks table and its indexes, the article's row), about 40 KB
of write-ahead log a check when each commits alone: 84 MB of disk writes
for a pass of 2,000. A crash loses at most the checks of the open batch,
whole, article rows included, so the next pass checks those articles again
and finds the same edits; no alert can be sent before its version is
committed, since any other transaction commits the batch first.

Times are stored as ISO 8601 UTC strings; the page's own time strings are
kept beside them.
Callers get dataclasses from ``monitor.models``, never rows.
"""

from __future__ import annotations

import functools
import json
import sqlite3
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from monitor.delta import StoredText, decode, decode_chain, encode
from monitor.errors import NotFoundError, StoreError
from monitor.models import (
    Article,
    Check,
    DiffStats,
    Fetched,
    Kind,
    Outcome,
    State,
    Version,
)

if TYPE_CHECKING:  # imported when first needed (Store.db): checks never need it
    import sqlite_utils
    from sqlite_utils.migrations import Migrations

MIGRATION_SET = "monitor"  # the name sqlite-utils records our migrations under

CHECK_BATCH = 200  # checks a batched pass commits together, at most ...
CHECK_BATCH_SECONDS = 0.1  # ... and for at most this long: other writers wait for it
ARTICLE_PAGE = 500  # articles ``iter_articles`` reads at a time

# The error of an alert whose deliverer died while sending it (see claim_notifications).
INTERRUPTED_SEND = (
    "the service stopped while this alert was being sent: it may or may not have arrived,"
    " and it is not sent again"
)


def m001_initial(db: sqlite_utils.Database) -> None:
    db.execute(
        """
        CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            final_url TEXT,
            canonical_url TEXT,
            outlet TEXT NOT NULL,
            title TEXT,
            added_at TEXT NOT NULL,
            posted_at TEXT,
            posted_raw TEXT,
            updated_at TEXT,
            updated_raw TEXT,
            state TEXT NOT NULL DEFAULT 'active',
            next_check_at TEXT,
            interval_s INTEGER,
            etag TEXT,
            last_modified TEXT,
            tags TEXT NOT NULL DEFAULT '[]',
            error_count INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            last_checked_at TEXT
        )
        """
    )
    db.execute("CREATE INDEX articles_due ON articles (state, next_check_at)")
    db.execute(
        """
        CREATE TABLE versions (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            n INTEGER NOT NULL,
            fetched_at TEXT NOT NULL,
            title TEXT NOT NULL,
            byline TEXT NOT NULL,
            body TEXT NOT NULL,
            body_hash TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            posted_at TEXT,
            posted_raw TEXT,
            updated_at TEXT,
            updated_raw TEXT,
            kind TEXT NOT NULL,
            flags TEXT NOT NULL DEFAULT '[]',
            stats TEXT NOT NULL DEFAULT '{}',
            reverts_to INTEGER,
            UNIQUE (article_id, n)
        )
        """
    )
    db.execute("CREATE INDEX versions_recent ON versions (fetched_at)")
    db.execute("CREATE INDEX versions_content ON versions (article_id, content_hash)")
    db.execute(
        """
        CREATE TABLE checks (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            at TEXT NOT NULL,
            outcome TEXT NOT NULL,
            http_status INTEGER,
            duration_ms INTEGER,
            bytes_read INTEGER,
            error TEXT,
            version_n INTEGER,
            updated_at TEXT,
            updated_raw TEXT
        )
        """
    )
    db.execute("CREATE INDEX checks_article ON checks (article_id, at)")
    db.execute(
        """
        CREATE TABLE notifications (
            id INTEGER PRIMARY KEY,
            version_id INTEGER REFERENCES versions(id) ON DELETE CASCADE,
            article_id INTEGER REFERENCES articles(id) ON DELETE CASCADE,
            channel TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT,
            last_error TEXT,
            sent_at TEXT,
            created_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX notifications_pending ON notifications (status, next_attempt_at)")
    db.execute(
        """
        CREATE TABLE feeds (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            added_at TEXT NOT NULL,
            last_polled_at TEXT,
            etag TEXT,
            last_modified TEXT,
            tags TEXT NOT NULL DEFAULT '[]',
            articles_found INTEGER NOT NULL DEFAULT 0,
            last_error TEXT
        )
        """
    )


def m002_notification_outbox(db: sqlite_utils.Database) -> None:
    """Outbox columns for monitor/notify.py.

    ``event`` says what the row announces (``edit``: a new version; ``gone``:
    the article was pulled, no version). ``claimed_until`` is the lease of a
    row being sent (status ``sending``), so two deliverers never both send it
    and a crashed one's rows come back when the lease ends. The unique index
    makes writing the same version's alerts twice harmless.
    """
    db.execute("ALTER TABLE notifications ADD COLUMN event TEXT NOT NULL DEFAULT 'edit'")
    db.execute("ALTER TABLE notifications ADD COLUMN claimed_until TEXT")
    db.execute(
        "CREATE UNIQUE INDEX notifications_once ON notifications (version_id, channel, event)"
    )
    db.execute("CREATE INDEX notifications_channel ON notifications (channel, status)")


def m003_feeds_raw(db: sqlite_utils.Database) -> None:
    """Feed polling (monitor/feeds.py) and raw pages for WARC export (monitor/archive.py).

    ``feeds`` learns what it is (``kind``: rss20, atom10, sitemap,
    news-sitemap, sitemap-index…), when it is next polled, and the validators
    of a sitemap index's child sitemaps (``children``, JSON) for their own
    conditional GETs. ``feed_items`` remembers every item URL a feed listed,
    so an item is added once (a removed article is not brought back by the
    next poll) and a moving ``<updated>``/``<lastmod>`` is noticed.
    ``articles.feed_updated_at`` is the latest such time any feed gave.
    ``raw_responses`` keeps the response of each *version* (not each check),
    zlib-compressed, for ``monitor export --format warc``.
    """
    db.execute("ALTER TABLE feeds ADD COLUMN kind TEXT")
    db.execute("ALTER TABLE feeds ADD COLUMN title TEXT")
    db.execute("ALTER TABLE feeds ADD COLUMN next_poll_at TEXT")
    db.execute("ALTER TABLE feeds ADD COLUMN error_count INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE feeds ADD COLUMN children TEXT NOT NULL DEFAULT '{}'")
    db.execute("CREATE INDEX feeds_due ON feeds (next_poll_at)")
    db.execute(
        """
        CREATE TABLE feed_items (
            feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
            url TEXT NOT NULL,
            article_id INTEGER REFERENCES articles(id) ON DELETE SET NULL,
            first_seen_at TEXT NOT NULL,
            published_at TEXT,
            updated_at TEXT,
            skipped TEXT,
            PRIMARY KEY (feed_id, url)
        )
        """
    )
    db.execute("CREATE INDEX feed_items_article ON feed_items (article_id)")
    db.execute("ALTER TABLE articles ADD COLUMN feed_updated_at TEXT")
    db.execute(
        """
        CREATE TABLE raw_responses (
            version_id INTEGER PRIMARY KEY REFERENCES versions(id) ON DELETE CASCADE,
            fetched_at TEXT NOT NULL,
            url TEXT NOT NULL,
            status INTEGER NOT NULL,
            headers TEXT NOT NULL DEFAULT '[]',
            body BLOB NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX raw_responses_fetched ON raw_responses (fetched_at)")


def m004_performance(db: sqlite_utils.Database) -> None:
    """An index for the recent-edits page (``find_edits``) at archive scale.

    Edits are versions after the first, newest first: a partial index on
    ``(fetched_at, id) WHERE n > 1`` hands out the first page in order
    without sorting a million versions (measured by benchmarks/store.py).
    The due-article query is already served by ``articles_due``.
    """
    db.execute("CREATE INDEX IF NOT EXISTS versions_edits ON versions (fetched_at, id) WHERE n > 1")


def m005_compact_versions(db: sqlite_utils.Database) -> None:
    """Versions' bodies kept compressed, mostly as deltas (``monitor.delta``), not as text.

    ``body`` (the whole text of every version) gives way to ``body_z``, the
    encoded text, and ``keyframe_n``, the version whose whole text starts its
    chain (its own n for a keyframe). Every existing row is encoded one
    article at a time, in order of n, with the same code new versions use;
    diff stats drop their zero fields. The ``versions_content`` index goes:
    finding a revert scans one article's versions through ``(article_id, n)``,
    a few small rows, and the index cost about 90 bytes a version, a tenth of
    what a version now takes. The migration runs in one transaction
    (sqlite-utils wraps each migration), so a crash part-way leaves the old
    rows untouched and the migration still pending. The freed pages are
    reused by new rows; ``VACUUM`` gives them back to the file system.
    """
    db.execute("ALTER TABLE versions ADD COLUMN keyframe_n INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE versions ADD COLUMN body_z BLOB NOT NULL DEFAULT x''")
    article_ids = [row[0] for row in db.execute("SELECT DISTINCT article_id FROM versions")]
    for article_id in article_ids:
        rows = db.execute(
            "SELECT id, n, body, stats FROM versions WHERE article_id = ? ORDER BY n",
            [article_id],
        ).fetchall()
        updates = []
        previous: tuple[StoredText, str] | None = None
        for version_id, n, body, stats in rows:
            stored = encode(n, body, previous)
            updates.append(
                (stored.keyframe_n, stored.data, _stats_json(json.loads(stats)), version_id)
            )
            previous = (stored, body)
        db.conn.executemany(
            "UPDATE versions SET keyframe_n = ?, body_z = ?, stats = ? WHERE id = ?", updates
        )
    db.execute("ALTER TABLE versions DROP COLUMN body")
    db.execute("DROP INDEX IF EXISTS versions_content")


def m006_fast_path(db: sqlite_utils.Database) -> None:
    """The unchanged-article fast path's memo of each article's last page (``monitor.fastpath``).

    Written with the check that made it, in the same transaction; NULL until
    the article's next full extraction.
    """
    db.execute("ALTER TABLE articles ADD COLUMN fast_path TEXT")


# The schema's migrations, oldest first: sqlite-utils applies them (``migrations``).
MIGRATIONS: tuple[Callable[[sqlite_utils.Database], None], ...] = (
    m001_initial,
    m002_notification_outbox,
    m003_feeds_raw,
    m004_performance,
    m005_compact_versions,
    m006_fast_path,
)


@functools.cache
def migrations() -> Migrations:
    """Our migrations registered with sqlite-utils, which records and applies them."""
    from sqlite_utils.migrations import Migrations

    registered = Migrations(MIGRATION_SET)
    for migration in MIGRATIONS:
        registered()(migration)
    return registered


@dataclass(frozen=True)
class NewVersion:
    """What a check found worth keeping as the article's next version."""

    fetched_at: datetime
    title: str
    byline: str
    body: str
    body_hash: str
    content_hash: str
    posted_at: datetime | None
    posted_raw: str | None
    updated_at: datetime | None
    updated_raw: str | None
    kind: Kind
    flags: tuple[str, ...]
    stats: DiffStats
    reverts_to: int | None = None
    raw: RawResponse | None = None  # the response this version came from, for WARC export


@dataclass(frozen=True)
class ArticleUpdate:
    """Article columns a check changes; ``None`` fields are left alone."""

    state: State | None = None
    final_url: str | None = None
    canonical_url: str | None = None
    title: str | None = None
    posted_at: datetime | None = None
    posted_raw: str | None = None
    updated_at: datetime | None = None
    updated_raw: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    next_check_at: datetime | None = None
    error_count: int | None = None
    last_error: str | None = None
    clear_error: bool = False  # set last_error to NULL
    fast_path: str | None = None  # the fast path's memo of this page (monitor.fastpath)


def to_iso(moment: datetime | None) -> str | None:
    """Store times as UTC ISO 8601 so string order is time order."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to the store")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def from_iso(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


@dataclass
class _CheckBatch:
    """The checks ``record_check`` is writing together (``Store.batched_checks``)."""

    users: int = 0  # batched_checks contexts open
    started: float | None = None  # monotonic time its transaction began; None: none open
    checks: int = 0  # checks written in that transaction


class Store:
    """An open monitor database. Use as a context manager or call ``close``."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(str(path), timeout=30, isolation_level=None)
            conn.execute("PRAGMA busy_timeout = 30000")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: cannot open the database: {exc}") from exc
        self._conn = conn
        self._batch = _CheckBatch()
        self._migrate()

    @functools.cached_property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils on this connection, made when first asked for.

        The queries a check runs are plain SQL on the connection: importing
        sqlite-utils and making its ``Database`` (which scans every installed
        package for plugins) cost ``monitor check`` a tenth of a second of
        CPU before its first fetch. Plugins are not run on our connection.
        """
        import sqlite_utils

        return sqlite_utils.Database(self._conn, execute_plugins=False)

    def _migrate(self) -> None:
        """Apply the migrations this database lacks; refuse one a newer release wrote.

        Told from the migrations table with plain SQL: sqlite-utils is loaded
        only when there is something to apply.
        """
        try:
            applied = self._applied_migrations()
            known = {m.__name__ for m in MIGRATIONS}  # registered under their names
            if applied == known:
                return
            newer = (applied or set()) - known
            if newer:
                raise StoreError(
                    f"{self.path}: the database was written by a newer release of monitor "
                    f"(unknown migrations: {', '.join(sorted(newer))}); upgrade monitor"
                )
            migrations().apply(self.db)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a usable monitor database: {exc}") from exc

    def _applied_migrations(self) -> set[str] | None:
        """The names of our migrations the database records; None before the first."""
        exists = self._conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlite_migrations'"
        ).fetchone()
        if exists is None:
            return None
        rows = self._conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", [MIGRATION_SET]
        )
        return {name for (name,) in rows}

    def _query(self, sql: str, params: Sequence[Any] = ()) -> Iterator[dict[str, Any]]:
        """The rows of ``sql`` as dicts by column name, as sqlite-utils' ``query`` gives
        them, without the savepoint it opens and releases around each query."""
        cursor = self._conn.execute(sql, params)
        names = [column[0] for column in cursor.description]
        assert len(set(names)) == len(names), f"duplicate column names in {sql!r}"
        return (dict(zip(names, row, strict=True)) for row in cursor)

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One IMMEDIATE transaction: writers queue on the busy timeout, never half-write.

        A batch of checks open on this connection is committed first, so that
        nothing else waits behind it or joins it (an alert is claimed for
        sending only once its version is committed).
        """
        self.commit_checks()
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    @contextmanager
    def batched_checks(self) -> Iterator[None]:
        """Within this, ``record_check`` writes checks in shared transactions (module doc).

        Contexts may overlap (the service's pass and a "check now" from the
        web UI share the connection): batching lasts while any is open. The
        caller commits a batch that waits longer than ``CHECK_BATCH_SECONDS``
        for its next check with ``commit_checks``; leaving commits it.
        """
        self._batch.users += 1
        try:
            yield
        finally:
            self._batch.users -= 1
            self.commit_checks()

    def commit_checks(self, older_than: float = 0.0) -> None:
        """Commit the open batch of checks, if it began at least ``older_than`` seconds ago."""
        batch = self._batch
        if batch.started is None or time.monotonic() - batch.started < older_than:
            return
        batch.started, batch.checks = None, 0
        conn = self._conn
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise StoreError(f"{self.path}: could not save the last checks: {exc}") from exc

    @contextmanager
    def _check_transaction(self) -> Iterator[None]:
        """``record_check``'s own transaction, or its savepoint in the open batch."""
        batch = self._batch
        if not batch.users:
            with self.transaction():
                yield
            return
        conn = self._conn
        if batch.started is None:
            conn.execute("BEGIN IMMEDIATE")
            batch.started = time.monotonic()
        conn.execute("SAVEPOINT one_check")
        try:
            yield
        except BaseException:
            conn.execute("ROLLBACK TO one_check")
            conn.execute("RELEASE one_check")
            raise
        conn.execute("RELEASE one_check")
        batch.checks += 1
        self.commit_checks(0.0 if batch.checks >= CHECK_BATCH else CHECK_BATCH_SECONDS)

    # -- articles ---------------------------------------------------------

    def add_article(
        self,
        url: str,
        outlet: str,
        *,
        now: datetime,
        tags: Sequence[str] = (),
        interval_s: int | None = None,
    ) -> tuple[Article, bool]:
        """Watch ``url`` (already normalised); returns the article and whether it is new.

        Adding a URL that was removed or paused makes it active again, with its
        history; its tags are merged.
        """
        with self.transaction():
            existing = self._article_row_by_url(url)
            if existing is not None:
                merged = sorted(set(json.loads(existing["tags"])) | set(tags))
                changes: dict[str, Any] = {"tags": json.dumps(merged)}
                if existing["state"] in (State.PAUSED, State.REMOVED):
                    changes["state"] = State.ACTIVE.value
                    changes["next_check_at"] = to_iso(now)
                if interval_s is not None:
                    changes["interval_s"] = interval_s
                self.db["articles"].update(existing["id"], changes)
                return self.article(existing["id"]), False
            row_id = (
                self.db["articles"]
                .insert(
                    {
                        "url": url,
                        "outlet": outlet,
                        "added_at": to_iso(now),
                        "state": State.ACTIVE.value,
                        "next_check_at": to_iso(now),
                        "interval_s": interval_s,
                        "tags": json.dumps(sorted(set(tags))),
                    }
                )
                .last_pk
            )
        return self.article(int(row_id)), True

    def article(self, article_id: int) -> Article:
        rows = list(self._query(_ARTICLE_SELECT + " WHERE a.id = ?", [article_id]))
        if not rows:
            raise NotFoundError(f"no article with id {article_id}")
        return _article(rows[0])

    def find_article(self, url: str) -> Article | None:
        """The article watched at ``url`` (normalised), or at that final/canonical URL."""
        rows = list(
            self._query(
                _ARTICLE_SELECT + " WHERE a.url = ? OR a.final_url = ? OR a.canonical_url = ?"
                " ORDER BY a.url = ? DESC, a.id LIMIT 1",
                [url, url, url, url],
            )
        )
        return _article(rows[0]) if rows else None

    def articles(
        self, *, states: Sequence[State] | None = None, tag: str | None = None
    ) -> list[Article]:
        return list(self.iter_articles(states=states, tag=tag))

    def iter_articles(
        self,
        *,
        states: Sequence[State] | None = None,
        tag: str | None = None,
        due_by: datetime | None = None,
        page: int = ARTICLE_PAGE,
    ) -> Iterator[Article]:
        """Articles by id (of ``states``, with ``tag``, due by ``due_by``), read ``page`` at a time.

        A pass over a watchlist of 100,000, or a listing of it, takes them as
        it goes instead of holding them all (a few KB each with its memo).
        Each page is read whole and picks up after the last id, so the pass's
        own writes between pages neither skip nor repeat an article.
        """
        where, params = _article_filter(ArticleFilter(states=tuple(states or ()), tag=tag))
        if due_by is not None:
            where += " AND a.next_check_at <= ?"
            params.append(to_iso(due_by))
        # NOT INDEXED: walked by id, each page from where the last one ended. With
        # the (state, next_check_at) index every page sorted all matching rows.
        sql = _ARTICLE_SELECT + f" NOT INDEXED WHERE {where} AND a.id > ? ORDER BY a.id LIMIT ?"
        last = 0
        while True:
            rows = list(self._query(sql, [*params, last, page]))
            yield from (_article(row) for row in rows)
            if len(rows) < page:
                return
            last = rows[-1]["id"]

    def due_articles(self, now: datetime, limit: int = 500) -> list[Article]:
        """Active articles whose next check is due, oldest due first."""
        sql = (
            _ARTICLE_SELECT + " WHERE a.state = 'active' AND a.next_check_at <= ?"
            " ORDER BY a.next_check_at LIMIT ?"
        )
        return [_article(row) for row in self._query(sql, [to_iso(now), limit])]

    def set_state(self, article_id: int, state: State, *, next_check_at: datetime | None = None):
        with self.transaction():
            self.db["articles"].update(
                article_id, {"state": state.value, "next_check_at": to_iso(next_check_at)}
            )

    def delete_article(self, article_id: int) -> None:
        """Forget an article and its whole history (``remove --purge``)."""
        with self.transaction():
            self.db["articles"].delete(article_id)

    def _article_row_by_url(self, url: str) -> dict[str, Any] | None:
        rows = list(self.db["articles"].rows_where("url = ?", [url], limit=1))
        return rows[0] if rows else None

    # -- versions and checks ----------------------------------------------

    def latest_version(self, article_id: int) -> Version | None:
        rows = self._version_rows("article_id = ? ORDER BY n DESC LIMIT 1", [article_id])
        return next(self._versions(rows), None)

    def versions(self, article_id: int) -> list[Version]:
        return list(self._versions(self._version_rows("article_id = ? ORDER BY n", [article_id])))

    def version(self, article_id: int, n: int) -> Version:
        rows = self._version_rows("article_id = ? AND n = ?", [article_id, n])
        found = next(self._versions(rows), None)
        if found is None:
            count = self.db["versions"].count_where("article_id = ?", [article_id])
            raise NotFoundError(f"no version {n} (the article has {count} version(s))")
        return found

    def version_with_content(self, article_id: int, content_hash: str) -> Version | None:
        """The newest version whose content matches, to recognise reverts."""
        rows = self._version_rows(
            "article_id = ? AND content_hash = ? ORDER BY n DESC LIMIT 1",
            [article_id, content_hash],
        )
        return next(self._versions(rows), None)

    def _version_rows(self, where: str, params: list[Any]) -> Iterator[dict[str, Any]]:
        """``versions`` rows as dicts, by plain SQL.

        sqlite-utils' ``rows_where`` lists the database's tables and views
        first (two queries) on every call, and its ``query`` wraps each one in
        a savepoint: three statements more for each changed article's
        previous version, in the one process every check goes through.
        """
        cursor = self._conn.execute(f"SELECT * FROM versions WHERE {where}", params)
        names = [column[0] for column in cursor.description]
        return (dict(zip(names, row, strict=True)) for row in cursor)

    def _versions(self, rows: Iterable[dict[str, Any]]) -> Iterator[Version]:
        return (version for _, version in self._with_versions(rows))

    def _with_versions(
        self, rows: Iterable[dict[str, Any]]
    ) -> Iterator[tuple[dict[str, Any], Version]]:
        """Each version row with its ``Version``, the body decoded from its chain.

        A delta row right after its predecessor (one article's versions in
        order of n, as history and exports read them) reuses the text just
        decoded; any other delta reads its chain, keyframe to n-1, at most
        ``KEYFRAME_EVERY`` small rows.
        """
        last: tuple[int, int, str] | None = None  # article_id, n, text of the row before
        for row in rows:
            stored = StoredText(row["n"], row["keyframe_n"], row["body_z"])
            previous = None
            if stored.keyframe_n != stored.n:
                if last is not None and last[:2] == (row["article_id"], stored.n - 1):
                    previous = last[2]
                else:
                    previous = self._text(row["article_id"], stored.keyframe_n, stored.n - 1)
            body = decode(stored, previous)
            last = (row["article_id"], stored.n, body)
            yield row, _version(row, body)

    def _text(self, article_id: int, first: int, last: int) -> str:
        """The body of version ``last``, decoded from versions ``first`` (its keyframe) to it."""
        rows = self._conn.execute(
            "SELECT n, keyframe_n, body_z FROM versions WHERE article_id = ? AND n BETWEEN ? AND ?"
            " ORDER BY n",
            [article_id, first, last],
        ).fetchall()
        return decode_chain([StoredText(*row) for row in rows])

    def checks(self, article_id: int, limit: int | None = None) -> list[Check]:
        rows = self.db["checks"].rows_where(
            "article_id = ?", [article_id], order_by="at, id", limit=limit
        )
        return [_check(row) for row in rows]

    def prune_checks(self, before: datetime) -> int:
        """Delete uneventful check rows (unchanged, not_modified) older than ``before``."""
        with self.transaction():
            cursor = self._conn.execute(
                "DELETE FROM checks WHERE at < ? AND outcome IN ('unchanged', 'not_modified')",
                [to_iso(before)],
            )
        return cursor.rowcount

    def recent_outcomes(self, article_id: int, limit: int) -> list[Outcome]:
        """The outcomes of the last ``limit`` checks, newest first."""
        rows = self._conn.execute(
            "SELECT outcome FROM checks WHERE article_id = ? ORDER BY at DESC, id DESC LIMIT ?",
            [article_id, limit],
        ).fetchall()
        return [Outcome(row[0]) for row in rows]

    def record_check(
        self,
        article_id: int,
        check: Check,
        *,
        update: ArticleUpdate,
        new_version: NewVersion | None = None,
        notifications: Sequence[NewNotification] = (),
    ) -> Version | None:
        """Write one check, its new version, its alerts and the article's state atomically.

        The alerts go into the outbox in the same transaction as the version,
        so a crash can never leave an edit without its alerts or the reverse.
        Inside ``batched_checks`` it is one savepoint of the batch's transaction.
        """
        with self._check_transaction():
            stored: Version | None = None
            version_n = None
            outcome = check.outcome
            if new_version is not None and self._already_latest(article_id, new_version):
                # Another process (`monitor check` beside the service) stored this
                # very text while we fetched: record a plain check, no second copy.
                new_version, notifications, outcome = None, (), Outcome.UNCHANGED
            if new_version is not None:
                stored = self._insert_version(article_id, new_version)
                version_n = stored.n
            # Plain SQL, not sqlite-utils' insert/update: those read the table's schema
            # first, a dozen statements a check, a tenth of a 304 pass's CPU.
            self._insert(
                "checks",
                {
                    "article_id": article_id,
                    "at": to_iso(check.at),
                    "outcome": outcome.value,
                    "http_status": check.http_status,
                    "duration_ms": check.duration_ms,
                    "bytes_read": check.bytes_read,
                    "error": check.error,
                    "version_n": version_n or check.version_n,
                    "updated_at": to_iso(update.updated_at),
                    "updated_raw": update.updated_raw,
                },
            )
            changes = _article_changes(update)
            changes["last_checked_at"] = to_iso(check.at)
            assignments = ", ".join(f"{column} = ?" for column in changes)  # our own names
            self._conn.execute(
                f"UPDATE articles SET {assignments} WHERE id = ?", [*changes.values(), article_id]
            )
            self.insert_notifications(article_id, notifications, version_n=version_n)
        return stored

    def _insert(self, table: str, row: dict[str, Any]) -> int:
        """Insert ``row`` (our own table and column names) with plain SQL; its rowid.

        Not sqlite-utils' ``insert``: it reads the table's schema first, a
        dozen statements for each row, and a check with a new version writes
        two rows (a third of the main process's CPU in a first pass).
        """
        columns = ", ".join(row)
        marks = ", ".join("?" * len(row))
        cursor = self._conn.execute(
            f"INSERT INTO {table} ({columns}) VALUES ({marks})", list(row.values())
        )
        assert cursor.lastrowid is not None  # set by every successful INSERT
        return cursor.lastrowid

    def _already_latest(self, article_id: int, version: NewVersion) -> bool:
        return self.latest_content_hash(article_id) == version.content_hash

    def _insert_version(self, article_id: int, version: NewVersion) -> Version:
        """Store ``version`` as the article's next; the ``Version`` as it now reads.

        Built from the row just written and the text in hand, not read back:
        that would decode the chain the text was just encoded against.
        """
        row = self._conn.execute(
            "SELECT n, keyframe_n, body_z FROM versions WHERE article_id = ? ORDER BY n DESC LIMIT 1",
            [article_id],
        ).fetchone()
        previous = None
        if row is not None:
            latest = StoredText(*row)
            previous = (latest, self._text(article_id, latest.keyframe_n, latest.n))
        n = 1 if row is None else row[0] + 1
        stored = encode(n, version.body, previous)
        row = {
            "article_id": article_id,
            "n": n,
            "fetched_at": to_iso(version.fetched_at),
            "title": version.title,
            "byline": version.byline,
            "keyframe_n": stored.keyframe_n,
            "body_z": stored.data,
            "body_hash": version.body_hash,
            "content_hash": version.content_hash,
            "posted_at": to_iso(version.posted_at),
            "posted_raw": version.posted_raw,
            "updated_at": to_iso(version.updated_at),
            "updated_raw": version.updated_raw,
            "kind": version.kind.value,
            "flags": json.dumps(sorted(version.flags)),
            "stats": _stats_json(version.stats.__dict__),
            "reverts_to": version.reverts_to,
        }
        version_id = self._insert("versions", row)
        if version.raw is not None:
            self._insert_raw(version_id, version.fetched_at, version.raw)
        return _version({**row, "id": version_id}, version.body)

    # -- notifications ----------------------------------------------------
    # The alert outbox of monitor/notify.py. Rows are written in the same
    # transaction as the version they announce, then claimed (status
    # "sending" with a lease), sent, and marked one transaction per send, so
    # an alert is neither lost nor sent again after it went out.

    def insert_notifications(
        self, article_id: int, rows: Sequence[NewNotification], *, version_n: int | None = None
    ) -> int:
        """Write outbox rows for one article (and its version ``version_n``, if any).

        Opens no transaction: ``record_check`` calls it inside its own so the
        version and its alerts are written together. Rows already written for
        the same version, channel and event are skipped.
        """
        if not rows:
            return 0
        version_id = None
        if version_n is not None:
            version_id = self._conn.execute(
                "SELECT id FROM versions WHERE article_id = ? AND n = ?", [article_id, version_n]
            ).fetchone()[0]
        cursor = self._conn.executemany(
            "INSERT OR IGNORE INTO notifications (version_id, article_id, channel, event,"
            " status, attempts, next_attempt_at, created_at) VALUES (?, ?, ?, ?, 'pending', 0, ?, ?)",
            [
                (
                    version_id,
                    article_id,
                    row.channel,
                    row.event,
                    to_iso(row.next_attempt_at),
                    to_iso(row.created_at),
                )
                for row in rows
            ],
        )
        return cursor.rowcount

    def enqueue_notifications(
        self, article_id: int, rows: Sequence[NewNotification], *, version_n: int | None = None
    ) -> int:
        """``insert_notifications`` in a transaction of its own."""
        with self.transaction():
            return self.insert_notifications(article_id, rows, version_n=version_n)

    def claim_notifications(
        self,
        channel: str,
        now: datetime,
        *,
        lease_until: datetime,
        limit: int = 100,
        due_only: bool = True,
    ) -> list[Notification]:
        """Take a channel's due rows for sending: status ``sending`` until ``lease_until``.

        One IMMEDIATE transaction, so two deliverers never claim the same row.
        A claim counts as an attempt. A row still ``sending`` when its lease
        has ended was being sent when its deliverer died: it may have arrived,
        so it is marked ``failed`` (with :data:`INTERRUPTED_SEND` as its error)
        and never sent again, because an alert must never be sent twice.
        ``due_only=False`` takes every pending row (a digest sent on demand).
        """
        with self.transaction():
            self._conn.execute(
                "UPDATE notifications SET status = 'failed', claimed_until = NULL,"
                " last_error = ? WHERE channel = ? AND status = 'sending' AND claimed_until <= ?",
                [INTERRUPTED_SEND, channel, to_iso(now)],
            )
            ids = [
                row[0]
                for row in self._conn.execute(
                    "SELECT id FROM notifications WHERE channel = ? AND status = 'pending'"
                    " AND (? OR next_attempt_at IS NULL OR next_attempt_at <= ?)"
                    " ORDER BY created_at, id LIMIT ?",
                    [channel, not due_only, to_iso(now), limit],
                ).fetchall()
            ]
            if ids:
                marks = ", ".join("?" for _ in ids)
                self._conn.execute(
                    "UPDATE notifications SET status = 'sending', claimed_until = ?,"
                    f" attempts = attempts + 1 WHERE id IN ({marks})",
                    [to_iso(lease_until), *ids],
                )
        if not ids:
            return []
        marks = ", ".join("?" for _ in ids)
        return self._notifications_where(f"n.id IN ({marks})", ids, order="n.created_at, n.id")

    def mark_notifications_sent(self, ids: Sequence[int], at: datetime) -> int:
        """Record a successful send, at once and on its own, so it is never sent again."""
        if not ids:
            return 0
        marks = ", ".join("?" for _ in ids)
        with self.transaction():
            cursor = self._conn.execute(
                "UPDATE notifications SET status = 'sent', sent_at = ?, claimed_until = NULL,"
                f" last_error = NULL WHERE id IN ({marks}) AND status = 'sending'",
                [to_iso(at), *ids],
            )
        return cursor.rowcount

    def release_notifications(
        self, ids: Sequence[int], *, error: str, retry_at: datetime | None
    ) -> int:
        """A failed send: back to ``pending`` until ``retry_at``, or ``failed`` when None."""
        if not ids:
            return 0
        marks = ", ".join("?" for _ in ids)
        status = "pending" if retry_at is not None else "failed"
        with self.transaction():
            cursor = self._conn.execute(
                "UPDATE notifications SET status = ?, next_attempt_at = ?, last_error = ?,"
                f" claimed_until = NULL WHERE id IN ({marks}) AND status = 'sending'",
                [status, to_iso(retry_at), error, *ids],
            )
        return cursor.rowcount

    def fail_orphan_notifications(self, channels: Sequence[str], error: str) -> int:
        """Fail pending rows of channels no longer configured, so status shows why."""
        marks = ", ".join("?" for _ in channels)
        where = f"channel NOT IN ({marks})" if channels else "1"
        with self.transaction():
            cursor = self._conn.execute(
                "UPDATE notifications SET status = 'failed', last_error = ?, claimed_until = NULL"
                f" WHERE status IN ('pending', 'sending') AND {where}",
                [error, *channels],
            )
        return cursor.rowcount

    def notifications(
        self, *, statuses: Sequence[str] | None = None, limit: int | None = None
    ) -> list[Notification]:
        """Outbox rows, oldest first, with their article's URL and version number."""
        where, params = "1", []
        if statuses:
            where = f"n.status IN ({', '.join('?' for _ in statuses)})"
            params = list(statuses)
        return self._notifications_where(where, params, order="n.created_at, n.id", limit=limit)

    def notification_counts(self) -> dict[str, int]:
        rows = self._conn.execute("SELECT status, COUNT(*) FROM notifications GROUP BY status")
        return {status: count for status, count in rows.fetchall()}

    def _notifications_where(
        self, where: str, params: Sequence[Any], *, order: str, limit: int | None = None
    ) -> list[Notification]:
        sql = (
            "SELECT n.*, a.url AS article_url, v.n AS version_n FROM notifications n"
            " LEFT JOIN articles a ON a.id = n.article_id"
            " LEFT JOIN versions v ON v.id = n.version_id"
            f" WHERE {where} ORDER BY {order}" + (" LIMIT ?" if limit is not None else "")
        )
        args = [*params, limit] if limit is not None else list(params)
        return [_notification(row) for row in self._query(sql, args)]

    # -- web queries ------------------------------------------------------
    # Read-only queries for monitor/web: the watchlist with filters, recent
    # edits across articles, an article's eventful checks, and counts for
    # filter menus. Filters are bound parameters; sort keys are picked from
    # fixed SQL, never pasted from input.

    def find_articles(
        self, wanted: ArticleFilter, *, limit: int | None = None, offset: int = 0
    ) -> list[Article]:
        """Articles matching ``wanted``, in its sort order, a page at a time."""
        where, params = _article_filter(wanted)
        sql = (
            f"SELECT * FROM ({_ARTICLE_SELECT}) a WHERE {where}"
            f" ORDER BY {_ARTICLE_ORDER[wanted.sort]} LIMIT ? OFFSET ?"
        )
        rows = self._query(sql, [*params, -1 if limit is None else limit, offset])
        return [_article(row) for row in rows]

    def count_articles(self, wanted: ArticleFilter) -> int:
        where, params = _article_filter(wanted)
        sql = f"SELECT COUNT(*) FROM articles a WHERE {where}"
        return int(self._conn.execute(sql, params).fetchone()[0])

    def find_edits(
        self, wanted: EditFilter, *, limit: int | None = None, offset: int = 0
    ) -> list[EditEntry]:
        """Edits (versions after the first) across articles, newest first."""
        where, params = _edit_filter(wanted)
        sql = (
            "SELECT v.*, a.url AS article_url, a.outlet AS article_outlet,"
            " a.title AS article_title, a.tags AS article_tags, a.state AS article_state"
            # CROSS JOIN keeps versions the outer loop, so versions_edits gives the
            # newest edits in order instead of every article's edits being sorted.
            f" FROM versions v CROSS JOIN articles a ON a.id = v.article_id WHERE {where}"
            " ORDER BY v.fetched_at DESC, v.id DESC LIMIT ? OFFSET ?"
        )
        rows = self._query(sql, [*params, -1 if limit is None else limit, offset])
        return [
            EditEntry(
                version=version,
                url=row["article_url"],
                outlet=row["article_outlet"],
                article_title=row["article_title"],
                tags=tuple(json.loads(row["article_tags"])),
                state=State(row["article_state"]),
            )
            for row, version in self._with_versions(rows)
        ]

    def count_edits(self, wanted: EditFilter) -> int:
        """How many edits match, for the pager.

        Articles are joined only when an outlet or tag filter needs them: a
        count of versions alone reads one index, five times faster at a
        million versions (benchmarks/store.py).
        """
        where, params = _edit_filter(wanted)
        join = " JOIN articles a ON a.id = v.article_id" if wanted.outlet or wanted.tag else ""
        sql = f"SELECT COUNT(*) FROM versions v{join} WHERE {where}"
        return int(self._conn.execute(sql, params).fetchone()[0])

    def article_events(
        self, article_id: int, outcomes: Sequence[Outcome], limit: int = 200
    ) -> list[Check]:
        """An article's checks with one of ``outcomes``, newest ``limit`` of them, oldest first.

        The timeline shows eventful checks (errors, pulled pages, Updated-only
        changes), not the thousands of "unchanged" ones.
        """
        if not outcomes:
            return []
        marks = ", ".join("?" for _ in outcomes)
        rows = self._query(
            f"SELECT * FROM checks WHERE article_id = ? AND outcome IN ({marks})"
            " ORDER BY at DESC, id DESC LIMIT ?",
            [article_id, *(o.value for o in outcomes), limit],
        )
        return [_check(row) for row in reversed(list(rows))]

    def tag_counts(self) -> dict[str, int]:
        """Every tag in use on the watchlist (removed articles aside), with its article count."""
        rows = self._conn.execute(
            "SELECT j.value, COUNT(*) FROM articles a, json_each(a.tags) j"
            " WHERE a.state != 'removed' GROUP BY j.value ORDER BY j.value"
        )
        return {tag: count for tag, count in rows.fetchall()}

    def outlet_counts(self) -> dict[str, int]:
        """Every outlet on the watchlist (removed articles aside), with its article count."""
        rows = self._conn.execute(
            "SELECT outlet, COUNT(*) FROM articles WHERE state != 'removed'"
            " GROUP BY outlet ORDER BY outlet"
        )
        return {outlet: count for outlet, count in rows.fetchall()}

    def next_check_due(self) -> datetime | None:
        """When the earliest active article is next checked, for "next check at" notes."""
        row = self._conn.execute(
            "SELECT MIN(next_check_at) FROM articles WHERE state = 'active'"
        ).fetchone()
        return from_iso(row[0])

    # -- feeds and archive ------------------------------------------------
    # Feeds polled by monitor/feeds.py and the items they listed; the raw
    # response kept per version, the export scan and the online backup used
    # by monitor/archive.py.

    def add_feed(self, url: str, *, now: datetime, tags: Sequence[str] = ()) -> tuple[Feed, bool]:
        """Watch a feed (URL already normalised), due for polling now; tags are merged."""
        with self.transaction():
            rows = list(self.db["feeds"].rows_where("url = ?", [url], limit=1))
            if rows:
                merged = sorted(set(json.loads(rows[0]["tags"])) | set(tags))
                self.db["feeds"].update(rows[0]["id"], {"tags": json.dumps(merged)})
                feed_id, created = int(rows[0]["id"]), False
            else:
                inserted = self.db["feeds"].insert(
                    {
                        "url": url,
                        "added_at": to_iso(now),
                        "next_poll_at": to_iso(now),
                        "tags": json.dumps(sorted(set(tags))),
                    }
                )
                feed_id, created = int(inserted.last_pk), True
        return self.feed(feed_id), created

    def feed(self, feed_id: int) -> Feed:
        rows = list(self._query(_FEED_SELECT + " WHERE f.id = ?", [feed_id]))
        if not rows:
            raise NotFoundError(f"no feed with id {feed_id}")
        return _feed(rows[0])

    def find_feed(self, url: str) -> Feed | None:
        rows = list(self._query(_FEED_SELECT + " WHERE f.url = ?", [url]))
        return _feed(rows[0]) if rows else None

    def feeds(self) -> list[Feed]:
        return [_feed(row) for row in self._query(_FEED_SELECT + " ORDER BY f.id")]

    def due_feeds(self, now: datetime, limit: int = 100) -> list[Feed]:
        """Feeds whose next poll is due, oldest due first."""
        sql = (
            _FEED_SELECT + " WHERE f.next_poll_at IS NULL OR f.next_poll_at <= ?"
            " ORDER BY f.next_poll_at, f.id LIMIT ?"
        )
        return [_feed(row) for row in self._query(sql, [to_iso(now), limit])]

    def delete_feed(self, feed_id: int) -> None:
        """Stop polling a feed; the articles it found stay watched."""
        with self.transaction():
            self.db["feeds"].delete(feed_id)

    def record_feed_poll(self, feed_id: int, poll: FeedPoll) -> None:
        """Write what one poll learned about the feed itself (its items are written apart)."""
        changes: dict[str, Any] = {
            "last_polled_at": to_iso(poll.at),
            "next_poll_at": to_iso(poll.next_poll_at),
        }
        if poll.kind is not None:
            changes["kind"] = poll.kind
        if poll.title is not None:
            changes["title"] = poll.title
        if poll.validators is not None:
            changes["etag"], changes["last_modified"] = poll.validators
        if poll.children is not None:
            changes["children"] = json.dumps(
                {url: list(pair) for url, pair in sorted(poll.children.items())}
            )
        changes["last_error"] = poll.error
        assignments = ", ".join(f"{name} = ?" for name in changes)
        # A feed removed while it was being polled is simply not updated.
        with self.transaction():
            self._conn.execute(
                f"UPDATE feeds SET {assignments}, articles_found = articles_found + ?,"
                " error_count = CASE WHEN ? THEN error_count + 1 ELSE 0 END WHERE id = ?",
                [*changes.values(), poll.articles_added, poll.error is not None, feed_id],
            )

    def feed_items_seen(self, feed_id: int, urls: Sequence[str]) -> dict[str, datetime | None]:
        """Which of ``urls`` the feed listed before, with the updated time it gave then."""
        seen: dict[str, datetime | None] = {}
        for start in range(0, len(urls), 500):
            chunk = list(urls[start : start + 500])
            marks = ", ".join("?" for _ in chunk)
            rows = self._conn.execute(
                f"SELECT url, updated_at FROM feed_items WHERE feed_id = ? AND url IN ({marks})",
                [feed_id, *chunk],
            )
            seen.update((url, from_iso(updated)) for url, updated in rows.fetchall())
        return seen

    def record_feed_item(self, feed_id: int, item: NewFeedItem, *, now: datetime) -> bool:
        """Remember one feed item and what it says about its article, in one transaction.

        A first sighting links the item to its article, gives the article the
        feed's published time when the page has none yet (``posted_raw``
        says it came from the feed) and records the feed's updated time. A
        later sighting whose updated time moved makes the article due now: an
        outlet bumping ``<updated>`` has probably edited the story. Returns
        whether the article was made due.
        """
        with self.transaction():
            row = self._conn.execute(
                "SELECT article_id, updated_at FROM feed_items WHERE feed_id = ? AND url = ?",
                [feed_id, item.url],
            ).fetchone()
            if row is None:
                self.db["feed_items"].insert(
                    {
                        "feed_id": feed_id,
                        "url": item.url,
                        "article_id": item.article_id,
                        "first_seen_at": to_iso(now),
                        "published_at": to_iso(item.published_at),
                        "updated_at": to_iso(item.updated_at),
                        "skipped": item.skipped,
                    }
                )
                if item.article_id is not None and item.published_at is not None:
                    self._conn.execute(
                        "UPDATE articles SET posted_at = ?, posted_raw = ?"
                        " WHERE id = ? AND posted_at IS NULL",
                        [
                            to_iso(item.published_at),
                            f"feed: {item.published_raw or to_iso(item.published_at)}",
                            item.article_id,
                        ],
                    )
                self._note_feed_updated(item.article_id, item.updated_at)
                return False
            article_id, before = row[0], from_iso(row[1])
            if item.updated_at is None or (before is not None and item.updated_at <= before):
                return False
            self._conn.execute(
                "UPDATE feed_items SET updated_at = ? WHERE feed_id = ? AND url = ?",
                [to_iso(item.updated_at), feed_id, item.url],
            )
            self._note_feed_updated(article_id, item.updated_at)
            if article_id is None or before is None:
                return False
            cursor = self._conn.execute(
                "UPDATE articles SET next_check_at = ?, state = 'active'"
                " WHERE id = ? AND state IN ('active', 'done')"
                " AND (next_check_at IS NULL OR next_check_at > ?)",
                [to_iso(now), article_id, to_iso(now)],
            )
            return cursor.rowcount > 0

    def _note_feed_updated(self, article_id: int | None, updated_at: datetime | None) -> None:
        if article_id is None or updated_at is None:
            return
        self._conn.execute(
            "UPDATE articles SET feed_updated_at = ?"
            " WHERE id = ? AND (feed_updated_at IS NULL OR feed_updated_at < ?)",
            [to_iso(updated_at), article_id, to_iso(updated_at)],
        )

    def feed_updated_at(self, article_id: int) -> datetime | None:
        """The latest updated time a feed gave for this article's item."""
        row = self._conn.execute(
            "SELECT feed_updated_at FROM articles WHERE id = ?", [article_id]
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no article with id {article_id}")
        return from_iso(row[0])

    def _insert_raw(self, version_id: int, fetched_at: datetime, raw: RawResponse) -> None:
        self._insert(
            "raw_responses",
            {
                "version_id": version_id,
                "fetched_at": to_iso(fetched_at),
                "url": raw.url,
                "status": raw.status,
                "headers": json.dumps([list(pair) for pair in raw.headers]),
                "body": zlib.compress(raw.body, 6),
            },
        )

    def raw_response(self, version_id: int) -> RawResponse | None:
        row = self._conn.execute(
            "SELECT url, status, headers, body FROM raw_responses WHERE version_id = ?",
            [version_id],
        ).fetchone()
        return _raw(row[0], row[1], row[2], row[3]) if row else None

    def prune_raw(self, before: datetime) -> int:
        """Forget raw responses of versions fetched before ``before``; the versions stay."""
        with self.transaction():
            cursor = self._conn.execute(
                "DELETE FROM raw_responses WHERE fetched_at < ?", [to_iso(before)]
            )
        return cursor.rowcount

    def archived_versions(
        self, *, since: datetime | None = None, with_raw: bool = False
    ) -> Iterator[ArchivedVersion]:
        """Every version (fetched at or after ``since``) with its article, by article then n.

        A generator over one query, so an export of millions of versions
        never holds them all in memory.
        """
        raw_columns = (
            ", r.url AS raw_url, r.status AS raw_status, r.headers AS raw_headers,"
            " r.body AS raw_body"
            if with_raw
            else ""
        )
        raw_join = " LEFT JOIN raw_responses r ON r.version_id = v.id" if with_raw else ""
        sql = (
            "SELECT v.*, a.url AS a_url, a.final_url AS a_final_url,"
            " a.canonical_url AS a_canonical_url, a.outlet AS a_outlet, a.tags AS a_tags,"
            " a.state AS a_state, a.posted_at AS a_posted_at, a.posted_raw AS a_posted_raw"
            f"{raw_columns} FROM versions v JOIN articles a ON a.id = v.article_id{raw_join}"
            " WHERE v.fetched_at >= ? ORDER BY v.article_id, v.n"
        )
        for row, version in self._with_versions(self._query(sql, [to_iso(since) or ""])):
            raw = None
            if with_raw and row["raw_body"] is not None:
                raw = _raw(row["raw_url"], row["raw_status"], row["raw_headers"], row["raw_body"])
            yield ArchivedVersion(
                version=version,
                url=row["a_url"],
                final_url=row["a_final_url"],
                canonical_url=row["a_canonical_url"],
                outlet=row["a_outlet"],
                tags=tuple(json.loads(row["a_tags"])),
                state=State(row["a_state"]),
                article_posted_at=from_iso(row["a_posted_at"]),
                article_posted_raw=row["a_posted_raw"],
                raw=raw,
            )

    def latest_content_hash(self, article_id: int) -> str | None:
        """The content hash of the article's latest version: what a fast-path memo must match."""
        row = self._conn.execute(
            "SELECT content_hash FROM versions WHERE article_id = ? ORDER BY n DESC LIMIT 1",
            [article_id],
        ).fetchone()
        return row[0] if row else None

    def backup_to(self, path: Path | str) -> None:
        """Copy the database into a new file with SQLite's online backup.

        One backup step reads the whole database inside one read transaction,
        so the copy is a consistent snapshot even while the service writes;
        the copy is switched out of WAL mode so it is one self-contained file.
        """
        dest = sqlite3.connect(str(path))
        try:
            self._conn.backup(dest)
            dest.execute("PRAGMA journal_mode = DELETE")
        finally:
            dest.close()


_ARTICLE_SELECT = (
    "SELECT a.*, (SELECT COUNT(*) FROM versions v WHERE v.article_id = a.id) AS version_count,"
    " (SELECT MAX(v.fetched_at) FROM versions v WHERE v.article_id = a.id AND v.n > 1)"
    " AS last_changed_at FROM articles a"
)


def _article_changes(update: ArticleUpdate) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for name, value in update.__dict__.items():
        if name == "clear_error" or value is None:
            continue
        if isinstance(value, datetime):
            value = to_iso(value)
        elif isinstance(value, State):
            value = value.value
        changes[name] = value
    if update.clear_error:
        changes["last_error"] = None
    return changes


def _article(row: dict[str, Any]) -> Article:
    return Article(
        id=row["id"],
        url=row["url"],
        canonical_url=row["canonical_url"],
        outlet=row["outlet"],
        title=row["title"],
        added_at=from_iso(row["added_at"]) or datetime.now(UTC),
        posted_at=from_iso(row["posted_at"]),
        updated_at=from_iso(row["updated_at"]),
        state=State(row["state"]),
        next_check_at=from_iso(row["next_check_at"]),
        interval_s=row["interval_s"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        tags=tuple(json.loads(row["tags"])),
        error_count=row["error_count"],
        last_error=row["last_error"],
        last_checked_at=from_iso(row["last_checked_at"]),
        version_count=row.get("version_count", 0),
        last_changed_at=from_iso(row.get("last_changed_at")),
        final_url=row["final_url"],
        posted_raw=row["posted_raw"],
        updated_raw=row["updated_raw"],
        fast_path=row.get("fast_path"),
    )


def _version(row: dict[str, Any], body: str) -> Version:
    return Version(
        id=row["id"],
        article_id=row["article_id"],
        n=row["n"],
        fetched_at=from_iso(row["fetched_at"]) or datetime.now(UTC),
        title=row["title"],
        byline=row["byline"],
        body=body,
        body_hash=row["body_hash"],
        content_hash=row["content_hash"],
        posted_at=from_iso(row["posted_at"]),
        updated_at=from_iso(row["updated_at"]),
        posted_raw=row["posted_raw"],
        updated_raw=row["updated_raw"],
        kind=Kind(row["kind"]),
        flags=tuple(json.loads(row["flags"])),
        stats=DiffStats(**json.loads(row["stats"])),
        reverts_to=row["reverts_to"],
    )


def _stats_json(stats: dict[str, int]) -> str:
    """Diff stats without their zero fields: most are zero, and ``DiffStats`` defaults them."""
    return json.dumps({name: value for name, value in stats.items() if value})


def _check(row: dict[str, Any]) -> Check:
    return Check(
        article_id=row["article_id"],
        at=from_iso(row["at"]) or datetime.now(UTC),
        outcome=Outcome(row["outcome"]),
        http_status=row["http_status"],
        duration_ms=row["duration_ms"],
        bytes_read=row["bytes_read"],
        error=row["error"],
        version_n=row["version_n"],
        updated_at=from_iso(row["updated_at"]),
    )


# -- notifications --------------------------------------------------------


@dataclass(frozen=True)
class NewNotification:
    """An outbox row to write: one alert for one channel (see ``monitor.notify``)."""

    channel: str  # the channel id: its name or a hash of its URL, never the URL
    event: str  # "edit" (a new version) or "gone" (the article was pulled)
    created_at: datetime
    next_attempt_at: datetime  # now, or the channel's next digest time


@dataclass(frozen=True)
class Notification:
    """An outbox row as stored, with its article's URL and version number."""

    id: int
    version_id: int | None
    article_id: int | None
    channel: str
    event: str
    status: str  # pending, sending, sent, failed
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    sent_at: datetime | None
    created_at: datetime
    claimed_until: datetime | None = None
    article_url: str | None = None
    version_n: int | None = None


def _notification(row: dict[str, Any]) -> Notification:
    return Notification(
        id=row["id"],
        version_id=row["version_id"],
        article_id=row["article_id"],
        channel=row["channel"],
        event=row["event"],
        status=row["status"],
        attempts=row["attempts"],
        next_attempt_at=from_iso(row["next_attempt_at"]),
        last_error=row["last_error"],
        sent_at=from_iso(row["sent_at"]),
        created_at=from_iso(row["created_at"]) or datetime.now(UTC),
        claimed_until=from_iso(row["claimed_until"]),
        article_url=row["article_url"],
        version_n=row["version_n"],
    )


# -- web queries ------------------------------------------------------------

EDIT_KINDS = ("declared", "stealth")  # Kind values an edit filter may name; anything else is a flag


@dataclass(frozen=True)
class ArticleFilter:
    """Which watchlist rows to show; empty fields do not filter."""

    states: tuple[State, ...] = ()
    tag: str | None = None
    outlet: str | None = None
    edit: str | None = None  # "declared", "stealth" or a flag: articles with such an edit
    search: str | None = None  # a piece of the URL or the headline, case-insensitive
    sort: str = "recent"  # "recent" (latest edit first), "edits" (most versions), "added"


@dataclass(frozen=True)
class EditFilter:
    """Which edits to list; empty fields do not filter."""

    since: datetime | None = None
    edit: str | None = None  # "declared", "stealth" or a flag
    outlet: str | None = None
    tag: str | None = None
    article_id: int | None = None


@dataclass(frozen=True)
class EditEntry:
    """One edit (a version after the first) with the article it belongs to."""

    version: Version
    url: str
    outlet: str
    article_title: str | None
    tags: tuple[str, ...]
    state: State


_ARTICLE_ORDER = {
    "recent": "(a.last_changed_at IS NULL), a.last_changed_at DESC, a.id DESC",
    "edits": "a.version_count DESC, (a.last_changed_at IS NULL), a.last_changed_at DESC, a.id DESC",
    "added": "a.added_at DESC, a.id DESC",
}


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _edit_condition(edit: str, alias: str) -> tuple[str, list[Any]]:
    """SQL matching a version row ``alias`` of one kind or carrying one flag."""
    if edit in EDIT_KINDS:
        return f"{alias}.kind = ?", [edit]
    return f"EXISTS (SELECT 1 FROM json_each({alias}.flags) WHERE value = ?)", [edit]


def _article_filter(wanted: ArticleFilter) -> tuple[str, list[Any]]:
    where: list[str] = ["1"]
    params: list[Any] = []
    if wanted.states:
        where.append(f"a.state IN ({', '.join('?' for _ in wanted.states)})")
        params.extend(s.value for s in wanted.states)
    if wanted.tag:
        where.append("EXISTS (SELECT 1 FROM json_each(a.tags) WHERE value = ?)")
        params.append(wanted.tag)
    if wanted.outlet:
        where.append("a.outlet = ?")
        params.append(wanted.outlet)
    if wanted.search:
        where.append(
            "(a.url LIKE ? ESCAPE '\\' OR a.title LIKE ? ESCAPE '\\'"
            " OR a.final_url LIKE ? ESCAPE '\\')"
        )
        params.extend([_like(wanted.search)] * 3)
    if wanted.edit:
        condition, args = _edit_condition(wanted.edit, "v")
        clause = f"EXISTS (SELECT 1 FROM versions v WHERE v.article_id = a.id AND v.n > 1 AND {condition})"
        if wanted.edit == "removed":  # a pulled page is an article state, not a version
            clause = f"(a.state = 'gone' OR {clause})"
        where.append(clause)
        params.extend(args)
    return " AND ".join(where), params


def _edit_filter(wanted: EditFilter) -> tuple[str, list[Any]]:
    where: list[str] = ["v.n > 1"]
    params: list[Any] = []
    if wanted.since is not None:
        where.append("v.fetched_at >= ?")
        params.append(to_iso(wanted.since))
    if wanted.edit:
        condition, args = _edit_condition(wanted.edit, "v")
        where.append(condition)
        params.extend(args)
    if wanted.outlet:
        where.append("a.outlet = ?")
        params.append(wanted.outlet)
    if wanted.tag:
        where.append("EXISTS (SELECT 1 FROM json_each(a.tags) WHERE value = ?)")
        params.append(wanted.tag)
    if wanted.article_id is not None:
        where.append("v.article_id = ?")
        params.append(wanted.article_id)
    return " AND ".join(where), params


# -- feeds and archive ------------------------------------------------------


@dataclass(frozen=True)
class RawResponse:
    """The HTTP response a version was extracted from, kept for WARC export."""

    url: str  # where the fetch ended, after redirects
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


def raw_response(fetched: Fetched) -> RawResponse:
    """What the checker keeps of a response: the page's bytes and headers as received.

    A ``Fetched`` made without them (by hand, in tests) falls back to the text
    encoded in the page's own charset and the validators it carries.
    """
    if fetched.body or fetched.headers:
        headers = tuple(
            (name, value)
            for name, value in fetched.headers
            if name.lower() not in ("content-encoding", "transfer-encoding", "content-length")
        )
        body = fetched.body
    else:
        body = fetched.text.encode(fetched.encoding or "utf-8", errors="replace")
        headers = tuple(
            (name, value)
            for name, value in (
                ("Content-Type", fetched.content_type),
                ("ETag", fetched.etag),
                ("Last-Modified", fetched.last_modified),
            )
            if value
        )
    return RawResponse(
        fetched.final_url, fetched.status, (*headers, ("Content-Length", str(len(body)))), body
    )


def _raw(url: str, status: int, headers: str, body: bytes) -> RawResponse:
    return RawResponse(
        url=url,
        status=status,
        headers=tuple((name, value) for name, value in json.loads(headers)),
        body=zlib.decompress(body),
    )


@dataclass(frozen=True)
class Feed:
    """A watched feed or sitemap and what its polls found."""

    id: int
    url: str
    added_at: datetime
    tags: tuple[str, ...]
    kind: str | None  # rss20, atom10, sitemap, news-sitemap, sitemap-index…; None before a poll
    title: str | None
    last_polled_at: datetime | None
    next_poll_at: datetime | None
    etag: str | None
    last_modified: str | None
    articles_found: int
    items_seen: int
    error_count: int
    last_error: str | None
    # A sitemap index's child sitemaps: URL -> (etag, last_modified) of its last fetch.
    children: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)


@dataclass(frozen=True)
class FeedPoll:
    """What one poll learned about a feed; ``None`` fields are left alone."""

    at: datetime
    next_poll_at: datetime
    kind: str | None = None
    title: str | None = None
    validators: tuple[str | None, str | None] | None = None  # (etag, last_modified)
    children: dict[str, tuple[str | None, str | None]] | None = None
    articles_added: int = 0
    error: str | None = None  # None clears the feed's error


@dataclass(frozen=True)
class NewFeedItem:
    """One item of one feed: its article (if watched) and the feed's times for it."""

    url: str  # normalised
    article_id: int | None
    published_at: datetime | None = None
    published_raw: str | None = None
    updated_at: datetime | None = None
    skipped: str | None = None  # why it was not watched (not http, private address…)


@dataclass(frozen=True)
class ArchivedVersion:
    """One version with the article it belongs to, as exported."""

    version: Version
    url: str
    final_url: str | None
    canonical_url: str | None
    outlet: str
    tags: tuple[str, ...]
    state: State
    article_posted_at: datetime | None
    article_posted_raw: str | None
    raw: RawResponse | None = None


_FEED_SELECT = (
    "SELECT f.*, (SELECT COUNT(*) FROM feed_items i WHERE i.feed_id = f.id) AS items_seen"
    " FROM feeds f"
)


def _feed(row: dict[str, Any]) -> Feed:
    return Feed(
        id=row["id"],
        url=row["url"],
        added_at=from_iso(row["added_at"]) or datetime.now(UTC),
        tags=tuple(json.loads(row["tags"])),
        kind=row["kind"],
        title=row["title"],
        last_polled_at=from_iso(row["last_polled_at"]),
        next_poll_at=from_iso(row["next_poll_at"]),
        etag=row["etag"],
        last_modified=row["last_modified"],
        articles_found=row["articles_found"],
        items_seen=row["items_seen"],
        error_count=row["error_count"],
        last_error=row["last_error"],
        children={url: (pair[0], pair[1]) for url, pair in json.loads(row["children"]).items()},
    )
