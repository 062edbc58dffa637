//! The path to a band: the fewest input changes that put an initiative in a band (or a
//! higher one) with no knock-out failing, the last change only as far as needed.
//!
//! 1. Every failing knock-out (for certain, or possibly within a range) must be fixed: its
//!    input moves to the best input its rule allows. A rule no allowed input meets makes
//!    the band unreachable (an error naming the band).
//! 2. The other criteria are ranked by what moving each to its best (within its limits and
//!    its own knock-out rule) adds, re-scored by the engine; the smallest k such that the
//!    top k reach the band is taken. For `weighted_sum` (gains add up in points) and
//!    `weighted_product` (gains add up in logarithms) no set of k − 1 changes reaches the
//!    band; with dropped criteria under `renormalise` this is the greedy choice.
//! 3. The last change goes only as far as needed: the smallest value reaching the band is
//!    found by bisection over the criterion's value, each candidate input found by
//!    inverting the value function ([`super::best::value_toward`]) and checked by scoring;
//!    for Likert, boolean and category criteria, the smallest level or option that does.

use serde::{Deserialize, Serialize};

use super::best::{allowed, best_input, position, value_toward};
use crate::error::{ErrorKind, Result};
use crate::input::{InputValue, Inputs, format_number};
use crate::rubric::{Band, Criterion, InputKind, Rubric, list_or_none};
use crate::score::Score;

/// One change on the path: set this criterion's input to this value.
///
/// Read back from JSON (or any serde format), a step written before `shown` existed has
/// `shown` equal to `value`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "PathStepDoc")]
pub struct PathStep {
    /// Criterion id.
    pub criterion: String,
    /// The new input, in the input's own terms (a number, a Likert level, `true`, an
    /// option id).
    pub value: InputValue,
    /// `value` as a summary prints it: a fractional number rounded to two decimals towards
    /// where the path goes, so the printed value still reaches the band
    /// ([`super::shown::towards`]); other inputs as `value`.
    pub shown: InputValue,
}

/// A [`PathStep`] as read: `shown` came after the first release, and a step without it
/// shows its `value`.
#[derive(Deserialize)]
struct PathStepDoc {
    criterion: String,
    value: InputValue,
    #[serde(default, deserialize_with = "present")]
    shown: Option<InputValue>,
}

/// A field that is there, whatever its value (`null` too, as `InputValue` reads it).
fn present<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<InputValue>, D::Error> {
    InputValue::deserialize(d).map(Some)
}

impl From<PathStepDoc> for PathStep {
    fn from(doc: PathStepDoc) -> Self {
        let shown = doc.shown.unwrap_or_else(|| doc.value.clone());
        PathStep {
            criterion: doc.criterion,
            value: doc.value,
            shown,
        }
    }
}

impl Rubric {
    /// The band to aim for next: the one above the band `score` is in, or the top band
    /// itself when the score is in it but a knock-out fails for certain or may fail within
    /// a range (`score.knockouts` not empty: [`Rubric::path_to_band`] does not count such a
    /// score as in its band, and its path fixes the knock-out). `None` in the top band with
    /// no knock-out listed, or without bands. The command line's `explain` and the web form
    /// (`score.nextBand()`) both ask this.
    pub fn next_band(&self, score: &Score) -> Option<&Band> {
        let here = self.band_rank(score.band.as_deref())?;
        match here.checked_sub(1) {
            Some(above) => self.bands().get(above),
            None if !score.knockouts.is_empty() => self.bands().get(here),
            None => None,
        }
    }

    fn band_rank(&self, band: Option<&str>) -> Option<usize> {
        let band = band?;
        self.bands().iter().position(|b| b.id() == band)
    }

    /// The fewest changes to `inputs` that put the initiative in `band` or higher with no
    /// knock-out failing (see the module documentation); empty when it is there already.
    ///
    /// # Errors
    /// The errors of [`Rubric::score`]; `input.unknown_band` at `band`;
    /// `input.unreachable` at `band` when no change of inputs reaches it (a knock-out no
    /// allowed input meets, or a total below the band even with every input at its best).
    pub fn path_to_band(
        &self,
        inputs: &Inputs,
        perspective: Option<&str>,
        band: &str,
    ) -> Result<Vec<PathStep>> {
        let Some(target) = self.band_rank(Some(band)) else {
            return Err(ErrorKind::UnknownBand {
                id: band.to_owned(),
                known: list_or_none(self.bands().iter().map(Band::id)),
            }
            .at("band"));
        };
        let threshold = self.bands().get(target).map_or(0.0, Band::min);
        let unreachable = |reason: String| {
            ErrorKind::Unreachable {
                band: band.to_owned(),
                reason,
            }
            .at("band")
        };
        let reached = |s: &Score| {
            s.knockouts.is_empty()
                && self
                    .band_rank(s.band.as_deref())
                    .is_some_and(|r| r <= target)
        };
        let score = |i: &Inputs| self.score(i, perspective);

        let base = score(inputs)?;
        if reached(&base) {
            return Ok(Vec::new());
        }
        let raw_of = |s: &Score, i: usize| {
            s.criteria
                .get(i)
                .map_or(InputValue::Missing, |r| r.raw.clone())
        };

        // 1. Knock-outs that fail must be fixed.
        let mut changes: Vec<(usize, InputValue)> = Vec::new();
        let mut work = inputs.clone();
        for k in &base.knockouts {
            let Some((i, c)) = self.criterion_at(&k.criterion) else {
                continue;
            };
            let Some(best) = best_input(c, &raw_of(&base, i), true) else {
                return Err(unreachable(format!(
                    "the knock-out of {} ({}) cannot be met by any input it allows",
                    c.id(),
                    k.rule
                )));
            };
            work.insert(c.id(), best.clone());
            changes.push((i, best));
        }
        let fixed = score(&work)?;

        // 2. The others, by what each adds on its own.
        let mut candidates: Vec<(usize, InputValue, f64)> = Vec::new();
        for (i, c) in self.criteria().iter().enumerate() {
            if changes.iter().any(|(j, _)| *j == i) {
                continue;
            }
            let raw = raw_of(&fixed, i);
            let Some(best) = best_input(c, &raw, true) else {
                continue;
            };
            if best == raw {
                continue;
            }
            let mut one = work.clone();
            one.insert(c.id(), best.clone());
            let gain = score(&one)?.total - fixed.total;
            if gain > 0.0 {
                candidates.push((i, best, gain));
            }
        }
        candidates.sort_by(|a, b| b.2.total_cmp(&a.2));
        let mut taken = if reached(&fixed) { Some(0) } else { None };
        let mut all = work.clone();
        let mut best_total = fixed.total;
        if taken.is_none() {
            for (k, (i, best, _)) in candidates.iter().enumerate() {
                if let Some(c) = self.criteria().get(*i) {
                    all.insert(c.id(), best.clone());
                }
                let s = score(&all)?;
                best_total = s.total;
                if reached(&s) {
                    taken = Some(k + 1);
                    break;
                }
            }
        }
        let Some(k) = taken else {
            return Err(unreachable(format!(
                "with every input at its best the total is {}, below its threshold of {}",
                format_number((best_total * 100.0).round() / 100.0),
                format_number(threshold)
            )));
        };
        changes.extend(candidates.into_iter().take(k).map(|(i, best, _)| (i, best)));

        // 3. The last change only as far as needed.
        if let Some((last, best)) = changes.pop() {
            let mut others = inputs.clone();
            for (i, v) in &changes {
                if let Some(c) = self.criteria().get(*i) {
                    others.insert(c.id(), v.clone());
                }
            }
            let value = match self.criteria().get(last) {
                Some(c) => {
                    let reaches = |v: &InputValue| -> Result<bool> {
                        let mut trial = others.clone();
                        trial.insert(c.id(), v.clone());
                        Ok(reached(&score(&trial)?))
                    };
                    self.partial(c, &raw_of(&base, last), &best, reaches)?
                }
                None => best,
            };
            changes.push((last, value));
        }
        Ok(changes
            .into_iter()
            .filter_map(|(i, value)| {
                self.criteria().get(i).map(|c| PathStep {
                    criterion: c.id().to_owned(),
                    shown: super::shown::towards(position(c, &raw_of(&base, i)), &value),
                    value,
                })
            })
            .collect())
    }

    fn criterion_at(&self, id: &str) -> Option<(usize, &Criterion)> {
        let i = self.index_of(id)?;
        self.criteria().get(i).map(|c| (i, c))
    }

    /// The input between `from` and `best` nearest `from` that still reaches the band
    /// (`reaches`), respecting the criterion's knock-out rule; `best` itself reaches it.
    fn partial(
        &self,
        c: &Criterion,
        from: &InputValue,
        best: &InputValue,
        reaches: impl Fn(&InputValue) -> Result<bool>,
    ) -> Result<InputValue> {
        let (lo, hi) = allowed(c, true);
        let (Some(x0), InputValue::Number(target)) = (position(c, from), best) else {
            return self.partial_discrete(c, from, best, reaches);
        };
        if c.kind() != InputKind::Number {
            return self.partial_discrete(c, from, best, reaches);
        }
        let target = *target;
        // Start inside what the limits and the knock-out rule allow.
        let start = x0.clamp(lo.min(target), hi.max(target));
        if reaches(&InputValue::Number(start))? {
            return Ok(InputValue::Number(start));
        }
        // Bisection over the value: the smallest value whose input (by the inverse of the
        // value function) reaches the band.
        let (mut v_lo, mut v_hi) = (c.vf.value(start), c.vf.value(target));
        let input_for = |v: f64| value_toward(&c.vf, start, target, v);
        for _ in 0..64 {
            let mid = 0.5 * (v_lo + v_hi);
            if mid <= v_lo || mid >= v_hi {
                break;
            }
            match input_for(mid) {
                Some(x) if reaches(&InputValue::Number(x))? => v_hi = mid,
                _ => v_lo = mid,
            }
        }
        let mut x = match input_for(v_hi) {
            Some(x) => x,
            None => return Ok(best.clone()),
        };
        if !reaches(&InputValue::Number(x))? {
            // Rounding in the inverse left it a hair short: bisect the input itself.
            let (mut a, mut b) = (x, target);
            for _ in 0..64 {
                let mid = 0.5 * (a + b);
                if mid == a || mid == b {
                    break;
                }
                if reaches(&InputValue::Number(mid))? {
                    b = mid;
                } else {
                    a = mid;
                }
            }
            x = b;
        }
        Ok(InputValue::Number(x))
    }

    /// The smallest Likert level or option (by value) above the current one that reaches
    /// the band; a boolean goes all the way.
    fn partial_discrete(
        &self,
        c: &Criterion,
        from: &InputValue,
        best: &InputValue,
        reaches: impl Fn(&InputValue) -> Result<bool>,
    ) -> Result<InputValue> {
        let now = position(c, from).map_or(f64::NEG_INFINITY, |x| c.vf.value(x));
        let top = position(c, best).map_or(f64::INFINITY, |x| c.vf.value(x));
        let mut steps: Vec<(f64, InputValue)> = match c.kind() {
            InputKind::Likert { levels } => {
                let (lo, hi) = allowed(c, true);
                (1..=levels)
                    .map(f64::from)
                    .filter(|&l| l >= lo && l <= hi)
                    .map(|l| (c.vf.value(l), InputValue::Number(l)))
                    .collect()
            }
            InputKind::Category => c
                .options()
                .iter()
                .enumerate()
                .filter(|(i, _)| match c.knockout() {
                    Some(crate::rubric::Knockout::OneOf(ix)) => ix.contains(i),
                    _ => true,
                })
                .map(|(_, o)| (o.value(), InputValue::Text(o.id().to_owned())))
                .collect(),
            _ => Vec::new(),
        };
        steps.retain(|(v, _)| *v > now && *v <= top);
        steps.sort_by(|a, b| a.0.total_cmp(&b.0));
        for (_, v) in steps {
            if reaches(&v)? {
                return Ok(v);
            }
        }
        Ok(best.clone())
    }
}
