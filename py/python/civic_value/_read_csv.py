"""``Rubric.read_csv``: a CSV read exactly as the command line reads it."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Iterable, Optional, Union

from ._native import read_csv as _native_read_csv

if TYPE_CHECKING:
    import pandas

    from ._rubric import Rubric

#: A path, bytes, or a file-like object opened in binary or text mode.
PathOrBuffer = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview, Any]


def read_csv(
    rubric: Rubric,
    path_or_buffer: PathOrBuffer,
    *,
    delimiter: Optional[str] = None,
    decimal: Optional[str] = None,
    ignore: Iterable[str] = (),
) -> pandas.DataFrame:
    """See :meth:`civic_value.Rubric.read_csv`."""
    import pandas as pd

    if isinstance(ignore, str):
        raise TypeError("ignore must be a sequence of column names, not one string")
    skip = list(ignore)
    if isinstance(path_or_buffer, (str, os.PathLike)):
        ids, columns, data = _native_read_csv(
            rubric._native, path=os.fspath(path_or_buffer), delimiter=delimiter, decimal=decimal, ignore=skip
        )
    else:
        if isinstance(path_or_buffer, (bytes, bytearray, memoryview)):
            raw: Any = bytes(path_or_buffer)
        elif hasattr(path_or_buffer, "read"):
            raw = path_or_buffer.read()
        else:
            raise TypeError(
                f"expected a path, bytes or a file-like object, got {type(path_or_buffer).__name__}"
            )
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        ids, columns, data = _native_read_csv(
            rubric._native, data=bytes(raw), delimiter=delimiter, decimal=decimal, ignore=skip
        )
    frame = pd.DataFrame(dict(zip(columns, data)), index=pd.Index(ids, name="id"), columns=columns)
    return frame
