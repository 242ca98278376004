//! Purpose: which outbox destinations the serving deployment delivers. `leadbot serve` records
//! them at start; a process that queues hand-off notices without serving (a rep answering
//! from a shell) reads them, so which channels a notice goes to does not depend on the
//! environment of the process that happens to record the answer.

use std::collections::BTreeSet;

use super::{Store, StoreError};

impl Store {
    /// Replaces the recorded destinations with `destinations` (replicas of one deployment
    /// share one configuration, so the last to start writes the same set).
    pub async fn record_served_destinations(
        &self,
        destinations: &BTreeSet<String>,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let mut write = self.begin_write().await?;
        sqlx::query("DELETE FROM served_destinations")
            .execute(write.conn().await?)
            .await?;
        for destination in destinations {
            sqlx::query(
                "INSERT INTO served_destinations (destination, recorded_at) VALUES ($1, $2)",
            )
            .bind(destination)
            .bind(now_ms)
            .execute(write.conn().await?)
            .await?;
        }
        write.commit().await
    }

    /// The destinations `leadbot serve` last recorded; `None` when it never recorded any on
    /// this database.
    pub async fn served_destinations(&self) -> Result<Option<BTreeSet<String>>, StoreError> {
        let recorded: Vec<String> =
            sqlx::query_scalar("SELECT destination FROM served_destinations")
                .fetch_all(self.pool())
                .await?;
        Ok((!recorded.is_empty()).then(|| recorded.into_iter().collect()))
    }
}
