//! # civic-value for JavaScript
//!
//! The browser package (npm `civic-value`): thin [`wasm_bindgen`] wrappers around the
//! core engine. This crate converts types and maps errors, nothing else; every rule lives
//! in the [`civic_value`] crate.
//!
//! ```js
//! import init, { Rubric } from "civic-value";
//! await init();
//! const rubric = Rubric.default();
//! const form = rubric.describe("nl");          // themes and criteria to render a form
//! const score = rubric.score({ volunteer_hours: [2500, 4000], support_share: 72 }, "residents");
//! score.total; score.band; score.interval; score.criteria[0].points;
//! ```
//!
//! - Results are plain objects and arrays of the same shape as the CLI's JSON (written with
//!   `serde_json` and read back with `JSON.parse`, so there are no `Map`s and `None` is
//!   `null`).
//! - Inputs are read from the JS object directly (`NaN`, `Infinity` and `undefined` keep
//!   their meaning; `JSON.stringify` would turn the first two into `null`).
//! - Errors are thrown as `Error` objects (`name` `"CivicValueError"`) with the core's
//!   `code` and `path`, the message `"path: message"` and the bare message as `detail`.

#![deny(missing_docs)]

use civic_value as cv;
use js_sys::{Array, JSON, Reflect};
use serde::Serialize;
use wasm_bindgen::prelude::*;

mod sensitivity;
mod sroi;
mod weigh;

/// The TypeScript shapes of the plain objects that cross the boundary. They mirror the
/// serde forms of the core types (`Score`, `Description`, `InputValue`); `wasm/tests/usage.ts`
/// proves them by use with `tsc --noEmit`.
#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = include_str!("types.d.ts");

/// A validated, compiled rubric.
#[wasm_bindgen]
pub struct Rubric {
    inner: cv::Rubric,
}

#[wasm_bindgen]
impl Rubric {
    /// The built-in default rubric (12 criteria in 5 themes, Dutch and English texts,
    /// three perspectives). An illustrative starting point, not an official standard.
    #[wasm_bindgen(js_name = "default")]
    pub fn builtin() -> Rubric {
        Rubric {
            inner: cv::Rubric::builtin(),
        }
    }

    /// Parse and validate a rubric written as JSON. Throws a `CivicValueError`
    /// (`rubric.*` code, `path` of the offending field).
    #[wasm_bindgen(js_name = "fromJson")]
    pub fn from_json(text: &str) -> Result<Rubric, JsValue> {
        cv::Rubric::from_json(text)
            .map(|inner| Rubric { inner })
            .map_err(|e| to_js_error(&e))
    }

    /// Parse and validate a rubric written as TOML. Throws like `fromJson`.
    #[wasm_bindgen(js_name = "fromToml")]
    pub fn from_toml(text: &str) -> Result<Rubric, JsValue> {
        cv::Rubric::from_toml(text)
            .map(|inner| Rubric { inner })
            .map_err(|e| to_js_error(&e))
    }

    /// The rubric's id.
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> String {
        self.inner.id().to_owned()
    }

    /// The rubric's version.
    #[wasm_bindgen(getter)]
    pub fn version(&self) -> String {
        self.inner.version().to_owned()
    }

    /// SHA-256 (hex) of the rubric's canonical form; every score carries it.
    #[wasm_bindgen(getter)]
    pub fn fingerprint(&self) -> String {
        self.inner.fingerprint().to_owned()
    }

    /// The rubric described in `lang` (default `"en"`; texts fall back to English): the
    /// themes with their criteria (id, label, help, unit, kind, limits, levels, options,
    /// weight, default, knock-out), bands, perspectives and evidence grades.
    #[wasm_bindgen(unchecked_return_type = "Description")]
    pub fn describe(&self, lang: Option<String>) -> Result<JsValue, JsValue> {
        to_plain(&self.inner.describe(lang.as_deref().unwrap_or("en")))
    }

    /// Score one initiative under the rubric's own weights or a named perspective's.
    /// `inputs` maps criterion ids to values: a number, `[low, high]` or `{low, high}`,
    /// `{value, evidence}`, `true`/`false`, an option id, or `null`/`undefined` (missing).
    /// Returns a plain object of the same shape as the CLI's JSON, with two non-enumerable
    /// methods, `levers()` and `pathTo(band)` (see `weigh.rs`). Throws a
    /// `CivicValueError` (`input.*` code, `path` such as `input.volunteer_hours`).
    #[wasm_bindgen(unchecked_return_type = "ScoreWithMethods")]
    pub fn score(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Inputs")] inputs: JsValue,
        perspective: Option<String>,
    ) -> Result<JsValue, JsValue> {
        let inputs = inputs_from_js(inputs).map_err(|e| to_js_error(&e))?;
        let score = self
            .inner
            .score(&inputs, perspective.as_deref())
            .map_err(|e| to_js_error(&e))?;
        // Plain data, plus `levers()` and `pathTo(band)` as non-enumerable methods (they keep
        // the rubric and these inputs).
        Ok(weigh::with_methods(
            to_plain(&score)?,
            self,
            inputs,
            perspective,
        ))
    }

    /// Read text typed by a person into an input for one criterion, by the core's rules
    /// (empty → `null`; numbers and `low..high` ranges; `yes`/`no`, `ja`/`nee` for
    /// booleans; option ids). Never rejects text: scoring says what was expected. Throws
    /// `input.unknown_criterion` for an id the rubric does not have.
    #[wasm_bindgen(js_name = "parseText", unchecked_return_type = "RawInput")]
    pub fn parse_text(&self, criterion: &str, text: &str) -> Result<JsValue, JsValue> {
        let Some(c) = self.inner.criterion(criterion) else {
            let kind = cv::ErrorKind::UnknownCriterion {
                rubric: self.inner.id().to_owned(),
            };
            return Err(to_js_error(&kind.at(format!("input.{criterion}"))));
        };
        // Not through JSON: a typed "nan" must stay NaN (and be rejected when scoring).
        c.parse_text(text)
            .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
            .map_err(JsValue::from)
    }
}

/// The version of the engine (also carried by every score as `engine`).
#[wasm_bindgen(js_name = "engineVersion")]
pub fn engine_version() -> String {
    cv::ENGINE_VERSION.to_owned()
}

// `JSON.stringify` is the fastest way across the boundary, but it writes NaN and ±Infinity
// as `null` (missing) and drops `undefined`, functions and symbols: then it is not used.
#[wasm_bindgen(inline_js = r#"
function faithful(x, depth) {
  switch (typeof x) {
    case "number": return Number.isFinite(x);
    case "string": case "boolean": return true;
    case "object":
      if (x === null) return true;
      if (depth > 2) return false;
      if (Array.isArray(x)) return x.every((y) => faithful(y, depth + 1));
      const proto = Object.getPrototypeOf(x);
      if (proto !== Object.prototype && proto !== null) return false;
      for (const k in x) if (!faithful(x[k], depth + 1)) return false;
      return true;
    default: return false; // undefined, function, symbol, bigint
  }
}
export function faithfulJson(value) {
  return faithful(value, 0) ? JSON.stringify(value) : undefined;
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = "faithfulJson", catch)]
    fn faithful_json(value: &JsValue) -> Result<Option<String>, JsValue>;
}

/// Read a JS object (or `Map`) of criterion id → value into [`cv::Inputs`], with the path
/// of a malformed value (`input.volunteer_hours`), as [`cv::Inputs::from_json`] reports it.
fn inputs_from_js(value: JsValue) -> Result<cv::Inputs, cv::Error> {
    let parse_error =
        |message: String, path: String| cv::ErrorKind::InputParse { message }.at(path);
    // What JSON would reject as "not a map" (serde-wasm-bindgen reads arrays as objects).
    if !value.is_object() || Array::is_array(&value) {
        let got = match value.js_typeof().as_string() {
            _ if value.is_null() => "null".to_owned(),
            _ if Array::is_array(&value) => "array".to_owned(),
            Some(t) => t,
            None => "value".to_owned(),
        };
        let message = format!("invalid type: {got}, expected a map");
        return Err(parse_error(message, "input".to_owned()));
    }
    // Fast path: a plain object that JSON writes faithfully goes through the core's own JSON
    // reader (the CLI's messages and paths); anything else is read value by value.
    // (A throwing getter or a cycle makes it throw: then read value by value as well.)
    if let Ok(Some(text)) = faithful_json(&value) {
        return cv::Inputs::from_json(&text);
    }
    let de = serde_wasm_bindgen::Deserializer::from(value);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = match e.path().to_string() {
            // "." is the root; serde-wasm-bindgen reports a wrongly typed root as "?".
            p if p == "." || p == "?" || p.is_empty() => "input".to_owned(),
            p if p.starts_with('[') => format!("input{p}"),
            p => format!("input.{p}"),
        };
        // The message of the JS `Error` serde-wasm-bindgen made (its Display adds "Error: ").
        let message = match JsValue::from(e.into_inner()).dyn_into::<js_sys::Error>() {
            Ok(err) => String::from(err.message()),
            Err(other) => format!("{other:?}"),
        };
        parse_error(message, path)
    })
}

/// A serde value as a plain JS object: the same JSON the CLI writes, parsed by the host.
fn to_plain<T: Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value).map_err(|e| js_sys::Error::new(&e.to_string()))?;
    JSON::parse(&text)
}

/// A core error as a JS `Error` with `code`, `path` and `detail` properties.
fn to_js_error(e: &cv::Error) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    err.set_name("CivicValueError");
    for (key, value) in [
        ("code", e.code().to_owned()),
        ("path", e.path().to_owned()),
        ("detail", e.message()),
    ] {
        // Setting a property on a fresh `Error` cannot fail.
        let _ = Reflect::set(&err, &JsValue::from_str(key), &JsValue::from(value));
    }
    err.into()
}
