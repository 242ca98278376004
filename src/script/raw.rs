//! Purpose: the script file exactly as written (TOML), with source positions for error messages.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

/// A script file before validation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawScript {
    pub id: Spanned<String>,
    pub version: Spanned<i64>,
    pub locale: Spanned<String>,
    pub currency: Option<Spanned<String>>,
    #[serde(default)]
    pub currencies: BTreeMap<Spanned<String>, Spanned<f64>>,
    pub name: Option<String>,
    #[serde(default)]
    pub default: bool,
    pub greeting: String,
    pub max_reasks: Option<Spanned<i64>>,
    pub thresholds: Spanned<RawThresholds>,
    pub required: Spanned<Vec<Spanned<String>>>,
    pub iql_requires: Option<Spanned<Vec<Spanned<String>>>>,
    pub fast_reply: Option<RawFastReply>,
    pub follow_up: Option<RawFollowUp>,
    #[serde(default)]
    pub messages: BTreeMap<Spanned<String>, String>,
    #[serde(default)]
    pub human_phrases: Vec<String>,
    #[serde(default)]
    pub signals: Vec<Spanned<RawSignal>>,
    #[serde(default)]
    pub steps: Vec<Spanned<RawStep>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawThresholds {
    pub mql: Spanned<i64>,
    pub sql: Spanned<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFastReply {
    pub within_seconds: i64,
    pub points: i32,
    pub max_points: Option<i32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFollowUp {
    pub nudge_after: Option<Spanned<String>>,
    pub abandon_after: Option<Spanned<String>>,
    pub mql_after: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSignal {
    pub id: Spanned<String>,
    pub reason: String,
    pub points: i32,
    pub phrases: Spanned<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStep {
    pub id: Spanned<String>,
    pub criterion: Spanned<String>,
    pub ask: String,
    pub hint: Option<String>,
    pub expect: Spanned<String>,
    pub store_as: Option<Spanned<String>>,
    pub when: Option<Spanned<String>>,
    #[serde(default)]
    pub goto: Vec<Spanned<RawJump>>,
    pub points: Option<i32>,
    pub options: Option<Spanned<Vec<Spanned<RawOption>>>>,
    pub bands: Option<Spanned<Vec<Spanned<RawBand>>>>,
    pub disqualify_below: Option<Spanned<RawDisqualifier>>,
    pub no_budget_points: Option<Spanned<i32>>,
    pub disqualify_no_budget: Option<Spanned<String>>,
    pub period: Option<Spanned<String>>,
    pub ask_period: Option<Spanned<bool>>,
    pub no_timeline_points: Option<Spanned<i32>>,
    pub yes_points: Option<Spanned<i32>>,
    pub no_points: Option<Spanned<i32>>,
    pub disqualify_yes: Option<Spanned<String>>,
    pub disqualify_no: Option<Spanned<String>>,
    pub pattern: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawJump {
    pub when: Option<Spanned<String>>,
    pub to: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOption {
    pub value: Option<Spanned<String>>,
    pub label: Option<Spanned<String>>,
    #[serde(default)]
    pub points: i32,
    #[serde(default)]
    pub synonyms: Vec<String>,
    pub disqualify: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBand {
    pub at_least: Option<f64>,
    pub within_days: Option<i64>,
    pub points: i32,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDisqualifier {
    pub amount: f64,
    pub say: String,
}
