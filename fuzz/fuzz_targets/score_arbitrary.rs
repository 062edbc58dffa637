//! Fuzz target `score_arbitrary`: see `civic_value_fuzz::score_arbitrary`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| civic_value_fuzz::score_arbitrary(data));
