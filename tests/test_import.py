"""``monitor import``: every format, bad lines reported by number and skipped, nothing half-written."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from monitor.cli import main
from monitor.config import Settings
from monitor.importer import detect_format, import_file
from monitor.store import Store

DATA = Path(__file__).parent / "imports"
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
NEWS = "https://news.example.com"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"MONITOR_DB": str(tmp_path / "m.db")}


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def articles(env: dict[str, str]) -> dict[str, list[str]]:
    listed = json.loads(run(env, "list", "--json").stdout)["articles"]
    return {a["url"]: a["tags"] for a in listed}


def test_text_file(env: dict[str, str]) -> None:
    result = run(env, "import", str(DATA / "watchlist.txt"))
    assert result.exit_code == 1  # some lines were skipped
    errors = [line for line in result.stderr.splitlines() if line.startswith("monitor:")]
    assert [e.split(":", 2)[1].strip().split()[-1] for e in errors] == ["5", "6", "9"]
    assert "line 5: only http and https URLs can be fetched (ftp:)" in errors[0]
    assert "line 6: expected one URL on the line: 'not a url at all'" in errors[1]
    assert "line 9:" in errors[2] and "loopback" in errors[2]
    assert (
        "(text): 3 articles added, 0 already watched, 0 feeds added, 1 duplicate line,"
        " 3 lines skipped" in result.stderr
    )
    assert articles(env) == {
        f"{NEWS}/world/flood.html": [],
        f"{NEWS}/world/talks.html": [],  # utm_source dropped, comment ignored
        "https://www.example.org/politics/budget.html": [],
    }
    # Importing again changes nothing but says so.
    again = run(env, "import", "--json", "--tag", "desk", str(DATA / "watchlist.txt"))
    report = json.loads(again.stdout)
    assert (len(report["added"]), len(report["existing"])) == (0, 3)
    assert set(map(tuple, articles(env).values())) == {("desk",)}


def test_csv_with_tags_and_a_multi_line_cell(env: dict[str, str]) -> None:
    result = run(env, "import", "--json", str(DATA / "watchlist.csv"))
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["format"] == "csv"
    assert [(s["line"], s["reason"]) for s in report["skipped"]] == [
        (4, "no URL in the url column"),
        (6, "only http and https URLs can be fetched (javascript:): 'javascript:alert(1)'"),
    ]
    assert articles(env) == {
        f"{NEWS}/world/flood.html": ["weather", "world"],
        f"{NEWS}/politics/budget.html": ["economy", "politics"],
        f"{NEWS}/sport/final.html": [],
        f"{NEWS}/culture/review.html": ["culture"],
        f"{NEWS}/world/talks.html": [],
    }
    assert "line 9" not in result.stderr  # the two-line cell did not shift the numbering


def test_csv_without_a_url_column_is_refused_whole(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("link,tags\nhttps://news.example.com/a.html,x\n", encoding="utf-8")
    result = run(env, "import", str(path))
    assert result.exit_code == 2
    assert result.stderr.strip() == "monitor: the CSV has no 'url' column in its header row"
    assert articles(env) == {}


def test_opml_feeds_with_folders_as_tags(env: dict[str, str]) -> None:
    result = run(env, "import", str(DATA / "feeds.opml"))
    assert result.exit_code == 1
    assert "feeds.opml line 7: only http and https URLs can be fetched (gopher:)" in result.stderr
    assert "feeds.opml line 14: no xmlUrl" in result.stderr
    assert "(opml): 1 article added, 0 already watched, 3 feeds added" in result.stderr
    feeds = json.loads(run(env, "feed", "list", "--json").stdout)["feeds"]
    assert [(f["url"], f["tags"], f["kind"]) for f in feeds] == [
        (f"{NEWS}/world/rss.xml", ["World"], None),  # not fetched: the service polls it
        (f"{NEWS}/politics/atom.xml", ["Desk", "Politics", "elections"], None),
        (f"{NEWS}/news-sitemap.xml", [], None),
    ]
    assert articles(env) == {f"{NEWS}/world/quake.html": []}


def test_json_lines(env: dict[str, str]) -> None:
    result = run(env, "import", "--json", str(DATA / "watchlist.jsonl"))
    report = json.loads(result.stdout)
    assert [(s["line"], s["reason"]) for s in report["skipped"]] == [
        (3, 'no "url" string in the object'),
        (4, "not JSON: Expecting value"),
    ]
    assert articles(env) == {
        f"{NEWS}/world/flood.html": ["world"],
        f"{NEWS}/world/talks.html": ["diplomacy", "world"],
        f"{NEWS}/sport/final.html": [],
    }


def test_format_is_sniffed_without_an_extension(tmp_path: Path) -> None:
    for name, expected in (
        ("watchlist.txt", "text"),
        ("watchlist.csv", "csv"),
        ("feeds.opml", "opml"),
        ("watchlist.jsonl", "jsonl"),
    ):
        bare = tmp_path / name.split(".")[0]
        shutil.copy(DATA / name, bare)
        assert detect_format(bare, bare.read_text(encoding="utf-8")) == expected


def test_a_failing_line_writes_nothing_and_the_rest_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    path.write_text(
        "https://news.example.com/a.html\nhttp://169.254.169.254/latest/meta-data\n"
        "https://news.example.com/b.html\n",
        encoding="utf-8",
    )
    with Store(tmp_path / "m.db") as store:
        report = import_file(store, Settings(), path, now=NOW, tags=["x"])
        assert [(b.line, "metadata" in b.reason) for b in report.bad] == [(2, True)]
        assert [a.url for a in store.articles()] == [
            f"{NEWS}/a.html",
            f"{NEWS}/b.html",
        ]
        assert store.db["articles"].count == 2


def test_missing_and_unreadable_files(env: dict[str, str], tmp_path: Path) -> None:
    missing = run(env, "import", str(tmp_path / "nope.txt"))
    assert missing.exit_code == 2
    binary = tmp_path / "list.txt"
    binary.write_bytes(b"\xff\xfe\x00garbage\xff")
    unreadable = run(env, "import", str(binary))
    assert unreadable.exit_code == 2 and "UTF-8" in unreadable.stderr
