//! Purpose: the scoring rules — points per answer and per behaviour, disqualifiers, and the
//! funnel gates (lead → iql → mql → sql). Pure: the engine calls it, nothing here does I/O.

use chrono::{DateTime, FixedOffset};

use super::state::{AnswerValue, ConversationState, ScoreEvent, Stage, group_thousands};
use crate::extract::{MoneyAnswer, Period, TimeframeAnswer, fold};
use crate::script::{Band, Criterion, Expectation, Script, Step};

/// What an answer earned: score events, and a disqualification with what to say.
#[derive(Debug, Default, PartialEq)]
pub struct AnswerScore {
    /// Points with reasons.
    pub events: Vec<ScoreEvent>,
    /// Set when the answer is a hard disqualifier: the text to tell the prospect.
    pub disqualified: Option<String>,
}

/// Scores one understood answer to `step`.
pub fn score_answer(
    script: &Script,
    step: &Step,
    value: &AnswerValue,
    at: DateTime<FixedOffset>,
) -> AnswerScore {
    let mut score = AnswerScore::default();
    let rule = format!("step:{}", step.id);
    let mut add = |points: i32, why: String| {
        if points != 0 {
            score.events.push(ScoreEvent {
                points,
                reason: format!("{}: {why}", step.id),
                rule: rule.clone(),
                at,
            });
        }
    };
    if !matches!(value, AnswerValue::Unparsed) {
        add(step.points, "answered".into());
    }
    let mut disqualified = None;
    let mut no_rate = None;
    match (&step.expect, value) {
        (Expectation::Choice { options }, AnswerValue::Choice { value, label }) => {
            if let Some(option) = options.iter().find(|option| &option.value == value) {
                add(option.points, label.clone());
                disqualified = option.disqualify.clone();
            }
        }
        (Expectation::MultiChoice { options }, AnswerValue::MultiChoice { values, .. }) => {
            for option in options
                .iter()
                .filter(|option| values.contains(&option.value))
            {
                add(option.points, option.label.clone());
                if disqualified.is_none() {
                    disqualified = option.disqualify.clone();
                }
            }
        }
        (
            Expectation::YesNo {
                yes_points,
                no_points,
                disqualify_yes,
                disqualify_no,
            },
            AnswerValue::YesNo { value, hedged },
        ) => {
            let (points, word) = if *value {
                (*yes_points, "yes")
            } else {
                (*no_points, "no")
            };
            // A hedged answer ("I think so") earns half of a positive score, but a full negative one.
            if *hedged && points > 0 {
                add(points / 2, format!("probably {word}"));
            } else {
                add(points, word.to_string());
            }
            disqualified = if *value {
                disqualify_yes.clone()
            } else {
                disqualify_no.clone()
            };
        }
        (
            Expectation::Money {
                bands,
                disqualify_below,
                no_budget_points,
                disqualify_no_budget,
                period,
                ..
            },
            AnswerValue::Money { answer },
        ) => match answer {
            MoneyAnswer::Amount(money) => {
                let said = in_period(money.amount, money.period, *period);
                match script.in_own_currency(said, &money.currency) {
                    Some(amount) => {
                        let mut shown = format!("{} {}", money.currency, group_thousands(said));
                        if money.currency != script.currency {
                            shown = format!("{shown} ≈ {} {}", script.currency, whole(amount));
                        }
                        if let Some(band) = highest_band(bands, amount) {
                            add(
                                band.points,
                                format!("{shown} (band ≥ {})", group_thousands(band.at_least)),
                            );
                        }
                        if let Some(floor) = disqualify_below
                            && amount < floor.amount
                        {
                            disqualified = Some(floor.say.clone());
                        }
                    }
                    None => no_rate = Some(money.currency.clone()),
                }
            }
            MoneyAnswer::Unsure => {}
            MoneyAnswer::NoBudget => {
                add(*no_budget_points, "no budget".into());
                disqualified = disqualify_no_budget.clone();
            }
        },
        (
            Expectation::Timeframe {
                bands,
                no_timeline_points,
            },
            AnswerValue::Timeframe { answer },
        ) => match answer {
            TimeframeAnswer::Window(window) => {
                if let Some(band) = bands
                    .iter()
                    .find(|band| window.days_until_start <= band.within_days)
                {
                    add(
                        band.points,
                        format!(
                            "starts in {} days (band ≤ {} days)",
                            window.days_until_start, band.within_days
                        ),
                    );
                }
            }
            TimeframeAnswer::NoTimeline => add(*no_timeline_points, "no timeline".into()),
        },
        (Expectation::Number { bands }, AnswerValue::Number { value }) => {
            if let Some(band) = highest_band(bands, *value) {
                add(
                    band.points,
                    format!(
                        "{} (band ≥ {})",
                        group_thousands(*value),
                        group_thousands(band.at_least)
                    ),
                );
            }
        }
        _ => {}
    }
    // An amount that cannot be converted earns nothing, and the lead's record says why.
    if let Some(currency) = no_rate {
        score.events.push(ScoreEvent {
            points: 0,
            reason: format!(
                "{} in {currency}: no exchange rate to {}",
                step.id, script.currency
            ),
            rule,
            at,
        });
    }
    score.disqualified = disqualified;
    score
}

/// A converted amount for a reason, to the whole unit: 49,700.4 reads 49,700.
fn whole(amount: f64) -> String {
    group_thousands(amount.round())
}

/// Converts an amount said per `said` into the step's `wanted` period (12 months a year).
fn in_period(amount: f64, said: Option<Period>, wanted: Option<Period>) -> f64 {
    match (said, wanted) {
        (Some(Period::Month), Some(Period::Year)) => amount * 12.0,
        (Some(Period::Year), Some(Period::Month)) => amount / 12.0,
        _ => amount,
    }
}

/// The highest band whose threshold `value` reaches (bands are sorted highest first).
fn highest_band(bands: &[Band], value: f64) -> Option<&Band> {
    bands.iter().find(|band| value >= band.at_least)
}

/// Behaviour signals in a free-text message that have not scored yet: (signal id, event).
pub fn signals_in(
    script: &Script,
    text: &str,
    already: &std::collections::BTreeSet<String>,
    at: DateTime<FixedOffset>,
) -> Vec<(String, ScoreEvent)> {
    let folded = fold(text);
    script
        .signals
        .iter()
        .filter(|signal| !already.contains(&signal.id))
        .filter(|signal| {
            signal
                .phrases
                .iter()
                .any(|phrase| contains_phrase(&folded, phrase))
        })
        .map(|signal| {
            (
                signal.id.clone(),
                ScoreEvent {
                    points: signal.points,
                    reason: signal.reason.clone(),
                    rule: format!("signal:{}", signal.id),
                    at,
                },
            )
        })
        .collect()
}

/// Behaviour points (positive signals and quick replies) earned and not yet taken away by
/// decay: decay never takes more than these.
pub fn behaviour_points_left(script: &Script, state: &ConversationState) -> i32 {
    let signals: i32 = script
        .signals
        .iter()
        .filter(|signal| signal.points > 0 && state.signals_fired.contains(&signal.id))
        .map(|signal| signal.points)
        .sum();
    signals + state.fast_reply_earned().max(0) + state.decayed
}

/// True when `phrase` occurs in `text` on word boundaries (Hangul matches inside words, as
/// Korean attaches particles: "데모를" contains "데모").
fn contains_phrase(text: &str, phrase: &str) -> bool {
    text.match_indices(phrase).any(|(start, _)| {
        let before = text[..start].chars().next_back();
        let after = text[start + phrase.len()..].chars().next();
        let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
        let hangul = phrase
            .chars()
            .any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c));
        hangul || (boundary(before) && boundary(after))
    })
}

/// True when `criterion` is met: for contact, every `iql_requires` field was given; otherwise
/// one of its answers earned positive points.
pub fn criterion_met(script: &Script, state: &ConversationState, criterion: Criterion) -> bool {
    if criterion == Criterion::Contact {
        return script
            .iql_requires
            .iter()
            .all(|field| state.contact.contains_key(field.name()));
    }
    state
        .answers
        .iter()
        .any(|answer| answer.criterion == criterion && answer.points > 0)
}

/// The furthest stage the state's answers and score justify, through the gates in order.
pub fn earned_stage(script: &Script, state: &ConversationState) -> Stage {
    if !criterion_met(script, state, Criterion::Contact) {
        return Stage::Lead;
    }
    if state.score < script.mql_threshold {
        return Stage::Iql;
    }
    let all_required = script
        .required
        .iter()
        .all(|criterion| criterion_met(script, state, *criterion));
    if state.score < script.sql_threshold || !all_required {
        return Stage::Mql;
    }
    Stage::Sql
}

/// Why a lead reached `stage`, in words for the stage history.
pub fn stage_reason(script: &Script, state: &ConversationState, stage: Stage) -> String {
    match stage {
        Stage::Iql => "left contact details".into(),
        Stage::Mql => format!(
            "score {} ≥ MQL threshold {}",
            state.score, script.mql_threshold
        ),
        Stage::Sql => format!(
            "score {} ≥ SQL threshold {} and {} met",
            state.score,
            script.sql_threshold,
            script
                .required
                .iter()
                .map(|criterion| criterion.name())
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.name().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_match_on_word_boundaries() {
        assert!(contains_phrase("can i get a demo?", "demo"));
        assert!(!contains_phrase("we use democracy tools", "demo"));
        assert!(contains_phrase("데모를 보고 싶어요", "데모"));
        assert!(contains_phrase("what is the price", "price"));
    }

    #[test]
    fn monthly_amounts_convert_to_yearly_bands() {
        assert_eq!(
            in_period(1000.0, Some(Period::Month), Some(Period::Year)),
            12000.0
        );
        assert_eq!(
            in_period(12000.0, Some(Period::Year), Some(Period::Month)),
            1000.0
        );
        assert_eq!(in_period(500.0, None, Some(Period::Year)), 500.0);
    }
}
