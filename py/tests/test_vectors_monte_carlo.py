"""Every Monte Carlo vector in tests/vectors/monte_carlo/ gives, through the Python API, the
numbers of the independent implementation (tests/vectors/monte_carlo/derive.py: numpy's PCG64
and plain Python) within 1e-9, on one thread and on two."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

import civic_value as cv

DIR = Path(__file__).resolve().parents[2] / "tests" / "vectors" / "monte_carlo"
VECTORS = sorted(DIR.glob("*.json"))


def test_there_are_monte_carlo_vectors() -> None:
    assert len(VECTORS) >= 3


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("path", VECTORS, ids=[p.stem for p in VECTORS])
def test_monte_carlo_vector(path: Path, threads: int) -> None:
    v = json.loads(path.read_text())
    rubric = cv.Rubric.from_dict(v["rubric"])
    items = [{k: tuple(x) if isinstance(x, list) else x for k, x in i.items()} for i in v["initiatives"]]
    o = v["options"]
    mc = rubric.monte_carlo(
        items,
        draws=o["draws"],
        seed=o["seed"],
        concentration=math.inf if o["concentration"] == "inf" else o["concentration"],
        vary_inputs=o["vary_inputs"],
        top_k=o["top_k"],
        threads=threads,
    )
    want = v["expected"]
    for field in ("mean", "p5", "p50", "p95", "p_top_k"):
        np.testing.assert_allclose(
            mc.summary[field].to_numpy(), [s[field] for s in want["summary"]], rtol=0, atol=1e-9, err_msg=field
        )
    np.testing.assert_allclose(mc.ranks.to_numpy(), np.array(want["ranks"]), rtol=0, atol=1e-9)
    assert (mc.draws, mc.seed) == (o["draws"], o["seed"])
