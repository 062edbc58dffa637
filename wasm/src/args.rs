//! Argument checks for every export, as small reusable helpers.
//!
//! An export takes its arguments as [`JsValue`]s (declared with `unchecked_param_type` so
//! the `.d.ts` keeps the real types) and reads each through one of these. A wrong JS type
//! becomes a `TypeError` naming the argument — `perspective: expected a string or
//! undefined, got number` — before anything reaches the engine, so no JS value can fault
//! inside wasm. Checking a type never runs the caller's code (no getters, no Proxy traps):
//! only `typeof` and reads inside try/catch (`boundary.js`).
//!
//! - strings: [`string`], [`opt_string`] (refuse a string longer than the input limit
//!   before copying it: `input.too_large`), [`document`] (rubric text, `rubric.too_large`);
//! - anything structured (an options bag, a list of ids, weights): [`read`] copies the JS
//!   value once into an owned [`Tree`] and reads it into any serde type, with the path of a
//!   bad field (`options.samples: invalid type: string "x", expected u32`);
//! - numbers and booleans: [`opt_number`], [`opt_bool`];
//! - options bags: [`options`] (a whole bag into a serde type), [`option`] (one field as it
//!   is, for values serde cannot hold: `Infinity`, a BigInt); a required list: [`list`];
//! - what a getter threw: [`thrown`]; a wrong type: [`type_error`], named by [`kind_of`];
//! - the inputs of an initiative: [`crate::inputs_from_js`].
//!
//! Every export uses these (no module keeps its own copies), so the same mistake gives the
//! same message everywhere.
//!
//! ```ignore
//! #[wasm_bindgen]
//! impl Rubric {
//!     pub fn tornado(&self, #[wasm_bindgen(unchecked_param_type = "Inputs")] inputs: JsValue,
//!                    #[wasm_bindgen(unchecked_optional_param_type = "string | null")] perspective: JsValue)
//!                    -> Result<JsValue, JsValue> {
//!         let inputs = args::inputs(&inputs, "inputs")?;
//!         let perspective = args::opt_string(&perspective, "perspective")?;
//!         ...
//!     }
//! }
//! ```

use civic_value as cv;
use civic_value::Tree;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

use crate::{boundary, tape, to_js_error};

/// A `TypeError`: `{name}: expected {expected}, got {what value is}`.
pub fn type_error(name: &str, expected: &str, got: &JsValue) -> JsValue {
    boundary::type_error(name, expected, got)
}

/// What a JS value is, in words (`number`, `null`, `array`, `Date`, `object`), for messages.
/// Never runs the value's code.
pub fn kind_of(value: &JsValue) -> String {
    boundary::kind_of(value)
}

/// The length of a JS string in UTF-16 units, without copying it; `None` for a non-string.
fn js_len(value: &JsValue) -> Option<usize> {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    value
        .is_string()
        .then(|| boundary::string_length(value) as usize)
}

/// A string no longer than `limit` UTF-16 units (checked before it is copied into wasm;
/// UTF-8 has at least as many bytes), else `too_large(length)`.
fn string_within(
    value: &JsValue,
    name: &str,
    expected: &str,
    limit: usize,
    too_large: impl FnOnce(usize) -> cv::Error,
) -> Result<String, JsValue> {
    match js_len(value) {
        Some(len) if len > limit => Err(to_js_error(&too_large(len))),
        Some(_) => value
            .as_string()
            .ok_or_else(|| type_error(name, expected, value)),
        None => Err(type_error(name, expected, value)),
    }
}

fn input_too_large(size: usize) -> cv::Error {
    cv::ErrorKind::InputTooLarge {
        size,
        limit: cv::MAX_INPUT_BYTES,
    }
    .at("")
}

/// A required string. Throws a `TypeError` for anything else, and `input.too_large` for a
/// string longer than the input limit (so a huge string is never copied).
pub fn string(value: &JsValue, name: &str) -> Result<String, JsValue> {
    string_within(
        value,
        name,
        "a string",
        cv::MAX_INPUT_BYTES,
        input_too_large,
    )
}

/// An optional string: `undefined` or `null` give `None`. Throws like [`string`].
pub fn opt_string(value: &JsValue, name: &str) -> Result<Option<String>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    string_within(
        value,
        name,
        "a string or undefined",
        cv::MAX_INPUT_BYTES,
        input_too_large,
    )
    .map(Some)
}

/// A rubric document's text. Throws a `TypeError` for a non-string and `rubric.too_large`
/// above the limit on rubric text (before copying it; the rubric itself is limited in its
/// canonical form when compiled).
pub fn document(value: &JsValue, name: &str) -> Result<String, JsValue> {
    string_within(value, name, "a string", cv::MAX_RUBRIC_TEXT_BYTES, |size| {
        cv::ErrorKind::RubricTooLarge {
            size,
            limit: cv::MAX_RUBRIC_TEXT_BYTES,
        }
        .at("")
    })
}

/// Copy a JS value once into an owned [`Tree`] (plain objects, `Map`s with string keys,
/// arrays, numbers, strings, booleans, `null`/`undefined`), refusing anything else and
/// anything larger than the input limit. Getters run once; an exception they throw, and any
/// other failure, is returned as `(kind, path, message)` with the path starting at `prefix`.
pub(crate) fn copy(value: &JsValue, prefix: &str) -> Result<Tree, cv::Error> {
    copy_kept(value, prefix, false).map(|(tree, _)| tree)
}

/// [`copy`], and with `keep` a copy of the tape kept in JS (`[ops, text]`, made by `encode`
/// itself from this call's own tape before any page code can run: see [`boundary::encode`];
/// `undefined` without `keep`).
pub(crate) fn copy_kept(
    value: &JsValue,
    prefix: &str,
    keep: bool,
) -> Result<(Tree, JsValue), cv::Error> {
    #[allow(clippy::cast_precision_loss)]
    let limit = cv::MAX_INPUT_BYTES as f64;
    let out = boundary::encode(value, limit, prefix, keep);
    let mut kept = JsValue::UNDEFINED;
    if !out.is_undefined() {
        let failure: js_sys::Array = out.unchecked_into();
        // `[ops, text]` has no fourth element; `[kind, path, message, size]` has.
        let size = failure.get(3);
        if size.is_undefined() {
            kept = failure.into();
        } else {
            let kind = failure.get(0).as_string().unwrap_or_default();
            let path = failure.get(1).as_string().unwrap_or_default();
            let message = failure.get(2).as_string().unwrap_or_default();
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let size = size.as_f64().unwrap_or(0.0) as usize;
            return Err(if kind == "too_large" {
                // As for a JSON document that is too large: the whole value, no path.
                cv::ErrorKind::InputTooLarge {
                    size,
                    limit: cv::MAX_INPUT_BYTES,
                }
                .at("")
            } else {
                cv::ErrorKind::InputParse { message }.at(path)
            });
        }
    }
    let ops = boundary::take_ops();
    let text = boundary::take_text();
    let tree = tape::tree_from_tape(&ops, &text).ok_or_else(|| {
        cv::ErrorKind::InputParse {
            message: "the value could not be read".to_owned(),
        }
        .at(prefix)
    })?;
    Ok((tree, kept))
}

/// The inputs of one initiative: a plain object or a `Map` of criterion id → value, read
/// once. Throws a `TypeError` naming the argument for a value that is not an object
/// (`inputs: expected an object or a Map, got number`) and the engine's `input.*` errors
/// (with code and path) for the rest: an array or another kind of object (`Date`,
/// `WeakMap`), a getter or Proxy trap that throws, a value too large, a bad input.
pub fn inputs(value: &JsValue, name: &str) -> Result<cv::Inputs, JsValue> {
    inputs_kept(value, name, false).map(|(inputs, _)| inputs)
}

/// [`inputs`], and with `keep` a copy of the tape they were read from kept in JS (`[ops,
/// text]`, a `Float64Array` and a string, made by `encode` from this call's own tape before
/// any page code can run): what a score's methods read the inputs from again.
pub fn inputs_kept(
    value: &JsValue,
    name: &str,
    keep: bool,
) -> Result<(cv::Inputs, JsValue), JsValue> {
    if !value.is_object() {
        return Err(type_error(name, "an object or a Map", value));
    }
    crate::inputs_kept_from_js(value, keep).map_err(|e| to_js_error(&e))
}

/// Read a structured argument (an options bag, a list) into `T`: the JS value is copied once
/// ([`copy`]), then read by serde. Throws a `TypeError` naming the argument and the field
/// (`options.samples: invalid type: string "x", expected u32`); a value that cannot be read
/// at all (a throwing getter, a `Date`, too large) throws the engine's `input.*` error.
pub fn read<T: DeserializeOwned>(value: &JsValue, name: &str) -> Result<T, JsValue> {
    let tree = copy(value, name).map_err(|e| to_js_error(&e))?;
    tree.read::<T>().map_err(|e| {
        let path = e.path_under(name);
        js_sys::TypeError::new(&format!("{path}: {}", e.message)).into()
    })
}

/// A required structured argument (a list, a matrix) read like [`read`]; `undefined` or
/// `null` throws a `TypeError` (`matrix: expected an array, got undefined`).
pub fn list<T: DeserializeOwned>(value: &JsValue, name: &str) -> Result<T, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Err(type_error(name, "an array", value));
    }
    read(value, name)
}

/// An options bag read into `T` like [`read`]; `undefined` or `null` give `T::default()`.
/// Throws a `TypeError` for a value that is not a plain object
/// (`options: expected an object or undefined, got array`).
pub fn options<T: DeserializeOwned + Default>(value: &JsValue, name: &str) -> Result<T, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(T::default());
    }
    object(value, name)?;
    read(value, name)
}

/// Throw a `TypeError` unless `value` is an object and not an array.
fn object(value: &JsValue, name: &str) -> Result<(), JsValue> {
    if !value.is_object() || kind_of(value) == "array" {
        return Err(type_error(name, "an object or undefined", value));
    }
    Ok(())
}

/// One field of an options bag, `options[key]`, as it is: `undefined` when `options` is
/// `undefined` or `null`. Throws a `TypeError` when `options` is not an object, and the
/// engine's `input.parse` error at `options.{key}` when reading the field throws (a getter
/// or a Proxy trap; it runs inside `try`).
pub fn option(options: &JsValue, key: &str) -> Result<JsValue, JsValue> {
    if options.is_undefined() || options.is_null() {
        return Ok(JsValue::UNDEFINED);
    }
    object(options, "options")?;
    js_sys::Reflect::get(options, &JsValue::from_str(key))
        .map_err(|e| thrown(&e, &format!("options.{key}")))
}

/// What a getter or Proxy trap threw while an argument was read, as the engine's
/// `input.parse` error at `path` (so it carries a code and a path, like the inputs' own).
pub fn thrown(e: &JsValue, path: &str) -> JsValue {
    let message = e.dyn_ref::<js_sys::Error>().map_or_else(
        || format!("reading it threw {}", kind_of(e)),
        |e| format!("reading it threw: {}", String::from(e.message())),
    );
    to_js_error(&cv::ErrorKind::InputParse { message }.at(path))
}

/// An optional number (NaN and ±Infinity included: the engine names them): `undefined` or
/// `null` give `None`. Throws a `TypeError` for anything else
/// (`change: expected a number or undefined, got string`).
pub fn opt_number(value: &JsValue, name: &str) -> Result<Option<f64>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value
        .as_f64()
        .map(Some)
        .ok_or_else(|| type_error(name, "a number or undefined", value))
}

/// An optional boolean: `undefined` or `null` give `None`. Throws a `TypeError` for
/// anything else (`varyInputs: expected a boolean or undefined, got number`).
pub fn opt_bool(value: &JsValue, name: &str) -> Result<Option<bool>, JsValue> {
    if value.is_undefined() || value.is_null() {
        return Ok(None);
    }
    value
        .as_bool()
        .map(Some)
        .ok_or_else(|| type_error(name, "a boolean or undefined", value))
}
