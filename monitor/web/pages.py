"""The HTML pages: watchlist, an article's history and diffs, recent edits, alerts, login.

Server-rendered Jinja2 with autoescaping on: headlines, bylines and article
text are untrusted and always printed as text. The one piece of markup taken
as it is comes from ``diff.render_html``, which escapes every piece of page
text itself (``tests/test_web_pages.py`` holds it to that). Every form that
changes something carries the session's CSRF token and is checked here;
after a change the browser is redirected (303) so a reload does not repeat it.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from monitor.diff import diff_versions, render_html, word_diff
from monitor.errors import MonitorError, NotFoundError, UsageError
from monitor.models import CheckResult, Outcome, State, TextDiff, WordOp
from monitor.review import VersionPair, compare_versions
from monitor.store import ArticleFilter, EditEntry, EditFilter, Store
from monitor.watchlist import add_urls, parse_interval, set_watch_state
from monitor.web.context import CheckInProgressError, WebContext, get_context
from monitor.web.security import csrf_matches, new_csrf_token
from monitor.web.views import (
    EDIT_CHOICES,
    MAX_CHECKED_ON_ADD,
    MAX_ID,
    SORT_CHOICES,
    STATE_CHOICES,
    choice,
    paginate,
    parse_since,
    timeline,
)

router = APIRouter(include_in_schema=False)

Ctx = Annotated[WebContext, Depends(get_context)]
ArticleId = Annotated[int, Path(ge=1, le=MAX_ID)]
MAX_URLS_PER_FORM = 500
PREVIEW_OPS = 6  # changed sentences shown per edit on the recent edits page
SINCE_CHOICES = {"24h": "last 24 hours", "7d": "last 7 days", "30d": "last 30 days"}
VIEWS = {"inline": "inline", "changes": "changes only", "side": "side by side"}


# -- helpers --------------------------------------------------------------------------


def render(request: Request, name: str, values: dict[str, Any], status: int = 200) -> Response:
    """A page with what every page needs: CSRF token, flash messages, login state."""
    ctx: WebContext = request.app.state.ctx
    session = request.session
    if "csrf" not in session:
        session["csrf"] = new_csrf_token()
    context = {
        "active": "",
        "csrf": session["csrf"],
        "flashes": session.pop("flash", []),
        "login_required": ctx.keys.required,
        "now": ctx.now(),
        **values,
    }
    response: Response = request.app.state.templates.TemplateResponse(
        request, name, context, status_code=status
    )
    return response


def flash(request: Request, level: str, text: str) -> None:
    """A message shown once on the next page (kept in the signed session cookie)."""
    messages = list(request.session.get("flash", []))[-3:]  # the cookie holds 4 KB at most
    messages.append([level, text[:300]])
    request.session["flash"] = messages


def back_to(target: str) -> RedirectResponse:
    return RedirectResponse(safe_path(target), status_code=303)


def safe_path(target: str | None, default: str = "/") -> str:
    """A local path to go back to: never another site (``//evil``, ``/\\evil``)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    if any(ord(c) < 32 for c in target):
        return default
    return target


async def check_csrf(request: Request) -> None:
    """Dependency of every form POST: the hidden token must match the session's."""
    form = await request.form()
    given = form.get("csrf_token")
    if not csrf_matches(request.session, given if isinstance(given, str) else None):
        raise HTTPException(
            403, "This form has expired or did not come from this site: reload and try again."
        )


Csrf = Annotated[None, Depends(check_csrf)]


def optional_int(text: str | None, name: str) -> int | None:
    if text is None or text.strip() == "":
        return None
    if not text.strip().isdigit() or not 1 <= int(text) <= MAX_ID:
        raise UsageError(f"{name}: expected a version number, got {text!r}")
    return int(text)


def feed_link(ctx: WebContext, path: str) -> str:
    """A feed's link, with its key when a token is required (feed readers cannot log in).

    The key signs the decoded path, as the server sees it; the link is percent-encoded.
    """
    link = quote(path, safe="/")
    return f"{link}?key={ctx.keys.feed_key(path)}" if ctx.keys.required else link


def _tags(text: str) -> list[str]:
    """Tags typed into a form: separated by commas or spaces, at most 100 characters each."""
    tags = [t for t in re.split(r"[,\s]+", text) if t]
    if any(len(t) > 100 for t in tags):
        raise UsageError("Tags are at most 100 characters.")
    return tags


def result_text(result: CheckResult) -> tuple[str, str]:
    """A flash message for one check: (level, text)."""
    if result.outcome == Outcome.ERROR:
        return "error", f"Check failed: {result.error or 'error'} — {result.url}"
    if result.outcome == Outcome.GONE:
        return "error", f"The page is gone (HTTP {result.http_status}) — {result.url}"
    if result.outcome == Outcome.CHANGED:
        return "ok", f"New version {result.version} ({result.kind}) — {result.url}"
    if result.outcome == Outcome.NEW:
        return "ok", f"First version stored — {result.url}"
    return "ok", f"Checked: {result.outcome.value.replace('_', ' ')} — {result.url}"


# -- diff views -------------------------------------------------------------------------


@dataclass(frozen=True)
class SideRow:
    """One row of the side-by-side diff: old pieces left, new pieces right."""

    op: str  # equal, insert, delete, replace, or "field" for the headline/byline
    left: tuple[WordOp, ...]
    right: tuple[WordOp, ...]
    label: str = ""


def side_by_side(diff: TextDiff) -> list[SideRow]:
    """Rows for the two-column view; the template escapes every piece."""
    rows = []
    for label, change in (("Headline", diff.title), ("Byline", diff.byline)):
        if change is not None:
            words = word_diff(change.old, change.new)
            rows.append(
                SideRow(
                    "field",
                    tuple(w for w in words if w.op != "insert"),
                    tuple(w for w in words if w.op != "delete"),
                    label,
                )
            )
    for op in diff.body:
        if op.op == "equal":
            rows.append(SideRow("equal", (WordOp("equal", op.old),), (WordOp("equal", op.new),)))
        elif op.op == "delete":
            rows.append(SideRow("delete", (WordOp("delete", op.old),), ()))
        elif op.op == "insert":
            rows.append(SideRow("insert", (), (WordOp("insert", op.new),)))
        else:
            rows.append(
                SideRow(
                    "replace",
                    tuple(w for w in op.words if w.op != "insert"),
                    tuple(w for w in op.words if w.op != "delete"),
                )
            )
    return rows


def diff_markup(diff: TextDiff, *, context: int | None = None) -> Markup:
    """``render_html`` marked safe: it escapes every piece of page text itself."""
    return Markup(render_html(diff, context=context))


@dataclass(frozen=True)
class EditPreview:
    entry: EditEntry
    html: Markup
    more: int  # changed sentences not shown


def edit_preview(store: Store, entry: EditEntry) -> EditPreview:
    """The first few changes of one edit, for the recent edits list."""
    new = entry.version
    old = store.version(new.article_id, new.n - 1)
    diff = diff_versions(
        old.title, old.byline, old.paragraphs, new.title, new.byline, new.paragraphs
    )
    changed = [op for op in diff.body if op.op != "equal"]
    shown = TextDiff(diff.title, diff.byline, tuple(changed[:PREVIEW_OPS]), diff.stats)
    return EditPreview(entry, diff_markup(shown), max(0, len(changed) - PREVIEW_OPS))


# -- watchlist ------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
async def watchlist(
    request: Request,
    ctx: Ctx,
    tag: Annotated[str, Query(max_length=200)] = "",
    outlet: Annotated[str, Query(max_length=200)] = "",
    state: Annotated[str, Query(max_length=20)] = "",
    kind: Annotated[str, Query(max_length=20)] = "",
    sort: Annotated[str, Query(max_length=20)] = "recent",
    q: Annotated[str, Query(max_length=200)] = "",
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> Response:
    """Every watched article with its state, times and edit counts; add, pause, remove."""
    return _watchlist(request, ctx, tag, outlet, state, kind, sort, q, offset)


def _watchlist(
    request: Request,
    ctx: WebContext,
    tag: str,
    outlet: str,
    state: str,
    kind: str,
    sort: str,
    q: str,
    offset: int,
    *,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    chosen_state = choice(state, STATE_CHOICES, "state")
    states = (
        (State(chosen_state),) if chosen_state else tuple(s for s in State if s != State.REMOVED)
    )
    wanted = ArticleFilter(
        states=states,
        tag=tag or None,
        outlet=outlet or None,
        edit=choice(kind, EDIT_CHOICES, "kind"),
        search=q.strip() or None,
        sort=choice(sort, SORT_CHOICES, "sort") or "recent",
    )
    store = ctx.store
    limit = ctx.settings.web.page_size
    total = store.count_articles(wanted)
    articles = store.find_articles(wanted, limit=limit, offset=offset)
    page = paginate("/", request.query_params.multi_items(), total, limit, offset)
    filtered = any((tag, outlet, state, kind, q))
    return render(
        request,
        "watchlist.html",
        {
            "active": "watchlist",
            "articles": articles,
            "page": page,
            "filters": {
                "tag": tag,
                "outlet": outlet,
                "state": state,
                "kind": kind,
                "sort": sort,
                "q": q,
            },
            "filtered": filtered,
            "tags": store.tag_counts(),
            "outlets": store.outlet_counts(),
            "states": STATE_CHOICES,
            "kinds": EDIT_CHOICES,
            "sorts": SORT_CHOICES,
            "next_due": store.next_check_due(),
            "form": form or {"urls": "", "tags": "", "interval": ""},
            "feed": feed_link(ctx, "/feeds/edits.atom"),
            "back": str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
        },
        status,
    )


@router.post("/articles")
async def add_articles(
    request: Request,
    ctx: Ctx,
    _csrf: Csrf,
    urls: Annotated[str, Form(max_length=200_000)] = "",
    tags: Annotated[str, Form(max_length=2000)] = "",
    interval: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    """Watch the URLs typed or pasted (one per line), then take their first snapshots."""
    form = {"urls": urls, "tags": tags, "interval": interval}
    url_list = urls.split()
    try:
        if not url_list:
            raise UsageError("Type or paste at least one URL.")
        if len(url_list) > MAX_URLS_PER_FORM:
            raise UsageError(f"At most {MAX_URLS_PER_FORM} URLs at a time.")
        tag_list = _tags(tags)
        interval_s = parse_interval(interval.strip()) if interval.strip() else None
        added = add_urls(
            ctx.store,
            url_list,
            now=ctx.now(),
            tags=tag_list,
            interval_s=interval_s,
            allow_private=ctx.settings.fetch.allow_private_hosts,
        )
    except MonitorError as exc:
        flash(request, "error", str(exc))
        return _watchlist(request, ctx, "", "", "", "", "recent", "", 0, form=form, status=400)
    created = [item.article for item in added if item.created]
    again = len(added) - len(created)
    summary = f"Added {len(created)} URL{'s' if len(created) != 1 else ''}"
    if again:
        summary += f"; {again} already watched"
    flash(request, "ok", summary + ".")
    fresh = created[:MAX_CHECKED_ON_ADD]
    if fresh:
        checker = await ctx.get_checker()
        results = await ctx.guarded_check([a.id for a in fresh], lambda: checker.check_many(fresh))
        for result in results:
            if result.outcome in (Outcome.ERROR, Outcome.GONE):
                flash(request, *result_text(result))
    if len(created) > len(fresh):
        flash(request, "ok", f"{len(created) - len(fresh)} more will be checked by the scheduler.")
    return back_to("/")


@router.post("/articles/bulk")
async def bulk_action(
    request: Request,
    ctx: Ctx,
    _csrf: Csrf,
    action: Annotated[Literal["pause", "resume", "remove", "check"], Form()],
    ids: Annotated[list[int], Form()] = [],  # noqa: B006
    back: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Pause, resume, remove or check the ticked articles."""
    if not ids:
        flash(request, "error", "Tick at least one article first.")
        return back_to(back)
    if len(ids) > 1000 or not all(1 <= i <= MAX_ID for i in ids):
        raise UsageError("at most 1000 article ids at a time, each a positive number")
    keys = [str(i) for i in dict.fromkeys(ids)]
    if action == "check":
        articles = [ctx.store.article(int(k)) for k in keys]
        checker = await ctx.get_checker()
        results = await ctx.guarded_check(
            [a.id for a in articles], lambda: checker.check_many(articles)
        )
        failed = [r for r in results if r.outcome in (Outcome.ERROR, Outcome.GONE)]
        flash(request, "ok", f"Checked {len(results)} article(s).")
        for result in failed:
            flash(request, *result_text(result))
        return back_to(back)
    state = {"pause": State.PAUSED, "resume": State.ACTIVE, "remove": State.REMOVED}[action]
    changed = set_watch_state(ctx.store, keys, state, ctx.now())
    verb = {"pause": "Paused", "resume": "Resumed", "remove": "Removed"}[action]
    note = " (their history is kept)" if action == "remove" else ""
    flash(request, "ok", f"{verb} {len(changed)} article(s){note}.")
    return back_to(back)


# -- one article -----------------------------------------------------------------------------


@router.post("/articles/{article_id}/check")
async def check_article(request: Request, article_id: ArticleId, ctx: Ctx, _csrf: Csrf) -> Response:
    """Check one article now."""
    article = ctx.store.article(article_id)
    checker = await ctx.get_checker()
    try:
        result = await ctx.guarded_check([article.id], lambda: checker.check(article))
    except CheckInProgressError as exc:
        flash(request, "error", str(exc))
    else:
        flash(request, *result_text(result))
    return back_to(f"/articles/{article.id}")


@router.post("/articles/{article_id}/state")
async def change_state(
    request: Request,
    article_id: ArticleId,
    ctx: Ctx,
    _csrf: Csrf,
    state: Annotated[Literal["active", "paused", "removed"], Form()],
) -> Response:
    """Pause, resume or remove one article (its history is kept)."""
    [article] = set_watch_state(ctx.store, [str(article_id)], State(state), ctx.now())
    words = {"active": "Resumed", "paused": "Paused", "removed": "Removed (history kept)"}
    flash(request, "ok", f"{words[state]}.")
    return back_to(f"/articles/{article.id}")


@router.get("/articles/{article_id}", response_class=HTMLResponse)
@router.get("/articles/{article_id}/diff", response_class=HTMLResponse)
async def article_page(
    request: Request,
    article_id: ArticleId,
    ctx: Ctx,
    from_: Annotated[str | None, Query(alias="from", max_length=20)] = None,
    to: Annotated[str | None, Query(max_length=20)] = None,
    view: Annotated[str, Query(max_length=20)] = "inline",
) -> Response:
    """The article's timeline, a diff between any two versions, and actions."""
    store = ctx.store
    article = store.article(article_id)
    view = choice(view, VIEWS, "view") or "inline"
    from_n, to_n = optional_int(from_, "from"), optional_int(to, "to")
    versions = store.versions(article.id)
    pair: VersionPair | None = None
    diff_error = None
    status = 200
    if len(versions) >= 2:
        try:
            pair = compare_versions(store, article, from_n, to_n)
        except NotFoundError as exc:
            diff_error, status = str(exc), 404
        except UsageError as exc:
            diff_error, status = str(exc), 400
    elif from_n or to_n:
        diff_error, status = "There is only one version: nothing to compare yet.", 404
    values: dict[str, Any] = {
        "article": article,
        "versions": versions,
        "events": timeline(store, article, versions),
        "pair": pair,
        "diff_error": diff_error,
        "view": view,
        "views": VIEWS,
        "feed": feed_link(ctx, f"/feeds/articles/{article.id}.atom"),
    }
    if pair is not None:
        values["diff_html"] = diff_markup(pair.diff, context=1 if view == "changes" else None)
        values["side_rows"] = side_by_side(pair.diff) if view == "side" else []
    return render(request, "article.html", values, status)


@router.get("/articles/{article_id}/versions/{n}", response_class=HTMLResponse)
async def version_page(
    request: Request,
    article_id: ArticleId,
    n: Annotated[int, Path(ge=1, le=MAX_ID)],
    ctx: Ctx,
) -> Response:
    """The full text of one version, as it was stored."""
    article = ctx.store.article(article_id)
    version = ctx.store.version(article.id, n)
    return render(
        request,
        "version.html",
        {"article": article, "version": version, "count": article.version_count},
    )


# -- across articles --------------------------------------------------------------------------


@router.get("/edits", response_class=HTMLResponse)
async def edits_page(
    request: Request,
    ctx: Ctx,
    kind: Annotated[str, Query(max_length=20)] = "",
    outlet: Annotated[str, Query(max_length=200)] = "",
    tag: Annotated[str, Query(max_length=200)] = "",
    since: Annotated[str, Query(max_length=40)] = "",
    offset: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> Response:
    """Every edit across outlets, newest first, with its first few changes."""
    store = ctx.store
    wanted = EditFilter(
        since=parse_since(since, ctx.now()),
        edit=choice(kind, EDIT_CHOICES, "kind"),
        outlet=outlet or None,
        tag=tag or None,
    )
    limit = ctx.settings.web.page_size
    total = store.count_edits(wanted)
    entries = store.find_edits(wanted, limit=limit, offset=offset)
    if tag:
        feed = feed_link(ctx, f"/feeds/tags/{tag}.atom")
    elif outlet:
        feed = feed_link(ctx, f"/feeds/outlets/{outlet}.atom")
    else:
        feed = feed_link(ctx, "/feeds/edits.atom")
    return render(
        request,
        "edits.html",
        {
            "active": "edits",
            "previews": [edit_preview(store, e) for e in entries],
            "page": paginate("/edits", request.query_params.multi_items(), total, limit, offset),
            "filters": {"kind": kind, "outlet": outlet, "tag": tag, "since": since},
            "filtered": any((kind, outlet, tag, since)),
            "kinds": EDIT_CHOICES,
            "tags": store.tag_counts(),
            "outlets": store.outlet_counts(),
            "since_choices": SINCE_CHOICES,
            "next_due": store.next_check_due(),
            "feed": feed,
        },
    )


# -- notifications ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChannelView:
    id: str
    url: str  # masked by apprise: url(privacy=True)
    tags: tuple[str, ...]
    digest: str | None


def channel_views(ctx: WebContext) -> list[ChannelView]:
    """The configured channels with secrets masked; never the raw URL."""
    from monitor import notify

    masked = notify.masked_channel_urls(ctx.settings)
    return [
        ChannelView(c.id, masked[c.id], c.tags, c.digest)
        for c in notify.configured_channels(ctx.settings)
    ]


@router.get("/notifications", response_class=HTMLResponse)
async def notifications_page(request: Request, ctx: Ctx) -> Response:
    """Alert channels (secrets masked), pending and failed alerts, and a test button."""
    from monitor.notify import notification_status

    status = notification_status(ctx.store, ctx.settings, limit=200)
    return render(
        request,
        "notifications.html",
        {
            "active": "notifications",
            "channels": channel_views(ctx),
            "status": status,
            "base_url": ctx.settings.notify.base_url,
        },
    )


@router.post("/notifications/test")
async def send_test_alert(request: Request, ctx: Ctx, _csrf: Csrf) -> Response:
    """Send a test alert to every configured channel and say how each went."""
    from monitor.notify import send_test

    results = await send_test(ctx.settings)
    if not results:
        flash(request, "error", "No channels configured: add [notify] urls to monitor.toml.")
    for result in results:
        if result.ok:
            flash(request, "ok", f"Test alert sent to {result.channel} ({result.url}).")
        else:
            flash(request, "error", f"Test alert to {result.channel} failed: {result.error}")
    return back_to("/notifications")


# -- feeds ----------------------------------------------------------------------------------------
# The page lives at /watched-feeds: paths under /feeds/ are the Atom feeds of edits, which feed
# readers fetch with a per-feed key and which answer errors in JSON.


@router.get("/watched-feeds", response_class=HTMLResponse)
async def feeds_page(request: Request, ctx: Ctx) -> Response:
    """The watched feeds and sitemaps, what their polls found, and a form to add one."""
    return _feeds_page(request, ctx)


def _feeds_page(
    request: Request, ctx: Ctx, form: dict[str, str] | None = None, status: int = 200
) -> Response:
    minutes, seconds = divmod(ctx.settings.feeds.interval, 60)
    values = {
        "active": "feeds",
        "feeds": ctx.store.feeds(),
        "form": form or {"url": "", "tags": ""},
        "interval": f"{minutes} min" + (f" {seconds} s" if seconds else ""),
    }
    return render(request, "feeds.html", values, status)


@router.post("/watched-feeds")
async def add_feed_form(
    request: Request,
    ctx: Ctx,
    _csrf: Csrf,
    url: Annotated[str, Form(max_length=2048)] = "",
    tags: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Watch a feed (or the feeds a home page links to) and poll it once now."""
    from monitor.feeds import add_feed

    try:
        if not url.strip():
            raise UsageError("Type the address of a feed, a sitemap or a home page.")
        fetcher = await ctx.get_fetcher()
        added = await add_feed(
            ctx.store, ctx.settings, fetcher, url.strip(), now=ctx.now(), tags=_tags(tags)
        )
    except MonitorError as exc:
        flash(request, "error", str(exc))
        return _feeds_page(request, ctx, form={"url": url, "tags": tags}, status=400)
    for item in added:
        if item.feed is None:
            flash(request, "error", f"Could not watch {item.url}: {item.error}")
        elif not item.created:
            flash(request, "ok", f"Already watched: {item.url}.")
        else:
            found = len(item.poll.added) if item.poll else 0
            flash(request, "ok", f"Watching {item.url}: {found} new article(s) added.")
    return back_to("/watched-feeds")


@router.post("/watched-feeds/{feed_id}/poll")
async def poll_feed_form(
    request: Request, feed_id: Annotated[int, Path(ge=1, le=MAX_ID)], ctx: Ctx, _csrf: Csrf
) -> Response:
    """Poll one feed now instead of waiting for its turn."""
    from monitor.feeds import poll_feeds

    feed = ctx.store.feed(feed_id)
    fetcher = await ctx.get_fetcher()
    [result] = await poll_feeds(ctx.store, ctx.settings, fetcher, [feed], ctx.now())
    if result.outcome == "error":
        flash(request, "error", f"Poll failed: {result.error} — {feed.url}")
    else:
        flash(request, "ok", f"Polled {feed.url}: {len(result.added)} new article(s) added.")
    return back_to("/watched-feeds")


@router.post("/watched-feeds/{feed_id}/remove")
async def remove_feed_form(
    request: Request, feed_id: Annotated[int, Path(ge=1, le=MAX_ID)], ctx: Ctx, _csrf: Csrf
) -> Response:
    """Stop polling a feed; the articles it found stay watched."""
    feed = ctx.store.feed(feed_id)
    ctx.store.delete_feed(feed.id)
    flash(
        request,
        "ok",
        f"Stopped polling {feed.url}; its {feed.articles_found} article(s) stay watched.",
    )
    return back_to("/watched-feeds")


# -- login ----------------------------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
async def login_page(
    request: Request,
    ctx: Ctx,
    next_path: Annotated[str, Query(alias="next", max_length=2000)] = "/",
) -> Response:
    if not ctx.keys.required:
        return back_to(next_path)
    return render(request, "login.html", {"next": safe_path(next_path)})


@router.post("/login")
async def login(
    request: Request,
    ctx: Ctx,
    _csrf: Csrf,
    token: Annotated[str, Form(max_length=1000)] = "",
    next_path: Annotated[str, Form(alias="next", max_length=2000)] = "/",
) -> Response:
    """Exchange the token for a signed session cookie; a wrong token costs a second."""
    if not ctx.keys.required:
        return back_to(next_path)
    if not ctx.keys.token_matches(token.strip()):
        await asyncio.sleep(1)
        flash(request, "error", "That is not the token this server was started with.")
        return render(request, "login.html", {"next": safe_path(next_path)}, 401)
    request.session.clear()
    request.session["auth"] = ctx.keys.fingerprint()
    request.session["csrf"] = new_csrf_token()
    return back_to(next_path)


@router.post("/logout")
async def logout(request: Request, _csrf: Csrf) -> Response:
    request.session.clear()
    return back_to("/login")


# -- API docs ----------------------------------------------------------------------------------


@router.get("/docs", response_class=HTMLResponse)
async def api_docs(request: Request) -> Response:
    """Swagger UI from files shipped in a Python package: no CDN, no inline script."""
    return render(request, "docs.html", {})
