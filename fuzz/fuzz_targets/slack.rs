//! Fuzzes Slack's payload readers: event bodies, interaction payloads, slash-command fields
//! (the check is `leadbot::fuzz_checks::slack_payloads`, also run briefly by `cargo test`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| leadbot::fuzz_checks::slack_payloads(data));
