//! Reading rubric and initiative files for every command.

use std::fmt::Write as _;
use std::path::Path;

use civic_value::{
    Error, Initiative, InputValue, Inputs, MAX_INPUT_BYTES, MAX_RUBRIC_TEXT_BYTES, Rubric,
    RubricDoc,
};

use crate::Failure;

pub(crate) fn read(path: &Path, limit: usize) -> Result<String, Failure> {
    let shown = path.display();
    let meta =
        std::fs::metadata(path).map_err(|e| Failure::Usage(format!("cannot read {shown}: {e}")))?;
    if meta.len() > limit as u64 {
        return Err(Failure::Invalid(format!(
            "{shown}: file is {} bytes, more than the limit of {limit}",
            meta.len()
        )));
    }
    std::fs::read_to_string(path).map_err(|e| Failure::Usage(format!("cannot read {shown}: {e}")))
}

pub(crate) fn is_toml(path: &Path, text: &str) -> bool {
    match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("toml") => true,
        Some(e) if e.eq_ignore_ascii_case("json") => false,
        _ => !text.trim_start().starts_with('{'),
    }
}

pub(crate) fn parse_doc(path: &Path) -> Result<RubricDoc, Failure> {
    let text = read(path, MAX_RUBRIC_TEXT_BYTES)?;
    let doc = if is_toml(path, &text) {
        RubricDoc::from_toml(&text)
    } else {
        RubricDoc::from_json(&text)
    };
    doc.map_err(|e| Failure::Invalid(format!("{}: {e}", path.display())))
}

pub(crate) fn load_rubric(path: Option<&Path>) -> Result<Rubric, Failure> {
    let Some(path) = path else {
        return Ok(Rubric::builtin());
    };
    Rubric::compile(parse_doc(path)?).map_err(|errors| {
        let mut msg = String::new();
        for e in &errors.0 {
            let _ = writeln!(msg, "{}: {e}", path.display());
        }
        Failure::Invalid(msg.trim_end().to_owned())
    })
}

/// Read initiatives from a JSON or CSV file; inputs named in `ignore` (columns or keys that
/// are not criteria, e.g. a district) are dropped.
pub(crate) fn read_initiatives(
    path: &Path,
    rubric: &Rubric,
    ignore: &[String],
) -> Result<Vec<Initiative>, Failure> {
    let text = read(path, MAX_INPUT_BYTES)?;
    let csv = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let invalid = |msg: String| Failure::Invalid(format!("{}: {msg}", path.display()));
    if !csv {
        let mut list = Initiative::list_from_json(&text).map_err(|e| invalid(e.to_string()))?;
        for initiative in &mut list {
            for column in ignore {
                initiative.inputs.remove(column);
            }
        }
        return Ok(list);
    }
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| invalid(e.to_string()))?
        .clone();
    let mut out = Vec::new();
    for (r, record) in reader.records().enumerate() {
        let record = record.map_err(|e| invalid(e.to_string()))?;
        let mut inputs = Inputs::new();
        let (mut id, mut name) = (format!("row{}", r + 1), None);
        for (header, cell) in headers.iter().zip(record.iter()) {
            match header {
                "id" => id = cell.to_owned(),
                "name" => name = Some(cell.to_owned()),
                "description" => {}
                column if ignore.iter().any(|i| i == column) => {}
                column => {
                    let value = match rubric.criterion(column) {
                        Some(c) => c.parse_text(cell),
                        // Not a criterion: kept, so that scoring reports it by the rubric's policy.
                        None if cell.is_empty() => InputValue::Missing,
                        None => cell
                            .parse()
                            .map_or_else(|_| InputValue::Text(cell.to_owned()), InputValue::Number),
                    };
                    if !value.is_missing() {
                        inputs.insert(column, value);
                    }
                }
            }
        }
        out.push(Initiative {
            name: name.unwrap_or_else(|| id.clone()),
            id,
            description: None,
            inputs,
        });
    }
    Ok(out)
}

pub(crate) fn describe_error(path: &Path, initiative: &Initiative, e: &Error) -> String {
    format!("{}: initiative \"{}\": {e}", path.display(), initiative.id)
}
