//! Purpose: `POST /slack/events`, `/slack/interactions`, `/slack/commands` — each request's
//! signature is checked first (401 otherwise), then its turn runs in its own task for at most
//! [`ACK_BUDGET`]. A 200 means "stored": a turn that failed, or did not finish within the
//! budget, is answered 503 so that Slack sends the event again (same event id, deduplicated).

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

/// How long a request waits for its turn to be stored. Within it, the 200 means "stored" (a
/// crash cannot lose the message); past it, Slack is answered 503 while the turn goes on in
/// the background, and Slack's retry is recognised by its event id: a duplicate if the turn
/// committed, processed if it failed. Slack itself waits 3 s.
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

/// A verified body that is not UTF-8 — Slack never sends one — is refused before anything reads it.
fn unreadable_bytes(body: &[u8]) -> Option<Response> {
    std::str::from_utf8(body).err().map(|_| {
        tracing::warn!("refused a Slack request whose body is not UTF-8");
        (StatusCode::BAD_REQUEST, NO_RETRY, "the body is not UTF-8").into_response()
    })
}

fn unauthorized() -> Response {
    (StatusCode::UNAUTHORIZED, "invalid signature").into_response()
}

/// The answer for work that was not stored: Slack retries it (no `X-Slack-No-Retry`).
fn not_stored() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [("retry-after", "1")],
        "not stored yet; send it again",
    )
        .into_response()
}

/// 200 when `outcome` is a stored (or harmless) result, else [`not_stored`].
pub(super) fn acknowledged<T, E>(outcome: Option<Result<T, E>>) -> Response {
    match outcome {
        Some(Ok(_)) => StatusCode::OK.into_response(),
        Some(Err(_)) | None => not_stored(),
    }
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
    if let Some(refusal) = unreadable_bytes(&body) {
        return refusal;
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
            acknowledged(within_budget(async move { app.run_turn(*turn).await }).await)
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
    if let Some(refusal) = unreadable_bytes(&body) {
        return refusal;
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
            acknowledged(within_budget(async move { app.run_turn(*turn).await }).await)
        }
        InteractionAction::Handoff(click) => {
            acknowledged(within_budget(async move { app.answer_handoff(click).await }).await)
        }
        InteractionAction::HandBack { lead_id, user } => {
            acknowledged(within_budget(async move { app.hand_back(lead_id, &user).await }).await)
        }
        InteractionAction::Close(click) => {
            acknowledged(within_budget(async move { app.close_handoff(click).await }).await)
        }
        InteractionAction::Ignore(why) => {
            tracing::debug!(why, "Slack interaction ignored");
            StatusCode::OK.into_response()
        }
    }
}

async fn commands(State(app): State<Arc<SlackApp>>, headers: HeaderMap, body: Bytes) -> Response {
    if !verified(&app, "commands", &headers, &body) {
        return unauthorized();
    }
    if let Some(refusal) = unreadable_bytes(&body) {
        return refusal;
    }
    let fields: Vec<(String, String)> = form_urlencoded::parse(&body)
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect();
    let text = match inbound::command(&fields, &app.config.command) {
        Ok(Some(command)) => {
            match within_budget(async move { app.start_over(command).await }).await {
                Some(Ok(text)) => text,
                outcome => return acknowledged(outcome),
            }
        }
        Ok(None) => "Sorry, I don't know that command.".to_string(),
        Err(problem) => {
            tracing::warn!(problem, "unreadable Slack command");
            return (StatusCode::BAD_REQUEST, NO_RETRY, problem).into_response();
        }
    };
    Json(json!({ "response_type": "ephemeral", "text": text })).into_response()
}
