//! `score --columns`: the chosen columns of the CSV and NDJSON outputs are the full
//! output's same columns, row by row, on the examples, on odd files (bad rows, quotes, CRLF,
//! blank lines, no id column, ranges, another delimiter) and on a generated file larger than
//! the reader's chunks; the same messages and exit status; names checked.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::process::{Command, Output};

use serde_json::Value;

mod common;
use common::{run, temp};

/// A CSV output as its header and rows (the csv crate reads the quoted fields).
fn table(o: &Output) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(o.stdout.as_slice());
    let header = r.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

const SELECTIONS: [&str; 6] = [
    "id,total",
    "id,total,band",
    "total",
    "band,name,id,total",
    "id,points",
    // Every column, in another order: the writer of chosen columns, not the default one.
    "points,knocked_out,high,low,band,total,name,id",
];

/// Each selection's CSV output is the full output's columns of those names, every row, and
/// the messages on stderr and the exit status are the same.
fn csv_agrees(path: &str, extra: &[&str]) {
    let mut args = vec!["score", "--format", "csv"];
    args.extend_from_slice(extra);
    args.push(path);
    let full = run(&args);
    let (header, rows) = table(&full);
    assert!(!rows.is_empty() || full.status.code() == Some(1), "{path}");
    for selection in SELECTIONS {
        let mut args = vec!["score", "--format", "csv", "--columns", selection];
        args.extend_from_slice(extra);
        args.push(path);
        let got = run(&args);
        assert_eq!(got.status.code(), full.status.code(), "{path} {selection}");
        assert_eq!(
            String::from_utf8_lossy(&got.stderr),
            String::from_utf8_lossy(&full.stderr),
            "{path} {selection}"
        );
        let (got_header, got_rows) = table(&got);
        let wanted: Vec<usize> = got_header
            .iter()
            .map(|h| header.iter().position(|x| x == h).unwrap())
            .collect();
        let names: Vec<&str> = selection.split(',').collect();
        let expanded: Vec<&str> = got_header
            .iter()
            .map(|h| {
                if h.starts_with("points_") {
                    "points"
                } else {
                    h
                }
            })
            .collect();
        let mut dedup = expanded.clone();
        dedup.dedup();
        assert_eq!(dedup, names, "{path} {selection}: the header's columns");
        assert_eq!(got_rows.len(), rows.len(), "{path} {selection}");
        for (r, (g, f)) in got_rows.iter().zip(&rows).enumerate() {
            let want: Vec<&String> = wanted.iter().map(|&k| &f[k]).collect();
            let g: Vec<&String> = g.iter().collect();
            assert_eq!(g, want, "{path} {selection} row {r}");
        }
    }
}

/// The same for NDJSON: each line's keys are the selection, in order, with the full
/// line's values.
fn ndjson_agrees(path: &str) {
    let full = run(&["score", "--format", "ndjson", path]);
    let lines = |o: &Output| -> Vec<serde_json::Map<String, Value>> {
        String::from_utf8(o.stdout.clone())
            .unwrap()
            .lines()
            .map(|l| match serde_json::from_str(l).unwrap() {
                Value::Object(m) => m,
                other => panic!("{other}"),
            })
            .collect()
    };
    let rows = lines(&full);
    for selection in SELECTIONS {
        let got = run(&["score", "--format", "ndjson", "--columns", selection, path]);
        assert_eq!(got.status.code(), full.status.code(), "{path} {selection}");
        assert_eq!(got.stderr, full.stderr, "{path} {selection}");
        // The keys in the selection's order (serde_json's map sorts them: read the text).
        for line in String::from_utf8(got.stdout.clone()).unwrap().lines() {
            let at: Vec<usize> = selection
                .split(',')
                .map(|k| line.find(&format!("\"{k}\":")).unwrap())
                .collect();
            assert!(at.windows(2).all(|w| w[0] < w[1]), "{selection}: {line}");
        }
        let got = lines(&got);
        assert_eq!(got.len(), rows.len());
        for (g, f) in got.iter().zip(&rows) {
            let mut keys: Vec<&str> = g.keys().map(String::as_str).collect();
            let mut want: Vec<&str> = selection.split(',').collect();
            keys.sort_unstable();
            want.sort_unstable();
            assert_eq!(keys, want);
            for (k, v) in g {
                assert_eq!(Some(v), f.get(k), "{path} {selection} {k}");
            }
        }
    }
}

#[test]
fn examples_agree_with_the_full_output() {
    for path in ["examples/initiatives.csv", "examples/fund-round.csv"] {
        csv_agrees(path, &[]);
        ndjson_agrees(path);
    }
    csv_agrees("examples/spreadsheet-nl.csv", &[]);
    csv_agrees("examples/initiatives.json", &[]);
    csv_agrees("examples/initiatives.csv", &["--perspective", "residents"]);
}

#[test]
fn odd_rows_agree_with_the_full_output() {
    let header =
        "id,name,volunteer_hours,inclusion,support_share,permit_secured,municipal_contribution";
    let body = [
        "a,Plain,1200,one_group,45.5,true,15000",
        "",
        "b,\"Quoted, with a comma\",900,none,12,false,0",
        "c,Range,100..300,several_groups,50,true,1000",
        "d,Out of range,1200,one_group,120,true,15000",
        "e,Not a number,lots,one_group,45,true,15000",
        "f,Too few cells,1200",
        "g,Too many cells,1200,one_group,45,true,15000,9",
        "h,Empty cells,,,,,",
        "i, Spaces ,  1200 ,one_group, 45 ,yes,15000",
        "j,Sign and exponent,-0,one_group,1e1,true,1.5e4",
        "k,Long number,123456789012,one_group,45.123456789,true,0.000001",
        "l,Unknown option,1200,many,45,true,15000",
    ];
    let text = format!("{header}\n{}\n", body.join("\n"));
    let lf = temp("odd.csv", text.as_bytes());
    let crlf = temp("odd-crlf.csv", text.replace('\n', "\r\n").as_bytes());
    let no_id = temp(
        "no-id.csv",
        b"volunteer_hours,support_share\n1200,45\n\n900,12.5\n,\n",
    );
    let semicolon = temp(
        "semi.csv",
        text.replace(',', ";").replace("45.5", "45,5").as_bytes(),
    );
    let no_break = temp("no-break.csv", text.trim_end().as_bytes());
    // Without the quoted row: read by the fast reader of plain lines, not handed on whole.
    let plain = text.replace("b,\"Quoted, with a comma\",900,none,12,false,0\n", "");
    let plain_lf = temp("plain.csv", plain.as_bytes());
    let plain_crlf = temp("plain-crlf.csv", plain.replace('\n', "\r\n").as_bytes());
    let plain_semicolon = temp(
        "plain-semi.csv",
        plain.replace(',', ";").replace("45.5", "45,5").as_bytes(),
    );
    let plain_no_break = temp("plain-no-break.csv", plain.trim_end().as_bytes());
    for path in [
        &lf,
        &crlf,
        &no_id,
        &semicolon,
        &no_break,
        &plain_lf,
        &plain_crlf,
        &plain_semicolon,
        &plain_no_break,
    ] {
        csv_agrees(path, &[]);
        ndjson_agrees(path);
    }
    let tsv = temp("plain.tsv", plain.replace(',', "\t").as_bytes());
    let pipe = temp("plain-pipe.csv", plain.replace(',', "|").as_bytes());
    csv_agrees(&tsv, &[]);
    csv_agrees(&pipe, &["--delimiter", "pipe"]);
    csv_agrees(&plain_lf, &["--perspective", "residents"]);
    csv_agrees(&plain_lf, &["--ignore", "municipal_contribution"]);
    csv_agrees(&plain_lf, &["--input-format", "csv"]);
    let bom = temp("plain-bom.csv", format!("\u{feff}{plain}").as_bytes());
    csv_agrees(&bom, &[]);
    // `id,total` lines of a comma-separated file are written directly (an id there needs
    // no quotes; spaces around it trimmed); of another delimiter's file, an id with a
    // comma is quoted as the full output quotes it.
    let ids = "id,volunteer_hours,support_share\n  s  ,1200,45.5\nt u,900,12\n\tv\t,1,2\n";
    let spaced = temp("plain-ids.csv", ids.as_bytes());
    let comma = temp(
        "plain-semi-ids.csv",
        ids.replace(',', ";")
            .replace("t u", "t,u")
            .replace("45.5", "45,5")
            .as_bytes(),
    );
    for path in [&spaced, &comma] {
        csv_agrees(path, &[]);
        ndjson_agrees(path);
    }
}

/// A chunk is read from its two halves at once (split at the line after its middle byte),
/// the second half's lines written after the first's: files of one line, of an odd and an
/// even number of lines, with a line the fast rules do not read (a range, too few cells, a
/// bad value: scored or reported by the general path in its place) in the first half or
/// in the second, and the last line without its line break, agree with the full output.
#[test]
fn both_halves_of_a_chunk_agree_with_the_full_output() {
    let header = "id,volunteer_hours,inclusion,support_share,permit_secured";
    let ordinary = |k: usize| format!("r{k},{},one_group,{}.5,true", 100 + k, k % 90);
    let odd = [
        "x,100..300,none,50,true",
        "y,1200",
        "z,1200,one_group,120,true",
    ];
    let mut cases: Vec<Vec<String>> = Vec::new();
    for n in [1, 2, 3, 5, 8] {
        cases.push((0..n).map(ordinary).collect());
    }
    for (n, at) in [(1, 0), (6, 0), (6, 1), (6, 4), (6, 5), (7, 3), (7, 6)] {
        for bad in odd {
            let mut lines: Vec<String> = (0..n).map(ordinary).collect();
            if let Some(line) = lines.get_mut(at) {
                *line = bad.to_owned();
            }
            cases.push(lines);
        }
    }
    for (k, lines) in cases.iter().enumerate() {
        let text = format!("{header}\n{}\n", lines.join("\n"));
        for (name, text) in [
            ("lf", text.clone()),
            ("no-break", text.trim_end().to_owned()),
        ] {
            let path = temp(&format!("halves-{k}-{name}.csv"), text.as_bytes());
            csv_agrees(&path, &[]);
        }
    }
    let crlf = format!("{header}\n{}\n", cases[cases.len() - 1].join("\n")).replace('\n', "\r\n");
    let path = temp("halves-crlf.csv", crlf.as_bytes());
    csv_agrees(&path, &[]);
    ndjson_agrees(&path);
}

/// A generated file of 60 000 rows (≈ 3.8 MB: several of the reader's chunks), plain rows
/// like the benchmark's, with odd rows in the first chunk (read by the fast reader of plain
/// lines), a quoted cell in the second (the rest is handed to the general reader) and a bad
/// row after it.
#[test]
fn a_file_larger_than_a_chunk_agrees_with_the_full_output() {
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut next = |n: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    };
    let mut text = String::from(
        "id,volunteer_hours,neighbour_contact,inclusion,green_area_m2,biodiversity,\
         residents_reached,support_share,partners,plan_maturity,permit_secured,\
         municipal_contribution,cofunding_share\n",
    );
    let options = ["none", "one_group", "several_groups"];
    for i in 0..60_000u64 {
        let share = next(1001);
        let row = format!(
            "i{i},{},{},{},{},{},{},{}.{},{},{},{},{},{}\n",
            next(6000),
            1 + next(5),
            options[next(3) as usize],
            next(30_000),
            1 + next(5),
            next(20_000),
            share / 10,
            share % 10,
            next(12),
            1 + next(5),
            if next(2) == 0 { "true" } else { "false" },
            next(250_000),
            next(100),
        );
        match i {
            5_000 => text.push_str(
                "\n\
                 range,100..300,1,none,0,1,0,10,0,1,true,0,0\n\
                 out-of-range,1,1,none,0,9,0,10,0,1,true,0,0\n\
                 few,1,1\n\
                 many,1,1,none,0,1,0,10,0,1,true,0,0,7\n\
                 text,lots,1,none,0,1,0,10,0,1,true,0,0\n\
                 crlf,1,1,none,0,1,0,10,0,1,true,0,0\r\n\
                 \r\n\
                 spaces, 1 ,1 , none,0,1,0,10.5 ,0,1, yes,0,0\n\
                 long,123456789,1,none,0,1,0,10.123456789,0,1,true,0,12345678.5\n\
                 empty,,,,,,,,,,,,\n\
                 signs,-0,+1,none,1e2,1,0,.5,0,1,true,0,5.\n",
            ),
            30_000 => text.push_str("q,\"5,5\",1,none,0,1,0,10,0,1,true,0,0\n"),
            40_000 => text.push_str("bad,1,1,none,0,9,0,10,0,1,true,0,0\n"),
            _ => {}
        }
        text.push_str(&row);
    }
    let path = temp("large.csv", text.as_bytes());
    csv_agrees(&path, &[]);
    std::fs::remove_file(&path).unwrap();
}

/// The file's last chunks are read in quarter chunks (so that the workers finish close
/// together): lines longer than a quarter chunk there, a bad row and a range after them,
/// and the rows around the switch to quarter chunks agree with the full output. Two
/// layouts (the read sizes checked with `strace` by the h11-cli review): with `shift`
/// `None` the 400 000-byte line starts 4 446 bytes into a quarter read, so more than
/// `CHUNK / 8` is carried over, the next read is a whole chunk and the fast reader reads
/// the long line, the bad row and the range in it; with `Some(39_892)` a line of that
/// length and a 300 000-byte line after it start the long one past `CHUNK / 8` of a
/// quarter read, which hands it and the rest of the file to the general reader.
#[test]
fn a_long_line_in_the_last_chunks_agrees_with_the_full_output() {
    for shift in [None, Some(39_892)] {
        let mut text = String::from(
            "id,volunteer_hours,inclusion,support_share,permit_secured
",
        );
        if shift.is_some() {
            text.push_str(",1,none,50,true\n");
        }
        let options = ["none", "one_group", "several_groups"];
        for i in 0..200_000u64 {
            match (i, shift) {
                (185_000, None) => {
                    text.push_str(&"x".repeat(400_000));
                    text.push_str(",1,none,5.5,true\n");
                }
                (180_000, Some(shift)) => {
                    text.push_str(&"y".repeat(shift));
                    text.push_str(",1,none,60,true\n");
                    text.push_str(&"x".repeat(300_000));
                    text.push_str(",1,none,5.5,true\n");
                }
                (190_000, _) => text.push_str("bad,1,none,120,true\nrange,1..3,none,5,true\n"),
                _ => {}
            }
            text.push_str(&format!(
                "i{i},{},{},{}.{},{}\n",
                i * 7 % 6000,
                options[(i % 3) as usize],
                i % 100,
                i % 10,
                if i % 2 == 0 { "true" } else { "false" },
            ));
        }
        // More than 4 chunks (the last 4 MiB are read in quarters with two workers).
        assert!(text.len() > 5 << 20, "{}", text.len());
        let path = temp("long-line-at-the-end.csv", text.as_bytes());
        csv_agrees(&path, &[]);
        std::fs::remove_file(&path).unwrap();
    }
}

/// Bad UTF-8 (a Latin-1 `é` in an id) in the second of the reader's chunks: the chunk and
/// the rest of the read go to the general reader, which names the file and stops as the full
/// output does (exit 1, the same rows before it and the same message).
#[test]
fn bad_utf8_after_the_first_chunk_agrees_with_the_full_output() {
    let mut text = b"id,volunteer_hours,support_share\n".to_vec();
    // ≈ 2.3 MB: the bad byte well inside the second 1 MiB chunk.
    for i in 0..120_000 {
        if i == 70_000 {
            text.extend_from_slice(b"caf\xE9,1,1.5\n");
        }
        text.extend_from_slice(format!("i{i},{},{}.5\n", i % 6000, i % 100).as_bytes());
    }
    let path = temp("latin1-large.csv", &text);
    csv_agrees(&path, &[]);
    let o = run(&["score", "--format", "csv", "--columns", "id,total", &path]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("latin1-large.csv") && err.contains("UTF-8"),
        "{err}"
    );
    // Every row before the bad one was written (the header and 70 000 lines).
    assert!(o.stdout.split(|&b| b == b'\n').count() > 70_000);
    std::fs::remove_file(&path).unwrap();
}

/// The output closed early (`| head`): the fast reader stops with the usage status, as the
/// general path does, and does not hang (a smoke test: the hang it guards against, the
/// reader waiting for a free buffer that stopped workers dropped, depends on timing).
#[test]
fn a_closed_output_stops_the_fast_reader() {
    use std::io::Read as _;
    let mut text = String::from("id,volunteer_hours,support_share\n");
    // ≈ 13 MB: more chunks than the reader has buffers.
    for i in 0..700_000 {
        text.push_str(&format!("i{i},{},{}.5\n", i % 6000, i % 100));
    }
    let path = temp("closed.csv", text.as_bytes());
    let mut child = Command::new(env!("CARGO_BIN_EXE_civic-value"))
        .args(["score", "--format", "csv", "--columns", "id,total", &path])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 100];
    stdout.read_exact(&mut first).unwrap();
    assert!(first.starts_with(b"id,total\ni0,"));
    drop(stdout);
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > std::time::Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("still running a minute after its output was closed");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    assert_eq!(status.code(), Some(2));
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn names_are_checked() {
    let o = run(&[
        "score",
        "--format",
        "csv",
        "--columns",
        "id,score",
        "examples/initiatives.csv",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8(o.stderr).unwrap();
    assert!(
        e.contains("unknown column \"score\"")
            && e.contains("id, name, total, band, low, high, knocked_out, points"),
        "{e}"
    );
    let o = run(&["score", "--columns", "id", "examples/initiatives.csv"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8(o.stderr)
            .unwrap()
            .contains("--format csv")
    );
    let help = run(&["score", "--help"]);
    let help = String::from_utf8(help.stdout).unwrap();
    assert!(
        help.contains("--columns <NAMES>") && help.contains("knocked_out"),
        "{help}"
    );
}

#[test]
fn default_columns_are_every_column() {
    let full = run(&["score", "--format", "csv", "examples/fund-round.csv"]);
    let all = run(&[
        "score",
        "--format",
        "csv",
        "--columns",
        "id,name,total,band,low,high,knocked_out,points",
        "examples/fund-round.csv",
    ]);
    assert_eq!(full.stdout, all.stdout);
    assert!(
        String::from_utf8(full.stdout)
            .unwrap()
            .starts_with("id,name,total,band,low,high,knocked_out,points_volunteer_hours,")
    );
}

/// A named pipe is left to the general reader, opened once: the fast reader must not open
/// it, find it is not a regular file and close it (the writer then got SIGPIPE, or the CLI
/// waited for a writer that was gone).
#[cfg(unix)]
#[test]
fn a_named_pipe_is_read_once() {
    use std::io::Write as _;
    let dir = std::env::temp_dir().join(format!("civic-value-fifo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("f.csv");
    let _ = std::fs::remove_file(&fifo);
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    for _ in 0..5 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_civic-value"))
            .args(["score", "--format", "csv", "--columns", "id,total"])
            .arg(&fifo)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Opening the write end waits for the CLI to open the read end; the write fails
        // (EPIPE) when the read end was closed before it.
        let path = fifo.clone();
        let writer = std::thread::spawn(move || {
            let mut f = std::fs::OpenOptions::new().write(true).open(path)?;
            f.write_all(b"id,support_share\na,72\n")
        });
        let started = std::time::Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > std::time::Duration::from_secs(20) {
                child.kill().unwrap();
                // Unblock a writer still waiting for a reader.
                let _ = std::fs::File::open(&fifo);
                panic!("still reading the named pipe after 20 s");
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        };
        writer.join().unwrap().unwrap();
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.starts_with("id,total\na,"), "{text}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A header longer than what the dialect is detected on (commas and semicolons tied in
/// its first 256 KiB, more semicolons after): the fast reader and the general one read it
/// with the same delimiter (the fast reader once detected on the whole header, and read
/// every row as a wrong number of cells).
#[test]
fn a_long_header_is_read_with_the_general_readers_delimiter() {
    let mut text = format!(
        "support_share,volunteer_hours;{};b;c;d;e\n",
        "x".repeat(270_000)
    );
    for i in 0..50 {
        text.push_str(&format!("{},\n", i % 100));
    }
    let path = temp("long-header.csv", text.as_bytes());
    csv_agrees(&path, &[]);
    // Without an id column, only `total` is read by the fast reader.
    let full = run(&["score", "--format", "csv", &path]);
    let o = run(&["score", "--format", "csv", "--columns", "total", &path]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let (_, rows) = table(&full);
    let (_, got) = table(&o);
    let totals: Vec<Vec<String>> = rows.iter().map(|r| vec![r[2].clone()]).collect();
    assert_eq!(got, totals);
    assert_eq!(got.len(), 50);
    std::fs::remove_file(&path).unwrap();
}

/// An output that cannot be written (`/dev/full`, Linux): the fast reader prints what the general
/// path prints, the one error line and no bad-row message before it, and exits with 2.
#[cfg(target_os = "linux")]
#[test]
fn an_unwritable_output_reports_only_the_write_error() {
    let mut text = String::from("id,volunteer_hours,support_share\n");
    // ≈ 4 MB, a bad row every 1000 (several per chunk of either reader).
    for i in 0..300_000 {
        if i % 1000 == 0 {
            text.push_str(&format!("i{i},{},lots\n", i % 6000));
        } else {
            text.push_str(&format!("i{i},{},{}\n", i % 6000, i % 100));
        }
    }
    let path = temp("unwritable.csv", text.as_bytes());
    let to_full = |columns: &[&str]| {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        Command::new(env!("CARGO_BIN_EXE_civic-value"))
            .args(["score", "--format", "csv"])
            .args(columns)
            .arg(&path)
            .stdout(full)
            .output()
            .unwrap()
    };
    let general = to_full(&[]);
    let fast = to_full(&["--columns", "id,total"]);
    let err = String::from_utf8_lossy(&general.stderr).into_owned();
    assert!(err.starts_with("error: cannot write the output"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(String::from_utf8_lossy(&fast.stderr), err);
    assert_eq!(general.status.code(), Some(2));
    assert_eq!(fast.status.code(), Some(2));
    std::fs::remove_file(&path).unwrap();
}

/// A worker's panic (injected: `CIVIC_VALUE_TEST_PANIC_AT_CHUNK`, debug builds only) ends
/// the run with the usage status and an internal error naming the chunk's first line; the
/// chunks before it are written, nothing after it (it was reported as one bad row, exit 1,
/// the rows after it numbered from a wrong line).
#[cfg(debug_assertions)]
#[test]
fn a_panic_in_a_worker_stops_the_run() {
    let mut text = String::from("id,volunteer_hours,support_share\n");
    // ≈ 4 MB: several chunks of 1 MiB.
    for i in 0..300_000 {
        text.push_str(&format!("i{i},{},{}\n", i % 6000, i % 100));
    }
    let path = temp("panic.csv", text.as_bytes());
    let o = Command::new(env!("CARGO_BIN_EXE_civic-value"))
        .args(["score", "--format", "csv", "--columns", "id,total", &path])
        .env("CIVIC_VALUE_TEST_PANIC_AT_CHUNK", "1")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("error: ") && err.contains("internal error while scoring the rows from line "),
        "{err}"
    );
    let (_, rows) = table(&o);
    // The first chunk's rows, in order, and none of the others.
    assert!(
        !rows.is_empty() && rows.len() < 300_000 / 3,
        "{}",
        rows.len()
    );
    for (k, row) in rows.iter().enumerate() {
        assert_eq!(row[0], format!("i{k}"));
    }
    // The line named is the first of the chunk not written.
    let next = format!("from line {}", rows.len() + 2);
    assert!(err.contains(&next), "{err} / {next}");
    std::fs::remove_file(&path).unwrap();
}
