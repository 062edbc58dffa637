"""Benchmark: `civic-value score` streaming a large CSV against Python's `score_matrix` on
the same rows, in one command.

It writes N initiatives x 12 criteria of the built-in rubric as a CSV (numbers written
with repr(), so the CLI reads exactly the same doubles; options as their ids; booleans as
0/1), then times in this one process (best of a few runs, after a warm-up):

  (a) `civic-value score --format csv FILE > /dev/null` (read, parse, score through the
      batch path on every core, write every total, band, interval and 12 points),
  (b) the same with `--format ndjson`,
  (c) `Rubric.score_matrix` on the same numbers already in a float64 matrix (totals only),

and prints the ratios (a)/(c), (b)/(c) and the CLI's peak resident memory (the kernel's
high-water mark of the CLI process). It also checks that the CLI's totals equal score_matrix's
to the bit.

Run (after `bash scripts/steps/python.sh`, which builds the package into target/venv-py,
and `cargo build --release -p civic-value-cli`):

    target/venv-py/bin/python benches/cli/bench_stream.py [--rows 1000000] [--runs 3]

`--quick` is a small smoke run (used by the test step).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import List, Optional, Tuple

import numpy as np

from civic_value import Rubric

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benches" / "python"))
from bench_score_matrix import best_of, matrix  # noqa: E402


def write_csv(rubric: Rubric, x: np.ndarray, path: Path) -> None:
    """The matrix as a CSV the CLI reads: an id column, then one column per criterion."""
    columns = []
    for j, c in enumerate(rubric.criteria):
        col = x[:, j]
        if c.kind == "category":
            names = np.array(c.options, dtype=object)
            columns.append(names[col.astype(np.int64)])
        elif c.kind in ("likert", "boolean"):
            columns.append(col.astype(np.int64).astype(str))
        else:
            columns.append(np.array([repr(v) for v in col.tolist()], dtype=object))
    ids = np.char.add("i", np.arange(len(x)).astype(str)).astype(object)
    with open(path, "w", encoding="utf-8") as f:
        f.write("id," + ",".join(c.id for c in rubric.criteria) + "\n")
        block = 100_000
        for start in range(0, len(x), block):
            rows = zip(ids[start : start + block], *(c[start : start + block] for c in columns))
            f.write("\n".join(",".join(r) for r in rows))
            f.write("\n")


def run_cli(cli: Path, args: List[str], stdout: object = subprocess.DEVNULL) -> Tuple[float, int]:
    """Wall time and peak RSS (bytes) of one run.

    The peak is the kernel's high-water mark of the CLI's own memory (VmHWM in
    /proc/PID/status, read every few milliseconds until it exits; it only grows): the
    rusage of a child would also count this Python process's memory, copied at fork."""
    t = time.perf_counter()
    proc = subprocess.Popen([str(cli), *args], stdout=stdout, stderr=subprocess.PIPE)
    peak = 0
    status_file = Path(f"/proc/{proc.pid}/status")
    while proc.poll() is None:
        try:
            for line in status_file.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) * 1024)
        except (OSError, ValueError):
            pass
        time.sleep(0.002)
    elapsed = time.perf_counter() - t
    err = proc.stderr.read().decode() if proc.stderr else ""
    if proc.returncode != 0:
        raise SystemExit(f"civic-value {' '.join(args)} failed: {err}")
    return elapsed, peak


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cli", type=Path, default=ROOT / "target" / "release" / "civic-value")
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    args = parser.parse_args(argv)
    rows, runs = (20_000, 1) if args.quick else (args.rows, args.runs)
    cli = args.cli
    if not cli.exists():
        debug = ROOT / "target" / "debug" / "civic-value"
        if args.quick and debug.exists():
            cli = debug
        else:
            raise SystemExit(f"{cli} not found: cargo build --release -p civic-value-cli")

    rubric = Rubric.default()
    ids = [c.id for c in rubric.criteria]
    x = matrix(rubric, rows)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "initiatives.csv"
        write_csv(rubric, x, path)
        size = path.stat().st_size

        # The CLI scores exactly what score_matrix scores.
        out = Path(tmp) / "scored.csv"
        with open(out, "wb") as f:
            run_cli(cli, ["score", "--format", "csv", str(path)], stdout=f)
        totals = np.loadtxt(out, delimiter=",", skiprows=1, usecols=2, dtype=np.float64, ndmin=1)
        expected = rubric.score_matrix(x, ids)
        assert totals.shape == expected.shape and np.array_equal(totals, expected), "totals differ"
        out.unlink()

        def cli_time(fmt: str) -> Tuple[float, int]:
            best, peak = float("inf"), 0
            run_cli(cli, ["score", "--format", fmt, str(path)])  # warm-up (page cache)
            for _ in range(runs):
                t, rss = run_cli(cli, ["score", "--format", fmt, str(path)])
                best, peak = min(best, t), max(peak, rss)
            return best, peak

        csv_t, csv_rss = cli_time("csv")
        nd_t, nd_rss = cli_time("ndjson")
        matrix_t = best_of(runs, lambda: rubric.score_matrix(x, ids))

    cores = os.cpu_count() or 1
    print(f"civic-value score (CLI) vs score_matrix, {rows:,} initiatives x {len(ids)} criteria, best of {runs}")
    print(f"CSV input {size / 1e6:.1f} MB, {cores} cores, CLI {cli.relative_to(ROOT) if cli.is_relative_to(ROOT) else cli}")
    print(f"  score_matrix (float64 matrix in memory, totals)  {1000 * matrix_t:9.1f} ms")
    print(
        f"  CLI CSV -> CSV                                   {1000 * csv_t:9.1f} ms   "
        f"x{csv_t / matrix_t:6.2f} vs score_matrix   peak RSS {csv_rss / 2**20:6.1f} MiB"
    )
    print(
        f"  CLI CSV -> NDJSON                                {1000 * nd_t:9.1f} ms   "
        f"x{nd_t / matrix_t:6.2f} vs score_matrix   peak RSS {nd_rss / 2**20:6.1f} MiB"
    )


if __name__ == "__main__":
    main()
