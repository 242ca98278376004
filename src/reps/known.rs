//! Purpose: what a rule or a rep filter can ask about a lead, as the loaded scripts define it —
//! so a typo (`regoin = eu`, `language = kr`) is an error with a suggestion, not a rule that
//! silently never matches. Mirrors what `routing::LeadAttributes::of` computes.

use std::collections::{BTreeMap, BTreeSet};

use crate::engine::state::Stage;
use crate::script::{Comparison, Criterion, Expectation, Script};

use super::{COMPANY_SIZE_STEPS, RuleCondition};

/// Attributes every lead may have whatever the scripts, with why a lead might lack one.
const BUILT_IN: [(&str, &str); 14] = [
    ("budget", "no money step has criterion = \"budget\""),
    ("budget_band", ""),
    (
        "company_size",
        "no number step has id company_size, team_size, employees or seats",
    ),
    ("language", "no script is loaded"),
    ("script", "no script is loaded"),
    ("score", ""),
    ("stage", ""),
    ("name", "no step has store_as = \"name\""),
    ("company", "no step has store_as = \"company\""),
    ("email", "no step has store_as = \"email\""),
    ("phone", "no step has store_as = \"phone\""),
    ("region", "no step has store_as = \"region\""),
    ("industry", "no step has store_as = \"industry\""),
    ("role", "no step has store_as = \"role\""),
];

/// The values one attribute can take across the scripts.
#[derive(Debug, Clone, Default)]
struct Values {
    /// Text values the scripts fix: option values, yes/no, locales, script ids, band names.
    text: BTreeSet<String>,
    /// Any text at all (a free-text or e-mail answer).
    any_text: bool,
    /// A number (a number or money step, the score).
    number: bool,
    /// An amount of money, so a rule amount may name its currency.
    money: bool,
    /// The kind of a step rules cannot test (a timeframe).
    untestable: Option<&'static str>,
}

impl Values {
    fn text(values: impl IntoIterator<Item = String>) -> Values {
        Values {
            text: values.into_iter().collect(),
            ..Values::default()
        }
    }

    fn merge(&mut self, other: Values) {
        self.text.extend(other.text);
        self.any_text |= other.any_text;
        self.number |= other.number;
        self.money |= other.money;
        self.untestable = self.untestable.or(other.untestable);
    }

    fn is_text(&self) -> bool {
        self.any_text || !self.text.is_empty()
    }
}

/// Everything leads qualified on a set of scripts can carry, by attribute name.
#[derive(Debug, Clone, Default)]
pub struct KnownAttributes {
    by_name: BTreeMap<String, Values>,
    /// The budget bands' names, lowest first, for messages.
    bands: Vec<String>,
}

impl KnownAttributes {
    /// What leads on `scripts` can carry, and `bands` as the values of `budget_band`.
    pub fn of(scripts: &[Script], bands: &[(String, f64)]) -> KnownAttributes {
        let mut known = KnownAttributes {
            bands: bands.iter().map(|(band, _)| band.clone()).collect(),
            ..KnownAttributes::default()
        };
        let stages = Stage::ALL.map(|stage| stage.name().to_string());
        known.add("stage", Values::text(stages));
        known.add(
            "score",
            Values {
                number: true,
                ..Values::default()
            },
        );
        if !bands.is_empty() {
            let names = bands.iter().map(|(band, _)| band.to_lowercase());
            known.add("budget_band", Values::text(names));
        }
        for script in scripts {
            known.add("language", Values::text([script.locale.code().to_string()]));
            known.add("script", Values::text([script.id.to_lowercase()]));
            for step in &script.steps {
                let values = step_values(&step.expect);
                if let Some(field) = step.store_as {
                    let stored = match &step.expect {
                        Expectation::Choice { .. } | Expectation::MultiChoice { .. } => {
                            values.clone()
                        }
                        _ => Values {
                            any_text: true,
                            ..Values::default()
                        },
                    };
                    known.add(field.name(), stored);
                }
                if values.number && step.criterion == Criterion::Budget {
                    known.add("budget", values.clone());
                }
                if values.number && COMPANY_SIZE_STEPS.contains(&step.id.as_str()) {
                    known.add("company_size", values.clone());
                }
                known.add(&step.id, values);
            }
        }
        known
    }

    fn add(&mut self, name: &str, values: Values) {
        self.by_name
            .entry(name.to_string())
            .or_default()
            .merge(values);
    }

    /// Why a rule condition can never hold on these scripts' leads; `None` when it can.
    pub fn check_condition(&self, condition: &RuleCondition) -> Option<String> {
        let name = condition.attribute.as_str();
        let values = match self.by_name.get(name) {
            Some(values) => values,
            None => return Some(self.missing(name)),
        };
        if let Some(kind) = values.untestable
            && !values.number
            && !values.is_text()
        {
            return Some(format!("{name} is a {kind} step: rules cannot test it"));
        }
        if condition.currency.is_some() && !values.money {
            return Some(format!(
                "{name} is not money: a currency code applies to budget or a money step"
            ));
        }
        let numeric = condition.value.parse::<f64>().is_ok();
        if values.number && numeric {
            return None;
        }
        let ordered = !matches!(condition.op, Comparison::Equal | Comparison::NotEqual);
        if !values.is_text() {
            return Some(format!("{name} is a number: compare it with a number"));
        }
        if ordered {
            return Some(format!("{name} is text: use = or !="));
        }
        self.check_value(name, &condition.value)
    }

    /// Why a rep filter value (a language, region or industry) would never be a lead's; `None`
    /// when some script can give it, or when no script asks about the attribute at all (a
    /// filter on an attribute leads never have excludes nobody).
    pub fn check_filter(&self, name: &str, value: &str) -> Option<String> {
        self.by_name.get(name)?;
        self.check_value(name, value)
    }

    /// Why a text value is not one the attribute can take.
    fn check_value(&self, name: &str, value: &str) -> Option<String> {
        let values = self.by_name.get(name)?;
        let wanted = value.trim().to_lowercase();
        if values.any_text || values.text.contains(&wanted) {
            return None;
        }
        if name == "budget_band" {
            return Some(format!(
                "{wanted:?} is not a band of [budget_bands] (bands: {})",
                self.bands.join(", ")
            ));
        }
        let list = values
            .text
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(", ");
        let suggestion = closest(&wanted, values.text.iter().map(String::as_str))
            .map(|close| format!("did you mean {close:?}? "))
            .unwrap_or_default();
        Some(format!(
            "{wanted:?} is not {} {name} any script gives a lead ({suggestion}values: {list})",
            article(name)
        ))
    }

    /// Why a lead never has `name`: a built-in no script provides, or an unknown name.
    fn missing(&self, name: &str) -> String {
        if name == "budget_band" {
            return "there are no [budget_bands], so no lead has a budget_band".into();
        }
        if let Some((_, why)) = BUILT_IN.iter().find(|(built_in, _)| *built_in == name) {
            return format!("no script gives a lead {} {name} ({why})", article(name));
        }
        let names = self
            .by_name
            .keys()
            .map(String::as_str)
            .chain(BUILT_IN.iter().map(|(built_in, _)| *built_in));
        match closest(name, names) {
            Some(close) => format!("unknown attribute {name:?} (did you mean {close:?}?)"),
            None => format!(
                "unknown attribute {name:?}: use budget, budget_band, region, industry, \
                 language, company_size, script, score, stage, a contact field or a step id"
            ),
        }
    }
}

/// The values of the step's answer as rules see them.
fn step_values(expect: &Expectation) -> Values {
    match expect {
        Expectation::Choice { options } | Expectation::MultiChoice { options } => {
            Values::text(options.iter().map(|option| option.value.to_lowercase()))
        }
        Expectation::YesNo { .. } => Values::text(["yes".to_string(), "no".to_string()]),
        Expectation::Number { .. } => Values {
            number: true,
            ..Values::default()
        },
        Expectation::Money { .. } => Values {
            number: true,
            money: true,
            ..Values::default()
        },
        Expectation::Email | Expectation::Text { .. } => Values {
            any_text: true,
            ..Values::default()
        },
        Expectation::Timeframe { .. } => Values {
            untestable: Some("timeframe"),
            ..Values::default()
        },
    }
}

/// "an" before a vowel sound, for messages such as "an industry".
fn article(name: &str) -> &'static str {
    if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// The candidate closest to a misspelt `wanted`, when one is close enough to be what was meant.
fn closest<'a>(wanted: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|candidate| (strsim::damerau_levenshtein(wanted, candidate), candidate))
        .filter(|(distance, candidate)| {
            let longer = wanted.chars().count().max(candidate.chars().count());
            *distance > 0 && *distance <= (longer / 3).max(1)
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}
