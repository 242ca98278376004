//! Purpose: turn one input into a step's typed answer by calling the right extractor.

use chrono::{DateTime, FixedOffset};

use super::Input;
use super::state::AnswerValue;
use crate::extract::{self, ChoiceCandidate, Unclear};
use crate::script::{ChoiceOption, ContactField, Expectation, Script, Step};

/// What an input meant for a step.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Interpretation {
    /// A usable answer.
    Understood(AnswerValue),
    /// Several readings fit; ask which.
    Ambiguous(Vec<String>),
    /// Nothing usable.
    NotUnderstood,
}

/// Interprets `input` as an answer to `step`. When a clarifying question offered `readings`, a
/// reply that picks one of them ("the first", or the reading itself) resolves it.
pub(super) fn interpret(
    script: &Script,
    step: &Step,
    input: &Input,
    readings: &[String],
    now: DateTime<FixedOffset>,
) -> Interpretation {
    let text = match input {
        Input::Choice {
            step: clicked,
            value,
        } => {
            return match step
                .expect
                .options()
                .iter()
                .find(|option| &option.value == value)
            {
                Some(option) if clicked == &step.id => choice_value(option),
                _ => Interpretation::NotUnderstood,
            };
        }
        Input::Text(text) => text.as_str(),
    };
    let first = read(script, step, text, now);
    if readings.is_empty() || matches!(first, Interpretation::Understood(_)) {
        return first;
    }
    let candidates: Vec<ChoiceCandidate> = readings
        .iter()
        .map(|reading| ChoiceCandidate::labelled(reading))
        .collect();
    match extract::choice(text, script.locale, &candidates) {
        Ok(index) => read(script, step, &readings[index], now),
        Err(_) => first,
    }
}

fn choice_value(option: &ChoiceOption) -> Interpretation {
    Interpretation::Understood(AnswerValue::Choice {
        value: option.value.clone(),
        label: option.label.clone(),
    })
}

fn candidates(options: &[ChoiceOption]) -> Vec<ChoiceCandidate<'_>> {
    options
        .iter()
        .map(|option| ChoiceCandidate {
            value: &option.value,
            label: &option.label,
            synonyms: &option.synonyms,
        })
        .collect()
}

fn read(script: &Script, step: &Step, text: &str, now: DateTime<FixedOffset>) -> Interpretation {
    let locale = script.locale;
    let result: Result<AnswerValue, Unclear> =
        match &step.expect {
            Expectation::Choice { options } => extract::choice(text, locale, &candidates(options))
                .map(|index| AnswerValue::Choice {
                    value: options[index].value.clone(),
                    label: options[index].label.clone(),
                }),
            Expectation::MultiChoice { options } => {
                extract::choices(text, locale, &candidates(options)).map(|indexes| {
                    AnswerValue::MultiChoice {
                        values: indexes.iter().map(|&i| options[i].value.clone()).collect(),
                        labels: indexes.iter().map(|&i| options[i].label.clone()).collect(),
                    }
                })
            }
            Expectation::YesNo { .. } => {
                extract::yes_no(text, locale).map(|answer| AnswerValue::YesNo {
                    value: answer.value,
                    hedged: answer.hedged,
                })
            }
            Expectation::Money { .. } => extract::money(text, locale, &script.currency)
                .map(|answer| AnswerValue::Money { answer }),
            Expectation::Timeframe { .. } => extract::timeframe(text, locale, now)
                .map(|answer| AnswerValue::Timeframe { answer }),
            Expectation::Number { .. } => {
                extract::number(text, locale, now).map(|value| AnswerValue::Number { value })
            }
            Expectation::Email => extract::email(text).map(|value| AnswerValue::Email { value }),
            Expectation::Text { .. } if step.store_as == Some(ContactField::Name) => {
                extract::contact::person_name(text).map(|value| AnswerValue::Text { value })
            }
            Expectation::Text { .. } if step.store_as == Some(ContactField::Company) => {
                extract::contact::company(text).map(|value| AnswerValue::Text { value })
            }
            Expectation::Text { pattern } => {
                let value = text.trim();
                let has_content = value.chars().any(char::is_alphanumeric);
                if !has_content || pattern.as_ref().is_some_and(|regex| !regex.is_match(value)) {
                    Err(Unclear::NotUnderstood)
                } else {
                    Ok(AnswerValue::Text {
                        value: value.to_string(),
                    })
                }
            }
        };
    match result {
        Ok(value) => Interpretation::Understood(value),
        Err(Unclear::Ambiguous { readings }) => Interpretation::Ambiguous(readings),
        Err(Unclear::NotUnderstood) => Interpretation::NotUnderstood,
    }
}
