//! Benchmarks live in `rust/`.
