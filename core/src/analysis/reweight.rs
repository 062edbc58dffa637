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

/// Initiatives from which [`Evaluated::new`] evaluates the second half on a thread of its
/// own (fewer take less time than starting the thread).
#[cfg(not(target_arch = "wasm32"))]
const PARALLEL_ROWS: usize = 256;

/// Whether [`Evaluated::new_on`] evaluates `n` rows in two halves on two threads: from
/// [`PARALLEL_ROWS`] rows on, unless one thread was asked for.
#[cfg(not(target_arch = "wasm32"))]
fn halves(n: usize, threads: usize) -> bool {
    n >= PARALLEL_ROWS && threads != 1
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
    /// From 256 initiatives on (natively), the second half on a thread of its own.
    pub fn new(
        rubric: &'r Rubric,
        initiatives: &[Inputs],
        perspective: Option<&str>,
    ) -> Result<Self> {
        Self::new_on(rubric, initiatives, perspective, 0)
    }

    /// [`Evaluated::new`] on at most `threads` threads: `1` evaluates every row on the
    /// calling thread (a caller asked for one thread), any other number as `new` does
    /// (the same rows either way).
    pub fn new_on(
        rubric: &'r Rubric,
        initiatives: &[Inputs],
        perspective: Option<&str>,
        threads: usize,
    ) -> Result<Self> {
        let weights = rubric.effective_weights(perspective)?.to_vec();
        let n = initiatives.len();
        let mut out = Self::empty(rubric, weights, n);
        #[cfg(target_arch = "wasm32")]
        let _ = threads;
        #[cfg(not(target_arch = "wasm32"))]
        if halves(n, threads) {
            // The second half on a thread of its own, then appended: the same rows, and
            // the error of the first row that fails, as row by row.
            let (a, b) = initiatives.split_at(n / 2);
            let mut second = Self::empty(rubric, out.weights.clone(), b.len());
            let (first, later) = std::thread::scope(|scope| {
                let later = scope.spawn(|| second.push_rows(b, a.len()));
                let first = out.push_rows(a, 0);
                (first, later.join())
            });
            first?;
            // A thread that panicked (it cannot on valid input) fails cleanly.
            later.map_err(|_| ErrorKind::Cancelled.at(""))??;
            out.append(second);
            return Ok(out);
        }
        out.push_rows(initiatives, 0)?;
        Ok(out)
    }

    /// No rows yet, room for `rows`.
    fn empty(rubric: &'r Rubric, weights: Vec<f64>, rows: usize) -> Self {
        let m = rubric.criteria().len();
        Self {
            rubric,
            kind: rubric.aggregation(),
            m,
            weights,
            values: Vec::with_capacity(rows * m),
            scored: Vec::with_capacity(rows * m),
            ranged: Vec::new(),
            knocked_out: Vec::with_capacity(rows),
            fixed_knockout: Vec::with_capacity(rows),
            totals: Vec::with_capacity(rows),
        }
    }

    /// Evaluates `initiatives` as rows `first..` (the numbers in errors and ranged
    /// cells), appended after the rows already held.
    fn push_rows(&mut self, initiatives: &[Inputs], first: usize) -> Result<()> {
        let rubric = self.rubric;
        for (k, inputs) in initiatives.iter().enumerate() {
            let r = first + k;
            let at = |e: Error| e.prefixed(&format!("rows[{r}]"));
            let (evals, _) = rubric.evaluate_inputs(inputs).map_err(at)?;
            let (mut ko, mut fixed_ko) = (false, false);
            for (j, (c, e)) in rubric.criteria().iter().zip(&evals).enumerate() {
                self.values.push(e.v);
                self.scored.push(e.source != Source::Dropped);
                let definite = c.knockout_fails(e) == Some(true);
                ko |= definite;
                if e.x_lo < e.x_hi && e.source != Source::Dropped {
                    self.ranged.push(RangedCell {
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
            self.knocked_out.push(ko);
            self.fixed_knockout.push(fixed_ko);
            // This row's place among the rows held here.
            let here = self.totals.len();
            let total = self
                .total(here, &self.weights, self.row(here))
                .map_err(|k| at(k.at("input")))?;
            self.totals.push(total);
        }
        Ok(())
    }

    /// `other`'s rows after these (its ranged cells already number their rows from where
    /// it starts).
    #[cfg(not(target_arch = "wasm32"))]
    fn append(&mut self, other: Self) {
        self.values.extend(other.values);
        self.scored.extend(other.scored);
        self.ranged.extend(other.ranged);
        self.knocked_out.extend(other.knocked_out);
        self.fixed_knockout.extend(other.fixed_knockout);
        self.totals.extend(other.totals);
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    /// Rows with a range on some criteria (so some rows have ranged cells), and, where
    /// `bad` says, an input outside its criterion's scale.
    fn rows(n: usize, bad: &[usize]) -> Vec<Inputs> {
        (0..n)
            .map(|i| {
                let f = (i as f64 * 0.618_033_988_749_895).fract();
                let support = if bad.contains(&i) {
                    "250".to_owned()
                } else if i % 3 == 0 {
                    format!("[{}, {}]", 40.0 + 10.0 * f, 60.0 + 30.0 * f)
                } else {
                    format!("{}", 50.0 + 40.0 * f)
                };
                Inputs::from_json(&format!(
                    r#"{{"support_share": {support}, "volunteer_hours": [{}, {}], "partners": {}}}"#,
                    100.0 * f,
                    200.0 + 100.0 * f,
                    i % 8
                ))
                .unwrap()
            })
            .collect()
    }

    /// The rows evaluated one after the other on this thread (the form below
    /// [`PARALLEL_ROWS`]).
    fn row_by_row<'r>(rubric: &'r Rubric, items: &[Inputs]) -> Result<Evaluated<'r>> {
        let mut out = Evaluated::empty(rubric, rubric.effective_weights(None)?.to_vec(), 0);
        out.push_rows(items, 0)?;
        Ok(out)
    }

    #[test]
    fn halves_on_two_threads_give_the_rows_in_order() {
        let rubric = Rubric::builtin();
        for n in [PARALLEL_ROWS, PARALLEL_ROWS + 1, 601] {
            let items = rows(n, &[]);
            let (two, one) = (
                Evaluated::new(&rubric, &items, None).unwrap(),
                row_by_row(&rubric, &items).unwrap(),
            );
            assert_eq!(two.values, one.values, "{n}");
            assert_eq!(two.scored, one.scored);
            assert_eq!(two.knocked_out, one.knocked_out);
            assert_eq!(two.fixed_knockout, one.fixed_knockout);
            assert_eq!(two.totals, one.totals);
            let cells = |e: &Evaluated<'_>| -> Vec<(usize, usize, u64, u64, bool)> {
                e.ranged
                    .iter()
                    .map(|c| (c.row, c.col, c.low.to_bits(), c.high.to_bits(), c.knockout))
                    .collect()
            };
            assert_eq!(cells(&two), cells(&one));
            // Row 600 (in the second half) has its ranges numbered as row 600.
            assert!(n < 601 || two.ranged.iter().any(|c| c.row == 600));
        }
    }

    #[test]
    fn one_thread_asked_for_evaluates_on_this_thread() {
        // The choice: two halves from PARALLEL_ROWS rows on, never when one thread is asked.
        assert!(halves(PARALLEL_ROWS, 0) && halves(PARALLEL_ROWS, 2));
        assert!(!halves(PARALLEL_ROWS - 1, 0) && !halves(5_000, 1));
        let rubric = Rubric::builtin();
        let items = rows(601, &[]);
        let (one, plain) = (
            Evaluated::new_on(&rubric, &items, None, 1).unwrap(),
            row_by_row(&rubric, &items).unwrap(),
        );
        assert_eq!((one.values, one.totals), (plain.values, plain.totals));
    }

    #[test]
    fn the_first_failing_row_is_named_whichever_half_it_is_in() {
        let rubric = Rubric::builtin();
        let path = |bad: &[usize]| {
            Evaluated::new(&rubric, &rows(600, bad), None)
                .err()
                .map(|e| e.path().to_owned())
        };
        // 600 rows: 0..300 on this thread, 300..600 on the other.
        assert_eq!(
            path(&[450, 120]).as_deref(),
            Some("rows[120].input.support_share")
        );
        assert_eq!(
            path(&[451, 599]).as_deref(),
            Some("rows[451].input.support_share")
        );
        assert_eq!(path(&[]), None);
    }
}
