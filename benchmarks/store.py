"""Time the store's read paths on a large synthetic archive.

Usage::

    python benchmarks/store.py                                # 100,000 articles, 1,000,000 versions
    python benchmarks/store.py --articles 2000 --versions 20000   # a quick run
    python benchmarks/store.py --db /tmp/big.db --keep        # reuse the database next time

The script creates the schema with ``Store`` (every migration applied), then
bulk-inserts synthetic rows straight into it with ``sqlite3`` (one
transaction, ``executemany``): articles spread over 50 outlets, versions that
each add or reword one sentence of a ~5 KB article (the first version is
the whole text), and ten checks per article. Then it times, as median of
``--repeat`` runs:

- ``history``: ``Store.versions`` plus ``Store.checks`` for one article, what
  ``monitor history`` reads;
- recent edits: ``Store.find_edits`` for the web's first page (50 rows) and
  ``Store.count_edits`` for its pager;
- picking due articles: ``Store.due_articles`` (one scheduler batch, 200);
- database size per version (file size / versions, after a checkpoint).

It is a benchmark, not a test: figures vary with the machine and its load.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor.store import EditFilter, Store

WORDS = (
    "council officials said the river water families homes residents shelter night budget "
    "minister announced plan schools hospital funding report workers union police court judge"
).split()
START = datetime(2026, 1, 1, tzinfo=UTC)


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(14, 24))).capitalize() + "."


def digest(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def article_rows(count: int, now: datetime) -> Iterator[tuple[object, ...]]:
    for i in range(1, count + 1):
        added = START + timedelta(minutes=i)
        due = now + timedelta(minutes=(i * 7919) % 600 - 300)  # half due, half later
        state = "active" if i % 10 else "done"
        yield (
            i,
            f"https://news{i % 50}.example/story/{i}.html",
            f"news{i % 50}.example",
            f"Story number {i}",
            iso(added),
            iso(added),
            state,
            iso(due) if state == "active" else None,
            json.dumps(["politics"] if i % 3 == 0 else []),
        )


def version_rows(articles: int, versions: int, seed: int) -> Iterator[tuple[object, ...]]:
    """Versions spread over articles: every article has one; the rest go round-robin."""
    rng = random.Random(seed)
    base_paragraphs = [" ".join(sentence(rng) for _ in range(3)) for _ in range(12)]  # ~5 KB
    extra = max(0, versions - articles)
    per, rest = divmod(extra, articles)
    vid = 0
    for a in range(1, articles + 1):
        n_versions = 1 + per + (1 if a <= rest else 0)
        paragraphs = list(base_paragraphs)
        paragraphs[0] = f"Story {a}. " + paragraphs[0]
        fetched = START + timedelta(minutes=a)
        for n in range(1, n_versions + 1):
            if n > 1:  # one sentence added or reworded
                k = rng.randrange(len(paragraphs))
                paragraphs[k] = paragraphs[k] + " " + sentence(rng)
                fetched += timedelta(minutes=rng.randint(5, 600))
            body = "\n\n".join(paragraphs)
            title = f"Story number {a}"
            vid += 1
            yield (
                vid,
                a,
                n,
                iso(fetched),
                title,
                "A. Writer",
                body,
                digest(body),
                digest(title, body, str(n)),
                iso(START),
                "initial" if n == 1 else ("declared" if n % 3 else "stealth"),
                "[]" if n % 4 else '["numbers"]',
                json.dumps({"sentences_added": 1}) if n > 1 else "{}",
            )


def check_rows(articles: int, per_article: int, now: datetime) -> Iterator[tuple[object, ...]]:
    for a in range(1, articles + 1):
        for k in range(per_article):
            at = now - timedelta(hours=per_article - k, minutes=a % 60)
            yield (a, iso(at), "unchanged" if k else "new", 200, 120, 5000)


def build(path: Path, articles: int, versions: int, checks: int, seed: int) -> float:
    """Create the schema with Store, then bulk-insert; returns seconds taken."""
    started = time.perf_counter()
    Store(path).close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    now = datetime.now(UTC)
    conn.execute("BEGIN")
    conn.executemany(
        "INSERT INTO articles (id, url, outlet, title, added_at, posted_at, state,"
        " next_check_at, tags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        article_rows(articles, now),
    )
    conn.executemany(
        "INSERT INTO versions (id, article_id, n, fetched_at, title, byline, body, body_hash,"
        " content_hash, posted_at, kind, flags, stats) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
        " ?, ?)",
        version_rows(articles, versions, seed),
    )
    conn.executemany(
        "INSERT INTO checks (article_id, at, outcome, http_status, duration_ms, bytes_read)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        check_rows(articles, checks, now),
    )
    conn.execute("COMMIT")
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return time.perf_counter() - started


def median_ms(work: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--versions", type=int, default=1_000_000)
    parser.add_argument("--checks", type=int, default=10, help="check rows per article")
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", type=Path, help="database file (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="reuse --db if it exists")
    args = parser.parse_args(argv)
    if args.versions < args.articles:
        parser.error("--versions must be at least --articles (every article has a version)")

    with tempfile.TemporaryDirectory(prefix="monitor-store-") as tmp:
        path = args.db or Path(tmp) / "monitor.db"
        if not (args.keep and path.exists()):
            path.unlink(missing_ok=True)
            built = build(path, args.articles, args.versions, args.checks, args.seed)
            print(
                f"built {args.articles:,} articles, {args.versions:,} versions, "
                f"{args.articles * args.checks:,} checks in {built:.1f} s"
            )
        return measure(path, args)


def measure(path: Path, args: argparse.Namespace) -> int:
    size = path.stat().st_size
    with Store(path) as store:  # applies any new migration (indexes) before timing
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        versions = store.db.execute("SELECT COUNT(*) FROM versions").fetchone()[0]
        articles = store.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        one = max(1, articles // 2)
        now = datetime.now(UTC)

        def history() -> object:
            return store.versions(one), store.checks(one)

        timings = {
            "history (versions + checks of one article)": median_ms(history, args.repeat),
            "recent edits, first page (find_edits, 50)": median_ms(
                lambda: store.find_edits(EditFilter(), limit=50), args.repeat
            ),
            "recent edits, count (count_edits)": median_ms(
                lambda: store.count_edits(EditFilter()), max(3, args.repeat // 4)
            ),
            "recent edits of one outlet (find_edits, 50)": median_ms(
                lambda: store.find_edits(EditFilter(outlet="news7.example"), limit=50),
                args.repeat,
            ),
            "due articles (due_articles, 200)": median_ms(
                lambda: store.due_articles(now, limit=200), args.repeat
            ),
        }
        due = len(store.due_articles(now, limit=200))
        edits = store.find_edits(EditFilter(), limit=50)
        history_rows = len(store.versions(one))
    print(f"{articles:,} articles, {versions:,} versions, Python {sys.version.split()[0]}")
    for name, ms in timings.items():
        print(f"  {name:<46} {ms:8.2f} ms (median of runs)")
    print(
        f"  database {size / 1e6:,.1f} MB, {size / max(versions, 1):,.0f} bytes per version "
        f"(every version keeps its full text)"
    )
    ok = due > 0 and len(edits) > 0 and history_rows > 0
    print(f"sanity: history {history_rows} versions, {len(edits)} edits listed, {due} due: "
          f"{'ok' if ok else 'FAILED'}")  # fmt: skip
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
