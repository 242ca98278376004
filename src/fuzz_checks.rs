//! Purpose: what the fuzz targets check, in the library, so the same checks also run as short
//! property tests in every `cargo test` (the cargo-fuzz targets in `fuzz/` need a nightly
//! toolchain and run by hand). Each takes arbitrary bytes and panics only when a promise
//! breaks: whatever arrives, the engine, the extractors and the platforms' payload readers read
//! it or refuse it.

use std::collections::HashSet;
use std::path::Path;
use std::sync::LazyLock;

use chrono::{DateTime, Duration, FixedOffset};

use crate::channels::{discord, slack};
use crate::engine::{self, Input};
use crate::extract::{self, ChoiceCandidate};
use crate::locale::Locale;
use crate::script::{self, Script};

/// The shipped English script, as the engine check runs it.
static SCRIPT: LazyLock<Option<Script>> = LazyLock::new(|| {
    let source = include_str!("../conversations/saas-en.toml");
    script::parse(source, Path::new("saas-en.toml")).ok()
});

fn start_time() -> Option<DateTime<FixedOffset>> {
    DateTime::parse_from_rfc3339("2026-03-04T10:00:00+02:00").ok()
}

/// Lines of `data` as a prospect's turns (at most 40) on the shipped English script: no panic,
/// and the score is always the sum of the score events.
pub fn engine_turns(data: &[u8]) {
    let (Some(script), Ok(text), Some(start)) =
        (SCRIPT.as_ref(), std::str::from_utf8(data), start_time())
    else {
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
        assert_eq!(
            turn.state.score, total,
            "the score is always the sum of its events"
        );
    }
}

/// `data` through every extractor in every language: no panic.
pub fn extractors(data: &[u8]) {
    let (Ok(text), Some(now)) = (std::str::from_utf8(data), start_time()) else {
        return;
    };
    let synonyms = vec![
        "switch".to_string(),
        "엑셀".to_string(),
        "înlocuim".to_string(),
    ];
    let options = [
        ChoiceCandidate {
            value: "replace",
            label: "Replacing our current tool",
            synonyms: &synonyms,
        },
        ChoiceCandidate::labelled("Setting up a new process"),
        ChoiceCandidate::labelled("Just looking around"),
    ];
    for locale in Locale::ALL {
        let _ = extract::money(text, locale, locale.default_currency());
        let _ = extract::timeframe(text, locale, now);
        let _ = extract::number(text, locale, now);
        let _ = extract::yes_no(text, locale);
        let _ = extract::choice(text, locale, &options);
        let _ = extract::choices(text, locale, &options);
    }
    let _ = extract::email(text);
    let _ = extract::contact::person_name(text);
    let _ = extract::contact::company(text);
}

/// `data` as a Slack Events API body, an interaction payload and slash-command form fields:
/// read or refused, no panic.
pub fn slack_payloads(data: &[u8]) {
    for mode in [
        slack::config::MentionMode::Thread,
        slack::config::MentionMode::DirectMessage,
    ] {
        let _ = slack::inbound::event(data, mode);
    }
    let text = String::from_utf8_lossy(data);
    let _ = slack::inbound::interaction(&text);
    let fields: Vec<(String, String)> = text
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(key, value)| (key.to_string(), value.to_string()))
        .collect();
    let _ = slack::inbound::command(&fields, "/qualify");
    let _ = slack::inbound::slack_time(&text);
}

/// `data` as a Discord MESSAGE_CREATE (when it is one) routed from a DM, a qualification
/// channel and elsewhere, and as a component `custom_id`: no panic.
pub fn discord_payloads(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = discord::ids::ComponentAction::parse(&text);
    let _ = discord::ids::ProspectAddress::parse(&text);
    let Ok(message) = serde_json::from_slice::<serenity::all::Message>(data) else {
        return;
    };
    let qualifying: HashSet<serenity::all::ChannelId> = [message.channel_id].into();
    for channels in [&HashSet::new(), &qualifying] {
        let _ = discord::inbound::route_message(&message, None, channels);
        let _ = discord::inbound::route_message(&message, Some(message.author.id), channels);
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// A Discord message whose content and kind come from the test.
    fn discord_message(content: &str, kind: u8) -> Vec<u8> {
        serde_json::json!({
            "id": "1", "channel_id": "40", "type": kind, "content": content,
            "author": {"id": "7", "username": "dana", "discriminator": "0", "avatar": null},
            "timestamp": "2026-03-04T10:00:00.000000+00:00", "edited_timestamp": null,
            "tts": false, "mention_everyone": false, "mentions": [], "mention_roles": [],
            "attachments": [], "embeds": [], "pinned": false,
        })
        .to_string()
        .into_bytes()
    }

    #[test]
    fn the_generated_discord_messages_are_messages() {
        let parsed = serde_json::from_slice::<serenity::all::Message>(&discord_message("hi", 0));
        assert!(parsed.is_ok(), "{parsed:?}");
    }

    proptest! {
        // A short run of each fuzz target's check in every `cargo test`.
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn the_engine_check_holds(lines in proptest::collection::vec("\\PC{0,40}", 0..12)) {
            engine_turns(lines.join("\n").as_bytes());
        }

        #[test]
        fn the_extractors_check_holds(data in proptest::collection::vec(any::<u8>(), 0..200)) {
            extractors(&data);
        }

        #[test]
        fn the_slack_check_holds(data in proptest::collection::vec(any::<u8>(), 0..400)) {
            slack_payloads(&data);
        }

        #[test]
        fn the_discord_check_holds(
            data in proptest::collection::vec(any::<u8>(), 0..200),
            content in "\\PC{0,120}",
            kind in 0u8..25,
        ) {
            discord_payloads(&data);
            discord_payloads(&discord_message(&content, kind));
        }
    }
}
