//! Rubrics shared by the integration tests (`mod common;`).

#![allow(dead_code, clippy::unwrap_used)]

use civic_value::Rubric;

/// One criterion of each kind (linear, log, piecewise, Likert `lk`, boolean `yn`,
/// category), the given weights (0 allowed), aggregation and missing-data policy; with
/// `knockouts`, knock-outs on `lk` (at least 2) and `yn` (required).
pub fn mixed_rubric(weights: &[u32; 6], product: bool, missing: &str, knockouts: bool) -> Rubric {
    let aggregation = if product {
        "weighted_product"
    } else {
        "weighted_sum"
    };
    let (lk_knockout, yn_knockout) = if knockouts {
        (
            r#""knockout": {"at_least": 2},"#,
            r#""knockout": {"required": true},"#,
        )
    } else {
        ("", "")
    };
    Rubric::from_json(&format!(
        r#"{{"id": "m", "version": "1", "aggregation": "{aggregation}", "missing": "{missing}",
            "themes": [{{"id": "t", "weight": 1}}, {{"id": "u", "weight": 2}}],
            "criteria": [
              {{"id": "lin", "theme": "t", "weight": {}, "min": 0, "max": 100,
                "value_function": {{"type": "linear", "worst": 90, "best": 10}}}},
              {{"id": "log", "theme": "t", "weight": {}, "min": 0,
                "value_function": {{"type": "log", "best": 5000, "scale": 500}}}},
              {{"id": "pw", "theme": "u", "weight": {},
                "value_function": {{"type": "piecewise", "points": [[0, 0], [1, 0.4], [3, 0.8], [6, 1]]}}}},
              {{"id": "lk", "theme": "u", "weight": {}, {lk_knockout}
                "value_function": {{"type": "likert", "levels": 5}}}},
              {{"id": "yn", "theme": "t", "weight": {}, {yn_knockout}
                "value_function": {{"type": "boolean"}}}},
              {{"id": "cat", "theme": "u", "weight": {},
                "value_function": {{"type": "category", "options": [
                  {{"id": "a", "value": 0}}, {{"id": "b", "value": 0.5}}, {{"id": "c", "value": 1}}]}}}}
            ]}}"#,
        weights[0], weights[1], weights[2], weights[3], weights[4], weights[5]
    ))
    .unwrap()
}
