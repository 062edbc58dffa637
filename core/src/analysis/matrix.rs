//! A dense matrix of finite numbers read from rows, and the per-column arguments the
//! decision-matrix methods share (criterion types, weights). Every check names the cell or
//! the entry it rejects (`matrix[1][0]`, `types[2]`).

use crate::error::{ErrorKind, Result};

/// A dense, row-major matrix of finite numbers with at least one row and one column.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    rows: usize,
    cols: usize,
    data: Vec<f64>,
}

impl Matrix {
    /// Read rows of equal length; `name` is the path prefix of errors (`matrix`).
    ///
    /// # Errors
    /// `input.empty` (no rows, or rows without values), `input.shape` at `name[i]` for a
    /// row whose length differs from the first, `input.not_finite` at `name[i][j]`.
    pub fn from_rows(rows: &[Vec<f64>], name: &str) -> Result<Self> {
        let Some(first) = rows.first() else {
            return Err(ErrorKind::InputEmpty.at(name));
        };
        let cols = first.len();
        if cols == 0 {
            return Err(ErrorKind::InputEmpty.at(format!("{name}[0]")));
        }
        let mut data = Vec::with_capacity(rows.len() * cols);
        for (i, row) in rows.iter().enumerate() {
            if row.len() != cols {
                return Err(ErrorKind::Shape {
                    expected: cols,
                    got: row.len(),
                }
                .at(format!("{name}[{i}]")));
            }
            for (j, &x) in row.iter().enumerate() {
                if !x.is_finite() {
                    return Err(
                        ErrorKind::InputNotFinite { got: x }.at(format!("{name}[{i}][{j}]"))
                    );
                }
                data.push(x);
            }
        }
        Ok(Self {
            rows: rows.len(),
            cols,
            data,
        })
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// The value at row `i`, column `j` (0 outside the matrix).
    pub fn get(&self, i: usize, j: usize) -> f64 {
        if j >= self.cols {
            return 0.0;
        }
        self.data.get(i * self.cols + j).copied().unwrap_or(0.0)
    }

    /// Row `i` (empty outside the matrix).
    pub fn row(&self, i: usize) -> &[f64] {
        self.data
            .get(i * self.cols..(i + 1) * self.cols)
            .unwrap_or(&[])
    }

    /// Column `j`, top to bottom.
    pub fn column(&self, j: usize) -> impl Iterator<Item = f64> + '_ {
        (0..self.rows).map(move |i| self.get(i, j))
    }

    /// The rows as vectors.
    pub fn to_rows(&self) -> Vec<Vec<f64>> {
        (0..self.rows).map(|i| self.row(i).to_vec()).collect()
    }

    /// A matrix of the same shape from a function of (row, column).
    pub(crate) fn from_fn(rows: usize, cols: usize, f: impl Fn(usize, usize) -> f64) -> Self {
        let mut data = Vec::with_capacity(rows * cols);
        for i in 0..rows {
            for j in 0..cols {
                data.push(f(i, j));
            }
        }
        Self { rows, cols, data }
    }
}

/// Whether a criterion is a benefit (more is better) or a cost (less is better).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CriterionType {
    /// More is better (written `1`).
    Benefit,
    /// Less is better (written `-1`).
    Cost,
}

/// Read criterion types written as `1` (benefit) and `-1` (cost), one per column.
///
/// # Errors
/// `input.shape` at `types` when there are not `cols` of them; `input.invalid_type` at
/// `types[j]` for anything but 1 and −1.
pub fn read_types(types: &[f64], cols: usize) -> Result<Vec<CriterionType>> {
    if types.len() != cols {
        return Err(ErrorKind::Shape {
            expected: cols,
            got: types.len(),
        }
        .at("types"));
    }
    types
        .iter()
        .enumerate()
        .map(|(j, &t)| {
            if t == 1.0 {
                Ok(CriterionType::Benefit)
            } else if t == -1.0 {
                Ok(CriterionType::Cost)
            } else {
                Err(ErrorKind::InvalidType { got: t }.at(format!("types[{j}]")))
            }
        })
        .collect()
}

/// Check weights, one per column: finite, not negative, not all zero. Returned as given
/// (each method says whether it divides them by their sum).
///
/// # Errors
/// `input.shape` at `weights`; `input.not_finite` or `input.negative` at `weights[j]`;
/// `input.zero_weights` at `weights`.
pub fn read_weights(weights: &[f64], cols: usize) -> Result<Vec<f64>> {
    if weights.len() != cols {
        return Err(ErrorKind::Shape {
            expected: cols,
            got: weights.len(),
        }
        .at("weights"));
    }
    for (j, &w) in weights.iter().enumerate() {
        if !w.is_finite() {
            return Err(ErrorKind::InputNotFinite { got: w }.at(format!("weights[{j}]")));
        }
        if w < 0.0 {
            return Err(ErrorKind::Negative { got: w }.at(format!("weights[{j}]")));
        }
    }
    if weights.iter().all(|&w| w == 0.0) {
        return Err(ErrorKind::InputZeroWeights.at("weights"));
    }
    Ok(weights.to_vec())
}

/// `values / Σ values` (the caller has checked that the sum is positive and finite).
pub(crate) fn normalised(values: &[f64]) -> Vec<f64> {
    let sum: f64 = values.iter().sum();
    values.iter().map(|v| v / sum).collect()
}
