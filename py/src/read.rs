//! Reading rubric files with a bound on the bytes read (not on what the file system says
//! about the file: a pipe, a device or `/dev/zero` have no useful size).

use std::io::Read as _;
use std::path::Path;

use civic_value::{ErrorKind, MAX_RUBRIC_TEXT_BYTES};
use pyo3::prelude::*;

use crate::errors::to_py;

/// The text of a rubric file: at most [`MAX_RUBRIC_TEXT_BYTES`] bytes of UTF-8 (a leading
/// byte-order mark is dropped).
///
/// # Errors
/// `OSError` when the file cannot be opened or read; `RubricError` `rubric.too_large` after
/// reading one byte more than the limit (whatever the file is), `rubric.parse` for text that
/// is not UTF-8 (naming the byte offset).
pub fn rubric_text(py: Python<'_>, path: &Path) -> PyResult<String> {
    let file = std::fs::File::open(path)?;
    let limit = MAX_RUBRIC_TEXT_BYTES;
    let mut bytes = Vec::new();
    // The GIL is released: a slow pipe or device does not stop other Python threads.
    py.detach(|| {
        file.take(u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1))
            .read_to_end(&mut bytes)
    })?;
    if bytes.len() > limit {
        return Err(to_py(py, &ErrorKind::RubricTextTooLong { limit }.at("")));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        to_py(
            py,
            &ErrorKind::RubricParse {
                format: "rubric file",
                message: format!(
                    "{} is not UTF-8 text (invalid byte at offset {})",
                    path.display(),
                    e.utf8_error().valid_up_to()
                ),
            }
            .at(""),
        )
    })?;
    // A leading byte order mark is skipped by the core's readers.
    Ok(text)
}
