//! The command line, run as a user would run it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;
use std::process::Output;

use serde_json::Value;

mod common;
use common::{root, run, stdout, temp_file};

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// The independently recomputed expectation for the Oosterspoorbaan (see the vector's note).
fn expected_oosterspoorbaan() -> Value {
    let text =
        std::fs::read_to_string(root().join("tests/vectors/builtin-oosterspoorbaan.json")).unwrap();
    serde_json::from_str::<Value>(&text).unwrap()["expected"].clone()
}

#[test]
fn score_json_matches_the_independent_computation() {
    let o = run(&["score", "--format", "json", "examples/oosterspoorbaan.json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let item = &out[0];
    let want = expected_oosterspoorbaan();
    assert_eq!(item["id"], "oosterspoorbaan");
    assert_eq!(item["name"], "Park Oosterspoorbaan");
    assert!((item["total"].as_f64().unwrap() - want["total"].as_f64().unwrap()).abs() < 1e-12);
    assert!(
        (item["interval"]["low"].as_f64().unwrap() - want["interval"][0].as_f64().unwrap()).abs()
            < 1e-12
    );
    assert!(
        (item["interval"]["high"].as_f64().unwrap() - want["interval"][1].as_f64().unwrap()).abs()
            < 1e-12
    );
    assert_eq!(item["band"], "strong");
    assert_eq!(item["knockouts"], Value::Array(vec![]));
    assert_eq!(item["rubric"]["id"], "civic-value-default");
    assert_eq!(item["rubric"]["fingerprint"].as_str().unwrap().len(), 64);
    // The criteria rows carry id, value, weight, points, flags; points add up to the total.
    let rows = item["criteria"].as_array().unwrap();
    assert_eq!(rows.len(), 12);
    let sum: f64 = rows.iter().map(|r| r["points"].as_f64().unwrap()).sum();
    assert!((sum - item["total"].as_f64().unwrap()).abs() < 1e-9);
    for key in ["id", "value", "weight", "points", "flags"] {
        assert!(rows[0].get(key).is_some(), "row lacks {key}");
    }
}

#[test]
fn table_breakdown_adds_up() {
    let o = run(&["score", "examples/oosterspoorbaan.json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    let total = expected_oosterspoorbaan()["total"].as_f64().unwrap();
    assert!(text.contains(&format!("total {total:.1} / 100")), "{text}");
    assert!(text.contains("band: Strong"));
    assert!(text.contains("Volunteer hours per year"));
    // The criterion rows' points (column 4 from the right) add up to the total line's points.
    let mut sum = 0.0;
    let mut total_line = None;
    for line in text.lines() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        if line.starts_with("    ") {
            // value weight% points available [flags]: find the "%" column.
            let w = cols
                .iter()
                .rposition(|c| {
                    c.strip_suffix('%')
                        .is_some_and(|n| n.parse::<f64>().is_ok())
                })
                .unwrap();
            sum += cols[w + 1].parse::<f64>().unwrap();
        } else if line.starts_with("  total ") && cols.len() > 3 && cols[1].ends_with('%') {
            total_line = Some(cols[2].parse::<f64>().unwrap());
        }
    }
    let total_line = total_line.expect("a total line");
    assert!(
        (total_line - total).abs() < 0.005 + 1e-9,
        "{total_line} vs {total}"
    );
    // Rows are rounded to 0.01 each: 12 rows may drift by at most 12 × 0.005.
    assert!(
        (sum - total).abs() <= 0.06,
        "rows add up to {sum}, total {total}"
    );
}

#[test]
fn dutch_labels_and_perspectives() {
    let o = run(&[
        "score",
        "--lang",
        "nl",
        "--perspective",
        "residents",
        "examples/oosterspoorbaan.json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("Vrijwilligersuren per jaar"));
    assert!(text.contains("perspective: Bewoners"));
    let o = run(&[
        "score",
        "--format",
        "json",
        "--perspective",
        "residents",
        "examples/oosterspoorbaan.json",
    ]);
    let out: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let text = std::fs::read_to_string(
        root().join("tests/vectors/builtin-oosterspoorbaan-residents.json"),
    )
    .unwrap();
    let want = serde_json::from_str::<Value>(&text).unwrap()["expected"]["total"]
        .as_f64()
        .unwrap();
    assert!((out[0]["total"].as_f64().unwrap() - want).abs() < 1e-12);
    assert_eq!(out[0]["perspective"], "residents");
}

#[test]
fn csv_in_and_out_agree_with_json() {
    // The CSV holds the same initiatives as initiatives.json, except that the repair café's
    // graded support (85, estimated) is a plain 85: its total is the same, its interval not.
    let csv = run(&["score", "--format", "json", "examples/initiatives.csv"]);
    let json = run(&["score", "--format", "json", "examples/initiatives.json"]);
    assert!(csv.status.success() && json.status.success());
    let a: Value = serde_json::from_str(&stdout(&csv)).unwrap();
    let b: Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(a.as_array().unwrap().len(), 3);
    for (x, y) in a.as_array().unwrap().iter().zip(b.as_array().unwrap()) {
        assert_eq!(x["id"], y["id"]);
        assert_eq!(x["total"], y["total"], "{}", x["id"]);
    }
    let o = run(&["score", "--format", "csv", "examples/initiatives.json"]);
    let text = stdout(&o);
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        &header[..7],
        ["id", "name", "total", "band", "low", "high", "knocked_out"]
    );
    assert_eq!(header.len(), 7 + 12);
    let garden = lines.find(|l| l.starts_with("vegetable-garden")).unwrap();
    assert!(
        garden.contains(",true,"),
        "the garden fails the support knock-out: {garden}"
    );
}

#[test]
fn bad_input_exits_1_naming_file_and_field() {
    let path = temp_file(
        "bad.json",
        r#"[{"id": "ok", "name": "OK", "inputs": {"support_share": 60}},
            {"id": "bad", "name": "Bad", "inputs": {"volunteer_hours": "lots"}}]"#,
    );
    let o = run(&["score", "--format", "json", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("bad.json"), "{err}");
    assert!(
        err.contains(r#"initiative "bad": input.volunteer_hours: expected a number or [low, high], got "lots""#),
        "{err}"
    );
    // The valid initiative is still scored.
    let out: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(out[0]["id"], "ok");

    let path = temp_file(
        "shape.json",
        r#"{"id": "x", "name": "X", "inputs": {"partners": [1, 2, 3]}}"#,
    );
    let o = run(&["score", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("inputs.partners"), "{}", stderr(&o));

    let path = temp_file("neg.csv", "id,volunteer_hours\nx,-3\n");
    let o = run(&["score", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("input.volunteer_hours: must be at least 0, got -3"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn bad_rubric_exits_1_listing_every_error() {
    let path = temp_file(
        "bad.toml",
        "id = \"x\"\nversion = \"1\"\n[[themes]]\nid = \"t\"\nweight = -1\n[[criteria]]\nid = \"a\"\ntheme = \"q\"\nweight = nan\nvalue_function = { type = \"linear\", worst = 1, best = 1 }\n",
    );
    let o = run(&["rubric", "validate", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    for needle in [
        "themes[0].weight: must not be negative, got -1",
        "criteria[0].theme: unknown theme \"q\"",
        "criteria[0].weight: must be a finite number, got NaN",
        "criteria[0].value_function.best: must differ from worst",
    ] {
        assert!(err.contains(needle), "missing {needle:?} in:\n{err}");
    }
    assert!(err.lines().all(|l| l.contains("bad.toml: ")), "{err}");
    let o = run(&[
        "score",
        "--rubric",
        path.to_str().unwrap(),
        "examples/oosterspoorbaan.json",
    ]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(
        run(&["score", "--format", "xml", "x.json"]).status.code(),
        Some(2)
    );
    assert_eq!(run(&["score"]).status.code(), Some(2));
    assert_eq!(run(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(run(&["score", "no/such/file.json"]).status.code(), Some(2));
    let o = run(&[
        "score",
        "--perspective",
        "nobody",
        "examples/oosterspoorbaan.json",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("municipality, residents, initiators"));
}

#[test]
fn rubric_show_round_trips_and_schema_is_json_schema() {
    let json = run(&["rubric", "show"]);
    let toml = run(&["rubric", "show", "--format", "toml"]);
    assert!(json.status.success() && toml.status.success());
    let a = civic_value::Rubric::from_json(&stdout(&json)).unwrap();
    let b = civic_value::Rubric::from_toml(&stdout(&toml)).unwrap();
    let builtin = civic_value::Rubric::builtin();
    assert_eq!(a.fingerprint(), builtin.fingerprint());
    assert_eq!(b.fingerprint(), builtin.fingerprint());
    let example = run(&["rubric", "show", "examples/rubrics/green-fund.toml"]);
    assert!(example.status.success(), "{}", stderr(&example));
    let schema: Value = serde_json::from_str(&stdout(&run(&["rubric", "schema"]))).unwrap();
    assert!(
        schema["$schema"]
            .as_str()
            .unwrap()
            .contains("json-schema.org")
    );
    assert!(schema["properties"]["criteria"].is_object());
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for key in ["id", "version", "themes", "criteria"] {
        assert!(required.contains(&key), "{key} should be required");
    }
    let o = run(&["rubric", "validate", "examples/rubrics/green-fund.toml"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("ok (green-fund 1.0"));
}

#[test]
fn custom_rubric_scores_multiplicatively() {
    let o = run(&[
        "score",
        "--format",
        "json",
        "--rubric",
        "examples/rubrics/green-fund.toml",
        "examples/repair-cafe.json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out: Value = serde_json::from_str(&stdout(&o)).unwrap();
    // No added green space (value 0) under weighted_product: the total is 0 (0^0.4 = 0).
    assert_eq!(out[0]["total"].as_f64().unwrap(), 0.0);
    assert_eq!(out[0]["band"], "decline");
    // Inputs the rubric does not have are reported as warnings, not errors.
    assert_eq!(out[0]["warnings"].as_array().unwrap().len(), 8);
}

/// The fund-round example has a `district` column that is not a criterion: the built-in
/// rubric's policy refuses it, `--ignore district` leaves it out and scores every row.
#[test]
fn ignore_drops_columns_that_are_not_criteria() {
    let refused = run(&["score", "--format", "csv", "examples/fund-round.csv"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(stderr(&refused).contains("input.district: no criterion with this id"));

    let ok = run(&[
        "score",
        "--ignore",
        "district",
        "--format",
        "csv",
        "examples/fund-round.csv",
    ]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    // A header and one row per initiative of the 20 in the file.
    assert_eq!(stdout(&ok).lines().count(), 21);
}

/// `sroi` values the Oosterspoorbaan with the built-in rubric's illustrative proxies. Hand
/// derivation (as in core/tests/sroi.rs): volunteering 3 250 h × €14.06 × 0.9 × 0.75 =
/// €30 844.125 net a year, 10 % drop-off, 3 years; greening 18 000 m² × €3 × 0.95 × 0.9 =
/// €46 170, 2 % drop-off, 15 years; 2.25 % a year; against the €180 000 contribution.
#[test]
fn sroi_values_an_initiative_from_the_rubric_proxies() {
    let o = run(&["sroi", "--format", "json", "examples/oosterspoorbaan.json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let m = &v[0]["monetised"]["sroi"];
    let pv_of = |net: f64, drop: f64, years: i32| -> f64 {
        (1..=years)
            .map(|t| net * (1.0 - drop).powi(t - 1) / 1.0225_f64.powi(t))
            .sum()
    };
    let pv = pv_of(30_844.125, 0.1, 3) + pv_of(46_170.0, 0.02, 15);
    let got = m["present_value"].as_f64().unwrap();
    assert!((got - pv).abs() < 1e-6, "{got} vs {pv}");
    assert!((m["ratio"].as_f64().unwrap() - pv / 180_000.0).abs() < 1e-12);

    // The same figures in `score --format json`'s monetised block.
    let s = run(&["score", "--format", "json", "examples/oosterspoorbaan.json"]);
    let s: Value = serde_json::from_str(&stdout(&s)).unwrap();
    assert_eq!(s[0]["monetised"]["ratio"], m["ratio"]);
    assert_eq!(s[0]["monetised"]["discount"], "rubric");

    // The table names the figures, the discount and every proxy's source and licence.
    let t = run(&["sroi", "examples/oosterspoorbaan.json"]);
    let text = stdout(&t);
    assert!(
        text.contains("investment €180\u{202f}000 (municipal_contribution)"),
        "{text}"
    );
    assert!(text.contains("Source: Replacement cost at the Dutch statutory minimum wage"));
    assert!(text.contains("Licence:"));

    // Presets and rates; an unknown one is a usage error naming the presets.
    let uk = run(&[
        "sroi",
        "--discount",
        "uk-green-book-2022",
        "--format",
        "json",
        "examples/oosterspoorbaan.json",
    ]);
    let uk: Value = serde_json::from_str(&stdout(&uk)).unwrap();
    assert_eq!(
        uk[0]["monetised"]["sroi"]["discount"]["name"],
        "uk-green-book-2022"
    );
    let rate = run(&[
        "sroi",
        "--discount",
        "3.5%",
        "examples/oosterspoorbaan.json",
    ]);
    assert_eq!(rate.status.code(), Some(0));
    let bad = run(&[
        "sroi",
        "--discount",
        "us-omb",
        "examples/oosterspoorbaan.json",
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("nl-mkba-2021, uk-green-book-2022"));
    // A zero investment has no ratio: exit 1 with a message that says so.
    let zero = run(&["sroi", "--investment", "0", "examples/oosterspoorbaan.json"]);
    assert_eq!(zero.status.code(), Some(1));
    assert!(stderr(&zero).contains("no SROI ratio"), "{}", stderr(&zero));
}

/// A rubric of `n` equal-weight linear 0..100 criteria with bands fund (from 50) and
/// decline (from 0).
fn threshold_rubric(n: usize) -> PathBuf {
    let criteria: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"id": "c{i}", "theme": "t", "weight": 1,
                   "value_function": {{"type": "linear", "worst": 0, "best": 100}}}}"#
            )
        })
        .collect();
    temp_file(
        &format!("threshold-{n}.json"),
        format!(
            r#"{{"id": "r", "version": "1", "themes": [{{"id": "t", "weight": 1}}],
                "criteria": [{}],
                "bands": [{{"id": "fund", "label": {{"en": "Fund"}}, "min": 50}},
                          {{"id": "decline", "label": {{"en": "Decline"}}, "min": 0}}]}}"#,
            criteria.join(",")
        ),
    )
}

#[test]
fn table_total_never_disagrees_with_its_band() {
    // (17 + 72 + 61) / 3 = 50 exactly: band fund, printed 50.0 (issue 11, item 4).
    let rubric = threshold_rubric(3);
    let input = temp_file(
        "on-threshold.json",
        r#"{"id": "a", "name": "A", "inputs": {"c0": 17, "c1": 72, "c2": 61}}"#,
    );
    let o = run(&[
        "score",
        input.to_str().unwrap(),
        "--rubric",
        rubric.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("total 50.0 / 100   band: Fund"), "{text}");
    // 49.96 would print as 50.0 at one decimal, next to "Decline": it prints 49.96.
    let rubric = threshold_rubric(1);
    let input = temp_file(
        "below-threshold.json",
        r#"{"id": "b", "name": "B", "inputs": {"c0": 49.96}}"#,
    );
    let o = run(&[
        "score",
        input.to_str().unwrap(),
        "--rubric",
        rubric.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("total 49.96 / 100   band: Decline"), "{text}");
    assert!(!text.contains("total 50.0"), "{text}");
}

#[test]
fn sensitivity_on_the_fund_round() {
    let args = [
        "sensitivity",
        "--ignore",
        "district",
        "--draws",
        "600",
        "--seed",
        "5",
        "--format",
        "json",
        "examples/fund-round.csv",
    ];
    let o = run(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    // Not a terminal: no progress bar on stderr.
    assert_eq!(stderr(&o), "");
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let items = v["initiatives"].as_array().unwrap();
    assert_eq!(items.len(), 20);
    assert_eq!(
        (v["draws"].as_u64(), v["seed"].as_u64()),
        (Some(600), Some(5))
    );
    for item in items {
        let ranks: f64 = item["ranks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_f64().unwrap())
            .sum();
        assert!((ranks - 1.0).abs() < 1e-12);
        let (p5, p95) = (item["p5"].as_f64().unwrap(), item["p95"].as_f64().unwrap());
        assert!(p5 <= item["p50"].as_f64().unwrap() && item["p50"].as_f64().unwrap() <= p95);
    }
    let knocked: Vec<&str> = items
        .iter()
        .filter(|i| i["knocked_out"] == true)
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(knocked, ["vegetable-garden"]);
    assert_eq!(v["tornado"]["id"], "oosterspoorbaan");
    assert_eq!(v["tornado"]["rows"].as_array().unwrap().len(), 12);
    // The same seed gives the same output, on one thread or two.
    let mut one = args.to_vec();
    one.extend(["--threads", "1"]);
    assert_eq!(stdout(&run(&one)), stdout(&o));

    // Fixed weights and ranges at their midpoints: every draw is the score.
    let fixed = run(&[
        "sensitivity",
        "--ignore",
        "district",
        "--draws",
        "100",
        "--concentration",
        "inf",
        "--fixed-inputs",
        "--format",
        "json",
        "examples/fund-round.csv",
    ]);
    let fixed: Value = serde_json::from_str(&stdout(&fixed)).unwrap();
    let scores = run(&[
        "score",
        "--ignore",
        "district",
        "--format",
        "json",
        "examples/fund-round.csv",
    ]);
    let scores: Value = serde_json::from_str(&stdout(&scores)).unwrap();
    assert_eq!(fixed["concentration"], Value::Null);
    for (m, s) in fixed["initiatives"]
        .as_array()
        .unwrap()
        .iter()
        .zip(scores.as_array().unwrap())
    {
        assert_eq!(m["id"], s["id"]);
        for field in ["p5", "p50", "p95", "point"] {
            assert_eq!(m[field], s["total"], "{field} of {}", m["id"]);
        }
    }

    // The table: every initiative, and the tornado of the first.
    let table = stdout(&run(&[
        "sensitivity",
        "--ignore",
        "district",
        "--draws",
        "200",
        "examples/fund-round.csv",
    ]));
    assert!(
        table.starts_with("Monte Carlo: 200 draws, seed 0"),
        "{table}"
    );
    assert!(
        table.contains("Park Oosterspoorbaan (oosterspoorbaan)") && table.contains("knocked out")
    );
    assert!(table.contains("Tornado of Park Oosterspoorbaan"));

    // Bad input and bad parameters.
    let bad = run(&[
        "sensitivity",
        "--draws",
        "0",
        "--ignore",
        "district",
        "examples/fund-round.csv",
    ]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        stderr(&bad).contains("--draws: expected a whole number of draws"),
        "{}",
        stderr(&bad)
    );
    let bad = run(&["sensitivity", "examples/fund-round.csv"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(stderr(&bad).contains("district"), "{}", stderr(&bad));
}
