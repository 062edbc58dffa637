//! Perspectives compared: the same initiative scored under the rubric's own weights and
//! under every perspective's, criterion by criterion, and which criterion makes the biggest
//! difference between a perspective and the rubric.

use serde::{Deserialize, Serialize};

use super::shown::is_difference;
use crate::error::Result;
use crate::input::Inputs;
use crate::rubric::Rubric;

/// The name of the column of the rubric's own weights.
pub const RUBRIC_COLUMN: &str = "rubric";

/// One initiative scored under every weight set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PerspectiveComparison {
    /// The weight sets: `"rubric"` (the rubric's own weights), then each perspective id in
    /// rubric order.
    pub columns: Vec<String>,
    /// The total under each weight set.
    pub totals: Vec<f64>,
    /// The band under each weight set.
    pub bands: Vec<Option<String>>,
    /// Per criterion (rubric order), its points under each weight set; each column sums to
    /// its total.
    pub criteria: Vec<CriterionComparison>,
    /// Per perspective (rubric order), the criterion whose points differ most from the
    /// rubric's own weights.
    pub differences: Vec<Difference>,
    /// The perspective whose difference is the largest of all (by `|delta|`, the first of
    /// equals): the one a summary names when no perspective is chosen. `None` without
    /// perspectives. A comparison written before this field existed reads as `None` (not
    /// worked out from `differences` when read).
    #[serde(default)]
    pub largest: Option<String>,
}

/// One criterion's points under every weight set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriterionComparison {
    /// Criterion id.
    pub id: String,
    /// Theme id.
    pub theme: String,
    /// Points under each weight set, in the order of `columns`.
    pub points: Vec<f64>,
    /// Largest minus smallest of `points`: how much the weight sets disagree here.
    pub spread: f64,
    /// Whether `spread` is a difference a summary reports (at least 0.005 points,
    /// [`super::shown::is_difference`]). A record written before this field existed reads
    /// as `false`, whatever its `spread`: `is_difference(spread)` gives the value.
    #[serde(default)]
    pub differs: bool,
}

/// The biggest difference between a perspective and the rubric's own weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Difference {
    /// The perspective.
    pub perspective: String,
    /// The criterion whose points differ most (the first of equals, in rubric order).
    pub criterion: String,
    /// Its points under the perspective.
    pub points: f64,
    /// Its points under the rubric's own weights.
    pub rubric_points: f64,
    /// `points − rubric_points`.
    pub delta: f64,
    /// The perspective's total minus the rubric's.
    pub total_delta: f64,
    /// Whether `delta` is a difference a summary reports (at least 0.005 points either way,
    /// [`super::shown::is_difference`]); when not, the perspective agrees with the rubric's
    /// own weights on every criterion. A record written before this field existed reads as
    /// `false`, whatever its `delta`: `is_difference(delta)` gives the value.
    #[serde(default)]
    pub differs: bool,
}

impl Rubric {
    /// Score `inputs` under the rubric's own weights and every perspective's.
    ///
    /// # Errors
    /// The errors of [`Rubric::score`] for these inputs.
    pub fn compare_perspectives(&self, inputs: &Inputs) -> Result<PerspectiveComparison> {
        let mut columns = vec![RUBRIC_COLUMN.to_owned()];
        columns.extend(self.perspectives().iter().map(|p| p.id().to_owned()));
        let scores = columns
            .iter()
            .enumerate()
            .map(|(k, p)| self.score(inputs, (k > 0).then_some(p.as_str())))
            .collect::<Result<Vec<_>>>()?;
        let criteria: Vec<CriterionComparison> = self
            .criteria()
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let points: Vec<f64> = scores
                    .iter()
                    .map(|s| s.criteria.get(i).map_or(0.0, |r| r.points))
                    .collect();
                let max = points.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let min = points.iter().copied().fold(f64::INFINITY, f64::min);
                CriterionComparison {
                    id: c.id().to_owned(),
                    theme: self
                        .theme_of(c)
                        .map(|t| t.id().to_owned())
                        .unwrap_or_default(),
                    points,
                    spread: max - min,
                    differs: is_difference(max - min),
                }
            })
            .collect();
        let own_total = scores.first().map_or(0.0, |s| s.total);
        let differences: Vec<Difference> = (1..columns.len())
            .filter_map(|k| {
                let delta = |c: &CriterionComparison| {
                    c.points.get(k).copied().unwrap_or(0.0)
                        - c.points.first().copied().unwrap_or(0.0)
                };
                let top = criteria
                    .iter()
                    .fold(None, |top: Option<&CriterionComparison>, c| match top {
                        Some(t) if delta(t).abs() >= delta(c).abs() => Some(t),
                        _ => Some(c),
                    })?;
                let d = delta(top);
                Some(Difference {
                    perspective: columns.get(k)?.clone(),
                    criterion: top.id.clone(),
                    points: top.points.get(k).copied().unwrap_or(0.0),
                    rubric_points: top.points.first().copied().unwrap_or(0.0),
                    delta: d,
                    differs: is_difference(d),
                    total_delta: scores.get(k).map_or(0.0, |s| s.total) - own_total,
                })
            })
            .collect();
        let largest = differences
            .iter()
            .fold(None, |top: Option<&Difference>, d| match top {
                Some(t) if t.delta.abs() >= d.delta.abs() => Some(t),
                _ => Some(d),
            })
            .map(|d| d.perspective.clone());
        Ok(PerspectiveComparison {
            largest,
            columns,
            totals: scores.iter().map(|s| s.total).collect(),
            bands: scores.iter().map(|s| s.band.clone()).collect(),
            criteria,
            differences,
        })
    }
}
