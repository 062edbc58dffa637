//! Conversions between Python objects and the core's types: JSON-like values both ways,
//! and a criterion's input from the Python value an analyst would write.

use civic_value::{Error, InputValue, Inputs};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyMapping, PyString, PyTuple};
use serde_json::{Map, Number, Value};

use crate::errors::{input_parse, rubric_parse, to_py};

/// Deepest nesting accepted from Python (a dict that contains itself is rejected, not a
/// stack overflow).
const MAX_DEPTH: usize = 64;

/// A JSON value as the matching Python object (dict, list, str, int, float, bool, None).
pub fn value_to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(value_to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(k, value_to_py(py, v)?)?;
            }
            dict.into_any()
        }
    })
}

/// Any serde value (a score, a rubric document) as plain Python objects.
pub fn to_py_object<'py, T: serde::Serialize>(
    py: Python<'py>,
    value: &T,
) -> PyResult<Bound<'py, PyAny>> {
    let value = serde_json::to_value(value)
        .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))?;
    value_to_py(py, &value)
}

/// An input as the Python value `input_value` reads back: None, a float, a
/// `(low, high)` tuple, a bool, a str or `{"value", "evidence"}`.
pub fn input_to_py<'py>(py: Python<'py>, value: &InputValue) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        InputValue::Missing => py.None().into_bound(py),
        InputValue::Number(x) => x.into_pyobject(py)?.into_any(),
        InputValue::Range { low, high } => PyTuple::new(py, [*low, *high])?.into_any(),
        InputValue::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        InputValue::Text(s) => PyString::new(py, s).into_any(),
        InputValue::Graded { .. } => to_py_object(py, value)?,
    })
}

/// Which family a conversion error belongs to.
#[derive(Clone, Copy)]
pub enum Family {
    Rubric,
    Input,
}

impl Family {
    fn parse(self, path: &str, message: String) -> Error {
        match self {
            Self::Rubric => rubric_parse(path, message),
            Self::Input => input_parse(path, message),
        }
    }
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".to_owned())
}

fn join_key(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// A Python object made of dicts, lists, tuples, strings, numbers, bools and None as a
/// JSON value. Errors name the path of the offending entry (`criteria[0].weight`).
pub fn py_to_value(
    obj: &Bound<'_, PyAny>,
    path: &str,
    family: Family,
    depth: usize,
) -> PyResult<Value> {
    let py = obj.py();
    let fail = |path: &str, message: String| to_py(py, &family.parse(path, message));
    if depth > MAX_DEPTH {
        return Err(fail(
            path,
            format!("nested more than {MAX_DEPTH} levels deep"),
        ));
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if obj.is_instance_of::<PyBool>() {
        return Ok(Value::Bool(obj.extract::<bool>()?));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(s.to_cow()?.into_owned()));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::Number(i.into()));
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Value::Number(u.into()));
        }
        // Beyond 64 bits, as a JSON parser would read the literal: a float.
        return match obj.extract::<f64>().ok().and_then(Number::from_f64) {
            Some(n) => Ok(Value::Number(n)),
            None => Err(fail(path, "integer too large".to_owned())),
        };
    }
    if obj.is_instance_of::<PyFloat>() {
        let x: f64 = obj.extract()?;
        return match Number::from_f64(x) {
            Some(n) => Ok(Value::Number(n)),
            None => Err(to_py(
                py,
                &match family {
                    Family::Rubric => civic_value::ErrorKind::NotFinite { value: x },
                    Family::Input => civic_value::ErrorKind::InputNotFinite { got: x },
                }
                .at(path),
            )),
        };
    }
    if let Ok(map) = obj.cast::<PyMapping>() {
        let mut out = Map::new();
        for item in map.items()?.iter() {
            let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
            let Ok(key) = k.cast::<PyString>() else {
                return Err(fail(
                    path,
                    format!("keys must be strings, got {}", type_name(&k)),
                ));
            };
            let key = key.to_cow()?.into_owned();
            let value = py_to_value(&v, &join_key(path, &key), family, depth + 1)?;
            out.insert(key, value);
        }
        return Ok(Value::Object(out));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let mut out = Vec::new();
        for (i, item) in obj.try_iter()?.enumerate() {
            out.push(py_to_value(
                &item?,
                &format!("{path}[{i}]"),
                family,
                depth + 1,
            )?);
        }
        return Ok(Value::Array(out));
    }
    // numpy scalars and other numbers: integers through __index__, the rest through __float__.
    if let Ok(i) = obj.extract::<i64>() {
        return Ok(Value::Number(i.into()));
    }
    if let Ok(x) = obj.extract::<f64>() {
        return py_to_value(&PyFloat::new(py, x).into_any(), path, family, depth);
    }
    Err(fail(
        path,
        format!("unsupported value of type {}", type_name(obj)),
    ))
}

/// Whether `obj` is pandas' missing-value marker (`pd.NA`, `pd.NaT`).
fn is_pandas_missing(obj: &Bound<'_, PyAny>) -> bool {
    let ty = obj.get_type();
    let module_is_pandas = ty
        .module()
        .is_ok_and(|m| m.to_cow().is_ok_and(|m| m.starts_with("pandas")));
    module_is_pandas && ty.name().is_ok_and(|n| n == "NAType" || n == "NaTType")
}

/// A number in a range: a real number, not a bool or a string.
fn range_end(obj: &Bound<'_, PyAny>) -> Option<f64> {
    if obj.is_instance_of::<PyBool>() || obj.is_instance_of::<PyString>() {
        return None;
    }
    obj.extract::<f64>().ok()
}

/// The input of one criterion from a Python value: `None` (missing), a bool, a number, an
/// option id, a `(low, high)` tuple or list, or a dict `{"low", "high"}` /
/// `{"value", "evidence"}`. With `nan_is_missing` (DataFrame cells) a float NaN and
/// `pd.NA` count as missing; otherwise NaN is passed on and the core rejects it.
pub fn input_value(
    obj: &Bound<'_, PyAny>,
    path: &str,
    nan_is_missing: bool,
) -> PyResult<InputValue> {
    let py = obj.py();
    if obj.is_none() || is_pandas_missing(obj) {
        return Ok(InputValue::Missing);
    }
    if let Ok(b) = obj.extract::<bool>() {
        return Ok(InputValue::Bool(b));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(InputValue::Text(s.to_cow()?.into_owned()));
    }
    if obj.is_instance_of::<PyTuple>() || obj.is_instance_of::<PyList>() {
        let items: Vec<Bound<'_, PyAny>> = obj.try_iter()?.collect::<PyResult<_>>()?;
        if let [low, high] = items.as_slice()
            && let (Some(low), Some(high)) = (range_end(low), range_end(high))
        {
            return Ok(InputValue::Range { low, high });
        }
        return Err(to_py(
            py,
            &input_parse(path, "a range must be (low, high): two numbers"),
        ));
    }
    if obj.is_instance_of::<PyMapping>() {
        let value = py_to_value(obj, path, Family::Input, 1)?;
        return serde_json::from_value::<InputValue>(value)
            .map_err(|e| to_py(py, &input_parse(path, e.to_string())));
    }
    if let Ok(x) = obj.extract::<f64>() {
        if nan_is_missing && x.is_nan() {
            return Ok(InputValue::Missing);
        }
        return Ok(InputValue::Number(x));
    }
    Err(to_py(
        py,
        &input_parse(
            path,
            format!(
                "expected a number, (low, high), True/False, an option id or None, got a value of type {}",
                type_name(obj)
            ),
        ),
    ))
}

/// The inputs of one initiative from a mapping of criterion id to value.
pub fn inputs(obj: &Bound<'_, PyAny>, prefix: &str) -> PyResult<Inputs> {
    let py = obj.py();
    let at = |p: &str| {
        if prefix.is_empty() {
            p.to_owned()
        } else {
            format!("{prefix}.{p}")
        }
    };
    let Ok(map) = obj.cast::<PyMapping>() else {
        return Err(to_py(
            py,
            &input_parse(
                at("input"),
                format!(
                    "expected a mapping of criterion id to value, got {}",
                    type_name(obj)
                ),
            ),
        ));
    };
    let mut out = Inputs::new();
    for item in map.items()?.iter() {
        let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = item.extract()?;
        let Ok(key) = k.cast::<PyString>() else {
            return Err(to_py(
                py,
                &input_parse(
                    at("input"),
                    format!("criterion ids must be strings, got {}", type_name(&k)),
                ),
            ));
        };
        let key = key.to_cow()?.into_owned();
        let value = input_value(&v, &at(&format!("input.{key}")), false)?;
        out.insert(key, value);
    }
    Ok(out)
}

/// A new numpy array of `shape`, every element zero, made by `numpy.zeros`: numpy's
/// `MemoryError` (or `ValueError` for a shape too large) when it cannot be made, where
/// rust-numpy's `PyArray::zeros` would panic across the boundary.
pub fn zeros<'py, T: numpy::Element, D: numpy::ndarray::Dimension>(
    py: Python<'py>,
    shape: &[usize],
) -> PyResult<Bound<'py, numpy::PyArray<T, D>>> {
    new_array(py, "zeros", shape)
}

/// [`zeros`] without the zeros (`numpy.empty`): for an array the caller writes every element
/// of before handing it out (a large array reused from the allocator's heap is then not
/// cleared first: `numpy.zeros` clears it with one thread, before the scoring threads start).
/// The same errors as [`zeros`].
pub fn empty<'py, T: numpy::Element, D: numpy::ndarray::Dimension>(
    py: Python<'py>,
    shape: &[usize],
) -> PyResult<Bound<'py, numpy::PyArray<T, D>>> {
    new_array(py, "empty", shape)
}

/// `numpy.<function>(shape, dtype)`, cast to the array type.
fn new_array<'py, T: numpy::Element, D: numpy::ndarray::Dimension>(
    py: Python<'py>,
    function: &str,
    shape: &[usize],
) -> PyResult<Bound<'py, numpy::PyArray<T, D>>> {
    let shape = PyTuple::new(py, shape)?;
    let array = py
        .import("numpy")?
        .call_method1(function, (shape, T::get_dtype(py)))?;
    Ok(array.cast_into::<numpy::PyArray<T, D>>()?)
}
