//! `civic-value rubric show X | civic-value rubric validate /dev/stdin` passes for every
//! valid rubric, also one whose pretty JSON is several times the rubric size limit (the
//! limit is on the canonical form; see `core/tests/rubric_size.rs`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::process::{Command, Output};

use civic_value::{MAX_RUBRIC_BYTES, Rubric};
use serde_json::{Value, json};

mod common;
use common::run_with_stdin;

fn cli() -> Command {
    Command::new(env!("CARGO_BIN_EXE_civic-value"))
}

/// `civic-value rubric validate /dev/stdin` with `text` on standard input.
fn validate_stdin(text: &[u8]) -> Output {
    run_with_stdin(&["rubric", "validate", "/dev/stdin"], text)
}

/// A valid rubric of about 1 MB in canonical form: 150 piecewise criteria of 300 points.
fn near_the_limit() -> Value {
    let criteria: Vec<Value> = (0..150)
        .map(|i| {
            let points: Vec<Value> = (0..300)
                .map(|j| json!([f64::from(j), f64::from(j) / 300.0]))
                .collect();
            json!({
                "id": format!("c{i}"), "theme": "t", "weight": 1,
                "value_function": {"type": "piecewise", "points": points},
                "label": {"en": format!("Criterion {i}")},
            })
        })
        .collect();
    json!({"id": "big", "version": "1", "themes": [{"id": "t", "weight": 1}], "criteria": criteria})
}

#[test]
fn rubric_show_output_always_validates() {
    let doc = near_the_limit();
    let compact = serde_json::to_string(&doc).unwrap();
    let rubric = Rubric::from_json(&compact).unwrap();
    assert!(rubric.canonical_json().len() > MAX_RUBRIC_BYTES * 9 / 10);
    let dir = std::env::temp_dir().join(format!("civic-value-show-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("big.json");
    std::fs::write(&file, &compact).unwrap();
    for format in ["json", "toml"] {
        let shown = cli()
            .args(["rubric", "show", "--format", format])
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            shown.status.success(),
            "{}",
            String::from_utf8_lossy(&shown.stderr)
        );
        if format == "json" {
            // Pretty JSON: more than the size limit of the rubric itself.
            assert!(
                shown.stdout.len() > 2 * MAX_RUBRIC_BYTES,
                "{}",
                shown.stdout.len()
            );
        }
        let checked = validate_stdin(&shown.stdout);
        let said = String::from_utf8_lossy(&checked.stdout);
        assert!(
            checked.status.success(),
            "{format}: {}",
            String::from_utf8_lossy(&checked.stderr)
        );
        assert!(said.contains(rubric.fingerprint()), "{format}: {said}");
        // And from a file of that output.
        let saved = dir.join(format!("shown.{format}"));
        std::fs::write(&saved, &shown.stdout).unwrap();
        let checked = cli()
            .args(["rubric", "validate"])
            .arg(&saved)
            .output()
            .unwrap();
        assert!(
            checked.status.success(),
            "{format} file: {}",
            String::from_utf8_lossy(&checked.stderr)
        );
    }
    // The built-in rubric too.
    let shown = cli().args(["rubric", "show"]).output().unwrap();
    let checked = validate_stdin(&shown.stdout);
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
