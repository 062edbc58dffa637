//! Decision-matrix methods on a raw matrix (rows = alternatives, columns = criteria), for
//! comparison with other MCDA tools: five named normalisations, the weighted sum and
//! classic TOPSIS.
//!
//! Normalisations (column by column; a cost column is turned so that more is better):
//!
//! | name | benefit | cost |
//! | --- | --- | --- |
//! | `minmax` | (x − min)/(max − min) | (max − x)/(max − min) |
//! | `max` | x / max | 1 − x / max |
//! | `sum` | x / Σx | (1/x) / Σ(1/x) |
//! | `vector` | x / ‖x‖ | 1 − x / ‖x‖ |
//! | `linear` | x / max | min / x |
//!
//! A column that would make a method divide by zero is an error naming the column, never a
//! NaN: a constant column under `minmax`, an all-zero column under the others. The ratio
//! normalisations (`max`, `sum`, `vector`, `linear`) need values ≥ 0, and `sum` and
//! `linear` need values > 0 in a cost column.

use super::matrix::{CriterionType, Matrix, read_types, read_weights};
use crate::error::{ErrorKind, Result};
use crate::input::format_number;

/// A named column normalisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Normalization {
    /// Min-max: `(x − min)/(max − min)`; cost `(max − x)/(max − min)`.
    MinMax,
    /// Max: `x / max`; cost `1 − x / max`.
    Max,
    /// Sum: `x / Σx`; cost `(1/x) / Σ(1/x)`.
    Sum,
    /// Vector: `x / ‖x‖`; cost `1 − x / ‖x‖`.
    Vector,
    /// Linear: `x / max`; cost `min / x`.
    Linear,
}

impl Normalization {
    /// The name: `"minmax"`, `"max"`, `"sum"`, `"vector"` or `"linear"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MinMax => "minmax",
            Self::Max => "max",
            Self::Sum => "sum",
            Self::Vector => "vector",
            Self::Linear => "linear",
        }
    }

    /// A normalisation by name.
    ///
    /// # Errors
    /// `input.unknown_method` at `normalization` for any other name.
    pub fn parse(name: &str) -> Result<Self> {
        Ok(match name {
            "minmax" => Self::MinMax,
            "max" => Self::Max,
            "sum" => Self::Sum,
            "vector" => Self::Vector,
            "linear" => Self::Linear,
            _ => {
                return Err(ErrorKind::UnknownMethod {
                    what: "normalization",
                    got: name.to_owned(),
                    known: "minmax, max, sum, vector, linear".to_owned(),
                }
                .at("normalization"));
            }
        })
    }
}

/// Normalise every column of `rows` by `method`, cost columns (`types[j] = -1`) turned so
/// that more is better. Returns the normalised rows.
///
/// # Errors
/// `input.empty`, `input.shape`, `input.not_finite` (path `matrix[i][j]`); `input.shape` or
/// `input.invalid_type` for `types`; `input.degenerate_column` at `matrix[*][j]` for a column
/// that divides by zero; `input.negative` / `input.not_positive` at `matrix[i][j]` for
/// values a ratio normalisation cannot take.
pub fn normalize(rows: &[Vec<f64>], types: &[f64], method: Normalization) -> Result<Vec<Vec<f64>>> {
    let m = Matrix::from_rows(rows, "matrix")?;
    let types = read_types(types, m.cols())?;
    Ok(normalize_matrix(&m, &types, method)?.to_rows())
}

pub(crate) fn normalize_matrix(
    m: &Matrix,
    types: &[CriterionType],
    method: Normalization,
) -> Result<Matrix> {
    let mut columns = Vec::with_capacity(m.cols());
    for (j, &t) in types.iter().enumerate() {
        columns.push(normalize_column(m, j, t, method)?);
    }
    Ok(Matrix::from_fn(m.rows(), m.cols(), |i, j| {
        columns
            .get(j)
            .and_then(|c: &Vec<f64>| c.get(i))
            .copied()
            .unwrap_or(0.0)
    }))
}

fn normalize_column(
    m: &Matrix,
    j: usize,
    t: CriterionType,
    method: Normalization,
) -> Result<Vec<f64>> {
    let col: Vec<f64> = m.column(j).collect();
    let degenerate = |reason: String| {
        ErrorKind::DegenerateColumn {
            reason,
            method: method.as_str(),
        }
        .at(format!("matrix[*][{j}]"))
    };
    let min = col.iter().copied().fold(f64::INFINITY, f64::min);
    let max = col.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if method != Normalization::MinMax {
        for (i, &x) in col.iter().enumerate() {
            if x < 0.0 {
                return Err(ErrorKind::Negative { got: x }.at(format!("matrix[{i}][{j}]")));
            }
            let divides_by_x = t == CriterionType::Cost
                && matches!(method, Normalization::Sum | Normalization::Linear);
            if divides_by_x && x <= 0.0 {
                return Err(ErrorKind::InputNotPositive { got: x }.at(format!("matrix[{i}][{j}]")));
            }
        }
        if max <= 0.0 {
            return Err(degenerate("is all zero".to_owned()));
        }
    }
    let benefit = t == CriterionType::Benefit;
    Ok(match method {
        Normalization::MinMax => {
            let range = max - min;
            if range <= 0.0 {
                return Err(degenerate(format!(
                    "is constant ({} in every row)",
                    format_number(min)
                )));
            }
            col.iter()
                .map(|&x| {
                    if benefit {
                        (x - min) / range
                    } else {
                        (max - x) / range
                    }
                })
                .collect()
        }
        Normalization::Max => col
            .iter()
            .map(|&x| if benefit { x / max } else { 1.0 - x / max })
            .collect(),
        Normalization::Sum => {
            if benefit {
                let sum: f64 = col.iter().sum();
                col.iter().map(|&x| x / sum).collect()
            } else {
                let sum: f64 = col.iter().map(|&x| 1.0 / x).sum();
                col.iter().map(|&x| (1.0 / x) / sum).collect()
            }
        }
        Normalization::Vector => {
            let norm = col.iter().map(|&x| x * x).sum::<f64>().sqrt();
            col.iter()
                .map(|&x| if benefit { x / norm } else { 1.0 - x / norm })
                .collect()
        }
        Normalization::Linear => col
            .iter()
            .map(|&x| if benefit { x / max } else { min / x })
            .collect(),
    })
}

/// Weighted sum: each row's `Σ_j w_j r_ij / Σ_j w_j` over the normalised matrix `r` (the
/// rubric's own aggregation: weights are divided by their sum).
///
/// # Errors
/// As [`normalize`]; for `weights`: `input.shape`, `input.not_finite`, `input.negative`,
/// `input.zero_weights`.
pub fn wsum(
    rows: &[Vec<f64>],
    weights: &[f64],
    types: &[f64],
    normalization: Normalization,
) -> Result<Vec<f64>> {
    let m = Matrix::from_rows(rows, "matrix")?;
    let types = read_types(types, m.cols())?;
    let weights = read_weights(weights, m.cols())?;
    let r = normalize_matrix(&m, &types, normalization)?;
    let total: f64 = weights.iter().sum();
    Ok((0..r.rows())
        .map(|i| {
            r.row(i)
                .iter()
                .zip(&weights)
                .map(|(x, w)| w * x)
                .sum::<f64>()
                / total
        })
        .collect())
}

/// Classic TOPSIS (Hwang & Yoon 1981): normalise (vector by default), weight (weights
/// divided by their sum; closeness does not depend on their scale), take the ideal (best
/// per column) and anti-ideal (worst per column), Euclidean distances `d⁺` and `d⁻`, and
/// the closeness `d⁻ / (d⁺ + d⁻)` of each row. A row that is best on every criterion has
/// `d⁺ = 0` and closeness exactly 1.
///
/// # Errors
/// As [`wsum`]; `input.no_spread` at `matrix` when every row is equal on every weighted
/// criterion (no ideal to be closer to).
pub fn topsis(
    rows: &[Vec<f64>],
    weights: &[f64],
    types: &[f64],
    normalization: Normalization,
) -> Result<Vec<f64>> {
    let m = Matrix::from_rows(rows, "matrix")?;
    let types = read_types(types, m.cols())?;
    let weights = read_weights(weights, m.cols())?;
    let r = normalize_matrix(&m, &types, normalization)?;
    let total: f64 = weights.iter().sum();
    let v = Matrix::from_fn(r.rows(), r.cols(), |i, j| {
        weights.get(j).copied().unwrap_or(0.0) / total * r.get(i, j)
    });
    let ideal: Vec<f64> = (0..v.cols())
        .map(|j| v.column(j).fold(f64::NEG_INFINITY, f64::max))
        .collect();
    let anti: Vec<f64> = (0..v.cols())
        .map(|j| v.column(j).fold(f64::INFINITY, f64::min))
        .collect();
    let distance = |i: usize, to: &[f64]| {
        v.row(i)
            .iter()
            .zip(to)
            .map(|(x, y)| (x - y) * (x - y))
            .sum::<f64>()
            .sqrt()
    };
    let mut out = Vec::with_capacity(v.rows());
    for i in 0..v.rows() {
        let plus = distance(i, &ideal);
        let minus = distance(i, &anti);
        if plus + minus <= 0.0 {
            return Err(ErrorKind::NoSpread.at("matrix"));
        }
        out.push(minus / (plus + minus));
    }
    Ok(out)
}
