//! The rubric document: the serde model of a rubric file (JSON or TOML), before
//! validation. [`crate::Rubric`] is the validated, compiled form.
//!
//! Unknown fields are rejected, so a typo such as `weigth` is an error, not a silent
//! default.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Text per language code: `{"nl": "Buurtcontact", "en": "Contact between neighbours"}`.
pub type Text = BTreeMap<String, String>;

/// A rubric document as written by its author.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct RubricDoc {
    /// Stable identifier of the rubric (letters, digits, `_`, `-`).
    pub id: String,
    /// The rubric's own version, e.g. `"2026.1"`; carried by every score.
    pub version: String,
    /// Title per language.
    #[serde(
        default,
        skip_serializing_if = "Text::is_empty",
        deserialize_with = "unique_map"
    )]
    pub title: Text,
    /// Description per language.
    #[serde(
        default,
        skip_serializing_if = "Text::is_empty",
        deserialize_with = "unique_map"
    )]
    pub description: Text,
    /// How criterion values are combined into the total.
    #[serde(default)]
    pub aggregation: Aggregation,
    /// What happens when an input is missing and its criterion has no `default`.
    #[serde(default)]
    pub missing: MissingPolicy,
    /// What happens with an input for a criterion the rubric does not have.
    #[serde(default)]
    pub unknown_inputs: UnknownInputPolicy,
    /// Themes that group the criteria, with their weights.
    pub themes: Vec<ThemeDoc>,
    /// The criteria.
    pub criteria: Vec<CriterionDoc>,
    /// Bands from the highest threshold to the lowest (which must be 0).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bands: Vec<BandDoc>,
    /// Named weight sets: the same initiative seen through other eyes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub perspectives: Vec<PerspectiveDoc>,
    /// Evidence grades an input may carry; a grade widens the input into a range.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<EvidenceGradeDoc>,
    /// Optional monetisation (SROI): financial proxies and outcomes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monetisation: Option<MonetisationDoc>,
}

/// How criterion values are combined into the total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    /// `S = 100 · Σ wᵢ vᵢ / Σ wᵢ` (compensatory).
    #[default]
    WeightedSum,
    /// `S = 100 · Π vᵢ^(wᵢ/Σw)` (a zero on a weighted criterion cannot be bought back).
    WeightedProduct,
}

impl Aggregation {
    /// The name used in rubric files.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::WeightedSum => "weighted_sum",
            Self::WeightedProduct => "weighted_product",
        }
    }
}

/// What happens when an input is missing and its criterion has no `default`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum MissingPolicy {
    /// Scoring fails with `input.missing`.
    #[default]
    Error,
    /// The criterion gets value 0.
    Zero,
    /// The criterion is dropped and the remaining weights are rescaled to sum to 1.
    Renormalise,
}

/// What happens with an input for a criterion the rubric does not have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum UnknownInputPolicy {
    /// Scoring fails with `input.unknown_criterion`.
    #[default]
    Error,
    /// The input is ignored and reported as a warning in the score.
    Warn,
}

/// A theme: a group of criteria with a weight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ThemeDoc {
    /// Stable identifier.
    pub id: String,
    /// Label per language.
    #[serde(
        default,
        skip_serializing_if = "Text::is_empty",
        deserialize_with = "unique_map"
    )]
    pub label: Text,
    /// Help text per language.
    #[serde(
        default,
        skip_serializing_if = "Text::is_empty",
        deserialize_with = "unique_map"
    )]
    pub help: Text,
    /// Relative weight (≥ 0); only ratios between themes matter.
    pub weight: f64,
}

/// A criterion: one thing that is scored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct CriterionDoc {
    /// Stable identifier, also the key of the input.
    pub id: String,
    /// The id of the theme it belongs to.
    pub theme: String,
    /// Label per language.
    #[serde(
        default,
        skip_serializing_if = "Text::is_empty",
        deserialize_with = "unique_map"
    )]
    pub label: Text,
    /// Help text per language.
    #[serde(
        default,
        skip_serializing_if = "Text::is_empty",
        deserialize_with = "unique_map"
    )]
    pub help: Text,
    /// Unit of the raw input, e.g. `"h/yr"`, `"m²"`, `"%"`, `"€"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Relative weight within its theme (≥ 0).
    pub weight: f64,
    /// Maps the raw input to a value in `[0, 1]`; also decides the input kind.
    pub value_function: ValueFunctionDoc,
    /// Smallest allowed input (number criteria); smaller inputs are rejected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Largest allowed input (number criteria); larger inputs are rejected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Input used when this criterion's input is missing (overrides the rubric's policy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<DefaultValue>,
    /// A knock-out rule on the raw input: failing it is reported in the verdict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub knockout: Option<KnockoutDoc>,
}

/// A value function, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ValueFunctionDoc {
    /// `clamp((x − worst)/(best − worst), 0, 1)`; a cost criterion has `worst > best`.
    Linear {
        /// Input with value 0.
        worst: f64,
        /// Input with value 1.
        best: f64,
    },
    /// Linear between `[x, v]` points (x strictly increasing, v in `[0, 1]`), flat outside.
    Piecewise {
        /// The points `[x, v]`.
        points: Vec<[f64; 2]>,
    },
    /// Diminishing returns: `ln(1 + x/scale) / ln(1 + best/scale)`, clamped to `[0, 1]`.
    Log {
        /// Input with value 1.
        best: f64,
        /// How quickly returns diminish (smaller: faster).
        scale: f64,
    },
    /// A Likert answer 1..levels: `(x − 1)/(levels − 1)`.
    Likert {
        /// Number of levels (2 to 100).
        levels: u32,
    },
    /// Yes or no: `true` → 1, `false` → 0.
    Boolean,
    /// One of a list of options, each with its value.
    Category {
        /// The options, in display order.
        options: Vec<OptionDoc>,
    },
}

/// An option of a category criterion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct OptionDoc {
    /// Stable identifier, the input value that selects it.
    pub id: String,
    /// Label per language.
    #[serde(
        default,
        skip_serializing_if = "Text::is_empty",
        deserialize_with = "unique_map"
    )]
    pub label: Text,
    /// Value in `[0, 1]`.
    pub value: f64,
}

/// A default input: a number, a boolean or a category option id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum DefaultValue {
    /// For number and Likert criteria.
    Number(f64),
    /// For boolean criteria.
    Bool(bool),
    /// For category criteria: an option id.
    Option(String),
}

/// A knock-out rule on the raw input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum KnockoutDoc {
    /// Fails when the input is below this (number and Likert criteria).
    AtLeast(f64),
    /// Fails when the input is above this (number and Likert criteria).
    AtMost(f64),
    /// Fails unless the input is `true` (boolean criteria).
    Required(bool),
    /// Fails unless the input is one of these options (category criteria).
    OneOf(Vec<String>),
}

/// A band: totals at or above `min` (and below the previous band's) get this band.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct BandDoc {
    /// Stable identifier, e.g. `"strong"`.
    pub id: String,
    /// Label per language.
    #[serde(
        default,
        skip_serializing_if = "Text::is_empty",
        deserialize_with = "unique_map"
    )]
    pub label: Text,
    /// Lowest total in this band, in `[0, 100]`.
    pub min: f64,
}

/// A perspective: weights that replace the rubric's for some themes or criteria.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct PerspectiveDoc {
    /// Stable identifier, e.g. `"residents"`.
    pub id: String,
    /// Label per language.
    #[serde(
        default,
        skip_serializing_if = "Text::is_empty",
        deserialize_with = "unique_map"
    )]
    pub label: Text,
    /// Help text per language.
    #[serde(
        default,
        skip_serializing_if = "Text::is_empty",
        deserialize_with = "unique_map"
    )]
    pub help: Text,
    /// Theme id → weight; themes not named keep the rubric's weight.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "unique_map"
    )]
    pub themes: BTreeMap<String, f64>,
    /// Criterion id → weight within its theme; criteria not named keep the rubric's weight.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "unique_map"
    )]
    pub criteria: BTreeMap<String, f64>,
}

/// An evidence grade: how much an input given with this grade is widened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct EvidenceGradeDoc {
    /// Stable identifier, e.g. `"measured"`, `"estimated"`, `"claimed"`.
    pub id: String,
    /// Label per language.
    #[serde(
        default,
        skip_serializing_if = "Text::is_empty",
        deserialize_with = "unique_map"
    )]
    pub label: Text,
    /// Relative half-width: an input `x` becomes `[x − widen·|x|, x + widen·|x|]`,
    /// clipped to the criterion's `min`/`max`. In `[0, 1]`.
    pub widen: f64,
}

/// Monetisation (SROI-style): the rubric carries its own financial proxies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct MonetisationDoc {
    /// ISO 4217 currency code of every proxy value, e.g. `"EUR"`.
    pub currency: String,
    /// Yearly discount rate as a fraction (0.0225 for 2.25 %).
    pub discount_rate: f64,
    /// Financial proxies, each with its unit, source, price year and licence.
    pub proxies: Vec<ProxyDoc>,
    /// Outcomes: a criterion's quantity valued by a proxy.
    pub outcomes: Vec<OutcomeDoc>,
    /// The number criterion whose input is the investment the value is set against (e.g.
    /// the municipal contribution); without it the investment must be given when
    /// monetising.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub investment: Option<String>,
}

/// A financial proxy: the money value of one unit of an outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ProxyDoc {
    /// Stable identifier.
    pub id: String,
    /// Label per language.
    #[serde(
        default,
        skip_serializing_if = "Text::is_empty",
        deserialize_with = "unique_map"
    )]
    pub label: Text,
    /// The unit one value is for, e.g. `"volunteer hour"`.
    pub unit: String,
    /// Money per unit (≥ 0).
    pub value: f64,
    /// Where the value comes from.
    pub source: String,
    /// Price base year.
    pub year: u16,
    /// Licence under which the value may be used.
    pub licence: String,
}

/// An outcome: the quantity of a criterion's input valued by a proxy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct OutcomeDoc {
    /// Stable identifier.
    pub id: String,
    /// The number criterion whose input is the yearly quantity.
    pub criterion: String,
    /// The proxy that values one unit.
    pub proxy: String,
    /// Share that would have happened anyway, in `[0, 1]`.
    #[serde(default)]
    pub deadweight: f64,
    /// Share that merely moved from elsewhere, in `[0, 1]`.
    #[serde(default)]
    pub displacement: f64,
    /// Share owed to others, in `[0, 1]`.
    #[serde(default)]
    pub attribution: f64,
    /// Yearly decline after the first year, in `[0, 1]`.
    #[serde(default)]
    pub drop_off: f64,
    /// Number of years the outcome lasts (≥ 1).
    #[serde(default = "one_year")]
    pub duration_years: u32,
}

fn one_year() -> u32 {
    1
}

/// A map whose keys each appear once: a key given twice is an error naming it (a plain map
/// would keep the last value and never validate the first).
fn unique_map<'de, D, V>(d: D) -> Result<BTreeMap<String, V>, D::Error>
where
    D: serde::Deserializer<'de>,
    V: Deserialize<'de>,
{
    struct Unique<V>(std::marker::PhantomData<V>);
    impl<'de, V: Deserialize<'de>> serde::de::Visitor<'de> for Unique<V> {
        type Value = BTreeMap<String, V>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a map")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some(key) = map.next_key::<String>()? {
                if out.contains_key(&key) {
                    return Err(serde::de::Error::custom(given_twice(&key)));
                }
                let value = map.next_value::<V>()?;
                out.insert(key, value);
            }
            Ok(out)
        }
    }
    d.deserialize_map(Unique(std::marker::PhantomData))
}

/// The message of a map key given twice (the derived reader and `doc_tree` share it).
pub(crate) fn given_twice(key: &str) -> String {
    format!(
        "key \"{}\" given more than once (each key may appear once)",
        crate::input::shorten(key, 80)
    )
}
