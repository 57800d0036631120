"""Sentence-aligned diffs between two versions of an article, and what they mean.

Why sentences: a news edit is almost always "this sentence was reworded",
"this sentence was added", "this paragraph was cut". Diffing characters or lines
of a whole page buries that under noise; diffing sentences, then words inside a
reworded sentence, shows an editor's change the way a reader would describe it.

The pipeline, all pure functions:

- ``split_sentences`` turns paragraphs into sentences (English and Korean news
  text), careful not to break on abbreviations, initials, decimals, ellipses
  inside a sentence or a period inside a closing quote.
- ``diff_versions`` aligns the two sentence lists by ``comparison_key`` (so a
  CMS that starts curling quotes is not an edit), pairs similar sentences in a
  changed block as ``replace`` with word-level marks, and leaves the rest as
  ``insert``/``delete``. From its ops both sentence lists can be rebuilt exactly.
- ``classify_edit`` decides ``declared`` versus ``stealth`` from the page's own
  Updated times and adds flags (headline, byline, correction, numbers, quote).
- ``render_text``, ``render_html`` and ``diff_to_json`` show a diff to people
  and programs. HTML output escapes every piece of page text.
"""

from __future__ import annotations

import difflib
import functools
import html
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from diff_match_patch import diff_match_patch  # type: ignore[import-untyped]

from monitor.models import (
    FLAG_BYLINE,
    FLAG_CORRECTION,
    FLAG_HEADLINE,
    FLAG_NUMBERS,
    FLAG_QUOTE,
    DiffStats,
    Edit,
    FieldChange,
    Kind,
    SentenceOp,
    TextDiff,
    WordOp,
)
from monitor.text import clean_text, comparison_key

__all__ = [
    "EditSummary",
    "classify_edit",
    "diff_to_json",
    "diff_versions",
    "render_html",
    "render_text",
    "split_sentences",
    "summarise_edit",
    "updated_moved",
    "word_diff",
]

# ---------------------------------------------------------------------------
# Sentence splitting
# ---------------------------------------------------------------------------


def _wordlist(text: str) -> list[str]:
    """Words written as a paragraph, which reads better than a long list literal."""
    return text.split()


def _wordset(text: str) -> frozenset[str]:
    return frozenset(_wordlist(text))


# Abbreviations that are never the end of a sentence: a title before a name, a
# month before a day, a Latin shorthand in mid-sentence.
_NEVER_FINAL = _wordset(
    """
    mr. mrs. ms. messrs. mmes. dr. prof. gov. sen. sens. rep. reps. gen. lt. col. maj.
    capt. cmdr. sgt. cpl. pvt. adm. rev. fr. hon. pres. supt. atty. det. insp. st. mt. ft.
    jan. feb. mar. apr. jun. jul. aug. sep. sept. oct. nov. dec.
    mon. tue. tues. wed. thu. thur. thurs. fri. sat. sun.
    e.g. i.e. cf. vs. v. approx. dept. est. fig. figs. vol. vols. pp. p. ca. al.
    """
)
# Abbreviations that often do end a sentence ("…moved to the U.S. The next
# day…"): they end one only when the next word is a usual sentence opener.
_MAYBE_FINAL = _wordset(
    """
    u.s. u.k. u.n. u.s.a. e.u. d.c. a.m. p.m. inc. corp. co. ltd. llc. plc. jr. sr.
    etc. ph.d. bros. no.
    """
)
_OPENERS = _wordset(
    """
    a an the he she it they we i you his her its their our this that these those there
    but and or so yet in on at as by for from to of with after before when while if
    although though because since according officials police authorities meanwhile
    however still then now also earlier later last next some many most one two three
    """
)
_DOTTED_ACRONYM = re.compile(r"(?:[A-Za-z]\.){2,}")
_INITIAL = re.compile(r"[A-Z]\.")
_LIST_MARKER = re.compile(r"(?:\d{1,3}|[A-Za-z])[.)]")
_TERMINAL = ".!?。！？‼⁇"
_CLOSERS = "\"'”’」』»›)]】》〉"
_OPEN_PUNCT = "\"'“‘「『«‹([【《〈"
_MAYBE_LAST = frozenset(_TERMINAL + _CLOSERS + "…")  # the last characters _ends_sentence accepts


def split_sentences(paragraphs: Sequence[str]) -> list[str]:
    """Split paragraphs into sentences, each ``clean_text``'d, none empty.

    A paragraph boundary is always a sentence boundary: editors move and cut
    paragraphs, and a sentence never spans two of them on a news page. Inside a
    paragraph we only split at white space, so joining a paragraph's sentences
    with single spaces gives back its ``clean_text`` exactly.
    """
    sentences: list[str] = []
    for paragraph in paragraphs:
        text = clean_text(paragraph)
        if text:
            sentences.extend(_split_paragraph(text))
    return sentences


def _split_paragraph(text: str) -> Iterator[str]:
    words = text.split(" ")  # none empty: the text is clean_text'd
    start = 0
    for i in range(len(words) - 1):
        if words[i][-1] not in _MAYBE_LAST:
            continue  # most words: no sentence can end after them, so not asked
        if _ends_sentence(words[i], words[i + 1], first_in_sentence=i == start):
            yield " ".join(words[start : i + 1])
            start = i + 1
    yield " ".join(words[start:])


def _ends_sentence(word: str, following: str, *, first_in_sentence: bool) -> bool:
    """Whether a sentence ends after ``word`` when ``following`` comes next."""
    core = word.rstrip(_CLOSERS)
    if not core or (core[-1] not in _TERMINAL and not core.endswith(("...", "…"))):
        return False
    nxt = following.lstrip(_OPEN_PUNCT)
    if not nxt:
        return True
    first = nxt[0]
    if first.islower() or first in ",;:)]}%":
        # "…," she said. / "e.g. something" / "Why?" he asked. English only:
        # Hangul has no case, so Korean sentences always split here.
        return False
    if core.endswith(("...", "…")):
        # An ellipsis ends a sentence only when a new capitalised one follows.
        return first.isupper()
    if core[-1] != ".":
        return True  # ? ! and their CJK forms
    token = core.lstrip(_OPEN_PUNCT)
    lower = token.lower()
    if first_in_sentence and _LIST_MARKER.fullmatch(token):
        return False  # "1. The first point", "a. …"
    if lower == "no." and first.isdigit():
        return False  # "No. 10 Downing Street"
    if lower in _NEVER_FINAL:
        return False
    if _INITIAL.fullmatch(token):
        return False  # "J. K. Rowling", "Harry S. Truman"
    if lower in _MAYBE_FINAL or _DOTTED_ACRONYM.fullmatch(token):
        return nxt.rstrip(_CLOSERS + ",.").lower() in _OPENERS
    return True


# ---------------------------------------------------------------------------
# Alignment and word diff
# ---------------------------------------------------------------------------


# Sentences in a changed block at least this similar (word-level ratio of their
# comparison keys) are shown as one reworded sentence rather than cut + added.
PAIR_THRESHOLD = 0.5
# How many sentence pairs one changed block may compare. Past that (a story
# edited throughout) only pairs near the diagonal are compared: a reworded
# sentence stays near its old place. Past _MAX_BLOCK_CELLS (a different text
# altogether) nothing is paired and the block is shown as cut + added.
_MAX_PAIR_CELLS = 40_000
_MAX_BLOCK_CELLS = 1_000_000

# A word is a run of letters/digits, with inner apostrophes and number
# separators kept ("don't", "1,200", "3.5%"); everything else is one character.
_WORD_TOKEN = re.compile(r"\w+(?:[.,'’]\w+)*%?|\s+|[^\w\s]")
# Private-use plane 15: tokens encoded there are neither letters nor spaces, so
# diff-match-patch's boundary scoring treats all of them alike.
_TOKEN_BASE = 0xF0000
_MAX_TOKENS = 0x10FFFF - _TOKEN_BASE


def diff_versions(
    old_title: str,
    old_byline: str,
    old_paragraphs: Sequence[str],
    new_title: str,
    new_byline: str,
    new_paragraphs: Sequence[str],
) -> TextDiff:
    """The sentence-aligned difference between two versions of one article.

    Plain strings rather than ``Version``/``Extracted`` because the checker
    compares a stored version with a fresh extraction, and review compares two
    stored versions: the fields are what they share.
    """
    body = tuple(_align(split_sentences(old_paragraphs), split_sentences(new_paragraphs)))
    return TextDiff(
        title=_field_change(old_title, new_title),
        byline=_field_change(old_byline, new_byline),
        body=body,
        stats=_stats(body),
    )


def _field_change(old: str, new: str) -> FieldChange | None:
    if comparison_key(old) == comparison_key(new):
        return None
    return FieldChange(old=clean_text(old), new=clean_text(new))


# One diff asks for a sentence's key several times (alignment, quotes, corrections).
_sentence_key = functools.lru_cache(maxsize=4096)(comparison_key)


def _align(old: list[str], new: list[str]) -> Iterator[SentenceOp]:
    old_keys = [_sentence_key(s) for s in old]
    new_keys = [_sentence_key(s) for s in new]
    matcher = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for a, b in zip(old[i1:i2], new[j1:j2], strict=True):
                yield SentenceOp("equal", a, b)
        else:
            yield from _align_block(old[i1:i2], new[j1:j2], old_keys[i1:i2], new_keys[j1:j2])


def _align_block(
    old: list[str], new: list[str], old_keys: list[str], new_keys: list[str]
) -> Iterator[SentenceOp]:
    """Ops for one changed block: similar sentences paired, in order, the rest cut/added."""
    i = j = 0
    for pi, pj in _pair(old_keys, new_keys):
        for k in range(i, pi):
            yield SentenceOp("delete", old[k], "")
        for k in range(j, pj):
            yield SentenceOp("insert", "", new[k])
        yield SentenceOp("replace", old[pi], new[pj], word_diff(old[pi], new[pj]))
        i, j = pi + 1, pj + 1
    for k in range(i, len(old)):
        yield SentenceOp("delete", old[k], "")
    for k in range(j, len(new)):
        yield SentenceOp("insert", "", new[k])


def _pair(old_keys: list[str], new_keys: list[str]) -> list[tuple[int, int]]:
    """Non-crossing pairs of similar sentences with the largest total similarity.

    A small dynamic programme (weighted longest common subsequence) rather than
    greedy matching, so one good pair cannot block two better ones; pairs never
    cross so the op list stays in reading order on both sides.
    """
    n, m = len(old_keys), len(new_keys)
    if n == 0 or m == 0 or n * m > _MAX_BLOCK_CELLS:
        return []
    old_words = [k.split() for k in old_keys]
    new_words = [k.split() for k in new_keys]
    band = max(n, m) if n * m <= _MAX_PAIR_CELLS else _MAX_PAIR_CELLS // (2 * max(n, m))
    sim = [
        [
            _similarity(old_words[i], new_words[j]) if abs(j - i * m / n) <= band else 0.0
            for j in range(m)
        ]
        for i in range(n)
    ]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            score = max(best[i + 1][j], best[i][j + 1])
            if sim[i][j]:
                score = max(score, sim[i][j] + best[i + 1][j + 1])
            best[i][j] = score
    pairs: list[tuple[int, int]] = []
    i = j = 0
    while i < n and j < m:
        if sim[i][j] and best[i][j] == sim[i][j] + best[i + 1][j + 1]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            i += 1
        else:
            j += 1
    return pairs


def _similarity(a: list[str], b: list[str]) -> float:
    """Word-level similarity, or 0 when below ``PAIR_THRESHOLD``."""
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < PAIR_THRESHOLD or matcher.quick_ratio() < PAIR_THRESHOLD:
        return 0.0
    ratio = matcher.ratio()
    return ratio if ratio >= PAIR_THRESHOLD else 0.0


def word_diff(old: str, new: str) -> tuple[WordOp, ...]:
    """Word-level pieces turning ``old`` into ``new``; changed words are shown whole.

    diff-match-patch runs over words encoded as single characters (its own
    recipe for line and word diffs), then ``diff_cleanupSemantic`` folds
    scattered small edits together. Working in words from the start is the
    snapping: "400" -> "450" comes out as ``[-400-]{+450+}``, never
    ``4[-0-]{+5+}0``. Joining the equal and delete pieces gives ``old`` exactly;
    equal and insert pieces give ``new``.
    """
    codes: dict[str, str] = {}
    tokens: list[str] = []

    def encode(text: str) -> str:
        out = []
        for token in _WORD_TOKEN.findall(text):
            if token not in codes:
                codes[token] = chr(_TOKEN_BASE + len(tokens))
                tokens.append(token)
            out.append(codes[token])
        return "".join(out)

    old_codes, new_codes = encode(old), encode(new)
    if len(tokens) > _MAX_TOKENS:
        return tuple(WordOp(op, t) for op, t in (("delete", old), ("insert", new)) if t)
    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0  # sentences are short; a deadline would make output vary
    diffs = dmp.diff_main(old_codes, new_codes, False)
    dmp.diff_cleanupSemantic(diffs)
    pieces: list[tuple[str, str]] = []
    for code, encoded in diffs:
        op = {dmp.DIFF_EQUAL: "equal", dmp.DIFF_INSERT: "insert", dmp.DIFF_DELETE: "delete"}[code]
        pieces.append((op, "".join(tokens[ord(c) - _TOKEN_BASE] for c in encoded)))
    return tuple(WordOp(op, text) for op, text in _normalise_pieces(pieces))


def _normalise_pieces(pieces: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Merge runs: each change between two equal pieces becomes delete then insert."""
    out: list[tuple[str, str]] = []
    deleted: list[str] = []
    inserted: list[str] = []

    def flush() -> None:
        if deleted:
            out.append(("delete", "".join(deleted)))
        if inserted:
            out.append(("insert", "".join(inserted)))
        deleted.clear()
        inserted.clear()

    for op, text in pieces:
        if not text:
            continue
        if op == "delete":
            deleted.append(text)
        elif op == "insert":
            inserted.append(text)
        else:
            flush()
            if out and out[-1][0] == "equal":
                out[-1] = ("equal", out[-1][1] + text)
            else:
                out.append(("equal", text))
    flush()
    return out


def _stats(body: Sequence[SentenceOp]) -> DiffStats:
    added = removed = changed = chars_added = chars_removed = 0
    for op in body:
        if op.op == "insert":
            added += 1
            chars_added += len(op.new)
        elif op.op == "delete":
            removed += 1
            chars_removed += len(op.old)
        elif op.op == "replace":
            changed += 1
            chars_added += sum(len(w.text) for w in op.words if w.op == "insert")
            chars_removed += sum(len(w.text) for w in op.words if w.op == "delete")
    return DiffStats(
        sentences_added=added,
        sentences_removed=removed,
        sentences_changed=changed,
        chars_added=chars_added,
        chars_removed=chars_removed,
    )


# ---------------------------------------------------------------------------
# Classification
# ---------------------------------------------------------------------------


def updated_moved(old: datetime | None, new: datetime | None) -> bool:
    """Whether the page's own Updated time changed between two fetches.

    Any change counts, including a page that starts showing an Updated time:
    the outlet itself is saying "this was edited". A page that stops showing one
    (``new`` is None) declares nothing.
    """
    return new is not None and new != old


def classify_edit(
    diff: TextDiff,
    old_updated: datetime | None,
    new_updated: datetime | None,
) -> Edit:
    """Kind and flags of an edit: what an ombudsman would want to know first.

    ``declared`` when the page's Updated time moved, else ``stealth``. A diff
    with no text change still gets a kind; the checker uses ``diff.changed``
    and ``updated_moved`` to tell a ``timestamp_only`` check apart.

    The diff carries every sentence of both versions (equal ones too), so the
    flags are read from it alone.
    """
    kind = Kind.DECLARED if updated_moved(old_updated, new_updated) else Kind.STEALTH
    flags: set[str] = set()
    if diff.title is not None:
        flags.add(FLAG_HEADLINE)
    if diff.byline is not None:
        flags.add(FLAG_BYLINE)
    if _has_correction(diff):
        flags.add(FLAG_CORRECTION)
    # The headline counts as one more reworded sentence, in a block of its own
    # (the empty equal op separates it): "Storm kills 400" -> "450" is a figure.
    ops = diff.body
    if diff.title is not None:
        title = SentenceOp("replace", diff.title.old, diff.title.new)
        ops = (title, SentenceOp("equal", "", ""), *ops)
    if _numbers_changed(ops):
        flags.add(FLAG_NUMBERS)
    if _quote_changed(ops):
        flags.add(FLAG_QUOTE)
    return Edit(kind=kind, flags=tuple(sorted(flags)), diff=diff)


@dataclass(frozen=True)
class EditSummary:
    """What a check keeps of an edit: its kind, flags and counts, not the diff itself."""

    kind: Kind
    flags: tuple[str, ...]
    stats: DiffStats


def summarise_edit(
    old: tuple[str, str, Sequence[str]],
    new: tuple[str, str, Sequence[str]],
    old_updated: datetime | None,
    new_updated: datetime | None,
) -> EditSummary:
    """``diff_versions`` and ``classify_edit`` of two (title, byline, paragraphs) texts.

    One call that pickles small both ways, so the checker can run it in an
    extraction worker: aligning the sentences was two thirds of the checker's
    own work on a changed article, and a very long article's alignment must
    not hold up the event loop.
    """
    diff = diff_versions(*old, *new)
    edit = classify_edit(diff, old_updated, new_updated)
    return EditSummary(edit.kind, edit.flags, diff.stats)


# A correction notice: flagged whenever it is in an added or reworded sentence
# (it appeared, or the notice itself was edited).
_NOTICE = re.compile(
    r"\b(?:correction|clarification|editor'?s'? note)s?\s*[:：]"
    r"|^\s*(?:corrected|clarified)\s*[-:：]|\[(?:correction|corrected|clarification)\]"
    r"|\ban earlier version of this (?:article|story|report|post|piece|column|item)"
    r"|\bthis (?:article|story|report|post|piece|column|item) (?:has been|was|had been) "
    r"(?:updated|corrected|amended|changed|revised|clarified)"
    r"|\bwe regret the error"
    r"|바로잡습니다|바로잡음|바로잡았습니다|정정\s*보도|정정(?:합니다|했습니다|드립니다)"
    r"|[\[(【<〈]\s*(?:정정|바로잡습니다)\s*[\])】>〉]|^\s*정정\s*[:：]",
    re.IGNORECASE,
)
# Wording that also occurs in ordinary reporting ("the record was corrected in
# 2019"): flagged only where it newly appears in a sentence.
_CORRECTION_WORDS = re.compile(
    r"\b(?:was|were|has been|have been|had been|is being) (?:corrected|amended)\b"
    r"|수정했습니다|수정하였습니다|수정됐습니다|수정되었습니다|정정(?!당당)",
    re.IGNORECASE,
)


def _has_correction(diff: TextDiff) -> bool:
    pairs: list[tuple[str, str]] = [
        (op.old, op.new) for op in diff.body if op.op in ("insert", "replace")
    ]
    if diff.title is not None:
        pairs.append((diff.title.old, diff.title.new))
    for old, new in pairs:
        old_key, new_key = _sentence_key(old), _sentence_key(new)
        if _NOTICE.search(new_key):
            return True
        if len(_CORRECTION_WORDS.findall(new_key)) > len(_CORRECTION_WORDS.findall(old_key)):
            return True
    return False


_UNITS = _wordlist(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
)
_TENS = _wordlist("_ _ twenty thirty forty fifty sixty seventy eighty ninety")
_NUMBER_WORDS = {w: str(i) for i, w in enumerate(_UNITS)} | {
    w: str(10 * i) for i, w in enumerate(_TENS) if w != "_"
}
_SCALE_WORDS = "hundred|thousand|million|billion|trillion|dozen|half"
# Native Korean numbers before a counter ("세 명", "열두 곳", "스무 차례"). Only
# before a counter word: alone, 세 is also "tax" and 한 also "one/a".
_KOREAN_TENS = {"열": 10, "스물": 20, "스무": 20, "서른": 30, "마흔": 40, "쉰": 50}
_KOREAN_ONES = {
    "한": 1,
    "두": 2,
    "세": 3,
    "네": 4,
    "다섯": 5,
    "여섯": 6,
    "일곱": 7,
    "여덟": 8,
    "아홉": 9,
}
_KOREAN_COUNTERS = "명|개|곳|건|번|차례|살|마리|채|가지|시간|달|척|권|잔|병|가구|개월"
_NUMERIC = re.compile(
    r"(?P<digits>\d+(?:[.,]\d+)*)(?P<unit>[천백만억조]+)?"
    r"|\b(?P<word>" + "|".join(_NUMBER_WORDS) + r")\b"
    r"|\b(?P<scale>(?:" + _SCALE_WORDS + r")s?)\b"
    r"|(?<![가-힣])(?P<kor>(?:열|스물|서른|마흔|쉰)?(?:다섯|여섯|일곱|여덟|아홉|한|두|세|네)"
    r"|열|스무|서른|마흔|쉰)\s(?=" + _KOREAN_COUNTERS + ")",
    re.IGNORECASE,
)


def _numbers(text: str) -> Counter[str]:
    """The figures in ``text``, normalised so "1,200" and "1200", "three" and "3" agree."""
    found: Counter[str] = Counter()
    for m in _NUMERIC.finditer(text):
        if m["digits"]:
            digits = re.sub(r",(?=\d{3}\b)", "", m["digits"])
            found[digits + (m["unit"] or "")] += 1
        elif m["word"]:
            found[_NUMBER_WORDS[m["word"].lower()]] += 1
        elif m["scale"]:
            found[m["scale"].lower().rstrip("s")] += 1
        else:
            found[str(_korean_number(m["kor"]))] += 1
    return found


def _korean_number(word: str) -> int:
    """The value of a native Korean number such as "열두" (12) or "스무" (20)."""
    for tens, value in _KOREAN_TENS.items():
        if word.startswith(tens):
            return value + _KOREAN_ONES.get(word[len(tens) :], 0)
    return _KOREAN_ONES[word]


def _blocks(body: Sequence[SentenceOp]) -> Iterator[list[SentenceOp]]:
    """Runs of non-equal ops: each is one changed stretch of the article."""
    block: list[SentenceOp] = []
    for op in body:
        if op.op == "equal":
            if block:
                yield block
            block = []
        else:
            block.append(op)
    if block:
        yield block


def _numbers_changed(body: Sequence[SentenceOp]) -> bool:
    """A figure changed in a reworded sentence, or in a sentence cut and rewritten.

    Sentences that were only added (or only cut) bring new figures, not changed
    ones; but when a block both cuts and adds sentences and both sides carry
    figures that differ, a figure was most likely restated ("40 dead" cut,
    "officials now say 45 died" added).
    """
    for block in _blocks(body):
        cut: Counter[str] = Counter()
        added: Counter[str] = Counter()
        for op in block:
            if op.op == "replace" and _numbers(op.old) != _numbers(op.new):
                return True
            if op.op == "delete":
                cut += _numbers(op.old)
            elif op.op == "insert":
                added += _numbers(op.new)
        if cut and added and cut != added:
            return True
    return False


_QUOTED = re.compile(
    r'"(?P<a>[^"]+)"|“(?P<b>[^“”]+)”|「(?P<c>[^「」]+)」|『(?P<d>[^『』]+)』'
    # Curly single quotes double as apostrophes ("don’t"), and Korean puts a
    # particle right after a closing quote (‘인재’라고): only a Latin letter
    # after ’ makes it an apostrophe. Straight single quotes count only when they
    # open after a space and close before a non-letter ('인재'라고, 'a disaster').
    r"|‘(?P<e>(?:[^‘’]|’(?=[A-Za-z]))+)’(?![A-Za-z])"
    r"|(?:^|(?<=[\s(\[]))'(?P<f>[^'\s](?:[^']*[^'\s])?)'(?![A-Za-z])"
)
_OPEN_QUOTE = re.compile(r'[“「『]|(?:^|(?<=\s))"(?=\S)')
_CLOSE_QUOTE = re.compile(r'[”」』]|(?<=\S)"')
_QUOTE_TRIM = " .,;:!?…\"'“”‘’「」『』"


def _quotes(sentence: str) -> list[str]:
    """Comparison keys of the quoted spans in a sentence.

    Sentences are split inside multi-sentence quotes, so a sentence may hold
    only the start of a quote (an opening mark, no close: quoted to the end) or
    only its end (a closing mark: quoted from the start).
    """
    spans = [next(g for g in m.groups() if g) for m in _QUOTED.finditer(sentence)]
    rest = _QUOTED.sub("\x00", sentence)
    if opening := _OPEN_QUOTE.search(rest):
        spans.append(rest[opening.end() :])
    elif closing := _CLOSE_QUOTE.search(rest):
        spans.append(rest[: closing.start()])
    keys = (comparison_key(s.replace("\x00", " ")).strip(_QUOTE_TRIM) for s in spans)
    return [k for k in keys if k]


def _quote_changed(body: Sequence[SentenceOp]) -> bool:
    """A quoted span was cut or altered, or a new one appeared in a reworded sentence.

    Quotes are compared against the whole other version, so a quote that only
    moved to another paragraph is not a change. A quote in a newly added
    sentence is new reporting, not an altered quote, and is not flagged.
    """
    old_all = " ".join(_sentence_key(op.old) for op in body if op.op != "insert")
    new_all = " ".join(_sentence_key(op.new) for op in body if op.op != "delete")
    for op in body:
        if op.op in ("delete", "replace") and any(q not in new_all for q in _quotes(op.old)):
            return True
        if op.op == "replace" and any(q not in old_all for q in _quotes(op.new)):
            return True
    return False


# ---------------------------------------------------------------------------
# Renderers
# ---------------------------------------------------------------------------

_FIELD_LABELS = (("title", "Headline"), ("byline", "Byline"))


def _shown(body: Sequence[SentenceOp], context: int | None) -> Iterator[SentenceOp | None]:
    """The ops to show: changes, plus ``context`` equal sentences around each.

    ``None`` stands for a run of skipped unchanged sentences; ``context=None``
    shows everything.
    """
    if context is None:
        yield from body
        return
    changed = [i for i, op in enumerate(body) if op.op != "equal"]
    if not changed:
        return  # only the headline or byline changed: no body to show
    keep = {k for i in changed for k in range(i - context, i + context + 1)}
    skipping = False
    for i, op in enumerate(body):
        if i in keep:
            skipping = False
            yield op
        elif not skipping:
            skipping = True
            yield None


@dataclass(frozen=True)
class _Markup:
    """How one output format marks each kind of change; ``escape`` makes page text safe in it."""

    escape: Callable[[str], str]
    field: str  # a headline or byline change: {attr}, {label}, {text}
    ops: Mapping[str, str]  # one per sentence op, and "skip" for the elision: {text}
    words: Mapping[str, str]  # word marks inside a reworded sentence: {text}


_TEXT_MARKUP = _Markup(
    escape=str,
    field="{label}: {text}",
    ops={
        "skip": "  …",
        "equal": "  {text}",
        "delete": "- {text}",
        "insert": "+ {text}",
        "replace": "~ {text}",
    },
    words={"equal": "{text}", "delete": "[-{text}-]", "insert": "{{+{text}+}}"},
)
_HTML_MARKUP = _Markup(
    escape=html.escape,
    field='<p class="field field-{attr}"><span class="label">{label}:</span> {text}</p>',
    ops={
        "skip": '<p class="op-skip">…</p>',
        "equal": '<p class="op-equal">{text}</p>',
        "delete": '<p class="op-delete"><del>{text}</del></p>',
        "insert": '<p class="op-insert"><ins>{text}</ins></p>',
        "replace": '<p class="op-replace">{text}</p>',
    },
    words={"equal": "{text}", "delete": "<del>{text}</del>", "insert": "<ins>{text}</ins>"},
)


def _marked(words: Iterable[WordOp], markup: _Markup) -> str:
    return "".join(markup.words[w.op].format(text=markup.escape(w.text)) for w in words)


def _fields(diff: TextDiff, markup: _Markup) -> list[str]:
    """One line per changed headline/byline, with word marks."""
    lines = []
    for attr, label in _FIELD_LABELS:
        change: FieldChange | None = getattr(diff, attr)
        if change is not None:
            text = _marked(word_diff(change.old, change.new), markup)
            lines.append(markup.field.format(attr=attr, label=label, text=text))
    return lines


def _sentences(diff: TextDiff, context: int | None, markup: _Markup) -> list[str]:
    """One line per shown sentence op; page text escaped, reworded ones word-marked."""
    lines = []
    for op in _shown(diff.body, context):
        if op is None:
            lines.append(markup.ops["skip"])
            continue
        if op.op == "replace":
            text = _marked(op.words, markup)
        else:
            text = markup.escape(op.old if op.op == "delete" else op.new)
        lines.append(markup.ops[op.op].format(text=text))
    return lines


def render_text(diff: TextDiff, *, context: int | None = 1) -> str:
    """A terminal-friendly diff: one line per sentence, ``[-cut-]{+added+}`` marks.

    Line prefixes: two spaces for unchanged context, ``-`` cut, ``+`` added,
    ``~`` reworded; ``…`` stands for skipped unchanged sentences.
    """
    if not diff.changed:
        return "(no text changes)\n"
    fields = _fields(diff, _TEXT_MARKUP)
    body = _sentences(diff, context, _TEXT_MARKUP)
    gap = [""] if fields and body else []  # a blank line between the fields and the body
    return "\n".join(fields + gap + body) + "\n"


def render_html(diff: TextDiff, *, context: int | None = None) -> str:
    """An HTML fragment: ``<div class="diff">`` with one ``<p class="op-…">`` per op.

    Every piece of page text goes through ``html.escape``: article text is
    untrusted input, and a diff is shown in our own pages and in emails. No
    scripts or inline styles; classes only, styled by the page that embeds it.
    ``context=None`` (the default) shows every sentence; a number shows only
    that many unchanged sentences around each change.
    """
    parts = _fields(diff, _HTML_MARKUP) + _sentences(diff, context, _HTML_MARKUP)
    return "\n".join(['<div class="diff">', *parts, "</div>"]) + "\n"


def diff_to_json(
    diff: TextDiff, *, from_n: int, to_n: int, kind: Kind | str, flags: Sequence[str]
) -> dict[str, Any]:
    """The diff as a JSON-ready dict, the shape the API and ``--json`` promise.

    Every op is included, equal ones too, so a consumer can rebuild both
    versions. A side an op does not have (``old`` of an insert, ``new`` of a
    delete) is ``null``; ``words`` is filled for replace ops only.
    """

    def field(change: FieldChange | None) -> dict[str, str] | None:
        return None if change is None else {"old": change.old, "new": change.new}

    return {
        "from": from_n,
        "to": to_n,
        "title": field(diff.title),
        "byline": field(diff.byline),
        "body": [
            {
                "op": op.op,
                "old": None if op.op == "insert" else op.old,
                "new": None if op.op == "delete" else op.new,
                "words": [[w.op, w.text] for w in op.words],
            }
            for op in diff.body
        ],
        "stats": {
            "sentences_added": diff.stats.sentences_added,
            "sentences_removed": diff.stats.sentences_removed,
            "sentences_changed": diff.stats.sentences_changed,
            "chars_added": diff.stats.chars_added,
            "chars_removed": diff.stats.chars_removed,
        },
        "kind": str(kind),
        "flags": list(flags),
    }
