"""The ``monitor`` command line: parse arguments, call one service function, print.

Exit codes are a contract: 0 success, 1 some checks failed, 2 bad usage or
bad input (with a one-line reason on stderr). ``--json`` output is one JSON
document on stdout; messages go to stderr so JSON can be piped.

What only some commands need (asyncio, the fetcher and the checker, and
with them httpx) is imported inside them: ``monitor list``, ``history``
and ``diff`` start in about half the time, without imports they never use.
"""

from __future__ import annotations

import gzip
import itertools
import json
import logging
import sys
from collections import Counter
from collections.abc import Callable, Coroutine, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from monitor import __version__
from monitor.cadence import parse_since
from monitor.config import Settings, load_settings
from monitor.diff import render_html, render_text
from monitor.errors import MonitorError
from monitor.models import Article, CheckResult, Extracted, Outcome, State, utc_now
from monitor.review import (
    article_summary,
    check_result_json,
    compare_versions,
    history_to_json,
    pair_to_json,
)
from monitor.store import Store
from monitor.urls import normalise_url, outlet_of
from monitor.watchlist import (
    add_urls,
    find_article,
    parse_interval,
    purge_articles,
    set_watch_state,
)

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


@dataclass
class Context:
    db_path: Path | None
    config_path: Path | None
    _settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.config_path, self.db_path)
        return self._settings

    @contextmanager
    def store(self) -> Iterator[Store]:
        with Store(self.settings.db_path) as store:
            yield store


def json_option(func: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")(
        func
    )


def emit_json(document: Any) -> None:
    click.echo(json.dumps(document, ensure_ascii=False, indent=2))


def emit_json_items(
    key: str,
    items: Iterable[Any],
    to_json: Callable[[Any], Any],
    after: Mapping[str, Any] | None = None,
) -> None:
    """``{key: [to_json(item)…], **after}`` on stdout, exactly as ``emit_json`` writes it,
    each item written as it comes: 100,000 articles or check results are never held
    as dicts, nor their text as one string."""
    encode = json.JSONEncoder(ensure_ascii=False, indent=2).encode
    texts = (encode(to_json(item)).replace("\n", "\n    ") for item in items)
    opening = "{\n  " + json.dumps(key, ensure_ascii=False) + ": ["
    written = False
    while batch := list(itertools.islice(texts, 256)):
        click.echo((",\n    " if written else opening + "\n    ") + ",\n    ".join(batch), nl=False)
        written = True
    click.echo("\n  ]" if written else opening + "]", nl=False)
    for name, value in (after or {}).items():
        text = encode(value).replace("\n", "\n  ")
        click.echo(",\n  " + json.dumps(name, ensure_ascii=False) + ": " + text, nl=False)
    click.echo("\n}")


def _run(work: Coroutine[Any, Any, T]) -> T:
    """``work`` on uvloop's event loop, or asyncio's own where uvloop is not installed.

    The checker's event loop is a pass's one serial stage: it fetches every
    page, hands it to the extraction workers and stores what comes back.
    uvloop runs the loop, its sockets and its pipes in C: alternating runs of
    the edited benchmark pass took 7% less wall time and 8% less CPU (two sets
    of eight). asyncio (80 ms) and uvloop (5 ms) are imported by the commands
    that use them, not by all.
    """
    import asyncio

    try:
        import uvloop
    except ImportError:  # a platform uvloop is not installed on (Windows)
        return asyncio.run(work)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(work)


def fail(message: str, code: int = 2) -> NoReturn:
    click.echo(f"monitor: {message}", err=True)
    sys.exit(code)


class MonitorGroup(click.Group):
    """Turns the project's own errors into a one-line reason and exit code 2."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MonitorError as exc:
            fail(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)


@click.group(cls=MonitorGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Database file [default: ./data/monitor.db or MONITOR_DB].",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Settings file [default: ./config/monitor.toml or MONITOR_CONFIG].",
)
@click.version_option(__version__, prog_name="monitor")
@click.pass_context
def main(ctx: click.Context, db_path: Path | None, config_path: Path | None) -> None:
    """Watch news articles and record every edit made after publication.

    Example: monitor add https://www.example.com/news/2026/story.html
    """
    ctx.obj = Context(db_path, config_path)


pass_context = click.make_pass_decorator(Context)


# -- watchlist ------------------------------------------------------------


@main.command()
@click.argument("urls", nargs=-1, required=True)
@click.option("--tag", "tags", multiple=True, help="Tag the watch (repeatable).")
@click.option("--interval", help="Fixed check interval, e.g. 10m, 2h (default: age-aware).")
@click.option("--no-fetch", is_flag=True, help="Do not take the first snapshot now.")
@json_option
@pass_context
def add(
    ctx: Context,
    urls: tuple[str, ...],
    tags: tuple[str, ...],
    interval: str | None,
    no_fetch: bool,
    as_json: bool,
) -> None:
    """Watch article URLs; takes the first snapshot unless --no-fetch.

    Exit code 1 when a first snapshot ended in an error (the article stays
    watched, and its next check tries again).

    Example: monitor add --tag politics https://www.example.com/news/story.html
    """
    interval_s = parse_interval(interval) if interval else None
    with ctx.store() as store:
        added = add_urls(
            store,
            urls,
            now=utc_now(),
            tags=tags,
            interval_s=interval_s,
            allow_private=ctx.settings.fetch.allow_private_hosts,
        )
        for item in added:
            verb = "added" if item.created else "already watched"
            click.echo(f"{verb}: {item.article.url} (id {item.article.id})", err=True)
        results: list[CheckResult] = []
        if not no_fetch:
            fresh = [item.article for item in added if item.created]
            results = _run(_check_articles(ctx.settings, store, fresh))
    _report_results(results, as_json)
    _exit_if_any_failed(results)


@main.command()
@click.argument("urls", nargs=-1, required=True)
@click.option("--purge", is_flag=True, help="Also delete the stored history.")
@pass_context
def remove(ctx: Context, urls: tuple[str, ...], purge: bool) -> None:
    """Stop watching articles; their history is kept unless --purge.

    Example: monitor remove https://www.example.com/news/story.html
    """
    with ctx.store() as store:
        if purge:
            for article in purge_articles(store, urls):
                click.echo(f"purged: {article.url}", err=True)
            return
        for article in set_watch_state(store, urls, State.REMOVED, utc_now()):
            click.echo(f"removed: {article.url} ({article.version_count} versions kept)", err=True)


@main.command()
@click.argument("urls", nargs=-1, required=True)
@pass_context
def pause(ctx: Context, urls: tuple[str, ...]) -> None:
    """Stop checking articles for now; resume picks them up again.

    Example: monitor pause https://www.example.com/news/story.html
    """
    _change_state(ctx, urls, State.PAUSED, "paused")


@main.command()
@click.argument("urls", nargs=-1, required=True)
@pass_context
def resume(ctx: Context, urls: tuple[str, ...]) -> None:
    """Check paused, removed or gone articles again, starting now.

    Example: monitor resume https://www.example.com/news/story.html
    """
    _change_state(ctx, urls, State.ACTIVE, "resumed")


def _change_state(ctx: Context, urls: Sequence[str], state: State, verb: str) -> None:
    with ctx.store() as store:
        for article in set_watch_state(store, urls, state, utc_now()):
            click.echo(f"{verb}: {article.url}", err=True)


@main.command(name="list")
@click.option("--state", "states", multiple=True, type=click.Choice([s.value for s in State]))
@click.option("--tag", help="Only articles with this tag.")
@click.option("--all", "show_all", is_flag=True, help="Include removed articles.")
@json_option
@pass_context
def list_articles(
    ctx: Context, states: tuple[str, ...], tag: str | None, show_all: bool, as_json: bool
) -> None:
    """The watchlist with state, versions and last check.

    Example: monitor list --tag politics --json
    """
    wanted = [State(s) for s in states] or (
        None if show_all else [s for s in State if s != State.REMOVED]
    )
    with ctx.store() as store:
        articles = store.iter_articles(states=wanted, tag=tag)
        if as_json:
            emit_json_items("articles", articles, article_summary)
            return
        listed = 0
        for a in articles:
            last = _short_time(a.last_checked_at) if a.last_checked_at else "never"
            title = (a.title or "")[:60]
            click.echo(f"{a.id:>5}  {a.state.value:<7} v{a.version_count:<3} {last:<17} {a.url}")
            if title:
                click.echo(f"{'':>5}  {title}")
            listed += 1
    if not listed:
        click.echo("no articles watched yet: monitor add URL", err=True)


# -- checking ---------------------------------------------------------------


@main.command()
@click.argument("urls", nargs=-1)
@click.option("--all", "check_all", is_flag=True, help="Check every active article.")
@json_option
@pass_context
def check(ctx: Context, urls: tuple[str, ...], check_all: bool, as_json: bool) -> None:
    """Check articles now: the due ones, or all, or the given URLs; print each outcome.

    Exit code 1 when any check ended in an error.

    Example: monitor check --all --json
    """
    with ctx.store() as store:
        articles: Iterable[Article]
        if urls:
            articles = [find_article(store, url) for url in urls]
        elif check_all:
            articles = store.iter_articles(states=[State.ACTIVE])
        else:
            articles = store.iter_articles(states=[State.ACTIVE], due_by=utc_now())
        results = _run(_check_articles(ctx.settings, store, articles))
    _report_results(results, as_json)
    _exit_if_any_failed(results)


async def _check_articles(
    settings: Settings, store: Store, articles: Iterable[Article]
) -> list[CheckResult]:
    from monitor.memo import EVERY_JOB_NEEDS, SOME_JOBS_NEED
    from monitor.workers import pool_for

    # The extraction workers start first: they import the extractor on the other
    # core while this process imports the fetcher and the checker.
    upcoming, pool = pool_for(articles, EVERY_JOB_NEEDS, SOME_JOBS_NEED)
    try:
        from monitor.checker import Checker
        from monitor.fetch import Fetcher

        async with Fetcher(settings.fetch) as fetcher:
            checker = Checker(store, settings, fetcher, pool=pool)
            try:
                return await checker.check_many(upcoming)
            finally:
                checker.close()
    finally:
        if pool is not None:
            pool.close()  # when the checker was never made; closing twice does nothing


def _exit_if_any_failed(results: Sequence[CheckResult]) -> None:
    """Exit code 1 when a check ended in an error: the contract of every command that checks."""
    if any(r.outcome == Outcome.ERROR for r in results):
        sys.exit(1)


def _report_results(results: Sequence[CheckResult], as_json: bool) -> None:
    summary = Counter(r.outcome.value for r in results)
    if as_json:
        emit_json_items("results", results, check_result_json, {"summary": dict(summary)})
        return
    for r in results:
        detail = ""
        if r.version:
            detail = f" v{r.version}"
            if r.kind:
                detail += f" {r.kind.value}"
            if r.flags:
                detail += f" [{', '.join(r.flags)}]"
        if r.error:
            detail += f" ({r.error})"
        click.echo(f"{r.outcome.value:<14}{detail}  {r.url}")
    if results:
        click.echo(", ".join(f"{n} {outcome}" for outcome, n in sorted(summary.items())), err=True)


# -- reviewing ----------------------------------------------------------------


@main.command()
@click.argument("url")
@json_option
@pass_context
def history(ctx: Context, url: str, as_json: bool) -> None:
    """An article's versions with fetched/posted/updated times, kind and flags.

    Example: monitor history https://www.example.com/news/story.html
    """
    with ctx.store() as store:
        article = find_article(store, url)
        document = history_to_json(store, article)
    if as_json:
        emit_json(document)
        return
    click.echo(f"{document['title'] or '(no headline yet)'}")
    click.echo(f"{document['url']}  [{document['state']}]")
    click.echo(f"posted {document['posted_at'] or '-'}   updated {document['updated_at'] or '-'}")
    for v in document["versions"]:
        flags = f" [{', '.join(v['flags'])}]" if v["flags"] else ""
        reverts = f" (repeats v{v['reverts_to']})" if v["reverts_to"] else ""
        stats = v["stats"]
        change = (
            f" +{stats['sentences_added']} -{stats['sentences_removed']}"
            f" ~{stats['sentences_changed']} sentences"
            if v["n"] > 1
            else ""
        )
        click.echo(
            f"  v{v['n']:<3} fetched {v['fetched_at']}  updated {v['updated_at'] or '-':<25} "
            f"{v['kind']}{flags}{reverts}{change}"
        )
    checks = Counter(c["outcome"] for c in document["checks"])
    click.echo(
        f"{len(document['checks'])} checks: " + ", ".join(f"{n} {o}" for o, n in checks.items())
    )


@main.command()
@click.argument("url")
@click.option(
    "--from", "from_n", type=int, help="Old version number [default: the one before --to]."
)
@click.option("--to", "to_n", type=int, help="New version number [default: the latest].")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "html", "json"]),
    default="text",
    show_default=True,
)
@pass_context
def diff(ctx: Context, url: str, from_n: int | None, to_n: int | None, fmt: str) -> None:
    """The diff between two versions (default: the last two).

    Example: monitor diff https://www.example.com/news/story.html --from 1 --to 3
    """
    with ctx.store() as store:
        article = find_article(store, url)
        pair = compare_versions(store, article, from_n, to_n)
    if fmt == "json":
        emit_json(pair_to_json(pair))
    elif fmt == "html":
        click.echo(render_html(pair.diff))
    else:
        flags = f" [{', '.join(pair.edit.flags)}]" if pair.edit.flags else ""
        click.echo(f"v{pair.old.n} -> v{pair.new.n}: {pair.edit.kind.value}{flags}")
        click.echo(render_text(pair.diff))


@main.command()
@click.argument("sources", nargs=-1, required=True)
@json_option
@pass_context
def extract(ctx: Context, sources: tuple[str, ...], as_json: bool) -> None:
    """Show what the extractor sees: headline, byline, Posted/Updated, body.

    Sources are files (plain or gzipped HTML) or http(s) URLs. With --json,
    one JSON object per line and source.

    Example: monitor extract page.html.gz --json
    """
    failures = 0
    for source in sources:
        try:
            extracted = _extract_source(ctx.settings, source)
        except MonitorError as exc:
            failures += 1
            click.echo(f"monitor: {source}: {exc}", err=True)
            if as_json:
                click.echo(json.dumps({"source": source, "error": str(exc)}, ensure_ascii=False))
            continue
        if as_json:
            click.echo(json.dumps(_extracted_json(source, extracted), ensure_ascii=False))
        else:
            _print_extracted(source, extracted)
    if failures:
        sys.exit(1)


def _extract_source(settings: Settings, source: str) -> Extracted:
    from monitor.extract import extract_article  # only this command extracts in-process
    from monitor.fetch import Fetcher, decode_html

    if source.startswith(("http://", "https://")):
        url = normalise_url(source)

        async def fetch() -> tuple[str, str]:
            async with Fetcher(settings.fetch) as fetcher:
                fetched = await fetcher.fetch(url)
            if not 200 <= fetched.status < 300:
                raise MonitorError(f"HTTP {fetched.status}")
            return fetched.text, fetched.final_url

        html, final_url = _run(fetch())
        rules = settings.outlet_rules(outlet_of(final_url))
        return extract_article(html, final_url, rules, now=utc_now())
    path = Path(source)
    if not path.is_file():
        raise MonitorError("no such file, and not an http(s) URL")
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise MonitorError(f"broken gzip file: {exc}") from exc
    html = decode_html(data, None)
    return extract_article(html, None, settings.outlet_rules(""), now=utc_now())


def _extracted_json(source: str, extracted: Extracted) -> dict[str, Any]:
    def page_time(pt: Any) -> str | None:
        return pt.value.isoformat() if pt else None

    return {
        "source": source,
        "title": extracted.title,
        "byline": extracted.byline,
        "posted_at": page_time(extracted.posted),
        "posted_raw": extracted.posted.raw if extracted.posted else None,
        "updated_at": page_time(extracted.updated),
        "updated_raw": extracted.updated.raw if extracted.updated else None,
        "canonical_url": extracted.canonical_url,
        "language": extracted.language,
        "paragraphs": list(extracted.paragraphs),
        "body": extracted.body,
    }


def _print_extracted(source: str, extracted: Extracted) -> None:
    document = _extracted_json(source, extracted)
    click.echo(f"== {source}")
    click.echo(f"headline: {document['title']}")
    click.echo(f"byline:   {document['byline'] or '-'}")
    click.echo(
        f"posted:   {document['posted_at'] or '-'}  ({document['posted_raw'] or 'not found'})"
    )
    click.echo(
        f"updated:  {document['updated_at'] or '-'}  ({document['updated_raw'] or 'not found'})"
    )
    click.echo(f"language: {document['language'] or '-'}")
    click.echo("")
    for paragraph in extracted.paragraphs:
        click.echo(click.wrap_text(paragraph, width=88, preserve_paragraphs=True))
        click.echo("")


# -- alerts -------------------------------------------------------------------


@main.group()
def notify() -> None:
    """Alert channels: send a test alert, see pending and failed alerts.

    Example: monitor notify test
    """


@notify.command(name="test")
@json_option
@pass_context
def notify_test(ctx: Context, as_json: bool) -> None:
    """Send a test alert to every configured channel and report each result.

    Exit code 1 when any channel failed.

    Example: MONITOR_NOTIFY_URLS=json://127.0.0.1:8080/hook monitor notify test
    """
    from monitor.notify import configured_channels, send_test  # loads apprise

    if not configured_channels(ctx.settings):
        fail("no alert channels configured: set [notify] urls in the config or MONITOR_NOTIFY_URLS")
    results = _run(send_test(ctx.settings))
    if as_json:
        emit_json({"channels": [r.to_json() for r in results]})
    else:
        for r in results:
            verdict = "ok" if r.ok else f"FAILED: {r.error}"
            click.echo(f"{r.channel:<16} {r.url}  {verdict}")
    if not all(r.ok for r in results):
        sys.exit(1)


@notify.command(name="status")
@json_option
@pass_context
def notify_status(ctx: Context, as_json: bool) -> None:
    """Alerts not delivered yet: pending (with their next attempt) and failed ones.

    Example: monitor notify status --json
    """
    from monitor.notify import notification_status

    with ctx.store() as store:
        status = notification_status(store, ctx.settings)
    if as_json:
        emit_json(status.to_json())
        return
    counts = ", ".join(f"{n} {state}" for state, n in sorted(status.counts.items())) or "none"
    click.echo(f"alerts: {counts}")
    for row in status.rows:
        version = f" v{row.version}" if row.version else ""
        when = f" next {_short_time(row.next_attempt_at)}" if row.next_attempt_at else ""
        error = f" ({row.last_error})" if row.last_error else ""
        click.echo(
            f"{row.status:<8} {row.channel:<16} {row.event}{version} {row.article_url}"
            f" attempts {row.attempts}{when}{error}"
        )


# -- feeds, import, export ----------------------------------------------------
# Commands of monitor/feeds.py, monitor/importer.py and monitor/archive.py.
# Their modules are imported inside the commands: feedparser and warcio load
# only when a feed, import or export command runs.


@main.group()
def feed() -> None:
    """Feeds and sitemaps whose new stories are watched automatically.

    Example: monitor feed add --tag world https://www.example.com/
    """
    # These commands print every skip and error themselves; without this,
    # logging's last-resort handler would print the warnings a second time.
    logging.getLogger("monitor.feeds").addHandler(logging.NullHandler())


@feed.command(name="add")
@click.argument("urls", nargs=-1, required=True)
@click.option("--tag", "tags", multiple=True, help="Tag the feed's articles (repeatable).")
@click.option("--no-poll", is_flag=True, help="Only register the feed; the service polls it.")
@json_option
@pass_context
def feed_add(
    ctx: Context, urls: tuple[str, ...], tags: tuple[str, ...], no_poll: bool, as_json: bool
) -> None:
    """Watch RSS/Atom feeds or (news) sitemaps; a home page's own feeds are found for you.

    The feed is fetched and polled at once: its items younger than
    feeds.max_age become watched articles, due for their first check.

    Example: monitor feed add --tag politics https://www.example.com/politics/rss.xml
    """
    from monitor.feeds import FeedAdded, add_feed
    from monitor.fetch import Fetcher

    async def add_all(store: Store) -> list[FeedAdded]:
        added: list[FeedAdded] = []
        async with Fetcher(ctx.settings.fetch) as fetcher:
            for url in urls:
                added.extend(
                    await add_feed(
                        store,
                        ctx.settings,
                        fetcher,
                        url,
                        now=utc_now(),
                        tags=tags,
                        poll=not no_poll,
                    )
                )
        return added

    with ctx.store() as store:
        added = _run(add_all(store))
    for item in added:
        found = f", found on {item.found_on}" if item.found_on else ""
        if item.feed is None:
            click.echo(f"monitor: not added: {item.url}{found}: {item.error}", err=True)
            continue
        verb = "feed added" if item.created else "feed already watched"
        click.echo(f"{verb}: {item.feed.url} (id {item.feed.id}{found})", err=True)
    polls = [item.poll for item in added if item.poll is not None]
    if as_json:
        emit_json({"feeds": [item.to_json() for item in added]})
    else:
        _report_polls(polls)
    if any(item.feed is None for item in added):
        sys.exit(1)


@feed.command(name="list")
@json_option
@pass_context
def feed_list(ctx: Context, as_json: bool) -> None:
    """The watched feeds: kind, articles found, last poll, last error.

    Example: monitor feed list --json
    """
    from monitor.feeds import feed_to_json

    with ctx.store() as store:
        feeds = store.feeds()
    if as_json:
        emit_json({"feeds": [feed_to_json(f) for f in feeds]})
        return
    if not feeds:
        click.echo("no feeds watched yet: monitor feed add URL", err=True)
        return
    for f in feeds:
        polled = _short_time(f.last_polled_at) if f.last_polled_at else "never"
        tags = f"  [{', '.join(f.tags)}]" if f.tags else ""
        click.echo(
            f"{f.id:>5}  {f.kind or '?':<13} {f.articles_found:>5} articles  polled {polled:<16}"
            f"  {f.url}{tags}"
        )
        if f.last_error:
            click.echo(f"{'':>5}  error: {f.last_error}")


@feed.command(name="remove")
@click.argument("urls", nargs=-1, required=True)
@pass_context
def feed_remove(ctx: Context, urls: tuple[str, ...]) -> None:
    """Stop polling feeds (by URL or id); the articles they found stay watched.

    Example: monitor feed remove https://www.example.com/rss.xml
    """
    from monitor.feeds import find_feed

    with ctx.store() as store:
        feeds = [find_feed(store, url) for url in urls]
        for f in feeds:
            store.delete_feed(f.id)
            click.echo(
                f"feed removed: {f.url} ({f.articles_found} articles stay watched)", err=True
            )


@feed.command(name="poll")
@click.argument("urls", nargs=-1)
@json_option
@pass_context
def feed_poll(ctx: Context, urls: tuple[str, ...], as_json: bool) -> None:
    """Poll feeds now (the given ones, or all) instead of waiting for feeds.interval.

    Exit code 1 when any poll failed.

    Example: monitor feed poll
    """
    from monitor.feeds import PollResult, find_feed, poll_feeds
    from monitor.fetch import Fetcher

    async def poll_all(store: Store) -> list[PollResult]:
        feeds = [find_feed(store, url) for url in urls] if urls else store.feeds()
        async with Fetcher(ctx.settings.fetch) as fetcher:
            return await poll_feeds(store, ctx.settings, fetcher, feeds, utc_now())

    with ctx.store() as store:
        results = _run(poll_all(store))
    if as_json:
        emit_json({"polls": [r.to_json() for r in results]})
    else:
        _report_polls(results)
    if any(r.outcome == "error" for r in results):
        sys.exit(1)


def _report_polls(results: Sequence[Any]) -> None:
    for r in results:
        if r.outcome == "replaced":
            click.echo(f"{'replaced':<13} a web page; its feeds: {', '.join(r.feeds)}  {r.url}")
            continue
        if r.outcome != "polled":
            error = f" ({r.error})" if r.error else ""
            click.echo(f"{r.outcome:<13} {r.kind or '':<13}{error}  {r.url}")
            continue
        due = f", {len(r.due)} made due" if r.due else ""
        error = f" ({r.error})" if r.error else ""
        click.echo(
            f"{'polled':<13} {r.kind:<13} {r.items} items: {len(r.added)} added, {r.known} known,"
            f" {r.old} too old, {len(r.skipped)} skipped{due}{error}  {r.url}"
        )
        for link, reason in r.skipped:
            click.echo(f"monitor: skipped {link}: {reason}", err=True)


@main.command(name="import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--tag", "tags", multiple=True, help="Tag everything imported (repeatable).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "csv", "jsonl", "opml"]),
    help="Input format [default: from the extension, else sniffed].",
)
@json_option
@pass_context
def import_(
    ctx: Context, path: Path, tags: tuple[str, ...], fmt: str | None, as_json: bool
) -> None:
    """Watch the URLs of a text file, CSV (url, tags columns), JSON lines or OPML (feeds).

    Bad lines are reported by line number and skipped (exit code 1); the rest
    is imported, each line on its own. Nothing is fetched: the service (or
    monitor check) takes the first snapshots, and polls imported feeds.

    Example: monitor import --tag politics watchlist.txt
    """
    from monitor.importer import import_file

    with ctx.store() as store:
        report = import_file(store, ctx.settings, path, now=utc_now(), tags=tags, fmt=fmt)
    for bad in report.bad:
        text = f": {bad.text!r}" if bad.text and repr(bad.text) not in bad.reason else ""
        click.echo(f"monitor: {path} line {bad.line}: {bad.reason}{text} (skipped)", err=True)
    parts = [
        _counted(len(report.added), "article", "added"),
        f"{len(report.existing)} already watched",
        _counted(len(report.feeds_added), "feed", "added"),
    ]
    if report.feeds_existing:
        parts.append(_counted(len(report.feeds_existing), "feed", "already watched"))
    if report.duplicates:
        parts.append(_counted(report.duplicates, "duplicate line", ""))
    parts.append(_counted(len(report.bad), "line", "skipped"))
    click.echo(f"imported {path} ({report.format}): " + ", ".join(parts), err=True)
    if as_json:
        emit_json(report.to_json())
    if report.bad:
        sys.exit(1)


@main.command(name="export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "newsedits", "warc"]),
    default="jsonl",
    show_default=True,
)
@click.option("--since", help="Only versions fetched since: 2026-11-27, 2026-11-27T12:00Z or 7d.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write here [default: stdout].",
)
@pass_context
def export_(ctx: Context, fmt: str, since: str | None, output: Path | None) -> None:
    """Every article version with full text and edit metadata, for research and archives.

    jsonl/csv: one row per version. newsedits: sentence-level edit actions
    per pair of consecutive versions. warc: the raw page of every version.

    Example: monitor export --format csv --since 2026-11-01 -o history.csv
    """
    import io

    from monitor.archive import export

    moment = _since_option(since)
    if output is not None and output.resolve() == Path(ctx.settings.db_path).resolve():
        fail(f"{output} is the database itself")
    with ctx.store() as store:
        if output is not None and fmt == "warc":
            with output.open("wb") as binary:
                done = export(store, fmt, binary, since=moment)
        elif output is not None:
            with output.open("w", encoding="utf-8", newline="") as text:
                done = export(store, fmt, text, since=moment)
        elif fmt == "warc":
            sys.stdout.flush()
            done = export(store, fmt, sys.stdout.buffer, since=moment)
            sys.stdout.buffer.flush()
        else:
            # UTF-8 whatever the locale says; newline="" so CSV keeps its \r\n.
            stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
            done = export(store, fmt, stdout, since=moment)
            stdout.flush()
            stdout.detach()
    what = "version pair" if fmt == "newsedits" else "version"
    where = f" to {output}" if output else ""
    click.echo(
        f"exported {_counted(done.records, what, 'of')} {_counted(done.articles, 'article', '')}"
        f" ({fmt}){where}",
        err=True,
    )


def _counted(n: int, noun: str, verb: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'} {verb}".rstrip()


def _since_option(since: str | None) -> datetime | None:
    return parse_since(since, utc_now(), name="--since") if since else None


@main.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
@pass_context
def backup(ctx: Context, path: Path, force: bool) -> None:
    """A consistent copy of the database, safe while the service runs (SQLite online backup).

    Example: monitor backup backups/monitor-2026-11-27.db
    """
    from monitor.archive import backup_database

    with ctx.store() as store:
        target = backup_database(store, path, force=force)
    click.echo(f"backed up {ctx.settings.db_path} to {target}", err=True)


# -- running ------------------------------------------------------------------


@main.command()
@pass_context
def run(ctx: Context) -> None:
    """Run the scheduler in the foreground: check due articles until SIGINT/SIGTERM.

    Prints every check that found something (new, changed, gone, errors).

    Example: monitor run
    """
    _configure_logging()
    click.echo(f"monitor: watching {ctx.settings.db_path}; Ctrl-C stops", err=True)
    _run(_run_service(ctx))
    click.echo("monitor: stopped", err=True)


def _report_eventful(result: CheckResult) -> None:
    if result.outcome not in (Outcome.UNCHANGED, Outcome.NOT_MODIFIED):
        _report_results([result], as_json=False)


async def _run_service(ctx: Context) -> None:
    from monitor.fetch import Fetcher
    from monitor.schedule import Service  # APScheduler: only the service needs it

    with ctx.store() as store:
        async with Fetcher(ctx.settings.fetch) as fetcher:
            await Service(store, ctx.settings, fetcher, on_result=_report_eventful).run()


@main.command()
@click.option("--host", help="Address to listen on [default: web.host, 127.0.0.1].")
@click.option("--port", type=int, help="Port [default: web.port, 8000].")
@pass_context
def serve(ctx: Context, host: str | None, port: int | None) -> None:
    """Run the scheduler with the web UI and JSON API until SIGINT/SIGTERM.

    Off loopback a token is required (web.token or MONITOR_WEB_TOKEN).
    API documentation: /docs.

    Example: monitor serve --host 127.0.0.1 --port 8000
    """
    _configure_logging()
    _run(_serve(ctx, host, port))
    click.echo("monitor: stopped", err=True)


async def _serve(ctx: Context, host: str | None, port: int | None) -> None:
    from monitor.fetch import Fetcher
    from monitor.schedule import Service
    from monitor.web import serve as serve_web  # other commands need not import FastAPI

    with ctx.store() as store:
        async with Fetcher(ctx.settings.fetch) as fetcher:
            service = Service(store, ctx.settings, fetcher, on_result=_report_eventful)
            await serve_web(ctx.settings, store, service=service, host=host, port=port)


# -- demo ---------------------------------------------------------------------


@main.command()
@click.option(
    "--port", type=int, default=8000, show_default=True, help="Web UI port (0: any free port)."
)
@click.option(
    "--speed",
    type=click.FloatRange(min=0.1, max=100),
    default=1.0,
    show_default=True,
    help="Run the newsroom's clock this many times faster.",
)
@click.option("--no-browser", is_flag=True, help="Do not open the web UI in a browser.")
@click.option("--keep", is_flag=True, help="Keep the temporary database when the demo stops.")
@click.option(
    "--notify",
    "notify_urls",
    multiple=True,
    help="Also send alerts here (apprise URL; repeatable).",
)
def demo(
    port: int, speed: float, no_browser: bool, keep: bool, notify_urls: tuple[str, ...]
) -> None:
    """See the whole thing work offline: a simulated newsroom edits its stories while monitor
    watches them with a temporary database, the web UI and alerts printed here.

    Within two minutes: declared and stealth edits, a headline change, a
    correction, changed figures and a pulled story. Nothing leaves this
    machine; your config file and database are not touched. Ctrl-C stops.

    Example: monitor demo --speed 2 --no-browser
    """
    from monitor.demo.runner import DemoOptions, run_demo  # other commands need not load it

    run_demo(
        DemoOptions(
            port=port,
            speed=speed,
            open_browser=not no_browser,
            keep=keep,
            notify_urls=notify_urls,
        )
    )


# -- helpers ------------------------------------------------------------------


def _configure_logging() -> None:
    """Our own INFO lines; APScheduler only when something goes wrong (it logs every run)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def _short_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


if __name__ == "__main__":
    main()
