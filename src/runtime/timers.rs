//! Purpose: fire conversation timers — nudges, abandonment, MQL follow-ups, nurture touches,
//! score decay — stored with each conversation, so they survive restarts and fire once across
//! replicas (each is re-checked under the conversation's lock before it runs).

use chrono::{DateTime, FixedOffset};

use super::{ReplyRoute, Runtime, RuntimeError, reply_items, wake_of};
use crate::engine::timers::{self, Wake};

impl Runtime {
    /// Fires every conversation timer due by `now` (the clock is injected so tests control
    /// it); returns how many fired. Messages go out through the outbox on the conversation's
    /// own channel, or to the CRM feed for channels that only answer requests.
    pub async fn fire_timers(&self, now: DateTime<FixedOffset>) -> Result<usize, RuntimeError> {
        let now_ms = now.timestamp_millis();
        let mut fired = 0;
        for key in self.store.due_conversations(now_ms, 100).await? {
            let mut tx = self.store.begin_turn(&key).await?;
            let Some(mut conversation) = tx.conversation().await? else {
                continue;
            };
            let Some((at, kind)) = conversation.wake.clone() else {
                continue;
            };
            if at > now_ms {
                continue;
            }
            let active = self.scripts.snapshot();
            let script = self
                .script_in_turn(&mut tx, &active, &conversation.state)
                .await?;
            let turn = match Wake::from_name(&kind) {
                Some(wake) => timers::wake(&script, conversation.state.clone(), wake, now),
                None => crate::engine::Turn {
                    state: conversation.state.clone(),
                    effects: Vec::new(),
                },
            };
            conversation.state = turn.state;
            conversation.wake = wake_of(&script, &conversation.state);
            let turn_ref = format!("{kind}-{at}");
            let route: Option<ReplyRoute> = conversation
                .reply_route
                .clone()
                .and_then(|route| serde_json::from_value(route).ok());
            // Channels that only answer requests (the message API) cannot be written to: the
            // CRM feed gets the message to relay instead.
            let outbox = match (&route, &self.crm_destination) {
                (Some(route), _) => {
                    reply_items(route, &key, &conversation, &turn_ref, &turn.effects, false)
                }
                (None, Some(crm)) => {
                    let relay = ReplyRoute {
                        destination: crm.clone(),
                        context: serde_json::json!({ "timer": kind }),
                    };
                    reply_items(&relay, &key, &conversation, &turn_ref, &turn.effects, true)
                }
                (None, None) => Vec::new(),
            };
            tx.save(&conversation, None, &turn.effects, &outbox, now_ms)
                .await?;
            tx.commit().await?;
            if !outbox.is_empty() {
                self.outbox_wake.notify();
            }
            fired += 1;
        }
        Ok(fired)
    }
}
