//! Purpose: the Slack outbox worker's one attempt per item — a reply to a prospect (after
//! rewriting a clicked question) or a hand-off notice to a rep — and what each failure means
//! for retrying. A post is retried only when Slack surely did not take it. Order within a
//! conversation is the worker's business (`delivery`); here, a channel Slack rate-limited is
//! left alone until its `Retry-After` has passed.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::address::ReplyContext;
use super::blocks;
use super::web::{CallError, SlackWeb};
use crate::delivery::{Attempt, Deliver};
use crate::notify::{HandOffNotice, NoticeEvent};
use crate::outbox::{OutboxItem, OutboxMessage, OutboxWake, ProspectReply};

/// Delivers outbox items of destination `slack`.
#[derive(Debug)]
pub struct SlackDelivery {
    web: SlackWeb,
    wake: OutboxWake,
    /// Channels (or users) Slack answered 429 for, until when: nothing is sent there before.
    rate_limited: Mutex<HashMap<String, Instant>>,
}

impl SlackDelivery {
    /// A deliverer over `web`; `wake` is notified when a rate limit's wait is over.
    pub fn new(web: SlackWeb, wake: OutboxWake) -> Self {
        SlackDelivery {
            web,
            wake,
            rate_limited: Mutex::new(HashMap::new()),
        }
    }

    async fn reply(&self, queued: &ProspectReply) -> Attempt {
        let context: ReplyContext = match serde_json::from_value(queued.context.clone()) {
            Ok(context) => context,
            Err(error) => return give_up(format!("unreadable reply context: {error}")),
        };
        let Some(target) = context.channel.as_deref().or(context.user.as_deref()) else {
            return give_up("a reply with neither channel nor user".into());
        };
        if let Some(attempt) = self.still_limited(target) {
            return attempt;
        }
        if queued.index == 0
            && let Some(clicked) = &context.clicked
        {
            match self
                .web
                .update(&clicked.channel, &clicked.ts, blocks::answered(clicked))
                .await
            {
                Ok(()) => {}
                Err(CallError::Refused(reason)) => {
                    tracing::warn!(%reason, "could not mark the clicked question");
                }
                // An update is safe to repeat: retry the whole item.
                Err(error) => return self.failed(target, error, true),
            }
        }
        let channel = match (&context.channel, &context.user) {
            (Some(channel), _) => channel.clone(),
            (None, Some(user)) => match self.web.open_direct(user).await {
                Ok(channel) => channel,
                Err(error) => return self.failed(target, error, true),
            },
            (None, None) => return give_up("a reply with neither channel nor user".into()),
        };
        match self
            .web
            .post(
                &channel,
                context.thread_ts.as_deref(),
                blocks::reply(&queued.reply),
            )
            .await
        {
            Ok(_) => Attempt::Delivered,
            Err(error) => self.failed(target, error, false),
        }
    }

    async fn handoff(&self, notice: &HandOffNotice) -> Attempt {
        if notice.event == NoticeEvent::MeetingBooked
            && let Some(card) = &notice.card
            && let Some(content) = blocks::card_with_line(
                &card.shown,
                &format!("📅 {}", notice.note.as_deref().unwrap_or("Meeting booked")),
            )
        {
            // The rep's card shows the meeting; an update is safe to repeat.
            if let Some(attempt) = self.still_limited(&card.channel) {
                return attempt;
            }
            return match self.web.update(&card.channel, &card.message, content).await {
                Ok(()) => Attempt::Delivered,
                Err(error) => self.failed(&card.channel, error, true),
            };
        }
        // The rep's DM; for a lead nobody could take, the fallback team's channel.
        let rep_user = notice.rep.as_ref().and_then(|rep| rep.slack_user.clone());
        let team_channel = notice
            .team_channel
            .as_ref()
            .and_then(|team| team.slack_channel.clone());
        let Some(target) = rep_user.clone().or(team_channel.clone()) else {
            return give_up("the notice names no Slack user or channel".into());
        };
        if let Some(attempt) = self.still_limited(&target) {
            return attempt;
        }
        let channel = match (rep_user, team_channel) {
            (Some(user), _) => match self.web.open_direct(&user).await {
                Ok(channel) => channel,
                Err(error) => return self.failed(&target, error, true),
            },
            (None, Some(channel)) => channel,
            (None, None) => return give_up("the notice names no Slack user or channel".into()),
        };
        match self.web.post(&channel, None, blocks::notice(notice)).await {
            Ok(_) => Attempt::Delivered,
            Err(error) => self.failed(&target, error, false),
        }
    }

    /// A retry for an item whose channel is waiting out a rate limit.
    fn still_limited(&self, target: &str) -> Option<Attempt> {
        let mut limited = self
            .rate_limited
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        limited.retain(|_, until| *until > now);
        limited.get(target).map(|until| Attempt::RateLimited {
            after: until.saturating_duration_since(now),
            reason: "Slack rate-limited this channel (429)".into(),
        })
    }

    fn limit(&self, target: &str, wait: Duration) {
        let mut limited = self
            .rate_limited
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        limited.insert(target.to_string(), Instant::now() + wait);
    }

    /// What a failed call means: `repeatable` calls (update, open) are retried whenever Slack
    /// might not have acted; a post only when it surely did not.
    fn failed(&self, target: &str, error: CallError, repeatable: bool) -> Attempt {
        match error {
            CallError::RateLimited { retry_after } => {
                let wait = retry_after.unwrap_or(Duration::from_secs(1));
                self.limit(target, wait);
                let wake = self.wake.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(wait).await;
                    wake.notify();
                });
                Attempt::RateLimited {
                    after: wait,
                    reason: "rate limited by Slack (429)".into(),
                }
            }
            CallError::NotDone(reason) => Attempt::Retry {
                after: None,
                reason,
            },
            CallError::Unknown(reason) if repeatable => Attempt::Retry {
                after: None,
                reason,
            },
            CallError::Unknown(reason) => give_up(format!(
                "{reason}; not retried, as Slack may have posted it (a repeat could show twice)"
            )),
            CallError::Refused(reason) => give_up(reason),
        }
    }
}

fn give_up(reason: String) -> Attempt {
    Attempt::GiveUp { reason }
}

impl Deliver for SlackDelivery {
    async fn deliver(&self, item: &OutboxItem) -> Attempt {
        match &item.message {
            OutboxMessage::Reply(reply) => self.reply(reply).await,
            OutboxMessage::HandOff(notice) => self.handoff(notice).await,
            other => give_up(format!(
                "the Slack channel does not deliver {:?} items",
                other.kind()
            )),
        }
    }
}
