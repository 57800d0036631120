"""``monitor export``: a history recorded by the real checker, read back with standard tools."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from warcio.archiveiterator import ArchiveIterator

from monitor.archive import export, newsedits_actions
from monitor.cadence import parse_since
from monitor.checker import Checker
from monitor.cli import main
from monitor.config import ArchiveSettings, FetchSettings, Settings
from monitor.errors import UsageError
from monitor.fetch import Fetcher
from monitor.models import Outcome
from monitor.store import Store
from monitor.watchlist import add_urls
from tests.newsroom import PAGES, load_layout
from tests.pageserver import PageServer
from tests.samples import PARAGRAPHS, page

pytestmark = pytest.mark.anyio

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
EDITED = [
    *PARAGRAPHS[:2],
    "Around 450 delegates are expected to attend the opening session.",
    "The delegations will meet again in April, the ministry said.",
]


async def record_history(
    server: PageServer, db: Path, *, keep_raw: bool = True
) -> dict[int, bytes]:
    """Two articles; the first is edited twice. Returns the page bytes served per version."""
    config = Settings(
        fetch=FetchSettings(allow_private_hosts=True), archive=ArchiveSettings(keep_raw=keep_raw)
    )
    served: dict[int, bytes] = {}
    now = [T0]
    with Store(db) as store:
        add_urls(
            store,
            [server.url("/world/talks.html"), server.url("/sport/final.html")],
            now=T0,
            tags=["world", "desk"],
            allow_private=True,
        )
        story = store.articles()[0]
        other = store.articles()[1]
        server.set("/sport/final.html", page(PARAGRAPHS, title="Final tonight", noise=9))
        async with Fetcher(config.fetch) as fetcher:
            checker = Checker(store, config, fetcher, clock=lambda: now[0])
            first_updated, later_updated = "2019-03-26T18:05:00+09:00", "2019-03-26T19:30:00+09:00"
            for n, (paragraphs, title, updated) in enumerate(
                [
                    (PARAGRAPHS, "NK, US agree to restart nuclear talks", first_updated),
                    (EDITED, "NK, US agree to restart nuclear talks", first_updated),
                    (EDITED, "NK, US to resume nuclear talks in Stockholm", later_updated),
                ],
                1,
            ):
                body = page(paragraphs, title=title, updated=updated, noise=n)
                server.set("/world/talks.html", body)
                served[n] = body.encode("utf-8")
                now[0] = T0 + timedelta(hours=n - 1)
                result = await checker.check(store.article(story.id))
                assert result.version == n
            assert (await checker.check(store.article(other.id))).outcome == Outcome.NEW
    return served


def run(db: Path, *args: str) -> Result:
    env = {"MONITOR_ALLOW_PRIVATE_HOSTS": "1"}  # the history was recorded from a local server
    return CliRunner().invoke(main, ["--db", str(db), *args], env=env, catch_exceptions=False)


async def test_jsonl_and_csv_load_back_with_every_version(
    server: PageServer, tmp_path: Path
) -> None:
    db = tmp_path / "m.db"
    await record_history(server, db)
    result = run(db, "export")
    assert result.exit_code == 0
    assert result.stderr.strip() == "exported 4 versions of 2 articles (jsonl)"
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["article_id"], r["n"], r["kind"]) for r in rows] == [
        (1, 1, "initial"),
        (1, 2, "stealth"),
        (1, 3, "declared"),
        (2, 1, "initial"),
    ]
    second = rows[1]
    assert second["url"] == server.url("/world/talks.html")
    assert second["outlet"] == "127.0.0.1"
    assert second["tags"] == ["desk", "world"]
    assert second["fetched_at"] == "2026-11-27T10:00:00+00:00"
    assert second["posted_at"] == "2019-03-26T08:08:00+00:00"
    assert second["posted_raw"] == "2019-03-26T17:08:00+09:00"
    assert second["flags"] == ["numbers"]
    assert (second["sentences_added"], second["sentences_removed"]) == (1, 1)
    assert second["body"] == "\n\n".join(EDITED)
    assert rows[2]["flags"] == ["headline"]

    out = tmp_path / "history.csv"
    assert run(db, "export", "--format", "csv", "-o", str(out)).exit_code == 0
    with out.open(encoding="utf-8", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert len(table) == 4
    assert table[1]["body"] == "\n\n".join(EDITED)  # paragraphs survive the quoting
    assert (table[1]["flags"], table[1]["tags"], table[1]["n"]) == ("numbers", "desk;world", "2")
    assert {k: table[1][k] for k in ("title", "kind", "chars_added")} == {
        k: str(rows[1][k]) for k in ("title", "kind", "chars_added")
    }


async def test_export_reimports_as_the_same_watchlist(server: PageServer, tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    await record_history(server, db)
    before = json.loads(run(db, "list", "--json").stdout)["articles"]
    for fmt in ("csv", "jsonl"):
        out = tmp_path / f"history.{fmt}"
        run(db, "export", "--format", fmt, "-o", str(out))
        fresh = tmp_path / f"fresh-{fmt}.db"
        imported = run(fresh, "import", str(out))
        assert imported.exit_code == 0, imported.stderr
        assert "2 articles added" in imported.stderr and "2 duplicate lines" in imported.stderr
        after = json.loads(run(fresh, "list", "--json").stdout)["articles"]
        assert [(a["url"], a["tags"]) for a in after] == [(a["url"], a["tags"]) for a in before]


async def test_newsedits_actions_on_a_known_edit(server: PageServer, tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    await record_history(server, db)
    result = run(db, "export", "--format", "newsedits")
    assert result.stderr.strip() == "exported 2 version pairs of 1 article (newsedits)"
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert (first["version_x"], first["version_y"], first["kind"]) == (1, 2, "stealth")
    assert [(a["action"], a["sent_idx_x"], a["sent_idx_y"]) for a in first["actions"]] == [
        ("unchanged", 0, 0),
        ("unchanged", 1, 1),
        ("updated", 2, 2),
        ("deleted", 3, None),
        ("added", None, 3),
    ]
    updated = first["actions"][2]
    assert "400" in updated["sentence_x"] and "450" in updated["sentence_y"]
    assert first["actions"][4]["sentence_y"] == EDITED[3]
    assert first["counts"] == {"added": 1, "deleted": 1, "updated": 1, "unchanged": 2}
    assert (first["num_sents_x"], first["num_sents_y"]) == (4, 4)
    # A headline change alone: every sentence unchanged, the titles differ.
    assert {a["action"] for a in second["actions"]} == {"unchanged"}
    assert second["title_y"] == "NK, US to resume nuclear talks in Stockholm"
    # --since keeps pairs whose newer version is recent enough.
    since = run(db, "export", "--format", "newsedits", "--since", "2026-11-27T10:30")
    assert [json.loads(line)["version_y"] for line in since.stdout.splitlines()] == [3]


async def test_warc_holds_the_raw_page_of_every_version(server: PageServer, tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    served = await record_history(server, db)
    out = tmp_path / "history.warc.gz"
    result = run(db, "export", "--format", "warc", "-o", str(out))
    assert result.stderr.strip() == f"exported 4 versions of 2 articles (warc) to {out}"
    responses, metadata, types = [], [], []
    with out.open("rb") as stream:
        for record in ArchiveIterator(stream):
            types.append(record.rec_type)
            if record.rec_type == "response":
                responses.append(
                    (
                        record.rec_headers.get_header("WARC-Target-URI"),
                        record.rec_headers.get_header("WARC-Date"),
                        record.http_headers.get_statuscode(),
                        record.http_headers.get_header("Content-Type"),
                        record.content_stream().read(),
                    )
                )
            elif record.rec_type == "metadata":
                metadata.append(json.loads(record.content_stream().read()))
    assert types[0] == "warcinfo" and types.count("response") == 4
    talks = server.url("/world/talks.html")
    assert [(r[0], r[1], r[2], r[3]) for r in responses[:3]] == [
        (talks, f"2026-11-27T{9 + i:02d}:00:00Z", "200", "text/html; charset=utf-8")
        for i in range(3)
    ]
    assert [r[4] for r in responses[:3]] == [served[1], served[2], served[3]]
    assert [(m["article_id"], m["n"], m["kind"]) for m in metadata] == [
        (1, 1, "initial"),
        (1, 2, "stealth"),
        (1, 3, "declared"),
        (2, 1, "initial"),
    ]


async def test_raw_pages_follow_the_archive_settings(server: PageServer, tmp_path: Path) -> None:
    db = tmp_path / "off.db"
    await record_history(server, db, keep_raw=False)
    with Store(db) as store:
        assert store.db["raw_responses"].count == 0
        out = io.BytesIO()
        assert export(store, "warc", out).records == 0
    db = tmp_path / "on.db"
    await record_history(server, db)
    with Store(db) as store:
        assert store.db["raw_responses"].count == 4
        # Retention drops raw pages fetched before the cut-off; versions stay.
        assert store.prune_raw(T0 + timedelta(minutes=90)) == 2
        assert store.db["raw_responses"].count == 2
        assert store.db["versions"].count == 4


def test_since_parsing() -> None:
    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    assert parse_since("2026-11-01", now) == datetime(2026, 11, 1, tzinfo=UTC)
    assert parse_since("2026-11-27T10:00+09:00", now) == datetime(2026, 11, 27, 1, 0, tzinfo=UTC)
    assert parse_since("7d", now) == now - timedelta(days=7)
    with pytest.raises(UsageError, match="--since"):
        parse_since("last week", now, name="--since")


def test_newsedits_of_identical_bodies_is_all_unchanged() -> None:
    from monitor.models import DiffStats, Kind, Version

    def version(n: int, body: str) -> Version:
        return Version(
            id=n,
            article_id=1,
            n=n,
            fetched_at=T0,
            title="t",
            byline="",
            body=body,
            body_hash="",
            content_hash="",
            posted_at=None,
            updated_at=None,
            posted_raw=None,
            updated_raw=None,
            kind=Kind.INITIAL,
            flags=(),
            stats=DiffStats(),
        )

    actions = newsedits_actions(version(1, "One. Two."), version(2, "One. Two. Three."))
    assert [(a["action"], a["sent_idx_x"], a["sent_idx_y"]) for a in actions] == [
        ("unchanged", 0, 0),
        ("unchanged", 1, 1),
        ("added", None, 2),
    ]


def test_bad_export_arguments(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    assert run(db, "export", "--since", "soon").exit_code == 2
    assert run(db, "export", "-o", str(db)).exit_code == 2


async def test_warc_keeps_the_bytes_as_served_even_when_they_do_not_decode(
    server: PageServer, tmp_path: Path
) -> None:
    """A Korean EUC-KR page with a stray invalid byte comes back from the WARC byte for byte."""
    page_bytes = load_layout(PAGES / "korean_euckr").versions[0].html_bytes
    served = page_bytes.replace(b"</head>", b"<!-- \xff\xfe\x80 -->\n</head>", 1)
    server.set("/kr.html", served, headers={"Content-Type": "text/html; charset=euc-kr"})
    db = tmp_path / "m.db"
    config = Settings(fetch=FetchSettings(allow_private_hosts=True))
    with Store(db) as store:
        add_urls(store, [server.url("/kr.html")], now=T0, allow_private=True)
        async with Fetcher(config.fetch) as fetcher:
            await Checker(store, config, fetcher, clock=lambda: T0).check(store.articles()[0])
    out = tmp_path / "kr.warc.gz"
    assert run(db, "export", "--format", "warc", "-o", str(out)).exit_code == 0
    with out.open("rb") as stream:
        [body] = [
            r.content_stream().read() for r in ArchiveIterator(stream) if r.rec_type == "response"
        ]
    assert body == served
