//! Purpose: what a takeover (a rep answering a prospect who asked for a person) reads from the
//! database — the conversation so far for the rep's notice, and which conversation of a lead
//! the rep's words go to.

use sqlx::Row;

use super::{Store, StoreError, TurnTx};
use crate::conversation::ConversationKey;

/// The most lines of the conversation a takeover notice carries (the latest ones).
pub const TRANSCRIPT_LINES: i64 = 40;

impl TurnTx {
    /// The latest [`TRANSCRIPT_LINES`] messages of a conversation, oldest first, as
    /// "prospect: …" / "bot: …" lines.
    pub async fn transcript_lines(
        &mut self,
        conversation_id: i64,
    ) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT direction, body FROM messages WHERE conversation_id = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(conversation_id)
        .bind(TRANSCRIPT_LINES)
        .fetch_all(self.connection().await?)
        .await?;
        let mut lines = rows
            .iter()
            .map(|row| {
                let direction: String = row.try_get("direction")?;
                let body: String = row.try_get("body")?;
                let who = if direction == "in" { "prospect" } else { "bot" };
                Ok(format!("{who}: {}", body.replace('\n', " ")))
            })
            .collect::<Result<Vec<String>, StoreError>>()?;
        lines.reverse();
        Ok(lines)
    }
}

impl Store {
    /// The lead's most recently active conversation (where a rep's words go), following a
    /// lead merged into another to that one; `None` for an unknown lead.
    pub async fn latest_conversation_of(
        &self,
        lead_id: i64,
    ) -> Result<Option<ConversationKey>, StoreError> {
        let row = sqlx::query(
            "SELECT c.channel, c.address FROM conversations c \
             WHERE c.lead_id = (SELECT COALESCE(merged_into, id) FROM leads WHERE id = $1) \
             ORDER BY c.updated_at DESC, c.id DESC LIMIT 1",
        )
        .bind(lead_id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            Ok(ConversationKey {
                channel: row.try_get("channel")?,
                address: row.try_get("address")?,
            })
        })
        .transpose()
    }
}

impl Store {
    /// The lead of the rep's latest takeover (a prospect who asked for a person and was
    /// routed to them), where a rep's reply in a Slack thread goes.
    pub async fn latest_takeover_of(&self, rep_id: &str) -> Result<Option<i64>, StoreError> {
        let rows = sqlx::query(
            "SELECT lead_id, notice FROM assignments WHERE rep_id = $1 ORDER BY id DESC LIMIT 50",
        )
        .bind(rep_id)
        .fetch_all(self.pool())
        .await?;
        for row in rows {
            let notice: String = row.try_get("notice")?;
            let is_takeover = serde_json::from_str::<serde_json::Value>(&notice)
                .is_ok_and(|notice| notice.get("takeover").is_some_and(|lines| !lines.is_null()));
            if is_takeover {
                return Ok(Some(row.try_get("lead_id")?));
            }
        }
        Ok(None)
    }
}
