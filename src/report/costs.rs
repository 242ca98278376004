//! Purpose: what leads cost, per source — the optional `[sources]` table of the configuration
//! (`website = "12.50/lead"`, `linkedin = "2000/month"`), for cost per lead, SQL and won deal.

use std::collections::BTreeMap;

use serde::Serialize;

/// What one source costs: per lead it brings, or a flat amount per month (or both).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct SourceCost {
    /// Paid for each lead from the source.
    pub per_lead: f64,
    /// Paid each month, whatever it brings.
    pub per_month: f64,
}

/// Costs by source name.
pub type SourceCosts = BTreeMap<String, SourceCost>;

/// Reads `name=AMOUNT/lead,name=AMOUNT/month,…` (what `[sources]` in `leadbot.toml` becomes,
/// and what `LEADBOT_SOURCES` holds); a source may appear twice, once per unit.
pub fn parse(text: &str) -> Result<SourceCosts, String> {
    let mut costs = SourceCosts::new();
    for entry in text
        .split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
    {
        let (name, cost) = entry.split_once('=').ok_or_else(|| {
            format!("{entry:?}: expected source=AMOUNT/lead or source=AMOUNT/month")
        })?;
        let (amount, unit) = cost
            .trim()
            .split_once('/')
            .ok_or_else(|| format!("{entry:?}: say /lead or /month after the amount"))?;
        let amount: f64 = amount
            .trim()
            .parse()
            .ok()
            .filter(|amount: &f64| amount.is_finite() && *amount >= 0.0)
            .ok_or_else(|| format!("{entry:?}: {amount:?} is not an amount"))?;
        let slot = costs.entry(name.trim().to_string()).or_default();
        match unit.trim() {
            "lead" => slot.per_lead = amount,
            "month" => slot.per_month = amount,
            other => {
                return Err(format!(
                    "{entry:?}: unit {other:?} is neither lead nor month"
                ));
            }
        }
    }
    Ok(costs)
}

/// The `[sources]` table of a `leadbot.toml` as the text [`parse`] reads: each key a source,
/// each value `"12.50/lead"`, `"2000/month"` or a table `{ per_lead = 12.5, per_month = 2000 }`.
pub fn from_toml(table: &toml::Table) -> Option<String> {
    let mut entries = Vec::new();
    for (name, value) in table {
        match value {
            toml::Value::String(cost) => entries.push(format!("{name}={cost}")),
            toml::Value::Table(units) => {
                for (unit, amount) in units {
                    let unit = unit.strip_prefix("per_")?;
                    let amount = match amount {
                        toml::Value::Integer(number) => number.to_string(),
                        toml::Value::Float(number) => number.to_string(),
                        _ => return None,
                    };
                    entries.push(format!("{name}={amount}/{unit}"));
                }
            }
            _ => return None,
        }
    }
    Some(entries.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn costs_per_lead_and_per_month_are_read_and_nonsense_refused() {
        let costs =
            parse("website=12.5/lead, linkedin=2000/month,linkedin=3/lead").unwrap_or_default();
        assert_eq!(costs["website"].per_lead, 12.5);
        assert_eq!(costs["linkedin"].per_month, 2000.0);
        assert_eq!(costs["linkedin"].per_lead, 3.0);
        assert!(parse("website=12").is_err());
        assert!(parse("website=-1/lead").is_err());
        assert!(parse("website=1/year").is_err());
    }

    #[test]
    fn the_file_table_becomes_the_setting_text() {
        let table: toml::Table =
            toml::from_str("website = \"12/lead\"\nads = { per_month = 500 }\n")
                .unwrap_or_default();
        let text = from_toml(&table).unwrap_or_default();
        assert_eq!(text, "ads=500/month,website=12/lead");
        assert_eq!(parse(&text).map(|costs| costs.len()), Ok(2));
    }
}
