//! Fuzz target `rubric_toml`: see `civic_value_fuzz::rubric_toml`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| civic_value_fuzz::rubric_toml(data));
