//! Purpose: `POST /api/handoffs/{id}/accept|pass|close` — reps (or the CRM acting for them)
//! answer a hand-off over HTTP, with the same rules as the buttons and the CLI.

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
use crate::runtime::{HandoffAnswer, HandoffAnswered, RepIdentity, RuntimeError};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswerRequest {
    /// The rep id from the reps file.
    rep: Option<String>,
}

pub(super) async fn answer(
    State(state): State<Arc<AppState>>,
    Path((id, action)): Path<(i64, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<serde_json::Value>, ApiError> {
    authorize(&state, &headers)?;
    let now = Utc::now().fixed_offset();
    if action == "close" {
        let closed = state.runtime.close_handoff(id, now).await.map_err(failed)?;
        return Ok(Json(json!({ "closed": closed })));
    }
    let answer = match action.as_str() {
        "accept" => HandoffAnswer::Accept,
        "pass" => HandoffAnswer::Pass,
        _ => return Err(error(StatusCode::NOT_FOUND, "use accept, pass or close")),
    };
    let request: AnswerRequest = serde_json::from_slice(&body).map_err(|problem| {
        error(
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!("malformed answer: {problem}"),
        )
    })?;
    let rep = request.rep.ok_or_else(|| {
        error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "name the rep: {\"rep\": \"id\"}",
        )
    })?;
    let answered = state
        .runtime
        .answer_handoff(id, RepIdentity::Id(rep), answer, now)
        .await
        .map_err(failed)?;
    Ok(Json(match answered {
        HandoffAnswered::Accepted { rep, lead_id } => {
            json!({ "outcome": "accepted", "rep": rep, "lead_id": lead_id })
        }
        HandoffAnswered::AlreadyAccepted { rep } => {
            json!({ "outcome": "already_accepted", "rep": rep })
        }
        HandoffAnswered::Passed {
            next,
            assignment_id,
        } => {
            json!({ "outcome": "passed", "next_rep": next, "next_handoff": assignment_id })
        }
        HandoffAnswered::NotOpen { status } => json!({ "outcome": "not_open", "status": status }),
    }))
}

fn failed(failure: RuntimeError) -> ApiError {
    match failure {
        RuntimeError::UnknownAssignment(_) => error(StatusCode::NOT_FOUND, &failure.to_string()),
        RuntimeError::UnknownRep(_) | RuntimeError::NotTheirLead { .. } => {
            error(StatusCode::FORBIDDEN, &failure.to_string())
        }
        RuntimeError::NoTeam => error(StatusCode::CONFLICT, &failure.to_string()),
        other => not_done(&other),
    }
}
