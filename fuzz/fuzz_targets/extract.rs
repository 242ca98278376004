//! Fuzzes every extractor in every language: no input may panic (the check is
//! `leadbot::fuzz_checks::extractors`, also run briefly by `cargo test`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| leadbot::fuzz_checks::extractors(data));
