//! Purpose: text normalisation shared by every extractor (case, accents, width, spacing).

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Lower-cases, removes accents (ș→s, ă→a), folds full-width forms and collapses spaces, so
/// that "Săptămâna  Viitoare" and "saptamana viitoare" compare equal. Hangul is kept whole.
pub fn fold(text: &str) -> String {
    let mut folded = String::with_capacity(text.len());
    let mut pending_space = false;
    let mut push = |c: char, folded: &mut String| {
        if c.is_whitespace() {
            pending_space = !folded.is_empty();
        } else {
            if pending_space {
                folded.push(' ');
                pending_space = false;
            }
            folded.push(c);
        }
    };
    if text.is_ascii() {
        // Fast path: nothing to decompose.
        for c in text.chars() {
            push(c.to_ascii_lowercase(), &mut folded);
        }
    } else {
        for c in text.nfkd().filter(|c| !is_combining_mark(*c)).nfc() {
            for lower in c.to_lowercase() {
                push(lower, &mut folded);
            }
        }
    }
    folded
}

/// A regex that matches nothing: the fallback if a built-in pattern ever failed to compile, so
/// that a bad pattern degrades one rule instead of panicking.
#[expect(
    clippy::expect_used,
    reason = "an empty character class is a constant pattern that always compiles"
)]
pub(crate) fn never_matching_regex() -> regex::Regex {
    regex::Regex::new(r"[^\s\S]").expect("the empty character class compiles")
}

/// Compiles a built-in pattern; one that failed would match nothing rather than panic (each
/// module's tests exercise its patterns, so a broken one cannot go unnoticed).
///
/// Word boundaries are ASCII (`\b` becomes `(?-u:\b)`): a Unicode `\b` keeps the regex crate
/// from using its DFAs on non-ASCII text, and made a 4 KB Korean message take milliseconds.
/// Text is folded before matching (Romanian accents removed), so for English and Romanian the
/// two mean the same; next to Hangul an ASCII boundary is the one wanted ("30명" ends a number).
pub(crate) fn pattern(source: &str) -> regex::Regex {
    regex::Regex::new(&ascii_word_boundaries(source)).unwrap_or_else(|_| never_matching_regex())
}

/// Rewrites each `\b` and `\B` of a pattern as its ASCII form, leaving escaped backslashes alone.
fn ascii_word_boundaries(source: &str) -> String {
    let mut out = String::with_capacity(source.len() + 16);
    let mut chars = source.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('b') => out.push_str("(?-u:\\b)"),
            Some('B') => out.push_str("(?-u:\\B)"),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn word_boundaries_become_ascii_and_escaped_backslashes_stay() {
        assert_eq!(ascii_word_boundaries(r"\bk\b"), r"(?-u:\b)k(?-u:\b)");
        assert_eq!(ascii_word_boundaries(r"a\\b\d\B"), r"a\\b\d(?-u:\B)");
        assert!(pattern(r"\b30\b").is_match("30명"));
        assert!(!pattern(r"\bmo\b").is_match("month"));
    }

    use super::*;

    #[test]
    fn folds_case_accents_width_and_spaces() {
        let cases: &[(&str, &str)] = &[
            ("Săptămâna  Viitoare", "saptamana viitoare"),
            ("  ŞI  ţară ", "si tara"),
            ("ＡＢＣ　１２３", "abc 123"),
            ("다음 주\t화요일", "다음 주 화요일"),
            ("Crăciun\nFericit", "craciun fericit"),
            ("", ""),
            ("ASAP!", "asap!"),
        ];
        for (text, expected) in cases {
            assert_eq!(fold(text), *expected, "{text}");
        }
    }
}
