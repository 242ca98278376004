//! Purpose: the validated, ready-to-run shape of a qualification script.

use std::collections::BTreeMap;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::locale::Locale;

/// The five qualification criteria, plus contact details (which make a lead information-qualified).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Criterion {
    /// Does the prospect have a problem we solve?
    Need,
    /// How keen are they?
    Interest,
    /// Can they pay?
    Budget,
    /// When will they buy?
    Timing,
    /// Can they decide?
    Authority,
    /// Who are they and how do we reach them?
    Contact,
}

impl Criterion {
    /// Every criterion, in the order reports show them.
    pub const ALL: [Criterion; 6] = [
        Criterion::Need,
        Criterion::Interest,
        Criterion::Budget,
        Criterion::Timing,
        Criterion::Authority,
        Criterion::Contact,
    ];

    /// The name used in scripts and reports.
    pub fn name(self) -> &'static str {
        match self {
            Criterion::Need => "need",
            Criterion::Interest => "interest",
            Criterion::Budget => "budget",
            Criterion::Timing => "timing",
            Criterion::Authority => "authority",
            Criterion::Contact => "contact",
        }
    }
}

/// A contact detail a step fills in on the lead record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContactField {
    /// The person's name.
    Name,
    /// Their company.
    Company,
    /// Their work e-mail.
    Email,
    /// Their phone number.
    Phone,
    /// Their region (used by routing).
    Region,
    /// Their industry (used by routing).
    Industry,
    /// Their role or title.
    Role,
}

impl ContactField {
    /// The name used in scripts and on the lead record.
    pub fn name(self) -> &'static str {
        match self {
            ContactField::Name => "name",
            ContactField::Company => "company",
            ContactField::Email => "email",
            ContactField::Phone => "phone",
            ContactField::Region => "region",
            ContactField::Industry => "industry",
            ContactField::Role => "role",
        }
    }
}

/// A complete, validated script: what the engine runs.
#[derive(Debug, Clone)]
pub struct Script {
    /// Stable identifier, e.g. "saas-en".
    pub id: String,
    /// The version: the hash of `source`. Conversations keep the version they started with.
    pub version: super::ScriptVersion,
    /// The file's optional `version`, a label for people ("2", "spring-2027").
    pub label: Option<String>,
    /// Language of every question and reply.
    pub locale: Locale,
    /// Currency of bare amounts and of the budget bands.
    pub currency: String,
    /// Exchange rates from `[currencies]`: units of `currency` per unit of each other currency.
    /// In the script, so that a script version alone determines how an answer scores.
    pub currencies: BTreeMap<String, f64>,
    /// Human name for reports.
    pub name: String,
    /// The script `chat` and new conversations use when none is named.
    pub default: bool,
    /// First thing the bot says.
    pub greeting: String,
    /// Score at which a lead becomes marketing-qualified.
    pub mql_threshold: i32,
    /// Score at which a lead becomes sales-qualified (with every required criterion met).
    pub sql_threshold: i32,
    /// Criteria that must be met for SQL.
    pub required: Vec<Criterion>,
    /// Contact fields that make a lead information-qualified.
    pub iql_requires: Vec<ContactField>,
    /// How many times a question is re-asked before moving on.
    pub max_reasks: u32,
    /// Ordered questions.
    pub steps: Vec<Step>,
    /// Behaviour that scores when the prospect writes it in free text.
    pub signals: Vec<Signal>,
    /// Points for answering quickly.
    pub fast_reply: Option<FastReply>,
    /// When to nudge a quiet prospect, give up on them, and follow up with an MQL.
    pub follow_up: FollowUp,
    /// Touches for a lead whose dialogue ended at MQL (`[[nurture]]`), in order of `after_days`.
    pub nurture: Vec<NurtureTouch>,
    /// How behaviour points fade while a lead is silent (`decay`); `None` keeps them.
    pub decay: Option<Decay>,
    /// Texts the admin overrides, by message key.
    pub messages: BTreeMap<String, String>,
    /// More ways of asking for a person in the script's language (`human_phrases`), on top of
    /// the built-in ones: any message containing one pauses the script for a rep.
    pub human_phrases: Vec<String>,
    /// The dialogue this script translates (`family = "saas"`): a conversation may start on,
    /// or switch to, the family member in the prospect's language, keeping its answers.
    pub family: Option<String>,
    /// More ways of asking for this script's language (`language_phrases`), on top of the
    /// built-in ones: in any script of the family, a short message containing one switches here.
    pub language_phrases: Vec<String>,
    /// Questions prospects ask mid-dialogue, answered without leaving the current question.
    pub faq: Vec<Faq>,
    /// The TOML it was loaded from, kept so conversations can resume on this exact version.
    pub source: String,
}

impl Script {
    /// Finds a step by id.
    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|step| step.id == id)
    }

    /// An amount of `currency` in the script's currency; `None` without a rate for it.
    pub fn in_own_currency(&self, amount: f64, currency: &str) -> Option<f64> {
        super::currencies::convert(amount, currency, &self.currency, &self.currencies)
    }

    /// Position of a step in the script.
    pub fn step_index(&self, id: &str) -> Option<usize> {
        self.steps.iter().position(|step| step.id == id)
    }
}

/// One question and what to make of its answer.
#[derive(Debug, Clone)]
pub struct Step {
    /// Unique id within the script; answers are stored under it.
    pub id: String,
    /// Which criterion the answer informs.
    pub criterion: Criterion,
    /// The question.
    pub ask: String,
    /// Shown when the answer was not understood.
    pub hint: Option<String>,
    /// What kind of answer is expected, with its scoring.
    pub expect: Expectation,
    /// Contact field this answer fills in.
    pub store_as: Option<ContactField>,
    /// The step is asked only when this holds.
    pub when: Option<Condition>,
    /// Jumps taken after the answer, first match wins; otherwise the next step in order.
    pub goto: Vec<Jump>,
    /// Points for any understood answer (on top of the expectation's own scoring).
    pub points: i32,
}

/// What a step expects, with the scoring rules that belong to that kind.
#[derive(Debug, Clone)]
pub enum Expectation {
    /// Exactly one option.
    Choice {
        /// The options, in display order.
        options: Vec<ChoiceOption>,
    },
    /// One or more options; points add up.
    MultiChoice {
        /// The options, in display order.
        options: Vec<ChoiceOption>,
    },
    /// A yes or a no.
    YesNo {
        /// Points for yes.
        yes_points: i32,
        /// Points for no.
        no_points: i32,
        /// Disqualifies on yes, with what to say.
        disqualify_yes: Option<String>,
        /// Disqualifies on no, with what to say.
        disqualify_no: Option<String>,
    },
    /// An amount of money.
    Money {
        /// Points by amount; the highest band reached applies.
        bands: Vec<Band>,
        /// Amounts below this disqualify.
        disqualify_below: Option<Disqualifier>,
        /// Points for "no budget".
        no_budget_points: i32,
        /// Disqualifies on "no budget", with what to say.
        disqualify_no_budget: Option<String>,
        /// The bands are amounts per this period; answers in another period are converted.
        period: Option<crate::extract::Period>,
        /// Ask "per month or per year?" when an answer does not say.
        ask_period: bool,
    },
    /// A window of dates.
    Timeframe {
        /// Points by days until the window starts; the first band reached applies.
        bands: Vec<TimeBand>,
        /// Points for "no timeline".
        no_timeline_points: i32,
    },
    /// A number.
    Number {
        /// Points by value; the highest band reached applies.
        bands: Vec<Band>,
    },
    /// An e-mail address.
    Email,
    /// Free text, optionally checked by a pattern.
    Text {
        /// The answer must match this to be understood.
        pattern: Option<Regex>,
    },
}

impl Expectation {
    /// The kind's name as written in scripts.
    pub fn kind(&self) -> &'static str {
        match self {
            Expectation::Choice { .. } => "choice",
            Expectation::MultiChoice { .. } => "multi_choice",
            Expectation::YesNo { .. } => "yes_no",
            Expectation::Money { .. } => "money",
            Expectation::Timeframe { .. } => "timeframe",
            Expectation::Number { .. } => "number",
            Expectation::Email => "email",
            Expectation::Text { .. } => "text",
        }
    }

    /// The options of a choice step (empty for other kinds).
    pub fn options(&self) -> &[ChoiceOption] {
        match self {
            Expectation::Choice { options } | Expectation::MultiChoice { options } => options,
            _ => &[],
        }
    }
}

/// One option of a choice step.
#[derive(Debug, Clone)]
pub struct ChoiceOption {
    /// Stored when chosen; used in conditions.
    pub value: String,
    /// Shown on the button.
    pub label: String,
    /// Points when chosen.
    pub points: i32,
    /// Other words for this option.
    pub synonyms: Vec<String>,
    /// Choosing it disqualifies, with what to say.
    pub disqualify: Option<String>,
}

/// Points from a threshold upwards.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    /// Lowest value that earns these points.
    pub at_least: f64,
    /// Points earned.
    pub points: i32,
}

/// Points when the window starts within a number of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeBand {
    /// The window must start within this many days.
    pub within_days: i64,
    /// Points earned.
    pub points: i32,
}

/// A hard floor: below it, the lead is disqualified.
#[derive(Debug, Clone, PartialEq)]
pub struct Disqualifier {
    /// The floor.
    pub amount: f64,
    /// What to tell the prospect.
    pub say: String,
}

/// A conditional jump after a step.
#[derive(Debug, Clone)]
pub struct Jump {
    /// Taken when this holds (always when absent).
    pub when: Option<Condition>,
    /// Step id, or `Jump::END`.
    pub to: String,
}

impl Jump {
    /// The target that ends the dialogue.
    pub const END: &'static str = "end";
}

/// A test on an earlier answer: `<step> <op> <value>`.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// The step whose answer is tested.
    pub step: String,
    /// The comparison.
    pub op: Comparison,
    /// The right-hand side: a number, yes/no, or an option value.
    pub value: String,
}

/// The comparisons a condition can make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    /// `=`
    Equal,
    /// `!=`
    NotEqual,
    /// `<`
    Less,
    /// `<=`
    LessOrEqual,
    /// `>`
    Greater,
    /// `>=`
    GreaterOrEqual,
}

/// Behaviour that scores: the prospect asks for a demo, a meeting, the price...
#[derive(Debug, Clone)]
pub struct Signal {
    /// Stable id, stored on the score event.
    pub id: String,
    /// Why the points were given, in words a rep reads.
    pub reason: String,
    /// Points (negative for bad signs).
    pub points: i32,
    /// Phrases that trigger it, folded (lower case, no accents) once at load.
    pub phrases: Vec<String>,
}

/// A question prospects ask, with the script's answer (`[[faq]]`).
#[derive(Debug, Clone)]
pub struct Faq {
    /// Stable id ("pricing"), for people reading the script and the transcript.
    pub id: String,
    /// Phrases that ask it, folded (lower case, no accents) once at load.
    pub phrases: Vec<String>,
    /// What the bot answers.
    pub answer: String,
}

/// Timers for prospects who go quiet or stop short of SQL; `None` turns each off.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FollowUp {
    /// One nudge this long after an unanswered question.
    pub nudge_after: Option<chrono::Duration>,
    /// The conversation is marked abandoned this long after the unanswered question.
    pub abandon_after: Option<chrono::Duration>,
    /// One follow-up message this long after a dialogue ended at MQL.
    pub mql_after: Option<chrono::Duration>,
}

/// One message of a nurture sequence, sent to a lead that stopped at MQL so it is not dropped
/// after one follow-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NurtureTouch {
    /// Days after the dialogue ended (not after the previous touch).
    pub after_days: i64,
    /// What to send: a case study, a pricing page...
    pub say: String,
    /// A step whose question is asked again after the message ("has your timeline changed?");
    /// the answer replaces the earlier one and re-scores the lead.
    pub ask: Option<String>,
}

/// Behaviour points (signals, quick replies) fading while a lead is silent, so a lead that
/// went cold is not handed off as hot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decay {
    /// Days without activity before each decay.
    pub after_days: i64,
    /// Points each decay removes (negative); in total never more than the behaviour earned.
    pub points: i32,
}

/// Points for answering quickly, at most once per step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FastReply {
    /// The answer must come within this many seconds of the question.
    pub within_seconds: i64,
    /// Points per quick answer.
    pub points: i32,
    /// Cap on the total from quick answers.
    pub max_points: i32,
}
