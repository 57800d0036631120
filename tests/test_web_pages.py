"""The HTML pages: what they show, that page text stays text, and that forms work.

Same real parts as ``test_web_api.py`` (its fixtures are imported): articles
served by the local page server and checked by the real Checker into a real
SQLite file. What a browser does with the pages is in ``test_browser.py``.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from monitor.config import NotifySettings
from monitor.models import DiffStats, SentenceOp, TextDiff, WordOp
from monitor.web.pages import diff_markup, safe_path, side_by_side
from tests.pageserver import PageServer
from tests.receivers import WebhookReceiver
from tests.samples import PARAGRAPHS, page
from tests.test_web_api import BASE, EDITED, Web, csrf_of, edited_article, open_web, settings_for

pytestmark = pytest.mark.anyio


@pytest.fixture
async def web(server: PageServer, tmp_path: Path) -> AsyncIterator[Web]:
    async for opened in open_web(server, tmp_path, settings_for(tmp_path)):
        yield opened


HOSTILE_TITLE = "&lt;img src=x onerror=window.pwned=1&gt; Talks resume"
HOSTILE = [
    "&lt;script&gt;window.pwned=1&lt;/script&gt; was printed in the story.",
    'A link: <a href="javascript:window.pwned=2">click me</a> and javascript:window.pwned=3 as text.',
    *PARAGRAPHS[:2],
]


def our_scripts(html: str) -> list[str]:
    """Every <script …> tag on the page: only our own file may be there."""
    return re.findall(r"<script\b[^>]*>", html, flags=re.IGNORECASE)


def assert_inert(html: str) -> None:
    assert our_scripts(html) == ['<script src="/static/app.js?v=0.1.0" defer>']
    assert "<img" not in html
    assert 'href="javascript:' not in html.lower()
    assert "onerror=" not in html.replace("onerror=window.pwned", "")


# -- escaping -----------------------------------------------------------------------------------------


def test_render_html_escapes_page_text_so_it_may_be_marked_safe() -> None:
    nasty = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    diff = TextDiff(
        title=None,
        byline=None,
        body=(
            SentenceOp("equal", nasty, nasty),
            SentenceOp("delete", nasty, ""),
            SentenceOp("insert", "", nasty),
            SentenceOp(
                "replace",
                nasty,
                nasty + "!",
                (WordOp("equal", nasty), WordOp("delete", "<b>"), WordOp("insert", "</p>")),
            ),
        ),
        stats=DiffStats(),
    )
    html = str(diff_markup(diff))
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    assert html.count("&lt;script&gt;") == 4
    assert "<del>&lt;b&gt;</del><ins>&lt;/p&gt;</ins>" in html
    # The side-by-side view hands raw text to the template, which escapes it.
    rows = side_by_side(diff)
    assert rows[3].left[1] == WordOp("delete", "<b>")


async def test_hostile_page_text_is_shown_as_text_everywhere(web: Web) -> None:
    web.server.set("/h", page(HOSTILE, title=HOSTILE_TITLE))
    url = web.server.url("/h")
    csrf = csrf_of((await web.client.get("/")).text)
    added = await web.client.post("/articles", data={"urls": url, "csrf_token": csrf})
    assert added.status_code == 303
    article = web.store.find_article(url)
    assert article is not None and article.version_count == 1
    assert article.title is not None and article.title.startswith("<img")
    await web.edit(
        article.id,
        "/h",
        [*HOSTILE, "&lt;script&gt;window.pwned=4&lt;/script&gt;"],
        title=HOSTILE_TITLE + " again",
        updated="2019-03-27T09:00:00+09:00",
    )
    for path in (
        "/",
        f"/articles/{article.id}",
        f"/articles/{article.id}/diff?view=side",
        f"/articles/{article.id}/diff?view=changes",
        f"/articles/{article.id}/versions/1",
        f"/articles/{article.id}/versions/2",
        "/edits",
    ):
        response = await web.client.get(path)
        assert response.status_code == 200, path
        html = response.text
        assert_inert(html)
        assert "&lt;img src=x onerror=window.pwned=1&gt;" in html, path
        if "versions" in path or ("articles" in path and "changes" not in path):
            assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in html, path
            assert "javascript:window.pwned=3" in html, path


# -- watchlist -------------------------------------------------------------------------------------------


async def test_the_watchlist_shows_each_article_and_filters(web: Web) -> None:
    edited = await edited_article(web)
    await web.watch("/other", PARAGRAPHS[1:], tags=("sport",))
    html = (await web.client.get("/")).text
    row = html[html.index(f'value="{edited}"') :]
    row = row[: row.index("</tr>")]
    assert "127.0.0.1" in row and "NK, US agree to restart nuclear talks" in row
    assert 'class="state state-active">active<' in row
    assert '<td data-label="Versions" class="num">2</td>' in row
    assert '<time datetime="2019-03-26T08:08:00+00:00">2019-03-26 08:08 UTC</time>' in row  # Posted
    assert '<time datetime="2026-11-27T10:00:00+00:00">' in row  # last edit
    assert 'href="/?tag=korea"' in row

    def shown(html: str) -> list[int]:
        return [int(i) for i in re.findall(r'name="ids" value="(\d+)"', html)]

    assert shown((await web.client.get("/?tag=korea")).text) == [edited]
    assert shown((await web.client.get("/?kind=declared")).text) == [edited]
    assert shown((await web.client.get("/?q=other")).text) == [2]
    assert shown((await web.client.get("/?sort=added")).text) == [2, edited]
    assert shown((await web.client.get("/?sort=edits")).text) == [edited, 2]
    assert shown((await web.client.get("/?state=paused")).text) == []
    empty = (await web.client.get("/?state=paused")).text
    assert "No article matches these filters" in empty
    bad = await web.client.get("/?kind=sneaky")
    assert bad.status_code == 400 and "kind: expected one of" in bad.text


async def test_an_empty_watchlist_says_what_to_do(web: Web) -> None:
    html = (await web.client.get("/")).text
    assert "Nothing watched yet" in html
    assert '<details class="add" open>' in html
    edits = (await web.client.get("/edits")).text
    assert "No edits yet" in edits and "add articles to the watchlist" in edits


async def test_the_add_form_watches_and_checks_and_keeps_input_on_errors(web: Web) -> None:
    web.server.set("/one", page(PARAGRAPHS))
    web.server.set("/two", page(PARAGRAPHS[1:]))
    csrf = csrf_of((await web.client.get("/")).text)
    urls = f"{web.server.url('/one')}\n  {web.server.url('/two')}\n"
    added = await web.client.post(
        "/articles", data={"urls": urls, "tags": "korea, politics", "csrf_token": csrf}
    )
    assert added.status_code == 303 and added.headers["location"] == "/"
    listed = web.store.articles()
    assert [a.version_count for a in listed] == [1, 1]
    assert all(a.tags == ("korea", "politics") for a in listed)
    after = (await web.client.get("/")).text
    assert "Added 2 URLs." in after

    bad = await web.client.post(
        "/articles", data={"urls": "ftp://nope.example/a", "tags": "x", "csrf_token": csrf}
    )
    assert bad.status_code == 400
    assert "ftp://nope.example/a</textarea>" in bad.text  # nothing typed is lost
    assert 'class="flash flash-error"' in bad.text


async def test_bulk_pause_resume_remove_and_check(web: Web) -> None:
    a = await web.watch("/a", PARAGRAPHS)
    b = await web.watch("/b", PARAGRAPHS[1:])
    csrf = csrf_of((await web.client.get("/")).text)

    async def act(action: str, *ids: int) -> None:
        sent = await web.client.post(
            "/articles/bulk",
            data={
                "action": action,
                "ids": [str(i) for i in ids],
                "csrf_token": csrf,
                "back": "/?sort=added",
            },
        )
        assert sent.status_code == 303 and sent.headers["location"] == "/?sort=added"

    await act("pause", a, b)
    assert {web.store.article(i).state.value for i in (a, b)} == {"paused"}
    await act("resume", a)
    assert web.store.article(a).state.value == "active"
    await act("remove", b)
    assert web.store.article(b).state.value == "removed"
    assert web.store.article(b).version_count == 1
    web.server.set("/a", page(EDITED, updated="2019-03-27T09:00:00+09:00"))
    await act("check", a)
    assert web.store.article(a).version_count == 2
    nothing = await web.client.post("/articles/bulk", data={"action": "pause", "csrf_token": csrf})
    assert nothing.status_code == 303
    assert "Tick at least one article" in (await web.client.get("/")).text
    wrong = await web.client.post(
        "/articles/bulk", data={"action": "explode", "ids": ["1"], "csrf_token": csrf}
    )
    assert wrong.status_code == 400


# -- one article -----------------------------------------------------------------------------------------


async def test_the_article_page_has_a_timeline_and_the_latest_diff(web: Web) -> None:
    article_id = await edited_article(web)
    web.server.set("/story", "<html><body>Service unavailable</body></html>", status=503)
    web.later(minutes=30)
    await web.checker.check(web.store.article(article_id))
    html = (await web.client.get(f"/articles/{article_id}")).text

    assert '<a href="' + web.server.url("/story") + '" rel="noopener noreferrer nofollow"' in html
    timeline = html[html.index('id="timeline"') :]
    steps = re.findall(r'<li class="ev ev-(\w+)">', timeline)
    assert steps == ["posted", "version", "version", "error"]
    assert "Version 2</strong>" in timeline and "badge-declared" in timeline
    assert "Page's Updated time then:" in timeline and "2019-03-27T09:00:00+09:00" in timeline
    assert "HTTP 503" in timeline

    diff = html[html.index('id="diff"') : html.index('id="timeline"')]
    assert "Version 1 → 2" in diff
    assert "<del>Tuesday</del><ins>Wednesday</ins>" in diff
    assert '<p class="op-delete"><del>The talks, which stalled' in diff
    assert '<p class="op-insert"><ins>The delegations will meet again' in diff
    assert '<option value="1" selected>' in diff


async def test_any_two_versions_side_by_side(web: Web) -> None:
    article_id = await edited_article(web)
    await web.edit(article_id, "/story", PARAGRAPHS, updated="2019-03-28T09:00:00+09:00")
    html = (await web.client.get(f"/articles/{article_id}/diff?from=1&to=3&view=side")).text
    table = html[html.index('<table class="side">') : html.index("</table>")]
    assert "Version 1</th>" in table and "Version 3</th>" in table
    assert "<del>" not in table and "<ins>" not in table  # version 3 repeats version 1
    html = (await web.client.get(f"/articles/{article_id}/diff?from=2&to=3&view=side")).text
    table = html[html.index('<table class="side">') : html.index("</table>")]
    assert '<tr class="op-replace">' in table
    assert "<del>Wednesday</del>" in table and "<ins>Tuesday</ins>" in table
    assert "badge-reverted" in html

    missing = await web.client.get(f"/articles/{article_id}/diff?from=1&to=7")
    assert missing.status_code == 404 and "no version 7" in missing.text
    same = await web.client.get(f"/articles/{article_id}/diff?from=2&to=2")
    assert same.status_code == 400
    junk = await web.client.get(f"/articles/{article_id}/diff?from=abc")
    assert junk.status_code == 400


async def test_an_article_without_edits_says_when_the_next_check_is(web: Web) -> None:
    article_id = await web.watch("/quiet", PARAGRAPHS)
    html = (await web.client.get(f"/articles/{article_id}")).text
    assert "No edits yet —" in html and "the next check is at <time datetime=" in html
    csrf = csrf_of(html)
    paused = await web.client.post(
        f"/articles/{article_id}/state", data={"state": "paused", "csrf_token": csrf}
    )
    assert paused.status_code == 303
    html = (await web.client.get(f"/articles/{article_id}")).text
    assert "this article is paused" in html and ">Resume</button>" in html


async def test_check_now_from_the_article_page(web: Web) -> None:
    article_id = await web.watch("/c", PARAGRAPHS)
    web.server.set("/c", page(EDITED, updated="2019-03-27T09:00:00+09:00"))
    csrf = csrf_of((await web.client.get(f"/articles/{article_id}")).text)
    checked = await web.client.post(f"/articles/{article_id}/check", data={"csrf_token": csrf})
    assert checked.status_code == 303
    html = (await web.client.get(checked.headers["location"])).text
    assert "New version 2 (declared)" in html
    assert "<del>Tuesday</del><ins>Wednesday</ins>" in html


async def test_the_full_text_of_a_version(web: Web) -> None:
    article_id = await edited_article(web)
    html = (await web.client.get(f"/articles/{article_id}/versions/1")).text
    for paragraph in PARAGRAPHS:
        assert f"<p>{paragraph.replace(chr(39), '&#39;')}</p>" in html
    assert 'rel="next"' in html and "Version 1 of 2" in html
    assert (await web.client.get(f"/articles/{article_id}/versions/5")).status_code == 404
    assert (await web.client.get("/articles/77")).status_code == 404


# -- across articles --------------------------------------------------------------------------------------


async def test_recent_edits_newest_first_with_previews_and_filters(web: Web) -> None:
    first = await edited_article(web)
    second = await web.watch("/second", PARAGRAPHS, tags=("sport",))
    await web.edit(second, "/second", PARAGRAPHS[:3])
    html = (await web.client.get("/edits")).text
    links = re.findall(r'<h2><a href="/articles/(\d+)/diff\?from=1&amp;to=2#diff">', html)
    assert [int(i) for i in links] == [second, first]
    assert "<del>Tuesday</del><ins>Wednesday</ins>" in html
    assert html.count('class="op-equal"') == 0  # previews show changes only
    only = (await web.client.get("/edits?kind=stealth")).text
    assert [int(i) for i in re.findall(r"/articles/(\d+)/diff\?from", only)] == [second]
    tagged = (await web.client.get("/edits?tag=korea")).text
    assert 'href="/feeds/tags/korea.atom"' in tagged
    bad = await web.client.get("/edits?since=yesterday-ish")
    assert bad.status_code == 400 and "since:" in bad.text


async def test_alerts_page_masks_secrets_and_sends_a_test(
    server: PageServer, tmp_path: Path
) -> None:
    with WebhookReceiver() as receiver:
        url = receiver.url("/hook", credentials="editor:hunter2-secret-pw")
        settings = settings_for(tmp_path)
        settings = type(settings)(
            db_path=settings.db_path,
            fetch=settings.fetch,
            web=settings.web,
            notify=NotifySettings(urls=(url,)),
        )
        async for web in open_web(server, tmp_path, settings):
            html = (await web.client.get("/notifications")).text
            assert "hunter2-secret-pw" not in html
            assert "json://" in html and "Send a test alert" in html
            assert "Nothing pending or failed" in html
            csrf = csrf_of(html)
            sent = await web.client.post("/notifications/test", data={"csrf_token": csrf})
            assert sent.status_code == 303
            after = (await web.client.get("/notifications")).text
            assert "Test alert sent to" in after and "hunter2-secret-pw" not in after
            assert len(receiver.wait_for(1)) == 1


async def test_alerts_page_without_channels(web: Web) -> None:
    html = (await web.client.get("/notifications")).text
    assert "No alert channels yet" in html


# -- odds and ends ------------------------------------------------------------------------------------------


def test_safe_paths_stay_on_this_site() -> None:
    assert safe_path("/articles/1?from=1") == "/articles/1?from=1"
    for bad in ("//evil.example", "https://evil.example", "/\\evil", "", None, "/a\nb"):
        assert safe_path(bad) == "/"


async def test_times_are_machine_readable_utc_with_a_readable_fallback(web: Web) -> None:
    await web.watch("/t", PARAGRAPHS)
    html = (await web.client.get("/")).text
    stamps = re.findall(r'<time datetime="([^"]+)">([^<]+)</time>', html)
    assert stamps
    for machine, shown in stamps:
        assert machine.endswith("+00:00") and shown.endswith(" UTC")


async def test_the_docs_page_runs_swagger_from_local_files(web: Web) -> None:
    html = (await web.client.get("/docs")).text
    assert '<script src="/static/docs/swagger-ui-bundle.js">' in html
    assert "cdn" not in html
    bundle = await web.client.get("/static/docs/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and len(bundle.content) > 100_000
    schema = (await web.client.get("/openapi.json")).json()
    assert "/api/articles/{article_id}/diff" in schema["paths"]
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert BASE.startswith("http://127.0.0.1")


async def test_a_long_edit_is_cut_short_in_the_list_and_feeds_handle_odd_tags(web: Web) -> None:
    before = [f"Paragraph {i} says the council met on day {i}." for i in range(1, 11)]
    after = [f"Paragraph {i} says the mayor met on day {i + 1}." for i in range(1, 11)]
    article_id = await web.watch("/long", before, tags=("north korea",))
    await web.edit(article_id, "/long", after, updated="2019-03-27T09:00:00+09:00")
    html = (await web.client.get("/edits?tag=north+korea")).text
    assert "… and 4 more changed sentences" in html
    feed = re.search(r'href="(/feeds/tags/[^"]+)"', html)
    assert feed is not None and feed[1] == "/feeds/tags/north%20korea.atom"
    served = await web.client.get(feed[1])
    assert served.status_code == 200 and served.text.count("<entry>") == 1
