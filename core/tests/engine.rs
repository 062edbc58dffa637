//! Hand-derived checks of scoring, policies, knock-outs, bands, intervals, loading and
//! every kind of bad input from the design. The arithmetic is in the comments.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use approx::assert_relative_eq;
use civic_value::{
    ErrorCategory, Flag, InputKind, InputValue, Inputs, MAX_RUBRIC_TEXT_BYTES, Rubric, RubricDoc,
};

/// A two-theme rubric: t1 (weight 3) holds a (linear 0..10) and b (Likert 5), t2 (weight 1)
/// holds c (boolean). Shares: a 0.375, b 0.375, c 0.25.
const SMALL: &str = r#"{
  "id": "small", "version": "1",
  "themes": [{"id": "t1", "weight": 3}, {"id": "t2", "weight": 1}],
  "criteria": [
    {"id": "a", "theme": "t1", "weight": 1, "min": 0, "value_function": {"type": "linear", "worst": 0, "best": 10}},
    {"id": "b", "theme": "t1", "weight": 1, "value_function": {"type": "likert", "levels": 5}},
    {"id": "c", "theme": "t2", "weight": 1, "value_function": {"type": "boolean"}, "knockout": {"required": true}}
  ],
  "bands": [{"id": "high", "min": 60}, {"id": "mid", "min": 40}, {"id": "low", "min": 0}],
  "perspectives": [{"id": "flat", "themes": {"t1": 1}}]
}"#;

fn small() -> Rubric {
    Rubric::from_json(SMALL).unwrap()
}

fn with_policy(policy: &str) -> Rubric {
    let mut v: serde_json::Value = serde_json::from_str(SMALL).unwrap();
    v["missing"] = policy.into();
    Rubric::from_json(&v.to_string()).unwrap()
}

#[test]
fn weighted_sum_by_hand() {
    // a = 4 → 0.4, b = 3 → (3 − 1)/4 = 0.5, c = true → 1.
    // Total = 100·(0.375·0.4 + 0.375·0.5 + 0.25·1) = 100·(0.15 + 0.1875 + 0.25) = 58.75.
    let s = small()
        .score(
            &Inputs::new().with("a", 4.0).with("b", 3.0).with("c", true),
            None,
        )
        .unwrap();
    assert_relative_eq!(s.total, 58.75, epsilon = 1e-12);
    assert_relative_eq!(s.criteria[0].points, 15.0, epsilon = 1e-12);
    assert_relative_eq!(s.criteria[1].points, 18.75, epsilon = 1e-12);
    assert_relative_eq!(s.criteria[2].points, 25.0, epsilon = 1e-12);
    // Points still available: 100·0.375·(1 − 0.4) = 22.5 and 100·0.375·0.5 = 18.75.
    assert_relative_eq!(s.criteria[0].available, 22.5, epsilon = 1e-12);
    assert_relative_eq!(s.criteria[1].available, 18.75, epsilon = 1e-12);
    // Theme t1 = 15 + 18.75 = 33.75 of its 37.5 + 37.5 = 75 weight-points.
    assert_relative_eq!(s.themes[0].points, 33.75, epsilon = 1e-12);
    assert_relative_eq!(s.themes[0].weight, 0.75, epsilon = 1e-12);
    // 58.75 ≥ 40 and < 60 → mid.
    assert_eq!(s.band.as_deref(), Some("mid"));
    assert!(!s.knocked_out);
    assert_eq!(s.rubric.fingerprint, small().fingerprint());
    assert_eq!(s.interval.low, s.total);
    assert_eq!(s.interval.high, s.total);
}

#[test]
fn perspective_by_hand() {
    // flat: t1 weight 1, t2 weight 1 → a 0.25, b 0.25, c 0.5.
    // Total = 100·(0.25·0.4 + 0.25·0.5 + 0.5·1) = 72.5 → high.
    let s = small()
        .score(
            &Inputs::new().with("a", 4.0).with("b", 3.0).with("c", true),
            Some("flat"),
        )
        .unwrap();
    assert_relative_eq!(s.total, 72.5, epsilon = 1e-12);
    assert_eq!(s.band.as_deref(), Some("high"));
    assert_eq!(s.perspective.as_deref(), Some("flat"));
    let e = small().score(&Inputs::new(), Some("nobody")).unwrap_err();
    assert_eq!(
        (e.code(), e.path()),
        ("input.unknown_perspective", "perspective")
    );
}

#[test]
fn weighted_product_by_hand() {
    // Same inputs, weighted_product: 100 · 0.4^0.375 · 0.5^0.375 · 1^0.25
    // = 100 · 0.2^0.375 = 100 · e^(0.375·ln 0.2) = 100 · e^(−0.603535…) = 54.6875… ;
    // 0.2^0.375 = 0.546889574… (0.2^3 = 0.008, eighth root of 0.008 = 0.5468895…).
    let mut v: serde_json::Value = serde_json::from_str(SMALL).unwrap();
    v["aggregation"] = "weighted_product".into();
    let r = Rubric::from_json(&v.to_string()).unwrap();
    let s = r
        .score(
            &Inputs::new().with("a", 4.0).with("b", 3.0).with("c", true),
            None,
        )
        .unwrap();
    assert_relative_eq!(s.total, 100.0 * 0.008f64.powf(0.125), epsilon = 1e-12);
    let sum: f64 = s.criteria.iter().map(|c| c.points).sum();
    assert_relative_eq!(sum, s.total, epsilon = 1e-9);
    // a and b lose ln 0.4 : ln 0.5 of the gap; c (value 1) loses nothing.
    assert_relative_eq!(s.criteria[2].points, 25.0, epsilon = 1e-12);
    let ratio = s.criteria[0].available / s.criteria[1].available;
    assert_relative_eq!(ratio, 0.4f64.ln() / 0.5f64.ln(), epsilon = 1e-12);
}

#[test]
fn missing_policies_by_hand() {
    let inputs = Inputs::new().with("a", 4.0).with("c", true);
    // error (default): b is missing.
    let e = small().score(&inputs, None).unwrap_err();
    assert_eq!((e.code(), e.path()), ("input.missing", "input.b"));
    assert_eq!(e.category(), ErrorCategory::Input);
    // zero: b → 0. Total = 100·(0.375·0.4 + 0 + 0.25) = 40.
    let s = with_policy("zero").score(&inputs, None).unwrap();
    assert_relative_eq!(s.total, 40.0, epsilon = 1e-12);
    assert_eq!(s.criteria[1].flags, vec![Flag::Missing]);
    assert_relative_eq!(s.criteria[1].available, 37.5, epsilon = 1e-12);
    // renormalise: b dropped, remaining shares 0.375 and 0.25 sum to 0.625.
    // Total = 100·(0.375·0.4 + 0.25·1)/0.625 = 100·0.4/0.625 = 64.
    let s = with_policy("renormalise").score(&inputs, None).unwrap();
    assert_relative_eq!(s.total, 64.0, epsilon = 1e-12);
    assert_eq!(s.criteria[1].flags, vec![Flag::Missing, Flag::Renormalised]);
    assert_eq!(s.criteria[0].flags, vec![Flag::Renormalised]);
    assert_relative_eq!(s.criteria[0].weight, 0.6, epsilon = 1e-12); // 0.375/0.625
    assert_relative_eq!(s.criteria[1].weight, 0.0);
    // Everything missing under renormalise: nothing to score.
    let e = with_policy("renormalise")
        .score(&Inputs::new(), None)
        .unwrap_err();
    assert_eq!(e.code(), "input.nothing_to_score");
    // An explicit null is missing too.
    let s = with_policy("zero")
        .score(&Inputs::new().with("a", InputValue::Missing), None)
        .unwrap();
    assert_relative_eq!(s.total, 0.0);
}

#[test]
fn knockouts() {
    // c is required to be true.
    let s = small()
        .score(
            &Inputs::new()
                .with("a", 10.0)
                .with("b", 5.0)
                .with("c", false),
            None,
        )
        .unwrap();
    // Total = 100·(0.375 + 0.375 + 0) = 75: high band, but knocked out.
    assert_relative_eq!(s.total, 75.0, epsilon = 1e-12);
    assert!(s.knocked_out);
    assert_eq!(s.knockouts[0].criterion, "c");
    assert_eq!(s.knockouts[0].rule, "= true");
    assert!(s.criteria[2].flags.contains(&Flag::KnockedOut));
    // Missing under the zero policy fails the knock-out too.
    let s = with_policy("zero")
        .score(&Inputs::new().with("a", 1.0).with("b", 1.0), None)
        .unwrap();
    assert!(s.knocked_out);
}

#[test]
fn builtin_knockout_on_support() {
    let r = Rubric::builtin();
    for (support, knocked) in [(49.9, true), (50.0, false), (72.0, false)] {
        let s = r
            .score(&Inputs::new().with("support_share", support), None)
            .unwrap();
        assert_eq!(s.knocked_out, knocked, "support {support}");
    }
}

#[test]
fn intervals_are_exact() {
    // a as the range [2, 8]: total at the midpoint 5 → 0.5; interval from a = 0.2 … 0.8.
    // b = 3 → 0.5, c = true. Low = 100·(0.375·0.2 + 0.1875 + 0.25) = 51.25,
    // total = 100·(0.1875 + 0.1875 + 0.25) = 62.5, high = 100·(0.3 + 0.1875 + 0.25) = 73.75.
    let s = small()
        .score(
            &Inputs::new()
                .with("a", (2.0, 8.0))
                .with("b", 3.0)
                .with("c", true),
            None,
        )
        .unwrap();
    assert_relative_eq!(s.interval.low, 51.25, epsilon = 1e-12);
    assert_relative_eq!(s.total, 62.5, epsilon = 1e-12);
    assert_relative_eq!(s.interval.high, 73.75, epsilon = 1e-12);
    let row = s.criteria[0].interval.unwrap();
    assert_relative_eq!(row.low, 7.5, epsilon = 1e-12); // 100·0.375·0.2
    assert_relative_eq!(row.high, 30.0, epsilon = 1e-12); // 100·0.375·0.8
    assert!(s.criteria[0].flags.contains(&Flag::Ranged));
}

#[test]
fn bands_cover_every_total() {
    let r = small();
    assert_eq!(r.band_for(100.0).unwrap().id(), "high");
    assert_eq!(r.band_for(60.0).unwrap().id(), "high");
    assert_eq!(r.band_for(59.999).unwrap().id(), "mid");
    assert_eq!(r.band_for(0.0).unwrap().id(), "low");
}

#[test]
fn builtin_rubric_shape() {
    let r = Rubric::builtin();
    assert_eq!(r.criteria().len(), 12);
    assert_eq!(r.themes().len(), 5);
    let ids: Vec<&str> = r.perspectives().iter().map(|p| p.id()).collect();
    assert_eq!(ids, ["municipality", "residents", "initiators"]);
    assert!(r.criteria().iter().any(|c| c.knockout().is_some()));
    for c in r.criteria() {
        assert_ne!(c.label("nl"), c.id(), "{} lacks a Dutch label", c.id());
        assert_ne!(c.label("en"), c.id(), "{} lacks an English label", c.id());
        assert_ne!(c.label("nl"), c.label("en"));
    }
    let kinds: Vec<InputKind> = r.criteria().iter().map(|c| c.kind()).collect();
    for k in ["number", "likert", "boolean", "category"] {
        assert!(kinds.iter().any(|x| x.as_str() == k), "no {k} criterion");
    }
    // Effective weights sum to 1 under every weight set.
    for p in [
        None,
        Some("municipality"),
        Some("residents"),
        Some("initiators"),
    ] {
        let sum: f64 = r.effective_weights(p).unwrap().iter().sum();
        assert_relative_eq!(sum, 1.0, epsilon = 1e-12);
    }
    assert!(r.description("en").contains("not an official"));
}

#[test]
fn fingerprint_ignores_format_and_key_order() {
    let a = Rubric::from_json(SMALL).unwrap();
    // The same rubric with keys in another order and numbers written differently.
    let reordered = r#"{
      "version": "1", "id": "small",
      "criteria": [
        {"value_function": {"best": 10.0, "worst": 0, "type": "linear"}, "min": 0.0, "weight": 1, "theme": "t1", "id": "a"},
        {"weight": 1.0, "value_function": {"levels": 5, "type": "likert"}, "theme": "t1", "id": "b"},
        {"knockout": {"required": true}, "value_function": {"type": "boolean"}, "weight": 1, "theme": "t2", "id": "c"}
      ],
      "perspectives": [{"themes": {"t1": 1}, "id": "flat"}],
      "themes": [{"weight": 3, "id": "t1"}, {"id": "t2", "weight": 1.0}],
      "bands": [{"min": 60, "id": "high"}, {"id": "mid", "min": 40}, {"id": "low", "min": 0}],
      "aggregation": "weighted_sum"
    }"#;
    let b = Rubric::from_json(reordered).unwrap();
    assert_eq!(a.fingerprint(), b.fingerprint());
    assert_eq!(a, b);
    let c = Rubric::from_toml(&a.to_toml().unwrap()).unwrap();
    assert_eq!(a.fingerprint(), c.fingerprint());
    // The built-in rubric (written in TOML) printed as JSON and read back.
    let d = Rubric::builtin();
    assert_eq!(
        Rubric::from_json(&d.to_json()).unwrap().fingerprint(),
        d.fingerprint()
    );
    // Any change changes the fingerprint.
    let changed = SMALL.replace(r#""weight": 3"#, r#""weight": 4"#);
    assert_ne!(
        Rubric::from_json(&changed).unwrap().fingerprint(),
        a.fingerprint()
    );
    assert_eq!(a.fingerprint().len(), 64);
}

/// Load a rubric that is SMALL with one JSON pointer replaced, expecting an error.
fn bad_rubric(pointer: &str, value: serde_json::Value) -> civic_value::Error {
    let mut v: serde_json::Value = serde_json::from_str(SMALL).unwrap();
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let parent = if parent.is_empty() {
        &mut v
    } else {
        v.pointer_mut(parent).unwrap()
    };
    match parent {
        serde_json::Value::Object(map) => {
            map.insert(key.to_owned(), value);
        }
        other => other[key.parse::<usize>().unwrap()] = value,
    }
    Rubric::from_json(&v.to_string()).unwrap_err()
}

#[test]
fn bad_rubrics_name_the_field() {
    use serde_json::json;
    let cases = [
        (
            "/criteria/0/value_function/best",
            json!(0),
            "rubric.best_equals_worst",
            "criteria[0].value_function.best",
        ),
        (
            "/criteria/1/id",
            json!("a"),
            "rubric.duplicate_id",
            "criteria[1].id",
        ),
        (
            "/criteria/1/id",
            json!("no spaces"),
            "rubric.invalid_id",
            "criteria[1].id",
        ),
        (
            "/criteria/0/weight",
            json!(-2),
            "rubric.negative_weight",
            "criteria[0].weight",
        ),
        (
            "/criteria/0/weight",
            json!("x"),
            "rubric.parse",
            "criteria[0].weight",
        ),
        (
            "/criteria/0/theme",
            json!("t9"),
            "rubric.unknown_reference",
            "criteria[0].theme",
        ),
        (
            "/criteria/1/value_function/levels",
            json!(1),
            "rubric.out_of_bounds",
            "criteria[1].value_function.levels",
        ),
        (
            "/criteria/1/min",
            json!(0),
            "rubric.not_applicable",
            "criteria[1].min",
        ),
        (
            "/criteria/0/max",
            json!(-1),
            "rubric.limits_inverted",
            "criteria[0].max",
        ),
        (
            "/criteria/0/knockout",
            json!({"required": true}),
            "rubric.knockout_mismatch",
            "criteria[0].knockout",
        ),
        (
            "/criteria/0/default",
            json!(-3),
            "rubric.invalid_default",
            "criteria[0].default",
        ),
        (
            "/criteria/2/default",
            json!("yes"),
            "rubric.invalid_default",
            "criteria[2].default",
        ),
        (
            "/criteria/2/theme",
            json!("t1"),
            "rubric.empty_theme",
            "themes[1]",
        ),
        ("/themes", json!([]), "rubric.empty", "themes"),
        ("/criteria", json!([]), "rubric.empty", "criteria"),
        (
            "/bands/1/min",
            json!(70),
            "rubric.bands_order",
            "bands[1].min",
        ),
        (
            "/bands/2/min",
            json!(10),
            "rubric.bands_incomplete",
            "bands[2].min",
        ),
        (
            "/bands/0/min",
            json!(101),
            "rubric.out_of_bounds",
            "bands[0].min",
        ),
        (
            "/perspectives/0/themes",
            json!({"nope": 1}),
            "rubric.unknown_reference",
            "perspectives[0].themes.nope",
        ),
        (
            "/perspectives/0/themes",
            json!({"t1": 0, "t2": 0}),
            "rubric.zero_weights",
            "perspectives[0].themes",
        ),
        (
            "/perspectives/0/id",
            json!(""),
            "rubric.invalid_id",
            "perspectives[0].id",
        ),
        ("/id", json!("1abc"), "rubric.invalid_id", "id"),
        ("/version", json!(" "), "rubric.empty", "version"),
        (
            "/criteria/0/value_function",
            json!({"type": "piecewise", "points": [[0, 0]]}),
            "rubric.too_few",
            "criteria[0].value_function.points",
        ),
        (
            "/criteria/0/value_function",
            json!({"type": "log", "best": 10, "scale": 0}),
            "rubric.not_positive",
            "criteria[0].value_function.scale",
        ),
        (
            "/criteria/0/value_function",
            json!({"type": "category", "options": []}),
            "rubric.empty",
            "criteria[0].value_function.options",
        ),
        (
            "/criteria/0/value_function",
            json!({"type": "cubic"}),
            "rubric.parse",
            "criteria[0].value_function.type",
        ),
        (
            "/criteria/0/value_function/best",
            json!(1e300),
            "rubric.out_of_bounds",
            "criteria[0].value_function.best",
        ),
    ];
    for (pointer, value, code, path) in cases {
        let e = bad_rubric(pointer, value.clone());
        assert_eq!(
            (e.code(), e.path()),
            (code, path),
            "{pointer} = {value}: {e}"
        );
        assert_eq!(e.category(), ErrorCategory::Rubric);
        assert!(e.to_string().starts_with(path), "{e}");
    }
    // With only theme t2 left weighted... all-zero theme weights:
    let mut v: serde_json::Value = serde_json::from_str(SMALL).unwrap();
    v["themes"][0]["weight"] = 0.into();
    v["themes"][1]["weight"] = 0.into();
    let e = Rubric::from_json(&v.to_string()).unwrap_err();
    assert_eq!((e.code(), e.path()), ("rubric.zero_weights", "themes"));
}

#[test]
fn validate_lists_every_error() {
    let mut v: serde_json::Value = serde_json::from_str(SMALL).unwrap();
    v["criteria"][0]["weight"] = (-1).into();
    v["criteria"][1]["value_function"]["levels"] = 0.into();
    v["bands"][2]["min"] = 5.into();
    let doc = RubricDoc::from_value(v).unwrap();
    let errors = Rubric::compile(doc).unwrap_err().0;
    let paths: Vec<&str> = errors.iter().map(|e| e.path()).collect();
    assert_eq!(
        paths,
        [
            "criteria[0].weight",
            "criteria[1].value_function.levels",
            "bands[2].min"
        ]
    );
}

#[test]
fn malformed_and_huge_documents() {
    assert_eq!(Rubric::from_json("{").unwrap_err().code(), "rubric.parse");
    assert_eq!(Rubric::from_json("[]").unwrap_err().code(), "rubric.parse");
    // Whole-document errors have an empty path; a struct written as an array is refused.
    for text in ["{", "[1]", ""] {
        let e = Rubric::from_json(text).unwrap_err();
        assert_eq!((e.code(), e.path()), ("rubric.parse", ""), "{text:?}: {e}");
    }
    assert_eq!(
        RubricDoc::from_value(serde_json::json!([1]))
            .unwrap_err()
            .path(),
        ""
    );
    let e = Rubric::from_json(r#"{"id": "x", "themes": [{"id": "t", "weight": "#).unwrap_err();
    assert_eq!(e.path(), "themes[0].weight", "{e}");
    assert_eq!(
        Rubric::from_toml("id = ").unwrap_err().code(),
        "rubric.parse"
    );
    // TOML errors are one line, with the position and the field path.
    let e = Rubric::from_toml(
        "id = \"x\"\nversion = \"1\"\n[[themes]]\nid = \"t\"\nweight = 1\n\n[[criteria]]\nid = \"a\"\nweigth = 1\n",
    )
    .unwrap_err();
    assert_eq!(e.path(), "criteria[0].weigth");
    assert!(
        e.message()
            .starts_with("invalid TOML: line 9, column 1: unknown field `weigth`"),
        "{e}"
    );
    assert!(!e.message().contains('\n'));
    let huge = format!("{{\"id\": \"{}\"}}", "x".repeat(MAX_RUBRIC_TEXT_BYTES));
    assert_eq!(
        Rubric::from_json(&huge).unwrap_err().code(),
        "rubric.too_large"
    );
    // Deep nesting is refused by the parser, not by a stack overflow.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(Rubric::from_json(&deep).unwrap_err().code(), "rubric.parse");
    let deep_toml = format!("x = {}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert_eq!(
        Rubric::from_toml(&deep_toml).unwrap_err().code(),
        "rubric.parse"
    );
}

#[test]
fn bad_inputs_name_the_field() {
    let r = small();
    let base = || Inputs::new().with("a", 1.0).with("b", 1.0).with("c", true);
    let cases: Vec<(&str, InputValue, &str)> = vec![
        ("a", InputValue::Number(f64::NAN), "input.not_finite"),
        ("a", InputValue::Number(f64::INFINITY), "input.not_finite"),
        (
            "a",
            InputValue::Number(f64::NEG_INFINITY),
            "input.not_finite",
        ),
        (
            "a",
            InputValue::Range {
                low: 1.0,
                high: f64::NAN,
            },
            "input.not_finite",
        ),
        ("a", InputValue::Number(-1.0), "input.below_min"),
        ("a", InputValue::Text("lots".into()), "input.not_a_number"),
        ("a", InputValue::Bool(true), "input.not_a_number"),
        (
            "a",
            InputValue::Range {
                low: 5.0,
                high: 1.0,
            },
            "input.range_inverted",
        ),
        (
            "a",
            InputValue::Graded {
                value: 5.0,
                evidence: "rumour".into(),
            },
            "input.unknown_evidence",
        ),
        ("b", InputValue::Number(0.0), "input.likert_out_of_range"),
        ("b", InputValue::Number(6.0), "input.likert_out_of_range"),
        ("b", InputValue::Number(2.5), "input.likert_out_of_range"),
        (
            "b",
            InputValue::Range {
                low: 1.0,
                high: 2.0,
            },
            "input.range_not_allowed",
        ),
        ("c", InputValue::Number(1.0), "input.not_a_boolean"),
        ("c", InputValue::Text("yes".into()), "input.not_a_boolean"),
        ("zzz", InputValue::Number(1.0), "input.unknown_criterion"),
    ];
    for (id, value, code) in cases {
        let e = r.score(&base().with(id, value.clone()), None).unwrap_err();
        assert_eq!(e.code(), code, "{id} = {value:?}: {e}");
        assert_eq!(e.path(), format!("input.{id}"));
    }
    let e = r
        .score(&base().with("a", "lots"), None)
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        r#"input.a: expected a number or [low, high], got "lots""#
    );
    let e = r
        .score(&base().with("b", 7.0), None)
        .unwrap_err()
        .to_string();
    assert_eq!(e, "input.b: expected a whole number from 1 to 5, got 7");
}

#[test]
fn unknown_inputs_can_warn() {
    let mut v: serde_json::Value = serde_json::from_str(SMALL).unwrap();
    v["unknown_inputs"] = "warn".into();
    let r = Rubric::from_json(&v.to_string()).unwrap();
    let s = r
        .score(
            &Inputs::new()
                .with("a", 1.0)
                .with("b", 1.0)
                .with("c", true)
                .with("typo", 3.0),
            None,
        )
        .unwrap();
    assert_eq!(s.warnings.len(), 1);
    assert_eq!(s.warnings[0].path, "input.typo");
    assert_eq!(s.warnings[0].code, "input.unknown_criterion");
}

#[test]
fn category_and_text_parsing() {
    let r = Rubric::builtin();
    let c = r.criterion("inclusion").unwrap();
    assert_eq!(c.option_index("one_group"), Some(1));
    let e = r
        .score(&Inputs::new().with("inclusion", "everyone"), None)
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        r#"input.inclusion: expected one of "none", "one_group", "several_groups", got "everyone""#
    );
    let hours = r.criterion("volunteer_hours").unwrap();
    assert_eq!(hours.parse_text(" 12 "), InputValue::Number(12.0));
    assert_eq!(
        hours.parse_text("10..20"),
        InputValue::Range {
            low: 10.0,
            high: 20.0
        }
    );
    assert_eq!(hours.parse_text(""), InputValue::Missing);
    assert_eq!(hours.parse_text("lots"), InputValue::Text("lots".into()));
    let permit = r.criterion("permit_secured").unwrap();
    assert_eq!(permit.parse_text("ja"), InputValue::Bool(true));
    assert_eq!(permit.parse_text("No"), InputValue::Bool(false));
}

#[test]
fn batch_matches_score_to_the_bit() {
    let r = Rubric::builtin();
    let columns: Vec<&str> = r.criteria().iter().map(|c| c.id()).rev().collect();
    let batch = r.batch(&columns, Some("residents")).unwrap();
    // Row in reversed column order: cofunding 35, contribution 180000, permit 1, maturity 4,
    // partners 5, support 72, reached 12000, biodiversity 4, green 18000, inclusion 2
    // (several_groups), contact 4, hours 3000.
    let row = [
        35.0, 180_000.0, 1.0, 4.0, 5.0, 72.0, 12_000.0, 4.0, 18_000.0, 2.0, 4.0, 3000.0,
    ];
    let inputs = Inputs::new()
        .with("cofunding_share", 35.0)
        .with("municipal_contribution", 180_000.0)
        .with("permit_secured", true)
        .with("plan_maturity", 4.0)
        .with("partners", 5.0)
        .with("support_share", 72.0)
        .with("residents_reached", 12_000.0)
        .with("biodiversity", 4.0)
        .with("green_area_m2", 18_000.0)
        .with("inclusion", "several_groups")
        .with("neighbour_contact", 4.0)
        .with("volunteer_hours", 3000.0);
    let full = r.score(&inputs, Some("residents")).unwrap();
    assert_eq!(batch.total(&row).unwrap().to_bits(), full.total.to_bits());
    // Ranges and points through score_row.
    let mut high = row;
    high[11] = 4000.0;
    let mut low = row;
    low[11] = 2000.0;
    let mut points = vec![0.0; 12];
    let rs = batch.score_row(&low, &high, &mut points).unwrap();
    let full = r
        .score(
            &inputs.clone().with("volunteer_hours", (2000.0, 4000.0)),
            Some("residents"),
        )
        .unwrap();
    assert_eq!(rs.total.to_bits(), full.total.to_bits());
    assert_eq!(rs.low.to_bits(), full.interval.low.to_bits());
    assert_eq!(rs.high.to_bits(), full.interval.high.to_bits());
    for (p, row) in points.iter().zip(&full.criteria) {
        assert_eq!(p.to_bits(), row.points.to_bits(), "{}", row.id);
    }
    // Errors carry the row.
    let mut data = row.to_vec();
    data.extend_from_slice(&row);
    data[12 + 6] = -5.0; // residents_reached of row 1
    let mut out = vec![0.0; 2];
    let e = batch.totals(&data, &mut out).unwrap_err();
    assert_eq!(e.path(), "rows[1].input.residents_reached");
    assert_eq!(e.code(), "input.below_min");
    let e = batch.totals(&data[..5], &mut out).unwrap_err();
    assert_eq!(e.code(), "input.shape");
    // Unknown and duplicate columns.
    assert_eq!(
        r.batch(&["nope"], None).unwrap_err().code(),
        "input.unknown_criterion"
    );
    assert_eq!(
        r.batch(&["partners", "partners"], None).unwrap_err().code(),
        "input.duplicate_column"
    );
}

#[test]
fn rubric_is_send_sync_and_shared() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Rubric>();
    assert_send_sync::<civic_value::BatchScorer<'static>>();
    let r = Rubric::builtin();
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let r = r.clone();
            std::thread::spawn(move || {
                r.score(&Inputs::new().with("partners", f64::from(i)), None)
                    .unwrap()
                    .total
            })
        })
        .collect();
    let totals: Vec<f64> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    // partners 0 → 0, 1 → 0.4, 2 → 0.6, 3 → 0.8 of its 5 weight-points (share 0.05).
    for (i, t) in totals.iter().enumerate() {
        let v = [0.0, 0.4, 0.6, 0.8][i];
        assert_relative_eq!(*t - totals[0], 100.0 * 0.05 * v, epsilon = 1e-9);
    }
}

#[test]
fn describe_for_forms() {
    let d = Rubric::builtin().describe("nl");
    assert_eq!(d.themes.len(), 5);
    assert_eq!(d.themes[0].label, "Sociale samenhang");
    let support = d
        .themes
        .iter()
        .flat_map(|t| &t.criteria)
        .find(|c| c.id == "support_share")
        .unwrap();
    assert_eq!(support.kind, "number");
    assert_eq!((support.min, support.max), (Some(0.0), Some(100.0)));
    assert_eq!(support.knockout.as_deref(), Some(">= 50"));
    assert_relative_eq!(support.weight, 0.1, epsilon = 1e-12); // 0.25 · 2/5
    let fr = Rubric::builtin().describe("fr");
    assert_eq!(fr.themes[0].label, "Social cohesion"); // falls back to English
}

#[test]
fn blocked_totals_equal_row_by_row_totals() {
    // Several hundred rows (more than one block) through every aggregation and missing
    // policy, with missing values (NaN): `totals` must give the bits of `total` per row,
    // which itself equals `score` (see `batch_matches_score_to_the_bit` and the laws).
    let builtin = Rubric::builtin();
    let columns: Vec<&str> = builtin.criteria().iter().map(|c| c.id()).collect();
    let mut state: u64 = 42;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let rows = 777;
    let mut data = Vec::with_capacity(rows * 12);
    for _ in 0..rows {
        let row = [
            (next() * 6000.0).floor(),
            1.0 + (next() * 5.0).floor(),
            (next() * 3.0).floor(),
            next() * 25000.0,
            1.0 + (next() * 5.0).floor(),
            next() * 15000.0,
            next() * 100.0,
            (next() * 8.0).floor(),
            1.0 + (next() * 5.0).floor(),
            (next() * 2.0).floor(),
            next() * 300_000.0,
            next() * 100.0,
        ];
        for x in row {
            data.push(if next() < 0.1 { f64::NAN } else { x });
        }
    }
    for (aggregation, missing) in [
        ("weighted_sum", "zero"),
        ("weighted_sum", "renormalise"),
        ("weighted_product", "zero"),
        ("weighted_product", "renormalise"),
    ] {
        let toml = civic_value::DEFAULT_RUBRIC_TOML
            .replace(
                r#"aggregation = "weighted_sum""#,
                &format!("aggregation = {aggregation:?}"),
            )
            .replace(r#"missing = "zero""#, &format!("missing = {missing:?}"));
        let rubric = Rubric::from_toml(&toml).unwrap();
        for perspective in [None, Some("residents")] {
            let batch = rubric.batch(&columns, perspective).unwrap();
            let mut out = vec![0.0; rows];
            batch.totals(&data, &mut out).unwrap();
            for (r, (row, total)) in data.chunks_exact(12).zip(&out).enumerate() {
                let one = batch.total(row).unwrap();
                assert_eq!(
                    total.to_bits(),
                    one.to_bits(),
                    "{aggregation} {missing} row {r}"
                );
            }
        }
    }
    // An invalid value in a later block is reported with its row.
    let batch = builtin.batch(&columns, None).unwrap();
    let mut bad = data.clone();
    bad[600 * 12 + 1] = 9.0; // neighbour_contact, a Likert 1..5
    let mut out = vec![0.0; rows];
    let e = batch.totals(&bad, &mut out).unwrap_err();
    assert_eq!(e.path(), "rows[600].input.neighbour_contact");
    assert_eq!(e.code(), "input.likert_out_of_range");
    // Under the error policy a missing value is reported the same way.
    let strict =
        civic_value::DEFAULT_RUBRIC_TOML.replace(r#"missing = "zero""#, r#"missing = "error""#);
    let strict = Rubric::from_toml(&strict).unwrap();
    let batch = strict.batch(&columns, None).unwrap();
    // The first row missing a criterion that has no default (partners, permit_secured and
    // cofunding_share have one).
    let first = data
        .chunks_exact(12)
        .position(|row| {
            row.iter()
                .zip(strict.criteria())
                .any(|(x, c)| x.is_nan() && c.default().is_none())
        })
        .unwrap();
    let e = batch.totals(&data, &mut out).unwrap_err();
    assert_eq!(e.code(), "input.missing");
    assert!(e.path().starts_with(&format!("rows[{first}].")), "{e}");
}

#[test]
fn encoded_inputs_score_as_score_does() {
    // Every encodable input, fed to the batch path, gives the bits of `score`.
    let r = Rubric::builtin();
    let columns: Vec<&str> = r.criteria().iter().map(|c| c.id()).collect();
    let batch = r.batch(&columns, None).unwrap();
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/vegetable-garden.json"
    ))
    .unwrap();
    let garden = &civic_value::Initiative::list_from_json(&text).unwrap()[0];
    let (mut low, mut high) = (Vec::new(), Vec::new());
    for c in r.criteria() {
        let v = garden.inputs.get(c.id()).unwrap_or(&InputValue::Missing);
        let (a, b) = c.encode(v).unwrap();
        low.push(a);
        high.push(b);
    }
    let mut points = vec![0.0; 12];
    let row = batch.score_row(&low, &high, &mut points).unwrap();
    let full = r.score(&garden.inputs, None).unwrap();
    assert_eq!(row.total.to_bits(), full.total.to_bits());
    assert_eq!(
        (row.low.to_bits(), row.high.to_bits()),
        (full.interval.low.to_bits(), full.interval.high.to_bits())
    );
    assert!(row.knocked_out && full.knocked_out); // support 45 < 50
    // No encoding for what the batch path cannot score like `score`.
    let hours = r.criterion("volunteer_hours").unwrap();
    assert_eq!(hours.encode(&InputValue::Text("lots".into())), None);
    assert_eq!(
        hours.encode(&InputValue::Graded {
            value: 1.0,
            evidence: "claimed".into()
        }),
        None
    );
    assert_eq!(hours.encode(&InputValue::Number(f64::NAN)), None);
    let inclusion = r.criterion("inclusion").unwrap();
    assert_eq!(
        inclusion.encode(&InputValue::Text("one_group".into())),
        Some((1.0, 1.0))
    );
    assert_eq!(inclusion.encode(&InputValue::Text("nobody".into())), None);
    let permit = r.criterion("permit_secured").unwrap();
    assert_eq!(permit.encode(&InputValue::Bool(true)), Some((1.0, 1.0)));
    assert_eq!(permit.encode(&InputValue::Number(1.0)), None);
}
