"""Posted/Updated from every source, with the zone right to the minute.

Pages are small but shaped like the real ones: a site header with navigation,
the article with its headline and dateline, a "Most read" sidebar and a site
footer, because telling those apart is most of the job.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import lxml.html
import pytest

from monitor.errors import ConfigError
from monitor.models import OutletRules, PageTime
from monitor.timestamps import find_page_times, parse_page_time

SEOUL = ZoneInfo("Asia/Seoul")
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2019, 3, 27, 12, 0, tzinfo=UTC)  # the fetch time of every page below
KOREA = OutletRules(timezone="Asia/Seoul")
NO_RULES = OutletRules()

SIDEBAR = """
<aside class="sidebar">
  <h2>Most read</h2>
  <ul>
    <li><a href="/a">Other story</a> <time class="published" datetime="2019-03-27T09:00:00Z">
      27 March</time> Updated : 2019-03-27 10:00</li>
    <li><a href="/b">Another story</a> Posted : 2019-03-27 08:00</li>
  </ul>
</aside>
"""


def page(article: str = "", head: str = "", sidebar: str = SIDEBAR, title: str = "") -> str:
    """A news page: site header, the article, a sidebar and a site footer."""
    return f"""<!DOCTYPE html>
<html><head><title>{title or "Ferry sinks off Jeju | The Daily"}</title>{head}</head>
<body>
<header class="site-header"><a class="logo" href="/">The Daily</a>
  <nav><a href="/world">World</a> <span class="clock">Wednesday, March 27, 2019 21:00</span></nav>
</header>
<main>
  <article>
    {article}
    <div class="article-body"><p>A ferry carrying 40 passengers sank on Tuesday.</p>
    <p>All passengers were rescued, the coast guard said.</p></div>
  </article>
  {sidebar}
</main>
<footer class="site-footer"><p>© 2019 The Daily. Updated : 2019-03-27 11:00</p></footer>
</body></html>"""


def headed(dateline: str, **kwargs: str) -> str:
    """A page whose article header holds ``dateline`` under the headline."""
    article = f'<header class="article-header"><h1>Ferry sinks off Jeju</h1>{dateline}</header>'
    return page(article, **kwargs)


def find(
    html: str, rules: OutletRules = NO_RULES, now: datetime = NOW
) -> tuple[PageTime | None, PageTime | None]:
    return find_page_times(lxml.html.document_fromstring(html), rules, now=now)


def values(
    html: str, rules: OutletRules = NO_RULES, now: datetime = NOW
) -> tuple[datetime | None, datetime | None]:
    posted, updated = find(html, rules, now)
    return (posted.value if posted else None, updated.value if updated else None)


def json_ld(data: str) -> str:
    return f'<script type="application/ld+json">{data}</script>'


# --------------------------------------------------------------------------
# parse_page_time: one string


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2019-03-26T17:08:00+09:00", datetime(2019, 3, 26, 17, 8, tzinfo=SEOUL)),
        ("2019-03-26T08:08:00.000Z", datetime(2019, 3, 26, 8, 8, tzinfo=UTC)),
        ("2019-03-26T17:08:00+0530", datetime(2019, 3, 26, 11, 38, tzinfo=UTC)),
        ("2019-03-26 17:08 GMT+9", datetime(2019, 3, 26, 17, 8, tzinfo=SEOUL)),
        ("Tue, 26 Mar 2019 17:08:00 +0000", datetime(2019, 3, 26, 17, 8, tzinfo=UTC)),
        ("Tue 26 Mar 2019 17.08 GMT", datetime(2019, 3, 26, 17, 8, tzinfo=UTC)),
        ("26 March 2019, 17:08 BST", datetime(2019, 3, 26, 16, 8, tzinfo=UTC)),
        ("March 26, 2019 at 5:08 p.m. EDT", datetime(2019, 3, 26, 21, 8, tzinfo=UTC)),
        ("Mar. 26, 2019 5:08 PM ET", datetime(2019, 3, 26, 17, 8, tzinfo=NEW_YORK)),
        ("5:08 PM EDT, Tue March 26, 2019", datetime(2019, 3, 26, 21, 8, tzinfo=UTC)),
        ("March 26, 2019 12:30 a.m. PT", datetime(2019, 3, 26, 7, 30, tzinfo=UTC)),
        ("26 March 2019 17:08 CET", datetime(2019, 3, 26, 16, 8, tzinfo=UTC)),
        ("26 July 2019 17:08 CEST", datetime(2019, 7, 26, 15, 8, tzinfo=UTC)),
        ("March 26, 2019 5:08 PM CST", datetime(2019, 3, 26, 23, 8, tzinfo=UTC)),
        ("March 26, 2019 5:08 PM CDT", datetime(2019, 3, 26, 22, 8, tzinfo=UTC)),
        ("March 26, 2019 5:08 PM MST", datetime(2019, 3, 27, 0, 8, tzinfo=UTC)),
        ("March 26, 2019 5:08 PM PDT", datetime(2019, 3, 27, 0, 8, tzinfo=UTC)),
        ("March 26, 2019 5:08 PM EST", datetime(2019, 3, 26, 22, 8, tzinfo=UTC)),
        ("26 March 2019 17:08 KST", datetime(2019, 3, 26, 8, 8, tzinfo=UTC)),
        ("26 March 2019 17:08 JST", datetime(2019, 3, 26, 8, 8, tzinfo=UTC)),
        ("26 March 2019 17:08 IST", datetime(2019, 3, 26, 11, 38, tzinfo=UTC)),
        ("26 March 2019 17:08 HKT", datetime(2019, 3, 26, 9, 8, tzinfo=UTC)),
        ("26 March 2019 17:08 SGT", datetime(2019, 3, 26, 9, 8, tzinfo=UTC)),
        ("26 March 2019 17:08 AEDT", datetime(2019, 3, 26, 6, 8, tzinfo=UTC)),
        ("26 July 2019 17:08 AEST", datetime(2019, 7, 26, 7, 8, tzinfo=UTC)),
        ("26 March 2019 17:08 UTC", datetime(2019, 3, 26, 17, 8, tzinfo=UTC)),
        ("2019.03.26 17:08", datetime(2019, 3, 26, 17, 8, tzinfo=SEOUL)),
        ("2019.03.26. 오후 5:08", datetime(2019, 3, 26, 17, 8, tzinfo=SEOUL)),
        ("2019.03.26 오전 9:05", datetime(2019, 3, 26, 9, 5, tzinfo=SEOUL)),
        ("2019.03.26 오후 12:05", datetime(2019, 3, 26, 12, 5, tzinfo=SEOUL)),
        ("2019.03.26 오전 12:05", datetime(2019, 3, 26, 0, 5, tzinfo=SEOUL)),
        ("2019년 3월 26일 17시 8분", datetime(2019, 3, 26, 17, 8, tzinfo=SEOUL)),
        ("2019-03-26 (화) 17:08", datetime(2019, 3, 26, 17, 8, tzinfo=SEOUL)),
        ("2019/03/26 17:08:33", datetime(2019, 3, 26, 17, 8, 33, tzinfo=SEOUL)),
        ("26.03.2019 17:08", datetime(2019, 3, 26, 17, 8, tzinfo=SEOUL)),
        ("03/26/2019", datetime(2019, 3, 26, tzinfo=SEOUL)),
        ("26 March 2019", datetime(2019, 3, 26, tzinfo=SEOUL)),
        ("20190326170800", datetime(2019, 3, 26, 17, 8, tzinfo=SEOUL)),
        ("1553587680", datetime(2019, 3, 26, 8, 8, tzinfo=UTC)),
    ],
)
def test_parse_page_time_formats(raw: str, expected: datetime) -> None:
    parsed = parse_page_time(raw, SEOUL)
    assert parsed == expected
    assert parsed is not None and parsed.tzinfo is not None


@pytest.mark.parametrize(
    "raw",
    [
        "0001-01-01T00:00:00Z",
        "1970-01-01T00:00:00+00:00",
        "1994-12-31",
        "© 2019 The Daily",
        "2019",
        "3 hours ago",
        "17:08",  # a time is not a date
        "03/04/2019",  # 3 April or 4 March: not guessed
        "",
        "not a date",
    ],
)
def test_parse_page_time_rejects(raw: str) -> None:
    assert parse_page_time(raw, SEOUL) is None


def test_named_zone_follows_daylight_saving() -> None:
    winter = parse_page_time("Jan. 26, 2019 5:08 PM ET", None)
    summer = parse_page_time("Jul. 26, 2019 5:08 PM ET", None)
    assert winter == datetime(2019, 1, 26, 22, 8, tzinfo=UTC)  # EST, UTC-5
    assert summer == datetime(2019, 7, 26, 21, 8, tzinfo=UTC)  # EDT, UTC-4
    pacific = parse_page_time("Nov. 26, 2019 5:08 PM PT", None)
    assert pacific == datetime(2019, 11, 27, 1, 8, tzinfo=UTC)  # PST, UTC-8


def test_naive_time_takes_given_zone_else_utc() -> None:
    assert parse_page_time("2019-03-26 17:08", SEOUL) == datetime(2019, 3, 26, 8, 8, tzinfo=UTC)
    assert parse_page_time("2019-03-26 17:08", None) == datetime(2019, 3, 26, 17, 8, tzinfo=UTC)
    # An offset in the string beats the configured zone.
    stated = parse_page_time("2019-03-26T17:08:00-04:00", SEOUL)
    assert stated == datetime(2019, 3, 26, 21, 8, tzinfo=UTC)


# --------------------------------------------------------------------------
# JSON-LD


def test_json_ld_news_article() -> None:
    head = json_ld(
        '{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Ferry",'
        ' "datePublished": "2019-03-26T17:08:00+09:00", "dateModified": "2019-03-26T18:05:00+09:00"}'
    )
    posted, updated = find(page(head=head))
    assert posted == PageTime(
        datetime(2019, 3, 26, 17, 8, tzinfo=SEOUL), "2019-03-26T17:08:00+09:00", "json-ld"
    )
    assert updated == PageTime(
        datetime(2019, 3, 26, 18, 5, tzinfo=SEOUL), "2019-03-26T18:05:00+09:00", "json-ld"
    )


def test_json_ld_graph_prefers_the_article_to_the_web_page() -> None:
    head = json_ld(
        """{"@context": "https://schema.org", "@graph": [
          {"@type": "WebSite", "name": "The Daily", "datePublished": "2001-01-01"},
          {"@type": "WebPage", "datePublished": "2019-03-26T09:00:00Z",
           "dateModified": "2019-03-27T11:00:00Z"},
          {"@type": ["NewsArticle", "Article"], "datePublished": "2019-03-26T08:08:00Z",
           "dateModified": "2019-03-26T09:05:00Z"}
        ]}"""
    )
    assert values(page(head=head)) == (
        datetime(2019, 3, 26, 8, 8, tzinfo=UTC),
        datetime(2019, 3, 26, 9, 5, tzinfo=UTC),
    )


def test_json_ld_list_and_nested_main_entity() -> None:
    head = json_ld(
        """[{"@type": "Organization", "name": "The Daily"},
            {"@type": "WebPage", "mainEntity": {"@type": "ReportageNewsArticle",
             "datePublished": "2019-03-26T17:08:00+09:00",
             "dateModified": ["2019-03-26T18:05:00+09:00"]}}]"""
    )
    assert values(page(head=head)) == (
        datetime(2019, 3, 26, 17, 8, tzinfo=SEOUL),
        datetime(2019, 3, 26, 18, 5, tzinfo=SEOUL),
    )


def test_json_ld_other_works_inside_the_article_are_not_its_dates() -> None:
    head = json_ld(
        """{"@type": "ItemList", "itemListElement": [
             {"@type": "NewsArticle", "datePublished": "2019-03-27T10:00:00Z"}]}"""
    ) + json_ld(
        """{"@type": "BlogPosting", "datePublished": "2019-03-26T08:08:00Z",
            "hasPart": {"@type": "NewsArticle", "dateModified": "2019-03-27T11:00:00Z"}}"""
    )
    assert values(page(head=head)) == (datetime(2019, 3, 26, 8, 8, tzinfo=UTC), None)


def test_broken_json_ld_is_repaired() -> None:
    head = json_ld(
        """<!--
        {"@type": "NewsArticle",
         "headline": "Ferry\tsinks
         off Jeju",
         "datePublished": "2019-03-26T17:08:00+09:00",
         "dateModified": "2019-03-26T18:05:00+09:00",
        }
        -->"""
    )
    posted, updated = find(page(head=head))
    assert posted is not None and posted.source == "json-ld"
    assert posted.value == datetime(2019, 3, 26, 17, 8, tzinfo=SEOUL)
    assert updated is not None and updated.value == datetime(2019, 3, 26, 18, 5, tzinfo=SEOUL)


def test_unparseable_json_ld_still_gives_its_dates() -> None:
    head = json_ld(
        '{"@type": "NewsArticle", "headline": "The "ferry" sank",'
        ' "datePublished": "2019-03-26T17:08:00+09:00", "dateModified": "2019-03-26T18:05:00+09:00"'
    )
    assert values(page(head=head)) == (
        datetime(2019, 3, 26, 17, 8, tzinfo=SEOUL),
        datetime(2019, 3, 26, 18, 5, tzinfo=SEOUL),
    )


def test_json_ld_garbage_does_not_crash() -> None:
    head = json_ld("{{{ not json at all ]]") + json_ld("") + json_ld('"just a string"')
    assert values(page(head=head)) == (None, None)


def test_json_ld_naive_time_takes_outlet_zone() -> None:
    head = json_ld('{"@type": "NewsArticle", "datePublished": "2019-03-26 17:08:00"}')
    assert values(page(head=head), rules=KOREA)[0] == datetime(2019, 3, 26, 17, 8, tzinfo=SEOUL)
    # Without a configured zone a naive time is UTC.
    assert values(page(head=head))[0] == datetime(2019, 3, 26, 17, 8, tzinfo=UTC)


# --------------------------------------------------------------------------
# <meta> and microdata


@pytest.mark.parametrize(
    ("tag", "field"),
    [
        ('<meta property="article:published_time" content="{}">', 0),
        ('<meta property="og:article:published_time" content="{}">', 0),
        ('<meta name="DC.date.issued" content="{}">', 0),
        ('<meta name="DC.date.created" content="{}">', 0),
        ('<meta name="dcterms.created" content="{}">', 0),
        ('<meta name="pubdate" content="{}">', 0),
        ('<meta name="publishdate" content="{}">', 0),
        ('<meta name="date" content="{}">', 0),
        ('<meta name="sailthru.date" content="{}">', 0),
        ('<meta name="parsely-pub-date" content="{}">', 0),
        ('<meta itemprop="datePublished" content="{}">', 0),
        ('<meta property="article:modified_time" content="{}">', 1),
        ('<meta property="og:updated_time" content="{}">', 1),
        ('<meta name="DC.date.modified" content="{}">', 1),
        ('<meta name="dcterms.modified" content="{}">', 1),
        ('<meta name="lastmod" content="{}">', 1),
        ('<meta itemprop="dateModified" content="{}">', 1),
    ],
)
def test_meta_tags(tag: str, field: int) -> None:
    raw = "2019-03-26T17:08:00+09:00"
    found = find(page(head=tag.format(raw)))
    assert found[field] == PageTime(datetime(2019, 3, 26, 17, 8, tzinfo=SEOUL), raw, "meta")
    assert found[1 - field] is None


def test_meta_order_specific_before_generic() -> None:
    head = (
        '<meta name="date" content="2019-03-20">'
        '<meta property="article:published_time" content="2019-03-26T08:08:00Z">'
    )
    assert values(page(head=head))[0] == datetime(2019, 3, 26, 8, 8, tzinfo=UTC)


def test_itemprop_on_visible_elements() -> None:
    dateline = (
        '<p class="byline">By Kim <span itemprop="datePublished" content="2019-03-26T17:08:00+09:00">'
        'March 26</span> <span itemprop="dateModified">2019-03-26 18:05</span></p>'
    )
    assert values(headed(dateline), rules=KOREA) == (
        datetime(2019, 3, 26, 17, 8, tzinfo=SEOUL),
        datetime(2019, 3, 26, 18, 5, tzinfo=SEOUL),
    )


def test_itemprop_in_a_list_of_other_stories_is_ignored() -> None:
    cards = "".join(
        f'<li itemscope><span itemprop="datePublished" content="2019-03-27T0{i}:00:00Z"></span>'
        f"Story {i}</li>"
        for i in range(3)
    )
    html = headed("<p>By Kim</p>", sidebar=f"<div><ul>{cards}</ul></div>")
    assert values(html) == (None, None)


# --------------------------------------------------------------------------
# <time> elements


def test_time_elements_with_hints_read_the_datetime_attribute() -> None:
    dateline = (
        '<div class="dates"><time class="published" datetime="2019-03-26T17:08:00+09:00">'
        'Yesterday</time> <span>Updated</span> <time datetime="2019-03-26T18:05:00+09:00">'
        "6 p.m.</time></div>"
    )
    posted, updated = find(headed(dateline))
    assert posted == PageTime(
        datetime(2019, 3, 26, 17, 8, tzinfo=SEOUL), "2019-03-26T17:08:00+09:00", "time"
    )
    assert updated == PageTime(
        datetime(2019, 3, 26, 18, 5, tzinfo=SEOUL), "2019-03-26T18:05:00+09:00", "time"
    )


@pytest.mark.parametrize(
    "marked",
    [
        '<time pubdate datetime="{}">',
        '<time itemprop="datePublished" datetime="{}">',
        '<span class="date-published"><time datetime="{}">',
        '<span>Published <time datetime="{}">',
        '<span>입력 <time datetime="{}">',
    ],
)
def test_time_published_hints(marked: str) -> None:
    dateline = marked.format("2019-03-26T08:08:00Z") + "Tuesday</time>"
    other = '<p>Updated <time datetime="2019-03-26T09:05:00Z">later</time></p>'
    assert values(headed(dateline + other)) == (
        datetime(2019, 3, 26, 8, 8, tzinfo=UTC),
        datetime(2019, 3, 26, 9, 5, tzinfo=UTC),
    )


def test_time_date_only_attribute_keeps_the_shown_time_of_day() -> None:
    dateline = '<time class="published" datetime="2019-03-26">March 26, 2019 5:08 PM ET</time>'
    assert values(headed(dateline))[0] == datetime(2019, 3, 26, 17, 8, tzinfo=NEW_YORK)


def test_date_only_value_gives_way_to_the_same_day_with_a_time() -> None:
    same_day = headed(
        '<time pubdate datetime="2019-03-26">x</time><p>Posted : 2019-03-26 17:08</p>'
    )
    assert values(same_day, KOREA)[0] == datetime(2019, 3, 26, 17, 8, tzinfo=SEOUL)
    other_day = headed(
        '<time pubdate datetime="2019-03-25">x</time><p>Posted : 2019-03-26 17:08</p>'
    )
    assert values(other_day, KOREA)[0] == datetime(2019, 3, 25, tzinfo=SEOUL)


def test_unmarked_time_counts_only_in_the_article() -> None:
    inside = headed('<p class="byline">By Kim <time datetime="2019-03-26T08:08:00Z">Tue</time></p>')
    assert values(inside)[0] == datetime(2019, 3, 26, 8, 8, tzinfo=UTC)
    outside = page(
        "<h1>Ferry sinks off Jeju</h1>",
        sidebar='<div class="box"><time datetime="2019-03-27T10:00:00Z">Wed</time></div>',
    )
    assert values(outside) == (None, None)


def test_time_in_most_read_aside_is_ignored() -> None:
    dateline = '<time class="published" datetime="2019-03-26T08:08:00Z">Tue</time>'
    posted, updated = find(headed(dateline))
    assert posted is not None and posted.value == datetime(2019, 3, 26, 8, 8, tzinfo=UTC)
    # The sidebar's <time class="published"> (27 March) and its "Updated : …" lines,
    # and the site footer's "Updated : 2019-03-27 11:00", are not the article's.
    assert updated is None


def test_most_read_list_found_by_heading_and_class() -> None:
    by_heading = (
        '<section><h3>Most Read</h3><ol><li>Other <time class="updated" '
        'datetime="2019-03-27T10:00:00Z">x</time></li></ol></section>'
    )
    by_class = (
        '<div class="mostReadList"><p>Other <time class="updated" '
        'datetime="2019-03-27T10:30:00Z">x</time></p></div>'
    )
    korean = (
        '<div class="box"><strong>많이 본 뉴스</strong><p>다른 기사 '
        '<time class="updated" datetime="2019-03-27T11:00:00Z">x</time></p></div>'
    )
    for sidebar in (by_heading, by_class, korean):
        html = headed(
            '<time class="published" datetime="2019-03-26T08:08:00Z">Tue</time>', sidebar=sidebar
        )
        assert values(html) == (datetime(2019, 3, 26, 8, 8, tzinfo=UTC), None), sidebar


# --------------------------------------------------------------------------
# Labelled visible text


@pytest.mark.parametrize(
    ("dateline", "posted", "updated"),
    [
        (
            '<div class="view_date">Posted : 2019-03-26 17:08<br>Updated : 2019-03-26 18:05</div>',
            datetime(2019, 3, 26, 17, 8, tzinfo=SEOUL),
            datetime(2019, 3, 26, 18, 5, tzinfo=SEOUL),
        ),
        (
            "<p>Posted : 2019-03-26 17:08 | Updated : 2019-03-26 18:05</p>",
            datetime(2019, 3, 26, 17, 8, tzinfo=SEOUL),
            datetime(2019, 3, 26, 18, 5, tzinfo=SEOUL),
        ),
        (
            "<p><span>Posted : 2019-03-26 17:08</span><span>Updated : 2019-03-26 18:05</span></p>",
            datetime(2019, 3, 26, 17, 8, tzinfo=SEOUL),
            datetime(2019, 3, 26, 18, 5, tzinfo=SEOUL),
        ),
        (
            "<p>Published 26 March 2019</p><p>Last updated 27 March 2019, 09:15 GMT</p>",
            datetime(2019, 3, 26, tzinfo=SEOUL),
            datetime(2019, 3, 27, 9, 15, tzinfo=UTC),
        ),
        (
            "<p>Published March 26, 2019 at 5:08 p.m. EDT</p>",
            datetime(2019, 3, 26, 17, 8, tzinfo=NEW_YORK),
            None,
        ),
        (
            "<p>UPDATED Mar. 26, 2019 5:08 PM ET</p><p>POSTED Mar. 26, 2019 9:30 AM ET</p>",
            datetime(2019, 3, 26, 9, 30, tzinfo=NEW_YORK),
            datetime(2019, 3, 26, 17, 8, tzinfo=NEW_YORK),
        ),
        (
            "<p>First published on Tue 26 Mar 2019 17.08 GMT</p>"
            "<p>Last modified on Tue 26 Mar 2019 18.05 GMT</p>",
            datetime(2019, 3, 26, 17, 8, tzinfo=UTC),
            datetime(2019, 3, 26, 18, 5, tzinfo=UTC),
        ),
        (
            "<p>Published 26 March 2019, 17:08 BST</p>",
            datetime(2019, 3, 26, 16, 8, tzinfo=UTC),
            None,
        ),
        (
            "<p>Updated 5:08 PM EDT, Tue March 26, 2019</p>",
            None,
            datetime(2019, 3, 26, 17, 8, tzinfo=NEW_YORK),
        ),
        (
            "<p>Posted 2019.03.26 17:08</p>",
            datetime(2019, 3, 26, 17, 8, tzinfo=SEOUL),
            None,
        ),
        (
            "<p>입력 2019-03-26 17:08 수정 2019-03-26 18:05</p>",
            datetime(2019, 3, 26, 17, 8, tzinfo=SEOUL),
            datetime(2019, 3, 26, 18, 5, tzinfo=SEOUL),
        ),
        (
            "<p>기사입력 2019.03.26 오후 5:08</p><p>최종수정 2019.03.26 오후 6:05</p>",
            datetime(2019, 3, 26, 17, 8, tzinfo=SEOUL),
            datetime(2019, 3, 26, 18, 5, tzinfo=SEOUL),
        ),
        (
            "<p>입력2019.03.26. 오전 9:05</p><p>수정2019.03.26. 오후 12:30</p>",
            datetime(2019, 3, 26, 9, 5, tzinfo=SEOUL),
            datetime(2019, 3, 26, 12, 30, tzinfo=SEOUL),
        ),
        (
            "<p>등록 : 2019년 03월 26일 17시 08분</p><p>업데이트 : 2019.03.26 18:05</p>",
            datetime(2019, 3, 26, 17, 8, tzinfo=SEOUL),
            datetime(2019, 3, 26, 18, 5, tzinfo=SEOUL),
        ),
        (
            "<dl><dt>Published</dt><dd>2019-03-26 17:08</dd><dt>Updated</dt>"
            "<dd>2019-03-26 18:05</dd></dl>",
            datetime(2019, 3, 26, 17, 8, tzinfo=SEOUL),
            datetime(2019, 3, 26, 18, 5, tzinfo=SEOUL),
        ),
    ],
)
def test_labelled_text(dateline: str, posted: datetime | None, updated: datetime | None) -> None:
    found = find(headed(dateline), rules=KOREA)
    assert (found[0].value if found[0] else None) == posted
    assert (found[1].value if found[1] else None) == updated
    assert all(f.source == "text" for f in found if f)


HONG_KONG = OutletRules(timezone="Asia/Hong_Kong")
SYDNEY = ZoneInfo("Australia/Sydney")


@pytest.mark.parametrize(
    ("dateline", "rules", "posted", "updated"),
    [
        pytest.param(
            '<p class="byline">Published : Mar 26, 2019 - 17:08 Updated : Mar 26, 2019 - 18:05</p>',
            KOREA,
            datetime(2019, 3, 26, 17, 8, tzinfo=SEOUL),
            datetime(2019, 3, 26, 18, 5, tzinfo=SEOUL),
            id="koreaherald",
        ),
        pytest.param(
            "<div>Published: 5:08pm, 26 Mar, 2019</div><div>Updated: 6:05pm, 26 Mar, 2019</div>",
            HONG_KONG,
            datetime(2019, 3, 26, 9, 8, tzinfo=UTC),
            datetime(2019, 3, 26, 10, 5, tzinfo=UTC),
            id="scmp",
        ),
        pytest.param(
            "<div>Published Mar 26, 2019, 5:08 pm SGT</div>"
            "<div>Updated Mar 26, 2019, 6:05 pm SGT</div>",
            OutletRules(),
            datetime(2019, 3, 26, 9, 8, tzinfo=UTC),
            datetime(2019, 3, 26, 10, 5, tzinfo=UTC),
            id="straitstimes",
        ),
        pytest.param(
            "<p>Published March 26, 2019 Updated March 26, 2019, 6:05 p.m. ET</p>",
            OutletRules(timezone="America/New_York"),
            datetime(2019, 3, 26, tzinfo=NEW_YORK),
            datetime(2019, 3, 26, 18, 5, tzinfo=NEW_YORK),
            id="nytimes",
        ),
        pytest.param(
            '<p class="update-time">Updated 6:05 PM ET, Tue March 26, 2019</p>',
            OutletRules(),
            None,  # htmldate would offer the Updated line's day as Posted: not stated
            datetime(2019, 3, 26, 18, 5, tzinfo=NEW_YORK),
            id="cnn",
        ),
        pytest.param(
            "<p>Posted Tue 26 Mar 2019 at 5:08pm, updated Tue 26 Mar 2019 at 6:05pm</p>",
            OutletRules(timezone="Australia/Sydney"),
            datetime(2019, 3, 26, 17, 8, tzinfo=SYDNEY),
            datetime(2019, 3, 26, 18, 5, tzinfo=SYDNEY),
            id="abc.net.au",
        ),
        pytest.param(
            "<span>Updated 6:05 PM GMT+1, March 26, 2019</span>",
            OutletRules(),
            None,
            datetime(2019, 3, 26, 17, 5, tzinfo=UTC),
            id="apnews",
        ),
        pytest.param(
            '<div class="info"><div><em>입력</em><span data-date-time="2019-03-26 17:08:00">'
            "2019.03.26. 오후 5:08</span></div><div><em>수정</em><span>2019.03.26. 오후 6:05"
            "</span></div><a>기사원문</a></div>",
            KOREA,
            datetime(2019, 3, 26, 17, 8, tzinfo=SEOUL),
            datetime(2019, 3, 26, 18, 5, tzinfo=SEOUL),
            id="naver",
        ),
        pytest.param(
            '<p class="update-time">송고시간2019-03-26 17:08</p>',
            KOREA,
            datetime(2019, 3, 26, 17, 8, tzinfo=SEOUL),
            None,
            id="yonhap",
        ),
        pytest.param(
            "<p><span>등록 :2019-03-26 17:08</span><span>수정 :2019-03-26 18:05</span></p>",
            KOREA,
            datetime(2019, 3, 26, 17, 8, tzinfo=SEOUL),
            datetime(2019, 3, 26, 18, 5, tzinfo=SEOUL),
            id="hani",
        ),
        pytest.param(
            '<time datetime="2019-03-26 17:08:00" class="timeformat">26.03.2019, 17:08 Uhr</time>',
            OutletRules(timezone="Europe/Berlin"),
            datetime(2019, 3, 26, 16, 8, tzinfo=UTC),
            None,
            id="spiegel",
        ),
    ],
)
def test_outlet_datelines(
    dateline: str, rules: OutletRules, posted: datetime | None, updated: datetime | None
) -> None:
    assert values(headed(dateline), rules) == (posted, updated)


def test_labelled_text_keeps_the_page_words() -> None:
    posted, _ = find(headed("<p>기사입력 2019.03.26 오후 5:08</p>"), rules=KOREA)
    assert posted == PageTime(
        datetime(2019, 3, 26, 17, 8, tzinfo=SEOUL), "2019.03.26 오후 5:08", "text"
    )


def test_labelled_et_uses_summer_and_winter_offsets() -> None:
    summer = values(
        headed("<p>Updated July 26, 2019 5:08 PM ET</p>"), now=datetime(2019, 8, 1, tzinfo=UTC)
    )
    winter = values(
        headed("<p>Updated Jan. 26, 2019 5:08 PM ET</p>"), now=datetime(2019, 2, 1, tzinfo=UTC)
    )
    assert summer[1] == datetime(2019, 7, 26, 21, 8, tzinfo=UTC)
    assert winter[1] == datetime(2019, 1, 26, 22, 8, tzinfo=UTC)


def test_prose_and_relative_times_are_not_labels() -> None:
    html = headed(
        "<p>Updated 3 hours ago</p><p>The figures were updated on March 20, 2019 by officials.</p>"
    )
    assert values(html) == (None, None)


def test_naive_visible_time_takes_outlet_zone_else_utc() -> None:
    html = headed('<div class="view_date">Posted : 2019-03-26 17:08</div>')
    assert values(html, rules=KOREA)[0] == datetime(2019, 3, 26, 8, 8, tzinfo=UTC)
    assert values(html)[0] == datetime(2019, 3, 26, 17, 8, tzinfo=UTC)
    tokyo = OutletRules(timezone="Asia/Tokyo")
    assert values(html, rules=tokyo)[0] == datetime(2019, 3, 26, 8, 8, tzinfo=UTC)


# --------------------------------------------------------------------------
# Wire style: a bare time of day


def test_bare_updated_time_takes_the_posted_date() -> None:
    html = headed("<p>Published 26 March 2019, 10:00 GMT</p><p>Updated 3:05 PM GMT</p>")
    posted, updated = find(html)
    assert updated == PageTime(datetime(2019, 3, 26, 15, 5, tzinfo=UTC), "3:05 PM GMT", "text")
    assert posted is not None and posted.value == datetime(2019, 3, 26, 10, 0, tzinfo=UTC)


def test_bare_updated_time_before_posted_time_of_day_takes_today() -> None:
    # Posted at 16:00 on the 26th; "Updated 9:05 AM" cannot be that day, so it is today (27th).
    html = headed("<p>Published 26 March 2019, 16:00 GMT</p><p>Updated 9:05 AM GMT</p>")
    assert values(html)[1] == datetime(2019, 3, 27, 9, 5, tzinfo=UTC)


def test_bare_time_in_the_future_today_is_yesterday() -> None:
    # At 12:00 UTC on the 27th "Updated 11:30 PM ET" (03:30 UTC on the 28th) has not happened yet.
    html = headed("<p>Updated 11:30 PM ET</p>")
    assert values(html)[1] == datetime(2019, 3, 26, 23, 30, tzinfo=NEW_YORK)


def test_bare_time_uses_today_in_its_own_zone() -> None:
    # 12:00 UTC on the 27th is 21:00 on the 27th in Seoul.
    html = headed("<p>입력 오후 3:05</p>")
    assert values(html, rules=KOREA)[0] == datetime(2019, 3, 27, 15, 5, tzinfo=SEOUL)


# --------------------------------------------------------------------------
# Posted against Updated


def test_updated_equal_to_posted_is_not_an_update() -> None:
    head = json_ld(
        '{"@type": "NewsArticle", "datePublished": "2019-03-26T17:08:21+09:00",'
        ' "dateModified": "2019-03-26T17:08:50+09:00"}'
    )
    posted, updated = find(page(head=head))
    assert posted is not None and updated is None


def test_updated_before_posted_is_not_an_update() -> None:
    head = json_ld(
        '{"@type": "NewsArticle", "datePublished": "2019-03-26T17:08:00+09:00",'
        ' "dateModified": "2019-03-20T10:00:00+09:00"}'
    )
    assert values(page(head=head)) == (datetime(2019, 3, 26, 17, 8, tzinfo=SEOUL), None)


def test_stale_json_ld_modified_does_not_hide_the_visible_update() -> None:
    head = json_ld(
        '{"@type": "NewsArticle", "datePublished": "2019-03-26T17:08:00+09:00",'
        ' "dateModified": "2019-03-26T17:08:00+09:00"}'
    )
    html = headed('<div class="view_date">Updated : 2019-03-26 18:05</div>', head=head)
    posted, updated = find(html, rules=KOREA)
    assert posted is not None and posted.source == "json-ld"
    assert updated == PageTime(
        datetime(2019, 3, 26, 18, 5, tzinfo=SEOUL), "2019-03-26 18:05", "text"
    )


def test_sources_are_tried_in_order() -> None:
    head = (
        json_ld('{"@type": "NewsArticle", "datePublished": "2019-03-26T08:08:00Z"}')
        + '<meta property="article:published_time" content="2019-03-25T08:08:00Z">'
    )
    html = headed(
        '<p>Posted : 2019-03-24 08:08</p><time pubdate datetime="2019-03-23">x</time>', head=head
    )
    posted, _ = find(html)
    assert posted is not None and posted.source == "json-ld"
    assert posted.value == datetime(2019, 3, 26, 8, 8, tzinfo=UTC)


# --------------------------------------------------------------------------
# Rejected values


def test_placeholder_dates_fall_through_to_the_next_source() -> None:
    head = (
        json_ld(
            '{"@type": "NewsArticle", "datePublished": "0001-01-01T00:00:00Z",'
            ' "dateModified": "1970-01-01T00:00:00Z"}'
        )
        + '<meta property="article:published_time" content="2019-03-26T08:08:00Z">'
    )
    assert values(page(head=head)) == (datetime(2019, 3, 26, 8, 8, tzinfo=UTC), None)


def test_future_dates_are_rejected_beyond_two_hours() -> None:
    soon = json_ld('{"@type": "NewsArticle", "datePublished": "2019-03-27T13:30:00Z"}')
    assert values(page(head=soon))[0] == datetime(2019, 3, 27, 13, 30, tzinfo=UTC)
    later = json_ld('{"@type": "NewsArticle", "datePublished": "2019-03-27T14:30:00Z"}')
    fallback = '<meta property="article:published_time" content="2019-03-26T08:08:00Z">'
    assert values(page(head=later + fallback))[0] == datetime(2019, 3, 26, 8, 8, tzinfo=UTC)
    assert values(page(head=later))[0] is None


def test_naive_time_with_unknown_zone_is_not_mistaken_for_the_future() -> None:
    # Published 20:30 Seoul time = 11:30 UTC, fetched at 12:00 UTC by a user who did
    # not configure the outlet's zone: read as 20:30 UTC, 8.5 h "ahead", but kept.
    html = headed('<div class="view_date">Posted : 2019-03-27 20:30</div>')
    assert values(html)[0] == datetime(2019, 3, 27, 20, 30, tzinfo=UTC)
    # With the zone configured the margin is the normal two hours.
    assert values(html, rules=KOREA)[0] == datetime(2019, 3, 27, 20, 30, tzinfo=SEOUL)
    tomorrow = headed('<div class="view_date">Posted : 2019-03-28 20:30</div>')
    assert values(tomorrow, rules=KOREA)[0] is None


def test_copyright_and_bare_years_are_not_dates() -> None:
    html = page(
        "<h1>Ferry sinks off Jeju</h1><p>© 2019 The Daily</p><p>Posted in 2019</p>", sidebar=""
    )
    assert values(html) == (None, None)


def test_default_now_rejects_far_future() -> None:
    head = json_ld('{"@type": "NewsArticle", "datePublished": "2999-01-01T00:00:00Z"}')
    doc = lxml.html.document_fromstring(page(head=head))
    assert find_page_times(doc) == (None, None)


# --------------------------------------------------------------------------
# The outlet's selector override


def test_selector_override_wins() -> None:
    head = json_ld(
        '{"@type": "NewsArticle", "datePublished": "2019-03-20T08:08:00Z",'
        ' "dateModified": "2019-03-21T08:08:00Z"}'
    )
    dateline = (
        '<div class="stamp"><b class="first" data-x="1">2019.03.26 17:08</b>'
        '<i class="last" content="2019-03-26T18:05:00+09:00">6 pm</i></div>'
    )
    rules = OutletRules(
        timezone="Asia/Seoul", posted_selector=".stamp .first", updated_selector="i.last"
    )
    posted, updated = find(headed(dateline, head=head), rules=rules)
    assert posted == PageTime(
        datetime(2019, 3, 26, 17, 8, tzinfo=SEOUL), "2019.03.26 17:08", "selector"
    )
    assert updated == PageTime(
        datetime(2019, 3, 26, 18, 5, tzinfo=SEOUL), "2019-03-26T18:05:00+09:00", "selector"
    )


def test_selector_reads_labelled_text_and_bare_times() -> None:
    rules = OutletRules(updated_selector="#upd")
    html = headed('<p>Published 26 March 2019, 10:00 GMT</p><p id="upd">Updated 3:05 PM GMT</p>')
    assert values(html, rules=rules)[1] == datetime(2019, 3, 26, 15, 5, tzinfo=UTC)


def test_selector_that_matches_nothing_falls_back() -> None:
    rules = OutletRules(posted_selector=".nothing-here")
    head = '<meta property="article:published_time" content="2019-03-26T08:08:00Z">'
    posted, _ = find(page(head=head), rules=rules)
    assert posted is not None and posted.source == "meta"


def test_invalid_selector_or_zone_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="selector"):
        find(page(), rules=OutletRules(posted_selector="div[[["))
    with pytest.raises(ConfigError, match="time zone"):
        find(page(), rules=OutletRules(timezone="Mars/Olympus"))


# --------------------------------------------------------------------------
# Where on the page: sidebars, footers, other headlines


def test_sidebar_with_newer_dates_is_never_picked() -> None:
    sidebar = """
    <div class="side-column">
      <div class="popular-news"><h2>Popular</h2>
        <p>Posted : 2019-03-27 11:00</p><p>Updated : 2019-03-27 11:30</p>
        <time class="updated" datetime="2019-03-27T11:45:00Z">now</time>
      </div>
      <div id="related-articles"><p>입력 2019-03-27 10:00 수정 2019-03-27 11:00</p></div>
    </div>"""
    html = headed(
        '<div class="view_date">Posted : 2019-03-26 17:08<br>Updated : 2019-03-26 18:05</div>',
        sidebar=sidebar,
    )
    assert values(html, rules=KOREA) == (
        datetime(2019, 3, 26, 17, 8, tzinfo=SEOUL),
        datetime(2019, 3, 26, 18, 5, tzinfo=SEOUL),
    )


def test_stable_when_only_the_sidebar_and_clock_change() -> None:
    def version(minute: int) -> str:
        sidebar = f"""<aside><h2>Most read</h2><p>Updated : 2019-03-27 11:{minute:02d}</p>
        <time class="published" datetime="2019-03-27T11:{minute:02d}:00Z">x</time></aside>"""
        clock = f'<span class="clock">2019-03-27 21:{minute:02d}</span>'
        return headed(f"{clock}<p>Posted : 2019-03-26 17:08</p>", sidebar=sidebar)

    first = find(version(1), rules=KOREA, now=NOW)
    second = find(version(42), rules=KOREA, now=NOW + timedelta(minutes=41))
    assert first == second
    assert first[0] is not None and first[0].value == datetime(2019, 3, 26, 17, 8, tzinfo=SEOUL)
    assert first[1] is None


def test_nearest_dateline_to_the_headline_wins() -> None:
    # An editor's note above the header quotes an older post with its label;
    # the header's own line is nearer the headline and wins.
    article = (
        '<div class="note"><div><p>Posted : 2019-01-02 10:00 on the ministry site</p></div></div>'
        '<header><h1>Ferry sinks off Jeju</h1><p class="meta">Posted : 2019-03-26 17:08</p>'
        "</header>"
    )
    assert values(page(article), KOREA)[0] == datetime(2019, 3, 26, 17, 8, tzinfo=SEOUL)


def test_logo_h1_and_next_story_do_not_take_over() -> None:
    html = f"""<html><head><meta property="og:title" content="Ferry sinks off Jeju"></head><body>
    <div class="top"><h1 class="logo"><img src="l.png" alt=""></h1>
      <p>Updated : 2019-03-27 11:50</p></div>
    <div class="wrap has-sidebar">
      <div class="story"><h1>Ferry sinks off Jeju</h1><p>Posted : 2019-03-26 17:08</p>
        <p>A ferry sank.</p></div>
      <div class="story"><h1>Next story</h1><p>Posted : 2019-03-27 09:00</p>
        <p>Updated : 2019-03-27 10:00</p></div>
    </div>{SIDEBAR}</body></html>"""
    assert values(html, rules=KOREA) == (datetime(2019, 3, 26, 17, 8, tzinfo=SEOUL), None)


def test_footer_inside_the_article_is_read_but_the_site_footer_is_not() -> None:
    article = (
        '<h1>Ferry sinks off Jeju</h1><footer class="entry-footer">Posted on '
        '<time class="entry-date" datetime="2019-03-26T08:08:00Z">March 26</time></footer>'
    )
    assert values(page(article)) == (datetime(2019, 3, 26, 8, 8, tzinfo=UTC), None)


# --------------------------------------------------------------------------
# htmldate, the last resort


def test_htmldate_fallback_gives_the_day() -> None:
    head = '<link rel="canonical" href="https://example.com/2019/03/26/ferry-sinks/">'
    posted, updated = find(page("<h1>Ferry sinks off Jeju</h1>", head=head, sidebar=""))
    assert posted == PageTime(datetime(2019, 3, 26, tzinfo=UTC), "2019-03-26", "htmldate")
    assert updated is None  # the same day as Posted: nothing declared


def test_htmldate_does_not_read_the_sidebar() -> None:
    sidebar = '<aside class="most-read"><p>Other story, 2019-03-27</p></aside>'
    html = page("<h1>Ferry sinks off Jeju</h1>", sidebar=sidebar)
    assert values(html) == (None, None)


def test_document_is_not_modified() -> None:
    doc = lxml.html.document_fromstring(page("<h1>Ferry sinks off Jeju</h1>"))
    before = lxml.html.tostring(doc)
    find_page_times(doc, now=NOW)
    assert lxml.html.tostring(doc) == before


# --------------------------------------------------------------------------
# A whole Korean page, as koreatimes.co.kr prints it


def test_korea_times_style_page() -> None:
    html = """<html><head><title>Ferry sinks off Jeju - The Korea Times</title>
    <meta property="og:title" content="Ferry sinks off Jeju"></head><body>
    <div id="gnb"><ul class="menu"><li>Politics</li></ul></div>
    <div class="container"><div class="view_left">
      <div class="view_headline"><h1 class="view_headline_title">Ferry sinks off Jeju</h1></div>
      <div class="view_info"><span class="view_writer">By Kim Hyun-bin</span>
        <div class="view_date"><span>Posted : 2019-03-26 17:08</span>
        <span>Updated : 2019-03-26 18:05</span></div></div>
      <div id="startts"><span>A ferry sank.</span></div>
      <div class="view_comment"><p>Kim123 | 2019-03-27 11:02 | Updated : 2019-03-27 11:03</p></div>
    </div>
    <div class="view_right"><div class="ranking_box"><div class="title">Most Read</div>
      <p>Posted : 2019-03-27 10:10</p></div></div></div>
    <div class="footer">Copyright © 2019 The Korea Times. 2019-03-27 20:59</div>
    </body></html>"""
    assert find(html, rules=KOREA) == (
        PageTime(datetime(2019, 3, 26, 17, 8, tzinfo=SEOUL), "2019-03-26 17:08", "text"),
        PageTime(datetime(2019, 3, 26, 18, 5, tzinfo=SEOUL), "2019-03-26 18:05", "text"),
    )


def test_fixed_offset_zone_keeps_its_name() -> None:
    posted = parse_page_time("26 March 2019 17:08 EDT", None)
    assert posted is not None and posted.utcoffset() == timedelta(hours=-4)
    assert posted.tzinfo == timezone(timedelta(hours=-4), "EDT")


# --------------------------------------------------------------------------
# The saved multi-version pages: every version's Posted/Updated as the manifest says

PAGES = Path(__file__).parent / "pages"
SAVED = [
    pytest.param(manifest, version["file"], id=f"{manifest.parent.name}/{version['file']}")
    for manifest in sorted(PAGES.glob("*/manifest.json"))
    for version in json.loads(manifest.read_text(encoding="utf-8"))["versions"]
]


@pytest.mark.parametrize(("manifest", "file"), SAVED)
def test_saved_pages(manifest: Path, file: str) -> None:
    spec = json.loads(manifest.read_text(encoding="utf-8"))
    version = next(v for v in spec["versions"] if v["file"] == file)
    html = (manifest.parent / file).read_bytes().decode(spec.get("encoding") or "utf-8")
    fetched = version.get("fetched_at")
    now = datetime.fromisoformat(fetched) if fetched else None
    rules = OutletRules(timezone=spec.get("timezone"))
    posted, updated = find_page_times(lxml.html.document_fromstring(html), rules, now=now)
    expected = [
        datetime.fromisoformat(v) if v else None
        for v in (version.get("posted"), version.get("updated"))
    ]
    assert [posted.value if posted else None, updated.value if updated else None] == expected


def _names_built_from(words: tuple[str, ...]) -> list[str]:
    """Names a site could build from ``words``: kebab, snake, camel, inside longer names."""
    camel = words[0] + "".join(w.capitalize() for w in words[1:])
    return [
        "-".join(words),
        "_".join(words),
        camel,
        camel[0].upper() + camel[1:],
        f"c-{'-'.join(words)}__item",
        f"x{camel[0].upper()}{camel[1:]}Box",
        f"page {' '.join(words).upper()} wide",
    ]


def test_every_excluding_word_prefix_and_phrase_still_excludes_its_container() -> None:
    """Names holding none of the excluding words are let go early; no excluding name may be.

    Every word, prefix and phrase, written into a name in the ways sites
    write them, still excludes its container; ordinary names do not.
    """
    from monitor import timestamps

    sources = [
        *((w,) for w in timestamps._EXCLUDED_WORDS),
        *((p,) for p in timestamps._EXCLUDED_PREFIXES),
        *(tuple(p.split()) for p in timestamps._EXCLUDED_PHRASES),
    ]
    for words in sources:
        for name in _names_built_from(words):
            for attribute in ("class", "id", "aria-label"):
                el = lxml.html.fragment_fromstring(f"<div {attribute}='{name}'><p>x</p></div>")
                assert timestamps.exclusion(el) is not None, (attribute, name)
    for name in ("article-body", "storyText", "c-headline", "byline", "content__main", "UPNEXT"):
        el = lxml.html.fragment_fromstring(f"<div class='{name}'><p>x</p></div>")
        assert timestamps.exclusion(el) is None, name


def test_an_element_without_attributes_is_excluded_only_for_the_tags_the_fast_path_asks_about() -> (
    None
):
    """The fast path asks about an element without attributes only if its tag is in EXCLUDED_BARE."""
    from monitor import timestamps

    tags = (
        "a abbr address article aside b blockquote body button dd details dialog div dl dt em"
        " figcaption figure footer form h1 h2 h3 h4 h5 h6 header i iframe label li main mark"
        " menu nav noscript ol p pre q section small span strong summary table tbody td"
        " template th time tr u ul"
    ).split()
    excluded = set()
    for tag in tags:
        # The first child a sidebar heading: containers headed so are excluded too.
        page = f"<html><body><{tag}><h2>Most read</h2><p>x</p></{tag}></body></html>"
        el = next(lxml.html.document_fromstring(page).iter(tag))
        if timestamps.exclusion(el) is not None:
            excluded.add(tag)
    assert excluded <= timestamps.EXCLUDED_BARE
    assert {"footer", "aside", "nav", "div", "section", "ul", "ol"} <= excluded
