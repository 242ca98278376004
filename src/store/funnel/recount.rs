//! Purpose: the funnel report's reference: every figure counted straight from the history's
//! rows (stage changes, answers, messages, the conversations' JSON state) with no rollup and
//! no stored cube, one query per figure. Too slow for a large history (minutes at a million
//! conversations); kept so tests can check that [`Store::funnel_figures`] equals it. Its rules
//! are the report's: durations in their buckets, a lead's hand-offs, outcomes, meetings and
//! reasons counted with its first conversation.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::super::{Backend, Store, StoreError};
use super::{
    ACCEPTED, FunnelCounts, FunnelFigures, Money, REACHED, ReasonCount, RepFigures, RepRevenue,
    ReportFilter, Revenue, Segment, Speed, Spread, StepDropOff, bucket, week_of,
};

/// Nearest-rank median and 90th percentile of `values` (a query with columns `grp`, `v`),
/// per `grp`, each value in its bucket: columns `grp`, `n`, `median`, `p90`.
fn percentiles(values: &str) -> String {
    let bucketed = bucket("x.v");
    let values = format!("SELECT x.grp, {bucketed} AS v FROM ({values}) AS x");
    format!(
        "SELECT grp, MAX(n) AS n, MAX(CASE WHEN rn = (n + 1) / 2 THEN v END) AS median, \
         MAX(CASE WHEN rn = (9 * n + 9) / 10 THEN v END) AS p90 FROM (\
         SELECT grp, v, ROW_NUMBER() OVER (PARTITION BY grp ORDER BY v) AS rn, \
         COUNT(*) OVER (PARTITION BY grp) AS n FROM ({values}) AS vals) AS ranked GROUP BY grp"
    )
}

impl Store {
    /// Every figure of the funnel report over the conversations `filter` selects, counted
    /// straight from the history's rows: the reference the fast path must equal.
    pub async fn funnel_recount(&self, filter: &ReportFilter) -> Result<FunnelFigures, StoreError> {
        Ok(FunnelFigures {
            funnel: self.recount_funnel_counts(filter).await?,
            disqualified_by_reason: self.recount_disqualified_by_reason(filter).await?,
            drop_off: self.recount_drop_off(filter).await?,
            speed: self.recount_speed(filter).await?,
            reps: self.recount_rep_figures(filter).await?,
            money: self.recount_money(filter).await?,
            weeks: self
                .recount_segments(filter, &week_of("b.started_at"), true)
                .await?,
            channels: self.recount_segments(filter, "b.channel", false).await?,
            sources: self.recount_segments(filter, "b.source", false).await?,
            scripts: self
                .recount_segments(
                    filter,
                    "b.script_id || ' v' || CAST(b.script_version AS TEXT)",
                    false,
                )
                .await?,
        })
    }

    async fn recount_funnel_counts(
        &self,
        filter: &ReportFilter,
    ) -> Result<FunnelCounts, StoreError> {
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

    async fn recount_disqualified_by_reason(
        &self,
        filter: &ReportFilter,
    ) -> Result<Vec<ReasonCount>, StoreError> {
        let body = "SELECT sc.reason, COUNT(DISTINCT sc.lead_id) AS n FROM stage_changes sc \
                    WHERE sc.to_stage = 'disqualified' \
                    AND sc.lead_id IN (SELECT lead_id FROM base WHERE first_of_lead = 1) \
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

    async fn recount_drop_off(
        &self,
        filter: &ReportFilter,
    ) -> Result<Vec<StepDropOff>, StoreError> {
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
             MAX(CASE WHEN rn = (n + 1) / 2 THEN {} END) AS median FROM (\
             SELECT t.*, ROW_NUMBER() OVER (PARTITION BY t.step ORDER BY t.v) AS rn, \
             COUNT(*) OVER (PARTITION BY t.step) AS n FROM ({timed}) AS t) AS ranked GROUP BY step",
            bucket("v")
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
            super::step_entry(&mut steps, step).stopped = stopped;
        }
        for step in &mut steps {
            step.asked = step.answered + step.stopped;
        }
        steps.sort_by(|a, b| b.asked.cmp(&a.asked).then_with(|| a.step.cmp(&b.step)));
        Ok(steps)
    }

    async fn recount_speed(&self, filter: &ReportFilter) -> Result<Speed, StoreError> {
        let to_sql = percentiles(
            "SELECT 'all' AS grp, b.qualified_at - b.started_at AS v FROM base b \
             WHERE b.qualified_at IS NOT NULL",
        );
        let to_acceptance = percentiles(&format!(
            "SELECT 'all' AS grp, MIN(a.answered_at) - MIN(b.qualified_at) AS v FROM base b \
             JOIN leads l ON l.id = b.lead_id JOIN assignments a ON a.lead_id = b.lead_id \
             WHERE {ACCEPTED} AND b.qualified_at IS NOT NULL AND b.first_of_lead = 1 GROUP BY b.lead_id"
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
                 WHERE a.status = 'expired' \
                 AND a.lead_id IN (SELECT lead_id FROM base WHERE first_of_lead = 1)",
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

    async fn recount_rep_figures(
        &self,
        filter: &ReportFilter,
    ) -> Result<Vec<RepFigures>, StoreError> {
        let leads = "SELECT lead_id FROM base WHERE first_of_lead = 1";
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
             COALESCE(SUM(CASE WHEN o.outcome <> 'won' THEN 1 ELSE 0 END), 0) AS lost \
             FROM outcomes o JOIN ({leads}) AS bl ON bl.lead_id = o.lead_id \
             GROUP BY COALESCE(o.rep_id, '-')"
        );
        for row in self.report_rows(filter, &outcomes).await? {
            let rep = super::rep_entry(&mut reps, row.try_get("rep")?);
            rep.won = row.try_get("won")?;
            rep.lost = row.try_get("lost")?;
        }
        let revenue = format!(
            "SELECT COALESCE(o.rep_id, '-') AS rep, COALESCE(o.currency, '') AS currency, COUNT(*) AS won, \
             CAST(COALESCE(SUM(o.value_cents), 0) AS BIGINT) AS value FROM outcomes o \
             JOIN ({leads}) AS bl ON bl.lead_id = o.lead_id WHERE o.outcome = 'won' \
             GROUP BY COALESCE(o.rep_id, '-'), COALESCE(o.currency, '') ORDER BY value DESC, currency"
        );
        for row in self.report_rows(filter, &revenue).await? {
            let rep: String = row.try_get("rep")?;
            if let Some(known) = reps.iter_mut().find(|known| known.rep == rep) {
                known.revenue.push(RepRevenue {
                    currency: row.try_get("currency")?,
                    won: row.try_get("won")?,
                    value_cents: row.try_get("value")?,
                });
            }
        }
        let meetings = format!(
            "SELECT COALESCE(a.rep_id, '-') AS rep, COUNT(*) AS booked FROM meetings m \
             JOIN ({leads}) AS bl ON bl.lead_id = m.lead_id \
             LEFT JOIN assignments a ON a.id = m.assignment_id \
             GROUP BY COALESCE(a.rep_id, '-')"
        );
        for row in self.report_rows(filter, &meetings).await? {
            let rep = super::rep_entry(&mut reps, row.try_get("rep")?);
            rep.meetings = row.try_get("booked")?;
        }
        reps.sort_by(|a, b| b.assigned.cmp(&a.assigned).then_with(|| a.rep.cmp(&b.rep)));
        Ok(reps)
    }

    async fn recount_money(&self, filter: &ReportFilter) -> Result<Money, StoreError> {
        let leads = "SELECT lead_id, started_at FROM base WHERE first_of_lead = 1";
        let outcomes = format!(
            "SELECT o.outcome, COUNT(*) AS n FROM outcomes o JOIN ({leads}) AS bl ON bl.lead_id = o.lead_id \
             GROUP BY o.outcome ORDER BY n DESC, o.outcome"
        );
        let revenue = format!(
            "SELECT COALESCE(o.currency, '') AS currency, COUNT(*) AS won, \
             CAST(COALESCE(SUM(o.value_cents), 0) AS BIGINT) AS value FROM outcomes o \
             JOIN ({leads}) AS bl ON bl.lead_id = o.lead_id WHERE o.outcome = 'won' \
             GROUP BY COALESCE(o.currency, '') ORDER BY value DESC, currency"
        );
        let cycle = percentiles(&format!(
            "SELECT 'all' AS grp, o.closed_at - bl.started_at AS v FROM outcomes o \
             JOIN ({leads}) AS bl ON bl.lead_id = o.lead_id WHERE o.outcome = 'won'"
        ));
        let meetings = format!(
            "SELECT COUNT(*) AS booked FROM meetings m JOIN ({leads}) AS bl ON bl.lead_id = m.lead_id"
        );
        let mut money = Money::default();
        if let Some(row) = self.report_rows(filter, &meetings).await?.first() {
            money.meetings = row.try_get("booked")?;
        }
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
    async fn recount_segments(
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
