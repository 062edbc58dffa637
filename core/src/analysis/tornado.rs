//! Tornado: how much one initiative's total moves when one criterion's weight moves.
//!
//! For every criterion, its effective weight `w` is multiplied by `1 − change` and by
//! `1 + change` (clamped to `[0, 1]`) and every other weight is rescaled proportionally so
//! the weights still sum to 1 ([`rescale`]); the total is computed again at each end by the
//! engine's own aggregation. Rows are sorted by `|high − low|`, largest first (rubric order
//! among equals). A range input counts at its point (midpoint, or the graded value).

use serde::{Deserialize, Serialize};

use crate::analysis::reweight::{Evaluated, rescale};
use crate::error::{ErrorKind, Result};
use crate::input::Inputs;
use crate::rubric::Rubric;

/// One bar of the tornado.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TornadoRow {
    /// Criterion id.
    pub criterion: String,
    /// Its effective weight (share of the total).
    pub weight: f64,
    /// The total with this weight multiplied by `1 − change`.
    pub low: f64,
    /// The total with this weight multiplied by `1 + change`.
    pub high: f64,
}

/// A tornado for one initiative.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tornado {
    /// The total under the unchanged weights.
    pub total: f64,
    /// The relative change applied to each weight.
    pub change: f64,
    /// One row per criterion, sorted by `|high − low|`, largest first.
    pub rows: Vec<TornadoRow>,
}

impl Rubric {
    /// The tornado of one initiative: each criterion's weight times `1 ∓ change`, the others
    /// rescaled proportionally, and the total at both ends.
    ///
    /// # Errors
    /// `input.not_a_fraction` (path `change`) unless `0 ≤ change ≤ 1`; the errors of
    /// [`Rubric::score`] for the inputs (without a `rows[…]` prefix);
    /// `input.nothing_to_score` when a changed weight leaves nothing to score.
    pub fn tornado(
        &self,
        inputs: &Inputs,
        change: f64,
        perspective: Option<&str>,
    ) -> Result<Tornado> {
        if !(0.0..=1.0).contains(&change) {
            return Err(ErrorKind::NotAFraction { got: change }.at("change"));
        }
        let ev =
            Evaluated::new(self, std::slice::from_ref(inputs), perspective).map_err(strip_row)?;
        let total = ev.totals.first().copied().unwrap_or(f64::NAN);
        let row = ev.row(0);
        let mut rows = Vec::with_capacity(ev.m);
        for (k, c) in self.criteria().iter().enumerate() {
            let w = ev.weights.get(k).copied().unwrap_or(0.0);
            let at = |t: f64| {
                ev.total(0, &rescale(&ev.weights, k, t), row)
                    .map_err(|e| e.at("input"))
            };
            rows.push(TornadoRow {
                criterion: c.id().to_owned(),
                weight: w,
                low: at(w * (1.0 - change))?,
                high: at(w * (1.0 + change))?,
            });
        }
        // A stable sort keeps rubric order among equal swings.
        rows.sort_by(|a, b| (b.high - b.low).abs().total_cmp(&(a.high - a.low).abs()));
        Ok(Tornado {
            total,
            change,
            rows,
        })
    }
}

/// An error of the one-row evaluation without its `rows[0]` prefix.
fn strip_row(e: crate::Error) -> crate::Error {
    let path = e.path().strip_prefix("rows[0]").unwrap_or(e.path());
    let path = path.strip_prefix('.').unwrap_or(path).to_owned();
    e.kind().clone().at(path)
}
