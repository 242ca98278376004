//! Purpose: `POST /slack/events`, `/slack/interactions`, `/slack/commands` — each request's
//! signature is checked first (401 otherwise), then it is acknowledged within Slack's 3-second
//! window while the turn runs in its own task.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::json;

use super::SlackApp;
use super::inbound::{self, EventAction, InteractionAction};
use super::signature;

/// How long a request waits for its turn to be stored before it is acknowledged anyway. Within
/// it, the 200 means "stored" (a crash cannot lose the message); past it, the turn finishes in
/// the background and a retry from Slack is recognised by its event id.
pub const ACK_BUDGET: Duration = Duration::from_millis(1500);

/// On a body leadbot cannot read, asks Slack not to send the same body again.
const NO_RETRY: [(&str, &str); 1] = [("x-slack-no-retry", "1")];

/// The Slack routes, to merge into the server's router.
pub fn routes(app: Arc<SlackApp>) -> Router {
    Router::new()
        .route("/slack/events", post(events))
        .route("/slack/interactions", post(interactions))
        .route("/slack/commands", post(commands))
        .layer(DefaultBodyLimit::max(crate::http::MAX_BODY_BYTES))
        .with_state(app)
}

/// Checks the v0 signature; the log line names the route and the reason, never the secret or
/// the signature.
fn verified(app: &SlackApp, route: &str, headers: &HeaderMap, body: &[u8]) -> bool {
    let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    let checked = signature::verify(
        &app.config.signing_secret,
        header("x-slack-request-timestamp"),
        header("x-slack-signature"),
        body,
        chrono::Utc::now().timestamp(),
    );
    if let Err(error) = &checked {
        tracing::warn!(route, reason = %error, "refused a Slack request with a bad signature");
    }
    checked.is_ok()
}

fn unauthorized() -> Response {
    (StatusCode::UNAUTHORIZED, "invalid signature").into_response()
}

/// Runs `work` in its own task and waits for it at most [`ACK_BUDGET`].
pub(super) async fn within_budget<T: Send + 'static>(
    work: impl Future<Output = T> + Send + 'static,
) -> Option<T> {
    let task = tokio::spawn(work);
    match tokio::time::timeout(ACK_BUDGET, task).await {
        Ok(Ok(value)) => Some(value),
        Ok(Err(error)) => {
            tracing::error!(%error, "a Slack turn task failed");
            None
        }
        Err(_) => {
            tracing::warn!("a Slack turn is slow; acknowledged before it finished");
            None
        }
    }
}

async fn events(State(app): State<Arc<SlackApp>>, headers: HeaderMap, body: Bytes) -> Response {
    if !verified(&app, "events", &headers, &body) {
        return unauthorized();
    }
    let action = match inbound::event(&body, app.config.mention_mode) {
        Ok(action) => action,
        Err(error) => {
            tracing::warn!(%error, "unreadable Slack event");
            return (StatusCode::BAD_REQUEST, NO_RETRY, "unreadable event").into_response();
        }
    };
    match action {
        EventAction::Challenge(challenge) => {
            Json(json!({ "challenge": challenge })).into_response()
        }
        EventAction::Ignore(why) => {
            tracing::debug!(why, "Slack event ignored");
            StatusCode::OK.into_response()
        }
        EventAction::Turn(turn) => {
            if let Some(retry) = headers.get("x-slack-retry-num") {
                tracing::info!(retry = ?retry, event = %turn.event_id, "Slack retried an event");
            }
            within_budget(async move { app.run_turn(*turn).await }).await;
            StatusCode::OK.into_response()
        }
    }
}

async fn interactions(
    State(app): State<Arc<SlackApp>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !verified(&app, "interactions", &headers, &body) {
        return unauthorized();
    }
    let payload = form_urlencoded::parse(&body)
        .find(|(name, _)| name == "payload")
        .map(|(_, value)| value.into_owned());
    let action = match payload.as_deref().map(inbound::interaction) {
        Some(Ok(action)) => action,
        Some(Err(error)) => {
            tracing::warn!(%error, "unreadable Slack interaction");
            return (StatusCode::BAD_REQUEST, NO_RETRY, "unreadable payload").into_response();
        }
        None => return (StatusCode::BAD_REQUEST, NO_RETRY, "no payload").into_response(),
    };
    match action {
        InteractionAction::Turn(turn) => {
            within_budget(async move { app.run_turn(*turn).await }).await;
        }
        InteractionAction::Handoff(click) => {
            within_budget(async move { app.answer_handoff(click).await }).await;
        }
        InteractionAction::Ignore(why) => tracing::debug!(why, "Slack interaction ignored"),
    }
    StatusCode::OK.into_response()
}

async fn commands(State(app): State<Arc<SlackApp>>, headers: HeaderMap, body: Bytes) -> Response {
    if !verified(&app, "commands", &headers, &body) {
        return unauthorized();
    }
    let fields: Vec<(String, String)> = form_urlencoded::parse(&body)
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    let text = match inbound::command(&fields, &app.config.command) {
        Some(command) => within_budget(async move { app.start_over(command).await })
            .await
            .unwrap_or_else(|| "Starting… I'll message you directly.".to_string()),
        None => "Sorry, I don't know that command.".to_string(),
    };
    Json(json!({ "response_type": "ephemeral", "text": text })).into_response()
}
