//! Purpose: hand-offs in the database — the pool rotations (advanced atomically, so routing is
//! fair across restarts and replicas), every assignment of a lead to a rep with its outcome,
//! and the outbox rows that notify people, all inside the caller's transaction.

use std::collections::BTreeMap;

use sqlx::Row;

use super::batch::Batch;
use super::{Backend, Store, StoreError, WriteTx};
use crate::outbox::NewOutboxItem;
use crate::routing::{Decision, LeadAttributes, RotationSlot};

/// One assignment as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    /// Row id; reps answer with it.
    pub id: i64,
    /// The lead.
    pub lead_id: i64,
    /// The prospect's conversation.
    pub conversation_id: i64,
    /// The rep, or `None` for the fallback team.
    pub rep_id: Option<String>,
    /// The pool.
    pub pool: String,
    /// The rule that chose the pool.
    pub rule: Option<String>,
    /// offered, accepted, passed, expired, closed, unassigned.
    pub status: String,
    /// The routing decision (JSON of [`Decision`]).
    pub decision: serde_json::Value,
    /// The lead's attributes when routed (JSON of [`LeadAttributes`]).
    pub attributes: serde_json::Value,
    /// The notice sent (JSON of `HandOffNotice`), reused when the lead moves on.
    pub notice: serde_json::Value,
    /// When an unanswered offer expires.
    pub sla_due_at: Option<i64>,
    /// Why it ended (e.g. "passed", "no answer within 15 minutes").
    pub note: Option<String>,
    /// When it was made.
    pub created_at: i64,
    /// When the rep answered or it expired.
    pub answered_at: Option<i64>,
}

/// A routing decision to record as an assignment.
#[derive(Debug, Clone, Copy)]
pub struct NewAssignment<'a> {
    /// The lead.
    pub lead_id: i64,
    /// Its conversation.
    pub conversation_id: i64,
    /// What routing decided.
    pub decision: &'a Decision,
    /// What rules and reps' filters looked at.
    pub attributes: &'a LeadAttributes,
    /// The notice, kept for re-routing.
    pub notice: &'a serde_json::Value,
    /// When.
    pub now_ms: i64,
}

/// Hand-off work inside an open write transaction (a turn's, or a rep's answer's).
pub struct HandoffTx<'t> {
    pub(super) tx: &'t mut sqlx::AnyConnection,
    pub(super) backend: Backend,
}

impl HandoffTx<'_> {
    /// Holds the pool's rotation until the transaction ends (PostgreSQL: an advisory lock;
    /// SQLite's writer is exclusive already), so two routings into one pool take turns.
    pub async fn lock_pool(&mut self, pool: &str) -> Result<(), StoreError> {
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))::TEXT")
                .bind(format!("pool\u{1f}{pool}"))
                .fetch_one(&mut *self.tx)
                .await?;
        }
        Ok(())
    }

    /// The stored rotation of a pool, by rep (reps never routed to are missing).
    pub async fn rotation(
        &mut self,
        pool: &str,
    ) -> Result<BTreeMap<String, RotationSlot>, StoreError> {
        let mut rotation = BTreeMap::new();
        for row in sqlx::query("SELECT rep_id, load FROM rotation WHERE pool = $1")
            .bind(pool)
            .fetch_all(&mut *self.tx)
            .await?
        {
            rotation.insert(
                row.try_get::<String, _>("rep_id")?,
                RotationSlot {
                    load: row.try_get("load")?,
                },
            );
        }
        Ok(rotation)
    }

    /// Stores a pool's rotation slots that changed; `chosen` counts one more assignment.
    pub async fn save_rotation(
        &mut self,
        pool: &str,
        changed: &BTreeMap<String, RotationSlot>,
        chosen: Option<&str>,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        for (rep, slot) in changed {
            sqlx::query(
                "INSERT INTO rotation (pool, rep_id, load, assigned, updated_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (pool, rep_id) DO UPDATE SET load = excluded.load, \
                 assigned = rotation.assigned + excluded.assigned, updated_at = excluded.updated_at",
            )
            .bind(pool)
            .bind(rep)
            .bind(slot.load)
            .bind(i64::from(chosen == Some(rep.as_str())))
            .bind(now_ms)
            .execute(&mut *self.tx)
            .await?;
        }
        Ok(())
    }

    /// Records a routing decision as an assignment (`offered`, or `unassigned` when nobody
    /// could take the lead); returns its id.
    pub async fn record_assignment(
        &mut self,
        assignment: NewAssignment<'_>,
    ) -> Result<i64, StoreError> {
        let NewAssignment {
            decision, now_ms, ..
        } = assignment;
        let (status, sla_due_at) = match (&decision.chosen, decision.sla_minutes) {
            (Some(_), Some(minutes)) => ("offered", Some(now_ms + i64::from(minutes) * 60_000)),
            (Some(_), None) => ("offered", None),
            (None, _) => ("unassigned", None),
        };
        Ok(sqlx::query_scalar(
            "INSERT INTO assignments (lead_id, conversation_id, rep_id, pool, rule, status, decision, \
             attributes, notice, sla_due_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             RETURNING id",
        )
        .bind(assignment.lead_id)
        .bind(assignment.conversation_id)
        .bind(decision.chosen.clone())
        .bind(&decision.pool.pool)
        .bind(decision.pool.rule.clone())
        .bind(status)
        .bind(to_json(decision)?)
        .bind(to_json(assignment.attributes)?)
        .bind(assignment.notice.to_string())
        .bind(sla_due_at)
        .bind(now_ms)
        .fetch_one(&mut *self.tx)
        .await?)
    }

    /// Open hand-offs (offered or accepted) per rep.
    pub async fn open_loads(&mut self) -> Result<BTreeMap<String, i64>, StoreError> {
        open_loads(&mut *self.tx).await
    }

    /// Replaces the notice stored with an assignment (once its id is known).
    pub async fn set_notice(
        &mut self,
        assignment_id: i64,
        notice: &serde_json::Value,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE assignments SET notice = $1 WHERE id = $2")
            .bind(notice.to_string())
            .bind(assignment_id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Locks and reads an assignment; other answers to it wait until this transaction ends.
    pub async fn lock_assignment(&mut self, id: i64) -> Result<Option<Assignment>, StoreError> {
        let lock = match self.backend {
            Backend::Postgres => " FOR UPDATE",
            Backend::Sqlite => "",
        };
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM assignments WHERE id = $1{lock}"
        )))
        .bind(id)
        .fetch_optional(&mut *self.tx)
        .await?;
        row.map(|row| assignment(&row)).transpose()
    }

    /// Every assignment of a lead, oldest first.
    pub async fn assignments_of(&mut self, lead_id: i64) -> Result<Vec<Assignment>, StoreError> {
        assignments_of(&mut *self.tx, lead_id).await
    }

    /// Ends an assignment: accepted, passed, expired or closed, with a note.
    pub async fn finish(
        &mut self,
        id: i64,
        status: &str,
        note: Option<&str>,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE assignments SET status = $1, note = $2, answered_at = $3, sla_due_at = NULL WHERE id = $4",
        )
        .bind(status)
        .bind(note)
        .bind(now_ms)
        .bind(id)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Records who owns a lead.
    pub async fn set_owner(
        &mut self,
        lead_id: i64,
        rep_id: Option<&str>,
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE leads SET owner = $1 WHERE id = $2")
            .bind(rep_id)
            .bind(lead_id)
            .execute(&mut *self.tx)
            .await?;
        Ok(())
    }

    /// Queues notifications in this transaction (an item whose key exists is skipped), and on
    /// PostgreSQL wakes the workers of every replica when it commits.
    pub async fn queue(&mut self, items: &[NewOutboxItem], now_ms: i64) -> Result<(), StoreError> {
        if items.is_empty() {
            return Ok(());
        }
        let mut batch = Batch::default();
        super::outbox::queue_in(&mut batch, items, now_ms);
        super::outbox::notify_workers(&mut batch, self.backend);
        batch.execute(self.tx, self.backend, "", "").await
    }
}

const COLUMNS: &str = "id, lead_id, conversation_id, rep_id, pool, rule, status, decision, attributes, \
                       notice, sla_due_at, note, created_at, answered_at";

fn assignment(row: &sqlx::any::AnyRow) -> Result<Assignment, StoreError> {
    let json = |column: &str| -> Result<serde_json::Value, StoreError> {
        let text: String = row.try_get(column)?;
        serde_json::from_str(&text)
            .map_err(|error| StoreError::Corrupt(format!("assignment {column}: {error}")))
    };
    Ok(Assignment {
        id: row.try_get("id")?,
        lead_id: row.try_get("lead_id")?,
        conversation_id: row.try_get("conversation_id")?,
        rep_id: row.try_get("rep_id")?,
        pool: row.try_get("pool")?,
        rule: row.try_get("rule")?,
        status: row.try_get("status")?,
        decision: json("decision")?,
        attributes: json("attributes")?,
        notice: json("notice")?,
        sla_due_at: row.try_get("sla_due_at")?,
        note: row.try_get("note")?,
        created_at: row.try_get("created_at")?,
        answered_at: row.try_get("answered_at")?,
    })
}

async fn assignments_of(
    executor: impl sqlx::Executor<'_, Database = sqlx::Any>,
    lead_id: i64,
) -> Result<Vec<Assignment>, StoreError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM assignments WHERE lead_id = $1 ORDER BY id"
    )))
    .bind(lead_id)
    .fetch_all(executor)
    .await?;
    rows.iter().map(assignment).collect()
}

async fn open_loads(
    executor: impl sqlx::Executor<'_, Database = sqlx::Any>,
) -> Result<BTreeMap<String, i64>, StoreError> {
    let rows = sqlx::query(
        "SELECT rep_id, COUNT(*) AS open FROM assignments \
         WHERE status IN ('offered', 'accepted') AND rep_id IS NOT NULL GROUP BY rep_id",
    )
    .fetch_all(executor)
    .await?;
    let mut loads = BTreeMap::new();
    for row in rows {
        loads.insert(
            row.try_get::<String, _>("rep_id")?,
            row.try_get::<i64, _>("open")?,
        );
    }
    Ok(loads)
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|error| StoreError::Corrupt(error.to_string()))
}

/// A write transaction for hand-off work outside a turn (a rep's answer, an SLA expiry).
pub struct HandoffWrite {
    write: WriteTx,
    backend: Backend,
}

impl HandoffWrite {
    /// The hand-off operations inside this transaction.
    pub async fn handoffs(&mut self) -> Result<HandoffTx<'_>, StoreError> {
        Ok(HandoffTx {
            tx: self.write.conn().await?,
            backend: self.backend,
        })
    }

    /// Makes it durable.
    pub async fn commit(self) -> Result<(), StoreError> {
        self.write.commit().await?;
        Ok(())
    }
}

impl Store {
    /// Opens a transaction for hand-off work outside a turn.
    pub async fn begin_handoff(&self) -> Result<HandoffWrite, StoreError> {
        Ok(HandoffWrite {
            write: self.begin_write().await?,
            backend: self.backend(),
        })
    }

    /// Offers whose SLA ran out by `now_ms`, oldest first (at most `limit`).
    pub async fn expired_offers(&self, now_ms: i64, limit: i64) -> Result<Vec<i64>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM assignments WHERE status = 'offered' AND sla_due_at IS NOT NULL \
             AND sla_due_at <= $1 ORDER BY sla_due_at LIMIT $2",
        )
        .bind(now_ms)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    /// Every assignment of a lead, oldest first (for `leads show` and `route --explain`).
    pub async fn assignments_of(&self, lead_id: i64) -> Result<Vec<Assignment>, StoreError> {
        assignments_of(self.pool(), lead_id).await
    }

    /// Open hand-offs per rep (for `reps list`).
    pub async fn open_loads(&self) -> Result<BTreeMap<String, i64>, StoreError> {
        open_loads(self.pool()).await
    }

    /// Each rep's assigned count per pool, from the rotation (for `reps list`).
    pub async fn rotation_counts(&self) -> Result<BTreeMap<(String, String), i64>, StoreError> {
        let rows = sqlx::query("SELECT pool, rep_id, assigned FROM rotation")
            .fetch_all(self.pool())
            .await?;
        let mut counts = BTreeMap::new();
        for row in rows {
            counts.insert(
                (row.try_get("pool")?, row.try_get("rep_id")?),
                row.try_get::<i64, _>("assigned")?,
            );
        }
        Ok(counts)
    }
}
