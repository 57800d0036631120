"""The only module that touches SQL.

SQLite through sqlite-utils, in WAL mode with a busy timeout so the CLI can
check while the service runs. Schema changes are ``sqlite_utils`` migrations
recorded in the database itself; a database carrying a migration this release
does not know came from a newer release and is refused rather than damaged.

Everything a check learns is written in one transaction (``record_check``),
so a crash leaves either the whole check or none of it. Times are stored as
ISO 8601 UTC strings; the page's own time strings are kept beside them.
Callers get dataclasses from ``monitor.models``, never rows.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlite_utils.migrations import Migrations

from monitor.errors import NotFoundError, StoreError
from monitor.models import (
    Article,
    Check,
    DiffStats,
    Kind,
    Outcome,
    State,
    Version,
)

migrations = Migrations("monitor")


@migrations()
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


def to_iso(moment: datetime | None) -> str | None:
    """Store times as UTC ISO 8601 so string order is time order."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to the store")
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def from_iso(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


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
        self.db = sqlite_utils.Database(conn)
        self._migrate()

    def _migrate(self) -> None:
        try:
            known = {m.name for m in migrations._migrations}  # type: ignore[attr-defined]
            if self.db["_sqlite_migrations"].exists():
                applied = {
                    row["name"]
                    for row in self.db["_sqlite_migrations"].rows_where(
                        "migration_set = ?", [migrations.name]
                    )
                }
                newer = applied - known
                if newer:
                    raise StoreError(
                        f"{self.path}: the database was written by a newer release of monitor "
                        f"(unknown migrations: {', '.join(sorted(newer))}); upgrade monitor"
                    )
            migrations.apply(self.db)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a usable monitor database: {exc}") from exc

    def close(self) -> None:
        self.db.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One IMMEDIATE transaction: writers queue on the busy timeout, never half-write."""
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

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
        rows = list(self.db.query(_ARTICLE_SELECT + " WHERE a.id = ?", [article_id]))
        if not rows:
            raise NotFoundError(f"no article with id {article_id}")
        return _article(rows[0])

    def find_article(self, url: str) -> Article | None:
        """The article watched at ``url`` (normalised), or at that final/canonical URL."""
        rows = list(
            self.db.query(
                _ARTICLE_SELECT + " WHERE a.url = ? OR a.final_url = ? OR a.canonical_url = ?"
                " ORDER BY a.url = ? DESC, a.id LIMIT 1",
                [url, url, url, url],
            )
        )
        return _article(rows[0]) if rows else None

    def articles(
        self, *, states: Sequence[State] | None = None, tag: str | None = None
    ) -> list[Article]:
        where, params = [], []
        if states:
            where.append(f"a.state IN ({', '.join('?' for _ in states)})")
            params.extend(s.value for s in states)
        if tag:
            where.append("EXISTS (SELECT 1 FROM json_each(a.tags) WHERE value = ?)")
            params.append(tag)
        sql = (
            _ARTICLE_SELECT + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY a.id"
        )
        return [_article(row) for row in self.db.query(sql, params)]

    def due_articles(self, now: datetime, limit: int = 500) -> list[Article]:
        """Active articles whose next check is due, oldest due first."""
        sql = (
            _ARTICLE_SELECT + " WHERE a.state = 'active' AND a.next_check_at <= ?"
            " ORDER BY a.next_check_at LIMIT ?"
        )
        return [_article(row) for row in self.db.query(sql, [to_iso(now), limit])]

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
        rows = list(
            self.db["versions"].rows_where(
                "article_id = ?", [article_id], order_by="n DESC", limit=1
            )
        )
        return _version(rows[0]) if rows else None

    def versions(self, article_id: int) -> list[Version]:
        return [
            _version(row)
            for row in self.db["versions"].rows_where("article_id = ?", [article_id], order_by="n")
        ]

    def version(self, article_id: int, n: int) -> Version:
        rows = list(self.db["versions"].rows_where("article_id = ? AND n = ?", [article_id, n]))
        if not rows:
            count = self.db["versions"].count_where("article_id = ?", [article_id])
            raise NotFoundError(f"no version {n} (the article has {count} version(s))")
        return _version(rows[0])

    def version_with_content(self, article_id: int, content_hash: str) -> Version | None:
        """The newest version whose content matches, to recognise reverts."""
        rows = list(
            self.db["versions"].rows_where(
                "article_id = ? AND content_hash = ?",
                [article_id, content_hash],
                order_by="n DESC",
                limit=1,
            )
        )
        return _version(rows[0]) if rows else None

    def checks(self, article_id: int, limit: int | None = None) -> list[Check]:
        rows = self.db["checks"].rows_where(
            "article_id = ?", [article_id], order_by="at, id", limit=limit
        )
        return [_check(row) for row in rows]

    def prune_checks(self, before: datetime) -> int:
        """Delete uneventful check rows (unchanged, not_modified) older than ``before``."""
        with self.transaction():
            cursor = self.db.execute(
                "DELETE FROM checks WHERE at < ? AND outcome IN ('unchanged', 'not_modified')",
                [to_iso(before)],
            )
        return cursor.rowcount

    def recent_outcomes(self, article_id: int, limit: int) -> list[Outcome]:
        """The outcomes of the last ``limit`` checks, newest first."""
        rows = self.db.execute(
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
    ) -> Version | None:
        """Write one check, its new version (if any) and the article's new state atomically."""
        with self.transaction():
            stored: Version | None = None
            version_n = None
            if new_version is not None:
                version_n = self._insert_version(article_id, new_version)
            self.db["checks"].insert(
                {
                    "article_id": article_id,
                    "at": to_iso(check.at),
                    "outcome": check.outcome.value,
                    "http_status": check.http_status,
                    "duration_ms": check.duration_ms,
                    "bytes_read": check.bytes_read,
                    "error": check.error,
                    "version_n": version_n or check.version_n,
                    "updated_at": to_iso(update.updated_at),
                    "updated_raw": update.updated_raw,
                }
            )
            changes = _article_changes(update)
            changes["last_checked_at"] = to_iso(check.at)
            self.db["articles"].update(article_id, changes)
        if version_n is not None:
            stored = self.version(article_id, version_n)
        return stored

    def _insert_version(self, article_id: int, version: NewVersion) -> int:
        previous = self.db.execute(
            "SELECT COALESCE(MAX(n), 0) FROM versions WHERE article_id = ?", [article_id]
        ).fetchone()[0]
        n = int(previous) + 1
        self.db["versions"].insert(
            {
                "article_id": article_id,
                "n": n,
                "fetched_at": to_iso(version.fetched_at),
                "title": version.title,
                "byline": version.byline,
                "body": version.body,
                "body_hash": version.body_hash,
                "content_hash": version.content_hash,
                "posted_at": to_iso(version.posted_at),
                "posted_raw": version.posted_raw,
                "updated_at": to_iso(version.updated_at),
                "updated_raw": version.updated_raw,
                "kind": version.kind.value,
                "flags": json.dumps(sorted(version.flags)),
                "stats": json.dumps(version.stats.__dict__),
                "reverts_to": version.reverts_to,
            }
        )
        return n


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
    )


def _version(row: dict[str, Any]) -> Version:
    return Version(
        id=row["id"],
        article_id=row["article_id"],
        n=row["n"],
        fetched_at=from_iso(row["fetched_at"]) or datetime.now(UTC),
        title=row["title"],
        byline=row["byline"],
        body=row["body"],
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
