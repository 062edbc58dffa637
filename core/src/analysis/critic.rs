//! Objective weights from the data: CRITIC (Diakoulaki, Mavrotas & Papayannakis 1995,
//! "Determining objective weights in multiple criteria problems: the CRITIC method").
//!
//! The columns are normalised by `minmax` (cost columns turned, see [`super::mcda`]); each
//! criterion's information is `C_j = σ_j Σ_k (1 − r_jk)`, with `σ_j` the standard deviation
//! of its normalised column and `r_jk` the Pearson correlation of columns j and k; then
//! `w_j = C_j / Σ C`. (Whether σ divides by m or m − 1 does not change the weights: the
//! factor cancels.) A criterion that varies much and agrees little with the others weighs
//! most.

use super::matrix::{Matrix, read_types};
use super::mcda::{Normalization, normalize_matrix};
use crate::error::{ErrorKind, Result};

/// CRITIC weights of the columns of `rows` (at least two rows, no constant column);
/// non-negative, summing to 1.
///
/// # Errors
/// As [`super::mcda::normalize`] with `minmax` (a constant column is
/// `input.degenerate_column` naming it); `input.shape` at `matrix` for a single row;
/// `input.no_spread` when every criterion carries no information (e.g. one column whose
/// correlation with itself leaves nothing).
pub fn critic(rows: &[Vec<f64>], types: &[f64]) -> Result<Vec<f64>> {
    let m = Matrix::from_rows(rows, "matrix")?;
    if m.rows() < 2 {
        return Err(ErrorKind::Shape {
            expected: 2,
            got: m.rows(),
        }
        .at("matrix"));
    }
    let types = read_types(types, m.cols())?;
    let r = normalize_matrix(&m, &types, Normalization::MinMax)?;
    #[allow(clippy::cast_precision_loss)]
    let rows_f = r.rows() as f64;
    let means: Vec<f64> = (0..r.cols())
        .map(|j| r.column(j).sum::<f64>() / rows_f)
        .collect();
    let centred = |j: usize| {
        let mean = means.get(j).copied().unwrap_or(0.0);
        r.column(j).map(move |x| x - mean)
    };
    // Population standard deviations (σ², then the root).
    let sd: Vec<f64> = (0..r.cols())
        .map(|j| (centred(j).map(|d| d * d).sum::<f64>() / rows_f).sqrt())
        .collect();
    let correlation = |j: usize, k: usize| -> f64 {
        if j == k {
            return 1.0;
        }
        let cov: f64 = centred(j).zip(centred(k)).map(|(a, b)| a * b).sum::<f64>() / rows_f;
        let (sj, sk) = (
            sd.get(j).copied().unwrap_or(0.0),
            sd.get(k).copied().unwrap_or(0.0),
        );
        (cov / (sj * sk)).clamp(-1.0, 1.0)
    };
    let info: Vec<f64> = (0..r.cols())
        .map(|j| {
            let conflict: f64 = (0..r.cols()).map(|k| 1.0 - correlation(j, k)).sum();
            sd.get(j).copied().unwrap_or(0.0) * conflict
        })
        .collect();
    let total: f64 = info.iter().sum();
    if total <= 0.0 {
        return Err(ErrorKind::NoSpread.at("matrix"));
    }
    Ok(info.iter().map(|c| c / total).collect())
}
