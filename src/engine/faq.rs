//! Purpose: questions asked mid-dialogue — answer the ones the script's `[[faq]]` covers, note
//! the others for the rep, and ask the waiting question again; neither counts as a failed
//! answer or a re-ask.

use chrono::{DateTime, FixedOffset};

use super::takeover::contains_phrase;
use super::{Effect, Turn, flood, messages, question};
use crate::extract::fold;
use crate::locale::Locale;
use crate::script::{Expectation, Faq, MessageKey, Script, Step};

/// The most unanswered questions kept on a conversation: enough for any real prospect, bounded
/// against one who pastes a list.
pub const MAX_OPEN_QUESTIONS: usize = 10;

/// Words an English question starts with; read in every script, as prospects mix languages.
const ENGLISH_OPENERS: &[&str] = &[
    "what", "whats", "how", "why", "when", "where", "who", "whom", "whose", "which", "do", "does",
    "did", "can", "could", "is", "are", "will", "would", "should", "may", "have", "has", "any",
];
/// Romanian question openers, folded.
const ROMANIAN_OPENERS: &[&str] = &[
    "ce",
    "cat",
    "cati",
    "cate",
    "cum",
    "cand",
    "unde",
    "cine",
    "care",
    "aveti",
    "puteti",
    "exista",
    "oferiti",
    "se",
    "sunteti",
    "merge",
    "functioneaza",
];
/// Korean question words, found anywhere (Korean puts them mid-sentence).
const KOREAN_WORDS: &[&str] = &[
    "뭐",
    "무엇",
    "무슨",
    "어떻게",
    "어떤",
    "얼마",
    "언제",
    "왜",
    "누가",
    "누구",
    "어디",
    "몇",
];
/// Korean interrogative endings.
const KOREAN_ENDINGS: &[&str] = &["나요", "까요", "가요", "니까", "는지", "ㄴ가", "인가"];

/// True when `text` reads as a question in the script's language (or English): it ends with a
/// question mark or starts with a question word.
pub fn looks_like_question(text: &str, locale: Locale) -> bool {
    let trimmed = text.trim();
    if trimmed.ends_with(['?', '？']) {
        return true;
    }
    let folded = fold(trimmed);
    let first = folded
        .split(|c: char| c.is_whitespace() || c == ',')
        .next()
        .unwrap_or_default()
        .trim_matches(|c: char| !c.is_alphanumeric());
    let first = first.replace(['\'', '’'], "");
    if ENGLISH_OPENERS.contains(&first.as_str()) {
        return true;
    }
    match locale {
        Locale::En => false,
        Locale::Ro => ROMANIAN_OPENERS.contains(&first.as_str()),
        Locale::Ko => {
            let end = trimmed.trim_end_matches(|c: char| c.is_ascii_punctuation() || c == '~');
            KOREAN_ENDINGS.iter().any(|ending| end.ends_with(ending))
                || KOREAN_WORDS.iter().any(|word| trimmed.contains(word))
        }
    }
}

/// The FAQ entry `text` asks, if any: the one with the longest phrase found in it.
pub fn matching<'a>(script: &'a Script, text: &str) -> Option<&'a Faq> {
    let folded = fold(text);
    script
        .faq
        .iter()
        .filter_map(|entry| {
            entry
                .phrases
                .iter()
                .filter(|phrase| contains_phrase(&folded, phrase))
                .map(String::len)
                .max()
                .map(|length| (length, entry))
        })
        .max_by_key(|(length, _)| *length)
        .map(|(_, entry)| entry)
}

/// Handles `text` as a question aside, when it is one: an FAQ entry's answer, or a note for
/// the rep; then the waiting question again. `understood` says whether the step could read
/// `text` as its answer (a free-text step cannot answer with a question). False when `text`
/// is to be taken as an answer.
pub(super) fn aside(
    script: &Script,
    turn: &mut Turn,
    step: &Step,
    text: &str,
    understood: bool,
    flooding: bool,
    now: DateTime<FixedOffset>,
) -> bool {
    let asks = looks_like_question(text, script.locale);
    let answers = understood && !(asks && matches!(step.expect, Expectation::Text { .. }));
    if let Some(entry) = matching(script, text)
        && (asks || !answers)
    {
        turn.say(entry.answer.clone());
        ask_again(turn, step, now);
        return true;
    }
    if !asks || answers {
        return false;
    }
    note(&mut turn.state.open_questions, text);
    if flooding {
        flood::hold(script, turn);
        return true;
    }
    turn.say(messages::text(script, MessageKey::QuestionNoted));
    ask_again(turn, step, now);
    true
}

/// The waiting question, asked again now (not a re-ask: the prospect asked something first).
fn ask_again(turn: &mut Turn, step: &Step, now: DateTime<FixedOffset>) {
    if let Some(pending) = turn.state.pending.as_mut() {
        pending.asked_at = now;
    }
    turn.effects.push(Effect::Say(question(step)));
}

/// Keeps a question for the rep: once, trimmed, at most [`MAX_OPEN_QUESTIONS`].
fn note(open: &mut Vec<String>, text: &str) {
    let text = text.trim().to_string();
    if open.len() < MAX_OPEN_QUESTIONS && !open.contains(&text) {
        open.push(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn questions_are_recognised_in_each_language() {
        for (text, locale) in [
            ("how much is it", Locale::En),
            ("Do you integrate with Salesforce", Locale::En),
            ("price?", Locale::En),
            ("What's the catch", Locale::En),
            ("Cât costă", Locale::Ro),
            ("aveți integrare cu SAP", Locale::Ro),
            ("가격이 얼마예요", Locale::Ko),
            ("보안 인증이 있나요", Locale::Ko),
            ("how does it work", Locale::Ko),
        ] {
            assert!(looks_like_question(text, locale), "{text}");
        }
        for (text, locale) in [
            ("Acme Corp", Locale::En),
            ("about 20k a year", Locale::En),
            ("Dana", Locale::En),
            ("Northwind SRL", Locale::Ro),
            ("김민수입니다", Locale::Ko),
            ("다음 달", Locale::Ko),
        ] {
            assert!(!looks_like_question(text, locale), "{text}");
        }
    }
}
