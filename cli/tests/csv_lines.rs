//! CSV rows of every shape through the CLI's batch path (CSV → CSV): plain lines (split
//! with memchr), quoted cells with commas, doubled quotes and line breaks, CRLF lines,
//! blank lines and a last line without a break (read by csv-core). Each row's id, name,
//! total and points are what the explained path (JSON out) gives, and a bad row's line is
//! the line it is on.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use serde_json::Value;

mod common;
use common::run;

#[test]
fn every_shape_of_row_scores_as_the_explained_path() {
    // Lines: 1 header (CRLF), 2 a (CRLF), 3 b, 4 blank, 5-6 c (a quoted line break),
    // 7 d (support_share 150: out of its 0-100 range), 8 e (no final line break).
    let text = "id,name,support_share,volunteer_hours\r\n\
                a,Plain,72,3000\r\n\
                \"b\",\"Quoted, with a comma\",55,10\n\
                \n\
                c,\"Two\nlines, \"\"quoted\"\"\",12.5,\n\
                d,Bad,150,1\n\
                e,Last,1,2";
    let dir = std::env::temp_dir().join(format!("civic-value-csv-lines-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("shapes.csv");
    std::fs::write(&path, text).unwrap();
    let path = path.to_str().unwrap();
    let csv = run(&["score", "--format", "csv", path]);
    let json = run(&["score", "--format", "json", path]);
    assert_eq!(csv.status.code(), Some(1));
    let err = String::from_utf8(csv.stderr).unwrap();
    assert!(
        err.contains("line 7 (comma-separated, decimal point): initiative \"d\""),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    // CRLF lines and a blank line before a bad row: its own line (the csv crate said one
    // line early after every CRLF line break and after blank lines).
    let path = dir.join("crlf.csv");
    std::fs::write(&path, "id,support_share\r\na,150\r\nb,1\r\n\r\n\nc,200\r\n").unwrap();
    let o = run(&["score", "--format", "csv", path.to_str().unwrap()]);
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        err.contains("line 2 (comma-separated, decimal point): initiative \"a\""),
        "{err}"
    );
    assert!(
        err.contains("line 6 (comma-separated, decimal point): initiative \"c\""),
        "{err}"
    );
    let explained: Value = serde_json::from_slice(&json.stdout).unwrap();
    let explained = explained.as_array().unwrap();
    let mut reader = csv::Reader::from_reader(csv.stdout.as_slice());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let ids: Vec<&str> = rows.iter().map(|r| &r[0]).collect();
    assert_eq!(ids, ["a", "b", "c", "e"]);
    let names: Vec<&str> = rows.iter().map(|r| &r[1]).collect();
    assert_eq!(
        names,
        [
            "Plain",
            "Quoted, with a comma",
            "Two\nlines, \"quoted\"",
            "Last"
        ]
    );
    assert_eq!(rows.len(), explained.len());
    for (row, item) in rows.iter().zip(explained) {
        assert_eq!(&row[0], item["id"].as_str().unwrap());
        assert_eq!(&row[1], item["name"].as_str().unwrap());
        let number = |s: &str| -> f64 { s.parse().unwrap() };
        assert_eq!(
            number(&row[2]),
            item["total"].as_f64().unwrap(),
            "{}",
            &row[0]
        );
        for (k, c) in item["criteria"].as_array().unwrap().iter().enumerate() {
            assert_eq!(
                number(&row[7 + k]),
                c["points"].as_f64().unwrap(),
                "{} {}",
                &row[0],
                c["id"]
            );
        }
    }
}
