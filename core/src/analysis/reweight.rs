//! Initiatives evaluated once and scored again under other weights: the common ground of
//! the tornado, the stability intervals and Monte Carlo.
//!
//! Every total here goes through the engine's own aggregation (the accumulator
//! [`Rubric::score`] uses, criterion by criterion in rubric order), so a total under the
//! rubric's own weights is the score's total to the last bit, and any change to how totals
//! are summed reaches these analyses too.

use crate::error::{ErrorKind, Result};
use crate::input::Inputs;
use crate::rubric::{Criterion, Rubric};
use crate::score::{Acc, Source};
use crate::{Aggregation, Error};

/// The effective weights with criterion `k`'s weight set to `t` and every other weight
/// rescaled proportionally, so that they still sum to 1: `wⱼ · (1 − t) / (1 − w_k)`.
/// `t` is clamped to `[0, 1]`; when `w_k` is 1 (no other weight to rescale) the others
/// stay 0. An index out of range returns the weights unchanged.
pub fn rescale(weights: &[f64], k: usize, t: f64) -> Vec<f64> {
    let Some(&wk) = weights.get(k) else {
        return weights.to_vec();
    };
    let t = t.clamp(0.0, 1.0);
    let rest = 1.0 - wk;
    let factor = if rest > 0.0 { (1.0 - t) / rest } else { 0.0 };
    weights
        .iter()
        .enumerate()
        .map(|(j, &w)| if j == k { t } else { w * factor })
        .collect()
}

/// One cell whose input is a range (or an evidence grade): what Monte Carlo draws inside.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RangedCell {
    /// Row (initiative) and column (criterion).
    pub row: usize,
    pub col: usize,
    pub low: f64,
    pub high: f64,
    /// Whether the criterion has a knock-out rule to check at the drawn value.
    pub knockout: bool,
}

/// Initiatives evaluated under one rubric and weight set.
#[derive(Debug, Clone)]
pub(crate) struct Evaluated<'r> {
    pub rubric: &'r Rubric,
    pub kind: Aggregation,
    /// Number of criteria (row length).
    pub m: usize,
    /// Effective weights of the weight set (rubric's own or a perspective's).
    pub weights: Vec<f64>,
    /// Row-major values (a range at its point: its midpoint, or the graded value).
    pub values: Vec<f64>,
    /// Row-major: whether the criterion counts (false when dropped under `renormalise`).
    pub scored: Vec<bool>,
    /// Cells with a range, by row then column.
    pub ranged: Vec<RangedCell>,
    /// Whether a knock-out fails for certain (as [`crate::Score::knocked_out`]).
    pub knocked_out: Vec<bool>,
    /// Whether a knock-out fails for certain on a criterion without a range (what stays
    /// true whatever is drawn inside the ranges).
    pub fixed_knockout: Vec<bool>,
    /// Totals under the weight set.
    pub totals: Vec<f64>,
}

impl<'r> Evaluated<'r> {
    /// Evaluate every initiative; an error names its row (`rows[3].input.support_share`).
    pub fn new(
        rubric: &'r Rubric,
        initiatives: &[Inputs],
        perspective: Option<&str>,
    ) -> Result<Self> {
        let weights = rubric.effective_weights(perspective)?.to_vec();
        let m = rubric.criteria().len();
        let n = initiatives.len();
        let mut out = Self {
            rubric,
            kind: rubric.aggregation(),
            m,
            weights,
            values: Vec::with_capacity(n * m),
            scored: Vec::with_capacity(n * m),
            ranged: Vec::new(),
            knocked_out: Vec::with_capacity(n),
            fixed_knockout: Vec::with_capacity(n),
            totals: Vec::with_capacity(n),
        };
        for (r, inputs) in initiatives.iter().enumerate() {
            let at = |e: Error| e.prefixed(&format!("rows[{r}]"));
            let (evals, _) = rubric.evaluate_inputs(inputs).map_err(at)?;
            let (mut ko, mut fixed_ko) = (false, false);
            for (j, (c, e)) in rubric.criteria().iter().zip(&evals).enumerate() {
                out.values.push(e.v);
                out.scored.push(e.source != Source::Dropped);
                let definite = c.knockout_fails(e) == Some(true);
                ko |= definite;
                if e.x_lo < e.x_hi && e.source != Source::Dropped {
                    out.ranged.push(RangedCell {
                        row: r,
                        col: j,
                        low: e.x_lo,
                        high: e.x_hi,
                        knockout: c.knockout().is_some(),
                    });
                } else {
                    fixed_ko |= definite;
                }
            }
            out.knocked_out.push(ko);
            out.fixed_knockout.push(fixed_ko);
            let total = out
                .total(r, &out.weights, out.row(r))
                .map_err(|k| at(k.at("input")))?;
            out.totals.push(total);
        }
        Ok(out)
    }

    /// Number of initiatives.
    pub fn len(&self) -> usize {
        self.knocked_out.len()
    }

    /// Whether there are no initiatives.
    pub fn is_empty(&self) -> bool {
        self.knocked_out.is_empty()
    }

    /// Row `r`'s values.
    pub fn row(&self, r: usize) -> &[f64] {
        self.values.get(r * self.m..(r + 1) * self.m).unwrap_or(&[])
    }

    /// Row `r`'s scored flags.
    pub fn scored_row(&self, r: usize) -> &[bool] {
        self.scored.get(r * self.m..(r + 1) * self.m).unwrap_or(&[])
    }

    /// The criterion of column `j`.
    pub fn criterion(&self, j: usize) -> Option<&'r Criterion> {
        self.rubric.criteria().get(j)
    }

    /// Total of row `r` with the given weights and values (a row of `values`, or a copy
    /// with drawn values), through the engine's accumulator.
    #[inline]
    pub fn total(&self, r: usize, weights: &[f64], values: &[f64]) -> Result<f64, ErrorKind> {
        let mut acc = Acc::new(self.kind);
        for ((&w, &v), &s) in weights.iter().zip(values).zip(self.scored_row(r)) {
            if s {
                acc.add_value(w, v);
            }
        }
        acc.finish_total()
    }
}
