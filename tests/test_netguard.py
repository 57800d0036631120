"""The private-address guard, tested as pure functions (no sockets, no DNS).

tests/test_fetch.py proves the same rules hold through a real Fetcher.
"""

import ipaddress

import pytest

from monitor.errors import BlockedAddressError, FetchError, InvalidURLError, UsageError
from monitor.netguard import (
    blocked_reason,
    check_addresses,
    check_host,
    check_url,
    check_url_syntax,
    literal_address,
)


@pytest.mark.parametrize(
    "url",
    [
        "https://www.koreatimes.co.kr/www/nation/2019/03/113_266000.html",
        "http://example.com",
        "HTTP://Example.COM:8080/a?b=c#d",
        "https://bücher.example/artikel",
        "https://[2606:4700::1111]/",
        "https://news.example./a",
    ],
)
def test_syntax_accepts_ordinary_urls(url: str) -> None:
    assert check_url_syntax(f"  {url}\n") == url


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("file:///etc/passwd", "only http and https"),
        ("javascript:alert(1)", "only http and https"),
        ("ftp://example.com/a", "only http and https"),
        ("data:text/html,<p>x</p>", "only http and https"),
        ("gopher://127.0.0.1:6379/_INFO", "only http and https"),
        ("example.com/a", "no scheme"),
        ("//example.com/a", "no scheme"),
        ("", "empty"),
        ("http://user:secret@example.com/", "user name or password"),
        ("http://user@example.com/", "user name or password"),
        ("http://example.com@127.0.0.1/", "user name or password"),
        ("http://example.com\\@127.0.0.1/", "backslash"),
        ("http:\\\\example.com\\a", "backslash"),
        ("http://exa\tmple.com/", "control characters"),
        ("http://example.com/\r\nHost: evil", "control characters"),
        ("http:///path-only", "no host"),
        ("http://example.com:99999/", "not a valid URL"),
        ("http://example.com:0/", "port 0"),
        ("http://ex%41mple.com/", "invalid host"),
        ("http://[fe80::1%25eth0]/", "invalid host"),
        ("http://[not-ipv6]/", "not a valid URL"),
        ("http://1.2.3.4.5/", "invalid host"),
        ("http://99999999999/", "invalid host"),
        ("http://example.123/", "invalid host"),
        ("http://a..b.com/", "invalid host"),
    ],
)
def test_syntax_refuses(url: str, words: str) -> None:
    with pytest.raises(InvalidURLError, match=words):
        check_url_syntax(url)


def test_invalid_url_is_both_a_usage_and_a_fetch_error() -> None:
    """The CLI exits 2 on it; the checker records it as a failed check."""
    with pytest.raises(InvalidURLError) as caught:
        check_url_syntax("ftp://example.com/")
    assert isinstance(caught.value, UsageError)
    assert isinstance(caught.value, FetchError)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),  # decimal
        ("0x7f000001", "127.0.0.1"),  # hex
        ("0X7F000001", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),  # octal
        ("0177.0.0.1", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("127.0.1", "127.0.0.1"),
        ("127.0.0.1.", "127.0.0.1"),
        ("0", "0.0.0.0"),
        ("0xa9fea9fe", "169.254.169.254"),
        ("２１３０７０６４３３", "127.0.0.1"),  # full-width digits, as IDNA folds them
        ("127。0。0。1", "127.0.0.1"),  # ideographic full stops
        ("[::1]", "::1"),
        ("::ffff:127.0.0.1", "::ffff:7f00:1"),
        ("example.com", None),
        ("0x.example", None),
        ("1.2.3.example", None),
    ],
)
def test_literal_address_reads_every_spelling(host: str, address: str | None) -> None:
    expected = ipaddress.ip_address(address) if address else None
    assert literal_address(host) == expected


@pytest.mark.parametrize("host", ["1.2.3.4.5", "256.1.1.1", "1.2.3.256", "4294967296", "08"])
def test_numeric_hosts_that_are_no_address_are_refused(host: str) -> None:
    with pytest.raises(ValueError):
        literal_address(host)


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.255.254", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.255", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "metadata"),
        ("169.254.1.1", "link-local"),
        ("100.64.0.1", "carrier-grade NAT"),
        ("100.127.255.255", "carrier-grade NAT"),
        ("0.0.0.0", "unspecified"),
        ("0.1.2.3", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("239.255.255.250", "multicast"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("192.0.2.10", "documentation"),
        ("198.18.0.1", "benchmarking"),
        ("::1", "loopback"),
        ("::", "unspecified"),
        ("fc00::1", "unique-local"),
        ("fd12:3456::1", "unique-local"),
        ("fe80::1", "link-local"),
        ("fec0::1", "site-local"),
        ("ff02::1", "multicast"),
        ("2001:db8::1", "documentation"),
        ("::ffff:127.0.0.1", "loopback address embedded"),
        ("::ffff:10.0.0.1", "private address embedded"),
        ("::ffff:169.254.169.254", "metadata address embedded"),
        ("2002:7f00:1::1", "loopback address embedded"),  # 6to4 around 127.0.0.1
        ("64:ff9b::a9fe:a9fe", "metadata address embedded"),  # NAT64 around 169.254.169.254
        ("::127.0.0.1", "IPv4-compatible"),
    ],
)
def test_blocked_addresses(address: str, reason: str) -> None:
    found = blocked_reason(ipaddress.ip_address(address))
    assert found is not None
    assert reason in found


@pytest.mark.parametrize(
    "address", ["93.184.216.34", "8.8.8.8", "1.1.1.1", "2606:4700::1111", "::ffff:8.8.8.8"]
)
def test_public_addresses_pass(address: str) -> None:
    assert blocked_reason(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost:8000/",
        "http://LOCALHOST./",
        "http://admin.localhost/",
        "http://[::1]/",
        "http://10.0.0.5/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:a9fe:a9fe]/",
        "http://2130706433/",
        "http://0x7f000001/",
        "http://017700000001/",
        "http://127.1/",
        "http://0/",
        "http://100.64.1.1/",
        "http://[fd00::1]/",
        "http://[fe80::1]/",
    ],
)
def test_check_url_refuses_private_literals_without_dns(url: str) -> None:
    with pytest.raises(BlockedAddressError, match="allow_private_hosts"):
        check_url(url)
    assert check_url(url, allow_private=True) == url


def test_odd_spellings_name_the_address_they_spell() -> None:
    with pytest.raises(BlockedAddressError, match=r"2130706433 \(127\.0\.0\.1\): loopback"):
        check_url("http://2130706433/")


def test_check_url_leaves_names_to_connection_time() -> None:
    assert check_url("https://news.example/a") == "https://news.example/a"


def test_trusted_hosts_skip_the_address_rules_only() -> None:
    assert check_url("http://127.0.0.1:8000/", trusted_hosts={"127.0.0.1"})
    with pytest.raises(InvalidURLError):
        check_url("file:///etc/passwd", trusted_hosts={""})


def test_check_url_still_checks_syntax_when_private_hosts_are_allowed() -> None:
    with pytest.raises(InvalidURLError):
        check_url("http://user:pw@127.0.0.1/", allow_private=True)


def test_a_host_is_refused_if_any_of_its_addresses_is_blocked() -> None:
    with pytest.raises(BlockedAddressError, match=r"resolves to 10\.0\.0\.1"):
        check_addresses("news.example", ["93.184.216.34", "10.0.0.1"])
    with pytest.raises(BlockedAddressError, match="::1"):
        check_addresses("news.example", ["2606:4700::1111", "::1"])


def test_public_addresses_come_back_parsed_in_order() -> None:
    found = check_addresses("news.example", ["2606:4700::1111", "93.184.216.34"])
    assert [str(a) for a in found] == ["2606:4700::1111", "93.184.216.34"]


def test_resolver_answers_that_are_no_addresses_fail() -> None:
    with pytest.raises(FetchError, match="no addresses"):
        check_addresses("news.example", [])
    with pytest.raises(FetchError, match="non-address"):
        check_addresses("news.example", ["not-an-ip"])


def test_localhost_names_are_refused_before_dns() -> None:
    for host in ("localhost", "LocalHost.", "a.b.localhost"):
        with pytest.raises(BlockedAddressError, match="this machine"):
            check_host(host)
    check_host("localhost.example")  # only the reserved name itself
