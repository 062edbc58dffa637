//! Fuzz target `rubric_json`: see `civic_value_fuzz::rubric_json`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| civic_value_fuzz::rubric_json(data));
