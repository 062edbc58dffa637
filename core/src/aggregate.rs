//! Aggregation: how criterion values become a total. **The one place** where weighted
//! values are summed and a sum is turned into a total; every path calls it —
//! [`Rubric::score`](crate::Rubric::score), every [`BatchScorer`](crate::BatchScorer)
//! method and the analyses — so that they all give the same bits, and a change here
//! reaches all of them.
//!
//! # How a total is computed
//!
//! For each scored criterion in rubric order, with effective weight `w` and value `v`:
//! `weight += w` and `sum += w·v` (`weighted_sum`) or `sum += w·ln v` (`weighted_product`,
//! skipping zero weights). Both sums are **compensated** ([`Sum`], Knuth's TwoSum): the
//! rounding error of every addition is kept and added back at the end, so the result is
//! the sum of the rounded terms to within one rounding, whatever the number of criteria
//! or their order. Then `total = clamp(100·sum/weight, 0, 100)` (weighted sum) or
//! `clamp(100·exp(sum/weight), 0, 100)` (weighted product).
//!
//! The band is chosen on the total rounded to 1e-9 (see
//! [`Rubric::band_for`](crate::Rubric::band_for)), so a total that is mathematically on a
//! threshold lands in that band even when the inputs' binary rounding leaves it a few ulps
//! below.

use crate::doc::Aggregation;
use crate::error::ErrorKind;

/// A compensated running sum: `hi` is the ordinary floating-point sum and `lo` collects the
/// exact rounding error of each addition (Knuth's branch-free TwoSum), so `hi + lo` is the
/// sum of the terms to about twice the working precision.
///
/// No allocation, no branch: the batch path keeps one per row in arrays and the compiler
/// vectorises the additions. A NaN term makes the sum NaN (the batch path's "redo this row"
/// mark); an infinite term (`w·ln 0 = −∞` in a weighted product) makes it that infinity.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Sum {
    pub(crate) hi: f64,
    pub(crate) lo: f64,
}

impl Sum {
    /// The empty sum.
    pub(crate) const ZERO: Self = Self { hi: 0.0, lo: 0.0 };

    /// Add one term.
    #[inline(always)]
    pub(crate) fn add(&mut self, x: f64) {
        let (hi, lo) = two_sum(self.hi, self.lo, x);
        self.hi = hi;
        self.lo = lo;
    }

    /// The sum: `hi + lo`, or `hi` itself when it is infinite or NaN.
    #[inline(always)]
    pub(crate) fn value(self) -> f64 {
        finish_sum(self.hi, self.lo)
    }
}

/// One step of [`Sum::add`] on plain numbers (the batch path keeps `hi` and `lo` in arrays):
/// returns the new `(hi, lo)`.
#[inline(always)]
pub(crate) fn two_sum(hi: f64, lo: f64, x: f64) -> (f64, f64) {
    let s = hi + x;
    let z = s - hi;
    let e = (hi - (s - z)) + (x - z);
    (s, lo + e)
}

/// [`Sum::value`] on plain numbers.
#[inline(always)]
pub(crate) fn finish_sum(hi: f64, lo: f64) -> f64 {
    // An infinite `hi` makes `lo` NaN (∞ − ∞); the infinity is the sum.
    if hi.is_infinite() { hi } else { hi + lo }
}

/// The term a point value adds to the sum: `w·v` (weighted sum) or `w·ln v` (weighted
/// product); `None` for a zero weight in a weighted product (skipped, so that `0·ln 0`
/// does not turn the sum into NaN).
#[inline(always)]
pub(crate) fn term(kind: Aggregation, w: f64, v: f64) -> Option<f64> {
    match kind {
        Aggregation::WeightedSum => Some(w * v),
        Aggregation::WeightedProduct => (w > 0.0).then(|| w * libm::log(v)),
    }
}

/// [`term`] of each value of a column added to each row's compensated sum (`hi`, `lo`):
/// the block form of the sum in [`add_value`], one loop per aggregation so that the
/// compiler vectorises it.
#[inline(always)]
pub(crate) fn add_terms(kind: Aggregation, w: f64, vs: &[f64], hi: &mut [f64], lo: &mut [f64]) {
    match kind {
        Aggregation::WeightedSum => {
            for ((h, l), &v) in hi.iter_mut().zip(lo.iter_mut()).zip(vs) {
                (*h, *l) = two_sum(*h, *l, w * v);
            }
        }
        Aggregation::WeightedProduct if w > 0.0 => {
            for ((h, l), &v) in hi.iter_mut().zip(lo.iter_mut()).zip(vs) {
                (*h, *l) = two_sum(*h, *l, w * libm::log(v));
            }
        }
        // A zero weight in a product adds nothing (see `term`).
        Aggregation::WeightedProduct => {}
    }
}

/// The one way a point value enters a total: `weight += w`, then `sum += w·v` (weighted
/// sum) or `sum += w·ln v` (weighted product, skipping zero weights); both compensated.
#[inline(always)]
pub(crate) fn add_value(kind: Aggregation, sum: &mut Sum, weight: &mut Sum, w: f64, v: f64) {
    weight.add(w);
    if let Some(t) = term(kind, w, v) {
        sum.add(t);
    }
}

/// The total of a sum and the sum of the weights: `clamp(100·sum/weight, 0, 100)` or
/// `clamp(100·exp(sum/weight), 0, 100)`.
#[inline(always)]
pub(crate) fn scale(kind: Aggregation, sum: f64, weight: f64) -> f64 {
    let total = match kind {
        Aggregation::WeightedSum => 100.0 * sum / weight,
        Aggregation::WeightedProduct => 100.0 * libm::exp(sum / weight),
    };
    total.clamp(0.0, 100.0)
}

/// The sum of a set of weights, added as [`add_value`] adds them (the weight of a row where
/// nothing is dropped).
pub(crate) fn weight_sum(weights: &[f64]) -> Sum {
    let mut s = Sum::ZERO;
    for &w in weights {
        s.add(w);
    }
    s
}

/// Running aggregate over criteria: the total and the interval's ends (no allocation).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Acc {
    kind: Aggregation,
    mid: Sum,
    lo: Sum,
    hi: Sum,
    weight: Sum,
}

impl Acc {
    /// Nothing added yet.
    #[inline]
    pub(crate) fn new(kind: Aggregation) -> Self {
        Self {
            kind,
            mid: Sum::ZERO,
            lo: Sum::ZERO,
            hi: Sum::ZERO,
            weight: Sum::ZERO,
        }
    }

    /// An accumulator from a total's running sum and weight (the batch path's arrays).
    #[inline]
    pub(crate) fn from_parts(kind: Aggregation, mid: Sum, weight: Sum) -> Self {
        Self {
            kind,
            mid,
            lo: mid,
            hi: mid,
            weight,
        }
    }

    /// Add a point value to the total only ([`Acc::finish_total`] reads it): the same
    /// operations as [`Acc::add`] performs for the total, so both give the same bits.
    #[inline]
    pub(crate) fn add_value(&mut self, w: f64, v: f64) {
        add_value(self.kind, &mut self.mid, &mut self.weight, w, v);
    }

    /// Add a criterion's value at the point (`v`) and at the ends of its range
    /// (`v_lo`, `v_hi`).
    #[inline]
    pub(crate) fn add_range(&mut self, w: f64, v: f64, v_lo: f64, v_hi: f64) {
        self.add_value(w, v);
        if let (Some(a), Some(b)) = (term(self.kind, w, v_lo), term(self.kind, w, v_hi)) {
            self.lo.add(a);
            self.hi.add(b);
        }
    }

    /// The total only.
    ///
    /// # Errors
    /// `input.nothing_to_score` (without a path) when no weight was added.
    #[inline]
    pub(crate) fn finish_total(&self) -> Result<f64, ErrorKind> {
        let weight = self.weight.value();
        if weight <= 0.0 || weight.is_nan() {
            return Err(ErrorKind::NothingToScore);
        }
        Ok(scale(self.kind, self.mid.value(), weight))
    }

    /// `(total, low, high)` and the sum of the weights of scored criteria.
    ///
    /// # Errors
    /// As [`Acc::finish_total`].
    #[inline]
    pub(crate) fn finish(&self) -> Result<(f64, f64, f64, f64), ErrorKind> {
        let total = self.finish_total()?;
        let weight = self.weight.value();
        Ok((
            total,
            scale(self.kind, self.lo.value(), weight),
            scale(self.kind, self.hi.value(), weight),
            weight,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The exact sum of doubles, correctly rounded (Shewchuk's algorithm as in Python's
    /// `math.fsum`): an independent oracle for [`Sum`].
    fn fsum(xs: &[f64]) -> f64 {
        let mut partials: Vec<f64> = Vec::new();
        for &x in xs {
            let mut x = x;
            let mut kept = Vec::new();
            for &p in &partials {
                let (mut a, mut b) = (x, p);
                if a.abs() < b.abs() {
                    std::mem::swap(&mut a, &mut b);
                }
                let hi = a + b;
                let lo = b - (hi - a);
                if lo != 0.0 {
                    kept.push(lo);
                }
                x = hi;
            }
            kept.push(x);
            partials = kept;
        }
        // Partials are non-overlapping and increasing; their sum from the top, with
        // Python's half-way correction, is correctly rounded.
        let mut hi = 0.0;
        let mut n = partials.len();
        while n > 0 {
            n -= 1;
            let x = hi;
            let y = partials[n];
            hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                if n > 0
                    && ((lo < 0.0 && partials[n - 1] < 0.0) || (lo > 0.0 && partials[n - 1] > 0.0))
                {
                    let y = lo * 2.0;
                    let x = hi + y;
                    if y == x - hi {
                        hi = x;
                    }
                }
                break;
            }
        }
        hi
    }

    fn compensated(xs: &[f64]) -> f64 {
        let mut s = Sum::ZERO;
        for &x in xs {
            s.add(x);
        }
        s.value()
    }

    fn naive(xs: &[f64]) -> f64 {
        xs.iter().fold(0.0, |a, x| a + x)
    }

    #[test]
    fn compensated_sum_is_correctly_rounded_where_the_naive_one_is_not() {
        // 1 + 1e-16 + … (ten times): each 1e-16 is below half an ulp of 1 (1.1e-16), so the
        // naive sum stays 1; the exact sum is 1 + 1e-15 = 1.000000000000001 (to 1 ulp).
        let mut xs = vec![1.0];
        xs.extend(std::iter::repeat_n(1e-16, 10));
        assert_eq!(naive(&xs), 1.0);
        assert_eq!(compensated(&xs), fsum(&xs));
        assert!(compensated(&xs) > 1.0);
        // Ten times 0.1: naive 0.9999999999999999; the sum of the ten doubles 0.1 is
        // 1.0000000000000000555 (0.1 is 0.1000000000000000055…), which rounds to 1.
        let tenths = [0.1; 10];
        assert_eq!(naive(&tenths), 0.999_999_999_999_999_9);
        assert_eq!(compensated(&tenths), 1.0);
        assert_eq!(fsum(&tenths), 1.0);
    }

    #[test]
    fn infinities_and_nan_marks_survive() {
        let mut s = Sum::ZERO;
        s.add(-0.5);
        s.add(f64::NEG_INFINITY);
        s.add(-0.25);
        assert_eq!(s.value(), f64::NEG_INFINITY);
        s.add(f64::NAN);
        assert!(s.value().is_nan());
        let mut t = Sum::ZERO;
        t.add(0.25);
        t.add(f64::NAN);
        t.add(0.5);
        assert!(t.value().is_nan());
    }

    #[test]
    fn zero_weight_in_a_product_is_skipped() {
        assert_eq!(term(Aggregation::WeightedProduct, 0.0, 0.0), None);
        assert_eq!(term(Aggregation::WeightedSum, 0.0, 0.0), Some(0.0));
    }

    proptest::proptest! {
        /// Non-negative terms (a weighted sum's `w·v`): the compensated sum equals the
        /// correctly rounded sum, to one ulp.
        #[test]
        fn compensated_matches_fsum(xs in proptest::collection::vec(0.0..1.0f64, 0..60)) {
            let c = compensated(&xs);
            let f = fsum(&xs);
            proptest::prop_assert!((c - f).abs() <= f64::EPSILON * f.abs(), "{c} vs {f}");
        }
    }
}
