//! Monetised value (SROI): converts Python arguments to the core's and the result to plain
//! Python objects; the reading rules (defaults, paths of errors) are the core's
//! (`civic_value::analysis::sroi_input`).

use civic_value::Rubric;
use civic_value::analysis::sroi::{self as core_sroi, Outcome};
use civic_value::analysis::sroi_input::{
    discount_from_value, ends_from_value, outcomes_from_value,
};
use pyo3::prelude::*;
use serde_json::Value;

use crate::convert::{Family, py_to_value, to_py_object};
use crate::errors::to_py;

fn value(obj: Option<&Bound<'_, PyAny>>, path: &str) -> PyResult<Value> {
    match obj {
        None => Ok(Value::Null),
        Some(o) if o.is_none() => Ok(Value::Null),
        Some(o) => py_to_value(o, path, Family::Input, 0),
    }
}

fn read(
    py: Python<'_>,
    outcomes: &Bound<'_, PyAny>,
    discount: Option<&Bound<'_, PyAny>>,
) -> PyResult<(Vec<Outcome>, civic_value::analysis::discount::Discount)> {
    let outcomes =
        outcomes_from_value(&value(Some(outcomes), "outcomes")?).map_err(|e| to_py(py, &e))?;
    let discount = discount_from_value(&value(discount, "discount")?).map_err(|e| to_py(py, &e))?;
    Ok((outcomes, discount))
}

/// The SROI chain of `outcomes` (a list of dicts) against `investment`, as a dict.
#[pyfunction]
#[pyo3(signature = (outcomes, investment, discount = None))]
pub fn sroi<'py>(
    py: Python<'py>,
    outcomes: &Bound<'py, PyAny>,
    investment: f64,
    discount: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let (outcomes, discount) = read(py, outcomes, discount)?;
    let result = core_sroi::sroi(&outcomes, investment, &discount).map_err(|e| to_py(py, &e))?;
    to_py_object(py, &result)
}

/// The ratio with each parameter at its low and high end, as a list of dicts.
#[pyfunction]
#[pyo3(signature = (outcomes, investment, discount = None, ends = None))]
pub fn sroi_sensitivity<'py>(
    py: Python<'py>,
    outcomes: &Bound<'py, PyAny>,
    investment: f64,
    discount: Option<&Bound<'py, PyAny>>,
    ends: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let (outcomes, discount) = read(py, outcomes, discount)?;
    let ends = ends_from_value(&value(ends, "ends")?).map_err(|e| to_py(py, &e))?;
    let rows = core_sroi::sensitivity(&outcomes, investment, &discount, &ends)
        .map_err(|e| to_py(py, &e))?;
    to_py_object(py, &rows)
}

/// An initiative monetised with the rubric's proxy table, as a dict.
pub fn monetise<'py>(
    py: Python<'py>,
    rubric: &Rubric,
    inputs: &Bound<'py, PyAny>,
    investment: Option<f64>,
    discount: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let inputs = crate::convert::inputs(inputs, "")?;
    let discount = match discount {
        Some(d) if !d.is_none() => {
            Some(discount_from_value(&value(Some(d), "discount")?).map_err(|e| to_py(py, &e))?)
        }
        _ => None,
    };
    let m = rubric
        .monetise(&inputs, investment, discount.as_ref())
        .map_err(|e| to_py(py, &e))?;
    to_py_object(py, &m)
}
