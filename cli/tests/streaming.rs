//! `civic-value score` at scale and under hostile input, run as a user would run it:
//! streams of any size, partial results, spreadsheet dialects, NDJSON, stdin and devices,
//! duplicate keys and columns, terminal escapes, byte order marks, invalid UTF-8.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn cli() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_civic-value"));
    c.current_dir(root());
    c
}

fn run(args: &[&str]) -> Output {
    cli().args(args).output().unwrap()
}

fn run_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = cli()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let data = input.to_vec();
    let writer = std::thread::spawn(move || {
        // The CLI may stop reading early (a fatal error): a broken pipe is fine.
        let _ = stdin.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn temp_file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("civic-value-stream-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn p(path: &std::path::Path) -> &str {
    path.to_str().unwrap()
}

/// `n` valid initiatives of the built-in rubric (deterministic), as CSV rows and as the
/// same initiatives in NDJSON. Numbers are written with Rust's shortest round-trip text,
/// so both files hold exactly the same doubles.
fn generated(n: usize) -> (String, String) {
    let options = ["none", "one_group", "several_groups"];
    let mut csv = String::from(
        "id,name,volunteer_hours,neighbour_contact,inclusion,green_area_m2,biodiversity,residents_reached,support_share,partners,plan_maturity,permit_secured,municipal_contribution,cofunding_share\n",
    );
    let mut ndjson = String::new();
    let mut state = 0x2545_F491_4F6C_DD1D_u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    for i in 0..n {
        let hours = (next() * 6000.0 * 8.0).round() / 8.0;
        let low = (next() * 3000.0).round();
        let likert = 1 + (next() * 5.0) as u32 % 5;
        let option = options[(next() * 3.0) as usize % 3];
        let area = next() * 25_000.0;
        let bio = 1 + (next() * 5.0) as u32 % 5;
        let reached = next() * 15_000.0;
        let support = next() * 100.0;
        let partners = (next() * 8.0).floor();
        let maturity = 1 + (next() * 5.0) as u32 % 5;
        let permit = next() < 0.5;
        let money = next() * 300_000.0;
        let cofunding = next() * 100.0;
        let _ = writeln!(
            csv,
            "i{i},Initiative {i},{low}..{hours2},{likert},{option},{area},{bio},{reached},{support},{partners},{maturity},{},{money},{cofunding}",
            if permit { "ja" } else { "nee" },
            hours2 = low + hours,
        );
        let inputs = serde_json::json!({
            "volunteer_hours": [low, low + hours], "neighbour_contact": likert, "inclusion": option,
            "green_area_m2": area, "biodiversity": bio, "residents_reached": reached,
            "support_share": support, "partners": partners, "plan_maturity": maturity,
            "permit_secured": permit, "municipal_contribution": money, "cofunding_share": cofunding,
        });
        let item = serde_json::json!({"id": format!("i{i}"), "name": format!("Initiative {i}"), "inputs": inputs});
        let _ = writeln!(ndjson, "{item}");
    }
    (csv, ndjson)
}

#[test]
fn the_batch_path_writes_what_the_explained_path_writes() {
    // CSV rows take the batch path; the same initiatives as NDJSON the explained one.
    let (csv, ndjson) = generated(3000);
    let a = temp_file("gen.csv", csv.as_bytes());
    let b = temp_file("gen.ndjson", ndjson.as_bytes());
    for format in ["csv", "ndjson"] {
        let fast = run(&["score", "--format", format, p(&a)]);
        let slow = run(&["score", "--format", format, p(&b)]);
        assert!(fast.status.success(), "{}", stderr(&fast));
        assert!(slow.status.success(), "{}", stderr(&slow));
        assert_eq!(stdout(&fast), stdout(&slow), "{format}");
        assert_eq!(
            stdout(&fast).lines().count(),
            if format == "csv" { 3001 } else { 3000 }
        );
    }
    // Input order is kept across blocks and threads.
    let out = stdout(&run(&["score", "--format", "csv", p(&a)]));
    for (i, line) in out.lines().skip(1).enumerate() {
        assert!(line.starts_with(&format!("i{i},")), "{line}");
    }
}

#[test]
fn ndjson_output_has_the_csv_fields_and_the_json_totals() {
    let nd = run(&["score", "--format", "ndjson", "examples/initiatives.json"]);
    let json = run(&["score", "--format", "json", "examples/initiatives.json"]);
    assert!(nd.status.success() && json.status.success());
    let full: Value = serde_json::from_str(&stdout(&json)).unwrap();
    let lines: Vec<Value> = stdout(&nd)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    for (line, item) in lines.iter().zip(full.as_array().unwrap()) {
        assert_eq!(line["id"], item["id"]);
        assert_eq!(line["total"], item["total"]);
        assert_eq!(line["band"], item["band"]);
        assert_eq!(line["low"], item["interval"]["low"]);
        assert_eq!(line["knocked_out"], item["knocked_out"]);
        assert_eq!(line["points"].as_object().unwrap().len(), 12);
        assert_eq!(
            line["points"]["support_share"],
            item["criteria"][6]["points"]
        );
    }
}

#[test]
fn inputs_larger_than_the_old_whole_file_limit_are_streamed() {
    // 20 initiatives with a 1 MB description each: 20 MB, above the 16 MiB that used to
    // refuse the whole file.
    let big = "x".repeat(1 << 20);
    let mut text = String::from("id,description,support_share\n");
    for i in 0..20 {
        let _ = writeln!(text, "r{i},{big},{}", 60 + i);
    }
    let path = temp_file("big.csv", text.as_bytes());
    let o = run(&["score", "--format", "csv", p(&path)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().count(), 21);
    // The same as one JSON array streamed from stdin.
    let mut json = String::from("[");
    for i in 0..20 {
        if i > 0 {
            json.push(',');
        }
        let _ = write!(
            json,
            r#"{{"id": "r{i}", "name": "R", "description": "{big}", "inputs": {{"support_share": {}}}}}"#,
            60 + i
        );
    }
    json.push(']');
    let o = run_stdin(&["score", "--format", "ndjson", "-"], json.as_bytes());
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().count(), 20);
}

#[test]
fn a_single_json_object_above_the_limit_says_how_to_stream() {
    let big = format!(
        r#"{{"id": "a", "name": "A", "description": "{}", "inputs": {{}}}}"#,
        "x".repeat(17 << 20)
    );
    let o = run_stdin(&["score", "/dev/stdin"], big.as_bytes());
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(err.contains("more than 16777216 bytes"), "{err}");
    assert!(err.contains("NDJSON"), "{err}");
}

#[test]
fn results_are_written_as_they_are_scored() {
    // One line in, one line out, while stdin is still open.
    let mut child = cli()
        .args(["score", "--format", "ndjson", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut out = child.stdout.take().unwrap();
    stdin
        .write_all(b"{\"id\": \"a\", \"name\": \"A\", \"inputs\": {\"support_share\": 80}}\n")
        .unwrap();
    stdin.flush().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = [0u8; 16];
        let n = out.read(&mut buf).unwrap_or(0);
        let _ = tx.send(buf[..n].to_vec());
    });
    let first = rx.recv_timeout(Duration::from_secs(20)).unwrap();
    assert!(first.starts_with(b"{\"id\":\"a\""), "{first:?}");
    drop(stdin);
    assert!(child.wait().unwrap().success());
}

#[test]
fn every_valid_initiative_is_scored_and_each_bad_one_reported() {
    // A JSON array with one bad range.
    let bad = temp_file(
        "partial.json",
        br#"[
  {"id": "a", "name": "A", "inputs": {"support_share": 80}},
  {"id": "b", "name": "B", "inputs": {"volunteer_hours": [4000, 2500]}},
  {"id": "c", "name": "C", "inputs": {"support_share": [1, 2, 3]}},
  {"id": "d", "name": "D", "inputs": {"support_share": 70}}
]"#,
    );
    let o = run(&["score", "--format", "csv", p(&bad)]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let ids: Vec<&str> = out.lines().skip(1).map(|l| &l[..1]).collect();
    assert_eq!(ids, ["a", "d"]);
    let err = stderr(&o);
    assert!(
        err.contains("partial.json:3: [1] initiative \"b\": input.volunteer_hours: low (4000) must not exceed high (2500)"),
        "{err}"
    );
    assert!(
        err.contains("partial.json:4: [2] initiative \"c\": inputs.support_share"),
        "{err}"
    );
    assert!(
        err.contains("2 of 4 initiatives could not be scored"),
        "{err}"
    );

    // A 20 000-row CSV with one short row.
    let (csv, _) = generated(20_000);
    let mut lines: Vec<&str> = csv.lines().collect();
    lines[5001] = "short,row";
    let path = temp_file("short.csv", (lines.join("\n") + "\n").as_bytes());
    let o = run(&["score", "--format", "csv", p(&path)]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o).lines().count(), 1 + 19_999);
    assert!(
        stderr(&o).contains("short.csv:5002: initiative \"short\": input: expected 14 values, got 2 (read as CSV, delimiter ',', decimal point)"),
        "{}",
        stderr(&o)
    );

    // Several files: each scored, the bad one reported, a missing one too (exit 2).
    let o = run(&[
        "score",
        "--format",
        "csv",
        "examples/repair-cafe.json",
        p(&bad),
        "examples/oosterspoorbaan.json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o).lines().count(), 1 + 4);
    let o = run(&[
        "score",
        "--format",
        "csv",
        "examples/repair-cafe.json",
        "no/such.json",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout(&o).lines().count(), 2);
    assert!(stderr(&o).contains("no/such.json"), "{}", stderr(&o));
}

#[test]
fn dutch_spreadsheet_csv_and_tsv() {
    let dutch = temp_file(
        "dutch.csv",
        "id;name;support_share;volunteer_hours\na;Park;72,5;2500..4000\n".as_bytes(),
    );
    let json = temp_file(
        "same.json",
        br#"{"id": "a", "name": "Park", "inputs": {"support_share": 72.5, "volunteer_hours": [2500, 4000]}}"#,
    );
    let a = run(&["score", "--format", "csv", p(&dutch)]);
    let b = run(&["score", "--format", "csv", p(&json)]);
    assert!(a.status.success(), "{}", stderr(&a));
    assert_eq!(stdout(&a), stdout(&b));
    let tsv = temp_file("tabs.tsv", b"id\tname\tsupport_share\na\tPark\t72.5\n");
    let c = run(&["score", "--format", "csv", p(&tsv)]);
    assert!(c.status.success(), "{}", stderr(&c));
    let d = run(&[
        "score",
        "--format",
        "csv",
        "--delimiter",
        ";",
        "--decimal",
        ".",
        p(&dutch),
    ]);
    assert_eq!(d.status.code(), Some(1));
    assert!(
        stderr(&d).contains("got \"72,5\" (read as CSV, delimiter ';', decimal point)"),
        "{}",
        stderr(&d)
    );
    let e = run(&["score", "--delimiter", "x", p(&dutch)]);
    assert_eq!(e.status.code(), Some(2));
}

#[test]
fn devices_pipes_and_stdin_are_read_within_limits() {
    let start = Instant::now();
    let o = run(&["score", "/dev/zero"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("more than 16777216 bytes"),
        "{}",
        stderr(&o)
    );
    let o = run(&[
        "score",
        "--rubric",
        "/dev/zero",
        "examples/oosterspoorbaan.json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("/dev/zero: more than the limit of"),
        "{}",
        stderr(&o)
    );
    let o = run(&["rubric", "validate", "/dev/zero"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(start.elapsed() < Duration::from_secs(60));
    // stdin as '-' and as /dev/stdin.
    let text = std::fs::read(root().join("examples/initiatives.csv")).unwrap();
    for name in ["-", "/dev/stdin"] {
        let o = run_stdin(&["score", "--format", "csv", name], &text);
        assert!(o.status.success(), "{}", stderr(&o));
        assert_eq!(stdout(&o).lines().count(), 4);
    }
}

#[test]
fn duplicate_keys_and_columns_are_errors_naming_key_and_initiative() {
    let path = temp_file(
        "dup.json",
        br#"[{"id": "a", "name": "A", "inputs": {"support_share": 80, "support_share": 10}},
            {"id": "b", "name": "B", "inputs": {"support_share": 80}, "inputs": {"support_share": 10}},
            {"id": "c", "name": "C", "inputs": {"support_share": 75}}]"#,
    );
    let o = run(&["score", "--format", "csv", p(&path)]);
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.contains(
            "[0] initiative \"a\": inputs.support_share: key \"support_share\" given more than once"
        ),
        "{err}"
    );
    assert!(
        err.contains("[1] initiative \"b\"") && err.contains("\"inputs\" given more than once"),
        "{err}"
    );
    assert_eq!(stdout(&o).lines().count(), 2);
    for (name, text, column) in [
        (
            "dupcol.csv",
            "id,support_share,support_share\na,80,10\n",
            "input.support_share",
        ),
        ("dupid.csv", "id,name,id\na,A,b\n", "input.id"),
    ] {
        let path = temp_file(name, text.as_bytes());
        let o = run(&["score", p(&path)]);
        assert_eq!(o.status.code(), Some(1));
        assert!(
            stderr(&o).contains(&format!("{column}: column named more than once")),
            "{}",
            stderr(&o)
        );
    }
}

#[test]
fn the_table_escapes_controls_shortens_huge_numbers_and_never_shows_minus_zero() {
    let path = temp_file(
        "hostile.json",
        "{\"id\": \"x\\u001b[2J\", \"name\": \"Evil\\u001b]0;pwned\\u0007 \\u202e\", \"inputs\": {\"volunteer_hours\": 1e308, \"municipal_contribution\": -0.0}}".as_bytes(),
    );
    let o = run(&["score", p(&path)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        !out.contains('\u{1b}') && !out.contains('\u{7}') && !out.contains('\u{202e}'),
        "{out:?}"
    );
    assert!(
        out.contains("Evil\\u{1b}]0;pwned\\u{7} \\u{202e} (x\\u{1b}[2J)"),
        "{out}"
    );
    assert!(out.contains("1e308 h/yr"), "{out}");
    assert!(!out.contains("-0"), "{out}");
    assert!(out.contains(" 0 €"), "{out}");
    assert!(out.lines().all(|l| l.chars().count() < 160), "{out}");
}

#[test]
fn byte_order_marks_and_invalid_utf8() {
    let input = temp_file(
        "bom.json",
        "\u{feff}{\"id\": \"a\", \"name\": \"A\", \"inputs\": {\"support_share\": 80}}".as_bytes(),
    );
    let rubric = run(&["rubric", "show"]);
    let rubric = temp_file(
        "bom-rubric.json",
        format!("\u{feff}{}", stdout(&rubric)).as_bytes(),
    );
    let o = run(&["score", "--rubric", p(&rubric), p(&input)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&["rubric", "validate", p(&rubric)]);
    assert!(o.status.success(), "{}", stderr(&o));

    let bad_rubric = temp_file("latin1.toml", b"id = \"caf\xe9\"\n");
    let o = run(&["rubric", "validate", p(&bad_rubric)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("latin1.toml: not valid UTF-8"),
        "{}",
        stderr(&o)
    );
    let bad_input = temp_file(
        "latin1.json",
        b"{\"id\": \"caf\xe9\", \"name\": \"A\", \"inputs\": {}}",
    );
    let o = run(&["score", p(&bad_input)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("latin1.json:1:"), "{}", stderr(&o));
    let bad_csv = temp_file(
        "latin1.csv",
        b"id,name,support_share\na,caf\xe9,80\nb,B,70\n",
    );
    let o = run(&["score", "--format", "csv", p(&bad_csv)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("latin1.csv:2:"), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().count(), 2);
}

#[test]
fn rubric_validate_reports_every_file() {
    let bad = temp_file(
        "bad-rubric.json",
        br#"{"id": "x", "version": "1", "themes": [], "criteria": []}"#,
    );
    let o = run(&[
        "rubric",
        "validate",
        p(&bad),
        "no/such/rubric.toml",
        "examples/rubrics/green-fund.toml",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("bad-rubric.json: themes: must not be empty"),
        "{err}"
    );
    assert!(err.contains("no/such/rubric.toml"), "{err}");
    assert!(stdout(&o).contains("green-fund.toml: ok"), "{}", stdout(&o));
}
