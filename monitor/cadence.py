"""When to check an article next: age-aware intervals, bursts after edits, jitter, backoff.

News is edited most in its first hours, so young articles are checked often
and old ones rarely; after 14 days an article is ``done``. An article that
just changed is checked at the young rate for a while, because edits come in
bursts. Jitter spreads one outlet's checks so they do not line up. Pure: the
clock and the random source are passed in.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from monitor.errors import UsageError
from monitor.models import Article

# (younger than, check every) pairs, in seconds; older than the last bound is done.
DEFAULT_INTERVALS: tuple[tuple[int, int], ...] = (
    (3 * 3600, 5 * 60),
    (24 * 3600, 15 * 60),
    (3 * 86400, 3600),
    (14 * 86400, 6 * 3600),
)
MAX_BACKOFF_S = 6 * 3600

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|hr|d|day|days|w)?\s*$", re.I)
_UNIT_SECONDS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600}
_UNIT_SECONDS |= {"d": 86400, "day": 86400, "days": 86400, "w": 7 * 86400}


def parse_duration(text: str | int | float) -> int:
    """``"10m"`` -> 600 seconds; bare numbers are seconds. Raises ValueError."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        return int(text)
    match = _DURATION.match(str(text))
    if not match:
        raise ValueError(f"not a duration: {text!r} (use e.g. 90s, 10m, 2h, 1d)")
    return int(float(match.group(1)) * _UNIT_SECONDS[(match.group(2) or "s").lower()])


def parse_since(text: str, now: datetime, *, name: str = "since") -> datetime:
    """A moment back from ``now``: an age (``24h``, ``7d``) or an ISO date or time.

    A time without an offset is taken as UTC; a bare date means its midnight,
    UTC. ``name`` is the option in the error (``--since`` on the command line).
    """
    text = text.strip()
    try:
        return now - timedelta(seconds=parse_duration(text))
    except OverflowError:  # further back than datetime reaches: everything
        return datetime.min.replace(tzinfo=UTC)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)  # OverflowError past year 1 or 9999 in UTC
    except (ValueError, OverflowError):
        raise UsageError(
            f"{name}: expected an age such as 24h or 7d, or an ISO date or time such as"
            f" 2026-11-27 or 2026-11-27T12:00Z; got {text!r}"
        ) from None


@dataclass(frozen=True)
class Cadence:
    intervals: Sequence[tuple[int, int]] = DEFAULT_INTERVALS
    burst_s: int = 3600  # after a change, check at the youngest rate for this long
    jitter: float = 0.1  # ±10 %

    @property
    def done_after_s(self) -> int:
        return self.intervals[-1][0]

    def interval_for_age(self, age_s: float) -> int | None:
        """Seconds between checks at this age, or None when the article is done."""
        for younger_than, every in self.intervals:
            if age_s < younger_than:
                return every
        return None

    def next_check(
        self, article: Article, now: datetime, rng: random.Random, *, changed: bool = False
    ) -> datetime | None:
        """The next check after a successful one; None means the article is done.

        A watch with its own ``--interval`` keeps it and is never done.
        """
        if article.interval_s:
            return now + self._jittered(article.interval_s, rng)
        born = self.birth(article)
        interval = self.interval_for_age((now - born).total_seconds())
        recently_changed = changed or (
            article.last_changed_at is not None
            and (now - article.last_changed_at).total_seconds() < self.burst_s
        )
        if recently_changed:
            interval = self.intervals[0][1]
        if interval is None:
            return None
        return now + self._jittered(interval, rng)

    def birth(self, article: Article) -> datetime:
        """When the article's age starts: its Posted time, or when it was added.

        An article added to the watchlist after its whole watch window had
        passed (an ombudsman adding last year's story) would otherwise be done
        at once; it gets a full window counted from when it was added.
        """
        posted = article.posted_at
        if posted is None or (article.added_at - posted).total_seconds() >= self.done_after_s:
            return article.added_at
        return posted

    def _jittered(self, seconds: int, rng: random.Random) -> timedelta:
        spread = seconds * self.jitter
        return timedelta(seconds=seconds + rng.uniform(-spread, spread))


def backoff(errors_in_a_row: int) -> timedelta:
    """Exponential retry delay after failures: 2, 4, 8 … minutes, at most 6 hours."""
    return timedelta(seconds=min(60 * 2 ** min(errors_in_a_row, 12), MAX_BACKOFF_S))
