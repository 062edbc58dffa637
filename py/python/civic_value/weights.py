"""Weights from judgement and from data.

    from civic_value import weights

    r = weights.ahp([[1, 3, 5], [1/3, 1, 2], [1/5, 1/2, 1]])
    r.weights, r.lambda_max, r.ci, r.cr, r.consistent      # CR <= 0.10 is acceptable
    weights.roc(4), weights.rank_sum(4), weights.swing([100, 60, 40])
    weights.entropy(matrix, types=[1, -1, 1]), weights.critic(matrix, types=[1, -1, 1])

Every function names its variant (see each docstring), checks its input and raises
:class:`civic_value.InputError` naming the offending cell (``matrix[1][0]``); nothing is
repaired silently. The arithmetic is the Rust engine's, the same in the CLI and the browser.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, Mapping, Sequence

import numpy as np
import numpy.typing as npt

from . import _native
from ._matrix import MatrixLike, VectorLike, rows, vector

if TYPE_CHECKING:
    from ._rubric import Rubric

__all__ = [
    "AhpHierarchy",
    "AhpResult",
    "ahp",
    "ahp_hierarchy",
    "ahp_synthesis",
    "critic",
    "entropy",
    "rank_sum",
    "roc",
    "swing",
]


@dataclass(frozen=True)
class AhpResult:
    """Weights and consistency of one pairwise comparison matrix."""

    #: One weight per row, non-negative, summing to 1.
    weights: npt.NDArray[np.float64]
    #: The principal eigenvalue (for ``geometric_mean``: the estimate mean((A w)_i / w_i)).
    lambda_max: float
    #: Consistency index (lambda_max - n)/(n - 1); 0 for n <= 2.
    ci: float
    #: Consistency ratio CI / RI(n); 0 for n <= 2.
    cr: float
    #: ``cr <= 0.10``.
    consistent: bool
    #: ``"eigenvector"`` or ``"geometric_mean"``.
    method: str
    #: The random-index table: ``"saaty"`` or ``"alonso_lamata"``.
    ri: str
    #: RI(n) from that table.
    random_index: float

    @classmethod
    def _from(cls, d: Mapping[str, Any]) -> AhpResult:
        return cls(
            weights=np.asarray(d["weights"], dtype=np.float64),
            lambda_max=float(d["lambda_max"]),
            ci=float(d["ci"]),
            cr=float(d["cr"]),
            consistent=bool(d["consistent"]),
            method=str(d["method"]),
            ri=str(d["ri"]),
            random_index=float(d["random_index"]),
        )

    def __repr__(self) -> str:
        w = ", ".join(f"{x:.4f}" for x in self.weights)
        verdict = "consistent" if self.consistent else "NOT consistent"
        return (
            f"AhpResult(weights=[{w}], lambda_max={self.lambda_max:.4f}, ci={self.ci:.4f}, "
            f"cr={self.cr:.4f} ({verdict}), method={self.method!r}, ri={self.ri!r})"
        )


def ahp(matrix: MatrixLike, method: str = "eigenvector", ri: str = "saaty") -> AhpResult:
    """Weights and consistency of a reciprocal matrix of pairwise judgements
    (``matrix[i][j]``: how much more important item i is than item j; 1/3 as a float).

    ``method``: ``"eigenvector"`` (Saaty's principal eigenvector, by power iteration) or
    ``"geometric_mean"`` (row geometric means). ``ri``: the random-index table for CR,
    ``"saaty"`` (0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49 for n = 1..10; a larger
    matrix is refused) or ``"alonso_lamata"`` (Alonso & Lamata 2006: their table to n = 15,
    then RI(n) = (1.7699 n - 4.3513)/(n - 1)). n = 1 and 2 give CR 0.

    Raises :class:`InputError` for a matrix that is not square, has a value that is not
    positive or not finite, a diagonal other than 1, or a cell that is not the reciprocal of
    its mirror within 1e-9 (relative): ``matrix[1][0]: must be 1/3 (reciprocal of 3), got 0.5``.
    """
    return AhpResult._from(_native.ahp(rows(matrix), method, ri))


def ahp_synthesis(
    criteria_matrix: MatrixLike,
    alternative_matrices: Sequence[MatrixLike],
    method: str = "eigenvector",
    ri: str = "saaty",
) -> npt.NDArray[np.float64]:
    """Global priorities of alternatives (AHP synthesis, distributive mode): the criteria's
    weights from ``criteria_matrix``, the alternatives' local priorities under criterion k
    from ``alternative_matrices[k]``, and per alternative the sum of its local priorities
    weighted by the criteria's weights (summing to 1). Use :func:`ahp` on each matrix for its
    consistency. Errors name the cell: ``criteria[i][j]``, ``alternatives[k][i][j]``."""
    out = _native.ahp_synthesis(rows(criteria_matrix), [rows(a) for a in alternative_matrices], method, ri)
    return np.asarray(out["priorities"], dtype=np.float64)


def roc(n: int) -> npt.NDArray[np.float64]:
    """Rank-order centroid weights of ``n`` ranked criteria, most important first:
    w_k = (1/n) sum_{i=k..n} 1/i (Barron & Barrett 1996)."""
    return np.asarray(_native.roc(n), dtype=np.float64)


def rank_sum(n: int) -> npt.NDArray[np.float64]:
    """Rank-sum weights of ``n`` ranked criteria, most important first:
    w_k = 2 (n + 1 - k) / (n (n + 1))."""
    return np.asarray(_native.rank_sum(n), dtype=np.float64)


def swing(points: VectorLike) -> npt.NDArray[np.float64]:
    """Swing weights: each criterion's swing from worst to best rated 0-100, the most
    important swing given 100; w = points / sum(points). Raises :class:`InputError` for
    points outside 0-100 or when none is 100."""
    return np.asarray(_native.swing(vector(points)), dtype=np.float64)


def entropy(matrix: MatrixLike, types: VectorLike) -> npt.NDArray[np.float64]:
    """Entropy weights of the columns of a decision matrix (rows = alternatives, at least
    two): shares by sum normalisation (a cost column, ``types[j] = -1``, by 1/x), entropy
    e_j = -sum p ln p / ln m, weights (1 - e) / sum(1 - e)."""
    return np.asarray(_native.entropy(rows(matrix), vector(types)), dtype=np.float64)


def critic(matrix: MatrixLike, types: VectorLike) -> npt.NDArray[np.float64]:
    """CRITIC weights (Diakoulaki et al. 1995): min-max normalised columns (cost turned),
    C_j = sd_j * sum_k (1 - r_jk), weights C / sum C. A constant column is an
    :class:`InputError` naming it."""
    return np.asarray(_native.critic(rows(matrix), vector(types)), dtype=np.float64)


@dataclass(frozen=True)
class AhpHierarchy:
    """A rubric's criterion weights from a hierarchy of pairwise judgements."""

    #: Criterion id -> global weight (theme weight x local weight), summing to 1; the
    #: argument of :meth:`Rubric.with_weights`.
    weights: Dict[str, float]
    #: The themes' weights and consistency.
    themes: AhpResult
    #: Theme id -> its criteria's local weights and consistency.
    criteria: Dict[str, AhpResult]
    #: Whether every matrix is consistent (CR <= 0.10).
    consistent: bool


def ahp_hierarchy(
    rubric: Rubric,
    themes: MatrixLike,
    criteria: Mapping[str, MatrixLike],
    method: str = "eigenvector",
    ri: str = "saaty",
) -> AhpHierarchy:
    """Hierarchical AHP for a rubric: ``themes`` compares the rubric's themes (rows and
    columns in rubric order), ``criteria[theme_id]`` the criteria of that theme (in rubric
    order; a theme of one criterion may be left out). Apply the result with
    ``rubric.with_weights(h.weights)``."""
    d = rubric._native.ahp_weights(rows(themes), {k: rows(v) for k, v in criteria.items()}, method, ri)
    return AhpHierarchy(
        weights={str(k): float(w) for k, w in d["weights"]},
        themes=AhpResult._from(d["themes"]),
        criteria={str(k): AhpResult._from(a) for k, a in d["criteria"]},
        consistent=bool(d["consistent"]),
    )
