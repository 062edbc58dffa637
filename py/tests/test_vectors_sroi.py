"""Every SROI vector in tests/vectors/sroi/ gives, through the Python API, the numbers of
the independent derivation (tests/vectors/sroi/derive.py) within 1e-9 relative, and the same
error code and path for error vectors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict

import pytest

import civic_value as cv

DIR = Path(__file__).resolve().parents[2] / "tests" / "vectors" / "sroi"
VECTORS = sorted(DIR.glob("*.json"))


def test_there_are_sroi_vectors() -> None:
    assert len(VECTORS) >= 8


def run(v: Dict[str, Any]) -> cv.SroiResult:
    if v.get("rubric") == "builtin":
        inputs = {k: tuple(x) if isinstance(x, list) else x for k, x in v["inputs"].items()}
        return cv.Rubric.default().monetise(inputs)
    discount = v["discount"]
    if isinstance(discount, list):
        discount = [tuple(t) for t in discount]
    return cv.sroi(v["outcomes"], v["investment"], discount=discount)


def close(got: float, want: float) -> bool:
    return abs(got - want) <= 1e-9 * max(abs(want), 1.0)


@pytest.mark.parametrize("path", VECTORS, ids=[p.stem for p in VECTORS])
def test_sroi_vector(path: Path) -> None:
    v = json.loads(path.read_text())
    if "error" in v:
        with pytest.raises(cv.InputError) as info:
            run(v)
        assert (info.value.code, info.value.path) == (v["error"]["code"], v["error"]["path"])
        return
    r = run(v)
    want = v["expected"]
    for key in ("present_value", "npv", "ratio", "net_ratio"):
        assert close(getattr(r, key), want[key]), (key, getattr(r, key), want[key])
    if want["payback_years"] is None:
        assert r.payback_years is None
    else:
        assert r.payback_years is not None and close(r.payback_years, want["payback_years"])
