//! The size limit of a rubric applies to its canonical form (compact JSON), so that every
//! valid rubric loads again from everything it writes: its pretty JSON, its TOML and its
//! canonical form (what Python pickles). The text read is bounded separately
//! (`MAX_RUBRIC_TEXT_BYTES`), before any parsing.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use civic_value::{MAX_RUBRIC_BYTES, MAX_RUBRIC_TEXT_BYTES, Rubric, RubricDoc};
use serde_json::{Value, json};

/// A rubric of `criteria` piecewise criteria of `points` points each: small numbers deep in
/// the document, the shape whose pretty form is largest next to its canonical form.
fn big(criteria: usize, points: usize) -> Value {
    let list: Vec<Value> = (0..criteria)
        .map(|i| {
            #[allow(clippy::cast_precision_loss)]
            let pts: Vec<Value> = (0..points)
                .map(|j| json!([j as f64, j as f64 / points as f64]))
                .collect();
            json!({
                "id": format!("c{i}"),
                "theme": "t",
                "weight": 1,
                "value_function": {"type": "piecewise", "points": pts},
                "label": {"en": format!("Criterion {i}"), "nl": format!("Criterium {i}")},
            })
        })
        .collect();
    json!({
        "id": "big",
        "version": "1",
        "themes": [{"id": "t", "weight": 1}],
        "criteria": list,
    })
}

fn compile(doc: &Value) -> Result<Rubric, String> {
    let doc = RubricDoc::from_value(doc.clone()).map_err(|e| e.code().to_owned())?;
    Rubric::compile(doc).map_err(|e| e.0[0].code().to_owned())
}

#[test]
fn a_rubric_near_the_limit_loads_again_from_every_form_it_writes() {
    // 150 criteria x 300 points: about 1 MB canonical (checked below), several MB pretty.
    let rubric = compile(&big(150, 300)).expect("valid rubric within the limit");
    let canonical = rubric.canonical_json();
    let pretty = rubric.to_json();
    let toml = rubric.to_toml().unwrap();
    assert!(canonical.len() <= MAX_RUBRIC_BYTES, "{}", canonical.len());
    assert!(
        canonical.len() > MAX_RUBRIC_BYTES * 9 / 10,
        "not near the limit: {}",
        canonical.len()
    );
    // The pretty form is several times the limit: a limit on the text would refuse it.
    assert!(pretty.len() > 2 * MAX_RUBRIC_BYTES, "{}", pretty.len());
    for (name, text) in [("canonical", &canonical), ("pretty", &pretty)] {
        assert!(
            text.len() <= MAX_RUBRIC_TEXT_BYTES,
            "{name}: {}",
            text.len()
        );
        let again = Rubric::from_json(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(again.fingerprint(), rubric.fingerprint(), "{name}");
    }
    assert!(toml.len() <= MAX_RUBRIC_TEXT_BYTES, "{}", toml.len());
    println!(
        "canonical {} pretty {} toml {}",
        canonical.len(),
        pretty.len(),
        toml.len()
    );
    assert_eq!(
        Rubric::from_toml(&toml).unwrap().fingerprint(),
        rubric.fingerprint()
    );
}

#[test]
fn a_rubric_over_the_limit_is_refused_in_every_form() {
    let doc = big(160, 300); // about 1.09 MB canonical
    assert_eq!(compile(&doc).unwrap_err(), "rubric.too_large");
    let compact = serde_json::to_string(&doc).unwrap();
    let err = Rubric::from_json(&compact).unwrap_err();
    assert_eq!(err.code(), "rubric.too_large");
    assert_eq!(err.path(), "");
    assert!(err.message().contains("canonical form"), "{err}");
    let pretty = serde_json::to_string_pretty(&doc).unwrap();
    assert_eq!(
        Rubric::from_json(&pretty).unwrap_err().code(),
        "rubric.too_large"
    );
}

#[test]
fn text_longer_than_the_text_limit_is_refused_before_parsing() {
    // Whitespace only: refused by its length, not parsed.
    let text = format!("{{{}}}", " ".repeat(MAX_RUBRIC_TEXT_BYTES));
    let err = Rubric::from_json(&text).unwrap_err();
    assert_eq!(err.code(), "rubric.too_large");
    assert!(
        err.message().contains(&MAX_RUBRIC_TEXT_BYTES.to_string()),
        "{err}"
    );
    let err = Rubric::from_toml(&format!("# {}", "x".repeat(MAX_RUBRIC_TEXT_BYTES))).unwrap_err();
    assert_eq!(err.code(), "rubric.too_large");
}
