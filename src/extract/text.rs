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
