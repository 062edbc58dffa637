//! Fuzz target `inputs_json`: see `civic_value_fuzz::inputs_json`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| civic_value_fuzz::inputs_json(data));
