//! Purpose: the transactional outbox — what must leave the process (hand-offs, notifications)
//! is written with the state change that caused it, then claimed and delivered by workers
//! with retries; an idempotency key keeps an item from being queued twice.

use sqlx::Row;

use super::batch::Batch;
use super::{Backend, Store, StoreError};
use crate::outbox::{NewOutboxItem, OutboxItem, OutboxMessage};

/// The PostgreSQL channel a turn notifies (on commit) when it queued outbox items, so workers
/// in every replica wake at once.
pub const OUTBOX_NOTIFY_CHANNEL: &str = "leadbot_outbox";

/// Adds items to a write batch, due at once (whatever the writer's clock says: a platform's
/// event time a little ahead of this server's must not hold replies back); an item whose key
/// is already queued is skipped.
pub(super) fn queue_in(batch: &mut Batch, items: &[NewOutboxItem], now_ms: i64) {
    for item in items {
        batch.insert(
            "INSERT INTO outbox (kind, destination, idempotency_key, ordering_key, payload, status, attempts, next_attempt_at, created_at) VALUES",
            "ON CONFLICT (idempotency_key) DO NOTHING",
            vec![
                item.message.kind().into(),
                item.destination.as_str().into(),
                item.idempotency_key.as_str().into(),
                item.ordering_key.clone().into(),
                payload_text(item).into(),
                "pending".into(),
                0.into(),
                0.into(),
                now_ms.into(),
            ],
        );
    }
}

/// The payload column of an item. A body that cannot be serialized (it cannot happen with
/// these types) is stored as `null` and given up by its deliverer, rather than losing the turn.
fn payload_text(item: &NewOutboxItem) -> String {
    item.message
        .payload()
        .map(|payload| payload.to_string())
        .unwrap_or_else(|_| "null".to_string())
}

/// Ends a batch that queued items, on PostgreSQL, with the notification that wakes the workers
/// of every replica (sent by PostgreSQL only if the transaction commits). It must be the
/// batch's last statement: PostgreSQL runs that one as the main statement, after the writes.
pub(super) fn notify_workers(batch: &mut Batch, backend: Backend) {
    if backend == Backend::Postgres {
        batch.update(
            "SELECT pg_notify($1, '')::TEXT",
            vec![OUTBOX_NOTIFY_CHANNEL.into()],
        );
    }
}

impl Store {
    /// Claims up to `limit` due items for `destination`, leasing them for `lease_ms`. A claimed
    /// item is invisible to other workers until its lease ends; on PostgreSQL workers skip each
    /// other's locked rows instead of waiting. An item is not claimed while an earlier pending
    /// item of its ordering key waits (for a retry, or leased to another worker): items of one
    /// key leave in queue order, across workers, replicas and restarts.
    pub async fn claim_outbox(
        &self,
        destination: &str,
        limit: i64,
        lease_ms: i64,
        now_ms: i64,
    ) -> Result<Vec<OutboxItem>, StoreError> {
        let lock = match self.backend() {
            Backend::Postgres => "FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let query = format!(
            "UPDATE outbox SET claimed_until = $1, attempts = attempts + 1 WHERE id IN (\
             SELECT id FROM outbox o WHERE status = 'pending' AND destination = $2 AND next_attempt_at <= $3 \
             AND (claimed_until IS NULL OR claimed_until < $3) \
             AND (ordering_key IS NULL OR NOT EXISTS (SELECT 1 FROM outbox earlier \
                  WHERE earlier.destination = o.destination AND earlier.ordering_key = o.ordering_key \
                  AND earlier.status = 'pending' AND earlier.id < o.id \
                  AND (earlier.next_attempt_at > $3 OR earlier.claimed_until >= $3))) \
             ORDER BY id LIMIT $4 {lock}) \
             RETURNING id, kind, destination, idempotency_key, ordering_key, payload, attempts"
        );
        let mut write = self.begin_write().await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(query))
            .bind(now_ms + lease_ms)
            .bind(destination)
            .bind(now_ms)
            .bind(limit)
            .fetch_all(write.conn().await?)
            .await?;
        write.commit().await?;
        let mut items = Vec::with_capacity(rows.len());
        let mut unreadable = Vec::new();
        for row in rows {
            let id: i64 = row.try_get("id")?;
            let kind: String = row.try_get("kind")?;
            let payload: String = row.try_get("payload")?;
            match OutboxMessage::from_row(&kind, &payload) {
                Ok(message) => items.push(OutboxItem {
                    id,
                    destination: row.try_get("destination")?,
                    idempotency_key: row.try_get("idempotency_key")?,
                    ordering_key: row.try_get("ordering_key")?,
                    message,
                    attempts: row.try_get("attempts")?,
                }),
                Err(problem) => unreadable.push((id, problem)),
            }
        }
        // An item no deliverer can read is given up at once (with why), not retried forever,
        // and does not hold back the readable ones.
        for (id, problem) in unreadable {
            tracing::error!(item = id, %problem, "an outbox item cannot be read; given up");
            self.outbox_failed(id, &format!("unreadable: {problem}"), None)
                .await?;
        }
        items.sort_by_key(|item| item.id);
        Ok(items)
    }

    /// Marks a claimed item delivered; it is never handed out again.
    pub async fn outbox_delivered(&self, id: i64, now_ms: i64) -> Result<(), StoreError> {
        let mut write = self.begin_write().await?;
        sqlx::query(
            "UPDATE outbox SET status = 'delivered', delivered_at = $1, claimed_until = NULL WHERE id = $2",
        )
        .bind(now_ms)
        .bind(id)
        .execute(write.conn().await?)
        .await?;
        write.commit().await?;
        Ok(())
    }

    /// Marks several claimed items delivered in one transaction.
    pub async fn outbox_delivered_many(&self, ids: &[i64], now_ms: i64) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        // The ids travel as one bound value, so the statement's text is the same for every list.
        let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
        let (sql, ids) = match self.backend() {
            Backend::Postgres => (
                "UPDATE outbox SET status = 'delivered', delivered_at = $1, claimed_until = NULL \
                 WHERE id = ANY($2::BIGINT[])",
                format!("{{{list}}}"),
            ),
            Backend::Sqlite => (
                "UPDATE outbox SET status = 'delivered', delivered_at = $1, claimed_until = NULL \
                 WHERE id IN (SELECT value FROM json_each($2))",
                format!("[{list}]"),
            ),
        };
        let mut write = self.begin_write().await?;
        sqlx::query(sql)
            .bind(now_ms)
            .bind(ids)
            .execute(write.conn().await?)
            .await?;
        write.commit().await?;
        Ok(())
    }

    /// Hands claimed items back unattempted (they waited behind an earlier item of their
    /// ordering key): their lease ends and the claim's attempt is not counted.
    pub async fn outbox_release(&self, ids: &[i64]) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        let mut write = self.begin_write().await?;
        for id in ids {
            sqlx::query(
                "UPDATE outbox SET claimed_until = NULL, attempts = attempts - 1 \
                 WHERE id = $1 AND status = 'pending'",
            )
            .bind(*id)
            .execute(write.conn().await?)
            .await?;
        }
        write.commit().await
    }

    /// Records that the receiver asked to be sent the item again at `retry_at_ms` (a 429 with
    /// `Retry-After`): not a failed attempt, so it is not counted toward giving up. A receiver
    /// that rate-limits is up, and a long rate limit must not get its backlog abandoned.
    pub async fn outbox_retry_when_asked(
        &self,
        id: i64,
        reason: &str,
        retry_at_ms: i64,
    ) -> Result<(), StoreError> {
        let mut write = self.begin_write().await?;
        sqlx::query(
            "UPDATE outbox SET last_error = $1, claimed_until = NULL, next_attempt_at = $2, \
             attempts = attempts - 1 WHERE id = $3 AND status = 'pending'",
        )
        .bind(reason)
        .bind(retry_at_ms)
        .bind(id)
        .execute(write.conn().await?)
        .await?;
        write.commit().await?;
        Ok(())
    }

    /// Records a failed attempt: retried at `retry_at_ms`, or given up when `None`.
    pub async fn outbox_failed(
        &self,
        id: i64,
        error: &str,
        retry_at_ms: Option<i64>,
    ) -> Result<(), StoreError> {
        let mut write = self.begin_write().await?;
        let (status, next) = match retry_at_ms {
            Some(at) => ("pending", at),
            None => ("failed", 0),
        };
        sqlx::query(
            "UPDATE outbox SET status = $1, last_error = $2, claimed_until = NULL, \
             next_attempt_at = CASE WHEN $1 = 'pending' THEN $3 ELSE next_attempt_at END WHERE id = $4",
        )
        .bind(status)
        .bind(error)
        .bind(next)
        .bind(id)
        .execute(write.conn().await?)
        .await?;
        write.commit().await?;
        Ok(())
    }
}
