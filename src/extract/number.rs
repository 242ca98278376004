//! Purpose: read a count or quantity ("twenty-five", "3.5", "a dozen", "스물다섯", "douăzeci și
//! cinci", "about 50 people") as one number.

use super::numbers::scan;
use super::tokens::capped;
use super::{Unclear, fold};
use crate::locale::Locale;

/// A whole answer that is one Korean digit syllable ("일", "영") is that digit; inside longer
/// text these syllables are too often parts of words to be read as numbers.
fn lone_korean_digit(text: &str) -> Option<f64> {
    Some(match text {
        "영" | "공" | "빵" => 0.0,
        "일" | "한" | "하나" => 1.0,
        "이" | "두" | "둘" => 2.0,
        "삼" | "세" | "셋" => 3.0,
        "사" | "넷" => 4.0,
        "오" => 5.0,
        "육" => 6.0,
        "칠" => 7.0,
        "팔" => 8.0,
        "구" => 9.0,
        _ => return None,
    })
}

/// "minus 3", "마이너스 3", "minus trei", "-3".
fn strip_minus(text: &str) -> Option<&str> {
    ["-", "minus ", "minus", "마이너스", "마이나스"]
        .iter()
        .find_map(|sign| text.strip_prefix(sign))
}

/// Reads a number written in digits or words; several different numbers are ambiguous.
pub fn number(text: &str, locale: Locale) -> Result<f64, Unclear> {
    let folded = fold(capped(text));
    let trimmed = folded.trim_matches(|c: char| c.is_whitespace() || matches!(c, '.' | '!' | '?'));
    if let Some(rest) = strip_minus(trimmed)
        && !rest.trim().is_empty()
        && strip_minus(rest.trim()).is_none()
    {
        return number(rest, locale).map(|value| -value);
    }
    if let Some(value) = lone_korean_digit(trimmed) {
        return Ok(value);
    }
    // "3/4" is a fraction when it is the whole answer.
    if let Some((top, bottom)) = trimmed.split_once('/')
        && let (Ok(top), Ok(bottom)) = (top.trim().parse::<f64>(), bottom.trim().parse::<f64>())
        && bottom != 0.0
    {
        return Ok(top / bottom);
    }
    let mut values: Vec<f64> = Vec::new();
    for span in scan(&folded, locale) {
        if !values.contains(&span.value) {
            values.push(span.value);
        }
    }
    match values.as_slice() {
        [] => Err(Unclear::NotUnderstood),
        [value] => Ok(*value),
        several => Err(Unclear::Ambiguous {
            readings: several.iter().map(|v| format!("{v}")).collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_each_language() {
        let cases: &[(&str, Locale, f64)] = &[
            ("25", Locale::En, 25.0),
            ("twenty-five", Locale::En, 25.0),
            ("twenty five", Locale::En, 25.0),
            ("3.5", Locale::En, 3.5),
            ("a dozen", Locale::En, 12.0),
            ("two dozen", Locale::En, 24.0),
            ("about 50", Locale::En, 50.0),
            ("50 people", Locale::En, 50.0),
            ("we're around 120 employees", Locale::En, 120.0),
            ("1,200", Locale::En, 1200.0),
            ("one hundred and fifty", Locale::En, 150.0),
            ("three hundred", Locale::En, 300.0),
            ("2k", Locale::En, 2000.0),
            ("eleven", Locale::En, 11.0),
            ("ninety-nine", Locale::En, 99.0),
            ("just 1", Locale::En, 1.0),
            ("-5", Locale::En, -5.0),
            ("스물다섯", Locale::Ko, 25.0),
            ("이십오", Locale::Ko, 25.0),
            ("50명", Locale::Ko, 50.0),
            ("백 명 정도", Locale::Ko, 100.0),
            ("열두 명", Locale::Ko, 12.0),
            ("다섯", Locale::Ko, 5.0),
            ("약 30명이요", Locale::Ko, 30.0),
            ("천 명", Locale::Ko, 1000.0),
            ("3.5", Locale::Ko, 3.5),
            ("douăzeci și cinci", Locale::Ro, 25.0),
            ("douazeci si cinci", Locale::Ro, 25.0),
            ("cam 40 de oameni", Locale::Ro, 40.0),
            ("trei", Locale::Ro, 3.0),
            ("o sută", Locale::Ro, 100.0),
            ("2,5", Locale::Ro, 2.5),
            ("cincisprezece", Locale::Ro, 15.0),
            ("două sute", Locale::Ro, 200.0),
            ("1.500", Locale::Ro, 1500.0),
            ("영", Locale::Ko, 0.0),
            ("일", Locale::Ko, 1.0),
            ("마이너스 3", Locale::Ko, -3.0),
            ("minus five", Locale::En, -5.0),
            ("3/4", Locale::En, 0.75),
            ("일억이", Locale::Ko, 100_000_002.0),
            ("일억이천", Locale::Ko, 120_000_000.0),
        ];
        let mut failures = Vec::new();
        for (text, locale, expected) in cases {
            let got = number(text, *locale);
            if got != Ok(*expected) {
                failures.push(format!("{text}: {got:?}"));
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }

    #[test]
    fn no_number_or_several() {
        for text in ["none", "lots", "we are a big team", "네", "da"] {
            assert_eq!(
                number(text, Locale::En),
                Err(Unclear::NotUnderstood),
                "{text}"
            );
        }
        assert!(matches!(
            number("10 or 12", Locale::En),
            Err(Unclear::Ambiguous { .. })
        ));
    }
}
