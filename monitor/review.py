"""Reading an article's history back: versions, checks and diffs between any two versions.

Shared by the CLI and (later) the web API so ``monitor diff --format json``
and ``GET /api/articles/{id}/diff`` return the same document.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from monitor.diff import classify_edit, diff_to_json, diff_versions
from monitor.errors import UsageError
from monitor.models import Article, Check, CheckResult, Edit, TextDiff, Version, iso
from monitor.store import Store


@dataclass(frozen=True)
class VersionPair:
    old: Version
    new: Version
    diff: TextDiff
    edit: Edit


def compare_versions(
    store: Store, article: Article, from_n: int | None = None, to_n: int | None = None
) -> VersionPair:
    """The diff between two stored versions; by default the last two."""
    count = article.version_count
    if count < 2 and from_n is None and to_n is None:
        raise UsageError(f"{article.url} has {count} version(s): nothing to compare yet")
    new_n = count if to_n is None else to_n
    old_n = new_n - 1 if from_n is None else from_n
    for n in (old_n, new_n):
        if n < 1:
            raise UsageError(f"version numbers start at 1, got {n}")
    if old_n == new_n:
        raise UsageError(f"--from and --to are both version {new_n}")
    old, new = store.version(article.id, old_n), store.version(article.id, new_n)
    diff = diff_versions(
        old.title, old.byline, old.paragraphs, new.title, new.byline, new.paragraphs
    )
    if new.n == old.n + 1:
        edit = Edit(kind=new.kind, flags=new.flags, diff=diff)
    else:
        edit = classify_edit(diff, old.updated_at, new.updated_at)
    return VersionPair(old, new, diff, edit)


def pair_to_json(pair: VersionPair) -> dict[str, Any]:
    return diff_to_json(
        pair.diff,
        from_n=pair.old.n,
        to_n=pair.new.n,
        kind=pair.edit.kind.value,
        flags=list(pair.edit.flags),
    )


def article_summary(article: Article) -> dict[str, Any]:
    """An article as ``monitor list --json`` shows it; the API adds its own keys to these."""
    return {
        "id": article.id,
        "url": article.url,
        "outlet": article.outlet,
        "title": article.title,
        "state": article.state.value,
        "tags": list(article.tags),
        "versions": article.version_count,
        "added_at": iso(article.added_at),
        "posted_at": iso(article.posted_at),
        "updated_at": iso(article.updated_at),
        "last_checked_at": iso(article.last_checked_at),
        "next_check_at": iso(article.next_check_at),
        "interval_s": article.interval_s,
        "error_count": article.error_count,
        "last_error": article.last_error,
    }


def version_summary(version: Version) -> dict[str, Any]:
    return {
        "n": version.n,
        "fetched_at": iso(version.fetched_at),
        "title": version.title,
        "byline": version.byline,
        "posted_at": iso(version.posted_at),
        "posted_raw": version.posted_raw,
        "updated_at": iso(version.updated_at),
        "updated_raw": version.updated_raw,
        "kind": version.kind.value,
        "flags": list(version.flags),
        "reverts_to": version.reverts_to,
        "stats": version.stats.__dict__,
    }


def check_summary(check: Check) -> dict[str, Any]:
    return {
        "at": iso(check.at),
        "outcome": check.outcome.value,
        "http_status": check.http_status,
        "version": check.version_n,
        "error": check.error,
        "duration_ms": check.duration_ms,
    }


def check_result_json(result: CheckResult) -> dict[str, Any]:
    """One check's outcome: an item of ``monitor check --json`` and of the API's checks."""
    return {
        "url": result.url,
        "article_id": result.article_id,
        "outcome": result.outcome.value,
        "version": result.version,
        "kind": result.kind.value if result.kind else None,
        "flags": list(result.flags),
        "http_status": result.http_status,
        "error": result.error,
    }


def history_to_json(store: Store, article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "url": article.url,
        "title": article.title,
        "outlet": article.outlet,
        "state": article.state.value,
        "posted_at": iso(article.posted_at),
        "updated_at": iso(article.updated_at),
        "versions": [version_summary(v) for v in store.versions(article.id)],
        "checks": [check_summary(c) for c in store.checks(article.id)],
    }
