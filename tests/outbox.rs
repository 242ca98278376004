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
use leadbot::store::{OutboxItem, Store};

/// Delivers every item except those it is told to fail, and counts its attempts per item.
#[derive(Default)]
struct Counting {
    attempts: Mutex<HashMap<String, usize>>,
    failing: Mutex<Vec<String>>,
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
                after: Some(Duration::ZERO),
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

async fn a_delivered_item_is_not_sent_again_when_recording_a_failure_fails(url: &str) {
    let store = Store::open(url).await.unwrap();
    for key in ["sent", "refused"] {
        execute(
            url,
            &format!(
                "INSERT INTO outbox (kind, destination, idempotency_key, payload, status, attempts, \
                 next_attempt_at, created_at) VALUES ('handoff', 'test', '{key}', '{{}}', 'pending', 0, 0, 0)"
            ),
        )
        .await;
    }
    let receiver = Counting::default();
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
