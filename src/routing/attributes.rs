//! Purpose: what rules can ask about a lead — its answers and the values derived from them
//! (budget per year, budget band, region, industry, language, company size, script, score) —
//! computed from the conversation alone.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::engine::state::{AnswerValue, ConversationState, group_thousands};
use crate::extract::{MoneyAnswer, Period};
use crate::reps::{COMPANY_SIZE_STEPS, Team};
use crate::script::{Comparison, Criterion, Expectation, Script};

/// A lead's attributes by name; values are lower-case text or numbers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LeadAttributes {
    /// Text attributes (several values for a multiple choice).
    pub text: BTreeMap<String, Vec<String>>,
    /// Numeric attributes.
    pub numbers: BTreeMap<String, f64>,
    /// The currency the budget was given in, when a budget was given.
    pub budget_currency: Option<String>,
    /// How the budget was read for routing, for `route --explain`: the amount said, its value
    /// in the team's budget currency and its band — or why it has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget_note: Option<String>,
}

impl LeadAttributes {
    /// Derives the attributes of a conversation on `script`.
    pub fn of(state: &ConversationState, script: &Script, team: &Team) -> LeadAttributes {
        let mut attributes = LeadAttributes::default();
        let mut text = |name: &str, value: &str| {
            attributes
                .text
                .entry(name.to_string())
                .or_default()
                .push(value.trim().to_lowercase());
        };
        text("language", script.locale.code());
        text("script", &script.id);
        text("stage", &state.stage.to_string());
        for (field, value) in &state.contact {
            text(field, value);
        }
        let mut budget = None;
        for answer in &state.answers {
            let step = answer.step.as_str();
            match &answer.value {
                AnswerValue::Choice { value, .. } => {
                    choice(&mut attributes, script, step, vec![value.to_lowercase()]);
                }
                AnswerValue::MultiChoice { values, .. } => {
                    let values = values.iter().map(|value| value.to_lowercase()).collect();
                    choice(&mut attributes, script, step, values);
                }
                AnswerValue::YesNo { value, .. } => {
                    let word = if *value { "yes" } else { "no" };
                    attributes
                        .text
                        .insert(step.to_string(), vec![word.to_string()]);
                }
                AnswerValue::Number { value } => {
                    attributes.numbers.insert(step.to_string(), *value);
                }
                AnswerValue::Money {
                    answer: MoneyAnswer::Amount(money),
                } => {
                    let step_period = match script.step(step).map(|step| &step.expect) {
                        Some(Expectation::Money { period, .. }) => *period,
                        _ => None,
                    };
                    let per_year = match money.period.or(step_period) {
                        Some(Period::Month) => money.amount * 12.0,
                        _ => money.amount,
                    };
                    // Amounts are compared in the team's budget currency, or not at all.
                    let converted = team.in_budget_currency(per_year, &money.currency);
                    match converted {
                        Some(amount) => attributes.numbers.insert(step.to_string(), amount),
                        None => attributes.numbers.remove(step),
                    };
                    if answer.criterion == Criterion::Budget {
                        budget = Some((per_year, money.currency.clone(), converted));
                    }
                }
                AnswerValue::Email { value } | AnswerValue::Text { value } => {
                    attributes
                        .text
                        .insert(step.to_string(), vec![value.to_lowercase()]);
                }
                _ => {}
            }
        }
        if let Some((said, currency, converted)) = budget {
            attributes.budget_note = Some(budget_note(team, said, &currency, converted));
            attributes.budget_currency = Some(currency);
            match converted {
                Some(amount) => {
                    attributes.numbers.insert("budget".into(), amount);
                    if let Some(band) = band_of(team, amount) {
                        attributes
                            .text
                            .insert("budget_band".into(), vec![band.to_lowercase()]);
                    }
                }
                None => {
                    attributes.numbers.remove("budget");
                }
            }
        }
        if let Some(size) = COMPANY_SIZE_STEPS
            .iter()
            .find_map(|step| attributes.numbers.get(*step).copied())
        {
            attributes.numbers.insert("company_size".into(), size);
        }
        attributes
            .numbers
            .insert("score".into(), f64::from(state.score));
        attributes
    }

    /// The first text value of an attribute.
    pub fn first(&self, name: &str) -> Option<&str> {
        self.text
            .get(name)
            .and_then(|values| values.first())
            .map(String::as_str)
    }

    /// The budget per year, when given.
    pub fn budget(&self) -> Option<f64> {
        self.numbers.get("budget").copied()
    }

    /// Whether one rule condition holds. An attribute the lead lacks never matches; amounts on
    /// both sides are in the team's budget currency.
    pub fn holds(&self, condition: &crate::reps::RuleCondition) -> bool {
        if let (Some(left), Ok(right)) = (
            self.numbers.get(&condition.attribute),
            condition.value.parse::<f64>(),
        ) {
            return match condition.op {
                Comparison::Equal => *left == right,
                Comparison::NotEqual => *left != right,
                Comparison::Less => *left < right,
                Comparison::LessOrEqual => *left <= right,
                Comparison::Greater => *left > right,
                Comparison::GreaterOrEqual => *left >= right,
            };
        }
        let Some(values) = self.text.get(&condition.attribute) else {
            return false;
        };
        let wanted = condition.value.to_lowercase();
        let equal = values.contains(&wanted);
        match condition.op {
            Comparison::Equal => equal,
            Comparison::NotEqual => !equal,
            _ => false,
        }
    }
}

/// Records a choice under its step id and, when the step fills a contact field (`store_as =
/// "region"`), under the field too: option values, not the labels the contact record keeps, so
/// rules and rep filters name the same values as script conditions.
fn choice(attributes: &mut LeadAttributes, script: &Script, step: &str, values: Vec<String>) {
    if let Some(field) = script.step(step).and_then(|step| step.store_as) {
        attributes
            .text
            .insert(field.name().to_string(), values.clone());
    }
    attributes.text.insert(step.to_string(), values);
}

/// The highest band a yearly budget (in the budget currency) reaches.
fn band_of(team: &Team, amount: f64) -> Option<&str> {
    team.budget_bands
        .iter()
        .rev()
        .find(|(_, at_least)| amount >= *at_least)
        .map(|(band, _)| band.as_str())
}

/// "KRW 50,000,000 a year ≈ USD 34,000 (budget_band mid)", or why the budget has no band.
fn budget_note(team: &Team, said: f64, currency: &str, converted: Option<f64>) -> String {
    let mut note = format!("{currency} {} a year", group_thousands(said));
    let Some(amount) = converted else {
        return format!(
            "{note}: no exchange rate to {} in the reps file, so no budget and no budget_band \
             for routing",
            team.budget_currency
        );
    };
    if currency != team.budget_currency {
        note = format!(
            "{note} ≈ {} {}",
            team.budget_currency,
            group_thousands(amount.round())
        );
    }
    match band_of(team, amount) {
        Some(band) => format!("{note} (budget_band {band})"),
        None if team.budget_bands.is_empty() => note,
        None => format!("{note} (below every budget band)"),
    }
}
