//! Purpose: `POST /api/messages` — one inbound message (text or button click) with the
//! caller's event id, processed at most once; answers with the bot's replies.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::AppState;
use crate::engine::{Input, Reply};
use crate::runtime::{Handled, Inbound};
use crate::store::ConversationKey;

/// A message as callers send it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct MessageRequest {
    /// The channel name, e.g. "web" (letters, digits, - and _).
    channel: String,
    /// The conversation on that channel (e.g. a visitor id).
    conversation: String,
    /// The caller's id for this event; a repeat is not processed again.
    event_id: String,
    /// What the prospect typed.
    text: Option<String>,
    /// Or the button they clicked.
    choice: Option<ClickedChoice>,
    /// When it happened (default: now, UTC).
    at: Option<DateTime<FixedOffset>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ClickedChoice {
    step: String,
    value: String,
}

#[derive(Debug, Serialize)]
struct MessageResponse {
    duplicate: bool,
    lead_id: Option<i64>,
    stage: Option<String>,
    score: Option<i32>,
    finished: bool,
    replies: Vec<Reply>,
}

/// An error answer: a status and `{"error": …}`.
pub(super) type ApiError = (StatusCode, Json<serde_json::Value>);

pub(super) fn error(status: StatusCode, message: &str) -> ApiError {
    (status, Json(json!({ "error": message })))
}

/// Checks the bearer token of an `/api/*` request.
pub(super) fn authorize(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(token) = &state.api_token else {
        return Err(error(
            StatusCode::SERVICE_UNAVAILABLE,
            "the API is disabled: set LEADBOT_API_TOKEN",
        ));
    };
    let presented = headers
        .get("authorization")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .unwrap_or_default();
    if token.matches(presented) {
        Ok(())
    } else {
        Err(error(
            StatusCode::UNAUTHORIZED,
            "missing or wrong bearer token",
        ))
    }
}

pub(super) async fn message(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    authorize(&state, &headers)?;
    let request: MessageRequest = serde_json::from_slice(&body).map_err(|problem| {
        error(
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!("malformed message: {problem}"),
        )
    })?;
    let valid_name = |name: &str, max: usize| {
        !name.is_empty()
            && name.len() <= max
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_:.".contains(c))
    };
    if !valid_name(&request.channel, 32) || !valid_name(&request.conversation, 200) {
        return Err(error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "channel and conversation must be 1-32 / 1-200 characters of letters, digits, - _ : .",
        ));
    }
    if request.event_id.is_empty() || request.event_id.len() > 200 {
        return Err(error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "event_id must be 1-200 characters",
        ));
    }
    let input = match (request.text, request.choice) {
        (Some(text), None) => Input::Text(text),
        (None, Some(choice)) => Input::Choice {
            step: choice.step,
            value: choice.value,
        },
        _ => {
            return Err(error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "send exactly one of text or choice",
            ));
        }
    };
    let inbound = Inbound {
        key: ConversationKey {
            channel: request.channel,
            address: request.conversation,
        },
        event_id: Some(format!("api:{}", request.event_id)),
        input,
        now: request.at.unwrap_or_else(|| Utc::now().fixed_offset()),
        reply_via: None,
    };
    let handled = state.runtime.handle(&inbound).await.map_err(|failure| {
        tracing::error!(error = %failure, "turn failed");
        error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "An internal error occurred.",
        )
    })?;
    let response = match handled {
        Handled::Duplicate => MessageResponse {
            duplicate: true,
            lead_id: None,
            stage: None,
            score: None,
            finished: false,
            replies: Vec::new(),
        },
        Handled::Replied(outcome) => MessageResponse {
            duplicate: false,
            lead_id: Some(outcome.lead_id),
            stage: Some(outcome.state.stage.name().to_string()),
            score: Some(outcome.state.score),
            finished: outcome.state.is_finished(),
            replies: outcome.replies,
        },
    };
    Ok(Json(json!(response)))
}
