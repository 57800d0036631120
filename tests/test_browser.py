"""The web UI in a real browser: Debian's headless Chromium driven by Playwright.

The real server (``serve``: the web app and the scheduler in one loop) runs
in a background thread on 127.0.0.1, over a real database; articles come
from the local page server. These tests never skip: without Chromium they
fail and say how to install it (``apt-get install -y chromium``), because a
UI that was never opened in a browser is not tested.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect, sync_playwright

from monitor.config import load_settings
from monitor.web.server import BackgroundServer
from tests.chromium import CHROMIUM, CHROMIUM_ARGS, MISSING
from tests.pageserver import PageServer
from tests.samples import PARAGRAPHS, page

EDITED = [
    PARAGRAPHS[0].replace("Tuesday", "Wednesday"),
    *PARAGRAPHS[2:],
    "The delegations will meet again in Pyongyang in December.",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).is_file():
        pytest.fail(f"{MISSING}. Browser tests never skip.")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[BackgroundServer]:
    """The real ``monitor serve`` on 127.0.0.1 with private hosts allowed, as the demo runs."""
    settings = load_settings(
        environ={
            "MONITOR_DB": str(tmp_path / "monitor.db"),
            "MONITOR_ALLOW_PRIVATE_HOSTS": "1",
            "MONITOR_SCHEDULE_TICK": "1",
        }
    )
    with BackgroundServer(settings) as running:
        yield running


@pytest.fixture
def tab(browser: Browser) -> Iterator[Page]:
    """A page in Seoul's time zone, failing the test on any script error or CSP violation."""
    context = browser.new_context(timezone_id="Asia/Seoul", locale="en-GB")
    opened = context.new_page()
    problems: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(message.text)

    opened.on("console", console)
    opened.on("pageerror", lambda error: problems.append(str(error)))
    opened.set_default_timeout(10_000)
    yield opened
    context.close()
    assert problems == [], problems


def add_through_the_form(tab: Page, site: BackgroundServer, url: str, tags: str = "") -> None:
    tab.goto(site.url + "/")
    if not tab.locator("details.add[open]").count():
        tab.locator("details.add summary").click()
    tab.get_by_label("URLs").fill(url)
    if tags:
        tab.get_by_label("Tags").fill(tags)
    tab.get_by_role("button", name="Watch").click()
    expect(tab.locator(".flash-ok").first).to_contain_text("Added 1 URL.")


def test_add_check_and_review_an_edit(
    tab: Page, site: BackgroundServer, server: PageServer
) -> None:
    server.set("/story", page(PARAGRAPHS))
    add_through_the_form(tab, site, server.url("/story"), "korea")

    row = tab.locator("table.watchlist tbody tr").first
    expect(row.locator("a.headline")).to_have_text("NK, US agree to restart nuclear talks")
    expect(row.locator("td[data-label='Versions']")).to_have_text("1")
    expect(row.locator("td[data-label='Last check'] time")).to_have_count(1)
    expect(row.locator("a.tag")).to_have_text("korea")
    # Times are shown in the reader's zone with the offset (Seoul: +09:00).
    expect(row.locator("td[data-label='Last check'] time")).to_have_text(
        re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d UTC\+09:00$")
    )

    server.set("/story", page(EDITED, updated="2019-03-27T09:00:00+09:00"))
    row.locator("a.headline").click()
    expect(tab.locator("#diff .empty")).to_contain_text("No edits yet — the next check is at")
    tab.get_by_role("button", name="Check now").click()
    expect(tab.locator(".flash-ok")).to_contain_text("New version 2 (declared)")

    diff = tab.locator("#diff .diff")
    expect(diff.locator(".op-replace del")).to_have_text("Tuesday")
    expect(diff.locator(".op-replace ins")).to_have_text("Wednesday")
    expect(diff.locator(".op-delete del")).to_contain_text("The talks, which stalled")
    expect(diff.locator(".op-insert ins")).to_contain_text("meet again in Pyongyang")
    expect(tab.locator("#diff .badge-declared")).to_be_visible()
    expect(tab.locator("#timeline li.ev-version")).to_have_count(2)

    tab.locator("select[name='view']").select_option("side")
    tab.get_by_role("button", name="Compare").click()
    side = tab.locator("table.side")
    expect(side.locator("tr.op-replace td").first.locator("del")).to_have_text("Tuesday")
    expect(side.locator("tr.op-replace td").last.locator("ins")).to_have_text("Wednesday")

    tab.get_by_role("link", name="Recent edits").click()
    expect(tab.locator("ol.edits li")).to_have_count(1)
    expect(tab.locator("ol.edits .diff ins").first).to_have_text("Wednesday")


def test_hostile_page_text_never_runs(
    tab: Page, site: BackgroundServer, server: PageServer
) -> None:
    hostile = [
        "&lt;script&gt;window.pwned=1&lt;/script&gt; appeared in the copy.",
        'Readers were told to <a href="javascript:window.pwned=2">click here</a> '
        "or to paste javascript:window.pwned=3 into the address bar.",
        *PARAGRAPHS[:2],
    ]
    title = "&lt;img src=x onerror=window.pwned=4&gt; Ferry capsizes"
    server.set("/evil", page(hostile, title=title))
    add_through_the_form(tab, site, server.url("/evil"))
    expect(tab.locator("a.headline")).to_have_text(
        "<img src=x onerror=window.pwned=4> Ferry capsizes"
    )

    server.set(
        "/evil", page([*hostile, "&lt;script&gt;window.pwned=5&lt;/script&gt;"], title=title)
    )
    tab.locator("a.headline").click()
    tab.get_by_role("button", name="Check now").click()
    expect(tab.locator(".flash-ok")).to_contain_text("New version 2")
    for path in ("", "/diff?view=side", "/versions/1"):
        if path:
            tab.goto(tab.url.split("/articles/")[0] + "/articles/1" + path)
        expect(
            tab.get_by_text("<script>window.pwned=1</script> appeared in the copy.").first
        ).to_be_visible()
        expect(tab.get_by_text("javascript:window.pwned=3", exact=False).first).to_be_visible()
        assert tab.locator("a[href^='javascript:' i]").count() == 0
        assert tab.locator("img").count() == 0
        assert tab.evaluate("typeof window.pwned") == "undefined"
    tab.get_by_text("click here", exact=False).first.click()  # plain text: nothing happens
    assert tab.evaluate("typeof window.pwned") == "undefined"


def test_removing_asks_first_and_keeps_history(
    tab: Page, site: BackgroundServer, server: PageServer
) -> None:
    server.set("/gone", page(PARAGRAPHS))
    add_through_the_form(tab, site, server.url("/gone"))
    asked: list[str] = []

    def answer(dialog: object) -> None:
        asked.append(dialog.message)  # type: ignore[attr-defined]
        dialog.dismiss() if len(asked) == 1 else dialog.accept()  # type: ignore[attr-defined]

    tab.on("dialog", answer)
    tab.locator("input[data-select-all]").check()
    expect(tab.locator("input[name='ids']")).to_be_checked()
    tab.get_by_role("button", name="Remove").click()  # dismissed: nothing happens
    expect(tab.locator("table.watchlist tbody tr")).to_have_count(1)
    tab.get_by_role("button", name="Remove").click()
    expect(tab.locator(".flash-ok")).to_contain_text("Removed 1 article(s) (their history is kept)")
    assert len(asked) == 2 and "history is kept" in asked[0]
    expect(tab.locator(".empty")).to_contain_text("Nothing watched yet")
    tab.locator("select[name='state']").select_option("removed")
    tab.get_by_role("button", name="Show").click()
    expect(tab.locator("td[data-label='Versions']")).to_have_text("1")


def test_the_api_docs_render_without_a_cdn(tab: Page, site: BackgroundServer) -> None:
    tab.goto(site.url + "/docs")
    expect(tab.locator(".swagger-ui .info .title")).to_contain_text("monitor")
    expect(
        tab.locator(".opblock-summary-path", has_text="/api/articles/{article_id}/diff")
    ).to_be_visible()
