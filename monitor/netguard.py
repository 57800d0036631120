"""The private-address guard: which URLs and addresses monitor may fetch.

Watching a URL means the server fetches whatever address the URL names, again
and again, for anyone who can add URLs. Without a guard that is a
server-side request forgery hole: ``http://169.254.169.254/`` reads cloud
credentials, ``http://127.0.0.1:6379/`` pokes the local Redis, and a public
article can redirect to either. So every URL, every redirect hop and every
address a host name resolves to passes through here.

What is refused (unless ``fetch.allow_private_hosts`` is set):

- schemes other than http and https, URLs with credentials (``user:pw@``),
  backslashes or control characters, and hosts that are not plain names or
  IP addresses (``%``-escapes, IPv6 zone ids);
- loopback, RFC 1918 private, link-local (including the 169.254.169.254
  metadata service), CGNAT ``100.64.0.0/10``, unspecified, multicast,
  reserved, benchmarking and documentation ranges; IPv6 unique-local,
  link-local and site-local; and any IPv6 address that embeds one of those
  (IPv4-mapped ``::ffff:127.0.0.1``, 6to4, NAT64) - in short anything that
  is not a globally routable unicast address;
- ``localhost`` and ``*.localhost`` without asking DNS (RFC 6761);
- IPv4 written the odd ways resolvers still accept (``2130706433``,
  ``0x7f000001``, ``017700000001``, ``127.1``): hosts are read with the
  ``inet_aton`` / WHATWG rules, so the guard sees the address the resolver
  would, and a host that ends in a number but is no valid address is refused;
- a host name if *any* of its addresses is refused, so a name that resolves
  to one public and one private address cannot win a race to the private one.

This module does no I/O of its own except :func:`resolve_host`, the default
resolver; :mod:`monitor.fetch` calls :func:`check_addresses` at the moment it
opens each TCP connection, and connects to the very address it checked (see
the DNS rebinding note there).
"""

from __future__ import annotations

import functools
import ipaddress
import re
import socket
import unicodedata
from collections.abc import Callable, Collection, Sequence
from urllib.parse import urlsplit

from monitor.errors import BlockedAddressError, FetchError, InvalidURLError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# A resolver maps a host name to the IP addresses (as strings) it would connect to.
Resolver = Callable[[str], Sequence[str]]

ALLOWED_SCHEMES = frozenset({"http", "https"})

_HINT = "set fetch.allow_private_hosts = true to watch private hosts"

# Named so the refusal says which rule matched; the final ``is_global`` test in
# :func:`blocked_reason` catches whatever these miss, whatever the Python version.
_BLOCKED_NETWORKS: tuple[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str], ...] = tuple(
    (ipaddress.ip_network(net), reason)
    for net, reason in (
        ("0.0.0.0/8", "unspecified/this-network address"),
        ("10.0.0.0/8", "private address"),
        ("100.64.0.0/10", "carrier-grade NAT address"),
        ("127.0.0.0/8", "loopback address"),
        ("169.254.169.254/32", "cloud metadata address"),
        ("169.254.0.0/16", "link-local address"),
        ("172.16.0.0/12", "private address"),
        ("192.0.0.0/24", "IETF protocol address"),
        ("192.0.2.0/24", "documentation address"),
        ("192.88.99.0/24", "6to4 relay address"),
        ("192.168.0.0/16", "private address"),
        ("198.18.0.0/15", "benchmarking address"),
        ("198.51.100.0/24", "documentation address"),
        ("203.0.113.0/24", "documentation address"),
        ("224.0.0.0/4", "multicast address"),
        ("240.0.0.0/4", "reserved address"),
        ("::/128", "unspecified address"),
        ("::1/128", "loopback address"),
        ("::/96", "IPv4-compatible address"),
        ("64:ff9b:1::/48", "local NAT64 address"),
        ("100::/64", "discard address"),
        ("2001::/23", "IETF protocol address"),
        ("2001:db8::/32", "documentation address"),
        ("fc00::/7", "unique-local address"),
        ("fe80::/10", "link-local address"),
        ("fec0::/10", "site-local address"),
        ("ff00::/8", "multicast address"),
    )
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Host names as httpx will send them: ASCII letters, digits, '-', '_', '.', or
# non-ASCII letters that IDNA encodes. Anything else ('%', '@', spaces, quotes)
# is a parser-confusion attempt, not a news site.
_HOST_NAME = re.compile(r"^[a-z0-9_\-.\u0080-\U0010ffff]+$")
_NUMBER_LABEL = re.compile(r"^(?:[0-9]+|0x[0-9a-f]*)$")
_DOTS = str.maketrans({"\u3002": ".", "\uff0e": ".", "\uff61": "."})  # IDNA label separators


def check_url_syntax(url: str) -> str:
    """Return ``url`` without surrounding white space, or raise InvalidURLError.

    Pure and offline, so the CLI can reject a URL before it is stored. It does
    not look at addresses; :func:`check_url` adds that for IP literals.
    """
    text = url.strip()
    if not text:
        raise InvalidURLError("empty URL")
    if _CONTROL.search(text):
        raise InvalidURLError(f"URL contains control characters: {text!r}")
    if "\\" in text:
        raise InvalidURLError(f"URL contains a backslash: {text!r}")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise InvalidURLError(f"not a valid URL: {text!r} ({exc})") from exc
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        shown = f"{scheme}:" if scheme else "no scheme"
        raise InvalidURLError(f"only http and https URLs can be fetched ({shown}): {text!r}")
    if "@" in parts.netloc:
        raise InvalidURLError(f"URLs with a user name or password are not accepted: {text!r}")
    if port == 0:
        raise InvalidURLError(f"URL has port 0: {text!r}")
    host = parts.hostname or ""
    if not host:
        raise InvalidURLError(f"URL has no host: {text!r}")
    bracketed = parts.netloc.rsplit("@", 1)[-1].startswith("[")
    try:
        _parse_host(host, bracketed=bracketed)
    except ValueError as exc:
        raise InvalidURLError(f"URL has an invalid host ({exc}): {text!r}") from exc
    return text


def check_url(url: str, *, allow_private: bool = False, trusted_hosts: Collection[str] = ()) -> str:
    """:func:`check_url_syntax`, then refuse hosts that are private without DNS.

    Catches IP literals in any spelling and ``localhost`` before a connection
    is attempted; names that need DNS are checked when the connection opens.
    ``trusted_hosts`` are exact host names exempt from the address rules.
    """
    text = check_url_syntax(url)
    if not allow_private:
        host = urlsplit(text).hostname or ""
        if normalise_host(host) not in trusted_hosts:
            check_host(host)
    return text


def normalise_host(host: str) -> str:
    """Lower-case, unbracketed, without the root dot: the form hosts are compared in."""
    host = host.strip().lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host[:-1] if host.endswith(".") and len(host) > 1 else host


def literal_address(host: str) -> IPAddress | None:
    """The address ``host`` spells, in any spelling a resolver accepts, or None for a name.

    Raises ValueError for a host that looks numeric but is no address
    (``1.2.3.4.5``, ``999999999999``): resolvers disagree on those, so they are
    refused rather than guessed.
    """
    return _parse_host(normalise_host(host), bracketed=":" in host)


def check_host(host: str) -> None:
    """Refuse a host that is a blocked IP literal or a ``localhost`` name; no DNS."""
    name = normalise_host(host)
    if name == "localhost" or name.endswith(".localhost"):
        raise BlockedAddressError(f"refusing to fetch {name}: it names this machine ({_HINT})")
    try:
        address = literal_address(name)
    except ValueError as exc:
        raise InvalidURLError(f"invalid host {host!r}: {exc}") from exc
    if address is not None:
        reason = blocked_reason(address)
        if reason:
            spelled = "" if str(address) == name else f" ({address})"
            raise BlockedAddressError(f"refusing to fetch {name}{spelled}: {reason} ({_HINT})")


def check_addresses(host: str, addresses: Sequence[str]) -> list[IPAddress]:
    """Parse the addresses ``host`` resolved to; refuse them all if any is blocked.

    Returns them parsed, in the resolver's order, for the caller to connect to.
    """
    check_host(host)
    if not addresses:
        raise FetchError(f"could not resolve {host}: no addresses")
    parsed: list[IPAddress] = []
    for text in addresses:
        try:
            address = ipaddress.ip_address(text)
        except ValueError as exc:
            raise FetchError(f"resolver returned a non-address for {host}: {text!r}") from exc
        reason = blocked_reason(address)
        if reason:
            raise BlockedAddressError(
                f"refusing to fetch {host}: it resolves to {address}, a {reason} ({_HINT})"
            )
        parsed.append(address)
    return parsed


def blocked_reason(address: IPAddress) -> str | None:
    """Why ``address`` must not be fetched, or None when it is public unicast."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            inner = blocked_reason(embedded)
            if inner:
                return f"{inner} embedded in IPv6"
            if address.ipv4_mapped is not None:
                return None
    for network, reason in _BLOCKED_NETWORKS:
        if address.version == network.version and address in network:
            return reason
    if address.is_multicast:
        return "multicast address"
    if not address.is_global:
        return "non-public address"
    return None


def resolve_host(host: str) -> list[str]:
    """The default resolver: the system's ``getaddrinfo``, addresses in its order.

    Blocking; :mod:`monitor.fetch` runs it in a worker thread.
    """
    try:
        infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"could not resolve {host}: {exc}") from exc
    found: list[str] = []
    for info in infos:
        address = str(info[4][0])
        if address not in found:
            found.append(address)
    return found


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, 6to4, NAT64), if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


# Every hop asks about its host several times (the URL check, the politeness
# key, the loopback exemption), and a watchlist has few hosts: remember them.
@functools.lru_cache(maxsize=4096)
def _parse_host(host: str, *, bracketed: bool) -> IPAddress | None:
    """Classify a lower-case host: an IP address, or None for a DNS name.

    Raises ValueError for a malformed host. Non-ASCII hosts are NFKC-folded
    first, as IDNA will fold them, so full-width digits cannot hide an address.
    """
    if not host.isascii():
        host = unicodedata.normalize("NFKC", host).translate(_DOTS).lower()
    if bracketed or ":" in host:
        if "%" in host:
            raise ValueError("IPv6 zone ids are not accepted")
        try:
            return ipaddress.IPv6Address(host)
        except ValueError as exc:
            raise ValueError(f"not a valid IPv6 address: {host!r}") from exc
    if not _HOST_NAME.match(host):
        raise ValueError(f"unexpected characters in host {host!r}")
    name = host[:-1] if host.endswith(".") else host
    labels = name.split(".")
    if any(not label for label in labels):
        raise ValueError(f"empty label in host {host!r}")
    if not _NUMBER_LABEL.match(labels[-1]):
        return None  # a DNS name: its last label is not a number
    return _parse_ipv4(labels)


def _parse_ipv4(labels: list[str]) -> ipaddress.IPv4Address:
    """IPv4 with ``inet_aton`` rules: 1-4 parts, each decimal, 0-octal or 0x-hex.

    The last part fills the remaining bytes, so ``127.1`` is 127.0.0.1 and
    ``2130706433`` is too. The same rules as the WHATWG URL standard.
    """
    if len(labels) > 4:
        raise ValueError("more than four parts in a numeric host")
    numbers = [_parse_ipv4_number(label) for label in labels]
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(numbers)):
        raise ValueError("numeric host out of range")
    value = last
    for i, n in enumerate(head):
        value += n << (8 * (3 - i))
    return ipaddress.IPv4Address(value)


def _parse_ipv4_number(label: str) -> int:
    try:
        if label.startswith("0x"):
            return int(label[2:] or "0", 16)
        if len(label) > 1 and label.startswith("0"):
            return int(label, 8)
        return int(label, 10)
    except ValueError as exc:
        raise ValueError(f"{label!r} is not a number") from exc
