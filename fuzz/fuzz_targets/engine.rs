//! Fuzzes the engine with the shipped English script: lines of input, one turn each.
#![no_main]

use std::path::Path;
use std::sync::LazyLock;

use chrono::{DateTime, Duration, FixedOffset};
use leadbot::engine::{self, Input};
use leadbot::script::{self, Script};
use libfuzzer_sys::fuzz_target;

static SCRIPT: LazyLock<Option<Script>> = LazyLock::new(|| {
    let source = include_str!("../../conversations/saas-en.toml");
    script::parse(source, Path::new("saas-en.toml")).ok()
});

fuzz_target!(|data: &[u8]| {
    let (Some(script), Ok(text)) = (SCRIPT.as_ref(), std::str::from_utf8(data)) else {
        return;
    };
    let Ok(start) = DateTime::<FixedOffset>::parse_from_rfc3339("2026-03-04T10:00:00+02:00") else {
        return;
    };
    let points = |effects: &[engine::Effect]| -> i32 {
        effects
            .iter()
            .filter_map(engine::Effect::score_event)
            .map(|event| event.points)
            .sum()
    };
    let mut turn = engine::start(script, start);
    let mut total = points(&turn.effects);
    for (index, line) in text.lines().take(40).enumerate() {
        let now = start + Duration::seconds(index as i64 * 7);
        turn = engine::step(script, turn.state, &Input::Text(line.to_string()), now);
        total += points(&turn.effects);
        assert_eq!(turn.state.score, total, "the score is always the sum of its events");
    }
});
