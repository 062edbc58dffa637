//! Every Monte Carlo vector in `tests/vectors/monte_carlo/` (see its README): expected
//! summaries and rank tables from an independent implementation (numpy's PCG64 and plain
//! Python, `derive.py`), compared with an absolute tolerance of 1e-9, on one thread and two.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;

use civic_value::analysis::monte_carlo::MonteCarloOptions;
use civic_value::{Inputs, Rubric};
use serde_json::Value;

fn close(got: f64, want: &Value, what: &str) {
    let want = want.as_f64().unwrap();
    assert!((got - want).abs() <= 1e-9, "{what}: got {got}, want {want}");
}

#[test]
fn every_monte_carlo_vector() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/monte_carlo");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let name = v["name"].as_str().unwrap();
        let rubric = Rubric::from_json(&v["rubric"].to_string()).unwrap();
        let items: Vec<Inputs> = v["initiatives"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| Inputs::from_json(&i.to_string()).unwrap())
            .collect();
        let o = &v["options"];
        for threads in [1, 2] {
            let options = MonteCarloOptions {
                draws: o["draws"].as_u64().unwrap(),
                seed: o["seed"].as_u64().unwrap(),
                concentration: match &o["concentration"] {
                    Value::String(s) if s == "inf" => f64::INFINITY,
                    c => c.as_f64().unwrap(),
                },
                vary_inputs: o["vary_inputs"].as_bool().unwrap(),
                top_k: o["top_k"].as_u64().unwrap() as usize,
                threads,
            };
            let mc = rubric
                .monte_carlo(&items, None, &options, &mut |_, _| true)
                .unwrap();
            let want = &v["expected"];
            for (i, (s, w)) in mc
                .summary
                .iter()
                .zip(want["summary"].as_array().unwrap())
                .enumerate()
            {
                for (field, got) in [
                    ("mean", s.mean),
                    ("p5", s.p5),
                    ("p50", s.p50),
                    ("p95", s.p95),
                    ("p_top_k", s.p_top_k),
                ] {
                    close(got, &w[field], &format!("{name}: summary[{i}].{field}"));
                }
            }
            for (i, row) in mc.ranks.iter().enumerate() {
                for (r, got) in row.iter().enumerate() {
                    close(
                        *got,
                        &want["ranks"][i][r],
                        &format!("{name}: ranks[{i}][{r}]"),
                    );
                }
            }
        }
        n += 1;
    }
    assert!(n >= 3, "found only {n} vectors in {}", dir.display());
}
