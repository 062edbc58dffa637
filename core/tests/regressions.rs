//! Fuzzing on stable: every input under `tests/regressions/<target>/` (crashes found by
//! `scripts/fuzz`, and seeds) replayed through the same checks the fuzz targets run
//! (`fuzz/src/lib.rs`), plus a few hundred deterministic pseudo-random inputs per target
//! so that the checks themselves run in every test run. No nightly needed.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "../../fuzz/src/lib.rs"]
mod checks;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

type Check = fn(&[u8]);

const TARGETS: [(&str, Check); 7] = [
    ("rubric_json", checks::rubric_json),
    ("rubric_toml", checks::rubric_toml),
    ("inputs_json", checks::inputs_json),
    ("inputs_csv", checks::inputs_csv),
    ("inputs_stream", checks::inputs_stream),
    ("score_arbitrary", checks::score_arbitrary),
    ("oracle", checks::oracle),
];

fn regressions() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/regressions")
}

#[test]
fn every_kept_input_passes_its_target() {
    let mut failed = Vec::new();
    let mut replayed = 0;
    for (target, check) in TARGETS {
        let Ok(dir) = std::fs::read_dir(regressions().join(target)) else {
            continue;
        };
        let mut files: Vec<PathBuf> = dir.map(|e| e.unwrap().path()).collect();
        files.sort();
        for file in files.iter().filter(|f| f.is_file()) {
            let data = std::fs::read(file).unwrap();
            replayed += 1;
            if catch_unwind(AssertUnwindSafe(|| check(&data))).is_err() {
                failed.push(file.display().to_string());
            }
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {replayed} inputs fail: {failed:#?}",
        failed.len()
    );
}

#[test]
fn the_checks_pass_on_pseudo_random_inputs() {
    // xorshift64: the same inputs on every machine.
    let mut s: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    for (target, check) in TARGETS {
        for i in 0..200 {
            let len = (next() % 2048) as usize;
            let data: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            let outcome = catch_unwind(AssertUnwindSafe(|| check(&data)));
            assert!(outcome.is_ok(), "{target}: pseudo-random input {i} fails");
        }
    }
}
