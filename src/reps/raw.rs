//! Purpose: the reps file exactly as written (TOML), with source positions for error messages.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use toml::Spanned;

/// A reps file before validation.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTeam {
    #[schemars(with = "Option<String>")]
    pub default_pool: Option<Spanned<String>>,
    pub fallback: Option<RawFallback>,
    #[serde(default)]
    #[schemars(with = "BudgetBandsSchema")]
    pub budget_bands: RawBudgetBands,
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, f64>")]
    pub currencies: BTreeMap<Spanned<String>, Spanned<f64>>,
    #[serde(default)]
    #[schemars(with = "Vec<RawRule>")]
    pub rules: Vec<Spanned<RawRule>>,
    #[serde(default)]
    #[schemars(with = "Vec<RawPool>")]
    pub pools: Vec<Spanned<RawPool>>,
    #[serde(default)]
    #[schemars(with = "Vec<RawRep>")]
    pub reps: Vec<Spanned<RawRep>>,
}

/// `[budget_bands]`: an optional `currency = "USD"` beside `name = lowest yearly budget` entries.
/// `[budget_bands]` as editors see it: `currency`, and any other key a band's lowest budget.
#[derive(schemars::JsonSchema)]
#[allow(
    dead_code,
    reason = "describes the file for the JSON Schema; never built"
)]
struct BudgetBandsSchema {
    /// The bands' currency (default USD).
    currency: Option<String>,
    /// Each band: `name = lowest yearly budget`.
    #[serde(flatten)]
    bands: BTreeMap<String, f64>,
}

#[derive(Debug, Default)]
pub(super) struct RawBudgetBands {
    pub currency: Option<Spanned<String>>,
    pub bands: BTreeMap<String, Spanned<f64>>,
}

impl<'de> Deserialize<'de> for RawBudgetBands {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct BandsVisitor;

        impl<'de> Visitor<'de> for BandsVisitor {
            type Value = RawBudgetBands;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("bands as `name = lowest yearly budget` and an optional `currency`")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawBudgetBands, A::Error> {
                let mut bands = RawBudgetBands::default();
                while let Some(key) = map.next_key::<String>()? {
                    if key == "currency" {
                        bands.currency = Some(map.next_value()?);
                    } else {
                        bands.bands.insert(key, map.next_value()?);
                    }
                }
                Ok(bands)
            }
        }

        deserializer.deserialize_map(BandsVisitor)
    }
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFallback {
    pub name: Option<String>,
    pub slack_channel: Option<String>,
    pub discord_channel: Option<String>,
    pub email: Option<String>,
    #[schemars(with = "Option<String>")]
    pub webhook_url: Option<crate::secret::Secret>,
    #[schemars(with = "Option<String>")]
    pub booking_url: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRule {
    #[schemars(with = "String")]
    pub when: Spanned<String>,
    #[schemars(with = "String")]
    pub pool: Spanned<String>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPool {
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    #[schemars(with = "Option<Vec<String>>")]
    pub reps: Option<Vec<Spanned<String>>>,
    #[schemars(with = "Option<i64>")]
    pub sla_minutes: Option<Spanned<i64>>,
    #[schemars(with = "Option<String>")]
    pub booking_url: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRep {
    #[schemars(with = "String")]
    pub id: Spanned<String>,
    pub name: String,
    pub slack_user: Option<String>,
    pub discord_user: Option<String>,
    pub email: Option<String>,
    #[schemars(with = "Option<String>")]
    pub webhook_url: Option<crate::secret::Secret>,
    #[schemars(with = "Option<String>")]
    pub booking_url: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub languages: Vec<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub regions: Vec<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub industries: Vec<Spanned<String>>,
    #[schemars(with = "Option<RawDealSize>")]
    pub deal_size: Option<Spanned<RawDealSize>>,
    pub seniority: Option<String>,
    #[schemars(with = "Option<i64>")]
    pub weight: Option<Spanned<i64>>,
    #[schemars(with = "Option<i64>")]
    pub capacity: Option<Spanned<i64>>,
    #[schemars(with = "Option<String>")]
    pub time_zone: Option<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub hours: Vec<Spanned<String>>,
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub out_of_office: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDealSize {
    pub min: Option<f64>,
    pub max: Option<f64>,
}
