"""robots.txt: parsed and matched per RFC 9309, fetched once per site and day.

monitor fetches the same pages again and again, for weeks, unattended; an
outlet that says "not this path, not for robots" must be heard. Two halves:

- :func:`parse_robots` and :class:`RobotsTxt` are pure. They implement RFC
  9309 rather than leaning on ``urllib.robotparser``, which takes the first
  matching rule instead of the longest, ignores ``*`` and ``$``, and so
  disagrees with Google and the RFC on files such as
  ``Disallow: /`` + ``Allow: /news/``. The rules here: the group whose
  user-agent names our product token (case-insensitive; all such groups
  merged), else the ``*`` groups, else no rules at all; among the rules of
  that group the longest matching pattern wins and ``Allow`` wins a tie;
  ``*`` matches any run of characters and a final ``$`` anchors the end;
  ``/robots.txt`` itself is always allowed.
- :class:`RobotsCache` fetches ``/robots.txt`` through a function it is
  given (the Fetcher's own, so the fetch is guarded and polite) and keeps the
  answer per scheme, host and port for :data:`ROBOTS_TTL`. What a fetch
  result means, following RFC 9309 section 2.3.1:

  ======================================  =========================================
  2xx                                     the file's rules, for 24 h
  4xx other than 429 (incl. 404, 403)     no file: everything allowed, for 24 h
  429, 5xx, network error                 "unreachable": everything disallowed,
                                          retried after :data:`ROBOTS_RETRY` (1 h);
                                          a good copy fetched in the last 30 days
                                          is used instead while it lasts
  refused by the private-address guard    not a robots answer: the guard's error
                                          is raised, as the page would raise it
  ======================================  =========================================

  429 is read as "unreachable" (as Google does) rather than "no file": a site
  that is rate-limiting us has not said it has no rules. The body is cut at
  :data:`ROBOTS_MAX_BYTES` (500 KiB, the least the RFC requires parsers to
  read), at the last whole line, so a rule is never cut into a shorter one.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import quote, urlsplit, urlunsplit

from monitor.errors import (
    BlockedAddressError,
    FetchError,
    InvalidURLError,
    RobotsDisallowedError,
)

__all__ = [
    "ROBOTS_MAX_BYTES",
    "ROBOTS_RETRY",
    "ROBOTS_TTL",
    "RobotsCache",
    "RobotsRule",
    "RobotsTxt",
    "parse_robots",
    "product_token",
    "robots_url",
]

ROBOTS_MAX_BYTES = 500 * 1024  # read no further: RFC 9309 section 2.5's minimum
ROBOTS_TTL = 24 * 3600.0  # seconds a fetched robots.txt is trusted (RFC 9309 section 2.4)
ROBOTS_RETRY = 3600.0  # seconds before an unreachable robots.txt is tried again
# How old a good copy may be and still stand in for an unreachable robots.txt.
ROBOTS_STALE_LIMIT = 30 * 24 * 3600.0
MAX_SITES = 10_000  # cached sites; the least recently used are forgotten first

# RFC 3986 unreserved characters: the only ones whose %-escapes are decoded before
# comparing, so "/%7Efoo" and "/~foo" match the same rules and "/a%2Fb" stays distinct.
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
# What quote() must leave alone: every printable ASCII character but space and '%'
# escapes it should not touch ('%' stays literal; bad escapes are left as they are).
_SAFE = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
_TOKEN = re.compile(r"[A-Za-z_-]+")
_LINE = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class RobotsRule:
    """One ``Allow`` or ``Disallow`` line, its pattern %-normalised."""

    allow: bool
    pattern: str

    @property
    def specificity(self) -> int:
        """RFC 9309: the match with the most octets wins; the pattern's length is that."""
        return len(self.pattern)

    def matches(self, path: str) -> bool:
        """Whether the normalised ``path`` (path and query) starts with this pattern."""
        return _wildcard_match(self.pattern, path)


@dataclass(frozen=True)
class _Group:
    agents: tuple[str, ...]  # lower-case product tokens, or "*"
    rules: tuple[RobotsRule, ...]


@dataclass(frozen=True)
class RobotsTxt:
    """A parsed robots.txt; ``allows(url_path, token)`` answers for one agent."""

    groups: tuple[_Group, ...] = ()
    disallow_all: bool = False  # the "unreachable" policy: nothing but /robots.txt
    reason: str = ""  # why disallow_all was chosen, for the error message

    @classmethod
    def unreachable(cls, reason: str) -> RobotsTxt:
        return cls(disallow_all=True, reason=reason)

    def rules_for(self, token: str) -> tuple[RobotsRule, ...]:
        """The rules of every group naming ``token``, else of every ``*`` group."""
        token = token.lower()
        named = [g for g in self.groups if token in g.agents]
        chosen = named or [g for g in self.groups if "*" in g.agents]
        return tuple(rule for group in chosen for rule in group.rules)

    def decide(self, path: str, token: str) -> RobotsRule | None:
        """The rule that decides ``path`` for ``token``: the longest match, Allow on ties."""
        path = _normalise(path or "/")
        best: RobotsRule | None = None
        for rule in self.rules_for(token):
            if best is not None and (rule.specificity, rule.allow) <= (
                best.specificity,
                best.allow,
            ):
                continue
            if rule.matches(path):
                best = rule
        return best

    def allows(self, path: str, token: str) -> bool:
        """Whether ``token`` may fetch ``path`` (the URL's path and query)."""
        if (path or "/").split("?", 1)[0] == "/robots.txt":
            return True
        if self.disallow_all:
            return False
        rule = self.decide(path, token)
        return rule is None or rule.allow


def parse_robots(text: str) -> RobotsTxt:
    """Parse robots.txt text; lines that are not user-agent/allow/disallow are ignored.

    A group is one or more ``User-agent`` lines followed by rules; a
    ``User-agent`` line after a rule starts the next group. Rules before any
    ``User-agent`` belong to no group (RFC 9309) and are dropped, as are empty
    ``Disallow:`` lines (which mean "nothing is disallowed").
    """
    groups: list[_Group] = []
    agents: list[str] = []
    rules: list[RobotsRule] = []
    for line in _LINE.split(text.removeprefix("\ufeff")):
        key, sep, value = line.split("#", 1)[0].partition(":")
        if not sep:
            continue
        key = key.strip().lower()
        value = value.strip()
        if key in ("user-agent", "useragent", "user agent"):
            if rules:
                groups.append(_Group(tuple(agents), tuple(rules)))
                agents, rules = [], []
            agents.append(_agent_token(value))
        elif key in ("allow", "disallow") and agents and value:
            rules.append(RobotsRule(allow=key == "allow", pattern=_normalise_pattern(value)))
    if agents:
        groups.append(_Group(tuple(agents), tuple(rules)))
    return RobotsTxt(groups=tuple(groups))


def product_token(user_agent: str) -> str:
    """The product token robots.txt groups are matched on: ``monitor`` for ``monitor/0.1 (…)``."""
    match = _TOKEN.match(user_agent.strip())
    return match.group(0).lower() if match else "monitor"


def robots_url(url: str) -> str:
    """Where the robots.txt governing ``url`` lives: same scheme, host and port."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), "/robots.txt", "", ""))


def _site_key(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port or {"http": 80, "https": 443}.get(scheme)
    return scheme, (parts.hostname or "").lower().rstrip("."), port


def _url_path(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path or "/"
    return f"{path}?{parts.query}" if parts.query else path


def _agent_token(value: str) -> str:
    """``Googlebot/2.1`` names ``googlebot``; ``*`` is the fallback group."""
    if value.startswith("*"):
        return "*"
    match = _TOKEN.match(value)
    return match.group(0).lower() if match else value.lower()


def _normalise(text: str) -> str:
    """%-encode non-ASCII as UTF-8, upper-case escapes, decode escaped unreserved characters.

    Applied to patterns and paths alike so that both spellings of one URL
    compare equal (RFC 9309 section 2.2.2).
    """
    encoded = quote(text, safe=_SAFE)

    def fix(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else f"%{match.group(1).upper()}"

    return _ESCAPE.sub(fix, encoded)


def _normalise_pattern(value: str) -> str:
    pattern = _normalise(value)
    if not pattern.startswith(("/", "*")):
        pattern = "/" + pattern  # "Disallow: private" is meant as "/private"
    return re.sub(r"\*{2,}", "*", pattern)


def _wildcard_match(pattern: str, path: str) -> bool:
    """Match ``path`` against a pattern with ``*`` wildcards and an optional final ``$``.

    Without ``$`` the pattern need only match a prefix. A greedy matcher that
    backtracks to the last ``*`` only: O(len(pattern) x len(path)) at worst,
    so a hostile ``*a*a*a*a…`` rule cannot stall the event loop the way a
    regular expression could.
    """
    anchored = pattern.endswith("$")
    if anchored:
        pattern = pattern[:-1]
    if "*" not in pattern:
        return path == pattern if anchored else path.startswith(pattern)
    if not anchored:
        pattern += "*"
    p = s = 0
    star = -1
    resume = 0
    while s < len(path):
        if p < len(pattern) and pattern[p] == "*":
            star, resume = p, s
            p += 1
        elif p < len(pattern) and pattern[p] == path[s]:
            p += 1
            s += 1
        elif star >= 0:
            p = star + 1
            resume += 1
            s = resume
        else:
            return False
    return pattern[p:].strip("*") == ""


# --- the cache ----------------------------------------------------------------------

# Fetches a robots.txt URL: (HTTP status, body text already cut to ROBOTS_MAX_BYTES).
# Raises FetchError when there is no answer.
RobotsGetter = Callable[[str], Awaitable[tuple[int, str]]]


@dataclass(frozen=True)
class _Entry:
    robots: RobotsTxt
    fetched_at: float  # when the answer now in use was fetched
    expires_at: float  # when to fetch again
    good: bool  # an answer the site gave (2xx or 4xx), not "unreachable"


class RobotsCache:
    """robots.txt per scheme, host and port: fetched at most once per TTL, then matched.

    Concurrent checks of one site wait for a single fetch rather than each
    fetching robots.txt. ``clock`` is monotonic seconds (tests pass a fake).
    Errors of the ``passthrough`` types are raised to the caller and cached
    as nothing; every other FetchError means "unreachable".
    """

    def __init__(
        self,
        get: RobotsGetter,
        *,
        token: str = "monitor",
        clock: Callable[[], float] = time.monotonic,
        ttl: float = ROBOTS_TTL,
        retry: float = ROBOTS_RETRY,
        max_sites: int = MAX_SITES,
        passthrough: tuple[type[FetchError], ...] = (BlockedAddressError, InvalidURLError),
    ) -> None:
        self._get = get
        self._passthrough = passthrough
        self.token = token.lower()
        self._clock = clock
        self._ttl = ttl
        self._retry = retry
        self._max_sites = max_sites
        self._entries: OrderedDict[tuple[str, str, int | None], _Entry] = OrderedDict()
        self._pending: dict[tuple[str, str, int | None], asyncio.Event] = {}

    async def allows(self, url: str) -> bool:
        """Whether robots.txt lets us fetch ``url``; fetches robots.txt when due."""
        robots = await self.robots_for(url)
        return robots.allows(_url_path(url), self.token)

    async def check(self, url: str) -> None:
        """Raise :class:`RobotsDisallowedError` unless robots.txt lets us fetch ``url``."""
        robots = await self.robots_for(url)
        if robots.allows(_url_path(url), self.token):
            return
        if robots.disallow_all:
            raise RobotsDisallowedError(
                f"robots.txt disallows everything for now: {robots.reason} "
                f"(tried again within {self._retry / 60:g} min): {url}"
            )
        rule = robots.decide(_url_path(url), self.token)
        shown = f" (Disallow: {rule.pattern})" if rule else ""
        raise RobotsDisallowedError(
            f"robots.txt disallows {url} for {self.token!r}{shown}; "
            f"set obey_robots = false for this outlet to fetch it anyway"
        )

    async def robots_for(self, url: str) -> RobotsTxt:
        """The rules in force for ``url``'s site, fetching them once if none are fresh."""
        key = _site_key(url)
        while True:
            entry = self._entries.get(key)
            if entry is not None and self._clock() < entry.expires_at:
                self._entries.move_to_end(key)
                return entry.robots
            pending = self._pending.get(key)
            if pending is None:
                break
            await pending.wait()  # another task is fetching this site's robots.txt
        done = self._pending[key] = asyncio.Event()
        try:
            entry = await self._refresh(url, self._entries.get(key))
        finally:
            del self._pending[key]
            done.set()
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_sites:
            self._entries.popitem(last=False)
        return entry.robots

    async def _refresh(self, url: str, previous: _Entry | None) -> _Entry:
        where = robots_url(url)
        now = self._clock()
        try:
            status, text = await self._get(where)
        except self._passthrough:
            raise  # not an answer about robots.txt: the guard's refusal, or "come back later"
        except FetchError as exc:
            return self._unreachable(f"{where} could not be fetched ({exc})", previous, now)
        if 200 <= status < 300:
            return _Entry(parse_robots(text), now, now + self._ttl, good=True)
        if status == 429 or status >= 500:
            return self._unreachable(f"{where} answered HTTP {status}", previous, now)
        # 4xx: there is no robots.txt for us, so nothing is disallowed. Also a
        # 3xx left over (a redirect without Location), which RFC 9309 lets us
        # treat as unavailable.
        return _Entry(RobotsTxt(), now, now + self._ttl, good=True)

    def _unreachable(self, reason: str, previous: _Entry | None, now: float) -> _Entry:
        if (
            previous is not None
            and previous.good
            and now - previous.fetched_at < ROBOTS_STALE_LIMIT
        ):
            # RFC 9309 section 2.4: a cached copy may outlive 24 h while the file is unreachable.
            return _Entry(previous.robots, previous.fetched_at, now + self._retry, good=True)
        return _Entry(RobotsTxt.unreachable(reason), now, now + self._retry, good=False)
