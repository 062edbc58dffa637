//! Monetised value (SROI) for JavaScript: `sroi(outcomes, investment, {discount})`,
//! `sroiSensitivity(outcomes, investment, {discount, ends})` and
//! `rubric.monetise(inputs, {investment, discount})`. Arguments are read into JSON values
//! here (non-finite numbers refused with their path); the reading rules are the core's
//! (`civic_value::analysis::sroi_input`).

use civic_value as cv;
use civic_value::Tree;
use cv::analysis::sroi as core_sroi;
use cv::analysis::sroi_input::{discount_from_value, ends_from_value, outcomes_from_value};
use serde_json::{Map, Number, Value};
use wasm_bindgen::prelude::*;

use crate::{Rubric, args, inputs_from_js, to_js_error, to_plain};

/// A JS value as JSON, read once through the boundary's copy ([`crate::args::copy`]: plain
/// objects, `Map`s, arrays, numbers, strings, booleans, null/undefined; getters run once and
/// what they throw is an `input.parse` error with its path; the input size limit holds).
/// NaN and ±Infinity are refused with their path, like the core refuses them.
fn read(v: &JsValue, path: &str) -> Result<Value, JsValue> {
    let tree = args::copy(v, path).map_err(|e| to_js_error(&e))?;
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

/// The investment: a number, or `None` for `undefined`/`null`. Throws a `TypeError` for
/// anything else.
fn investment(v: &JsValue, name: &str) -> Result<Option<f64>, JsValue> {
    args::opt_number(v, name)
}

/// A required investment: throws a `TypeError` for `undefined`/`null` as for any non-number.
fn required_investment(v: &JsValue) -> Result<f64, JsValue> {
    investment(v, "investment")?.ok_or_else(|| args::type_error("investment", "a number", v))
}

fn outcomes_and_discount(
    outcomes: &JsValue,
    options: &JsValue,
) -> Result<(Vec<core_sroi::Outcome>, cv::analysis::discount::Discount), JsValue> {
    let outcomes =
        outcomes_from_value(&read(outcomes, "outcomes")?).map_err(|e| to_js_error(&e))?;
    let discount = discount_from_value(&read(&args::option(options, "discount")?, "discount")?)
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
    let invest = required_investment(&investment)?;
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
    let invest = required_investment(&investment)?;
    let (outcomes, discount) = outcomes_and_discount(&outcomes, &options)?;
    let ends = ends_from_value(&read(&args::option(&options, "ends")?, "ends")?)
        .map_err(|e| to_js_error(&e))?;
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
        let invest = investment(&args::option(&options, "investment")?, "options.investment")?;
        let discount = args::option(&options, "discount")?;
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
