//! Every vector in `tests/vectors/weigh/` (see its README): AHP, rank and objective weights,
//! normalisations, weighted sum, TOPSIS, levers, paths to a band, perspectives compared and
//! re-weighting. Expected numbers come from `derive.py` (numpy, published figures asserted)
//! or from the hand derivation in each vector's note; relative tolerance 1e-9.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use civic_value::analysis::ahp::{AhpMethod, RandomIndex, ahp, ahp_synthesis};
use civic_value::analysis::mcda::{Normalization, normalize, topsis, wsum};
use civic_value::analysis::{critic, entropy, weights};
use civic_value::{Error, InputValue, Inputs, Rubric};
use serde_json::{Value, json};

fn matrix(v: &Value) -> Vec<Vec<f64>> {
    serde_json::from_value(v.clone()).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    serde_json::from_value(v.clone()).unwrap()
}

fn rubric(v: &Value) -> Rubric {
    if v == "builtin" {
        Rubric::builtin()
    } else {
        Rubric::from_json(&v.to_string()).unwrap()
    }
}

fn inputs(v: &Value) -> Inputs {
    Inputs::from_json(&v.to_string()).unwrap()
}

fn input_json(v: &InputValue) -> Value {
    serde_json::to_value(v).unwrap()
}

/// Run one vector: its result as JSON in the shape of `expected`.
fn run(kind: &str, a: &Value) -> Result<Value, Error> {
    let method = || AhpMethod::parse(a["method"].as_str().unwrap_or("eigenvector"));
    let ri = || RandomIndex::parse(a["ri"].as_str().unwrap_or("saaty"));
    let norm = |default: &str| Normalization::parse(a["normalization"].as_str().unwrap_or(default));
    Ok(match kind {
        "ahp" => serde_json::to_value(ahp(&matrix(&a["matrix"]), method()?, ri()?)?).unwrap(),
        "ahp_synthesis" => {
            let alternatives: Vec<Vec<Vec<f64>>> =
                serde_json::from_value(a["alternatives"].clone()).unwrap();
            let s = ahp_synthesis(&matrix(&a["criteria"]), &alternatives, method()?, ri()?)?;
            json!({"priorities": s.priorities})
        }
        "roc" => json!({"weights": weights::roc(a["n"].as_u64().unwrap() as usize)?}),
        "rank_sum" => json!({"weights": weights::rank_sum(a["n"].as_u64().unwrap() as usize)?}),
        "swing" => json!({"weights": weights::swing(&floats(&a["points"]))?}),
        "entropy" => {
            json!({"weights": entropy::entropy(&matrix(&a["matrix"]), &floats(&a["types"]))?})
        }
        "critic" => {
            json!({"weights": critic::critic(&matrix(&a["matrix"]), &floats(&a["types"]))?})
        }
        "normalize" => {
            let method = Normalization::parse(a["method"].as_str().unwrap())
                .map_err(|e| e.kind().clone().at("normalization"))?;
            json!({"matrix": normalize(&matrix(&a["matrix"]), &floats(&a["types"]), method)?})
        }
        "wsum" => json!({"scores": wsum(
            &matrix(&a["matrix"]), &floats(&a["weights"]), &floats(&a["types"]), norm("minmax")?)?}),
        "topsis" => json!({"scores": topsis(
            &matrix(&a["matrix"]), &floats(&a["weights"]), &floats(&a["types"]), norm("vector")?)?}),
        "levers" => {
            let r = rubric(&a["rubric"]);
            let i = inputs(&a["inputs"]);
            let p = a["perspective"].as_str();
            let levers = r.levers(&i, p)?;
            json!({
                "total": r.score(&i, p)?.total,
                "levers": levers.iter().map(|l| json!({
                    "criterion": l.criterion, "gain": l.gain, "best": input_json(&l.best),
                    "per_unit": l.per_unit,
                })).collect::<Vec<_>>(),
            })
        }
        "path_to" => {
            let r = rubric(&a["rubric"]);
            let path = r.path_to_band(
                &inputs(&a["inputs"]),
                a["perspective"].as_str(),
                a["band"].as_str().unwrap(),
            )?;
            json!({"path": path.iter().map(|s| json!([s.criterion, input_json(&s.value)])).collect::<Vec<_>>()})
        }
        "compare_perspectives" => {
            let c = rubric(&a["rubric"]).compare_perspectives(&inputs(&a["inputs"]))?;
            let points: serde_json::Map<String, Value> = c
                .criteria
                .iter()
                .map(|r| (r.id.clone(), json!(r.points)))
                .collect();
            json!({
                "columns": c.columns, "totals": c.totals, "points": points,
                "differences": c.differences.iter().map(|d| json!({
                    "perspective": d.perspective, "criterion": d.criterion, "delta": d.delta,
                })).collect::<Vec<_>>(),
            })
        }
        "with_weights" => {
            let r = rubric(&a["rubric"]);
            let w: BTreeMap<String, f64> = serde_json::from_value(a["weights"].clone()).unwrap();
            let new = r.with_weights(&w)?;
            assert_ne!(new.fingerprint(), r.fingerprint());
            let effective: serde_json::Map<String, Value> = new
                .criteria()
                .iter()
                .zip(new.effective_weights(None)?)
                .map(|(c, w)| (c.id().to_owned(), json!(w)))
                .collect();
            json!({"weights": effective, "total": new.score(&inputs(&a["inputs"]), None)?.total})
        }
        other => panic!("unknown kind {other}"),
    })
}

/// `got` agrees with `want` wherever `want` says something (numbers within 1e-9 relative).
fn agree(got: &Value, want: &Value, at: &str) {
    match (got, want) {
        (Value::Number(g), Value::Number(w)) => {
            let (g, w) = (g.as_f64().unwrap(), w.as_f64().unwrap());
            assert!(
                (g - w).abs() <= 1e-9 * w.abs().max(1.0),
                "{at}: got {g}, expected {w}"
            );
        }
        (Value::Array(g), Value::Array(w)) => {
            assert_eq!(g.len(), w.len(), "{at}: length");
            for (k, (g, w)) in g.iter().zip(w).enumerate() {
                agree(g, w, &format!("{at}[{k}]"));
            }
        }
        (Value::Object(g), Value::Object(w)) => {
            for (k, w) in w {
                agree(g.get(k).unwrap_or(&Value::Null), w, &format!("{at}.{k}"));
            }
        }
        (g, w) => assert_eq!(g, w, "{at}"),
    }
}

#[test]
fn every_weigh_vector() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/weigh");
    let mut n = 0;
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    for path in files {
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let name = v["name"].as_str().unwrap();
        let kind = v["kind"].as_str().unwrap();
        match (run(kind, &v["args"]), v.get("expected"), v.get("error")) {
            (Ok(got), Some(want), None) => {
                let mut want = want.clone();
                // "exact": rows whose score must be exactly 1 (TOPSIS dominance).
                if let Some(exact) = want.as_object_mut().and_then(|o| o.remove("exact")) {
                    for i in exact.as_array().unwrap() {
                        let i = i.as_u64().unwrap() as usize;
                        assert_eq!(got["scores"][i], json!(1.0), "{name}: row {i} exactly 1");
                    }
                }
                agree(&got, &want, name);
            }
            (Err(e), None, Some(want)) => {
                assert_eq!(e.code(), want["code"], "{name}: {e}");
                assert_eq!(e.path(), want["path"], "{name}: {e}");
                if let Some(m) = want.get("message") {
                    assert_eq!(e.message(), *m, "{name}");
                }
            }
            (got, _, _) => panic!("{name}: unexpected {got:?}"),
        }
        n += 1;
    }
    assert!(n >= 40, "only {n} vectors");
}
