//! Weigh and decide: AHP and other weights, decision-matrix methods, levers, the path to a
//! band, perspectives compared and re-weighting. Converts Python arguments (lists of rows
//! of floats, names) to the core's, results to plain Python objects, and errors to
//! `InputError`; every rule is the core's (`civic_value::analysis`).

use std::collections::BTreeMap;

use civic_value::analysis::ahp::{self as core_ahp, AhpMethod, RandomIndex};
use civic_value::analysis::mcda::{self, Normalization};
use civic_value::analysis::{critic as core_critic, entropy as core_entropy, weights};
use civic_value::{Error, Inputs, Rubric, Score};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use crate::convert::{Family, input_to_py, inputs, py_to_value, to_py_object};
use crate::errors::to_py;

fn ok<T>(py: Python<'_>, r: Result<T, Error>) -> PyResult<T> {
    r.map_err(|e| to_py(py, &e))
}

fn method(py: Python<'_>, name: &str) -> PyResult<AhpMethod> {
    ok(py, AhpMethod::parse(name))
}

fn ri(py: Python<'_>, name: &str) -> PyResult<RandomIndex> {
    ok(py, RandomIndex::parse(name))
}

/// Weights and consistency of a pairwise comparison matrix, as a dict.
#[pyfunction]
#[pyo3(signature = (matrix, method = "eigenvector", ri = "saaty"))]
pub fn ahp<'py>(
    py: Python<'py>,
    matrix: Vec<Vec<f64>>,
    method: &str,
    ri: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let (m, r) = (self::method(py, method)?, self::ri(py, ri)?);
    to_py_object(py, &ok(py, core_ahp::ahp(&matrix, m, r))?)
}

/// Global priorities of alternatives (AHP synthesis), as a dict with `priorities`,
/// `criteria` and `alternatives`.
#[pyfunction]
#[pyo3(signature = (criteria, alternatives, method = "eigenvector", ri = "saaty"))]
pub fn ahp_synthesis<'py>(
    py: Python<'py>,
    criteria: Vec<Vec<f64>>,
    alternatives: Vec<Vec<Vec<f64>>>,
    method: &str,
    ri: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let (m, r) = (self::method(py, method)?, self::ri(py, ri)?);
    to_py_object(
        py,
        &ok(py, core_ahp::ahp_synthesis(&criteria, &alternatives, m, r))?,
    )
}

/// Rank-order centroid weights of `n` ranked criteria.
#[pyfunction]
pub fn roc(py: Python<'_>, n: usize) -> PyResult<Vec<f64>> {
    ok(py, weights::roc(n))
}

/// Rank-sum weights of `n` ranked criteria.
#[pyfunction]
pub fn rank_sum(py: Python<'_>, n: usize) -> PyResult<Vec<f64>> {
    ok(py, weights::rank_sum(n))
}

/// Swing weights from points on 0–100 (the best swing 100).
#[pyfunction]
pub fn swing(py: Python<'_>, points: Vec<f64>) -> PyResult<Vec<f64>> {
    ok(py, weights::swing(&points))
}

/// Entropy weights of a decision matrix's columns.
#[pyfunction]
pub fn entropy(py: Python<'_>, matrix: Vec<Vec<f64>>, types: Vec<f64>) -> PyResult<Vec<f64>> {
    ok(py, core_entropy::entropy(&matrix, &types))
}

/// CRITIC weights of a decision matrix's columns.
#[pyfunction]
pub fn critic(py: Python<'_>, matrix: Vec<Vec<f64>>, types: Vec<f64>) -> PyResult<Vec<f64>> {
    ok(py, core_critic::critic(&matrix, &types))
}

fn normalization(py: Python<'_>, name: &str) -> PyResult<Normalization> {
    ok(py, Normalization::parse(name))
}

/// A decision matrix normalised column by column.
#[pyfunction]
pub fn normalize(
    py: Python<'_>,
    matrix: Vec<Vec<f64>>,
    types: Vec<f64>,
    method: &str,
) -> PyResult<Vec<Vec<f64>>> {
    let n = normalization(py, method)?;
    ok(py, mcda::normalize(&matrix, &types, n))
}

/// Weighted-sum preference of each row.
#[pyfunction]
pub fn wsum(
    py: Python<'_>,
    matrix: Vec<Vec<f64>>,
    weights: Vec<f64>,
    types: Vec<f64>,
    normalization: &str,
) -> PyResult<Vec<f64>> {
    let n = self::normalization(py, normalization)?;
    ok(py, mcda::wsum(&matrix, &weights, &types, n))
}

/// TOPSIS closeness of each row.
#[pyfunction]
pub fn topsis(
    py: Python<'_>,
    matrix: Vec<Vec<f64>>,
    weights: Vec<f64>,
    types: Vec<f64>,
    normalization: &str,
) -> PyResult<Vec<f64>> {
    let n = self::normalization(py, normalization)?;
    ok(py, mcda::topsis(&matrix, &weights, &types, n))
}

/// The inputs a score (the dict of `Score.to_dict()`) was computed from.
#[pyfunction]
pub fn score_inputs<'py>(
    py: Python<'py>,
    score: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let value = py_to_value(score, "score", Family::Input, 0)?;
    let score: Score = serde_json::from_value(value).map_err(|e| {
        to_py(
            py,
            &civic_value::ErrorKind::InputParse {
                message: e.to_string(),
            }
            .at("score"),
        )
    })?;
    inputs_to_py(py, &score.inputs())
}

fn inputs_to_py<'py>(py: Python<'py>, inputs: &Inputs) -> PyResult<Bound<'py, PyAny>> {
    let out = pyo3::types::PyDict::new(py);
    for (id, v) in inputs.iter() {
        out.set_item(id, input_to_py(py, v)?)?;
    }
    Ok(out.into_any())
}

/// The levers of one initiative: a list of `(criterion, gain, best, per_unit, total,
/// shown)` (`shown`: the core's rule of which levers a summary shows).
pub fn levers<'py>(
    py: Python<'py>,
    rubric: &Rubric,
    given: &Bound<'py, PyAny>,
    perspective: Option<&str>,
) -> PyResult<Bound<'py, PyList>> {
    let given = inputs(given, "")?;
    let levers = ok(py, rubric.levers(&given, perspective))?;
    let out = PyList::empty(py);
    for l in &levers {
        let per_unit = l.per_unit.unwrap_or(f64::NAN);
        let row = PyTuple::new(
            py,
            [
                l.criterion.clone().into_pyobject(py)?.into_any(),
                l.gain.into_pyobject(py)?.into_any(),
                input_to_py(py, &l.best)?,
                per_unit.into_pyobject(py)?.into_any(),
                l.total.into_pyobject(py)?.into_any(),
                pyo3::types::PyBool::new(py, l.shown).to_owned().into_any(),
            ],
        )?;
        out.append(row)?;
    }
    Ok(out)
}

/// The path to a band: a list of `(criterion, new_value)`.
pub fn path_to_band<'py>(
    py: Python<'py>,
    rubric: &Rubric,
    given: &Bound<'py, PyAny>,
    perspective: Option<&str>,
    band: &str,
) -> PyResult<Bound<'py, PyList>> {
    let given = inputs(given, "")?;
    let path = ok(py, rubric.path_to_band(&given, perspective, band))?;
    let out = PyList::empty(py);
    for step in &path {
        let pair = PyTuple::new(
            py,
            [
                step.criterion.clone().into_pyobject(py)?.into_any(),
                input_to_py(py, &step.value)?,
            ],
        )?;
        out.append(pair)?;
    }
    Ok(out)
}

/// The initiative under every weight set, as a dict (the core's `PerspectiveComparison`).
pub fn compare_perspectives<'py>(
    py: Python<'py>,
    rubric: &Rubric,
    given: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let given = inputs(given, "")?;
    to_py_object(py, &ok(py, rubric.compare_perspectives(&given))?)
}

/// The same rubric with these criterion weights.
pub fn with_weights(
    py: Python<'_>,
    rubric: &Rubric,
    weights: BTreeMap<String, f64>,
) -> PyResult<Rubric> {
    ok(py, rubric.with_weights(&weights))
}

/// A rubric's weights from a hierarchy of pairwise comparison matrices, as a dict.
pub fn ahp_weights<'py>(
    py: Python<'py>,
    rubric: &Rubric,
    themes: Vec<Vec<f64>>,
    criteria: BTreeMap<String, Vec<Vec<f64>>>,
    method: &str,
    ri: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let (m, r) = (self::method(py, method)?, self::ri(py, ri)?);
    to_py_object(py, &ok(py, rubric.ahp_weights(&themes, &criteria, m, r))?)
}
