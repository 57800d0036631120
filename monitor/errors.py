"""The exceptions monitor raises, as one tree.

    MonitorError                 anything this project raises on purpose
    ├── ConfigError              a bad setting in monitor.toml or MONITOR_*
    ├── UsageError               bad input from the user: URL, version number…
    │   └── NotFoundError        the article or version does not exist
    ├── FetchError               the page could not be fetched
    │   ├── BlockedAddressError  the URL points at a private/loopback address
    │   ├── InvalidURLError      bad scheme, credentials, malformed host (also a UsageError)
    │   ├── RetryLaterError      the host's Retry-After is longer than we wait
    │   ├── RobotsDisallowedError  robots.txt does not let us fetch the URL
    │   └── TooLargeError        the response passed fetch.max_bytes
    ├── ExtractError             the page has no article text to compare
    └── StoreError               the database is unusable (e.g. newer schema)

The CLI turns ``UsageError`` into exit code 2 with its message as the one-line
reason; checks turn ``FetchError`` and ``ExtractError`` into an ``error``
outcome that is retried later.
"""

from datetime import datetime


class MonitorError(Exception):
    """Base of every error raised on purpose; the message is for the user."""


class ConfigError(MonitorError):
    pass


class UsageError(MonitorError):
    pass


class NotFoundError(UsageError):
    pass


class FetchError(MonitorError):
    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class BlockedAddressError(FetchError):
    pass


class InvalidURLError(FetchError, UsageError):
    """A URL monitor will not fetch.

    Both kinds on purpose: a redirect to ``file:`` fails the check like any
    other fetch failure, while ``monitor add ftp://…`` exits with code 2.
    """


class RetryLaterError(FetchError):
    """The host's Retry-After asks for a longer wait than ``fetch.max_retry_wait``.

    ``until`` is when the host will take requests again (UTC): the checker
    should record the error and schedule the next check no earlier.
    """

    def __init__(self, message: str, *, host: str, until: datetime) -> None:
        super().__init__(message)
        self.host = host
        self.until = until


class RobotsDisallowedError(FetchError):
    """The site's robots.txt does not let us fetch this URL (or could not be read)."""


class TooLargeError(FetchError):
    pass


class ExtractError(MonitorError):
    pass


class StoreError(MonitorError):
    pass
