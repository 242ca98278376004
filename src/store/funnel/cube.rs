//! Purpose: keeps the funnel report's stored cube (migration 35) a true count of the history.
//! Triggers note each lead a write touched (`report_changes`); a refresh turns those notes
//! into the days to count again (`report_dirty_days`: every day one of those leads had a
//! conversation on), then counts each such day afresh from the history's rows, a few days per
//! write so a large recount never holds SQLite's writer for long.
//!
//! A note is taken by the same statement that deletes it, so a note written while a refresh
//! runs stays for the next one; a day leaves the dirty list in the write that counted it.
//! Refreshes are one at a time (PostgreSQL: an advisory lock).

use super::super::{Backend, Store, StoreError, lock_key};
use super::sections::{CUBE_COLUMNS, cube_rows};
use super::{BASE_COLUMNS, DAY_MS};

/// The advisory lock refreshes hold, so two never count the same day at once.
const REFRESH_LOCK: &str = "leadbot report cube refresh";

/// About how many conversations one write counts (whole days, at least one): on SQLite each
/// write holds the only writer, so turns wait for at most this much counting.
fn conversations_per_write(backend: Backend) -> i64 {
    match backend {
        Backend::Sqlite => 5_000,
        Backend::Postgres => 50_000,
    }
}

/// `days` (each with its conversation count) in runs of about `budget` conversations.
fn chunks(days: &[(i64, i64)], budget: i64) -> Vec<Vec<i64>> {
    let mut chunks: Vec<Vec<i64>> = Vec::new();
    let mut filled = 0;
    for &(day, conversations) in days {
        match chunks.last_mut() {
            Some(chunk) if filled + conversations <= budget => chunk.push(day),
            _ => {
                chunks.push(vec![day]);
                filled = 0;
            }
        }
        filled += conversations;
    }
    chunks
}

/// The days whose conversations (or whose leads' conversations) changed, added to the dirty
/// list in the statement that deletes their notes. PostgreSQL takes the notes it deletes
/// (a note committed meanwhile stays); SQLite's writer is exclusive, so it takes them all.
fn notes_to_days(backend: Backend) -> &'static [&'static str] {
    match backend {
        Backend::Postgres => &[
            "WITH taken AS (DELETE FROM report_changes RETURNING lead_id, day) \
             INSERT INTO report_dirty_days (day) \
             SELECT day FROM taken WHERE day IS NOT NULL \
             UNION SELECT c.created_at / 86400000 * 86400000 FROM conversations c \
             WHERE c.lead_id IN (SELECT lead_id FROM taken WHERE lead_id IS NOT NULL) \
             ON CONFLICT (day) DO NOTHING",
        ],
        Backend::Sqlite => &[
            "INSERT OR IGNORE INTO report_dirty_days (day) \
             SELECT day FROM report_changes WHERE day IS NOT NULL \
             UNION SELECT c.created_at / 86400000 * 86400000 FROM conversations c \
             WHERE c.lead_id IN (SELECT lead_id FROM report_changes WHERE lead_id IS NOT NULL)",
            "DELETE FROM report_changes",
        ],
    }
}

/// `column` (Unix ms) on one of `days` (each a day's first ms, sorted): runs of consecutive
/// days become one range, so an index on `column` serves it.
fn on_days(column: &str, days: &[i64]) -> String {
    let mut ranges: Vec<(i64, i64)> = Vec::new();
    for &day in days {
        match ranges.last_mut() {
            Some((_, end)) if *end == day => *end = day + DAY_MS,
            _ => ranges.push((day, day + DAY_MS)),
        }
    }
    let ranges: Vec<String> = ranges
        .iter()
        .map(|(start, end)| format!("({column} >= {start} AND {column} < {end})"))
        .collect();
    format!("({})", ranges.join(" OR "))
}

impl Store {
    /// Brings the stored cube up to date with every write committed before the call: counts
    /// again each day a write since the last refresh touched. Returns how many days it counted.
    pub async fn refresh_report_cube(&self) -> Result<usize, StoreError> {
        let lock = lock_key(REFRESH_LOCK);
        let mut write = self.begin_locked(lock).await?;
        let connection = write.conn().await?;
        for statement in notes_to_days(self.backend) {
            sqlx::query(*statement).execute(&mut *connection).await?;
        }
        let days: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT d.day, (SELECT COUNT(*) FROM conversations c \
             WHERE c.created_at >= d.day AND c.created_at < d.day + 86400000) \
             FROM report_dirty_days d ORDER BY d.day",
        )
        .fetch_all(&mut *connection)
        .await?;
        write.commit().await?;
        for chunk in chunks(&days, conversations_per_write(self.backend)) {
            let list: Vec<String> = chunk.iter().map(i64::to_string).collect();
            let list = list.join(", ");
            let base = format!(
                "{BASE_COLUMNS} FROM conversations c JOIN leads l ON l.id = c.lead_id \
                 LEFT JOIN lead_sources s ON s.lead_id = c.lead_id WHERE {}",
                on_days("c.created_at", &chunk)
            );
            let mut write = self.begin_locked(lock).await?;
            let connection = write.conn().await?;
            if self.backend == Backend::Postgres {
                // A few days of a large history: reading their rows through the indexes (by
                // time, lead and conversation) beats the hash joins over whole tables the
                // planner otherwise picks, 4× at a million conversations.
                sqlx::query("SET LOCAL enable_seqscan = off")
                    .execute(&mut *connection)
                    .await?;
            }
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DELETE FROM report_cube WHERE day IN ({list})"
            )))
            .execute(&mut *connection)
            .await?;
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO report_cube ({CUBE_COLUMNS}) {}",
                cube_rows(&base)
            )))
            .execute(&mut *connection)
            .await?;
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DELETE FROM report_dirty_days WHERE day IN ({list})"
            )))
            .execute(&mut *connection)
            .await?;
            write.commit().await?;
        }
        Ok(days.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_counted_in_runs_of_about_the_budget() {
        let days = [(1, 3), (2, 3), (3, 10), (4, 1), (5, 1)];
        assert_eq!(chunks(&days, 6), vec![vec![1, 2], vec![3], vec![4, 5]]);
        assert!(chunks(&[], 6).is_empty());
    }

    #[test]
    fn consecutive_days_become_one_range() {
        let days = [0, DAY_MS, 2 * DAY_MS, 5 * DAY_MS];
        assert_eq!(
            on_days("t", &days),
            format!(
                "((t >= 0 AND t < {}) OR (t >= {} AND t < {}))",
                3 * DAY_MS,
                5 * DAY_MS,
                6 * DAY_MS
            )
        );
    }
}
