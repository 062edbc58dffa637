//! Every cross-language test vector in `tests/vectors/` (see its README), run through the
//! JS-facing API in node: the rubric text goes to `Rubric.fromJson`/`fromToml`, the inputs
//! are a JS object (`JSON.parse` of the vector's inputs) given to `rubric.score`, and the
//! score is read back from the plain object it returns. Each vector runs twice: inputs as a
//! plain object (read through JSON text) and as a `Map` (read value by value). Run with
//! `cargo test -p civic-value-wasm --target wasm32-unknown-unknown` (runner in
//! `.cargo/config.toml`).

#![cfg(target_arch = "wasm32")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use civic_value_wasm::Rubric;
use js_sys::{Array, JSON, Reflect};
use serde_json::Value;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;

const TOLERANCE: f64 = 1e-12;

#[wasm_bindgen(module = "fs")]
extern "C" {
    #[wasm_bindgen(js_name = readdirSync)]
    fn read_dir_sync(path: &str) -> Array;
    #[wasm_bindgen(js_name = readFileSync)]
    fn read_file_sync(path: &str, encoding: &str) -> String;
}

/// Load the TOML module (`wasm/pkg/civic_value_toml.wasm`, built by scripts/build-wasm
/// before these tests run) so that `Rubric::from_toml` works in the test runner.
fn load_toml_module() {
    #[wasm_bindgen(
        inline_js = "export function readFile(p) { return globalThis.process.getBuiltinModule('node:fs').readFileSync(p); }"
    )]
    extern "C" {
        #[wasm_bindgen(js_name = "readFile")]
        fn read_file(path: &str) -> JsValue;
    }
    let bytes = read_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/pkg/civic_value_toml.wasm"
    ));
    civic_value_wasm::toml::init_toml_sync(bytes).unwrap();
}

fn vector_dir() -> String {
    format!("{}/../tests/vectors", env!("CARGO_MANIFEST_DIR"))
}

fn vector_files() -> Vec<String> {
    let mut names: Vec<String> = read_dir_sync(&vector_dir())
        .iter()
        .filter_map(|n| n.as_string())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    names
}

/// A JS value as serde JSON, the way a JS caller would see it.
fn to_json(v: &JsValue) -> Value {
    serde_json::from_str(&String::from(JSON::stringify(v).unwrap())).unwrap()
}

fn prop(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).unwrap()
}

/// `(stage, code, path)` of a thrown value, checking that it is a real `Error`.
fn thrown(stage: &str, e: &JsValue) -> (String, String, String) {
    assert!(
        e.is_instance_of::<js_sys::Error>(),
        "thrown value is not an Error: {e:?}"
    );
    let code = prop(e, "code").as_string().expect("err.code is a string");
    let path = prop(e, "path").as_string().expect("err.path is a string");
    (stage.to_owned(), code, path)
}

fn load_rubric(v: &Value) -> Result<Rubric, JsValue> {
    match (&v["rubric"], &v["rubric_toml"]) {
        (Value::String(s), _) if s == "builtin" => Ok(Rubric::builtin()),
        (Value::Object(_), _) => Rubric::from_json(v["rubric"].to_string().into()),
        (_, Value::String(toml)) => {
            load_toml_module();
            Rubric::from_toml(toml.as_str().into())
        }
        _ => panic!("vector has no rubric"),
    }
}

fn close(name: &str, what: &str, got: &Value, want: &Value) -> Option<String> {
    let (g, w) = (got.as_f64().unwrap(), want.as_f64().unwrap());
    ((g - w).abs() > TOLERANCE).then(|| format!("{name}: {what} = {g}, expected {w}"))
}

fn row<'a>(score: &'a Value, id: &str) -> &'a Value {
    score["criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no row for {id}"))
}

/// The inputs as a plain object (read through JSON text) or as a `Map` (read value by value).
#[derive(Clone, Copy, Debug)]
enum Shape {
    Object,
    Map,
}

fn js_inputs(inputs: &Value, shape: Shape) -> JsValue {
    let object = JSON::parse(&inputs.to_string()).unwrap();
    match shape {
        Shape::Object => object,
        Shape::Map => {
            let map = js_sys::Map::new();
            for pair in js_sys::Object::entries(object.unchecked_ref()).iter() {
                let pair = Array::from(&pair);
                map.set(&pair.get(0), &pair.get(1));
            }
            map.into()
        }
    }
}

fn check(file: &str, shape: Shape) -> Vec<String> {
    let text = read_file_sync(&format!("{}/{file}", vector_dir()), "utf8");
    let v: Value = serde_json::from_str(&text).unwrap();
    let stem = v["name"].as_str().unwrap();
    assert_eq!(
        format!("{stem}.json"),
        file,
        "file name and vector name differ"
    );
    let name = format!("{stem} ({shape:?})");
    let perspective = v["perspective"]
        .as_str()
        .map_or(JsValue::UNDEFINED, JsValue::from);
    let result = load_rubric(&v)
        .map_err(|e| thrown("rubric", &e))
        .and_then(|rubric| {
            let inputs = js_inputs(&v["inputs"], shape);
            rubric
                .score(inputs, perspective)
                .map_err(|e| thrown("score", &e))
        });
    let mut problems = Vec::new();
    match (&v["expected"], &v["error"], result) {
        (Value::Object(want), Value::Null, Ok(js)) => {
            let score = to_json(&js);
            problems.extend(close(&name, "total", &score["total"], &want["total"]));
            if let Some(iv) = want.get("interval") {
                let got = &score["interval"];
                problems.extend(close(&name, "interval.low", &got["low"], &iv[0]));
                problems.extend(close(&name, "interval.high", &got["high"], &iv[1]));
            }
            if let Some(band) = want.get("band")
                && band != &score["band"]
            {
                problems.push(format!("{name}: band {}, expected {band}", score["band"]));
            }
            if let Some(k) = want.get("knocked_out")
                && k != &score["knocked_out"]
            {
                problems.push(format!("{name}: knocked_out {}", score["knocked_out"]));
            }
            if let Some(k) = want.get("knockouts") {
                let got: Vec<Value> = score["knockouts"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|k| k["criterion"].clone())
                    .collect();
                if &Value::Array(got.clone()) != k {
                    problems.push(format!("{name}: knockouts {got:?}, expected {k}"));
                }
            }
            if let Some(Value::Object(points)) = want.get("points") {
                for (id, p) in points {
                    let what = format!("points.{id}");
                    problems.extend(close(&name, &what, &row(&score, id)["points"], p));
                }
            }
            if let Some(Value::Object(flags)) = want.get("flags") {
                for (id, f) in flags {
                    let got = &row(&score, id)["flags"];
                    if got != f {
                        problems.push(format!("{name}: flags.{id} = {got}, expected {f}"));
                    }
                }
            }
        }
        (Value::Null, Value::Object(want), Err((stage, code, path))) => {
            if want["stage"] != stage.as_str()
                || want["code"] != code.as_str()
                || want["path"] != path.as_str()
            {
                problems.push(format!(
                    "{name}: got {stage} error {code} at {path:?}, expected {want:?}"
                ));
            }
        }
        (_, _, Ok(js)) => problems.push(format!(
            "{name}: expected an error, got total {}",
            to_json(&js)["total"]
        )),
        (_, _, Err((stage, code, path))) => {
            problems.push(format!(
                "{name}: unexpected {stage} error {code} at {path:?}"
            ));
        }
    }
    problems
}

#[wasm_bindgen_test]
fn every_vector_passes_through_the_js_api() {
    let files = vector_files();
    assert!(
        files.len() >= 12,
        "expected at least 12 vectors in {}, found {}",
        vector_dir(),
        files.len()
    );
    let problems: Vec<String> = files
        .iter()
        .flat_map(|f| [check(f, Shape::Object), check(f, Shape::Map)])
        .flatten()
        .collect();
    assert!(
        problems.is_empty(),
        "{} problem(s) in {} vectors:\n{}",
        problems.len(),
        files.len(),
        problems.join("\n")
    );
}
