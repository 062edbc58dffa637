//! Exact weight stability: for each criterion, how far its effective weight may move (the
//! other weights rescaled proportionally, as in the tornado) before the ranking of the
//! initiatives that pass their knock-outs changes.
//!
//! Computed in closed form, not by sweeping. With criterion `k` at weight `t` and every
//! other weight `wⱼ · (1 − t)/(1 − w_k)`, an initiative's total is a ratio of two linear
//! functions of `t`:
//!
//! ```text
//! S(t) = 100 · (A + B t) / (C + E t)
//! A = s·P, B = e·v_k − s·P, C = s·Q, E = e − s·Q,   s = 1/(1 − w_k)
//! ```
//!
//! where `P = Σⱼ≠k wⱼ vⱼ` and `Q = Σⱼ≠k wⱼ` over its scored criteria and `e` is 1 when
//! criterion `k` is scored (0 when dropped under `renormalise`). Without dropped criteria
//! `C + E t = 1` and the total is linear in `t`. For the weighted product the same holds
//! for `ln S` with `ln vⱼ` in place of `vⱼ`. Two initiatives `a`, `b` swap where
//! `(A_a + B_a t)(C_b + E_b t) − (A_b + B_b t)(C_a + E_a t)` changes sign: a polynomial of
//! degree at most 2 whose roots are solved directly. The interval of criterion `k` runs
//! from the nearest sign change below its weight to the nearest above (0 and 1 when there
//! is none); `first_swap` is the pair at the nearer end.
//!
//! Initiatives knocked out for certain are left out; a range input counts at its point.
//! For the weighted product, an initiative with a value of 0 on a weighted criterion has a
//! total of 0 for every weight strictly inside `(0, 1)` and never swaps there.

use serde::{Deserialize, Serialize};

use crate::analysis::reweight::Evaluated;
use crate::doc::Aggregation;
use crate::error::Result;
use crate::input::Inputs;
use crate::rubric::Rubric;

/// The stability interval of one criterion's weight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StabilityRow {
    /// Criterion id.
    pub criterion: String,
    /// Its effective weight now.
    pub weight: f64,
    /// The lowest weight down to which the ranking stays the same (0 if it never changes).
    pub lower: f64,
    /// The highest weight up to which the ranking stays the same (1 if it never changes).
    pub upper: f64,
    /// The pair (higher ranked now, lower ranked now; indices into the initiatives given)
    /// that swaps at `lower`, if any.
    pub lower_swap: Option<(usize, usize)>,
    /// The pair that swaps at `upper`, if any.
    pub upper_swap: Option<(usize, usize)>,
    /// The pair at the bound nearer to the current weight (`lower` on a tie), if any.
    pub first_swap: Option<(usize, usize)>,
}

/// Stability intervals for every criterion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stability {
    /// One row per criterion, in rubric order.
    pub criteria: Vec<StabilityRow>,
    /// The initiatives that pass their knock-outs, highest total first (ties by position).
    pub ranking: Vec<usize>,
    /// The initiatives left out because a knock-out fails for certain.
    pub knocked_out: Vec<usize>,
}

/// One initiative's total as a function of criterion `k`'s weight `t`.
#[derive(Debug, Clone, Copy)]
enum Form {
    /// `(a + b t) / (c + e t)` (of `S` or `ln S`).
    Ratio { a: f64, b: f64, c: f64, e: f64 },
    /// 0 for every `t` inside `(0, 1)` (weighted product with a zero value).
    Zero,
}

impl Rubric {
    /// Exact stability intervals of every criterion's weight for the ranking of
    /// `initiatives` (see the module documentation).
    ///
    /// # Errors
    /// The errors of [`Rubric::score`] for an initiative, with `rows[i]` before the path;
    /// `input.unknown_perspective`.
    pub fn stability(
        &self,
        initiatives: &[Inputs],
        perspective: Option<&str>,
    ) -> Result<Stability> {
        let ev = Evaluated::new(self, initiatives, perspective)?;
        let passing: Vec<usize> = (0..ev.len())
            .filter(|&i| !ev.knocked_out.get(i).copied().unwrap_or(true))
            .collect();
        let knocked_out = (0..ev.len())
            .filter(|&i| ev.knocked_out.get(i).copied().unwrap_or(false))
            .collect();
        let mut ranking = passing.clone();
        let total = |i: usize| ev.totals.get(i).copied().unwrap_or(0.0);
        ranking.sort_by(|&a, &b| total(b).total_cmp(&total(a)).then(a.cmp(&b)));

        let criteria = self
            .criteria()
            .iter()
            .enumerate()
            .map(|(k, c)| {
                let w = ev.weights.get(k).copied().unwrap_or(0.0);
                let mut row = StabilityRow {
                    criterion: c.id().to_owned(),
                    weight: w,
                    lower: 0.0,
                    upper: 1.0,
                    lower_swap: None,
                    upper_swap: None,
                    first_swap: None,
                };
                if w < 1.0 {
                    let forms: Vec<Form> = passing.iter().map(|&i| form(&ev, i, k)).collect();
                    bounds(&passing, &forms, w, &mut row);
                }
                row
            })
            .collect();
        Ok(Stability {
            criteria,
            ranking,
            knocked_out,
        })
    }
}

/// The form of initiative `i`'s total in criterion `k`'s weight.
fn form(ev: &Evaluated<'_>, i: usize, k: usize) -> Form {
    let product = ev.kind == Aggregation::WeightedProduct;
    let values = ev.row(i);
    let scored = ev.scored_row(i);
    let wk = ev.weights.get(k).copied().unwrap_or(0.0);
    let s = 1.0 / (1.0 - wk);
    let (mut p, mut q, mut dropped) = (0.0, 0.0, false);
    let mut e = 0.0;
    let mut vk = 0.0;
    for (j, ((&w, &v), &counts)) in ev.weights.iter().zip(values).zip(scored).enumerate() {
        if !counts {
            dropped = true;
            continue;
        }
        if product && v <= 0.0 && (w > 0.0 || j == k) {
            // A zero on a weighted criterion, or on k (whose weight is positive inside
            // (0, 1)): the total is 0 there.
            return Form::Zero;
        }
        let term = if product {
            if w > 0.0 || j == k { libm::log(v) } else { 0.0 }
        } else {
            v
        };
        if j == k {
            e = 1.0;
            vk = term;
        } else {
            p += w * term;
            q += w;
        }
    }
    let a = s * p;
    let b = e * vk - a;
    let (c, e) = if dropped {
        (s * q, e - s * q)
    } else {
        (1.0, 0.0)
    };
    Form::Ratio { a, b, c, e }
}

/// The nearest sign changes below and above `w` over every pair.
fn bounds(ids: &[usize], forms: &[Form], w: f64, row: &mut StabilityRow) {
    for (x, (&ia, fa)) in ids.iter().zip(forms).enumerate() {
        for (&ib, fb) in ids.iter().zip(forms).skip(x + 1) {
            let (
                Form::Ratio {
                    a: a1,
                    b: b1,
                    c: c1,
                    e: e1,
                },
                Form::Ratio {
                    a: a2,
                    b: b2,
                    c: c2,
                    e: e2,
                },
            ) = (*fa, *fb)
            else {
                continue;
            };
            // f(t) = N_a D_b − N_b D_a = k0 + k1 t + k2 t²; sign f = sign(S_a − S_b).
            let k0 = a1 * c2 - a2 * c1;
            let k1 = a1 * e2 + b1 * c2 - a2 * e1 - b2 * c1;
            let k2 = b1 * e2 - b2 * e1;
            if k0 == 0.0 && k1 == 0.0 && k2 == 0.0 {
                continue; // the same total at every weight
            }
            let now = k0 + w * (k1 + w * k2);
            let pair = if now > 0.0 || (now == 0.0 && ia < ib) {
                (ia, ib)
            } else {
                (ib, ia)
            };
            if now == 0.0 {
                // Tied now and not everywhere: any change of this weight separates them.
                lower_at(row, w, pair);
                upper_at(row, w, pair);
            }
            for r in roots(k0, k1, k2).into_iter().flatten() {
                if r < w {
                    lower_at(row, r, pair);
                } else if r > w {
                    upper_at(row, r, pair);
                }
            }
        }
    }
    row.first_swap = match (row.lower_swap, row.upper_swap) {
        (Some(l), Some(u)) => Some(if w - row.lower <= row.upper - w { l } else { u }),
        (l, u) => l.or(u),
    };
}

fn lower_at(row: &mut StabilityRow, r: f64, pair: (usize, usize)) {
    if r > row.lower || (r == row.lower && row.lower_swap.is_none()) {
        row.lower = r;
        row.lower_swap = Some(pair);
    }
}

fn upper_at(row: &mut StabilityRow, r: f64, pair: (usize, usize)) {
    if r < row.upper || (r == row.upper && row.upper_swap.is_none()) {
        row.upper = r;
        row.upper_swap = Some(pair);
    }
}

/// The roots in `[0, 1]` where `k0 + k1 t + k2 t²` changes sign (simple roots only),
/// solved without cancellation.
fn roots(k0: f64, k1: f64, k2: f64) -> [Option<f64>; 2] {
    let inside = |r: f64| (r.is_finite() && (0.0..=1.0).contains(&r)).then_some(r);
    if k2 == 0.0 {
        if k1 == 0.0 {
            return [None, None];
        }
        return [inside(-k0 / k1), None];
    }
    let disc = k1 * k1 - 4.0 * k2 * k0;
    if disc.is_nan() || disc <= 0.0 {
        return [None, None]; // no real root, or a double root (a touch, not a swap)
    }
    let q = -0.5 * (k1 + k1.signum() * disc.sqrt());
    let r1 = inside(q / k2);
    let r2 = if q == 0.0 { None } else { inside(k0 / q) };
    [r1, r2]
}

#[cfg(test)]
mod tests {
    use super::roots;

    #[test]
    fn roots_of_linear_and_quadratic() {
        // 1 − 4t: root 1/4.
        assert_eq!(roots(1.0, -4.0, 0.0), [Some(0.25), None]);
        // (t − 0.2)(t − 0.7) = 0.14 − 0.9 t + t²: roots 0.7 and 0.2.
        let [a, b] = roots(0.14, -0.9, 1.0);
        let mut r = [a.unwrap(), b.unwrap()];
        r.sort_by(f64::total_cmp);
        assert!((r[0] - 0.2).abs() < 1e-15 && (r[1] - 0.7).abs() < 1e-15);
        // (t − 0.5)² touches without a sign change.
        assert_eq!(roots(0.25, -1.0, 1.0), [None, None]);
    }
}
