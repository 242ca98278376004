//! Purpose: the funnel report's figures, each computed in SQL by the database (SQLite and
//! PostgreSQL run the same statements): counts per stage, drop-off per question, speed,
//! reps, outcomes and money, over the conversations a [`ReportFilter`] selects.
//!
//! The whole report is one statement: the selected conversations (`base`) are read once, with
//! the figures migration 34 keeps as rows are written (a lead's furthest stage, whether it
//! answered, whether it won; an answer's asking time, re-ask and first-answer flags; a
//! conversation's pending step and abandonment), so nothing decodes JSON or recounts a lead's
//! history; each section adds its rows to one result. [`recount`] keeps the straightforward
//! count over the raw rows, which tests check this against.
//!
//! Percentiles use the nearest rank, which both databases compute the same way: each distinct
//! value with its count, running sums in value order, and the value whose run holds the rank
//! (no sort of every row). Times are milliseconds.

mod cube;
pub mod recount;

use serde::Serialize;
use sqlx::any::AnyRow;

use super::{Store, StoreError};

mod sections;

/// Which conversations a report counts. Every field narrows it; the default is everything.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReportFilter {
    /// Conversations started at or after (Unix ms).
    pub since_ms: Option<i64>,
    /// Conversations started before (Unix ms).
    pub until_ms: Option<i64>,
    /// One script id.
    pub script: Option<String>,
    /// One script version (with or without `script`).
    pub version: Option<String>,
    /// One channel ("slack", "discord", "web", …).
    pub channel: Option<String>,
    /// One lead source (as the message API recorded it).
    pub source: Option<String>,
    /// Leads handed to this rep at least once.
    pub rep: Option<String>,
}

/// Values bound to a statement, in order.
enum Bind {
    Int(i64),
    Text(String),
}

/// Where each filter field is found in the rows a query filters.
struct FilterColumns {
    started: &'static str,
    script: &'static str,
    version: &'static str,
    channel: &'static str,
    source: &'static str,
    /// The condition on a rep (`?` is the rep), where the rows can tell.
    rep: Option<&'static str>,
}

/// The filter's fields in a conversation `c` with its lead's source `s`.
const IN_CONVERSATIONS: FilterColumns = FilterColumns {
    started: "c.created_at",
    script: "c.script_id",
    version: "c.script_version",
    channel: "c.channel",
    source: "s.source",
    rep: Some(
        "EXISTS (SELECT 1 FROM assignments ra WHERE ra.lead_id = c.lead_id AND ra.rep_id = ?)",
    ),
};

/// The filter's fields in the stored cube, which has no reps.
const IN_CUBE: FilterColumns = FilterColumns {
    started: "day",
    script: "script_id",
    version: "script_version",
    channel: "channel",
    source: "source",
    rep: None,
};

impl ReportFilter {
    /// The filter as a `WHERE` clause over rows with `columns` (empty when it selects all),
    /// with its bound values numbered in order.
    fn conditions(&self, columns: &FilterColumns) -> (String, Vec<Bind>) {
        let mut conditions = Vec::new();
        let mut binds = Vec::new();
        let mut add = |condition: String, bind: Bind| {
            binds.push(bind);
            conditions.push(condition.replace('?', &format!("${}", binds.len())));
        };
        if let Some(since) = self.since_ms {
            add(format!("{} >= ?", columns.started), Bind::Int(since));
        }
        if let Some(until) = self.until_ms {
            add(format!("{} < ?", columns.started), Bind::Int(until));
        }
        let equal = [
            (&self.script, columns.script),
            (&self.version, columns.version),
            (&self.channel, columns.channel),
            (&self.source, columns.source),
        ];
        for (value, column) in equal {
            if let Some(value) = value {
                add(format!("{column} = ?"), Bind::Text(value.clone()));
            }
        }
        if let (Some(rep), Some(condition)) = (&self.rep, columns.rep) {
            add(condition.to_string(), Bind::Text(rep.clone()));
        }
        if conditions.is_empty() {
            (String::new(), binds)
        } else {
            (format!(" WHERE {}", conditions.join(" AND ")), binds)
        }
    }

    /// The selected conversations as a `base` CTE body, with its bound values.
    fn base(&self) -> (String, Vec<Bind>) {
        let (filter, binds) = self.conditions(&IN_CONVERSATIONS);
        (
            format!(
                "{BASE_COLUMNS} FROM conversations c JOIN leads l ON l.id = c.lead_id \
                 LEFT JOIN lead_sources s ON s.lead_id = c.lead_id{filter}"
            ),
            binds,
        )
    }

    /// The filter as conditions on the stored cube's columns, when the cube can answer it:
    /// no rep, and times on whole UTC days (the cube's finest slice).
    fn cube_conditions(&self) -> Option<(String, Vec<Bind>)> {
        let on_a_day = |at: Option<i64>| at.is_none_or(|ms| ms.rem_euclid(DAY_MS) == 0);
        if self.rep.is_some() || !on_a_day(self.since_ms) || !on_a_day(self.until_ms) {
            return None;
        }
        Some(self.conditions(&IN_CUBE))
    }
}

/// A day in milliseconds: the cube's finest slice (UTC days).
const DAY_MS: i64 = 86_400_000;

/// What the report reads of each conversation: its slice (day, channel, source, script
/// version), how far it and its lead got, and whether it is the lead's first conversation
/// (the one a lead's hand-offs, outcomes and meetings are counted with).
const BASE_COLUMNS: &str = "SELECT c.id AS conversation_id, c.lead_id, c.channel, c.script_id, \
     CAST(c.script_version AS TEXT) AS script_version, c.created_at AS started_at, \
     c.created_at / 86400000 * 86400000 AS day, c.finished, c.abandoned, c.pending_step, \
     l.stage, l.owner, l.qualified_at, l.reached, l.answered, l.won, \
     COALESCE(s.source, '') AS source, \
     CASE WHEN EXISTS (SELECT 1 FROM conversations f WHERE f.lead_id = c.lead_id \
     AND (f.created_at < c.created_at OR (f.created_at = c.created_at AND f.id < c.id))) \
     THEN 0 ELSE 1 END AS first_of_lead";

/// Stage counts: how far the selected conversations got.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FunnelCounts {
    /// Conversations started.
    pub started: i64,
    /// Conversations whose prospect answered at least one question.
    pub leads: i64,
    /// Reached IQL (or further) at any time.
    pub iql: i64,
    /// Reached MQL (or further).
    pub mql: i64,
    /// Reached SQL.
    pub sql: i64,
    /// Disqualified now.
    pub disqualified: i64,
    /// Opted out now.
    pub opted_out: i64,
    /// Went quiet for good (the script's `abandon_after`), and did not come back.
    pub abandoned: i64,
}

/// How many were disqualified for one reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReasonCount {
    /// The stage change's reason, e.g. "budget: hard disqualifier".
    pub reason: String,
    /// Leads.
    pub count: i64,
}

/// One question's drop-off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepDropOff {
    /// The step id.
    pub step: String,
    /// Conversations it was asked in (answered or still waiting).
    pub asked: i64,
    /// Conversations that answered it.
    pub answered: i64,
    /// Answers that needed the question asked again first (an input not understood).
    pub reasked: i64,
    /// Conversations that stopped there: the question is still waiting.
    pub stopped: i64,
    /// Median time from the question to its answer (ms).
    pub median_answer_ms: Option<i64>,
}

/// A duration's distribution.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Spread {
    /// How many values.
    pub count: i64,
    /// Median (ms).
    pub median_ms: Option<i64>,
    /// 90th percentile (ms).
    pub p90_ms: Option<i64>,
}

/// How fast leads move.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Speed {
    /// First message → SQL.
    pub to_sql: Spread,
    /// SQL → a rep accepted.
    pub to_acceptance: Spread,
    /// Offers that ran out of their SLA and moved on.
    pub sla_misses: i64,
}

/// One rep's record (the fallback team as rep "-").
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RepFigures {
    /// Rep id.
    pub rep: String,
    /// Offers made to them.
    pub assigned: i64,
    /// Offers they accepted.
    pub accepted: i64,
    /// Offers they passed.
    pub passed: i64,
    /// Offers that escalated past them (SLA).
    pub escalated: i64,
    /// Offered or accepted and not closed.
    pub open: i64,
    /// Outcomes won.
    pub won: i64,
    /// Outcomes lost, no fit or no response.
    pub lost: i64,
    /// Won deals and their value, per currency (never summed across currencies).
    pub revenue: Vec<RepRevenue>,
    /// Meetings prospects booked on their hand-offs (the booking webhook).
    pub meetings: i64,
    /// Median time from offer to acceptance (ms).
    pub median_accept_ms: Option<i64>,
}

/// One rep's won deals in one currency.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RepRevenue {
    /// ISO 4217 code ("" when none was given).
    pub currency: String,
    /// Deals won in it.
    pub won: i64,
    /// Their value in hundredths.
    pub value_cents: i64,
}

/// Won deals in one currency.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Revenue {
    /// ISO 4217 code ("" when none was given).
    pub currency: String,
    /// Deals won.
    pub won: i64,
    /// Their value in hundredths.
    pub value_cents: i64,
}

/// Outcomes and money.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Money {
    /// Hand-offs closed per outcome (won, lost, no_fit, no_response).
    pub outcomes: Vec<(String, i64)>,
    /// Won value per currency.
    pub revenue: Vec<Revenue>,
    /// Meetings the selected leads booked (the booking webhook).
    pub meetings: i64,
    /// First message → won.
    pub cycle: Spread,
}

/// Counts of one slice (a week, a channel, a source, a script version).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Segment {
    /// The slice: a week's Monday (YYYY-MM-DD), a channel, a source, "script v3".
    pub key: String,
    /// Conversations started.
    pub started: i64,
    /// Reached IQL or further.
    pub iql: i64,
    /// Reached MQL or further.
    pub mql: i64,
    /// Reached SQL.
    pub sql: i64,
    /// Deals won.
    pub won: i64,
}

/// Every figure of the report, as the database computed it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FunnelFigures {
    /// Stage counts.
    pub funnel: FunnelCounts,
    /// Disqualified, by reason.
    pub disqualified_by_reason: Vec<ReasonCount>,
    /// Per question, most asked first.
    pub drop_off: Vec<StepDropOff>,
    /// Speed.
    pub speed: Speed,
    /// Per rep.
    pub reps: Vec<RepFigures>,
    /// Outcomes and revenue.
    pub money: Money,
    /// Per week the conversations started in.
    pub weeks: Vec<Segment>,
    /// Per channel.
    pub channels: Vec<Segment>,
    /// Per source ("" when none was given).
    pub sources: Vec<Segment>,
    /// Per script version.
    pub scripts: Vec<Segment>,
}

/// How far each lead ever got: 1 IQL, 2 MQL, 3 SQL (from its stage changes).
const REACHED: &str = "SELECT lead_id, MAX(CASE to_stage WHEN 'iql' THEN 1 WHEN 'mql' THEN 2 \
                       WHEN 'sql' THEN 3 ELSE 0 END) AS reached FROM stage_changes GROUP BY lead_id";

/// A hand-off the rep accepted: still accepted, or closed after the rep became the owner.
const ACCEPTED: &str = "(a.status = 'accepted' OR (a.status = 'closed' AND a.rep_id = l.owner))";

/// The buckets durations are counted in for the medians and 90th percentiles: each value is
/// rounded down to the series 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times a power of ten (at most
/// 20 % below it), from 1 s (shorter is 0) to 8 × 10^10 ms (about two and a half years). Rounding down keeps the order, so a
/// percentile of the buckets is the bucket of the percentile, and the stored cube can add up
/// days without keeping every value.
fn bucket(value: &str) -> String {
    const SERIES: [i64; 10] = [10, 12, 15, 20, 25, 30, 40, 50, 60, 80];
    let mut edges = Vec::new();
    let mut scale: i64 = 100;
    while scale <= 1_000_000_000 {
        edges.extend(SERIES.iter().map(|step| step * scale));
        scale *= 10;
    }
    let mut sql = format!("CASE WHEN ({value}) IS NULL THEN NULL WHEN ({value}) < 1000 THEN 0");
    for pair in edges.windows(2) {
        sql.push_str(&format!(" WHEN ({value}) < {} THEN {}", pair[1], pair[0]));
    }
    let last = edges.last().copied().unwrap_or_default();
    sql.push_str(&format!(" ELSE {last} END"));
    sql
}

/// Monday 00:00 UTC of the week `column` (Unix ms) falls in: the Unix epoch was a Thursday.
fn week_of(column: &str) -> String {
    format!("((({column}) - 345600000) / 604800000) * 604800000 + 345600000")
}

impl Store {
    /// Runs `body` (which may refer to `base`) with the filter's values bound.
    async fn report_rows(
        &self,
        filter: &ReportFilter,
        body: &str,
    ) -> Result<Vec<AnyRow>, StoreError> {
        let (base, binds) = filter.base();
        let sql = format!("WITH base AS ({base}) {body}");
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for bind in binds {
            query = match bind {
                Bind::Int(value) => query.bind(value),
                Bind::Text(value) => query.bind(value),
            };
        }
        Ok(query.fetch_all(self.pool()).await?)
    }
}

/// The rep's entry, added when new.
fn rep_entry(reps: &mut Vec<RepFigures>, rep: String) -> &mut RepFigures {
    let index = match reps.iter().position(|known| known.rep == rep) {
        Some(index) => index,
        None => {
            reps.push(RepFigures {
                rep,
                ..RepFigures::default()
            });
            reps.len() - 1
        }
    };
    &mut reps[index]
}

/// The step's drop-off entry, added when new.
fn step_entry(drop_off: &mut Vec<StepDropOff>, step: String) -> &mut StepDropOff {
    let index = match drop_off.iter().position(|known| known.step == step) {
        Some(index) => index,
        None => {
            drop_off.push(StepDropOff {
                step,
                asked: 0,
                answered: 0,
                reasked: 0,
                stopped: 0,
                median_answer_ms: None,
            });
            drop_off.len() - 1
        }
    };
    &mut drop_off[index]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_filter_adds_one_numbered_condition() {
        let filter = ReportFilter {
            since_ms: Some(1),
            channel: Some("web".into()),
            rep: Some("ana".into()),
            ..ReportFilter::default()
        };
        let (sql, binds) = filter.base();
        assert_eq!(binds.len(), 3);
        assert!(
            sql.contains("c.created_at >= $1 AND c.channel = $2"),
            "{sql}"
        );
        assert!(sql.contains("ra.rep_id = $3"), "{sql}");
        let (everything, binds) = ReportFilter::default().base();
        assert!(everything.ends_with("s.lead_id = c.lead_id") && binds.is_empty());
    }

    #[test]
    fn the_cube_answers_whole_days_without_a_rep() {
        let day = 20_000 * DAY_MS;
        let quarter = ReportFilter {
            since_ms: Some(day),
            until_ms: Some(day + 90 * DAY_MS),
            source: Some("ads".into()),
            ..ReportFilter::default()
        };
        let (sql, binds) = quarter.cube_conditions().unwrap_or_default();
        assert_eq!(sql, " WHERE day >= $1 AND day < $2 AND source = $3");
        assert_eq!(binds.len(), 3);
        let mid_day = ReportFilter {
            since_ms: Some(day + 3_600_000),
            ..ReportFilter::default()
        };
        let one_rep = ReportFilter {
            rep: Some("ana".into()),
            ..ReportFilter::default()
        };
        assert!(mid_day.cube_conditions().is_none() && one_rep.cube_conditions().is_none());
        assert_eq!(
            ReportFilter::default()
                .cube_conditions()
                .unwrap_or_default()
                .0,
            ""
        );
    }
}
