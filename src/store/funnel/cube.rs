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

/// Days counted per write.
const DAYS_PER_WRITE: usize = 16;

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
        let days: Vec<i64> = sqlx::query_scalar("SELECT day FROM report_dirty_days ORDER BY day")
            .fetch_all(&mut *connection)
            .await?;
        write.commit().await?;
        for chunk in days.chunks(DAYS_PER_WRITE) {
            let list: Vec<String> = chunk.iter().map(i64::to_string).collect();
            let list = list.join(", ");
            let base = format!(
                "{BASE_COLUMNS} FROM conversations c JOIN leads l ON l.id = c.lead_id \
                 LEFT JOIN lead_sources s ON s.lead_id = c.lead_id WHERE {}",
                on_days("c.created_at", chunk)
            );
            let mut write = self.begin_locked(lock).await?;
            let connection = write.conn().await?;
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
