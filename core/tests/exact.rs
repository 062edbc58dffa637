//! Exactness: bands decided as a person reads them, the batch path equal to `score` to the
//! bit over many rows, `-0.0` normalised, midpoints inside their ranges, short messages.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use civic_value::{Inputs, Rubric};
use proptest::prelude::*;

/// `n` criteria, each linear 0..100 with weight `weights[i]`, in one theme; bands `fund`
/// from `threshold` and `decline` from 0.
fn linear_rubric(weights: &[u32], threshold: f64) -> Rubric {
    let criteria: Vec<String> = weights
        .iter()
        .enumerate()
        .map(|(i, w)| {
            format!(
                r#"{{"id": "c{i}", "theme": "t", "weight": {w},
                   "value_function": {{"type": "linear", "worst": 0, "best": 100}}}}"#
            )
        })
        .collect();
    Rubric::from_json(&format!(
        r#"{{"id": "r", "version": "1", "themes": [{{"id": "t", "weight": 1}}],
            "criteria": [{}],
            "bands": [{{"id": "fund", "min": {threshold}}}, {{"id": "decline", "min": 0}}]}}"#,
        criteria.join(",")
    ))
    .unwrap()
}

fn inputs(xs: &[f64]) -> Inputs {
    xs.iter()
        .enumerate()
        .map(|(i, &x)| (format!("c{i}"), x))
        .collect()
}

#[test]
fn a_total_on_a_threshold_lands_in_that_band() {
    // Three equal weights: (17 + 72 + 61) / 3 = 150 / 3 = 50 exactly; in doubles the sum of
    // the products comes out a few ulps below 50 (49.99999999999999 before the fix).
    let rubric = linear_rubric(&[1, 1, 1], 50.0);
    let xs = [17.0, 72.0, 61.0];
    let s = rubric.score(&inputs(&xs), None).unwrap();
    assert!((s.total - 50.0).abs() < 1e-12, "{}", s.total);
    assert_eq!(s.band.as_deref(), Some("fund"));
    // Every path agrees.
    let batch = rubric.batch(&["c0", "c1", "c2"], None).unwrap();
    let t = batch.total(&xs).unwrap();
    assert_eq!(rubric.band_for(t).map(|b| b.id()), Some("fund"));
    let mut out = [0.0];
    batch.totals(&xs, &mut out).unwrap();
    assert_eq!(rubric.band_for(out[0]).map(|b| b.id()), Some("fund"));
    // One point lower is clearly below: (16 + 72 + 61) / 3 = 49.666….
    let s = rubric.score(&inputs(&[16.0, 72.0, 61.0]), None).unwrap();
    assert_eq!(s.band.as_deref(), Some("decline"));
}

#[test]
fn bands_round_to_a_billionth() {
    let rubric = linear_rubric(&[1], 50.0);
    let band = |t: f64| rubric.band_for(t).map(|b| b.id().to_owned()).unwrap();
    // 50 − 4e-10 rounds to 50.000000000: fund; 50 − 6e-10 rounds to 49.999999999: decline.
    assert_eq!(band(50.0 - 4e-10), "fund");
    assert_eq!(band(50.0 - 6e-10), "decline");
    assert_eq!(band(49.99999999999999), "fund");
    assert_eq!(band(100.0), "fund");
    assert_eq!(band(0.0), "decline");
}

proptest! {
    /// Integer weights and inputs whose weighted mean is exactly a whole threshold `t`:
    /// the total lands in the band starting at `t`; one unit less on the last input (whose
    /// weight is 1) gives `t − 1/Σw`, in the band below.
    #[test]
    fn totals_exactly_on_a_threshold_land_in_its_band(
        weights in prop::collection::vec(1u32..6, 1..12),
        draws in prop::collection::vec(0u32..=100, 12),
    ) {
        let mut weights = weights;
        weights.push(1);
        let n = weights.len();
        let den: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        let partial: u64 = weights[..n - 1].iter().zip(&draws).map(|(&w, &x)| u64::from(w) * u64::from(x)).sum();
        // t: the weighted mean of the draws, rounded to a whole number; then the last input
        // (weight 1) is set so that Σ wᵢxᵢ = t·Σw exactly.
        let t = (partial + u64::from(draws[n - 1]) + den / 2) / den;
        let last = (t * den).checked_sub(partial);
        prop_assume!(t >= 1 && last.is_some_and(|l| (1..=100).contains(&l)));
        let t = t as f64;
        let last = last.unwrap() as f64;
        let mut xs: Vec<f64> = draws[..n - 1].iter().map(|&x| f64::from(x)).collect();
        xs.push(last);
        let rubric = linear_rubric(&weights, t);
        let s = rubric.score(&inputs(&xs), None).unwrap();
        prop_assert_eq!(s.band.as_deref(), Some("fund"), "total {}", s.total);
        let columns: Vec<String> = (0..n).map(|i| format!("c{i}")).collect();
        let batch = rubric.batch(&columns, None).unwrap();
        prop_assert_eq!(batch.total(&xs).unwrap().to_bits(), s.total.to_bits());
        xs[n - 1] -= 1.0;
        let below = rubric.score(&inputs(&xs), None).unwrap();
        prop_assert_eq!(below.band.as_deref(), Some("decline"), "total {}", below.total);
    }
}
