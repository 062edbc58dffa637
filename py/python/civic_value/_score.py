"""The score of one initiative, as plain Python objects built from the engine's result."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Tuple, Union

if TYPE_CHECKING:
    import pandas

    from ._rubric import Rubric

#: A raw input as the score reports it: a number, a ``(low, high)`` range, a bool, an
#: option id, ``{"value": x, "evidence": grade}`` or ``None`` (missing).
RawInput = Union[float, Tuple[float, float], bool, str, Dict[str, Any], None]


@dataclass(frozen=True)
class CriterionScore:
    """One row of the breakdown: what one criterion contributed."""

    #: Criterion id.
    id: str
    #: Theme id.
    theme: str
    #: The input as given (or the default used); ``None`` when missing.
    raw: RawInput
    #: Value 0–1.
    value: float
    #: Effective weight (shares summing to 1 over the scored criteria).
    weight: float
    #: Points contributed to the total.
    points: float
    #: Points still available: ``100 · weight − points``.
    available: float
    #: Lowest and highest points over the input's range, when it is a range.
    interval: Optional[Tuple[float, float]]
    #: What happened: ``missing``, ``defaulted``, ``clamped``, ``renormalised``, ``ranged``,
    #: ``knocked_out``.
    flags: List[str]


@dataclass(frozen=True)
class ThemeScore:
    """Subtotal of one theme."""

    id: str
    #: Sum of the effective weights of its criteria.
    weight: float
    #: Points earned.
    points: float
    #: Points still available.
    available: float


@dataclass(frozen=True)
class Knockout:
    """A knock-out rule that fails (or, for a range input, may fail)."""

    #: The criterion whose rule fails.
    criterion: str
    #: The rule as text, e.g. ``">= 50"``.
    rule: str
    #: ``True``: fails for certain; ``False``: fails for part of the input's range only.
    definite: bool


@dataclass(frozen=True)
class ScoreWarning:
    """An input that was ignored (an unknown criterion under the ``warn`` policy)."""

    code: str
    path: str
    message: str


def _raw(value: Any) -> RawInput:
    if isinstance(value, list) and len(value) == 2:
        return (float(value[0]), float(value[1]))
    return value  # type: ignore[no-any-return]


def _pair(value: Mapping[str, float]) -> Tuple[float, float]:
    return (float(value["low"]), float(value["high"]))


class Score:
    """The score of one initiative: total (0–100), band, interval, knock-outs and a
    breakdown per criterion and theme. Made by :meth:`Rubric.score`."""

    __slots__ = (
        "_data",
        "_rubric",
        "aggregation",
        "band",
        "criteria",
        "engine",
        "interval",
        "knocked_out",
        "knockouts",
        "perspective",
        "rubric_fingerprint",
        "rubric_id",
        "rubric_version",
        "themes",
        "total",
        "warnings",
    )

    #: Total, 0–100 (for a range input: at the range's midpoint).
    total: float
    #: The band id of the total (``None`` only when the rubric has no bands).
    band: Optional[str]
    #: Lowest and highest total over every range input (both equal to ``total`` without).
    interval: Tuple[float, float]
    #: Whether a knock-out rule failed for certain.
    knocked_out: bool
    #: Knock-out rules that fail for certain or may fail within a range.
    knockouts: List[Knockout]
    #: Subtotals per theme, in rubric order.
    themes: List[ThemeScore]
    #: One row per criterion, in rubric order.
    criteria: List[CriterionScore]
    #: Inputs that were ignored.
    warnings: List[ScoreWarning]
    #: The perspective whose weights were used, if any.
    perspective: Optional[str]
    #: ``"weighted_sum"`` or ``"weighted_product"``.
    aggregation: str
    #: Id, version and fingerprint of the rubric that scored it.
    rubric_id: str
    rubric_version: str
    rubric_fingerprint: str
    #: The engine version.
    engine: str
    _data: Dict[str, Any]
    _rubric: Rubric

    def __init__(self, data: Dict[str, Any], rubric: Rubric) -> None:
        """Wrap the engine's result (the dict of :meth:`to_dict`); use :meth:`Rubric.score`."""
        self._data = data
        self._rubric = rubric
        self.total = float(data["total"])
        self.band = data["band"]
        self.interval = _pair(data["interval"])
        self.knocked_out = bool(data["knocked_out"])
        self.knockouts = [Knockout(k["criterion"], k["rule"], k["definite"]) for k in data["knockouts"]]
        self.themes = [ThemeScore(t["id"], t["weight"], t["points"], t["available"]) for t in data["themes"]]
        self.criteria = [
            CriterionScore(
                id=c["id"],
                theme=c["theme"],
                raw=_raw(c["raw"]),
                value=c["value"],
                weight=c["weight"],
                points=c["points"],
                available=c["available"],
                interval=None if c["interval"] is None else _pair(c["interval"]),
                flags=list(c["flags"]),
            )
            for c in data["criteria"]
        ]
        self.warnings = [ScoreWarning(w["code"], w["path"], w["message"]) for w in data["warnings"]]
        self.perspective = data["perspective"]
        self.aggregation = data["aggregation"]
        self.rubric_id = data["rubric"]["id"]
        self.rubric_version = data["rubric"]["version"]
        self.rubric_fingerprint = data["rubric"]["fingerprint"]
        self.engine = data["engine"]

    def to_dict(self) -> Dict[str, Any]:
        """The score as plain data, the same shape as the command line's JSON output."""
        return copy.deepcopy(self._data)

    def to_pandas(self, lang: str = "en") -> pandas.DataFrame:
        """The breakdown as a DataFrame: one row per criterion (indexed by id) with its
        theme, label, raw input, value, weight, points, available points, the points'
        interval (``low``, ``high``) and flags."""
        import pandas as pd

        labels = {c.id: c.label(lang) for c in self._rubric.criteria}
        rows = [
            {
                "theme": c.theme,
                "label": labels.get(c.id, c.id),
                "raw": c.raw,
                "value": c.value,
                "weight": c.weight,
                "points": c.points,
                "available": c.available,
                "low": c.points if c.interval is None else c.interval[0],
                "high": c.points if c.interval is None else c.interval[1],
                "flags": ", ".join(c.flags),
            }
            for c in self.criteria
        ]
        index = pd.Index([c.id for c in self.criteria], name="criterion")
        return pd.DataFrame(rows, index=index)

    def levers(self) -> pandas.DataFrame:
        """What would raise this score most: a DataFrame indexed by criterion id, sorted by
        ``gain`` (highest first), with ``gain`` (points gained by moving that input to the
        value that reaches its best; applying it and re-scoring adds exactly this), ``best``
        (that input, in its own terms: a number, a Likert level, ``True``, an option id) and
        ``per_unit`` (points per unit of input where it stands; NaN for Likert, boolean and
        category criteria) and ``shown`` (whether a summary shows it: the first three whose
        gain is at least 0.005 points, the rule the command line and the web form use).
        Re-scored by the engine under the score's perspective."""
        from ._levers import levers

        return levers(self)

    def path_to(self, band_id: str) -> List[Tuple[str, RawInput]]:
        """The fewest changes that put the initiative in band ``band_id`` (or higher) with no
        knock-out failing: a list of ``(criterion_id, new_value)``, the last change only as
        far as needed; empty when it is there already. Raises :class:`InputError`
        (``input.unknown_band``, or ``input.unreachable`` naming the band, e.g. for a
        knock-out no allowed input meets)."""
        from ._levers import path_to

        return path_to(self, band_id)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Score):
            return NotImplemented
        return self._data == other._data

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        low, high = self.interval
        interval = "" if low == high else f", interval=({low:.2f}, {high:.2f})"
        knockouts = f", knockouts={[k.criterion for k in self.knockouts]!r}" if self.knockouts else ""
        perspective = f", perspective={self.perspective!r}" if self.perspective else ""
        return (
            f"Score(total={self.total:.2f}, band={self.band!r}{interval}{knockouts}{perspective}, "
            f"rubric='{self.rubric_id} {self.rubric_version}')"
        )

    def _repr_html_(self) -> str:
        from ._html import score_html

        return score_html(self, self._rubric)
