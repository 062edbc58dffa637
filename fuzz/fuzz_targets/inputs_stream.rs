//! Fuzz target `inputs_stream`: see `civic_value_fuzz::inputs_stream`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| civic_value_fuzz::inputs_stream(data));
