"""Atom feeds of edits (RFC 4287): all, per tag, per outlet, per article.

Each entry is one edit with its diff as escaped HTML (``type="html"``), so a
feed reader shows what changed without visiting the UI. Ids are
``urn:uuid:`` values derived from the article's URL and version number:
stable across restarts and host names, unique per edit. Feed readers cannot
log in, so when a token is required a feed URL carries a key that opens that
one feed (see ``security.Keys.feed_key``).
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from html import escape
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from monitor import __version__
from monitor.diff import diff_versions, render_html
from monitor.store import EditEntry, EditFilter, Store
from monitor.web.api import ErrorOut
from monitor.web.context import WebContext, get_context
from monitor.web.views import MAX_ID

ATOM = "http://www.w3.org/2005/Atom"
MEDIA_TYPE = "application/atom+xml; charset=utf-8"
FEED_ENTRIES = 50

router = APIRouter(tags=["feeds"])
Ctx = Annotated[WebContext, Depends(get_context)]
Word = Annotated[str, Path(min_length=1, max_length=200)]


def _urn(name: str) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _base(ctx: WebContext, request: Request) -> str:
    return ctx.settings.web.base_url or str(request.base_url).rstrip("/")


def entry_html(store: Store, entry: EditEntry) -> str:
    """The entry's content: what kind of edit, then the diff (page text escaped)."""
    new = entry.version
    old = store.version(new.article_id, new.n - 1)
    diff = diff_versions(
        old.title, old.byline, old.paragraphs, new.title, new.byline, new.paragraphs
    )
    stats = new.stats
    flags = f" ({', '.join(new.flags)})" if new.flags else ""
    updated = new.updated_raw or (new.updated_at.isoformat() if new.updated_at else "not shown")
    head = (
        f"<p><strong>{escape(new.kind.value)}</strong>{escape(flags)} edit, version "
        f"{old.n} → {new.n}: +{stats.sentences_added} −{stats.sentences_removed} "
        f"~{stats.sentences_changed} sentences. Page's Updated time: {escape(updated)}. "
        f'<a href="{escape(entry.url)}">{escape(entry.url)}</a></p>'
    )
    return head + render_html(diff, context=1)


def atom_feed(
    ctx: WebContext,
    request: Request,
    *,
    name: str,
    title: str,
    alternate: str,
    wanted: EditFilter,
) -> Response:
    base = _base(ctx, request)
    entries = ctx.store.find_edits(wanted, limit=FEED_ENTRIES)
    feed = ET.Element("feed", {"xmlns": ATOM})
    ET.SubElement(feed, "id").text = _urn(f"monitor:feed:{name}")
    ET.SubElement(feed, "title").text = title
    newest = entries[0].version.fetched_at if entries else ctx.now()
    ET.SubElement(feed, "updated").text = _stamp(newest)
    ET.SubElement(feed, "link", {"rel": "self", "href": base + request.url.path})
    ET.SubElement(feed, "link", {"rel": "alternate", "type": "text/html", "href": base + alternate})
    author = ET.SubElement(feed, "author")
    ET.SubElement(author, "name").text = "monitor"
    ET.SubElement(feed, "generator", {"version": __version__}).text = "monitor"
    for entry in entries:
        version = entry.version
        item = ET.SubElement(feed, "entry")
        ET.SubElement(item, "id").text = _urn(f"{entry.url}#version-{version.n}")
        headline = version.title or entry.article_title or entry.url
        flags = f", {', '.join(version.flags)}" if version.flags else ""
        ET.SubElement(item, "title").text = f"{headline} [{version.kind.value}{flags}]"
        ET.SubElement(item, "updated").text = _stamp(version.fetched_at)
        ET.SubElement(item, "published").text = _stamp(version.fetched_at)
        page = f"{base}/articles/{version.article_id}/diff?from={version.n - 1}&to={version.n}"
        ET.SubElement(item, "link", {"rel": "alternate", "type": "text/html", "href": page})
        ET.SubElement(item, "link", {"rel": "related", "href": entry.url})
        for term in (version.kind.value, *version.flags):
            ET.SubElement(item, "category", {"term": term})
        ET.SubElement(item, "summary").text = f"{entry.outlet}: {version.kind.value} edit{flags}"
        ET.SubElement(item, "content", {"type": "html"}).text = entry_html(ctx.store, entry)
    body = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return Response(body, media_type=MEDIA_TYPE)


@router.get("/feeds/edits.atom", response_class=Response)
async def all_edits(request: Request, ctx: Ctx) -> Response:
    """Every edit across the watchlist."""
    return atom_feed(
        ctx,
        request,
        name="edits",
        title="monitor: all edits",
        alternate="/edits",
        wanted=EditFilter(),
    )


@router.get("/feeds/tags/{tag}.atom", response_class=Response)
async def tag_edits(request: Request, ctx: Ctx, tag: Word) -> Response:
    """Edits of articles with one tag."""
    return atom_feed(
        ctx,
        request,
        name=f"tag:{tag}",
        title=f"monitor: edits tagged {tag}",
        alternate=f"/edits?tag={_q(tag)}",
        wanted=EditFilter(tag=tag),
    )


@router.get("/feeds/outlets/{outlet}.atom", response_class=Response)
async def outlet_edits(request: Request, ctx: Ctx, outlet: Word) -> Response:
    """Edits of one outlet's articles."""
    return atom_feed(
        ctx,
        request,
        name=f"outlet:{outlet}",
        title=f"monitor: edits at {outlet}",
        alternate=f"/edits?outlet={_q(outlet)}",
        wanted=EditFilter(outlet=outlet),
    )


@router.get(
    "/feeds/articles/{article_id}.atom",
    response_class=Response,
    responses={404: {"description": "No such article", "model": ErrorOut}},
)
async def article_edits(
    request: Request, ctx: Ctx, article_id: Annotated[int, Path(ge=1, le=MAX_ID)]
) -> Response:
    """Edits of one article."""
    article = ctx.store.article(article_id)
    return atom_feed(
        ctx,
        request,
        name=f"article:{article.url}",
        title=f"monitor: edits of {article.title or article.url}",
        alternate=f"/articles/{article.id}",
        wanted=EditFilter(article_id=article.id),
    )


def _q(text: str) -> str:
    return quote(text, safe="")
