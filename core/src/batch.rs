//! Scoring many initiatives given as rows of numbers (a numpy matrix, a DataFrame, a CSV),
//! without allocating per row or per criterion.
//!
//! The numeric encoding: a number criterion takes its number, a Likert criterion its
//! level, a boolean 0 or 1, a category the 0-based index of its option; NaN means missing.

use std::collections::HashSet;

use crate::doc::UnknownInputPolicy;
use crate::error::{ErrorKind, Result};
use crate::rubric::{Criterion, InputKind, Rubric, WeightSet};
use crate::score::{Acc, Eval, Source, attribute};
use crate::value::ValueFn;

/// Scores rows of numbers whose columns are named by criterion ids. Made by
/// [`Rubric::batch`]; `Send + Sync`, so rows can be scored from many threads.
#[derive(Debug, Clone)]
pub struct BatchScorer<'r> {
    rubric: &'r Rubric,
    set: &'r WeightSet,
    /// Per criterion: the column holding its input, or `None` (always missing).
    column_of: Vec<Option<usize>>,
    columns: usize,
    /// Per criterion, what the point path needs, precomputed.
    steps: Vec<Step<'r>>,
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

impl Check {
    /// Exactly the validation of `Criterion::eval_number`, as one boolean expression.
    #[inline(always)]
    fn valid(self, x: f64) -> bool {
        match self {
            Self::Number { min, max } => x.is_finite() && x >= min && x <= max,
            Self::Likert { levels } => x >= 1.0 && x <= levels && x.fract() == 0.0,
            Self::Boolean => x == 0.0 || x == 1.0,
            Self::Category { options } => x >= 0.0 && x < options && x.fract() == 0.0,
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
        let mut seen = HashSet::new();
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
            .map(|((c, &weight), column)| Step {
                column: column.unwrap_or(usize::MAX),
                weight,
                check: Check::of(c),
                vf: &c.vf,
                missing: match c.resolve_missing(self.missing_policy(), self.evidence_grades()) {
                    Ok(e) if e.source == Source::Dropped => Missing::Dropped,
                    Ok(e) => Missing::Value(e.v),
                    Err(_) => Missing::Error,
                },
            })
            .collect();
        Ok(BatchScorer {
            rubric: self,
            set,
            column_of,
            columns: columns.len(),
            steps,
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
        self.column_of.len()
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
            c.eval_range(low, 0.5 * low + 0.5 * high, high)
        }
    }

    #[inline]
    fn value_at(&self, i: usize, row: &[f64]) -> f64 {
        match self.column_of.get(i) {
            Some(Some(j)) => row.get(*j).copied().unwrap_or(f64::NAN),
            _ => f64::NAN,
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
        if points.len() != self.column_of.len() {
            return Err(ErrorKind::Shape {
                expected: self.column_of.len(),
                got: points.len(),
            }
            .at("points"));
        }
        let rubric = self.rubric;
        let mut acc = Acc::new(rubric.aggregation());
        let mut knocked_out = false;
        for (i, w) in self.set.criteria.iter().enumerate() {
            let e = self
                .eval(i, self.value_at(i, low), self.value_at(i, high))
                .map_err(|k| self.error_at(i, k))?;
            acc.add(*w, &e);
            if let Some(c) = rubric.criteria().get(i) {
                knocked_out |= c.knockout_fails(&e) == Some(true);
            }
        }
        let (total, lo, hi, weight_sum) = acc.finish().map_err(|k| k.at("input"))?;
        // Second pass for the points (the attribution needs the total); re-evaluating is
        // cheaper than storing and keeps the row free of allocation for weighted_sum.
        let mut evals = (0..self.column_of.len()).map(|i| {
            let e = self
                .eval(i, self.value_at(i, low), self.value_at(i, high))
                .unwrap_or(Eval::DROPPED);
            (i, e)
        });
        attribute(
            rubric.aggregation(),
            total,
            weight_sum,
            &self.set.criteria,
            &mut evals,
            &mut |i, p, _| {
                if let Some(slot) = points.get_mut(i) {
                    *slot = p;
                }
            },
        );
        Ok(RowScore {
            total,
            low: lo,
            high: hi,
            knocked_out,
        })
    }

    /// Totals of a row-major matrix of point values (`data.len() == rows × columns`) into
    /// `out` (one per row).
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
        for (r, (row, slot)) in data.chunks_exact(n).zip(out.iter_mut()).enumerate() {
            *slot = self
                .total(row)
                .map_err(|e| e.prefixed(&format!("rows[{r}]")))?;
        }
        Ok(())
    }
}
