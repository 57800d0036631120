"""The unchanged-article fast path: tell an unchanged article without extracting it.

Most checks find the article as it was while the page around it changed (a
new "most read" list, other ad ids, a clock). Full extraction (trafilatura's
votes, the page-time search) costs about 10 ms of CPU a page; this costs
about one.

After each full extraction the checker keeps a *memo* with the article: the
page's fingerprint, where on the page the body was found (the paths of the
elements its paragraphs were read from) and what the extraction found (the
content hash of headline, byline and body, the page's Posted and Updated
times). On the next check the page is parsed with lxml,
fingerprinted the same way and, when the fingerprints match, the memo stands
for the extraction: the checker still compares its content hash with the
latest stored version and its Updated time with the article's, exactly as
after a full extraction, so a match can only ever say "this is the page the
memo was made from". Anything else (another fingerprint, no memo, a body
element gone) runs the full extractor, which writes a new memo.

Why a match cannot hide an edit. The fingerprint covers every input the
extraction's result depends on, less only what provably cannot change it:

- headline, byline, canonical link and language are read by the extractor's
  own code (``extract.page_meta``) and fingerprinted as read;
- every JSON-LD block on the page, exactly; the outlet's rules and the
  format version, so a changed rule or fast path starts afresh;
- every element of the page (tag and attributes) and every piece of text, in
  document order, exactly, with these exceptions:
  * containers the page-time search ignores (``timestamps.exclusion``):
    ``script`` (JSON-LD is taken above), ``style``, ``nav``, ``aside``,
    navigation and banner roles, and containers named or headed as sidebars,
    "most read", related stories, comments, clocks, promotions. None of them
    can hold a date the time search reads, and none is the article: the body
    comes from its own elements, which with their ancestors are never left
    out, and a new paragraph beside them is not in such a container. A ``footer``
    inside ``article`` or ``main`` (it may say "Posted on …") and a
    container holding an ``h1`` or ``itemprop=headline`` are kept too;
  * digits in ``id`` and ``class`` values and in ``data-*`` attributes
    (not on ``time``/``abbr``, not named like a date): ad slots and tokens;
  * outside the body's elements, a number standing on its own ("48213
    readers now"). Digits are kept exactly whenever they could be part of a
    date or a time as the page-time search or htmldate read them: runs of
    one or two digits, of four or eight starting 19/20 (a year, a compact date), runs
    touching any other character, and runs with punctuation, a word that
    dates and times use (month, weekday, am/pm, "Updated", a zone) or a
    non-English word next to them across spaces. Inside the body's elements
    every digit is kept: figures in the story count.

An edit to the body changes text inside its elements; a paragraph added
anywhere (after the body too) adds text; a new headline or byline changes
what ``page_meta`` reads; a new Posted or Updated time changes a JSON-LD
block, a ``meta``/``time`` attribute or a date in the text. Each changes the
fingerprint, and the full extractor runs. When a memo is made, its elements
must contain the text of every body paragraph, or no memo is kept.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from lxml import etree
from lxml.html import HtmlElement

from monitor.errors import ConfigError
from monitor.extract import (
    ElementPath,
    extract_located,
    find_elements,
    page_meta,
    parse_page,
    word_key,
)
from monitor.memo import FORMAT, Examined, Memo
from monitor.models import Extracted, OutletRules
from monitor.text import text_hash
from monitor.timestamps import (
    EXCLUDED_BARE,
    HEADED_CONTAINERS,
    exclusion_by_name,
    sidebar_heading,
)

__all__ = ["examine", "fingerprint"]

# Tags are told from text by control characters, which parse_page removes from text.
_OPEN, _CLOSE = "\x01", "\x02"
_MASKED_ATTRIBUTES = frozenset(("id", "class"))
_DATE_ELEMENTS = frozenset(("time", "abbr", "meta"))
_DATE_NAME = re.compile(r"date|time|publish|modif|updat|creat|stamp", re.I)
_DIGITS = re.compile(r"\d+")
# Words that can stand next to a number in a date or time, lower-cased.
_TIME_WORDS = frozenset(
    (
        "jan feb mar apr may jun jul aug sep sept oct nov dec january february march april"
        " june july august september october november december mon tue tues wed thu thur"
        " thurs fri sat sun monday tuesday wednesday thursday friday saturday sunday"
        " am pm a p m st nd rd th of at on t z h hr hrs hour hours min mins minute minutes"
        " sec secs second seconds ago today yesterday noon midnight day days week weeks"
        " month months year years date time gmt utc ut et ct mt pt updated update modified"
        " edited revised published posted created last first originally"
    ).split()
)


def examine(
    html: str,
    url: str | None,
    rules: OutletRules,
    now: datetime | None,
    memo: Memo | None,
    *,
    remember: bool = True,
) -> Examined:
    """The fast path when ``memo`` matches the page, else the full extraction.

    With ``remember`` a full extraction also makes the page's memo (about a
    millisecond more). Runs in the checker's extraction worker, so that both
    the fast path and the fallback use the process pool. ``ExtractError``
    and ``ConfigError`` come from the full extractor, as from
    ``extract_article``.
    """
    seen = _Parsed(None, None, None)
    if memo is not None:
        seen = _parsed(html, url, rules, memo)
        if seen.digest is not None and seen.digest == memo.digest:
            return Examined(None, memo)
    extracted, paths = extract_located(html, url, rules, now=now)
    return Examined(
        extracted, _memo(html, url, rules, extracted, paths, seen) if remember else None
    )


def fingerprint(
    doc: HtmlElement, body: list[HtmlElement], rules: OutletRules, url: str | None
) -> str:
    """The page's fingerprint, ``body`` being the elements the article's body was read from."""
    parts = [f"{FORMAT} {rules!r}", repr(page_meta(doc, url))]
    for script in doc.iter("script"):
        if "ld+json" in (script.get("type") or "").lower():
            parts.append(script.text or "")
    for selector in (rules.body_selector, rules.posted_selector, rules.updated_selector):
        if selector:  # the user's selectors reach anywhere, ignored parts too: taken whole
            for el in doc.cssselect(selector):
                parts.append(etree.tostring(el, encoding="unicode", with_tail=False))
    parts.extend(_page_tokens(doc, body))
    parts.append("")  # each part is hashed followed by a NUL, the last one too
    # One update of the whole: the same bytes, so the same digest, as feeding the
    # parts one by one, without two calls per token.
    joined = "\x00".join(parts).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(joined, digest_size=16).hexdigest()


@dataclass(frozen=True)
class _Parsed:
    """A fresh parse of the page and its fingerprint with the memo's paths, when it had one.

    Fingerprinting only reads the tree, so when the fingerprint does not
    match, the new memo is made from this same parse (and, if the body is
    found at the same paths, this same digest) instead of parsing again.
    """

    doc: HtmlElement | None
    paths: tuple[ElementPath, ...] | None
    digest: str | None


def _parsed(html: str, url: str | None, rules: OutletRules, memo: Memo) -> _Parsed:
    try:
        doc = parse_page(html, rules)
        body = find_elements(doc, memo.paths)
        if body is None:
            return _Parsed(doc, None, None)
        return _Parsed(doc, memo.paths, fingerprint(doc, body, rules, url))
    except ConfigError:
        raise
    except Exception:  # an unreadable page is the full extractor's to judge and report
        return _Parsed(None, None, None)


def _memo(
    html: str,
    url: str | None,
    rules: OutletRules,
    extracted: Extracted,
    paths: tuple[ElementPath, ...] | None,
    seen: _Parsed,
) -> Memo | None:
    """The memo of a page just extracted; None when its body's elements cannot be found again.

    Made from a fresh parse, as the next check will see the page, and kept
    only if the elements at ``paths`` hold every paragraph of the body: then
    every figure of the body sits where the fingerprint keeps digits.
    """
    if not paths:
        return None
    doc = seen.doc if seen.doc is not None else parse_page(html, rules)
    body = find_elements(doc, paths)
    if body is None:
        return None
    if not _holds(body, extracted.paragraphs):
        return None
    digest = seen.digest if seen.doc is doc and seen.paths == paths else None
    return Memo(
        digest=digest or fingerprint(doc, body, rules, url),
        paths=paths,
        content_hash=text_hash(extracted.title, extracted.byline, extracted.body),
        title=extracted.title,
        canonical_url=extracted.canonical_url,
        posted=extracted.posted,
        updated=extracted.updated,
    )


def _holds(elements: list[HtmlElement], paragraphs: tuple[str, ...]) -> bool:
    """Whether each paragraph's text lies inside one of ``elements``, read in page order.

    Paragraphs and elements are both in page order, so one pass finds them
    (a hostile page can have 15,000 paragraphs: no search per paragraph).
    """
    inner = set(elements)
    outermost = [el for el in elements if not any(a in inner for a in el.iterancestors())]
    held = "\x00".join(_key(el.text_content()) for el in outermost)
    at = 0
    for paragraph in paragraphs:
        key = _key(paragraph)
        found = held.find(key, at)
        if found < 0:
            return False
        at = found + len(key)
    return True


def _key(text: str) -> str:
    return word_key(unicodedata.normalize("NFC", text))


# --- the page, as tokens -----------------------------------------------------


def _page_tokens(doc: HtmlElement, body: list[HtmlElement]) -> list[str]:
    """Tags, attributes and text in document order, noise ignored or masked (module doc).

    Walked with lxml's ``iterwalk``, which visits the tree in C and skips an
    ignored container whole: a tenth faster than a stack of our own on the
    extraction benchmark's real pages (4.3 against 4.8 ms a page).
    """
    tokens: list[str] = []
    texts: list[tuple[int, bool]] = []  # (index in tokens, exact) of each piece of text

    def text(value: str | None, exact: bool) -> None:
        if value:
            texts.append((len(tokens), exact))
            tokens.append(value)

    exact_roots = {*body, *doc.iter("head")}
    kept: set[HtmlElement] = set()  # the body's elements and their ancestors
    for el in body:
        while el is not None and el not in kept:  # an ancestor kept has its own kept too
            kept.add(el)
            el = el.getparent()
    exact = [False]  # per open element: whether the text inside it is kept exactly
    left_out: HtmlElement | None = None  # skipped whole: its "end" comes next, its tail counts
    walk = etree.iterwalk(doc, events=("start", "end", "comment", "pi"))
    for event, el in walk:
        if event == "start":
            items = el.items()
            if items or el.tag in EXCLUDED_BARE:
                token, named = _start(el.tag, tuple(items))
                if el not in kept and _ignored(el, named):
                    walk.skip_subtree()
                    left_out = el
                    continue
            else:  # no attribute: nothing to mask, and never excluded
                token = _OPEN + el.tag
            inner = exact[-1] or el in exact_roots
            tokens.append(token)
            text(el.text, inner)
            exact.append(inner)
        elif event == "end" and el is not left_out:
            exact.pop()
            tokens.append(_CLOSE)
            text(el.tail, exact[-1])
        else:  # a left-out element's end, a comment or an instruction: only the tail counts
            text(el.tail, exact[-1])
    _mask_numbers(tokens, texts)
    return tokens


def _ignored(el: HtmlElement, named: str | None) -> bool:
    """A container no date of the article and no part of its text comes from (module doc).

    ``named`` is what its tag and attributes exclude it as
    (``timestamps.exclusion_by_name``); with its heading, that is ``exclusion``.
    """
    reason = named
    if reason is None:
        if el.tag not in HEADED_CONTAINERS or not sidebar_heading(el):
            return False
        reason = "other"
    if reason == "footer" and any(
        a.tag in ("article", "main") or "Article" in (a.get("itemtype") or "")
        for a in el.iterancestors()
    ):
        return False
    return el.find(".//h1") is None and el.find(".//*[@itemprop='headline']") is None


@lru_cache(maxsize=20_000)  # about 6 MB at most
def _start(tag: str, items: tuple[tuple[str, str], ...]) -> tuple[str, str | None]:
    """An element's opening token (its tag and its attributes in name order, digits masked
    where they are noise: module doc) and what its attributes exclude it as.

    Remembered by tag and attributes, the least recently used going first: a
    page repeats a few attribute sets (every paragraph its class, every link
    of a list its attributes), and an outlet's pages share their template's.
    """
    token = _OPEN + tag + "".join([_attribute(tag, name, value) for name, value in sorted(items)])
    named = dict(items)
    return token, exclusion_by_name(
        tag, named.get("role"), named.get("class"), named.get("id"), named.get("aria-label")
    )


def _attribute(tag: str, name: str, value: str) -> str:
    if name in _MASKED_ATTRIBUTES or (
        name.startswith("data-") and tag not in _DATE_ELEMENTS and not _DATE_NAME.search(name)
    ):
        value = _DIGITS.sub("#", value)
    return f" {name}={value!r}"


def _mask_numbers(tokens: list[str], texts: list[tuple[int, bool]]) -> None:
    """Replace, outside the exact parts, each number that cannot be part of a date by ``#``.

    The pieces of text are read as one stream joined by spaces, as the
    page-time search reads a line, so a number's neighbours are found across
    elements.
    """
    stream = " ".join(tokens[i] for i, _ in texts)
    start = 0

    def mask(number: re.Match[str]) -> str:
        at = start + number.start()
        return number[0] if _date_like(stream, at, at + len(number[0])) else "#"

    for index, exact in texts:
        piece = tokens[index]
        if not exact and _DIGITS.search(piece):
            tokens[index] = _DIGITS.sub(mask, piece)
        start += len(piece) + 1


def _date_like(stream: str, start: int, end: int) -> bool:
    """Whether the digits ``stream[start:end]`` could be part of a date or a time.

    Dates and times are made of runs of one or two digits, years of four
    (19xx or 20xx: the page-time search and htmldate take none before 1995)
    and compact dates of eight (20190326), joined by punctuation or written
    beside a word. Any other run that stands alone between spaces and
    ordinary words is a count or an id ("4981 readers now"), whichever way it
    changes. Four digits such as 0930 or 1430 are a time only beside a time
    word or a zone ("1430 GMT"), and those neighbours keep them.
    """
    digits = end - start
    if digits <= 2 or (digits in (4, 8) and stream[start : start + 2] in ("19", "20")):
        return True
    if (start > 0 and not stream[start - 1].isspace()) or (
        end < len(stream) and not stream[end].isspace()
    ):
        return True  # glued to something: 1,234 or 123rd
    return _risky_side(stream, start - 1, -1) or _risky_side(stream, end, 1)


def _risky_side(stream: str, i: int, step: int) -> bool:
    """Whether the first non-space text from ``i`` on (by ``step``) is punctuation or a date word."""
    while 0 <= i < len(stream) and stream[i].isspace():
        i += step
    if not 0 <= i < len(stream) or stream[i].isdigit():
        return False
    if not stream[i].isalpha():
        return True  # punctuation or a symbol
    j = i
    while 0 <= j + step < len(stream) and stream[j + step].isalpha():
        j += step
    word = stream[min(i, j) : max(i, j) + 1]
    if not word.isascii():
        return True  # 년, 월, 시, 오후, März …: only plain English words are judged here
    return word.lower() in _TIME_WORDS or (word.isupper() and len(word) <= 5)
