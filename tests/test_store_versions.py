"""Versions' text kept compact (``monitor.delta`` through ``Store``), on real SQLite files.

Every read path must give back exactly the text that was written, however
the version is stored (keyframe or delta, early or late in its chain), and a
one-sentence edit to a 5 KB article must cost under 1 KB on disk.
"""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.delta import KEYFRAME_EVERY, StoredText, decode_chain, encode, units
from monitor.extract import extract_article
from monitor.models import Check, DiffStats, Kind, Outcome
from monitor.store import ArticleUpdate, EditFilter, NewVersion, Store
from monitor.text import text_hash

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
PAGES = Path(__file__).parent / "pages"
ENGLISH = ("jsonld", "meta", "inline_ads", "time_elements", "bbc_blocks", "microdata", "wire")

PROPERTY = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,  # nothing written into the work tree
    suppress_health_check=[HealthCheck.too_slow],
)


def write(store: Store, article_id: int, body: str, *, at: datetime, title: str = "Headline"):
    """Record a check that found ``body``: the article's next version."""
    n = len(store.versions(article_id)) + 1
    stored = store.record_check(
        article_id,
        Check(article_id=article_id, at=at, outcome=Outcome.CHANGED, http_status=200),
        update=ArticleUpdate(),
        new_version=NewVersion(
            fetched_at=at,
            title=title,
            byline="Kim Min-su",
            body=body,
            body_hash=text_hash(body),
            content_hash=text_hash(title, "Kim Min-su", body),
            posted_at=None,
            posted_raw=None,
            updated_at=None,
            updated_raw=None,
            kind=Kind.INITIAL if n == 1 else Kind.STEALTH,
            flags=(),
            stats=DiffStats(sentences_added=1) if n > 1 else DiffStats(),
        ),
    )
    assert stored is not None and stored.body == body
    # what record_check hands back is what reading the version gives
    assert stored == store.version(article_id, stored.n)
    return stored


def news_paragraphs() -> list[str]:
    """Real-looking news copy: the bodies of the saved English test pages."""
    paragraphs: list[str] = []
    for name in ENGLISH:
        html = (PAGES / name / "v1.html").read_text(encoding="utf-8")
        paragraphs.extend(extract_article(html, "https://news.example.com/a").paragraphs)
    return paragraphs


def test_many_versions_of_one_article_read_back_exactly_across_keyframes(tmp_path: Path) -> None:
    bodies = []
    paragraphs = ["First paragraph. It has two sentences.", "Second one!", "Third? Yes."]
    for n in range(1, 3 * KEYFRAME_EVERY + 5):
        if n % 5 == 0:
            paragraphs = [p.upper() for p in paragraphs]  # a rewrite: no sentence in common
        else:
            paragraphs[n % len(paragraphs)] += f" Added in version {n}."
        bodies.append("\n\n".join(paragraphs))
    path = tmp_path / "m.db"
    with Store(path) as store:
        article, _ = store.add_article("https://example.com/a", "example.com", now=NOW)
        for n, body in enumerate(bodies, 1):
            write(store, article.id, body, at=NOW + timedelta(minutes=n))
    with Store(path) as store:  # a fresh connection: nothing read from memory
        assert [v.body for v in store.versions(article.id)] == bodies
        for n in reversed(range(1, len(bodies) + 1)):  # each alone, out of order
            assert store.version(article.id, n).body == bodies[n - 1]
        latest = store.latest_version(article.id)
        assert latest is not None and latest.body == bodies[-1]
        edits = store.find_edits(EditFilter(), limit=7, offset=3)
        assert [e.version.body for e in edits] == [bodies[-n] for n in range(4, 11)]
        middle = NOW + timedelta(minutes=KEYFRAME_EVERY + 3)  # starts inside a chain
        exported = [a.version.body for a in store.archived_versions(since=middle)]
        assert exported == bodies[KEYFRAME_EVERY + 2 :]
        chains = store.db.execute("SELECT n, keyframe_n FROM versions ORDER BY n").fetchall()
    keyframes = [n for n, keyframe_n in chains if n == keyframe_n]
    assert keyframes[0] == 1 and len(keyframes) >= 3
    assert all(n - keyframe_n < KEYFRAME_EVERY for n, keyframe_n in chains)
    assert all(b - a <= KEYFRAME_EVERY for a, b in itertools.pairwise(keyframes))


def test_unicode_empty_bodies_and_reverts_round_trip(tmp_path: Path) -> None:
    bodies = [
        "",
        "서울시는 25일 발표했다. 12명이 다쳤다.\n\n日本語の文。次の文。",
        "서울시는 26일 발표했다. 12명이 다쳤다.\n\n日本語の文。次の文。🙂",
        "café cafe\u0301 naïve\u00a0x\u200b\u00ad\ufeff\u202e “quoted.” ‘single’ — 3.5% e.g. U.S.",
        "",
        "서울시는 25일 발표했다. 12명이 다쳤다.\n\n日本語の文。次の文。",  # back to version 2
        "\n\n\n  \t lone whitespace and newlines \r\n",
    ]
    path = tmp_path / "m.db"
    with Store(path) as store:
        article, _ = store.add_article("https://example.com/a", "example.com", now=NOW)
        for n, body in enumerate(bodies, 1):
            title = "제목 2 ✓" if n == 6 else f"제목 {n} ✓"  # version 6 repeats version 2
            write(store, article.id, body, at=NOW + timedelta(minutes=n), title=title)
    with Store(path) as store:
        assert [v.body for v in store.versions(article.id)] == bodies
        assert store.version(article.id, 7).title == "제목 7 ✓"
        assert [store.version(article.id, n).body for n in (7, 5, 1, 6)] == [
            bodies[6],
            "",
            "",
            bodies[1],
        ]
        revert = store.version_with_content(
            article.id, text_hash("제목 2 ✓", "Kim Min-su", bodies[1])
        )
        assert revert is not None and revert.n == 6 and revert.body == bodies[1]


def test_a_one_sentence_edit_to_a_5_kb_article_takes_under_1_kb_on_disk(tmp_path: Path) -> None:
    """Measured as the pages SQLite uses for the versions table and its indexes."""
    paragraphs = news_paragraphs()
    article_text = []
    while len("\n\n".join(article_text).encode()) < 5000:
        article_text.append(paragraphs.pop(0))
    novel = [s for p in paragraphs for s in re.split(r"(?<=[.!?])\s+", p) if len(s) > 40]
    edits = 60
    path = tmp_path / "m.db"

    def versions_bytes(store: Store) -> int:
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return store.db.execute(
            "SELECT SUM(d.pgsize) FROM dbstat d JOIN sqlite_master m ON m.name = d.name"
            " WHERE m.tbl_name = 'versions'"
        ).fetchone()[0]

    with Store(path) as store:
        article, _ = store.add_article("https://example.com/a", "example.com", now=NOW)
        write(store, article.id, "\n\n".join(article_text), at=NOW)
        before = versions_bytes(store)
        for n in range(edits):  # a new sentence, or two words of one changed
            k = n % len(article_text)
            if n % 2:
                article_text[k] = article_text[k] + " " + novel[n % len(novel)]
            else:
                words = article_text[k].split(" ")
                words[n % len(words)], words[-1] = "reportedly", f"{n + 2} people."
                article_text[k] = " ".join(words)
            write(store, article.id, "\n\n".join(article_text), at=NOW + timedelta(hours=n + 1))
        per_edit = (versions_bytes(store) - before) / edits
        assert [v.body for v in store.versions(article.id)][-1] == "\n\n".join(article_text)
    assert len("\n\n".join(article_text).encode()) > 5000
    assert per_edit < 1000, f"{per_edit:.0f} bytes per one-sentence edit"


def test_a_rewrite_is_kept_whole_rather_than_as_a_bigger_delta() -> None:
    old = "One sentence here. Another one there.\n\nA third, to be safe."
    new = "Nothing in common with before! Entirely new copy?\n\nYes."
    first = encode(1, old, None)
    second = encode(2, new, (first, old))
    assert second.keyframe_n == 2
    small = encode(2, old + " One more.", (first, old))
    assert small.keyframe_n == 1 and decode_chain([first, small]) == old + " One more."


text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)
prose = st.lists(
    st.sampled_from(["Word", "word.", "3.5", "Mr.", "“Quote.”", " ", "\n\n", "다.", "文。", "?!"]),
    max_size=60,
).map("".join)


@PROPERTY
@given(st.lists(st.one_of(text, prose), min_size=1, max_size=KEYFRAME_EVERY + 3))
def test_any_texts_decode_to_themselves_from_their_chains(bodies: list[str]) -> None:
    previous: tuple[StoredText, str] | None = None
    chain: list[StoredText] = []
    for n, body in enumerate(bodies, 1):
        assert "".join(units(body)) == body
        stored = encode(n, body, previous)
        chain = [stored] if stored.keyframe_n == n else [*chain, stored]
        assert decode_chain(chain) == body
        previous = (stored, body)


def test_a_broken_chain_is_an_error_not_wrong_text() -> None:
    texts = ["One. Two.", "One. Two. Three.", "One. Two. Three. Four."]
    chain: list[StoredText] = []
    for n, body in enumerate(texts, 1):
        chain.append(encode(n, body, (chain[-1], texts[n - 2]) if chain else None))
    assert [s.keyframe_n for s in chain] == [1, 1, 1]
    assert decode_chain(chain) == texts[-1]
    with pytest.raises(ValueError, match="version 2 is missing"):
        decode_chain([chain[0], chain[2]])
    with pytest.raises(ValueError, match="start at a keyframe"):
        decode_chain(chain[1:])
