//! Purpose: the Slack outbox worker's one attempt per item — a reply to a prospect (after
//! rewriting a clicked question) or a hand-off notice to a rep — and what each failure means
//! for retrying. A post is retried only when Slack surely did not take it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Deserialize;

use super::address::ReplyContext;
use super::blocks;
use super::web::{CallError, SlackWeb};
use crate::delivery::{Attempt, Deliver, OutboxWake};
use crate::engine::{Reply, ReplyChoice};
use crate::notify::HandOffNotice;
use crate::store::OutboxItem;

/// After a transient failure, how long the rest of a conversation's queued messages wait, so
/// they do not overtake the one that failed.
const HOLD_AFTER_FAILURE: Duration = Duration::from_secs(1);

/// Delivers outbox items of destination `slack`.
#[derive(Debug)]
pub struct SlackDelivery {
    web: SlackWeb,
    wake: OutboxWake,
    /// Conversations (channel or user id) waiting out a 429 or a failure, until when.
    held: Mutex<HashMap<String, Instant>>,
}

#[derive(Debug, Deserialize)]
struct ReplyItem {
    context: ReplyContext,
    index: u32,
    reply: ReplyBody,
}

#[derive(Debug, Deserialize)]
struct ReplyBody {
    text: String,
    step: Option<String>,
    #[serde(default)]
    choices: Vec<ChoiceBody>,
    #[serde(default)]
    multiple: bool,
}

#[derive(Debug, Deserialize)]
struct ChoiceBody {
    value: String,
    label: String,
}

impl SlackDelivery {
    /// A deliverer over `web`; `wake` is notified when a rate limit's wait is over.
    pub fn new(web: SlackWeb, wake: OutboxWake) -> Self {
        SlackDelivery {
            web,
            wake,
            held: Mutex::new(HashMap::new()),
        }
    }

    async fn reply(&self, item: &OutboxItem) -> Attempt {
        let parsed: ReplyItem = match serde_json::from_value(item.payload.clone()) {
            Ok(parsed) => parsed,
            Err(error) => return give_up(format!("unreadable reply item: {error}")),
        };
        let context = &parsed.context;
        let Some(target) = context.channel.as_deref().or(context.user.as_deref()) else {
            return give_up("a reply with neither channel nor user".into());
        };
        if let Some(attempt) = self.still_held(target) {
            return attempt;
        }
        if parsed.index == 0
            && let Some(clicked) = &context.clicked
        {
            match self
                .web
                .update(&clicked.channel, &clicked.ts, blocks::answered(clicked))
                .await
            {
                Ok(()) => {}
                Err(CallError::Refused(reason)) => {
                    tracing::warn!(item = item.id, %reason, "could not mark the clicked question");
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
        let reply = Reply {
            text: parsed.reply.text,
            step: parsed.reply.step,
            choices: parsed
                .reply
                .choices
                .into_iter()
                .map(|choice| ReplyChoice {
                    value: choice.value,
                    label: choice.label,
                })
                .collect(),
            multiple: parsed.reply.multiple,
        };
        match self
            .web
            .post(
                &channel,
                context.thread_ts.as_deref(),
                blocks::reply(&reply),
            )
            .await
        {
            Ok(_) => Attempt::Delivered,
            Err(error) => self.failed(target, error, false),
        }
    }

    async fn handoff(&self, item: &OutboxItem) -> Attempt {
        let notice: HandOffNotice = match serde_json::from_value(item.payload.clone()) {
            Ok(notice) => notice,
            Err(error) => return give_up(format!("unreadable hand-off notice: {error}")),
        };
        // The rep's DM; for a lead nobody could take, the fallback team's channel.
        let rep_user = notice.rep.as_ref().and_then(|rep| rep.slack_user.clone());
        let team_channel = notice
            .team_channel
            .as_ref()
            .and_then(|team| team.slack_channel.clone());
        let Some(target) = rep_user.clone().or(team_channel.clone()) else {
            return give_up("the notice names no Slack user or channel".into());
        };
        if let Some(attempt) = self.still_held(&target) {
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
        match self.web.post(&channel, None, blocks::notice(&notice)).await {
            Ok(_) => Attempt::Delivered,
            Err(error) => self.failed(&target, error, false),
        }
    }

    /// A retry for an item whose conversation is waiting out a rate limit or a failure.
    fn still_held(&self, target: &str) -> Option<Attempt> {
        let mut held = self
            .held
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let now = Instant::now();
        held.retain(|_, until| *until > now);
        held.get(target).map(|until| Attempt::Retry {
            after: Some(until.saturating_duration_since(now)),
            reason: "waiting behind an earlier message of this conversation".into(),
        })
    }

    fn hold(&self, target: &str, wait: Duration) {
        let mut held = self
            .held
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        held.insert(target.to_string(), Instant::now() + wait);
    }

    /// What a failed call means: `repeatable` calls (update, open) are retried whenever Slack
    /// might not have acted; a post only when it surely did not.
    fn failed(&self, target: &str, error: CallError, repeatable: bool) -> Attempt {
        match error {
            CallError::RateLimited { retry_after } => {
                let wait = retry_after.unwrap_or(Duration::from_secs(1));
                self.hold(target, wait);
                let wake = self.wake.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(wait).await;
                    wake.notify();
                });
                Attempt::Retry {
                    after: Some(wait),
                    reason: "rate limited by Slack (429)".into(),
                }
            }
            CallError::NotDone(reason) => {
                self.hold(target, HOLD_AFTER_FAILURE);
                Attempt::Retry {
                    after: None,
                    reason,
                }
            }
            CallError::Unknown(reason) if repeatable => {
                self.hold(target, HOLD_AFTER_FAILURE);
                Attempt::Retry {
                    after: None,
                    reason,
                }
            }
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
        match item.kind.as_str() {
            "reply" => self.reply(item).await,
            "handoff" => self.handoff(item).await,
            other => give_up(format!(
                "the Slack channel does not deliver {other:?} items"
            )),
        }
    }
}
