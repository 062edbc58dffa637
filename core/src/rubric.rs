//! The compiled rubric: a validated [`RubricDoc`] with everything scoring needs
//! precomputed. Immutable, cheap to clone (shared), `Send + Sync`.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::doc::{
    Aggregation, CriterionDoc, DefaultValue, KnockoutDoc, MissingPolicy, RubricDoc, Text,
    UnknownInputPolicy, ValueFunctionDoc,
};
use crate::error::{Error, ErrorKind, Errors, Result, path_string};
use crate::input::{InputValue, format_number};
use crate::value::ValueFn;

/// Largest rubric document accepted, in bytes.
pub const MAX_RUBRIC_BYTES: usize = 1024 * 1024;
/// Most criteria a rubric may have.
pub const MAX_CRITERIA: usize = 1000;
/// Most themes, perspectives, bands, evidence grades or options.
pub const MAX_ITEMS: usize = 200;
/// Most points of a piecewise value function.
pub const MAX_POINTS: usize = 1000;
/// Largest weight.
pub const MAX_WEIGHT: f64 = 1e9;
/// Largest magnitude of any other rubric number (keeps every sum finite).
pub const MAX_MAGNITUDE: f64 = 1e15;
/// Most Likert levels.
pub const MAX_LEVELS: u32 = 100;

/// The kind of input a criterion takes, decided by its value function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InputKind {
    /// A number (value functions `linear`, `piecewise`, `log`); may be a range.
    Number,
    /// A whole number from 1 to `levels`.
    Likert {
        /// Number of levels.
        levels: u32,
    },
    /// `true` or `false`.
    Boolean,
    /// One of the criterion's options.
    Category,
}

impl InputKind {
    /// `"number"`, `"likert"`, `"boolean"` or `"category"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Number => "number",
            Self::Likert { .. } => "likert",
            Self::Boolean => "boolean",
            Self::Category => "category",
        }
    }
}

/// A compiled knock-out rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Knockout {
    /// Fails when the input is below the threshold.
    AtLeast(f64),
    /// Fails when the input is above the threshold.
    AtMost(f64),
    /// Fails unless the boolean input equals this.
    Required(bool),
    /// Fails unless the option is one of these (option indices).
    OneOf(Vec<usize>),
}

/// A theme of a compiled rubric.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    id: String,
    label: Text,
    help: Text,
    weight: f64,
    criteria: Vec<usize>,
}

impl Theme {
    /// Stable identifier.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// Label in `lang` (falling back to English, then any language, then the id).
    pub fn label(&self, lang: &str) -> &str {
        pick_text(&self.label, lang).unwrap_or(&self.id)
    }
    /// Help text in `lang` (same fallbacks, then empty).
    pub fn help(&self, lang: &str) -> &str {
        pick_text(&self.help, lang).unwrap_or("")
    }
    /// The weight as written in the rubric (relative to the other themes).
    pub fn weight(&self) -> f64 {
        self.weight
    }
    /// Indices (into [`Rubric::criteria`]) of the criteria of this theme.
    pub fn criteria(&self) -> &[usize] {
        &self.criteria
    }
}

/// An option of a category criterion.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryOption {
    id: String,
    label: Text,
    value: f64,
}

impl CategoryOption {
    /// Stable identifier (the input that selects it).
    pub fn id(&self) -> &str {
        &self.id
    }
    /// Label in `lang` (falling back to English, any language, then the id).
    pub fn label(&self, lang: &str) -> &str {
        pick_text(&self.label, lang).unwrap_or(&self.id)
    }
    /// Value in `[0, 1]`.
    pub fn value(&self) -> f64 {
        self.value
    }
}

/// A criterion of a compiled rubric.
#[derive(Debug, Clone, PartialEq)]
pub struct Criterion {
    pub(crate) id: String,
    pub(crate) theme: usize,
    pub(crate) label: Text,
    pub(crate) help: Text,
    pub(crate) unit: Option<String>,
    pub(crate) weight: f64,
    pub(crate) kind: InputKind,
    pub(crate) vf: ValueFn,
    pub(crate) min: Option<f64>,
    pub(crate) max: Option<f64>,
    pub(crate) options: Vec<CategoryOption>,
    pub(crate) default: Option<InputValue>,
    pub(crate) knockout: Option<Knockout>,
}

impl Criterion {
    /// Stable identifier (the key of its input).
    pub fn id(&self) -> &str {
        &self.id
    }
    /// Index of its theme in [`Rubric::themes`].
    pub fn theme_index(&self) -> usize {
        self.theme
    }
    /// Label in `lang` (falling back to English, any language, then the id).
    pub fn label(&self, lang: &str) -> &str {
        pick_text(&self.label, lang).unwrap_or(&self.id)
    }
    /// Help text in `lang` (same fallbacks, then empty).
    pub fn help(&self, lang: &str) -> &str {
        pick_text(&self.help, lang).unwrap_or("")
    }
    /// Unit of the raw input, if any.
    pub fn unit(&self) -> Option<&str> {
        self.unit.as_deref()
    }
    /// The weight as written (relative to the other criteria of its theme).
    pub fn weight(&self) -> f64 {
        self.weight
    }
    /// The kind of input it takes.
    pub fn kind(&self) -> InputKind {
        self.kind
    }
    /// Smallest allowed input (number criteria).
    pub fn min(&self) -> Option<f64> {
        self.min
    }
    /// Largest allowed input (number criteria).
    pub fn max(&self) -> Option<f64> {
        self.max
    }
    /// The options of a category criterion (empty for other kinds).
    pub fn options(&self) -> &[CategoryOption] {
        &self.options
    }
    /// Index of an option by id (category criteria); `None` when there is no such option.
    pub fn option_index(&self, id: &str) -> Option<usize> {
        self.options.iter().position(|o| o.id == id)
    }
    /// The input used when this criterion's input is missing, if the rubric gives one.
    pub fn default(&self) -> Option<&InputValue> {
        self.default.as_ref()
    }
    /// The knock-out rule, if any.
    pub fn knockout(&self) -> Option<&Knockout> {
        self.knockout.as_ref()
    }
    /// The knock-out rule as text (`">= 50"`, `"= true"`, `"one of a, b"`), if any.
    pub fn knockout_text(&self) -> Option<String> {
        self.knockout.as_ref().map(|k| match k {
            Knockout::AtLeast(t) => format!(">= {}", format_number(*t)),
            Knockout::AtMost(t) => format!("<= {}", format_number(*t)),
            Knockout::Required(b) => format!("= {b}"),
            Knockout::OneOf(ix) => {
                let names: Vec<&str> = ix
                    .iter()
                    .filter_map(|&i| self.options.get(i).map(|o| o.id.as_str()))
                    .collect();
                format!("one of {}", names.join(", "))
            }
        })
    }

    /// The input in the numeric encoding of [`crate::BatchScorer`], as `(low, high)`
    /// (equal for a point; NaN for missing): a number or Likert level as itself, a range as
    /// its ends, a boolean as 0 or 1, an option as its index. `None` when the input has no
    /// encoding that scores as [`Rubric::score`] would (a graded input, a value of the wrong
    /// kind, an unknown option, NaN): score such an input with [`Rubric::score`].
    pub fn encode(&self, value: &InputValue) -> Option<(f64, f64)> {
        match (value, self.kind) {
            (InputValue::Missing, _) => Some((f64::NAN, f64::NAN)),
            (InputValue::Number(x), InputKind::Number | InputKind::Likert { .. })
                if !x.is_nan() =>
            {
                Some((*x, *x))
            }
            (InputValue::Range { low, high }, InputKind::Number)
                if !low.is_nan() && !high.is_nan() =>
            {
                Some((*low, *high))
            }
            (InputValue::Bool(b), InputKind::Boolean) => {
                Some(if *b { (1.0, 1.0) } else { (0.0, 0.0) })
            }
            #[allow(clippy::cast_precision_loss)]
            (InputValue::Text(s), InputKind::Category) => {
                self.option_index(s).map(|i| (i as f64, i as f64))
            }
            _ => None,
        }
    }

    /// Parse text typed by a person (a CSV cell, a form field) into an input for this
    /// criterion: empty → missing; numbers, `low..high` ranges; `true/false`, `yes/no`,
    /// `ja/nee`, `1/0` for booleans; option ids for categories. Never fails: text that
    /// does not fit is kept as text, and scoring then says what was expected.
    pub fn parse_text(&self, text: &str) -> InputValue {
        let t = text.trim();
        if t.is_empty() {
            return InputValue::Missing;
        }
        match self.kind {
            InputKind::Boolean => match t.to_ascii_lowercase().as_str() {
                "true" | "yes" | "ja" | "1" | "y" | "j" => InputValue::Bool(true),
                "false" | "no" | "nee" | "0" | "n" => InputValue::Bool(false),
                _ => InputValue::Text(t.to_owned()),
            },
            InputKind::Category => InputValue::Text(t.to_owned()),
            InputKind::Number | InputKind::Likert { .. } => {
                if let Some((a, b)) = t.split_once("..")
                    && let (Ok(low), Ok(high)) = (a.trim().parse(), b.trim().parse())
                {
                    return InputValue::Range { low, high };
                }
                match t.parse::<f64>() {
                    Ok(x) => InputValue::Number(x),
                    Err(_) => InputValue::Text(t.to_owned()),
                }
            }
        }
    }
}

/// A band of a compiled rubric.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    id: String,
    label: Text,
    min: f64,
}

impl Band {
    /// Stable identifier.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// Label in `lang` (falling back to English, any language, then the id).
    pub fn label(&self, lang: &str) -> &str {
        pick_text(&self.label, lang).unwrap_or(&self.id)
    }
    /// Lowest total in this band.
    pub fn min(&self) -> f64 {
        self.min
    }
}

/// A perspective (named weight set) of a compiled rubric.
#[derive(Debug, Clone, PartialEq)]
pub struct Perspective {
    id: String,
    label: Text,
    help: Text,
}

impl Perspective {
    /// Stable identifier.
    pub fn id(&self) -> &str {
        &self.id
    }
    /// Label in `lang` (falling back to English, any language, then the id).
    pub fn label(&self, lang: &str) -> &str {
        pick_text(&self.label, lang).unwrap_or(&self.id)
    }
    /// Help text in `lang` (same fallbacks, then empty).
    pub fn help(&self, lang: &str) -> &str {
        pick_text(&self.help, lang).unwrap_or("")
    }
}

/// Effective weights of one weight set (the rubric's own, or a perspective's).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct WeightSet {
    /// Per criterion: theme share × criterion share in theme; they sum to 1.
    pub(crate) criteria: Vec<f64>,
}

#[derive(Debug)]
struct Inner {
    doc: RubricDoc,
    fingerprint: String,
    themes: Vec<Theme>,
    criteria: Vec<Criterion>,
    index: HashMap<String, usize>,
    /// `[0]` is the rubric's own weights, `[k + 1]` perspective `k`'s.
    weight_sets: Vec<WeightSet>,
    perspectives: Vec<Perspective>,
    bands: Vec<Band>,
    evidence: Vec<(String, f64)>,
}

/// A validated, compiled rubric. Build one with [`Rubric::from_json`],
/// [`Rubric::from_toml`], [`Rubric::compile`] or [`Rubric::builtin`]; score with
/// [`Rubric::score`](crate::Rubric::score). Clones share the compiled data.
///
/// Two rubrics are equal when their fingerprints are.
#[derive(Debug, Clone)]
pub struct Rubric {
    inner: Arc<Inner>,
}

impl PartialEq for Rubric {
    fn eq(&self, other: &Self) -> bool {
        self.inner.fingerprint == other.inner.fingerprint
    }
}
impl Eq for Rubric {}

pub(crate) fn pick_text<'a>(text: &'a Text, lang: &str) -> Option<&'a str> {
    text.get(lang)
        .or_else(|| text.get("en"))
        .or_else(|| text.values().next())
        .map(String::as_str)
}

impl Rubric {
    /// Parse and validate a JSON rubric.
    ///
    /// # Errors
    /// `rubric.too_large`, `rubric.parse` (with the path of a wrongly typed or unknown
    /// field), or the first validation error (see [`Rubric::compile`]).
    pub fn from_json(text: &str) -> Result<Self> {
        Self::compile(RubricDoc::from_json(text)?).map_err(first)
    }

    /// Parse and validate a TOML rubric.
    ///
    /// # Errors
    /// As [`Rubric::from_json`].
    pub fn from_toml(text: &str) -> Result<Self> {
        Self::compile(RubricDoc::from_toml(text)?).map_err(first)
    }

    /// Validate a document and compile it, reporting every error found.
    ///
    /// # Errors
    /// One [`Error`] per problem, each with the path of its field: invalid or duplicate
    /// ids, unknown references, non-finite or out-of-range numbers, negative or all-zero
    /// weights, `best == worst`, non-increasing piecewise points, bad bands, knock-outs
    /// or defaults that do not fit their criterion, empty lists.
    pub fn compile(doc: RubricDoc) -> Result<Self, Errors> {
        compile(doc)
    }

    /// The rubric's id.
    pub fn id(&self) -> &str {
        &self.inner.doc.id
    }
    /// The rubric's version.
    pub fn version(&self) -> &str {
        &self.inner.doc.version
    }
    /// Title in `lang` (falling back to English, any language, then the id).
    pub fn title(&self, lang: &str) -> &str {
        pick_text(&self.inner.doc.title, lang).unwrap_or(&self.inner.doc.id)
    }
    /// Description in `lang` (same fallbacks, then empty).
    pub fn description(&self, lang: &str) -> &str {
        pick_text(&self.inner.doc.description, lang).unwrap_or("")
    }
    /// SHA-256 (hex) of the canonical JSON form: equal for the same rubric written in JSON
    /// or TOML or with its keys in another order.
    pub fn fingerprint(&self) -> &str {
        &self.inner.fingerprint
    }
    /// How values are combined.
    pub fn aggregation(&self) -> Aggregation {
        self.inner.doc.aggregation
    }
    /// The missing-data policy.
    pub fn missing_policy(&self) -> MissingPolicy {
        self.inner.doc.missing
    }
    /// The policy for inputs of unknown criteria.
    pub fn unknown_input_policy(&self) -> UnknownInputPolicy {
        self.inner.doc.unknown_inputs
    }
    /// The document this rubric was compiled from.
    pub fn doc(&self) -> &RubricDoc {
        &self.inner.doc
    }
    /// The themes, in rubric order.
    pub fn themes(&self) -> &[Theme] {
        &self.inner.themes
    }
    /// The criteria, in rubric order.
    pub fn criteria(&self) -> &[Criterion] {
        &self.inner.criteria
    }
    /// A criterion by id.
    pub fn criterion(&self, id: &str) -> Option<&Criterion> {
        self.index_of(id).and_then(|i| self.inner.criteria.get(i))
    }
    /// Index of a criterion by id.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.inner.index.get(id).copied()
    }
    /// The theme of a criterion.
    pub fn theme_of(&self, criterion: &Criterion) -> Option<&Theme> {
        self.inner.themes.get(criterion.theme)
    }
    /// The perspectives, in rubric order.
    pub fn perspectives(&self) -> &[Perspective] {
        &self.inner.perspectives
    }
    /// The bands, from the highest threshold to the lowest.
    pub fn bands(&self) -> &[Band] {
        &self.inner.bands
    }
    /// The evidence grades: id and relative widening.
    pub fn evidence_grades(&self) -> &[(String, f64)] {
        &self.inner.evidence
    }
    /// The band a total falls in (`None` only when the rubric has no bands).
    pub fn band_for(&self, total: f64) -> Option<&Band> {
        self.inner
            .bands
            .iter()
            .find(|b| total >= b.min)
            .or_else(|| self.inner.bands.last())
    }

    /// Effective weights (summing to 1) of every criterion, under the rubric's own weights
    /// or a perspective's.
    ///
    /// # Errors
    /// `input.unknown_perspective` for a perspective the rubric does not define.
    pub fn effective_weights(&self, perspective: Option<&str>) -> Result<&[f64]> {
        Ok(&self.weight_set(perspective)?.criteria)
    }

    pub(crate) fn weight_set(&self, perspective: Option<&str>) -> Result<&WeightSet> {
        let index = match perspective {
            None => 0,
            Some(p) => match self.inner.perspectives.iter().position(|x| x.id == p) {
                Some(k) => k + 1,
                None => {
                    return Err(ErrorKind::UnknownPerspective {
                        id: p.to_owned(),
                        known: list_or_none(self.inner.perspectives.iter().map(|x| x.id.as_str())),
                    }
                    .at("perspective"));
                }
            },
        };
        self.inner.weight_sets.get(index).ok_or_else(|| {
            ErrorKind::UnknownPerspective {
                id: perspective.unwrap_or_default().to_owned(),
                known: String::new(),
            }
            .at("perspective")
        })
    }

    /// The rubric as pretty JSON (its canonical content, keys in a fixed order).
    pub fn to_json(&self) -> String {
        self.inner.doc.to_json()
    }

    /// The rubric as TOML.
    ///
    /// # Errors
    /// Never for a compiled rubric; a `rubric.parse` error if the TOML writer refuses.
    pub fn to_toml(&self) -> Result<String> {
        self.inner.doc.to_toml()
    }
}

fn first(errors: Errors) -> Error {
    errors
        .0
        .into_iter()
        .next()
        .unwrap_or_else(|| ErrorKind::Empty.at(""))
}

impl RubricDoc {
    /// Parse a JSON rubric document (no validation beyond types).
    ///
    /// # Errors
    /// `rubric.too_large` above [`MAX_RUBRIC_BYTES`]; `rubric.parse` with the path of the
    /// offending field for syntax errors, wrong types and unknown fields.
    pub fn from_json(text: &str) -> Result<Self> {
        check_size(text)?;
        // serde would also accept the fields as an array; a rubric is an object.
        if !text.trim_start().starts_with('{') {
            return Err(not_an_object("JSON"));
        }
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

    /// Parse a TOML rubric document (no validation beyond types).
    ///
    /// # Errors
    /// As [`RubricDoc::from_json`].
    pub fn from_toml(text: &str) -> Result<Self> {
        check_size(text)?;
        let de = toml::Deserializer::parse(text).map_err(|e| {
            ErrorKind::RubricParse {
                format: "TOML",
                message: toml_message(text, &e),
            }
            .at("")
        })?;
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
    pub fn canonical_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
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

/// A TOML error on one line: `line 9, column 1: unknown field ...` (the TOML crate's own
/// text spans several lines with a source excerpt).
fn toml_message(text: &str, e: &toml::de::Error) -> String {
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

fn not_an_object(format: &'static str) -> Error {
    ErrorKind::RubricParse {
        format,
        message: "a rubric must be an object with id, version, themes and criteria".to_owned(),
    }
    .at("")
}

fn check_size(text: &str) -> Result<()> {
    if text.len() > MAX_RUBRIC_BYTES {
        return Err(ErrorKind::RubricTooLarge {
            size: text.len(),
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

// ---- validation and compilation ------------------------------------------------------

struct Check {
    errors: Vec<Error>,
}

impl Check {
    fn push(&mut self, kind: ErrorKind, path: impl Into<String>) {
        self.errors.push(kind.at(path));
    }

    fn id(&mut self, id: &str, path: &str) {
        let ok = (1..=64).contains(&id.len())
            && id.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !ok {
            self.push(
                ErrorKind::InvalidId { id: id.to_owned() },
                format!("{path}.id"),
            );
        }
    }

    /// Check ids of a list for validity and duplicates.
    fn ids<'a>(&mut self, ids: impl Iterator<Item = &'a str>, path: &str) {
        let mut seen = BTreeSet::new();
        for (i, id) in ids.enumerate() {
            let p = format!("{path}[{i}]");
            self.id(id, &p);
            if !seen.insert(id) {
                self.push(
                    ErrorKind::DuplicateId { id: id.to_owned() },
                    format!("{p}.id"),
                );
            }
        }
    }

    fn count(&mut self, n: usize, limit: usize, path: &str) {
        if n > limit {
            self.push(ErrorKind::TooMany { got: n, limit }, path);
        }
    }

    /// A finite number within ±MAX_MAGNITUDE.
    fn finite(&mut self, x: f64, path: impl Into<String>) -> bool {
        if !x.is_finite() {
            self.push(ErrorKind::NotFinite { value: x }, path);
            false
        } else if x.abs() > MAX_MAGNITUDE {
            self.push(
                ErrorKind::NotBetween {
                    min: -MAX_MAGNITUDE,
                    max: MAX_MAGNITUDE,
                    value: x,
                },
                path,
            );
            false
        } else {
            true
        }
    }

    fn between(&mut self, x: f64, min: f64, max: f64, path: impl Into<String>) -> bool {
        let path = path.into();
        if !self.finite(x, path.clone()) {
            return false;
        }
        if x < min || x > max {
            self.push(ErrorKind::NotBetween { min, max, value: x }, path);
            return false;
        }
        true
    }

    fn weight(&mut self, w: f64, path: impl Into<String>) -> bool {
        let path = path.into();
        if !w.is_finite() {
            self.push(ErrorKind::NotFinite { value: w }, path);
            false
        } else if w < 0.0 {
            self.push(ErrorKind::NegativeWeight { value: w }, path);
            false
        } else if w > MAX_WEIGHT {
            self.push(
                ErrorKind::NotBetween {
                    min: 0.0,
                    max: MAX_WEIGHT,
                    value: w,
                },
                path,
            );
            false
        } else {
            true
        }
    }
}

fn compile(doc: RubricDoc) -> Result<Rubric, Errors> {
    let mut ck = Check { errors: Vec::new() };
    ck.id(&doc.id, "");
    if let Some(e) = ck.errors.last_mut() {
        // The rubric's own id has the path "id", not ".id".
        *e = e.kind().clone().at("id");
    }
    if doc.version.trim().is_empty() {
        ck.push(ErrorKind::Empty, "version");
    }

    // Themes.
    if doc.themes.is_empty() {
        ck.push(ErrorKind::Empty, "themes");
    }
    ck.count(doc.themes.len(), MAX_ITEMS, "themes");
    ck.ids(doc.themes.iter().map(|t| t.id.as_str()), "themes");
    let theme_index: HashMap<&str, usize> = doc
        .themes
        .iter()
        .enumerate()
        .map(|(i, t)| (t.id.as_str(), i))
        .collect();
    let mut themes: Vec<Theme> = doc
        .themes
        .iter()
        .enumerate()
        .map(|(i, t)| {
            ck.weight(t.weight, format!("themes[{i}].weight"));
            Theme {
                id: t.id.clone(),
                label: t.label.clone(),
                help: t.help.clone(),
                weight: t.weight,
                criteria: Vec::new(),
            }
        })
        .collect();

    // Evidence grades (needed before criteria? no; compiled here for completeness).
    ck.count(doc.evidence.len(), MAX_ITEMS, "evidence");
    ck.ids(doc.evidence.iter().map(|g| g.id.as_str()), "evidence");
    let evidence: Vec<(String, f64)> = doc
        .evidence
        .iter()
        .enumerate()
        .map(|(i, g)| {
            ck.between(g.widen, 0.0, 1.0, format!("evidence[{i}].widen"));
            (g.id.clone(), g.widen)
        })
        .collect();

    // Criteria.
    if doc.criteria.is_empty() {
        ck.push(ErrorKind::Empty, "criteria");
    }
    ck.count(doc.criteria.len(), MAX_CRITERIA, "criteria");
    ck.ids(doc.criteria.iter().map(|c| c.id.as_str()), "criteria");
    let mut criteria = Vec::with_capacity(doc.criteria.len());
    for (i, c) in doc.criteria.iter().enumerate() {
        let path = format!("criteria[{i}]");
        let theme = match theme_index.get(c.theme.as_str()) {
            Some(&t) => {
                if let Some(th) = themes.get_mut(t) {
                    th.criteria.push(i);
                }
                t
            }
            None => {
                ck.push(
                    ErrorKind::UnknownReference {
                        what: "theme",
                        id: c.theme.clone(),
                    },
                    format!("{path}.theme"),
                );
                0
            }
        };
        criteria.push(compile_criterion(&mut ck, c, theme, &path));
    }
    for (i, t) in themes.iter().enumerate() {
        if t.criteria.is_empty() {
            ck.push(ErrorKind::EmptyTheme, format!("themes[{i}]"));
        }
    }

    // Bands.
    ck.count(doc.bands.len(), MAX_ITEMS, "bands");
    ck.ids(doc.bands.iter().map(|b| b.id.as_str()), "bands");
    let mut bands = Vec::with_capacity(doc.bands.len());
    let mut previous: Option<f64> = None;
    for (i, b) in doc.bands.iter().enumerate() {
        let path = format!("bands[{i}].min");
        if ck.between(b.min, 0.0, 100.0, path.clone()) {
            if previous.is_some_and(|p| b.min >= p) {
                ck.push(ErrorKind::BandsOrder, path);
            }
            previous = Some(b.min);
        }
        bands.push(Band {
            id: b.id.clone(),
            label: b.label.clone(),
            min: b.min,
        });
    }
    if let Some(last) = doc.bands.last()
        && last.min.is_finite()
        && last.min != 0.0
        && (0.0..=100.0).contains(&last.min)
    {
        ck.push(
            ErrorKind::BandsIncomplete { value: last.min },
            format!("bands[{}].min", doc.bands.len() - 1),
        );
    }

    // Perspectives and weight sets.
    ck.count(doc.perspectives.len(), MAX_ITEMS, "perspectives");
    ck.ids(
        doc.perspectives.iter().map(|p| p.id.as_str()),
        "perspectives",
    );
    let theme_weights: Vec<f64> = themes.iter().map(|t| t.weight).collect();
    let criterion_weights: Vec<f64> = criteria.iter().map(|c: &Criterion| c.weight).collect();
    let criterion_themes: Vec<usize> = criteria.iter().map(|c| c.theme).collect();
    let criterion_index: HashMap<&str, usize> = doc
        .criteria
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    let mut weight_sets = Vec::with_capacity(doc.perspectives.len() + 1);
    // Weight sets are computed only from otherwise valid weights.
    if ck.errors.is_empty() {
        match effective_weights(&theme_weights, &criterion_weights, &criterion_themes) {
            Ok(w) => weight_sets.push(WeightSet { criteria: w }),
            Err((kind, None)) => ck.push(kind, "themes"),
            Err((kind, Some(t))) => ck.push(kind, format!("themes[{t}]")),
        }
    }
    let mut perspectives = Vec::with_capacity(doc.perspectives.len());
    for (k, p) in doc.perspectives.iter().enumerate() {
        let path = format!("perspectives[{k}]");
        let mut tw = theme_weights.clone();
        let mut cw = criterion_weights.clone();
        override_weights(
            &mut ck,
            &p.themes,
            &theme_index,
            &mut tw,
            "theme",
            &format!("{path}.themes"),
        );
        override_weights(
            &mut ck,
            &p.criteria,
            &criterion_index,
            &mut cw,
            "criterion",
            &format!("{path}.criteria"),
        );
        if ck.errors.is_empty() {
            match effective_weights(&tw, &cw, &criterion_themes) {
                Ok(w) => weight_sets.push(WeightSet { criteria: w }),
                Err((kind, None)) => ck.push(kind, format!("{path}.themes")),
                Err((kind, Some(t))) => {
                    let id = themes.get(t).map_or("", |t| t.id.as_str());
                    ck.push(kind, format!("{path}.themes.{id}"));
                }
            }
        }
        perspectives.push(Perspective {
            id: p.id.clone(),
            label: p.label.clone(),
            help: p.help.clone(),
        });
    }

    // Monetisation: references and fractions (computed by a later analysis).
    if let Some(m) = &doc.monetisation {
        if m.currency.trim().is_empty() {
            ck.push(ErrorKind::Empty, "monetisation.currency");
        }
        ck.between(m.discount_rate, 0.0, 1.0, "monetisation.discount_rate");
        ck.count(m.proxies.len(), MAX_ITEMS, "monetisation.proxies");
        ck.ids(
            m.proxies.iter().map(|p| p.id.as_str()),
            "monetisation.proxies",
        );
        for (i, p) in m.proxies.iter().enumerate() {
            ck.between(
                p.value,
                0.0,
                MAX_MAGNITUDE,
                format!("monetisation.proxies[{i}].value"),
            );
        }
        ck.count(m.outcomes.len(), MAX_ITEMS, "monetisation.outcomes");
        ck.ids(
            m.outcomes.iter().map(|o| o.id.as_str()),
            "monetisation.outcomes",
        );
        for (i, o) in m.outcomes.iter().enumerate() {
            let path = format!("monetisation.outcomes[{i}]");
            match criterion_index
                .get(o.criterion.as_str())
                .and_then(|&c| criteria.get(c))
            {
                Some(c) if c.kind != InputKind::Number => ck.push(
                    ErrorKind::NotApplicable {
                        field: "outcome",
                        kind: c.kind.as_str(),
                    },
                    format!("{path}.criterion"),
                ),
                Some(_) => {}
                None => ck.push(
                    ErrorKind::UnknownReference {
                        what: "criterion",
                        id: o.criterion.clone(),
                    },
                    format!("{path}.criterion"),
                ),
            }
            if !m.proxies.iter().any(|p| p.id == o.proxy) {
                ck.push(
                    ErrorKind::UnknownReference {
                        what: "proxy",
                        id: o.proxy.clone(),
                    },
                    format!("{path}.proxy"),
                );
            }
            for (name, x) in [
                ("deadweight", o.deadweight),
                ("displacement", o.displacement),
                ("attribution", o.attribution),
                ("drop_off", o.drop_off),
            ] {
                ck.between(x, 0.0, 1.0, format!("{path}.{name}"));
            }
            if !(1..=200).contains(&o.duration_years) {
                ck.push(
                    ErrorKind::NotBetween {
                        min: 1.0,
                        max: 200.0,
                        value: f64::from(o.duration_years),
                    },
                    format!("{path}.duration_years"),
                );
            }
        }
    }

    if !ck.errors.is_empty() {
        return Err(Errors(ck.errors));
    }
    let index = criteria
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.clone(), i))
        .collect();
    let fingerprint = doc.fingerprint();
    Ok(Rubric {
        inner: Arc::new(Inner {
            doc,
            fingerprint,
            themes,
            criteria,
            index,
            weight_sets,
            perspectives,
            bands,
            evidence,
        }),
    })
}

/// Replace `weights[index[id]]` by each perspective weight, checking ids and values.
fn override_weights(
    ck: &mut Check,
    overrides: &std::collections::BTreeMap<String, f64>,
    index: &HashMap<&str, usize>,
    weights: &mut [f64],
    what: &'static str,
    path: &str,
) {
    for (id, w) in overrides {
        let wpath = format!("{path}.{id}");
        match index.get(id.as_str()) {
            Some(&i) => {
                if ck.weight(*w, wpath)
                    && let Some(slot) = weights.get_mut(i)
                {
                    *slot = *w;
                }
            }
            None => ck.push(
                ErrorKind::UnknownReference {
                    what,
                    id: id.clone(),
                },
                wpath,
            ),
        }
    }
}

/// The ids as `a, b, c`, or `(none)`.
pub(crate) fn list_or_none<'a>(ids: impl Iterator<Item = &'a str>) -> String {
    let ids: Vec<&str> = ids.collect();
    if ids.is_empty() {
        "(none)".to_owned()
    } else {
        ids.join(", ")
    }
}

/// Theme share × criterion share within the theme, for every criterion.
fn effective_weights(
    themes: &[f64],
    criteria: &[f64],
    criterion_themes: &[usize],
) -> std::result::Result<Vec<f64>, (ErrorKind, Option<usize>)> {
    let theme_total: f64 = themes.iter().sum();
    if theme_total <= 0.0 {
        return Err((ErrorKind::ZeroWeights { what: "the themes" }, None));
    }
    let mut in_theme = vec![0.0; themes.len()];
    for (w, &t) in criteria.iter().zip(criterion_themes) {
        if let Some(s) = in_theme.get_mut(t) {
            *s += w;
        }
    }
    for (t, (&tw, &cw)) in themes.iter().zip(&in_theme).enumerate() {
        if tw > 0.0 && cw <= 0.0 {
            return Err((
                ErrorKind::ZeroWeights {
                    what: "this theme's criteria",
                },
                Some(t),
            ));
        }
    }
    Ok(criteria
        .iter()
        .zip(criterion_themes)
        .map(|(&w, &t)| {
            let tw = themes.get(t).copied().unwrap_or(0.0);
            let cw = in_theme.get(t).copied().unwrap_or(0.0);
            if tw > 0.0 && cw > 0.0 {
                (tw / theme_total) * (w / cw)
            } else {
                0.0
            }
        })
        .collect())
}

fn compile_criterion(ck: &mut Check, c: &CriterionDoc, theme: usize, path: &str) -> Criterion {
    ck.weight(c.weight, format!("{path}.weight"));
    let vpath = format!("{path}.value_function");
    let mut options = Vec::new();
    let (kind, vf) = match &c.value_function {
        ValueFunctionDoc::Linear { worst, best } => {
            let ok = ck.finite(*worst, format!("{vpath}.worst"))
                & ck.finite(*best, format!("{vpath}.best"));
            if ok && worst == best {
                ck.push(ErrorKind::BestEqualsWorst, format!("{vpath}.best"));
            }
            (
                InputKind::Number,
                ValueFn::Linear {
                    worst: *worst,
                    best: *best,
                },
            )
        }
        ValueFunctionDoc::Piecewise { points } => {
            let ppath = format!("{vpath}.points");
            if points.len() < 2 {
                ck.push(
                    ErrorKind::TooFew {
                        min: 2,
                        got: points.len(),
                    },
                    ppath.clone(),
                );
            }
            ck.count(points.len(), MAX_POINTS, &ppath);
            let mut previous: Option<f64> = None;
            for (k, [x, v]) in points.iter().enumerate() {
                if ck.finite(*x, format!("{ppath}[{k}][0]")) {
                    if let Some(p) = previous
                        && *x <= p
                    {
                        ck.push(
                            ErrorKind::NotIncreasing { previous: p, x: *x },
                            format!("{ppath}[{k}][0]"),
                        );
                    }
                    previous = Some(*x);
                }
                ck.between(*v, 0.0, 1.0, format!("{ppath}[{k}][1]"));
            }
            (
                InputKind::Number,
                ValueFn::Piecewise {
                    xs: points.iter().map(|p| p[0]).collect(),
                    vs: points.iter().map(|p| p[1]).collect(),
                },
            )
        }
        ValueFunctionDoc::Log { best, scale } => {
            let mut denominator = 1.0;
            let mut ok = true;
            for (name, x) in [("best", *best), ("scale", *scale)] {
                if ck.finite(x, format!("{vpath}.{name}")) && x <= 0.0 {
                    ck.push(
                        ErrorKind::NotPositive { value: x },
                        format!("{vpath}.{name}"),
                    );
                    ok = false;
                }
            }
            if ok && best.is_finite() && scale.is_finite() {
                denominator = libm::log1p(best / scale);
                if !(denominator.is_finite() && denominator > 0.0) {
                    ck.push(
                        ErrorKind::NotPositive { value: denominator },
                        format!("{vpath}.best"),
                    );
                    denominator = 1.0;
                }
            }
            (
                InputKind::Number,
                ValueFn::Log {
                    best: *best,
                    scale: *scale,
                    denominator,
                },
            )
        }
        ValueFunctionDoc::Likert { levels } => {
            if !(2..=MAX_LEVELS).contains(levels) {
                ck.push(
                    ErrorKind::NotBetween {
                        min: 2.0,
                        max: f64::from(MAX_LEVELS),
                        value: f64::from(*levels),
                    },
                    format!("{vpath}.levels"),
                );
            }
            let levels = (*levels).clamp(2, MAX_LEVELS);
            (InputKind::Likert { levels }, ValueFn::Likert { levels })
        }
        ValueFunctionDoc::Boolean => (InputKind::Boolean, ValueFn::Boolean),
        ValueFunctionDoc::Category { options: opts } => {
            let opath = format!("{vpath}.options");
            if opts.is_empty() {
                ck.push(ErrorKind::Empty, opath.clone());
            }
            ck.count(opts.len(), MAX_ITEMS, &opath);
            ck.ids(opts.iter().map(|o| o.id.as_str()), &opath);
            for (k, o) in opts.iter().enumerate() {
                ck.between(o.value, 0.0, 1.0, format!("{opath}[{k}].value"));
            }
            options = opts
                .iter()
                .map(|o| CategoryOption {
                    id: o.id.clone(),
                    label: o.label.clone(),
                    value: o.value,
                })
                .collect();
            (
                InputKind::Category,
                ValueFn::Category {
                    values: opts.iter().map(|o| o.value).collect(),
                },
            )
        }
    };

    // Limits (number criteria only).
    for (name, x) in [("min", c.min), ("max", c.max)] {
        if let Some(x) = x {
            if kind == InputKind::Number {
                ck.finite(x, format!("{path}.{name}"));
            } else {
                ck.push(
                    ErrorKind::NotApplicable {
                        field: name,
                        kind: kind.as_str(),
                    },
                    format!("{path}.{name}"),
                );
            }
        }
    }
    if let (Some(min), Some(max)) = (c.min, c.max)
        && min > max
    {
        ck.push(
            ErrorKind::LimitsInverted { min, max },
            format!("{path}.max"),
        );
    }

    // Knock-out.
    let kpath = format!("{path}.knockout");
    let mismatch = |rule: &'static str| ErrorKind::KnockoutMismatch {
        rule,
        kind: kind.as_str(),
    };
    let knockout = match &c.knockout {
        None => None,
        Some(KnockoutDoc::AtLeast(t)) | Some(KnockoutDoc::AtMost(t)) => {
            let at_least = matches!(c.knockout, Some(KnockoutDoc::AtLeast(_)));
            let rule = if at_least { "at_least" } else { "at_most" };
            if !matches!(kind, InputKind::Number | InputKind::Likert { .. }) {
                ck.push(mismatch(rule), kpath.clone());
            }
            ck.finite(*t, format!("{kpath}.{rule}"));
            Some(if at_least {
                Knockout::AtLeast(*t)
            } else {
                Knockout::AtMost(*t)
            })
        }
        Some(KnockoutDoc::Required(b)) => {
            if kind != InputKind::Boolean {
                ck.push(mismatch("required"), kpath.clone());
            }
            Some(Knockout::Required(*b))
        }
        Some(KnockoutDoc::OneOf(ids)) => {
            if kind != InputKind::Category {
                ck.push(mismatch("one_of"), kpath.clone());
            }
            if ids.is_empty() {
                ck.push(ErrorKind::Empty, format!("{kpath}.one_of"));
            }
            let mut ix = Vec::with_capacity(ids.len());
            for (k, id) in ids.iter().enumerate() {
                match options.iter().position(|o| &o.id == id) {
                    Some(i) => ix.push(i),
                    None if kind == InputKind::Category => ck.push(
                        ErrorKind::UnknownReference {
                            what: "option",
                            id: id.clone(),
                        },
                        format!("{kpath}.one_of[{k}]"),
                    ),
                    None => {}
                }
            }
            Some(Knockout::OneOf(ix))
        }
    };

    let mut criterion = Criterion {
        id: c.id.clone(),
        theme,
        label: c.label.clone(),
        help: c.help.clone(),
        unit: c.unit.clone(),
        weight: c.weight,
        kind,
        vf,
        min: c.min,
        max: c.max,
        options,
        default: None,
        knockout,
    };

    // Default: must be a valid input for this criterion.
    if let Some(d) = &c.default {
        let value = match d {
            DefaultValue::Number(x) => InputValue::Number(*x),
            DefaultValue::Bool(b) => InputValue::Bool(*b),
            DefaultValue::Option(s) => InputValue::Text(s.clone()),
        };
        if let Err(e) = criterion.evaluate(&value, &[]) {
            ck.push(
                ErrorKind::InvalidDefault {
                    message: e.to_string(),
                },
                format!("{path}.default"),
            );
        }
        criterion.default = Some(value);
    }
    criterion
}
