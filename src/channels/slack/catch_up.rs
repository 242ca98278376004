//! Purpose: messages a prospect sent while no leadbot process was running. Slack retries an
//! unacknowledged event for about six minutes and then drops it (and Socket Mode keeps no
//! backlog for a disconnected app), though the message stays in the conversation. So when the
//! Slack channel starts, each unfinished Slack conversation that changed recently has its DM or
//! thread read after the last message stored from it (`conversations.history` /
//! `conversations.replies`), oldest first, and each of the prospect's messages is handled as
//! if its event had arrived — under the same event id, so one already processed (an event
//! delivered late, another replica catching up too) is not answered twice.

use std::sync::Arc;

use serde_json::json;

use super::address::{self, ReplyContext};
use super::inbound::{self, EventAction};
use super::web::{CallError, PastMessage};
use super::{DESTINATION, SlackApp};
use crate::runtime::WaitingConversation;

/// Conversations idle longer than this are not caught up: a prospect who wrote a week ago and
/// got no answer is better served by a rep than by the script resuming.
pub const CATCH_UP_WINDOW_DAYS: i64 = 7;

/// The longest wait for Slack's `Retry-After` on a history call; longer, and the conversation
/// is left for the next start.
const MAX_RATE_LIMIT_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

/// Where a conversation's missed messages are read, and whose they are.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Reading {
    /// The DM or channel.
    channel: Option<String>,
    /// The thread, for a conversation in a channel thread.
    thread_ts: Option<String>,
    /// The prospect.
    user: String,
}

/// Where `conversation` is read: its thread, or its DM (the channel id stored with its replies'
/// route; `None` when not stored, and the DM is then opened by user).
fn reading(conversation: &WaitingConversation) -> Option<Reading> {
    let user = address::user_of(&conversation.address)?.to_string();
    let mut parts = conversation.address.splitn(4, ':');
    match parts.next()? {
        "thread" => Some(Reading {
            channel: Some(parts.next()?.to_string()),
            thread_ts: Some(parts.next()?.to_string()),
            user,
        }),
        "dm" => {
            let context: Option<ReplyContext> = conversation
                .reply_context
                .clone()
                .and_then(|context| serde_json::from_value(context).ok());
            Some(Reading {
                channel: context.and_then(|context| context.channel),
                thread_ts: None,
                user,
            })
        }
        _ => None,
    }
}

/// The ts after which the conversation's messages were not seen: that of the last message
/// stored from the prospect (`slack:msg:<channel>:<ts>`), or its last change.
fn last_seen(conversation: &WaitingConversation) -> String {
    conversation
        .last_event_id
        .as_deref()
        .and_then(|event| event.strip_prefix("slack:msg:"))
        .and_then(|rest| rest.rsplit_once(':'))
        .map(|(_, ts)| ts.to_string())
        .unwrap_or_else(|| {
            let ms = conversation.updated_at;
            format!("{}.{:06}", ms.div_euclid(1000), ms.rem_euclid(1000) * 1000)
        })
}

/// The event Slack would have sent for `message`, read by the same parser as a real one.
fn as_event(reading: &Reading, channel: &str, message: &PastMessage) -> serde_json::Value {
    let mut event = json!({
        "type": "message",
        "channel": channel,
        "channel_type": if reading.thread_ts.is_some() { "channel" } else { "im" },
        "user": message.user,
        "text": message.text,
        "ts": message.ts,
    });
    if let Some(thread_ts) = &message.thread_ts {
        event["thread_ts"] = json!(thread_ts);
    }
    json!({ "type": "event_callback", "event": event })
}

/// Whether `message` is one the prospect typed in this conversation: theirs, not an edit or a
/// bot's post, and in the DM itself or the conversation's thread (a rep's thread under a DM
/// message is not the prospect's).
fn is_prospects(reading: &Reading, message: &PastMessage) -> bool {
    if message.special || message.user.as_deref() != Some(reading.user.as_str()) {
        return false;
    }
    match &reading.thread_ts {
        Some(thread) => message.ts != *thread,
        None => message
            .thread_ts
            .as_ref()
            .is_none_or(|thread| *thread == message.ts),
    }
}

impl SlackApp {
    /// Reads and handles what each waiting Slack conversation missed; returns how many
    /// messages were handled. Failures are logged; the next start tries again.
    pub async fn catch_up(self: Arc<Self>, now_ms: i64) -> usize {
        let since = now_ms - CATCH_UP_WINDOW_DAYS * 24 * 3600 * 1000;
        let waiting = match self.runtime.waiting_conversations(DESTINATION, since).await {
            Ok(waiting) => waiting,
            Err(error) => {
                tracing::error!(%error, "cannot list the Slack conversations to catch up");
                return 0;
            }
        };
        let mut handled = 0;
        for conversation in &waiting {
            let Some(reading) = reading(conversation) else {
                continue;
            };
            handled += self.catch_up_one(&reading, &last_seen(conversation)).await;
        }
        if handled > 0 {
            tracing::info!(
                conversations = waiting.len(),
                messages = handled,
                "caught up on Slack messages sent while leadbot was away"
            );
        }
        handled
    }

    async fn catch_up_one(&self, reading: &Reading, oldest: &str) -> usize {
        let channel = match &reading.channel {
            Some(channel) => channel.clone(),
            None => match self.web.open_direct(&reading.user).await {
                Ok(channel) => channel,
                Err(error) => {
                    tracing::warn!(%error, "cannot open a prospect's DM to catch up");
                    return 0;
                }
            },
        };
        let mut attempt = self
            .web
            .history_after(&channel, reading.thread_ts.as_deref(), oldest)
            .await;
        if let Err(CallError::RateLimited { retry_after }) = &attempt {
            let wait = retry_after.unwrap_or(MAX_RATE_LIMIT_WAIT);
            if wait <= MAX_RATE_LIMIT_WAIT {
                tokio::time::sleep(wait).await;
                attempt = self
                    .web
                    .history_after(&channel, reading.thread_ts.as_deref(), oldest)
                    .await;
            }
        }
        let messages = match attempt {
            Ok(messages) => messages,
            Err(error) => {
                tracing::warn!(%error, %channel, "cannot read a Slack conversation to catch up");
                return 0;
            }
        };
        let mut handled = 0;
        for message in messages.iter().filter(|m| is_prospects(reading, m)) {
            let body = as_event(reading, &channel, message).to_string();
            let Ok(EventAction::Turn(turn)) =
                inbound::event(body.as_bytes(), self.config.mention_mode)
            else {
                continue;
            };
            if let Err(error) = self.run_turn(*turn).await {
                tracing::error!(%error, %channel, "a caught-up Slack message was not stored; the next start tries again");
                break;
            }
            handled += 1;
        }
        handled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waiting(
        address: &str,
        context: Option<serde_json::Value>,
        last: Option<&str>,
    ) -> WaitingConversation {
        WaitingConversation {
            address: address.into(),
            reply_context: context,
            last_event_id: last.map(str::to_string),
            updated_at: 1_767_225_600_123,
        }
    }

    fn message(user: &str, ts: &str, thread_ts: Option<&str>) -> PastMessage {
        PastMessage {
            ts: ts.into(),
            user: Some(user.into()),
            text: "hi".into(),
            thread_ts: thread_ts.map(str::to_string),
            special: false,
        }
    }

    #[test]
    fn a_dm_is_read_in_its_channel_after_the_last_stored_message() {
        let dm = waiting(
            "dm:U1",
            Some(json!({"channel": "D1"})),
            Some("slack:msg:D1:1767225600.000200"),
        );
        assert_eq!(
            reading(&dm),
            Some(Reading {
                channel: Some("D1".into()),
                thread_ts: None,
                user: "U1".into()
            })
        );
        assert_eq!(last_seen(&dm), "1767225600.000200");
        let started_by_command = waiting("dm:U2", Some(json!({"user": "U2"})), None);
        assert_eq!(reading(&started_by_command).and_then(|r| r.channel), None);
        assert_eq!(last_seen(&started_by_command), "1767225600.123000");
    }

    #[test]
    fn a_thread_is_read_in_its_thread() {
        let thread = waiting("thread:C1:1767225600.000100:U1", None, None);
        assert_eq!(
            reading(&thread),
            Some(Reading {
                channel: Some("C1".into()),
                thread_ts: Some("1767225600.000100".into()),
                user: "U1".into()
            })
        );
    }

    #[test]
    fn only_what_the_prospect_typed_in_the_conversation_is_handled() {
        let dm = Reading {
            channel: Some("D1".into()),
            thread_ts: None,
            user: "U1".into(),
        };
        assert!(is_prospects(&dm, &message("U1", "2.0", None)));
        assert!(
            !is_prospects(&dm, &message("U2", "2.0", None)),
            "someone else"
        );
        assert!(
            !is_prospects(&dm, &message("U1", "3.0", Some("2.0"))),
            "a thread under a DM message is a rep's"
        );
        let mut edited = message("U1", "2.0", None);
        edited.special = true;
        assert!(!is_prospects(&dm, &edited));
        let thread = Reading {
            channel: Some("C1".into()),
            thread_ts: Some("1.0".into()),
            user: "U1".into(),
        };
        assert!(is_prospects(&thread, &message("U1", "2.0", Some("1.0"))));
        assert!(
            !is_prospects(&thread, &message("U1", "1.0", Some("1.0"))),
            "the parent started the conversation and was handled then"
        );
    }
}
