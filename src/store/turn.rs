//! Purpose: one inbound message is one transaction — dedupe its event id, lock and load the
//! conversation, and store everything the engine decided, or nothing at all.

use sqlx::{Any, Row, Transaction};

use super::outbox::NewOutboxItem;
use super::{Backend, Store, StoreError};
use crate::engine::state::ConversationState;
use crate::engine::{Effect, Reply};
use crate::script::ContactField;

/// Identifies one prospect's conversation on one channel, e.g. ("slack", "T1/D2").
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ConversationKey {
    /// "console", "slack", "discord"...
    pub channel: String,
    /// Where on that channel: a user, DM or thread id.
    pub address: String,
}

/// A conversation as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredConversation {
    /// Row id.
    pub id: i64,
    /// The lead it belongs to.
    pub lead_id: i64,
    /// The engine state.
    pub state: ConversationState,
}

/// An open turn: holds the transaction (and on PostgreSQL the conversation's lock) until
/// [`TurnTx::commit`]; dropping it rolls everything back.
pub struct TurnTx {
    tx: Transaction<'static, Any>,
    key: ConversationKey,
}

impl Store {
    /// Opens the transaction of one turn of `key`'s conversation. Turns of one conversation run
    /// one after the other, across processes; other conversations are not blocked on PostgreSQL.
    pub async fn begin_turn(&self, key: &ConversationKey) -> Result<TurnTx, StoreError> {
        let mut tx = self.begin_write().await?;
        if self.backend() == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))::TEXT")
                .bind(format!("{}\u{1f}{}", key.channel, key.address))
                .fetch_one(&mut *tx)
                .await?;
        }
        Ok(TurnTx {
            tx,
            key: key.clone(),
        })
    }
}

impl TurnTx {
    /// Records that the platform event `event_id` is being processed; false when it already was
    /// (a retry or a replay), in which case the caller must do nothing more.
    pub async fn claim_event(&mut self, event_id: &str, now_ms: i64) -> Result<bool, StoreError> {
        let inserted = sqlx::query(
            "INSERT INTO processed_events (event_id, processed_at) VALUES ($1, $2) \
             ON CONFLICT (event_id) DO NOTHING",
        )
        .bind(event_id)
        .bind(now_ms)
        .execute(&mut *self.tx)
        .await?;
        Ok(inserted.rows_affected() == 1)
    }

    /// The conversation of this key, if one was started.
    pub async fn conversation(&mut self) -> Result<Option<StoredConversation>, StoreError> {
        let row = sqlx::query(
            "SELECT id, lead_id, state FROM conversations WHERE channel = $1 AND address = $2",
        )
        .bind(&self.key.channel)
        .bind(&self.key.address)
        .fetch_optional(&mut *self.tx)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let state_json: String = row.try_get("state")?;
        let state = serde_json::from_str(&state_json).map_err(|error| {
            StoreError::Corrupt(format!("conversation {}: {error}", self.key.address))
        })?;
        Ok(Some(StoredConversation {
            id: row.try_get("id")?,
            lead_id: row.try_get("lead_id")?,
            state,
        }))
    }

    /// Keeps the source of the script version a conversation starts on, so it can resume on
    /// that exact version after the file changes. Part of the turn: on SQLite a second
    /// connection could not write while this transaction holds the write lock.
    pub async fn remember_script(
        &mut self,
        script_id: &str,
        version: u32,
        source: &str,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO script_versions (script_id, version, source, stored_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (script_id, version) DO NOTHING",
        )
        .bind(script_id)
        .bind(i64::from(version))
        .bind(source)
        .bind(now_ms)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Creates (or, for a restart, resets) the conversation and its lead with a fresh state.
    pub async fn start_conversation(
        &mut self,
        state: &ConversationState,
        now_ms: i64,
    ) -> Result<StoredConversation, StoreError> {
        let lead_id: i64 = sqlx::query_scalar(
            "INSERT INTO leads (channel, address, stage, score, script_id, script_version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
             ON CONFLICT (channel, address) DO UPDATE SET script_id = excluded.script_id, \
             script_version = excluded.script_version, updated_at = excluded.updated_at \
             RETURNING id",
        )
        .bind(&self.key.channel)
        .bind(&self.key.address)
        .bind(state.stage.name())
        .bind(i64::from(state.score))
        .bind(&state.script_id)
        .bind(i64::from(state.script_version))
        .bind(now_ms)
        .fetch_one(&mut *self.tx)
        .await?;
        let conversation_id: i64 = sqlx::query_scalar(
            "INSERT INTO conversations (lead_id, channel, address, script_id, script_version, state, finished, turns, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 0, 0, $7, $7) \
             ON CONFLICT (channel, address) DO UPDATE SET script_id = excluded.script_id, \
             script_version = excluded.script_version, state = excluded.state, finished = 0, \
             updated_at = excluded.updated_at \
             RETURNING id",
        )
        .bind(lead_id)
        .bind(&self.key.channel)
        .bind(&self.key.address)
        .bind(&state.script_id)
        .bind(i64::from(state.script_version))
        .bind(to_json(state)?)
        .bind(now_ms)
        .fetch_one(&mut *self.tx)
        .await?;
        Ok(StoredConversation {
            id: conversation_id,
            lead_id,
            state: state.clone(),
        })
    }

    /// Stores a turn: the inbound text, every reply, answer, score event and stage change the
    /// engine produced, the new state and lead record, and the outbox items to deliver.
    pub async fn save(
        &mut self,
        conversation: &StoredConversation,
        inbound: Option<(&str, Option<&str>)>,
        effects: &[Effect],
        outbox: &[NewOutboxItem],
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let (conversation_id, lead_id) = (conversation.id, conversation.lead_id);
        if let Some((text, event_id)) = inbound {
            self.message(conversation_id, "in", text, event_id, now_ms)
                .await?;
        }
        let mut qualified = false;
        for effect in effects {
            match effect {
                Effect::Say(reply) => {
                    self.message(
                        conversation_id,
                        "out",
                        &transcript_text(reply),
                        None,
                        now_ms,
                    )
                    .await?;
                }
                Effect::AnswerRecorded(answer) => {
                    sqlx::query(
                        "INSERT INTO answers (conversation_id, lead_id, step, criterion, raw, value, points, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(conversation_id)
                    .bind(lead_id)
                    .bind(&answer.step)
                    .bind(answer.criterion.name())
                    .bind(&answer.raw)
                    .bind(to_json(&answer.value)?)
                    .bind(i64::from(answer.points))
                    .bind(now_ms)
                    .execute(&mut *self.tx)
                    .await?;
                }
                Effect::Scored(event) => {
                    sqlx::query(
                        "INSERT INTO score_events (lead_id, conversation_id, points, reason, rule, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(lead_id)
                    .bind(conversation_id)
                    .bind(i64::from(event.points))
                    .bind(&event.reason)
                    .bind(&event.rule)
                    .bind(now_ms)
                    .execute(&mut *self.tx)
                    .await?;
                }
                Effect::StageChanged(change) => {
                    qualified |= change.to == crate::engine::state::Stage::Sql;
                    sqlx::query(
                        "INSERT INTO stage_changes (lead_id, from_stage, to_stage, reason, created_at) \
                         VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(lead_id)
                    .bind(change.from.name())
                    .bind(change.to.name())
                    .bind(&change.reason)
                    .bind(now_ms)
                    .execute(&mut *self.tx)
                    .await?;
                }
                Effect::HandOff(_) => {}
            }
        }
        let state = &conversation.state;
        sqlx::query(
            "UPDATE conversations SET state = $1, finished = $2, turns = turns + 1, updated_at = $3, \
             script_id = $4, script_version = $5 WHERE id = $6",
        )
        .bind(to_json(state)?)
        .bind(i64::from(state.is_finished()))
        .bind(now_ms)
        .bind(&state.script_id)
        .bind(i64::from(state.script_version))
        .bind(conversation_id)
        .execute(&mut *self.tx)
        .await?;
        let contact = |field: ContactField| state.contact.get(field.name()).cloned();
        sqlx::query(
            "UPDATE leads SET stage = $1, score = $2, name = $3, company = $4, email = $5, phone = $6, \
             region = $7, industry = $8, role = $9, script_id = $10, script_version = $11, updated_at = $12, \
             qualified_at = CASE WHEN $13 = 1 THEN $12 ELSE qualified_at END \
             WHERE id = $14 AND forgotten_at IS NULL",
        )
        .bind(state.stage.name())
        .bind(i64::from(state.score))
        .bind(contact(ContactField::Name))
        .bind(contact(ContactField::Company))
        .bind(contact(ContactField::Email))
        .bind(contact(ContactField::Phone))
        .bind(contact(ContactField::Region))
        .bind(contact(ContactField::Industry))
        .bind(contact(ContactField::Role))
        .bind(&state.script_id)
        .bind(i64::from(state.script_version))
        .bind(now_ms)
        .bind(i64::from(qualified))
        .bind(lead_id)
        .execute(&mut *self.tx)
        .await?;
        for item in outbox {
            super::outbox::insert(&mut self.tx, item, now_ms).await?;
        }
        Ok(())
    }

    async fn message(
        &mut self,
        conversation_id: i64,
        direction: &str,
        body: &str,
        event_id: Option<&str>,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO messages (conversation_id, direction, body, event_id, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(conversation_id)
        .bind(direction)
        .bind(body)
        .bind(event_id)
        .bind(now_ms)
        .execute(&mut *self.tx)
        .await?;
        Ok(())
    }

    /// Makes the turn durable.
    pub async fn commit(self) -> Result<(), StoreError> {
        self.tx.commit().await?;
        Ok(())
    }
}

/// A reply as the transcript keeps it: the text, then its options.
fn transcript_text(reply: &Reply) -> String {
    if reply.choices.is_empty() {
        return reply.text.clone();
    }
    let labels: Vec<&str> = reply
        .choices
        .iter()
        .map(|choice| choice.label.as_str())
        .collect();
    format!("{}\n[{}]", reply.text, labels.join(" | "))
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|error| StoreError::Corrupt(error.to_string()))
}
