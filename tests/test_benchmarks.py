"""The speed benchmarks still run: tiny sizes, exit 0, outcomes exactly right.

Not timed tests: figures are printed by the benchmarks and recorded in the
README; this only guards against a benchmark rotting as the code moves.
"""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_pass_benchmark_gets_every_outcome_right() -> None:
    done = _run(
        "benchmarks/pass.py", "--articles", "20", "--fraction", "0.2", "--no-urlwatch",
        "--repeat", "2",
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "outcome mismatches: 0" in done.stdout
    assert re.search(r"monitor edited .* disk writes +\d+\.\d MB", done.stdout)
    # each repetition starts again from the same state, so each finds the same edits
    assert "changed=4 unchanged=16" in done.stdout
    assert "not_modified=20" in done.stdout
    assert done.stdout.count("(median of 2:") == 2


def test_store_benchmark_runs_its_queries() -> None:
    done = _run("benchmarks/store.py", "--articles", "20", "--versions", "200", "--repeat", "3")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "sanity: history 10 versions" in done.stdout and "ok" in done.stdout


def test_extraction_benchmark_scores_and_times_a_dataset(tmp_path: Path) -> None:
    """A two-page dataset in the benchmark's layout: the score, the timings, the fast path."""
    paragraphs = [
        "The river rose two metres overnight and the council opened three shelters.",
        "Residents of the lower town were told to leave before the evening tide came in.",
        "The mayor said the flood defences built last year had held along the main road.",
    ]
    truth = {}
    (tmp_path / "html").mkdir()
    for number in range(2):
        body = "".join(f"<p>{p} Page {number}.</p>" for p in paragraphs)
        page = (
            f"<html><head><title>Flood {number}</title></head><body><nav>Home News</nav>"
            f"<article><h1>Flood {number}</h1>{body}</article></body></html>"
        )
        (tmp_path / "html" / f"page{number}.html.gz").write_bytes(gzip.compress(page.encode()))
        truth[f"page{number}"] = {
            "articleBody": "\n\n".join(f"{p} Page {number}." for p in paragraphs)
        }
    (tmp_path / "ground-truth.json").write_text(json.dumps(truth))
    done = _run("benchmarks/extraction.py", str(tmp_path), "--repeat", "1")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "F1=1.000" in done.stdout
    assert "pages=2  no-article=0" in done.stdout
    assert "fast path: 2 pages with a memo, 2 answered by it" in done.stdout


def test_extraction_benchmark_says_when_the_dataset_is_missing(tmp_path: Path) -> None:
    done = _run("benchmarks/extraction.py", str(tmp_path / "nowhere"))
    assert done.returncode == 2
    assert "no benchmark dataset" in done.stderr
