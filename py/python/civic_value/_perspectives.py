"""Perspectives compared: one initiative under every weight set, as a DataFrame, and the
small multiple a Score's HTML shows."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING, Any, Dict, List, Mapping

if TYPE_CHECKING:
    import pandas

    from ._rubric import Input, Rubric
    from ._score import Score


def compare(rubric: Rubric, inputs: Mapping[str, Input]) -> pandas.DataFrame:
    """Points per criterion (rows, by id) under ``"rubric"`` and each perspective (columns);
    ``.attrs`` holds ``totals``, ``bands`` and ``differences``."""
    import pandas as pd

    c = rubric._native.compare_perspectives(inputs)
    index = pd.Index([r["id"] for r in c["criteria"]], name="criterion")
    data = {col: [float(r["points"][k]) for r in c["criteria"]] for k, col in enumerate(c["columns"])}
    df = pd.DataFrame(data, index=index)
    df.attrs["totals"] = {col: float(t) for col, t in zip(c["columns"], c["totals"])}
    df.attrs["bands"] = dict(zip(c["columns"], c["bands"]))
    df.attrs["differences"] = list(c["differences"])
    return df


def small_multiple(score: Score, rubric: Rubric, lang: str = "en") -> str:
    """One small bar chart of points per criterion for the rubric's own weights and for each
    perspective, on one scale, with the biggest difference of each perspective named."""
    if not rubric.perspectives:
        return ""
    from ._levers import score_inputs

    c: Dict[str, Any] = rubric._native.compare_perspectives(score_inputs(score))
    labels = {p.id: p.label(lang) for p in rubric.perspectives}
    names = {k.id: k.label(lang) for k in rubric.criteria}
    rows: List[Dict[str, Any]] = c["criteria"]
    top = max([p for r in rows for p in r["points"]] + [1e-9])
    bar_w, row_h, label_w = 110, 11, 0
    charts = []
    for k, col in enumerate(c["columns"]):
        title = "rubric's weights" if k == 0 else labels.get(col, col)
        bars = []
        for i, r in enumerate(rows):
            p = max(0.0, float(r["points"][k]))
            w = bar_w * p / top
            y = 18 + i * row_h
            bars.append(
                f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{row_h - 3}" fill="#2f6f9f">'
                f"<title>{escape(names.get(r['id'], r['id']))}: {p:.2f}</title></rect>"
            )
        height = 18 + len(rows) * row_h
        charts.append(
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{bar_w + 10}" height="{height}" '
            f'font-size="11" font-family="system-ui,sans-serif" role="img" aria-label="{escape(title)}">'
            f'<text x="0" y="11" font-weight="600">{escape(title)} {float(c["totals"][k]):.1f}</text>'
            f'{"".join(bars)}</svg>'
        )
    notes = []
    for d in c["differences"]:
        if not d["differs"]:
            notes.append(f"{escape(labels.get(d['perspective'], d['perspective']))}: none")
            continue
        notes.append(
            f"{escape(labels.get(d['perspective'], d['perspective']))}: "
            f"{escape(names.get(d['criterion'], d['criterion']))} {float(d['delta']):+.2f} points"
        )
    order = ", ".join(escape(names.get(r["id"], r["id"])) for r in rows[:3])
    return (
        '<div class="muted" style="margin-top:6px">through each perspective '
        f"(bars: points per criterion in rubric order: {order}, …)</div>"
        f'<div style="display:flex;gap:10px;flex-wrap:wrap">{"".join(charts)}</div>'
        f'<div class="muted">biggest difference from the rubric\'s weights: {"; ".join(notes)}</div>'
    )
