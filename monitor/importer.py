"""``monitor import FILE``: a watchlist from a text file, a CSV, JSON lines or OPML.

Newsrooms keep their lists in whatever they have: a text file of URLs, a
spreadsheet exported as CSV, a feed reader's OPML. Each line (row, outline)
is read on its own and written on its own, so a bad line is reported by its
line number and skipped, and never leaves half of itself behind:

- text: one URL a line; ``#`` starts a comment line (or a comment after the
  URL, after white space); blank lines are ignored;
- CSV: a header row with a ``url`` column and optionally ``tags`` (several
  tags in one cell separated by ``;`` or ``,``). ``monitor export --format
  csv`` writes exactly this, so an export re-imports as the same watchlist;
- JSON lines: one object a line with ``url`` and optionally ``tags`` (what
  ``monitor export --format jsonl`` writes);
- OPML: every outline with an ``xmlUrl`` is a feed (``monitor feed add``
  without the first fetch: the service polls it at once); an outline with
  ``type="link"`` and a ``url`` is an article. Folder outlines and the
  ``category`` attribute become tags.

The format comes from the file's extension, else from its first characters.
Imported articles are due at once: the service (or ``monitor check``) takes
their first snapshots.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from lxml import etree

from monitor.config import Settings
from monitor.errors import MonitorError, UsageError
from monitor.feeds import register_feed, xml_parser
from monitor.store import Store
from monitor.urls import normalise_url
from monitor.watchlist import add_urls

FORMATS = ("text", "csv", "jsonl", "opml")
_EXTENSIONS = {
    ".txt": "text",
    ".list": "text",
    ".urls": "text",
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".opml": "opml",
    ".xml": "opml",
}
_TAG_SPLIT = re.compile(r"[;,]")
_CSV_FIELD_LIMIT = 64 * 1024 * 1024  # an exported article body can pass csv's 128 KiB default


@dataclass(frozen=True)
class Entry:
    """One thing a line asks for: watch an article or a feed."""

    line: int
    kind: str  # "article" or "feed"
    url: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class BadLine:
    line: int
    text: str
    reason: str


@dataclass
class ImportReport:
    """What an import did, line by line where it went wrong."""

    format: str
    added: list[str] = field(default_factory=list)  # articles newly watched
    existing: list[str] = field(default_factory=list)  # already watched: tags merged
    feeds_added: list[str] = field(default_factory=list)
    feeds_existing: list[str] = field(default_factory=list)
    duplicates: int = 0  # lines repeating an earlier line's URL
    bad: list[BadLine] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "added": self.added,
            "existing": self.existing,
            "feeds_added": self.feeds_added,
            "feeds_existing": self.feeds_existing,
            "duplicates": self.duplicates,
            "skipped": [{"line": b.line, "text": b.text, "reason": b.reason} for b in self.bad],
        }


def import_file(
    store: Store,
    settings: Settings,
    path: Path,
    *,
    now: datetime,
    tags: Sequence[str] = (),
    fmt: str | None = None,
) -> ImportReport:
    """Read ``path`` and watch what it lists; bad lines are collected, not raised.

    Raises UsageError only when the file as a whole cannot be read (missing,
    not UTF-8, a CSV without a ``url`` column, OPML that is not XML).
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise UsageError(f"no such file: {path}") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read it as UTF-8 text: {exc}") from exc
    fmt = fmt or detect_format(path, text)
    if fmt not in FORMATS:
        raise UsageError(f"unknown import format {fmt!r} (use one of {', '.join(FORMATS)})")
    report = ImportReport(format=fmt)
    entries = {
        "text": read_text,
        "csv": read_csv,
        "jsonl": read_jsonl,
        "opml": read_opml,
    }[fmt](text, report.bad)
    extra = [t.strip() for t in tags if t.strip()]
    seen: set[tuple[str, str]] = set()
    for entry in entries:
        _apply(store, settings, entry, extra, now, report, seen)
    report.bad.sort(key=lambda b: b.line)
    return report


def _apply(
    store: Store,
    settings: Settings,
    entry: Entry,
    extra_tags: Sequence[str],
    now: datetime,
    report: ImportReport,
    seen: set[tuple[str, str]],
) -> None:
    """Write one entry (one transaction), or note why its line was skipped."""
    all_tags = sorted({*entry.tags, *extra_tags})
    try:
        key = (entry.kind, normalise_url(entry.url))
        if key in seen:
            report.duplicates += 1
            return
        if entry.kind == "feed":
            feed, created = register_feed(store, settings, entry.url, now=now, tags=all_tags)
            seen.add(key)
            (report.feeds_added if created else report.feeds_existing).append(feed.url)
            return
        added = add_urls(
            store,
            [entry.url],
            now=now,
            tags=all_tags,
            allow_private=settings.fetch.allow_private_hosts,
        )[0]
        seen.add(key)
        (report.added if added.created else report.existing).append(added.article.url)
    except MonitorError as exc:
        report.bad.append(BadLine(entry.line, entry.url, str(exc).splitlines()[0]))


def detect_format(path: Path, text: str) -> str:
    """By extension, else by the first characters: ``<`` OPML, ``{`` JSON, a header CSV."""
    by_extension = _EXTENSIONS.get(path.suffix.lower())
    if by_extension:
        return by_extension
    start = text.lstrip()
    if start.startswith("<"):
        return "opml"
    if start.startswith("{"):
        return "jsonl"
    first = start.splitlines()[0] if start else ""
    header = [cell.strip().strip('"').lower() for cell in first.split(",")]
    if "url" in header and len(header) > 1:
        return "csv"
    return "text"


def split_tags(cell: str | None) -> tuple[str, ...]:
    """``"politics; world"`` or ``"politics,world"`` -> ("politics", "world")."""
    return tuple(t.strip() for t in _TAG_SPLIT.split(cell or "") if t.strip())


def read_text(text: str, bad: list[BadLine]) -> Iterator[Entry]:
    for number, raw in enumerate(text.splitlines(), 1):
        line = re.split(r"\s#", raw, maxsplit=1)[0].strip()
        if not line or line.startswith("#"):
            continue
        if len(line.split()) > 1:
            bad.append(BadLine(number, raw.strip(), "expected one URL on the line"))
            continue
        yield Entry(number, "article", line)


def read_csv(text: str, bad: list[BadLine]) -> Iterator[Entry]:
    csv.field_size_limit(max(csv.field_size_limit(), _CSV_FIELD_LIMIT))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise UsageError(f"line 1: not a CSV header: {exc}") from exc
    names = [name.strip().lower() for name in header]
    if "url" not in names:
        raise UsageError("the CSV has no 'url' column in its header row")
    url_at = names.index("url")
    tags_at = names.index("tags") if "tags" in names else None
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            bad.append(BadLine(start, "", f"broken CSV: {exc}"))
            return
        number, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in row):
            continue
        if url_at >= len(row) or not row[url_at].strip():
            bad.append(BadLine(number, ",".join(row)[:200], "no URL in the url column"))
            continue
        tags = split_tags(row[tags_at]) if tags_at is not None and tags_at < len(row) else ()
        yield Entry(number, "article", row[url_at].strip(), tags)


def read_jsonl(text: str, bad: list[BadLine]) -> Iterator[Entry]:
    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            item = json.loads(raw)
        except json.JSONDecodeError as exc:
            bad.append(BadLine(number, raw.strip()[:200], f"not JSON: {exc.msg}"))
            continue
        except RecursionError:  # "[[[[…" nested past the parser's stack
            bad.append(BadLine(number, raw.strip()[:200], "not JSON: nested too deeply"))
            continue
        url = item.get("url") if isinstance(item, dict) else None
        if not isinstance(url, str) or not url.strip():
            bad.append(BadLine(number, raw.strip()[:200], 'no "url" string in the object'))
            continue
        tags = item.get("tags")
        if isinstance(tags, str):
            tag_list = split_tags(tags)
        elif isinstance(tags, list):
            tag_list = tuple(str(t).strip() for t in tags if str(t).strip())
        else:
            tag_list = ()
        yield Entry(number, "article", url.strip(), tag_list)


def read_opml(text: str, bad: list[BadLine]) -> Iterator[Entry]:
    try:
        root = etree.fromstring(text.encode("utf-8"), xml_parser())
    except etree.XMLSyntaxError as exc:
        raise UsageError(f"not well-formed OPML: {exc}") from exc
    body = next((node for node in root if _local(node) == "body"), root)
    yield from _outlines(body, (), bad)


def _outlines(node: Any, folders: tuple[str, ...], bad: list[BadLine]) -> Iterator[Entry]:
    for outline in node:
        if _local(outline) != "outline":
            continue
        line = outline.sourceline or 0
        categories = tuple(
            part.strip()
            for cell in (outline.get("category") or "").split(",")
            for part in [cell.strip().strip("/").split("/")[-1]]
            if part.strip()
        )
        tags = (*folders, *categories)
        xml_url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        kind = (outline.get("type") or "").strip().lower()
        if xml_url:
            yield Entry(line, "feed", xml_url, tags)
        elif kind == "link" and (outline.get("url") or "").strip():
            yield Entry(line, "article", (outline.get("url") or "").strip(), tags)
        elif kind in ("rss", "atom"):
            bad.append(
                BadLine(line, etree.tostring(outline)[:200].decode(errors="replace"), "no xmlUrl")
            )
        if len(outline):
            title = (outline.get("text") or outline.get("title") or "").strip()
            yield from _outlines(outline, (*folders, title) if title else folders, bad)


def _local(node: Any) -> str:
    return node.tag.rsplit("}", 1)[-1].lower() if isinstance(node.tag, str) else ""
