//! `civic-value select`, run as a user would run it, on the twenty-initiative fund round
//! (`examples/fund-round.csv`). The expected choices come from an independent brute force
//! over every subset, fed with the totals `civic-value score` prints for the same file.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeMap;

use serde_json::Value;

mod common;
use common::{json, root, run};

/// Per initiative of the fund round: (id, total, cost, knocked out, district), the totals
/// and knock-outs from `score`, the cost and district from the file itself.
fn fund_round() -> Vec<(String, f64, u64, bool, String)> {
    let scores = json(&run(&[
        "score",
        "--format",
        "json",
        "--ignore",
        "district",
        "examples/fund-round.csv",
    ]));
    let text = std::fs::read_to_string(root().join("examples/fund-round.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (cost, district) = (col("municipal_contribution"), col("district"));
    lines
        .zip(scores.as_array().unwrap())
        .map(|(line, s)| {
            let cells: Vec<&str> = line.split(',').collect();
            assert_eq!(cells[0], s["id"]);
            (
                cells[0].to_owned(),
                s["total"].as_f64().unwrap(),
                cells[cost].parse().unwrap(),
                s["knocked_out"].as_bool().unwrap(),
                cells[district].to_owned(),
            )
        })
        .collect()
}

/// The best (value, cost) over every subset within the budget, at most `max` per district,
/// never a knocked-out initiative; values compared in units of 10⁻⁹ points.
fn brute_force(items: &[(String, f64, u64, bool, String)], budget: u64, max: usize) -> (u64, u64) {
    let open: Vec<_> = items.iter().filter(|i| !i.3).collect();
    let mut best = (0u64, 0u64);
    for mask in 0u32..(1 << open.len()) {
        let (mut v, mut c) = (0u64, 0u64);
        let mut per: BTreeMap<&str, usize> = BTreeMap::new();
        for (k, i) in open.iter().enumerate() {
            if mask & (1 << k) != 0 {
                v += (i.1 * 1e9).round() as u64;
                c += i.2;
                *per.entry(i.4.as_str()).or_default() += 1;
            }
        }
        if c <= budget
            && per.values().all(|&n| n <= max)
            && (v > best.0 || (v == best.0 && c < best.1))
        {
            best = (v, c);
        }
    }
    best
}

/// The (value, cost) of the chosen set in `out`, from the fund round's own numbers.
fn value_of(items: &[(String, f64, u64, bool, String)], out: &Value) -> (u64, u64) {
    let chosen: Vec<&str> = out["chosen"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    items
        .iter()
        .filter(|i| chosen.contains(&i.0.as_str()))
        .fold((0, 0), |(v, c), i| {
            (v + (i.1 * 1e9).round() as u64, c + i.2)
        })
}

#[test]
fn the_fund_round_choice_is_the_best_within_the_budget() {
    let items = fund_round();
    assert_eq!(items.len(), 20);
    let out = json(&run(&[
        "select",
        "--budget",
        "300000",
        "--group",
        "district",
        "--format",
        "json",
        "examples/fund-round.csv",
    ]));
    let (v, c) = value_of(&items, &out);
    assert_eq!((v, c), brute_force(&items, 300_000, usize::MAX));
    assert_eq!(out["cost"], c);
    assert_eq!(out["left"], 300_000 - c);
    assert!((out["value"].as_f64().unwrap() - v as f64 / 1e9).abs() < 1e-6);
    for row in out["initiatives"].as_array().unwrap() {
        let item = items.iter().find(|i| row["id"] == i.0.as_str()).unwrap();
        // The district is reported, not scored; the total is score's.
        assert_eq!(row["group"], item.4.as_str());
        assert_eq!(row["total"].as_f64().unwrap(), item.1);
        let reason = row["reason"].as_str().unwrap();
        assert_eq!(row["chosen"].as_bool().unwrap(), reason == "chosen");
        assert_eq!(item.3, reason == "knocked out", "{row}");
    }
    // The vegetable garden has 45 % support, below the knock-out at 50 %.
    let garden = &out["initiatives"].as_array().unwrap()[2];
    assert_eq!(garden["reason"], "knocked out");
}

#[test]
fn at_most_two_per_district() {
    let items = fund_round();
    let out = json(&run(&[
        "select",
        "--budget",
        "300000",
        "--group",
        "district",
        "--max-per-group",
        "2",
        "--format",
        "json",
        "examples/fund-round.csv",
    ]));
    assert_eq!(value_of(&items, &out), brute_force(&items, 300_000, 2));
    let mut per: BTreeMap<String, usize> = BTreeMap::new();
    for row in out["initiatives"].as_array().unwrap() {
        if row["chosen"] == true {
            *per.entry(row["group"].as_str().unwrap().to_owned())
                .or_default() += 1;
        }
    }
    assert!(per.values().all(|&n| n <= 2), "{per:?}");
}

#[test]
fn the_table_names_the_choice_and_the_money_left() {
    let o = run(&[
        "select",
        "--budget",
        "100000",
        "--ignore",
        "district",
        "examples/fund-round.csv",
    ]);
    assert!(o.status.success());
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.starts_with("Fund round: "), "{text}");
    assert!(text.contains("within a budget of €100,000"), "{text}");
    assert!(text.contains("left €"), "{text}");
    assert!(text.contains("Buurtmoestuin Achter de Kerk"), "{text}");
    assert!(text.contains("knocked out"), "{text}");
}

#[test]
fn bad_costs_and_budgets_are_errors() {
    let dir = std::env::temp_dir().join(format!("civic-value-select-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("costs.csv");
    std::fs::write(
        &file,
        "id,name,support_share,requested\na,A,80,1000\nb,B,70,2000.5\n",
    )
    .unwrap();
    let o = run(&[
        "select",
        "--budget",
        "3000",
        "--cost",
        "requested",
        file.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        err.contains("initiative \"b\": requested: must be a whole number of euros, got 2000.5"),
        "{err}"
    );

    let o = run(&[
        "select",
        "--budget",
        "100.5",
        "--ignore",
        "district",
        "examples/fund-round.csv",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(o.stderr).unwrap().trim(),
        "--budget: must be a whole number of euros, got 100.5"
    );

    // At least one per district when the cheapest of each district together cost €54 000
    // (Noord 3 000 + Oost 18 000 + West 8 000 + Zuid 25 000; Zuid's vegetable garden at
    // 15 000 is knocked out).
    let o = run(&[
        "select",
        "--budget",
        "50000",
        "--group",
        "district",
        "--min-per-group",
        "1",
        "examples/fund-round.csv",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8(o.stderr)
            .unwrap()
            .contains("costs at least 54000 euros")
    );

    // A group limit without a group column is a usage error.
    let o = run(&[
        "select",
        "--budget",
        "1000",
        "--max-per-group",
        "1",
        "examples/fund-round.csv",
    ]);
    assert_eq!(o.status.code(), Some(2));
}
