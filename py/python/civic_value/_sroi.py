"""Monetised value (SROI): the result objects of :func:`civic_value.sroi` and
:meth:`civic_value.Rubric.monetise`, their tables and their HTML (a waterfall from gross to
net to present value). The numbers come from the Rust engine."""

from __future__ import annotations

import math
from html import escape
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from ._native import sroi as _native_sroi
from ._native import sroi_sensitivity as _native_sensitivity

if TYPE_CHECKING:
    import pandas

#: How future values are discounted: a preset id (``"nl-mkba-2021"``,
#: ``"uk-green-book-2022"``), a rate (``0.035`` or ``"3.5%"``) or a term structure
#: ``[(until_year, rate), …]`` (the last rate continues after its year).
DiscountLike = Union[str, float, Sequence[Tuple[int, float]], Mapping[str, Any]]

#: Outcomes: a DataFrame or a list of dicts with ``quantity``, ``proxy``, ``deadweight``,
#: ``displacement``, ``attribution``, ``drop_off`` (fractions 0–1, default 0), ``duration``
#: (whole years ≥ 1) and optionally ``name``.
OutcomesLike = Union["pandas.DataFrame", Sequence[Mapping[str, Any]]]

_OPTIONAL = ("name", "deadweight", "displacement", "attribution", "drop_off")
_FIELDS = ("name", "quantity", "proxy", "deadweight", "displacement", "attribution", "drop_off", "duration")


def _records(outcomes: OutcomesLike) -> List[Dict[str, Any]]:
    """Outcomes as a list of plain dicts (a DataFrame's rows; an empty cell in an optional
    column — ``name`` or a fraction — counts as absent)."""
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is optional
        pd = None  # type: ignore[assignment]
    if pd is not None and isinstance(outcomes, pd.DataFrame):
        rows: List[Dict[str, Any]] = []
        for record in outcomes.to_dict("records"):
            row: Dict[str, Any] = {}
            for key, value in record.items():
                if hasattr(value, "item"):
                    value = value.item()
                # An empty cell of an optional column (name, a fraction) is absent.
                if isinstance(value, float) and math.isnan(value) and key in _OPTIONAL:
                    continue
                row[str(key)] = value
            rows.append(row)
        return rows
    if isinstance(outcomes, (str, bytes)) or not hasattr(outcomes, "__iter__"):
        raise TypeError(f"outcomes must be a DataFrame or a list of dicts, got {type(outcomes).__name__}")
    return [dict(o) for o in outcomes]


def _discount_arg(discount: DiscountLike) -> Any:
    if isinstance(discount, (list, tuple)):
        return [list(t) for t in discount]
    return discount


class SroiResult:
    """The monetised value of a set of outcomes against an investment.

    ``present_value``, ``npv``, ``ratio`` (PV / investment), ``net_ratio``
    ((PV − investment) / investment) — both unrounded —, ``payback_years`` (``None`` when the
    investment is never reached), ``investment`` and ``discount`` (the name of the
    discounting used, never implicit; ``discount_description`` says what it is)."""

    def __init__(self, data: Dict[str, Any], outcomes: List[Dict[str, Any]]) -> None:
        self._data = data
        self._outcomes = outcomes
        self.present_value: float = data["present_value"]
        self.investment: float = data["investment"]
        self.npv: float = data["npv"]
        self.ratio: float = data["ratio"]
        self.net_ratio: float = data["net_ratio"]
        self.payback_years: Optional[float] = data["payback_years"]
        self.discount: str = data["discount"]["name"]
        self.discount_description: str = data["discount"]["description"]
        #: For a preset: the date it took effect (ISO 8601) and its source document.
        self.discount_in_force_from: Optional[str] = data["discount"].get("in_force_from")
        self.discount_source: Optional[str] = data["discount"].get("source")

    @property
    def table(self) -> pandas.DataFrame:
        """Outcome × year: ``gross``, ``net``, ``value`` (net after drop-off), ``factor``
        (the discount factor) and ``discounted``, indexed by ``(outcome, year)``."""
        import pandas as pd

        rows = self._data["table"]
        frame = pd.DataFrame(rows, columns=["outcome", "year", "gross", "net", "value", "factor", "discounted"])
        return frame.set_index(["outcome", "year"])

    @property
    def cumulative(self) -> List[float]:
        """Cumulative discounted value at the end of each year, from year 1."""
        return list(self._data["cumulative"])

    @property
    def waterfall(self) -> List[Tuple[str, float, float]]:
        """``(step, amount, running total)`` from gross to present value: ``gross``, the
        deductions ``deadweight``, ``displacement``, ``attribution``, ``drop_off``,
        ``discounting``, then ``present_value``."""
        return [(s["step"], s["amount"], s["total"]) for s in self._data["waterfall"]]

    def sensitivity(self, ends: Optional[Mapping[str, Tuple[float, float]]] = None) -> pandas.DataFrame:
        """The ratio when each of ``deadweight``, ``displacement``, ``attribution``,
        ``drop_off`` and ``discount_rate`` moves to a low and a high end. ``ends`` gives
        absolute ends per parameter (applied to every outcome; a constant rate for the
        discount); the others default to each value × 0.5 and × 1.5, clamped to 0–1.

        A DataFrame indexed by parameter: ``low``, ``high`` (NaN when the outcomes' values
        differ), ``ratio_low``, ``ratio_high``, ``ratio`` and ``rule``."""
        import pandas as pd

        rows = _native_sensitivity(
            self._outcomes, self.investment, self._data["discount"], None if ends is None else {k: list(v) for k, v in ends.items()}
        )
        frame = pd.DataFrame(
            [
                {
                    "parameter": r["parameter"],
                    "low": math.nan if r["low"] is None else r["low"],
                    "high": math.nan if r["high"] is None else r["high"],
                    "ratio_low": r["ratio_low"],
                    "ratio_high": r["ratio_high"],
                    "ratio": r["ratio"],
                    "rule": r["rule"],
                }
                for r in rows
            ]
        )
        return frame.set_index("parameter")

    def to_dict(self) -> Dict[str, Any]:
        """Everything, as plain Python objects (the engine's JSON shape)."""
        return dict(self._data)

    def __repr__(self) -> str:
        payback = "never" if self.payback_years is None else f"{self.payback_years:.2f} years"
        return (
            f"{type(self).__name__}(present_value={self.present_value:.2f}, investment={self.investment:.2f}, "
            f"ratio={self.ratio:.4f}, net_ratio={self.net_ratio:.4f}, payback={payback}, "
            f"discount={self.discount!r})"
        )

    def _repr_html_(self) -> str:
        return sroi_html(self, currency="EUR")


class MonetisedResult(SroiResult):
    """An initiative's monetised value under a rubric's proxy table: an
    :class:`SroiResult` plus ``currency``, ``investment_source`` (``"given"`` or the
    criterion the investment came from), ``present_value_interval`` (over ranged inputs)
    and ``outcomes`` (per outcome: criterion, quantity, the proxy with its source, year and
    licence, and whether the input was missing)."""

    def __init__(self, data: Dict[str, Any]) -> None:
        super().__init__(data["sroi"], list(data["valued"]))
        self.currency: str = data["currency"]
        self.investment_source: str = data["investment_source"]
        interval = data["present_value_interval"]
        self.present_value_interval: Tuple[float, float] = (interval["low"], interval["high"])
        self.outcomes: List[Dict[str, Any]] = list(data["outcomes"])

    def _repr_html_(self) -> str:
        return sroi_html(self, currency=self.currency, proxies=self.outcomes)


def sroi(outcomes: OutcomesLike, investment: float, *, discount: DiscountLike = "nl-mkba-2021") -> SroiResult:
    """The SROI chain of ``outcomes`` against ``investment``.

    Per outcome ``gross = quantity × proxy`` a year; ``net = gross × (1 − deadweight) ×
    (1 − displacement) × (1 − attribution)``; year ``t`` of ``duration`` is worth
    ``net × (1 − drop_off)^(t−1)``, discounted by ``discount`` (default the Dutch MKBA
    standard rate of 2.25 %, ``"nl-mkba-2021"``; ``"uk-green-book-2022"``; a rate; or
    ``[(until_year, rate), …]``). Raises :class:`InputError` naming the row and field
    (``outcomes[1].deadweight``) for fractions outside 0–1, negative quantities or proxies,
    a duration that is not a whole number of years ≥ 1, and a zero investment (no ratio)."""
    records = _records(outcomes)
    data = _native_sroi(records, float(investment), _discount_arg(discount))
    return SroiResult(data, [{k: v for k, v in r.items() if k in _FIELDS} for r in records])


# ---- HTML ------------------------------------------------------------------------------


def _money(currency: str, x: float) -> str:
    symbol = "€" if currency == "EUR" else currency + " "
    sign = "−" if x < 0 else ""
    return f"{sign}{symbol}{abs(x):,.0f}".replace(",", "\u202f")


def sroi_html(result: SroiResult, *, currency: str, proxies: Optional[List[Dict[str, Any]]] = None) -> str:
    """The summary and a waterfall (SVG) from gross to net to present value."""
    from ._html import STYLE

    steps = result.waterfall
    top = max([abs(t) for _, _, t in steps] + [abs(a) for _, a, _ in steps] + [result.investment, 1.0])
    width, bar_h, gap, left = 520, 18, 6, 120
    scale = (width - left - 90) / top
    labels = {
        "gross": "gross",
        "deadweight": "− deadweight",
        "displacement": "− displacement",
        "attribution": "− attribution",
        "drop_off": "− drop-off",
        "discounting": "− discounting",
        "present_value": "present value",
    }
    parts = []
    running = 0.0
    for i, (step, amount, total) in enumerate(steps):
        y = i * (bar_h + gap)
        if step in ("gross", "present_value"):
            x0, x1, colour = 0.0, total, "#2f6f9f"
        else:
            x0, x1, colour = total, running, "#c07a1f"
        running = total
        lo, hi = sorted((x0, x1))
        parts.append(
            f'<text x="{left - 6}" y="{y + 13}" text-anchor="end">{escape(labels.get(step, step))}</text>'
            f'<rect x="{left + lo * scale:.1f}" y="{y}" width="{max((hi - lo) * scale, 0.5):.1f}" '
            f'height="{bar_h}" fill="{colour}"><title>{escape(step)}: {escape(_money(currency, amount))}</title></rect>'
            f'<text x="{left + hi * scale + 4:.1f}" y="{y + 13}">{escape(_money(currency, amount))}</text>'
        )
    n = len(steps)
    inv_x = left + result.investment * scale
    height = n * (bar_h + gap) + 18
    parts.append(
        f'<line x1="{inv_x:.1f}" x2="{inv_x:.1f}" y1="0" y2="{height - 14}" stroke="#b2463f" stroke-dasharray="3 3"/>'
        f'<text x="{inv_x:.1f}" y="{height - 2}" text-anchor="middle" fill="#b2463f">investment</text>'
    )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-size="11" role="img" aria-label="waterfall from gross value to present value">'
        + "".join(parts)
        + "</svg>"
    )
    payback = "never within the outcomes' years" if result.payback_years is None else f"{result.payback_years:.1f} years"
    rows = [
        ("present value", _money(currency, result.present_value)),
        ("investment", _money(currency, result.investment)),
        ("net present value", _money(currency, result.npv)),
        ("SROI ratio", f"{result.ratio:.4g}"),
        ("net ratio", f"{result.net_ratio:.4g}"),
        ("payback", payback),
        ("discount", result.discount_description),
    ]
    table = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    sources = ""
    if proxies:
        items = "".join(
            f"<li>{escape(str(o['proxy']['id']))}: {escape(currency)} {o['proxy']['value']:.2f} "
            f"per {escape(str(o['proxy']['unit']))} ({escape(str(o['proxy']['year']))}); "
            f"{escape(str(o['proxy']['source']))}; licence: {escape(str(o['proxy']['licence']))}</li>"
            for o in proxies
        )
        sources = f'<div class="muted">proxies:<ul>{items}</ul></div>'
    return f'{STYLE}<div class="cv"><table>{table}</table>{svg}{sources}</div>'
