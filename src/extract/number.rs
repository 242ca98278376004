//! Purpose: read a count or quantity ("twenty-five", "3.5", "a dozen", "스물다섯", "douăzeci și
//! cinci", "about 50 people") as one number.

use super::numbers::scan;
use super::tokens::capped;
use super::{Unclear, fold};
use crate::locale::Locale;

/// Reads a number written in digits or words; several different numbers are ambiguous.
pub fn number(text: &str, locale: Locale) -> Result<f64, Unclear> {
    let folded = fold(capped(text));
    let negative_sign = folded.trim_start().starts_with('-');
    let mut values: Vec<f64> = Vec::new();
    for span in scan(&folded, locale) {
        if !values.contains(&span.value) {
            values.push(span.value);
        }
    }
    match values.as_slice() {
        [] => Err(Unclear::NotUnderstood),
        [value] if negative_sign => Ok(-value),
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
