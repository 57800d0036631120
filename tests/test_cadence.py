import random
from datetime import UTC, datetime, timedelta

import pytest

from monitor.cadence import Cadence, backoff, parse_duration
from monitor.models import Article, State

POSTED = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)


def article(**changes: object) -> Article:
    fields: dict = {
        "id": 1,
        "url": "https://example.com/a",
        "canonical_url": None,
        "outlet": "example.com",
        "title": None,
        "added_at": POSTED + timedelta(minutes=20),
        "posted_at": POSTED,
        "updated_at": None,
        "state": State.ACTIVE,
        "next_check_at": None,
        "interval_s": None,
        "etag": None,
        "last_modified": None,
    }
    fields.update(changes)
    return Article(**fields)


@pytest.mark.parametrize(
    ("age", "every"),
    [
        (timedelta(minutes=30), 300),
        (timedelta(hours=5), 900),
        (timedelta(days=2), 3600),
        (timedelta(days=10), 6 * 3600),
    ],
)
def test_interval_follows_age_within_jitter(age: timedelta, every: int) -> None:
    cadence = Cadence()
    rng = random.Random(1)
    for _ in range(50):
        due = cadence.next_check(article(), POSTED + age, rng)
        assert due is not None
        gap = (due - (POSTED + age)).total_seconds()
        assert every * 0.9 <= gap <= every * 1.1


def test_jitter_spreads_checks() -> None:
    rng = random.Random(7)
    now = POSTED + timedelta(hours=1)
    gaps = {(Cadence().next_check(article(), now, rng) - now).total_seconds() for _ in range(20)}
    assert len(gaps) > 10


def test_old_articles_are_done_but_fixed_intervals_are_kept() -> None:
    now = POSTED + timedelta(days=15)
    rng = random.Random(1)
    assert Cadence().next_check(article(), now, rng) is None
    fixed = Cadence(jitter=0).next_check(article(interval_s=600), now, rng)
    assert fixed == now + timedelta(seconds=600)


def test_a_recent_edit_brings_back_the_young_rate() -> None:
    now = POSTED + timedelta(days=2)
    cadence = Cadence(jitter=0)
    rng = random.Random(1)
    assert cadence.next_check(article(), now, rng) == now + timedelta(hours=1)
    just_changed = article(last_changed_at=now - timedelta(minutes=10))
    assert cadence.next_check(just_changed, now, rng) == now + timedelta(minutes=5)
    long_ago = article(last_changed_at=now - timedelta(hours=3))
    assert cadence.next_check(long_ago, now, rng) == now + timedelta(hours=1)


def test_an_old_story_added_today_gets_a_full_window() -> None:
    added = POSTED + timedelta(days=400)
    old = article(added_at=added)
    assert Cadence().birth(old) == added
    assert Cadence(jitter=0).next_check(old, added + timedelta(minutes=1), random.Random(1)) == (
        added + timedelta(minutes=6)
    )


def test_backoff_doubles_up_to_six_hours() -> None:
    assert [backoff(n).total_seconds() for n in (1, 2, 3)] == [120, 240, 480]
    assert backoff(50) == timedelta(hours=6)


@pytest.mark.parametrize(
    ("text", "seconds"), [("90", 90), ("90s", 90), ("10m", 600), ("2h", 7200), ("1.5d", 129600)]
)
def test_parse_duration(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["soon", "10 parsecs", "", "-5m"])
def test_parse_duration_refuses_nonsense(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)
