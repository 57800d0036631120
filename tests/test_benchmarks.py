"""The speed benchmarks still run: tiny sizes, exit 0, outcomes exactly right.

Not timed tests: figures are printed by the benchmarks and recorded in the
README; this only guards against a benchmark rotting as the code moves.
"""

from __future__ import annotations

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
    # each repetition starts again from the same state, so each finds the same edits
    assert "changed=4 unchanged=16" in done.stdout
    assert "not_modified=20" in done.stdout
    assert done.stdout.count("(median of 2:") == 2


def test_store_benchmark_runs_its_queries() -> None:
    done = _run("benchmarks/store.py", "--articles", "20", "--versions", "200", "--repeat", "3")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "sanity: history 10 versions" in done.stdout and "ok" in done.stdout
