"""How a version's text is kept on disk: compressed, mostly as a delta to the version before.

A research archive holds millions of versions, and almost every one is a small
edit of the one before it: storing each body whole (about 6.5 KB for a 5 KB
article) would make such an archive tens of gigabytes. So each article's
bodies form chains:

- a *keyframe* is the whole text, zlib-compressed;
- every other version is a *delta* to the version just before it: both texts
  are cut into sentence-sized units (a unit ends after sentence punctuation
  and the white space after it, or after a run of newlines), matched with
  ``difflib``, and the delta lists spans of the previous text to copy
  (character offsets, so decoding is slicing) and the new text in between,
  as compact JSON compressed with the previous text as zlib's preset
  dictionary (so a reworded sentence costs little more than the words that
  changed).

A chain is at most :data:`KEYFRAME_EVERY` versions long, so reading any
version decodes one keyframe and a bounded number of small deltas; a version
whose delta would be no smaller than its keyframe is kept as a keyframe.
Readers follow only what is stored (each version names the keyframe its chain
starts at), so this policy can change without rewriting old rows.

Pure functions, stdlib only: ``monitor.store`` applies them to rows, and
``benchmarks/store.py`` uses them to build its synthetic archive.
"""

from __future__ import annotations

import difflib
import itertools
import json
import re
import zlib
from dataclasses import dataclass

# The longest chain: a keyframe and at most KEYFRAME_EVERY - 1 deltas after it.
KEYFRAME_EVERY = 16

# A unit runs to the end of a sentence (punctuation, closing quotes or
# brackets, then white space; CJK full stops need none) or of a line. Every
# character is in a unit: "".join(units(text)) == text. The first group is
# greedy (a full stop not ending a sentence, as in "3.5", stays inside it),
# which makes cutting a 5 KB text about six times faster than a lazy ".+?".
_UNIT = re.compile(
    r"(?:[^.!?。！？\n]+|[.!?]+(?![\"'”’»)\]]*(?:\s|\Z)))*"
    r"(?:[.!?。！？]+[\"'”’»)\]」』）]*\s*|\n+|\Z)"
)

_WINDOW = 32768  # zlib's preset dictionary is its 32 KB window: the previous text's tail


@dataclass(frozen=True)
class StoredText:
    """A version's text as kept: ``data`` is a keyframe when ``keyframe_n`` is its own n."""

    n: int
    keyframe_n: int
    data: bytes


def units(text: str) -> list[str]:
    """Cut ``text`` into sentence-sized pieces whose concatenation is ``text``."""
    return [piece for piece in _UNIT.findall(text) if piece]  # not the empty match at the end


def encode(n: int, text: str, previous: tuple[StoredText, str] | None) -> StoredText:
    """Keep version ``n``'s ``text``; ``previous`` is version n-1 as stored and its text.

    A delta is made only against version n-1 of a chain shorter than
    :data:`KEYFRAME_EVERY`, and kept only when it copies some of the
    previous text (a rewrite is a keyframe) and is smaller than the keyframe.
    A delta under an eighth of the text is kept without compressing the
    keyframe to compare (zlib does not shrink prose that far), which spares
    most writes their slowest step.
    """
    if previous is not None:
        stored, old = previous
        if stored.n == n - 1 and n - stored.keyframe_n < KEYFRAME_EVERY:
            delta = _delta(old, text)
            if delta is not None and (
                len(delta) < len(text) // 8 or len(delta) < len(_keyframe(text))
            ):
                return StoredText(n, stored.keyframe_n, delta)
    return StoredText(n, n, _keyframe(text))


def decode(stored: StoredText, previous_text: str | None) -> str:
    """The text of ``stored``; a delta needs the text of the version before it."""
    if stored.keyframe_n == stored.n:
        return zlib.decompress(stored.data).decode("utf-8")
    if previous_text is None:
        raise ValueError(
            f"version {stored.n} is a delta: the text of version {stored.n - 1} is needed"
        )
    inflater = zlib.decompressobj(-zlib.MAX_WBITS, zdict=_dictionary(previous_text))
    ops = json.loads(inflater.decompress(stored.data) + inflater.flush())
    return "".join(op if isinstance(op, str) else previous_text[op[0] : op[1]] for op in ops)


def decode_chain(chain: list[StoredText]) -> str:
    """The text of the last of ``chain``: a keyframe and the deltas after it, in order.

    A chain that does not start at a keyframe or skips a version raises
    ValueError rather than returning wrong text.
    """
    if not chain or chain[0].keyframe_n != chain[0].n:
        raise ValueError("a chain of versions must start at a keyframe")
    text = decode(chain[0], None)
    for before, stored in itertools.pairwise(chain):
        if stored.n != before.n + 1:
            raise ValueError(f"version {before.n + 1} is missing from the chain")
        text = decode(stored, text)
    return text


def _delta(old: str, new: str) -> bytes | None:
    """``new`` as spans of ``old`` to copy (``[start, end]``) and the new text between them.

    None when nothing of ``old`` is copied.
    """
    old_units, new_units = units(old), units(new)
    offsets = [0, *itertools.accumulate(map(len, old_units))]  # where each old unit starts
    matcher = difflib.SequenceMatcher(None, old_units, new_units, autojunk=False)
    ops: list[str | list[int]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops.append([offsets[i1], offsets[i2]])
        elif tag != "delete":
            ops.append("".join(new_units[j1:j2]))
    if not any(isinstance(op, list) for op in ops):
        return None
    payload = json.dumps(ops, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    deflater = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS, zdict=_dictionary(old))
    return deflater.compress(payload) + deflater.flush()


def _keyframe(text: str) -> bytes:
    return zlib.compress(text.encode("utf-8"), 9)


def _dictionary(text: str) -> bytes:
    return text.encode("utf-8")[-_WINDOW:]
