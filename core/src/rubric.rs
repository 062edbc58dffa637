//! The compiled rubric: a validated [`RubricDoc`] with everything scoring needs
//! precomputed. Immutable, cheap to clone (shared), `Send + Sync`. Reading documents is in
//! `parse.rs`, validation and compilation in `compile.rs`.

use std::sync::Arc;

use crate::doc::{Aggregation, MissingPolicy, RubricDoc, Text, UnknownInputPolicy};
use crate::error::{Error, ErrorKind, Errors, Result};
use crate::input::{InputValue, format_number};
use crate::value::ValueFn;

/// Largest rubric accepted, in bytes of its canonical form (compact JSON, as
/// [`RubricDoc::canonical_json`](crate::RubricDoc::canonical_json) writes it). The limit is on
/// the canonical form, not on the text it was read from, so that every valid rubric also
/// loads again from what it writes: its pretty JSON ([`Rubric::to_json`]), its TOML, or a
/// pickle.
pub const MAX_RUBRIC_BYTES: usize = 1024 * 1024;
/// Longest rubric text read (JSON or TOML, in bytes): room for the pretty or TOML form of
/// any rubric within [`MAX_RUBRIC_BYTES`], which takes up to about 8 times its canonical
/// size; a reader of rubric files stops after this many bytes.
pub const MAX_RUBRIC_TEXT_BYTES: usize = 16 * MAX_RUBRIC_BYTES;
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
    pub(crate) id: String,
    pub(crate) label: Text,
    pub(crate) help: Text,
    pub(crate) weight: f64,
    pub(crate) criteria: Vec<usize>,
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
    pub(crate) id: String,
    pub(crate) label: Text,
    pub(crate) value: f64,
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
            InputKind::Boolean => {
                parse_bool(t).map_or_else(|| InputValue::Text(t.to_owned()), InputValue::Bool)
            }
            InputKind::Category => InputValue::Text(t.to_owned()),
            InputKind::Number | InputKind::Likert { .. } => {
                // A plain number first (the common case, and the cheapest test).
                if let Some(x) = crate::float::parse(t) {
                    return InputValue::Number(x);
                }
                if let Some(dots) = t.as_bytes().windows(2).position(|w| w == b"..")
                    && let (Some(a), Some(b)) = (t.get(..dots), t.get(dots + 2..))
                    && let (Some(low), Some(high)) =
                        (crate::float::parse(a.trim()), crate::float::parse(b.trim()))
                {
                    return InputValue::Range { low, high };
                }
                InputValue::Text(t.to_owned())
            }
        }
    }
}

/// A band of a compiled rubric.
#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    pub(crate) id: String,
    pub(crate) label: Text,
    pub(crate) min: f64,
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
    pub(crate) id: String,
    pub(crate) label: Text,
    pub(crate) help: Text,
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
pub(crate) struct Inner {
    pub(crate) doc: RubricDoc,
    pub(crate) fingerprint: String,
    pub(crate) themes: Vec<Theme>,
    pub(crate) criteria: Vec<Criterion>,
    pub(crate) index: crate::id_index::IdIndex<String>,
    /// `[0]` is the rubric's own weights, `[k + 1]` perspective `k`'s.
    pub(crate) weight_sets: Vec<WeightSet>,
    pub(crate) perspectives: Vec<Perspective>,
    pub(crate) bands: Vec<Band>,
    pub(crate) evidence: Vec<(String, f64)>,
}

/// A validated, compiled rubric. Build one with [`Rubric::from_json`],
/// [`Rubric::from_toml`], [`Rubric::compile`] or [`Rubric::builtin`]; score with
/// [`Rubric::score`](crate::Rubric::score). Clones share the compiled data.
///
/// Two rubrics are equal when their fingerprints are.
#[derive(Debug, Clone)]
pub struct Rubric {
    pub(crate) inner: Arc<Inner>,
}

impl PartialEq for Rubric {
    fn eq(&self, other: &Self) -> bool {
        self.inner.fingerprint == other.inner.fingerprint
    }
}
impl Eq for Rubric {}

/// The text in `lang`, falling back to English, then any language.
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
    #[cfg(feature = "toml")]
    pub fn from_toml(text: &str) -> Result<Self> {
        Self::compile(RubricDoc::from_toml(text)?).map_err(first)
    }

    /// Validate a document and compile it, reporting every error found.
    ///
    /// # Errors
    /// `rubric.too_large` alone when the canonical form is above [`MAX_RUBRIC_BYTES`];
    /// otherwise one [`Error`] per problem, each with the path of its field: invalid or duplicate
    /// ids, unknown references, non-finite or out-of-range numbers, negative or all-zero
    /// weights, `best == worst`, non-increasing piecewise points, bad bands, knock-outs
    /// or defaults that do not fit their criterion, empty lists.
    pub fn compile(doc: RubricDoc) -> Result<Self, Errors> {
        crate::compile::compile(doc)
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

    /// The rubric's canonical form: compact JSON, what the fingerprint hashes and what
    /// [`MAX_RUBRIC_BYTES`] limits. The smallest text that loads as this rubric again (for
    /// pickling or sending to another process).
    pub fn canonical_json(&self) -> String {
        self.inner.doc.canonical_json()
    }

    /// The rubric as TOML.
    ///
    /// # Errors
    /// Never for a compiled rubric; a `rubric.parse` error if the TOML writer refuses.
    #[cfg(feature = "toml")]
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

/// The ids as `a, b, c`, or `(none)`.
pub(crate) fn list_or_none<'a>(ids: impl Iterator<Item = &'a str>) -> String {
    let ids: Vec<&str> = ids.collect();
    if ids.is_empty() {
        "(none)".to_owned()
    } else {
        ids.join(", ")
    }
}

/// A yes/no word as people type it (any case): `true yes ja 1 y j` or `false no nee 0 n`;
/// `None` for anything else. The one list for `parse_text` and the CSV readers.
pub(crate) fn parse_bool(t: &str) -> Option<bool> {
    let is = |words: &[&str]| words.iter().any(|w| t.eq_ignore_ascii_case(w));
    if is(&["true", "yes", "ja", "1", "y", "j"]) {
        Some(true)
    } else if is(&["false", "no", "nee", "0", "n"]) {
        Some(false)
    } else {
        None
    }
}
