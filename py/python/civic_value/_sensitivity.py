"""Sensitivity: the tornado of one initiative, exact weight stability of a ranking, and
Monte Carlo over weights and uncertain inputs. The numbers come from the Rust engine; this
module builds the DataFrames, the progress bar and the HTML (an SVG tornado)."""

from __future__ import annotations

import math
from html import escape
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional, Sequence, Union

import numpy as np

if TYPE_CHECKING:
    import pandas

    from ._rubric import Rubric

#: A table of initiatives: a DataFrame (rows = initiatives, columns = criterion ids, as for
#: ``score_frame``) or a list of input mappings.
FrameLike = Union["pandas.DataFrame", Sequence[Mapping[str, Any]]]
#: ``None``, a callable ``(done, total)``, or ``True`` for a tqdm bar.
ProgressLike = Union[None, bool, Callable[[int, int], Any]]


def _frame(frame: FrameLike) -> pandas.DataFrame:
    import pandas as pd

    if isinstance(frame, pd.DataFrame):
        return frame
    if isinstance(frame, (str, bytes, Mapping)) or not hasattr(frame, "__iter__"):
        raise TypeError(f"expected a DataFrame or a list of input mappings, got {type(frame).__name__}")
    return pd.DataFrame([dict(item) for item in frame])


def _columns(df: pandas.DataFrame) -> tuple[List[str], List[Any]]:
    from ._frame import frame_columns

    table = frame_columns(df)
    return table.names, list(table.columns)


# ---- tornado ---------------------------------------------------------------------------


def tornado(rubric: Rubric, inputs: Mapping[str, Any], change: float, perspective: Optional[str]) -> pandas.DataFrame:
    import pandas as pd

    if isinstance(change, bool) or not isinstance(change, (int, float)):
        raise TypeError(f"change must be a number, got {type(change).__name__}")
    raw = rubric._native.tornado(inputs, float(change), perspective)
    rows = raw["rows"]
    df = _tornado_class()(
        {
            "weight": [r["weight"] for r in rows],
            "low": [r["low"] for r in rows],
            "high": [r["high"] for r in rows],
        },
        index=pd.Index([r["criterion"] for r in rows], name="criterion"),
    )
    df.attrs["total"] = raw["total"]
    df.attrs["change"] = raw["change"]
    out: pandas.DataFrame = df
    return out


_TORNADO: Any = None


def _tornado_class() -> Any:
    """A DataFrame whose notebook display is the tornado chart (made on first use, so
    that pandas stays an optional dependency)."""
    global _TORNADO
    if _TORNADO is None:
        import pandas as pd

        def repr_html(self: pandas.DataFrame) -> str:
            return tornado_svg(self)

        # Operations on it give plain DataFrames; only the tornado itself draws a chart.
        _TORNADO = type(
            "TornadoFrame",
            (pd.DataFrame,),
            {
                "__doc__": "Tornado rows (weight, low, high per criterion); displays as SVG.",
                "_constructor": property(lambda self: pd.DataFrame),
                "_repr_html_": repr_html,
            },
        )
    return _TORNADO


def tornado_svg(df: pandas.DataFrame, width: int = 560) -> str:
    """The tornado as an SVG bar chart: one bar per criterion from the total with its weight
    lowered to the total with it raised, around the unchanged total."""
    total = float(df.attrs.get("total", math.nan))
    change = float(df.attrs.get("change", math.nan))
    lows = [float(x) for x in df["low"]]
    highs = [float(x) for x in df["high"]]
    span = [v for v in lows + highs + [total] if math.isfinite(v)] or [0.0, 100.0]
    lo, hi = min(span), max(span)
    pad = max((hi - lo) * 0.08, 0.5)
    lo, hi = lo - pad, hi + pad
    left, right, row_h, top = 170, width - 10, 22, 28
    height = top + row_h * len(df) + 24

    def x(v: float) -> float:
        return left + (v - lo) / (hi - lo) * (right - left)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="tornado" font-family="sans-serif" font-size="12">',
        f'<text x="{left}" y="16">total {total:.2f} · each weight × (1 ∓ {change:g}), '
        f'others rescaled</text>',
    ]
    for k, (cid, low, high) in enumerate(zip(df.index, lows, highs)):
        y = top + k * row_h
        parts.append(f'<text x="{left - 6}" y="{y + 14}" text-anchor="end">{escape(str(cid))}</text>')
        for end, colour in ((low, "#e08a3c"), (high, "#3c7be0")):
            a, b = sorted((x(total), x(end)))
            parts.append(
                f'<rect x="{a:.1f}" y="{y + 3}" width="{max(b - a, 0.5):.1f}" height="{row_h - 6}" '
                f'fill="{colour}"><title>{escape(str(cid))}: {end:.2f}</title></rect>'
            )
    parts.append(
        f'<line x1="{x(total):.1f}" y1="{top - 4}" x2="{x(total):.1f}" y2="{top + row_h * len(df)}" '
        f'stroke="#222"/>'
    )
    y = top + row_h * len(df) + 16
    parts.append(f'<text x="{left}" y="{y}" fill="#e08a3c">■ weight lowered</text>')
    parts.append(f'<text x="{left + 130}" y="{y}" fill="#3c7be0">■ weight raised</text>')
    parts.append("</svg>")
    return "".join(parts)


# ---- stability -------------------------------------------------------------------------


def stability(rubric: Rubric, frame: FrameLike, perspective: Optional[str]) -> pandas.DataFrame:
    import pandas as pd

    df = _frame(frame)
    names, columns = _columns(df)
    raw = rubric._native.stability(names, columns, len(df), perspective)
    ids = list(df.index)

    def pair(p: Optional[Sequence[int]]) -> Optional[tuple[Any, Any]]:
        return None if p is None else (ids[p[0]], ids[p[1]])

    rows = raw["criteria"]
    out = pd.DataFrame(
        {
            "weight": [r["weight"] for r in rows],
            "lower": [r["lower"] for r in rows],
            "upper": [r["upper"] for r in rows],
            "first_swap": [pair(r["first_swap"]) for r in rows],
        },
        index=pd.Index([r["criterion"] for r in rows], name="criterion"),
    )
    out.attrs["ranking"] = [ids[i] for i in raw["ranking"]]
    out.attrs["knocked_out"] = [ids[i] for i in raw["knocked_out"]]
    return out


# ---- Monte Carlo -----------------------------------------------------------------------


class MonteCarloResult:
    """The result of :meth:`Rubric.monte_carlo`.

    ``summary``: per initiative (the frame's index) ``mean``, ``p5``, ``p50``, ``p95`` of the
    total and ``p_top_k``, the share of draws in which it passes its knock-outs and ranks
    ``top_k`` or better. ``ranks``: initiatives × places ``1..n``, the share of draws in which
    each initiative takes each place (rows sum to 1). Quantiles are read from a histogram
    with bins of 1/32 point, narrowed to the smallest and largest total drawn (see the
    README); the mean is exact up to rounding."""

    __slots__ = ("summary", "ranks", "draws", "seed", "concentration", "vary_inputs", "top_k")

    def __init__(self, raw: Dict[str, Any], index: pandas.Index) -> None:
        import pandas as pd

        self.summary: pandas.DataFrame = pd.DataFrame(
            {k: raw[k] for k in ("mean", "p5", "p50", "p95", "p_top_k")}, index=index
        )
        n = len(index)
        # The engine's array as it is (pandas 3 would copy it by default): it is this
        # result's alone.
        self.ranks: pandas.DataFrame = pd.DataFrame(
            raw["ranks"], index=index, columns=pd.RangeIndex(1, n + 1, name="rank"), copy=False
        )
        self.draws: int = int(raw["draws"])
        self.seed: int = int(raw["seed"])
        self.concentration: float = float(raw["concentration"])
        self.vary_inputs: bool = bool(raw["vary_inputs"])
        self.top_k: int = int(raw["top_k"])

    def __repr__(self) -> str:
        return (
            f"MonteCarloResult(draws={self.draws}, seed={self.seed}, concentration={self.concentration}, "
            f"initiatives={len(self.summary)}, top_k={self.top_k})"
        )

    def _repr_html_(self) -> str:
        head = (
            f"<p>Monte Carlo: {self.draws} draws, seed {self.seed}, concentration "
            f"{escape(str(self.concentration))}, inputs {'drawn in their ranges' if self.vary_inputs else 'fixed'}; "
            f"p_top_k with k = {self.top_k}</p>"
        )
        return head + self.summary.to_html(float_format=lambda v: f"{v:.3f}")


def monte_carlo(
    rubric: Rubric,
    frame: FrameLike,
    *,
    draws: int,
    seed: int,
    concentration: float,
    vary_inputs: bool,
    top_k: int,
    progress: ProgressLike,
    perspective: Optional[str],
    threads: Optional[int],
) -> MonteCarloResult:
    # Types only: what each option accepts (draws from 1, ...) is the engine's check, with
    # the engine's message.
    for name, value in (("draws", draws), ("seed", seed), ("top_k", top_k)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"{name} must be a whole number, got {type(value).__name__}")
    if isinstance(concentration, bool) or not isinstance(concentration, (int, float)):
        raise TypeError(f"concentration must be a number, got {type(concentration).__name__}")
    df = _frame(frame)
    names, columns = _columns(df)
    bar = None
    callback: Optional[Callable[[int, int], Any]]
    if progress is True:
        try:
            from tqdm.auto import tqdm  # type: ignore[import-untyped]
        except ImportError as e:  # pragma: no cover - tqdm is pinned for the tests
            raise ImportError("progress=True needs tqdm: pip install civic-value[progress]") from e
        bar = tqdm(total=int(draws), unit="draw", desc="Monte Carlo")

        def callback(done: int, total: int) -> None:
            bar.update(done - bar.n)

    elif progress is None or progress is False:
        callback = None
    elif callable(progress):
        callback = progress
    else:
        raise TypeError("progress must be None, True or a callable (done, total)")
    try:
        raw = rubric._native.monte_carlo(
            names,
            columns,
            len(df),
            int(draws),
            int(seed),
            float(concentration),
            bool(vary_inputs),
            int(top_k),
            perspective,
            threads,
            callback,
        )
    finally:
        if bar is not None:
            bar.close()
    return MonteCarloResult(raw, df.index)
