//! A fake Slack Socket Mode server on 127.0.0.1: clients reach it through the fake Web API's
//! `apps.connections.open` (a `ws://` URL with a one-time ticket), are greeted with `hello`,
//! and get the envelopes a test sends — `events_api`, `interactive`, `slash_commands` — in
//! Slack's shapes. It records every frame a client sends back (the acknowledgements), whether
//! a client closed its connection with a close frame, and can send `disconnect` the way Slack
//! does before it recycles a connection.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};

use super::FakeSlack;

/// One client connection, in the order they arrived.
struct Connection {
    /// The ticket of the URL it connected with.
    ticket: String,
    /// `apps.connections.open` gave that ticket out.
    issued: bool,
    /// Frames to send it.
    outgoing: mpsc::UnboundedSender<Message>,
    /// The JSON text frames it sent.
    received: Vec<Value>,
    /// It sent a close frame.
    closed_by_client: bool,
    /// The connection is over (closed either way, or broken).
    ended: bool,
}

/// The fake Socket Mode server.
#[derive(Clone)]
pub struct FakeSocketMode {
    connections: Arc<Mutex<Vec<Connection>>>,
    changed: Arc<tokio::sync::Notify>,
    web: FakeSlack,
}

/// How long a test waits for what it expects before failing.
const PATIENCE: Duration = Duration::from_secs(20);

impl FakeSocketMode {
    /// Starts the server on a free port and points `web`'s `apps.connections.open` at it.
    pub async fn start(web: &FakeSlack) -> FakeSocketMode {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        web.serve_socket_mode_at(&format!("ws://127.0.0.1:{port}"));
        let fake = FakeSocketMode {
            connections: Arc::default(),
            changed: Arc::default(),
            web: web.clone(),
        };
        let accepting = fake.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(accepting.clone().serve(stream));
            }
        });
        fake
    }

    async fn serve(self, stream: tokio::net::TcpStream) {
        let mut path = String::new();
        #[expect(
            clippy::result_large_err,
            reason = "the signature of tungstenite's handshake callback"
        )]
        let handshake =
            tokio_tungstenite::accept_hdr_async(stream, |request: &Request, response: Response| {
                path = request.uri().to_string();
                Ok(response)
            })
            .await;
        let Ok(socket) = handshake else {
            return;
        };
        let ticket = path
            .split_once("ticket=")
            .map(|(_, rest)| rest.split('&').next().unwrap_or_default().to_string())
            .unwrap_or_default();
        let issued = self.web.issued(&ticket);
        let (mut sink, mut stream) = socket.split();
        let (outgoing, mut to_send) = mpsc::unbounded_channel();
        let (index, open) = {
            let mut connections = self.connections.lock().unwrap();
            let open = 1 + connections.iter().filter(|c| !c.ended).count();
            connections.push(Connection {
                ticket,
                issued,
                outgoing: outgoing.clone(),
                received: Vec::new(),
                closed_by_client: false,
                ended: false,
            });
            (connections.len() - 1, open)
        };
        tokio::spawn(async move {
            while let Some(message) = to_send.recv().await {
                if sink.send(message).await.is_err() {
                    break;
                }
            }
        });
        let _ = outgoing.send(Message::Text(hello(open).to_string()));
        self.changed.notify_waiters();
        while let Some(message) = stream.next().await {
            let mut connections = self.connections.lock().unwrap();
            let connection = &mut connections[index];
            match message {
                Ok(Message::Text(text)) => connection
                    .received
                    .push(serde_json::from_str(&text).unwrap_or(Value::String(text))),
                Ok(Message::Close(_)) => connection.closed_by_client = true,
                Ok(_) => {}
                Err(_) => break,
            }
            drop(connections);
            self.changed.notify_waiters();
        }
        self.connections.lock().unwrap()[index].ended = true;
        self.changed.notify_waiters();
    }

    /// Waits until `done` holds, or fails the test naming `what`.
    async fn until<T>(&self, what: &str, done: impl Fn(&[Connection]) -> Option<T>) -> T {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let changed = self.changed.notified();
            if let Some(found) = done(&self.connections.lock().unwrap()) {
                return found;
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                let seen = {
                    let connections = self.connections.lock().unwrap();
                    let seen: Vec<_> = connections
                        .iter()
                        .map(|c| (&c.ticket, &c.received, c.closed_by_client, c.ended))
                        .collect();
                    format!("{seen:#?}")
                };
                panic!("timed out waiting for {what}; connections: {seen}");
            }
        }
    }

    /// How many clients have connected so far.
    pub fn connection_count(&self) -> usize {
        self.connections.lock().unwrap().len()
    }

    /// Waits until connection number `index` (from 0) is open, and checks that the client
    /// connected with a URL `apps.connections.open` gave out.
    pub async fn connected(&self, index: usize) {
        let issued = self
            .until(&format!("connection {index}"), |connections| {
                connections.get(index).map(|connection| connection.issued)
            })
            .await;
        assert!(
            issued,
            "connection {index} used a URL that was never given out"
        );
    }

    /// Sends `frame` on connection `index`.
    pub fn send(&self, index: usize, frame: &Value) {
        let connections = self.connections.lock().unwrap();
        connections[index]
            .outgoing
            .send(Message::Text(frame.to_string()))
            .unwrap();
    }

    /// Waits for the acknowledgement of `envelope_id` and returns it with the number of the
    /// connection it came on.
    pub async fn ack(&self, envelope_id: &str) -> (usize, Value) {
        self.until(&format!("the ack of {envelope_id}"), |connections| {
            connections
                .iter()
                .enumerate()
                .find_map(|(index, connection)| {
                    connection
                        .received
                        .iter()
                        .find(|frame| frame["envelope_id"] == envelope_id)
                        .map(|frame| (index, frame.clone()))
                })
        })
        .await
    }

    /// Every frame the clients sent about `envelope_id`.
    pub fn acks_of(&self, envelope_id: &str) -> Vec<Value> {
        self.connections
            .lock()
            .unwrap()
            .iter()
            .flat_map(|connection| connection.received.iter())
            .filter(|frame| frame["envelope_id"] == envelope_id)
            .cloned()
            .collect()
    }

    /// Waits until the client closed connection `index` with a close frame.
    pub async fn closed_by_client(&self, index: usize) {
        self.until(
            &format!("the client to close connection {index}"),
            |connections| {
                connections
                    .get(index)
                    .is_some_and(|connection| connection.closed_by_client)
                    .then_some(())
            },
        )
        .await;
    }

    /// Whether connection `index` is over.
    pub fn ended(&self, index: usize) -> bool {
        self.connections.lock().unwrap()[index].ended
    }
}

/// Slack's greeting on a new connection; `connections` counts the app's open connections.
pub fn hello(connections: usize) -> Value {
    json!({
        "type": "hello",
        "num_connections": connections,
        "debug_info": {"host": "applink-fake", "build_number": 1, "approximate_connection_time": 18060},
        "connection_info": {"app_id": "A0LEAD"},
    })
}

/// Slack's notice that it will close this connection; `refresh_requested` asks the client to
/// open a new one now.
pub fn disconnect(reason: &str) -> Value {
    json!({"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-fake"}})
}

/// An Events API delivery: `payload` is the `event_callback` body that would be POSTed over
/// HTTP. A redelivery of an envelope that was not acknowledged in time has `retry_attempt` ≥ 1
/// and a `retry_reason`.
pub fn events_api(envelope_id: &str, retry_attempt: u32, payload: Value) -> Value {
    json!({
        "envelope_id": envelope_id,
        "payload": payload,
        "type": "events_api",
        "accepts_response_payload": false,
        "retry_attempt": retry_attempt,
        "retry_reason": if retry_attempt == 0 { "" } else { "timeout" },
    })
}

/// An interaction (e.g. `block_actions`): `payload` is what HTTP sends as the `payload` field.
pub fn interactive(envelope_id: &str, payload: Value) -> Value {
    json!({
        "envelope_id": envelope_id,
        "payload": payload,
        "type": "interactive",
        "accepts_response_payload": false,
    })
}

/// A slash command: `payload` has the fields HTTP sends as a form, as JSON strings. Its
/// acknowledgement may carry the response (`{"envelope_id", "payload": {"text", …}}`).
pub fn slash_commands(envelope_id: &str, payload: Value) -> Value {
    json!({
        "envelope_id": envelope_id,
        "payload": payload,
        "type": "slash_commands",
        "accepts_response_payload": true,
    })
}
