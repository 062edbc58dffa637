"""Benchmark: Rubric.score_frame against Rubric.score_matrix on the same initiatives.

The data: N initiatives (default 1 000 000) x the 12 criteria of the built-in rubric, valid
inputs drawn with a fixed seed. score_matrix gets them as one float64 matrix in the numeric
encoding (options as their index, booleans as 0/1), its fastest form. score_frame gets the
same values as an analyst's DataFrame: numbers as float64 and int64 columns, the option
column ``inclusion`` as a pandas Categorical (and, in a second frame, as plain strings), and
``permit_secured`` as a bool column. score_frame returns much more than totals (band, low,
high, knocked_out and the points of every criterion), and converts the frame on the way in.

Both are timed in this one process (best of a few runs after a warm-up, the module's
default threads) and reported as a ratio, so a busy machine slows both alike. The Polars
and pyarrow rows convert the same frame first (outside the timing) and time score_frame on
it; the score_frame paths are checked to give the totals of score_matrix before timing.

Run (after `bash scripts/steps/python.sh`, which builds the package into target/venv-py):

    target/venv-py/bin/python benches/python/bench_score_frame.py

`--rows N` changes the size; `--quick` is a small smoke run (used by the test step).
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from typing import Any, Callable, Dict, List, Tuple

import numpy as np
import pandas as pd

from civic_value import Rubric


def columns(rubric: Rubric, n: int, seed: int = 1) -> Dict[str, np.ndarray]:
    """Valid inputs for every criterion of the built-in rubric, in the numeric encoding."""
    rng = np.random.default_rng(seed)
    out: Dict[str, np.ndarray] = {}
    for c in rubric.criteria:
        if c.kind == "number":
            high = c.max if c.max is not None else 30_000.0
            out[c.id] = rng.uniform(c.min or 0.0, high, n)
        elif c.kind == "likert":
            out[c.id] = rng.integers(1, (c.levels or 2) + 1, n).astype(float)
        elif c.kind == "boolean":
            out[c.id] = rng.integers(0, 2, n).astype(float)
        else:
            out[c.id] = rng.integers(0, len(c.options), n).astype(float)
    return out


def frame(rubric: Rubric, data: Dict[str, np.ndarray], strings: bool) -> pd.DataFrame:
    """The same values as an analyst's DataFrame: Likert levels as int64, booleans as bool,
    options as a Categorical (``strings=False``) or as Python strings (``strings=True``)."""
    cols: Dict[str, Any] = {}
    for c in rubric.criteria:
        x = data[c.id]
        gaps = np.isnan(x)
        if c.kind == "likert":
            # int64, or float64 when cells are missing (as pandas reads such a column)
            cols[c.id] = x if gaps.any() else x.astype(np.int64)
        elif c.kind == "boolean":
            cols[c.id] = x.astype(bool)
        elif c.kind == "category":
            names = np.array(c.options + [None], dtype=object)[np.where(gaps, -1, x).astype(np.int64)]
            cols[c.id] = names if strings else pd.Categorical(names, categories=c.options)
        else:
            cols[c.id] = x
    return pd.DataFrame(cols)


def best_of(runs: int, f: Callable[[], object]) -> Tuple[float, float]:
    """The best wall-clock time of ``runs`` calls after a warm-up, and the CPU time (all
    threads of this process) of that same call: the CPU time is what a busy machine
    changes least."""
    f()  # warm-up
    best = (float("inf"), float("inf"))
    for _ in range(runs):
        c = time.process_time()
        t = time.perf_counter()
        f()
        wall = time.perf_counter() - t
        cpu = time.process_time() - c
        best = min(best, (wall, cpu))
    return best


def with_missing(data: Dict[str, np.ndarray], share: float, seed: int = 2) -> Dict[str, np.ndarray]:
    """The same values with a share of the cells (each cell independently) missing (NaN)."""
    rng = np.random.default_rng(seed)
    out = {}
    for k, x in data.items():
        x = x.copy()
        x[rng.random(len(x)) < share] = np.nan
        out[k] = x
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument(
        "--missing",
        type=float,
        default=0.1,
        help="share of empty cells (NaN; bool columns stay full) in the extra 'with missing cells' rows",
    )
    args = parser.parse_args()
    rows, runs = (20_000, 2) if args.quick else (args.rows, args.runs)

    rubric = Rubric.default()
    ids = [c.id for c in rubric.criteria]
    data = columns(rubric, rows)
    x = np.ascontiguousarray(np.column_stack([data[i] for i in ids]))
    categorical = frame(rubric, data, strings=False)
    strings = frame(rubric, data, strings=True)

    expected = rubric.score_matrix(x, ids)
    # The same data with empty cells (the built-in rubric scores a missing cell as 0:
    # missing = "zero"; booleans stay full, as a bool column cannot hold a gap).
    bools = {c.id for c in rubric.criteria if c.kind == "boolean"}
    gappy = with_missing({k: v for k, v in data.items() if k not in bools}, args.missing)
    gappy.update({k: data[k] for k in bools})
    x_gaps = np.ascontiguousarray(np.column_stack([gappy[i] for i in ids]))
    gaps_frame = frame(rubric, gappy, strings=False)
    expected_gaps = rubric.score_matrix(x_gaps, ids)
    frames: Dict[str, Any] = {"pandas, Categorical option": categorical, "pandas, string option": strings}
    try:
        import polars as pl

        frames["Polars, Categorical option"] = pl.from_pandas(categorical)
    except ImportError:
        print("polars not installed: skipped")
    try:
        import pyarrow as pa

        frames["pyarrow Table, dictionary option"] = pa.Table.from_pandas(categorical, preserve_index=False)
    except ImportError:
        print("pyarrow not installed: skipped")
    for name, df in frames.items():
        out = rubric.score_frame(df)
        total = np.asarray(out["total"].to_numpy(), dtype=np.float64)
        if not np.array_equal(total, expected):
            raise SystemExit(f"{name}: score_frame totals differ from score_matrix")
    if not np.array_equal(rubric.score_frame(gaps_frame)["total"].to_numpy(), expected_gaps):
        raise SystemExit("with missing cells: score_frame totals differ from score_matrix")

    print(
        f"score_frame vs score_matrix, {rows:,} initiatives x {len(ids)} criteria, best of {runs} "
        f"({platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores)"
    )
    print("  (wall: best of the runs; CPU: all threads of that run; ratios against score_matrix above them)")
    base = best_of(runs, lambda: rubric.score_matrix(x, ids))
    results: List[Tuple[str, Tuple[float, float], Tuple[float, float]]] = [
        ("score_matrix (float64 matrix, totals only)", base, base)
    ]
    for name, df in frames.items():
        results.append((f"score_frame ({name})", best_of(runs, lambda df=df: rubric.score_frame(df)), base))
    gaps_base = best_of(runs, lambda: rubric.score_matrix(x_gaps, ids))
    label = f"{args.missing:.0%} cells missing"
    results.append((f"score_matrix ({label})", gaps_base, gaps_base))
    results.append(
        (f"score_frame (pandas, Categorical, {label})", best_of(runs, lambda: rubric.score_frame(gaps_frame)), gaps_base)
    )
    width = max(len(n) for n, _, _ in results)
    for name, (wall, cpu), (bw, bc) in results:
        print(
            f"  {name:<{width}}  wall {wall * 1000:7.1f} ms {wall / bw:5.2f}x"
            f"   CPU {cpu * 1000:7.1f} ms {cpu / bc:5.2f}x"
        )


if __name__ == "__main__":
    main()
