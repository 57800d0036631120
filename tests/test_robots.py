"""robots.txt: RFC 9309 matching (pure), the cache (a fake getter), and the Fetcher.

The Fetcher tests run against the real local page server under made-up host
names that resolve to 127.0.0.1 (loopback addresses themselves are exempt
from robots.txt, see monitor.fetch), with the cache's clock faked so "a day
later" takes no time.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace

import anyio
import anyio.lowlevel
import pytest

from monitor.config import FetchSettings
from monitor.errors import BlockedAddressError, FetchError, RobotsDisallowedError
from monitor.fetch import Fetcher
from monitor.robots import (
    ROBOTS_MAX_BYTES,
    RobotsCache,
    parse_robots,
    product_token,
    robots_url,
)
from tests.pageserver import PageServer

pytestmark = pytest.mark.anyio


def allowed(robots_txt: str, path: str, token: str = "monitor") -> bool:
    return parse_robots(robots_txt).allows(path, token)


# --- matching (pure) -----------------------------------------------------------------

# Google's published examples of precedence and wildcards, plus RFC 9309's:
# (rules or pattern, path, whether the path is allowed).
PRECEDENCE = [
    ("allow: /p\ndisallow: /", "/page", True),  # the longer rule wins
    ("allow: /folder\ndisallow: /folder", "/folder/page", True),  # a tie goes to Allow
    ("allow: /page\ndisallow: /*.htm", "/page.htm", False),  # "/*.htm" is longer
    ("allow: /$\ndisallow: /", "/", True),
    ("allow: /$\ndisallow: /", "/page.htm", False),
    ("disallow: /\nallow: /news/", "/news/story-1", True),  # order does not matter
    ("allow: /news/\ndisallow: /", "/news/story-1", True),
    ("disallow: /news/\nallow: /news/public/", "/news/public/a", True),
    ("disallow: /news/\nallow: /news/public/", "/news/private/a", False),
]


@pytest.mark.parametrize(("rules", "path", "expected"), PRECEDENCE)
def test_longest_match_wins_and_allow_wins_ties(rules: str, path: str, expected: bool) -> None:
    assert allowed(f"user-agent: *\n{rules}\n", path) is expected


WILDCARDS = [
    ("/fish", "/fish", False),
    ("/fish", "/fish.html", False),
    ("/fish", "/fishheads/yummy.html", False),
    ("/fish", "/Fish.asp", True),  # paths are case-sensitive
    ("/fish", "/catfish", True),
    ("/fish*", "/fish.php?id=anything", False),  # a trailing * adds nothing
    ("/fish/", "/fish", True),
    ("/*.php", "/index.php", False),
    ("/*.php", "/folder/filename.php?parameters", False),
    ("/*.php", "/windows.PHP", True),
    ("/*.php$", "/filename.php", False),
    ("/*.php$", "/filename.php?parameters", True),
    ("/*.php$", "/filename.php/", True),
    ("/fish*.php", "/fishheads/catfish.php?parameters", False),
    ("/fish*.php", "/Fish.PHP", True),
    ("/*?", "/page?x=1", False),  # query strings count
    ("/*?", "/page", True),
    ("/a*b*c", "/axxbyyc", False),
    ("/a*b*c", "/axxcyyb", True),
    ("/a$b", "/a$b", False),  # '$' only anchors at the very end
    ("*/private", "/news/private", False),  # patterns may start with '*'
    ("private", "/private/x", False),  # a missing leading slash is implied
]


@pytest.mark.parametrize(("pattern", "path", "expected"), WILDCARDS)
def test_wildcards_and_end_anchor(pattern: str, path: str, expected: bool) -> None:
    assert allowed(f"User-agent: *\nDisallow: {pattern}\n", path) is expected


@pytest.mark.parametrize(
    ("pattern", "path", "blocked"),
    [
        ("/%7Ejoe", "/~joe/index.html", True),  # escaped unreserved characters are decoded
        ("/~joe", "/%7ejoe/index.html", True),
        ("/a%2Fb", "/a/b", False),  # an escaped '/' is not a '/'
        ("/a%2fb", "/a%2Fb", True),  # but escapes compare case-insensitively
        ("/foo/bar/ツ", "/foo/bar/%E3%83%84", True),  # non-ASCII patterns are UTF-8 escaped
        ("/foo/bar/%E3%83%84", "/foo/bar/ツ", True),
    ],
)
def test_percent_encoding_is_normalised(pattern: str, path: str, blocked: bool) -> None:
    assert allowed(f"User-agent: *\nDisallow: {pattern}\n", path) is not blocked


def test_our_group_is_chosen_over_the_star_group() -> None:
    text = "User-agent: *\nDisallow: /\n\nUser-agent: Monitor/1.0\nDisallow: /private\n"
    assert allowed(text, "/news")
    assert not allowed(text, "/private/x")
    assert not allowed(text, "/news", token="otherbot")


def test_groups_naming_us_are_merged_and_share_agent_lines() -> None:
    text = (
        "User-agent: googlebot\nUser-agent: monitor\nDisallow: /a\n"
        "User-agent: bingbot\nDisallow: /c\n"
        "user-agent: MONITOR\ndisallow: /b\n"
    )
    assert not allowed(text, "/a/1")
    assert not allowed(text, "/b/1")
    assert allowed(text, "/c/1")
    assert not allowed(text, "/a", token="googlebot")
    assert allowed(text, "/b", token="googlebot")


def test_similar_product_tokens_do_not_match() -> None:
    text = "User-agent: monitorbot\nDisallow: /\nUser-agent: monitor-news\nDisallow: /\n"
    assert allowed(text, "/anything")


def test_no_group_for_us_and_no_star_group_allows_everything() -> None:
    assert allowed("User-agent: googlebot\nDisallow: /\n", "/x")
    assert allowed("", "/x")
    assert allowed("garbage\n<html>not a robots file</html>", "/x")


def test_rules_before_any_user_agent_and_empty_disallow_are_ignored() -> None:
    assert allowed("Disallow: /\nUser-agent: *\nDisallow:\n", "/x")


def test_comments_crlf_bom_and_other_lines() -> None:
    text = (
        "\ufeffUser-Agent: * # everyone\r\n"
        "Crawl-delay: 10\r\n"
        "Sitemap: https://news.example/sitemap.xml\r\n"
        "Disallow: /search # no searches\r\n"
        "Allow: /search/about\r"
    )
    assert not allowed(text, "/search?q=x")
    assert allowed(text, "/search/about")
    assert allowed(text, "/news")


def test_robots_txt_itself_is_always_allowed() -> None:
    assert allowed("User-agent: *\nDisallow: /\n", "/robots.txt")


def test_the_deciding_rule_is_reported() -> None:
    robots = parse_robots("User-agent: *\nDisallow: /news\nAllow: /news/public\n")
    rule = robots.decide("/news/private", "monitor")
    assert rule is not None and (rule.allow, rule.pattern) == (False, "/news")
    assert robots.decide("/sport", "monitor") is None


def test_a_hostile_pattern_cannot_stall_matching() -> None:
    text = "User-agent: *\n" + "".join(f"Disallow: /{'*a' * 40}b{i}\n" for i in range(50))
    robots = parse_robots(text)
    started = time.perf_counter()
    assert robots.allows("/" + "a" * 4000, "monitor")
    assert time.perf_counter() - started < 1.0


@pytest.mark.parametrize(
    ("user_agent", "token"),
    [
        ("monitor/0.1 (self-hosted news edit tracker; +https://x)", "monitor"),
        ("Monitor", "monitor"),
        ("NewsWatch-Bot/2", "newswatch-bot"),
        ("", "monitor"),
    ],
)
def test_product_token(user_agent: str, token: str) -> None:
    assert product_token(user_agent) == token


def test_robots_url_keeps_scheme_host_and_port() -> None:
    assert (
        robots_url("https://News.Example:8443/a/b?c=d#e") == "https://news.example:8443/robots.txt"
    )


# --- the cache, with a fake getter ------------------------------------------------


class FakeClock:
    """Monotonic seconds that move when a test says so, or when someone sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        await anyio.lowlevel.checkpoint()
        self.now += seconds


class FakeSite:
    """A getter answering robots.txt fetches from a table, counting them."""

    def __init__(self, status: int = 200, text: str = "", error: FetchError | None = None):
        self.status = status
        self.text = text
        self.error = error
        self.asked: list[str] = []

    async def __call__(self, url: str) -> tuple[int, str]:
        self.asked.append(url)
        await anyio.sleep(0.01)  # long enough for concurrent callers to pile up
        if self.error is not None:
            raise self.error
        return self.status, self.text


async def test_concurrent_checks_of_one_site_fetch_robots_once() -> None:
    site = FakeSite(text="User-agent: *\nDisallow: /private\n")
    cache = RobotsCache(site, clock=FakeClock())
    results: dict[str, bool] = {}

    async def check(path: str) -> None:
        results[path] = await cache.allows(f"https://news.example{path}")

    async with anyio.create_task_group() as tg:
        for i in range(10):
            tg.start_soon(check, f"/news/{i}")
        tg.start_soon(check, "/private/1")
    assert site.asked == ["https://news.example/robots.txt"]
    assert results.pop("/private/1") is False
    assert all(results.values())


async def test_robots_is_fetched_again_after_a_day() -> None:
    clock = FakeClock()
    site = FakeSite(text="User-agent: *\nDisallow: /a\n")
    cache = RobotsCache(site, clock=clock)
    assert not await cache.allows("http://news.example/a")
    clock.now = 23 * 3600
    site.text = "User-agent: *\nDisallow: /b\n"
    assert not await cache.allows("http://news.example/a")  # still yesterday's copy
    clock.now = 24 * 3600 + 1
    assert await cache.allows("http://news.example/a")
    assert not await cache.allows("http://news.example/b")
    assert len(site.asked) == 2


async def test_sites_are_keyed_by_scheme_host_and_port() -> None:
    site = FakeSite(text="")
    cache = RobotsCache(site, clock=FakeClock())
    for url in (
        "http://news.example/a",
        "http://NEWS.example:80/b",  # the same site as the first
        "https://news.example/a",
        "https://news.example:8443/a",
        "http://www.news.example/a",
    ):
        await cache.allows(url)
    assert site.asked == [
        "http://news.example/robots.txt",
        "https://news.example/robots.txt",
        "https://news.example:8443/robots.txt",
        "http://www.news.example/robots.txt",
    ]


@pytest.mark.parametrize("status", [404, 410, 401, 403])
async def test_4xx_robots_means_everything_is_allowed(status: int) -> None:
    cache = RobotsCache(FakeSite(status=status, text="User-agent: *\nDisallow: /"))
    assert await cache.allows("http://news.example/a")


@pytest.mark.parametrize("status", [500, 503, 429])
async def test_5xx_and_429_robots_mean_everything_is_disallowed_for_an_hour(
    status: int,
) -> None:
    clock = FakeClock()
    site = FakeSite(status=status)
    cache = RobotsCache(site, clock=clock)
    with pytest.raises(RobotsDisallowedError, match=f"robots.txt answered HTTP {status}"):
        await cache.check("http://news.example/a")
    clock.now = 3599
    assert not await cache.allows("http://news.example/a")
    assert len(site.asked) == 1
    site.status = 404
    clock.now = 3601
    assert await cache.allows("http://news.example/a")
    assert len(site.asked) == 2


async def test_network_error_means_disallowed_and_says_why() -> None:
    cache = RobotsCache(FakeSite(error=FetchError("could not resolve news.example: no such host")))
    with pytest.raises(RobotsDisallowedError, match=r"could not resolve news\.example"):
        await cache.check("http://news.example/a")


async def test_an_unreachable_robots_keeps_the_last_good_copy() -> None:
    clock = FakeClock()
    site = FakeSite(text="User-agent: *\nDisallow: /private\n")
    cache = RobotsCache(site, clock=clock)
    assert await cache.allows("http://news.example/news")
    site.status = 503
    clock.now = 25 * 3600
    assert await cache.allows("http://news.example/news")  # yesterday's rules stand in
    assert not await cache.allows("http://news.example/private")
    clock.now = 31 * 24 * 3600  # a month of outage: the old copy is too old to trust
    assert not await cache.allows("http://news.example/news")


async def test_a_guard_refusal_is_raised_not_cached() -> None:
    site = FakeSite(error=BlockedAddressError("refusing to fetch news.example: private"))
    cache = RobotsCache(site, clock=FakeClock())
    for _ in range(2):
        with pytest.raises(BlockedAddressError):
            await cache.check("http://news.example/a")
    assert len(site.asked) == 2


async def test_the_disallowed_message_names_the_rule_and_the_opt_out() -> None:
    cache = RobotsCache(FakeSite(text="User-agent: *\nDisallow: /news/\n"))
    with pytest.raises(RobotsDisallowedError) as caught:
        await cache.check("http://news.example/news/1")
    message = str(caught.value)
    assert message.startswith("robots.txt disallows http://news.example/news/1")
    assert "Disallow: /news/" in message
    assert "obey_robots = false" in message
    assert isinstance(caught.value, FetchError)


# --- through the Fetcher, against the page server ----------------------------------

SETTINGS = FetchSettings(allow_private_hosts=True, host_delay=0.0)


@pytest.fixture(scope="module")
def shared_server() -> Iterator[PageServer]:
    with PageServer() as running:
        yield running


@pytest.fixture
def server(shared_server: PageServer) -> PageServer:
    shared_server.pages.clear()
    shared_server.requests.clear()
    return shared_server


def fetcher(settings: FetchSettings = SETTINGS, clock: FakeClock | None = None) -> Fetcher:
    """A Fetcher for made-up names that all resolve to the page server."""
    if clock is None:
        return Fetcher(settings, resolver=lambda host: ["127.0.0.1"])
    return Fetcher(settings, resolver=lambda host: ["127.0.0.1"], clock=clock, sleep=clock.sleep)


def url(server: PageServer, path: str, host: str = "news.example") -> str:
    return f"http://{host}:{server.port}{path}"


def paths(server: PageServer) -> list[str]:
    return [r.path for r in server.requests]


async def test_a_disallowed_page_is_never_requested(server: PageServer) -> None:
    server.set("/robots.txt", "User-agent: *\nDisallow: /private/\n")
    server.set("/private/a", "<p>secret</p>")
    server.set("/news/a", "<p>news</p>")
    async with fetcher() as f:
        with pytest.raises(RobotsDisallowedError, match=r"robots\.txt disallows"):
            await f.fetch(url(server, "/private/a"))
        assert (await f.fetch(url(server, "/news/a"))).text == "<p>news</p>"
    assert paths(server) == ["/robots.txt", "/news/a"]
    assert server.requests[0].headers["User-Agent"] == SETTINGS.user_agent


async def test_robots_is_fetched_once_for_many_pages(server: PageServer) -> None:
    server.set("/robots.txt", "User-agent: *\nDisallow: /private/\n")
    for i in range(8):
        server.set(f"/news/{i}", f"<p>{i}</p>")
    async with fetcher() as f, anyio.create_task_group() as tg:
        for i in range(8):
            tg.start_soon(f.fetch, url(server, f"/news/{i}"))
    assert len(server.requests_for("/robots.txt")) == 1
    assert len(server.requests) == 9


async def test_missing_robots_allows_everything(server: PageServer) -> None:
    server.set("/a", "<p>a</p>")
    async with fetcher() as f:
        assert (await f.fetch(url(server, "/a"))).status == 200
    assert paths(server) == ["/robots.txt", "/a"]  # the page server answers 404


async def test_failing_robots_disallows_everything_until_retried(server: PageServer) -> None:
    clock = FakeClock()
    server.set("/robots.txt", "oops", status=500)
    server.set("/a", "<p>a</p>")
    async with fetcher(clock=clock) as f:
        for _ in range(2):
            with pytest.raises(RobotsDisallowedError, match="answered HTTP 500"):
                await f.fetch(url(server, "/a"))
        assert paths(server) == ["/robots.txt"]
        server.set("/robots.txt", "User-agent: *\nAllow: /\n")
        clock.now += 3601
        assert (await f.fetch(url(server, "/a"))).status == 200
    assert paths(server) == ["/robots.txt", "/robots.txt", "/a"]


async def test_obey_robots_can_be_switched_off_per_call_or_in_settings(
    server: PageServer,
) -> None:
    server.set("/robots.txt", "User-agent: *\nDisallow: /\n")
    server.set("/a", "<p>a</p>")
    async with fetcher() as f:
        assert (await f.fetch(url(server, "/a"), obey_robots=False)).status == 200
    async with fetcher(replace(SETTINGS, obey_robots=False)) as f:
        assert (await f.fetch(url(server, "/a"))).status == 200
        with pytest.raises(RobotsDisallowedError):
            await f.fetch(url(server, "/a"), obey_robots=True)  # the call wins either way
    assert paths(server) == ["/a", "/a", "/robots.txt"]


async def test_each_redirect_hop_obeys_its_own_site(server: PageServer) -> None:
    server.set("/robots.txt", "User-agent: *\nDisallow: /hidden\n")  # for every name
    server.redirect("/moved", url(server, "/hidden/a", host="other.example"))
    async with fetcher() as f:
        with pytest.raises(RobotsDisallowedError, match=r"other\.example"):
            await f.fetch(url(server, "/moved"))
    hosts = [(r.headers["Host"].split(":")[0], r.path) for r in server.requests]
    assert hosts == [
        ("news.example", "/robots.txt"),
        ("news.example", "/moved"),
        ("other.example", "/robots.txt"),
    ]


async def test_robots_redirect_is_followed(server: PageServer) -> None:
    server.redirect("/robots.txt", "/real-robots.txt")
    server.set("/real-robots.txt", "User-agent: monitor\nDisallow: /a\n")
    async with fetcher() as f:
        with pytest.raises(RobotsDisallowedError):
            await f.fetch(url(server, "/a"))


async def test_robots_past_500_kib_is_cut_at_a_whole_line(server: PageServer) -> None:
    head = "User-agent: *\nDisallow: /early\n"
    padding = "# padding padding padding padding padding padding padding padding\n"
    body = head + padding * (ROBOTS_MAX_BYTES // len(padding)) + "Disallow: /late\n"
    assert len(body) > ROBOTS_MAX_BYTES
    server.set("/robots.txt", body, headers={"Content-Type": "text/plain"})
    server.set("/late", "<p>late</p>")
    async with fetcher(replace(SETTINGS, max_bytes=100_000)) as f:  # not the page cap
        with pytest.raises(RobotsDisallowedError):
            await f.fetch(url(server, "/early"))
        assert (await f.fetch(url(server, "/late"))).status == 200


async def test_loopback_addresses_skip_robots(server: PageServer) -> None:
    server.set("/robots.txt", "User-agent: *\nDisallow: /\n")
    server.set("/a", "<p>a</p>")
    async with fetcher() as f:
        assert (await f.fetch(server.url("/a"))).status == 200
    assert paths(server) == ["/a"]


async def test_a_retry_after_on_robots_is_not_cached_as_a_disallow(server: PageServer) -> None:
    """A host that says "come back in ten minutes" has said nothing about its rules."""
    clock = FakeClock()
    server.set("/a", "<p>a</p>")
    server.set("/busy", "busy", status=429, headers={"Retry-After": "600"})
    async with fetcher(clock=clock) as f:
        await f.fetch(url(server, "/busy"), obey_robots=False)
        with pytest.raises(FetchError, match="asked us to wait") as caught:
            await f.fetch(url(server, "/a"))
        assert not isinstance(caught.value, RobotsDisallowedError)
        clock.now += 601
        assert (await f.fetch(url(server, "/a"))).status == 200
    assert paths(server) == ["/busy", "/robots.txt", "/a"]


async def test_fetcher_uses_its_product_token(server: PageServer) -> None:
    server.set("/robots.txt", "User-agent: newswatch\nDisallow: /\n")
    server.set("/a", "<p>a</p>")
    async with fetcher() as f:
        assert (await f.fetch(url(server, "/a"))).status == 200
    async with fetcher(replace(SETTINGS, user_agent="NewsWatch/1.0 (+https://x)")) as f:
        with pytest.raises(RobotsDisallowedError, match="'newswatch'"):
            await f.fetch(url(server, "/a"))
