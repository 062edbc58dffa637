//! Results serialised before a field existed still read: each field added to a serde struct
//! after the struct's first form has the default its documentation promises (found with
//! `git log -S` on the field names: `PathStep.shown`, `Monetised.valued`; the other added
//! fields already had `#[serde(default)]` or are `Option`s).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use civic_value::analysis::monetise::Monetised;
use civic_value::analysis::path_to_band::PathStep;
use civic_value::{Initiative, InputValue, Rubric};

fn oosterspoorbaan() -> Initiative {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/oosterspoorbaan.json"
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn a_path_step_without_shown_reads_with_shown_equal_to_value() {
    // The form PathStep had when it was added (commit 16ef151): criterion and value only.
    let old: PathStep =
        serde_json::from_str(r#"{"criterion": "support_share", "value": 50.004}"#).unwrap();
    assert_eq!(old.criterion, "support_share");
    assert_eq!(old.value, InputValue::Number(50.004));
    assert_eq!(old.shown, InputValue::Number(50.004));
    let old: PathStep =
        serde_json::from_str(r#"{"criterion": "permit_secured", "value": true}"#).unwrap();
    assert_eq!(old.shown, InputValue::Bool(true));
    // A `shown` that is there is kept, also when it differs from `value` (rounded up).
    let new: PathStep =
        serde_json::from_str(r#"{"criterion": "support_share", "value": 50.004, "shown": 50.01}"#)
            .unwrap();
    assert_eq!(new.shown, InputValue::Number(50.01));
    // A missing criterion or value is still an error.
    assert!(serde_json::from_str::<PathStep>(r#"{"criterion": "support_share"}"#).is_err());
    assert!(serde_json::from_str::<PathStep>(r#"{"value": 3}"#).is_err());

    // A real path written today, then with `shown` taken out as an old writer would have.
    let r = Rubric::builtin();
    let mut low = oosterspoorbaan().inputs;
    low.insert("support_share", 40.0);
    let path = r.path_to_band(&low, None, "strong").unwrap();
    assert!(!path.is_empty());
    let mut json = serde_json::to_value(&path).unwrap();
    for step in json.as_array_mut().unwrap() {
        step.as_object_mut().unwrap().remove("shown");
    }
    let back: Vec<PathStep> = serde_json::from_value(json).unwrap();
    for (read, written) in back.iter().zip(&path) {
        assert_eq!(read.criterion, written.criterion);
        assert_eq!(read.value, written.value);
        assert_eq!(read.shown, written.value);
    }
    // And today's form round-trips unchanged.
    let again: Vec<PathStep> =
        serde_json::from_str(&serde_json::to_string(&path).unwrap()).unwrap();
    assert_eq!(again, path);
}

#[test]
fn a_monetised_result_without_valued_reads_with_valued_empty() {
    let r = Rubric::builtin();
    let m = r.monetise(&oosterspoorbaan().inputs, None, None).unwrap();
    assert_eq!(m.valued.len(), 2, "volunteering and greening");
    // The form Monetised had when it was added (commit da2e9ab): no `valued`.
    let mut json = serde_json::to_value(&m).unwrap();
    json.as_object_mut().unwrap().remove("valued");
    let old: Monetised = serde_json::from_value(json).unwrap();
    assert!(old.valued.is_empty());
    assert_eq!(old.outcomes, m.outcomes);
    assert_eq!(old.sroi, m.sroi);
    let again: Monetised = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
    assert_eq!(again, m);
}
