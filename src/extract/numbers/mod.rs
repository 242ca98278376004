//! Purpose: find numbers written in digits or words (English, Korean, Romanian), with scale
//! words ("20 thousand", "2,5 milioane", "1억 5천만"), as spans that money and timeframe share.

use super::tokens::{Tok, TokKind, is_hangul, parse_digits, tokenize};
use crate::locale::Locale;

mod korean;
mod ordinals;
mod words;

use korean::*;
pub use ordinals::ordinal_in;
use words::*;

/// A number found in folded text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NumSpan {
    /// Byte offset of the number's first character in the folded text.
    pub start: usize,
    /// Byte offset just past the number (scale words included).
    pub end: usize,
    /// The value, scale applied.
    pub value: f64,
    /// The value before the trailing scale ("20" in "20k"), used to spread a scale over ranges.
    pub base: f64,
    /// The trailing scale (1 when none): 1000 for "k", 10 000 for "만".
    pub scale: f64,
    /// True when written (at least partly) in words.
    pub words: bool,
    /// Index of the first token of the number.
    pub first_token: usize,
    /// Index just past the number's last token.
    pub end_token: usize,
}

/// Scale words and suffixes, in folded form, of every language (mixed-language chat is common).
pub fn scale_word(word: &str) -> Option<f64> {
    Some(match word {
        "hundred" | "hundreds" | "suta" | "sute" => 1e2,
        "k" | "thousand" | "thousands" | "grand" | "thou" | "mie" | "mii" => 1e3,
        "lakh" | "lakhs" | "lac" => 1e5,
        "crore" | "crores" => 1e7,
        "m" | "mm" | "mn" | "mil" | "mio" | "mln" | "million" | "millions" | "milion"
        | "milioane" | "milioana" => 1e6,
        "b" | "bn" | "billion" | "billions" | "miliard" | "miliarde" | "bil" => 1e9,
        "trillion" | "trillions" | "trilion" | "trilioane" => 1e12,
        _ => return None,
    })
}

/// The folded text's numbers, in order, with spans. `locale` picks the number words; digits and
/// English scale suffixes are read in every locale.
pub fn scan(folded: &str, locale: Locale) -> Vec<NumSpan> {
    let tokens = tokenize(folded);
    let mut found = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if let Some(span) = read_at(&tokens, i, locale) {
            i = span.end_token.max(i + 1);
            found.push(span);
        } else {
            i += 1;
        }
    }
    found
}

fn read_at(tokens: &[Tok], i: usize, locale: Locale) -> Option<NumSpan> {
    let tok = tokens.get(i)?;
    match tok.kind {
        TokKind::Digits => {
            let value = parse_digits(tok.text)?;
            let glued_hangul = tokens.get(i + 1).is_some_and(|n| {
                n.kind == TokKind::Hangul && n.start == tok.end && starts_with_unit(n.text)
            });
            if glued_hangul {
                return read_korean(tokens, i);
            }
            // "1 point 5"
            let is_point = tokens.get(i + 1).is_some_and(|t| t.text == "point");
            if is_point && let Some((fraction, used)) = decimal_digits(tokens, i + 2, locale) {
                return Some(with_scales(
                    tokens,
                    i,
                    i + 2 + used,
                    (value + fraction, 1.0),
                    true,
                    locale,
                ));
            }
            Some(with_scales(tokens, i, i + 1, (value, 1.0), false, locale))
        }
        TokKind::Hangul => read_korean(tokens, i).or_else(|| read_native_korean(tokens, i)),
        TokKind::Word => read_words(tokens, i, locale),
        TokKind::Sym => None,
    }
}

/// Applies trailing scale words: "20k", "2,5 milioane", "20 de mii", "1.5 million".
pub(super) fn with_scales(
    tokens: &[Tok],
    first: usize,
    mut next: usize,
    (base, mut scale): (f64, f64),
    words: bool,
    locale: Locale,
) -> NumSpan {
    let mut end = tokens.get(next.saturating_sub(1)).map_or(0, |t| t.end);
    while let Some(tok) = tokens.get(next) {
        if tok.kind != TokKind::Word {
            break;
        }
        if locale == Locale::Ro && tok.text == "de" {
            let after = tokens.get(next + 1);
            if let Some(s) = after
                .filter(|t| t.kind == TokKind::Word)
                .and_then(|t| scale_word(t.text))
                && s >= 1e3
                && !matches!(after.map(|t| t.text), Some("m" | "k" | "b"))
            {
                scale *= s;
                end = after.map_or(end, |t| t.end);
                next += 2;
                continue;
            }
            break;
        }
        let glued = tok.start == end;
        let Some(s) = scale_word(tok.text) else { break };
        // Single-letter suffixes only count when glued ("10k", "5m") or clearly standalone "k".
        if tok.text.len() == 1 && !glued && tok.text != "k" {
            break;
        }
        scale *= s;
        end = tok.end;
        next += 1;
    }
    let start = tokens.get(first).map_or(0, |t| t.start);
    NumSpan {
        start,
        end,
        value: base * scale,
        base,
        scale,
        words,
        first_token: first,
        end_token: next,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::fold;

    fn values(text: &str, locale: Locale) -> Vec<f64> {
        scan(&fold(text), locale).iter().map(|s| s.value).collect()
    }

    #[test]
    fn number_phrases_in_each_language() {
        let cases: &[(&str, Locale, &[f64])] = &[
            ("twenty thousand", Locale::En, &[20_000.0]),
            ("a hundred grand", Locale::En, &[100_000.0]),
            ("twenty-five", Locale::En, &[25.0]),
            ("one hundred and five", Locale::En, &[105.0]),
            ("two point five million", Locale::En, &[2_500_000.0]),
            ("half a million", Locale::En, &[500_000.0]),
            ("a dozen", Locale::En, &[12.0]),
            ("10k", Locale::En, &[10_000.0]),
            ("1.5m", Locale::En, &[1_500_000.0]),
            ("2 bn", Locale::En, &[2e9]),
            ("between ten and twenty", Locale::En, &[10.0, 20.0]),
            ("douăzeci de mii", Locale::Ro, &[20_000.0]),
            ("2,5 milioane", Locale::Ro, &[2_500_000.0]),
            ("o sută", Locale::Ro, &[100.0]),
            ("douăzeci și cinci", Locale::Ro, &[25.0]),
            ("două sute cincizeci", Locale::Ro, &[250.0]),
            ("trei mii cinci sute", Locale::Ro, &[3500.0]),
            ("이만", Locale::Ko, &[20_000.0]),
            ("삼천만", Locale::Ko, &[30_000_000.0]),
            ("일억", Locale::Ko, &[1e8]),
            ("오백만원", Locale::Ko, &[5_000_000.0]),
            ("1억 5천만", Locale::Ko, &[150_000_000.0]),
            ("500만원", Locale::Ko, &[5_000_000.0]),
            ("3천만 원", Locale::Ko, &[30_000_000.0]),
            ("이천칠백삼십오만원", Locale::Ko, &[27_350_000.0]),
            ("일점이삼달러", Locale::Ko, &[1.23]),
            ("스물다섯", Locale::Ko, &[25.0]),
            ("이십오", Locale::Ko, &[25.0]),
            ("한 달", Locale::Ko, &[1.0]),
            ("이번 주", Locale::Ko, &[]),
            ("오늘", Locale::Ko, &[]),
            ("사이", Locale::Ko, &[]),
            ("네", Locale::Ko, &[]),
        ];
        for (text, locale, expected) in cases {
            assert_eq!(values(text, *locale), expected.to_vec(), "{text}");
        }
    }

    #[test]
    fn ordinals() {
        let cases: &[(&str, Option<u32>)] = &[
            ("the second one", Some(2)),
            ("3rd", Some(3)),
            ("a doua", Some(2)),
            ("al treilea", Some(3)),
            ("두 번째", Some(2)),
            ("첫째", Some(1)),
            ("2번", Some(2)),
            ("pro", None),
        ];
        for (text, expected) in cases {
            assert_eq!(ordinal_in(&fold(text)), *expected, "{text}");
        }
    }
}
