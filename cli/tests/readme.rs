//! README.md's command-line examples, run as a new user would run them, against this build.
//!
//! The README is the independent source: the outputs it prints are what a reader sees, so
//! they are the expected text here (never output produced by the code under test).
//!
//! How README.md's fenced blocks are read (the same rules as py/tests/test_readme.py and
//! wasm/tests/node/readme.test.mjs; the reader and the matching rules are the
//! `civic-value-readme-blocks` crate in tests/readme-blocks, shared with the other README tests):
//!
//! - An HTML comment on the line right before a block is its marker:
//!   `<!-- no-run: REASON -->` skips it (a reason is required);
//!   `<!-- output-of: COMMAND -->` on a ```text block says which command prints it;
//!   `<!-- usage: … -->` on a ```text block of `civic-value …` lines: every `--flag` a line
//!   names must be in that command's `--help`, and every command `--help` lists needs a line;
//!   `<!-- errors: … -->` on a ```text block of error messages: core/tests/readme_errors.rs
//!   produces each one.
//! - A ```sh block right before a ```text block (only blank lines between) is run with bash
//!   (`set -eo pipefail`) and its stdout compared with the text; a ```sh block without
//!   an output block must succeed. A ```text block whose first line starts with `$ ` is a
//!   terminal session: each command's stdout, then its stderr, must give the lines that follow.
//! - Commands run in a fresh directory holding `examples/` (a link to the repository's), with
//!   this build's `civic-value` first on `PATH`; `cargo run --release -p civic-value-cli --`
//!   stands for `civic-value`.
//! - Outputs may be abridged: a line `…` stands for any number of lines, a `…` inside a line
//!   for any text; every other line must be there, in order, and nothing may follow the last
//!   shown line unless the block ends with a `…` line. Trailing spaces do not count.
//! - Every block must be one of these, a ```text output of a ```python block (checked by the
//!   Python test), or ```python / ```js / ```rust / ```toml (checked by the Python, node and
//!   doc tests): a block nothing checks makes this test fail.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::process::Command;

// The README's blocks and the matching rules: one reader for every Rust README test.
use readme_blocks::{Block, lines_match, marker, next_block, previous_block, readme, root};

const CARGO_RUN: &str = "cargo run --release -p civic-value-cli --";

// --- running commands -----------------------------------------------------------------------

/// A fresh directory with `examples/` linked to the repository's.
fn sandbox(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("civic-value-readme-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::os::unix::fs::symlink(root().join("examples"), dir.join("examples")).unwrap();
    dir
}

fn bash(script: &str, dir: &Path) -> std::process::Output {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_civic-value"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("bash")
        .arg("-c")
        .arg(script.replace(CARGO_RUN, "civic-value"))
        .current_dir(dir)
        .env("PATH", path)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn split_lines(s: &str) -> Vec<String> {
    s.split('\n').map(str::to_string).collect()
}

/// Runs a ```sh block; returns its stdout. It must succeed.
fn run_sh(b: &Block) -> String {
    let dir = sandbox(&format!("sh{}", b.line));
    let script = format!("set -eo pipefail\n{}", b.body.join("\n"));
    let o = bash(&script, &dir);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        o.status.success(),
        "README.md:{}: the commands failed ({}):\n{}{}",
        b.line,
        o.status,
        text(&o.stdout),
        text(&o.stderr)
    );
    text(&o.stdout)
}

/// Runs a `$ …` session: every command's stdout, then its stderr; `echo $?` sees the status.
fn run_session(b: &Block) -> (Vec<String>, Vec<String>) {
    let dir = sandbox(&format!("session{}", b.line));
    let mut script = String::new();
    let mut shown = Vec::new();
    for (k, line) in b.body.iter().enumerate() {
        if let Some(cmd) = line.strip_prefix("$ ") {
            script.push_str(&format!(
                "{{ {cmd}\n}} >.out{k} 2>.err{k}; s=$?; cat .out{k} .err{k}; (exit $s)\n"
            ));
        } else {
            shown.push(line.clone());
        }
    }
    let o = bash(&script, &dir);
    let _ = std::fs::remove_dir_all(&dir);
    (shown, split_lines(&text(&o.stdout)))
}

fn assert_output(b: &Block, shown: &[String], real: &str) {
    assert!(
        lines_match(shown, &split_lines(real)),
        "README.md:{}: the README shows\n{}\n\nthe command prints\n{}",
        b.line,
        shown.join("\n"),
        real
    );
}

#[test]
fn every_shown_command_output_is_what_the_command_prints() {
    let (lines, blocks) = readme();
    let mut checked = 0;
    for b in &blocks {
        if marker(b, "no-run").is_some() {
            continue;
        }
        match b.lang.as_str() {
            "sh" => {
                let out = run_sh(b);
                if let Some(next) = next_block(&lines, &blocks, b)
                    && next.lang == "text"
                    && next.marker.is_none()
                {
                    assert_output(next, &next.body, &out);
                }
                checked += 1;
            }
            "text" => {
                if let Some(cmd) = marker(b, "output-of") {
                    // The command must be one the README tells the reader to run.
                    assert!(
                        blocks
                            .iter()
                            .any(|s| s.lang == "sh" && s.body.iter().any(|l| l.trim() == cmd)),
                        "README.md:{}: no ```sh block runs `{cmd}`",
                        b.line
                    );
                    let dir = sandbox(&format!("of{}", b.line));
                    let o = bash(cmd, &dir);
                    let _ = std::fs::remove_dir_all(&dir);
                    assert!(o.status.success(), "README.md:{}: {cmd} failed", b.line);
                    assert_output(b, &b.body, &text(&o.stdout));
                    checked += 1;
                } else if b.body.first().is_some_and(|l| l.starts_with("$ ")) {
                    let (shown, real) = run_session(b);
                    assert!(
                        lines_match(&shown, &real),
                        "README.md:{}: the README shows\n{}\n\nthe session prints\n{}",
                        b.line,
                        shown.join("\n"),
                        real.join("\n")
                    );
                    checked += 1;
                }
            }
            _ => {}
        }
    }
    // A parser that found nothing would make this test vacuous.
    assert!(checked >= 9, "only {checked} command blocks were checked");
}

#[test]
fn every_flag_in_the_usage_lines_exists() {
    let (_, blocks) = readme();
    let usage: Vec<&Block> = blocks
        .iter()
        .filter(|b| marker(b, "usage").is_some())
        .collect();
    assert!(!usage.is_empty(), "the usage block was not found");
    let mut flags_checked = 0;
    for b in usage {
        // A command's lines: `civic-value SUB [SUB2] …` and its continuation lines.
        let mut commands: Vec<(Vec<String>, String)> = Vec::new();
        for line in &b.body {
            if let Some(rest) = line.strip_prefix("civic-value ") {
                let words: Vec<String> = rest
                    .split_whitespace()
                    .take_while(|w| w.chars().all(|c| c.is_ascii_lowercase()))
                    .map(str::to_string)
                    .collect();
                commands.push((words, line.clone()));
            } else if let Some(last) = commands.last_mut() {
                last.1.push(' ');
                last.1.push_str(line);
            }
        }
        assert!(
            commands.len() >= 5,
            "README.md:{}: usage lines not found",
            b.line
        );
        for (words, text_of_command) in commands {
            let mut args = words.clone();
            args.push("--help".to_string());
            let o = Command::new(env!("CARGO_BIN_EXE_civic-value"))
                .args(&args)
                .output()
                .unwrap();
            assert!(
                o.status.success(),
                "README.md:{}: civic-value {args:?}",
                b.line
            );
            let help = text(&o.stdout);
            for flag in text_of_command
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                .filter(|w| w.starts_with("--") && w.len() > 2)
            {
                assert!(
                    help.contains(&format!("{flag} ")) || help.contains(&format!("{flag}\n")),
                    "README.md:{}: `civic-value {}` has no {flag}:\n{help}",
                    b.line,
                    words.join(" ")
                );
                flags_checked += 1;
            }
        }
    }
    assert!(flags_checked >= 30, "only {flags_checked} flags checked");
}

/// The commands a `--help` lists (its `Commands:` section, without `help`).
fn subcommands(args: &[&str]) -> Vec<String> {
    let o = Command::new(env!("CARGO_BIN_EXE_civic-value"))
        .args(args)
        .arg("--help")
        .output()
        .unwrap();
    text(&o.stdout)
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|c| c != "help")
        .collect()
}

#[test]
fn every_command_has_a_usage_line() {
    let (_, blocks) = readme();
    let usage: Vec<String> = blocks
        .iter()
        .filter(|b| marker(b, "usage").is_some())
        .flat_map(|b| b.body.iter().cloned())
        .collect();
    let top = subcommands(&[]);
    assert!(top.len() >= 8, "commands: {top:?}");
    for command in top {
        let nested = subcommands(&[command.as_str()]);
        let lines: Vec<String> = if nested.is_empty() {
            vec![format!("civic-value {command} ")]
        } else {
            nested
                .iter()
                .map(|n| format!("civic-value {command} {n}"))
                .collect()
        };
        for line in lines {
            assert!(
                usage.iter().any(|u| u.starts_with(&line)),
                "README.md's usage lines have no `{}`",
                line.trim_end()
            );
        }
    }
}

#[test]
fn every_block_is_checked_or_says_why_not() {
    let (lines, blocks) = readme();
    assert!(blocks.len() >= 40, "only {} blocks found", blocks.len());
    for b in &blocks {
        if let Some(reason) = marker(b, "no-run") {
            assert!(
                !reason.is_empty(),
                "README.md:{}: no-run needs a reason",
                b.line
            );
            continue;
        }
        if let Some((kind, _)) = &b.marker {
            assert!(
                ["output-of", "usage", "errors"].contains(&kind.as_str()),
                "README.md:{}: unknown marker {kind}",
                b.line
            );
        }
        let checked = match b.lang.as_str() {
            // py/tests/test_readme.py, wasm/tests/node/readme.test.mjs, core's doc tests.
            "python" | "js" | "rust" | "toml" | "sh" => true,
            "text" => {
                b.marker.is_some()
                    || b.body.first().is_some_and(|l| l.starts_with("$ "))
                    || previous_block(&lines, &blocks, b).is_some_and(|p| {
                        matches!(p.lang.as_str(), "sh" | "python") && marker(p, "no-run").is_none()
                    })
            }
            _ => false,
        };
        assert!(
            checked,
            "README.md:{}: a ```{} block that no test checks (mark it <!-- no-run: why -->)",
            b.line, b.lang
        );
    }
}
