"""Every vector in tests/vectors/weigh/ gives, through the Python API (civic_value.weights,
civic_value.mcda, Score.levers, Score.path_to, Rubric.compare_perspectives,
Rubric.with_weights), the numbers of the independent derivation (derive.py, numpy) or of
the hand derivation in its note, within 1e-9 relative; error vectors give the same code
and path."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Dict, List

import pytest

import civic_value as cv
from civic_value import mcda, weights

DIR = Path(__file__).resolve().parents[2] / "tests" / "vectors" / "weigh"
VECTORS = sorted(DIR.glob("*.json"))


def test_there_are_weigh_vectors() -> None:
    assert len(VECTORS) >= 40


def rubric(v: Any) -> cv.Rubric:
    return cv.Rubric.default() if v == "builtin" else cv.Rubric.from_dict(v)


def inputs(v: Dict[str, Any]) -> Dict[str, Any]:
    return {k: tuple(x) if isinstance(x, list) else x for k, x in v.items()}


def plain(x: Any) -> Any:
    """numpy arrays and tuples as JSON would write them."""
    if hasattr(x, "tolist"):
        return x.tolist()
    if isinstance(x, tuple):
        return [plain(y) for y in x]
    if isinstance(x, float) and math.isnan(x):
        return None
    return x


def run(kind: str, a: Dict[str, Any]) -> Dict[str, Any]:
    method = a.get("method", "eigenvector")
    ri = a.get("ri", "saaty")
    if kind == "ahp":
        r = weights.ahp(a["matrix"], method=method, ri=ri)
        return {"weights": plain(r.weights), "lambda_max": r.lambda_max, "ci": r.ci, "cr": r.cr,
                "consistent": r.consistent}
    if kind == "ahp_synthesis":
        return {"priorities": plain(weights.ahp_synthesis(a["criteria"], a["alternatives"], method=method, ri=ri))}
    if kind in ("roc", "rank_sum"):
        return {"weights": plain(getattr(weights, kind)(a["n"]))}
    if kind == "swing":
        return {"weights": plain(weights.swing(a["points"]))}
    if kind in ("entropy", "critic"):
        return {"weights": plain(getattr(weights, kind)(a["matrix"], a["types"]))}
    if kind == "normalize":
        return {"matrix": plain(mcda.normalize(a["matrix"], a["types"], a["method"]))}
    if kind == "wsum":
        return {"scores": plain(mcda.wsum(a["matrix"], a["weights"], a["types"], a.get("normalization", "minmax")))}
    if kind == "topsis":
        return {"scores": plain(mcda.topsis(a["matrix"], a["weights"], a["types"], a.get("normalization", "vector")))}
    r = rubric(a["rubric"])
    if kind == "levers":
        score = r.score(inputs(a["inputs"]), perspective=a.get("perspective"))
        df = score.levers()
        return {"total": score.total, "levers": [
            {"criterion": cid, "gain": row.gain, "best": plain(row.best), "per_unit": plain(row.per_unit)}
            for cid, row in df.iterrows()]}
    if kind == "path_to":
        score = r.score(inputs(a["inputs"]), perspective=a.get("perspective"))
        return {"path": [[c, plain(v)] for c, v in score.path_to(a["band"])]}
    if kind == "compare_perspectives":
        df = r.compare_perspectives(inputs(a["inputs"]))
        return {"columns": list(df.columns), "totals": [df.attrs["totals"][c] for c in df.columns],
                "points": {cid: [float(x) for x in row] for cid, row in df.iterrows()},
                "differences": df.attrs["differences"]}
    if kind == "with_weights":
        new = r.with_weights(a["weights"])
        assert new.fingerprint != r.fingerprint
        return {"weights": new.weights(), "total": new.score(inputs(a["inputs"])).total}
    raise AssertionError(f"unknown kind {kind}")


def agree(got: Any, want: Any, at: str) -> None:
    if isinstance(want, bool) or want is None or isinstance(want, str):
        assert got == want, f"{at}: got {got!r}, expected {want!r}"
    elif isinstance(want, (int, float)):
        assert isinstance(got, (int, float)) and not isinstance(got, bool), f"{at}: got {got!r}"
        assert abs(got - want) <= 1e-9 * max(abs(want), 1.0), f"{at}: got {got}, expected {want}"
    elif isinstance(want, list):
        assert len(got) == len(want), f"{at}: length {len(got)} != {len(want)}"
        for k, (g, w) in enumerate(zip(got, want)):
            agree(g, w, f"{at}[{k}]")
    elif isinstance(want, dict):
        for k, w in want.items():
            agree(got.get(k), w, f"{at}.{k}")


@pytest.mark.parametrize("path", VECTORS, ids=lambda p: p.stem)
def test_vector(path: Path) -> None:
    v = json.loads(path.read_text(encoding="utf-8"))
    if "error" in v:
        with pytest.raises(cv.InputError) as info:
            run(v["kind"], v["args"])
        assert info.value.code == v["error"]["code"]
        assert info.value.path == v["error"]["path"]
        if "message" in v["error"]:
            assert info.value.message == v["error"]["message"]
        return
    want = dict(v["expected"])
    exact: List[int] = want.pop("exact", [])
    got = run(v["kind"], v["args"])
    for i in exact:
        assert got["scores"][i] == 1.0
    agree(got, want, v["name"])
