//! Reading and writing rubric documents: JSON and TOML with the size limit, the canonical
//! form and the fingerprint. No validation beyond types (that is `compile.rs`).

use std::fmt::Write as _;

use sha2::{Digest, Sha256};

use crate::doc::RubricDoc;
use crate::error::{Error, ErrorKind, Result, path_string};
use crate::rubric::{MAX_RUBRIC_BYTES, MAX_RUBRIC_TEXT_BYTES};

impl RubricDoc {
    /// Parse a JSON rubric document (no validation beyond types).
    ///
    /// # Errors
    /// `rubric.too_large` for a text above [`MAX_RUBRIC_TEXT_BYTES`] (the limit on the
    /// rubric itself, [`MAX_RUBRIC_BYTES`] of canonical form, is checked by
    /// [`Rubric::compile`](crate::Rubric::compile)); `rubric.parse` with the path of the
    /// offending field for syntax errors, wrong types and unknown fields. A leading UTF-8
    /// byte order mark is skipped.
    pub fn from_json(text: &str) -> Result<Self> {
        check_size(text)?;
        let text = crate::strip_bom(text);
        // serde would also accept the fields as an array; a rubric is an object.
        if !text.trim_start().starts_with('{') {
            return Err(not_an_object("JSON"));
        }
        // Without `positions` (the browser build): the core's own small JSON reader, with
        // serde_json's messages, instead of serde_json's parser (json_tree.rs).
        #[cfg(not(feature = "positions"))]
        return json_via_tree(text);
        #[cfg(feature = "positions")]
        {
            let mut de = serde_json::Deserializer::from_str(text);
            let doc: Self =
                serde_path_to_error::deserialize(&mut de).map_err(|e| parse_error("JSON", e))?;
            de.end().map_err(|e| {
                ErrorKind::RubricParse {
                    format: "JSON",
                    message: e.to_string(),
                }
                .at("")
            })?;
            Ok(doc)
        }
    }

    /// Parse a TOML rubric document (no validation beyond types).
    ///
    /// # Errors
    /// As [`RubricDoc::from_json`] (a leading byte order mark is skipped too).
    #[cfg(feature = "toml")]
    pub fn from_toml(text: &str) -> Result<Self> {
        check_size(text)?;
        let text = crate::strip_bom(text);
        let de = toml::Deserializer::parse(text).map_err(|e| {
            ErrorKind::RubricParse {
                format: "TOML",
                message: toml_message(text, &e),
            }
            .at("")
        })?;
        #[cfg(not(feature = "positions"))]
        return crate::tree::read_doc(de, "TOML", |e| toml_message(text, &e));
        #[cfg(feature = "positions")]
        serde_path_to_error::deserialize(de).map_err(|e| {
            let path = path_string(e.path());
            ErrorKind::RubricParse {
                format: "TOML",
                message: toml_message(text, e.inner()),
            }
            .at(path)
        })
    }

    /// Read a document from any serde data model value (a JSON value, a Python dict
    /// converted by a binding, a JS object).
    ///
    /// # Errors
    /// `rubric.parse` with the path of the offending field.
    pub fn from_value(value: serde_json::Value) -> Result<Self> {
        if !value.is_object() {
            return Err(not_an_object("rubric"));
        }
        serde_path_to_error::deserialize(value).map_err(|e| parse_error("rubric", e))
    }

    /// Pretty JSON with keys in a fixed order.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// TOML.
    ///
    /// # Errors
    /// `rubric.parse` if the TOML writer refuses the document.
    #[cfg(feature = "toml")]
    pub fn to_toml(&self) -> Result<String> {
        toml::to_string(self).map_err(|e| {
            ErrorKind::RubricParse {
                format: "TOML",
                message: e.to_string(),
            }
            .at("")
        })
    }

    /// The canonical form: compact JSON, struct fields in declaration order, map keys
    /// sorted, defaults written out, empty optional parts left out.
    /// Every `-0.0` is written as `0.0`.
    pub fn canonical_json(&self) -> String {
        // Written by hand: the bytes serde_json writes for the derived `Serialize` (see
        // canonical_json.rs), with less code in the browser module.
        crate::canonical_json::write(self)
    }

    /// SHA-256 (lower-case hex) of [`RubricDoc::canonical_json`].
    pub fn fingerprint(&self) -> String {
        let digest = Sha256::digest(self.canonical_json().as_bytes());
        let mut hex = String::with_capacity(64);
        for byte in digest.iter() {
            let _ = write!(hex, "{byte:02x}");
        }
        hex
    }
}

#[cfg(feature = "toml")]
/// A TOML error on one line: `line 9, column 1: unknown field ...` (the TOML crate's own
/// text spans several lines with a source excerpt).
pub(crate) fn toml_message(text: &str, e: &toml::de::Error) -> String {
    let message = e.message().trim_end().replace('\n', " ");
    match e.span() {
        Some(span) => {
            let before = text.get(..span.start).unwrap_or("");
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("line {line}, column {column}: {message}")
        }
        None => message,
    }
}

/// A JSON rubric read by the core's own JSON reader into a [`Tree`](crate::Tree), then from
/// the tree: [`RubricDoc::from_json`] without the `positions` feature (after its size and
/// object checks). Syntax errors carry serde_json's message, with the line and column.
#[cfg_attr(feature = "positions", allow(dead_code))]
pub(crate) fn json_via_tree(text: &str) -> Result<RubricDoc> {
    crate::json_tree::parse(
        text,
        |tree| RubricDoc::from_tree(tree, "JSON"),
        |message| {
            ErrorKind::RubricParse {
                format: "JSON",
                message,
            }
            .at("")
        },
    )
}

fn not_an_object(format: &'static str) -> Error {
    ErrorKind::RubricParse {
        format,
        message: "a rubric must be an object with id, version, themes and criteria".to_owned(),
    }
    .at("")
}

/// The limit on rubric text, before any parsing: at most [`MAX_RUBRIC_TEXT_BYTES`].
///
/// # Errors
/// `rubric.too_large` (path empty) for a longer text.
pub(crate) fn check_size(text: &str) -> Result<()> {
    if text.len() > MAX_RUBRIC_TEXT_BYTES {
        return Err(ErrorKind::RubricTooLarge {
            size: text.len(),
            limit: MAX_RUBRIC_TEXT_BYTES,
        }
        .at(""));
    }
    Ok(())
}

/// The limit on a rubric itself: at most [`MAX_RUBRIC_BYTES`] in its canonical form, however
/// it was written (pretty JSON, TOML, a Python dict or a JS object).
///
/// # Errors
/// `rubric.too_large` (path empty) when the canonical form is larger.
pub(crate) fn check_canonical_size(doc: &RubricDoc) -> Result<()> {
    let size = doc.canonical_json().len();
    if size > MAX_RUBRIC_BYTES {
        return Err(ErrorKind::RubricCanonicalTooLarge {
            size,
            limit: MAX_RUBRIC_BYTES,
        }
        .at(""));
    }
    Ok(())
}

fn parse_error<E: std::fmt::Display>(
    format: &'static str,
    e: serde_path_to_error::Error<E>,
) -> Error {
    let path = path_string(e.path());
    ErrorKind::RubricParse {
        format,
        message: e.into_inner().to_string().trim_end().to_owned(),
    }
    .at(path)
}
