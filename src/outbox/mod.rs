//! Purpose: what leaves the process, as the outbox carries it. A turn (or a rep's answer, or a
//! timer) queues [`OutboxMessage`]s in the same transaction as the state change that caused
//! them; a worker per destination claims them and hands each to its deliverer, which reads the
//! same typed message. Messages with the same ordering key are delivered one after the other,
//! in queue order (see `delivery`); the idempotency key keeps an item from being queued twice.

mod message;
mod wake;

pub use message::{OutboxMessage, ProspectReply};
pub use wake::OutboxWake;

/// An item to queue in the same transaction as a turn.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOutboxItem {
    /// Where it goes: "slack", "discord", "email", "webhook", "webhook:<rep>", "console"...
    pub destination: String,
    /// Queued at most once per key.
    pub idempotency_key: String,
    /// Items with the same key (of one destination) are delivered in queue order, a later
    /// one never before an earlier one is delivered or given up: a conversation's replies, a
    /// lead's notices.
    pub ordering_key: Option<String>,
    /// What to deliver.
    pub message: OutboxMessage,
}

/// A claimed item, leased to one worker until delivered, failed, or the lease runs out.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxItem {
    /// Row id.
    pub id: i64,
    /// Where it goes.
    pub destination: String,
    /// The key receivers can deduplicate on.
    pub idempotency_key: String,
    /// See [`NewOutboxItem::ordering_key`].
    pub ordering_key: Option<String>,
    /// What to deliver.
    pub message: OutboxMessage,
    /// Delivery attempts so far, this one included.
    pub attempts: i64,
}

impl OutboxItem {
    /// Its kind, as stored ("reply", "handoff", "prospect_message").
    pub fn kind(&self) -> &'static str {
        self.message.kind()
    }

    /// Its body as JSON, as a webhook receiver gets it (`null` if it cannot be written).
    pub fn payload(&self) -> serde_json::Value {
        self.message.payload().unwrap_or_default()
    }
}

/// The ordering key of a conversation's messages to its prospect.
pub fn conversation_order(conversation_id: i64) -> String {
    format!("conversation:{conversation_id}")
}

/// The ordering key of a lead's hand-off notices (per destination: a rep sees "assigned"
/// before "withdrawn").
pub fn lead_order(lead_id: i64) -> String {
    format!("lead:{lead_id}")
}
