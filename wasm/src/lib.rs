//! # civic-value for JavaScript
//!
//! The browser package (npm `civic-value`): thin [`wasm_bindgen`] wrappers around the core
//! engine. This crate converts types and maps errors, nothing else; every rule lives in the
//! [`civic_value`] crate.
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
//! ## The boundary, and the helpers every export uses
//!
//! - **Arguments** ([`args`]): each export takes `JsValue`s and checks them first; a wrong JS
//!   type throws a `TypeError` naming the argument (`perspective: expected a string or
//!   undefined, got number`). No JS value can fault inside wasm.
//! - **Inputs** ([`args::inputs`], or [`inputs_from_js`] when the caller maps errors
//!   itself): a plain object or a `Map`, read exactly once into an owned value by
//!   `boundary.js` (getters run once; what they throw becomes an `input.parse` error with
//!   the path; `Date`, `WeakMap` and other objects are refused; the input size limit applies
//!   to every form, strings inside included), then read by the core
//!   ([`civic_value::Inputs::from_tree`]) with the same codes and paths as its JSON reader.
//!   `NaN`, `Infinity` and `undefined` keep their meaning.
//! - **Results** ([`to_plain`]): any `Serialize` value becomes plain objects and arrays of
//!   the same shape as the CLI's JSON (no `Map`s; `None` is `null`), built by
//!   `boundary.js` from a tape of numbers and one string ([`tape`]) — no JSON round trip,
//!   numbers bit-identical to Rust's.
//! - **Errors** ([`to_js_error`]): `Error` objects (`name` `"CivicValueError"`) with the
//!   core's `code` and `path`, the core's message (`"path: message"`) and the bare message
//!   as `detail`, unchanged.
//! - Every JS function the engine calls is imported with `catch`, so a JS exception never
//!   unwinds through wasm (which would leave a rubric borrowed and, repeated, crash node).
//!
//! TOML rubrics are read by a second wasm module loaded on demand ([`toml`]): the main
//! module stays small.

#![deny(missing_docs)]

pub mod args;
mod boundary;
mod tape;
pub mod toml;

use civic_value as cv;
use js_sys::Reflect;
use serde::Serialize;
use wasm_bindgen::prelude::*;

// The analyses (weigh and decide, SROI, tornado and Monte Carlo). Without the `analyses`
// feature (on by default) the module scores only: README "Size and speed" says what it weighs.
#[cfg(feature = "analyses")]
mod sensitivity;
#[cfg(feature = "analyses")]
mod sroi;
#[cfg(feature = "analyses")]
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
    /// The one context object its scores' methods share (`weigh.rs`), made on first use.
    #[cfg(feature = "analyses")]
    context: std::cell::OnceCell<JsValue>,
}

impl From<cv::Rubric> for Rubric {
    fn from(inner: cv::Rubric) -> Self {
        Rubric {
            inner,
            #[cfg(feature = "analyses")]
            context: std::cell::OnceCell::new(),
        }
    }
}

#[wasm_bindgen]
impl Rubric {
    /// The built-in default rubric (12 criteria in 5 themes, Dutch and English texts,
    /// three perspectives). An illustrative starting point, not an official standard.
    #[wasm_bindgen(js_name = "default")]
    pub fn builtin() -> Rubric {
        Rubric::from(cv::Rubric::builtin())
    }

    /// Parse and validate a rubric written as JSON. Throws a `CivicValueError`
    /// (`rubric.*` code, `path` of the offending field).
    /// Throws a `TypeError` when `text` is not a string.
    #[wasm_bindgen(js_name = "fromJson")]
    pub fn from_json(
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    ) -> Result<Rubric, JsValue> {
        let text = args::document(&text, "text")?;
        cv::Rubric::from_json(&text)
            .map(Rubric::from)
            .map_err(|e| to_js_error(&e))
    }

    /// Parse and validate a rubric written as TOML. Throws like `fromJson`. TOML is read by
    /// a second wasm module (`civic_value_toml.wasm`): node loads it on first use; in a
    /// browser `await initToml()` once first (else this throws an `Error` saying so).
    #[wasm_bindgen(js_name = "fromToml")]
    pub fn from_toml(
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    ) -> Result<Rubric, JsValue> {
        let text = args::document(&text, "text")?;
        toml::rubric(&text).map(Rubric::from)
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
    pub fn describe(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "string | null")] lang: JsValue,
    ) -> Result<JsValue, JsValue> {
        let lang = args::opt_string(&lang, "lang")?;
        to_plain(&self.inner.describe(lang.as_deref().unwrap_or("en")))
    }

    /// Score one initiative under the rubric's own weights or a named perspective's.
    /// `inputs` maps criterion ids to values: a number, `[low, high]` or `{low, high}`,
    /// `{value, evidence}`, `true`/`false`, an option id, or `null`/`undefined` (missing).
    /// Returns a plain object of the same shape as the CLI's JSON; the full module adds
    /// non-enumerable methods, `levers()`, `pathTo(band)` and `nextBand()` (see `weigh.rs`),
    /// the scoring-only one (`civic-value/score`) returns the plain data. Throws a
    /// `CivicValueError` (`input.*` code, `path` such as `input.volunteer_hours`), or a
    /// `TypeError` for arguments of the wrong JS type.
    #[cfg_attr(
        feature = "analyses",
        wasm_bindgen(unchecked_return_type = "ScoreWithMethods")
    )]
    #[cfg_attr(
        not(feature = "analyses"),
        wasm_bindgen(unchecked_return_type = "Score")
    )]
    pub fn score(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Inputs")] inputs: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string | null")] perspective: JsValue,
    ) -> Result<JsValue, JsValue> {
        let name = args::opt_string(&perspective, "perspective")?;
        // With the full module, a copy of the inputs just read, kept in JS for the methods below.
        #[cfg(feature = "analyses")]
        let (inputs, tape) = args::inputs_kept(&inputs, "inputs", true)?;
        #[cfg(not(feature = "analyses"))]
        let inputs = args::inputs(&inputs, "inputs")?;
        let score = self
            .inner
            .score(&inputs, name.as_deref())
            .map_err(|e| to_js_error(&e))?;
        // Plain data, plus `levers()`, `pathTo(band)` and `nextBand()` as non-enumerable
        // methods (they keep the rubric, a copy of these inputs and the perspective).
        #[cfg(feature = "analyses")]
        return Ok(weigh::with_methods(
            &to_plain(&score)?,
            self,
            tape,
            &perspective,
        ));
        #[cfg(not(feature = "analyses"))]
        return to_plain(&score);
    }

    /// Read text typed by a person into an input for one criterion, by the core's rules
    /// (empty → `null`; numbers and `low..high` ranges; `yes`/`no`, `ja`/`nee` for
    /// booleans; option ids). Never rejects text: scoring says what was expected. Throws
    /// `input.unknown_criterion` for an id the rubric does not have.
    #[wasm_bindgen(js_name = "parseText", unchecked_return_type = "RawInput")]
    pub fn parse_text(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] criterion: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    ) -> Result<JsValue, JsValue> {
        let criterion = args::string(&criterion, "criterion")?;
        let text = args::string(&text, "text")?;
        let Some(c) = self.inner.criterion(&criterion) else {
            let kind = cv::ErrorKind::UnknownCriterion {
                rubric: self.inner.id().to_owned(),
            };
            return Err(to_js_error(&kind.at(format!("input.{criterion}"))));
        };
        // Not as JSON would: a typed "nan" must stay NaN (and be rejected when scoring).
        to_js(&c.parse_text(&text), false)
    }
}

/// The version of the engine (also carried by every score as `engine`).
#[wasm_bindgen(js_name = "engineVersion")]
pub fn engine_version() -> String {
    cv::ENGINE_VERSION.to_owned()
}

/// Read a JS object (or `Map`) of criterion id → value into [`cv::Inputs`]: copied once
/// (`boundary.js`), then read by the core with the path of a malformed value
/// (`input.volunteer_hours`), as [`cv::Inputs::from_json`] reports it. Never throws and never
/// runs the caller's code more than once per property; a value that is not an object is an
/// `input.parse` error here (exports use [`args::inputs`], which makes it a `TypeError`).
// (The exports read inputs through `args::inputs`; kept for code that reads inputs without
// the argument check.)
#[allow(dead_code)]
pub(crate) fn inputs_from_js(value: JsValue) -> Result<cv::Inputs, cv::Error> {
    inputs_kept_from_js(&value, false).map(|(inputs, _)| inputs)
}

/// [`inputs_from_js`], and with `keep` a copy of the tape they were read from, kept in JS
/// (see [`args::copy_kept`]).
pub(crate) fn inputs_kept_from_js(
    value: &JsValue,
    keep: bool,
) -> Result<(cv::Inputs, JsValue), cv::Error> {
    let (tree, kept) = args::copy_kept(value, "input", keep)?;
    Ok((cv::Inputs::from_tree(tree)?, kept))
}

/// A serde value as plain JS objects and arrays: the shapes `JSON.parse` gives for the JSON
/// the CLI writes (NaN and ±infinity as `null`, as serde_json writes them), built directly.
pub(crate) fn to_plain<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    to_js(value, true)
}

/// [`to_plain`], with `json_numbers == false` keeping NaN and ±infinity as numbers.
fn to_js<T: Serialize + ?Sized>(value: &T, json_numbers: bool) -> Result<JsValue, JsValue> {
    let mut out = tape::Tape::new(json_numbers);
    value
        .serialize(&mut out)
        .map_err(|e| JsValue::from(js_sys::Error::new(&e.to_string())))?;
    let plain = boundary::decode(out.ops(), out.text())?;
    out.sent();
    Ok(plain)
}

/// A core error as a JS `Error` with `code`, `path` and `detail` properties.
pub(crate) fn to_js_error(e: &cv::Error) -> JsValue {
    js_error(e.code(), e.path(), &e.to_string(), &e.message())
}

/// A `CivicValueError`: an `Error` with the message and `code`, `path` and `detail`.
pub(crate) fn js_error(code: &str, path: &str, message: &str, detail: &str) -> JsValue {
    let err = js_sys::Error::new(message);
    err.set_name("CivicValueError");
    for (key, value) in [("code", code), ("path", path), ("detail", detail)] {
        // Setting a property on a fresh `Error` cannot fail.
        let _ = Reflect::set(&err, &JsValue::from_str(key), &JsValue::from_str(value));
    }
    err.into()
}
