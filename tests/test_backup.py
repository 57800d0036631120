"""``monitor backup``: a consistent copy of a database another connection keeps writing."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner, Result

from monitor.cli import main
from monitor.models import Check, DiffStats, Kind, Outcome
from monitor.store import ArticleUpdate, NewVersion, Store

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def run(db: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--db", str(db), *args], catch_exceptions=False)


def write_versions(db: Path, stop: threading.Event, written: list[int]) -> None:
    """Record checks with a new version each, one transaction apiece, until stopped."""
    with Store(db) as store:
        article, _ = store.add_article(
            "https://news.example.com/a.html", "news.example.com", now=NOW
        )
        i = 0
        while not stop.is_set() or i < 20:
            i += 1
            at = NOW + timedelta(seconds=i)
            store.record_check(
                article.id,
                Check(article_id=article.id, at=at, outcome=Outcome.CHANGED, http_status=200),
                update=ArticleUpdate(title=f"Headline {i}"),
                new_version=NewVersion(
                    fetched_at=at,
                    title=f"Headline {i}",
                    byline="",
                    body=f"Body {i}. " * 200,
                    body_hash=f"b{i}",
                    content_hash=f"c{i}",
                    posted_at=None,
                    posted_raw=None,
                    updated_at=None,
                    updated_raw=None,
                    kind=Kind.STEALTH,
                    flags=(),
                    stats=DiffStats(),
                ),
            )
            written.append(i)


def test_backup_while_a_writer_keeps_writing(tmp_path: Path) -> None:
    db = tmp_path / "live.db"
    Store(db).close()
    stop = threading.Event()
    written: list[int] = []
    writer = threading.Thread(target=write_versions, args=(db, stop, written))
    writer.start()
    try:
        while len(written) < 20:  # let the writer get going
            threading.Event().wait(0.01)
        copies = []
        for n in range(3):
            target = tmp_path / f"copy-{n}.db"
            result = run(db, "backup", str(target))
            assert result.exit_code == 0, result.output
            assert result.stderr.strip() == f"backed up {db} to {target}"
            copies.append(target)
    finally:
        stop.set()
        writer.join()
    counts = []
    for copy in copies:
        conn = sqlite3.connect(copy)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
            checks = conn.execute("SELECT COUNT(*) FROM checks").fetchone()[0]
            versions = conn.execute("SELECT COUNT(*) FROM versions").fetchone()[0]
            ns = [n for (n,) in conn.execute("SELECT n FROM versions ORDER BY n")]
        finally:
            conn.close()
        # Every check came with its version in one transaction: a consistent
        # snapshot has as many of one as of the other, numbered without gaps.
        assert checks == versions > 0
        assert ns == list(range(1, versions + 1))
        counts.append(versions)
    assert counts == sorted(counts)
    assert not Path(f"{copies[0]}-wal").exists()
    # The copy is a working monitor database.
    with Store(copies[-1]) as store:
        assert store.articles()[0].version_count == counts[-1]


def test_backup_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    db = tmp_path / "live.db"
    with Store(db) as store:
        store.add_article("https://news.example.com/a.html", "news.example.com", now=NOW)
    target = tmp_path / "backup.db"
    target.write_bytes(b"precious")
    refused = run(db, "backup", str(target))
    assert refused.exit_code == 2
    assert refused.stderr.strip() == f"monitor: {target} exists; use --force to overwrite it"
    assert target.read_bytes() == b"precious"
    forced = run(db, "backup", "--force", str(target))
    assert forced.exit_code == 0
    with Store(target) as store:
        assert [a.url for a in store.articles()] == ["https://news.example.com/a.html"]
    assert run(db, "backup", "--force", str(db)).exit_code == 2  # never onto itself
    assert not list(tmp_path.glob(".*.partial"))
