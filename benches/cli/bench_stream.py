"""The command line at scale: a generated CSV of N initiatives × the 12 criteria of the
built-in rubric, scored by `civic-value score --format csv` (the streaming batch path on
every core), against Python's `Rubric.score_matrix` on the same numbers, in one run; and
`score --format csv --columns id,total` (a total per row, what `score_matrix` returns: the
fast reader of plain lines, cli/src/plain.rs) as a ratio of `score_matrix`, next to the
prototype it was built from (`csv-floor --job`, benches/rust/csv_job.rs).

Prints the CLI's wall time and peak RSS (the kernel's high-water mark of the CLI process), the time of
`score_matrix` on the matrix in memory, and of the same job done in Python end to end
(`pandas.read_csv` → `score_matrix` → `DataFrame.to_csv`), each as a ratio.

    target/venv-py/bin/python benches/cli/bench_stream.py [--rows 1000000] [--quick]
        [--empty 0.1] [--compare path/to/another/civic-value]

`--empty SHARE` leaves that share of the criterion cells empty (missing: the built-in rubric
scores them as 0 or their default), as real exports have; `--compare` times another build
of the CLI (e.g. one from before a change) on the same file, in the same run, as a ratio
(the full output and `--columns id,total`, each also checked byte-identical).
Besides wall time the CLI's CPU time (user + system, all threads) is printed, which a
busy machine changes least.

The floor: `csv-floor` (benches/rust/csv_floor.rs) does only the I/O of the same job, with
the code the CLI uses, on 2 threads like the CLI: it reads the same CSV, splits it into
fields and parses every criterion cell (no scoring), then formats the CLI's own output,
read back into numbers, with the CLI's line writer and writes it. Its CPU and wall times
(read + write) are printed, the CLI as a ratio of them, and the floor as a ratio of
`score_matrix`: how near the CLI is to what reading and writing this CSV costs at all.

Needs the release CLI and floor (`cargo build --release -p civic-value-cli -p
civic-value-benches --bin civic-value --bin csv-floor`) and the Python package in the venv
(`./scripts/test python`).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
CLI = ROOT / "target" / "release" / "civic-value"
FLOOR = ROOT / "target" / "release" / "csv-floor"
COLUMNS = [
    "volunteer_hours", "neighbour_contact", "inclusion", "green_area_m2", "biodiversity",
    "residents_reached", "support_share", "partners", "plan_maturity", "permit_secured",
    "municipal_contribution", "cofunding_share",
]
OPTIONS = ["none", "one_group", "several_groups"]


def matrix(rows: int, seed: int = 7) -> np.ndarray:
    """Realistic inputs in the numeric encoding (categories as option indices)."""
    rng = np.random.default_rng(seed)
    x = np.empty((rows, 12))
    x[:, 0] = rng.integers(0, 6000, rows)
    x[:, 1] = rng.integers(1, 6, rows)
    x[:, 2] = rng.integers(0, 3, rows)
    x[:, 3] = rng.integers(0, 30000, rows)
    x[:, 4] = rng.integers(1, 6, rows)
    x[:, 5] = rng.integers(0, 20000, rows)
    x[:, 6] = np.round(rng.uniform(0, 100, rows), 1)
    x[:, 7] = rng.integers(0, 12, rows)
    x[:, 8] = rng.integers(1, 6, rows)
    x[:, 9] = rng.integers(0, 2, rows)
    x[:, 10] = rng.integers(0, 250000, rows)
    x[:, 11] = np.round(rng.uniform(0, 100, rows), 1)
    return x


def write_csv(x: np.ndarray, path: Path) -> None:
    """One row per initiative; a NaN in `x` is an empty cell."""
    with path.open("w") as f:
        f.write("id," + ",".join(COLUMNS) + "\n")
        for i, r in enumerate(x):
            cells = [f"{v:g}" for v in r]
            if r[2] == r[2]:
                cells[2] = OPTIONS[int(r[2])]
            if r[9] == r[9]:
                cells[9] = "true" if r[9] else "false"
            cells = ["" if c == "nan" else c for c in cells]
            f.write(f"i{i}," + ",".join(cells) + "\n")


def run_cli(
    path: Path, cli: Path = CLI, extra: tuple[str, ...] = (), watch: bool = True
) -> tuple[float, float, float]:
    """Wall seconds, peak RSS in MB and CPU seconds (user + system) of the CLI scoring
    `path` to CSV (output discarded).

    The peak is the kernel's high-water mark of the CLI's own memory (VmHWM in
    /proc/PID/status, read every few milliseconds until it exits; it only grows). The
    rusage of children would also count this Python process's memory (the matrix, pandas),
    which the child holds between fork and exec. Reading it takes CPU from the CLI on a
    2-core machine (this process wakes every 2 ms), so the wall time of a run with
    `watch=False` (peak 0, the CLI waited for without polling) is the one to compare."""
    t0 = time.perf_counter()
    peak = 0
    with open(os.devnull, "wb") as sink:
        proc = subprocess.Popen([str(cli), "score", "--format", "csv", *extra, str(path)], stdout=sink)
        status = Path(f"/proc/{proc.pid}/status")
        while True:
            if not watch:
                _, code, usage = os.wait4(proc.pid, 0)
                break
            try:
                for line in status.read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]))
            except (OSError, ValueError):
                pass
            pid, code, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            time.sleep(0.002)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(code)
    if proc.returncode != 0:
        raise SystemExit(f"{cli} failed with exit status {proc.returncode}")
    return wall, peak / 1024, usage.ru_utime + usage.ru_stime


def run_job(path: Path) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, every thread) of `csv-floor --job` on `path`,
    process start included (output discarded): the prototype of the fastest honest
    `score --columns id,total` (benches/rust/csv_job.rs)."""
    t0 = time.perf_counter()
    with open(os.devnull, "wb") as sink:
        proc = subprocess.Popen([str(FLOOR), "--job", str(path)], stdout=sink, stderr=subprocess.DEVNULL)
        _, code, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(code) != 0:
        raise SystemExit(f"{FLOOR} --job failed")
    return wall, usage.ru_utime + usage.ru_stime


def run_floor(path: Path, output: Path) -> dict:
    """The floor's phases: {"read": {"wall", "cpu"}, "write": {...}} in seconds."""
    with open(os.devnull, "wb") as sink:
        done = subprocess.run(
            [str(FLOOR), str(path), str(output)], stdout=sink, stderr=subprocess.PIPE, check=True
        )
    return json.loads(done.stderr.decode().strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--quick", action="store_true", help="10 000 rows, once (a smoke run)")
    ap.add_argument("--empty", type=float, default=0.0, help="share of empty criterion cells (0–1)")
    ap.add_argument("--compare", type=Path, help="another civic-value binary to time on the same file")
    args = ap.parse_args()
    rows = 10_000 if args.quick else args.rows
    for exe in (CLI, FLOOR):
        if not exe.exists():
            sys.exit(
                "build the CLI and the floor first: cargo build --release -p civic-value-cli"
                f" -p civic-value-benches --bin civic-value --bin csv-floor ({exe})"
            )
    import pandas as pd
    from civic_value import Rubric

    rubric = Rubric.default()
    x = matrix(rows)
    if args.empty > 0:
        x[np.random.default_rng(8).random(x.shape) < args.empty] = np.nan
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "initiatives.csv"
        write_csv(x, path)
        size = path.stat().st_size / 1e6
        repeats = 1 if args.quick else 3
        # Best of the repeats, wall and CPU each on its own (a busy machine slows runs unevenly).
        # The peak RSS from a run of its own, the times from runs not watched (see run_cli).
        peak = run_cli(path)[1]
        cli, _, cpu = best([run_cli(path, watch=False) for _ in range(repeats)])
        other = (
            best([run_cli(path, args.compare, watch=False) for _ in range(repeats)]) if args.compare else None
        )
        # What score_matrix returns, a total per row: the fast reader of plain lines.
        totals_peak = run_cli(path, extra=("--columns", "id,total"))[1]
        totals, _, totals_cpu = best(
            [run_cli(path, extra=("--columns", "id,total"), watch=False) for _ in range(repeats)]
        )
        other_totals = (
            best([run_cli(path, args.compare, extra=("--columns", "id,total"), watch=False) for _ in range(repeats)])
            if args.compare
            else None
        )
        # The CLI's output, once to a file, for the floor to write again.
        output = Path(tmp) / "scored.csv"
        with output.open("wb") as f:
            subprocess.run([str(CLI), "score", "--format", "csv", str(path)], stdout=f, check=True)
        if args.compare:
            again = Path(tmp) / "scored-other.csv"
            with again.open("wb") as f:
                subprocess.run([str(args.compare), "score", "--format", "csv", str(path)], stdout=f)
            same = again.read_bytes() == output.read_bytes()
            again.unlink()
            # The same for --columns id,total.
            mine, theirs = (
                subprocess.run(
                    [str(cli), "score", "--format", "csv", "--columns", "id,total", str(path)],
                    capture_output=True,
                ).stdout
                for cli in (CLI, args.compare)
            )
            same_totals = mine == theirs
        floors = [run_floor(path, output) for _ in range(repeats)]
        floor = {
            phase: {k: min(f[phase][k] for f in floors) for k in ("wall", "cpu")}
            for phase in ("read", "write")
        }
        output.unlink()
        jobs = [run_job(path) for _ in range(repeats)]
        t_job, c_job = min(j[0] for j in jobs), min(j[1] for j in jobs)
        t_matrix, c_matrix = min(_timed_cpu(lambda: rubric.score_matrix(x, COLUMNS)) for _ in range(repeats))

        def python_end_to_end() -> None:
            df = pd.read_csv(path)
            enc = df[COLUMNS].copy()
            enc["inclusion"] = enc["inclusion"].map({o: i for i, o in enumerate(OPTIONS)})
            enc["permit_secured"] = enc["permit_secured"].astype(float)
            totals = rubric.score_matrix(enc.to_numpy(dtype=float), COLUMNS)
            pd.DataFrame({"id": df["id"], "total": totals}).to_csv(os.devnull, index=False)

        t_py = min(_timed(python_end_to_end) for _ in range(repeats))
    print(f"CSV of {rows} rows × 12 criteria, {size:.1f} MB, {args.empty:.0%} of the criterion cells empty")
    print(f"civic-value score --format csv: {cli:.3f} s (CPU {cpu:.3f} s), peak RSS {peak:.0f} MB")
    if other is not None:
        print(
            f"{args.compare} on the same file: {other[0]:.3f} s (CPU {other[2]:.3f} s)"
            f" → this CLI takes {cli / other[0]:.2f}× the wall and {cpu / other[2]:.2f}× the CPU time;"
            f" output {'byte-identical' if same else 'DIFFERENT'}"
        )
    f_wall = floor["read"]["wall"] + floor["write"]["wall"]
    f_cpu = floor["read"]["cpu"] + floor["write"]["cpu"]
    print(
        f"floor (csv-floor: read + split + parse the same CSV, no scoring; format + write the"
        f" same output; 2 threads): read {floor['read']['wall']:.3f} s (CPU {floor['read']['cpu']:.3f} s)"
        f" + write {floor['write']['wall']:.3f} s (CPU {floor['write']['cpu']:.3f} s)"
        f" = {f_wall:.3f} s (CPU {f_cpu:.3f} s)"
    )
    print(f"CLI/floor = {cpu / f_cpu:.2f}× the CPU time, {cli / f_wall:.2f}× the wall")
    print(
        f"score_matrix on the same numbers in memory: {t_matrix:.3f} s (CPU {c_matrix:.3f} s)"
        f" → CLI/score_matrix = {cli / t_matrix:.1f}× the wall, {cpu / c_matrix:.1f}× the CPU time;"
        f" floor/score_matrix = {f_wall / t_matrix:.1f}× the wall, {f_cpu / c_matrix:.1f}× the CPU time"
    )
    print(
        f"civic-value score --format csv --columns id,total: {totals:.3f} s (CPU {totals_cpu:.3f} s),"
        f" peak RSS {totals_peak:.0f} MB → /score_matrix = {totals / t_matrix:.1f}× the wall,"
        f" {totals_cpu / c_matrix:.1f}× the CPU time"
    )
    if other_totals is not None:
        print(
            f"{args.compare} --columns id,total on the same file: {other_totals[0]:.3f} s"
            f" (CPU {other_totals[2]:.3f} s) → this CLI takes {totals / other_totals[0]:.2f}× the wall"
            f" and {totals_cpu / other_totals[2]:.2f}× the CPU time;"
            f" output {'byte-identical' if same_totals else 'DIFFERENT'}"
        )
    print(
        f"prototype of score --columns id,total (csv-floor --job: read, split, parse, score by"
        f" BatchScorer::totals, write id,total; 2 worker threads): {t_job:.3f} s (CPU {c_job:.3f} s)"
        f" → job/score_matrix = {t_job / t_matrix:.1f}× the wall, {c_job / c_matrix:.1f}× the CPU time"
    )
    print(f"pandas.read_csv → score_matrix → to_csv (totals only): {t_py:.3f} s → CLI/python = {cli / t_py:.2f}×")


def best(runs: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    """The least wall time, the largest peak RSS and the least CPU time of some runs."""
    return min(r[0] for r in runs), max(r[1] for r in runs), min(r[2] for r in runs)


def _timed(f) -> float:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    f()
    return time.perf_counter() - t0


def _timed_cpu(f) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Wall and CPU seconds (user + system of this process, every thread) of `f()`."""

    def used() -> float:
        r = resource.getrusage(resource.RUSAGE_SELF)
        return r.ru_utime + r.ru_stime

    t0, c0 = time.perf_counter(), used()
    f()
    return time.perf_counter() - t0, used() - c0


if __name__ == "__main__":
    main()
