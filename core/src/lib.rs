//! # civic-value
//!
//! Score the societal value ("maatschappelijke waarde") of citizen initiatives on a
//! configurable, transparent rubric. A rubric (JSON or TOML) names themes and criteria,
//! how each raw input maps to a value in `[0, 1]`, the weights, bands, knock-outs and
//! perspectives; it is validated once into a [`Rubric`] that scores many times and is
//! `Send + Sync`. Every [`Score`] explains itself: per-criterion points, what is still
//! available, missing or clamped inputs, the interval when an input is uncertain, and the
//! rubric's fingerprint.
//!
//! # Example
//!
//! ```
//! use civic_value::{Inputs, Rubric};
//!
//! # fn main() -> Result<(), civic_value::Error> {
//! let rubric = Rubric::builtin();
//! let inputs = Inputs::from_json(r#"{
//!     "volunteer_hours": [2500, 4000],
//!     "neighbour_contact": 4,
//!     "support_share": 72,
//!     "permit_secured": true,
//!     "inclusion": "several_groups"
//! }"#)?;
//! let score = rubric.score(&inputs, None)?;
//! assert!(score.interval.low <= score.total && score.total <= score.interval.high);
//! let sum: f64 = score.criteria.iter().map(|c| c.points).sum();
//! assert!((sum - score.total).abs() < 1e-9);
//! # Ok(())
//! # }
//! ```
//!
//! # Errors
//!
//! Every error has a stable [`Error::code`], the [`Error::path`] of the offending field and
//! a message:
//!
//! ```
//! use civic_value::{Inputs, Rubric};
//!
//! let rubric = Rubric::builtin();
//! let inputs = Inputs::new().with("volunteer_hours", "lots");
//! let err = rubric.score(&inputs, None).unwrap_err();
//! assert_eq!(err.code(), "input.not_a_number");
//! assert_eq!(err.to_string(), r#"input.volunteer_hours: expected a number or [low, high], got "lots""#);
//! ```

#![cfg_attr(
    test,
    allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)
)]
#![deny(missing_docs)]

mod aggregate;
pub mod analysis;
mod band;
mod batch;
mod builtin;
mod canonical;
mod canonical_json;
mod compile;
pub mod csv_plain;
mod csv_records;
mod describe;
pub mod doc;
mod doc_tree;
mod error;
mod float;
mod float_text;
mod id_index;
mod input;
mod json_tree;
#[cfg(not(target_arch = "wasm32"))]
mod log1p;
mod parse;
mod rubric;
mod score;
mod short;
pub mod stream;
#[cfg(test)]
mod test_support;
mod tree;
mod value;

pub use band::{BAND_DECIMALS, band_total};
pub use batch::{BatchScorer, BlockScores, RowScore};
pub use builtin::{DEFAULT_RUBRIC_JSON, DEFAULT_RUBRIC_TOML};
pub use describe::{
    BandDescription, CriterionDescription, Description, EvidenceDescription, OptionDescription,
    PerspectiveDescription, ThemeDescription,
};
pub use doc::{Aggregation, MissingPolicy, RubricDoc, UnknownInputPolicy};
pub use error::{Error, ErrorCategory, ErrorKind, Errors, Result};
pub use input::{Initiative, InputValue, Inputs, MAX_INPUT_BYTES, strip_bom};
pub use rubric::{
    Band, CategoryOption, Criterion, InputKind, Knockout, MAX_CRITERIA, MAX_RUBRIC_BYTES,
    MAX_RUBRIC_TEXT_BYTES, Perspective, Rubric, Theme,
};
pub use score::{
    CriterionScore, ENGINE_VERSION, Flag, Interval, KnockoutResult, RubricRef, Score, ThemeScore,
    Warning,
};
pub use short::{MAX_ECHO, display_number, format_number};
pub use tree::{Tree, TreeError};
