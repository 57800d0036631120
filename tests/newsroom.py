"""The saved news pages under ``tests/pages/``, loaded with their ground truth.

Each layout folder holds one invented story as a watcher would have fetched it
over time (``v1.html``, ``v2.html``, …) and a ``manifest.json`` saying what the
extractor must find on each page and what comparing it with the previous page
must report. ``tests/pages/build_pages.py`` writes both; see its docstring.

Typical use::

    @pytest.mark.parametrize("page", all_versions(), ids=str)
    def test_extracts_title(page: PageVersion) -> None:
        assert extract(page.text, page.layout.url).title == page.title

    def test_serves_a_story(server: PageServer) -> None:
        layout = layout_named("korean_euckr")
        for page in layout.versions:
            server.set(layout.path, page.html_bytes, headers=page.headers)
            ...

Version numbers
---------------
``PageVersion.n`` and ``reverts_to`` count *pages* (files). Noise-only and
timestamp-only pages create no stored version, so the version a correct
checker stores is ``stored_version`` (1 for the first page, +1 for every
``changed`` page), and a revert repeats the stored version
``reverts_to_stored``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

PAGES = Path(__file__).resolve().parent / "pages"

EXPECTS = ("new", "unchanged", "changed", "timestamp_only")
KINDS = (None, "declared", "stealth")
FLAGS = ("headline", "byline", "correction", "numbers", "quote", "reverted")


@dataclass(frozen=True)
class PageVersion:
    """One saved page and what a correct pipeline makes of it."""

    n: int  # 1 for v1.html, …
    path: Path
    html_bytes: bytes = field(repr=False)
    title: str
    byline: str  # author names in page order joined by ", "; no "By ", role or outlet; or ""
    posted: datetime  # aware
    updated: datetime | None  # aware; None when the page shows no Updated time
    paragraphs: tuple[str, ...]  # the article body, whitespace collapsed
    expect: str  # new / unchanged / changed / timestamp_only, vs the previous page
    kind: str | None  # declared / stealth for "changed", else None
    flags: tuple[str, ...]  # sorted; see FLAGS
    reverts_to: int | None  # page number n of the earlier page whose article this repeats
    added: tuple[str, ...]  # sentences added vs the previous page (reworded ones: new form)
    removed: tuple[str, ...]  # sentences removed vs the previous page (reworded: old form)
    note: str
    stored_version: int  # the stored version number after this page is checked
    reverts_to_stored: int | None  # the stored version number a revert repeats
    fetched_at: datetime  # when a watcher notionally fetched this page (aware, UTC)
    layout_name: str = ""
    encoding: str = "utf-8"

    @property
    def text(self) -> str:
        """The page decoded with its declared charset."""
        return self.html_bytes.decode(self.encoding)

    @property
    def headers(self) -> dict[str, str]:
        """Response headers a real server would send with this page."""
        return {"Content-Type": f"text/html; charset={self.encoding}"}

    @property
    def body(self) -> str:
        """The paragraphs joined by blank lines, like ``Extracted.body``."""
        return "\n\n".join(self.paragraphs)

    def __str__(self) -> str:
        return f"{self.layout_name}-v{self.n}"


@dataclass(frozen=True)
class Layout:
    """One outlet's page layout and one story told through its saved versions."""

    name: str
    url: str
    timezone: str | None  # the outlet's zone for naive page times, else None
    encoding: str
    versions: tuple[PageVersion, ...]
    outlet: str = ""

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def path(self) -> str:
        """The URL's path, handy for serving the pages from the local test server."""
        return urlsplit(self.url).path or "/"

    def version(self, n: int) -> PageVersion:
        return self.versions[n - 1]

    def __str__(self) -> str:
        return self.name


def _when(value: str | None) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"naive time in a manifest: {value!r}")
    return parsed


def load_layout(folder: Path) -> Layout:
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    encoding = manifest["encoding"]
    versions = []
    for n, item in enumerate(manifest["versions"], 1):
        path = folder / item["file"]
        posted = _when(item["posted"])
        fetched = _when(item["fetched_at"])
        assert posted is not None and fetched is not None
        versions.append(
            PageVersion(
                n=n,
                path=path,
                html_bytes=path.read_bytes(),
                title=item["title"],
                byline=item["byline"],
                posted=posted,
                updated=_when(item["updated"]),
                paragraphs=tuple(item["paragraphs"]),
                expect=item["expect"],
                kind=item["kind"],
                flags=tuple(item["flags"]),
                reverts_to=item["reverts_to"],
                added=tuple(item["added"]),
                removed=tuple(item["removed"]),
                note=item["note"],
                stored_version=item["stored_version"],
                reverts_to_stored=item["reverts_to_stored"],
                fetched_at=fetched,
                layout_name=manifest["layout"],
                encoding=encoding,
            )
        )
    return Layout(
        name=manifest["layout"],
        url=manifest["url"],
        timezone=manifest["timezone"],
        encoding=encoding,
        versions=tuple(versions),
        outlet=manifest.get("outlet", ""),
    )


@cache
def _layouts() -> tuple[Layout, ...]:
    folders = sorted(p.parent for p in PAGES.glob("*/manifest.json"))
    return tuple(load_layout(folder) for folder in folders)


def load_layouts() -> list[Layout]:
    """Every layout under ``tests/pages/``, sorted by name (read once, then cached)."""
    return list(_layouts())


def layout_named(name: str) -> Layout:
    for layout in load_layouts():
        if layout.name == name:
            return layout
    raise KeyError(name)


def all_versions() -> list[PageVersion]:
    """Every saved page of every layout, for ``pytest.mark.parametrize``."""
    return [page for layout in load_layouts() for page in layout.versions]


def steps() -> list[tuple[Layout, PageVersion, PageVersion]]:
    """Every (layout, previous page, page) pair, for comparison tests."""
    return [
        (layout, before, after)
        for layout in load_layouts()
        for before, after in zip(layout.versions, layout.versions[1:], strict=False)
    ]
