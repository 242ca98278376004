//! Purpose: the funnel report — what `leadbot report` and `/admin` show: the funnel, drop-off
//! per question, speed, reps and money. The database computes every count and percentile
//! ([`crate::store::funnel`]); this module adds the rates and the costs and renders the result
//! as a table, CSV or JSON.

pub mod costs;
pub mod render;

use serde::Serialize;

pub use render::{Format, render};

use crate::store::funnel::{FunnelFigures, ReportFilter};
use crate::store::{Store, StoreError};
use costs::SourceCosts;

/// Milliseconds in a 30-day month, for monthly source costs.
const MONTH_MS: f64 = 30.0 * 24.0 * 3_600_000.0;

/// A share as a percentage, or none when the base is zero.
pub fn percent(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| {
        let part = part as f64;
        let whole = whole as f64;
        (part * 1000.0 / whole).round() / 10.0
    })
}

/// Stage-to-stage conversion, in percent.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Conversion {
    /// Leads of conversations started.
    pub started_to_lead: Option<f64>,
    /// IQL of leads.
    pub lead_to_iql: Option<f64>,
    /// MQL of IQL.
    pub iql_to_mql: Option<f64>,
    /// SQL of MQL.
    pub mql_to_sql: Option<f64>,
    /// Won of SQL.
    pub sql_to_won: Option<f64>,
}

/// What leads cost, where `[sources]` names costs.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CostFigures {
    /// The period the monthly costs are counted over (days).
    pub days: f64,
    /// Total spent on the sources with a cost.
    pub spent: f64,
    /// Spent / leads from those sources.
    pub per_lead: Option<f64>,
    /// Spent / SQLs from those sources.
    pub per_sql: Option<f64>,
    /// Spent / deals won from those sources.
    pub per_won: Option<f64>,
}

/// The whole report.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    /// What it counts.
    pub filter: ReportFilter,
    /// The database's figures.
    #[serde(flatten)]
    pub figures: FunnelFigures,
    /// Conversion rates.
    pub conversion: Conversion,
    /// Costs, when configured.
    pub costs: Option<CostFigures>,
}

/// Builds the report over `filter`; `now_ms` ends an open period for monthly costs.
pub async fn build(
    store: &Store,
    filter: &ReportFilter,
    costs: &SourceCosts,
    now_ms: i64,
) -> Result<Report, StoreError> {
    let figures = store.funnel_figures(filter).await?;
    let funnel = &figures.funnel;
    let won: i64 = figures
        .money
        .outcomes
        .iter()
        .filter(|(outcome, _)| outcome == "won")
        .map(|(_, count)| count)
        .sum();
    let conversion = Conversion {
        started_to_lead: percent(funnel.leads, funnel.started),
        lead_to_iql: percent(funnel.iql, funnel.leads),
        iql_to_mql: percent(funnel.mql, funnel.iql),
        mql_to_sql: percent(funnel.sql, funnel.mql),
        sql_to_won: percent(won, funnel.sql),
    };
    let costs = (!costs.is_empty()).then(|| cost_figures(&figures, filter, costs, now_ms));
    Ok(Report {
        filter: filter.clone(),
        figures,
        conversion,
        costs,
    })
}

/// Spend over the period: per lead of each costed source, plus its monthly cost times the
/// period's months (the period runs from `--since`, or the first conversation, to `--until`
/// or now).
fn cost_figures(
    figures: &FunnelFigures,
    filter: &ReportFilter,
    costs: &SourceCosts,
    now_ms: i64,
) -> CostFigures {
    let first_week_ms = figures
        .weeks
        .first()
        .and_then(|week| chrono::NaiveDate::parse_from_str(&week.key, "%Y-%m-%d").ok())
        .and_then(|day| day.and_hms_opt(0, 0, 0))
        .map(|at| at.and_utc().timestamp_millis());
    let start = filter.since_ms.or(first_week_ms).unwrap_or(now_ms);
    let end = filter.until_ms.unwrap_or(now_ms);
    let period_ms = (end - start).max(0) as f64;
    let (mut spent, mut leads, mut sqls, mut won) = (0.0, 0, 0, 0);
    for segment in &figures.sources {
        if let Some(cost) = costs.get(&segment.key) {
            spent += cost.per_lead * segment.started as f64 + cost.per_month * period_ms / MONTH_MS;
            leads += segment.started;
            sqls += segment.sql;
            won += segment.won;
        }
    }
    let per = |count: i64| (count > 0).then(|| (spent / count as f64 * 100.0).round() / 100.0);
    CostFigures {
        days: (period_ms / 86_400_000.0 * 10.0).round() / 10.0,
        spent: (spent * 100.0).round() / 100.0,
        per_lead: per(leads),
        per_sql: per(sqls),
        per_won: per(won),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::funnel::Segment;

    #[test]
    fn percentages_have_one_decimal_and_none_for_an_empty_base() {
        assert_eq!(percent(1, 3), Some(33.3));
        assert_eq!(percent(2, 2), Some(100.0));
        assert_eq!(percent(5, 0), None);
    }

    #[test]
    fn costs_count_per_lead_and_per_month_over_the_period() {
        let figures = FunnelFigures {
            sources: vec![
                Segment {
                    key: "ads".into(),
                    started: 10,
                    sql: 2,
                    won: 1,
                    ..Segment::default()
                },
                Segment {
                    key: "free".into(),
                    started: 90,
                    ..Segment::default()
                },
            ],
            ..FunnelFigures::default()
        };
        let costs = costs::parse("ads=5/lead,ads=300/month").unwrap_or_default();
        let filter = ReportFilter {
            since_ms: Some(0),
            until_ms: Some(60 * 86_400_000),
            ..ReportFilter::default()
        };
        let figures = cost_figures(&figures, &filter, &costs, 0);
        assert_eq!(figures.spent, 650.0);
        assert_eq!(figures.per_lead, Some(65.0));
        assert_eq!(figures.per_sql, Some(325.0));
        assert_eq!(figures.per_won, Some(650.0));
    }
}
