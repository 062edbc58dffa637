//! Objective weights from the data: Shannon entropy weights.
//!
//! Variant (named, since tools differ): the columns are first normalised by `sum` (benefit
//! `x / Σx`, cost `(1/x) / Σ(1/x)`, see [`super::mcda`]) into shares `p_ij`; the entropy of
//! column j is `e_j = −(1/ln m) Σ_i p_ij ln p_ij` (with `0 · ln 0 = 0`), its divergence
//! `d_j = 1 − e_j`, and `w_j = d_j / Σ d`. For benefit columns this is the classic entropy
//! weight method (e.g. pymcdm's `entropy_weights`). A column that varies more carries more
//! weight; a constant column gets weight 0.

use super::matrix::{Matrix, read_types};
use super::mcda::{Normalization, normalize_matrix};
use crate::error::{ErrorKind, Result};

/// Entropy weights of the columns of `rows` (at least two rows); `types[j]` is 1 for a
/// benefit and −1 for a cost criterion. Non-negative, summing to 1.
///
/// # Errors
/// As [`super::mcda::normalize`] with `sum`; `input.shape` at `matrix` for a single row;
/// `input.no_spread` at `matrix` when every column is constant (every
/// divergence is zero, so no weights follow).
pub fn entropy(rows: &[Vec<f64>], types: &[f64]) -> Result<Vec<f64>> {
    let m = Matrix::from_rows(rows, "matrix")?;
    if m.rows() < 2 {
        return Err(ErrorKind::Shape {
            expected: 2,
            got: m.rows(),
        }
        .at("matrix"));
    }
    let types = read_types(types, m.cols())?;
    let p = normalize_matrix(&m, &types, Normalization::Sum)?;
    #[allow(clippy::cast_precision_loss)]
    let ln_m = libm::log(m.rows() as f64);
    let divergence: Vec<f64> = (0..p.cols())
        .map(|j| {
            let h: f64 = p
                .column(j)
                .filter(|&x| x > 0.0)
                .map(|x| x * libm::log(x))
                .sum();
            // e_j ≤ 1; a rounding error above 1 is a constant column.
            (1.0 + h / ln_m).max(0.0)
        })
        .collect();
    let total: f64 = divergence.iter().sum();
    if total <= 0.0 {
        return Err(ErrorKind::NoSpread.at("matrix"));
    }
    Ok(divergence.iter().map(|d| d / total).collect())
}
