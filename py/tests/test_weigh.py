"""The Python contract of issue 7: civic_value.weights, civic_value.mcda, Rubric.with_weights,
Score.levers, Score.path_to, Rubric.compare_perspectives and the Score's small multiple.
Expected numbers are derived by hand in the comments (or are the engine's own re-scored
totals where the law says "exactly")."""

from __future__ import annotations

import json
import math
from typing import Any, Dict

import numpy as np
import pytest

import civic_value as cv
from civic_value import mcda, weights

from conftest import EXAMPLES_DIR


def park() -> Dict[str, Any]:
    raw = json.loads((EXAMPLES_DIR / "oosterspoorbaan.json").read_text(encoding="utf-8"))["inputs"]
    return {k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()}


def test_ahp_result_object() -> None:
    # Consistent [[1, 2, 4], [1/2, 1, 2], [1/4, 1/2, 1]]: weights (4, 2, 1)/7, lambda_max 3.
    r = weights.ahp(np.array([[1, 2, 4], [0.5, 1, 2], [0.25, 0.5, 1]]))
    assert isinstance(r.weights, np.ndarray) and r.weights.dtype == np.float64
    np.testing.assert_allclose(r.weights, [4 / 7, 2 / 7, 1 / 7], rtol=1e-13)
    assert r.lambda_max == pytest.approx(3.0, abs=1e-12)
    assert r.ci == pytest.approx(0.0, abs=1e-12) and r.cr == pytest.approx(0.0, abs=1e-12)
    assert r.consistent is True
    assert (r.method, r.ri, r.random_index) == ("eigenvector", "saaty", 0.58)
    g = weights.ahp([[1, 2, 4], [0.5, 1, 2], [0.25, 0.5, 1]], method="geometric_mean", ri="alonso_lamata")
    assert (g.method, g.ri, g.random_index) == ("geometric_mean", "alonso_lamata", 0.5245)
    assert "consistent" in repr(g)


def test_ahp_errors_name_the_cell() -> None:
    with pytest.raises(cv.InputError) as info:
        weights.ahp([[1, 3], [0.5, 1]])
    assert info.value.code == "input.not_reciprocal"
    assert info.value.path == "matrix[1][0]"
    assert str(info.value) == "matrix[1][0]: must be 1/3 (reciprocal of 3), got 0.5"
    with pytest.raises(cv.InputError) as info:
        weights.ahp([[1, 2, 3], [0.5, 1, 2]])
    assert info.value.code == "input.shape"
    with pytest.raises(cv.InputError) as info:
        weights.ahp([[1, float("nan")], [1, 1]])
    assert (info.value.code, info.value.path) == ("input.not_finite", "matrix[0][1]")
    with pytest.raises(cv.InputError) as info:
        weights.ahp([[1, 0], [1, 1]])
    assert info.value.code == "input.not_positive"
    with pytest.raises(cv.InputError) as info:
        weights.ahp(np.ones((11, 11)))
    assert info.value.code == "input.random_index_not_covered"
    assert weights.ahp(np.ones((11, 11)), ri="alonso_lamata").cr == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(cv.InputError) as info:
        weights.ahp([[1]], method="power")
    assert (info.value.code, info.value.path) == ("input.unknown_method", "method")
    assert isinstance(info.value, ValueError)


def test_rank_and_objective_weights_sum_to_one() -> None:
    # ROC n = 3: 11/18, 5/18, 2/18; rank sum n = 3: 3/6, 2/6, 1/6; swing 100, 50: 2/3, 1/3.
    np.testing.assert_allclose(weights.roc(3), [11 / 18, 5 / 18, 2 / 18], rtol=1e-15)
    np.testing.assert_allclose(weights.rank_sum(3), [0.5, 1 / 3, 1 / 6], rtol=1e-15)
    np.testing.assert_allclose(weights.swing([100, 50]), [2 / 3, 1 / 3], rtol=1e-15)
    x = [[250, 16, 12], [200, 16, 8], [300, 32, 16], [275, 32, 8]]
    for w in (weights.entropy(x, [-1, 1, 1]), weights.critic(x, [-1, 1, 1])):
        assert (w >= 0).all() and w.sum() == pytest.approx(1.0, abs=1e-12)
    with pytest.raises(cv.InputError) as info:
        weights.critic([[1, 5], [2, 5]], [1, 1])
    assert (info.value.code, info.value.path) == ("input.degenerate_column", "matrix[*][1]")


def test_ahp_synthesis_and_hierarchy() -> None:
    # See tests/vectors/weigh/ahp-synthesis.json: (13, 8, 7)/28.
    p = weights.ahp_synthesis([[1, 3], [1 / 3, 1]], [
        [[1, 2, 4], [0.5, 1, 2], [0.25, 0.5, 1]],
        [[1, 0.5, 0.25], [2, 1, 0.5], [4, 2, 1]],
    ])
    np.testing.assert_allclose(p, [13 / 28, 8 / 28, 7 / 28], rtol=1e-12)
    rubric = cv.Rubric.default()
    # Themes: social cohesion judged 2x every other theme, the rest equal: weights 2/6 and
    # 1/6 each; criteria equal within their themes.
    t = np.ones((5, 5))
    t[0, 1:] = 2
    t[1:, 0] = 0.5
    crit = {th.id: np.ones((len(th.criteria), len(th.criteria))) for th in rubric.themes}
    h = weights.ahp_hierarchy(rubric, t, crit)
    assert h.consistent
    assert h.weights["volunteer_hours"] == pytest.approx(2 / 6 / 3, rel=1e-12)
    assert h.weights["plan_maturity"] == pytest.approx(1 / 6 / 2, rel=1e-12)
    new = rubric.with_weights(h.weights)
    assert new.weights()["volunteer_hours"] == pytest.approx(1 / 9, rel=1e-12)
    assert new.fingerprint != rubric.fingerprint
    assert rubric.weights()["volunteer_hours"] == pytest.approx(0.12, rel=1e-12)  # unchanged


def test_with_weights_errors() -> None:
    rubric = cv.Rubric.default()
    w = {c.id: 1.0 for c in rubric.criteria}
    with pytest.raises(cv.InputError) as info:
        rubric.with_weights({**w, "nope": 1.0})
    assert (info.value.code, info.value.path) == ("input.unknown_criterion", "weights.nope")
    del w["partners"]
    with pytest.raises(cv.InputError) as info:
        rubric.with_weights(w)
    assert (info.value.code, info.value.path) == ("input.weight_missing", "weights.partners")


def test_mcda_by_hand() -> None:
    # minmax of [[3,4],[4,3],[5,2]], column 1 a cost: (0, 0), (0.5, 0.5), (1, 1).
    n = mcda.normalize([[3, 4], [4, 3], [5, 2]], [1, -1], "minmax")
    np.testing.assert_allclose(n, [[0, 0], [0.5, 0.5], [1, 1]])
    np.testing.assert_allclose(mcda.wsum([[3, 4], [4, 3], [5, 2]], [3, 1], [1, 1]), [0.25, 0.5, 0.75])
    np.testing.assert_allclose(mcda.topsis([[3, 4], [4, 3]], [0.75, 0.25], [1, 1]), [0.25, 0.75], rtol=1e-14)
    c = mcda.topsis([[9, 1], [5, 3], [7, 2]], [1, 1], [1, -1])
    assert c[0] == 1.0
    with pytest.raises(cv.InputError) as info:
        mcda.normalize([[1, 5], [2, 5]], [1, 1], "minmax")
    assert info.value.path == "matrix[*][1]"


def test_levers_frame() -> None:
    rubric = cv.Rubric.default()
    score = rubric.score(park())
    df = score.levers()
    assert list(df.columns) == ["gain", "best", "per_unit", "shown"]
    # The three largest gains (4.8, 3.0, 3.0, below) are the ones a summary shows.
    assert list(df["shown"]) == [True, True, True] + [False] * 9
    assert df.index.name == "criterion" and len(df) == 12
    assert list(df["gain"]) == sorted(df["gain"], reverse=True)
    # Cost theme 10 % x 2/3: from value 0.28 to 1 is 100/15 x 0.72 = 4.8 points.
    assert df.index[0] == "municipal_contribution"
    assert df.loc["municipal_contribution", "gain"] == pytest.approx(4.8, abs=1e-12)
    assert df.loc["municipal_contribution", "best"] == 0
    assert df.loc["municipal_contribution", "per_unit"] == pytest.approx(-100 / 15 / 250000, rel=1e-12)
    # Likert, boolean and category: best in their own terms, per_unit NaN.
    assert df.loc["neighbour_contact", "best"] == 5
    assert df.loc["permit_secured", "best"] is True
    assert df.loc["inclusion", "best"] == "several_groups"
    assert math.isnan(df.loc["inclusion", "per_unit"])
    # Applying the top lever raises the total by exactly its gain.
    applied = {**park(), df.index[0]: df.iloc[0]["best"]}
    assert rubric.score(applied).total - score.total == df.iloc[0]["gain"]


def test_levers_shown_only_when_they_make_a_difference() -> None:
    # x at 50 of 0-100 and t at 99 999.5 of 0-100 000, weights 1/2 each: x to 100 adds
    # 100 x 1/2 x 0.5 = 25 points, t to 100 000 adds 100 x 1/2 x 0.5/100 000 = 0.00025, less
    # than the 0.005 points a summary reports (the core's rule, as in the CLI's explain).
    linear = lambda hi: {"type": "linear", "worst": 0, "best": hi}  # noqa: E731
    rubric = cv.Rubric.from_dict({
        "id": "tiny", "version": "1", "themes": [{"id": "a", "weight": 1}],
        "criteria": [
            {"id": "x", "theme": "a", "weight": 1, "min": 0, "max": 100, "value_function": linear(100)},
            {"id": "t", "theme": "a", "weight": 1, "min": 0, "max": 100000, "value_function": linear(100000)},
        ],
    })
    df = rubric.score({"x": 50, "t": 99999.5}).levers()
    assert df.loc["t", "gain"] == pytest.approx(0.00025, rel=1e-9)
    assert list(df.index[df["shown"]]) == ["x"]


def test_path_to_bands() -> None:
    rubric = cv.Rubric.default()
    score = rubric.score(park())
    assert score.path_to("strong") == []
    low = {**park(), "support_share": 40.0}
    path = rubric.score(low).path_to("strong")
    assert path[0][0] == "support_share"
    after = rubric.score({**low, **dict(path)})
    assert after.band == "strong" and after.knockouts == []
    with pytest.raises(cv.InputError) as info:
        score.path_to("gold")
    assert (info.value.code, info.value.path) == ("input.unknown_band", "band")


def test_compare_perspectives_frame_and_html() -> None:
    rubric = cv.Rubric.default()
    df = rubric.compare_perspectives(park())
    assert list(df.columns) == ["rubric", "municipality", "residents", "initiators"]
    assert df.index.name == "criterion"
    for col in df.columns:
        total = rubric.score(park(), perspective=None if col == "rubric" else col).total
        assert df[col].sum() == pytest.approx(total, abs=1e-9)
        assert df.attrs["totals"][col] == total
    html = rubric.score(park())._repr_html_()
    assert "through each perspective" in html and html.count("<svg") >= 5
