//! `leadbot serve` as real processes: the HTTP API, kill -9 in the middle of a load, and two
//! replicas sharing one database — on SQLite and PostgreSQL.
#![expect(
    clippy::unwrap_used,
    reason = "test support: a failed unwrap is the test failure, with its message"
)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, Duration, FixedOffset, Utc};
use common::{API_TOKEN, QUALIFYING_ANSWERS, Server, count_rows, english_script, post_json};
use leadbot::conversation::ConversationKey;
use leadbot::engine::state::ConversationState;
use leadbot::engine::{self, Input};
use leadbot::store::Store;

/// An hour before this test process started, plus `seconds`: the turns' times. Recent, not a
/// fixed date, because the servers fire timers by the wall clock: turns dated months ago would
/// let the shipped scripts' score decay fire between them, which one process replaying the
/// same turns with the engine alone does not do.
fn at(seconds: i64) -> DateTime<FixedOffset> {
    static START: std::sync::OnceLock<DateTime<FixedOffset>> = std::sync::OnceLock::new();
    *START.get_or_init(|| (Utc::now() - Duration::hours(1)).fixed_offset())
        + Duration::seconds(seconds)
}

/// Messages per prospect: a hello, then the qualifying answers.
const TURNS: usize = 1 + QUALIFYING_ANSWERS.len();

/// The text of a prospect's turn; each prospect gives their own e-mail address (one address
/// is one person, so one lead).
fn turn_text(conversation: usize, turn: usize) -> String {
    let text = turn
        .checked_sub(1)
        .and_then(|answer| QUALIFYING_ANSWERS.get(answer))
        .copied()
        .unwrap_or("hi");
    if text.contains('@') {
        format!("c{conversation}@acme.io")
    } else {
        text.to_string()
    }
}

fn message(conversation: usize, turn: usize) -> String {
    serde_json::json!({
        "channel": "web",
        "conversation": format!("c{conversation}"),
        "event_id": format!("c{conversation}-t{turn}"),
        "text": turn_text(conversation, turn),
        "at": at(60 * turn as i64).to_rfc3339(),
    })
    .to_string()
}

/// The state a single process reaches for these turns, computed with the engine alone.
fn reference_state(conversation: usize) -> ConversationState {
    let script = english_script();
    let mut state = engine::start(&script, at(0)).state;
    for turn in 1..TURNS {
        let input = Input::Text(turn_text(conversation, turn));
        state = engine::step(&script, state, &input, at(60 * turn as i64)).state;
    }
    state
}

async fn stored_state(store: &Store, conversation: usize) -> ConversationState {
    let key = ConversationKey {
        channel: "web".into(),
        address: format!("c{conversation}"),
    };
    let mut tx = store.begin_turn(&key).await.unwrap();
    tx.conversation().await.unwrap().unwrap().state
}

/// Every dialogue ended exactly as a single process would end it: same state, each answer,
/// message and processed event stored once, one hand-off each.
async fn assert_every_dialogue_complete(url: &str, conversations: usize) {
    let store = Store::open(url).await.unwrap();
    for conversation in 0..conversations {
        assert_eq!(
            stored_state(&store, conversation).await,
            reference_state(conversation),
            "conversation c{conversation}"
        );
    }
    store.close().await;
    let n = conversations as i64;
    assert_eq!(count_rows(url, "processed_events").await, n * TURNS as i64);
    assert_eq!(
        count_rows(url, "messages WHERE direction = 'in'").await,
        n * TURNS as i64
    );
    assert_eq!(count_rows(url, "answers").await, n * (TURNS as i64 - 1));
    assert_eq!(
        count_rows(url, "(SELECT DISTINCT lead_id FROM assignments) AS routed").await,
        n,
        "every lead routed"
    );
    assert_eq!(count_rows(url, "leads WHERE stage = 'sql'").await, n);
}

async fn the_api_checks_its_callers(url: &str) {
    let server = Server::start(url);
    let port = server.port;
    let (status, _) = post_json(port, "/api/messages", "wrong", "{}")
        .await
        .unwrap();
    assert_eq!(status, 401);
    let (status, body) = post_json(port, "/api/messages", API_TOKEN, "{\"channel\": 1}")
        .await
        .unwrap();
    assert_eq!(status, 422, "{body}");
    let both = r#"{"channel":"web","conversation":"x","event_id":"e","text":"a","choice":{"step":"s","value":"v"}}"#;
    let (status, body) = post_json(port, "/api/messages", API_TOKEN, both)
        .await
        .unwrap();
    assert_eq!(
        (status, body.contains("exactly one")),
        (422, true),
        "{body}"
    );
    let huge = format!(
        r#"{{"channel":"web","conversation":"x","event_id":"e","text":"{}"}}"#,
        "a".repeat(100_000)
    );
    let (status, _) = post_json(port, "/api/messages", API_TOKEN, &huge)
        .await
        .unwrap();
    assert_eq!(status, 413);
    let (status, body) = post_json(port, "/api/messages", API_TOKEN, &message(0, 0))
        .await
        .unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("First, what's your name?"), "{body}");
    let (_, again) = post_json(port, "/api/messages", API_TOKEN, &message(0, 0))
        .await
        .unwrap();
    assert!(again.contains(r#""duplicate":true"#), "{again}");
}

async fn a_kill_9_mid_load_loses_and_doubles_nothing(url: &str) {
    const CONVERSATIONS: usize = 12;
    // Which turn each conversation must send next; a turn counts once its response arrived.
    let next_turn: Arc<Vec<AtomicUsize>> =
        Arc::new((0..CONVERSATIONS).map(|_| AtomicUsize::new(0)).collect());
    let acknowledged = Arc::new(AtomicUsize::new(0));
    let mut server = Server::start(url);
    let drive = |port: u16| {
        let next_turn = next_turn.clone();
        let acknowledged = acknowledged.clone();
        async move {
            let mut tasks = Vec::new();
            for conversation in 0..CONVERSATIONS {
                let next_turn = next_turn.clone();
                let acknowledged = acknowledged.clone();
                tasks.push(tokio::spawn(async move {
                    loop {
                        let turn = next_turn[conversation].load(Ordering::SeqCst);
                        if turn >= TURNS {
                            return;
                        }
                        match post_json(
                            port,
                            "/api/messages",
                            API_TOKEN,
                            &message(conversation, turn),
                        )
                        .await
                        {
                            Ok((200, _)) => {
                                next_turn[conversation].store(turn + 1, Ordering::SeqCst);
                                acknowledged.fetch_add(1, Ordering::SeqCst);
                            }
                            // The server died: this turn is unacknowledged and will be replayed.
                            _ => return,
                        }
                    }
                }));
            }
            for task in tasks {
                task.await.unwrap();
            }
        }
    };
    let killer = {
        let acknowledged = acknowledged.clone();
        let total = CONVERSATIONS * TURNS;
        async move {
            while acknowledged.load(Ordering::SeqCst) < total * 2 / 5 {
                tokio::time::sleep(std::time::Duration::from_millis(2)).await;
            }
        }
    };
    let port = server.port;
    tokio::select! {
        _ = drive(port) => panic!("the load finished before the kill"),
        _ = killer => server.kill_9(),
    }
    let before_restart = acknowledged.load(Ordering::SeqCst);
    assert!(before_restart < CONVERSATIONS * TURNS);
    let restarted = Server::start(url);
    drive(restarted.port).await;
    drop(restarted);
    assert_every_dialogue_complete(url, CONVERSATIONS).await;
}

async fn two_replicas_given_every_event_twice_end_like_one_process(url: &str) {
    const CONVERSATIONS: usize = 10;
    let replicas = [Server::start(url), Server::start(url)];
    let ports = [replicas[0].port, replicas[1].port];
    let mut tasks = Vec::new();
    for conversation in 0..CONVERSATIONS {
        tasks.push(tokio::spawn(async move {
            for turn in 0..TURNS {
                let body = message(conversation, turn);
                // The same event reaches both replicas at once (a platform retry racing the
                // original); exactly one of them processes it.
                let (first, second) = tokio::join!(
                    post_json(
                        ports[(conversation + turn) % 2],
                        "/api/messages",
                        API_TOKEN,
                        &body
                    ),
                    post_json(
                        ports[(conversation + turn + 1) % 2],
                        "/api/messages",
                        API_TOKEN,
                        &body
                    ),
                );
                let (first, second) = (first.unwrap(), second.unwrap());
                assert_eq!((first.0, second.0), (200, 200), "{first:?} {second:?}");
                let duplicates = [&first.1, &second.1]
                    .iter()
                    .filter(|body| body.contains(r#""duplicate":true"#))
                    .count();
                assert_eq!(
                    duplicates, 1,
                    "exactly one replica processes c{conversation} t{turn}"
                );
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    drop(replicas);
    assert_every_dialogue_complete(url, CONVERSATIONS).await;
}

/// A message that arrives while the database is unreachable is refused with 503 and a
/// `Retry-After`; sent again once the database is back, it is processed once.
async fn a_message_the_database_refused_is_answered_503_then_processed_once(url: &str) {
    let server = Server::start(url);
    let port = server.port;
    let (status, _) = post_json(port, "/api/messages", API_TOKEN, &message(0, 0))
        .await
        .unwrap();
    assert_eq!(status, 200);
    let outage = common::Outage::begin(url).await;
    let (status, head, body) =
        common::post_json_for_headers(port, "/api/messages", API_TOKEN, &message(0, 1))
            .await
            .unwrap();
    outage.end().await;
    assert_eq!(status, 503, "{body}");
    assert!(head.contains("retry-after: "), "{head}");
    assert!(body.contains("Send the same request again"), "{body}");
    assert!(!body.contains("database error"), "no detail leaks: {body}");
    let (status, body) = post_json(port, "/api/messages", API_TOKEN, &message(0, 1))
        .await
        .unwrap();
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"duplicate\":false"), "{body}");
    let (_, body) = post_json(port, "/api/messages", API_TOKEN, &message(0, 1))
        .await
        .unwrap();
    assert!(body.contains("\"duplicate\":true"), "{body}");
    assert_eq!(count_rows(url, "messages WHERE direction = 'in'").await, 2);
    assert_eq!(count_rows(url, "answers").await, 1);
}

/// A webhook receiver on 127.0.0.1 that answers every request 200 after a short pause and
/// counts them.
async fn counting_receiver() -> (String, Arc<AtomicUsize>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let received = Arc::new(AtomicUsize::new(0));
    let counted = received.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let counted = counted.clone();
            tokio::spawn(async move {
                let mut buffer = vec![0u8; 64 * 1024];
                let mut request = Vec::new();
                loop {
                    let Ok(read) = stream.read(&mut buffer).await else {
                        return;
                    };
                    if read == 0 {
                        return;
                    }
                    request.extend_from_slice(&buffer[..read]);
                    let text = String::from_utf8_lossy(&request);
                    let Some((head, body)) = text.split_once("\r\n\r\n") else {
                        continue;
                    };
                    let length = head
                        .lines()
                        .find_map(|line| {
                            line.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|n| n.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if body.len() >= length {
                        break;
                    }
                }
                tokio::time::sleep(std::time::Duration::from_millis(2)).await;
                counted.fetch_add(1, Ordering::SeqCst);
                let _ = stream
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                    .await;
            });
        }
    });
    (url, received)
}

/// A message for the CRM to relay, as stored.
const RELAYED: &str = r#"{"conversation_id": 1, "lead_id": 1, "channel": "web", "address": "v1", "index": 0, "reply": {"text": "Hi", "step": null}}"#;

/// A clean stop (SIGTERM) in the middle of a busy outbox: the process exits 0 and logs no
/// error — the workers finish their round and stop before the store closes — and no item is
/// delivered twice.
async fn a_clean_stop_logs_no_error(url: &str) {
    const ITEMS: usize = 3000;
    Store::open(url).await.unwrap().close().await;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    for chunk in 0..ITEMS / 500 {
        let rows: Vec<String> = (0..500)
            .map(|n| {
                format!(
                    "('prospect_message', 'webhook', 'k{}', '{RELAYED}', 'pending', 0, 0, 0)",
                    chunk * 500 + n
                )
            })
            .collect();
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO outbox (kind, destination, idempotency_key, payload, status, attempts, \
             next_attempt_at, created_at) VALUES {}",
            rows.join(", ")
        )))
        .execute(&pool)
        .await
        .unwrap();
    }
    pool.close().await;
    let (hook, received) = counting_receiver().await;
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("serve.log");
    let mut server = Server::start_with_log(
        url,
        &[
            ("LEADBOT_HANDOFF_WEBHOOK_URL", &hook),
            ("LEADBOT_WEBHOOK_SECRET", "test-webhook-secret"),
            ("LEADBOT_LOG", "info"),
        ],
        &log,
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while received.load(Ordering::SeqCst) < 100 {
        assert!(std::time::Instant::now() < deadline, "no deliveries");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let exit = server.terminate();
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(exit.success(), "{exit:?}\n{logged}");
    assert!(!logged.contains("ERROR"), "{logged}");
    let delivered = count_rows(url, "outbox WHERE status = 'delivered'").await;
    assert!(
        delivered > 0 && (delivered as usize) < ITEMS,
        "stopped mid-way: {delivered}"
    );
    // Every request the receiver answered was recorded as delivered: none is left to be sent
    // again by the next start.
    assert_eq!(received.load(Ordering::SeqCst), delivered as usize);
}

on_both_databases!(
    a_clean_stop_logs_no_error,
    a_message_the_database_refused_is_answered_503_then_processed_once,
    the_api_checks_its_callers,
    a_kill_9_mid_load_loses_and_doubles_nothing,
    two_replicas_given_every_event_twice_end_like_one_process,
);
