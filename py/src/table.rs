//! Scoring a numpy matrix in the core's numeric encoding (`score_matrix`): the rows go to
//! the core's [`BatchScorer`] with the GIL released, split over the cores when large. The
//! columns of a DataFrame are scored in `frame.rs`.

use civic_value::{BatchScorer, Rubric};
use numpy::{
    IntoPyArray, PyArray1, PyArray2, PyArrayDescrMethods, PyArrayMethods, PyUntypedArray,
    PyUntypedArrayMethods,
};
use pyo3::prelude::*;

use crate::errors::{input_parse, to_py};
use crate::threads;

/// Totals of a 2-D matrix of any real numeric dtype (converted to float64 once) whose
/// columns are named by `columns` (numeric encoding: numbers, Likert levels, booleans as
/// 0/1, categories as option index; NaN = missing).
///
/// # Errors
/// `input.parse` for no columns, not a 2-D array, or a dtype that is not a real number;
/// `input.shape` when the columns and the names disagree; otherwise as `score` for the
/// first bad row.
pub fn score_matrix<'py>(
    py: Python<'py>,
    rubric: &Rubric,
    x: &Bound<'py, PyAny>,
    columns: &[String],
    perspective: Option<&str>,
    threads: Option<usize>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    if columns.is_empty() {
        return Err(to_py(
            py,
            &input_parse(
                "input",
                "no columns: name at least one criterion column (an initiative with no inputs has nothing to score)",
            ),
        ));
    }
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
    let threads = threads::count(rows, threads);
    py.detach(|| totals(&batch, data, &mut out, threads))
        .map_err(|e| to_py(py, &e))?;
    Ok(out.into_pyarray(py))
}

/// The core's `totals`, with the rows split over `threads` threads ([`threads::run`]).
/// An error names the first failing row, as one pass would.
fn totals(
    batch: &BatchScorer<'_>,
    data: &[f64],
    out: &mut [f64],
    threads: usize,
) -> civic_value::Result<()> {
    let cols = batch.columns();
    if threads < 2 || cols == 0 {
        return batch.totals(data, out);
    }
    let chunk = threads::chunk(out.len(), threads);
    let failed = threads::run(
        data.chunks(chunk * cols).zip(out.chunks_mut(chunk)),
        |_, (d, o)| batch.totals(d, o).is_err(),
        || true,
    );
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
    let x = if dtype.is_equiv_to(&numpy::dtype::<f64>(py)) {
        x.clone()
    } else if matches!(dtype.kind(), b'f' | b'i' | b'u' | b'b') {
        // Any other real number type: converted once, here.
        x.call_method1("astype", ("float64",))?
    } else {
        return Err(to_py(
            py,
            &input_parse(
                "input",
                format!(
                    "expected an array of real numbers (float, int, uint or bool), got dtype {}",
                    dtype.str().map(|s| s.to_string()).unwrap_or_default()
                ),
            ),
        ));
    };
    x.cast::<PyArray2<f64>>()
        .cloned()
        .map_err(|e| to_py(py, &input_parse("input", e.to_string())))
}
