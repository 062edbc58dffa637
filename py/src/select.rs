//! Portfolio selection under a budget: converts the scored columns, costs and groups of a
//! table to the core's candidates, runs the core's exact choice with the GIL released, and
//! returns plain Python objects. The rules (whole euros, reasons, group limits) are the
//! core's (`civic_value::analysis::portfolio`).

use civic_value::ErrorKind;
use civic_value::analysis::portfolio::{Candidate, SelectOptions, cost_from_input, select};
use numpy::{IntoPyArray, PyArrayMethods, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::convert::input_value;
use crate::errors::{input_parse, to_py};

/// A count limit from Python: a non-negative whole number.
fn limit(py: Python<'_>, value: Option<i64>, path: &str) -> PyResult<Option<u32>> {
    match value {
        None => Ok(None),
        Some(v) if v < 0 => Err(to_py(
            py,
            &ErrorKind::Negative {
                #[allow(clippy::cast_precision_loss)]
                got: v as f64,
            }
            .at(path),
        )),
        Some(v) => Ok(Some(u32::try_from(v).unwrap_or(u32::MAX))),
    }
}

/// Costs from a float64 array or a list of Python values (`rows[i].cost` in errors).
fn read_costs(py: Python<'_>, obj: &Bound<'_, PyAny>, rows: usize) -> PyResult<Vec<f64>> {
    let out: Vec<f64> = if let Ok(a) = obj.cast::<numpy::PyArray1<f64>>() {
        let a: PyReadonlyArray1<'_, f64> = a.readonly();
        a.as_array()
            .iter()
            .enumerate()
            .map(|(r, &x)| {
                if x.is_nan() {
                    Err(to_py(
                        py,
                        &ErrorKind::Required.at(format!("rows[{r}].cost")),
                    ))
                } else {
                    Ok(x)
                }
            })
            .collect::<PyResult<_>>()?
    } else if let Ok(list) = obj.cast::<PyList>() {
        let mut v = Vec::with_capacity(list.len());
        for (r, item) in list.iter().enumerate() {
            let path = format!("rows[{r}].cost");
            let value = input_value(&item, &path, true)?;
            v.push(cost_from_input(&value).map_err(|k| to_py(py, &k.at(path)))?);
        }
        v
    } else {
        return Err(to_py(
            py,
            &input_parse("cost", "costs must be a float64 array or a list"),
        ));
    };
    if out.len() != rows {
        return Err(to_py(
            py,
            &ErrorKind::Shape {
                expected: rows,
                got: out.len(),
            }
            .at("cost"),
        ));
    }
    Ok(out)
}

/// Choose the initiatives with the largest sum of `totals` within `budget` (see
/// `civic_value.Rubric.select`). Returns a dict with `chosen`, `reasons`, `costs`,
/// `value_per_euro`, `value`, `cost`, `budget`, `left` and `nodes`.
#[pyfunction]
#[pyo3(signature = (totals, knocked_out, costs, groups, budget, min_per_group = None, max_per_group = None))]
#[allow(clippy::too_many_arguments)]
pub fn select_portfolio<'py>(
    py: Python<'py>,
    totals: PyReadonlyArray1<'py, f64>,
    knocked_out: PyReadonlyArray1<'py, bool>,
    costs: &Bound<'py, PyAny>,
    groups: Option<Vec<Option<String>>>,
    budget: f64,
    min_per_group: Option<i64>,
    max_per_group: Option<i64>,
) -> PyResult<Bound<'py, PyDict>> {
    let totals = totals.as_array();
    let knocked_out = knocked_out.as_array();
    let rows = totals.len();
    if knocked_out.len() != rows {
        return Err(to_py(
            py,
            &ErrorKind::Shape {
                expected: rows,
                got: knocked_out.len(),
            }
            .at("knocked_out"),
        ));
    }
    let costs = read_costs(py, costs, rows)?;
    if let Some(g) = &groups
        && g.len() != rows
    {
        return Err(to_py(
            py,
            &ErrorKind::Shape {
                expected: rows,
                got: g.len(),
            }
            .at("groups"),
        ));
    }
    let options = SelectOptions {
        min_per_group: limit(py, min_per_group, "min_per_group")?,
        max_per_group: limit(py, max_per_group, "max_per_group")?,
        max_nodes: None,
    };
    let candidates: Vec<Candidate> = (0..rows)
        .map(|r| Candidate {
            total: totals.get(r).copied().unwrap_or(f64::NAN),
            cost: costs.get(r).copied().unwrap_or(f64::NAN),
            knocked_out: knocked_out.get(r).copied().unwrap_or(false),
            group: groups.as_ref().and_then(|g| g.get(r).cloned().flatten()),
        })
        .collect();
    let s = py
        .detach(|| select(&candidates, budget, &options))
        .map_err(|e| to_py(py, &e))?;
    let out = PyDict::new(py);
    out.set_item("chosen", s.chosen.into_pyarray(py))?;
    out.set_item(
        "reasons",
        s.reasons.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
    )?;
    out.set_item("costs", s.costs)?;
    out.set_item("value_per_euro", s.value_per_euro.into_pyarray(py))?;
    out.set_item("value", s.value)?;
    out.set_item("cost", s.cost)?;
    out.set_item("budget", s.budget)?;
    out.set_item("left", s.left)?;
    out.set_item("nodes", s.nodes)?;
    Ok(out)
}
