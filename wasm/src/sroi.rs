//! Monetised value (SROI) for JavaScript: `sroi(outcomes, investment, {discount})`,
//! `sroiSensitivity(outcomes, investment, {discount, ends})` and
//! `rubric.monetise(inputs, {investment, discount})`. Arguments are read into JSON values
//! here (non-finite numbers refused with their path); the reading rules are the core's
//! (`civic_value::analysis::sroi_input`).

use civic_value as cv;
use cv::analysis::sroi as core_sroi;
use cv::analysis::sroi_input::{discount_from_value, ends_from_value, outcomes_from_value};
use js_sys::{Array, Object, Reflect};
use serde_json::{Map, Number, Value};
use wasm_bindgen::prelude::*;

use crate::{Rubric, inputs_from_js, to_js_error, to_plain};

/// Deepest nesting and most entries read from one argument.
const MAX_DEPTH: usize = 4;
const MAX_ENTRIES: usize = 100_000;

fn type_error(message: String) -> JsValue {
    js_sys::TypeError::new(&message).into()
}

/// A JS value (plain objects, arrays, numbers, strings, booleans, null/undefined) as JSON;
/// NaN and ±Infinity are refused with their path, like the core refuses them.
fn to_value(v: &JsValue, path: &str, depth: usize, budget: &mut usize) -> Result<Value, JsValue> {
    *budget = budget.saturating_sub(1);
    if *budget == 0 || depth > MAX_DEPTH {
        return Err(to_js_error(
            &cv::ErrorKind::InputParse {
                message: "too large or too deeply nested".to_owned(),
            }
            .at(path),
        ));
    }
    if v.is_null() || v.is_undefined() {
        return Ok(Value::Null);
    }
    if let Some(x) = v.as_f64() {
        return Number::from_f64(x)
            .map(Value::Number)
            .ok_or_else(|| to_js_error(&cv::ErrorKind::InputNotFinite { got: x }.at(path)));
    }
    if let Some(b) = v.as_bool() {
        return Ok(Value::Bool(b));
    }
    if let Some(s) = v.as_string() {
        return Ok(Value::String(s));
    }
    if Array::is_array(v) {
        let array = Array::from(v);
        let mut out = Vec::with_capacity(array.length().min(1024) as usize);
        for (i, item) in array.iter().enumerate() {
            out.push(to_value(&item, &format!("{path}[{i}]"), depth + 1, budget)?);
        }
        return Ok(Value::Array(out));
    }
    if v.is_object() && !v.is_function() {
        let object = Object::from(v.clone());
        let mut out = Map::new();
        for key in Object::keys(&object).iter() {
            let name = key.as_string().unwrap_or_default();
            let item = Reflect::get(&object, &key).map_err(|e| {
                to_js_error(
                    &cv::ErrorKind::InputParse {
                        message: format!("cannot read: {}", js_message(&e)),
                    }
                    .at(format!("{path}.{name}")),
                )
            })?;
            let item_path = format!("{path}.{name}");
            out.insert(name, to_value(&item, &item_path, depth + 1, budget)?);
        }
        return Ok(Value::Object(out));
    }
    Err(to_js_error(
        &cv::ErrorKind::InputParse {
            message: format!(
                "expected a number, text, true/false, an array or an object, got {}",
                v.js_typeof().as_string().unwrap_or_default()
            ),
        }
        .at(path),
    ))
}

fn js_message(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map_or_else(|| format!("{e:?}"), |err| String::from(err.message()))
}

fn read(v: &JsValue, path: &str) -> Result<Value, JsValue> {
    let mut budget = MAX_ENTRIES;
    to_value(v, path, 0, &mut budget)
}

/// `options[key]` when `options` is an object; `undefined` otherwise.
fn option(options: &JsValue, key: &str) -> Result<JsValue, JsValue> {
    if options.is_undefined() || options.is_null() {
        return Ok(JsValue::UNDEFINED);
    }
    if !options.is_object() || Array::is_array(options) {
        return Err(type_error(format!(
            "options: expected an object or undefined, got {}",
            options.js_typeof().as_string().unwrap_or_default()
        )));
    }
    Reflect::get(options, &JsValue::from_str(key))
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
    #[wasm_bindgen(unchecked_param_type = "{ discount?: Discount }")] options: JsValue,
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
        unchecked_param_type = "{ discount?: Discount; ends?: Record<string, [number, number]> }"
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
        #[wasm_bindgen(unchecked_param_type = "{ investment?: number; discount?: Discount }")]
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
