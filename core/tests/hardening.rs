//! Hostile documents get typed errors, never a silent overwrite or a wrong band.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use civic_value::{Rubric, band_total};
use proptest::prelude::*;

/// A perspective weight given twice was kept as the last one, and the first (negative) was
/// never validated.
#[test]
fn a_map_key_given_twice_in_a_rubric_is_an_error() {
    let e = Rubric::from_json(
        r#"{"id":"r","version":"1","themes":[{"id":"t","weight":1}],
            "criteria":[{"id":"x","theme":"t","weight":1,
                         "value_function":{"type":"linear","worst":0,"best":1}}],
            "perspectives":[{"id":"p","themes":{"t":-1,"t":2}}]}"#,
    )
    .unwrap_err();
    assert_eq!(e.code(), "rubric.parse");
    assert_eq!(e.path(), "perspectives[0].themes");
    assert!(e.message().contains("\"t\" given more than once"), "{e}");
    let e = Rubric::from_json(
        r#"{"id":"r","version":"1","title":{"en":"A","en":"B"},"themes":[{"id":"t","weight":1}],
            "criteria":[{"id":"x","theme":"t","weight":1,
                         "value_function":{"type":"linear","worst":0,"best":1}}]}"#,
    )
    .unwrap_err();
    assert_eq!(e.path(), "title");
}

fn threshold_rubric(min: f64) -> Rubric {
    Rubric::from_json(&format!(
        r#"{{"id":"r","version":"1","themes":[{{"id":"t","weight":1}}],
            "criteria":[
              {{"id":"a","theme":"t","weight":1,"value_function":{{"type":"linear","worst":0,"best":100}}}},
              {{"id":"b","theme":"t","weight":1,"value_function":{{"type":"linear","worst":0,"best":100}}}},
              {{"id":"c","theme":"t","weight":1,"value_function":{{"type":"linear","worst":0,"best":100}}}}],
            "bands":[{{"id":"up","min":{min}}},{{"id":"down","min":0}}]}}"#
    ))
    .unwrap()
}

/// 17, 72 and 61 average exactly 50; the engine's sum is 49.99999999999999.
#[test]
fn a_total_on_a_threshold_lands_in_that_band() {
    let r = threshold_rubric(50.0);
    let inputs = civic_value::Inputs::from_json(r#"{"a":17,"b":72,"c":61}"#).unwrap();
    let s = r.score(&inputs, None).unwrap();
    assert!((s.total - 50.0).abs() < 1e-12);
    assert_eq!(s.band.as_deref(), Some("up"));
}

proptest! {
    /// Whole-number inputs whose mean is a whole number t (sum = 3t) land in the band that
    /// starts at t, whatever rounding the sum picks up; one unit less lands below.
    #[test]
    fn totals_on_thresholds_take_the_band_above(a in 0..=100_i32, b in 0..=100_i32, t in 1..=99_i32) {
        let c = 3 * t - a - b;
        prop_assume!((0..=100).contains(&c));
        let r = threshold_rubric(f64::from(t));
        let inputs = civic_value::Inputs::from_json(&format!(r#"{{"a":{a},"b":{b},"c":{c}}}"#)).unwrap();
        let s = r.score(&inputs, None).unwrap();
        prop_assert_eq!(s.band.as_deref(), Some("up"), "total {}", s.total);
        prop_assert_eq!(band_total(s.total), f64::from(t));
        if c > 0 {
            let below = civic_value::Inputs::from_json(&format!(r#"{{"a":{a},"b":{b},"c":{}}}"#, c - 1)).unwrap();
            let s = r.score(&below, None).unwrap();
            prop_assert_eq!(s.band.as_deref(), Some("down"), "total {}", s.total);
        }
    }
}

/// A rubric text that starts with a UTF-8 byte order mark (as Windows editors save it) reads
/// as the same rubric, whichever way it is handed over (the CLI stripped it, `from_json` in
/// Python and JS did not).
#[test]
fn a_byte_order_mark_before_a_rubric_is_skipped() {
    let json = Rubric::builtin().to_json();
    let with_bom = format!("\u{feff}{json}");
    let a = Rubric::from_json(&with_bom).unwrap();
    assert_eq!(a.fingerprint(), Rubric::builtin().fingerprint());
    let toml = Rubric::builtin().to_toml().unwrap();
    let b = Rubric::from_toml(&format!("\u{feff}{toml}")).unwrap();
    assert_eq!(b.fingerprint(), Rubric::builtin().fingerprint());
}
