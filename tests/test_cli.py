"""The command line end to end: a real local server, a real SQLite file, click's runner."""

import asyncio
import contextlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from monitor.cli import emit_json, emit_json_items, main
from tests.pageserver import PageServer
from tests.receivers import WebhookReceiver
from tests.samples import PARAGRAPHS, page


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"MONITOR_DB": str(tmp_path / "monitor.db"), "MONITOR_ALLOW_PRIVATE_HOSTS": "1"}


def run(env: dict[str, str], *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def check_json(env: dict[str, str], *args: str) -> dict:
    result = run(env, "check", "--json", *args)
    return json.loads(result.stdout)


def test_edit_cycle_from_the_command_line(server: PageServer, env: dict[str, str]) -> None:
    url = server.url("/world/nk-talks.html")
    server.set("/world/nk-talks.html", page(PARAGRAPHS, noise=1))
    added = run(env, "add", "--json", url)
    assert added.exit_code == 0, added.output
    first = json.loads(added.stdout)["results"][0]
    assert first["outcome"] == "new" and first["version"] == 1

    # Only the surroundings change: no new version.
    server.set("/world/nk-talks.html", page(PARAGRAPHS, noise=2))
    assert check_json(env, "--all")["results"][0]["outcome"] == "unchanged"

    # A silent body edit: one new version, stealth, with the numbers flag.
    edited = [*PARAGRAPHS]
    edited[2] = "Around 450 delegates are expected to attend the opening session."
    server.set("/world/nk-talks.html", page(edited, noise=3))
    result = check_json(env, "--all")["results"][0]
    assert (result["outcome"], result["version"], result["kind"]) == ("changed", 2, "stealth")
    assert "numbers" in result["flags"]

    # A headline change declared by an Updated bump.
    server.set(
        "/world/nk-talks.html",
        page(
            edited,
            title="NK, US to resume nuclear talks in Stockholm",
            updated="2019-03-26T19:30:00+09:00",
            noise=4,
        ),
    )
    result = check_json(env, url)["results"][0]
    assert (result["outcome"], result["kind"]) == ("changed", "declared")
    assert "headline" in result["flags"]

    history = json.loads(run(env, "history", "--json", url).stdout)
    assert [v["n"] for v in history["versions"]] == [1, 2, 3]
    assert history["versions"][0]["posted_at"] == "2019-03-26T08:08:00+00:00"
    assert [c["outcome"] for c in history["checks"]] == ["new", "unchanged", "changed", "changed"]

    diff = json.loads(run(env, "diff", url, "--from", "1", "--to", "2", "--format", "json").stdout)
    assert diff["from"] == 1 and diff["to"] == 2
    changed = [op for op in diff["body"] if op["op"] != "equal"]
    assert len(changed) == 1 and changed[0]["op"] == "replace"
    assert ["delete", "400"] in changed[0]["words"] and ["insert", "450"] in changed[0]["words"]
    assert diff["title"] is None

    text = run(env, "diff", url).stdout
    assert text.startswith("v2 -> v3: declared [headline]")
    assert "[-restart-]{+resume+}" in text and "{+ in Stockholm+}" in text


def test_304_is_not_modified(server: PageServer, env: dict[str, str]) -> None:
    server.set("/a", page(PARAGRAPHS), etag='"v1"')
    assert run(env, "add", server.url("/a")).exit_code == 0
    result = check_json(env, "--all")["results"][0]
    assert result["outcome"] == "not_modified" and result["http_status"] == 304
    assert server.requests_for("/a")[-1].headers.get("If-None-Match") == '"v1"'


def test_add_exits_1_when_a_first_snapshot_fails_and_keeps_the_article(
    server: PageServer, env: dict[str, str]
) -> None:
    server.set("/up", page(PARAGRAPHS))
    server.set("/down", "oops", status=500)
    added = run(env, "add", "--json", server.url("/up"), server.url("/down"))
    assert added.exit_code == 1
    outcomes = {r["url"]: r["outcome"] for r in json.loads(added.stdout)["results"]}
    assert outcomes == {server.url("/up"): "new", server.url("/down"): "error"}
    listing = json.loads(run(env, "list", "--json").stdout)["articles"]
    assert {a["url"] for a in listing} == {server.url("/up"), server.url("/down")}
    server.set("/down", page(PARAGRAPHS))  # back: the next check takes the first snapshot
    assert check_json(env, server.url("/down"))["results"][0]["outcome"] == "new"


def test_404_three_times_marks_gone_and_500_is_an_error(
    server: PageServer, env: dict[str, str]
) -> None:
    server.set("/a", page(PARAGRAPHS))
    server.set("/b", page(PARAGRAPHS))
    run(env, "add", server.url("/a"), server.url("/b"))
    server.set("/a", "<h1>Not here</h1>", status=404)
    server.set("/b", "oops", status=500)
    result = run(env, "check", "--json", "--all")
    assert result.exit_code == 1
    outcomes = {r["url"]: r["outcome"] for r in json.loads(result.stdout)["results"]}
    assert outcomes == {server.url("/a"): "gone", server.url("/b"): "error"}

    def state_of(url: str) -> str:
        listing = json.loads(run(env, "list", "--json").stdout)["articles"]
        return {a["url"]: a["state"] for a in listing}[url]

    assert state_of(server.url("/a")) == "active"  # one 404 may be a hiccup
    run(env, "check", server.url("/a"))
    assert state_of(server.url("/a")) == "active"
    run(env, "check", server.url("/a"))
    assert state_of(server.url("/a")) == "gone"  # the third in a row
    history = json.loads(run(env, "history", "--json", server.url("/a")).stdout)
    assert len(history["versions"]) == 1  # history kept

    server.set("/a", page(PARAGRAPHS))  # the story comes back
    back = json.loads(run(env, "check", "--json", server.url("/a")).stdout)["results"][0]
    assert back["outcome"] == "unchanged"
    assert state_of(server.url("/a")) == "active"


def test_bad_input_exits_2_and_writes_nothing(tmp_path: Path, env: dict[str, str]) -> None:
    result = run(env, "add", "https://example.com/ok", "ftp://example.com/file", "--no-fetch")
    assert result.exit_code == 2
    assert "only http and https" in result.stderr and len(result.stderr.splitlines()) == 1
    assert json.loads(run(env, "list", "--json").stdout)["articles"] == []

    assert run(env, "history", "https://example.com/missing").exit_code == 2
    run(env, "add", "--no-fetch", "https://example.com/ok")
    bad_version = run(env, "diff", "https://example.com/ok", "--from", "1", "--to", "5")
    assert bad_version.exit_code == 2 and "no version" in bad_version.stderr
    assert run(env, "add", "--interval", "soon", "https://example.com/x").exit_code == 2


def test_redirect_is_followed_and_final_url_recorded(
    server: PageServer, env: dict[str, str]
) -> None:
    server.set("/final", page(PARAGRAPHS))
    server.redirect("/short", "/final")
    assert run(env, "add", server.url("/short")).exit_code == 0
    history = json.loads(run(env, "history", "--json", server.url("/final")).stdout)
    assert history["url"] == server.url("/short")


def test_remove_pause_resume_keep_history(server: PageServer, env: dict[str, str]) -> None:
    server.set("/a", page(PARAGRAPHS))
    url = server.url("/a")
    run(env, "add", url)
    assert run(env, "pause", url).exit_code == 0
    assert json.loads(run(env, "check", "--all", "--json").stdout)["results"] == []
    assert run(env, "resume", url).exit_code == 0
    assert run(env, "remove", url).exit_code == 0
    assert json.loads(run(env, "list", "--json").stdout)["articles"] == []
    kept = json.loads(run(env, "history", "--json", url).stdout)
    assert kept["state"] == "removed" and len(kept["versions"]) == 1


def test_extract_json_from_a_gzipped_file(tmp_path: Path, env: dict[str, str]) -> None:
    import gzip

    path = tmp_path / "page.html.gz"
    path.write_bytes(gzip.compress(page(PARAGRAPHS).encode()))
    result = run(env, "extract", "--json", str(path))
    assert result.exit_code == 0
    document = json.loads(result.stdout.splitlines()[0])
    assert document["title"] == "NK, US agree to restart nuclear talks"
    assert document["paragraphs"] == PARAGRAPHS
    assert document["body"] == "\n\n".join(PARAGRAPHS)
    assert document["posted_at"] == "2019-03-26T17:08:00+09:00"


def test_notify_test_reports_each_channel(env: dict[str, str]) -> None:
    with WebhookReceiver() as webhook:
        good = webhook.url()
        env = {**env, "MONITOR_NOTIFY_URLS": f"{good} json://user:s3cret@127.0.0.1:1/dead"}
        result = run(env, "notify", "test", "--json")
        assert result.exit_code == 1  # one channel is down
        channels = json.loads(result.stdout)["channels"]
        assert [c["ok"] for c in channels] == [True, False]
        assert len(webhook.posts) == 1
        assert "s3cret" not in result.output
        status = run(env, "notify", "status", "--json")
        assert status.exit_code == 0 and json.loads(status.stdout)["alerts"] == []


def test_notify_test_without_channels_says_how_to_add_one(env: dict[str, str]) -> None:
    result = run(env, "notify", "test")
    assert result.exit_code == 2 and "MONITOR_NOTIFY_URLS" in result.stderr


def test_serve_refuses_a_public_address_without_a_token(env: dict[str, str]) -> None:
    result = run(env, "serve", "--host", "0.0.0.0", "--port", "0")
    assert result.exit_code == 2
    assert "without a token" in result.stderr and len(result.stderr.strip().splitlines()) == 1


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(
    key=st.text(max_size=8),
    items=st.lists(JSON_VALUES, max_size=4),
    after=st.dictionaries(st.text(max_size=6), JSON_VALUES, max_size=2),
)
def test_a_listing_written_item_by_item_is_the_same_text_as_written_whole(
    key: str, items: list, after: dict
) -> None:
    """``monitor list --json`` and ``check --json`` stream their items: byte for byte
    what emit_json writes."""
    assume(key not in after)

    def written(write: Callable[[], None]) -> str:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            write()
        return out.getvalue()

    whole = written(lambda: emit_json({key: items, **after}))
    streamed = written(lambda: emit_json_items(key, iter(items), lambda item: item, after))
    assert streamed == whole
    assert json.loads(streamed) == {key: items, **after}


def test_reading_commands_start_without_the_fetcher_and_asyncio() -> None:
    """``monitor list`` and ``history`` import neither (a third of a second at each start),
    nor lxml while no outlet names a CSS selector."""
    heavy = ("asyncio", "httpx", "monitor.checker", "monitor.fetch", "lxml")
    code = f"import sys, monitor.cli; print([m for m in {heavy!r} if m in sys.modules])"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "[]"


def test_checking_a_migrated_database_never_loads_sqlite_utils_nor_a_cookie_jar(
    server: PageServer, tmp_path: Path
) -> None:
    """sqlite-utils' import and plugin scan cost a check a tenth of a second (checks use
    plain SQL); http.cookiejar, 16 ms more, is loaded only when a page sets a cookie."""
    db = tmp_path / "monitor.db"
    server.set("/world/story.html", page(PARAGRAPHS, noise=1))
    env = {"MONITOR_DB": str(db), "MONITOR_ALLOW_PRIVATE_HOSTS": "1"}
    assert run(env, "add", "--no-fetch", server.url("/world/story.html")).exit_code == 0
    code = (
        "import json, sys\n"
        "from monitor.cli import main\n"
        "try:\n"
        "    main(['check', '--all', '--json'])\n"
        "except SystemExit as done:\n"
        "    loaded = [m for m in ('sqlite_utils', 'http.cookiejar') if m in sys.modules]\n"
        "    print(json.dumps({'exit': done.code, 'loaded': loaded}))\n"
    )
    checked = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
        check=True,
    )
    *results, verdict = checked.stdout.strip().splitlines()
    assert json.loads("\n".join(results))["results"][0]["outcome"] == "new"
    assert json.loads(verdict) == {"exit": 0, "loaded": []}


def test_async_commands_run_on_uvloop() -> None:
    """The checker's loop is uvloop's (measured: 7% off the edited pass)."""
    from monitor.cli import _run

    async def loop_module() -> str:
        return type(asyncio.get_running_loop()).__module__

    assert _run(loop_module()).startswith("uvloop")
