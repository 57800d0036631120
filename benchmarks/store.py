"""Time the store's read paths and measure its size on a large synthetic archive.

Usage::

    python benchmarks/store.py                                # 100,000 articles, 1,000,000 versions
    python benchmarks/store.py --articles 2000 --versions 20000   # a quick run
    python benchmarks/store.py --db /tmp/big.db --keep        # reuse the database next time

The script creates the schema with ``Store`` (every migration applied), then
bulk-inserts synthetic rows straight into it with ``sqlite3`` (one
transaction, ``executemany``): articles spread over 50 outlets, versions that
each add or reword one sentence of a ~5 KB article (the first version is
the whole text), their bodies encoded by ``monitor.delta.encode`` as
``Store`` encodes them, and ten checks per article. Then it times, as median
of ``--repeat`` runs:

- ``history``: ``Store.versions`` plus ``Store.checks`` for one article, what
  ``monitor history`` reads;
- one version at the end of the longest chain (``Store.version``): the most
  decoding any single read needs;
- recent edits: ``Store.find_edits`` for the web's first page (50 rows) and
  ``Store.count_edits`` for its pager;
- picking due articles: ``Store.due_articles`` (one scheduler batch, 200).

and measures:

- size: the whole file / versions (after a checkpoint), the ``versions``
  table with its indexes / versions (SQLite's ``dbstat``), and what one
  edit version adds (its row, with the table's page overhead, plus its index
  entries), beside the plain UTF-8 size of the bodies;
- the scheduler's memory: a child process imports the service
  (``monitor.schedule``), opens the database and picks one batch of due
  articles, as ``Service.dispatch_due`` does on each round, and reports its
  peak resident size (``ru_maxrss``).

Raw pages (``raw_responses``, kept per version for WARC export when
``[archive] keep_raw`` is on) are not generated: the README gives their size.
It is a benchmark, not a test: figures vary with the machine and its load.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from monitor.delta import StoredText, encode
from monitor.store import EditFilter, Store

START = datetime(2026, 1, 1, tzinfo=UTC)


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


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


class Prose:
    """Synthetic article text that compresses like real prose, not like a 30-word list.

    Words are drawn with Zipf frequencies from a 6,000-word made-up vocabulary,
    so zlib shrinks a 5 KB body to about half, as it does the news copy of
    the saved test pages (47 %); a text from a tiny vocabulary would flatter
    the compressed sizes.
    """

    def __init__(self, rng: random.Random, size: int = 6000) -> None:
        self.rng = rng
        syllables = [c + v for c in "bcdfghjklmnprstvwyz" for v in ("a", "e", "i", "o", "u", "ou")]
        words: set[str] = set()
        while len(words) < size:
            words.add("".join(rng.choice(syllables) for _ in range(rng.choice((1, 1, 2, 2, 3, 4)))))
        self.words = sorted(words, key=lambda w: (len(w), w))  # short words are the common ones
        self.weights = list(itertools.accumulate(1 / (rank + 2.7) for rank in range(size)))

    def sentence(self) -> str:
        words = self.rng.choices(self.words, cum_weights=self.weights, k=self.rng.randint(14, 26))
        if self.rng.random() < 0.3:
            words[self.rng.randrange(len(words))] = str(self.rng.randint(2, 2000))
        return " ".join(words).capitalize() + "."

    def reword(self, sentence: str) -> str:
        """The same sentence with two words changed: a typical small edit."""
        words = sentence[:-1].split(" ")
        for _ in range(2):
            words[self.rng.randrange(1, len(words))] = self.rng.choices(
                self.words, cum_weights=self.weights
            )[0]
        return " ".join(words) + "."


def version_rows(articles: int, versions: int, seed: int) -> Iterator[tuple[object, ...]]:
    """Versions spread over articles: every article has one; the rest go round-robin.

    Each later version adds one sentence or rewords one, alternately; bodies
    are encoded by ``monitor.delta.encode``, exactly as ``Store`` encodes them.
    """
    rng = random.Random(seed)
    prose = Prose(rng)
    extra = max(0, versions - articles)
    per, rest = divmod(extra, articles)
    vid = 0
    for a in range(1, articles + 1):
        n_versions = 1 + per + (1 if a <= rest else 0)
        paragraphs = [[prose.sentence() for _ in range(4)] for _ in range(14)]  # ~5 KB
        fetched = START + timedelta(minutes=a)
        title = f"Story number {a}: " + prose.sentence()[:-1]
        previous: tuple[StoredText, str] | None = None
        for n in range(1, n_versions + 1):
            if n > 1:  # one sentence added or reworded
                sentences = paragraphs[rng.randrange(len(paragraphs))]
                k = rng.randrange(len(sentences))
                if n % 2:
                    sentences[k] = prose.reword(sentences[k])
                else:
                    sentences.insert(k, prose.sentence())
                fetched += timedelta(minutes=rng.randint(5, 600))
            body = "\n\n".join(" ".join(sentences) for sentences in paragraphs)
            stored = encode(n, body, previous)
            previous = (stored, body)
            vid += 1
            yield (
                vid,
                a,
                n,
                iso(fetched),
                title,
                "A. Writer",
                stored.keyframe_n,
                stored.data,
                digest(body),
                digest(title, body),
                iso(START),
                "initial" if n == 1 else ("declared" if n % 3 else "stealth"),
                "[]" if n % 4 else '["numbers"]',
                json.dumps({"sentences_added" if n % 2 == 0 else "sentences_changed": 1})
                if n > 1
                else "{}",
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
        "INSERT INTO versions (id, article_id, n, fetched_at, title, byline, keyframe_n, body_z,"
        " body_hash, content_hash, posted_at, kind, flags, stats)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
    with Store(path) as store:  # applies any new migration (indexes) before timing
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = path.stat().st_size
        versions = store.db.execute("SELECT COUNT(*) FROM versions").fetchone()[0]
        articles = store.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        one = max(1, articles // 2)
        longest = store.db.execute(
            "SELECT article_id, n FROM versions ORDER BY n - keyframe_n DESC LIMIT 1"
        ).fetchone()
        now = datetime.now(UTC)

        def history() -> object:
            return store.versions(one), store.checks(one)

        timings = {
            "history (versions + checks of one article)": median_ms(history, args.repeat),
            f"one version, {longest[1]} in a chain (version)": median_ms(
                lambda: store.version(*longest), args.repeat
            ),
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
        sizes = size_figures(store, versions)
    print(f"{articles:,} articles, {versions:,} versions, Python {sys.version.split()[0]}")
    for name, ms in timings.items():
        print(f"  {name:<46} {ms:8.2f} ms (median of runs)")
    print(f"  database file {size / 1e6:,.1f} MB: {size / max(versions, 1):,.0f} bytes per version")
    for line in sizes:
        print(f"  {line}")
    memory = scheduler_memory(path)
    print(
        f"  scheduler: {memory['rss_mb']:.0f} MB resident (peak) after importing the service"
        f" ({memory['imports_mb']:.0f} MB), opening the database and picking"
        f" {memory['due']} due of {memory['active']:,} active articles"
    )
    ok = due > 0 and len(edits) > 0 and history_rows > 0
    print(f"sanity: history {history_rows} versions, {len(edits)} edits listed, {due} due: "
          f"{'ok' if ok else 'FAILED'}")  # fmt: skip
    return 0 if ok else 1


def size_figures(store: Store, versions: int) -> list[str]:
    """Where the bytes go, per version, from SQLite's ``dbstat`` table of pages."""
    per_table = dict(
        store.db.execute(
            "SELECT m.tbl_name, SUM(d.pgsize) FROM dbstat d"
            " JOIN sqlite_master m ON m.name = d.name GROUP BY m.tbl_name"
        ).fetchall()
    )
    table_pages, table_payload = store.db.execute(
        "SELECT SUM(pgsize), SUM(payload) FROM dbstat WHERE name = 'versions'"
    ).fetchone()
    index_bytes = per_table["versions"] - table_pages
    # A row's bytes: its text and blob columns, plus about 12 for the integers and
    # the record header; scaled by the table's pages / payload for page overhead.
    kinds = {
        keyframe: (count, body, row)
        for keyframe, count, body, row in store.db.execute(
            "SELECT keyframe_n = n, COUNT(*), AVG(LENGTH(body_z)),"
            " AVG(LENGTH(fetched_at) + LENGTH(title) + LENGTH(byline) + LENGTH(body_z)"
            " + LENGTH(body_hash) + LENGTH(content_hash) + IFNULL(LENGTH(posted_at), 0)"
            " + IFNULL(LENGTH(posted_raw), 0) + IFNULL(LENGTH(updated_at), 0)"
            " + IFNULL(LENGTH(updated_raw), 0) + LENGTH(kind) + LENGTH(flags) + LENGTH(stats)"
            " + 12) FROM versions GROUP BY 1"
        ).fetchall()
    }
    sample = store.db.execute(
        "SELECT article_id FROM versions WHERE n = 1 ORDER BY id LIMIT 20"
    ).fetchall()
    text = [len(v.body.encode()) for (a,) in sample for v in store.versions(a)]
    lines = [
        f"versions table with its indexes: {per_table['versions'] / versions:,.0f} bytes per"
        f" version (the rest: checks {per_table.get('checks', 0) / versions:,.0f},"
        f" articles {per_table.get('articles', 0) / versions:,.0f})",
        f"bodies: {sum(text) / max(len(text), 1):,.0f} bytes of UTF-8 text on average",
    ]
    for keyframe, label in ((1, "keyframes (whole text)"), (0, "deltas (one-sentence edits)")):
        if keyframe in kinds:
            count, body, _ = kinds[keyframe]
            lines.append(f"  {label}: {count:,} versions, {body:,.0f} bytes of encoded body")
    if 0 in kinds:  # the marginal cost of one edit: its row with page overhead, its index entries
        row = kinds[0][2] * table_pages / table_payload
        lines.append(
            f"one edit version on disk: about {row + index_bytes / versions:,.0f} bytes"
            f" (row {row:,.0f} with page overhead, index entries {index_bytes / versions:,.0f})"
        )
    return lines


def scheduler_memory(path: Path) -> dict[str, float]:
    """Peak RSS of a fresh process doing what the service does to pick due articles."""
    probe = (
        "import json, resource, sys\n"
        "from datetime import UTC, datetime\n"
        "import monitor.schedule\n"
        "from monitor.config import Settings\n"
        "from monitor.store import Store\n"
        "imports = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "with Store(sys.argv[1]) as store:\n"
        "    due = store.due_articles(datetime.now(UTC), limit=Settings().schedule.batch)\n"
        "    active = store.db.execute(\"SELECT COUNT(*) FROM articles WHERE state = 'active'\")"
        ".fetchone()[0]\n"
        "print(json.dumps({'imports_mb': imports, 'due': len(due), 'active': active,"
        " 'rss_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))\n"
    )
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", probe, str(path)],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


if __name__ == "__main__":
    sys.exit(main())
