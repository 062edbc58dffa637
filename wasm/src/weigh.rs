//! Weigh and decide for JavaScript: `weights.ahp(matrix, {method, ri})` and the other weights,
//! `mcda.normalize / wsum / topsis`, `rubric.comparePerspectives(inputs)`,
//! `rubric.withWeights(weights)`, `rubric.levers(inputs, perspective)`,
//! `rubric.pathTo(inputs, band, perspective)`, and on every score `score.levers()` and
//! `score.pathTo(band)`. Arguments are converted here (a matrix is an array of arrays of
//! numbers); every rule is the core's (`civic_value::analysis`).

use std::collections::BTreeMap;

use civic_value as cv;
use cv::analysis::ahp::{self as core_ahp, AhpMethod, RandomIndex};
use cv::analysis::mcda::{self as core_mcda, Normalization};
use cv::analysis::{critic as core_critic, entropy as core_entropy, weights as core_weights};
use js_sys::Array;
use wasm_bindgen::prelude::*;

use crate::{Rubric, args, to_js_error, to_plain};

/// Most rows or columns read.
const MAX_LEN: u32 = 100_000;

/// An array of numbers (NaN and ±Infinity are passed on: the core names them).
fn numbers(v: &JsValue, path: &str) -> Result<Vec<f64>, JsValue> {
    args::list(v, path)
}

/// An array of arrays of numbers.
fn matrix(v: &JsValue, path: &str) -> Result<Vec<Vec<f64>>, JsValue> {
    args::list(v, path)
}

/// The options bag of `weights.ahp`, `weights.ahpSynthesis`, `mcda.wsum` and `mcda.topsis`
/// (other keys are ignored).
#[derive(serde::Deserialize, Default)]
struct Options {
    method: Option<String>,
    ri: Option<String>,
    normalization: Option<String>,
}

/// `options`, or the defaults when it is undefined/null. Throws a `TypeError` for a value
/// that is not an object or a field that is not a string.
fn options(options: &JsValue) -> Result<Options, JsValue> {
    args::options(options, "options")
}

fn ahp_options(options: &JsValue) -> Result<(AhpMethod, RandomIndex), JsValue> {
    let o = self::options(options)?;
    let method = AhpMethod::parse(o.method.as_deref().unwrap_or("eigenvector"))
        .map_err(|e| to_js_error(&e))?;
    let ri = RandomIndex::parse(o.ri.as_deref().unwrap_or("saaty")).map_err(|e| to_js_error(&e))?;
    Ok((method, ri))
}

fn count(v: &JsValue) -> Result<usize, JsValue> {
    match v.as_f64() {
        Some(x) if x >= 0.0 && x.fract() == 0.0 && x <= f64::from(MAX_LEN) => Ok(x as usize),
        _ => Err(args::type_error(
            "n",
            &format!("a whole number from 0 to {MAX_LEN}"),
            v,
        )),
    }
}

fn done<T: serde::Serialize>(r: cv::Result<T>) -> Result<JsValue, JsValue> {
    to_plain(&r.map_err(|e| to_js_error(&e))?)
}

/// Weights from judgement and from data (static methods).
#[wasm_bindgen(js_name = "weights")]
pub struct Weights {}

#[wasm_bindgen(js_class = "weights")]
impl Weights {
    /// Weights and consistency of a reciprocal matrix of pairwise judgements.
    /// `options.method`: `"eigenvector"` (default) or `"geometric_mean"`; `options.ri`:
    /// `"saaty"` (default, n ≤ 10) or `"alonso_lamata"` (any n). Returns
    /// `{weights, lambda_max, ci, cr, consistent, method, ri, random_index}`. Throws a
    /// `CivicValueError` naming the cell (`matrix[1][0]`: must be 1/3 (reciprocal of 3), got
    /// 0.5), or a `TypeError` for an argument of the wrong type.
    #[wasm_bindgen(unchecked_return_type = "AhpResult")]
    pub fn ahp(
        #[wasm_bindgen(unchecked_param_type = "number[][]")] matrix: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "AhpOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let m = self::matrix(&matrix, "matrix")?;
        let (method, ri) = ahp_options(&options)?;
        done(core_ahp::ahp(&m, method, ri))
    }

    /// Global priorities of alternatives (AHP synthesis): `{priorities, criteria,
    /// alternatives}`.
    #[wasm_bindgen(js_name = "ahpSynthesis", unchecked_return_type = "AhpSynthesis")]
    pub fn ahp_synthesis(
        #[wasm_bindgen(unchecked_param_type = "number[][]")] criteria: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number[][][]")] alternatives: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "AhpOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let c = matrix(&criteria, "criteria")?;
        let alts: Vec<Vec<Vec<f64>>> = args::list(&alternatives, "alternatives")?;
        let (method, ri) = ahp_options(&options)?;
        done(core_ahp::ahp_synthesis(&c, &alts, method, ri))
    }

    /// Rank-order centroid weights of `n` ranked criteria, most important first.
    #[wasm_bindgen(unchecked_return_type = "number[]")]
    pub fn roc(
        #[wasm_bindgen(unchecked_param_type = "number")] n: JsValue,
    ) -> Result<JsValue, JsValue> {
        done(core_weights::roc(count(&n)?))
    }

    /// Rank-sum weights of `n` ranked criteria, most important first.
    #[wasm_bindgen(js_name = "rankSum", unchecked_return_type = "number[]")]
    pub fn rank_sum(
        #[wasm_bindgen(unchecked_param_type = "number")] n: JsValue,
    ) -> Result<JsValue, JsValue> {
        done(core_weights::rank_sum(count(&n)?))
    }

    /// Swing weights from points on 0–100 (the most important swing 100).
    #[wasm_bindgen(unchecked_return_type = "number[]")]
    pub fn swing(
        #[wasm_bindgen(unchecked_param_type = "number[]")] points: JsValue,
    ) -> Result<JsValue, JsValue> {
        done(core_weights::swing(&numbers(&points, "points")?))
    }

    /// Entropy weights of a decision matrix's columns (`types`: 1 benefit, −1 cost).
    #[wasm_bindgen(unchecked_return_type = "number[]")]
    pub fn entropy(
        #[wasm_bindgen(unchecked_param_type = "number[][]")] matrix: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number[]")] types: JsValue,
    ) -> Result<JsValue, JsValue> {
        done(core_entropy::entropy(
            &self::matrix(&matrix, "matrix")?,
            &numbers(&types, "types")?,
        ))
    }

    /// CRITIC weights of a decision matrix's columns (`types`: 1 benefit, −1 cost).
    #[wasm_bindgen(unchecked_return_type = "number[]")]
    pub fn critic(
        #[wasm_bindgen(unchecked_param_type = "number[][]")] matrix: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number[]")] types: JsValue,
    ) -> Result<JsValue, JsValue> {
        done(core_critic::critic(
            &self::matrix(&matrix, "matrix")?,
            &numbers(&types, "types")?,
        ))
    }
}

/// Decision-matrix methods (static methods): five named normalisations, the weighted sum and
/// classic TOPSIS.
#[wasm_bindgen(js_name = "mcda")]
pub struct Mcda {}

fn normalization(options: &JsValue, default: &str) -> Result<Normalization, JsValue> {
    let o = self::options(options)?;
    Normalization::parse(o.normalization.as_deref().unwrap_or(default)).map_err(|e| to_js_error(&e))
}

#[wasm_bindgen(js_class = "mcda")]
impl Mcda {
    /// The matrix normalised column by column: `method` is `"minmax"`, `"max"`, `"sum"`,
    /// `"vector"` or `"linear"` (cost columns, `types[j] = -1`, turned so more is better).
    #[wasm_bindgen(unchecked_return_type = "number[][]")]
    pub fn normalize(
        #[wasm_bindgen(unchecked_param_type = "number[][]")] matrix: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number[]")] types: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Normalization")] method: JsValue,
    ) -> Result<JsValue, JsValue> {
        let method = crate::args::string(&method, "method")?;
        let method = Normalization::parse(&method).map_err(|e| to_js_error(&e))?;
        done(core_mcda::normalize(
            &matrix_arg(&matrix)?,
            &numbers(&types, "types")?,
            method,
        ))
    }

    /// Weighted-sum preference of each row (`options.normalization`, default `"minmax"`).
    #[wasm_bindgen(unchecked_return_type = "number[]")]
    pub fn wsum(
        #[wasm_bindgen(unchecked_param_type = "number[][]")] matrix: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number[]")] weights: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number[]")] types: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "{ normalization?: Normalization }")]
        options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let n = normalization(&options, "minmax")?;
        done(core_mcda::wsum(
            &matrix_arg(&matrix)?,
            &numbers(&weights, "weights")?,
            &numbers(&types, "types")?,
            n,
        ))
    }

    /// TOPSIS closeness of each row (`options.normalization`, default `"vector"`); a row
    /// best on every criterion gets exactly 1.
    #[wasm_bindgen(unchecked_return_type = "number[]")]
    pub fn topsis(
        #[wasm_bindgen(unchecked_param_type = "number[][]")] matrix: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number[]")] weights: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number[]")] types: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "{ normalization?: Normalization }")]
        options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let n = normalization(&options, "vector")?;
        done(core_mcda::topsis(
            &matrix_arg(&matrix)?,
            &numbers(&weights, "weights")?,
            &numbers(&types, "types")?,
            n,
        ))
    }
}

fn matrix_arg(v: &JsValue) -> Result<Vec<Vec<f64>>, JsValue> {
    matrix(v, "matrix")
}

// Score objects get three methods, `levers()`, `pathTo(band)` and `nextBand()`, as non-enumerable own
// properties (the prototype stays `Object.prototype`, `Object.keys` and `JSON.stringify`
// are unchanged), and under a symbol what they need: the rubric's context object (one per
// rubric, shared by all its scores), a copy of the inputs as read (the tape `[ops, text]`,
// kept in JS, not read back from the score's data or from the caller's object) and the
// perspective. Nothing per score is owned by wasm, so a score needs no finaliser: an entry
// in a `FinalizationRegistry` per score made the garbage collector's work grow 2× in a loop
// of scores (README "Size and speed").
#[wasm_bindgen(inline_js = r#"
const CONTEXT = Symbol("civic-value score context");
function levers() { const c = this[CONTEXT]; return c[0].levers(c[1], c[2], c[3]); }
function pathTo(band) { const c = this[CONTEXT]; return c[0].pathTo(c[1], c[2], c[3], band); }
function nextBand() { const c = this[CONTEXT]; return c[0].nextBand(c[1], c[2], c[3]); }
export function attachScoreMethods(score, context, tape, perspective) {
  // Descriptors without a prototype: a page's Object.prototype.get / .set is not read.
  Object.defineProperty(score, CONTEXT, { __proto__: null, value: [context, tape?.[0], tape?.[1], perspective] });
  Object.defineProperty(score, "levers", { __proto__: null, value: levers });
  Object.defineProperty(score, "pathTo", { __proto__: null, value: pathTo });
  Object.defineProperty(score, "nextBand", { __proto__: null, value: nextBand });
  return score;
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = "attachScoreMethods")]
    fn attach_score_methods(
        score: &JsValue,
        context: &JsValue,
        tape: &JsValue,
        perspective: &JsValue,
    ) -> JsValue;
}

/// What the methods of a rubric's scores work on: the rubric (a shared handle, so scores
/// keep working after the rubric is freed). One per rubric; each call brings the score's
/// inputs (as the tape they were read into) and perspective. Not constructed from JS.
#[wasm_bindgen]
pub struct ScoreContext {
    rubric: cv::Rubric,
}

/// What a score kept: its inputs (the tape read when it was made, read again) and its
/// perspective (the JS argument it was scored with).
fn kept(
    ops: &[f64],
    text: &str,
    perspective: &JsValue,
) -> Result<(cv::Inputs, Option<String>), JsValue> {
    Ok((
        kept_inputs(ops, text)?,
        args::opt_string(perspective, "perspective")?,
    ))
}

/// The inputs a score kept: the tape read when it was made, read again.
fn kept_inputs(ops: &[f64], text: &str) -> Result<cv::Inputs, JsValue> {
    let tree = crate::tape::tree_from_tape(ops, text).ok_or_else(|| {
        to_js_error(
            &cv::ErrorKind::InputParse {
                message: "the kept inputs could not be read".to_owned(),
            }
            .at("input"),
        )
    })?;
    cv::Inputs::from_tree(tree).map_err(|e| to_js_error(&e))
}

#[wasm_bindgen]
impl ScoreContext {
    /// The levers of the scored initiative, highest gain first.
    #[wasm_bindgen(unchecked_return_type = "Lever[]")]
    pub fn levers(
        &self,
        ops: &[f64],
        text: &str,
        perspective: JsValue,
    ) -> Result<JsValue, JsValue> {
        let (inputs, perspective) = kept(ops, text, &perspective)?;
        done(self.rubric.levers(&inputs, perspective.as_deref()))
    }

    /// The band to aim for next (the core's `Rubric::next_band`): the band above, or the
    /// top band itself when a knock-out fails or may fail there; `null` in the top band
    /// with no knock-out listed.
    #[wasm_bindgen(js_name = "nextBand", unchecked_return_type = "string | null")]
    pub fn next_band(
        &self,
        ops: &[f64],
        text: &str,
        perspective: JsValue,
    ) -> Result<JsValue, JsValue> {
        let (inputs, perspective) = kept(ops, text, &perspective)?;
        let score = self
            .rubric
            .score(&inputs, perspective.as_deref())
            .map_err(|e| to_js_error(&e))?;
        Ok(self
            .rubric
            .next_band(&score)
            .map_or(JsValue::NULL, |b| JsValue::from_str(b.id())))
    }

    /// The fewest changes that put the scored initiative in `band` (or higher).
    #[wasm_bindgen(js_name = "pathTo", unchecked_return_type = "PathStep[]")]
    pub fn path_to(
        &self,
        ops: &[f64],
        text: &str,
        perspective: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] band: JsValue,
    ) -> Result<JsValue, JsValue> {
        let band = args::string(&band, "band")?;
        let (inputs, perspective) = kept(ops, text, &perspective)?;
        done(
            self.rubric
                .path_to_band(&inputs, perspective.as_deref(), &band),
        )
    }
}

/// A score object with `levers()`, `pathTo(band)` and `nextBand()` bound to its rubric, the
/// kept copy of its inputs (`tape`, from [`crate::boundary::keep_tape`]) and `perspective`
/// (the JS argument, already checked).
pub(crate) fn with_methods(
    score: &JsValue,
    rubric: &Rubric,
    tape: JsValue,
    perspective: &JsValue,
) -> JsValue {
    let context = rubric.context.get_or_init(|| {
        JsValue::from(ScoreContext {
            rubric: rubric.inner.clone(),
        })
    });
    attach_score_methods(score, context, &tape, perspective)
}

#[wasm_bindgen]
impl Rubric {
    /// One initiative under the rubric's own weights and every perspective's:
    /// `{columns: ["rubric", …perspective ids], totals, bands, criteria: [{id, theme,
    /// points, spread}], differences: [{perspective, criterion, points, rubric_points,
    /// delta, total_delta}]}`.
    #[wasm_bindgen(
        js_name = "comparePerspectives",
        unchecked_return_type = "PerspectiveComparison"
    )]
    pub fn compare_perspectives(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Inputs")] inputs: JsValue,
    ) -> Result<JsValue, JsValue> {
        let inputs = crate::args::inputs(&inputs, "inputs")?;
        done(self.inner.compare_perspectives(&inputs))
    }

    /// The levers of one initiative, highest gain first: `[{criterion, gain, best,
    /// per_unit, total}]` (`per_unit` `null` where not numeric).
    #[wasm_bindgen(unchecked_return_type = "Lever[]")]
    pub fn levers(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Inputs")] inputs: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string | null")] perspective: JsValue,
    ) -> Result<JsValue, JsValue> {
        let perspective = crate::args::opt_string(&perspective, "perspective")?;
        let inputs = crate::args::inputs(&inputs, "inputs")?;
        done(self.inner.levers(&inputs, perspective.as_deref()))
    }

    /// The fewest changes that put the initiative in `band` (or higher) with no knock-out
    /// failing: `[{criterion, value}]`, the last only as far as needed.
    #[wasm_bindgen(js_name = "pathTo", unchecked_return_type = "PathStep[]")]
    pub fn path_to(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Inputs")] inputs: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] band: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string | null")] perspective: JsValue,
    ) -> Result<JsValue, JsValue> {
        let band = crate::args::string(&band, "band")?;
        let perspective = crate::args::opt_string(&perspective, "perspective")?;
        let inputs = crate::args::inputs(&inputs, "inputs")?;
        done(
            self.inner
                .path_to_band(&inputs, perspective.as_deref(), &band),
        )
    }

    /// A new rubric whose effective criterion weights are `weights` (criterion id → weight,
    /// every criterion named, normalised); theme weights become the sums of their
    /// criteria's. Throws `input.unknown_criterion` / `input.weight_missing` at
    /// `weights.<id>`.
    #[wasm_bindgen(js_name = "withWeights")]
    pub fn with_weights(
        &self,
        #[wasm_bindgen(unchecked_param_type = "{ [criterion: string]: number }")] weights: JsValue,
    ) -> Result<Rubric, JsValue> {
        if !weights.is_object() || Array::is_array(&weights) {
            return Err(args::type_error(
                "weights",
                "an object of criterion id → weight",
                &weights,
            ));
        }
        let map: BTreeMap<String, f64> = crate::args::read(&weights, "weights")?;
        self.inner
            .with_weights(&map)
            .map(Rubric::from)
            .map_err(|e| to_js_error(&e))
    }
}
