//! Value functions: map a raw input to a value in `[0, 1]`.
//!
//! Every transcendental function goes through `libm`, so native and wasm builds give the
//! same bits.

/// A compiled value function (parameters validated, constants precomputed).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ValueFn {
    /// `clamp((x − worst)/(best − worst), 0, 1)`.
    Linear { worst: f64, best: f64 },
    /// Linear between points, flat outside. `xs` strictly increasing, `vs` in `[0, 1]`.
    Piecewise { xs: Vec<f64>, vs: Vec<f64> },
    /// `ln(1 + x/scale) / ln(1 + best/scale)`, clamped; `denominator = ln(1 + best/scale)`.
    Log {
        best: f64,
        scale: f64,
        denominator: f64,
    },
    /// `(x − 1)/(levels − 1)` for whole x in `1..=levels`.
    Likert { levels: u32 },
    /// 0 or 1.
    Boolean,
    /// Option index → value.
    Category { values: Vec<f64> },
}

/// A value and whether the input lay outside the function's sloped part.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Valued {
    pub value: f64,
    pub clamped: bool,
}

impl ValueFn {
    /// Value of a finite input. For the discrete kinds `x` must already be validated
    /// (see `Criterion::eval_number`). No branch depends on the computed value, so the
    /// batch path stays fast.
    #[inline(always)]
    pub(crate) fn value(&self, x: f64) -> f64 {
        match self {
            Self::Linear { worst, best } => linear(x, *worst, *best),
            Self::Piecewise { xs, vs } => piecewise(xs, vs, x),
            Self::Log {
                scale, denominator, ..
            } => log(x, *scale, *denominator),
            Self::Likert { levels } => likert(x, *levels),
            Self::Boolean => boolean(x),
            Self::Category { values } => category(x, values),
        }
    }

    /// Whether `x` lies outside the sloped part of the function, where the value is
    /// clamped: below `worst` or beyond `best` (linear, log), outside the first and last
    /// points (piecewise). Discrete kinds are never clamped.
    pub(crate) fn clamped(&self, x: f64) -> bool {
        match self {
            Self::Linear { worst, best } => x < worst.min(*best) || x > worst.max(*best),
            Self::Piecewise { xs, .. } => match (xs.first(), xs.last()) {
                (Some(a), Some(b)) => x < *a || x > *b,
                _ => false,
            },
            Self::Log { best, .. } => x < 0.0 || x > *best,
            Self::Likert { .. } | Self::Boolean | Self::Category { .. } => false,
        }
    }

    /// Value and clamping of a finite input.
    #[inline]
    pub(crate) fn eval(&self, x: f64) -> Valued {
        Valued {
            value: self.value(x),
            clamped: self.clamped(x),
        }
    }

    /// Smallest and largest value over `[low, high]` (exact: value functions are monotone,
    /// except `piecewise`, whose extremes lie at the ends or at a breakpoint inside).
    pub(crate) fn extremes(&self, low: f64, high: f64) -> (f64, f64) {
        let a = self.eval(low).value;
        let b = self.eval(high).value;
        let (mut lo, mut hi) = if a <= b { (a, b) } else { (b, a) };
        if let Self::Piecewise { xs, vs } = self {
            for (x, v) in xs.iter().zip(vs) {
                if *x > low && *x < high {
                    lo = lo.min(*v);
                    hi = hi.max(*v);
                }
            }
        }
        (lo, hi)
    }
}

/// `clamp((x − worst)/(best − worst), 0, 1)`; never `-0.0` (a cost criterion at its worst
/// divides `+0` by a negative number).
#[inline(always)]
pub(crate) fn linear(x: f64, worst: f64, best: f64) -> f64 {
    ((x - worst) / (best - worst)).clamp(0.0, 1.0) + 0.0
}

/// `ln(1 + x/scale) / denominator`, 0 for `x ≤ 0`, at most 1.
#[inline(always)]
pub(crate) fn log(x: f64, scale: f64, denominator: f64) -> f64 {
    if x <= 0.0 {
        0.0
    } else {
        (libm::log1p(x / scale) / denominator).min(1.0)
    }
}

/// [`log`] of each `xs[i]` into `vs[i]`, in three passes (the divisions, the `log1p` calls,
/// then the divisions and selects, with `valid` checked on each input), so that the two
/// vector passes overlap the calls' latency; the same operations on each value as [`log`],
/// so the same bits. Returns whether every input is valid.
#[inline(always)]
pub(crate) fn log_block(
    xs: &[f64],
    vs: &mut [f64],
    scale: f64,
    denominator: f64,
    valid: impl Fn(f64) -> bool,
) -> bool {
    for (x, v) in xs.iter().zip(vs.iter_mut()) {
        *v = x / scale;
    }
    for v in vs.iter_mut() {
        *v = libm::log1p(*v);
    }
    let mut ok = true;
    for (x, v) in xs.iter().zip(vs.iter_mut()) {
        *v = if *x <= 0.0 {
            0.0
        } else {
            (*v / denominator).min(1.0)
        };
        ok &= valid(*x);
    }
    ok
}

/// `(x − 1)/(levels − 1)`.
#[inline(always)]
pub(crate) fn likert(x: f64, levels: u32) -> f64 {
    (x - 1.0) / f64::from(levels - 1)
}

/// 1 for a nonzero `x`, else 0.
#[inline(always)]
pub(crate) fn boolean(x: f64) -> f64 {
    if x != 0.0 { 1.0 } else { 0.0 }
}

/// The value of option `x` (an index); 0 for an index that is not one (validated before).
#[inline(always)]
pub(crate) fn category(x: f64, values: &[f64]) -> f64 {
    index_of(x)
        .and_then(|i| values.get(i))
        .copied()
        .unwrap_or(0.0)
}

/// Linear between the points `(xs[k], vs[k])`, flat outside; exactly `vs[k]` at `xs[k]`.
#[inline(always)]
pub(crate) fn piecewise(xs: &[f64], vs: &[f64], x: f64) -> f64 {
    let (Some(&x0), Some(&v0), Some(&vn)) = (xs.first(), vs.first(), vs.last()) else {
        return 0.0;
    };
    if xs.len() <= SMALL_PIECEWISE {
        return piecewise_small(xs, vs, x);
    }
    if x <= x0 {
        return v0;
    }
    // x > x0: the segment [xs[k-1], xs[k]] with xs[k-1] < x <= xs[k]; past the end, flat.
    let k = xs.partition_point(|&p| p < x);
    match (
        xs.get(k.wrapping_sub(1)),
        xs.get(k),
        vs.get(k.wrapping_sub(1)),
        vs.get(k),
    ) {
        // At a breakpoint the value is exactly its v.
        (Some(_), Some(&xb), Some(_), Some(&vb)) if x == xb => vb,
        (Some(&xa), Some(&xb), Some(&va), Some(&vb)) => va + (x - xa) * (vb - va) / (xb - xa),
        _ => vn,
    }
}

/// Up to this many points, [`piecewise`] counts the points below `x` instead of a binary
/// search, and picks the result without branches (faster on random inputs).
const SMALL_PIECEWISE: usize = 16;

/// [`piecewise`] for a few points, branch-free; the same operations, so the same bits.
#[inline(always)]
fn piecewise_small(xs: &[f64], vs: &[f64], x: f64) -> f64 {
    let n = xs.len();
    // k = the number of points below x: x lies in (xs[k-1], xs[k]].
    let k = xs.iter().fold(0usize, |k, &p| k + usize::from(p < x));
    let b = k.min(n.saturating_sub(1));
    let a = b.saturating_sub(1);
    let at = |s: &[f64], i: usize| s.get(i).copied().unwrap_or(0.0);
    let (xa, xb, va, vb) = (at(xs, a), at(xs, b), at(vs, a), at(vs, b));
    let inside = va + (x - xa) * (vb - va) / (xb - xa);
    let first = at(vs, 0);
    let last = at(vs, n.saturating_sub(1));
    let v = if x == xb { vb } else { inside };
    let v = if k >= n { last } else { v };
    if k == 0 { first } else { v }
}

/// A float that holds a whole non-negative index below 2^32, as an index.
#[inline(always)]
pub(crate) fn index_of(x: f64) -> Option<usize> {
    whole_below(x, 4_294_967_296.0).then(|| {
        // Exact: x is a whole number in [0, 2^32).
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let i = x as u32 as usize;
        i
    })
}

/// Whether `x` is a whole number in `[0, limit)` (`limit` at most 2^32).
///
/// For `0 ≤ x < 2^52`, `(x + 2^52) − 2^52` is `x` rounded to a whole number (the spacing of
/// doubles in `[2^52, 2^53)` is 1), so it equals `x` exactly when `x` is whole. Unlike
/// `fract()` (a library call on baseline x86-64) or a cast, these are plain additions the
/// compiler vectorises.
#[inline(always)]
pub(crate) fn whole_below(x: f64, limit: f64) -> bool {
    const TWO_52: f64 = 4_503_599_627_370_496.0;
    x >= 0.0 && x < limit && (x + TWO_52) - TWO_52 == x
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    fn v(f: &ValueFn, x: f64) -> f64 {
        f.eval(x).value
    }

    #[test]
    fn linear_by_hand() {
        // worst 10, best 30: x = 15 → (15 − 10)/(30 − 10) = 5/20 = 0.25.
        let f = ValueFn::Linear {
            worst: 10.0,
            best: 30.0,
        };
        assert_relative_eq!(v(&f, 15.0), 0.25);
        assert_eq!(
            f.eval(5.0),
            Valued {
                value: 0.0,
                clamped: true
            }
        );
        assert_eq!(
            f.eval(31.0),
            Valued {
                value: 1.0,
                clamped: true
            }
        );
        assert_eq!(
            f.eval(30.0),
            Valued {
                value: 1.0,
                clamped: false
            }
        );
        // A cost criterion: worst 100, best 0: x = 25 → (25 − 100)/(0 − 100) = 0.75.
        let cost = ValueFn::Linear {
            worst: 100.0,
            best: 0.0,
        };
        assert_relative_eq!(v(&cost, 25.0), 0.75);
        assert!(cost.eval(-1.0).clamped);
    }

    #[test]
    fn piecewise_by_hand() {
        // Points (0,0) (10,0.5) (20,0.3): x = 5 → 0 + 5·0.5/10 = 0.25;
        // x = 15 → 0.5 + 5·(0.3 − 0.5)/10 = 0.4; flat outside.
        let f = ValueFn::Piecewise {
            xs: vec![0.0, 10.0, 20.0],
            vs: vec![0.0, 0.5, 0.3],
        };
        assert_relative_eq!(v(&f, 5.0), 0.25);
        assert_relative_eq!(v(&f, 10.0), 0.5);
        assert_relative_eq!(v(&f, 15.0), 0.4);
        assert_eq!(
            f.eval(-3.0),
            Valued {
                value: 0.0,
                clamped: true
            }
        );
        assert_eq!(
            f.eval(25.0),
            Valued {
                value: 0.3,
                clamped: true
            }
        );
        // Over [5, 15] the peak 0.5 at x = 10 lies inside: extremes (0.25, 0.5).
        let (lo, hi) = f.extremes(5.0, 15.0);
        assert_relative_eq!(lo, 0.25);
        assert_relative_eq!(hi, 0.5);
    }

    #[test]
    fn log_by_hand() {
        // best 900, scale 100: denominator ln(1 + 9) = ln 10.
        // x = 100: ln(1 + 1)/ln(10) = log10(2) = 0.30102999566398120.
        let f = ValueFn::Log {
            best: 900.0,
            scale: 100.0,
            denominator: libm::log1p(9.0),
        };
        assert_relative_eq!(v(&f, 100.0), std::f64::consts::LOG10_2, epsilon = 1e-15);
        assert_relative_eq!(v(&f, 900.0), 1.0, epsilon = 1e-15);
        assert_eq!(
            f.eval(2000.0),
            Valued {
                value: 1.0,
                clamped: true
            }
        );
        assert_eq!(
            f.eval(0.0),
            Valued {
                value: 0.0,
                clamped: false
            }
        );
        assert_eq!(
            f.eval(-5.0),
            Valued {
                value: 0.0,
                clamped: true
            }
        );
    }

    #[test]
    fn discrete_by_hand() {
        // Likert 5: level 4 → (4 − 1)/(5 − 1) = 0.75.
        assert_relative_eq!(v(&ValueFn::Likert { levels: 5 }, 4.0), 0.75);
        assert_relative_eq!(v(&ValueFn::Boolean, 1.0), 1.0);
        assert_relative_eq!(v(&ValueFn::Boolean, 0.0), 0.0);
        let c = ValueFn::Category {
            values: vec![0.0, 0.6, 1.0],
        };
        assert_relative_eq!(v(&c, 1.0), 0.6);
    }
}
