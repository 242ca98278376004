//! Purpose: the reps file exactly as written (TOML), with source positions for error messages.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use toml::Spanned;

/// A reps file before validation.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTeam {
    pub default_pool: Option<Spanned<String>>,
    pub fallback: Option<RawFallback>,
    #[serde(default)]
    pub budget_bands: RawBudgetBands,
    #[serde(default)]
    pub currencies: BTreeMap<Spanned<String>, Spanned<f64>>,
    #[serde(default)]
    pub rules: Vec<Spanned<RawRule>>,
    #[serde(default)]
    pub pools: Vec<Spanned<RawPool>>,
    #[serde(default)]
    pub reps: Vec<Spanned<RawRep>>,
}

/// `[budget_bands]`: an optional `currency = "USD"` beside `name = lowest yearly budget` entries.
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFallback {
    pub name: Option<String>,
    pub slack_channel: Option<String>,
    pub discord_channel: Option<String>,
    pub email: Option<String>,
    pub webhook_url: Option<crate::secret::Secret>,
    pub booking_url: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRule {
    pub when: Spanned<String>,
    pub pool: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPool {
    pub id: Spanned<String>,
    pub reps: Option<Vec<Spanned<String>>>,
    pub sla_minutes: Option<Spanned<i64>>,
    pub booking_url: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRep {
    pub id: Spanned<String>,
    pub name: String,
    pub slack_user: Option<String>,
    pub discord_user: Option<String>,
    pub email: Option<String>,
    pub webhook_url: Option<crate::secret::Secret>,
    pub booking_url: Option<Spanned<String>>,
    #[serde(default)]
    pub languages: Vec<Spanned<String>>,
    #[serde(default)]
    pub regions: Vec<Spanned<String>>,
    #[serde(default)]
    pub industries: Vec<Spanned<String>>,
    pub deal_size: Option<Spanned<RawDealSize>>,
    pub seniority: Option<String>,
    pub weight: Option<Spanned<i64>>,
    pub capacity: Option<Spanned<i64>>,
    pub time_zone: Option<Spanned<String>>,
    #[serde(default)]
    pub hours: Vec<Spanned<String>>,
    #[serde(default)]
    pub out_of_office: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDealSize {
    pub min: Option<f64>,
    pub max: Option<f64>,
}
