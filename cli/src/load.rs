//! Reading rubric and initiative files for every command. Files, devices, pipes and stdin
//! (`-`) are read through a bounded reader that counts the bytes it reads (a file size
//! from metadata means nothing for `/dev/zero` or a pipe).

use std::fmt::Write as _;
use std::io::{self, BufReader, Read};
use std::path::Path;

use civic_value::{Error, Initiative, MAX_RUBRIC_BYTES, Rubric, RubricDoc};

use crate::Failure;
use crate::input::{InputOptions, open_source};
use crate::text::escape;

/// The path that stands for standard input.
pub(crate) const STDIN: &str = "-";

/// How a path is shown in messages (control characters escaped).
pub(crate) fn shown(path: &Path) -> String {
    if path.as_os_str() == STDIN {
        "<stdin>".to_owned()
    } else {
        escape(&path.display().to_string())
    }
}

/// Open a file, a device, a pipe or stdin (`-`) for reading.
///
/// # Errors
/// `Failure::Usage` when it cannot be opened.
pub(crate) fn open(path: &Path) -> Result<Box<dyn Read + Send>, Failure> {
    if path.as_os_str() == STDIN {
        return Ok(Box::new(io::stdin()));
    }
    std::fs::File::open(path)
        .map(|f| Box::new(f) as Box<dyn Read + Send>)
        .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", shown(path))))
}

/// The size of a regular file (`None` for stdin, devices and pipes).
pub(crate) fn file_size(path: &Path) -> Option<u64> {
    if path.as_os_str() == STDIN {
        return None;
    }
    std::fs::metadata(path)
        .ok()
        .filter(std::fs::Metadata::is_file)
        .map(|m| m.len())
}

/// Read a whole file as text, refusing more than `limit` bytes (counted while reading)
/// and text that is not UTF-8.
///
/// # Errors
/// `Failure::Usage` when it cannot be read; `Failure::Invalid` (naming the file) above the
/// limit or for invalid UTF-8.
pub(crate) fn read(path: &Path, limit: usize) -> Result<String, Failure> {
    let mut bytes = Vec::new();
    open(path)?
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", shown(path))))?;
    if bytes.len() > limit {
        return Err(Failure::Invalid(format!(
            "{}: more than the limit of {limit} bytes",
            shown(path)
        )));
    }
    String::from_utf8(bytes).map_err(|e| {
        Failure::Invalid(format!(
            "{}: not valid UTF-8 (at byte {})",
            shown(path),
            e.utf8_error().valid_up_to()
        ))
    })
}

/// Whether a rubric file is TOML: by its extension, else by its first character.
pub(crate) fn is_toml(path: &Path, text: &str) -> bool {
    match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("toml") => true,
        Some(e) if e.eq_ignore_ascii_case("json") => false,
        _ => !text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with('{'),
    }
}

/// Read a rubric document (JSON or TOML) without validating it.
///
/// # Errors
/// As [`read`]; `Failure::Invalid` naming the file for a parse error.
pub(crate) fn parse_doc(path: &Path) -> Result<RubricDoc, Failure> {
    let text = read(path, MAX_RUBRIC_BYTES)?;
    let doc = if is_toml(path, &text) {
        RubricDoc::from_toml(&text)
    } else {
        RubricDoc::from_json(&text)
    };
    doc.map_err(|e| Failure::Invalid(format!("{}: {e}", shown(path))))
}

/// The rubric in `path`, or the built-in one.
///
/// # Errors
/// As [`parse_doc`]; every validation error, one line each, naming the file.
pub(crate) fn load_rubric(path: Option<&Path>) -> Result<Rubric, Failure> {
    let Some(path) = path else {
        return Ok(Rubric::builtin());
    };
    Rubric::compile(parse_doc(path)?).map_err(|errors| {
        let mut msg = String::new();
        for e in &errors.0 {
            let _ = writeln!(msg, "{}: {e}", shown(path));
        }
        Failure::Invalid(msg.trim_end().to_owned())
    })
}

/// Read every initiative of a JSON, NDJSON or CSV file (for commands that need them all at
/// once); inputs named in `ignore` (columns or keys that are not criteria, e.g. a
/// district) are dropped. To score files of any size, `score` streams instead.
///
/// # Errors
/// `Failure::Usage` when the file cannot be opened; `Failure::Invalid` listing every bad
/// item (file, line, initiative, field).
#[allow(dead_code)] // The entry point of commands that need every initiative at once.
pub(crate) fn read_initiatives(
    path: &Path,
    rubric: &Rubric,
    ignore: &[String],
) -> Result<Vec<Initiative>, Failure> {
    let options = InputOptions {
        ignore: ignore.to_vec(),
        ..InputOptions::default()
    };
    let reader = BufReader::with_capacity(1 << 16, open(path)?);
    let name = shown(path);
    let mut source = open_source(reader, path, rubric, &options)
        .map_err(|e| Failure::Invalid(format!("{name}: {e}")))?;
    let mut out = Vec::new();
    let mut problems = Vec::new();
    loop {
        match source.next_initiative(&options.ignore) {
            Ok(None) => break,
            Ok(Some(Ok(i))) => out.push(i),
            Ok(Some(Err(problem))) => problems.push(problem.message(&name)),
            Err(e) => {
                problems.push(format!("{name}: {e}"));
                break;
            }
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(Failure::Invalid(problems.join("\n")))
    }
}

/// `file: initiative "id": error` (the id escaped).
#[allow(dead_code)] // For commands that score initiatives read by `read_initiatives`.
pub(crate) fn describe_error(path: &Path, initiative: &Initiative, e: &Error) -> String {
    format!(
        "{}: initiative \"{}\": {e}",
        shown(path),
        escape(&initiative.id)
    )
}
