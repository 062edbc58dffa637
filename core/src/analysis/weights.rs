//! Weights from a ranking or from points: rank-order centroid, rank sum, swing weights and
//! direct points allocation. Every result is non-negative and sums to 1; inputs are
//! checked, never repaired.

use super::matrix::normalised;
use crate::error::{ErrorKind, Result};

/// Most criteria a ranking may have (keeps the arithmetic exact enough and the output small).
pub const MAX_RANKED: usize = 10_000;

fn check_n(n: usize) -> Result<()> {
    if n == 0 {
        return Err(ErrorKind::InputEmpty.at("n"));
    }
    if n > MAX_RANKED {
        #[allow(clippy::cast_precision_loss)]
        return Err(ErrorKind::OutOfRange {
            min: 1.0,
            max: MAX_RANKED as f64,
            got: n as f64,
        }
        .at("n"));
    }
    Ok(())
}

/// Rank-order centroid weights (Barron & Barrett 1996) of `n` ranked criteria, most
/// important first: `w_k = (1/n) Σ_{i=k..n} 1/i`.
///
/// # Errors
/// `input.empty` for n = 0, `input.out_of_range` above [`MAX_RANKED`].
pub fn roc(n: usize) -> Result<Vec<f64>> {
    check_n(n)?;
    #[allow(clippy::cast_precision_loss)]
    let nf = n as f64;
    // Tail sums from the least important up: Σ_{i=k..n} 1/i.
    let mut w = vec![0.0; n];
    let mut tail = 0.0;
    for (k, slot) in w.iter_mut().enumerate().rev() {
        #[allow(clippy::cast_precision_loss)]
        let i = (k + 1) as f64;
        tail += 1.0 / i;
        *slot = tail / nf;
    }
    Ok(w)
}

/// Rank-sum weights of `n` ranked criteria, most important first:
/// `w_k = 2 (n + 1 − k) / (n (n + 1))`.
///
/// # Errors
/// As [`roc`].
pub fn rank_sum(n: usize) -> Result<Vec<f64>> {
    check_n(n)?;
    #[allow(clippy::cast_precision_loss)]
    let nf = n as f64;
    Ok((1..=n)
        .map(|k| {
            #[allow(clippy::cast_precision_loss)]
            let k = k as f64;
            2.0 * (nf + 1.0 - k) / (nf * (nf + 1.0))
        })
        .collect())
}

/// Swing weights (von Winterfeldt & Edwards): each criterion's swing from worst to best
/// rated on 0–100, the most important swing given 100; `w_j = p_j / Σ p`.
///
/// # Errors
/// `input.empty`; `input.not_finite` or `input.out_of_range` at `points[j]` outside 0–100;
/// `input.swing_without_best` at `points` when no swing is given 100.
pub fn swing(points: &[f64]) -> Result<Vec<f64>> {
    check_points(points, Some(100.0))?;
    let max = points.iter().copied().fold(0.0, f64::max);
    if max != 100.0 {
        return Err(ErrorKind::SwingWithoutBest { max }.at("points"));
    }
    Ok(normalised(points))
}

/// Direct points allocation: any non-negative points, `w_j = p_j / Σ p`.
///
/// # Errors
/// `input.empty`; `input.not_finite` or `input.negative` at `points[j]`;
/// `input.zero_weights` when every point is zero.
pub fn points(points: &[f64]) -> Result<Vec<f64>> {
    check_points(points, None)?;
    if points.iter().all(|&p| p == 0.0) {
        return Err(ErrorKind::InputZeroWeights.at("points"));
    }
    Ok(normalised(points))
}

fn check_points(points: &[f64], max: Option<f64>) -> Result<()> {
    if points.is_empty() {
        return Err(ErrorKind::InputEmpty.at("points"));
    }
    for (j, &p) in points.iter().enumerate() {
        let at = format!("points[{j}]");
        if !p.is_finite() {
            return Err(ErrorKind::InputNotFinite { got: p }.at(at));
        }
        match max {
            Some(max) if !(0.0..=max).contains(&p) => {
                return Err(ErrorKind::OutOfRange {
                    min: 0.0,
                    max,
                    got: p,
                }
                .at(at));
            }
            None if p < 0.0 => return Err(ErrorKind::Negative { got: p }.at(at)),
            _ => {}
        }
    }
    Ok(())
}
