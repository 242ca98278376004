//! Purpose: the conversations still waiting on their prospect, with where their last inbound
//! message stands — what a channel needs to catch up on messages sent while no leadbot process
//! was running (Discord does not replay them after a fresh IDENTIFY).

use sqlx::Row;

use super::{Store, StoreError};

/// An unfinished conversation of one channel, and its last message from the prospect.
#[derive(Debug, Clone, PartialEq)]
pub struct WaitingConversation {
    /// The channel's address of the prospect (see `ConversationKey`).
    pub address: String,
    /// The stored reply route's context (JSON): where the channel answers, and so reads.
    pub reply_context: Option<serde_json::Value>,
    /// The platform event id of the last message stored from the prospect, if any.
    pub last_event_id: Option<String>,
    /// When the conversation last changed (Unix ms).
    pub updated_at: i64,
}

impl Store {
    /// The unfinished conversations of `channel` that changed at or after `since_ms`, oldest
    /// change first.
    pub async fn waiting_conversations(
        &self,
        channel: &str,
        since_ms: i64,
    ) -> Result<Vec<WaitingConversation>, StoreError> {
        let rows = sqlx::query(
            "SELECT c.address, c.reply_route, c.updated_at, \
               (SELECT m.event_id FROM messages m \
                WHERE m.conversation_id = c.id AND m.direction = 'in' AND m.event_id IS NOT NULL \
                ORDER BY m.id DESC LIMIT 1) AS last_event_id \
             FROM conversations c \
             WHERE c.channel = $1 AND c.finished = 0 AND c.updated_at >= $2 \
             ORDER BY c.updated_at, c.id",
        )
        .bind(channel)
        .bind(since_ms)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let route: Option<String> = row.try_get("reply_route")?;
                let reply_context = route
                    .as_deref()
                    .map(serde_json::from_str::<serde_json::Value>)
                    .transpose()
                    .map_err(|error| StoreError::Corrupt(error.to_string()))?
                    .and_then(|route| route.get("context").cloned());
                Ok(WaitingConversation {
                    address: row.try_get("address")?,
                    reply_context,
                    last_event_id: row.try_get("last_event_id")?,
                    updated_at: row.try_get("updated_at")?,
                })
            })
            .collect()
    }
}
