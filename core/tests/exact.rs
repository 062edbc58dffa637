//! Exactness: bands decided as a person reads them, the batch path equal to `score` to the
//! bit over many rows, `-0.0` normalised, midpoints inside their ranges, short messages.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

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

// ---- short messages (issue 11, item 8) ----------------------------------------------

/// Every message and path stays readable: at most a few hundred characters.
fn assert_short(e: &civic_value::Error) {
    let text = e.to_string();
    assert!(
        text.chars().count() <= 400,
        "{} characters: {text:.200}",
        text.len()
    );
    assert!(
        e.path().chars().count() <= 170,
        "path of {} characters",
        e.path().len()
    );
    assert!(!text.contains('\u{1b}'), "raw escape in {text:?}");
}

#[test]
fn echoed_values_and_paths_are_capped() {
    let rubric = Rubric::builtin();
    let huge = "x".repeat(1 << 20);
    // A 1 MB key: the unknown criterion's path keeps its head.
    let e = rubric
        .score(&Inputs::new().with(huge.as_str(), 1.0), None)
        .unwrap_err();
    assert_eq!(e.code(), "input.unknown_criterion");
    assert!(e.path().starts_with("input.xxxx"));
    assert!(e.path().ends_with('…'));
    assert_short(&e);
    // A 1 MB value: echoed as its first characters, quoted, with an ellipsis.
    let e = rubric
        .score(&Inputs::new().with("volunteer_hours", huge.as_str()), None)
        .unwrap_err();
    assert_eq!(e.code(), "input.not_a_number");
    assert!(e.message().ends_with("xxx…\""), "{}", e.message());
    assert!(e.message().chars().count() <= 40 + civic_value::MAX_ECHO);
    assert_short(&e);
    // An option id with terminal escape codes comes back escaped.
    let e = rubric
        .score(
            &Inputs::new().with("inclusion", "\u{1b}[2J\u{1b}[31mred"),
            None,
        )
        .unwrap_err();
    assert!(e.message().contains(r"\u{1b}[2J"), "{}", e.message());
    assert_short(&e);
    // A perspective name of 1 MB.
    let e = rubric
        .score(&Inputs::new(), Some(huge.as_str()))
        .unwrap_err();
    assert_eq!(e.code(), "input.unknown_perspective");
    assert_short(&e);
    // A 1 MB unknown field in an initiative, and in a rubric document.
    let doc = format!(r#"{{"id": "a", "name": "A", "inputs": {{}}, "{huge}": 1}}"#);
    let e = civic_value::Initiative::list_from_json(&doc).unwrap_err();
    assert_eq!(e.code(), "input.parse");
    assert_short(&e);
    let key = "k".repeat(100_000); // a rubric document may hold up to 1 MiB
    let doc = format!(r#"{{"id": "r", "version": "1", "{key}": 1}}"#);
    let e = Rubric::from_json(&doc).unwrap_err();
    assert_eq!(e.code(), "rubric.parse");
    assert_short(&e);
    // A deeply nested path keeps its first and last segments.
    let e = civic_value::ErrorKind::Missing.at((0..200)
        .map(|i| format!("level{i}"))
        .collect::<Vec<_>>()
        .join("."));
    assert!(
        e.path().starts_with("level0.level1.level2."),
        "{}",
        e.path()
    );
    assert!(e.path().ends_with(".….level199"), "{}", e.path());
    assert!(e.path().chars().count() <= 160);
}

#[test]
fn numbers_in_messages_are_short() {
    let rubric = Rubric::builtin();
    // support_share is a percentage (max 100): 1e308 prints as 1e308, not 309 digits.
    let e = rubric
        .score(&Inputs::new().with("support_share", 1e308), None)
        .unwrap_err();
    assert_eq!(e.code(), "input.above_max");
    assert_eq!(e.message(), "must be at most 100, got 1e308");
    let e = rubric
        .score(&Inputs::new().with("volunteer_hours", (-1e300, 5.0)), None)
        .unwrap_err();
    assert_eq!(e.message(), "must be at least 0, got -1e300");
    // In a rubric too.
    let e = Rubric::from_json(
        r#"{"id": "r", "version": "1", "themes": [{"id": "t", "weight": 1e300}],
            "criteria": [{"id": "c", "theme": "t", "weight": 1,
                          "value_function": {"type": "boolean"}}]}"#,
    )
    .unwrap_err();
    assert_eq!(e.message(), "must lie in [0, 1000000000], got 1e300");
}

// ---- -0.0 and midpoints (issue 11, item 9) -------------------------------------------

#[test]
fn negative_zero_is_zero_everywhere() {
    let doc = |w: &str, x: &str| {
        format!(
            r#"{{"id": "r", "version": "1",
                "themes": [{{"id": "t", "weight": 1}}, {{"id": "u", "weight": {w}}}],
                "criteria": [
                  {{"id": "cost", "theme": "t", "weight": 1,
                    "value_function": {{"type": "linear", "worst": 100, "best": {x}}}}},
                  {{"id": "other", "theme": "u", "weight": 1,
                    "value_function": {{"type": "boolean"}}}}]}}"#
        )
    };
    let plus = Rubric::from_json(&doc("0", "0")).unwrap();
    let minus = Rubric::from_json(&doc("-0.0", "-0.0")).unwrap();
    assert_eq!(minus.fingerprint(), plus.fingerprint());
    assert_eq!(minus.doc().canonical_json(), plus.doc().canonical_json());
    assert!(!minus.to_json().contains("-0"));
    assert_eq!(
        minus.doc().fingerprint(),
        civic_value::RubricDoc::from_json(&doc("-0.0", "-0.0"))
            .unwrap()
            .fingerprint(),
        "an uncompiled document fingerprints the same"
    );
    // A cost criterion at its worst: (100 − 100)/(0 − 100) = −0 before the fix.
    let inputs = Inputs::new().with("cost", -0.0).with("other", false);
    let s = plus
        .score(
            &Inputs::new().with("cost", 100.0).with("other", false),
            None,
        )
        .unwrap();
    let json = serde_json::to_string(&s).unwrap();
    assert!(!json.contains("-0"), "{json}");
    for c in &s.criteria {
        assert!(
            c.value.is_sign_positive() && c.points.is_sign_positive(),
            "{c:?}"
        );
    }
    // An input of −0 is echoed as 0.
    let s = plus.score(&inputs, None).unwrap();
    let json = serde_json::to_string(&s).unwrap();
    assert!(!json.contains("-0"), "{json}");
    assert_eq!(civic_value::format_number(-0.0), "0");
}

#[test]
fn a_range_midpoint_lies_inside_its_range() {
    // linear from 0 to 2·5e-324: the smallest double 5e-324 has value 0.5 exactly.
    let rubric = Rubric::from_json(
        r#"{"id": "r", "version": "1", "themes": [{"id": "t", "weight": 1}],
            "criteria": [{"id": "c", "theme": "t", "weight": 1,
              "value_function": {"type": "linear", "worst": 0, "best": 1e-323}}]}"#,
    )
    .unwrap();
    let tiny = 5e-324;
    let s = rubric
        .score(&Inputs::new().with("c", (tiny, tiny)), None)
        .unwrap();
    // 0.5·5e-324 + 0.5·5e-324 underflowed to 0 (value 0) before the fix.
    assert_eq!(s.total, 50.0);
    assert!(s.interval.low <= s.total && s.total <= s.interval.high);
    let batch = rubric.batch(&["c"], None).unwrap();
    let mut points = [0.0];
    let r = batch.score_row(&[tiny], &[1e-323], &mut points).unwrap();
    assert!(r.low <= r.total && r.total <= r.high);
    // Huge ends do not overflow: [−1.5e308, 1.7e308] has midpoint 1e307 (not ±inf).
    let wide = Rubric::from_json(
        r#"{"id": "r", "version": "1", "themes": [{"id": "t", "weight": 1}],
            "criteria": [{"id": "c", "theme": "t", "weight": 1,
              "value_function": {"type": "linear", "worst": -1e15, "best": 1e15}}]}"#,
    )
    .unwrap();
    let s = wide
        .score(&Inputs::new().with("c", (-1.5e308, 1.7e308)), None)
        .unwrap();
    // The midpoint 1e307 is beyond best (value 1); the low end below worst (value 0).
    assert_eq!(s.total, 100.0);
    assert_eq!((s.interval.low, s.interval.high), (0.0, 100.0));
}

proptest! {
    /// The midpoint of any finite range lies inside it, so the total lies in its interval.
    #[test]
    fn midpoints_stay_inside(a in any::<f64>(), b in any::<f64>()) {
        prop_assume!(a.is_finite() && b.is_finite());
        let (low, high) = if a <= b { (a, b) } else { (b, a) };
        let m = low.midpoint(high);
        prop_assert!(low <= m && m <= high, "{low} {m} {high}");
    }
}

// ---- the batch path over many rows ----------------------------------------------------

/// A cell for criterion `k`: mostly valid, sometimes missing (NaN) or out of bounds.
fn cell(k: usize, u: f64, kind: u8) -> f64 {
    match kind {
        0 => f64::NAN,
        1 => [-5.0, 1e9, 0.5, 9.0, 2.0, 7.0][k],
        _ => match k {
            0 => (u * 100.0).floor(),
            1 => u * 8000.0,
            2 => u * 8.0,
            3 => 1.0 + (u * 5.0).floor(),
            4 => (u * 2.0).floor(),
            _ => (u * 3.0).floor(),
        },
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// `totals` over up to 300 rows (several blocks, some rows with missing or bad values)
    /// equals `total` row by row, to the bit, and reports the first bad row's error.
    #[test]
    fn totals_equal_total_row_by_row(
        weights in prop::array::uniform6(0u32..4),
        product in any::<bool>(),
        missing in prop::sample::select(vec!["error", "zero", "renormalise"]),
        order in Just([0usize, 1, 2, 3, 4, 5]).prop_shuffle(),
        columns in 1usize..=6,
        cells in prop::collection::vec((0.0..1.0f64, prop::sample::select(vec![0u8, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2])), 6 * 300),
        rows in 0usize..300,
    ) {
        prop_assume!(weights.iter().any(|&w| w > 0));
        let themes_ok = weights[0] + weights[1] + weights[4] > 0 && weights[2] + weights[3] + weights[5] > 0;
        prop_assume!(themes_ok);
        let rubric = common::mixed_rubric(&weights, product, missing, false);
        let ids = ["lin", "log", "pw", "lk", "yn", "cat"];
        let cols: Vec<&str> = order[..columns].iter().map(|&k| ids[k]).collect();
        let batch = rubric.batch(&cols, None).unwrap();
        let data: Vec<f64> = (0..rows)
            .flat_map(|r| order[..columns].iter().map(move |&k| (r, k)))
            .map(|(r, k)| {
                let (u, kind) = cells[r * 6 + k];
                cell(k, u, kind)
            })
            .collect();
        let mut out = vec![0.0; rows];
        let all = batch.totals(&data, &mut out);
        let each: Vec<_> = data.chunks(columns).map(|row| batch.total(row)).collect();
        match each.iter().position(Result::is_err) {
            None => {
                prop_assert!(all.is_ok(), "{all:?}");
                for (r, (a, b)) in out.iter().zip(&each).enumerate() {
                    let b = b.as_ref().unwrap();
                    prop_assert_eq!(a.to_bits(), b.to_bits(), "row {}: {} vs {}", r, a, b);
                }
            }
            Some(r) => {
                let e = all.unwrap_err();
                let first = each[r].as_ref().unwrap_err();
                prop_assert_eq!(e.code(), first.code());
                prop_assert_eq!(e.path(), format!("rows[{r}].{}", first.path()));
                // Rows before the bad one are filled in.
                for (a, b) in out.iter().zip(&each).take(r) {
                    prop_assert_eq!(a.to_bits(), b.as_ref().unwrap().to_bits());
                }
            }
        }
    }
}
