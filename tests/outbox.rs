//! The outbox worker's bookkeeping against real databases: what was delivered is recorded
//! before anything that can fail after it, so a delivered item is never sent twice.
#![expect(
    clippy::unwrap_used,
    reason = "test support: a failed unwrap is the test failure, with its message"
)]

mod common;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use leadbot::delivery::{Attempt, Deliver, RetryPolicy, deliver_due};
use leadbot::outbox::OutboxItem;
use leadbot::store::Store;

/// Delivers every item except those it is told to fail, and counts its attempts per item.
#[derive(Default)]
struct Counting {
    attempts: Mutex<HashMap<String, usize>>,
    failing: Mutex<Vec<String>>,
    /// The wait a failure asks for (`None`: the policy's backoff).
    retry_after: Option<Duration>,
}

impl Counting {
    fn attempts_of(&self, key: &str) -> usize {
        self.attempts
            .lock()
            .unwrap()
            .get(key)
            .copied()
            .unwrap_or_default()
    }
}

impl Deliver for Counting {
    async fn deliver(&self, item: &OutboxItem) -> Attempt {
        *self
            .attempts
            .lock()
            .unwrap()
            .entry(item.idempotency_key.clone())
            .or_default() += 1;
        if self.failing.lock().unwrap().contains(&item.idempotency_key) {
            Attempt::Retry {
                after: self.retry_after,
                reason: "the receiver is down".into(),
            }
        } else {
            Attempt::Delivered
        }
    }
}

async fn execute(url: &str, sql: &str) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
}

/// Makes every write of a delivery failure (`last_error`) fail, as a database error would.
async fn break_failure_records(url: &str) {
    if url.starts_with("sqlite:") {
        execute(
            url,
            "CREATE TRIGGER injected_failure BEFORE UPDATE OF last_error ON outbox \
             BEGIN SELECT RAISE(ABORT, 'injected store failure'); END;",
        )
        .await;
    } else {
        execute(
            url,
            "CREATE FUNCTION injected_failure() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'injected store failure'; END $$; \
             CREATE TRIGGER injected_failure BEFORE UPDATE OF last_error ON outbox \
             FOR EACH ROW EXECUTE FUNCTION injected_failure();",
        )
        .await;
    }
}

async fn mend_failure_records(url: &str) {
    let drop = if url.starts_with("sqlite:") {
        "DROP TRIGGER injected_failure"
    } else {
        "DROP TRIGGER injected_failure ON outbox"
    };
    execute(url, drop).await;
}

/// A message for the CRM to relay, as stored.
const PAYLOAD: &str = r#"{"conversation_id": 1, "lead_id": 1, "channel": "web", "address": "v1", "index": 0, "reply": {"text": "Hi", "step": null}}"#;

async fn a_delivered_item_is_not_sent_again_when_recording_a_failure_fails(url: &str) {
    let store = Store::open(url).await.unwrap();
    for key in ["sent", "refused"] {
        execute(
            url,
            &format!(
                "INSERT INTO outbox (kind, destination, idempotency_key, payload, status, attempts, \
                 next_attempt_at, created_at) VALUES ('prospect_message', 'test', '{key}', '{PAYLOAD}', 'pending', 0, 0, 0)"
            ),
        )
        .await;
    }
    let receiver = Counting {
        retry_after: Some(Duration::ZERO),
        ..Counting::default()
    };
    receiver.failing.lock().unwrap().push("refused".into());
    let policy = RetryPolicy {
        lease: Duration::from_millis(1),
        ..RetryPolicy::default()
    };
    break_failure_records(url).await;
    let outcome = deliver_due(&store, "test", &receiver, &policy).await;
    assert!(outcome.is_err(), "recording the failure failed");
    assert_eq!(receiver.attempts_of("sent"), 1);
    // The lease runs out; the database works again; the worker goes on.
    tokio::time::sleep(Duration::from_millis(20)).await;
    mend_failure_records(url).await;
    receiver.failing.lock().unwrap().clear();
    for _ in 0..3 {
        deliver_due(&store, "test", &receiver, &policy)
            .await
            .unwrap();
    }
    assert_eq!(
        receiver.attempts_of("sent"),
        1,
        "delivered once, never again"
    );
    assert_eq!(
        receiver.attempts_of("refused"),
        2,
        "retried until delivered"
    );
    assert_eq!(
        common::count_rows(url, "outbox WHERE status = 'delivered'").await,
        2
    );
    store.close().await;
}

on_both_databases!(a_delivered_item_is_not_sent_again_when_recording_a_failure_fails);

/// Queues a relayed message with this key and ordering key.
async fn queue(url: &str, key: &str, ordering: &str) {
    execute(
        url,
        &format!(
            "INSERT INTO outbox (kind, destination, idempotency_key, ordering_key, payload, status, \
             attempts, next_attempt_at, created_at) VALUES ('prospect_message', 'test', '{key}', \
             '{ordering}', '{PAYLOAD}', 'pending', 0, 0, 0)"
        ),
    )
    .await;
}

/// Items of one ordering key leave in queue order, across rounds and workers: a later one is
/// never handed out while an earlier one waits for a retry or is leased to another worker;
/// other keys are not held up, and the one behind is not charged an attempt for waiting.
async fn an_ordering_key_holds_later_items_behind_an_earlier_one(url: &str) {
    let store = Store::open(url).await.unwrap();
    for (key, ordering) in [("a1", "c1"), ("a2", "c1"), ("b1", "c2"), ("a3", "c1")] {
        queue(url, key, ordering).await;
    }
    let receiver = Counting::default();
    receiver.failing.lock().unwrap().push("a1".into());
    let policy = RetryPolicy {
        first_backoff: Duration::from_secs(600),
        ..RetryPolicy::default()
    };
    deliver_due(&store, "test", &receiver, &policy)
        .await
        .unwrap();
    deliver_due(&store, "test", &receiver, &policy)
        .await
        .unwrap();
    assert_eq!(receiver.attempts_of("b1"), 1, "another key goes on");
    assert_eq!(
        receiver.attempts_of("a1"),
        1,
        "tried, waiting for its retry"
    );
    assert_eq!(
        (receiver.attempts_of("a2"), receiver.attempts_of("a3")),
        (0, 0),
        "held behind a1"
    );
    assert_eq!(
        common::count_rows(url, "outbox WHERE idempotency_key = 'a2' AND attempts = 0").await,
        1,
        "waiting costs no attempt"
    );
    // a1 is due again and leased to another worker: still nothing behind it goes.
    execute(
        url,
        "UPDATE outbox SET next_attempt_at = 0 WHERE idempotency_key = 'a1'",
    )
    .await;
    let leased = store
        .claim_outbox("test", 1, 60_000, chrono::Utc::now().timestamp_millis())
        .await
        .unwrap();
    assert_eq!(leased.len(), 1);
    assert_eq!(leased[0].idempotency_key, "a1");
    deliver_due(&store, "test", &receiver, &policy)
        .await
        .unwrap();
    assert_eq!(receiver.attempts_of("a2"), 0, "a1 is another worker's");
    // That worker delivers it; the rest follow in order.
    store.outbox_delivered(leased[0].id, 1).await.unwrap();
    deliver_due(&store, "test", &receiver, &policy)
        .await
        .unwrap();
    assert_eq!(
        (receiver.attempts_of("a2"), receiver.attempts_of("a3")),
        (1, 1)
    );
    let order: Vec<String> = {
        sqlx::any::install_default_drivers();
        let pool = sqlx::AnyPool::connect(url).await.unwrap();
        let keys = sqlx::query_scalar(
            "SELECT idempotency_key FROM outbox WHERE ordering_key = 'c1' ORDER BY delivered_at, id",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        pool.close().await;
        keys
    };
    assert_eq!(order, ["a1", "a2", "a3"]);
    store.close().await;
}

on_both_databases!(an_ordering_key_holds_later_items_behind_an_earlier_one);
