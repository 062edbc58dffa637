//! Benchmarks live in `rust/`.

/// README.md's Rust examples, compiled and run as doc tests (`cargo test -p civic-value-benches
/// --doc`) so that they keep up with the API. They live in this unpublished crate because the
/// README is outside the published `civic-value` crate's own folder (a packaged crate could not
/// include it); the README's other blocks are checked by `cli/tests/readme.rs`,
/// `py/tests/test_readme.py` and `wasm/tests/node/readme.test.mjs`.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeExamples;
