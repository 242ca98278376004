//! Purpose: `GET /api/scripts` — what admins need to see of live changes: the active version
//! of each script (the same on every replica) and every refused change still open, with its
//! `file:line:column` error.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde_json::json;

use super::AppState;
use super::api::{ApiError, authorize, error};
use crate::store::StoreError;

fn unavailable(failure: &StoreError) -> ApiError {
    tracing::error!(error = %failure, "reading script versions failed");
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        "the database is unavailable; try again",
    )
}

pub(super) async fn list(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, ApiError> {
    authorize(&state, &headers)?;
    let store = state.runtime.store();
    let active = store.active_versions().await.map_err(|e| unavailable(&e))?;
    let refused = store.open_refusals().await.map_err(|e| unavailable(&e))?;
    let scripts: Vec<serde_json::Value> = active
        .iter()
        .map(|version| {
            let a = &version.activation;
            json!({
                "id": a.script_id,
                "version": a.version.as_str(),
                "label": a.label,
                "since_ms": a.at_ms,
                "origin": a.origin,
                "file": a.file,
                "by": a.by,
            })
        })
        .collect();
    let refused: Vec<serde_json::Value> = refused
        .iter()
        .map(|change| {
            json!({
                "file": change.file,
                "script_id": change.script_id,
                "error": change.error,
                "at_ms": change.at_ms,
            })
        })
        .collect();
    Ok(Json(json!({ "scripts": scripts, "refused": refused })))
}
