//! Purpose: the funnel report's SQL: the cube's rows (every figure summed per day and slice,
//! from the history's rows), the report as one statement over cube rows — each figure a
//! section of rows (`sec`, `k`, `k2`, `n1`…`n9`) — and its reading back into
//! [`FunnelFigures`].

use sqlx::Row;
use sqlx::any::AnyRow;

use super::super::{Backend, Store, StoreError};
use super::{
    ACCEPTED, Bind, FunnelFigures, ReasonCount, RepRevenue, ReportFilter, Revenue, Segment, Spread,
    bucket, week_of,
};

/// The cube's columns, in the order [`cube_rows`] writes them.
pub(super) const CUBE_COLUMNS: &str = "day, sec, channel, source, script_id, script_version, \
     k, k2, v, n1, n2, n3, n4, n5, n6, n7, n8, n9";

/// The slice every cube row is counted in: the conversation's (for a lead's figures, the
/// lead's first conversation's) day, channel, source and script version.
const SLICE: &str = "b.day, b.channel, b.source, b.script_id, b.script_version";

/// One cube section's rows over `rest` (which binds `b` and groups by [`SLICE`] first):
/// `k`, `k2` and `v` as given, unused counts NULL.
fn cube_section(name: &str, keys: [&str; 3], numbers: &[&str], rest: &str) -> String {
    let [k, k2, v] = keys;
    let mut columns = vec![
        "b.day AS day".to_string(),
        format!("'{name}' AS sec"),
        "b.channel AS channel".to_string(),
        "b.source AS source".to_string(),
        "b.script_id AS script_id".to_string(),
        "b.script_version AS script_version".to_string(),
        format!("CAST({k} AS TEXT) AS k"),
        format!("CAST({k2} AS TEXT) AS k2"),
        format!("CAST({v} AS BIGINT) AS v"),
    ];
    columns.extend(count_columns(numbers));
    format!("SELECT {} {rest}", columns.join(", "))
}

/// The cube's rows (columns [`CUBE_COLUMNS`]) of the conversations `base` selects (a query
/// with [`super::BASE_COLUMNS`]): the report's every figure, summed per slice. Conversation
/// figures are counted with each selected conversation; a lead's (hand-offs, outcomes,
/// meetings, disqualification reasons) with its first conversation, when that is selected.
pub(super) fn cube_rows(base: &str) -> String {
    let accepted = ACCEPTED.replace("l.owner", "b.owner");
    let stop_step = "CASE WHEN b.finished = 0 THEN b.pending_step END";
    let answer_bucket = bucket("a.created_at - a.asked_at");
    let rep = "COALESCE(a.rep_id, '-')";
    let sections = [
        cube_section(
            "cell",
            [stop_step, "NULL", "NULL"],
            &[
                "COUNT(*)",
                "SUM(b.answered)",
                "SUM(CASE WHEN b.reached >= 1 THEN 1 ELSE 0 END)",
                "SUM(CASE WHEN b.reached >= 2 THEN 1 ELSE 0 END)",
                "SUM(CASE WHEN b.reached >= 3 THEN 1 ELSE 0 END)",
                "SUM(CASE WHEN b.stage = 'disqualified' THEN 1 ELSE 0 END)",
                "SUM(CASE WHEN b.stage = 'opted_out' THEN 1 ELSE 0 END)",
                "SUM(CASE WHEN b.finished = 0 THEN b.abandoned ELSE 0 END)",
                "SUM(b.won)",
            ],
            &format!("FROM base b GROUP BY {SLICE}, {stop_step}"),
        ),
        cube_section(
            "step",
            ["a.step", "NULL", &answer_bucket],
            &["SUM(a.first_answer)", "SUM(a.reasked)", "COUNT(*)"],
            &format!(
                "FROM answers a JOIN base b ON b.conversation_id = a.conversation_id \
                 GROUP BY {SLICE}, a.step, {answer_bucket}"
            ),
        ),
        spread_section(
            "to_sql",
            "b.qualified_at - b.started_at",
            "FROM base b WHERE b.qualified_at IS NOT NULL",
        ),
        cube_section(
            "reason",
            ["sc.reason", "NULL", "NULL"],
            &["COUNT(DISTINCT sc.lead_id)"],
            &format!(
                "FROM stage_changes sc JOIN first_of_lead b ON b.lead_id = sc.lead_id \
                 WHERE sc.to_stage = 'disqualified' GROUP BY {SLICE}, sc.reason"
            ),
        ),
        spread_section(
            "to_acceptance",
            "b.wait",
            &format!(
                "FROM (SELECT {SLICE}, MIN(a.answered_at) - MIN(b.qualified_at) AS wait \
                 FROM assignments a JOIN first_of_lead b ON b.lead_id = a.lead_id \
                 WHERE {accepted} AND b.qualified_at IS NOT NULL GROUP BY b.lead_id, {SLICE}) AS b"
            ),
        ),
        cube_section(
            "rep",
            [rep, "NULL", "NULL"],
            &[
                "COUNT(*)",
                &format!("SUM(CASE WHEN {accepted} THEN 1 ELSE 0 END)"),
                "SUM(CASE WHEN a.status = 'passed' THEN 1 ELSE 0 END)",
                "SUM(CASE WHEN a.status = 'expired' THEN 1 ELSE 0 END)",
                "SUM(CASE WHEN a.status IN ('offered', 'accepted') THEN 1 ELSE 0 END)",
            ],
            &format!(
                "FROM assignments a JOIN first_of_lead b ON b.lead_id = a.lead_id GROUP BY {SLICE}, {rep}"
            ),
        ),
        {
            let accept_bucket = bucket("a.answered_at - a.created_at");
            cube_section(
                "rep_accept",
                [rep, "NULL", &accept_bucket],
                &["COUNT(*)"],
                &format!(
                    "FROM assignments a JOIN first_of_lead b ON b.lead_id = a.lead_id \
                     WHERE {accepted} GROUP BY {SLICE}, {rep}, {accept_bucket}"
                ),
            )
        },
        cube_section(
            "rep_outcome",
            ["COALESCE(o.rep_id, '-')", "NULL", "NULL"],
            &[
                "SUM(CASE WHEN o.outcome = 'won' THEN 1 ELSE 0 END)",
                "SUM(CASE WHEN o.outcome <> 'won' THEN 1 ELSE 0 END)",
            ],
            &format!(
                "FROM outcomes o JOIN first_of_lead b ON b.lead_id = o.lead_id \
                 GROUP BY {SLICE}, COALESCE(o.rep_id, '-')"
            ),
        ),
        cube_section(
            "rep_revenue",
            [
                "COALESCE(o.rep_id, '-')",
                "COALESCE(o.currency, '')",
                "NULL",
            ],
            &["COUNT(*)", "COALESCE(SUM(o.value_cents), 0)"],
            &format!(
                "FROM outcomes o JOIN first_of_lead b ON b.lead_id = o.lead_id WHERE o.outcome = 'won' \
                 GROUP BY {SLICE}, COALESCE(o.rep_id, '-'), COALESCE(o.currency, '')"
            ),
        ),
        cube_section(
            "outcome",
            ["o.outcome", "NULL", "NULL"],
            &["COUNT(*)"],
            &format!(
                "FROM outcomes o JOIN first_of_lead b ON b.lead_id = o.lead_id GROUP BY {SLICE}, o.outcome"
            ),
        ),
        cube_section(
            "meeting",
            [rep, "NULL", "NULL"],
            &["COUNT(*)"],
            &format!(
                "FROM meetings m JOIN first_of_lead b ON b.lead_id = m.lead_id \
                 LEFT JOIN assignments a ON a.id = m.assignment_id GROUP BY {SLICE}, {rep}"
            ),
        ),
        spread_section(
            "cycle",
            "o.closed_at - b.started_at",
            "FROM outcomes o JOIN first_of_lead b ON b.lead_id = o.lead_id WHERE o.outcome = 'won'",
        ),
    ];
    format!(
        "WITH base AS MATERIALIZED ({base}), \
         first_of_lead AS (SELECT * FROM base WHERE first_of_lead = 1) {}",
        sections.join(" UNION ALL ")
    )
}

/// A duration's cube rows: how many of `value` fell in each bucket, per slice.
fn spread_section(name: &str, value: &str, rest: &str) -> String {
    let bucketed = bucket(value);
    cube_section(
        name,
        ["NULL", "NULL", &bucketed],
        &["COUNT(*)"],
        &format!("{rest} GROUP BY {SLICE}, {bucketed}"),
    )
}

/// Nearest-rank median and 90th percentile per `grp` of `values` (a query with columns `grp`,
/// `v` and `w`, how many have that value): columns `grp`, `n`, `median`, `p90`. The value at
/// rank r is the one whose run of equal values (`upto - c` < r ≤ `upto`) holds it; NULL
/// values sort where each database puts them, as an ORDER BY would.
fn percentiles(values: &str) -> String {
    format!(
        "SELECT grp, MAX(n) AS n, \
         MAX(CASE WHEN upto - c < (n + 1) / 2 AND upto >= (n + 1) / 2 THEN v END) AS median, \
         MAX(CASE WHEN upto - c < (9 * n + 9) / 10 AND upto >= (9 * n + 9) / 10 THEN v END) AS p90 \
         FROM (SELECT grp, v, c, \
         CAST(SUM(c) OVER (PARTITION BY grp ORDER BY v ROWS UNBOUNDED PRECEDING) AS BIGINT) AS upto, \
         CAST(SUM(c) OVER (PARTITION BY grp) AS BIGINT) AS n \
         FROM (SELECT grp, v, CAST(SUM(w) AS BIGINT) AS c FROM ({values}) AS vals GROUP BY grp, v) AS counted) AS run \
         GROUP BY grp"
    )
}

/// One report section's rows: `sec` names it; unused columns are NULL.
fn section(name: &str, k: &str, k2: &str, numbers: &[&str], rest: &str) -> String {
    let mut columns = vec![
        format!("'{name}' AS sec"),
        format!("CAST({k} AS TEXT) AS k"),
        format!("CAST({k2} AS TEXT) AS k2"),
    ];
    columns.extend(count_columns(numbers));
    format!("SELECT {} {rest}", columns.join(", "))
}

/// The nine count columns `n1`…`n9` of a row: `numbers` first, NULL after.
fn count_columns(numbers: &[&str]) -> Vec<String> {
    (0..9)
        .map(|index| {
            let value = numbers.get(index).copied().unwrap_or("NULL");
            format!("CAST({value} AS BIGINT) AS n{}", index + 1)
        })
        .collect()
}

/// The report's sections over `cube` (rows of [`CUBE_COLUMNS`], stored or counted now), read
/// once: every section but the slices needs only what it counts (`sec`, `k`, `k2`, `v`), the
/// slices the week, channel, source and script version, so `flat` adds the rows up by those
/// first and each section reads a few thousand rows instead of the cube.
fn report_body() -> String {
    let week = week_of("day");
    let numbers: Vec<String> = (1..=9).map(|n| format!("SUM(n{n}) AS n{n}")).collect();
    let flat = format!(
        "flat AS MATERIALIZED (SELECT sec, k, k2, v, \
         CASE WHEN sec = 'cell' THEN {week} END AS wk, \
         CASE WHEN sec = 'cell' THEN channel END AS channel, \
         CASE WHEN sec = 'cell' THEN source END AS source, \
         CASE WHEN sec = 'cell' THEN script_id || ' v' || script_version END AS script, {} \
         FROM cube GROUP BY sec, k, k2, v, 5, 6, 7, 8)",
        numbers.join(", ")
    );
    let sums: Vec<String> = (1..=9).map(|n| format!("SUM(n{n})")).collect();
    let sums: Vec<&str> = sums.iter().map(String::as_str).collect();
    let slice = |name: &str, column: &str| {
        section(
            name,
            column,
            "NULL",
            &sums,
            &format!("FROM flat WHERE sec = 'cell' GROUP BY {column}"),
        )
    };
    let spread = |name: &str| {
        section(
            name,
            "NULL",
            "NULL",
            &["p.n", "p.median", "p.p90"],
            &format!(
                "FROM ({}) AS p",
                percentiles(&format!(
                    "SELECT 'all' AS grp, v, n1 AS w FROM flat WHERE sec = '{name}'"
                ))
            ),
        )
    };
    let sections = [
        section("all", "NULL", "NULL", &sums, "FROM flat WHERE sec = 'cell'"),
        slice("week", "wk"),
        slice("channel", "channel"),
        slice("source", "source"),
        slice("script", "script"),
        section(
            "stopped",
            "k",
            "NULL",
            &["SUM(n1)"],
            "FROM flat WHERE sec = 'cell' AND k IS NOT NULL GROUP BY k",
        ),
        section(
            "reason",
            "k",
            "NULL",
            &["SUM(n1)"],
            "FROM flat WHERE sec = 'reason' GROUP BY k",
        ),
        section(
            "step",
            "s.k",
            "NULL",
            &["s.answered", "s.reasked", "p.median"],
            &format!(
                "FROM (SELECT k, SUM(n1) AS answered, SUM(n2) AS reasked FROM flat \
                 WHERE sec = 'step' GROUP BY k) AS s LEFT JOIN ({}) AS p ON p.grp = s.k",
                percentiles("SELECT k AS grp, v, n3 AS w FROM flat WHERE sec = 'step'")
            ),
        ),
        spread("to_sql"),
        spread("to_acceptance"),
        section(
            "sla",
            "NULL",
            "NULL",
            &["SUM(n4)"],
            "FROM flat WHERE sec = 'rep'",
        ),
        section(
            "rep",
            "r.k",
            "NULL",
            &[
                "r.assigned",
                "r.accepted",
                "r.passed",
                "r.escalated",
                "r.open_now",
                "p.median",
            ],
            &format!(
                "FROM (SELECT k, SUM(n1) AS assigned, SUM(n2) AS accepted, SUM(n3) AS passed, \
                 SUM(n4) AS escalated, SUM(n5) AS open_now FROM flat WHERE sec = 'rep' GROUP BY k) AS r \
                 LEFT JOIN ({}) AS p ON p.grp = r.k",
                percentiles("SELECT k AS grp, v, n1 AS w FROM flat WHERE sec = 'rep_accept'")
            ),
        ),
        section(
            "rep_outcome",
            "k",
            "NULL",
            &["SUM(n1)", "SUM(n2)"],
            "FROM flat WHERE sec = 'rep_outcome' GROUP BY k",
        ),
        section(
            "rep_revenue",
            "k",
            "k2",
            &["SUM(n1)", "SUM(n2)"],
            "FROM flat WHERE sec = 'rep_revenue' GROUP BY k, k2",
        ),
        section(
            "outcome",
            "k",
            "NULL",
            &["SUM(n1)"],
            "FROM flat WHERE sec = 'outcome' GROUP BY k",
        ),
        section(
            "revenue",
            "k2",
            "NULL",
            &["SUM(n1)", "SUM(n2)"],
            "FROM flat WHERE sec = 'rep_revenue' GROUP BY k2",
        ),
        section(
            "meeting",
            "k",
            "NULL",
            &["SUM(n1)"],
            "FROM flat WHERE sec = 'meeting' GROUP BY k",
        ),
        spread("cycle"),
    ];
    format!(", {flat} {}", sections.join(" UNION ALL "))
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
    /// statement: read from the stored cube (brought up to date first) when it can answer the
    /// filter, else counted from the history's rows the same way (see [`super`]).
    pub async fn funnel_figures(&self, filter: &ReportFilter) -> Result<FunnelFigures, StoreError> {
        self.refresh_report_cube().await?;
        let (cube, binds) = match filter.cube_conditions() {
            Some((conditions, binds)) => (
                format!("SELECT {CUBE_COLUMNS} FROM report_cube{conditions}"),
                binds,
            ),
            None => {
                let (base, binds) = filter.base();
                (cube_rows(&base), binds)
            }
        };
        let sql = format!("WITH cube AS ({cube}){}", report_body());
        let mut connection = self.pool().acquire().await?;
        if self.backend == Backend::Postgres {
            // Counted from the rows, one statement reads the whole history: compiling it
            // (JIT) costs more than it saves (seconds), and its hashes and sorts fit in memory.
            sqlx::query("SET jit = off")
                .execute(&mut *connection)
                .await?;
            sqlx::query("SET work_mem = '128MB'")
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
            for setting in ["jit", "work_mem"] {
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
            "stopped" => {
                super::step_entry(&mut figures.drop_off, key(row, "k")?).stopped = number(row, 1)?
            }
            "reason" => figures.disqualified_by_reason.push(ReasonCount {
                reason: key(row, "k")?,
                count: number(row, 1)?,
            }),
            "step" => {
                let known = super::step_entry(&mut figures.drop_off, key(row, "k")?);
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
