import signal
import sqlite3
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.errors import NotFoundError, StoreError
from monitor.models import Check, DiffStats, Kind, Outcome, State
from monitor.store import (
    CHECK_BATCH,
    ArticleUpdate,
    EditFilter,
    NewVersion,
    Store,
    migrations,
)

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


def new_version(body: str, n_hash: str = "h") -> NewVersion:
    return NewVersion(
        fetched_at=NOW,
        title="Headline",
        byline="Kim Min-su",
        body=body,
        body_hash=f"b-{n_hash}",
        content_hash=f"c-{n_hash}",
        posted_at=datetime(2019, 3, 26, 8, 8, tzinfo=UTC),
        posted_raw="2019-03-26 17:08",
        updated_at=None,
        updated_raw=None,
        kind=Kind.INITIAL,
        flags=(),
        stats=DiffStats(),
    )


def test_database_file_is_created_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "monitor.db"
    with Store(path) as store:
        store.add_article("https://example.com/a", "example.com", now=NOW)
    assert path.exists()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"articles", "versions", "checks", "notifications", "feeds"} <= tables


def test_adding_twice_keeps_one_article_and_merges_tags(tmp_path: Path) -> None:
    with Store(tmp_path / "m.db") as store:
        first, created = store.add_article(
            "https://example.com/a", "example.com", now=NOW, tags=["a"]
        )
        again, created_again = store.add_article(
            "https://example.com/a", "example.com", now=NOW, tags=["b"]
        )
        assert created and not created_again
        assert first.id == again.id
        assert again.tags == ("a", "b")
        assert len(store.articles()) == 1


def test_record_check_writes_version_and_check_together(tmp_path: Path) -> None:
    with Store(tmp_path / "m.db") as store:
        article, _ = store.add_article("https://example.com/a", "example.com", now=NOW)
        check = Check(article_id=article.id, at=NOW, outcome=Outcome.NEW, http_status=200)
        stored = store.record_check(
            article.id,
            check,
            update=ArticleUpdate(title="Headline", etag='"v1"'),
            new_version=new_version("One.\n\nTwo."),
        )
        assert stored is not None and stored.n == 1
        assert stored.paragraphs == ("One.", "Two.")
        assert stored.posted_raw == "2019-03-26 17:08"
        refreshed = store.article(article.id)
        assert refreshed.title == "Headline"
        assert refreshed.etag == '"v1"'
        assert refreshed.version_count == 1
        assert [c.version_n for c in store.checks(article.id)] == [1]


def test_versions_are_numbered_in_order(tmp_path: Path) -> None:
    with Store(tmp_path / "m.db") as store:
        article, _ = store.add_article("https://example.com/a", "example.com", now=NOW)
        for i in range(3):
            check = Check(article_id=article.id, at=NOW, outcome=Outcome.CHANGED, http_status=200)
            store.record_check(
                article.id, check, update=ArticleUpdate(), new_version=new_version(f"B{i}", str(i))
            )
        assert [v.n for v in store.versions(article.id)] == [1, 2, 3]
        assert store.latest_version(article.id).body == "B2"
        assert store.version_with_content(article.id, "c-1").n == 2
        with pytest.raises(NotFoundError, match="has 3 version"):
            store.version(article.id, 9)


def test_a_failed_transaction_leaves_nothing_behind(tmp_path: Path) -> None:
    with Store(tmp_path / "m.db") as store:
        article, _ = store.add_article("https://example.com/a", "example.com", now=NOW)
        bad_check = Check(article_id=article.id, at=NOW, outcome=Outcome.NEW, http_status=200)
        # A naive datetime makes the check row fail after the version row was inserted.
        naive = ArticleUpdate(next_check_at=datetime(2026, 1, 1))
        with pytest.raises(ValueError):
            store.record_check(article.id, bad_check, update=naive, new_version=new_version("x"))
        assert store.versions(article.id) == []
        assert store.checks(article.id) == []


def test_due_articles_respects_state_and_time(tmp_path: Path) -> None:
    with Store(tmp_path / "m.db") as store:
        a, _ = store.add_article("https://example.com/a", "example.com", now=NOW)
        b, _ = store.add_article(
            "https://example.com/b", "example.com", now=NOW + timedelta(hours=1)
        )
        c, _ = store.add_article("https://example.com/c", "example.com", now=NOW)
        store.set_state(c.id, State.PAUSED)
        assert [x.id for x in store.due_articles(NOW)] == [a.id]
        assert {x.id for x in store.due_articles(NOW + timedelta(hours=2))} == {a.id, b.id}


def test_articles_are_read_a_page_at_a_time_by_state_and_due_time(tmp_path: Path) -> None:
    with Store(tmp_path / "m.db") as store:
        ids = [
            store.add_article(f"https://example.com/{i}", "example.com", now=NOW)[0].id
            for i in range(10)
        ]
        store.set_state(ids[4], State.PAUSED)
        store.set_state(ids[7], State.ACTIVE, next_check_at=NOW + timedelta(hours=1))
        active = [i for i in ids if i != ids[4]]
        assert [a.id for a in store.iter_articles(states=[State.ACTIVE], page=3)] == active
        assert [a.id for a in store.iter_articles(page=3)] == ids
        due = [a.id for a in store.iter_articles(states=[State.ACTIVE], due_by=NOW, page=3)]
        assert due == [i for i in active if i != ids[7]]
        assert [a.id for a in store.iter_articles(states=[State.GONE], page=3)] == []


def test_a_pass_writing_between_pages_neither_skips_nor_repeats_an_article(
    tmp_path: Path,
) -> None:
    """What a pass does to an article it was given (next check later) moves no other."""
    with Store(tmp_path / "m.db") as store:
        ids = [
            store.add_article(f"https://example.com/{i}", "example.com", now=NOW)[0].id
            for i in range(7)
        ]
        seen = []
        for article in store.iter_articles(states=[State.ACTIVE], due_by=NOW, page=2):
            seen.append(article.id)
            store.set_state(article.id, State.ACTIVE, next_check_at=NOW + timedelta(hours=1))
        assert seen == ids
        assert list(store.iter_articles(states=[State.ACTIVE], due_by=NOW, page=2)) == []


def test_tag_filter(tmp_path: Path) -> None:
    with Store(tmp_path / "m.db") as store:
        store.add_article("https://example.com/a", "example.com", now=NOW, tags=["politics"])
        store.add_article("https://example.com/b", "example.com", now=NOW, tags=["sport"])
        assert [a.url for a in store.articles(tag="politics")] == ["https://example.com/a"]


def test_reopening_applies_no_migration_twice(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    Store(path).close()
    with Store(path) as store:
        names = [r["name"] for r in store.db["_sqlite_migrations"].rows]
    # Every migration this release knows, once each, in order.
    assert names == [m.name for m in migrations()._migrations]  # type: ignore[attr-defined]
    assert names[:5] == [
        "m001_initial",
        "m002_notification_outbox",
        "m003_feeds_raw",
        "m004_performance",
        "m005_compact_versions",
    ]


def test_database_from_a_newer_release_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    with Store(path) as store:
        store.add_article("https://example.com/a", "example.com", now=NOW)
        store.db["_sqlite_migrations"].insert(
            {"migration_set": "monitor", "name": "m999_future", "applied_at": NOW.isoformat()}
        )
    with pytest.raises(StoreError, match="newer release"):
        Store(path)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0] == 1


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError):
        Store(path)
    assert path.read_bytes().startswith(b"this is not sqlite")


def test_the_same_text_recorded_twice_by_two_processes_is_stored_once(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    with Store(path) as service, Store(path) as command_line:
        article, _ = service.add_article("https://example.com/a", "example.com", now=NOW)
        check = Check(article_id=article.id, at=NOW, outcome=Outcome.CHANGED, http_status=200)
        first = service.record_check(
            article.id, check, update=ArticleUpdate(), new_version=new_version("B", "1")
        )
        again = command_line.record_check(
            article.id, check, update=ArticleUpdate(), new_version=new_version("B", "1")
        )
        assert first is not None and again is None
        assert [v.n for v in service.versions(article.id)] == [1]
        assert [c.outcome for c in service.checks(article.id)] == [
            Outcome.CHANGED,
            Outcome.UNCHANGED,
        ]


def test_count_edits_agrees_with_find_edits_under_every_filter(tmp_path: Path) -> None:
    with Store(tmp_path / "m.db") as store:
        for url, outlet, tags in (
            ("https://a.example/1", "a.example", ["politics"]),
            ("https://b.example/1", "b.example", []),
        ):
            article, _ = store.add_article(url, outlet, now=NOW, tags=tags)
            for i in range(4):
                check = Check(article.id, NOW, Outcome.CHANGED, http_status=200)
                version = new_version(f"Text {i}.", str(i))
                store.record_check(
                    article.id,
                    check,
                    update=ArticleUpdate(),
                    new_version=replace(version, fetched_at=NOW + timedelta(hours=i)),
                )
        for wanted in (
            EditFilter(),
            EditFilter(outlet="a.example"),
            EditFilter(tag="politics"),
            EditFilter(since=NOW + timedelta(hours=2)),
            EditFilter(article_id=2, since=NOW + timedelta(hours=3)),
        ):
            assert store.count_edits(wanted) == len(store.find_edits(wanted)), wanted
        assert store.count_edits(EditFilter()) == 6
        assert store.count_edits(EditFilter(outlet="a.example")) == 3


# -- checks written in batches ------------------------------------------------------------------


def checked(store: Store, article_id: int, body: str | None = None) -> None:
    """One check of ``article_id``: a new version with ``body``, else unchanged."""
    outcome = Outcome.UNCHANGED if body is None else Outcome.CHANGED
    store.record_check(
        article_id,
        Check(article_id=article_id, at=NOW, outcome=outcome, http_status=200),
        update=ArticleUpdate(etag=f'"{body}"'),
        new_version=None if body is None else new_version(body, body),
    )


def seen_by_another_connection(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT count(*) FROM checks").fetchone()[0]


def test_batched_checks_are_committed_together(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    with Store(path) as store:
        ids = [
            store.add_article(f"https://example.com/{i}", "example.com", now=NOW)[0].id
            for i in range(CHECK_BATCH + 3)
        ]
        with store.batched_checks():
            checked(store, ids[0], "First text.")
            checked(store, ids[1])
            # written, and read back by this connection, not yet committed for the others
            assert store.latest_version(ids[0]).body == "First text."
            assert seen_by_another_connection(path) == 0
            store.commit_checks(older_than=60)  # began less than a minute ago: stays open
            assert seen_by_another_connection(path) == 0
            store.commit_checks()
            assert seen_by_another_connection(path) == 2
            for article_id in ids[2 : 2 + CHECK_BATCH]:
                checked(store, article_id)
            assert seen_by_another_connection(path) == 2 + CHECK_BATCH  # a full batch commits
            checked(store, ids[-1], "Last text.")
            assert seen_by_another_connection(path) == 2 + CHECK_BATCH
        assert seen_by_another_connection(path) == len(ids)  # leaving commits the rest
        assert store.article(ids[-1]).etag == '"Last text."'
        assert [v.body for v in store.versions(ids[-1])] == ["Last text."]


def test_a_check_that_fails_in_a_batch_leaves_the_others_whole(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    with Store(path) as store:
        first, second = (
            store.add_article(f"https://example.com/{i}", "example.com", now=NOW)[0].id
            for i in range(2)
        )
        with store.batched_checks():
            checked(store, first, "Kept.")
            bad = Check(article_id=second, at=NOW, outcome=Outcome.NEW, http_status=200)
            # A naive datetime makes the check row fail after the version row was inserted.
            naive = ArticleUpdate(next_check_at=datetime(2026, 1, 1))
            with pytest.raises(ValueError):
                store.record_check(second, bad, update=naive, new_version=new_version("Lost."))
            checked(store, first)
        assert seen_by_another_connection(path) == 2
        assert [v.body for v in store.versions(first)] == ["Kept."]
        assert store.versions(second) == [] and store.checks(second) == []


def test_another_transaction_commits_the_batch_first(tmp_path: Path) -> None:
    """Nothing joins a batch or waits behind it: an alert's claim sees only committed versions."""
    path = tmp_path / "m.db"
    with Store(path) as store:
        first = store.add_article("https://example.com/a", "example.com", now=NOW)[0].id
        with store.batched_checks(), store.batched_checks():  # the service and a "check now"
            checked(store, first, "Text.")
            assert seen_by_another_connection(path) == 0
            store.add_article("https://example.com/b", "example.com", now=NOW)
            assert seen_by_another_connection(path) == 1
            checked(store, first)
        assert seen_by_another_connection(path) == 2
        checked(store, first)  # outside any batch: its own transaction, committed at once
        assert seen_by_another_connection(path) == 3


def test_a_batch_cut_short_loses_whole_checks_only(tmp_path: Path) -> None:
    """Killed with a batch open: its checks are gone whole, article rows included."""
    path = tmp_path / "m.db"
    with Store(path) as store:
        for i in range(3):
            store.add_article(f"https://example.com/{i}", "example.com", now=NOW)
    script = (
        "import os, sys\n"
        "sys.path[:0] = [os.getcwd()]\n"
        "from tests.test_store import checked\n"
        "from monitor.store import Store\n"
        f"s = Store({str(path)!r})\n"
        "with s.batched_checks():\n"
        "    checked(s, 1, 'Committed.')\n"
        "    s.commit_checks()\n"
        "    checked(s, 2, 'Lost.')\n"
        "    checked(s, 3)\n"
        "    os.kill(os.getpid(), 9)\n"
    )
    root = Path(__file__).resolve().parent.parent
    killed = subprocess.run([sys.executable, "-c", script], cwd=root, timeout=60)
    assert killed.returncode == -signal.SIGKILL
    with Store(path) as store:
        assert [v.body for v in store.versions(1)] == ["Committed."]
        assert store.article(1).etag == '"Committed."'
        for lost in (2, 3):
            assert store.versions(lost) == [] and store.checks(lost) == []
            assert store.article(lost).etag is None
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
