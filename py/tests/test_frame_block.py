"""score_frame through the core's block path with points (`BatchScorer::score_block`):
every row equals `score` to the bit (total, interval, knock-out, band and every
criterion's points), whatever mix of valid points, missing cells, ranges and cells that
only `score` reads (evidence dicts) a block holds, and the first bad row is the one named
whether it is a numeric cell or a cell read by `score`.

The expected values are `Rubric.score` row by row (the engine's general path)."""

from __future__ import annotations

from typing import Any, Dict, List

import numpy as np
import pandas as pd
import pytest

from civic_value import InputError, Rubric


def cells(rubric: Rubric, n: int, seed: int) -> List[Dict[str, Any]]:
    """Mostly valid points; 5 % missing, 5 % ranges (number criteria), 1 % evidence dicts."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        row: Dict[str, Any] = {}
        for c in rubric.criteria:
            u = rng.random()
            if c.kind == "number":
                low = c.min or 0.0
                high = c.max if c.max is not None else 30_000.0
                a, b = sorted(rng.uniform(low, high, 2))
                x = float(a)
                row[c.id] = (
                    None if u < 0.05 else (float(a), float(b)) if u < 0.10 else {"value": x, "evidence": "measured"} if u < 0.11 else x
                )
            elif c.kind == "likert":
                row[c.id] = None if u < 0.05 else int(rng.integers(1, (c.levels or 2) + 1))
            elif c.kind == "boolean":
                row[c.id] = None if u < 0.05 else bool(rng.random() < 0.5)
            else:
                row[c.id] = None if u < 0.05 else str(rng.choice(c.options))
        out.append(row)
    return out


def bits(xs: Any) -> List[int]:
    return list(np.asarray(xs, dtype=np.float64).view(np.uint64))


@pytest.mark.parametrize("aggregation", ["weighted_sum", "weighted_product"])
def test_every_row_equals_score_to_the_bit(aggregation: str) -> None:
    doc = Rubric.default().to_dict()
    doc["missing"] = "renormalise"
    doc["aggregation"] = aggregation
    rubric = Rubric.from_dict(doc)
    rows = cells(rubric, 700, seed=3)  # several blocks of 256 rows, mixed
    df = pd.DataFrame({c.id: pd.Series([r[c.id] for r in rows], dtype=object) for c in rubric.criteria})
    # The plain numeric columns as float64 (NaN missing), the form the block path copies.
    for c in rubric.criteria:
        if all(isinstance(r[c.id], (float, int)) or r[c.id] is None for r in rows) and c.kind in ("number", "likert"):
            df[c.id] = pd.Series([np.nan if r[c.id] is None else float(r[c.id]) for r in rows])
    out = rubric.score_frame(df)
    scores = [rubric.score(r) for r in rows]
    assert any(s.interval[0] < s.interval[1] for s in scores)
    assert any(s.knocked_out for s in scores) and not all(s.knocked_out for s in scores)
    assert bits(out["total"]) == bits([s.total for s in scores])
    assert bits(out["low"]) == bits([s.interval[0] for s in scores])
    assert bits(out["high"]) == bits([s.interval[1] for s in scores])
    assert list(out["knocked_out"]) == [s.knocked_out for s in scores]
    assert [None if pd.isna(b) else str(b) for b in out["band"]] == [s.band for s in scores]
    for k, c in enumerate(rubric.criteria):
        assert bits(out[f"points_{c.id}"]) == bits([s.criteria[k].points for s in scores]), c.id


def test_the_first_bad_row_is_named_whichever_path_reads_it() -> None:
    rubric = Rubric.default()
    n = 600
    cells: List[Any] = [60.0] * n
    cells[300] = 130.0  # a bad number: read by the block path
    cells[400] = {"value": 60.0, "evidence": "hearsay"}  # a bad grade: read by `score`
    df = pd.DataFrame({"support_share": pd.Series(cells, dtype=object)})
    with pytest.raises(InputError) as info:
        rubric.score_frame(df)
    assert info.value.path.startswith("rows[300].input.support_share"), info.value.path
    cells[100] = cells[400]
    df = pd.DataFrame({"support_share": pd.Series(cells, dtype=object)})
    with pytest.raises(InputError) as info:
        rubric.score_frame(df)
    assert info.value.path.startswith("rows[100].input.support_share"), info.value.path
