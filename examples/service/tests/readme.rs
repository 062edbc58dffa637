//! README.md's service examples (section "A Rust scoring service"): the service is started as
//! the README starts it (on a free port instead of 8080, with `--token SECRET`), every `curl`
//! line there is sent as written, and the reply must be what the `#` comment below it shows
//! (a leading status like `422` is the HTTP status; `…` stands for any text). The README is
//! the expected side. The blocks carry `<!-- no-run -->` for cli/tests/readme.rs, which does
//! not start servers.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

// The README's blocks and the matching rules: one reader for every Rust README test.
use readme_blocks::{line_matches, readme, root, section_blocks};

struct Service {
    child: Child,
    banner: String,
    port: u16,
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start() -> Service {
    let mut child = Command::new(env!("CARGO_BIN_EXE_civic-value-service"))
        .args(["--port", "0", "--token", "SECRET"])
        .current_dir(root())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut banner = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut banner)
        .unwrap();
    let port = banner
        .split("http://127.0.0.1:")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {banner:?}"));
    Service {
        child,
        banner: banner.trim_end().to_string(),
        port,
    }
}

/// Shell words of one command line: plain words and '…' quoted ones (all the README uses).
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = line.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut word = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() {
                break;
            }
            chars.next();
            if c == '\'' {
                for q in chars.by_ref() {
                    if q == '\'' {
                        break;
                    }
                    word.push(q);
                }
            } else {
                word.push(c);
            }
        }
        out.push(word);
    }
    out
}

/// A command of the README (continuation lines joined) and the comment lines below it.
struct Example {
    line: usize,
    command: String,
    shown: String,
}

fn service_examples() -> Vec<Example> {
    let (lines, blocks) = readme();
    let mut out = Vec::new();
    for b in section_blocks(&lines, &blocks, "## A Rust scoring service") {
        if b.lang != "sh" {
            continue;
        }
        let body = &b.body;
        let mut i = 0;
        while i < body.len() {
            let l = &body[i];
            if !l.trim().is_empty() && !l.starts_with('#') {
                let line = b.body_line(i);
                let mut command = l.trim_end().to_string();
                while command.ends_with('\\') && i + 1 < body.len() {
                    command.pop();
                    i += 1;
                    command.push(' ');
                    command.push_str(body[i].trim());
                }
                let mut shown = String::new();
                while i + 1 < body.len() && body[i + 1].starts_with('#') {
                    i += 1;
                    shown.push_str(body[i].trim_start_matches('#').trim_start());
                }
                out.push(Example {
                    line,
                    command,
                    shown,
                });
            }
            i += 1;
        }
    }
    out
}

/// Sends what a `curl` line asks for; returns (status, body).
fn curl(command: &str, port: u16) -> (u16, String) {
    let w = words(command);
    assert_eq!(w[0], "curl");
    let mut method = "GET".to_string();
    let mut headers = Vec::new();
    let mut body = Vec::new();
    let mut path = None;
    let mut k = 1;
    while k < w.len() {
        let a = &w[k];
        if let Some(m) = a.strip_prefix("-X") {
            method = m.to_string();
        } else if a == "-H" {
            k += 1;
            headers.push(w[k].clone());
        } else if a == "-d" {
            k += 1;
            body = w[k].clone().into_bytes();
        } else if a == "--data-binary" {
            k += 1;
            let file = w[k].strip_prefix('@').unwrap();
            body = std::fs::read(root().join(file)).unwrap();
        } else if let Some(p) = a.strip_prefix("localhost:8080") {
            path = Some(p.to_string());
        } else {
            assert_eq!(a, "-s", "a curl option this test does not know");
        }
        k += 1;
    }
    let path = path.expect("no localhost:8080 URL");
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for h in &headers {
        request.push_str(h);
        request.push_str("\r\n");
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    stream.write_all(&body).unwrap();
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).unwrap();
    let reply = String::from_utf8(reply).unwrap();
    let (head, rest) = reply.split_once("\r\n\r\n").unwrap();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    assert!(
        !head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked"),
        "a streamed reply: {head}"
    );
    (status, rest.to_string())
}

#[test]
fn the_readme_requests_get_the_replies_it_shows() {
    let service = start();
    let examples = service_examples();
    let mut curls = 0;
    for ex in &examples {
        if ex
            .command
            .starts_with("cargo run --release -p civic-value-service --")
        {
            let shown = ex
                .shown
                .replace("127.0.0.1:8080", &format!("127.0.0.1:{}", service.port));
            assert!(
                line_matches(&shown, &service.banner),
                "README.md:{}: README shows\n  {shown}\nthe service prints\n  {}",
                ex.line,
                service.banner
            );
        } else if ex.command.starts_with("curl ") {
            let (status, body) = curl(&ex.command, service.port);
            let (want_status, shown) = match ex.shown.split_once(' ') {
                Some((s, rest)) if s.len() == 3 && s.chars().all(|c| c.is_ascii_digit()) => {
                    (s.parse::<u16>().unwrap(), rest)
                }
                _ => (200, ex.shown.as_str()),
            };
            assert_eq!(status, want_status, "README.md:{}: {body}", ex.line);
            assert!(
                line_matches(shown, &body),
                "README.md:{}: README shows\n  {shown}\nthe service replies\n  {body}",
                ex.line
            );
            curls += 1;
        }
    }
    assert!(curls >= 3, "only {curls} curl examples found");
}

#[test]
fn the_shell_words_are_read_as_bash_reads_them() {
    assert_eq!(
        words(r#"curl -s -H 'content-type: application/json' -d '{"a": 1}'"#),
        [
            "curl",
            "-s",
            "-H",
            "content-type: application/json",
            "-d",
            r#"{"a": 1}"#
        ]
    );
}
