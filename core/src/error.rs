//! Errors: every error carries a stable machine-readable code, the path of the offending
//! field and a human message.

use std::fmt;

use crate::short::{self, num, plain};

/// The two families of errors: a bad rubric, or bad input to a valid rubric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCategory {
    /// The rubric document is malformed or inconsistent (codes `rubric.*`).
    Rubric,
    /// The inputs to a valid rubric are malformed or out of bounds (codes `input.*`).
    Input,
}

/// What went wrong, without the where. See [`Error`] for the where.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    // ---- rubric -------------------------------------------------------------------
    /// The rubric text is not valid JSON/TOML or a field has the wrong type.
    #[error("invalid {format}: {}", short::message(.message))]
    RubricParse {
        /// `"JSON"` or `"TOML"`.
        format: &'static str,
        /// The parser's message.
        message: String,
    },
    /// The document is larger than the engine accepts.
    #[error("document is {size} bytes, more than the limit of {limit}")]
    RubricTooLarge {
        /// Size in bytes.
        size: usize,
        /// Limit in bytes.
        limit: usize,
    },
    /// The rubric's canonical form (compact JSON) is larger than the engine accepts.
    #[error(
        "the rubric is {size} bytes in its canonical form (compact JSON), more than the limit of {limit}"
    )]
    RubricCanonicalTooLarge {
        /// Size of the canonical form in bytes.
        size: usize,
        /// Limit in bytes.
        limit: usize,
    },
    /// A rubric source (a file, a pipe, a device) holds more text than is read for a rubric
    /// ([`MAX_RUBRIC_TEXT_BYTES`](crate::MAX_RUBRIC_TEXT_BYTES)); reading stopped there.
    #[error("more than {limit} bytes of text, the most read for a rubric")]
    RubricTextTooLong {
        /// Limit in bytes.
        limit: usize,
    },
    /// A required list (themes, criteria, options, points) is empty.
    #[error("must not be empty")]
    Empty,
    /// A list has more entries than the engine accepts.
    #[error("has {got} entries, more than the limit of {limit}")]
    TooMany {
        /// Entries found.
        got: usize,
        /// Limit.
        limit: usize,
    },
    /// Two entries share an id.
    #[error("duplicate id \"{}\"", short::value(.id))]
    DuplicateId {
        /// The repeated id.
        id: String,
    },
    /// An id is empty, too long or uses characters other than letters, digits, `_` and `-`.
    #[error("invalid id \"{}\": use 1 to 64 letters, digits, '_' or '-', starting with a letter", short::value(.id))]
    InvalidId {
        /// The offending id.
        id: String,
    },
    /// A reference to a theme, criterion, option or proxy that does not exist.
    #[error("unknown {what} \"{}\"", short::value(.id))]
    UnknownReference {
        /// What kind of thing was referred to (`"theme"`, `"criterion"`, …).
        what: &'static str,
        /// The id that was not found.
        id: String,
    },
    /// NaN or ±infinity in a rubric number.
    #[error("must be a finite number, got {}", num(.value))]
    NotFinite {
        /// The value found.
        value: f64,
    },
    /// A weight below zero.
    #[error("must not be negative, got {}", num(.value))]
    NegativeWeight {
        /// The value found.
        value: f64,
    },
    /// Every weight in a set (themes, or the criteria of a weighted theme) is zero.
    #[error("the weights of {what} must not all be zero")]
    ZeroWeights {
        /// Whose weights: `"the themes"` or `"this theme's criteria"`.
        what: &'static str,
    },
    /// `linear` with `best == worst`.
    #[error("must differ from worst")]
    BestEqualsWorst,
    /// `piecewise` x values that do not strictly increase.
    #[error("x values must be strictly increasing, but {} follows {}", num(.x), num(.previous))]
    NotIncreasing {
        /// The previous x.
        previous: f64,
        /// The x that does not exceed it.
        x: f64,
    },
    /// A number outside its allowed interval (fractions in `[0, 1]`, band thresholds in
    /// `[0, 100]`, weights up to `1e9`, any rubric number within `±1e15`, …).
    #[error("must lie in [{}, {}], got {}", num(.min), num(.max), num(.value))]
    NotBetween {
        /// Smallest allowed value.
        min: f64,
        /// Largest allowed value.
        max: f64,
        /// The value found.
        value: f64,
    },
    /// A list with fewer entries than needed (e.g. a piecewise function with one point).
    #[error("needs at least {min} entries, got {got}")]
    TooFew {
        /// Entries needed.
        min: usize,
        /// Entries found.
        got: usize,
    },
    /// A theme that no criterion belongs to.
    #[error("no criterion belongs to this theme")]
    EmptyTheme,
    /// A field that does not apply to the criterion's input kind (`min` on a boolean).
    #[error("\"{field}\" does not apply to a {kind} criterion")]
    NotApplicable {
        /// The field.
        field: &'static str,
        /// The criterion's input kind.
        kind: &'static str,
    },
    /// A parameter that must be greater than zero.
    #[error("must be greater than zero, got {}", num(.value))]
    NotPositive {
        /// The value found.
        value: f64,
    },
    /// `min` above `max`.
    #[error("min ({}) must not exceed max ({})", num(.min), num(.max))]
    LimitsInverted {
        /// The lower limit.
        min: f64,
        /// The upper limit.
        max: f64,
    },
    /// Band thresholds that do not strictly decrease.
    #[error("band thresholds must strictly decrease from the first band to the last")]
    BandsOrder,
    /// The last band does not start at 0, so some totals would have no band.
    #[error("the last band must start at 0 so that every total has a band, got {}", num(.value))]
    BandsIncomplete {
        /// The last band's threshold.
        value: f64,
    },
    /// A knock-out rule that does not fit the criterion's input kind.
    #[error("a \"{rule}\" knock-out does not apply to a {kind} criterion")]
    KnockoutMismatch {
        /// The rule name.
        rule: &'static str,
        /// The criterion's input kind.
        kind: &'static str,
    },
    /// A criterion's `default` is not a valid input for that criterion.
    #[error("invalid default: {}", short::message(.message))]
    InvalidDefault {
        /// Why the default is invalid.
        message: String,
    },

    // ---- input --------------------------------------------------------------------
    /// The inputs document is not valid JSON or an input has an impossible shape.
    #[error("{}", short::message(.message))]
    InputParse {
        /// The parser's message.
        message: String,
    },
    /// One JSON document of inputs larger than the engine reads whole.
    #[error(
        "a single JSON document may be at most {limit} bytes; for more initiatives use a JSON \
         array, NDJSON (one object a line) or CSV, which are read as a stream"
    )]
    StreamInstead {
        /// Limit in bytes.
        limit: usize,
    },
    /// The inputs document is larger than the engine accepts.
    #[error("document is {size} bytes, more than the limit of {limit}")]
    InputTooLarge {
        /// Size in bytes.
        size: usize,
        /// Limit in bytes.
        limit: usize,
    },
    /// A number criterion got something else.
    #[error("expected a number or [low, high], got {}", short::value(.got))]
    NotANumber {
        /// The value received, as text.
        got: String,
    },
    /// NaN or ±infinity as an input.
    #[error("must be a finite number, got {}", num(.got))]
    InputNotFinite {
        /// The value received.
        got: f64,
    },
    /// A number below the criterion's allowed minimum (e.g. negative hours).
    #[error("must be at least {}, got {}", num(.min), num(.got))]
    BelowMin {
        /// Allowed minimum.
        min: f64,
        /// The value received.
        got: f64,
    },
    /// A number above the criterion's allowed maximum.
    #[error("must be at most {}, got {}", num(.max), num(.got))]
    AboveMax {
        /// Allowed maximum.
        max: f64,
        /// The value received.
        got: f64,
    },
    /// A range whose low end exceeds its high end.
    #[error("low ({}) must not exceed high ({})", num(.low), num(.high))]
    RangeInverted {
        /// Low end.
        low: f64,
        /// High end.
        high: f64,
    },
    /// A range given for a criterion that is not a number.
    #[error("a range or an evidence grade is only allowed for number criteria, this one is {kind}")]
    RangeNotAllowed {
        /// The criterion's input kind.
        kind: &'static str,
    },
    /// A Likert answer that is not a whole number from 1 to the number of levels.
    #[error("expected a whole number from 1 to {levels}, got {}", short::value(.got))]
    LikertOutOfRange {
        /// Number of levels.
        levels: u32,
        /// The value received, as text.
        got: String,
    },
    /// A boolean criterion got something else.
    #[error("expected true or false, got {}", short::value(.got))]
    NotABoolean {
        /// The value received, as text.
        got: String,
    },
    /// A category criterion got something that is not one of its options.
    #[error("expected one of {}, got {}", short::list(.options), short::value(.got))]
    UnknownOption {
        /// The allowed options, quoted and comma separated.
        options: String,
        /// The value received, as text.
        got: String,
    },
    /// An evidence grade the rubric does not define.
    #[error("unknown evidence grade \"{}\"; the rubric defines: {}", short::value(.grade), short::list(.known))]
    UnknownEvidence {
        /// The grade received.
        grade: String,
        /// The grades the rubric defines.
        known: String,
    },
    /// An input for a criterion the rubric does not have.
    #[error("no criterion with this id in rubric \"{}\"", short::value(.rubric))]
    UnknownCriterion {
        /// The rubric's id.
        rubric: String,
    },
    /// A perspective the rubric does not define.
    #[error("unknown perspective \"{}\"; the rubric defines: {}", short::value(.id), short::list(.known))]
    UnknownPerspective {
        /// The perspective asked for.
        id: String,
        /// The perspectives the rubric defines.
        known: String,
    },
    /// A missing input under the `error` missing-data policy.
    #[error("a value is required (the rubric's missing-data policy is \"error\")")]
    Missing,
    /// Every weighted criterion is missing under the `renormalise` policy.
    #[error("nothing to score: every criterion with a weight is missing")]
    NothingToScore,
    /// A share (deadweight, displacement, attribution, drop-off, a rate) outside 0–1.
    #[error("must be a fraction from 0 to 1, got {}", plain(.got))]
    NotAFraction {
        /// The value received.
        got: f64,
    },
    /// A quantity, proxy or investment below zero.
    #[error("must not be negative, got {}", plain(.got))]
    Negative {
        /// The value received.
        got: f64,
    },
    /// An investment of zero: no ratio (value per unit invested) exists.
    #[error(
        "the investment is zero, so there is no SROI ratio (value per euro invested); give a positive investment"
    )]
    NoInvestment,
    /// An outcome duration that is not a whole number of years from 1 to the maximum.
    #[error("must be a whole number of years from 1 to {max}, got {}", plain(.got))]
    InvalidDuration {
        /// The value received.
        got: f64,
        /// The longest duration accepted.
        max: u32,
    },
    /// A discount preset that does not exist.
    #[error("unknown discount {got:?}; give a rate (0.035 or 3.5%) or one of: {known}")]
    UnknownDiscount {
        /// The name received.
        got: String,
        /// The presets there are.
        known: String,
    },
    /// Monetisation asked of a rubric without financial proxies.
    #[error("rubric \"{rubric}\" has no monetisation (financial proxies and outcomes)")]
    NoMonetisation {
        /// The rubric's id.
        rubric: String,
    },
    // ---- weigh and decide (analysis: AHP, weights, MCDA, levers, path to a band) -----
    /// A matrix, list or table with nothing in it.
    #[error("must not be empty")]
    InputEmpty,
    /// A number that must be greater than zero (an AHP judgement, a cost value divided by).
    #[error("must be greater than zero, got {}", plain(.got))]
    InputNotPositive {
        /// The value received.
        got: f64,
    },
    /// An AHP judgement that is not the reciprocal of its mirror cell.
    #[error("must be {expected} (reciprocal of {of}), got {got}")]
    NotReciprocal {
        /// The value expected, as text (`1/3`).
        expected: String,
        /// The mirror cell's value, as text (`3`).
        of: String,
        /// The value found, as text.
        got: String,
    },
    /// A diagonal cell of a pairwise comparison matrix that is not 1.
    #[error("must be 1 (an item compared with itself), got {got}")]
    DiagonalNotOne {
        /// The value found, as text.
        got: String,
    },
    /// A random-index table that has no value for a matrix of this size.
    #[error(
        "{table} random index covers n = 1 to {max}, this matrix has n = {n}; use ri \"alonso_lamata\", which extends to any n"
    )]
    RandomIndexNotCovered {
        /// The table's name.
        table: &'static str,
        /// The largest n it covers.
        max: usize,
        /// The matrix size.
        n: usize,
    },
    /// A method, normalisation or random-index table name that does not exist.
    #[error("unknown {what} \"{got}\"; use one of: {known}")]
    UnknownMethod {
        /// What was named (`"normalization"`, `"AHP method"`, `"random index"`).
        what: &'static str,
        /// The name received.
        got: String,
        /// The names there are.
        known: String,
    },
    /// A criterion type that is neither 1 (benefit) nor −1 (cost).
    #[error("must be 1 (benefit) or -1 (cost), got {}", plain(.got))]
    InvalidType {
        /// The value received.
        got: f64,
    },
    /// A column that makes a method divide by zero (constant under min-max, all zero …).
    #[error("{reason}: {method} normalisation is undefined for this column")]
    DegenerateColumn {
        /// Why (`"is constant (5 in every row)"`, `"is all zero"`).
        reason: String,
        /// The normalisation.
        method: &'static str,
    },
    /// Weights of a method's input that are all zero.
    #[error("the weights must not all be zero")]
    InputZeroWeights,
    /// A criterion without a weight where every criterion needs one.
    #[error(
        "no weight given for this criterion; give every criterion a weight (0 to leave it out)"
    )]
    WeightMissing,
    /// A number outside the interval a method accepts.
    #[error("must lie in [{}, {}], got {}", plain(.min), plain(.max), plain(.got))]
    OutOfRange {
        /// Smallest allowed value.
        min: f64,
        /// Largest allowed value.
        max: f64,
        /// The value received.
        got: f64,
    },
    /// Swing weights whose most important swing is not given 100.
    #[error(
        "the most important swing must be given 100 (the others relative to it); the highest here is {}",
        plain(.max)
    )]
    SwingWithoutBest {
        /// The highest points given.
        max: f64,
    },
    /// Every alternative equal on every weighted criterion: no ideal to be closer to.
    #[error(
        "every alternative is equal on every weighted criterion, so closeness to the ideal is undefined"
    )]
    NoSpread,
    /// A band the rubric does not define.
    #[error("unknown band \"{id}\"; the rubric defines: {known}")]
    UnknownBand {
        /// The band asked for.
        id: String,
        /// The bands the rubric defines.
        known: String,
    },
    /// A band that no change of inputs reaches.
    #[error("band \"{band}\" cannot be reached: {reason}")]
    Unreachable {
        /// The band asked for.
        band: String,
        /// Why not.
        reason: String,
    },
    /// A theme the rubric does not define.
    #[error("unknown theme \"{id}\"; the rubric defines: {known}")]
    UnknownTheme {
        /// The theme named.
        id: String,
        /// The themes the rubric defines.
        known: String,
    },
    /// A theme of several criteria without its pairwise comparison matrix.
    #[error("needs a pairwise comparison matrix of its {n} criteria ({criteria})")]
    MatrixMissing {
        /// Number of criteria in the theme.
        n: usize,
        /// Their ids, in rubric order.
        criteria: String,
    },
    /// A cost or budget that is not a whole, non-negative number of euros.
    #[error("must be a whole number of euros, got {got}")]
    NotWholeEuros {
        /// The value received, as text.
        got: String,
    },
    /// A value that an analysis needs is missing (a cost, a group).
    #[error("a value is required")]
    Required,
    /// More rows than an analysis accepts at once.
    #[error("{got} rows, more than the limit of {limit}")]
    TooManyRows {
        /// Rows received.
        got: usize,
        /// The limit.
        limit: usize,
    },
    /// A minimum per group above the maximum per group.
    #[error("min_per_group ({min}) must not exceed max_per_group ({max})")]
    InputLimitsInverted {
        /// The minimum.
        min: u32,
        /// The maximum.
        max: u32,
    },
    /// No choice satisfies the constraints (group minimums within the budget).
    #[error("no choice is possible: {message}")]
    Infeasible {
        /// Which constraint cannot be met.
        message: String,
    },
    /// An exact search gave up at its node limit without proving the best answer.
    #[error(
        "the exact search stopped after {nodes} nodes without proving the best choice (costs and values almost exactly proportional make it hard); raise the node limit or round the costs to larger units"
    )]
    SearchLimit {
        /// Nodes visited.
        nodes: u64,
    },
    /// A parameter of an analysis outside what it accepts (`draws`, `concentration`,
    /// `top_k`, the number of initiatives).
    #[error("expected {expected}, got {got}")]
    InvalidParameter {
        /// What is accepted.
        expected: String,
        /// The value received, as text.
        got: String,
    },
    /// A long analysis stopped by its progress callback (e.g. Ctrl-C).
    #[error("stopped before the end")]
    Cancelled,
    /// The same column named twice in a matrix.
    #[error("column named more than once")]
    DuplicateColumn,
    /// A row of a matrix with the wrong number of values.
    #[error("expected {expected} values, got {got}")]
    Shape {
        /// Number of columns expected.
        expected: usize,
        /// Number of values received.
        got: usize,
    },
}

impl ErrorKind {
    /// The stable machine-readable code, e.g. `"input.not_a_number"`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::RubricParse { .. } => "rubric.parse",
            Self::RubricTooLarge { .. }
            | Self::RubricCanonicalTooLarge { .. }
            | Self::RubricTextTooLong { .. } => "rubric.too_large",
            Self::Empty => "rubric.empty",
            Self::TooMany { .. } => "rubric.too_many",
            Self::DuplicateId { .. } => "rubric.duplicate_id",
            Self::InvalidId { .. } => "rubric.invalid_id",
            Self::UnknownReference { .. } => "rubric.unknown_reference",
            Self::NotFinite { .. } => "rubric.not_finite",
            Self::NegativeWeight { .. } => "rubric.negative_weight",
            Self::ZeroWeights { .. } => "rubric.zero_weights",
            Self::BestEqualsWorst => "rubric.best_equals_worst",
            Self::NotIncreasing { .. } => "rubric.not_increasing",
            Self::NotBetween { .. } => "rubric.out_of_bounds",
            Self::TooFew { .. } => "rubric.too_few",
            Self::EmptyTheme => "rubric.empty_theme",
            Self::NotApplicable { .. } => "rubric.not_applicable",
            Self::NotPositive { .. } => "rubric.not_positive",
            Self::LimitsInverted { .. } => "rubric.limits_inverted",
            Self::BandsOrder => "rubric.bands_order",
            Self::BandsIncomplete { .. } => "rubric.bands_incomplete",
            Self::KnockoutMismatch { .. } => "rubric.knockout_mismatch",
            Self::InvalidDefault { .. } => "rubric.invalid_default",
            Self::InputParse { .. } => "input.parse",
            Self::InputTooLarge { .. } | Self::StreamInstead { .. } => "input.too_large",
            Self::NotANumber { .. } => "input.not_a_number",
            Self::InputNotFinite { .. } => "input.not_finite",
            Self::BelowMin { .. } => "input.below_min",
            Self::AboveMax { .. } => "input.above_max",
            Self::RangeInverted { .. } => "input.range_inverted",
            Self::RangeNotAllowed { .. } => "input.range_not_allowed",
            Self::LikertOutOfRange { .. } => "input.likert_out_of_range",
            Self::NotABoolean { .. } => "input.not_a_boolean",
            Self::UnknownOption { .. } => "input.unknown_option",
            Self::UnknownEvidence { .. } => "input.unknown_evidence",
            Self::UnknownCriterion { .. } => "input.unknown_criterion",
            Self::UnknownPerspective { .. } => "input.unknown_perspective",
            Self::Missing => "input.missing",
            Self::NothingToScore => "input.nothing_to_score",
            Self::NotAFraction { .. } => "input.not_a_fraction",
            Self::Negative { .. } => "input.negative",
            Self::NoInvestment => "input.no_investment",
            Self::InvalidDuration { .. } => "input.invalid_duration",
            Self::UnknownDiscount { .. } => "input.unknown_discount",
            Self::NoMonetisation { .. } => "input.no_monetisation",
            Self::InputEmpty => "input.empty",
            Self::InputNotPositive { .. } => "input.not_positive",
            Self::NotReciprocal { .. } => "input.not_reciprocal",
            Self::DiagonalNotOne { .. } => "input.diagonal_not_one",
            Self::RandomIndexNotCovered { .. } => "input.random_index_not_covered",
            Self::UnknownMethod { .. } => "input.unknown_method",
            Self::InvalidType { .. } => "input.invalid_type",
            Self::DegenerateColumn { .. } => "input.degenerate_column",
            Self::InputZeroWeights => "input.zero_weights",
            Self::WeightMissing => "input.weight_missing",
            Self::OutOfRange { .. } => "input.out_of_range",
            Self::SwingWithoutBest { .. } => "input.swing_without_best",
            Self::NoSpread => "input.no_spread",
            Self::UnknownBand { .. } => "input.unknown_band",
            Self::Unreachable { .. } => "input.unreachable",
            Self::UnknownTheme { .. } => "input.unknown_theme",
            Self::MatrixMissing { .. } => "input.matrix_missing",
            Self::NotWholeEuros { .. } => "input.not_whole_euros",
            Self::Required => "input.missing",
            Self::TooManyRows { .. } => "input.too_many",
            Self::InputLimitsInverted { .. } => "input.limits_inverted",
            Self::Infeasible { .. } => "input.infeasible",
            Self::SearchLimit { .. } => "input.search_limit",
            Self::DuplicateColumn => "input.duplicate_column",
            Self::Shape { .. } => "input.shape",
            Self::InvalidParameter { .. } => "input.invalid_parameter",
            Self::Cancelled => "analysis.cancelled",
        }
    }

    /// Whether this is a rubric or an input error.
    pub fn category(&self) -> ErrorCategory {
        if self.code().starts_with("rubric.") {
            ErrorCategory::Rubric
        } else {
            ErrorCategory::Input
        }
    }

    /// Attach the path of the offending field (a path longer than 160 characters is
    /// shortened to its first and last segments, each segment to 80 characters).
    pub fn at(self, path: impl Into<String>) -> Error {
        Error {
            path: short::path(path.into()),
            kind: self,
        }
    }
}

/// An error with the path of the offending field, e.g.
/// `criteria[3].value_function.best: must differ from worst`.
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    path: String,
    kind: ErrorKind,
}

impl Error {
    /// Build an error from a kind and a path.
    pub fn new(kind: ErrorKind, path: impl Into<String>) -> Self {
        kind.at(path)
    }

    /// The stable machine-readable code, e.g. `"rubric.best_equals_worst"`.
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// The path of the offending field (`criteria[3].weight`, `input.volunteer_hours`);
    /// empty when the error concerns the whole document.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The human message without the path: echoed values capped at 80 characters, control
    /// characters escaped, at most 400 characters in all.
    pub fn message(&self) -> String {
        short::message(&self.kind.to_string())
    }

    /// Whether this is a rubric or an input error.
    pub fn category(&self) -> ErrorCategory {
        self.kind.category()
    }

    /// The same error with `prefix` put before its path (`rows[3]` + `input.x`).
    pub fn prefixed(mut self, prefix: &str) -> Self {
        self.path = short::path(if self.path.is_empty() {
            prefix.to_owned()
        } else if self.path.starts_with('[') {
            format!("{prefix}{}", self.path)
        } else {
            format!("{prefix}.{}", self.path)
        });
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message())
        } else {
            write!(f, "{}: {}", self.path, self.message())
        }
    }
}

impl std::error::Error for Error {}

/// Several errors at once (what `validate` reports for a rubric with more than one mistake).
#[derive(Debug, Clone, PartialEq)]
pub struct Errors(pub Vec<Error>);

impl fmt::Display for Errors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Errors {}

/// A serde field path as this crate writes it: `criteria[3].weight`; empty for the whole
/// document, and without the `?` segments that stand for a position serde could not name.
pub(crate) fn path_string(path: &serde_path_to_error::Path) -> String {
    let text = path.to_string();
    let mut out = String::with_capacity(text.len());
    for (i, part) in text.split('.').enumerate() {
        let part = part.trim_end_matches('?');
        if part.is_empty() {
            continue;
        }
        if i > 0 && !out.is_empty() && !part.starts_with('[') {
            out.push('.');
        }
        out.push_str(part);
    }
    out
}

/// Shorthand for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
