//! Purpose: text normalisation shared by every extractor (case, accents, width, spacing).

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Lower-cases, removes accents (ș→s, ă→a), folds full-width forms and collapses spaces, so
/// that "Săptămâna  Viitoare" and "saptamana viitoare" compare equal. Hangul is kept whole.
pub fn fold(text: &str) -> String {
    let decomposed: String = text.nfkd().filter(|c| !is_combining_mark(*c)).collect();
    let recomposed: String = decomposed.nfc().collect();
    recomposed
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A regex that matches nothing: the fallback if a built-in pattern ever failed to compile, so
/// that a bad pattern degrades one rule instead of panicking.
pub(crate) fn never_matching_regex() -> regex::Regex {
    regex::Regex::new(r"[^\s\S]")
        .unwrap_or_else(|_| regex::Regex::new("$^").unwrap_or_else(|e| panic!("{e}")))
}
