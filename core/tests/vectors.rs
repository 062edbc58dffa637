//! Runs every cross-language test vector in `tests/vectors/` (see its README).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;

use civic_value::{Error, Inputs, Rubric};
use serde_json::Value;

const TOLERANCE: f64 = 1e-12;

fn vector_files() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

fn load_rubric(v: &Value) -> Result<Rubric, Error> {
    match (&v["rubric"], &v["rubric_toml"]) {
        (Value::String(s), _) if s == "builtin" => Ok(Rubric::builtin()),
        (Value::Object(_), _) => Rubric::from_json(&v["rubric"].to_string()),
        (_, Value::String(toml)) => Rubric::from_toml(toml),
        _ => panic!("vector has no rubric"),
    }
}

fn close(name: &str, what: &str, got: f64, want: &Value) -> Option<String> {
    let want = want.as_f64().unwrap();
    ((got - want).abs() > TOLERANCE).then(|| format!("{name}: {what} = {got}, expected {want}"))
}

fn check(path: &PathBuf) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    let name = v["name"].as_str().unwrap().to_owned();
    assert_eq!(
        path.file_stem().unwrap().to_str().unwrap(),
        name,
        "file name and vector name differ"
    );
    assert!(
        v["note"].as_str().is_some_and(|n| !n.is_empty()),
        "{name}: every vector needs a note"
    );
    let perspective = v["perspective"].as_str();
    let result = load_rubric(&v)
        .map_err(|e| ("rubric", e))
        .and_then(|rubric| {
            let inputs = Inputs::from_json(&v["inputs"].to_string()).map_err(|e| ("score", e))?;
            rubric.score(&inputs, perspective).map_err(|e| ("score", e))
        });
    let mut problems = Vec::new();
    match (&v["expected"], &v["error"], result) {
        (Value::Object(want), Value::Null, Ok(score)) => {
            problems.extend(close(&name, "total", score.total, &want["total"]));
            if let Some(iv) = want.get("interval") {
                problems.extend(close(&name, "interval.low", score.interval.low, &iv[0]));
                problems.extend(close(&name, "interval.high", score.interval.high, &iv[1]));
            }
            if let Some(band) = want.get("band")
                && band.as_str() != score.band.as_deref()
            {
                problems.push(format!("{name}: band {:?}, expected {band}", score.band));
            }
            if let Some(k) = want.get("knocked_out")
                && k.as_bool() != Some(score.knocked_out)
            {
                problems.push(format!("{name}: knocked_out {}", score.knocked_out));
            }
            if let Some(k) = want.get("knockouts") {
                let got: Vec<&str> = score
                    .knockouts
                    .iter()
                    .map(|k| k.criterion.as_str())
                    .collect();
                let want: Vec<&str> = k
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_str().unwrap())
                    .collect();
                if got != want {
                    problems.push(format!("{name}: knockouts {got:?}, expected {want:?}"));
                }
            }
            if let Some(Value::Object(points)) = want.get("points") {
                for (id, p) in points {
                    let row = score.criteria.iter().find(|c| &c.id == id).unwrap();
                    problems.extend(close(&name, &format!("points.{id}"), row.points, p));
                }
            }
            if let Some(Value::Object(flags)) = want.get("flags") {
                for (id, f) in flags {
                    let row = score.criteria.iter().find(|c| &c.id == id).unwrap();
                    let got = serde_json::to_value(&row.flags).unwrap();
                    if &got != f {
                        problems.push(format!("{name}: flags.{id} = {got}, expected {f}"));
                    }
                }
            }
            // Laws every score obeys.
            let sum: f64 = score.criteria.iter().map(|c| c.points).sum();
            if (sum - score.total).abs() > 1e-9 {
                problems.push(format!(
                    "{name}: points add up to {sum}, total {}",
                    score.total
                ));
            }
        }
        (Value::Null, Value::Object(want), Err((stage, e))) => {
            if want["stage"].as_str() != Some(stage)
                || want["code"].as_str() != Some(e.code())
                || want["path"].as_str() != Some(e.path())
            {
                problems.push(format!(
                    "{name}: got {stage} error {} at {:?} ({e}), expected {want:?}",
                    e.code(),
                    e.path()
                ));
            }
        }
        (_, _, Ok(score)) => {
            problems.push(format!("{name}: expected an error, got {}", score.total))
        }
        (_, _, Err((stage, e))) => problems.push(format!("{name}: unexpected {stage} error: {e}")),
    }
    problems
}

#[test]
fn every_vector_passes() {
    let files = vector_files();
    assert!(
        files.len() >= 12,
        "expected at least 12 vectors, found {}",
        files.len()
    );
    let problems: Vec<String> = files.iter().flat_map(check).collect();
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}
