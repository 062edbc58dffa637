//! The block path with everything [`Rubric::score`](crate::Rubric::score) gives per row:
//! totals, interval ends, knock-outs and the points of every criterion, from the same
//! vectorised values pass as [`BatchScorer::totals`] (the points are the values it already
//! computes, attributed with the formula [`attribute`] uses).
//!
//! The input is column-major (one contiguous run of rows per column), as a table's columns
//! are. A row whose cells are all valid points, or missing with a policy that gives a fixed
//! point (a point default, the `zero` policy: taken in place, as [`BatchScorer::totals`]
//! does), takes the vectorised path; a row with a range, a bad cell, a missing cell that is
//! dropped, an error or a ranged default, or whose total cannot be computed, is scored by
//! [`BatchScorer::score_row`], so every row gets what `score_row` (and `score`) gives it, to
//! the bit.

use super::{BLOCK, BatchScorer, column_values};
use crate::aggregate::{self, Acc, Sum};
use crate::doc::Aggregation;
use crate::error::{ErrorKind, Result};
use crate::score::{attribute, sum_points};

/// Where [`BatchScorer::score_block`] writes the results of a run of `n` rows (every slice
/// holds `n`).
#[derive(Debug)]
pub struct BlockScores<'a> {
    /// Totals, 0–100.
    pub total: &'a mut [f64],
    /// Lowest totals over each row's ranges.
    pub low: &'a mut [f64],
    /// Highest totals over each row's ranges.
    pub high: &'a mut [f64],
    /// Whether a knock-out rule failed for certain.
    pub knocked_out: &'a mut [bool],
    /// The points of each criterion, one slice per criterion in rubric order.
    pub points: Vec<&'a mut [f64]>,
}

impl BatchScorer<'_> {
    /// Score a run of `n` rows given by column (`low[j]` and `high[j]` hold column `j`'s
    /// `n` cells in the numeric encoding: equal for a point, NaN for missing; an empty
    /// `high` when every cell is a point) into
    /// `out`. Every row not marked in `skip` gets the bits [`BatchScorer::score_row`] gives
    /// it; rows marked in `skip` (an empty `skip` marks none) are left to the caller: their
    /// slots hold unspecified values. After an error, so do the rows from the bad one on.
    /// Allocates nothing when every row takes the vectorised path, one row's buffers
    /// otherwise.
    ///
    /// # Errors
    /// `input.shape` when the sizes do not match; otherwise the first bad row's error, as
    /// [`Rubric::score`](crate::Rubric::score) gives it, with its row (`first_row + r`) in
    /// its path (`rows[12].input.support_share`).
    pub fn score_block(
        &self,
        first_row: usize,
        low: &[&[f64]],
        high: &[&[f64]],
        skip: &[bool],
        out: &mut BlockScores<'_>,
    ) -> Result<()> {
        let n = out.total.len();
        // No `high`: every cell is a point, no range to look for.
        let points_only = high.is_empty();
        let high = if points_only { low } else { high };
        let shape = |expected: usize, got: usize, path: &str| {
            Err(ErrorKind::Shape { expected, got }.at(path.to_owned()))
        };
        if low.len() != self.columns || high.len() != self.columns {
            return shape(self.columns, low.len().max(high.len()), "input");
        }
        if let Some(bad) = low.iter().chain(high).map(|c| c.len()).find(|&l| l != n) {
            return shape(n, bad, "input");
        }
        if out.points.len() != self.steps.len() {
            return shape(self.steps.len(), out.points.len(), "points");
        }
        let lens = [out.low.len(), out.high.len(), out.knocked_out.len()];
        if let Some(bad) = lens
            .into_iter()
            .chain(out.points.iter().map(|p| p.len()))
            .chain((!skip.is_empty()).then_some(skip.len()))
            .find(|&l| l != n)
        {
            return shape(n, bad, "out");
        }
        // Made when the first row needs `score_row` (none when every row takes the
        // vectorised path).
        let mut scratch = Scratch::default();
        let mut start = 0;
        while start < n {
            let len = BLOCK.min(n - start);
            let rows = Rows {
                first_row,
                start,
                len,
                points_only,
            };
            self.score_sub_block(&rows, low, high, skip, out, &mut scratch)?;
            start += len;
        }
        Ok(())
    }

    /// [`BatchScorer::score_block`] for the rows `start..start + len` (at most [`BLOCK`]) of
    /// a run of `n`.
    fn score_sub_block(
        &self,
        at: &Rows,
        low: &[&[f64]],
        high: &[&[f64]],
        skip: &[bool],
        out: &mut BlockScores<'_>,
        scratch: &mut Scratch,
    ) -> Result<()> {
        let Rows {
            first_row,
            start,
            len,
            points_only,
        } = *at;
        let kind = self.rubric.aggregation();
        let mut hi = [0.0; BLOCK];
        let mut lo = [0.0; BLOCK];
        let mut slow = [false; BLOCK];
        let mut ko = [false; BLOCK];
        let mut vs = [0.0; BLOCK];
        let (Some(hi), Some(lo), Some(slow), Some(ko), Some(vs)) = (
            hi.get_mut(..len),
            lo.get_mut(..len),
            slow.get_mut(..len),
            ko.get_mut(..len),
            vs.get_mut(..len),
        ) else {
            return Ok(());
        };
        let rows = start..start + len;
        let weight_sum = self.full_weight.value();
        let mut skipped = [false; BLOCK];
        if let (Some(to), Some(from)) = (skipped.get_mut(..len), skip.get(rows.clone())) {
            to.copy_from_slice(from);
        }
        // The values pass, one criterion at a time over the whole block.
        for ((step, c), points) in self
            .steps
            .iter()
            .zip(self.rubric.criteria())
            .zip(out.points.iter_mut())
        {
            let Some(points) = points.get_mut(rows.clone()) else {
                slow.fill(true);
                continue;
            };
            let cells = low
                .get(step.column)
                .and_then(|c| c.get(rows.clone()))
                .zip(high.get(step.column).and_then(|c| c.get(rows.clone())));
            // Whether a missing cell took the missing value in place (then its knock-out
            // is the missing value's, not the rule's verdict on NaN).
            let mut missing_cells = false;
            match (cells, step.missing_point) {
                (Some((xs, xh)), _) => {
                    if column_values(step, xs, vs) {
                        // A range goes to `score_row`, as there.
                        if !points_only {
                            for ((s, &a), &b) in slow.iter_mut().zip(xs).zip(xh) {
                                *s |= a != b;
                            }
                        }
                    } else {
                        missing_cells = mark_cells(step, xs, xh, vs, slow);
                    }
                }
                // No column for this criterion: every row is missing it.
                (None, Some(m)) => {
                    vs.fill(m.v);
                    if m.knocked_out {
                        ko.fill(true);
                    }
                }
                (None, None) => {
                    slow.fill(true);
                    continue;
                }
            }
            // A weighted sum's points are final here (`attribute`'s formula with the share
            // of a row where nothing is dropped); a product's are attributed per row below.
            // Rows that `score_row` takes are overwritten there.
            // Skipped rows are written too (their slots are the caller's to fill after).
            if kind == Aggregation::WeightedProduct {
                points.copy_from_slice(vs);
            } else {
                let share = step.weight / weight_sum;
                for (p, &v) in points.iter_mut().zip(vs.iter()) {
                    *p = if v.is_nan() {
                        0.0
                    } else {
                        sum_points(share, v)
                    };
                }
            }
            aggregate::add_terms(kind, step.weight, vs, hi, lo);
            // A valid point fails its knock-out for certain exactly when the rule fails at
            // it (`Criterion::knockout_fails` of a given point); a missing cell taken in
            // place as its missing point says.
            if let (Some(rule), Some((xs, _))) = (&c.knockout, cells) {
                match step.missing_point {
                    Some(m) if missing_cells => {
                        for (k, &x) in ko.iter_mut().zip(xs) {
                            *k |= if x.is_nan() {
                                m.knocked_out
                            } else {
                                rule.fails(x)
                            };
                        }
                    }
                    _ => {
                        for (k, &x) in ko.iter_mut().zip(xs) {
                            *k |= rule.fails(x);
                        }
                    }
                }
            }
        }
        // Totals, and the rows the vectorised pass cannot give.
        let mut error = None;
        for (i, r) in rows.clone().enumerate() {
            if skipped.get(i).copied().unwrap_or(false) {
                if let Some(s) = slow.get_mut(i) {
                    *s = true; // not attributed below
                }
                continue;
            }
            let fast = !slow.get(i).copied().unwrap_or(true);
            let (h, l) = (hi.get(i).copied(), lo.get(i).copied());
            let total = match (fast, h, l) {
                (true, Some(hi), Some(lo)) if !hi.is_nan() => {
                    Acc::from_parts(kind, Sum { hi, lo }, self.full_weight)
                        .finish_total()
                        .ok()
                }
                _ => None,
            };
            if let Some(t) = total {
                put(out, r, t, t, t, ko.get(i).copied().unwrap_or(false));
                continue;
            }
            if let Some(s) = slow.get_mut(i) {
                *s = true;
            }
            let score = match self.slow_row(r, low, high, scratch) {
                Ok(score) => score,
                Err(e) => {
                    // Rows before it are finished below; the ones after stay unspecified.
                    error = Some(e.prefixed(&format!("rows[{}]", first_row + r)));
                    break;
                }
            };
            copy_points(out, r, &scratch.points);
            put(
                out,
                r,
                score.total,
                score.low,
                score.high,
                score.knocked_out,
            );
        }
        // The points of the vectorised rows of a product: their values attributed by
        // `attribute` (a weighted sum's are final already).
        match kind {
            Aggregation::WeightedSum => {}
            Aggregation::WeightedProduct => {
                scratch.make(self.columns, self.steps.len());
                let buf = &mut scratch.points;
                for (i, r) in rows.enumerate() {
                    if slow.get(i).copied().unwrap_or(true) {
                        continue;
                    }
                    for (b, points) in buf.iter_mut().zip(out.points.iter()) {
                        *b = points.get(r).copied().unwrap_or(f64::NAN);
                    }
                    let total = out.total.get(r).copied().unwrap_or(f64::NAN);
                    attribute(kind, total, weight_sum, &self.set.criteria, buf, |_, _| {});
                    copy_points(out, r, buf);
                }
            }
        }
        error.map_or(Ok(()), Err)
    }

    /// Row `r` of a run through [`BatchScorer::score_row`], its
    /// points into `scratch.points`.
    #[cold]
    fn slow_row(
        &self,
        r: usize,
        low: &[&[f64]],
        high: &[&[f64]],
        scratch: &mut Scratch,
    ) -> Result<super::RowScore> {
        scratch.make(self.columns, self.steps.len());
        for (j, (a, b)) in scratch.lo.iter_mut().zip(scratch.hi.iter_mut()).enumerate() {
            *a = low
                .get(j)
                .and_then(|c| c.get(r))
                .copied()
                .unwrap_or(f64::NAN);
            *b = high
                .get(j)
                .and_then(|c| c.get(r))
                .copied()
                .unwrap_or(f64::NAN);
        }
        self.score_row(&scratch.lo, &scratch.hi, &mut scratch.points)
    }
}

/// The cells of one column of a sub-block when some are not valid points: a missing cell
/// (both ends NaN) whose policy gives a fixed point takes it in `vs`, as `totals` does;
/// every other missing, bad or range cell marks its row `slow` (for `score_row`). Returns
/// whether a missing cell was taken in place. One copy of the loop per kind of check, so
/// that no cell pays for the dispatch.
#[inline(always)]
fn mark_cells(
    step: &super::Step<'_>,
    xs: &[f64],
    xh: &[f64],
    vs: &mut [f64],
    slow: &mut [bool],
) -> bool {
    use super::{Check, boolean_ok, category_ok, likert_ok, number_ok};
    #[inline(always)]
    fn mark(
        valid: impl Fn(f64) -> bool,
        fixed: Option<f64>,
        xs: &[f64],
        xh: &[f64],
        vs: &mut [f64],
        slow: &mut [bool],
    ) -> bool {
        let (fixed, value) = fixed.map_or((false, f64::NAN), |v| (true, v));
        let mut taken = false;
        for (((s, &a), &b), v) in slow.iter_mut().zip(xs).zip(xh).zip(vs.iter_mut()) {
            let gap = a.is_nan() && b.is_nan();
            *v = if gap { value } else { *v };
            *s |= if gap { !fixed } else { a != b || !valid(a) };
            taken |= gap && fixed;
        }
        taken
    }
    let fixed = step.missing_point.map(|m| m.v);
    match step.check {
        Check::Number { min, max } => mark(|x| number_ok(x, min, max), fixed, xs, xh, vs, slow),
        Check::Likert { levels } => mark(|x| likert_ok(x, levels), fixed, xs, xh, vs, slow),
        Check::Boolean => mark(boolean_ok, fixed, xs, xh, vs, slow),
        Check::Category { options } => mark(|x| category_ok(x, options), fixed, xs, xh, vs, slow),
    }
}

/// Which rows a sub-block holds: `start..start + len` of a run whose first is row
/// `first_row` of the table.
#[derive(Clone, Copy)]
struct Rows {
    first_row: usize,
    start: usize,
    len: usize,
    /// Whether the caller gave no `high` (every cell a point).
    points_only: bool,
}

/// One row's buffers for the rows that `score_row` scores (allocated once per call, when
/// the first such row comes).
#[derive(Default)]
struct Scratch {
    lo: Vec<f64>,
    hi: Vec<f64>,
    points: Vec<f64>,
}

impl Scratch {
    /// Allocate the buffers for rows of `columns` cells and `criteria` points, once.
    fn make(&mut self, columns: usize, criteria: usize) {
        if self.points.len() != criteria || self.lo.len() != columns {
            self.lo = vec![0.0; columns];
            self.hi = vec![0.0; columns];
            self.points = vec![0.0; criteria];
        }
    }
}

#[inline]
fn put(out: &mut BlockScores<'_>, r: usize, total: f64, low: f64, high: f64, knocked_out: bool) {
    if let (Some(t), Some(l), Some(h), Some(k)) = (
        out.total.get_mut(r),
        out.low.get_mut(r),
        out.high.get_mut(r),
        out.knocked_out.get_mut(r),
    ) {
        *t = total;
        *l = low;
        *h = high;
        *k = knocked_out;
    }
}

#[inline]
fn copy_points(out: &mut BlockScores<'_>, r: usize, points: &[f64]) {
    for (column, &p) in out.points.iter_mut().zip(points) {
        if let Some(slot) = column.get_mut(r) {
            *slot = p;
        }
    }
}
