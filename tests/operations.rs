//! The operator's endpoints on both databases: `/healthz`, `/readyz` (database, schema,
//! channels; 503 with the reason) and `/metrics` (Prometheus text behind the admin token,
//! with the turns just taken).
#![expect(
    clippy::unwrap_used,
    reason = "test support: a failed unwrap is the test failure, with its message"
)]

mod common;

use leadbot::config::Secret;
use leadbot::http::AppState;
use leadbot::http::operations::{Operations, routes};
use leadbot::runtime::{Runtime, ScriptCatalog};
use leadbot::store::Store;

/// Channel readiness is process-wide: the tests of this file take turns.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// GETs `path`; returns the status and the body.
async fn get(port: u16, path: &str, token: Option<&str>) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let authorization = token
        .map(|token| format!("Authorization: Bearer {token}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{authorization}Connection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap();
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, body)| body)
        .unwrap_or("");
    (status, body.to_string())
}

async fn serve(url: &str) -> (Runtime, u16) {
    let store = Store::open(url).await.unwrap();
    let script = common::english_script();
    let runtime = Runtime::new(store.clone(), ScriptCatalog::new(vec![script], None), None);
    let state = AppState {
        runtime: runtime.clone(),
        api_token: Some(Secret::new("api-token".into())),
        booking_secret: None,
    };
    let operations = Operations {
        store,
        admin_token: Some(Secret::new("admin-token".into())),
    };
    let app = leadbot::http::app(state).merge(routes(operations));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (runtime, port)
}

async fn metrics_count_the_turns_behind_the_admin_token(url: &str) {
    let _turn = ONE_AT_A_TIME.lock().await;
    leadbot::metrics::handle();
    let (runtime, port) = serve(url).await;
    assert_eq!(get(port, "/healthz", None).await, (200, "ok".to_string()));
    for (event, text) in [("m1", "hi"), ("m2", "Dana")] {
        let body = format!(
            r#"{{"channel":"opsweb","conversation":"v1","event_id":"{event}","text":"{text}"}}"#
        );
        let (status, answer) = common::post_json(port, "/api/messages", "api-token", &body)
            .await
            .unwrap();
        assert_eq!(status, 200, "{answer}");
    }
    assert_eq!(get(port, "/metrics", None).await.0, 401);
    assert_eq!(get(port, "/metrics", Some("api-token")).await.0, 401);
    let (status, text) = get(port, "/metrics", Some("admin-token")).await;
    assert_eq!(status, 200, "{text}");
    let replied = text
        .lines()
        .find(|line| {
            line.starts_with("leadbot_turns_total")
                && line.contains(r#"channel="opsweb""#)
                && line.contains(r#"result="replied""#)
        })
        .unwrap_or_else(|| panic!("no turn counter in:\n{text}"));
    let count: f64 = replied.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(count >= 2.0, "{replied}");
    assert!(
        text.contains(r#"leadbot_turn_seconds_bucket{channel="opsweb",le="0.1"}"#),
        "{text}"
    );
    runtime.store().close().await;
}

async fn readiness_names_what_is_missing(url: &str) {
    let _turn = ONE_AT_A_TIME.lock().await;
    let (runtime, port) = serve(url).await;
    assert_eq!(
        get(port, "/readyz", None).await,
        (200, "ready\n".to_string())
    );

    leadbot::health::expect("discord");
    let (status, body) = get(port, "/readyz", None).await;
    assert_eq!(
        (status, body.as_str()),
        (503, "not ready: discord: not connected yet\n")
    );
    leadbot::health::connected("discord");
    assert_eq!(get(port, "/readyz", None).await.0, 200);

    common::record_a_future_migration(url).await;
    let (status, body) = get(port, "/readyz", None).await;
    assert_eq!(status, 503);
    assert!(body.contains("schema at version 99"), "{body}");
    runtime.store().close().await;
}

/// `LEADBOT_LOG_FORMAT=json`: the line each turn logs carries the channel, the conversation id
/// and the lead id, and none of the prospect's words.
async fn json_log_lines_of_a_turn_carry_its_ids(url: &str) {
    let _turn = ONE_AT_A_TIME.lock().await;
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("serve.log");
    let mut server = common::Server::start_with_log(
        url,
        &[("LEADBOT_LOG", "info"), ("LEADBOT_LOG_FORMAT", "json")],
        &log,
    );
    let body =
        r#"{"channel":"jsonweb","conversation":"v9","event_id":"j1","text":"my secret words"}"#;
    let (status, answer) = common::post_json(server.port, "/api/messages", common::API_TOKEN, body)
        .await
        .unwrap();
    assert_eq!(status, 200, "{answer}");
    let lead_id = serde_json::from_str::<serde_json::Value>(&answer).unwrap()["lead_id"].clone();
    server.terminate();
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains("my secret words"), "{text}");
    let line: serde_json::Value = text
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .find(|line: &serde_json::Value| line["fields"]["message"] == "turn handled")
        .unwrap_or_else(|| panic!("no turn line in:\n{text}"));
    let span = &line["span"];
    assert_eq!(span["channel"], "jsonweb", "{line}");
    assert_eq!(span["lead_id"], lead_id, "{line}");
    assert!(span["conversation_id"].is_i64(), "{line}");
    assert_eq!(line["fields"]["result"], "replied", "{line}");
}

on_both_databases!(
    json_log_lines_of_a_turn_carry_its_ids,
    metrics_count_the_turns_behind_the_admin_token,
    readiness_names_what_is_missing,
);
