import pytest

from monitor.errors import UsageError
from monitor.urls import normalise_url, outlet_of


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("HTTPS://WWW.Example.COM/News/Story.html", "https://www.example.com/News/Story.html"),
        ("https://example.com:443/a#comments", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("https://example.com", "https://example.com/"),
        (
            "https://example.com/a?id=7&utm_source=tw&utm_medium=social&fbclid=x&page=2",
            "https://example.com/a?id=7&page=2",
        ),
        ("  https://example.com/a b  ".strip().replace(" ", "%20"), "https://example.com/a%20b"),
        ("https://example.com/%7Euser/caf%C3%A9", "https://example.com/~user/caf%C3%A9"),
        ("https://bücher.example/a", "https://xn--bcher-kva.example/a"),
        ("http://[::1]:8000/x", "http://[::1]:8000/x"),
    ],
)
def test_normalise_url(given: str, expected: str) -> None:
    assert normalise_url(given) == expected


def test_normalising_twice_changes_nothing() -> None:
    url = "https://Example.com/a/b%20c?x=1&utm_campaign=z#top"
    assert normalise_url(normalise_url(url)) == normalise_url(url)


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "example.com/story",
        "ftp://example.com/file",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "data:text/html,hi",
        "https://user:pw@example.com/",
        "https://example.com\\@evil.example/",
        "https:///nohost",
        "https://example.com:99999/",
        "https://exa mple.com/",
    ],
)
def test_bad_urls_are_refused(bad: str) -> None:
    with pytest.raises(UsageError):
        normalise_url(bad)


def test_outlet_drops_www() -> None:
    assert outlet_of("https://www.koreatimes.co.kr/www/nation/2019/03/1.html") == "koreatimes.co.kr"
    assert outlet_of("https://news.example.org/a") == "news.example.org"
