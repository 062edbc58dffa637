//! Fuzz target `oracle`: see `civic_value_fuzz::oracle`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| civic_value_fuzz::oracle(data));
