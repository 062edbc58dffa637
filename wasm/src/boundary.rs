//! The imports from `boundary.js`, the JS half of the boundary: reading a caller's value
//! once into a tape, building results from a tape, and naming a value's type. Each is
//! declared with `catch`, so even an unexpected JS exception (out of memory) comes back as
//! an `Err` instead of unwinding through the engine (which would leave a rubric borrowed).

use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/boundary.js")]
extern "C" {
    #[wasm_bindgen(js_name = "kindOf", catch)]
    fn kind_of_js(value: &JsValue) -> Result<String, JsValue>;
    #[wasm_bindgen(js_name = "typeError", catch)]
    fn type_error_js(name: &str, expected: &str, value: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = "encode", catch)]
    fn encode_js(value: &JsValue, max: f64, prefix: &str, keep: bool) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_name = "takeOps", catch)]
    fn take_ops_js() -> Result<Vec<f64>, JsValue>;
    #[wasm_bindgen(js_name = "takeText", catch)]
    fn take_text_js() -> Result<String, JsValue>;
    #[wasm_bindgen(js_name = "stringLength", catch)]
    fn string_length_js(value: &JsValue) -> Result<f64, JsValue>;
    #[wasm_bindgen(js_name = "decode", catch)]
    fn decode_js(tape: &[f64], text: &str) -> Result<JsValue, JsValue>;
}

/// What a JS value is, in words.
pub(crate) fn kind_of(value: &JsValue) -> String {
    kind_of_js(value).unwrap_or_else(|_| "value".to_owned())
}

/// `TypeError("{name}: expected {expected}, got {kind}")`.
pub(crate) fn type_error(name: &str, expected: &str, value: &JsValue) -> JsValue {
    type_error_js(name, expected, value).unwrap_or_else(|e| e)
}

/// Copy `value` into the tape: on success `undefined`, or with `keep` a copy of the tape kept
/// in JS (`[ops, text]`, a `Float64Array` and a string: what a score's methods read their
/// inputs from again); else `[kind, path, message, size]`.
pub(crate) fn encode(value: &JsValue, max: f64, prefix: &str, keep: bool) -> JsValue {
    encode_js(value, max, prefix, keep).unwrap_or_else(|e| {
        js_sys::Array::of4(
            &"threw".into(),
            &prefix.into(),
            &format!("reading this value failed: {}", kind_of(&e)).into(),
            &0.into(),
        )
        .into()
    })
}

/// The operations of the tape `encode` wrote.
pub(crate) fn take_ops() -> Vec<f64> {
    take_ops_js().unwrap_or_default()
}

/// The text of the tape `encode` wrote.
pub(crate) fn take_text() -> String {
    take_text_js().unwrap_or_default()
}

/// The length of a JS string in UTF-16 units.
pub(crate) fn string_length(value: &JsValue) -> f64 {
    string_length_js(value).unwrap_or(0.0)
}

/// The plain JS value a result tape stands for.
pub(crate) fn decode(tape: &[f64], text: &str) -> Result<JsValue, JsValue> {
    decode_js(tape, text)
}
