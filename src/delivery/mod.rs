//! Purpose: deliver outbox items. A worker per destination (a signed webhook for CRMs, Slack,
//! Discord, e-mail, the terminal) claims due items, hands each to its [`Deliver`] implementation, and
//! records the outcome: delivered, retried with backoff, or given up after the policy's attempts;
//! a rate limit (429 Retry-After) is waited out, and such a wait is not a failed attempt.
//! It wakes as soon as a turn commits an item (in process, [`OutboxWake`]) or another replica
//! does (PostgreSQL LISTEN/NOTIFY), with a slow poll as a safety net.

mod email;
mod rep_webhooks;
mod webhook;

use std::future::Future;
use std::time::Duration;

use tokio::sync::watch;

pub use email::{
    DEFAULT_SEND_TIMEOUT, EMAIL_DESTINATION, EmailDelivery, EmailError, SMTP_FROM_VAR,
    SMTP_URL_VAR, SmtpSettings,
};
pub use rep_webhooks::{FALLBACK_WEBHOOK, RepWebhookError, RepWebhooks, rep_destination};
pub use webhook::{Attempt, SIGNATURE_HEADER, Webhook, signature};

use crate::outbox::{OutboxItem, OutboxWake};
use crate::secret::Secret;
use crate::store::{Store, StoreError};

/// How a worker retries.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Wait before the second attempt; doubles each time.
    pub first_backoff: Duration,
    /// The longest wait between attempts.
    pub max_backoff: Duration,
    /// Failed attempts before giving up (a wait a rate limit asked for is not one).
    pub max_attempts: i64,
    /// How long a claimed item stays leased to this worker.
    pub lease: Duration,
    /// Poll interval when nothing wakes the worker.
    pub poll: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            first_backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(600),
            max_attempts: 10,
            lease: Duration::from_secs(60),
            poll: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// The wait after `attempts` failed attempts.
    pub fn backoff(&self, attempts: i64) -> Duration {
        let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
        self.first_backoff
            .saturating_mul(2u32.saturating_pow(doublings))
            .min(self.max_backoff)
    }
}

/// One way out of the process: a webhook, a chat platform's API, the terminal. Implementations
/// make one attempt and say what it means for retrying; the worker does the bookkeeping.
pub trait Deliver: Send + Sync {
    /// Makes one delivery attempt of `item`.
    fn deliver(&self, item: &OutboxItem) -> impl Future<Output = Attempt> + Send;
}

impl Deliver for Webhook {
    async fn deliver(&self, item: &OutboxItem) -> Attempt {
        Webhook::deliver(self, item).await
    }
}

/// Delivers one destination's outbox items until `stop` turns true: the round under way is
/// finished and its outcomes recorded (so no lease is left behind), then it returns.
pub async fn run_worker<D: Deliver>(
    store: Store,
    destination: String,
    deliverer: D,
    mut wake: watch::Receiver<u64>,
    policy: RetryPolicy,
    mut stop: watch::Receiver<bool>,
) {
    while !*stop.borrow() {
        let pause = match deliver_due(&store, &destination, &deliverer, &policy).await {
            Ok(0) => true,
            Ok(_) => false,
            Err(error) => {
                tracing::error!(%error, destination, "outbox delivery failed; retrying shortly");
                true
            }
        };
        if !pause {
            continue;
        }
        tokio::select! {
            changed = wake.changed() => {
                if changed.is_err() {
                    tokio::time::sleep(policy.poll).await;
                }
            }
            _ = tokio::time::sleep(policy.poll) => {}
            _ = stop.changed() => {}
        }
    }
}

/// The background loops of a process (delivery workers, timers), stopped together before
/// the store closes, so a clean stop leaves no lease behind and logs no error.
#[derive(Debug, Clone)]
pub struct Workers {
    stop: std::sync::Arc<watch::Sender<bool>>,
    tasks: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Default for Workers {
    fn default() -> Self {
        Workers {
            stop: std::sync::Arc::new(watch::channel(false).0),
            tasks: std::sync::Arc::default(),
        }
    }
}

impl Workers {
    /// Starts a worker delivering `destination`'s items with `deliverer`.
    pub fn deliver<D: Deliver + 'static>(
        &self,
        store: &Store,
        destination: &str,
        deliverer: D,
        wake: &OutboxWake,
        policy: RetryPolicy,
    ) {
        self.spawn(run_worker(
            store.clone(),
            destination.to_string(),
            deliverer,
            wake.subscribe(),
            policy,
            self.stopping(),
        ));
    }

    /// Starts a background loop; it must end soon after [`Workers::stopping`] turns true.
    pub fn spawn(&self, work: impl Future<Output = ()> + Send + 'static) {
        let task = tokio::spawn(work);
        if let Ok(mut tasks) = self.tasks.lock() {
            tasks.retain(|task| !task.is_finished());
            tasks.push(task);
        }
    }

    /// Turns true when the loops are asked to stop.
    pub fn stopping(&self) -> watch::Receiver<bool> {
        self.stop.subscribe()
    }

    /// Asks every loop to stop and waits up to `grace` for them; what is still running then
    /// (a delivery stuck on a slow receiver) is aborted, its lease left to run out.
    pub async fn stop(&self, grace: Duration) {
        self.stop.send_replace(true);
        let tasks = match self.tasks.lock() {
            Ok(mut tasks) => std::mem::take(&mut *tasks),
            Err(_) => Vec::new(),
        };
        let deadline = tokio::time::Instant::now() + grace;
        for mut task in tasks {
            if tokio::time::timeout_at(deadline, &mut task).await.is_err() {
                task.abort();
                tracing::warn!("a background task did not stop in time; aborted");
            }
        }
    }
}

/// Items claimed per round; they are delivered concurrently.
const BATCH: i64 = 32;

/// Claims and delivers the items due now and records the outcomes (all successes in one
/// write); returns how many were claimed. Items of different conversations go out
/// concurrently; the replies of one conversation go one after the other in queue order, and
/// when one must wait for a retry the later ones wait with it, so a prospect never sees the
/// second question before the first.
pub async fn deliver_due<D: Deliver>(
    store: &Store,
    destination: &str,
    deliverer: &D,
    policy: &RetryPolicy,
) -> Result<usize, StoreError> {
    let now = now_ms();
    let lease = i64::try_from(policy.lease.as_millis()).unwrap_or(60_000);
    let items = store.claim_outbox(destination, BATCH, lease, now).await?;
    // Items of one ordering key go one after the other, in queue order; keys run concurrently.
    let mut groups: Vec<Vec<&OutboxItem>> = Vec::new();
    for item in &items {
        let same_key = groups.iter_mut().find(|group| {
            item.ordering_key.is_some()
                && group.first().map(|first| &first.ordering_key) == Some(&item.ordering_key)
        });
        match same_key {
            Some(group) => group.push(item),
            None => groups.push(vec![item]),
        }
    }
    let outcomes = futures_util::future::join_all(groups.into_iter().map(|group| async move {
        let mut outcomes = Vec::with_capacity(group.len());
        let mut blocked = false;
        for item in group {
            // Behind an item that did not go, the rest of its key waits, unattempted: the
            // claim will not hand them out again before that one is delivered or given up.
            let outcome = if blocked {
                None
            } else {
                Some(deliverer.deliver(item).await)
            };
            blocked |= !matches!(outcome, Some(Attempt::Delivered));
            outcomes.push((item, outcome));
        }
        outcomes
    }))
    .await;
    let mut delivered = Vec::new();
    let mut failed = Vec::new();
    let mut rate_limited = Vec::new();
    let mut waiting = Vec::new();
    for (item, outcome) in outcomes.into_iter().flatten() {
        record_metrics(destination, outcome.as_ref());
        match outcome {
            None => waiting.push(item.id),
            Some(Attempt::Delivered) => delivered.push(item.id),
            Some(Attempt::RateLimited { after, reason }) => {
                let at = now_ms() + i64::try_from(after.as_millis()).unwrap_or(i64::MAX / 2);
                tracing::warn!(item = item.id, %reason, "delivery will be retried when the rate limit ends");
                rate_limited.push((item.id, reason, at));
            }
            Some(Attempt::Retry { after, reason }) if item.attempts < policy.max_attempts => {
                let wait = after.unwrap_or_else(|| policy.backoff(item.attempts));
                let at = now_ms() + i64::try_from(wait.as_millis()).unwrap_or(i64::MAX / 2);
                tracing::warn!(item = item.id, attempts = item.attempts, %reason, "delivery will be retried");
                failed.push((item.id, reason, Some(at)));
            }
            Some(Attempt::Retry { reason, .. } | Attempt::GiveUp { reason }) => {
                tracing::error!(item = item.id, attempts = item.attempts, %reason, "delivery abandoned");
                failed.push((item.id, reason, None));
            }
        }
    }
    // What left the process is recorded first, on its own: if recording a failure then fails,
    // the delivered items are still never claimed and sent again.
    store.outbox_delivered_many(&delivered, now_ms()).await?;
    for (id, reason, retry_at) in rate_limited {
        store.outbox_retry_when_asked(id, &reason, retry_at).await?;
    }
    for (id, reason, retry_at) in failed {
        store.outbox_failed(id, &reason, retry_at).await?;
    }
    store.outbox_release(&waiting).await?;
    Ok(items.len())
}

/// Counts one delivery attempt by result; a rate-limited one is a retry, and a rate limit.
fn record_metrics(destination: &str, outcome: Option<&Attempt>) {
    match outcome {
        None => {}
        Some(Attempt::Delivered) => crate::metrics::delivery(destination, "delivered"),
        Some(Attempt::Retry { .. }) => crate::metrics::delivery(destination, "retry"),
        Some(Attempt::RateLimited { .. }) => {
            crate::metrics::delivery(destination, "retry");
            crate::metrics::rate_limited(destination);
        }
        Some(Attempt::GiveUp { .. }) => crate::metrics::delivery(destination, "given_up"),
    }
}

/// Wakes `wake` whenever another process queues outbox items (PostgreSQL only), until `stop`
/// turns true; ends quietly if the listener cannot connect, leaving the poll as the fallback.
pub async fn listen_for_other_replicas(
    database_url: Secret,
    wake: OutboxWake,
    mut stop: watch::Receiver<bool>,
) {
    let mut listener = match sqlx::postgres::PgListener::connect(database_url.expose()).await {
        Ok(listener) => listener,
        Err(error) => {
            tracing::warn!(%error, "LISTEN unavailable; relying on polling");
            return;
        }
    };
    if let Err(error) = listener.listen(crate::store::OUTBOX_NOTIFY_CHANNEL).await {
        tracing::warn!(%error, "LISTEN failed; relying on polling");
        return;
    }
    while !*stop.borrow() {
        tokio::select! {
            received = listener.recv() => match received {
                Ok(_) => wake.notify(),
                Err(error) => {
                    tracing::warn!(%error, "LISTEN connection lost; reconnecting");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            },
            _ = stop.changed() => {}
        }
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.backoff(1), Duration::from_secs(2));
        assert_eq!(policy.backoff(2), Duration::from_secs(4));
        assert_eq!(policy.backoff(4), Duration::from_secs(16));
        assert_eq!(policy.backoff(30), Duration::from_secs(600));
    }
}
