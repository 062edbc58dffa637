"""score_frame and score_matrix agree with row-by-row score on a few thousand random rows
(missing values, ranges, every input kind), keep index and column order, and match an
independent numpy computation on a rubric simple enough to write down."""

from __future__ import annotations

import copy
import math
import threading
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
import pandas as pd
import pytest

from civic_value import Criterion, InputError, Rubric

ROWS = 3000
TOL = 1e-12


def variants() -> List[Tuple[str, Rubric, Optional[str]]]:
    default = Rubric.default()
    renormalise = copy.deepcopy(default.to_dict())
    renormalise["missing"] = "renormalise"
    product = copy.deepcopy(renormalise)
    product["aggregation"] = "weighted_product"
    return [
        ("default", default, None),
        ("default-residents", default, "residents"),
        ("renormalise", Rubric.from_dict(renormalise), None),
        ("product-municipality", Rubric.from_dict(product), "municipality"),
    ]


VARIANTS = variants()


def number_bounds(c: Criterion) -> Tuple[float, float]:
    low = c.min if c.min is not None else -50.0
    high = c.max if c.max is not None else 30_000.0
    return low, high


def random_cell(c: Criterion, rng: np.random.Generator, ranges: bool) -> Any:
    """A valid input for `c` (None 10% of the time; a range 20% of the time for numbers)."""
    if rng.random() < 0.1:
        return None
    if c.kind == "number":
        low, high = number_bounds(c)
        if ranges and rng.random() < 0.2:
            a, b = sorted(rng.uniform(low, high, 2))
            return (float(a), float(b))
        return float(rng.uniform(low, high))
    if c.kind == "likert":
        assert c.levels is not None
        return int(rng.integers(1, c.levels + 1))
    if c.kind == "boolean":
        return bool(rng.random() < 0.5)
    return str(rng.choice(c.options))


def random_rows(rubric: Rubric, n: int, seed: int, ranges: bool = True) -> List[Dict[str, Any]]:
    rng = np.random.default_rng(seed)
    return [{c.id: random_cell(c, rng, ranges) for c in rubric.criteria} for _ in range(n)]


def frame_of(rubric: Rubric, rows: List[Dict[str, Any]], index: List[str]) -> pd.DataFrame:
    """A DataFrame an analyst could have: numbers as float64 with NaN (object where a cell
    holds a range), Likert levels as nullable Int64, booleans and categories as objects
    (one category column as a pandas Categorical)."""
    columns: Dict[str, Any] = {}
    for c in rubric.criteria:
        cells = [r[c.id] for r in rows]
        if c.kind == "number":
            if any(isinstance(x, tuple) for x in cells):
                columns[c.id] = pd.Series(cells, index=index, dtype=object)
            else:
                columns[c.id] = pd.Series([np.nan if x is None else x for x in cells], index=index, dtype=float)
        elif c.kind == "likert":
            columns[c.id] = pd.Series(cells, index=index, dtype="Int64")
        elif c.kind == "category":
            columns[c.id] = pd.Series(pd.Categorical(cells, categories=c.options), index=index)
        else:
            columns[c.id] = pd.Series(cells, index=index, dtype=object)
    return pd.DataFrame(columns, index=index)


def dirty_the_allocator(rows: int, criteria: int) -> None:
    """Blocks of the sizes of score_frame's result arrays, every byte 0xFF (a NaN as float64,
    True as bool, -1 as int32), made and freed: the result arrays (made by ``numpy.empty``,
    not cleared) are then likely to be these blocks again, so an element the engine did not
    write shows (fresh pages from the kernel would read as zeros: False, 0.0, band 0)."""
    sizes = [rows, 4 * rows, 8 * rows, 8 * rows * criteria]
    blocks = [np.full(size, 0xFF, dtype=np.uint8) for size in sizes for _ in range(8)]
    del blocks


@pytest.mark.parametrize("name,rubric,perspective", VARIANTS, ids=[v[0] for v in VARIANTS])
def test_score_frame_agrees_with_score(name: str, rubric: Rubric, perspective: Optional[str]) -> None:
    rows = random_rows(rubric, ROWS, seed=len(name))
    rng = np.random.default_rng(7)
    index = [f"initiative-{i}" for i in rng.permutation(ROWS)]
    df = frame_of(rubric, rows, index)
    # Columns in another order than the rubric's: the result does not depend on it.
    df = df[list(rng.permutation(df.columns))]

    dirty_the_allocator(len(rows), len(rubric.criteria))
    out = rubric.score_frame(df, perspective=perspective)

    ids = [c.id for c in rubric.criteria]
    assert list(out.columns) == ["total", "band", "low", "high", "knocked_out"] + [f"points_{i}" for i in ids]
    assert list(out.index) == index
    scores = [rubric.score(r, perspective=perspective) for r in rows]
    assert any(s.interval[0] < s.interval[1] for s in scores), "some rows should have ranges"
    assert any(any("missing" in c.flags for c in s.criteria) for s in scores)
    np.testing.assert_allclose(out["total"], [s.total for s in scores], rtol=0, atol=TOL)
    np.testing.assert_allclose(out["low"], [s.interval[0] for s in scores], rtol=0, atol=TOL)
    np.testing.assert_allclose(out["high"], [s.interval[1] for s in scores], rtol=0, atol=TOL)
    assert list(out["knocked_out"]) == [s.knocked_out for s in scores]
    assert [None if pd.isna(b) else str(b) for b in out["band"]] == [s.band for s in scores]
    for k, cid in enumerate(ids):
        np.testing.assert_allclose(out[f"points_{cid}"], [s.criteria[k].points for s in scores], rtol=0, atol=TOL)


def test_score_frame_band_is_ordered(rubric: Rubric) -> None:
    rows = random_rows(rubric, 200, seed=3)
    out = rubric.score_frame(frame_of(rubric, rows, [str(i) for i in range(200)]))
    assert list(out["band"].cat.categories) == ["weak", "needs_work", "promising", "strong"]
    assert out["band"].cat.ordered
    assert ((out["band"] >= "promising") == (out["total"] >= 50)).all()


def test_score_frame_accepts_plain_dtypes_and_a_column_subset(rubric: Rubric) -> None:
    df = pd.DataFrame(
        {
            "support_share": [72, 45, 90],  # int64
            "permit_secured": [True, False, True],  # numpy bool
            "inclusion": ["none", "one_group", "several_groups"],  # object / str
            "volunteer_hours": [(100.0, 200.0), 1500.0, None],
        },
        index=pd.Index([10, 20, 30], name="n"),
    )
    out = rubric.score_frame(df)
    assert out.index.equals(df.index)
    for i, (_, row) in enumerate(df.iterrows()):
        inputs = {k: (None if (isinstance(v, float) and math.isnan(v)) else v) for k, v in row.items()}
        s = rubric.score(inputs)
        assert out["total"].iloc[i] == pytest.approx(s.total, abs=TOL)
        assert out["knocked_out"].iloc[i] == s.knocked_out


def test_score_frame_graded_evidence_goes_through_score(rubric: Rubric) -> None:
    cell = {"value": 85, "evidence": "estimated"}
    df = pd.DataFrame({"support_share": [cell, 60.0]})
    out = rubric.score_frame(df)
    s = rubric.score({"support_share": cell})
    assert out["total"][0] == pytest.approx(s.total, abs=TOL)
    assert (out["low"][0], out["high"][0]) == pytest.approx(s.interval, abs=TOL)


def test_score_frame_writes_every_result_of_rows_read_by_score(rubric: Rubric) -> None:
    # Rows the block path leaves to `Rubric.score` (graded evidence: the first and the third,
    # which is knocked out) among rows it scores: every total, interval, knock-out, band and
    # points is the one `score` gives. The result arrays are not cleared when made, and were
    # likely blocks of 0xFF bytes before: an element left unwritten shows (it fails with
    # `put_row`'s knock-out not written).
    cells: List[Any] = [{"value": 85, "evidence": "estimated"}, 60.0, {"value": 20, "evidence": "measured"}, 75.0]
    inputs = [{"support_share": c, "permit_secured": True, "volunteer_hours": 1500.0} for c in cells]
    df = pd.DataFrame(inputs)
    for _ in range(3):
        dirty_the_allocator(len(cells), len(rubric.criteria))
        out = rubric.score_frame(df)
        scores = [rubric.score(r) for r in inputs]
        np.testing.assert_allclose(out["total"], [x.total for x in scores], rtol=0, atol=TOL)
        np.testing.assert_allclose(out["low"], [x.interval[0] for x in scores], rtol=0, atol=TOL)
        np.testing.assert_allclose(out["high"], [x.interval[1] for x in scores], rtol=0, atol=TOL)
        assert list(out["knocked_out"]) == [x.knocked_out for x in scores]
        assert [None if pd.isna(b) else str(b) for b in out["band"]] == [x.band for x in scores]
        for k, c in enumerate(rubric.criteria):
            np.testing.assert_allclose(out[f"points_{c.id}"], [x.criteria[k].points for x in scores], rtol=0, atol=TOL)


def test_score_frame_empty(rubric: Rubric) -> None:
    out = rubric.score_frame(pd.DataFrame({"support_share": pd.Series([], dtype=float)}))
    assert len(out) == 0
    assert out.columns[0] == "total"


def matrix_rows(rubric: Rubric, n: int, seed: int) -> Tuple[np.ndarray, List[Dict[str, Any]]]:
    """A matrix in the numeric encoding and the same rows as score() inputs."""
    rows = random_rows(rubric, n, seed, ranges=False)
    x = np.empty((n, len(rubric.criteria)))
    for j, c in enumerate(rubric.criteria):
        for i, r in enumerate(rows):
            v = r[c.id]
            if v is None:
                x[i, j] = np.nan
            elif c.kind == "category":
                x[i, j] = c.options.index(v)
            else:
                x[i, j] = float(v)
    return x, rows


@pytest.mark.parametrize("name,rubric,perspective", VARIANTS, ids=[v[0] for v in VARIANTS])
def test_score_matrix_agrees_with_score(name: str, rubric: Rubric, perspective: Optional[str]) -> None:
    x, rows = matrix_rows(rubric, ROWS, seed=11)
    columns = [c.id for c in rubric.criteria]
    totals = rubric.score_matrix(x, columns, perspective=perspective)
    assert totals.shape == (ROWS,) and totals.dtype == np.float64
    expected = [rubric.score(r, perspective=perspective).total for r in rows]
    np.testing.assert_allclose(totals, expected, rtol=0, atol=TOL)
    # Fortran order, a strided view and shuffled columns give the same totals.
    np.testing.assert_array_equal(rubric.score_matrix(np.asfortranarray(x), columns, perspective=perspective), totals)
    wide = np.repeat(x, 2, axis=1)
    np.testing.assert_array_equal(rubric.score_matrix(wide[:, ::2], columns, perspective=perspective), totals)
    perm = np.random.default_rng(5).permutation(len(columns))
    shuffled = rubric.score_matrix(x[:, perm], [columns[p] for p in perm], perspective=perspective)
    np.testing.assert_array_equal(shuffled, totals)


def test_score_matrix_large_matches_chunks(rubric: Rubric) -> None:
    """Big matrices are split over threads: the totals equal those of small pieces."""
    x, _ = matrix_rows(rubric, 500, seed=2)
    big = np.tile(x, (500, 1))  # 250 000 rows
    columns = [c.id for c in rubric.criteria]
    totals = rubric.score_matrix(big, columns)
    np.testing.assert_array_equal(totals, np.tile(rubric.score_matrix(x, columns), 500))
    for threads in [1, 3]:
        np.testing.assert_array_equal(rubric.score_matrix(big, columns, threads=threads), totals)


def test_score_matrix_column_subset_counts_the_rest_missing(rubric: Rubric) -> None:
    x = np.array([[72.0, 1.0], [40.0, 0.0]])
    totals = rubric.score_matrix(x, ["support_share", "permit_secured"])
    for row, total in zip(x, totals):
        s = rubric.score({"support_share": row[0], "permit_secured": bool(row[1])})
        assert total == pytest.approx(s.total, abs=TOL)


def test_score_matrix_against_numpy() -> None:
    """An independent computation: a weighted sum of clamped linear values, in numpy."""
    rubric = Rubric.from_dict(
        {
            "id": "linear",
            "version": "1",
            "themes": [{"id": "t1", "weight": 3}, {"id": "t2", "weight": 1}],
            "criteria": [
                {"id": "a", "theme": "t1", "weight": 2, "value_function": {"type": "linear", "worst": 0, "best": 10}},
                {"id": "b", "theme": "t1", "weight": 1, "value_function": {"type": "linear", "worst": 100, "best": 0}},
                {"id": "c", "theme": "t2", "weight": 1, "value_function": {"type": "linear", "worst": 5, "best": 15}},
            ],
        }
    )
    rng = np.random.default_rng(42)
    x = np.column_stack([rng.uniform(-5, 15, 5000), rng.uniform(-20, 120, 5000), rng.uniform(0, 20, 5000)])
    # Effective weights: theme share x criterion share = 3/4*2/3, 3/4*1/3, 1/4.
    va = np.clip(x[:, 0] / 10, 0, 1)
    vb = np.clip((x[:, 1] - 100) / -100, 0, 1)
    vc = np.clip((x[:, 2] - 5) / 10, 0, 1)
    expected = 100 * (0.5 * va + 0.25 * vb + 0.25 * vc)
    np.testing.assert_allclose(rubric.score_matrix(x, ["a", "b", "c"]), expected, rtol=0, atol=1e-12)
    assert rubric.weights() == pytest.approx({"a": 0.5, "b": 0.25, "c": 0.25})


def runs_while_scoring(work: Any) -> int:
    """How often the main thread ran Python code while `work` ran in another thread."""
    done = threading.Event()
    thread = threading.Thread(target=lambda: (work(), done.set()))
    count = 0
    thread.start()
    while not done.is_set():
        count += 1
    thread.join()
    return count


def test_batch_work_releases_the_gil(rubric: Rubric) -> None:
    x, _ = matrix_rows(rubric, 1000, seed=1)
    big = np.tile(x, (800, 1))
    columns = [c.id for c in rubric.criteria]
    # Holding the GIL for the whole call would leave the main thread no turn at all.
    assert runs_while_scoring(lambda: rubric.score_matrix(big, columns)) > 100
    # A DataFrame holds booleans and option ids, not their numeric encoding.
    df = pd.DataFrame(big[:200_000], columns=columns)
    df["inclusion"] = "one_group"
    df["permit_secured"] = True
    assert runs_while_scoring(lambda: rubric.score_frame(df)) > 100


def test_threads_share_one_rubric(rubric: Rubric) -> None:
    from concurrent.futures import ThreadPoolExecutor

    x, _ = matrix_rows(rubric, 2000, seed=9)
    columns = [c.id for c in rubric.criteria]
    expected = rubric.score_matrix(x, columns)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: rubric.score_matrix(x, columns), range(8)))
    for r in results:
        np.testing.assert_array_equal(r, expected)


def test_score_frame_ignores_unknown_columns_under_the_warn_policy(rubric: Rubric) -> None:
    doc = rubric.to_dict()
    doc["unknown_inputs"] = "warn"
    lenient = Rubric.from_dict(doc)
    df = pd.DataFrame({"name": ["park", "café"], "support_share": [72.0, 40.0]})
    out = lenient.score_frame(df)
    expected = lenient.score_frame(df[["support_share"]])
    pd.testing.assert_frame_equal(out, expected)
    assert out["total"][0] == pytest.approx(lenient.score({"name": "park", "support_share": 72.0}).total, abs=TOL)
    with pytest.raises(InputError):
        rubric.score_frame(df)  # the default rubric's policy is "error"


def test_score_frame_without_bands() -> None:
    plain = Rubric.from_dict(
        {
            "id": "plain",
            "version": "1",
            "themes": [{"id": "t", "weight": 1}],
            "criteria": [{"id": "a", "theme": "t", "weight": 1, "value_function": {"type": "boolean"}}],
        }
    )
    out = plain.score_frame(pd.DataFrame({"a": [True, False]}))
    assert list(out["total"]) == [100.0, 0.0]
    assert out["band"].isna().all()
    assert plain.score({"a": True}).band is None
