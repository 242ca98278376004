//! Purpose: the words around an amount: periods, hedges, bounds and refusals, per language.

use std::sync::LazyLock;

use regex::Regex;

use super::*;

/// "per month", "/mo", "monthly", "pe lună", "lunar", "월", "매달".
pub(super) static MONTHLY: LazyLock<Regex> = LazyLock::new(|| {
    crate::extract::text::pattern(concat!(
        r"\b(per|a|an|each|every|p|pe|in)\s*/?\s*(month|mo|mth|luna)\b|\bmonthly\b|/\s*(mo|month|mth|m|luna)\b",
        r"|\blunar[ae]?\b|\bpm\b|\bp/m\b|\bpe\s+luna\b|\bper\s+(?:user|seat|license|licence|utilizator)\s+(?:per|a|pe)\s+(?:month|luna)\b",
        r"|(^|\s)월(\s|간|\d|[일이삼사오육칠팔구십백천만억])|매달|매월|한\s?달에?|달에|월마다|월간",
    ))
});

/// "a year", "annually", "per annum", "pe an", "anual", "연간", "매년".
pub(super) static YEARLY: LazyLock<Regex> = LazyLock::new(|| {
    crate::extract::text::pattern(concat!(
        r"\b(per|a|an|each|every|pe|in)\s*/?\s*(year|yr|annum|an)\b|\b(annually|yearly|annual|p\.?a)\b",
        r"|/\s*(yr|year|y|an)\b|\banual[ae]?\b|\bpe\s+ani?\b|\bfor\s+the\s+(?:first\s+|whole\s+)?year\b",
        r"|(^|\s)[연년](\s|간|\d|[일이삼사오육칠팔구십백천만억])|매년|연간|일\s?년에|1년에|년에|해마다",
    ))
});

/// Hedges: "about", "roughly", "-ish", "cam", "aproximativ", "약", "정도", "쯤".
pub(super) static APPROXIMATE: LazyLock<Regex> = LazyLock::new(|| {
    crate::extract::text::pattern(concat!(
        r"\b(about|around|roughly|approx|approximately|circa|ca|maybe|perhaps|nearly|almost|close to",
        r"|give or take|or so|ish|ballpark|estimated|est|something like|somewhere",
        r"|cam|aproximativ|aproape|vreo|in jur de|undeva|circa)\b|약|정도|쯤|대략|가량|내외|안팎|-ish",
    ))
});

/// A vague count before a scale word: "a few thousand", "a couple of hundred", "several
/// million", "câteva mii", "몇천만".
pub(super) static VAGUE_COUNT: LazyLock<Regex> = LazyLock::new(|| {
    crate::extract::text::pattern(
        r"\b(a couple of|a couple|a few|several|cateva|catevas)\s+(hundred|thousand|million|grand|k|sute|mii|milioane)\b|(몇)\s*([십백천만억])",
    )
});

/// Phrases before a number that make it an upper bound, longest first.
pub(super) const UPPER_BEFORE: &[&str] = &[
    "no more than",
    "not more than",
    "less than",
    "lower than",
    "fewer than",
    "at most",
    "up to",
    "upto",
    "under",
    "below",
    "max",
    "maximum",
    "within",
    "not over",
    "no higher than",
    "mai putin de",
    "mai mic de",
    "mai mica de",
    "cel mult",
    "pana la",
    "pana in",
    "maxim",
    "sub",
    "nu chiar",
    "nici macar",
    "mai ieftin de",
    "nu mai mult de",
    "최대",
    "최고",
];

/// Phrases before a number that make it a lower bound.
pub(super) const LOWER_BEFORE: &[&str] = &[
    "no less than",
    "not less than",
    "more than",
    "higher than",
    "greater than",
    "at least",
    "over",
    "above",
    "minimum",
    "min",
    "starting at",
    "starting from",
    "upwards of",
    "north of",
    "mai mult de",
    "mai mare de",
    "cel putin",
    "minim",
    "peste",
    "mai scump de",
    "macar",
    "최소",
    "적어도",
];

/// Phrases after a number that bound it from above.
pub(super) const UPPER_AFTER: &[&str] = &[
    "or less",
    "or under",
    "tops",
    "max",
    "maximum",
    "at most",
    "sau mai putin",
    "maxim",
    "이하",
    "미만",
    "까지",
    "안쪽",
    "이내",
    "아래",
];

/// Phrases after a number that bound it from below.
pub(super) const LOWER_AFTER: &[&str] = &[
    "or more",
    "plus",
    "+",
    "and up",
    "and above",
    "sau mai mult",
    "minim",
    "이상",
    "초과",
    "넘게",
    "넘는",
    "넘어",
    "부터",
    "over",
];

/// Whether `text` ends with `phrase` as whole words.
pub(super) fn ends_with_phrase(text: &str, phrase: &str) -> bool {
    let trimmed = text.trim_end();
    trimmed.strip_suffix(phrase).is_some_and(|before| {
        !before.chars().next_back().is_some_and(is_latin_letter)
            || !phrase.chars().all(|c| is_latin_letter(c) || c == ' ')
    })
}

/// Whether `text` starts with `phrase` as whole words.
pub(super) fn starts_with_phrase(text: &str, phrase: &str) -> bool {
    let trimmed = text.trim_start();
    trimmed.strip_prefix(phrase).is_some_and(|after| {
        !after.chars().next().is_some_and(is_latin_letter)
            || !phrase.chars().all(|c| is_latin_letter(c) || c == ' ')
    })
}

/// Refusal phrases, folded; checked only when no amount was found.
pub(super) const NO_BUDGET: &[&str] = &[
    "no budget",
    "don't have a budget",
    "dont have a budget",
    "do not have a budget",
    "don't have budget",
    "dont have budget",
    "haven't got a budget",
    "no money",
    "not budgeted",
    "nothing allocated",
    "zero budget",
    "not yet",
    "none",
    "nothing yet",
    "no funds",
    "nu avem buget",
    "nu avem bani",
    "fara buget",
    "nu exista buget",
    "niciun buget",
    "nu avem inca",
    "inca nu avem",
    "nu e buget",
    "nu am buget",
    "nu avem",
    "예산 없",
    "예산없",
    "아직 없",
    "없어요",
    "없습니다",
    "없음",
    "없어",
    "예산이 없",
    "아직 예산",
];

/// Phrases of a prospect who does not know the budget, folded.
pub(super) const UNSURE: &[&str] = &[
    "not sure",
    "don't know",
    "dont know",
    "do not know",
    "no idea",
    "tbd",
    "to be determined",
    "unsure",
    "depends",
    "not decided",
    "undecided",
    "hard to say",
    "tba",
    "unknown",
    "not clear",
    "haven't decided",
    "havent decided",
    "not determined",
    "no clue",
    "nu stiu",
    "nu sunt sigur",
    "nu e clar",
    "nu stim",
    "nu am idee",
    "nu se stie",
    "depinde",
    "nestabilit",
    "nu am decis",
    "nu am hotarat",
    "inca nu stim",
    "neclar",
    "모르겠",
    "몰라",
    "모름",
    "미정",
    "글쎄",
    "정해지지",
    "미확정",
    "잘 모르",
    "결정되지",
    "결정 안",
    "아직 몰",
];

/// Whether `phrase` occurs in `folded` as whole words (Hangul phrases anywhere).
pub(super) fn contains_phrase(folded: &str, phrase: &str) -> bool {
    let mut search_from = 0;
    while let Some(found) = folded.get(search_from..).and_then(|rest| rest.find(phrase)) {
        let at = search_from + found;
        let before_ok = !folded[..at]
            .chars()
            .next_back()
            .is_some_and(is_latin_letter);
        let after_ok = !folded[at + phrase.len()..]
            .chars()
            .next()
            .is_some_and(is_latin_letter);
        let latin = phrase.chars().any(is_latin_letter);
        if !latin || (before_ok && after_ok) {
            return true;
        }
        search_from = at + phrase.len();
    }
    false
}

/// "~5k" hedges; "10~20만원" is a range.
pub(super) fn tilde_hedge(folded: &str) -> bool {
    folded.match_indices('~').any(|(at, _)| {
        !folded[..at]
            .trim_end()
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric)
    })
}
