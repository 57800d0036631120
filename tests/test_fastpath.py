"""The unchanged-article fast path: the same outcomes as full extraction, never a hidden edit.

Pages are served by the real local server and checked by the real Checker
into a real SQLite file, once with ``check.fast_path`` on and once with it
off; the fast path may only save work, never change what is recorded.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.checker import Checker
from monitor.config import CheckSettings, FetchSettings, Settings
from monitor.fetch import Fetcher
from monitor.models import CheckResult, OutletRules
from monitor.store import Store
from monitor.watchlist import add_urls
from tests.newsroom import Layout, load_layouts
from tests.pageserver import PageServer

pytestmark = pytest.mark.anyio

ON = Settings(fetch=FetchSettings(allow_private_hosts=True, host_delay=0.0))
OFF = replace(ON, check=CheckSettings(fast_path=False))


@dataclass(frozen=True)
class Step:
    """One check: what it found and what the article row says afterwards."""

    outcome: str
    version: int | None
    kind: str | None
    flags: tuple[str, ...]
    title: str | None
    posted_at: datetime | None
    updated_at: datetime | None


class Watcher:
    """One article in a fresh database, checked at the given times by a real Checker."""

    def __init__(self, store: Store, settings: Settings, url: str, when: datetime) -> None:
        self.store = store
        self.settings = settings
        [added] = add_urls(store, [url], now=when, allow_private=True)
        self.article_id = added.article.id
        self.answered: list[bool] = []  # per check: did the fast path's memo answer it

    async def check(self, fetcher: Fetcher, when: datetime) -> Step:
        checker = Checker(self.store, self.settings, fetcher, clock=lambda: when)
        result: CheckResult = await checker.check(self.store.article(self.article_id))
        self.answered.append(checker.fast_path_hits == 1)
        article = self.store.article(self.article_id)
        return Step(
            outcome=result.outcome.value,
            version=result.version,
            kind=result.kind.value if result.kind else None,
            flags=result.flags,
            title=article.title,
            posted_at=article.posted_at,
            updated_at=article.updated_at,
        )


@pytest.mark.parametrize("layout", load_layouts(), ids=str)
async def test_the_saved_newsroom_comes_out_the_same_with_and_without_the_fast_path(
    layout: Layout, server: PageServer, tmp_path: Path
) -> None:
    """Every step of every layout, each page checked twice: the second is the fast path's."""
    rules = {"127.0.0.1": OutletRules(timezone=layout.timezone)}
    runs: dict[str, list[Step]] = {}
    answered: dict[str, list[bool]] = {}
    for name, settings in (
        ("on", replace(ON, outlets=rules)),
        ("off", replace(OFF, outlets=rules)),
    ):
        first = layout.versions[0].fetched_at
        with Store(tmp_path / f"{name}.db") as store:
            watcher = Watcher(store, settings, server.url(layout.path), first)
            steps = []
            async with Fetcher(settings.fetch) as fetcher:
                for page in layout.versions:
                    server.set(layout.path, page.html_bytes, headers=page.headers)
                    steps.append(await watcher.check(fetcher, page.fetched_at))
                    again = page.fetched_at + timedelta(minutes=1)
                    steps.append(await watcher.check(fetcher, again))
            runs[name], answered[name] = steps, watcher.answered
            if name == "off":
                assert store.article(watcher.article_id).fast_path is None
    assert runs["on"] == runs["off"]
    assert [s.outcome for s in runs["on"][:2]] == ["new", "unchanged"]
    # every page checked a second time is the page of the memo
    assert all(answered["on"][1::2]) and not any(answered["off"])


# --- edits hidden in each part of the page, in four templates ----------------

BODY = [
    "Floodwaters forced about 400 families from their homes on Tuesday, the county "
    "council said, as the river rose to its highest level in two decades.",
    "Emergency shelters opened in three schools and the town hall, and volunteers "
    "handed out blankets and hot meals late into the night.",
    "The council said repairs to the bridge would take at least a month and would be "
    "paid for from the reserve fund set aside after the last flood.",
    "Residents were told to boil tap water until further notice while engineers "
    "inspect the treatment works downstream of the town.",
]
POSTED = "2026-03-02T08:00:00+00:00"
UPDATED = "2026-03-02T09:30:00+00:00"


@dataclass(frozen=True)
class Story:
    headline: str = "Floodwaters force hundreds of families from their homes"
    byline: str = "Rachel Okafor"
    updated: str = UPDATED
    paragraphs: tuple[str, ...] = tuple(BODY)
    after: str = ""  # a paragraph right after the body's element


def noise(seed: int) -> dict[str, str]:
    """Furniture that changes on every request, as on a real news site."""
    rng = random.Random(seed)
    most_read = "".join(
        f"<li><a href='/x/{rng.randrange(10**6)}.html'>Story {rng.randrange(10**4)} "
        f"{rng.choice(['rises', 'falls', 'wins'])}</a> <time datetime='2026-03-0{rng.randint(1, 9)}'>"
        "</time></li>"
        for _ in range(5)
    )
    return {
        "most_read": f"<aside class='most-read'><h2>Most read</h2><ol>{most_read}</ol></aside>",
        "ad": f"<div class='ad' id='ad-{rng.randrange(10**9)}' data-slot='{rng.random()}'>"
        "Advertisement</div>",
        "clock": f"<div class='clock'>{rng.randint(0, 23)}:{rng.randint(10, 59)} "
        f"{rng.randint(1, 28)} March</div>",
        "views": f"<span class='views'>{rng.randint(30000, 99999)} readers now</span>"
        f"<span class='shares'>{rng.randint(2100, 9999)} shares</span>",
        "script": f"<script>window.__token='{rng.getrandbits(64):016x}';</script>",
    }


def render(template: str, story: Story, seed: int) -> str:
    n = noise(seed)
    body = "".join(f"<p>{p}</p>" for p in story.paragraphs)
    after = f"<p>{story.after}</p>" if story.after else ""
    if template == "jsonld":
        ld = (
            '{"@context": "https://schema.org", "@type": "NewsArticle", '
            f'"headline": "{story.headline}", "datePublished": "{POSTED}", '
            f'"dateModified": "{story.updated}", '
            f'"author": {{"@type": "Person", "name": "{story.byline}"}}}}'
        )
        page = (
            f"<script type='application/ld+json'>{ld}</script></head><body>{n['clock']}"
            f"{n['views']}<article><h1>{story.headline}</h1><p class='byline'>By {story.byline}"
            f"</p><div class='article-body'>{body}</div>{after}{n['ad']}</article>{n['most_read']}"
        )
    elif template == "classic":
        page = (
            f"</head><body>{n['clock']}<div id='main'><div class='story'><h1>{story.headline}</h1>"
            f"<div class='byline'>By <a href='/authors/x'>{story.byline}</a></div>"
            f"<time class='published' datetime='{POSTED}'>Published {POSTED}</time>"
            f"<time class='updated' datetime='{story.updated}'>Updated {story.updated}</time>"
            f"{n['views']}<div class='story-body'>{body}</div>{after}</div>"
            f"{n['ad']}{n['most_read']}</div>"
        )
    elif template == "meta":
        page = (
            f"<meta property='og:title' content='{story.headline}'>"
            f"<meta property='article:published_time' content='{POSTED}'>"
            f"<meta property='article:modified_time' content='{story.updated}'>"
            f"<meta name='author' content='{story.byline}'></head><body><main><header>"
            f"<h1>{story.headline}</h1><span class='author'>{story.byline}</span></header>"
            f"<section>{body}</section>{after}</main>{n['most_read']}{n['ad']}{n['views']}"
        )
    else:  # legacy: the times only in the visible text
        posted = "02 March 2026, 08:00 GMT"
        page = (
            f"</head><body><table><tr><td class='left'>{n['most_read']}</td><td class='content'>"
            f"<h1>{story.headline}</h1><div class='meta'><span class='author'>By {story.byline}</span> · Posted: {posted}"
            f" | Updated: {story.updated}</div><div class='text' id='article-text'>{body}</div>"
            f"{after}</td><td>{n['ad']}{n['views']}</td></tr></table>"
        )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{story.headline} | The Daily Ledger</title>{page}"
        f"<footer>{n['clock']} © The Daily Ledger</footer>{n['script']}</body></html>"
    )


EDITS: dict[str, tuple[Story, str]] = {
    "headline": (Story(headline="Floodwaters force thousands of families from their homes"), ""),
    "byline": (Story(byline="Daniel Mercer"), ""),
    "updated time": (Story(updated="2026-03-02T11:45:00+00:00"), "timestamp_only"),
    "a word in the body": (
        Story(paragraphs=(BODY[0], BODY[1].replace("blankets", "pillows"), *BODY[2:])),
        "",
    ),
    "a figure in the body": (Story(paragraphs=(BODY[0].replace("400", "450"), *BODY[1:])), ""),
    "a paragraph after the body": (
        Story(
            after="Officials later said the number of families moved had risen to 520, and "
            "that more shelters would open on Wednesday if the river kept rising overnight."
        ),
        "",
    ),
}
TEMPLATES = ("jsonld", "classic", "meta", "legacy")
T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("edit", EDITS, ids=str)
async def test_an_edit_hidden_in_one_part_of_the_page_is_caught(
    template: str, edit: str, server: PageServer, tmp_path: Path
) -> None:
    edited, expected = EDITS[edit]
    runs: dict[str, list[Step]] = {}
    answered: list[bool] = []
    for name, settings in (("on", ON), ("off", OFF)):
        with Store(tmp_path / f"{name}.db") as store:
            watcher = Watcher(store, settings, server.url("/story"), T0)
            steps = []
            async with Fetcher(settings.fetch) as fetcher:
                for minutes, (story, seed) in enumerate(
                    [(Story(), 1), (Story(), 2), (edited, 3), (edited, 4)]
                ):
                    server.set("/story", render(template, story, seed))
                    steps.append(await watcher.check(fetcher, T0 + timedelta(minutes=minutes)))
            runs[name] = steps
            answered = answered or watcher.answered
    assert runs["on"] == runs["off"]
    # Noise alone (most read, ads, clocks, counters) did not defeat the fast path;
    # the edit did: that page went to the full extractor.
    assert answered == [False, True, False, True]
    outcomes = [s.outcome for s in runs["on"]]
    assert outcomes == ["new", "unchanged", expected or "changed", "unchanged"]
    if edit in ("headline", "byline"):
        assert edit in runs["on"][2].flags


async def test_a_memo_stands_only_for_the_latest_version(
    server: PageServer, tmp_path: Path
) -> None:
    """A page reverted to what an older memo describes is a revert, not "unchanged".

    Another process stored a newer version while this one kept the memo of
    the old page: the memo's content is no longer the latest, so the page
    is extracted in full.
    """
    with Store(tmp_path / "m.db") as store:
        watcher = Watcher(store, ON, server.url("/story"), T0)
        async with Fetcher(ON.fetch) as fetcher:
            server.set("/story", render("classic", Story(), 1))
            assert (await watcher.check(fetcher, T0)).outcome == "new"
            memo = store.article(watcher.article_id).fast_path
            edited = EDITS["a word in the body"][0]
            server.set("/story", render("classic", edited, 2))
            assert (await watcher.check(fetcher, T0 + timedelta(minutes=1))).outcome == "changed"
            store.db["articles"].update(watcher.article_id, {"fast_path": memo})  # the old memo
            server.set("/story", render("classic", Story(), 3))
            step = await watcher.check(fetcher, T0 + timedelta(minutes=2))
        assert (step.outcome, step.version) == ("changed", 3)
        assert "reverted" in step.flags and not any(watcher.answered)


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("edit", EDITS, ids=str)
def test_the_memo_made_after_a_mismatch_is_the_memo_of_a_fresh_look(
    template: str, edit: str
) -> None:
    """A page the old memo no longer matches is parsed once for both the check and the new memo.

    The new memo must be exactly what a first look at that page (no memo)
    would have made, or the next check could match a page it should not.
    """
    from monitor.fastpath import examine

    url, rules = "https://news.example/story", OutletRules()
    old = examine(render(template, Story(), 1), url, rules, T0, None)
    assert old.memo is not None
    page = render(template, EDITS[edit][0], 2)
    after_mismatch = examine(page, url, rules, T0, old.memo)
    fresh = examine(page, url, rules, T0, None)
    assert after_mismatch.extracted is not None  # the edit defeated the old memo
    assert after_mismatch.memo is not None and after_mismatch.memo == fresh.memo
    assert after_mismatch.memo.digest != old.memo.digest


@pytest.mark.parametrize(
    ("before", "after", "masked"),
    [
        ("48213 readers now", "51170 readers now", True),  # a count
        ("4981 readers now", "5302 readers now", True),  # four digits, but no year
        ("1066 readers now", "2230 readers now", True),
        ("since 2019 readers", "since 2021 readers", False),  # could be a year
        ("7 readers now", "8 readers now", False),  # could be a day or an hour
        ("at 1430 GMT", "at 1515 GMT", False),  # beside a time word
        ("shared 3,120 times", "shared 3,480 times", False),  # glued to punctuation
        ("ref 20260301 filed", "ref 20260302 filed", False),  # a compact date
    ],
)
def test_a_number_outside_the_article_is_noise_only_when_it_cannot_be_a_date(
    before: str, after: str, masked: bool
) -> None:
    """The fast path answers across a changed count; a number a date search could read is kept."""
    from monitor.fastpath import examine

    url, rules = "https://news.example/story", OutletRules()
    page = render("classic", Story(), 1)
    first = examine(
        page.replace("</h1>", f"</h1><div class='stat'>{before}</div>"), url, rules, T0, None
    )
    assert first.memo is not None
    again = examine(
        page.replace("</h1>", f"</h1><div class='stat'>{after}</div>"), url, rules, T0, first.memo
    )
    assert (again.extracted is None) == masked
