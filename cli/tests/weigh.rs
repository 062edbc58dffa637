//! `explain`, `compare` and `weights ahp`, run as a user would run them. Expected numbers are
//! derived by hand in the comments, or are the CLI's own `score` for the same inputs.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use serde_json::Value;

mod common;
use common::{json, root, run, temp_file};

#[test]
fn explain_lists_the_top_levers_of_the_park() {
    let o = run(&["explain", "examples/oosterspoorbaan.json"]);
    assert!(o.status.success());
    let text = String::from_utf8(o.stdout).unwrap();
    // Cost theme 10 % × 2/3 = 1/15 of the total; the value of €180 000 on 250 000 → 0 is
    // 0.28, so €0 adds 100/15 × 0.72 = 4.80 points. Then Likert 4 → 5 (12 % × 1/4 = 3.00) and
    // support 72 → 90 % (10 % × 0.3 = 3.00), ties in rubric order.
    let top = text
        .split("what would raise this score most:")
        .nth(1)
        .unwrap();
    let lines: Vec<&str> = top.lines().skip(1).take(3).collect();
    assert!(lines[0].contains("Municipal contribution requested") && lines[0].contains("+4.80"));
    assert!(lines[1].contains("Contact between neighbours") && lines[1].contains("+3.00"));
    assert!(lines[2].contains("Support among neighbours") && lines[2].contains("+3.00"));
    assert!(
        text.contains("path to the next band: already in the top band"),
        "{text}"
    );
}

#[test]
fn explain_shows_only_levers_that_make_a_difference() {
    // x at 50 of 0–100 and t at 99 999.5 of 0–100 000, equal weights (½ each): x to 100 adds
    // 100 × ½ × 0.5 = 25 points; t to 100 000 adds 100 × ½ × 0.5/100 000 = 0.000 25, which
    // would print as "+0.00 points" — not a difference (core's rule: at least 0.005).
    let rubric = temp_file(
        "tiny-lever-rubric.json",
        r#"{"id": "tiny", "version": "1", "themes": [{"id": "a", "weight": 1}],
            "criteria": [
              {"id": "x", "theme": "a", "weight": 1, "min": 0, "max": 100,
               "value_function": {"type": "linear", "worst": 0, "best": 100}},
              {"id": "t", "theme": "a", "weight": 1, "min": 0, "max": 100000,
               "value_function": {"type": "linear", "worst": 0, "best": 100000}}]}"#,
    );
    let initiative = temp_file(
        "tiny-lever.json",
        r#"{"id": "i", "name": "I", "inputs": {"x": 50, "t": 99999.5}}"#,
    );
    let (rubric, initiative) = (rubric.to_str().unwrap(), initiative.to_str().unwrap());
    let out = json(&run(&[
        "explain", "--rubric", rubric, "--format", "json", initiative,
    ]));
    let shown: Vec<&str> = out[0]["levers"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["shown"] == true)
        .map(|l| l["criterion"].as_str().unwrap())
        .collect();
    assert_eq!(shown, ["x"]);
    let o = run(&["explain", "--rubric", rubric, initiative]);
    let text = String::from_utf8(o.stdout).unwrap();
    let levers = text
        .split("what would raise this score most:")
        .nth(1)
        .unwrap();
    assert!(
        levers.contains("1. x:") && levers.contains("+25.00"),
        "{text}"
    );
    assert!(!levers.contains("2. "), "{text}");
}

#[test]
fn explain_json_path_reaches_the_next_band() {
    let out = json(&run(&[
        "explain",
        "--format",
        "json",
        "examples/vegetable-garden.json",
    ]));
    let x = &out[0];
    let band = x["next_band"].as_str().unwrap();
    let path = x["path"].as_array().unwrap();
    assert!(!path.is_empty());
    // Apply the path to the initiative and score it with `score`: the band is reached and
    // no knock-out fails.
    let text = std::fs::read_to_string(root().join("examples/vegetable-garden.json")).unwrap();
    let mut initiative: Value = serde_json::from_str(&text).unwrap();
    for step in path {
        initiative["inputs"][step["criterion"].as_str().unwrap()] = step["value"].clone();
    }
    let file = temp_file("garden-after.json", initiative.to_string());
    let scored = json(&run(&["score", "--format", "json", file.to_str().unwrap()]));
    assert_eq!(scored[0]["band"], band);
    assert_eq!(scored[0]["knockouts"], Value::Array(vec![]));
    // Levers: gains are re-scored totals minus the total, highest first.
    let levers = x["levers"].as_array().unwrap();
    let total = x["score"]["total"].as_f64().unwrap();
    for l in levers {
        assert_eq!(
            l["gain"].as_f64().unwrap(),
            l["total"].as_f64().unwrap() - total
        );
    }
}

#[test]
fn compare_totals_are_the_perspective_scores() {
    let out = json(&run(&[
        "compare",
        "--format",
        "json",
        "examples/oosterspoorbaan.json",
    ]));
    let c = &out[0]["comparison"];
    assert_eq!(c["columns"][0], "rubric");
    for (k, column) in c["columns"].as_array().unwrap().iter().enumerate() {
        let mut args = vec!["score", "--format", "json"];
        let p = column.as_str().unwrap();
        if k > 0 {
            args.extend(["--perspective", p]);
        }
        args.push("examples/oosterspoorbaan.json");
        let scored = json(&run(&args));
        assert_eq!(c["totals"][k], scored[0]["total"], "{p}");
    }
    let table = run(&["compare", "examples/oosterspoorbaan.json"]);
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(text.contains("differ most"), "{text}");
    assert!(text.contains("Residents: total"), "{text}");
    // "Municipal contribution requested" has 32 characters, one more than the label column
    // holds (31): it is cut to 30 and marked with an ellipsis, not silently cut.
    assert!(
        text.contains("  Municipal contribution request… "),
        "{text}"
    );
    assert!(!text.contains("requeste "), "{text}");
}

#[test]
fn weights_ahp_reads_fractions_and_names() {
    // Consistent: a_ij = w_i/w_j for w ∝ (4, 2, 1): weights 4/7, 2/7, 1/7, CR 0.
    let file = temp_file(
        "ahp.csv",
        "cohesion, green, reach\n1, 2, 4\n1/2, 1, 2\n1/4, 1/2, 1\n",
    );
    let out = json(&run(&[
        "weights",
        "ahp",
        "--format",
        "json",
        file.to_str().unwrap(),
    ]));
    assert_eq!(
        out["names"],
        serde_json::json!(["cohesion", "green", "reach"])
    );
    for (w, want) in out["weights"]
        .as_array()
        .unwrap()
        .iter()
        .zip([4.0, 2.0, 1.0])
    {
        assert!((w.as_f64().unwrap() - want / 7.0).abs() < 1e-14);
    }
    assert!(out["cr"].as_f64().unwrap().abs() < 1e-12);
    assert_eq!(out["consistent"], true);
    let text = run(&["weights", "ahp", file.to_str().unwrap()]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("cohesion  0.5714"), "{text}");
    assert!(text.contains("consistent: CR 0.0000"), "{text}");
    // Without a header, with a label column, by geometric mean and Alonso & Lamata: the
    // judgements 9, 9, 1/9 in a cycle are as inconsistent as can be.
    let cyclic = temp_file("cyclic.csv", ",a,b,c\na,1,9,1/9\nb,1/9,1,9\nc,9,1/9,1\n");
    let o = run(&[
        "weights",
        "ahp",
        "--method",
        "geometric_mean",
        "--ri",
        "alonso_lamata",
        cyclic.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("NOT consistent"), "{text}");
    assert!(text.contains("0.5245"), "{text}");
}

#[test]
fn weights_ahp_names_the_bad_cell() {
    let file = temp_file("bad.csv", "1,3,2\n0.5,1,1\n1/2,1,1\n");
    let o = run(&["weights", "ahp", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        err.contains("row 2, column 1: must be 1/3 (reciprocal of 3), got 0.5"),
        "{err}"
    );
    let file = temp_file("word.csv", "1,x\n1,1\n");
    let o = run(&["weights", "ahp", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8(o.stderr)
            .unwrap()
            .contains("row 1, column 2")
    );
    // A name given twice, in the header or in the label column, is refused.
    for text in ["a,a,b\n1,1,1\n1,1,1\n1,1,1\n", "a,1,1\na,1,1\n"] {
        let file = temp_file("dup.csv", text);
        let o = run(&["weights", "ahp", file.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(1), "{text}");
        let err = String::from_utf8(o.stderr).unwrap();
        assert!(err.contains("\"a\" is given more than once"), "{err}");
    }
    let big: String = (0..11).map(|_| ["1"; 11].join(",") + "\n").collect();
    let file = temp_file("big.csv", &big);
    let o = run(&["weights", "ahp", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        err.contains("n = 11") && err.contains("alonso_lamata"),
        "{err}"
    );
}
