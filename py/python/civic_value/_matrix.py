"""Decision matrices and per-column vectors as the engine reads them (lists of floats)."""

from __future__ import annotations

from typing import Any, List, Sequence, Union

import numpy as np
import numpy.typing as npt

#: A matrix: a 2-D numpy array or a sequence of rows of numbers.
MatrixLike = Union[npt.NDArray[Any], Sequence[Sequence[float]]]
#: A vector: a 1-D numpy array or a sequence of numbers.
VectorLike = Union[npt.NDArray[Any], Sequence[float]]


def rows(matrix: MatrixLike) -> List[List[float]]:
    """The rows of a matrix as lists of floats (values are checked by the engine)."""
    if isinstance(matrix, np.ndarray):
        if matrix.ndim != 2:
            raise TypeError(f"expected a 2-D matrix, got a {matrix.ndim}-D array")
        return [[float(x) for x in row] for row in matrix.tolist()]
    if isinstance(matrix, (str, bytes)):
        raise TypeError("expected a matrix (rows of numbers), not a string")
    return [[float(x) for x in row] for row in matrix]


def vector(values: VectorLike) -> List[float]:
    """A vector as a list of floats."""
    if isinstance(values, np.ndarray):
        if values.ndim != 1:
            raise TypeError(f"expected a 1-D vector, got a {values.ndim}-D array")
        return [float(x) for x in values.tolist()]
    if isinstance(values, (str, bytes)):
        raise TypeError("expected a sequence of numbers, not a string")
    return [float(x) for x in values]
