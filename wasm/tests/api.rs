//! The JS API contract (issue 4): plain objects out, `Error` objects with `code` and `path`
//! thrown, inputs read faithfully from JS values. Expected numbers and codes come from the
//! core crate or the vectors, never from these bindings.

#![cfg(target_arch = "wasm32")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

use civic_value_wasm::{Rubric, engine_version};
use js_sys::{Array, JSON, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::wasm_bindgen_test;

/// Load the TOML module (`wasm/pkg/civic_value_toml.wasm`, built by scripts/build-wasm
/// before these tests run) so that `Rubric::from_toml` works in the test runner.
fn load_toml_module() {
    #[wasm_bindgen(
        inline_js = "export function readFile(p) { return globalThis.process.getBuiltinModule('node:fs').readFileSync(p); }"
    )]
    extern "C" {
        #[wasm_bindgen(js_name = "readFile")]
        fn read_file(path: &str) -> JsValue;
    }
    let bytes = read_file(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/pkg/civic_value_toml.wasm"
    ));
    civic_value_wasm::toml::init_toml_sync(bytes).unwrap();
}

fn js(text: &str) -> JsValue {
    JSON::parse(text).unwrap()
}

fn prop(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).unwrap()
}

fn s(v: &JsValue, key: &str) -> String {
    prop(v, key)
        .as_string()
        .unwrap_or_else(|| panic!("{key} is not a string"))
}

/// Every object reachable from `v` is a plain object or an array (no `Map`).
fn assert_plain(v: &JsValue, at: &str) {
    if Array::is_array(v) {
        for (i, x) in Array::from(v).iter().enumerate() {
            assert_plain(&x, &format!("{at}[{i}]"));
        }
    } else if v.is_object() {
        let proto = Object::get_prototype_of(v);
        assert!(
            JsValue::from(proto) == JsValue::from(Object::get_prototype_of(&Object::new())),
            "{at} is not a plain object"
        );
        for key in Object::keys(v.unchecked_ref::<Object>()).iter() {
            let key = key.as_string().unwrap();
            assert_plain(&prop(v, &key), &format!("{at}.{key}"));
        }
    }
}

fn as_js_text(v: &JsValue) -> String {
    JSON::stringify(v).unwrap().into()
}

/// A core value as JS would write it (`2500` rather than serde_json's `2500.0`).
fn canonical<T: serde::Serialize>(v: &T) -> String {
    as_js_text(&js(&serde_json::to_string(v).unwrap()))
}

fn oosterspoorbaan() -> JsValue {
    js(
        r#"{"volunteer_hours": [2500, 4000], "neighbour_contact": 4, "inclusion": "several_groups",
           "green_area_m2": 18000, "biodiversity": 4, "residents_reached": 12000,
           "support_share": 72, "partners": 5, "plan_maturity": 4, "permit_secured": true,
           "municipal_contribution": 180000, "cofunding_share": 35}"#,
    )
}

/// Score through the API and return the thrown error.
fn score_err(rubric: &Rubric, inputs: JsValue, perspective: Option<&str>) -> JsValue {
    match rubric.score(
        inputs,
        perspective.map_or(JsValue::UNDEFINED, JsValue::from),
    ) {
        Ok(v) => panic!("expected an error, got {:?}", JSON::stringify(&v)),
        Err(e) => e,
    }
}

#[wasm_bindgen_test]
fn builtin_rubric_has_the_core_identity() {
    let rubric = Rubric::builtin();
    let core = civic_value::Rubric::builtin();
    assert_eq!(rubric.id(), core.id());
    assert_eq!(rubric.version(), core.version());
    assert_eq!(rubric.fingerprint(), core.fingerprint());
    assert_eq!(engine_version(), civic_value::ENGINE_VERSION);
}

#[wasm_bindgen_test]
fn score_is_a_plain_object_equal_to_the_core_score_as_json() {
    let rubric = Rubric::builtin();
    let got = rubric.score(oosterspoorbaan(), JsValue::UNDEFINED).unwrap();
    assert_plain(&got, "score");
    // The same JSON the core (and so the CLI) writes for the same inputs.
    let inputs =
        civic_value::Inputs::from_json(&String::from(JSON::stringify(&oosterspoorbaan()).unwrap()))
            .unwrap();
    let want = civic_value::Rubric::builtin().score(&inputs, None).unwrap();
    assert_eq!(as_js_text(&got), canonical(&want));
    assert!(prop(&got, "band").is_string());
    assert!(
        prop(&got, "perspective").is_null(),
        "None is null, as in the CLI's JSON"
    );
}

#[wasm_bindgen_test]
fn perspective_changes_the_weights() {
    let rubric = Rubric::builtin();
    let own = rubric.score(oosterspoorbaan(), JsValue::UNDEFINED).unwrap();
    let residents = rubric.score(oosterspoorbaan(), "residents".into()).unwrap();
    assert_eq!(s(&residents, "perspective"), "residents");
    let core = civic_value::Rubric::builtin();
    let w = core.effective_weights(Some("residents")).unwrap();
    let rows = Array::from(&prop(&residents, "criteria"));
    let first = prop(&rows.get(0), "weight").as_f64().unwrap();
    assert!((first - w[0]).abs() < 1e-15);
    assert_ne!(
        prop(&own, "total").as_f64(),
        prop(&residents, "total").as_f64()
    );
}

#[wasm_bindgen_test]
fn describe_gives_a_plain_object_in_the_language_asked() {
    let rubric = Rubric::builtin();
    let core = civic_value::Rubric::builtin();
    for lang in ["nl", "en"] {
        let d = rubric.describe(lang.into()).unwrap();
        assert_plain(&d, "description");
        assert_eq!(as_js_text(&d), canonical(&core.describe(lang)));
    }
    let default = rubric.describe(JsValue::UNDEFINED).unwrap();
    assert_eq!(s(&default, "lang"), "en");
}

#[wasm_bindgen_test]
fn errors_are_error_objects_with_code_path_and_the_core_message() {
    let rubric = Rubric::builtin();
    let e = score_err(&rubric, js(r#"{"volunteer_hours": "lots"}"#), None);
    assert!(e.is_instance_of::<js_sys::Error>());
    assert_eq!(s(&e, "name"), "CivicValueError");
    assert_eq!(s(&e, "code"), "input.not_a_number");
    assert_eq!(s(&e, "path"), "input.volunteer_hours");
    // The core's own words for the same mistake.
    let core = civic_value::Rubric::builtin()
        .score(
            &civic_value::Inputs::new().with("volunteer_hours", "lots"),
            None,
        )
        .unwrap_err();
    assert_eq!(s(&e, "message"), core.to_string());
    assert_eq!(s(&e, "detail"), core.message());
}

#[wasm_bindgen_test]
fn rubric_errors_carry_the_field_path() {
    let e = Rubric::from_json("{".into()).err().unwrap();
    assert!(e.is_instance_of::<js_sys::Error>());
    assert_eq!(s(&e, "code"), "rubric.parse");
    let e = {
        load_toml_module();
        Rubric::from_toml("id = 3".into())
    }
    .err()
    .unwrap();
    assert_eq!(s(&e, "code"), "rubric.parse");
    assert_eq!(s(&e, "path"), "id");
}

#[wasm_bindgen_test]
fn inputs_keep_their_js_meaning() {
    let rubric = Rubric::builtin();
    // NaN and Infinity are rejected (JSON.stringify would have made them null = missing).
    let inputs = js("{}");
    Reflect::set(&inputs, &"support_share".into(), &f64::NAN.into()).unwrap();
    let e = score_err(&rubric, inputs, None);
    assert_eq!(s(&e, "code"), "input.not_finite");
    assert_eq!(s(&e, "path"), "input.support_share");
    let inputs = js("{}");
    Reflect::set(&inputs, &"partners".into(), &f64::INFINITY.into()).unwrap();
    assert_eq!(
        s(&score_err(&rubric, inputs, None), "code"),
        "input.not_finite"
    );
    // undefined is missing, like null.
    let inputs = js("{}");
    Reflect::set(&inputs, &"support_share".into(), &JsValue::UNDEFINED).unwrap();
    let got = rubric.score(inputs, JsValue::UNDEFINED).unwrap();
    let rows = Array::from(&prop(&got, "criteria"));
    let row = rows.iter().find(|r| s(r, "id") == "support_share").unwrap();
    assert_eq!(
        JSON::stringify(&prop(&row, "flags")).unwrap(),
        r#"["missing","knocked_out"]"#
    );
    // {low, high} is a range.
    let a = rubric
        .score(
            js(r#"{"volunteer_hours": {"low": 2500, "high": 4000}}"#),
            JsValue::UNDEFINED,
        )
        .unwrap();
    let b = rubric
        .score(
            js(r#"{"volunteer_hours": [2500, 4000]}"#),
            JsValue::UNDEFINED,
        )
        .unwrap();
    assert_eq!(JSON::stringify(&a).unwrap(), JSON::stringify(&b).unwrap());
}

#[wasm_bindgen_test]
fn malformed_inputs_name_the_field() {
    let rubric = Rubric::builtin();
    let e = score_err(&rubric, js(r#"{"volunteer_hours": [1, 2, 3]}"#), None);
    assert_eq!(s(&e, "code"), "input.parse");
    assert_eq!(s(&e, "path"), "input.volunteer_hours");
    let e = score_err(&rubric, js(r#"{"volunteer_hours": {"lo": 1}}"#), None);
    assert_eq!(s(&e, "path"), "input.volunteer_hours");
    // An array or a bad shape: the same code and path as the core's JSON reader gives.
    for not_an_object in [
        "[1, 2]",
        "[]",
        r#"{"a": {"b": 1}}"#,
        r#"{"volunteer_hours": {"low": "a", "high": 2}}"#,
    ] {
        let e = score_err(&rubric, js(not_an_object), None);
        let core = civic_value::Inputs::from_json(not_an_object).unwrap_err();
        assert!(e.is_instance_of::<js_sys::Error>());
        assert_eq!(s(&e, "code"), core.code(), "{not_an_object}");
        assert_eq!(s(&e, "path"), core.path(), "{not_an_object}");
    }
    // Not an object at all: a TypeError naming the argument (issue 11).
    for (value, got) in [
        (JsValue::UNDEFINED, "undefined"),
        (JsValue::NULL, "null"),
        (JsValue::from(3), "number"),
        (JsValue::from("text"), "string"),
    ] {
        let e = score_err(&rubric, value, None);
        assert!(e.is_instance_of::<js_sys::TypeError>(), "{got}");
        assert_eq!(
            s(&e, "message"),
            format!("inputs: expected an object or a Map, got {got}")
        );
    }
    let e = score_err(&rubric, js("{}"), Some("nobody"));
    assert_eq!(s(&e, "code"), "input.unknown_perspective");
}

#[wasm_bindgen_test]
fn parse_text_follows_the_core() {
    let rubric = Rubric::builtin();
    let core = civic_value::Rubric::builtin();
    for (id, text) in [
        ("volunteer_hours", "2500..4000"),
        ("volunteer_hours", " 1200 "),
        ("volunteer_hours", "lots"),
        ("volunteer_hours", ""),
        ("permit_secured", "ja"),
        ("permit_secured", "nee"),
        ("inclusion", "one_group"),
    ] {
        let got = rubric.parse_text(id.into(), text.into()).unwrap();
        let want = core.criterion(id).unwrap().parse_text(text);
        assert_eq!(as_js_text(&got), canonical(&want), "{id} {text:?}");
    }
    // A typed "nan" stays NaN, so that scoring rejects it instead of treating it as missing.
    let nan = rubric
        .parse_text("support_share".into(), "nan".into())
        .unwrap();
    assert!(nan.as_f64().is_some_and(f64::is_nan));
    let e = rubric.parse_text("nope".into(), "1".into()).err().unwrap();
    assert!(e.is_instance_of::<js_sys::Error>());
    assert_eq!(s(&e, "code"), "input.unknown_criterion");
    assert_eq!(s(&e, "path"), "input.nope");
}
