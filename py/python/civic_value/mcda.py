"""Decision-matrix methods on a raw matrix (rows = alternatives, columns = criteria), for
comparison with other MCDA tools.

    from civic_value import mcda

    mcda.normalize(x, types=[1, -1], method="minmax")
    mcda.wsum(x, weights=[0.6, 0.4], types=[1, -1])                 # min-max by default
    mcda.topsis(x, weights=[0.6, 0.4], types=[1, -1])               # vector by default

``types[j]`` is 1 for a benefit (more is better) and -1 for a cost criterion. The five
normalisations, by name (a cost column is turned so that more is better):

=========  =====================  =====================
method     benefit                cost
=========  =====================  =====================
minmax     (x - min)/(max - min)  (max - x)/(max - min)
max        x / max                1 - x / max
sum        x / sum(x)             (1/x) / sum(1/x)
vector     x / ||x||              1 - x / ||x||
linear     x / max                min / x
=========  =====================  =====================

A column that would divide by zero (constant under minmax, all zero under the others) is an
:class:`civic_value.InputError` naming the column (``matrix[*][2]``), never NaN.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from . import _native
from ._matrix import MatrixLike, VectorLike, rows, vector

__all__ = ["normalize", "topsis", "wsum"]


def normalize(matrix: MatrixLike, types: VectorLike, method: str) -> npt.NDArray[np.float64]:
    """The matrix normalised column by column by ``method`` (``"minmax"``, ``"max"``,
    ``"sum"``, ``"vector"`` or ``"linear"``), as a 2-D float64 array."""
    return np.asarray(_native.normalize(rows(matrix), vector(types), method), dtype=np.float64)


def wsum(
    matrix: MatrixLike, weights: VectorLike, types: VectorLike, normalization: str = "minmax"
) -> npt.NDArray[np.float64]:
    """Weighted-sum preference of each row: sum_j w_j r_ij / sum_j w_j over the normalised
    matrix r (the weights are divided by their sum, as in the rubric's own aggregation)."""
    return np.asarray(
        _native.wsum(rows(matrix), vector(weights), vector(types), normalization), dtype=np.float64
    )


def topsis(
    matrix: MatrixLike, weights: VectorLike, types: VectorLike, normalization: str = "vector"
) -> npt.NDArray[np.float64]:
    """Classic TOPSIS closeness of each row (Hwang & Yoon 1981): normalise (vector by
    default), weight (divided by their sum), Euclidean distances to the ideal d+ and to the
    anti-ideal d-, closeness d- / (d+ + d-). A row best on every criterion gets exactly 1."""
    return np.asarray(
        _native.topsis(rows(matrix), vector(weights), vector(types), normalization), dtype=np.float64
    )
