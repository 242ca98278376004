//! Purpose: what rules can ask about a lead — its answers and the values derived from them
//! (budget per year, budget band, region, industry, language, company size, script, score) —
//! computed from the conversation alone.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::engine::state::{AnswerValue, ConversationState};
use crate::extract::{MoneyAnswer, Period};
use crate::reps::Team;
use crate::script::{Comparison, Criterion, Expectation, Script};

/// A lead's attributes by name; values are lower-case text or numbers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LeadAttributes {
    /// Text attributes (several values for a multiple choice).
    pub text: BTreeMap<String, Vec<String>>,
    /// Numeric attributes.
    pub numbers: BTreeMap<String, f64>,
    /// The budget's currency, when a budget was given.
    pub budget_currency: Option<String>,
}

/// Step ids that mean "how big is the company" in the shipped scripts and common practice.
const COMPANY_SIZE_STEPS: [&str; 4] = ["company_size", "team_size", "employees", "seats"];

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
                    attributes
                        .text
                        .insert(step.to_string(), vec![value.to_lowercase()]);
                }
                AnswerValue::MultiChoice { values, .. } => {
                    attributes.text.insert(
                        step.to_string(),
                        values.iter().map(|value| value.to_lowercase()).collect(),
                    );
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
                    attributes.numbers.insert(step.to_string(), per_year);
                    if answer.criterion == Criterion::Budget {
                        budget = Some((per_year, money.currency.clone()));
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
        if let Some((amount, currency)) = budget {
            attributes.numbers.insert("budget".into(), amount);
            attributes.budget_currency = Some(currency);
            if let Some((band, _)) = team.budget_bands.iter().rev().find(|(_, at)| amount >= *at) {
                attributes
                    .text
                    .insert("budget_band".into(), vec![band.to_lowercase()]);
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

    /// Whether one rule condition holds. An attribute the lead lacks never matches.
    pub fn holds(&self, condition: &crate::reps::RuleCondition) -> bool {
        if let Some(currency) = &condition.currency
            && self.budget_currency.as_deref() != Some(currency.as_str())
        {
            return false;
        }
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
