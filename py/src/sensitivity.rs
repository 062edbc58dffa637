//! Sensitivity analyses for Python: tornado, exact weight stability and Monte Carlo. Each
//! converts its arguments, calls the core and maps the errors; Monte Carlo releases the GIL
//! while drawing and takes it back only to call the progress callback (and to check for
//! Ctrl-C), whose exception stops the run and is raised as it was.

use civic_value::Rubric;
use civic_value::analysis::monte_carlo::{MonteCarloOptions, option_error};
use numpy::{IntoPyArray, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::convert::{inputs, to_py_object};
use crate::errors::{input_parse, to_py};
use crate::frame::{frame_inputs, frame_inputs_on};

/// The tornado of one initiative, as a dict (`total`, `change`, `rows`).
pub fn tornado<'py>(
    py: Python<'py>,
    rubric: &Rubric,
    item: &Bound<'py, PyAny>,
    change: f64,
    perspective: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    let item = inputs(item, "")?;
    let t = rubric
        .tornado(&item, change, perspective)
        .map_err(|e| to_py(py, &e))?;
    to_py_object(py, &t)
}

/// Stability intervals for the rows of a table, as a dict (`criteria`, `ranking`,
/// `knocked_out`; initiatives by row position).
pub fn stability<'py>(
    py: Python<'py>,
    rubric: &Rubric,
    names: &[String],
    columns: &Bound<'py, PyList>,
    rows: usize,
    perspective: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    let items = frame_inputs(py, names, columns, rows)?;
    let s = py
        .detach(|| rubric.stability(&items, perspective))
        .map_err(|e| to_py(py, &e))?;
    to_py_object(py, &s)
}

/// The options of a Monte Carlo run, as Python gave them (whole numbers of any sign: what
/// each accepts is the core's check).
pub struct Options {
    pub draws: i128,
    pub seed: i128,
    pub concentration: f64,
    pub vary_inputs: bool,
    pub top_k: i128,
    pub threads: Option<usize>,
}

/// A Python whole number as the core's option `field`; one that does not fit (negative, or
/// too large) gets the core's message for the option (`monte_carlo::option_error`).
fn whole<T: TryFrom<i128>>(py: Python<'_>, value: i128, field: &str) -> PyResult<T> {
    T::try_from(value).map_err(|_| to_py(py, &option_error(field, value.to_string())))
}

/// A Python int argument as an `i128` (what [`Options`] holds). An int too large even for
/// that (`seed=2**200`) gets the core's message for the option, as any out-of-range value
/// does, instead of Python's `OverflowError`; a value of another type raises `TypeError`.
pub fn int_arg(py: Python<'_>, value: &Bound<'_, PyAny>, field: &str) -> PyResult<i128> {
    match value.extract::<i128>() {
        Ok(v) => Ok(v),
        Err(e) if e.is_instance_of::<pyo3::exceptions::PyOverflowError>(py) => {
            let shown = value.str().map(|s| s.to_string()).unwrap_or_default();
            Err(to_py(py, &option_error(field, shown)))
        }
        Err(e) => Err(e),
    }
}

/// Monte Carlo over the rows of a table: a dict of numpy arrays, one entry per initiative
/// (`mean`, `p5`, `p50`, `p95`, `p_top_k`, `min`, `max`, `point`, `knocked_out`) and
/// `ranks` (initiatives × places). The rank table is made by numpy (huge pages for a large
/// one) and filled from the core's counts with the GIL released: no table of rows built
/// and copied.
#[allow(clippy::too_many_arguments)]
pub fn monte_carlo<'py>(
    py: Python<'py>,
    rubric: &Rubric,
    names: &[String],
    columns: &Bound<'py, PyList>,
    rows: usize,
    options: &Options,
    perspective: Option<&str>,
    progress: Option<Py<PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    // `threads` is honoured here too: with 1, no thread is started.
    let items = frame_inputs_on(py, names, columns, rows, options.threads.unwrap_or(0))?;
    let o = MonteCarloOptions {
        draws: whole(py, options.draws, "draws")?,
        seed: whole(py, options.seed, "seed")?,
        concentration: options.concentration,
        vary_inputs: options.vary_inputs,
        top_k: whole(py, options.top_k, "top_k")?,
        threads: options.threads.unwrap_or(0),
    };
    let mut failure: Option<PyErr> = None;
    let result = py.detach(|| {
        rubric.monte_carlo_counts(&items, perspective, &o, &mut |done, total| {
            Python::attach(|py| {
                let called = py.check_signals().and_then(|()| match &progress {
                    Some(cb) => cb.call1(py, (done, total)).map(drop),
                    None => Ok(()),
                });
                match called {
                    Ok(()) => true,
                    Err(e) => {
                        failure = Some(e);
                        false
                    }
                }
            })
        })
    });
    if let Some(e) = failure {
        return Err(e);
    }
    let mc = result.map_err(|e| to_py(py, &e))?;
    let out = PyDict::new(py);
    let column = |f: fn(&civic_value::analysis::monte_carlo::InitiativeSummary) -> f64| {
        mc.summary.iter().map(f).collect::<Vec<f64>>()
    };
    out.set_item("mean", column(|s| s.mean).into_pyarray(py))?;
    out.set_item("p5", column(|s| s.p5).into_pyarray(py))?;
    out.set_item("p50", column(|s| s.p50).into_pyarray(py))?;
    out.set_item("p95", column(|s| s.p95).into_pyarray(py))?;
    out.set_item("p_top_k", column(|s| s.p_top_k).into_pyarray(py))?;
    out.set_item("min", column(|s| s.min).into_pyarray(py))?;
    out.set_item("max", column(|s| s.max).into_pyarray(py))?;
    out.set_item("point", column(|s| s.point).into_pyarray(py))?;
    let knocked_out: Vec<bool> = mc.summary.iter().map(|s| s.knocked_out).collect();
    out.set_item("knocked_out", knocked_out.into_pyarray(py))?;
    let n = mc.summary.len();
    let ranks = crate::convert::zeros::<f64, numpy::Ix2>(py, &[n, n])?;
    {
        let mut shares = ranks.readwrite();
        let Ok(shares) = shares.as_slice_mut() else {
            // A fresh numpy array is contiguous; reported rather than panicking.
            let e = input_parse("ranks", "the rank array is not contiguous");
            return Err(to_py(py, &e));
        };
        py.detach(|| mc.rank_shares_into(shares));
    }
    out.set_item("ranks", ranks)?;
    out.set_item("draws", mc.draws)?;
    out.set_item("seed", mc.seed)?;
    out.set_item("concentration", mc.concentration)?;
    out.set_item("vary_inputs", mc.vary_inputs)?;
    out.set_item("top_k", mc.top_k)?;
    Ok(out)
}
