//! Purpose: the funnel report as one statement — each figure a section of rows
//! (`sec`, `k`, `k2`, `n1`…`n9`) over the selected conversations read once — and its reading
//! back into [`FunnelFigures`].

use sqlx::Row;
use sqlx::any::AnyRow;

use super::super::{Backend, Store, StoreError};
use super::{
    ACCEPTED, Bind, FunnelFigures, ReasonCount, RepRevenue, ReportFilter, Revenue, Segment, Spread,
    StepDropOff, week_of,
};

/// Nearest-rank median and 90th percentile of `values` (a query with columns `grp`, `v`) per
/// `grp`, from each distinct value's count: columns `grp`, `n`, `median`, `p90`, and the sum of
/// each of `sums` (more columns of `values`). The value at rank r is the one whose run of equal
/// values (`upto - c` < r ≤ `upto`) holds it; NULL values sort where each database puts them,
/// as an ORDER BY would.
fn percentiles(values: &str, sums: &[&str]) -> String {
    let inner: String = sums
        .iter()
        .map(|sum| format!(", SUM({sum}) AS {sum}"))
        .collect();
    let middle: String = sums.iter().map(|sum| format!(", {sum}")).collect();
    format!(
        "SELECT grp, MAX(n) AS n{inner}, \
         MAX(CASE WHEN upto - c < (n + 1) / 2 AND upto >= (n + 1) / 2 THEN v END) AS median, \
         MAX(CASE WHEN upto - c < (9 * n + 9) / 10 AND upto >= (9 * n + 9) / 10 THEN v END) AS p90 \
         FROM (SELECT grp, v, c{middle}, \
         CAST(SUM(c) OVER (PARTITION BY grp ORDER BY v ROWS UNBOUNDED PRECEDING) AS BIGINT) AS upto, \
         CAST(SUM(c) OVER (PARTITION BY grp) AS BIGINT) AS n \
         FROM (SELECT grp, v, COUNT(*) AS c{inner} FROM ({values}) AS vals GROUP BY grp, v) AS counted) AS run \
         GROUP BY grp"
    )
}

/// One section's rows: `sec` names it; unused columns are NULL.
fn section(name: &str, k: &str, k2: &str, numbers: &[&str], rest: &str) -> String {
    let mut columns = vec![
        format!("'{name}' AS sec"),
        format!("CAST({k} AS TEXT) AS k"),
        format!("CAST({k2} AS TEXT) AS k2"),
    ];
    for index in 0..9 {
        let value = numbers.get(index).copied().unwrap_or("NULL");
        columns.push(format!("CAST({value} AS BIGINT) AS n{}", index + 1));
    }
    format!("SELECT {} {rest}", columns.join(", "))
}

/// Every section's SQL, after `WITH base AS MATERIALIZED (…)`.
fn body() -> String {
    let week = week_of("b.started_at");
    let cells = format!(
        "cells AS (SELECT {week} AS wk, b.channel AS channel, b.source AS source, \
         b.script_id || ' v' || CAST(b.script_version AS TEXT) AS script, \
         CASE WHEN b.finished = 0 THEN b.pending_step END AS stop_step, \
         COUNT(*) AS started, SUM(b.answered) AS leads, \
         SUM(CASE WHEN b.reached >= 1 THEN 1 ELSE 0 END) AS iql, \
         SUM(CASE WHEN b.reached >= 2 THEN 1 ELSE 0 END) AS mql, \
         SUM(CASE WHEN b.reached >= 3 THEN 1 ELSE 0 END) AS sqls, \
         SUM(CASE WHEN b.stage = 'disqualified' THEN 1 ELSE 0 END) AS disqualified, \
         SUM(CASE WHEN b.stage = 'opted_out' THEN 1 ELSE 0 END) AS opted_out, \
         SUM(CASE WHEN b.finished = 0 THEN b.abandoned ELSE 0 END) AS abandoned, \
         SUM(b.won) AS won FROM base b GROUP BY 1, 2, 3, 4, 5)"
    );
    // The selected leads, then their hand-offs and outcomes, each read once for every
    // section that counts them.
    let leads = "bl AS (SELECT lead_id, MIN(started_at) AS started_at, MIN(qualified_at) AS qualified_at, \
                 MIN(owner) AS owner FROM base GROUP BY lead_id), \
                 ba AS (SELECT a.lead_id, a.rep_id, a.status, a.created_at, a.answered_at, \
                 bl.owner, bl.qualified_at FROM assignments a JOIN bl ON bl.lead_id = a.lead_id), \
                 bo AS (SELECT o.rep_id, o.outcome, o.value_cents, o.currency, o.closed_at, bl.started_at \
                 FROM outcomes o JOIN bl ON bl.lead_id = o.lead_id)";
    let accepted = ACCEPTED.replace("l.owner", "a.owner");
    let sums = [
        "SUM(started)",
        "SUM(leads)",
        "SUM(iql)",
        "SUM(mql)",
        "SUM(sqls)",
        "SUM(disqualified)",
        "SUM(opted_out)",
        "SUM(abandoned)",
        "SUM(won)",
    ];
    let slice = |name: &str, column: &str| {
        section(
            name,
            column,
            "NULL",
            &sums,
            &format!("FROM cells GROUP BY {column}"),
        )
    };
    let spread = |name: &str, values: &str| {
        section(
            name,
            "NULL",
            "NULL",
            &["p.n", "p.median", "p.p90"],
            &format!("FROM ({}) AS p", percentiles(values, &[])),
        )
    };
    let answers = "SELECT a.step AS grp, a.created_at - a.asked_at AS v, a.first_answer, a.reasked \
                   FROM answers a JOIN base b ON b.conversation_id = a.conversation_id";
    let sections = [
        section("all", "NULL", "NULL", &sums, "FROM cells"),
        slice("week", "wk"),
        slice("channel", "channel"),
        slice("source", "source"),
        slice("script", "script"),
        section(
            "stopped",
            "stop_step",
            "NULL",
            &["SUM(started)"],
            "FROM cells WHERE stop_step IS NOT NULL GROUP BY stop_step",
        ),
        section(
            "reason",
            "sc.reason",
            "NULL",
            &["COUNT(DISTINCT sc.lead_id)"],
            "FROM stage_changes sc JOIN bl ON bl.lead_id = sc.lead_id \
             WHERE sc.to_stage = 'disqualified' GROUP BY sc.reason",
        ),
        section(
            "step",
            "p.grp",
            "NULL",
            &["p.first_answer", "p.reasked", "p.median"],
            &format!(
                "FROM ({}) AS p",
                percentiles(answers, &["first_answer", "reasked"])
            ),
        ),
        spread(
            "to_sql",
            "SELECT 'all' AS grp, b.qualified_at - b.started_at AS v FROM base b \
             WHERE b.qualified_at IS NOT NULL",
        ),
        spread(
            "to_acceptance",
            &format!(
                "SELECT 'all' AS grp, MIN(a.answered_at) - MIN(a.qualified_at) AS v FROM ba a \
                 WHERE {accepted} AND a.qualified_at IS NOT NULL GROUP BY a.lead_id"
            ),
        ),
        section(
            "sla",
            "NULL",
            "NULL",
            &["COUNT(*)"],
            "FROM ba a WHERE a.status = 'expired'",
        ),
        section(
            "rep",
            "o.rep",
            "NULL",
            &[
                "o.assigned",
                "o.accepted",
                "o.passed",
                "o.escalated",
                "o.open_now",
                "p.median",
            ],
            &format!(
                "FROM (SELECT COALESCE(a.rep_id, '-') AS rep, COUNT(*) AS assigned, \
                 SUM(CASE WHEN {accepted} THEN 1 ELSE 0 END) AS accepted, \
                 SUM(CASE WHEN a.status = 'passed' THEN 1 ELSE 0 END) AS passed, \
                 SUM(CASE WHEN a.status = 'expired' THEN 1 ELSE 0 END) AS escalated, \
                 SUM(CASE WHEN a.status IN ('offered', 'accepted') THEN 1 ELSE 0 END) AS open_now \
                 FROM ba a GROUP BY COALESCE(a.rep_id, '-')) AS o \
                 LEFT JOIN ({}) AS p ON p.grp = o.rep",
                percentiles(
                    &format!(
                        "SELECT COALESCE(a.rep_id, '-') AS grp, a.answered_at - a.created_at AS v \
                         FROM ba a WHERE {accepted}"
                    ),
                    &[]
                )
            ),
        ),
        section(
            "rep_outcome",
            "COALESCE(o.rep_id, '-')",
            "NULL",
            &[
                "SUM(CASE WHEN o.outcome = 'won' THEN 1 ELSE 0 END)",
                "SUM(CASE WHEN o.outcome <> 'won' THEN 1 ELSE 0 END)",
            ],
            "FROM bo o GROUP BY COALESCE(o.rep_id, '-')",
        ),
        section(
            "rep_revenue",
            "COALESCE(o.rep_id, '-')",
            "COALESCE(o.currency, '')",
            &["COUNT(*)", "COALESCE(SUM(o.value_cents), 0)"],
            "FROM bo o WHERE o.outcome = 'won' \
             GROUP BY COALESCE(o.rep_id, '-'), COALESCE(o.currency, '')",
        ),
        section(
            "outcome",
            "o.outcome",
            "NULL",
            &["COUNT(*)"],
            "FROM bo o GROUP BY o.outcome",
        ),
        section(
            "revenue",
            "COALESCE(o.currency, '')",
            "NULL",
            &["COUNT(*)", "COALESCE(SUM(o.value_cents), 0)"],
            "FROM bo o WHERE o.outcome = 'won' \
             GROUP BY COALESCE(o.currency, '')",
        ),
        section(
            "meeting",
            "COALESCE(a.rep_id, '-')",
            "NULL",
            &["COUNT(*)"],
            "FROM meetings m JOIN bl ON bl.lead_id = m.lead_id \
             LEFT JOIN assignments a ON a.id = m.assignment_id \
             GROUP BY COALESCE(a.rep_id, '-')",
        ),
        spread(
            "cycle",
            "SELECT 'all' AS grp, o.closed_at - o.started_at AS v FROM bo o WHERE o.outcome = 'won'",
        ),
    ];
    format!(", {cells}, {leads} {}", sections.join(" UNION ALL "))
}

/// A number column of a section row.
fn number(row: &AnyRow, column: usize) -> Result<i64, StoreError> {
    Ok(row
        .try_get::<Option<i64>, _>(format!("n{column}").as_str())?
        .unwrap_or(0))
}

/// A number column that may be absent (a percentile of nothing).
fn maybe(row: &AnyRow, column: usize) -> Result<Option<i64>, StoreError> {
    Ok(row.try_get::<Option<i64>, _>(format!("n{column}").as_str())?)
}

/// A key column, "" when NULL.
fn key(row: &AnyRow, column: &str) -> Result<String, StoreError> {
    Ok(row
        .try_get::<Option<String>, _>(column)?
        .unwrap_or_default())
}

/// A segment from a slice row.
fn segment(row: &AnyRow, key: String) -> Result<Segment, StoreError> {
    Ok(Segment {
        key,
        started: number(row, 1)?,
        iql: number(row, 3)?,
        mql: number(row, 4)?,
        sql: number(row, 5)?,
        won: number(row, 9)?,
    })
}

/// A week's key: its Monday as YYYY-MM-DD.
fn monday(row: &AnyRow) -> Result<String, StoreError> {
    let millis: i64 = key(row, "k")?.parse().unwrap_or_default();
    Ok(chrono::DateTime::from_timestamp_millis(millis)
        .map(|at| at.format("%Y-%m-%d").to_string())
        .unwrap_or_default())
}

/// A spread from a percentile row.
fn spread(row: &AnyRow) -> Result<Spread, StoreError> {
    Ok(Spread {
        count: number(row, 1)?,
        median_ms: maybe(row, 2)?,
        p90_ms: maybe(row, 3)?,
    })
}

/// Most first, then by key: the order of every list but the weeks.
fn by_size(segments: &mut [Segment]) {
    segments.sort_by(|a, b| b.started.cmp(&a.started).then_with(|| a.key.cmp(&b.key)));
}

impl Store {
    /// Every figure of the funnel report over the conversations `filter` selects, in one
    /// statement (see the module documentation of [`super`]).
    pub async fn funnel_figures(&self, filter: &ReportFilter) -> Result<FunnelFigures, StoreError> {
        let (base, binds) = filter.base();
        let sql = format!("WITH base AS MATERIALIZED ({base}){}", body());
        let mut connection = self.pool().acquire().await?;
        if self.backend == Backend::Postgres {
            // One statement reads the whole history: compiling it (JIT) costs more than it
            // saves (seconds), and its hashes and sorts fit in memory.
            sqlx::query("SET jit = off")
                .execute(&mut *connection)
                .await?;
            sqlx::query("SET work_mem = '128MB'")
                .execute(&mut *connection)
                .await?;
            // Its CTEs have no statistics: the planner takes the selected leads for a few
            // hundred and would probe an index once per lead; hash joins read each table once.
            sqlx::query("SET enable_nestloop = off")
                .execute(&mut *connection)
                .await?;
        }
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for bind in binds {
            query = match bind {
                Bind::Int(value) => query.bind(value),
                Bind::Text(value) => query.bind(value),
            };
        }
        let rows = query.fetch_all(&mut *connection).await;
        if self.backend == Backend::Postgres {
            for setting in ["jit", "work_mem", "enable_nestloop"] {
                sqlx::query(sqlx::AssertSqlSafe(format!("RESET {setting}")))
                    .execute(&mut *connection)
                    .await?;
            }
        }
        read(&rows?)
    }
}

/// The figures from the statement's rows.
fn read(rows: &[AnyRow]) -> Result<FunnelFigures, StoreError> {
    let mut figures = FunnelFigures::default();
    for row in rows {
        let sec: String = row.try_get("sec")?;
        match sec.as_str() {
            "all" => {
                let funnel = &mut figures.funnel;
                funnel.started = number(row, 1)?;
                funnel.leads = number(row, 2)?;
                funnel.iql = number(row, 3)?;
                funnel.mql = number(row, 4)?;
                funnel.sql = number(row, 5)?;
                funnel.disqualified = number(row, 6)?;
                funnel.opted_out = number(row, 7)?;
                funnel.abandoned = number(row, 8)?;
            }
            "week" => figures.weeks.push(segment(row, monday(row)?)?),
            "channel" => figures.channels.push(segment(row, key(row, "k")?)?),
            "source" => figures.sources.push(segment(row, key(row, "k")?)?),
            "script" => figures.scripts.push(segment(row, key(row, "k")?)?),
            "stopped" => figures.drop_off.push(StepDropOff {
                step: key(row, "k")?,
                asked: 0,
                answered: 0,
                reasked: 0,
                stopped: number(row, 1)?,
                median_answer_ms: None,
            }),
            "reason" => figures.disqualified_by_reason.push(ReasonCount {
                reason: key(row, "k")?,
                count: number(row, 1)?,
            }),
            "step" => {
                let step = key(row, "k")?;
                let index = match figures.drop_off.iter().position(|s| s.step == step) {
                    Some(index) => index,
                    None => {
                        figures.drop_off.push(StepDropOff {
                            step,
                            asked: 0,
                            answered: 0,
                            reasked: 0,
                            stopped: 0,
                            median_answer_ms: None,
                        });
                        figures.drop_off.len() - 1
                    }
                };
                let known = &mut figures.drop_off[index];
                known.answered = number(row, 1)?;
                known.reasked = number(row, 2)?;
                known.median_answer_ms = maybe(row, 3)?;
            }
            "to_sql" => figures.speed.to_sql = spread(row)?,
            "to_acceptance" => figures.speed.to_acceptance = spread(row)?,
            "sla" => figures.speed.sla_misses = number(row, 1)?,
            "rep" => {
                let rep = super::rep_entry(&mut figures.reps, key(row, "k")?);
                rep.assigned = number(row, 1)?;
                rep.accepted = number(row, 2)?;
                rep.passed = number(row, 3)?;
                rep.escalated = number(row, 4)?;
                rep.open = number(row, 5)?;
                rep.median_accept_ms = maybe(row, 6)?;
            }
            "rep_outcome" => {
                let rep = super::rep_entry(&mut figures.reps, key(row, "k")?);
                rep.won = number(row, 1)?;
                rep.lost = number(row, 2)?;
            }
            "rep_revenue" => {
                let rep = super::rep_entry(&mut figures.reps, key(row, "k")?);
                rep.revenue.push(RepRevenue {
                    currency: key(row, "k2")?,
                    won: number(row, 1)?,
                    value_cents: number(row, 2)?,
                });
            }
            "outcome" => figures
                .money
                .outcomes
                .push((key(row, "k")?, number(row, 1)?)),
            "revenue" => figures.money.revenue.push(Revenue {
                currency: key(row, "k")?,
                won: number(row, 1)?,
                value_cents: number(row, 2)?,
            }),
            "meeting" => {
                let booked = number(row, 1)?;
                super::rep_entry(&mut figures.reps, key(row, "k")?).meetings = booked;
                figures.money.meetings += booked;
            }
            "cycle" => figures.money.cycle = spread(row)?,
            _ => {}
        }
    }
    order(&mut figures);
    Ok(figures)
}

/// Puts every list in the report's order (the statement's sections come in no set order).
fn order(figures: &mut FunnelFigures) {
    figures.weeks.sort_by(|a, b| a.key.cmp(&b.key));
    by_size(&mut figures.channels);
    by_size(&mut figures.sources);
    by_size(&mut figures.scripts);
    figures
        .disqualified_by_reason
        .sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.reason.cmp(&b.reason)));
    for step in &mut figures.drop_off {
        step.asked = step.answered + step.stopped;
    }
    figures
        .drop_off
        .sort_by(|a, b| b.asked.cmp(&a.asked).then_with(|| a.step.cmp(&b.step)));
    figures
        .reps
        .sort_by(|a, b| b.assigned.cmp(&a.assigned).then_with(|| a.rep.cmp(&b.rep)));
    for rep in &mut figures.reps {
        rep.revenue.sort_by(|a, b| {
            b.value_cents
                .cmp(&a.value_cents)
                .then_with(|| a.currency.cmp(&b.currency))
        });
    }
    figures
        .money
        .outcomes
        .sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    figures.money.revenue.sort_by(|a, b| {
        b.value_cents
            .cmp(&a.value_cents)
            .then_with(|| a.currency.cmp(&b.currency))
    });
}
