//! A fake Discord on 127.0.0.1 for the Discord channel's tests and benchmark: a REST API that
//! records every call (and can answer 429 or 500 on demand, and enforces message nonces like
//! Discord), and a gateway WebSocket server speaking the protocol serenity expects — HELLO,
//! IDENTIFY → READY, heartbeats and ACKs, dispatches, RECONNECT, RESUME with replay.
#![allow(
    dead_code,
    reason = "the tests and the benchmark each use part of the fake"
)]

pub mod frames;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message as WsMessage;

/// The bot's user id and application id in the fake.
pub const BOT_ID: u64 = 1_100_000_000_000_000_001;
/// The application id.
pub const APPLICATION_ID: u64 = 1_100_000_000_000_000_002;
/// The token leadbot must present.
pub const TOKEN: &str = "fake-bot-token.abc.def";

/// One REST call as received.
#[derive(Debug, Clone)]
pub struct Call {
    /// When it arrived.
    pub at: Instant,
    /// HTTP method.
    pub method: String,
    /// Path, e.g. `/api/v10/channels/1/messages`.
    pub path: String,
    /// The JSON body (`Null` if none).
    pub body: Value,
    /// The Authorization header.
    pub authorization: String,
    /// The status answered.
    pub status: u16,
}

/// A message the fake accepted.
#[derive(Debug, Clone)]
pub struct Posted {
    /// Its id.
    pub id: u64,
    /// Where.
    pub channel_id: u64,
    /// The message object answered (what Discord stores).
    pub message: Value,
}

/// What the next message create answers instead of succeeding.
#[derive(Debug, Clone, Copy)]
pub enum Failure {
    /// 429 with this `retry_after` in seconds (not accepted).
    RateLimited(f64),
    /// 500 after accepting the message (its fate unknown to the caller).
    ErrorAfterAccepting,
}

#[derive(Default)]
struct Rest {
    calls: Vec<Call>,
    posted: Vec<Posted>,
    nonces: HashMap<(u64, String), Value>,
    failures: VecDeque<Failure>,
    threads: HashMap<u64, u64>,
    dm_channels: HashMap<u64, u64>,
    answered_interactions: HashMap<String, Value>,
    next_id: u64,
    posted_per_channel: HashMap<u64, usize>,
    /// Every message people wrote (dispatched as MESSAGE_CREATE), by channel: what
    /// `GET /channels/{id}/messages` reads, beside the bot's own posts.
    written: HashMap<u64, Vec<Value>>,
    /// Bumped on every accepted message, for waiters.
    post_signal: Option<tokio::sync::watch::Sender<u64>>,
}

/// One connection's commands from the test.
enum Command {
    Send(Value),
    Drop,
    Reconnect,
}

#[derive(Default)]
struct Gateway {
    /// Every dispatch of the current session, by sequence number.
    log: Vec<(u64, Value)>,
    seq: u64,
    session_id: Option<String>,
    identifies: usize,
    resumes: Vec<(String, u64)>,
    heartbeats: usize,
    readies: usize,
    resumed: usize,
    connection: Option<mpsc::UnboundedSender<Command>>,
    /// On the next RESUME, also replay this many events the client had already seen.
    replay_seen: u64,
    identify_payloads: Vec<Value>,
}

/// The fake Discord.
#[derive(Clone)]
pub struct FakeDiscord {
    /// Base URL for `DISCORD_API_URL`.
    pub api_url: String,
    /// The gateway's URL.
    pub gateway_url: String,
    rest: Arc<Mutex<Rest>>,
    gateway: Arc<Mutex<Gateway>>,
    bot: Value,
}

type Shared = (Arc<Mutex<Rest>>, Value, String);

impl FakeDiscord {
    /// Starts the REST API and the gateway on free ports.
    pub async fn start() -> FakeDiscord {
        let gateway_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let gateway_url = format!("ws://{}", gateway_listener.local_addr().unwrap());
        let rest = Arc::new(Mutex::new(Rest {
            next_id: frames::snowflake(
                u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap(),
                0,
            ),
            post_signal: Some(tokio::sync::watch::channel(0).0),
            ..Rest::default()
        }));
        let bot = frames::user(BOT_ID, "Leadbot", true);
        let app = Router::new().fallback(rest_call).with_state((
            rest.clone(),
            bot.clone(),
            gateway_url.clone(),
        ));
        let rest_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let api_url = format!("http://{}", rest_listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(rest_listener, app).await });
        let gateway = Arc::new(Mutex::new(Gateway::default()));
        let fake = FakeDiscord {
            api_url,
            gateway_url,
            rest,
            gateway: gateway.clone(),
            bot,
        };
        let accepting = fake.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = gateway_listener.accept().await {
                let fake = accepting.clone();
                tokio::spawn(async move { fake.serve_connection(stream).await });
            }
        });
        fake
    }

    /// The bot's user object.
    pub fn bot(&self) -> &Value {
        &self.bot
    }

    async fn serve_connection(&self, stream: tokio::net::TcpStream) {
        let Ok(socket) = tokio_tungstenite::accept_async(stream).await else {
            return;
        };
        let (mut sink, mut source) = socket.split();
        let (commands, mut incoming_commands) = mpsc::unbounded_channel();
        let send = |frame: &Value| WsMessage::Text(frame.to_string());
        if sink.send(send(&frames::hello(1_000))).await.is_err() {
            return;
        }
        loop {
            tokio::select! {
                command = incoming_commands.recv() => match command {
                    Some(Command::Send(frame)) => {
                        if sink.send(send(&frame)).await.is_err() {
                            return;
                        }
                    }
                    Some(Command::Reconnect) => {
                        let _ = sink.send(send(&frames::reconnect())).await;
                    }
                    Some(Command::Drop) | None => return,
                },
                frame = source.next() => {
                    let Some(Ok(frame)) = frame else { return };
                    let WsMessage::Text(text) = frame else { continue };
                    let Ok(frame) = serde_json::from_str::<Value>(&text) else { return };
                    for reply in self.on_frame(&frame, &commands) {
                        if sink.send(send(&reply)).await.is_err() {
                            return;
                        }
                    }
                }
            }
        }
    }

    /// The frames the gateway answers a client's frame with.
    fn on_frame(&self, frame: &Value, commands: &mpsc::UnboundedSender<Command>) -> Vec<Value> {
        let mut gateway = self.gateway.lock().unwrap();
        match frame["op"].as_u64() {
            Some(1) => {
                gateway.heartbeats += 1;
                vec![frames::heartbeat_ack()]
            }
            Some(2) => {
                assert_eq!(
                    frame["d"]["token"]
                        .as_str()
                        .map(|token| token.trim_start_matches("Bot ")),
                    Some(TOKEN),
                    "IDENTIFY with the bot token"
                );
                gateway.identifies += 1;
                gateway.identify_payloads.push(frame["d"].clone());
                let session_id = format!("fake-session-{}", gateway.identifies);
                gateway.session_id = Some(session_id.clone());
                gateway.log.clear();
                gateway.seq = 1;
                gateway.readies += 1;
                gateway.connection = Some(commands.clone());
                let shard = frame["d"]["shard"]
                    .as_array()
                    .map(|shard| {
                        [
                            shard[0].as_u64().unwrap_or(0) as u32,
                            shard[1].as_u64().unwrap_or(1) as u32,
                        ]
                    })
                    .unwrap_or([0, 1]);
                let ready = frames::ready(
                    &self.bot,
                    APPLICATION_ID,
                    &session_id,
                    &self.gateway_url,
                    shard,
                );
                vec![frames::dispatch(1, "READY", ready)]
            }
            Some(6) => {
                let session = frame["d"]["session_id"].as_str().unwrap_or("").to_string();
                let seq = frame["d"]["seq"].as_u64().unwrap_or(0);
                assert_eq!(
                    frame["d"]["token"]
                        .as_str()
                        .map(|token| token.trim_start_matches("Bot ")),
                    Some(TOKEN),
                    "RESUME with the bot token"
                );
                gateway.resumes.push((session.clone(), seq));
                if gateway.session_id.as_deref() != Some(session.as_str()) {
                    return vec![frames::invalid_session(false)];
                }
                gateway.connection = Some(commands.clone());
                let from = seq.saturating_sub(std::mem::take(&mut gateway.replay_seen));
                let mut replies: Vec<Value> = gateway
                    .log
                    .iter()
                    .filter(|(sent, _)| *sent > from)
                    .map(|(_, frame)| frame.clone())
                    .collect();
                gateway.seq += 1;
                gateway.resumed += 1;
                let resumed = frames::dispatch(
                    gateway.seq,
                    "RESUMED",
                    json!({ "_trace": ["[\"gateway-prd-fake\",{\"micros\":1.0}]"] }),
                );
                replies.push(resumed);
                replies
            }
            _ => Vec::new(),
        }
    }

    /// Dispatches an event to the connected client (or keeps it for the next RESUME when the
    /// connection is down, as Discord does); returns its sequence number.
    pub fn dispatch(&self, event: &str, data: Value) -> u64 {
        let mut gateway = self.gateway.lock().unwrap();
        gateway.seq += 1;
        let seq = gateway.seq;
        if event == "MESSAGE_CREATE"
            && let Some(channel) = data["channel_id"].as_str().and_then(|id| id.parse().ok())
        {
            let mut rest = self.rest.lock().unwrap();
            rest.written.entry(channel).or_default().push(data.clone());
        }
        let frame = frames::dispatch(seq, event, data);
        gateway.log.push((seq, frame.clone()));
        if let Some(connection) = &gateway.connection {
            let _ = connection.send(Command::Send(frame));
        }
        seq
    }

    /// Drops the TCP connection without a close frame (a network failure).
    pub fn drop_connection(&self) {
        let mut gateway = self.gateway.lock().unwrap();
        if let Some(connection) = gateway.connection.take() {
            let _ = connection.send(Command::Drop);
        }
    }

    /// Sends RECONNECT (op 7): the client must reconnect and RESUME.
    pub fn ask_to_reconnect(&self) {
        let mut gateway = self.gateway.lock().unwrap();
        if let Some(connection) = gateway.connection.take() {
            let _ = connection.send(Command::Reconnect);
        }
    }

    /// On the next RESUME, replay `count` events the client had already received too.
    pub fn replay_seen_on_resume(&self, count: u64) {
        self.gateway.lock().unwrap().replay_seen = count;
    }

    /// IDENTIFYs, RESUMEs (session, seq) and heartbeats received so far.
    pub fn gateway_counts(&self) -> (usize, Vec<(String, u64)>, usize) {
        let gateway = self.gateway.lock().unwrap();
        (
            gateway.identifies,
            gateway.resumes.clone(),
            gateway.heartbeats,
        )
    }

    /// The `d` of every IDENTIFY.
    pub fn identify_payloads(&self) -> Vec<Value> {
        self.gateway.lock().unwrap().identify_payloads.clone()
    }

    /// True once a READY was sent and the connection is up.
    pub fn connected(&self) -> bool {
        let gateway = self.gateway.lock().unwrap();
        gateway.readies > 0 && gateway.connection.is_some()
    }

    /// RESUMED events sent.
    pub fn resumed_count(&self) -> usize {
        self.gateway.lock().unwrap().resumed
    }

    /// Makes the next message creates fail, in order.
    pub fn fail_next_posts(&self, failures: &[Failure]) {
        self.rest
            .lock()
            .unwrap()
            .failures
            .extend(failures.iter().copied());
    }

    /// Every REST call so far.
    pub fn calls(&self) -> Vec<Call> {
        self.rest.lock().unwrap().calls.clone()
    }

    /// Every message accepted so far.
    pub fn posted(&self) -> Vec<Posted> {
        self.rest.lock().unwrap().posted.clone()
    }

    /// Messages accepted in `channel_id`.
    pub fn posted_in(&self, channel_id: u64) -> Vec<Posted> {
        self.posted()
            .into_iter()
            .filter(|posted| posted.channel_id == channel_id)
            .collect()
    }

    /// Waits until `count` messages were accepted in `channel_id` (no timeout: for the
    /// benchmark, whose prospects wait for the bot like people do).
    pub async fn wait_posted(&self, channel_id: u64, count: usize) {
        let mut signal = {
            let rest = self.rest.lock().unwrap();
            rest.post_signal.as_ref().unwrap().subscribe()
        };
        loop {
            let posted = {
                let rest = self.rest.lock().unwrap();
                rest.posted_per_channel
                    .get(&channel_id)
                    .copied()
                    .unwrap_or(0)
            };
            if posted >= count {
                return;
            }
            if signal.changed().await.is_err() {
                return;
            }
        }
    }

    /// The DM channel the fake opened for `user`, if any.
    pub fn dm_channel_of(&self, user: u64) -> Option<u64> {
        self.rest.lock().unwrap().dm_channels.get(&user).copied()
    }

    /// Interaction callbacks received, by interaction id.
    pub fn interaction_answers(&self) -> HashMap<String, Value> {
        self.rest.lock().unwrap().answered_interactions.clone()
    }

    /// Threads opened: thread id → parent channel.
    pub fn threads(&self) -> HashMap<u64, u64> {
        self.rest.lock().unwrap().threads.clone()
    }

    /// A fresh snowflake (for prospects' messages and interactions), later than any before;
    /// made from the current time, as Discord's are (leadbot reads times from snowflakes).
    pub fn next_id(&self) -> u64 {
        let mut rest = self.rest.lock().unwrap();
        rest.next_id += 1;
        rest.next_id
    }
}

/// Waits until `condition` holds, polling; panics with `what` after 30 s.
pub async fn eventually(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn answer(status: StatusCode, body: Value) -> Response {
    (
        status,
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

async fn rest_call(
    State((rest, bot, gateway_url)): State<Shared>,
    method: Method,
    uri: Uri,
    headers: axum::http::HeaderMap,
    body: Bytes,
) -> Response {
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let authorization = headers
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .unwrap_or("")
        .to_string();
    let path = uri.path().to_string();
    let (status, response) = if authorization != format!("Bot {TOKEN}") {
        (
            StatusCode::UNAUTHORIZED,
            json!({ "message": "401: Unauthorized", "code": 0 }),
        )
    } else {
        let mut rest = rest.lock().unwrap();
        route(
            &mut rest,
            &bot,
            &gateway_url,
            &method,
            (&path, uri.query().unwrap_or("")),
            &body,
        )
    };
    rest.lock().unwrap().calls.push(Call {
        at: Instant::now(),
        method: method.to_string(),
        path,
        body,
        authorization,
        status: status.as_u16(),
    });
    let retry_after = response["retry_after"].as_f64();
    let mut response = answer(status, response);
    if let Some(seconds) = retry_after {
        let headers = response.headers_mut();
        headers.insert("retry-after", seconds.ceil().to_string().parse().unwrap());
        headers.insert("x-ratelimit-scope", "user".parse().unwrap());
    }
    response
}

/// `GET /channels/{id}/messages?after=…&limit=…`: the messages written and posted there after
/// the id, newest first, as Discord answers.
fn channel_messages(rest: &Rest, channel: u64, query: &str) -> Value {
    let parameter = |name: &str| {
        form_urlencoded::parse(query.as_bytes())
            .find(|(key, _)| key == name)
            .and_then(|(_, value)| value.parse::<u64>().ok())
    };
    let after = parameter("after").unwrap_or(0);
    let limit = parameter("limit").unwrap_or(50).min(100) as usize;
    let id_of = |message: &Value| {
        message["id"]
            .as_str()
            .and_then(|id| id.parse::<u64>().ok())
            .unwrap_or(0)
    };
    let mut messages: Vec<Value> = rest
        .written
        .get(&channel)
        .into_iter()
        .flatten()
        .cloned()
        .chain(
            rest.posted
                .iter()
                .filter(|posted| posted.channel_id == channel)
                .map(|posted| posted.message.clone()),
        )
        .filter(|message| id_of(message) > after)
        .collect();
    messages.sort_by_key(|message| std::cmp::Reverse(id_of(message)));
    messages.truncate(limit);
    Value::Array(messages)
}

fn route(
    rest: &mut Rest,
    bot: &Value,
    gateway_url: &str,
    method: &Method,
    (path, query): (&str, &str),
    body: &Value,
) -> (StatusCode, Value) {
    let segments: Vec<&str> = path.trim_start_matches("/api/v10/").split('/').collect();
    let id = |text: &str| text.parse::<u64>().unwrap_or(0);
    match (method.as_str(), segments.as_slice()) {
        ("GET", ["gateway"]) => (StatusCode::OK, json!({ "url": gateway_url })),
        ("GET", ["gateway", "bot"]) => (
            StatusCode::OK,
            json!({
                "url": gateway_url,
                "shards": 1,
                "session_start_limit": { "total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1 }
            }),
        ),
        ("GET", ["channels", channel, "messages"]) => {
            (StatusCode::OK, channel_messages(rest, id(channel), query))
        }
        ("POST", ["channels", channel, "messages"]) => {
            let channel = id(channel);
            match rest.failures.pop_front() {
                Some(Failure::RateLimited(seconds)) => {
                    return (
                        StatusCode::TOO_MANY_REQUESTS,
                        json!({ "message": "You are being rate limited.", "retry_after": seconds, "global": false }),
                    );
                }
                Some(Failure::ErrorAfterAccepting) => {
                    post_message(rest, bot, channel, body);
                    return (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        json!({ "message": "500: Internal Server Error", "code": 0 }),
                    );
                }
                None => {}
            }
            (StatusCode::OK, post_message(rest, bot, channel, body))
        }
        ("PATCH", ["channels", channel, "messages", message]) => (
            StatusCode::OK,
            frames::created_message(id(message), id(channel), bot, body),
        ),
        ("POST", ["channels", channel, "messages", message, "threads"]) => {
            let (channel, thread) = (id(channel), id(message));
            if rest.threads.contains_key(&thread) {
                return (
                    StatusCode::BAD_REQUEST,
                    json!({ "message": "A thread has already been created for this message", "code": 160004 }),
                );
            }
            rest.threads.insert(thread, channel);
            (
                StatusCode::CREATED,
                json!({
                    "id": thread.to_string(), "type": 11, "parent_id": channel.to_string(),
                    "name": body["name"], "owner_id": BOT_ID.to_string(),
                    "thread_metadata": { "archived": false, "auto_archive_duration": body["auto_archive_duration"], "locked": false, "archive_timestamp": frames::snowflake_timestamp(thread) },
                    "message_count": 0, "member_count": 1, "rate_limit_per_user": 0, "flags": 0
                }),
            )
        }
        ("POST", ["users", "@me", "channels"]) => {
            let user = id(body["recipient_id"].as_str().unwrap_or("0"));
            rest.next_id += 1;
            let fresh = rest.next_id;
            let channel = *rest.dm_channels.entry(user).or_insert(fresh);
            (
                StatusCode::OK,
                json!({ "id": channel.to_string(), "type": 1, "last_message_id": null, "flags": 0,
                        "recipients": [frames::user(user, "Someone", false)] }),
            )
        }
        ("POST", ["interactions", interaction, _token, "callback"]) => {
            let interaction = interaction.to_string();
            if rest.answered_interactions.contains_key(&interaction) {
                return (
                    StatusCode::BAD_REQUEST,
                    json!({ "message": "Interaction has already been acknowledged.", "code": 40060 }),
                );
            }
            rest.answered_interactions.insert(interaction, body.clone());
            (StatusCode::NO_CONTENT, Value::Null)
        }
        ("PATCH", ["webhooks", _, _token, "messages", "@original"]) => {
            rest.next_id += 1;
            (
                StatusCode::OK,
                frames::created_message(rest.next_id, 0, bot, body),
            )
        }
        ("POST", ["webhooks", _, _token]) => {
            rest.next_id += 1;
            (
                StatusCode::OK,
                frames::created_message(rest.next_id, 0, bot, body),
            )
        }
        ("PUT", ["applications", _, "commands"])
        | ("PUT", ["applications", _, "guilds", _, "commands"]) => {
            let commands: Vec<Value> = body
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(|mut command| {
                    rest.next_id += 1;
                    command["id"] = json!(rest.next_id.to_string());
                    command["application_id"] = json!(APPLICATION_ID.to_string());
                    command["version"] = json!(rest.next_id.to_string());
                    command
                })
                .collect();
            (StatusCode::OK, Value::Array(commands))
        }
        _ => (
            StatusCode::NOT_FOUND,
            json!({ "message": "404: Not Found", "code": 0 }),
        ),
    }
}

/// Creates a message, or returns the one created earlier with the same nonce when the request
/// enforces nonces (as Discord does for a few minutes).
fn post_message(rest: &mut Rest, bot: &Value, channel: u64, body: &Value) -> Value {
    let nonce = body["nonce"].as_str().map(str::to_string);
    if body["enforce_nonce"] == json!(true)
        && let Some(nonce) = &nonce
        && let Some(existing) = rest.nonces.get(&(channel, nonce.clone()))
    {
        return existing.clone();
    }
    rest.next_id += 1;
    let id = rest.next_id;
    let message = frames::created_message(id, channel, bot, body);
    if let Some(nonce) = nonce {
        rest.nonces.insert((channel, nonce), message.clone());
    }
    rest.posted.push(Posted {
        id,
        channel_id: channel,
        message: message.clone(),
    });
    *rest.posted_per_channel.entry(channel).or_default() += 1;
    if let Some(signal) = &rest.post_signal {
        signal.send_modify(|count| *count += 1);
    }
    message
}
