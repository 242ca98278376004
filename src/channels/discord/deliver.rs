//! Purpose: the outbox worker's Discord side — one attempt at posting a queued reply (in the
//! prospect's DM or thread, opening either first) or a hand-off embed (in the rep's DM or the
//! sales channel), and what the answer means for retrying. A message to a prospect is never
//! posted twice: each carries a nonce Discord enforces, and an attempt whose fate is unknown is
//! retried only while that nonce is remembered. Order within a conversation is the worker's
//! business (`delivery`); rate limits are the REST client's (`rest`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use serenity::all::{ChannelId, CreateMessage, MessageId, Nonce, UserId};
use serenity::http::{LightMethod, Route};
use sha2::{Digest, Sha256};

use super::render::{self, ReplyContext};
use super::rest::{Rest, RestError, RestReply};
use crate::delivery::{Attempt, Deliver, RetryPolicy};
use crate::notify::{CardRef, HandOffNotice, NoticeEvent};
use crate::outbox::{OutboxItem, OutboxMessage, ProspectReply};

/// Attempts after which a post whose fate is unknown (timeout, 5xx) is no longer retried:
/// their waits add up to well under the few minutes Discord remembers a nonce for.
const UNKNOWN_FATE_ATTEMPTS: i64 = 4;

/// Discord's error code for "a thread has already been created for this message".
const THREAD_ALREADY_CREATED: i64 = 160_004;

/// Posts the Discord outbox items.
#[derive(Debug)]
pub struct DiscordDelivery {
    rest: Arc<Rest>,
    sales_channel: Option<ChannelId>,
    policy: RetryPolicy,
    dm_channels: Mutex<HashMap<UserId, ChannelId>>,
}

/// Why an attempt ended early, already decided as an [`Attempt`].
type Early = Attempt;

impl DiscordDelivery {
    /// A sender over `rest`. A hand-off goes to the rep's DM, else the team's Discord channel
    /// from the reps file, else `sales_channel`.
    pub fn new(rest: Arc<Rest>, sales_channel: Option<ChannelId>, policy: RetryPolicy) -> Self {
        DiscordDelivery {
            rest,
            sales_channel,
            policy,
            dm_channels: Mutex::new(HashMap::new()),
        }
    }

    async fn deliver_reply(&self, item: &OutboxItem, queued: &ProspectReply) -> Attempt {
        let context: ReplyContext = match serde_json::from_value(queued.context.clone()) {
            Ok(context) => context,
            Err(error) => {
                return Attempt::GiveUp {
                    reason: format!("malformed reply context: {error}"),
                };
            }
        };
        if let Some(thread) = &context.open_thread
            && let Err(early) = self.open_thread(item, thread).await
        {
            return early;
        }
        let channel = match (context.channel_id, context.user_id) {
            (Some(channel), _) => channel,
            (None, Some(user)) => match self.dm_channel(item, user).await {
                Ok(channel) => channel,
                Err(early) => return early,
            },
            (None, None) => {
                return Attempt::GiveUp {
                    reason: "reply context names no channel and no user".into(),
                };
            }
        };
        self.post(item, channel, render::reply_message(&queued.reply))
            .await
    }

    async fn deliver_handoff(&self, item: &OutboxItem, notice: &HandOffNotice) -> Attempt {
        let id = |text: &str| text.trim().parse::<u64>().ok().filter(|id| *id > 0);
        if notice.event == NoticeEvent::MeetingBooked
            && let Some(card) = &notice.card
            && let (Some(channel), Some(message)) = (id(&card.channel), id(&card.message))
        {
            return self
                .show_on_card(
                    item,
                    notice,
                    card,
                    ChannelId::new(channel),
                    MessageId::new(message),
                )
                .await;
        }
        let rep_user = notice
            .rep
            .as_ref()
            .and_then(|rep| rep.discord_user.as_deref())
            .and_then(id)
            .map(UserId::new);
        let team_channel = notice
            .team_channel
            .as_ref()
            .and_then(|team| team.discord_channel.as_deref())
            .and_then(id)
            .map(ChannelId::new);
        let channel = match (rep_user, team_channel.or(self.sales_channel)) {
            (Some(user), _) => match self.dm_channel(item, user).await {
                Ok(channel) => channel,
                Err(early) => return early,
            },
            (None, Some(channel)) => channel,
            (None, None) => {
                return Attempt::GiveUp {
                    reason:
                        "no rep Discord user, team Discord channel or LEADBOT_DISCORD_SALES_CHANNEL"
                            .into(),
                };
            }
        };
        self.post(item, channel, render::handoff_message(notice))
            .await
    }

    /// Adds the meeting to the rep's answered hand-off message (its text as it was, then the
    /// meeting); an edit is safe to repeat.
    async fn show_on_card(
        &self,
        item: &OutboxItem,
        notice: &HandOffNotice,
        card: &CardRef,
        channel: ChannelId,
        message: MessageId,
    ) -> Attempt {
        let line = render::clip(
            &format!("📅 {}", notice.note.as_deref().unwrap_or("Meeting booked")),
            200,
        );
        let content = render::clip(&format!("{}\n{line}", card.shown), 2000);
        let answer = self
            .rest
            .call(
                LightMethod::Patch,
                Route::ChannelMessage {
                    channel_id: channel,
                    message_id: message,
                },
                Some(&json!({ "content": content })),
                Some(&format!("channel:{channel}")),
            )
            .await;
        match answer {
            Ok(reply) if reply.is_success() => Attempt::Delivered,
            other => self.repeatable(item, "editing the hand-off message", other),
        }
    }

    /// Opens (or finds already open) the prospect's thread; safe to repeat.
    async fn open_thread(
        &self,
        item: &OutboxItem,
        thread: &render::ThreadStart,
    ) -> Result<(), Early> {
        let body =
            json!({ "name": render::clip(&thread.name, 100), "auto_archive_duration": 1440 });
        let answer = self
            .rest
            .call(
                LightMethod::Post,
                Route::ChannelMessageThreads {
                    channel_id: thread.parent,
                    message_id: thread.message,
                },
                Some(&body),
                Some(&format!("channel:{}", thread.parent)),
            )
            .await;
        match answer {
            Ok(reply)
                if reply.is_success() || reply.error_code() == Some(THREAD_ALREADY_CREATED) =>
            {
                Ok(())
            }
            other => Err(self.repeatable(item, "opening the thread", other)),
        }
    }

    /// The DM channel with `user`, opened if needed; safe to repeat.
    async fn dm_channel(&self, item: &OutboxItem, user: UserId) -> Result<ChannelId, Early> {
        if let Some(channel) = self.known_dm(user) {
            return Ok(channel);
        }
        let answer = self
            .rest
            .call(
                LightMethod::Post,
                Route::UserMeDmChannels,
                Some(&json!({ "recipient_id": user.to_string() })),
                Some("dm-open"),
            )
            .await;
        let channel = match &answer {
            Ok(reply) if reply.is_success() => reply
                .body
                .get("id")
                .and_then(|id| id.as_str())
                .and_then(|id| id.parse::<u64>().ok())
                .filter(|id| *id > 0)
                .map(ChannelId::new),
            _ => None,
        };
        match channel {
            Some(channel) => {
                self.dm_channels
                    .lock()
                    .unwrap_or_else(|poison| poison.into_inner())
                    .insert(user, channel);
                Ok(channel)
            }
            None if matches!(&answer, Ok(reply) if reply.is_success()) => Err(Attempt::GiveUp {
                reason: "opening the DM: no channel id in the answer".into(),
            }),
            None => Err(self.repeatable(item, "opening the DM", answer)),
        }
    }

    fn known_dm(&self, user: UserId) -> Option<ChannelId> {
        self.dm_channels
            .lock()
            .unwrap_or_else(|poison| poison.into_inner())
            .get(&user)
            .copied()
    }

    /// Posts a message with the item's nonce, which Discord enforces: a repeat within minutes
    /// returns the first message instead of posting a second.
    async fn post(&self, item: &OutboxItem, channel: ChannelId, message: CreateMessage) -> Attempt {
        let message = message
            .nonce(Nonce::String(nonce(&item.idempotency_key)))
            .enforce_nonce(true);
        let answer = self
            .rest
            .call(
                LightMethod::Post,
                Route::ChannelMessages {
                    channel_id: channel,
                },
                Some(&message),
                Some(&format!("channel:{channel}")),
            )
            .await;
        match answer {
            Ok(reply) if reply.is_success() => Attempt::Delivered,
            Ok(reply) if reply.status == 429 => self.rate_limited(&reply),
            Ok(reply) if reply.status >= 500 => {
                self.unknown_fate(item, format!("HTTP {}", reply.status))
            }
            Ok(reply) => Attempt::GiveUp {
                reason: refused("posting", &reply),
            },
            Err(RestError::Limited(wait)) => Attempt::RateLimited {
                after: wait,
                reason: "rate limited".into(),
            },
            Err(error @ RestError::NotSent(_)) => Attempt::Retry {
                after: Some(self.policy.backoff(item.attempts)),
                reason: error.to_string(),
            },
            Err(error @ RestError::NoAnswer(_)) => self.unknown_fate(item, error.to_string()),
        }
    }

    /// The answer to a step that is safe to repeat (opening a DM or thread).
    fn repeatable(
        &self,
        item: &OutboxItem,
        what: &str,
        answer: Result<RestReply, RestError>,
    ) -> Attempt {
        let backoff = self.policy.backoff(item.attempts);
        match answer {
            Ok(reply) if reply.status == 429 => self.rate_limited(&reply),
            Ok(reply) if reply.status >= 500 => Attempt::Retry {
                after: Some(backoff),
                reason: format!("{what}: HTTP {}", reply.status),
            },
            Ok(reply) => Attempt::GiveUp {
                reason: refused(what, &reply),
            },
            Err(RestError::Limited(wait)) => Attempt::RateLimited {
                after: wait,
                reason: format!("{what}: rate limited"),
            },
            Err(error) => Attempt::Retry {
                after: Some(backoff),
                reason: format!("{what}: {error}"),
            },
        }
    }

    fn rate_limited(&self, reply: &RestReply) -> Attempt {
        Attempt::RateLimited {
            after: reply.retry_after.unwrap_or(Duration::from_secs(1)),
            reason: "HTTP 429".into(),
        }
    }

    /// Discord may or may not have posted it: retry while the nonce protects a repeat.
    fn unknown_fate(&self, item: &OutboxItem, reason: String) -> Attempt {
        if item.attempts < UNKNOWN_FATE_ATTEMPTS {
            Attempt::Retry {
                after: Some(self.policy.backoff(item.attempts)),
                reason,
            }
        } else {
            Attempt::GiveUp {
                reason: format!("{reason}; not retried further: it may have been posted"),
            }
        }
    }
}

impl Deliver for DiscordDelivery {
    async fn deliver(&self, item: &OutboxItem) -> Attempt {
        match &item.message {
            OutboxMessage::Reply(reply) => self.deliver_reply(item, reply).await,
            OutboxMessage::HandOff(notice) => self.deliver_handoff(item, notice).await,
            other => Attempt::GiveUp {
                reason: format!("Discord cannot deliver {:?} items", other.kind()),
            },
        }
    }
}

/// Discord's refusal, for the outbox row: status, code and message (no request details).
fn refused(what: &str, reply: &RestReply) -> String {
    let message = reply
        .body
        .get("message")
        .and_then(|message| message.as_str())
        .unwrap_or("");
    match reply.error_code() {
        Some(code) => format!("{what}: HTTP {} (code {code}) {message}", reply.status),
        None => format!("{what}: HTTP {} {message}", reply.status),
    }
}

/// A message nonce (at most 25 characters) derived from the outbox item's idempotency key, so
/// every attempt at one item carries the same nonce.
pub fn nonce(idempotency_key: &str) -> String {
    let digest = hex::encode(Sha256::digest(idempotency_key.as_bytes()));
    format!("lb{}", &digest[..23])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_fit_and_are_stable_per_item() {
        let first = nonce("reply:discord:1:discord:message:9:0");
        assert_eq!(first.len(), 25);
        assert_eq!(first, nonce("reply:discord:1:discord:message:9:0"));
        assert_ne!(first, nonce("reply:discord:1:discord:message:9:1"));
    }
}
