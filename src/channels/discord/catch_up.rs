//! Purpose: messages a prospect sent while no leadbot process was connected. Discord replays
//! missed events only to a session that RESUMEs; after a fresh IDENTIFY (a restart, an
//! expired session) they are gone from the gateway, though still in the channel. So on every
//! READY, each unfinished Discord conversation that changed recently has its channel read
//! after the last message stored from it, oldest first, and each message is handled as if the
//! gateway had delivered it — deduplicated by the same event ids, so one that was processed
//! already is not answered twice.

use serenity::all::{ChannelId, Message};
use serenity::http::Route;

use super::gateway::Gateway;
use super::ids::{self, ProspectAddress};
use super::inbound;
use super::render::ReplyContext;
use crate::runtime::WaitingConversation;

/// Conversations idle longer than this are not caught up: a prospect who wrote a week ago
/// and got no answer is better served by a rep than by the script resuming.
pub const CATCH_UP_WINDOW_DAYS: i64 = 7;

/// Messages per page (Discord's maximum), and pages per conversation.
const PAGE_SIZE: usize = 100;
const MAX_PAGES: usize = 5;

/// Reads and handles what each waiting conversation missed; returns how many messages were
/// handed to the gateway.
pub async fn catch_up(gateway: &Gateway, now_ms: i64) -> usize {
    let since = now_ms - CATCH_UP_WINDOW_DAYS * 24 * 3600 * 1000;
    let waiting = match gateway
        .runtime()
        .waiting_conversations(ids::CHANNEL, since)
        .await
    {
        Ok(waiting) => waiting,
        Err(error) => {
            tracing::error!(%error, "cannot list the Discord conversations to catch up");
            return 0;
        }
    };
    let mut handled = 0;
    for conversation in &waiting {
        let Some(channel) = reading_channel(conversation) else {
            continue;
        };
        let mut after = last_seen(conversation);
        for _ in 0..MAX_PAGES {
            let page = match missed(gateway, channel, after).await {
                Some(page) => page,
                None => break,
            };
            let full = page.len() == PAGE_SIZE;
            for message in &page {
                after = after.max(message.id.get());
                gateway.on_message(message).await;
                handled += 1;
            }
            if !full {
                break;
            }
        }
    }
    if handled > 0 {
        tracing::info!(
            conversations = waiting.len(),
            messages = handled,
            "caught up on Discord messages sent while leadbot was away"
        );
    }
    handled
}

/// Where the conversation's messages are read: its thread, or the DM channel its replies go to.
fn reading_channel(conversation: &WaitingConversation) -> Option<ChannelId> {
    match ProspectAddress::parse(&conversation.address)? {
        ProspectAddress::Thread { thread, .. } => Some(thread),
        ProspectAddress::Dm { .. } => {
            let context: ReplyContext =
                serde_json::from_value(conversation.reply_context.clone()?).ok()?;
            context.channel_id
        }
    }
}

/// The id after which messages were not seen: the last stored message from the prospect, or
/// (none stored yet) the conversation's last change.
fn last_seen(conversation: &WaitingConversation) -> u64 {
    conversation
        .last_event_id
        .as_deref()
        .and_then(ids::message_of_event)
        .unwrap_or_else(|| inbound::snowflake_at(conversation.updated_at))
}

/// One page of `channel`'s messages after `after`, oldest first; `None` when Discord did not
/// answer with one.
async fn missed(gateway: &Gateway, channel: ChannelId, after: u64) -> Option<Vec<Message>> {
    let reply = gateway
        .rest()
        .get(
            Route::ChannelMessages {
                channel_id: channel,
            },
            vec![
                ("after", after.to_string()),
                ("limit", PAGE_SIZE.to_string()),
            ],
            Some("messages"),
        )
        .await;
    let reply = match reply {
        Ok(reply) if reply.is_success() => reply,
        Ok(reply) => {
            tracing::warn!(status = reply.status, %channel, "cannot read a channel to catch up");
            return None;
        }
        Err(error) => {
            tracing::warn!(%error, %channel, "cannot read a channel to catch up");
            return None;
        }
    };
    let mut messages: Vec<Message> = match serde_json::from_value(reply.body) {
        Ok(messages) => messages,
        Err(error) => {
            tracing::warn!(%error, %channel, "unreadable messages from Discord");
            return None;
        }
    };
    messages.sort_by_key(|message| message.id);
    Some(messages)
}
