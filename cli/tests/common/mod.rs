//! What the command-line tests share: running the built `civic-value` from the repository's
//! root, reading its output, and scratch files.
#![allow(dead_code)] // each test file uses some of these

use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// The repository's root (where `examples/` is).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs the built command line with these arguments from the repository's root.
pub fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_civic-value"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap()
}

/// Runs it with `input` on standard input (written from another thread, so a command that
/// stops reading early cannot block the test).
pub fn run_with_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_civic-value"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let data = input.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&data);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

/// Standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// Standard output read as JSON, after checking the command succeeded.
pub fn json(o: &Output) -> Value {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

/// A scratch file with these bytes, in a folder of this test process's own.
pub fn temp_file(name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("civic-value-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// [`temp_file`]'s path as text, for an argument list.
pub fn temp(name: &str, bytes: impl AsRef<[u8]>) -> String {
    temp_file(name, bytes).to_str().unwrap().to_owned()
}
