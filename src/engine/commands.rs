//! Purpose: recognise the few words that control a conversation rather than answer it —
//! stop, restart, help — in every supported language.

use crate::extract::fold;
use crate::locale::Locale;

/// A control word the prospect typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Opt out now, politely.
    Stop,
    /// Start the dialogue over.
    Restart,
    /// Explain what is going on.
    Help,
}

const STOP: &[&str] = &[
    "stop",
    "unsubscribe",
    "opt out",
    "opt-out",
    "optout",
    "stop messaging me",
    "leave me alone",
    "don't contact me",
    "do not contact me",
];
const RESTART: &[&str] = &[
    "restart",
    "start over",
    "start again",
    "reset",
    "begin again",
];
const HELP: &[&str] = &["help", "?", "what is this", "what's this"];

const STOP_KO: &[&str] = &[
    "그만",
    "그만해",
    "그만할게요",
    "그만하기",
    "중지",
    "중단",
    "수신거부",
    "수신 거부",
    "연락하지 마세요",
];
const RESTART_KO: &[&str] = &[
    "다시 시작",
    "다시시작",
    "처음부터",
    "재시작",
    "처음부터 다시",
];
const HELP_KO: &[&str] = &["도움말", "도움", "도와주세요", "뭐예요", "이게 뭐예요"];

const STOP_RO: &[&str] = &[
    "dezabonare",
    "dezaboneaza-ma",
    "dezabonez",
    "renunt",
    "nu mai vreau",
    "nu ma mai contactati",
    "opreste",
];
const RESTART_RO: &[&str] = &["reincepe", "de la capat", "o luam de la capat", "reset"];
const HELP_RO: &[&str] = &["ajutor", "ce este asta", "ce e asta"];

/// The command in `text`, if the whole message is one. English commands work in every language.
pub fn recognise(text: &str, locale: Locale) -> Option<Command> {
    let folded = fold(text);
    let word =
        folded.trim_matches(|c: char| c.is_ascii_punctuation() && c != '?' || c.is_whitespace());
    let word = if word.len() > 1 {
        word.trim_end_matches('?')
    } else {
        word
    };
    let (stop, restart, help): (&[&str], &[&str], &[&str]) = match locale {
        Locale::En => (&[], &[], &[]),
        Locale::Ko => (STOP_KO, RESTART_KO, HELP_KO),
        Locale::Ro => (STOP_RO, RESTART_RO, HELP_RO),
    };
    let listed =
        |english: &[&str], local: &[&str]| english.contains(&word) || local.contains(&word);
    if listed(STOP, stop) {
        Some(Command::Stop)
    } else if listed(RESTART, restart) {
        Some(Command::Restart)
    } else if listed(HELP, help) {
        Some(Command::Help)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_commands_in_each_language() {
        let cases = [
            ("STOP", Locale::En, Some(Command::Stop)),
            ("Unsubscribe.", Locale::En, Some(Command::Stop)),
            ("start over", Locale::En, Some(Command::Restart)),
            ("help?", Locale::En, Some(Command::Help)),
            ("?", Locale::En, Some(Command::Help)),
            ("그만", Locale::Ko, Some(Command::Stop)),
            ("수신 거부", Locale::Ko, Some(Command::Stop)),
            ("처음부터", Locale::Ko, Some(Command::Restart)),
            ("도움말", Locale::Ko, Some(Command::Help)),
            ("stop", Locale::Ko, Some(Command::Stop)),
            ("Dezabonare", Locale::Ro, Some(Command::Stop)),
            ("renunț", Locale::Ro, Some(Command::Stop)),
            ("de la capăt", Locale::Ro, Some(Command::Restart)),
            ("ajutor!", Locale::Ro, Some(Command::Help)),
        ];
        for (text, locale, expected) in cases {
            assert_eq!(recognise(text, locale), expected, "{text}");
        }
    }

    #[test]
    fn answers_that_merely_contain_a_command_word_are_not_commands() {
        for text in [
            "we want to stop using spreadsheets",
            "help desk software",
            "I need help with billing",
        ] {
            assert_eq!(recognise(text, Locale::En), None, "{text}");
        }
        assert_eq!(recognise("그만 쓰고 싶어요 엑셀", Locale::Ko), None);
    }
}
