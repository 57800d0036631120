"""Time full ``monitor check --all`` passes over a synthetic newsroom.

Usage::

    python benchmarks/pass.py                    # 2,000 articles, 10 % edited
    python benchmarks/pass.py --articles 200 --fraction 0.2
    python benchmarks/pass.py --urlwatch /path/to/urlwatch   # add a urlwatch ratio

``benchmarks/newsroom_server.py`` runs in its own process and serves the
articles, with page furniture that changes on every request. The benchmark
runs the real command line (the ``monitor`` console script's
``monitor.launch.main``, from ``python -c`` in a child process, with a
temporary database) three times:

1. the first pass, which stores every article's first version (``new``);
2. a pass after the server edited a fraction of the articles: exactly those
   must come back ``changed`` and all others ``unchanged``;
3. a pass after the server starts answering 304 to conditional requests
   (nothing edited): all must be ``not_modified``.

For each it prints wall time (process start to exit, the honest figure),
articles per second, the summed per-check seconds of each stage (fetch,
extract, fast_path, compare, store; checks overlap, so these add up to more
than the wall time), how many checks the unchanged-article fast path
answered, the CPU seconds (``wait4``: the check and the worker processes
it waited for), the peak resident memory of the largest process of the
check (``VmHWM`` from /proc, read every 100 ms), the bytes it wrote to
storage (``ru_oublock``: the database's write-ahead log and checkpoints,
urlwatch's cache), and the outcomes. A
wrong outcome is counted as a mismatch; any mismatch exits 1.

With ``--urlwatch`` (or a ``urlwatch`` on PATH), urlwatch checks the same
pages in the same run, after monitor in each pass, and the ratio is printed;
without it that part is skipped with a message.

``--repeat N`` runs passes 2 and 3 N times each, monitor and urlwatch in
turn, each time from the state the pass started from (both tools' databases
are copied before the first run and put back before each other one), and
reports the run with the median wall time of each tool and the ratio of the
medians; every run's outcomes are scored. On a shared machine whose speed
drifts from minute to minute, one run of each can be off by half. It is a
benchmark, not a test: figures vary with the machine and its load.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from newsroom_server import article_path  # noqa: E402

# The console script (monitor.launch) with the checker's DEBUG timing line
# switched on, nothing else changed.
CLI = (
    "import logging;"
    "logging.basicConfig(level=logging.WARNING, format='%(name)s %(message)s');"
    "logging.getLogger('monitor.checker').setLevel(logging.DEBUG);"
    "from monitor.launch import main;"
    "main()"
)
STAGES = ("fetch", "extract", "fast_path", "compare", "store")
TIMEOUT = 900  # seconds; a pass that takes longer is killed and reported


@dataclass
class Run:
    """One timed child process: wall and CPU time, peak memory, its output."""

    label: str
    articles: int
    wall: float
    cpu: float
    maxrss_mb: float
    disk_mb: float  # written to storage (``ru_oublock``, 512-byte units), children included
    returncode: int
    stdout: str
    stderr: str
    stages: dict[str, float] = field(default_factory=dict)
    fast_path: int | None = None  # checks the fast path answered
    outcomes: Counter[str] = field(default_factory=Counter)
    results: list[dict[str, Any]] = field(default_factory=list)  # monitor's, from --json
    mismatches: int = 0

    @property
    def per_second(self) -> float:
        return self.articles / self.wall if self.wall else 0.0


def _high_water_mb(root: int) -> float:
    """The largest ``VmHWM`` of ``root`` and its descendants now, from /proc (0 without it).

    Not ``ru_maxrss``: Linux carries a process's peak across ``exec``, so a
    child started by this benchmark, grown to a hundred MB by then, would
    report at least that much whatever it used itself. Descendants are found
    through each thread's ``children`` file, which is cheap enough to read
    while the check runs.
    """
    peak, todo, seen = 0.0, [root], set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        with contextlib.suppress(OSError, ValueError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) / 1024)
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
    return peak


def timed(label: str, args: list[str], articles: int, env: dict[str, str], cwd: Path) -> Run:
    """Run ``args`` as a child process: CPU from ``wait4`` (the child and the
    processes it waited for), peak memory from /proc while it runs."""
    out_path, err_path = cwd / f"{label}.out", cwd / f"{label}.err"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(args, stdout=out, stderr=err, env=env, cwd=cwd)
        deadline = started + TIMEOUT
        peak_mb = 0.0
        polls = 0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if polls % 10 == 0:  # every 100 ms: reading /proc costs the machine too
                peak_mb = max(peak_mb, _high_water_mb(proc.pid))
            polls += 1
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.01)
        wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(
        label=label,
        articles=articles,
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        maxrss_mb=peak_mb or usage.ru_maxrss / 1024,
        disk_mb=usage.ru_oublock * 512 / 1e6,
        returncode=proc.returncode,
        stdout=out_path.read_text(errors="replace"),
        stderr=err_path.read_text(errors="replace"),
    )


def start_server(articles: int) -> tuple[subprocess.Popen[str], int]:
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "benchmarks" / "newsroom_server.py"), "--articles",
         str(articles), "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert server.stdout is not None
    line = server.stdout.readline()
    match = re.match(r"listening on (\d+)", line)
    if not match:
        server.kill()
        raise SystemExit(f"the newsroom server did not start: {line!r}")
    return server, int(match.group(1))


def control(port: int, path: str) -> object:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as response:
        return json.loads(response.read() or b"null") if "pass" in path else None


def monitor_pass(label: str, count: int, db: Path, env: dict[str, str], work: Path) -> Run:
    args = [sys.executable, "-c", CLI, "--db", str(db), "--config", str(work / "monitor.toml")]
    run = timed(label, [*args, "check", "--all", "--json"], count, env, work)
    found = re.findall(r"fast path (\d+); stage seconds (\{.*\})", run.stderr)
    if found:
        run.fast_path = int(found[-1][0])
        run.stages = ast.literal_eval(found[-1][1])
    if run.stdout.strip():
        run.results = json.loads(run.stdout)["results"]
        run.outcomes = Counter(r["outcome"] for r in run.results)
    return run


def score(run: Run, expected: dict[int, str]) -> None:
    """Count results whose outcome is not the expected one (article id -> outcome)."""
    got = {r["article_id"]: r["outcome"] for r in run.results}
    run.mismatches = sum(1 for i, want in expected.items() if got.get(i) != want)


def urlwatch_pass(label: str, exe: str, count: int, work: Path, env: dict[str, str]) -> Run:
    args = [exe, "--urls", str(work / "urls.yaml"), "--config", str(work / "urlwatch.yaml"),
            "--cache", str(work / "urlwatch-cache.db")]  # fmt: skip
    run = timed(label, args, count, env, work)
    run.outcomes = Counter(
        m.lower() for m in re.findall(r"^(CHANGED|NEW|ERROR|UNCHANGED):", run.stdout, re.M)
    )
    return run


def setup_urlwatch(exe: str, urls: list[str], work: Path, env: dict[str, str]) -> None:
    """Jobs for the same URLs; the default config written by urlwatch itself, stdout only."""
    (work / "urls.yaml").write_text("\n---\n".join(f"url: {u}" for u in urls) + "\n")
    subprocess.run(
        [exe, "--urls", str(work / "urls.yaml"), "--config", str(work / "urlwatch.yaml"),
         "--cache", str(work / "urlwatch-cache.db"), "--list"],
        env=env, cwd=work, capture_output=True, timeout=120, check=False,
    )  # fmt: skip


class Snapshot:
    """Files copied aside so that a pass can be run again from the same start."""

    def __init__(self, files: list[Path], into: Path) -> None:
        self.saved: dict[Path, Path] = {}
        into.mkdir(parents=True, exist_ok=True)
        for path in files:
            for part in (path, path.with_name(path.name + "-wal")):
                if part.exists():
                    self.saved[part] = into / part.name
                    shutil.copy2(part, into / part.name)

    def restore(self) -> None:
        for original, copy in self.saved.items():
            original.with_name(original.name + "-shm").unlink(missing_ok=True)
            shutil.copy2(copy, original)
        for original in {o.with_name(o.name.removesuffix("-wal")) for o in self.saved}:
            wal = original.with_name(original.name + "-wal")
            if wal not in self.saved:
                wal.unlink(missing_ok=True)


def median(runs: list[Run]) -> Run:
    """The run with the median wall time (the lower middle one of an even number)."""
    ranked = sorted(runs, key=lambda r: r.wall)
    chosen = ranked[(len(ranked) - 1) // 2]
    if len(runs) == 1:
        return chosen
    walls = ", ".join(f"{r.wall:.2f}" for r in runs)
    return replace(
        chosen,
        label=f"{chosen.label} (median of {len(runs)}: {walls} s)",
        mismatches=sum(r.mismatches for r in runs),  # every run is scored
    )


def report(run: Run, baseline: Run | None = None) -> None:
    outcomes = " ".join(f"{k}={v}" for k, v in sorted(run.outcomes.items()))
    print(
        f"  {run.label:<24} {run.wall:7.2f} s  {run.per_second:7.1f} articles/s  "
        f"CPU {run.cpu:6.2f} s ({1000 * run.cpu / max(run.articles, 1):5.1f} ms/article)  "
        f"peak {run.maxrss_mb:6.1f} MB  disk writes {run.disk_mb:6.1f} MB  exit {run.returncode}"
    )
    if run.stages:
        stages = "  ".join(f"{k} {run.stages.get(k, 0.0):.2f}" for k in STAGES)
        print(f"  {'':<24} summed stage seconds: {stages}")
    if run.fast_path is not None:
        print(f"  {'':<24} answered by the fast path: {run.fast_path}")
    print(f"  {'':<24} outcomes: {outcomes or '(none)'}  mismatches={run.mismatches}")
    if baseline is not None and run.wall:
        print(f"  {'':<24} urlwatch / monitor wall time: {baseline.wall / run.wall:.2f}x")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--fraction", type=float, default=0.10, help="share edited per pass")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--urlwatch", help="urlwatch executable (default: urlwatch on PATH)")
    parser.add_argument("--no-urlwatch", action="store_true", help="skip the urlwatch ratio")
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs of passes 2 and 3, the median reported"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    exe = None if args.no_urlwatch else (args.urlwatch or shutil.which("urlwatch"))

    server, port = start_server(args.articles)
    failed = False
    try:
        with tempfile.TemporaryDirectory(prefix="monitor-pass-") as tmp:
            work = Path(tmp)
            failed = run_all(args, exe, port, work)
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 1 if failed else 0


def run_all(args: argparse.Namespace, exe: str | None, port: int, work: Path) -> bool:
    from monitor.store import Store
    from monitor.urls import outlet_of

    env = {**os.environ, "MONITOR_ALLOW_PRIVATE_HOSTS": "1", "PYTHONPATH": str(ROOT)}
    # Python's bytecode cache on, as on any ordinary install: with
    # PYTHONDONTWRITEBYTECODE set (as on this project's build machine) monitor,
    # run from its source tree, would compile every module again in every
    # process, while urlwatch's were compiled by pip when it was installed.
    for key in ("MONITOR_DB", "MONITOR_CONFIG", "PYTHONDONTWRITEBYTECODE"):
        env.pop(key, None)
    (work / "monitor.toml").write_text("")  # every setting at its default
    db = work / "monitor.db"
    urls = [f"http://127.0.0.1:{port}{article_path(i)}" for i in range(args.articles)]
    now = datetime.now(UTC)
    with Store(db) as store:
        ids = [store.add_article(u, outlet_of(u), now=now)[0].id for u in urls]
    number_of = dict(zip(ids, range(args.articles), strict=True))
    if exe is None and not args.no_urlwatch:
        print("urlwatch: not found (pip install urlwatch, or --urlwatch PATH); ratio skipped")
    if exe is not None:
        setup_urlwatch(exe, urls, work, env)

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(
        f"{args.articles} articles, {args.fraction:.0%} edited per pass, {cores} cores, "
        f"Python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.2f}"
    )
    runs: list[Run] = []

    print("pass 1: first snapshots (every article new)")
    first = monitor_pass("monitor first", args.articles, db, env, work)
    score(first, dict.fromkeys(ids, "new"))
    report(first)
    runs.append(first)
    if exe is not None:
        uw_first = urlwatch_pass("urlwatch first", exe, args.articles, work, env)
        report(uw_first)

    def repeated(label: str, expected: dict[int, str]) -> Run:
        """One pass ``args.repeat`` times from the same start; the median runs reported."""
        ours = Snapshot([db], work / f"before {label}" / "monitor")
        theirs = Snapshot([work / "urlwatch-cache.db"], work / f"before {label}" / "urlwatch")
        mine: list[Run] = []
        others: list[Run] = []
        for i in range(args.repeat):
            if i:
                ours.restore()
            mine.append(monitor_pass(f"monitor {label}", args.articles, db, env, work))
            score(mine[-1], expected)
            runs.append(mine[-1])
            if exe:
                if i:
                    theirs.restore()
                others.append(urlwatch_pass(f"urlwatch {label}", exe, args.articles, work, env))
        middle = median(mine)
        baseline = median(others) if others else None
        report(middle, baseline)
        if baseline is not None:
            report(baseline)
        return middle

    edited = set(control(port, f"/_control/pass?n=1&fraction={args.fraction}&seed={args.seed}"))  # type: ignore[arg-type]
    print(f"pass 2: {len(edited)} articles edited, page furniture changed on every page")
    repeated("edited", {i: "changed" if number_of[i] in edited else "unchanged" for i in ids})

    control(port, "/_control/conditional?on=1")
    control(port, f"/_control/pass?n=2&fraction=0&seed={args.seed}")
    print("pass 3: nothing edited, the server answers 304 to conditional requests")
    repeated("304", dict.fromkeys(ids, "not_modified"))

    total = sum(r.mismatches for r in runs)
    print(f"outcome mismatches: {total}")
    for run in runs:
        if run.returncode != 0 or (not run.outcomes and run.articles):
            print(f"{run.label}: exit {run.returncode}\n{run.stderr[-2000:]}", file=sys.stderr)
    return total > 0 or any(r.returncode != 0 for r in runs)


if __name__ == "__main__":
    sys.exit(main())
