"""Alert messages: one edit, one removed article, or a day's digest, as text, Markdown or HTML.

Pure functions, no I/O and no apprise: ``monitor.notify`` decides who gets
what and sends it; this module only says it. Each channel gets the format
its service prefers and a message cut to that service's size limit.

Two rules hold in every format:

- Page text is untrusted and always escaped: HTML-escaped in HTML, and in
  Markdown every character that could open a link, an image, emphasis, code
  or raw HTML is backslash-escaped, so ``[click](javascript:…)`` or
  ``![x](http://evil)`` in an article shows as those characters.
- HTML uses inline styles only. Mail clients drop ``<style>`` blocks and
  often the default look of ``<del>``/``<ins>``, so removed and added words
  are ``<span style="…">`` and removed/added sentences also carry a visible
  − / + marker that survives when styles are stripped.

A message too long for its channel keeps its header (kind, flags, times,
headline change), then as many changed sentences as fit, then says how many
were left out and links to the full diff in the web UI.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from monitor.diff import diff_versions, word_diff
from monitor.models import FLAG_HEADLINE, Article, Kind, SentenceOp, TextDiff, Version, WordOp

__all__ = [
    "EVENT_EDIT",
    "EVENT_GONE",
    "HTML",
    "MARKDOWN",
    "TEXT",
    "Alert",
    "Limits",
    "Message",
    "alert_title",
    "diff_link",
    "edit_alert",
    "escape_markdown",
    "gone_alert",
    "render_alert",
    "render_digest",
    "render_test",
]

# Formats, spelled as apprise's NotifyFormat values so they pass straight through.
TEXT = "text"
MARKDOWN = "markdown"
HTML = "html"

EVENT_EDIT = "edit"  # a new version (n >= 2)
EVENT_GONE = "gone"  # the article answers 404/410: no version, the last one is shown

# A single sentence longer than this is shown clipped: one giant paragraph
# must not push every other change out of a size-limited message.
MAX_SENTENCE_CHARS = 1200

_KIND_WORDS = {
    Kind.STEALTH: ("Stealth edit", "the text changed; the page's Updated time did not move"),
    Kind.DECLARED: ("Declared update", "the text changed and the page's Updated time moved"),
    Kind.INITIAL: ("First version", "the first snapshot"),
}


# A header line and its rank: rank 0 is always kept, higher ranks go first when space is short.
Line = tuple[int, str]


@dataclass(frozen=True)
class Alert:
    """Everything one alert says, before it is rendered for a channel."""

    event: str  # EVENT_EDIT or EVENT_GONE
    article: Article
    new: Version | None  # the edit's version; for EVENT_GONE the last one stored
    old: Version | None  # version n-1 of an edit
    diff: TextDiff | None  # old -> new
    link: str | None  # the full diff (or the article) in the web UI, if base_url is set


@dataclass(frozen=True)
class Limits:
    """A channel's size limits, from its apprise plugin (``body_maxlen``, ``title_maxlen``).

    ``body <= 0`` means no limit. ``title <= 0`` means the service has no
    title field: the title is written (escaped) as the body's first line.
    """

    body: int = 0
    title: int = 250


@dataclass(frozen=True)
class Message:
    title: str  # plain text (a subject line); "" when folded into the body
    body: str  # in the channel's format


def diff_link(base_url: str, article_id: int, from_n: int | None, to_n: int | None) -> str | None:
    """``{base_url}/articles/{id}/diff?from=…&to=…``, or the article page; None without base_url."""
    if not base_url:
        return None
    base = base_url.rstrip("/")
    if from_n is None or to_n is None:
        return f"{base}/articles/{article_id}"
    return f"{base}/articles/{article_id}/diff?from={from_n}&to={to_n}"


def edit_alert(article: Article, old: Version, new: Version, *, base_url: str = "") -> Alert:
    """The alert for version ``new`` of ``article`` (``old`` is version n-1)."""
    diff = diff_versions(
        old.title, old.byline, old.paragraphs, new.title, new.byline, new.paragraphs
    )
    link = diff_link(base_url, article.id, old.n, new.n)
    return Alert(EVENT_EDIT, article, new, old, diff, link)


def gone_alert(article: Article, latest: Version | None, *, base_url: str = "") -> Alert:
    """The alert for an article that now answers 404/410; ``latest`` is its last version."""
    return Alert(
        EVENT_GONE, article, latest, None, None, diff_link(base_url, article.id, None, None)
    )


def alert_title(alert: Alert) -> str:
    """``Stealth edit: "headline" (outlet)``; plain text, not escaped.

    A headline change names itself first because it is what readers see in
    lists and shares; the kind follows in brackets so "stealth" is never lost.
    """
    headline = _headline(alert)
    outlet = alert.article.outlet
    return f'{_title_prefix(alert)}: "{headline}" ({outlet})'


def _title_prefix(alert: Alert) -> str:
    if alert.event == EVENT_GONE:
        return "Article removed"
    assert alert.new is not None
    kind = _KIND_WORDS.get(alert.new.kind, (str(alert.new.kind), ""))[0]
    if FLAG_HEADLINE in alert.new.flags:
        return f"Headline changed ({alert.new.kind.value})"
    return kind


def _headline(alert: Alert) -> str:
    title = (alert.new.title if alert.new else "") or alert.article.title or alert.article.url
    return " ".join(title.split())


def _fit_title(alert: Alert, limit: int) -> str:
    """The title within ``limit`` characters, shortening the headline first."""
    title = alert_title(alert)
    if limit <= 0 or len(title) <= limit:
        return title
    headline = _headline(alert)
    room = len(headline) - (len(title) - limit) - 1
    if room >= 10:
        return f'{_title_prefix(alert)}: "{headline[:room].rstrip()}…" ({alert.article.outlet})'
    return title[: limit - 1].rstrip() + "…"


# ---------------------------------------------------------------------------
# Markup: one small class per format
# ---------------------------------------------------------------------------

_DEL_STYLE = "background:#fdd;color:#a00;text-decoration:line-through"
_INS_STYLE = "background:#dfd;color:#060;text-decoration:none"
_P_STYLE = "margin:0 0 6px 0"
_OP_STYLE = "margin:0 0 6px 0;padding:2px 0 2px 8px;border-left:3px solid {}"
_HIDDEN = '<span style="display:none;mso-hide:all">{}</span>'
_WRAP_STYLE = "font-family:Arial,Helvetica,sans-serif;font-size:14px;line-height:1.45;color:#222"
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~])")


def escape_markdown(text: str) -> str:
    """Backslash-escape everything that Markdown could turn into a link, image, emphasis or HTML."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


class _Markup:
    """Plain text: ``[-cut-]{+added+}`` marks, one line per changed sentence."""

    sep = "\n"
    prefix = ""
    suffix = ""

    def esc(self, text: str) -> str:
        """Page text (untrusted) made safe for this format."""
        return text

    def plain(self, text: str) -> str:
        """Our own wording: only what the format itself needs (``&`` in HTML)."""
        return text

    def strong(self, text: str) -> str:
        return text

    def deleted(self, text: str) -> str:
        return f"[-{text}-]"

    def inserted(self, text: str) -> str:
        return f"{{+{text}+}}"

    def para(self, content: str) -> str:
        return content

    def field(self, label: str, value: str) -> str:
        return self.para(f"{label}: {value}")

    def op(self, op: str, content: str) -> str:
        marker = {"delete": "- ", "insert": "+ ", "replace": "~ "}[op]
        return self.para(marker + content)

    def gap(self) -> str:
        return self.para("…")

    def link(self, label: str, url: str) -> str:
        return f"{label}: {url}"

    def url(self, url: str) -> str:
        return url

    def words(self, pieces: Sequence[WordOp]) -> str:
        out = []
        for piece in pieces:
            if piece.op == "delete":
                out.append(self._around(piece.text, self.deleted))
            elif piece.op == "insert":
                out.append(self._around(piece.text, self.inserted))
            else:
                out.append(self.esc(piece.text))
        return "".join(out)

    def _around(self, raw: str, mark: Callable[[str], str]) -> str:
        """Mark ``raw`` with its surrounding white space left outside the marks."""
        core = raw.strip()
        if not core:
            return self.esc(raw)
        lead = raw[: len(raw) - len(raw.lstrip())]
        trail = raw[len(raw.rstrip()) :]
        return f"{lead}{mark(self.esc(core))}{trail}"

    def whole(self, op: str, text: str) -> str:
        """A sentence that was only cut or only added: the line marker says which."""
        return self.op(op, self.esc(text))

    def cut(self, text: str, limit: int) -> str:
        """Last resort when even the header does not fit: a hard cut."""
        return text[: max(0, limit - 1)].rstrip() + "…"


class _Markdown(_Markup):
    """Markdown for chat: ~~cut~~ and **added**, everything else escaped."""

    def esc(self, text: str) -> str:
        return escape_markdown(text)

    def strong(self, text: str) -> str:
        return f"**{text}**"

    def deleted(self, text: str) -> str:
        return f"~~{text}~~"

    def inserted(self, text: str) -> str:
        return f"**{text}**"

    def field(self, label: str, value: str) -> str:
        return f"**{label}:** {value}"

    def op(self, op: str, content: str) -> str:
        marker = {"delete": "➖ ", "insert": "➕ ", "replace": "✏️ "}[op]
        return marker + content

    def whole(self, op: str, text: str) -> str:
        mark = self.deleted if op == "delete" else self.inserted
        return self.op(op, self._around(text, mark))

    def link(self, label: str, url: str) -> str:
        return f"[{label}]({_link_safe(url)})"

    def url(self, url: str) -> str:
        """An autolink: nothing inside ``<…>`` is Markdown, so nothing needs escaping."""
        if re.fullmatch(r"https?://[^\s<>]+", url, re.IGNORECASE):
            return f"<{url}>"
        return self.esc(url)

    def cut(self, text: str, limit: int) -> str:
        cut = text[: max(0, limit - 1)].rstrip()
        return cut.rstrip("\\") + "…"  # never leave a dangling escape


class _Html(_Markup):
    """An HTML fragment with inline styles only, on one line.

    Mail clients show the HTML; apprise derives the email's text/plain part
    from it by dropping tags. So the text marks of the plain format are in
    the HTML too, hidden (``display:none``, ``mso-hide:all`` for Outlook):
    the text part still reads ``[-400-]{+450+}``, and links show their URL.
    No newlines between blocks: each would become a blank line there.
    """

    sep = ""
    prefix = f'<div style="{_WRAP_STYLE}">'
    suffix = "</div>"

    def esc(self, text: str) -> str:
        return html.escape(text, quote=True)

    def plain(self, text: str) -> str:
        return html.escape(text, quote=True)

    def strong(self, text: str) -> str:
        return f"<strong>{text}</strong>"

    def deleted(self, text: str) -> str:
        return (
            f'{_HIDDEN.format("[-")}<span style="{_DEL_STYLE}">{text}</span>{_HIDDEN.format("-]")}'
        )

    def inserted(self, text: str) -> str:
        return (
            f'{_HIDDEN.format("{+")}<span style="{_INS_STYLE}">{text}</span>{_HIDDEN.format("+}")}'
        )

    def para(self, content: str) -> str:
        return f'<p style="{_P_STYLE}">{content}</p>'

    def field(self, label: str, value: str) -> str:
        return self.para(f"<strong>{label}:</strong> {value}")

    def op(self, op: str, content: str) -> str:
        colour, marker = {
            "delete": ("#c00", "−"),
            "insert": ("#080", "+"),
            "replace": ("#888", "~"),
        }[op]
        style = _OP_STYLE.format(colour)
        return (
            f'<p style="{style}"><span style="color:{colour};font-weight:bold">{marker}</span> '
            f"{content}</p>"
        )

    def whole(self, op: str, text: str) -> str:
        # The line's own − / + marker says it all; no hidden marks needed.
        style = _DEL_STYLE if op == "delete" else _INS_STYLE
        return self.op(op, f'<span style="{style}">{self.esc(text)}</span>')

    def gap(self) -> str:
        return f'<p style="{_P_STYLE};color:#888">…</p>'

    def link(self, label: str, url: str) -> str:
        return f"{self.plain(label)}: {self.url(url)}"

    def url(self, url: str) -> str:
        if re.match(r"https?://", url, re.IGNORECASE):
            safe = self.esc(url)
            return f'<a href="{safe}" style="color:#15c">{safe}</a>'
        return self.esc(url)

    def cut(self, text: str, limit: int) -> str:
        plain = html.unescape(re.sub(r"<[^>]*>", "", text))
        return self.esc(plain[: max(0, limit // 2 - 1)].rstrip() + "…")


_MARKUPS: dict[str, _Markup] = {TEXT: _Markup(), MARKDOWN: _Markdown(), HTML: _Html()}


def _markup(fmt: str) -> _Markup:
    return _MARKUPS.get(str(fmt), _MARKUPS[TEXT])


def _link_safe(url: str) -> str:
    """A URL that cannot end a Markdown link early."""
    return url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")


def _clip(text: str, limit: int = MAX_SENTENCE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _when(moment: datetime | None, tz: tzinfo) -> str | None:
    return moment.astimezone(tz).isoformat(timespec="seconds") if moment else None


# ---------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------


def render_alert(alert: Alert, fmt: str, *, tz: tzinfo, limits: Limits = Limits()) -> Message:
    """The alert as one message in ``fmt``, within ``limits``."""
    m = _markup(fmt)
    title = _fit_title(alert, limits.title)
    head: list[Line] = []
    if limits.title <= 0:
        head.append((0, m.para(m.strong(m.esc(alert_title(alert))))))
    if alert.event == EVENT_GONE:
        head += _gone_head(alert, m, tz)
        blocks: list[str] = []
    else:
        head += _edit_head(alert, m, tz)
        blocks = _diff_blocks(alert, m)
    link = alert.link

    def footer(left_out: int) -> str:
        label = "Full diff" if alert.event == EVENT_EDIT else "History"
        if left_out:
            more = f"… {left_out} more change{'s' if left_out != 1 else ''} not shown."
            if link:
                return m.para(f"{m.plain(more)} {m.link(label, link)}")
            return m.para(f"{m.plain(more + ' Run: ')}{m.esc(_cli_hint(alert))}")
        return m.para(m.link(label, link)) if link else ""

    body = _fit(head, blocks, footer, m, limits.body)
    return Message(title="" if limits.title <= 0 else title, body=body)


def _cli_hint(alert: Alert) -> str:
    if alert.new is None or alert.old is None:
        return f"monitor history {alert.article.url}"
    return f"monitor diff {alert.article.url} --from {alert.old.n} --to {alert.new.n}"


def _edit_head(alert: Alert, m: _Markup, tz: tzinfo) -> list[Line]:
    """Header lines, ranked: on a tight channel the highest ranks are dropped first."""
    new, old, diff = alert.new, alert.old, alert.diff
    assert new is not None and old is not None and diff is not None
    kind, meaning = _KIND_WORDS.get(new.kind, (str(new.kind), ""))
    head = [(1, m.field("Kind", m.plain(f"{kind} — {meaning}" if meaning else kind)))]
    if new.flags:
        head.append((2, m.field("Flags", m.plain(", ".join(new.flags)))))
    head.append((3, m.field("Article", m.url(alert.article.url))))
    head.append((5, m.field("Posted", _page_time(new.posted_at, new.posted_raw, tz, m))))
    head.append((4, m.field("Updated", _updated(old, new, tz, m))))
    seen = f"version {new.n}, fetched {_when(new.fetched_at, tz)}"
    if new.reverts_to:
        seen += f"; same text as version {new.reverts_to}"
    head.append((6, m.field("Seen", m.plain(seen))))
    if diff.title is not None:
        head.append((1, m.field("Headline", m.words(word_diff(diff.title.old, diff.title.new)))))
    if diff.byline is not None:
        head.append((3, m.field("Byline", m.words(word_diff(diff.byline.old, diff.byline.new)))))
    s = diff.stats
    if s.sentences_added or s.sentences_removed or s.sentences_changed:
        head.append(
            (
                6,
                m.field(
                    "Body",
                    m.plain(
                        f"{s.sentences_added} added, {s.sentences_removed} removed, "
                        f"{s.sentences_changed} reworded sentence(s); "
                        f"+{s.chars_added}/−{s.chars_removed} characters"
                    ),
                ),
            )
        )
    return head


def _gone_head(alert: Alert, m: _Markup, tz: tzinfo) -> list[Line]:
    article, last = alert.article, alert.new
    status = article.last_error or "HTTP 404/410"
    head = [
        (1, m.field("Kind", m.plain("Article removed — the page now answers ") + m.esc(status))),
        (2, m.field("Flags", m.plain("removed"))),
        (3, m.field("Article", m.url(article.url))),
    ]
    if last is not None:
        head.append((5, m.field("Posted", _page_time(last.posted_at, last.posted_raw, tz, m))))
        head.append((5, m.field("Updated", _page_time(last.updated_at, last.updated_raw, tz, m))))
        fetched = f"{last.n}, fetched {_when(last.fetched_at, tz)}"
        head.append((6, m.field("Last version", m.plain(fetched))))
    if article.last_checked_at:
        seen = _when(article.last_checked_at, tz) or ""
        head.append((4, m.field("Seen gone", m.plain(seen))))
    return head


def _page_time(value: datetime | None, raw: str | None, tz: tzinfo, m: _Markup) -> str:
    """ISO time with offset in ``tz``, then the page's own words (page text: escaped)."""
    if value is None:
        return m.plain("not shown on the page")
    shown = m.plain(_when(value, tz) or "")
    return f"{shown} {m.plain('(page: “')}{m.esc(_clip(raw, 80))}{m.plain('”)')}" if raw else shown


def _updated(old: Version, new: Version, tz: tzinfo, m: _Markup) -> str:
    if new.updated_at is None:
        return m.plain("not shown on the page")
    now_shown = _page_time(new.updated_at, new.updated_raw, tz, m)
    if old.updated_at is not None and old.updated_at != new.updated_at:
        return f"{m.plain(f'{_when(old.updated_at, tz)} → ')}{now_shown}"
    if old.updated_at is None and new.kind == Kind.DECLARED:
        return f"{m.plain('newly shown: ')}{now_shown}"
    return f"{now_shown}{m.plain(', did not move')}"


def _diff_blocks(alert: Alert, m: _Markup) -> list[str]:
    """One rendered block per changed sentence; a skipped stretch shows as "…" before it."""
    assert alert.diff is not None
    blocks: list[str] = []
    skipped = False
    for op in alert.diff.body:
        if op.op == "equal":
            skipped = bool(blocks) or skipped
            continue
        line = _op_line(op, m)
        blocks.append(m.sep.join([m.gap(), line]) if skipped and blocks else line)
        skipped = False
    return blocks


def _op_line(op: SentenceOp, m: _Markup) -> str:
    if op.op == "delete":
        return m.whole("delete", _clip(op.old))
    if op.op == "insert":
        return m.whole("insert", _clip(op.new))
    words = op.words or word_diff(op.old, op.new)
    if len(op.old) + len(op.new) > 2 * MAX_SENTENCE_CHARS:
        words = (WordOp("delete", _clip(op.old)), WordOp("insert", _clip(op.new)))
    return m.op("replace", m.words(words))


def _fit(
    head: Sequence[Line],
    blocks: list[str],
    footer: Callable[[int], str],
    m: _Markup,
    limit: int,
) -> str:
    """Header, then as many blocks as fit, then the footer (told how many were left out).

    When not even one changed sentence fits beside the header (a chat or SMS
    sized channel), header lines are dropped highest rank first (rank 0
    never) until one does; the footer with its link always stays. As a last
    resort the text is cut hard.
    """

    def join(parts: Sequence[str]) -> str:
        return m.prefix + m.sep.join(p for p in parts if p) + m.suffix

    def arrange(lines: list[str]) -> tuple[str, int] | None:
        budget = limit - len(join([*lines, footer(len(blocks))]))
        kept: list[str] = []
        for block in blocks:
            cost = len(block) + len(m.sep)
            if cost > budget:
                break
            kept.append(block)
            budget -= cost
        text = join([*lines, *kept, footer(len(blocks) - len(kept))])
        return (text, len(kept)) if len(text) <= limit else None

    lines = [text for _, text in head]
    full = join([*lines, *blocks, footer(0)])
    if limit <= 0 or len(full) <= limit:
        return full
    drop_order = sorted(
        (i for i, (rank, _) in enumerate(head) if rank > 0), key=lambda i: (-head[i][0], -i)
    )
    fallback = None
    dropped: set[int] = set()
    for step in range(len(drop_order) + 1):
        if step:
            dropped.add(drop_order[step - 1])
        arranged = arrange([t for i, (_, t) in enumerate(head) if i not in dropped])
        if arranged is None:
            continue
        text, kept = arranged
        if kept or not blocks:
            return text
        fallback = fallback or text
    if fallback is not None:
        return fallback
    essential = [t for rank, t in head if rank == 0]
    return m.cut(join([*essential, footer(len(blocks))]), limit)


def render_digest(
    alerts: Sequence[Alert],
    fmt: str,
    *,
    tz: tzinfo,
    limits: Limits = Limits(),
    base_url: str = "",
    label: str = "",
) -> Message:
    """One message summing up several alerts: a line or two per alert, each with its link."""
    m = _markup(fmt)
    edits = sum(1 for a in alerts if a.event == EVENT_EDIT)
    gone = len(alerts) - edits
    articles = len({a.article.id for a in alerts})
    parts = []
    if edits:
        parts.append(f"{edits} edit{'s' if edits != 1 else ''}")
    if gone:
        parts.append(f"{gone} removed")
    title = f"monitor digest: {' and '.join(parts) or 'nothing'} in {articles} article"
    title += "s" if articles != 1 else ""
    if label:
        title += f" ({label})"
    if limits.title > 0 and len(title) > limits.title:
        title = title[: limits.title - 1] + "…"
    head: list[Line] = [(0, m.para(m.strong(m.esc(title))))] if limits.title <= 0 else []
    blocks = [_digest_entry(alert, m, tz) for alert in alerts]

    def footer(left_out: int) -> str:
        if not left_out:
            return ""
        more = m.plain(f"… and {left_out} more alert{'s' if left_out != 1 else ''}.")
        if base_url:
            return m.para(f"{more} {m.link('Open monitor', base_url)}")
        return m.para(more)

    body = _fit(head, blocks, footer, m, limits.body)
    return Message(title="" if limits.title <= 0 else title, body=body)


def _digest_entry(alert: Alert, m: _Markup, tz: tzinfo) -> str:
    when = alert.new.fetched_at if alert.event == EVENT_EDIT and alert.new else None
    when = when or alert.article.last_checked_at
    line = m.strong(m.esc(alert_title(alert)))
    details = [f"{_when(when, tz)}" if when else ""]
    if alert.event == EVENT_EDIT and alert.new is not None and alert.diff is not None:
        if alert.new.flags:
            details.append("flags: " + ", ".join(alert.new.flags))
        s = alert.diff.stats
        details.append(f"body +{s.chars_added}/−{s.chars_removed} characters")
    text = m.plain(" · ".join(d for d in details if d))
    lines = [m.para(f"{line} — {text}" if text else line)]
    if alert.diff is not None and alert.diff.title is not None:
        t = alert.diff.title
        lines.append(m.field("Headline", m.words(word_diff(t.old, t.new))))
    if alert.link:
        label = "Full diff" if alert.event == EVENT_EDIT else "History"
        lines.append(m.para(m.link(label, alert.link)))
    else:
        lines.append(m.para(m.url(alert.article.url)))
    return m.sep.join(lines)


_SAMPLE_WORDS = (
    WordOp("equal", "a "),
    WordOp("delete", "reworded"),
    WordOp("insert", "rewritten"),
    WordOp("equal", " sentence"),
)


def render_test(fmt: str, *, limits: Limits = Limits(), channel: str = "") -> Message:
    """The ``monitor notify test`` message, in the channel's own format and limits."""
    m = _markup(fmt)
    title = "monitor: test alert"
    lines = [
        m.para(
            m.plain("This is a test alert from monitor. Alerts about article edits will look like:")
        ),
        m.op("delete", m.deleted(m.plain("removed words"))),
        m.op("insert", m.inserted(m.plain("added words"))),
        m.op("replace", m.words(_SAMPLE_WORDS)),
    ]
    if channel:
        lines.append(m.field("Channel", m.esc(channel)))
    head = [m.para(m.strong(m.esc(title)))] if limits.title <= 0 else []
    body = _fit([(0, line) for line in [*head, *lines]], [], lambda _: "", m, limits.body)
    return Message(title="" if limits.title <= 0 else title, body=body)
