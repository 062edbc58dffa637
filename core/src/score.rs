//! Scoring: inputs → a [`Score`] that explains itself.

use serde::{Deserialize, Serialize};

use crate::doc::{Aggregation, MissingPolicy, UnknownInputPolicy};
use crate::error::{ErrorKind, Result};
use crate::input::{InputValue, Inputs, format_number};
use crate::rubric::{Criterion, InputKind, Knockout, Rubric, WeightSet, list_or_none};
use crate::value::index_of;

/// The version of this engine, carried by every score.
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The score of one initiative.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// Total, 0–100. For a range input, the total at the range's midpoint (for a graded
    /// input, at the value as given).
    pub total: f64,
    /// The band of the total (`None` only when the rubric has no bands).
    pub band: Option<String>,
    /// Lowest and highest total over every range input (equal to `total` without ranges).
    pub interval: Interval,
    /// Whether a knock-out rule failed for certain.
    pub knocked_out: bool,
    /// Knock-out rules that fail for certain or may fail within a range.
    pub knockouts: Vec<KnockoutResult>,
    /// Subtotals per theme, in rubric order.
    pub themes: Vec<ThemeScore>,
    /// One row per criterion, in rubric order.
    pub criteria: Vec<CriterionScore>,
    /// Inputs that were ignored (unknown criteria under the `warn` policy).
    pub warnings: Vec<Warning>,
    /// The perspective whose weights were used, if any.
    pub perspective: Option<String>,
    /// How the values were combined.
    pub aggregation: Aggregation,
    /// Which rubric scored it.
    pub rubric: RubricRef,
    /// The engine version.
    pub engine: String,
}

/// A closed interval `[low, high]`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// Low end.
    pub low: f64,
    /// High end.
    pub high: f64,
}

/// A knock-out rule that fails (or, for a range input, may fail).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KnockoutResult {
    /// The criterion whose rule fails.
    pub criterion: String,
    /// The rule as text, e.g. `">= 50"`.
    pub rule: String,
    /// `true`: fails for every value in the input's range (or the input is missing);
    /// `false`: fails for part of the range only.
    pub definite: bool,
}

/// Subtotal of one theme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThemeScore {
    /// Theme id.
    pub id: String,
    /// Sum of the effective weights of its criteria.
    pub weight: f64,
    /// Points earned.
    pub points: f64,
    /// Points still available.
    pub available: f64,
}

/// What happened to one criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// No input was given.
    Missing,
    /// The criterion's default input was used.
    Defaulted,
    /// The input lay outside the sloped part of the value function.
    Clamped,
    /// Its weight was rescaled because other criteria were dropped (or, on a missing row,
    /// it was dropped).
    Renormalised,
    /// The input was a range or graded.
    Ranged,
    /// Its knock-out rule fails (for certain or within the range).
    KnockedOut,
}

/// One row of the breakdown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriterionScore {
    /// Criterion id.
    pub id: String,
    /// Theme id.
    pub theme: String,
    /// The input as given (or the default used); `null` when missing.
    pub raw: InputValue,
    /// Value 0–1 (0 for a dropped criterion).
    pub value: f64,
    /// Effective weight (shares summing to 1 over scored criteria).
    pub weight: f64,
    /// Points contributed. For `weighted_sum`, `100 · weight · value`, adding up to the
    /// total. For `weighted_product`, `100 · weight` minus this criterion's log-share of the
    /// gap to 100 (also adding up to the total; negative when a low value costs more than
    /// its weight).
    pub points: f64,
    /// Points still open: `100 · weight − points`.
    pub available: f64,
    /// Lowest and highest points over the input's range (`weighted_sum` with a range).
    pub interval: Option<Interval>,
    /// What happened.
    pub flags: Vec<Flag>,
}

/// An input that was ignored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Warning {
    /// Stable code (the code the error would have had).
    pub code: String,
    /// Path of the input.
    pub path: String,
    /// Human message.
    pub message: String,
}

/// Identifies the rubric a score came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RubricRef {
    /// Rubric id.
    pub id: String,
    /// Rubric version.
    pub version: String,
    /// Rubric fingerprint.
    pub fingerprint: String,
}

// ---- evaluation of one criterion ------------------------------------------------------

/// Where a criterion's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    Given,
    Defaulted,
    Zeroed,
    Dropped,
}

/// One criterion evaluated: raw input interval (in the numeric encoding) and values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Eval {
    pub x_lo: f64,
    pub x_hi: f64,
    pub v: f64,
    pub v_lo: f64,
    pub v_hi: f64,
    pub clamped: bool,
    pub source: Source,
}

impl Eval {
    pub(crate) const DROPPED: Self = Self {
        x_lo: f64::NAN,
        x_hi: f64::NAN,
        v: 0.0,
        v_lo: 0.0,
        v_hi: 0.0,
        clamped: false,
        source: Source::Dropped,
    };
    const ZEROED: Self = Self {
        source: Source::Zeroed,
        ..Self::DROPPED
    };

    /// The value, or NaN for a dropped criterion (the marker of `attribute`).
    pub(crate) fn value_or_nan(&self) -> f64 {
        if self.source == Source::Dropped {
            f64::NAN
        } else {
            self.v
        }
    }

    /// An evaluated point (the batch path's fast case).
    pub(crate) fn point(x: f64, v: f64) -> Self {
        Self {
            x_lo: x,
            x_hi: x,
            v,
            v_lo: v,
            v_hi: v,
            clamped: false,
            source: Source::Given,
        }
    }

    pub(crate) fn ranged(&self) -> bool {
        self.x_lo < self.x_hi
    }
}

impl Criterion {
    /// Evaluate one number in the matrix encoding (Likert level, 0/1 for booleans,
    /// option index for categories). `x` must not be NaN (NaN means missing).
    #[inline]
    pub(crate) fn eval_number(&self, x: f64) -> Result<Eval, ErrorKind> {
        if !x.is_finite() {
            return Err(ErrorKind::InputNotFinite { got: x });
        }
        match self.kind {
            InputKind::Number => self.check_limits(x)?,
            InputKind::Likert { levels } => {
                if !index_of(x).is_some_and(|l| l >= 1 && l <= levels as usize) {
                    return Err(ErrorKind::LikertOutOfRange {
                        levels,
                        got: format_number(x),
                    });
                }
            }
            InputKind::Boolean => {
                if x != 0.0 && x != 1.0 {
                    return Err(ErrorKind::NotABoolean {
                        got: format_number(x),
                    });
                }
            }
            InputKind::Category => {
                if index_of(x).is_none_or(|i| i >= self.options.len()) {
                    return Err(self.unknown_option(format_number(x)));
                }
            }
        }
        let valued = self.vf.eval(x);
        Ok(Eval {
            x_lo: x,
            x_hi: x,
            v: valued.value,
            v_lo: valued.value,
            v_hi: valued.value,
            clamped: valued.clamped,
            source: Source::Given,
        })
    }

    /// Evaluate a number criterion over `[low, high]` with the total taken at `point`.
    pub(crate) fn eval_range(&self, low: f64, point: f64, high: f64) -> Result<Eval, ErrorKind> {
        if self.kind != InputKind::Number {
            return Err(ErrorKind::RangeNotAllowed {
                kind: self.kind.as_str(),
            });
        }
        for x in [low, high] {
            if !x.is_finite() {
                return Err(ErrorKind::InputNotFinite { got: x });
            }
        }
        if low > high {
            return Err(ErrorKind::RangeInverted { low, high });
        }
        self.check_limits(low)?;
        self.check_limits(high)?;
        let at = self.vf.eval(point);
        let (v_lo, v_hi) = self.vf.extremes(low, high);
        Ok(Eval {
            x_lo: low,
            x_hi: high,
            v: at.value,
            v_lo,
            v_hi,
            clamped: at.clamped || self.vf.eval(low).clamped || self.vf.eval(high).clamped,
            source: Source::Given,
        })
    }

    fn check_limits(&self, x: f64) -> Result<(), ErrorKind> {
        if let Some(min) = self.min
            && x < min
        {
            return Err(ErrorKind::BelowMin { min, got: x });
        }
        if let Some(max) = self.max
            && x > max
        {
            return Err(ErrorKind::AboveMax { max, got: x });
        }
        Ok(())
    }

    fn unknown_option(&self, got: String) -> ErrorKind {
        let options: Vec<String> = self
            .options
            .iter()
            .map(|o| format!("{:?}", o.id()))
            .collect();
        ErrorKind::UnknownOption {
            options: options.join(", "),
            got,
        }
    }

    /// Evaluate an input; `Ok(None)` when it is missing.
    pub(crate) fn evaluate(
        &self,
        raw: &InputValue,
        grades: &[(String, f64)],
    ) -> Result<Option<Eval>, ErrorKind> {
        let got = || raw.describe();
        let e = match (raw, self.kind) {
            (InputValue::Missing, _) => return Ok(None),
            (InputValue::Number(x), InputKind::Number | InputKind::Likert { .. }) => {
                self.eval_number(*x)?
            }
            (InputValue::Range { low, high }, _) => {
                self.eval_range(*low, low.midpoint(*high), *high)?
            }
            (InputValue::Graded { value, evidence }, _) => {
                let Some((_, widen)) = grades.iter().find(|(id, _)| id == evidence) else {
                    return Err(ErrorKind::UnknownEvidence {
                        grade: evidence.clone(),
                        known: list_or_none(grades.iter().map(|(id, _)| id.as_str())),
                    });
                };
                if !value.is_finite() {
                    return Err(ErrorKind::InputNotFinite { got: *value });
                }
                if self.kind != InputKind::Number {
                    return Err(ErrorKind::RangeNotAllowed {
                        kind: self.kind.as_str(),
                    });
                }
                self.check_limits(*value)?;
                let half = widen * value.abs();
                let low = self.min.map_or(value - half, |m| (value - half).max(m));
                let high = self.max.map_or(value + half, |m| (value + half).min(m));
                self.eval_range(low, *value, high)?
            }
            (InputValue::Bool(b), InputKind::Boolean) => {
                self.eval_number(if *b { 1.0 } else { 0.0 })?
            }
            (InputValue::Text(s), InputKind::Category) => match self.option_index(s) {
                #[allow(clippy::cast_precision_loss)]
                Some(i) => self.eval_number(i as f64)?,
                None => return Err(self.unknown_option(got())),
            },
            (_, InputKind::Number) => return Err(ErrorKind::NotANumber { got: got() }),
            (_, InputKind::Likert { levels }) => {
                return Err(ErrorKind::LikertOutOfRange { levels, got: got() });
            }
            (_, InputKind::Boolean) => return Err(ErrorKind::NotABoolean { got: got() }),
            (_, InputKind::Category) => return Err(self.unknown_option(got())),
        };
        Ok(Some(e))
    }

    /// What a missing input becomes: the default, a zero, a dropped criterion, or an error.
    #[inline]
    pub(crate) fn resolve_missing(
        &self,
        policy: MissingPolicy,
        grades: &[(String, f64)],
    ) -> Result<Eval, ErrorKind> {
        if let Some(d) = &self.default
            && let Some(mut e) = self.evaluate(d, grades)?
        {
            e.source = Source::Defaulted;
            return Ok(e);
        }
        match policy {
            MissingPolicy::Error => Err(ErrorKind::Missing),
            MissingPolicy::Zero => Ok(Eval::ZEROED),
            MissingPolicy::Renormalise => Ok(Eval::DROPPED),
        }
    }

    /// Whether the knock-out rule fails: `Some(true)` for certain, `Some(false)` within
    /// the range only, `None` when it holds (or there is no rule).
    pub(crate) fn knockout_fails(&self, e: &Eval) -> Option<bool> {
        let rule = self.knockout.as_ref()?;
        if matches!(e.source, Source::Zeroed | Source::Dropped) {
            return Some(true);
        }
        match (rule.fails(e.x_lo), rule.fails(e.x_hi)) {
            (true, true) => Some(true),
            (false, false) => None,
            _ => Some(false),
        }
    }
}

impl Knockout {
    /// Whether the rule fails for an input `x` in the numeric encoding (the one test of
    /// [`Criterion::knockout_fails`], shared by the batch block path).
    #[inline(always)]
    pub(crate) fn fails(&self, x: f64) -> bool {
        match self {
            Self::AtLeast(t) => x < *t,
            Self::AtMost(t) => x > *t,
            Self::Required(b) => (x == 1.0) != *b,
            Self::OneOf(ix) => !index_of(x).is_some_and(|i| ix.contains(&i)),
        }
    }
}

// ---- aggregation --------------------------------------------------------------------
//
// Summing weighted values into a total lives in `crate::aggregate` (compensated, shared
// by every path).

pub(crate) use crate::aggregate::Acc;

impl Acc {
    /// Add an evaluated criterion (nothing for a dropped one).
    #[inline]
    pub(crate) fn add(&mut self, w: f64, e: &Eval) {
        if e.source == Source::Dropped {
            return;
        }
        self.add_range(w, e.v, e.v_lo, e.v_hi);
    }
}

/// The points of a criterion with value `v` and share `s` (its weight over the sum of the
/// scored weights) in a weighted sum: `100·s·v`. The one formula, shared by [`attribute`]
/// and the batch block path.
#[inline(always)]
pub(crate) fn sum_points(s: f64, v: f64) -> f64 {
    100.0 * s * v
}

/// Split the total over the criteria. `buf` holds each criterion's value (NaN for a dropped
/// criterion) and is overwritten with its points; `available(i, a)` receives the points
/// still available to criterion `i`. No allocation.
pub(crate) fn attribute(
    kind: Aggregation,
    total: f64,
    weight_sum: f64,
    weights: &[f64],
    buf: &mut [f64],
    mut available: impl FnMut(usize, f64),
) {
    let share = |i: usize| weights.get(i).copied().unwrap_or(0.0) / weight_sum;
    match kind {
        Aggregation::WeightedSum => {
            for (i, slot) in buf.iter_mut().enumerate() {
                let v = *slot;
                let s = share(i);
                if v.is_nan() {
                    *slot = 0.0;
                    available(i, 0.0);
                } else {
                    *slot = sum_points(s, v);
                    available(i, 100.0 * s * (1.0 - v));
                }
            }
        }
        Aggregation::WeightedProduct => {
            // Attribute the gap 100 − total by each criterion's share of Σ wᵢ(−ln vᵢ);
            // when some weighted value is 0 the total is 0 and the zeros take the whole gap.
            let scored = |i: usize, v: f64| !v.is_nan() && share(i) > 0.0;
            let (mut zero_weight, mut log_total) = (0.0, 0.0);
            for (i, &v) in buf.iter().enumerate() {
                if scored(i, v) && v <= 0.0 {
                    zero_weight += share(i);
                } else if scored(i, v) {
                    // `0.0 - ln v` keeps ln 1 = 0 from turning into −0.
                    log_total += share(i) * (0.0 - libm::log(v));
                }
            }
            let gap = 100.0 - total;
            for (i, slot) in buf.iter_mut().enumerate() {
                let (v, s) = (*slot, share(i));
                if !scored(i, v) {
                    *slot = 0.0;
                    available(i, 0.0);
                    continue;
                }
                let lost = if zero_weight > 0.0 {
                    if v <= 0.0 {
                        100.0 * s / zero_weight
                    } else {
                        0.0
                    }
                } else if log_total > 0.0 {
                    gap * (s * (0.0 - libm::log(v))) / log_total
                } else {
                    0.0
                };
                *slot = 100.0 * s - lost;
                available(i, lost);
            }
        }
    }
}

impl Rubric {
    /// Score one initiative, under the rubric's own weights or a named perspective's.
    ///
    /// # Errors
    /// An `input.*` error with the path `input.<criterion id>`: a value of the wrong kind,
    /// NaN or ±inf, outside the criterion's limits, a Likert answer outside 1..n, an
    /// inverted range, an unknown option or evidence grade, a missing value under the
    /// `error` policy, an unknown criterion under the `error` policy; or
    /// `input.unknown_perspective`, `input.nothing_to_score`.
    pub fn score(&self, inputs: &Inputs, perspective: Option<&str>) -> Result<Score> {
        let set = self.weight_set(perspective)?;
        let (evals, warnings) = self.evaluate_inputs(inputs)?;
        self.assemble(set, &evals, inputs, perspective, warnings)
    }

    /// Evaluate every criterion of one initiative (the first step of [`Rubric::score`],
    /// shared by the analyses that re-weight evaluated initiatives): the inputs checked
    /// against the unknown-input policy, each criterion evaluated or its missing value
    /// resolved, in rubric order.
    pub(crate) fn evaluate_inputs(&self, inputs: &Inputs) -> Result<(Vec<Eval>, Vec<Warning>)> {
        let mut warnings = Vec::new();
        for (id, _) in inputs.iter() {
            if self.index_of(id).is_none() {
                let kind = ErrorKind::UnknownCriterion {
                    rubric: self.id().to_owned(),
                };
                let e = kind.at(format!("input.{id}"));
                match self.unknown_input_policy() {
                    UnknownInputPolicy::Error => return Err(e),
                    UnknownInputPolicy::Warn => warnings.push(Warning {
                        code: e.code().to_owned(),
                        message: e.message(),
                        path: e.path().to_owned(),
                    }),
                }
            }
        }
        let grades = self.evidence_grades();
        let mut evals = Vec::with_capacity(self.criteria().len());
        for c in self.criteria() {
            let at = |k: ErrorKind| k.at(format!("input.{}", c.id()));
            let e = match inputs.get(c.id()) {
                Some(raw) => c.evaluate(raw, grades).map_err(at)?,
                None => None,
            };
            let e = match e {
                Some(e) => e,
                None => c
                    .resolve_missing(self.missing_policy(), grades)
                    .map_err(at)?,
            };
            evals.push(e);
        }
        Ok((evals, warnings))
    }

    fn assemble(
        &self,
        set: &WeightSet,
        evals: &[Eval],
        inputs: &Inputs,
        perspective: Option<&str>,
        warnings: Vec<Warning>,
    ) -> Result<Score> {
        let weights = &set.criteria;
        let mut acc = Acc::new(self.aggregation());
        for (w, e) in weights.iter().zip(evals) {
            acc.add(*w, e);
        }
        let (total, low, high, weight_sum) = acc.finish().map_err(|k| k.at("input"))?;
        let renormalised = evals.iter().any(|e| e.source == Source::Dropped);

        let mut rows: Vec<CriterionScore> = Vec::with_capacity(evals.len());
        let mut knockouts = Vec::new();
        for (i, (c, e)) in self.criteria().iter().zip(evals).enumerate() {
            let mut flags = Vec::new();
            let raw = match e.source {
                Source::Given => inputs
                    .get(c.id())
                    .map_or(InputValue::Missing, InputValue::normalised),
                Source::Defaulted => {
                    flags.push(Flag::Missing);
                    flags.push(Flag::Defaulted);
                    c.default()
                        .map_or(InputValue::Missing, InputValue::normalised)
                }
                Source::Zeroed => {
                    flags.push(Flag::Missing);
                    InputValue::Missing
                }
                Source::Dropped => {
                    flags.push(Flag::Missing);
                    flags.push(Flag::Renormalised);
                    InputValue::Missing
                }
            };
            if e.clamped {
                flags.push(Flag::Clamped);
            }
            if e.ranged() {
                flags.push(Flag::Ranged);
            }
            if renormalised && e.source != Source::Dropped {
                flags.push(Flag::Renormalised);
            }
            if let Some(definite) = c.knockout_fails(e) {
                flags.push(Flag::KnockedOut);
                knockouts.push(KnockoutResult {
                    criterion: c.id().to_owned(),
                    rule: c.knockout_text().unwrap_or_default(),
                    definite,
                });
            }
            let w = weights.get(i).copied().unwrap_or(0.0);
            let share = if e.source == Source::Dropped {
                0.0
            } else {
                w / weight_sum
            };
            let interval = (self.aggregation() == Aggregation::WeightedSum && e.ranged())
                .then_some(Interval {
                    low: sum_points(share, e.v_lo),
                    high: sum_points(share, e.v_hi),
                });
            rows.push(CriterionScore {
                id: c.id().to_owned(),
                theme: self
                    .theme_of(c)
                    .map(|t| t.id().to_owned())
                    .unwrap_or_default(),
                raw,
                value: e.v,
                weight: share,
                points: 0.0,
                available: 0.0,
                interval,
                flags,
            });
        }
        let mut points: Vec<f64> = evals.iter().map(Eval::value_or_nan).collect();
        attribute(
            self.aggregation(),
            total,
            weight_sum,
            weights,
            &mut points,
            |i, available| {
                if let Some(row) = rows.get_mut(i) {
                    row.available = available;
                }
            },
        );
        for (row, p) in rows.iter_mut().zip(points) {
            row.points = p;
        }
        let themes = self
            .themes()
            .iter()
            .map(|t| {
                let mut ts = ThemeScore {
                    id: t.id().to_owned(),
                    weight: 0.0,
                    points: 0.0,
                    available: 0.0,
                };
                for row in t.criteria().iter().filter_map(|&i| rows.get(i)) {
                    ts.weight += row.weight;
                    ts.points += row.points;
                    ts.available += row.available;
                }
                ts
            })
            .collect();
        Ok(Score {
            total,
            band: self.band_for(total).map(|b| b.id().to_owned()),
            interval: Interval { low, high },
            knocked_out: knockouts.iter().any(|k| k.definite),
            knockouts,
            themes,
            criteria: rows,
            warnings,
            perspective: perspective.map(str::to_owned),
            aggregation: self.aggregation(),
            rubric: RubricRef {
                id: self.id().to_owned(),
                version: self.version().to_owned(),
                fingerprint: self.fingerprint().to_owned(),
            },
            engine: ENGINE_VERSION.to_owned(),
        })
    }
}
