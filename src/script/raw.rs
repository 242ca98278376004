//! Purpose: the script file exactly as written (TOML), with source positions for error messages.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

/// A script file before validation.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawScript {
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    #[schemars(with = "Option<RawLabel>")]
    pub version: Option<Spanned<RawLabel>>,
    #[schemars(with = "String")]
    pub locale: Spanned<String>,
    #[schemars(with = "Option<String>")]
    pub currency: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, f64>")]
    pub currencies: BTreeMap<Spanned<String>, Spanned<f64>>,
    pub name: Option<String>,
    #[serde(default)]
    pub default: bool,
    pub greeting: String,
    #[schemars(with = "Option<i64>")]
    pub max_reasks: Option<Spanned<i64>>,
    #[schemars(with = "RawThresholds")]
    pub thresholds: Spanned<RawThresholds>,
    #[schemars(with = "Vec<String>")]
    pub required: Spanned<Vec<Spanned<String>>>,
    #[schemars(with = "Option<Vec<String>>")]
    pub iql_requires: Option<Spanned<Vec<Spanned<String>>>>,
    pub fast_reply: Option<RawFastReply>,
    pub follow_up: Option<RawFollowUp>,
    #[serde(default)]
    #[schemars(with = "Vec<RawNurture>")]
    pub nurture: Vec<Spanned<RawNurture>>,
    #[schemars(with = "Option<RawDecay>")]
    pub decay: Option<Spanned<RawDecay>>,
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    pub messages: BTreeMap<Spanned<String>, String>,
    #[serde(default)]
    pub human_phrases: Vec<String>,
    #[schemars(with = "Option<String>")]
    pub family: Option<Spanned<String>>,
    #[serde(default)]
    pub language_phrases: Vec<String>,
    #[serde(default)]
    #[schemars(with = "Vec<RawFaq>")]
    pub faq: Vec<Spanned<RawFaq>>,
    #[serde(default)]
    #[schemars(with = "Vec<RawSignal>")]
    pub signals: Vec<Spanned<RawSignal>>,
    #[serde(default)]
    #[schemars(with = "Vec<RawStep>")]
    pub steps: Vec<Spanned<RawStep>>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawThresholds {
    #[schemars(with = "i64")]
    pub mql: Spanned<i64>,
    #[schemars(with = "i64")]
    pub sql: Spanned<i64>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFastReply {
    pub within_seconds: i64,
    pub points: i32,
    pub max_points: Option<i32>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFollowUp {
    #[schemars(with = "Option<String>")]
    pub nudge_after: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub abandon_after: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub mql_after: Option<Spanned<String>>,
}

/// One touch of a nurture sequence: `[[nurture]]`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawNurture {
    #[schemars(with = "i64")]
    pub after_days: Spanned<i64>,
    pub say: String,
    #[schemars(with = "Option<String>")]
    pub ask: Option<Spanned<String>>,
}

/// Score decay: `decay = { after_days = 30, points = -5 }`.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDecay {
    #[schemars(with = "i64")]
    pub after_days: Spanned<i64>,
    #[schemars(with = "i32")]
    pub points: Spanned<i32>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSignal {
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    pub reason: String,
    pub points: i32,
    #[schemars(with = "Vec<String>")]
    pub phrases: Spanned<Vec<String>>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFaq {
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    #[schemars(with = "Vec<String>")]
    pub phrases: Spanned<Vec<String>>,
    #[schemars(with = "String")]
    pub answer: Spanned<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawStep {
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    #[schemars(with = "String")]
    pub criterion: Spanned<String>,
    pub ask: String,
    pub hint: Option<String>,
    #[schemars(with = "String")]
    pub expect: Spanned<String>,
    #[schemars(with = "Option<String>")]
    pub store_as: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub when: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Vec<RawJump>")]
    pub goto: Vec<Spanned<RawJump>>,
    pub points: Option<i32>,
    #[schemars(with = "Option<Vec<RawOption>>")]
    pub options: Option<Spanned<Vec<Spanned<RawOption>>>>,
    #[schemars(with = "Option<Vec<RawBand>>")]
    pub bands: Option<Spanned<Vec<Spanned<RawBand>>>>,
    #[schemars(with = "Option<RawDisqualifier>")]
    pub disqualify_below: Option<Spanned<RawDisqualifier>>,
    #[schemars(with = "Option<i32>")]
    pub no_budget_points: Option<Spanned<i32>>,
    #[schemars(with = "Option<String>")]
    pub disqualify_no_budget: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub period: Option<Spanned<String>>,
    #[schemars(with = "Option<bool>")]
    pub ask_period: Option<Spanned<bool>>,
    #[schemars(with = "Option<i32>")]
    pub no_timeline_points: Option<Spanned<i32>>,
    #[schemars(with = "Option<i32>")]
    pub yes_points: Option<Spanned<i32>>,
    #[schemars(with = "Option<i32>")]
    pub no_points: Option<Spanned<i32>>,
    #[schemars(with = "Option<String>")]
    pub disqualify_yes: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub disqualify_no: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub pattern: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawJump {
    #[schemars(with = "Option<String>")]
    pub when: Option<Spanned<String>>,
    #[schemars(with = "String")]
    pub to: Spanned<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOption {
    #[schemars(with = "Option<String>")]
    pub value: Option<Spanned<String>>,
    #[schemars(with = "Option<String>")]
    pub label: Option<Spanned<String>>,
    #[serde(default)]
    pub points: i32,
    #[serde(default)]
    pub synonyms: Vec<String>,
    pub disqualify: Option<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBand {
    pub at_least: Option<f64>,
    pub within_days: Option<i64>,
    pub points: i32,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDisqualifier {
    pub amount: f64,
    pub say: String,
}

/// The optional `version` of a script: a label for people ("2", "spring-2027"), no longer its
/// identity (that is the content's hash).
#[derive(Debug, Clone, PartialEq, schemars::JsonSchema)]
#[schemars(untagged)]
pub(super) enum RawLabel {
    /// `version = 3`
    Number(i64),
    /// `version = "spring-2027"`
    Text(String),
}

impl<'de> Deserialize<'de> for RawLabel {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct LabelVisitor;

        impl serde::de::Visitor<'_> for LabelVisitor {
            type Value = RawLabel;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a version label: a whole number or a text")
            }

            fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<RawLabel, E> {
                Ok(RawLabel::Number(value))
            }

            fn visit_u64<E: serde::de::Error>(self, value: u64) -> Result<RawLabel, E> {
                i64::try_from(value)
                    .map(RawLabel::Number)
                    .map_err(|_| E::custom("version is too large"))
            }

            fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<RawLabel, E> {
                Ok(RawLabel::Text(value.to_string()))
            }
        }

        deserializer.deserialize_any(LabelVisitor)
    }
}
