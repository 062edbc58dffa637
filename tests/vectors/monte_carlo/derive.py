"""Expected numbers for the Monte Carlo vectors, from an independent implementation.

The random numbers come from numpy's own PCG64 bit generator (PCG-XSL-RR 128/64) with its
state set explicitly; everything on top of them (uniforms, the polar normal, Marsaglia and
Tsang's gamma, the Dirichlet, inputs drawn inside their ranges, the weighted sum/product,
ranks, the histogram quantiles and the fixed-point mean) is written out here in plain Python
from the definitions in core/src/analysis/sampling.rs and monte_carlo.rs (the module docs),
without civic-value. Run from the repository root:

    python tests/vectors/monte_carlo/derive.py            # rewrite the *.json vectors
    python tests/vectors/monte_carlo/derive.py --selftest # print PCG64's first outputs

Value functions implemented: linear, log, likert, boolean; knock-outs: at_least.
"""

from __future__ import annotations

import json
import math
import os
import sys

import numpy as np

MULT = 0x2360ED051FC65DA44385DF649FCCF645
STREAM = 0x63697669632D76616C7565  # the bytes of "civic-value"
MASK = (1 << 128) - 1
HERE = os.path.dirname(os.path.abspath(__file__))


class Rng:
    """Draw d of seed s: rand_pcg's Pcg64::new(state=(s << 64) | d, stream=STREAM), whose
    internal state after seeding is ((state + inc) * MULT + inc) mod 2^128 with
    inc = (STREAM << 1) | 1; numpy's PCG64 then steps and outputs exactly as rand_pcg."""

    def __init__(self, seed: int, draw: int) -> None:
        inc = ((STREAM << 1) | 1) & MASK
        state = ((((seed << 64) | draw) + inc) * MULT + inc) & MASK
        self.bg = np.random.PCG64()
        st = self.bg.state
        st["state"] = {"state": state, "inc": inc}
        st["has_uint32"] = 0
        st["uinteger"] = 0
        self.bg.state = st

    def u64(self) -> int:
        return int(self.bg.random_raw())

    def uniform(self) -> float:
        return (self.u64() >> 11) * (1.0 / 9007199254740992.0)

    def normal(self) -> float:
        while True:
            u = 2.0 * self.uniform() - 1.0
            v = 2.0 * self.uniform() - 1.0
            s = u * u + v * v
            if 0.0 < s < 1.0:
                return u * math.sqrt(-2.0 * math.log(s) / s)

    def gamma(self, a: float) -> float:
        if not (a > 0.0 and math.isfinite(a)):
            return 0.0
        if a < 1.0:
            g = self.gamma(a + 1.0)
            return g * math.pow(self.uniform(), 1.0 / a)
        d = a - 1.0 / 3.0
        c = 1.0 / math.sqrt(9.0 * d)
        while True:
            x = self.normal()
            v = 1.0 + c * x
            if v <= 0.0:
                continue
            v = v * v * v
            u = self.uniform()
            x2 = x * x
            if u < 1.0 - 0.0331 * (x2 * x2):
                return d * v
            if (math.log(u) if u > 0.0 else -math.inf) < 0.5 * x2 + d * (1.0 - v + math.log(v)):
                return d * v

    def dirichlet(self, centre: list[float], concentration: float) -> list[float]:
        if math.isinf(concentration):
            return list(centre)
        g = [self.gamma(concentration * c) if c > 0.0 else 0.0 for c in centre]
        s = 0.0
        for x in g:
            s += x
        if s > 0.0 and math.isfinite(s):
            return [x / s for x in g]
        return list(centre)


def effective_weights(rubric: dict) -> list[float]:
    """Theme share x criterion share inside its theme."""
    themes = {t["id"]: t["weight"] for t in rubric["themes"]}
    theme_total = sum(themes.values())
    inside = {t: sum(c["weight"] for c in rubric["criteria"] if c["theme"] == t) for t in themes}
    return [
        (themes[c["theme"]] / theme_total) * (c["weight"] / inside[c["theme"]]) for c in rubric["criteria"]
    ]


def value(vf: dict, x: float) -> float:
    kind = vf["type"]
    if kind == "linear":
        return min(max((x - vf["worst"]) / (vf["best"] - vf["worst"]), 0.0), 1.0)
    if kind == "log":
        if x <= 0.0:
            return 0.0
        return min(math.log1p(x / vf["scale"]) / math.log1p(vf["best"] / vf["scale"]), 1.0)
    if kind == "likert":
        return (x - 1.0) / (vf["levels"] - 1.0)
    if kind == "boolean":
        return 1.0 if x else 0.0
    raise ValueError(kind)


def fails(criterion: dict, x: float) -> bool:
    ko = criterion.get("knockout")
    return ko is not None and x < ko["at_least"]


def total(aggregation: str, weights: list[float], values: list[float]) -> float:
    """The engine's sum: weight += w, then sum += w v (or w ln v for w > 0), in order."""
    acc, weight = 0.0, 0.0
    for w, v in zip(weights, values):
        weight += w
        if aggregation == "weighted_sum":
            acc += w * v
        elif w > 0.0:
            acc += w * (math.log(v) if v > 0.0 else -math.inf)
    t = 100.0 * acc / weight if aggregation == "weighted_sum" else 100.0 * math.exp(acc / weight)
    return min(max(t, 0.0), 100.0)


BINS_PER_POINT = 32
BINS = 3201


def quantile(hist: list[int], draws: int, q: float, lo_all: float, hi_all: float) -> float:
    h = q * draws
    before = 0.0
    for b, count in enumerate(hist):
        if count == 0:
            continue
        if before + count >= h:
            f = min(max((h - before) / count, 0.0), 1.0)
            lo = max(b / BINS_PER_POINT, lo_all)
            hi = min((b + 1) / BINS_PER_POINT, hi_all)
            return lo + f * (hi - lo)
        before += count
    return hi_all


def monte_carlo(case: dict) -> dict:
    rubric = case["rubric"]
    criteria = rubric["criteria"]
    aggregation = rubric.get("aggregation", "weighted_sum")
    o = case["options"]
    draws, seed, top_k, vary = o["draws"], o["seed"], o["top_k"], o["vary_inputs"]
    concentration = math.inf if o["concentration"] == "inf" else float(o["concentration"])
    centre = effective_weights(rubric)
    items = case["initiatives"]
    n = len(items)

    def encode(c: dict, raw):
        """(low, point, high) of an input."""
        if isinstance(raw, list):
            return raw[0], 0.5 * raw[0] + 0.5 * raw[1], raw[1]
        x = float(raw) if not isinstance(raw, bool) else (1.0 if raw else 0.0)
        return x, x, x

    cells = [[encode(c, item[c["id"]]) for c in criteria] for item in items]
    hist = [[0] * BINS for _ in range(n)]
    sums = [0] * n
    lows = [math.inf] * n
    highs = [-math.inf] * n
    ranks = [[0] * n for _ in range(n)]
    top = [0] * n
    for d in range(draws):
        rng = Rng(seed, d)
        weights = rng.dirichlet(centre, concentration)
        totals, passes = [], []
        for i in range(n):
            values, knocked = [], False
            for c, (lo, point, hi) in zip(criteria, cells[i]):
                x = point
                if vary and lo < hi:
                    x = lo + rng.uniform() * (hi - lo)
                    values.append(value(c["value_function"], x))
                else:
                    values.append(value(c["value_function"], point))
                # A range's knock-out fails for certain only when both ends fail.
                if vary or lo == hi:
                    knocked |= fails(c, x)
                else:
                    knocked |= fails(c, lo) and fails(c, hi)
            totals.append(total(aggregation, weights, values) + 0.0)
            passes.append(not knocked)
        # Passing first, then by total, highest first; ties by position.
        order = sorted(range(n), key=lambda i: (not passes[i], -totals[i], i))
        for place, i in enumerate(order):
            ranks[i][place] += 1
            if place < top_k and passes[i]:
                top[i] += 1
        for i, t in enumerate(totals):
            hist[i][min(int(t * BINS_PER_POINT), BINS - 1)] += 1
            sums[i] += int(t * 2.0**60)
            lows[i] = min(lows[i], t)
            highs[i] = max(highs[i], t)
    summary = []
    for i in range(n):
        summary.append(
            {
                "mean": float(sums[i]) / 2.0**60 / draws,
                "p5": quantile(hist[i], draws, 0.05, lows[i], highs[i]),
                "p50": quantile(hist[i], draws, 0.5, lows[i], highs[i]),
                "p95": quantile(hist[i], draws, 0.95, lows[i], highs[i]),
                "p_top_k": top[i] / draws,
            }
        )
    return {"summary": summary, "ranks": [[c / draws for c in row] for row in ranks]}


RUBRIC = {
    "id": "mc-vec",
    "version": "1",
    "themes": [{"id": "social", "weight": 3}, {"id": "support", "weight": 1}],
    "criteria": [
        {"id": "hours", "theme": "social", "weight": 2, "min": 0,
         "value_function": {"type": "log", "best": 5000, "scale": 500}},
        {"id": "contact", "theme": "social", "weight": 1,
         "value_function": {"type": "likert", "levels": 5}},
        {"id": "share", "theme": "support", "weight": 1, "min": 0, "max": 100,
         "value_function": {"type": "linear", "worst": 30, "best": 90},
         "knockout": {"at_least": 50}},
    ],
}
ITEMS = [
    {"hours": [2500, 4000], "contact": 4, "share": 72},
    {"hours": 1200, "contact": 5, "share": [45, 60]},
    {"hours": [300, 900], "contact": 3, "share": [55, 85]},
    {"hours": 3000, "contact": 2, "share": 40},
    {"hours": [1000, 2000], "contact": 4, "share": [60, 70]},
]

CASES = [
    {
        "name": "weighted-sum-ranges",
        "note": "Dirichlet weights (concentration 50) and ranged inputs drawn uniformly; "
        "initiative 3 is knocked out (share 40 < 50) and initiative 1's range straddles the "
        "knock-out, so it is knocked out in the draws where its share falls below 50.",
        "rubric": RUBRIC,
        "initiatives": ITEMS,
        "options": {"draws": 600, "seed": 7, "concentration": 50, "vary_inputs": True, "top_k": 2},
    },
    {
        "name": "weighted-product-fixed-inputs",
        "note": "Weighted product; weights drawn (concentration 20), ranges kept at their "
        "midpoints (vary_inputs false): initiative 1's range only may fail the knock-out, so it "
        "passes.",
        "rubric": dict(RUBRIC, aggregation="weighted_product"),
        "initiatives": ITEMS,
        "options": {"draws": 400, "seed": 12345, "concentration": 20, "vary_inputs": False, "top_k": 3},
    },
    {
        "name": "fixed-weights-ranged-inputs",
        "note": "Fixed weights (concentration inf, no gamma variates drawn): only the ranged "
        "inputs vary; a large seed checks the (seed << 64) | draw state.",
        "rubric": RUBRIC,
        "initiatives": ITEMS,
        "options": {"draws": 300, "seed": 18446744073709551615, "concentration": "inf",
                    "vary_inputs": True, "top_k": 1},
    },
]


def main() -> None:
    if "--selftest" in sys.argv:
        rng = Rng(0, 0)
        print([rng.u64() for _ in range(3)])
        return
    for case in CASES:
        out = dict(case)
        out["note"] = case["note"] + " Expected numbers: tests/vectors/monte_carlo/derive.py (numpy PCG64 + plain Python)."
        out["expected"] = monte_carlo(case)
        path = os.path.join(HERE, case["name"] + ".json")
        with open(path, "w") as f:
            json.dump(out, f, indent=1)
            f.write("\n")
        print("wrote", path)


if __name__ == "__main__":
    main()
