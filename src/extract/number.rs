//! Purpose: read a count or quantity ("twenty-five", "3.5", "a dozen", "스물다섯", "douăzeci și
//! cinci", "about 50 people") as one number — never a date or a duration ("in 3 weeks").

use chrono::{DateTime, FixedOffset};

use super::numbers::{NumSpan, scan};
use super::timeframe::timeframe;
use super::tokens::{Tok, capped, tokenize};
use super::{TimeframeAnswer, Unclear, fold};
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

/// Whether the number at `span` is part of a date or a duration ("in 3 weeks", "by March 3",
/// "2027", "3주 안에"): the timeframe reader finds a time in the words around it, and another
/// time or none with another number in its place ("a team of 12 by March" keeps its 12).
fn part_of_a_time(
    folded: &str,
    tokens: &[Tok],
    span: &NumSpan,
    locale: Locale,
    now: DateTime<FixedOffset>,
) -> bool {
    const AROUND: usize = 2;
    let from = tokens
        .get(span.first_token.saturating_sub(AROUND))
        .map_or(span.start, |tok| tok.start.min(span.start));
    let to = (span.end_token + AROUND)
        .min(tokens.len())
        .checked_sub(1)
        .and_then(|last| tokens.get(last))
        .map_or(span.end, |tok| tok.end.max(span.end));
    let around = folded.get(from..to).unwrap_or("");
    let Ok(TimeframeAnswer::Window(with)) = timeframe(around, locale, now) else {
        return false;
    };
    // Leaving the number out is not enough ("within weeks" reads as three weeks): another
    // number in its place must move the window.
    let other = if span.value == 7.0 { "8" } else { "7" };
    let changed = format!(
        "{}{other}{}",
        folded.get(from..span.start).unwrap_or(""),
        folded.get(span.end..to).unwrap_or("")
    );
    !matches!(timeframe(&changed, locale, now), Ok(TimeframeAnswer::Window(moved)) if moved == with)
}

/// Reads a number written in digits or words; several different numbers are ambiguous. Numbers
/// that are part of a date or a duration are not read: `now` is what relative dates count from.
pub fn number(text: &str, locale: Locale, now: DateTime<FixedOffset>) -> Result<f64, Unclear> {
    let folded = fold(capped(text));
    let trimmed = folded.trim_matches(|c: char| c.is_whitespace() || matches!(c, '.' | '!' | '?'));
    if let Some(rest) = strip_minus(trimmed)
        && !rest.trim().is_empty()
        && strip_minus(rest.trim()).is_none()
    {
        return number(rest, locale, now).map(|value| -value);
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
    let spans = scan(&folded, locale);
    // A count is not a date or a duration: "within 3 weeks" and "2027" do not answer "how many".
    let tokens = match timeframe(&folded, locale, now) {
        Ok(TimeframeAnswer::Window(_)) if !spans.is_empty() => tokenize(&folded),
        _ => Vec::new(),
    };
    let mut values: Vec<f64> = Vec::new();
    for span in spans {
        if !tokens.is_empty() && part_of_a_time(&folded, &tokens, &span, locale, now) {
            continue;
        }
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

    fn now() -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2026-03-04T10:00:00+02:00").unwrap_or_default()
    }

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
            ("3", Locale::En, 3.0),
            ("about 20 people", Locale::En, 20.0),
            ("twenty", Locale::En, 20.0),
            ("스무 명", Locale::Ko, 20.0),
            ("douăzeci", Locale::Ro, 20.0),
            // A time elsewhere in the answer leaves the count alone.
            ("20 people, hiring more next month", Locale::En, 20.0),
            ("we're 3, starting in 2 weeks", Locale::En, 3.0),
            ("a team of 12 by march", Locale::En, 12.0),
            ("20명, 다음 달부터", Locale::Ko, 20.0),
            ("20 de oameni, din luna viitoare", Locale::Ro, 20.0),
        ];
        let mut failures = Vec::new();
        for (text, locale, expected) in cases {
            let got = number(text, *locale, now());
            if got != Ok(*expected) {
                failures.push(format!("{text}: {got:?}"));
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }

    #[test]
    fn dates_and_durations_are_not_counts() {
        let cases: &[(&str, Locale)] = &[
            ("within 3 weeks", Locale::En),
            ("in 3 weeks", Locale::En),
            ("3 weeks", Locale::En),
            ("in about three weeks", Locale::En),
            ("by march 3", Locale::En),
            ("2027", Locale::En),
            ("next month", Locale::En),
            ("in 2 months", Locale::En),
            ("3주 안에", Locale::Ko),
            ("3주", Locale::Ko),
            ("3월 3일", Locale::Ko),
            ("다음 달", Locale::Ko),
            ("2027년", Locale::Ko),
            ("în 3 săptămâni", Locale::Ro),
            ("3 săptămâni", Locale::Ro),
            ("până pe 3 martie", Locale::Ro),
            ("luna viitoare", Locale::Ro),
            ("2027", Locale::Ro),
        ];
        let mut failures = Vec::new();
        for (text, locale) in cases {
            let got = number(text, *locale, now());
            if got != Err(Unclear::NotUnderstood) {
                failures.push(format!("{text}: {got:?}"));
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }

    #[test]
    fn no_number_or_several() {
        for text in ["none", "lots", "we are a big team", "네", "da"] {
            assert_eq!(
                number(text, Locale::En, now()),
                Err(Unclear::NotUnderstood),
                "{text}"
            );
        }
        assert!(matches!(
            number("10 or 12", Locale::En, now()),
            Err(Unclear::Ambiguous { .. })
        ));
    }
}
