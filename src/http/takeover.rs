//! Purpose: `POST /api/leads/{id}/reply` and `POST /api/leads/{id}/hand-back` — a CRM (or a
//! rep's own tool) answers a prospect who asked for a person, and gives the conversation back
//! to the bot, with the same rules as `leadbot reply` and `leadbot hand-back`.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;

use super::AppState;
use super::api::{ApiError, authorize, error, not_done};
use crate::runtime::{RepIdentity, RuntimeError};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReplyRequest {
    /// The rep id from the reps file.
    rep: String,
    /// What to tell the prospect.
    text: String,
    /// The caller's id for this reply: a retry with the same id sends nothing twice.
    request_id: Option<String>,
}

pub(super) async fn act(
    State(state): State<Arc<AppState>>,
    Path((id, action)): Path<(i64, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    authorize(&state, &headers)?;
    let now = Utc::now().fixed_offset();
    match action.as_str() {
        "reply" => {
            let request: ReplyRequest = serde_json::from_slice(&body).map_err(|problem| {
                error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &format!("malformed reply ({{\"rep\": \"id\", \"text\": \"…\"}}): {problem}"),
                )
            })?;
            let sent = state
                .runtime
                .reply_as_rep(
                    id,
                    &RepIdentity::Id(request.rep),
                    &request.text,
                    request.request_id.as_deref(),
                    now,
                )
                .await
                .map_err(failed)?;
            Ok(Json(json!({ "messages": sent })))
        }
        "hand-back" => {
            let handed_back = state.runtime.hand_back(id, now).await.map_err(failed)?;
            Ok(Json(json!({ "handed_back": handed_back })))
        }
        _ => Err(error(StatusCode::NOT_FOUND, "use reply or hand-back")),
    }
}

fn failed(failure: RuntimeError) -> ApiError {
    match failure {
        RuntimeError::UnknownLead(_) => error(StatusCode::NOT_FOUND, &failure.to_string()),
        RuntimeError::UnknownRep(_) => error(StatusCode::FORBIDDEN, &failure.to_string()),
        RuntimeError::NoTeam | RuntimeError::NotWithARep(_) => {
            error(StatusCode::CONFLICT, &failure.to_string())
        }
        RuntimeError::EmptyReply => error(StatusCode::UNPROCESSABLE_ENTITY, &failure.to_string()),
        other => not_done(&other),
    }
}
