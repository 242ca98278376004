//! Purpose: the JSON contract of `leadbot extract`, kept beside the extractors it reports on.

use chrono::{DateTime, FixedOffset};
use serde_json::{Value, json};

use super::{ChoiceCandidate, MoneyAnswer, TimeframeAnswer, Unclear};
use crate::locale::Locale;

/// The kinds of value `leadbot extract` can be asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An amount of money.
    Money,
    /// A window of dates.
    Timeframe,
    /// A number.
    Number,
    /// A yes or a no.
    YesNo,
    /// An e-mail address.
    Email,
    /// One option out of `--options`.
    Choice,
    /// Several options out of `--options`.
    MultiChoice,
}

impl std::str::FromStr for Kind {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Ok(match name {
            "money" => Kind::Money,
            "timeframe" => Kind::Timeframe,
            "number" => Kind::Number,
            "yes_no" => Kind::YesNo,
            "email" => Kind::Email,
            "choice" => Kind::Choice,
            "multi_choice" => Kind::MultiChoice,
            other => {
                return Err(format!(
                    "unknown kind {other:?} (money, timeframe, number, yes_no, email, choice, multi_choice)"
                ));
            }
        })
    }
}

/// Everything `leadbot extract` passes to an extractor besides the text.
#[derive(Debug, Clone)]
pub struct Request {
    /// The language the text is in.
    pub locale: Locale,
    /// The reference time for relative dates.
    pub now: DateTime<FixedOffset>,
    /// The currency of a bare amount.
    pub currency: String,
    /// The options of a choice.
    pub options: Vec<String>,
}

/// Runs one extractor and renders its result as the documented JSON. `Err` carries the
/// `{"error": …}` object for text that was not understood.
pub fn run(kind: Kind, text: &str, request: &Request) -> Result<Value, Value> {
    let candidates: Vec<ChoiceCandidate> = request
        .options
        .iter()
        .map(|option| ChoiceCandidate::labelled(option))
        .collect();
    let value = match kind {
        Kind::Money => super::money(text, request.locale, &request.currency).map(money_json),
        Kind::Timeframe => {
            super::timeframe(text, request.locale, request.now).map(|answer| match answer {
                TimeframeAnswer::Window(window) => json!({
                    "start": window.start.to_string(),
                    "end": window.end.map(|end| end.to_string()),
                    "days_until_start": window.days_until_start,
                }),
                TimeframeAnswer::NoTimeline => json!({
                    "start": null, "end": null, "days_until_start": null, "no_timeline": true,
                }),
            })
        }
        Kind::Number => super::number(text, request.locale, request.now)
            .map(|value| json!({"value": amount(value)})),
        Kind::YesNo => super::yes_no(text, request.locale)
            .map(|answer| json!({"value": answer.value, "hedged": answer.hedged})),
        Kind::Email => super::email(text).map(|value| json!({"value": value})),
        Kind::Choice => super::choice(text, request.locale, &candidates)
            .map(|index| json!({"value": request.options[index]})),
        Kind::MultiChoice => super::choices(text, request.locale, &candidates).map(|indexes| {
            let values: Vec<&String> = indexes.iter().map(|&i| &request.options[i]).collect();
            json!({"value": values})
        }),
    };
    value.map_err(|unclear| match unclear {
        Unclear::NotUnderstood => json!({"error": "not understood"}),
        Unclear::Ambiguous { readings } => json!({"error": "ambiguous", "readings": readings}),
    })
}

/// A whole amount as a JSON integer (25000, as documented), a fractional one as a float.
fn amount(value: f64) -> Value {
    if value.fract() == 0.0 && value.abs() < 9.0e15 {
        json!(value as i64)
    } else {
        json!(value)
    }
}

fn money_json(answer: MoneyAnswer) -> Value {
    match answer {
        MoneyAnswer::Amount(money) => json!({
            "amount": amount(money.amount),
            "min": amount(money.min),
            "max": amount(money.max),
            "currency": money.currency,
            "period": money.period,
            "approximate": money.approximate,
        }),
        MoneyAnswer::NoBudget => json!({
            "amount": null, "min": null, "max": null, "currency": null, "period": null,
            "refusal": "no_budget",
        }),
        MoneyAnswer::Unsure => json!({
            "amount": null, "min": null, "max": null, "currency": null, "period": null,
            "refusal": "unsure",
        }),
    }
}
