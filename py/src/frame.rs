//! Scoring the columns of a table (a pandas, Polars or pyarrow frame read by
//! `civic_value._frame.frame_columns`) row by row, with the same result as `score` for every
//! row, fast.
//!
//! A column comes as one of:
//! - a 1-D float64 array (numbers, Likert levels; NaN = missing),
//! - a 1-D int64 array (whole numbers without gaps, converted to float64 per block),
//! - a 1-D bool array,
//! - a `(codes, categories)` pair: an int64 array of indices into a list of values (a
//!   Categorical), −1 = missing; each category is converted and encoded once, not once per
//!   cell,
//! - an `(offsets, data, missing)` triple: a string column as Arrow's buffers, encoded as
//!   codes and categories here ([`crate::strings`]),
//! - a list of Python values (anything else: tuples for ranges, evidence dicts, mixed).
//!
//! Numeric arrays are read in place (no copy when contiguous). The rows are split over the
//! cores with the GIL released ([`crate::threads`], shared with `score_matrix`); each thread
//! fills blocks of rows in the core's numeric encoding ([`Criterion::encode`]) column by
//! column and scores them with [`BatchScorer::score_block`], into result arrays made by
//! numpy. A row with a cell that has no numeric encoding (an evidence
//! grade, a value of the wrong kind) goes through [`Rubric::score`] instead, so every row
//! gets exactly what `score` would give it, result or error.

use std::borrow::Cow;

use civic_value::{
    BatchScorer, BlockScores, Criterion, Error, InputKind, InputValue, Inputs, Rubric,
};
use numpy::{Ix1, Ix2, PyArray1, PyArrayMethods, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use crate::convert::{empty, input_value};
use crate::errors::{input_parse, to_py};
use crate::strings::{self, Offsets};
use crate::threads;

/// Rows per block: the numeric encoding of a block (two buffers of rows × columns) stays
/// in the first-level cache.
const BLOCK_ROWS: usize = 256;

/// A column as handed over from Python, holding the numpy arrays borrowed.
enum Held<'py> {
    Numbers(PyReadonlyArray1<'py, f64>),
    /// Whole numbers without gaps (an int64 column), converted per block by the scoring
    /// threads rather than all at once by numpy on the calling thread.
    Ints(PyReadonlyArray1<'py, i64>),
    /// A bool array's bytes (read as `u8`: a byte other than 0 or 1, e.g. from a `uint8`
    /// array viewed as bool, must not become a Rust `bool`; any non-zero byte is true, as
    /// numpy reads it).
    Bools(PyReadonlyArray1<'py, u8>),
    Codes(PyReadonlyArray1<'py, i64>, Vec<InputValue>),
    /// Arrow strings encoded in Rust ([`crate::strings`]): codes and categories.
    Strings(Vec<i64>, Vec<InputValue>),
    Objects(Vec<InputValue>),
}

/// A column as the scoring threads read it.
enum Source<'a> {
    Numbers(Cow<'a, [f64]>),
    Ints(Cow<'a, [i64]>),
    Bools(Cow<'a, [u8]>),
    Codes {
        codes: Cow<'a, [i64]>,
        categories: &'a [InputValue],
    },
    Objects(&'a [InputValue]),
}

impl Source<'_> {
    fn len(&self) -> usize {
        match self {
            Self::Numbers(v) => v.len(),
            Self::Ints(v) => v.len(),
            Self::Bools(v) => v.len(),
            Self::Codes { codes, .. } => codes.len(),
            Self::Objects(v) => v.len(),
        }
    }

    /// Row `r`'s cell as an input (for the general path).
    fn value(&self, r: usize) -> InputValue {
        match self {
            // As numpy converts int64 to float64 (to the nearest).
            #[allow(clippy::cast_precision_loss)]
            Self::Ints(v) => v
                .get(r)
                .map_or(InputValue::Missing, |&x| InputValue::Number(x as f64)),
            Self::Numbers(v) => match v.get(r) {
                Some(x) if !x.is_nan() => InputValue::Number(*x),
                _ => InputValue::Missing,
            },
            Self::Bools(v) => v
                .get(r)
                .map_or(InputValue::Missing, |&b| InputValue::Bool(b != 0)),
            Self::Codes { codes, categories } => codes
                .get(r)
                .and_then(|&c| usize::try_from(c).ok())
                .and_then(|c| categories.get(c))
                .cloned()
                .unwrap_or(InputValue::Missing),
            Self::Objects(v) => v.get(r).cloned().unwrap_or(InputValue::Missing),
        }
    }
}

fn slice<'a, T: numpy::Element + Copy>(a: &'a PyReadonlyArray1<'_, T>) -> Cow<'a, [T]> {
    match a.as_slice() {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(a.as_array().iter().copied().collect()),
    }
}

fn shape_error(expected: usize, got: usize, path: String) -> Error {
    civic_value::ErrorKind::Shape { expected, got }.at(path)
}

/// Read the columns of a table and score every row as `score` would: `(total, low, high,
/// knocked_out, band, points)` — totals, interval ends, knock-outs, band as the code
/// of an ordered categorical (lowest band 0, −1 for none) and a criteria × rows array of points (one contiguous row per criterion).
///
/// The result arrays are made by numpy (with the GIL), which asks the kernel for huge pages
/// for large arrays (`madvise`), and filled with the GIL released: 17 arrays of a million
/// rows fault in far fewer pages than the same `Vec`s would.
///
/// # Errors
/// As `score` for the first bad row (path `rows[12].input.support_share`); `input.shape`
/// when the columns and names or row counts disagree; `input.parse` for a column of a form
/// not listed in the module docs.
pub fn score_columns<'py>(
    py: Python<'py>,
    rubric: &Rubric,
    names: &[String],
    columns: &Bound<'_, PyList>,
    rows: usize,
    perspective: Option<&str>,
) -> PyResult<Bound<'py, PyTuple>> {
    let batch = rubric
        .batch(names, perspective)
        .map_err(|e| to_py(py, &e))?;
    if columns.len() != names.len() {
        return Err(to_py(
            py,
            &shape_error(names.len(), columns.len(), "input".to_owned()),
        ));
    }
    let held = hold_all(names, columns)?;
    let sources = sources(py, names, &held, rows)?;
    let criteria: Vec<Option<&Criterion>> = names.iter().map(|n| rubric.criterion(n)).collect();
    let tables: Vec<Lookup> = sources
        .iter()
        .zip(&criteria)
        .map(|(s, c)| c.map(|c| encode_table(s, c)).unwrap_or_default())
        .collect();
    let table = Table {
        rubric,
        batch: &batch,
        criteria: &criteria,
        sources: &sources,
        tables: &tables,
        perspective,
    };
    let m = batch.criteria();
    // Separate arrays, as before h11: one float64 array for all of them faults in faster
    // (≈ 13.6 against 17.5 ms a million rows), but a table that keeps only `total` would
    // then keep every column's memory alive (114 MB instead of 8 a million rows).
    // Not cleared first (`numpy.empty`): `score_run` writes every element of every array
    // (the block path every row it scores, `put_row` and the points of the rows it leaves to
    // `Rubric::score`, the band of each row), and after an error the arrays are dropped.
    let total = empty::<f64, Ix1>(py, &[rows])?;
    let low = empty::<f64, Ix1>(py, &[rows])?;
    let high = empty::<f64, Ix1>(py, &[rows])?;
    let knocked_out = empty::<bool, Ix1>(py, &[rows])?;
    let band = empty::<i32, Ix1>(py, &[rows])?;
    let points = empty::<f64, Ix2>(py, &[m, rows])?;
    {
        let (mut t, mut l, mut h, mut k, mut b, mut p) = (
            total.readwrite(),
            low.readwrite(),
            high.readwrite(),
            knocked_out.readwrite(),
            band.readwrite(),
            points.readwrite(),
        );
        let (Ok(t), Ok(l), Ok(h), Ok(k), Ok(b), Ok(p)) = (
            t.as_slice_mut(),
            l.as_slice_mut(),
            h.as_slice_mut(),
            k.as_slice_mut(),
            b.as_slice_mut(),
            p.as_slice_mut(),
        ) else {
            // Fresh numpy arrays are contiguous; reported rather than panicking.
            let e = input_parse("input", "a result array is not contiguous");
            return Err(to_py(py, &e));
        };
        let out = Out {
            total: t,
            low: l,
            high: h,
            knocked_out: k,
            band: b,
            points: p.chunks_mut(rows.max(1)).collect(),
        };
        py.detach(|| table.score(out)).map_err(|e| to_py(py, &e))?;
    }
    PyTuple::new(
        py,
        [
            total.into_any(),
            low.into_any(),
            high.into_any(),
            knocked_out.into_any(),
            band.into_any(),
            points.into_any(),
        ],
    )
}

/// Every column of a table, its numpy arrays borrowed.
fn hold_all<'py>(names: &[String], columns: &Bound<'py, PyList>) -> PyResult<Vec<Held<'py>>> {
    let mut held = Vec::with_capacity(names.len());
    for (name, column) in names.iter().zip(columns.iter()) {
        held.push(hold(&column, name)?);
    }
    Ok(held)
}

/// The columns as the scoring threads read them, each checked to hold `rows` cells (and a
/// category code for each cell).
fn sources<'a>(
    py: Python<'_>,
    names: &[String],
    held: &'a [Held<'_>],
    rows: usize,
) -> PyResult<Vec<Source<'a>>> {
    let mut sources = Vec::with_capacity(held.len());
    for (name, h) in names.iter().zip(held) {
        let source = match h {
            Held::Numbers(a) => Source::Numbers(slice(a)),
            Held::Ints(a) => Source::Ints(slice(a)),
            Held::Bools(a) => Source::Bools(slice(a)),
            Held::Codes(a, categories) => {
                let codes = slice(a);
                if let Some(bad) = codes.iter().position(|&c| {
                    c < -1 || usize::try_from(c).is_ok_and(|c| c >= categories.len())
                }) {
                    return Err(to_py(
                        py,
                        &input_parse(
                            format!("rows[{bad}].input.{name}"),
                            format!(
                                "category code {} is not in 0..{}",
                                codes.get(bad).copied().unwrap_or_default(),
                                categories.len()
                            ),
                        ),
                    ));
                }
                Source::Codes { codes, categories }
            }
            Held::Strings(codes, categories) => Source::Codes {
                codes: Cow::Borrowed(codes),
                categories,
            },
            Held::Objects(v) => Source::Objects(v),
        };
        if source.len() != rows {
            return Err(to_py(
                py,
                &shape_error(rows, source.len(), format!("input.{name}")),
            ));
        }
        sources.push(source);
    }
    Ok(sources)
}

/// The rows of a table's columns (in any form `score_columns` takes, read the same way) as
/// one set of inputs per row, for the analyses that take a whole table (stability, Monte
/// Carlo).
///
/// # Errors
/// As `score_columns` for columns of the wrong form or length.
pub fn frame_inputs(
    py: Python<'_>,
    names: &[String],
    columns: &Bound<'_, PyList>,
    rows: usize,
) -> PyResult<Vec<Inputs>> {
    frame_inputs_on(py, names, columns, rows, 0)
}

/// [`frame_inputs`] on at most `threads` threads: `1` makes every row on the calling
/// thread (a caller asked for one thread), any other number as `frame_inputs` does.
///
/// # Errors
/// As [`frame_inputs`].
pub fn frame_inputs_on(
    py: Python<'_>,
    names: &[String],
    columns: &Bound<'_, PyList>,
    rows: usize,
    threads: usize,
) -> PyResult<Vec<Inputs>> {
    if columns.len() != names.len() {
        return Err(to_py(
            py,
            &shape_error(names.len(), columns.len(), "input".to_owned()),
        ));
    }
    let held = hold_all(names, columns)?;
    let sources = sources(py, names, &held, rows)?;
    let sources = &sources;
    let build = |from: usize, to: usize| -> Vec<Inputs> {
        (from..to)
            .map(|r| {
                names
                    .iter()
                    .zip(sources)
                    .map(|(name, source)| (name.as_str(), source.value(r)))
                    .collect()
            })
            .collect()
    };
    // Without the GIL (the cells are Rust values by now); a large table's second half on a
    // thread of its own.
    Ok(py.detach(|| {
        if rows < PARALLEL_ROWS || threads == 1 {
            return build(0, rows);
        }
        let half = rows / 2;
        std::thread::scope(|scope| {
            let second = scope.spawn(|| build(half, rows));
            let mut first = build(0, half);
            match second.join() {
                Ok(rest) => first.extend(rest),
                // It cannot panic; should it, its rows are made here.
                Err(_) => first.extend(build(half, rows)),
            }
            first
        })
    }))
}

/// Rows from which [`frame_inputs`] makes the second half of the inputs on a thread of its
/// own.
const PARALLEL_ROWS: usize = 256;

/// One column from Python, its numpy array borrowed (see the module docs for the forms).
fn hold<'py>(column: &Bound<'py, PyAny>, name: &str) -> PyResult<Held<'py>> {
    let py = column.py();
    if let Ok(a) = column.cast::<PyArray1<f64>>() {
        return Ok(Held::Numbers(a.readonly()));
    }
    if let Ok(a) = column.cast::<PyArray1<i64>>() {
        return Ok(Held::Ints(a.readonly()));
    }
    if let Ok(a) = column.cast::<PyArray1<bool>>() {
        // The same memory as bytes (numpy's `view`, no copy).
        let bytes = a.call_method1("view", (numpy::dtype::<u8>(py),))?;
        return Ok(Held::Bools(bytes.cast_into::<PyArray1<u8>>()?.readonly()));
    }
    if let Ok(list) = column.cast::<PyList>() {
        let mut out = Vec::with_capacity(list.len());
        for (r, item) in list.iter().enumerate() {
            // The path is only formatted for a cell that fails (read again with it), not
            // for each of the thousands that do not.
            let value = input_value(&item, "", true)
                .or_else(|_| input_value(&item, &format!("rows[{r}].input.{name}"), true))?;
            out.push(value);
        }
        return Ok(Held::Objects(out));
    }
    if let Ok(t) = column.cast::<PyTuple>()
        && t.len() == 3
    {
        return hold_strings(&t.get_item(0)?, &t.get_item(1)?, &t.get_item(2)?, name);
    }
    let pair = match column.cast::<PyTuple>() {
        Ok(t) if t.len() == 2 => Some((t.get_item(0)?, t.get_item(1)?)),
        _ => None,
    };
    if let Some((codes, categories)) = &pair
        && let (Ok(codes), Ok(categories)) =
            (codes.cast::<PyArray1<i64>>(), categories.cast::<PyList>())
    {
        let codes = codes.readonly();
        let mut values = Vec::with_capacity(categories.len());
        for (k, item) in categories.iter().enumerate() {
            match input_value(&item, &format!("input.{name}"), true) {
                Ok(v) => values.push(v),
                Err(_) => {
                    // Report it at the first row that holds it (none: never used).
                    let first = codes
                        .as_array()
                        .iter()
                        .position(|&c| usize::try_from(c).is_ok_and(|c| c == k));
                    if let Some(r) = first {
                        input_value(&item, &format!("rows[{r}].input.{name}"), true)?;
                    }
                    values.push(InputValue::Missing);
                }
            }
        }
        return Ok(Held::Codes(codes, values));
    }
    Err(to_py(
        py,
        &input_parse(
            format!("input.{name}"),
            "a column must be a 1-D float64, int64 or bool array, (int64 codes, categories), (offsets, data, missing) or a list",
        ),
    ))
}

/// A string column as Arrow's buffers, `(offsets, data, missing)`: int32 or int64 offsets
/// (`rows + 1`), the UTF-8 bytes (uint8) and `None` or a bool array marking the missing
/// cells; encoded as codes and categories here ([`strings::dictionary`]).
fn hold_strings<'py>(
    offsets: &Bound<'py, PyAny>,
    data: &Bound<'py, PyAny>,
    missing: &Bound<'py, PyAny>,
    name: &str,
) -> PyResult<Held<'py>> {
    let py = offsets.py();
    let form = || {
        to_py(
            py,
            &input_parse(
                format!("input.{name}"),
                "strings must be (int32 or int64 offsets, uint8 bytes, None or a bool array)",
            ),
        )
    };
    let data = data.cast::<PyArray1<u8>>().map_err(|_| form())?.readonly();
    let missing = if missing.is_none() {
        None
    } else {
        let a = missing.cast::<PyArray1<bool>>().map_err(|_| form())?;
        // As bytes (see `Held::Bools`).
        let bytes = a.call_method1("view", (numpy::dtype::<u8>(py),))?;
        Some(bytes.cast_into::<PyArray1<u8>>()?.readonly())
    };
    let (narrow, wide) = (
        offsets.cast::<PyArray1<i32>>().map(|a| a.readonly()),
        offsets.cast::<PyArray1<i64>>().map(|a| a.readonly()),
    );
    let (data, missing) = (slice(&data), missing.as_ref().map(slice));
    let (narrow, wide) = (
        narrow.as_ref().ok().map(slice),
        wide.as_ref().ok().map(slice),
    );
    let (offsets, rows) = match (&narrow, &wide) {
        (Some(o), _) => (Offsets::Narrow(o), o.len()),
        (_, Some(o)) => (Offsets::Wide(o), o.len()),
        _ => return Err(form()),
    };
    let rows = rows.saturating_sub(1);
    let (codes, distinct) =
        strings::dictionary(py, name, &offsets, &data, missing.as_deref(), rows)?;
    let categories = distinct.into_iter().map(InputValue::Text).collect();
    Ok(Held::Strings(codes, categories))
}

/// Everything the scoring threads share.
struct Table<'a> {
    rubric: &'a Rubric,
    batch: &'a BatchScorer<'a>,
    criteria: &'a [Option<&'a Criterion>],
    sources: &'a [Source<'a>],
    /// Per column, the encoding of each category (codes) or of false and true (bools),
    /// made once per call ([`encode_table`]); empty for the other forms.
    tables: &'a [Lookup],
    perspective: Option<&'a str>,
}

/// The outputs of a run of consecutive rows.
struct Out<'a> {
    total: &'a mut [f64],
    low: &'a mut [f64],
    high: &'a mut [f64],
    knocked_out: &'a mut [bool],
    band: &'a mut [i32],
    /// One slice per criterion.
    points: Vec<&'a mut [f64]>,
}

impl Table<'_> {
    /// Score every row into `out` (the whole table), the rows split over the cores.
    fn score(&self, out: Out<'_>) -> civic_value::Result<()> {
        let rows = out.total.len();
        let chunk = threads::chunk(rows, threads::count(rows, None));
        // Each thread's part of every criterion's points (a criterion's points are one
        // contiguous row of the C-order criteria × rows array).
        let mut point_parts: Vec<Vec<&mut [f64]>> = Vec::new();
        for column in out.points {
            for (k, piece) in column.chunks_mut(chunk).enumerate() {
                if point_parts.len() <= k {
                    point_parts.push(Vec::new());
                }
                if let Some(part) = point_parts.get_mut(k) {
                    part.push(piece);
                }
            }
        }
        if point_parts.is_empty() {
            point_parts = (0..rows.div_ceil(chunk)).map(|_| Vec::new()).collect();
        }
        let parts = out
            .total
            .chunks_mut(chunk)
            .zip(out.low.chunks_mut(chunk))
            .zip(out.high.chunks_mut(chunk))
            .zip(out.knocked_out.chunks_mut(chunk))
            .zip(out.band.chunks_mut(chunk))
            .zip(point_parts)
            .map(
                |(((((total, low), high), knocked_out), band), points)| Out {
                    total,
                    low,
                    high,
                    knocked_out,
                    band,
                    points,
                },
            );
        let results = threads::run(
            parts,
            |k, o| self.score_run(k * chunk, o),
            || {
                Err(input_parse(
                    "input",
                    "a scoring thread stopped unexpectedly",
                ))
            },
        );
        // The runs are in row order: the first error is the one of the first bad row.
        results.into_iter().collect()
    }

    /// Score the rows `start..start + out.total.len()` into `out`, a block at a time: each
    /// block's columns are encoded column-major and scored by [`BatchScorer::score_block`]
    /// (the core's vectorised path with points); the rows it cannot take (a cell without a
    /// numeric encoding) go through [`Rubric::score`].
    fn score_run(&self, start: usize, mut out: Out<'_>) -> civic_value::Result<()> {
        let k = self.sources.len();
        let m = self.batch.criteria();
        let mut low = vec![f64::NAN; BLOCK_ROWS * k];
        let mut high = vec![f64::NAN; BLOCK_ROWS * k];
        let mut general = [false; BLOCK_ROWS];
        let mut points = vec![0.0; m];
        let mut general_rows: Vec<(usize, RowResult)> = Vec::new();
        let mut general_points: Vec<f64> = Vec::new();
        let n = out.total.len();
        let mut point_columns = std::mem::take(&mut out.points);
        let mut done = 0;
        while done < n {
            let len = BLOCK_ROWS.min(n - done);
            let first = start + done;
            let (Some(low), Some(high), Some(general)) = (
                low.get_mut(..len * k),
                high.get_mut(..len * k),
                general.get_mut(..len),
            ) else {
                break;
            };
            general.fill(false);
            // Whether a cell of the block is a range (then `high` is passed too).
            let mut ranged = false;
            for (j, (source, criterion)) in self.sources.iter().zip(self.criteria).enumerate() {
                let Some(c) = criterion else { continue }; // ignored (policy "warn")
                let (Some(l), Some(h)) = (
                    low.get_mut(j * len..(j + 1) * len),
                    high.get_mut(j * len..(j + 1) * len),
                ) else {
                    continue;
                };
                let empty = Lookup::default();
                let table = self.tables.get(j).unwrap_or(&empty);
                encode_column(source, c, table, first, l, h, general, &mut ranged);
            }
            // Each column as the core reads it: a plain numeric column in place, the others
            // from the encoded buffers.
            let mut low_columns: Vec<&[f64]> = Vec::with_capacity(k);
            let mut high_columns: Vec<&[f64]> = Vec::with_capacity(if ranged { k } else { 0 });
            for (j, (source, criterion)) in self.sources.iter().zip(self.criteria).enumerate() {
                let cells = j * len..(j + 1) * len;
                let direct = match (source, criterion) {
                    (Source::Numbers(v), Some(c)) if in_place(c) => v.get(first..first + len),
                    _ => None,
                };
                low_columns.push(
                    direct
                        .or_else(|| low.get(cells.clone()))
                        .unwrap_or_default(),
                );
                if ranged {
                    high_columns.push(direct.or_else(|| high.get(cells)).unwrap_or_default());
                }
            }
            // The general rows first, in order (kept aside: the block path writes over
            // their slots): after the first bad one, the block path takes only the rows
            // before it, so the first bad row's error is reported.
            let mut error = None;
            general_rows.clear();
            general_points.clear();
            for i in 0..len {
                if !general.get(i).copied().unwrap_or(false) {
                    continue;
                }
                match self.general_row(first + i, &mut points) {
                    Ok(row) => {
                        general_rows.push((done + i, row));
                        general_points.extend_from_slice(&points);
                    }
                    Err(e) => {
                        error = Some(e);
                        if let Some(rest) = general.get_mut(i..) {
                            rest.fill(true);
                        }
                        break;
                    }
                }
            }
            let rows = done..done + len;
            let mut block = BlockScores {
                total: out.total.get_mut(rows.clone()).unwrap_or_default(),
                low: out.low.get_mut(rows.clone()).unwrap_or_default(),
                high: out.high.get_mut(rows.clone()).unwrap_or_default(),
                knocked_out: out.knocked_out.get_mut(rows.clone()).unwrap_or_default(),
                points: point_columns
                    .iter_mut()
                    .map(|c| c.get_mut(rows.clone()).unwrap_or_default())
                    .collect(),
            };
            self.batch
                .score_block(first, &low_columns, &high_columns, general, &mut block)?;
            if let Some(e) = error {
                return Err(e);
            }
            for (&(at, row), points) in general_rows.iter().zip(general_points.chunks(m.max(1))) {
                put_row(&mut out, at, row);
                for (column, p) in point_columns.iter_mut().zip(points) {
                    if let Some(slot) = column.get_mut(at) {
                        *slot = *p;
                    }
                }
            }
            let bands = out.band.get_mut(rows.clone()).unwrap_or_default();
            let totals = out.total.get(rows).unwrap_or_default();
            for ((band, &total), &g) in bands.iter_mut().zip(totals).zip(general.iter()) {
                if !g {
                    *band = self.band_of(total);
                }
            }
            done += len;
        }
        Ok(())
    }

    /// Row `r` through [`Rubric::score`]: `(total, low, high, knocked_out, band)`, with the
    /// points of each criterion written into `points`.
    #[cold]
    fn general_row(
        &self,
        r: usize,
        points: &mut [f64],
    ) -> civic_value::Result<(f64, f64, f64, bool, i32)> {
        let inputs: Inputs = self
            .sources
            .iter()
            .zip(self.criteria)
            .filter_map(|(s, c)| c.map(|c| (c.id(), s.value(r))))
            .collect();
        let score = self
            .rubric
            .score(&inputs, self.perspective)
            .map_err(|e| e.prefixed(&format!("rows[{r}]")))?;
        for (slot, row) in points.iter_mut().zip(&score.criteria) {
            *slot = row.points;
        }
        Ok((
            score.total,
            score.interval.low,
            score.interval.high,
            score.knocked_out,
            self.band_index(score.band.as_deref()),
        ))
    }

    /// The band of `total` as its code in an ordered categorical, lowest band first (−1
    /// for none).
    #[inline]
    fn band_of(&self, total: f64) -> i32 {
        self.band_code(self.rubric.band_index_for(total))
    }

    /// The code of a band given by id (−1 for none).
    fn band_index(&self, id: Option<&str>) -> i32 {
        self.band_code(id.and_then(|id| self.rubric.bands().iter().position(|b| b.id() == id)))
    }

    /// The categorical code (lowest band 0) of the band at `index` in the rubric's list
    /// (highest threshold first); −1 for none.
    #[inline]
    fn band_code(&self, index: Option<usize>) -> i32 {
        index
            .and_then(|i| self.rubric.bands().len().checked_sub(1 + i))
            .and_then(|c| i32::try_from(c).ok())
            .unwrap_or(-1)
    }
}

/// One row's `(total, low, high, knocked_out, band)`.
type RowResult = (f64, f64, f64, bool, i32);

/// Write one row's results at `at`.
fn put_row(out: &mut Out<'_>, at: usize, (total, lo, hi, ko, band): RowResult) {
    if let (Some(t), Some(l), Some(h), Some(o), Some(b)) = (
        out.total.get_mut(at),
        out.low.get_mut(at),
        out.high.get_mut(at),
        out.knocked_out.get_mut(at),
        out.band.get_mut(at),
    ) {
        *t = total;
        *l = lo;
        *h = hi;
        *o = ko;
        *b = band;
    }
}

/// Whether a float64 column is its own numeric encoding for criterion `c` (a number or
/// Likert criterion: the number itself, NaN for missing), read in place.
fn in_place(c: &Criterion) -> bool {
    matches!(c.kind(), InputKind::Number | InputKind::Likert { .. })
}

/// The numeric encoding of each value a column of codes or bools can hold, made once per
/// call ([`encode_table`]) and looked up per cell without a branch: entry `k` is `low[k]`,
/// `high[k]` (NaN for none) and whether a cell holding it goes to the general path.
#[derive(Default)]
struct Lookup {
    low: Vec<f64>,
    high: Vec<f64>,
    general: Vec<bool>,
    /// Whether an entry is a range (then the block's `high` columns are passed).
    ranged: bool,
}

impl Lookup {
    /// The table of `encodings` (one per entry).
    fn of(encodings: impl Iterator<Item = Option<(f64, f64)>>) -> Self {
        let mut t = Self::default();
        for e in encodings {
            let (a, b) = e.unwrap_or((f64::NAN, f64::NAN));
            t.low.push(a);
            t.high.push(b);
            t.general.push(e.is_none());
            t.ranged |= a != b && !(a.is_nan() && b.is_nan());
        }
        t
    }

    /// Fill `low`, `high` and mark `general` for cells holding the entries `keys` (each
    /// below the table's length, checked before: an entry past the end would read as a
    /// cell without an encoding).
    #[inline]
    fn fill(
        &self,
        keys: impl Iterator<Item = usize>,
        low: &mut [f64],
        high: &mut [f64],
        general: &mut [bool],
    ) {
        for (((k, l), h), g) in keys.zip(low.iter_mut()).zip(high.iter_mut()).zip(general) {
            *l = self.low.get(k).copied().unwrap_or(f64::NAN);
            *h = self.high.get(k).copied().unwrap_or(f64::NAN);
            *g |= self.general.get(k).copied().unwrap_or(true);
        }
    }
}

/// The numeric encoding of a column's entries: for codes, missing (code −1) then each
/// category (one per category, not once per cell); for bools, false and true; empty for
/// the other forms.
fn encode_table(source: &Source<'_>, c: &Criterion) -> Lookup {
    match source {
        Source::Codes { categories, .. } => Lookup::of(
            std::iter::once(c.encode(&InputValue::Missing))
                .chain(categories.iter().map(|v| c.encode(v))),
        ),
        Source::Bools(_) => Lookup::of(
            [
                c.encode(&InputValue::Bool(false)),
                c.encode(&InputValue::Bool(true)),
            ]
            .into_iter(),
        ),
        Source::Numbers(_) | Source::Ints(_) | Source::Objects(_) => Lookup::default(),
    }
}

/// Fill one column of a block (the rows `first..first + low.len()`) with the numeric
/// encoding of its cells (`low`, `high`); a cell without one marks its row for the general
/// path, a range sets `ranged`. A column read in place ([`in_place`]) is left alone;
/// `table` is the column's [`encode_table`].
#[allow(clippy::too_many_arguments)]
#[inline]
fn encode_column(
    source: &Source<'_>,
    c: &Criterion,
    table: &Lookup,
    first: usize,
    low: &mut [f64],
    high: &mut [f64],
    general: &mut [bool],
    ranged: &mut bool,
) {
    let len = low.len();
    let rows = first..first + len;
    let mut put = |i: usize, e: Option<(f64, f64)>| match e {
        Some((a, b)) => {
            if let (Some(l), Some(h)) = (low.get_mut(i), high.get_mut(i)) {
                *l = a;
                *h = b;
            }
            *ranged |= a != b && !(a.is_nan() && b.is_nan());
        }
        None => {
            if let Some(g) = general.get_mut(i) {
                *g = true;
            }
        }
    };
    match source {
        // Read in place by the core.
        Source::Numbers(_) if in_place(c) => {}
        // The number itself for a number or Likert criterion (as a float64 column would be
        // read in place), converted as numpy converts int64 to float64 (to the nearest).
        #[allow(clippy::cast_precision_loss)]
        Source::Ints(v) if in_place(c) => {
            let cells = v.get(rows).unwrap_or(&[]);
            for ((&x, l), h) in cells.iter().zip(low.iter_mut()).zip(high.iter_mut()) {
                *l = x as f64;
                *h = x as f64;
            }
        }
        #[allow(clippy::cast_precision_loss)]
        Source::Ints(v) => {
            for (i, &x) in v.get(rows).unwrap_or(&[]).iter().enumerate() {
                put(i, c.encode(&InputValue::Number(x as f64)));
            }
        }
        Source::Numbers(v) => {
            let missing = c.encode(&InputValue::Missing);
            for (i, &x) in v.get(rows).unwrap_or(&[]).iter().enumerate() {
                put(
                    i,
                    if x.is_nan() {
                        missing
                    } else {
                        c.encode(&InputValue::Number(x))
                    },
                );
            }
        }
        // Looked up in the column's table: false, true.
        Source::Bools(v) => {
            *ranged |= table.ranged;
            let cells = v.get(rows).unwrap_or(&[]);
            table.fill(
                cells.iter().map(|&b| usize::from(b != 0)),
                low,
                high,
                general,
            );
        }
        // Looked up in the column's table: missing (−1), then each category (codes are
        // checked to lie in −1..categories when the column is read).
        Source::Codes { codes, .. } => {
            *ranged |= table.ranged;
            let cells = codes.get(rows).unwrap_or(&[]);
            let keys = cells
                .iter()
                .map(|&code| usize::try_from(code.wrapping_add(1)).unwrap_or(0));
            table.fill(keys, low, high, general);
        }
        Source::Objects(v) => {
            for (i, value) in v.get(rows).unwrap_or(&[]).iter().enumerate() {
                put(i, c.encode(value));
            }
        }
    }
}
