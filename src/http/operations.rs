//! Purpose: the operator's endpoints — `GET /readyz` (database reachable, schema current,
//! every enabled channel connected; 503 with the reasons otherwise) and `GET /metrics`
//! (Prometheus text, behind the admin token).

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::secret::Secret;
use crate::store::Store;

/// What the operations endpoints need.
#[derive(Debug, Clone)]
pub struct Operations {
    /// The database checked for readiness and the outbox backlog.
    pub store: Store,
    /// `/metrics` answers only with this bearer token; 503 when unset.
    pub admin_token: Option<Secret>,
}

struct OperationsState {
    operations: Operations,
    /// Destinations seen with a backlog, so an emptied one reads 0, not its last depth.
    destinations: Mutex<BTreeSet<String>>,
}

/// `GET /readyz` and `GET /metrics`, to merge into [`super::app`].
pub fn routes(operations: Operations) -> Router {
    let state = Arc::new(OperationsState {
        operations,
        destinations: Mutex::default(),
    });
    Router::new()
        .route("/readyz", get(ready))
        .route("/metrics", get(metrics))
        .with_state(state)
}

async fn ready(State(state): State<Arc<OperationsState>>) -> Response {
    let mut problems = Vec::new();
    match state.operations.store.schema_versions().await {
        Err(failure) => {
            tracing::warn!(error = %failure, "readiness: the database is unreachable");
            problems.push("database unreachable".to_string());
        }
        Ok((found, latest)) if found != Some(latest) => problems.push(format!(
            "database schema at version {}, this leadbot needs {latest} (run leadbot migrate)",
            found.unwrap_or(0)
        )),
        Ok(_) => {}
    }
    for (channel, why) in crate::health::not_connected() {
        problems.push(format!("{channel}: {why}"));
    }
    if problems.is_empty() {
        (StatusCode::OK, "ready\n").into_response()
    } else {
        let body = format!("not ready: {}\n", problems.join("; "));
        (StatusCode::SERVICE_UNAVAILABLE, body).into_response()
    }
}

async fn metrics(State(state): State<Arc<OperationsState>>, headers: HeaderMap) -> Response {
    let Some(token) = &state.operations.admin_token else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "metrics are disabled: set LEADBOT_ADMIN_TOKEN\n",
        )
            .into_response();
    };
    if !token.matches(super::api::bearer_token(&headers)) {
        return (StatusCode::UNAUTHORIZED, "missing or wrong bearer token\n").into_response();
    }
    let Some(handle) = crate::metrics::handle() else {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            "another metrics recorder is installed\n",
        )
            .into_response();
    };
    record_backlog(&state).await;
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle.render(),
    )
        .into_response()
}

/// Sets the outbox gauges from the database, at scrape time.
async fn record_backlog(state: &OperationsState) {
    let backlog = match state.operations.store.outbox_backlog().await {
        Ok(backlog) => backlog,
        Err(failure) => {
            tracing::warn!(error = %failure, "metrics: the outbox backlog is unreadable");
            crate::metrics::database_error();
            return;
        }
    };
    let now_ms = chrono::Utc::now().timestamp_millis();
    let mut seen = state
        .destinations
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    for destination in seen.iter() {
        if !backlog.iter().any(|item| &item.destination == destination) {
            crate::metrics::outbox(destination, 0, 0.0);
        }
    }
    for item in &backlog {
        let age = (now_ms - item.oldest_ms).max(0) as f64 / 1000.0;
        crate::metrics::outbox(&item.destination, item.depth, age);
        seen.insert(item.destination.clone());
    }
}
