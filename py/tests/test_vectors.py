"""Every shared vector in tests/vectors/ gives the same numbers in Python as the expected
values derived by hand (within 1e-12), and the same error code and path for error vectors.

Each vector is run through `score`, `score_many` and `score_frame` (one-row DataFrames, both
with inferred dtypes and with object columns), so the batch path is held to the same
hand-derived numbers as the single-initiative path.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional

import pandas as pd
import pytest

from civic_value import CivicValueError, InputError, Rubric, RubricError, Score

from conftest import load_vector, vector_files

TOL = 1e-12
VECTORS = vector_files()


def test_there_are_vectors() -> None:
    assert len(VECTORS) >= 12, "tests/vectors/ should hold the shared test vectors"


def load_rubric(v: Dict[str, Any]) -> Rubric:
    if "rubric_toml" in v:
        return Rubric.from_toml(v["rubric_toml"])
    if v["rubric"] == "builtin":
        return Rubric.default()
    return Rubric.from_json(json.dumps(v["rubric"]))


def python_inputs(inputs: Dict[str, Any]) -> Dict[str, Any]:
    """The vector's JSON inputs as an analyst writes them in Python: ranges as tuples."""
    return {k: tuple(x) if isinstance(x, list) else x for k, x in inputs.items()}


def check_score(score: Score, expected: Dict[str, Any]) -> None:
    assert score.total == pytest.approx(expected["total"], abs=TOL)
    if "interval" in expected:
        assert score.interval[0] == pytest.approx(expected["interval"][0], abs=TOL)
        assert score.interval[1] == pytest.approx(expected["interval"][1], abs=TOL)
    if "band" in expected:
        assert score.band == expected["band"]
    if "knocked_out" in expected:
        assert score.knocked_out is expected["knocked_out"]
    if "knockouts" in expected:
        assert [k.criterion for k in score.knockouts] == expected["knockouts"]
    rows = {c.id: c for c in score.criteria}
    for cid, points in expected.get("points", {}).items():
        assert rows[cid].points == pytest.approx(points, abs=TOL), cid
    for cid, flags in expected.get("flags", {}).items():
        assert rows[cid].flags == flags, cid


def check_row(row: "pd.Series[Any]", expected: Dict[str, Any]) -> None:
    assert row["total"] == pytest.approx(expected["total"], abs=TOL)
    if "interval" in expected:
        assert row["low"] == pytest.approx(expected["interval"][0], abs=TOL)
        assert row["high"] == pytest.approx(expected["interval"][1], abs=TOL)
    if "band" in expected:
        band: Optional[str] = None if pd.isna(row["band"]) else str(row["band"])
        assert band == expected["band"]
    if "knocked_out" in expected:
        assert bool(row["knocked_out"]) is expected["knocked_out"]
    for cid, points in expected.get("points", {}).items():
        assert row[f"points_{cid}"] == pytest.approx(points, abs=TOL), cid


def frames(inputs: Dict[str, Any]) -> List[pd.DataFrame]:
    """One-row DataFrames of the inputs: dtypes as pandas infers them, and all-object."""
    cells = python_inputs(inputs)
    inferred = pd.DataFrame({k: [v] for k, v in cells.items()}, index=["x"])
    objects = pd.DataFrame(
        {k: pd.Series([v], index=["x"], dtype=object) for k, v in cells.items()}, index=["x"]
    )
    return [inferred, objects]


@pytest.mark.parametrize("path", VECTORS, ids=[p.stem for p in VECTORS])
def test_vector(path: Path) -> None:
    v = load_vector(path)
    error = v.get("error")
    if error is not None and error["stage"] == "rubric":
        with pytest.raises(RubricError) as info:
            load_rubric(v)
        assert info.value.code == error["code"]
        assert info.value.path == error["path"]
        if isinstance(v.get("rubric"), dict):
            # The same document given as a dict.
            with pytest.raises(RubricError) as info:
                Rubric.from_dict(v["rubric"])
            assert info.value.code == error["code"]
            assert info.value.path == error["path"]
        return

    rubric = load_rubric(v)
    perspective = v.get("perspective")
    inputs = python_inputs(v["inputs"])
    if error is not None:
        assert error["stage"] == "score"
        with pytest.raises(InputError) as info:
            rubric.score(inputs, perspective=perspective)
        assert info.value.code == error["code"]
        assert info.value.path == error["path"]
        assert str(info.value) == f"{error['path']}: {info.value.message}"
        with pytest.raises(InputError) as info:
            rubric.score_many([inputs], perspective=perspective)
        assert info.value.code == error["code"]
        for df in frames(v["inputs"]):
            with pytest.raises(InputError) as info:
                rubric.score_frame(df, perspective=perspective)
            assert info.value.code == error["code"]
        return

    expected = v["expected"]
    check_score(rubric.score(inputs, perspective=perspective), expected)
    # Ranges written as JSON lists (the vector's own form) mean the same.
    check_score(rubric.score(v["inputs"], perspective=perspective), expected)
    (many,) = rubric.score_many([inputs], perspective=perspective)
    check_score(many, expected)
    for df in frames(v["inputs"]):
        out = rubric.score_frame(df, perspective=perspective)
        assert list(out.index) == ["x"]
        check_row(out.loc["x"], expected)


def test_a_vector_error_is_a_civic_value_error() -> None:
    assert issubclass(RubricError, CivicValueError)
    assert issubclass(InputError, CivicValueError)
    assert issubclass(CivicValueError, ValueError)
