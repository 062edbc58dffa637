//! Scoring tables: a numpy matrix in the core's numeric encoding (`score_matrix`), and the
//! columns of a DataFrame with the same meaning as `score` row by row (`score_columns`).
//!
//! Both hand the rows to the core's [`BatchScorer`] with the GIL released. A DataFrame
//! cell that has no numeric encoding (an evidence grade, or a value of the wrong kind) makes
//! its row go through [`Rubric::score`] instead, so that every row gets exactly what `score`
//! would give it, result or error.

use std::borrow::Cow;

use civic_value::{BatchScorer, Criterion, InputValue, Inputs, Rubric};
use numpy::ndarray::Array2;
use numpy::{
    IntoPyArray, PyArray1, PyArray2, PyArrayDescrMethods, PyArrayMethods, PyUntypedArray,
    PyUntypedArrayMethods,
};
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::convert::input_value;
use crate::errors::{input_parse, to_py};

/// Totals of a 2-D float64 matrix whose columns are named by `columns` (numeric encoding:
/// numbers, Likert levels, booleans as 0/1, categories as option index; NaN = missing).
pub fn score_matrix<'py>(
    py: Python<'py>,
    rubric: &Rubric,
    x: &Bound<'py, PyAny>,
    columns: &[String],
    perspective: Option<&str>,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let batch = rubric
        .batch(columns, perspective)
        .map_err(|e| to_py(py, &e))?;
    let array = float64_matrix(x)?;
    let (rows, cols) = match array.shape() {
        [r, c] => (*r, *c),
        _ => (0, 0),
    };
    if cols != columns.len() {
        return Err(to_py(
            py,
            &civic_value::ErrorKind::Shape {
                expected: columns.len(),
                got: cols,
            }
            .at("input"),
        ));
    }
    let readonly = array.readonly();
    let view = readonly.as_array();
    // Row-major data without a copy when the array is C-contiguous, with one otherwise.
    let owned;
    let data: &[f64] = match view.as_slice() {
        Some(s) => s,
        None => {
            owned = view.as_standard_layout().into_owned();
            owned.as_slice().unwrap_or(&[])
        }
    };
    let mut out = vec![0.0; rows];
    let threads = threads
        .filter(|&t| t > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));
    py.detach(|| totals(&batch, data, &mut out, threads))
        .map_err(|e| to_py(py, &e))?;
    Ok(out.into_pyarray(py))
}

/// The core's `totals`, with the rows split over `threads` threads for large matrices.
/// An error names the first failing row, as one pass would.
fn totals(
    batch: &BatchScorer<'_>,
    data: &[f64],
    out: &mut [f64],
    threads: usize,
) -> civic_value::Result<()> {
    const MIN_ROWS_PER_THREAD: usize = 50_000;
    let cols = batch.columns();
    let threads = threads.min(out.len() / MIN_ROWS_PER_THREAD);
    if threads < 2 || cols == 0 {
        return batch.totals(data, out);
    }
    let chunk = out.len().div_ceil(threads);
    let failed: Vec<bool> = std::thread::scope(|s| {
        let handles: Vec<_> = data
            .chunks(chunk * cols)
            .zip(out.chunks_mut(chunk))
            .map(|(d, o)| s.spawn(move || batch.totals(d, o).is_err()))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or(true))
            .collect()
    });
    // The first failing chunk holds the first failing row: find it again, one row at a
    // time, for an error whose path names its row in the whole matrix.
    if let Some(k) = failed.iter().position(|&f| f) {
        let rows = data
            .chunks_exact(cols)
            .enumerate()
            .skip(k * chunk)
            .take(chunk);
        for (r, row) in rows {
            batch
                .total(row)
                .map_err(|e| e.prefixed(&format!("rows[{r}]")))?;
        }
        // Only a thread that stopped without an error of its own gets here.
        return Err(input_parse(
            "input",
            "a scoring thread stopped unexpectedly",
        ));
    }
    Ok(())
}

/// `x` as a 2-D float64 numpy array, or an `input.parse` / `input.shape` error.
fn float64_matrix<'py>(x: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let py = x.py();
    let Ok(untyped) = x.cast::<PyUntypedArray>() else {
        return Err(to_py(
            py,
            &input_parse(
                "input",
                format!(
                    "expected a 2-D float64 numpy array, got {}",
                    x.get_type()
                        .name()
                        .map(|n| n.to_string())
                        .unwrap_or_default()
                ),
            ),
        ));
    };
    if untyped.ndim() != 2 {
        return Err(to_py(
            py,
            &input_parse(
                "input",
                format!("expected a 2-D array, got {} dimension(s)", untyped.ndim()),
            ),
        ));
    }
    let dtype = untyped.dtype();
    if !dtype.is_equiv_to(&numpy::dtype::<f64>(py)) {
        return Err(to_py(
            py,
            &input_parse(
                "input",
                format!(
                    "expected dtype float64, got {} (convert with x.astype(float))",
                    dtype.str().map(|s| s.to_string()).unwrap_or_default()
                ),
            ),
        ));
    }
    x.cast::<PyArray2<f64>>()
        .cloned()
        .map_err(|e| to_py(py, &input_parse("input", e.to_string())))
}

/// One column of a DataFrame: numbers (NaN = missing), booleans, or Python objects.
enum Column {
    Numbers(Vec<f64>),
    Bools(Vec<bool>),
    Objects(Vec<InputValue>),
}

impl Column {
    fn len(&self) -> usize {
        match self {
            Self::Numbers(v) => v.len(),
            Self::Bools(v) => v.len(),
            Self::Objects(v) => v.len(),
        }
    }
    /// Row `r`'s cell as an input (borrowed from an object column: no copy per cell).
    fn value(&self, r: usize) -> Cow<'_, InputValue> {
        const MISSING: InputValue = InputValue::Missing;
        match self {
            Self::Numbers(v) => Cow::Owned(match v.get(r) {
                Some(x) if !x.is_nan() => InputValue::Number(*x),
                _ => MISSING,
            }),
            Self::Bools(v) => Cow::Owned(v.get(r).map_or(MISSING, |&b| InputValue::Bool(b))),
            Self::Objects(v) => v.get(r).map_or(Cow::Owned(MISSING), Cow::Borrowed),
        }
    }
}

/// What `score_columns` returns: totals, interval ends, knock-outs, band index (−1 for
/// none) and a rows × criteria matrix of points.
pub struct TableScores {
    pub total: Vec<f64>,
    pub low: Vec<f64>,
    pub high: Vec<f64>,
    pub knocked_out: Vec<bool>,
    pub band: Vec<i64>,
    pub points: Array2<f64>,
}

/// Read the columns of a DataFrame (each a float64 or bool numpy array, or a list of Python
/// values) and score every row as `score` would.
pub fn score_columns(
    py: Python<'_>,
    rubric: &Rubric,
    names: &[String],
    columns: &Bound<'_, PyList>,
    rows: usize,
    perspective: Option<&str>,
) -> PyResult<TableScores> {
    let batch = rubric
        .batch(names, perspective)
        .map_err(|e| to_py(py, &e))?;
    if columns.len() != names.len() {
        return Err(to_py(
            py,
            &civic_value::ErrorKind::Shape {
                expected: names.len(),
                got: columns.len(),
            }
            .at("input"),
        ));
    }
    // Read every column while holding the GIL.
    let mut read = Vec::with_capacity(names.len());
    for (name, column) in names.iter().zip(columns.iter()) {
        let col = read_column(&column, name)?;
        if col.len() != rows {
            return Err(to_py(
                py,
                &civic_value::ErrorKind::Shape {
                    expected: rows,
                    got: col.len(),
                }
                .at(format!("input.{name}")),
            ));
        }
        read.push(col);
    }
    let criteria: Vec<Option<&Criterion>> = names.iter().map(|n| rubric.criterion(n)).collect();
    py.detach(|| score_rows(rubric, &batch, &criteria, &read, rows, perspective))
        .map_err(|e| to_py(py, &e))
}

fn read_column(column: &Bound<'_, PyAny>, name: &str) -> PyResult<Column> {
    let py = column.py();
    if let Ok(list) = column.cast::<PyList>() {
        let mut out = Vec::with_capacity(list.len());
        for (r, item) in list.iter().enumerate() {
            out.push(input_value(
                &item,
                &format!("rows[{r}].input.{name}"),
                true,
            )?);
        }
        return Ok(Column::Objects(out));
    }
    if let Ok(a) = column.cast::<numpy::PyArray1<f64>>() {
        return Ok(Column::Numbers(a.to_vec().unwrap_or_else(|_| {
            a.readonly().as_array().iter().copied().collect()
        })));
    }
    if let Ok(a) = column.cast::<numpy::PyArray1<bool>>() {
        return Ok(Column::Bools(
            a.readonly().as_array().iter().copied().collect(),
        ));
    }
    Err(to_py(
        py,
        &input_parse(
            format!("input.{name}"),
            "a column must be a 1-D float64 or bool array or a list",
        ),
    ))
}

fn score_rows(
    rubric: &Rubric,
    batch: &BatchScorer<'_>,
    criteria: &[Option<&Criterion>],
    columns: &[Column],
    rows: usize,
    perspective: Option<&str>,
) -> civic_value::Result<TableScores> {
    let k = columns.len();
    let m = batch.criteria();
    let mut out = TableScores {
        total: vec![0.0; rows],
        low: vec![0.0; rows],
        high: vec![0.0; rows],
        knocked_out: vec![false; rows],
        band: vec![-1; rows],
        points: Array2::zeros((rows, m)),
    };
    let band_index = |total: f64| {
        rubric
            .band_for(total)
            .and_then(|b| rubric.bands().iter().position(|x| std::ptr::eq(x, b)))
            .and_then(|i| i64::try_from(i).ok())
            .unwrap_or(-1)
    };
    let mut low = vec![f64::NAN; k];
    let mut high = vec![f64::NAN; k];
    let mut points = vec![0.0; m];
    for r in 0..rows {
        let mut encodable = true;
        for (j, (col, c)) in columns.iter().zip(criteria).enumerate() {
            let Some(c) = c else { continue }; // a column the rubric ignores (policy "warn")
            let v = col.value(r);
            match c.encode(&v) {
                Some((lo, hi)) => {
                    if let (Some(l), Some(h)) = (low.get_mut(j), high.get_mut(j)) {
                        *l = lo;
                        *h = hi;
                    }
                }
                None => {
                    encodable = false;
                    break;
                }
            }
        }
        let prefixed = |e: civic_value::Error| e.prefixed(&format!("rows[{r}]"));
        let (total, lo, hi, ko) = if encodable {
            let s = batch
                .score_row(&low, &high, &mut points)
                .map_err(prefixed)?;
            (s.total, s.low, s.high, s.knocked_out)
        } else {
            let inputs: Inputs = columns
                .iter()
                .zip(criteria)
                .filter_map(|(col, c)| c.map(|c| (c.id(), col.value(r).into_owned())))
                .collect();
            let score = rubric.score(&inputs, perspective).map_err(prefixed)?;
            for (slot, row) in points.iter_mut().zip(&score.criteria) {
                *slot = row.points;
            }
            (
                score.total,
                score.interval.low,
                score.interval.high,
                score.knocked_out,
            )
        };
        if let (Some(t), Some(l), Some(h), Some(o), Some(b)) = (
            out.total.get_mut(r),
            out.low.get_mut(r),
            out.high.get_mut(r),
            out.knocked_out.get_mut(r),
            out.band.get_mut(r),
        ) {
            *t = total;
            *l = lo;
            *h = hi;
            *o = ko;
            *b = band_index(total);
        }
        for (slot, p) in out.points.row_mut(r).iter_mut().zip(&points) {
            *slot = *p;
        }
    }
    Ok(out)
}

/// Hand the results to Python: `(total, low, high, knocked_out, band, points)`.
pub fn into_py(py: Python<'_>, s: TableScores) -> PyResult<Bound<'_, pyo3::types::PyTuple>> {
    let points = s.points.into_pyarray(py);
    pyo3::types::PyTuple::new(
        py,
        [
            s.total.into_pyarray(py).into_any(),
            s.low.into_pyarray(py).into_any(),
            s.high.into_pyarray(py).into_any(),
            s.knocked_out.into_pyarray(py).into_any(),
            s.band.into_pyarray(py).into_any(),
            points.into_any(),
        ],
    )
}

/// The rows of a DataFrame's columns (read as `score_columns` reads them) as one set of
/// inputs per row, for the analyses that take a whole table (stability, Monte Carlo).
pub fn frame_inputs(
    py: Python<'_>,
    names: &[String],
    columns: &Bound<'_, PyList>,
    rows: usize,
) -> PyResult<Vec<Inputs>> {
    if columns.len() != names.len() {
        return Err(to_py(
            py,
            &civic_value::ErrorKind::Shape {
                expected: names.len(),
                got: columns.len(),
            }
            .at("input"),
        ));
    }
    let mut read = Vec::with_capacity(names.len());
    for (name, column) in names.iter().zip(columns.iter()) {
        let col = read_column(&column, name)?;
        if col.len() != rows {
            return Err(to_py(
                py,
                &civic_value::ErrorKind::Shape {
                    expected: rows,
                    got: col.len(),
                }
                .at(format!("input.{name}")),
            ));
        }
        read.push(col);
    }
    Ok((0..rows)
        .map(|r| {
            names
                .iter()
                .zip(&read)
                .map(|(name, col)| (name.as_str(), col.value(r).into_owned()))
                .collect()
        })
        .collect())
}
