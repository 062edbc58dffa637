//! Fuzz target `inputs_csv`: see `civic_value_fuzz::inputs_csv`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| civic_value_fuzz::inputs_csv(data));
