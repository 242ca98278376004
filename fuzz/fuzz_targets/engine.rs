//! Fuzzes the engine with the shipped English script: lines of input, one turn each (the check
//! is `leadbot::fuzz_checks::engine_turns`, also run briefly by `cargo test`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| leadbot::fuzz_checks::engine_turns(data));
