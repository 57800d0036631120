"""Getting the history out: exports for researchers and web archives, and backups.

Formats (``monitor export --format …``):

- ``jsonl``: one JSON object per article version, with the full text and the
  edit metadata (article id, URL, outlet, tags, version number, fetched /
  posted / updated times with the page's own strings, kind, flags, diff
  stats). ``pandas.read_json(path, lines=True)`` or DuckDB's
  ``read_json_auto`` load it as is;
- ``csv``: the same rows and columns, lists joined with ``;``. Its ``url``
  and ``tags`` columns are what ``monitor import`` reads, so an export
  re-imports as the same watchlist;
- ``newsedits``: one JSON object per pair of consecutive versions with
  sentence-level actions (``added``, ``deleted``, ``updated``, ``unchanged``)
  and each sentence's index in the old (``sent_idx_x``) and new
  (``sent_idx_y``) version, the form of the NewsEdits revision dataset
  (Spangher et al., 2022). Sentences and their alignment are exactly what
  ``monitor diff`` shows (``monitor.diff.split_sentences``/``diff_versions``);
- ``warc``: the response each version was extracted from, as WARC/1.1
  ``response`` records (HTTP status line, headers, page) each followed by a
  ``metadata`` record naming the article and version, gzip-compressed per
  record as web-archive tools expect.

``--since`` keeps versions fetched at or after a time (for ``newsedits``:
pairs whose newer version is). Rows stream from one query, so exporting a
large database needs no more memory than one article.

``backup_database`` copies the live database with SQLite's online backup
into a temporary file next to the target, then renames it into place.
"""

from __future__ import annotations

import csv
import http
import io
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from warcio.statusandheaders import StatusAndHeaders  # type: ignore[import-untyped]
from warcio.warcwriter import WARCWriter  # type: ignore[import-untyped]

from monitor import __version__
from monitor.diff import diff_versions
from monitor.errors import UsageError
from monitor.models import Version
from monitor.store import ArchivedVersion, Store

FORMATS = ("jsonl", "csv", "newsedits", "warc")

CSV_FIELDS = (
    "article_id",
    "url",
    "final_url",
    "canonical_url",
    "outlet",
    "tags",
    "state",
    "version_id",
    "n",
    "fetched_at",
    "title",
    "byline",
    "posted_at",
    "posted_raw",
    "updated_at",
    "updated_raw",
    "article_posted_at",
    "article_posted_raw",
    "kind",
    "flags",
    "reverts_to",
    "sentences_added",
    "sentences_removed",
    "sentences_changed",
    "chars_added",
    "chars_removed",
    "body",
)
WARC_NOTE = (
    "The payload is the page as monitor decoded it, encoded back into its charset;"
    " the HTTP headers are those monitor keeps (Content-Type, ETag, Last-Modified)."
)


@dataclass(frozen=True)
class Exported:
    """How much an export wrote."""

    records: int
    articles: int


def version_record(item: ArchivedVersion) -> dict[str, Any]:
    """One exported row: the version, its article, its edit metadata; lists stay lists."""
    v = item.version
    return {
        "article_id": v.article_id,
        "url": item.url,
        "final_url": item.final_url,
        "canonical_url": item.canonical_url,
        "outlet": item.outlet,
        "tags": list(item.tags),
        "state": item.state.value,
        "version_id": v.id,
        "n": v.n,
        "fetched_at": _iso(v.fetched_at),
        "title": v.title,
        "byline": v.byline,
        "posted_at": _iso(v.posted_at),
        "posted_raw": v.posted_raw,
        "updated_at": _iso(v.updated_at),
        "updated_raw": v.updated_raw,
        "article_posted_at": _iso(item.article_posted_at),
        "article_posted_raw": item.article_posted_raw,
        "kind": v.kind.value,
        "flags": list(v.flags),
        "reverts_to": v.reverts_to,
        "sentences_added": v.stats.sentences_added,
        "sentences_removed": v.stats.sentences_removed,
        "sentences_changed": v.stats.sentences_changed,
        "chars_added": v.stats.chars_added,
        "chars_removed": v.stats.chars_removed,
        "body": v.body,
    }


def export_jsonl(store: Store, out: IO[str], *, since: datetime | None = None) -> Exported:
    """One JSON object per version, one per line."""

    def rows() -> Iterator[ArchivedVersion]:
        for item in store.archived_versions(since=since):
            out.write(json.dumps(version_record(item), ensure_ascii=False) + "\n")
            yield item

    return _count(rows())


def export_csv(store: Store, out: IO[str], *, since: datetime | None = None) -> Exported:
    """The jsonl rows as CSV (RFC 4180 quoting; tags and flags joined with ``;``)."""
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\r\n")
    writer.writeheader()

    def rows() -> Iterator[ArchivedVersion]:
        for item in store.archived_versions(since=since):
            record = version_record(item)
            record["tags"] = ";".join(record["tags"])
            record["flags"] = ";".join(record["flags"])
            writer.writerow(record)
            yield item

    return _count(rows())


def newsedits_actions(old: Version, new: Version) -> list[dict[str, Any]]:
    """Sentence actions from ``old`` to ``new``, with each sentence's index on both sides.

    Walks the aligned ops of ``diff_versions``: ``equal`` is ``unchanged``,
    ``replace`` (a reworded sentence) is ``updated``, ``insert`` is
    ``added`` (no old index), ``delete`` is ``deleted`` (no new index).
    """
    diff = diff_versions(
        old.title, old.byline, old.paragraphs, new.title, new.byline, new.paragraphs
    )
    actions: list[dict[str, Any]] = []
    x = y = 0
    names = {"equal": "unchanged", "replace": "updated", "insert": "added", "delete": "deleted"}
    for op in diff.body:
        has_old = op.op in ("equal", "replace", "delete")
        has_new = op.op in ("equal", "replace", "insert")
        actions.append(
            {
                "action": names[op.op],
                "sent_idx_x": x if has_old else None,
                "sent_idx_y": y if has_new else None,
                "sentence_x": op.old if has_old else None,
                "sentence_y": op.new if has_new else None,
            }
        )
        x += has_old
        y += has_new
    return actions


def export_newsedits(store: Store, out: IO[str], *, since: datetime | None = None) -> Exported:
    """One JSON object per pair of consecutive versions, with its sentence actions."""

    def pairs() -> Iterator[ArchivedVersion]:
        previous: ArchivedVersion | None = None
        for item in store.archived_versions():
            old = previous
            previous = item
            if old is None or old.version.article_id != item.version.article_id:
                continue
            if since is not None and item.version.fetched_at < since:
                continue
            actions = newsedits_actions(old.version, item.version)
            counts = {
                name: sum(1 for a in actions if a["action"] == name)
                for name in ("added", "deleted", "updated", "unchanged")
            }
            record = {
                "article_id": item.version.article_id,
                "url": item.url,
                "outlet": item.outlet,
                "version_x": old.version.n,
                "version_y": item.version.n,
                "fetched_at_x": _iso(old.version.fetched_at),
                "fetched_at_y": _iso(item.version.fetched_at),
                "kind": item.version.kind.value,
                "flags": list(item.version.flags),
                "title_x": old.version.title,
                "title_y": item.version.title,
                "num_sents_x": counts["unchanged"] + counts["updated"] + counts["deleted"],
                "num_sents_y": counts["unchanged"] + counts["updated"] + counts["added"],
                "counts": counts,
                "actions": actions,
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            yield item

    return _count(pairs())


def export_warc(store: Store, out: IO[bytes], *, since: datetime | None = None) -> Exported:
    """Every kept raw response as a WARC ``response`` record plus a ``metadata`` record.

    Versions whose raw response was not kept (stored before this feature,
    ``archive.keep_raw = false``, or past ``archive.keep_raw_days``) are left
    out: a WARC holds only what was actually received.
    """
    writer = WARCWriter(out, gzip=True, warc_version="WARC/1.1")
    writer.write_record(
        writer.create_warcinfo_record(
            "monitor-export.warc.gz",
            {
                "software": f"monitor/{__version__}",
                "format": "WARC File Format 1.1",
                "description": "Article versions recorded by monitor. " + WARC_NOTE,
            },
        )
    )

    def records() -> Iterator[ArchivedVersion]:
        for item in store.archived_versions(since=since, with_raw=True):
            raw = item.raw
            if raw is None:
                continue
            date = item.version.fetched_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            response = writer.create_warc_record(
                raw.url,
                "response",
                payload=io.BytesIO(raw.body),
                length=len(raw.body),  # known up front: warcio need not spool to a temp file
                http_headers=StatusAndHeaders(
                    f"{raw.status} {_reason(raw.status)}", list(raw.headers), protocol="HTTP/1.1"
                ),
                warc_headers_dict={"WARC-Date": date},
            )
            writer.write_record(response)
            about = version_record(item)
            about.pop("body")
            about["note"] = WARC_NOTE
            described = json.dumps(about, ensure_ascii=False).encode("utf-8")
            metadata = writer.create_warc_record(
                raw.url,
                "metadata",
                payload=io.BytesIO(described),
                length=len(described),
                warc_content_type="application/json",
                warc_headers_dict={
                    "WARC-Date": date,
                    "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID"),
                },
            )
            writer.write_record(metadata)
            yield item

    return _count(records())


def export(store: Store, fmt: str, out: IO[Any], *, since: datetime | None = None) -> Exported:
    """Write ``fmt`` to ``out`` (a text stream, or a binary one for ``warc``)."""
    writers: dict[str, Callable[..., Exported]] = {
        "jsonl": export_jsonl,
        "csv": export_csv,
        "newsedits": export_newsedits,
        "warc": export_warc,
    }
    if fmt not in writers:
        raise UsageError(f"unknown export format {fmt!r} (use one of {', '.join(FORMATS)})")
    return writers[fmt](store, out, since=since)


def backup_database(store: Store, target: Path, *, force: bool = False) -> Path:
    """A consistent copy of the live database at ``target``; refuses to overwrite without ``force``.

    The copy is written to a temporary file beside the target and renamed
    into place, so ``target`` is never a half-written database; when
    overwriting, a stale ``-wal``/``-journal`` of the old file is removed
    first so SQLite cannot replay it into the new copy.
    """
    target = Path(target)
    if target.exists() and target.resolve() == store.path.resolve():
        raise UsageError(f"{target} is the database itself")
    if target.exists() and not force:
        raise UsageError(f"{target} exists; use --force to overwrite it")
    if target.is_dir():
        raise UsageError(f"{target} is a directory")
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        temporary.unlink(missing_ok=True)
        store.backup_to(temporary)
        for suffix in ("-wal", "-shm", "-journal"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return target


def _count(items: Iterable[ArchivedVersion]) -> Exported:
    records = 0
    articles: set[int] = set()
    for item in items:
        records += 1
        articles.add(item.version.article_id)
    return Exported(records, len(articles))


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat(timespec="seconds") if moment else None


def _reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"
