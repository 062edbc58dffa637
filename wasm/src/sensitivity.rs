//! Sensitivity for JavaScript: `rubric.tornado(inputs, change, perspective)` and
//! `rubric.monteCarlo(items, options)`. Arguments are read and type-checked here; the
//! analyses are the core's, so the same seed gives the same numbers as Python and the CLI.

use civic_value as cv;
use cv::analysis::monte_carlo::{self, MonteCarloOptions};
use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;

use crate::{Rubric, args, inputs_from_js, to_js_error, to_plain};

/// The JavaScript name of a Monte Carlo option the core names in Rust (`top_k` → `topK`;
/// the initiatives are the argument `items`).
fn js_name(field: &str) -> &str {
    match field {
        "top_k" => "topK",
        "vary_inputs" => "varyInputs",
        "initiatives" => "items",
        other => other,
    }
}

/// A core error about a Monte Carlo option, at the option's JavaScript name.
fn option_error(e: &cv::Error) -> JsValue {
    to_js_error(&e.kind().clone().at(js_name(e.path())))
}

/// A whole number for the Monte Carlo option `field` (the core's name): a JS number up to
/// 2^53 − 1, or a BigInt for more (seeds). Only the conversion is checked here: a value that
/// is no whole number at all (negative, fractional, not finite) gets the core's message for
/// the option ([`monte_carlo::option_error`]); what the option accepts (draws ≥ 1, …) is
/// the core's check. Errors name the option as JavaScript does (`topK`).
fn whole(v: &JsValue, field: &str, default: u64) -> Result<u64, JsValue> {
    if v.is_undefined() {
        return Ok(default);
    }
    let core = |got: String| option_error(&monte_carlo::option_error(field, got));
    if v.is_bigint() {
        let text = js_sys::BigInt::from(v.clone())
            .to_string(10)
            .map(String::from)
            .unwrap_or_default();
        return text.parse::<u64>().map_err(|_| core(text));
    }
    let Some(x) = v.as_f64() else {
        return Err(args::type_error(js_name(field), "a number", v));
    };
    if !x.is_finite() || x.fract() != 0.0 || x < 0.0 {
        return Err(core(cv::display_number(x)));
    }
    if x > 9_007_199_254_740_991.0 {
        // Not every whole number above 2^53 is a JS number: a conversion rule of JavaScript.
        return Err(to_js_error(
            &cv::ErrorKind::InvalidParameter {
                expected: "a number up to 2^53 − 1 (a BigInt above)".to_owned(),
                got: cv::display_number(x),
            }
            .at(js_name(field)),
        ));
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(x as u64)
}

#[wasm_bindgen]
impl Rubric {
    /// How one initiative's total moves with each weight: every effective weight times
    /// `1 − change` and `1 + change` (default 0.2), the others rescaled proportionally.
    /// Returns `{total, change, rows: [{criterion, weight, low, high}]}`, rows sorted by
    /// `|high − low|`, largest first. Throws a `CivicValueError` (`input.not_a_fraction`
    /// for `change` outside 0–1, the scoring errors of the inputs).
    #[wasm_bindgen(unchecked_return_type = "Tornado")]
    pub fn tornado(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Inputs")] inputs: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] change: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string | null")] perspective: JsValue,
    ) -> Result<JsValue, JsValue> {
        let perspective = args::opt_string(&perspective, "perspective")?;
        let change = args::opt_number(&change, "change")?.unwrap_or(0.2);
        let inputs = args::inputs(&inputs, "inputs")?;
        let t = self
            .inner
            .tornado(&inputs, change, perspective.as_deref())
            .map_err(|e| to_js_error(&e))?;
        to_plain(&t)
    }

    /// Monte Carlo over the weights (Dirichlet around the effective weights) and the inputs
    /// given as ranges (drawn uniformly inside them), with the same numbers as Python and
    /// the command line for the same seed. `options`: `draws` (10000), `seed` (0; a BigInt
    /// above 2^53), `concentration` (100; `Infinity` keeps the weights fixed), `varyInputs`
    /// (true), `topK` (3), `perspective`. Returns `{draws, seed, concentration, vary_inputs,
    /// top_k, summary: [{mean, p5, p50, p95, p_top_k, min, max, point, knocked_out}],
    /// ranks}` (`ranks[i][r]`: share of draws in which initiative `i` takes place `r + 1`).
    /// Runs on the calling thread: keep `draws × items` modest on a page, or call it from
    /// a Web Worker.
    #[wasm_bindgen(js_name = "monteCarlo", unchecked_return_type = "MonteCarloResult")]
    pub fn monte_carlo(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Inputs[]")] items: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "MonteCarloOptions | null")]
        options: JsValue,
    ) -> Result<JsValue, JsValue> {
        if !Array::is_array(&items) {
            return Err(args::type_error("items", "an array of inputs", &items));
        }
        let defaults = MonteCarloOptions::default();
        let option = |key| args::option(&options, key);
        let draws = whole(&option("draws")?, "draws", defaults.draws)?;
        let seed = whole(&option("seed")?, "seed", defaults.seed)?;
        let top_k = whole(
            &option("topK")?,
            "top_k",
            u64::try_from(defaults.top_k).unwrap_or(3),
        )?;
        let concentration = args::opt_number(&option("concentration")?, "concentration")?
            .unwrap_or(defaults.concentration);
        let vary_inputs =
            args::opt_bool(&option("varyInputs")?, "varyInputs")?.unwrap_or(defaults.vary_inputs);
        let perspective = args::opt_string(&option("perspective")?, "perspective")?;
        let mut inputs = Vec::new();
        // Read with Reflect (whose exceptions are caught), never by iterating: a Proxy's traps
        // run inside `try`.
        let length = Reflect::get(&items, &"length".into())
            .map_err(|e| args::thrown(&e, "items.length"))?
            .as_f64()
            .unwrap_or(0.0);
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let length = length.clamp(0.0, f64::from(u32::MAX)) as u32;
        for i in 0..length {
            let item =
                Reflect::get_u32(&items, i).map_err(|e| args::thrown(&e, &format!("rows[{i}]")))?;
            inputs.push(
                inputs_from_js(item)
                    .map_err(|e| to_js_error(&e.prefixed(&format!("rows[{i}]"))))?,
            );
        }
        let o = MonteCarloOptions {
            draws,
            seed,
            concentration,
            vary_inputs,
            top_k: usize::try_from(top_k).unwrap_or(usize::MAX),
            threads: 1,
        };
        let mc = self
            .inner
            .monte_carlo(&inputs, perspective.as_deref(), &o, &mut |_, _| true)
            .map_err(|e| option_error(&e))?;
        let out = to_plain(&mc)?;
        // JSON has no Infinity (fixed weights) and no integers above 2^53 (seeds): set both.
        let _ = Reflect::set(
            &out,
            &"concentration".into(),
            &JsValue::from_f64(mc.concentration),
        );
        let seed = if mc.seed > 9_007_199_254_740_991 {
            JsValue::from(js_sys::BigInt::from(mc.seed))
        } else {
            #[allow(clippy::cast_precision_loss)]
            JsValue::from_f64(mc.seed as f64)
        };
        let _ = Reflect::set(&out, &"seed".into(), &seed);
        Ok(out)
    }
}
