//! Monetised value (SROI) for JavaScript: `sroi(outcomes, investment, {discount})`,
//! `sroiSensitivity(outcomes, investment, {discount, ends})` and
//! `rubric.monetise(inputs, {investment, discount})`. Arguments are read into JSON values
//! here (non-finite numbers refused with their path); the reading rules are the core's
//! (`civic_value::analysis::sroi_input`).

use civic_value as cv;
use civic_value::Tree;
use cv::analysis::sroi as core_sroi;
use cv::analysis::sroi_input::{discount_from_value, ends_from_value, outcomes_from_value};
use js_sys::Reflect;
use serde_json::{Map, Number, Value};
use wasm_bindgen::prelude::*;

use crate::{Rubric, inputs_from_js, to_js_error, to_plain};

fn type_error(message: String) -> JsValue {
    js_sys::TypeError::new(&message).into()
}

/// A JS value as JSON, read once through the boundary's copy ([`crate::args::copy`]: plain
/// objects, `Map`s, arrays, numbers, strings, booleans, null/undefined; getters run once and
/// what they throw is an `input.parse` error with its path; the input size limit holds).
/// NaN and ±Infinity are refused with their path, like the core refuses them.
fn read(v: &JsValue, path: &str) -> Result<Value, JsValue> {
    let tree = crate::args::copy(v, path).map_err(|e| to_js_error(&e))?;
    to_value(tree, path)
}

fn to_value(tree: Tree, path: &str) -> Result<Value, JsValue> {
    Ok(match tree {
        Tree::Null => Value::Null,
        Tree::Bool(b) => Value::Bool(b),
        Tree::UInt(n) => Value::from(n),
        Tree::Int(n) => Value::from(n),
        Tree::Float(x) => Number::from_f64(x)
            .map(Value::Number)
            .ok_or_else(|| to_js_error(&cv::ErrorKind::InputNotFinite { got: x }.at(path)))?,
        Tree::Str(s) => Value::String(s),
        Tree::Seq(items) => Value::Array(
            items
                .into_iter()
                .enumerate()
                .map(|(i, item)| to_value(item, &format!("{path}[{i}]")))
                .collect::<Result<_, _>>()?,
        ),
        Tree::Map(entries) => {
            let mut out = Map::new();
            for (key, item) in entries {
                let value = to_value(item, &format!("{path}.{key}"))?;
                out.insert(key, value);
            }
            Value::Object(out)
        }
    })
}

/// `options[key]` when `options` is an object; `undefined` otherwise. A getter or Proxy
/// trap that throws is an `input.parse` error at `options.key`.
fn option(options: &JsValue, key: &str) -> Result<JsValue, JsValue> {
    if options.is_undefined() || options.is_null() {
        return Ok(JsValue::UNDEFINED);
    }
    if !options.is_object() || crate::args::kind_of(options) == "array" {
        return Err(type_error(format!(
            "options: expected an object or undefined, got {}",
            crate::args::kind_of(options)
        )));
    }
    Reflect::get(options, &JsValue::from_str(key)).map_err(|e| {
        to_js_error(
            &cv::ErrorKind::InputParse {
                message: format!("reading this value threw {}", crate::args::kind_of(&e)),
            }
            .at(format!("options.{key}")),
        )
    })
}

fn investment(v: &JsValue, name: &str) -> Result<Option<f64>, JsValue> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.as_f64().map(Some).ok_or_else(|| {
        type_error(format!(
            "{name}: expected a number, got {}",
            v.js_typeof().as_string().unwrap_or_default()
        ))
    })
}

fn outcomes_and_discount(
    outcomes: &JsValue,
    options: &JsValue,
) -> Result<(Vec<core_sroi::Outcome>, cv::analysis::discount::Discount), JsValue> {
    let outcomes =
        outcomes_from_value(&read(outcomes, "outcomes")?).map_err(|e| to_js_error(&e))?;
    let discount = discount_from_value(&read(&option(options, "discount")?, "discount")?)
        .map_err(|e| to_js_error(&e))?;
    Ok((outcomes, discount))
}

/// The SROI chain of `outcomes` (objects with `quantity`, `proxy`, `deadweight`,
/// `displacement`, `attribution`, `drop_off`, `duration`, optional `name`) against
/// `investment`. `options.discount`: a preset (`"nl-mkba-2021"`, the default;
/// `"uk-green-book-2022"`), a rate (`0.035`, `"3.5%"`) or `[[untilYear, rate], …]`.
/// Throws a `CivicValueError` naming the row and field (`outcomes[1].deadweight`), or a
/// `TypeError` for an argument of the wrong type.
#[wasm_bindgen(js_name = "sroi", unchecked_return_type = "SroiResult")]
pub fn sroi(
    #[wasm_bindgen(unchecked_param_type = "Outcome[]")] outcomes: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number")] investment: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "{ discount?: Discount } | null")]
    options: JsValue,
) -> Result<JsValue, JsValue> {
    let invest = crate::sroi::investment(&investment, "investment")?
        .ok_or_else(|| type_error("investment: expected a number, got undefined".to_owned()))?;
    let (outcomes, discount) = outcomes_and_discount(&outcomes, &options)?;
    let result = core_sroi::sroi(&outcomes, invest, &discount).map_err(|e| to_js_error(&e))?;
    to_plain(&result)
}

/// The ratio with each of deadweight, displacement, attribution, drop-off and the discount
/// rate at a low and a high end: `options.ends` gives `{parameter: [low, high]}`; the
/// others move each value × 0.5 and × 1.5 (clamped to 0–1).
#[wasm_bindgen(
    js_name = "sroiSensitivity",
    unchecked_return_type = "SensitivityRow[]"
)]
pub fn sroi_sensitivity(
    #[wasm_bindgen(unchecked_param_type = "Outcome[]")] outcomes: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number")] investment: JsValue,
    #[wasm_bindgen(
        unchecked_optional_param_type = "{ discount?: Discount; ends?: Record<string, [number, number]> } | null"
    )]
    options: JsValue,
) -> Result<JsValue, JsValue> {
    let invest = crate::sroi::investment(&investment, "investment")?
        .ok_or_else(|| type_error("investment: expected a number, got undefined".to_owned()))?;
    let (outcomes, discount) = outcomes_and_discount(&outcomes, &options)?;
    let ends =
        ends_from_value(&read(&option(&options, "ends")?, "ends")?).map_err(|e| to_js_error(&e))?;
    let rows =
        core_sroi::sensitivity(&outcomes, invest, &discount, &ends).map_err(|e| to_js_error(&e))?;
    to_plain(&rows)
}

#[wasm_bindgen]
impl Rubric {
    /// The initiative's monetised value from the rubric's proxy table. `options.investment`
    /// defaults to the input of the criterion the rubric names; `options.discount` to the
    /// rubric's own rate. Throws `input.no_monetisation` for a rubric without proxies.
    #[wasm_bindgen(unchecked_return_type = "Monetised")]
    pub fn monetise(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Inputs")] inputs: JsValue,
        #[wasm_bindgen(
            unchecked_optional_param_type = "{ investment?: number; discount?: Discount } | null"
        )]
        options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let invest = investment(&option(&options, "investment")?, "options.investment")?;
        let discount = option(&options, "discount")?;
        let discount = if discount.is_undefined() || discount.is_null() {
            None
        } else {
            Some(discount_from_value(&read(&discount, "discount")?).map_err(|e| to_js_error(&e))?)
        };
        let inputs = inputs_from_js(inputs).map_err(|e| to_js_error(&e))?;
        let m = self
            .inner
            .monetise(&inputs, invest, discount.as_ref())
            .map_err(|e| to_js_error(&e))?;
        to_plain(&m)
    }
}
