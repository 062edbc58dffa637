//! Property tests: the laws every score obeys, over randomly generated rubrics and inputs.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeMap;

use approx::assert_abs_diff_eq;
use civic_value::doc::{
    Aggregation, CriterionDoc, MissingPolicy, OptionDoc, PerspectiveDoc, RubricDoc, ThemeDoc,
    UnknownInputPolicy, ValueFunctionDoc,
};
use civic_value::{InputValue, Inputs, Rubric};
use proptest::prelude::*;

fn value_function() -> impl Strategy<Value = ValueFunctionDoc> {
    prop_oneof![
        (-100.0..100.0f64, -100.0..100.0f64)
            .prop_filter("best must differ from worst", |(w, b)| (w - b).abs() > 1e-3)
            .prop_map(|(worst, best)| ValueFunctionDoc::Linear { worst, best }),
        (
            -50.0..50.0f64,
            prop::collection::vec((0.1..20.0f64, 0.0..=1.0f64), 2..6)
        )
            .prop_map(|(start, steps)| {
                let mut x = start;
                let points = steps
                    .into_iter()
                    .map(|(dx, v)| {
                        x += dx;
                        [x, v]
                    })
                    .collect();
                ValueFunctionDoc::Piecewise { points }
            }),
        (1.0..5000.0f64, 0.5..500.0f64)
            .prop_map(|(best, scale)| ValueFunctionDoc::Log { best, scale }),
        (2u32..8).prop_map(|levels| ValueFunctionDoc::Likert { levels }),
        Just(ValueFunctionDoc::Boolean),
        prop::collection::vec(0.0..=1.0f64, 1..5).prop_map(|values| ValueFunctionDoc::Category {
            options: values
                .into_iter()
                .enumerate()
                .map(|(i, value)| OptionDoc {
                    id: format!("o{i}"),
                    label: BTreeMap::new(),
                    value,
                })
                .collect(),
        }),
    ]
}

fn rubric_doc() -> impl Strategy<Value = RubricDoc> {
    (
        prop::collection::vec(0.0..10.0f64, 1..4),
        prop::collection::vec(
            (value_function(), 0.0..10.0f64, any::<prop::sample::Index>()),
            1..10,
        ),
        prop_oneof![
            Just(Aggregation::WeightedSum),
            Just(Aggregation::WeightedProduct)
        ],
        prop_oneof![Just(MissingPolicy::Zero), Just(MissingPolicy::Renormalise)],
        prop::collection::vec(0.0..10.0f64, 1..4),
    )
        .prop_map(|(theme_weights, criteria, aggregation, missing, persp)| {
            let n_themes = theme_weights.len();
            let mut criteria: Vec<CriterionDoc> = criteria
                .into_iter()
                .enumerate()
                .map(|(i, (vf, w, theme))| CriterionDoc {
                    id: format!("c{i}"),
                    theme: format!("t{}", theme.index(n_themes)),
                    label: BTreeMap::new(),
                    help: BTreeMap::new(),
                    unit: None,
                    // Keep every theme's weights from being all zero.
                    weight: w + 0.1,
                    value_function: vf,
                    min: None,
                    max: None,
                    default: None,
                    knockout: None,
                })
                .collect();
            // Every theme needs a criterion: give empty themes one.
            for t in 0..n_themes {
                let id = format!("t{t}");
                if !criteria.iter().any(|c| c.theme == id) {
                    let mut c = criteria[0].clone();
                    c.id = format!("extra{t}");
                    c.theme = id;
                    criteria.push(c);
                }
            }
            RubricDoc {
                id: "prop".into(),
                version: "1".into(),
                title: BTreeMap::new(),
                description: BTreeMap::new(),
                aggregation,
                missing,
                unknown_inputs: UnknownInputPolicy::Error,
                themes: theme_weights
                    .iter()
                    .enumerate()
                    .map(|(i, w)| ThemeDoc {
                        id: format!("t{i}"),
                        label: BTreeMap::new(),
                        help: BTreeMap::new(),
                        weight: w + 0.1,
                    })
                    .collect(),
                criteria,
                bands: vec![],
                perspectives: vec![PerspectiveDoc {
                    id: "p".into(),
                    label: BTreeMap::new(),
                    help: BTreeMap::new(),
                    themes: persp
                        .iter()
                        .take(n_themes)
                        .enumerate()
                        .map(|(i, w)| (format!("t{i}"), w + 0.05))
                        .collect(),
                    criteria: BTreeMap::new(),
                }],
                evidence: vec![],
                monetisation: None,
            }
        })
}

/// The span of raw inputs worth trying for a number criterion (a little past its ends).
fn number_span(vf: &ValueFunctionDoc) -> (f64, f64) {
    match vf {
        ValueFunctionDoc::Linear { worst, best } => {
            let (a, b) = (worst.min(*best), worst.max(*best));
            (a - 0.2 * (b - a), b + 0.2 * (b - a))
        }
        ValueFunctionDoc::Piecewise { points } => {
            let (a, b) = (points[0][0], points[points.len() - 1][0]);
            (a - 0.2 * (b - a), b + 0.2 * (b - a))
        }
        ValueFunctionDoc::Log { best, .. } => (0.0, 1.3 * best),
        _ => (0.0, 0.0),
    }
}

/// A valid input for a criterion from a uniform draw `u` in [0, 1).
fn input_for(c: &CriterionDoc, u: f64) -> InputValue {
    match &c.value_function {
        ValueFunctionDoc::Likert { levels } => {
            InputValue::Number((1.0 + (u * f64::from(*levels)).floor()).min(f64::from(*levels)))
        }
        ValueFunctionDoc::Boolean => InputValue::Bool(u >= 0.5),
        ValueFunctionDoc::Category { options } => {
            let i = ((u * options.len() as f64) as usize).min(options.len() - 1);
            InputValue::Text(options[i].id.clone())
        }
        vf => {
            let (a, b) = number_span(vf);
            InputValue::Number(a + u * (b - a))
        }
    }
}

fn inputs_for(doc: &RubricDoc, draws: &[(f64, bool)]) -> Inputs {
    doc.criteria
        .iter()
        .zip(draws.iter().cycle())
        .filter(|(_, (_, missing))| !missing)
        .map(|(c, (u, _))| (c.id.clone(), input_for(c, *u)))
        .collect()
}

fn case() -> impl Strategy<Value = (RubricDoc, Vec<(f64, bool)>)> {
    (
        rubric_doc(),
        prop::collection::vec((0.0..1.0f64, prop::bool::weighted(0.15)), 12),
    )
}

/// Some criterion must be present for renormalise to have something to score.
fn scoreable(rubric: &Rubric, inputs: &Inputs) -> bool {
    rubric.score(inputs, None).is_ok()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn total_is_bounded_and_inside_its_interval((doc, draws) in case()) {
        let rubric = Rubric::compile(doc.clone()).unwrap();
        let inputs = inputs_for(&doc, &draws);
        prop_assume!(scoreable(&rubric, &inputs));
        for p in [None, Some("p")] {
            let s = rubric.score(&inputs, p).unwrap();
            prop_assert!((0.0..=100.0).contains(&s.total), "total {}", s.total);
            prop_assert!(s.interval.low <= s.total + 1e-9 && s.total <= s.interval.high + 1e-9);
            let sum: f64 = s.criteria.iter().map(|c| c.points).sum();
            prop_assert!((sum - s.total).abs() < 1e-9, "points {} vs total {}", sum, s.total);
            for row in &s.criteria {
                prop_assert!((0.0..=1.0).contains(&row.value));
                prop_assert!((row.points + row.available - 100.0 * row.weight).abs() < 1e-9);
            }
        }
    }

    #[test]
    fn raising_an_input_towards_its_best_never_lowers_the_total(
        (doc, draws) in case(), pick in any::<prop::sample::Index>(), step in 0.0..1.0f64,
    ) {
        let rubric = Rubric::compile(doc.clone()).unwrap();
        let mut inputs = inputs_for(&doc, &draws);
        prop_assume!(scoreable(&rubric, &inputs));
        let c = &doc.criteria[pick.index(doc.criteria.len())];
        let before = inputs.get(&c.id).cloned().unwrap_or(InputValue::Missing);
        let better = match (&c.value_function, &before) {
            (ValueFunctionDoc::Linear { worst, best }, InputValue::Number(x)) => {
                InputValue::Number(x + step * (best - worst))
            }
            (ValueFunctionDoc::Log { best, .. }, InputValue::Number(x)) => {
                InputValue::Number(x + step * best)
            }
            (ValueFunctionDoc::Likert { levels }, InputValue::Number(x)) => {
                InputValue::Number((x + 1.0).min(f64::from(*levels)))
            }
            (ValueFunctionDoc::Boolean, _) => InputValue::Bool(true),
            (ValueFunctionDoc::Category { options }, InputValue::Text(id)) => {
                let now = options.iter().find(|o| &o.id == id).unwrap().value;
                let best = options.iter().max_by(|a, b| a.value.total_cmp(&b.value)).unwrap();
                prop_assume!(best.value >= now);
                InputValue::Text(best.id.clone())
            }
            _ => return Ok(()), // piecewise values need not be monotone; missing stays missing
        };
        let t0 = rubric.score(&inputs, None).unwrap().total;
        inputs.insert(c.id.clone(), better);
        let t1 = rubric.score(&inputs, None).unwrap().total;
        prop_assert!(t1 >= t0 - 1e-9, "{} fell from {} to {}", c.id, t0, t1);
    }

    #[test]
    fn scaling_every_weight_leaves_the_total_unchanged(
        (doc, draws) in case(), scale in 0.01..100.0f64,
    ) {
        let rubric = Rubric::compile(doc.clone()).unwrap();
        let inputs = inputs_for(&doc, &draws);
        prop_assume!(scoreable(&rubric, &inputs));
        let mut scaled = doc.clone();
        for t in &mut scaled.themes { t.weight *= scale; }
        for c in &mut scaled.criteria { c.weight *= scale; }
        for p in &mut scaled.perspectives { for w in p.themes.values_mut() { *w *= scale; } }
        let scaled = Rubric::compile(scaled).unwrap();
        for p in [None, Some("p")] {
            let a = rubric.score(&inputs, p).unwrap();
            let b = scaled.score(&inputs, p).unwrap();
            assert_abs_diff_eq!(a.total, b.total, epsilon = 1e-9);
            assert_abs_diff_eq!(a.interval.low, b.interval.low, epsilon = 1e-9);
            assert_abs_diff_eq!(a.interval.high, b.interval.high, epsilon = 1e-9);
        }
    }

    #[test]
    fn reordering_criteria_or_themes_leaves_the_total_unchanged(
        (doc, draws) in case(), rotate in 0usize..10,
    ) {
        let rubric = Rubric::compile(doc.clone()).unwrap();
        let inputs = inputs_for(&doc, &draws);
        prop_assume!(scoreable(&rubric, &inputs));
        let mut reordered = doc.clone();
        reordered.criteria.reverse();
        let n = reordered.criteria.len();
        reordered.criteria.rotate_left(rotate % n);
        reordered.themes.reverse();
        let reordered = Rubric::compile(reordered).unwrap();
        for p in [None, Some("p")] {
            let a = rubric.score(&inputs, p).unwrap();
            let b = reordered.score(&inputs, p).unwrap();
            assert_abs_diff_eq!(a.total, b.total, epsilon = 1e-9);
            assert_abs_diff_eq!(a.interval.low, b.interval.low, epsilon = 1e-9);
            assert_abs_diff_eq!(a.interval.high, b.interval.high, epsilon = 1e-9);
        }
    }

    #[test]
    fn a_point_inside_a_range_scores_inside_its_interval(
        (doc, draws) in case(), pick in any::<prop::sample::Index>(),
        width in 0.0..1.0f64, at in 0.0..=1.0f64,
    ) {
        let rubric = Rubric::compile(doc.clone()).unwrap();
        let mut inputs = inputs_for(&doc, &draws);
        prop_assume!(scoreable(&rubric, &inputs));
        // The first number criterion from a random starting point (ranges are for numbers).
        let n = doc.criteria.len();
        let start = pick.index(n);
        let Some(c) = (0..n)
            .map(|k| &doc.criteria[(start + k) % n])
            .find(|c| { let (a, b) = number_span(&c.value_function); b > a })
        else {
            return Ok(());
        };
        let (a, b) = number_span(&c.value_function);
        let low = a + (1.0 - width) * 0.5 * (b - a) * draws[0].0;
        let high = low + width * (b - low);
        inputs.insert(c.id.clone(), InputValue::Range { low, high });
        let ranged = rubric.score(&inputs, None).unwrap();
        let point = low + at * (high - low);
        inputs.insert(c.id.clone(), InputValue::Number(point));
        let s = rubric.score(&inputs, None).unwrap();
        prop_assert!(ranged.interval.low - 1e-9 <= s.total && s.total <= ranged.interval.high + 1e-9,
            "{} at {} scored {} outside [{}, {}]", c.id, point, s.total, ranged.interval.low, ranged.interval.high);
    }

    #[test]
    fn serde_round_trips_keep_fingerprint_and_scores((doc, draws) in case()) {
        let rubric = Rubric::compile(doc.clone()).unwrap();
        let via_json = Rubric::from_json(&rubric.to_json()).unwrap();
        let via_toml = Rubric::from_toml(&rubric.to_toml().unwrap()).unwrap();
        prop_assert_eq!(via_json.fingerprint(), rubric.fingerprint());
        prop_assert_eq!(via_toml.fingerprint(), rubric.fingerprint());
        let inputs = inputs_for(&doc, &draws);
        let back = Inputs::from_json(&serde_json::to_string(&inputs).unwrap()).unwrap();
        prop_assert_eq!(&back, &inputs);
        match (rubric.score(&inputs, None), via_toml.score(&back, None)) {
            (Ok(a), Ok(b)) => prop_assert_eq!(a.total.to_bits(), b.total.to_bits()),
            (Err(a), Err(b)) => prop_assert_eq!(a, b),
            _ => prop_assert!(false, "round trip changed the outcome"),
        }
    }

    #[test]
    fn batch_total_equals_score_total((doc, draws) in case()) {
        let rubric = Rubric::compile(doc.clone()).unwrap();
        let inputs = inputs_for(&doc, &draws);
        let columns: Vec<&str> = doc.criteria.iter().map(|c| c.id.as_str()).collect();
        let row: Vec<f64> = doc.criteria.iter().map(|c| match inputs.get(&c.id) {
            Some(InputValue::Number(x)) => *x,
            Some(InputValue::Bool(b)) => f64::from(u8::from(*b)),
            Some(InputValue::Text(id)) => rubric.criterion(&c.id).unwrap().option_index(id).unwrap() as f64,
            _ => f64::NAN,
        }).collect();
        let batch = rubric.batch(&columns, Some("p")).unwrap();
        let full = rubric.score(&inputs, Some("p"));
        match (batch.total(&row), &full) {
            (Ok(a), Ok(b)) => prop_assert_eq!(a.to_bits(), b.total.to_bits()),
            (Err(a), Err(b)) => prop_assert_eq!(a.code(), b.code()),
            (a, b) => prop_assert!(false, "batch {:?} vs score {:?}", a, b.as_ref().map(|s| s.total)),
        }
        // score_row gives the same total, interval and points, to the bit.
        let mut points = vec![0.0; doc.criteria.len()];
        match (batch.score_row(&row, &row, &mut points), &full) {
            (Ok(r), Ok(s)) => {
                prop_assert_eq!(r.total.to_bits(), s.total.to_bits());
                prop_assert_eq!(r.low.to_bits(), s.interval.low.to_bits());
                prop_assert_eq!(r.high.to_bits(), s.interval.high.to_bits());
                prop_assert_eq!(r.knocked_out, s.knocked_out);
                for (p, c) in points.iter().zip(&s.criteria) {
                    prop_assert_eq!(p.to_bits(), c.points.to_bits(), "{}", c.id);
                }
            }
            (Err(a), Err(b)) => prop_assert_eq!(a.code(), b.code()),
            (a, b) => prop_assert!(false, "score_row {:?} vs score {:?}", a, b.as_ref().map(|s| s.total)),
        }
        // And the matrix path, one row.
        let mut out = [0.0];
        if let (Ok(()), Ok(s)) = (batch.totals(&row, &mut out), &full) {
            prop_assert_eq!(out[0].to_bits(), s.total.to_bits());
        }
    }

    #[test]
    fn arbitrary_inputs_never_panic(
        values in prop::collection::vec(
            prop_oneof![
                any::<f64>().prop_map(InputValue::Number),
                (any::<f64>(), any::<f64>()).prop_map(|(low, high)| InputValue::Range { low, high }),
                any::<bool>().prop_map(InputValue::Bool),
                "[a-z_]{0,12}".prop_map(InputValue::Text),
                (any::<f64>(), "[a-z]{0,9}").prop_map(|(value, evidence)| InputValue::Graded { value, evidence }),
                Just(InputValue::Missing),
            ],
            12,
        ),
        extra in prop::option::of("[a-z_]{1,12}"),
        perspective in prop::option::of(prop_oneof![Just("residents".to_owned()), "[a-z]{1,8}"]),
    ) {
        let rubric = Rubric::builtin();
        let mut inputs: Inputs = rubric.criteria().iter().map(|c| c.id().to_owned()).zip(values.clone()).collect();
        if let Some(e) = extra { inputs.insert(e, 1.0); }
        match rubric.score(&inputs, perspective.as_deref()) {
            Ok(s) => prop_assert!((0.0..=100.0).contains(&s.total)),
            Err(e) => {
                prop_assert!(e.code().starts_with("input."));
                prop_assert!(!e.message().is_empty());
            }
        }
        let columns: Vec<&str> = rubric.criteria().iter().map(|c| c.id()).collect();
        let row: Vec<f64> = values.iter().map(|v| match v { InputValue::Number(x) => *x, _ => f64::NAN }).collect();
        let _ = rubric.batch(&columns, None).unwrap().total(&row);
    }

    #[test]
    fn arbitrary_documents_never_panic(text in "\\PC{0,400}", json in any::<Vec<u8>>()) {
        let _ = Rubric::from_json(&text);
        let _ = Rubric::from_toml(&text);
        let _ = Inputs::from_json(&text);
        let _ = Rubric::from_json(&String::from_utf8_lossy(&json));
    }

    #[test]
    fn mutated_valid_rubrics_never_panic(
        (doc, _) in case(), field in 0usize..6, value in prop_oneof![
            any::<f64>(), Just(f64::NAN), Just(f64::INFINITY), Just(-1.0), Just(0.0), Just(1e300)],
    ) {
        let mut v = serde_json::to_value(&doc).unwrap();
        let target = match field {
            0 => "/themes/0/weight", 1 => "/criteria/0/weight", 2 => "/criteria/0/value_function/best",
            3 => "/criteria/0/value_function/worst", 4 => "/criteria/0/value_function/scale",
            _ => "/perspectives/0/themes/t0",
        };
        if let Some(slot) = v.pointer_mut(target) {
            *slot = serde_json::Value::from(value);
        }
        // TOML can carry NaN and infinities where JSON cannot.
        let toml = Rubric::compile(RubricDoc::from_value(v.clone()).unwrap_or(doc.clone()))
            .ok()
            .and_then(|r| r.to_toml().ok());
        let _ = Rubric::from_json(&v.to_string());
        if let Some(t) = toml { let _ = Rubric::from_toml(&t); }
        let mut d = doc.clone();
        d.criteria[0].weight = value;
        d.themes[0].weight = value;
        if let Ok(r) = Rubric::compile(d) {
            let _ = r.score(&Inputs::new(), None);
        }
    }
}
