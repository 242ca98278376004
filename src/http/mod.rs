//! Purpose: leadbot's HTTP surface — `app(state) -> Router`, so tests drive the same router the
//! server runs. Today: health, and a JSON API that feeds messages (with event ids) to the
//! runtime, for web widgets, custom channels and tests.

pub mod admin;
mod api;
mod booking;
mod handoffs;
pub mod operations;
mod scripts;
mod takeover;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};

use crate::runtime::Runtime;
use crate::secret::Secret;

/// Largest request body accepted, in bytes; a chat message is far smaller.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// What every handler shares.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The runtime turns go through.
    pub runtime: Runtime,
    /// Bearer token for `/api/*`; the API answers 503 when none is configured.
    pub api_token: Option<Secret>,
    /// Verifies `POST /webhooks/booking`; the webhook answers 503 when none is configured.
    pub booking_secret: Option<Secret>,
}

/// The router: `GET /healthz`, `POST /api/messages`, `POST /api/handoffs/{id}/{action}`,
/// `GET /api/scripts`.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/api/messages", post(api::message))
        .route("/api/handoffs/{id}/{action}", post(handoffs::answer))
        .route("/api/scripts", get(scripts::list))
        .route("/api/leads/{id}/{action}", post(takeover::act))
        .route("/webhooks/booking", post(booking::received))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(Arc::new(state))
}
