"""extract_article on small, realistic pages built here.

Each page is a typical news template: a site header and navigation, the story
(headline, byline, body), and around it what changes from fetch to fetch on a
real site: "most read" lists, ads, related links, newsletter boxes, comments.
The body must be the story's paragraphs and nothing else, and must not move
when only the surroundings do.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from html import escape

import pytest

from monitor.errors import ConfigError, ExtractError
from monitor.extract import MAX_ATTRIBUTES, extract_article, parse_page
from monitor.models import OutletRules

URL = "https://www.example-news.test/world/2024/03/12/river-dam-vote"
NOW = datetime(2024, 3, 12, 18, 0, tzinfo=UTC)

STORY = [
    "Residents of the Alder valley voted on Tuesday to block a hydroelectric dam that had been "
    "planned for more than a decade, dealing a blow to the regional government's energy strategy.",
    "The proposal, which would have flooded about 40 square kilometres of farmland and forest, "
    "was rejected by 58 per cent of voters in a referendum that drew a record turnout.",
    "\u201cPeople here have made it clear that they value the river as it is,\u201d said Marta "
    "Iglesias, who led the campaign against the dam. \u201cThis is not the end of the debate, "
    "but it is the end of this project.\u201d",
    "The regional energy minister, Tomas Berg, said the government would respect the result but "
    "warned that the region would have to find other ways to meet its targets for renewable power.",
    "Supporters of the dam had argued that it would supply electricity to 200,000 homes and create "
    "hundreds of construction jobs, while opponents said the benefits had been overstated.",
    "The referendum result is binding for five years, after which a new proposal could be put "
    "forward, officials said.",
]


def most_read(seed: int) -> str:
    """A sidebar whose stories (and their count) differ on every fetch."""
    items = "".join(
        f'<li><a href="/story/{seed}-{i}">Story number {seed * 7 + i} that everyone is reading '
        f"today</a> <span>{seed + i} comments</span></li>"
        for i in range(3 + seed % 4)
    )
    return (
        f'<aside class="sidebar most-read"><h2>Most read</h2><ol>{items}</ol>'
        f'<div class="ad-slot" id="ad-{seed}">Advertisement</div>'
        f"<p>Updated at {seed % 12 + 1}:{seed % 60:02d} with the latest headlines.</p></aside>"
    )


def page(
    story: list[str] = STORY,
    *,
    seed: int = 1,
    head: str = "",
    byline: str = '<p class="byline">By <a rel="author" href="/staff/ana">Ana Lopez</a></p>',
    title: str = "Valley voters reject hydroelectric dam in record turnout",
    inline: dict[int, str] | None = None,
) -> str:
    """A news page: header, nav, the story, and changing surroundings."""
    inline = inline or {}
    body = []
    for i, text in enumerate(story):
        body.append(f"<p>{escape(text, quote=False)}</p>")
        if i in inline:
            body.append(inline[i])
    related = "".join(
        f'<li><a href="/related/{seed}/{i}">Related story {seed + i}: what the vote means</a></li>'
        for i in range(2 + seed % 3)
    )
    comments = "".join(
        f'<li class="comment"><div class="comment-author">reader{seed}{i}</div>'
        f'<div class="comment-text">I think comment {seed * 10 + i} makes a very good point about '
        f"the dam and the people of the valley, who deserve better.</div></li>"
        for i in range(seed % 3 + 1)
    )
    return f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8">
<title>{escape(title)} | The Example News</title>
<meta property="og:title" content="{escape(title)} | The Example News">
<meta property="og:site_name" content="The Example News">
<link rel="canonical" href="{URL}">
{head}
</head><body>
<header class="site-header"><a href="/">The Example News</a>
<nav><ul><li><a href="/world">World</a></li><li><a href="/politics">Politics</a></li>
<li><a href="/business">Business</a></li><li><a href="/sport">Sport</a></li></ul></nav>
<div class="clock">{seed % 24:02d}:{seed % 60:02d}</div></header>
<main><div class="layout">
<article class="story">
<h1 class="headline">{escape(title)}</h1>
{byline}
<div class="story-body">
{"".join(body)}
</div>
<div class="newsletter-signup"><h3>Get the morning briefing</h3>
<p>Sign up for our free newsletter and get the day's top stories in your inbox.</p></div>
<section class="related"><h2>Related stories</h2><ul>{related}</ul></section>
</article>
{most_read(seed)}
</div></main>
<section class="comments" id="comments"><h2>{seed % 5 + 1} comments</h2><ol>{comments}</ol>
</section>
<footer class="site-footer"><p>Copyright 2024 The Example News. All rights reserved.</p>
<ul><li><a href="/about">About us</a></li><li><a href="/privacy">Privacy</a></li></ul></footer>
</body></html>"""


def test_body_is_the_story_only() -> None:
    extracted = extract_article(page(), URL, now=NOW)
    assert extracted.paragraphs == tuple(STORY)
    body = extracted.body
    for noise in ("Most read", "Advertisement", "Related story", "newsletter", "comment", "Sport"):
        assert noise not in body


def test_headline_has_no_site_suffix() -> None:
    extracted = extract_article(page(), URL, now=NOW)
    assert extracted.title == "Valley voters reject hydroelectric dam in record turnout"
    assert extracted.title not in extracted.paragraphs


@pytest.mark.parametrize("separator", [" - ", " | ", " — "])
def test_site_suffix_stripped_from_title_element(separator: str) -> None:
    html = page().replace(
        '<meta property="og:title" content="Valley voters reject hydroelectric dam in record '
        'turnout | The Example News">',
        "",
    )
    html = html.replace(" | The Example News</title>", f"{separator}The Example News</title>")
    assert extract_article(html, URL).title == (
        "Valley voters reject hydroelectric dam in record turnout"
    )


def test_canonical_url_and_language() -> None:
    extracted = extract_article(page(), "https://www.example-news.test/amp/x", now=NOW)
    assert extracted.canonical_url == URL
    assert extracted.language == "en-GB"


def test_byline_from_the_visible_by_line() -> None:
    assert extract_article(page(), URL, now=NOW).byline == "Ana Lopez"


def test_byline_from_plain_text_by_line() -> None:
    html = page(byline='<div class="article-byline">By Ana Lopez and Sam Reed</div>')
    assert extract_article(html, URL, now=NOW).byline == "Ana Lopez, Sam Reed"


def test_byline_from_meta_author_but_not_a_url() -> None:
    html = page(head='<meta name="author" content="Ana Lopez">', byline="")
    assert extract_article(html, URL, now=NOW).byline == "Ana Lopez"
    html = page(
        head='<meta property="article:author" content="https://facebook.com/ana">', byline=""
    )
    assert extract_article(html, URL, now=NOW).byline == ""


def test_byline_and_times_from_json_ld() -> None:
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": "Valley voters reject hydroelectric dam in record turnout",
        "author": [
            {"@type": "Person", "name": "Ana Lopez"},
            {"@type": "Person", "name": "By  Sam   Reed"},
        ],
        "datePublished": "2024-03-12T09:30:00+01:00",
        "dateModified": "2024-03-12T14:05:00+01:00",
    }
    head = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    extracted = extract_article(page(head=head, byline=""), URL, now=NOW)
    assert extracted.byline == "Ana Lopez, Sam Reed"
    assert extracted.posted is not None and extracted.updated is not None
    assert extracted.posted.value == datetime(2024, 3, 12, 8, 30, tzinfo=UTC)
    assert extracted.updated.value == datetime(2024, 3, 12, 13, 5, tzinfo=UTC)


def test_no_byline_is_empty_not_none() -> None:
    assert extract_article(page(byline=""), URL, now=NOW).byline == ""


@pytest.mark.parametrize("seed", [2, 3, 4, 5, 6, 7])
def test_same_paragraphs_when_only_the_surroundings_change(seed: int) -> None:
    """Sidebars, ads, clocks, related links and comments differ; the article must not."""
    first = extract_article(page(seed=1), URL, now=NOW)
    again = extract_article(page(seed=seed), URL, now=NOW)
    assert again.paragraphs == first.paragraphs
    assert (again.title, again.byline) == (first.title, first.byline)


def test_an_edit_to_the_story_shows_and_nothing_else() -> None:
    edited = [*STORY]
    edited[1] = edited[1].replace("58 per cent", "59 per cent")
    before = extract_article(page(seed=1), URL, now=NOW).paragraphs
    after = extract_article(page(edited, seed=4), URL, now=NOW).paragraphs
    assert [a for a, b in zip(before, after, strict=True) if a != b] == [before[1]]
    assert after[1] == edited[1]


def test_inline_ads_and_read_more_links_split_a_clean_body() -> None:
    inline = {
        0: '<div class="ad-container"><span>Advertisement</span></div>',
        1: '<p class="read-more"><strong>Read more:</strong> <a href="/x">Why the valley '
        "matters to the region's farmers</a></p>",
        2: '<aside class="inline-related"><h4>Related</h4><a href="/y">Energy targets in '
        "doubt after a string of setbacks</a></aside>",
        3: '<figure><img src="/dam.jpg" alt=""><figcaption>The Alder river near the proposed '
        "site. Photograph: Jo Smith/Example</figcaption></figure>",
        4: "<p>Advertisement</p>",
    }
    extracted = extract_article(page(inline=inline), URL, now=NOW)
    assert extracted.paragraphs == tuple(STORY)


def test_body_keeps_subheadings_and_lists_of_the_story() -> None:
    story = [
        *STORY[:3],
        "What happens next",
        "Officials listed three options for the region's energy plan:",
        "More wind farms on the northern ridge",
        "A solar park on the former airfield",
        *STORY[3:],
    ]
    html = page().replace(
        f"<p>{escape(STORY[3], quote=False)}</p>",
        f"<h2>{story[3]}</h2><p>{escape(story[4])}</p><ul><li>{story[5]}</li>"
        f"<li>{story[6]}</li></ul><p>{escape(STORY[3], quote=False)}</p>",
    )
    assert extract_article(html, URL, now=NOW).paragraphs == tuple(story)


def test_body_selector_takes_only_that_element() -> None:
    html = page().replace('<div class="story-body">', '<div class="story-body" id="text">')
    rules = OutletRules(body_selector="#text")
    extracted = extract_article(html, URL, rules, now=NOW)
    assert extracted.paragraphs == tuple(STORY)
    narrow = OutletRules(body_selector="#text > p:first-child")
    assert extract_article(html, URL, narrow, now=NOW).paragraphs == (STORY[0],)


def test_body_selector_that_matches_nothing_falls_back_to_detection() -> None:
    rules = OutletRules(body_selector=".no-such-class")
    assert extract_article(page(), URL, rules, now=NOW).paragraphs == tuple(STORY)


def test_ignore_selectors_remove_elements_before_extraction() -> None:
    promo = (
        '<div class="standfirst-extra"><p>Our reporters spent a year in the valley talking to farmers, '
        "engineers and officials for this special investigation into water and power.</p></div>"
    )
    html = page(inline={2: promo})
    assert any("special investigation" in p for p in extract_article(html, URL).paragraphs)
    rules = OutletRules(ignore_selectors=(".standfirst-extra", "p.never-there"))
    assert extract_article(html, URL, rules).paragraphs == tuple(STORY)


def test_invalid_selector_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        extract_article(page(), URL, OutletRules(ignore_selectors=("div[[",)))
    with pytest.raises(ConfigError):
        extract_article(page(), URL, OutletRules(body_selector="::nope("))


def test_page_without_article_text_raises() -> None:
    html = page(story=[]).replace("Sign up for our free newsletter", "Subscribe")
    with pytest.raises(ExtractError):
        extract_article(html, URL)


GARBAGE = [
    "",
    "   \n\t ",
    "\x00\x01\x02",
    "<html></html>",
    "<html><body><nav><a href='/'>Home</a></nav></body></html>",
    "not html at all",
    "\ufffd\ufffd\ufffd" * 1000,
    "<?xml version='1.0' encoding='utf-8'?><html><body><p>x</p></body></html>",
    "<div>" * 20_000 + "deep" + "</div>" * 20_000,
    "<p>" + "word " * 200_000 + "</p>",
    "<table>" * 3000,
    "<<<>>><!-- <script>",
    bytes(range(256)).decode("latin-1"),
    "\udcff broken surrogate text",
]


@pytest.mark.parametrize("html", GARBAGE, ids=range(len(GARBAGE)))
def test_garbage_raises_extract_error_or_extracts(html: str) -> None:
    """Arbitrary input either extracts or raises ExtractError, never anything else."""
    try:
        extracted = extract_article(html)
    except ExtractError:
        return
    assert extracted.paragraphs and all(extracted.paragraphs)


def test_empty_page_raises_extract_error() -> None:
    with pytest.raises(ExtractError, match="no article text found"):
        extract_article("")


def test_bytes_are_accepted() -> None:
    html = page().encode("utf-8")
    assert extract_article(html, URL, now=NOW).paragraphs == tuple(STORY)  # type: ignore[arg-type]


def test_long_single_paragraph_page() -> None:
    text = " ".join(
        f"Sentence {i} of a very long article, with commas, and more." for i in range(400)
    )
    html = f"<html><body><article><h1>A long one</h1><p>{text}</p></article></body></html>"
    assert extract_article(html).paragraphs == (text,)


@pytest.mark.parametrize(
    ("opening", "closing"),
    [("<article>", "</article>"), ("<table><tr><td class='content'>", "</td></tr></table>")],
)
def test_a_paragraph_appended_after_the_body_container_is_part_of_the_story(
    opening: str, closing: str
) -> None:
    """An update added below the body's own element, still under the headline, is an edit."""
    update = "Officials later said the number of families moved had risen to 520 overnight."
    body = "".join(f"<p>{escape(text, quote=False)}</p>" for text in STORY)
    html = (
        f"<html><body><nav><a href='/'>Home</a></nav>{opening}<h1>Valley voters reject dam</h1>"
        f"<div class='article-body'>{body}</div><p>{update}</p>"
        f"<div class='ad'>Advertisement</div>{closing}</body></html>"
    )
    assert extract_article(html, URL, now=NOW).paragraphs == (*STORY, update)


def test_icons_before_the_story_never_cut_its_end() -> None:
    """Thousands of SVG elements (icon sprites) do not count towards the element bound."""
    icon = '<svg viewBox="0 0 9 9">' + '<path d="M0 0h9v9H0z"/>' * 500 + "</svg>"
    sprites = f'<div class="icons" hidden>{icon * 40}</div>'  # 20,000 elements
    html = page().replace("<body>", f"<body>{sprites}", 1)
    assert html.count("<path") == 20_000
    assert extract_article(html, URL, now=NOW).paragraphs == tuple(STORY)


def test_threads_extract_the_same_as_one_thread() -> None:
    """The checker extracts in worker threads; no parser state may leak between them."""
    from concurrent.futures import ThreadPoolExecutor

    pages = [page(seed=seed) for seed in range(1, 9)]
    expected = [extract_article(html, URL, now=NOW) for html in pages]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda html: extract_article(html, URL, now=NOW), pages * 3))
    assert results == expected * 3


def test_a_growing_discussion_never_becomes_the_article() -> None:
    """Reader posts (here without any "comment" class to give them away) pile up
    under a story over days; however long the thread gets, the body stays the story."""

    def with_posts(count: int) -> str:
        posts = "".join(
            f'<div class="post"><div class="who">reader{i}</div><p>Post {i}: I have lived in '
            "the valley for forty years, and I can tell you that the people who voted against "
            "the dam did so because they love this river, not because they oppose progress, "
            "whatever the minister says about targets, jobs and the region's future.</p>"
            "<p>We were promised cheap power once before, and the bills only went up, so "
            "forgive us for doubting the numbers, the consultants and the press releases.</p>"
            "</div>"
            for i in range(count)
        )
        section = f'<section class="thread"><h2>Your views</h2>{posts}</section>'
        return page(story).replace("</main>", f"</main>{section}")

    story = STORY[:3]  # a short story: the thread soon holds far more text than it
    for count in (0, 3, 12, 40):
        assert extract_article(with_posts(count), URL, now=NOW).paragraphs == tuple(story)


@pytest.mark.parametrize(
    ("attributes", "kept"),
    [
        (MAX_ATTRIBUTES, True),
        (MAX_ATTRIBUTES + 1, False),
        (300, True),  # long, few: the tag is over 2,000 characters and keeps them
    ],
)
def test_only_a_tag_with_too_many_attributes_loses_them(attributes: int, kept: bool) -> None:
    """libxml2 compares a tag's attributes pairwise; a page cannot make it do a million."""
    written = " ".join(f"data-n{i}=value{i}" for i in range(attributes - 1))
    link = "/search?q=" + "word+" * 1_000  # one attribute of 5,000 characters, always kept
    doc = parse_page(
        f'<html><body><a href="{link}">A link</a><p id="x" {written}>Text stays.</p>'
        f"<p>After it.</p></body></html>"
    )
    tagged = doc.find(".//p")
    assert tagged is not None
    assert tagged.text == "Text stays."
    assert (len(tagged.attrib) == attributes) is kept
    assert (tagged.get("id") == "x") is kept
    assert doc.find(".//a").get("href") == link
    assert [p.text for p in doc.iter("p")] == ["Text stays.", "After it."]
