//! The best input of a criterion (the one that reaches its highest value), within its limits
//! and optionally within its knock-out rule; and the inverse of a value function along the
//! way from one input to another. Shared by levers and the path to a band.

use crate::input::InputValue;
use crate::rubric::{Criterion, InputKind, Knockout};
use crate::value::{ValueFn, index_of};

/// Where an input stands in the numeric encoding, for "nearest" ties: a number as itself, a
/// range at its middle, a graded value at the value, a boolean as 0/1, an option by index.
pub(crate) fn position(c: &Criterion, raw: &InputValue) -> Option<f64> {
    match raw {
        InputValue::Number(x) => Some(*x),
        InputValue::Range { low, high } => Some(0.5 * low + 0.5 * high),
        InputValue::Graded { value, .. } => Some(*value),
        InputValue::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        #[allow(clippy::cast_precision_loss)]
        InputValue::Text(s) => c.option_index(s).map(|i| i as f64),
        InputValue::Missing => None,
    }
    .filter(|x| x.is_finite())
}

/// The allowed interval of a number or Likert input: its limits, narrowed by the knock-out
/// rule when `knockout` is set.
pub(crate) fn allowed(c: &Criterion, knockout: bool) -> (f64, f64) {
    let mut lo = c.min().unwrap_or(f64::NEG_INFINITY);
    let mut hi = c.max().unwrap_or(f64::INFINITY);
    if knockout {
        match c.knockout() {
            Some(Knockout::AtLeast(t)) => lo = lo.max(*t),
            Some(Knockout::AtMost(t)) => hi = hi.min(*t),
            _ => {}
        }
    }
    (lo, hi)
}

/// The input of `c` with the highest value, within its limits (and its knock-out rule when
/// `knockout`); of several, the one nearest the current input (so an input already at its
/// best stays). `None` when no input is allowed (e.g. a knock-out threshold beyond the
/// criterion's maximum).
pub(crate) fn best_input(
    c: &Criterion,
    current: &InputValue,
    knockout: bool,
) -> Option<InputValue> {
    let here = position(c, current);
    let nearest = |candidates: Vec<(f64, f64)>| -> Option<f64> {
        // (x, value): the highest value; among equals, the nearest to `here`.
        let top = candidates
            .iter()
            .map(|&(_, v)| v)
            .fold(f64::NEG_INFINITY, f64::max);
        candidates
            .into_iter()
            .filter(|&(_, v)| v >= top)
            .map(|(x, _)| x)
            .min_by(|a, b| {
                let da = here.map_or(0.0, |h| (a - h).abs());
                let db = here.map_or(0.0, |h| (b - h).abs());
                da.total_cmp(&db)
            })
    };
    match c.kind() {
        InputKind::Number => {
            let (lo, hi) = allowed(c, knockout);
            if lo > hi {
                return None;
            }
            let mut xs: Vec<f64> = match &c.vf {
                ValueFn::Linear { worst, best } => vec![*best, *worst],
                ValueFn::Log { best, .. } => vec![*best, 0.0],
                ValueFn::Piecewise { xs, .. } => xs.clone(),
                _ => Vec::new(),
            };
            xs.extend([lo, hi]);
            xs.extend(here);
            let candidates = xs
                .into_iter()
                .filter(|x| x.is_finite() && *x >= lo && *x <= hi)
                .map(|x| (x, c.vf.value(x)))
                .collect();
            nearest(candidates).map(InputValue::Number)
        }
        InputKind::Likert { levels } => {
            let (lo, hi) = allowed(c, knockout);
            let candidates = (1..=levels)
                .map(f64::from)
                .filter(|&l| l >= lo && l <= hi)
                .map(|l| (l, c.vf.value(l)))
                .collect();
            nearest(candidates).map(InputValue::Number)
        }
        InputKind::Boolean => {
            let candidates = [0.0, 1.0]
                .into_iter()
                .filter(|&b| match (knockout, c.knockout()) {
                    (true, Some(Knockout::Required(r))) => (b == 1.0) == *r,
                    _ => true,
                })
                .map(|b| (b, c.vf.value(b)))
                .collect();
            nearest(candidates).map(|b| InputValue::Bool(b == 1.0))
        }
        InputKind::Category => {
            #[allow(clippy::cast_precision_loss)]
            let candidates = (0..c.options().len())
                .filter(|i| match (knockout, c.knockout()) {
                    (true, Some(Knockout::OneOf(ix))) => ix.contains(i),
                    _ => true,
                })
                .map(|i| (i as f64, c.vf.value(i as f64)))
                .collect();
            nearest(candidates)
                .and_then(index_of)
                .and_then(|i| c.options().get(i))
                .map(|o| InputValue::Text(o.id().to_owned()))
        }
    }
}

/// Right derivative of the value function at `x` (value per unit of input; 0 where it is
/// flat). `None` for the discrete kinds.
pub(crate) fn slope(vf: &ValueFn, x: f64) -> Option<f64> {
    match vf {
        ValueFn::Linear { worst, best } => {
            let (a, b) = (worst.min(*best), worst.max(*best));
            Some(if x >= a && x < b {
                1.0 / (best - worst)
            } else {
                0.0
            })
        }
        ValueFn::Log {
            best,
            scale,
            denominator,
        } => Some(if x >= 0.0 && x < *best {
            // d/dx ln(1 + x/s) / D = 1 / ((s + x) D).
            1.0 / ((scale + x) * denominator)
        } else {
            0.0
        }),
        ValueFn::Piecewise { xs, vs } => {
            let k = xs.partition_point(|&p| p <= x);
            Some(
                match (
                    xs.get(k.wrapping_sub(1)),
                    xs.get(k),
                    vs.get(k.wrapping_sub(1)),
                    vs.get(k),
                ) {
                    (Some(&xa), Some(&xb), Some(&va), Some(&vb)) => (vb - va) / (xb - xa),
                    _ => 0.0,
                },
            )
        }
        ValueFn::Likert { .. } | ValueFn::Boolean | ValueFn::Category { .. } => None,
    }
}

/// The first input on the way from `from` to `to` whose value reaches `v` — the inverse of
/// the value function, with the same libm functions as scoring (`expm1` undoes `log1p`).
/// `from` itself when its value already reaches `v`; `None` when no input on the way does.
pub(crate) fn value_toward(vf: &ValueFn, from: f64, to: f64, v: f64) -> Option<f64> {
    let between = |x: f64| x.is_finite() && x >= from.min(to) && x <= from.max(to);
    if vf.value(from) >= v {
        return Some(from);
    }
    match vf {
        ValueFn::Linear { worst, best } => {
            let x = worst + v * (best - worst);
            between(x).then_some(x)
        }
        ValueFn::Log {
            scale, denominator, ..
        } => {
            let x = scale * libm::expm1(v * denominator);
            between(x).then_some(x)
        }
        ValueFn::Piecewise { xs, .. } => {
            // The breakpoints on the way, in the order they are passed.
            let mut stops: Vec<f64> = xs.iter().copied().filter(|&x| between(x)).collect();
            if to < from {
                stops.reverse();
            }
            let mut p = from;
            for q in stops.into_iter().chain([to]) {
                let (vp, vq) = (vf.value(p), vf.value(q));
                if vq >= v && q != p {
                    // Linear between p and q: no breakpoint lies strictly inside.
                    let x = p + (v - vp) * (q - p) / (vq - vp);
                    return Some(if between(x) { x } else { q });
                }
                p = q;
            }
            None
        }
        ValueFn::Likert { .. } | ValueFn::Boolean | ValueFn::Category { .. } => None,
    }
}
