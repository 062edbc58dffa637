"""Benchmark: civic_value's Monte Carlo (10 000 draws x 1 000 initiatives x 12 criteria, the
built-in rubric, three inputs per initiative given as ranges) against a numpy implementation
of the same sampling and scoring, timed in this one process.

The numpy version does per draw what the engine does: weights from a Dirichlet centred on the
effective weights (concentration 100, numpy's gamma), the three ranged inputs drawn uniformly
(numpy's uniform) and put through their value functions (log, log, linear), the weighted sum
of every initiative, the knock-out on support_share at the drawn value, every initiative's
place (passing ones first, by total), and per initiative the mean, p5/p50/p95 (numpy's
percentile over all stored totals) and the share of draws in the top 3. It works on blocks of
256 draws with every array operation vectorised; the values of the nine fixed inputs are
computed once, outside the timing. The random numbers differ (numpy's generators), so the
two agree only statistically: the largest difference of the means is printed.

Run (after `bash scripts/steps/python.sh`, which builds the package into target/venv-py):

    target/venv-py/bin/python benches/python/bench_monte_carlo.py

`--quick` is a small smoke run (used by the test step). Wall-clock time and this process's CPU
time are both printed, and both ratios: the wall ratio with civic_value on two threads is the
issue's goal (numpy is single-threaded); on a shared machine the CPU ratio is the steadier
figure (the wall ratio needs two idle cores).
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

RANGED = ("volunteer_hours", "green_area_m2", "support_share")


def frame(n: int) -> pd.DataFrame:
    """The benchmark's initiatives (the same rule as benches/rust/monte_carlo.rs)."""
    rows: List[Dict[str, Any]] = []
    for i in range(n):
        f = (i * 0.618033988749895) % 1.0
        g = (i * 0.754877666246693) % 1.0
        hours, area, support = 100 + 4000 * f, 50 + 15000 * g, 50 + 45 * (1 - f)
        rows.append(
            {
                "volunteer_hours": (hours, hours * 1.5),
                "neighbour_contact": 1 + i % 5,
                "inclusion": ["none", "one_group", "several_groups"][i % 3],
                "green_area_m2": (area, area * 1.3),
                "biodiversity": 1 + (i // 5) % 5,
                "residents_reached": 200 + 9000 * g,
                "support_share": (support - 5, support),
                "partners": i % 8,
                "plan_maturity": 1 + (i // 3) % 5,
                "permit_secured": i % 4 != 0,
                "municipal_contribution": 5000 + 200000 * g,
                "cofunding_share": 60 * f,
            }
        )
    return pd.DataFrame(rows, index=[f"i{i}" for i in range(n)])


def numpy_monte_carlo(rubric: Rubric, df: pd.DataFrame, draws: int, seed: int, top_k: int = 3) -> Dict[str, np.ndarray]:
    """The same computation in numpy (see the module docstring)."""
    ids = [c.id for c in rubric.criteria]
    w0 = np.array([rubric.weights()[c] for c in ids])
    n, m = len(df), len(ids)
    # Setup, outside the timing: the values of the fixed inputs (ranges at their midpoints).
    base = np.array([[row.value for row in rubric.score(dict(r)).criteria] for _, r in df.iterrows()])
    doc = {c["id"]: c for c in rubric.to_dict()["criteria"]}
    cols = [ids.index(c) for c in RANGED]
    lows = np.array([[df[c].iloc[i][0] for c in RANGED] for i in range(n)])
    highs = np.array([[df[c].iloc[i][1] for c in RANGED] for i in range(n)])
    vfs = [doc[c]["value_function"] for c in RANGED]
    threshold = doc["support_share"]["knockout"]["at_least"]
    fixed_ko = np.zeros(n, dtype=bool)

    def run() -> Dict[str, np.ndarray]:
        rng = np.random.default_rng(seed)
        totals = np.empty((draws, n))
        places = np.zeros((n, n), dtype=np.int64)
        top = np.zeros(n)
        block = 256
        for start in range(0, draws, block):
            b = min(block, draws - start)
            g = rng.gamma(100.0 * w0, size=(b, m))
            w = g / g.sum(axis=1, keepdims=True)
            x = lows + rng.uniform(size=(b, n, len(RANGED))) * (highs - lows)
            vals = np.broadcast_to(base, (b, n, m)).copy()
            for k, (col, vf) in enumerate(zip(cols, vfs)):
                if vf["type"] == "log":
                    v = np.minimum(np.log1p(np.maximum(x[:, :, k], 0) / vf["scale"]) / np.log1p(vf["best"] / vf["scale"]), 1.0)
                else:
                    v = np.clip((x[:, :, k] - vf["worst"]) / (vf["best"] - vf["worst"]), 0.0, 1.0)
                vals[:, :, col] = v
            t = np.clip(100.0 * np.einsum("bnm,bm->bn", vals, w) / w.sum(axis=1, keepdims=True), 0, 100)
            passes = ~(fixed_ko | (x[:, :, RANGED.index("support_share")] < threshold))
            order = np.lexsort((np.broadcast_to(np.arange(n), (b, n)), -t, ~passes), axis=-1)
            place = np.empty_like(order)
            np.put_along_axis(place, order, np.arange(n)[None, :], axis=1)
            np.add.at(places, (np.broadcast_to(np.arange(n), (b, n)), place), 1)
            top += ((place < top_k) & passes).sum(axis=0)
            totals[start : start + b] = t
        p5, p50, p95 = np.percentile(totals, [5, 50, 95], axis=0)
        return {"mean": totals.mean(axis=0), "p5": p5, "p50": p50, "p95": p95, "p_top_k": top / draws, "ranks": places / draws}

    return run()


def timed(fn: Callable[[], Any], repeat: int) -> Tuple[float, float, Any]:
    """Best wall-clock and CPU seconds of `repeat` runs after a warm-up, and the last result."""
    out = fn()
    best_wall, best_cpu = float("inf"), float("inf")
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        best_wall = min(best_wall, time.perf_counter() - w0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    return best_wall, best_cpu, out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="a small smoke run")
    p.add_argument("--initiatives", type=int, default=1000)
    p.add_argument("--draws", type=int, default=10_000)
    a = p.parse_args()
    n, draws, repeat = (100, 200, 1) if a.quick else (a.initiatives, a.draws, 3)
    rubric = Rubric.default()
    df = frame(n)
    cores = os.cpu_count() or 1
    print(f"Monte Carlo, {draws} draws x {n} initiatives x 12 criteria (3 ranged inputs each); "
          f"{platform.python_version()}, numpy {np.__version__}, {cores} cores")
    # The goal: the engine on two threads ("on two cores") against numpy, which runs
    # single-threaded here (no BLAS threads in these operations): wall and CPU time.
    cv_wall, cv_cpu, mc = timed(lambda: rubric.monte_carlo(df, draws=draws, seed=1, threads=2), repeat)
    one_wall, one_cpu, mc1 = timed(lambda: rubric.monte_carlo(df, draws=draws, seed=1, threads=1), repeat)
    np_wall, np_cpu, ref = timed(lambda: numpy_monte_carlo(rubric, df, draws, seed=1), repeat)
    assert mc.summary.equals(mc1.summary), "same bits on any number of threads"
    diff = float(np.max(np.abs(mc.summary["mean"].to_numpy() - ref["mean"])))
    per = 1e9 / (n * draws)
    print(f"  civic_value, 2 threads: {cv_wall:.3f} s wall, {cv_cpu:.3f} s CPU ({cv_cpu * per:.1f} ns CPU per initiative-draw)")
    print(f"  civic_value, 1 thread:  {one_wall:.3f} s wall, {one_cpu:.3f} s CPU ({one_cpu * per:.1f} ns CPU per initiative-draw)")
    print(f"  numpy:                  {np_wall:.3f} s wall, {np_cpu:.3f} s CPU")
    print(f"  ratio numpy / civic_value, wall, civic_value on 2 threads: {np_wall / cv_wall:.1f}x (goal: at least 10x)")
    print(f"  ratio numpy / civic_value, CPU time, civic_value on 2 threads: {np_cpu / cv_cpu:.1f}x; on 1 thread: "
          f"{np_cpu / one_cpu:.1f}x CPU, {np_wall / one_wall:.1f}x wall")
    print(f"  largest difference of the means (different random numbers): {diff:.3f} points")


if __name__ == "__main__":
    main()
