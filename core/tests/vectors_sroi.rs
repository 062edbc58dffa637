//! Every SROI vector in `tests/vectors/sroi/` (see its README): expected numbers from an
//! independent Python derivation, compared with a relative tolerance of 1e-9.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;

use civic_value::analysis::discount::Discount;
use civic_value::analysis::sroi::{Outcome, Sroi, sroi};
use civic_value::analysis::sroi_input::outcomes_from_value;
use civic_value::{Inputs, Result, Rubric};
use serde_json::Value;

fn discount(v: &Value) -> Result<Discount> {
    match v {
        Value::Number(n) => Discount::rate(n.as_f64().unwrap()),
        Value::String(s) => Discount::preset(s),
        Value::Array(terms) => Discount::terms(
            &terms
                .iter()
                .map(|t| (t[0].as_u64().unwrap() as u32, t[1].as_f64().unwrap()))
                .collect::<Vec<_>>(),
        ),
        other => panic!("bad discount {other}"),
    }
}

fn run(v: &Value) -> Result<Sroi> {
    if v["rubric"] == "builtin" {
        let inputs = Inputs::from_json(&v["inputs"].to_string())?;
        return Ok(Rubric::builtin().monetise(&inputs, None, None)?.sroi);
    }
    // Read as the bindings read them (defaults, whole-year durations, paths of errors).
    let outcomes: Vec<Outcome> = outcomes_from_value(&v["outcomes"])?;
    sroi(
        &outcomes,
        v["investment"].as_f64().unwrap(),
        &discount(&v["discount"])?,
    )
}

fn close(got: f64, want: f64) -> bool {
    (got - want).abs() <= 1e-9 * want.abs().max(1.0)
}

#[test]
fn every_sroi_vector() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/sroi");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let name = v["name"].as_str().unwrap();
        match (run(&v), v.get("expected"), v.get("error")) {
            (Ok(r), Some(want), None) => {
                for (key, got) in [
                    ("present_value", r.present_value),
                    ("npv", r.npv),
                    ("ratio", r.ratio),
                    ("net_ratio", r.net_ratio),
                ] {
                    let w = want[key].as_f64().unwrap();
                    assert!(close(got, w), "{name}: {key} {got} vs {w}");
                }
                match (r.payback_years, want["payback_years"].as_f64()) {
                    (None, None) => {}
                    (Some(got), Some(w)) => assert!(close(got, w), "{name}: payback {got} vs {w}"),
                    (got, w) => panic!("{name}: payback {got:?} vs {w:?}"),
                }
            }
            (Err(e), None, Some(want)) => {
                assert_eq!(e.code(), want["code"], "{name}: {e}");
                assert_eq!(e.path(), want["path"], "{name}: {e}");
            }
            (got, _, _) => panic!("{name}: unexpected {got:?}"),
        }
        n += 1;
    }
    assert!(
        n >= 8,
        "expected the SROI vectors in {}, found {n}",
        dir.display()
    );
}
