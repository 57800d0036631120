"""The JSON API under ``/api``, documented at ``/docs`` (OpenAPI at ``/openapi.json``).

Every answer is JSON; every error is ``{"error": message}`` with its status:
400 bad input, 401 no or wrong token, 404 no such article or version, 409 a
state that does not allow it (nothing to compare yet, a check already
running), 413 body too large, 422 a malformed request (unknown JSON field,
wrong type). Request models forbid unknown fields, so a typo such as
``{"tag": …}`` for ``{"tags": …}`` is an error, not silently ignored.

The diff endpoint returns exactly ``monitor diff --format json``'s document
(``review.pair_to_json``); lists page with ``limit``/``offset`` and carry a
``next`` link (also in a ``Link`` header).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response, Security
from fastapi.security import HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from monitor.feeds import add_feed, feed_to_json, poll_feeds
from monitor.models import State
from monitor.review import check_result_json, compare_versions, pair_to_json
from monitor.store import ArticleFilter, EditFilter
from monitor.watchlist import add_urls, parse_interval, purge_articles, set_watch_state
from monitor.web.context import NothingToCompareError, WebContext, get_context
from monitor.web.views import (
    MAX_CHECKED_ON_ADD,
    MAX_ID,
    article_json,
    edit_json,
    paginate,
    parse_since,
    version_json,
)

EditName = Literal[
    "declared", "stealth", "headline", "byline", "correction", "numbers", "quote", "removed",
    "reverted",
]  # fmt: skip
StateName = Literal["active", "paused", "gone", "done", "removed"]
SortName = Literal["recent", "edits", "added"]
ArticleId = Annotated[int, Path(ge=1, le=MAX_ID, description="The article's id.")]
VersionNumber = Annotated[int, Path(ge=1, le=MAX_ID, description="Version number, from 1.")]
Limit = Annotated[int | None, Query(ge=1, le=500, description="Items per page.")]
Offset = Annotated[int, Query(ge=0, le=MAX_ID, description="Items to skip.")]
Word = Annotated[str, StringConstraints(min_length=1, max_length=100)]
FilterWord = Annotated[str | None, Query(max_length=200)]

bearer = HTTPBearer(auto_error=False, description="The server's web.token (MONITOR_WEB_TOKEN).")
router = APIRouter(prefix="/api", tags=["api"], dependencies=[Security(bearer)])


# -- request and response models ---------------------------------------------------


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class AddArticles(Strict):
    """URLs to watch, with the tags they get."""

    urls: list[Annotated[str, StringConstraints(min_length=1, max_length=2048)]] = Field(
        min_length=1, max_length=500
    )
    tags: list[Word] = Field(default_factory=list, max_length=20)
    interval: Annotated[str, StringConstraints(max_length=16)] | None = Field(
        default=None, description="A fixed check interval such as 10m or 2h; default age-aware."
    )
    check: bool = Field(default=True, description="Take the first snapshot of new URLs now.")


class ChangeArticle(Strict):
    """``active`` resumes checking (from now), ``paused`` stops it, ``removed`` unwatches."""

    state: Literal["active", "paused", "removed"]


class AddFeed(Strict):
    """A feed, sitemap or news sitemap to watch (or a home page that links to its feeds)."""

    url: Annotated[str, StringConstraints(min_length=1, max_length=2048)]
    tags: list[Word] = Field(default_factory=list, max_length=20)


class ErrorOut(BaseModel):
    error: str


class Links(BaseModel):
    model_config = ConfigDict(extra="allow")
    self: str | None = None
    page: str


class ArticleOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: int
    url: str
    final_url: str | None
    canonical_url: str | None
    outlet: str
    title: str | None
    state: StateName
    tags: list[str]
    versions: int
    added_at: str | None
    posted_at: str | None
    posted_raw: str | None
    updated_at: str | None
    updated_raw: str | None
    last_changed_at: str | None
    last_checked_at: str | None
    next_check_at: str | None
    interval_s: int | None
    error_count: int
    last_error: str | None
    links: Links


class AddedArticle(ArticleOut):
    created: bool


class CheckResultOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str
    article_id: int
    outcome: str
    version: int | None
    kind: str | None
    flags: list[str]
    http_status: int | None
    error: str | None


class AddedOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    articles: list[AddedArticle]
    results: list[CheckResultOut]


class CheckedOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    result: CheckResultOut
    article: ArticleOut


class PageOut(BaseModel):
    total: int
    limit: int
    offset: int
    next: str | None


class ArticlesOut(PageOut):
    model_config = ConfigDict(extra="forbid")
    articles: list[ArticleOut]


class Stats(BaseModel):
    sentences_added: int
    sentences_removed: int
    sentences_changed: int
    chars_added: int
    chars_removed: int


class VersionOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    n: int
    fetched_at: str
    title: str
    byline: str
    posted_at: str | None
    posted_raw: str | None
    updated_at: str | None
    updated_raw: str | None
    kind: str
    flags: list[str]
    reverts_to: int | None
    stats: Stats
    links: Links


class FullVersionOut(VersionOut):
    body: str
    paragraphs: list[str]


class VersionsOut(PageOut):
    model_config = ConfigDict(extra="forbid")
    article_id: int
    versions: list[VersionOut]


class FieldChangeOut(BaseModel):
    old: str
    new: str


class DiffOpOut(BaseModel):
    op: Literal["equal", "insert", "delete", "replace"]
    old: str | None
    new: str | None
    words: list[tuple[Literal["equal", "insert", "delete"], str]]


class DiffOut(BaseModel):
    """``monitor diff --format json``: every sentence op, equal ones too."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    from_: int = Field(alias="from")
    to: int
    title: FieldChangeOut | None
    byline: FieldChangeOut | None
    body: list[DiffOpOut]
    stats: Stats
    kind: str
    flags: list[str]


class EditOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    article_id: int
    url: str
    outlet: str
    title: str | None
    tags: list[str]
    version: VersionOut
    links: Links


class EditsOut(PageOut):
    model_config = ConfigDict(extra="forbid")
    edits: list[EditOut]


class FeedOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: int
    url: str
    kind: str | None
    title: str | None
    tags: list[str]
    added_at: str
    last_polled_at: str | None
    next_poll_at: str | None
    articles_found: int
    items_seen: int
    error_count: int
    last_error: str | None


class FeedsOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    feeds: list[FeedOut]


class SkippedOut(BaseModel):
    link: str
    reason: str


class PollOut(BaseModel):
    """One poll: items listed, article URLs newly watched, and what was left out and why."""

    model_config = ConfigDict(extra="forbid")
    url: str
    outcome: Literal["polled", "not_modified", "error", "replaced"]
    kind: str | None
    items: int
    added: list[str]
    known: int
    old: int
    skipped: list[SkippedOut]
    due: list[int]
    error: str | None
    feeds: list[str]


class PolledOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    poll: PollOut
    feed: FeedOut


class FeedAddedOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    url: str
    id: int | None
    created: bool
    found_on: str | None
    error: str | None
    poll: PollOut | None


class FeedsAddedOut(BaseModel):
    model_config = ConfigDict(extra="forbid")
    feeds: list[FeedAddedOut]


ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": text}
    for status, text in (
        (400, "Bad input"),
        (401, "No or wrong token"),
        (404, "No such article, version or feed"),
        (422, "Malformed request"),
    )
}


def _listed(
    request: Request,
    response: Response,
    items: dict[str, Any],
    *,
    total: int,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    """One page of a list: its items, the paging figures, and ``next`` (also a Link header)."""
    page = paginate(request.url.path, request.query_params.multi_items(), total, limit, offset)
    if page.next:
        response.headers["Link"] = f'<{page.next}>; rel="next"'
    return {**items, "total": total, "limit": limit, "offset": offset, "next": page.next}


# -- articles ------------------------------------------------------------------------


@router.get("/articles", responses={200: {"model": ArticlesOut}, **ERRORS})
async def list_articles(
    request: Request,
    response: Response,
    ctx: Annotated[WebContext, Depends(get_context)],
    tag: FilterWord = None,
    outlet: FilterWord = None,
    state: Annotated[list[StateName] | None, Query(description="Repeatable.")] = None,
    kind: Annotated[EditName | None, Query(description="Articles with such an edit.")] = None,
    q: Annotated[str | None, Query(max_length=200, description="In the URL or headline.")] = None,
    sort: SortName = "recent",
    limit: Limit = None,
    offset: Offset = 0,
) -> dict[str, Any]:
    """The watchlist, filtered and sorted; removed articles only when ``state=removed``."""
    states = tuple(State(s) for s in state) if state else tuple(
        s for s in State if s != State.REMOVED
    )  # fmt: skip
    wanted = ArticleFilter(
        states=states,
        tag=tag or None,
        outlet=outlet or None,
        edit=kind,
        search=q or None,
        sort=sort,
    )
    limit = limit or ctx.settings.web.page_size
    store = ctx.store
    total = store.count_articles(wanted)
    articles = store.find_articles(wanted, limit=limit, offset=offset)
    return _listed(
        request,
        response,
        {"articles": [article_json(a) for a in articles]},
        total=total,
        limit=limit,
        offset=offset,
    )


@router.post(
    "/articles",
    status_code=201,
    responses={201: {"model": AddedOut}, 200: {"model": AddedOut}, **ERRORS},
)
async def add_articles(
    body: AddArticles,
    response: Response,
    ctx: Annotated[WebContext, Depends(get_context)],
) -> dict[str, Any]:
    """Watch URLs (201 when any is new, 200 when all were watched already).

    New URLs get their first check now unless ``check`` is false.
    """
    interval_s = parse_interval(body.interval) if body.interval else None
    added = add_urls(
        ctx.store,
        body.urls,
        now=ctx.now(),
        tags=body.tags,
        interval_s=interval_s,
        allow_private=ctx.settings.fetch.allow_private_hosts,
    )
    results = []
    fresh = [item.article for item in added if item.created][:MAX_CHECKED_ON_ADD]
    if body.check and fresh:
        checker = await ctx.get_checker()
        results = await ctx.guarded_check([a.id for a in fresh], lambda: checker.check_many(fresh))
    if not any(item.created for item in added):
        response.status_code = 200
    return {
        "articles": [
            {**article_json(ctx.store.article(item.article.id)), "created": item.created}
            for item in added
        ],
        "results": [check_result_json(r) for r in results],
    }


@router.get("/articles/{article_id}", responses={200: {"model": ArticleOut}, **ERRORS})
async def get_article(
    article_id: ArticleId, ctx: Annotated[WebContext, Depends(get_context)]
) -> dict[str, Any]:
    """One article with its state, times and counts."""
    return article_json(ctx.store.article(article_id))


@router.patch("/articles/{article_id}", responses={200: {"model": ArticleOut}, **ERRORS})
async def change_article(
    article_id: ArticleId, body: ChangeArticle, ctx: Annotated[WebContext, Depends(get_context)]
) -> dict[str, Any]:
    """Pause, resume or remove (keeping history) an article."""
    [article] = set_watch_state(ctx.store, [str(article_id)], State(body.state), ctx.now())
    return article_json(article)


@router.delete(
    "/articles/{article_id}",
    responses={200: {"model": ArticleOut}, 204: {"description": "Purged"}, **ERRORS},
)
async def remove_article(
    article_id: ArticleId,
    ctx: Annotated[WebContext, Depends(get_context)],
    purge: Annotated[bool, Query(description="Also delete the whole history.")] = False,
) -> Any:
    """Stop watching an article; its history is kept unless ``purge=true`` (then 204)."""
    if purge:
        purge_articles(ctx.store, [str(article_id)])
        return Response(status_code=204)
    [article] = set_watch_state(ctx.store, [str(article_id)], State.REMOVED, ctx.now())
    return article_json(article)


@router.post(
    "/articles/{article_id}/check",
    responses={200: {"model": CheckedOut}, 409: {"model": ErrorOut}, **ERRORS},
)
async def check_article(
    article_id: ArticleId, ctx: Annotated[WebContext, Depends(get_context)]
) -> dict[str, Any]:
    """Check the article now, through the same checker (and politeness) as the scheduler."""
    article = ctx.store.article(article_id)
    checker = await ctx.get_checker()
    result = await ctx.guarded_check([article.id], lambda: checker.check(article))
    return {
        "result": check_result_json(result),
        "article": article_json(ctx.store.article(article_id)),
    }


# -- versions and diffs ----------------------------------------------------------------


@router.get("/articles/{article_id}/versions", responses={200: {"model": VersionsOut}, **ERRORS})
async def list_versions(
    request: Request,
    response: Response,
    article_id: ArticleId,
    ctx: Annotated[WebContext, Depends(get_context)],
    limit: Limit = None,
    offset: Offset = 0,
) -> dict[str, Any]:
    """The article's versions, oldest first, with times, kind, flags and change counts."""
    article = ctx.store.article(article_id)
    limit = limit or ctx.settings.web.page_size
    versions = ctx.store.versions(article.id)
    shown = [version_json(v) for v in versions[offset : offset + limit]]
    return _listed(
        request,
        response,
        {"article_id": article.id, "versions": shown},
        total=len(versions),
        limit=limit,
        offset=offset,
    )


@router.get(
    "/articles/{article_id}/versions/{n}", responses={200: {"model": FullVersionOut}, **ERRORS}
)
async def get_version(
    article_id: ArticleId, n: VersionNumber, ctx: Annotated[WebContext, Depends(get_context)]
) -> dict[str, Any]:
    """One version with its full text (``body``: paragraphs separated by blank lines)."""
    article = ctx.store.article(article_id)
    return version_json(ctx.store.version(article.id, n), full=True)


@router.get(
    "/articles/{article_id}/diff",
    responses={200: {"model": DiffOut}, 409: {"model": ErrorOut}, **ERRORS},
)
async def get_diff(
    article_id: ArticleId,
    ctx: Annotated[WebContext, Depends(get_context)],
    from_: Annotated[int | None, Query(alias="from", ge=1, le=MAX_ID)] = None,
    to: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> dict[str, Any]:
    """The diff between two versions (default: the last two), as ``monitor diff --format json``."""
    article = ctx.store.article(article_id)
    if article.version_count < 2:
        raise NothingToCompareError(
            f"article {article.id} has {article.version_count} version(s): nothing to compare yet"
        )
    return pair_to_json(compare_versions(ctx.store, article, from_, to))


# -- edits across articles ---------------------------------------------------------------


@router.get("/edits", responses={200: {"model": EditsOut}, **ERRORS})
async def list_edits(
    request: Request,
    response: Response,
    ctx: Annotated[WebContext, Depends(get_context)],
    since: Annotated[
        str | None, Query(max_length=40, description="A duration back (24h, 7d) or ISO time.")
    ] = None,
    kind: EditName | None = None,
    outlet: FilterWord = None,
    tag: FilterWord = None,
    limit: Limit = None,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Every edit (version 2 onwards) across articles, newest first."""
    wanted = EditFilter(
        since=parse_since(since, ctx.now()), edit=kind, outlet=outlet or None, tag=tag or None
    )
    limit = limit or ctx.settings.web.page_size
    total = ctx.store.count_edits(wanted)
    entries = ctx.store.find_edits(wanted, limit=limit, offset=offset)
    return _listed(
        request,
        response,
        {"edits": [edit_json(e) for e in entries]},
        total=total,
        limit=limit,
        offset=offset,
    )


# -- feeds -----------------------------------------------------------------------------------


FeedId = Annotated[int, Path(ge=1, le=MAX_ID, description="The feed's id.")]


@router.get("/feeds", responses={200: {"model": FeedsOut}, **ERRORS})
async def list_feeds(ctx: Annotated[WebContext, Depends(get_context)]) -> dict[str, Any]:
    """The watched feeds and sitemaps with what their polls found."""
    return {"feeds": [feed_to_json(f) for f in ctx.store.feeds()]}


@router.post(
    "/feeds",
    status_code=201,
    responses={201: {"model": FeedsAddedOut}, 200: {"model": FeedsAddedOut}, **ERRORS},
)
async def add_feeds(
    body: AddFeed, response: Response, ctx: Annotated[WebContext, Depends(get_context)]
) -> dict[str, Any]:
    """Watch a feed and poll it now (201 when new, 200 when it was watched already).

    A home page adds the feeds it links to; one that could not be added has
    ``id`` null and its ``error``.
    """
    fetcher = await ctx.get_fetcher()
    added = await add_feed(
        ctx.store, ctx.settings, fetcher, body.url, now=ctx.now(), tags=body.tags
    )
    if not any(item.created for item in added):
        response.status_code = 200
    return {"feeds": [item.to_json() for item in added]}


@router.post("/feeds/{feed_id}/poll", responses={200: {"model": PolledOut}, **ERRORS})
async def poll_feed_now(
    feed_id: FeedId, ctx: Annotated[WebContext, Depends(get_context)]
) -> dict[str, Any]:
    """Poll the feed now instead of waiting for ``feeds.interval``."""
    feed = ctx.store.feed(feed_id)
    fetcher = await ctx.get_fetcher()
    [result] = await poll_feeds(ctx.store, ctx.settings, fetcher, [feed], ctx.now())
    return {"poll": result.to_json(), "feed": feed_to_json(ctx.store.feed(feed.id))}


@router.delete("/feeds/{feed_id}", responses={200: {"model": FeedOut}, **ERRORS})
async def remove_feed(
    feed_id: FeedId, ctx: Annotated[WebContext, Depends(get_context)]
) -> dict[str, Any]:
    """Stop polling the feed; the articles it found stay watched."""
    feed = ctx.store.feed(feed_id)
    ctx.store.delete_feed(feed.id)
    return feed_to_json(feed)
