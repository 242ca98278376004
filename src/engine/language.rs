//! Purpose: the prospect's language — recognise a request to switch ("English please", "în
//! română", "한국어로", or a script's `language_phrases`) to another member of the script's
//! family, and continue the conversation there with the answers given so far (translations
//! share step ids).

use chrono::{DateTime, FixedOffset};

use super::state::ConversationState;
use super::takeover::contains_phrase;
use super::{Turn, messages, pending_question};
use crate::extract::fold;
use crate::locale::Locale;
use crate::script::{MessageKey, Script};

/// A request longer than this many words is a sentence that mentions a language, not a request.
const MAX_REQUEST_WORDS: usize = 5;

/// Whole messages that ask for a language (folded, without punctuation).
fn whole_messages(locale: Locale) -> &'static [&'static str] {
    match locale {
        Locale::En => &["english", "engleza", "영어"],
        Locale::Ko => &["korean", "coreeana", "한국어", "한국말"],
        Locale::Ro => &["romanian", "romana", "limba romana", "루마니아어"],
    }
}

/// Phrases that ask for a language inside a short message (folded).
fn phrases(locale: Locale) -> &'static [&'static str] {
    match locale {
        Locale::En => &[
            "english please",
            "in english",
            "speak english",
            "switch to english",
            "in engleza",
            "영어로",
        ],
        Locale::Ko => &[
            "korean please",
            "in korean",
            "speak korean",
            "switch to korean",
            "in coreeana",
            "한국어로",
            "한국말로",
        ],
        Locale::Ro => &[
            "romanian please",
            "in romanian",
            "speak romanian",
            "switch to romanian",
            "in romana",
            "in limba romana",
            "루마니아어로",
        ],
    }
}

/// The member of `family` (the scripts sharing the current script's `family`, the current one
/// included) that `text` asks to continue in, if it asks for one.
pub fn requested<'a>(text: &str, family: &[&'a Script]) -> Option<&'a Script> {
    let folded = fold(text);
    let message = folded
        .trim_matches(|c: char| c.is_ascii_punctuation() || c.is_whitespace())
        .trim_end_matches(" please")
        .trim_end_matches(" pls");
    if message.split_whitespace().count() > MAX_REQUEST_WORDS {
        return None;
    }
    family.iter().copied().find(|member| {
        whole_messages(member.locale).contains(&message)
            || phrases(member.locale)
                .iter()
                .any(|phrase| contains_phrase(message, phrase))
            || member
                .language_phrases
                .iter()
                .any(|phrase| contains_phrase(message, &fold(phrase)))
    })
}

/// Whether a conversation can continue on `target`: every step it has answered, and the one it
/// waits on, exists there and informs the same criterion.
pub fn fits(target: &Script, state: &ConversationState) -> Result<(), String> {
    let steps = state
        .answers
        .iter()
        .map(|answer| (answer.step.as_str(), Some(answer.criterion)))
        .chain(
            state
                .pending
                .iter()
                .map(|pending| (pending.step.as_str(), None)),
        );
    for (step, criterion) in steps {
        match target.step(step) {
            None => return Err(format!("step {step:?} is not in the target version")),
            Some(found) if criterion.is_some_and(|c| c != found.criterion) => {
                return Err(format!(
                    "step {step:?} informs {} in the target version, not {}",
                    found.criterion.name(),
                    criterion.map(|c| c.name()).unwrap_or_default()
                ));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

/// Continues the conversation on `target` (the family member in the language asked for): its
/// answers, score and stage stay; it says so in the new language and asks the waiting question
/// there. The caller checked [`fits`].
pub fn switch(target: &Script, state: ConversationState, now: DateTime<FixedOffset>) -> Turn {
    let mut turn = Turn {
        state,
        effects: Vec::new(),
    };
    turn.state.nudged = false;
    turn.state.abandoned_at = None;
    turn.state.script_id = target.id.clone();
    turn.state.script_version = target.version.clone();
    if let Some(pending) = turn.state.pending.as_mut() {
        pending.asked_at = now;
        pending.clarifying.clear();
    }
    turn.say(messages::text(target, MessageKey::LanguageSwitched));
    if let Some(question) = pending_question(target, &turn.state) {
        turn.effects.push(super::Effect::Say(question));
    }
    turn
}

/// Continues on `target` because the prospect wrote `input` in its language: the message is
/// read there as the answer it is ("김민지" is a name), after saying the conversation goes on
/// in that language; a message that answers nothing there (a greeting) is a plain [`switch`].
pub fn continue_in(
    target: &Script,
    state: ConversationState,
    input: &super::Input,
    now: DateTime<FixedOffset>,
) -> Turn {
    let mut moved = state.clone();
    moved.script_id = target.id.clone();
    moved.script_version = target.version.clone();
    let mut stepped = super::step(target, moved, input, now);
    if !stepped
        .effects
        .iter()
        .any(|effect| matches!(effect, super::Effect::AnswerRecorded(_)))
    {
        return switch(target, state, now);
    }
    let said = messages::text(target, MessageKey::LanguageSwitched);
    stepped
        .effects
        .insert(0, super::Effect::Say(super::Reply::plain(said)));
    stepped
}

/// The language a first message is clearly written in: Hangul is Korean; Romanian letters
/// (ă, â, î, ș, ț) or common Romanian words are Romanian; otherwise none (the default script).
pub fn detect(text: &str) -> Option<Locale> {
    if text
        .chars()
        .any(|c| matches!(c, '\u{ac00}'..='\u{d7a3}' | '\u{1100}'..='\u{11ff}' | '\u{3130}'..='\u{318f}'))
    {
        return Some(Locale::Ko);
    }
    if text.chars().any(|c| "ăâîșşțţĂÂÎȘŞȚŢ".contains(c)) {
        return Some(Locale::Ro);
    }
    const ROMANIAN_WORDS: &[&str] = &[
        "buna",
        "salut",
        "vreau",
        "doresc",
        "pentru",
        "sunt",
        "este",
        "ziua",
        "multumesc",
        "avem",
        "aveti",
        "dumneavoastra",
        "rog",
        "despre",
        "informatii",
    ];
    let folded = fold(text);
    let romanian = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| ROMANIAN_WORDS.contains(word))
        .count();
    (romanian >= 1 && !english_too(&folded)).then_some(Locale::Ro)
}

/// True when a message also has common English words (a Romanian-looking word in an English
/// sentence, "Hi, I'm from Si Corp").
fn english_too(folded: &str) -> bool {
    const ENGLISH_WORDS: &[&str] = &[
        "hi", "hello", "the", "i", "im", "we", "you", "is", "are", "a", "an", "and", "for", "to",
        "of", "my", "your", "want", "need", "please",
    ];
    folded
        .split(|c: char| !c.is_alphanumeric())
        .any(|word| ENGLISH_WORDS.contains(&word))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::tests::in_language;

    #[test]
    fn the_first_message_says_the_language_when_it_is_clear() {
        assert_eq!(detect("안녕하세요"), Some(Locale::Ko));
        assert_eq!(detect("Bună ziua"), Some(Locale::Ro));
        assert_eq!(detect("buna ziua, vreau o ofertă"), Some(Locale::Ro));
        assert_eq!(detect("salut"), Some(Locale::Ro));
        assert_eq!(detect("hello"), None);
        assert_eq!(detect("Hi, I want a demo for the team"), None);
        assert_eq!(detect("hi"), None);
    }

    #[test]
    fn a_request_for_a_language_picks_the_family_member() {
        let (en, ko, ro) = (in_language("en"), in_language("ko"), in_language("ro"));
        let family = [&en, &ko, &ro];
        let locale = |text: &str| requested(text, &family).map(|script| script.locale);
        assert_eq!(locale("English please"), Some(Locale::En));
        assert_eq!(locale("în română, vă rog"), Some(Locale::Ro));
        assert_eq!(locale("한국어로 해주세요"), Some(Locale::Ko));
        assert_eq!(locale("Korean"), Some(Locale::Ko));
        assert_eq!(
            locale("we sell mostly in english and in romanian to schools"),
            None
        );
        assert_eq!(locale("영어 교육 회사"), None);
        assert_eq!(locale("Acme"), None);
        let mut custom = in_language("ro");
        custom.language_phrases = vec!["pe românește".into()];
        assert_eq!(
            requested("pe romaneste", &[&en, &custom]).map(|s| s.locale),
            Some(Locale::Ro)
        );
    }
}
