"""The page's own Posted and Updated times.

Classification depends on these two values (``declared`` = the Updated time
moved, ``stealth`` = the text changed and it did not), so they must be right
and, above all, *stable*: when the article did not change, neither may they,
whatever the page's clocks, "most read" lists and related-story cards do.

Sources, tried in this order for each of Posted and Updated; the first
plausible value wins:

1. ``rules.posted_selector`` / ``rules.updated_selector``: the user's
   per-outlet override (``datetime`` or ``content`` attribute, else the text,
   which may carry a label or be a bare time).
2. JSON-LD ``NewsArticle``/``Article``/``BlogPosting``/… (then ``WebPage``)
   ``datePublished``/``dateModified``, also inside ``@graph``, lists and
   ``mainEntity``, never deeper (``hasPart``, ``itemListElement`` are other
   works). Broken JSON (trailing commas, control characters, HTML comments)
   is repaired; if it still does not parse (an unescaped quote), its date
   fields are read by pattern.
3. ``<meta>`` tags (``article:published_time``, ``og:updated_time``,
   ``DC.date.issued``, ``parsely-pub-date``, …) and ``itemprop`` microdata.
4. ``<time>`` elements marked as published/updated (``pubdate``, class, id,
   itemprop, or a label just before them); their ``datetime`` attribute, not
   their visible text. An unmarked ``<time>`` counts as Posted only inside the
   article area.
5. Labelled visible text near the headline, English and Korean ("Posted :
   2019-03-26 17:08", "Last updated 26 March 2019, 17:08 BST", "기사입력
   2019.03.26 오후 5:08", "Updated 3:05 PM GMT").
6. htmldate, the last resort, shown only the ``<head>`` and the article, with
   the sidebars, the JSON-LD and the meta tags already judged taken out. It
   knows only the day, so its values sit at midnight.

A value without a time of day gives way to a later source that states the
same day with its time, so the time of day is kept whenever the page prints it.

Where we look. Everything inside ``aside``/``nav``/site ``footer`` elements,
ARIA navigation/complementary/contentinfo/banner regions, containers whose
class/id or first heading says "most read", "related", "popular", "sidebar",
"comments", "많이 본"…, and the container of any other ``<h1>`` (the next
story of an endless-scroll page, a logo) is ignored. Visible text and marked
elements are searched from the main headline outwards: its parent, then up
to three more ancestors but not past the ``<article>``, then the article,
then the whole page; the first region that has a value wins. Beyond the
headline's parent, marked dates at one distance count only when they agree:
several different ones are a list of other stories.

Decisions worth knowing:

- A time without an offset is in ``rules.timezone``; when that is ``None`` it
  is taken as UTC (a guess, so such values get a wider future margin, below).
- An offset in the string always wins. Abbreviations with a fixed meaning
  (EDT, BST, KST…) are fixed offsets; the generic US names ET/CT/MT/PT are
  the IANA zones, so the daylight-saving offset follows the date. IST is
  India, CST is US Central.
- Rejected: years before 1995 (placeholders such as 0001-01-01 and
  1970-01-01), bare years ("© 2019"), relative times ("3 hours ago": they
  would move on every fetch), ambiguous numeric dates (03/04/2019), and
  times more than two hours in the future. Two hours because servers' clocks
  drift, some CMSs stamp scheduled stories a little ahead and an outlet that
  prints "EST" in July is an hour off; anything later is a template error.
  When the zone was guessed the margin is 14 hours, the largest UTC offset,
  so a naive local time east of UTC is not thrown away.
- A bare time ("Updated 3:05 PM GMT", wire style) takes the Posted date when
  that gives a moment after Posted that is not in the future, otherwise
  today's date in that zone (yesterday's if today's would be in the future).
  Wire pages print a bare time only on the day itself and switch to a dated
  label later, so today is right while the page says so. A bare Posted time
  always takes today's date.
- Updated is ``None`` unless it is later than Posted at minute precision:
  pages print minutes, JSON-LD prints seconds, and "Updated" equal to (or
  before) "Posted" is not a declared update. Such a non-statement does not end
  the search: the next source may state a real update (a stale JSON-LD
  ``dateModified`` must not hide the "Updated" line readers see). A value from
  the user's ``updated_selector`` is final either way. htmldate's Updated,
  day-granular, counts only when its day is after Posted's day, and
  htmldate's Posted is dropped when it is just the day of the Updated line.
- Each value keeps the page's own words in ``PageTime.raw`` (the date text
  without its label, white space folded) next to the parsed, aware datetime,
  which stays in the zone the page used.

Pure: no I/O, and the document passed in is never modified.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import cached_property, lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import lxml.html
from lxml import etree
from lxml.cssselect import SelectorError
from lxml.html import HtmlElement

from monitor.errors import ConfigError
from monitor.models import OutletRules, PageTime
from monitor.text import clean_text

__all__ = ["FUTURE_SKEW", "MIN_YEAR", "exclusion", "find_page_times", "parse_page_time"]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


MIN_YEAR = 1995  # no news page we can fetch was written earlier; older means placeholder
FUTURE_SKEW = timedelta(hours=2)  # clock drift, scheduled stamps, a wrong-DST label
GUESSED_ZONE_SKEW = timedelta(hours=14)  # naive time, no configured zone: up to UTC+14
HEADER_DEPTH = 4  # ancestors of the headline searched before the <article>

# Time-zone abbreviations with one meaning: minutes east of UTC.
_FIXED_ZONES: dict[str, int] = {
    "GMT": 0,
    "UTC": 0,
    "UT": 0,
    "WET": 0,
    "BST": 60,
    "CET": 60,
    "WEST": 60,
    "CEST": 120,
    "EET": 120,
    "EEST": 180,
    "MSK": 180,
    "IST": 330,  # India; Ireland and Israel reuse it, news pages mostly mean India
    "SGT": 480,
    "HKT": 480,
    "AWST": 480,
    "KST": 540,
    "JST": 540,
    "AEST": 600,
    "AEDT": 660,
    "NZST": 720,
    "NZDT": 780,
    "EST": -300,
    "EDT": -240,
    "CST": -360,  # US Central, not China
    "CDT": -300,
    "MST": -420,
    "MDT": -360,
    "PST": -480,
    "PDT": -420,
    "AKST": -540,
    "AKDT": -480,
    "HST": -600,
}
# Generic names whose offset depends on the date.
_NAMED_ZONES: dict[str, str] = {
    "ET": "America/New_York",
    "CT": "America/Chicago",
    "MT": "America/Denver",
    "PT": "America/Los_Angeles",
}

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MON = (
    r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_WEEKDAY = r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?|\(?[월화수목금토일](?:요일)?\)?"

# Dates: year first (ISO, 2019.03.26, 2019년 3월 26일), day first with digits
# (26.03.2019), and with English month names either way round.
_YMD = re.compile(
    r"(?<![\d.])(?P<y>\d{4})\s*(?:[-./]|년)\s*(?P<mo>\d{1,2})\s*(?:[-./]|월)\s*(?P<d>\d{1,2})"
    r"(?:\s*일|\.(?!\d))?(?!\d)"
)
_DMY_DIGITS = re.compile(
    r"(?<![\d.])(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4})(?!\d)"
)
_DMY_NAME = re.compile(
    rf"(?<!\d)(?P<d>\d{{1,2}})(?:st|nd|rd|th)?[\s\-/]+(?:of\s+)?\b{_MON}\b\.?,?[\s\-/]+"
    r"(?P<y>\d{4})(?!\d)",
    re.IGNORECASE,
)
_MDY_NAME = re.compile(
    rf"\b{_MON}\b\.?[\s\-/]*(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})(?!\d)",
    re.IGNORECASE,
)
_DATE_PATTERNS = (
    ("ymd", _YMD),
    ("dmy_digits", _DMY_DIGITS),
    ("dmy", _DMY_NAME),
    ("mdy", _MDY_NAME),
)

# Times: 17:08, 17:08:33.123, 5:08 p.m., 17.08 (Guardian), 5 PM, 오후 5:08, 17시 8분.
_AMPM = r"[AaPp]\.?\s?[Mm]\.?(?![A-Za-z])"
_TIME = re.compile(
    r"(?<![\d:.])(?:"
    r"(?:(?P<k>오전|오후)\s*)?(?P<h>\d{1,2})(?P<sep>[:.])(?P<m>[0-5]\d)"
    r"(?::(?P<s>[0-5]\d)(?:[.,]\d{1,9})?)?(?!\d)(?:\s*(?P<ap>" + _AMPM + r"))?"
    r"|(?:(?P<k2>오전|오후)\s*)?(?P<h2>\d{1,2})\s*시(?:\s*(?P<m2>\d{1,2})\s*분)?"
    r"|(?P<h3>\d{1,2})\s*(?P<ap3>" + _AMPM + r")"
    r")"
)
_ZONE = re.compile(
    r"\s*\(?\s*(?:"
    r"(?P<z>Z)(?![A-Za-z])"
    r"|(?P<off>[+-]\d{2}(?::?\d{2})?)(?!\d)"
    r"|(?P<gmt>GMT|UTC)(?:\s*(?P<goff>[+-]\s*\d{1,2}(?::?\d{2})?))?(?![A-Za-z0-9])"
    r"|(?P<abbr>[A-Z]{2,5})(?![A-Za-z])"
    r")\)?"
)
# What may stand between a date and its time, or a time and its date.
_JOINER = re.compile(rf"(?:[\s,;|·•@\-–—/T]|\bat\b|\bon\b|{_WEEKDAY})*", re.IGNORECASE)
# What may stand between a label and its date: "Updated: ", "Last modified on Tue ".
_LEAD = re.compile(rf"[\s:|\-–—·•]*(?:(?:on|at)\s+)?(?:(?:{_WEEKDAY})[\s,]*)?", re.IGNORECASE)

_WIDE = str.maketrans(
    {"：": ":", "．": ".", "／": "/", "－": "-", **{chr(0xFF10 + i): str(i) for i in range(10)}}
)

# Labels of visible dates. English labels must be capitalised ("Updated",
# "UPDATED"), which keeps "the figures were updated on March 3" in prose out.
_KO_SUFFIX = r"(?:\s*(?:일시|일자|시간|시각|일))?(?![가-힣])"
_UPDATED_WORDS = ("updated", "modified", "edited", "revised")
_POSTED_WORDS = ("published", "posted", "created")
_UPDATED_WORDS_KO = ("수정", "업데이트", "갱신")
_POSTED_WORDS_KO = ("입력", "등록", "작성", "게재", "발행", "송고")
_LABEL = re.compile(
    rf"(?P<updated>\b(?:last\s+)?(?:{'|'.join(_UPDATED_WORDS)})(?:\s+(?:on|at))?\b"
    rf"|(?<![가-힣])(?:최종\s*수정|최종\s*업데이트|{'|'.join(_UPDATED_WORDS_KO)}){_KO_SUFFIX})"
    rf"|(?P<posted>\b(?:(?:first|originally)\s+)?(?:{'|'.join(_POSTED_WORDS)})(?:\s+(?:on|at))?\b"
    rf"|(?<![가-힣])(?:기사\s*입력|최초\s*입력|{'|'.join(_POSTED_WORDS_KO)}){_KO_SUFFIX})",
    re.IGNORECASE,
)
_MAX_LABELLED_LINE = 300  # longer lines are prose, not a dateline
# Every _LABEL match holds one of its words, found with its flags: a line without
# one has no label. Searched first: _LABEL, which can begin anywhere, costs twice as much.
_LABEL_WORD = re.compile(
    "|".join((*_UPDATED_WORDS, *_POSTED_WORDS, *_UPDATED_WORDS_KO, *_POSTED_WORDS_KO)),
    re.IGNORECASE,
)

_POSTED_META = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "datepublished",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date.created",
    "dcterms.created",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "article.published",
    "sailthru.date",
    "parsely-pub-date",
    "dc.date",
    "date",
)
_UPDATED_META = (
    "article:modified_time",
    "og:updated_time",
    "og:article:modified_time",
    "article:updated_time",
    "datemodified",
    "dc.date.modified",
    "dcterms.modified",
    "article.updated",
    "lastmod",
)

_MICRODATA_FIELDS = {"datepublished": "posted", "datecreated": "posted", "datemodified": "updated"}
_ARTICLE_TYPES = _words(
    "article newsarticle reportagenewsarticle analysisnewsarticle opinionnewsarticle"
    " backgroundnewsarticle reviewnewsarticle askpublicnewsarticle blogposting"
    " liveblogposting socialmediaposting report techarticle satiricalarticle"
)
_PAGE_TYPES = frozenset({"webpage", "itempage"})
_JSON_DATE = re.compile(
    r'"(?P<key>datePublished|dateCreated|dateModified)"\s*:\s*"(?P<v>[^"]{6,40})"'
)

# Containers whose dates belong to other stories or to the site.
_EXCLUDED_TAGS = frozenset({"aside", "nav", "script", "style", "noscript", "template", "iframe"})
_EXCLUDED_ROLES = frozenset({"navigation", "complementary", "contentinfo", "banner", "search"})
HEADED_CONTAINERS = frozenset({"section", "div", "ul", "ol"})  # excluded by a sidebar heading
# The tags exclusion() can exclude an element for without any attribute: an element
# with another tag and no attributes is never excluded (the fast path skips asking).
EXCLUDED_BARE = frozenset({"footer", *_EXCLUDED_TAGS, *HEADED_CONTAINERS})
_EXCLUDED_WORDS = _words(
    "aside sidebar sidenav nav navbar navigation menu footer related popular trending"
    " recommended recommendations recommend comment comments ranking outbrain taboola"
    " newsletter breadcrumb breadcrumbs promo sponsored clock today weather ticker"
)
_EXCLUDED_PREFIXES = tuple(
    sorted(
        _words(
            "related sidebar mostread mostpopular mostviewed mostshared trending recommend popular"
        )
    )
)
_EXCLUDED_PHRASES = (
    " most read ",
    " most popular ",
    " most viewed ",
    " most shared ",
    " most commented ",
    " side bar ",
    " more stories ",
    " more news ",
    " latest news ",
    " top stories ",
    " read more ",
    " also read ",
    " read next ",
    " up next ",
    " you may like ",
)


def _exclusion_triggers() -> list[str]:
    """Strings, one of which is in every name list that ``_excluded_by_name`` excludes.

    A name's words (``_words_of``) are runs of its lower-cased text, so an
    excluded word, a word starting with an excluded prefix and a phrase's
    words all lie in that text as they are: a name without any of these
    (one word per phrase is enough) excludes nothing. Strings holding a
    shorter one are left out: the shorter one finds them.
    """
    found = {*_EXCLUDED_WORDS, *_EXCLUDED_PREFIXES}
    found.update(max(phrase.split(), key=len) for phrase in _EXCLUDED_PHRASES)
    return sorted(t for t in found if not any(o != t and o in t for o in found))


_MAY_EXCLUDE = re.compile("|".join(map(re.escape, _exclusion_triggers())))
_SIDEBAR_HEADING = re.compile(
    r"^\s*(?:most\s+(?:read|popular|viewed|shared|commented)|related|trending|popular"
    r"|recommended|read\s+more|also\s+read|more\s+(?:stories|news|from)|top\s+stories"
    r"|latest\s+news|많이\s*본|인기|관련\s*(?:기사|뉴스)|추천|실시간|주요\s*뉴스)",
    re.IGNORECASE,
)
_BLOCK_TAGS = _words(
    "address article aside blockquote br dd details div dl dt figcaption figure footer form"
    " h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table td th tr ul"
)
_POSTED_TOKENS = ("publish", "posted", "pubdate", "created", "firstpub")
_UPDATED_TOKENS = ("updat", "modif", "revis", "lastmod")


# --------------------------------------------------------------------------
# Parsing one string


@dataclass(frozen=True)
class _Parts:
    """What a date string says, before a zone or a missing day is supplied."""

    day: date | None  # None: a bare time of day ("Updated 3:05 PM GMT")
    clock: time | None  # None: the string has no time of day
    zone: tzinfo | None  # None: no offset or zone name in the string
    start: int  # span in the normalised string
    end: int


def parse_page_time(raw: str, tz: ZoneInfo | None) -> datetime | None:
    """One date string from a page as an aware datetime, or ``None``.

    ``tz`` is the zone of a string without an offset; ``None`` means UTC. The
    first date in the string is read with the time printed next to it (before
    or after: "5:08 PM EDT, Tue March 26, 2019" works), so a label around it
    does no harm. Understands ISO 8601, RFC 2822, "2019.03.26 오후 5:08",
    "2019년 3월 26일 17시 8분", "26 March 2019, 17:08 BST", "Mar. 26, 2019
    5:08 p.m. ET", "26.03.2019", compact ``20190326170800`` and Unix epochs.

    Returns ``None`` for strings without a full date (a bare year or time),
    for ambiguous numeric dates such as 03/04/2019 and for years before 1995,
    which are placeholders. It does not judge the future: that needs a clock,
    see ``find_page_times``.
    """
    parts = _parse_string(raw)
    if parts is None or parts.day is None:
        return None
    return _compose(parts.day, parts.clock, parts.zone or tz or UTC)


def _normalise(raw: str) -> str:
    """Folded white space and ASCII digits and colons, same length as ``clean_text``."""
    return clean_text(raw).translate(_WIDE)


def _parse_string(raw: str) -> _Parts | None:
    s = _normalise(raw)
    if s.isdigit():
        return _parse_digits(s)
    return _find_parts(s)


def _parse_digits(s: str) -> _Parts | None:
    """``20190326``, ``201903261708``, ``20190326170800``, epoch seconds or milliseconds."""
    try:
        if len(s) in (8, 12, 14):
            day = date(int(s[:4]), int(s[4:6]), int(s[6:8]))
            clock = time(int(s[8:10]), int(s[10:12]), int(s[12:14] or 0)) if len(s) > 8 else None
            return _Parts(day, clock, None, 0, len(s))
        if len(s) in (10, 13) and s.startswith("1"):  # 2001..2033
            moment = datetime.fromtimestamp(int(s[:10]), UTC)
            return _Parts(moment.date(), moment.time(), UTC, 0, len(s))
    except ValueError:
        return None
    return None


def _find_parts(s: str) -> _Parts | None:
    """The first date in ``s`` with its time and zone, or else a bare time."""
    found = _first_date(s)
    if found is None:
        return _bare_time(s)
    day, start, end = found
    after = _TIME.search(s, end)
    gap = s[end : after.start()] if after is not None else ""
    if after is not None and len(gap) <= 12 and _JOINER.fullmatch(gap):
        clock = _clock(after)
        if clock is not None:
            zone, zone_end = _zone_at(s, after.end())
            return _Parts(day, clock, zone, start, zone_end)
    # A time printed before its date: "Updated 5:08 PM EDT, Tue March 26, 2019".
    for before in reversed(list(_TIME.finditer(s, 0, start))):
        clock = _clock(before)
        if clock is None:
            continue
        zone, zone_end = _zone_at(s, before.end())
        gap = s[zone_end:start]
        if zone_end <= start and len(gap) <= 16 and _JOINER.fullmatch(gap):
            return _Parts(day, clock, zone, before.start(), end)
        break
    return _Parts(day, None, None, start, end)


def _bare_time(s: str) -> _Parts | None:
    """A time with no date. Only clear ones: "3:05 PM", "17:08", "17.08 GMT", "오후 5시"."""
    match = _TIME.search(s)
    if match is None or (clock := _clock(match)) is None:
        return None
    zone, end = _zone_at(s, match.end())
    dotted = match["sep"] == "." and not match["ap"] and not match["k"]
    if dotted and zone is None:
        return None  # "12.50" could be anything
    return _Parts(None, clock, zone, match.start(), end)


def _first_date(s: str) -> tuple[date, int, int] | None:
    matches: list[tuple[int, int, str, re.Match[str]]] = []
    for kind, pattern in _DATE_PATTERNS:
        matches.extend((m.start(), -m.end(), kind, m) for m in pattern.finditer(s))
    for start, neg_end, kind, match in sorted(matches, key=lambda item: (item[0], item[1])):
        day = _date_from(kind, match)
        if day is not None:
            return day, start, -neg_end
    return None


def _date_from(kind: str, m: re.Match[str]) -> date | None:
    try:
        if kind == "ymd":
            return date(int(m["y"]), int(m["mo"]), int(m["d"]))
        if kind == "dmy_digits":
            a, b = int(m["a"]), int(m["b"])
            if m["sep"] == "." or a > 12 or a == b:
                return date(int(m["y"]), b, a)  # 26.03.2019: dots are day first
            if b > 12:
                return date(int(m["y"]), a, b)  # 03/26/2019
            return None  # 03/04/2019: US or European? Guessing would be worse than nothing.
        month = _MONTHS[m["mon"][:3].lower()]
        return date(int(m["y"]), month, int(m["d"]))
    except ValueError:
        return None


def _clock(m: re.Match[str]) -> time | None:
    if m["h"] is not None:
        hour, minute, second = int(m["h"]), int(m["m"]), int(m["s"] or 0)
        korean, ampm = m["k"], m["ap"]
    elif m["h2"] is not None:
        hour, minute, second = int(m["h2"]), int(m["m2"] or 0), 0
        korean, ampm = m["k2"], None
    else:
        hour, minute, second = int(m["h3"]), 0, 0
        korean, ampm = None, m["ap3"]
    pm = korean == "오후" or (ampm is not None and ampm[0] in "Pp")
    am = korean == "오전" or (ampm is not None and ampm[0] in "Aa")
    if (pm or am) and 1 <= hour <= 12:
        hour = hour % 12 + (12 if pm else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return time(hour, minute, second)


def _zone_at(s: str, pos: int) -> tuple[tzinfo | None, int]:
    """The zone written right after a time, and where it ends."""
    m = _ZONE.match(s, pos)
    if m is None:
        return None, pos
    if m["z"]:
        return UTC, m.end()
    if m["off"]:
        zone = _offset(m["off"])
    elif m["gmt"]:
        zone = _offset(m["goff"]) if m["goff"] else UTC
    elif m["abbr"] in _FIXED_ZONES:
        minutes = _FIXED_ZONES[m["abbr"]]
        zone = UTC if minutes == 0 else timezone(timedelta(minutes=minutes), m["abbr"])
    elif m["abbr"] in _NAMED_ZONES:
        zone = ZoneInfo(_NAMED_ZONES[m["abbr"]])
    else:
        zone = None
    return (zone, m.end()) if zone is not None else (None, pos)


def _offset(text: str) -> tzinfo | None:
    """``+09:00``, ``+0900``, ``+9``, ``-5:30`` as a fixed zone; ``None`` past ±14h."""
    sign = -1 if text.lstrip().startswith("-") else 1
    digits = text.strip().lstrip("+-").strip()
    if ":" in digits:
        hours, minutes = (int(x) for x in digits.split(":", 1))
    elif len(digits) > 2:
        hours, minutes = int(digits[:-2]), int(digits[-2:])
    else:
        hours, minutes = int(digits), 0
    if hours > 14 or minutes > 59:
        return None
    delta = timedelta(hours=hours, minutes=minutes) * sign
    return UTC if not delta else timezone(delta)


def _compose(day: date, clock: time | None, zone: tzinfo) -> datetime | None:
    if day.year < MIN_YEAR:
        return None
    return datetime.combine(day, clock or time(0, 0), tzinfo=zone)


def _minute(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(second=0, microsecond=0)


# --------------------------------------------------------------------------
# Finding the strings on a page


@dataclass(frozen=True)
class _Candidate:
    raw: str
    parts: _Parts
    source: str


def find_page_times(
    doc: HtmlElement,
    rules: OutletRules = OutletRules(),  # noqa: B008 - frozen, so one shared default is safe
    *,
    now: datetime | None = None,
) -> tuple[PageTime | None, PageTime | None]:
    """The page's (Posted, Updated) times, each ``None`` when the page does not say.

    ``now`` (default: the current time; a naive value is taken as UTC) is only
    used to reject dates in the future and to date a bare "Updated 3:05 PM";
    pass the fetch time so that re-extracting an old snapshot gives the same
    answer. The module docstring lists the sources and every judgement call.
    Raises ``ConfigError`` when a selector or time zone in ``rules`` is invalid:
    silently ignoring the user's override would look like a working setting.
    """
    if now is None:
        now = datetime.now(UTC)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    page = _Page(doc, rules, now)
    posted = page.posted()
    updated = page.updated(posted)
    if posted and updated and _echoes(posted, updated):
        posted = None
    return posted, updated


def _echoes(posted: PageTime, updated: PageTime) -> bool:
    """Whether htmldate's Posted is merely the day of the Updated line read again.

    On a page whose only date is "Updated 6:05 PM ET, Tue March 26, 2019"
    htmldate offers March 26 as the original date; the page states no Posted.
    """
    if posted.source != "htmldate" or updated.source == "htmldate":
        return False
    return updated.value.date() == posted.value.date()  # each as the page printed it


class _Page:
    """One document with the structure every source needs, computed once."""

    def __init__(self, doc: HtmlElement, rules: OutletRules, now: datetime) -> None:
        self.doc = doc
        self.rules = rules
        self.now = now
        self.zone = _rules_zone(rules)
        self.headline = _main_headline(doc)
        self.excluded = _excluded_roots(doc, self.headline)
        self.hidden: set[HtmlElement] = set()
        for root in self.excluded:
            self.hidden.update(root.iter())
        self.levels = _levels(doc, self.headline, self.hidden)
        self.level_of: dict[HtmlElement, int] = {
            el: i for i, el in reversed(list(enumerate(self.levels)))
        }

    # -- the decision --------------------------------------------------------

    def posted(self) -> PageTime | None:
        if self.rules.posted_selector:
            for candidate in self._selected(self.rules.posted_selector):
                if found := self._resolve(candidate, None):
                    return found
        if found := self._pick(self._candidates(0), None):
            return found
        fallback = self._htmldate(original=True)
        return self._resolve(fallback, None) if fallback else None

    def updated(self, posted: PageTime | None) -> PageTime | None:
        if self.rules.updated_selector:
            for candidate in self._selected(self.rules.updated_selector):
                if found := self._resolve(candidate, posted):
                    return found if _later(found, posted) else None
        if found := self._pick(self._candidates(1), posted):
            return found
        fallback = self._htmldate(original=False)
        found = self._resolve(fallback, posted) if fallback else None
        if found is None or posted is None:
            return found
        posted_day = posted.value.astimezone(found.value.tzinfo).date()
        return found if found.value.date() > posted_day else None

    def _pick(self, candidates: Iterable[_Candidate], posted: PageTime | None) -> PageTime | None:
        """The first plausible candidate; for Updated, the first that is later than Posted.

        A date without a time of day (``<time datetime="2019-03-26">``) gives
        way to a later source that states the same day with its time, so the
        time of day is kept whenever the page prints it somewhere.
        """
        day_only: PageTime | None = None
        for candidate in candidates:
            found = self._resolve(candidate, posted)
            if found is None or (posted is not None and not _later(found, posted)):
                continue
            if candidate.parts.clock is None:
                day_only = day_only or found
            elif day_only is None or found.value.date() == day_only.value.date():
                return found
        return day_only

    def _candidates(self, field: int) -> Iterator[_Candidate]:
        """Sources 2-5 for Posted (0) or Updated (1), each looked at only when needed."""
        for source in ("_json_ld", "_meta", "_times", "_text"):
            yield from getattr(self, source)[field]

    def _resolve(self, candidate: _Candidate, posted: PageTime | None) -> PageTime | None:
        """A candidate as a PageTime, if it is a plausible time for this page."""
        parts = candidate.parts
        zone = parts.zone or self.zone or UTC
        guessed = parts.zone is None and self.zone is None
        value: datetime | None
        if parts.day is None:
            if parts.clock is None:
                return None
            value = self._date_bare_time(parts.clock, zone, posted)
        else:
            value = _compose(parts.day, parts.clock, zone)
        if value is None or value.year < MIN_YEAR:
            return None
        if value > self.now + (GUESSED_ZONE_SKEW if guessed else FUTURE_SKEW):
            return None
        return PageTime(value=value, raw=candidate.raw, source=candidate.source)

    def _date_bare_time(self, clock: time, zone: tzinfo, posted: PageTime | None) -> datetime:
        """Wire style "Updated 3:05 PM GMT": Posted's day if plausible, else today's."""
        latest = self.now + FUTURE_SKEW
        if posted is not None:
            day = posted.value.astimezone(zone).date()
            value = datetime.combine(day, clock, tzinfo=zone)
            if _minute(value) >= _minute(posted.value) and value <= latest:
                return value
        today = self.now.astimezone(zone).date()
        value = datetime.combine(today, clock, tzinfo=zone)
        if value > latest:
            value = datetime.combine(today - timedelta(days=1), clock, tzinfo=zone)
        return value

    # -- sources: each gives (posted candidates, updated candidates) in order --

    def _selected(self, selector: str) -> list[_Candidate]:
        try:
            elements = self.doc.cssselect(selector)
        except SelectorError as exc:
            raise ConfigError(f"invalid CSS selector {selector!r}: {exc}") from exc
        found = []
        for el in elements:
            raw = el.get("datetime") or el.get("content") or clean_text(el.text_content())
            if raw and (parts := _parse_string(raw)) is not None:
                found.append(_Candidate(raw.strip(), parts, "selector"))
        return found

    @cached_property
    def _json_ld(self) -> tuple[list[_Candidate], list[_Candidate]]:
        objects: list[tuple[int, dict[str, Any]]] = []
        loose: list[tuple[str, str]] = []  # (key, value) read by pattern from broken JSON
        for script in self.doc.iter("script"):
            if "ld+json" not in (script.get("type") or "").lower() or not script.text:
                continue
            data = _load_json(script.text)
            if data is None:
                loose.extend((m["key"], m["v"]) for m in _JSON_DATE.finditer(script.text))
                continue
            for obj in _walk_json_ld(data):
                rank = _json_ld_rank(obj)
                if rank is not None:
                    objects.append((rank, obj))
        objects.sort(key=lambda item: item[0])  # stable: document order within a rank

        def candidates(keys: tuple[str, ...]) -> list[_Candidate]:
            found = []
            for key in keys:
                values = [_json_ld_value(obj.get(key)) for _, obj in objects]
                values += [value for k, value in loose if k == key]
                found += [c for v in values if v and (c := _candidate(v, "json-ld"))]
            return found

        return candidates(("datePublished", "dateCreated")), candidates(("dateModified",))

    @cached_property
    def _meta(self) -> tuple[list[_Candidate], list[_Candidate]]:
        named: dict[str, str] = {}
        for meta in self.doc.iter("meta"):
            if meta in self.hidden or not meta.get("content"):
                continue
            for attr in ("property", "name", "itemprop"):
                key = (meta.get(attr) or "").strip().lower()
                if key and key not in named:
                    named[key] = meta.get("content", "")
        posted = _present([_candidate(named[key], "meta") for key in _POSTED_META if key in named])
        updated = _present(
            [_candidate(named[key], "meta") for key in _UPDATED_META if key in named]
        )
        # Microdata on visible elements: <span itemprop="datePublished" content="…">.
        marked: dict[str, list[HtmlElement]] = {"posted": [], "updated": []}
        for el in self.doc.iterfind(".//*[@itemprop]"):
            if el.tag == "meta" or el in self.hidden:
                continue
            prop = (el.get("itemprop") or "").strip().lower()
            if prop in _MICRODATA_FIELDS:
                marked[_MICRODATA_FIELDS[prop]].append(el)
        for field_name, out in (("posted", posted), ("updated", updated)):
            out += self._trusted((el, _microdata_candidate(el)) for el in marked[field_name])
        return posted, updated

    @cached_property
    def _times(self) -> tuple[list[_Candidate], list[_Candidate]]:
        hinted: dict[str | None, list[HtmlElement]] = {"posted": [], "updated": [], None: []}
        for el in self.doc.iter("time"):
            if el not in self.hidden:
                hinted[_time_hint(el)].append(el)
        posted = self._trusted((el, _time_candidate(el)) for el in hinted["posted"])
        posted += self._trusted(((el, _time_candidate(el)) for el in hinted[None]), outside=False)
        updated = self._trusted((el, _time_candidate(el)) for el in hinted["updated"])
        return posted, updated

    @cached_property
    def _text(self) -> tuple[list[_Candidate], list[_Candidate]]:
        posted: list[_Candidate] = []
        updated: list[_Candidate] = []
        for level in self.levels:
            lines = _lines(level, self.hidden)
            for field, candidate in _labelled(lines):
                (posted if field == "posted" else updated).append(candidate)
        return posted, updated

    def _htmldate(self, *, original: bool) -> _Candidate | None:
        from htmldate import find_date  # a quarter of a second to import: only when asked

        try:
            found = find_date(
                self._pruned,
                extensive_search=False,
                original_date=original,
                outputformat="%Y-%m-%d",
                max_date=(self.now + timedelta(days=1)).astimezone(UTC).replace(tzinfo=None),
            )
        except Exception:  # a heuristic of last resort must not sink the extraction
            return None
        if not found:
            return None
        day = date.fromisoformat(found)
        return _Candidate(found, _Parts(day, None, None, 0, len(found)), "htmldate")

    @cached_property
    def _pruned(self) -> HtmlElement:
        """A copy of the document for htmldate, without what we have already judged.

        Excluded containers go, so htmldate cannot pick a sidebar date; so do
        JSON-LD and the meta tags we read, so it cannot hand back a value we
        rejected (a placeholder, a future date, an Updated equal to Posted) or
        offer the Updated meta as Posted.
        """
        known = {*_POSTED_META, *_UPDATED_META}
        outer = len(self.levels) - 1
        consumed = [
            el
            for el in self.doc.iter()
            if isinstance(el.tag, str)
            and el not in self.hidden
            and (
                "ld+json" in (el.get("type") or "").lower()
                or any(
                    (el.get(a) or "").strip().lower() in known
                    for a in ("property", "name", "itemprop")
                )
                or (
                    (el.tag == "time" or (el.get("itemprop") or "").lower() in _MICRODATA_FIELDS)
                    and self._level(el) == outer
                )
            )
        ]
        region = self._article_region()
        pruned = copy.deepcopy(self.doc)

        def twin(el: HtmlElement) -> HtmlElement:
            found = pruned
            for index in _index_path(self.doc, el):
                found = found[index]
            return found

        region_copy = twin(region) if region is not None else None
        for el in [twin(el) for el in [*self.excluded, *consumed]]:
            if el is not pruned and el.getparent() is not None:
                el.drop_tree()
        if region_copy is None or region_copy is pruned:
            return pruned
        # Only the <head> and the article: a list of other stories that no rule
        # recognised must not lend its dates.
        root = lxml.html.Element("html")
        head = pruned.find("head")
        if head is not None:
            root.append(head)
        etree.SubElement(root, "body").append(region_copy)
        return root

    def _article_region(self) -> HtmlElement | None:
        """The article element, else the headline's header; ``None``: no headline."""
        if self.headline is None:
            return None
        article = _article_of(self.headline)
        if article is not None and article.tag != "main":
            return article
        return self.levels[min(1, len(self.levels) - 2)]

    # -- helpers -------------------------------------------------------------

    def _level(self, el: HtmlElement) -> int:
        """How far from the headline: 0 = its parent; the last level is the whole page."""
        for ancestor in (el, *el.iterancestors()):
            if ancestor in self.level_of:
                return self.level_of[ancestor]
        return len(self.levels) - 1

    def _trusted(
        self, found: Iterable[tuple[HtmlElement, _Candidate | None]], *, outside: bool = True
    ) -> list[_Candidate]:
        """Candidates from marked elements that belong to this article, nearest first.

        Next to the headline every marked date counts. Further out, the dates
        found at one distance count only if they agree: several different ones
        are a list of other stories. With ``outside=False`` nothing outside the
        article area counts at all (for ``<time>`` elements without a mark).
        """
        outer = len(self.levels) - 1
        by_level: dict[int, list[_Candidate]] = {}
        for el, candidate in found:
            level = self._level(el)
            if candidate is not None and (outside or level < outer):
                by_level.setdefault(level, []).append(candidate)
        trusted: list[_Candidate] = []
        for level in sorted(by_level):
            candidates = by_level[level]
            if level == 0 or len({_moment(c) for c in candidates}) == 1:
                trusted += candidates
        return trusted


def _moment(candidate: _Candidate) -> tuple[date | None, time | None, tzinfo | None]:
    return candidate.parts.day, candidate.parts.clock, candidate.parts.zone


def _present(candidates: Iterable[_Candidate | None]) -> list[_Candidate]:
    return [c for c in candidates if c is not None]


def _later(updated: PageTime, posted: PageTime | None) -> bool:
    return posted is None or _minute(updated.value) > _minute(posted.value)


def _candidate(raw: str, source: str) -> _Candidate | None:
    """A structured value (JSON-LD, meta, ``datetime``): must hold a full date."""
    parts = _parse_string(raw)
    if parts is None or parts.day is None:
        return None
    return _Candidate(clean_text(raw), parts, source)


def _rules_zone(rules: OutletRules) -> ZoneInfo | None:
    if not rules.timezone:
        return None
    try:
        return ZoneInfo(rules.timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"unknown time zone {rules.timezone!r}") from exc


# --------------------------------------------------------------------------
# JSON-LD


def _load_json(text: str) -> Any | None:
    """Parse JSON-LD as pages write it: commented, wrapped in CDATA, with trailing commas."""
    text = re.sub(r"<!--|-->|(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>", " ", text).strip()
    repaired = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", " ", text)
    repaired = re.sub(r",\s*(?=[}\]])", "", repaired)
    for attempt in (text, repaired):
        values = _decode_all(attempt)
        if values is not None:
            return values
    return None


def _decode_all(text: str) -> list[Any] | None:
    """Every JSON value in ``text``: some pages put several objects in one script."""
    decoder = json.JSONDecoder(strict=False)
    values: list[Any] = []
    pos = 0
    while True:
        while pos < len(text) and text[pos] in " \t\r\n;,":
            pos += 1
        if pos >= len(text):
            return values or None
        try:
            value, pos = decoder.raw_decode(text, pos)
        except (ValueError, RecursionError):  # RecursionError: "[[[[…" nested too deep
            return None
        values.append(value)


def _walk_json_ld(value: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Objects at the top, in lists, in ``@graph`` and ``mainEntity``, not deeper.

    Deeper objects (``hasPart``, ``itemListElement``, ``isPartOf``) describe
    other works, whose dates are not this article's.
    """
    if depth > 5:
        return
    if isinstance(value, list):
        for item in value:
            yield from _walk_json_ld(item, depth + 1)
    elif isinstance(value, dict):
        yield value
        for key in ("@graph", "mainEntity"):
            if key in value:
                yield from _walk_json_ld(value[key], depth + 1)


def _json_ld_rank(obj: dict[str, Any]) -> int | None:
    types = obj.get("@type")
    names = types if isinstance(types, list) else [types]
    short = {re.split(r"[/:#]", str(t))[-1].lower() for t in names if t}
    if short & _ARTICLE_TYPES:
        return 0
    if short & _PAGE_TYPES:
        return 1
    return None


def _json_ld_value(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("@value")
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


# --------------------------------------------------------------------------
# The page's structure: headline, article area, excluded containers


# Where a lower-case letter meets an upper-case one ("mostRead"): a space goes there.
# Found as an empty match and replaced by a plain string, which re substitutes in
# C; a template with groups (r"\1 \2") runs Python code for every match.
_CAMEL_CASE = re.compile(r"(?<=[a-z])(?=[A-Z])")
_TOKEN = re.compile(r"[a-z0-9]+")


def _tokens(el: HtmlElement) -> tuple[str, ...]:
    """Words of class, id and aria-label: "mostReadList" -> most, read, list."""
    return _words_of(el.get("class"), el.get("id"), el.get("aria-label"))


@lru_cache(maxsize=4096)
def _words_of(*values: str | None) -> tuple[str, ...]:
    """Cached: read for every element of every page, and a site repeats its names everywhere."""
    named = [v for v in values if v]
    if not named:
        return ()
    return tuple(_TOKEN.findall(_CAMEL_CASE.sub(" ", " ".join(named)).lower()))


def exclusion(el: HtmlElement) -> str | None:
    """Why ``el`` holds no article dates: "footer", "other", or ``None``.

    The fast path (``monitor.fastpath``) leaves out of its fingerprint what this excludes.
    """
    tag = el.tag
    if not isinstance(tag, str):
        return None
    named = exclusion_by_name(
        tag, el.get("role"), el.get("class"), el.get("id"), el.get("aria-label")
    )
    if named is None and tag in HEADED_CONTAINERS and sidebar_heading(el):
        return "other"
    return named


def exclusion_by_name(
    tag: str, role: str | None, class_: str | None, id_: str | None, label: str | None
) -> str | None:
    """``exclusion`` of an element with this tag, role, class, id and aria-label, short of
    its heading: all it decides from but the element's first child.

    The fast path remembers it with the element's opening token, by tag and
    attributes.
    """
    if tag in ("html", "body", "main"):
        return None
    role = (role or "").lower()
    if tag == "footer" or role == "contentinfo":
        return "footer"
    if tag in _EXCLUDED_TAGS or role in _EXCLUDED_ROLES:
        return "other"
    return _excluded_by_name(class_, id_, label)


def sidebar_heading(el: HtmlElement) -> bool:
    """Whether a container's first child is a heading such as "Most read" or "Related"."""
    first = next((child for child in el if isinstance(child.tag, str)), None)
    title = "" if first is None else _heading_text(first)
    return bool(title and _SIDEBAR_HEADING.match(title))


@lru_cache(maxsize=4096)
def _excluded_by_name(*names: str | None) -> str | None:
    """What an element's class, id and aria-label exclude it as (``exclusion``).

    Cached by the names themselves, like their words (``_words_of``): one
    lookup for an element whose names the page used before. A page the
    worker has not seen has about 150 names the cache does not hold (a
    real watchlist's pages rarely come round before they are pushed out),
    so names holding none of the words that could exclude them are let go
    first, for about a tenth of the cost of reading their words.
    """
    if not _MAY_EXCLUDE.search(" ".join(n for n in names if n).lower()):
        return None
    tokens = _words_of(*names)
    if not tokens:
        return None
    words = set(tokens)
    if words & _EXCLUDED_WORDS == {"footer"}:
        return "footer"
    if words & _EXCLUDED_WORDS or any(t.startswith(_EXCLUDED_PREFIXES) for t in tokens):
        return "other"
    joined = f" {' '.join(tokens)} "
    if any(phrase in joined for phrase in _EXCLUDED_PHRASES):
        return "other"
    return None


def _heading_text(el: HtmlElement) -> str:
    """The text of ``el`` if it is a heading-like first child, else ""."""
    if el.tag not in ("h2", "h3", "h4", "h5", "h6", "strong"):
        return ""
    return clean_text(el.text_content())


def _page_title(doc: HtmlElement) -> str:
    for meta in doc.iter("meta"):
        if (meta.get("property") or meta.get("name") or "").lower() in (
            "og:title",
            "twitter:title",
        ):
            return clean_text(meta.get("content") or "").lower()
    title = next(doc.iter("title"), None)
    return clean_text(title.text_content()).lower() if title is not None else ""


def _main_headline(doc: HtmlElement) -> HtmlElement | None:
    """The article's headline: an ``<h1>``, preferring one in the article that matches the title.

    Sites put their logo in an ``<h1>`` too, and endless-scroll pages carry
    the next story's headline further down.
    """
    candidates = list(doc.iter("h1"))
    if not candidates:
        candidates = [el for el in doc.iterfind(".//*[@itemprop='headline']") if el.tag != "meta"]
    if not candidates:
        return None
    title = _page_title(doc)

    def score(el: HtmlElement) -> int:
        text = clean_text(el.text_content()).lower()
        ancestors = [el, *el.iterancestors()]
        points = 0 if any(exclusion(a) for a in ancestors) else 4
        if any(
            a.tag in ("article", "main") or "Article" in (a.get("itemtype") or "")
            for a in ancestors
        ):
            points += 2
        if len(text) >= 4 and title and (text in title or title in text):
            points += 3
        if not text or "logo" in _tokens(el):
            points -= 4
        return points

    best = max(range(len(candidates)), key=lambda i: (score(candidates[i]), -i))
    return candidates[best]


def _article_of(el: HtmlElement) -> HtmlElement | None:
    """The article element around ``el``; ``<main>`` only when there is none.

    ``<main>`` often holds the sidebar too, so it is the weaker guess.
    """
    ancestors = list(el.iterancestors())
    for ancestor in ancestors:
        if ancestor.tag == "article" or "Article" in (ancestor.get("itemtype") or ""):
            return ancestor
    return next((a for a in ancestors if a.tag == "main"), None)


def _excluded_roots(doc: HtmlElement, headline: HtmlElement | None) -> list[HtmlElement]:
    """The outermost containers to ignore: sidebars, navigation, other stories.

    Ancestors of the headline are never excluded (a page wrapper may well be
    called "has-sidebar"), nor is a ``<footer>`` inside the article itself,
    where blog templates put "Posted on …". Another headline's container is
    excluded: that is the next story of an endless-scroll page, or the site
    logo set in an ``<h1>``.
    """
    keep: set[HtmlElement] = set()
    article = None
    foreign: set[HtmlElement] = set()
    if headline is not None:
        keep.update((headline, *headline.iterancestors()))
        article = _article_of(headline)
        others = [h for h in doc.iter("h1") if h is not headline]
        if any(a.tag == "article" for a in headline.iterancestors()):
            others += [a for a in doc.iter("article") if a not in keep]
        for other in others:
            root = other
            while (parent := root.getparent()) is not None and parent not in keep:
                root = parent
            if parent is not None:
                foreign.add(root)
    roots: list[HtmlElement] = []
    walk = etree.iterwalk(doc, events=("start",))  # elements in page order, in C
    for _, el in walk:
        reason = "other" if el in foreign else None if el in keep else exclusion(el)
        if reason == "footer" and article is not None and article in el.iterancestors():
            reason = None
        if reason:
            roots.append(el)
            walk.skip_subtree()
    return roots


def _levels(
    doc: HtmlElement, headline: HtmlElement | None, hidden: set[HtmlElement]
) -> list[HtmlElement]:
    """Regions to search, nearest the headline first; the whole page last."""
    levels: list[HtmlElement] = []
    if headline is not None:
        article = _article_of(headline)
        el = headline.getparent()
        while el is not None and el is not doc and len(levels) < HEADER_DEPTH:
            if el.tag in ("body", "html"):
                break
            levels.append(el)
            if el is article:
                break  # beyond the article lie the sidebar and the next story
            el = el.getparent()
        if article is not None and article is not doc and article not in levels:
            levels.append(article)
    else:
        article = next((el for el in doc.iter("article", "main") if el not in hidden), None)
        if article is not None and article is not doc:
            levels.append(article)
    levels.append(doc)
    return levels


def _index_path(doc: HtmlElement, el: HtmlElement) -> list[int]:
    path = []
    while el is not doc:
        parent = el.getparent()
        path.append(parent.index(el))
        el = parent
    return path[::-1]


# --------------------------------------------------------------------------
# <time> elements and visible text


def _hint_from_tokens(el: HtmlElement) -> str | None:
    joined = " ".join(_tokens(el))
    posted = any(t in joined for t in _POSTED_TOKENS)
    updated = any(t in joined for t in _UPDATED_TOKENS)
    if posted != updated:
        return "posted" if posted else "updated"
    return None


def _hint_from_label(text: str) -> str | None:
    labels = list(_LABEL.finditer(text))
    if not labels:
        return None
    return "updated" if labels[-1]["updated"] else "posted"


def _text_before(el: HtmlElement, limit: int = 40) -> str:
    """The text just before ``el`` inside its parent: "Updated" in "Updated <time>"."""
    parent = el.getparent()
    if parent is None:
        return ""
    pieces = [parent.text or ""]
    for sibling in parent:
        if sibling is el:
            break
        if isinstance(sibling.tag, str):
            pieces.append(sibling.text_content())
        pieces.append(sibling.tail or "")
    return clean_text(" ".join(pieces))[-limit:]


def _time_hint(el: HtmlElement) -> str | None:
    """Whether a ``<time>`` is marked as Posted or Updated, nearest marking first."""
    if el.get("pubdate") is not None:
        return "posted"
    prop = (el.get("itemprop") or "").lower()
    if prop in ("datepublished", "datecreated"):
        return "posted"
    if prop == "datemodified":
        return "updated"
    hint = _hint_from_tokens(el) or _hint_from_label(clean_text(el.text_content()))
    hint = hint or _hint_from_label(_text_before(el))
    ancestor = el.getparent()
    for _ in range(2):
        if hint or ancestor is None:
            break
        hint = _hint_from_tokens(ancestor)
        ancestor = ancestor.getparent()
    return hint


def _microdata_candidate(el: HtmlElement) -> _Candidate | None:
    raw = el.get("content") or el.get("datetime") or clean_text(el.text_content())
    return _candidate(raw, "meta") if raw else None


def _time_candidate(el: HtmlElement) -> _Candidate | None:
    """A ``<time>``'s ``datetime``; its text only adds a time of day the attribute lacks."""
    attr = (el.get("datetime") or "").strip()
    text = clean_text(el.text_content())
    found = _candidate(attr, "time") if attr else None
    shown = _candidate(text, "time") if text else None
    if found is None:
        return shown  # no usable attribute ("{{date}}"): the visible text is all there is
    if shown is None or found.parts.clock is not None or shown.parts.clock is None:
        return found
    # <time datetime="2019-03-26">March 26, 2019 5:08 PM</time>: keep the time of day.
    return shown if shown.parts.day == found.parts.day else found


def _lines(root: HtmlElement, hidden: set[HtmlElement]) -> list[str]:
    """Visible text of ``root`` as lines broken at block elements, skipping hidden ones."""
    lines: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        text = clean_text(" ".join(buffer))
        if text:
            lines.append(text)
        buffer.clear()

    # In C, in page order; a hidden element's "end" still comes, with nothing read since.
    walk = etree.iterwalk(root, events=("start", "end", "comment", "pi"))
    for event, el in walk:
        if event == "start":
            if el.tag in _BLOCK_TAGS:
                flush()
            if el in hidden:
                walk.skip_subtree()
            elif el.text:
                buffer.append(el.text)
            continue
        if event == "end" and el.tag in _BLOCK_TAGS:
            flush()
        if el is not root and el.tail:  # after an element, a comment or an instruction
            buffer.append(el.tail)
    flush()
    return lines


def _is_label(line: str, match: re.Match[str]) -> bool:
    """Korean labels always; English ones capitalised or after a separator.

    "Posted Tue 26 Mar 2019, updated Tue 26 Mar 2019" (ABC) counts; "the
    figures were updated on March 3" in prose does not.
    """
    first = match.group()[0]
    if not first.isascii() or first.isupper():
        return True
    before = line[: match.start()].rstrip()
    return not before or before[-1] in ",;|·•/"


def _labelled(lines: list[str]) -> Iterable[tuple[str, _Candidate]]:
    """("posted" | "updated", candidate) for each labelled date, in reading order."""
    for index, line in enumerate(lines):
        if len(line) > _MAX_LABELLED_LINE:
            continue
        s = _normalise(line)
        if not _LABEL_WORD.search(s):
            continue
        labels = [m for m in _LABEL.finditer(s) if _is_label(s, m)]
        for i, label in enumerate(labels):
            end = labels[i + 1].start() if i + 1 < len(labels) else len(s)
            rest = s[label.end() : end][:80]
            if not rest.strip(" :|-–—·•") and index + 1 < len(lines):
                rest = " " + _normalise(lines[index + 1])[:80]  # <dt>Updated</dt><dd>…</dd>
            parts = _find_parts(rest)
            if parts is None or not _LEAD.fullmatch(rest[: parts.start]):
                continue
            raw = rest[parts.start : parts.end].strip()
            field = "updated" if label["updated"] else "posted"
            yield field, _Candidate(raw, parts, "text")
