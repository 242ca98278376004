//! Purpose: Socket Mode, for installs without a public URL — Slack delivers events,
//! interactions and slash commands as envelopes over WebSockets opened with the app-level token
//! (`SLACK_APP_TOKEN`), and each envelope is acknowledged on its connection once handled. The
//! payloads go to the same readers and handlers as the HTTP endpoints, so each handler waits
//! at most [`ACK_BUDGET`](super::endpoints::ACK_BUDGET) before the acknowledgement.
//!
//! slack-morphism's clients manager keeps the connections (`apps.connections.open`, pings,
//! reconnecting); what arrives on them is read, logged and acknowledged here, by [`Envelopes`].
//! slack-morphism's own listener is not used: it gives no hook for Slack's `disconnect` (so a
//! reconnection could not be logged), reads a `disconnect` without `debug_info` as a protocol
//! error and does not reconnect, and decides acknowledgements by the error handler's HTTP
//! status rather than per envelope.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;

use serde::Deserialize;
use serde_json::{Value, json};
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;
use slack_morphism::socket_mode::clients_manager::{
    SlackSocketModeClientsManager, SlackSocketModeClientsManagerFactory,
};

use super::inbound::{self, EventAction, InteractionAction};
use super::{SlackApp, endpoints, web};
use crate::secret::Secret;

/// How long [`SocketMode::stop`] gives the connections to send their close frames:
/// slack-morphism's shutdown only signals its connection tasks and offers nothing to await.
const CLOSE_GRACE: Duration = Duration::from_millis(200);

/// The clients manager, as slack-morphism hands it out.
type Clients = dyn SlackSocketModeClientsManager + Send + Sync;

/// Socket Mode while it runs. It holds the only strong reference to slack-morphism's clients
/// manager: the connections' tasks reach it through a weak one, so once this value is dropped
/// they can neither hand an envelope to leadbot nor reconnect. Keep it for as long as the
/// server runs, and [`stop`](Self::stop) it before the store closes.
pub struct SocketMode {
    clients: Arc<Clients>,
    envelopes: Arc<Envelopes>,
}

impl std::fmt::Debug for SocketMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SocketMode(<connections>)")
    }
}

/// Socket Mode's name in `/readyz`: not ready while the socket is not connected.
const HEALTH: &str = "slack socket mode";

impl SocketMode {
    /// Opens slack-morphism's connections (two, the second a few seconds after the first, so
    /// one is open while the other reconnects) with the app-level token.
    pub async fn start(app: Arc<SlackApp>, app_token: &Secret) -> Result<Self, SlackClientError> {
        crate::health::expect(HEALTH);
        let connector = web::connector(&app.config.api_url);
        let client = Arc::new(SlackClient::new(connector.clone()));
        let clients = connector
            .new_clients_manager(Arc::new(SlackClientEventsListenerEnvironment::new(client)));
        let envelopes = Arc::new(Envelopes {
            app,
            clients: Arc::downgrade(&clients),
            greeted: Mutex::default(),
            stopping: AtomicBool::new(false),
        });
        let token = SlackApiToken::new(SlackApiTokenValue::new(app_token.expose().to_string()));
        clients
            .register_new_token(
                &SlackClientSocketModeConfig::new(),
                token,
                envelopes.clone(),
            )
            .await?;
        clients.start().await;
        tracing::info!("Socket Mode connecting");
        Ok(SocketMode { clients, envelopes })
    }

    /// Stops taking envelopes (one that arrives now is left unacknowledged, so Slack delivers
    /// it again) and closes the connections.
    pub async fn stop(self) {
        self.envelopes.stopping.store(true, Ordering::SeqCst);
        self.clients.shutdown().await;
        tokio::time::sleep(CLOSE_GRACE).await;
        tracing::info!("Socket Mode stopped");
    }
}

/// Reads what arrives on the connections, runs it and says what to send back.
struct Envelopes {
    app: Arc<SlackApp>,
    /// Weak: the manager owns the connections, which own this.
    clients: Weak<Clients>,
    /// The connection slots that said hello before: a later hello is a reconnection.
    greeted: Mutex<HashSet<u32>>,
    /// Set by [`SocketMode::stop`].
    stopping: AtomicBool,
}

/// A connection's name in the log ("slot/token/reconnections").
fn label(connection: &SlackSocketModeWssClientId) -> String {
    connection.to_string()
}

impl Envelopes {
    fn stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    async fn reconnect(&self, connection: &SlackSocketModeWssClientId) {
        if self.stopping() {
            return;
        }
        crate::health::disconnected(HEALTH, "reconnecting");
        if let Some(clients) = self.clients.upgrade() {
            clients.restart_client(connection).await;
        }
    }

    fn hello(&self, connection: &SlackSocketModeWssClientId, connections: Option<u32>) {
        let first = self
            .greeted
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(connection.initial_index);
        crate::health::connected(HEALTH);
        let connection = label(connection);
        if first {
            tracing::info!(%connection, connections, "Socket Mode connected");
        } else {
            tracing::info!(%connection, connections, "Socket Mode reconnected");
        }
    }

    /// Runs an envelope; returns its acknowledgement, or `None` when its work was not stored
    /// (within the budget): unacknowledged, it is delivered again.
    async fn answer(&self, envelope: Envelope) -> Option<String> {
        let app = self.app.clone();
        let response = match envelope.kind {
            EnvelopeKind::Event => {
                run_event(app, &envelope.payload).await?;
                None
            }
            EnvelopeKind::Interaction => {
                run_interaction(app, &envelope.payload).await?;
                None
            }
            EnvelopeKind::Command => Some(run_command(app, &envelope.payload).await?),
        };
        Some(ack(&envelope.id, response))
    }
}

#[async_trait::async_trait]
impl SlackSocketModeClientListener for Envelopes {
    async fn on_message(
        &self,
        connection: &SlackSocketModeWssClientId,
        message: String,
    ) -> Option<String> {
        if self.stopping() {
            return None;
        }
        match read_frame(&message) {
            Ok(Frame::Hello { connections }) => {
                self.hello(connection, connections);
                None
            }
            Ok(Frame::Disconnect { reason }) => {
                let connection_label = label(connection);
                tracing::info!(connection = %connection_label, reason, "Slack closes a Socket Mode connection; reconnecting");
                self.reconnect(connection).await;
                None
            }
            Ok(Frame::Envelope(envelope)) => {
                let id = envelope.id.clone();
                let acknowledged = self.answer(envelope).await;
                if acknowledged.is_none() {
                    tracing::warn!(envelope = %id, "a Socket Mode envelope was not stored; left unacknowledged for Slack to deliver again");
                }
                acknowledged
            }
            Ok(Frame::Other { kind, envelope_id }) => {
                tracing::debug!(kind, "a Socket Mode message leadbot does not use");
                envelope_id.map(|id| ack(&id, None))
            }
            Err(error) => {
                let connection = label(connection);
                tracing::error!(%connection, %error, "unreadable Socket Mode message");
                None
            }
        }
    }

    async fn on_error(&self, error: Box<dyn std::error::Error + Send + Sync>) {
        tracing::error!(%error, "Socket Mode connection error");
    }

    async fn on_disconnect(&self, connection: &SlackSocketModeWssClientId) {
        if self.stopping() {
            return;
        }
        let connection_label = label(connection);
        tracing::info!(connection = %connection_label, "a Socket Mode connection closed; reconnecting");
        self.reconnect(connection).await;
    }
}

/// `Some` when the work's outcome may be acknowledged: it was stored (or there was nothing to
/// store); `None` when it failed or did not finish within the budget.
fn stored<T, E>(outcome: Option<Result<T, E>>) -> Option<T> {
    outcome.and_then(Result::ok)
}

/// Runs an event; `None` when its turn was not stored.
async fn run_event(app: Arc<SlackApp>, payload: &Value) -> Option<()> {
    let read =
        serde_json::to_vec(payload).and_then(|body| inbound::event(&body, app.config.mention_mode));
    match read {
        Ok(EventAction::Turn(turn)) => {
            stored(endpoints::within_budget(async move { app.run_turn(*turn).await }).await)?;
        }
        Ok(EventAction::Challenge(_)) => {}
        Ok(EventAction::Ignore(why)) => tracing::debug!(why, "Slack event ignored"),
        Err(error) => tracing::warn!(%error, "unreadable Socket Mode event"),
    }
    Some(())
}

/// Runs an interaction; `None` when its turn or hand-off answer was not stored.
async fn run_interaction(app: Arc<SlackApp>, payload: &Value) -> Option<()> {
    match inbound::interaction(&payload.to_string()) {
        Ok(InteractionAction::Turn(turn)) => {
            stored(endpoints::within_budget(async move { app.run_turn(*turn).await }).await)?;
        }
        Ok(InteractionAction::Handoff(click)) => {
            stored(endpoints::within_budget(async move { app.answer_handoff(click).await }).await)?;
        }
        Ok(InteractionAction::HandBack { lead_id, user }) => {
            stored(
                endpoints::within_budget(async move { app.hand_back(lead_id, &user).await }).await,
            )?;
        }
        Ok(InteractionAction::Close(click)) => {
            stored(endpoints::within_budget(async move { app.close_handoff(click).await }).await)?;
        }
        Ok(InteractionAction::Ignore(why)) => tracing::debug!(why, "Slack interaction ignored"),
        Err(error) => tracing::warn!(%error, "unreadable Socket Mode interaction"),
    }
    Some(())
}

/// Runs a slash command; returns the response the acknowledgement carries, the body the HTTP
/// endpoint answers with, or `None` when the new dialogue was not stored.
async fn run_command(app: Arc<SlackApp>, payload: &Value) -> Option<Value> {
    let text = match inbound::command(&command_fields(payload), &app.config.command) {
        Ok(Some(command)) => {
            stored(endpoints::within_budget(async move { app.start_over(command).await }).await)?
        }
        Ok(None) => "Sorry, I don't know that command.".to_string(),
        Err(problem) => {
            tracing::warn!(problem, "unreadable Slack command envelope");
            "Sorry, that command could not be read.".to_string()
        }
    };
    Some(json!({ "response_type": "ephemeral", "text": text }))
}

/// A slash command's fields, as the HTTP form carries them.
fn command_fields(payload: &Value) -> Vec<(String, String)> {
    payload
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, value)| {
            let value = match value {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            (name.clone(), value)
        })
        .collect()
}

/// The acknowledgement of an envelope, with the response to a slash command.
fn ack(envelope_id: &str, response: Option<Value>) -> String {
    match response {
        Some(payload) => json!({ "envelope_id": envelope_id, "payload": payload }),
        None => json!({ "envelope_id": envelope_id }),
    }
    .to_string()
}

/// One message from Slack on a Socket Mode connection, as far as leadbot reads it.
#[derive(Debug, Clone, PartialEq)]
enum Frame {
    /// The greeting on a new connection.
    Hello { connections: Option<u32> },
    /// Slack will close this connection (`refresh_requested`, `warning`, `link_disabled`).
    Disconnect { reason: String },
    /// A delivery to handle and acknowledge.
    Envelope(Envelope),
    /// Anything else; acknowledged when it carries an envelope id, so it is not redelivered.
    Other {
        kind: String,
        envelope_id: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
struct Envelope {
    id: String,
    kind: EnvelopeKind,
    /// What the HTTP endpoint would receive: the `event_callback` body, the interaction (the
    /// `payload` form field), the slash command's fields.
    payload: Value,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum EnvelopeKind {
    Event,
    Interaction,
    Command,
}

/// Reads a Socket Mode message; only what leadbot uses has to be there.
fn read_frame(message: &str) -> Result<Frame, serde_json::Error> {
    #[derive(Deserialize)]
    struct Raw {
        #[serde(rename = "type", default)]
        kind: String,
        envelope_id: Option<String>,
        reason: Option<String>,
        num_connections: Option<u32>,
        #[serde(default)]
        payload: Value,
    }
    let raw: Raw = serde_json::from_str(message)?;
    let kind = match raw.kind.as_str() {
        "hello" => {
            return Ok(Frame::Hello {
                connections: raw.num_connections,
            });
        }
        "disconnect" => {
            return Ok(Frame::Disconnect {
                reason: raw.reason.unwrap_or_default(),
            });
        }
        "events_api" => EnvelopeKind::Event,
        "interactive" => EnvelopeKind::Interaction,
        "slash_commands" => EnvelopeKind::Command,
        _ => {
            return Ok(Frame::Other {
                kind: raw.kind,
                envelope_id: raw.envelope_id,
            });
        }
    };
    Ok(match raw.envelope_id {
        Some(id) => Frame::Envelope(Envelope {
            id,
            kind,
            payload: raw.payload,
        }),
        None => Frame::Other {
            kind: raw.kind,
            envelope_id: None,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channels::slack::MentionMode;

    fn read(frame: Value) -> Frame {
        read_frame(&frame.to_string()).unwrap()
    }

    #[test]
    fn greetings_and_disconnects_are_read() {
        let hello = json!({
            "type": "hello", "num_connections": 2,
            "debug_info": {"host": "applink-1", "build_number": 105, "approximate_connection_time": 18060},
            "connection_info": {"app_id": "A0LEAD"}
        });
        assert_eq!(
            read(hello),
            Frame::Hello {
                connections: Some(2)
            }
        );
        let documented = json!({"type": "disconnect", "reason": "refresh_requested", "debug_info": {"host": "applink-1"}});
        let bare = json!({"type": "disconnect", "reason": "warning"});
        assert_eq!(
            read(documented),
            Frame::Disconnect {
                reason: "refresh_requested".into()
            }
        );
        assert_eq!(
            read(bare),
            Frame::Disconnect {
                reason: "warning".into()
            }
        );
    }

    #[test]
    fn envelopes_carry_the_http_payloads() {
        let callback = json!({
            "token": "legacy-token", "team_id": "T0LEAD", "api_app_id": "A0LEAD",
            "event": {
                "type": "message", "channel": "D0DM", "user": "U0DANA", "text": "about 20k a year",
                "ts": "1767225600.000100", "event_ts": "1767225600.000100", "channel_type": "im"
            },
            "type": "event_callback", "event_id": "Ev0001", "event_time": 1_767_225_600,
        });
        let frame = read(json!({
            "envelope_id": "e1", "payload": callback, "type": "events_api",
            "accepts_response_payload": false, "retry_attempt": 1, "retry_reason": "timeout"
        }));
        let Frame::Envelope(envelope) = frame else {
            panic!("not an envelope: {frame:?}");
        };
        assert_eq!(
            (envelope.id.as_str(), envelope.kind),
            ("e1", EnvelopeKind::Event)
        );
        let body = serde_json::to_vec(&envelope.payload).unwrap();
        assert_eq!(
            inbound::event(&body, MentionMode::Thread).unwrap(),
            inbound::event(callback.to_string().as_bytes(), MentionMode::Thread).unwrap()
        );
        assert!(matches!(
            read(
                json!({"envelope_id": "e2", "type": "interactive", "payload": {"type": "block_actions"}})
            ),
            Frame::Envelope(Envelope {
                kind: EnvelopeKind::Interaction,
                ..
            })
        ));
        assert!(matches!(
            read(
                json!({"envelope_id": "e3", "type": "slash_commands", "payload": {}, "accepts_response_payload": true})
            ),
            Frame::Envelope(Envelope {
                kind: EnvelopeKind::Command,
                ..
            })
        ));
    }

    #[test]
    fn other_messages_are_acknowledged_when_they_can_be() {
        assert_eq!(
            read(json!({"envelope_id": "e4", "type": "something_new", "payload": {}})),
            Frame::Other {
                kind: "something_new".into(),
                envelope_id: Some("e4".into())
            }
        );
        assert_eq!(
            read(json!({"type": "events_api", "payload": {}})),
            Frame::Other {
                kind: "events_api".into(),
                envelope_id: None
            }
        );
        assert!(read_frame("not json").is_err());
        assert!(read_frame("[1, 2]").is_err());
    }

    #[test]
    fn a_command_reads_as_its_http_form_does() {
        let payload = json!({
            "token": "legacy-token", "team_id": "T0LEAD", "channel_id": "C0SALES",
            "user_id": "U0DANA", "command": "/qualify", "text": "saas-ko",
            "is_enterprise_install": "false", "response_url": "https://hooks.example/commands/1",
            "trigger_id": "3333.4444.ef"
        });
        let form = "token=legacy-token&team_id=T0LEAD&channel_id=C0SALES&user_id=U0DANA\
                    &command=%2Fqualify&text=saas-ko&is_enterprise_install=false\
                    &response_url=https%3A%2F%2Fhooks.example%2Fcommands%2F1&trigger_id=3333.4444.ef";
        let over_http: Vec<(String, String)> = form_urlencoded::parse(form.as_bytes())
            .map(|(name, value)| (name.into_owned(), value.into_owned()))
            .collect();
        let read = inbound::command(&command_fields(&payload), "/qualify")
            .unwrap()
            .unwrap();
        assert_eq!(
            read,
            inbound::command(&over_http, "/qualify").unwrap().unwrap()
        );
        assert_eq!(read.script.as_deref(), Some("saas-ko"));
    }

    #[test]
    fn acknowledgements_name_the_envelope() {
        let bare: Value = serde_json::from_str(&ack("e1", None)).unwrap();
        assert_eq!(bare, json!({"envelope_id": "e1"}));
        let answered: Value = serde_json::from_str(&ack(
            "e2",
            Some(json!({"text": "Hi", "response_type": "ephemeral"})),
        ))
        .unwrap();
        assert_eq!(
            answered,
            json!({"envelope_id": "e2", "payload": {"text": "Hi", "response_type": "ephemeral"}})
        );
    }
}
