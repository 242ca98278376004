//! Purpose: the value a conversation is — everything the engine needs between two messages,
//! serialisable so the store can keep it and `simulate --json` can print it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

use crate::extract::{MoneyAnswer, Period, TimeframeAnswer};
use crate::script::Criterion;

/// Where a lead stands in the funnel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Anyone who might buy.
    Lead,
    /// Information-qualified: left contact details.
    Iql,
    /// Marketing-qualified: sustained interest, score at or above the MQL threshold.
    Mql,
    /// Sales-qualified: score at or above the SQL threshold and every required criterion met.
    Sql,
    /// A hard disqualifier was hit.
    Disqualified,
    /// The prospect asked not to be contacted.
    OptedOut,
}

impl Stage {
    /// The name used in the database, reports and the CLI.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Lead => "lead",
            Stage::Iql => "iql",
            Stage::Mql => "mql",
            Stage::Sql => "sql",
            Stage::Disqualified => "disqualified",
            Stage::OptedOut => "opted_out",
        }
    }

    /// Every stage, in funnel order.
    pub const ALL: [Stage; 6] = [
        Stage::Lead,
        Stage::Iql,
        Stage::Mql,
        Stage::Sql,
        Stage::Disqualified,
        Stage::OptedOut,
    ];

    /// Parses a stage name as printed by [`Stage::name`].
    pub fn from_name(name: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|stage| stage.name() == name)
    }

    /// True for stages a conversation cannot score its way out of.
    pub fn is_terminal(self) -> bool {
        matches!(self, Stage::Disqualified | Stage::OptedOut)
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What an answer was understood to mean.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AnswerValue {
    /// One option.
    Choice {
        /// The option's value.
        value: String,
        /// The option's label.
        label: String,
    },
    /// Several options.
    MultiChoice {
        /// The options' values.
        values: Vec<String>,
        /// The options' labels.
        labels: Vec<String>,
    },
    /// A yes or a no.
    YesNo {
        /// The answer.
        value: bool,
        /// Whether it was hedged.
        hedged: bool,
    },
    /// Money, a refusal, or "not sure".
    Money {
        /// What was understood.
        answer: MoneyAnswer,
    },
    /// A window of dates, or "no timeline".
    Timeframe {
        /// What was understood.
        answer: TimeframeAnswer,
    },
    /// A number.
    Number {
        /// The value.
        value: f64,
    },
    /// An e-mail address.
    Email {
        /// The address.
        value: String,
    },
    /// Free text.
    Text {
        /// The text, trimmed.
        value: String,
    },
    /// Not understood after the allowed re-asks; the raw text is kept.
    Unparsed,
}

impl AnswerValue {
    /// A short human description, for transcripts, hand-offs and reports.
    pub fn describe(&self) -> String {
        match self {
            AnswerValue::Choice { label, .. } => label.clone(),
            AnswerValue::MultiChoice { labels, .. } => labels.join(", "),
            AnswerValue::YesNo { value, hedged } => match (value, hedged) {
                (true, false) => "yes".into(),
                (true, true) => "probably yes".into(),
                (false, false) => "no".into(),
                (false, true) => "probably no".into(),
            },
            AnswerValue::Money { answer } => match answer {
                MoneyAnswer::Amount(money) => {
                    let mut text = if money.min < money.max {
                        format!(
                            "{} {}–{}",
                            money.currency,
                            group_thousands(money.min),
                            group_thousands(money.max)
                        )
                    } else {
                        format!("{} {}", money.currency, group_thousands(money.amount))
                    };
                    match money.period {
                        Some(Period::Month) => text.push_str(" per month"),
                        Some(Period::Year) => text.push_str(" per year"),
                        None => {}
                    }
                    if money.approximate {
                        text = format!("about {text}");
                    }
                    text
                }
                MoneyAnswer::NoBudget => "no budget".into(),
                MoneyAnswer::Unsure => "not sure".into(),
            },
            AnswerValue::Timeframe { answer } => match answer {
                TimeframeAnswer::Window(window) => match window.end {
                    Some(end) if end == window.start => format!("on {}", window.start),
                    Some(end) => format!("{} to {}", window.start, end),
                    None => format!("from {}", window.start),
                },
                TimeframeAnswer::NoTimeline => "no timeline".into(),
            },
            AnswerValue::Number { value } => group_thousands(*value),
            AnswerValue::Email { value } | AnswerValue::Text { value } => value.clone(),
            AnswerValue::Unparsed => "(not understood)".into(),
        }
    }
}

/// Formats 25000 as "25,000" and 2.5 as "2.5".
pub fn group_thousands(value: f64) -> String {
    if value.fract() != 0.0 || value.abs() >= 1e15 {
        return format!("{value}");
    }
    let digits = format!("{}", value.abs() as i64);
    let mut grouped = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if value < 0.0 {
        grouped.insert(0, '-');
    }
    grouped
}

/// One accepted answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedAnswer {
    /// The step that asked.
    pub step: String,
    /// The criterion it informs.
    pub criterion: Criterion,
    /// What the prospect wrote (or the button they clicked).
    pub raw: String,
    /// What it was understood to mean.
    pub value: AnswerValue,
    /// Points this answer earned (sum of its score events).
    pub points: i32,
    /// When it was given.
    pub at: DateTime<FixedOffset>,
}

/// A change of score with its reason — so "why is this lead 72?" has an answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreEvent {
    /// Points added (negative for bad signs).
    pub points: i32,
    /// Why, in words a rep reads.
    pub reason: String,
    /// Which rule fired, e.g. "step:budget", "signal:demo", "fast_reply".
    pub rule: String,
    /// When.
    pub at: DateTime<FixedOffset>,
}

/// The rule name of the quick-reply bonus.
pub const FAST_REPLY_RULE: &str = "fast_reply";

/// The rule name of score decay (behaviour points fading while a lead is silent).
pub const DECAY_RULE: &str = "decay";

/// The three biggest of `gains` (in the order they came), biggest first; equal ones keep
/// their order.
fn biggest_gains(mut gains: Vec<ScoreEvent>) -> Vec<ScoreEvent> {
    gains.sort_by_key(|event| std::cmp::Reverse(event.points));
    gains.truncate(3);
    gains
}

fn is_zero(value: &i32) -> bool {
    *value == 0
}

fn is_zero_count(value: &u32) -> bool {
    *value == 0
}

/// A move from one funnel stage to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageChange {
    /// The stage before.
    pub from: Stage,
    /// The stage after.
    pub to: Stage,
    /// Why.
    pub reason: String,
    /// When.
    pub at: DateTime<FixedOffset>,
}

/// The question the conversation is waiting on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pending {
    /// The step asked.
    pub step: String,
    /// How often it has been re-asked.
    pub reasks: u32,
    /// When the last answer was ambiguous: the readings offered in the clarifying question.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clarifying: Vec<String>,
    /// When the question was asked (for quick-reply scoring).
    pub asked_at: DateTime<FixedOffset>,
    /// An amount that was understood but whose period was asked about: what was said, and the
    /// amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub awaiting_period: Option<(String, crate::extract::Money)>,
    /// Asked again by a nurture touch after the dialogue ended: the answer replaces the
    /// earlier one, and the dialogue does not go on to the next step.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub nurture: bool,
}

impl Pending {
    /// `step` just asked at `now`, not yet re-asked; `nurture` when a nurture touch asks it
    /// again after the dialogue ended.
    pub fn asked(step: &str, now: DateTime<FixedOffset>, nurture: bool) -> Pending {
        Pending {
            step: step.to_string(),
            reasks: 0,
            clarifying: Vec::new(),
            asked_at: now,
            awaiting_period: None,
            nurture,
        }
    }
}

/// A whole conversation's state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversationState {
    /// The script this conversation runs.
    pub script_id: String,
    /// The script version it started with (the hash of the script's text).
    pub script_version: crate::script::ScriptVersion,
    /// Funnel stage.
    pub stage: Stage,
    /// Current score: the sum of every score event (each one is an [`Effect::Scored`] of its
    /// turn, and a row of the store's `score_events`).
    ///
    /// [`Effect::Scored`]: crate::engine::Effect::Scored
    pub score: i32,
    /// The question waiting for an answer; `None` once the dialogue is over.
    pub pending: Option<Pending>,
    /// Every accepted answer, in order.
    pub answers: Vec<RecordedAnswer>,
    /// Points earned so far for quick replies (the script caps them).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub fast_reply_points: i32,
    /// The three biggest gains so far, biggest first (the earlier of equal ones first): why
    /// this lead scored, for the hand-off. The state keeps only what later turns need; every
    /// score event and stage change is an effect of its turn, stored as a row.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub top_gains: Vec<ScoreEvent>,
    /// When the conversation last became sales-qualified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qualified_at: Option<DateTime<FixedOffset>>,
    /// Every score event, as states stored before `fast_reply_points` and `top_gains` kept
    /// them (read, kept as they were, never added to).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        rename = "score_events"
    )]
    pub earlier_score_events: Vec<ScoreEvent>,
    /// Every stage change, as states stored before `qualified_at` kept them (read, kept as they
    /// were, never added to).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        rename = "stage_changes"
    )]
    pub earlier_stage_changes: Vec<StageChange>,
    /// Steps asked, in order.
    pub path: Vec<String>,
    /// Contact details given so far, by field name.
    pub contact: BTreeMap<String, String>,
    /// Behaviour signals that already scored (each scores once).
    pub signals_fired: BTreeSet<String>,
    /// When the dialogue started.
    pub started_at: DateTime<FixedOffset>,
    /// When the dialogue ended.
    pub finished_at: Option<DateTime<FixedOffset>>,
    /// The prospect was nudged about the pending question (once per silence).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub nudged: bool,
    /// The prospect went quiet for good; cleared if they come back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abandoned_at: Option<DateTime<FixedOffset>>,
    /// The one MQL follow-up message was sent.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub followed_up: bool,
    /// Set while a person from the team has the conversation (the prospect asked for one):
    /// the script waits, and what the prospect writes goes to the rep, unscored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub human_since: Option<DateTime<FixedOffset>>,
    /// How many nurture touches were sent (the next one is `nurture_sent + 1`).
    #[serde(default, skip_serializing_if = "is_zero_count")]
    pub nurture_sent: u32,
    /// The prospect wrote after a nurture touch: the sequence is over.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub nurture_stopped: bool,
    /// When the prospect last wrote (decay counts silence from here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_active_at: Option<DateTime<FixedOffset>>,
    /// Points taken away by decay so far (zero or negative).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub decayed: i32,
    /// When the score last decayed (the next decay counts from here or from the last
    /// activity, whichever is later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_decay_at: Option<DateTime<FixedOffset>>,
    /// Questions the prospect asked that no FAQ entry answers, in order: the rep answers them
    /// (shown in the hand-off and `leads show`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub open_questions: Vec<String>,
    /// The prospect's latest burst of messages, for flood control.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub burst: Option<super::flood::Burst>,
}

impl ConversationState {
    /// Adds a score event: the score, the quick-reply total and the top gains follow it.
    pub fn record_score(&mut self, event: &ScoreEvent) {
        self.score += event.points;
        if event.rule == FAST_REPLY_RULE {
            self.fast_reply_points += event.points;
        }
        if event.points > 0 {
            self.top_gains.push(event.clone());
            self.top_gains = biggest_gains(std::mem::take(&mut self.top_gains));
        }
    }

    /// Moves to another funnel stage.
    pub fn record_stage_change(&mut self, change: &StageChange) {
        self.stage = change.to;
        if change.to == Stage::Sql {
            self.qualified_at = Some(change.at);
        }
    }

    /// Points earned for quick replies so far.
    pub fn fast_reply_earned(&self) -> i32 {
        let earlier: i32 = self
            .earlier_score_events
            .iter()
            .filter(|event| event.rule == FAST_REPLY_RULE)
            .map(|event| event.points)
            .sum();
        earlier + self.fast_reply_points
    }

    /// The three biggest gains of the whole conversation, biggest first.
    pub fn top_reasons(&self) -> Vec<ScoreEvent> {
        let earlier = self
            .earlier_score_events
            .iter()
            .filter(|event| event.points > 0);
        biggest_gains(earlier.chain(&self.top_gains).cloned().collect())
    }

    /// When the conversation last became sales-qualified, if it did.
    pub fn last_qualified_at(&self) -> Option<DateTime<FixedOffset>> {
        self.qualified_at.or_else(|| {
            self.earlier_stage_changes
                .iter()
                .rev()
                .find(|change| change.to == Stage::Sql)
                .map(|change| change.at)
        })
    }

    /// The latest answer to a step, if any.
    pub fn answer(&self, step: &str) -> Option<&RecordedAnswer> {
        self.answers.iter().rev().find(|answer| answer.step == step)
    }

    /// True once the dialogue has ended (completed, disqualified or opted out); a question a
    /// nurture touch asked again does not reopen it.
    pub fn is_finished(&self) -> bool {
        self.pending.as_ref().is_none_or(|pending| pending.nurture)
    }

    /// When the prospect last did something: their last message, else their last answer,
    /// else the start (for states stored before `last_active_at` was kept).
    pub fn last_activity(&self) -> DateTime<FixedOffset> {
        self.last_active_at
            .or_else(|| self.answers.last().map(|answer| answer.at))
            .unwrap_or(self.started_at)
    }
}
