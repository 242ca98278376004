//! Purpose: a person when the prospect asks for one — recognise "talk to a human" (and
//! `/human`) in the script's language, pause the script while a rep has the conversation, and
//! resume it where it stopped when the rep hands back. What the prospect writes meanwhile is
//! for the rep: it is never interpreted, so nothing is scored twice.

use chrono::{DateTime, FixedOffset};

use super::state::ConversationState;
use super::{Effect, Reply, Turn, messages, pending_question};
use crate::extract::fold;
use crate::locale::Locale;
use crate::script::{MessageKey, Script};

/// Whole messages that ask for a person in any language.
const WHOLE: &[&str] = &[
    "/human",
    "human",
    "a human",
    "agent",
    "operator",
    "상담원",
    "operator uman",
];

/// Phrases that ask for a person wherever they appear in a message, by language (folded: no
/// accents, lower case). English ones work in every script.
const ENGLISH: &[&str] = &[
    "talk to a human",
    "speak to a human",
    "talk with a human",
    "speak with a human",
    "talk to a person",
    "speak to a person",
    "talk to a real person",
    "speak to a real person",
    "talk to someone",
    "speak to someone",
    "talk to somebody",
    "a real person",
    "a human please",
    "human please",
    "live agent",
    "human agent",
    "talk to sales",
    "speak to sales",
];
const KOREAN: &[&str] = &[
    "사람과 이야기",
    "사람이랑 이야기",
    "사람과 대화",
    "사람이랑 대화",
    "상담원 연결",
    "상담원과",
    "직원과 이야기",
    "직원 연결",
    "사람 연결",
];
const ROMANIAN: &[&str] = &[
    "vreau sa vorbesc cu cineva",
    "sa vorbesc cu cineva",
    "vorbesc cu un om",
    "vorbesc cu o persoana",
    "vreau un om",
    "un operator",
    "cu un coleg",
    "persoana reala",
];

/// True when `text` asks for a person: a built-in phrase of the script's language (or
/// English), one of the script's `human_phrases`, or `/human`.
pub fn asks_for_human(text: &str, script: &Script) -> bool {
    let folded = fold(text);
    let message =
        folded.trim_matches(|c: char| (c.is_ascii_punctuation() && c != '/') || c.is_whitespace());
    if WHOLE.contains(&message) {
        return true;
    }
    let local: &[&str] = match script.locale {
        Locale::En => &[],
        Locale::Ko => KOREAN,
        Locale::Ro => ROMANIAN,
    };
    ENGLISH
        .iter()
        .chain(local)
        .any(|phrase| contains_phrase(message, phrase))
        || script
            .human_phrases
            .iter()
            .any(|phrase| contains_phrase(message, &fold(phrase)))
}

/// `phrase` in `message` on word boundaries ("a human" is not in "a humane society"); Korean
/// particles and endings attach to the phrase ("이야기하고"), so only Latin letters and
/// digits count as the same word.
pub(super) fn contains_phrase(message: &str, phrase: &str) -> bool {
    if phrase.is_empty() {
        return false;
    }
    message.match_indices(phrase).any(|(start, _)| {
        let before = message[..start].chars().next_back();
        let after = message[start + phrase.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric())
            && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

/// The prospect asked for a person: the script pauses (the pending question stays pending)
/// and the runtime routes a takeover.
pub(super) fn request(script: &Script, mut turn: Turn, now: DateTime<FixedOffset>) -> Turn {
    turn.state.human_since = Some(now);
    turn.say(messages::text(script, MessageKey::Takeover));
    turn.effects.push(Effect::HumanRequested);
    turn
}

/// A rep hands the conversation back: the script resumes with the question it was waiting
/// on, asked again now (or stays ended, as it was). Nothing when no rep had it.
pub fn hand_back(script: &Script, state: ConversationState, now: DateTime<FixedOffset>) -> Turn {
    let mut turn = Turn {
        state,
        effects: Vec::new(),
    };
    if turn.state.human_since.take().is_none() {
        return turn;
    }
    if let Some(pending) = turn.state.pending.as_mut() {
        pending.asked_at = now;
    }
    turn.say(messages::text(script, MessageKey::HandedBack));
    if let Some(question) = pending_question(script, &turn.state) {
        turn.effects.push(Effect::Say(question));
    }
    turn
}

/// What the rep wrote, as the prospect sees it: the rep's name first, mass mentions made
/// harmless (`@everyone`, `@here`, `<!channel>` are never echoed live), and cut into pieces
/// of at most `limit` characters, at line or word breaks where possible.
pub fn rep_message(rep_name: &str, text: &str, limit: usize) -> Vec<Reply> {
    let text = format!("{rep_name}: {}", defuse_mentions(text.trim()));
    split(&text, limit.max(16))
        .into_iter()
        .map(Reply::plain)
        .collect()
}

/// Mass mentions made plain text on every platform: Slack's `<!channel>`, `<!here>`,
/// `<!everyone>` and `<!subteam^…>`, and `@everyone` / `@here` (Discord and Slack).
pub fn defuse_mentions(text: &str) -> String {
    let mut out = text.replace("<!", "<\u{200b}!");
    for mention in ["@everyone", "@here", "@channel"] {
        let mut defused = String::with_capacity(out.len());
        let mut rest = out.as_str();
        while let Some(found) = find_ignoring_case(rest, mention) {
            defused.push_str(&rest[..found]);
            defused.push_str("@\u{200b}");
            defused.push_str(&rest[found + 1..found + mention.len()]);
            rest = &rest[found + mention.len()..];
        }
        defused.push_str(rest);
        out = defused;
    }
    out
}

fn find_ignoring_case(haystack: &str, needle: &str) -> Option<usize> {
    haystack.char_indices().map(|(at, _)| at).find(|&at| {
        haystack
            .get(at..at + needle.len())
            .is_some_and(|part| part.eq_ignore_ascii_case(needle))
    })
}

/// `text` in pieces of at most `limit` characters, broken after a newline or a space when one
/// falls in the second half of a piece.
fn split(text: &str, limit: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut rest: Vec<char> = text.chars().collect();
    while rest.len() > limit {
        let window = &rest[..limit];
        let cut = window
            .iter()
            .rposition(|c| *c == '\n')
            .or_else(|| window.iter().rposition(|c| c.is_whitespace()))
            .filter(|at| *at >= limit / 2)
            .map_or(limit, |at| at + 1);
        let piece: String = rest.drain(..cut).collect();
        pieces.push(piece.trim_end().to_string());
    }
    let last: String = rest.into_iter().collect();
    if !last.trim().is_empty() || pieces.is_empty() {
        pieces.push(last);
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::tests::in_language as script_in;

    #[test]
    fn asking_for_a_person_is_recognised_in_each_language() {
        let en = script_in("en");
        for text in [
            "can I talk to a human please?",
            "/human",
            "Human",
            "I'd rather speak to someone",
        ] {
            assert!(asks_for_human(text, &en), "{text}");
        }
        for text in [
            "we're a human resources firm",
            "humane",
            "about 40 people",
            "sales",
        ] {
            assert!(!asks_for_human(text, &en), "{text}");
        }
        assert!(asks_for_human("사람과 이야기하고 싶어요", &script_in("ko")));
        assert!(asks_for_human(
            "Vreau să vorbesc cu cineva",
            &script_in("ro")
        ));
        let mut custom = script_in("en");
        custom.human_phrases = vec!["Get me Bob".into()];
        assert!(asks_for_human("please get me bob!", &custom));
    }

    #[test]
    fn the_script_waits_while_a_rep_has_it_and_resumes_where_it_stopped() {
        use crate::engine::state::Stage;
        use crate::engine::{Input, start, step};
        let script = script_in("en");
        let now = DateTime::parse_from_rfc3339("2026-03-04T10:00:00+02:00").unwrap();
        let started = start(&script, now);
        let waiting_on = started.state.pending.clone().unwrap().step;
        let text = |said: &str| Input::Text(said.into());
        let asked = step(
            &script,
            started.state,
            &text("can I talk to a human please"),
            now,
        );
        assert!(
            asked.effects.contains(&Effect::HumanRequested),
            "{:?}",
            asked.effects
        );
        assert_eq!(asked.state.human_since, Some(now));
        assert_eq!(super::super::timers::next_wake(&script, &asked.state), None);
        let during = step(
            &script,
            asked.state,
            &text("Dana; budget $90k, this month"),
            now,
        );
        assert_eq!(
            during.effects,
            vec![Effect::ForRep],
            "not interpreted, not scored"
        );
        assert!(during.state.answers.is_empty());
        assert_eq!(during.state.score, 0);
        let later = now + chrono::Duration::minutes(10);
        let back = hand_back(&script, during.state.clone(), later);
        assert_eq!(back.state.human_since, None);
        let said: Vec<&str> = back
            .effects
            .iter()
            .filter_map(|effect| match effect {
                Effect::Say(reply) => Some(reply.text.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(said.len(), 2, "{said:?}");
        assert_eq!(said[0], messages::text(&script, MessageKey::HandedBack));
        let pending = back.state.pending.clone().unwrap();
        assert_eq!(
            (pending.step.as_str(), pending.asked_at),
            (waiting_on.as_str(), later)
        );
        assert!(hand_back(&script, back.state, later).effects.is_empty());
        let stopped = step(&script, during.state, &text("stop"), later);
        assert_eq!(stopped.state.stage, Stage::OptedOut);
        assert_eq!(stopped.state.human_since, None);
    }

    #[test]
    fn mass_mentions_never_reach_anyone() {
        let defused = defuse_mentions("hi @everyone and @Here, <!channel> <!subteam^S1>");
        for mention in ["@everyone", "@Here", "<!channel>", "<!subteam"] {
            assert!(!defused.contains(mention), "{defused}");
        }
        assert!(defused.contains("everyone"));
    }

    #[test]
    fn long_replies_are_split_to_the_limit_and_nothing_is_lost() {
        let text = "word ".repeat(10_000);
        let pieces = rep_message("Ana", &text, 2000);
        assert!(pieces.len() >= 25, "{}", pieces.len());
        assert!(
            pieces
                .iter()
                .all(|piece| piece.text.chars().count() <= 2000)
        );
        let words: usize = pieces
            .iter()
            .map(|piece| {
                piece
                    .text
                    .split_whitespace()
                    .filter(|w| *w == "word")
                    .count()
            })
            .sum();
        assert_eq!(words, 10_000);
        assert!(pieces[0].text.starts_with("Ana: word"));
    }
}
