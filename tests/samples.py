"""A small article page whose surroundings change on demand, for pipeline tests."""

import random

PARAGRAPHS = [
    "North Korea and the United States agreed on Tuesday to resume working-level talks "
    "on the North's nuclear programme, officials in Seoul said.",
    "The talks, which stalled after a summit in Hanoi last month, will take place in "
    "Stockholm next week, according to the foreign ministry.",
    "Around 400 delegates are expected to attend the opening session.",
    "Analysts cautioned that the gap between the two sides remains wide.",
]


def page(
    paragraphs: list[str],
    *,
    title: str = "NK, US agree to restart nuclear talks",
    updated: str = "2019-03-26T18:05:00+09:00",
    noise: int = 0,
) -> str:
    """An article page whose surroundings change with ``noise``."""
    rng = random.Random(noise)
    most_read = "".join(
        f"<li><a href='/n/{rng.randint(1, 9999)}'>Story number {rng.randint(1, 9999)} "
        f"makes waves</a> <time datetime='2026-11-2{rng.randint(0, 7)}'>Nov</time></li>"
        for _ in range(5)
    )
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{title} | The Daily Ledger</title>
<meta property="og:title" content="{title}">
<meta property="article:published_time" content="2019-03-26T17:08:00+09:00">
<meta property="article:modified_time" content="{updated}">
<meta name="author" content="Kim Min-su">
</head><body>
<header><nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<div class="clock">Today is {rng.randint(1, 28)} November, {rng.randint(0, 23)}:{rng.randint(10, 59)}</div>
<div class="ad" id="ad-{rng.randint(1, 10**9)}">Advertisement</div></header>
<main><article><h1>{title}</h1><p class="byline">By Kim Min-su</p>
<div class="article-body">{body}</div>
<div class="views">{rng.randint(100, 99999)} views</div></article>
<aside class="most-read"><h2>Most read</h2><ol>{most_read}</ol></aside></main>
<footer>© 2026 The Daily Ledger. All rights reserved.</footer></body></html>"""
