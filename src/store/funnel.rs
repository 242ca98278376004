//! Purpose: the funnel report's figures, each computed in SQL by the database (SQLite and
//! PostgreSQL run the same statements): counts per stage, drop-off per question, speed,
//! reps, outcomes and money, over the conversations a [`ReportFilter`] selects.
//!
//! Percentiles use the nearest rank (`ROW_NUMBER` over the sorted values), which both
//! databases compute the same way; times are milliseconds.

use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Backend, Store, StoreError};

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

impl ReportFilter {
    /// The selected conversations as a `base` CTE body, with its bound values.
    fn base(&self) -> (String, Vec<Bind>) {
        let mut conditions = Vec::new();
        let mut binds = Vec::new();
        let mut add = |condition: &str, bind: Bind| {
            binds.push(bind);
            conditions.push(condition.replace('?', &format!("${}", binds.len())));
        };
        if let Some(since) = self.since_ms {
            add("c.created_at >= ?", Bind::Int(since));
        }
        if let Some(until) = self.until_ms {
            add("c.created_at < ?", Bind::Int(until));
        }
        if let Some(script) = &self.script {
            add("c.script_id = ?", Bind::Text(script.clone()));
        }
        if let Some(version) = &self.version {
            add("c.script_version = ?", Bind::Text(version.clone()));
        }
        if let Some(channel) = &self.channel {
            add("c.channel = ?", Bind::Text(channel.clone()));
        }
        if let Some(source) = &self.source {
            add("s.source = ?", Bind::Text(source.clone()));
        }
        if let Some(rep) = &self.rep {
            add(
                "EXISTS (SELECT 1 FROM assignments ra WHERE ra.lead_id = c.lead_id AND ra.rep_id = ?)",
                Bind::Text(rep.clone()),
            );
        }
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        };
        (
            format!(
                "SELECT c.id AS conversation_id, c.lead_id, c.channel, c.script_id, c.script_version, \
                 c.created_at AS started_at, c.finished, l.stage, l.owner, l.qualified_at, \
                 COALESCE(s.source, '') AS source \
                 FROM conversations c JOIN leads l ON l.id = c.lead_id \
                 LEFT JOIN lead_sources s ON s.lead_id = c.lead_id{filter}"
            ),
            binds,
        )
    }
}

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
    /// Won value in hundredths, all currencies summed (see money for each currency).
    pub revenue_cents: i64,
    /// Median time from offer to acceptance (ms).
    pub median_accept_ms: Option<i64>,
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

/// Monday 00:00 UTC of the week `column` (Unix ms) falls in: the Unix epoch was a Thursday.
fn week_of(column: &str) -> String {
    format!("((({column}) - 345600000) / 604800000) * 604800000 + 345600000")
}

/// Nearest-rank median and 90th percentile of `values` (a query with columns `grp`, `v`),
/// per `grp`: columns `grp`, `n`, `median`, `p90`.
fn percentiles(values: &str) -> String {
    format!(
        "SELECT grp, MAX(n) AS n, MAX(CASE WHEN rn = (n + 1) / 2 THEN v END) AS median, \
         MAX(CASE WHEN rn = (9 * n + 9) / 10 THEN v END) AS p90 FROM (\
         SELECT grp, v, ROW_NUMBER() OVER (PARTITION BY grp ORDER BY v) AS rn, \
         COUNT(*) OVER (PARTITION BY grp) AS n FROM ({values}) AS vals) AS ranked GROUP BY grp"
    )
}

impl Store {
    /// Every figure of the funnel report over the conversations `filter` selects.
    pub async fn funnel_figures(&self, filter: &ReportFilter) -> Result<FunnelFigures, StoreError> {
        Ok(FunnelFigures {
            funnel: self.funnel_counts(filter).await?,
            disqualified_by_reason: self.disqualified_by_reason(filter).await?,
            drop_off: self.drop_off(filter).await?,
            speed: self.speed(filter).await?,
            reps: self.rep_figures(filter).await?,
            money: self.money(filter).await?,
            weeks: self
                .segments(filter, &week_of("b.started_at"), true)
                .await?,
            channels: self.segments(filter, "b.channel", false).await?,
            sources: self.segments(filter, "b.source", false).await?,
            scripts: self
                .segments(
                    filter,
                    "b.script_id || ' v' || CAST(b.script_version AS TEXT)",
                    false,
                )
                .await?,
        })
    }

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

    async fn funnel_counts(&self, filter: &ReportFilter) -> Result<FunnelCounts, StoreError> {
        let body = format!(
            "SELECT COUNT(*) AS started, \
             COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM answers a WHERE a.lead_id = b.lead_id) THEN 1 ELSE 0 END), 0) AS leads, \
             COALESCE(SUM(CASE WHEN COALESCE(r.reached, 0) >= 1 THEN 1 ELSE 0 END), 0) AS iql, \
             COALESCE(SUM(CASE WHEN COALESCE(r.reached, 0) >= 2 THEN 1 ELSE 0 END), 0) AS mql, \
             COALESCE(SUM(CASE WHEN COALESCE(r.reached, 0) >= 3 THEN 1 ELSE 0 END), 0) AS sqls, \
             COALESCE(SUM(CASE WHEN b.stage = 'disqualified' THEN 1 ELSE 0 END), 0) AS disqualified, \
             COALESCE(SUM(CASE WHEN b.stage = 'opted_out' THEN 1 ELSE 0 END), 0) AS opted_out, \
             COALESCE(SUM(CASE WHEN b.finished = 0 AND EXISTS (SELECT 1 FROM conversations cs \
             WHERE cs.id = b.conversation_id AND cs.state LIKE '%\"abandoned_at\":%') THEN 1 ELSE 0 END), 0) AS abandoned \
             FROM base b LEFT JOIN ({REACHED}) r ON r.lead_id = b.lead_id"
        );
        let rows = self.report_rows(filter, &body).await?;
        let Some(row) = rows.first() else {
            return Ok(FunnelCounts::default());
        };
        Ok(FunnelCounts {
            started: row.try_get("started")?,
            leads: row.try_get("leads")?,
            iql: row.try_get("iql")?,
            mql: row.try_get("mql")?,
            sql: row.try_get("sqls")?,
            disqualified: row.try_get("disqualified")?,
            opted_out: row.try_get("opted_out")?,
            abandoned: row.try_get("abandoned")?,
        })
    }

    async fn disqualified_by_reason(
        &self,
        filter: &ReportFilter,
    ) -> Result<Vec<ReasonCount>, StoreError> {
        let body = "SELECT sc.reason, COUNT(DISTINCT sc.lead_id) AS n FROM stage_changes sc \
                    WHERE sc.to_stage = 'disqualified' AND sc.lead_id IN (SELECT lead_id FROM base) \
                    GROUP BY sc.reason ORDER BY n DESC, sc.reason";
        self.report_rows(filter, body)
            .await?
            .iter()
            .map(|row| {
                Ok(ReasonCount {
                    reason: row.try_get("reason")?,
                    count: row.try_get("n")?,
                })
            })
            .collect()
    }

    async fn drop_off(&self, filter: &ReportFilter) -> Result<Vec<StepDropOff>, StoreError> {
        // Each answer with the time its question was asked: the previous answer's turn (or the
        // conversation's start), when the bot asked the next question.
        let answers = "SELECT a.conversation_id, a.step, a.created_at, \
             COALESCE(LAG(a.created_at) OVER (PARTITION BY a.conversation_id ORDER BY a.id), b.started_at) AS asked_at \
             FROM answers a JOIN base b ON b.conversation_id = a.conversation_id";
        let timed = format!(
            "SELECT x.conversation_id, x.step, x.created_at - x.asked_at AS v, \
             CASE WHEN EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = x.conversation_id \
             AND m.direction = 'in' AND m.created_at > x.asked_at AND m.created_at < x.created_at) \
             THEN 1 ELSE 0 END AS reasked FROM ({answers}) AS x"
        );
        let pending_step = match self.backend {
            Backend::Sqlite => "json_extract(cs.state, '$.pending.step')",
            Backend::Postgres => "(cs.state::json -> 'pending' ->> 'step')",
        };
        let body = format!(
            "SELECT step, COUNT(DISTINCT conversation_id) AS answered, COALESCE(SUM(reasked), 0) AS reasked, \
             MAX(CASE WHEN rn = (n + 1) / 2 THEN v END) AS median FROM (\
             SELECT t.*, ROW_NUMBER() OVER (PARTITION BY t.step ORDER BY t.v) AS rn, \
             COUNT(*) OVER (PARTITION BY t.step) AS n FROM ({timed}) AS t) AS ranked GROUP BY step"
        );
        let mut steps: Vec<StepDropOff> = Vec::new();
        for row in self.report_rows(filter, &body).await? {
            steps.push(StepDropOff {
                step: row.try_get("step")?,
                asked: 0,
                answered: row.try_get("answered")?,
                reasked: row.try_get("reasked")?,
                stopped: 0,
                median_answer_ms: row.try_get("median")?,
            });
        }
        let waiting = format!(
            "SELECT {pending_step} AS step, COUNT(*) AS n FROM base b \
             JOIN conversations cs ON cs.id = b.conversation_id \
             WHERE b.finished = 0 AND cs.state LIKE '%\"pending\":{{%' GROUP BY {pending_step}"
        );
        for row in self.report_rows(filter, &waiting).await? {
            let Some(step) = row.try_get::<Option<String>, _>("step")? else {
                continue;
            };
            let stopped: i64 = row.try_get("n")?;
            match steps.iter_mut().find(|known| known.step == step) {
                Some(known) => known.stopped = stopped,
                None => steps.push(StepDropOff {
                    step,
                    asked: 0,
                    answered: 0,
                    reasked: 0,
                    stopped,
                    median_answer_ms: None,
                }),
            }
        }
        for step in &mut steps {
            step.asked = step.answered + step.stopped;
        }
        steps.sort_by(|a, b| b.asked.cmp(&a.asked).then_with(|| a.step.cmp(&b.step)));
        Ok(steps)
    }

    async fn speed(&self, filter: &ReportFilter) -> Result<Speed, StoreError> {
        let to_sql = percentiles(
            "SELECT 'all' AS grp, b.qualified_at - b.started_at AS v FROM base b \
             WHERE b.qualified_at IS NOT NULL",
        );
        let to_acceptance = percentiles(&format!(
            "SELECT 'all' AS grp, MIN(a.answered_at) - MIN(b.qualified_at) AS v FROM base b \
             JOIN leads l ON l.id = b.lead_id JOIN assignments a ON a.lead_id = b.lead_id \
             WHERE {ACCEPTED} AND b.qualified_at IS NOT NULL GROUP BY b.lead_id"
        ));
        let spread = |rows: Vec<AnyRow>| -> Result<Spread, StoreError> {
            let Some(row) = rows.first() else {
                return Ok(Spread::default());
            };
            Ok(Spread {
                count: row.try_get("n")?,
                median_ms: row.try_get("median")?,
                p90_ms: row.try_get("p90")?,
            })
        };
        let misses = self
            .report_rows(
                filter,
                "SELECT COUNT(*) AS n FROM assignments a \
                 WHERE a.status = 'expired' AND a.lead_id IN (SELECT lead_id FROM base)",
            )
            .await?;
        Ok(Speed {
            to_sql: spread(self.report_rows(filter, &to_sql).await?)?,
            to_acceptance: spread(self.report_rows(filter, &to_acceptance).await?)?,
            sla_misses: match misses.first() {
                Some(row) => row.try_get("n")?,
                None => 0,
            },
        })
    }

    async fn rep_figures(&self, filter: &ReportFilter) -> Result<Vec<RepFigures>, StoreError> {
        let leads = "SELECT DISTINCT lead_id FROM base";
        let offers = format!(
            "SELECT COALESCE(a.rep_id, '-') AS rep, COUNT(*) AS assigned, \
             COALESCE(SUM(CASE WHEN {ACCEPTED} THEN 1 ELSE 0 END), 0) AS accepted, \
             COALESCE(SUM(CASE WHEN a.status = 'passed' THEN 1 ELSE 0 END), 0) AS passed, \
             COALESCE(SUM(CASE WHEN a.status = 'expired' THEN 1 ELSE 0 END), 0) AS escalated, \
             COALESCE(SUM(CASE WHEN a.status IN ('offered', 'accepted') THEN 1 ELSE 0 END), 0) AS open_now, \
             MAX(p.median) AS median \
             FROM assignments a JOIN ({leads}) AS bl ON bl.lead_id = a.lead_id \
             JOIN leads l ON l.id = a.lead_id \
             LEFT JOIN ({}) AS p ON p.grp = COALESCE(a.rep_id, '-') \
             GROUP BY COALESCE(a.rep_id, '-') ORDER BY assigned DESC, rep",
            percentiles(&format!(
                "SELECT COALESCE(a.rep_id, '-') AS grp, a.answered_at - a.created_at AS v \
                 FROM assignments a JOIN ({leads}) AS bl ON bl.lead_id = a.lead_id \
                 JOIN leads l ON l.id = a.lead_id WHERE {ACCEPTED}"
            ))
        );
        let mut reps = Vec::new();
        for row in self.report_rows(filter, &offers).await? {
            reps.push(RepFigures {
                rep: row.try_get("rep")?,
                assigned: row.try_get("assigned")?,
                accepted: row.try_get("accepted")?,
                passed: row.try_get("passed")?,
                escalated: row.try_get("escalated")?,
                open: row.try_get("open_now")?,
                median_accept_ms: row.try_get("median")?,
                ..RepFigures::default()
            });
        }
        let outcomes = format!(
            "SELECT COALESCE(o.rep_id, '-') AS rep, \
             COALESCE(SUM(CASE WHEN o.outcome = 'won' THEN 1 ELSE 0 END), 0) AS won, \
             COALESCE(SUM(CASE WHEN o.outcome <> 'won' THEN 1 ELSE 0 END), 0) AS lost, \
             CAST(COALESCE(SUM(CASE WHEN o.outcome = 'won' THEN o.value_cents ELSE 0 END), 0) AS BIGINT) AS revenue \
             FROM outcomes o JOIN ({leads}) AS bl ON bl.lead_id = o.lead_id \
             GROUP BY COALESCE(o.rep_id, '-')"
        );
        for row in self.report_rows(filter, &outcomes).await? {
            let rep: String = row.try_get("rep")?;
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
            reps[index].won = row.try_get("won")?;
            reps[index].lost = row.try_get("lost")?;
            reps[index].revenue_cents = row.try_get("revenue")?;
        }
        Ok(reps)
    }

    async fn money(&self, filter: &ReportFilter) -> Result<Money, StoreError> {
        let leads = "SELECT lead_id, MIN(started_at) AS started_at FROM base GROUP BY lead_id";
        let outcomes = format!(
            "SELECT o.outcome, COUNT(*) AS n FROM outcomes o JOIN ({leads}) AS bl ON bl.lead_id = o.lead_id \
             GROUP BY o.outcome ORDER BY n DESC, o.outcome"
        );
        let revenue = format!(
            "SELECT COALESCE(o.currency, '') AS currency, COUNT(*) AS won, \
             CAST(COALESCE(SUM(o.value_cents), 0) AS BIGINT) AS value FROM outcomes o \
             JOIN ({leads}) AS bl ON bl.lead_id = o.lead_id WHERE o.outcome = 'won' \
             GROUP BY COALESCE(o.currency, '') ORDER BY value DESC"
        );
        let cycle = percentiles(&format!(
            "SELECT 'all' AS grp, o.closed_at - bl.started_at AS v FROM outcomes o \
             JOIN ({leads}) AS bl ON bl.lead_id = o.lead_id WHERE o.outcome = 'won'"
        ));
        let mut money = Money::default();
        for row in self.report_rows(filter, &outcomes).await? {
            money
                .outcomes
                .push((row.try_get("outcome")?, row.try_get("n")?));
        }
        for row in self.report_rows(filter, &revenue).await? {
            money.revenue.push(Revenue {
                currency: row.try_get("currency")?,
                won: row.try_get("won")?,
                value_cents: row.try_get("value")?,
            });
        }
        if let Some(row) = self.report_rows(filter, &cycle).await?.first() {
            money.cycle = Spread {
                count: row.try_get("n")?,
                median_ms: row.try_get("median")?,
                p90_ms: row.try_get("p90")?,
            };
        }
        Ok(money)
    }

    /// Counts per slice: `key` is an expression over `b` (the base row).
    async fn segments(
        &self,
        filter: &ReportFilter,
        key: &str,
        is_week: bool,
    ) -> Result<Vec<Segment>, StoreError> {
        let order = if is_week { "k" } else { "started DESC, k" };
        let body = format!(
            "SELECT {key} AS k, COUNT(*) AS started, \
             COALESCE(SUM(CASE WHEN COALESCE(r.reached, 0) >= 1 THEN 1 ELSE 0 END), 0) AS iql, \
             COALESCE(SUM(CASE WHEN COALESCE(r.reached, 0) >= 2 THEN 1 ELSE 0 END), 0) AS mql, \
             COALESCE(SUM(CASE WHEN COALESCE(r.reached, 0) >= 3 THEN 1 ELSE 0 END), 0) AS sqls, \
             COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM outcomes o WHERE o.lead_id = b.lead_id \
             AND o.outcome = 'won') THEN 1 ELSE 0 END), 0) AS won \
             FROM base b LEFT JOIN ({REACHED}) r ON r.lead_id = b.lead_id GROUP BY {key} ORDER BY {order}"
        );
        self.report_rows(filter, &body)
            .await?
            .iter()
            .map(|row| {
                let key = if is_week {
                    let monday: i64 = row.try_get("k")?;
                    chrono::DateTime::from_timestamp_millis(monday)
                        .map(|at| at.format("%Y-%m-%d").to_string())
                        .unwrap_or_default()
                } else {
                    row.try_get("k")?
                };
                Ok(Segment {
                    key,
                    started: row.try_get("started")?,
                    iql: row.try_get("iql")?,
                    mql: row.try_get("mql")?,
                    sql: row.try_get("sqls")?,
                    won: row.try_get("won")?,
                })
            })
            .collect()
    }
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
        assert!(!ReportFilter::default().base().0.contains("WHERE"));
    }
}
