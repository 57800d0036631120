"""SSRF: every path that makes a request refuses private targets, in every spelling.

Each advisory class of the private-address guard, run through the real entry
points rather than ``netguard`` alone (``test_netguard.py`` tests the rules as
pure functions, ``test_fetch.py`` the Fetcher): the checker, ``monitor add``,
the JSON API and the web form, feed polls, robots.txt and redirect hops. The
guard is on (``allow_private_hosts`` false) in every test here. Names are
resolved by injected resolvers, never DNS; the one server is the local page
server, reached only through a name a test declares trusted, and a test
passes only if the private target was never requested.
"""

from __future__ import annotations

import asyncio
import re
import ssl
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from monitor.checker import Checker
from monitor.cli import main
from monitor.config import FeedSettings, FetchSettings, Settings
from monitor.errors import BlockedAddressError, InvalidURLError
from monitor.feeds import add_feed, poll_feed
from monitor.fetch import Fetcher, GuardedConnector
from monitor.models import Outcome
from monitor.store import Store
from monitor.watchlist import add_urls
from monitor.web import create_app
from tests.fakedns import FakeDNS
from tests.pageserver import PageServer
from tests.samples import PARAGRAPHS, page
from tests.test_web_api import every_route

pytestmark = pytest.mark.anyio

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
GUARDED = FetchSettings(allow_private_hosts=False, obey_robots=False, host_delay=0.0)
SETTINGS = Settings(fetch=GUARDED)
TRUSTED = "news.example"  # resolves to the page server; exempt from the address rules

# Hosts that name this machine or a private network without DNS, in every
# spelling a resolver accepts. Each must be refused before any lookup.
PRIVATE_LITERALS = [
    "127.0.0.1",
    "127.0.0.1.",  # the root dot
    "127.1",  # short forms: inet_aton fills the missing bytes
    "127.0.1",
    "2130706433",  # decimal
    "0x7f000001",  # hex
    "0x7f.0.0.1",
    "017700000001",  # octal
    "0177.0.0.01",
    "0",  # 0.0.0.0
    "0.0.0.0",
    "10.0.0.1",
    "172.16.0.1",
    "172.31.255.254",
    "192.168.0.1",
    "169.254.169.254",  # the cloud metadata service
    "2852039166",  # 169.254.169.254 in decimal
    "0xa9fea9fe",  # … and in hex
    "169.254.1.1",
    "100.64.0.1",  # CGNAT
    "100.127.255.254",
    "[::1]",
    "[::]",
    "[::ffff:127.0.0.1]",  # IPv4-mapped IPv6
    "[::ffff:7f00:1]",
    "[::ffff:169.254.169.254]",
    "[::ffff:10.0.0.1]",
    "[fc00::1]",  # unique-local
    "[fd12:3456:789a::1]",
    "[fe80::1]",  # link-local
    "[fec0::1]",  # site-local
    "[64:ff9b::7f00:1]",  # NAT64 around 127.0.0.1
    "[2002:a9fe:a9fe::1]",  # 6to4 around 169.254.169.254
    "localhost",
    "LOCALHOST.",
    "admin.localhost",
    "１２７.０.０.１",  # full-width digits, as IDNA folds them
]

# What a hostile DNS server can answer for an innocent-looking name.
PRIVATE_ANSWERS = [
    ["127.0.0.1"],
    ["10.1.2.3"],
    ["172.20.0.5"],
    ["192.168.1.10"],
    ["169.254.169.254"],
    ["100.100.100.200"],  # CGNAT (also Alibaba's metadata address)
    ["0.0.0.0"],
    ["::1"],
    ["fd00::1"],
    ["fe80::1"],
    ["::ffff:127.0.0.1"],
    ["::ffff:169.254.169.254"],
    ["64:ff9b::a9fe:a9fe"],
    ["8.8.8.8", "10.0.0.1"],  # one public, one private: all refused
    ["2606:4700::1111", "::1"],
    ["1.1.1.1", "::ffff:192.168.0.1"],
]

# URLs refused for their form, with the words the refusal must contain.
BAD_URLS = [
    ("file:///etc/passwd", "only http and https"),
    ("data:text/html,<script>alert(1)</script>", "only http and https"),
    ("javascript:alert(1)", "only http and https"),
    ("ftp://files.example.com/a", "only http and https"),
    ("gopher://127.0.0.1:6379/_INFO", "only http and https"),
    ("http://user:secret@news.example.com/a", "user name or password"),
    ("http://news.example.com@127.0.0.1/a", "user name or password"),
    ("http://news.example.com\\@127.0.0.1/", "backslash"),
    ("http:\\\\127.0.0.1\\a", "backslash"),
    ("http://news.example.com/a\r\nHost: 127.0.0.1", "control characters"),
    ("http://[fe80::1%25eth0]/", "invalid host"),
]


def fetcher_for(server: PageServer, dns: FakeDNS, settings: FetchSettings = GUARDED) -> Fetcher:
    dns.table.setdefault(TRUSTED, ["127.0.0.1"])
    return Fetcher(settings, resolver=dns, trusted_hosts=[TRUSTED])


def trusted_url(server: PageServer, path: str) -> str:
    return f"http://{TRUSTED}:{server.port}{path}"


def secret_requests(server: PageServer) -> list[str]:
    return [r.path for r in server.requests if r.path.startswith("/secret")]


# -- the fetcher: first hop and every redirect hop ------------------------------------


@pytest.mark.parametrize("host", PRIVATE_LITERALS)
async def test_private_literals_are_refused_before_any_lookup_or_connection(
    server: PageServer, host: str
) -> None:
    server.set("/secret", page(PARAGRAPHS))
    dns = FakeDNS({})
    async with Fetcher(GUARDED, resolver=dns) as fetcher:
        with pytest.raises(BlockedAddressError, match="allow_private_hosts"):
            await fetcher.fetch(f"http://{host}:{server.port}/secret")
    assert dns.asked == []
    assert secret_requests(server) == []


@pytest.mark.parametrize("answer", PRIVATE_ANSWERS, ids=lambda a: "+".join(a))
async def test_names_resolving_to_any_private_address_are_refused(
    server: PageServer, answer: list[str]
) -> None:
    dns = FakeDNS({"innocent.example": answer})
    async with Fetcher(GUARDED, resolver=dns) as fetcher:
        with pytest.raises(BlockedAddressError, match="it resolves to"):
            await fetcher.fetch(f"http://innocent.example:{server.port}/secret")
    assert dns.asked == ["innocent.example"]
    assert secret_requests(server) == []


@pytest.mark.parametrize(
    "host", [*[h for h in PRIVATE_LITERALS if h.isascii()][::3], "evil.example"]
)
async def test_every_redirect_hop_is_checked(server: PageServer, host: str) -> None:
    """A public page (here: a trusted name) redirecting to a private target is refused."""
    server.set("/secret", page(PARAGRAPHS))
    server.redirect("/start", f"http://{host}:{server.port}/secret", status=302)
    dns = FakeDNS({"evil.example": ["169.254.169.254"]})
    async with fetcher_for(server, dns) as fetcher:
        with pytest.raises(BlockedAddressError):
            await fetcher.fetch(trusted_url(server, "/start"))
    assert secret_requests(server) == []


async def test_a_redirect_chain_is_checked_at_its_last_hop_too(server: PageServer) -> None:
    server.set("/secret", page(PARAGRAPHS))
    server.redirect("/1", trusted_url(server, "/2"))
    server.redirect("/2", trusted_url(server, "/3"), status=307)
    server.redirect("/3", f"http://[::ffff:127.0.0.1]:{server.port}/secret", status=308)
    async with fetcher_for(server, FakeDNS({})) as fetcher:
        with pytest.raises(BlockedAddressError, match="embedded in IPv6"):
            await fetcher.fetch(trusted_url(server, "/1"))
    assert [r.path for r in server.requests] == ["/1", "/2", "/3"]


@pytest.mark.parametrize(("url", "words"), BAD_URLS)
async def test_bad_urls_get_a_clear_error_and_no_request(url: str, words: str) -> None:
    dns = FakeDNS({})
    async with Fetcher(GUARDED, resolver=dns) as fetcher:
        with pytest.raises(InvalidURLError, match=words) as caught:
            await fetcher.fetch(url)
    assert "\n" not in str(caught.value)
    assert dns.asked == []


@pytest.mark.parametrize(
    "target",
    ["file:///etc/passwd", "data:text/html,x", "javascript:alert(1)", "ftp://x.example/"],
)
async def test_redirects_to_other_schemes_are_refused(server: PageServer, target: str) -> None:
    """httpx itself rejects some targets while reading the answer; refused either way."""
    server.redirect("/start", target)
    async with fetcher_for(server, FakeDNS({})) as fetcher:
        with pytest.raises(InvalidURLError, match=r"only http and https|not a valid URL") as caught:
            await fetcher.fetch(trusted_url(server, "/start"))
    assert "\n" not in str(caught.value)
    assert [r.path for r in server.requests] == ["/start"]


# -- DNS rebinding: the connection goes to the address that was checked ---------------


@dataclass
class RecordingNetwork:
    """Stands in for the operating system's sockets: records where it was asked to connect.

    Refuses every connection, so no test ever reaches a public address.
    """

    targets: list[str]

    async def __call__(
        self,
        protocol: Callable[[], asyncio.Protocol],
        address: str,
        port: int,
        tls: ssl.SSLContext | None,
        server_hostname: str | None,
    ) -> asyncio.Protocol:
        self.targets.append(address)
        raise ConnectionRefusedError("refused by the test network")


class Rebinding:
    """A name whose answer turns private after the first lookup (a rebinding attack)."""

    def __init__(self, first: list[str], then: list[str]) -> None:
        self.answers = [first, then]
        self.asked = 0

    def __call__(self, host: str) -> list[str]:
        self.asked += 1
        return self.answers[min(self.asked - 1, 1)]


async def test_the_connection_goes_to_the_checked_address_not_a_second_lookup() -> None:
    rebinding = Rebinding(["93.184.216.34"], ["127.0.0.1"])
    connector = GuardedConnector(rebinding)
    network = RecordingNetwork([])
    connector._open = network  # type: ignore[method-assign]  # the OS's sockets, not our code
    with pytest.raises(ConnectionRefusedError):
        await connector(("http", "rebind.example", 80), asyncio.Protocol)
    assert network.targets == ["93.184.216.34"]  # the checked answer, never a name
    assert rebinding.asked == 1

    # The next connection asks again; now the answer is private and refused outright.
    with pytest.raises(BlockedAddressError, match=r"127\.0\.0\.1"):
        await connector(("http", "rebind.example", 80), asyncio.Protocol)
    assert network.targets == ["93.184.216.34"]


async def test_a_mixed_answer_is_refused_before_connecting_to_any_of_it() -> None:
    connector = GuardedConnector(FakeDNS({"mixed.example": ["8.8.8.8", "10.0.0.1"]}))
    network = RecordingNetwork([])
    connector._open = network  # type: ignore[method-assign]
    with pytest.raises(BlockedAddressError, match=r"10\.0\.0\.1"):
        await connector(("http", "mixed.example", 80), asyncio.Protocol)
    assert network.targets == []


async def test_the_fetcher_ignores_proxy_settings_that_would_resolve_names_elsewhere(
    server: PageServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A proxy resolves the name itself, past the guard: the environment's proxies are ignored."""
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{server.port}")
    monkeypatch.setenv("ALL_PROXY", f"http://127.0.0.1:{server.port}")
    dns = FakeDNS({"innocent.example": ["10.9.8.7"]})
    async with Fetcher(GUARDED, resolver=dns) as fetcher:
        with pytest.raises(BlockedAddressError):
            await fetcher.fetch("http://innocent.example/secret")
    assert server.requests == []


# -- robots.txt ----------------------------------------------------------------------------


async def test_robots_txt_is_fetched_through_the_guard_and_its_redirects_too(
    server: PageServer,
) -> None:
    server.set("/secret", "User-agent: *\nAllow: /\n")
    server.set("/story", page(PARAGRAPHS))
    server.redirect("/robots.txt", f"http://2130706433:{server.port}/secret")
    settings = replace(GUARDED, obey_robots=True)
    async with fetcher_for(server, FakeDNS({}), settings) as fetcher:
        with pytest.raises(BlockedAddressError):
            await fetcher.fetch(trusted_url(server, "/story"))
    assert [r.path for r in server.requests] == ["/robots.txt"]


async def test_robots_txt_of_a_redirect_target_is_never_fetched_from_a_private_host(
    server: PageServer,
) -> None:
    """The hop is refused before its robots.txt is asked for."""
    server.set("/robots.txt", "User-agent: *\nAllow: /\n")
    server.redirect("/story", f"http://10.0.0.1:{server.port}/secret")
    settings = replace(GUARDED, obey_robots=True)
    async with fetcher_for(server, FakeDNS({}), settings) as fetcher:
        with pytest.raises(BlockedAddressError):
            await fetcher.fetch(trusted_url(server, "/story"))
    assert [r.path for r in server.requests] == ["/robots.txt", "/story"]


# -- the checker: a scheduled check -------------------------------------------------------


async def test_a_check_that_is_redirected_to_a_private_address_is_an_error(
    server: PageServer, tmp_path: Path
) -> None:
    server.set("/story", page(PARAGRAPHS))
    server.set("/secret", page(["Internal admin page with a secret token in it.", *PARAGRAPHS]))
    with Store(tmp_path / "m.db") as store:
        urls = [trusted_url(server, "/story"), trusted_url(server, "/moved")]
        added = add_urls(store, urls, now=NOW)
        async with fetcher_for(server, FakeDNS({})) as fetcher:
            checker = Checker(store, SETTINGS, fetcher, clock=lambda: NOW)
            server.redirect("/moved", f"http://0x7f000001:{server.port}/secret")
            results = await checker.check_many([store.article(a.article.id) for a in added])
        good, bad = results
        assert good.outcome == Outcome.NEW
        assert bad.outcome == Outcome.ERROR and "refusing to fetch" in (bad.error or "")
        assert store.versions(added[1].article.id) == []
    assert secret_requests(server) == []


# -- monitor add (the first fetch, from the command line) ---------------------------------


@pytest.fixture
def guarded_env(tmp_path: Path) -> dict[str, str]:
    """The CLI with the guard on (no MONITOR_ALLOW_PRIVATE_HOSTS) and a config of its own."""
    config = tmp_path / "monitor.toml"
    config.write_text("[fetch]\nallow_private_hosts = false\nobey_robots = false\n")
    return {"MONITOR_DB": str(tmp_path / "m.db"), "MONITOR_CONFIG": str(config)}


@pytest.mark.parametrize("host", PRIVATE_LITERALS)
def test_monitor_add_refuses_private_hosts_and_stores_nothing(
    server: PageServer, guarded_env: dict[str, str], host: str
) -> None:
    server.set("/secret", page(PARAGRAPHS))
    runner = CliRunner()
    result = runner.invoke(main, ["add", f"http://{host}:{server.port}/secret"], env=guarded_env)
    assert result.exit_code == 2, result.output
    assert "refusing to fetch" in result.stderr and "allow_private_hosts" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    listed = runner.invoke(main, ["list", "--json"], env=guarded_env)
    assert '"articles": []' in listed.stdout
    assert secret_requests(server) == []


@pytest.mark.parametrize(("url", "words"), BAD_URLS)
def test_monitor_add_explains_bad_urls_in_one_line(
    guarded_env: dict[str, str], url: str, words: str
) -> None:
    result = CliRunner().invoke(main, ["add", "--no-fetch", url], env=guarded_env)
    assert result.exit_code == 2
    assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1


# -- the web: JSON API and form, with the guard on ------------------------------------------


@dataclass
class GuardedWeb:
    client: httpx.AsyncClient
    store: Store


@pytest.fixture
async def guarded_web(server: PageServer, tmp_path: Path) -> AsyncIterator[GuardedWeb]:
    settings = Settings(db_path=tmp_path / "m.db", fetch=GUARDED)
    dns = FakeDNS({"innocent.example": ["192.168.7.7"]})
    with Store(settings.db_path) as store:
        async with fetcher_for(server, dns) as fetcher:
            checker = Checker(store, settings, fetcher, clock=lambda: NOW)
            app = create_app(settings, store, checker=checker, clock=lambda: NOW)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as c:
                yield GuardedWeb(c, store)


@pytest.mark.parametrize("host", PRIVATE_LITERALS)
async def test_the_api_refuses_private_literals_and_stores_nothing(
    guarded_web: GuardedWeb, server: PageServer, host: str
) -> None:
    answer = await guarded_web.client.post(
        "/api/articles", json={"urls": [f"http://{host}:{server.port}/secret"]}
    )
    assert answer.status_code == 400, answer.text
    assert "refusing to fetch" in answer.json()["error"]
    assert guarded_web.store.articles() == []
    assert secret_requests(server) == []


@pytest.mark.parametrize(("url", "words"), BAD_URLS)
async def test_the_api_explains_bad_urls(guarded_web: GuardedWeb, url: str, words: str) -> None:
    answer = await guarded_web.client.post("/api/articles", json={"urls": [url]})
    assert answer.status_code == 400
    assert words in answer.json()["error"]
    assert guarded_web.store.articles() == []


async def test_the_api_checks_a_name_at_connection_time_and_records_the_refusal(
    guarded_web: GuardedWeb, server: PageServer
) -> None:
    """A name cannot be judged without DNS: it is watched, and its first check is refused."""
    url = f"http://innocent.example:{server.port}/secret"
    answer = await guarded_web.client.post("/api/articles", json={"urls": [url]})
    assert answer.status_code == 201
    [result] = answer.json()["results"]
    assert result["outcome"] == "error" and "resolves to 192.168.7.7" in result["error"]
    assert secret_requests(server) == []


async def test_the_api_check_now_is_guarded_too(
    guarded_web: GuardedWeb, server: PageServer
) -> None:
    server.set("/story", page(PARAGRAPHS))
    [added] = add_urls(guarded_web.store, [trusted_url(server, "/story")], now=NOW)
    server.redirect("/story", f"http://[::ffff:169.254.169.254]:{server.port}/secret")
    answer = await guarded_web.client.post(f"/api/articles/{added.article.id}/check")
    assert answer.status_code == 200
    assert answer.json()["result"]["outcome"] == "error"
    assert "metadata" in answer.json()["result"]["error"]
    assert secret_requests(server) == []


@pytest.mark.parametrize("host", PRIVATE_LITERALS)
async def test_the_feed_api_and_form_refuse_private_literals(
    guarded_web: GuardedWeb, server: PageServer, host: str
) -> None:
    url = f"http://{host}:{server.port}/secret"
    answer = await guarded_web.client.post("/api/feeds", json={"url": url})
    assert answer.status_code == 400, answer.text
    assert "refusing to fetch" in answer.json()["error"]
    form = await guarded_web.client.get("/watched-feeds")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert csrf
    answer = await guarded_web.client.post(
        "/watched-feeds", data={"url": url, "csrf_token": csrf[1]}
    )
    assert answer.status_code == 400
    assert "refusing to fetch" in answer.text
    assert guarded_web.store.feeds() == []
    assert secret_requests(server) == []


async def test_the_add_form_refuses_private_literals(
    guarded_web: GuardedWeb, server: PageServer
) -> None:
    home = await guarded_web.client.get("/")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', home.text)
    assert csrf
    for host in ("169.254.169.254", "2130706433", "[::ffff:127.0.0.1]", "100.64.0.1"):
        answer = await guarded_web.client.post(
            "/articles",
            data={"urls": f"http://{host}:{server.port}/secret", "csrf_token": csrf[1]},
        )
        assert answer.status_code == 400
        assert "refusing to fetch" in answer.text
    assert guarded_web.store.articles() == []
    assert secret_requests(server) == []


def test_no_web_route_lets_a_user_choose_where_requests_or_alerts_go() -> None:
    """Alert channels come from the config file only: the web UI cannot add one.

    So apprise targets (webhooks, mail servers) are never chosen by a web user,
    and the only URLs a web user can submit are article and feed URLs, which
    go through the guard above. If a channel form is ever added, this test fails
    and the new route must put the channel URL through ``netguard`` first.
    """
    from monitor.web.api import AddArticles, AddFeed, ChangeArticle

    assert set(AddArticles.model_fields) == {"urls", "tags", "interval", "check"}
    assert set(AddFeed.model_fields) == {"url", "tags"}
    assert set(ChangeArticle.model_fields) == {"state"}
    settings = Settings(db_path=Path(":memory:"))
    with Store(":memory:") as store:
        app = create_app(settings, store)
        schema = app.openapi()
    bodies = {
        (path, method)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if "requestBody" in operation
    }
    assert bodies == {
        ("/api/articles", "post"),
        ("/api/articles/{article_id}", "patch"),
        ("/api/feeds", "post"),
    }
    form_posts = sorted(
        path for method, path in every_route(app) if method == "POST" and "/api/" not in path
    )
    assert form_posts == sorted(
        [
            "/articles",
            "/articles/bulk",
            "/articles/1/check",
            "/articles/1/state",
            "/login",
            "/logout",
            "/notifications/test",
            "/watched-feeds",
            "/watched-feeds/1/poll",
            "/watched-feeds/1/remove",
        ]
    )


# -- feed polls ----------------------------------------------------------------------------

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Hostile</title><link>{base}</link>
{items}
</channel></rss>"""


def rss(server: PageServer, links: Sequence[str]) -> str:
    items = "".join(
        f"<item><title>Item {i}</title><link>{link}</link>"
        f"<pubDate>Fri, 27 Nov 2026 11:00:00 GMT</pubDate></item>"
        for i, link in enumerate(links)
    )
    return RSS.format(base=trusted_url(server, "/"), items=items)


FEED_SETTINGS = Settings(fetch=GUARDED, feeds=FeedSettings())


async def test_feed_items_naming_private_hosts_are_never_watched(
    server: PageServer, tmp_path: Path
) -> None:
    links = [f"http://{host}/secret" for host in PRIVATE_LITERALS if host != "１２７.０.０.１"]
    links += ["file:///etc/passwd", "javascript:alert(1)", "http://u:p@news.example.com/a"]
    links.append("https://news.example.com/world/fine.html")
    server.set("/feed.xml", rss(server, links), headers={"Content-Type": "application/rss+xml"})
    with Store(tmp_path / "m.db") as store:
        feed, _ = store.add_feed(trusted_url(server, "/feed.xml"), now=NOW)
        async with fetcher_for(server, FakeDNS({})) as fetcher:
            result = await poll_feed(store, FEED_SETTINGS, fetcher, feed, NOW)
        assert result.outcome == "polled", result
        assert [a.url for a in store.articles()] == ["https://news.example.com/world/fine.html"]
        assert len(result.skipped) >= 30  # spellings that normalise alike are skipped once
        assert all(
            "refusing" in why or "only http" in why or "user name" in why
            for _, why in result.skipped
        )
    assert secret_requests(server) == []


@pytest.mark.parametrize("host", ["10.0.0.1", "2130706433", "[fd00::1]", "localhost"])
async def test_a_private_feed_url_is_refused_when_added(tmp_path: Path, host: str) -> None:
    with Store(tmp_path / "m.db") as store:
        async with Fetcher(GUARDED, resolver=FakeDNS({})) as fetcher:
            with pytest.raises(BlockedAddressError):
                await add_feed(store, FEED_SETTINGS, fetcher, f"http://{host}/feed.xml", now=NOW)
        assert store.feeds() == []


async def test_a_feed_redirected_or_resolving_to_a_private_address_fails_its_poll(
    server: PageServer, tmp_path: Path
) -> None:
    server.set("/secret", rss(server, ["https://news.example.com/a"]))
    server.redirect("/feed.xml", f"http://169.254.169.254:{server.port}/secret")
    dns = FakeDNS({"feeds.innocent.example": ["10.0.0.8"]})
    with Store(tmp_path / "m.db") as store:
        redirected, _ = store.add_feed(trusted_url(server, "/feed.xml"), now=NOW)
        rebound, _ = store.add_feed(f"http://feeds.innocent.example:{server.port}/secret", now=NOW)
        async with fetcher_for(server, dns) as fetcher:
            for feed in (redirected, rebound):
                result = await poll_feed(store, FEED_SETTINGS, fetcher, feed, NOW)
                assert result.outcome == "error" and "refusing to fetch" in (result.error or "")
        assert store.articles() == []
    assert secret_requests(server) == []


# -- the guard's switch ------------------------------------------------------------------


async def test_allow_private_hosts_switches_off_the_address_rules_only(
    server: PageServer,
) -> None:
    """The switch tests and the demo use: addresses allowed, URL form rules still enforced."""
    server.set("/a", page(PARAGRAPHS))
    local = replace(GUARDED, allow_private_hosts=True)
    async with Fetcher(local, resolver=FakeDNS({})) as fetcher:
        assert (await fetcher.fetch(server.url("/a"))).status == 200
        for url, words in BAD_URLS:
            with pytest.raises(InvalidURLError, match=words):
                await fetcher.fetch(url)
