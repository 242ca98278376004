//! A fake Slack Web API on 127.0.0.1 for tests and the benchmark: it records every call, answers
//! `chat.postMessage`, `chat.update`, `conversations.open` and (with the app-level token)
//! `apps.connections.open` the way Slack does, and can be told to fail the next calls of a
//! method with a 429 (and `Retry-After`) or a 500. Also signs requests the way Slack signs
//! them, computed here independently of leadbot's verifier. [`socket`] is the Socket Mode side.
//! A channel's history (messages a test says were written while leadbot was away) is served
//! by `conversations.history` and `conversations.replies` (GET, as Slack takes them).
#![allow(dead_code, reason = "each test crate uses part of the support code")]

pub mod socket;

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

/// The bot token test servers are given.
pub const BOT_TOKEN: &str = "xoxb-test-bot-token";
/// The app-level token (Socket Mode) test servers are given.
pub const APP_TOKEN: &str = "xapp-1-A0LEAD-test-app-token";
/// The signing secret test servers are given.
pub const SIGNING_SECRET: &str = "test-signing-secret";

/// One Web API call as the fake received it.
#[derive(Debug, Clone)]
pub struct Call {
    /// e.g. "chat.postMessage".
    pub method: String,
    /// The JSON body.
    pub body: Value,
    /// Whether it carried `Authorization: Bearer <token>` with the token the method takes
    /// ([`APP_TOKEN`] for `apps.connections.open`, [`BOT_TOKEN`] for the others).
    pub authorized: bool,
    /// When it arrived.
    pub at: Instant,
    /// The status the fake answered.
    pub status: u16,
    /// The ts of the message it created or updated, when it succeeded.
    pub ts: Option<String>,
}

/// A failure to answer instead of success.
#[derive(Debug, Clone, Copy)]
pub enum Failure {
    /// 429 with this `Retry-After` (seconds).
    RateLimited(u64),
    /// 500.
    ServerError,
}

#[derive(Default)]
struct Inner {
    calls: Vec<Call>,
    failures: Vec<(String, VecDeque<Failure>)>,
    /// When each channel got each accepted post.
    posted_at: std::collections::HashMap<String, Vec<Instant>>,
    /// Where `apps.connections.open` sends clients: set by [`socket::FakeSocketMode`].
    socket_base: Option<String>,
    /// Tickets handed out by `apps.connections.open`, in order.
    tickets: Vec<String>,
    /// Messages people wrote, by channel, as `conversations.history` returns them.
    history: std::collections::HashMap<String, Vec<Value>>,
    /// The history calls: (method, query).
    history_calls: Vec<(String, std::collections::HashMap<String, String>)>,
}

/// The fake Slack Web API.
#[derive(Clone)]
pub struct FakeSlack {
    inner: Arc<Mutex<Inner>>,
    posted: Arc<tokio::sync::Notify>,
    next_ts: Arc<AtomicU64>,
    /// Its port; `SLACK_API_URL` is `http://127.0.0.1:<port>/api`.
    pub port: u16,
}

impl FakeSlack {
    /// Starts the fake on a free port.
    pub async fn start() -> FakeSlack {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let fake = FakeSlack {
            inner: Arc::default(),
            posted: Arc::default(),
            next_ts: Arc::new(AtomicU64::new(1)),
            port,
        };
        let app = Router::new()
            .route("/api/{method}", post(answer).get(read_history))
            .with_state(fake.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        fake
    }

    /// The value of `SLACK_API_URL` pointing here.
    pub fn api_url(&self) -> String {
        format!("http://127.0.0.1:{}/api", self.port)
    }

    /// Records that `user` wrote `text` in `channel` at `ts` (in the thread `thread_ts`, if
    /// given), as Slack would keep it, without any event being sent.
    pub fn write_in_history(
        &self,
        channel: &str,
        user: &str,
        text: &str,
        ts: &str,
        thread_ts: Option<&str>,
    ) {
        let mut message = json!({"type": "message", "user": user, "text": text, "ts": ts});
        if let Some(thread_ts) = thread_ts {
            message["thread_ts"] = json!(thread_ts);
        }
        self.inner
            .lock()
            .unwrap()
            .history
            .entry(channel.to_string())
            .or_default()
            .push(message);
    }

    /// The `conversations.history` / `conversations.replies` calls: (method, query).
    pub fn history_calls(&self) -> Vec<(String, std::collections::HashMap<String, String>)> {
        self.inner.lock().unwrap().history_calls.clone()
    }

    /// Makes the next calls of `method` fail, in order.
    pub fn fail_next(&self, method: &str, failures: &[Failure]) {
        let mut inner = self.inner.lock().unwrap();
        inner
            .failures
            .push((method.to_string(), failures.iter().copied().collect()));
    }

    /// Every call so far.
    pub fn calls(&self) -> Vec<Call> {
        self.inner.lock().unwrap().calls.clone()
    }

    /// The successful calls of `method`.
    pub fn accepted(&self, method: &str) -> Vec<Call> {
        self.calls()
            .into_iter()
            .filter(|call| call.method == method && call.status == 200)
            .collect()
    }

    /// The texts of accepted posts to `channel`, in order.
    pub fn posted_texts(&self, channel: &str) -> Vec<String> {
        self.accepted("chat.postMessage")
            .into_iter()
            .filter(|call| call.body["channel"] == channel)
            .map(|call| call.body["text"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// When the first accepted post to `channel` after its first `after` posts arrived, waiting
    /// up to `within` for it.
    pub async fn post_number(
        &self,
        channel: &str,
        after: usize,
        within: std::time::Duration,
    ) -> Option<Instant> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let notified = self.posted.notified();
            if let Some(at) = self
                .inner
                .lock()
                .unwrap()
                .posted_at
                .get(channel)
                .and_then(|times| times.get(after))
            {
                return Some(*at);
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return None;
            }
        }
    }

    /// How many posts `channel` accepted so far.
    pub fn post_count(&self, channel: &str) -> usize {
        self.inner
            .lock()
            .unwrap()
            .posted_at
            .get(channel)
            .map_or(0, Vec::len)
    }

    /// Sends the clients of `apps.connections.open` to the Socket Mode server at `base`
    /// (`ws://127.0.0.1:PORT`).
    pub fn serve_socket_mode_at(&self, base: &str) {
        self.inner.lock().unwrap().socket_base = Some(base.to_string());
    }

    /// Whether `apps.connections.open` handed out `ticket` (and so a client may connect with it).
    pub fn issued(&self, ticket: &str) -> bool {
        self.inner
            .lock()
            .unwrap()
            .tickets
            .iter()
            .any(|issued| issued == ticket)
    }

    /// Waits (up to 20 s) until `done` holds for the calls.
    pub async fn wait_for(&self, what: &str, done: impl Fn(&[Call]) -> bool) {
        for _ in 0..400 {
            if done(&self.calls()) {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("timed out waiting for {what}; calls: {:#?}", self.calls());
    }
}

/// The DM channel the fake opens for `user`.
pub fn dm_channel(user: &str) -> String {
    format!("D{user}")
}

async fn answer(
    State(fake): State<FakeSlack>,
    Path(method): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let token = if method == "apps.connections.open" {
        APP_TOKEN
    } else {
        BOT_TOKEN
    };
    let authorized = headers
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        == Some(&format!("Bearer {token}"));
    let failure = {
        let mut inner = fake.inner.lock().unwrap();
        inner
            .failures
            .iter_mut()
            .find(|(name, queue)| *name == method && !queue.is_empty())
            .and_then(|(_, queue)| queue.pop_front())
    };
    let (status, response, ts) = match failure {
        Some(Failure::RateLimited(seconds)) => (
            429,
            (
                StatusCode::TOO_MANY_REQUESTS,
                [
                    ("retry-after", seconds.to_string()),
                    (
                        "content-type",
                        "application/json; charset=utf-8".to_string(),
                    ),
                ],
                json!({"ok": false, "error": "ratelimited"}).to_string(),
            )
                .into_response(),
            None,
        ),
        Some(Failure::ServerError) => (
            500,
            (StatusCode::INTERNAL_SERVER_ERROR, "internal server error").into_response(),
            None,
        ),
        None => {
            let (response, ts) = success(&fake, &method, &body, authorized);
            (200, response, ts)
        }
    };
    let at = Instant::now();
    {
        let mut inner = fake.inner.lock().unwrap();
        if method == "chat.postMessage" && status == 200 {
            let channel = body["channel"].as_str().unwrap_or_default().to_string();
            inner.posted_at.entry(channel).or_default().push(at);
        }
        inner.calls.push(Call {
            method,
            body,
            authorized,
            at,
            status,
            ts,
        });
    }
    fake.posted.notify_waiters();
    response
}

/// `conversations.history` (newest first) and `conversations.replies` (the thread's parent,
/// then replies oldest first): the messages after `oldest`, one page of `limit`.
async fn read_history(
    State(fake): State<FakeSlack>,
    Path(method): Path<String>,
    headers: HeaderMap,
    Query(query): Query<std::collections::HashMap<String, String>>,
) -> Response {
    let authorized = headers
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        == Some(&format!("Bearer {BOT_TOKEN}"));
    let mut inner = fake.inner.lock().unwrap();
    inner.history_calls.push((method.clone(), query.clone()));
    let number = |ts: &str| ts.parse::<f64>().unwrap_or(0.0);
    let oldest = query.get("oldest").map_or(0.0, |ts| number(ts));
    let channel = query.get("channel").cloned().unwrap_or_default();
    let all = inner.history.get(&channel).cloned().unwrap_or_default();
    let ts_of = |message: &Value| number(message["ts"].as_str().unwrap_or_default());
    let mut messages: Vec<Value> = match method.as_str() {
        "conversations.history" => all
            .into_iter()
            .filter(|m| m["thread_ts"].is_null() || m["thread_ts"] == m["ts"])
            .filter(|m| ts_of(m) > oldest)
            .collect(),
        "conversations.replies" => {
            let parent = query.get("ts").cloned().unwrap_or_default();
            all.into_iter()
                .filter(|m| m["thread_ts"] == json!(parent) || m["ts"] == json!(parent))
                .filter(|m| ts_of(m) > oldest)
                .collect()
        }
        _ => return (StatusCode::NOT_FOUND, "unknown method").into_response(),
    };
    messages.sort_by(|a, b| ts_of(a).total_cmp(&ts_of(b)));
    if method == "conversations.history" {
        messages.reverse();
    }
    let limit: usize = query
        .get("limit")
        .and_then(|limit| limit.parse().ok())
        .unwrap_or(100);
    let has_more = messages.len() > limit;
    messages.truncate(limit);
    let body = if authorized {
        json!({"ok": true, "messages": messages, "has_more": has_more})
    } else {
        json!({"ok": false, "error": "invalid_auth"})
    };
    (
        [("content-type", "application/json; charset=utf-8")],
        body.to_string(),
    )
        .into_response()
}

fn success(
    fake: &FakeSlack,
    method: &str,
    body: &Value,
    authorized: bool,
) -> (Response, Option<String>) {
    let json_response = |value: Value| {
        (
            [("content-type", "application/json; charset=utf-8")],
            value.to_string(),
        )
            .into_response()
    };
    if !authorized {
        return (
            json_response(json!({"ok": false, "error": "invalid_auth"})),
            None,
        );
    }
    let ts = || {
        format!(
            "1767225600.{:06}",
            fake.next_ts.fetch_add(1, Ordering::SeqCst)
        )
    };
    match method {
        "chat.postMessage" => {
            let ts = ts();
            let response = json_response(json!({
                "ok": true,
                "channel": body["channel"],
                "ts": ts,
                "message": {
                    "type": "message", "subtype": "bot_message", "bot_id": "B0LEAD", "user": "U0BOT",
                    "text": body["text"], "ts": ts,
                }
            }));
            (response, Some(ts))
        }
        "chat.update" => (
            json_response(json!({
                "ok": true,
                "channel": body["channel"],
                "ts": body["ts"],
                "text": body["text"],
                "message": {"type": "message", "user": "U0BOT", "bot_id": "B0LEAD", "text": body["text"]},
            })),
            body["ts"].as_str().map(str::to_string),
        ),
        "conversations.open" => {
            let user = body["users"]
                .as_str()
                .map(str::to_string)
                .or_else(|| body["users"][0].as_str().map(str::to_string))
                .unwrap_or_default();
            let response = json_response(json!({"ok": true, "channel": {"id": dm_channel(&user)}}));
            (response, None)
        }
        "apps.connections.open" => {
            let mut inner = fake.inner.lock().unwrap();
            let response = match inner.socket_base.clone() {
                Some(base) => {
                    let ticket = format!("ticket-{}", inner.tickets.len() + 1);
                    inner.tickets.push(ticket.clone());
                    json!({"ok": true, "url": format!("{base}/link/?ticket={ticket}&app_id=A0LEAD")})
                }
                None => json!({"ok": false, "error": "internal_error"}),
            };
            (json_response(response), None)
        }
        _ => (
            json_response(json!({"ok": false, "error": "unknown_method"})),
            None,
        ),
    }
}

/// `v0=<hex HMAC-SHA256 of "v0:<timestamp>:<body>">` as Slack computes it.
pub fn slack_signature(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("v0:{timestamp}:{body}").as_bytes());
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

/// A request as Slack sends it to leadbot.
pub struct SlackRequest<'a> {
    /// "/slack/events"...
    pub path: &'a str,
    /// "application/json" or "application/x-www-form-urlencoded".
    pub content_type: &'a str,
    /// The raw body.
    pub body: String,
    /// `X-Slack-Request-Timestamp`.
    pub timestamp: i64,
    /// `X-Slack-Signature`.
    pub signature: String,
    /// Extra headers, e.g. `X-Slack-Retry-Num`.
    pub extra: Vec<(&'a str, String)>,
}

impl<'a> SlackRequest<'a> {
    /// A correctly signed request, timestamped now.
    pub fn signed(path: &'a str, content_type: &'a str, body: String) -> Self {
        let timestamp = chrono::Utc::now().timestamp();
        SlackRequest {
            path,
            content_type,
            signature: slack_signature(SIGNING_SECRET, timestamp, &body),
            body,
            timestamp,
            extra: Vec::new(),
        }
    }

    /// An Events API request.
    pub fn event(body: Value) -> Self {
        Self::signed("/slack/events", "application/json", body.to_string())
    }

    /// An interaction: the payload JSON as the `payload` form field.
    pub fn interaction(payload: Value) -> Self {
        let body: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("payload", &payload.to_string())
            .finish();
        Self::signed(
            "/slack/interactions",
            "application/x-www-form-urlencoded",
            body,
        )
    }

    /// A slash command's form body.
    pub fn command(fields: &[(&str, &str)]) -> Self {
        let mut form = form_urlencoded::Serializer::new(String::new());
        for (name, value) in fields {
            form.append_pair(name, value);
        }
        Self::signed(
            "/slack/commands",
            "application/x-www-form-urlencoded",
            form.finish(),
        )
    }

    /// Sends it over a fresh connection; returns the status and body.
    pub async fn send(&self, port: u16) -> (u16, String) {
        let (status, _, body) = self.send_for_headers(port).await;
        (status, body)
    }

    /// Sends it over a fresh connection; returns the status, the response's header lines
    /// (lower-cased) and the body.
    pub async fn send_for_headers(&self, port: u16) -> (u16, String, String) {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap();
        let mut head = format!(
            "POST {} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {}\r\nContent-Length: {}\r\n\
             X-Slack-Request-Timestamp: {}\r\nX-Slack-Signature: {}\r\nConnection: close\r\n",
            self.path,
            self.content_type,
            self.body.len(),
            self.timestamp,
            self.signature
        );
        for (name, value) in &self.extra {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes()).await.unwrap();
        stream.write_all(self.body.as_bytes()).await.unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await.unwrap();
        let text = String::from_utf8_lossy(&response).into_owned();
        let status = text
            .split_whitespace()
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or(0);
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((text.as_str(), ""));
        (status, head.to_lowercase(), body.to_string())
    }
}

/// An Events API envelope around `event`, as Slack sends it.
pub fn envelope(event_id: &str, event: Value) -> Value {
    json!({
        "token": "legacy-verification-token",
        "team_id": "T0LEAD",
        "context_team_id": "T0LEAD",
        "api_app_id": "A0LEAD",
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": chrono::Utc::now().timestamp(),
        "authorizations": [{"enterprise_id": null, "team_id": "T0LEAD", "user_id": "U0BOT", "is_bot": true, "is_enterprise_install": false}],
        "is_ext_shared_channel": false,
        "event_context": "4-eyJldCI6Im1lc3NhZ2UifQ",
    })
}

/// A prospect's direct message to the app.
pub fn direct_message(user: &str, text: &str, ts: &str) -> Value {
    json!({
        "client_msg_id": format!("m-{ts}"),
        "type": "message",
        "text": text,
        "user": user,
        "ts": ts,
        "team": "T0LEAD",
        "channel": dm_channel(user),
        "event_ts": ts,
        "channel_type": "im",
    })
}

/// The (action_id, value) of each button or select option of a posted message.
pub fn buttons(post: &Call) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for block in post.body["blocks"].as_array().into_iter().flatten() {
        for element in block["elements"].as_array().into_iter().flatten() {
            let id = element["action_id"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            if let Some(value) = element["value"].as_str() {
                found.push((id.clone(), value.to_string()));
            }
            for option in element["options"].as_array().into_iter().flatten() {
                found.push((
                    id.clone(),
                    option["value"].as_str().unwrap_or_default().to_string(),
                ));
            }
        }
    }
    found
}

/// A prospect's or rep's `block_actions` click on the button `action_id` of `post`, as Slack
/// sends it (over HTTP as the `payload` form field, over Socket Mode as an envelope's payload).
pub fn block_actions(
    user: &str,
    post: &Call,
    action_id: &str,
    value: &str,
    action_ts: &str,
) -> Value {
    let channel = post.body["channel"].as_str().unwrap();
    let label = post.body["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|block| block["elements"].as_array().cloned().unwrap_or_default())
        .find(|element| element["action_id"] == action_id)
        .map(|element| element["text"]["text"].clone())
        .unwrap();
    json!({
        "type": "block_actions",
        "user": {"id": user, "username": "dana", "name": "dana", "team_id": "T0LEAD"},
        "api_app_id": "A0LEAD",
        "token": "legacy-verification-token",
        "container": {"type": "message", "message_ts": post.ts, "channel_id": channel, "is_ephemeral": false},
        "trigger_id": format!("trigger-{action_ts}"),
        "team": {"id": "T0LEAD", "domain": "acme"},
        "enterprise": null,
        "is_enterprise_install": false,
        "channel": {"id": channel, "name": "directmessage"},
        "message": {
            "bot_id": "B0LEAD", "type": "message", "text": post.body["text"], "user": "U0BOT",
            "ts": post.ts, "team": "T0LEAD", "blocks": post.body["blocks"],
        },
        "state": {"values": {}},
        "response_url": "https://hooks.invalid/actions/T0LEAD/1/x",
        "actions": [{
            "action_id": action_id, "block_id": post.body["blocks"][1]["block_id"], "text": {"type": "plain_text", "text": label, "emoji": true},
            "value": value, "type": "button", "action_ts": action_ts,
        }],
    })
}
