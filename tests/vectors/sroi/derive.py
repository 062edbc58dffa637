"""Independent derivation of the expected numbers in tests/vectors/sroi/*.json.

Plain Python arithmetic straight from the SROI definitions (issue 9, DESIGN.md
"Monetisation"), written without looking at the engine's code: per outcome gross =
quantity x proxy, net = gross x (1-dw)(1-disp)(1-attr), year t value = net x (1-drop)^(t-1),
discounted by prod_{k<=t} 1/(1+r_k); payback interpolated linearly in the year the cumulative
discounted value reaches the investment. Run: python3 tests/vectors/sroi/derive.py
"""

import json
import pathlib


def rate_in(discount, year):
    if isinstance(discount, (int, float)):
        return float(discount)
    if discount == "nl-mkba-2021":
        return 0.0225
    if discount == "uk-green-book-2022":  # HM Treasury Green Book 2022, Table 8
        return 0.035 if year <= 30 else 0.03 if year <= 75 else 0.025 if year <= 125 else 0.02
    for until, r in discount:  # a term structure; the last rate continues
        if year <= until:
            return r
    return discount[-1][1]


def sroi(outcomes, investment, discount):
    years = max(o["duration"] for o in outcomes)
    factor, factors = 1.0, []
    for t in range(1, years + 1):
        factor = factor / (1.0 + rate_in(discount, t))
        factors.append(factor)
    per_year = [0.0] * years
    for o in outcomes:
        net = (o["quantity"] * o["proxy"] * (1 - o.get("deadweight", 0))
               * (1 - o.get("displacement", 0)) * (1 - o.get("attribution", 0)))
        for t in range(1, o["duration"] + 1):
            per_year[t - 1] += net * (1 - o.get("drop_off", 0)) ** (t - 1) * factors[t - 1]
    pv = sum(per_year)
    payback, cum = None, 0.0
    for t, v in enumerate(per_year):
        if cum + v >= investment and v > 0:
            payback = t + (investment - cum) / v
            break
        cum += v
    return {"present_value": pv, "npv": pv - investment, "ratio": pv / investment,
            "net_ratio": (pv - investment) / investment, "payback_years": payback}


def monetise_builtin(inputs):
    """The built-in rubric's proxy table (read from core/rubrics/default.toml) applied to
    inputs: a range counts at its middle; the investment is the named criterion's input."""
    import tomllib

    root = pathlib.Path(__file__).resolve().parents[3]
    doc = tomllib.loads((root / "core/rubrics/default.toml").read_text())
    m = doc["monetisation"]
    proxies = {p["id"]: p["value"] for p in m["proxies"]}

    def number(x):
        return (x[0] + x[1]) / 2 if isinstance(x, list) else float(x)

    outcomes = []
    for o in m["outcomes"]:
        raw = inputs.get(o["criterion"])
        outcomes.append({"quantity": 0.0 if raw is None else number(raw),
                         "proxy": proxies[o["proxy"]], "deadweight": o.get("deadweight", 0),
                         "displacement": o.get("displacement", 0),
                         "attribution": o.get("attribution", 0),
                         "drop_off": o.get("drop_off", 0), "duration": o["duration_years"]})
    return sroi(outcomes, number(inputs[m["investment"]]), m["discount_rate"])


if __name__ == "__main__":
    here = pathlib.Path(__file__).parent
    for path in sorted(here.glob("*.json")):
        v = json.loads(path.read_text())
        if "expected" in v and "outcomes" in v:
            print(path.name, json.dumps(sroi(v["outcomes"], v["investment"], v["discount"])))
        elif "expected" in v and v.get("rubric") == "builtin":
            print(path.name, json.dumps(monetise_builtin(v["inputs"])))
