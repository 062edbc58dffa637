"""Benchmark: civic_value's score_matrix on 1 000 000 initiatives x 12 criteria against

  (a) a hand-written numpy min-max weighted sum of the same matrix (the straightforward
      way: normalise each column to [0, 1], cost criteria inverted, then weight and sum),
  (b) the weighted-sum model of pymcdm (WSM with min-max normalisation), and
  (c) the weighted-sum model of scikit-criteria (MinMaxInverter + WeightedSumModel),

all with the built-in rubric's effective weights, timed in this one process (best of a few
runs, after a warm-up). The baselines only normalise and weigh; score_matrix also checks
every value and applies the rubric's value functions (log, Likert, piecewise, options).

Run (after `bash scripts/steps/python.sh`, which builds the package into target/venv-py):

    target/venv-py/bin/pip install -r benches/python/requirements.txt
    target/venv-py/bin/python benches/python/bench_score_matrix.py

`--rows N` changes the size; `--quick` is a small smoke run (used by the test step).
Packages that are not installed are skipped and said so.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from typing import Callable, Dict, List, Optional

import numpy as np

from civic_value import Rubric


def matrix(rubric: Rubric, n: int, seed: int = 1) -> np.ndarray:
    """Valid inputs for every criterion of the built-in rubric, in the numeric encoding."""
    rng = np.random.default_rng(seed)
    columns = []
    for c in rubric.criteria:
        if c.kind == "number":
            high = c.max if c.max is not None else 30_000.0
            columns.append(rng.uniform(c.min or 0.0, high, n))
        elif c.kind == "likert":
            columns.append(rng.integers(1, (c.levels or 2) + 1, n).astype(float))
        elif c.kind == "boolean":
            columns.append(rng.integers(0, 2, n).astype(float))
        else:
            columns.append(rng.integers(0, len(c.options), n).astype(float))
    return np.ascontiguousarray(np.column_stack(columns))


def cost_columns(rubric: Rubric) -> np.ndarray:
    """Criteria where less is better (a linear value function with worst > best)."""
    doc = {c["id"]: c for c in rubric.to_dict()["criteria"]}
    return np.array(
        [
            doc[c.id]["value_function"].get("type") == "linear"
            and doc[c.id]["value_function"]["worst"] > doc[c.id]["value_function"]["best"]
            for c in rubric.criteria
        ]
    )


def numpy_min_max_weighted_sum(x: np.ndarray, weights: np.ndarray, cost: np.ndarray) -> np.ndarray:
    low = x.min(axis=0)
    high = x.max(axis=0)
    normalised = (x - low) / (high - low)
    normalised[:, cost] = 1.0 - normalised[:, cost]
    return 100.0 * (normalised @ weights)


def best_of(runs: int, f: Callable[[], object]) -> float:
    f()  # warm-up
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return min(times)


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    args = parser.parse_args(argv)
    rows, runs = (5_000, 1) if args.quick else (args.rows, args.runs)

    rubric = Rubric.default()
    ids = [c.id for c in rubric.criteria]
    weights = np.array([rubric.weights()[i] for i in ids])
    cost = cost_columns(rubric)
    x = matrix(rubric, rows)

    totals = rubric.score_matrix(x, ids)
    assert totals.shape == (rows,) and np.all((0 <= totals) & (totals <= 100))
    baseline = numpy_min_max_weighted_sum(x, weights, cost)
    assert baseline.shape == (rows,)

    timings: Dict[str, float] = {}
    cores = os.cpu_count() or 1
    timings[f"civic_value score_matrix ({cores} threads)"] = best_of(runs, lambda: rubric.score_matrix(x, ids))
    timings["civic_value score_matrix (1 thread)"] = best_of(runs, lambda: rubric.score_matrix(x, ids, threads=1))
    timings["numpy min-max weighted sum"] = best_of(runs, lambda: numpy_min_max_weighted_sum(x, weights, cost))

    skipped = []
    try:
        from pymcdm import normalizations
        from pymcdm.methods import WSM

        types = np.where(cost, -1, 1)
        wsm = WSM(normalization_function=normalizations.minmax_normalization)
        # Same weighted sum up to the factor 100 (pymcdm leaves out the 100).
        assert np.allclose(100 * wsm(x, weights, types), baseline)
        timings["pymcdm WSM (min-max)"] = best_of(max(1, runs // 2), lambda: wsm(x, weights, types))
    except ImportError:
        skipped.append("pymcdm")
    try:
        import skcriteria as skc
        from skcriteria.agg.simple import WeightedSumModel
        from skcriteria.pipelines import mkpipe
        from skcriteria.preprocessing.invert_objectives import MinMaxInverter

        objectives = [min if c else max for c in cost]
        pipe = mkpipe(MinMaxInverter(), WeightedSumModel())

        def skcriteria_wsm() -> np.ndarray:
            dm = skc.mkdm(x, objectives, weights=weights, criteria=ids)
            return np.asarray(pipe.evaluate(dm).e_.score)

        assert np.allclose(100 * skcriteria_wsm(), baseline)
        timings["scikit-criteria WeightedSumModel (min-max)"] = best_of(max(1, runs // 2), skcriteria_wsm)
    except ImportError:
        skipped.append("scikit-criteria")

    ours = timings[f"civic_value score_matrix ({cores} threads)"]
    ours_1 = timings["civic_value score_matrix (1 thread)"]
    print(f"score_matrix, {rows:,} initiatives x {len(ids)} criteria, best of {runs}")
    print(f"python {platform.python_version()}, numpy {np.__version__}, {cores} cores")
    for name, t in timings.items():
        ratio = t / ours
        ratio_1 = t / ours_1
        print(f"  {name:<45} {1000 * t:9.1f} ms   x{ratio:6.2f} vs default   x{ratio_1:6.2f} vs 1 thread")
    if skipped:
        print(f"  skipped (not installed): {', '.join(skipped)}")


if __name__ == "__main__":
    main()
