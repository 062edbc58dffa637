"""Independent derivation of the expected numbers of the matrix vectors in this folder.

numpy straight from the textbook definitions, written without looking at the engine's code
and with other algorithms where there is a choice: AHP weights from numpy.linalg.eig (not
power iteration), TOPSIS in its classic form (raw vector normalisation, ideal = max of a
benefit and min of a cost column), rank weights with exact fractions. Published numbers are
asserted where a source gives them (Saaty 1990; see each case's note). Writes the
`*.json` vectors of kinds ahp, ahp_synthesis, roc, rank_sum, swing, entropy, critic,
normalize, wsum and topsis; the rubric vectors (levers, path_to, …) are derived by hand
in their notes. Run: target/venv-py/bin/python tests/vectors/weigh/derive.py
"""

import json
import pathlib
from fractions import Fraction

import numpy as np

HERE = pathlib.Path(__file__).parent
SAATY = [0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49]
ALONSO_LAMATA = [0, 0, 0.5245, 0.8815, 1.1086, 1.2479, 1.3417, 1.4056, 1.4499, 1.4854,
                 1.5141, 1.5365, 1.5551, 1.5713, 1.5838]


def ri_value(n, table):
    if table == "saaty":
        return SAATY[n - 1]
    return ALONSO_LAMATA[n - 1] if n <= 15 else (1.7699 * n - 4.3513) / (n - 1)


def ahp(a, method="eigenvector", ri="saaty"):
    a = np.array(a, dtype=float)
    n = a.shape[0]
    if method == "eigenvector":
        values, vectors = np.linalg.eig(a)
        k = int(np.argmax(values.real))
        w = np.abs(vectors[:, k].real)
        w = w / w.sum()
        lam = float(values[k].real)
    else:
        g = np.prod(a, axis=1) ** (1.0 / n)
        w = g / g.sum()
        lam = float(np.mean((a @ w) / w))
    if n <= 2:
        return dict(weights=w.tolist(), lambda_max=float(n), ci=0.0, cr=0.0, consistent=True)
    ci = max(0.0, (lam - n) / (n - 1))
    cr = ci / ri_value(n, ri)
    return dict(weights=w.tolist(), lambda_max=lam, ci=ci, cr=cr, consistent=bool(cr <= 0.10))


def normalize(x, types, method):
    x = np.array(x, dtype=float)
    out = np.empty_like(x)
    for j, t in enumerate(types):
        c = x[:, j]
        if method == "minmax":
            out[:, j] = (c - c.min()) / (c.max() - c.min()) if t == 1 else (c.max() - c) / (c.max() - c.min())
        elif method == "max":
            out[:, j] = c / c.max() if t == 1 else 1 - c / c.max()
        elif method == "sum":
            out[:, j] = c / c.sum() if t == 1 else (1 / c) / (1 / c).sum()
        elif method == "vector":
            out[:, j] = c / np.linalg.norm(c) if t == 1 else 1 - c / np.linalg.norm(c)
        elif method == "linear":
            out[:, j] = c / c.max() if t == 1 else c.min() / c
    return out


def topsis_classic(x, weights, types):
    """Hwang & Yoon: r = x/||x|| for every column, v = w r, ideal = max (benefit) or min (cost)."""
    x = np.array(x, dtype=float)
    w = np.array(weights, dtype=float) / np.sum(weights)
    v = x / np.linalg.norm(x, axis=0) * w
    t = np.array(types)
    ideal = np.where(t == 1, v.max(axis=0), v.min(axis=0))
    anti = np.where(t == 1, v.min(axis=0), v.max(axis=0))
    dp = np.linalg.norm(v - ideal, axis=1)
    dm = np.linalg.norm(v - anti, axis=1)
    return (dm / (dp + dm)).tolist()


def topsis(x, weights, types, normalization):
    w = np.array(weights, dtype=float) / np.sum(weights)
    v = normalize(x, types, normalization) * w
    dp = np.linalg.norm(v - v.max(axis=0), axis=1)
    dm = np.linalg.norm(v - v.min(axis=0), axis=1)
    return (dm / (dp + dm)).tolist()


def wsum(x, weights, types, normalization):
    w = np.array(weights, dtype=float)
    return (normalize(x, types, normalization) @ w / w.sum()).tolist()


def entropy(x, types):
    p = normalize(x, types, "sum")
    m = p.shape[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(p), 0.0)
    e = -plogp.sum(axis=0) / np.log(m)
    d = 1 - e
    return (d / d.sum()).tolist()


def critic(x, types):
    r = normalize(x, types, "minmax")
    sd = r.std(axis=0, ddof=1)  # sample sd: the factor cancels in the weights
    corr = np.corrcoef(r, rowvar=False)
    c = sd * (1 - corr).sum(axis=0)
    return (c / c.sum()).tolist()


def roc(n):
    return [float(sum(Fraction(1, i) for i in range(k, n + 1)) / n) for k in range(1, n + 1)]


def rank_sum(n):
    return [float(Fraction(2 * (n + 1 - k), n * (n + 1))) for k in range(1, n + 1)]


def f(s):
    """A judgement written as text: '1/3' or '5'."""
    if "/" in s:
        a, b = s.split("/")
        return float(a) / float(b)
    return float(s)


def m(text):
    return [[f(c) for c in row.split()] for row in text.strip().splitlines()]


cases = []


def case(name, kind, note, args, expected=None, error=None):
    v = {"name": name, "kind": kind, "note": note, "args": args}
    if error is not None:
        v["error"] = error
    else:
        v["expected"] = expected
    cases.append(v)


# ---- AHP ------------------------------------------------------------------------------

HOUSE = m("""
1   5   3   7   6   6   1/3 1/4
1/5 1   1/3 5   3   3   1/5 1/7
1/3 3   1   6   3   4   6   1/5
1/7 1/5 1/6 1   1/3 1/4 1/7 1/8
1/6 1/3 1/3 3   1   1/2 1/5 1/6
1/6 1/3 1/4 4   2   1   1/5 1/6
3   5   1/6 7   5   5   1   1/2
4   7   5   8   6   6   2   1
""")
house = ahp(HOUSE)
# Published: T. L. Saaty, "How to make a decision: the analytic hierarchy process",
# European Journal of Operational Research 48 (1990) 9-26, the house example (criteria
# matrix): weights .173 .054 .188 .018 .031 .036 .167 .333, lambda_max 9.669, CI 0.238,
# CR 0.169.
assert np.allclose(house["weights"], [.173, .054, .188, .018, .031, .036, .167, .333], atol=6e-4), house
assert abs(house["lambda_max"] - 9.669) < 6e-4 and abs(house["ci"] - 0.238) < 6e-4
assert abs(house["cr"] - 0.169) < 6e-4 and not house["consistent"]
case("ahp-saaty-house", "ahp",
     "Saaty (1990), EJOR 48:9-26, house example: published weights .173 .054 .188 .018 .031 "
     ".036 .167 .333, lambda_max 9.669, CI 0.238, CR 0.169 (not consistent); full precision "
     "from numpy.linalg.eig in derive.py, which asserts the published figures.",
     {"matrix": HOUSE}, house)
case("ahp-saaty-house-geometric-mean", "ahp",
     "The same matrix by row geometric means; lambda_max estimated as mean((A w)_i / w_i); "
     "numpy in derive.py.",
     {"matrix": HOUSE, "method": "geometric_mean"}, ahp(HOUSE, "geometric_mean"))

W = [0.5, 0.3, 0.2]
CONSISTENT = [[wi / wj for wj in W] for wi in W]
case("ahp-consistent", "ahp",
     "a_ij = w_i/w_j for w = (0.5, 0.3, 0.2): the eigenvector is w, lambda_max = n = 3 "
     "(row i of A w is sum_j w_i/w_j * w_j = 3 w_i), CI = CR = 0.",
     {"matrix": CONSISTENT},
     {"weights": W, "lambda_max": 3.0, "ci": 0.0, "cr": 0.0, "consistent": True})

THREE = m("""
1   1/3 1/2
3   1   3
2   1/3 1
""")
three = ahp(THREE)
case("ahp-three-alonso-lamata", "ahp",
     "3x3 judgements; RI from Alonso & Lamata (2006), RI(3) = 0.5245 instead of Saaty's "
     "0.58: CR = CI/0.5245; numpy in derive.py.",
     {"matrix": THREE, "ri": "alonso_lamata"}, ahp(THREE, ri="alonso_lamata"))
case("ahp-two", "ahp",
     "2x2 [[1, 4], [1/4, 1]]: w = (4/5, 1/5) (eigenvector (4, 1)); n = 2 gives CR 0.",
     {"matrix": [[1, 4], [0.25, 1]]},
     {"weights": [0.8, 0.2], "lambda_max": 2.0, "ci": 0.0, "cr": 0.0, "consistent": True})
case("ahp-not-reciprocal", "ahp",
     "row 2, column 1 (matrix[1][0]) must be 1/3, the reciprocal of matrix[0][1] = 3; 0.5 is "
     "refused, not repaired.",
     {"matrix": [[1, 3, 2], [0.5, 1, 1], [0.5, 1, 1]]},
     error={"code": "input.not_reciprocal", "path": "matrix[1][0]",
            "message": "must be 1/3 (reciprocal of 3), got 0.5"})
case("ahp-not-square", "ahp", "a 2x3 matrix: row 0 has 3 values, 2 expected.",
     {"matrix": [[1, 2, 3], [0.5, 1, 2]]}, error={"code": "input.shape", "path": "matrix[0]"})
case("ahp-not-positive", "ahp", "a judgement of 0 is refused at its cell.",
     {"matrix": [[1, 0], [1, 1]]}, error={"code": "input.not_positive", "path": "matrix[0][1]"})
case("ahp-diagonal", "ahp", "an item compared with itself must be 1.",
     {"matrix": [[1, 2], [0.5, 2]]}, error={"code": "input.diagonal_not_one", "path": "matrix[1][1]"})
ELEVEN = [[1.0] * 11 for _ in range(11)]
case("ahp-saaty-eleven", "ahp", "Saaty's random index stops at n = 10: n = 11 is refused.",
     {"matrix": ELEVEN}, error={"code": "input.random_index_not_covered", "path": "matrix"})
case("ahp-alonso-lamata-eleven", "ahp",
     "All ones (11x11): consistent, equal weights 1/11, lambda_max 11, CR 0 under Alonso & Lamata.",
     {"matrix": ELEVEN, "ri": "alonso_lamata"},
     {"weights": [1 / 11] * 11, "lambda_max": 11.0, "ci": 0.0, "cr": 0.0, "consistent": True})

# Synthesis: two criteria, three alternatives.
CRIT = [[1, 3], [1 / 3, 1]]
ALT1 = m("""
1   2   4
1/2 1   2
1/4 1/2 1
""")
ALT2 = m("""
1 1/2 1/4
2 1   1/2
4 2   1
""")
w_c = ahp(CRIT)["weights"]
loc1, loc2 = ahp(ALT1)["weights"], ahp(ALT2)["weights"]
case("ahp-synthesis", "ahp_synthesis",
     "Criteria [[1,3],[1/3,1]] give (3/4, 1/4); both alternative matrices are consistent: "
     "(4/7, 2/7, 1/7) and (1/7, 2/7, 4/7); global = 3/4 * first + 1/4 * second = "
     "(13/28, 8/28, 7/28).",
     {"criteria": CRIT, "alternatives": [ALT1, ALT2]},
     {"priorities": [13 / 28, 8 / 28, 7 / 28]})
assert np.allclose(np.array(w_c) @ np.array([loc1, loc2]), [13 / 28, 8 / 28, 7 / 28])

# ---- rank and points weights ------------------------------------------------------------

case("roc-four", "roc",
     "ROC n = 4: w1 = (1 + 1/2 + 1/3 + 1/4)/4 = 25/48, w2 = (1/2 + 1/3 + 1/4)/4 = 13/48, "
     "w3 = (1/3 + 1/4)/4 = 7/48, w4 = (1/4)/4 = 3/48 (Barron & Barrett 1996, Table 1: "
     ".5208 .2708 .1458 .0625).",
     {"n": 4}, {"weights": roc(4)})
case("rank-sum-four", "rank_sum",
     "Rank sum n = 4: 2(n + 1 - k)/(n(n + 1)) = 8/20, 6/20, 4/20, 2/20.",
     {"n": 4}, {"weights": rank_sum(4)})
case("roc-zero", "roc", "n = 0 ranks nothing.", {"n": 0}, error={"code": "input.empty", "path": "n"})
case("swing-three", "swing",
     "Swings 100, 60, 40: weights 100/200, 60/200, 40/200.",
     {"points": [100, 60, 40]}, {"weights": [0.5, 0.3, 0.2]})
case("swing-without-best", "swing", "No swing was given 100.",
     {"points": [80, 60, 40]}, error={"code": "input.swing_without_best", "path": "points"})
case("swing-out-of-range", "swing", "Swings are rated 0-100.",
     {"points": [100, 120]}, error={"code": "input.out_of_range", "path": "points[1]"})

# ---- objective weights ----------------------------------------------------------------

DATA = [[250, 16, 12, 5], [200, 16, 8, 3], [300, 32, 16, 4], [275, 32, 8, 4], [225, 16, 16, 2]]
TYPES = [-1, 1, 1, 1]
case("entropy-phones", "entropy",
     "5 alternatives x 4 criteria (price is a cost): shares by sum normalisation (cost 1/x), "
     "e_j = -sum p ln p / ln 5, w = (1 - e)/sum(1 - e); numpy in derive.py.",
     {"matrix": DATA, "types": TYPES}, {"weights": entropy(DATA, TYPES)})
case("critic-phones", "critic",
     "The same matrix: min-max normalisation (cost turned), C_j = sd_j * sum_k (1 - r_jk), "
     "w = C/sum C; numpy (np.std, np.corrcoef) in derive.py.",
     {"matrix": DATA, "types": TYPES}, {"weights": critic(DATA, TYPES)})
case("critic-constant-column", "critic",
     "Column 1 is 16 in every row: min-max normalisation divides by zero, so it is refused.",
     {"matrix": [[1, 16], [2, 16]], "types": [1, 1]},
     error={"code": "input.degenerate_column", "path": "matrix[*][1]"})
case("entropy-one-row", "entropy", "Entropy needs at least two rows (ln 1 = 0).",
     {"matrix": [[1, 2]], "types": [1, 1]}, error={"code": "input.shape", "path": "matrix"})

# ---- normalisations, weighted sum, TOPSIS -----------------------------------------------

SMALL = [[3, 4], [4, 3], [5, 2]]
for method in ["minmax", "max", "sum", "vector", "linear"]:
    case(f"normalize-{method}", "normalize",
         f"{method} normalisation of [[3,4],[4,3],[5,2]], column 1 a cost: numpy in derive.py "
         "from the table in the issue.",
         {"matrix": SMALL, "types": [1, -1], "method": method},
         {"matrix": normalize(SMALL, [1, -1], method).tolist()})
case("normalize-minmax-constant", "normalize", "A constant column has no min-max range.",
     {"matrix": [[1, 5], [2, 5]], "types": [1, 1], "method": "minmax"},
     error={"code": "input.degenerate_column", "path": "matrix[*][1]",
            "message": "is constant (5 in every row): minmax normalisation is undefined for this column"})
case("normalize-unknown", "normalize", "There is no 'zscore' normalisation here.",
     {"matrix": SMALL, "types": [1, 1], "method": "zscore"},
     error={"code": "input.unknown_method", "path": "normalization"})
case("normalize-bad-type", "normalize", "A type is 1 or -1.",
     {"matrix": SMALL, "types": [1, 0], "method": "max"},
     error={"code": "input.invalid_type", "path": "types[1]"})

case("wsum-minmax", "wsum",
     "[[3,4],[4,3],[5,2]], both benefit, weights (3, 1): min-max gives rows (0, 1), (1/2, 1/2), "
     "(1, 0); scores (3*0 + 1*1)/4 = 0.25, (3/2 + 1/2)/4 = 0.5, 3/4 = 0.75.",
     {"matrix": SMALL, "weights": [3, 1], "types": [1, 1]}, {"scores": [0.25, 0.5, 0.75]})
assert np.allclose(wsum(SMALL, [3, 1], [1, 1], "minmax"), [0.25, 0.5, 0.75])

case("topsis-hand", "topsis",
     "[[3,4],[4,3]], benefit, weights (0.75, 0.25): norms 5 and 5, r = [[.6,.8],[.8,.6]], "
     "v = [[.45,.2],[.6,.15]], ideal (.6,.2), anti (.45,.15); row 1: d+ = .15, d- = .05, "
     "C = .25; row 2: d+ = .05, d- = .15, C = .75.",
     {"matrix": [[3, 4], [4, 3]], "weights": [0.75, 0.25], "types": [1, 1]},
     {"scores": [0.25, 0.75]})
assert np.allclose(topsis_classic([[3, 4], [4, 3]], [0.75, 0.25], [1, 1]), [0.25, 0.75])

# Hwang & Yoon (1981) fighter-aircraft matrix (4 aircraft x 6 criteria, cost per unit is a
# cost criterion), with the weights of their example.
PLANES = [[2.0, 1500, 20000, 5.5, 5, 9], [2.5, 2700, 18000, 6.5, 3, 5],
          [1.8, 2000, 21000, 4.5, 7, 7], [2.2, 1800, 20000, 5.0, 5, 5]]
PW, PT = [0.2, 0.1, 0.1, 0.1, 0.2, 0.3], [1, 1, 1, -1, 1, 1]
classic = topsis_classic(PLANES, PW, PT)
assert np.allclose(classic, topsis(PLANES, PW, PT, "vector")), "1 - x/||x|| keeps the distances"
case("topsis-aircraft", "topsis",
     "Hwang & Yoon (1981) fighter-aircraft decision matrix (cost: the 4th column) and weights "
     "(.2, .1, .1, .1, .2, .3); classic TOPSIS (raw vector normalisation, ideal = min of a cost "
     "column) in numpy, derive.py; cost as 1 - x/||x|| gives the same distances.",
     {"matrix": PLANES, "weights": PW, "types": PT}, {"scores": classic})
DOM = [[9, 1, 8], [5, 3, 6], [7, 2, 7]]
case("topsis-dominant", "topsis",
     "Row 0 is best on every criterion (9 highest, 1 lowest of a cost, 8 highest): d+ = 0, "
     "closeness exactly 1.",
     {"matrix": DOM, "weights": [1, 1, 1], "types": [1, -1, 1]},
     {"scores": topsis(DOM, [1, 1, 1], [1, -1, 1], "vector"), "exact": [0]})
case("topsis-minmax", "topsis",
     "The aircraft matrix under min-max normalisation: numpy in derive.py.",
     {"matrix": PLANES, "weights": PW, "types": PT, "normalization": "minmax"},
     {"scores": topsis(PLANES, PW, PT, "minmax")})
case("topsis-no-spread", "topsis", "Every row equal: no ideal to be closer to.",
     {"matrix": [[1, 2], [1, 2]], "weights": [1, 1], "types": [1, 1]},
     error={"code": "input.no_spread", "path": "matrix"})
case("topsis-negative-weight", "topsis", "Weights are not negative.",
     {"matrix": SMALL, "weights": [1, -1], "types": [1, 1]},
     error={"code": "input.negative", "path": "weights[1]"})

# ---- levers, path to a band, perspectives, re-weighting (by hand, on a small rubric) ----
#
# Four criteria, each an effective weight of 1/4 (two themes of weight 1, two criteria of
# weight 1 each): x linear 0..100 (knock-out x >= 50), y Likert 1..5, z boolean, h log with
# best 900 and scale 100 (v = ln(1 + h/100)/ln 10). Bands good >= 70, ok >= 40, low >= 0.
# Perspective p: theme a weighs 3 (a: 3/4, b: 1/4).
import math  # noqa: E402

SMALL_RUBRIC = {
    "id": "weigh-small", "version": "1",
    "themes": [{"id": "a", "weight": 1}, {"id": "b", "weight": 1}],
    "criteria": [
        {"id": "x", "theme": "a", "weight": 1, "min": 0, "max": 100,
         "value_function": {"type": "linear", "worst": 0, "best": 100}, "knockout": {"at_least": 50}},
        {"id": "y", "theme": "a", "weight": 1, "value_function": {"type": "likert", "levels": 5}},
        {"id": "z", "theme": "b", "weight": 1, "value_function": {"type": "boolean"}},
        {"id": "h", "theme": "b", "weight": 1, "min": 0,
         "value_function": {"type": "log", "best": 900, "scale": 100}},
    ],
    "bands": [{"id": "good", "min": 70}, {"id": "ok", "min": 40}, {"id": "low", "min": 0}],
    "perspectives": [{"id": "p", "themes": {"a": 3}}],
}
LOG2 = math.log10(2)  # v(h = 100) = ln 2 / ln 10
BASE = {"x": 60, "y": 3, "z": False, "h": 100}
# Total 25 (0.6 + 0.5 + 0 + log10 2) = 15 + 12.5 + 0 + 7.52575 = 35.02575.
base_total = 15 + 12.5 + 25 * LOG2
case("levers-small", "levers",
     "x = 60, y = 3, z = false, h = 100: total 15 + 12.5 + 0 + 25 log10(2) = 35.0257. "
     "Gains: z to true 25; h to 900: 25 (1 - log10 2) = 17.4743; y to 5: 25 x 0.5 = 12.5; "
     "x to 100: 25 x 0.4 = 10. per_unit: x 100 x 1/4 x 1/100 = 0.25 points per unit; "
     "h 25/((100 + 100) ln 10) = 0.0542868 (d/dh ln(1 + h/100)/ln 10 = 1/((100 + h) ln 10)); "
     "y, z none.",
     {"rubric": SMALL_RUBRIC, "inputs": BASE},
     {"total": base_total,
      "levers": [
          {"criterion": "z", "gain": 25.0, "best": True, "per_unit": None},
          {"criterion": "h", "gain": 25 * (1 - LOG2), "best": 900, "per_unit": 25 / (200 * math.log(10))},
          {"criterion": "y", "gain": 12.5, "best": 5, "per_unit": None},
          {"criterion": "x", "gain": 10.0, "best": 100, "per_unit": 0.25},
      ]})
case("path-to-good", "path_to",
     "From 35.0257 to good (>= 70): alone, z adds 25 and h 17.47, y 12.5, x 10; z alone gives "
     "60.03, z and h 77.5, so two changes. h only as far as needed: 15 + 12.5 + 25 + 25 v >= 70 "
     "gives v = 0.7, h = 100 (10^0.7 - 1) = 401.1872336.",
     {"rubric": SMALL_RUBRIC, "inputs": BASE, "band": "good"},
     {"path": [["z", True], ["h", 100 * (10 ** 0.7 - 1)]]})
case("path-to-ok", "path_to",
     "From 35.0257 to ok (>= 40): z alone gives 60.03.",
     {"rubric": SMALL_RUBRIC, "inputs": BASE, "band": "ok"}, {"path": [["z", True]]})
case("path-already-there", "path_to", "35.0257 is in low already: no change.",
     {"rubric": SMALL_RUBRIC, "inputs": BASE, "band": "low"}, {"path": []})
KO = {"x": 40, "y": 3, "z": True, "h": 100}
case("path-knockout-ok", "path_to",
     "x = 40 fails its knock-out (>= 50) although the total 10 + 12.5 + 25 + 7.53 = 55.03 is "
     "in ok: x must move, and 50 suffices (57.53, no knock-out).",
     {"rubric": SMALL_RUBRIC, "inputs": KO, "band": "ok"}, {"path": [["x", 50]]})
case("path-knockout-good", "path_to",
     "x = 40 fails its knock-out; to reach good (>= 70) x alone suffices at 100 (70.03): "
     "25 v + 12.5 + 25 + 25 log10 2 >= 70 gives v = 1.3 - log10 2, x = 130 - 100 log10 2 = 99.897.",
     {"rubric": SMALL_RUBRIC, "inputs": KO, "band": "good"}, {"path": [["x", 130 - 100 * LOG2]]})
BAD_KO = json.loads(json.dumps(SMALL_RUBRIC))
BAD_KO["criteria"][0]["knockout"] = {"at_least": 120}
case("path-knockout-unreachable", "path_to",
     "x's knock-out asks >= 120 but x may be at most 100: no band can be reached.",
     {"rubric": BAD_KO, "inputs": BASE, "band": "low"},
     error={"code": "input.unreachable", "path": "band"})
case("path-unknown-band", "path_to", "There is no band 'excellent'.",
     {"rubric": SMALL_RUBRIC, "inputs": BASE, "band": "excellent"},
     error={"code": "input.unknown_band", "path": "band"})
case("compare-perspectives-small", "compare_perspectives",
     "Rubric: x 15, y 12.5, z 0, h 25 log10 2 (total 35.03). p (a: 3/4, b: 1/4, so x, y 3/8 "
     "and z, h 1/8): x 37.5 x 0.6 = 22.5, y 18.75, z 0, h 12.5 log10 2 = 3.763 (total 45.01). "
     "Biggest difference: x, +7.5.",
     {"rubric": SMALL_RUBRIC, "inputs": BASE},
     {"columns": ["rubric", "p"],
      "totals": [base_total, 22.5 + 18.75 + 12.5 * LOG2],
      "points": {"x": [15, 22.5], "y": [12.5, 18.75], "z": [0, 0], "h": [25 * LOG2, 12.5 * LOG2]},
      "differences": [{"perspective": "p", "criterion": "x", "delta": 7.5}]})
case("with-weights-small", "with_weights",
     "Weights x 1, y 1, z 2, h 4 are normalised to 1/8, 1/8, 1/4, 1/2; the score of "
     "x = 60, y = 3, z = false, h = 100 becomes 100 (0.6/8 + 0.5/8 + 0 + log10(2)/2) = "
     "7.5 + 6.25 + 50 log10 2 = 28.80.",
     {"rubric": SMALL_RUBRIC, "weights": {"x": 1, "y": 1, "z": 2, "h": 4}, "inputs": BASE},
     {"weights": {"x": 0.125, "y": 0.125, "z": 0.25, "h": 0.5}, "total": 13.75 + 50 * LOG2})
case("with-weights-unknown", "with_weights", "q is not a criterion of the rubric.",
     {"rubric": SMALL_RUBRIC, "weights": {"x": 1, "y": 1, "z": 1, "h": 1, "q": 1}},
     error={"code": "input.unknown_criterion", "path": "weights.q"})
case("with-weights-missing", "with_weights", "h has no weight: every criterion needs one.",
     {"rubric": SMALL_RUBRIC, "weights": {"x": 1, "y": 1, "z": 1}},
     error={"code": "input.weight_missing", "path": "weights.h"})

for v in cases:
    (HERE / f"{v['name']}.json").write_text(json.dumps(v, indent=2) + "\n", encoding="utf-8")
print(f"wrote {len(cases)} vectors to {HERE}")
