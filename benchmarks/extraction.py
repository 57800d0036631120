"""Score ``monitor.extract.extract_article`` on the article-extraction-benchmark.

Usage::

    python benchmarks/extraction.py ../shared/datasets/article-extraction-benchmark
    python benchmarks/extraction.py DATASET --reference      # check the metric first
    python benchmarks/extraction.py DATASET --failures 15    # list the worst pages

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
prediction (left out of precision, zero recall), as upstream does.
"""

from __future__ import annotations

import argparse
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


def check_reference(dataset: Path, truth: dict[str, str]) -> None:
    """Score the published predictions: these must match published-results.txt."""
    for path in sorted((dataset / "reference-outputs").glob("*.json")):
        predicted = _bodies(path)
        pages = [score_page(key, truth[key], predicted.get(key, "")) for key in truth]
        _print_score(path.stem, score_corpus(pages))


def _load_html(path: Path) -> str:
    return gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")


def run_extractor(dataset: Path, truth: dict[str, str], failures: int) -> None:
    from monitor.errors import ExtractError
    from monitor.extract import extract_article

    pages: list[PageScore] = []
    timings: list[float] = []
    errors: list[str] = []
    for key in sorted(truth):
        html = _load_html(dataset / "html" / f"{key}.html.gz")
        started = time.perf_counter()
        try:
            body = extract_article(html).body
        except ExtractError:
            body = ""
            errors.append(key)
        timings.append((time.perf_counter() - started) * 1000)
        pages.append(score_page(key, truth[key], body))

    _print_score("monitor.extract", score_corpus(pages))
    timings.sort()
    p90 = timings[min(len(timings) - 1, int(round(0.9 * (len(timings) - 1))))]
    print(
        f"pages={len(pages)}  no-article={len(errors)}  "
        f"median={statistics.median(timings):.1f} ms  p90={p90:.1f} ms  "
        f"total={sum(timings) / 1000:.1f} s"
    )
    if failures:
        print(f"\n{failures} worst pages (by F1):")
        print(f"{'id':<66} {'P':>6} {'R':>6} {'F1':>6}")
        for page in sorted(pages, key=lambda p: (p.f1, p.page_id))[:failures]:
            print(f"{page.page_id:<66} {page.precision:6.3f} {page.recall:6.3f} {page.f1:6.3f}")


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
    args = parser.parse_args(argv)

    truth_path = args.dataset / "ground-truth.json"
    if not truth_path.is_file():
        print(f"error: no benchmark dataset at {args.dataset} (missing ground-truth.json)")
        return 2
    truth = _bodies(truth_path)
    if args.reference:
        check_reference(args.dataset, truth)
        print()
    run_extractor(args.dataset, truth, args.failures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
