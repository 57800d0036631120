"""Sanity checks of the saved news pages and their manifests (tests/pages/).

These test the fixtures, not the project: the manifests are the ground truth the
extractor, the timestamp finder and the diff classifier are tested against, so
they must be internally consistent and true to the saved HTML.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from tests.newsroom import (
    EXPECTS,
    FLAGS,
    KINDS,
    Layout,
    PageVersion,
    all_versions,
    layout_named,
    load_layouts,
    steps,
)

REQUIRED = {
    "jsonld",
    "meta",
    "time_elements",
    "posted_text",
    "wire",
    "bbc_blocks",
    "korean_euckr",
    "inline_ads",
}
_SPACE = re.compile(r"[\s\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_FOLD = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
_BLOCK = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "section",
    "article", "aside", "header", "footer", "nav", "figure", "figcaption", "table", "tr",
    "td", "blockquote", "span", "time", "main", "form", "address", "cite", "picture", "button",
}  # fmt: skip


def collapse(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def fold(text: str) -> str:
    """Typography folded, enough to compare these fixtures' own revisions."""
    text = collapse(text).translate(_FOLD)
    return re.sub(r"\s*[\u2014\u2013-]\s*", "-", text)


class _Text(HTMLParser):
    """Visible text of a page: scripts and styles dropped, entities decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in _BLOCK:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1
        elif tag in _BLOCK:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def page_text(page: PageVersion) -> str:
    parser = _Text()
    parser.feed(page.text)
    parser.close()
    return collapse("".join(parser.parts))


def article_key(page: PageVersion) -> tuple[str, str, tuple[str, ...]]:
    return fold(page.title), fold(page.byline), tuple(fold(p) for p in page.paragraphs)


LAYOUTS = load_layouts()
PAGES = all_versions()
STEPS = steps()


def step_id(step: tuple[Layout, PageVersion, PageVersion]) -> str:
    return str(step[2])


# --------------------------------------------------------------------------- the set


def test_the_required_layouts_are_there() -> None:
    assert {layout.name for layout in LAYOUTS} >= REQUIRED
    assert len(LAYOUTS) >= 8


@pytest.mark.parametrize("layout", LAYOUTS, ids=str)
def test_manifest_loads(layout: Layout) -> None:
    assert 5 <= len(layout.versions) <= 8
    assert layout.encoding in ("utf-8", "euc-kr")
    assert [v.n for v in layout.versions] == list(range(1, len(layout.versions) + 1))
    assert [v.path.name for v in layout.versions] == [f"v{v.n}.html" for v in layout.versions]
    host = urlsplit(layout.url).hostname or ""
    if layout.name == "korean_euckr":
        assert host.endswith("koreatimes.co.kr")
        assert layout.timezone == "Asia/Seoul"
    else:
        assert host.endswith((".example", "example.com", "example.org"))


@pytest.mark.parametrize("page", PAGES, ids=str)
def test_version_file_exists(page: PageVersion) -> None:
    assert page.path.is_file()
    assert page.html_bytes == page.path.read_bytes()
    assert len(page.html_bytes) > 5000
    assert page.posted.tzinfo is not None
    assert page.updated is None or page.updated.tzinfo is not None
    assert page.fetched_at.tzinfo is not None
    assert page.fetched_at >= max(page.posted, page.updated or page.posted)
    assert 6 <= len(page.paragraphs) <= 15
    assert page.expect in EXPECTS
    assert page.kind in KINDS
    assert set(page.flags) <= set(FLAGS)
    assert list(page.flags) == sorted(page.flags)


def test_saved_pages_match_the_build_script() -> None:
    """The saved files are exactly what build_pages.py writes (nobody edited them by hand)."""
    from tests.pages import build_pages

    for make in build_pages.STORIES:
        story = make()
        manifest, files = build_pages.build_story(story)
        layout = layout_named(story.layout)
        assert [page.html_bytes for page in layout.versions] == list(files.values())
        saved = json.loads((layout.versions[0].path.parent / "manifest.json").read_text("utf-8"))
        assert saved == manifest


def test_total_size_stays_modest() -> None:
    assert sum(len(page.html_bytes) for page in PAGES) < 2_000_000


def test_the_euckr_page_is_really_euckr() -> None:
    layout = layout_named("korean_euckr")
    assert layout.encoding == "euc-kr"
    for page in layout.versions:
        with pytest.raises(UnicodeDecodeError):
            page.html_bytes.decode("utf-8")
        text = page.html_bytes.decode("euc-kr")
        assert '<meta charset="euc-kr">' in text
        assert "입력 2019-03-26 17:08" in text
        assert page.byline == "김민수 기자"


# --------------------------------------------------------------------------- each page


@pytest.mark.parametrize("page", PAGES, ids=str)
def test_expected_article_is_in_the_page(page: PageVersion) -> None:
    text = page_text(page)
    for paragraph in page.paragraphs:
        assert paragraph == collapse(paragraph)
        assert paragraph in text, paragraph
    assert page.title in text
    assert not page.byline.startswith("By ")
    for name in page.byline.split(", "):
        assert name in text


@pytest.mark.parametrize("page", PAGES, ids=str)
def test_added_and_removed_sentences_are_where_they_should_be(page: PageVersion) -> None:
    body = " ".join(page.paragraphs)
    for sentence in page.added:
        assert sentence in body
    layout = layout_named(page.layout_name)
    if page.n > 1:
        before = " ".join(layout.version(page.n - 1).paragraphs)
        for sentence in page.removed:
            assert sentence in before


@pytest.mark.parametrize("layout", LAYOUTS, ids=str)
def test_times_are_given_only_the_layouts_way(layout: Layout) -> None:
    """Each layout states Posted/Updated in one way only, so each way is tested alone."""
    for page in layout.versions:
        html = page.text
        has_ld = "application/ld+json" in html
        has_meta = "article:published_time" in html
        has_itemprop = 'itemprop="datePublished"' in html
        if layout.name == "jsonld":
            assert has_ld and not has_meta and "<time" not in html
        elif layout.name == "meta":
            assert has_meta and not has_ld and "<time" not in html
        elif layout.name in ("time_elements", "bbc_blocks"):
            assert "<time" in html and not has_ld and not has_meta
        elif layout.name in ("posted_text", "wire", "korean_euckr"):
            assert not has_ld and not has_meta and not has_itemprop and "<time" not in html
        elif layout.name == "microdata":
            assert has_itemprop and not has_ld and not has_meta
        elif layout.name == "inline_ads":
            assert has_ld and "vossi-timestamp" in html and not has_meta and "<time" not in html


@pytest.mark.parametrize("layout", LAYOUTS, ids=str)
def test_posted_never_moves(layout: Layout) -> None:
    assert len({page.posted for page in layout.versions}) == 1


# --------------------------------------------------------------------------- each step


@pytest.mark.parametrize("layout", LAYOUTS, ids=str)
def test_expect_sequence_starts_with_new(layout: Layout) -> None:
    expects = [page.expect for page in layout.versions]
    assert expects[0] == "new"
    assert "new" not in expects[1:]
    first = layout.versions[0]
    assert (first.kind, first.flags, first.added, first.removed) == (None, (), (), ())
    assert first.stored_version == 1


@pytest.mark.parametrize("step", STEPS, ids=step_id)
def test_every_fetch_changes_the_page_bytes(step: tuple[Layout, PageVersion, PageVersion]) -> None:
    _, before, after = step
    assert before.html_bytes != after.html_bytes


@pytest.mark.parametrize("step", STEPS, ids=step_id)
def test_step_is_consistent(step: tuple[Layout, PageVersion, PageVersion]) -> None:
    _, before, after = step
    same = article_key(before) == article_key(after)
    moved = before.updated != after.updated
    if after.expect == "unchanged":
        assert same and not moved and after.kind is None and not after.flags
        assert after.stored_version == before.stored_version
    elif after.expect == "timestamp_only":
        assert same and moved and after.kind is None and not after.flags
        assert after.stored_version == before.stored_version
    else:
        assert after.expect == "changed"
        assert not same
        assert after.kind == ("declared" if moved else "stealth")
        assert after.stored_version == before.stored_version + 1
        assert ("headline" in after.flags) == (fold(before.title) != fold(after.title))
        assert ("byline" in after.flags) == (fold(before.byline) != fold(after.byline))
        body_changed = [fold(p) for p in before.paragraphs] != [fold(p) for p in after.paragraphs]
        assert body_changed == bool(after.added or after.removed)
    if after.expect != "changed":
        assert not after.added and not after.removed and after.reverts_to is None


@pytest.mark.parametrize("step", STEPS, ids=step_id)
def test_reverts_point_at_an_earlier_version(step: tuple[Layout, PageVersion, PageVersion]) -> None:
    layout, before, after = step
    if after.reverts_to is None:
        assert "reverted" not in after.flags
        return
    assert "reverted" in after.flags
    earlier = layout.version(after.reverts_to)
    assert earlier.n < before.n
    assert article_key(earlier) == article_key(after)
    assert article_key(before) != article_key(after)
    assert earlier.stored_version == after.reverts_to_stored
    assert after.reverts_to_stored < before.stored_version


@pytest.mark.parametrize("layout", LAYOUTS, ids=str)
def test_each_layout_has_two_noise_only_steps(layout: Layout) -> None:
    noise = [
        after
        for _, before, after in STEPS
        if after.layout_name == layout.name
        and after.expect == "unchanged"
        and after.paragraphs == before.paragraphs
        and after.title == before.title
    ]
    assert len(noise) >= 2


def test_the_set_covers_every_kind_of_step() -> None:
    seen: Counter[str] = Counter()
    for _, before, after in STEPS:
        seen[after.expect] += 1
        if after.kind:
            seen[after.kind] += 1
        seen.update(after.flags)
        if after.expect == "unchanged" and after.paragraphs != before.paragraphs:
            seen["typography"] += 1
        if after.expect == "changed" and len(after.paragraphs) < len(before.paragraphs):
            seen["paragraph removed"] += 1
        if after.added and not after.removed:
            seen["sentence added"] += 1
        if after.removed and not after.added:
            seen["sentence removed"] += 1
        if after.updated is not None and before.updated is None:
            seen["updated appears"] += 1
    wanted = [
        "unchanged", "changed", "timestamp_only", "declared", "stealth", "typography",
        "paragraph removed", "sentence added", "sentence removed", "updated appears", *FLAGS,
    ]  # fmt: skip
    assert {name: seen[name] for name in wanted if not seen[name]} == {}
