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
use crate::store::outcomes::{Closing, Outcome};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AnswerRequest {
    /// The rep id from the reps file.
    rep: Option<String>,
}

/// `POST /api/handoffs/{id}/close`: how it ended, all optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CloseRequest {
    /// won, lost, no_fit or no_response.
    outcome: Option<Outcome>,
    /// The deal's value, in units of `currency` (e.g. 12000.50).
    value: Option<f64>,
    /// ISO 4217 code of the value.
    currency: Option<String>,
    /// Free text for the record.
    note: Option<String>,
}

impl CloseRequest {
    fn closing(self) -> Result<Closing, ApiError> {
        Closing::checked(self.outcome, self.value, self.currency, self.note)
            .map_err(|problem| error(StatusCode::UNPROCESSABLE_ENTITY, &problem))
    }
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
        let request: CloseRequest = if body.iter().all(u8::is_ascii_whitespace) {
            CloseRequest::default()
        } else {
            serde_json::from_slice(&body).map_err(|problem| {
                error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &format!("malformed close: {problem}"),
                )
            })?
        };
        let closing = request.closing()?;
        let closed = state
            .runtime
            .close_handoff_with(id, &closing, now)
            .await
            .map_err(failed)?;
        return Ok(Json(
            json!({ "closed": closed, "outcome": closing.outcome.map(Outcome::name) }),
        ));
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
