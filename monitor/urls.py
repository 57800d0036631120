"""URL normalisation, so one article is never watched twice.

Outlets append tracking parameters (``utm_*``, ``fbclid``…), fragments and
default ports to the same article URL; readers paste them all. The normalised
form is the watchlist's identity. Pure, standard library only.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

from monitor.errors import UsageError
from monitor.netguard import check_url_syntax

_TRACKING_PREFIXES = ("utm_", "at_", "pk_", "mtm_", "ga_", "hsa_")
_TRACKING_NAMES = {
    "fbclid",
    "gclid",
    "dclid",
    "gclsrc",
    "msclkid",
    "mc_cid",
    "mc_eid",
    "igshid",
    "yclid",
    "_ga",
    "_gl",
    "ocid",
    "cmpid",
    "ito",
    "ncid",
    "sr_share",
    "smid",
    "taid",
    "xtor",
    "__twitter_impression",
    "s_cid",
    "ref",
    "ref_src",
    "ref_url",
}
_DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise_url(url: str) -> str:
    """Return the canonical watchlist form of an http(s) URL.

    Checks the syntax first (``netguard.check_url_syntax``: http(s) only, no
    credentials or backslashes). Lower-cases scheme and host, drops the default port, the fragment and
    tracking parameters, keeps the other parameters in their order, and
    percent-encodes the path consistently. Raises UsageError for anything
    that is not an absolute http(s) URL with a host.
    """
    text = check_url_syntax(url)
    if any(ch.isspace() for ch in text):
        raise UsageError(f"URL contains white space: {url!r}")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise UsageError(f"not a valid URL: {url!r} ({exc})") from exc
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UsageError(f"URL has no host: {url!r}")
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host.lower()
    except UnicodeError as exc:
        raise UsageError(f"URL has an invalid host name: {url!r}") from exc
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = quote(unquote(parts.path), safe="/%:@!$&'()*+,;=~-._") or "/"
    query = [
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking(name)
    ]
    return urlunsplit((scheme, netloc, path, urlencode(query, doseq=True), ""))


def outlet_of(url: str) -> str:
    """The outlet a URL belongs to: its host without a leading ``www.``."""
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING_NAMES or lowered.startswith(_TRACKING_PREFIXES)
