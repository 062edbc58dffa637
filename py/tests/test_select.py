"""Rubric.select: the fund's exact choice within a budget. The contract (names, result
fields, table columns, reasons), the twenty-initiative fund round against an independent
brute force over every subset (numpy, below), hand-derived small cases, costs and groups as
columns or Series, and bad input naming the row."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, Optional, Tuple

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest

from civic_value import InputError, Rubric, Selection

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

# One criterion whose value is its input / 100, so a total is the input itself:
# 100 · 1 · (x − 0)/(100 − 0) = x.
PLAIN = """
id = "plain"
version = "1"
[[themes]]
id = "t"
weight = 1
[[criteria]]
id = "points"
theme = "t"
weight = 1
value_function = { type = "linear", worst = 0, best = 100 }
[[criteria]]
id = "support"
theme = "t"
weight = 0
value_function = { type = "linear", worst = 0, best = 100 }
knockout = { at_least = 50 }
[[bands]]
id = "all"
min = 0
"""


@pytest.fixture(scope="module")
def plain() -> Rubric:
    return Rubric.from_toml(PLAIN)


@pytest.fixture(scope="module")
def fund_round() -> pd.DataFrame:
    return Rubric.default().read_csv(EXAMPLES / "fund-round.csv")


def brute_force(
    totals: npt.NDArray[np.float64],
    costs: npt.NDArray[np.int64],
    open_: npt.NDArray[np.bool_],
    budget: int,
    groups: Optional[npt.NDArray[np.int64]] = None,
    max_per_group: Optional[int] = None,
) -> Tuple[int, int]:
    """The best (value in 10⁻⁹ points, cost) over every subset of the open initiatives."""
    idx = np.flatnonzero(open_)
    n = len(idx)
    masks = ((np.arange(1 << n)[:, None] >> np.arange(n)) & 1).astype(np.int64)
    units = np.round(totals[idx] * 1e9).astype(np.int64)
    value = masks @ units
    cost = masks @ costs[idx]
    ok = cost <= budget
    if groups is not None and max_per_group is not None:
        onehot = (groups[idx][:, None] == np.unique(groups)[None, :]).astype(np.int64)
        ok &= ((masks @ onehot) <= max_per_group).all(axis=1)
    best = value[ok].max()
    return int(best), int(cost[ok & (value == best)].min())


def outcome(sel: Selection, totals: pd.Series, costs: pd.Series) -> Tuple[int, int]:
    chosen = sel.table["chosen"].to_numpy()
    units = np.round(totals.to_numpy(dtype=float) * 1e9).astype(np.int64)
    return int(units[chosen].sum()), int(costs.to_numpy(dtype=np.int64)[chosen].sum())


def test_the_fund_round_is_the_best_choice(fund_round: pd.DataFrame) -> None:
    rubric = Rubric.default()
    sel = rubric.select(fund_round, 300_000, groups="district")
    assert isinstance(sel, Selection)
    # The engine's totals, from scoring (not selecting) the same rows.
    scored = rubric.score_frame(fund_round.drop(columns="district"))
    costs = fund_round["municipal_contribution"].astype(np.int64)
    expected = brute_force(
        scored["total"].to_numpy(), costs.to_numpy(), ~scored["knocked_out"].to_numpy(), 300_000
    )
    assert outcome(sel, scored["total"], costs) == expected
    table = sel.table
    assert list(table.columns) == ["total", "cost", "value_per_euro", "chosen", "reason", "group"]
    assert table.index.equals(fund_round.index)
    assert (table["total"] == scored["total"]).all()
    assert sel.chosen == list(table.index[table["chosen"]])
    assert sel.cost == int(table.loc[table["chosen"], "cost"].sum()) <= 300_000
    assert (sel.budget, sel.left) == (300_000, 300_000 - sel.cost)
    assert sel.value == pytest.approx(table.loc[table["chosen"], "total"].sum(), abs=1e-9)
    assert table.loc["vegetable-garden", "reason"] == "knocked out"  # 45 % support < 50 %
    assert set(table["reason"]) <= {"chosen", "knocked out", "over budget", "lower value per euro"}
    assert (table["value_per_euro"] == table["total"] / table["cost"]).all()
    assert "Selection(chosen=" in repr(sel)
    assert "<table>" in sel._repr_html_()


def test_at_most_two_per_district(fund_round: pd.DataFrame) -> None:
    rubric = Rubric.default()
    sel = rubric.select(fund_round, 300_000, groups="district", max_per_group=2)
    scored = rubric.score_frame(fund_round.drop(columns="district"))
    costs = fund_round["municipal_contribution"].astype(np.int64)
    codes = pd.factorize(fund_round["district"])[0].astype(np.int64)
    expected = brute_force(
        scored["total"].to_numpy(), costs.to_numpy(), ~scored["knocked_out"].to_numpy(), 300_000,
        codes, 2,
    )
    assert outcome(sel, scored["total"], costs) == expected
    assert sel.table.loc[sel.table["chosen"], "group"].value_counts().max() <= 2
    assert "group limit" in set(sel.table["reason"])


def test_hand_derived_choice(plain: Rubric) -> None:
    # Totals are the inputs. Budget 100: A 60 for 60, B 50 for 50, C 45 for 50, F 10 for 40;
    # pairs that fit: A+F 70, B+C 95, B+F 60, C+F 55; three never fit. Best: B + C.
    # K would be best (90 for 10) but fails the support knock-out (40 < 50).
    df = pd.DataFrame(
        {"points": [60, 50, 45, 10, 90], "support": [80, 80, 80, 80, 40],
         "requested": [60, 50, 50, 40, 10]},
        index=["A", "B", "C", "F", "K"],
    )
    sel = plain.select(df, 100, cost="requested")
    assert sel.chosen == ["B", "C"]
    assert (sel.value, sel.cost, sel.left) == (95.0, 100, 0)
    # A: 1.0 per euro ≥ C's 0.9 but no room left; F: 0.25 < 0.9; K: knocked out.
    assert list(sel.table["reason"]) == [
        "over budget", "chosen", "chosen", "lower value per euro", "knocked out",
    ]
    assert list(sel.table["value_per_euro"]) == [1.0, 1.0, 0.9, 0.25, 9.0]
    assert list(sel.table["cost"]) == [60, 50, 50, 40, 10]


def test_costs_and_groups_as_series(plain: Rubric) -> None:
    df = pd.DataFrame({"points": [60, 50, 45, 30], "support": [80] * 4}, index=list("ABCD"))
    # Given in another order: aligned on the index. A, D in Noord; B, C in Oost.
    costs = pd.Series({"D": 30, "C": 50, "B": 50, "A": 60})
    groups = pd.Series({"A": "Noord", "B": "Oost", "C": "Oost", "D": "Noord"})
    # At most one per district: A+B and A+C cost 110 > 100; B+D = 80 (80) is best.
    sel = plain.select(df, 100, cost=costs, groups=groups, max_per_group=1)
    assert sel.chosen == ["B", "D"]
    assert sel.table.loc["A", "reason"] == "group limit"
    # At least one per district: B + D again (B + C has no Noord).
    assert plain.select(df, 100, cost=costs, groups=groups, min_per_group=1).chosen == ["B", "D"]


def test_bad_costs_name_the_row(plain: Rubric) -> None:
    df = pd.DataFrame({"points": [10, 20], "support": [80, 80]})
    cases: Dict[str, Tuple[object, str]] = {
        "fraction": ([10, 12.5], "input.not_whole_euros"),
        "negative": ([10, -3], "input.negative"),
        "missing": ([10, None], "input.missing"),
        "text": (["10", "a lot"], "input.not_whole_euros"),
    }
    for name, (values, code) in cases.items():
        with pytest.raises(InputError) as e:
            plain.select(df, 100, cost=pd.Series(values, index=df.index))
        assert (e.value.code, e.value.path) == (code, "rows[1].cost"), name
    with pytest.raises(InputError) as e:
        plain.select(df.assign(c=[1, 2]), 10.5, cost="c")
    assert (e.value.code, e.value.path) == ("input.not_whole_euros", "budget")
    with pytest.raises(InputError) as e:
        plain.select(df.assign(c=[60, 60], g=["x", "y"]), 100, cost="c", groups="g", min_per_group=1)
    assert (e.value.code, e.value.path) == ("input.infeasible", "min_per_group")
    with pytest.raises(KeyError):
        plain.select(df, 100)  # no municipal_contribution column
    with pytest.raises(TypeError):
        plain.select(df.assign(c=[1, 2]), 100, cost="c", max_per_group=1)  # no groups


def test_a_cost_column_that_is_not_a_criterion_is_not_scored(plain: Rubric) -> None:
    df = pd.DataFrame({"points": [10, 20], "support": [80, 80], "requested": [5, 5],
                       "district": ["a", "b"]})
    sel = plain.select(df, 5, cost="requested", groups="district")
    assert sel.chosen == [1]
