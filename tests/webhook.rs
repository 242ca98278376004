//! Hand-offs delivered to a signed webhook through the outbox, on both databases: a receiver
//! that fails (500, 429 with Retry-After, a timeout) before it accepts gets exactly one
//! accepted delivery, correctly signed.
#![expect(
    clippy::unwrap_used,
    reason = "test support: a failed unwrap is the test failure, with its message"
)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use common::{QUALIFYING_ANSWERS, at, count_rows, drain_outbox, english_script};
use leadbot::config::Secret;
use leadbot::conversation::ConversationKey;
use leadbot::delivery::{self, RetryPolicy, SIGNATURE_HEADER, Webhook};
use leadbot::engine::Input;
use leadbot::runtime::{Inbound, Runtime, ScriptCatalog};
use leadbot::store::Store;

const SECRET: &str = "whsec-test";

#[derive(Default)]
struct Receiver {
    requests: usize,
    accepted: Vec<(String, serde_json::Value)>,
    bad_signatures: usize,
}

async fn receive(
    State(receiver): State<Arc<Mutex<Receiver>>>,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    let body = String::from_utf8_lossy(&body).into_owned();
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let presented = header(SIGNATURE_HEADER);
    let timestamp: i64 = presented
        .split(',')
        .find_map(|part| part.strip_prefix("t="))
        .and_then(|t| t.parse().ok())
        .unwrap_or_default();
    let valid = presented == delivery::signature(&Secret::new(SECRET.into()), timestamp, &body);
    let attempt = {
        let mut receiver = receiver.lock().unwrap();
        receiver.requests += 1;
        if !valid {
            receiver.bad_signatures += 1;
        }
        receiver.requests
    };
    match attempt {
        1 => (StatusCode::INTERNAL_SERVER_ERROR, HeaderMap::new()).into_response(),
        2 => {
            let mut headers = HeaderMap::new();
            headers.insert("retry-after", "1".parse().unwrap());
            (StatusCode::TOO_MANY_REQUESTS, headers).into_response()
        }
        3 => {
            tokio::time::sleep(Duration::from_millis(1500)).await;
            StatusCode::OK.into_response()
        }
        _ => {
            let payload = serde_json::from_str(&body).unwrap();
            receiver
                .lock()
                .unwrap()
                .accepted
                .push((header("idempotency-key"), payload));
            StatusCode::OK.into_response()
        }
    }
}

async fn a_flaky_receiver_gets_the_handoff_once_and_signed(url: &str) {
    let receiver = Arc::new(Mutex::new(Receiver::default()));
    let app = Router::new()
        .route("/hook", post(receive))
        .with_state(receiver.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await });

    let store = Store::open(url).await.unwrap();
    let runtime = Runtime::new(
        store.clone(),
        ScriptCatalog::new(vec![english_script()], None),
        Some("webhook"),
    );
    let webhook = Webhook::new(
        Secret::new(format!("http://127.0.0.1:{port}/hook")),
        Secret::new(SECRET.into()),
        Duration::from_millis(400),
    )
    .unwrap();
    let policy = RetryPolicy {
        first_backoff: Duration::from_millis(20),
        poll: Duration::from_millis(200),
        lease: Duration::from_secs(5),
        ..RetryPolicy::default()
    };
    delivery::Workers::default().deliver(
        &store,
        "webhook",
        webhook,
        &runtime.outbox_wake(),
        policy,
    );

    for (index, text) in std::iter::once(&"hi")
        .chain(QUALIFYING_ANSWERS.iter())
        .enumerate()
    {
        let inbound = Inbound {
            key: ConversationKey {
                channel: "web".into(),
                address: "dana".into(),
            },
            event_id: Some(format!("e{index}")),
            input: Input::Text(text.to_string()),
            now: at(60 * index as i64),
            reply_via: None,
            existing_only: false,
            answers_step: None,
            person: None,
        };
        runtime.handle(&inbound).await.unwrap();
    }
    // Once the hand-off is no longer pending (delivered, or given up) the worker sends it
    // no more: what the receiver has now is everything it will get.
    drain_outbox(url, "webhook").await;
    assert_eq!(
        count_rows(
            url,
            "outbox WHERE destination = 'webhook' AND status = 'delivered' AND attempts = 3"
        )
        .await,
        1,
        "delivered on the fourth request; the wait the 429 asked for is not a failed attempt"
    );
    let (accepted, requests, bad_signatures) = {
        let receiver = receiver.lock().unwrap();
        (
            receiver.accepted.clone(),
            receiver.requests,
            receiver.bad_signatures,
        )
    };
    assert_eq!(accepted.len(), 1, "exactly one accepted delivery");
    assert_eq!(requests, 4, "500, 429, timeout, then accepted");
    assert_eq!(bad_signatures, 0);
    let (key, payload) = &accepted[0];
    assert!(key.starts_with("handoff:"), "{key}");
    assert_eq!(payload["lead"]["contact"]["email"], "dana@acme.io");
    assert_eq!(payload["lead"]["stage"], "sql");
    store.close().await;
}

on_both_databases!(a_flaky_receiver_gets_the_handoff_once_and_signed);
