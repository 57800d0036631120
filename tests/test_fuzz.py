"""Properties over generated input (hypothesis): the invariants the rest relies on.

- a diff reapplies exactly: the old sentences plus the sentence ops give the
  new sentences, and inside a reworded sentence the word ops turn the old
  sentence into the new one;
- normalisation (``clean_text``, ``comparison_key``) is idempotent;
- URL normalisation is idempotent, keeps the scheme and what the host means,
  and never turns a URL the guard refuses into one it accepts (or back);
- extraction raises nothing but ExtractError, on any text or bytes;
- decoding a page never raises, whatever the bytes and the Content-Type;
- page text escaped for Markdown or HTML never renders as a link, an image
  or markup.

Example counts are bounded (``MAX``) so the file runs in well under 30 s; the
generated cases are derandomised, so a failure reproduces on every run.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
import string
import unicodedata
from urllib.parse import urlsplit

import lxml.etree
import lxml.html
import markdown
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from monitor import text as text_module
from monitor.alerts import escape_markdown
from monitor.diff import diff_versions, render_html, split_sentences, word_diff
from monitor.errors import ExtractError, FetchError, UsageError
from monitor.extract import _byline_candidates, extract_article, parse_page, word_key
from monitor.fetch import decode_html, detect_encoding
from monitor.models import OutletRules, SentenceOp
from monitor.netguard import check_url, literal_address
from monitor.text import clean_text, comparison_key
from monitor.urls import normalise_url

MAX = 100
FUZZ = settings(
    max_examples=MAX,
    deadline=None,
    derandomize=True,
    database=None,  # nothing written into the work tree
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SLOW = settings(FUZZ, max_examples=MAX // 2)  # whole articles through the diff

# -- text that looks like news copy, with the characters that make normalisation hard --

WORDS = [
    "the", "council", "voted", "400", "450", "families", "Seoul", "said", "on", "Tuesday",
    "U.S.", "Mr.", "Dr.", "No.", "e.g.", "3.5%", "1,200", "don't", "“quoted”", "‘single’",
    "—", "–", "-", "…", "...", "(", ")", "[", "]", "서울시는", "25일", "12명", "발표했다.",
    "café", "cafe\u0301", "naïve", "\u00a0", "\u200b", "\u00ad", "\ufeff", "\u202e", "\x1b[2J",
    "\t", "\n", "  ", "?", "!", ".", ",", ";", ":", '"', "'", "`", "*", "_", "<b>", "&amp;",
]  # fmt: skip
word = st.one_of(st.sampled_from(WORDS), st.text(min_size=1, max_size=8))
sentence = st.lists(word, min_size=1, max_size=14).map(" ".join)
paragraph = st.lists(sentence, min_size=1, max_size=4).map(lambda s: ". ".join(s) + ".")
article = st.lists(paragraph, min_size=0, max_size=6)


def apply_ops(old: list[str], ops: tuple[SentenceOp, ...]) -> list[str]:
    """Old sentences + the diff's ops -> new sentences; checks each op against the old side."""
    out: list[str] = []
    position = 0
    for op in ops:
        if op.op in ("equal", "delete", "replace"):
            assert old[position] == op.old, (position, op)
            position += 1
        if op.op in ("equal", "insert", "replace"):
            out.append(op.new)
        if op.op == "replace":
            words = op.words or word_diff(op.old, op.new)
            assert "".join(w.text for w in words if w.op != "insert") == op.old
            assert "".join(w.text for w in words if w.op != "delete") == op.new
        if op.op == "equal":
            assert comparison_key(op.old) == comparison_key(op.new)
    assert position == len(old), "ops left old sentences unaccounted for"
    return out


@SLOW
@given(old=article, new=article, title=st.tuples(sentence, sentence))
def test_a_diff_reapplies_exactly(old: list[str], new: list[str], title: tuple[str, str]) -> None:
    diff = diff_versions(title[0], "", old, title[1], "", new)
    assert apply_ops(split_sentences(old), diff.body) == split_sentences(new)
    changed = comparison_key(title[0]) != comparison_key(title[1])
    assert (diff.title is not None) == changed
    if diff.title is not None:
        words = word_diff(diff.title.old, diff.title.new)
        assert "".join(w.text for w in words if w.op != "insert") == clean_text(title[0])
        assert "".join(w.text for w in words if w.op != "delete") == clean_text(title[1])
    assert diff.changed or [comparison_key(s) for s in split_sentences(old)] == [
        comparison_key(s) for s in split_sentences(new)
    ]


@SLOW
@given(old=article)
def test_an_edit_of_one_sentence_is_one_op(old: list[str]) -> None:
    sentences = split_sentences(old)
    assume(sentences)
    new = [*old, "A correction was appended by the desk today."]
    diff = diff_versions("t", "", old, "t", "", new)
    assert [op.op for op in diff.body].count("insert") >= 1
    assert apply_ops(sentences, diff.body) == split_sentences(new)


@FUZZ
@given(old=sentence, new=sentence)
def test_word_ops_rebuild_both_sides(old: str, new: str) -> None:
    words = word_diff(old, new)
    assert "".join(w.text for w in words if w.op != "insert") == old
    assert "".join(w.text for w in words if w.op != "delete") == new


# -- normalisation ---------------------------------------------------------------------------


@FUZZ
@given(text=st.one_of(st.text(), sentence, paragraph))
@example("e\x00\u0301")  # a control between a letter and its accent: dropped, then composed
@example("e\u200b\u0301")
@example("a \u2014 b\u2026 \u201cc\u201d")
def test_normalisation_is_idempotent(text: str) -> None:
    cleaned = clean_text(text)
    assert clean_text(cleaned) == cleaned
    key = comparison_key(text)
    assert comparison_key(key) == key
    assert comparison_key(cleaned) == key
    assert cleaned == cleaned.strip() and "  " not in cleaned
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u202e]", cleaned)


# Every character the normalisation tables change, among ordinary and non-ASCII ones.
_TABLE_CHARACTERS = sorted(
    {chr(c) for c in (*text_module._INVISIBLE, *text_module._TYPOGRAPHY)}
    | set("ab -\n\t\u00a0\u3000e\u0301\u00e9\u4e2d")
)


@FUZZ
@given(text=st.one_of(st.text(), st.text(alphabet=_TABLE_CHARACTERS), sentence, paragraph))
@example("caf\u00e9 \u201cquoted\u201d \u2014 said\u200b\x07 it")
@example("plain `ASCII`\x00 with\x1b controls\x7f - and a dash")
def test_normalisation_is_what_its_tables_say_for_any_text(text: str) -> None:
    """ASCII or not, the text is what ``str.translate`` with the tables gives.

    A text that is not all ASCII has its characters found by a regular
    expression instead (translate is slow on it); both must change the same ones.
    """
    cleaned = " ".join(unicodedata.normalize("NFC", text.translate(text_module._INVISIBLE)).split())
    assert clean_text(text) == cleaned
    folded = cleaned.translate(text_module._TYPOGRAPHY)
    spaced = text_module._SPACED_DASH.sub(" - ", folded).replace(" - ", "-")
    assert comparison_key(text) == spaced


@FUZZ
@given(text=st.one_of(st.text(), st.text(alphabet=[chr(c) for c in range(128)]), paragraph))
@example("".join(chr(c) for c in range(128)))
@example("caf\u00e9 na\u00efve \u4e2d\u6587, 2019-03-26_x")
def test_a_word_key_is_the_words_joined_for_any_text(text: str) -> None:
    """ASCII text has its other characters deleted as bytes: the same as joining its words."""
    assert word_key(text) == "".join(re.findall(r"\w+", text))


_MARKING_NAMES = ("class", "id", "data-component", "data-testid", "rel", "itemprop", "href")
_MARKING_VALUES = (
    "byline",
    "Byline top",
    "author",
    "Author",
    "author me",
    "co-authors",
    "story",
    "",
)
_marked_element = st.tuples(
    st.sampled_from(("div", "span", "a", "p", "section")),
    st.dictionaries(st.sampled_from(_MARKING_NAMES), st.sampled_from(_MARKING_VALUES), max_size=3),
)


def _marked_by_each_element(doc: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """What a byline candidate is, element by element (the loop the extractor used to run)."""
    found = []
    for el in doc.iter(lxml.etree.Element):
        for name in ("class", "id", "data-component", "data-testid"):
            value = el.get(name)
            if value and ("yline" in value or "uthor" in value):
                found.append(el)
                break
        else:
            if el.get("rel") == "author" or el.get("itemprop") == "author":
                found.append(el)
    return found


@FUZZ
@given(elements=st.lists(st.tuples(_marked_element, st.booleans()), max_size=12))
def test_byline_candidates_are_the_elements_their_attributes_mark(elements: list) -> None:
    """One XPath over the attributes finds the same elements, in page order, once each."""
    html, open_tags = [], []
    for (tag, attributes), nested in elements:
        if not nested and open_tags:
            html.append(f"</{open_tags.pop()}>")
        html.append(f"<{tag}" + "".join(f' {n}="{v}"' for n, v in attributes.items()) + ">x")
        open_tags.append(tag)
    doc = parse_page("<html><body>" + "".join(html) + "</body></html>", OutletRules())
    assert _byline_candidates(doc) == _marked_by_each_element(doc)


@FUZZ
@given(paragraphs=article)
def test_sentences_rejoin_into_their_paragraph(paragraphs: list[str]) -> None:
    sentences = split_sentences(paragraphs)
    joined = " ".join(clean_text(p) for p in paragraphs if clean_text(p))
    assert " ".join(sentences) == joined
    assert all(s and s == clean_text(s) for s in sentences)


# -- URLs --------------------------------------------------------------------------------------

label = st.text(alphabet=string.ascii_lowercase + string.digits + "-", min_size=1, max_size=10)
names = (
    st.lists(label, min_size=1, max_size=4)
    .map(".".join)
    .filter(lambda h: not h.split(".")[-1].isdigit() and not h.split(".")[-1].startswith("0x"))
)
ipv4 = st.integers(0, 2**32 - 1).map(lambda n: str(ipaddress.IPv4Address(n)))
odd_ipv4 = st.integers(0, 2**32 - 1).flatmap(
    lambda n: st.sampled_from([str(n), hex(n), f"0{n:o}", str(ipaddress.IPv4Address(n))])
)
ipv6 = st.integers(0, 2**128 - 1).map(lambda n: f"[{ipaddress.IPv6Address(n)}]")
hosts = st.one_of(
    names,
    names.map(str.upper),
    ipv4,
    odd_ipv4,
    ipv6,
    st.just("bücher.example"),
    st.just("localhost"),
)
path_chars = string.ascii_letters + string.digits + "-._~!$&'()*+,;=:@/%éü한 "
urls = st.builds(
    lambda scheme, host, port, path, query, fragment: (
        f"{scheme}://{host}{port}/{path}{query}{fragment}"
    ),
    st.sampled_from(["http", "https", "HTTP", "Https"]),
    hosts,
    st.sampled_from(["", ":80", ":443", ":8080", ":1"]),
    st.text(alphabet=path_chars, max_size=30),
    st.sampled_from(["", "?a=1", "?utm_source=x&id=7", "?fbclid=1", "?b=2&a=1&ref=x", "?q=%20x"]),
    st.sampled_from(["", "#top", "#"]),
)


def guard_verdict(url: str) -> str:
    try:
        check_url(url)
    except FetchError as exc:
        return type(exc).__name__
    return "ok"


@FUZZ
@given(url=urls)
@example("http://2130706433/a")
@example("http://0x7f.1/a")
@example("http://[::ffff:169.254.169.254]/")
@example("HTTP://Example.COM:80/a b?utm_campaign=x#f")
def test_url_normalisation_is_idempotent_and_keeps_what_the_host_means(url: str) -> None:
    try:
        once = normalise_url(url)
    except UsageError:
        return
    assert normalise_url(once) == once
    before, after = urlsplit(url), urlsplit(once)
    assert after.scheme == before.scheme.lower()
    assert (after.port or (443 if after.scheme == "https" else 80)) == (
        before.port or (443 if before.scheme.lower() == "https" else 80)
    )
    original_host = (before.hostname or "").rstrip(".")
    try:
        meant = literal_address(original_host)
    except ValueError:
        meant = None
    if meant is not None:  # an address, in whatever spelling: still that address
        assert literal_address(after.hostname or "") == meant
    elif original_host.isascii():
        assert after.hostname == original_host.lower()
    # The guard gives the same answer before and after: normalising never launders a URL.
    assert guard_verdict(once) == guard_verdict(url)


@FUZZ
@given(text=st.text(max_size=80))
@example("javascript:alert(1)")
@example("http://a\\@127.0.0.1/")
@example("http://user:pw@x.example/")
def test_arbitrary_text_is_a_usage_error_or_a_stable_http_url(text: str) -> None:
    try:
        once = normalise_url(text)
    except UsageError:
        return
    assert normalise_url(once) == once
    assert urlsplit(once).scheme in ("http", "https") and "@" not in urlsplit(once).netloc


# -- extraction and decoding ------------------------------------------------------------------

TAGS = ["p", "div", "article", "h1", "span", "a", "br", "li", "ul", "table", "td", "script",
        "time", "meta", "title", "iframe", "svg", "template", "body", "html", "head"]  # fmt: skip
html_piece = st.one_of(
    st.sampled_from(TAGS).map(lambda t: f"<{t}>"),
    st.sampled_from(TAGS).map(lambda t: f"</{t}>"),
    st.sampled_from(
        [
            '<script type="application/ld+json">{"@type":"NewsArticle","datePublished":"x"',
            '<meta property="article:published_time" content="2019-13-45T99:99">',
            '<time datetime="9999-99-99">',
            "<!--",
            "<![CDATA[",
            "<?xml version='1.0'?>",
            "&#0;",
            "&#x110000;",
            "&lt;script&gt;",
            "\x00",
            "\ud800",
            '<a href="javascript:x">',
            "Posted : 2019-03-26 17:08",
            "입력 2019-03-26",
        ]
    ),
    sentence,
)
html_like = st.lists(html_piece, max_size=60).map("".join)


@FUZZ
@given(page=st.one_of(html_like, st.text(max_size=400)))
def test_extraction_raises_nothing_but_extract_error_on_any_text(page: str) -> None:
    try:
        extracted = extract_article(page, "https://news.example.com/a")
    except ExtractError:
        return
    assert extracted.paragraphs and all(p == clean_text(p) and p for p in extracted.paragraphs)


@FUZZ
@given(data=st.binary(max_size=2000))
def test_extraction_raises_nothing_but_extract_error_on_any_bytes(data: bytes) -> None:
    with contextlib.suppress(ExtractError):
        extract_article(data, "https://news.example.com/a")  # type: ignore[arg-type]


@FUZZ
@given(
    data=st.binary(max_size=3000),
    content_type=st.one_of(
        st.none(),
        st.sampled_from(
            [
                "text/html",
                "text/html; charset=utf-7",
                "text/html; charset=utf-16",
                "text/html; charset=nonsense",
                "text/html; charset=base64",
                "text/html; charset=euc-kr",
                'text/html; charset="',
                "image/png",
            ]
        ),
        st.text(max_size=40),
    ),
)
def test_decoding_never_raises_and_never_uses_utf7(data: bytes, content_type: str | None) -> None:
    text = decode_html(data, content_type)
    assert isinstance(text, str)
    assert detect_encoding(data, content_type) not in ("utf_7", "utf-7")


# -- escaping ------------------------------------------------------------------------------------

ACTIVE = re.compile(r"<(a|img|script|iframe|svg|object|embed|link|style)\b", re.IGNORECASE)
markdownish = st.lists(
    st.one_of(
        st.sampled_from(
            [
                "[x](javascript:alert(1))",
                "![i](http://evil.example/p.png)",
                "<script>alert(1)</script>",
                "<http://evil.example>",
                "<javascript:alert(1)>",
                "[a]: http://evil.example",
                "[a]",
                "**b**",
                "`c`",
                "\\",
                "<img src=x onerror=alert(1)>",
                "&lt;",
                "[",
                "](",
                ")",
                "\n\n",
                "    indented",
                "> quote",
                "# heading",
            ]
        ),
        st.text(max_size=10),
    ),
    max_size=20,
).map("".join)


@FUZZ
@given(text=markdownish)
def test_escaped_markdown_never_renders_a_link_image_or_html(text: str) -> None:
    rendered = markdown.markdown(escape_markdown(text))
    assert not ACTIVE.search(rendered), rendered


@SLOW
@given(old=article, new=article)
def test_the_html_diff_contains_only_its_own_markup(old: list[str], new: list[str]) -> None:
    hostile_old = [f"<script>{p}</script> <img src=x onerror=alert(1)>" for p in old]
    rendered = render_html(diff_versions("<b>", "", hostile_old, "<i>", "", new))
    tags = {el.tag for el in lxml.html.fragment_fromstring(rendered, create_parent="x").iter()}
    assert tags <= {"x", "div", "p", "span", "del", "ins"}, tags
