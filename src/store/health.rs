//! Purpose: what `/readyz` and `/metrics` ask the database — is it reachable, is its schema
//! this build's, how much waits in the outbox and for how long.

use sqlx::Row;

use super::{Store, StoreError, migrations};

/// Pending outbox items of one destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backlog {
    /// The destination ("slack", "webhook", …).
    pub destination: String,
    /// Items waiting.
    pub depth: i64,
    /// When the oldest was queued (Unix ms).
    pub oldest_ms: i64,
}

impl Store {
    /// The schema version in the database and the newest this build knows; reaching the
    /// database at all is the first check of readiness.
    pub async fn schema_versions(&self) -> Result<(Option<i64>, i64), StoreError> {
        let found = self.schema_version().await?;
        Ok((found, migrations::latest_version(self.backend())))
    }

    /// Pending outbox items per destination.
    pub async fn outbox_backlog(&self) -> Result<Vec<Backlog>, StoreError> {
        let rows = sqlx::query(
            "SELECT destination, COUNT(*) AS depth, MIN(created_at) AS oldest FROM outbox \
             WHERE status = 'pending' GROUP BY destination ORDER BY destination",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(Backlog {
                    destination: row.try_get("destination")?,
                    depth: row.try_get("depth")?,
                    oldest_ms: row.try_get("oldest")?,
                })
            })
            .collect()
    }
}
