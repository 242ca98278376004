//! Purpose: `POST /api/messages` — one inbound message (text or button click) with the
//! caller's event id, processed at most once; answers with the bot's replies.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::AppState;
use crate::conversation::ConversationKey;
use crate::engine::{Input, Reply};
use crate::runtime::{Handled, Ignored, Inbound, RuntimeError};
use crate::store::outcomes::LeadSource;

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
    /// Where the prospect came from ("website", "linkedin", …); the first one given stays.
    source: Option<String>,
    /// The marketing campaign.
    campaign: Option<String>,
    /// UTM fields of the landing page.
    utm: Option<UtmFields>,
    /// The company, when the caller knows it already.
    company: Option<String>,
    /// The e-mail address, when the caller knows it already.
    email: Option<String>,
}

/// The `utm_*` parameters of a landing page.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct UtmFields {
    source: Option<String>,
    medium: Option<String>,
    campaign: Option<String>,
    term: Option<String>,
    content: Option<String>,
}

/// Longest source, campaign, UTM, company or e-mail value accepted, in bytes.
const MAX_SOURCE_FIELD: usize = 200;

impl MessageRequest {
    /// Where the lead came from, as given (nothing when no field was).
    fn lead_source(&mut self) -> Result<LeadSource, ApiError> {
        let utm = self.utm.take().unwrap_or_default();
        let source = LeadSource {
            source: self.source.take(),
            campaign: self.campaign.take(),
            utm_source: utm.source,
            utm_medium: utm.medium,
            utm_campaign: utm.campaign,
            utm_term: utm.term,
            utm_content: utm.content,
            company: self.company.take(),
            email: self.email.take(),
        };
        let fields = [
            &source.source,
            &source.campaign,
            &source.utm_source,
            &source.utm_medium,
            &source.utm_campaign,
            &source.utm_term,
            &source.utm_content,
            &source.company,
            &source.email,
        ];
        if fields.iter().any(|field| {
            field
                .as_ref()
                .is_some_and(|text| text.len() > MAX_SOURCE_FIELD)
        }) {
            return Err(error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "source, campaign, utm, company and email values must be at most 200 bytes",
            ));
        }
        Ok(source)
    }
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
    /// Why nothing was done: `question_closed` (a click on a question no longer asked).
    #[serde(skip_serializing_if = "Option::is_none")]
    ignored: Option<&'static str>,
    lead_id: Option<i64>,
    stage: Option<String>,
    score: Option<i32>,
    finished: bool,
    replies: Vec<Reply>,
}

/// An error answer: a status and `{"error": …}`, with `Retry-After` when sending the same
/// request again later will work.
#[derive(Debug)]
pub(super) struct ApiError {
    status: StatusCode,
    message: String,
    retry_after_seconds: Option<u32>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Json(json!({ "error": self.message }));
        match self.retry_after_seconds {
            Some(seconds) => {
                (self.status, [("retry-after", seconds.to_string())], body).into_response()
            }
            None => (self.status, body).into_response(),
        }
    }
}

pub(super) fn error(status: StatusCode, message: &str) -> ApiError {
    ApiError {
        status,
        message: message.to_string(),
        retry_after_seconds: None,
    }
}

/// The answer for a request the runtime could not complete: nothing of it was stored. A
/// database failure is temporary (503, send it again, with the same event id), anything else
/// an internal error (500). Details go to the log only.
pub(super) fn not_done(failure: &RuntimeError) -> ApiError {
    tracing::error!(error = %failure, "a request was not completed");
    match failure {
        RuntimeError::Store(_) => ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            message: "Not stored: the database is unavailable. Send the same request again."
                .to_string(),
            retry_after_seconds: Some(RETRY_AFTER_SECONDS),
        },
        _ => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "An internal error occurred.",
        ),
    }
}

/// How long a caller is asked to wait before sending a request that was not stored again.
const RETRY_AFTER_SECONDS: u32 = 2;

/// The token of an `Authorization: Bearer <token>` header; empty when there is none.
pub(super) fn bearer_token(headers: &HeaderMap) -> &str {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .unwrap_or_default()
}

/// Checks the bearer token of an `/api/*` request.
pub(super) fn authorize(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(token) = &state.api_token else {
        return Err(error(
            StatusCode::SERVICE_UNAVAILABLE,
            "the API is disabled: set LEADBOT_API_TOKEN",
        ));
    };
    if token.matches(bearer_token(headers)) {
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
    let mut request: MessageRequest = serde_json::from_slice(&body).map_err(|problem| {
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
    let texts = [Some(&request.event_id), request.text.as_ref()]
        .into_iter()
        .flatten()
        .chain(
            request
                .choice
                .iter()
                .flat_map(|choice| [&choice.step, &choice.value]),
        );
    if texts.into_iter().any(|text| text.contains('\0')) {
        return Err(error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "a NUL character (\\u0000) cannot be stored: remove it from event_id, text and choice",
        ));
    }
    if request.event_id.is_empty() || request.event_id.len() > 200 {
        return Err(error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "event_id must be 1-200 characters",
        ));
    }
    let source = request.lead_source()?;
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
    let inbound = Inbound::new(
        ConversationKey {
            channel: request.channel,
            address: request.conversation,
        },
        Some(format!("api:{}", request.event_id)),
        input,
        request.at.unwrap_or_else(|| Utc::now().fixed_offset()),
    );
    let handled = state
        .runtime
        .handle(&inbound)
        .await
        .map_err(|failure| not_done(&failure))?;
    let nothing = |duplicate: bool, ignored: Option<&'static str>| MessageResponse {
        duplicate,
        ignored,
        lead_id: None,
        stage: None,
        score: None,
        finished: false,
        replies: Vec::new(),
    };
    let response = match handled {
        Handled::Duplicate => nothing(true, None),
        Handled::Ignored(Ignored::QuestionClosed { .. }) => nothing(false, Some("question_closed")),
        Handled::Ignored(Ignored::NoConversation) => nothing(false, Some("no_conversation")),
        Handled::Replied(outcome) => {
            remember_source(&state, outcome.lead_id, &source).await;
            MessageResponse {
                duplicate: false,
                ignored: None,
                lead_id: Some(outcome.lead_id),
                stage: Some(outcome.state.stage.name().to_string()),
                score: Some(outcome.state.score),
                finished: outcome.state.is_finished(),
                replies: outcome.replies,
            }
        }
    };
    Ok(Json(json!(response)))
}

/// Stores where a lead came from after its turn. The turn is stored already, so a failure
/// here is logged, not answered with an error (a retry would be a duplicate).
async fn remember_source(state: &AppState, lead_id: i64, source: &LeadSource) {
    let now_ms = Utc::now().timestamp_millis();
    if let Err(failure) = state
        .runtime
        .store()
        .record_lead_source(lead_id, source, now_ms)
        .await
    {
        tracing::warn!(lead_id, error = %failure, "the lead's source was not stored");
    }
}
