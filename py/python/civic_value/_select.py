"""Portfolio selection under a fund's budget (``Rubric.select``)."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any, Hashable, List, Optional, Tuple, Union

import numpy as np

from ._native import select_portfolio

if TYPE_CHECKING:
    import pandas

    from ._rubric import Rubric

#: A column name of the frame, or a Series aligned with it.
ColumnLike = Union[str, "pandas.Series"]


class Selection:
    """The initiatives a fund chooses within its budget (from :meth:`Rubric.select`).

    ``chosen`` lists the ids (index labels) of the chosen initiatives in frame order;
    ``value`` is the sum of their totals, ``cost`` what they cost together (whole euros),
    ``left`` the money left and ``budget`` the budget. ``table`` is a DataFrame with a row
    per initiative (the frame's index) and the columns ``total``, ``cost``,
    ``value_per_euro``, ``chosen`` and ``reason`` (plus ``group`` when groups were given).

    Reasons: ``"chosen"``; ``"knocked out"`` (fails a knock-out: never chosen);
    ``"over budget"`` (costs more than the budget alone, or more than the money left while
    its value per euro is at least that of some chosen initiative); ``"lower value per
    euro"`` (less value per euro than every chosen initiative, or no value at all);
    ``"group limit"`` (its group already has ``max_per_group`` chosen).
    """

    __slots__ = ("budget", "chosen", "cost", "left", "nodes", "table", "value")

    chosen: List[Hashable]
    value: float
    cost: int
    left: int
    budget: int
    nodes: int
    table: pandas.DataFrame

    def __repr__(self) -> str:
        return (
            f"Selection(chosen={len(self.chosen)} of {len(self.table)}, value={self.value:.2f}, "
            f"cost={self.cost}, left={self.left}, budget={self.budget})"
        )

    def _repr_html_(self) -> str:
        rows = []
        for label, r in self.table.iterrows():
            style = ' style="font-weight:600"' if r["chosen"] else ' style="color:#666"'
            per = r["value_per_euro"]
            per_text = "free" if not np.isfinite(per) else f"{per * 1000:.3f}"
            rows.append(
                f"<tr{style}><td>{html.escape(str(label))}</td><td>{r['total']:.2f}</td>"
                f"<td>€{int(r['cost']):,}</td><td>{per_text}</td><td>{html.escape(str(r['reason']))}</td></tr>"
            )
        return (
            f"<div><p><b>{len(self.chosen)} of {len(self.table)} initiatives chosen</b>: value "
            f"{self.value:.2f} points, cost €{self.cost:,} of €{self.budget:,}, left €{self.left:,}</p>"
            "<table><thead><tr><th>initiative</th><th>total</th><th>cost</th>"
            "<th>points per €1000</th><th>reason</th></tr></thead><tbody>"
            + "".join(rows)
            + "</tbody></table></div>"
        )


def _aligned(frame: pandas.DataFrame, values: Any, what: str) -> Tuple[pandas.Series, bool]:
    """``values`` as a Series aligned with ``frame`` and whether it names a column of it."""
    import pandas as pd

    if isinstance(values, str):
        if values not in frame.columns:
            raise KeyError(f"{what}: the frame has no column {values!r}")
        return frame[values], True
    if isinstance(values, pd.Series):
        if not values.index.equals(frame.index):
            values = values.reindex(frame.index)
        return values, False
    raise TypeError(f"{what} must be a column name or a pandas Series, got {type(values).__name__}")


def select(
    rubric: Rubric,
    frame: pandas.DataFrame,
    budget: float,
    cost: ColumnLike,
    groups: Optional[ColumnLike],
    min_per_group: Optional[int],
    max_per_group: Optional[int],
    perspective: Optional[str],
) -> Selection:
    """See :meth:`Rubric.select`."""
    import pandas as pd

    from ._rubric import _column

    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame, got {type(frame).__name__}")
    criteria = {c.id for c in rubric.criteria}
    leave_out: List[str] = []
    cost_series, cost_is_column = _aligned(frame, cost, "cost")
    if cost_is_column and cost not in criteria:
        leave_out.append(str(cost))
    group_list: Optional[List[Optional[str]]] = None
    if groups is not None:
        group_series, group_is_column = _aligned(frame, groups, "groups")
        if group_is_column and groups not in criteria:
            leave_out.append(str(groups))
        group_list = [None if _missing(g) else str(g) for g in group_series.tolist()]
    elif min_per_group is not None or max_per_group is not None:
        raise TypeError("min_per_group and max_per_group need groups (a column name or a Series)")
    scored = rubric.score_frame(frame.drop(columns=leave_out), perspective=perspective)
    out = select_portfolio(
        scored["total"].to_numpy(dtype=np.float64),
        scored["knocked_out"].to_numpy(dtype=bool),
        _column(cost_series),
        group_list,
        float(budget),
        min_per_group,
        max_per_group,
    )
    columns = {
        "total": scored["total"].to_numpy(dtype=np.float64),
        "cost": np.asarray(out["costs"], dtype=np.int64),
        "value_per_euro": out["value_per_euro"],
        "chosen": out["chosen"],
        "reason": out["reasons"],
    }
    if group_list is not None:
        columns["group"] = group_list
    table = pd.DataFrame(columns, index=frame.index)
    result = object.__new__(Selection)
    result.chosen = list(frame.index[out["chosen"]])
    result.value = out["value"]
    result.cost = out["cost"]
    result.left = out["left"]
    result.budget = out["budget"]
    result.nodes = out["nodes"]
    result.table = table
    return result


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        import pandas as pd

        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
