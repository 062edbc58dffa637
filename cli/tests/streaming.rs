//! The command line on large, odd and hostile input: streams, dialects, partial results,
//! bounded reads, duplicates, byte order marks, bad UTF-8, control characters, and totals on
//! a band threshold. Each test failed before the behaviour it checks was built.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

mod common;
use common::{root, run, run_with_stdin, stdout, temp};

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn csv_rows(o: &Output) -> Vec<Vec<String>> {
    stdout(o)
        .lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_owned).collect())
        .collect()
}

/// The batch path (CSV in, CSV out) gives exactly the explained path's numbers (JSON out)
/// for every row of the example file.
#[test]
fn csv_to_csv_equals_the_explained_path() {
    let csv = run(&["score", "--format", "csv", "examples/initiatives.csv"]);
    let json = run(&["score", "--format", "json", "examples/initiatives.csv"]);
    assert!(
        csv.status.success() && json.status.success(),
        "{}",
        stderr(&csv)
    );
    let explained: Value = serde_json::from_str(&stdout(&json)).unwrap();
    let rows = csv_rows(&csv);
    assert_eq!(rows.len(), explained.as_array().unwrap().len());
    for (row, item) in rows.iter().zip(explained.as_array().unwrap()) {
        assert_eq!(row[0], item["id"]);
        let total: f64 = row[2].parse().unwrap();
        assert_eq!(total, item["total"].as_f64().unwrap(), "{}", row[0]);
        for (k, c) in item["criteria"].as_array().unwrap().iter().enumerate() {
            let points: f64 = row[7 + k].parse().unwrap();
            assert_eq!(
                points,
                c["points"].as_f64().unwrap(),
                "{} {}",
                row[0],
                c["id"]
            );
        }
    }
}

/// The block path (rows scored by column, `BatchScorer::score_block`) gives every row what
/// the explained path gives it — total, band, interval, knock-out, points — whether a chunk
/// holds ranges, missing cells, text that does not encode, or a value out of range (which
/// sends its chunk row by row), and the bad rows are reported with their lines.
#[test]
fn the_block_path_equals_the_explained_path() {
    let mut text = String::from(
        "id,volunteer_hours,neighbour_contact,inclusion,support_share,permit_secured,partners\n",
    );
    for k in 0..1500 {
        let hours = match k % 7 {
            0 => format!("{}..{}", k, k + 40),
            1 => String::new(),
            _ => format!("{}.5", k % 900),
        };
        let contact = if k == 700 {
            "9".to_owned()
        } else {
            (1 + k % 5).to_string()
        };
        let inclusion = if k % 97 == 3 {
            "many"
        } else {
            ["none", "one_group", "several_groups", ""][k % 4]
        };
        let share = if k == 710 {
            "-3".to_owned()
        } else {
            format!("{}", (k * 37) % 101)
        };
        let permit = ["ja", "nee", "true", ""][k % 4];
        text.push_str(&format!(
            "r{k},{hours},{contact},{inclusion},{share},{permit},{}\n",
            k % 13
        ));
    }
    let f = temp("block.csv", text.as_bytes());
    let csv = run(&["score", "--format", "csv", &f]);
    let json = run(&["score", "--format", "json", &f]);
    assert_eq!(csv.status.code(), Some(1));
    assert_eq!(stderr(&csv), stderr(&json));
    // Rows with "many" (16 of them) and the two values out of range are reported.
    let err = stderr(&csv);
    assert!(
        err.contains("line 702 (comma-separated, decimal point): initiative \"r700\""),
        "{err}"
    );
    assert!(
        err.contains("initiative \"r710\": input.support_share"),
        "{err}"
    );
    let explained: Value = serde_json::from_str(&stdout(&json)).unwrap();
    let explained = explained.as_array().unwrap();
    let rows = csv_rows(&csv);
    assert_eq!(rows.len(), 1500 - 16 - 2);
    assert_eq!(rows.len(), explained.len());
    let number = |s: &str| -> f64 { s.parse().unwrap() };
    for (row, item) in rows.iter().zip(explained) {
        assert_eq!(row[0], item["id"]);
        assert_eq!(
            number(&row[2]),
            item["total"].as_f64().unwrap(),
            "{}",
            row[0]
        );
        assert_eq!(row[3], item["band"].as_str().unwrap_or(""), "{}", row[0]);
        assert_eq!(
            number(&row[4]),
            item["interval"]["low"].as_f64().unwrap(),
            "{}",
            row[0]
        );
        assert_eq!(
            number(&row[5]),
            item["interval"]["high"].as_f64().unwrap(),
            "{}",
            row[0]
        );
        assert_eq!(row[6], item["knocked_out"].to_string(), "{}", row[0]);
        for (k, c) in item["criteria"].as_array().unwrap().iter().enumerate() {
            assert_eq!(
                number(&row[7 + k]),
                c["points"].as_f64().unwrap(),
                "{} {}",
                row[0],
                c["id"]
            );
        }
    }
}

/// Rows of several blocks (8 192 rows each), each block cut into parts scored by whichever
/// thread is free, come out in input order with the explained path's totals; the rows out of
/// range, scattered over blocks and parts, are reported in line order and left out. The last
/// block (100 rows) is one part after blocks of several: no part of an earlier block is
/// written again.
#[test]
fn rows_of_many_blocks_and_parts_keep_their_order() {
    let mut text = String::from("id,neighbour_contact,support_share,volunteer_hours\n");
    let rows = 2 * 8192 + 100;
    let bad = |k: usize| k % 991 == 17 || k == rows - 50;
    for k in 0..rows {
        let contact = if bad(k) { 9 } else { 1 + k % 5 };
        text.push_str(&format!("r{k},{contact},{},{}\n", (k * 37) % 101, k % 3000));
    }
    let f = temp("many-blocks.csv", text.as_bytes());
    let csv = run(&["score", "--format", "csv", &f]);
    let json = run(&["score", "--format", "json", &f]);
    assert_eq!(csv.status.code(), Some(1));
    assert_eq!(stderr(&csv), stderr(&json));
    // The reported rows: line k + 2 for each bad k, in order.
    let want: Vec<String> = (0..rows)
        .filter(|&k| bad(k))
        .map(|k| {
            format!(
                "line {} (comma-separated, decimal point): initiative \"r{k}\"",
                k + 2
            )
        })
        .collect();
    let err = stderr(&csv);
    let reported: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("initiative \""))
        .collect();
    assert_eq!(reported.len(), want.len(), "{err}");
    for (line, want) in reported.iter().zip(&want) {
        assert!(line.contains(want.as_str()), "{line} / {want}");
    }
    let ids: Vec<String> = (0..rows)
        .filter(|&k| !bad(k))
        .map(|k| format!("r{k}"))
        .collect();
    let got = csv_rows(&csv);
    assert_eq!(got.iter().map(|r| r[0].clone()).collect::<Vec<_>>(), ids);
    let explained: Value = serde_json::from_str(&stdout(&json)).unwrap();
    let explained = explained.as_array().unwrap();
    assert_eq!(explained.len(), got.len());
    for (row, item) in got.iter().zip(explained) {
        assert_eq!(row[0], item["id"]);
        let total: f64 = row[2].parse().unwrap();
        assert_eq!(total, item["total"].as_f64().unwrap(), "{}", row[0]);
    }
}

/// A Dutch spreadsheet export: `;`-separated with decimal commas (refused before with
/// "found record with 2 fields"), and a `.tsv` file (read as JSON before).
#[test]
fn dutch_csv_and_tsv_are_read() {
    let nl = temp("nl.csv", b"id;name;support_share\na;Park;72,5\n");
    let dot = temp("dot.csv", b"id,name,support_share\na,Park,72.5\n");
    let tsv = temp("t.tsv", b"id\tname\tsupport_share\na\tPark\t72.5\n");
    let a = run(&["score", "--format", "csv", &nl]);
    let b = run(&["score", "--format", "csv", &dot]);
    let c = run(&["score", "--format", "csv", &tsv]);
    assert!(a.status.success(), "{}", stderr(&a));
    assert_eq!(csv_rows(&a)[0][2], csv_rows(&b)[0][2]);
    assert_eq!(csv_rows(&c)[0][2], csv_rows(&b)[0][2]);
    // Forced: a comma-separated file whose decimals are commas inside quotes.
    let forced = temp("forced.csv", b"id,name,support_share\na,Park,\"72,5\"\n");
    let d = run(&["score", "--format", "csv", "--decimal", ",", &forced]);
    assert_eq!(csv_rows(&d)[0][2], csv_rows(&b)[0][2]);
    // A pipe-separated file, forced by name (the names Python's read_csv takes too).
    let pipe = temp("pipe.csv", b"id|name|support_share\na|Park|72.5\n");
    let p = run(&["score", "--format", "csv", "--delimiter", "pipe", &pipe]);
    assert!(p.status.success(), "{}", stderr(&p));
    assert_eq!(csv_rows(&p)[0][2], csv_rows(&b)[0][2]);
    // A failing row names the dialect read.
    let bad = temp("bad.csv", b"id;name;support_share\na;Park;lots\n");
    let e = run(&["score", &bad]);
    assert_eq!(e.status.code(), Some(1));
    assert!(
        stderr(&e).contains("line 2 (semicolon-separated, decimal comma): initiative \"a\""),
        "{}",
        stderr(&e)
    );
}

/// NDJSON in and out: one object a line, the same totals as the CSV output.
#[test]
fn ndjson_in_and_out() {
    let lines = temp(
        "in.ndjson",
        b"{\"id\":\"a\",\"name\":\"A\",\"inputs\":{\"support_share\":72}}\n\n{\"id\":\"b\",\"name\":\"B\",\"inputs\":{\"partners\":3}}\n",
    );
    let o = run(&["score", "--format", "ndjson", &lines]);
    assert!(o.status.success(), "{}", stderr(&o));
    let items: Vec<Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(items.len(), 2);
    assert_eq!(items[1]["id"], "b");
    assert!(items[0]["points"]["support_share"].as_f64().unwrap() > 0.0);
    let json = run(&["score", "--format", "json", &lines]);
    let explained: Value = serde_json::from_str(&stdout(&json)).unwrap();
    assert_eq!(items[0]["total"], explained[0]["total"]);
}

/// One bad item never discards the others: a JSON array with one bad range, a CSV with one
/// short row, and `score good.json bad.json` print every valid initiative, report each bad
/// one with its file, place and field, and exit 1.
#[test]
fn partial_results() {
    let arr = temp(
        "arr.json",
        br#"[{"id":"ok","name":"OK","inputs":{"support_share":70}},
             {"id":"bad","name":"B","inputs":{"volunteer_hours":[5,1]}},
             {"id":"ok2","name":"OK2","inputs":{}}]"#,
    );
    let o = run(&["score", "--format", "csv", &arr]);
    assert_eq!(o.status.code(), Some(1));
    let ids: Vec<String> = csv_rows(&o).into_iter().map(|r| r[0].clone()).collect();
    assert_eq!(ids, ["ok", "ok2"]);
    assert!(
        stderr(&o).contains("[1] (line 2): initiative \"bad\": input.volunteer_hours: low (5) must not exceed high (1)"),
        "{}",
        stderr(&o)
    );

    let mut text = String::from("id,support_share\n");
    for i in 0..1000 {
        if i == 500 {
            text.push_str("short\n");
        } else {
            text.push_str(&format!("r{i},{}\n", i % 100));
        }
    }
    let short = temp("short.csv", text.as_bytes());
    let o = run(&["score", "--format", "csv", &short]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(csv_rows(&o).len(), 999);
    assert!(stderr(&o).contains("line 502"), "{}", stderr(&o));

    let good = "examples/oosterspoorbaan.json";
    let o = run(&["score", "--format", "json", good, &arr, "no/such/file.json"]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "an unreadable file is a usage error"
    );
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["oosterspoorbaan", "ok", "ok2"]);
}

/// Limits count bytes read, whatever the source: a device, a pipe, standard input.
#[test]
fn limits_hold_for_devices_pipes_and_stdin() {
    // Zeros are neither `[` nor `{`: read as CSV, whose first line never ends.
    let o = run(&["score", "/dev/zero"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("longer than"), "{}", stderr(&o));
    let o = run(&["score", "--input-format", "json", "/dev/zero"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("read as a stream"), "{}", stderr(&o));
    let o = run(&[
        "score",
        "--rubric",
        "/dev/zero",
        "examples/oosterspoorbaan.json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        // MAX_RUBRIC_TEXT_BYTES: the text read for a rubric (its own limit, 1 MiB, is on
        // the canonical form).
        stderr(&o).contains("more than the limit of 16777216 bytes"),
        "{}",
        stderr(&o)
    );
    let o = run(&["score", "--input-format", "csv", "/dev/zero"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("longer than"), "{}", stderr(&o));
    let zeros = vec![b' '; 20 * 1024 * 1024];
    let o = run_with_stdin(&["score", "-"], &zeros);
    assert_eq!(o.status.code(), Some(1));
    let example = std::fs::read(root().join("examples/initiatives.json")).unwrap();
    let o = run_with_stdin(&["score", "--format", "csv", "-"], &example);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(csv_rows(&o).len(), 3);
}

/// Duplicates never overwrite silently: a key given twice in an input object, `inputs`
/// given twice, a column named twice (the id column too).
#[test]
fn duplicates_are_errors_naming_the_key() {
    let dup = temp(
        "dup.json",
        br#"{"id":"a","name":"A","inputs":{"support_share":80,"support_share":10}}"#,
    );
    let o = run(&["score", &dup]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("inputs.support_share"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("given more than once"),
        "{}",
        stderr(&o)
    );
    // The error names the initiative too, in an array and in a single object, for every
    // command that reads initiatives.
    let array = temp(
        "dup-array.json",
        br#"[{"id":"a","name":"A","inputs":{"support_share":80,"support_share":10}},
             {"id":"b","name":"B","inputs":{"support_share":50}}]"#,
    );
    for command in ["score", "explain", "sroi", "compare"] {
        let o = run(&[command, &array, &dup]);
        assert_eq!(o.status.code(), Some(1), "{command}");
        let err = stderr(&o);
        assert!(
            err.contains(
                "dup-array.json: [0] (line 1): initiative \"a\": [0].inputs.support_share"
            ),
            "{command}: {err}"
        );
        assert!(
            err.contains("dup.json: initiative \"a\": "),
            "{command}: {err}"
        );
    }
    let twice = temp(
        "twice.json",
        br#"[{"id":"a","name":"A","inputs":{"partners":1},"inputs":{"partners":2}}]"#,
    );
    let o = run(&["score", &twice]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("duplicate field `inputs`"),
        "{}",
        stderr(&o)
    );
    for (name, header) in [
        ("col.csv", "id,partners,partners\na,1,2\n"),
        ("ids.csv", "id,id,partners\na,b,1\n"),
    ] {
        let f = temp(name, header.as_bytes());
        let o = run(&["score", &f]);
        assert_eq!(o.status.code(), Some(1), "{name}");
        assert!(
            stderr(&o).contains("column named more than once"),
            "{}",
            stderr(&o)
        );
    }
}

/// A byte order mark is read past in JSON inputs, CSV and JSON rubrics; bad UTF-8 is an
/// invalid file (exit 1) that is named.
#[test]
fn byte_order_marks_and_bad_utf8() {
    let mut with_bom = b"\xEF\xBB\xBF".to_vec();
    with_bom.extend(std::fs::read(root().join("examples/oosterspoorbaan.json")).unwrap());
    let input = temp("bom.json", &with_bom);
    assert!(run(&["score", &input]).status.success());
    let mut rubric = b"\xEF\xBB\xBF".to_vec();
    rubric.extend(stdout(&run(&["rubric", "show"])).into_bytes());
    let rubric = temp("bom-rubric.json", &rubric);
    let o = run(&["rubric", "validate", &rubric]);
    assert!(o.status.success(), "{}", stderr(&o));
    let latin1 = temp(
        "latin1.json",
        b"{\"id\":\"caf\xE9\",\"name\":\"x\",\"inputs\":{}}",
    );
    let o = run(&["score", &latin1]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("latin1.json") && stderr(&o).contains("UTF-8"),
        "{}",
        stderr(&o)
    );
    let bad_rubric = temp("latin1-rubric.toml", b"id = \"caf\xE9\"\n");
    let o = run(&["rubric", "validate", &bad_rubric]);
    assert_eq!(o.status.code(), Some(1));
}

/// `rubric validate` reports every file, also after a missing one.
#[test]
fn validate_reports_every_file() {
    let bad = temp(
        "bad-rubric.json",
        br#"{"id": "x", "version": "1", "themes": [], "criteria": []}"#,
    );
    let o = run(&[
        "rubric",
        "validate",
        &bad,
        "no/such/rubric.toml",
        "examples/rubrics/green-fund.toml",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("bad-rubric.json"), "{err}");
    assert!(err.contains("no/such/rubric.toml"), "{err}");
    assert!(stdout(&o).contains("green-fund.toml: ok"));
}

/// Ids and names with terminal escape codes are printed escaped in the table.
#[test]
fn control_characters_are_escaped_in_the_table() {
    let f = temp(
        "esc.json",
        b"{\"id\":\"x\\u001b[2J\",\"name\":\"Evil\\u001b]0;title\\u0007\",\"inputs\":{}}",
    );
    let o = run(&["score", &f]);
    let text = stdout(&o);
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
    assert!(text.contains("Evil\\u{1b}]0;title\\u{7}"), "{text}");
}

/// Three equal-weight linear criteria of 0..100 with inputs 17, 72 and 61 average exactly
/// 50 (150/3), which floating point computes as 49.99999999999999: the total is in the band
/// that starts at 50, and the table shows a total that agrees with it.
#[test]
fn a_total_on_a_threshold_is_in_that_band() {
    let rubric = temp(
        "threshold.toml",
        br#"
id = "threshold"
version = "1"
[[themes]]
id = "t"
weight = 1
[[criteria]]
id = "a"
theme = "t"
weight = 1
value_function = { type = "linear", worst = 0, best = 100 }
[[criteria]]
id = "b"
theme = "t"
weight = 1
value_function = { type = "linear", worst = 0, best = 100 }
[[criteria]]
id = "c"
theme = "t"
weight = 1
value_function = { type = "linear", worst = 0, best = 100 }
[[bands]]
id = "fund"
min = 50
[[bands]]
id = "decline"
min = 0
"#,
    );
    let input = temp(
        "on-threshold.json",
        br#"{"id":"x","name":"X","inputs":{"a":17,"b":72,"c":61}}"#,
    );
    let o = run(&["score", "--rubric", &rubric, "--format", "json", &input]);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v[0]["band"], "fund");
    let table = stdout(&run(&["score", "--rubric", &rubric, &input]));
    assert!(table.contains("total 50.0 / 100   band: fund"), "{table}");
    // Just below: 49.96 shows as 49.96 (not 50.0) in the band below.
    let below = temp(
        "below.json",
        br#"{"id":"y","name":"Y","inputs":{"a":17,"b":72,"c":60.88}}"#,
    );
    let table = stdout(&run(&["score", "--rubric", &rubric, &below]));
    assert!(
        table.contains("total 49.96 / 100   band: decline"),
        "{table}"
    );
}

/// Huge numbers print short, and never as `-0`.
#[test]
fn numbers_print_short() {
    let f = temp(
        "huge.json",
        br#"{"id":"x","name":"X","inputs":{"municipal_contribution":1e300,"residents_reached":-0.0}}"#,
    );
    let text = stdout(&run(&["score", &f]));
    assert!(text.contains("1e300 €"), "{text}");
    assert!(!text.contains("-0 "), "{text}");
    assert!(!text.contains("000000000000000000000"), "{text}");
}

/// A slow pipe is scored as it arrives: the first initiative's line is written before the
/// input ends.
#[test]
fn a_slow_pipe_is_scored_as_it_arrives() {
    use std::io::BufRead as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_civic-value"))
        .args([
            "score",
            "--format",
            "ndjson",
            "--input-format",
            "ndjson",
            "-",
        ])
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(b"{\"id\":\"first\",\"name\":\"F\",\"inputs\":{\"partners\":2}}\n")
        .unwrap();
    stdin.flush().unwrap();
    // Read one line while stdin is still open.
    let mut reader = std::io::BufReader::new(child.stdout.take().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = reader.read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("the first result is written before the input ends");
    assert!(line.contains("\"id\":\"first\""), "{line}");
    drop(stdin);
    assert!(child.wait().unwrap().success());
}

/// Standard input without a format: CSV unless the text starts with `[` or `{`.
#[test]
fn stdin_guesses_csv_or_json() {
    let o = run_with_stdin(
        &["score", "--format", "csv", "-"],
        b"id,support_share\na,70\n",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(csv_rows(&o)[0][0], "a");
    let o = run_with_stdin(
        &["score", "--format", "csv", "-"],
        b"  {\"id\": \"j\", \"name\": \"J\", \"inputs\": {}}",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(csv_rows(&o)[0][0], "j");
}
