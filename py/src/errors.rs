//! The Python exceptions and the mapping of the core's errors onto them.
//!
//! `CivicValueError(ValueError)` is the base; `RubricError` (codes `rubric.*`) and
//! `InputError` (codes `input.*`) derive from it. Each instance carries the core's stable
//! `code`, the `path` of the offending field and the `message` without the path; `str(e)`
//! is the core's `path: message`. A rubric with several mistakes also lists them all in
//! `errors`.

use civic_value::{Error, ErrorCategory, ErrorKind, Errors};
use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyList;

create_exception!(
    civic_value,
    CivicValueError,
    PyValueError,
    "Base class of every civic-value error: has .code, .path, .message and .errors."
);
create_exception!(
    civic_value,
    RubricError,
    CivicValueError,
    "A malformed or inconsistent rubric (codes rubric.*)."
);
create_exception!(
    civic_value,
    InputError,
    CivicValueError,
    "Malformed or out-of-bounds input to a valid rubric (codes input.*)."
);

/// The Python exception for one core error, with `.code`, `.path`, `.message` and
/// `.errors` (a list holding an exception per problem; here just this one's twin).
pub fn to_py(py: Python<'_>, error: &Error) -> PyErr {
    build(py, error, std::slice::from_ref(error))
}

/// The Python exception for a list of core errors: the first one, with all of them in
/// `.errors`.
pub fn many_to_py(py: Python<'_>, errors: &Errors) -> PyErr {
    match errors.0.first() {
        Some(first) => build(py, first, &errors.0),
        None => to_py(py, &ErrorKind::Empty.at("")),
    }
}

fn build(py: Python<'_>, error: &Error, all: &[Error]) -> PyErr {
    let err = bare(py, error);
    let list = PyList::empty(py);
    for e in all {
        // A failed append only loses an entry of the list; the error itself stands.
        let _ = list.append(bare(py, e).into_value(py));
    }
    let _ = err.value(py).setattr("errors", list);
    err
}

fn bare(py: Python<'_>, error: &Error) -> PyErr {
    let text = error.to_string();
    let err = match error.category() {
        ErrorCategory::Rubric => RubricError::new_err(text),
        ErrorCategory::Input => InputError::new_err(text),
    };
    let value = err.value(py);
    // Setting attributes on a fresh exception instance cannot fail in practice; if it
    // did, the exception would still carry its message.
    let _ = value.setattr("code", error.code());
    let _ = value.setattr("path", error.path());
    let _ = value.setattr("message", error.message());
    err
}

/// An `input.parse` error at `path` (a value whose Python type has no meaning here).
pub fn input_parse(path: impl Into<String>, message: impl Into<String>) -> Error {
    ErrorKind::InputParse {
        message: message.into(),
    }
    .at(path)
}

/// A `rubric.parse` error at `path` (a rubric given as a dict with a value JSON cannot
/// hold).
pub fn rubric_parse(path: impl Into<String>, message: impl Into<String>) -> Error {
    ErrorKind::RubricParse {
        format: "rubric",
        message: message.into(),
    }
    .at(path)
}
