//! A plain description of a rubric in one language: what a form needs to render itself.

use serde::{Deserialize, Serialize};

use crate::doc::{Aggregation, MissingPolicy};
use crate::input::InputValue;
use crate::rubric::{InputKind, Rubric};

/// A rubric described in one language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Description {
    /// Rubric id.
    pub id: String,
    /// Rubric version.
    pub version: String,
    /// Rubric fingerprint.
    pub fingerprint: String,
    /// The language of the texts.
    pub lang: String,
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Aggregation.
    pub aggregation: Aggregation,
    /// Missing-data policy.
    pub missing: MissingPolicy,
    /// Themes with their criteria, in rubric order.
    pub themes: Vec<ThemeDescription>,
    /// Bands from the highest threshold to the lowest.
    pub bands: Vec<BandDescription>,
    /// Perspectives.
    pub perspectives: Vec<PerspectiveDescription>,
    /// Evidence grades.
    pub evidence: Vec<EvidenceDescription>,
}

/// A theme described in one language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThemeDescription {
    /// Theme id.
    pub id: String,
    /// Label.
    pub label: String,
    /// Help text.
    pub help: String,
    /// Effective weight (share of the total, 0–1).
    pub weight: f64,
    /// Its criteria.
    pub criteria: Vec<CriterionDescription>,
}

/// A criterion described in one language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriterionDescription {
    /// Criterion id (the input key).
    pub id: String,
    /// Theme id.
    pub theme: String,
    /// Label.
    pub label: String,
    /// Help text.
    pub help: String,
    /// Unit of the raw input.
    pub unit: Option<String>,
    /// `"number"`, `"likert"`, `"boolean"` or `"category"`.
    pub kind: String,
    /// Smallest allowed input (number criteria).
    pub min: Option<f64>,
    /// Largest allowed input (number criteria).
    pub max: Option<f64>,
    /// Number of levels (Likert criteria).
    pub levels: Option<u32>,
    /// Options (category criteria).
    pub options: Vec<OptionDescription>,
    /// Effective weight (share of the total, 0–1).
    pub weight: f64,
    /// Default input when missing.
    pub default: Option<InputValue>,
    /// Knock-out rule as text, e.g. `">= 50"`.
    pub knockout: Option<String>,
}

/// An option described in one language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptionDescription {
    /// Option id.
    pub id: String,
    /// Label.
    pub label: String,
    /// Value 0–1.
    pub value: f64,
}

/// A band described in one language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BandDescription {
    /// Band id.
    pub id: String,
    /// Label.
    pub label: String,
    /// Lowest total in the band.
    pub min: f64,
}

/// A perspective described in one language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PerspectiveDescription {
    /// Perspective id.
    pub id: String,
    /// Label.
    pub label: String,
    /// Help text.
    pub help: String,
}

/// An evidence grade described in one language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceDescription {
    /// Grade id.
    pub id: String,
    /// Label.
    pub label: String,
    /// Relative widening.
    pub widen: f64,
}

impl Rubric {
    /// Describe the rubric in `lang` (texts fall back to English, any language, then ids),
    /// with effective weights under the rubric's own weights.
    pub fn describe(&self, lang: &str) -> Description {
        let weights = self.effective_weights(None).unwrap_or(&[]);
        let doc = self.doc();
        let themes = self
            .themes()
            .iter()
            .map(|t| {
                let criteria: Vec<CriterionDescription> = t
                    .criteria()
                    .iter()
                    .filter_map(|&i| Some((i, self.criteria().get(i)?)))
                    .map(|(i, c)| CriterionDescription {
                        id: c.id().to_owned(),
                        theme: t.id().to_owned(),
                        label: c.label(lang).to_owned(),
                        help: c.help(lang).to_owned(),
                        unit: c.unit().map(str::to_owned),
                        kind: c.kind().as_str().to_owned(),
                        min: c.min(),
                        max: c.max(),
                        levels: match c.kind() {
                            InputKind::Likert { levels } => Some(levels),
                            _ => None,
                        },
                        options: c
                            .options()
                            .iter()
                            .map(|o| OptionDescription {
                                id: o.id().to_owned(),
                                label: o.label(lang).to_owned(),
                                value: o.value(),
                            })
                            .collect(),
                        weight: weights.get(i).copied().unwrap_or(0.0),
                        default: c.default().cloned(),
                        knockout: c.knockout_text(),
                    })
                    .collect();
                ThemeDescription {
                    id: t.id().to_owned(),
                    label: t.label(lang).to_owned(),
                    help: t.help(lang).to_owned(),
                    weight: criteria.iter().map(|c| c.weight).sum(),
                    criteria,
                }
            })
            .collect();
        Description {
            id: self.id().to_owned(),
            version: self.version().to_owned(),
            fingerprint: self.fingerprint().to_owned(),
            lang: lang.to_owned(),
            title: self.title(lang).to_owned(),
            description: self.description(lang).to_owned(),
            aggregation: self.aggregation(),
            missing: self.missing_policy(),
            themes,
            bands: self
                .bands()
                .iter()
                .map(|b| BandDescription {
                    id: b.id().to_owned(),
                    label: b.label(lang).to_owned(),
                    min: b.min(),
                })
                .collect(),
            perspectives: self
                .perspectives()
                .iter()
                .map(|p| PerspectiveDescription {
                    id: p.id().to_owned(),
                    label: p.label(lang).to_owned(),
                    help: p.help(lang).to_owned(),
                })
                .collect(),
            evidence: doc
                .evidence
                .iter()
                .map(|g| EvidenceDescription {
                    id: g.id.clone(),
                    label: crate::rubric::pick_text(&g.label, lang)
                        .unwrap_or(&g.id)
                        .to_owned(),
                    widen: g.widen,
                })
                .collect(),
        }
    }
}
