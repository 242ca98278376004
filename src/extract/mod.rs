//! Purpose: understand a prospect's free-text answer as a typed value (money, timeframe, number,
//! yes/no, e-mail, choice), per locale. Pure functions: no I/O, and "now" is always passed in.

mod calendar;
mod choice;
pub mod cli;
pub mod contact;
mod email;
mod money;
mod number;
mod numbers;
mod text;
mod timeframe;
mod timewords;
mod tokens;
mod yes_no;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use choice::{choice, choices};
pub use email::email;
pub use money::{known_currencies, money, period};
pub use number::number;
pub use text::fold;
pub use timeframe::timeframe;
pub use yes_no::yes_no;

/// Why an answer could not be turned into a value; the engine re-asks or clarifies.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unclear {
    /// Nothing of the expected kind was found.
    #[error("not understood")]
    NotUnderstood,
    /// Several readings fit equally well; each reading is short text to show the prospect.
    #[error("ambiguous: {}", readings.join(" / "))]
    Ambiguous {
        /// The competing readings, e.g. option labels or formatted amounts.
        readings: Vec<String>,
    },
}

/// How often an amount recurs, when the prospect said so.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    /// Per month.
    Month,
    /// Per year.
    Year,
}

/// An amount of money, or a range of amounts (then `amount` is the lower end).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Money {
    /// The amount to score with: the value said, or the lower end of a range.
    pub amount: f64,
    /// The lower end (equals `amount` for a single value).
    pub min: f64,
    /// The upper end (equals `amount` for a single value).
    pub max: f64,
    /// ISO 4217 code, e.g. "USD", "KRW", "RON".
    pub currency: String,
    /// Set when the prospect said "per month", "a year", "월", "pe an"...
    pub period: Option<Period>,
    /// Set when the prospect hedged ("about", "~", "약", "cam").
    pub approximate: bool,
}

/// What a prospect said when asked about budget.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MoneyAnswer {
    /// A figure (or range) was given.
    Amount(Money),
    /// The prospect said there is no budget ("no budget yet", "아직 없어요").
    NoBudget,
    /// The prospect does not know ("not sure", "nu știu").
    Unsure,
}

/// A window of dates a purchase is expected in. `end` is inclusive; `None` is open-ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timeframe {
    /// First day of the window (in the offset of `now`).
    pub start: NaiveDate,
    /// Last day of the window, inclusive; `None` for "after March", "not before summer".
    pub end: Option<NaiveDate>,
    /// Whole days from `now`'s date to `start` (0 when the window has begun).
    pub days_until_start: i64,
}

/// What a prospect said when asked about timing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TimeframeAnswer {
    /// A window was given.
    Window(Timeframe),
    /// The prospect has no timeline ("no timeline", "not planned", "nu avem un termen").
    NoTimeline,
}

/// A yes or no, with whether it was hedged ("I think so", "probably not", "cred că da").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct YesNo {
    /// The answer.
    pub value: bool,
    /// True when the prospect was not firm about it.
    pub hedged: bool,
}

/// One option of a choice question, as the extractor sees it.
#[derive(Debug, Clone, Copy)]
pub struct ChoiceCandidate<'a> {
    /// The stable value stored when this option is chosen.
    pub value: &'a str,
    /// The label shown to the prospect.
    pub label: &'a str,
    /// Other words that mean this option.
    pub synonyms: &'a [String],
}

impl<'a> ChoiceCandidate<'a> {
    /// An option known only by its label (the label is also its value), without synonyms: the
    /// shape of `--options`, of clarifying readings and of benchmarks.
    pub fn labelled(label: &'a str) -> Self {
        ChoiceCandidate {
            value: label,
            label,
            synonyms: &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::locale::Locale;
    use chrono::DateTime;
    use proptest::prelude::*;

    fn every_extractor(text: &str) {
        let now = DateTime::parse_from_rfc3339("2026-03-04T10:00:00+02:00").unwrap_or_default();
        let synonyms = vec!["basic".to_string()];
        let options = [
            ChoiceCandidate {
                value: "starter",
                label: "Starter",
                synonyms: &synonyms,
            },
            ChoiceCandidate {
                value: "pro",
                label: "Pro",
                synonyms: &[],
            },
        ];
        for locale in Locale::ALL {
            let _ = money(text, locale, locale.default_currency());
            let _ = timeframe(text, locale, now);
            let _ = number(text, locale, now);
            let _ = yes_no(text, locale);
            let _ = choice(text, locale, &options);
            let _ = choices(text, locale, &options);
        }
        let _ = email(text);
        let _ = fold(text);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,3000}") {
            every_extractor(&text);
        }

        #[test]
        fn answer_like_text_never_panics(
            text in "[0-9 .,'$€₩~\\-/kKmM만억천원일이삼오십월주년분기 a-zăâîșțşţ]{0,400}"
        ) {
            every_extractor(&text);
        }
    }

    #[test]
    fn tricky_inputs_never_panic() {
        let long = "9".repeat(5000);
        let mixed = "1억 5천만 원 or 10-20k € ".repeat(200);
        for text in [
            "",
            " ",
            "\u{0}",
            "..,,",
            "1.2.3.4.5",
            "$$$",
            "만만만만",
            "점점",
            "일점",
            &long,
            &mixed,
            "𝟙𝟚𝟛",
            "ﬁve",
            "İ",
        ] {
            every_extractor(text);
        }
    }
}
