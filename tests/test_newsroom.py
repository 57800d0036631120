"""The whole pipeline over the saved newsroom: every step of every layout, served for real.

Each layout's pages are served one after another from the local HTTP server
at one URL and checked by the real Checker into a real SQLite file, with the
clock set to when a watcher would have fetched each page. Every noise-only
step must come out ``unchanged``, every real edit as exactly one ``changed``
with the right kind, flags and sentences, and the stored history must hold
the exact text of each version.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.checker import Checker
from monitor.config import FetchSettings, Settings
from monitor.diff import diff_versions
from monitor.fetch import Fetcher
from monitor.models import OutletRules
from monitor.store import Store
from monitor.watchlist import add_urls
from tests.newsroom import Layout, load_layouts
from tests.pageserver import PageServer

pytestmark = pytest.mark.anyio

LAYOUTS = load_layouts()


@pytest.mark.parametrize("layout", LAYOUTS, ids=str)
async def test_every_step_is_classified_as_the_manifest_says(
    layout: Layout, server: PageServer, tmp_path: Path
) -> None:
    settings = Settings(
        fetch=FetchSettings(allow_private_hosts=True),
        outlets={"127.0.0.1": OutletRules(timezone=layout.timezone)},
    )
    clock_now = [layout.versions[0].fetched_at]
    with Store(tmp_path / "monitor.db") as store:
        [added] = add_urls(store, [server.url(layout.path)], now=clock_now[0], allow_private=True)
        async with Fetcher(settings.fetch) as fetcher:
            checker = Checker(store, settings, fetcher, clock=lambda: clock_now[0])
            for page in layout.versions:
                clock_now[0] = page.fetched_at
                server.set(layout.path, page.html_bytes, headers=page.headers)
                result = await checker.check(store.article(added.article.id))
                step = f"{page}: {page.note}"
                assert result.outcome.value == page.expect, step
                if page.expect in ("new", "changed"):
                    assert result.version == page.stored_version, step
                if page.expect == "changed":
                    assert result.kind is not None and result.kind.value == page.kind, step
                    assert result.flags == page.flags, step
                stored = store.latest_version(added.article.id)
                assert stored is not None and stored.n == page.stored_version, step
                assert stored.reverts_to == (
                    page.reverts_to_stored if page.expect == "changed" else stored.reverts_to
                ), step
                article = store.article(added.article.id)
                assert article.posted_at == page.posted, step
                assert article.updated_at == (page.updated or article.updated_at), step

        versions = store.versions(added.article.id)
        stored_pages = [p for p in layout.versions if p.expect in ("new", "changed")]
        assert len(versions) == len(stored_pages)
        for version, page in zip(versions, stored_pages, strict=True):
            assert version.title == page.title, str(page)
            assert version.byline == page.byline, str(page)
            assert version.paragraphs == page.paragraphs, str(page)


@pytest.mark.parametrize("layout", LAYOUTS, ids=str)
def test_diffs_show_exactly_the_added_and_removed_sentences(layout: Layout) -> None:
    for previous, page in zip(layout.versions, layout.versions[1:], strict=False):
        if page.expect != "changed":
            continue
        diff = diff_versions(
            previous.title,
            previous.byline,
            previous.paragraphs,
            page.title,
            page.byline,
            page.paragraphs,
        )
        removed = [op.old for op in diff.body if op.op in ("delete", "replace")]
        added = [op.new for op in diff.body if op.op in ("insert", "replace")]
        assert sorted(removed) == sorted(page.removed), str(page)
        assert sorted(added) == sorted(page.added), str(page)
