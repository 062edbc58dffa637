//! Levers: for each criterion, what moving its input to the best value would add to the
//! total, and how many points one more unit of input is worth where it stands.
//!
//! `gain` is not a formula: it is the total of the initiative re-scored by the engine with
//! that one input moved to its best, minus the current total. Applying a lever and
//! re-scoring therefore raises the total by exactly `gain`.

use serde::{Deserialize, Serialize};

use super::best::{best_input, position, slope};
use crate::doc::Aggregation;
use crate::error::Result;
use crate::input::{InputValue, Inputs};
use crate::rubric::{InputKind, Rubric};
use crate::score::{Flag, Score};

/// What one criterion could add.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lever {
    /// Criterion id.
    pub criterion: String,
    /// Points gained by moving this input to `best` (the re-scored total minus the current
    /// total; 0 when it is there already).
    pub gain: f64,
    /// The input that reaches the criterion's best value, in the input's own terms: a
    /// number, a Likert level, `true`, an option id. Within the criterion's limits; of
    /// several such inputs, the nearest to the current one.
    pub best: InputValue,
    /// Points per unit of input at the current input (the right derivative; negative for a
    /// cost criterion, 0 where the value function is flat); `None` for Likert, boolean and
    /// category criteria and for a missing input.
    pub per_unit: Option<f64>,
    /// The total after the change.
    pub total: f64,
    /// Whether a summary shows this lever: one of the first three whose gain is a
    /// difference of at least 0.005 points ([`super::shown::mark_shown`]). A lever written
    /// before this field existed reads as `false` (it depends on the whole list:
    /// `mark_shown` on the levers read gives the values).
    #[serde(default)]
    pub shown: bool,
}

impl Score {
    /// The inputs this score was computed from: every criterion's input as given (a
    /// defaulted or missing input is left out, so the rubric's default and missing-data
    /// policy apply again). Re-scoring them under the same perspective gives this score.
    pub fn inputs(&self) -> Inputs {
        self.criteria
            .iter()
            .filter(|c| !c.flags.contains(&Flag::Defaulted) && !c.raw.is_missing())
            .map(|c| (c.id.clone(), c.raw.clone()))
            .collect()
    }
}

impl Rubric {
    /// Every criterion's lever for one initiative, sorted by `gain`, highest first (ties in
    /// rubric order), the ones a summary shows marked `shown`.
    ///
    /// # Errors
    /// The errors of [`Rubric::score`] for these inputs and perspective.
    pub fn levers(&self, inputs: &Inputs, perspective: Option<&str>) -> Result<Vec<Lever>> {
        let base = self.score(inputs, perspective)?;
        let mut out = Vec::with_capacity(self.criteria().len());
        for (i, c) in self.criteria().iter().enumerate() {
            let row = base.criteria.get(i);
            // The input as scored (the default, when one was used).
            let current = row.map_or(InputValue::Missing, |r| r.raw.clone());
            let Some(best) = best_input(c, &current, false) else {
                continue;
            };
            let mut changed = inputs.clone();
            changed.insert(c.id(), best.clone());
            let total = self.score(&changed, perspective)?.total;
            let per_unit = match (c.kind(), position(c, &current), row) {
                (InputKind::Number, Some(x), Some(row)) => {
                    slope(&c.vf, x).map(|dv| {
                        // Points per unit of value: 100·share for a weighted sum; for a
                        // weighted product S·share/v (∂/∂v of 100·Π vᵢ^sᵢ).
                        let per_value = match self.aggregation() {
                            Aggregation::WeightedSum => 100.0 * row.weight,
                            Aggregation::WeightedProduct => base.total * row.weight / row.value,
                        };
                        if dv == 0.0 { 0.0 } else { per_value * dv }
                    })
                }
                _ => None,
            };
            out.push(Lever {
                criterion: c.id().to_owned(),
                gain: total - base.total,
                best,
                per_unit,
                total,
                shown: false,
            });
        }
        out.sort_by(|a, b| b.gain.total_cmp(&a.gain));
        super::shown::mark_shown(&mut out);
        Ok(out)
    }
}
