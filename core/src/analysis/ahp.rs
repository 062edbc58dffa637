//! The Analytic Hierarchy Process (Saaty): weights from a reciprocal matrix of pairwise
//! judgements, with the consistency of those judgements.
//!
//! - Weights by the **principal eigenvector** (default; power iteration) or by the **row
//!   geometric mean** (Crawford & Williams), each named in the result.
//! - `λmax`: the principal eigenvalue for the eigenvector method; for the geometric mean,
//!   the usual estimate `(1/n) Σᵢ (A w)ᵢ / wᵢ` at its weights.
//! - `CI = (λmax − n)/(n − 1)`, `CR = CI / RI(n)`; `CR ≤ 0.10` is acceptable. n = 1 and 2
//!   give CR 0 (every 1×1 and 2×2 reciprocal matrix is consistent).
//! - The random index `RI(n)` is a named table, because the literature disagrees:
//!   - `saaty` (default): 0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49 for
//!     n = 1..10 (Saaty, *The Analytic Hierarchy Process*, 1980). It does not cover n > 10:
//!     such a matrix is refused with `input.random_index_not_covered`.
//!   - `alonso_lamata`: the averages over 100 000 random matrices per n of J. A. Alonso and
//!     M. T. Lamata, "Consistency in the analytic hierarchy process: a new approach",
//!     *Int. J. of Uncertainty, Fuzziness and Knowledge-Based Systems* 14(4), 2006,
//!     445–459: 0, 0, 0.5245, 0.8815, 1.1086, 1.2479, 1.3417, 1.4056, 1.4499, 1.4854,
//!     1.5141, 1.5365, 1.5551, 1.5713, 1.5838 for n = 1..15, and beyond 15 their linear
//!     fit of the mean principal eigenvalue, λ̄max = 2.7699 n − 4.3513, which gives
//!     `RI(n) = (1.7699 n − 4.3513)/(n − 1)`.
//!
//! A matrix is refused, never repaired: not square, not positive, not finite, a diagonal
//! cell other than 1, or a cell that is not the reciprocal of its mirror within a relative
//! tolerance of 1e-9 — the error names the cell (`matrix[1][0]`: must be 1/3 (reciprocal
//! of 3), got 0.5).

use serde::{Deserialize, Serialize};

use super::matrix::{Matrix, normalised};
use crate::error::{ErrorKind, Result};
use crate::input::format_number;

/// CR at or below this is acceptable (Saaty).
pub const CONSISTENCY_THRESHOLD: f64 = 0.10;

/// Relative tolerance of the reciprocity check: `|aⱼᵢ − 1/aᵢⱼ| ≤ 1e-9 · max(|aⱼᵢ|, 1/aᵢⱼ)`.
pub const RECIPROCAL_TOLERANCE: f64 = 1e-9;

/// How the weights are derived from the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AhpMethod {
    /// The principal right eigenvector, normalised to sum 1 (Saaty).
    #[default]
    Eigenvector,
    /// The geometric mean of each row, normalised to sum 1.
    GeometricMean,
}

impl AhpMethod {
    /// `"eigenvector"` or `"geometric_mean"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Eigenvector => "eigenvector",
            Self::GeometricMean => "geometric_mean",
        }
    }

    /// The method by name.
    ///
    /// # Errors
    /// `input.unknown_method` at `method` for any other name.
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "eigenvector" => Ok(Self::Eigenvector),
            "geometric_mean" => Ok(Self::GeometricMean),
            _ => Err(ErrorKind::UnknownMethod {
                what: "AHP method",
                got: name.to_owned(),
                known: "eigenvector, geometric_mean".to_owned(),
            }
            .at("method")),
        }
    }
}

/// A named random-index table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RandomIndex {
    /// Saaty (1980), n = 1..10.
    #[default]
    Saaty,
    /// Alonso & Lamata (2006), any n.
    AlonsoLamata,
}

const SAATY: [f64; 10] = [0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49];
const ALONSO_LAMATA: [f64; 15] = [
    0.0, 0.0, 0.5245, 0.8815, 1.1086, 1.2479, 1.3417, 1.4056, 1.4499, 1.4854, 1.5141, 1.5365,
    1.5551, 1.5713, 1.5838,
];

impl RandomIndex {
    /// `"saaty"` or `"alonso_lamata"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Saaty => "saaty",
            Self::AlonsoLamata => "alonso_lamata",
        }
    }

    /// The table by name.
    ///
    /// # Errors
    /// `input.unknown_method` at `ri` for any other name.
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "saaty" => Ok(Self::Saaty),
            "alonso_lamata" => Ok(Self::AlonsoLamata),
            _ => Err(ErrorKind::UnknownMethod {
                what: "random index",
                got: name.to_owned(),
                known: "saaty, alonso_lamata".to_owned(),
            }
            .at("ri")),
        }
    }

    /// `RI(n)`.
    ///
    /// # Errors
    /// `input.random_index_not_covered` for Saaty's table and n > 10 (or n = 0).
    pub fn value(self, n: usize) -> Result<f64> {
        let table: &[f64] = match self {
            Self::Saaty => &SAATY,
            Self::AlonsoLamata => &ALONSO_LAMATA,
        };
        if let Some(ri) = n.checked_sub(1).and_then(|k| table.get(k)) {
            return Ok(*ri);
        }
        match self {
            Self::AlonsoLamata if n > table.len() => {
                #[allow(clippy::cast_precision_loss)]
                let n = n as f64;
                Ok((1.7699 * n - 4.3513) / (n - 1.0))
            }
            _ => Err(ErrorKind::RandomIndexNotCovered {
                table: match self {
                    Self::Saaty => "Saaty's",
                    Self::AlonsoLamata => "Alonso & Lamata's",
                },
                max: table.len(),
                n,
            }
            .at("matrix")),
        }
    }
}

/// Weights and consistency of one pairwise comparison matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ahp {
    /// One weight per row, non-negative, summing to 1.
    pub weights: Vec<f64>,
    /// The principal eigenvalue (or its estimate for the geometric mean).
    pub lambda_max: f64,
    /// Consistency index `(λmax − n)/(n − 1)` (0 for n ≤ 2).
    pub ci: f64,
    /// Consistency ratio `CI / RI(n)` (0 for n ≤ 2).
    pub cr: f64,
    /// `cr <= 0.10`.
    pub consistent: bool,
    /// How the weights were derived.
    pub method: AhpMethod,
    /// The random-index table used.
    pub ri: RandomIndex,
    /// `RI(n)` from that table.
    pub random_index: f64,
}

/// A judgement as a person writes it: `3`, `1/3`, or a decimal when it is neither.
pub fn judgement_text(x: f64) -> String {
    let whole = |y: f64| y >= 1.0 && (y - y.round()).abs() <= RECIPROCAL_TOLERANCE * y;
    if whole(x) {
        format_number(x.round())
    } else if x > 0.0 && whole(1.0 / x) {
        format!("1/{}", format_number((1.0 / x).round()))
    } else {
        format_number(x)
    }
}

/// Read a judgement written as a decimal (`0.5`, `3`) or a fraction (`1/3`, `2 / 5`);
/// `None` when the text is neither.
pub fn parse_judgement(text: &str) -> Option<f64> {
    let t = text.trim();
    if let Some((a, b)) = t.split_once('/') {
        let (a, b) = (
            crate::float::parse(a.trim())?,
            crate::float::parse(b.trim())?,
        );
        return Some(a / b);
    }
    crate::float::parse(t)
}

/// Check a pairwise comparison matrix; `name` prefixes the cell paths (`matrix[1][0]`).
///
/// # Errors
/// As [`ahp`].
pub(crate) fn check_pairwise(rows: &[Vec<f64>], name: &str) -> Result<Matrix> {
    let m = Matrix::from_rows(rows, name)?;
    let n = m.rows();
    if m.cols() != n {
        return Err(ErrorKind::Shape {
            expected: n,
            got: m.cols(),
        }
        .at(format!("{name}[0]")));
    }
    for i in 0..n {
        for j in 0..n {
            let x = m.get(i, j);
            if x <= 0.0 {
                return Err(ErrorKind::InputNotPositive { got: x }.at(format!("{name}[{i}][{j}]")));
            }
        }
    }
    for i in 0..n {
        for j in 0..=i {
            let x = m.get(i, j);
            let cell = || format!("{name}[{i}][{j}]");
            if i == j {
                if (x - 1.0).abs() > RECIPROCAL_TOLERANCE {
                    return Err(ErrorKind::DiagonalNotOne {
                        got: format_number(x),
                    }
                    .at(cell()));
                }
                continue;
            }
            let mirror = m.get(j, i);
            let expected = 1.0 / mirror;
            if (x - expected).abs() > RECIPROCAL_TOLERANCE * x.max(expected) {
                return Err(ErrorKind::NotReciprocal {
                    expected: judgement_text(expected),
                    of: judgement_text(mirror),
                    got: format_number(x),
                }
                .at(cell()));
            }
        }
    }
    Ok(m)
}

/// Weights and consistency of a pairwise comparison matrix (`rows[i][j]`: how much more
/// important item `i` is than item `j`).
///
/// # Errors
/// With the path of the offending cell (`matrix[i][j]`): `input.empty`, `input.shape` (not
/// square), `input.not_finite`, `input.not_positive`, `input.diagonal_not_one`,
/// `input.not_reciprocal`; `input.random_index_not_covered` for Saaty's table and n > 10.
pub fn ahp(rows: &[Vec<f64>], method: AhpMethod, ri: RandomIndex) -> Result<Ahp> {
    ahp_named(rows, method, ri, "matrix")
}

pub(crate) fn ahp_named(
    rows: &[Vec<f64>],
    method: AhpMethod,
    ri: RandomIndex,
    name: &str,
) -> Result<Ahp> {
    let m = check_pairwise(rows, name)?;
    let n = m.rows();
    let random_index = ri.value(n).map_err(|e| e.kind().clone().at(name))?;
    let gm = geometric_mean(&m);
    let (weights, lambda_max) = match method {
        AhpMethod::GeometricMean => {
            let lambda = lambda_estimate(&m, &gm);
            (gm, lambda)
        }
        AhpMethod::Eigenvector => power_iteration(&m, gm),
    };
    #[allow(clippy::cast_precision_loss)]
    let nf = n as f64;
    let (ci, cr) = if n <= 2 {
        (0.0, 0.0)
    } else {
        // λmax ≥ n for every positive reciprocal matrix (Saaty); a value a rounding error
        // below n is a consistent matrix.
        let ci = ((lambda_max - nf) / (nf - 1.0)).max(0.0);
        (ci, ci / random_index)
    };
    Ok(Ahp {
        weights,
        lambda_max: if n <= 2 { nf } else { lambda_max },
        ci,
        cr,
        consistent: cr <= CONSISTENCY_THRESHOLD,
        method,
        ri,
        random_index,
    })
}

/// Row geometric means, normalised to sum 1 (`exp` of the mean log, through libm).
fn geometric_mean(m: &Matrix) -> Vec<f64> {
    #[allow(clippy::cast_precision_loss)]
    let n = m.cols() as f64;
    let gm: Vec<f64> = (0..m.rows())
        .map(|i| {
            let mean_log: f64 = m.row(i).iter().map(|&x| libm::log(x)).sum::<f64>() / n;
            libm::exp(mean_log)
        })
        .collect();
    normalised(&gm)
}

/// `(1/n) Σᵢ (A w)ᵢ / wᵢ`.
fn lambda_estimate(m: &Matrix, w: &[f64]) -> f64 {
    let aw = multiply(m, w);
    #[allow(clippy::cast_precision_loss)]
    let n = w.len() as f64;
    aw.iter().zip(w).map(|(a, w)| a / w).sum::<f64>() / n
}

fn multiply(m: &Matrix, w: &[f64]) -> Vec<f64> {
    (0..m.rows())
        .map(|i| m.row(i).iter().zip(w).map(|(a, w)| a * w).sum())
        .collect()
}

/// The principal eigenvector by power iteration from `start` (positive, summing to 1):
/// `w ← A w / Σ(A w)` until no weight moves by more than 1e-15 (at most 10 000 steps; a
/// positive matrix converges by Perron–Frobenius). Returns `(w, λmax)` with
/// `λmax = Σ (A w)ᵢ` at the final `w`.
fn power_iteration(m: &Matrix, start: Vec<f64>) -> (Vec<f64>, f64) {
    let mut w = start;
    let mut lambda = lambda_estimate(m, &w);
    for _ in 0..10_000 {
        let aw = multiply(m, &w);
        let sum: f64 = aw.iter().sum();
        let next: Vec<f64> = aw.iter().map(|x| x / sum).collect();
        let moved = next
            .iter()
            .zip(&w)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        w = next;
        lambda = sum;
        if moved <= 1e-15 {
            break;
        }
    }
    (w, lambda)
}

/// Global priorities of alternatives under criteria, both from pairwise judgements.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AhpSynthesis {
    /// One global priority per alternative: `Σₖ w_k · local_k`, summing to 1.
    pub priorities: Vec<f64>,
    /// The criteria's weights and consistency.
    pub criteria: Ahp,
    /// Per criterion, the alternatives' local priorities and consistency.
    pub alternatives: Vec<Ahp>,
}

/// AHP synthesis (distributive mode): the criteria's weights from `criteria`, the
/// alternatives' local priorities under criterion `k` from `alternatives[k]`, and the
/// global priority of each alternative as their weighted sum.
///
/// # Errors
/// As [`ahp`], with paths `criteria[i][j]` and `alternatives[k][i][j]`; `input.shape` at
/// `alternatives` when there is not one matrix per criterion, and at `alternatives[k]` when
/// the matrices do not all compare the same number of alternatives.
pub fn ahp_synthesis(
    criteria: &[Vec<f64>],
    alternatives: &[Vec<Vec<f64>>],
    method: AhpMethod,
    ri: RandomIndex,
) -> Result<AhpSynthesis> {
    let top = ahp_named(criteria, method, ri, "criteria")?;
    if alternatives.len() != top.weights.len() {
        return Err(ErrorKind::Shape {
            expected: top.weights.len(),
            got: alternatives.len(),
        }
        .at("alternatives"));
    }
    let mut locals = Vec::with_capacity(alternatives.len());
    for (k, rows) in alternatives.iter().enumerate() {
        let local = ahp_named(rows, method, ri, &format!("alternatives[{k}]"))?;
        if let Some(first) = locals.first().map(|a: &Ahp| a.weights.len())
            && first != local.weights.len()
        {
            return Err(ErrorKind::Shape {
                expected: first,
                got: local.weights.len(),
            }
            .at(format!("alternatives[{k}]")));
        }
        locals.push(local);
    }
    let m = locals.first().map_or(0, |a| a.weights.len());
    let priorities = (0..m)
        .map(|a| {
            top.weights
                .iter()
                .zip(&locals)
                .map(|(w, local)| w * local.weights.get(a).copied().unwrap_or(0.0))
                .sum()
        })
        .collect();
    Ok(AhpSynthesis {
        priorities,
        criteria: top,
        alternatives: locals,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn judgements_as_written() {
        assert_eq!(judgement_text(3.0), "3");
        assert_eq!(judgement_text(1.0 / 3.0), "1/3");
        assert_eq!(judgement_text(0.4), "0.4");
        assert_eq!(judgement_text(2.5), "2.5");
        assert_eq!(parse_judgement(" 1/3 "), Some(1.0 / 3.0));
        assert_eq!(parse_judgement("0.5"), Some(0.5));
        assert_eq!(parse_judgement("a/3"), None);
    }

    #[test]
    fn random_index_tables() {
        assert_eq!(RandomIndex::Saaty.value(3).unwrap(), 0.58);
        assert_eq!(RandomIndex::Saaty.value(10).unwrap(), 1.49);
        let e = RandomIndex::Saaty.value(11).unwrap_err();
        assert_eq!(e.code(), "input.random_index_not_covered");
        assert_eq!(RandomIndex::AlonsoLamata.value(15).unwrap(), 1.5838);
        // n = 16 by the fit: (1.7699·16 − 4.3513)/15 = (28.3184 − 4.3513)/15 = 1.59780667.
        let ri16 = RandomIndex::AlonsoLamata.value(16).unwrap();
        assert!((ri16 - 23.9671 / 15.0).abs() < 1e-12);
    }
}
