"""score_frame on every kind of table: pandas (Categorical, string, nullable and plain
dtypes), Polars and pyarrow give the same numbers as row-by-row score, and come back as the
kind they were given."""

from __future__ import annotations

import math
from typing import Any, Dict, List

import numpy as np
import pandas as pd
import pyarrow as pa
import polars as pl
import pytest

from civic_value import InputError, Rubric
from civic_value._frame import _polars_enum, _strings, frame_columns

TOL = 1e-12


def rows(rubric: Rubric, n: int, seed: int) -> List[Dict[str, Any]]:
    """Valid inputs without ranges (every kind of table can hold them), 10 % missing."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        row: Dict[str, Any] = {}
        for c in rubric.criteria:
            if rng.random() < 0.1:
                row[c.id] = None
            elif c.kind == "number":
                row[c.id] = float(rng.uniform(c.min or 0.0, c.max if c.max is not None else 30_000.0))
            elif c.kind == "likert":
                row[c.id] = int(rng.integers(1, (c.levels or 2) + 1))
            elif c.kind == "boolean":
                row[c.id] = bool(rng.random() < 0.5)
            else:
                row[c.id] = str(rng.choice(c.options))
        out.append(row)
    return out


def pandas_frame(rubric: Rubric, data: List[Dict[str, Any]], option_as: str) -> pd.DataFrame:
    cols: Dict[str, Any] = {}
    for c in rubric.criteria:
        cells = [r[c.id] for r in data]
        if c.kind == "number":
            cols[c.id] = pd.Series([np.nan if x is None else x for x in cells], dtype=float)
        elif c.kind == "likert":
            cols[c.id] = pd.Series(cells, dtype="Int64")
        elif c.kind == "boolean":
            cols[c.id] = pd.Series(cells, dtype="boolean")
        elif option_as == "categorical":
            cols[c.id] = pd.Categorical(cells, categories=c.options)
        elif option_as == "string":
            cols[c.id] = pd.Series(cells, dtype="string")
        else:
            cols[c.id] = pd.Series(cells, dtype=object)
    return pd.DataFrame(cols)


def check(rubric: Rubric, data: List[Dict[str, Any]], total: Any, low: Any, high: Any, ko: Any, band: List[Any]) -> None:
    scores = [rubric.score(r) for r in data]
    np.testing.assert_allclose(np.asarray(total, dtype=float), [s.total for s in scores], rtol=0, atol=TOL)
    np.testing.assert_allclose(np.asarray(low, dtype=float), [s.interval[0] for s in scores], rtol=0, atol=TOL)
    np.testing.assert_allclose(np.asarray(high, dtype=float), [s.interval[1] for s in scores], rtol=0, atol=TOL)
    assert list(ko) == [s.knocked_out for s in scores]
    assert band == [s.band for s in scores]


@pytest.fixture(scope="module")
def lenient() -> Rubric:
    """The default rubric with missing inputs renormalised (every row scores)."""
    doc = Rubric.default().to_dict()
    doc["missing"] = "renormalise"
    return Rubric.from_dict(doc)


@pytest.mark.parametrize("option_as", ["categorical", "string", "object"])
def test_pandas_dtypes_agree_with_score(lenient: Rubric, option_as: str) -> None:
    data = rows(lenient, 1500, seed=1)
    df = pandas_frame(lenient, data, option_as)
    out = lenient.score_frame(df)
    assert isinstance(out, pd.DataFrame)
    assert out["band"].cat.ordered
    band = [None if pd.isna(b) else str(b) for b in out["band"]]
    check(lenient, data, out["total"], out["low"], out["high"], out["knocked_out"], band)


def test_polars_in_polars_out(lenient: Rubric) -> None:
    data = rows(lenient, 1500, seed=2)
    df = pl.from_pandas(pandas_frame(lenient, data, "categorical"))
    assert df.schema["inclusion"] == pl.Categorical
    out = lenient.score_frame(df)
    assert isinstance(out, pl.DataFrame)
    assert out.columns == lenient.score_frame(pandas_frame(lenient, data, "object")).columns.tolist()
    assert out.schema["band"] == pl.Enum(["weak", "needs_work", "promising", "strong"])
    # An Enum orders by its categories: the band order is the threshold order.
    assert (out["band"] >= "promising").to_list() == (out["total"] >= 50).to_list()
    check(lenient, data, out["total"], out["low"], out["high"], out["knocked_out"], out["band"].to_list())
    # Strings (not categorical) too.
    out = lenient.score_frame(df.with_columns(pl.col("inclusion").cast(pl.String)))
    check(lenient, data, out["total"], out["low"], out["high"], out["knocked_out"], out["band"].to_list())


def test_pyarrow_in_pyarrow_out(lenient: Rubric) -> None:
    data = rows(lenient, 1500, seed=3)
    table = pa.Table.from_pandas(pandas_frame(lenient, data, "string"), preserve_index=False)
    out = lenient.score_frame(table)
    assert isinstance(out, pa.Table)
    assert pa.types.is_dictionary(out.schema.field("band").type)
    assert out.schema.field("band").type.ordered
    band = out.column("band").to_pylist()
    check(lenient, data, out.column("total"), out.column("low"), out.column("high"), out.column("knocked_out").to_pylist(), band)
    # Several chunks, each with its own dictionary.
    chunked = pa.concat_tables([table.slice(0, 700), table.slice(700)])
    assert chunked.column("inclusion").num_chunks == 2
    again = lenient.score_frame(chunked)
    assert again.column("total").to_pylist() == out.column("total").to_pylist()


def test_every_kind_gives_the_same_points(lenient: Rubric) -> None:
    data = rows(lenient, 500, seed=4)
    pd_out = lenient.score_frame(pandas_frame(lenient, data, "object"))
    pl_out = lenient.score_frame(pl.from_pandas(pandas_frame(lenient, data, "categorical")))
    pa_out = lenient.score_frame(pa.Table.from_pandas(pandas_frame(lenient, data, "string"), preserve_index=False))
    for c in lenient.criteria:
        name = f"points_{c.id}"
        assert pd_out[name].tolist() == pl_out[name].to_list() == pa_out.column(name).to_pylist()


def test_categories_that_are_not_options_name_the_first_row(rubric: Rubric) -> None:
    df = pd.DataFrame({"inclusion": pd.Categorical(["none", "none", "everyone"], categories=["none", "everyone"])})
    with pytest.raises(InputError) as info:
        rubric.score_frame(df)
    assert (info.value.code, info.value.path) == ("input.unknown_option", "rows[2].input.inclusion")
    # An unused category that is not an option is no error.
    df = pd.DataFrame({"inclusion": pd.Categorical(["none"], categories=["none", "everyone"]), "support_share": [60.0]})
    doc = rubric.to_dict()
    doc["missing"] = "renormalise"
    lenient = Rubric.from_dict(doc)
    assert lenient.score_frame(df)["total"][0] == pytest.approx(lenient.score({"inclusion": "none", "support_share": 60}).total, abs=TOL)


def test_nulls_in_every_dtype_are_missing(lenient: Rubric) -> None:
    df = pl.DataFrame(
        {
            "support_share": pl.Series([60, None], dtype=pl.Int64),
            "permit_secured": pl.Series([None, True], dtype=pl.Boolean),
            "inclusion": pl.Series([None, "none"], dtype=pl.Categorical),
        }
    )
    out = lenient.score_frame(df)
    expected = [
        lenient.score({"support_share": 60}).total,
        lenient.score({"permit_secured": True, "inclusion": "none"}).total,
    ]
    assert out["total"].to_list() == pytest.approx(expected, abs=TOL)


def test_frame_columns_reads_each_kind_once() -> None:
    """The one reader other methods use: numbers as float64, bools as bools, strings and
    categories as codes + categories, anything else as a list."""
    df = pd.DataFrame(
        {
            "n": pd.Series([1, 2, None], dtype="Int64"),
            "b": [True, False, True],
            "nb": pd.Series([True, None, False], dtype="boolean"),
            "s": ["x", None, "x"],
            "c": pd.Categorical(["p", "q", None]),
            "r": [(1.0, 2.0), None, 3.0],
        }
    )
    table = frame_columns(df)
    assert table.names == ["n", "b", "nb", "s", "c", "r"]
    assert table.rows == 3
    n, b, nb, s, c, r = table.columns
    assert isinstance(n, np.ndarray) and n.dtype == np.float64 and math.isnan(n[2])
    assert isinstance(b, np.ndarray) and b.dtype == np.bool_
    assert isinstance(nb, tuple) and nb[0].tolist() == [1, -1, 0] and nb[1] == [False, True]
    # Strings as Arrow's buffers (offsets, bytes, missing), encoded by the engine.
    assert isinstance(s, tuple) and len(s) == 3 and strings_of(s) == ["x", None, "x"]
    assert isinstance(c, tuple) and c[0].tolist() == [0, 1, -1] and c[1] == ["p", "q"]
    assert r == [(1.0, 2.0), None, 3.0]


def test_not_a_table(rubric: Rubric) -> None:
    with pytest.raises(TypeError, match="pandas or Polars DataFrame or a pyarrow Table"):
        rubric.score_frame([[1, 2]])


def test_a_large_frame_uses_the_threaded_path_and_names_the_first_bad_row(rubric: Rubric) -> None:
    n = 120_000  # above the size split over threads
    df = pd.DataFrame({"support_share": np.full(n, 60.0)})
    df.loc[100_001, "support_share"] = 130.0
    df.loc[110_000, "support_share"] = -1.0
    with pytest.raises(InputError) as info:
        rubric.score_frame(df)
    assert info.value.path == "rows[100001].input.support_share"
    df.loc[5, "support_share"] = 101.0
    with pytest.raises(InputError) as info:
        rubric.score_frame(df)
    assert info.value.path == "rows[5].input.support_share"


def test_a_name_given_twice_is_refused_in_pandas_and_pyarrow(rubric: Rubric) -> None:
    df = pd.DataFrame([[1.0, 2.0]], columns=["support_share", "support_share"])
    table = pa.table([pa.array([1.0]), pa.array([2.0])], names=["support_share", "support_share"])
    for frame in (df, table):
        with pytest.raises(InputError) as info:
            rubric.score_frame(frame)
        assert (info.value.code, info.value.path) == ("input.duplicate_column", "input.support_share")


def test_table_analyses_read_categories_like_strings(lenient: Rubric) -> None:
    """stability and monte_carlo read frames with the same reader as score_frame: an option
    column as a Categorical (codes + categories) gives what the same column as strings gives."""
    data = rows(lenient, 12, seed=5)
    as_strings = pandas_frame(lenient, data, "object")
    as_categories = pandas_frame(lenient, data, "categorical")
    pd.testing.assert_frame_equal(lenient.stability(as_strings), lenient.stability(as_categories))
    a = lenient.monte_carlo(as_strings, draws=200, seed=3)
    b = lenient.monte_carlo(as_categories, draws=200, seed=3)
    pd.testing.assert_frame_equal(a.summary, b.summary)


def test_bool_bytes_other_than_0_and_1_are_true(rubric: Rubric) -> None:
    # A uint8 array viewed as bool can hold bytes other than 0 and 1; numpy reads any non-zero
    # byte as True, and so must the engine (it reads the column's bytes, never as Rust bools,
    # for which such a byte would be undefined behaviour).
    raw = np.array([0, 1, 2, 255], dtype=np.uint8).view(bool)
    df = pd.DataFrame({"permit_secured": raw, "support_share": [80.0] * 4})
    assert list(df["permit_secured"]) == [False, True, True, True]  # numpy's own reading
    totals = rubric.score_frame(df)["total"].tolist()
    no = rubric.score({"permit_secured": False, "support_share": 80.0}).total
    yes = rubric.score({"permit_secured": True, "support_share": 80.0}).total
    assert no != yes
    assert totals == [no, yes, yes, yes]



@pytest.mark.parametrize("bands", [0, 1, 4, 200])
def test_band_column_for_any_number_of_bands(lenient: Rubric, bands: int) -> None:
    """The band column built from the engine's codes names each row's band as row-by-row
    `score` does, for every table kind: none at all (a rubric without bands: every cell
    null), one, four, and the most a rubric may have (200)."""
    doc = lenient.to_dict()
    label = {"en": "x", "nl": "x"}
    # Band i from 100 * i / bands points (the lowest from 0, as a rubric requires).
    doc["bands"] = [{"id": f"b{i:03d}", "label": label, "min": 100.0 * i / bands} for i in reversed(range(bands))]
    rubric = Rubric.from_dict(doc)
    data = rows(rubric, 600, seed=5)
    expected = [rubric.score(r).band for r in data]
    # Several bands met (none: every row without one).
    assert set(expected) == {None} if bands == 0 else len(set(expected)) >= min(bands, 3)
    ids = [f"b{i:03d}" for i in range(bands)]
    out = rubric.score_frame(pl.from_pandas(pandas_frame(rubric, data, "categorical")))
    assert out.schema["band"] == pl.Enum(ids)
    assert out["band"].to_list() == expected
    table = rubric.score_frame(pa.Table.from_pandas(pandas_frame(rubric, data, "string"), preserve_index=False))
    assert table.column("band").to_pylist() == expected
    frame = rubric.score_frame(pandas_frame(rubric, data, "categorical"))
    assert list(frame["band"].cat.categories) == ids
    assert [None if pd.isna(b) else str(b) for b in frame["band"]] == expected


@pytest.mark.parametrize("categories", [3, 300])
def test_polars_enum_from_codes(categories: int) -> None:
    """A Polars Enum made from codes (−1 = null) holds the category each code indexes,
    with 8-bit (3 categories) and 16-bit (300) physical codes; expected values by indexing
    the list in Python."""
    ids = [f"c{i}" for i in range(categories)]
    for codes in ([0, 2, -1, 1, -1], [2, 0, 1], [], [-1, -1]):
        a = np.array(codes, dtype=np.int32)
        s = _polars_enum("band", a, ids)
        assert s.name == "band"
        assert s.dtype == pl.Enum(ids)
        assert s.to_list() == [None if c < 0 else ids[c] for c in codes]



def strings_of(column: Any) -> List[Any]:
    """A string column of `frame_columns` (offsets, bytes, missing) as its values."""
    offsets, data, missing = column
    cells = [bytes(data[a:b]).decode() for a, b in zip(offsets[:-1].tolist(), offsets[1:].tolist())]
    return [None if missing is not None and m else c for c, m in zip(cells, missing if missing is not None else [False] * len(cells))]


def decoded(column: Any) -> List[Any]:
    """A ``(codes, categories)`` column of `frame_columns` as its values (−1 = None)."""
    codes, categories = column
    return [None if c < 0 else categories[c] for c in codes.tolist()]


def test_polars_categorical_read_by_codes() -> None:
    """Polars Categorical and Enum columns read through their physical codes give each row
    its own string (as Polars' own `to_list` gives it), whatever codes other columns took
    in the shared category list, with nulls, over several chunks; a column much shorter
    than its category list is read through Arrow, with the same values."""
    # Other categoricals first, so this column's codes do not start at 0.
    others = pl.Series([f"other{i}" for i in range(40)], dtype=pl.Categorical)
    cells = ["several_groups", None, "none", "one_group", "none"] * 200
    categorical = pl.Series(cells, dtype=pl.Categorical)
    enum = pl.Series(cells, dtype=pl.Enum(["none", "one_group", "several_groups", "unused"]))
    chunked = pl.concat([categorical.slice(0, 300), pl.Series(cells[300:], dtype=pl.Categorical)], rechunk=False)
    assert chunked.n_chunks() == 2
    mine = pl.Series(cells, dtype=pl.Categorical(pl.Categories("civic_value_test")))
    read = frame_columns(pl.DataFrame({"a": categorical, "b": enum, "c": chunked, "d": mine}))
    for column in read.columns:
        assert isinstance(column, tuple)
        assert decoded(column) == cells
    # The enum's list as it is (an unused category included): read by codes, not Arrow.
    assert read.columns[1][1] == ["none", "one_group", "several_groups", "unused"]
    # Five rows against 40+ categories: through Arrow (only the categories used).
    short = frame_columns(pl.DataFrame({"e": categorical.head(5)}))
    assert decoded(short.columns[0]) == cells[:5]
    assert len(short.columns[0][1]) == 3
    assert len(others) == 40


def test_pandas_categorical_read_by_codes() -> None:
    """pandas Categoricals (ordered or not, with missing cells, unused categories, and
    categories that are not strings) are read by their own codes: every row decodes to its
    own value, as pandas' `tolist` gives it (NaN for a missing cell)."""
    cells = ["several_groups", None, "none", "one_group", "none"] * 200
    plain = pd.Series(pd.Categorical(cells, categories=["unused", "one_group", "none", "several_groups"]))
    ordered = pd.Series(pd.Categorical(cells, categories=["none", "one_group", "several_groups"], ordered=True))
    numbers = pd.Series(pd.Categorical([3, None, 1, 2, 3] * 200))
    read = frame_columns(pd.DataFrame({"plain": plain, "ordered": ordered, "numbers": numbers}))
    for column, series in zip(read.columns, (plain, ordered, numbers)):
        assert isinstance(column, tuple)
        assert [None if pd.isna(v) else v for v in series.tolist()] == decoded(column)
    # The categories as they are, an unused one included.
    assert read.columns[0][1] == ["unused", "one_group", "none", "several_groups"]


def test_pandas_arrow_dictionary_column_read_through_arrow(lenient: Rubric) -> None:
    """A pandas column of an Arrow dictionary type (what `read_parquet(...,
    dtype_backend="pyarrow")` gives for a Categorical), which narwhals calls categorical
    but which has no `.cat` codes, is read through Arrow: it scores as the same column
    as a pandas Categorical does."""
    cells = ["none", "one_group", "several_groups", None] * 3
    arrow = pd.Series(pd.array(cells, dtype=pd.ArrowDtype(pa.dictionary(pa.int8(), pa.string()))))
    assert isinstance(arrow.dtype, pd.ArrowDtype)
    categorical = pd.Series(pd.Categorical(cells))
    got = lenient.score_frame(pd.DataFrame({"inclusion": arrow}))
    want = lenient.score_frame(pd.DataFrame({"inclusion": categorical}))
    assert got["total"].tolist() == want["total"].tolist()
    # By hand: the built-in rubric's inclusion options are worth 0, 0.5 and 1 of its points.
    points = got["points_inclusion"].tolist()
    assert points[0] == 0.0 and points[1] > 0.0 and points[2] == pytest.approx(2 * points[1])


def test_a_kept_result_column_does_not_keep_the_others(lenient: Rubric) -> None:
    """Each of total, low and high is an array of its own: a table that keeps only `total`
    holds its 8 bytes a row, not every result column's memory."""
    rows = 10_000
    frame = pd.DataFrame({"partners": np.arange(rows, dtype=np.float64) % 12})
    total = lenient.score_frame(frame)["total"].to_numpy()
    root = total
    while isinstance(root.base, np.ndarray):
        root = root.base
    assert root.nbytes == rows * 8


def test_string_columns_encoded_by_the_engine(lenient: Rubric) -> None:
    """String columns go to the engine as Arrow's buffers and are encoded there, the rows
    split over threads whose tables are merged: every row scores as row-by-row `score`
    does, for pandas strings, Arrow `string` and `large_string` (sliced: offsets not from
    0), with missing cells and strings first met in the second half of the rows; an
    unknown string (not ASCII) is reported at its own row with its own text."""
    n = 120_000  # two threads of 60 000 rows
    options = [c for c in lenient.criteria if c.id == "inclusion"][0].options
    rng = np.random.default_rng(7)
    # First half: two options and gaps; second half: all three, so the third is new there.
    first = rng.choice([options[0], options[1], None], n // 2)
    second = rng.choice(options + [None], n // 2)
    cells = list(first) + list(second)
    levels = rng.integers(1, 6, n).astype(float)
    expected = lenient.score_matrix(
        np.column_stack([levels, [np.nan if c is None else options.index(c) for c in cells]]),
        ["neighbour_contact", "inclusion"],
    )
    pdf = pd.DataFrame({"neighbour_contact": levels, "inclusion": pd.Series(cells, dtype="string")})
    out = lenient.score_frame(pdf)
    np.testing.assert_array_equal(out["total"].to_numpy(), expected)
    for kind in (pa.string(), pa.large_string()):
        table = pa.table(
            {"neighbour_contact": np.concatenate([levels[:5], levels]), "inclusion": pa.array(["x"] * 5 + cells, type=kind)}
        )
        sliced = table.slice(5)
        assert sliced.column("inclusion").chunk(0).offset == 5
        got = lenient.score_frame(sliced)
        np.testing.assert_array_equal(got.column("total").to_numpy(), expected)
    bad = list(cells)
    bad[n - 3] = "één"
    with pytest.raises(InputError) as e:
        lenient.score_frame(pd.DataFrame({"inclusion": pd.Series(bad, dtype="string")}))
    assert e.value.path == f"rows[{n - 3}].input.inclusion"
    assert '"één"' in str(e.value)
    # Empty strings are strings (an unknown option), not missing cells.
    with pytest.raises(InputError) as e:
        lenient.score_frame(pa.table({"inclusion": pa.array(["none", ""])}))
    assert e.value.path == "rows[1].input.inclusion"


@pytest.mark.parametrize("kind", [pa.string(), pa.large_string()])
def test_strings_as_arrow_buffers(kind: Any) -> None:
    """`_strings` hands over a string array's own buffers: a slice (offsets not from 0)
    with nulls, empty and non-ASCII strings, and an empty array read back (in Python,
    from the offsets and bytes) as Arrow's own `to_pylist`."""
    arr = pa.array(["skip", "één", None, "", "none", None, "x"], type=kind)
    for part in (arr, arr.slice(1), arr.slice(2, 3), arr.slice(7)):
        assert strings_of(_strings(part)) == part.to_pylist()
    assert strings_of(_strings(pa.array([], type=kind))) == []


def test_int64_columns_converted_by_the_engine() -> None:
    """int64 columns without gaps go to the engine as they are and are converted there as
    numpy converts them (to the nearest float64, 2**53 + 1 included): every result column
    equals the one for the same frame converted to float64 by numpy first, the totals
    equal score_matrix's, over two threads; a bad level is reported at its row."""
    rubric = Rubric.default()
    n = 120_000
    rng = np.random.default_rng(8)
    ints = pd.DataFrame(
        {
            "neighbour_contact": rng.integers(1, 6, n),
            "volunteer_hours": rng.integers(0, 3000, n),
            "green_area_m2": np.where(rng.random(n) < 0.01, 2**53 + 1, rng.integers(0, 10**6, n)),
            "partners": rng.integers(0, 40, n),
        }
    )
    read = frame_columns(ints)
    assert all(isinstance(c, np.ndarray) and c.dtype == np.int64 for c in read.columns)
    floats = ints.astype(np.float64)
    out, expected = rubric.score_frame(ints), rubric.score_frame(floats)
    assert list(out.columns) == list(expected.columns)
    for name in out.columns:
        assert out[name].tolist() == expected[name].tolist(), name
    totals = rubric.score_matrix(floats.to_numpy(), list(floats.columns))
    np.testing.assert_array_equal(out["total"].to_numpy(), totals)
    bad = ints.copy()
    bad.loc[n - 7, "neighbour_contact"] = 9
    with pytest.raises(InputError) as e:
        rubric.score_frame(bad)
    assert e.value.path == f"rows[{n - 7}].input.neighbour_contact"
    # A criterion that takes no numbers (encoded cell by cell): the same error either way.
    for kind in ("category", "boolean"):
        column = [c.id for c in rubric.criteria if c.kind == kind][0]
        errors = []
        for frame in (pd.DataFrame({column: ints["partners"]}), pd.DataFrame({column: floats["partners"]})):
            with pytest.raises(InputError) as e:
                rubric.score_frame(frame)
            errors.append((e.value.code, e.value.path, str(e.value)))
        assert errors[0] == errors[1]
    # Polars and pyarrow int64 columns alike.
    assert rubric.score_frame(pl.from_pandas(ints))["total"].to_list() == expected["total"].tolist()
    table = pa.Table.from_pandas(ints, preserve_index=False)
    assert rubric.score_frame(table).column("total").to_pylist() == expected["total"].tolist()


def test_strings_form_checked_by_the_engine() -> None:
    """The engine checks a string column's buffers: offsets outside the bytes or going
    back, bytes that are not UTF-8 (each reported at the row of the cell), a missing mask or
    offsets of the wrong length (input.shape) and arrays of the wrong type."""
    native = Rubric.default()._native
    data = np.frombuffer("noneone_group".encode(), dtype=np.uint8)

    def score(offsets: List[int], data: Any = data, missing: Any = None, rows: int = 2) -> Any:
        column = (np.array(offsets, dtype=np.int64), data, missing)
        return native.score_columns(["inclusion"], [column], rows, None)

    total = score([0, 4, 13])[0]
    assert total.shape == (2,)
    # The first bad cell by hand: row 1 ends past the 13 bytes, row 1 goes back (4..2),
    # row 0 starts before the bytes.
    for offsets, row in (([0, 4, 99], 1), ([0, 4, 2], 1), ([0, -1, 4], 0)):
        with pytest.raises(InputError) as e:
            score(offsets)
        assert e.value.code == "input.parse" and e.value.path == f"rows[{row}].input.inclusion"
    with pytest.raises(InputError) as e:
        score([0, 4, 6], data=np.frombuffer(b"none\xff\xfe", dtype=np.uint8))
    assert e.value.path == "rows[1].input.inclusion" and "UTF-8" in str(e.value)
    # A missing cell's bytes are not read: the same bad bytes under missing row 0 are
    # reported at row 2, the first cell that holds them.
    with pytest.raises(InputError) as e:
        score(
            [0, 2, 6, 8],
            data=np.frombuffer(b"\xff\xfenone\xff\xfe", dtype=np.uint8),
            missing=np.array([True, False, False]),
            rows=3,
        )
    assert e.value.path == "rows[2].input.inclusion" and "UTF-8" in str(e.value)
    with pytest.raises(InputError) as e:
        score([0, 4, 13], missing=np.zeros(3, dtype=bool))
    assert e.value.code == "input.shape"
    with pytest.raises(InputError) as e:
        score([0, 4, 13], rows=3)
    assert e.value.code == "input.shape"
    with pytest.raises(InputError) as e:
        score([0, 4, 13], data=np.zeros(13, dtype=np.int64))
    assert e.value.code == "input.parse" and "offsets" in str(e.value)
