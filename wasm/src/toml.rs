//! `Rubric.fromToml`: TOML text is parsed by a second, small wasm module loaded on demand
//! (`toml.js`, the crate `wasm/toml`: the core's TOML parser), which hands back the parsed
//! tree as a tape; this module reads the rubric from the tree with the core
//! ([`civic_value::RubricDoc::from_tree`]) and compiles it. `initToml()` / `initTomlSync()`
//! load the TOML module (node loads it by itself on first use).

use civic_value as cv;
use js_sys::{Array, Float64Array, Promise};
use wasm_bindgen::prelude::*;

use crate::{js_error, tape, to_js_error};

#[wasm_bindgen(module = "/src/toml.js")]
extern "C" {
    #[wasm_bindgen(js_name = "tomlToTape", catch)]
    fn toml_to_tape(text: &str) -> Result<Array, JsValue>;
    #[wasm_bindgen(js_name = "initToml", catch)]
    fn init_toml_js(source: &JsValue) -> Result<Promise, JsValue>;
    #[wasm_bindgen(js_name = "initTomlSync", catch)]
    fn init_toml_sync_js(source: &JsValue) -> Result<(), JsValue>;
}

/// Load the TOML reader (`civic_value_toml.wasm`) so that `Rubric.fromToml` works: from the
/// URL next to the package by default, or from a URL, `Request`, `Response`, bytes or a
/// compiled `WebAssembly.Module`. In node `fromToml` loads it by itself; in a browser call
/// this once (after `init()`). Resolves when loaded; rejects when it cannot be fetched.
#[wasm_bindgen(js_name = "initToml", unchecked_return_type = "Promise<void>")]
pub fn init_toml(
    #[wasm_bindgen(
        unchecked_optional_param_type = "string | URL | Request | Response | BufferSource | WebAssembly.Module | Promise<Response>"
    )]
    source: JsValue,
) -> Promise {
    init_toml_js(&source).unwrap_or_else(|e| Promise::reject(&e))
}

/// Load the TOML reader from bytes or a compiled `WebAssembly.Module`, synchronously.
#[wasm_bindgen(js_name = "initTomlSync")]
pub fn init_toml_sync(
    #[wasm_bindgen(unchecked_param_type = "BufferSource | WebAssembly.Module")] source: JsValue,
) -> Result<(), JsValue> {
    init_toml_sync_js(&source)
}

/// The rubric a TOML text stands for: the core's errors as `CivicValueError`s (syntax errors
/// from the TOML module, the rest from reading and compiling here), a plain `Error` when the
/// TOML module is not loaded and cannot be.
pub(crate) fn rubric(text: &str) -> Result<cv::Rubric, JsValue> {
    let result = toml_to_tape(text)?;
    let status = result.get(0).as_f64().unwrap_or(2.0);
    if status == 0.0 {
        let ops = result.get(1).dyn_into::<Float64Array>()?.to_vec();
        let text = result.get(2).as_string().unwrap_or_default();
        let tree = tape::tree_from_tape(&ops, &text)
            .ok_or_else(|| js_sys::Error::new("the TOML module wrote a malformed tape"))?;
        let doc = cv::RubricDoc::from_tree(tree, "TOML").map_err(|e| to_js_error(&e))?;
        return cv::Rubric::compile(doc).map_err(|errors| match errors.0.first() {
            Some(e) => to_js_error(e),
            None => to_js_error(&cv::ErrorKind::Empty.at("")),
        });
    }
    let out = result.get(1).as_string().unwrap_or_default();
    if status == 1.0 {
        let mut parts = out.split('\0');
        let mut next = || parts.next().unwrap_or_default();
        let (code, path, message, detail) = (next(), next(), next(), next());
        return Err(js_error(code, path, message, detail));
    }
    Err(js_sys::Error::new(&out).into())
}
