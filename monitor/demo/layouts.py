"""Five page layouts, each the way a real kind of news site states its article and its times.

Condensed from the saved pages the test suite uses (``tests/pages/``), so
the demo shows the extractor's real range: times only in JSON-LD, only in
``<meta property="article:…">`` tags, only in labelled ``<time>`` elements,
only as visible wire-service text, only as an old CMS's "Posted :" line.
Each page also carries what makes generic page watchers useless on news
sites: most-read lists with view counts, "N min ago" labels, ad slot ids, a
clock, share counters, a breaking-news bar, all different on every request.
"""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime

from monitor.demo.newsroom import Art, Noise, Story


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def att(text: str) -> str:
    return html.escape(text, quote=True)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def us_date(moment: datetime) -> str:
    return f"{moment:%B} {moment.day}, {moment.year}"


def ampm(moment: datetime, dotted: bool = True) -> str:
    hour = moment.hour % 12 or 12
    if dotted:
        return f"{hour}:{moment:%M} {'a.m.' if moment.hour < 12 else 'p.m.'}"
    return f"{hour}:{moment:%M} {'AM' if moment.hour < 12 else 'PM'}"


def _most_read(nz: Noise, heading: str = "Most Read") -> str:
    items = "\n".join(
        f'<li><a href="/{t.section.lower()}/{t.slug}/">{esc(t.headline)}</a> '
        f'<span class="views">{t.views:,} views</span></li>'
        for t in nz.most_read
    )
    return f'<section class="most-read"><h2>{heading}</h2><ol>\n{items}\n</ol></section>'


def _latest(nz: Noise) -> str:
    items = "\n".join(
        f'<li><a href="/{t.section.lower()}/{t.slug}/">{esc(t.headline)}</a> '
        f'<span class="ago">{t.ago}</span></li>'
        for t in nz.latest
    )
    return f'<section class="latest"><h2>Latest</h2><ul>\n{items}\n</ul></section>'


def _ad(nz: Noise, size: str = "300x250") -> str:
    return (
        f'<div class="ad-slot ad-{size}" id="div-gpt-ad-{nz.hex(12)}" '
        f'data-query-id="C{nz.hex(20)}"><span class="ad-label">Advertisement</span></div>'
    )


def _sponsored(nz: Noise) -> str:
    items = "".join(
        f'<li><a href="https://ads.invalid/c?id={nz.hex(10)}">{esc(text)}</a></li>'
        for text in nz.sponsored
    )
    return f'<div class="sponsored"><h3>Promoted stories</h3><ul>{items}</ul></div>'


def _breaking(nz: Noise) -> str:
    if not nz.breaking:
        return ""
    return f'<div class="breaking"><strong>BREAKING</strong> {esc(nz.breaking)}</div>'


def _page(story: Story, art: Art, nz: Noise, head: str, body: str, lang: str = "en") -> str:
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(art.title)} | {esc(story.outlet)}</title>
<meta name="description" content="{att(story.summary)}">
<meta property="og:type" content="article">
<meta property="og:title" content="{att(art.title)}">
<meta property="og:site_name" content="{att(story.outlet)}">
{head}
<script>window.dataLayer=window.dataLayer||[];window.__rid="{nz.request_id}";</script>
</head>
<body>
{body}
<!-- generated {nz.now:%Y-%m-%d %H:%M:%S} UTC by node {nz.rng.randrange(1, 12)}; cache {nz.rng.choice(["HIT", "MISS"])} -->
</body>
</html>
"""


# -- 1. WordPress with Yoast: the times only in JSON-LD --------------------------------------


def ledger(story: Story, art: Art, nz: Noise) -> str:
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "name": story.outlet},
            {
                "@type": "NewsArticle",
                "headline": art.title,
                "datePublished": iso(art.posted),
                "dateModified": iso(art.updated or art.posted),
                "author": {"@type": "Person", "name": art.byline},
                "articleSection": story.section,
            },
        ],
    }
    paras = []
    for i, text in enumerate(art.paras):
        css = ' class="correction"' if text.startswith("Correction:") else ""
        paras.append(f"<p{css}>{esc(text)}</p>")
        if i == 1:
            paras.append(_ad(nz))
    head = (
        '<script type="application/ld+json">'
        + json.dumps(graph, ensure_ascii=False).replace("</", "<\\/")
        + "</script>"
    )
    body = f"""<div class="top-bar">Today is {nz.now:%A}, {us_date(nz.now)} · {nz.temp}&deg;C</div>
<header class="site-header"><p class="site-title"><a href="/">{esc(story.outlet)}</a></p>
<nav><ul><li><a href="/news/">News</a></li><li><a href="/sports/">Sports</a></li><li><a href="/opinion/">Opinion</a></li></ul></nav></header>
{_breaking(nz)}
{_ad(nz, "728x90")}
<main id="main"><article class="post type-post">
<header class="entry-header"><span class="cat-links"><a href="/news/">{esc(story.section)}</a></span>
<h1 class="entry-title">{esc(art.title)}</h1>
<div class="entry-meta"><span class="byline">By <span class="author vcard"><a href="/author/">{esc(art.byline)}</a></span></span></div>
<div class="share-buttons"><span class="share-total">{nz.shares:,} shares</span></div>
</header>
<div class="entry-content">
{chr(10).join(paras)}
</div></article>
<div class="comments-link">{nz.comments} Comments</div>
{_sponsored(nz)}
</main>
<aside class="widget-area">{_most_read(nz)}{_ad(nz, "300x600")}{_latest(nz)}</aside>
<footer class="site-footer">&copy; {nz.now.year} {esc(story.outlet)}</footer>"""
    return _page(story, art, nz, head, body, "en-US")


# -- 2. A regional publisher: Open Graph article times only ----------------------------------


def post(story: Story, art: Art, nz: Noise) -> str:
    head = (
        f'<meta name="author" content="{att(art.byline)}">\n'
        f'<meta property="article:published_time" content="{iso(art.posted)}">\n'
        f'<meta property="article:modified_time" content="{iso(art.updated or art.posted)}">\n'
        f'<meta property="article:section" content="{att(story.section)}">'
    )
    paras = []
    for i, text in enumerate(art.paras):
        paras.append(f'<p class="article__paragraph">{esc(text)}</p>')
        if i == 2:
            inline = "".join(
                f'<li><a href="/news/{t.slug}">{esc(t.headline)}</a></li>' for t in nz.most_read[:3]
            )
            paras.append(
                f'<aside class="mid-article-most-read"><h3>Most Read</h3><ol>{inline}</ol></aside>'
            )
    body = f"""<header class="masthead"><a class="logo" href="/">{esc(story.outlet)}</a>
<span class="clock">{nz.now:%H:%M}</span></header>
{_breaking(nz)}
<main><article class="article">
<h1 class="article__headline">{esc(art.title)}</h1>
<div class="article__author"><span class="author-name">{esc(art.byline)}</span> <span class="author-role">Local Democracy Reporter</span></div>
<div class="article__share" data-count="{nz.shares}">Share</div>
<div class="article-body">
{chr(10).join(paras)}
</div></article>
{_ad(nz)}
{_most_read(nz, "Popular on " + esc(story.outlet))}
{_sponsored(nz)}
</main>
<footer>&copy; {esc(story.outlet)} {nz.now.year}</footer>"""
    return _page(story, art, nz, head, body, "en-GB")


# -- 3. A metro daily: labelled <time> elements; the sidebar has its own -----------------------


def chronicle(story: Story, art: Art, nz: Noise) -> str:
    def stamp(moment: datetime) -> str:
        return f"{us_date(moment)} at {ampm(moment)} UTC"

    times = (
        '<p class="story-timestamp"><span class="timestamp-label">Published</span> '
        f'<time class="published" datetime="{iso(art.posted)}">{stamp(art.posted)}</time></p>'
    )
    if art.updated:
        times += (
            '\n<p class="story-timestamp"><span class="timestamp-label">Updated</span> '
            f'<time class="updated" datetime="{iso(art.updated)}">{stamp(art.updated)}</time></p>'
        )
    authors = " and ".join(
        f'<a rel="author" href="/author/">{esc(name)}</a>' for name in art.byline.split(" and ")
    )
    paras = "\n".join(f'<p class="story-paragraph">{esc(text)}</p>' for text in art.paras)
    latest = "\n".join(
        f'<li><time datetime="{iso(nz.now)}">{t.ago}</time> '
        f'<a href="/{t.slug}/">{esc(t.headline)}</a></li>'
        for t in nz.latest
    )
    body = f"""<div class="masthead-bar"><span>Today's Paper · {nz.now:%a, %b} {nz.now.day}</span>
<span class="weather">{nz.temp}&deg;</span><a href="/subscribe/">Subscribe for 99&cent;</a></div>
<header class="site-header"><a class="logo" href="/">{esc(story.outlet)}</a></header>
{_ad(nz, "728x90")}
<main class="story-layout"><article class="story">
<header class="story-header"><div class="kicker">{esc(story.section)}</div>
<h1 class="headline">{esc(art.title)}</h1>
<div class="byline">By {authors}</div>
<div class="story-meta">
{times}
</div></header>
<div class="story-body">
{paras}
</div></article>
<section id="comments"><h2>Conversation <span class="count">{nz.comments}</span></h2></section>
</main>
<aside class="rail"><section class="latest"><h2>Latest Headlines</h2><ul>
{latest}
</ul></section>{_ad(nz)}{_most_read(nz, "Most Popular")}</aside>
<footer>&copy; {nz.now.year} {esc(story.outlet)}</footer>"""
    return _page(story, art, nz, "", body)


# -- 4. A wire service: visible "Published … / Updated …" text, a dateline -------------------


def wire(story: Story, art: Art, nz: Noise) -> str:
    posted = art.posted.astimezone(UTC)
    info = f'<span class="date-line__published">Published {us_date(posted)} at {ampm(posted)} GMT</span>'
    if art.updated:
        up = art.updated.astimezone(UTC)
        info += (
            f'\n<span class="date-line__updated">Updated {ampm(up, dotted=False)} GMT, '
            f"{us_date(up)}</span>"
        )
    paras = ['<p class="article-dateline">PORT SELWYN (Meridian) -</p>']
    for i, text in enumerate(art.paras):
        paras.append(
            f'<p data-testid="paragraph-{i}" class="article-body__element">{esc(text)}</p>'
        )
        if i == 3:
            paras.append(f'<div data-testid="ResponsiveAdSlot">{_ad(nz)}</div>')
    ticker = "".join(
        f'<li><span class="name">{name}</span> {value * nz.rng.uniform(0.985, 1.015):,.2f} '
        f"{nz.rng.uniform(-1.9, 1.9):+.2f}%</li>"
        for name, value in (("FTSE 100", 7380), ("DAX", 14310), ("Nikkei", 27960), ("Brent", 93))
    )
    body = f"""<header class="site-header"><a href="/">{esc(story.outlet)}</a></header>
<div class="ticker"><ul>{ticker}</ul></div>
{_breaking(nz)}
<main id="main-content"><article class="article__container">
<header class="article-header">
<nav aria-label="Tags"><a href="/world/">World</a></nav>
<h1 data-testid="Heading">{esc(art.title)}</h1>
<div class="article-header__byline"><span>By</span> <a href="/authors/" rel="author">{esc(art.byline)}</a></div>
<div class="article-header__dateline-container">
{info}
</div>
<div class="read-time">4 minute read</div></header>
<div class="article-body__content" data-testid="ArticleBody">
{chr(10).join(paras)}
</div>
<p class="trust">Our Standards: The Meridian Trust Principles.</p>
</article>
{_latest(nz)}
{_most_read(nz)}
</main>
<footer>All quotes delayed a minimum of 15 minutes. &copy; {nz.now.year} {esc(story.outlet)}.</footer>"""
    return _page(story, art, nz, "", body)


# -- 5. An older CMS: "Posted : 2026-03-26 17:08" text, the headline in a <div> ---------------


def courier(story: Story, art: Art, nz: Noise) -> str:
    stamp = f"Posted : {art.posted.astimezone(UTC):%Y-%m-%d %H:%M}"
    if art.updated:
        stamp += f"<br>\nUpdated : {art.updated.astimezone(UTC):%Y-%m-%d %H:%M}"
    chunks = [esc(text) for text in art.paras]
    chunks.insert(
        2, f'<div class="ad_in_article" id="ad_{nz.hex(6)}"><span>ADVERTISEMENT</span></div>'
    )
    article = "<br><br>\n".join(chunks)
    latest = "\n".join(
        f'<tr><td class="list_title"><a href="/news/{t.slug}.html">{esc(t.headline)}</a></td>'
        f'<td class="list_date">{nz.now:%Y-%m-%d} {nz.rng.randrange(24):02d}:{nz.rng.randrange(60):02d}</td></tr>'
        for t in nz.latest
    )
    body = f"""<div id="wrap">
<div id="top_bar"><span class="today">{nz.now:%a, %b} {nz.now.day}, {nz.now.year} | {nz.now:%H:%M} GMT</span>
<span class="market">SENSEX {nz.rng.uniform(37800, 38900):,.2f} | USD/INR {nz.rng.uniform(68.5, 70.2):.2f}</span></div>
<div id="header"><a href="/">{esc(story.outlet)}</a> {_ad(nz, "728x90")}</div>
<table id="contents"><tr><td class="left_area">
<div class="location"><a href="/">Home</a> &gt; {esc(story.section)}</div>
<div class="view_page">
<div class="view_headline"><strong>{esc(art.title)}</strong></div>
<div class="view_info"><div class="view_date">{stamp}</div></div>
<div class="view_byline">By {esc(art.byline)}</div>
<div class="view_article" id="startts"><span>
{article}
</span></div>
<div class="sns_share"><span class="view_cnt">Views {nz.shares * 7:,}</span></div>
</div></td>
<td class="right_area">{_most_read(nz)}<table class="list">
{latest}
</table></td></tr></table>
<div id="footer">Copyright &copy; {nz.now.year} {esc(story.outlet)}. All rights reserved.</div>
</div>"""
    return _page(story, art, nz, "", body)
