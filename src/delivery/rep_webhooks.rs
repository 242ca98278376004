//! Purpose: reps' own webhooks follow the reps file. Each rep (and the fallback team) with a
//! `webhook_url` gets a delivery worker for its outbox destination `webhook:<rep>` — at start,
//! and when a live edit of the reps file adds one — and a changed URL repoints the running
//! worker, so a new rep is notified without a restart.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use super::{RetryPolicy, Webhook, Workers};
use crate::outbox::OutboxWake;
use crate::reps::Team;
use crate::secret::Secret;
use crate::store::Store;

/// The outbox destination of the fallback team's webhook.
pub const FALLBACK_WEBHOOK: &str = "webhook:fallback";

/// The outbox destination of a rep's own webhook.
pub fn rep_destination(rep: &str) -> String {
    format!("webhook:{rep}")
}

/// Why a rep's webhook cannot be delivered.
#[derive(Debug, thiserror::Error)]
pub enum RepWebhookError {
    /// Hand-offs to webhooks must be signed.
    #[error(
        "{0} has a webhook_url but LEADBOT_WEBHOOK_SECRET is not set: hand-offs must be signed"
    )]
    Unsigned(String),
    /// The HTTP client could not be built.
    #[error("cannot build the webhook client: {0}")]
    Client(#[from] reqwest::Error),
}

/// Each webhook destination of the team and its URL.
fn targets(team: &Team) -> Vec<(String, Secret)> {
    let mut found: Vec<(String, Secret)> = team
        .reps
        .iter()
        .filter_map(|rep| {
            let url = rep.webhook_url.clone()?;
            Some((rep_destination(&rep.id), url))
        })
        .collect();
    if let Some(url) = &team.fallback.webhook_url {
        found.push((FALLBACK_WEBHOOK.to_string(), url.clone()));
    }
    found
}

/// The running rep webhook workers, by destination.
pub struct RepWebhooks {
    store: Store,
    wake: OutboxWake,
    workers: Workers,
    secret: Option<Secret>,
    timeout: Duration,
    policy: RetryPolicy,
    running: Mutex<BTreeMap<String, Webhook>>,
}

impl RepWebhooks {
    /// No worker yet; [`RepWebhooks::follow`] starts them. `secret` signs every request.
    pub fn new(
        store: Store,
        wake: OutboxWake,
        workers: Workers,
        secret: Option<Secret>,
        timeout: Duration,
        policy: RetryPolicy,
    ) -> Self {
        RepWebhooks {
            store,
            wake,
            workers,
            secret,
            timeout,
            policy,
            running: Mutex::new(BTreeMap::new()),
        }
    }

    /// Starts a worker for each webhook of `team` that has none and repoints those whose URL
    /// changed. A rep removed from the file keeps its worker, so what was already queued for
    /// them is still delivered. Returns the destinations started; the first problem stops it.
    pub fn follow(&self, team: &Team) -> Result<Vec<String>, RepWebhookError> {
        let mut started = Vec::new();
        let Ok(mut running) = self.running.lock() else {
            return Ok(started);
        };
        for (destination, url) in targets(team) {
            if let Some(webhook) = running.get(&destination) {
                webhook.repoint(url);
                continue;
            }
            let secret = self
                .secret
                .clone()
                .ok_or_else(|| RepWebhookError::Unsigned(destination.clone()))?;
            let webhook = Webhook::new(url, secret, self.timeout)?;
            self.workers.deliver(
                &self.store,
                &destination,
                webhook.clone(),
                &self.wake,
                self.policy,
            );
            running.insert(destination.clone(), webhook);
            started.push(destination);
        }
        Ok(started)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rep_with_a_webhook_and_the_fallback_is_a_destination() {
        let team = crate::reps::parse(
            "default_pool = \"p\"\n[fallback]\nname = \"Desk\"\nwebhook_url = \"http://127.0.0.1:9/desk\"\n\
             [[pools]]\nid = \"p\"\nreps = [\"a\", \"b\"]\n\
             [[reps]]\nid = \"a\"\nname = \"A\"\nwebhook_url = \"http://127.0.0.1:9/a\"\n\
             [[reps]]\nid = \"b\"\nname = \"B\"\nemail = \"b@example.com\"\n",
            std::path::Path::new("reps.toml"),
        )
        .map_err(|diagnostics| format!("{diagnostics:?}"));
        let destinations: Vec<String> = match team {
            Ok(team) => targets(&team).into_iter().map(|(d, _)| d).collect(),
            Err(error) => panic!("{error}"),
        };
        assert_eq!(destinations, ["webhook:a", FALLBACK_WEBHOOK]);
    }
}
