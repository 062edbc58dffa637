"""Typed use of the public API: `mypy --strict` checks this file against the stubs and
the package's annotations (scripts/steps/python.sh), and tests/test_typed_usage.py runs it,
so the types are proven by use."""

from __future__ import annotations

import pickle
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
import numpy.typing as npt
import pandas as pd

import civic_value
from civic_value import (
    Band,
    CivicValueError,
    Criterion,
    CriterionScore,
    InputError,
    Knockout,
    Perspective,
    Rubric,
    RubricError,
    Score,
    Theme,
    ThemeScore,
)


def main() -> Dict[str, float]:
    rubric: Rubric = Rubric.default()
    same: Rubric = Rubric.from_toml(rubric.to_toml())
    assert same == Rubric.from_json(rubric.to_json()) == Rubric.from_dict(rubric.to_dict())
    assert pickle.loads(pickle.dumps(rubric)) == rubric

    ids: List[str] = [c.id for c in rubric.criteria]
    first: Criterion = rubric.criterion(ids[0])
    label: str = first.label("nl")
    unit: Optional[str] = first.unit
    levels: Optional[int] = rubric.criterion("neighbour_contact").levels
    themes: List[Theme] = rubric.themes
    perspectives: List[Perspective] = rubric.perspectives
    bands: List[Band] = rubric.bands
    weights: Dict[str, float] = rubric.weights(perspectives[0].id)
    assert label and unit and levels and themes and bands and weights

    score: Score = rubric.score(
        {
            "volunteer_hours": (2500, 4000),
            "neighbour_contact": 4,
            "inclusion": "several_groups",
            "support_share": {"value": 72, "evidence": "estimated"},
            "permit_secured": True,
            "partners": None,
        },
        perspective="residents",
    )
    total: float = score.total
    band: Optional[str] = score.band
    interval: Tuple[float, float] = score.interval
    rows: List[CriterionScore] = score.criteria
    subtotals: List[ThemeScore] = score.themes
    knockouts: List[Knockout] = score.knockouts
    flags: List[str] = rows[0].flags
    breakdown: pd.DataFrame = score.to_pandas()
    html: str = score._repr_html_()
    assert band is not None and interval[0] <= total and subtotals and flags and not knockouts
    assert len(breakdown) == len(rows) and "<svg" in html

    many: List[Score] = rubric.score_many([{"support_share": 60}, {"support_share": 40}])
    frame: pd.DataFrame = rubric.score_frame(pd.DataFrame({"support_share": [60.0, 40.0]}))
    read: pd.DataFrame = rubric.read_csv(b"id;support_share\na;72,5\n", delimiter=";", ignore=["district"])
    assert rubric.score_frame(read)["total"].shape == (1,)
    x: npt.NDArray[np.float64] = np.array([[60.0, 1.0], [40.0, 0.0]])
    totals: npt.NDArray[np.float64] = rubric.score_matrix(x, ["support_share", "permit_secured"])
    assert len(many) == len(frame) == len(totals) == 2

    fund = pd.DataFrame({"support_share": [60.0, 80.0], "municipal_contribution": [1000, 2000],
                         "district": ["a", "b"]})
    selection: civic_value.Selection = rubric.select(fund, 2500, groups="district", max_per_group=1)
    picked: List[object] = list(selection.chosen)
    money: Tuple[float, int, int] = (selection.value, selection.cost, selection.left)
    assert picked and money[2] == 2500 - money[1] and len(selection.table) == 2

    try:
        rubric.score({"support_share": "lots"})
    except InputError as e:
        code: str = e.code
        path: str = e.path
        problems: List[CivicValueError] = e.errors
        assert code == "input.not_a_number" and path == "input.support_share" and problems
    try:
        Rubric.from_json("{}")
    except RubricError as e:
        assert e.code == "rubric.parse"
    # Weigh and decide (issue 7).
    judged: civic_value.weights.AhpResult = civic_value.weights.ahp([[1, 3], [1 / 3, 1]], method="geometric_mean")
    w: npt.NDArray[np.float64] = judged.weights
    cr: float = judged.cr
    ranked: npt.NDArray[np.float64] = civic_value.weights.roc(3) + civic_value.weights.rank_sum(3)
    closeness: npt.NDArray[np.float64] = civic_value.mcda.topsis([[1.0, 2.0], [2.0, 1.0]], [1, 1], [1, -1])
    levers: pd.DataFrame = score.levers()
    steps: List[Tuple[str, Any]] = score.path_to("weak")
    compared: pd.DataFrame = rubric.compare_perspectives({"support_share": 60})
    reweighted: Rubric = rubric.with_weights({c.id: 1.0 for c in rubric.criteria})
    assert len(w) == 2 and cr == 0.0 and len(ranked) == len(closeness) + 1 and len(levers) == 12
    assert steps == [] and "rubric" in compared.columns and reweighted != rubric
    version: str = civic_value.__version__
    assert version

    swings: pd.DataFrame = rubric.tornado({"support_share": 72}, 0.2)
    table = pd.DataFrame({"support_share": [60.0, 75.0], "volunteer_hours": [(100.0, 400.0), 900.0]})
    stable: pd.DataFrame = rubric.stability(table)
    mc: civic_value.MonteCarloResult = rubric.monte_carlo(
        table, draws=64, seed=1, concentration=50.0, progress=lambda done, total: None
    )
    p95: float = float(mc.summary["p95"].iloc[0])
    assert len(swings) == 12 and len(stable) == 12 and mc.draws == 64 and p95 >= 0
    return {"total": total, "matrix": float(totals[0])}


if __name__ == "__main__":
    print(main())
