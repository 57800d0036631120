"""The fast path's memo and a page's examination: plain data, without the extractor.

The checker's process only passes pages to the extraction workers and
reads back what they found; with these types (and the job it sends) here
rather than in ``monitor.fastpath`` it never imports lxml.html, the
extractor or the page-time search (about 40 ms at each start), and never
parses a memo it only passes on. ``monitor.fastpath`` says what a memo is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from monitor.models import ElementPath, Extracted, OutletRules, PageTime

__all__ = ["FORMAT", "Examined", "Memo", "examine_stored"]

FORMAT = 2  # bump when the fingerprint changes: every stored memo is then ignored once


@dataclass(frozen=True)
class Memo:
    """What a full extraction found on one page, filed under the page's fingerprint."""

    digest: str
    paths: tuple[ElementPath, ...]  # the body's elements
    content_hash: str  # of headline, byline and body, as the checker hashes them
    title: str
    canonical_url: str | None
    posted: PageTime | None
    updated: PageTime | None

    def dumps(self) -> str:
        return json.dumps(
            {
                "format": FORMAT,
                "digest": self.digest,
                "paths": [list(path) for path in self.paths],
                "content_hash": self.content_hash,
                "title": self.title,
                "canonical_url": self.canonical_url,
                "posted": _time_json(self.posted),
                "updated": _time_json(self.updated),
            },
            separators=(",", ":"),
        )

    @classmethod
    def loads(cls, text: str | None) -> Memo | None:
        """The memo in ``text``; None for none, or one of another format or unreadable."""
        if not text:
            return None
        try:
            data = json.loads(text)
            if data.get("format") != FORMAT:
                return None
            return cls(
                digest=data["digest"],
                paths=tuple(tuple(int(i) for i in path) for path in data["paths"]),
                content_hash=data["content_hash"],
                title=data["title"],
                canonical_url=data["canonical_url"],
                posted=_time_from(data["posted"]),
                updated=_time_from(data["updated"]),
            )
        except (ValueError, TypeError, KeyError, AttributeError):
            return None


@dataclass(frozen=True)
class Examined:
    """One page looked at: the extraction, or None when the memo stands for it."""

    extracted: Extracted | None
    memo: Memo | None  # for the next check; None when the body's places cannot be kept


def _time_json(page_time: PageTime | None) -> list[str] | None:
    if page_time is None:
        return None
    return [page_time.value.isoformat(), page_time.raw, page_time.source]


def _time_from(data: list[str] | None) -> PageTime | None:
    if data is None:
        return None
    value, raw, source = data
    return PageTime(value=datetime.fromisoformat(value), raw=raw, source=source)


# What the checker's jobs (examine_stored, diff.summarise_edit) import, for the
# extraction workers to load before they fork (monitor.worker_process): every job
# reads its page with the fast path; a full extraction needs trafilatura and
# htmldate, and a changed article's judgement the diff (about 0.3 s of CPU more).
EVERY_JOB_NEEDS = ("monitor.fastpath",)
SOME_JOBS_NEED = ("trafilatura", "htmldate", "monitor.diff")


def examine_stored(
    html: str,
    url: str | None,
    rules: OutletRules,
    now: datetime | None,
    stored_memo: str | None,
    *,
    remember: bool = True,
) -> Examined:
    """``fastpath.examine`` with the memo as the article row stores it: the checker's job.

    Runs in an extraction worker, which imports the fast path and reads the
    memo itself (an unreadable or outdated one is no memo).
    """
    from monitor.fastpath import examine

    memo = Memo.loads(stored_memo)
    return examine(html, url, rules, now, memo, remember=remember)
