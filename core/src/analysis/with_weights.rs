//! Re-weighting a rubric: the same rubric with criterion weights given from outside (AHP,
//! swing, a panel's points), as a new rubric with its own fingerprint.

use std::collections::BTreeMap;

use crate::error::{ErrorKind, Result};
use crate::rubric::Rubric;

impl Rubric {
    /// A new rubric whose effective criterion weights are `weights` (criterion id → weight,
    /// every criterion named, normalised to sum 1). Each theme's weight becomes the sum of
    /// its criteria's; written on the scale of the original theme weights (and each
    /// criterion's weight on the scale of the original weights in its theme), so that a
    /// perspective that overrides some themes or criteria keeps its meaning. Everything
    /// else (value functions, bands, knock-outs, perspectives) is unchanged; the
    /// fingerprint is new. [`Rubric::effective_weights`] of the result gives `weights`
    /// divided by their sum (to the last bits of rounding).
    ///
    /// # Errors
    /// `input.unknown_criterion` at `weights.<id>` for an id the rubric does not have;
    /// `input.weight_missing` at `weights.<id>` for a criterion not given;
    /// `input.not_finite` / `input.negative` at `weights.<id>`; `input.zero_weights` at
    /// `weights` when they are all zero.
    pub fn with_weights(&self, weights: &BTreeMap<String, f64>) -> Result<Rubric> {
        for (id, &w) in weights {
            let at = || format!("weights.{id}");
            if self.index_of(id).is_none() {
                return Err(ErrorKind::UnknownCriterion {
                    rubric: self.id().to_owned(),
                }
                .at(at()));
            }
            if !w.is_finite() {
                return Err(ErrorKind::InputNotFinite { got: w }.at(at()));
            }
            if w < 0.0 {
                return Err(ErrorKind::Negative { got: w }.at(at()));
            }
        }
        let mut given = Vec::with_capacity(self.criteria().len());
        for c in self.criteria() {
            match weights.get(c.id()) {
                Some(&w) => given.push(w),
                None => return Err(ErrorKind::WeightMissing.at(format!("weights.{}", c.id()))),
            }
        }
        let total: f64 = given.iter().sum();
        if total <= 0.0 {
            return Err(ErrorKind::InputZeroWeights.at("weights"));
        }
        let shares: Vec<f64> = given.iter().map(|w| w / total).collect();

        let mut doc = self.doc().clone();
        let old_theme_total: f64 = doc.themes.iter().map(|t| t.weight).sum();
        for (t, theme) in self.themes().iter().enumerate() {
            let share: f64 = theme.criteria().iter().filter_map(|&i| shares.get(i)).sum();
            let old_in_theme: f64 = theme
                .criteria()
                .iter()
                .filter_map(|&i| self.criteria().get(i).map(|c| c.weight()))
                .sum();
            // A theme whose criteria all weighed 0 had no scale: use 1.
            let scale = if old_in_theme > 0.0 {
                old_in_theme
            } else {
                1.0
            };
            if let Some(td) = doc.themes.get_mut(t) {
                td.weight = share * old_theme_total;
            }
            for &i in theme.criteria() {
                let w = shares.get(i).copied().unwrap_or(0.0);
                if let Some(cd) = doc.criteria.get_mut(i) {
                    cd.weight = if share > 0.0 { w / share * scale } else { 0.0 };
                }
            }
        }
        // Every weight written is finite, non-negative and on the original scales; should
        // compilation still refuse, its first error says why.
        Rubric::compile(doc).map_err(|errors| {
            errors
                .0
                .into_iter()
                .next()
                .unwrap_or_else(|| ErrorKind::InputZeroWeights.at("weights"))
        })
    }
}
