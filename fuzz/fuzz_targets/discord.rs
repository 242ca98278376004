//! Fuzzes Discord's readers: MESSAGE_CREATE routing and component custom ids (the check is
//! `leadbot::fuzz_checks::discord_payloads`, also run briefly by `cargo test`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| leadbot::fuzz_checks::discord_payloads(data));
