"""HTML page -> the article on it: headline, byline, body paragraphs, page times.

We diff the *article*, never the page, so this module decides what the article
is. Two properties matter equally:

- accuracy: the body holds the article's own paragraphs and nothing else (no
  headline, byline, captions, "Read more" links, newsletter boxes, comments);
- stability: when only the page around the article changes (a new "most read"
  list, other ads, a clock, related links) the paragraphs come out identical,
  or the service would report edits nobody made.

How the body is found (``_body``):

1. The page is parsed once with lxml, comments removed: React pages put
   ``<!-- -->`` between text fragments and extractors lose the text after them.
   Headline, byline, links and page times are read from the full page; then
   what is never article text (scripts, navigation, asides, figures) goes.
2. Our own segmentation cuts the DOM into text *blocks* (one per paragraph,
   heading, list item, table row; ``<br>`` splits a block) in document order,
   each knowing its element and how much of its text is link text. Output text
   always comes from these blocks, so which extractor voted for a paragraph
   never changes how the paragraph reads.
3. trafilatura (precision mode, comments off) votes: its output lines are
   mapped back onto blocks. Its fast pass runs first; its full pass (which
   compares itself with readability and jusText) only when the fast one kept
   little text or missed most of the page's best prose container.
4. The *main region* is the deepest element holding 80% of the voted text. It
   climbs one level at a time while the parent adds voted prose (an intro above
   a list), picks one ``<article>`` when several independent ones hold voted
   prose (infinite-scroll pages append the next story), and takes in siblings
   shaped like it (same tag and class: articles cut into chunks around ads).
   These decisions depend on where the article's own text sits, not on the
   size of anything around it, so a sidebar change cannot flip them.
5. A second opinion, a readability-style prose score over the same blocks,
   replaces trafilatura's region only when the two are disjoint and the prose
   region holds more than twice the text: trafilatura sometimes keeps a print
   notice or a teaser and misses the story entirely.
6. In the region, the voted blocks are kept, plus unvoted paragraphs sitting
   beside voted ones (trafilatura's votes are least stable at the edges), minus
   boilerplate by generic rules: the headline again, link-dense teasers ("Read
   more: …", lists of other stories), "Sign up for our newsletter", credits,
   copyright, timestamp and dateline lines, captions and anything inside
   figure/aside/byline/share/related containers. Headings that head nothing
   go last.

On the article-extraction-benchmark (181 pages) this scores above every
published extractor; ``benchmarks/extraction.py`` measures it.

Pure: no I/O. The document is parsed here and never shared, so removing
``rules.ignore_selectors`` from it is safe.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import lxml.html
from lxml import etree
from lxml.cssselect import CSSSelector, SelectorError
from lxml.html import HtmlElement

from monitor.errors import ConfigError, ExtractError
from monitor.models import ElementPath, Extracted, OutletRules
from monitor.text import clean_text
from monitor.timestamps import find_page_times, parse_page_time

if TYPE_CHECKING:  # trafilatura is imported at the first full extraction
    from trafilatura.settings import Extractor

__all__ = [
    "ElementPath",
    "PageMeta",
    "extract_article",
    "extract_located",
    "find_elements",
    "page_meta",
    "parse_page",
    "word_key",
]


# trafilatura logs every page it finds too short at WARNING; a page without an
# article is an ExtractError here, so the log line is noise.
logging.getLogger("trafilatura").setLevel(logging.ERROR)
_LOG = logging.getLogger(__name__)

NO_ARTICLE = "no article text found"

# lxml parsers and compiled XPaths must not be shared between threads (the
# checker extracts in worker threads), so each thread builds its own.
_LOCAL = threading.local()


def _parser() -> lxml.html.HTMLParser:
    parser = getattr(_LOCAL, "parser", None)
    if parser is None:
        parser = _LOCAL.parser = lxml.html.HTMLParser(
            remove_comments=True, remove_pis=True, encoding="utf-8"
        )
        # lxml.html picks each element's class in Python (forms and inputs get their
        # own), once for every element touched: a tenth of the fast path's time.
        # Nothing here uses the form classes, so lxml's own C lookup does.
        parser.set_element_class_lookup(
            etree.ElementDefaultClassLookup(
                element=lxml.html.HtmlElement,
                comment=lxml.html.HtmlComment,
                pi=lxml.html.HtmlProcessingInstruction,
                entity=lxml.html.HtmlEntity,
            )
        )
    return parser


# Elements whose content is never article text.
_SKIP = frozenset(
    (
        "script style noscript template svg iframe head select option textarea object embed "
        "canvas video audio map button input math title meta link base"
    ).split()
)
# Elements that start a new block; everything else is inline (custom elements too).
_BLOCK = frozenset(
    (
        "p h1 h2 h3 h4 h5 h6 li blockquote pre dd dt dl figcaption caption div section article "
        "main aside header footer nav ul ol table tr tbody thead tfoot figure form address center "
        "hr body html fieldset legend details summary menu"
    ).split()
)
_CELLS = frozenset(("td", "th"))
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_NOT_PROSE = _HEADINGS | frozenset(("li", "dt", "figcaption", "caption", "td", "th", "tr"))
# Short blocks that are content when they are these (a list item, a table row), not labels.
_STRUCTURED = frozenset("p h2 h3 h4 h5 h6 li dd dt tr td th blockquote pre".split())
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
# What libxml2 refuses in text. Looked for one by one (a third of the time of one
# regex scan) before the regex removes them, which a page seldom needs.
_CONTROL_CHARACTERS = tuple(chr(c) for c in (*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F))
_CONTROL = re.compile(f"[{re.escape(''.join(_CONTROL_CHARACTERS))}]")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>", re.I)
# A tag long enough to hold MAX_ATTRIBUTES attributes (each takes two characters at least),
# taken whole and split by _tame_tag. Splitting it here, name then attributes, made the
# engine try every split of every tag on the page: 5 to 9 ms a real page, more than libxml2.
_LONG_TAG_ATTRIBUTES = 2000
_LONG_TAG = re.compile(rf"<([A-Za-z][^<>]{{{_LONG_TAG_ATTRIBUTES},}}+)>")
_TAG_NAME = re.compile(r"[^\s<>/]*")
_ATTRIBUTE = re.compile(r"""[^\s=/>"']+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*))?""")
_WORD = re.compile(r"\w+")
# The ASCII characters _WORD does not match, which word_key deletes from ASCII text.
_ASCII_NON_WORD = bytes(code for code in range(128) if not _WORD.match(chr(code)))

MAIN_SHARE = 0.8  # the main region holds this share of the voted text
FALLBACK_RATIO = 2.0  # the prose region replaces trafilatura's when this much bigger
PROSE_MIN = 60  # characters for a block to count as a prose paragraph
ARTICLE_MIN = 400  # voted prose in the main region that makes it trafilatura's article
SCOPE_MIN_CHARS = 300  # prose around the headline that makes its container the article's
DOUBTFUL_VOTES = 500  # trafilatura's fast pass keeping less text than this is re-checked
BOILERPLATE_MAX = 300  # phrase rules apply to blocks shorter than this
# Bounds on hostile or broken pages, so no page can take minutes or gigabytes:
# real article pages hold a few thousand elements, and a line repeated more
# often than MAX_COPIES times is page furniture, never the article.
MAX_ELEMENTS = 15_000  # elements after this many (document order) are dropped
MAX_COPIES = 50  # a trafilatura line found in more blocks than this is not voted
MAX_ATTRIBUTES = 1_000  # a tag with more loses them all: libxml2 compares them pairwise
_NEVER_TEXT = ("svg", "math", "style")  # removed before counting towards MAX_ELEMENTS
_NODE_COUNT = etree.XPath("count(//node())")

# Phrases that make a short block boilerplate (blocks under BOILERPLATE_MAX chars).
# Split in two for speed: what must open the block, and what may appear anywhere
# (searched only when one of _ANYWHERE_HINTS occurs in the lower-cased text).
_BOILERPLATE_START = re.compile(
    r"""(?ix)
    (?:read|see|watch|listen|click|tap|learn)\s+(?:more|also|next|here|now)\b
    |(?:related|more|also|recommended|trending|popular|most\ (?:read|popular|viewed|shared))
      (?:\ (?:posts?|stories|articles|reading|news|content|links?|videos?|on\ \S+))?\s*[:.|…-]
    |(?:related|recommended)(?:\ (?:posts?|stories|articles|reading|news|content|links?|videos?))?$
    |(?:also|more)\ (?:on|from)\ \S+
    |don'?t\ miss
    |you\ (?:may|might)\ also\ (?:like|enjoy)
    |(?:most\ )?popular\ (?:on|in)\b
    |most\ (?:read|popular|viewed|shared)\b
    |(?:follow|like)\ (?:us|him|her|them|the\ \S+|[A-Z]\S+(?:\ \S+){0,4}\ on)\b
      .*\b(?:twitter|facebook|instagram|linkedin|youtube)
    |share\ (?:this|on|via)\b
    |\(?(?:additional\ )?reporting\ by\b|\(?editing\ by\b|\(?writing\ by\b|\(?compiled\ by\b
    |(?:source|sources|via|filed\ under|tags?|categor(?:y|ies)|posted\ in|topics?)\s*:
    |(?:advertisement|advertising|ad|sponsored(?:\ content)?|promoted|tags|share|print|e-?mail)$
    |\d*\s*comments?$|leave\ a\ (?:comment|reply)|(?:view|show|load)\ (?:all\ )?comments
    |(?:photo|image|picture|video)s?\s*(?:credit)?\s*:|credit:
    |\[(?:photo|image|picture|foto|사진)[^\]]{0,60}\]$
    |(?:updated|posted|published)(?:\ (?:at|on))?\s*:?\s*\d
    |(?:tempo\ de\ leitura|reading\ time|lesezeit|temps\ de\ lecture)\b
    """
)
_BOILERPLATE_ANYWHERE = re.compile(
    r"""(?ix)
    \bsign\ (?:up|in)\b.*\b(?:newsletter|inbox|email|free)
    |\bsubscribe\b.*\b(?:newsletter|inbox|today|now|free|channel|podcast)
    |\bnewsletters?\b.*\b(?:sign|subscri|inbox|deliver)
    |\bshare\ it\ with\b
    |\bcontributed\ (?:reporting|to\ this\ (?:report|story|article))
    |copyright|\(c\)\ \d{4}|[©ⓒ]|all\ rights\ reserved
    |\bgetty\ images\b|\bshutterstock\b|\(photo:
    |\bmin(?:ute)?s?\ read$
    """
)
_ANYWHERE_HINTS = (
    "sign",
    "subscri",
    "newsletter",
    "share it",
    "contributed",
    "copyright",
    "(c)",
    "©",
    "ⓒ",
    "rights reserved",
    "getty",
    "shutterstock",
    "(photo:",
    " read",
)


def _is_timestamp_line(text: str) -> bool:
    """A short line that is a date or time and little else ("Nov. 19, 2019 5:45 AM")."""
    return (
        len(text) <= 60
        and len(text.split()) <= 8
        and text[-1] not in '.!?"”’'
        and text[0] not in "—–-(["  # "— Name (@handle) November 4, 2019" signs a quoted tweet
        and "@" not in text
        and "~" not in text  # a run of dates is a schedule, not a timestamp
        and any(c.isdigit() for c in text)
        and parse_page_time(text, None) is not None
    )


# A dateline on a line of its own: "PORT SELWYN, Nov 14 (Meridian) -", "WASHINGTON (AP) —".
_DATELINE = re.compile(
    r"[A-Z][A-Z .'’-]{2,40}(?:,\s*[A-Z][A-Za-z]{2,8}\.?\s+\d{1,2})?(?:\s*\([^)]{2,30}\))?\s*[-–—]?"
)


def _boilerplate_phrase(text: str) -> bool:
    if _BOILERPLATE_START.match(text):
        return True
    if _is_timestamp_line(text):
        return True
    if (
        len(text) < 80
        and _DATELINE.fullmatch(text)
        and ("(" in text or text[-1] in "-–—" or any(c.isdigit() for c in text))
    ):
        return True
    lower = text.lower()
    return any(h in lower for h in _ANYWHERE_HINTS) and bool(_BOILERPLATE_ANYWHERE.search(text))


# class/id words of containers whose content is not article text.
_BOILERPLATE_CONTAINER = re.compile(
    r"caption|credit|byline|author|share|social|related|newsletter|promo|subscribe|signup"
    r"|advert|sponsor|(?:^|[\s_-])ad(?:$|[\s_-])|comment|disqus|discussion|tags?(?:$|[\s_-])|breadcrumb|footer"
    r"|more-|recirc|outbrain|taboola|most-?(?:read|popular)|dateline",
    re.I,
)
# ("form" is not one: ASP.NET pages wrap the whole page, article included, in a form.)
_BOILERPLATE_TAGS = frozenset(("figcaption", "figure", "caption", "aside", "nav", "footer"))
_URLISH = re.compile(r"^(?:https?://|www\.|@)\S+$|^\S+\.(?:com|org|net)\S*$", re.I)
# readability's class/id weights, for the second opinion
_POSITIVE = re.compile(r"article|body|content|entry|hentry|main|page|post|text|blog|story", re.I)
_NEGATIVE = re.compile(
    r"combx|comment|com-|contact|foot|footer|footnote|masthead|media|meta|outbrain|promo|related"
    r"|scroll|shoutbox|sidebar|sponsor|shopping|tags|tool|widget|recirc|newsletter|subscribe",
    re.I,
)
_UNLIKELY = re.compile(
    r"comment|disqus|discussion|repl(?:y|ies)|sidebar|side-bar|footer|related|recirc|most-?(?:read|popular)|newsletter"
    r"|outbrain|taboola|promo|sponsor",
    re.I,
)
_PROSE_TAGS = frozenset("p pre td blockquote div section article dd span font center main".split())
_TITLE_SEPARATORS = (" | ", " - ", " — ", " – ", " :: ", " · ", " « ", " » ")
_BYLINE_MARKER = re.compile(r"byline|author")
_BYLINE_EXCLUDE = re.compile(r"comment|role|bio|avatar|image|photo|date|time")
_NAME_MARKER = re.compile(r"(?:author|byline|contributor)[-_]{0,2}name|\bname\b|\bfn\b")
_BY = re.compile(r"^\s*(?:by|von|par|por|di|door)\s*:?\s+", re.I)


def extract_article(
    html: str,
    url: str | None = None,
    rules: OutletRules = OutletRules(),  # noqa: B008 - frozen, so one shared default is safe
    *,
    now: datetime | None = None,
) -> Extracted:
    """The article on ``html``: headline, byline, body paragraphs and page times.

    ``url`` resolves a relative canonical link. ``rules`` are the outlet's
    overrides: ``ignore_selectors`` are removed before anything else looks at
    the page, and a matching ``body_selector`` replaces the automatic body
    detection. ``now`` is passed to the timestamp finder (the fetch time, so an
    old snapshot re-extracts the same way).

    Raises ``ExtractError`` when the page has no article text (or cannot be
    parsed at all): a page without an article must never be stored as an
    article whose text was deleted. An invalid selector in ``rules`` is a
    ``ConfigError``, like an invalid time zone.
    """
    return extract_located(html, url, rules, now=now)[0]


def extract_located(
    html: str,
    url: str | None = None,
    rules: OutletRules = OutletRules(),  # noqa: B008 - frozen, so one shared default is safe
    *,
    now: datetime | None = None,
) -> tuple[Extracted, tuple[ElementPath, ...] | None]:
    """``extract_article``, and where on the page the body was found.

    The places are the paths (see ``find_elements``) of the elements the body
    paragraphs were read from, in page order, or None when one cannot be
    named that way. The unchanged-article fast path (``monitor.fastpath``)
    reads them to know which parts of the next fetch of the page hold the
    article's text.
    """
    doc = parse_page(html, rules)
    try:
        meta = _Meta.read(doc, url)
    except RecursionError as err:
        raise ExtractError(NO_ARTICLE) from err
    except Exception as err:  # a bug met on one hostile page must not stop other checks
        raise _unexpected(err, url) from err
    try:
        posted, updated = find_page_times(doc, rules, now=now)
    except ConfigError:
        raise
    except Exception:  # a page-times bug must not make the article uncheckable
        _LOG.warning("page times failed on %s", url or "a page", exc_info=True)
        posted = updated = None
    try:
        blocks = _body(doc, rules, meta)
        paragraphs = _paragraphs(blocks)
    except ConfigError:
        raise
    except RecursionError as err:  # pathological nesting that slipped past the parser's limit
        raise ExtractError(NO_ARTICLE) from err
    except Exception as err:
        raise _unexpected(err, url) from err
    if not paragraphs:
        raise ExtractError(NO_ARTICLE)
    extracted = Extracted(
        title=meta.title,
        byline=meta.byline,
        paragraphs=paragraphs,
        posted=posted,
        updated=updated,
        canonical_url=meta.canonical_url,
        language=meta.language,
    )
    return extracted, _element_paths(list(dict.fromkeys(b.el for b in blocks)))


def _unexpected(err: Exception, url: str | None) -> ExtractError:
    _LOG.warning("extraction failed on %s", url or "a page", exc_info=err)
    return ExtractError(f"could not extract the article: {type(err).__name__}: {err}"[:300])


# --- parsing ---------------------------------------------------------------


def parse_page(html: str | bytes, rules: OutletRules = OutletRules()) -> HtmlElement:  # noqa: B008
    """The page as the extractor sees it: parsed, the outlet's ignored elements removed."""
    doc = _parse(html)
    _drop(doc, rules.ignore_selectors)
    return doc


def find_elements(doc: HtmlElement, paths: Iterable[ElementPath]) -> list[HtmlElement] | None:
    """The elements at ``paths`` in a page from ``parse_page``; None if one is not there.

    Each step counts only the children that ``_strip`` keeps, so a path taken
    after the extractor stripped the page names the same element in a fresh
    parse, scripts, navigation and asides included.
    """
    kept: dict[HtmlElement, list[HtmlElement]] = {}
    found = []
    for path in paths:
        el = doc
        for index in path:
            children = kept.get(el)
            if children is None:
                children = kept[el] = [
                    c for c in el if isinstance(c.tag, str) and c.tag not in _STRIP
                ]
            if index >= len(children):
                return None
            el = children[index]
        found.append(el)
    return found


def _element_paths(elements: list[HtmlElement]) -> tuple[ElementPath, ...] | None:
    """The paths ``find_elements`` follows to ``elements``; None if one is inside an
    element ``_strip`` removes. Each parent's children are counted once (a hostile
    page can have 15,000 paragraphs side by side)."""
    positions: dict[HtmlElement, dict[HtmlElement, int]] = {}
    paths = []
    for el in elements:
        path: list[int] = []
        while (parent := el.getparent()) is not None:
            if el.tag in _STRIP:
                return None
            index = positions.get(parent)
            if index is None:
                kept = (c for c in parent if isinstance(c.tag, str) and c.tag not in _STRIP)
                index = positions[parent] = {c: i for i, c in enumerate(kept)}
            path.append(index[el])
            el = parent
        paths.append(tuple(reversed(path)))
    return tuple(paths)


def _parse(html: str | bytes) -> HtmlElement:
    """One lxml document, or ``ExtractError``: nothing else escapes on bad input."""
    if isinstance(html, bytes):
        html = html.decode("utf-8", errors="replace")
    if not isinstance(html, str):
        raise ExtractError(f"expected HTML text, got {type(html).__name__}")
    # lxml refuses NUL and other control characters, and an encoding declaration
    # in an already decoded string; neither carries article text.
    text = html
    if declaration := _XML_DECLARATION.match(text):  # match: sub would try every position
        text = text[declaration.end() :]
    if any(c in text for c in _CONTROL_CHARACTERS):
        text = _CONTROL.sub("", text)
    text = _LONG_TAG.sub(_tame_tag, text)
    if not text.strip():
        raise ExtractError(NO_ARTICLE)
    # Handed over as UTF-8, which libxml2 reads as it is (a str it would convert
    # first); encoding it also replaces lone surrogates from a bad decode, which
    # libxml2 would refuse. The tree is the same.
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        data = text.encode("utf-8", errors="replace")
    try:
        doc = lxml.html.document_fromstring(data, parser=_parser())
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as err:
        raise ExtractError(f"could not parse the page: {err}") from err
    if doc is None or not isinstance(doc.tag, str):
        raise ExtractError(NO_ARTICLE)
    _truncate(doc, MAX_ELEMENTS)
    return doc


def _tame_tag(match: re.Match[str]) -> str:
    """A tag with absurdly many attributes, without them: libxml2 would take minutes on it.

    Its name is the run of name characters it starts with, cut short where
    that would leave the attributes under ``_LONG_TAG_ATTRIBUTES`` characters
    (too few to hold more than ``MAX_ATTRIBUTES``).
    """
    inside = match[1]
    named = _TAG_NAME.match(inside)
    name_end = min(named.end() if named else 0, len(inside) - _LONG_TAG_ATTRIBUTES)
    if len(_ATTRIBUTE.findall(inside, name_end)) <= MAX_ATTRIBUTES:
        return match[0]
    return f"<{inside[:name_end]}>"


def _truncate(doc: HtmlElement, limit: int) -> None:
    """Drop every element after the first ``limit`` (document order), with its text.

    Only hostile or broken pages get here (50,000 paragraphs, 100,000 list
    items): the extractor's work grows with the element count, and what
    comes that late on a page is not the article. Drawings and style sheets
    go first and are not counted: a real page's SVG icons can hold thousands
    of elements, and counting them could cut the end of a long article.
    """
    for el in list(doc.iter(*_NEVER_TEXT)):
        if el.getparent() is not None:
            el.drop_tree()
    # Counted in C first, text nodes too, so never fewer than doc.iter() gives:
    # listing the elements of an ordinary page just to count them took 0.2 ms.
    if _NODE_COUNT(doc) <= limit:
        return
    elements = list(doc.iter())
    if len(elements) <= limit:
        return
    kept = set(elements[:limit])
    for el in elements[limit:]:
        parent = el.getparent()
        if parent is not None and parent in kept:
            parent.remove(el)


def _selector(css: str) -> CSSSelector:
    try:
        return CSSSelector(css)
    except (SelectorError, SyntaxError, ValueError) as err:
        raise ConfigError(f"invalid CSS selector {css!r}: {err}") from err


def _drop(doc: HtmlElement, selectors: Iterable[str]) -> None:
    """Remove the outlet's ignored elements; their tails (text after them) stay."""
    for css in selectors:
        for el in _selector(css)(doc):
            if el.getparent() is not None:
                el.drop_tree()


def word_key(text: str) -> str:
    """Text reduced to its word characters: how we match text from two sources.

    Joining the words is the same as deleting what lies between them, and a
    third faster: this runs for every block of every page extracted. An
    all-ASCII text has the rest deleted as bytes instead, ten times faster
    again (0.4 against 4.5 µs a sentence): no list of words is made.
    """
    if text.isascii():
        return text.encode("ascii").translate(None, _ASCII_NON_WORD).decode("ascii")
    return "".join(_WORD.findall(text))


def _fold(text: str) -> str:
    return " ".join(text.split())


# --- page metadata -----------------------------------------------------------


@dataclass
class _Meta:
    """Headline, byline and links, read from the whole page before the body.

    The headline keys are worked out only when the body's search asks for
    them: the fast path reads a page's metadata on every check and never does.
    """

    title: str
    byline: str
    canonical_url: str | None
    language: str | None
    _own_titles: tuple[str, ...]  # this page's title in each form it states it
    _h1s: tuple[str, ...]

    @classmethod
    def read(cls, doc: HtmlElement, url: str | None) -> _Meta:
        json_ld = list(_json_ld_objects(doc))
        article_ld = [obj for obj in json_ld if _is_article(obj)]
        metas = _meta_contents(doc)
        title, own_titles, h1s = _title(doc, metas, article_ld, url)
        return cls(
            title=title,
            byline=_byline(doc, metas, article_ld),
            canonical_url=_canonical(doc, metas, url),
            language=_language(doc, metas),
            _own_titles=own_titles,
            _h1s=h1s,
        )

    @functools.cached_property
    def title_keys(self) -> frozenset[str]:
        """Lower-cased keys of every headline form on the page."""
        return _forms({*self._own_titles, *self._h1s})

    @functools.cached_property
    def own_title_keys(self) -> frozenset[str]:
        """The same for this page's title only (not other h1s)."""
        return _forms(self._own_titles)


@dataclass(frozen=True)
class PageMeta:
    """What the extractor reads from the whole page besides the body and the times."""

    title: str
    byline: str
    canonical_url: str | None
    language: str | None


def page_meta(doc: HtmlElement, url: str | None) -> PageMeta:
    """Headline, byline, canonical link and language of a page from ``parse_page``.

    The same reading ``extract_article`` does, and cheap (no body, no times):
    the fast path compares these exactly instead of fingerprinting their sources.
    """
    meta = _Meta.read(doc, url)
    return PageMeta(meta.title, meta.byline, meta.canonical_url, meta.language)


def _json_ld_objects(doc: HtmlElement) -> Iterator[dict[str, Any]]:
    for script in doc.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text or "")
        except (ValueError, RecursionError):  # RecursionError: "[[[[…" nested 100,000 deep
            continue  # broken JSON-LD is common; the visible page still has what we need
        yield from _walk_json(data, 0)


def _walk_json(value: Any, depth: int) -> Iterator[dict[str, Any]]:
    if depth > 6:
        return
    if isinstance(value, list):
        for item in value:
            yield from _walk_json(item, depth + 1)
    elif isinstance(value, dict):
        yield value
        for name in ("@graph", "mainEntity", "mainEntityOfPage"):
            if name in value:
                yield from _walk_json(value[name], depth + 1)


def _is_article(obj: dict[str, Any]) -> bool:
    kinds = obj.get("@type")
    names = kinds if isinstance(kinds, list) else [kinds]
    return any(
        isinstance(n, str) and (n.endswith("Article") or n in ("BlogPosting", "Report"))
        for n in names
    )


def _meta_contents(doc: HtmlElement) -> dict[str, str]:
    """Each meta property or name (lower-cased) with the first content given for it.

    Read once for all the names the metadata asks about (ten or so): one
    walk of the page's meta elements, not one for each name.
    """
    contents: dict[str, str] = {}
    for el in doc.iter("meta"):
        value = _fold(el.get("content") or "")
        if value:
            for key in ((el.get("property") or "").lower(), (el.get("name") or "").lower()):
                contents.setdefault(key, value)
    return contents


def _meta_content(metas: dict[str, str], *names: str) -> str:
    """The content of the first of ``names`` the page gives one for."""
    return next((metas[name] for name in names if name in metas), "")


def _site_names(
    metas: dict[str, str], article_ld: list[dict[str, Any]], url: str | None
) -> set[str]:
    names = {_meta_content(metas, "og:site_name"), _meta_content(metas, "application-name")}
    for obj in article_ld:
        publisher = obj.get("publisher")
        if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
            names.add(publisher["name"])
    keys = {word_key(n).lower() for n in names if n}
    if url:  # "www.example-news.co.uk" also names the site "examplenews"
        keys.update(
            word_key(label) for label in _host(url).split(".")[:-1] if label not in _GENERIC_LABELS
        )
    keys.discard("")
    return keys


_GENERIC_LABELS = frozenset("www m amp mobile news co com org net gov ac edu".split())


def _strip_site(title: str, sites: set[str], headline_keys: set[str]) -> str:
    """``"Headline | Site"`` -> ``"Headline"``: drop a leading or trailing site part."""
    for sep in _TITLE_SEPARATORS:
        if sep not in title:
            continue
        head, tail = title.rsplit(sep, 1)
        tail_key = word_key(tail).lower()
        if tail_key in sites or (
            len(tail_key) >= 3
            and any(len(s) >= 4 and (tail_key in s or s in tail_key) for s in sites)
        ):
            return _strip_site(head.strip(), sites, headline_keys)
        first, rest = title.split(sep, 1)
        first_key = word_key(first).lower()
        if first_key and first_key in sites:
            return _strip_site(rest.strip(), sites, headline_keys)
        if word_key(head).lower() in headline_keys:
            return head.strip()
    return title


def _title(
    doc: HtmlElement, metas: dict[str, str], article_ld: list[dict[str, Any]], url: str | None
) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """The headline (site suffix stripped), this page's own title in each form
    it states it (its metadata, not other h1s), and the page's h1s."""
    h1s = [_fold(h.text_content()) for h in doc.iter("h1")]
    h1s = [h for h in h1s if h]
    og = _meta_content(metas, "og:title", "twitter:title")
    ld = next(
        (
            _fold(obj["headline"])
            for obj in article_ld
            if isinstance(obj.get("headline"), str) and obj["headline"].strip()
        ),
        "",
    )
    title_el = doc.find(".//title")
    page_title = _fold(title_el.text_content()) if title_el is not None else ""
    sites = _site_names(metas, article_ld, url)
    headline_keys = {word_key(h).lower() for h in (*h1s, ld) if h}
    title = ""
    for candidate in (og, ld, _article_h1(doc), page_title):
        if candidate and word_key(candidate).lower() not in sites:  # og:title = site name: no
            title = _strip_site(candidate, sites, headline_keys)
            break
    return clean_text(title), (title, og, ld, page_title), tuple(h1s)


def _forms(titles: Iterable[str]) -> frozenset[str]:
    """Lower-cased keys of ``titles`` and of their parts before a separator."""
    forms = set(titles)
    for form in list(forms):
        for sep in _TITLE_SEPARATORS:
            if sep in form:
                forms.update((form.rsplit(sep, 1)[0], form.split(sep, 1)[0]))
    return frozenset(k for k in (word_key(f).lower() for f in forms if f) if len(k) >= 8)


def _article_h1(doc: HtmlElement) -> str:
    for scope in (*doc.iter("article"), doc):
        h1 = next(scope.iter("h1"), None)
        if h1 is not None:
            text = _fold(h1.text_content())
            if text:
                return text
    return ""


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return _names(value.get("name"))
    if isinstance(value, list):
        return [name for item in value for name in _names(item)]
    return []


def _clean_byline(text: str) -> str:
    text = clean_text(text)
    text = _BY.sub("", text)
    return text.strip(" ,;|·•-–—")


def _is_name(text: str) -> bool:
    """A person or desk name, not a URL, an e-mail address or a sentence."""
    return bool(text) and "://" not in text and "@" not in text and len(text) <= 100


def _byline(doc: HtmlElement, metas: dict[str, str], article_ld: list[dict[str, Any]]) -> str:
    """Author names, most trustworthy source first: JSON-LD, meta, then the page."""
    for obj in article_ld:
        names = _unique(_clean_byline(n) for n in _names(obj.get("author")))
        if names:
            return ", ".join(names)
    for name in ("author", "article:author", "byl", "parsely-author", "sailthru.author"):
        value = _clean_byline(_meta_content(metas, name))
        if _is_name(value):
            return value
    return _visible_byline(doc)


def _unique(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(n for n in names if _is_name(n)))


def _marker(el: HtmlElement) -> str:
    """The words a template uses to say what an element is."""
    return " ".join(
        el.get(attr) or ""
        for attr in ("class", "id", "itemprop", "data-testid", "data-component", "rel")
    ).lower()


# Attributes whose values mark a byline or author ("yline"/"uthor" match either case
# of the first letter); _visible_byline judges the elements they mark.
_BYLINE_ATTRIBUTES = frozenset(("class", "id", "data-component", "data-testid"))
_AUTHOR_ATTRIBUTES = frozenset(("rel", "itemprop"))  # these mark one when they say "author"
# Every attribute value on the page that holds either, in page order.
_BYLINE_OR_AUTHOR = etree.XPath(".//@*[contains(., 'yline') or contains(., 'uthor')]")


def _byline_candidates(doc: HtmlElement) -> list[HtmlElement]:
    """Elements marked as a byline or author, in page order.

    One XPath over the page's attributes, in C, keeping the values that hold
    either word; of those, the attributes that mark one are kept here. Not
    an XPath testing each element's attributes (each test is a pass over the
    page: 2.1 ms on the extraction benchmark's real pages), nor a Python loop
    over every element (1.8 ms; 92 µs on this project's synthetic pages):
    1.2 ms and 30 µs. Pages without an author in JSON-LD or meta pay it on
    every check, the fast path's included.
    """
    found: dict[HtmlElement, None] = {}
    for value in _BYLINE_OR_AUTHOR(doc):
        name = value.attrname
        if name in _BYLINE_ATTRIBUTES or (name in _AUTHOR_ATTRIBUTES and value == "author"):
            found.setdefault(value.getparent())
    return list(found)


def _visible_byline(doc: HtmlElement) -> str:
    """Names from the first byline on the page, outside comments.

    Name elements (``rel=author`` links, ``*author-name*``, ``*byline-name*``,
    ``itemprop=name`` inside an author) are preferred to the byline's whole
    text, which also holds "By", roles and outlets.
    """
    for container in _byline_candidates(doc):
        if container.tag in ("html", "body", "head", "meta"):
            continue
        marker = _marker(container)
        if not _BYLINE_MARKER.search(marker) or _BYLINE_EXCLUDE.search(marker):
            continue
        if any(_BYLINE_EXCLUDE.search(_marker(a)) for a in container.iterancestors()):
            continue
        marked = [
            el
            for el in container.iter()
            if el is not container
            and isinstance(el.tag, str)
            and (_NAME_MARKER.search(_marker(el)) or el.get("rel") == "author")
        ]
        innermost = [el for el in marked if not any(o is not el and o in marked for o in el.iter())]
        names = _unique(_clean_byline(el.text_content()) for el in innermost)
        if names:
            return ", ".join(names)
        text = _clean_byline(container.text_content())
        parts = re.split(r"\s+(?:and|&|und|et|y|e)\s+|,\s*", re.split(r"\s+[|•·]\s+", text)[0])
        names = _unique(p for p in (_clean_byline(p) for p in parts) if 1 <= len(p.split()) <= 5)
        if names:
            return ", ".join(names)
    return ""


def _canonical(doc: HtmlElement, metas: dict[str, str], url: str | None) -> str | None:
    """The page's canonical URL: http(s) only (``javascript:`` is page text, not a URL)."""
    found = None
    for link in doc.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        href = _fold(link.get("href") or "")
        if "canonical" in rel and href:
            found = _join(url, href)
            break
    else:
        og = _meta_content(metas, "og:url")
        found = _join(url, og) if og else None
    return found if found and found.lower().startswith(("http://", "https://")) else None


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:  # "http://[bad": the page's URL is data too
        return ""


def _join(base: str | None, href: str) -> str:
    """``href`` resolved against ``base``; as written when either is malformed."""
    if not base:
        return href
    try:
        return urljoin(base, href)
    except ValueError:
        return href


def _language(doc: HtmlElement, metas: dict[str, str]) -> str | None:
    value = (doc.get("lang") or doc.get("xml:lang") or "").strip()
    if not value:
        value = _meta_content(metas, "og:locale", "content-language", "language")
        if not value:
            for el in doc.iter("meta"):
                if (el.get("http-equiv") or "").lower() == "content-language":
                    value = (el.get("content") or "").strip()
                    break
    value = value.replace("_", "-").split(",")[0].strip()
    return value or None


# --- blocks ------------------------------------------------------------------


class _Block:
    """One paragraph-like run of text and the element it belongs to."""

    __slots__ = ("_key", "el", "index", "link", "text", "voted")

    def __init__(self, el: HtmlElement, text: str, link: int, index: int) -> None:
        self.el = el
        self.text = text
        self.link = link  # characters of link text
        self.index = index
        self.voted = False
        self._key: str | None = None

    @property
    def key(self) -> str:
        """``word_key`` of the text, once: the votes, the headline scope and the
        boilerplate judge each ask for it, a tenth of a synthetic page's extraction."""
        key = self._key
        if key is None:
            key = self._key = word_key(self.text)
        return key

    @property
    def tag(self) -> str:
        return str(self.el.tag)

    def is_prose(self, min_length: int = PROSE_MIN) -> bool:
        """A running-text paragraph: long enough, few links, not a heading or list item."""
        n = len(self.text)
        return n >= min_length and self.link <= 0.3 * n and self.tag not in _NOT_PROSE

    def __repr__(self) -> str:  # debugging aid for the benchmark
        return f"<{self.tag} {self.link}/{len(self.text)} {self.text[:60]!r}>"


@dataclass
class _Totals:
    """What one element holds: characters, link and voted characters, prose score."""

    chars: int = 0
    link: int = 0
    voted: int = 0
    prose: float = 0.0  # readability's score, for three generations only
    prose_chars: int = 0  # characters of prose paragraphs (``_Block.is_prose``)
    prose_blocks: int = 0
    voted_prose: int = 0


class _Page:
    """The blocks of one page body, and where each element starts and ends.

    ``span[el]`` is the element's first and last position in document order,
    so "is this block inside that region" is two comparisons instead of a walk
    up the tree; the region logic asks it thousands of times per page.
    """

    def __init__(self, root: HtmlElement) -> None:
        self.root = root
        self.blocks: list[_Block] = []
        self.order: list[HtmlElement] = []
        self.span: dict[HtmlElement, tuple[int, int]] = {}
        self._segment()

    def inside(self, el: HtmlElement, region: HtmlElement) -> bool:
        first, last = self.span[region]
        return first <= self.span[el][0] <= last

    def _segment(self) -> None:
        """Cut the body into blocks, in document order, without recursion.

        A block element (p, li, div…) starts a new block; its inline content
        (text, links, spans, custom elements) accumulates into it until the next
        block boundary or ``<br>``. Table cells without block content are joined
        into their row. Link text is counted across block boundaries, so a card
        that is one big link is link text throughout.
        """
        blocks, order, span = self.blocks, self.order, self.span
        stack: list[tuple[HtmlElement, list[str], list[int]]] = []
        starts: dict[HtmlElement, int] = {}
        link_depth = 0
        inline_cells: set[HtmlElement] = set()

        def add(text: str | None) -> None:
            if text and stack:
                stack[-1][1].append(text)
                if link_depth:
                    stack[-1][2][0] += len(text.strip())

        def flush() -> None:
            el, parts, link = stack[-1]
            if parts:
                joined = "".join(parts)
                if not joined.isspace():
                    text = _fold(joined)
                    if text:
                        blocks.append(_Block(el, text, link[0], len(blocks)))
                parts.clear()
            link[0] = 0

        walker = etree.iterwalk(self.root, events=("start", "end"))
        for event, el in walker:
            tag = el.tag if isinstance(el.tag, str) else None
            if event == "start":
                if tag is None or tag in _SKIP or _hidden(el):
                    walker.skip_subtree()
                    continue
                starts[el] = len(order)
                order.append(el)
                if tag == "br":
                    if stack:
                        flush()
                elif tag in _BLOCK or (tag in _CELLS and _cell_is_block(el)):
                    if stack:
                        flush()
                    stack.append((el, [], [0]))
                elif tag in _CELLS:
                    inline_cells.add(el)
                    add(" ")
                if tag == "a":
                    link_depth += 1
                add(el.text)
            else:
                first = starts.get(el)
                if first is not None:
                    span[el] = (first, len(order) - 1)
                    if stack and stack[-1][0] is el:
                        flush()
                        stack.pop()
                    elif el in inline_cells:
                        add(" ")
                    if tag == "a":
                        link_depth -= 1
                add(el.tail)

    def totals(self) -> dict[HtmlElement, _Totals]:
        """Per element, the sums over the blocks inside it (and readability's score)."""
        totals: dict[HtmlElement, _Totals] = {}
        for block in self.blocks:
            t = totals.get(block.el)
            if t is None:
                t = totals[block.el] = _Totals()
            n = len(block.text)
            t.chars += n
            t.link += block.link
            if block.voted:
                t.voted += n
            if block.is_prose():
                t.prose_chars += n
                t.prose_blocks += 1
                if block.voted:
                    t.voted_prose += n
        for el in reversed(self.order):  # children before parents
            t = totals.get(el)
            parent = el.getparent()
            if t is None or parent is None or parent not in self.span:
                continue
            p = totals.get(parent)
            if p is None:
                p = totals[parent] = _Totals()
            p.chars += t.chars
            p.link += t.link
            p.voted += t.voted
            p.prose_chars += t.prose_chars
            p.prose_blocks += t.prose_blocks
            p.voted_prose += t.voted_prose
        for block in self.blocks:  # readability: a paragraph scores for 3 generations
            score = _prose_score(block)
            if score:
                el = block.el
                for share in (1.0, 0.5, 0.25):
                    if el is None or el not in totals:
                        break
                    totals[el].prose += score * share
                    el = el.getparent()
        return totals

    def text_in(self, region: HtmlElement, *, voted: bool = False, prose: bool = False) -> int:
        return sum(
            len(b.text)
            for b in self.blocks
            if (not voted or b.voted) and (not prose or b.is_prose()) and self.inside(b.el, region)
        )


def _hidden(el: HtmlElement) -> bool:
    if el.get("hidden") is not None:
        return True
    style = el.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def _cell_is_block(cell: HtmlElement) -> bool:
    """A layout cell (alone in its row, or holding paragraphs) rather than a data cell."""
    row = cell.getparent()
    if row is not None and sum(1 for c in row if c.tag in _CELLS) == 1:
        return True
    return any(isinstance(d.tag, str) and d.tag in _BLOCK for d in cell.iterdescendants())


def _xml_lines(body: etree._Element) -> list[str]:
    """trafilatura's output tree as lines: paragraphs, headings, items, rows."""
    lines: list[str] = []
    parts: list[str] = []
    blocks = {"p", "head", "item", "row", "list", "table", "quote", "div", "body", "code"}

    def flush() -> None:
        text = _fold("".join(parts))
        if text:
            lines.append(text)
        parts.clear()

    for event, el in etree.iterwalk(body, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if tag in blocks or tag == "lb":
                flush()
            elif tag == "cell":
                parts.append(" ")
            if el.text and tag != "lb":
                parts.append(el.text)
        else:
            if tag in blocks:
                flush()
            elif tag == "cell":
                parts.append(" ")
            if el.tail:
                parts.append(el.tail)
    flush()
    return lines


def _trafilatura_lines(doc: HtmlElement, *, fast: bool) -> list[str]:
    """What trafilatura keeps of the page, in precision mode; [] when it keeps nothing.

    ``fast`` skips its own comparison with readability and jusText, which
    doubles its speed; ``_votes_doubtful`` decides when that comparison is needed.
    """
    # Imported here, not at the top: it takes a third of a second, and the fast
    # path and the checker's main process import this module without needing it.
    from trafilatura import bare_extraction

    try:
        result = bare_extraction(doc, options=_trafilatura_options(fast))
    except Exception:  # a third-party failure must not lose the page: votes are optional
        return []
    body = getattr(result, "body", None)
    return _xml_lines(body) if body is not None else []


@functools.cache
def _trafilatura_options(fast: bool) -> Extractor:
    """The options ``_trafilatura_lines`` extracts with, made once for each ``fast``.

    ``bare_extraction`` made them from its keyword arguments on every call,
    reading eight numbers from trafilatura's ConfigParser: about 0.2 ms of
    every extraction. It takes one made beforehand, and copies it before
    changing anything for a retry, so one can be shared.
    """
    from trafilatura.settings import Extractor

    return Extractor(
        output_format="python",  # bare_extraction's own default
        fast=fast,
        precision=True,
        comments=False,
        tables=True,
        images=False,
        links=False,  # with links on, 2.3.1 drops the text before some links
        with_metadata=False,
    )


def _vote(blocks: list[_Block], lines: list[str]) -> None:
    """Mark the blocks trafilatura kept, mapping its lines back onto our blocks.

    Lines are matched by their word characters (trafilatura re-spaces text and
    sometimes drops a link's words), first exactly, then by containment or a
    shared 30-character start or end. A line found in several blocks goes to an
    unused copy between its neighbours' blocks, nearest the previous one: a
    teaser repeating the first paragraph is skipped, and a list item repeated
    under several headings is voted once per repetition.
    """
    for block in blocks:
        block.voted = False
    keys = [b.key for b in blocks]
    by_key: dict[str, list[int]] = {}
    for i, k in enumerate(keys):
        if k:
            by_key.setdefault(k, []).append(i)
    line_keys = [k for k in (word_key(line) for line in lines) if k]
    candidates: list[list[int]] = []
    for lk in line_keys:
        found = by_key.get(lk, [])
        if not found and len(lk) >= 20:
            start, end = lk[:30], lk[-30:]
            found = [
                i
                for i, k in enumerate(keys)
                if len(k) >= 20 and (lk in k or k in lk or k.startswith(start) or k.endswith(end))
            ]
        # a line repeated all over the page is furniture; and without this bound
        # 100,000 copies of one line would make 100,000 lists of 100,000 candidates
        candidates.append(found if len(found) <= MAX_COPIES else [])
    chosen: list[int | None] = [c[0] if len(c) == 1 else None for c in candidates]
    # the block of the next line matched to a single block, for every line (one pass back)
    next_single: list[int | None] = [None] * len(candidates)
    upcoming: int | None = None
    for x in range(len(candidates) - 1, -1, -1):
        next_single[x] = upcoming
        if len(candidates[x]) == 1:
            upcoming = chosen[x]
    used = {i for i in chosen if i is not None}
    prev: int | None = None  # the block chosen for the nearest earlier line that has one
    for j, found in enumerate(candidates):
        options = [i for i in found if i not in used] if len(found) > 1 else []
        if options:
            nxt = next_single[j]
            between = [
                i for i in options if (prev is None or i > prev) and (nxt is None or i < nxt)
            ]
            pool = between or options
            ref = prev if prev is not None else nxt
            pick = pool[0] if ref is None else min(pool, key=lambda i: abs(i - ref))
            chosen[j] = pick
            used.add(pick)
        if chosen[j] is not None:
            prev = chosen[j]
    for index in chosen:
        if index is not None:
            blocks[index].voted = True


# --- regions -----------------------------------------------------------------


def _prose_score(block: _Block) -> float:
    """readability's paragraph score: commas and length of a low-link paragraph."""
    text = block.text
    if len(text) < 25 or block.tag not in _PROSE_TAGS or block.link > 0.5 * len(text):
        return 0.0
    return 1 + text.count(",") + text.count("，") + min(len(text) / 100, 3)


def _main_region(totals: dict[HtmlElement, _Totals], scope: HtmlElement) -> HtmlElement | None:
    """The deepest element holding ``MAIN_SHARE`` of the voted text in ``scope``."""
    top = totals.get(scope)
    if top is None or not top.voted:
        return None
    need = MAIN_SHARE * top.voted
    region = scope
    while True:
        child = next(
            (c for c in region if (t := totals.get(c)) is not None and t.voted >= need), None
        )
        if child is None:
            return region
        region = child


def _best_prose(
    page: _Page, totals: dict[HtmlElement, _Totals], scope: HtmlElement
) -> HtmlElement | None:
    """readability's top candidate: prose score, class/id weight, link density.

    Elements in comment threads, sidebars and the like are not candidates at
    all (readability's "unlikely candidates"): a long comment thread must not
    out-score a short article.
    """
    unlikely: dict[HtmlElement, bool] = {}
    best, best_score = None, 0.0
    for el, t in totals.items():
        if t.prose <= 0 or not page.inside(el, scope) or _unlikely(el, unlikely):
            continue
        attrs = f"{el.get('class') or ''} {el.get('id') or ''}"
        weight = (25 if _POSITIVE.search(attrs) else 0) - (25 if _NEGATIVE.search(attrs) else 0)
        score = (t.prose + weight) * (1 - t.link / max(t.chars, 1))
        if score > best_score:
            best, best_score = el, score
    return best


def _unlikely(el: HtmlElement, memo: dict[HtmlElement, bool]) -> bool:
    """Whether ``el`` or an ancestor is a comment thread, sidebar or similar."""
    chain = []
    verdict = False
    node: HtmlElement | None = el
    while node is not None:
        known = memo.get(node)
        if known is not None:
            verdict = known
            break
        chain.append(node)
        attrs = f"{node.get('class') or ''} {node.get('id') or ''}"
        if attrs != " " and _UNLIKELY.search(attrs):
            verdict = True
            break
        node = node.getparent()
    for seen in chain:
        memo[seen] = verdict
    return verdict


def _votes_doubtful(page: _Page, totals: dict[HtmlElement, _Totals], scope: HtmlElement) -> bool:
    """Whether trafilatura's fast pass may have missed the article.

    True when it kept little text, or less than half of the prose around the
    headline (``_article_scope``). Then its full pass, which compares itself
    with readability and jusText, runs instead; on most pages the fast pass is
    right and the full pass would cost as much again. Nothing outside the
    article's own container counts, so a growing comment thread or a new box of
    teasers cannot switch passes.
    """
    top = totals.get(page.root)
    if top is None or top.voted < DOUBTFUL_VOTES:
        return True
    t = totals[scope]
    return scope is not page.root and t.voted_prose < 0.5 * t.prose_chars


def _headline(page: _Page, own_title_keys: frozenset[str]) -> HtmlElement | None:
    """The page's headline: the first h1 (else h2, h3) whose text is the page's title.

    Only headings: the title repeated in a gallery overlay or a "share" box is no
    anchor, and a wrong anchor would confine the body to the wrong container.
    Link text is a teaser of the story elsewhere, skipped.
    """
    found = [
        b
        for b in page.blocks
        if b.tag in ("h1", "h2", "h3")
        and b.link < 0.5 * len(b.text)
        and b.key.lower() in own_title_keys
    ]
    return min(found, key=lambda b: (b.tag, b.index)).el if found else None


def _article_scope(
    page: _Page, totals: dict[HtmlElement, _Totals], title_keys: frozenset[str]
) -> HtmlElement:
    """Where the article must be: the headline's nearest container with real prose.

    The lowest ancestor of the headline holding two prose paragraphs and
    SCOPE_MIN_CHARS characters of them (a standfirst alone is not enough); the
    whole body when the page has no recognisable headline. Sidebars, teaser
    boxes and comment threads outside it can then never become the article,
    however much text they gather.
    """
    anchor = _headline(page, title_keys)
    for el in _ancestors(anchor):
        if el not in page.span:
            break
        t = totals.get(el)
        if t is not None and t.prose_chars >= SCOPE_MIN_CHARS and t.prose_blocks >= 2:
            return el
    return page.root


def _ancestors(el: HtmlElement | None) -> Iterator[HtmlElement]:
    while el is not None:
        yield el
        el = el.getparent()


def _common_ancestor(page: _Page, elements: list[HtmlElement]) -> HtmlElement:
    """The deepest element containing all of ``elements``."""
    common = elements[0]
    for el in elements[1:]:
        while not page.inside(el, common):
            parent = common.getparent()
            if parent is None or parent not in page.span:
                return common
            common = parent
    return common


def _pick_article(page: _Page, region: HtmlElement, title_keys: frozenset[str]) -> HtmlElement:
    """One story when the region holds several independent ``<article>`` elements.

    The one whose h1/h2 is the page headline, else the first: infinite-scroll
    and "more stories" pages append other articles after the one we watch.
    """
    articles = [el for el in region.iter("article") if el is not region and el in page.span]
    tops = [a for a in articles if not any(b is not a and page.inside(a, b) for b in articles)]
    if len(tops) < 2:
        return region
    holding = [
        a
        for a in tops
        if any(b.voted and b.is_prose() and page.inside(b.el, a) for b in page.blocks)
    ]
    if len(holding) < 2:
        return region
    for article in holding:
        for heading in article.iter("h1", "h2"):
            if word_key(heading.text_content()).lower() in title_keys:
                return article
    return holding[0]


def _climb(page: _Page, region: HtmlElement) -> HtmlElement:
    """Widen the region while its parent only adds voted prose (an intro above a list)."""
    while region.tag != "article":
        parent = region.getparent()
        if parent is None or parent not in page.span or parent.tag == "body":
            return region
        extra = [
            b
            for b in page.blocks
            if b.voted and page.inside(b.el, parent) and not page.inside(b.el, region)
        ]
        if not extra or not any(b.is_prose() for b in extra):
            return region
        for b in extra:
            if b.tag == "h1" or any(a.tag == "article" for a in _up_to(b.el, parent)):
                return region
        region = parent
    return region


def _up_to(el: HtmlElement, stop: HtmlElement) -> Iterator[HtmlElement]:
    """``el`` and its ancestors below ``stop``."""
    while el is not None and el is not stop:
        yield el
        el = el.getparent()


def _appended(block: _Block, region: HtmlElement, scope: HtmlElement) -> bool:
    """The block is a child of the region's parent, after the region, in the headline's container."""
    parent = region.getparent()
    return (
        block.el.getparent() is parent
        and parent is not None
        and (parent is scope or scope in parent.iterancestors())
        and any(sibling is region for sibling in block.el.itersiblings(preceding=True))
    )


def _parallel(region: HtmlElement, levels: int = 3) -> list[HtmlElement]:
    """Elements shaped like the region (same tag and class) beside it or an ancestor.

    Articles cut into chunks around ads repeat their container; a sibling
    ``<article>`` is another story, never a chunk.
    """
    el = region
    for _ in range(levels):
        parent = el.getparent()
        if parent is None:
            break
        cls = (el.get("class") or "").strip()
        if cls and el.tag != "article":
            same = [
                c
                for c in parent
                if c is not el and c.tag == el.tag and (c.get("class") or "").strip() == cls
            ]
            if same:
                return same
        el = parent
    return []


class _Boilerplate:
    """Why a block is not article text; container verdicts are cached per element."""

    def __init__(self, title_keys: frozenset[str]) -> None:
        self.title_keys = title_keys
        self._own: dict[HtmlElement, str | None] = {}

    def reason(self, block: _Block, region: HtmlElement) -> str | None:
        text = block.text
        n = len(text)
        if block.key.lower() in self.title_keys:
            return "headline"
        if block.link > 0.5 * n and not _URLISH.match(text) and (n <= 200 or block.link > 0.7 * n):
            return "links"
        if n < BOILERPLATE_MAX and _boilerplate_phrase(text):
            return "phrase"
        if block.tag not in _STRUCTURED and len(text.split()) < 3 and text[-1] not in ".!?:":
            return "label"  # a kicker, a name under a photo, a button: no paragraph
        quoted = False
        for el in _up_to(block.el, region):
            if quoted:  # above an embedded post only its kind of place counts, not its wrapper
                if el.tag in _BOILERPLATE_TAGS:
                    return f"in <{el.tag}>"
                continue
            why = self._own.get(el, "")
            if why == "":
                why = self._own[el] = _container_reason(el)
            if why:
                return why
            quoted = el.tag == "blockquote"
        return None


def _container_reason(el: HtmlElement) -> str | None:
    if el.tag in _BOILERPLATE_TAGS:
        return f"in <{el.tag}>"
    attrs = f"{el.get('class') or ''} {el.get('id') or ''}"
    if attrs != " " and _BOILERPLATE_CONTAINER.search(attrs):
        return "container"
    return None


def _select(page: _Page, totals: dict[HtmlElement, _Totals], meta: _Meta) -> list[_Block]:
    """The article's blocks: the main region's voted text minus boilerplate."""
    scope = _article_scope(page, totals, meta.own_title_keys)
    region = _main_region(totals, scope)
    fallback = False
    if region is None or totals[region].voted_prose < ARTICLE_MIN:
        # trafilatura found no article here: consult the prose score. Not otherwise,
        # or a comment thread growing past twice the article could take its place.
        prose = _best_prose(page, totals, scope)
        if prose is not None and (
            region is None or totals[prose].prose_chars > FALLBACK_RATIO * totals[region].voted
        ):
            # widened to take in what trafilatura did vote near the headline, if
            # there is one (often the first paragraph, kept apart by a lead image)
            near = [
                b.el
                for b in page.blocks
                if b.voted and scope is not page.root and page.inside(b.el, scope)
            ]
            region, fallback = _common_ancestor(page, [prose, *near]), True
    if region is None:
        return []
    region = _pick_article(page, region, meta.own_title_keys)
    if not fallback:
        region = _climb(page, region)
    parallel = [el for el in _parallel(region) if el in page.span]
    judge = _Boilerplate(meta.title_keys)
    # where voted paragraphs sit: an unvoted paragraph in the same element (or a
    # sibling of the same tag) is one trafilatura skipped, typically the first
    voted_places = {(b.el, b.el.getparent()) for b in page.blocks if b.voted and b.is_prose()} | {
        (b.el.tag, b.el.getparent()) for b in page.blocks if b.voted and b.is_prose()
    }
    chosen = []
    for block in page.blocks:
        if page.inside(block.el, region):
            within = region
            if fallback:
                keep = block.voted or (
                    block.link <= 0.3 * len(block.text)
                    and (len(block.text) >= 30 or block.tag in _STRUCTURED)
                )
            else:
                keep = (
                    block.voted
                    or (
                        block.is_prose()
                        and (
                            (block.el, block.el.getparent()) in voted_places
                            or (block.el.tag, block.el.getparent()) in voted_places
                        )
                    )
                    or _in_quote(block.el, region)
                )
        elif scope is not page.root and _appended(block, region, scope) and block.is_prose():
            # prose right beside the body's container, under the headline's: an update
            # or an editor's note appended after the body, which trafilatura leaves out
            within = region.getparent()
            keep = True
        else:
            within = next((p for p in parallel if page.inside(block.el, p)), None)
            if within is None:
                continue
            keep = block.voted or block.is_prose()
        if keep and judge.reason(block, within) is None:
            chosen.append(block)
    return _headed(chosen)


def _in_quote(el: HtmlElement, region: HtmlElement) -> bool:
    """Inside a ``<blockquote>`` of the region: a quoted statement or an embedded post.

    trafilatura's precision mode drops embedded posts (a tweet is a blockquote
    of links and a signature line); they are part of what the article says.
    """
    return any(a.tag == "blockquote" for a in _up_to(el, region))


def _headed(chosen: list[_Block]) -> list[_Block]:
    """Drop headings that head nothing: a subheading needs text after it.

    A heading kept at the end of the body ("How to listen", "More on this") or
    right before another heading introduces something that is not there; such
    votes are also the least stable from one fetch to the next.
    """
    out: list[_Block] = []
    for block in reversed(chosen):
        if block.tag in _HEADINGS and (not out or out[-1].tag in _HEADINGS):
            continue
        out.append(block)
    out.reverse()
    return out


def _body(doc: HtmlElement, rules: OutletRules, meta: _Meta) -> list[_Block]:
    root = doc.body if doc.find("body") is not None else doc
    if rules.body_selector:
        matched = _selector(rules.body_selector)(doc)
        outermost = [el for el in matched if not any(a in matched for a in el.iterancestors())]
        if outermost:
            judge = _Boilerplate(meta.title_keys)
            blocks = []
            for el in outermost:
                blocks += [b for b in _Page(el).blocks if judge.reason(b, el) is None]
            return _headed(blocks)
    _strip(doc)
    page = _Page(root)
    if not page.blocks:
        return []
    _vote(page.blocks, _trafilatura_lines(doc, fast=True))
    totals = page.totals()
    scope = _article_scope(page, totals, meta.own_title_keys)
    if _votes_doubtful(page, totals, scope):
        # the fast pass's votes near the headline stand: the two passes often
        # disagree on the first paragraph, and which pass ran must not matter
        near = [b for b in page.blocks if b.voted and page.inside(b.el, scope)]
        _vote(page.blocks, _trafilatura_lines(doc, fast=False))
        for block in near:
            block.voted = True
        totals = page.totals()
    return _select(page, totals, meta)


_STRIP = tuple(
    (
        "head script style svg noscript iframe template link meta button select input textarea"
        " object embed applet canvas video audio picture source track map area math nav footer"
        " aside figure dialog menu frame frameset datalist optgroup output progress"
    ).split()
)


def _strip(doc: HtmlElement) -> None:
    """Remove what is never article text before trafilatura reads the page.

    Its XPath rules run over every element, so a third of its time went on
    script, style, SVG and navigation nodes; without them it runs 40% faster.
    It would remove all of these itself before extracting (its
    ``MANUALLY_CLEANED``), and blocks in ``nav``, ``aside``, ``footer`` and
    ``figure`` are boilerplate to us too (``_BOILERPLATE_TAGS``). Runs after
    the headline, byline and page times have been read from the full page.
    """
    for el in list(doc.iter(*_STRIP)):
        if el.getparent() is not None:
            el.drop_tree()


def _paragraphs(blocks: list[_Block]) -> tuple[str, ...]:
    out = []
    for block in blocks:
        text = clean_text(block.text)
        if text and word_key(text):
            out.append(text)
    return tuple(out)
