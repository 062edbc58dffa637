//! Sensitivity for JavaScript: `rubric.tornado(inputs, change, perspective)` and
//! `rubric.monteCarlo(items, options)`. Arguments are read and type-checked here; the
//! analyses are the core's, so the same seed gives the same numbers as Python and the CLI.

use civic_value as cv;
use cv::analysis::monte_carlo::MonteCarloOptions;
use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;

use crate::{Rubric, args, inputs_from_js, to_js_error, to_plain};

fn invalid(path: &str, expected: &str, got: &JsValue) -> JsValue {
    let got = got
        .as_f64()
        .map_or_else(|| args::kind_of(got), |x| x.to_string());
    to_js_error(
        &cv::ErrorKind::InvalidParameter {
            expected: expected.to_owned(),
            got,
        }
        .at(path),
    )
}

/// A whole number (a JS number, or a BigInt for seeds above 2^53) from `min` to `u64::MAX`.
fn whole(v: &JsValue, path: &str, min: u64, default: u64) -> Result<u64, JsValue> {
    if v.is_undefined() {
        return Ok(default);
    }
    if v.is_bigint() {
        let text = js_sys::BigInt::from(v.clone())
            .to_string(10)
            .map(String::from)
            .unwrap_or_default();
        return match text.parse::<u64>() {
            Ok(x) if x >= min => Ok(x),
            _ => Err(invalid(path, "a whole number of at least 1", v)),
        };
    }
    let Some(x) = v.as_f64() else {
        return Err(args::type_error(path, "a number", v));
    };
    #[allow(clippy::cast_precision_loss)]
    if x.fract() != 0.0 || !(x >= min as f64 && x <= 9_007_199_254_740_991.0) {
        return Err(invalid(
            path,
            &format!("a whole number from {min} to 2^53 − 1 (a BigInt above)"),
            v,
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
        let draws = whole(&option("draws")?, "draws", 1, defaults.draws)?;
        let seed = whole(&option("seed")?, "seed", 0, defaults.seed)?;
        let top_k = whole(&option("topK")?, "top_k", 1, 3)?;
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
            .map_err(|e| to_js_error(&e))?;
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
