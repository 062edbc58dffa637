//! `BatchScorer::score_block` (the block path with points, interval, knock-outs) gives
//! every row the bits `BatchScorer::score_row` gives it, over many rows and blocks, with
//! missing, bad and range cells, knock-outs, both aggregations, every missing-data policy
//! and skipped rows; and, for the built-in rubric, the bits of `Rubric::score`.
//!
//! The expected values come from `score_row` / `score` (the engine's general path, itself
//! checked against hand-derived numbers in `engine.rs` and `exact.rs`), not from the block
//! path under test.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::needless_range_loop
)]

mod common;

use civic_value::{BatchScorer, BlockScores, InputValue, Inputs, Rubric};
use proptest::prelude::*;

/// A cell `(low, high)` for criterion `k`: mostly a valid point, sometimes missing (NaN),
/// out of bounds, or a range (number criteria only; a range elsewhere is an error).
fn cell(k: usize, u: f64, kind: u8) -> (f64, f64) {
    let point = match k {
        0 => (u * 100.0).floor(),
        1 => u * 8000.0,
        2 => u * 8.0,
        3 => 1.0 + (u * 5.0).floor(),
        4 => (u * 2.0).floor(),
        _ => (u * 3.0).floor(),
    };
    match kind {
        0 => (f64::NAN, f64::NAN),
        1 => {
            let bad = [-5.0, -1.0, 0.5, 9.0, 2.0, 7.0][k];
            (bad, bad)
        }
        2 => (point * 0.5, point),
        _ => (point, point),
    }
}

/// What `score_block` wrote, row by row: `(total, low, high, knocked_out, points)`.
type Row = (f64, f64, f64, bool, Vec<f64>);

/// Run `score_block` on column-major `low`/`high` of `n` rows, in runs of `run` rows.
fn block(
    batch: &BatchScorer<'_>,
    low: &[f64],
    high: &[f64],
    n: usize,
    run: usize,
    skip: &[bool],
) -> (Vec<Row>, civic_value::Result<()>) {
    let m = batch.criteria();
    let k = batch.columns();
    let mut total = vec![-1.0; n];
    let mut lo = vec![-1.0; n];
    let mut hi = vec![-1.0; n];
    let mut ko = vec![false; n];
    let mut points = vec![vec![-1.0; n]; m];
    let mut result = Ok(());
    let mut start = 0;
    while start < n && result.is_ok() {
        let len = run.min(n - start);
        // The run's columns, one slice each.
        let take = |src: &[f64]| -> Vec<Vec<f64>> {
            (0..k)
                .map(|j| src[j * n + start..j * n + start + len].to_vec())
                .collect()
        };
        // An empty `high`: every cell a point.
        let (l, h) = (
            take(low),
            if high.is_empty() {
                Vec::new()
            } else {
                take(high)
            },
        );
        let l: Vec<&[f64]> = l.iter().map(Vec::as_slice).collect();
        let h: Vec<&[f64]> = h.iter().map(Vec::as_slice).collect();
        let mut out = BlockScores {
            total: &mut total[start..start + len],
            low: &mut lo[start..start + len],
            high: &mut hi[start..start + len],
            knocked_out: &mut ko[start..start + len],
            points: points
                .iter_mut()
                .map(|p| &mut p[start..start + len])
                .collect(),
        };
        let s = if skip.is_empty() {
            &[][..]
        } else {
            &skip[start..start + len]
        };
        result = batch.score_block(start, &l, &h, s, &mut out);
        start += len;
    }
    let rows = (0..n)
        .map(|r| {
            (
                total[r],
                lo[r],
                hi[r],
                ko[r],
                points.iter().map(|p| p[r]).collect(),
            )
        })
        .collect();
    (rows, result)
}

fn bits(x: f64) -> u64 {
    x.to_bits()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// Every row (not skipped) of `score_block` equals `score_row` to the bit, over up to
    /// 300 rows in runs of any length; the first bad row's error is reported with its row.
    #[test]
    fn score_block_equals_score_row(
        weights in prop::array::uniform6(0u32..4),
        product in any::<bool>(),
        missing in prop::sample::select(vec!["error", "zero", "renormalise"]),
        order in Just([0usize, 1, 2, 3, 4, 5]).prop_shuffle(),
        columns in 1usize..=6,
        cells in prop::collection::vec(
            (0.0..1.0f64, prop::sample::select(vec![0u8, 1, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3])),
            6 * 300),
        rows in 0usize..300,
        run in 1usize..400,
        skips in prop::collection::vec(prop::bool::weighted(0.05), 300),
        use_skip in any::<bool>(),
    ) {
        prop_assume!(weights.iter().any(|&w| w > 0));
        prop_assume!(weights[0] + weights[1] + weights[4] > 0 && weights[2] + weights[3] + weights[5] > 0);
        let rubric = common::mixed_rubric(&weights, product, missing, true);
        let ids = ["lin", "log", "pw", "lk", "yn", "cat"];
        let cols: Vec<&str> = order[..columns].iter().map(|&k| ids[k]).collect();
        let batch = rubric.batch(&cols, None).unwrap();
        let at = |r: usize, j: usize| {
            let k = order[j];
            let (u, kind) = cells[r * 6 + k];
            cell(k, u, kind)
        };
        let low: Vec<f64> = (0..columns).flat_map(|j| (0..rows).map(move |r| (r, j))).map(|(r, j)| at(r, j).0).collect();
        let high: Vec<f64> = (0..columns).flat_map(|j| (0..rows).map(move |r| (r, j))).map(|(r, j)| at(r, j).1).collect();
        let skip: Vec<bool> = if use_skip { skips[..rows].to_vec() } else { Vec::new() };
        let (got, result) = block(&batch, &low, &high, rows, run, &skip);
        let mut first_error = None;
        for r in 0..rows {
            if skip.get(r).copied().unwrap_or(false) {
                continue; // left to the caller
            }
            let row_lo: Vec<f64> = (0..columns).map(|j| at(r, j).0).collect();
            let row_hi: Vec<f64> = (0..columns).map(|j| at(r, j).1).collect();
            let mut points = vec![0.0; batch.criteria()];
            match batch.score_row(&row_lo, &row_hi, &mut points) {
                Ok(s) => {
                    let (t, l, h, k, p) = &got[r];
                    prop_assert_eq!(bits(*t), bits(s.total), "row {} total {} vs {}", r, t, s.total);
                    prop_assert_eq!(bits(*l), bits(s.low), "row {} low", r);
                    prop_assert_eq!(bits(*h), bits(s.high), "row {} high", r);
                    prop_assert_eq!(*k, s.knocked_out, "row {} knocked_out", r);
                    let want: Vec<u64> = points.iter().map(|&x| bits(x)).collect();
                    let have: Vec<u64> = p.iter().map(|&x| bits(x)).collect();
                    prop_assert_eq!(have, want, "row {} points {:?} vs {:?}", r, p, points);
                }
                Err(e) => {
                    first_error = Some((r, e));
                    break;
                }
            }
        }
        match first_error {
            None => prop_assert!(result.is_ok(), "{result:?}"),
            Some((r, e)) => {
                let got = result.unwrap_err();
                prop_assert_eq!(got.code(), e.code());
                prop_assert_eq!(got.path(), format!("rows[{r}].{}", e.path()));
            }
        }
    }
}

/// The built-in rubric, every criterion given a valid point (the form a frame of numbers
/// has): every row equals `Rubric::score` to the bit (total, interval, band's total,
/// knock-out, each criterion's points).
#[test]
fn score_block_equals_score_on_the_builtin_rubric() {
    let rubric = Rubric::builtin();
    let ids: Vec<&str> = rubric.criteria().iter().map(|c| c.id()).collect();
    let batch = rubric.batch(&ids, None).unwrap();
    let n = 1000;
    let k = ids.len();
    // A fixed linear congruential sequence: reproducible, no extra dependency.
    let mut state: u64 = 42;
    let mut next = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut rows: Vec<Vec<(f64, InputValue)>> = Vec::new();
    for _ in 0..n {
        let row = rubric
            .criteria()
            .iter()
            .map(|c| {
                let u = next();
                match c.kind() {
                    civic_value::InputKind::Number => {
                        let lo = c.min().unwrap_or(0.0);
                        let hi = c.max().unwrap_or(30_000.0);
                        let x = lo + u * (hi - lo);
                        (x, InputValue::Number(x))
                    }
                    civic_value::InputKind::Likert { levels } => {
                        let x = 1.0 + (u * f64::from(levels)).floor();
                        (x, InputValue::Number(x))
                    }
                    civic_value::InputKind::Boolean => {
                        let b = u < 0.5;
                        (f64::from(u8::from(b)), InputValue::Bool(b))
                    }
                    civic_value::InputKind::Category => {
                        let i = (u * c.options().len() as f64).floor() as usize;
                        (i as f64, InputValue::Text(c.options()[i].id().to_owned()))
                    }
                }
            })
            .collect();
        rows.push(row);
    }
    let low: Vec<f64> = (0..k)
        .flat_map(|j| rows.iter().map(move |r| r[j].0))
        .collect();
    let (got, result) = block(&batch, &low, &[], n, 256, &[]);
    result.unwrap();
    let mut knocked = 0;
    for (r, row) in rows.iter().enumerate() {
        let inputs: Inputs = ids
            .iter()
            .zip(row)
            .map(|(id, (_, v))| (*id, v.clone()))
            .collect();
        let s = rubric.score(&inputs, None).unwrap();
        let (t, l, h, ko, p) = &got[r];
        assert_eq!(bits(*t), bits(s.total), "row {r}");
        assert_eq!(bits(*l), bits(s.interval.low), "row {r}");
        assert_eq!(bits(*h), bits(s.interval.high), "row {r}");
        assert_eq!(*ko, s.knocked_out, "row {r}");
        knocked += usize::from(*ko);
        for (a, c) in p.iter().zip(&s.criteria) {
            assert_eq!(bits(*a), bits(c.points), "row {r} {}", c.id);
        }
    }
    // The knock-out branch was exercised both ways.
    assert!(knocked > 0 && knocked < n, "{knocked}");
}

#[test]
fn wrong_sizes_are_shape_errors() {
    let rubric = Rubric::builtin();
    let ids: Vec<&str> = rubric.criteria().iter().map(|c| c.id()).collect();
    let batch = rubric.batch(&ids, None).unwrap();
    let mut t = vec![0.0; 2];
    let mut l = vec![0.0; 2];
    let mut h = vec![0.0; 2];
    let mut k = vec![false; 2];
    let mut p = vec![vec![0.0; 2]; ids.len()];
    let mut out = BlockScores {
        total: &mut t,
        low: &mut l,
        high: &mut h,
        knocked_out: &mut k,
        points: p.iter_mut().map(|x| &mut x[..]).collect(),
    };
    // A column of one cell for two rows; one column too few; a skip of one row.
    let short = [1.0];
    let data: Vec<&[f64]> = vec![&short; ids.len()];
    let e = batch.score_block(0, &data, &[], &[], &mut out).unwrap_err();
    assert_eq!(e.code(), "input.shape");
    let two = [1.0, 1.0];
    let data: Vec<&[f64]> = vec![&two; ids.len()];
    let e = batch
        .score_block(0, &data[1..], &[], &[], &mut out)
        .unwrap_err();
    assert_eq!(e.code(), "input.shape");
    let e = batch
        .score_block(0, &data, &data, &[false], &mut out)
        .unwrap_err();
    assert_eq!(e.code(), "input.shape");
    batch.score_block(0, &data, &[], &[], &mut out).unwrap();
}

/// A rubric whose criteria have defaults of every form: a number, a Likert level that fails
/// its knock-out, a boolean that passes its own, an option; `log` and `pw` have none (the
/// rubric's policy decides).
fn defaults_rubric(product: bool, missing: &str) -> Rubric {
    let aggregation = if product {
        "weighted_product"
    } else {
        "weighted_sum"
    };
    Rubric::from_json(&format!(
        r#"{{"id": "d", "version": "1", "aggregation": "{aggregation}", "missing": "{missing}",
            "themes": [{{"id": "t", "weight": 1}}, {{"id": "u", "weight": 2}}],
            "criteria": [
              {{"id": "lin", "theme": "t", "weight": 2, "min": 0, "max": 100, "default": 40,
                "value_function": {{"type": "linear", "worst": 90, "best": 10}}}},
              {{"id": "log", "theme": "t", "weight": 1, "min": 0,
                "value_function": {{"type": "log", "best": 5000, "scale": 500}}}},
              {{"id": "pw", "theme": "u", "weight": 3,
                "value_function": {{"type": "piecewise", "points": [[0, 0], [1, 0.4], [3, 0.8], [6, 1]]}}}},
              {{"id": "lk", "theme": "u", "weight": 1, "default": 1, "knockout": {{"at_least": 2}},
                "value_function": {{"type": "likert", "levels": 5}}}},
              {{"id": "yn", "theme": "t", "weight": 1, "default": true, "knockout": {{"required": true}},
                "value_function": {{"type": "boolean"}}}},
              {{"id": "cat", "theme": "u", "weight": 2, "default": "b",
                "value_function": {{"type": "category", "options": [
                  {{"id": "a", "value": 0}}, {{"id": "b", "value": 0.5}}, {{"id": "c", "value": 1}}]}}}}
            ]}}"#
    ))
    .unwrap()
}

/// Missing cells whose default or policy gives a fixed point are taken in place by the
/// block path; every row still gets `score_row`'s bits (total, interval, knock-out,
/// points) with defaults of every form, both aggregations and every policy, whether the
/// cell is empty or its whole column absent. The expected values come from `score_row`.
#[test]
fn missing_cells_with_defaults_equal_score_row() {
    let ids = ["lin", "log", "pw", "lk", "yn", "cat"];
    let mut state: u64 = 7;
    let mut next = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let n = 700;
    // Each cell a valid point, missing one time in four (a whole row of cells now and then).
    let cells: Vec<Vec<f64>> = (0..n)
        .map(|_| {
            let all_missing = next() < 0.02;
            (0..ids.len())
                .map(|k| {
                    let (p, u) = (next(), next());
                    if all_missing || p < 0.25 {
                        f64::NAN
                    } else {
                        cell(k, u, 3).0
                    }
                })
                .collect()
        })
        .collect();
    let mut in_place = 0;
    for product in [false, true] {
        for missing in ["zero", "error", "renormalise"] {
            let rubric = defaults_rubric(product, missing);
            // Every column; and without `log` (absent: the policy for every row), without
            // `lin` (absent: its default for every row), without `lk` (absent: its default
            // fails its knock-out in every row; found by review) or without `yn`.
            for cols in [
                &ids[..],
                &ids[1..],
                &[ids[0], ids[2], ids[3], ids[4], ids[5]][..],
                &[ids[0], ids[1], ids[2], ids[4], ids[5]][..],
                &[ids[0], ids[1], ids[2], ids[3], ids[5]][..],
            ] {
                let batch = rubric.batch(cols, None).unwrap();
                let index: Vec<usize> = cols
                    .iter()
                    .map(|c| ids.iter().position(|i| i == c).unwrap())
                    .collect();
                let low: Vec<f64> = index
                    .iter()
                    .flat_map(|&k| cells.iter().map(move |row| row[k]))
                    .collect();
                let (got, result) = block(&batch, &low, &[], n, 256, &[]);
                for r in 0..n {
                    let row: Vec<f64> = index.iter().map(|&k| cells[r][k]).collect();
                    let mut points = vec![0.0; batch.criteria()];
                    match batch.score_row(&row, &row, &mut points) {
                        Ok(s) => {
                            let (t, l, h, k, p) = &got[r];
                            assert_eq!(bits(*t), bits(s.total), "{missing} {cols:?} row {r}");
                            assert_eq!(bits(*l), bits(s.low), "{missing} row {r} low");
                            assert_eq!(bits(*h), bits(s.high), "{missing} row {r} high");
                            assert_eq!(*k, s.knocked_out, "{missing} row {r} knocked_out");
                            for (a, b) in p.iter().zip(&points) {
                                assert_eq!(bits(*a), bits(*b), "{missing} row {r} points");
                            }
                            in_place += usize::from(row.iter().any(|x| x.is_nan()));
                        }
                        Err(e) => {
                            let got = result.as_ref().unwrap_err();
                            assert_eq!(got.code(), e.code());
                            assert_eq!(got.path(), format!("rows[{r}].{}", e.path()));
                            break;
                        }
                    }
                }
            }
        }
    }
    // Rows with missing cells were scored (not only rows without).
    assert!(in_place > 1000, "{in_place}");
}
