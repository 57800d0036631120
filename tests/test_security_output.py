"""Output: text from pages is inert wherever it is shown.

One hostile story (``tests/hostile/pages/xss.html`` and its edits) goes
through the real pipeline (page server, Fetcher, extraction, Checker, SQLite)
and then through every renderer: the web pages, the Atom feeds, the JSON API,
the HTML e-mail, chat Markdown, plain text, digests, and the terminal.

Rendered output is judged by *parsing* it the way its reader would (an HTML
parser for pages, feeds and mail; a Markdown renderer, then an HTML parser,
for chat), never by searching for strings alone: whatever the page says, no
script, image, frame, event handler or ``javascript:``/``data:`` link may
come out, and the words must still be there as text.

The browser test (``test_browser.py``) proves the same in Chromium.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import lxml.html
import markdown
import pytest
from click.testing import CliRunner

from monitor.alerts import (
    HTML,
    MARKDOWN,
    TEXT,
    Limits,
    edit_alert,
    gone_alert,
    render_alert,
    render_digest,
)
from monitor.cli import main
from monitor.diff import diff_versions, render_html, render_text
from monitor.models import Article, Version
from monitor.text import clean_text, comparison_key
from tests.pageserver import PageServer
from tests.samples import PARAGRAPHS, page
from tests.test_web_api import BASE, Web, open_web, settings_for

pytestmark = pytest.mark.anyio

HOSTILE_DIR = Path(__file__).parent / "hostile" / "pages"
A = "{http://www.w3.org/2005/Atom}"
UTC = ZoneInfo("UTC")
# What a reader must never get from page text.
ACTIVE_TAGS = {"script", "img", "iframe", "object", "embed", "svg", "math", "style", "link", "meta"}
BAD_SCHEMES = re.compile(r"^\s*(?:javascript|data|vbscript|file):", re.IGNORECASE)
# C0/C1 controls a terminal acts on (tab and newline are layout).
TERMINAL_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# The story's title and body, written as a CMS would (entities decode into markup).
TITLE = (
    "&lt;script&gt;alert(1)&lt;/script&gt; [Breaking](javascript:alert(2)) "
    "![x](http://evil.example/t.png) talks resume"
)
HOSTILE = [
    "&lt;script&gt;alert(3)&lt;/script&gt; appeared in the copy of this story on Tuesday.",
    'Readers were told to <a href="javascript:alert(4)">click here</a> '
    "or to paste javascript:alert(5) into the address bar.",
    "See [the report](javascript:alert(6)) and ![chart](http://evil.example/pixel.png) "
    "for details, **urgently**, _now_ and `code`.",
    "&lt;img src=x onerror=alert(7)&gt; and &lt;a href=&quot;javascript:alert(8)&quot;&gt;"
    "a link&lt;/a&gt; and &lt;iframe src=data:text/html,x&gt; were quoted.",
    "Mentions: &lt;!channel&gt; @everyone &lt;@U12345&gt; and an autolink "
    "&lt;http://evil.example/a&gt; or &lt;javascript:alert(9)&gt;.",
    "Terminal tricks: &#27;]0;owned&#7; then &#27;[2J and &#x9b;31m and \u202e reversed.",
]
REWORDED = [
    sentence.replace("alert(", "confirm(").replace("Readers", "Viewers") for sentence in HOSTILE
]


def hostile_file_matches() -> None:
    """The corpus page holds the same hostile lines (kept in sync by this check)."""
    text = (HOSTILE_DIR / "xss.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text and "javascript:" in text


@pytest.fixture
async def web(server: PageServer, tmp_path: Path) -> AsyncIterator[Web]:
    settings = settings_for(tmp_path, base_url=BASE)
    async for opened in open_web(server, tmp_path, settings):
        yield opened


async def hostile_story(web: Web) -> int:
    """Version 1 clean, version 2 adds the hostile lines, version 3 rewords them."""
    article_id = await web.watch("/h", PARAGRAPHS, tags=("hostile",))
    second = await web.edit(
        article_id, "/h", [*PARAGRAPHS, *HOSTILE], updated="2019-03-27T09:00:00+09:00"
    )
    web.server.set("/h", page([*PARAGRAPHS, *REWORDED], title=TITLE))
    web.later(hours=1)
    third = await web.checker.check(web.store.article(article_id))
    assert (second.version, third.version) == (2, 3)
    return article_id


# -- judging rendered output ------------------------------------------------------------------


def active_parts(html: str) -> list[str]:
    """Everything in ``html`` a browser or mail client would act on."""
    found: list[str] = []
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag in ACTIVE_TAGS:
            found.append(f"<{el.tag}>")
        for name, value in el.attrib.items():
            if name.lower().startswith("on"):
                found.append(f"{el.tag}[{name}]")
            if name.lower() in ("href", "src", "action", "formaction", "srcdoc") and (
                BAD_SCHEMES.match(value) or name.lower() == "srcdoc"
            ):
                found.append(f"{el.tag}[{name}={value}]")
    return found


def visible_text(html: str) -> str:
    return " ".join(lxml.html.fragment_fromstring(html, create_parent="div").itertext())


def links(html: str) -> list[str]:
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    return [a.get("href", "") for a in root.iter("a")]


def assert_inert_html(html: str, *, expect_text: bool = True) -> None:
    assert active_parts(html) == [], html[:2000]
    if expect_text:
        text = visible_text(html)
        assert "<script>" in text and "javascript:" in text, text[:2000]


def versions(web: Web, article_id: int) -> tuple[Article, list[Version]]:
    return web.store.article(article_id), web.store.versions(article_id)


# -- the pipeline keeps the text as text -------------------------------------------------------


async def test_extraction_decodes_entities_into_text_and_strips_controls(web: Web) -> None:
    article_id = await hostile_story(web)
    _, stored = versions(web, article_id)
    body = stored[1].body
    assert "<script>alert(3)</script>" in body  # decoded: it is text now, and must stay text
    assert "javascript:alert(5)" in body
    assert "[the report](javascript:alert(6))" in body
    assert not TERMINAL_CONTROLS.search(body) and "\u202e" not in body
    assert stored[2].title.startswith("<script>alert(1)</script> [Breaking](javascript:alert(2))")


def test_normalisation_never_lets_control_characters_through() -> None:
    for raw in ("a\x1b[31mb", "a\x9b2Jb", "a\x07b", "a\x00b", "a\u202eb\u2066c"):
        for text in (clean_text(raw), comparison_key(raw)):
            assert not TERMINAL_CONTROLS.search(text) and "\u202e" not in text, repr(text)
    assert clean_text("a\x85b\x1cc\td") == "a b c d"  # white-space controls fold to spaces


# -- web pages, feeds, API -------------------------------------------------------------------------


async def test_every_page_shows_the_hostile_text_as_text(web: Web) -> None:
    article_id = await hostile_story(web)
    for path in (
        "/",
        "/?q=script",
        f"/articles/{article_id}",
        f"/articles/{article_id}/diff?from=1&to=2",
        f"/articles/{article_id}/diff?from=2&to=3&view=side",
        f"/articles/{article_id}/diff?from=1&to=3&view=changes",
        f"/articles/{article_id}/versions/2",
        f"/articles/{article_id}/versions/3",
        "/edits",
        "/edits?tag=hostile",
    ):
        answer = await web.client.get(path)
        assert answer.status_code == 200, path
        body = answer.text
        document = lxml.html.document_fromstring(body)
        scripts = [s.get("src") for s in document.iter("script")]
        assert scripts == ["/static/app.js?v=0.1.0"], (path, scripts)  # ours, and no inline one
        inner = lxml.html.tostring(document.body, encoding="unicode")
        assert [p for p in active_parts(inner) if p != "<script>"] == [], path
        assert "<script>alert(1)</script>" in document.text_content(), path
        assert "script-src 'self'" in answer.headers["content-security-policy"]


async def test_atom_feeds_carry_escaped_html_only(web: Web) -> None:
    article_id = await hostile_story(web)
    for path in (
        "/feeds/edits.atom",
        f"/feeds/articles/{article_id}.atom",
        "/feeds/tags/hostile.atom",
        "/feeds/outlets/127.0.0.1.atom",
    ):
        answer = await web.client.get(path)
        assert answer.status_code == 200, path
        feed = ET.fromstring(answer.content)  # well-formed XML, whatever the page held
        entries = feed.findall(f"{A}entry")
        assert len(entries) == 2, path
        titles = [entry.findtext(f"{A}title") or "" for entry in entries]
        assert titles[0].startswith("<script>alert(1)</script>")  # text: Atom titles are text
        for entry in entries:
            content = entry.find(f"{A}content")
            assert content is not None and content.get("type") == "html"
            assert_inert_html(content.text or "")
            for link in entry.findall(f"{A}link"):
                assert (link.get("href") or "").startswith("http"), link.attrib


async def test_the_api_returns_page_text_as_json_strings(web: Web) -> None:
    article_id = await hostile_story(web)
    answer = await web.client.get(f"/api/articles/{article_id}/versions/3")
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "<script>alert(1)</script>" in answer.json()["title"]
    diff = (await web.client.get(f"/api/articles/{article_id}/diff?from=1&to=2")).json()
    inserted = " ".join(op["new"] for op in diff["body"] if op["op"] == "insert")
    assert "<script>alert(3)</script>" in inserted


# -- alerts -----------------------------------------------------------------------------------------


def alerts_of(web: Web, article_id: int) -> Iterator[tuple[str, object]]:
    article, stored = versions(web, article_id)
    yield "v2", edit_alert(article, stored[0], stored[1], base_url=BASE)
    yield "v3", edit_alert(article, stored[1], stored[2], base_url=BASE)
    yield "gone", gone_alert(article, stored[2], base_url=BASE)


LIMITS = [Limits(), Limits(body=4000, title=250), Limits(body=600, title=0), Limits(body=120)]


async def test_html_mail_is_inert_at_every_size(web: Web) -> None:
    article_id = await hostile_story(web)
    for name, alert in alerts_of(web, article_id):
        for limits in LIMITS:
            message = render_alert(alert, HTML, tz=UTC, limits=limits)  # type: ignore[arg-type]
            assert active_parts(message.body) == [], (name, limits, message.body[:1000])
            assert all(href.startswith((BASE, "http://127.0.0.1")) for href in links(message.body))
            if name == "v2" and limits.body == 0:
                assert_inert_html(message.body)
    everything = [alert for _, alert in alerts_of(web, article_id)]
    digest = render_digest(everything, HTML, tz=UTC, base_url=BASE)  # type: ignore[arg-type]
    assert active_parts(digest.body) == []


async def test_chat_markdown_renders_no_link_image_or_html_from_page_text(web: Web) -> None:
    """The Markdown is rendered as a chat client would, then parsed: only our links survive."""
    article_id = await hostile_story(web)
    article = web.store.article(article_id)
    ours = (BASE, article.url)
    for name, alert in alerts_of(web, article_id):
        for limits in LIMITS:
            message = render_alert(alert, MARKDOWN, tz=UTC, limits=limits)  # type: ignore[arg-type]
            html = markdown.markdown(message.body)
            assert active_parts(html) == [], (name, limits, html[:1500])
            for href in links(html):
                assert href.startswith(ours), (name, limits, href)
            if limits.body == 0 and name != "gone":
                text = visible_text(html)
                assert "javascript:alert(" in text or "javascript:confirm(" in text
    everything = [alert for _, alert in alerts_of(web, article_id)]
    digest = render_digest(everything, MARKDOWN, tz=UTC, base_url=BASE)  # type: ignore[arg-type]
    html = markdown.markdown(digest.body)
    assert active_parts(html) == []
    assert all(href.startswith(ours) for href in links(html))


async def test_plain_text_alerts_carry_no_terminal_controls(web: Web) -> None:
    article_id = await hostile_story(web)
    for _, alert in alerts_of(web, article_id):
        for limits in LIMITS:
            for fmt in (TEXT, MARKDOWN, HTML):
                message = render_alert(alert, fmt, tz=UTC, limits=limits)  # type: ignore[arg-type]
                assert not TERMINAL_CONTROLS.search(message.title + message.body.replace("\n", ""))


# -- the terminal ------------------------------------------------------------------------------------


async def test_the_command_line_prints_no_terminal_controls(web: Web) -> None:
    article_id = await hostile_story(web)
    env = {"MONITOR_DB": str(web.settings.db_path), "MONITOR_ALLOW_PRIVATE_HOSTS": "1"}
    runner = CliRunner()
    outputs = []
    for args in (
        ["list"],
        ["list", "--json"],
        ["history", str(article_id)],
        ["diff", str(article_id), "--from", "1", "--to", "2"],
        ["diff", str(article_id), "--format", "html"],
        ["diff", str(article_id), "--format", "json"],
    ):
        result = runner.invoke(main, args, env=env, catch_exceptions=False)
        assert result.exit_code == 0, (args, result.output)
        outputs.append(result.stdout)
        assert not TERMINAL_CONTROLS.search(result.stdout.replace("\n", "")), args
    assert "<script>alert(3)</script>" in outputs[3]
    assert_inert_html(outputs[4], expect_text=False)
    json.loads(outputs[5])


def test_extract_prints_a_hostile_file_without_controls(tmp_path: Path) -> None:
    hostile_file_matches()
    result = CliRunner().invoke(
        main, ["extract", str(HOSTILE_DIR / "xss.html")], env={"MONITOR_DB": str(tmp_path / "m.db")}
    )
    assert result.exit_code == 0, result.output
    assert not TERMINAL_CONTROLS.search(result.stdout.replace("\n", ""))
    assert "<script>alert(1)</script>" in result.stdout


def test_text_and_html_diffs_of_hostile_versions() -> None:
    old = [clean_text(lxml.html.fromstring(f"<p>{p}</p>").text_content()) for p in HOSTILE]
    new = [clean_text(lxml.html.fromstring(f"<p>{p}</p>").text_content()) for p in REWORDED]
    diff = diff_versions("<b>t</b>", "", old, "<i>t</i>", "", new)
    assert_inert_html(render_html(diff))
    assert not TERMINAL_CONTROLS.search(render_text(diff).replace("\n", ""))
