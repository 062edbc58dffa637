"""Tables in and out: a pandas, Polars or pyarrow table (anything narwhals reads eagerly)
turned into what the engine scores, and results handed back as the same kind of table.

Every method that takes a DataFrame reads it through :func:`frame_columns`, so a new
method gets pandas, Polars and pyarrow for free and treats cells exactly as
:meth:`Rubric.score_frame` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Sequence, Tuple, Union, cast

import narwhals.stable.v2 as nw
import numpy as np
import numpy.typing as npt

#: A ``(codes, categories)`` pair: int64 indices into a list of values, −1 = missing; each
#: category is converted and encoded once.
Codes = Tuple[npt.NDArray[np.int64], List[Any]]
#: A string column as Arrow's buffers, ``(offsets, data, missing)``: the ``len + 1`` int32
#: or int64 offsets of the cells in ``data`` (their UTF-8 bytes, uint8), and ``None`` or a
#: bool array marking the missing cells. The engine encodes it as codes (each distinct
#: string once), on every core.
Strings = Tuple[npt.NDArray[np.signedinteger[Any]], npt.NDArray[np.uint8], Union[npt.NDArray[np.bool_], None]]

#: One column as the engine reads it: a float64 array (NaN = missing), an int64 array
#: (whole numbers without gaps), a bool array,
#: :data:`Codes`, :data:`Strings` or a list of Python values.
Column = Union[npt.NDArray[np.float64], npt.NDArray[np.int64], npt.NDArray[np.bool_], Codes, Strings, List[Any]]


@dataclass(frozen=True)
class FrameColumns:
    """A table read for the engine: column names, columns and row count, and the table
    itself (to give results back as the same kind, with the same index)."""

    #: Column names, as strings, in table order.
    names: List[str]
    #: The columns, in the forms of :data:`Column`.
    columns: List[Column]
    #: Number of rows.
    rows: int
    #: The table as given (a pandas or Polars DataFrame, a pyarrow Table, ...).
    native: Any
    #: Which library it comes from (narwhals' name for it).
    implementation: nw.Implementation


def frame_columns(frame: Any) -> FrameColumns:
    """Read a table (pandas or Polars DataFrame, pyarrow Table, or any eager frame narwhals
    knows) into names + columns the engine scores, converting each column once:

    - numeric columns (any int, uint or float type, nullable or not) → float64, null = NaN;
      int64 columns without nulls as they are (the engine converts them);
    - bool columns → a bool array, or ``(codes, [False, True])`` when they hold nulls;
    - categorical columns → ``(codes, categories)`` (pandas' and Polars' own codes; other
      libraries' through Arrow), so a category is read once, not once per cell;
    - string columns → Arrow's buffers (:data:`Strings`, needs pyarrow), which the engine
      encodes the same way (each distinct string once);
    - anything else (tuples for ranges, ``{"value", "evidence"}`` dicts, mixed objects) →
      a list of Python values, read cell by cell as :meth:`Rubric.score` reads them.

    Raises ``TypeError`` for something that is not a table."""
    try:
        df = nw.from_native(frame, eager_only=True)
        names = [str(c) for c in df.columns]
    except TypeError:
        raise TypeError(
            f"expected a pandas or Polars DataFrame or a pyarrow Table, got {type(frame).__name__}"
        ) from None
    except nw.exceptions.DuplicateError:
        # pandas and pyarrow allow a name twice: read the columns under unique names and
        # keep the given ones, so the engine names the duplicate (input.duplicate_column).
        names, df = _with_unique_names(frame)
    columns = [_column(df.get_column(c)) for c in df.columns]
    return FrameColumns(names=names, columns=columns, rows=len(df), native=frame, implementation=df.implementation)


def _with_unique_names(frame: Any) -> Tuple[List[str], nw.DataFrame[Any]]:
    """The column names of a table that repeats one, and the table with unique names."""
    if hasattr(frame, "set_axis"):  # pandas
        names = [str(c) for c in frame.columns]
        unique = frame.set_axis([f"_{i}" for i in range(len(names))], axis=1)
    else:  # pyarrow
        names = [str(c) for c in frame.column_names]
        unique = frame.rename_columns([f"_{i}" for i in range(len(names))])
    return names, nw.from_native(unique, eager_only=True)


def series_values(series: Any) -> Union[npt.NDArray[np.float64], List[Any]]:
    """One column given on its own (a pandas or Polars Series, a pyarrow array) as float64
    when it is numeric (nulls as NaN), otherwise as a list of Python values: for a value
    per row that is not a criterion input, such as a cost."""
    s = nw.from_native(series, series_only=True)
    if s.dtype.is_numeric() and not isinstance(s.dtype, nw.Decimal):
        return np.asarray(s.to_numpy(), dtype=np.float64)
    return list(s.to_list())


def _column(s: nw.Series[Any]) -> Column:
    dtype = s.dtype
    if dtype.is_numeric() and not isinstance(dtype, nw.Decimal):
        values = s.to_numpy()
        if values.dtype == np.int64 and values.ndim == 1:
            # Whole numbers without gaps: converted to float64 by the engine's threads.
            return cast(npt.NDArray[np.int64], values)
        return np.asarray(values, dtype=np.float64)
    if isinstance(dtype, nw.Boolean):
        if s.null_count() == 0:
            return np.asarray(s.to_numpy(), dtype=np.bool_)
        codes = np.where(s.is_null().to_numpy(), -1, s.fill_null(False).to_numpy().astype(np.int64))
        return (codes.astype(np.int64), [False, True])
    if isinstance(dtype, (nw.String, nw.Categorical, nw.Enum)):
        encoded: Union[Codes, Strings, None] = None
        if isinstance(dtype, (nw.Categorical, nw.Enum)) and s.implementation is nw.Implementation.POLARS:
            encoded = _polars_codes(s.to_native())
        elif isinstance(dtype, (nw.Categorical, nw.Enum)) and s.implementation is nw.Implementation.PANDAS:
            encoded = _pandas_codes(s.to_native())
        if encoded is None:
            encoded = _dictionary(s)
        if encoded is not None:
            return encoded
    return list(s.to_list())


def _dictionary(s: nw.Series[Any]) -> Union[Codes, Strings, None]:
    """A string or categorical column as ``(codes, categories)`` through Arrow, a plain
    string column as Arrow's buffers (:data:`Strings`, encoded by the engine), or ``None``
    (no pyarrow, or cells that are not all strings: read them one by one instead)."""
    try:
        import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]
        import pyarrow.compute as pc  # type: ignore[import-untyped,unused-ignore]
    except ImportError:
        return None
    try:
        arr = s.to_arrow()
    except (TypeError, ValueError, pa.ArrowException):
        return None
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return _strings(arr)
    if not pa.types.is_dictionary(arr.type):
        if not pa.types.is_string_view(arr.type):
            return None
        arr = pc.dictionary_encode(arr)
    codes = pc.fill_null(arr.indices.cast(pa.int64()), -1).to_numpy(zero_copy_only=False)
    return (np.asarray(codes, dtype=np.int64), arr.dictionary.to_pylist())


def _strings(arr: Any) -> Strings:
    """An Arrow ``string`` or ``large_string`` array (not chunked) as its buffers, without a
    copy: the offsets of its cells (``len + 1``, int32 or int64), its UTF-8 bytes and, when
    it holds nulls, a bool array marking them. (Offsets that do not match the length are
    reported by the engine as ``input.shape``.)"""
    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

    _, offsets, data = arr.buffers()
    wide = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    if offsets is None:  # an empty array may have none
        cells = np.zeros(len(arr) + 1, dtype=wide)
    else:
        cells = np.frombuffer(offsets, dtype=wide)[arr.offset : arr.offset + len(arr) + 1]
    data_bytes = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    missing = np.asarray(arr.is_null().to_numpy(zero_copy_only=False), dtype=np.bool_) if arr.null_count else None
    return (cast(npt.NDArray[np.signedinteger[Any]], cells), data_bytes, missing)


def _polars_codes(s: Any) -> Union[Tuple[npt.NDArray[np.int64], List[Any]], None]:
    """A Polars Categorical or Enum column as ``(codes, categories)`` straight from its
    physical codes and its dtype's category list (narwhals has no API for the codes; Arrow
    would remap a Categorical's codes to a dictionary of its own, several ms a million
    rows), or ``None`` when the list is much longer than the column (a Categorical's
    categories may be shared by every Categorical of the session: then through Arrow,
    which reads only the categories used) or the installed Polars has no such list
    (Categorical before Polars 1.32)."""
    import polars as pl

    dtype = s.dtype
    # The codes first: a shared category list only grows, so it covers them when read after.
    physical = s.to_physical()
    if isinstance(dtype, pl.Enum):
        categories = dtype.categories
    elif isinstance(getattr(dtype, "categories", None), getattr(pl, "Categories", ())):
        categories = dtype.categories.to_series()
    else:
        return None
    if len(categories) * _CODES_PER_CATEGORY > max(len(s), _CODES_PER_CATEGORY):
        return None
    if physical.null_count() == 0:
        codes = np.asarray(physical.to_numpy(), dtype=np.int64)
    else:
        codes = np.asarray(physical.cast(pl.Int64).fill_null(-1).to_numpy(), dtype=np.int64)
    return (codes, categories.to_list())


def _pandas_codes(s: Any) -> Union[Tuple[npt.NDArray[np.int64], List[Any]], None]:
    """A pandas Categorical column as ``(codes, categories)``: its own codes (−1 = missing)
    and categories, as they are (narwhals has no API for the codes; through Arrow they were
    copied twice, 2.6 ms a million rows, now about 0.5); ``None`` for a column narwhals
    calls categorical that is not pandas' own ``category`` dtype (an Arrow dictionary,
    ``pd.ArrowDtype``, as ``read_parquet(dtype_backend="pyarrow")`` gives: through Arrow)."""
    import pandas as pd

    if not isinstance(s.dtype, pd.CategoricalDtype):
        return None
    return (np.asarray(s.cat.codes.to_numpy(), dtype=np.int64), s.cat.categories.to_list())


#: A Polars categorical column is read by its physical codes when it has at least this
#: many rows per category of its dtype (each category costs about as much to convert as
#: this many rows cost Arrow to remap).
_CODES_PER_CATEGORY = 64


def frame_result(
    table: FrameColumns,
    columns: Dict[str, npt.NDArray[Any]],
    band_name: str,
    band_codes: npt.NDArray[np.signedinteger[Any]],
    band_ids: Sequence[str],
) -> Any:
    """A table of the kind given (pandas keeps the input's index) with the numeric
    ``columns`` (used without a copy where the library allows) and an ordered categorical
    column ``band_name`` whose categories are ``band_ids`` (lowest first) and whose cells are
    ``band_codes`` (indices into ``band_ids``, −1 = none).

    The numeric columns go through narwhals; only the ordered categorical (which no common
    API builds from codes) and pandas' index and zero-copy construction are per library."""
    native = table.native
    names = list(columns)
    band_at = 1 if names else 0
    implementation = table.implementation
    if implementation is nw.Implementation.PANDAS:
        import pandas as pd

        data: Dict[str, Any] = dict(columns)
        data[band_name] = pd.Categorical.from_codes(
            band_codes, categories=pd.Index(list(band_ids)), ordered=True, validate=False
        )
        order = names[:band_at] + [band_name] + names[band_at:]
        return pd.DataFrame({k: data[k] for k in order}, index=native.index, copy=False)
    out = nw.from_dict(dict(columns), backend=cast(Any, implementation))
    band = _band_series(implementation, band_name, band_codes, band_ids)
    out = out.with_columns(band)
    order = names[:band_at] + [band_name] + names[band_at:]
    return out.select(order).to_native()


def _band_series(
    implementation: nw.Implementation, name: str, codes: npt.NDArray[np.signedinteger[Any]], ids: Sequence[str]
) -> nw.Series[Any]:
    """An ordered categorical series (Polars ``Enum``, Arrow ordered dictionary) from codes."""
    if implementation is nw.Implementation.POLARS:
        return nw.from_native(_polars_enum(name, codes, ids), series_only=True)
    if implementation is nw.Implementation.PYARROW:
        import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

        # Without a mask (and without a copy, int32 codes) when every row has a band.
        gaps = codes < 0
        indices = pa.array(codes.astype(np.int32, copy=False), mask=gaps if gaps.any() else None)
        # The engine's codes index the bands: not checked again (`safe=False`).
        arr = pa.DictionaryArray.from_arrays(indices, pa.array(list(ids), type=pa.string()), ordered=True, safe=False)
        series: nw.Series[Any] = nw.from_native(pa.chunked_array([arr]), series_only=True).alias(name)
        return series
    # Any other library: the band ids as strings, in that library's own string type.
    values = [None if c < 0 else ids[c] for c in codes.tolist()]
    return nw.new_series(name, values, nw.String, backend=cast(Any, implementation))


#: numpy's type for each physical type a Polars ``Enum`` may have (by the number of
#: categories).
_POLARS_PHYSICAL = {"UInt8": np.uint8, "UInt16": np.uint16, "UInt32": np.uint32}


def _polars_enum(name: str, codes: npt.NDArray[np.signedinteger[Any]], ids: Sequence[str]) -> Any:
    """A Polars ``Enum`` series with categories ``ids`` from codes (indices into ``ids``,
    −1 = null), made from the codes as the Enum's physical integers (``cat.to``, Polars 2),
    not by mapping a million values: a few ms instead of a dozen for a million rows.
    Polars without ``cat.to`` (1.x) maps them with ``replace_strict``."""
    import polars as pl

    dtype = pl.Enum(list(ids))
    try:
        physical = _POLARS_PHYSICAL[str(pl.Series(name, [], dtype=dtype).to_physical().dtype)]
        # A −1 wraps to the largest integer; those rows are masked to null before `cat.to`.
        s = pl.Series(name, codes.astype(physical))
        if codes.size and codes.min() < 0:
            s = pl.select(pl.when(pl.Series(name, codes) >= 0).then(s)).to_series()
        return s.cat.to(dtype).alias(name)
    except (AttributeError, KeyError):
        return pl.Series(name, codes).replace_strict(list(range(len(ids))), list(ids), default=None, return_dtype=dtype)
