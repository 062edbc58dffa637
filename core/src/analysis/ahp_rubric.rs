//! Hierarchical AHP for a rubric: one pairwise comparison matrix for the themes and one per
//! theme for its criteria give every criterion a global weight (theme weight × local
//! weight), ready for [`Rubric::with_weights`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ahp::{Ahp, AhpMethod, RandomIndex, ahp_named};
use crate::error::{ErrorKind, Result};
use crate::rubric::{Rubric, list_or_none};

/// The weights of a rubric from a hierarchy of pairwise judgements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HierarchicalAhp {
    /// Criterion id → global weight (summing to 1), in rubric order.
    pub weights: Vec<(String, f64)>,
    /// The themes' weights and consistency (rows in rubric order).
    pub themes: Ahp,
    /// Per theme id, its criteria's local weights and consistency (rows in rubric order);
    /// a theme of one criterion has the 1×1 matrix.
    pub criteria: Vec<(String, Ahp)>,
    /// Whether every matrix is consistent (CR ≤ 0.10).
    pub consistent: bool,
}

impl HierarchicalAhp {
    /// The global weights as a map, the argument of [`Rubric::with_weights`].
    pub fn weight_map(&self) -> BTreeMap<String, f64> {
        self.weights.iter().cloned().collect()
    }
}

impl Rubric {
    /// Weights of this rubric's criteria from pairwise judgements: `themes` compares the
    /// themes (rows and columns in rubric order), `criteria[theme id]` compares the criteria
    /// of that theme (in rubric order; may be left out for a theme of one criterion).
    ///
    /// # Errors
    /// Every error of [`super::ahp::ahp`], with paths `themes[i][j]` and
    /// `criteria.<theme id>[i][j]`; `input.shape` when a matrix does not have one row per
    /// theme or criterion; `input.unknown_theme` at `criteria.<id>`; `input.matrix_missing`
    /// at `criteria.<id>` for a theme of several criteria without a matrix.
    pub fn ahp_weights(
        &self,
        themes: &[Vec<f64>],
        criteria: &BTreeMap<String, Vec<Vec<f64>>>,
        method: AhpMethod,
        ri: RandomIndex,
    ) -> Result<HierarchicalAhp> {
        let shape =
            |expected: usize, got: usize, at: &str| ErrorKind::Shape { expected, got }.at(at);
        if themes.len() != self.themes().len() {
            return Err(shape(self.themes().len(), themes.len(), "themes"));
        }
        for id in criteria.keys() {
            if !self.themes().iter().any(|t| t.id() == id) {
                return Err(ErrorKind::UnknownTheme {
                    id: id.clone(),
                    known: list_or_none(self.themes().iter().map(|t| t.id())),
                }
                .at(format!("criteria.{id}")));
            }
        }
        let top = ahp_named(themes, method, ri, "themes")?;
        let mut global = vec![0.0; self.criteria().len()];
        let mut locals = Vec::with_capacity(self.themes().len());
        for (t, theme) in self.themes().iter().enumerate() {
            let name = format!("criteria.{}", theme.id());
            let n = theme.criteria().len();
            let one = [vec![1.0]];
            let rows: &[Vec<f64>] = match criteria.get(theme.id()) {
                Some(rows) => rows,
                None if n == 1 => &one,
                None => {
                    let ids = theme
                        .criteria()
                        .iter()
                        .filter_map(|&i| self.criteria().get(i).map(|c| c.id()));
                    return Err(ErrorKind::MatrixMissing {
                        n,
                        criteria: list_or_none(ids),
                    }
                    .at(name));
                }
            };
            if rows.len() != n {
                return Err(shape(n, rows.len(), &name));
            }
            let local = ahp_named(rows, method, ri, &name)?;
            let tw = top.weights.get(t).copied().unwrap_or(0.0);
            for (&i, w) in theme.criteria().iter().zip(&local.weights) {
                if let Some(slot) = global.get_mut(i) {
                    *slot = tw * w;
                }
            }
            locals.push((theme.id().to_owned(), local));
        }
        let consistent = top.consistent && locals.iter().all(|(_, a)| a.consistent);
        Ok(HierarchicalAhp {
            weights: self
                .criteria()
                .iter()
                .zip(global)
                .map(|(c, w)| (c.id().to_owned(), w))
                .collect(),
            themes: top,
            criteria: locals,
            consistent,
        })
    }
}
