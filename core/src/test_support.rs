//! Helpers shared by the unit tests that compare two readers or writers of the rubric
//! format on every vector's rubric and mutations of them (`tree`, `doc_tree`,
//! `canonical_json`).

use serde_json::Value;

/// Every position in `v` as a JSON pointer (keys escaped as RFC 6901 says), with the value
/// there; the root (`""`) first.
pub(crate) fn json_pointers(v: &Value) -> Vec<(String, &Value)> {
    fn walk<'v>(v: &'v Value, at: String, out: &mut Vec<(String, &'v Value)>) {
        out.push((at.clone(), v));
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    let key = k.replace('~', "~0").replace('/', "~1");
                    walk(x, format!("{at}/{key}"), out);
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    walk(x, format!("{at}/{i}"), out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, String::new(), &mut out);
    out
}

/// `v` without the object key that `pointer` (not the root) names; `None` when the pointer
/// names an array element or nothing.
pub(crate) fn without_key(v: &Value, pointer: &str) -> Option<Value> {
    let (parent, key) = pointer.rsplit_once('/')?;
    let key = key.replace("~1", "/").replace("~0", "~");
    let mut m = v.clone();
    match m.pointer_mut(parent) {
        Some(Value::Object(obj)) => obj.remove(&key).map(|_| m),
        _ => None,
    }
}

/// The built-in rubric and every rubric document (an object with a `criteria` array, at
/// any depth) in the JSON files under `tests/vectors/`.
pub(crate) fn vector_rubrics() -> Vec<Value> {
    fn collect(v: &Value, out: &mut Vec<Value>) {
        match v {
            Value::Object(m) => {
                if m.get("criteria").is_some_and(Value::is_array) {
                    out.push(v.clone());
                }
                m.values().for_each(|x| collect(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| collect(x, out)),
            _ => {}
        }
    }
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors");
    let mut rubrics = vec![serde_json::from_str::<Value>(crate::DEFAULT_RUBRIC_JSON).unwrap()];
    let mut dirs = vec![std::path::PathBuf::from(dir)];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|x| x == "json")
                && let Ok(v) =
                    serde_json::from_str::<Value>(&std::fs::read_to_string(&path).unwrap())
            {
                collect(&v, &mut rubrics);
            }
        }
    }
    rubrics
}
