"""Score ``monitor.extract.extract_article`` on the article-extraction-benchmark.

Usage::

    python benchmarks/extraction.py ../shared/datasets/article-extraction-benchmark
    python benchmarks/extraction.py DATASET --reference      # check the metric first
    python benchmarks/extraction.py DATASET --failures 15    # list the worst pages
    python benchmarks/extraction.py DATASET --repeat 1       # one timing pass (default 3)

The metric is the benchmark's own (scrapinghub/article-extraction-benchmark):
``\\w+`` Unicode tokens with case kept, the multiset of consecutive 4-token
shingles of prediction and truth, per-page TP/FP/FN normalised by their sum so a
long article weighs no more than a short one. Corpus precision is the mean over
pages with a non-empty prediction, recall the mean over all pages, F1 the
harmonic mean of the two means. ``--reference`` scores the published
predictions in ``reference-outputs/`` so the numbers can be compared with
``published-results.txt`` before trusting our own score.

The body scored is ``"\\n\\n".join(paragraphs)``, exactly what the service stores.
A page on which the extractor raises ``ExtractError`` counts as an empty
prediction (left out of precision, zero recall), as upstream does. Times are
per page and include everything ``extract_article`` does (page times too).
Exit codes: 0, 1 when ``--reference`` does not reproduce the published
numbers, 2 when the dataset is missing.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

_TOKEN = re.compile(r"\w+", re.UNICODE)
_SHINGLE = 4


@dataclass(frozen=True)
class PageScore:
    """One page's normalised TP/FP/FN and whether the tokens matched exactly."""

    page_id: str
    tp: float
    fp: float
    fn: float
    exact: bool

    @property
    def precision(self) -> float:
        if self.fp == self.fn == 0:
            return 1.0
        if self.tp == self.fp == 0:
            return 0.0
        return self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float:
        if self.fp == self.fn == 0:
            return 1.0
        if self.tp == self.fn == 0:
            return 0.0
        return self.tp / (self.tp + self.fn)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class CorpusScore:
    precision: float
    recall: float
    f1: float
    accuracy: float


def _shingles(text: str) -> Counter[tuple[str, ...]]:
    """Consecutive 4-token shingles; a text shorter than 4 tokens is one shingle."""
    tokens = _TOKEN.findall(text)
    return Counter(
        shingle
        for i in range(max(1, len(tokens) - _SHINGLE + 1))
        if (shingle := tuple(tokens[i : i + _SHINGLE]))
    )


def score_page(page_id: str, truth: str, prediction: str) -> PageScore:
    true_sh, pred_sh = _shingles(truth), _shingles(prediction)
    tp = float(sum((true_sh & pred_sh).values()))
    fp = float(sum((pred_sh - true_sh).values()))
    fn = float(sum((true_sh - pred_sh).values()))
    total = tp + fp + fn
    if total:
        tp, fp, fn = tp / total, fp / total, fn / total
    exact = _TOKEN.findall(truth) == _TOKEN.findall(prediction)
    return PageScore(page_id, tp, fp, fn, exact)


def score_corpus(pages: list[PageScore]) -> CorpusScore:
    precision = statistics.mean(p.precision for p in pages if p.tp + p.fp > 0)
    recall = statistics.mean(p.recall for p in pages if p.tp + p.fn > 0)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    accuracy = statistics.mean(float(p.exact) for p in pages)
    return CorpusScore(precision, recall, f1, accuracy)


def _bodies(path: Path) -> dict[str, str]:
    """``{id: articleBody}`` from either JSON shape the benchmark uses."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict) and "output" in data and isinstance(data["output"], dict):
        data = data["output"]
    return {key: (value or {}).get("articleBody") or "" for key, value in data.items()}


def _print_score(name: str, score: CorpusScore) -> None:
    print(
        f"{name:<20} F1={score.f1:.3f}  precision={score.precision:.3f}  "
        f"recall={score.recall:.3f}  accuracy={score.accuracy:.3f}"
    )


_PUBLISHED_ROW = re.compile(
    r"^\s+(\S+)\s+\S+(?:\s\d{4})?\s+([01]\.\d{3}) ± \S+\s+([01]\.\d{3}) ± \S+\s+([01]\.\d{3}) ±"
)


def _published(dataset: Path) -> dict[str, tuple[float, float, float]]:
    """``{name: (F1, precision, recall)}``, the first (latest) row for each name."""
    path = dataset / "published-results.txt"
    rows: dict[str, tuple[float, float, float]] = {}
    if path.is_file():
        for line in path.read_text(encoding="utf-8").splitlines():
            m = _PUBLISHED_ROW.match(line)
            if m and m.group(1) not in rows:
                rows[m.group(1)] = (float(m.group(2)), float(m.group(3)), float(m.group(4)))
    return rows


def check_reference(dataset: Path, truth: dict[str, str]) -> bool:
    """Score the published predictions: they must give published-results.txt back."""
    published = _published(dataset)
    all_match = True
    for path in sorted((dataset / "reference-outputs").glob("*.json")):
        predicted = _bodies(path)
        score = score_corpus([score_page(k, truth[k], predicted.get(k, "")) for k in truth])
        _print_score(path.stem, score)
        expected = published.get(path.stem)
        if expected is None:
            print(f"{'':20} (no published row to compare with)")
            continue
        ours = (round(score.f1, 3), round(score.precision, 3), round(score.recall, 3))
        match = ours == expected
        all_match &= match
        print(
            f"{'':20} published F1={expected[0]:.3f}  precision={expected[1]:.3f}  "
            f"recall={expected[2]:.3f}  {'OK' if match else 'MISMATCH'}"
        )
    return all_match


def _load_html(path: Path) -> str:
    return gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")


def run_extractor(dataset: Path, truth: dict[str, str], failures: int, repeat: int) -> None:
    """Score extract_article, time it, and list the worst pages.

    Time is per page, the best of ``repeat`` passes over the whole corpus (a
    pass over all pages between two runs of a page, so no cache is warm for
    it), as timeit takes the best: the machine's other load only adds to it.
    """
    from monitor.errors import ExtractError
    from monitor.extract import extract_article

    htmls = {key: _load_html(dataset / "html" / f"{key}.html.gz") for key in sorted(truth)}
    with contextlib.suppress(ExtractError):  # the first call loads word lists: not per page
        extract_article(next(iter(htmls.values())))
    bodies: dict[str, str] = {}
    errors: set[str] = set()
    wall: dict[str, float] = {}
    cpu: dict[str, float] = {}
    for _ in range(max(1, repeat)):
        for key, html in htmls.items():
            started, started_cpu = time.perf_counter(), time.process_time()
            try:
                bodies[key] = extract_article(html).body
            except ExtractError:
                bodies[key] = ""
                errors.add(key)
            ms, cpu_ms = (
                (time.perf_counter() - started) * 1000,
                (time.process_time() - started_cpu) * 1000,
            )
            wall[key] = min(wall.get(key, ms), ms)
            cpu[key] = min(cpu.get(key, cpu_ms), cpu_ms)
    pages = [score_page(key, truth[key], bodies[key]) for key in htmls]

    _print_score("monitor.extract", score_corpus(pages))
    print(
        f"pages={len(pages)}  no-article={len(errors)}  "
        f"median={statistics.median(wall.values()):.1f} ms  p90={_p90(list(wall.values())):.1f} ms  "
        f"(CPU median={statistics.median(cpu.values()):.1f} ms, p90={_p90(list(cpu.values())):.1f} ms;"
        f" best of {max(1, repeat)})"
    )
    time_fast_path(htmls, repeat)
    if failures:
        print(f"\n{failures} worst pages (by F1):")
        print(f"{'id':<66} {'P':>6} {'R':>6} {'F1':>6}")
        for page in sorted(pages, key=lambda p: (p.f1, p.page_id))[:failures]:
            print(f"{page.page_id:<66} {page.precision:6.3f} {page.recall:6.3f} {page.f1:6.3f}")


def time_fast_path(htmls: dict[str, str], repeat: int) -> None:
    """Time the unchanged-article fast path on each page, its memo made from the same page.

    That is what a check of an unchanged article costs beyond its fetch (the
    checker's worker runs exactly ``examine``), on real pages rather than the
    pass benchmark's small synthetic ones. CPU time, the best of ``repeat``.
    """
    from monitor.errors import ExtractError
    from monitor.fastpath import examine
    from monitor.memo import Memo
    from monitor.models import OutletRules

    rules = OutletRules()
    memos: dict[str, Memo] = {}
    for key, html in htmls.items():
        with contextlib.suppress(ExtractError):
            memo = examine(html, None, rules, None, None).memo
            if memo is not None:
                memos[key] = memo
    cpu: dict[str, float] = {}
    answered: set[str] = set()
    for _ in range(max(1, repeat)):
        for key, memo in memos.items():
            started = time.process_time()
            examined = examine(htmls[key], None, rules, None, memo)
            cpu_ms = (time.process_time() - started) * 1000
            cpu[key] = min(cpu.get(key, cpu_ms), cpu_ms)
            if examined.extracted is None:
                answered.add(key)
    if not cpu:
        print("fast path: no page gave a memo")
        return
    print(
        f"fast path: {len(memos)} pages with a memo, {len(answered)} answered by it;  "
        f"CPU median={statistics.median(cpu.values()):.1f} ms  p90={_p90(list(cpu.values())):.1f} ms"
    )


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", type=Path, help="the article-extraction-benchmark directory")
    parser.add_argument(
        "--reference",
        action="store_true",
        help="score reference-outputs/*.json to check the metric against published-results.txt",
    )
    parser.add_argument(
        "--failures", type=int, default=0, metavar="N", help="print the N worst pages"
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        metavar="N",
        help="passes over the corpus; each page's time is its best (default 3)",
    )
    parser.add_argument(
        "--predictions",
        type=Path,
        metavar="FILE",
        help="score `monitor extract --json` output (one object per page) instead of running",
    )
    args = parser.parse_args(argv)

    truth_path = args.dataset / "ground-truth.json"
    if not truth_path.is_file():
        print(
            f"error: no benchmark dataset at {args.dataset} (missing ground-truth.json)",
            file=sys.stderr,
        )
        return 2
    truth = _bodies(truth_path)
    if args.reference:
        if not check_reference(args.dataset, truth):
            print("error: the metric does not reproduce published-results.txt")
            return 1
        print()
    if args.predictions:
        return score_predictions(args.predictions, truth)
    run_extractor(args.dataset, truth, args.failures, args.repeat)
    return 0


def score_predictions(path: Path, truth: dict[str, str]) -> int:
    """Score `monitor extract --json` lines, so anyone can reproduce the figure from the CLI."""
    predicted: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        document = json.loads(line)
        page_id = Path(document["source"]).name.split(".")[0]
        predicted[page_id] = document.get("body") or ""
    missing = sorted(set(truth) - set(predicted))
    if missing:
        print(f"error: {len(missing)} pages have no prediction, e.g. {missing[0]}", file=sys.stderr)
        return 2
    pages = [score_page(pid, truth[pid], predicted[pid]) for pid in sorted(truth)]
    _print_score(f"{path.name}", score_corpus(pages))
    return 0


if __name__ == "__main__":
    sys.exit(main())
