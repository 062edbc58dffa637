//! `Rubric.read_csv`: a CSV read exactly as the command line reads it, by the core's
//! streaming reader (dialect detection, decimal commas, `low..high` ranges, yes/no/ja/nee,
//! duplicate columns refused). Thin: it opens the file or takes the bytes, calls the core
//! and converts each cell to the Python value `score_frame` reads.

use std::io::{BufReader, Read};

use civic_value::stream::{Column, CsvInitiatives, CsvRow, Dialect};
use civic_value::{ErrorKind, Initiative};
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::_native::NativeRubric;
use crate::convert::input_to_py;
use crate::errors::to_py;

/// The columns a DataFrame gets: the criteria and the unknown columns (which scoring
/// reports by the rubric's policy), in file order; not `id`, `name`, `description` or the
/// ignored ones.
fn frame_columns(columns: &[Column], header: &[String]) -> Vec<String> {
    columns
        .iter()
        .zip(header)
        .filter(|(c, _)| matches!(c, Column::Criterion(_) | Column::Unknown(_)))
        .map(|(_, h)| h.clone())
        .collect()
}

/// What the DataFrame is made of: the row ids, the column names, one list per column.
type Frame<'py> = (Vec<String>, Vec<String>, Vec<Bound<'py, PyList>>);

/// How to read: forced delimiter and decimal mark, ignored columns.
struct Options {
    delimiter: Option<u8>,
    decimal: Option<char>,
    ignore: Vec<String>,
}

fn read<'py, R: Read>(
    py: Python<'py>,
    rubric: &civic_value::Rubric,
    reader: R,
    options: &Options,
) -> PyResult<Frame<'py>> {
    let mut csv = CsvInitiatives::new(
        rubric,
        BufReader::with_capacity(1 << 16, reader),
        options.delimiter,
        options.decimal,
        &options.ignore,
    )
    .map_err(|e| to_py(py, &e))?;
    let columns = frame_columns(csv.layout().columns(), csv.layout().header());
    let lists: Vec<Bound<'py, PyList>> = columns.iter().map(|_| PyList::empty(py)).collect();
    let mut ids = Vec::new();
    // One row buffer for the whole file (the core's `read_row` refills it), not a new
    // record per row.
    let mut row = CsvRow::default();
    while let Some(read) = csv.read_row(&mut row) {
        read.map_err(|e| to_py(py, &e))?;
        let Initiative { id, inputs, .. } =
            csv.layout().initiative(&row).map_err(|e| to_py(py, &e))?;
        for (column, list) in columns.iter().zip(&lists) {
            match inputs.get(column) {
                Some(value) => list.append(input_to_py(py, value)?)?,
                None => list.append(py.None())?,
            }
        }
        ids.push(id);
    }
    Ok((ids, columns, lists))
}

/// `value` read by the core's `parse` (the CLI's names), or the core's
/// `input.invalid_parameter` at `name` (an `InputError`, like every other bad input).
fn dialect_option<T>(
    py: Python<'_>,
    name: &str,
    value: Option<&str>,
    parse: fn(&str) -> Result<T, ErrorKind>,
) -> PyResult<Option<T>> {
    value
        .map(parse)
        .transpose()
        .map_err(|k| to_py(py, &k.at(name)))
}

/// Read a CSV (`path`, or the bytes `data`) as the command line does, into the row ids,
/// the column names and one list of Python values per column (None for an empty cell).
#[pyfunction]
#[pyo3(signature = (rubric, path=None, data=None, delimiter=None, decimal=None, ignore=Vec::new()))]
pub fn read_csv<'py>(
    py: Python<'py>,
    rubric: PyRef<'py, NativeRubric>,
    path: Option<std::path::PathBuf>,
    data: Option<Vec<u8>>,
    delimiter: Option<&str>,
    decimal: Option<&str>,
    ignore: Vec<String>,
) -> PyResult<Frame<'py>> {
    let options = Options {
        delimiter: dialect_option(py, "delimiter", delimiter, Dialect::parse_delimiter)?,
        decimal: dialect_option(py, "decimal", decimal, Dialect::parse_decimal)?,
        ignore,
    };
    let rubric = &rubric.inner;
    match (path, data) {
        (Some(path), None) => {
            let file = std::fs::File::open(&path)?;
            read(py, rubric, file, &options)
        }
        (None, Some(data)) => read(py, rubric, data.as_slice(), &options),
        _ => Err(to_py(
            py,
            &ErrorKind::InputParse {
                message: "give either a path or the data".to_owned(),
            }
            .at(""),
        )),
    }
}
