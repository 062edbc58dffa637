//! Scoring many initiatives given as rows of numbers (a numpy matrix, a DataFrame, a CSV),
//! without allocating per row or per criterion.
//!
//! The numeric encoding: a number criterion takes its number, a Likert criterion its
//! level, a boolean 0 or 1, a category the 0-based index of its option; NaN means missing.

use std::collections::BTreeSet;

use crate::aggregate::{self, Acc, Sum};
use crate::doc::Aggregation;
use crate::doc::UnknownInputPolicy;
use crate::error::{ErrorKind, Result};
use crate::rubric::{Criterion, InputKind, Rubric, WeightSet};
use crate::score::{Eval, Source, attribute};
use crate::value::{self, ValueFn};

mod block;
pub use block::BlockScores;

/// Scores rows of numbers whose columns are named by criterion ids. Made by
/// [`Rubric::batch`]; `Send + Sync`, so rows can be scored from many threads.
#[derive(Debug, Clone)]
pub struct BatchScorer<'r> {
    rubric: &'r Rubric,
    set: &'r WeightSet,
    columns: usize,
    /// Per criterion, what the point path needs, precomputed.
    steps: Vec<Step<'r>>,
    /// The sum of every criterion's weight, added in rubric order as `aggregate::add_value`
    /// adds them (the weight of a row where nothing is dropped).
    full_weight: Sum,
}

/// One criterion of the point path: its column, weight, validity check, value function
/// and what a missing value becomes.
#[derive(Debug, Clone)]
struct Step<'r> {
    column: usize,
    weight: f64,
    check: Check,
    vf: &'r ValueFn,
    missing: Missing,
    /// What a missing cell gives when it is a fixed point (the default's point or the zero
    /// policy): the block path with points takes it in place; `None` sends the row to
    /// `score_row` (dropped, an error, or a default that is a range).
    missing_point: Option<MissingPoint>,
}

/// A missing cell that resolves to one fixed point: its value, and whether the
/// criterion's knock-out fails for certain on it (as `Criterion::knockout_fails` says).
#[derive(Debug, Clone, Copy)]
struct MissingPoint {
    v: f64,
    knocked_out: bool,
}

impl MissingPoint {
    /// The missing cell of criterion `c` as a fixed point, when `resolved` (its
    /// `resolve_missing`) is one: not dropped, and its interval is its value to the bit
    /// (so the row's interval sums are its total's sum, as the block path assumes).
    fn of(c: &Criterion, resolved: Result<Eval, &ErrorKind>) -> Option<Self> {
        let e = resolved.ok()?;
        let point = e.source != Source::Dropped
            && e.v_lo.to_bits() == e.v.to_bits()
            && e.v_hi.to_bits() == e.v.to_bits()
            && !e.ranged();
        point.then(|| Self {
            v: e.v,
            knocked_out: c.knockout_fails(&e) == Some(true),
        })
    }
}

#[derive(Debug, Clone, Copy)]
enum Missing {
    /// The default's or the zero policy's value.
    Value(f64),
    /// Dropped (renormalise).
    Dropped,
    /// An error (the `error` policy): the slow path reports it.
    Error,
}

/// What makes a point valid, with the limits as plain numbers (±inf when absent).
#[derive(Debug, Clone, Copy)]
enum Check {
    Number { min: f64, max: f64 },
    Likert { levels: f64 },
    Boolean,
    Category { options: f64 },
}

#[inline(always)]
fn number_ok(x: f64, min: f64, max: f64) -> bool {
    x.is_finite() && x >= min && x <= max
}
#[inline(always)]
fn likert_ok(x: f64, levels: f64) -> bool {
    x >= 1.0 && value::whole_below(x, levels + 1.0)
}
#[inline(always)]
fn boolean_ok(x: f64) -> bool {
    x == 0.0 || x == 1.0
}
#[inline(always)]
fn category_ok(x: f64, options: f64) -> bool {
    value::whole_below(x, options)
}

impl Check {
    /// Exactly the validation of `Criterion::eval_number`, as one boolean expression.
    #[inline(always)]
    fn valid(self, x: f64) -> bool {
        match self {
            Self::Number { min, max } => number_ok(x, min, max),
            Self::Likert { levels } => likert_ok(x, levels),
            Self::Boolean => boolean_ok(x),
            Self::Category { options } => category_ok(x, options),
        }
    }

    #[allow(clippy::cast_precision_loss)]
    fn of(c: &Criterion) -> Self {
        match c.kind() {
            InputKind::Number => Self::Number {
                min: c.min().unwrap_or(f64::NEG_INFINITY),
                max: c.max().unwrap_or(f64::INFINITY),
            },
            InputKind::Likert { levels } => Self::Likert {
                levels: f64::from(levels),
            },
            InputKind::Boolean => Self::Boolean,
            InputKind::Category => Self::Category {
                options: c.options().len() as f64,
            },
        }
    }
}

/// The result of one row: total, interval and whether a knock-out failed for certain.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RowScore {
    /// Total, 0–100.
    pub total: f64,
    /// Lowest total over the row's ranges.
    pub low: f64,
    /// Highest total over the row's ranges.
    pub high: f64,
    /// Whether a knock-out rule failed for certain.
    pub knocked_out: bool,
}

impl Rubric {
    /// A scorer for rows whose columns are the given criterion ids, in that order. Columns
    /// may be a subset of the criteria (the others count as missing) and in any order.
    ///
    /// # Errors
    /// `input.unknown_criterion` (path `input.<column>`) for a column that is not a
    /// criterion, unless the rubric's policy is `warn` (then the column is ignored);
    /// `input.duplicate_column`; `input.unknown_perspective`.
    pub fn batch<S: AsRef<str>>(
        &self,
        columns: &[S],
        perspective: Option<&str>,
    ) -> Result<BatchScorer<'_>> {
        let set = self.weight_set(perspective)?;
        let mut column_of = vec![None; self.criteria().len()];
        let mut seen = BTreeSet::new();
        for (j, name) in columns.iter().enumerate() {
            let name = name.as_ref();
            if !seen.insert(name) {
                return Err(ErrorKind::DuplicateColumn.at(format!("input.{name}")));
            }
            match self.index_of(name) {
                Some(i) => {
                    if let Some(slot) = column_of.get_mut(i) {
                        *slot = Some(j);
                    }
                }
                None if self.unknown_input_policy() == UnknownInputPolicy::Warn => {}
                None => {
                    return Err(ErrorKind::UnknownCriterion {
                        rubric: self.id().to_owned(),
                    }
                    .at(format!("input.{name}")));
                }
            }
        }
        let steps = self
            .criteria()
            .iter()
            .zip(&set.criteria)
            .zip(&column_of)
            .map(|((c, &weight), column)| {
                let resolved = c.resolve_missing(self.missing_policy(), self.evidence_grades());
                Step {
                    column: column.unwrap_or(usize::MAX),
                    weight,
                    check: Check::of(c),
                    vf: &c.vf,
                    missing: match &resolved {
                        Ok(e) if e.source == Source::Dropped => Missing::Dropped,
                        Ok(e) => Missing::Value(e.v),
                        Err(_) => Missing::Error,
                    },
                    missing_point: MissingPoint::of(c, resolved.as_ref().copied()),
                }
            })
            .collect();
        let full_weight = aggregate::weight_sum(&set.criteria);
        Ok(BatchScorer {
            rubric: self,
            set,
            columns: columns.len(),
            steps,
            full_weight,
        })
    }
}

impl BatchScorer<'_> {
    /// Number of columns a row must have.
    pub fn columns(&self) -> usize {
        self.columns
    }

    /// Number of criteria (the length of a points buffer for [`BatchScorer::score_row`]).
    pub fn criteria(&self) -> usize {
        self.steps.len()
    }

    #[inline]
    fn eval(&self, i: usize, low: f64, high: f64) -> Result<Eval, ErrorKind> {
        let rubric = self.rubric;
        let Some(c) = rubric.criteria().get(i) else {
            return Ok(Eval::DROPPED);
        };
        if low.is_nan() && high.is_nan() {
            return c.resolve_missing(rubric.missing_policy(), rubric.evidence_grades());
        }
        if low == high {
            c.eval_number(low)
        } else if low.is_nan() || high.is_nan() {
            Err(ErrorKind::InputNotFinite { got: f64::NAN })
        } else {
            c.eval_range(low, low.midpoint(high), high)
        }
    }

    fn shape(&self, row: &[f64]) -> Result<()> {
        if row.len() != self.columns {
            return Err(ErrorKind::Shape {
                expected: self.columns,
                got: row.len(),
            }
            .at("input"));
        }
        Ok(())
    }

    fn error_at(&self, i: usize, kind: ErrorKind) -> crate::Error {
        let id = self.rubric.criteria().get(i).map_or("", |c| c.id());
        kind.at(format!("input.{id}"))
    }

    /// Total of one row of point values (NaN = missing). Equal, to the last bit, to
    /// [`Rubric::score`]'s total for the same inputs.
    ///
    /// # Errors
    /// `input.shape` for a row of the wrong length; otherwise as [`Rubric::score`].
    #[inline]
    pub fn total(&self, row: &[f64]) -> Result<f64> {
        self.shape(row)?;
        let mut acc = Acc::new(self.rubric.aggregation());
        for (i, step) in self.steps.iter().enumerate() {
            let x = row.get(step.column).copied().unwrap_or(f64::NAN);
            let v = if x.is_nan() {
                match step.missing {
                    Missing::Value(v) => v,
                    Missing::Dropped => continue,
                    Missing::Error => return Err(self.slow_error(i, x)),
                }
            } else if step.check.valid(x) {
                step.vf.value(x)
            } else {
                return Err(self.slow_error(i, x));
            };
            acc.add_value(step.weight, v);
        }
        acc.finish_total().map_err(|k| k.at("input"))
    }

    /// The error of the general path for a point the fast path refused.
    #[cold]
    fn slow_error(&self, i: usize, x: f64) -> crate::Error {
        match self.eval(i, x, x) {
            Err(k) => self.error_at(i, k),
            // Unreachable when both paths validate alike; reported rather than panicking.
            Ok(_) => self.error_at(i, ErrorKind::InputNotFinite { got: x }),
        }
    }

    /// Score one row given as low and high values (equal for a point, NaN for missing),
    /// writing each criterion's points (in rubric order) into `points`.
    ///
    /// # Errors
    /// `input.shape` when a row or `points` has the wrong length; otherwise as
    /// [`Rubric::score`].
    pub fn score_row(&self, low: &[f64], high: &[f64], points: &mut [f64]) -> Result<RowScore> {
        self.shape(low)?;
        self.shape(high)?;
        if points.len() != self.steps.len() {
            return Err(ErrorKind::Shape {
                expected: self.steps.len(),
                got: points.len(),
            }
            .at("points"));
        }
        let rubric = self.rubric;
        let mut acc = Acc::new(rubric.aggregation());
        let mut knocked_out = false;
        for (i, ((step, c), slot)) in self
            .steps
            .iter()
            .zip(rubric.criteria())
            .zip(points.iter_mut())
            .enumerate()
        {
            let a = low.get(step.column).copied().unwrap_or(f64::NAN);
            let b = high.get(step.column).copied().unwrap_or(f64::NAN);
            // A valid point takes the fast path; ranges, missing and bad values the general one.
            let e = if a == b && step.check.valid(a) {
                Eval::point(a, step.vf.value(a))
            } else {
                self.eval(i, a, b).map_err(|k| self.error_at(i, k))?
            };
            acc.add(step.weight, &e);
            knocked_out |= c.knockout_fails(&e) == Some(true);
            *slot = e.value_or_nan();
        }
        let (total, lo, hi, weight_sum) = acc.finish().map_err(|k| k.at("input"))?;
        attribute(
            rubric.aggregation(),
            total,
            weight_sum,
            &self.set.criteria,
            points,
            |_, _| {},
        );
        Ok(RowScore {
            total,
            low: lo,
            high: hi,
            knocked_out,
        })
    }

    /// Totals of a row-major matrix of point values (`data.len() == rows × columns`) into
    /// `out` (one per row). Each total has the same bits as [`BatchScorer::total`] and
    /// [`Rubric::score`] give for that row. No allocation.
    ///
    /// # Errors
    /// `input.shape` when the sizes do not match; the first bad value, with the row in
    /// its path (`rows[12].input.support_share`).
    pub fn totals(&self, data: &[f64], out: &mut [f64]) -> Result<()> {
        let n = self.columns.max(1);
        if !data.len().is_multiple_of(n)
            || data.len() / n != out.len()
            || (self.columns == 0 && !data.is_empty())
        {
            return Err(ErrorKind::Shape {
                expected: out.len() * self.columns,
                got: data.len(),
            }
            .at("input"));
        }
        if self.columns == 0 {
            let t = self.total(&[])?;
            out.fill(t);
            return Ok(());
        }
        // Rows are taken a block at a time and each criterion is applied to the whole block
        // before the next, so the per-criterion dispatch happens once per block, not per
        // row, and the loops run over contiguous arrays the compiler vectorises. Each row
        // still adds its criteria in rubric order with the operations of
        // `aggregate::add_value`, so the results are the same bits. A row whose weights
        // differ from the full set (a dropped criterion) or that holds a bad value is marked
        // NaN and redone by `total`, which also finds its error.
        let kind = self.rubric.aggregation();
        for (b, (rows, outs)) in data
            .chunks(BLOCK * n)
            .zip(out.chunks_mut(BLOCK))
            .enumerate()
        {
            let mut block = Block::new(rows, n);
            for step in &self.steps {
                if kind == Aggregation::WeightedProduct {
                    apply::<true>(step, &mut block);
                } else {
                    apply::<false>(step, &mut block);
                }
            }
            for (r, (slot, (&hi, &lo))) in outs
                .iter_mut()
                .zip(block.hi.iter().zip(&block.lo))
                .enumerate()
            {
                let sum = Sum { hi, lo };
                let total = Acc::from_parts(kind, sum, self.full_weight).finish_total();
                *slot = match total {
                    Ok(t) if !hi.is_nan() => t,
                    _ => {
                        let row = rows.get(r * n..(r + 1) * n).unwrap_or(&[]);
                        self.total(row)
                            .map_err(|e| e.prefixed(&format!("rows[{}]", b * BLOCK + r)))?
                    }
                };
            }
        }
        Ok(())
    }
}

/// Rows per block of [`BatchScorer::totals`].
const BLOCK: usize = 64;

/// One block of rows being summed: the rows, and per row the compensated running sum
/// (`hi`, `lo`, as in [`Sum`]). Rows past the end of a short last block stay at 0 and are
/// never read.
struct Block<'a> {
    rows: &'a [f64],
    n: usize,
    hi: [f64; BLOCK],
    lo: [f64; BLOCK],
    /// One column of the block and its values (reused by every criterion).
    xs: [f64; BLOCK],
    vs: [f64; BLOCK],
}

impl<'a> Block<'a> {
    fn new(rows: &'a [f64], n: usize) -> Self {
        Self {
            rows,
            n,
            hi: [0.0; BLOCK],
            lo: [0.0; BLOCK],
            xs: [0.0; BLOCK],
            vs: [0.0; BLOCK],
        }
    }
}

/// Add one criterion's value to the running sum of every row of a block (the values from
/// [`column_values`], one copy of the loop per kind of value function).
#[inline(always)]
fn apply<const PRODUCT: bool>(step: &Step<'_>, block: &mut Block<'_>) {
    apply_with::<PRODUCT>(
        step,
        block,
        |x| step.check.valid(x),
        |xs: &[f64], vs: &mut [f64]| column_values(step, xs, vs),
    );
}

/// The values of one criterion for a column of points (`vs[r]` for `xs[r]`), with one copy
/// of the loop per kind of value function so that no row pays for the dispatch; the same
/// operations as the value function, so the same bits. Returns whether every point is
/// valid (a bad or missing point leaves an unspecified value in its slot).
#[inline(always)]
fn column_values(step: &Step<'_>, xs: &[f64], vs: &mut [f64]) -> bool {
    use value::{boolean, category, likert, linear, log_block, piecewise};
    match (step.check, step.vf) {
        (Check::Number { min, max }, ValueFn::Linear { worst, best }) => {
            each(|x| number_ok(x, min, max), |x| linear(x, *worst, *best))(xs, vs)
        }
        (
            Check::Number { min, max },
            ValueFn::Log {
                scale, denominator, ..
            },
        ) => log_block(xs, vs, *scale, *denominator, |x| number_ok(x, min, max)),
        (
            Check::Number { min, max },
            ValueFn::Piecewise {
                xs: knots,
                vs: values,
            },
        ) => each(|x| number_ok(x, min, max), |x| piecewise(knots, values, x))(xs, vs),
        (Check::Likert { levels: l }, ValueFn::Likert { levels }) => {
            each(|x| likert_ok(x, l), |x| likert(x, *levels))(xs, vs)
        }
        (Check::Boolean, ValueFn::Boolean) => each(boolean_ok, boolean)(xs, vs),
        (Check::Category { options }, ValueFn::Category { values }) => {
            each(|x| category_ok(x, options), |x| category(x, values))(xs, vs)
        }
        // Kinds and checks always pair as above; the general form keeps this total.
        _ => each(|x| step.check.valid(x), |x| step.vf.value(x))(xs, vs),
    }
}

/// A value function applied to each value of a block, with the block's validity checked
/// in the same pass (no early exit: the compiler vectorises it); returns whether every
/// value is valid.
#[inline(always)]
fn each(
    valid: impl Fn(f64) -> bool,
    value: impl Fn(f64) -> f64,
) -> impl Fn(&[f64], &mut [f64]) -> bool {
    move |xs, vs| {
        let mut ok = true;
        for (x, v) in xs.iter().zip(vs.iter_mut()) {
            *v = value(*x);
            ok &= valid(*x);
        }
        ok
    }
}

/// The loops of [`apply`], each over contiguous arrays: gather the criterion's column,
/// compute the values of the whole block (`values`, the same operations as the value
/// function, so the same bits), check the whole column's validity at once, then add
/// `w·v` to each row's compensated sum as `aggregate::add_value` does. When a value is
/// bad, or missing and dropped or an error, its row's sum becomes NaN so that the row is
/// redone by [`BatchScorer::total`].
#[inline(always)]
fn apply_with<const PRODUCT: bool>(
    step: &Step<'_>,
    block: &mut Block<'_>,
    valid: impl Fn(f64) -> bool,
    values: impl Fn(&[f64], &mut [f64]) -> bool,
) {
    let missing = match step.missing {
        Missing::Value(v) => v,
        Missing::Dropped | Missing::Error => f64::NAN,
    };
    let w = step.weight;
    let rows = (block.rows.len() / block.n).min(BLOCK);
    let (Some(hi), Some(lo), Some(xs), Some(vs)) = (
        block.hi.get_mut(..rows),
        block.lo.get_mut(..rows),
        block.xs.get_mut(..rows),
        block.vs.get_mut(..rows),
    ) else {
        return;
    };
    // A weighted product skips zero weights (as `aggregate::term` does); only a bad value
    // still has to mark its row.
    let skip = PRODUCT && w <= 0.0;
    let column = step.column;
    if column >= block.n {
        // No column for this criterion: every row is missing it.
        vs.fill(missing);
    } else {
        for (row, x) in block.rows.chunks_exact(block.n).zip(xs.iter_mut()) {
            *x = row.get(column).copied().unwrap_or(f64::NAN);
        }
        if !values(xs, vs) {
            for (&x, v) in xs.iter().zip(vs.iter_mut()) {
                if !valid(x) {
                    *v = if x.is_nan() { missing } else { f64::NAN };
                }
            }
        }
    }
    if skip {
        // Adds nothing to a valid row (0 · v = 0), marks a bad one.
        for (h, &v) in hi.iter_mut().zip(vs.iter()) {
            *h += 0.0 * v;
        }
    } else {
        // The one loop of the compensated sums, shared with the block path.
        let kind = if PRODUCT {
            Aggregation::WeightedProduct
        } else {
            Aggregation::WeightedSum
        };
        aggregate::add_terms(kind, w, vs, hi, lo);
    }
}
