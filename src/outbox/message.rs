//! Purpose: the one wire type of the outbox. Each variant is stored as a `kind` and a JSON
//! payload (the variant's body, so webhook receivers get the same JSON they always did), and
//! every deliverer reads it back as this enum.

use serde::{Deserialize, Serialize};

use crate::engine::Reply;
use crate::notify::HandOffNotice;

/// What the outbox carries.
#[derive(Debug, Clone, PartialEq)]
pub enum OutboxMessage {
    /// A reply for a prospect, sent on the channel they talk on (kind `reply`).
    Reply(ProspectReply),
    /// A message for a prospect on a channel leadbot cannot write to (the message API): the
    /// CRM feed gets it to relay (kind `prospect_message`).
    RelayToProspect(ProspectReply),
    /// A hand-off notice for a rep, the fallback team or the CRM (kind `handoff`).
    HandOff(Box<HandOffNotice>),
}

/// A message for a prospect, with where it goes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProspectReply {
    /// The conversation.
    pub conversation_id: i64,
    /// Its lead.
    pub lead_id: i64,
    /// The conversation's channel ("slack", "discord", "web"...).
    pub channel: String,
    /// Its address on that channel.
    pub address: String,
    /// What the channel needs to send it (a thread, a message to update after a click): the
    /// channel's own shape, written by its inbound side and read by its deliverer.
    #[serde(default)]
    pub context: serde_json::Value,
    /// Its place among the replies of its turn.
    pub index: u32,
    /// What to say.
    pub reply: Reply,
}

impl OutboxMessage {
    /// The `kind` column of its row.
    pub fn kind(&self) -> &'static str {
        match self {
            OutboxMessage::Reply(_) => "reply",
            OutboxMessage::RelayToProspect(_) => "prospect_message",
            OutboxMessage::HandOff(_) => "handoff",
        }
    }

    /// The `payload` column of its row: the variant's body as JSON.
    pub fn payload(&self) -> Result<serde_json::Value, serde_json::Error> {
        match self {
            OutboxMessage::Reply(reply) | OutboxMessage::RelayToProspect(reply) => {
                serde_json::to_value(reply)
            }
            OutboxMessage::HandOff(notice) => serde_json::to_value(notice),
        }
    }

    /// Reads a row's `kind` and `payload` back.
    pub fn from_row(kind: &str, payload: &str) -> Result<Self, String> {
        let read = match kind {
            "reply" => serde_json::from_str(payload).map(OutboxMessage::Reply),
            "prospect_message" => serde_json::from_str(payload).map(OutboxMessage::RelayToProspect),
            "handoff" => {
                serde_json::from_str(payload).map(|notice| OutboxMessage::HandOff(Box::new(notice)))
            }
            other => return Err(format!("unknown outbox kind {other:?}")),
        };
        read.map_err(|error| format!("{kind} payload: {error}"))
    }

    /// The hand-off notice, if this is one.
    pub fn as_handoff(&self) -> Option<&HandOffNotice> {
        match self {
            OutboxMessage::HandOff(notice) => Some(notice),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_row_of_an_earlier_version_still_reads() {
        let stored = r#"{"conversation_id": 4, "lead_id": 3, "channel": "slack", "address": "dm:U1",
            "context": {"user": "U1"}, "index": 0, "reply": {"text": "Hi", "step": null}}"#;
        let message = OutboxMessage::from_row("reply", stored).unwrap();
        let OutboxMessage::Reply(reply) = &message else {
            panic!("not a reply: {message:?}");
        };
        assert_eq!(reply.reply.text, "Hi");
        assert!(reply.reply.choices.is_empty());
        let again = OutboxMessage::from_row("reply", &message.payload().unwrap().to_string());
        assert_eq!(again, Ok(message));
        assert!(OutboxMessage::from_row("fax", "{}").is_err());
        assert!(OutboxMessage::from_row("handoff", "{}").is_err());
    }
}
